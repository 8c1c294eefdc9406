/* cn-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-application"

#include "config.h"

#include <glib/gi18n.h>
#include <gio/gdesktopappinfo.h>

#include "cn-application.h"
#include "cn-background.h"
#include "cn-dialer.h"
#include "cn-export-action.h"
#include "cn-event-stream.h"
#include "cn-format.h"
#include "cn-live-store.h"
#include "cn-log-dialog.h"
#include "cn-preferences-window.h"
#include "cn-reminders.h"
#include "cn-retention.h"
#include "cn-settings.h"
#include "cn-sync-worker.h"
#include "cn-tel-uri.h"
#include "cn-tool-service.h"

/* While the sync lock is held by another process (`callnotes sync`), the
 * app tries to take over this often. */
#define SYNC_LOCK_RETRY_SECONDS 5
/* While a target is paused for its credentials, they are read again this
 * often: `callnotes secret set` in a terminal also resumes it. */
#define SYNC_CREDENTIALS_RECHECK_SECONDS 30
/* Keep History: the first purge comes this long after start-up (or after
 * the setting changed), then one a day while running. */
#define RETENTION_START_DELAY_SECONDS 5
#define RETENTION_INTERVAL_SECONDS    (24 * 60 * 60)

struct _CnApplication
{
  AdwApplication  parent_instance;

  CnDatabase     *database;
  GSettings      *settings;
  GHashTable     *loggers;        /* uuid → CnLogDialog (not owned) */
  GError         *open_error;     /* why the database could not be opened */
  gboolean        drafts_restored;

  CnSyncWorker   *sync_worker;
  CnEventStream  *event_stream;
  CnReminders    *reminders;
  gboolean        start_hidden;    /* started with --background */
  gboolean        held;            /* kept running without a window */
  GHashTable     *event_loggers;   /* uuid of a logger opened from an event → call SID */
  GCancellable   *sync_cancellable;  /* config loads */
  guint           sync_lock_retry_id;
  guint           sync_recheck_id;
  guint           retention_id;           /* the next purge */
  GCancellable   *retention_cancellable;  /* of the purge under way, else NULL */
  CnToolService  *tool_service;    /* the log_call tool on D-Bus */
};

G_DEFINE_FINAL_TYPE (CnApplication, cn_application, ADW_TYPE_APPLICATION)

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* ---- messages ------------------------------------------------------------- */

static void
show_message (CnApplication *self,
              const char    *heading,
              const char    *body)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *dialog;

  if (parent == NULL && self->database != NULL)
    {
      parent = GTK_WINDOW (cn_application_get_main_window (self));
      gtk_window_present (parent);
    }

  dialog = adw_message_dialog_new (parent, heading, body);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_set_modal (GTK_WINDOW (dialog), parent != NULL);
  if (parent == NULL)
    gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- loggers -------------------------------------------------------------- */

/* The history window when it is open, else NULL. */
static CnWindow *
find_main_window (CnApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (CN_IS_WINDOW (l->data))
      return l->data;

  return NULL;
}

static void
on_logger_saved (CnLogDialog   *dialog,
                 CnCallLog     *log,
                 CnApplication *self)
{
  CnWindow *window = find_main_window (self);
  const char *call_sid = g_hash_table_lookup (self->event_loggers, cn_call_log_get_uuid (log));

  if (self->reminders != NULL)
    cn_reminders_check (self->reminders);

  /* Logged from a completed-call event: the event's call says so. */
  if (call_sid != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!cn_database_link_stream_call (self->database, call_sid, cn_call_log_get_uuid (log),
                                         &error))
        g_message ("Could not link call %s to its log: %s", call_sid, error->message);
      g_hash_table_remove (self->event_loggers, cn_call_log_get_uuid (log));
    }

  if (window != NULL)
    {
      g_autofree char *title = NULL;

      cn_window_refresh (window);
      cn_window_select_log (window, cn_call_log_get_uuid (log));
      /* Translators: %s is a contact name or phone number */
      title = g_strdup_printf (_("Call with %s logged"), cn_call_log_get_display_name (log));
      cn_window_add_toast (window, adw_toast_new (title));
    }
}

static CnLogDialog *
open_logger (CnApplication *self,
             const CnDraft *draft,
             const char    *dial_problem)
{
  const char *uuid = cn_call_log_get_uuid (draft->log);
  CnLogDialog *dialog = g_hash_table_lookup (self->loggers, uuid);

  if (dialog == NULL)
    {
      /* An editor's log is not purged under it (Keep History), also before
       * anything is typed (no draft yet); window_removed lets it go. */
      if (draft->editing)
        cn_database_hold_call (self->database, uuid);
      dialog = cn_log_dialog_new (GTK_APPLICATION (self), self->database, draft);
      g_hash_table_insert (self->loggers, g_strdup (uuid), dialog);
      g_signal_connect_object (dialog, "saved", G_CALLBACK (on_logger_saved), self, 0);
      /* Opened from an event, or restored from the draft of such a logger:
       * its save links the call. */
      if (cn_log_dialog_get_call_sid (dialog) != NULL)
        g_hash_table_replace (self->event_loggers, g_strdup (uuid),
                              g_strdup (cn_log_dialog_get_call_sid (dialog)));
    }

  cn_log_dialog_set_dial_problem (dialog, dial_problem);
  gtk_window_present (GTK_WINDOW (dialog));

  return dialog;
}

static void
restore_drafts (CnApplication *self)
{
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GError) error = NULL;

  if (self->drafts_restored || self->database == NULL)
    return;
  self->drafts_restored = TRUE;

  drafts = cn_database_list_drafts (self->database, &error);
  if (drafts == NULL)
    {
      g_warning ("Could not read drafts: %s", error->message);
      return;
    }

  for (guint i = 0; i < drafts->len; i++)
    open_logger (self, g_ptr_array_index (drafts, i), NULL);
}

/* ---- links ---------------------------------------------------------------- */

/* Work for later that keeps the app alive until it ran. */
typedef void (*LaterFunc) (CnApplication *self,
                           gpointer       data);

typedef struct {
  CnApplication  *app;
  LaterFunc       func;
  gpointer        data;
  GDestroyNotify  free_data;
} Later;

static void
later_free (Later *later)
{
  g_application_release (G_APPLICATION (later->app));
  g_object_unref (later->app);
  if (later->free_data != NULL)
    later->free_data (later->data);
  g_free (later);
}

static gboolean
on_later (gpointer user_data)
{
  Later *later = user_data;

  later->func (later->app, later->data);
  return G_SOURCE_REMOVE;
}

static void
run_later (CnApplication  *self,
           guint           delay_ms,
           LaterFunc       func,
           gpointer        data,
           GDestroyNotify  free_data)
{
  Later *later = g_new0 (Later, 1);

  later->app = g_object_ref (self);
  later->func = func;
  later->data = data;
  later->free_data = free_data;

  g_application_hold (G_APPLICATION (self));
  if (delay_ms == 0)
    g_idle_add_full (G_PRIORITY_HIGH_IDLE, on_later, later, (GDestroyNotify) later_free);
  else
    g_timeout_add_full (G_PRIORITY_DEFAULT, delay_ms, on_later, later,
                        (GDestroyNotify) later_free);
}

typedef struct {
  CnApplication *app;
  CnDraft       *draft;
  char          *dial_problem;
  gint64         due;          /* monotonic time the logger should appear */
} PendingLogger;

static void
pending_logger_free (PendingLogger *pending)
{
  g_clear_object (&pending->app);
  cn_draft_free (pending->draft);
  g_free (pending->dial_problem);
  g_free (pending);
}

static void show_pending_logger (CnApplication *self,
                                 gpointer       data);

/* The first draft of a dialed call is written by the store's worker (a busy
 * disk must not hold up the next link); the logger appears once it is
 * written and the dial delay has passed, so no later draft write of the
 * dialog can land before it. */
static void
on_first_draft_saved (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  PendingLogger *pending = user_data;
  CnApplication *self = pending->app;
  gint64 remaining = pending->due - g_get_monotonic_time ();
  g_autoptr(GError) error = NULL;

  if (!cn_database_save_draft_finish (CN_DATABASE (source), result, &error))
    g_message ("Could not keep a draft of the call: %s", error->message);

  run_later (self, remaining > 0 ? (guint) (remaining / 1000) : 0, show_pending_logger, pending,
             (GDestroyNotify) pending_logger_free);
  g_application_release (G_APPLICATION (self));
}

static void
show_pending_logger (CnApplication *self,
                     gpointer       data)
{
  PendingLogger *pending = data;

  open_logger (self, pending->draft, pending->dial_problem);
}

/* The softphone (or the team backend) has the call, or could not take it:
 * the logger follows after the dial delay, at once when nothing dialed. */
static void
on_dialed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  PendingLogger *pending = user_data;
  CnApplication *self = pending->app;
  g_autoptr(GError) dial_error = NULL;
  g_autofree char *dialed_with = cn_dialer_dial_finish (result, &dial_error);
  guint delay;

  if (dialed_with == NULL)
    {
      pending->dial_problem = g_strdup (dial_error->message);
      g_message ("Not dialed: %s", dial_error->message);
    }
  else
    g_debug ("Dialed with %s", dialed_with);

  /* When nothing dialed there is no call to wait for. */
  delay = dialed_with != NULL ? g_settings_get_uint (self->settings, "dial-delay-ms") : 0;

  pending->due = g_get_monotonic_time () + (gint64) delay * 1000;

  /* The hold taken before dialing is released once the draft is saved. */
  cn_database_save_draft_async (self->database, pending->draft, NULL, on_first_draft_saved,
                                pending);
}

void
cn_application_handle_link (CnApplication *self,
                            const char    *link,
                            gssize         length)
{
  g_autoptr(CnTelUri) uri = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CnCallLog) log = NULL;
  g_autoptr(GAppLaunchContext) context = NULL;
  g_autofree char *country = NULL;
  g_autofree char *dialer = NULL;
  PendingLogger *pending;

  g_return_if_fail (CN_IS_APPLICATION (self));
  g_return_if_fail (link != NULL);

  if (self->database == NULL)
    return;

  country = cn_settings_dup_default_country_code (self->settings);
  uri = cn_tel_uri_parse (link, length, country, &error);
  if (uri == NULL)
    {
      show_message (self, _("This Link Cannot Be Called"), error->message);
      return;
    }

  log = cn_call_log_new_with_uuid ();
  cn_call_log_set_phone (log, cn_tel_uri_get_best_number (uri));
  cn_call_log_set_phone_raw (log, uri->raw);
  cn_call_log_set_extension (log, uri->extension);
  cn_call_log_set_contact_id (log, uri->contact_id);
  cn_call_log_set_contact_name (log, uri->contact_name);

  pending = g_new0 (PendingLogger, 1);
  pending->app = g_object_ref (self);
  pending->draft = cn_draft_new (log);
  pending->draft->dialed_at = now_seconds ();
  if (self->tool_service != NULL)
    cn_tool_service_note_dialed (self->tool_service, log, pending->draft->dialed_at);

  dialer = g_settings_get_string (self->settings, "dialer");
  context = G_APP_LAUNCH_CONTEXT (gdk_display_get_app_launch_context (gdk_display_get_default ()));
  g_application_hold (G_APPLICATION (self));
  /* "backend" asks the team backend with the sync settings and token. */
  cn_dialer_dial_async (dialer, uri, cn_call_log_get_uuid (log),
                        self->sync_worker != NULL ? cn_sync_worker_get_config (self->sync_worker)
                                                  : NULL,
                        context, NULL, on_dialed, pending);
}

/* ---- actions -------------------------------------------------------------- */

static void
on_dial_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  CnApplication *self = user_data;
  const char *target = g_variant_get_string (parameter, NULL);
  g_autofree char *scheme = g_uri_parse_scheme (target);
  g_autofree char *link = scheme != NULL ? g_strdup (target) : g_strconcat ("tel:", target, NULL);

  cn_application_handle_link (self, link, -1);
}

static void
on_new_call_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  CnApplication *self = user_data;
  g_autoptr(CnCallLog) log = NULL;
  g_autoptr(CnDraft) draft = NULL;

  if (self->database == NULL)
    return;

  log = cn_call_log_new_with_uuid ();
  draft = cn_draft_new (log);
  open_logger (self, draft, NULL);
}

static void
on_edit_call_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  CnApplication *self = user_data;
  const char *uuid = g_variant_get_string (parameter, NULL);
  g_autoptr(CnCallLog) log = NULL;
  g_autoptr(CnDraft) draft = NULL;
  g_autoptr(GError) error = NULL;

  if (self->database == NULL)
    return;

  /* Held from before the read: a purge cannot take the log between the
   * read and the editor's own hold. */
  cn_database_hold_call (self->database, uuid);
  log = cn_database_get_call (self->database, uuid, &error);
  if (log == NULL)
    {
      cn_database_release_call (self->database, uuid);
      show_message (self, _("Call Not Found"), error->message);
      return;
    }

  draft = cn_draft_new (log);
  draft->editing = TRUE;
  draft->follow_up_enabled = cn_call_log_get_follow_up (log) > 0;
  open_logger (self, draft, NULL);
  cn_database_release_call (self->database, uuid);
}

static void
on_preferences_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  CnApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));

  gtk_window_present (GTK_WINDOW (cn_preferences_window_new (parent)));
}

static void
on_about_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  CnApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  static const char *developers[] = { "The Callnotes developers", NULL };

  adw_show_about_window (parent,
                         "application-name", _("Callnotes"),
                         "application-icon", APP_ID,
                         "version", PACKAGE_VERSION,
                         "developer-name", _("The Callnotes developers"),
                         "developers", developers,
                         "website", "https://github.com/callnotes/callnotes",
                         "issue-url", "https://github.com/callnotes/callnotes/issues",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "copyright", "© 2026 The Callnotes developers",
                         /* Translators: put your names here, one per line */
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
on_set_default_handler_action (GSimpleAction *action,
                               GVariant      *parameter,
                               gpointer       user_data)
{
  CnApplication *self = user_data;
  g_autoptr(GDesktopAppInfo) info = g_desktop_app_info_new (APP_ID ".desktop");
  static const char * const types[] = { "x-scheme-handler/tel", "x-scheme-handler/callto" };
  g_autoptr(GError) error = NULL;
  CnWindow *window = cn_application_get_main_window (self);

  if (info == NULL)
    {
      show_message (self, _("Callnotes Is Not Installed"),
                    _("The desktop file of Callnotes was not found, so phone links cannot be "
                      "sent to it. Install Callnotes (for example with “build-aux/dev run”) "
                      "and try again."));
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      if (!g_app_info_set_as_default_for_type (G_APP_INFO (info), types[i], &error))
        {
          show_message (self, _("Phone Links Were Not Changed"), error->message);
          return;
        }
    }

  cn_window_add_toast (window, adw_toast_new (_("Phone links now open with Callnotes")));
}

static void
on_quit_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  /* shutdown keeps what is typed in open loggers for the next start. */
  g_application_quit (G_APPLICATION (user_data));
}

/* ---- sync --------------------------------------------------------------- */

static void on_call_completed (CnEventStream *stream,
                               CnStreamCall  *call,
                               CnApplication *self);

static void
load_sync_config_thread (GTask        *task,
                         gpointer      source_object,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  /* libsecret may wait on D-Bus: never on the main thread. A GSettings of
   * this thread reads the same backend as the app's. */
  g_autoptr(GSettings) settings = cn_settings_new_or_null ();
  GError *error = NULL;
  CnSyncConfig *config = cn_sync_config_load (settings, cancellable, &error);

  if (config == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, config, (GDestroyNotify) cn_sync_config_free);
}

/* TRUE when the worker runs. Another process holding the sync lock
 * (`callnotes sync`) is not an error: the app tries again later. */
static gboolean
try_start_sync (CnApplication *self)
{
  g_autoptr(GError) error = NULL;

  if (cn_sync_worker_is_running (self->sync_worker))
    return TRUE;

  if (cn_sync_worker_start (self->sync_worker, &error))
    return TRUE;

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BUSY))
    g_message ("Sync cannot start: %s", error->message);

  return FALSE;
}

static gboolean
on_sync_lock_retry (gpointer user_data)
{
  CnApplication *self = user_data;

  if (!try_start_sync (self))
    return G_SOURCE_CONTINUE;

  self->sync_lock_retry_id = 0;
  return G_SOURCE_REMOVE;
}

static void
on_sync_config_loaded (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  CnApplication *self = CN_APPLICATION (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(CnSyncConfig) config = g_task_propagate_pointer (G_TASK (result), &error);
  CnWindow *window;

  if (config == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("Sync settings could not be read: %s", error->message);
      return;
    }

  if (self->database == NULL)
    return;

  if (self->sync_worker == NULL)
    {
      self->sync_worker = cn_sync_worker_new (self->database, config, NULL);
      window = find_main_window (self);
      if (window != NULL)
        cn_window_set_sync_worker (window, self->sync_worker);
    }
  else
    {
      cn_sync_worker_set_config (self->sync_worker, config);
    }

  /* The live events use the backend's address, token and workspace. */
  if (self->event_stream == NULL)
    {
      self->event_stream = cn_event_stream_new (self->database, config, NULL);
      g_signal_connect_object (self->event_stream, "call-completed",
                               G_CALLBACK (on_call_completed), self, 0);
      window = find_main_window (self);
      if (window != NULL)
        cn_window_set_event_stream (window, self->event_stream);
      cn_event_stream_start (self->event_stream);
    }
  else
    {
      cn_event_stream_set_config (self->event_stream, config);
    }

  if (self->sync_lock_retry_id == 0 && !try_start_sync (self))
    self->sync_lock_retry_id = g_timeout_add_seconds (SYNC_LOCK_RETRY_SECONDS,
                                                      on_sync_lock_retry, self);
}

/* (Re)reads the sync settings and credentials, then starts or updates the
 * worker. */
static void
reload_sync (CnApplication *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->database == NULL)
    return;

  cn_database_set_sync_targets (self->database, cn_settings_get_sync_targets (self->settings));

  g_cancellable_cancel (self->sync_cancellable);
  g_clear_object (&self->sync_cancellable);
  self->sync_cancellable = g_cancellable_new ();

  task = g_task_new (self, self->sync_cancellable, on_sync_config_loaded, NULL);
  g_task_set_source_tag (task, reload_sync);
  g_task_run_in_thread (task, load_sync_config_thread);
}

static gboolean
on_sync_recheck (gpointer user_data)
{
  CnApplication *self = user_data;

  if (self->sync_worker != NULL && cn_sync_worker_get_paused (self->sync_worker) != 0)
    reload_sync (self);

  return G_SOURCE_CONTINUE;
}

/* ---- Keep History ------------------------------------------------------------ */

static void schedule_retention (CnApplication *self,
                                guint          seconds);

static void
on_purged (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CnApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  guint purged = 0;

  g_clear_object (&self->retention_cancellable);
  if (!cn_database_purge_synced_before_finish (CN_DATABASE (source), result, &purged, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_message ("Removing old synced calls failed, tried again later: %s", error->message);
    }
  else if (purged > 0)
    g_info ("Removed %u synced call logs older than %u days", purged,
            g_settings_get_uint (self->settings, "retention-days"));
  else
    g_debug ("No synced call logs older than %u days to remove",
             g_settings_get_uint (self->settings, "retention-days"));

  /* A change of the setting meanwhile has scheduled one already. */
  if (self->retention_id == 0)
    schedule_retention (self, RETENTION_INTERVAL_SECONDS);
}

static gboolean
on_retention_due (gpointer user_data)
{
  CnApplication *self = user_data;
  guint days = g_settings_get_uint (self->settings, "retention-days");

  self->retention_id = 0;
  if (days == 0 || self->database == NULL)
    return G_SOURCE_REMOVE;

  /* One at a time: the one under way reschedules when it is done. */
  if (self->retention_cancellable != NULL)
    return G_SOURCE_REMOVE;

  self->retention_cancellable = g_cancellable_new ();
  cn_database_purge_synced_before_async (self->database,
                                         cn_retention_cutoff (now_seconds (), days),
                                         self->retention_cancellable, on_purged,
                                         g_object_ref (self));
  return G_SOURCE_REMOVE;
}

/* The next purge in @seconds, when Keep History is not For Ever. */
static void
schedule_retention (CnApplication *self,
                    guint          seconds)
{
  g_clear_handle_id (&self->retention_id, g_source_remove);
  if (self->database == NULL || g_settings_get_uint (self->settings, "retention-days") == 0)
    return;

  self->retention_id = g_timeout_add_seconds (seconds, on_retention_due, self);
}

static void
on_retention_setting_changed (CnApplication *self)
{
  schedule_retention (self, RETENTION_START_DELAY_SECONDS);
}

static void
on_sync_setting_changed (GSettings     *settings,
                         const char    *key,
                         CnApplication *self)
{
  static const char * const sync_keys[] = {
    "backend-url", "workspace-id", "backend-enabled", "ontraport-enabled", "ontraport-base-url",
    "ontraport-task-mode", "ontraport-task-object-id", "ontraport-task-template-id",
    "ontraport-task-owner-id", "sync-concurrency",
  };

  if (g_strv_contains (sync_keys, key))
    reload_sync (self);

  if (g_str_equal (key, "start-at-login"))
    {
      g_autoptr(GError) error = NULL;

      if (!cn_background_set_autostart (G_APPLICATION (self),
                                        g_settings_get_boolean (settings, key), &error))
        show_message (self, _("Cannot Start at Login"), error->message);
    }
}

static void
on_reload_sync_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  reload_sync (CN_APPLICATION (user_data));
}

/* ---- live events --------------------------------------------------------- */

/* The outcome a completed call's status stands for (NONE: the agent picks). */
static CnOutcome
outcome_from_status (const char *status)
{
  if (g_strcmp0 (status, "ANSWER") == 0)
    return CN_OUTCOME_CONNECTED;
  if (g_strcmp0 (status, "NOANSWER") == 0)
    return CN_OUTCOME_NO_ANSWER;
  if (g_strcmp0 (status, "BUSY") == 0)
    return CN_OUTCOME_BUSY;
  if (g_strcmp0 (status, "VOICEMAIL") == 0)
    return CN_OUTCOME_VOICEMAIL;
  return CN_OUTCOME_NONE;
}

static const char *
status_words (const char *status)
{
  if (g_strcmp0 (status, "ANSWER") == 0)
    return _("Answered");
  if (g_strcmp0 (status, "NOANSWER") == 0)
    return _("No answer");
  if (g_strcmp0 (status, "BUSY") == 0)
    return _("Busy");
  if (g_strcmp0 (status, "VOICEMAIL") == 0)
    return _("Voicemail");
  if (g_strcmp0 (status, "FAILED") == 0)
    return _("Failed");
  if (g_strcmp0 (status, "CANCEL") == 0)
    return _("Canceled");
  return _("Ended");
}

static const char *
call_party (const CnStreamCall *call)
{
  if (call->contact_name != NULL && *call->contact_name != '\0')
    return call->contact_name;
  if (call->phone != NULL && *call->phone != '\0')
    return call->phone;
  return _("Unknown number");
}

/* A recording link we are willing to open: http(s) with a host. */
static gboolean
is_recording_link (const char *url)
{
  g_autoptr(GUri) uri = url != NULL ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;

  return uri != NULL && g_uri_get_host (uri) != NULL &&
         (g_strcmp0 (g_uri_get_scheme (uri), "https") == 0 ||
          g_strcmp0 (g_uri_get_scheme (uri), "http") == 0);
}

static void
on_call_completed (CnEventStream *stream,
                   CnStreamCall  *call,
                   CnApplication *self)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id = NULL;

  if (!g_settings_get_boolean (self->settings, "notify-call-completed"))
    return;

  /* Translators: %s is a contact name or a phone number */
  title = g_strdup_printf (_("Call with %s ended"), call_party (call));
  if (call->duration_seconds >= 0)
    {
      g_autofree char *duration = cn_format_duration (call->duration_seconds);

      /* Translators: "Answered · 2m 15s" */
      body = g_strdup_printf (_("%s · %s"), status_words (call->status), duration);
    }
  else
    {
      body = g_strdup (status_words (call->status));
    }

  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_notification_set_default_action_and_target (notification, "app.log-call-from-event", "s",
                                                call->call_sid);
  g_notification_add_button_with_target (notification, _("Log Call"), "app.log-call-from-event",
                                         "s", call->call_sid);
  if (is_recording_link (call->recording_url))
    g_notification_add_button_with_target (notification, _("Listen"), "app.open-recording",
                                           "s", call->call_sid);

  id = g_strdup_printf ("call-completed-%s", call->call_sid);
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

static void
open_logger_for_event (CnApplication      *self,
                       const CnStreamCall *call)
{
  g_autoptr(CnCallLog) log = cn_call_log_new_with_uuid ();
  g_autoptr(CnDraft) draft = NULL;

  cn_call_log_set_phone (log, call->phone);
  cn_call_log_set_phone_raw (log, call->phone);
  cn_call_log_set_contact_id (log, call->contact_id);
  cn_call_log_set_contact_name (log, call->contact_name);
  if (g_strcmp0 (call->direction, "inbound") == 0)
    cn_call_log_set_direction (log, "inbound");
  cn_call_log_set_outcome (log, outcome_from_status (call->status));
  if (call->duration_seconds >= 0)
    cn_call_log_set_duration (log, call->duration_seconds);
  if (call->started_at > 0)
    cn_call_log_set_created_at (log, call->started_at);
  if (is_recording_link (call->recording_url))
    {
      /* Translators: %s is the address of the call's recording */
      g_autofree char *notes = g_strdup_printf (_("Recording: %s"), call->recording_url);

      cn_call_log_set_notes (log, notes);
    }

  draft = cn_draft_new (log);
  draft->call_sid = g_strdup (call->call_sid);
  open_logger (self, draft, NULL);
}

static void
on_log_again_response (AdwMessageDialog *dialog,
                       const char       *response,
                       CnApplication    *self)
{
  const char *call_sid = g_object_get_data (G_OBJECT (dialog), "call-sid");
  g_autoptr(CnStreamCall) call = NULL;

  if (g_strcmp0 (response, "log") != 0 || self->database == NULL)
    return;

  call = cn_database_get_stream_call (self->database, call_sid, NULL);
  if (call != NULL)
    open_logger_for_event (self, call);
}

static void
on_log_call_from_event_action (GSimpleAction *action,
                               GVariant      *parameter,
                               gpointer       user_data)
{
  CnApplication *self = user_data;
  const char *call_sid = g_variant_get_string (parameter, NULL);
  g_autoptr(CnStreamCall) call = NULL;
  g_autoptr(GError) error = NULL;

  if (self->database == NULL)
    return;

  call = cn_database_get_stream_call (self->database, call_sid, &error);
  if (call == NULL)
    {
      show_message (self, _("Call Not Found"), error->message);
      return;
    }

  {
    g_autofree char *id = g_strdup_printf ("call-completed-%s", call_sid);

    g_application_withdraw_notification (G_APPLICATION (self), id);
  }

  /* Its logger is open already (Log Call clicked twice, from the
   * notification and the window): show that one, not a second log. */
  {
    GHashTableIter iter;
    gpointer uuid, sid;

    g_hash_table_iter_init (&iter, self->event_loggers);
    while (g_hash_table_iter_next (&iter, &uuid, &sid))
      {
        CnLogDialog *open = g_hash_table_lookup (self->loggers, uuid);

        if (open != NULL && g_strcmp0 (sid, call_sid) == 0)
          {
            gtk_window_present (GTK_WINDOW (open));
            return;
          }
      }
  }

  /* Logged before: ask first. */
  if (call->logged_uuid != NULL)
    {
      g_autoptr(CnCallLog) logged = cn_database_get_call (self->database, call->logged_uuid,
                                                          NULL);

      if (logged != NULL && !cn_call_log_get_deleted (logged))
        {
          GtkWindow *parent = GTK_WINDOW (cn_application_get_main_window (self));
          GtkWidget *dialog;

          gtk_window_present (parent);
          dialog = adw_message_dialog_new (parent, _("Log This Call Again?"),
                                           _("This call is already in your history. Logging "
                                             "it again adds a second entry."));
          adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                            "cancel", _("_Cancel"),
                                            "log", _("_Log Again"),
                                            NULL);
          adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
          adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
          g_object_set_data_full (G_OBJECT (dialog), "call-sid", g_strdup (call_sid), g_free);
          g_signal_connect_object (dialog, "response", G_CALLBACK (on_log_again_response), self,
                                   0);
          gtk_window_present (GTK_WINDOW (dialog));
          return;
        }
    }

  open_logger_for_event (self, call);
}

static void
on_open_recording_action (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  CnApplication *self = user_data;
  g_autoptr(CnStreamCall) call = NULL;
  g_autoptr(GError) error = NULL;

  if (self->database == NULL)
    return;

  call = cn_database_get_stream_call (self->database, g_variant_get_string (parameter, NULL),
                                      NULL);
  if (call == NULL || !is_recording_link (call->recording_url))
    return;

  if (!g_app_info_launch_default_for_uri (call->recording_url, NULL, &error))
    show_message (self, _("Cannot Play the Recording"), error->message);
}

/* ---- follow-up reminders ------------------------------------------------ */

#define SNOOZE_SECONDS (10 * 60)

static void
on_follow_up_due (CnReminders   *reminders,
                  CnFollowUp    *follow_up,
                  gboolean       overdue,
                  CnApplication *self)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id = NULL;
  g_autofree char *summary = cn_call_log_dup_notes_summary (follow_up->log);
  const char *phone = cn_call_log_get_phone (follow_up->log);

  /* Translators: %s is a contact name or a phone number */
  title = g_strdup_printf (_("Follow up with %s"), cn_call_log_get_display_name (follow_up->log));
  if (overdue)
    {
      g_autofree char *when = cn_format_relative_time (follow_up->due_at,
                                                       g_get_real_time () / G_USEC_PER_SEC,
                                                       NULL);

      /* Translators: %s is a time like "Yesterday 09:15" */
      body = g_strdup_printf (_("Overdue since %s. %s"), when, summary != NULL ? summary : "");
    }
  else
    {
      body = g_strdup (summary != NULL && *summary != '\0' ? summary : _("It is time to call back."));
    }
  g_strstrip (body);

  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  if (phone != NULL && *phone != '\0')
    g_notification_add_button_with_target (notification, _("Call Now"), "app.dial", "s", phone);
  g_notification_add_button_with_target (notification, _("Snooze 10 Minutes"),
                                         "app.snooze-follow-up", "s",
                                         cn_call_log_get_uuid (follow_up->log));

  id = g_strdup_printf ("follow-up-%s", cn_call_log_get_uuid (follow_up->log));
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

static void
on_snooze_follow_up_action (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  CnApplication *self = user_data;
  const char *uuid = g_variant_get_string (parameter, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_strdup_printf ("follow-up-%s", uuid);

  if (self->database == NULL)
    return;

  g_application_withdraw_notification (G_APPLICATION (self), id);
  if (!cn_database_snooze_follow_up (self->database, uuid,
                                     g_get_real_time () / G_USEC_PER_SEC + SNOOZE_SECONDS,
                                     &error))
    g_message ("Could not snooze the follow-up: %s", error->message);
  else if (self->reminders != NULL)
    cn_reminders_check (self->reminders);
}

static void
on_follow_up_done_action (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  CnApplication *self = user_data;
  const char *uuid = g_variant_get_string (parameter, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_strdup_printf ("follow-up-%s", uuid);

  if (self->database == NULL)
    return;

  g_application_withdraw_notification (G_APPLICATION (self), id);
  if (!cn_database_complete_follow_up (self->database, uuid, &error))
    g_message ("Could not mark the follow-up done: %s", error->message);
}

static const GActionEntry app_actions[] = {
  { "dial", on_dial_action, "s" },
  { "new-call", on_new_call_action },
  { "edit-call", on_edit_call_action, "s" },
  { "preferences", on_preferences_action },
  { "about", on_about_action },
  { "set-default-handler", on_set_default_handler_action },
  { "quit", on_quit_action },
  { "reload-sync", on_reload_sync_action },
  { "log-call-from-event", on_log_call_from_event_action, "s" },
  { "open-recording", on_open_recording_action, "s" },
  { "snooze-follow-up", on_snooze_follow_up_action, "s" },
  { "follow-up-done", on_follow_up_done_action, "s" },
  { "export", cn_export_action_activate, "(sssi)" },
};

/* ---- GApplication --------------------------------------------------------- */

static void
on_open_error_response (CnApplication *self)
{
  g_application_release (G_APPLICATION (self));
}

static void
cn_application_startup (GApplication *application)
{
  CnApplication *self = CN_APPLICATION (application);
  g_autofree char *path = NULL;
  static const char *quit_accels[] = { "<Primary>q", NULL };
  static const char *prefs_accels[] = { "<Primary>comma", NULL };
  static const char *new_accels[] = { "<Primary>n", NULL };
  static const char *close_accels[] = { "<Primary>w", NULL };

  G_APPLICATION_CLASS (cn_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions),
                                   self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", prefs_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.new-call", new_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);

  self->settings = g_settings_new (APP_ID);

  path = cn_database_get_default_path ();
  self->database = cn_database_open (path, &self->open_error);
  if (self->database == NULL)
    {
      GtkWidget *dialog;

      g_warning ("Cannot open the call database: %s", self->open_error->message);
      dialog = adw_message_dialog_new (NULL, _("Callnotes Cannot Start"),
                                       self->open_error->message);
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Quit"));
      gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
      g_signal_connect_object (dialog, "response", G_CALLBACK (on_open_error_response), self,
                               G_CONNECT_SWAPPED);
      g_application_hold (application);
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }

  /* Follow-up reminders, including those that fell due while we were not
   * running. */
  self->reminders = cn_reminders_new (self->database);
  g_signal_connect_object (self->reminders, "due", G_CALLBACK (on_follow_up_due), self, 0);
  cn_reminders_start (self->reminders);

  /* Saves queue sync jobs for the enabled targets; the worker sends them. */
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (on_sync_setting_changed), self,
                           0);
  reload_sync (self);
  self->sync_recheck_id = g_timeout_add_seconds (SYNC_CREDENTIALS_RECHECK_SECONDS,
                                                 on_sync_recheck, self);

  /* Keep History: old synced logs go a moment after start-up, then daily. */
  g_signal_connect_object (self->settings, "changed::retention-days",
                           G_CALLBACK (on_retention_setting_changed), self, G_CONNECT_SWAPPED);
  schedule_retention (self, RETENTION_START_DELAY_SECONDS);
}

static void
report_moved_aside (CnApplication *self)
{
  const char *moved = self->database ? cn_database_get_moved_aside_path (self->database) : NULL;
  g_autofree char *body = NULL;

  if (moved == NULL)
    return;

  body = g_strdup_printf (_("The call database could not be read, so it was moved to “%s” and "
                            "a new one was started. Nothing was deleted."), moved);
  show_message (self, _("Call Database Was Damaged"), body);
}

static void
cn_application_activate (GApplication *application)
{
  CnApplication *self = CN_APPLICATION (application);
  gboolean first = !self->drafts_restored;

  if (self->database == NULL)
    return;

  /* Started at login: no window, only events and reminders (drafts wait
   * for the window). */
  if (self->start_hidden)
    {
      self->start_hidden = FALSE;
      if (!self->held)
        {
          self->held = TRUE;
          g_application_hold (application);
          cn_background_request (application);
        }
      return;
    }

  gtk_window_present (GTK_WINDOW (cn_application_get_main_window (self)));
  if (first)
    report_moved_aside (self);
  restore_drafts (self);
}

static void
handle_link_later (CnApplication *self,
                   gpointer       link)
{
  cn_application_handle_link (self, link, -1);
}

static void
cn_application_open (GApplication  *application,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  CnApplication *self = CN_APPLICATION (application);

  if (self->database == NULL)
    return;

  if (!self->drafts_restored)
    {
      report_moved_aside (self);
      restore_drafts (self);
    }

  /* The links are handled right after this returns: a second `callnotes
   * tel:…` waits for open() to return over D-Bus, and needs not wait for the
   * draft to reach the disk or for the softphone to start. */
  for (int i = 0; i < n_files; i++)
    run_later (self, 0, handle_link_later, g_file_get_uri (files[i]), g_free);
}

/* The assistant logged @log while the agent may be logging the same call
 * (same E.164 number) in a new-call logger: one with nothing entered
 * closes, its draft discarded; one with something entered stays and says
 * so, letting the agent discard it or keep both. TRUE when a logger
 * closed. */
static gboolean
settle_loggers_for (CnApplication *self,
                    CnCallLog     *log)
{
  const char *phone = cn_call_log_get_phone (log);
  g_autoptr(GPtrArray) same = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer dialog;
  gboolean closed = FALSE;

  if (phone == NULL || *phone != '+')
    return FALSE;

  /* Collected first: a logger that closes leaves the table. */
  g_hash_table_iter_init (&iter, self->loggers);
  while (g_hash_table_iter_next (&iter, NULL, &dialog))
    {
      g_autoptr(CnCallLog) shown = NULL;

      if (cn_log_dialog_is_editing (dialog) || cn_log_dialog_is_saving (dialog) ||
          !gtk_widget_get_visible (dialog))
        continue;

      shown = cn_log_dialog_dup_log (dialog);
      if (g_strcmp0 (cn_call_log_get_phone (shown), phone) == 0)
        g_ptr_array_add (same, g_object_ref (dialog));
    }

  for (guint i = 0; i < same->len; i++)
    {
      CnLogDialog *logger = g_ptr_array_index (same, i);
      const char *call_sid = cn_log_dialog_get_call_sid (logger);

      /* Opened from a live call: the assistant's log is that call's (a save
       * of the agent's own, kept after all, links it again). */
      if (call_sid != NULL)
        {
          g_autoptr(GError) error = NULL;

          if (!cn_database_link_stream_call (self->database, call_sid, cn_call_log_get_uuid (log),
                                             &error))
            g_message ("Could not link call %s to its log: %s", call_sid, error->message);
        }

      if (cn_log_dialog_has_changes (logger))
        cn_log_dialog_show_logged_by_assistant (logger);
      else
        {
          g_hash_table_remove (self->event_loggers, cn_log_dialog_get_uuid (logger));
          cn_log_dialog_discard (logger);
          closed = TRUE;
        }
    }

  return closed;
}

/* A call logged by an assistant (log_call over D-Bus) shows as a saved
 * logger's does. */
static void
on_tool_logged (CnToolService *service,
                CnCallLog     *log,
                CnApplication *self)
{
  CnWindow *window;

  if (!settle_loggers_for (self, log))
    {
      on_logger_saved (NULL, log, self);
      return;
    }

  /* The agent's logger closed by itself: the toast says why. */
  if (self->reminders != NULL)
    cn_reminders_check (self->reminders);

  window = find_main_window (self);
  if (window != NULL)
    {
      g_autofree char *title = NULL;
      AdwToast *toast;

      cn_window_refresh (window);
      cn_window_select_log (window, cn_call_log_get_uuid (log));
      /* Translators: %s is a contact name or phone number */
      title = g_strdup_printf (_("Call with %s logged by the assistant"),
                               cn_call_log_get_display_name (log));
      toast = adw_toast_new (title);
      /* Now, not after an earlier toast: the logger just went away. */
      adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
      cn_window_add_toast (window, toast);
    }
}

static gboolean
cn_application_dbus_register (GApplication     *application,
                              GDBusConnection  *connection,
                              const char       *object_path,
                              GError          **error)
{
  CnApplication *self = CN_APPLICATION (application);

  if (!G_APPLICATION_CLASS (cn_application_parent_class)->dbus_register (application, connection,
                                                                          object_path, error))
    return FALSE;

  if (self->tool_service == NULL)
    {
      self->tool_service = cn_tool_service_new (application);
      g_signal_connect_object (self->tool_service, "logged", G_CALLBACK (on_tool_logged), self,
                               0);
    }

  return cn_tool_service_register (self->tool_service, connection, object_path, error);
}

static void
cn_application_dbus_unregister (GApplication    *application,
                                GDBusConnection *connection,
                                const char      *object_path)
{
  CnApplication *self = CN_APPLICATION (application);

  if (self->tool_service != NULL)
    cn_tool_service_unregister (self->tool_service);

  G_APPLICATION_CLASS (cn_application_parent_class)->dbus_unregister (application, connection,
                                                                      object_path);
}

static void
cn_application_shutdown (GApplication *application)
{
  CnApplication *self = CN_APPLICATION (application);

  gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  gboolean saving;

  /* A save waiting on a busy database finishes before the process ends (its
   * worker thread would die with it). */
  do
    {
      saving = FALSE;
      for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
        saving = saving || (CN_IS_LOG_DIALOG (l->data) && cn_log_dialog_is_saving (l->data));
      if (saving && !g_main_context_iteration (NULL, FALSE))
        g_usleep (10000);
    }
  while (saving && g_get_monotonic_time () < deadline);

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (CN_IS_LOG_DIALOG (l->data))
      cn_log_dialog_flush_draft (l->data);

  /* Results received so far are written; requests under way are sent again
   * next time (the servers see them as repeats). */
  g_cancellable_cancel (self->sync_cancellable);
  g_clear_handle_id (&self->sync_lock_retry_id, g_source_remove);
  g_clear_handle_id (&self->sync_recheck_id, g_source_remove);
  g_clear_handle_id (&self->retention_id, g_source_remove);
  g_cancellable_cancel (self->retention_cancellable);
  if (self->sync_worker != NULL)
    cn_sync_worker_stop (self->sync_worker);
  if (self->event_stream != NULL)
    cn_event_stream_stop (self->event_stream);
  if (self->reminders != NULL)
    cn_reminders_stop (self->reminders);

  G_APPLICATION_CLASS (cn_application_parent_class)->shutdown (application);
}

/* A closed logger is forgotten when its window leaves the app (a draft
 * write that is still finishing may keep the object a moment longer). */
static void
cn_application_window_removed (GtkApplication *application,
                               GtkWindow      *window)
{
  CnApplication *self = CN_APPLICATION (application);

  /* The history window closed: with run-in-background, events and
   * reminders keep coming. Quit (Ctrl+Q) still ends the app. */
  if (CN_IS_WINDOW (window) && !self->held && self->settings != NULL &&
      g_settings_get_boolean (self->settings, "run-in-background"))
    {
      self->held = TRUE;
      g_application_hold (G_APPLICATION (self));
      cn_background_request (G_APPLICATION (self));
    }

  if (CN_IS_LOG_DIALOG (window))
    {
      const char *uuid = cn_log_dialog_get_uuid (CN_LOG_DIALOG (window));

      if (g_hash_table_lookup (self->loggers, uuid) == window)
        {
          if (cn_log_dialog_is_editing (CN_LOG_DIALOG (window)) && self->database != NULL)
            cn_database_release_call (self->database, uuid);
          g_hash_table_remove (self->loggers, uuid);
        }
    }

  GTK_APPLICATION_CLASS (cn_application_parent_class)->window_removed (application, window);
}

static void
cn_application_finalize (GObject *object)
{
  CnApplication *self = CN_APPLICATION (object);

  g_clear_object (&self->tool_service);
  g_clear_object (&self->sync_worker);
  g_clear_object (&self->event_stream);
  g_clear_object (&self->reminders);
  g_clear_pointer (&self->event_loggers, g_hash_table_unref);
  g_clear_object (&self->sync_cancellable);
  g_clear_object (&self->retention_cancellable);
  g_clear_object (&self->database);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->loggers, g_hash_table_unref);
  g_clear_error (&self->open_error);

  G_OBJECT_CLASS (cn_application_parent_class)->finalize (object);
}

static int cn_application_handle_local_options (GApplication *application,
                                                GVariantDict *options);

static void
cn_application_class_init (CnApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = cn_application_finalize;
  app_class->startup = cn_application_startup;
  app_class->activate = cn_application_activate;
  app_class->open = cn_application_open;
  app_class->shutdown = cn_application_shutdown;
  app_class->dbus_register = cn_application_dbus_register;
  app_class->dbus_unregister = cn_application_dbus_unregister;
  app_class->handle_local_options = cn_application_handle_local_options;
  GTK_APPLICATION_CLASS (klass)->window_removed = cn_application_window_removed;
}

static void
cn_application_init (CnApplication *self)
{
  self->loggers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->event_loggers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/* `callnotes --background`: handed to the primary instance as a hidden
 * activation (a running app just stays as it is). */
static int
cn_application_handle_local_options (GApplication *application,
                                     GVariantDict *options)
{
  CnApplication *self = CN_APPLICATION (application);

  if (g_variant_dict_contains (options, CN_BACKGROUND_OPTION))
    {
      g_autoptr(GError) error = NULL;

      if (!g_application_register (application, NULL, &error))
        {
          g_printerr ("callnotes: %s\n", error->message);
          return 1;
        }
      if (g_application_get_is_remote (application))
        return 0;
      self->start_hidden = TRUE;
    }

  return -1;
}

CnApplication *
cn_application_new (void)
{
  CnApplication *self = g_object_new (CN_TYPE_APPLICATION,
                                      "application-id", APP_ID,
                                      "flags", G_APPLICATION_HANDLES_OPEN,
                                      "resource-base-path", RESOURCE_BASE,
                                      NULL);

  g_application_add_main_option (G_APPLICATION (self), CN_BACKGROUND_OPTION, 0,
                                 G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE,
                                 _("Start without a window (for the login start)"), NULL);
  return self;
}

CnDatabase *
cn_application_get_database (CnApplication *self)
{
  g_return_val_if_fail (CN_IS_APPLICATION (self), NULL);

  return self->database;
}

CnWindow *
cn_application_get_main_window (CnApplication *self)
{
  g_return_val_if_fail (CN_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (self->database != NULL, NULL);

  CnWindow *window = find_main_window (self);

  if (window == NULL)
    {
      window = cn_window_new (GTK_APPLICATION (self), self->database);
      if (self->sync_worker != NULL)
        cn_window_set_sync_worker (window, self->sync_worker);
      if (self->event_stream != NULL)
        cn_window_set_event_stream (window, self->event_stream);
    }

  return window;
}
