/* cn-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-window"

#include "config.h"

#include <glib/gi18n.h>

#include "cn-call-row.h"
#include "cn-window.h"

/* How often the window looks for commits of other processes (the command
 * line); one PRAGMA, well under a millisecond. */
#define WATCH_INTERVAL_MS 500

/* Rows the list knows about at first, and how many more it asks for when the
 * view nears the bottom (GTK's list keeps a little memory per row). */
#define ROWS_STEP 500

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

  CnDatabase           *database;
  CnCallLogModel       *model;
  GtkSingleSelection   *selection;
  GSettings            *settings;
  gint64                data_version;
  guint                 watch_id;
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

void
cn_window_refresh (CnWindow *self)
{
  g_return_if_fail (CN_IS_WINDOW (self));

  self->data_version = cn_database_get_data_version (self->database);
  cn_call_log_model_reload (self->model);
  update_stack (self);
}

static gboolean
on_watch (gpointer user_data)
{
  CnWindow *self = user_data;
  gint64 version = cn_database_get_data_version (self->database);

  if (version != self->data_version)
    cn_window_refresh (self);

  return G_SOURCE_CONTINUE;
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
             gpointer                  user_data)
{
  cn_call_row_set_log (CN_CALL_ROW (gtk_list_item_get_child (item)),
                       gtk_list_item_get_item (item));
}

static void
on_unbind_row (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  cn_call_row_set_log (CN_CALL_ROW (gtk_list_item_get_child (item)), NULL);
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

static void
on_delete_selected_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  CnWindow *self = CN_WINDOW (widget);
  CnCallLog *log = gtk_single_selection_get_selected_item (self->selection);

  if (log != NULL)
    gtk_widget_activate_action (widget, "win.delete", "s", cn_call_log_get_uuid (log));
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

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/cn-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CnWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CnWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, CnWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, CnWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CnWindow, outcome_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CnWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CnWindow, list_view);
  gtk_widget_class_bind_template_child (widget_class, CnWindow, scrolled_window);

  gtk_widget_class_install_action (widget_class, "win.search", NULL, on_search_action);
  gtk_widget_class_install_action (widget_class, "win.call-again", "s", on_call_again_action);
  gtk_widget_class_install_action (widget_class, "win.edit", "s", on_edit_action);
  gtk_widget_class_install_action (widget_class, "win.delete", "s", on_delete_action);
  gtk_widget_class_install_action (widget_class, "win.undo-delete", "s", on_undo_delete_action);
  gtk_widget_class_install_action (widget_class, "win.delete-selected", NULL,
                                   on_delete_selected_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "win.delete-selected", NULL);
}

static void
cn_window_init (CnWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

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

  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->model)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (on_setup_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (on_bind_row), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (on_unbind_row), NULL);
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
  update_stack (self);

  return self;
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

  gtk_single_selection_set_selected (self->selection, position);
  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u",
                              (guint) position);
}
