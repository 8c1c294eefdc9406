/* cn-sse-parser.h: Server-Sent Events, parsed as the WHATWG EventSource
 * rules say (HTML Living Standard, "Parsing an event stream")
 *
 * Bytes go in as they arrive, in chunks of any size; complete events come
 * out through a callback. Pure: no I/O, GLib only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CN_SSE_ERROR (cn_sse_error_quark ())

typedef enum {
  CN_SSE_ERROR_TOO_LARGE,   /* a line, or an event's data, passed the limit */
  CN_SSE_ERROR_INVALID,     /* not UTF-8 */
} CnSseError;

GQuark cn_sse_error_quark (void);

typedef struct {
  const char *type;          /* "message" when the stream gave none */
  const char *data;          /* lines joined with "\n", no trailing "\n" */
  gsize       data_length;
  const char *last_event_id; /* the stream's last event id after this event ("" none) */
} CnSseEvent;

/* Called for each complete event; the pointers are valid during the call. */
typedef void (*CnSseEventFunc) (const CnSseEvent *event,
                                gpointer          user_data);

typedef struct _CnSseParser CnSseParser;

/* @max_bytes bounds one line and one event's data (e.g. 1 MB); past it,
 * feed() fails with CN_SSE_ERROR_TOO_LARGE and the parser keeps no more
 * than that in memory. */
CnSseParser *cn_sse_parser_new               (gsize           max_bytes,
                                              CnSseEventFunc  on_event,
                                              gpointer        user_data);
void         cn_sse_parser_free              (CnSseParser    *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnSseParser, cn_sse_parser_free)

/* Feeds the next bytes of the stream. A leading UTF-8 BOM of the stream is
 * dropped; lines end with CRLF, LF or a lone CR (a CR at the end of a chunk
 * ends its line at once; an LF starting the next chunk is then skipped).
 * FALSE on an error (the connection should be dropped). */
gboolean     cn_sse_parser_feed              (CnSseParser    *self,
                                              const char     *data,
                                              gsize           length,
                                              GError        **error);

/* A new connection: the BOM may come again, partial lines and the event
 * being built are dropped (an unterminated event at the end of a stream is
 * discarded). The last event id and the retry time are kept. */
void         cn_sse_parser_reset             (CnSseParser    *self);

/* The last event id ("" none): sent as Last-Event-ID on reconnect; set it
 * from what was stored before a restart. */
const char  *cn_sse_parser_get_last_event_id (CnSseParser    *self);
void         cn_sse_parser_set_last_event_id (CnSseParser    *self,
                                              const char     *id);

/* The reconnection time the stream asked for with "retry:" (milliseconds),
 * or -1 when it did not. */
gint64       cn_sse_parser_get_retry         (CnSseParser    *self);

/* The memory the parser holds for the stream, in bytes: the sizes of its
 * buffers (the line cut by a chunk's end, the data, the event type, the
 * last event id and the one being set). Whatever the stream sends, each
 * holds at most @max_bytes + 2 bytes, or a small floor; buffers that grew
 * large are given back by reset() and after an error. */
gsize        cn_sse_parser_get_buffered_bytes (CnSseParser   *self);

G_END_DECLS
