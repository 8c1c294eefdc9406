/* cn-call-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-call-row"

#include "config.h"

#include <glib/gi18n.h>

#include "cn-call-row.h"
#include "cn-format.h"
#include "cn-sync-format.h"

struct _CnCallRow
{
  GtkWidget  parent_instance;

  GtkWidget *box;
  GtkImage  *outcome_icon;
  GtkLabel  *title_label;
  GtkLabel  *time_label;
  GtkLabel  *subtitle_label;
  GtkLabel  *notes_label;
  GtkImage  *sync_icon;
  GtkMenuButton *menu_button;
  GMenuModel *row_menu;

  CnCallLog *log;
  const char *outcome_class;
  guint      tick_id;     /* keeps "5 minutes ago" true while shown */

  /* What the sync icon shows, to change the widgets only on a change. */
  gint       sync_state;  /* CnJobState, -1: no jobs (no icon) */
  gint64     sync_next_attempt_at;
  char      *sync_error;
  const char *sync_class;
};

G_DEFINE_FINAL_TYPE (CnCallRow, cn_call_row, GTK_TYPE_WIDGET)

static void
forward_action (GtkWidget  *widget,
                const char *action_name)
{
  CnCallRow *self = CN_CALL_ROW (widget);
  /* "row.edit" → "win.edit" */
  g_autofree char *target = g_strconcat ("win.", action_name + strlen ("row."), NULL);

  if (self->log != NULL)
    gtk_widget_activate_action (widget, target, "s", cn_call_log_get_uuid (self->log));
}

static void
on_row_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  forward_action (widget, action_name);
}

static void
cn_call_row_dispose (GObject *object)
{
  CnCallRow *self = CN_CALL_ROW (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_object (&self->log);
  g_clear_pointer (&self->sync_error, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), CN_TYPE_CALL_ROW);

  G_OBJECT_CLASS (cn_call_row_parent_class)->dispose (object);
}

static void
cn_call_row_class_init (CnCallRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cn_call_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/cn-call-row.ui");
  gtk_widget_class_bind_template_child (widget_class, CnCallRow, box);
  gtk_widget_class_bind_template_child (widget_class, CnCallRow, outcome_icon);
  gtk_widget_class_bind_template_child (widget_class, CnCallRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, CnCallRow, time_label);
  gtk_widget_class_bind_template_child (widget_class, CnCallRow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, CnCallRow, notes_label);
  gtk_widget_class_bind_template_child (widget_class, CnCallRow, sync_icon);
  gtk_widget_class_bind_template_child (widget_class, CnCallRow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, CnCallRow, row_menu);

  gtk_widget_class_install_action (widget_class, "row.call-again", NULL, on_row_action);
  gtk_widget_class_install_action (widget_class, "row.edit", NULL, on_row_action);
  gtk_widget_class_install_action (widget_class, "row.delete", NULL, on_row_action);
  gtk_widget_class_install_action (widget_class, "row.show-contact-history", NULL, on_row_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

/* The menu is built when it is first opened: a popover per row would cost
 * far more memory than the row itself, for the ~200 rows a list creates. */
static void
on_create_popup (GtkMenuButton *button,
                 gpointer       user_data)
{
  CnCallRow *self = user_data;

  gtk_menu_button_set_menu_model (button, self->row_menu);
}

static void
cn_call_row_init (CnCallRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->sync_state = -1;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.show-contact-history", FALSE);
  gtk_menu_button_set_create_popup_func (self->menu_button, on_create_popup, self, NULL);
}

GtkWidget *
cn_call_row_new (void)
{
  return g_object_new (CN_TYPE_CALL_ROW, NULL);
}

CnCallLog *
cn_call_row_get_log (CnCallRow *self)
{
  g_return_val_if_fail (CN_IS_CALL_ROW (self), NULL);

  return self->log;
}

static void
update_time (CnCallRow *self)
{
  g_autofree char *when = cn_format_relative_time (cn_call_log_get_created_at (self->log),
                                                   g_get_real_time () / G_USEC_PER_SEC, NULL);

  gtk_label_set_text (self->time_label, when);
}

static gboolean
on_tick (gpointer user_data)
{
  update_time (user_data);
  return G_SOURCE_CONTINUE;
}

void
cn_call_row_set_log (CnCallRow *self,
                     CnCallLog *log)
{
  CnOutcome outcome;
  GString *subtitle;
  g_autofree char *summary = NULL;
  g_autofree char *duration = NULL;
  const char *phone;

  g_return_if_fail (CN_IS_CALL_ROW (self));
  g_return_if_fail (log == NULL || CN_IS_CALL_LOG (log));

  g_set_object (&self->log, log);
  g_clear_handle_id (&self->tick_id, g_source_remove);

  if (self->outcome_class != NULL)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->outcome_icon), self->outcome_class);
      self->outcome_class = NULL;
    }

  if (log == NULL)
    {
      cn_call_row_set_sync_state (self, -1, 0, NULL);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.show-contact-history", FALSE);
      return;
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.show-contact-history",
                                 cn_call_log_get_contact_id (log) != NULL &&
                                 *cn_call_log_get_contact_id (log) != '\0');

  outcome = cn_call_log_get_outcome (log);
  self->outcome_class = cn_outcome_get_css_class (outcome);
  if (self->outcome_class != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->outcome_icon), self->outcome_class);
  gtk_image_set_from_icon_name (self->outcome_icon, cn_outcome_get_icon_name (outcome));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->outcome_icon), cn_outcome_get_label (outcome));

  gtk_label_set_text (self->title_label, cn_call_log_get_display_name (log));

  update_time (self);
  self->tick_id = g_timeout_add_seconds (60, on_tick, self);

  subtitle = g_string_new (cn_outcome_get_label (outcome));
  phone = cn_call_log_get_phone (log);
  if (phone != NULL && cn_call_log_get_contact_name (log) != NULL)
    g_string_append_printf (subtitle, " · %s", phone);
  if (cn_call_log_get_duration (log) >= 0)
    {
      duration = cn_format_duration (cn_call_log_get_duration (log));
      g_string_append_printf (subtitle, " · %s", duration);
    }
  if (cn_call_log_get_follow_up (log) > 0 &&
      cn_call_log_get_follow_up (log) < CN_MAX_UNIX_SECONDS)
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (cn_call_log_get_follow_up (log));
      g_autoptr(GDateTime) local = g_date_time_to_local (utc);
      /* Translators: date and time of a follow-up in the history, see
       * g_date_time_format(); e.g. "23 Nov 09:00" */
      g_autofree char *follow = g_date_time_format (local, _("%-d %b %H:%M"));

      g_string_append (subtitle, " · ");
      /* Translators: %s is a date and time such as "23 Nov 09:00" */
      g_string_append_printf (subtitle, _("Follow up %s"), follow);
    }
  gtk_label_set_text (self->subtitle_label, subtitle->str);
  g_string_free (subtitle, TRUE);

  summary = cn_call_log_dup_notes_summary (log);
  gtk_label_set_text (self->notes_label, summary);
  gtk_widget_set_visible (GTK_WIDGET (self->notes_label), summary[0] != '\0');
}

void
cn_call_row_set_sync_state (CnCallRow  *self,
                            gint        state,
                            gint64      next_attempt_at,
                            const char *error)
{
  GtkWidget *icon;
  const char *css_class;
  g_autofree char *text = NULL;

  g_return_if_fail (CN_IS_CALL_ROW (self));

  if (state < 0 || state >= CN_JOB_N_STATES)
    state = -1;
  if (state != CN_JOB_WAITING)
    next_attempt_at = 0;
  if (state != CN_JOB_NEEDS_ATTENTION && state != CN_JOB_NEEDS_CONTACT)
    error = NULL;

  /* Rows are refreshed often (each change in the database): only a change
   * touches the widgets. */
  if (state == self->sync_state && next_attempt_at == self->sync_next_attempt_at &&
      g_strcmp0 (error, self->sync_error) == 0)
    return;

  self->sync_state = state;
  self->sync_next_attempt_at = next_attempt_at;
  g_free (self->sync_error);
  self->sync_error = g_strdup (error);

  icon = GTK_WIDGET (self->sync_icon);
  css_class = cn_sync_format_state_class (state);
  if (self->sync_class != NULL && g_strcmp0 (self->sync_class, css_class) != 0)
    gtk_widget_remove_css_class (icon, self->sync_class);
  self->sync_class = css_class;
  if (css_class != NULL)
    gtk_widget_add_css_class (icon, css_class);

  if (state < 0)
    {
      gtk_widget_set_visible (icon, FALSE);
      gtk_widget_set_tooltip_text (icon, NULL);
      gtk_accessible_reset_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL);
      return;
    }

  text = cn_sync_format_state (state, next_attempt_at, error, g_get_real_time () / G_USEC_PER_SEC);
  gtk_image_set_from_icon_name (self->sync_icon, cn_sync_format_state_icon (state));
  gtk_widget_set_tooltip_text (icon, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  gtk_widget_set_visible (icon, TRUE);
}

gint
cn_call_row_get_sync_state (CnCallRow *self)
{
  g_return_val_if_fail (CN_IS_CALL_ROW (self), -1);

  return self->sync_state;
}
