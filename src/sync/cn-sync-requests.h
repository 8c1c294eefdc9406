/* cn-sync-requests.h: what the sync worker sends and how it reads answers
 *
 * Pure functions over CONTRACTS.md: request bodies and queries for the
 * backend and Ontraport, and the classification of an answer (done,
 * transient, permanent). No I/O here, so each rule has a unit test.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "cn-call-log.h"
#include "cn-outbox.h"

G_BEGIN_DECLS

/* Longest answer body read from a server; a longer one is cut off and the
 * answer treated as broken (transient). */
#define CN_SYNC_MAX_ANSWER_BYTES (1024 * 1024)

/* The body of POST /api/calls and PUT /api/calls/{id}. */
char     *cn_sync_backend_body        (CnCallLog   *log);

/* The text of the Ontraport note, ending with "Ref: <uuid>". */
char     *cn_sync_note_text           (CnCallLog   *log);
/* "Follow up: Call with <contact name or number>". */
char     *cn_sync_task_subject        (CnCallLog   *log);

/* What a task job fixes at its first send, so a repeat looks for and posts
 * the same task even if the log is edited meanwhile. */
char     *cn_sync_task_payload        (CnCallLog   *log);
gboolean  cn_sync_task_payload_parse  (const char  *payload,
                                       char       **subject,
                                       gint64      *due);

/* Ontraport bodies. @contact_id is Ontraport's numeric contact id. */
char     *cn_sync_ontraport_note_body (guint64      contact_id,
                                       const char  *text);
char     *cn_sync_ontraport_task_body (guint64      contact_id,
                                       guint        object_id,
                                       const char  *subject,
                                       gint64       due);
char     *cn_sync_ontraport_assign_body (guint64     contact_id,
                                         guint       template_id,
                                         guint       owner_id,
                                         gint64      due);

/* Ontraport "condition" query values (JSON, not yet URL-encoded). */
char     *cn_sync_condition_phone     (const char  *last_ten_digits);
char     *cn_sync_condition_note_ref  (guint64      contact_id,
                                       const char  *uuid);
/* @subject NULL: match contact and due date only (assign mode). */
char     *cn_sync_condition_task      (guint64      contact_id,
                                       const char  *subject,
                                       gint64       due);

/* Parses a contact id as Ontraport knows them (a positive integer). */
gboolean  cn_sync_parse_contact_id    (const char  *text,
                                       guint64     *contact_id);

/* How an answer is to be taken. */
typedef enum {
  CN_ANSWER_DONE,        /* remote_id set (may be NULL for task/assign) */
  CN_ANSWER_TRANSIENT,   /* retry later; outcome_unknown says whether it may have acted */
  CN_ANSWER_PERMANENT,   /* needs attention, message from the server */
  CN_ANSWER_AUTH,        /* 401/403: credentials rejected, pause the target */
} CnAnswerKind;

typedef struct {
  CnAnswerKind  kind;
  char         *remote_id;
  char         *message;          /* plain words, never a secret */
  gint64        retry_after;      /* seconds asked by the server, -1 none */
  gboolean      outcome_unknown;
} CnAnswer;

void      cn_answer_clear             (CnAnswer *answer);

/* Classifies an HTTP answer. @retry_after_header is Retry-After (backend)
 * or X-Rate-Limit-Reset (Ontraport), may be NULL; @body may be NULL;
 * @content_type may be NULL. @is_create: a POST that may create something
 * (a broken 2xx answer then leaves the outcome unknown). */
void      cn_sync_classify_backend    (guint        status,
                                       const char  *content_type,
                                       const char  *body,
                                       gsize        body_length,
                                       const char  *retry_after_header,
                                       gint64       now,
                                       CnAnswer    *answer);
void      cn_sync_classify_ontraport  (guint        status,
                                       const char  *content_type,
                                       const char  *body,
                                       gsize        body_length,
                                       const char  *rate_limit_reset_header,
                                       gboolean     is_create,
                                       CnAnswer    *answer);

/* Ontraport lookups: the ids of the objects in a list answer's data (an
 * array of objects with "id"). FALSE when the body is not such an answer. */
gboolean  cn_sync_parse_ontraport_ids (const char  *body,
                                       gsize        body_length,
                                       GPtrArray  **ids);

G_END_DECLS
