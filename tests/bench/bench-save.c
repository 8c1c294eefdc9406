/* bench-save.c: what one "Save" costs, against a bare INSERT + COMMIT
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * bench-save [--n N] [--dir DIR]
 *
 * Saves N logs (default 10 000) as the logger dialog does
 * (cn_database_insert_call_async): each call first has its draft, as the
 * app writes one when it dials (not timed); then the save transaction (the
 * log, a "dialed" and a "dialog_shown" event, the "logged" event,
 * synchronous=FULL), after which the dialog closes, then the catch-up
 * transaction that indexes the log for search, counts it, queues its sync
 * jobs and removes the draft. Alternating with each save so both see the same disk, it INSERTs
 * the same row into a plain table of a second database with the same
 * pragmas and COMMITs. Prints the median and p99 of the save, of the
 * catch-up and of both, of the bare commit, the save's ratio to it (the
 * target: median ratio <= 1.5) and how many pages each commit wrote to the
 * WAL.
 */
#define G_LOG_DOMAIN "bench-save"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <glib/gstdio.h>

#include "cn-database.h"
#include "cn-outbox.h"
#include "cn-database-private.h"
#include "bench-util.h"

#define TARGET_RATIO 1.5

/* Pages (WAL frames) written by the last commit of each connection. */
typedef struct {
  int last_frames;
  int frames;
} WalCount;

static int
on_wal_commit (gpointer    data,
               sqlite3    *db,
               const char *name,
               int         n_frames)
{
  WalCount *count = data;

  count->frames = n_frames - count->last_frames;
  count->last_frames = n_frames;

  /* What SQLite's own auto-checkpoint (replaced by this hook) does. */
  if (n_frames >= 1000)
    {
      sqlite3_wal_checkpoint_v2 (db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
      count->last_frames = 0;
    }

  return SQLITE_OK;
}

static int
compare_int (gconstpointer a,
             gconstpointer b)
{
  return *(const int *) a - *(const int *) b;
}

static sqlite3 *
open_bare (const char *path)
{
  sqlite3 *db = NULL;
  int rc;

  rc = sqlite3_open (path, &db);
  g_assert (rc == SQLITE_OK);
  rc = sqlite3_exec (db,
                     "PRAGMA journal_mode = WAL;"
                     "PRAGMA synchronous = FULL;"
                     "CREATE TABLE IF NOT EXISTS bare ("
                     "  id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, contact_id TEXT,"
                     "  contact_name TEXT, phone TEXT, phone_raw TEXT, extension TEXT,"
                     "  direction TEXT, outcome TEXT, duration_seconds INTEGER, notes TEXT,"
                     "  follow_up_at INTEGER, created_at INTEGER, updated_at INTEGER,"
                     "  revision INTEGER, deleted INTEGER)",
                     NULL, NULL, NULL);
  g_assert (rc == SQLITE_OK);

  return db;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CnDatabase) db = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *bare_path = NULL;
  g_autofree double *ours = NULL;
  g_autofree double *catch_up = NULL;
  g_autofree double *both = NULL;
  g_autofree double *bare = NULL;
  g_autofree int *ours_pages = NULL;
  g_autofree int *bare_pages = NULL;
  WalCount ours_wal = { 0, 0 };
  WalCount bare_wal = { 0, 0 };
  char *dir_option = NULL;
  gboolean sync_off = FALSE;
  char *targets_option = NULL;
  sqlite3 *bare_db;
  sqlite3_stmt *begin = NULL;
  sqlite3_stmt *insert = NULL;
  sqlite3_stmt *commit = NULL;
  int n = 10000;
  GOptionEntry entries[] = {
    { "n", 'n', 0, G_OPTION_ARG_INT, &n, "Number of saves", "N" },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir_option, "Folder for the two databases", "DIR" },
    { "targets", 0, 0, G_OPTION_ARG_STRING, &targets_option,
      "Sync jobs each save queues: none, backend (the default setting) or all", "TARGETS" },
    { "sync-off", 0, 0, G_OPTION_ARG_NONE, &sync_off,
      "Diagnostic: synchronous=OFF on both, to see the CPU part alone", NULL },
    { NULL }
  };
  double ratio_median;

  context = g_option_context_new (NULL);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || n < 1)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "--n must be positive");
      return 2;
    }

  if (dir_option != NULL)
    dir = g_strdup (dir_option);
  else
    dir = g_dir_make_tmp ("callnotes-bench-save-XXXXXX", &error);
  g_assert_no_error (error);
  g_mkdir_with_parents (dir, 0700);
  path = g_build_filename (dir, "callnotes.db", NULL);
  bare_path = g_build_filename (dir, "bare.db", NULL);

  db = cn_database_open (path, &error);
  if (db == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  if (targets_option == NULL || g_str_equal (targets_option, "backend"))
    cn_database_set_sync_targets (db, CN_SYNC_TARGET_BACKEND);
  else if (g_str_equal (targets_option, "all"))
    cn_database_set_sync_targets (db, CN_SYNC_TARGETS_ALL);
  else if (!g_str_equal (targets_option, "none"))
    {
      g_printerr ("--targets must be none, backend or all\n");
      return 2;
    }
  g_print ("Sync jobs per save: %s\n", targets_option != NULL ? targets_option : "backend");
  bare_db = open_bare (bare_path);
  if (sync_off)
    {
      sqlite3_exec (cn_database_get_handle (db), "PRAGMA synchronous = OFF", NULL, NULL, NULL);
      sqlite3_exec (bare_db, "PRAGMA synchronous = OFF", NULL, NULL, NULL);
    }
  sqlite3_prepare_v2 (bare_db, "BEGIN IMMEDIATE", -1, &begin, NULL);
  sqlite3_prepare_v2 (bare_db,
                      "INSERT INTO bare (uuid, contact_id, contact_name, phone, phone_raw,"
                      " extension, direction, outcome, duration_seconds, notes, follow_up_at,"
                      " created_at, updated_at, revision, deleted) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, NULL, 'outbound', 'connected', ?6, ?7, NULL,"
                      " ?8, ?8, 1, 0)", -1, &insert, NULL);
  sqlite3_prepare_v2 (bare_db, "COMMIT", -1, &commit, NULL);

  ours = g_new0 (double, n);
  catch_up = g_new0 (double, n);
  both = g_new0 (double, n);
  bare = g_new0 (double, n);
  ours_pages = g_new0 (int, n);
  bare_pages = g_new0 (int, n);
  sqlite3_wal_hook (cn_database_get_handle (db), on_wal_commit, &ours_wal);
  sqlite3_wal_hook (bare_db, on_wal_commit, &bare_wal);

  g_print ("Saving %d logs in %s (synchronous=%s, WAL)...\n", n, dir,
           sync_off ? "OFF" : "FULL");

  for (int i = 0; i < n; i++)
    {
      g_autoptr(CnCallLog) log = cn_call_log_new_with_uuid ();
      g_autofree char *name = g_strdup_printf ("Customer %d", i);
      g_autofree char *phone = g_strdup_printf ("+1555%07d", i);
      g_autofree char *raw = g_strdup_printf ("(555) %03d-%04d", (i / 10000) % 1000, i % 10000);
      g_autofree char *id = g_strdup_printf ("%d", 1000 + i);
      const char *notes = "Asked about the renewal pricing; call back on Friday with a quote.";
      gint64 now = cn_call_log_get_created_at (log);
      const CnCallEvent events[] = {
        { (char *) "dialed", now - 60, NULL },
        { (char *) "dialog_shown", now - 59, NULL },
      };
      gint64 start;
      int rc;

      cn_call_log_set_contact_id (log, id);
      cn_call_log_set_contact_name (log, name);
      cn_call_log_set_phone (log, phone);
      cn_call_log_set_phone_raw (log, raw);
      cn_call_log_set_outcome (log, CN_OUTCOME_CONNECTED);
      cn_call_log_set_duration (log, 95);
      cn_call_log_set_notes (log, notes);

      /* The draft the app keeps from the moment it dials. */
      {
        g_autoptr(CnDraft) draft = cn_draft_new (log);

        draft->dialed_at = now - 60;
        draft->shown_at = now - 59;
        if (!cn_database_save_draft (db, draft, &error))
          {
            g_printerr ("Draft failed: %s\n", error->message);
            return 1;
          }
      }

      /* Alternate which goes first so neither always follows the other's
       * fsync. */
      for (int pass = 0; pass < 2; pass++)
        {
          gboolean do_ours = (pass == 0) == (i % 2 == 0);

          start = g_get_monotonic_time ();
          if (do_ours)
            {
              if (!cn_database_insert_call_deferred (db, log, events, G_N_ELEMENTS (events),
                                                     &error))
                {
                  g_printerr ("Save failed: %s\n", error->message);
                  return 1;
                }
              ours[i] = (g_get_monotonic_time () - start) / 1000.0;
              ours_pages[i] = ours_wal.frames;

              start = g_get_monotonic_time ();
              if (!cn_database_catch_up (db, &error))
                {
                  g_printerr ("Catch-up failed: %s\n", error->message);
                  return 1;
                }
              catch_up[i] = (g_get_monotonic_time () - start) / 1000.0;
              both[i] = ours[i] + catch_up[i];
            }
          else
            {
              g_autofree char *uuid = g_uuid_string_random ();

              rc = sqlite3_step (begin);
              sqlite3_reset (begin);
              sqlite3_bind_text (insert, 1, uuid, -1, SQLITE_STATIC);
              sqlite3_bind_text (insert, 2, id, -1, SQLITE_STATIC);
              sqlite3_bind_text (insert, 3, name, -1, SQLITE_STATIC);
              sqlite3_bind_text (insert, 4, phone, -1, SQLITE_STATIC);
              sqlite3_bind_text (insert, 5, raw, -1, SQLITE_STATIC);
              sqlite3_bind_int64 (insert, 6, 95);
              sqlite3_bind_text (insert, 7, notes, -1, SQLITE_STATIC);
              sqlite3_bind_int64 (insert, 8, now);
              if (rc == SQLITE_DONE)
                rc = sqlite3_step (insert);
              sqlite3_reset (insert);
              if (rc == SQLITE_DONE)
                rc = sqlite3_step (commit);
              sqlite3_reset (commit);
              if (rc != SQLITE_DONE)
                {
                  g_printerr ("Bare insert failed: %s\n", sqlite3_errmsg (bare_db));
                  return 1;
                }
              bare[i] = (g_get_monotonic_time () - start) / 1000.0;
              bare_pages[i] = bare_wal.frames;
            }
        }
    }

  sqlite3_finalize (begin);
  sqlite3_finalize (insert);
  sqlite3_finalize (commit);
  sqlite3_close (bare_db);

  qsort (ours_pages, n, sizeof (int), compare_int);
  qsort (bare_pages, n, sizeof (int), compare_int);
  ratio_median = bench_percentile (ours, n, 0.5) / bench_percentile (bare, n, 0.5);

  g_print ("\n%-40s %10s %10s\n", "", "median", "p99");
  g_print ("%-40s %8.3f ms %8.3f ms\n", "save (log+3 events; the dialog closes)",
           bench_percentile (ours, n, 0.5), bench_percentile (ours, n, 0.99));
  g_print ("%-40s %8.3f ms %8.3f ms\n", "catch-up after it (index, jobs, draft)",
           bench_percentile (catch_up, n, 0.5), bench_percentile (catch_up, n, 0.99));
  g_print ("%-40s %8.3f ms %8.3f ms\n", "save + catch-up",
           bench_percentile (both, n, 0.5), bench_percentile (both, n, 0.99));
  g_print ("%-40s %8.3f ms %8.3f ms\n", "bare INSERT + COMMIT",
           bench_percentile (bare, n, 0.5), bench_percentile (bare, n, 0.99));
  g_print ("%-40s %8.2f    %8.2f\n", "ratio save / bare", ratio_median,
           bench_percentile (ours, n, 0.99) / bench_percentile (bare, n, 0.99));
  g_print ("\nPages written to the WAL per save commit (median, p99): ours %d, %d; bare %d, %d\n",
           ours_pages[n / 2], ours_pages[MIN ((guint) (0.99 * (n - 1) + 0.5), (guint) n - 1)],
           bare_pages[n / 2], bare_pages[MIN ((guint) (0.99 * (n - 1) + 0.5), (guint) n - 1)]);
  g_print ("\nMedian ratio %.2f (target <= %.1f): %s\n", ratio_median, TARGET_RATIO,
           ratio_median <= TARGET_RATIO ? "met" : "MISSED");

  if (dir_option == NULL)
    {
      const char *suffixes[] = { "", "-wal", "-shm" };

      g_clear_object (&db);
      for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
        {
          g_autofree char *a = g_strconcat (path, suffixes[i], NULL);
          g_autofree char *b = g_strconcat (bare_path, suffixes[i], NULL);

          g_unlink (a);
          g_unlink (b);
        }
      g_rmdir (dir);
    }
  g_free (dir_option);

  return 0;
}
