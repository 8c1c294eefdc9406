/* cn-live-store.c: what the live event stream keeps in the database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-live-store"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "cn-database-internal.h"
#include "cn-live-store.h"

/* Event ids remembered, and how often the old ones are pruned. */
#define SEEN_KEEP       10000
#define SEEN_PRUNE_EVERY 1000
/* Bounds on what a server's event may make us store. */
#define MAX_VALUE_BYTES  4096
#define MAX_FIELD_BYTES  2048
#define MAX_SEQUENCE     32

#define CALL_COLUMNS \
  "call_sid, status, completed, duration_seconds, phone, contact_id, contact_name, " \
  "recording_url, direction, started_at, ended_at, received_at, logged_uuid, sequence"

CnStreamCall *
cn_stream_call_new (void)
{
  CnStreamCall *call = g_new0 (CnStreamCall, 1);

  call->duration_seconds = -1;
  return call;
}

CnStreamCall *
cn_stream_call_copy (const CnStreamCall *call)
{
  CnStreamCall *copy;

  g_return_val_if_fail (call != NULL, NULL);

  copy = g_new0 (CnStreamCall, 1);
  *copy = *call;
  copy->call_sid = g_strdup (call->call_sid);
  copy->status = g_strdup (call->status);
  copy->phone = g_strdup (call->phone);
  copy->contact_id = g_strdup (call->contact_id);
  copy->contact_name = g_strdup (call->contact_name);
  copy->recording_url = g_strdup (call->recording_url);
  copy->direction = g_strdup (call->direction);
  copy->logged_uuid = g_strdup (call->logged_uuid);
  copy->sequence = g_strdupv (call->sequence);

  return copy;
}

void
cn_stream_call_free (CnStreamCall *call)
{
  if (call == NULL)
    return;

  g_free (call->call_sid);
  g_free (call->status);
  g_free (call->phone);
  g_free (call->contact_id);
  g_free (call->contact_name);
  g_free (call->recording_url);
  g_free (call->direction);
  g_free (call->logged_uuid);
  g_strfreev (call->sequence);
  g_free (call);
}

static gboolean
check_text (const char  *text,
            gsize        max,
            const char  *what,
            GError     **error)
{
  if (!cn_db_text_ok (text, max))
    {
      g_set_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_INVALID,
                   _("The %s is too long or not valid text."), what);
      return FALSE;
    }

  return TRUE;
}

char *
cn_database_get_value (CnDatabase  *self,
                       const char  *key,
                       GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  Connection *conn;
  sqlite3_stmt *stmt;
  char *value = NULL;
  int rc;

  g_return_val_if_fail (CN_IS_DATABASE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  conn = &self->reader;
  locker = g_mutex_locker_new (&conn->mutex);
  stmt = cn_db_get_statement (conn, "SELECT value FROM kv WHERE key = ?1", OP_READ, error);
  if (stmt == NULL)
    return NULL;

  cn_db_bind_text (stmt, 1, key);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    value = g_strdup (cn_db_column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    cn_db_set_sqlite_error (error, conn->db, rc, OP_READ, self->path);
  cn_db_finish_statement (stmt);

  return value;
}

gboolean
cn_database_set_value (CnDatabase  *self,
                       const char  *key,
                       const char  *value,
                       GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  Connection *conn;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (CN_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  if (!check_text (key, 128, "key", error) || !check_text (value, MAX_VALUE_BYTES, "value", error))
    return FALSE;

  conn = &self->writer;
  locker = g_mutex_locker_new (&conn->mutex);
  if (value != NULL)
    stmt = cn_db_get_statement (conn,
                                "INSERT INTO kv (key, value) VALUES (?1, ?2) "
                                "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
                                " WHERE value IS NOT excluded.value",
                                OP_CHANGE, error);
  else
    stmt = cn_db_get_statement (conn, "DELETE FROM kv WHERE key = ?1", OP_CHANGE, error);
  if (stmt == NULL)
    return FALSE;

  cn_db_bind_text (stmt, 1, key);
  if (value != NULL)
    sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);

  return cn_db_run_statement (conn, stmt, OP_CHANGE, error);
}

gboolean
cn_database_note_stream_event (CnDatabase  *self,
                               const char  *event_id,
                               gboolean    *first,
                               GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  Connection *conn;
  sqlite3_stmt *stmt;
  gint64 id;

  g_return_val_if_fail (CN_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (event_id != NULL, FALSE);
  g_return_val_if_fail (first != NULL, FALSE);

  if (!check_text (event_id, 256, "event id", error))
    return FALSE;

  conn = &self->writer;
  locker = g_mutex_locker_new (&conn->mutex);
  stmt = cn_db_get_statement (conn,
                              "INSERT OR IGNORE INTO stream_events_seen (event_id) VALUES (?1)",
                              OP_CHANGE, error);
  if (stmt == NULL)
    return FALSE;

  cn_db_bind_text (stmt, 1, event_id);
  if (!cn_db_run_statement (conn, stmt, OP_CHANGE, error))
    return FALSE;

  *first = sqlite3_changes (conn->db) > 0;
  if (!*first)
    return TRUE;

  /* Now and then, forget all but the newest ids. */
  id = sqlite3_last_insert_rowid (conn->db);
  if (id % SEEN_PRUNE_EVERY == 0)
    {
      stmt = cn_db_get_statement (conn, "DELETE FROM stream_events_seen WHERE id <= ?1",
                                  OP_CHANGE, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, id - SEEN_KEEP);
      if (!cn_db_run_statement (conn, stmt, OP_CHANGE, error))
        return FALSE;
    }

  return TRUE;
}

static CnStreamCall *
call_from_row (sqlite3_stmt *stmt)
{
  CnStreamCall *call = cn_stream_call_new ();
  const char *sequence;

  call->call_sid = g_strdup (cn_db_column_text (stmt, 0));
  call->status = g_strdup (cn_db_column_text (stmt, 1));
  call->completed = sqlite3_column_int (stmt, 2) != 0;
  call->duration_seconds = sqlite3_column_type (stmt, 3) == SQLITE_NULL
                             ? -1 : sqlite3_column_int64 (stmt, 3);
  call->phone = g_strdup (cn_db_column_text (stmt, 4));
  call->contact_id = g_strdup (cn_db_column_text (stmt, 5));
  call->contact_name = g_strdup (cn_db_column_text (stmt, 6));
  call->recording_url = g_strdup (cn_db_column_text (stmt, 7));
  call->direction = g_strdup (cn_db_column_text (stmt, 8));
  call->started_at = sqlite3_column_int64 (stmt, 9);
  call->ended_at = sqlite3_column_int64 (stmt, 10);
  call->received_at = sqlite3_column_int64 (stmt, 11);
  call->logged_uuid = g_strdup (cn_db_column_text (stmt, 12));
  sequence = cn_db_column_text (stmt, 13);
  call->sequence = sequence != NULL ? g_strsplit (sequence, "\n", MAX_SEQUENCE) : NULL;

  return call;
}

gboolean
cn_database_store_stream_call (CnDatabase          *self,
                               const CnStreamCall  *call,
                               const char          *sequence_step,
                               GError             **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  Connection *conn;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (CN_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (call != NULL && call->call_sid != NULL, FALSE);

  if (!check_text (call->call_sid, 256, "call id", error) ||
      !check_text (call->status, 64, "status", error) ||
      !check_text (call->phone, 128, "number", error) ||
      !check_text (call->contact_id, CN_CALL_LOG_MAX_FIELD, "contact id", error) ||
      !check_text (call->contact_name, CN_CALL_LOG_MAX_FIELD, "contact name", error) ||
      !check_text (call->recording_url, MAX_FIELD_BYTES, "recording address", error) ||
      !check_text (call->direction, 32, "direction", error) ||
      !check_text (sequence_step, 64, "call step", error))
    return FALSE;

  conn = &self->writer;
  locker = g_mutex_locker_new (&conn->mutex);

  /* Unset fields keep what earlier events said; the step is appended
   * (a few per call at most). */
  stmt = cn_db_get_statement (conn,
                              "INSERT INTO stream_calls (" CALL_COLUMNS ") "
                              "VALUES (:sid, :status, :completed, :duration, :phone, :contact_id,"
                              " :contact_name, :recording, :direction, :started, :ended, :received,"
                              " NULL, :step) "
                              "ON CONFLICT (call_sid) DO UPDATE SET"
                              " status = coalesce(excluded.status, status),"
                              " completed = max(completed, excluded.completed),"
                              " duration_seconds = coalesce(excluded.duration_seconds,"
                              "   duration_seconds),"
                              " phone = coalesce(excluded.phone, phone),"
                              " contact_id = coalesce(excluded.contact_id, contact_id),"
                              " contact_name = coalesce(excluded.contact_name, contact_name),"
                              " recording_url = coalesce(excluded.recording_url, recording_url),"
                              " direction = coalesce(excluded.direction, direction),"
                              " started_at = CASE WHEN excluded.started_at > 0"
                              "   THEN excluded.started_at ELSE started_at END,"
                              " ended_at = CASE WHEN excluded.ended_at > 0"
                              "   THEN excluded.ended_at ELSE ended_at END,"
                              " received_at = excluded.received_at,"
                              " sequence = CASE WHEN excluded.sequence IS NULL THEN sequence"
                              "   WHEN sequence IS NULL THEN excluded.sequence"
                              "   WHEN length(sequence) > 1024 THEN sequence"
                              "   ELSE sequence || char(10) || excluded.sequence END",
                              OP_CHANGE, error);
  if (stmt == NULL)
    return FALSE;

  cn_db_bind_named_text (stmt, ":sid", call->call_sid);
  cn_db_bind_named_text (stmt, ":status", call->status);
  cn_db_bind_named_int64 (stmt, ":completed", call->completed ? 1 : 0);
  if (call->duration_seconds >= 0)
    cn_db_bind_named_int64 (stmt, ":duration", call->duration_seconds);
  cn_db_bind_named_text (stmt, ":phone", call->phone);
  cn_db_bind_named_text (stmt, ":contact_id", call->contact_id);
  cn_db_bind_named_text (stmt, ":contact_name", call->contact_name);
  cn_db_bind_named_text (stmt, ":recording", call->recording_url);
  cn_db_bind_named_text (stmt, ":direction", call->direction);
  cn_db_bind_named_int64 (stmt, ":started", MAX (call->started_at, 0));
  cn_db_bind_named_int64 (stmt, ":ended", MAX (call->ended_at, 0));
  cn_db_bind_named_int64 (stmt, ":received",
                          call->received_at > 0 ? call->received_at : cn_db_now_seconds ());
  cn_db_bind_named_text (stmt, ":step", sequence_step);

  return cn_db_run_statement (conn, stmt, OP_CHANGE, error);
}

CnStreamCall *
cn_database_get_stream_call (CnDatabase  *self,
                             const char  *call_sid,
                             GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  Connection *conn;
  sqlite3_stmt *stmt;
  CnStreamCall *call = NULL;
  int rc;

  g_return_val_if_fail (CN_IS_DATABASE (self), NULL);
  g_return_val_if_fail (call_sid != NULL, NULL);

  conn = &self->reader;
  locker = g_mutex_locker_new (&conn->mutex);
  stmt = cn_db_get_statement (conn,
                              "SELECT " CALL_COLUMNS " FROM stream_calls WHERE call_sid = ?1",
                              OP_READ, error);
  if (stmt == NULL)
    return NULL;

  cn_db_bind_text (stmt, 1, call_sid);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    call = call_from_row (stmt);
  else if (rc == SQLITE_DONE)
    g_set_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_NOT_FOUND,
                 _("No call %s was reported by the backend."), call_sid);
  else
    cn_db_set_sqlite_error (error, conn->db, rc, OP_READ, self->path);
  cn_db_finish_statement (stmt);

  return call;
}

GPtrArray *
cn_database_list_stream_calls (CnDatabase  *self,
                               gboolean     completed_only,
                               guint        limit,
                               GError     **error)
{
  g_autoptr(GPtrArray) calls = g_ptr_array_new_with_free_func ((GDestroyNotify) cn_stream_call_free);
  g_autoptr(GMutexLocker) locker = NULL;
  Connection *conn;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (CN_IS_DATABASE (self), NULL);

  conn = &self->reader;
  locker = g_mutex_locker_new (&conn->mutex);
  stmt = cn_db_get_statement (conn,
                              "SELECT " CALL_COLUMNS " FROM stream_calls "
                              "WHERE ?1 = 0 OR completed = 1 "
                              "ORDER BY received_at DESC, rowid DESC LIMIT ?2",
                              OP_READ, error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int (stmt, 1, completed_only ? 1 : 0);
  sqlite3_bind_int64 (stmt, 2, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (calls, call_from_row (stmt));

  if (!cn_db_finish_rows (conn, stmt, rc, OP_READ, error))
    return NULL;

  return g_steal_pointer (&calls);
}

gboolean
cn_database_link_stream_call (CnDatabase  *self,
                              const char  *call_sid,
                              const char  *uuid,
                              GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  Connection *conn;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (CN_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (call_sid != NULL && uuid != NULL, FALSE);

  conn = &self->writer;
  locker = g_mutex_locker_new (&conn->mutex);
  stmt = cn_db_get_statement (conn,
                              "UPDATE stream_calls SET logged_uuid = ?2 WHERE call_sid = ?1",
                              OP_CHANGE, error);
  if (stmt == NULL)
    return FALSE;

  cn_db_bind_text (stmt, 1, call_sid);
  cn_db_bind_text (stmt, 2, uuid);
  if (!cn_db_run_statement (conn, stmt, OP_CHANGE, error))
    return FALSE;

  if (sqlite3_changes (conn->db) == 0)
    {
      g_set_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_NOT_FOUND,
                   _("No call %s was reported by the backend."), call_sid);
      return FALSE;
    }

  return TRUE;
}

/* Follow-ups */

#define FOLLOW_UP_DUE "coalesce(follow_up_snoozed_until, follow_up_at)"
#define FOLLOW_UP_OPEN \
  "follow_up_at IS NOT NULL AND follow_up_done_at IS NULL AND deleted = 0"

void
cn_follow_up_free (CnFollowUp *follow_up)
{
  if (follow_up == NULL)
    return;

  g_clear_object (&follow_up->log);
  g_free (follow_up);
}

gboolean
cn_follow_ups_logged_locked (CnDatabase  *self,
                             gint64       call_id,
                             CnCallLog   *log,
                             gint64       now,
                             GError     **error)
{
  Connection *conn = &self->writer;
  const char *contact_id = cn_call_log_get_contact_id (log);
  const char *phone = cn_call_log_get_phone (log);
  sqlite3_stmt *stmt;

  if ((contact_id == NULL || *contact_id == '\0') && (phone == NULL || *phone == '\0'))
    return TRUE;

  /* The call that follows up: earlier open follow-ups of the contact (or,
   * without a contact, of the number) are done. INDEXED BY: left alone, the
   * planner walks every live log (call_logs_newest) on each save; the
   * partial index holds only the open follow-ups. */
  stmt = cn_db_get_statement (conn,
                              "UPDATE call_logs INDEXED BY call_logs_open_follow_ups"
                              " SET follow_up_done_at = ?4 "
                              "WHERE " FOLLOW_UP_OPEN " AND id <> ?1"
                              " AND ((?2 IS NOT NULL AND contact_id = ?2)"
                              "   OR (?2 IS NULL AND ?3 IS NOT NULL AND phone = ?3))",
                              OP_SAVE_CALL, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, call_id);
  cn_db_bind_text (stmt, 2, contact_id);
  cn_db_bind_text (stmt, 3, phone);
  sqlite3_bind_int64 (stmt, 4, now);

  return cn_db_run_statement (conn, stmt, OP_SAVE_CALL, error);
}

static GPtrArray *
read_follow_ups (CnDatabase  *self,
                 const char  *sql,
                 gint64       bound,
                 guint        limit,
                 GError     **error)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func ((GDestroyNotify) cn_follow_up_free);
  g_autoptr(GMutexLocker) locker = NULL;
  Connection *conn = &self->reader;
  sqlite3_stmt *stmt;
  int rc;

  locker = g_mutex_locker_new (&conn->mutex);
  stmt = cn_db_get_statement (conn, sql, OP_READ, error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, bound);
  sqlite3_bind_int64 (stmt, 2, limit > 0 ? limit : G_MAXINT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CnFollowUp *follow_up = g_new0 (CnFollowUp, 1);

      follow_up->log = cn_db_log_from_row (stmt, NULL);
      follow_up->due_at = sqlite3_column_int64 (stmt, 16);
      follow_up->reminded_at = sqlite3_column_int64 (stmt, 17);
      g_ptr_array_add (found, follow_up);
    }

  if (!cn_db_finish_rows (conn, stmt, rc, OP_READ, error))
    return NULL;

  return g_steal_pointer (&found);
}

GPtrArray *
cn_database_list_follow_ups (CnDatabase  *self,
                             gint64       until,
                             guint        limit,
                             GError     **error)
{
  g_return_val_if_fail (CN_IS_DATABASE (self), NULL);

  return read_follow_ups (self,
                          "SELECT " LOG_COLUMNS ", " FOLLOW_UP_DUE ","
                          " coalesce(follow_up_reminded_at, 0) "
                          "FROM call_logs INDEXED BY call_logs_open_follow_ups"
                          " WHERE " FOLLOW_UP_OPEN
                          " AND (?1 = 0 OR " FOLLOW_UP_DUE " <= ?1) "
                          "ORDER BY " FOLLOW_UP_DUE ", id LIMIT ?2",
                          until, limit, error);
}

gint
cn_database_count_due_follow_ups (CnDatabase  *self,
                                  gint64       now,
                                  guint        cap,
                                  GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  Connection *conn;
  sqlite3_stmt *stmt;
  gint64 value = 0;

  g_return_val_if_fail (CN_IS_DATABASE (self), -1);

  conn = &self->reader;
  locker = g_mutex_locker_new (&conn->mutex);
  /* No order: the walk stops at the cap-th due one. With the list's
   * ORDER BY it would sort every open follow-up first (125 000 rows, 100 ms
   * and 5 MB of cache on the bench's million logs). */
  stmt = cn_db_get_statement (conn,
                              "SELECT count(*) FROM (SELECT 1 FROM call_logs"
                              " INDEXED BY call_logs_open_follow_ups"
                              " WHERE " FOLLOW_UP_OPEN " AND " FOLLOW_UP_DUE " <= ?1 LIMIT ?2)",
                              OP_READ, error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_int64 (stmt, 2, cap);
  if (!cn_db_query_int (conn, stmt, OP_READ, &value, error))
    return -1;

  return (gint) value;
}

/* Due and not reminded since it fell due (or since its snooze ended). */
#define REMINDER_PENDING \
  "(follow_up_reminded_at IS NULL OR follow_up_reminded_at < " FOLLOW_UP_DUE ")"

GPtrArray *
cn_database_list_due_reminders (CnDatabase  *self,
                                gint64       now,
                                GError     **error)
{
  g_return_val_if_fail (CN_IS_DATABASE (self), NULL);

  return read_follow_ups (self,
                          "SELECT " LOG_COLUMNS ", " FOLLOW_UP_DUE ","
                          " coalesce(follow_up_reminded_at, 0) "
                          "FROM call_logs INDEXED BY call_logs_open_follow_ups"
                          " WHERE " FOLLOW_UP_OPEN
                          " AND " FOLLOW_UP_DUE " <= ?1 AND " REMINDER_PENDING " "
                          "ORDER BY " FOLLOW_UP_DUE ", id LIMIT ?2",
                          now, 100, error);
}

gint64
cn_database_next_reminder_at (CnDatabase  *self,
                              GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  Connection *conn;
  sqlite3_stmt *stmt;
  gint64 value = 0;

  g_return_val_if_fail (CN_IS_DATABASE (self), 0);

  conn = &self->reader;
  locker = g_mutex_locker_new (&conn->mutex);
  stmt = cn_db_get_statement (conn,
                              "SELECT coalesce(min(" FOLLOW_UP_DUE "), 0) FROM call_logs"
                              " INDEXED BY call_logs_open_follow_ups "
                              "WHERE " FOLLOW_UP_OPEN " AND " REMINDER_PENDING,
                              OP_READ, error);
  if (stmt == NULL || !cn_db_query_int (conn, stmt, OP_READ, &value, error))
    return 0;

  return value;
}

/* Runs @sql (?1 = uuid, ?2 = value) on one log; NOT_FOUND when it has no
 * open follow-up. */
static gboolean
change_follow_up (CnDatabase  *self,
                  const char  *sql,
                  const char  *uuid,
                  gint64       value,
                  const char  *event_kind,
                  GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  Connection *conn = &self->writer;
  sqlite3_stmt *stmt;
  gint64 call_id = 0;
  int rc;

  locker = g_mutex_locker_new (&conn->mutex);
  if (!cn_db_begin_write (conn, OP_CHANGE, error))
    return FALSE;

  stmt = cn_db_get_statement (conn, sql, OP_CHANGE, error);
  if (stmt == NULL)
    goto fail;

  cn_db_bind_text (stmt, 1, uuid);
  sqlite3_bind_int64 (stmt, 2, value);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      call_id = sqlite3_column_int64 (stmt, 0);
    }
  if (!cn_db_finish_rows (conn, stmt, rc, OP_CHANGE, error))
    goto fail;

  if (call_id == 0)
    {
      g_set_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_NOT_FOUND,
                   _("Call log %s has no open follow-up."), uuid);
      goto fail;
    }

  if (event_kind != NULL &&
      !cn_db_insert_event (conn, call_id, event_kind, cn_db_now_seconds (), NULL, OP_CHANGE,
                           error))
    goto fail;

  if (!cn_db_commit (conn, OP_CHANGE, error))
    goto fail;

  return TRUE;

fail:
  cn_db_rollback (conn);
  return FALSE;
}

gboolean
cn_database_mark_reminded (CnDatabase  *self,
                           const char  *uuid,
                           gint64       at,
                           GError     **error)
{
  g_return_val_if_fail (CN_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (uuid != NULL, FALSE);

  return change_follow_up (self,
                           "UPDATE call_logs SET follow_up_reminded_at = ?2 "
                           "WHERE uuid = ?1 AND " FOLLOW_UP_OPEN " RETURNING id",
                           uuid, at, NULL, error);
}

gboolean
cn_database_snooze_follow_up (CnDatabase  *self,
                              const char  *uuid,
                              gint64       until,
                              GError     **error)
{
  g_return_val_if_fail (CN_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (uuid != NULL, FALSE);

  return change_follow_up (self,
                           "UPDATE call_logs SET follow_up_snoozed_until = ?2 "
                           "WHERE uuid = ?1 AND " FOLLOW_UP_OPEN " RETURNING id",
                           uuid, until, "follow_up_snoozed", error);
}

gboolean
cn_database_complete_follow_up (CnDatabase  *self,
                                const char  *uuid,
                                GError     **error)
{
  g_return_val_if_fail (CN_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (uuid != NULL, FALSE);

  return change_follow_up (self,
                           "UPDATE call_logs SET follow_up_done_at = ?2 "
                           "WHERE uuid = ?1 AND " FOLLOW_UP_OPEN " RETURNING id",
                           uuid, cn_db_now_seconds (), "follow_up_done", error);
}
