/* cn-event-stream.c: the backend's live events (GET /api/events, SSE)
 *
 * One connection at a time. Its state lives in a Connection that the
 * stream points at while it is current; stopping, a dead connection, a
 * network change or new settings "abandon" it: it is cancelled and
 * detached, and the callback of the operation it was waiting for frees it
 * without touching the stream. So no callback ever reaches a stream that
 * was stopped or freed.
 *
 * Every callback that may emit a signal holds a reference on the stream
 * and, after each emission, looks whether a handler stopped it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-live"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "cn-backoff.h"
#include "cn-event-stream.h"
#include "cn-format.h"
#include "cn-sse-parser.h"
#include "cn-sync-json.h"

/* One line, and one event's data, may hold this much (the messages say
 * "1 MB"). */
#define MAX_EVENT_BYTES        (1024 * 1024)
#define READ_CHUNK             (16 * 1024)
#define DEFAULT_DEAD_MS        45000
#define DEFAULT_RETRY_MS       3000
/* A server's "retry:" is honoured up to this. */
#define MAX_RETRY_MS           (10 * 60 * 1000)
/* Backoff on repeated failures: drawn below retry * 2^(failures - 1), at
 * least this base, at most the cap. */
#define BACKOFF_MIN_BASE_MS    100
#define BACKOFF_CAP_MS         (5 * 60 * 1000)
#define MAX_FAILURES           64
/* A connection that lasted this long counts as good even without events. */
#define HEALTHY_CONNECTION_US  (60 * G_USEC_PER_SEC)
/* What the store accepts; a longer id counts as none. */
#define MAX_EVENT_ID_BYTES     256
#define MAX_JSON_DEPTH         32
#define LAST_EVENT_ID_KEY      "stream.last-event-id"

typedef struct
{
  CnEventStream *self;          /* not a reference; NULL once detached */
  GCancellable  *cancellable;   /* the request's and the reads' */
  SoupMessage   *message;
  GInputStream  *stream;
  guint          dead_id;
  gint64         last_byte_at;  /* monotonic: the last byte, or the request */
  gint64         opened_at;     /* monotonic: the 200 answer, 0 none yet */
  char          *seen_id;       /* the last event id reported on this connection */
  gboolean       delivered;     /* the stream gave at least one event */
  gboolean       abandoned;     /* its pending callback only frees it */
} Connection;

struct _CnEventStream
{
  GObject          parent_instance;

  CnDatabase      *database;
  CnSyncConfig    *config;
  GNetworkMonitor *monitor;
  gboolean         own_monitor;     /* the default one: loopback is always reachable */
  gboolean         network_available;
  SoupSession     *session;
  GRand           *rand;
  CnSseParser     *parser;
  gboolean         parser_stale;    /* another server: a fresh parser on the next answer */

  gboolean         running;
  CnStreamState    state;
  char            *message;
  Connection      *conn;
  Connection      *feeding;         /* whose bytes the parser is reading */
  guint            retry_id;
  guint            failures;        /* connections in a row that gave nothing */
  char            *last_event_id;   /* sent as Last-Event-ID; "" none */

  guint            dead_ms;
  guint            retry_ms;
};

G_DEFINE_FINAL_TYPE (CnEventStream, cn_event_stream, G_TYPE_OBJECT)

enum {
  SIGNAL_EVENT,
  SIGNAL_LIVE_CALL,
  SIGNAL_CALL_COMPLETED,
  SIGNAL_STATE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void connect_now (CnEventStream *self);

/* State */

static void
set_state (CnEventStream *self,
           CnStreamState  state,
           const char    *message)
{
  if (message == NULL)
    message = "";

  if (self->state == state && g_strcmp0 (self->message, message) == 0)
    return;

  self->state = state;
  g_free (self->message);
  self->message = g_strdup (message);
  g_debug ("State %d: %s", state, message);
  g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0);
}

static gboolean
host_is_loopback (const char *url)
{
  g_autoptr(GUri) uri = url != NULL ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;
  const char *host = uri != NULL ? g_uri_get_host (uri) : NULL;
  g_autoptr(GInetAddress) address = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

static gboolean
network_ok (CnEventStream *self)
{
  return self->network_available ||
         (self->own_monitor && host_is_loopback (self->config->backend_url));
}

/* Why the stream cannot connect with this configuration; NULL when it can. */
static char *
setup_problem (CnEventStream *self)
{
  const CnSyncConfig *config = self->config;
  g_autoptr(GError) error = NULL;

  if (!config->backend_enabled)
    return g_strdup (_("Sync with the backend is off, so live events are off too."));
  if (config->backend_url == NULL || *config->backend_url == '\0')
    return g_strdup (_("No backend address is set."));
  if (!cn_sync_check_base_url (config->backend_url, &error))
    return g_strdup (error->message);
  if (config->backend_token == NULL || *config->backend_token == '\0')
    return g_strdup (_("No backend token is set."));

  return NULL;
}

static char *
no_network_message (void)
{
  return g_strdup (_("No network. Live events resume when it is back."));
}

/* Connections */

static Connection *
connection_new (CnEventStream *self,
                SoupMessage   *message)
{
  Connection *conn = g_new0 (Connection, 1);

  conn->self = self;
  conn->cancellable = g_cancellable_new ();
  conn->message = message;
  conn->seen_id = g_strdup ("");
  conn->last_byte_at = g_get_monotonic_time ();

  return conn;
}

static void
connection_detach (Connection *conn)
{
  if (conn->self != NULL && conn->self->conn == conn)
    conn->self->conn = NULL;
  conn->self = NULL;
  g_clear_handle_id (&conn->dead_id, g_source_remove);
}

/* Only when no operation of @conn is pending. */
static void
connection_free (Connection *conn)
{
  connection_detach (conn);
  /* Closing an unfinished body drops its connection (libsoup does not read
   * the rest). */
  g_clear_object (&conn->stream);
  g_clear_object (&conn->message);
  g_clear_object (&conn->cancellable);
  g_free (conn->seen_id);
  g_free (conn);
}

/* An operation of @conn is pending: its callback frees it. */
static void
connection_abandon (Connection *conn)
{
  connection_detach (conn);
  conn->abandoned = TRUE;
  g_cancellable_cancel (conn->cancellable);
}

/* Drops the connection, if any, and the reconnect timer. */
static void
drop_connection (CnEventStream *self)
{
  g_clear_handle_id (&self->retry_id, g_source_remove);
  if (self->conn != NULL)
    connection_abandon (self->conn);
}

static void
on_retry (gpointer user_data)
{
  g_autoptr(CnEventStream) self = g_object_ref (CN_EVENT_STREAM (user_data));

  self->retry_id = 0;
  connect_now (self);
}

static gint64
retry_delay_ms (CnEventStream *self)
{
  gint64 server_retry = cn_sse_parser_get_retry (self->parser);
  gint64 retry = server_retry >= 0 ? MIN (server_retry, MAX_RETRY_MS) : self->retry_ms;
  gint64 base = MAX (retry, BACKOFF_MIN_BASE_MS);

  return retry + cn_backoff_delay_ms (self->failures, base, MAX (base, BACKOFF_CAP_MS),
                                      self->rand);
}

static void
schedule_reconnect (CnEventStream *self,
                    const char    *message)
{
  g_clear_handle_id (&self->retry_id, g_source_remove);

  if (!self->running)
    return;

  if (!network_ok (self))
    {
      g_autofree char *waiting = no_network_message ();

      set_state (self, CN_STREAM_RECONNECTING, waiting);
      return;
    }

  self->retry_id = g_timeout_add_once ((guint) retry_delay_ms (self), on_retry, self);
  set_state (self, CN_STREAM_RECONNECTING, message);
}

/* @conn ended without our asking (end of the body, an error, silence, an
 * event too large): forget it and try again later. @pending: an operation
 * of it is still under way. */
static void
connection_lost (CnEventStream *self,
                 Connection    *conn,
                 const char    *message,
                 gboolean       pending)
{
  gboolean healthy = conn->delivered ||
                     (conn->opened_at > 0 &&
                      g_get_monotonic_time () - conn->opened_at >= HEALTHY_CONNECTION_US);

  if (pending)
    connection_abandon (conn);
  else
    connection_free (conn);

  self->failures = healthy ? 0 : MIN (self->failures + 1, MAX_FAILURES);
  schedule_reconnect (self, message);
}

static gboolean on_dead (gpointer user_data);

static void
arm_dead_timer (Connection *conn,
                gint64      delay_ms)
{
  g_clear_handle_id (&conn->dead_id, g_source_remove);
  conn->dead_id = g_timeout_add ((guint) MAX (delay_ms, 1), on_dead, conn);
}

static gboolean
on_dead (gpointer user_data)
{
  Connection *conn = user_data;
  g_autoptr(CnEventStream) self = g_object_ref (conn->self);
  gint64 silent_ms = (g_get_monotonic_time () - conn->last_byte_at) / 1000;
  g_autofree char *message = NULL;

  conn->dead_id = 0;

  if (silent_ms < self->dead_ms)
    {
      arm_dead_timer (conn, self->dead_ms - silent_ms);
      return G_SOURCE_REMOVE;
    }

  message = g_strdup_printf (_("Nothing came from the backend for %u seconds. Reconnecting…"),
                             (self->dead_ms + 999) / 1000);
  connection_lost (self, conn, message, TRUE);

  return G_SOURCE_REMOVE;
}

/* Words for a connection on @message that failed without an answer. */
static char *
transport_message (SoupMessage *message,
                   GError      *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_strdup (_("The backend refused the connection. Reconnecting…"));
  if (error->domain == G_RESOLVER_ERROR)
    return g_strdup (_("The backend's name could not be found (no network?). Reconnecting…"));
  if (error->domain == G_TLS_ERROR)
    {
      g_autofree char *words = cn_sync_tls_words (message, error);

      /* Translators: %s says what is wrong, e.g. "the server’s certificate has expired" */
      return g_strdup_printf (_("Could not connect securely to the backend: %s. Reconnecting…"),
                              words);
    }

  return g_strdup_printf (_("The connection to the backend was lost: %s. Reconnecting…"),
                          error->message);
}

/* Events */

/* FALSE when @data nests arrays/objects deeper than json-glib should
 * recurse. Strings are skipped; the rest need not be valid JSON. */
static gboolean
json_nesting_ok (const char *data,
                 gsize       length)
{
  guint depth = 0;
  gboolean in_string = FALSE, escaped = FALSE;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (escaped)
            escaped = FALSE;
          else if (c == '\\')
            escaped = TRUE;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > MAX_JSON_DEPTH)
            return FALSE;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }

  return TRUE;
}

/* A non-empty string member of at most @max bytes, else NULL. */
static const char *
member_text (JsonObject *object,
             const char *name,
             gsize       max)
{
  JsonNode *node = json_object_get_member (object, name);
  const char *text;

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  text = json_node_get_string (node);
  if (text == NULL || *text == '\0' || strlen (text) > max)
    return NULL;

  return text;
}

/* An id given as a string or a whole number. */
static char *
member_id (JsonObject *object,
           const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));

  return g_strdup (member_text (object, name, CN_CALL_LOG_MAX_FIELD));
}

/* Whole seconds >= 0 (a number), else -1. */
static gint64
member_seconds (JsonObject *object,
                const char *name)
{
  JsonNode *node = json_object_get_member (object, name);
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return -1;

  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    return json_node_get_int (node) >= 0 ? json_node_get_int (node) : -1;
  if (type == G_TYPE_DOUBLE)
    {
      double value = json_node_get_double (node);

      /* Up to ten years: more is not a call. */
      if (value >= 0 && value < 10.0 * 366 * 24 * 3600)
        return (gint64) value;
    }

  return -1;
}

static gint64
member_time (JsonObject *object,
             const char *name)
{
  const char *text = member_text (object, name, 64);
  gint64 seconds = 0;

  if (text == NULL || !cn_parse_iso8601 (text, &seconds) || seconds <= 0)
    return 0;

  return seconds;
}

/* The step a live_call status adds to the call's sequence. */
static char *
live_step (const char *status)
{
  static const struct {
    const char *status;
    const char *step;
  } steps[] = {
    { "picked", "answered" },
    { "answer", "answered" },
    { "answered", "answered" },
    { "connected", "answered" },
    { "in-progress", "answered" },
    { "in_progress", "answered" },
    { "ringing", "ringing" },
    { "ring", "ringing" },
    { "incoming", "incoming" },
    { "initiated", "dialing" },
    { "queued", "dialing" },
    { "dialing", "dialing" },
    { "hangup", "ended" },
    { "ended", "ended" },
  };
  g_autofree char *lower = NULL;
  GString *step;

  if (status == NULL)
    return g_strdup ("live");

  lower = g_ascii_strdown (status, -1);
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (g_str_equal (lower, steps[i].status))
      return g_strdup (steps[i].step);

  /* Anything else: its lower-cased letters, digits, '-' and '_'. */
  step = g_string_new (NULL);
  for (const char *p = lower; *p != '\0' && step->len < 32; p++)
    if (g_ascii_isalnum (*p) || *p == '-' || *p == '_')
      g_string_append_c (step, *p);
  if (step->len == 0)
    g_string_append (step, "live");

  return g_string_free (step, FALSE);
}

static gboolean
is_web_address (const char *text)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (text == NULL)
    return FALSE;

  uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return FALSE;

  scheme = g_uri_get_scheme (uri);
  return g_ascii_strcasecmp (scheme, "https") == 0 || g_ascii_strcasecmp (scheme, "http") == 0;
}

/* Stores what a live_call / call_completed event says; the call as stored
 * (merged with earlier events), NULL when the event names no call. */
static CnStreamCall *
store_call (CnEventStream *self,
            JsonObject    *object,
            gboolean       completed)
{
  g_autoptr(CnStreamCall) call = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *step = NULL;
  const char *sid = member_text (object, "call_sid", 256);
  const char *direction = member_text (object, "direction", 32);
  const char *phone;
  JsonNode *contact;
  CnStreamCall *stored;

  if (sid == NULL)
    {
      g_debug ("A call event without a usable call_sid was not stored");
      return NULL;
    }

  call = cn_stream_call_new ();
  call->call_sid = g_strdup (sid);
  call->status = g_strdup (member_text (object, "status", 64));
  call->completed = completed;
  call->duration_seconds = member_seconds (object, "duration_seconds");

  if (direction != NULL)
    {
      g_autofree char *lower = g_ascii_strdown (direction, -1);

      if (g_str_equal (lower, "inbound") || g_str_equal (lower, "outbound"))
        call->direction = g_steal_pointer (&lower);
    }

  /* The other party: "phone", else "to" of an outbound call (also when the
   * direction is not given: Callnotes places the agent's calls) and "from"
   * of an inbound one. */
  phone = member_text (object, "phone", 128);
  if (phone == NULL)
    {
      gboolean inbound = g_strcmp0 (call->direction, "inbound") == 0;

      phone = member_text (object, inbound ? "from" : "to", 128);
      if (phone == NULL)
        phone = member_text (object, inbound ? "to" : "from", 128);
    }
  call->phone = g_strdup (phone);

  contact = json_object_get_member (object, "contact");
  if (contact != NULL && JSON_NODE_HOLDS_OBJECT (contact))
    {
      JsonObject *contact_object = json_node_get_object (contact);

      call->contact_id = member_id (contact_object, "id");
      call->contact_name = g_strdup (member_text (contact_object, "name",
                                                  CN_CALL_LOG_MAX_FIELD));
    }

  if (is_web_address (member_text (object, "recording_url", 2048)))
    call->recording_url = g_strdup (member_text (object, "recording_url", 2048));

  call->started_at = member_time (object, "started_at");
  call->ended_at = member_time (object, "ended_at");
  call->received_at = g_get_real_time () / G_USEC_PER_SEC;

  step = completed ? g_strdup ("completed") : live_step (call->status);

  if (!cn_database_store_stream_call (self->database, call, step, &error))
    {
      g_message ("Could not store the live call: %s", error->message);
      return g_steal_pointer (&call);
    }

  stored = cn_database_get_stream_call (self->database, sid, &error);
  if (stored == NULL)
    {
      g_message ("Could not read the stored live call back: %s", error->message);
      return g_steal_pointer (&call);
    }

  return stored;
}

/* Keeps the last event id (sent on reconnect, kept across restarts). */
static void
remember_last_event_id (CnEventStream *self,
                        const char    *id)
{
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (self->last_event_id, id) == 0)
    return;

  g_free (self->last_event_id);
  self->last_event_id = g_strdup (id);

  if (!cn_database_set_value (self->database, LAST_EVENT_ID_KEY, *id != '\0' ? id : NULL, &error))
    g_message ("Could not keep the live stream's position: %s", error->message);
}

/* @id: the id the event carried, NULL none. */
static void
handle_event (CnEventStream *self,
              Connection    *conn,
              const char    *type,
              const char    *data,
              gsize          length,
              const char    *id)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CnStreamCall) call = NULL;
  const char *workspace = self->config->workspace_id;
  gboolean live_call = g_str_equal (type, "live_call");
  gboolean completed = g_str_equal (type, "call_completed");
  JsonObject *object;
  JsonNode *root;

  if (!json_nesting_ok (data, length))
    {
      g_debug ("A live event (%s) nested too deeply was ignored", type);
      return;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) length, &error))
    {
      g_debug ("A live event (%s) that is not JSON was ignored: %s", type, error->message);
      return;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_debug ("A live event (%s) that is not a JSON object was ignored", type);
      return;
    }
  object = json_node_get_object (root);

  if (workspace != NULL && *workspace != '\0' &&
      g_strcmp0 (member_text (object, "workspace_id", 1024), workspace) != 0)
    {
      g_debug ("A live event (%s) of another workspace was dropped", type);
      return;
    }

  if (id != NULL && *id != '\0')
    {
      gboolean first = TRUE;

      if (!cn_database_note_stream_event (self->database, id, &first, &error))
        g_message ("Could not note a live event as seen: %s", error->message);
      else if (!first)
        {
          g_debug ("A live event (%s) seen before was dropped", type);
          return;
        }
    }

  if (live_call || completed)
    call = store_call (self, object, completed);

  g_signal_emit (self, signals[SIGNAL_EVENT], 0, type, data);
  if (conn->abandoned || call == NULL)
    return;

  g_signal_emit (self, signals[completed ? SIGNAL_CALL_COMPLETED : SIGNAL_LIVE_CALL], 0, call);
}

static void
on_parser_event (const CnSseEvent *event,
                 gpointer          user_data)
{
  CnEventStream *self = user_data;
  Connection *conn = self->feeding;
  const char *id = NULL;

  if (conn == NULL || conn->abandoned)
    return;

  conn->delivered = TRUE;

  /* The parser reports the stream's last id with every event; it starts
   * each connection at "", so a change means this event had an "id" field.
   * (An event without one repeats the id before it: not deduplicated.) */
  if (g_strcmp0 (event->last_event_id, conn->seen_id) != 0)
    {
      g_free (conn->seen_id);
      conn->seen_id = g_strdup (event->last_event_id);

      if (strlen (event->last_event_id) <= MAX_EVENT_ID_BYTES)
        {
          id = event->last_event_id;
          remember_last_event_id (self, id);
        }
      else
        g_debug ("A live event id longer than %d bytes was ignored", MAX_EVENT_ID_BYTES);
    }

  handle_event (self, conn, event->type, event->data, event->data_length, id);
}

/* Reading */

static void on_read (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data);

static void
read_next (Connection *conn)
{
  g_input_stream_read_bytes_async (conn->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   conn->cancellable, on_read, conn);
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Connection *conn = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result,
                                                              &error);
  g_autoptr(CnEventStream) self = NULL;
  gboolean fed;

  if (conn->abandoned)
    {
      connection_free (conn);
      return;
    }

  self = g_object_ref (conn->self);

  if (bytes == NULL)
    {
      g_autofree char *message = transport_message (conn->message, error);

      connection_lost (self, conn, message, FALSE);
      return;
    }

  if (g_bytes_get_size (bytes) == 0)
    {
      connection_lost (self, conn,
                       _("The backend ended the live event stream. Reconnecting…"), FALSE);
      return;
    }

  conn->last_byte_at = g_get_monotonic_time ();

  self->feeding = conn;
  fed = cn_sse_parser_feed (self->parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                            &error);
  self->feeding = NULL;

  if (conn->abandoned)
    {
      /* A handler stopped the stream or changed its settings. */
      connection_free (conn);
      return;
    }

  if (!fed)
    {
      g_autofree char *message = NULL;

      g_debug ("Dropping the live event connection: %s", error->message);
      if (g_error_matches (error, CN_SSE_ERROR, CN_SSE_ERROR_TOO_LARGE))
        message = g_strdup (_("The backend sent a line or an event larger than 1 MB; the "
                              "connection was dropped. Reconnecting…"));
      else
        message = g_strdup (_("The backend sent something that is not an event stream; the "
                              "connection was dropped. Reconnecting…"));
      connection_lost (self, conn, message, FALSE);
      return;
    }

  read_next (conn);
}

static char *
sanitized_header (const char *value)
{
  g_autofree char *valid = g_utf8_make_valid (value != NULL ? value : "", -1);
  GString *out = g_string_new (NULL);

  for (const char *p = valid; *p != '\0' && out->len < 64; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isprint (c))
        g_string_append_unichar (out, c);
    }

  return g_string_free (out, FALSE);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Connection *conn = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CnEventStream) self = NULL;
  SoupMessageHeaders *headers;
  const char *content_type;
  guint status;

  conn->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);

  if (conn->abandoned)
    {
      connection_free (conn);
      return;
    }

  self = g_object_ref (conn->self);

  if (conn->stream == NULL)
    {
      g_autofree char *message = transport_message (conn->message, error);

      connection_lost (self, conn, message, FALSE);
      return;
    }

  status = soup_message_get_status (conn->message);
  headers = soup_message_get_response_headers (conn->message);
  content_type = soup_message_headers_get_content_type (headers, NULL);

  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
    {
      g_autofree char *message =
        g_strdup_printf (_("The backend refused the token (it answered %u). Live events resume "
                           "when a new token is set."), status);

      connection_free (conn);
      self->failures = 0;
      set_state (self, CN_STREAM_NEEDS_CREDENTIALS, message);
      return;
    }

  if (status != SOUP_STATUS_OK)
    {
      g_autofree char *message = NULL;

      if (status == SOUP_STATUS_NO_CONTENT)
        message = g_strdup (_("The backend has no live events for this workspace (it answered "
                              "204). Live events are off until the settings change or "
                              "Callnotes restarts."));
      else
        message = g_strdup_printf (_("The backend answered %u; live events are off until the "
                                     "settings change or Callnotes restarts."), status);

      connection_free (conn);
      self->failures = 0;
      set_state (self, CN_STREAM_STOPPED, message);
      return;
    }

  if (content_type == NULL || g_ascii_strcasecmp (content_type, "text/event-stream") != 0)
    {
      g_autofree char *shown = sanitized_header (content_type);
      g_autofree char *message =
        g_strdup_printf (_("The backend did not answer with an event stream (it sent “%s”); "
                           "live events are off until the settings change or Callnotes "
                           "restarts."), shown);

      connection_free (conn);
      self->failures = 0;
      set_state (self, CN_STREAM_STOPPED, message);
      return;
    }

  /* A new stream: a BOM may come again, nothing half-read is kept. The
   * parser reports ids from "" on, so that an event repeating the id we
   * asked to resume after is still recognised as carrying it. */
  if (self->parser_stale)
    {
      cn_sse_parser_free (self->parser);
      self->parser = cn_sse_parser_new (MAX_EVENT_BYTES, on_parser_event, self);
      self->parser_stale = FALSE;
    }
  cn_sse_parser_set_last_event_id (self->parser, "");
  cn_sse_parser_reset (self->parser);

  conn->opened_at = conn->last_byte_at = g_get_monotonic_time ();
  set_state (self, CN_STREAM_CONNECTED, _("Connected: live events arrive as they happen."));
  if (conn->abandoned)
    {
      connection_free (conn);
      return;
    }

  read_next (conn);
}

static char *
events_url (CnEventStream *self)
{
  const char *base = self->config->backend_url;
  const char *workspace = self->config->workspace_id;
  gsize base_len = strlen (base);
  GString *url = g_string_new (NULL);

  while (base_len > 0 && base[base_len - 1] == '/')
    base_len--;

  g_string_append_len (url, base, (gssize) base_len);
  g_string_append (url, "/api/events");
  if (workspace != NULL && *workspace != '\0')
    {
      g_autofree char *escaped = g_uri_escape_string (workspace, NULL, FALSE);

      g_string_append (url, "?workspace=");
      g_string_append (url, escaped);
    }

  return g_string_free (url, FALSE);
}

static void
connect_now (CnEventStream *self)
{
  g_autofree char *problem = NULL;
  g_autofree char *url = NULL;
  g_autofree char *authorization = NULL;
  SoupMessageHeaders *headers;
  SoupMessage *message;
  Connection *conn;

  g_clear_handle_id (&self->retry_id, g_source_remove);

  if (!self->running || self->conn != NULL)
    return;

  problem = setup_problem (self);
  if (problem != NULL)
    {
      set_state (self, CN_STREAM_OFF, problem);
      return;
    }

  if (!network_ok (self))
    {
      g_autofree char *waiting = no_network_message ();

      set_state (self, CN_STREAM_RECONNECTING, waiting);
      return;
    }

  set_state (self, CN_STREAM_CONNECTING, _("Connecting to the backend's live events…"));
  /* A handler may have stopped the stream, or connected it again. */
  if (!self->running || self->conn != NULL || self->state != CN_STREAM_CONNECTING)
    return;

  url = events_url (self);
  message = soup_message_new (SOUP_METHOD_GET, url);
  if (message == NULL)
    {
      set_state (self, CN_STREAM_OFF,
                 _("The backend address is not valid. Check it in Preferences."));
      return;
    }

  /* Credentials must not follow a redirect to another host. */
  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  headers = soup_message_get_request_headers (message);
  soup_message_headers_replace (headers, "Accept", "text/event-stream");
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  authorization = g_strconcat ("Bearer ", self->config->backend_token, NULL);
  soup_message_headers_replace (headers, "Authorization", authorization);
  explicit_bzero (authorization, strlen (authorization));
  if (self->last_event_id != NULL && *self->last_event_id != '\0')
    soup_message_headers_replace (headers, "Last-Event-ID", self->last_event_id);

  conn = connection_new (self, message);
  self->conn = conn;
  arm_dead_timer (conn, self->dead_ms);

  g_debug ("Connecting to the live events%s%s",
           *self->last_event_id != '\0' ? " after event " : "", self->last_event_id);
  soup_session_send_async (self->session, message, G_PRIORITY_DEFAULT, conn->cancellable,
                           on_sent, conn);
}

static void
on_network_changed (GNetworkMonitor *monitor,
                    gboolean         available,
                    gpointer         user_data)
{
  g_autoptr(CnEventStream) self = g_object_ref (CN_EVENT_STREAM (user_data));
  gboolean was = self->network_available;

  self->network_available = g_network_monitor_get_network_available (monitor);

  if (!self->running || was == self->network_available)
    return;
  if (self->own_monitor && host_is_loopback (self->config->backend_url))
    return;
  /* These wait for the settings (or a restart), not for the network. */
  if (self->state == CN_STREAM_OFF || self->state == CN_STREAM_STOPPED ||
      self->state == CN_STREAM_NEEDS_CREDENTIALS)
    return;

  drop_connection (self);

  if (!self->network_available)
    {
      g_autofree char *waiting = no_network_message ();

      set_state (self, CN_STREAM_RECONNECTING, waiting);
    }
  else
    {
      /* Back: at once, and without the backoff of the failures while it
       * was gone. */
      self->failures = 0;
      connect_now (self);
    }
}

/* GObject */

static void
stop_quietly (CnEventStream *self)
{
  self->running = FALSE;
  drop_connection (self);
}

static void
cn_event_stream_dispose (GObject *object)
{
  CnEventStream *self = CN_EVENT_STREAM (object);

  stop_quietly (self);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (cn_event_stream_parent_class)->dispose (object);
}

static void
cn_event_stream_finalize (GObject *object)
{
  CnEventStream *self = CN_EVENT_STREAM (object);

  g_clear_object (&self->database);
  g_clear_pointer (&self->config, cn_sync_config_free);
  g_clear_pointer (&self->parser, cn_sse_parser_free);
  g_clear_pointer (&self->rand, g_rand_free);
  g_free (self->message);
  g_free (self->last_event_id);

  G_OBJECT_CLASS (cn_event_stream_parent_class)->finalize (object);
}

static void
cn_event_stream_class_init (CnEventStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cn_event_stream_dispose;
  object_class->finalize = cn_event_stream_finalize;

  /**
   * CnEventStream::event:
   * @type: the event's type ("message" when the stream gave none)
   * @data: its data (a JSON object)
   *
   * Every new event of our workspace, raw.
   */
  signals[SIGNAL_EVENT] = g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                        G_TYPE_STRING, G_TYPE_STRING);
  /**
   * CnEventStream::live-call:
   * @call: (type gpointer): the CnStreamCall as stored, valid during the emission
   */
  signals[SIGNAL_LIVE_CALL] = g_signal_new ("live-call", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 1, G_TYPE_POINTER);
  /**
   * CnEventStream::call-completed:
   * @call: (type gpointer): the CnStreamCall as stored, valid during the emission
   */
  signals[SIGNAL_CALL_COMPLETED] = g_signal_new ("call-completed", G_TYPE_FROM_CLASS (klass),
                                                 G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                 G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIGNAL_STATE_CHANGED] = g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass),
                                                G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                G_TYPE_NONE, 0);
}

static void
cn_event_stream_init (CnEventStream *self)
{
  self->state = CN_STREAM_OFF;
  self->message = g_strdup ("");
  self->last_event_id = g_strdup ("");
  self->dead_ms = DEFAULT_DEAD_MS;
  self->retry_ms = DEFAULT_RETRY_MS;
  self->rand = g_rand_new ();
  self->parser = cn_sse_parser_new (MAX_EVENT_BYTES, on_parser_event, self);

  /* No I/O timeout: an event stream is quiet between events; the dead
   * timer watches it instead. TLS errors fail the request (libsoup's
   * default); nothing here ignores them. */
  self->session = soup_session_new_with_options ("timeout", 0,
                                                 "idle-timeout", 60,
                                                 "user-agent", "Callnotes/" PACKAGE_VERSION,
                                                 NULL);
}

CnEventStream *
cn_event_stream_new (CnDatabase         *database,
                     const CnSyncConfig *config,
                     GNetworkMonitor    *monitor)
{
  CnEventStream *self;

  g_return_val_if_fail (CN_IS_DATABASE (database), NULL);
  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (monitor == NULL || G_IS_NETWORK_MONITOR (monitor), NULL);

  self = g_object_new (CN_TYPE_EVENT_STREAM, NULL);
  self->database = g_object_ref (database);
  self->config = cn_sync_config_copy (config);
  self->own_monitor = monitor == NULL;
  self->monitor = g_object_ref (monitor != NULL ? monitor : g_network_monitor_get_default ());
  self->network_available = g_network_monitor_get_network_available (self->monitor);
  g_signal_connect (self->monitor, "network-changed", G_CALLBACK (on_network_changed), self);

  return self;
}

/* The id kept by an earlier run, when it is one a stream could have sent. */
static char *
load_last_event_id (CnEventStream *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *value = cn_database_get_value (self->database, LAST_EVENT_ID_KEY, &error);

  if (error != NULL)
    g_message ("Could not read the live stream's position: %s", error->message);
  if (value == NULL || strlen (value) > MAX_EVENT_ID_BYTES || !g_utf8_validate (value, -1, NULL) ||
      strpbrk (value, "\r\n") != NULL)
    return g_strdup ("");

  return g_steal_pointer (&value);
}

void
cn_event_stream_start (CnEventStream *self)
{
  g_autoptr(CnEventStream) hold = NULL;

  g_return_if_fail (CN_IS_EVENT_STREAM (self));

  if (self->running)
    return;

  hold = g_object_ref (self);
  self->running = TRUE;
  self->failures = 0;
  g_free (self->last_event_id);
  self->last_event_id = load_last_event_id (self);

  connect_now (self);
}

void
cn_event_stream_stop (CnEventStream *self)
{
  g_return_if_fail (CN_IS_EVENT_STREAM (self));

  if (!self->running)
    return;

  stop_quietly (self);
  set_state (self, CN_STREAM_OFF, _("Live events are off."));
}

void
cn_event_stream_set_config (CnEventStream      *self,
                            const CnSyncConfig *config)
{
  g_autoptr(CnSyncConfig) old = NULL;
  g_autoptr(CnEventStream) hold = NULL;
  gboolean changed;

  g_return_if_fail (CN_IS_EVENT_STREAM (self));
  g_return_if_fail (config != NULL);

  old = g_steal_pointer (&self->config);
  self->config = cn_sync_config_copy (config);

  if (g_strcmp0 (old->backend_url, config->backend_url) != 0)
    self->parser_stale = TRUE;

  changed = old->backend_enabled != config->backend_enabled ||
            g_strcmp0 (old->backend_url, config->backend_url) != 0 ||
            g_strcmp0 (old->workspace_id, config->workspace_id) != 0 ||
            g_strcmp0 (old->backend_token, config->backend_token) != 0;

  /* The same settings leave a stopped stream (or one that waits for a new
   * token) as it is. */
  if (!self->running || !changed)
    return;

  hold = g_object_ref (self);
  drop_connection (self);
  self->failures = 0;
  connect_now (self);
}

CnStreamState
cn_event_stream_get_state (CnEventStream *self)
{
  g_return_val_if_fail (CN_IS_EVENT_STREAM (self), CN_STREAM_OFF);

  return self->state;
}

const char *
cn_event_stream_get_message (CnEventStream *self)
{
  g_return_val_if_fail (CN_IS_EVENT_STREAM (self), "");

  return self->message;
}

void
cn_event_stream_set_timeouts (CnEventStream *self,
                              guint          dead_ms,
                              guint          retry_ms)
{
  g_return_if_fail (CN_IS_EVENT_STREAM (self));

  self->dead_ms = dead_ms > 0 ? dead_ms : DEFAULT_DEAD_MS;
  self->retry_ms = retry_ms > 0 ? retry_ms : DEFAULT_RETRY_MS;
}
