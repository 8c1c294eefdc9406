/* cn-event-stream.h: the backend's live events (GET /api/events, SSE)
 *
 * Connects with the backend's URL, token and workspace from CnSyncConfig,
 * parses with CnSseParser, keeps the last event id in the database (a
 * restart resumes where it stopped), drops events of other workspaces and
 * events seen before, stores calls, and reconnects: after the server's
 * retry time (default 3 s) plus backoff with jitter while failures repeat,
 * and at once when the network comes back. No byte for 45 s is a dead
 * connection. A non-200 answer or another Content-Type stops the stream
 * with a reason; 401/403 waits for new credentials.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cn-database.h"
#include "cn-live-store.h"
#include "cn-sync-config.h"

G_BEGIN_DECLS

typedef enum {
  CN_STREAM_OFF,              /* not started, or the backend is not set up */
  CN_STREAM_CONNECTING,
  CN_STREAM_CONNECTED,
  CN_STREAM_RECONNECTING,     /* waiting before the next try */
  CN_STREAM_STOPPED,          /* the server's answer was not an event stream */
  CN_STREAM_NEEDS_CREDENTIALS /* 401/403: waits for set_config with new ones */
} CnStreamState;

#define CN_TYPE_EVENT_STREAM (cn_event_stream_get_type ())
G_DECLARE_FINAL_TYPE (CnEventStream, cn_event_stream, CN, EVENT_STREAM, GObject)

/* @monitor may be NULL (the default GNetworkMonitor). */
CnEventStream *cn_event_stream_new          (CnDatabase         *database,
                                             const CnSyncConfig *config,
                                             GNetworkMonitor    *monitor);
void           cn_event_stream_start        (CnEventStream      *self);
void           cn_event_stream_stop         (CnEventStream      *self);
void           cn_event_stream_set_config   (CnEventStream      *self,
                                             const CnSyncConfig *config);

CnStreamState  cn_event_stream_get_state    (CnEventStream      *self);
/* What the Sync page shows about the stream, in plain words. */
const char    *cn_event_stream_get_message  (CnEventStream      *self);

/* Tests and benchmarks: the dead-connection timeout and the default retry
 * (milliseconds; 0 keeps the default of 45 000 and 3 000). */
void           cn_event_stream_set_timeouts (CnEventStream      *self,
                                             guint               dead_ms,
                                             guint               retry_ms);

/* Signals:
 *  "event" (const char *type, const char *data): every new event of our
 *      workspace, raw (for `callnotes listen`);
 *  "live-call" (CnStreamCall *call): a live_call event (the call is
 *      stored first);
 *  "call-completed" (CnStreamCall *call): a call_completed event;
 *  "state-changed" (void).
 * The CnStreamCall is passed as a G_TYPE_POINTER, valid during the emission
 * (cn_stream_call_copy() keeps it). A handler may stop or drop the stream;
 * nothing more is emitted then. */

G_END_DECLS
