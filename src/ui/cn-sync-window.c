/* cn-sync-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-sync-window"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "cn-sync-format.h"
#include "cn-sync-window.h"

/* How often the page looks for commits of another process that sends (the
 * command line's `callnotes sync`); one PRAGMA. */
#define WATCH_INTERVAL_MS 500

/* Rows shown per group: thousands of jobs pile up after a week offline, and
 * each row is a handful of widgets. The oldest are shown. */
#define MAX_ROWS_PER_GROUP 100

/* An Ontraport contact id: digits, and not more than fit in 63 bits. */
#define MAX_CONTACT_ID_DIGITS 18

typedef enum {
  GROUP_ATTENTION,
  GROUP_CONTACT,
  GROUP_WAITING,
  GROUP_PENDING,
  N_GROUPS
} Group;

/* One job's row, kept from one refresh to the next while its state stays. */
typedef struct {
  gint64      job_id;
  CnJobState  state;
  GtkWidget  *row;    /* owned: it moves out of and back into its group */
} JobRow;

struct _CnSyncWindow
{
  AdwWindow             parent_instance;

  /* template */
  AdwToastOverlay      *toast_overlay;
  GtkRevealer          *pause_revealer;
  GtkLabel             *pause_label;
  GtkStack             *stack;
  AdwPreferencesGroup  *attention_group;
  AdwPreferencesGroup  *contact_group;
  AdwPreferencesGroup  *waiting_group;
  AdwPreferencesGroup  *pending_group;

  AdwPreferencesGroup  *groups[N_GROUPS];
  char                 *descriptions[N_GROUPS];
  GPtrArray            *rows[N_GROUPS];     /* JobRow, in the order shown */

  CnDatabase           *database;
  CnSyncWorker         *worker;
  CnEventStream        *event_stream;   /* may be NULL */
  GCancellable         *cancellable;
  gint64                data_version;
  guint                 watch_id;
};

G_DEFINE_FINAL_TYPE (CnSyncWindow, cn_sync_window, ADW_TYPE_WINDOW)

static void
job_row_free (JobRow *job_row)
{
  g_clear_object (&job_row->row);
  g_free (job_row);
}

static gint
group_of_state (CnJobState state)
{
  switch (state)
    {
    case CN_JOB_NEEDS_ATTENTION:
      return GROUP_ATTENTION;
    case CN_JOB_NEEDS_CONTACT:
      return GROUP_CONTACT;
    case CN_JOB_WAITING:
      return GROUP_WAITING;
    case CN_JOB_PENDING:
    case CN_JOB_IN_FLIGHT:
      return GROUP_PENDING;
    case CN_JOB_DONE:
    case CN_JOB_CANCELED:
    default:
      return -1;
    }
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* ---- rows ------------------------------------------------------------------- */

static GtkWidget *
add_button (GtkWidget  *row,
            const char *icon_name,
            const char *label,
            const char *action_name,
            const char *uuid)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_string (uuid));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

  return button;
}

/* Title and subtitle: the call, the target in plain words, how often it was
 * tried, when next, and the last error. */
static void
fill_row (GtkWidget       *row,
          const CnSyncJob *job)
{
  CnCallLog *log = job->log;
  const char *phone = log != NULL ? cn_call_log_get_phone (log) : NULL;
  GString *subtitle = g_string_new (NULL);

  if (log != NULL && cn_call_log_get_contact_name (log) != NULL && phone != NULL)
    g_string_append_printf (subtitle, "%s · ", phone);
  g_string_append (subtitle, cn_sync_format_target (job->target));

  if (job->state == CN_JOB_IN_FLIGHT)
    g_string_append_printf (subtitle, " · %s", _("Sending now"));
  else if (job->attempts == 0)
    g_string_append_printf (subtitle, " · %s", _("Not tried yet"));
  else
    {
      g_string_append (subtitle, " · ");
      g_string_append_printf (subtitle,
                              /* Translators: how often Callnotes tried to send a call */
                              g_dngettext (GETTEXT_PACKAGE, "%u attempt", "%u attempts",
                                           job->attempts),
                              job->attempts);
    }

  if (job->state == CN_JOB_WAITING)
    {
      g_autofree char *when = cn_sync_format_retry_time (job->next_attempt_at, now_seconds ());

      g_string_append (subtitle, " · ");
      /* Translators: %s is a time such as "14:32" or "23 Nov 14:32" */
      g_string_append_printf (subtitle, _("Retry at %s"), when);
    }

  if (job->last_error != NULL && *job->last_error != '\0' &&
      (job->state == CN_JOB_NEEDS_ATTENTION || job->state == CN_JOB_NEEDS_CONTACT ||
       job->state == CN_JOB_WAITING))
    {
      g_string_append_c (subtitle, '\n');
      g_string_append (subtitle, job->last_error);
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 log != NULL ? cn_call_log_get_display_name (log) : "?");
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  gtk_widget_set_tooltip_text (row, job->last_error != NULL && *job->last_error != '\0'
                                    ? job->last_error : NULL);
  g_string_free (subtitle, TRUE);
}

static JobRow *
job_row_new (const CnSyncJob *job)
{
  JobRow *job_row = g_new0 (JobRow, 1);
  GtkWidget *row = adw_action_row_new ();

  job_row->job_id = job->id;
  job_row->state = job->state;
  job_row->row = g_object_ref_sink (row);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 1);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 4);
  gtk_widget_add_css_class (row, "cn-sync-job");

  if (job->state == CN_JOB_NEEDS_CONTACT)
    add_button (row, "contact-new-symbolic", _("Assign Contact…"), "sync.assign-contact",
                job->call_uuid);
  if (job->state == CN_JOB_NEEDS_ATTENTION || job->state == CN_JOB_WAITING)
    add_button (row, "view-refresh-symbolic", _("Retry Now"), "sync.retry", job->call_uuid);
  add_button (row, "process-stop-symbolic", _("Stop Syncing…"), "sync.cancel", job->call_uuid);

  fill_row (row, job);

  return job_row;
}

static JobRow *
take_job_row (GHashTable *old_rows,
              gint64      job_id)
{
  JobRow *job_row = g_hash_table_lookup (old_rows, &job_id);

  if (job_row != NULL)
    g_hash_table_steal (old_rows, &job_id);

  return job_row;
}

/* Puts @wanted (JobRow, in order) into @group, which shows @shown: rows that
 * stay keep their place (and the keyboard focus) unless the order changed. */
static void
show_rows (CnSyncWindow *self,
           Group         group,
           GPtrArray    *wanted)
{
  AdwPreferencesGroup *widget = self->groups[group];
  GPtrArray *shown = self->rows[group];
  g_autoptr(GHashTable) wanted_set = g_hash_table_new (NULL, NULL);
  guint kept = 0;
  gboolean in_order = TRUE;

  for (guint i = 0; i < wanted->len; i++)
    g_hash_table_add (wanted_set, g_ptr_array_index (wanted, i));

  /* The rows that stay must be the first ones wanted, in the same order. */
  for (guint i = 0; i < shown->len; i++)
    {
      JobRow *job_row = g_ptr_array_index (shown, i);

      if (!g_hash_table_contains (wanted_set, job_row))
        continue;
      if (kept >= wanted->len || g_ptr_array_index (wanted, kept) != job_row)
        in_order = FALSE;
      kept++;
    }

  for (guint i = 0; i < shown->len; i++)
    {
      JobRow *job_row = g_ptr_array_index (shown, i);

      if (!in_order || !g_hash_table_contains (wanted_set, job_row))
        adw_preferences_group_remove (widget, job_row->row);
    }

  for (guint i = in_order ? kept : 0; i < wanted->len; i++)
    adw_preferences_group_add (widget, ((JobRow *) g_ptr_array_index (wanted, i))->row);

  /* @shown no longer owns the rows: the caller freed the ones not wanted. */
  g_ptr_array_set_size (shown, 0);
  for (guint i = 0; i < wanted->len; i++)
    g_ptr_array_add (shown, g_ptr_array_index (wanted, i));

  gtk_widget_set_visible (GTK_WIDGET (widget), wanted->len > 0);
}

static void
update_pause (CnSyncWindow *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  const char *reason;

  if (self->worker != NULL)
    {
      reason = cn_sync_worker_get_pause_reason (self->worker, CN_SYNC_TARGET_BACKEND);
      if (reason != NULL)
        /* Translators: %s is why, e.g. "The token was rejected (401)." */
        g_string_append_printf (text, _("Sending to the team backend is paused: %s"), reason);

      reason = cn_sync_worker_get_pause_reason (self->worker, CN_SYNC_TARGET_ONTRAPORT_NOTE);
      if (reason != NULL)
        {
          if (text->len > 0)
            g_string_append_c (text, '\n');
          /* Translators: %s is why, e.g. "The API key was rejected (401)." */
          g_string_append_printf (text, _("Sending to Ontraport is paused: %s"), reason);
        }
    }

  if (self->event_stream != NULL &&
      (cn_event_stream_get_state (self->event_stream) == CN_STREAM_STOPPED ||
       cn_event_stream_get_state (self->event_stream) == CN_STREAM_NEEDS_CREDENTIALS) &&
      cn_event_stream_get_message (self->event_stream) != NULL)
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      /* Translators: %s is why, e.g. "The backend answered 500; …" */
      g_string_append_printf (text, _("Live call events are off: %s"),
                              cn_event_stream_get_message (self->event_stream));
    }

  gtk_label_set_text (self->pause_label, text->str);
  gtk_revealer_set_reveal_child (self->pause_revealer, text->len > 0);
}

void
cn_sync_window_refresh (CnSyncWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) jobs = NULL;
  g_autoptr(GHashTable) old_rows = NULL;
  GPtrArray *wanted[N_GROUPS];
  guint counts[N_GROUPS] = { 0, };
  gboolean can_retry = FALSE;
  guint total = 0;

  g_return_if_fail (CN_IS_SYNC_WINDOW (self));

  if (self->database == NULL)
    return;

  update_pause (self);

  self->data_version = cn_database_get_data_version (self->database);
  jobs = cn_database_list_jobs (self->database, &error);
  if (jobs == NULL)
    {
      g_warning ("Could not list the sync jobs: %s", error->message);
      return;
    }

  /* Every row shown now, by job id; those still wanted are taken out. */
  old_rows = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                    (GDestroyNotify) job_row_free);
  for (guint g = 0; g < N_GROUPS; g++)
    {
      for (guint i = 0; i < self->rows[g]->len; i++)
        {
          JobRow *job_row = g_ptr_array_index (self->rows[g], i);

          g_hash_table_insert (old_rows, &job_row->job_id, job_row);
        }
      wanted[g] = g_ptr_array_new ();
    }

  for (guint i = 0; i < jobs->len; i++)
    {
      const CnSyncJob *job = g_ptr_array_index (jobs, i);
      gint group = group_of_state (job->state);
      JobRow *job_row;

      if (group < 0)
        continue;

      total++;
      counts[group]++;
      if (job->state == CN_JOB_WAITING || job->state == CN_JOB_NEEDS_ATTENTION)
        can_retry = TRUE;
      if (wanted[group]->len >= MAX_ROWS_PER_GROUP)
        continue;

      job_row = take_job_row (old_rows, job->id);
      if (job_row != NULL && job_row->state != job->state)
        {
          /* Other buttons: a new row. The old one leaves its group below. */
          g_hash_table_insert (old_rows, &job_row->job_id, job_row);
          job_row = NULL;
        }

      if (job_row != NULL)
        fill_row (job_row->row, job);
      else
        job_row = job_row_new (job);

      g_ptr_array_add (wanted[group], job_row);
    }

  /* A row that changed state is in the old table under its id while its
   * replacement is wanted: the old one goes when its group is shown. */
  for (guint g = 0; g < N_GROUPS; g++)
    {
      show_rows (self, g, wanted[g]);
      g_ptr_array_unref (wanted[g]);

      if (counts[g] > MAX_ROWS_PER_GROUP)
        {
          g_autofree char *text = NULL;

          /* Translators: %s is what the group is about; %u a number above 100 */
          text = g_strdup_printf (_("%s Showing the oldest %u of %u."), self->descriptions[g],
                                  MAX_ROWS_PER_GROUP, counts[g]);
          adw_preferences_group_set_description (self->groups[g], text);
        }
      else
        {
          adw_preferences_group_set_description (self->groups[g], self->descriptions[g]);
        }
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sync.retry-all", can_retry);
  gtk_stack_set_visible_child_name (self->stack, total > 0 ? "list" : "empty");
}

static gboolean
on_watch (gpointer user_data)
{
  CnSyncWindow *self = user_data;

  if (cn_database_get_data_version (self->database) != self->data_version)
    cn_sync_window_refresh (self);

  return G_SOURCE_CONTINUE;
}

static void
on_worker_changed (CnSyncWindow *self)
{
  cn_sync_window_refresh (self);
}

/* ---- actions ------------------------------------------------------------------ */

/* The agent's actions write to the database: a thread does it, so another
 * program holding the database never freezes the window. */
typedef enum {
  ACTION_RETRY,
  ACTION_CANCEL,
  ACTION_ASSIGN,
} ActionKind;

typedef struct {
  ActionKind  kind;
  CnDatabase *database;
  char       *uuid;          /* NULL: retry every log */
  char       *contact_id;
  char       *contact_name;
} Action;

static void
action_free (Action *action)
{
  g_object_unref (action->database);
  g_free (action->uuid);
  g_free (action->contact_id);
  g_free (action->contact_name);
  g_free (action);
}

static void
run_action_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  Action *action = task_data;
  GError *error = NULL;
  gint n = 0;

  switch (action->kind)
    {
    case ACTION_RETRY:
      n = cn_database_retry_jobs (action->database, action->uuid, &error);
      break;
    case ACTION_CANCEL:
      n = cn_database_cancel_jobs (action->database, action->uuid, &error) ? 1 : -1;
      break;
    case ACTION_ASSIGN:
      n = cn_database_assign_contact (action->database, action->uuid, action->contact_id,
                                      action->contact_name, &error) ? 1 : -1;
      break;
    default:
      g_assert_not_reached ();
    }

  if (n < 0)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, n);
}

static void
on_action_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  CnSyncWindow *self = CN_SYNC_WINDOW (source);
  Action *action = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gssize n = g_task_propagate_int (G_TASK (result), &error);
  const char *done = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (error != NULL)
    {
      g_autofree char *message = NULL;

      switch (action->kind)
        {
        case ACTION_RETRY:
          /* Translators: %s is an error message */
          message = g_strdup_printf (_("Could not retry: %s"), error->message);
          break;
        case ACTION_CANCEL:
          /* Translators: %s is an error message */
          message = g_strdup_printf (_("Could not stop syncing: %s"), error->message);
          break;
        case ACTION_ASSIGN:
        default:
          /* Translators: %s is an error message */
          message = g_strdup_printf (_("Could not assign the contact: %s"), error->message);
          break;
        }
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
      return;
    }

  if (self->worker != NULL && action->kind != ACTION_CANCEL)
    cn_sync_worker_kick (self->worker);
  cn_sync_window_refresh (self);

  switch (action->kind)
    {
    case ACTION_RETRY:
      done = n > 0 ? NULL : _("Nothing to retry");
      break;
    case ACTION_CANCEL:
      done = _("This call will not be synced");
      break;
    case ACTION_ASSIGN:
    default:
      done = _("Contact assigned");
      break;
    }
  if (done != NULL)
    adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (done));
}

static void
run_action (CnSyncWindow *self,
            ActionKind    kind,
            const char   *uuid,
            const char   *contact_id,
            const char   *contact_name)
{
  g_autoptr(GTask) task = NULL;
  Action *action;

  if (self->database == NULL)
    return;

  action = g_new0 (Action, 1);
  action->kind = kind;
  action->database = g_object_ref (self->database);
  action->uuid = g_strdup (uuid);
  action->contact_id = g_strdup (contact_id);
  action->contact_name = g_strdup (contact_name);

  task = g_task_new (self, self->cancellable, on_action_done, NULL);
  g_task_set_source_tag (task, run_action);
  g_task_set_task_data (task, action, (GDestroyNotify) action_free);
  g_task_run_in_thread (task, run_action_thread);
}

static char *
dup_display_name (CnSyncWindow *self,
                  const char   *uuid)
{
  g_autoptr(CnCallLog) log = cn_database_get_call (self->database, uuid, NULL);

  return g_strdup (log != NULL ? cn_call_log_get_display_name (log) : _("this contact"));
}

static void
on_retry_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  run_action (CN_SYNC_WINDOW (widget), ACTION_RETRY, g_variant_get_string (parameter, NULL),
              NULL, NULL);
}

static void
on_retry_all_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  run_action (CN_SYNC_WINDOW (widget), ACTION_RETRY, NULL, NULL, NULL);
}

static void
on_cancel_response (AdwMessageDialog *dialog,
                    const char       *response,
                    CnSyncWindow     *self)
{
  if (g_strcmp0 (response, "stop") == 0)
    run_action (self, ACTION_CANCEL, g_object_get_data (G_OBJECT (dialog), "cn-uuid"), NULL, NULL);
}

static void
on_cancel_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CnSyncWindow *self = CN_SYNC_WINDOW (widget);
  const char *uuid = g_variant_get_string (parameter, NULL);
  g_autofree char *who = dup_display_name (self, uuid);
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  body = g_strdup_printf (_("The call log with %s stays on this computer, but it will not reach "
                            "the team backend or Ontraport. This is noted in the call’s "
                            "history."), who);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       _("Stop Syncing This Call?"), body));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Keep Syncing"),
                                    "stop", _("_Stop Syncing"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "stop", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "cn-uuid", g_strdup (uuid), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_cancel_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The contact id the agent typed, without spaces; NULL when it is not one. */
static char *
dup_contact_id (AdwEntryRow *row)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
  gsize length = strlen (text);

  if (length == 0 || length > MAX_CONTACT_ID_DIGITS)
    return NULL;

  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return NULL;

  return g_steal_pointer (&text);
}

static void
on_contact_id_changed (AdwEntryRow      *row,
                       AdwMessageDialog *dialog)
{
  g_autofree char *id = dup_contact_id (row);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));

  adw_message_dialog_set_response_enabled (dialog, "assign", id != NULL);
  if (id == NULL && *text != '\0')
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
}

static void
on_assign_response (AdwMessageDialog *dialog,
                    const char       *response,
                    CnSyncWindow     *self)
{
  AdwEntryRow *id_row = g_object_get_data (G_OBJECT (dialog), "cn-id-row");
  AdwEntryRow *name_row = g_object_get_data (G_OBJECT (dialog), "cn-name-row");
  g_autofree char *id = NULL;
  g_autofree char *name = NULL;

  if (g_strcmp0 (response, "assign") != 0)
    return;

  id = dup_contact_id (id_row);
  if (id == NULL)
    return;

  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (name_row))));
  run_action (self, ACTION_ASSIGN, g_object_get_data (G_OBJECT (dialog), "cn-uuid"), id,
              *name != '\0' ? name : NULL);
}

static void
on_assign_contact_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  CnSyncWindow *self = CN_SYNC_WINDOW (widget);
  const char *uuid = g_variant_get_string (parameter, NULL);
  g_autoptr(CnCallLog) log = cn_database_get_call (self->database, uuid, NULL);
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *list;
  GtkWidget *id_row;
  GtkWidget *name_row;

  if (log != NULL && cn_call_log_get_phone (log) != NULL)
    /* Translators: %s is a phone number */
    body = g_strdup_printf (_("No single Ontraport contact has the number %s. Enter the ID of "
                              "the contact this call was with; its note and task go there."),
                            cn_call_log_get_phone (log));
  else
    body = g_strdup (_("Enter the ID of the Ontraport contact this call was with; its note and "
                       "task go there."));

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Assign Contact"),
                                                       body));

  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");

  id_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (id_row), _("Contact ID"));
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (id_row), TRUE);
  gtk_list_box_append (GTK_LIST_BOX (list), id_row);

  name_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (name_row), _("Name (Optional)"));
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (name_row), TRUE);
  if (log != NULL && cn_call_log_get_contact_name (log) != NULL)
    gtk_editable_set_text (GTK_EDITABLE (name_row), cn_call_log_get_contact_name (log));
  gtk_list_box_append (GTK_LIST_BOX (list), name_row);

  adw_message_dialog_set_extra_child (dialog, list);
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "assign", _("_Assign"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "assign", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (dialog, "assign", FALSE);
  adw_message_dialog_set_default_response (dialog, "assign");
  adw_message_dialog_set_close_response (dialog, "cancel");

  g_object_set_data_full (G_OBJECT (dialog), "cn-uuid", g_strdup (uuid), g_free);
  g_object_set_data (G_OBJECT (dialog), "cn-id-row", id_row);
  g_object_set_data (G_OBJECT (dialog), "cn-name-row", name_row);
  g_signal_connect_object (id_row, "changed", G_CALLBACK (on_contact_id_changed), dialog, 0);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_assign_response), self, 0);

  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (id_row);
}

/* ---- GObject ----------------------------------------------------------------- */

static void
cn_sync_window_dispose (GObject *object)
{
  CnSyncWindow *self = CN_SYNC_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->watch_id, g_source_remove);
  if (self->worker != NULL)
    g_signal_handlers_disconnect_by_data (self->worker, self);
  g_clear_object (&self->worker);
  if (self->event_stream != NULL)
    g_signal_handlers_disconnect_by_data (self->event_stream, self);
  g_clear_object (&self->event_stream);

  gtk_widget_dispose_template (GTK_WIDGET (self), CN_TYPE_SYNC_WINDOW);
  for (guint g = 0; g < N_GROUPS; g++)
    {
      g_clear_pointer (&self->rows[g], g_ptr_array_unref);
      g_clear_pointer (&self->descriptions[g], g_free);
    }
  g_clear_object (&self->database);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (cn_sync_window_parent_class)->dispose (object);
}

static void
cn_sync_window_class_init (CnSyncWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cn_sync_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/cn-sync-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CnSyncWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CnSyncWindow, pause_revealer);
  gtk_widget_class_bind_template_child (widget_class, CnSyncWindow, pause_label);
  gtk_widget_class_bind_template_child (widget_class, CnSyncWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CnSyncWindow, attention_group);
  gtk_widget_class_bind_template_child (widget_class, CnSyncWindow, contact_group);
  gtk_widget_class_bind_template_child (widget_class, CnSyncWindow, waiting_group);
  gtk_widget_class_bind_template_child (widget_class, CnSyncWindow, pending_group);

  gtk_widget_class_install_action (widget_class, "sync.retry", "s", on_retry_action);
  gtk_widget_class_install_action (widget_class, "sync.retry-all", NULL, on_retry_all_action);
  gtk_widget_class_install_action (widget_class, "sync.cancel", "s", on_cancel_action);
  gtk_widget_class_install_action (widget_class, "sync.assign-contact", "s",
                                   on_assign_contact_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cn_sync_window_init (CnSyncWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->groups[GROUP_ATTENTION] = self->attention_group;
  self->groups[GROUP_CONTACT] = self->contact_group;
  self->groups[GROUP_WAITING] = self->waiting_group;
  self->groups[GROUP_PENDING] = self->pending_group;
  for (guint g = 0; g < N_GROUPS; g++)
    {
      self->rows[g] = g_ptr_array_new ();
      self->descriptions[g] = g_strdup (adw_preferences_group_get_description (self->groups[g]));
      gtk_widget_set_visible (GTK_WIDGET (self->groups[g]), FALSE);
    }

  self->cancellable = g_cancellable_new ();
}

CnSyncWindow *
cn_sync_window_new (GtkWindow    *parent,
                    CnDatabase   *database,
                    CnSyncWorker *worker)
{
  CnSyncWindow *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CN_IS_DATABASE (database), NULL);
  g_return_val_if_fail (worker == NULL || CN_IS_SYNC_WORKER (worker), NULL);

  self = g_object_new (CN_TYPE_SYNC_WINDOW,
                       "transient-for", parent,
                       "application", parent != NULL ? gtk_window_get_application (parent) : NULL,
                       NULL);
  self->database = g_object_ref (database);
  cn_sync_window_set_worker (self, worker);
  self->watch_id = g_timeout_add (WATCH_INTERVAL_MS, on_watch, self);
  if (worker == NULL)
    cn_sync_window_refresh (self);

  return self;
}

void
cn_sync_window_set_worker (CnSyncWindow *self,
                           CnSyncWorker *worker)
{
  g_return_if_fail (CN_IS_SYNC_WINDOW (self));
  g_return_if_fail (worker == NULL || CN_IS_SYNC_WORKER (worker));

  if (self->worker == worker)
    return;

  if (self->worker != NULL)
    g_signal_handlers_disconnect_by_data (self->worker, self);
  g_set_object (&self->worker, worker);
  if (worker != NULL)
    g_signal_connect_object (worker, "changed", G_CALLBACK (on_worker_changed), self,
                             G_CONNECT_SWAPPED);

  if (self->database != NULL)
    cn_sync_window_refresh (self);
}

void
cn_sync_window_set_event_stream (CnSyncWindow  *self,
                                 CnEventStream *stream)
{
  g_return_if_fail (CN_IS_SYNC_WINDOW (self));
  g_return_if_fail (stream == NULL || CN_IS_EVENT_STREAM (stream));

  if (self->event_stream == stream)
    return;

  if (self->event_stream != NULL)
    g_signal_handlers_disconnect_by_data (self->event_stream, self);
  g_set_object (&self->event_stream, stream);
  if (stream != NULL)
    g_signal_connect_object (stream, "state-changed", G_CALLBACK (update_pause), self,
                             G_CONNECT_SWAPPED);

  update_pause (self);
}
