/* fake-servers.h: in-process fakes of the team backend and Ontraport
 *
 * Both follow ../shared/CONTRACTS.md. Each runs a SoupServer on 127.0.0.1 (a
 * free port) in a thread of its own with its own GMainContext, so the code
 * under test may block its own thread or run in a child process. Every
 * request is recorded; faults can be injected per request.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  FAKE_OK = 0,
  FAKE_500,                /* 500 with a JSON error body, nothing stored */
  FAKE_503,                /* 503 with Retry-After: 1, nothing stored */
  FAKE_429,                /* 429, Retry-After: 1 (backend) or X-Rate-Limit-Reset: 1
                            * plus X-Rate-Limit-Limit/Remaining (Ontraport); nothing stored */
  FAKE_401,                /* 401, nothing stored */
  FAKE_400,                /* 400 {"error": "phone is not a valid number"} (backend) or
                            * {"code": 1, "data": "Invalid field"} (Ontraport) */
  FAKE_RESET_BEFORE,       /* the connection is closed without acting or answering */
  FAKE_RESET_AFTER,        /* the request is acted on (stored), then the connection is
                            * closed without an answer */
  FAKE_STALL,              /* acted on, then no answer for stall_seconds (longer than
                            * the client's timeout), then the connection closes */
  FAKE_MALFORMED_JSON,     /* 200 with a body that is not JSON; nothing stored */
  FAKE_HTML,               /* 502 with an HTML error page; nothing stored */
  FAKE_HUGE_BODY,          /* 200 with a 10 MB body; nothing stored */
  FAKE_REDIRECT,           /* 307 to the same path on another host (http://127.0.0.2:port/…
                            * or a second fake listener); nothing stored */
  FAKE_N_FAULTS
} FakeFault;

const char *fake_fault_name (FakeFault fault);

typedef struct {
  char       *method;
  char       *path;          /* without the query */
  char       *query;         /* raw query string, may be NULL */
  GHashTable *headers;       /* lower-cased name → value */
  char       *body;          /* may be NULL */
  FakeFault   fault;         /* what was injected into this request */
  gint64      at;            /* g_get_monotonic_time () on arrival */
} FakeRequest;

typedef struct _FakeServer FakeServer;

typedef enum {
  FAKE_BACKEND,
  FAKE_ONTRAPORT,
} FakeKind;

/* Starts the server in its own thread; aborts the test when it cannot. */
FakeServer *fake_server_new          (FakeKind     kind);
void        fake_server_free         (FakeServer  *self);   /* stops it */

/* "http://127.0.0.1:PORT" (backend) or "http://127.0.0.1:PORT/1" (Ontraport):
 * what goes into backend-url / ontraport-base-url. */
const char *fake_server_get_base_url (FakeServer  *self);

/* Credentials it accepts: "Authorization: Bearer <token>" (backend) or
 * Api-Appid/Api-Key (Ontraport). Anything else gets 401. Change at any time. */
void        fake_server_set_token    (FakeServer  *self,
                                      const char  *token);          /* backend */
void        fake_server_set_api_keys (FakeServer  *self,
                                      const char  *app_id,
                                      const char  *api_key);        /* Ontraport */

/* Faults: each queued fault is used by the next request that arrives (in
 * order); when the queue is empty, a random fault is drawn with probability
 * @random_rate (0..1) from @random_mask (bits 1 << FakeFault) using @seed. */
void        fake_server_queue_fault  (FakeServer  *self,
                                      FakeFault    fault);
void        fake_server_set_random_faults (FakeServer *self,
                                           double      random_rate,
                                           guint       random_mask,
                                           guint32     seed);
void        fake_server_set_stall_seconds (FakeServer *self,
                                           guint       seconds);

/* While refusing, the listening socket is closed (connections are refused,
 * as when the network or the server is down); accepting opens it again on the
 * same port. */
void        fake_server_set_refusing (FakeServer  *self,
                                      gboolean     refusing);

/* Ontraport: the contacts that exist (object type 0) for phone lookups.
 * @phone is stored as given and matched on its last ten digits. */
void        fake_server_add_contact  (FakeServer  *self,
                                      guint        id,
                                      const char  *firstname,
                                      const char  *lastname,
                                      const char  *office_phone);

/* Backend: calls that exist for GET /api/calls/{contact_id} besides those
 * posted (e.g. logged elsewhere: client_id NULL). */
void        fake_server_add_remote_call (FakeServer  *self,
                                         const char  *contact_id,
                                         const char  *client_id,    /* may be NULL */
                                         const char  *outcome,
                                         const char  *notes,
                                         const char  *created_at);  /* ISO 8601 Z */

/* What was received: a copy, element type FakeRequest. */
GPtrArray  *fake_server_get_requests (FakeServer  *self);
guint       fake_server_count_requests (FakeServer *self,
                                        const char *method,
                                        const char *path_prefix);
void        fake_server_clear_requests (FakeServer *self);

/* What was stored. Backend: distinct call records (by client_id), how many
 * POSTs were replays of a key already stored, and how many records share a
 * client_id (must stay 0). Ontraport: notes (object 12) and tasks (object 50
 * or task/assign) created, and how many notes carry a Ref: already used by
 * another note, or tasks repeated (must stay 0). */
guint       fake_server_count_records    (FakeServer *self);   /* backend calls or notes */
guint       fake_server_count_tasks      (FakeServer *self);   /* Ontraport */
guint       fake_server_count_duplicates (FakeServer *self);
guint       fake_server_count_replays    (FakeServer *self);   /* backend */

/* A stored record as JSON text (backend: the last body stored for
 * @client_id, with "id" and, after a PUT, "revision_key"; Ontraport: the note
 * object whose data has "Ref: @client_id"), NULL when none. */
char       *fake_server_dup_record   (FakeServer  *self,
                                      const char  *client_id);
/* Ontraport: every task stored for @contact_id as a JSON array text (each
 * the request body as received, plus "id"), "[]" when none. */
char       *fake_server_dup_tasks    (FakeServer  *self,
                                      guint        contact_id);

/* ---- Added after the first version of this interface ---- */

/* Ontraport: like fake_server_add_contact, with a mobile number too
 * (matched like office_phone). */
void        fake_server_add_contact_full (FakeServer  *self,
                                          guint        id,
                                          const char  *firstname,
                                          const char  *lastname,
                                          const char  *office_phone,
                                          const char  *sms_number);

/* Ontraport: the requests allowed in a rolling 60 s window (default 180).
 * The one over it gets a real 429 (X-Rate-Limit-Remaining: 0 and
 * X-Rate-Limit-Reset: seconds until a slot frees); it is recorded with fault
 * FAKE_OK, does not take a queued fault and does not count into the window.
 * Every request that is let in counts, whatever its answer. */
void        fake_server_set_rate_limit      (FakeServer *self,
                                             guint       per_minute);
guint       fake_server_count_rate_limited  (FakeServer *self);   /* real 429s sent */

/* FAKE_REDIRECT points at a second listener on another host
 * (http://127.0.0.2:PORT/…, or http://localhost:PORT/… where 127.0.0.2
 * cannot be bound). It answers every request 200 as if stored ({"success":
 * true, "id": 999999} or, Ontraport, {"code":0,"data":{"id":"999999"}}), so a
 * client that follows the redirect believes it. Its requests are recorded
 * apart from fake_server_get_requests (). */
guint       fake_server_count_redirect_hits      (FakeServer *self);
gboolean    fake_server_redirect_saw_credentials (FakeServer *self); /* Authorization, Api-Key
                                                                     * or Api-Appid reached it */
GPtrArray  *fake_server_get_redirect_requests    (FakeServer *self); /* copy, FakeRequest */

/* ---- Live events: GET /api/events (Server-Sent Events), backend only ----
 *
 * Needs the Bearer token like every backend path (else 401) and is recorded
 * like every request (fake_server_get_requests: the Last-Event-ID header is
 * headers["last-event-id"], the workspace is in query). It does not take
 * queued faults. A connection that is let in gets, in this order: a BOM
 * (FAKE_SSE_BOM), "retry: N" (FAKE_SSE_RETRY), the backlog (see
 * fake_server_sse_push), a 5 MB line (FAKE_SSE_HUGE_LINE), then whatever is
 * pushed while it is open, with a comment line ":" every heartbeat. */

typedef enum {
  FAKE_SSE_NORMAL     = 0,
  /* Answers instead of a stream (the first one set wins): */
  FAKE_SSE_204        = 1 << 0,   /* 204 No Content */
  FAKE_SSE_500        = 1 << 1,   /* 500 with a JSON error body */
  FAKE_SSE_401        = 1 << 2,   /* 401, whatever the token */
  FAKE_SSE_HTML       = 1 << 3,   /* 200 text/html: a maintenance page */
  /* What a stream does (combine freely): */
  FAKE_SSE_DROP       = 1 << 4,   /* the connection is cut (no end chunk) after
                                   * fake_server_sse_set_drop_after () bytes of body */
  FAKE_SSE_ONE_BYTE   = 1 << 5,   /* every byte its own chunk, each written (flushed)
                                   * before the next is handed over */
  FAKE_SSE_CR         = 1 << 6,   /* every line end (CRLF, LF or CR) rewritten to CR */
  FAKE_SSE_CRLF       = 1 << 7,   /* ... to CRLF */
  FAKE_SSE_LF         = 1 << 8,   /* ... to LF (without any of the three: as pushed) */
  FAKE_SSE_BOM        = 1 << 9,   /* a UTF-8 BOM first */
  FAKE_SSE_RETRY      = 1 << 10,  /* "retry: <fake_server_sse_set_retry_ms ()>" first */
  FAKE_SSE_STALL      = 1 << 11,  /* no heartbeats (pushes still go out) */
  FAKE_SSE_HUGE_LINE  = 1 << 12,  /* after the backlog, "data: " and 5 MB of 'x' in one
                                   * line (made 64 KB at a time), then a blank line */
} FakeSseMode;

#define FAKE_SSE_HUGE_LINE_BYTES (5 * 1024 * 1024)

/* The mode of every following connection (default FAKE_SSE_NORMAL). */
void        fake_server_sse_set_mode          (FakeServer  *self,
                                               FakeSseMode  mode);
/* A mode for one connection: queued modes are used, in order, by the next
 * connections before the one set with fake_server_sse_set_mode (). */
void        fake_server_sse_queue_mode        (FakeServer  *self,
                                               FakeSseMode  mode);
/* Parameters, read when a connection arrives: the heartbeat interval
 * (default 15 000 ms), the body bytes FAKE_SSE_DROP lets through (default
 * 0), the value FAKE_SSE_RETRY sends (default 3000). */
void        fake_server_sse_set_heartbeat_ms  (FakeServer  *self,
                                               guint        ms);
void        fake_server_sse_set_drop_after    (FakeServer  *self,
                                               gsize        bytes);
void        fake_server_sse_set_retry_ms      (FakeServer  *self,
                                               guint        ms);

/* Appends @raw (@len bytes, -1 for a string) to every open stream and to
 * the backlog. Pass whole events ("id: 7\nevent: x\ndata: {}\n\n"): the
 * backlog entry's id is the last "id:" line in @raw (none: no id). A new
 * connection gets the backlog entries after the last one whose id equals its
 * Last-Event-ID; all of them without that header, with an id the backlog
 * does not know, or while replay_all is set. Returns once every open stream
 * has it queued. */
void        fake_server_sse_push              (FakeServer  *self,
                                               const char  *raw,
                                               gssize       len);
/* TRUE: every new connection gets the whole backlog, whatever its
 * Last-Event-ID (a server that sends old events again). */
void        fake_server_sse_set_replay_all    (FakeServer  *self,
                                               gboolean     replay_all);
void        fake_server_sse_clear_backlog     (FakeServer  *self);

/* Requests to /api/events so far (whatever the answer), and the streams
 * open now (a stream whose client hung up is noticed within ~50 ms). */
guint       fake_server_sse_count_connections (FakeServer  *self);
guint       fake_server_sse_count_open        (FakeServer  *self);
/* Ends every open stream properly (the client reads the end of the body). */
void        fake_server_sse_close_all         (FakeServer  *self);

/* ---- Outbound call tasks: GET /api/v1/outbound-calls, backend only ----
 *
 * Lists the tasks added here (and those initiate created, status
 * "dialing"), in the order added, filtered by ?status= (one of the
 * contract's statuses, else 400) with real pagination: page (from 1),
 * limit (default 20, at most 100), total = every task the filter matches.
 * POST /api/v1/outbound-calls/initiate checks the contract's body (400 when
 * recipient_number is missing) and answers {"id": <uuid>, "status":
 * "dialing"}; find the requests with fake_server_get_requests. A task
 * added with status "failed" gets a failure_reason. Both paths take queued
 * faults like every other. */
void        fake_server_add_outbound_call (FakeServer  *self,
                                           const char  *id,
                                           const char  *name,          /* may be NULL */
                                           const char  *number,
                                           const char  *status,
                                           const char  *scheduled_at); /* ISO 8601 Z, may be NULL */

/* ---- HTTPS ----
 *
 * A fake that speaks only HTTPS on its port, with one of the test
 * certificates in tests/data/tls (test fixtures, not secrets: see
 * make-certs.py there). All are signed by a test CA that no system trusts,
 * so a client with the default trust refuses every one of them; a test that
 * trusts fake_server_tls_ca_file () (its own GTlsDatabase) sees the
 * certificate's own fault, if any. The base URL starts with https://; the
 * FAKE_REDIRECT listener stays plain HTTP. Everything else works as with
 * fake_server_new (). */

typedef enum {
  FAKE_TLS_NONE = 0,     /* plain HTTP: the same as fake_server_new () */
  FAKE_TLS_LOCALHOST,    /* for 127.0.0.1 and localhost, valid 2020-2120 */
  FAKE_TLS_EXPIRED,      /* the same names, expired in 2001 */
  FAKE_TLS_WRONG_HOST,   /* valid, but for wrong-host.invalid only */
} FakeTls;

FakeServer *fake_server_new_https    (FakeKind     kind,
                                      FakeTls      tls);
/* The test CA's certificate (PEM), for g_tls_file_database_new (). */
const char *fake_server_tls_ca_file  (void);

void        fake_request_free        (FakeRequest *request);

G_END_DECLS
