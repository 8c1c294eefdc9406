/* cn-database.h: the local SQLite database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cn-call-log.h"

G_BEGIN_DECLS

#define CN_DATABASE_ERROR (cn_database_error_quark ())

typedef enum {
  CN_DATABASE_ERROR_OPEN,       /* cannot create or open the file (permissions, read-only) */
  CN_DATABASE_ERROR_CORRUPT,    /* the file is not a Callnotes database or is damaged */
  CN_DATABASE_ERROR_TOO_NEW,    /* written by a newer Callnotes (user_version above ours) */
  CN_DATABASE_ERROR_FULL,       /* the disk is full */
  CN_DATABASE_ERROR_READ_ONLY,  /* the file or its folder cannot be written */
  CN_DATABASE_ERROR_NOT_FOUND,  /* no such call log */
  CN_DATABASE_ERROR_INVALID,    /* the log fails cn_call_log_validate() */
  CN_DATABASE_ERROR_FAILED,     /* any other SQLite failure */
} CnDatabaseError;

GQuark cn_database_error_quark (void);

/* The newest schema version (PRAGMA user_version) this build writes. */
#define CN_DATABASE_SCHEMA_VERSION 8

#define CN_TYPE_DATABASE (cn_database_get_type ())
G_DECLARE_FINAL_TYPE (CnDatabase, cn_database, CN, DATABASE, GObject)

/* $CALLNOTES_DATA_DIR/callnotes.db when that is set, else
 * $XDG_DATA_HOME/callnotes/callnotes.db. */
char       *cn_database_get_default_path (void);

/* Opens (creating the folder and file when missing) and migrates to
 * CN_DATABASE_SCHEMA_VERSION. WAL, synchronous=FULL, foreign_keys=ON.
 * A file that is not a Callnotes database or is corrupt is never written to:
 * it is renamed to "<path>.corrupt-<YYYYmmdd-HHMMSS>" (with its -wal/-shm) and a
 * fresh database is created; cn_database_get_moved_aside_path() then says where
 * it went. A database from a newer version fails with TOO_NEW and is left alone.
 * Opening is serialised across processes with an advisory lock on
 * "<path>.lock" (the app and the command line may create the same new file at
 * once); a second opener waits up to 10 s while the first migrates.
 * May be used from any thread. Reads go through a read-only connection of
 * their own and, in WAL mode, never wait for a write: a read on the main
 * thread stays fast while a save on another thread waits (up to 5 s) for
 * another process's write lock. Reads are serialised inside, and so are
 * writes; a read sees every write that returned before it started. */
CnDatabase *cn_database_open             (const char  *path,
                                          GError     **error);

const char *cn_database_get_path             (CnDatabase *self);
/* Non-NULL when open moved a damaged file aside (see above). */
const char *cn_database_get_moved_aside_path (CnDatabase *self);

/* A number that changes whenever a change is committed to the database: by
 * another process (e.g. the command line) or through this CnDatabase (its
 * writes use another connection than its reads). Cheap; for polling. */
gint64      cn_database_get_data_version     (CnDatabase *self);

/* Call events. Kinds used so far: "dialed", "dialog_shown", "logged",
 * "edited", "deleted", "restored". */
typedef struct {
  char   *kind;
  gint64  at;       /* Unix seconds UTC */
  char   *detail;   /* free text or JSON, may be NULL */
} CnCallEvent;

CnCallEvent *cn_call_event_new  (const char *kind, gint64 at, const char *detail);
void         cn_call_event_free (CnCallEvent *event);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnCallEvent, cn_call_event_free)

/* Saves a new log in ONE transaction: the log (revision 1, queued for the
 * sync targets set now), the given @events (e.g. "dialed", "dialog_shown";
 * may be NULL/0) and a "logged" event at the log's updated_at. Validates
 * first (CN_DATABASE_ERROR_INVALID). On any error nothing is written. Then
 * indexes it for search, counts it, creates its sync jobs and deletes the
 * draft with the same UUID (a second transaction; if that one fails, the
 * log is saved all the same and TRUE returned: the next catch-up does it,
 * and cn_database_list_drafts() leaves such a draft out meanwhile). */
gboolean    cn_database_insert_call      (CnDatabase         *self,
                                          CnCallLog          *log,
                                          const CnCallEvent  *events,
                                          guint               n_events,
                                          GError            **error);
/* The same save without what follows it: returns once the log is committed;
 * its search index entry, sync jobs and draft removal come with
 * cn_database_catch_up()
 * (which cn_database_insert_call() and the async save run right after,
 * and every open, claim and edit runs first). */
gboolean    cn_database_insert_call_deferred (CnDatabase         *self,
                                              CnCallLog          *log,
                                              const CnCallEvent  *events,
                                              guint               n_events,
                                              GError            **error);
gboolean    cn_database_catch_up         (CnDatabase         *self,
                                          GError            **error);

/* Saves an edit of an existing log in one transaction: bumps revision and
 * updated_at (also on @log), adds an "edited" event, deletes the draft with
 * the same UUID. NOT_FOUND when there is no such log. */
gboolean    cn_database_update_call      (CnDatabase  *self,
                                          CnCallLog   *log,
                                          GError     **error);

/* Soft delete / undo. Deleted logs are hidden from queries and counts; each
 * adds a "deleted" / "restored" event. */
gboolean    cn_database_delete_call      (CnDatabase  *self,
                                          const char  *uuid,
                                          GError     **error);
gboolean    cn_database_restore_call     (CnDatabase  *self,
                                          const char  *uuid,
                                          GError     **error);

/* The most logs one cn_database_delete_calls() takes (INVALID beyond). */
#define CN_DATABASE_MAX_BULK_CALLS 10000

/* Soft deletes (@restore FALSE) or restores (@restore TRUE) every log of the
 * NULL-terminated @uuids in ONE transaction, each with its own "deleted" /
 * "restored" event. UUIDs that name no log (purged, or deleted by another
 * program meanwhile) and logs already in that state are skipped: @n_changed
 * (may be NULL) says how many changed. More than CN_DATABASE_MAX_BULK_CALLS
 * fails with INVALID; any other error writes nothing. */
gboolean    cn_database_delete_calls     (CnDatabase          *self,
                                          const char * const  *uuids,
                                          gboolean             restore,
                                          guint               *n_changed,
                                          GError             **error);
/* How many of @uuids name a log that reached a remote side (it has a
 * backend id or an Ontraport id); -1 with @error on failure. One indexed
 * lookup per UUID. */
gint        cn_database_count_synced     (CnDatabase          *self,
                                          const char * const  *uuids,
                                          GError             **error);

/* NULL with NOT_FOUND when missing (deleted logs are returned, with deleted set). */
CnCallLog  *cn_database_get_call         (CnDatabase  *self,
                                          const char  *uuid,
                                          GError     **error);

/* A unique prefix of a UUID (>= 4 chars) to the full UUID, for the CLI. */
char       *cn_database_resolve_uuid     (CnDatabase  *self,
                                          const char  *prefix,
                                          GError     **error);

/* Events of a log, oldest first; element type CnCallEvent. */
GPtrArray  *cn_database_list_events      (CnDatabase  *self,
                                          const char  *uuid,
                                          GError     **error);

/* What to list: non-deleted logs, newest first (created_at DESC, then
 * insertion order DESC). @search (may be NULL/"") is matched with FTS5 over
 * contact name, contact id, phone, raw phone and notes: each word the person
 * typed is a prefix match, all words must match; characters that mean
 * something to FTS5 are treated as plain text. @outcome NONE = all. */
typedef struct {
  const char *search;
  CnOutcome   outcome;
} CnCallQuery;

/* Element type CnCallLog. Never loads more than @limit rows. */
GPtrArray  *cn_database_query_calls      (CnDatabase         *self,
                                          const CnCallQuery  *query,
                                          guint               offset,
                                          guint               limit,
                                          GError            **error);
guint       cn_database_count_calls      (CnDatabase         *self,
                                          const CnCallQuery  *query,
                                          GError            **error);

/* Drafts: what the logger dialog holds, kept within a second of typing. One
 * draft per UUID; saving replaces it. */
typedef struct {
  CnCallLog *log;          /* outcome may be NONE; created_at = dial time */
  gboolean   editing;      /* TRUE when the draft edits a saved log */
  gint64     dialed_at;    /* Unix seconds, 0 if not dialed by the app */
  gint64     shown_at;     /* when the dialog first appeared, 0 unknown */
  gboolean   follow_up_enabled;
  char      *call_sid;     /* the live call it logs (opened from an event), NULL none */
} CnDraft;

CnDraft    *cn_draft_new                 (CnCallLog *log);
void        cn_draft_free                (CnDraft   *draft);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnDraft, cn_draft_free)

gboolean    cn_database_save_draft       (CnDatabase     *self,
                                          const CnDraft  *draft,
                                          GError        **error);
/* Element type CnDraft, oldest first. */
GPtrArray  *cn_database_list_drafts      (CnDatabase     *self,
                                          GError        **error);
gboolean    cn_database_delete_draft     (CnDatabase     *self,
                                          const char     *uuid,
                                          GError        **error);

/* Writes run by a worker thread, so a busy database (another program holds
 * it for up to the busy timeout) never stalls the caller's main loop. Each
 * works on its own copy of what it is given; the callback runs in the
 * caller's thread-default main context. The _finish of insert and update
 * returns the log as saved (revision and updated_at set). */
void        cn_database_insert_call_async   (CnDatabase          *self,
                                             CnCallLog           *log,
                                             const CnCallEvent   *events,
                                             guint                n_events,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
CnCallLog  *cn_database_insert_call_finish  (CnDatabase          *self,
                                             GAsyncResult        *result,
                                             GError             **error);
void        cn_database_update_call_async   (CnDatabase          *self,
                                             CnCallLog           *log,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
CnCallLog  *cn_database_update_call_finish  (CnDatabase          *self,
                                             GAsyncResult        *result,
                                             GError             **error);
/* Delete (@restore FALSE) or undo a delete (@restore TRUE). */
void        cn_database_delete_call_async   (CnDatabase          *self,
                                             const char          *uuid,
                                             gboolean             restore,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean    cn_database_delete_call_finish  (CnDatabase          *self,
                                             GAsyncResult        *result,
                                             GError             **error);
/* cn_database_delete_calls() in the worker; @uuids is copied. */
void        cn_database_delete_calls_async  (CnDatabase          *self,
                                             const char * const  *uuids,
                                             gboolean             restore,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean    cn_database_delete_calls_finish (CnDatabase          *self,
                                             GAsyncResult        *result,
                                             guint               *n_changed,
                                             GError             **error);
void        cn_database_save_draft_async    (CnDatabase          *self,
                                             const CnDraft       *draft,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean    cn_database_save_draft_finish   (CnDatabase          *self,
                                             GAsyncResult        *result,
                                             GError             **error);
void        cn_database_delete_draft_async  (CnDatabase          *self,
                                             const char          *uuid,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean    cn_database_delete_draft_finish (CnDatabase          *self,
                                             GAsyncResult        *result,
                                             GError             **error);

G_END_DECLS
