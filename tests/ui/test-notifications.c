/* test-notifications.c: desktop notifications, against a fake notification server
 *
 * Under dbus-run-session there is no org.gtk.Notifications, so GLib's
 * GNotification talks to org.freedesktop.Notifications. The test owns that
 * name itself (on a connection of its own, served by the app's main loop)
 * and records every Notify; it answers like a notification daemon and, like
 * one, says ActionInvoked when "the person clicks" a button. GLib's
 * freedesktop backend sends each button as a pair (key, label) where the key
 * is the detailed action name (g_action_print_detailed_name: "app.x::target"
 * or "app.x('target')"), plus ("default", "") for the default action, and
 * activates the "app."-prefixed action whose key comes back in
 * ActionInvoked.
 *
 * Calls: the real application runs in-process against the fake backend; a
 * call_completed event (CONTRACTS.md) shows one notification with Log Call
 * and Listen; Log Call opens the logger filled from the event (asking again
 * brings that logger forward), and saving it links the event's call to the
 * log; logging it once more asks first. An event of another workspace and
 * the same event again after a reconnect show nothing.
 *
 * Follow-ups: a follow-up that fell due while Callnotes was not running is
 * shown once at start, with Call Now and Snooze; Snooze moves it ten
 * minutes on without showing it again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"


#include "cn-application.h"
#include "cn-live-store.h"
#include "cn-log-dialog.h"
#include "cn-secrets.h"
#include "fake-servers.h"

#define TOKEN "notifications-token"
#define RECORDING_URL "https://rec.example.com/CA11.mp3"

/* ---- the fake notification server --------------------------------------------- */

#define NOTIFY_PATH  "/org/freedesktop/Notifications"
#define NOTIFY_IFACE "org.freedesktop.Notifications"

static const char notify_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.Notifications'>"
  "    <method name='Notify'>"
  "      <arg type='s' name='app_name' direction='in'/>"
  "      <arg type='u' name='replaces_id' direction='in'/>"
  "      <arg type='s' name='app_icon' direction='in'/>"
  "      <arg type='s' name='summary' direction='in'/>"
  "      <arg type='s' name='body' direction='in'/>"
  "      <arg type='as' name='actions' direction='in'/>"
  "      <arg type='a{sv}' name='hints' direction='in'/>"
  "      <arg type='i' name='expire_timeout' direction='in'/>"
  "      <arg type='u' name='id' direction='out'/>"
  "    </method>"
  "    <method name='CloseNotification'>"
  "      <arg type='u' name='id' direction='in'/>"
  "    </method>"
  "    <method name='GetCapabilities'>"
  "      <arg type='as' name='capabilities' direction='out'/>"
  "    </method>"
  "    <method name='GetServerInformation'>"
  "      <arg type='s' name='name' direction='out'/>"
  "      <arg type='s' name='vendor' direction='out'/>"
  "      <arg type='s' name='version' direction='out'/>"
  "      <arg type='s' name='spec_version' direction='out'/>"
  "    </method>"
  "    <signal name='NotificationClosed'>"
  "      <arg type='u' name='id'/>"
  "      <arg type='u' name='reason'/>"
  "    </signal>"
  "    <signal name='ActionInvoked'>"
  "      <arg type='u' name='id'/>"
  "      <arg type='s' name='action_key'/>"
  "    </signal>"
  "  </interface>"
  "</node>";

typedef struct {
  guint32   id;            /* what Notify answered */
  char     *app_name;
  guint32   replaces_id;
  char     *summary;
  char     *body;
  GStrv     actions;       /* key, label, key, label, … */
  GVariant *hints;
} Notified;

static void
notified_free (gpointer data)
{
  Notified *n = data;

  g_free (n->app_name);
  g_free (n->summary);
  g_free (n->body);
  g_strfreev (n->actions);
  g_variant_unref (n->hints);
  g_free (n);
}

/* The key of the button labelled @label, NULL when there is none. */
static const char *
notified_action_key (const Notified *n,
                     const char     *label)
{
  for (guint i = 0; n->actions[i] != NULL && n->actions[i + 1] != NULL; i += 2)
    if (g_str_equal (n->actions[i + 1], label))
      return n->actions[i];

  return NULL;
}

static gboolean
notified_has_key (const Notified *n,
                  const char     *key)
{
  for (guint i = 0; n->actions[i] != NULL && n->actions[i + 1] != NULL; i += 2)
    if (g_str_equal (n->actions[i], key))
      return TRUE;

  return FALSE;
}

typedef struct {
  GDBusConnection *connection;   /* a connection of its own, like a daemon's */
  guint            owner_id;
  guint            object_id;
  gboolean         acquired;
  gboolean         lost;
  guint32          next_id;
  GPtrArray       *notified;     /* Notified, in the order they came */
  GArray          *closed;       /* guint32: CloseNotification calls */
  guint            n_capabilities_calls;
} FakeNotifier;

static void
on_notifier_method_call (GDBusConnection       *connection,
                         const char            *sender,
                         const char            *object_path,
                         const char            *interface_name,
                         const char            *method_name,
                         GVariant              *parameters,
                         GDBusMethodInvocation *invocation,
                         gpointer               user_data)
{
  FakeNotifier *self = user_data;

  if (g_str_equal (method_name, "Notify"))
    {
      Notified *n = g_new0 (Notified, 1);
      const char *app_icon;
      gint32 expire;

      g_variant_get (parameters, "(su&sss^as@a{sv}i)", &n->app_name, &n->replaces_id, &app_icon,
                     &n->summary, &n->body, &n->actions, &n->hints, &expire);
      /* A replaced notification keeps its id, as the specification says. */
      n->id = n->replaces_id != 0 ? n->replaces_id : ++self->next_id;
      g_test_message ("Notify #%u (replaces %u): “%s” — “%s”", n->id, n->replaces_id, n->summary,
                      n->body);
      g_ptr_array_add (self->notified, n);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", n->id));
    }
  else if (g_str_equal (method_name, "CloseNotification"))
    {
      guint32 id;

      g_variant_get (parameters, "(u)", &id);
      g_test_message ("CloseNotification %u", id);
      g_array_append_val (self->closed, id);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method_name, "GetCapabilities"))
    {
      const char *caps[] = { "actions", "body", NULL };

      self->n_capabilities_calls++;
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else if (g_str_equal (method_name, "GetServerInformation"))
    {
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(ssss)", "fake-notifier", "Callnotes tests",
                                                            "1.0", "1.2"));
    }
  else
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                             "No method %s", method_name);
    }
}

static const GDBusInterfaceVTable notifier_vtable = { on_notifier_method_call, NULL, NULL, { 0 } };

static void
on_name_acquired (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  ((FakeNotifier *) user_data)->acquired = TRUE;
}

static void
on_name_lost (GDBusConnection *connection,
              const char      *name,
              gpointer         user_data)
{
  ((FakeNotifier *) user_data)->lost = TRUE;
}

/* Serves org.freedesktop.Notifications on the session bus from the default
 * main context (the app's loop dispatches it once the app runs). */
static FakeNotifier *
fake_notifier_new (void)
{
  FakeNotifier *self = g_new0 (FakeNotifier, 1);
  g_autoptr(GDBusNodeInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  gint64 deadline;

  address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  self->connection = g_dbus_connection_new_for_address_sync (address,
                                                             G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                             G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                             NULL, NULL, &error);
  g_assert_no_error (error);

  info = g_dbus_node_info_new_for_xml (notify_xml, &error);
  g_assert_no_error (error);
  self->object_id = g_dbus_connection_register_object (self->connection, NOTIFY_PATH,
                                                       info->interfaces[0], &notifier_vtable, self,
                                                       NULL, &error);
  g_assert_no_error (error);

  self->notified = g_ptr_array_new_with_free_func (notified_free);
  self->closed = g_array_new (FALSE, FALSE, sizeof (guint32));

  self->owner_id = g_bus_own_name_on_connection (self->connection, NOTIFY_IFACE,
                                                 G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                                 on_name_acquired, on_name_lost, self, NULL);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!self->acquired && !self->lost && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (self->acquired);

  return self;
}

/* What a daemon sends when the person clicks a button of notification @id. */
static void
fake_notifier_invoke (FakeNotifier *self,
                      guint32       id,
                      const char   *action_key)
{
  g_autoptr(GError) error = NULL;

  g_test_message ("ActionInvoked %u “%s”", id, action_key);
  g_dbus_connection_emit_signal (self->connection, NULL, NOTIFY_PATH, NOTIFY_IFACE,
                                 "ActionInvoked", g_variant_new ("(us)", id, action_key), &error);
  g_assert_no_error (error);
  /* Daemons close a notification whose action was invoked. */
  g_dbus_connection_emit_signal (self->connection, NULL, NOTIFY_PATH, NOTIFY_IFACE,
                                 "NotificationClosed", g_variant_new ("(uu)", id, 2), &error);
  g_assert_no_error (error);
  g_dbus_connection_flush_sync (self->connection, NULL, &error);
  g_assert_no_error (error);
}

static Notified *
fake_notifier_get (FakeNotifier *self,
                   guint         index)
{
  g_assert_cmpuint (index, <, self->notified->len);
  return g_ptr_array_index (self->notified, index);
}

/* ---- the app --------------------------------------------------------------------- */

typedef struct Fixture Fixture;
typedef gboolean (*StepFunc) (Fixture *f);

struct Fixture {
  char           *dir;
  CnApplication  *app;
  CnLogDialog    *dialog;
  char           *uuid;
  const StepFunc *steps;
  guint           step;
  gint64          step_started;
  gint64          waited_since;   /* a step that waits to see nothing more happen */
  FakeServer     *backend;        /* when set, the app listens to its events */
  FakeNotifier   *notifier;
};

#define UI_TEST_STEP_DONE(f) ((f)->waited_since = 0)
#include "ui-test-util.h"

/* TRUE once @ms have passed since the step first asked. */
static gboolean
waited (Fixture *f,
        guint    ms)
{
  if (f->waited_since == 0)
    f->waited_since = g_get_monotonic_time ();

  return g_get_monotonic_time () - f->waited_since >= (gint64) ms * 1000;
}

static void
run_app (Fixture        *f,
         const StepFunc *steps)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  char *argv[] = { (char *) "callnotes", NULL };

  if (f->backend != NULL)
    {
      g_settings_set_string (settings, "backend-url", fake_server_get_base_url (f->backend));
      g_settings_set_string (settings, "workspace-id", "w1");
    }

  run_steps (f, steps, 1, argv);
}

static Fixture *
fixture_new (void)
{
  Fixture *f = g_new0 (Fixture, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *keyring = NULL;

  f->dir = g_dir_make_tmp ("callnotes-notify-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("CALLNOTES_DATA_DIR", f->dir, TRUE);
  /* A keyring of the test's own: libsecret's file backend. */
  keyring = g_build_filename (f->dir, "keyring", NULL);
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "notifications", TRUE);

  /* Before the app starts: it sends its first notification at startup. */
  f->notifier = fake_notifier_new ();

  return f;
}

/* The team backend, with the token in the test's keyring. */
static void
fixture_add_backend (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  f->backend = fake_server_new (FAKE_BACKEND);
  fake_server_set_token (f->backend, TOKEN);
  /* A reconnect after the server ends the stream need not take 3 s. */
  fake_server_sse_set_mode (f->backend, FAKE_SSE_RETRY);
  fake_server_sse_set_retry_ms (f->backend, 200);
  g_assert_true (cn_secret_store_sync (CN_SECRET_BACKEND_TOKEN, TOKEN, NULL, &error));
  g_assert_no_error (error);
}

/* ---- a completed call ---------------------------------------------------------- */

/* As in CONTRACTS.md, "GET /api/events". */
#define CA11_EVENT \
  "id: 1043\n" \
  "event: call_completed\n" \
  "data: {\"workspace_id\":\"w1\",\"call_sid\":\"CA11\",\"status\":\"ANSWER\",\"duration_seconds\":135,\n" \
  "data:  \"phone\":\"+15551234567\",\"contact\":{\"id\":\"42\",\"name\":\"Jane Doe\"},\n" \
  "data:  \"recording_url\":\"" RECORDING_URL "\",\"direction\":\"outbound\",\n" \
  "data:  \"started_at\":\"2026-11-21T10:00:00Z\",\"ended_at\":\"2026-11-21T10:02:15Z\"}\n" \
  "\n"

/* The same call reported in another workspace. */
#define W2_EVENT \
  "id: 1044\n" \
  "event: call_completed\n" \
  "data: {\"workspace_id\":\"w2\",\"call_sid\":\"CA21\",\"status\":\"ANSWER\",\"duration_seconds\":30,\n" \
  "data:  \"phone\":\"+15559990000\",\"contact\":{\"id\":\"77\",\"name\":\"Other Team\"},\n" \
  "data:  \"recording_url\":\"https://rec.example.com/CA21.mp3\",\"direction\":\"outbound\",\n" \
  "data:  \"started_at\":\"2026-11-21T10:05:00Z\",\"ended_at\":\"2026-11-21T10:05:30Z\"}\n" \
  "\n"

/* A later call of our workspace without a recording: once its notification
 * is there, everything sent before it has been handled. */
#define CA12_EVENT \
  "id: 1045\n" \
  "event: call_completed\n" \
  "data: {\"workspace_id\":\"w1\",\"call_sid\":\"CA12\",\"status\":\"NOANSWER\",\"duration_seconds\":20,\n" \
  "data:  \"phone\":\"+15557654321\",\"contact\":null,\"recording_url\":null,\"direction\":\"outbound\",\n" \
  "data:  \"started_at\":\"2026-11-21T10:10:00Z\",\"ended_at\":\"2026-11-21T10:10:20Z\"}\n" \
  "\n"

static gboolean
step_stream_connected (Fixture *f)
{
  if (fake_server_sse_count_open (f->backend) < 1)
    return FALSE;

  /* Nothing was shown for merely connecting. */
  g_assert_cmpuint (f->notifier->notified->len, ==, 0);
  fake_server_sse_push (f->backend, CA11_EVENT, -1);
  return TRUE;
}

static gboolean
step_call_notified (Fixture *f)
{
  Notified *n;
  const char *desktop_entry = NULL;

  if (f->notifier->notified->len == 0)
    return FALSE;

  g_assert_cmpuint (f->notifier->notified->len, ==, 1);
  n = fake_notifier_get (f->notifier, 0);
  g_assert_cmpstr (n->summary, ==, "Call with Jane Doe ended");
  g_assert_cmpstr (n->body, ==, "Answered · 2m 15s");
  g_assert_cmpuint (n->replaces_id, ==, 0);

  /* The buttons, as GLib's freedesktop backend encodes them: the detailed
   * action name is the key. Clicking the notification itself logs too. */
  g_assert_cmpstr (notified_action_key (n, "Log Call"), ==, "app.log-call-from-event::CA11");
  g_assert_cmpstr (notified_action_key (n, "Listen"), ==, "app.open-recording::CA11");
  g_assert_true (notified_has_key (n, "default"));
  g_assert_cmpuint (g_strv_length (n->actions), ==, 6);

  g_assert_true (g_variant_lookup (n->hints, "desktop-entry", "&s", &desktop_entry));
  g_assert_cmpstr (desktop_entry, ==, APP_ID);

  /* No logger before the person asks for one. */
  g_assert_null (find_logger (f));

  fake_notifier_invoke (f->notifier, n->id, notified_action_key (n, "Log Call"));
  return TRUE;
}

static gboolean
step_logger_prefilled (Fixture *f)
{
  g_autoptr(CnCallLog) log = NULL;

  f->dialog = find_logger (f);
  if (f->dialog == NULL)
    return FALSE;

  g_object_add_weak_pointer (G_OBJECT (f->dialog), (gpointer *) &f->dialog);
  f->uuid = g_strdup (cn_log_dialog_get_uuid (f->dialog));
  log = cn_log_dialog_dup_log (f->dialog);
  g_assert_cmpint (cn_call_log_get_outcome (log), ==, CN_OUTCOME_CONNECTED);
  g_assert_cmpint (cn_call_log_get_duration (log), ==, 135);
  g_assert_cmpstr (cn_call_log_get_contact_name (log), ==, "Jane Doe");
  g_assert_cmpstr (cn_call_log_get_contact_id (log), ==, "42");
  g_assert_cmpstr (cn_call_log_get_phone (log), ==, "+15551234567");
  g_assert_cmpstr (cn_call_log_get_direction (log), ==, "outbound");
  g_assert_nonnull (cn_call_log_get_notes (log));
  g_assert_nonnull (strstr (cn_call_log_get_notes (log), RECORDING_URL));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (f->dialog)), ==, "Log Call — Jane Doe");

  /* Clicking a button does not show the notification again. */
  g_assert_cmpuint (f->notifier->notified->len, ==, 1);
  return TRUE;
}

static guint
count_loggers (Fixture *f)
{
  guint n = 0;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (f->app)); l; l = l->next)
    n += CN_IS_LOG_DIALOG (l->data);

  return n;
}

/* Log Call again (from the window's card, say) while its logger is open:
 * the same logger comes to the front, no second log of the call. */
static gboolean
step_log_call_twice (Fixture *f)
{
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "log-call-from-event",
                                  g_variant_new_string ("CA11"));
  g_assert_cmpuint (count_loggers (f), ==, 1);
  g_assert_true (find_logger (f) == f->dialog);
  g_assert_null (find_message (f));
  return TRUE;
}

static gboolean
step_save_with_ctrl_enter (Fixture *f)
{
  g_assert_nonnull (f->dialog);
  press_keys (GTK_WIDGET (f->dialog), "ctrl+Return", NULL);
  return TRUE;
}

static gboolean
step_saved_and_linked (Fixture *f)
{
  CnDatabase *db = cn_application_get_database (f->app);
  g_autoptr(CnStreamCall) call = NULL;
  g_autoptr(CnCallLog) log = NULL;

  if (f->dialog != NULL)
    return FALSE;

  call = cn_database_get_stream_call (db, "CA11", NULL);
  g_assert_nonnull (call);
  g_assert_true (call->completed);
  if (call->logged_uuid == NULL)
    return FALSE;

  g_assert_cmpstr (call->logged_uuid, ==, f->uuid);
  log = cn_database_get_call (db, f->uuid, NULL);
  g_assert_nonnull (log);
  g_assert_cmpint (cn_call_log_get_outcome (log), ==, CN_OUTCOME_CONNECTED);
  g_assert_cmpint (cn_call_log_get_duration (log), ==, 135);
  g_assert_cmpstr (cn_call_log_get_contact_id (log), ==, "42");
  g_assert_nonnull (strstr (cn_call_log_get_notes (log), RECORDING_URL));
  return TRUE;
}

/* The sync worker sends it to the team backend like any other log. */
static gboolean
step_reached_backend (Fixture *f)
{
  g_autofree char *record = fake_server_dup_record (f->backend, f->uuid);

  if (record == NULL)
    return FALSE;

  g_assert_cmpuint (fake_server_count_records (f->backend), ==, 1);
  g_assert_nonnull (strstr (record, "\"outcome\":\"connected\""));
  g_assert_nonnull (strstr (record, "\"duration_seconds\":135"));
  g_assert_nonnull (strstr (record, "\"contact_id\":\"42\""));
  g_assert_nonnull (strstr (record, "CA11.mp3"));
  return TRUE;
}

/* Logging the same call again asks first. */
static gboolean
step_log_again (Fixture *f)
{
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "log-call-from-event",
                                  g_variant_new_string ("CA11"));
  return TRUE;
}

/* An event of another workspace, then the stream ends and the server
 * sends its whole backlog again on the reconnect (CA11's event too). */
static gboolean
step_other_workspace_and_replay (Fixture *f)
{
  g_assert_null (find_logger (f));
  fake_server_sse_set_replay_all (f->backend, TRUE);
  fake_server_sse_push (f->backend, W2_EVENT, -1);
  fake_server_sse_close_all (f->backend);
  return TRUE;
}

static gboolean
step_reconnected (Fixture *f)
{
  if (fake_server_sse_count_connections (f->backend) < 2 || fake_server_sse_count_open (f->backend) < 1)
    return FALSE;

  fake_server_sse_push (f->backend, CA12_EVENT, -1);
  return TRUE;
}

static gboolean
step_only_the_new_call_notified (Fixture *f)
{
  Notified *n;

  if (f->notifier->notified->len < 2)
    return FALSE;

  /* CA11 again and the other workspace's call showed nothing: the next
   * notification is the next call's. */
  n = fake_notifier_get (f->notifier, 1);
  g_assert_cmpstr (n->summary, ==, "Call with +15557654321 ended");
  g_assert_cmpstr (n->body, ==, "No answer · 20s");
  g_assert_cmpstr (notified_action_key (n, "Log Call"), ==, "app.log-call-from-event::CA12");
  g_assert_null (notified_action_key (n, "Listen"));
  return TRUE;
}

static gboolean
step_nothing_more (Fixture *f)
{
  CnDatabase *db = cn_application_get_database (f->app);
  g_autoptr(CnStreamCall) other = NULL;
  g_autoptr(CnStreamCall) call = NULL;

  if (!waited (f, 1000))
    return FALSE;

  for (guint i = 0; i < f->notifier->notified->len; i++)
    g_test_message ("notified: %s", fake_notifier_get (f->notifier, i)->summary);
  g_assert_cmpuint (f->notifier->notified->len, ==, 2);

  /* The other workspace's call was not stored; ours is still linked. */
  other = cn_database_get_stream_call (db, "CA21", NULL);
  g_assert_null (other);
  call = cn_database_get_stream_call (db, "CA11", NULL);
  g_assert_cmpstr (call->logged_uuid, ==, f->uuid);
  return TRUE;
}

static const StepFunc call_steps[] = {
  step_stream_connected,
  step_call_notified,
  step_logger_prefilled,
  step_log_call_twice,
  step_save_with_ctrl_enter,
  step_saved_and_linked,
  step_reached_backend,
  step_log_again,
  ui_step_log_again_asks,
  step_other_workspace_and_replay,
  step_reconnected,
  step_only_the_new_call_notified,
  step_nothing_more,
  NULL
};

static void
test_call_completed (void)
{
  Fixture *f;

  if (!in_own_process (90))
    return;

  f = fixture_new ();
  fixture_add_backend (f);
  run_app (f, call_steps);
  g_assert_cmpuint (f->step, ==, G_N_ELEMENTS (call_steps) - 1);

  /* The reconnect said where the app had got to. */
  {
    g_autoptr(GPtrArray) requests = fake_server_get_requests (f->backend);
    guint n_events = 0;

    for (guint i = 0; i < requests->len; i++)
      {
        FakeRequest *request = g_ptr_array_index (requests, i);

        if (!g_str_equal (request->path, "/api/events"))
          continue;
        g_assert_cmpstr (request->query, ==, "workspace=w1");
        if (n_events++ == 1)
          g_assert_nonnull (g_hash_table_lookup (request->headers, "last-event-id"));
      }
    g_assert_cmpuint (n_events, >=, 2);
  }
}

/* ---- a follow-up that fell due while Callnotes was closed ------------------------- */

static gboolean
step_follow_up_notified (Fixture *f)
{
  g_autofree char *snooze_key = NULL;
  Notified *n;

  if (f->notifier->notified->len == 0)
    return FALSE;

  g_assert_cmpuint (f->notifier->notified->len, ==, 1);
  n = fake_notifier_get (f->notifier, 0);
  g_assert_cmpstr (n->summary, ==, "Follow up with Jane Doe");
  g_assert_true (g_str_has_prefix (n->body, "Overdue since "));
  g_assert_nonnull (strstr (n->body, "Asked to call back after lunch"));
  g_assert_cmpstr (notified_action_key (n, "Call Now"), ==, "app.dial('+15551234567')");
  snooze_key = g_strdup_printf ("app.snooze-follow-up::%s", f->uuid);
  g_assert_cmpstr (notified_action_key (n, "Snooze 10 Minutes"), ==, snooze_key);

  fake_notifier_invoke (f->notifier, n->id, snooze_key);
  return TRUE;
}

static gboolean
step_snoozed (Fixture *f)
{
  CnDatabase *db = cn_application_get_database (f->app);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(GPtrArray) due_now = cn_database_list_due_reminders (db, now, NULL);
  g_autoptr(GPtrArray) due_later = cn_database_list_due_reminders (db, now + 11 * 60, NULL);
  g_autoptr(GPtrArray) due_soon = cn_database_list_due_reminders (db, now + 9 * 60, NULL);

  g_assert_nonnull (due_now);
  g_assert_nonnull (due_later);
  g_assert_nonnull (due_soon);
  if (due_later->len == 0)
    return FALSE;

  /* Due again in ten minutes, not before. */
  g_assert_cmpuint (due_later->len, ==, 1);
  g_assert_cmpstr (cn_call_log_get_uuid (((CnFollowUp *) g_ptr_array_index (due_later, 0))->log),
                   ==, f->uuid);
  g_assert_cmpuint (due_now->len, ==, 0);
  g_assert_cmpuint (due_soon->len, ==, 0);
  return TRUE;
}

static gboolean
step_not_shown_again (Fixture *f)
{
  if (!waited (f, 1500))
    return FALSE;

  for (guint i = 0; i < f->notifier->notified->len; i++)
    g_test_message ("notified: %s", fake_notifier_get (f->notifier, i)->summary);
  g_assert_cmpuint (f->notifier->notified->len, ==, 1);
  return TRUE;
}

static const StepFunc follow_up_steps[] = {
  step_follow_up_notified,
  step_snoozed,
  step_not_shown_again,
  NULL
};

static void
test_follow_up_overdue (void)
{
  Fixture *f;

  if (!in_own_process (60))
    return;

  f = fixture_new ();

  /* Logged yesterday, with a follow-up an hour ago. */
  {
    g_autoptr(CnDatabase) db = open_db (f);
    g_autoptr(CnCallLog) log = cn_call_log_new_with_uuid ();
    g_autoptr(GError) error = NULL;
    gint64 now = g_get_real_time () / G_USEC_PER_SEC;

    cn_call_log_set_contact_id (log, "42");
    cn_call_log_set_contact_name (log, "Jane Doe");
    cn_call_log_set_phone (log, "+15551234567");
    cn_call_log_set_phone_raw (log, "+1 555 123 4567");
    cn_call_log_set_outcome (log, CN_OUTCOME_VOICEMAIL);
    cn_call_log_set_notes (log, "Asked to call back after lunch\nShe wants the new price list.");
    cn_call_log_set_created_at (log, now - 24 * 3600);
    cn_call_log_set_updated_at (log, now - 24 * 3600);
    cn_call_log_set_follow_up (log, now - 3600);
    g_assert_true (cn_database_insert_call (db, log, NULL, 0, &error));
    g_assert_no_error (error);
    f->uuid = g_strdup (cn_call_log_get_uuid (log));
  }

  run_app (f, follow_up_steps);
  g_assert_cmpuint (f->step, ==, G_N_ELEMENTS (follow_up_steps) - 1);
}

/* The test's server needs the name for itself: a desktop session's daemon
 * holds it. */
static gboolean
notification_server_running (void)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  if (bus == NULL)
    return FALSE;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", NOTIFY_IFACE), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);

  return owned;
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DISPLAY") == NULL)
    {
      g_test_skip ("needs an X display (run under xvfb-run, as build-aux/dev test does)");
      return g_test_run ();
    }
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("needs a session bus of its own (run under dbus-run-session)");
      return g_test_run ();
    }
  if (!g_test_subprocess () && notification_server_running ())
    {
      g_test_skip ("a notification server runs on this session bus (run under dbus-run-session)");
      return g_test_run ();
    }

  g_test_add_func ("/notifications/call-completed", test_call_completed);
  g_test_add_func ("/notifications/follow-up-overdue", test_follow_up_overdue);

  return g_test_run ();
}
