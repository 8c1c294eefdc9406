/* cn-live-store.h: what the live event stream keeps in the database
 *
 * The stream's last event id (so a restart resumes where it stopped), the
 * event ids already shown (so nothing is shown twice), and the calls the
 * backend reported, with their sequence of statuses.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cn-database.h"

G_BEGIN_DECLS

/* Small persistent values, e.g. "stream.last-event-id". NULL when unset. */
char         *cn_database_get_value          (CnDatabase   *self,
                                              const char   *key,
                                              GError      **error);
gboolean      cn_database_set_value          (CnDatabase   *self,
                                              const char   *key,
                                              const char   *value,   /* NULL removes */
                                              GError      **error);

/* Remembers that the event @event_id arrived; *@first is FALSE when it had
 * been seen before (after a reconnect or a restart), so it is not shown
 * again. The newest 10 000 ids are kept. */
gboolean      cn_database_note_stream_event  (CnDatabase   *self,
                                              const char   *event_id,
                                              gboolean     *first,
                                              GError      **error);

/* A call as the backend's events describe it. */
typedef struct {
  char   *call_sid;
  char   *status;            /* latest status: e.g. "Picked" (live), "ANSWER" (completed) */
  gboolean completed;        /* a call_completed event came */
  gint64  duration_seconds;  /* -1 unknown */
  char   *phone;             /* the other party (E.164 when known) */
  char   *contact_id;
  char   *contact_name;
  char   *recording_url;
  char   *direction;         /* "outbound" / "inbound", may be NULL */
  gint64  started_at;        /* Unix seconds UTC, 0 unknown */
  gint64  ended_at;
  gint64  received_at;       /* when the last event about it arrived */
  char   *logged_uuid;       /* the call log made from it, NULL none */
  GStrv   sequence;          /* statuses in the order they came ("incoming",
                              * "answered", "completed", …); may be NULL */
} CnStreamCall;

CnStreamCall *cn_stream_call_new             (void);
CnStreamCall *cn_stream_call_copy            (const CnStreamCall *call);
void          cn_stream_call_free            (CnStreamCall       *call);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnStreamCall, cn_stream_call_free)

/* Stores (or updates, by call_sid) what an event said about a call and adds
 * @sequence_step (e.g. "answered", "completed") to its sequence. Fields of
 * @call that are unset (NULL, -1, 0) keep what was stored. */
gboolean      cn_database_store_stream_call  (CnDatabase          *self,
                                              const CnStreamCall  *call,
                                              const char          *sequence_step,
                                              GError             **error);
/* NULL with CN_DATABASE_ERROR_NOT_FOUND when unknown. */
CnStreamCall *cn_database_get_stream_call    (CnDatabase   *self,
                                              const char   *call_sid,
                                              GError      **error);
/* Newest first (by received_at); element type CnStreamCall. */
GPtrArray    *cn_database_list_stream_calls  (CnDatabase   *self,
                                              gboolean      completed_only,
                                              guint         limit,
                                              GError      **error);
/* Links the call to the log made from it ("logged"). */
gboolean      cn_database_link_stream_call   (CnDatabase   *self,
                                              const char   *call_sid,
                                              const char   *uuid,
                                              GError      **error);

/* Follow-ups: a log's follow-up time, until it is done (Mark Done, or a
 * later call logged to the same contact or number). */
typedef struct {
  CnCallLog *log;
  gint64     due_at;       /* the follow-up time, or the snooze's end */
  gint64     reminded_at;  /* when a reminder was last shown, 0 never */
} CnFollowUp;

void          cn_follow_up_free              (CnFollowUp *follow_up);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnFollowUp, cn_follow_up_free)

/* Open follow-ups due at or before @until (0: all), soonest first;
 * element type CnFollowUp. */
GPtrArray    *cn_database_list_follow_ups    (CnDatabase   *self,
                                              gint64        until,
                                              guint         limit,
                                              GError      **error);
/* How many open follow-ups are due at or before @now, counted up to @cap
 * (so a cap of 100 reads about 100 rows, however many are overdue); -1
 * with @error on failure. */
gint          cn_database_count_due_follow_ups (CnDatabase   *self,
                                                gint64        now,
                                                guint         cap,
                                                GError      **error);
/* Open follow-ups due by @now that were not reminded since they fell due
 * (each shows once; a snooze makes it due again). */
GPtrArray    *cn_database_list_due_reminders (CnDatabase   *self,
                                              gint64        now,
                                              GError      **error);
/* The soonest due time of an open follow-up not yet reminded, 0 none. */
gint64        cn_database_next_reminder_at   (CnDatabase   *self,
                                              GError      **error);
gboolean      cn_database_mark_reminded      (CnDatabase   *self,
                                              const char   *uuid,
                                              gint64        at,
                                              GError      **error);
gboolean      cn_database_snooze_follow_up   (CnDatabase   *self,
                                              const char   *uuid,
                                              gint64        until,
                                              GError      **error);
/* Mark Done; adds a "follow_up_done" event. */
gboolean      cn_database_complete_follow_up (CnDatabase   *self,
                                              const char   *uuid,
                                              GError      **error);

G_END_DECLS
