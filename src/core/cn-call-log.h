/* cn-call-log.h: the call-log value type
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "cn-outcome.h"

G_BEGIN_DECLS

#define CN_TYPE_CALL_LOG (cn_call_log_get_type ())
G_DECLARE_FINAL_TYPE (CnCallLog, cn_call_log, CN, CALL_LOG, GObject)

/* Size limits for text fields; setters truncate nothing, the validators below
 * report too-long values so callers can show a clear error. */
#define CN_CALL_LOG_MAX_NOTES   (64 * 1024)
#define CN_CALL_LOG_MAX_FIELD   512

/* All times are Unix seconds, UTC. 0 means "not set" for follow_up. A duration
 * of -1 means unknown. Every property is read-write and notifies. */
CnCallLog  *cn_call_log_new               (void);
/* A new log with a fresh random UUID and created_at = updated_at = now. */
CnCallLog  *cn_call_log_new_with_uuid     (void);
CnCallLog  *cn_call_log_copy              (CnCallLog  *self);

const char *cn_call_log_get_uuid          (CnCallLog  *self);
void        cn_call_log_set_uuid          (CnCallLog  *self, const char *uuid);
const char *cn_call_log_get_contact_id    (CnCallLog  *self);
void        cn_call_log_set_contact_id    (CnCallLog  *self, const char *contact_id);
const char *cn_call_log_get_contact_name  (CnCallLog  *self);
void        cn_call_log_set_contact_name  (CnCallLog  *self, const char *contact_name);
const char *cn_call_log_get_phone         (CnCallLog  *self);   /* E.164 when known */
void        cn_call_log_set_phone         (CnCallLog  *self, const char *phone);
const char *cn_call_log_get_phone_raw     (CnCallLog  *self);   /* as received */
void        cn_call_log_set_phone_raw     (CnCallLog  *self, const char *phone_raw);
const char *cn_call_log_get_extension     (CnCallLog  *self);
void        cn_call_log_set_extension     (CnCallLog  *self, const char *extension);
const char *cn_call_log_get_direction     (CnCallLog  *self);   /* "outbound" (default) or "inbound" */
void        cn_call_log_set_direction     (CnCallLog  *self, const char *direction);
CnOutcome   cn_call_log_get_outcome       (CnCallLog  *self);
void        cn_call_log_set_outcome       (CnCallLog  *self, CnOutcome outcome);
gint64      cn_call_log_get_duration      (CnCallLog  *self);   /* seconds, -1 unknown */
void        cn_call_log_set_duration      (CnCallLog  *self, gint64 seconds);
const char *cn_call_log_get_notes         (CnCallLog  *self);
void        cn_call_log_set_notes         (CnCallLog  *self, const char *notes);
gint64      cn_call_log_get_follow_up     (CnCallLog  *self);   /* UTC seconds, 0 none */
void        cn_call_log_set_follow_up     (CnCallLog  *self, gint64 follow_up);
gint64      cn_call_log_get_created_at    (CnCallLog  *self);
void        cn_call_log_set_created_at    (CnCallLog  *self, gint64 created_at);
gint64      cn_call_log_get_updated_at    (CnCallLog  *self);
void        cn_call_log_set_updated_at    (CnCallLog  *self, gint64 updated_at);
gint        cn_call_log_get_revision      (CnCallLog  *self);   /* 1 at first save, +1 per edit */
void        cn_call_log_set_revision      (CnCallLog  *self, gint revision);
gboolean    cn_call_log_get_deleted       (CnCallLog  *self);
void        cn_call_log_set_deleted       (CnCallLog  *self, gboolean deleted);

/* What to show for the contact: the name, else the phone, else the raw text. */
const char *cn_call_log_get_display_name  (CnCallLog  *self);
/* The first non-empty line of the notes (newly allocated, may be ""). */
char       *cn_call_log_dup_notes_summary (CnCallLog  *self);

/* Checks that a log may be saved: an outcome is chosen, a phone or contact is
 * set, text fields are valid UTF-8 within the size limits. The message names
 * the field. */
gboolean    cn_call_log_validate          (CnCallLog  *self,
                                           GError    **error);

/* TRUE when @uuid looks like a canonical lower-case UUID string. */
gboolean    cn_uuid_is_valid              (const char *uuid);

G_END_DECLS
