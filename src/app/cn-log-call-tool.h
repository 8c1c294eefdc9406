/* cn-log-call-tool.h: the `log_call` tool an AI assistant calls
 *
 * One definition (a function-calling schema, JSON Schema for the
 * arguments) used by `callnotes tool` and by the running app's D-Bus
 * interface (cn-tool-service.c). Arguments are validated strictly against it
 * and become a CnCallLog that is saved like the logger dialog saves one.
 *
 * Shapes (all JSON objects, UTF-8):
 *   success:  {"ok": true, "uuid": "…", "phone": "+1…"|null, "contactId": …|null,
 *              "contactName": …|null, "outcome": "busy", "followUpDate": "…Z"|null}
 *   error:    {"ok": false, "error": {"code": "…", "field": "outcome"|null,
 *              "fields": ["outcome"], "message": "…"}}
 *             `field` is the argument at fault (null: the arguments as a
 *             whole); `fields` lists every argument concerned (both
 *             "contactId" and "phone" when neither is given).
 *   context:  {"state": "logging"|"dialed"|"idle", "uuid", "phone", "phone_raw",
 *              "contact_id", "contact_name", "started_at": "…Z", "seconds_since": N}
 *             (members null when unknown).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "cn-database.h"

G_BEGIN_DECLS

/* The name of the tool in the schema. */
#define CN_LOG_CALL_TOOL_NAME "log_call"

/* Size limits: the arguments as a whole (bytes), the notes (characters; at
 * most 4 bytes each, so within CN_CALL_LOG_MAX_NOTES) and the other text
 * fields (characters; within CN_CALL_LOG_MAX_FIELD bytes). */
#define CN_LOG_CALL_TOOL_MAX_ARGUMENTS   (256 * 1024)
#define CN_LOG_CALL_TOOL_MAX_NOTES_CHARS (CN_CALL_LOG_MAX_NOTES / 4)
#define CN_LOG_CALL_TOOL_MAX_FIELD_CHARS (CN_CALL_LOG_MAX_FIELD / 4)

/* Kinds of validation error ("code" in the error object). */
typedef enum {
  CN_LOG_CALL_TOOL_ERROR_INVALID_JSON,      /* "invalid_json" */
  CN_LOG_CALL_TOOL_ERROR_TOO_LARGE,         /* "too_large" */
  CN_LOG_CALL_TOOL_ERROR_INVALID_UTF8,      /* "invalid_utf8" */
  CN_LOG_CALL_TOOL_ERROR_NOT_OBJECT,        /* "not_object" */
  CN_LOG_CALL_TOOL_ERROR_UNKNOWN_PROPERTY,  /* "unknown_property" */
  CN_LOG_CALL_TOOL_ERROR_WRONG_TYPE,        /* "wrong_type" */
  CN_LOG_CALL_TOOL_ERROR_EMPTY,             /* "empty" */
  CN_LOG_CALL_TOOL_ERROR_TOO_LONG,          /* "too_long" */
  CN_LOG_CALL_TOOL_ERROR_BAD_ENUM,          /* "bad_enum" */
  CN_LOG_CALL_TOOL_ERROR_BAD_DATE,          /* "bad_date" */
  CN_LOG_CALL_TOOL_ERROR_PAST_DATE,         /* "past_date" */
  CN_LOG_CALL_TOOL_ERROR_BAD_PHONE,         /* "bad_phone" */
  CN_LOG_CALL_TOOL_ERROR_MISSING,           /* "missing" */
} CnLogCallToolError;

const char *cn_log_call_tool_error_code       (CnLogCallToolError code);

/* A validation error: which argument(s) and why. */
typedef struct {
  CnLogCallToolError  code;
  char               *field;     /* NULL: the arguments as a whole */
  char              **fields;    /* every argument concerned (may be empty) */
  char               *message;   /* one translated sentence */
} CnToolFault;

void        cn_tool_fault_free                (CnToolFault *fault);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnToolFault, cn_tool_fault_free)

/* The function-calling definition: {"name": "log_call", "description": …,
 * "parameters": <JSON Schema>}, as pretty-printed JSON text (static). */
const char *cn_log_call_tool_get_schema       (void);

/* Validates @arguments (@length bytes, -1: NUL-terminated) and returns a new
 * log ready for cn_database_insert_call*() (fresh UUID, created now), or
 * NULL with *@fault set. @default_country_code completes national numbers
 * (as `callnotes log --phone` does); @now (Unix seconds) is what a follow-up
 * must be later than; the follow-up is read in the local time zone. */
CnCallLog  *cn_log_call_tool_parse            (const char   *arguments,
                                               gssize        length,
                                               const char   *default_country_code,
                                               gint64        now,
                                               CnToolFault **fault);

/* The success and error objects as JSON text (newly allocated). */
char       *cn_log_call_tool_result_json      (CnCallLog         *log);
char       *cn_log_call_tool_fault_json       (const CnToolFault *fault);

/* What the agent is looking at: the call being logged, else the last one
 * dialed, else nothing ("idle"). */
typedef enum {
  CN_TOOL_CONTEXT_IDLE,
  CN_TOOL_CONTEXT_LOGGING,
  CN_TOOL_CONTEXT_DIALED,
} CnToolContextState;

typedef struct {
  CnToolContextState  state;
  char               *uuid;
  char               *phone;
  char               *phone_raw;
  char               *contact_id;
  char               *contact_name;
  gint64              started_at;   /* Unix seconds; 0 unknown */
} CnToolContext;

CnToolContext *cn_tool_context_new            (CnToolContextState  state,
                                               CnCallLog          *log,
                                               gint64              started_at);
void        cn_tool_context_free              (CnToolContext *context);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnToolContext, cn_tool_context_free)

/* From the database alone (no app running): the newest open draft is being
 * logged; else the newest log with a "dialed" event was dialed last. */
CnToolContext *cn_tool_context_from_database  (CnDatabase  *database,
                                               GError     **error);
/* The context object as JSON text; seconds_since counts from @now. */
char       *cn_tool_context_to_json           (const CnToolContext *context,
                                               gint64               now);

G_END_DECLS
