/* cn-outbox.h: the sync outbox kept in the database (jobs, contacts cache)
 *
 * Every saved call log records, in the transaction that saves it, the sync
 * targets enabled then; the catch-up right after it (cn_database_catch_up)
 * turns them into one job per target. The sync worker (sync/) claims due
 * jobs, sends them and records each answer here. Nothing in this file talks
 * to the network.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cn-database.h"

G_BEGIN_DECLS

typedef enum {
  CN_SYNC_TARGET_BACKEND        = 1 << 0,  /* POST/PUT /api/calls */
  CN_SYNC_TARGET_ONTRAPORT_NOTE = 1 << 1,  /* an Ontraport note (object 12) */
  CN_SYNC_TARGET_ONTRAPORT_TASK = 1 << 2,  /* an Ontraport task, when a follow-up is set */
} CnSyncTarget;

#define CN_SYNC_TARGETS_ONTRAPORT (CN_SYNC_TARGET_ONTRAPORT_NOTE | CN_SYNC_TARGET_ONTRAPORT_TASK)
#define CN_SYNC_TARGETS_ALL       (CN_SYNC_TARGET_BACKEND | CN_SYNC_TARGETS_ONTRAPORT)

/* "backend", "ontraport-note", "ontraport-task"; NULL for anything else. */
const char  *cn_sync_target_to_string   (CnSyncTarget  target);
gboolean     cn_sync_target_from_string (const char   *text,
                                         CnSyncTarget *target);

typedef enum {
  CN_JOB_PENDING,          /* due now */
  CN_JOB_IN_FLIGHT,        /* claimed by a worker, request under way */
  CN_JOB_DONE,             /* the remote side confirmed it; the job is then
                            * removed (its id is on the log, its attempts are
                            * "sync" events), so lists never hold it */
  CN_JOB_WAITING,          /* transient failure; due again at next_attempt_at */
  CN_JOB_NEEDS_CONTACT,    /* Ontraport: no single contact matches the number */
  CN_JOB_NEEDS_ATTENTION,  /* permanent failure, with the server's message */
  CN_JOB_CANCELED,         /* the agent canceled it (recorded as an event) */
} CnJobState;

#define CN_JOB_N_STATES (CN_JOB_CANCELED + 1)

const char  *cn_job_state_to_string   (CnJobState  state);
gboolean     cn_job_state_from_string (const char *text,
                                       CnJobState *state);

typedef enum {
  CN_JOB_CREATE,   /* backend POST, Ontraport POST */
  CN_JOB_UPDATE,   /* backend PUT of an edit made after the log was synced */
} CnJobAction;

/* One outbox job, with a copy of its call log as it is now. */
typedef struct {
  gint64       id;
  char        *call_uuid;
  CnSyncTarget target;
  CnJobAction  action;
  gint         revision;        /* the log revision the payload carries */
  char        *payload;         /* fixed at the first send (backend); NULL before */
  CnJobState   state;
  guint        attempts;
  gint64       next_attempt_at; /* Unix seconds; 0 = now */
  gboolean     outcome_unknown; /* an earlier send may have reached the server */
  gint         last_status;     /* HTTP status of the last answer, 0 none */
  char        *last_error;      /* plain words, may be NULL */
  char        *remote_id;       /* id on the remote side once known */
  char        *backend_id;      /* the log's backend id (an update needs it) */
  gint64       created_at;
  gint64       updated_at;
  CnCallLog   *log;             /* the call log (current revision) */
} CnSyncJob;

void         cn_sync_job_free (CnSyncJob *job);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnSyncJob, cn_sync_job_free)

/* Which targets new saves queue jobs for (default: none). The app and the
 * command line set it from GSettings (backend-enabled, ontraport-enabled);
 * a follow-up adds the task job only when ONTRAPORT_TASK is set. */
void         cn_database_set_sync_targets (CnDatabase   *self,
                                           CnSyncTarget  targets);
CnSyncTarget cn_database_get_sync_targets (CnDatabase   *self);

/* Claims up to @max_jobs due jobs of @targets in one transaction and marks
 * them in flight: pending or waiting jobs whose next attempt is due at @now,
 * oldest first within priority (a log whose follow-up falls within 24 h of
 * @now first). An update job is due only once its create job is done.
 * A job's payload is fixed later, by the result of a send the server may
 * have kept (CnJobResult.payload), never by the claim.
 * Returns CnSyncJob (element free func set); empty when nothing is due. */
GPtrArray   *cn_database_claim_jobs      (CnDatabase        *self,
                                          CnSyncTarget       targets,
                                          gint64             now,
                                          guint              max_jobs,
                                          GError           **error);

/* Jobs that were in flight go back to pending (a worker died with them);
 * they are marked outcome_unknown. Call once, by the one worker process,
 * before it claims anything. Returns how many were reset, -1 on error. */
gint         cn_database_reset_in_flight (CnDatabase  *self,
                                          GError     **error);

/* What one attempt at a job ended in. */
typedef enum {
  CN_JOB_RESULT_DONE,            /* confirmed; remote_id is the object's id */
  CN_JOB_RESULT_RETRY,           /* transient: due again at next_attempt_at */
  CN_JOB_RESULT_FAILED,          /* permanent: needs attention with @message */
  CN_JOB_RESULT_NEEDS_CONTACT,   /* Ontraport: no single contact for the number */
  CN_JOB_RESULT_RELEASE,         /* not attempted (e.g. the target paused): back to
                                  * pending, attempts and events untouched */
} CnJobResultKind;

typedef struct {
  gint64           job_id;
  CnJobResultKind  kind;
  gint64           at;               /* when the answer came, Unix seconds */
  gint             status;           /* HTTP status, 0 when there was no answer */
  const char      *message;          /* plain words for the agent; may be NULL */
  const char      *remote_id;        /* DONE: the remote object's id */
  const char      *contact_id;       /* DONE/any: the contact that was resolved, or NULL */
  gint64           next_attempt_at;  /* RETRY */
  gboolean         outcome_unknown;  /* the request may have reached the server */
  const char      *payload;          /* what was sent, when the server may have taken
                                      * it: the job keeps it (a repeat must carry the
                                      * same body under the same key); NULL leaves it */
} CnJobResult;

/* Records results in ONE transaction (the worker batches them): each updates
 * its job, adds a "sync" event to the log with the target, attempt number,
 * status and message (JSON in the event's detail), and on DONE stores the id
 * on the log (backend_id, ontraport_note_id or ontraport_task_id) and removes
 * the job. A contact id resolved by the worker is saved on a log that still
 * has none (an edit: the backend hears of it) and cached for its number. A
 * NEEDS_CONTACT for a log that got a contact meanwhile makes the job pending. */
gboolean     cn_database_record_results  (CnDatabase         *self,
                                          const CnJobResult  *results,
                                          guint               n_results,
                                          GError            **error);

/* Every job that is not done (or canceled), oldest first; CnSyncJob. */
GPtrArray   *cn_database_list_jobs       (CnDatabase  *self,
                                          GError     **error);
/* Every job of one log not yet confirmed, oldest first; CnSyncJob. */
GPtrArray   *cn_database_list_jobs_for_call (CnDatabase  *self,
                                             const char  *uuid,
                                             GError     **error);

/* Counts by state over jobs that are not done; @counts has
 * CN_JOB_N_STATES slots. The _of form counts only jobs of @targets. */
gboolean     cn_database_count_jobs      (CnDatabase  *self,
                                          guint       *counts,
                                          GError     **error);
gboolean     cn_database_count_jobs_of   (CnDatabase    *self,
                                          CnSyncTarget   targets,
                                          guint         *counts,
                                          GError       **error);

/* The state of one job now (it may have been canceled since it was
 * claimed), or -1 when it is gone. */
gint         cn_database_get_job_state   (CnDatabase  *self,
                                          gint64       job_id,
                                          GError     **error);

/* The earliest next_attempt_at of a waiting job of @targets, 0 when none. */
gint64       cn_database_next_due        (CnDatabase    *self,
                                          CnSyncTarget   targets,
                                          GError       **error);

/* The agent's actions. Retry makes waiting / needs-attention jobs of the log
 * (@uuid NULL: of every log) pending and due now; it returns how many, or -1.
 * Cancel stops the log's jobs that are not done, with a "sync_canceled" event. */
gint         cn_database_retry_jobs      (CnDatabase  *self,
                                          const char  *uuid,
                                          GError     **error);
/* Makes needs-attention jobs of @targets pending again (new credentials). */
gint         cn_database_retry_target    (CnDatabase    *self,
                                          CnSyncTarget   targets,
                                          GError       **error);
/* Jobs waiting after a failure without an answer (network down, refused,
 * timed out) become due now: the network is back. Jobs a server asked to
 * wait (429, Retry-After) keep waiting. Returns how many, or -1. */
gint         cn_database_wake_waiting    (CnDatabase  *self,
                                          GError     **error);
gboolean     cn_database_cancel_jobs     (CnDatabase  *self,
                                          const char  *uuid,
                                          GError     **error);

/* Sets the log's contact id (and name when given), caches it for the log's
 * number, and makes its needs-contact jobs pending. */
gboolean     cn_database_assign_contact  (CnDatabase  *self,
                                          const char  *uuid,
                                          const char  *contact_id,
                                          const char  *contact_name,
                                          GError     **error);

/* The contacts cache: the contact id last matched to a number (by its last
 * ten digits), or NULL. */
char        *cn_database_lookup_contact  (CnDatabase  *self,
                                          const char  *phone,
                                          char       **name_out,
                                          GError     **error);

/* The contact's history as kept on this computer (cn-contact-calls.c):
 * non-deleted logs whose contact_id is exactly @contact_id, newest first
 * (created_at DESC, then insertion order DESC), at most @limit of them.
 * Element type CnCallLog; empty when @contact_id is NULL or "". */
GPtrArray   *cn_database_list_calls_for_contact (CnDatabase  *self,
                                                 const char  *contact_id,
                                                 guint        limit,
                                                 GError     **error);

/* Remote ids of a log: any may be NULL. */
gboolean     cn_database_get_remote_ids  (CnDatabase  *self,
                                          const char  *uuid,
                                          char       **backend_id,
                                          char       **ontraport_note_id,
                                          char       **ontraport_task_id,
                                          GError     **error);

/* The sync state of a log as its history row shows it: the least advanced
 * state of its jobs (needs attention > needs contact > waiting > in flight >
 * pending), CN_JOB_DONE when none is left and a remote side has the log, and
 * -1 when it was never synced (sync off, or canceled).
 * @next_attempt_at gets the soonest retry of a waiting log. */
gint         cn_database_get_sync_state  (CnDatabase  *self,
                                          const char  *uuid,
                                          gint64      *next_attempt_at,
                                          GError     **error);

G_END_DECLS
