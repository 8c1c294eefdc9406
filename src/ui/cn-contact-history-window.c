/* cn-contact-history-window.c: every call with one contact, this
 * computer's and the team's, newest first
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-contact-history"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "cn-backend-history.h"
#include "cn-contact-history-window.h"
#include "cn-format.h"
#include "cn-outbox.h"

/* Local logs shown at most, and backend calls asked for per page. */
#define LOCAL_LIMIT 200
#define REMOTE_PAGE 30
/* Characters of notes shown under an entry. */
#define NOTES_EXCERPT_CHARS 280

typedef enum {
  STATUS_NONE,
  STATUS_LOADING,
  STATUS_NOTE,
  STATUS_ERROR,
} StatusKind;

struct _CnContactHistoryWindow
{
  AdwWindow          parent_instance;

  AdwWindowTitle    *window_title;
  GtkStack          *stack;
  GtkListBox        *status_list;
  AdwActionRow      *status_row;
  GtkSpinner        *status_spinner;
  GtkImage          *status_icon;
  GtkButton         *retry_button;
  GtkListBox        *list;
  GtkButton         *more_button;
  AdwStatusPage     *missing_page;

  CnDatabase        *db;
  CnSyncConfig      *config;          /* NULL: no backend to ask */
  GCancellable      *cancellable;
  char              *contact_id;
  CnCallLog         *log;             /* the log the window was opened for */

  GPtrArray         *local_logs;      /* CnCallLog; NULL until loaded */
  GPtrArray         *remote_calls;    /* CnRemoteCall, every page so far */
  GPtrArray         *entries;         /* CnTimelineEntry, as shown */
  gboolean           local_loading;
  gboolean           remote_loading;
  gboolean           remote_more;     /* the last page was full */
  char              *status_text;
};

G_DEFINE_FINAL_TYPE (CnContactHistoryWindow, cn_contact_history_window, ADW_TYPE_WINDOW)

static void fetch_remote (CnContactHistoryWindow *self);


/* ---- status row ---- */

static void
set_status (CnContactHistoryWindow *self,
            StatusKind              kind,
            const char             *text,
            gboolean                can_retry)
{
  g_free (self->status_text);
  self->status_text = g_strdup (text);

  gtk_widget_set_visible (GTK_WIDGET (self->status_list), kind != STATUS_NONE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->status_row), text != NULL ? text : "");

  gtk_widget_set_visible (GTK_WIDGET (self->status_spinner), kind == STATUS_LOADING);
  gtk_spinner_set_spinning (self->status_spinner, kind == STATUS_LOADING);

  gtk_widget_set_visible (GTK_WIDGET (self->status_icon),
                          kind == STATUS_NOTE || kind == STATUS_ERROR);
  gtk_image_set_from_icon_name (self->status_icon, kind == STATUS_ERROR
                                                   ? "dialog-warning-symbolic"
                                                   : "dialog-information-symbolic");
  if (kind == STATUS_ERROR)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_icon), "warning");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_icon), "warning");

  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), can_retry);
}


/* ---- rows ---- */

/* The notes on one line or two, cut at NOTES_EXCERPT_CHARS. */
static char *
notes_excerpt (const char *notes)
{
  GString *excerpt;
  guint n = 0;

  if (notes == NULL)
    return NULL;

  excerpt = g_string_new (NULL);
  for (const char *p = notes; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (n++ >= NOTES_EXCERPT_CHARS)
        {
          g_string_append (excerpt, "…");
          break;
        }
      if (g_unichar_isspace (c) || g_unichar_iscntrl (c))
        {
          if (excerpt->len > 0 && excerpt->str[excerpt->len - 1] != ' ')
            g_string_append_c (excerpt, ' ');
        }
      else
        g_string_append_unichar (excerpt, c);
    }

  g_strchomp (excerpt->str);
  excerpt->len = strlen (excerpt->str);
  if (excerpt->len == 0)
    {
      g_string_free (excerpt, TRUE);
      return NULL;
    }

  return g_string_free (excerpt, FALSE);
}

static char *
full_time (gint64 unix_seconds)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_seconds);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

  /* Translators: a full date and time, see g_date_time_format() */
  return local != NULL ? g_date_time_format (local, _("%A, %e %B %Y, %H:%M")) : NULL;
}

static GtkWidget *
make_label (const char *text,
            const char *first_class,
            ...)
{
  GtkWidget *label = gtk_label_new (text);
  va_list classes;

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  va_start (classes, first_class);
  for (const char *c = first_class; c != NULL; c = va_arg (classes, const char *))
    gtk_widget_add_css_class (label, c);
  va_end (classes);

  return label;
}

static GtkWidget *
create_entry_row (CnContactHistoryWindow *self,
                  CnTimelineEntry        *entry,
                  gint64                  now)
{
  CnOutcome outcome;
  const char *notes;
  const char *who;
  gint64 follow_up;
  GtkWidget *row, *box, *icon, *texts, *top, *title, *time, *subtitle;
  g_autofree char *when = NULL;
  g_autofree char *when_full = NULL;
  g_autofree char *excerpt = NULL;
  g_autofree char *byline = NULL;
  g_autofree char *follow_up_text = NULL;
  const char *outcome_class;

  if (entry->local != NULL)
    {
      outcome = cn_call_log_get_outcome (entry->local);
      notes = cn_call_log_get_notes (entry->local);
      follow_up = cn_call_log_get_follow_up (entry->local);
      who = _("You");
    }
  else
    {
      outcome = entry->remote->outcome;
      notes = entry->remote->notes;
      follow_up = entry->remote->follow_up_date;
      who = entry->remote->user_name != NULL && *entry->remote->user_name != '\0'
            ? entry->remote->user_name : _("Someone on the team");
    }

  row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_margin_top (box, 10);
  gtk_widget_set_margin_bottom (box, 10);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  icon = gtk_image_new_from_icon_name (cn_outcome_get_icon_name (outcome) != NULL
                                       ? cn_outcome_get_icon_name (outcome)
                                       : "dialog-question-symbolic");
  gtk_image_set_pixel_size (GTK_IMAGE (icon), 16);
  gtk_widget_set_valign (icon, GTK_ALIGN_START);
  outcome_class = cn_outcome_get_css_class (outcome);
  if (outcome_class != NULL)
    {
      gtk_widget_add_css_class (icon, "cn-outcome-badge");
      gtk_widget_add_css_class (icon, outcome_class);
    }
  else
    {
      /* No colour for an outcome this version does not know: a plain
       * icon the size of a badge. */
      gtk_image_set_pixel_size (GTK_IMAGE (icon), 32);
      gtk_widget_add_css_class (icon, "dim-label");
    }
  gtk_box_append (GTK_BOX (box), icon);

  texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_widget_set_valign (texts, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), texts);

  top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  gtk_box_append (GTK_BOX (texts), top);

  title = make_label (cn_outcome_get_label (outcome) != NULL ? cn_outcome_get_label (outcome)
                                                              : _("Unknown Outcome"),
                      "heading", NULL);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (top), title);

  when = cn_format_relative_time (entry->created_at, now, NULL);
  time = make_label (when, "dim-label", "caption", "numeric", NULL);
  gtk_label_set_xalign (GTK_LABEL (time), 1);
  when_full = full_time (entry->created_at);
  gtk_widget_set_tooltip_text (time, when_full);
  gtk_box_append (GTK_BOX (top), time);

  if (follow_up > 0)
    {
      g_autofree char *due = cn_format_relative_time (follow_up, now, NULL);

      /* Translators: %s is a time such as “Tomorrow 09:00” */
      follow_up_text = g_strdup_printf (_("follow-up %s"), due);
    }

  if (entry->local != NULL && entry->remote != NULL)
    /* Translators: who logged a call; shown as “You · on the team backend” */
    byline = g_strdup_printf (_("%s · on the team backend"), who);
  else if (entry->local != NULL && self->remote_calls != NULL && self->config != NULL)
    /* Translators: who logged a call; shown as “You · not on the team backend yet” */
    byline = g_strdup_printf (_("%s · not on the team backend yet"), who);
  else
    byline = g_strdup (who);

  if (follow_up_text != NULL)
    {
      char *longer = g_strdup_printf ("%s · %s", byline, follow_up_text);

      g_free (byline);
      byline = longer;
    }

  subtitle = make_label (byline, "dim-label", "caption", NULL);
  gtk_label_set_ellipsize (GTK_LABEL (subtitle), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (texts), subtitle);

  excerpt = notes_excerpt (notes);
  if (excerpt != NULL)
    {
      GtkWidget *notes_label = make_label (excerpt, "cn-notes-summary", NULL);

      gtk_label_set_wrap (GTK_LABEL (notes_label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (notes_label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_lines (GTK_LABEL (notes_label), 3);
      gtk_label_set_ellipsize (GTK_LABEL (notes_label), PANGO_ELLIPSIZE_END);
      gtk_widget_set_margin_top (notes_label, 3);
      gtk_box_append (GTK_BOX (texts), notes_label);
    }

  return row;
}

static void
rebuild (CnContactHistoryWindow *self)
{
  GtkWidget *child;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint n;
  g_autofree char *count = NULL;

  g_clear_pointer (&self->entries, g_ptr_array_unref);
  self->entries = cn_contact_timeline_merge (self->local_logs, self->remote_calls);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);

  for (guint i = 0; i < self->entries->len; i++)
    gtk_list_box_append (self->list, create_entry_row (self, g_ptr_array_index (self->entries, i),
                                                       now));

  n = self->entries->len;
  gtk_widget_set_visible (GTK_WIDGET (self->list), n > 0);
  count = g_strdup_printf (ngettext ("%u call", "%u calls", n), n);
  adw_window_title_set_subtitle (self->window_title, count);

  gtk_widget_set_visible (GTK_WIDGET (self->more_button),
                          self->remote_more && !self->remote_loading);
}


/* ---- loading ---- */

typedef struct {
  CnDatabase *db;
  char       *contact_id;
  CnCallLog  *log;     /* shown alone when there is no contact */
} LocalLoad;

static void
local_load_free (LocalLoad *load)
{
  g_clear_object (&load->db);
  g_free (load->contact_id);
  g_clear_object (&load->log);
  g_free (load);
}

static void
load_local_in_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  LocalLoad *load = task_data;
  GError *error = NULL;
  GPtrArray *logs;

  logs = cn_database_list_calls_for_contact (load->db, load->contact_id, LOCAL_LIMIT, &error);
  if (logs == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, logs, (GDestroyNotify) g_ptr_array_unref);
}

static void
on_local_loaded (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(CnContactHistoryWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *logs = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->cancellable == NULL)
    {
      g_clear_pointer (&logs, g_ptr_array_unref);
      return;
    }

  self->local_loading = FALSE;
  if (logs == NULL)
    {
      /* At least the log the window was opened for. */
      g_message ("Could not read the contact's calls: %s", error->message);
      logs = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_add (logs, g_object_ref (self->log));
      set_status (self, STATUS_ERROR, error->message, FALSE);
    }

  g_clear_pointer (&self->local_logs, g_ptr_array_unref);
  self->local_logs = logs;
  rebuild (self);
}

static void
load_local (CnContactHistoryWindow *self)
{
  g_autoptr(GTask) task = NULL;
  LocalLoad *load = g_new0 (LocalLoad, 1);

  load->db = g_object_ref (self->db);
  load->contact_id = g_strdup (self->contact_id);
  load->log = g_object_ref (self->log);

  self->local_loading = TRUE;
  /* No source object: the thread may drop the last reference to the task,
   * and a window must not be finalized there. */
  task = g_task_new (NULL, self->cancellable, on_local_loaded, g_object_ref (self));
  g_task_set_source_tag (task, load_local);
  g_task_set_task_data (task, load, (GDestroyNotify) local_load_free);
  g_task_run_in_thread (task, load_local_in_thread);
}

static void
on_remote_fetched (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(CnContactHistoryWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) calls = cn_backend_fetch_contact_calls_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->cancellable == NULL)
    return;

  self->remote_loading = FALSE;
  if (calls == NULL)
    {
      gboolean credentials = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED)
                             || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED)
                             || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_autofree char *text = NULL;

      /* Translators: %s says why, e.g. “The team backend could not be
       * reached: it refused the connection.” */
      text = g_strdup_printf (_("%s Only calls logged on this computer are shown."),
                              error->message);
      set_status (self, STATUS_ERROR, text, !credentials);
      rebuild (self);
      return;
    }

  if (self->remote_calls == NULL)
    self->remote_calls = g_ptr_array_new_with_free_func ((GDestroyNotify) cn_remote_call_free);
  self->remote_more = calls->len >= REMOTE_PAGE;
  for (guint i = 0; i < calls->len; i++)
    g_ptr_array_add (self->remote_calls, cn_remote_call_copy (g_ptr_array_index (calls, i)));

  set_status (self, STATUS_NONE, NULL, FALSE);
  rebuild (self);
}

static void
fetch_remote (CnContactHistoryWindow *self)
{
  guint offset = self->remote_calls != NULL ? self->remote_calls->len : 0;

  g_assert (self->config != NULL);

  self->remote_loading = TRUE;
  set_status (self, STATUS_LOADING, _("Loading the team’s calls…"), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->more_button), FALSE);
  cn_backend_fetch_contact_calls_async (self->config, self->contact_id, offset, REMOTE_PAGE,
                                        self->cancellable, on_remote_fetched,
                                        g_object_ref (self));
}

static void
on_retry_clicked (CnContactHistoryWindow *self)
{
  if (self->config != NULL && !self->remote_loading)
    fetch_remote (self);
}

static void
on_more_clicked (CnContactHistoryWindow *self)
{
  if (self->config != NULL && !self->remote_loading)
    fetch_remote (self);
}

/* The backend can be asked when the worker has an address and a token and
 * sync to it is on; otherwise, the words for why not. */
static const char *
why_no_backend (CnSyncWorker *worker)
{
  const CnSyncConfig *config;

  if (worker == NULL)
    return _("Only calls logged on this computer are shown: sync is not running.");

  config = cn_sync_worker_get_config (worker);
  if (config == NULL || config->backend_url == NULL || *config->backend_url == '\0'
      || config->backend_token == NULL || *config->backend_token == '\0')
    return _("Only calls logged on this computer are shown. Set up the team backend in "
             "Preferences → Accounts to see the team’s calls too.");
  if (!config->backend_enabled)
    return _("Only calls logged on this computer are shown: sync to the team backend is off.");

  return NULL;
}

static void
start (CnContactHistoryWindow *self,
       CnSyncWorker           *worker,
       const char             *uuid)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  const char *reason;

  self->log = cn_database_get_call (self->db, uuid, &error);
  if (self->log == NULL)
    {
      adw_status_page_set_description (self->missing_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "missing");
      return;
    }

  /* Translators: the window title, %s is a contact's name or number */
  title = g_strdup_printf (_("History of %s"), cn_call_log_get_display_name (self->log));
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, title);

  self->contact_id = g_strdup (cn_call_log_get_contact_id (self->log));
  if (self->contact_id == NULL || *self->contact_id == '\0')
    {
      self->local_logs = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_add (self->local_logs, g_object_ref (self->log));
      set_status (self, STATUS_NOTE,
                  _("No contact is assigned to this call, so only this call is shown."), FALSE);
      rebuild (self);
      return;
    }

  load_local (self);

  reason = why_no_backend (worker);
  if (reason != NULL)
    {
      set_status (self, STATUS_NOTE, reason, FALSE);
      return;
    }

  self->config = cn_sync_config_copy (cn_sync_worker_get_config (worker));
  fetch_remote (self);
}


/* ---- GObject ---- */

static void
cn_contact_history_window_dispose (GObject *object)
{
  CnContactHistoryWindow *self = CN_CONTACT_HISTORY_WINDOW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), CN_TYPE_CONTACT_HISTORY_WINDOW);

  G_OBJECT_CLASS (cn_contact_history_window_parent_class)->dispose (object);
}

static void
cn_contact_history_window_finalize (GObject *object)
{
  CnContactHistoryWindow *self = CN_CONTACT_HISTORY_WINDOW (object);

  g_clear_object (&self->db);
  g_clear_pointer (&self->config, cn_sync_config_free);
  g_clear_object (&self->log);
  g_free (self->contact_id);
  g_free (self->status_text);
  g_clear_pointer (&self->local_logs, g_ptr_array_unref);
  g_clear_pointer (&self->remote_calls, g_ptr_array_unref);
  g_clear_pointer (&self->entries, g_ptr_array_unref);

  G_OBJECT_CLASS (cn_contact_history_window_parent_class)->finalize (object);
}

static void
cn_contact_history_window_class_init (CnContactHistoryWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cn_contact_history_window_dispose;
  object_class->finalize = cn_contact_history_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE "/cn-contact-history-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CnContactHistoryWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, CnContactHistoryWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CnContactHistoryWindow, status_list);
  gtk_widget_class_bind_template_child (widget_class, CnContactHistoryWindow, status_row);
  gtk_widget_class_bind_template_child (widget_class, CnContactHistoryWindow, status_spinner);
  gtk_widget_class_bind_template_child (widget_class, CnContactHistoryWindow, status_icon);
  gtk_widget_class_bind_template_child (widget_class, CnContactHistoryWindow, retry_button);
  gtk_widget_class_bind_template_child (widget_class, CnContactHistoryWindow, list);
  gtk_widget_class_bind_template_child (widget_class, CnContactHistoryWindow, more_button);
  gtk_widget_class_bind_template_child (widget_class, CnContactHistoryWindow, missing_page);
  gtk_widget_class_bind_template_callback (widget_class, on_retry_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_more_clicked);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cn_contact_history_window_init (CnContactHistoryWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
}

GtkWindow *
cn_contact_history_window_new (GtkWindow    *parent,
                               CnDatabase   *db,
                               CnSyncWorker *worker,
                               const char   *uuid)
{
  CnContactHistoryWindow *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CN_IS_DATABASE (db), NULL);
  g_return_val_if_fail (worker == NULL || CN_IS_SYNC_WORKER (worker), NULL);
  g_return_val_if_fail (uuid != NULL, NULL);

  self = g_object_new (CN_TYPE_CONTACT_HISTORY_WINDOW,
                       "transient-for", parent,
                       NULL);
  if (parent != NULL && gtk_window_get_application (parent) != NULL)
    gtk_window_set_application (GTK_WINDOW (self), gtk_window_get_application (parent));

  self->db = g_object_ref (db);
  start (self, worker, uuid);

  return GTK_WINDOW (self);
}

gboolean
cn_contact_history_window_is_loading (CnContactHistoryWindow *self)
{
  g_return_val_if_fail (CN_IS_CONTACT_HISTORY_WINDOW (self), FALSE);

  return self->local_loading || self->remote_loading;
}

GPtrArray *
cn_contact_history_window_get_entries (CnContactHistoryWindow *self)
{
  g_return_val_if_fail (CN_IS_CONTACT_HISTORY_WINDOW (self), NULL);

  return self->entries;
}

const char *
cn_contact_history_window_get_status (CnContactHistoryWindow *self)
{
  g_return_val_if_fail (CN_IS_CONTACT_HISTORY_WINDOW (self), NULL);

  return self->status_text;
}
