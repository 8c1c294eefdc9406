/* bench-day-stats.c: the Today panel's aggregate query over a million logs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * bench-day-stats [--dir DIR] [--runs N]
 *
 * Creates (or reuses) two databases of 1 000 000 logs in DIR (default
 * $TMPDIR/callnotes-bench-day-stats):
 *   spread.db  the logs spread evenly over two years (~19 000 in the last
 *              14 days: a busy agent's real history);
 *   recent.db  the worst case: 100 000 of them in the last 14 days.
 * "Now" is a few minutes after the newest log, in the local time zone, so a
 * reused file measures the same window. For each it prints the query plan,
 * the first query on a freshly opened database (the connection's page cache
 * empty; the OS's file cache as it is), then the median and p99 of N runs
 * (default 200), against the target of 20 ms.
 */
#define G_LOG_DOMAIN "bench-day-stats"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "cn-day-stats.h"
#include "bench-fill.h"

#define TARGET_MS  20.0
#define N_LOGS     1000000
#define N_DAYS     14
#define DAY        (24 * 3600)

static const char * const note_words[] = {
  "call", "back", "tomorrow", "invoice", "pricing", "renewal", "contract", "discount", "demo",
  "meeting", "wants", "asked", "about", "the", "new", "plan", "left", "message", "with",
  "assistant", "no", "answer", "busy", "line", "interested", "not", "now", "send", "email",
  "quote", "follow", "up", "next", "week", "manager", "approval", "budget", "quarter",
};

/* Logs from @first to @last (UTC seconds), @n of them, evenly spaced with
 * jitter, appended in time order. */
static gboolean
insert_span (BenchFill    *fill,
             GRand        *rand,
             gint64        now,
             gint64        first,
             gint64        last,
             guint         n)
{
  static const char * const outcomes[] = { "connected", "voicemail", "no_answer", "busy" };
  double step = (double) (last - first) / n;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *uuid = g_uuid_string_random ();
      g_autofree char *phone = g_strdup_printf ("+1%03d%07d", g_rand_int_range (rand, 200, 999),
                                                g_rand_int_range (rand, 0, 10000000));
      g_autoptr(GString) notes = g_string_new (NULL);
      gint64 created_at = first + (gint64) (i * step) + g_rand_int_range (rand, 0, MAX (1, (gint) step));
      guint n_words = g_rand_int_range (rand, 0, 30);

      for (guint w = 0; w < n_words; w++)
        g_string_append_printf (notes, "%s%s", w > 0 ? " " : "",
                                note_words[g_rand_int_range (rand, 0, G_N_ELEMENTS (note_words))]);

      sqlite3_stmt *stmt = fill->insert;

      sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, phone, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, outcomes[g_rand_int_range (rand, 0, 4)], -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 4, g_rand_int_range (rand, 0, 1800));
      sqlite3_bind_text (stmt, 5, notes->str, -1, SQLITE_STATIC);
      if (g_rand_int_range (rand, 0, 8) == 0)
        sqlite3_bind_int64 (stmt, 6, created_at + DAY * g_rand_int_range (rand, 1, 4));
      else
        sqlite3_bind_null (stmt, 6);
      sqlite3_bind_int64 (stmt, 7, created_at);
      sqlite3_bind_int (stmt, 8, g_rand_int_range (rand, 0, 100) == 0);
      /* Follow-ups of the last month: a third still open; older ones: 1 in
       * 100 forgotten. */
      if (created_at > now - 30 * DAY ? g_rand_int_range (rand, 0, 3) != 0
                                      : g_rand_int_range (rand, 0, 100) != 0)
        sqlite3_bind_int64 (stmt, 9, created_at + DAY);
      else
        sqlite3_bind_null (stmt, 9);

      if (!bench_fill_row (fill))
        return FALSE;
    }

  return TRUE;
}

static gboolean
generate (const char *path,
          guint       n_recent)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261121);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 window_start = now - N_DAYS * DAY;
  gint64 first = now - 730 * DAY;
  BenchFill fill;

  g_print ("Generating %s (%u logs in the last %d days)...\n", path, n_recent, N_DAYS);
  if (!bench_fill_begin (&fill, path,
                         "INSERT INTO call_logs (uuid, phone, phone_raw, outcome,"
                         " duration_seconds, notes, follow_up_at, created_at, updated_at,"
                         " deleted, follow_up_done_at) "
                         "VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8,"
                         " CASE WHEN ?6 IS NULL THEN NULL ELSE ?9 END)"))
    return FALSE;

  if (!insert_span (&fill, rand, now, first, window_start, N_LOGS - n_recent)
      || !insert_span (&fill, rand, now, window_start, now, n_recent))
    return FALSE;

  /* Neither the search index nor sync jobs matter here: every log is marked
   * caught up, so opening the file does not index a million of them. */
  return bench_fill_end (&fill, N_LOGS, FALSE);
}

static gint64
query_int (sqlite3    *handle,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  if (sqlite3_prepare_v2 (handle, sql, -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return value;
}

/* The plan of the query as the store runs it (same SQL text). */
static void
print_plan (sqlite3 *handle)
{
  g_autofree char *query = cn_day_stats_build_sql (N_DAYS);
  g_autofree char *sql = g_strconcat ("EXPLAIN QUERY PLAN ", query, NULL);
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (handle, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      g_printerr ("EXPLAIN failed: %s\n", sqlite3_errmsg (handle));
      return;
    }
  g_print ("Query plan:\n");
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_print ("  %s\n", (const char *) sqlite3_column_text (stmt, 3));
  sqlite3_finalize (stmt);
}

static gboolean
measure (const char *path,
         guint       runs)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(CnDayStats) stats = NULL;
  g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
  g_autoptr(GDateTime) now = NULL;
  g_autofree double *times = g_new0 (double, runs);
  gint64 newest, start;
  double cold, median, p99;
  guint window_calls = 0;

  start = g_get_monotonic_time ();
  db = cn_database_open (path, &error);
  g_assert_no_error (error);
  g_print ("\n== %s (opened in %.1f ms)\n", path, bench_elapsed_ms (start));

  newest = query_int (cn_database_get_handle (db),
                      "SELECT max(created_at) FROM call_logs WHERE deleted = 0");
  now = g_date_time_new_from_unix_local (newest + 300);

  start = g_get_monotonic_time ();
  if (!cn_database_get_day_stats (db, now, N_DAYS, &stats, &error))
    {
      g_printerr ("Query failed: %s\n", error->message);
      return FALSE;
    }
  cold = bench_elapsed_ms (start);

  for (guint i = 0; i < stats->n_days; i++)
    window_calls += stats->days[i].calls;
  g_print ("Logs in the last %d days: %u (today %u, connect rate %.0f %%, follow-ups due %u)\n",
           N_DAYS, window_calls, cn_day_stats_get_today (stats)->calls,
           100.0 * cn_day_stats_get_connect_rate (stats), stats->follow_ups_due);
  print_plan (cn_database_get_handle (db));

  for (guint i = 0; i < runs; i++)
    {
      g_autoptr(CnDayStats) again = NULL;

      start = g_get_monotonic_time ();
      if (!cn_database_get_day_stats (db, now, N_DAYS, &again, &error))
        {
          g_printerr ("Query failed: %s\n", error->message);
          return FALSE;
        }
      times[i] = bench_elapsed_ms (start);
    }
  median = bench_percentile (times, runs, 0.5);
  p99 = bench_percentile (times, runs, 0.99);

  g_print ("%-34s %8.2f ms\n", "first query (fresh connection)", cold);
  g_print ("%-34s %8.2f ms\n", "median", median);
  g_print ("%-34s %8.2f ms\n", "p99", p99);
  g_print ("target < %.0f ms: %s (p99), first query %s\n", TARGET_MS,
           p99 < TARGET_MS ? "met" : "MISSED", cold < TARGET_MS ? "met" : "MISSED");

  return TRUE;
}

static gboolean
ensure (const char *path,
        guint       n_recent)
{
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CnDatabase) db = cn_database_open (path, &error);

      if (db != NULL
          && query_int (cn_database_get_handle (db), "SELECT count(*) FROM call_logs") == N_LOGS)
        return TRUE;
      g_clear_object (&db);
      g_print ("%s does not hold %d logs: making it anew\n", path, N_LOGS);
      for (const char *suffix = ""; suffix != NULL;
           suffix = g_str_equal (suffix, "") ? "-wal" : g_str_equal (suffix, "-wal") ? "-shm" : NULL)
        {
          g_autofree char *file = g_strconcat (path, suffix, NULL);
          g_remove (file);
        }
    }

  return generate (path, n_recent);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *dir = NULL;
  g_autofree char *spread = NULL;
  g_autofree char *recent = NULL;
  int runs = 200;
  GOptionEntry entries[] = {
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, "Where the databases are (made when missing)",
      "DIR" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Timed runs (default 200)", "N" },
    { NULL },
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (runs < 1 || runs > 100000)
    {
      g_printerr ("--runs must be 1 to 100000\n");
      return 2;
    }

  if (dir == NULL)
    dir = g_build_filename (g_get_tmp_dir (), "callnotes-bench-day-stats", NULL);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_printerr ("Cannot create %s\n", dir);
      return 1;
    }
  spread = g_build_filename (dir, "spread.db", NULL);
  recent = g_build_filename (dir, "recent.db", NULL);

  if (!ensure (spread, N_LOGS * 14 / 730) || !ensure (recent, 100000))
    return 1;

  g_print ("Today panel query (%d days), %d runs each\n", N_DAYS, runs);
  if (!measure (spread, runs) || !measure (recent, runs))
    return 1;

  return 0;
}
