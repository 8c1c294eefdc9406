/* cn-day-stats.c: the calls of the last days at a glance
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-day-stats"

#include "config.h"

#include "cn-day-stats.h"
#include "cn-database-internal.h"

/* As in cn-live-store.c: an open follow-up, and when it is due. */
#define FOLLOW_UP_DUE "coalesce(follow_up_snoozed_until, follow_up_at)"
#define FOLLOW_UP_OPEN \
  "follow_up_at IS NOT NULL AND follow_up_done_at IS NULL AND deleted = 0"

void
cn_day_stats_free (CnDayStats *stats)
{
  if (stats == NULL)
    return;

  g_free (stats->days);
  g_free (stats);
}

const CnDayStat *
cn_day_stats_get_today (const CnDayStats *stats)
{
  g_return_val_if_fail (stats != NULL && stats->n_days > 0, NULL);

  return &stats->days[stats->n_days - 1];
}

double
cn_day_stats_get_connect_rate (const CnDayStats *stats)
{
  const CnDayStat *today = cn_day_stats_get_today (stats);

  if (today == NULL || today->calls == 0)
    return 0.0;

  return (double) today->by_outcome[CN_OUTCOME_CONNECTED] / today->calls;
}

/* The SQL for @n_days days. Parameters ?1 … ?(n_days + 1) are the day
 * boundaries (local midnights computed in C, never SQLite's 'localtime'),
 * oldest first; the last one is the end of today.
 *
 * One row per day: the days are a VALUES list, and each day's figures one
 * range of call_logs_newest (deleted = 0, created_at in [start, end)),
 * aggregated by a correlated subquery. That is one pass over the window's
 * rows without a sort (a GROUP BY would sort every row first, ~30 % of the
 * time), at the price of the day's five figures coming back as one text,
 * "calls connected voicemail no_answer talk_seconds" (busy is the rest).
 * The last row (day -1) carries "follow_ups_due has_calls": the open
 * follow-ups due before the end of today, counted on their partial index,
 * and whether any log exists at all (the first entry of call_logs_newest). */
char *
cn_day_stats_build_sql (guint n_days)
{
  GString *sql = g_string_new ("WITH days (i, day_start, day_end) AS (VALUES");

  for (guint i = 0; i < n_days; i++)
    g_string_append_printf (sql, "%s (%u, ?%u, ?%u)", i > 0 ? "," : "", i, i + 1, i + 2);
  g_string_append (sql, ") "
                   "SELECT i, (SELECT printf('%d %d %d %d %d', count(*),"
                   "  count(CASE outcome WHEN 'connected' THEN 1 END),"
                   "  count(CASE outcome WHEN 'voicemail' THEN 1 END),"
                   "  count(CASE outcome WHEN 'no_answer' THEN 1 END),"
                   "  coalesce(sum(duration_seconds), 0))"
                   " FROM call_logs INDEXED BY call_logs_newest"
                   " WHERE deleted = 0 AND created_at >= days.day_start"
                   " AND created_at < days.day_end) FROM days");
  g_string_append_printf (sql, " UNION ALL SELECT -1, printf('%%d %%d',"
                          " (SELECT count(*) FROM call_logs INDEXED BY call_logs_open_follow_ups"
                          "  WHERE " FOLLOW_UP_OPEN " AND " FOLLOW_UP_DUE " < ?%u),"
                          " EXISTS (SELECT 1 FROM call_logs INDEXED BY call_logs_newest"
                          "  WHERE deleted = 0))", n_days + 1);

  return g_string_free (sql, FALSE);
}

/* Reads up to @n_values numbers separated by spaces; FALSE when @text has
 * fewer or something else. */
static gboolean
parse_figures (const char *text,
               gint64     *values,
               guint       n_values)
{
  const char *p = text;

  if (text == NULL)
    return FALSE;

  for (guint i = 0; i < n_values; i++)
    {
      char *end = NULL;

      values[i] = g_ascii_strtoll (p, &end, 10);
      if (end == p || values[i] < 0 || (*end != ' ' && *end != '\0'))
        return FALSE;
      p = end;
    }

  return *p == '\0';
}

/* Local midnight starting the day @days_back days before @now_local's. */
static gint64
local_midnight (GDateTime *now_local,
                gint       days_back)
{
  g_autoptr(GDateTime) noon = NULL;
  g_autoptr(GDateTime) day = NULL;
  g_autoptr(GDateTime) midnight = NULL;
  gint year, month, day_of_month;

  /* Noon of the same day, then whole days back: noon is never skipped nor
   * repeated by a DST change, so the calendar date is right. */
  noon = g_date_time_new (g_date_time_get_timezone (now_local),
                          g_date_time_get_year (now_local),
                          g_date_time_get_month (now_local),
                          g_date_time_get_day_of_month (now_local), 12, 0, 0);
  day = g_date_time_add_days (noon, -days_back);
  g_date_time_get_ymd (day, &year, &month, &day_of_month);
  midnight = g_date_time_new (g_date_time_get_timezone (now_local), year, month, day_of_month,
                              0, 0, 0);

  return g_date_time_to_unix (midnight);
}

gboolean
cn_database_get_day_stats (CnDatabase  *self,
                           GDateTime   *now_local,
                           guint        n_days,
                           CnDayStats **out,
                           GError     **error)
{
  g_autoptr(CnDayStats) stats = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *sql = NULL;
  Connection *conn;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (CN_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (now_local != NULL, FALSE);
  g_return_val_if_fail (n_days >= 1 && n_days <= CN_DAY_STATS_MAX_DAYS, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stats = g_new0 (CnDayStats, 1);
  stats->n_days = n_days;
  stats->days = g_new0 (CnDayStat, n_days);
  for (guint i = 0; i < n_days; i++)
    {
      stats->days[i].start = local_midnight (now_local, n_days - 1 - i);
      stats->days[i].end = local_midnight (now_local, (gint) n_days - 2 - (gint) i);
    }

  sql = cn_day_stats_build_sql (n_days);
  conn = &self->reader;
  locker = g_mutex_locker_new (&conn->mutex);
  stmt = cn_db_get_statement (conn, sql, OP_READ, error);
  if (stmt == NULL)
    return FALSE;

  for (guint i = 0; i < n_days; i++)
    sqlite3_bind_int64 (stmt, i + 1, stats->days[i].start);
  sqlite3_bind_int64 (stmt, n_days + 1, stats->days[n_days - 1].end);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 day = sqlite3_column_int64 (stmt, 0);
      const char *text = cn_db_column_text (stmt, 1);
      gint64 v[5] = { 0, };
      CnDayStat *stat;

      if (day < 0 && parse_figures (text, v, 2))
        {
          stats->follow_ups_due = (guint) MIN (v[0], G_MAXUINT);
          stats->has_calls = v[1] != 0;
          continue;
        }
      if (day < 0 || day >= n_days || !parse_figures (text, v, 5) || v[1] + v[2] + v[3] > v[0])
        {
          g_warning ("Unexpected day figures: %" G_GINT64_FORMAT " \"%s\"", day, text);
          continue;
        }

      /* The schema's CHECK keeps outcomes to the four: busy is the rest. */
      stat = &stats->days[day];
      stat->calls = (guint) MIN (v[0], G_MAXUINT);
      stat->by_outcome[CN_OUTCOME_CONNECTED] = (guint) v[1];
      stat->by_outcome[CN_OUTCOME_VOICEMAIL] = (guint) v[2];
      stat->by_outcome[CN_OUTCOME_NO_ANSWER] = (guint) v[3];
      stat->by_outcome[CN_OUTCOME_BUSY] = (guint) (v[0] - v[1] - v[2] - v[3]);
      stat->talk_seconds = v[4];
    }

  if (!cn_db_finish_rows (conn, stmt, rc, OP_READ, error))
    return FALSE;

  *out = g_steal_pointer (&stats);
  return TRUE;
}

typedef struct {
  GDateTime *now_local;
  guint      n_days;
} DayStatsData;

static void
day_stats_data_free (DayStatsData *data)
{
  g_date_time_unref (data->now_local);
  g_free (data);
}

static void
day_stats_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  DayStatsData *data = task_data;
  CnDayStats *stats = NULL;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  if (cn_database_get_day_stats (source_object, data->now_local, data->n_days, &stats, &error))
    g_task_return_pointer (task, stats, (GDestroyNotify) cn_day_stats_free);
  else
    g_task_return_error (task, error);
}

void
cn_database_get_day_stats_async (CnDatabase          *self,
                                 GDateTime           *now_local,
                                 guint                n_days,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  DayStatsData *data;

  g_return_if_fail (CN_IS_DATABASE (self));
  g_return_if_fail (now_local != NULL);
  g_return_if_fail (n_days >= 1 && n_days <= CN_DAY_STATS_MAX_DAYS);

  data = g_new0 (DayStatsData, 1);
  data->now_local = g_date_time_ref (now_local);
  data->n_days = n_days;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cn_database_get_day_stats_async);
  g_task_set_task_data (task, data, (GDestroyNotify) day_stats_data_free);
  g_task_run_in_thread (task, day_stats_thread);
}

CnDayStats *
cn_database_get_day_stats_finish (CnDatabase    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (CN_IS_DATABASE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
