/* test-day-stats.c: the Today panel's figures against a hand-computed fixture
 *
 * Every time below is a literal Unix second worked out by hand for
 * Europe/Berlin (CET = UTC+1 in winter, CEST = UTC+2 in summer), so the
 * day boundaries the store computes are checked against numbers it did not
 * compute itself.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cn-day-stats.h"
#include "cn-live-store.h"
#include "store-test-util.h"

/* 2026-11-21 15:00 CET, "now" */
#define NOW        G_GINT64_CONSTANT (1795269600)
#define TODAY      G_GINT64_CONSTANT (1795215600)  /* 2026-11-21 00:00:00 CET */
#define TOMORROW   G_GINT64_CONSTANT (1795302000)  /* 2026-11-22 00:00:00 */
#define Y_LAST     G_GINT64_CONSTANT (1795215599)  /* 2026-11-20 23:59:59 */
#define T_0930     G_GINT64_CONSTANT (1795249800)
#define T_1000     G_GINT64_CONSTANT (1795251600)
#define T_1100     G_GINT64_CONSTANT (1795255200)
#define T_1200     G_GINT64_CONSTANT (1795258800)
#define T_1700     G_GINT64_CONSTANT (1795276800)
#define T_LAST     G_GINT64_CONSTANT (1795301999)  /* 2026-11-21 23:59:59 */
#define Y_0900     G_GINT64_CONSTANT (1795161600)  /* 2026-11-20 09:00 */
#define Y_1000     G_GINT64_CONSTANT (1795165200)
#define Y_1200     G_GINT64_CONSTANT (1795172400)
#define D19_1400   G_GINT64_CONSTANT (1795093200)  /* 2026-11-19 14:00 */
#define D19_1405   G_GINT64_CONSTANT (1795093500)
#define D19_1500   G_GINT64_CONSTANT (1795096800)
#define TMRW_0900  G_GINT64_CONSTANT (1795334400)  /* 2026-11-22 09:00 */
#define TMRW_1000  G_GINT64_CONSTANT (1795338000)
#define NOV8       G_GINT64_CONSTANT (1794092400)  /* 2026-11-08 00:00:00, first day shown */
#define NOV7_LAST  G_GINT64_CONSTANT (1794092399)  /* 2026-11-07 23:59:59, 15 days back */

/* DST ends 2026-10-25 03:00 CEST → 02:00 CET: that day has 25 hours. */
#define OCT_NOW    G_GINT64_CONSTANT (1793005200)  /* 2026-10-26 10:00 CET */
#define OCT13      G_GINT64_CONSTANT (1791842400)  /* 2026-10-13 00:00 CEST */
#define OCT25      G_GINT64_CONSTANT (1792879200)  /* 2026-10-25 00:00 CEST */
#define OCT25_LAST G_GINT64_CONSTANT (1792969199)  /* 2026-10-25 23:59:59 CET */
#define OCT26      G_GINT64_CONSTANT (1792969200)  /* 2026-10-26 00:00 CET */

/* DST starts 2026-03-29 02:00 CET → 03:00 CEST: that day has 23 hours. */
#define APR_NOW    G_GINT64_CONSTANT (1775037600)  /* 2026-04-01 12:00 CEST */
#define MAR19      G_GINT64_CONSTANT (1773874800)  /* 2026-03-19 00:00 CET */
#define MAR29      G_GINT64_CONSTANT (1774738800)  /* 2026-03-29 00:00 CET */
#define MAR29_2330 G_GINT64_CONSTANT (1774819800)  /* 2026-03-29 23:30 CEST */
#define MAR30      G_GINT64_CONSTANT (1774821600)  /* 2026-03-30 00:00 CEST */

typedef struct {
  StoreTestDir  dir;
  CnDatabase   *db;
  GTimeZone    *berlin;
  guint         n_phones;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  store_test_dir_init (&fixture->dir);
  fixture->db = cn_database_open (fixture->dir.path, &error);
  g_assert_no_error (error);
  fixture->berlin = g_time_zone_new_identifier ("Europe/Berlin");
  g_assert_nonnull (fixture->berlin);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->db);
  g_clear_pointer (&fixture->berlin, g_time_zone_unref);
  store_test_dir_clear (&fixture->dir);
}

/* Saves a log through the store; each on its own number, so that no save
 * completes another's follow-up. @duration < 0: unknown; @follow_up 0: none. */
static char *
add_log (Fixture   *fixture,
         CnOutcome  outcome,
         gint64     created_at,
         gint64     duration,
         gint64     follow_up)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *phone = g_strdup_printf ("+1555000%04u", ++fixture->n_phones);
  g_autoptr(CnCallLog) log = store_test_make_log (phone, NULL, NULL, outcome, created_at);

  if (duration >= 0)
    cn_call_log_set_duration (log, duration);
  if (follow_up > 0)
    cn_call_log_set_follow_up (log, follow_up);
  cn_database_insert_call (fixture->db, log, NULL, 0, &error);
  g_assert_no_error (error);

  return g_strdup (cn_call_log_get_uuid (log));
}

static CnDayStats *
get_stats (Fixture *fixture,
           gint64   now)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now_local = g_date_time_new_from_unix_utc (now);
  g_autoptr(GDateTime) in_berlin = g_date_time_to_timezone (now_local, fixture->berlin);
  CnDayStats *stats = NULL;

  g_assert_true (cn_database_get_day_stats (fixture->db, in_berlin, 14, &stats, &error));
  g_assert_no_error (error);
  g_assert_nonnull (stats);
  g_assert_cmpuint (stats->n_days, ==, 14);

  return stats;
}

static void
assert_day (const CnDayStat *day,
            guint            connected,
            guint            voicemail,
            guint            no_answer,
            guint            busy,
            gint64           talk_seconds)
{
  g_assert_cmpuint (day->by_outcome[CN_OUTCOME_CONNECTED], ==, connected);
  g_assert_cmpuint (day->by_outcome[CN_OUTCOME_VOICEMAIL], ==, voicemail);
  g_assert_cmpuint (day->by_outcome[CN_OUTCOME_NO_ANSWER], ==, no_answer);
  g_assert_cmpuint (day->by_outcome[CN_OUTCOME_BUSY], ==, busy);
  g_assert_cmpuint (day->by_outcome[CN_OUTCOME_NONE], ==, 0);
  g_assert_cmpuint (day->calls, ==, connected + voicemail + no_answer + busy);
  g_assert_cmpint (day->talk_seconds, ==, talk_seconds);
}

static void
test_empty (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(CnDayStats) stats = get_stats (fixture, NOW);

  g_assert_false (stats->has_calls);
  g_assert_cmpuint (stats->follow_ups_due, ==, 0);
  for (guint i = 0; i < 14; i++)
    assert_day (&stats->days[i], 0, 0, 0, 0, 0);
  /* No calls: a rate of 0, not a division by zero. */
  g_assert_cmpfloat (cn_day_stats_get_connect_rate (stats), ==, 0.0);
}

static void
test_fixture (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CnDayStats) stats = NULL;
  g_autofree char *deleted = NULL;
  g_autofree char *done = NULL;
  g_autofree char *snoozed = NULL;
  const CnDayStat *today;

  /* Today (2026-11-21): 5 calls, 3 connected, 470 s. */
  g_free (add_log (fixture, CN_OUTCOME_CONNECTED, TODAY, 120, 0));          /* first second */
  g_free (add_log (fixture, CN_OUTCOME_CONNECTED, T_0930, 300, T_1700));    /* due later today */
  g_free (add_log (fixture, CN_OUTCOME_NO_ANSWER, T_1000, -1, 0));          /* no duration */
  deleted = add_log (fixture, CN_OUTCOME_BUSY, T_1100, 50, Y_1200);         /* deleted below */
  g_free (add_log (fixture, CN_OUTCOME_CONNECTED, T_1200, 45, Y_1200));     /* overdue */
  g_free (add_log (fixture, CN_OUTCOME_VOICEMAIL, T_LAST, 5, 0));           /* last second */
  g_free (add_log (fixture, CN_OUTCOME_CONNECTED, TOMORROW, 999, 0));       /* not shown */

  /* Yesterday: 2 calls, 30 s; the snoozed follow-up is not due today. */
  g_free (add_log (fixture, CN_OUTCOME_VOICEMAIL, Y_LAST, 30, 0));
  snoozed = add_log (fixture, CN_OUTCOME_NO_ANSWER, Y_0900, -1, Y_1000);

  /* 2026-11-19: 2 calls, 620 s; a done follow-up, one due tomorrow. */
  done = add_log (fixture, CN_OUTCOME_CONNECTED, D19_1400, 600, D19_1500);
  g_free (add_log (fixture, CN_OUTCOME_VOICEMAIL, D19_1405, 20, TMRW_0900));

  /* The first day shown, and the day before it (15 days old). */
  g_free (add_log (fixture, CN_OUTCOME_BUSY, NOV8, 10, 0));
  g_free (add_log (fixture, CN_OUTCOME_CONNECTED, NOV7_LAST, 999, Y_1200)); /* due: counted */

  g_assert_true (cn_database_delete_call (fixture->db, deleted, &error));
  g_assert_no_error (error);
  g_assert_true (cn_database_complete_follow_up (fixture->db, done, &error));
  g_assert_no_error (error);
  g_assert_true (cn_database_snooze_follow_up (fixture->db, snoozed, TMRW_1000, &error));
  g_assert_no_error (error);

  stats = get_stats (fixture, NOW);

  /* The local days, from literal boundaries. */
  g_assert_cmpint (stats->days[13].start, ==, TODAY);
  g_assert_cmpint (stats->days[13].end, ==, TOMORROW);
  g_assert_cmpint (stats->days[12].end, ==, TODAY);
  g_assert_cmpint (stats->days[0].start, ==, NOV8);
  for (guint i = 0; i < 14; i++)
    g_assert_cmpint (stats->days[i].end - stats->days[i].start, ==, 24 * 3600);

  today = cn_day_stats_get_today (stats);
  g_assert_true (today == &stats->days[13]);
  assert_day (today, 3, 1, 1, 0, 470);
  assert_day (&stats->days[12], 0, 1, 1, 0, 30);    /* 2026-11-20 */
  assert_day (&stats->days[11], 1, 1, 0, 0, 620);   /* 2026-11-19 */
  assert_day (&stats->days[0], 0, 0, 0, 1, 10);     /* 2026-11-08 */
  for (guint i = 1; i <= 10; i++)
    assert_day (&stats->days[i], 0, 0, 0, 0, 0);

  g_assert_cmpfloat_with_epsilon (cn_day_stats_get_connect_rate (stats), 0.6, 1e-9);
  /* 17:00 today, today's overdue one, and the 15-day-old log's overdue one;
   * not: deleted, done, snoozed to tomorrow, due tomorrow. */
  g_assert_cmpuint (stats->follow_ups_due, ==, 3);
  g_assert_true (stats->has_calls);

  /* A minute before midnight the same figures; at midnight a new day. */
  g_clear_pointer (&stats, cn_day_stats_free);
  stats = get_stats (fixture, TOMORROW);
  g_assert_cmpint (stats->days[13].start, ==, TOMORROW);
  assert_day (&stats->days[13], 1, 0, 0, 0, 999);
  assert_day (&stats->days[12], 3, 1, 1, 0, 470);
  assert_day (&stats->days[0], 0, 0, 0, 0, 0);      /* 2026-11-08 fell out */
  g_assert_cmpfloat (cn_day_stats_get_connect_rate (stats), ==, 1.0);
  /* The follow-ups due tomorrow morning are due before its end. */
  g_assert_cmpuint (stats->follow_ups_due, ==, 5);
}

static void
test_dst_autumn (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(CnDayStats) stats = NULL;

  g_free (add_log (fixture, CN_OUTCOME_CONNECTED, OCT25, 60, 0));
  g_free (add_log (fixture, CN_OUTCOME_BUSY, OCT25_LAST, 7, 0));
  g_free (add_log (fixture, CN_OUTCOME_VOICEMAIL, OCT26, 9, 0));

  stats = get_stats (fixture, OCT_NOW);
  g_assert_cmpint (stats->days[0].start, ==, OCT13);
  g_assert_cmpint (stats->days[12].start, ==, OCT25);
  g_assert_cmpint (stats->days[12].end, ==, OCT26);
  g_assert_cmpint (stats->days[12].end - stats->days[12].start, ==, 25 * 3600);
  assert_day (&stats->days[12], 1, 0, 0, 1, 67);
  assert_day (&stats->days[13], 0, 1, 0, 0, 9);
  assert_day (&stats->days[11], 0, 0, 0, 0, 0);
}

static void
test_dst_spring (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(CnDayStats) stats = NULL;

  g_free (add_log (fixture, CN_OUTCOME_CONNECTED, MAR29, 60, 0));
  g_free (add_log (fixture, CN_OUTCOME_NO_ANSWER, MAR29_2330, -1, 0));
  g_free (add_log (fixture, CN_OUTCOME_BUSY, MAR30, 3, 0));

  stats = get_stats (fixture, APR_NOW);
  g_assert_cmpint (stats->days[0].start, ==, MAR19);
  g_assert_cmpint (stats->days[10].start, ==, MAR29);
  g_assert_cmpint (stats->days[10].end, ==, MAR30);
  g_assert_cmpint (stats->days[10].end - stats->days[10].start, ==, 23 * 3600);
  assert_day (&stats->days[10], 1, 0, 1, 0, 60);
  assert_day (&stats->days[11], 0, 0, 0, 1, 3);
}

/* With TZ set, a "now" in the local zone gives the same days. */
static void
test_local_zone (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_local (OCT_NOW);
  g_autoptr(CnDayStats) stats = NULL;

  g_free (add_log (fixture, CN_OUTCOME_CONNECTED, OCT25_LAST, 60, 0));
  g_assert_true (cn_database_get_day_stats (fixture->db, now, 14, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stats->days[12].start, ==, OCT25);
  g_assert_cmpint (stats->days[12].end, ==, OCT26);
  assert_day (&stats->days[12], 1, 0, 0, 0, 60);
}

static void
on_stats (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  CnDayStats **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = cn_database_get_day_stats_finish (CN_DATABASE (source), result, &error);
  g_assert_no_error (error);
}

static void
test_async (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (NOW);
  g_autoptr(GDateTime) now = g_date_time_to_timezone (utc, fixture->berlin);
  g_autoptr(CnDayStats) stats = NULL;

  g_free (add_log (fixture, CN_OUTCOME_VOICEMAIL, T_1000, 12, 0));
  cn_database_get_day_stats_async (fixture->db, now, 14, NULL, on_stats, &stats);
  while (stats == NULL)
    g_main_context_iteration (NULL, TRUE);

  assert_day (cn_day_stats_get_today (stats), 0, 1, 0, 0, 12);
  g_assert_cmpfloat (cn_day_stats_get_connect_rate (stats), ==, 0.0);
}

/* The window is a range of call_logs_newest, the follow-ups a walk of the
 * partial index of open ones: the table itself is never scanned. */
static void
test_query_plan (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *query = cn_day_stats_build_sql (14);
  g_autofree char *sql = g_strconcat ("EXPLAIN QUERY PLAN ", query, NULL);
  g_autoptr(GString) plan = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (cn_database_get_handle (fixture->db), sql, -1, &stmt,
                                       NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (plan, "%s\n", (const char *) sqlite3_column_text (stmt, 3));
  sqlite3_finalize (stmt);

  g_test_message ("%s", plan->str);
  g_assert_nonnull (strstr (plan->str, "USING INDEX call_logs_newest (deleted=? AND "
                                       "created_at>? AND created_at<?)"));
  g_assert_nonnull (strstr (plan->str, "USING INDEX call_logs_open_follow_ups"));
  g_assert_null (strstr (plan->str, "SCAN c"));
  g_assert_null (strstr (plan->str, "SCAN call_logs"));
}

int
main (int    argc,
      char **argv)
{
  /* Read by test_local_zone only (the others build the zone themselves). */
  g_setenv ("TZ", "Europe/Berlin", TRUE);
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/day-stats/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("empty", test_empty);
  ADD ("fixture", test_fixture);
  ADD ("dst-autumn", test_dst_autumn);
  ADD ("dst-spring", test_dst_spring);
  ADD ("local-zone", test_local_zone);
  ADD ("async", test_async);
  ADD ("query-plan", test_query_plan);
#undef ADD

  return g_test_run ();
}
