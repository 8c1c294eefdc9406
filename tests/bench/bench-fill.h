/* bench-fill.h: filling a benchmark's database with many logs at once
 *
 * The generators of the 1 000 000-log databases share the scaffolding: the
 * file created by the store, synchronous=OFF and one transaction for the
 * rows, an INSERT of their own columns, then the commit, the catch-up (or
 * the mark moved past every row when search and sync do not matter) and a
 * checkpoint, so a timed open afterwards finds neither a tail nor a WAL.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdio.h>

#include <sqlite3.h>

#include "cn-database.h"
#include "cn-database-private.h"
#include "bench-util.h"

typedef struct {
  CnDatabase   *db;
  sqlite3      *handle;
  sqlite3_stmt *insert;
  gint64        started;
} BenchFill;

/* Creates @path (the store's schema) and prepares @insert_sql in an open
 * transaction. FALSE, said on stderr, when it cannot. */
static inline gboolean
bench_fill_begin (BenchFill  *fill,
                  const char *path,
                  const char *insert_sql)
{
  g_autoptr(GError) error = NULL;

  fill->started = g_get_monotonic_time ();
  fill->insert = NULL;
  fill->db = cn_database_open (path, &error);
  if (fill->db == NULL)
    {
      g_printerr ("Cannot create %s: %s\n", path, error->message);
      return FALSE;
    }

  fill->handle = cn_database_get_handle (fill->db);
  if (sqlite3_exec (fill->handle, "PRAGMA synchronous = OFF; BEGIN", NULL, NULL, NULL) !=
        SQLITE_OK ||
      sqlite3_prepare_v2 (fill->handle, insert_sql, -1, &fill->insert, NULL) != SQLITE_OK)
    {
      g_printerr ("Cannot prepare the fill: %s\n", sqlite3_errmsg (fill->handle));
      g_clear_object (&fill->db);
      return FALSE;
    }

  return TRUE;
}

/* Inserts the row bound to fill->insert and clears the bindings. */
static inline gboolean
bench_fill_row (BenchFill *fill)
{
  int rc = sqlite3_step (fill->insert);

  sqlite3_reset (fill->insert);
  sqlite3_clear_bindings (fill->insert);
  if (rc != SQLITE_DONE)
    {
      g_printerr ("Insert failed: %s\n", sqlite3_errmsg (fill->handle));
      return FALSE;
    }

  return TRUE;
}

/* Commits; then indexes, counts and queues the rows as saves are
 * (@catch_up), or counts them and marks them caught up without indexing
 * (search and sync do not matter to the benchmark, and indexing a million
 * logs takes minutes); checkpoints and closes. Says how many rows and how
 * long. */
static inline gboolean
bench_fill_end (BenchFill *fill,
                guint      n_rows,
                gboolean   catch_up)
{
  g_autoptr(GError) error = NULL;
  int rc;

  sqlite3_finalize (fill->insert);
  fill->insert = NULL;
  rc = sqlite3_exec (fill->handle,
                     catch_up ? "COMMIT"
                              : "UPDATE call_log_counts SET live = (SELECT count(*)"
                                "  FROM call_logs WHERE deleted = 0"
                                "  AND outcome = call_log_counts.outcome);"
                                "UPDATE call_log_tail SET indexed_upto ="
                                "  (SELECT coalesce(max(id), 0) FROM call_logs);"
                                "COMMIT",
                     NULL, NULL, NULL);
  if (rc == SQLITE_OK && catch_up && !cn_database_catch_up (fill->db, &error))
    {
      g_printerr ("Indexing failed: %s\n", error->message);
      g_clear_object (&fill->db);
      return FALSE;
    }
  if (rc == SQLITE_OK)
    rc = sqlite3_exec (fill->handle, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      g_printerr ("Commit failed: %s\n", sqlite3_errmsg (fill->handle));
      g_clear_object (&fill->db);
      return FALSE;
    }

  g_print ("Generated %u logs in %.1f s\n", n_rows, bench_elapsed_ms (fill->started) / 1000.0);
  g_clear_object (&fill->db);
  return TRUE;
}
