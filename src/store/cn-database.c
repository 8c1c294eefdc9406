/* cn-database.c: the local SQLite database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two connections: the writer opens and migrates the file and makes every
 * change; the reader, opened read-only once the writer has migrated, serves
 * every call that only reads. A save waiting for another process's write
 * lock holds the writer for up to BUSY_TIMEOUT_MS; in WAL mode readers never
 * wait for writers, so the history window, which reads on the main thread,
 * is not held up meanwhile. No read transaction stays open on the reader
 * between calls (statements are reset, a BEGIN always ends), so each call
 * sees everything committed before it, by the writer too.
 *
 * Threads: each connection is opened with SQLITE_OPEN_NOMUTEX and every use
 * of it (and of its cached prepared statements, which carry state between
 * bind, step and reset) happens with its own mutex held. SQLite's own
 * FULLMUTEX would not be enough, as it only serialises single API calls, not
 * a bind/step/reset sequence or a transaction. No call holds both mutexes.
 *
 * Start-up checks: a file is moved aside (never written) when its header is
 * not SQLite's, SQLite calls it corrupt or not a database (which includes a
 * file shorter than its header says), it is a foreign database (user_version
 * 0 with tables in it) or our tables for its user_version are missing.
 * PRAGMA quick_check is NOT run at open: it reads every page, which takes
 * seconds on a large log (see tests/bench/bench-history-store.c, which
 * measures it); corruption found later is reported as
 * CN_DATABASE_ERROR_CORRUPT by the call that meets it.
 *
 * Processes: the app and any number of `callnotes log` may open one file at
 * the same moment, also before it exists. Opening (look at the file, create
 * it, set WAL, migrate, maybe move it aside) is serialised between them by
 * an flock() on "<path>.lock", held only until both connections are
 * ready; after that SQLite's own locks and busy timeout do the work.
 */
#define G_LOG_DOMAIN "cn-database"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "cn-database.h"
#include "cn-database-internal.h"

#define BUSY_TIMEOUT_MS        5000
/* The reader waits only for the short exclusive moments of WAL recovery,
 * never for a writer. */
#define READER_BUSY_TIMEOUT_MS 1000
/* Page caches (KiB). The reader's keeps deep scrolling in memory; a save
 * touches a dozen pages. Migrations, which may copy every row, get more. */
#define READER_CACHE_KIB       6144
#define WRITER_CACHE_KIB       2048
#define MIGRATION_CACHE_KIB    8192
/* How long open waits for another process to finish opening (creating or
 * migrating) the same file. */
#define OPEN_LOCK_TIMEOUT_MS   10000
/* A page deeper than this is read from whichever end of the list is nearer. */
#define REVERSE_SCAN_THRESHOLD 2000
/* Bounds on what a person's search may make us do. */
#define MAX_SEARCH_BYTES       1024
#define MAX_SEARCH_WORDS       16
#define MAX_EVENT_DETAIL       (64 * 1024)
/* Up to this many search matches are sorted rather than found by walking the
 * list index (measured on a million logs: sorting 4000 takes ~7 ms). */
#define SORT_MATCHES_MAX_ROWS  4000
/* A search page is read from a window of at least this many rows (see
 * select_window_locked()). */
#define WINDOW_MIN_ROWS        256
/* A page of a search walks at most this many rows of the list (~10 ms)
 * before it asks the search index instead. */
#define MAX_PAGE_WALK          100000

G_DEFINE_FINAL_TYPE (CnDatabase, cn_database, G_TYPE_OBJECT)

G_DEFINE_QUARK (cn-database-error-quark, cn_database_error)


/* Schema. Each step runs in its own transaction together with the
 * user_version bump, so a file is always at exactly one version. */

static const char migration_1[] =
  "CREATE TABLE call_logs ("
  "  id               INTEGER PRIMARY KEY,"
  "  uuid             TEXT NOT NULL UNIQUE,"
  "  contact_id       TEXT,"
  "  contact_name     TEXT,"
  "  phone            TEXT,"                      /* E.164 when known */
  "  phone_raw        TEXT,"
  "  extension        TEXT,"
  "  direction        TEXT NOT NULL DEFAULT 'outbound'"
  "                   CHECK (direction IN ('outbound', 'inbound')),"
  "  outcome          TEXT NOT NULL"
  "                   CHECK (outcome IN ('connected', 'voicemail', 'no_answer', 'busy')),"
  "  duration_seconds INTEGER CHECK (duration_seconds IS NULL OR duration_seconds >= 0),"
  "  notes            TEXT,"
  "  follow_up_at     INTEGER,"                   /* UTC seconds, NULL none */
  "  created_at       INTEGER NOT NULL,"
  "  updated_at       INTEGER NOT NULL,"
  "  revision         INTEGER NOT NULL DEFAULT 1,"
  "  deleted          INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))"
  ");"
  /* The list order; OFFSET and keyset paging walk only this index. There is
   * deliberately no per-outcome index: every index is one more page written
   * by each save, and an outcome filter walks this one 4 rows per hit. */
  "CREATE INDEX call_logs_newest ON call_logs (deleted, created_at DESC, id DESC);"
  "CREATE TABLE call_events ("
  "  id        INTEGER PRIMARY KEY,"
  "  call_uuid TEXT NOT NULL REFERENCES call_logs (uuid) ON DELETE CASCADE,"
  "  kind      TEXT NOT NULL,"
  "  at        INTEGER NOT NULL,"
  "  detail    TEXT"
  ");"
  "CREATE INDEX call_events_by_call ON call_events (call_uuid, at, id);"
  /* count(*) over a million rows takes ~40 ms; these counters make the
   * unfiltered and per-outcome counts O(1). */
  "CREATE TABLE call_log_counts ("
  "  outcome TEXT PRIMARY KEY NOT NULL,"
  "  live    INTEGER NOT NULL DEFAULT 0"
  ") WITHOUT ROWID;"
  "INSERT INTO call_log_counts (outcome)"
  "  VALUES ('connected'), ('voicemail'), ('no_answer'), ('busy');"
  "CREATE TRIGGER call_logs_count_insert AFTER INSERT ON call_logs WHEN new.deleted = 0 BEGIN"
  "  UPDATE call_log_counts SET live = live + 1 WHERE outcome = new.outcome;"
  "END;"
  "CREATE TRIGGER call_logs_count_delete AFTER DELETE ON call_logs WHEN old.deleted = 0 BEGIN"
  "  UPDATE call_log_counts SET live = live - 1 WHERE outcome = old.outcome;"
  "END;"
  "CREATE TRIGGER call_logs_count_update AFTER UPDATE OF outcome, deleted ON call_logs BEGIN"
  "  UPDATE call_log_counts SET live = live - 1 WHERE old.deleted = 0 AND outcome = old.outcome;"
  "  UPDATE call_log_counts SET live = live + 1 WHERE new.deleted = 0 AND outcome = new.outcome;"
  "END;"
  /* Bumped by every change that is not an insert, so a list can tell "only
   * new rows" from "something changed" without reading rows. */
  "CREATE TABLE call_log_generation ("
  "  id    INTEGER PRIMARY KEY CHECK (id = 1),"
  "  value INTEGER NOT NULL"
  ");"
  "INSERT INTO call_log_generation (id, value) VALUES (1, 0);"
  "CREATE TRIGGER call_logs_generation_update AFTER UPDATE ON call_logs BEGIN"
  "  UPDATE call_log_generation SET value = value + 1;"
  "END;"
  "CREATE TRIGGER call_logs_generation_delete AFTER DELETE ON call_logs BEGIN"
  "  UPDATE call_log_generation SET value = value + 1;"
  "END;";

static const char migration_2[] =
  "CREATE TABLE drafts ("
  "  uuid              TEXT PRIMARY KEY NOT NULL,"
  "  contact_id        TEXT,"
  "  contact_name      TEXT,"
  "  phone             TEXT,"
  "  phone_raw         TEXT,"
  "  extension         TEXT,"
  "  direction         TEXT NOT NULL DEFAULT 'outbound',"
  "  outcome           TEXT CHECK (outcome IS NULL OR"
  "                    outcome IN ('connected', 'voicemail', 'no_answer', 'busy')),"
  "  duration_seconds  INTEGER,"
  "  notes             TEXT,"
  "  follow_up_at      INTEGER,"
  "  created_at        INTEGER NOT NULL,"
  "  updated_at        INTEGER NOT NULL,"
  "  revision          INTEGER NOT NULL DEFAULT 0,"
  "  editing           INTEGER NOT NULL DEFAULT 0,"
  "  dialed_at         INTEGER NOT NULL DEFAULT 0,"
  "  shown_at          INTEGER NOT NULL DEFAULT 0,"
  "  follow_up_enabled INTEGER NOT NULL DEFAULT 0,"
  "  saved_at          INTEGER NOT NULL"
  ");";

/* External-content FTS5 over the searchable columns. Only live (not deleted)
 * logs are indexed, so a search count is an FTS count. The prefix indexes make
 * the short prefixes of search-as-you-type cheap: on a million logs "12"*
 * (phone fragments expand to thousands of tokens) counts in 6 ms instead of
 * 59 ms, and "a"* in 26 ms instead of 179 ms. columnsize=0: no per-row
 * sizes (they serve only bm25 ranking, which we do not use), so a save writes
 * one page less. */
#define FTS_COLUMNS "contact_name, contact_id, phone, phone_raw, notes"
#define FTS_SAME \
  "old.deleted = new.deleted AND old.contact_name IS new.contact_name AND " \
  "old.contact_id IS new.contact_id AND old.phone IS new.phone AND " \
  "old.phone_raw IS new.phone_raw AND old.notes IS new.notes"

static const char migration_3[] =
  "CREATE VIRTUAL TABLE call_fts USING fts5 ("
  "  " FTS_COLUMNS ","
  "  content = 'call_logs', content_rowid = 'id',"
  "  tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3', columnsize = 0"
  ");"
  "INSERT INTO call_fts (rowid, " FTS_COLUMNS ")"
  "  SELECT id, " FTS_COLUMNS " FROM call_logs WHERE deleted = 0;"
  "CREATE TRIGGER call_fts_insert AFTER INSERT ON call_logs WHEN new.deleted = 0 BEGIN"
  "  INSERT INTO call_fts (rowid, " FTS_COLUMNS ")"
  "    VALUES (new.id, new.contact_name, new.contact_id, new.phone, new.phone_raw, new.notes);"
  "END;"
  "CREATE TRIGGER call_fts_delete AFTER DELETE ON call_logs WHEN old.deleted = 0 BEGIN"
  "  INSERT INTO call_fts (call_fts, rowid, " FTS_COLUMNS ")"
  "    VALUES ('delete', old.id, old.contact_name, old.contact_id, old.phone, old.phone_raw,"
  "            old.notes);"
  "END;"
  "CREATE TRIGGER call_fts_update"
  "  AFTER UPDATE OF " FTS_COLUMNS ", deleted ON call_logs"
  "  WHEN NOT (" FTS_SAME ") BEGIN"
  "  INSERT INTO call_fts (call_fts, rowid, " FTS_COLUMNS ")"
  "    SELECT 'delete', old.id, old.contact_name, old.contact_id, old.phone, old.phone_raw,"
  "           old.notes WHERE old.deleted = 0;"
  "  INSERT INTO call_fts (rowid, " FTS_COLUMNS ")"
  "    SELECT new.id, new.contact_name, new.contact_id, new.phone, new.phone_raw, new.notes"
  "    WHERE new.deleted = 0;"
  "END;";

/* Events keyed by their log's integer id and their number within it, in a
 * WITHOUT ROWID table: one b-tree instead of a table and an index on the
 * UUID, so a save appends where the last one wrote (ids grow) instead of
 * splitting pages at random places, and an event takes ~28 bytes instead of
 * ~120 (the UUID was stored twice). On bench-save: 11 pages per commit
 * instead of 15, p99 1.5 ms instead of 2.2 ms, the median ~5 % lower.
 * Copying 3 000 000 events takes ~19 s, once.
 *
 * Measured and left out (bench-save, and bench-history-store's million
 * logs): FTS5 detail=none or detail=column (ratio ~0.1 lower, but a prefix
 * without a prefix index, "call"*, searches 2-4 times slower, and phrases
 * would go); fewer prefix indexes (none: ~0.2 lower, but "a"* merges every
 * word starting with "a" on each search); a lookup before the draft DELETE
 * (a DELETE that finds nothing writes no page already). What remains above
 * a bare INSERT is mostly FTS5's own work per commit: tokenising, a new
 * segment, its %_idx entry, the structure record and b-tree balancing
 * around them (~6 of the 11 pages and ~50 µs of CPU); without the index the
 * same save would be ~1.5 times a bare INSERT. */
static const char migration_4[] =
  "CREATE TABLE call_events_v4 ("
  "  call_id INTEGER NOT NULL REFERENCES call_logs (id) ON DELETE CASCADE,"
  "  seq     INTEGER NOT NULL,"                 /* 1, 2, … within the log */
  "  kind    TEXT NOT NULL,"
  "  at      INTEGER NOT NULL,"
  "  detail  TEXT,"
  "  PRIMARY KEY (call_id, seq)"
  ") WITHOUT ROWID;"
  "INSERT INTO call_events_v4 (call_id, seq, kind, at, detail)"
  "  SELECT call_logs.id,"
  "         row_number () OVER (PARTITION BY call_events.call_uuid ORDER BY call_events.id),"
  "         call_events.kind, call_events.at, call_events.detail"
  "  FROM call_events JOIN call_logs ON call_logs.uuid = call_events.call_uuid"
  "  ORDER BY 1, 2;"
  "DROP TABLE call_events;"
  "ALTER TABLE call_events_v4 RENAME TO call_events;";

/* The sync outbox: one job per log and target until the remote side
 * confirms it. A job keeps a copy of its log's follow-up time: jobs whose
 * follow-up falls within a day go first. The remote ids are kept on the log,
 * where the history ("synced"), `callnotes show` and edits (a PUT needs the
 * backend id) read them. Each job adds two b-trees to a save (the table and
 * sync_jobs_by_call); every further index would be one more page per save.
 * contacts caches the Ontraport contact matched to a number (by its last ten
 * digits). */
static const char migration_5[] =
  "ALTER TABLE call_logs ADD COLUMN backend_id TEXT;"
  "ALTER TABLE call_logs ADD COLUMN ontraport_note_id TEXT;"
  "ALTER TABLE call_logs ADD COLUMN ontraport_task_id TEXT;"
  "CREATE TABLE sync_jobs ("
  "  id              INTEGER PRIMARY KEY,"
  "  call_id         INTEGER NOT NULL REFERENCES call_logs (id) ON DELETE CASCADE,"
  "  target          TEXT NOT NULL"
  "                  CHECK (target IN ('backend', 'ontraport-note', 'ontraport-task')),"
  "  action          TEXT NOT NULL DEFAULT 'create' CHECK (action IN ('create', 'update')),"
  "  revision        INTEGER NOT NULL,"
  "  payload         TEXT,"
  "  state           TEXT NOT NULL DEFAULT 'pending'"
  "                  CHECK (state IN ('pending', 'in_flight', 'done', 'waiting',"
  "                                   'needs_contact', 'needs_attention', 'canceled')),"
  "  attempts        INTEGER NOT NULL DEFAULT 0,"
  "  next_attempt_at INTEGER NOT NULL DEFAULT 0,"
  "  outcome_unknown INTEGER NOT NULL DEFAULT 0,"
  "  last_status     INTEGER NOT NULL DEFAULT 0,"
  "  last_error      TEXT,"
  "  remote_id       TEXT,"
  "  follow_up_at    INTEGER NOT NULL DEFAULT 0,"    /* the log's, for priority */
  "  created_at      INTEGER NOT NULL,"
  "  updated_at      INTEGER NOT NULL"
  ");"
  /* Only jobs not yet confirmed stay here (a confirmed one is deleted; its
   * attempts are call events and its remote id is on the log), so the
   * table is the queue and needs no index to be walked in order. Urgent
   * follow-ups are found through their own small index. */
  "CREATE INDEX sync_jobs_urgent ON sync_jobs (follow_up_at)"
  "  WHERE state IN ('pending', 'waiting') AND follow_up_at > 0;"
  "CREATE INDEX sync_jobs_by_call ON sync_jobs (call_id, target);"
  "CREATE TABLE contacts ("
  "  phone_key    TEXT PRIMARY KEY NOT NULL,"
  "  contact_id   TEXT NOT NULL,"
  "  contact_name TEXT,"
  "  updated_at   INTEGER NOT NULL"
  ") WITHOUT ROWID;";

/* The live event stream: small persistent values (its last event id), the
 * event ids already shown (the newest 10 000; a reconnect or a restart
 * must not show one twice) and the calls the backend reported; and the
 * state of follow-ups for reminders. */
static const char migration_6[] =
  "CREATE TABLE kv ("
  "  key   TEXT PRIMARY KEY NOT NULL,"
  "  value TEXT NOT NULL"
  ") WITHOUT ROWID;"
  "CREATE TABLE stream_events_seen ("
  "  id       INTEGER PRIMARY KEY,"
  "  event_id TEXT NOT NULL UNIQUE"
  ");"
  "CREATE TABLE stream_calls ("
  "  call_sid         TEXT PRIMARY KEY NOT NULL,"
  "  status           TEXT,"
  "  completed        INTEGER NOT NULL DEFAULT 0,"
  "  duration_seconds INTEGER,"
  "  phone            TEXT,"
  "  contact_id       TEXT,"
  "  contact_name     TEXT,"
  "  recording_url    TEXT,"
  "  direction        TEXT,"
  "  started_at       INTEGER NOT NULL DEFAULT 0,"
  "  ended_at         INTEGER NOT NULL DEFAULT 0,"
  "  received_at      INTEGER NOT NULL,"
  "  logged_uuid      TEXT,"
  "  sequence         TEXT"                       /* steps, one per line */
  ");"
  "CREATE INDEX stream_calls_recent ON stream_calls (received_at DESC);"
  /* Follow-ups: done (Mark Done, or a later call to the same contact),
   * reminded (a reminder was shown; overdue ones show once), snoozed. The
   * index holds only open follow-ups, so a save without one writes no
   * page to it. */
  "ALTER TABLE call_logs ADD COLUMN follow_up_done_at INTEGER;"
  "ALTER TABLE call_logs ADD COLUMN follow_up_reminded_at INTEGER;"
  "ALTER TABLE call_logs ADD COLUMN follow_up_snoozed_until INTEGER;"
  "CREATE INDEX call_logs_open_follow_ups ON call_logs (follow_up_at)"
  "  WHERE follow_up_at IS NOT NULL AND follow_up_done_at IS NULL AND deleted = 0;";

/* The tail: logs saved but not yet in the search index nor queued for sync.
 * A save commits only the log, its events and sync_targets (the targets
 * enabled when it was saved, in the row itself); the index entries and the
 * outbox jobs of every log above indexed_upto follow in a second
 * transaction (catch_up_txn), right after the save returned, or at the
 * next open, claim or edit if a crash came in between: nothing is lost,
 * the log itself says what it still needs. Why: a commit costs per page
 * it writes, and FTS5 writes ~6 pages per transaction however small
 * (a new segment, its %_idx entry, the structure record), the two job
 * pages 2 more; bench-save went from 13 pages and ~2.2x a bare INSERT to
 * 5 pages and ~1.6x (without a draft; migration_8 goes on). The index and queue triggers leave tail rows alone
 * (the catch-up reads them as they are then). */
#define TAIL_GUARD "(SELECT indexed_upto FROM call_log_tail)"

static const char migration_7[] =
  "ALTER TABLE call_logs ADD COLUMN sync_targets INTEGER NOT NULL DEFAULT 0;"
  "CREATE TABLE call_log_tail ("
  "  id           INTEGER PRIMARY KEY CHECK (id = 1),"
  "  indexed_upto INTEGER NOT NULL"
  ");"
  "INSERT INTO call_log_tail (id, indexed_upto)"
  "  SELECT 1, coalesce(max(id), 0) FROM call_logs;"
  "DROP TRIGGER call_fts_insert;"
  "DROP TRIGGER call_fts_delete;"
  "DROP TRIGGER call_fts_update;"
  "CREATE TRIGGER call_fts_delete AFTER DELETE ON call_logs"
  "  WHEN old.deleted = 0 AND old.id <= " TAIL_GUARD " BEGIN"
  "  INSERT INTO call_fts (call_fts, rowid, " FTS_COLUMNS ")"
  "    VALUES ('delete', old.id, old.contact_name, old.contact_id, old.phone, old.phone_raw,"
  "            old.notes);"
  "END;"
  "CREATE TRIGGER call_fts_update"
  "  AFTER UPDATE OF " FTS_COLUMNS ", deleted ON call_logs"
  "  WHEN NOT (" FTS_SAME ") AND old.id <= " TAIL_GUARD " BEGIN"
  "  INSERT INTO call_fts (call_fts, rowid, " FTS_COLUMNS ")"
  "    SELECT 'delete', old.id, old.contact_name, old.contact_id, old.phone, old.phone_raw,"
  "           old.notes WHERE old.deleted = 0;"
  "  INSERT INTO call_fts (rowid, " FTS_COLUMNS ")"
  "    SELECT new.id, new.contact_name, new.contact_id, new.phone, new.phone_raw, new.notes"
  "    WHERE new.deleted = 0;"
  "END;";

/* The tail grows by what a save writes less: the live counts (one page
 * more per save) and the draft removal (two: the drafts table and its UUID
 * index) follow in the catch-up too. Counts hold the logs up to the mark;
 * a reader adds the tail's own (a few rows, by rowid). The catch-up counts
 * a tail log as it is then, so deleting, restoring or editing one before
 * touches no counter. The tail's logs were counted when saved by version 7:
 * they are taken out here and the catch-up at this open counts them again.
 * A draft left with its saved log (a crash before the catch-up) is removed
 * by the catch-up at the next open, before drafts are restored, and
 * cn_database_list_drafts() never returns one. bench-save, with a draft
 * before each save as the app writes one when it dials: 7 pages and ~1.6x
 * a bare INSERT + COMMIT before, 4 pages and ~1.3x after (idle machine). */
static const char migration_8[] =
  "DROP TRIGGER call_logs_count_insert;"
  "DROP TRIGGER call_logs_count_delete;"
  "DROP TRIGGER call_logs_count_update;"
  "CREATE TRIGGER call_logs_count_delete AFTER DELETE ON call_logs"
  "  WHEN old.deleted = 0 AND old.id <= " TAIL_GUARD " BEGIN"
  "  UPDATE call_log_counts SET live = live - 1 WHERE outcome = old.outcome;"
  "END;"
  "CREATE TRIGGER call_logs_count_update AFTER UPDATE OF outcome, deleted ON call_logs"
  "  WHEN old.id <= " TAIL_GUARD " BEGIN"
  "  UPDATE call_log_counts SET live = live - 1 WHERE old.deleted = 0 AND outcome = old.outcome;"
  "  UPDATE call_log_counts SET live = live + 1 WHERE new.deleted = 0 AND outcome = new.outcome;"
  "END;"
  "UPDATE call_log_counts SET live = live -"
  "  (SELECT count(*) FROM call_logs NOT INDEXED"
  "   WHERE id > " TAIL_GUARD " AND deleted = 0 AND outcome = call_log_counts.outcome);"
  /* The live call a logger opened from an event logs, kept across a restart. */
  "ALTER TABLE drafts ADD COLUMN call_sid TEXT;";

static const char * const migrations[] = {
  migration_1,
  migration_2,
  migration_3,
  migration_4,
  migration_5,
  migration_6,
  migration_7,
  migration_8,
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == CN_DATABASE_SCHEMA_VERSION);

/* Tables each version must have; used to tell our files from foreign ones. */
static const char * const expected_tables[][4] = {
  { NULL },
  { "call_logs", "call_events", "call_log_counts", NULL },
  { "call_logs", "call_events", "drafts", NULL },
  { "call_logs", "call_events", "drafts", "call_fts" },
  { "call_logs", "call_events", "drafts", "call_fts" },
  { "call_logs", "call_events", "drafts", "sync_jobs" },
  { "call_logs", "sync_jobs", "kv", "stream_calls" },
  { "call_logs", "sync_jobs", "kv", "call_log_tail" },
  { "call_logs", "sync_jobs", "kv", "call_log_tail" },
};

G_STATIC_ASSERT (G_N_ELEMENTS (expected_tables) == CN_DATABASE_SCHEMA_VERSION + 1);

/* Errors */

void
cn_db_set_sqlite_error (GError     **error,
                  sqlite3     *db,
                  int          rc,
                  Op           op,
                  const char  *path)
{
  int primary = rc & 0xff;
  int sys_errno = db != NULL ? sqlite3_system_errno (db) : 0;
  const char *detail = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  g_debug ("SQLite error %d (errno %d) on %s: %s", rc, sys_errno, path, detail);

  if (primary == SQLITE_FULL ||
      (primary == SQLITE_IOERR && (sys_errno == ENOSPC || sys_errno == EDQUOT)))
    {
      const char *message;

      switch (op)
        {
        case OP_SAVE_CALL:
          message = _("The disk is full; the call log was not saved. "
                      "Free some space and save again.");
          break;
        case OP_SAVE_DRAFT:
          message = _("The disk is full; the draft of this call could not be kept.");
          break;
        case OP_OPEN:
          message = _("The disk is full; the call log database could not be opened.");
          break;
        case OP_READ:
        case OP_CHANGE:
        default:
          message = _("The disk is full; the change was not saved.");
          break;
        }
      g_set_error_literal (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_FULL, message);
    }
  else if (primary == SQLITE_READONLY || primary == SQLITE_PERM ||
           ((primary == SQLITE_CANTOPEN || primary == SQLITE_IOERR) &&
            (sys_errno == EACCES || sys_errno == EROFS || sys_errno == EPERM)))
    {
      g_set_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_READ_ONLY,
                   _("The call log database “%s” cannot be written: the file or its folder "
                     "is read-only."), path);
    }
  else if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
    {
      g_set_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_CORRUPT,
                   _("The call log database “%s” is damaged (%s)."), path, detail);
    }
  else if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
    {
      g_set_error_literal (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_FAILED,
                           _("The call log database is busy (another Callnotes is writing "
                             "to it); please try again."));
    }
  else if (primary == SQLITE_CONSTRAINT)
    {
      g_set_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_INVALID,
                   _("The call log database refused the change (%s)."), detail);
    }
  else if (primary == SQLITE_CANTOPEN)
    {
      g_set_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_OPEN,
                   _("The call log database “%s” cannot be opened (%s)."), path, detail);
    }
  else
    {
      g_set_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_FAILED,
                   _("The call log database failed (%s)."), detail);
    }
}

static void
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *path,
                 const char  *what)
{
  if (saved_errno == EACCES || saved_errno == EROFS || saved_errno == EPERM)
    g_set_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_READ_ONLY,
                 _("The call log database “%s” cannot be written: the file or its folder "
                   "is read-only."), path);
  else if (saved_errno == ENOSPC || saved_errno == EDQUOT)
    g_set_error_literal (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_FULL,
                         _("The disk is full; the call log database could not be opened."));
  else
    g_set_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_OPEN,
                 /* Translators: the first %s is a path, the second what failed */
                 _("The call log database “%s” cannot be opened (%s: %s)."),
                 path, what, g_strerror (saved_errno));
}

/* Statements (conn->mutex held) */

sqlite3_stmt *
cn_db_get_statement (Connection  *conn,
               const char  *sql,
               Op           op,
               GError     **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (conn->statements, sql);
  int rc;

  if (stmt != NULL)
    return stmt;

  rc = sqlite3_prepare_v3 (conn->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      cn_db_set_sqlite_error (error, conn->db, rc, op, conn->owner->path);
      return NULL;
    }

  g_hash_table_insert (conn->statements, g_strdup (sql), stmt);
  return stmt;
}

void
cn_db_finish_statement (sqlite3_stmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

/* Steps to the end; for statements without result rows. */
gboolean
cn_db_run_statement (Connection    *conn,
               sqlite3_stmt  *stmt,
               Op             op,
               GError       **error)
{
  return cn_db_finish_rows (conn, stmt, sqlite3_step (stmt), op, error);
}

gboolean
cn_db_step_row (Connection    *conn,
                sqlite3_stmt  *stmt,
                Op             op,
                gboolean      *found,
                GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW || (rc == SQLITE_DONE && found != NULL))
    {
      if (found != NULL)
        *found = rc == SQLITE_ROW;
      if (rc == SQLITE_DONE)
        cn_db_finish_statement (stmt);
      return TRUE;
    }

  cn_db_set_sqlite_error (error, conn->db, rc == SQLITE_DONE ? SQLITE_ERROR : rc, op,
                          conn->owner->path);
  cn_db_finish_statement (stmt);
  return FALSE;
}

gboolean
cn_db_run_with_ints (Connection    *conn,
                     const char    *sql,
                     gint64         first,
                     gint64         second,
                     Op             op,
                     GError       **error)
{
  sqlite3_stmt *stmt = cn_db_get_statement (conn, sql, op, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, first);
  sqlite3_bind_int64 (stmt, 2, second);
  return cn_db_run_statement (conn, stmt, op, error);
}

gboolean
cn_db_finish_rows (Connection    *conn,
                   sqlite3_stmt  *stmt,
                   int            rc,
                   Op             op,
                   GError       **error)
{
  while (rc == SQLITE_ROW)
    rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    {
      cn_db_set_sqlite_error (error, conn->db, rc, op, conn->owner->path);
      cn_db_finish_statement (stmt);
      return FALSE;
    }

  cn_db_finish_statement (stmt);
  return TRUE;
}

gboolean
cn_db_run_sql (Connection  *conn,
         const char  *sql,
         Op           op,
         GError     **error)
{
  sqlite3_stmt *stmt = cn_db_get_statement (conn, sql, op, error);

  return stmt != NULL && cn_db_run_statement (conn, stmt, op, error);
}

/* Reads one integer (first column of the first row); FALSE on error. */
gboolean
cn_db_query_int (Connection    *conn,
           sqlite3_stmt  *stmt,
           Op             op,
           gint64        *value,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    {
      *value = sqlite3_column_int64 (stmt, 0);
      cn_db_finish_statement (stmt);
      return TRUE;
    }

  if (rc == SQLITE_DONE)
    {
      *value = 0;
      cn_db_finish_statement (stmt);
      return TRUE;
    }

  cn_db_set_sqlite_error (error, conn->db, rc, op, conn->owner->path);
  cn_db_finish_statement (stmt);
  return FALSE;
}

void
cn_db_bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *value)
{
  if (value == NULL || *value == '\0')
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, value, -1, SQLITE_STATIC);
}

void
cn_db_bind_named_text (sqlite3_stmt *stmt,
                 const char   *name,
                 const char   *value)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (index > 0)
    cn_db_bind_text (stmt, index, value);
}

void
cn_db_bind_named_int64 (sqlite3_stmt *stmt,
                  const char   *name,
                  gint64        value)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (index > 0)
    sqlite3_bind_int64 (stmt, index, value);
}

const char *
cn_db_column_text (sqlite3_stmt *stmt,
             int           column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}

gboolean
cn_db_begin_write (Connection  *conn,
             Op           op,
             GError     **error)
{
  return cn_db_run_sql (conn, "BEGIN IMMEDIATE", op, error);
}

gboolean
cn_db_begin_read (Connection  *conn,
            GError     **error)
{
  return cn_db_run_sql (conn, "BEGIN", OP_READ, error);
}

gboolean
cn_db_commit (Connection  *conn,
        Op           op,
        GError     **error)
{
  return cn_db_run_sql (conn, "COMMIT", op, error);
}

void
cn_db_rollback (Connection *conn)
{
  /* Some errors (SQLITE_FULL among them) may already have rolled back. */
  if (!sqlite3_get_autocommit (conn->db))
    {
      int rc = sqlite3_exec (conn->db, "ROLLBACK", NULL, NULL, NULL);

      if (rc != SQLITE_OK)
        g_warning ("Rolling back failed: %s", sqlite3_errmsg (conn->db));
    }
}

/* Rows */

CnCallLog *
cn_db_log_from_row (sqlite3_stmt *stmt,
              CnRowKey     *key)
{
  CnCallLog *log = cn_call_log_new ();
  CnOutcome outcome = CN_OUTCOME_NONE;

  if (key != NULL)
    {
      key->id = sqlite3_column_int64 (stmt, 0);
      key->created_at = sqlite3_column_int64 (stmt, 12);
    }

  cn_call_log_set_uuid (log, cn_db_column_text (stmt, 1));
  cn_call_log_set_contact_id (log, cn_db_column_text (stmt, 2));
  cn_call_log_set_contact_name (log, cn_db_column_text (stmt, 3));
  cn_call_log_set_phone (log, cn_db_column_text (stmt, 4));
  cn_call_log_set_phone_raw (log, cn_db_column_text (stmt, 5));
  cn_call_log_set_extension (log, cn_db_column_text (stmt, 6));
  if (g_strcmp0 (cn_db_column_text (stmt, 7), "inbound") == 0)
    cn_call_log_set_direction (log, "inbound");
  if (cn_db_column_text (stmt, 8) != NULL && cn_outcome_from_string (cn_db_column_text (stmt, 8), &outcome))
    cn_call_log_set_outcome (log, outcome);
  if (sqlite3_column_type (stmt, 9) != SQLITE_NULL)
    cn_call_log_set_duration (log, sqlite3_column_int64 (stmt, 9));
  cn_call_log_set_notes (log, cn_db_column_text (stmt, 10));
  cn_call_log_set_follow_up (log, sqlite3_column_int64 (stmt, 11));
  cn_call_log_set_created_at (log, sqlite3_column_int64 (stmt, 12));
  cn_call_log_set_updated_at (log, sqlite3_column_int64 (stmt, 13));
  cn_call_log_set_revision (log, sqlite3_column_int (stmt, 14));
  cn_call_log_set_deleted (log, sqlite3_column_int (stmt, 15) != 0);

  return log;
}

/* Binds the fields shared by call_logs and drafts: :contact_id … :created_at. */
static void
bind_log_fields (sqlite3_stmt *stmt,
                 CnCallLog    *log)
{
  gint64 duration = cn_call_log_get_duration (log);
  gint64 follow_up = cn_call_log_get_follow_up (log);

  cn_db_bind_named_text (stmt, ":contact_id", cn_call_log_get_contact_id (log));
  cn_db_bind_named_text (stmt, ":contact_name", cn_call_log_get_contact_name (log));
  cn_db_bind_named_text (stmt, ":phone", cn_call_log_get_phone (log));
  cn_db_bind_named_text (stmt, ":phone_raw", cn_call_log_get_phone_raw (log));
  cn_db_bind_named_text (stmt, ":extension", cn_call_log_get_extension (log));
  cn_db_bind_named_text (stmt, ":direction", cn_call_log_get_direction (log));
  cn_db_bind_named_text (stmt, ":outcome", cn_outcome_to_string (cn_call_log_get_outcome (log)));
  if (duration >= 0)
    cn_db_bind_named_int64 (stmt, ":duration", duration);
  cn_db_bind_named_text (stmt, ":notes", cn_call_log_get_notes (log));
  if (follow_up != 0)
    cn_db_bind_named_int64 (stmt, ":follow_up", follow_up);
  cn_db_bind_named_int64 (stmt, ":created_at", cn_call_log_get_created_at (log));
}

/* Adds an event to the log with the id @call_id, after its others. */
gboolean
cn_db_insert_event (Connection  *conn,
              gint64       call_id,
              const char  *kind,
              gint64       at,
              const char  *detail,
              Op           op,
              GError     **error)
{
  sqlite3_stmt *stmt = cn_db_get_statement (conn,
                                      "INSERT INTO call_events (call_id, seq, kind, at, detail) "
                                      "VALUES (?1, (SELECT coalesce(max(seq), 0) + 1"
                                      " FROM call_events WHERE call_id = ?1), ?2, ?3, ?4)",
                                      op, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, call_id);
  cn_db_bind_text (stmt, 2, kind);
  sqlite3_bind_int64 (stmt, 3, at);
  cn_db_bind_text (stmt, 4, detail);

  return cn_db_run_statement (conn, stmt, op, error);
}

static gboolean
delete_draft_locked (Connection  *conn,
                     const char  *uuid,
                     Op           op,
                     GError     **error)
{
  sqlite3_stmt *stmt = cn_db_get_statement (conn, "DELETE FROM drafts WHERE uuid = ?1", op, error);

  if (stmt == NULL)
    return FALSE;

  cn_db_bind_text (stmt, 1, uuid);
  return cn_db_run_statement (conn, stmt, op, error);
}

gint64
cn_db_now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* Queries */

char *
cn_database_build_match (const char *search)
{
  g_autofree char *valid = NULL;
  g_autoptr(GString) match = g_string_new (NULL);
  const char *p;
  guint n_words = 0;

  if (search == NULL)
    return NULL;

  if (strlen (search) > MAX_SEARCH_BYTES)
    {
      const char *end = search + MAX_SEARCH_BYTES;

      /* Cut at a character boundary. */
      while (end > search && (*end & 0xc0) == 0x80)
        end--;
      valid = g_utf8_make_valid (search, end - search);
    }
  else
    {
      valid = g_utf8_make_valid (search, -1);
    }

  p = valid;
  while (*p != '\0' && n_words < MAX_SEARCH_WORDS)
    {
      const char *start;
      gboolean searchable = FALSE;

      while (*p != '\0' && g_unichar_isspace (g_utf8_get_char (p)))
        p = g_utf8_next_char (p);
      if (*p == '\0')
        break;

      start = p;
      while (*p != '\0' && !g_unichar_isspace (g_utf8_get_char (p)))
        {
          if (g_unichar_isalnum (g_utf8_get_char (p)))
            searchable = TRUE;
          p = g_utf8_next_char (p);
        }

      /* A word of punctuation only would be an empty phrase, which matches
       * nothing; leave it out instead. */
      if (!searchable)
        continue;

      /* Each word is an FTS5 string: only '"' means something inside one,
       * and it is escaped by doubling. The trailing * makes it a prefix. */
      if (match->len > 0)
        g_string_append_c (match, ' ');
      g_string_append_c (match, '"');
      for (const char *c = start; c < p; c++)
        {
          if (*c == '"')
            g_string_append_c (match, '"');
          g_string_append_c (match, *c);
        }
      g_string_append (match, "\"*");
      n_words++;
    }

  if (match->len == 0)
    return NULL;

  return g_string_free (g_steal_pointer (&match), FALSE);
}

typedef enum {
  KEY_NONE,
  KEY_AFTER,
  KEY_BEFORE,
} KeyMode;

/* The shared WHERE clause of list and count queries. */
static void
append_filter (GString    *sql,
               CnOutcome   outcome,
               gboolean    has_match,
               KeyMode     key_mode)
{
  g_string_append (sql, " WHERE deleted = 0");
  if (outcome != CN_OUTCOME_NONE)
    g_string_append (sql, " AND outcome = :outcome");
  if (has_match)
    g_string_append (sql, " AND id IN (SELECT rowid FROM call_fts WHERE call_fts MATCH :match)");
  if (key_mode == KEY_AFTER)
    g_string_append (sql, " AND (created_at, id) < (:key_created_at, :key_id)");
  else if (key_mode == KEY_BEFORE)
    g_string_append (sql, " AND (created_at, id) > (:key_created_at, :key_id)");
}

static void
bind_filter (sqlite3_stmt   *stmt,
             CnOutcome       outcome,
             const char     *match,
             const CnRowKey *key)
{
  if (outcome != CN_OUTCOME_NONE)
    cn_db_bind_named_text (stmt, ":outcome", cn_outcome_to_string (outcome));
  if (match != NULL)
    cn_db_bind_named_text (stmt, ":match", match);
  if (key != NULL)
    {
      cn_db_bind_named_int64 (stmt, ":key_created_at", key->created_at);
      cn_db_bind_named_int64 (stmt, ":key_id", key->id);
    }
}

/* The rows in the list for @outcome before any search: O(1) from the
 * counter table, plus the tail's logs, which it counts only once caught up
 * (migration_8; a few rows read by rowid). */
static gboolean
count_list_locked (Connection  *conn,
                   CnOutcome    outcome,
                   guint       *count,
                   GError     **error)
{
  sqlite3_stmt *stmt;
  gint64 value = 0;

  if (outcome == CN_OUTCOME_NONE)
    stmt = cn_db_get_statement (conn,
                                "SELECT (SELECT coalesce(sum(live), 0) FROM call_log_counts)"
                                " + (SELECT count(*) FROM call_logs NOT INDEXED"
                                "    WHERE id > " TAIL_GUARD " AND deleted = 0)",
                                OP_READ, error);
  else
    stmt = cn_db_get_statement (conn,
                                "SELECT (SELECT live FROM call_log_counts WHERE outcome = :outcome)"
                                " + (SELECT count(*) FROM call_logs NOT INDEXED"
                                "    WHERE id > " TAIL_GUARD " AND deleted = 0"
                                "    AND outcome = :outcome)",
                                OP_READ, error);
  if (stmt == NULL)
    return FALSE;

  bind_filter (stmt, outcome, NULL, NULL);
  if (!cn_db_query_int (conn, stmt, OP_READ, &value, error))
    return FALSE;

  *count = (guint) CLAMP (value, 0, G_MAXUINT);
  return TRUE;
}

/* Counts what @outcome and @match allow. A search is counted only up to
 * @cap rows (G_MAXUINT: all of them): counting the 765 000 matches of "a" in
 * a million logs costs more than showing them, and the history shows a few
 * hundred rows at a time. *@exact tells the whole answer from "at least". */
static gboolean
count_locked (Connection  *conn,
              CnOutcome    outcome,
              const char  *match,
              guint        cap,
              guint       *count,
              gboolean    *exact,
              GError     **error)
{
  sqlite3_stmt *stmt;
  gint64 value = 0;

  *exact = TRUE;
  if (match == NULL)
    return count_list_locked (conn, outcome, count, error);

  if (cap == G_MAXUINT && outcome == CN_OUTCOME_NONE)
    {
      /* Deleted logs are not in the index, so this is the whole answer. */
      stmt = cn_db_get_statement (conn, "SELECT count(*) FROM call_fts WHERE call_fts MATCH :match",
                            OP_READ, error);
    }
  else if (cap == G_MAXUINT)
    {
      g_autoptr(GString) sql = g_string_new ("SELECT count(*) FROM call_logs");

      append_filter (sql, outcome, TRUE, KEY_NONE);
      stmt = cn_db_get_statement (conn, sql->str, OP_READ, error);
    }
  else if (outcome == CN_OUTCOME_NONE)
    {
      stmt = cn_db_get_statement (conn, "SELECT count(*) FROM (SELECT 1 FROM call_fts"
                                  " WHERE call_fts MATCH :match LIMIT :cap)", OP_READ, error);
    }
  else
    {
      /* The index leads, so counting stops after @cap hits instead of first
       * collecting every match. */
      stmt = cn_db_get_statement (conn, "SELECT count(*) FROM (SELECT 1 FROM call_fts"
                                  " CROSS JOIN call_logs ON call_logs.id = call_fts.rowid"
                                  " WHERE call_fts MATCH :match AND call_logs.deleted = 0"
                                  " AND call_logs.outcome = :outcome LIMIT :cap)",
                            OP_READ, error);
    }

  if (stmt == NULL)
    return FALSE;

  bind_filter (stmt, outcome, match, NULL);
  cn_db_bind_named_int64 (stmt, ":cap", cap);
  if (!cn_db_query_int (conn, stmt, OP_READ, &value, error))
    return FALSE;

  *count = (guint) CLAMP (value, 0, G_MAXUINT);
  *exact = cap == G_MAXUINT || *count < cap;
  return TRUE;
}

/* Steps @stmt (LOG_COLUMNS) to its end, adding its rows to @logs and @keys. */
static gboolean
read_logs_locked (Connection    *conn,
                  sqlite3_stmt  *stmt,
                  GPtrArray     *logs,
                  GArray        *keys,
                  GError       **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CnRowKey row_key;

      g_ptr_array_add (logs, cn_db_log_from_row (stmt, &row_key));
      if (keys != NULL)
        g_array_append_val (keys, row_key);
    }

  return cn_db_finish_rows (conn, stmt, rc, OP_READ, error);
}

/* Reads rows into @logs (and @keys) in the order the statement gives. */
static gboolean
select_logs_locked (Connection      *conn,
                    CnOutcome        outcome,
                    const char      *match,
                    gboolean         sort_matches,
                    KeyMode          key_mode,
                    const CnRowKey  *key,
                    gboolean         ascending,
                    guint            offset,
                    guint            limit,
                    GPtrArray       *logs,
                    GArray          *keys,
                    GError         **error)
{
  g_autoptr(GString) sql = g_string_new ("SELECT " LOG_COLUMNS " FROM call_logs");
  sqlite3_stmt *stmt;

  /* Left alone, SQLite walks the list index and tests each row against the
   * set of matches: fast when many rows match, but it reads the whole index
   * when few do. For few matches, look them up by id and sort them. */
  if (sort_matches)
    g_string_append (sql, " NOT INDEXED");
  append_filter (sql, outcome, match != NULL, key_mode);
  if (ascending)
    g_string_append (sql, " ORDER BY created_at ASC, id ASC");
  else
    g_string_append (sql, " ORDER BY created_at DESC, id DESC");
  g_string_append (sql, " LIMIT :limit OFFSET :offset");

  stmt = cn_db_get_statement (conn, sql->str, OP_READ, error);
  if (stmt == NULL)
    return FALSE;

  bind_filter (stmt, outcome, match, key);
  cn_db_bind_named_int64 (stmt, ":limit", limit);
  cn_db_bind_named_int64 (stmt, ":offset", offset);

  return read_logs_locked (conn, stmt, logs, keys, error);
}

/* Reads a page of a search that many rows match without collecting every
 * match first (SQLite's plan for "id IN (…)" gathers all 765 000 of "a"
 * before the first row): walks the list from @key (or the top) through a
 * window of rows, then asks the index only which of those match, by the
 * range of their ids. The window is sized from the share of rows that match
 * (@n_matches may be a lower bound, which only makes it larger) and widened
 * while it held too few. *@done stays FALSE when the window would cover most
 * of the list; collecting the matches is then no dearer. */
static gboolean
select_window_locked (Connection      *conn,
                      CnOutcome        outcome,
                      const char      *match,
                      guint            n_matches,
                      KeyMode          key_mode,
                      const CnRowKey  *key,
                      gboolean         ascending,
                      guint            offset,
                      guint            limit,
                      GPtrArray       *logs,
                      GArray          *keys,
                      gboolean        *done,
                      GError         **error)
{
  g_autoptr(GString) walk_sql = g_string_new ("SELECT created_at, id FROM call_logs");
  g_autoptr(GString) page_sql = g_string_new ("SELECT " LOG_COLUMNS " FROM call_logs");
  const char *order = ascending ? " ORDER BY created_at ASC, id ASC"
                                : " ORDER BY created_at DESC, id DESC";
  guint n_list = 0;
  guint64 window;

  *done = FALSE;

  if (!count_list_locked (conn, outcome, &n_list, error))
    return FALSE;

  window = ((guint64) offset + limit) * n_list / MAX (n_matches, 1);
  window += window / 2 + WINDOW_MIN_ROWS;

  append_filter (walk_sql, outcome, FALSE, key_mode);
  g_string_append (walk_sql, order);
  g_string_append (walk_sql, " LIMIT :window");

  append_filter (page_sql, outcome, FALSE, key_mode);
  if (ascending)
    g_string_append (page_sql, " AND (created_at, id) <= (:edge_created_at, :edge_id)");
  else
    g_string_append (page_sql, " AND (created_at, id) >= (:edge_created_at, :edge_id)");
  g_string_append (page_sql, " AND id IN (SELECT rowid FROM call_fts WHERE call_fts MATCH :match"
                             " AND rowid BETWEEN :low_id AND :high_id)");
  g_string_append (page_sql, order);
  g_string_append (page_sql, " LIMIT :limit OFFSET :offset");

  for (; window < n_list / 2; window *= 4)
    {
      g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_object_unref);
      g_autoptr(GArray) found_keys = g_array_new (FALSE, FALSE, sizeof (CnRowKey));
      CnRowKey edge = { 0, 0 };
      gint64 low_id = G_MAXINT64;
      gint64 high_id = G_MININT64;
      guint64 n_walked = 0;
      sqlite3_stmt *stmt;
      int rc;

      stmt = cn_db_get_statement (conn, walk_sql->str, OP_READ, error);
      if (stmt == NULL)
        return FALSE;

      bind_filter (stmt, outcome, NULL, key);
      cn_db_bind_named_int64 (stmt, ":window", window);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          edge.created_at = sqlite3_column_int64 (stmt, 0);
          edge.id = sqlite3_column_int64 (stmt, 1);
          low_id = MIN (low_id, edge.id);
          high_id = MAX (high_id, edge.id);
          n_walked++;
        }
      if (!cn_db_finish_rows (conn, stmt, rc, OP_READ, error))
        return FALSE;

      if (n_walked == 0)
        {
          *done = TRUE;
          return TRUE;
        }

      stmt = cn_db_get_statement (conn, page_sql->str, OP_READ, error);
      if (stmt == NULL)
        return FALSE;

      bind_filter (stmt, outcome, match, key);
      cn_db_bind_named_int64 (stmt, ":edge_created_at", edge.created_at);
      cn_db_bind_named_int64 (stmt, ":edge_id", edge.id);
      cn_db_bind_named_int64 (stmt, ":low_id", low_id);
      cn_db_bind_named_int64 (stmt, ":high_id", high_id);
      cn_db_bind_named_int64 (stmt, ":limit", limit);
      cn_db_bind_named_int64 (stmt, ":offset", offset);
      if (!read_logs_locked (conn, stmt, found, found_keys, error))
        return FALSE;

      /* A full page, or the window reached the end of the list. */
      if (found->len == limit || n_walked < window)
        {
          for (guint i = 0; i < found->len; i++)
            g_ptr_array_add (logs, g_object_ref (g_ptr_array_index (found, i)));
          if (keys != NULL)
            g_array_append_vals (keys, found_keys->data, found_keys->len);
          *done = TRUE;
          return TRUE;
        }
    }

  return TRUE;
}

/* select_logs_locked(), or select_window_locked() for a search that many
 * rows match. */
static gboolean
select_page_locked (Connection      *conn,
                    CnOutcome        outcome,
                    const char      *match,
                    guint            count,
                    gboolean         exact,
                    KeyMode          key_mode,
                    const CnRowKey  *key,
                    gboolean         ascending,
                    guint            offset,
                    guint            limit,
                    GPtrArray       *logs,
                    GArray          *keys,
                    GError         **error)
{
  gboolean sort_matches = match != NULL && exact && count <= conn->owner->sort_matches_max;

  if (match != NULL && !sort_matches)
    {
      gboolean done = FALSE;

      if (!select_window_locked (conn, outcome, match, count, key_mode, key, ascending, offset,
                                 limit, logs, keys, &done, error))
        return FALSE;
      if (done)
        return TRUE;
    }

  return select_logs_locked (conn, outcome, match, sort_matches, key_mode, key, ascending, offset,
                             limit, logs, keys, error);
}

static void
reverse_results (GPtrArray *logs,
                 GArray    *keys)
{
  for (guint i = 0, j = logs->len; i + 1 < j; i++, j--)
    {
      gpointer tmp = logs->pdata[i];

      logs->pdata[i] = logs->pdata[j - 1];
      logs->pdata[j - 1] = tmp;

      if (keys != NULL)
        {
          CnRowKey key = g_array_index (keys, CnRowKey, i);

          g_array_index (keys, CnRowKey, i) = g_array_index (keys, CnRowKey, j - 1);
          g_array_index (keys, CnRowKey, j - 1) = key;
        }
    }
}

/* Pages from the ids a probe read (conn->mutex held)
 *
 * A search with many matches is read once, by the probe, as the ids of its
 * highest matching rows (read_match_ids_locked()): that one pass over the
 * index gives the capped count, the rows added since the last probe and the
 * pages of the rows the history shows, which walk the list index and look
 * each row up among the ids. A second pass would cost as much as the first
 * for a prefix without a prefix index ("call"* merges the lists of every
 * word it stands for, ~20 ms on a million logs, before the first id). */

static gboolean
read_match_ids_locked (Connection  *conn,
                       CnOutcome    outcome,
                       const char  *match,
                       guint        cap,
                       GArray      *ids,
                       GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (outcome == CN_OUTCOME_NONE)
    stmt = cn_db_get_statement (conn, "SELECT rowid FROM call_fts WHERE call_fts MATCH :match"
                                " ORDER BY rowid DESC LIMIT :cap", OP_READ, error);
  else
    stmt = cn_db_get_statement (conn, "SELECT call_fts.rowid FROM call_fts"
                                " CROSS JOIN call_logs ON call_logs.id = call_fts.rowid"
                                " WHERE call_fts MATCH :match AND call_logs.deleted = 0"
                                " AND call_logs.outcome = :outcome"
                                " ORDER BY call_fts.rowid DESC LIMIT :cap", OP_READ, error);
  if (stmt == NULL)
    return FALSE;

  bind_filter (stmt, outcome, match, NULL);
  cn_db_bind_named_int64 (stmt, ":cap", cap);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }

  return cn_db_finish_rows (conn, stmt, rc, OP_READ, error);
}

/* Whether @id is in @ids (highest first). */
static gboolean
ids_contain (GArray *ids,
             gint64  id)
{
  guint low = 0;
  guint high = ids->len;

  while (low < high)
    {
      guint middle = low + (high - low) / 2;
      gint64 value = g_array_index (ids, gint64, middle);

      if (value == id)
        return TRUE;
      if (value > id)
        low = middle + 1;
      else
        high = middle;
    }

  return FALSE;
}

/* The list key of the log with @id; *@found FALSE when there is none. */
static gboolean
key_of_locked (Connection  *conn,
               gint64       id,
               CnRowKey    *key,
               gboolean    *found,
               GError     **error)
{
  sqlite3_stmt *stmt = cn_db_get_statement (conn, "SELECT created_at FROM call_logs WHERE id = ?1",
                                      OP_READ, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  *found = rc == SQLITE_ROW;
  if (*found)
    {
      key->created_at = sqlite3_column_int64 (stmt, 0);
      key->id = id;
    }
  else if (rc != SQLITE_DONE)
    {
      cn_db_set_sqlite_error (error, conn->db, rc, OP_READ, conn->owner->path);
      cn_db_finish_statement (stmt);
      return FALSE;
    }

  cn_db_finish_statement (stmt);
  return TRUE;
}

static gboolean
key_is_before (const CnRowKey *a,
               const CnRowKey *b)
{
  return a->created_at > b->created_at || (a->created_at == b->created_at && a->id > b->id);
}

static int
compare_keys_in_list_order (gconstpointer a,
                            gconstpointer b)
{
  const CnRowKey *x = a;
  const CnRowKey *y = b;

  return key_is_before (x, y) ? -1 : key_is_before (y, x) ? 1 : 0;
}

/* Reads the logs of @keys by id, in that order. */
static gboolean
read_logs_by_key_locked (Connection  *conn,
                         GArray      *keys,
                         GPtrArray   *logs,
                         GArray      *keys_out,
                         GError     **error)
{
  sqlite3_stmt *stmt = cn_db_get_statement (conn, "SELECT " LOG_COLUMNS " FROM call_logs WHERE id = ?1",
                                      OP_READ, error);

  if (stmt == NULL)
    return FALSE;

  for (guint i = 0; i < keys->len; i++)
    {
      sqlite3_bind_int64 (stmt, 1, g_array_index (keys, CnRowKey, i).id);
      if (!read_logs_locked (conn, stmt, logs, keys_out, error))
        return FALSE;
    }

  return TRUE;
}

/* Few matches, all known: their keys, sorted in list order. */
static gboolean
sorted_keys_of_locked (Connection  *conn,
                       GArray      *ids,
                       GArray      *keys,
                       GError     **error)
{
  for (guint i = 0; i < ids->len; i++)
    {
      CnRowKey key;
      gboolean found = FALSE;

      if (!key_of_locked (conn, g_array_index (ids, gint64, i), &key, &found, error))
        return FALSE;
      if (found)
        g_array_append_val (keys, key);
    }

  g_array_sort (keys, compare_keys_in_list_order);
  return TRUE;
}

/* Finds a page of a search by walking the list index from @key (or the end
 * @ascending names) and looking each row up in @counted's ids. *@complete
 * stays FALSE when a row may match without being among them (an id below
 * the lowest one read, or above @counted->last_id: added since), or after
 * MAX_PAGE_WALK rows; the page must then come from the index. */
static gboolean
walk_match_ids_locked (Connection         *conn,
                       CnOutcome           outcome,
                       const CnListCount  *counted,
                       KeyMode             key_mode,
                       const CnRowKey     *key,
                       gboolean            ascending,
                       guint               offset,
                       guint               limit,
                       GArray             *page_keys,
                       gboolean           *complete,
                       GError            **error)
{
  g_autoptr(GString) sql = g_string_new ("SELECT created_at, id FROM call_logs");
  GArray *ids = counted->match_ids;
  gint64 lowest = ids->len > 0 ? g_array_index (ids, gint64, ids->len - 1) : G_MAXINT64;
  sqlite3_stmt *stmt;
  guint n_walked = 0;
  guint n_skipped = 0;
  int rc;

  *complete = FALSE;

  append_filter (sql, outcome, FALSE, key_mode);
  g_string_append (sql, ascending ? " ORDER BY created_at ASC, id ASC"
                                  : " ORDER BY created_at DESC, id DESC");
  stmt = cn_db_get_statement (conn, sql->str, OP_READ, error);
  if (stmt == NULL)
    return FALSE;

  bind_filter (stmt, outcome, NULL, key);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CnRowKey row = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1) };

      if (row.id > counted->last_id || (!counted->exact && row.id < lowest) ||
          ++n_walked > MAX_PAGE_WALK)
        break;

      if (!ids_contain (ids, row.id))
        continue;
      if (n_skipped < offset)
        {
          n_skipped++;
          continue;
        }

      g_array_append_val (page_keys, row);
      if (page_keys->len == limit)
        {
          *complete = TRUE;
          break;
        }
    }

  if (rc == SQLITE_DONE)
    *complete = TRUE;
  else if (rc != SQLITE_ROW)
    {
      cn_db_set_sqlite_error (error, conn->db, rc, OP_READ, conn->owner->path);
      cn_db_finish_statement (stmt);
      return FALSE;
    }

  cn_db_finish_statement (stmt);
  return TRUE;
}

/* A page of a search from @counted's ids, when they tell it; *@done FALSE
 * when they do not (the logs changed since, or the rows are not among them). */
static gboolean
page_from_match_ids_locked (Connection         *conn,
                            CnOutcome           outcome,
                            const CnListCount  *counted,
                            KeyMode             key_mode,
                            const CnRowKey     *key,
                            gboolean            ascending,
                            guint               offset,
                            guint               limit,
                            GPtrArray          *logs,
                            GArray             *keys,
                            gboolean           *done,
                            GError            **error)
{
  g_autoptr(GArray) page_keys = g_array_new (FALSE, FALSE, sizeof (CnRowKey));
  sqlite3_stmt *stmt;
  gint64 generation = 0;

  *done = FALSE;

  /* An edit or a removal may have changed what matches. */
  stmt = cn_db_get_statement (conn, "SELECT value FROM call_log_generation", OP_READ, error);
  if (stmt == NULL || !cn_db_query_int (conn, stmt, OP_READ, &generation, error))
    return FALSE;
  if (generation != counted->generation)
    return TRUE;

  if (!walk_match_ids_locked (conn, outcome, counted, key_mode, key, ascending, offset, limit,
                              page_keys, done, error))
    return FALSE;

  return !*done || read_logs_by_key_locked (conn, page_keys, logs, keys, error);
}

static gboolean
query_page_locked (Connection         *conn,
                   CnOutcome           outcome,
                   const char         *match,
                   const CnRowKey     *after,
                   const CnRowKey     *before,
                   guint               offset,
                   guint               limit,
                   const CnListCount  *known,
                   GPtrArray          *logs,
                   GArray             *keys,
                   GError            **error)
{
  guint count = known != NULL ? known->count : G_MAXUINT;
  gboolean exact = known != NULL && known->exact;
  gboolean in_transaction = FALSE;
  gboolean deep = after == NULL && before == NULL && offset > REVERSE_SCAN_THRESHOLD;
  guint sort_matches_max = conn->owner->sort_matches_max;
  gboolean ok = TRUE;
  gboolean done = FALSE;

  if (limit == 0)
    return TRUE;

  /* The plan depends on the number of rows; the count and the page then
   * come from one snapshot. Reading from the far end needs the exact
   * count; otherwise knowing whether few rows match is enough. */
  if (known == NULL && (match != NULL || deep))
    {
      if (!cn_db_begin_read (conn, error))
        return FALSE;
      in_transaction = TRUE;
      ok = count_locked (conn, outcome, match, deep ? G_MAXUINT : sort_matches_max + 1, &count,
                         &exact, error);
    }
  else if (match != NULL && known->match_ids != NULL &&
           !(exact && count <= sort_matches_max))
    {
      if (!cn_db_begin_read (conn, error))
        return FALSE;
      in_transaction = TRUE;
      if (after != NULL)
        ok = page_from_match_ids_locked (conn, outcome, known, KEY_AFTER, after, FALSE, offset,
                                         limit, logs, keys, &done, error);
      else if (before != NULL)
        ok = page_from_match_ids_locked (conn, outcome, known, KEY_BEFORE, before, TRUE, 0, limit,
                                         logs, keys, &done, error);
      else
        ok = page_from_match_ids_locked (conn, outcome, known, KEY_NONE, NULL, FALSE, offset,
                                         limit, logs, keys, &done, error);
      if (done && before != NULL)
        reverse_results (logs, keys);
    }

  if (!ok || done)
    {
      /* Failed (error is set), or read from the ids. */
    }
  else if (after != NULL)
    {
      ok = select_page_locked (conn, outcome, match, count, exact, KEY_AFTER, after, FALSE,
                               offset, limit, logs, keys, error);
    }
  else if (before != NULL)
    {
      g_assert (offset == 0);
      ok = select_page_locked (conn, outcome, match, count, exact, KEY_BEFORE, before, TRUE, 0,
                               limit, logs, keys, error);
      if (ok)
        reverse_results (logs, keys);
    }
  else if (!deep || !exact)
    {
      ok = select_page_locked (conn, outcome, match, count, exact, KEY_NONE, NULL, FALSE, offset,
                               limit, logs, keys, error);
    }
  else if (offset < count)
    {
      /* Deep page: OFFSET steps over every row in front of it (in the index
       * only, but still ~50 ns a row), so read from the nearer end. */
      guint from_end;

      limit = MIN (limit, count - offset);
      from_end = count - offset - limit;

      if (from_end < offset)
        {
          ok = select_page_locked (conn, outcome, match, count, exact, KEY_NONE, NULL, TRUE,
                                   from_end, limit, logs, keys, error);
          if (ok)
            reverse_results (logs, keys);
        }
      else
        {
          ok = select_page_locked (conn, outcome, match, count, exact, KEY_NONE, NULL, FALSE,
                                   offset, limit, logs, keys, error);
        }
    }

  if (in_transaction)
    {
      if (ok)
        ok = cn_db_commit (conn, OP_READ, error);
      if (!ok)
        cn_db_rollback (conn);
    }

  return ok;
}

/* Probing a list (conn->mutex held, inside a read transaction) */

/* The first @limit rows of a search from the ids the probe read: few
 * matches are sorted, else the list is walked (walk_match_ids_locked()).
 * Falls back to select_page_locked() when the walk cannot tell. */
static gboolean
first_page_from_ids_locked (Connection         *conn,
                            CnOutcome           outcome,
                            const char         *match,
                            const CnListCount  *counted,
                            guint               limit,
                            GPtrArray          *logs,
                            GArray             *keys,
                            GError            **error)
{
  g_autoptr(GArray) page_keys = g_array_new (FALSE, FALSE, sizeof (CnRowKey));
  gboolean complete = TRUE;

  if (counted->count == 0)
    return TRUE;

  if (counted->exact && counted->count <= conn->owner->sort_matches_max)
    {
      if (!sorted_keys_of_locked (conn, counted->match_ids, page_keys, error))
        return FALSE;
      g_array_set_size (page_keys, MIN (page_keys->len, limit));
    }
  else if (!walk_match_ids_locked (conn, outcome, counted, KEY_NONE, NULL, FALSE, 0, limit,
                                   page_keys, &complete, error))
    {
      return FALSE;
    }

  if (!complete)
    return select_page_locked (conn, outcome, match, counted->count, counted->exact, KEY_NONE,
                               NULL, FALSE, 0, limit, logs, keys, error);

  return read_logs_by_key_locked (conn, page_keys, logs, keys, error);
}

/* How many rows with an id above @since_id the list holds now, and how many
 * of them sort in front of @top. */
static gboolean
count_added_locked (Connection      *conn,
                    CnOutcome        outcome,
                    const CnRowKey  *top,
                    gint64           since_id,
                    guint           *n_added,
                    guint           *n_on_top,
                    GError         **error)
{
  g_autoptr(GString) sql = NULL;
  sqlite3_stmt *stmt;

  /* NOT INDEXED: the new rows by id, not a walk of the whole list index. */
  sql = g_string_new ("SELECT count(*), coalesce(sum(created_at > :key_created_at"
                      " OR (created_at = :key_created_at AND id > :key_id)), 0)"
                      " FROM call_logs NOT INDEXED");
  append_filter (sql, outcome, FALSE, KEY_NONE);
  g_string_append (sql, " AND id > :since_id");
  stmt = cn_db_get_statement (conn, sql->str, OP_READ, error);
  if (stmt == NULL)
    return FALSE;

  bind_filter (stmt, outcome, NULL, top);
  cn_db_bind_named_int64 (stmt, ":since_id", since_id);
  if (!cn_db_step_row (conn, stmt, OP_READ, NULL, error))
    return FALSE;

  *n_added = (guint) CLAMP (sqlite3_column_int64 (stmt, 0), 0, G_MAXUINT);
  *n_on_top = (guint) CLAMP (sqlite3_column_int64 (stmt, 1), 0, G_MAXUINT);
  cn_db_finish_statement (stmt);
  return TRUE;
}

/* The same for a search, from its ids (highest first). When every id read
 * is new and there may be more, the answer is unknown: G_MAXUINT added, none
 * on top. */
static gboolean
count_added_from_ids_locked (Connection         *conn,
                             const CnListCount  *counted,
                             const CnRowKey     *top,
                             gint64              since_id,
                             guint              *n_added,
                             guint              *n_on_top,
                             GError            **error)
{
  GArray *ids = counted->match_ids;
  guint n = 0;

  while (n < ids->len && g_array_index (ids, gint64, n) > since_id)
    n++;

  *n_added = n;
  *n_on_top = 0;

  if (n == ids->len && !counted->exact)
    {
      *n_added = G_MAXUINT;
      return TRUE;
    }

  for (guint i = 0; i < n; i++)
    {
      CnRowKey key;
      gboolean found = FALSE;

      if (!key_of_locked (conn, g_array_index (ids, gint64, i), &key, &found, error))
        return FALSE;
      if (found && key_is_before (&key, top))
        (*n_on_top)++;
    }

  return TRUE;
}

/* Opening */

typedef enum {
  FILE_FRESH,       /* missing or empty */
  FILE_SQLITE,      /* looks like an SQLite file */
  FILE_DAMAGED,     /* not an SQLite file */
} FileState;

/* Looks at the 100-byte header without SQLite, so a file that is not
 * SQLite's is judged before anything could write to it.
 *
 * Only the bytes that never change once SQLite has written the first page
 * are judged here, as this read takes no lock: another process may be
 * checkpointing at this very moment, and then the page count in the header
 * (offset 28) is ahead of the file's size until the checkpoint ends, after
 * which the WAL may be gone. Whether the file is shorter than its header
 * says is left to SQLite, which checks it under its locks, counting the
 * pages in the WAL and ignoring the count when it is stale (its
 * "version-valid-for" number at 92 differs from the change counter at 24),
 * and reports SQLITE_CORRUPT. */
static gboolean
inspect_file (const char  *path,
              FileState   *state,
              char       **reason,
              GError     **error)
{
  guint8 header[100];
  struct stat st;
  guint32 page_size;
  int fd;
  gssize n_read;

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT)
        {
          *state = FILE_FRESH;
          return TRUE;
        }
      set_errno_error (error, saved_errno, path, "open");
      return FALSE;
    }

  if (fstat (fd, &st) != 0)
    {
      int saved_errno = errno;

      close (fd);
      set_errno_error (error, saved_errno, path, "stat");
      return FALSE;
    }

  if (!S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_OPEN,
                   _("The call log database “%s” is not a regular file."), path);
      return FALSE;
    }

  if (st.st_size == 0)
    {
      close (fd);
      *state = FILE_FRESH;
      return TRUE;
    }

  do
    n_read = read (fd, header, sizeof header);
  while (n_read < 0 && errno == EINTR);
  close (fd);

  if (n_read < 0)
    {
      set_errno_error (error, errno, path, "read");
      return FALSE;
    }

  *state = FILE_DAMAGED;

  if (n_read < (gssize) sizeof header)
    {
      *reason = g_strdup ("shorter than a database header");
      return TRUE;
    }

  if (memcmp (header, "SQLite format 3", 16) != 0)
    {
      *reason = g_strdup ("not an SQLite database");
      return TRUE;
    }

  page_size = ((guint32) header[16] << 8) | header[17];
  if (page_size == 1)
    page_size = 65536;
  if (page_size < 512 || page_size > 65536 || (page_size & (page_size - 1)) != 0 ||
      header[18] < 1 || header[18] > 2 || header[19] < 1 || header[19] > 2 ||
      header[21] != 64 || header[22] != 32 || header[23] != 32)
    {
      *reason = g_strdup ("invalid SQLite header");
      return TRUE;
    }

  *state = FILE_SQLITE;
  return TRUE;
}

static gboolean
move_aside (const char  *path,
            char       **moved_to,
            GError     **error)
{
  static const char * const suffixes[] = { "-wal", "-shm", "-journal" };
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *target = g_strdup_printf ("%s.corrupt-%s", path, stamp);

  for (guint i = 2; g_file_test (target, G_FILE_TEST_EXISTS); i++)
    {
      g_free (target);
      target = g_strdup_printf ("%s.corrupt-%s-%u", path, stamp, i);
    }

  if (g_rename (path, target) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_CORRUPT,
                   _("The call log database “%s” is damaged and could not be moved aside (%s)."),
                   path, g_strerror (saved_errno));
      return FALSE;
    }

  /* The side files keep SQLite's naming next to the moved file, so the
   * moved copy opens with its WAL for anyone trying to rescue it. */
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *from = g_strconcat (path, suffixes[i], NULL);
      g_autofree char *to = g_strconcat (target, suffixes[i], NULL);

      if (g_file_test (from, G_FILE_TEST_EXISTS) && g_rename (from, to) != 0)
        g_warning ("Could not move %s aside: %s", from, g_strerror (errno));
    }

  *moved_to = g_steal_pointer (&target);
  return TRUE;
}

static gboolean
ensure_folder (const char  *path,
               GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      set_errno_error (error, errno, path, "mkdir");
      return FALSE;
    }

  return TRUE;
}

/* Creates a missing file as 0600: call notes are private, and SQLite gives
 * its -wal and -shm the same mode as the database. */
static gboolean
create_private_file (const char  *path,
                     GError     **error)
{
  int fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      if (errno == EEXIST)
        return TRUE;
      set_errno_error (error, errno, path, "create");
      return FALSE;
    }

  close (fd);
  return TRUE;
}

/* Runs a statement that returns one integer, outside the statement cache
 * (used before the file is known to be ours). Returns the SQLite code. */
static int
probe_int (sqlite3    *db,
           const char *sql,
           gint64     *value)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *value = sqlite3_column_int64 (stmt, 0);
          rc = SQLITE_OK;
        }
      else if (rc == SQLITE_DONE)
        {
          *value = 0;
          rc = SQLITE_OK;
        }
    }

  sqlite3_finalize (stmt);
  return rc;
}

typedef enum {
  SCHEMA_OURS,
  SCHEMA_FOREIGN,
} SchemaState;

/* Whether the tables in the file are those our @user_version should have. */
static int
inspect_schema (sqlite3     *db,
                gint64       user_version,
                SchemaState *state)
{
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GHashTable) tables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint n_objects = 0;
  int rc;

  rc = sqlite3_prepare_v2 (db, "SELECT type, name FROM sqlite_schema "
                               "WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *type = (const char *) sqlite3_column_text (stmt, 0);
      const char *name = (const char *) sqlite3_column_text (stmt, 1);

      n_objects++;
      if (g_strcmp0 (type, "table") == 0 && name != NULL)
        g_hash_table_add (tables, g_strdup (name));
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    return rc;

  *state = SCHEMA_OURS;

  /* A brand-new file has no objects; one with tables but no version of ours
   * belongs to something else. */
  if (user_version == 0)
    {
      if (n_objects > 0)
        *state = SCHEMA_FOREIGN;
      return SQLITE_OK;
    }

  /* A newer version's tables are its business (open fails with TOO_NEW). */
  if (user_version < 0 || user_version > CN_DATABASE_SCHEMA_VERSION)
    return SQLITE_OK;

  for (guint i = 0; i < G_N_ELEMENTS (expected_tables[0]); i++)
    {
      const char *name = expected_tables[user_version][i];

      if (name != NULL && !g_hash_table_contains (tables, name))
        *state = SCHEMA_FOREIGN;
    }

  return SQLITE_OK;
}

static gboolean
migrate (CnDatabase  *self,
         guint        version,
         GError     **error)
{
  for (guint step = 1; step <= version; step++)
    {
      gint64 current = 0;
      g_autofree char *bump = NULL;
      char *message = NULL;
      int rc;

      if (!cn_db_begin_write (&self->writer, OP_OPEN, error))
        return FALSE;

      /* Another process may have migrated while we waited for the lock. */
      rc = probe_int (self->writer.db, "PRAGMA user_version", &current);
      if (rc != SQLITE_OK)
        {
          cn_db_set_sqlite_error (error, self->writer.db, rc, OP_OPEN, self->path);
          cn_db_rollback (&self->writer);
          return FALSE;
        }

      if (current > CN_DATABASE_SCHEMA_VERSION)
        {
          cn_db_rollback (&self->writer);
          g_set_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_TOO_NEW,
                       _("The call log database “%s” was written by a newer version of "
                         "Callnotes; update Callnotes to use it."), self->path);
          return FALSE;
        }

      if (current >= step)
        {
          if (!cn_db_commit (&self->writer, OP_OPEN, error))
            {
              cn_db_rollback (&self->writer);
              return FALSE;
            }
          continue;
        }

      g_debug ("Migrating %s to version %u", self->path, step);

      bump = g_strdup_printf ("PRAGMA user_version = %u", step);
      rc = sqlite3_exec (self->writer.db, migrations[step - 1], NULL, NULL, &message);
      if (rc == SQLITE_OK)
        rc = sqlite3_exec (self->writer.db, bump, NULL, NULL, &message);
      if (rc == SQLITE_OK)
        rc = sqlite3_exec (self->writer.db, "COMMIT", NULL, NULL, &message);

      if (rc != SQLITE_OK)
        {
          g_warning ("Migration to version %u failed: %s", step, message);
          cn_db_set_sqlite_error (error, self->writer.db, rc, OP_OPEN, self->path);
          sqlite3_free (message);
          cn_db_rollback (&self->writer);
          return FALSE;
        }
    }

  return TRUE;
}

/* Steps "PRAGMA journal_mode = WAL" until it answers. Changing the mode
 * upgrades the statement's read transaction to a write one, and SQLite
 * returns SQLITE_BUSY at once there instead of calling the busy handler
 * (waiting with a read lock held could deadlock). So retry, with the read
 * lock dropped in between, for as long as the busy timeout. Returns the
 * statement positioned on its row, or NULL with the SQLite code in @rc_out. */
static sqlite3_stmt *
step_journal_mode_wal (sqlite3 *db,
                       int     *rc_out)
{
  gint64 deadline = g_get_monotonic_time () + BUSY_TIMEOUT_MS * G_GINT64_CONSTANT (1000);
  gulong delay_us = 500;

  for (;;)
    {
      sqlite3_stmt *stmt = NULL;
      int rc = sqlite3_prepare_v2 (db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL);

      if (rc == SQLITE_OK)
        rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        return stmt;

      if ((rc & 0xff) != SQLITE_BUSY || g_get_monotonic_time () >= deadline)
        {
          /* Finalising leaves the message on the connection for the caller. */
          *rc_out = rc;
          sqlite3_finalize (stmt);
          return NULL;
        }

      sqlite3_finalize (stmt);
      g_usleep (delay_us);
      delay_us = MIN (delay_us * 2, 20 * 1000);
    }
}

static gboolean
set_pragmas (CnDatabase  *self,
             GError     **error)
{
  sqlite3_stmt *stmt;
  const char *mode;
  gboolean is_wal;
  int rc = SQLITE_OK;

  stmt = step_journal_mode_wal (self->writer.db, &rc);
  if (stmt == NULL)
    {
      cn_db_set_sqlite_error (error, self->writer.db, rc, OP_OPEN, self->path);
      return FALSE;
    }

  mode = (const char *) sqlite3_column_text (stmt, 0);
  is_wal = g_strcmp0 (mode, "wal") == 0;
  sqlite3_finalize (stmt);

  if (!is_wal)
    {
      g_set_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_OPEN,
                   _("The call log database “%s” cannot use write-ahead logging."),
                   self->path);
      return FALSE;
    }

  /* FULL: a commit is on disk when it returns (also for the WAL). Foreign
   * keys make the events follow their log. The journal is cut back to 4 MiB
   * after checkpoints. The cache is cut down after migrating. */
  rc = sqlite3_exec (self->writer.db,
                     "PRAGMA synchronous = FULL;"
                     "PRAGMA foreign_keys = ON;"
                     "PRAGMA journal_size_limit = 4194304;"
                     "PRAGMA cache_size = -" G_STRINGIFY (MIGRATION_CACHE_KIB) ";",
                     NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      cn_db_set_sqlite_error (error, self->writer.db, rc, OP_OPEN, self->path);
      return FALSE;
    }

  return TRUE;
}

/* Opens the reader, once the writer has made the file ours and migrated it.
 * Only the page cache matters to it among the writer's pragmas. */
static gboolean
open_reader (CnDatabase  *self,
             GError     **error)
{
  gint64 user_version = 0;
  int rc;

  rc = sqlite3_open_v2 (self->path, &self->reader.db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                        NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_extended_result_codes (self->reader.db, 1);
      sqlite3_busy_timeout (self->reader.db, READER_BUSY_TIMEOUT_MS);
      rc = sqlite3_exec (self->reader.db,
                         "PRAGMA cache_size = -" G_STRINGIFY (READER_CACHE_KIB) ";",
                         NULL, NULL, NULL);
    }
  /* A first read, so a reader that cannot read fails the open. */
  if (rc == SQLITE_OK)
    rc = probe_int (self->reader.db, "PRAGMA user_version", &user_version);
  if (rc != SQLITE_OK)
    {
      cn_db_set_sqlite_error (error, self->reader.db, rc, OP_OPEN, self->path);
      return FALSE;
    }

  return TRUE;
}

static CnDatabase *
open_database (const char  *path,
               guint        version,
               gboolean     read_only,
               gboolean     may_move_aside,
               GError     **error)
{
  g_autoptr(CnDatabase) self = NULL;
  g_autofree char *reason = NULL;
  FileState file_state = FILE_FRESH;
  SchemaState schema_state = SCHEMA_OURS;
  gint64 user_version = 0;
  int flags;
  int rc;

  if (!inspect_file (path, &file_state, &reason, error))
    return NULL;

  if (file_state == FILE_FRESH && !read_only && !create_private_file (path, error))
    return NULL;

  self = g_object_new (CN_TYPE_DATABASE, NULL);
  self->path = g_strdup (path);

  if (file_state == FILE_SQLITE)
    {
      flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX;
    }
  else if (file_state == FILE_FRESH)
    {
      flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
              SQLITE_OPEN_NOMUTEX;
    }
  else
    {
      goto damaged;
    }

  rc = sqlite3_open_v2 (path, &self->writer.db, flags, NULL);
  if (rc != SQLITE_OK)
    {
      cn_db_set_sqlite_error (error, self->writer.db, rc, OP_OPEN, path);
      return NULL;
    }

  sqlite3_extended_result_codes (self->writer.db, 1);
  sqlite3_busy_timeout (self->writer.db, BUSY_TIMEOUT_MS);
  /* Until the file is known to be ours, closing must not checkpoint a WAL
   * into it: that would change a file we promised to leave alone. */
  sqlite3_db_config (self->writer.db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);

  /* One read transaction, so the version and the tables are from the same
   * moment: another process may be migrating this very file (a version-0
   * file with tables would otherwise look foreign for an instant). */
  rc = sqlite3_exec (self->writer.db, "BEGIN", NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = probe_int (self->writer.db, "PRAGMA user_version", &user_version);
  if (rc == SQLITE_OK)
    rc = inspect_schema (self->writer.db, user_version, &schema_state);
  if (!sqlite3_get_autocommit (self->writer.db))
    sqlite3_exec (self->writer.db, "COMMIT", NULL, NULL, NULL);

  if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)
    {
      reason = g_strdup (sqlite3_errmsg (self->writer.db));
      goto damaged;
    }
  if (rc != SQLITE_OK)
    {
      cn_db_set_sqlite_error (error, self->writer.db, rc, OP_OPEN, path);
      return NULL;
    }

  if (user_version > CN_DATABASE_SCHEMA_VERSION || user_version < 0)
    {
      g_set_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_TOO_NEW,
                   _("The call log database “%s” was written by a newer version of "
                     "Callnotes; update Callnotes to use it."), path);
      return NULL;
    }

  if (schema_state == SCHEMA_FOREIGN)
    {
      reason = g_strdup_printf ("not a Callnotes database (user_version %" G_GINT64_FORMAT
                                " without its tables)", user_version);
      goto damaged;
    }

  sqlite3_db_config (self->writer.db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);

  if (sqlite3_db_readonly (self->writer.db, "main") == 1)
    {
      g_set_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_READ_ONLY,
                   _("The call log database “%s” cannot be written: the file or its folder "
                     "is read-only."), path);
      return NULL;
    }

  if (!set_pragmas (self, error))
    return NULL;

  if (!migrate (self, MIN (version, CN_DATABASE_SCHEMA_VERSION), error))
    return NULL;

  rc = sqlite3_exec (self->writer.db, "PRAGMA cache_size = -" G_STRINGIFY (WRITER_CACHE_KIB) ";",
                     NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      cn_db_set_sqlite_error (error, self->writer.db, rc, OP_OPEN, path);
      return NULL;
    }

  if (!open_reader (self, error))
    return NULL;

  /* Logs a crash left between their save and its catch-up (what it does
   * is this version's: an older file opened for a test is left alone). */
  if (version == CN_DATABASE_SCHEMA_VERSION)
    {
      g_autoptr(GError) local_error = NULL;

      if (!cn_database_catch_up (self, &local_error))
        g_message ("Indexing and queueing saved logs failed, done later: %s",
                   local_error->message);
    }

  return g_steal_pointer (&self);

damaged:
  {
    g_autofree char *moved_to = NULL;
    CnDatabase *fresh;

    if (self->writer.db != NULL)
      {
        sqlite3_close (self->writer.db);
        self->writer.db = NULL;
      }

    if (!may_move_aside || read_only)
      {
        g_set_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_CORRUPT,
                     _("The call log database “%s” is damaged or is not a Callnotes "
                       "database (%s)."), path, reason);
        return NULL;
      }

    if (!move_aside (path, &moved_to, error))
      return NULL;

    /* Not a warning: the app tells the person (cn_database_get_moved_aside_path). */
    g_message ("The call log database %s was damaged or foreign (%s); moved it to %s and "
               "started a new one", path, reason, moved_to);

    fresh = open_database (path, version, read_only, FALSE, error);
    if (fresh != NULL)
      fresh->moved_aside_path = g_steal_pointer (&moved_to);
    return fresh;
  }
}

/* Takes the lock that serialises opening @path between processes, waiting
 * up to OPEN_LOCK_TIMEOUT_MS. An flock() on a file of its own: SQLite's
 * locks on the database cannot cover this, as the file may not exist yet,
 * may be replaced by a fresh one, and is judged before SQLite touches it.
 * flock() locks belong to the open file, so threads of one process exclude
 * each other too, and the lock goes away with a process that dies.
 * @fd_out gets the descriptor to give to unlock_open(), or -1 when the lock
 * cannot be had at all; opening then goes on without it. That is a folder
 * we cannot write (nothing can be created or moved aside there anyway) or a
 * file system without flock() (SQLite's own locks still keep the data
 * safe; only the wait is lost). */
static gboolean
lock_open (const char  *path,
           int         *fd_out,
           GError     **error)
{
  g_autofree char *lock_path = g_strconcat (path, ".lock", NULL);
  gint64 deadline = 0;
  gulong delay_us = 1000;
  int fd;

  *fd_out = -1;

  fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 && (errno == EACCES || errno == EPERM || errno == EROFS))
    fd = g_open (lock_path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved_errno = errno;

      if (saved_errno == EACCES || saved_errno == EPERM || saved_errno == EROFS ||
          saved_errno == ENOENT)
        {
          g_debug ("Opening %s without the open lock: %s", path, g_strerror (saved_errno));
          return TRUE;
        }
      set_errno_error (error, saved_errno, path, "lock");
      return FALSE;
    }

  while (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved_errno = errno;

      if (saved_errno == EINTR)
        continue;

      if (saved_errno != EWOULDBLOCK)
        {
          g_debug ("Opening %s without the open lock: %s", path, g_strerror (saved_errno));
          close (fd);
          return TRUE;
        }

      if (deadline == 0)
        {
          deadline = g_get_monotonic_time () + OPEN_LOCK_TIMEOUT_MS * G_GINT64_CONSTANT (1000);
        }
      else if (g_get_monotonic_time () >= deadline)
        {
          close (fd);
          g_set_error_literal (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_OPEN,
                               _("The call log database is busy (another Callnotes is writing "
                                 "to it); please try again."));
          return FALSE;
        }

      g_usleep (delay_us);
      delay_us = MIN (delay_us * 2, 20 * 1000);
    }

  *fd_out = fd;
  return TRUE;
}

static void
unlock_open (int fd)
{
  /* Closing the only descriptor of the open file releases its lock. The
   * lock file stays: removing it would let two processes lock two files. */
  if (fd >= 0)
    close (fd);
}

/* The whole of opening, with the folder made and the open lock held. */
static CnDatabase *
open_serialised (const char  *path,
                 guint        version,
                 gboolean     read_only,
                 GError     **error)
{
  CnDatabase *self;
  int lock_fd = -1;

  if (!read_only && !ensure_folder (path, error))
    return NULL;

  if (!lock_open (path, &lock_fd, error))
    return NULL;

  self = open_database (path, version, read_only, TRUE, error);
  unlock_open (lock_fd);

  return self;
}

/* GObject */

static void
statement_free (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
connection_init (Connection *conn,
                 CnDatabase *owner)
{
  g_mutex_init (&conn->mutex);
  conn->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, statement_free);
  conn->owner = owner;
}

static void
connection_clear (Connection *conn)
{
  g_clear_pointer (&conn->statements, g_hash_table_unref);
  if (conn->db != NULL)
    {
      int rc = sqlite3_close (conn->db);

      if (rc != SQLITE_OK)
        g_warning ("Closing %s failed: %s", conn->owner->path, sqlite3_errstr (rc));
      conn->db = NULL;
    }
  g_mutex_clear (&conn->mutex);
}

static void
cn_database_finalize (GObject *object)
{
  CnDatabase *self = CN_DATABASE (object);

  /* The reader first: the writer, closing last, checkpoints the WAL into
   * the file and removes it. */
  connection_clear (&self->reader);
  connection_clear (&self->writer);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->moved_aside_path, g_free);
  g_clear_pointer (&self->holds, g_hash_table_unref);
  g_mutex_clear (&self->holds_mutex);

  G_OBJECT_CLASS (cn_database_parent_class)->finalize (object);
}

static void
cn_database_class_init (CnDatabaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cn_database_finalize;
}

static void
cn_database_init (CnDatabase *self)
{
  connection_init (&self->writer, self);
  connection_init (&self->reader, self);
  self->sort_matches_max = SORT_MATCHES_MAX_ROWS;
  g_mutex_init (&self->holds_mutex);
  self->holds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* Public API */

char *
cn_database_get_default_path (void)
{
  const char *dir = g_getenv ("CALLNOTES_DATA_DIR");

  if (dir != NULL && *dir != '\0')
    return g_build_filename (dir, "callnotes.db", NULL);

  return g_build_filename (g_get_user_data_dir (), "callnotes", "callnotes.db", NULL);
}

CnDatabase *
cn_database_open (const char  *path,
                  GError     **error)
{
  g_return_val_if_fail (path != NULL && *path != '\0', NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return open_serialised (path, CN_DATABASE_SCHEMA_VERSION, FALSE, error);
}

CnDatabase *
cn_database_open_full (const char  *path,
                       guint        version,
                       gboolean     read_only,
                       GError     **error)
{
  g_return_val_if_fail (path != NULL && *path != '\0', NULL);
  g_return_val_if_fail (version <= CN_DATABASE_SCHEMA_VERSION, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return open_serialised (path, version, read_only, error);
}

void
cn_database_set_sort_matches_max (CnDatabase *self,
                                  guint       n_rows)
{
  g_return_if_fail (CN_IS_DATABASE (self));

  self->sort_matches_max = n_rows;
}

sqlite3 *
cn_database_get_handle (CnDatabase *self)
{
  g_return_val_if_fail (CN_IS_DATABASE (self), NULL);

  return self->writer.db;
}

sqlite3 *
cn_database_get_read_handle (CnDatabase *self)
{
  g_return_val_if_fail (CN_IS_DATABASE (self), NULL);

  return self->reader.db;
}

const char *
cn_database_get_path (CnDatabase *self)
{
  g_return_val_if_fail (CN_IS_DATABASE (self), NULL);

  return self->path;
}

const char *
cn_database_get_moved_aside_path (CnDatabase *self)
{
  g_return_val_if_fail (CN_IS_DATABASE (self), NULL);

  return self->moved_aside_path;
}

gint64
cn_database_get_data_version (CnDatabase *self)
{
  g_autoptr(GMutexLocker) locker = NULL;
  sqlite3_stmt *stmt;
  gint64 value = -1;
  Connection *conn;

  g_return_val_if_fail (CN_IS_DATABASE (self), -1);

  conn = &self->reader;
  locker = g_mutex_locker_new (&conn->mutex);
  stmt = cn_db_get_statement (conn, "PRAGMA data_version", OP_READ, NULL);
  if (stmt == NULL || !cn_db_query_int (conn, stmt, OP_READ, &value, NULL))
    return -1;

  return value;
}

CnCallEvent *
cn_call_event_new (const char *kind,
                   gint64      at,
                   const char *detail)
{
  CnCallEvent *event;

  g_return_val_if_fail (kind != NULL, NULL);

  event = g_new0 (CnCallEvent, 1);
  event->kind = g_strdup (kind);
  event->at = at;
  event->detail = g_strdup (detail);

  return event;
}

void
cn_call_event_free (CnCallEvent *event)
{
  if (event == NULL)
    return;

  g_free (event->kind);
  g_free (event->detail);
  g_free (event);
}

static gboolean
validate_log (CnCallLog  *log,
              GError    **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!cn_call_log_validate (log, &local_error))
    {
      g_set_error_literal (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_INVALID,
                           local_error->message);
      return FALSE;
    }

  return TRUE;
}

static gboolean
validate_events (const CnCallEvent  *events,
                 guint               n_events,
                 GError            **error)
{
  for (guint i = 0; i < n_events; i++)
    {
      const CnCallEvent *event = &events[i];

      if (event->kind == NULL || *event->kind == '\0' ||
          !cn_db_text_ok (event->kind, CN_CALL_LOG_MAX_FIELD) ||
          !cn_db_text_ok (event->detail, MAX_EVENT_DETAIL))
        {
          g_set_error_literal (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_INVALID,
                               _("A call event has no kind, or its text is too long or not "
                                 "valid UTF-8."));
          return FALSE;
        }
    }

  return TRUE;
}

/* Inside an open write transaction: the log's row, with the sync targets it
 * is to be queued for (by the catch-up). Sets created_at and updated_at on
 * @log when they are unset. */
gboolean
cn_db_insert_log_row (CnDatabase    *self,
                      CnCallLog     *log,
                      CnSyncTarget   targets,
                      gint64        *call_id,
                      GError       **error)
{
  Connection *conn = &self->writer;
  sqlite3_stmt *stmt;
  gint64 created_at = cn_call_log_get_created_at (log);

  if (created_at <= 0)
    {
      created_at = cn_db_now_seconds ();
      cn_call_log_set_created_at (log, created_at);
    }
  if (cn_call_log_get_updated_at (log) <= 0)
    cn_call_log_set_updated_at (log, MAX (created_at, cn_db_now_seconds ()));

  /* Above the catch-up's mark even when the newest logs were purged (a
   * rowid would be reused). */
  stmt = cn_db_get_statement (conn,
                              "INSERT INTO call_logs (id, uuid, contact_id, contact_name, phone,"
                              " phone_raw, extension, direction, outcome, duration_seconds, notes,"
                              " follow_up_at, created_at, updated_at, revision, deleted,"
                              " sync_targets) "
                              "VALUES ((SELECT max((SELECT coalesce(max(id), 0) FROM call_logs),"
                              "  indexed_upto) + 1 FROM call_log_tail),"
                              " :uuid, :contact_id, :contact_name, :phone, :phone_raw,"
                              " :extension, :direction, :outcome, :duration, :notes, :follow_up,"
                              " :created_at, :updated_at, 1, 0, :sync_targets)",
                              OP_SAVE_CALL, error);
  if (stmt == NULL)
    return FALSE;

  bind_log_fields (stmt, log);
  cn_db_bind_named_text (stmt, ":uuid", cn_call_log_get_uuid (log));
  cn_db_bind_named_int64 (stmt, ":updated_at", cn_call_log_get_updated_at (log));
  cn_db_bind_named_int64 (stmt, ":sync_targets", targets & CN_SYNC_TARGETS_ALL);
  if (!cn_db_run_statement (conn, stmt, OP_SAVE_CALL, error))
    return FALSE;

  *call_id = sqlite3_last_insert_rowid (conn->db);
  return TRUE;
}

/* The catch-up's mark and the newest log's id. */
static gboolean
tail_bounds (CnDatabase  *self,
             gint64      *upto,
             gint64      *last,
             GError     **error)
{
  Connection *conn = &self->writer;
  sqlite3_stmt *stmt;

  stmt = cn_db_get_statement (conn,
                              "SELECT indexed_upto, (SELECT coalesce(max(id), 0) FROM call_logs)"
                              " FROM call_log_tail",
                              OP_SAVE_CALL, error);
  if (stmt == NULL)
    return FALSE;
  if (!cn_db_step_row (conn, stmt, OP_SAVE_CALL, NULL, error))
    return FALSE;
  *upto = sqlite3_column_int64 (stmt, 0);
  *last = sqlite3_column_int64 (stmt, 1);
  cn_db_finish_statement (stmt);
  return TRUE;
}

/* Inside an open write transaction: indexes, queues and counts the logs of
 * the tail and removes their drafts (see migration_7 and migration_8).
 * Cheap when there is none. */
gboolean
cn_db_catch_up_txn (CnDatabase  *self,
                    GError     **error)
{
  Connection *conn = &self->writer;
  g_autoptr(GPtrArray) logs = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GArray) targets = NULL;
  sqlite3_stmt *stmt;
  gint64 upto;
  gint64 last;
  int rc;

  if (!tail_bounds (self, &upto, &last, error))
    return FALSE;

  if (last <= upto)
    return TRUE;

  /* NOT INDEXED: the tail by rowid; the planner would walk every live
   * log in call_logs_newest for "deleted = 0". */
  if (!cn_db_run_with_ints (conn,
                            "INSERT INTO call_fts (rowid, " FTS_COLUMNS ")"
                            " SELECT id, " FTS_COLUMNS " FROM call_logs NOT INDEXED"
                            " WHERE id > ?1 AND id <= ?2 AND deleted = 0",
                            upto, last, OP_SAVE_CALL, error))
    return FALSE;

  /* The jobs, as the save transaction used to queue them, at the log's
   * revision now (an edit may have come first); a log deleted already is
   * queued all the same, as one deleted after its catch-up is. */
  stmt = cn_db_get_statement (conn,
                              "SELECT " LOG_COLUMNS ", sync_targets FROM call_logs"
                              " WHERE id > ?1 AND id <= ?2 AND sync_targets <> 0",
                              OP_SAVE_CALL, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, upto);
  sqlite3_bind_int64 (stmt, 2, last);
  logs = g_ptr_array_new_with_free_func (g_object_unref);
  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  targets = g_array_new (FALSE, FALSE, sizeof (CnSyncTarget));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CnRowKey key;
      CnSyncTarget row_targets = sqlite3_column_int (stmt, LOG_N_COLUMNS);

      g_ptr_array_add (logs, cn_db_log_from_row (stmt, &key));
      g_array_append_val (ids, key.id);
      g_array_append_val (targets, row_targets);
    }
  if (!cn_db_finish_rows (conn, stmt, rc, OP_SAVE_CALL, error))
    return FALSE;

  for (guint i = 0; i < logs->len; i++)
    if (!cn_outbox_enqueue_locked (self, g_array_index (ids, gint64, i), logs->pdata[i],
                                   g_array_index (targets, CnSyncTarget, i),
                                   cn_db_now_seconds (), error))
      return FALSE;

  /* The tail's live logs counted as they are now (migration_8). */
  if (!cn_db_run_with_ints (conn,
                            "UPDATE call_log_counts SET live = live + tail.n"
                            " FROM (SELECT outcome, count(*) AS n FROM call_logs NOT INDEXED"
                            "       WHERE id > ?1 AND id <= ?2 AND deleted = 0"
                            "       GROUP BY outcome) AS tail"
                            " WHERE call_log_counts.outcome = tail.outcome",
                            upto, last, OP_SAVE_CALL, error))
    return FALSE;

  /* The drafts the new logs were typed in; an edit's draft of a tail log
   * (editing = 1) is the editor's, still open. */
  if (!cn_db_run_with_ints (conn,
                            "DELETE FROM drafts WHERE editing = 0 AND uuid IN"
                            " (SELECT uuid FROM call_logs NOT INDEXED WHERE id > ?1 AND id <= ?2)",
                            upto, last, OP_SAVE_CALL, error))
    return FALSE;

  stmt = cn_db_get_statement (conn, "UPDATE call_log_tail SET indexed_upto = ?1", OP_SAVE_CALL,
                              error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, last);
  return cn_db_run_statement (conn, stmt, OP_SAVE_CALL, error);
}

gboolean
cn_database_catch_up (CnDatabase  *self,
                      GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  Connection *conn;
  gint64 upto;
  gint64 last;

  g_return_val_if_fail (CN_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  conn = &self->writer;
  locker = g_mutex_locker_new (&conn->mutex);

  /* Nothing to do is the common case: no write lock for it. */
  if (!tail_bounds (self, &upto, &last, error))
    return FALSE;
  if (last <= upto)
    return TRUE;

  if (!cn_db_begin_write (conn, OP_SAVE_CALL, error))
    return FALSE;
  if (!cn_db_catch_up_txn (self, error) || !cn_db_commit (conn, OP_SAVE_CALL, error))
    {
      cn_db_rollback (conn);
      return FALSE;
    }
  return TRUE;
}

gboolean
cn_database_insert_call_deferred (CnDatabase         *self,
                                  CnCallLog          *log,
                                  const CnCallEvent  *events,
                                  guint               n_events,
                                  GError            **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(CnCallLog) saved = NULL;
  gint64 call_id;
  Connection *conn;

  g_return_val_if_fail (CN_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (CN_IS_CALL_LOG (log), FALSE);
  g_return_val_if_fail (events != NULL || n_events == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!validate_log (log, error) || !validate_events (events, n_events, error))
    return FALSE;

  /* @log changes only once the commit succeeded. */
  saved = cn_call_log_copy (log);
  cn_call_log_set_revision (saved, 1);
  cn_call_log_set_deleted (saved, FALSE);

  conn = &self->writer;
  locker = g_mutex_locker_new (&conn->mutex);

  if (!cn_db_begin_write (conn, OP_SAVE_CALL, error))
    return FALSE;

  if (!cn_db_insert_log_row (self, saved, cn_database_get_sync_targets (self), &call_id, error))
    goto fail;

  for (guint i = 0; i < n_events; i++)
    if (!cn_db_insert_event (conn, call_id, events[i].kind, events[i].at, events[i].detail,
                             OP_SAVE_CALL, error))
      goto fail;

  if (!cn_db_insert_event (conn, call_id, "logged", cn_call_log_get_updated_at (saved), NULL,
                           OP_SAVE_CALL, error) ||
      !cn_follow_ups_logged_locked (self, call_id, saved, cn_call_log_get_updated_at (saved),
                                    error) ||
      !cn_db_commit (conn, OP_SAVE_CALL, error))
    goto fail;

  cn_call_log_set_created_at (log, cn_call_log_get_created_at (saved));
  cn_call_log_set_updated_at (log, cn_call_log_get_updated_at (saved));
  cn_call_log_set_revision (log, 1);
  cn_call_log_set_deleted (log, FALSE);

  return TRUE;

fail:
  cn_db_rollback (conn);
  return FALSE;
}

/* The log is saved once the first commit succeeded; a catch-up that fails
 * after it (a full disk, say) is done again by the next one. */
static void
catch_up_after_save (CnDatabase *self)
{
  g_autoptr(GError) error = NULL;

  if (!cn_database_catch_up (self, &error))
    g_message ("Indexing and queueing the new log failed, done later: %s", error->message);
}

gboolean
cn_database_insert_call (CnDatabase         *self,
                         CnCallLog          *log,
                         const CnCallEvent  *events,
                         guint               n_events,
                         GError            **error)
{
  if (!cn_database_insert_call_deferred (self, log, events, n_events, error))
    return FALSE;

  catch_up_after_save (self);
  return TRUE;
}

gboolean
cn_database_update_call (CnDatabase  *self,
                         CnCallLog   *log,
                         GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  sqlite3_stmt *stmt;
  const char *uuid;
  gint64 revision = 0;
  gint64 updated_at = 0;
  gint64 call_id = 0;
  int rc;
  Connection *conn;

  g_return_val_if_fail (CN_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (CN_IS_CALL_LOG (log), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!validate_log (log, error))
    return FALSE;

  uuid = cn_call_log_get_uuid (log);
  conn = &self->writer;
  locker = g_mutex_locker_new (&conn->mutex);

  /* updated_at moves forward even when two edits fall in the same second or
   * the clock went back, so it orders revisions. */
  stmt = cn_db_get_statement (conn,
                        "UPDATE call_logs SET contact_id = :contact_id,"
                        " contact_name = :contact_name, phone = :phone, phone_raw = :phone_raw,"
                        " extension = :extension, direction = :direction, outcome = :outcome,"
                        " duration_seconds = :duration, notes = :notes,"
                        " follow_up_at = :follow_up, created_at = :created_at,"
                        " revision = revision + 1, updated_at = max(:now, updated_at + 1) "
                        "WHERE uuid = :uuid RETURNING revision, updated_at, id", OP_SAVE_CALL,
                        error);
  if (stmt == NULL)
    return FALSE;

  if (!cn_db_begin_write (conn, OP_SAVE_CALL, error))
    return FALSE;

  bind_log_fields (stmt, log);
  cn_db_bind_named_text (stmt, ":uuid", uuid);
  cn_db_bind_named_int64 (stmt, ":now", cn_db_now_seconds ());

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      revision = sqlite3_column_int64 (stmt, 0);
      updated_at = sqlite3_column_int64 (stmt, 1);
      call_id = sqlite3_column_int64 (stmt, 2);
    }

  if (!cn_db_finish_rows (conn, stmt, rc, OP_SAVE_CALL, error))
    goto fail;

  if (revision == 0)
    {
      g_set_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_NOT_FOUND,
                   _("There is no call log %s."), uuid);
      goto fail;
    }

  if (!cn_db_insert_event (conn, call_id, "edited", updated_at, NULL, OP_SAVE_CALL, error) ||
      !cn_outbox_edited_locked (self, call_id, log, (gint) revision, updated_at, error) ||
      !delete_draft_locked (conn, uuid, OP_SAVE_CALL, error) ||
      !cn_db_commit (conn, OP_SAVE_CALL, error))
    goto fail;

  g_clear_pointer (&locker, g_mutex_locker_free);

  cn_call_log_set_revision (log, (gint) revision);
  cn_call_log_set_updated_at (log, updated_at);

  return TRUE;

fail:
  cn_db_rollback (conn);
  return FALSE;
}

static gboolean
set_deleted (CnDatabase  *self,
             const char  *uuid,
             gboolean     deleted,
             GError     **error)
{
  Connection *conn = &self->writer;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&conn->mutex);
  sqlite3_stmt *stmt;
  gint64 exists = 0;
  gint64 call_id = 0;

  if (!cn_db_begin_write (conn, OP_CHANGE, error))
    return FALSE;

  stmt = cn_db_get_statement (conn, "UPDATE call_logs SET deleted = ?2 WHERE uuid = ?1 AND deleted <> ?2",
                        OP_CHANGE, error);
  if (stmt == NULL)
    goto fail;

  cn_db_bind_text (stmt, 1, uuid);
  sqlite3_bind_int (stmt, 2, deleted ? 1 : 0);
  if (!cn_db_run_statement (conn, stmt, OP_CHANGE, error))
    goto fail;

  if (sqlite3_changes (conn->db) == 0)
    {
      /* Already in that state is fine; a missing log is not. */
      stmt = cn_db_get_statement (conn, "SELECT count(*) FROM call_logs WHERE uuid = ?1", OP_CHANGE,
                            error);
      if (stmt == NULL)
        goto fail;
      cn_db_bind_text (stmt, 1, uuid);
      if (!cn_db_query_int (conn, stmt, OP_CHANGE, &exists, error))
        goto fail;

      cn_db_rollback (conn);
      if (exists == 0)
        {
          g_set_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_NOT_FOUND,
                       _("There is no call log %s."), uuid);
          return FALSE;
        }
      return TRUE;
    }

  stmt = cn_db_get_statement (conn, "SELECT id FROM call_logs WHERE uuid = ?1", OP_CHANGE, error);
  if (stmt == NULL)
    goto fail;
  cn_db_bind_text (stmt, 1, uuid);
  if (!cn_db_query_int (conn, stmt, OP_CHANGE, &call_id, error) ||
      !cn_db_insert_event (conn, call_id, deleted ? "deleted" : "restored", cn_db_now_seconds (), NULL,
                     OP_CHANGE, error) ||
      !cn_db_commit (conn, OP_CHANGE, error))
    goto fail;

  return TRUE;

fail:
  cn_db_rollback (conn);
  return FALSE;
}

gboolean
cn_database_delete_call (CnDatabase  *self,
                         const char  *uuid,
                         GError     **error)
{
  g_return_val_if_fail (CN_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (uuid != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return set_deleted (self, uuid, TRUE, error);
}

gboolean
cn_database_restore_call (CnDatabase  *self,
                          const char  *uuid,
                          GError     **error)
{
  g_return_val_if_fail (CN_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (uuid != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return set_deleted (self, uuid, FALSE, error);
}

/* One log of a bulk delete or restore, inside the open write transaction:
 * *changed says whether it was in the other state (a missing log is not
 * an error here). */
static gboolean
set_deleted_locked (Connection  *conn,
                    const char  *uuid,
                    gboolean     deleted,
                    gint64       now,
                    gboolean    *changed,
                    GError     **error)
{
  sqlite3_stmt *stmt;
  gint64 call_id;
  gboolean found;

  *changed = FALSE;
  stmt = cn_db_get_statement (conn, "SELECT id, deleted FROM call_logs WHERE uuid = ?1",
                              OP_CHANGE, error);
  if (stmt == NULL)
    return FALSE;
  cn_db_bind_text (stmt, 1, uuid);
  if (!cn_db_step_row (conn, stmt, OP_CHANGE, &found, error))
    return FALSE;
  if (!found)
    return TRUE;
  call_id = sqlite3_column_int64 (stmt, 0);
  if ((sqlite3_column_int (stmt, 1) != 0) == deleted)
    {
      cn_db_finish_statement (stmt);
      return TRUE;
    }
  cn_db_finish_statement (stmt);

  stmt = cn_db_get_statement (conn, "UPDATE call_logs SET deleted = ?2 WHERE id = ?1", OP_CHANGE,
                              error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, call_id);
  sqlite3_bind_int (stmt, 2, deleted ? 1 : 0);
  if (!cn_db_run_statement (conn, stmt, OP_CHANGE, error) ||
      !cn_db_insert_event (conn, call_id, deleted ? "deleted" : "restored", now, NULL, OP_CHANGE,
                           error))
    return FALSE;

  *changed = TRUE;
  return TRUE;
}

gboolean
cn_database_delete_calls (CnDatabase          *self,
                          const char * const  *uuids,
                          gboolean             restore,
                          guint               *n_changed,
                          GError             **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  Connection *conn;
  gint64 now = cn_db_now_seconds ();
  guint n_uuids;
  guint changed = 0;

  g_return_val_if_fail (CN_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (uuids != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_changed != NULL)
    *n_changed = 0;

  n_uuids = g_strv_length ((char **) uuids);
  if (n_uuids > CN_DATABASE_MAX_BULK_CALLS)
    {
      g_set_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_INVALID,
                   _("At most %u calls can be deleted at once."), CN_DATABASE_MAX_BULK_CALLS);
      return FALSE;
    }
  if (n_uuids == 0)
    return TRUE;

  conn = &self->writer;
  locker = g_mutex_locker_new (&conn->mutex);
  if (!cn_db_begin_write (conn, OP_CHANGE, error))
    return FALSE;

  for (guint i = 0; i < n_uuids; i++)
    {
      gboolean one = FALSE;

      if (!set_deleted_locked (conn, uuids[i], !restore, now, &one, error))
        {
          cn_db_rollback (conn);
          return FALSE;
        }
      changed += one ? 1 : 0;
    }

  if (changed == 0)
    cn_db_rollback (conn);   /* nothing written */
  else if (!cn_db_commit (conn, OP_CHANGE, error))
    {
      cn_db_rollback (conn);
      return FALSE;
    }

  if (n_changed != NULL)
    *n_changed = changed;
  return TRUE;
}

gint
cn_database_count_synced (CnDatabase          *self,
                          const char * const  *uuids,
                          GError             **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  Connection *conn;
  sqlite3_stmt *stmt;
  gint synced = 0;

  g_return_val_if_fail (CN_IS_DATABASE (self), -1);
  g_return_val_if_fail (uuids != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  conn = &self->reader;
  locker = g_mutex_locker_new (&conn->mutex);
  /* One snapshot for all of them. */
  if (!cn_db_begin_read (conn, error))
    return -1;

  stmt = cn_db_get_statement (conn,
                              "SELECT count(*) FROM call_logs WHERE uuid = ?1 AND"
                              " (backend_id IS NOT NULL OR ontraport_note_id IS NOT NULL OR"
                              "  ontraport_task_id IS NOT NULL)",
                              OP_READ, error);
  for (guint i = 0; stmt != NULL && uuids[i] != NULL; i++)
    {
      gint64 one = 0;

      cn_db_bind_text (stmt, 1, uuids[i]);
      if (!cn_db_query_int (conn, stmt, OP_READ, &one, error))
        {
          stmt = NULL;
          break;
        }
      synced += one > 0 ? 1 : 0;
    }

  cn_db_rollback (conn);
  return stmt != NULL ? synced : -1;
}

CnCallLog *
cn_database_get_call (CnDatabase  *self,
                      const char  *uuid,
                      GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  sqlite3_stmt *stmt;
  CnCallLog *log = NULL;
  int rc;
  Connection *conn;

  g_return_val_if_fail (CN_IS_DATABASE (self), NULL);
  g_return_val_if_fail (uuid != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  conn = &self->reader;
  locker = g_mutex_locker_new (&conn->mutex);
  stmt = cn_db_get_statement (conn, "SELECT " LOG_COLUMNS " FROM call_logs WHERE uuid = ?1",
                        OP_READ, error);
  if (stmt == NULL)
    return NULL;

  cn_db_bind_text (stmt, 1, uuid);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    log = cn_db_log_from_row (stmt, NULL);
  else if (rc == SQLITE_DONE)
    g_set_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_NOT_FOUND,
                 _("There is no call log %s."), uuid);
  else
    cn_db_set_sqlite_error (error, conn->db, rc, OP_READ, self->path);
  cn_db_finish_statement (stmt);

  return log;
}

char *
cn_database_resolve_uuid (CnDatabase  *self,
                          const char  *prefix,
                          GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *lower = NULL;
  g_autofree char *pattern = NULL;
  g_autofree char *found = NULL;
  sqlite3_stmt *stmt;
  guint n_found = 0;
  int rc;
  Connection *conn;

  g_return_val_if_fail (CN_IS_DATABASE (self), NULL);
  g_return_val_if_fail (prefix != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  lower = g_ascii_strdown (prefix, -1);
  if (strlen (lower) < 4 || strlen (lower) > 36 ||
      strspn (lower, "0123456789abcdef-") != strlen (lower))
    {
      g_set_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_INVALID,
                   _("“%s” is not a call log ID: give at least 4 characters of one."), prefix);
      return NULL;
    }

  /* Only hex digits and '-' get here, so the GLOB has no special characters
   * but the final '*', and it can use the UUID index. */
  pattern = g_strconcat (lower, "*", NULL);

  conn = &self->reader;
  locker = g_mutex_locker_new (&conn->mutex);
  stmt = cn_db_get_statement (conn, "SELECT uuid FROM call_logs WHERE uuid GLOB ?1 LIMIT 2",
                        OP_READ, error);
  if (stmt == NULL)
    return NULL;

  cn_db_bind_text (stmt, 1, pattern);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (n_found++ == 0)
        found = g_strdup (cn_db_column_text (stmt, 0));
    }

  if (!cn_db_finish_rows (conn, stmt, rc, OP_READ, error))
    return NULL;

  if (n_found == 0)
    {
      g_set_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_NOT_FOUND,
                   _("There is no call log whose ID starts with “%s”."), prefix);
      return NULL;
    }
  if (n_found > 1)
    {
      g_set_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_INVALID,
                   _("More than one call log ID starts with “%s”; give more characters."),
                   prefix);
      return NULL;
    }

  return g_steal_pointer (&found);
}

GPtrArray *
cn_database_list_events (CnDatabase  *self,
                         const char  *uuid,
                         GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) events = NULL;
  sqlite3_stmt *stmt;
  int rc;
  Connection *conn;

  g_return_val_if_fail (CN_IS_DATABASE (self), NULL);
  g_return_val_if_fail (uuid != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  conn = &self->reader;
  locker = g_mutex_locker_new (&conn->mutex);
  stmt = cn_db_get_statement (conn, "SELECT kind, at, detail FROM call_events WHERE call_id ="
                              " (SELECT id FROM call_logs WHERE uuid = ?1) "
                              "ORDER BY at, seq", OP_READ, error);
  if (stmt == NULL)
    return NULL;

  events = g_ptr_array_new_with_free_func ((GDestroyNotify) cn_call_event_free);
  cn_db_bind_text (stmt, 1, uuid);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (events, cn_call_event_new (cn_db_column_text (stmt, 0) != NULL
                                                ? cn_db_column_text (stmt, 0) : "",
                                                sqlite3_column_int64 (stmt, 1),
                                                cn_db_column_text (stmt, 2)));

  if (!cn_db_finish_rows (conn, stmt, rc, OP_READ, error))
    return NULL;

  return g_steal_pointer (&events);
}

GPtrArray *
cn_database_query_page (CnDatabase         *self,
                        const CnCallQuery  *query,
                        const CnRowKey     *after,
                        const CnRowKey     *before,
                        guint               offset,
                        guint               limit,
                        const CnListCount  *known,
                        GArray            **keys_out,
                        GError            **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) logs = NULL;
  g_autoptr(GArray) keys = NULL;
  g_autofree char *match = NULL;
  CnOutcome outcome = CN_OUTCOME_NONE;
  Connection *conn;

  g_return_val_if_fail (CN_IS_DATABASE (self), NULL);
  g_return_val_if_fail (after == NULL || before == NULL, NULL);
  g_return_val_if_fail (before == NULL || offset == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (query != NULL)
    {
      match = cn_database_build_match (query->search);
      outcome = query->outcome;
    }
  g_return_val_if_fail (outcome >= CN_OUTCOME_NONE && outcome <= CN_OUTCOME_LAST, NULL);

  logs = g_ptr_array_new_with_free_func (g_object_unref);
  if (keys_out != NULL)
    keys = g_array_new (FALSE, FALSE, sizeof (CnRowKey));

  conn = &self->reader;
  locker = g_mutex_locker_new (&conn->mutex);
  if (!query_page_locked (conn, outcome, match, after, before, offset, limit, known, logs, keys,
                          error))
    return NULL;

  if (keys_out != NULL)
    *keys_out = g_steal_pointer (&keys);
  return g_steal_pointer (&logs);
}

GPtrArray *
cn_database_query_calls (CnDatabase         *self,
                         const CnCallQuery  *query,
                         guint               offset,
                         guint               limit,
                         GError            **error)
{
  g_return_val_if_fail (CN_IS_DATABASE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return cn_database_query_page (self, query, NULL, NULL, offset, limit, NULL, NULL, error);
}

guint
cn_database_count_calls (CnDatabase         *self,
                         const CnCallQuery  *query,
                         GError            **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *match = NULL;
  CnOutcome outcome = CN_OUTCOME_NONE;
  gboolean exact = TRUE;
  guint count = 0;
  Connection *conn;

  g_return_val_if_fail (CN_IS_DATABASE (self), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (query != NULL)
    {
      match = cn_database_build_match (query->search);
      outcome = query->outcome;
    }
  g_return_val_if_fail (outcome >= CN_OUTCOME_NONE && outcome <= CN_OUTCOME_LAST, 0);

  conn = &self->reader;
  locker = g_mutex_locker_new (&conn->mutex);
  if (!count_locked (conn, outcome, match, G_MAXUINT, &count, &exact, error))
    return 0;

  return count;
}

static gboolean
probe_list_locked (Connection         *conn,
                   CnOutcome           outcome,
                   const char         *match,
                   guint               count_cap,
                   const CnListCount  *known,
                   const CnRowKey     *old_top,
                   guint               first_rows,
                   CnListProbe        *probe,
                   GError            **error)
{
  CnListCount *counted = &probe->counted;
  sqlite3_stmt *stmt;
  gint64 since_id = known != NULL ? known->last_id : 0;
  /* Counting a search past sort_matches_max tells which plan fits a page. */
  guint cap = match == NULL ? G_MAXUINT : MAX (count_cap, conn->owner->sort_matches_max + 1);

  stmt = cn_db_get_statement (conn, "SELECT value FROM call_log_generation", OP_READ, error);
  if (stmt == NULL || !cn_db_query_int (conn, stmt, OP_READ, &counted->generation, error))
    return FALSE;

  /* A search sees the logs up to the catch-up's mark only: the ones above
   * it count as added once they are indexed. */
  stmt = cn_db_get_statement (conn,
                              match == NULL
                              ? "SELECT coalesce(max(id), 0) FROM call_logs"
                              : "SELECT min(coalesce(max(id), 0),"
                                " (SELECT indexed_upto FROM call_log_tail)) FROM call_logs",
                              OP_READ, error);
  if (stmt == NULL || !cn_db_query_int (conn, stmt, OP_READ, &counted->last_id, error))
    return FALSE;

  /* Every edit and removal moves the generation, every insert the last id:
   * with both where they were, the logs are as @known counted them. */
  if (known != NULL && counted->generation == known->generation &&
      counted->last_id == known->last_id && (known->exact || cap <= known->count))
    {
      probe->unchanged = TRUE;
      return TRUE;
    }

  if (first_rows > 0)
    {
      probe->first_page = g_ptr_array_new_with_free_func (g_object_unref);
      probe->first_keys = g_array_new (FALSE, FALSE, sizeof (CnRowKey));
    }

  if (match == NULL)
    {
      if (!count_locked (conn, outcome, NULL, G_MAXUINT, &counted->count, &counted->exact,
                         error))
        return FALSE;
      if (old_top != NULL &&
          !count_added_locked (conn, outcome, old_top, since_id, &probe->n_added,
                               &probe->n_added_on_top, error))
        return FALSE;
      return first_rows == 0 ||
             select_logs_locked (conn, outcome, NULL, FALSE, KEY_NONE, NULL, FALSE, 0, first_rows,
                                 probe->first_page, probe->first_keys, error);
    }

  counted->match_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (!read_match_ids_locked (conn, outcome, match, cap, counted->match_ids, error))
    return FALSE;

  counted->count = counted->match_ids->len;
  counted->exact = cap == G_MAXUINT || counted->count < cap;

  if (old_top != NULL &&
      !count_added_from_ids_locked (conn, counted, old_top, since_id, &probe->n_added,
                                    &probe->n_added_on_top, error))
    return FALSE;

  return first_rows == 0 ||
         first_page_from_ids_locked (conn, outcome, match, counted, first_rows, probe->first_page,
                                     probe->first_keys, error);
}

gboolean
cn_database_probe_list (CnDatabase         *self,
                        const CnCallQuery  *query,
                        guint               count_cap,
                        const CnListCount  *known,
                        const CnRowKey     *old_top,
                        guint               first_rows,
                        CnListProbe        *probe,
                        GError            **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *match = NULL;
  CnOutcome outcome = CN_OUTCOME_NONE;
  gboolean ok;
  Connection *conn;

  g_return_val_if_fail (CN_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (old_top == NULL || known != NULL, FALSE);
  g_return_val_if_fail (probe != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (query != NULL)
    {
      match = cn_database_build_match (query->search);
      outcome = query->outcome;
    }
  g_return_val_if_fail (outcome >= CN_OUTCOME_NONE && outcome <= CN_OUTCOME_LAST, FALSE);

  memset (probe, 0, sizeof *probe);

  conn = &self->reader;
  locker = g_mutex_locker_new (&conn->mutex);
  if (!cn_db_begin_read (conn, error))
    return FALSE;

  ok = probe_list_locked (conn, outcome, match, count_cap, known, old_top, first_rows, probe,
                          error);
  if (ok)
    ok = cn_db_commit (conn, OP_READ, error);
  if (!ok)
    {
      cn_db_rollback (conn);
      cn_list_probe_clear (probe);
    }

  return ok;
}

void
cn_list_count_clear (CnListCount *counted)
{
  g_clear_pointer (&counted->match_ids, g_array_unref);
}

void
cn_list_probe_clear (CnListProbe *probe)
{
  cn_list_count_clear (&probe->counted);
  g_clear_pointer (&probe->first_page, g_ptr_array_unref);
  g_clear_pointer (&probe->first_keys, g_array_unref);
}

/* Drafts */

CnDraft *
cn_draft_new (CnCallLog *log)
{
  CnDraft *draft;

  g_return_val_if_fail (CN_IS_CALL_LOG (log), NULL);

  draft = g_new0 (CnDraft, 1);
  draft->log = g_object_ref (log);

  return draft;
}

void
cn_draft_free (CnDraft *draft)
{
  if (draft == NULL)
    return;

  g_clear_object (&draft->log);
  g_free (draft->call_sid);
  g_free (draft);
}

static gboolean
check_draft_text (const char  *value,
                  gsize        max_bytes,
                  GError     **error)
{
  if (!cn_db_text_ok (value, max_bytes))
    {
      g_set_error_literal (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_INVALID,
                           _("The draft holds text that is too long or not valid UTF-8."));
      return FALSE;
    }

  return TRUE;
}

gboolean
cn_database_save_draft (CnDatabase     *self,
                        const CnDraft  *draft,
                        GError        **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  sqlite3_stmt *stmt;
  CnCallLog *log;
  Connection *conn;

  g_return_val_if_fail (CN_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (draft != NULL && CN_IS_CALL_LOG (draft->log), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  log = draft->log;
  if (!cn_uuid_is_valid (cn_call_log_get_uuid (log)))
    {
      g_set_error_literal (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_INVALID,
                           _("The call log has no valid identifier."));
      return FALSE;
    }

  if (!check_draft_text (cn_call_log_get_contact_id (log), CN_CALL_LOG_MAX_FIELD, error) ||
      !check_draft_text (cn_call_log_get_contact_name (log), CN_CALL_LOG_MAX_FIELD, error) ||
      !check_draft_text (cn_call_log_get_phone (log), CN_CALL_LOG_MAX_FIELD, error) ||
      !check_draft_text (cn_call_log_get_phone_raw (log), CN_CALL_LOG_MAX_FIELD, error) ||
      !check_draft_text (cn_call_log_get_extension (log), CN_CALL_LOG_MAX_FIELD, error) ||
      !check_draft_text (cn_call_log_get_notes (log), CN_CALL_LOG_MAX_NOTES, error) ||
      !check_draft_text (draft->call_sid, CN_CALL_LOG_MAX_FIELD, error))
    return FALSE;

  conn = &self->writer;
  locker = g_mutex_locker_new (&conn->mutex);
  stmt = cn_db_get_statement (conn,
                        "INSERT OR REPLACE INTO drafts (uuid, contact_id, contact_name, phone,"
                        " phone_raw, extension, direction, outcome, duration_seconds, notes,"
                        " follow_up_at, created_at, updated_at, revision, editing, dialed_at,"
                        " shown_at, follow_up_enabled, saved_at, call_sid) "
                        "VALUES (:uuid, :contact_id, :contact_name, :phone, :phone_raw,"
                        " :extension, :direction, :outcome, :duration, :notes, :follow_up,"
                        " :created_at, :updated_at, :revision, :editing, :dialed_at, :shown_at,"
                        " :follow_up_enabled, :saved_at, :call_sid)", OP_SAVE_DRAFT, error);
  if (stmt == NULL)
    return FALSE;

  bind_log_fields (stmt, log);
  cn_db_bind_named_text (stmt, ":uuid", cn_call_log_get_uuid (log));
  cn_db_bind_named_int64 (stmt, ":updated_at", cn_call_log_get_updated_at (log));
  cn_db_bind_named_int64 (stmt, ":revision", cn_call_log_get_revision (log));
  cn_db_bind_named_int64 (stmt, ":editing", draft->editing ? 1 : 0);
  cn_db_bind_named_int64 (stmt, ":dialed_at", draft->dialed_at);
  cn_db_bind_named_int64 (stmt, ":shown_at", draft->shown_at);
  cn_db_bind_named_int64 (stmt, ":follow_up_enabled", draft->follow_up_enabled ? 1 : 0);
  cn_db_bind_named_int64 (stmt, ":saved_at", cn_db_now_seconds ());
  cn_db_bind_named_text (stmt, ":call_sid", draft->call_sid);

  return cn_db_run_statement (conn, stmt, OP_SAVE_DRAFT, error);
}

GPtrArray *
cn_database_list_drafts (CnDatabase  *self,
                         GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  sqlite3_stmt *stmt;
  int rc;
  Connection *conn;

  g_return_val_if_fail (CN_IS_DATABASE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  conn = &self->reader;
  locker = g_mutex_locker_new (&conn->mutex);
  /* The same column positions as LOG_COLUMNS (0 and 15 unused), then the
   * draft's own fields. */
  stmt = cn_db_get_statement (conn,
                        "SELECT 0, uuid, contact_id, contact_name, phone, phone_raw, extension,"
                        " direction, outcome, duration_seconds, notes, follow_up_at, created_at,"
                        " updated_at, revision, 0, editing, dialed_at, shown_at,"
                        " follow_up_enabled, call_sid "
                        "FROM drafts WHERE editing = 1 OR NOT EXISTS"
                        " (SELECT 1 FROM call_logs WHERE call_logs.uuid = drafts.uuid) "
                        "ORDER BY created_at, saved_at, rowid", OP_READ, error);
  if (stmt == NULL)
    return NULL;

  drafts = g_ptr_array_new_with_free_func ((GDestroyNotify) cn_draft_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(CnCallLog) log = cn_db_log_from_row (stmt, NULL);
      CnDraft *draft = cn_draft_new (log);

      draft->editing = sqlite3_column_int (stmt, 16) != 0;
      draft->dialed_at = sqlite3_column_int64 (stmt, 17);
      draft->shown_at = sqlite3_column_int64 (stmt, 18);
      draft->follow_up_enabled = sqlite3_column_int (stmt, 19) != 0;
      draft->call_sid = g_strdup ((const char *) sqlite3_column_text (stmt, 20));
      g_ptr_array_add (drafts, draft);
    }

  if (!cn_db_finish_rows (conn, stmt, rc, OP_READ, error))
    return NULL;

  return g_steal_pointer (&drafts);
}

gboolean
cn_database_delete_draft (CnDatabase  *self,
                          const char  *uuid,
                          GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  Connection *conn;

  g_return_val_if_fail (CN_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (uuid != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  conn = &self->writer;
  locker = g_mutex_locker_new (&conn->mutex);
  return delete_draft_locked (conn, uuid, OP_SAVE_DRAFT, error);
}

/* ---- writes in a worker ------------------------------------------------- */

typedef enum {
  WRITE_INSERT,
  WRITE_UPDATE,
  WRITE_DELETE,
  WRITE_RESTORE,
  WRITE_SAVE_DRAFT,
  WRITE_DELETE_DRAFT,
  WRITE_DELETE_MANY,
  WRITE_RESTORE_MANY,
} WriteKind;

typedef struct {
  WriteKind  kind;
  CnCallLog *log;       /* insert, update, save draft (inside @draft) */
  GArray    *events;    /* CnCallEvent, insert */
  char      *uuid;      /* delete, restore, delete draft */
  CnDraft   *draft;     /* save draft */
  GStrv      uuids;     /* delete many, restore many */
} Write;

static void
clear_event (gpointer data)
{
  CnCallEvent *event = data;

  g_free (event->kind);
  g_free (event->detail);
}

static void
write_free (Write *write)
{
  g_clear_object (&write->log);
  g_clear_pointer (&write->events, g_array_unref);
  g_free (write->uuid);
  cn_draft_free (write->draft);
  g_strfreev (write->uuids);
  g_free (write);
}

static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CnDatabase *self = source_object;
  Write *write = task_data;
  GError *error = NULL;
  gboolean ok = FALSE;
  guint n_changed = 0;

  switch (write->kind)
    {
    case WRITE_INSERT:
      ok = cn_database_insert_call_deferred (self, write->log,
                                             (const CnCallEvent *) write->events->data,
                                             write->events->len, &error);
      break;
    case WRITE_UPDATE:
      ok = cn_database_update_call (self, write->log, &error);
      break;
    case WRITE_DELETE:
      ok = cn_database_delete_call (self, write->uuid, &error);
      break;
    case WRITE_RESTORE:
      ok = cn_database_restore_call (self, write->uuid, &error);
      break;
    case WRITE_SAVE_DRAFT:
      ok = cn_database_save_draft (self, write->draft, &error);
      break;
    case WRITE_DELETE_DRAFT:
      ok = cn_database_delete_draft (self, write->uuid, &error);
      break;
    case WRITE_DELETE_MANY:
    case WRITE_RESTORE_MANY:
      ok = cn_database_delete_calls (self, (const char * const *) write->uuids,
                                     write->kind == WRITE_RESTORE_MANY, &n_changed, &error);
      break;
    default:
      g_assert_not_reached ();
    }

  if (!ok)
    g_task_return_error (task, error);
  else if (write->kind == WRITE_INSERT || write->kind == WRITE_UPDATE)
    g_task_return_pointer (task, g_object_ref (write->log), g_object_unref);
  else if (write->kind == WRITE_DELETE_MANY || write->kind == WRITE_RESTORE_MANY)
    g_task_return_int (task, n_changed);
  else
    g_task_return_boolean (task, TRUE);

  /* The dialog closes on the commit above; the search index entry and the
   * sync jobs follow here, a moment later. */
  if (ok && write->kind == WRITE_INSERT)
    catch_up_after_save (self);
}

static void
run_write (CnDatabase          *self,
           Write               *write,
           gpointer             source_tag,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, write, (GDestroyNotify) write_free);
  g_task_run_in_thread (task, write_thread);
}

static Write *
write_new (WriteKind   kind,
           const char *uuid)
{
  Write *write = g_new0 (Write, 1);

  write->kind = kind;
  write->uuid = g_strdup (uuid);
  return write;
}

void
cn_database_insert_call_async (CnDatabase          *self,
                               CnCallLog           *log,
                               const CnCallEvent   *events,
                               guint                n_events,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  Write *write;

  g_return_if_fail (CN_IS_DATABASE (self));
  g_return_if_fail (CN_IS_CALL_LOG (log));
  g_return_if_fail (events != NULL || n_events == 0);

  write = write_new (WRITE_INSERT, NULL);
  write->log = cn_call_log_copy (log);
  write->events = g_array_sized_new (FALSE, FALSE, sizeof (CnCallEvent), n_events);
  g_array_set_clear_func (write->events, clear_event);
  for (guint i = 0; i < n_events; i++)
    {
      CnCallEvent copy = { g_strdup (events[i].kind), events[i].at, g_strdup (events[i].detail) };

      g_array_append_val (write->events, copy);
    }

  run_write (self, write, cn_database_insert_call_async, cancellable, callback, user_data);
}

CnCallLog *
cn_database_insert_call_finish (CnDatabase    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
cn_database_update_call_async (CnDatabase          *self,
                               CnCallLog           *log,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  Write *write;

  g_return_if_fail (CN_IS_DATABASE (self));
  g_return_if_fail (CN_IS_CALL_LOG (log));

  write = write_new (WRITE_UPDATE, NULL);
  write->log = cn_call_log_copy (log);
  run_write (self, write, cn_database_update_call_async, cancellable, callback, user_data);
}

CnCallLog *
cn_database_update_call_finish (CnDatabase    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
cn_database_delete_call_async (CnDatabase          *self,
                               const char          *uuid,
                               gboolean             restore,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (CN_IS_DATABASE (self));
  g_return_if_fail (uuid != NULL);

  run_write (self, write_new (restore ? WRITE_RESTORE : WRITE_DELETE, uuid),
             cn_database_delete_call_async, cancellable, callback, user_data);
}

gboolean
cn_database_delete_call_finish (CnDatabase    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cn_database_delete_calls_async (CnDatabase          *self,
                                const char * const  *uuids,
                                gboolean             restore,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  Write *write;

  g_return_if_fail (CN_IS_DATABASE (self));
  g_return_if_fail (uuids != NULL);

  write = write_new (restore ? WRITE_RESTORE_MANY : WRITE_DELETE_MANY, NULL);
  write->uuids = g_strdupv ((char **) uuids);
  run_write (self, write, cn_database_delete_calls_async, cancellable, callback, user_data);
}

gboolean
cn_database_delete_calls_finish (CnDatabase    *self,
                                 GAsyncResult  *result,
                                 guint         *n_changed,
                                 GError       **error)
{
  gssize changed;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  changed = g_task_propagate_int (G_TASK (result), error);
  if (n_changed != NULL)
    *n_changed = changed > 0 ? (guint) changed : 0;
  return changed >= 0;
}

void
cn_database_save_draft_async (CnDatabase          *self,
                              const CnDraft       *draft,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(CnCallLog) log = NULL;
  Write *write;

  g_return_if_fail (CN_IS_DATABASE (self));
  g_return_if_fail (draft != NULL && CN_IS_CALL_LOG (draft->log));

  log = cn_call_log_copy (draft->log);
  write = write_new (WRITE_SAVE_DRAFT, NULL);
  write->draft = cn_draft_new (log);
  write->draft->editing = draft->editing;
  write->draft->dialed_at = draft->dialed_at;
  write->draft->shown_at = draft->shown_at;
  write->draft->follow_up_enabled = draft->follow_up_enabled;
  write->draft->call_sid = g_strdup (draft->call_sid);

  run_write (self, write, cn_database_save_draft_async, cancellable, callback, user_data);
}

gboolean
cn_database_save_draft_finish (CnDatabase    *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cn_database_delete_draft_async (CnDatabase          *self,
                                const char          *uuid,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (CN_IS_DATABASE (self));
  g_return_if_fail (uuid != NULL);

  run_write (self, write_new (WRITE_DELETE_DRAFT, uuid), cn_database_delete_draft_async,
             cancellable, callback, user_data);
}

gboolean
cn_database_delete_draft_finish (CnDatabase    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
