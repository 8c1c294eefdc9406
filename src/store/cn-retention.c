/* cn-retention.c: removing old synced call logs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The candidates (logs created before the cutoff) are walked through the
 * list index, newest first, CN_RETENTION_BATCH at a time, with a keyset
 * (created_at, id) so a log that is kept is looked at once per purge, not
 * once per batch. Each batch is one write transaction: read the next
 * candidates, then one DELETE per candidate that removes it only when the
 * rule below holds, checked inside the same transaction (a sync job or a
 * draft created a moment before keeps it). A hard DELETE keeps the rest
 * right through the schema: events and any job rows go by ON DELETE
 * CASCADE, the search index, the counts and the generation by the
 * call_logs triggers (call_fts_delete, call_logs_count_delete,
 * call_logs_generation_delete).
 */
#define G_LOG_DOMAIN "cn-retention"

#include "config.h"

#include "cn-database-internal.h"
#include "cn-retention.h"

/* The rule of cn_database_purge_synced_before(), for one log ?1. */
static const char purge_one_sql[] =
  "DELETE FROM call_logs WHERE id = ?1"
  " AND id <= (SELECT indexed_upto FROM call_log_tail)"
  " AND (backend_id IS NOT NULL OR ontraport_note_id IS NOT NULL)"
  " AND NOT EXISTS (SELECT 1 FROM sync_jobs WHERE sync_jobs.call_id = call_logs.id)"
  " AND NOT EXISTS (SELECT 1 FROM drafts WHERE drafts.uuid = call_logs.uuid)"
  " AND NOT (follow_up_at IS NOT NULL AND follow_up_done_at IS NULL)";

/* The next candidates below (@created_at, @id) in the list index. */
static const char candidates_sql[] =
  "SELECT created_at, id FROM call_logs"
  " WHERE deleted = ?1 AND created_at < ?2 AND (created_at, id) < (?3, ?4)"
  " ORDER BY created_at DESC, id DESC LIMIT ?5";

/* A batch stops deleting after this long (its transaction commits what it
 * did and the next one goes on from there): a save waits for one batch at
 * most. */
#define BATCH_BUDGET_US (40 * 1000)
/* Between batches the writer is left alone this long, so a save that waits
 * for it gets it (a mutex is not first come, first served). */
#define BATCH_PAUSE_US  (5 * 1000)

typedef struct {
  gint   deleted;      /* the part of the index walked: 0, then 1 */
  gint64 created_at;   /* the keyset: below this… */
  gint64 id;           /* …and this */
} Cursor;

/* One transaction: up to CN_RETENTION_BATCH candidates. *done once the
 * last part of the index is walked. */
static gboolean
purge_batch (CnDatabase  *self,
             gint64       cutoff,
             Cursor      *cursor,
             guint       *n_purged,
             gboolean    *done,
             GError     **error)
{
  Connection *conn = &self->writer;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&conn->mutex);
  g_autoptr(GArray) keys = g_array_sized_new (FALSE, FALSE, sizeof (gint64),
                                              2 * CN_RETENTION_BATCH);
  gint64 started = g_get_monotonic_time ();
  sqlite3_stmt *stmt;
  guint purged = 0;
  guint n_candidates;
  guint walked = 0;
  int rc;

  if (!cn_db_begin_write (conn, OP_CHANGE, error))
    return FALSE;

  stmt = cn_db_get_statement (conn, candidates_sql, OP_CHANGE, error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int (stmt, 1, cursor->deleted);
  sqlite3_bind_int64 (stmt, 2, cutoff);
  sqlite3_bind_int64 (stmt, 3, cursor->created_at);
  sqlite3_bind_int64 (stmt, 4, cursor->id);
  sqlite3_bind_int (stmt, 5, CN_RETENTION_BATCH);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 created_at = sqlite3_column_int64 (stmt, 0);
      gint64 id = sqlite3_column_int64 (stmt, 1);

      g_array_append_val (keys, created_at);
      g_array_append_val (keys, id);
    }
  if (!cn_db_finish_rows (conn, stmt, rc, OP_CHANGE, error))
    goto fail;
  n_candidates = keys->len / 2;

  /* The keyset moves past each candidate looked at, no further: a batch
   * out of time leaves the rest to the next. */
  while (walked < n_candidates &&
         (walked == 0 || g_get_monotonic_time () - started < BATCH_BUDGET_US))
    {
      stmt = cn_db_get_statement (conn, purge_one_sql, OP_CHANGE, error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, g_array_index (keys, gint64, 2 * walked + 1));
      if (!cn_db_run_statement (conn, stmt, OP_CHANGE, error))
        goto fail;
      purged += sqlite3_changes (conn->db);
      cursor->created_at = g_array_index (keys, gint64, 2 * walked);
      cursor->id = g_array_index (keys, gint64, 2 * walked + 1);
      walked++;
    }

  if (purged > 0)
    {
      if (!cn_db_commit (conn, OP_CHANGE, error))
        goto fail;
    }
  else
    cn_db_rollback (conn);   /* nothing written */

  *n_purged += purged;
  if (walked == n_candidates && n_candidates < CN_RETENTION_BATCH)
    {
      /* This part is walked: the soft-deleted logs next, from the top. */
      if (cursor->deleted == 0)
        {
          cursor->deleted = 1;
          cursor->created_at = G_MAXINT64;
          cursor->id = G_MAXINT64;
        }
      else
        *done = TRUE;
    }
  return TRUE;

fail:
  cn_db_rollback (conn);
  return FALSE;
}

gboolean
cn_database_purge_synced_before (CnDatabase    *self,
                                 gint64         cutoff_utc_seconds,
                                 GCancellable  *cancellable,
                                 guint         *n_purged,
                                 GError       **error)
{
  Cursor cursor = { 0, G_MAXINT64, G_MAXINT64 };
  gboolean done = FALSE;
  guint purged = 0;
  gboolean ok = TRUE;

  g_return_val_if_fail (CN_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (cutoff_utc_seconds <= 0)
    done = TRUE;

  /* The writer's mutex is let go between batches: a save waits for one
   * batch at most. */
  while (ok && !done)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        ok = FALSE;
      else
        ok = purge_batch (self, cutoff_utc_seconds, &cursor, &purged, &done, error);
      if (ok && !done)
        g_usleep (BATCH_PAUSE_US);
    }

  if (n_purged != NULL)
    *n_purged = purged;
  return ok;
}

static void
purge_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  gint64 *cutoff = task_data;
  GError *error = NULL;
  guint purged = 0;

  if (cn_database_purge_synced_before (source_object, *cutoff, cancellable, &purged, &error))
    g_task_return_int (task, purged);
  else
    g_task_return_error (task, error);
}

void
cn_database_purge_synced_before_async (CnDatabase          *self,
                                       gint64               cutoff_utc_seconds,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CN_IS_DATABASE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cn_database_purge_synced_before_async);
  g_task_set_task_data (task, g_memdup2 (&cutoff_utc_seconds, sizeof cutoff_utc_seconds), g_free);
  g_task_run_in_thread (task, purge_thread);
}

gboolean
cn_database_purge_synced_before_finish (CnDatabase    *self,
                                        GAsyncResult  *result,
                                        guint         *n_purged,
                                        GError       **error)
{
  gssize purged;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  purged = g_task_propagate_int (G_TASK (result), error);
  if (n_purged != NULL)
    *n_purged = purged > 0 ? (guint) purged : 0;
  return purged >= 0;
}
