/* cn-outbox.c: the sync outbox (jobs, results, contacts cache)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-outbox"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "cn-database-internal.h"
#include "cn-phone.h"

/* A job whose log has a follow-up due within this many seconds goes first. */
#define URGENT_FOLLOW_UP_SECONDS (24 * 60 * 60)
/* Longest message kept from a server (bytes); the rest is cut. */
#define MAX_MESSAGE_BYTES 2048

#define JOB_COLUMNS \
  "j.id, j.target, j.action, j.revision, j.payload, j.state, j.attempts, " \
  "j.next_attempt_at, j.outcome_unknown, j.last_status, j.last_error, j.remote_id, " \
  "j.created_at, j.updated_at, c.backend_id"
#define N_LOG_COLUMNS 16
#define JOIN_LOG_COLUMNS \
  "c.id, c.uuid, c.contact_id, c.contact_name, c.phone, c.phone_raw, c.extension, " \
  "c.direction, c.outcome, c.duration_seconds, c.notes, c.follow_up_at, c.created_at, " \
  "c.updated_at, c.revision, c.deleted"
/* Bit of a job's target in a CnSyncTarget mask, in SQL. */
#define TARGET_BIT \
  "(CASE j.target WHEN 'backend' THEN 1 WHEN 'ontraport-note' THEN 2 ELSE 4 END)"

static const char * const target_names[] = { "backend", "ontraport-note", "ontraport-task" };
static const char * const state_names[] = {
  "pending", "in_flight", "done", "waiting", "needs_contact", "needs_attention", "canceled",
};

G_STATIC_ASSERT (G_N_ELEMENTS (state_names) == CN_JOB_N_STATES);

const char *
cn_sync_target_to_string (CnSyncTarget target)
{
  switch (target)
    {
    case CN_SYNC_TARGET_BACKEND:
      return target_names[0];
    case CN_SYNC_TARGET_ONTRAPORT_NOTE:
      return target_names[1];
    case CN_SYNC_TARGET_ONTRAPORT_TASK:
      return target_names[2];
    default:
      return NULL;
    }
}

gboolean
cn_sync_target_from_string (const char   *text,
                            CnSyncTarget *target)
{
  for (guint i = 0; i < G_N_ELEMENTS (target_names); i++)
    if (g_strcmp0 (text, target_names[i]) == 0)
      {
        *target = 1 << i;
        return TRUE;
      }

  return FALSE;
}

const char *
cn_job_state_to_string (CnJobState state)
{
  if ((guint) state >= G_N_ELEMENTS (state_names))
    return NULL;

  return state_names[state];
}

gboolean
cn_job_state_from_string (const char *text,
                          CnJobState *state)
{
  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    if (g_strcmp0 (text, state_names[i]) == 0)
      {
        *state = i;
        return TRUE;
      }

  return FALSE;
}

void
cn_sync_job_free (CnSyncJob *job)
{
  if (job == NULL)
    return;

  g_free (job->call_uuid);
  g_free (job->payload);
  g_free (job->last_error);
  g_free (job->remote_id);
  g_free (job->backend_id);
  g_clear_object (&job->log);
  g_free (job);
}

void
cn_database_set_sync_targets (CnDatabase   *self,
                              CnSyncTarget  targets)
{
  g_return_if_fail (CN_IS_DATABASE (self));

  g_atomic_int_set ((gint *) &self->sync_targets, targets & CN_SYNC_TARGETS_ALL);
}

CnSyncTarget
cn_database_get_sync_targets (CnDatabase *self)
{
  g_return_val_if_fail (CN_IS_DATABASE (self), 0);

  return g_atomic_int_get ((gint *) &self->sync_targets);
}

/* Small JSON writer for event details (the store has no JSON library). */
static void
append_json_string (GString    *out,
                    const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
        }
    }
  g_string_append_c (out, '"');
}

/* Cuts @text to at most MAX_MESSAGE_BYTES at a character boundary, and makes
 * sure it is UTF-8 (server text is not to be trusted). */
static char *
clean_message (const char *text)
{
  g_autofree char *valid = NULL;
  const char *end;

  if (text == NULL || *text == '\0')
    return NULL;

  valid = g_utf8_make_valid (text, -1);
  if (strlen (valid) <= MAX_MESSAGE_BYTES)
    return g_steal_pointer (&valid);

  end = g_utf8_find_prev_char (valid, valid + MAX_MESSAGE_BYTES);
  return g_strndup (valid, end - valid);
}

static const char *
result_kind_name (CnJobResultKind kind)
{
  switch (kind)
    {
    case CN_JOB_RESULT_DONE:
      return "done";
    case CN_JOB_RESULT_RETRY:
      return "retry";
    case CN_JOB_RESULT_FAILED:
      return "failed";
    case CN_JOB_RESULT_NEEDS_CONTACT:
      return "needs_contact";
    case CN_JOB_RESULT_RELEASE:
    default:
      return "released";
    }
}

/* Enqueueing (inside the catch-up and edit transactions) */

static gboolean
insert_job (Connection  *conn,
            gint64       call_id,
            CnSyncTarget target,
            CnJobAction  action,
            gint         revision,
            gint64       follow_up_at,
            gint64       now,
            GError     **error)
{
  sqlite3_stmt *stmt = cn_db_get_statement (conn,
                                            "INSERT INTO sync_jobs (call_id, target, action,"
                                            " revision, follow_up_at, created_at, updated_at) "
                                            "VALUES (?1, ?2, ?3, ?4, ?6, ?5, ?5)",
                                            OP_SAVE_CALL, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, call_id);
  cn_db_bind_text (stmt, 2, cn_sync_target_to_string (target));
  cn_db_bind_text (stmt, 3, action == CN_JOB_UPDATE ? "update" : "create");
  sqlite3_bind_int (stmt, 4, revision);
  sqlite3_bind_int64 (stmt, 5, now);
  sqlite3_bind_int64 (stmt, 6, MAX (follow_up_at, 0));

  return cn_db_run_statement (conn, stmt, OP_SAVE_CALL, error);
}

gboolean
cn_outbox_enqueue_locked (CnDatabase    *self,
                          gint64         call_id,
                          CnCallLog     *log,
                          CnSyncTarget   targets,
                          gint64         now,
                          GError       **error)
{
  Connection *conn = &self->writer;
  gint64 follow_up = cn_call_log_get_follow_up (log);
  gint revision = MAX (cn_call_log_get_revision (log), 1);

  if ((targets & CN_SYNC_TARGET_BACKEND) &&
      !insert_job (conn, call_id, CN_SYNC_TARGET_BACKEND, CN_JOB_CREATE, revision, follow_up,
                   now, error))
    return FALSE;

  if ((targets & CN_SYNC_TARGET_ONTRAPORT_NOTE) &&
      !insert_job (conn, call_id, CN_SYNC_TARGET_ONTRAPORT_NOTE, CN_JOB_CREATE, revision,
                   follow_up, now, error))
    return FALSE;

  if ((targets & CN_SYNC_TARGET_ONTRAPORT_TASK) && cn_call_log_get_follow_up (log) != 0 &&
      !insert_job (conn, call_id, CN_SYNC_TARGET_ONTRAPORT_TASK, CN_JOB_CREATE, revision,
                   follow_up, now, error))
    return FALSE;

  return TRUE;
}

typedef enum {
  TARGET_UNTOUCHED,   /* never queued for the target */
  TARGET_QUEUED,      /* a job not yet confirmed, or confirmed (remote id on the log) */
  TARGET_CANCELED,    /* the agent stopped it */
} TargetStatus;

/* Where the log stands with @target. */
static gboolean
target_status_locked (Connection    *conn,
                      gint64         call_id,
                      CnSyncTarget   target,
                      TargetStatus  *status,
                      GError       **error)
{
  const char *sql;
  sqlite3_stmt *stmt;

#define TARGET_STATUS_SQL(column) \
  "SELECT (SELECT count(*) FROM sync_jobs WHERE call_id = ?1 AND target = ?2" \
  "         AND state <> 'canceled') +" \
  "       (SELECT " column " IS NOT NULL FROM call_logs WHERE id = ?1)," \
  "       (SELECT count(*) FROM sync_jobs WHERE call_id = ?1 AND target = ?2" \
  "         AND state = 'canceled')"
  switch (target)
    {
    case CN_SYNC_TARGET_ONTRAPORT_NOTE:
      sql = TARGET_STATUS_SQL ("ontraport_note_id");
      break;
    case CN_SYNC_TARGET_ONTRAPORT_TASK:
      sql = TARGET_STATUS_SQL ("ontraport_task_id");
      break;
    case CN_SYNC_TARGET_BACKEND:
    default:
      sql = TARGET_STATUS_SQL ("backend_id");
      break;
    }
#undef TARGET_STATUS_SQL

  stmt = cn_db_get_statement (conn, sql, OP_SAVE_CALL, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, call_id);
  cn_db_bind_text (stmt, 2, cn_sync_target_to_string (target));
  if (!cn_db_step_row (conn, stmt, OP_SAVE_CALL, NULL, error))
    return FALSE;

  if (sqlite3_column_int64 (stmt, 0) > 0)
    *status = TARGET_QUEUED;
  else if (sqlite3_column_int64 (stmt, 1) > 0)
    *status = TARGET_CANCELED;
  else
    *status = TARGET_UNTOUCHED;
  cn_db_finish_statement (stmt);

  return TRUE;
}

/* An edit. The backend learns of it through the job that sends it, which
 * either has not sent anything the server may have kept yet (its payload is
 * fixed only then; it sends the new revision) or is a new update job (a PUT
 * with its own Idempotency-Key, "<client_id>:<revision>"). Ontraport notes
 * and tasks are built when sent, so one still waiting carries the edit; one
 * already sent is left as it is (a note is a record of the call). A
 * follow-up added by the edit gets its task, one removed takes its unsent
 * task along; a contact set by the edit frees jobs that waited for one. A
 * target the agent canceled for this log stays canceled. */
gboolean
cn_outbox_edited_locked (CnDatabase  *self,
                         gint64       call_id,
                         CnCallLog   *log,
                         gint         revision,
                         gint64       now,
                         GError     **error)
{
  CnSyncTarget targets = cn_database_get_sync_targets (self);
  Connection *conn = &self->writer;
  TargetStatus status = TARGET_UNTOUCHED;

  gint64 follow_up = MAX (cn_call_log_get_follow_up (log), 0);
  const char *contact_id = cn_call_log_get_contact_id (log);

  /* A log still in the tail gets its jobs first, so the edit finds them. */
  if (!cn_db_catch_up_txn (self, error))
    return FALSE;

  /* The jobs' copy of the follow-up (their priority) follows the log. */
  if (!cn_db_run_with_ints (conn,
                            "UPDATE sync_jobs SET follow_up_at = ?2 "
                            "WHERE call_id = ?1 AND follow_up_at <> ?2"
                            " AND state NOT IN ('done', 'canceled')",
                            call_id, follow_up, OP_SAVE_CALL, error))
    return FALSE;

  /* Backend: a job the server cannot have kept yet takes the new revision. */
  if (!cn_db_run_with_ints (conn,
                            "UPDATE sync_jobs SET revision = ?2 "
                            "WHERE call_id = ?1 AND target = 'backend' AND payload IS NULL"
                            " AND state NOT IN ('done', 'canceled', 'in_flight')",
                            call_id, revision, OP_SAVE_CALL, error))
    return FALSE;

  if (sqlite3_changes (conn->db) == 0)
    {
      if (!target_status_locked (conn, call_id, CN_SYNC_TARGET_BACKEND, &status, error))
        return FALSE;

      if (status == TARGET_QUEUED)
        {
          /* Sent (or being sent): the edit goes as an update once the
           * create is confirmed. */
          if (!insert_job (conn, call_id, CN_SYNC_TARGET_BACKEND, CN_JOB_UPDATE, revision,
                           follow_up, now, error))
            return FALSE;
        }
      else if (status == TARGET_UNTOUCHED && (targets & CN_SYNC_TARGET_BACKEND) &&
               !insert_job (conn, call_id, CN_SYNC_TARGET_BACKEND, CN_JOB_CREATE, revision,
                            follow_up, now, error))
        {
          /* Saved while the backend was off: it gets the log now. */
          return FALSE;
        }
    }

  if ((targets & CN_SYNC_TARGET_ONTRAPORT_NOTE))
    {
      if (!target_status_locked (conn, call_id, CN_SYNC_TARGET_ONTRAPORT_NOTE, &status, error))
        return FALSE;
      if (status == TARGET_UNTOUCHED &&
          !insert_job (conn, call_id, CN_SYNC_TARGET_ONTRAPORT_NOTE, CN_JOB_CREATE, revision,
                       follow_up, now, error))
        return FALSE;
    }

  if (follow_up == 0)
    {
      /* The follow-up was taken back: a task not sent yet goes too. */
      if (!cn_db_run_with_ints (conn,
                                "UPDATE sync_jobs SET state = 'canceled', updated_at = ?2 "
                                "WHERE call_id = ?1 AND target = 'ontraport-task'"
                                " AND payload IS NULL"
                                " AND state NOT IN ('done', 'canceled', 'in_flight')",
                                call_id, now, OP_SAVE_CALL, error))
        return FALSE;
    }
  else if ((targets & CN_SYNC_TARGET_ONTRAPORT_TASK))
    {
      if (!target_status_locked (conn, call_id, CN_SYNC_TARGET_ONTRAPORT_TASK, &status, error))
        return FALSE;
      if (status == TARGET_UNTOUCHED &&
          !insert_job (conn, call_id, CN_SYNC_TARGET_ONTRAPORT_TASK, CN_JOB_CREATE, revision,
                       follow_up, now, error))
        return FALSE;
    }

  if (contact_id != NULL && *contact_id != '\0' &&
      !cn_db_run_with_ints (conn,
                            "UPDATE sync_jobs SET state = 'pending', next_attempt_at = 0,"
                            " updated_at = ?2 WHERE call_id = ?1 AND state = 'needs_contact'",
                            call_id, now, OP_SAVE_CALL, error))
    return FALSE;

  return TRUE;
}

/* Reading jobs */

static CnSyncJob *
job_from_row (sqlite3_stmt *stmt)
{
  CnSyncJob *job = g_new0 (CnSyncJob, 1);
  CnJobState state = CN_JOB_PENDING;
  CnSyncTarget target = CN_SYNC_TARGET_BACKEND;
  /* The log comes first (JOIN_LOG_COLUMNS, read as every log is read), the
   * job's own columns after it. */
  const int o = N_LOG_COLUMNS;

  job->log = cn_db_log_from_row (stmt, NULL);
  job->call_uuid = g_strdup (cn_call_log_get_uuid (job->log));
  job->id = sqlite3_column_int64 (stmt, o + 0);
  cn_sync_target_from_string (cn_db_column_text (stmt, o + 1), &target);
  job->target = target;
  job->action = g_strcmp0 (cn_db_column_text (stmt, o + 2), "update") == 0 ? CN_JOB_UPDATE
                                                                           : CN_JOB_CREATE;
  job->revision = sqlite3_column_int (stmt, o + 3);
  job->payload = g_strdup (cn_db_column_text (stmt, o + 4));
  cn_job_state_from_string (cn_db_column_text (stmt, o + 5), &state);
  job->state = state;
  job->attempts = sqlite3_column_int (stmt, o + 6);
  job->next_attempt_at = sqlite3_column_int64 (stmt, o + 7);
  job->outcome_unknown = sqlite3_column_int (stmt, o + 8) != 0;
  job->last_status = sqlite3_column_int (stmt, o + 9);
  job->last_error = g_strdup (cn_db_column_text (stmt, o + 10));
  job->remote_id = g_strdup (cn_db_column_text (stmt, o + 11));
  job->created_at = sqlite3_column_int64 (stmt, o + 12);
  job->updated_at = sqlite3_column_int64 (stmt, o + 13);
  job->backend_id = g_strdup (cn_db_column_text (stmt, o + 14));

  return job;
}

static gboolean
collect_jobs (Connection    *conn,
              sqlite3_stmt  *stmt,
              Op             op,
              GPtrArray     *jobs,
              GError       **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (jobs, job_from_row (stmt));

  return cn_db_finish_rows (conn, stmt, rc, op, error);
}

GPtrArray *
cn_database_claim_jobs (CnDatabase        *self,
                        CnSyncTarget       targets,
                        gint64             now,
                        guint              max_jobs,
                        GError           **error)
{
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func ((GDestroyNotify) cn_sync_job_free);
  g_autoptr(GMutexLocker) locker = NULL;
  Connection *conn;
  sqlite3_stmt *urgent;
  sqlite3_stmt *select;
  sqlite3_stmt *mark;

  g_return_val_if_fail (CN_IS_DATABASE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (max_jobs == 0 || (targets & CN_SYNC_TARGETS_ALL) == 0)
    return g_steal_pointer (&jobs);

  conn = &self->writer;
  locker = g_mutex_locker_new (&conn->mutex);

  /* Due jobs of the targets: those whose follow-up falls within a day
   * first (soonest first), then the oldest. A job waits while an older job
   * of the same log and target is not done: an update never overtakes its
   * create, nor one edit another. Each pass walks its own partial index. */
#define DUE_JOB_FILTER \
  " j.next_attempt_at <= :now" \
  " AND (" TARGET_BIT " & :targets) <> 0" \
  " AND NOT EXISTS (SELECT 1 FROM sync_jobs o" \
  "  WHERE o.call_id = j.call_id AND o.target = j.target" \
  "  AND o.id < j.id AND o.state NOT IN ('done', 'canceled'))"
  urgent = cn_db_get_statement (conn,
                                "SELECT " JOIN_LOG_COLUMNS ", " JOB_COLUMNS " "
                                "FROM sync_jobs j JOIN call_logs c ON c.id = j.call_id "
                                "WHERE j.state IN ('pending', 'waiting')"
                                " AND j.follow_up_at > 0 AND j.follow_up_at <= :urgent AND"
                                DUE_JOB_FILTER " "
                                "ORDER BY j.follow_up_at LIMIT :limit",
                                OP_CHANGE, error);
  select = cn_db_get_statement (conn,
                                "SELECT " JOIN_LOG_COLUMNS ", " JOB_COLUMNS " "
                                "FROM sync_jobs j JOIN call_logs c ON c.id = j.call_id "
                                "WHERE j.state IN ('pending', 'waiting') AND"
                                DUE_JOB_FILTER " "
                                "AND NOT (j.follow_up_at > 0 AND j.follow_up_at <= :urgent) "
                                "ORDER BY j.id LIMIT :limit",
                                OP_CHANGE, error);
#undef DUE_JOB_FILTER
  mark = cn_db_get_statement (conn,
                              "UPDATE sync_jobs SET state = 'in_flight', updated_at = ?2 "
                              "WHERE id = ?1",
                              OP_CHANGE, error);
  if (urgent == NULL || select == NULL || mark == NULL)
    return NULL;

  if (!cn_db_begin_write (conn, OP_CHANGE, error))
    return NULL;

  /* Logs another process saved a moment ago may not be queued yet. */
  if (!cn_db_catch_up_txn (self, error))
    goto fail;

  for (guint pass = 0; pass < 2 && jobs->len < max_jobs; pass++)
    {
      sqlite3_stmt *stmt = pass == 0 ? urgent : select;

      cn_db_bind_named_int64 (stmt, ":now", now);
      cn_db_bind_named_int64 (stmt, ":targets", targets & CN_SYNC_TARGETS_ALL);
      cn_db_bind_named_int64 (stmt, ":urgent", now + URGENT_FOLLOW_UP_SECONDS);
      cn_db_bind_named_int64 (stmt, ":limit", max_jobs - jobs->len);
      if (!collect_jobs (conn, stmt, OP_CHANGE, jobs, error))
        goto fail;
    }

  for (guint i = 0; i < jobs->len; i++)
    {
      CnSyncJob *job = g_ptr_array_index (jobs, i);

      sqlite3_bind_int64 (mark, 1, job->id);
      sqlite3_bind_int64 (mark, 2, now);
      if (!cn_db_run_statement (conn, mark, OP_CHANGE, error))
        goto fail;
      job->state = CN_JOB_IN_FLIGHT;
    }

  if (!cn_db_commit (conn, OP_CHANGE, error))
    goto fail;

  return g_steal_pointer (&jobs);

fail:
  cn_db_rollback (conn);
  return NULL;
}

/* Runs @sql on the writer; the rows it changed, or -1 with @error. */
static gint
run_sql_changes (CnDatabase  *self,
                 const char  *sql,
                 GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  Connection *conn = &self->writer;

  locker = g_mutex_locker_new (&conn->mutex);
  if (!cn_db_run_sql (conn, sql, OP_CHANGE, error))
    return -1;

  return sqlite3_changes (conn->db);
}

gint
cn_database_reset_in_flight (CnDatabase  *self,
                             GError     **error)
{
  g_return_val_if_fail (CN_IS_DATABASE (self), -1);

  /* The worker that claimed them is gone: whether it sent them is unknown. */
  return run_sql_changes (self,
                          "UPDATE sync_jobs SET state = 'pending', outcome_unknown = 1 "
                          "WHERE state = 'in_flight'",
                          error);
}

static char *
build_event_detail (CnSyncTarget        target,
                    const CnJobResult  *result,
                    guint               attempt)
{
  GString *out = g_string_new ("{\"target\":");
  g_autofree char *message = clean_message (result->message);

  append_json_string (out, cn_sync_target_to_string (target));
  g_string_append (out, ",\"result\":");
  append_json_string (out, result_kind_name (result->kind));
  g_string_append_printf (out, ",\"attempt\":%u,\"status\":%d", attempt, result->status);
  if (message != NULL)
    {
      g_string_append (out, ",\"message\":");
      append_json_string (out, message);
    }
  if (result->remote_id != NULL)
    {
      g_string_append (out, ",\"remote_id\":");
      append_json_string (out, result->remote_id);
    }
  if (result->kind == CN_JOB_RESULT_RETRY)
    g_string_append_printf (out, ",\"next_attempt_at\":%" G_GINT64_FORMAT,
                            result->next_attempt_at);
  if (result->outcome_unknown)
    g_string_append (out, ",\"outcome_unknown\":true");
  g_string_append_c (out, '}');

  return g_string_free (out, FALSE);
}

static gboolean
cache_contact_locked (Connection  *conn,
                      const char  *phone,
                      const char  *contact_id,
                      const char  *contact_name,
                      gint64       now,
                      GError     **error)
{
  g_autofree char *key = cn_phone_last_ten_digits (phone);
  sqlite3_stmt *stmt;

  if (key == NULL || *key == '\0')
    return TRUE;

  stmt = cn_db_get_statement (conn,
                              "INSERT INTO contacts (phone_key, contact_id, contact_name,"
                              " updated_at) VALUES (?1, ?2, ?3, ?4) "
                              "ON CONFLICT (phone_key) DO UPDATE SET"
                              " contact_id = excluded.contact_id,"
                              " contact_name = coalesce(excluded.contact_name, contact_name),"
                              " updated_at = excluded.updated_at",
                              OP_CHANGE, error);
  if (stmt == NULL)
    return FALSE;

  cn_db_bind_text (stmt, 1, key);
  cn_db_bind_text (stmt, 2, contact_id);
  cn_db_bind_text (stmt, 3, contact_name);
  sqlite3_bind_int64 (stmt, 4, now);

  return cn_db_run_statement (conn, stmt, OP_CHANGE, error);
}

static gboolean
record_one_locked (Connection         *conn,
                   const CnJobResult  *result,
                   GError            **error)
{
  sqlite3_stmt *stmt;
  g_autofree char *target_text = NULL;
  g_autofree char *state_text = NULL;
  g_autofree char *phone = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *message = NULL;
  CnSyncTarget target = CN_SYNC_TARGET_BACKEND;
  gboolean has_contact;
  gint64 call_id;
  gint64 attempts;
  const char *new_state;
  gboolean found;
  int rc;

  stmt = cn_db_get_statement (conn,
                              "SELECT j.call_id, j.target, j.state, j.attempts, c.phone,"
                              " c.contact_id IS NOT NULL "
                              "FROM sync_jobs j JOIN call_logs c ON c.id = j.call_id "
                              "WHERE j.id = ?1",
                              OP_CHANGE, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, result->job_id);
  if (!cn_db_step_row (conn, stmt, OP_CHANGE, &found, error))
    return FALSE;
  /* The log was removed for good meanwhile: nothing to record. */
  if (!found)
    return TRUE;
  call_id = sqlite3_column_int64 (stmt, 0);
  target_text = g_strdup (cn_db_column_text (stmt, 1));
  state_text = g_strdup (cn_db_column_text (stmt, 2));
  attempts = sqlite3_column_int64 (stmt, 3);
  phone = g_strdup (cn_db_column_text (stmt, 4));
  has_contact = sqlite3_column_int (stmt, 5) != 0;
  cn_db_finish_statement (stmt);
  cn_sync_target_from_string (target_text, &target);

  if (result->kind == CN_JOB_RESULT_RELEASE)
    {
      stmt = cn_db_get_statement (conn,
                                  "UPDATE sync_jobs SET state = 'pending', updated_at = ?2 "
                                  "WHERE id = ?1 AND state = 'in_flight'",
                                  OP_CHANGE, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, result->job_id);
      sqlite3_bind_int64 (stmt, 2, result->at);
      return cn_db_run_statement (conn, stmt, OP_CHANGE, error);
    }

  switch (result->kind)
    {
    case CN_JOB_RESULT_DONE:
      new_state = "done";
      break;
    case CN_JOB_RESULT_RETRY:
      new_state = "waiting";
      break;
    case CN_JOB_RESULT_FAILED:
      new_state = "needs_attention";
      break;
    case CN_JOB_RESULT_NEEDS_CONTACT:
    case CN_JOB_RESULT_RELEASE:
    default:
      /* The agent gave the log a contact while the search was under way. */
      new_state = has_contact && result->contact_id == NULL ? "pending" : "needs_contact";
      break;
    }

  /* A job canceled while its request was under way stays canceled, unless
   * the remote side confirmed it: then it is done, whatever we wanted. */
  if (g_strcmp0 (state_text, "canceled") == 0 && result->kind != CN_JOB_RESULT_DONE)
    new_state = "canceled";

  message = clean_message (result->message);
  stmt = cn_db_get_statement (conn,
                              "UPDATE sync_jobs SET state = :state, attempts = attempts + 1,"
                              " next_attempt_at = :next, last_status = :status,"
                              " last_error = :message,"
                              " remote_id = coalesce(:remote_id, remote_id),"
                              " payload = coalesce(payload, :payload),"
                              " outcome_unknown = CASE WHEN :state = 'done' THEN 0"
                              "   ELSE max(outcome_unknown, :unknown) END,"
                              " updated_at = :at "
                              "WHERE id = :id",
                              OP_CHANGE, error);
  if (stmt == NULL)
    return FALSE;
  cn_db_bind_named_text (stmt, ":state", new_state);
  cn_db_bind_named_int64 (stmt, ":next",
                          result->kind == CN_JOB_RESULT_RETRY ? result->next_attempt_at : 0);
  cn_db_bind_named_int64 (stmt, ":status", result->status);
  cn_db_bind_named_text (stmt, ":message",
                         result->kind == CN_JOB_RESULT_DONE ? NULL : message);
  cn_db_bind_named_text (stmt, ":remote_id", result->remote_id);
  cn_db_bind_named_text (stmt, ":payload", result->payload);
  cn_db_bind_named_int64 (stmt, ":unknown", result->outcome_unknown ? 1 : 0);
  cn_db_bind_named_int64 (stmt, ":at", result->at);
  cn_db_bind_named_int64 (stmt, ":id", result->job_id);
  if (!cn_db_run_statement (conn, stmt, OP_CHANGE, error))
    return FALSE;

  if (result->kind == CN_JOB_RESULT_DONE)
    {
      /* Confirmed: the job has done its work. What remains of it is the
       * remote id (below) and its "sync" events. */
      stmt = cn_db_get_statement (conn, "DELETE FROM sync_jobs WHERE id = ?1", OP_CHANGE, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, result->job_id);
      if (!cn_db_run_statement (conn, stmt, OP_CHANGE, error))
        return FALSE;
    }

  if (result->kind == CN_JOB_RESULT_DONE && result->remote_id != NULL)
    {
      const char *sql;

      switch (target)
        {
        case CN_SYNC_TARGET_ONTRAPORT_NOTE:
          sql = "UPDATE call_logs SET ontraport_note_id = ?2 WHERE id = ?1";
          break;
        case CN_SYNC_TARGET_ONTRAPORT_TASK:
          sql = "UPDATE call_logs SET ontraport_task_id = ?2 WHERE id = ?1";
          break;
        case CN_SYNC_TARGET_BACKEND:
        default:
          sql = "UPDATE call_logs SET backend_id = ?2 WHERE id = ?1";
          break;
        }
      stmt = cn_db_get_statement (conn, sql, OP_CHANGE, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, call_id);
      cn_db_bind_text (stmt, 2, result->remote_id);
      if (!cn_db_run_statement (conn, stmt, OP_CHANGE, error))
        return FALSE;
    }

  if (result->contact_id != NULL && *result->contact_id != '\0' && !has_contact)
    {
      g_autoptr(CnCallLog) edited = cn_call_log_new ();
      gint64 follow_up = 0;
      gint revision = 0;
      gint64 updated_at = 0;

      /* The contact the worker found goes on the log as an edit, so the
       * backend hears of it too, and is remembered for the number. A
       * contact the agent set meanwhile is left alone. */
      stmt = cn_db_get_statement (conn,
                                  "UPDATE call_logs SET contact_id = ?2, revision = revision + 1,"
                                  " updated_at = max(?3, updated_at + 1) "
                                  "WHERE id = ?1 AND contact_id IS NULL "
                                  "RETURNING revision, updated_at, coalesce(follow_up_at, 0)",
                                  OP_CHANGE, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, call_id);
      cn_db_bind_text (stmt, 2, result->contact_id);
      sqlite3_bind_int64 (stmt, 3, result->at);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          revision = sqlite3_column_int (stmt, 0);
          updated_at = sqlite3_column_int64 (stmt, 1);
          follow_up = sqlite3_column_int64 (stmt, 2);
        }
      if (!cn_db_finish_rows (conn, stmt, rc, OP_CHANGE, error))
        return FALSE;

      if (revision > 0)
        {
          cn_call_log_set_follow_up (edited, follow_up);
          cn_call_log_set_contact_id (edited, result->contact_id);
          if (!cn_outbox_edited_locked (conn->owner, call_id, edited, revision, updated_at,
                                        error) ||
              !cache_contact_locked (conn, phone, result->contact_id, NULL, result->at, error))
            return FALSE;
        }
    }

  detail = build_event_detail (target, result, (guint) attempts + 1);
  return cn_db_insert_event (conn, call_id, "sync", result->at, detail, OP_CHANGE, error);
}

gboolean
cn_database_record_results (CnDatabase         *self,
                            const CnJobResult  *results,
                            guint               n_results,
                            GError            **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  Connection *conn;

  g_return_val_if_fail (CN_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (results != NULL || n_results == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_results == 0)
    return TRUE;

  conn = &self->writer;
  locker = g_mutex_locker_new (&conn->mutex);

  if (!cn_db_begin_write (conn, OP_CHANGE, error))
    return FALSE;

  for (guint i = 0; i < n_results; i++)
    if (!record_one_locked (conn, &results[i], error))
      goto fail;

  if (!cn_db_commit (conn, OP_CHANGE, error))
    goto fail;

  return TRUE;

fail:
  cn_db_rollback (conn);
  return FALSE;
}

static GPtrArray *
list_jobs (CnDatabase  *self,
           const char  *uuid,
           GError     **error)
{
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func ((GDestroyNotify) cn_sync_job_free);
  g_autoptr(GMutexLocker) locker = NULL;
  Connection *conn = &self->reader;
  sqlite3_stmt *stmt;

  locker = g_mutex_locker_new (&conn->mutex);
  if (uuid == NULL)
    stmt = cn_db_get_statement (conn,
                                "SELECT " JOIN_LOG_COLUMNS ", " JOB_COLUMNS " "
                                "FROM sync_jobs j JOIN call_logs c ON c.id = j.call_id "
                                "WHERE j.state NOT IN ('done', 'canceled') ORDER BY j.id",
                                OP_READ, error);
  else
    stmt = cn_db_get_statement (conn,
                                "SELECT " JOIN_LOG_COLUMNS ", " JOB_COLUMNS " "
                                "FROM sync_jobs j JOIN call_logs c ON c.id = j.call_id "
                                "WHERE c.uuid = ?1 ORDER BY j.id",
                                OP_READ, error);
  if (stmt == NULL)
    return NULL;

  if (uuid != NULL)
    cn_db_bind_text (stmt, 1, uuid);

  if (!collect_jobs (conn, stmt, OP_READ, jobs, error))
    return NULL;

  return g_steal_pointer (&jobs);
}

GPtrArray *
cn_database_list_jobs (CnDatabase  *self,
                       GError     **error)
{
  g_return_val_if_fail (CN_IS_DATABASE (self), NULL);

  return list_jobs (self, NULL, error);
}

GPtrArray *
cn_database_list_jobs_for_call (CnDatabase  *self,
                                const char  *uuid,
                                GError     **error)
{
  g_return_val_if_fail (CN_IS_DATABASE (self), NULL);
  g_return_val_if_fail (uuid != NULL, NULL);

  return list_jobs (self, uuid, error);
}

gboolean
cn_database_count_jobs_of (CnDatabase    *self,
                           CnSyncTarget   targets,
                           guint         *counts,
                           GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  Connection *conn;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (CN_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (counts != NULL, FALSE);

  memset (counts, 0, sizeof (guint) * CN_JOB_N_STATES);

  conn = &self->reader;
  locker = g_mutex_locker_new (&conn->mutex);
  stmt = cn_db_get_statement (conn,
                              "SELECT j.state, count(*) FROM sync_jobs j "
                              "WHERE j.state NOT IN ('done', 'canceled')"
                              " AND (" TARGET_BIT " & ?1) <> 0 GROUP BY j.state",
                              OP_READ, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, targets & CN_SYNC_TARGETS_ALL);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CnJobState state;

      if (cn_job_state_from_string (cn_db_column_text (stmt, 0), &state))
        counts[state] = (guint) sqlite3_column_int64 (stmt, 1);
    }

  return cn_db_finish_rows (conn, stmt, rc, OP_READ, error);
}

gboolean
cn_database_count_jobs (CnDatabase  *self,
                        guint       *counts,
                        GError     **error)
{
  return cn_database_count_jobs_of (self, CN_SYNC_TARGETS_ALL, counts, error);
}

gint
cn_database_get_job_state (CnDatabase  *self,
                           gint64       job_id,
                           GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  Connection *conn;
  sqlite3_stmt *stmt;
  CnJobState state = CN_JOB_PENDING;
  gint result = -1;
  int rc;

  g_return_val_if_fail (CN_IS_DATABASE (self), -1);

  conn = &self->reader;
  locker = g_mutex_locker_new (&conn->mutex);
  stmt = cn_db_get_statement (conn, "SELECT state FROM sync_jobs WHERE id = ?1", OP_READ, error);
  if (stmt == NULL)
    return -1;

  sqlite3_bind_int64 (stmt, 1, job_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && cn_job_state_from_string (cn_db_column_text (stmt, 0), &state))
    result = state;
  else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    cn_db_set_sqlite_error (error, conn->db, rc, OP_READ, self->path);
  cn_db_finish_statement (stmt);

  return result;
}

gint64
cn_database_next_due (CnDatabase    *self,
                      CnSyncTarget   targets,
                      GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  Connection *conn;
  sqlite3_stmt *stmt;
  gint64 value = 0;

  g_return_val_if_fail (CN_IS_DATABASE (self), 0);

  conn = &self->reader;
  locker = g_mutex_locker_new (&conn->mutex);
  stmt = cn_db_get_statement (conn,
                              "SELECT coalesce(min(j.next_attempt_at), 0) FROM sync_jobs j "
                              "WHERE j.state = 'waiting'"
                              " AND (" TARGET_BIT " & ?1) <> 0",
                              OP_READ, error);
  if (stmt == NULL)
    return 0;

  sqlite3_bind_int64 (stmt, 1, targets & CN_SYNC_TARGETS_ALL);
  if (!cn_db_query_int (conn, stmt, OP_READ, &value, error))
    return 0;

  return value;
}

/* The id of a log, in a write transaction; NOT_FOUND when missing. */
static gboolean
call_id_locked (Connection  *conn,
                const char  *uuid,
                gint64      *call_id,
                GError     **error)
{
  sqlite3_stmt *stmt = cn_db_get_statement (conn, "SELECT id FROM call_logs WHERE uuid = ?1",
                                            OP_CHANGE, error);

  if (stmt == NULL)
    return FALSE;

  cn_db_bind_text (stmt, 1, uuid);
  if (!cn_db_query_int (conn, stmt, OP_CHANGE, call_id, error))
    return FALSE;

  if (*call_id == 0)
    {
      g_set_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_NOT_FOUND,
                   _("There is no call log %s."), uuid);
      return FALSE;
    }

  return TRUE;
}

gint
cn_database_retry_jobs (CnDatabase  *self,
                        const char  *uuid,
                        GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  Connection *conn;
  sqlite3_stmt *stmt;
  gint64 call_id = 0;
  gint changed;

  g_return_val_if_fail (CN_IS_DATABASE (self), -1);

  conn = &self->writer;
  locker = g_mutex_locker_new (&conn->mutex);

  if (!cn_db_begin_write (conn, OP_CHANGE, error))
    return -1;

  if (uuid != NULL && !call_id_locked (conn, uuid, &call_id, error))
    goto fail;

  stmt = cn_db_get_statement (conn,
                              "UPDATE sync_jobs SET state = 'pending', next_attempt_at = 0,"
                              " updated_at = ?2 "
                              "WHERE state IN ('waiting', 'needs_attention', 'needs_contact')"
                              " AND (?1 = 0 OR call_id = ?1)",
                              OP_CHANGE, error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, call_id);
  sqlite3_bind_int64 (stmt, 2, cn_db_now_seconds ());
  if (!cn_db_run_statement (conn, stmt, OP_CHANGE, error))
    goto fail;
  changed = sqlite3_changes (conn->db);

  if (!cn_db_commit (conn, OP_CHANGE, error))
    goto fail;

  return changed;

fail:
  cn_db_rollback (conn);
  return -1;
}

gint
cn_database_retry_target (CnDatabase    *self,
                          CnSyncTarget   targets,
                          GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  Connection *conn;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (CN_IS_DATABASE (self), -1);

  conn = &self->writer;
  locker = g_mutex_locker_new (&conn->mutex);
  stmt = cn_db_get_statement (conn,
                              "UPDATE sync_jobs AS j SET state = 'pending', next_attempt_at = 0,"
                              " updated_at = ?2 "
                              "WHERE j.state = 'needs_attention' AND j.last_status IN (401, 403)"
                              " AND (" TARGET_BIT " & ?1) <> 0",
                              OP_CHANGE, error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, targets & CN_SYNC_TARGETS_ALL);
  sqlite3_bind_int64 (stmt, 2, cn_db_now_seconds ());
  if (!cn_db_run_statement (conn, stmt, OP_CHANGE, error))
    return -1;

  return sqlite3_changes (conn->db);
}

gint
cn_database_wake_waiting (CnDatabase  *self,
                          GError     **error)
{
  g_return_val_if_fail (CN_IS_DATABASE (self), -1);

  return run_sql_changes (self,
                          "UPDATE sync_jobs SET next_attempt_at = 0 "
                          "WHERE state = 'waiting' AND last_status = 0 AND next_attempt_at > 0",
                          error);
}

gboolean
cn_database_cancel_jobs (CnDatabase  *self,
                         const char  *uuid,
                         GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GString) detail = g_string_new ("{\"targets\":[");
  Connection *conn;
  sqlite3_stmt *stmt;
  gint64 call_id = 0;
  gint64 now = cn_db_now_seconds ();
  guint n = 0;
  int rc;

  g_return_val_if_fail (CN_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (uuid != NULL, FALSE);

  conn = &self->writer;
  locker = g_mutex_locker_new (&conn->mutex);

  if (!cn_db_begin_write (conn, OP_CHANGE, error))
    return FALSE;

  if (!call_id_locked (conn, uuid, &call_id, error))
    goto fail;

  stmt = cn_db_get_statement (conn,
                              "UPDATE sync_jobs SET state = 'canceled', updated_at = ?2 "
                              "WHERE call_id = ?1 AND state NOT IN ('done', 'canceled') "
                              "RETURNING target",
                              OP_CHANGE, error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, call_id);
  sqlite3_bind_int64 (stmt, 2, now);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (n++ > 0)
        g_string_append_c (detail, ',');
      append_json_string (detail, cn_db_column_text (stmt, 0));
    }
  if (!cn_db_finish_rows (conn, stmt, rc, OP_CHANGE, error))
    goto fail;
  g_string_append (detail, "]}");

  if (n > 0 &&
      !cn_db_insert_event (conn, call_id, "sync_canceled", now, detail->str, OP_CHANGE, error))
    goto fail;

  if (!cn_db_commit (conn, OP_CHANGE, error))
    goto fail;

  return TRUE;

fail:
  cn_db_rollback (conn);
  return FALSE;
}

gboolean
cn_database_assign_contact (CnDatabase  *self,
                            const char  *uuid,
                            const char  *contact_id,
                            const char  *contact_name,
                            GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GString) detail = g_string_new ("{\"contact_id\":");
  g_autofree char *phone = NULL;
  Connection *conn;
  sqlite3_stmt *stmt;
  gint64 call_id = 0;
  gint64 now = cn_db_now_seconds ();
  gint64 updated_at = 0;
  gint revision = 0;
  int rc;

  g_return_val_if_fail (CN_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (uuid != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (contact_id == NULL || *contact_id == '\0' ||
      !cn_db_text_ok (contact_id, CN_CALL_LOG_MAX_FIELD) ||
      !cn_db_text_ok (contact_name, CN_CALL_LOG_MAX_FIELD))
    {
      g_set_error_literal (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_INVALID,
                           _("A contact id is needed, and it and the name must be short, "
                             "valid text."));
      return FALSE;
    }

  conn = &self->writer;
  locker = g_mutex_locker_new (&conn->mutex);

  if (!cn_db_begin_write (conn, OP_CHANGE, error))
    return FALSE;

  if (!call_id_locked (conn, uuid, &call_id, error))
    goto fail;

  /* An assignment is an edit: the backend hears of it like of any other. */
  stmt = cn_db_get_statement (conn,
                              "UPDATE call_logs SET contact_id = ?2,"
                              " contact_name = coalesce(?3, contact_name),"
                              " revision = revision + 1, updated_at = max(?4, updated_at + 1) "
                              "WHERE id = ?1 RETURNING revision, updated_at, phone",
                              OP_CHANGE, error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, call_id);
  cn_db_bind_text (stmt, 2, contact_id);
  cn_db_bind_text (stmt, 3, contact_name);
  sqlite3_bind_int64 (stmt, 4, now);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      revision = sqlite3_column_int (stmt, 0);
      updated_at = sqlite3_column_int64 (stmt, 1);
      phone = g_strdup (cn_db_column_text (stmt, 2));
    }
  if (!cn_db_finish_rows (conn, stmt, rc, OP_CHANGE, error))
    goto fail;

  append_json_string (detail, contact_id);
  if (contact_name != NULL)
    {
      g_string_append (detail, ",\"contact_name\":");
      append_json_string (detail, contact_name);
    }
  g_string_append_c (detail, '}');

  stmt = cn_db_get_statement (conn,
                              "UPDATE sync_jobs SET state = 'pending', next_attempt_at = 0,"
                              " last_error = NULL, updated_at = ?2 "
                              "WHERE call_id = ?1 AND state = 'needs_contact'",
                              OP_CHANGE, error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, call_id);
  sqlite3_bind_int64 (stmt, 2, now);

  {
    /* The edit hook needs the log only for its follow-up. */
    g_autoptr(CnCallLog) log = cn_call_log_new ();
    sqlite3_stmt *follow_up;
    gint64 follow_up_at = 0;

    if (!cn_db_run_statement (conn, stmt, OP_CHANGE, error))
      goto fail;

    follow_up = cn_db_get_statement (conn, "SELECT coalesce(follow_up_at, 0) FROM call_logs "
                                     "WHERE id = ?1", OP_CHANGE, error);
    if (follow_up == NULL)
      goto fail;
    sqlite3_bind_int64 (follow_up, 1, call_id);
    if (!cn_db_query_int (conn, follow_up, OP_CHANGE, &follow_up_at, error))
      goto fail;
    cn_call_log_set_follow_up (log, follow_up_at);

    if (!cn_outbox_edited_locked (self, call_id, log, revision, updated_at, error))
      goto fail;
  }

  if (!cache_contact_locked (conn, phone, contact_id, contact_name, now, error) ||
      !cn_db_insert_event (conn, call_id, "contact_assigned", now, detail->str, OP_CHANGE,
                           error) ||
      !cn_db_commit (conn, OP_CHANGE, error))
    goto fail;

  return TRUE;

fail:
  cn_db_rollback (conn);
  return FALSE;
}

char *
cn_database_lookup_contact (CnDatabase  *self,
                            const char  *phone,
                            char       **name_out,
                            GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *key = NULL;
  Connection *conn;
  sqlite3_stmt *stmt;
  char *contact_id = NULL;
  int rc;

  g_return_val_if_fail (CN_IS_DATABASE (self), NULL);

  if (name_out != NULL)
    *name_out = NULL;

  key = cn_phone_last_ten_digits (phone);
  if (key == NULL || *key == '\0')
    return NULL;

  conn = &self->reader;
  locker = g_mutex_locker_new (&conn->mutex);
  stmt = cn_db_get_statement (conn,
                              "SELECT contact_id, contact_name FROM contacts WHERE phone_key = ?1",
                              OP_READ, error);
  if (stmt == NULL)
    return NULL;

  cn_db_bind_text (stmt, 1, key);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      contact_id = g_strdup (cn_db_column_text (stmt, 0));
      if (name_out != NULL)
        *name_out = g_strdup (cn_db_column_text (stmt, 1));
    }
  else if (rc != SQLITE_DONE)
    cn_db_set_sqlite_error (error, conn->db, rc, OP_READ, self->path);

  cn_db_finish_statement (stmt);
  return contact_id;
}

gboolean
cn_database_get_remote_ids (CnDatabase  *self,
                            const char  *uuid,
                            char       **backend_id,
                            char       **ontraport_note_id,
                            char       **ontraport_task_id,
                            GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  Connection *conn;
  sqlite3_stmt *stmt;
  gboolean found;

  g_return_val_if_fail (CN_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (uuid != NULL, FALSE);

  conn = &self->reader;
  locker = g_mutex_locker_new (&conn->mutex);
  stmt = cn_db_get_statement (conn,
                              "SELECT backend_id, ontraport_note_id, ontraport_task_id "
                              "FROM call_logs WHERE uuid = ?1",
                              OP_READ, error);
  if (stmt == NULL)
    return FALSE;

  cn_db_bind_text (stmt, 1, uuid);
  if (!cn_db_step_row (conn, stmt, OP_READ, &found, error))
    return FALSE;
  if (!found)
    {
      g_set_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_NOT_FOUND,
                   _("There is no call log %s."), uuid);
      return FALSE;
    }

  if (backend_id != NULL)
    *backend_id = g_strdup (cn_db_column_text (stmt, 0));
  if (ontraport_note_id != NULL)
    *ontraport_note_id = g_strdup (cn_db_column_text (stmt, 1));
  if (ontraport_task_id != NULL)
    *ontraport_task_id = g_strdup (cn_db_column_text (stmt, 2));
  cn_db_finish_statement (stmt);

  return TRUE;
}

/* How far from done a state is, for a row's summary. */
static int
state_rank (CnJobState state)
{
  switch (state)
    {
    case CN_JOB_NEEDS_ATTENTION:
      return 6;
    case CN_JOB_NEEDS_CONTACT:
      return 5;
    case CN_JOB_WAITING:
      return 4;
    case CN_JOB_IN_FLIGHT:
      return 3;
    case CN_JOB_PENDING:
      return 2;
    case CN_JOB_DONE:
    case CN_JOB_CANCELED:
    default:
      return 1;
    }
}

gint
cn_database_get_sync_state (CnDatabase  *self,
                            const char  *uuid,
                            gint64      *next_attempt_at,
                            GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  Connection *conn;
  sqlite3_stmt *stmt;
  gint result = -1;
  gint64 soonest = 0;
  int rc;

  g_return_val_if_fail (CN_IS_DATABASE (self), -1);
  g_return_val_if_fail (uuid != NULL, -1);

  conn = &self->reader;
  locker = g_mutex_locker_new (&conn->mutex);
  stmt = cn_db_get_statement (conn,
                              "SELECT j.state, j.next_attempt_at FROM sync_jobs j "
                              "WHERE j.call_id = (SELECT id FROM call_logs WHERE uuid = ?1)",
                              OP_READ, error);
  if (stmt == NULL)
    return -1;

  cn_db_bind_text (stmt, 1, uuid);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CnJobState state = CN_JOB_PENDING;

      cn_job_state_from_string (cn_db_column_text (stmt, 0), &state);
      if (state == CN_JOB_CANCELED)
        state = CN_JOB_DONE;
      if (result < 0 || state_rank (state) > state_rank (result))
        result = state;
      if (state == CN_JOB_WAITING)
        {
          gint64 at = sqlite3_column_int64 (stmt, 1);

          if (soonest == 0 || at < soonest)
            soonest = at;
        }
    }
  if (!cn_db_finish_rows (conn, stmt, rc, OP_READ, error))
    return -1;

  /* No job left: synced when a remote side has it. */
  if (result < 0 || result == CN_JOB_DONE)
    {
      gint64 synced = 0;

      stmt = cn_db_get_statement (conn,
                                  "SELECT backend_id IS NOT NULL OR ontraport_note_id IS NOT NULL"
                                  " OR ontraport_task_id IS NOT NULL "
                                  "FROM call_logs WHERE uuid = ?1",
                                  OP_READ, error);
      if (stmt == NULL)
        return -1;
      cn_db_bind_text (stmt, 1, uuid);
      if (!cn_db_query_int (conn, stmt, OP_READ, &synced, error))
        return -1;
      result = synced ? CN_JOB_DONE : -1;
    }

  if (next_attempt_at != NULL)
    *next_attempt_at = soonest;

  return result;
}
