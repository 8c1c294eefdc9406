/* cn-day-chart.h: calls per day as stacked bars, one colour per outcome
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cn-day-stats.h"

G_BEGIN_DECLS

#define CN_TYPE_DAY_CHART (cn_day_chart_get_type ())
G_DECLARE_FINAL_TYPE (CnDayChart, cn_day_chart, CN, DAY_CHART, GtkWidget)

GtkWidget  *cn_day_chart_new             (void);
/* Copies what it draws from @stats (NULL: nothing). Updates the text
 * equivalent (accessible description) and the tooltips. */
void        cn_day_chart_set_stats       (CnDayChart       *self,
                                          const CnDayStats *stats);
/* The text equivalent of the chart: one sentence per day, oldest first. */
const char *cn_day_chart_get_description (CnDayChart       *self);

/* "Nov 21: 5 calls: 3 connected, 1 voicemail, 1 no answer, 0 busy" for
 * the day starting at @stat->start (local time). */
char       *cn_day_chart_describe_day    (const CnDayStat  *stat);

G_END_DECLS
