/* cn-scheduled-calls-window.c: the team backend's outbound call tasks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-scheduled-calls"

#include "config.h"

#include <glib/gi18n.h>

#include "cn-format.h"
#include "cn-outbound-calls.h"
#include "cn-scheduled-calls-window.h"

/* Calls asked for per page. */
#define PAGE_SIZE 20
/* Characters of a failure reason shown under a call. */
#define REASON_MAX_CHARS 300

struct _CnScheduledCallsWindow
{
  AdwWindow          parent_instance;

  AdwWindowTitle    *window_title;
  GtkDropDown       *filter_dropdown;
  GtkSpinner        *header_spinner;
  GtkStack          *stack;
  GtkSpinner        *loading_spinner;
  GtkListBox        *list;
  GtkLabel          *more_error_label;
  GtkButton         *more_button;
  GtkSpinner        *more_spinner;
  AdwStatusPage     *empty_page;
  AdwStatusPage     *error_page;
  GtkButton         *error_preferences_button;
  AdwStatusPage     *setup_page;

  CnSyncWorker      *worker;          /* may be NULL */
  GCancellable      *cancellable;     /* the load in flight, if any */
  guint              generation;      /* answers of older loads are dropped */

  GPtrArray         *calls;           /* CnOutboundCall, as shown */
  GHashTable        *shown_ids;       /* id → itself (owned by @calls) */
  guint              total;
  guint              pages;           /* pages loaded for the list shown */
  gboolean           loading;
  gboolean           more_possible;
  char              *error_text;
};

G_DEFINE_FINAL_TYPE (CnScheduledCallsWindow, cn_scheduled_calls_window, ADW_TYPE_WINDOW)

static void load (CnScheduledCallsWindow *self,
                  gboolean                append);


/* ---- statuses ---- */

static const char *
status_label (const char *status)
{
  static const struct { const char *status; const char *label; } labels[] = {
    { "pending", N_("Pending") },
    { "scheduled", N_("Scheduled") },
    { "dialing", N_("Dialing") },
    { "in_progress", N_("In Progress") },
    { "completed", N_("Completed") },
    { "failed", N_("Failed") },
    { "canceled", N_("Canceled") },
    { "no_answer", N_("No Answer") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (status, labels[i].status) == 0)
      return _(labels[i].label);

  return NULL;
}

/* "cn-status-in-progress"; "cn-status-unknown" for one this version does
 * not know. */
static char *
status_css_class (const char *status)
{
  char *css;

  if (!cn_outbound_status_is_known (status))
    return g_strdup ("cn-status-unknown");

  css = g_strconcat ("cn-status-", status, NULL);
  g_strdelimit (css, "_", '-');
  return css;
}

/* A status this version does not know, as sent, made printable. */
static char *
unknown_status_text (const char *status)
{
  char *text = g_utf8_make_valid (status != NULL ? status : "", -1);

  for (char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      *p = ' ';
  g_strdelimit (text, "_", ' ');
  return text;
}


/* ---- rows ---- */

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

static char *
full_time (gint64 unix_seconds)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_seconds);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

  /* Translators: a full date and time, see g_date_time_format() */
  return local != NULL ? g_date_time_format (local, _("%A, %e %B %Y, %H:%M")) : NULL;
}

/* One line, control characters out, at most REASON_MAX_CHARS. */
static char *
reason_excerpt (const char *reason)
{
  GString *out = g_string_new (NULL);
  guint n = 0;

  for (const char *p = reason; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (n++ >= REASON_MAX_CHARS)
        {
          g_string_append (out, "…");
          break;
        }
      if (g_unichar_isspace (c) || g_unichar_iscntrl (c))
        {
          if (out->len > 0 && out->str[out->len - 1] != ' ')
            g_string_append_c (out, ' ');
        }
      else
        g_string_append_unichar (out, c);
    }

  return g_strchomp (g_string_free (out, FALSE));
}

static GtkWidget *
create_row (const CnOutboundCall *call,
            gint64                now)
{
  const char *label = status_label (call->status);
  g_autofree char *unknown = label == NULL ? unknown_status_text (call->status) : NULL;
  g_autofree char *badge_class = status_css_class (call->status);
  gint64 when = call->scheduled_at != 0 ? call->scheduled_at : call->initiated_at;
  const char *name = call->recipient_name != NULL ? call->recipient_name
                     : call->recipient_number != NULL ? call->recipient_number
                     : _("Unknown Recipient");
  GtkWidget *row, *box, *texts, *top, *title, *badge, *number, *button;

  row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_add_css_class (row, "cn-scheduled-row");

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_margin_top (box, 10);
  gtk_widget_set_margin_bottom (box, 10);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_widget_set_valign (texts, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), texts);

  top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  gtk_box_append (GTK_BOX (texts), top);

  title = make_label (name, "heading", NULL);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (top), title);

  badge = gtk_label_new (label != NULL ? label : unknown);
  gtk_label_set_ellipsize (GTK_LABEL (badge), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (badge), 16);
  gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
  gtk_widget_set_halign (badge, GTK_ALIGN_START);
  gtk_widget_set_hexpand (badge, TRUE);
  gtk_widget_add_css_class (badge, "cn-status-badge");
  gtk_widget_add_css_class (badge, badge_class);
  gtk_box_append (GTK_BOX (top), badge);

  if (when != 0)
    {
      g_autofree char *relative = cn_format_relative_time (when, now, NULL);
      g_autofree char *full = full_time (when);
      GtkWidget *time = make_label (relative, "dim-label", "caption", "numeric", NULL);

      gtk_label_set_xalign (GTK_LABEL (time), 1);
      gtk_widget_set_valign (time, GTK_ALIGN_CENTER);
      if (full != NULL)
        {
          g_autofree char *tooltip = NULL;

          /* Translators: %s is a full date and time */
          tooltip = g_strdup_printf (call->scheduled_at != 0 ? _("Scheduled for %s")
                                                             : _("Started %s"), full);
          gtk_widget_set_tooltip_text (time, tooltip);
        }
      gtk_box_append (GTK_BOX (top), time);
    }

  /* The number under the name; a call without a name shows its number
   * once, as the title. */
  if (call->recipient_name != NULL || call->recipient_number == NULL)
    {
      number = make_label (call->recipient_number != NULL ? call->recipient_number
                                                          : _("No number"),
                           "dim-label", "caption", "numeric", NULL);
      gtk_label_set_ellipsize (GTK_LABEL (number), PANGO_ELLIPSIZE_END);
      gtk_box_append (GTK_BOX (texts), number);
    }

  if (call->failure_reason != NULL
      && (g_strcmp0 (call->status, "failed") == 0 || !cn_outbound_status_is_known (call->status)
          || g_strcmp0 (call->status, "no_answer") == 0))
    {
      g_autofree char *excerpt = reason_excerpt (call->failure_reason);

      if (*excerpt != '\0')
        {
          GtkWidget *reason = make_label (excerpt, "caption", "cn-failure-reason", NULL);

          gtk_label_set_wrap (GTK_LABEL (reason), TRUE);
          gtk_label_set_wrap_mode (GTK_LABEL (reason), PANGO_WRAP_WORD_CHAR);
          gtk_label_set_lines (GTK_LABEL (reason), 3);
          gtk_label_set_ellipsize (GTK_LABEL (reason), PANGO_ELLIPSIZE_END);
          gtk_widget_set_tooltip_text (reason, excerpt);
          gtk_box_append (GTK_BOX (texts), reason);
        }
    }

  button = gtk_button_new_from_icon_name ("call-start-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "circular");
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "cn-call-button");
  if (call->recipient_number != NULL)
    {
      g_autofree char *tooltip = NULL;

      /* Translators: %s is a phone number */
      tooltip = g_strdup_printf (_("Call %s"), call->recipient_number);
      gtk_widget_set_tooltip_text (button, tooltip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      tooltip, -1);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "app.dial");
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button),
                                              g_variant_new_string (call->recipient_number));
    }
  else
    {
      gtk_widget_set_sensitive (button, FALSE);
      gtk_widget_set_tooltip_text (button, _("This call has no number"));
    }
  gtk_box_append (GTK_BOX (box), button);

  return row;
}


/* ---- state ---- */

static void
set_error_text (CnScheduledCallsWindow *self,
                const char             *text)
{
  g_free (self->error_text);
  self->error_text = g_strdup (text);
}

static void
clear_calls (CnScheduledCallsWindow *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);

  g_hash_table_remove_all (self->shown_ids);
  g_ptr_array_set_size (self->calls, 0);
  self->total = 0;
  self->pages = 0;
  self->more_possible = FALSE;
}

static void
update_title (CnScheduledCallsWindow *self)
{
  g_autofree char *subtitle = NULL;
  guint shown = self->calls->len;

  if (shown == 0)
    subtitle = g_strdup ("");
  else if (self->more_possible)
    /* Translators: calls shown of all the filter matches, e.g. “20 of 57 calls” */
    subtitle = g_strdup_printf (ngettext ("%u of %u call", "%u of %u calls", self->total),
                                shown, self->total);
  else
    subtitle = g_strdup_printf (ngettext ("%u call", "%u calls", shown), shown);

  adw_window_title_set_subtitle (self->window_title, subtitle);
}

static void
set_loading (CnScheduledCallsWindow *self,
             gboolean                loading,
             gboolean                append)
{
  self->loading = loading;

  gtk_widget_set_visible (GTK_WIDGET (self->header_spinner), loading && !append);
  gtk_spinner_set_spinning (self->header_spinner, loading && !append);
  gtk_spinner_set_spinning (self->loading_spinner, loading);
  gtk_widget_set_visible (GTK_WIDGET (self->more_spinner), loading && append);
  gtk_spinner_set_spinning (self->more_spinner, loading && append);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "scheduled.load-more",
                                 !loading && self->more_possible);
  gtk_widget_set_visible (GTK_WIDGET (self->more_button), self->more_possible);
}

static void
show_empty (CnScheduledCallsWindow *self)
{
  const char *status = cn_scheduled_calls_window_get_status (self);
  g_autofree char *description = NULL;

  if (status == NULL)
    description = g_strdup (_("The team backend has no outbound calls for you."));
  else
    /* Translators: %s is a status such as “Failed” */
    description = g_strdup_printf (_("None of the team backend’s calls has the status “%s”."),
                                   status_label (status));

  adw_status_page_set_description (self->empty_page, description);
  gtk_stack_set_visible_child_name (self->stack, "empty");
}

/* The address and token to ask with, or NULL after showing why there are
 * none. */
static const CnSyncConfig *
usable_config (CnScheduledCallsWindow *self)
{
  const CnSyncConfig *config = self->worker != NULL ? cn_sync_worker_get_config (self->worker)
                                                    : NULL;
  const char *why = NULL;

  if (self->worker == NULL)
    why = _("Sync is not running, so the team backend cannot be asked.");
  else if (config == NULL || config->backend_url == NULL || *config->backend_url == '\0'
           || config->backend_token == NULL || *config->backend_token == '\0')
    why = _("Add the team backend’s address and access token in Preferences → Accounts to "
            "see its scheduled calls.");

  if (why == NULL)
    return config;

  clear_calls (self);
  set_error_text (self, why);
  adw_status_page_set_description (self->setup_page, why);
  gtk_stack_set_visible_child_name (self->stack, "setup");
  update_title (self);
  return NULL;
}


/* ---- loading ---- */

typedef struct {
  CnScheduledCallsWindow *self;     /* a reference */
  guint                   generation;
  guint                   page;
  gboolean                append;
} Load;

static void
load_free (Load *load)
{
  g_clear_object (&load->self);
  g_free (load);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Load, load_free)

static void
on_page_loaded (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(Load) load = user_data;
  CnScheduledCallsWindow *self = load->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint total = 0;

  calls = cn_outbound_calls_list_finish (result, &total, &error);
  if (load->generation != self->generation || self->cancellable == NULL
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (calls == NULL)
    {
      gboolean settings = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED)
                          || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED)
                          || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);

      g_message ("Scheduled calls could not be loaded: %s", error->message);
      set_error_text (self, error->message);
      if (load->append)
        {
          gtk_label_set_text (self->more_error_label, error->message);
          gtk_widget_set_visible (GTK_WIDGET (self->more_error_label), TRUE);
        }
      else
        {
          clear_calls (self);
          adw_status_page_set_description (self->error_page, error->message);
          gtk_widget_set_visible (GTK_WIDGET (self->error_preferences_button), settings);
          gtk_stack_set_visible_child_name (self->stack, "error");
        }
      set_loading (self, FALSE, load->append);
      update_title (self);
      return;
    }

  set_error_text (self, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->more_error_label), FALSE);
  if (!load->append)
    clear_calls (self);

  for (guint i = 0; i < calls->len; i++)
    {
      CnOutboundCall *call = g_ptr_array_index (calls, i);

      /* A call that moved between pages while they were read shows once. */
      if (g_hash_table_contains (self->shown_ids, call->id))
        continue;

      call = cn_outbound_call_copy (call);
      g_ptr_array_add (self->calls, call);
      g_hash_table_add (self->shown_ids, call->id);
      gtk_list_box_append (self->list, create_row (call, now));
    }

  self->total = total;
  self->pages = load->page;
  /* An empty page ends the list whatever the total says. */
  self->more_possible = calls->len > 0 && self->calls->len < total;

  if (self->calls->len == 0)
    show_empty (self);
  else
    gtk_stack_set_visible_child_name (self->stack, "list");

  set_loading (self, FALSE, load->append);
  update_title (self);
}

/* The first page again (@append FALSE) or the next one. */
static void
load (CnScheduledCallsWindow *self,
      gboolean                append)
{
  const CnSyncConfig *config;
  Load *data;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->generation++;

  config = usable_config (self);
  if (config == NULL)
    {
      set_loading (self, FALSE, FALSE);
      return;
    }

  self->cancellable = g_cancellable_new ();
  if (!append && self->calls->len == 0)
    gtk_stack_set_visible_child_name (self->stack, "loading");
  gtk_widget_set_visible (GTK_WIDGET (self->more_error_label), FALSE);
  set_loading (self, TRUE, append);

  data = g_new0 (Load, 1);
  data->self = g_object_ref (self);
  data->generation = self->generation;
  data->append = append;
  data->page = append ? self->pages + 1 : 1;

  cn_outbound_calls_list_async (config, cn_scheduled_calls_window_get_status (self), data->page,
                                PAGE_SIZE, self->cancellable, on_page_loaded, data);
}

static void
on_filter_changed (CnScheduledCallsWindow *self)
{
  /* Another filter: nothing of the old list stays in view. */
  clear_calls (self);
  update_title (self);
  load (self, FALSE);
}

static void
on_refresh_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  load (CN_SCHEDULED_CALLS_WINDOW (widget), FALSE);
}

static void
on_load_more_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CnScheduledCallsWindow *self = CN_SCHEDULED_CALLS_WINDOW (widget);

  if (!self->loading && self->more_possible)
    load (self, TRUE);
}


/* ---- GObject ---- */

static void
cn_scheduled_calls_window_dispose (GObject *object)
{
  CnScheduledCallsWindow *self = CN_SCHEDULED_CALLS_WINDOW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->worker);

  gtk_widget_dispose_template (GTK_WIDGET (self), CN_TYPE_SCHEDULED_CALLS_WINDOW);

  G_OBJECT_CLASS (cn_scheduled_calls_window_parent_class)->dispose (object);
}

static void
cn_scheduled_calls_window_finalize (GObject *object)
{
  CnScheduledCallsWindow *self = CN_SCHEDULED_CALLS_WINDOW (object);

  g_clear_pointer (&self->shown_ids, g_hash_table_unref);
  g_clear_pointer (&self->calls, g_ptr_array_unref);
  g_free (self->error_text);

  G_OBJECT_CLASS (cn_scheduled_calls_window_parent_class)->finalize (object);
}

static void
cn_scheduled_calls_window_class_init (CnScheduledCallsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cn_scheduled_calls_window_dispose;
  object_class->finalize = cn_scheduled_calls_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE "/cn-scheduled-calls-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CnScheduledCallsWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, CnScheduledCallsWindow, filter_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CnScheduledCallsWindow, header_spinner);
  gtk_widget_class_bind_template_child (widget_class, CnScheduledCallsWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CnScheduledCallsWindow, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, CnScheduledCallsWindow, list);
  gtk_widget_class_bind_template_child (widget_class, CnScheduledCallsWindow, more_error_label);
  gtk_widget_class_bind_template_child (widget_class, CnScheduledCallsWindow, more_button);
  gtk_widget_class_bind_template_child (widget_class, CnScheduledCallsWindow, more_spinner);
  gtk_widget_class_bind_template_child (widget_class, CnScheduledCallsWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, CnScheduledCallsWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, CnScheduledCallsWindow,
                                        error_preferences_button);
  gtk_widget_class_bind_template_child (widget_class, CnScheduledCallsWindow, setup_page);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_changed);

  gtk_widget_class_install_action (widget_class, "scheduled.refresh", NULL, on_refresh_action);
  gtk_widget_class_install_action (widget_class, "scheduled.load-more", NULL,
                                   on_load_more_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "scheduled.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK,
                                       "scheduled.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cn_scheduled_calls_window_init (CnScheduledCallsWindow *self)
{
  g_autoptr(GtkStringList) filters = gtk_string_list_new (NULL);

  self->calls = g_ptr_array_new_with_free_func ((GDestroyNotify) cn_outbound_call_free);
  self->shown_ids = g_hash_table_new (g_str_hash, g_str_equal);

  gtk_widget_init_template (GTK_WIDGET (self));

  /* The first entry is every status; then the contract's, in order. */
  gtk_string_list_append (filters, _("All Statuses"));
  for (guint i = 0; cn_outbound_call_statuses[i] != NULL; i++)
    gtk_string_list_append (filters, status_label (cn_outbound_call_statuses[i]));
  g_signal_handlers_block_by_func (self->filter_dropdown, on_filter_changed, self);
  gtk_drop_down_set_model (self->filter_dropdown, G_LIST_MODEL (filters));
  gtk_drop_down_set_selected (self->filter_dropdown, 0);
  g_signal_handlers_unblock_by_func (self->filter_dropdown, on_filter_changed, self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "scheduled.load-more", FALSE);
}

GtkWindow *
cn_scheduled_calls_window_new (GtkWindow    *parent,
                               CnSyncWorker *worker)
{
  CnScheduledCallsWindow *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (worker == NULL || CN_IS_SYNC_WORKER (worker), NULL);

  self = g_object_new (CN_TYPE_SCHEDULED_CALLS_WINDOW,
                       "transient-for", parent,
                       NULL);
  if (parent != NULL && gtk_window_get_application (parent) != NULL)
    gtk_window_set_application (GTK_WINDOW (self), gtk_window_get_application (parent));

  g_set_object (&self->worker, worker);
  load (self, FALSE);

  return GTK_WINDOW (self);
}

void
cn_scheduled_calls_window_refresh (CnScheduledCallsWindow *self)
{
  g_return_if_fail (CN_IS_SCHEDULED_CALLS_WINDOW (self));

  load (self, FALSE);
}

void
cn_scheduled_calls_window_set_status (CnScheduledCallsWindow *self,
                                      const char             *status)
{
  guint position = 0;

  g_return_if_fail (CN_IS_SCHEDULED_CALLS_WINDOW (self));

  for (guint i = 0; status != NULL && cn_outbound_call_statuses[i] != NULL; i++)
    if (g_str_equal (status, cn_outbound_call_statuses[i]))
      position = i + 1;

  /* notify::selected reloads when the choice changed. */
  gtk_drop_down_set_selected (self->filter_dropdown, position);
}

const char *
cn_scheduled_calls_window_get_status (CnScheduledCallsWindow *self)
{
  guint position;

  g_return_val_if_fail (CN_IS_SCHEDULED_CALLS_WINDOW (self), NULL);

  position = gtk_drop_down_get_selected (self->filter_dropdown);
  if (position == 0 || position == GTK_INVALID_LIST_POSITION
      || position > g_strv_length ((char **) cn_outbound_call_statuses))
    return NULL;

  return cn_outbound_call_statuses[position - 1];
}

gboolean
cn_scheduled_calls_window_is_loading (CnScheduledCallsWindow *self)
{
  g_return_val_if_fail (CN_IS_SCHEDULED_CALLS_WINDOW (self), FALSE);

  return self->loading;
}

GPtrArray *
cn_scheduled_calls_window_get_calls (CnScheduledCallsWindow *self)
{
  g_return_val_if_fail (CN_IS_SCHEDULED_CALLS_WINDOW (self), NULL);

  return self->calls;
}

guint
cn_scheduled_calls_window_get_total (CnScheduledCallsWindow *self)
{
  g_return_val_if_fail (CN_IS_SCHEDULED_CALLS_WINDOW (self), 0);

  return self->total;
}

const char *
cn_scheduled_calls_window_get_error (CnScheduledCallsWindow *self)
{
  g_return_val_if_fail (CN_IS_SCHEDULED_CALLS_WINDOW (self), NULL);

  return self->error_text;
}
