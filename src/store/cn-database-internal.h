/* cn-database-internal.h: what the store's own files share (not for tests,
 * not for other layers)
 *
 * cn-database.c owns the connections and the call logs; cn-outbox.c adds the
 * sync outbox on the same connections. Functions named cn_db_* expect the
 * connection's mutex to be held by the caller where they take a Connection.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <string.h>

#include <sqlite3.h>

#include "cn-database-private.h"
#include "cn-outbox.h"

G_BEGIN_DECLS

/* One SQLite connection and the statements prepared on it. */
typedef struct {
  GMutex      mutex;            /* guards db and statements */
  sqlite3    *db;
  GHashTable *statements;       /* SQL text → sqlite3_stmt *, prepared once */
  CnDatabase *owner;            /* not a reference: the connection is part of it */
} Connection;

struct _CnDatabase
{
  GObject       parent_instance;

  Connection    writer;           /* opens, migrates, writes */
  Connection    reader;           /* read-only: every call that only reads */
  char         *path;
  char         *moved_aside_path;
  guint         sort_matches_max;  /* SORT_MATCHES_MAX_ROWS; tests lower it */
  CnSyncTarget  sync_targets;      /* jobs a new save queues (atomic) */
  GMutex        holds_mutex;       /* guards holds and holds_generation */
  GHashTable   *holds;             /* uuid → count: logs open in a logger (cn-retention.c) */
  guint         holds_generation;  /* grows with every new hold */
};

/* What a failing call was doing; picks the message a person reads. */
typedef enum {
  OP_OPEN,
  OP_READ,
  OP_SAVE_CALL,
  OP_SAVE_DRAFT,
  OP_CHANGE,
} Op;

#define LOG_COLUMNS \
  "id, uuid, contact_id, contact_name, phone, phone_raw, extension, direction, outcome, " \
  "duration_seconds, notes, follow_up_at, created_at, updated_at, revision, deleted"
#define LOG_N_COLUMNS 16

void          cn_db_set_sqlite_error (GError     **error,
                                      sqlite3     *db,
                                      int          rc,
                                      Op           op,
                                      const char  *path);
sqlite3_stmt *cn_db_get_statement    (Connection  *conn,
                                      const char  *sql,
                                      Op           op,
                                      GError     **error);
void          cn_db_finish_statement (sqlite3_stmt *stmt);
gboolean      cn_db_run_statement    (Connection    *conn,
                                      sqlite3_stmt  *stmt,
                                      Op             op,
                                      GError       **error);
/* Steps @stmt to its one row. On a row: *@found TRUE, @stmt left on it
 * for the caller to read and finish. No row: *@found FALSE and @stmt
 * finished; with @found NULL, no row is an error (a query that always
 * answers, e.g. count(*)). On an error: @stmt finished, FALSE. */
gboolean      cn_db_step_row         (Connection    *conn,
                                      sqlite3_stmt  *stmt,
                                      Op             op,
                                      gboolean      *found,
                                      GError       **error);
/* Runs @sql (cached) with ?1 and ?2 bound to @first and @second. */
gboolean      cn_db_run_with_ints    (Connection    *conn,
                                      const char    *sql,
                                      gint64         first,
                                      gint64         second,
                                      Op             op,
                                      GError       **error);
/* Steps past the rest of the rows when @rc (the last step's) is
 * SQLITE_ROW, then finishes @stmt; FALSE with @error unless the rows ended
 * in SQLITE_DONE. */
gboolean      cn_db_finish_rows      (Connection    *conn,
                                      sqlite3_stmt  *stmt,
                                      int            rc,
                                      Op             op,
                                      GError       **error);
gboolean      cn_db_run_sql          (Connection  *conn,
                                      const char  *sql,
                                      Op           op,
                                      GError     **error);
gboolean      cn_db_query_int        (Connection    *conn,
                                      sqlite3_stmt  *stmt,
                                      Op             op,
                                      gint64        *value,
                                      GError       **error);
void          cn_db_bind_text        (sqlite3_stmt *stmt,
                                      int           index,
                                      const char   *value);
void          cn_db_bind_named_text  (sqlite3_stmt *stmt,
                                      const char   *name,
                                      const char   *value);
void          cn_db_bind_named_int64 (sqlite3_stmt *stmt,
                                      const char   *name,
                                      gint64        value);
const char   *cn_db_column_text      (sqlite3_stmt *stmt,
                                      int           column);
gboolean      cn_db_begin_write      (Connection  *conn,
                                      Op           op,
                                      GError     **error);
gboolean      cn_db_begin_read       (Connection  *conn,
                                      GError     **error);
gboolean      cn_db_commit           (Connection  *conn,
                                      Op           op,
                                      GError     **error);
void          cn_db_rollback         (Connection *conn);
/* Reads a log from a row of LOG_COLUMNS starting at column 0. */
CnCallLog    *cn_db_log_from_row     (sqlite3_stmt *stmt,
                                      CnRowKey     *key);
gboolean      cn_db_insert_event     (Connection  *conn,
                                      gint64       call_id,
                                      const char  *kind,
                                      gint64       at,
                                      const char  *detail,
                                      Op           op,
                                      GError     **error);
gint64        cn_db_now_seconds      (void);

/* TRUE when @text is NULL, or valid UTF-8 of at most @max_bytes. */
static inline gboolean
cn_db_text_ok (const char *text,
               gsize       max_bytes)
{
  return text == NULL || (strlen (text) <= max_bytes && g_utf8_validate (text, -1, NULL));
}

/* Inside an open write transaction on the writer: a new log's row, to be
 * queued for @targets by the catch-up (0: never sent unless edited). Sets
 * created_at/updated_at on @log when unset. Add its events with
 * cn_db_insert_event(). */
gboolean      cn_db_insert_log_row   (CnDatabase    *self,
                                      CnCallLog     *log,
                                      CnSyncTarget   targets,
                                      gint64        *call_id,
                                      GError       **error);
/* Inside an open write transaction: indexes and queues the logs saved
 * since the last catch-up (see migration_7 in cn-database.c). */
gboolean      cn_db_catch_up_txn     (CnDatabase  *self,
                                      GError     **error);

/* cn-outbox.c, called inside the catch-up and edit transactions. */
gboolean      cn_outbox_enqueue_locked (CnDatabase   *self,
                                        gint64        call_id,
                                        CnCallLog    *log,
                                        CnSyncTarget  targets,
                                        gint64        now,
                                        GError      **error);
gboolean      cn_outbox_edited_locked  (CnDatabase  *self,
                                        gint64       call_id,
                                        CnCallLog   *log,
                                        gint         revision,
                                        gint64       now,
                                        GError     **error);

/* cn-live-store.c: a new call to a contact completes their open follow-ups
 * (inside the save transaction). */
gboolean      cn_follow_ups_logged_locked (CnDatabase  *self,
                                           gint64       call_id,
                                           CnCallLog   *log,
                                           gint64       now,
                                           GError     **error);

G_END_DECLS
