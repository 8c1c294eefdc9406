/* cn-today-panel.h: the day at a glance, above the call history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cn-database.h"
#include "cn-day-stats.h"

G_BEGIN_DECLS

/* Days the chart shows, today included. */
#define CN_TODAY_PANEL_DAYS 14

#define CN_TYPE_TODAY_PANEL (cn_today_panel_get_type ())
G_DECLARE_FINAL_TYPE (CnTodayPanel, cn_today_panel, CN, TODAY_PANEL, AdwBin)

CnTodayPanel     *cn_today_panel_new           (void);
/* Reads the figures (in a worker thread) now and after every
 * cn_today_panel_queue_refresh(), and at each local midnight. */
void              cn_today_panel_set_database  (CnTodayPanel *self,
                                                CnDatabase   *database);
/* The logs changed: reads again shortly (several calls in a row read
 * once). */
void              cn_today_panel_queue_refresh (CnTodayPanel *self);
/* The figures shown, NULL before the first read. */
const CnDayStats *cn_today_panel_get_stats     (CnTodayPanel *self);
/* TRUE while a read is queued or under way. */
gboolean          cn_today_panel_is_loading    (CnTodayPanel *self);

G_END_DECLS
