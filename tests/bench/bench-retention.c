/* bench-retention.c: a first Keep History purge of a long history, and
 * what a save waits meanwhile
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * bench-retention [--n N] [--dir DIR]
 *
 * Makes N logs (default 200 000) a year old or more, each with three
 * events, two in three of them synced (a backend id), one in five of those
 * soft-deleted, then purges everything older than 30 days in a worker
 * thread (cn_database_purge_synced_before_async, batches of
 * CN_RETENTION_BATCH) while the main thread saves a log every 20 ms as the
 * logger does. Prints the purge's total time and rate, and the save's
 * median, p99 and worst latency during the purge beside the same saves
 * without it: the purge must never hold a save up for long (a batch, not
 * the whole purge).
 */
#define G_LOG_DOMAIN "bench-retention"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <glib/gstdio.h>

#include "cn-database.h"
#include "cn-database-private.h"
#include "cn-retention.h"
#include "bench-util.h"

#define SAVE_INTERVAL_MS 20
#define BASELINE_SAVES   200

static void
fill (CnDatabase *db,
      guint       n,
      gint64      newest)
{
  sqlite3 *handle = cn_database_get_handle (db);
  sqlite3_stmt *log = NULL;
  sqlite3_stmt *event = NULL;

  g_assert_cmpint (sqlite3_exec (handle, "BEGIN", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (handle,
                                       "INSERT INTO call_logs (uuid, contact_name, phone, outcome,"
                                       " notes, created_at, updated_at, backend_id, deleted) "
                                       "VALUES (?1, ?2, ?3, 'connected', ?4, ?5, ?5, ?6, ?7)",
                                       -1, &log, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (handle,
                                       "INSERT INTO call_events (call_id, seq, kind, at)"
                                       " VALUES (?1, ?2, ?3, ?4)",
                                       -1, &event, NULL), ==, SQLITE_OK);
  for (guint i = 0; i < n; i++)
    {
      static const char * const kinds[] = { "dialed", "dialog_shown", "logged" };
      g_autofree char *uuid = g_uuid_string_random ();
      g_autofree char *name = g_strdup_printf ("Person %u", i % 5000);
      g_autofree char *phone = g_strdup_printf ("+1555%07u", i);
      g_autofree char *notes = g_strdup_printf ("Spoke about the renewal, call back %u", i);
      g_autofree char *remote = g_strdup_printf ("%u", i);
      gint64 at = newest - (gint64) (n - i) * 60;
      gint64 id;

      sqlite3_bind_text (log, 1, uuid, -1, SQLITE_STATIC);
      sqlite3_bind_text (log, 2, name, -1, SQLITE_STATIC);
      sqlite3_bind_text (log, 3, phone, -1, SQLITE_STATIC);
      sqlite3_bind_text (log, 4, notes, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (log, 5, at);
      if (i % 3 != 0)
        sqlite3_bind_text (log, 6, remote, -1, SQLITE_STATIC);
      else
        sqlite3_bind_null (log, 6);
      sqlite3_bind_int (log, 7, i % 3 != 0 && i % 5 == 0);
      g_assert_cmpint (sqlite3_step (log), ==, SQLITE_DONE);
      sqlite3_reset (log);
      id = sqlite3_last_insert_rowid (handle);

      for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
        {
          sqlite3_bind_int64 (event, 1, id);
          sqlite3_bind_int (event, 2, k + 1);
          sqlite3_bind_text (event, 3, kinds[k], -1, SQLITE_STATIC);
          sqlite3_bind_int64 (event, 4, at);
          g_assert_cmpint (sqlite3_step (event), ==, SQLITE_DONE);
          sqlite3_reset (event);
        }
    }
  sqlite3_finalize (log);
  sqlite3_finalize (event);
  g_assert_cmpint (sqlite3_exec (handle, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_true (cn_database_catch_up (db, NULL));
}

static double
timed_save (CnDatabase *db,
            guint       i)
{
  g_autoptr(CnCallLog) log = cn_call_log_new_with_uuid ();
  g_autofree char *phone = g_strdup_printf ("+1666%07u", i);
  g_autoptr(GError) error = NULL;
  gint64 start;

  cn_call_log_set_phone (log, phone);
  cn_call_log_set_outcome (log, CN_OUTCOME_VOICEMAIL);
  cn_call_log_set_notes (log, "Left a message");
  start = g_get_monotonic_time ();
  if (!cn_database_insert_call (db, log, NULL, 0, &error))
    g_error ("Save failed: %s", error->message);
  return bench_elapsed_ms (start);
}

static void
on_purged (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  guint *purged = user_data;
  g_autoptr(GError) error = NULL;

  if (!cn_database_purge_synced_before_finish (CN_DATABASE (source), result, purged, &error))
    g_error ("Purge failed: %s", error->message);
}

static void
print_saves (const char *what,
             GArray     *ms)
{
  double *values = (double *) ms->data;

  printf ("%-22s %5u saves  median %6.2f ms  p99 %6.2f ms  max %6.2f ms\n", what, ms->len,
          bench_percentile (values, ms->len, 0.5), bench_percentile (values, ms->len, 0.99),
          bench_percentile (values, ms->len, 1.0));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GArray) baseline = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) during = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint n = 200000;
  guint purged = G_MAXUINT;
  guint saves = 0;
  gint64 start;
  double purge_ms;
  gboolean own_dir = FALSE;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--n") && i + 1 < argc)
        n = (guint) g_ascii_strtoull (argv[++i], NULL, 10);
      else if (g_str_equal (argv[i], "--dir") && i + 1 < argc)
        dir = g_strdup (argv[++i]);
      else
        {
          fprintf (stderr, "Usage: bench-retention [--n N] [--dir DIR]\n");
          return 2;
        }
    }
  if (dir == NULL)
    {
      dir = g_dir_make_tmp ("bench-retention-XXXXXX", &error);
      g_assert_no_error (error);
      own_dir = TRUE;
    }
  path = g_build_filename (dir, "callnotes.db", NULL);
  db = cn_database_open (path, &error);
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  fill (db, n, now - 365 * 24 * 60 * 60);
  printf ("%u logs a year old or more (2 in 3 synced) made in %.1f s\n", n,
          bench_elapsed_ms (start) / 1000);

  for (guint i = 0; i < BASELINE_SAVES; i++)
    {
      double ms = timed_save (db, saves++);

      g_array_append_val (baseline, ms);
      g_usleep (SAVE_INTERVAL_MS * 1000);
    }

  start = g_get_monotonic_time ();
  cn_database_purge_synced_before_async (db, cn_retention_cutoff (now, 30), NULL, on_purged,
                                         &purged);
  while (purged == G_MAXUINT)
    {
      double ms = timed_save (db, saves++);

      g_array_append_val (during, ms);
      g_usleep (SAVE_INTERVAL_MS * 1000);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  purge_ms = bench_elapsed_ms (start);

  printf ("purged %u synced logs in %.2f s (%.0f logs/s, batches of %u)\n", purged,
          purge_ms / 1000, purged / (purge_ms / 1000), CN_RETENTION_BATCH);
  print_saves ("save, nothing else:", baseline);
  print_saves ("save during the purge:", during);

  g_clear_object (&db);
  if (own_dir)
    {
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (path, "-shm", NULL);
      g_autofree char *lock = g_strconcat (path, ".lock", NULL);

      g_unlink (path);
      g_unlink (wal);
      g_unlink (shm);
      g_unlink (lock);
      g_rmdir (dir);
    }
  return 0;
}
