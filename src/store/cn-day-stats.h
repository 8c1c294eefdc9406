/* cn-day-stats.h: the calls of the last days at a glance
 *
 * Per local day (today and the days before it) and per outcome: how many
 * calls were logged and how long they lasted; and how many open follow-ups
 * are due by the end of today. Deleted logs are not counted.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cn-database.h"
#include "cn-outcome.h"

G_BEGIN_DECLS

/* The most days one query covers. */
#define CN_DAY_STATS_MAX_DAYS 62

typedef struct {
  gint64 start;                         /* local midnight, Unix seconds UTC */
  gint64 end;                           /* the next local midnight (23, 24 or 25 h later) */
  guint  calls;                         /* all outcomes */
  guint  by_outcome[CN_OUTCOME_LAST + 1]; /* indexed by CnOutcome; [CN_OUTCOME_NONE] is 0 */
  gint64 talk_seconds;                  /* sum of the durations (unknown ones count 0) */
} CnDayStat;

typedef struct {
  guint      n_days;
  CnDayStat *days;            /* oldest first; days[n_days - 1] is today */
  guint      follow_ups_due;  /* open, due before the end of today (overdue included) */
  gboolean   has_calls;       /* any call at all is logged (of any day) */
} CnDayStats;

void              cn_day_stats_free             (CnDayStats *stats);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnDayStats, cn_day_stats_free)

/* Today's figures (the last day). */
const CnDayStat  *cn_day_stats_get_today        (const CnDayStats *stats);
/* Connected calls / all calls of today, from 0.0 to 1.0; 0.0 when there
 * were no calls today. */
double            cn_day_stats_get_connect_rate (const CnDayStats *stats);

/* One aggregate query on the read connection. The days are the local days
 * of @now_local's time zone (a DST change makes one 23 or 25 hours long):
 * the day holding @now_local and the @n_days - 1 days before it. @n_days
 * is 1 to CN_DAY_STATS_MAX_DAYS. */
gboolean          cn_database_get_day_stats        (CnDatabase           *self,
                                                    GDateTime            *now_local,
                                                    guint                 n_days,
                                                    CnDayStats          **out,
                                                    GError              **error);
/* The same in a worker thread; the callback runs in the caller's
 * thread-default main context. */
void              cn_database_get_day_stats_async  (CnDatabase           *self,
                                                    GDateTime            *now_local,
                                                    guint                 n_days,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
CnDayStats       *cn_database_get_day_stats_finish (CnDatabase           *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

/* The statement's SQL text, for EXPLAIN QUERY PLAN in tests and the
 * benchmark. */
char             *cn_day_stats_build_sql           (guint                 n_days);

G_END_DECLS
