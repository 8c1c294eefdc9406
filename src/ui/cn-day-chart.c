/* cn-day-chart.c: calls per day as stacked bars, one colour per outcome
 *
 * Drawn with GtkSnapshot: a bar per day (connected at the bottom, then
 * voicemail, no answer, busy), a gridline with the scale's top value, the
 * baseline, and the day of the month under each bar (today's in bold).
 * The outcome colours are the named colours of style.css (@cn_connected,
 * …), looked up again whenever the style changes (light/dark, high
 * contrast); text and lines use the widget's foreground colour. For screen
 * readers the chart is an image whose description says every day's
 * numbers; each bar has a tooltip with the same sentence.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-day-chart"

#include "config.h"

#include <glib/gi18n.h>

#include "cn-day-chart.h"

#define BAR_FRACTION   0.62   /* of a day's slot */
#define LABEL_GAP      4.0
#define AXIS_WIDTH     24.0   /* the scale's number on the left */
#define MIN_SLOT_WIDTH 10
#define MIN_BAR_AREA   36

struct _CnDayChart
{
  GtkWidget   parent_instance;

  guint       n_days;
  CnDayStat  *days;
  char       *description;
  GdkRGBA     colours[CN_OUTCOME_LAST + 1];
};

G_DEFINE_FINAL_TYPE (CnDayChart, cn_day_chart, GTK_TYPE_WIDGET)

/* Bottom to top. */
static const CnOutcome stack_order[] = {
  CN_OUTCOME_CONNECTED, CN_OUTCOME_VOICEMAIL, CN_OUTCOME_NO_ANSWER, CN_OUTCOME_BUSY,
};

static void
get_foreground (CnDayChart *self,
                GdkRGBA    *colour)
{
#if GTK_CHECK_VERSION (4, 10, 0)
  gtk_widget_get_color (GTK_WIDGET (self), colour);
#else
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), colour);
#endif
}

/* The outcome colours from the style sheet; the GNOME palette when a
 * theme lacks them. */
static void
read_colours (CnDayChart *self)
{
  static const struct { CnOutcome outcome; const char *name; const char *fallback; } named[] = {
    { CN_OUTCOME_CONNECTED, "cn_connected", "#26a269" },
    { CN_OUTCOME_VOICEMAIL, "cn_voicemail", "#1c71d8" },
    { CN_OUTCOME_NO_ANSWER, "cn_no_answer", "#c64600" },
    { CN_OUTCOME_BUSY, "cn_busy", "#c01c28" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (named); i++)
    {
      GdkRGBA *colour = &self->colours[named[i].outcome];
      gboolean found;

      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      found = gtk_style_context_lookup_color (gtk_widget_get_style_context (GTK_WIDGET (self)),
                                              named[i].name, colour);
      G_GNUC_END_IGNORE_DEPRECATIONS
      if (!found)
        gdk_rgba_parse (colour, named[i].fallback);
    }
}

static guint
scale_top (CnDayChart *self)
{
  guint most = 0;

  for (guint i = 0; i < self->n_days; i++)
    most = MAX (most, self->days[i].calls);

  if (most <= 4)
    return MAX (most, 1);

  /* Up to a round number: 5, 10, 15, … 50, 60, … 100, 150, … */
  {
    guint unit = 5;

    while (most > unit * 10)
      unit *= 10;
    return (most + unit - 1) / unit * unit;
  }
}

static PangoLayout *
make_layout (CnDayChart *self,
             const char *text,
             gboolean    bold)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);

  if (bold)
    {
      g_autofree char *markup = g_markup_printf_escaped ("<b>%s</b>", text);

      pango_layout_set_markup (layout, markup, -1);
    }
  else
    {
      pango_layout_set_text (layout, text, -1);
    }

  return layout;
}

static int
label_height (CnDayChart *self)
{
  g_autoptr(PangoLayout) layout = make_layout (self, "0123456789", TRUE);
  int height;

  pango_layout_get_pixel_size (layout, NULL, &height);
  return height;
}

static void
cn_day_chart_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  CnDayChart *self = CN_DAY_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  int text_height = label_height (self);
  double top = text_height / 2.0;
  double base = height - text_height - LABEL_GAP;
  double plot_width = width - AXIS_WIDTH;
  double slot, bar_width, bar_area;
  guint top_value;
  GdkRGBA fg, line, faint;

  if (self->n_days == 0 || base - top < 8 || plot_width < self->n_days)
    return;

  get_foreground (self, &fg);
  line = fg;
  line.alpha *= 0.35;
  faint = fg;
  faint.alpha *= 0.15;
  slot = plot_width / self->n_days;
  bar_width = MAX (2.0, slot * BAR_FRACTION);
  bar_area = base - top;
  top_value = scale_top (self);

  /* The scale: a gridline at the top value with its number, and the
   * baseline. */
  {
    g_autofree char *text = g_strdup_printf ("%u", top_value);
    g_autoptr(PangoLayout) layout = make_layout (self, text, FALSE);
    GdkRGBA dim = fg;
    int text_width, text_h;

    dim.alpha *= 0.7;
    gtk_snapshot_append_color (snapshot, &faint,
                               &GRAPHENE_RECT_INIT (AXIS_WIDTH, top, plot_width, 1));
    gtk_snapshot_append_color (snapshot, &line,
                               &GRAPHENE_RECT_INIT (AXIS_WIDTH, base, plot_width, 1));
    pango_layout_get_pixel_size (layout, &text_width, &text_h);
    gtk_snapshot_save (snapshot);
    gtk_snapshot_translate (snapshot,
                            &GRAPHENE_POINT_INIT (AXIS_WIDTH - LABEL_GAP - text_width,
                                                  top - text_h / 2.0));
    gtk_snapshot_append_layout (snapshot, layout, &dim);
    gtk_snapshot_restore (snapshot);
  }

  for (guint i = 0; i < self->n_days; i++)
    {
      const CnDayStat *day = &self->days[i];
      double x = AXIS_WIDTH + i * slot + (slot - bar_width) / 2.0;
      double y = base;
      gboolean today = i == self->n_days - 1;
      g_autoptr(GDateTime) date = g_date_time_new_from_unix_local (day->start);
      g_autofree char *text = g_date_time_format (date, "%e");
      g_autoptr(PangoLayout) layout = NULL;
      GdkRGBA label_colour = fg;
      int text_width;

      for (guint k = 0; k < G_N_ELEMENTS (stack_order); k++)
        {
          guint count = day->by_outcome[stack_order[k]];
          double h;

          if (count == 0)
            continue;
          h = bar_area * count / top_value;
          /* 1 px between segments, so neighbouring colours stay apart. */
          gtk_snapshot_append_color (snapshot, &self->colours[stack_order[k]],
                                     &GRAPHENE_RECT_INIT (x, y - h, bar_width,
                                                          MAX (1.0, h - 1.0)));
          y -= h;
        }

      if (!today)
        label_colour.alpha *= 0.7;
      layout = make_layout (self, g_strstrip (text), today);
      pango_layout_get_pixel_size (layout, &text_width, NULL);
      /* Every day when there is room, else every other one and today. */
      if (text_width + 2 <= slot || today || (self->n_days - 1 - i) % 2 == 0)
        {
          gtk_snapshot_save (snapshot);
          gtk_snapshot_translate (snapshot,
                                  &GRAPHENE_POINT_INIT (AXIS_WIDTH + i * slot
                                                        + (slot - text_width) / 2.0,
                                                        base + LABEL_GAP));
          gtk_snapshot_append_layout (snapshot, layout, &label_colour);
          gtk_snapshot_restore (snapshot);
        }
    }
}

static void
cn_day_chart_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  CnDayChart *self = CN_DAY_CHART (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = AXIS_WIDTH + MAX (self->n_days, 1) * MIN_SLOT_WIDTH;
      *natural = AXIS_WIDTH + MAX (self->n_days, 1) * 28;
    }
  else
    {
      int text_height = label_height (self);

      *minimum = MIN_BAR_AREA + text_height * 3 / 2 + LABEL_GAP;
      *natural = 56 + text_height * 3 / 2 + LABEL_GAP;
    }
}

static void
cn_day_chart_css_changed (GtkWidget         *widget,
                          GtkCssStyleChange *change)
{
  CnDayChart *self = CN_DAY_CHART (widget);

  GTK_WIDGET_CLASS (cn_day_chart_parent_class)->css_changed (widget, change);
  read_colours (self);
  gtk_widget_queue_draw (widget);
}

static gboolean
cn_day_chart_query_tooltip (GtkWidget  *widget,
                            int         x,
                            int         y,
                            gboolean    keyboard_mode,
                            GtkTooltip *tooltip)
{
  CnDayChart *self = CN_DAY_CHART (widget);
  double plot_width = gtk_widget_get_width (widget) - AXIS_WIDTH;
  g_autofree char *text = NULL;
  int index;

  if (self->n_days == 0 || plot_width <= 0)
    return FALSE;

  if (keyboard_mode)
    index = self->n_days - 1;
  else if (x < AXIS_WIDTH)
    return FALSE;
  else
    index = (int) ((x - AXIS_WIDTH) / (plot_width / self->n_days));

  if (index < 0 || index >= (int) self->n_days)
    return FALSE;

  text = cn_day_chart_describe_day (&self->days[index]);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
cn_day_chart_finalize (GObject *object)
{
  CnDayChart *self = CN_DAY_CHART (object);

  g_free (self->days);
  g_free (self->description);

  G_OBJECT_CLASS (cn_day_chart_parent_class)->finalize (object);
}

static void
cn_day_chart_class_init (CnDayChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = cn_day_chart_finalize;
  widget_class->snapshot = cn_day_chart_snapshot;
  widget_class->measure = cn_day_chart_measure;
  widget_class->css_changed = cn_day_chart_css_changed;
  widget_class->query_tooltip = cn_day_chart_query_tooltip;

  gtk_widget_class_set_css_name (widget_class, "cn-day-chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cn_day_chart_init (CnDayChart *self)
{
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Calls per day"),
                                  -1);
  read_colours (self);
}

GtkWidget *
cn_day_chart_new (void)
{
  return g_object_new (CN_TYPE_DAY_CHART, NULL);
}

char *
cn_day_chart_describe_day (const CnDayStat *stat)
{
  g_autoptr(GDateTime) date = NULL;
  g_autofree char *day = NULL;

  g_return_val_if_fail (stat != NULL, NULL);

  date = g_date_time_new_from_unix_local (stat->start);
  /* Translators: a day in the chart's description and tooltips, a
   * g_date_time_format() format, e.g. "Nov 21" */
  day = g_date_time_format (date, C_("chart day", "%b %-d"));

  if (stat->calls == 0)
    /* Translators: a day of the chart without calls; %s is e.g. "Nov 21" */
    return g_strdup_printf (_("%s: no calls"), day);

  /* Translators: a day of the chart; %s is e.g. "Nov 21", then the number
   * of calls, then how many of them had each outcome */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%s: %u call: %u connected, %u voicemail, %u no answer, "
                                       "%u busy",
                                       "%s: %u calls: %u connected, %u voicemail, %u no answer, "
                                       "%u busy",
                                       stat->calls),
                          day, stat->calls, stat->by_outcome[CN_OUTCOME_CONNECTED],
                          stat->by_outcome[CN_OUTCOME_VOICEMAIL],
                          stat->by_outcome[CN_OUTCOME_NO_ANSWER],
                          stat->by_outcome[CN_OUTCOME_BUSY]);
}

void
cn_day_chart_set_stats (CnDayChart       *self,
                        const CnDayStats *stats)
{
  g_autoptr(GString) description = g_string_new (NULL);
  g_autofree char *label = NULL;

  g_return_if_fail (CN_IS_DAY_CHART (self));

  g_clear_pointer (&self->days, g_free);
  self->n_days = 0;
  if (stats != NULL && stats->n_days > 0)
    {
      self->n_days = stats->n_days;
      self->days = g_memdup2 (stats->days, sizeof (CnDayStat) * stats->n_days);
    }

  for (guint i = 0; i < self->n_days; i++)
    {
      g_autofree char *sentence = cn_day_chart_describe_day (&self->days[i]);

      g_string_append_printf (description, "%s%s.", i > 0 ? " " : "", sentence);
    }
  g_free (self->description);
  self->description = g_string_free (g_steal_pointer (&description), FALSE);
  /* Translators: the chart's name for screen readers; %u is 14 */
  label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Calls per day, last %u day",
                                        "Calls per day, last %u days", MAX (self->n_days, 1)),
                           MAX (self->n_days, 1));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->description,
                                  -1);

  gtk_widget_queue_resize (GTK_WIDGET (self));
}

const char *
cn_day_chart_get_description (CnDayChart *self)
{
  g_return_val_if_fail (CN_IS_DAY_CHART (self), NULL);

  return self->description;
}
