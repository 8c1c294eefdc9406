/* test-log-call-tool-dbus.c: the log_call tool on the running app's D-Bus name
 *
 * The real application runs in-process under Xvfb, owning its bus name on
 * the test's private session bus, with the history window open. On a
 * connection of its own, as an assistant in the desktop session would, the
 * test calls io.github.callnotes.Callnotes.Tool: Schema() is the tool's one
 * definition; Call() with valid arguments answers only after the save, and
 * by then the history window's model lists the new log (no waiting for the
 * window's poll) and the database holds it with its "logged" event and its
 * sync job; invalid arguments are a D-Bus InvalidArguments error whose
 * message is the JSON error naming the field, and log nothing. A tel: link
 * opens a logger; Context() then names that call (number, contact, when it
 * started), and so does `callnotes tool context` run as a separate process,
 * which asks the running app.
 *
 * The same call logged twice: Call() for the number of that open logger,
 * untouched, closes it and drops its draft (one log of the call). A logger
 * of another number with notes typed stays, with its notes and a notice
 * that the assistant logged the call; Discard Mine (Alt+D) closes it and
 * the call has exactly one log. Edit on a history row holds its log
 * against the Keep History purge until the editor closes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "cn-application.h"
#include "cn-log-call-tool.h"
#include "cn-log-dialog.h"
#include "cn-outbox.h"
#include "cn-retention.h"
#include "cn-tool-service.h"

typedef struct Fixture Fixture;
typedef gboolean (*StepFunc) (Fixture *f);

struct Fixture {
  char            *dir;
  CnApplication   *app;
  const StepFunc  *steps;
  guint            step;
  gint64           step_started;

  GDBusConnection *bus;            /* the assistant's own connection */
  gboolean         waiting;        /* a call of this step is under way */
  GVariant        *reply;          /* of the last call */
  GError          *error;          /* of the last call */
  char            *uuid;           /* logged through Call() */
  gint             position_at_reply;
  guint            rows_before;
  CnLogDialog     *logger;
  gboolean         pressed;        /* step_type_notes pressed Alt+N… */
  GtkWidget       *focus_at_press; /* …when this had the focus */
  char            *cli_out;
  int              cli_status;
  gboolean         cli_done;
};

#define UI_TEST_STEP_DONE(f) ((f)->waiting = FALSE)
#include "ui-test-util.h"

#define TOOL_PATH "/io/github/callnotes/Callnotes" CN_TOOL_SERVICE_PATH_SUFFIX

static CnWindow *
history (Fixture *f)
{
  return cn_application_get_main_window (f->app);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_data (parser, text, -1, &error))
    g_error ("not JSON (%s): %s", error->message, text);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return json_node_copy (json_parser_get_root (parser));
}

static void
on_reply (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Fixture *f = user_data;

  g_clear_pointer (&f->reply, g_variant_unref);
  g_clear_error (&f->error);
  f->reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &f->error);

  /* Call() answered: the history must list the log already. */
  if (f->reply != NULL && f->uuid == NULL && g_variant_is_of_type (f->reply, G_VARIANT_TYPE ("(s)")))
    {
      const char *text;
      g_autoptr(JsonNode) root = NULL;
      JsonObject *object;

      g_variant_get (f->reply, "(&s)", &text);
      root = parse_json (text);
      object = json_node_get_object (root);
      if (json_object_has_member (object, "ok") && json_object_get_boolean_member (object, "ok"))
        {
          f->uuid = g_strdup (json_object_get_string_member (object, "uuid"));
          f->position_at_reply = cn_call_log_model_find (cn_window_get_model (history (f)),
                                                         f->uuid);
        }
    }

  f->waiting = FALSE;
}

/* Starts @method once per step; TRUE once it answered. */
static gboolean
call_tool (Fixture    *f,
           const char *method,
           GVariant   *parameters)
{
  static guint started_step = G_MAXUINT;

  if (started_step != f->step)
    {
      started_step = f->step;
      f->waiting = TRUE;
      g_dbus_connection_call (f->bus, APP_ID, TOOL_PATH, CN_TOOL_SERVICE_INTERFACE, method,
                              parameters, G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
                              10000, NULL, on_reply, f);
      return FALSE;
    }

  if (parameters != NULL)
    g_variant_unref (g_variant_ref_sink (parameters));

  return !f->waiting;
}

/* ---- steps ------------------------------------------------------------------ */

static gboolean
step_show_history (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;

  gtk_window_present (GTK_WINDOW (history (f)));

  address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  f->bus = g_dbus_connection_new_for_address_sync (address,
                                                   G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                   G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                   NULL, NULL, &error);
  g_assert_no_error (error);
  return TRUE;
}

static gboolean
step_schema (Fixture *f)
{
  const char *schema;

  if (!call_tool (f, "Schema", NULL))
    return FALSE;

  g_assert_no_error (f->error);
  g_variant_get (f->reply, "(&s)", &schema);
  g_assert_cmpstr (schema, ==, cn_log_call_tool_get_schema ());
  f->rows_before = g_list_model_get_n_items (G_LIST_MODEL (cn_window_get_model (history (f))));
  return TRUE;
}

static gboolean
step_call (Fixture *f)
{
  const char *arguments = "{\"phone\": \"+1 555 000 2222\", \"contactName\": \"Tool Caller\", "
                          "\"contactId\": \"77\", \"outcome\": \"connected\", "
                          "\"notes\": \"Logged by the assistant\"}";

  if (!call_tool (f, "Call", g_variant_new ("(s)", arguments)))
    return FALSE;

  g_assert_no_error (f->error);
  g_assert_nonnull (f->uuid);
  g_assert_true (g_uuid_string_is_valid (f->uuid));
  /* Listed at the top the moment the reply came. */
  g_assert_cmpint (f->position_at_reply, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (cn_window_get_model (history (f)))),
                    ==, f->rows_before + 1);
  return TRUE;
}

static gboolean
step_saved_like_a_dialog (Fixture *f)
{
  g_autoptr(CnDatabase) db = open_db (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(CnCallLog) log = cn_database_get_call (db, f->uuid, &error);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) jobs = NULL;
  g_autoptr(CnCallLog) row = g_list_model_get_item (G_LIST_MODEL (cn_window_get_model (history (f))),
                                                    0);

  g_assert_no_error (error);
  g_assert_cmpstr (cn_call_log_get_phone (log), ==, "+15550002222");
  g_assert_cmpstr (cn_call_log_get_contact_name (log), ==, "Tool Caller");
  g_assert_cmpstr (cn_call_log_get_contact_id (log), ==, "77");
  g_assert_cmpint (cn_call_log_get_outcome (log), ==, CN_OUTCOME_CONNECTED);
  g_assert_cmpstr (cn_call_log_get_notes (log), ==, "Logged by the assistant");
  g_assert_cmpint (cn_call_log_get_revision (log), ==, 1);
  g_assert_cmpstr (cn_call_log_get_uuid (row), ==, f->uuid);

  events = cn_database_list_events (db, f->uuid, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpstr (((CnCallEvent *) g_ptr_array_index (events, 0))->kind, ==, "logged");

  /* Queued for the backend (the default target), as a dialog's save is;
   * the jobs may follow the commit by a moment. */
  jobs = cn_database_list_jobs_for_call (db, f->uuid, &error);
  g_assert_no_error (error);
  return jobs->len == 1;
}

static gboolean
step_call_invalid (Fixture *f)
{
  const char *arguments = "{\"phone\": \"+15550002222\", \"outcome\": \"maybe\"}";
  g_autofree char *remote = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *error;

  if (!call_tool (f, "Call", g_variant_new ("(s)", arguments)))
    return FALSE;

  g_assert_null (f->reply);
  g_assert_nonnull (f->error);
  remote = g_dbus_error_get_remote_error (f->error);
  g_assert_cmpstr (remote, ==, CN_TOOL_SERVICE_ERROR_INVALID_ARGUMENTS);
  g_dbus_error_strip_remote_error (f->error);
  root = parse_json (f->error->message);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (root), "ok"));
  error = json_object_get_object_member (json_node_get_object (root), "error");
  g_assert_cmpstr (json_object_get_string_member (error, "field"), ==, "outcome");
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "bad_enum");

  /* Nothing was logged. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (cn_window_get_model (history (f)))),
                    ==, f->rows_before + 1);
  return TRUE;
}

static gboolean
step_dial (Fixture *f)
{
  cn_application_handle_link (f->app, "tel:+1-555-000-3333;x-contact-name=Dana%20Scully", -1);
  return TRUE;
}

static gboolean
step_logger_appears (Fixture *f)
{
  f->logger = find_logger (f);
  return f->logger != NULL;
}

static void
assert_logging_context (Fixture    *f,
                        const char *text)
{
  g_autoptr(JsonNode) root = parse_json (text);
  JsonObject *object = json_node_get_object (root);

  g_assert_cmpstr (json_object_get_string_member (object, "state"), ==, "logging");
  g_assert_cmpstr (json_object_get_string_member (object, "uuid"), ==,
                   cn_log_dialog_get_uuid (f->logger));
  g_assert_cmpstr (json_object_get_string_member (object, "phone"), ==, "+15550003333");
  g_assert_cmpstr (json_object_get_string_member (object, "phone_raw"), ==,
                   "tel:+1-555-000-3333;x-contact-name=Dana%20Scully");
  g_assert_cmpstr (json_object_get_string_member (object, "contact_name"), ==, "Dana Scully");
  g_assert_true (json_object_get_null_member (object, "contact_id"));
  g_assert_true (g_str_has_suffix (json_object_get_string_member (object, "started_at"), "Z"));
  g_assert_cmpint (json_object_get_int_member (object, "seconds_since"), >=, 0);
  g_assert_cmpint (json_object_get_int_member (object, "seconds_since"), <, TIMEOUT_S);
}

static gboolean
step_context (Fixture *f)
{
  const char *text;

  if (!call_tool (f, "Context", NULL))
    return FALSE;

  g_assert_no_error (f->error);
  g_variant_get (f->reply, "(&s)", &text);
  assert_logging_context (f, text);
  return TRUE;
}

static void
on_cli_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Fixture *f = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &f->cli_out, NULL,
                                        &error);
  g_assert_no_error (error);
  f->cli_status = g_subprocess_get_exit_status (G_SUBPROCESS (source));
  f->cli_done = TRUE;
}

/* `callnotes tool context` in a process of its own asks the running app. */
static gboolean
step_cli_context (Fixture *f)
{
  if (!f->waiting && !f->cli_done)
    {
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *other_data = g_build_filename (f->dir, "elsewhere", NULL);
      g_autoptr(GSubprocessLauncher) launcher =
        g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);

      /* Its own database is empty: what it prints came from the app. */
      g_subprocess_launcher_setenv (launcher, "CALLNOTES_DATA_DIR", other_data, TRUE);
      process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("CALLNOTES_BIN"),
                                             "tool", "context", NULL);
      g_assert_no_error (error);
      f->waiting = TRUE;
      g_subprocess_communicate_utf8_async (process, NULL, NULL, on_cli_done, f);
      return FALSE;
    }

  if (!f->cli_done)
    return FALSE;

  g_assert_cmpint (f->cli_status, ==, 0);
  assert_logging_context (f, f->cli_out);
  return TRUE;
}

/* ---- the same call logged by the assistant and in a logger ------------------- */

static gboolean
logger_is_open (Fixture *f)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (f->app)); l; l = l->next)
    if (l->data == (gpointer) f->logger)
      return TRUE;

  return FALSE;
}

/* The logs of @phone in the history window's model. */
static guint
count_in_model (Fixture    *f,
                const char *phone)
{
  GListModel *model = G_LIST_MODEL (cn_window_get_model (history (f)));
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CnCallLog) log = g_list_model_get_item (model, i);

      n += g_strcmp0 (cn_call_log_get_phone (log), phone) == 0;
    }

  return n;
}

/* The logs of @phone in the database. */
static guint
count_in_database (Fixture    *f,
                   const char *phone)
{
  g_autoptr(CnDatabase) db = open_db (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) logs = cn_database_query_calls (db, NULL, 0, 100, &error);
  guint n = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < logs->len; i++)
    n += g_strcmp0 (cn_call_log_get_phone (g_ptr_array_index (logs, i)), phone) == 0;

  return n;
}

static guint
count_drafts (Fixture *f)
{
  g_autoptr(CnDatabase) db = open_db (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) drafts = cn_database_list_drafts (db, &error);

  g_assert_no_error (error);
  return drafts->len;
}

/* The logger of Dana's call (step_dial) is still open, nothing entered; its
 * draft is kept. */
static gboolean
step_untouched_logger_has_draft (Fixture *f)
{
  g_autoptr(CnCallLog) shown = cn_log_dialog_dup_log (f->logger);

  g_assert_true (find_logger (f) == f->logger);
  g_assert_cmpint (cn_call_log_get_outcome (shown), ==, CN_OUTCOME_NONE);
  g_assert_null (cn_call_log_get_notes (shown));
  g_clear_pointer (&f->uuid, g_free);
  return count_drafts (f) == 1;
}

static gboolean
step_call_untouched (Fixture *f)
{
  const char *arguments = "{\"phone\": \"+1 555 000 3333\", \"contactName\": \"Dana Scully\", "
                          "\"outcome\": \"voicemail\", \"notes\": \"Left a message\"}";

  if (!call_tool (f, "Call", g_variant_new ("(s)", arguments)))
    return FALSE;

  g_assert_no_error (f->error);
  g_assert_nonnull (f->uuid);
  return TRUE;
}

/* The logger closed by itself, its draft went: the call has one log. */
static gboolean
step_untouched_logger_closed (Fixture *f)
{
  if (logger_is_open (f) || count_drafts (f) > 0)
    return FALSE;

  g_assert_null (find_logger (f));
  g_assert_cmpuint (count_in_model (f, "+15550003333"), ==, 1);
  g_assert_cmpuint (count_in_database (f, "+15550003333"), ==, 1);
  return TRUE;
}

static gboolean
step_dial_other (Fixture *f)
{
  f->logger = NULL;
  cn_application_handle_link (f->app, "tel:+1-555-000-4444", -1);
  return TRUE;
}

static gboolean
step_other_logger_appears (Fixture *f)
{
  f->logger = find_logger (f);
  return f->logger != NULL;
}

/* Alt+N is the Notes label's mnemonic, and also Copy Number's, shown as
 * dialing is off: pressed again, once the last press moved the focus, until
 * the notes have it. */
static gboolean
step_type_notes (Fixture *f)
{
  GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (f->logger));

  if (!GTK_IS_TEXT_VIEW (focus))
    {
      if (f->pressed && focus == f->focus_at_press)
        return FALSE;
      f->pressed = TRUE;
      f->focus_at_press = focus;
      press_keys (GTK_WIDGET (f->logger), "alt+n", NULL);
      return FALSE;
    }

  press_keys (GTK_WIDGET (f->logger), "type:Mine first", NULL);
  return TRUE;
}

static gboolean
step_notes_typed (Fixture *f)
{
  g_autoptr(CnCallLog) shown = cn_log_dialog_dup_log (f->logger);

  if (g_strcmp0 (cn_call_log_get_notes (shown), "Mine first") != 0)
    return FALSE;

  g_clear_pointer (&f->uuid, g_free);
  return TRUE;
}

static gboolean
step_call_typed (Fixture *f)
{
  const char *arguments = "{\"phone\": \"+15550004444\", \"outcome\": \"connected\", "
                          "\"notes\": \"The assistant's notes\"}";
  g_autoptr(CnCallLog) shown = NULL;

  if (!call_tool (f, "Call", g_variant_new ("(s)", arguments)))
    return FALSE;

  g_assert_no_error (f->error);
  g_assert_nonnull (f->uuid);

  /* The agent's logger stays, with what was typed, and says why. */
  g_assert_true (find_logger (f) == f->logger);
  shown = cn_log_dialog_dup_log (f->logger);
  g_assert_cmpstr (cn_call_log_get_notes (shown), ==, "Mine first");
  g_assert_nonnull (cn_log_dialog_get_notice (f->logger));
  g_assert_true (strstr (cn_log_dialog_get_notice (f->logger), "assistant") != NULL);
  g_assert_cmpuint (count_in_database (f, "+15550004444"), ==, 1);
  return TRUE;
}

/* Alt+D: Discard Mine. */
static gboolean
step_discard_mine (Fixture *f)
{
  press_keys (GTK_WIDGET (f->logger), "alt+d", NULL);
  return TRUE;
}

static gboolean
step_typed_logger_closed (Fixture *f)
{
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(CnCallLog) log = NULL;
  g_autoptr(GError) error = NULL;

  if (logger_is_open (f) || count_drafts (f) > 0)
    return FALSE;

  /* No confirmation asked: the button said what it does. */
  g_assert_null (find_message (f));
  g_assert_cmpuint (count_in_database (f, "+15550004444"), ==, 1);
  db = open_db (f);
  log = cn_database_get_call (db, f->uuid, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cn_call_log_get_notes (log), ==, "The assistant's notes");
  return TRUE;
}

/* Edit on the assistant's log: held while the editor is open. */
static gboolean
step_edit (Fixture *f)
{
  CnDatabase *db = cn_application_get_database (f->app);

  g_assert_false (cn_database_is_call_held (db, f->uuid));
  f->logger = NULL;
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "edit-call",
                                  g_variant_new_string (f->uuid));
  return TRUE;
}

static gboolean
step_editor_holds (Fixture *f)
{
  f->logger = find_logger (f);
  if (f->logger == NULL)
    return FALSE;

  g_assert_cmpstr (cn_log_dialog_get_uuid (f->logger), ==, f->uuid);
  g_assert_true (cn_database_is_call_held (cn_application_get_database (f->app), f->uuid));
  gtk_window_close (GTK_WINDOW (f->logger));
  return TRUE;
}

static gboolean
step_editor_released (Fixture *f)
{
  if (logger_is_open (f))
    return FALSE;

  g_assert_false (cn_database_is_call_held (cn_application_get_database (f->app), f->uuid));
  return TRUE;
}

static const StepFunc steps[] = {
  step_show_history,
  step_schema,
  step_call,
  step_saved_like_a_dialog,
  step_call_invalid,
  step_dial,
  step_logger_appears,
  step_context,
  step_cli_context,
  step_untouched_logger_has_draft,
  step_call_untouched,
  step_untouched_logger_closed,
  step_dial_other,
  step_other_logger_appears,
  step_type_notes,
  step_notes_typed,
  step_call_typed,
  step_discard_mine,
  step_typed_logger_closed,
  step_edit,
  step_editor_holds,
  step_editor_released,
  NULL
};

static void
test_dbus_tool (void)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  Fixture *f;
  char *argv[] = { (char *) "callnotes", NULL };

  if (!in_own_process (120))
    return;

  /* A Callnotes already on this bus (a developer's session) would get the
   * start-up instead. */
  {
    g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
    g_autoptr(GVariant) owned = NULL;
    gboolean has_owner;

    g_assert_no_error (error);
    owned = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                         "org.freedesktop.DBus", "NameHasOwner",
                                         g_variant_new ("(s)", APP_ID), G_VARIANT_TYPE ("(b)"),
                                         G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
    g_assert_no_error (error);
    g_variant_get (owned, "(b)", &has_owner);
    if (has_owner)
      {
        g_test_skip ("io.github.callnotes.Callnotes already runs on this D-Bus session");
        return;
      }
  }

  f = g_new0 (Fixture, 1);
  f->dir = g_dir_make_tmp ("callnotes-tool-ui-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("CALLNOTES_DATA_DIR", f->dir, TRUE);
  f->position_at_reply = -1;

  settings = g_settings_new (APP_ID);
  g_settings_set_string (settings, "dialer", "none");
  g_settings_set_uint (settings, "dial-delay-ms", 0);

  /* Unique, so it owns io.github.callnotes.Callnotes as it does for the
   * person (the UI tests do not run in parallel). */
  f->app = cn_application_new ();
  f->steps = steps;
  f->step_started = g_get_monotonic_time ();
  g_timeout_add (STEP_INTERVAL_MS, on_step, f);
  g_assert_cmpint (g_application_run (G_APPLICATION (f->app), 1, argv), ==, 0);
  g_assert_null (f->steps[f->step]);

  g_clear_object (&f->bus);
  g_clear_object (&f->app);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tool/dbus/call-context-history", test_dbus_tool);

  return g_test_run ();
}
