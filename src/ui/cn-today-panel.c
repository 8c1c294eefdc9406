/* cn-today-panel.c: the day at a glance, above the call history
 *
 * Today's calls by outcome, the connect rate, the talk time and the
 * follow-ups due, with a chart of the last 14 days. The figures come from
 * one aggregate query (cn_database_get_day_stats_async) that runs in a
 * worker thread: after a change (debounced), and at each local midnight.
 * The panel hides itself while no call is logged at all (the history's
 * empty page says what to do instead).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-today-panel"

#include "config.h"

#include <glib/gi18n.h>

#include "cn-day-chart.h"
#include "cn-format.h"
#include "cn-today-panel.h"

/* Changes closer together than this are read once. */
#define REFRESH_DELAY_MS 250

struct _CnTodayPanel
{
  AdwBin         parent_instance;

  /* template */
  GtkFlowBox    *figures_box;
  GtkLabel      *calls_value;
  GtkLabel      *calls_caption;
  GtkBox        *breakdown_box;
  GtkLabel      *rate_value;
  GtkLabel      *talk_value;
  GtkButton     *follow_ups_button;
  GtkLabel      *due_value;
  GtkLabel      *due_caption;
  GtkToggleButton *chart_toggle;
  GtkRevealer   *chart_revealer;
  CnDayChart    *chart;
  GtkBox        *legend_box;

  GtkLabel      *outcome_counts[CN_OUTCOME_LAST + 1];
  GtkWidget     *outcome_items[CN_OUTCOME_LAST + 1];

  CnDatabase    *database;
  CnDayStats    *stats;
  GCancellable  *cancellable;   /* the read under way */
  guint          refresh_id;    /* the debounce */
  guint          midnight_id;
  gboolean       reading;
};

G_DEFINE_FINAL_TYPE (CnTodayPanel, cn_today_panel, ADW_TYPE_BIN)

static void refresh_now (CnTodayPanel *self);

static void
show_stats (CnTodayPanel *self)
{
  const CnDayStats *stats = self->stats;
  const CnDayStat *today = cn_day_stats_get_today (stats);
  g_autofree char *text = NULL;
  g_autofree char *talk = NULL;
  guint window_calls = 0;

  gtk_widget_set_visible (GTK_WIDGET (self), stats->has_calls);

  text = g_strdup_printf ("%u", today->calls);
  gtk_label_set_text (self->calls_value, text);
  /* Translators: under the number of calls today in the Today panel */
  gtk_label_set_text (self->calls_caption,
                      g_dngettext (GETTEXT_PACKAGE, "call", "calls", today->calls));
  g_clear_pointer (&text, g_free);

  for (CnOutcome outcome = CN_OUTCOME_FIRST; outcome <= CN_OUTCOME_LAST; outcome++)
    {
      guint count = today->by_outcome[outcome];
      g_autofree char *number = g_strdup_printf ("%u", count);
      /* Translators: an outcome's count today, for its tooltip and screen
       * readers: "3 Connected" */
      g_autofree char *description = g_strdup_printf (_("%u %s"), count,
                                                      cn_outcome_get_label (outcome));

      gtk_label_set_text (self->outcome_counts[outcome], number);
      gtk_widget_set_tooltip_text (self->outcome_items[outcome], description);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->outcome_items[outcome]),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, description, -1);
      gtk_widget_set_opacity (self->outcome_items[outcome], count > 0 ? 1.0 : 0.55);
    }

  if (today->calls == 0)
    /* Translators: the connect rate when there were no calls today */
    text = g_strdup (C_("connect rate", "—"));
  else
    /* Translators: the connect rate; %.0f is the percentage, e.g. "60 %" */
    text = g_strdup_printf (_("%.0f %%"), 100.0 * cn_day_stats_get_connect_rate (stats));
  gtk_label_set_text (self->rate_value, text);
  g_clear_pointer (&text, g_free);

  talk = cn_format_duration (today->talk_seconds);
  gtk_label_set_text (self->talk_value, talk);

  text = g_strdup_printf ("%u", stats->follow_ups_due);
  gtk_label_set_text (self->due_value, text);
  /* Translators: under the number of follow-ups due by the end of today */
  gtk_label_set_text (self->due_caption, g_dngettext (GETTEXT_PACKAGE, "follow-up due",
                                                      "follow-ups due", stats->follow_ups_due));
  g_clear_pointer (&text, g_free);
  /* Translators: the Today panel's follow-ups button, for screen readers
   * and its tooltip; %u is a number */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u follow-up due today or overdue: show follow-ups",
                                       "%u follow-ups due today or overdue: show follow-ups",
                                       stats->follow_ups_due),
                          stats->follow_ups_due);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->follow_ups_button), text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->follow_ups_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  if (stats->follow_ups_due > 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->due_value), "warning");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->due_value), "warning");

  for (guint i = 0; i < stats->n_days; i++)
    window_calls += stats->days[i].calls;
  cn_day_chart_set_stats (self->chart, stats);
  /* No chart of empty days. */
  gtk_widget_set_visible (GTK_WIDGET (self->chart_toggle), window_calls > 0);
  gtk_revealer_set_reveal_child (self->chart_revealer,
                                 window_calls > 0 && gtk_toggle_button_get_active (self->chart_toggle));
}

static gboolean
on_midnight (gpointer user_data)
{
  CnTodayPanel *self = user_data;

  self->midnight_id = 0;
  refresh_now (self);

  return G_SOURCE_REMOVE;
}

/* Reads again just after the end of the day shown. */
static void
schedule_midnight (CnTodayPanel *self)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 end = cn_day_stats_get_today (self->stats)->end;
  guint delay = (guint) CLAMP (end - now + 1, 1, 24 * 3600);

  g_clear_handle_id (&self->midnight_id, g_source_remove);
  self->midnight_id = g_timeout_add_seconds (delay, on_midnight, self);
}

static void
on_stats_read (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CnTodayPanel) self = user_data;
  g_autoptr(GError) error = NULL;
  CnDayStats *stats;

  stats = cn_database_get_day_stats_finish (CN_DATABASE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;   /* a newer read replaced it */

  self->reading = FALSE;
  g_clear_object (&self->cancellable);
  if (stats == NULL)
    {
      g_warning ("Cannot read today's figures: %s", error->message);
      return;
    }

  g_clear_pointer (&self->stats, cn_day_stats_free);
  self->stats = stats;
  show_stats (self);
  schedule_midnight (self);
}

static void
refresh_now (CnTodayPanel *self)
{
  g_autoptr(GDateTime) now = NULL;

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->database == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->reading = TRUE;

  now = g_date_time_new_now_local ();
  cn_database_get_day_stats_async (self->database, now, CN_TODAY_PANEL_DAYS, self->cancellable,
                                   on_stats_read, g_object_ref (self));
}

static gboolean
on_refresh_timeout (gpointer user_data)
{
  CnTodayPanel *self = user_data;

  self->refresh_id = 0;
  refresh_now (self);

  return G_SOURCE_REMOVE;
}

static void
on_chart_toggled (CnTodayPanel *self)
{
  gboolean active = gtk_toggle_button_get_active (self->chart_toggle);

  gtk_revealer_set_reveal_child (self->chart_revealer, active);
  gtk_button_set_icon_name (GTK_BUTTON (self->chart_toggle),
                            active ? "pan-up-symbolic" : "pan-down-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->chart_toggle),
                               active ? _("Hide the Last 14 Days")
                                      : _("Show the Last 14 Days"));
}

static GtkWidget *
make_swatch (CnOutcome outcome)
{
  GtkWidget *swatch = gtk_drawing_area_new ();

  gtk_widget_add_css_class (swatch, "cn-swatch");
  gtk_widget_add_css_class (swatch, cn_outcome_get_css_class (outcome));
  gtk_widget_set_valign (swatch, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (swatch, 10, 10);

  return swatch;
}

/* Today's count per outcome (icon in the outcome's colour, number), and
 * the chart's legend. */
static void
build_outcomes (CnTodayPanel *self)
{
  for (CnOutcome outcome = CN_OUTCOME_FIRST; outcome <= CN_OUTCOME_LAST; outcome++)
    {
      GtkWidget *item = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
      GtkWidget *icon = gtk_image_new_from_icon_name (cn_outcome_get_icon_name (outcome));
      GtkWidget *count = gtk_label_new ("0");
      GtkWidget *entry = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *name = gtk_label_new (cn_outcome_get_label (outcome));

      gtk_widget_add_css_class (icon, "cn-today-outcome-icon");
      gtk_widget_add_css_class (icon, cn_outcome_get_css_class (outcome));
      gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      cn_outcome_get_label (outcome), -1);
      gtk_widget_add_css_class (count, "numeric");
      gtk_box_append (GTK_BOX (item), icon);
      gtk_box_append (GTK_BOX (item), count);
      gtk_box_append (self->breakdown_box, item);
      self->outcome_items[outcome] = item;
      self->outcome_counts[outcome] = GTK_LABEL (count);

      gtk_widget_add_css_class (name, "caption");
      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_box_append (GTK_BOX (entry), make_swatch (outcome));
      gtk_box_append (GTK_BOX (entry), name);
      gtk_box_append (self->legend_box, entry);
    }
}

static void
cn_today_panel_dispose (GObject *object)
{
  CnTodayPanel *self = CN_TODAY_PANEL (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_handle_id (&self->midnight_id, g_source_remove);
  g_clear_object (&self->database);
  g_clear_pointer (&self->stats, cn_day_stats_free);

  G_OBJECT_CLASS (cn_today_panel_parent_class)->dispose (object);
}

static void
cn_today_panel_class_init (CnTodayPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cn_today_panel_dispose;

  g_type_ensure (CN_TYPE_DAY_CHART);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/callnotes/Callnotes/cn-today-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, CnTodayPanel, figures_box);
  gtk_widget_class_bind_template_child (widget_class, CnTodayPanel, calls_value);
  gtk_widget_class_bind_template_child (widget_class, CnTodayPanel, calls_caption);
  gtk_widget_class_bind_template_child (widget_class, CnTodayPanel, breakdown_box);
  gtk_widget_class_bind_template_child (widget_class, CnTodayPanel, rate_value);
  gtk_widget_class_bind_template_child (widget_class, CnTodayPanel, talk_value);
  gtk_widget_class_bind_template_child (widget_class, CnTodayPanel, follow_ups_button);
  gtk_widget_class_bind_template_child (widget_class, CnTodayPanel, due_value);
  gtk_widget_class_bind_template_child (widget_class, CnTodayPanel, due_caption);
  gtk_widget_class_bind_template_child (widget_class, CnTodayPanel, chart_toggle);
  gtk_widget_class_bind_template_child (widget_class, CnTodayPanel, chart_revealer);
  gtk_widget_class_bind_template_child (widget_class, CnTodayPanel, chart);
  gtk_widget_class_bind_template_child (widget_class, CnTodayPanel, legend_box);
  gtk_widget_class_set_css_name (widget_class, "cn-today-panel");
}

static void
cn_today_panel_init (CnTodayPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  build_outcomes (self);
  /* The figures wrap in a narrow window; they are not items to pick, so
   * Tab goes straight to the follow-ups button. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->figures_box));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    gtk_widget_set_focusable (child, FALSE);
  g_signal_connect_object (self->chart_toggle, "toggled", G_CALLBACK (on_chart_toggled), self,
                           G_CONNECT_SWAPPED);
}

CnTodayPanel *
cn_today_panel_new (void)
{
  return g_object_new (CN_TYPE_TODAY_PANEL, NULL);
}

void
cn_today_panel_set_database (CnTodayPanel *self,
                             CnDatabase   *database)
{
  g_return_if_fail (CN_IS_TODAY_PANEL (self));
  g_return_if_fail (database == NULL || CN_IS_DATABASE (database));

  if (!g_set_object (&self->database, database))
    return;

  refresh_now (self);
}

void
cn_today_panel_queue_refresh (CnTodayPanel *self)
{
  g_return_if_fail (CN_IS_TODAY_PANEL (self));

  if (self->refresh_id != 0 || self->database == NULL)
    return;

  self->refresh_id = g_timeout_add (REFRESH_DELAY_MS, on_refresh_timeout, self);
}

const CnDayStats *
cn_today_panel_get_stats (CnTodayPanel *self)
{
  g_return_val_if_fail (CN_IS_TODAY_PANEL (self), NULL);

  return self->stats;
}

gboolean
cn_today_panel_is_loading (CnTodayPanel *self)
{
  g_return_val_if_fail (CN_IS_TODAY_PANEL (self), FALSE);

  return self->refresh_id != 0 || self->reading;
}
