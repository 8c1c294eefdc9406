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
 *
 * Holds: a log open in an editor may have no draft yet (nothing typed), so
 * the app also holds it (cn_database_hold_call()). A batch looks the held
 * UUIDs up once, as ids, and skips those candidates. A hold taken while the
 * batch runs is checked again just before the commit, with the holds'
 * mutex kept until the commit is done: a batch that deleted a log held
 * meanwhile is rolled back and walked again, and a log read after its hold
 * returned was not purged by a batch that commits later.
 */
#define G_LOG_DOMAIN "cn-retention"

#include "config.h"

#include "cn-database-internal.h"
#include "cn-retention.h"

/* The rule of cn_database_purge_synced_before(), for one log ?1; answers
 * the UUID of the log it removed. */
static const char purge_one_sql[] =
  "DELETE FROM call_logs WHERE id = ?1"
  " AND id <= (SELECT indexed_upto FROM call_log_tail)"
  " AND (backend_id IS NOT NULL OR ontraport_note_id IS NOT NULL)"
  " AND NOT EXISTS (SELECT 1 FROM sync_jobs WHERE sync_jobs.call_id = call_logs.id)"
  " AND NOT EXISTS (SELECT 1 FROM drafts WHERE drafts.uuid = call_logs.uuid)"
  " AND NOT (follow_up_at IS NOT NULL AND follow_up_done_at IS NULL)"
  " RETURNING uuid";

/* The id of a held log (0: none, e.g. a new call's logger). */
static const char held_id_sql[] = "SELECT id FROM call_logs WHERE uuid = ?1";

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

/* With holds_mutex held, inside the batch's transaction before it deleted
 * anything: the ids of the held logs, into @ids (a set of gint64). */
static gboolean
lookup_held_ids (CnDatabase  *self,
                 GHashTable  *ids,
                 GError     **error)
{
  Connection *conn = &self->writer;
  GHashTableIter iter;
  gpointer uuid;

  g_hash_table_iter_init (&iter, self->holds);
  while (g_hash_table_iter_next (&iter, &uuid, NULL))
    {
      sqlite3_stmt *stmt = cn_db_get_statement (conn, held_id_sql, OP_CHANGE, error);
      gint64 id;

      if (stmt == NULL)
        return FALSE;
      cn_db_bind_text (stmt, 1, uuid);
      if (!cn_db_query_int (conn, stmt, OP_CHANGE, &id, error))
        return FALSE;
      if (id > 0)
        g_hash_table_add (ids, g_memdup2 (&id, sizeof id));
    }

  return TRUE;
}

/* With holds_mutex held: TRUE when a log of @removed (UUIDs) is held. */
static gboolean
any_held (CnDatabase *self,
          GPtrArray  *removed)
{
  for (guint i = 0; i < removed->len; i++)
    if (g_hash_table_contains (self->holds, g_ptr_array_index (removed, i)))
      return TRUE;

  return FALSE;
}

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
  g_autoptr(GHashTable) held = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func (g_free);
  Cursor start = *cursor;
  gint64 started = g_get_monotonic_time ();
  sqlite3_stmt *stmt;
  guint purged = 0;
  guint n_candidates;
  guint walked = 0;
  guint generation;
  gboolean ok;
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

  g_mutex_lock (&self->holds_mutex);
  generation = self->holds_generation;
  ok = lookup_held_ids (self, held, error);
  g_mutex_unlock (&self->holds_mutex);
  if (!ok)
    goto fail;

  /* The keyset moves past each candidate looked at, no further: a batch
   * out of time leaves the rest to the next. */
  while (walked < n_candidates &&
         (walked == 0 || g_get_monotonic_time () - started < BATCH_BUDGET_US))
    {
      gint64 id = g_array_index (keys, gint64, 2 * walked + 1);

      if (!g_hash_table_contains (held, &id))
        {
          stmt = cn_db_get_statement (conn, purge_one_sql, OP_CHANGE, error);
          if (stmt == NULL)
            goto fail;
          sqlite3_bind_int64 (stmt, 1, id);
          rc = sqlite3_step (stmt);
          if (rc == SQLITE_ROW)
            {
              g_ptr_array_add (removed, g_strdup (cn_db_column_text (stmt, 0)));
              purged++;
            }
          if (!cn_db_finish_rows (conn, stmt, rc, OP_CHANGE, error))
            goto fail;
        }
      cursor->created_at = g_array_index (keys, gint64, 2 * walked);
      cursor->id = id;
      walked++;
    }

  if (purged > 0)
    {
      g_mutex_lock (&self->holds_mutex);
      if (self->holds_generation != generation && any_held (self, removed))
        {
          /* Opened in an editor meanwhile: undone, and walked again (the
           * next batch skips it). */
          g_mutex_unlock (&self->holds_mutex);
          cn_db_rollback (conn);
          *cursor = start;
          return TRUE;
        }
      ok = cn_db_commit (conn, OP_CHANGE, error);
      g_mutex_unlock (&self->holds_mutex);
      if (!ok)
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

void
cn_database_hold_call (CnDatabase *self,
                       const char *uuid)
{
  g_autoptr(GMutexLocker) locker = NULL;
  guint count;

  g_return_if_fail (CN_IS_DATABASE (self));
  g_return_if_fail (uuid != NULL);

  locker = g_mutex_locker_new (&self->holds_mutex);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->holds, uuid));
  g_hash_table_replace (self->holds, g_strdup (uuid), GUINT_TO_POINTER (count + 1));
  self->holds_generation++;
}

void
cn_database_release_call (CnDatabase *self,
                          const char *uuid)
{
  g_autoptr(GMutexLocker) locker = NULL;
  guint count;

  g_return_if_fail (CN_IS_DATABASE (self));
  g_return_if_fail (uuid != NULL);

  locker = g_mutex_locker_new (&self->holds_mutex);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->holds, uuid));
  g_return_if_fail (count > 0);

  if (count == 1)
    g_hash_table_remove (self->holds, uuid);
  else
    g_hash_table_replace (self->holds, g_strdup (uuid), GUINT_TO_POINTER (count - 1));
}

gboolean
cn_database_is_call_held (CnDatabase *self,
                          const char *uuid)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (CN_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (uuid != NULL, FALSE);

  locker = g_mutex_locker_new (&self->holds_mutex);
  return g_hash_table_contains (self->holds, uuid);
}
