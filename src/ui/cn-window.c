/* cn-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-window"

#include "config.h"

#include <glib/gi18n.h>

#include "cn-call-card.h"
#include "cn-call-row.h"
#include "cn-contact-history-window.h"
#include "cn-export-dialog.h"
#include "cn-import-dialog.h"
#include "cn-scheduled-calls-window.h"
#include "cn-follow-ups-window.h"
#include "cn-live-pill.h"
#include "cn-sync-format.h"
#include "cn-sync-window.h"
#include "cn-today-panel.h"
#include "cn-window.h"

/* How often the window looks for commits of other processes (the command
 * line); one PRAGMA, well under a millisecond. */
#define WATCH_INTERVAL_MS 500

/* Rows the list knows about at first, and how many more it asks for when the
 * view nears the bottom (GTK's list keeps a little memory per row). */
#define ROWS_STEP 500

/* Overdue follow-ups counted at most (the header bar shows "99+"). */
#define MAX_OVERDUE_COUNT 100

/* Live calls listed from the database when the stream is set (a call in
 * progress when the window opened). */
#define LIVE_CALLS_AT_START 16

struct _CnWindow
{
  AdwApplicationWindow  parent_instance;

  /* template */
  AdwToastOverlay      *toast_overlay;
  GtkToggleButton      *search_button;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkDropDown          *outcome_dropdown;
  GtkStack             *stack;
  GtkListView          *list_view;
  GtkScrolledWindow    *scrolled_window;
  GtkButton            *sync_button;
  GtkImage             *sync_button_icon;
  GtkLabel             *sync_button_label;
  AdwWindowTitle       *window_title;
  CnLivePill           *live_pill;
  CnCallCard           *call_card;
  GtkButton            *follow_ups_button;
  GtkLabel             *follow_ups_label;
  CnTodayPanel         *today_panel;
  GtkActionBar         *selection_bar;
  GtkLabel             *selection_label;

  CnDatabase           *database;
  CnCallLogModel       *model;
  GtkMultiSelection    *selection;
  GSettings            *settings;
  gint64                data_version;
  guint                 watch_id;

  CnSyncWorker         *sync_worker;     /* may be NULL */
  CnSyncWindow         *sync_window;     /* weak; the open Sync page */
  CnEventStream        *event_stream;    /* may be NULL */
  AdwToast             *live_toast;      /* the live call's toast while it is up, or NULL */
  char                 *live_toast_sid;  /* the call it is about */
  CnFollowUpsWindow    *follow_ups_window; /* weak; the open Follow-ups page */
  gint64                overdue_minute;  /* the clock's minute at the last count */
  /* Rows bound to a log (CnCallRow, owned → the refresh stamp they were
   * last read at): their sync state follows the database without a rebind. */
  GHashTable           *bound_rows;
  guint                 sync_stamp;
  guint                 rows_idle_id;
  const char           *sync_button_class;
};

G_DEFINE_FINAL_TYPE (CnWindow, cn_window, ADW_TYPE_APPLICATION_WINDOW)

static void
update_stack (CnWindow *self)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  const char *search = cn_call_log_model_get_search (self->model);
  gboolean filtered = (search != NULL && *search != '\0') ||
                      cn_call_log_model_get_outcome (self->model) != CN_OUTCOME_NONE;

  if (n_items > 0)
    gtk_stack_set_visible_child_name (self->stack, "list");
  else
    gtk_stack_set_visible_child_name (self->stack, filtered ? "no-results" : "empty");
}

/* ---- sync state ------------------------------------------------------------ */

/* The last error of the log's job in @state (the one its row shows). */
static char *
dup_job_error (CnWindow   *self,
               const char *uuid,
               CnJobState  state)
{
  g_autoptr(GPtrArray) jobs = cn_database_list_jobs_for_call (self->database, uuid, NULL);

  for (guint i = 0; jobs != NULL && i < jobs->len; i++)
    {
      CnSyncJob *job = g_ptr_array_index (jobs, i);

      if (job->state == state && job->last_error != NULL && *job->last_error != '\0')
        return g_strdup (job->last_error);
    }

  return NULL;
}

/* One indexed query (a few µs); a second only for a row in trouble. */
static void
read_row_sync_state (CnWindow  *self,
                     CnCallRow *row)
{
  CnCallLog *log = cn_call_row_get_log (row);
  g_autofree char *error = NULL;
  gint64 next_attempt_at = 0;
  gint state;

  if (log == NULL)
    return;

  state = cn_database_get_sync_state (self->database, cn_call_log_get_uuid (log),
                                      &next_attempt_at, NULL);
  if (state == CN_JOB_NEEDS_ATTENTION || state == CN_JOB_NEEDS_CONTACT)
    error = dup_job_error (self, cn_call_log_get_uuid (log), state);

  cn_call_row_set_sync_state (row, state, next_attempt_at, error);
  g_hash_table_insert (self->bound_rows, g_object_ref (row), GUINT_TO_POINTER (self->sync_stamp));
}

/* Reads the rows not read since the stamp moved; rows the list rebound
 * meanwhile (after a reload) were read when bound and are skipped. */
static gboolean
on_rows_idle (gpointer user_data)
{
  CnWindow *self = user_data;
  g_autoptr(GPtrArray) stale = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer row, stamp;

  self->rows_idle_id = 0;

  g_hash_table_iter_init (&iter, self->bound_rows);
  while (g_hash_table_iter_next (&iter, &row, &stamp))
    if (GPOINTER_TO_UINT (stamp) != self->sync_stamp)
      g_ptr_array_add (stale, row);

  for (guint i = 0; i < stale->len; i++)
    read_row_sync_state (self, g_ptr_array_index (stale, i));

  return G_SOURCE_REMOVE;
}

static void
queue_rows_sync_state (CnWindow *self)
{
  if (self->rows_idle_id == 0)
    self->rows_idle_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, on_rows_idle, self, NULL);
}

static gboolean
sync_enabled (CnWindow *self)
{
  if (cn_database_get_sync_targets (self->database) != 0)
    return TRUE;

  return self->sync_worker != NULL &&
         cn_sync_config_get_targets (cn_sync_worker_get_config (self->sync_worker)) != 0;
}

static void
set_sync_button_class (CnWindow   *self,
                       const char *css_class)
{
  if (g_strcmp0 (self->sync_button_class, css_class) == 0)
    return;

  if (self->sync_button_class != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self->sync_button), self->sync_button_class);
  self->sync_button_class = css_class;
  if (css_class != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->sync_button), css_class);
}

/* The header bar's summary: attention wins over pending. */
static void
update_sync_button (CnWindow *self)
{
  guint counts[CN_JOB_N_STATES];
  g_autoptr(GError) error = NULL;
  g_autofree char *label = NULL;
  g_autofree char *description = NULL;
  const char *icon_name;
  const char *css_class;
  guint attention, pending;

  if (!cn_database_count_jobs (self->database, counts, &error))
    {
      g_warning ("Could not count the sync jobs: %s", error->message);
      return;
    }

  attention = counts[CN_JOB_NEEDS_ATTENTION] + counts[CN_JOB_NEEDS_CONTACT];
  pending = counts[CN_JOB_PENDING] + counts[CN_JOB_IN_FLIGHT] + counts[CN_JOB_WAITING];

  if (attention > 0)
    {
      /* Translators: in the header bar; sync jobs that stopped with an error */
      label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u needs attention",
                                            "%u need attention", attention), attention);
      icon_name = "dialog-warning-symbolic";
      css_class = "cn-sync-attention";
    }
  else if (pending > 0)
    {
      /* Translators: in the header bar; sync jobs not sent yet */
      label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u pending", "%u pending", pending),
                               pending);
      icon_name = counts[CN_JOB_WAITING] == pending ? "preferences-system-time-symbolic"
                                                    : "emblem-synchronizing-symbolic";
      css_class = "cn-sync-pending";
    }
  else
    {
      label = g_strdup (_("All synced"));
      icon_name = "emblem-ok-symbolic";
      css_class = "cn-sync-done";
    }

  gtk_label_set_text (self->sync_button_label, label);
  gtk_image_set_from_icon_name (self->sync_button_icon, icon_name);
  set_sync_button_class (self, css_class);
  /* Only trouble stands out; otherwise it is a quiet indicator. */
  if (attention > 0)
    gtk_widget_remove_css_class (GTK_WIDGET (self->sync_button), "flat");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->sync_button), "flat");

  /* Translators: the header bar's sync button, for screen readers and its
   * tooltip; %s is e.g. "2 need attention" */
  description = g_strdup_printf (_("Sync Status: %s"), label);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->sync_button), description);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->sync_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, description, -1);

  /* With sync off and nothing left to send there is nothing to tell. */
  gtk_widget_set_visible (GTK_WIDGET (self->sync_button),
                          attention + pending > 0 || sync_enabled (self));
}

/* ---- follow-ups ------------------------------------------------------------- */

/* The header bar shows how many follow-ups are overdue, when there are. */
static void
update_follow_ups_button (CnWindow *self)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint overdue = cn_follow_ups_count_overdue (self->database, now, MAX_OVERDUE_COUNT);
  g_autofree char *label = NULL;
  g_autofree char *description = NULL;

  self->overdue_minute = now / 60;
  if (overdue < 0)
    return;

  if (overdue >= MAX_OVERDUE_COUNT)
    /* Translators: in the header bar, more than 99 overdue follow-ups */
    label = g_strdup (_("99+"));
  else
    label = g_strdup_printf ("%d", overdue);
  gtk_label_set_text (self->follow_ups_label, label);

  /* Translators: the header bar's follow-ups button, for screen readers and
   * its tooltip; %s is a number such as "3" or "99+" */
  description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s Overdue Follow-up",
                                              "%s Overdue Follow-ups", overdue), label);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->follow_ups_button), description);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->follow_ups_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, description, -1);
  gtk_widget_set_visible (GTK_WIDGET (self->follow_ups_button), overdue > 0);
}

void
cn_window_refresh (CnWindow *self)
{
  g_return_if_fail (CN_IS_WINDOW (self));

  /* Every row is stale from here on; those the reload rebinds are read
   * at once, the others once the list is done. */
  self->sync_stamp++;
  self->data_version = cn_database_get_data_version (self->database);
  cn_call_log_model_reload (self->model);
  update_stack (self);
  update_sync_button (self);
  update_follow_ups_button (self);
  cn_today_panel_queue_refresh (self->today_panel);
  queue_rows_sync_state (self);
}

static gboolean
on_watch (gpointer user_data)
{
  CnWindow *self = user_data;
  gint64 version = cn_database_get_data_version (self->database);

  if (version != self->data_version)
    cn_window_refresh (self);
  else if (g_get_real_time () / G_USEC_PER_SEC / 60 != self->overdue_minute)
    update_follow_ups_button (self);   /* follow-ups fall due as time goes by */

  return G_SOURCE_CONTINUE;
}

/* The worker wrote results: the data version moved, so this is the watch,
 * only sooner (and the next poll finds nothing new). */
static void
on_worker_changed (CnWindow *self)
{
  on_watch (self);
}

/* ---- list ------------------------------------------------------------------ */

static void
on_setup_row (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  gtk_list_item_set_child (item, cn_call_row_new ());
}

static void
on_bind_row (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             CnWindow                 *self)
{
  CnCallRow *row = CN_CALL_ROW (gtk_list_item_get_child (item));

  cn_call_row_set_log (row, gtk_list_item_get_item (item));
  read_row_sync_state (self, row);
}

static void
on_unbind_row (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               CnWindow                 *self)
{
  CnCallRow *row = CN_CALL_ROW (gtk_list_item_get_child (item));

  cn_call_row_set_log (row, NULL);
  if (self->bound_rows != NULL)
    g_hash_table_remove (self->bound_rows, row);
}

static void
on_activate (CnWindow *self,
             guint     position)
{
  g_autoptr(CnCallLog) log = g_list_model_get_item (G_LIST_MODEL (self->model), position);

  if (log != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "app.edit-call", "s",
                                cn_call_log_get_uuid (log));
}

static void
on_scrolled (CnWindow      *self,
             GtkAdjustment *adjustment)
{
  double value = gtk_adjustment_get_value (adjustment);
  double page = gtk_adjustment_get_page_size (adjustment);
  double upper = gtk_adjustment_get_upper (adjustment);
  guint limit = cn_call_log_model_get_limit (self->model);

  /* Within three screens of the end: show the next rows. */
  if (value + 4 * page >= upper &&
      limit < cn_call_log_model_get_total (self->model))
    cn_call_log_model_set_limit (self->model, limit + ROWS_STEP);
}

/* ---- search and filter ----------------------------------------------------- */

static void
on_search_changed (CnWindow *self)
{
  cn_call_log_model_set_limit (self->model, ROWS_STEP);
  cn_call_log_model_set_search (self->model, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  update_stack (self);
}

static void
on_outcome_selected (CnWindow *self)
{
  guint selected = gtk_drop_down_get_selected (self->outcome_dropdown);
  CnOutcome outcome = selected == GTK_INVALID_LIST_POSITION ? CN_OUTCOME_NONE : (CnOutcome) selected;

  cn_call_log_model_set_outcome (self->model, outcome);
  g_settings_set_enum (self->settings, "history-outcome-filter", outcome);
  update_stack (self);
}

static void
on_search_mode (CnWindow *self)
{
  /* Closing the search bar shows every call again. */
  if (!gtk_search_bar_get_search_mode (self->search_bar))
    {
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
      gtk_drop_down_set_selected (self->outcome_dropdown, 0);
    }
}

/* ---- actions ---------------------------------------------------------------- */

static void
on_search_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CnWindow *self = CN_WINDOW (widget);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
on_call_again_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CnWindow *self = CN_WINDOW (widget);
  g_autoptr(CnCallLog) log = cn_database_get_call (self->database,
                                                   g_variant_get_string (parameter, NULL), NULL);
  const char *phone;
  g_autofree char *uri = NULL;

  if (log == NULL)
    return;

  phone = cn_call_log_get_phone (log);
  if (phone == NULL)
    {
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   adw_toast_new (_("This call has no number to dial.")));
      return;
    }

  if (cn_call_log_get_extension (log) != NULL)
    uri = g_strdup_printf ("tel:%s;ext=%s", phone, cn_call_log_get_extension (log));
  else
    uri = g_strdup_printf ("tel:%s", phone);

  gtk_widget_activate_action (widget, "app.dial", "s", uri);
}

static void
on_edit_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  gtk_widget_activate_action (widget, "app.edit-call", "s", g_variant_get_string (parameter, NULL));
}

/* Deleting and restoring write to the database: the store's worker does it,
 * so another program holding the database never freezes the window. */
typedef struct {
  CnWindow *window;
  char     *uuid;
  char     *who;       /* for the toast */
  gboolean  restore;
} Change;

static void
change_free (Change *change)
{
  g_object_unref (change->window);
  g_free (change->uuid);
  g_free (change->who);
  g_free (change);
}

static void
on_change_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Change *change = user_data;
  CnWindow *self = change->window;
  g_autoptr(GError) error = NULL;
  gboolean ok = cn_database_delete_call_finish (CN_DATABASE (source), result, &error);
  AdwToast *toast;
  g_autofree char *title = NULL;

  if (self->model == NULL)   /* the window closed meanwhile */
    goto out;

  if (!ok)
    {
      g_autofree char *message = g_strdup_printf (change->restore
                                                  ? _("The call was not restored: %s")
                                                  : _("The call was not deleted: %s"),
                                                  error->message);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
      goto out;
    }

  cn_window_refresh (self);

  if (change->restore)
    {
      cn_window_select_log (self, change->uuid);
      goto out;
    }

  /* Translators: %s is a contact name or phone number */
  title = g_strdup_printf (_("Call with %s deleted"), change->who);
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_action_name (toast, "win.undo-delete");
  adw_toast_set_action_target_value (toast, g_variant_new_string (change->uuid));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);

out:
  change_free (change);
}

static void
change_call (CnWindow   *self,
             const char *uuid,
             gboolean    restore)
{
  g_autoptr(CnCallLog) log = restore ? NULL : cn_database_get_call (self->database, uuid, NULL);
  Change *change = g_new0 (Change, 1);

  change->window = g_object_ref (self);
  change->uuid = g_strdup (uuid);
  change->who = g_strdup (log != NULL ? cn_call_log_get_display_name (log) : "?");
  change->restore = restore;

  cn_database_delete_call_async (self->database, uuid, restore, NULL, on_change_done, change);
}

static void
on_delete_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  change_call (CN_WINDOW (widget), g_variant_get_string (parameter, NULL), FALSE);
}

static void
on_undo_delete_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  change_call (CN_WINDOW (widget), g_variant_get_string (parameter, NULL), TRUE);
}

/* ---- selection and bulk delete ------------------------------------------------ */

static GtkBitset *
get_selected (CnWindow *self)
{
  return gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
}

static guint
count_selected (CnWindow *self)
{
  g_autoptr(GtkBitset) selected = get_selected (self);

  return (guint) MIN (gtk_bitset_get_size (selected), G_MAXUINT);
}

/* The bar at the bottom says how many rows are selected once there are
 * several (one selected row is the list's ordinary cursor). */
static void
update_selection (CnWindow *self)
{
  guint n = count_selected (self);
  g_autofree char *label = NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.unselect-all", n > 0);
  gtk_action_bar_set_revealed (self->selection_bar, n > 1);
  if (n <= 1)
    return;

  /* Translators: in the bar under the history when rows are selected */
  label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u selected", "%u selected", n), n);
  gtk_label_set_text (self->selection_label, label);
}

/* UUIDs of the selected rows, in list order (each read from the model's
 * pages); NULL when more than CN_DATABASE_MAX_BULK_CALLS are selected. */
static GStrv
dup_selected_uuids (CnWindow *self)
{
  g_autoptr(GtkBitset) selected = get_selected (self);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  GtkBitsetIter iter;
  guint position;

  if (gtk_bitset_get_size (selected) > CN_DATABASE_MAX_BULK_CALLS)
    return NULL;

  for (gboolean more = gtk_bitset_iter_init_first (&iter, selected, &position); more;
       more = gtk_bitset_iter_next (&iter, &position))
    {
      g_autoptr(CnCallLog) log = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

      if (log != NULL)
        g_strv_builder_add (builder, cn_call_log_get_uuid (log));
    }

  return g_strv_builder_end (builder);
}

typedef struct {
  CnWindow *window;
  GStrv     uuids;
  gboolean  restore;
} BulkChange;

static void
bulk_change_free (BulkChange *change)
{
  g_object_unref (change->window);
  g_strfreev (change->uuids);
  g_free (change);
}

static void
on_bulk_change_done (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  BulkChange *change = user_data;
  CnWindow *self = change->window;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  guint n_changed = 0;
  AdwToast *toast;

  if (!cn_database_delete_calls_finish (CN_DATABASE (source), result, &n_changed, &error))
    {
      g_autofree char *message = NULL;

      if (self->model != NULL)
        {
          message = g_strdup_printf (change->restore ? _("The calls were not restored: %s")
                                                     : _("The calls were not deleted: %s"),
                                     error->message);
          adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
        }
      goto out;
    }

  if (self->model == NULL)   /* the window closed meanwhile */
    goto out;

  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
  cn_window_refresh (self);
  if (change->restore || n_changed == 0)
    goto out;

  /* Translators: a toast after deleting several calls at once */
  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u call deleted", "%u calls deleted",
                                        n_changed), n_changed);
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_action_name (toast, "win.undo-delete-calls");
  adw_toast_set_action_target_value (toast,
                                     g_variant_new_strv ((const char * const *) change->uuids, -1));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);

out:
  bulk_change_free (change);
}

static void
change_calls (CnWindow           *self,
              const char * const *uuids,
              gboolean            restore)
{
  BulkChange *change = g_new0 (BulkChange, 1);

  change->window = g_object_ref (self);
  change->uuids = g_strdupv ((char **) uuids);
  change->restore = restore;
  cn_database_delete_calls_async (self->database, uuids, restore, NULL, on_bulk_change_done,
                                  change);
}

static void
on_delete_calls_response (AdwMessageDialog *dialog,
                          const char       *response,
                          CnWindow         *self)
{
  const char * const *uuids = g_object_get_data (G_OBJECT (dialog), "uuids");

  if (g_strcmp0 (response, "delete") == 0 && uuids != NULL)
    change_calls (self, uuids, FALSE);
}

/* Several rows: asks first, saying what happens to those already synced
 * (nothing: a delete here never reaches the backend or the CRM). */
static void
confirm_delete_calls (CnWindow *self,
                      GStrv     uuids)
{
  guint n = g_strv_length (uuids);
  g_autoptr(GError) error = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;
  gint synced;

  synced = cn_database_count_synced (self->database, (const char * const *) uuids, &error);
  if (synced < 0)
    g_message ("Could not tell which calls are synced: %s", error->message);

  /* Translators: a dialog's heading, asking before several calls are deleted */
  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Delete %u Call?", "Delete %u Calls?",
                                          n), n);
  if (synced > 0)
    /* Translators: the second %u counts some of the calls being deleted */
    body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u of them is already synced; it stays on the team "
                                         "backend and in the CRM, and is removed only from this "
                                         "computer.",
                                         "%u of them are already synced; they stay on the team "
                                         "backend and in the CRM, and are removed only from this "
                                         "computer.",
                                         synced), synced);
  else
    body = g_strdup (_("None of them is synced yet: they are removed from this computer and "
                       "never sent. Undo brings them back."));

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "uuids", uuids, (GDestroyNotify) g_strfreev);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_delete_calls_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Delete: one selected row goes at once (Undo in the toast), as before;
 * several are confirmed first. */
static void
on_delete_selected_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  CnWindow *self = CN_WINDOW (widget);
  g_autoptr(GtkBitset) selected = get_selected (self);
  guint64 n = gtk_bitset_get_size (selected);
  GStrv uuids;

  if (n == 0)
    return;

  if (n == 1)
    {
      g_autoptr(CnCallLog) log = g_list_model_get_item (G_LIST_MODEL (self->selection),
                                                        gtk_bitset_get_minimum (selected));

      if (log != NULL)
        gtk_widget_activate_action (widget, "win.delete", "s", cn_call_log_get_uuid (log));
      return;
    }

  uuids = dup_selected_uuids (self);
  if (uuids == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("At most %u calls can be deleted at once."),
                                                  CN_DATABASE_MAX_BULK_CALLS);

      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
      return;
    }

  confirm_delete_calls (self, uuids);
}

static void
on_undo_delete_calls_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  g_autofree const char **uuids = g_variant_get_strv (parameter, NULL);

  change_calls (CN_WINDOW (widget), uuids, TRUE);
}

static void
on_select_all_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CnWindow *self = CN_WINDOW (widget);

  gtk_selection_model_select_all (GTK_SELECTION_MODEL (self->selection));
}

/* Ctrl+A and Escape for the list from anywhere in the window but a text
 * field (whose Ctrl+A selects its text) or a popover (Escape closes it).
 * They are caught before the search bar's type-to-search, which would
 * hand them to the search entry. */
static gboolean
on_selection_key (GtkWidget *widget,
                  GVariant  *args,
                  gpointer   user_data)
{
  CnWindow *self = CN_WINDOW (widget);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  gboolean select_all = GPOINTER_TO_INT (user_data);

  if (focus != NULL &&
      (GTK_IS_EDITABLE (focus) || gtk_widget_get_native (focus) != GTK_NATIVE (self)))
    return FALSE;
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "list") != 0)
    return FALSE;

  if (select_all)
    return gtk_selection_model_select_all (GTK_SELECTION_MODEL (self->selection));

  if (count_selected (self) == 0)
    return FALSE;
  return gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
}

static void
add_selection_keys (CnWindow *self)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();
  GtkShortcutController *shortcuts = GTK_SHORTCUT_CONTROLLER (controller);

  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (shortcuts,
    gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_a, GDK_CONTROL_MASK),
                      gtk_callback_action_new (on_selection_key, GINT_TO_POINTER (TRUE), NULL)));
  gtk_shortcut_controller_add_shortcut (shortcuts,
    gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                      gtk_callback_action_new (on_selection_key, GINT_TO_POINTER (FALSE), NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

static void
on_unselect_all_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  CnWindow *self = CN_WINDOW (widget);

  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
}

/* Export…: the current search and outcome filter are offered as the scope. */
static void
on_export_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CnWindow *self = CN_WINDOW (widget);
  guint selected = gtk_drop_down_get_selected (self->outcome_dropdown);
  CnOutcome outcome = selected == GTK_INVALID_LIST_POSITION || selected > CN_OUTCOME_LAST
                      ? CN_OUTCOME_NONE : (CnOutcome) selected;

  cn_export_dialog_run (GTK_WINDOW (self),
                        gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), outcome);
}

static void
on_import_file_response (GtkNativeDialog *native,
                         int              response,
                         CnWindow        *self)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  CnImportDialog *dialog;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
  g_object_unref (native);
  if (file == NULL)
    return;

  dialog = cn_import_dialog_new (GTK_WINDOW (self), self->database, self->settings, file, &error);
  if (dialog == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Cannot import this file: %s"),
                                                  error->message);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
      return;
    }
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_import_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CnWindow *self = CN_WINDOW (widget);
  GtkFileChooserNative *native;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  native = gtk_file_chooser_native_new (_("Import Calls"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  gtk_file_filter_set_name (filter, _("CSV files"));
  gtk_file_filter_add_suffix (filter, "csv");
  gtk_file_filter_add_mime_type (filter, "text/csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  g_signal_connect_object (native, "response", G_CALLBACK (on_import_file_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
on_show_sync_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CnWindow *self = CN_WINDOW (widget);

  if (self->sync_window == NULL)
    {
      self->sync_window = cn_sync_window_new (GTK_WINDOW (self), self->database,
                                              self->sync_worker);
      g_object_add_weak_pointer (G_OBJECT (self->sync_window), (gpointer *) &self->sync_window);
      cn_sync_window_set_event_stream (self->sync_window, self->event_stream);
    }

  gtk_window_present (GTK_WINDOW (self->sync_window));
}

static void
on_show_follow_ups_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  CnWindow *self = CN_WINDOW (widget);

  if (self->follow_ups_window == NULL)
    {
      self->follow_ups_window = cn_follow_ups_window_new (GTK_WINDOW (self), self->database);
      g_object_add_weak_pointer (G_OBJECT (self->follow_ups_window),
                                 (gpointer *) &self->follow_ups_window);
    }

  gtk_window_present (GTK_WINDOW (self->follow_ups_window));
}

/* ---- live calls -------------------------------------------------------------- */

static void
on_live_toast_dismissed (AdwToast *toast,
                         CnWindow *self)
{
  if (self->live_toast != toast)
    return;

  g_clear_object (&self->live_toast);
  g_clear_pointer (&self->live_toast_sid, g_free);
}

static const char *
live_party (const CnStreamCall *call)
{
  if (call->contact_name != NULL && *call->contact_name != '\0')
    return call->contact_name;
  if (call->phone != NULL && *call->phone != '\0')
    return call->phone;
  return _("Unknown number");
}

/* The toast of a call that is over says so until it times out. (Not
 * dismissed: libadwaita 1.2 crashes when a toast is dismissed before its
 * show animation ran, and a call can end in the batch of events that
 * started it.) */
static void
end_live_toast (CnWindow           *self,
                const CnStreamCall *call)
{
  g_autofree char *title = NULL;

  if (self->live_toast == NULL || g_strcmp0 (self->live_toast_sid, call->call_sid) != 0)
    return;

  /* Translators: %s is a contact name or a phone number */
  title = g_strdup_printf (_("Call with %s ended"), live_party (call));
  adw_toast_set_title (self->live_toast, title);
}

/* One toast for the live calls, its words following the call heard of last
 * by its last step (as the event stream names them): "Calling …" while it
 * is placed or rings ("Incoming call from …" when it comes in), "In call
 * with …" once answered, "… ended" when it is over (hung up, busy, …). */
static void
show_live_toast (CnWindow           *self,
                 const CnStreamCall *call)
{
  guint n_steps = call->sequence != NULL ? g_strv_length (call->sequence) : 0;
  const char *step = n_steps > 0 ? call->sequence[n_steps - 1] : "live";
  g_autofree char *title = NULL;

  if (g_str_equal (step, "answered"))
    /* Translators: %s is a contact name or a phone number */
    title = g_strdup_printf (_("In call with %s…"), live_party (call));
  else if (g_str_equal (step, "incoming") ||
           (g_strcmp0 (call->direction, "inbound") == 0 && g_str_equal (step, "ringing")))
    /* Translators: %s is a contact name or phone number */
    title = g_strdup_printf (_("Incoming call from %s"), live_party (call));
  else if (g_str_equal (step, "dialing") || g_str_equal (step, "ringing") ||
           g_str_equal (step, "live"))
    /* Translators: %s is a contact name or a phone number */
    title = g_strdup_printf (_("Calling %s…"), live_party (call));

  if (call->completed || title == NULL)
    {
      end_live_toast (self, call);
      return;
    }

  g_free (self->live_toast_sid);
  self->live_toast_sid = g_strdup (call->call_sid);
  if (self->live_toast != NULL)
    {
      adw_toast_set_title (self->live_toast, title);
      return;
    }

  self->live_toast = adw_toast_new (title);
  g_signal_connect_object (self->live_toast, "dismissed", G_CALLBACK (on_live_toast_dismissed),
                           self, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, g_object_ref (self->live_toast));
}

static void
on_live_call (CnEventStream *stream,
              CnStreamCall  *call,
              CnWindow      *self)
{
  cn_live_pill_update (self->live_pill, call);
  show_live_toast (self, call);
}

static void
on_call_completed (CnEventStream *stream,
                   CnStreamCall  *call,
                   CnWindow      *self)
{
  cn_live_pill_end (self->live_pill, call->call_sid);
  end_live_toast (self, call);

  /* The card is for the agent at the window; a notification tells the
   * others (the application sends it). */
  if (gtk_window_is_active (GTK_WINDOW (self)) &&
      g_settings_get_boolean (self->settings, "popup-call-completed"))
    cn_call_card_show_call (self->call_card, call);
}

/* Calls in progress before the window opened (or the stream came). */
static void
show_stored_live_calls (CnWindow *self)
{
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GError) error = NULL;

  calls = cn_database_list_stream_calls (self->database, FALSE, LIVE_CALLS_AT_START, &error);
  if (calls == NULL)
    {
      g_message ("Could not list the live calls: %s", error->message);
      return;
    }

  /* Oldest first: the newest is heard of last, so it is the one shown. The
   * pill drops those not heard of for too long. */
  for (guint i = calls->len; i > 0; i--)
    {
      CnStreamCall *call = g_ptr_array_index (calls, i - 1);

      if (!call->completed)
        cn_live_pill_update (self->live_pill, call);
    }
}

static void
on_show_contact_history_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  CnWindow *self = CN_WINDOW (widget);
  GtkWindow *history;

  history = cn_contact_history_window_new (GTK_WINDOW (self), self->database, self->sync_worker,
                                           g_variant_get_string (parameter, NULL));
  if (history != NULL)
    gtk_window_present (history);
}

/* One Scheduled Calls window per history window: shown again when open. */
static void
on_show_scheduled_calls_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  CnWindow *self = CN_WINDOW (widget);
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (CN_IS_SCHEDULED_CALLS_WINDOW (l->data)
        && gtk_window_get_transient_for (l->data) == GTK_WINDOW (self))
      {
        gtk_window_present (l->data);
        return;
      }

  gtk_window_present (cn_scheduled_calls_window_new (GTK_WINDOW (self), self->sync_worker));
}

/* ---- GObject ----------------------------------------------------------------- */

static gboolean
cn_window_close_request (GtkWindow *window)
{
  CnWindow *self = CN_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));

  return GTK_WINDOW_CLASS (cn_window_parent_class)->close_request (window);
}

static void
cn_window_dispose (GObject *object)
{
  CnWindow *self = CN_WINDOW (object);

  g_clear_handle_id (&self->watch_id, g_source_remove);
  g_clear_handle_id (&self->rows_idle_id, g_source_remove);
  if (self->sync_window != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->sync_window), (gpointer *) &self->sync_window);
      self->sync_window = NULL;
    }
  if (self->follow_ups_window != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->follow_ups_window),
                                    (gpointer *) &self->follow_ups_window);
      self->follow_ups_window = NULL;
    }
  if (self->sync_worker != NULL)
    g_signal_handlers_disconnect_by_data (self->sync_worker, self);
  g_clear_object (&self->sync_worker);
  if (self->event_stream != NULL)
    g_signal_handlers_disconnect_by_data (self->event_stream, self);
  g_clear_object (&self->event_stream);
  g_clear_object (&self->live_toast);
  g_clear_pointer (&self->live_toast_sid, g_free);
  g_clear_pointer (&self->bound_rows, g_hash_table_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), CN_TYPE_WINDOW);
  g_clear_object (&self->selection);
  g_clear_object (&self->model);
  g_clear_object (&self->database);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (cn_window_parent_class)->dispose (object);
}

static void
cn_window_class_init (CnWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = cn_window_dispose;
  window_class->close_request = cn_window_close_request;

  g_type_ensure (CN_TYPE_LIVE_PILL);
  g_type_ensure (CN_TYPE_CALL_CARD);
  g_type_ensure (CN_TYPE_TODAY_PANEL);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/cn-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CnWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CnWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, CnWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, CnWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CnWindow, outcome_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CnWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CnWindow, list_view);
  gtk_widget_class_bind_template_child (widget_class, CnWindow, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, CnWindow, sync_button);
  gtk_widget_class_bind_template_child (widget_class, CnWindow, sync_button_icon);
  gtk_widget_class_bind_template_child (widget_class, CnWindow, sync_button_label);
  gtk_widget_class_bind_template_child (widget_class, CnWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, CnWindow, live_pill);
  gtk_widget_class_bind_template_child (widget_class, CnWindow, call_card);
  gtk_widget_class_bind_template_child (widget_class, CnWindow, follow_ups_button);
  gtk_widget_class_bind_template_child (widget_class, CnWindow, follow_ups_label);
  gtk_widget_class_bind_template_child (widget_class, CnWindow, today_panel);
  gtk_widget_class_bind_template_child (widget_class, CnWindow, selection_bar);
  gtk_widget_class_bind_template_child (widget_class, CnWindow, selection_label);

  gtk_widget_class_install_action (widget_class, "win.search", NULL, on_search_action);
  gtk_widget_class_install_action (widget_class, "win.call-again", "s", on_call_again_action);
  gtk_widget_class_install_action (widget_class, "win.edit", "s", on_edit_action);
  gtk_widget_class_install_action (widget_class, "win.delete", "s", on_delete_action);
  gtk_widget_class_install_action (widget_class, "win.undo-delete", "s", on_undo_delete_action);
  gtk_widget_class_install_action (widget_class, "win.delete-selected", NULL,
                                   on_delete_selected_action);
  gtk_widget_class_install_action (widget_class, "win.undo-delete-calls", "as",
                                   on_undo_delete_calls_action);
  gtk_widget_class_install_action (widget_class, "win.select-all", NULL, on_select_all_action);
  gtk_widget_class_install_action (widget_class, "win.unselect-all", NULL,
                                   on_unselect_all_action);
  gtk_widget_class_install_action (widget_class, "win.show-sync", NULL, on_show_sync_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, on_export_action);
  gtk_widget_class_install_action (widget_class, "win.import", NULL, on_import_action);
  gtk_widget_class_install_action (widget_class, "win.show-contact-history", "s",
                                   on_show_contact_history_action);
  gtk_widget_class_install_action (widget_class, "win.show-scheduled-calls", NULL,
                                   on_show_scheduled_calls_action);
  gtk_widget_class_install_action (widget_class, "win.show-follow-ups", NULL,
                                   on_show_follow_ups_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "win.delete-selected", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.show-follow-ups", NULL);
}

static void
cn_window_init (CnWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->bound_rows = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->settings = g_settings_new (APP_ID);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  g_object_bind_property (self->search_button, "active", self->search_bar, "search-mode-enabled",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));
  /* After it: a widget's controllers run newest first, and the search bar's
   * type-to-search would hand Ctrl+A and Escape to the search entry. */
  add_selection_keys (self);

  /* The call in progress takes the title's place. */
  g_object_bind_property (self->live_pill, "visible", self->window_title, "visible",
                          G_BINDING_INVERT_BOOLEAN | G_BINDING_SYNC_CREATE);
}

CnWindow *
cn_window_new (GtkApplication *application,
               CnDatabase     *database)
{
  CnWindow *self;
  GtkListItemFactory *factory;
  CnOutcome outcome;

  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (CN_IS_DATABASE (database), NULL);

  self = g_object_new (CN_TYPE_WINDOW, "application", application, NULL);
  self->database = g_object_ref (database);
  self->model = cn_call_log_model_new (database);
  cn_call_log_model_set_limit (self->model, ROWS_STEP);

  outcome = g_settings_get_enum (self->settings, "history-outcome-filter");
  cn_call_log_model_set_outcome (self->model, outcome);
  gtk_drop_down_set_selected (self->outcome_dropdown, outcome);
  if (outcome != CN_OUTCOME_NONE)
    gtk_search_bar_set_search_mode (self->search_bar, TRUE);

  /* Ctrl+click and Shift+click select several rows; Ctrl+A the rows the
   * list holds (it grows as one scrolls), never the whole history. */
  self->selection = gtk_multi_selection_new (g_object_ref (G_LIST_MODEL (self->model)));
  g_signal_connect_object (self->selection, "selection-changed", G_CALLBACK (update_selection),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "items-changed", G_CALLBACK (update_selection), self,
                           G_CONNECT_SWAPPED);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (on_setup_row), NULL);
  g_signal_connect_object (factory, "bind", G_CALLBACK (on_bind_row), self, 0);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (on_unbind_row), self, 0);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect_object (self->list_view, "activate", G_CALLBACK (on_activate), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->scrolled_window),
                           "value-changed", G_CALLBACK (on_scrolled), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search_entry, "search-changed", G_CALLBACK (on_search_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->outcome_dropdown, "notify::selected",
                           G_CALLBACK (on_outcome_selected), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search_bar, "notify::search-mode-enabled",
                           G_CALLBACK (on_search_mode), self, G_CONNECT_SWAPPED);

  self->data_version = cn_database_get_data_version (database);
  self->watch_id = g_timeout_add (WATCH_INTERVAL_MS, on_watch, self);
  cn_today_panel_set_database (self->today_panel, database);
  update_stack (self);
  update_sync_button (self);
  update_follow_ups_button (self);
  update_selection (self);

  return self;
}

void
cn_window_set_sync_worker (CnWindow     *self,
                           CnSyncWorker *worker)
{
  g_return_if_fail (CN_IS_WINDOW (self));
  g_return_if_fail (worker == NULL || CN_IS_SYNC_WORKER (worker));

  if (self->sync_worker == worker)
    return;

  if (self->sync_worker != NULL)
    g_signal_handlers_disconnect_by_data (self->sync_worker, self);
  g_set_object (&self->sync_worker, worker);
  if (worker != NULL)
    g_signal_connect_object (worker, "changed", G_CALLBACK (on_worker_changed), self,
                             G_CONNECT_SWAPPED);

  if (self->sync_window != NULL)
    cn_sync_window_set_worker (self->sync_window, worker);
  update_sync_button (self);
}

void
cn_window_set_event_stream (CnWindow      *self,
                            CnEventStream *stream)
{
  g_return_if_fail (CN_IS_WINDOW (self));
  g_return_if_fail (stream == NULL || CN_IS_EVENT_STREAM (stream));

  if (self->event_stream == stream)
    return;

  if (self->event_stream != NULL)
    g_signal_handlers_disconnect_by_data (self->event_stream, self);
  g_set_object (&self->event_stream, stream);
  if (self->sync_window != NULL)
    cn_sync_window_set_event_stream (self->sync_window, stream);
  if (stream == NULL)
    return;

  g_signal_connect_object (stream, "live-call", G_CALLBACK (on_live_call), self, 0);
  g_signal_connect_object (stream, "call-completed", G_CALLBACK (on_call_completed), self, 0);
  show_stored_live_calls (self);
}

CnCallLogModel *
cn_window_get_model (CnWindow *self)
{
  g_return_val_if_fail (CN_IS_WINDOW (self), NULL);

  return self->model;
}

void
cn_window_add_toast (CnWindow *self,
                     AdwToast *toast)
{
  g_return_if_fail (CN_IS_WINDOW (self));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
cn_window_select_log (CnWindow   *self,
                      const char *uuid)
{
  gint position;

  g_return_if_fail (CN_IS_WINDOW (self));

  position = cn_call_log_model_find (self->model, uuid);
  if (position < 0)
    return;

  gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u",
                              (guint) position);
}
