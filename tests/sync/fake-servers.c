/* fake-servers.c: in-process fakes of the team backend and Ontraport
 *
 * Each FakeServer owns a thread with its own GMainContext in which a
 * SoupServer answers on 127.0.0.1. Everything the handlers and the test
 * thread share lives behind one mutex; the JSON objects below are only ever
 * touched with it held. See fake-servers.h and ../shared/CONTRACTS.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "fake-servers"

#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "fake-servers.h"

#define DEFAULT_TOKEN          "test-token"
#define DEFAULT_APP_ID         "test-app"
#define DEFAULT_API_KEY        "test-key"
#define DEFAULT_STALL_SECONDS  40
#define DEFAULT_RATE_LIMIT     180
#define RATE_WINDOW_USEC       (60 * G_USEC_PER_SEC)
#define HUGE_BODY_SIZE         (10 * 1024 * 1024)
#define TRAP_ID                999999
#define ONTRAPORT_NOTE_OBJECT  12
#define ONTRAPORT_CONTACT_OBJECT 0
#define ONTRAPORT_MAX_RANGE    50
#define HISTORY_DEFAULT_LIMIT  30
#define HISTORY_MAX_LIMIT      100
#define REAP_INTERVAL_MS       200
#define SSE_TICK_MS            50
#define SSE_HUGE_PIECE         (64 * 1024)
#define DEFAULT_SSE_HEARTBEAT_MS 15000
#define DEFAULT_SSE_RETRY_MS   3000

typedef struct {
  JsonNode *body;        /* the request body (parsed) first seen with the key */
  gint64    id;
} IdempotencyEntry;

typedef struct {
  JsonObject *fields;    /* what lookups see: id, contact_id, subject, due_date, status */
  JsonObject *body;      /* the request body as received, plus "id" */
} FakeTask;

typedef struct {
  FakeServer        *self;
  SoupServerMessage *msg;
  GSocket           *socket;
  GSource           *source;
  gboolean           gone;     /* libsoup let go of it (connection closed) */
} StalledMessage;

typedef struct {
  guint  limit;
  guint  remaining;
  guint  reset;
} RateInfo;

/* A pushed piece of the live event stream. */
typedef struct {
  char   *id;            /* its last "id:" value, NULL none */
  GBytes *raw;
} SseEntry;

/* An open GET /api/events (server thread only). Bytes wait in @pending and
 * are handed to libsoup one chunk at a time: the next only once libsoup
 * wrote the last ("wrote-chunk"), so that every chunk goes out on its own. */
typedef struct {
  FakeServer        *self;
  SoupServerMessage *msg;
  GSocket           *socket;
  FakeSseMode        mode;
  guint              heartbeat_ms;
  gsize              drop_after;
  GByteArray        *pending;
  gsize              pending_pos;   /* bytes of @pending already handed over */
  GByteArray        *deferred;      /* pushed while the huge line is being made */
  gsize              huge_left;     /* bytes of the huge line still to make */
  gsize              written;       /* body bytes libsoup wrote */
  gsize              in_flight;     /* bytes of the chunk libsoup is writing */
  gint64             next_heartbeat;
  gboolean           last_was_cr;   /* line-end rewriting: a CR ended the last piece */
  gboolean           may_unpause;   /* the handler returned */
  gboolean           closing;       /* ended or cut: nothing more goes out */
  gboolean           gone;          /* libsoup let go of the message */
} SseStream;

struct _FakeServer
{
  FakeKind      kind;

  /* Thread and loop; set up before fake_server_new returns, then constant. */
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *server;        /* server thread only */
  SoupServer   *trap;          /* server thread only */
  GSocket      *listen_socket; /* server thread only */
  GTlsCertificate *tls_certificate; /* HTTPS with it; NULL: plain HTTP. Constant */
  GSocket      *trap_socket;   /* server thread only */
  guint16       port;
  char         *base_url;
  char         *trap_host;
  guint16       trap_port;
  GList        *stalled;       /* StalledMessage, server thread only */
  GHashTable   *connections;   /* GSocket → itself (a ref), server thread only */
  GSource      *reaper;        /* server thread only */
  GList        *sse_streams;   /* SseStream, server thread only */
  GSource      *sse_ticker;    /* heartbeats and hang-ups, server thread only */

  GMutex        mutex;
  GCond         cond;
  gboolean      started;
  char         *start_error;

  /* Everything below is guarded by the mutex. */
  char         *token;
  char         *app_id;
  char         *api_key;

  GQueue        fault_queue;
  double        random_rate;
  guint         random_mask;
  GRand        *rand;
  guint         stall_seconds;

  guint         rate_limit;
  GArray       *rate_window;   /* gint64 arrival times, oldest first */
  guint         rate_limited;

  gboolean      refusing;

  GPtrArray    *requests;      /* FakeRequest */
  GPtrArray    *trap_requests; /* FakeRequest */
  gboolean      trap_saw_credentials;

  guint         duplicates;
  guint         replays;
  gint64        next_id;

  /* Backend */
  GHashTable   *calls_by_client_id;  /* client_id → JsonObject */
  GHashTable   *calls_by_id;         /* gint64* → JsonObject */
  GHashTable   *idempotency;         /* key → IdempotencyEntry */
  GPtrArray    *remote_calls;        /* JsonObject */
  /* Outbound call tasks (GET /api/v1/outbound-calls), in the order added;
   * initiate adds one too. */
  GPtrArray    *outbound_calls;      /* JsonObject */

  /* Ontraport */
  GPtrArray    *contacts;            /* JsonObject */
  GPtrArray    *notes;               /* JsonObject */
  GPtrArray    *tasks;               /* FakeTask */

  /* Live events (backend) */
  FakeSseMode   sse_mode;
  GQueue        sse_mode_queue;      /* FakeSseMode for the next connections */
  guint         sse_heartbeat_ms;
  gsize         sse_drop_after;
  guint         sse_retry_ms;
  GPtrArray    *sse_backlog;         /* SseEntry */
  gboolean      sse_replay_all;
  guint         sse_connections;
};

/* ---- small helpers ---- */

const char *
fake_fault_name (FakeFault fault)
{
  static const char *names[] = {
    [FAKE_OK] = "ok",
    [FAKE_500] = "500",
    [FAKE_503] = "503",
    [FAKE_429] = "429",
    [FAKE_401] = "401",
    [FAKE_400] = "400",
    [FAKE_RESET_BEFORE] = "reset-before",
    [FAKE_RESET_AFTER] = "reset-after",
    [FAKE_STALL] = "stall",
    [FAKE_MALFORMED_JSON] = "malformed-json",
    [FAKE_HTML] = "html",
    [FAKE_HUGE_BODY] = "huge-body",
    [FAKE_REDIRECT] = "redirect",
  };

  if ((guint) fault < G_N_ELEMENTS (names) && names[fault] != NULL)
    return names[fault];

  return "unknown";
}

void
fake_request_free (FakeRequest *request)
{
  if (request == NULL)
    return;

  g_free (request->method);
  g_free (request->path);
  g_free (request->query);
  g_clear_pointer (&request->headers, g_hash_table_unref);
  g_free (request->body);
  g_free (request);
}

static FakeRequest *
fake_request_copy (const FakeRequest *request)
{
  FakeRequest *copy = g_new0 (FakeRequest, 1);
  GHashTableIter iter;
  gpointer key, value;

  copy->method = g_strdup (request->method);
  copy->path = g_strdup (request->path);
  copy->query = g_strdup (request->query);
  copy->body = g_strdup (request->body);
  copy->fault = request->fault;
  copy->at = request->at;
  copy->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_hash_table_iter_init (&iter, request->headers);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy->headers, g_strdup (key), g_strdup (value));

  return copy;
}

static void
collect_header (const char *name,
                const char *value,
                gpointer    user_data)
{
  GHashTable *headers = user_data;
  char *lower = g_ascii_strdown (name, -1);
  const char *before = g_hash_table_lookup (headers, lower);

  if (before != NULL)
    g_hash_table_insert (headers, lower, g_strdup_printf ("%s, %s", before, value));
  else
    g_hash_table_insert (headers, lower, g_strdup (value));
}

static FakeRequest *
fake_request_new (SoupServerMessage *msg)
{
  FakeRequest *request = g_new0 (FakeRequest, 1);
  GUri *uri = soup_server_message_get_uri (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  request->method = g_strdup (soup_server_message_get_method (msg));
  request->path = g_strdup (g_uri_get_path (uri));
  request->query = g_strdup (g_uri_get_query (uri));
  request->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  soup_message_headers_foreach (soup_server_message_get_request_headers (msg),
                                collect_header, request->headers);
  if (body != NULL && body->data != NULL && body->length > 0)
    request->body = g_strndup (body->data, body->length);
  request->at = g_get_monotonic_time ();

  return request;
}

static JsonObject *
json_object_deep_copy (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonNode) copy = NULL;
  g_autofree char *text = NULL;

  json_node_set_object (node, object);
  text = json_to_string (node, FALSE);
  copy = json_from_string (text, NULL);

  return json_object_ref (json_node_get_object (copy));
}

static char *
json_object_to_text (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, object);
  return json_to_string (node, FALSE);
}

static JsonNode *
node_take_object (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);
  return node;
}

static JsonNode *
node_take_array (JsonArray *array)
{
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  json_node_take_array (node, array);
  return node;
}

static JsonNode *
node_string (const char *text)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, text);
  return node;
}

/* The member @name when it is a JSON string, else NULL. */
static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);

  return NULL;
}

static gboolean
member_is_null_or_absent (JsonObject *object,
                          const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node == NULL || JSON_NODE_HOLDS_NULL (node);
}

/* TRUE when @name is a JSON integer; its value goes into @out. */
static gboolean
member_int (JsonObject *object,
            const char *name,
            gint64     *out)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *out = json_node_get_int (node);
      return TRUE;
    }

  return FALSE;
}

/* A scalar as the text a database would compare: NULL for null or absent. */
static char *
node_to_text (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return json_to_string (node, FALSE);

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_DOUBLE:
      {
        char buffer[G_ASCII_DTOSTR_BUF_SIZE];

        return g_strdup (g_ascii_dtostr (buffer, sizeof buffer, json_node_get_double (node)));
      }
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (node) ? "1" : "0");
    default:
      return NULL;
    }
}

/* Ontraport answers every field as a string (ids too); so does this fake. */
static JsonObject *
ontraport_stringify (JsonObject *object,
                     const char *list_fields)
{
  JsonObject *out = json_object_new ();
  g_auto(GStrv) wanted = NULL;
  g_autoptr(GList) members = json_object_get_members (object);

  if (list_fields != NULL && *list_fields != '\0')
    wanted = g_strsplit (list_fields, ",", -1);

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *node = json_object_get_member (object, name);

      if (wanted != NULL)
        {
          gboolean listed = FALSE;

          for (guint i = 0; wanted[i] != NULL && !listed; i++)
            listed = g_strcmp0 (g_strstrip (wanted[i]), name) == 0;
          if (!listed)
            continue;
        }

      if (JSON_NODE_HOLDS_VALUE (node))
        {
          g_autofree char *text = node_to_text (node);

          json_object_set_string_member (out, name, text != NULL ? text : "");
        }
      else
        json_object_set_member (out, name, json_node_copy (node));
    }

  return out;
}

static gboolean
is_utc_date_time (const char *text)
{
  g_autoptr(GDateTime) parsed = NULL;

  if (text == NULL || strchr (text, 'T') == NULL || !g_str_has_suffix (text, "Z"))
    return FALSE;

  parsed = g_date_time_new_from_iso8601 (text, NULL);
  return parsed != NULL;
}

static gint64
iso8601_to_unix (const char *text)
{
  g_autoptr(GDateTime) parsed = NULL;

  if (text == NULL)
    return G_MININT64;

  parsed = g_date_time_new_from_iso8601 (text, NULL);
  return parsed != NULL ? g_date_time_to_unix (parsed) : G_MININT64;
}

static guint
query_uint (GHashTable *query,
            const char *name,
            guint       fallback)
{
  const char *text = query != NULL ? g_hash_table_lookup (query, name) : NULL;
  guint64 value;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT, &value, NULL))
    return fallback;

  return (guint) value;
}

static char *
digits_of (const char *text)
{
  GString *digits = g_string_new (NULL);

  for (const char *p = text; p != NULL && *p != '\0'; p++)
    if (g_ascii_isdigit (*p))
      g_string_append_c (digits, *p);

  return g_string_free (digits, FALSE);
}

/* "Ref: <uuid>" from a note's text, NULL when there is none. */
static char *
note_ref (const char *data)
{
  const char *start;
  const char *end;

  if (data == NULL)
    return NULL;

  start = strstr (data, "Ref: ");
  if (start == NULL)
    return NULL;

  start += strlen ("Ref: ");
  end = start;
  while (*end != '\0' && *end != '\n' && *end != '\r')
    end++;

  return g_strstrip (g_strndup (start, end - start));
}

/* ---- the condition evaluator (Ontraport's "condition" parameter) ---- */

/* SQL LIKE, case-insensitive (as Ontraport's MySQL collation): % is any run,
 * _ any one byte, \ escapes the next byte. */
static gboolean
like_matches (const char *text,
              const char *pattern)
{
  const char *star_pattern = NULL;
  const char *star_text = NULL;

  while (*text != '\0')
    {
      if (*pattern == '%')
        {
          star_pattern = ++pattern;
          star_text = text;
          continue;
        }

      if (*pattern != '\0')
        {
          const char *p = pattern;
          gboolean any = FALSE;

          if (*p == '\\' && p[1] != '\0')
            p++;
          else if (*p == '_')
            any = TRUE;

          if (any || g_ascii_tolower (*p) == g_ascii_tolower (*text))
            {
              pattern = p + 1;
              text++;
              continue;
            }
        }

      if (star_pattern == NULL)
        return FALSE;

      pattern = star_pattern;
      text = ++star_text;
    }

  while (*pattern == '%')
    pattern++;

  return *pattern == '\0';
}

static gboolean
is_phone_field (const char *field)
{
  return g_str_has_suffix (field, "_phone") || g_str_equal (field, "sms_number");
}

static gboolean
compare_one (const char *op,
             const char *actual,
             const char *wanted,
             gboolean   *known_op)
{
  const char *a = actual != NULL ? actual : "";
  const char *w = wanted != NULL ? wanted : "";

  *known_op = TRUE;

  if (g_str_equal (op, "="))
    return g_ascii_strcasecmp (a, w) == 0;
  if (g_str_equal (op, "<>") || g_str_equal (op, "!="))
    return g_ascii_strcasecmp (a, w) != 0;
  if (g_ascii_strcasecmp (op, "LIKE") == 0)
    return like_matches (a, w);
  if (g_ascii_strcasecmp (op, "NOT LIKE") == 0)
    return !like_matches (a, w);

  if (g_str_equal (op, "<") || g_str_equal (op, ">")
      || g_str_equal (op, "<=") || g_str_equal (op, ">="))
    {
      double x = g_ascii_strtod (a, NULL);
      double y = g_ascii_strtod (w, NULL);

      if (g_str_equal (op, "<"))
        return x < y;
      if (g_str_equal (op, ">"))
        return x > y;
      if (g_str_equal (op, "<="))
        return x <= y;
      return x >= y;
    }

  *known_op = FALSE;
  return FALSE;
}

static gboolean eval_condition (JsonNode   *condition,
                                JsonObject *object,
                                gboolean   *result,
                                GError    **error);

static gboolean
eval_term (JsonObject *term,
           JsonObject *object,
           gboolean   *result,
           GError    **error)
{
  JsonNode *field_node = json_object_get_member (term, "field");
  JsonNode *value_node = json_object_get_member (term, "value");
  const char *op = member_string (term, "op");
  const char *field = NULL;
  g_autofree char *wanted = NULL;
  g_autofree char *actual = NULL;
  gboolean known_op;

  if (field_node != NULL && JSON_NODE_HOLDS_OBJECT (field_node))
    field = member_string (json_node_get_object (field_node), "field");
  else if (field_node != NULL && JSON_NODE_HOLDS_VALUE (field_node)
           && json_node_get_value_type (field_node) == G_TYPE_STRING)
    field = json_node_get_string (field_node);

  if (field == NULL || op == NULL || value_node == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "condition term needs field, op and value");
      return FALSE;
    }

  if (JSON_NODE_HOLDS_OBJECT (value_node))
    wanted = node_to_text (json_object_get_member (json_node_get_object (value_node), "value"));
  else if (JSON_NODE_HOLDS_VALUE (value_node))
    wanted = node_to_text (value_node);
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "condition value must be {\"value\": …}");
      return FALSE;
    }

  actual = node_to_text (json_object_get_member (object, field));
  *result = compare_one (op, actual, wanted, &known_op);
  if (!known_op)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "unknown op %s", op);
      return FALSE;
    }

  /* Phones are matched as Ontraport users store them (any format) and on
   * their digits and last ten digits, so "+1 (555) 123-4567" is found by
   * LIKE "%5551234567" as well as "+15551234567" is. */
  if (!*result && actual != NULL && is_phone_field (field))
    {
      g_autofree char *digits = digits_of (actual);
      gsize length = strlen (digits);

      *result = compare_one (op, digits, wanted, &known_op);
      if (!*result && length > 10)
        *result = compare_one (op, digits + length - 10, wanted, &known_op);
    }

  return TRUE;
}

/* An array is evaluated left to right: term, "AND"/"OR", term, …; a term
 * is a field/op/value object or a nested array (a parenthesised group). */
static gboolean
eval_condition (JsonNode   *condition,
                JsonObject *object,
                gboolean   *result,
                GError    **error)
{
  if (JSON_NODE_HOLDS_OBJECT (condition))
    return eval_term (json_node_get_object (condition), object, result, error);

  if (JSON_NODE_HOLDS_ARRAY (condition))
    {
      JsonArray *items = json_node_get_array (condition);
      guint n = json_array_get_length (items);
      gboolean value = TRUE;
      const char *connector = NULL;
      gboolean expect_term = TRUE;

      if (n == 0)
        {
          *result = TRUE;
          return TRUE;
        }

      for (guint i = 0; i < n; i++)
        {
          JsonNode *item = json_array_get_element (items, i);

          if (expect_term)
            {
              gboolean term;

              if (JSON_NODE_HOLDS_VALUE (item)
                  || !eval_condition (item, object, &term, error))
                {
                  if (error != NULL && *error == NULL)
                    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                 "condition element %u is not a term", i);
                  return FALSE;
                }

              if (connector == NULL)
                value = term;
              else if (g_ascii_strcasecmp (connector, "AND") == 0)
                value = value && term;
              else
                value = value || term;
            }
          else
            {
              if (!JSON_NODE_HOLDS_VALUE (item)
                  || json_node_get_value_type (item) != G_TYPE_STRING
                  || (g_ascii_strcasecmp (json_node_get_string (item), "AND") != 0
                      && g_ascii_strcasecmp (json_node_get_string (item), "OR") != 0))
                {
                  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               "condition element %u must be \"AND\" or \"OR\"", i);
                  return FALSE;
                }
              connector = json_node_get_string (item);
            }

          expect_term = !expect_term;
        }

      if (expect_term)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "condition ends with a connector");
          return FALSE;
        }

      *result = value;
      return TRUE;
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "condition must be an array or an object");
  return FALSE;
}

/* ---- answers ---- */

static void
set_body (SoupServerMessage *msg,
          guint              status,
          const char        *content_type,
          char              *body)          /* (transfer full) */
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_TAKE,
                                    body, body != NULL ? strlen (body) : 0);
}

static void
reply_json (SoupServerMessage *msg,
            guint              status,
            JsonNode          *node)          /* (transfer full) */
{
  set_body (msg, status, "application/json", json_to_string (node, FALSE));
  json_node_unref (node);
}

static void
backend_reply_error (SoupServerMessage *msg,
                     guint              status,
                     const char        *message)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "error", message);
  reply_json (msg, status, node_take_object (object));
}

static void
backend_reply_id (SoupServerMessage *msg,
                  guint              status,
                  gint64             id)
{
  JsonObject *object = json_object_new ();

  json_object_set_boolean_member (object, "success", TRUE);
  json_object_set_int_member (object, "id", id);
  reply_json (msg, status, node_take_object (object));
}

static void
add_rate_headers (SoupServerMessage *msg,
                  const RateInfo    *rate)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  char buffer[32];

  g_snprintf (buffer, sizeof buffer, "%u", rate->limit);
  soup_message_headers_replace (headers, "X-Rate-Limit-Limit", buffer);
  g_snprintf (buffer, sizeof buffer, "%u", rate->remaining);
  soup_message_headers_replace (headers, "X-Rate-Limit-Remaining", buffer);
  g_snprintf (buffer, sizeof buffer, "%u", rate->reset);
  soup_message_headers_replace (headers, "X-Rate-Limit-Reset", buffer);
}

/* {"code": @code, "data": @data, "account_id": 1} */
static void
ontraport_reply (SoupServerMessage *msg,
                 guint              status,
                 gint64             code,
                 JsonNode          *data)             /* (transfer full) */
{
  JsonObject *envelope = json_object_new ();

  json_object_set_int_member (envelope, "code", code);
  json_object_set_member (envelope, "data", data != NULL ? data : json_node_new (JSON_NODE_NULL));
  json_object_set_int_member (envelope, "account_id", 1);
  reply_json (msg, status, node_take_object (envelope));
}

static void
ontraport_reply_error (SoupServerMessage *msg,
                       guint              status,
                       const char        *message)
{
  ontraport_reply (msg, status, 1, node_string (message));
}

/* The connection goes away without an answer: the peer reads end of file
 * where the status line should be. The socket is shut down, not closed, so
 * libsoup still owns a valid descriptor; its attempt to write the (dummy)
 * answer fails and it drops the connection. */
static void
drop_connection (SoupServerMessage *msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);

  if (socket != NULL)
    g_socket_shutdown (socket, TRUE, TRUE, NULL);

  soup_server_message_set_status (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, NULL);
  soup_server_message_set_response (msg, NULL, SOUP_MEMORY_STATIC, NULL, 0);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Connection", "close");
}

/* ---- faults ---- */

static FakeFault
next_fault_locked (FakeServer *self)
{
  FakeFault candidates[FAKE_N_FAULTS];
  guint n = 0;

  if (!g_queue_is_empty (&self->fault_queue))
    return GPOINTER_TO_INT (g_queue_pop_head (&self->fault_queue));

  if (self->rand == NULL || self->random_rate <= 0.0 || self->random_mask == 0)
    return FAKE_OK;

  if (g_rand_double (self->rand) >= self->random_rate)
    return FAKE_OK;

  for (guint f = 0; f < FAKE_N_FAULTS; f++)
    if (self->random_mask & (1u << f))
      candidates[n++] = f;

  if (n == 0)
    return FAKE_OK;

  return candidates[g_rand_int_range (self->rand, 0, n)];
}

/* Counts this request into the rolling window; FALSE when it is over the
 * limit (then it is not counted, so a client that waits gets through). */
static gboolean
rate_admit_locked (FakeServer *self,
                   RateInfo   *rate)
{
  gint64 now = g_get_monotonic_time ();
  guint expired = 0;
  gboolean admitted;

  while (expired < self->rate_window->len
         && g_array_index (self->rate_window, gint64, expired) + RATE_WINDOW_USEC <= now)
    expired++;
  if (expired > 0)
    g_array_remove_range (self->rate_window, 0, expired);

  admitted = self->rate_window->len < self->rate_limit;
  if (admitted)
    g_array_append_val (self->rate_window, now);
  else
    self->rate_limited++;

  rate->limit = self->rate_limit;
  rate->remaining = self->rate_limit > self->rate_window->len
                    ? self->rate_limit - self->rate_window->len : 0;
  if (self->rate_window->len > 0)
    {
      gint64 oldest = g_array_index (self->rate_window, gint64, 0);
      gint64 left = oldest + RATE_WINDOW_USEC - now;

      rate->reset = (guint) MAX (1, (left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
    }
  else
    rate->reset = 60;

  return admitted;
}

static void
answer_fault (FakeServer        *self,
              SoupServerMessage *msg,
              FakeFault          fault,
              RateInfo          *rate)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  gboolean ontraport = self->kind == FAKE_ONTRAPORT;

  switch (fault)
    {
    case FAKE_500:
      if (ontraport)
        ontraport_reply_error (msg, 500, "Internal server error");
      else
        backend_reply_error (msg, 500, "internal server error");
      break;

    case FAKE_503:
      soup_message_headers_replace (headers, "Retry-After", "1");
      if (ontraport)
        ontraport_reply_error (msg, 503, "Service unavailable");
      else
        backend_reply_error (msg, 503, "service unavailable");
      break;

    case FAKE_429:
      if (ontraport)
        {
          rate->remaining = 0;
          rate->reset = 1;
          ontraport_reply_error (msg, 429, "Rate limit exceeded");
        }
      else
        {
          soup_message_headers_replace (headers, "Retry-After", "1");
          backend_reply_error (msg, 429, "too many requests");
        }
      break;

    case FAKE_401:
      if (ontraport)
        ontraport_reply_error (msg, 401, "Unauthorized");
      else
        backend_reply_error (msg, 401, "invalid token");
      break;

    case FAKE_400:
      if (ontraport)
        ontraport_reply_error (msg, 400, "Invalid field");
      else
        backend_reply_error (msg, 400, "phone is not a valid number");
      break;

    case FAKE_MALFORMED_JSON:
      set_body (msg, 200, "application/json",
                g_strdup (ontraport ? "{\"code\": 0, \"data\": {\"id\": \"12\"" :
                          "{\"success\": true, \"id\": 12"));
      break;

    case FAKE_HTML:
      set_body (msg, 502, "text/html",
                g_strdup ("<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>"
                          "<body><h1>502 Bad Gateway</h1><hr><p>nginx</p></body></html>\n"));
      break;

    case FAKE_HUGE_BODY:
      {
        const char *prefix = ontraport ? "{\"code\": 0, \"data\": {\"id\": \"1\", \"pad\": \""
                                       : "{\"success\": true, \"pad\": \"";
        gsize prefix_length = strlen (prefix);
        char *body = g_malloc (HUGE_BODY_SIZE + 1);

        memcpy (body, prefix, prefix_length);
        memset (body + prefix_length, 'x', HUGE_BODY_SIZE - prefix_length);
        body[HUGE_BODY_SIZE] = '\0';
        soup_server_message_set_status (msg, 200, NULL);
        soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                          body, HUGE_BODY_SIZE);
      }
      break;

    case FAKE_REDIRECT:
      {
        GUri *uri = soup_server_message_get_uri (msg);
        const char *query = g_uri_get_query (uri);
        g_autofree char *location =
          g_strdup_printf ("http://%s:%u%s%s%s", self->trap_host, self->trap_port,
                           g_uri_get_path (uri), query != NULL ? "?" : "",
                           query != NULL ? query : "");

        soup_server_message_set_redirect (msg, SOUP_STATUS_TEMPORARY_REDIRECT, location);
      }
      break;

    case FAKE_OK:
    case FAKE_RESET_BEFORE:
    case FAKE_RESET_AFTER:
    case FAKE_STALL:
    case FAKE_N_FAULTS:
    default:
      g_assert_not_reached ();
    }
}

/* ---- the backend ---- */

static const char *outcomes[] = { "connected", "voicemail", "no_answer", "busy" };

/* Checks a call body against CONTRACTS §1; NULL when it is fine, else the
 * message for a 400. */
static const char *
backend_check_call (JsonNode *root)
{
  JsonObject *call;
  const char *client_id;
  const char *outcome;
  const char *phone;
  const char *text;
  gboolean known = FALSE;
  gint64 number;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return "body must be a JSON object";

  call = json_node_get_object (root);

  client_id = member_string (call, "client_id");
  if (client_id == NULL || !g_uuid_string_is_valid (client_id))
    return "client_id must be a UUID string";

  outcome = member_string (call, "outcome");
  for (guint i = 0; outcome != NULL && i < G_N_ELEMENTS (outcomes); i++)
    known = known || g_str_equal (outcome, outcomes[i]);
  if (!known)
    return "outcome must be one of connected, voicemail, no_answer, busy";

  phone = member_string (call, "phone");
  if (phone == NULL || *phone == '\0')
    return "phone is required";

  if (!member_is_null_or_absent (call, "contact_id") && member_string (call, "contact_id") == NULL)
    return "contact_id must be a string or null";
  if (!member_is_null_or_absent (call, "contact_name")
      && member_string (call, "contact_name") == NULL)
    return "contact_name must be a string or null";
  if (!member_is_null_or_absent (call, "notes") && member_string (call, "notes") == NULL)
    return "notes must be a string or null";

  if (!member_is_null_or_absent (call, "direction")
      && member_string (call, "direction") == NULL)
    return "direction must be a string";

  if (!member_is_null_or_absent (call, "duration_seconds")
      && (!member_int (call, "duration_seconds", &number) || number < 0))
    return "duration_seconds must be a non-negative integer or null";

  if (!member_is_null_or_absent (call, "follow_up_date"))
    {
      text = member_string (call, "follow_up_date");
      if (!is_utc_date_time (text))
        return "follow_up_date must be an ISO 8601 UTC date-time (…Z) or null";
    }

  text = member_string (call, "created_at");
  if (!is_utc_date_time (text))
    return "created_at must be an ISO 8601 UTC date-time (…Z)";

  return NULL;
}

static gboolean
backend_authorized_locked (FakeServer  *self,
                           FakeRequest *request)
{
  const char *authorization = g_hash_table_lookup (request->headers, "authorization");
  g_autofree char *expected = g_strdup_printf ("Bearer %s", self->token);

  return authorization != NULL && self->token != NULL && g_str_equal (authorization, expected);
}

/* Answers a key seen before; FALSE when the key is new. */
static gboolean
backend_try_replay_locked (FakeServer        *self,
                           SoupServerMessage *msg,
                           const char        *key,
                           JsonNode          *root)
{
  IdempotencyEntry *entry = g_hash_table_lookup (self->idempotency, key);

  if (entry == NULL)
    return FALSE;

  /* Replays of PUT keys count too (the header speaks of POSTs). */
  if (json_node_equal (entry->body, root))
    {
      self->replays++;
      backend_reply_id (msg, 200, entry->id);
    }
  else
    backend_reply_error (msg, 422, "Idempotency-Key was already used with a different payload");

  return TRUE;
}

static void
backend_remember_key_locked (FakeServer *self,
                             const char *key,
                             JsonNode   *root,
                             gint64      id)
{
  IdempotencyEntry *entry = g_new0 (IdempotencyEntry, 1);

  entry->body = json_node_copy (root);
  entry->id = id;
  g_hash_table_insert (self->idempotency, g_strdup (key), entry);
}

/* The call in the body of a POST or PUT sent with the Idempotency-Key
 * @key, or NULL once answered with 400. */
static JsonNode *
backend_read_call (SoupServerMessage *msg,
                   FakeRequest       *request,
                   const char        *key)
{
  g_autoptr(JsonNode) root = NULL;
  const char *problem;

  if (key == NULL || *key == '\0')
    {
      backend_reply_error (msg, 400, "Idempotency-Key header is required");
      return NULL;
    }

  root = json_from_string (request->body != NULL ? request->body : "", NULL);
  problem = backend_check_call (root);
  if (problem != NULL)
    {
      backend_reply_error (msg, 400, problem);
      return NULL;
    }

  return g_steal_pointer (&root);
}

static void
backend_post_call_locked (FakeServer        *self,
                          SoupServerMessage *msg,
                          FakeRequest       *request)
{
  const char *key = g_hash_table_lookup (request->headers, "idempotency-key");
  g_autoptr(JsonNode) root = NULL;
  JsonObject *record;
  const char *client_id;
  gint64 id;

  root = backend_read_call (msg, request, key);
  if (root == NULL)
    return;

  if (backend_try_replay_locked (self, msg, key, root))
    return;

  client_id = member_string (json_node_get_object (root), "client_id");
  if (g_hash_table_contains (self->calls_by_client_id, client_id))
    self->duplicates++;

  id = self->next_id++;
  record = json_object_deep_copy (json_node_get_object (root));
  json_object_set_int_member (record, "id", id);
  g_hash_table_insert (self->calls_by_client_id, g_strdup (client_id), json_object_ref (record));
  g_hash_table_insert (self->calls_by_id, g_memdup2 (&id, sizeof id), record);
  backend_remember_key_locked (self, key, root, id);

  backend_reply_id (msg, 201, id);
}

static void
backend_put_call_locked (FakeServer        *self,
                         SoupServerMessage *msg,
                         FakeRequest       *request,
                         const char        *id_text)
{
  const char *key = g_hash_table_lookup (request->headers, "idempotency-key");
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *key_prefix = NULL;
  JsonObject *existing;
  JsonObject *record;
  const char *client_id;
  guint64 parsed;
  gint64 id = 0;

  if (g_ascii_string_to_unsigned (id_text, 10, 1, G_MAXINT64, &parsed, NULL))
    id = (gint64) parsed;
  existing = id > 0 ? g_hash_table_lookup (self->calls_by_id, &id) : NULL;
  if (existing == NULL)
    {
      backend_reply_error (msg, 404, "call not found");
      return;
    }

  root = backend_read_call (msg, request, key);
  if (root == NULL)
    return;

  client_id = member_string (json_node_get_object (root), "client_id");
  if (g_strcmp0 (client_id, member_string (existing, "client_id")) != 0)
    {
      backend_reply_error (msg, 400, "client_id does not match the call's");
      return;
    }

  key_prefix = g_strdup_printf ("%s:", client_id);
  if (!g_str_has_prefix (key, key_prefix) || key[strlen (key_prefix)] == '\0')
    {
      backend_reply_error (msg, 400, "Idempotency-Key must be <client_id>:<revision>");
      return;
    }

  if (backend_try_replay_locked (self, msg, key, root))
    return;

  record = json_object_deep_copy (json_node_get_object (root));
  json_object_set_int_member (record, "id", id);
  json_object_set_string_member (record, "revision_key", key);

  if (g_hash_table_lookup (self->calls_by_client_id, client_id) == existing)
    g_hash_table_insert (self->calls_by_client_id, g_strdup (client_id), json_object_ref (record));
  g_hash_table_insert (self->calls_by_id, g_memdup2 (&id, sizeof id), record);
  backend_remember_key_locked (self, key, root, id);

  backend_reply_id (msg, 200, id);
}

static gint
compare_history (gconstpointer a,
                 gconstpointer b)
{
  JsonObject *x = *(JsonObject **) a;
  JsonObject *y = *(JsonObject **) b;
  gint64 tx = iso8601_to_unix (member_string (x, "created_at"));
  gint64 ty = iso8601_to_unix (member_string (y, "created_at"));
  gint64 ix = 0;
  gint64 iy = 0;

  if (tx != ty)
    return tx < ty ? 1 : -1;

  member_int (x, "id", &ix);
  member_int (y, "id", &iy);
  return ix < iy ? 1 : ix > iy ? -1 : 0;
}

static JsonObject *
history_item (JsonObject *call,
              const char *user_name)
{
  static const char *fields[] = {
    "client_id", "contact_id", "contact_name", "outcome", "notes", "follow_up_date", "created_at",
  };
  JsonObject *item = json_object_new ();
  gint64 id = 0;

  member_int (call, "id", &id);
  json_object_set_int_member (item, "id", id);
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      JsonNode *node = json_object_get_member (call, fields[i]);

      json_object_set_member (item, fields[i],
                              node != NULL ? json_node_copy (node) : json_node_new (JSON_NODE_NULL));
    }
  json_object_set_string_member (item, "user_name", user_name);

  return item;
}

static void
backend_get_history_locked (FakeServer        *self,
                            SoupServerMessage *msg,
                            const char        *contact_id_escaped,
                            GHashTable        *query)
{
  g_autofree char *contact_id = g_uri_unescape_string (contact_id_escaped, NULL);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  guint offset = query_uint (query, "offset", 0);
  guint limit = MIN (query_uint (query, "limit", HISTORY_DEFAULT_LIMIT), HISTORY_MAX_LIMIT);
  JsonArray *calls = json_array_new ();
  JsonObject *answer = json_object_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->calls_by_id);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (contact_id != NULL && g_strcmp0 (member_string (value, "contact_id"), contact_id) == 0)
      g_ptr_array_add (items, history_item (value, "Test Agent"));

  for (guint i = 0; i < self->remote_calls->len; i++)
    {
      JsonObject *call = g_ptr_array_index (self->remote_calls, i);

      if (contact_id != NULL && g_strcmp0 (member_string (call, "contact_id"), contact_id) == 0)
        g_ptr_array_add (items, history_item (call, "Sam"));
    }

  g_ptr_array_sort (items, compare_history);

  for (guint i = offset; i < items->len && i < (guint64) offset + limit; i++)
    json_array_add_object_element (calls, json_object_ref (g_ptr_array_index (items, i)));

  json_object_set_array_member (answer, "calls", calls);
  reply_json (msg, 200, node_take_object (answer));
}

/* ---- Backend: outbound call tasks (scheduled calls) ---- */

#define OUTBOUND_DEFAULT_LIMIT 20
#define OUTBOUND_MAX_LIMIT     100

static const char *outbound_statuses[] = {
  "pending", "scheduled", "dialing", "in_progress", "completed", "failed", "canceled", "no_answer",
};

static gboolean
is_outbound_status (const char *status)
{
  for (guint i = 0; i < G_N_ELEMENTS (outbound_statuses); i++)
    if (g_strcmp0 (status, outbound_statuses[i]) == 0)
      return TRUE;
  return FALSE;
}

static JsonObject *
outbound_call_new (const char *id,
                   const char *name,
                   const char *number,
                   const char *status,
                   const char *scheduled_at)
{
  JsonObject *call = json_object_new ();

  json_object_set_string_member (call, "id", id);
  if (name != NULL)
    json_object_set_string_member (call, "recipient_name", name);
  else
    json_object_set_null_member (call, "recipient_name");
  json_object_set_string_member (call, "recipient_number", number);
  json_object_set_string_member (call, "status", status);
  if (scheduled_at != NULL)
    json_object_set_string_member (call, "scheduled_at", scheduled_at);
  else
    json_object_set_null_member (call, "scheduled_at");
  json_object_set_null_member (call, "initiated_at");
  json_object_set_null_member (call, "completed_at");
  json_object_set_null_member (call, "call_log_id");
  json_object_set_null_member (call, "failure_reason");

  return call;
}

/* ?status= (optional; one of the contract's, else 400), page (from 1,
 * default 1), limit (default 20, at most 100). */
static void
backend_list_outbound_locked (FakeServer        *self,
                              SoupServerMessage *msg,
                              GHashTable        *query)
{
  const char *status = query != NULL ? g_hash_table_lookup (query, "status") : NULL;
  guint page = MAX (query_uint (query, "page", 1), 1);
  guint limit = CLAMP (query_uint (query, "limit", OUTBOUND_DEFAULT_LIMIT), 1, OUTBOUND_MAX_LIMIT);
  guint64 first = (guint64) (page - 1) * limit;
  JsonArray *calls;
  JsonObject *answer;
  JsonObject *pagination;
  guint total = 0;

  if (status != NULL && *status != '\0' && !is_outbound_status (status))
    {
      backend_reply_error (msg, 400, "unknown status");
      return;
    }

  calls = json_array_new ();
  for (guint i = 0; i < self->outbound_calls->len; i++)
    {
      JsonObject *call = g_ptr_array_index (self->outbound_calls, i);

      if (status != NULL && *status != '\0'
          && g_strcmp0 (member_string (call, "status"), status) != 0)
        continue;
      if (total >= first && total < first + limit)
        json_array_add_object_element (calls, json_object_deep_copy (call));
      total++;
    }

  pagination = json_object_new ();
  json_object_set_int_member (pagination, "page", page);
  json_object_set_int_member (pagination, "limit", limit);
  json_object_set_int_member (pagination, "total", total);
  answer = json_object_new ();
  json_object_set_array_member (answer, "calls", calls);
  json_object_set_object_member (answer, "pagination", pagination);
  reply_json (msg, 200, node_take_object (answer));
}

/* Checks the contract's body, then keeps a task with status "dialing"
 * (listed from then on). The request itself is recorded like every other
 * (fake_server_get_requests). */
static void
backend_initiate_outbound_locked (FakeServer        *self,
                                  SoupServerMessage *msg,
                                  FakeRequest       *request)
{
  g_autoptr(JsonNode) root = json_from_string (request->body != NULL ? request->body : "", NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *uuid = NULL;
  g_autofree char *initiated_at = NULL;
  JsonObject *body;
  JsonObject *call;
  JsonObject *answer;
  JsonNode *context;
  const char *number;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      backend_reply_error (msg, 400, "the body must be a JSON object");
      return;
    }
  body = json_node_get_object (root);
  number = member_string (body, "recipient_number");
  if (number == NULL || *number == '\0')
    {
      backend_reply_error (msg, 400, "recipient_number is required");
      return;
    }
  if (!member_is_null_or_absent (body, "caller_id_number")
      && member_string (body, "caller_id_number") == NULL)
    {
      backend_reply_error (msg, 400, "caller_id_number must be a string or null");
      return;
    }
  context = json_object_get_member (body, "context_info");
  if (context != NULL && !JSON_NODE_HOLDS_NULL (context) && !JSON_NODE_HOLDS_OBJECT (context))
    {
      backend_reply_error (msg, 400, "context_info must be an object");
      return;
    }

  uuid = g_uuid_string_random ();
  initiated_at = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  call = outbound_call_new (uuid, NULL, number, "dialing", NULL);
  json_object_set_string_member (call, "initiated_at", initiated_at);
  g_ptr_array_add (self->outbound_calls, call);

  answer = json_object_new ();
  json_object_set_string_member (answer, "id", uuid);
  json_object_set_string_member (answer, "status", "dialing");
  reply_json (msg, 200, node_take_object (answer));
}

/* ---- end of outbound call tasks ---- */

static void
backend_handle_locked (FakeServer        *self,
                       SoupServerMessage *msg,
                       FakeRequest       *request,
                       GHashTable        *query)
{
  const char *method = request->method;
  const char *path = request->path;

  if (!backend_authorized_locked (self, request))
    {
      backend_reply_error (msg, 401, "invalid or missing token");
      return;
    }

  if (g_str_equal (path, "/api/calls"))
    {
      if (g_str_equal (method, "POST"))
        backend_post_call_locked (self, msg, request);
      else
        backend_reply_error (msg, 405, "method not allowed");
    }
  else if (g_str_has_prefix (path, "/api/calls/") && strchr (path + strlen ("/api/calls/"), '/') == NULL
           && path[strlen ("/api/calls/")] != '\0')
    {
      const char *tail = path + strlen ("/api/calls/");

      if (g_str_equal (method, "PUT"))
        backend_put_call_locked (self, msg, request, tail);
      else if (g_str_equal (method, "GET"))
        backend_get_history_locked (self, msg, tail, query);
      else
        backend_reply_error (msg, 405, "method not allowed");
    }
  else if (g_str_equal (path, "/api/v1/outbound-calls") && g_str_equal (method, "GET"))
    backend_list_outbound_locked (self, msg, query);
  else if (g_str_equal (path, "/api/v1/outbound-calls/initiate") && g_str_equal (method, "POST"))
    backend_initiate_outbound_locked (self, msg, request);
  else
    backend_reply_error (msg, 404, "not found");
}

/* ---- Ontraport ---- */

static gboolean
ontraport_authorized_locked (FakeServer  *self,
                             FakeRequest *request)
{
  const char *app_id = g_hash_table_lookup (request->headers, "api-appid");
  const char *api_key = g_hash_table_lookup (request->headers, "api-key");

  return app_id != NULL && api_key != NULL
         && g_strcmp0 (app_id, self->app_id) == 0 && g_strcmp0 (api_key, self->api_key) == 0;
}

static gboolean
same_task (JsonObject *a,
           JsonObject *b)
{
  g_autofree char *ca = node_to_text (json_object_get_member (a, "contact_id"));
  g_autofree char *cb = node_to_text (json_object_get_member (b, "contact_id"));
  g_autofree char *sa = node_to_text (json_object_get_member (a, "subject"));
  g_autofree char *sb = node_to_text (json_object_get_member (b, "subject"));
  g_autofree char *da = node_to_text (json_object_get_member (a, "due_date"));
  g_autofree char *db = node_to_text (json_object_get_member (b, "due_date"));

  return g_strcmp0 (ca, cb) == 0 && g_strcmp0 (sa, sb) == 0 && g_strcmp0 (da, db) == 0;
}

static void
fake_task_free (FakeTask *task)
{
  g_clear_pointer (&task->fields, json_object_unref);
  g_clear_pointer (&task->body, json_object_unref);
  g_free (task);
}

/* Stores a task; @fields and @body are taken. */
static gint64
ontraport_add_task_locked (FakeServer *self,
                           JsonObject *fields,
                           JsonObject *body)
{
  FakeTask *task = g_new0 (FakeTask, 1);
  gint64 id = self->next_id++;

  for (guint i = 0; i < self->tasks->len; i++)
    {
      FakeTask *other = g_ptr_array_index (self->tasks, i);

      if (same_task (other->fields, fields))
        {
          self->duplicates++;
          break;
        }
    }

  json_object_set_int_member (fields, "id", id);
  json_object_set_int_member (body, "id", id);
  task->fields = fields;
  task->body = body;
  g_ptr_array_add (self->tasks, task);

  return id;
}

static void
ontraport_create_locked (FakeServer        *self,
                         SoupServerMessage *msg,
                         JsonObject        *body)
{
  JsonNode *object_id_node = json_object_get_member (body, "objectID");
  g_autofree char *object_id_text = node_to_text (object_id_node);
  guint64 object_id;
  gint64 contact_id;
  gint64 due_date;
  gint64 status = 0;
  gint64 id;

  if (object_id_text == NULL
      || !g_ascii_string_to_unsigned (object_id_text, 10, 0, G_MAXUINT32, &object_id, NULL))
    {
      ontraport_reply_error (msg, 400, "Invalid objectID");
      return;
    }

  if (object_id == ONTRAPORT_NOTE_OBJECT)
    {
      const char *data = member_string (body, "data");
      g_autofree char *ref = note_ref (data);
      JsonObject *note;

      if (!member_int (body, "contact_id", &contact_id) || contact_id <= 0)
        {
          ontraport_reply_error (msg, 400, "Invalid field: contact_id");
          return;
        }
      if (data == NULL || ref == NULL || !g_uuid_string_is_valid (ref))
        {
          ontraport_reply_error (msg, 400, "Invalid field: data (needs \"Ref: <uuid>\")");
          return;
        }

      for (guint i = 0; i < self->notes->len; i++)
        {
          g_autofree char *other = note_ref (member_string (g_ptr_array_index (self->notes, i),
                                                            "data"));

          if (g_strcmp0 (other, ref) == 0)
            {
              self->duplicates++;
              break;
            }
        }

      id = self->next_id++;
      note = json_object_new ();
      json_object_set_int_member (note, "id", id);
      json_object_set_int_member (note, "contact_id", contact_id);
      json_object_set_string_member (note, "data", data);
      json_object_set_int_member (note, "date", g_get_real_time () / G_USEC_PER_SEC);
      json_object_set_int_member (note, "owner", 1);
      g_ptr_array_add (self->notes, note);

      ontraport_reply (msg, 200, 0, node_take_object (ontraport_stringify (note, NULL)));
    }
  else if (object_id == ONTRAPORT_CONTACT_OBJECT)
    {
      JsonObject *contact = json_object_new ();
      static const char *fields[] = { "firstname", "lastname", "office_phone", "sms_number" };

      id = self->next_id++;
      json_object_set_int_member (contact, "id", id);
      for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
        {
          const char *value = member_string (body, fields[i]);

          json_object_set_string_member (contact, fields[i], value != NULL ? value : "");
        }
      g_ptr_array_add (self->contacts, contact);

      ontraport_reply (msg, 200, 0, node_take_object (ontraport_stringify (contact, NULL)));
    }
  else
    {
      const char *subject = member_string (body, "subject");
      JsonObject *fields;
      JsonObject *answer;

      if (!member_int (body, "contact_id", &contact_id) || contact_id <= 0)
        {
          ontraport_reply_error (msg, 400, "Invalid field: contact_id");
          return;
        }
      if (subject == NULL || *subject == '\0')
        {
          ontraport_reply_error (msg, 400, "Invalid field: subject");
          return;
        }
      if (!member_int (body, "due_date", &due_date))
        {
          ontraport_reply_error (msg, 400, "Invalid field: due_date (Unix seconds)");
          return;
        }
      if (!member_is_null_or_absent (body, "status") && !member_int (body, "status", &status))
        {
          ontraport_reply_error (msg, 400, "Invalid field: status");
          return;
        }

      fields = json_object_new ();
      json_object_set_int_member (fields, "contact_id", contact_id);
      json_object_set_string_member (fields, "subject", subject);
      json_object_set_int_member (fields, "due_date", due_date);
      json_object_set_int_member (fields, "status", status);
      json_object_set_int_member (fields, "object_type_id", (gint64) object_id);
      ontraport_add_task_locked (self, fields, json_object_deep_copy (body));

      answer = ontraport_stringify (fields, NULL);
      ontraport_reply (msg, 200, 0, node_take_object (answer));
    }
}

static void
ontraport_task_assign_locked (FakeServer        *self,
                              SoupServerMessage *msg,
                              JsonObject        *body)
{
  JsonNode *ids_node = json_object_get_member (body, "ids");
  JsonNode *message_node = json_object_get_member (body, "message");
  JsonObject *message;
  JsonArray *ids;
  gint64 object_type;
  gint64 template_id;
  gint64 due_date;
  gint64 owner = 0;
  const char *type;

  if (!member_int (body, "object_type_id", &object_type) || object_type != 0)
    {
      ontraport_reply_error (msg, 400, "Invalid field: object_type_id");
      return;
    }
  if (ids_node == NULL || !JSON_NODE_HOLDS_ARRAY (ids_node)
      || json_array_get_length (json_node_get_array (ids_node)) == 0)
    {
      ontraport_reply_error (msg, 400, "Invalid field: ids");
      return;
    }
  if (message_node == NULL || !JSON_NODE_HOLDS_OBJECT (message_node))
    {
      ontraport_reply_error (msg, 400, "Invalid field: message");
      return;
    }

  message = json_node_get_object (message_node);
  type = member_string (message, "type");
  if (!member_int (message, "id", &template_id) || g_strcmp0 (type, "Task") != 0
      || !member_int (message, "due_date", &due_date)
      || (!member_is_null_or_absent (message, "task_owner")
          && !member_int (message, "task_owner", &owner)))
    {
      ontraport_reply_error (msg, 400, "Invalid field: message (id, type Task, due_date, task_owner)");
      return;
    }

  ids = json_node_get_array (ids_node);
  for (guint i = 0; i < json_array_get_length (ids); i++)
    {
      JsonNode *element = json_array_get_element (ids, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_INT64
          || json_node_get_int (element) <= 0)
        {
          ontraport_reply_error (msg, 400, "Invalid field: ids");
          return;
        }
    }

  for (guint i = 0; i < json_array_get_length (ids); i++)
    {
      JsonObject *fields = json_object_new ();
      g_autofree char *subject = g_strdup_printf ("%" G_GINT64_FORMAT, template_id);

      json_object_set_int_member (fields, "contact_id", json_array_get_int_element (ids, i));
      json_object_set_string_member (fields, "subject", subject);
      json_object_set_int_member (fields, "due_date", due_date);
      json_object_set_int_member (fields, "status", 0);
      json_object_set_int_member (fields, "template_id", template_id);
      json_object_set_int_member (fields, "owner", owner);
      ontraport_add_task_locked (self, fields, json_object_deep_copy (body));
    }

  ontraport_reply (msg, 200, 0, node_string ("Task assigned"));
}

static void
ontraport_list_locked (FakeServer        *self,
                       SoupServerMessage *msg,
                       GHashTable        *query)
{
  const char *object_id_text = query != NULL ? g_hash_table_lookup (query, "objectID") : NULL;
  const char *condition_text = query != NULL ? g_hash_table_lookup (query, "condition") : NULL;
  const char *list_fields = query != NULL ? g_hash_table_lookup (query, "listFields") : NULL;
  guint start = query_uint (query, "start", 0);
  guint range = MIN (query_uint (query, "range", ONTRAPORT_MAX_RANGE), ONTRAPORT_MAX_RANGE);
  g_autoptr(JsonNode) condition = NULL;
  g_autoptr(GPtrArray) candidates = g_ptr_array_new ();
  JsonArray *data;
  guint64 object_id;
  guint matched = 0;

  if (object_id_text == NULL
      || !g_ascii_string_to_unsigned (object_id_text, 10, 0, G_MAXUINT32, &object_id, NULL))
    {
      ontraport_reply_error (msg, 400, "Invalid objectID");
      return;
    }

  if (condition_text != NULL && *condition_text != '\0')
    {
      condition = json_from_string (condition_text, NULL);
      if (condition == NULL)
        {
          ontraport_reply_error (msg, 400, "Invalid condition: not JSON");
          return;
        }
    }

  if (object_id == ONTRAPORT_CONTACT_OBJECT)
    g_ptr_array_extend (candidates, self->contacts, NULL, NULL);
  else if (object_id == ONTRAPORT_NOTE_OBJECT)
    g_ptr_array_extend (candidates, self->notes, NULL, NULL);
  else
    for (guint i = 0; i < self->tasks->len; i++)
      g_ptr_array_add (candidates, ((FakeTask *) g_ptr_array_index (self->tasks, i))->fields);

  data = json_array_new ();
  for (guint i = 0; i < candidates->len; i++)
    {
      JsonObject *object = g_ptr_array_index (candidates, i);
      gboolean matches = TRUE;
      g_autoptr(GError) error = NULL;

      if (condition != NULL && !eval_condition (condition, object, &matches, &error))
        {
          g_autofree char *message = g_strdup_printf ("Invalid condition: %s", error->message);

          json_array_unref (data);
          ontraport_reply_error (msg, 400, message);
          return;
        }

      if (!matches)
        continue;

      if (matched++ < start || json_array_get_length (data) >= range)
        continue;

      json_array_add_object_element (data, ontraport_stringify (object, list_fields));
    }

  ontraport_reply (msg, 200, 0, node_take_array (data));
}

static void
ontraport_handle_locked (FakeServer        *self,
                         SoupServerMessage *msg,
                         FakeRequest       *request,
                         GHashTable        *query)
{
  const char *method = request->method;
  const char *path = request->path;
  gboolean is_post = g_str_equal (method, "POST");
  g_autoptr(JsonNode) root = NULL;

  if (!ontraport_authorized_locked (self, request))
    {
      ontraport_reply_error (msg, 401, "Your App ID and API Key do not match.");
      return;
    }

  if (is_post && (g_str_equal (path, "/1/objects") || g_str_equal (path, "/1/task/assign")))
    {
      root = json_from_string (request->body != NULL ? request->body : "", NULL);
      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        {
          ontraport_reply_error (msg, 400, "Invalid request body");
          return;
        }
    }

  if (g_str_equal (path, "/1/objects") && is_post)
    ontraport_create_locked (self, msg, json_node_get_object (root));
  else if (g_str_equal (path, "/1/objects") && g_str_equal (method, "GET"))
    ontraport_list_locked (self, msg, query);
  else if (g_str_equal (path, "/1/task/assign") && is_post)
    ontraport_task_assign_locked (self, msg, json_node_get_object (root));
  else
    ontraport_reply_error (msg, 404, "Not found");
}

/* ---- stalls ---- */

static void
stalled_message_release (StalledMessage *stalled)
{
  FakeServer *self = stalled->self;

  self->stalled = g_list_remove (self->stalled, stalled);
  g_signal_handlers_disconnect_by_data (stalled->msg, stalled);

  /* Close the connection: shut the socket down, then let libsoup try to
   * write the answer it was holding, which fails and drops it. A message
   * whose connection is already gone cannot be unpaused. */
  g_socket_shutdown (stalled->socket, TRUE, TRUE, NULL);
  if (!stalled->gone)
    {
      soup_server_message_set_status (stalled->msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, NULL);
      soup_server_message_set_response (stalled->msg, NULL, SOUP_MEMORY_STATIC, NULL, 0);
      soup_server_message_unpause (stalled->msg);
    }

  g_source_destroy (stalled->source);
  g_source_unref (stalled->source);
  g_object_unref (stalled->socket);
  g_object_unref (stalled->msg);
  g_free (stalled);
}

static gboolean
on_stall_over (gpointer user_data)
{
  stalled_message_release (user_data);
  return G_SOURCE_REMOVE;
}

static void
on_stalled_message_gone (SoupServerMessage *msg,
                         gpointer           user_data)
{
  StalledMessage *stalled = user_data;

  stalled->gone = TRUE;
}

static void
stall_message (FakeServer        *self,
               SoupServerMessage *msg,
               guint              seconds)
{
  StalledMessage *stalled = g_new0 (StalledMessage, 1);

  stalled->self = self;
  stalled->msg = g_object_ref (msg);
  stalled->socket = g_object_ref (soup_server_message_get_socket (msg));
  stalled->source = g_timeout_source_new_seconds (seconds);
  g_source_set_callback (stalled->source, on_stall_over, stalled, NULL);
  g_source_attach (stalled->source, self->context);
  self->stalled = g_list_prepend (self->stalled, stalled);
  g_signal_connect (msg, "finished", G_CALLBACK (on_stalled_message_gone), stalled);
  g_signal_connect (msg, "disconnected", G_CALLBACK (on_stalled_message_gone), stalled);

  soup_server_message_pause (msg);
}

/* ---- connections the client closed ----
 *
 * libsoup 3.2's server does not notice when a client closes a kept-alive
 * connection: the socket stays in CLOSE-WAIT, its descriptor open, until the
 * SoupServer is freed. A test that drains thousands of POSTs (a new
 * connection each) would run out of descriptors. So every accepted socket
 * is tracked, and one whose peer has hung up (it reads end of file without
 * consuming anything) is closed here. */

static gboolean
peer_hung_up (GSocket *socket)
{
  g_autoptr(GError) error = NULL;
  GInputVector vector;
  char byte;
  gint flags = G_SOCKET_MSG_PEEK;
  gssize received;

  if (g_socket_condition_check (socket, G_IO_IN | G_IO_HUP | G_IO_ERR) == 0)
    return FALSE;

  vector.buffer = &byte;
  vector.size = 1;
  received = g_socket_receive_message (socket, NULL, &vector, 1, NULL, NULL, &flags, NULL, &error);

  if (received > 0)
    return FALSE;                                     /* a request is coming */
  if (received < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return FALSE;

  return TRUE;                                        /* end of file or an error */
}

static void
reap_connections (FakeServer *self)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      GSocket *socket = key;

      if (g_socket_is_closed (socket))
        g_hash_table_iter_remove (&iter);
      else if (peer_hung_up (socket))
        {
          g_socket_close (socket, NULL);
          g_hash_table_iter_remove (&iter);
        }
    }
}

static gboolean
on_reap (gpointer user_data)
{
  reap_connections (user_data);
  return G_SOURCE_CONTINUE;
}

static void
on_request_started (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  FakeServer *self = user_data;
  GSocket *socket = soup_server_message_get_socket (msg);

  reap_connections (self);

  if (socket != NULL && !g_hash_table_contains (self->connections, socket))
    g_hash_table_add (self->connections, g_object_ref (socket));
}

/* ---- live events: GET /api/events (server thread) ---- */

static void
sse_entry_free (SseEntry *entry)
{
  g_free (entry->id);
  g_bytes_unref (entry->raw);
  g_free (entry);
}

/* The value of the last "id" field in @raw (NULL when it has none). */
static char *
sse_find_id (const char *raw,
             gsize       len)
{
  const char *p = raw;
  const char *end = raw + len;
  char *id = NULL;

  while (p < end)
    {
      const char *eol = p;
      gsize n;

      while (eol < end && *eol != '\n' && *eol != '\r')
        eol++;
      n = (gsize) (eol - p);

      if (n == 2 && memcmp (p, "id", 2) == 0)
        {
          g_free (id);
          id = g_strdup ("");
        }
      else if (n >= 3 && memcmp (p, "id:", 3) == 0)
        {
          const char *value = p + 3;

          if (value < eol && *value == ' ')
            value++;
          g_free (id);
          id = g_strndup (value, (gsize) (eol - value));
        }

      p = eol < end ? eol + 1 : end;
    }

  return id;
}

/* Adds @data to what the stream sends, with its line ends rewritten as the
 * mode asks. */
static void
sse_append_text (SseStream  *stream,
                 const char *data,
                 gsize       len)
{
  const char *eol;
  gsize eol_len;

  if (stream->mode & FAKE_SSE_CR)
    eol = "\r";
  else if (stream->mode & FAKE_SSE_CRLF)
    eol = "\r\n";
  else if (stream->mode & FAKE_SSE_LF)
    eol = "\n";
  else
    {
      g_byte_array_append (stream->pending, (const guint8 *) data, (guint) len);
      return;
    }
  eol_len = strlen (eol);

  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (c == '\n' && stream->last_was_cr)
        {
          /* The LF of a CRLF: its line end was written with the CR. */
          stream->last_was_cr = FALSE;
          continue;
        }
      stream->last_was_cr = c == '\r';

      if (c == '\r' || c == '\n')
        g_byte_array_append (stream->pending, (const guint8 *) eol, (guint) eol_len);
      else
        g_byte_array_append (stream->pending, (const guint8 *) &c, 1);
    }
}

static void
sse_unpause (SseStream *stream)
{
  if (stream->may_unpause && !stream->gone)
    soup_server_message_unpause (stream->msg);
}

/* Cuts the connection: the client sees its end without the last chunk. */
static void
sse_stream_cut (SseStream *stream)
{
  if (stream->closing)
    return;

  stream->closing = TRUE;
  g_socket_shutdown (stream->socket, TRUE, TRUE, NULL);
  /* libsoup's attempt to end the body fails and drops the connection. */
  soup_message_body_complete (soup_server_message_get_response_body (stream->msg));
  sse_unpause (stream);
}

/* Ends the body properly, after what is waiting. */
static void
sse_stream_end (SseStream *stream)
{
  SoupMessageBody *body = soup_server_message_get_response_body (stream->msg);

  if (stream->closing)
    return;

  stream->closing = TRUE;
  if (stream->pending->len > stream->pending_pos)
    soup_message_body_append (body, SOUP_MEMORY_COPY,
                              stream->pending->data + stream->pending_pos,
                              stream->pending->len - stream->pending_pos);
  g_byte_array_set_size (stream->pending, 0);
  stream->pending_pos = 0;
  soup_message_body_complete (body);
  sse_unpause (stream);
}

/* Hands the next chunk to libsoup when it wrote the last one. */
static void
sse_pump (SseStream *stream)
{
  gsize available, n;

  if (stream->closing || stream->in_flight > 0)
    return;

  if (stream->pending_pos == stream->pending->len)
    {
      g_byte_array_set_size (stream->pending, 0);
      stream->pending_pos = 0;

      if (stream->huge_left > 0)
        {
          /* The huge line, made a piece at a time so that the fake never
           * holds it whole. */
          n = MIN (stream->huge_left, SSE_HUGE_PIECE);
          g_byte_array_set_size (stream->pending, (guint) n);
          memset (stream->pending->data, 'x', n);
          stream->huge_left -= n;
          if (stream->huge_left == 0)
            {
              sse_append_text (stream, "\n\n", 2);
              sse_append_text (stream, (const char *) stream->deferred->data,
                               stream->deferred->len);
              g_byte_array_set_size (stream->deferred, 0);
            }
        }
    }

  if ((stream->mode & FAKE_SSE_DROP) && stream->written >= stream->drop_after)
    {
      sse_stream_cut (stream);
      return;
    }

  available = stream->pending->len - stream->pending_pos;
  if (available == 0)
    return;

  n = (stream->mode & FAKE_SSE_ONE_BYTE) ? 1 : available;
  if (stream->mode & FAKE_SSE_DROP)
    n = MIN (n, stream->drop_after - stream->written);

  soup_message_body_append (soup_server_message_get_response_body (stream->msg),
                            SOUP_MEMORY_COPY, stream->pending->data + stream->pending_pos, n);
  stream->pending_pos += n;
  stream->in_flight = n;
  sse_unpause (stream);
}

/* Adds pushed bytes: after the huge line when it is still being made. */
static void
sse_stream_push (SseStream  *stream,
                 const char *raw,
                 gsize       len)
{
  if (stream->closing)
    return;

  if (stream->huge_left > 0)
    g_byte_array_append (stream->deferred, (const guint8 *) raw, (guint) len);
  else
    sse_append_text (stream, raw, len);
  sse_pump (stream);
}

static void
on_sse_wrote_chunk (SoupServerMessage *msg,
                    gpointer           user_data)
{
  SseStream *stream = user_data;

  stream->written += stream->in_flight;
  stream->in_flight = 0;
  sse_pump (stream);
}

static void
on_sse_gone (SoupServerMessage *msg,
             gpointer           user_data)
{
  SseStream *stream = user_data;

  /* Freed by the ticker, outside libsoup's signal emission. */
  stream->gone = TRUE;
  stream->closing = TRUE;
}

static void
sse_stream_free (SseStream *stream)
{
  g_signal_handlers_disconnect_by_data (stream->msg, stream);
  if (!stream->gone)
    sse_stream_cut (stream);

  g_object_unref (stream->msg);
  g_object_unref (stream->socket);
  g_byte_array_unref (stream->pending);
  g_byte_array_unref (stream->deferred);
  g_free (stream);
}

/* Every stream cut and forgotten (the server stops or refuses). */
static void
sse_free_streams (FakeServer *self)
{
  g_list_free_full (g_steal_pointer (&self->sse_streams), (GDestroyNotify) sse_stream_free);
}

static gboolean
on_sse_tick (gpointer user_data)
{
  FakeServer *self = user_data;
  gint64 now = g_get_monotonic_time ();

  for (GList *l = self->sse_streams; l != NULL;)
    {
      GList *next = l->next;
      SseStream *stream = l->data;

      if (!stream->closing &&
          (g_socket_is_closed (stream->socket) || peer_hung_up (stream->socket)))
        sse_stream_cut (stream);

      if (stream->gone)
        {
          self->sse_streams = g_list_delete_link (self->sse_streams, l);
          sse_stream_free (stream);
        }
      else if (!stream->closing && !(stream->mode & FAKE_SSE_STALL)
               && now >= stream->next_heartbeat)
        {
          stream->next_heartbeat = now + (gint64) stream->heartbeat_ms * 1000;
          sse_stream_push (stream, ":\n", 2);
        }

      l = next;
    }

  return G_SOURCE_CONTINUE;
}

static void
sse_handle_request (FakeServer        *self,
                    SoupServerMessage *msg,
                    FakeRequest       *request)
{
  const char *last_id = g_hash_table_lookup (request->headers, "last-event-id");  /* locked */
  g_autoptr(GPtrArray) backlog = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  SseStream *stream;
  FakeSseMode mode;
  gboolean authorized, is_get;
  guint heartbeat_ms, retry_ms;
  gsize drop_after;

  g_mutex_lock (&self->mutex);

  /* @request belongs to the list from here on (the test may clear it). */
  is_get = g_str_equal (request->method, "GET");
  request->fault = FAKE_OK;
  g_ptr_array_add (self->requests, request);
  self->sse_connections++;
  if (g_queue_is_empty (&self->sse_mode_queue))
    mode = self->sse_mode;
  else
    mode = (FakeSseMode) GPOINTER_TO_UINT (g_queue_pop_head (&self->sse_mode_queue));
  authorized = backend_authorized_locked (self, request);
  heartbeat_ms = MAX (self->sse_heartbeat_ms, 1);
  retry_ms = self->sse_retry_ms;
  drop_after = self->sse_drop_after;

  {
    guint start = 0;

    if (!self->sse_replay_all && last_id != NULL)
      {
        for (guint i = self->sse_backlog->len; i > 0; i--)
          {
            SseEntry *entry = g_ptr_array_index (self->sse_backlog, i - 1);

            if (entry->id != NULL && g_str_equal (entry->id, last_id))
              {
                start = i;
                break;
              }
          }
      }

    for (guint i = start; i < self->sse_backlog->len; i++)
      {
        SseEntry *entry = g_ptr_array_index (self->sse_backlog, i);

        g_ptr_array_add (backlog, g_bytes_ref (entry->raw));
      }
  }

  g_mutex_unlock (&self->mutex);

  if (!is_get)
    {
      backend_reply_error (msg, 405, "method not allowed");
      return;
    }
  if (!authorized || (mode & FAKE_SSE_401))
    {
      backend_reply_error (msg, 401, "invalid or missing token");
      return;
    }
  if (mode & FAKE_SSE_204)
    {
      soup_server_message_set_status (msg, 204, NULL);
      return;
    }
  if (mode & FAKE_SSE_500)
    {
      backend_reply_error (msg, 500, "the event service is down");
      return;
    }
  if (mode & FAKE_SSE_HTML)
    {
      set_body (msg, 200, "text/html",
                g_strdup ("<!DOCTYPE html><html><body><h1>Down for maintenance</h1>"
                          "</body></html>"));
      return;
    }

  soup_server_message_set_status (msg, 200, NULL);
  soup_message_headers_replace (headers, "Content-Type", "text/event-stream");
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);

  stream = g_new0 (SseStream, 1);
  stream->self = self;
  stream->msg = g_object_ref (msg);
  stream->socket = g_object_ref (soup_server_message_get_socket (msg));
  stream->mode = mode;
  stream->heartbeat_ms = heartbeat_ms;
  stream->drop_after = drop_after;
  stream->pending = g_byte_array_new ();
  stream->deferred = g_byte_array_new ();
  stream->next_heartbeat = g_get_monotonic_time () + (gint64) heartbeat_ms * 1000;
  g_signal_connect (msg, "wrote-chunk", G_CALLBACK (on_sse_wrote_chunk), stream);
  g_signal_connect (msg, "finished", G_CALLBACK (on_sse_gone), stream);
  g_signal_connect (msg, "disconnected", G_CALLBACK (on_sse_gone), stream);
  self->sse_streams = g_list_append (self->sse_streams, stream);

  if (mode & FAKE_SSE_BOM)
    g_byte_array_append (stream->pending, (const guint8 *) "\xEF\xBB\xBF", 3);
  if (mode & FAKE_SSE_RETRY)
    {
      g_autofree char *line = g_strdup_printf ("retry: %u\n", retry_ms);

      sse_append_text (stream, line, strlen (line));
    }
  for (guint i = 0; i < backlog->len; i++)
    {
      GBytes *raw = g_ptr_array_index (backlog, i);

      sse_append_text (stream, g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
    }
  if (mode & FAKE_SSE_HUGE_LINE)
    {
      sse_append_text (stream, "data: ", 6);
      stream->huge_left = FAKE_SSE_HUGE_LINE_BYTES;
    }

  /* The first chunk goes with the headers; libsoup pauses the message by
   * itself when it runs out of chunks, and each later chunk unpauses it. */
  sse_pump (stream);
  stream->may_unpause = TRUE;
}

/* ---- request dispatch (server thread) ---- */

static void
on_request (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  FakeServer *self = user_data;
  FakeRequest *request = fake_request_new (msg);
  RateInfo rate = { 0 };
  gboolean admitted = TRUE;
  FakeFault fault = FAKE_OK;
  guint stall_seconds;

  if (self->kind == FAKE_BACKEND && g_str_equal (request->path, "/api/events"))
    {
      sse_handle_request (self, msg, request);
      return;
    }

  g_mutex_lock (&self->mutex);

  if (self->kind == FAKE_ONTRAPORT)
    admitted = rate_admit_locked (self, &rate);
  if (admitted)
    fault = next_fault_locked (self);

  request->fault = fault;
  g_ptr_array_add (self->requests, request);
  stall_seconds = self->stall_seconds;

  if (!admitted)
    {
      ontraport_reply_error (msg, 429, "Rate limit exceeded");
    }
  else if (fault == FAKE_RESET_BEFORE)
    {
      drop_connection (msg);
    }
  else if (fault != FAKE_OK && fault != FAKE_RESET_AFTER && fault != FAKE_STALL)
    {
      answer_fault (self, msg, fault, &rate);
    }
  else
    {
      if (self->kind == FAKE_BACKEND)
        backend_handle_locked (self, msg, request, query);
      else
        ontraport_handle_locked (self, msg, request, query);
    }

  g_mutex_unlock (&self->mutex);

  if (self->kind == FAKE_ONTRAPORT)
    add_rate_headers (msg, &rate);

  if (fault == FAKE_RESET_AFTER)
    drop_connection (msg);
  else if (fault == FAKE_STALL)
    stall_message (self, msg, stall_seconds);
}

/* The other host a FAKE_REDIRECT points at: it takes anything and answers
 * as if it had stored it. */
static void
on_trap_request (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  FakeServer *self = user_data;
  FakeRequest *request = fake_request_new (msg);

  g_mutex_lock (&self->mutex);
  if (g_hash_table_contains (request->headers, "authorization")
      || g_hash_table_contains (request->headers, "api-key")
      || g_hash_table_contains (request->headers, "api-appid"))
    self->trap_saw_credentials = TRUE;
  g_ptr_array_add (self->trap_requests, request);
  g_mutex_unlock (&self->mutex);

  if (self->kind == FAKE_ONTRAPORT)
    {
      JsonObject *data = json_object_new ();

      json_object_set_string_member (data, "id", G_STRINGIFY (TRAP_ID));
      ontraport_reply (msg, 200, 0, node_take_object (data));
    }
  else
    backend_reply_id (msg, 200, TRAP_ID);
}

/* ---- listening ---- */

/* Listens on @address:@port with a socket of our own: the port is then known
 * without soup_server_get_uris () (which leaks in libsoup 3.2), and
 * allow_reuse lets us listen on the same port again right after refusing,
 * whatever connections are still in TIME_WAIT. */
static GSocket *
listen_at (SoupServer              *server,
           GInetAddress            *address,
           guint16                  port,
           SoupServerListenOptions  options,
           guint16                 *bound_port,
           GError                 **error)
{
  g_autoptr(GSocketAddress) wanted = g_inet_socket_address_new (address, port);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) socket = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return NULL;

  if (!g_socket_bind (socket, wanted, TRUE, error)
      || !g_socket_listen (socket, error)
      || (bound = g_socket_get_local_address (socket, error)) == NULL
      || !soup_server_listen_socket (server, socket, options, error))
    {
      g_socket_close (socket, NULL);
      return NULL;
    }

  *bound_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return g_steal_pointer (&socket);
}

static gboolean
listen_on_port (FakeServer *self,
                guint16     port,
                GError    **error)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);

  self->listen_socket = listen_at (self->server, loopback, port,
                                   self->tls_certificate != NULL ? SOUP_SERVER_LISTEN_HTTPS : 0,
                                   &self->port, error);
  return self->listen_socket != NULL;
}

/* Closes the listening socket and every connection (stalled ones too), so
 * that a client cannot go on using a kept-alive one. */
static void
stop_listening (FakeServer *self)
{
  while (self->stalled != NULL)
    stalled_message_release (self->stalled->data);
  sse_free_streams (self);

  soup_server_disconnect (self->server);
  if (self->listen_socket != NULL)
    {
      g_socket_close (self->listen_socket, NULL);
      g_clear_object (&self->listen_socket);
    }
}

static gboolean
start_trap (FakeServer *self,
            GError    **error)
{
  g_autoptr(GInetAddress) other = g_inet_address_new_from_string ("127.0.0.2");
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);

  self->trap = soup_server_new ("server-header", "fake-trap ", NULL);
  soup_server_add_handler (self->trap, NULL, on_trap_request, self, NULL);
  g_signal_connect (self->trap, "request-started", G_CALLBACK (on_request_started), self);

  self->trap_socket = listen_at (self->trap, other, 0, 0, &self->trap_port, NULL);
  if (self->trap_socket != NULL)
    {
      self->trap_host = g_strdup ("127.0.0.2");
      return TRUE;
    }

  /* Same address, another host name: still not the host the client was
   * configured with. */
  self->trap_socket = listen_at (self->trap, loopback, 0, 0, &self->trap_port, error);
  if (self->trap_socket == NULL)
    return FALSE;

  self->trap_host = g_strdup ("localhost");
  return TRUE;
}

static gboolean
on_started (gpointer user_data)
{
  FakeServer *self = user_data;

  g_mutex_lock (&self->mutex);
  self->started = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  return G_SOURCE_REMOVE;
}

static gpointer
server_thread (gpointer user_data)
{
  FakeServer *self = user_data;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (self->context);

  self->server = soup_server_new ("server-header", "fake-servers ", NULL);
  if (self->tls_certificate != NULL)
    soup_server_set_tls_certificate (self->server, self->tls_certificate);
  soup_server_add_handler (self->server, NULL, on_request, self, NULL);
  g_signal_connect (self->server, "request-started", G_CALLBACK (on_request_started), self);
  self->connections = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref, NULL);

  if (!listen_on_port (self, 0, &error) || !start_trap (self, &error))
    {
      g_mutex_lock (&self->mutex);
      self->start_error = g_strdup (error->message);
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->mutex);
      if (self->listen_socket != NULL)
        g_socket_close (self->listen_socket, NULL);
      g_clear_object (&self->listen_socket);
      g_clear_object (&self->trap);
      g_clear_object (&self->server);
      g_clear_pointer (&self->connections, g_hash_table_unref);
      g_main_context_pop_thread_default (self->context);
      return NULL;
    }

  self->base_url = g_strdup_printf ("%s://127.0.0.1:%u%s",
                                    self->tls_certificate != NULL ? "https" : "http", self->port,
                                    self->kind == FAKE_ONTRAPORT ? "/1" : "");

  self->reaper = g_timeout_source_new (REAP_INTERVAL_MS);
  g_source_set_callback (self->reaper, on_reap, self, NULL);
  g_source_attach (self->reaper, self->context);

  self->sse_ticker = g_timeout_source_new (SSE_TICK_MS);
  g_source_set_callback (self->sse_ticker, on_sse_tick, self, NULL);
  g_source_attach (self->sse_ticker, self->context);

  /* Tell fake_server_new only once the loop runs, so that a quit can never
   * come before it. */
  g_main_context_invoke (self->context, on_started, self);
  g_main_loop_run (self->loop);

  g_source_destroy (self->reaper);
  g_clear_pointer (&self->reaper, g_source_unref);
  g_source_destroy (self->sse_ticker);
  g_clear_pointer (&self->sse_ticker, g_source_unref);

  stop_listening (self);
  soup_server_disconnect (self->trap);
  g_socket_close (self->trap_socket, NULL);
  g_clear_object (&self->trap_socket);
  g_clear_object (&self->trap);
  g_clear_object (&self->server);

  while (g_main_context_iteration (self->context, FALSE))
    ;

  /* Whatever libsoup 3.2 kept open (see reap_connections). */
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, self->connections);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      g_socket_close (key, NULL);
    g_clear_pointer (&self->connections, g_hash_table_unref);
  }

  g_main_context_pop_thread_default (self->context);
  return NULL;
}

/* ---- public API ---- */

static FakeServer *
fake_server_start (FakeKind         kind,
                   GTlsCertificate *tls_certificate)
{
  FakeServer *self = g_new0 (FakeServer, 1);

  self->kind = kind;
  self->tls_certificate = tls_certificate != NULL ? g_object_ref (tls_certificate) : NULL;
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  g_queue_init (&self->fault_queue);

  self->token = g_strdup (DEFAULT_TOKEN);
  self->app_id = g_strdup (DEFAULT_APP_ID);
  self->api_key = g_strdup (DEFAULT_API_KEY);
  self->stall_seconds = DEFAULT_STALL_SECONDS;
  self->rate_limit = DEFAULT_RATE_LIMIT;
  self->rate_window = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->next_id = 1;

  self->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) fake_request_free);
  self->trap_requests = g_ptr_array_new_with_free_func ((GDestroyNotify) fake_request_free);
  self->calls_by_client_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                    (GDestroyNotify) json_object_unref);
  self->calls_by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                             (GDestroyNotify) json_object_unref);
  self->idempotency = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->remote_calls = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  self->outbound_calls = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  self->contacts = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  self->notes = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  self->tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) fake_task_free);
  g_queue_init (&self->sse_mode_queue);
  self->sse_heartbeat_ms = DEFAULT_SSE_HEARTBEAT_MS;
  self->sse_retry_ms = DEFAULT_SSE_RETRY_MS;
  self->sse_backlog = g_ptr_array_new_with_free_func ((GDestroyNotify) sse_entry_free);

  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->thread = g_thread_new (kind == FAKE_BACKEND ? "fake-backend" : "fake-ontraport",
                               server_thread, self);

  g_mutex_lock (&self->mutex);
  while (!self->started && self->start_error == NULL)
    g_cond_wait (&self->cond, &self->mutex);
  g_mutex_unlock (&self->mutex);

  if (self->start_error != NULL)
    g_error ("The fake %s cannot listen: %s",
             kind == FAKE_BACKEND ? "backend" : "Ontraport", self->start_error);

  return self;
}

FakeServer *
fake_server_new (FakeKind kind)
{
  return fake_server_start (kind, NULL);
}

/* The test fixtures in tests/data/tls (see make-certs.py there). */
static char *
tls_file (const char *name)
{
  return g_build_filename (FAKE_TLS_DIR, name, NULL);
}

const char *
fake_server_tls_ca_file (void)
{
  return FAKE_TLS_DIR G_DIR_SEPARATOR_S "test-ca.pem";
}

FakeServer *
fake_server_new_https (FakeKind kind,
                       FakeTls  tls)
{
  static const char *files[] = {
    [FAKE_TLS_LOCALHOST] = "localhost.pem",
    [FAKE_TLS_EXPIRED] = "expired.pem",
    [FAKE_TLS_WRONG_HOST] = "wrong-host.pem",
  };
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  if (tls == FAKE_TLS_NONE)
    return fake_server_new (kind);

  g_return_val_if_fail ((guint) tls < G_N_ELEMENTS (files), NULL);

  path = tls_file (files[tls]);
  certificate = g_tls_certificate_new_from_file (path, &error);
  if (certificate == NULL)
    g_error ("The fake server's certificate %s cannot be loaded: %s", path, error->message);

  return fake_server_start (kind, certificate);
}

static gboolean
on_quit (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static void
idempotency_entry_free (gpointer data)
{
  IdempotencyEntry *entry = data;

  json_node_unref (entry->body);
  g_free (entry);
}

void
fake_server_free (FakeServer *self)
{
  if (self == NULL)
    return;

  g_main_context_invoke (self->context, on_quit, self->loop);
  g_thread_join (self->thread);

  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);

  g_free (self->base_url);
  g_clear_object (&self->tls_certificate);
  g_free (self->trap_host);
  g_free (self->start_error);
  g_free (self->token);
  g_free (self->app_id);
  g_free (self->api_key);
  g_queue_clear (&self->fault_queue);
  g_clear_pointer (&self->rand, g_rand_free);
  g_array_unref (self->rate_window);
  g_ptr_array_unref (self->requests);
  g_ptr_array_unref (self->trap_requests);
  g_hash_table_unref (self->calls_by_client_id);
  g_hash_table_unref (self->calls_by_id);
  {
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init (&iter, self->idempotency);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      idempotency_entry_free (value);
    g_hash_table_unref (self->idempotency);
  }
  g_ptr_array_unref (self->remote_calls);
  g_ptr_array_unref (self->outbound_calls);
  g_ptr_array_unref (self->contacts);
  g_ptr_array_unref (self->notes);
  g_ptr_array_unref (self->tasks);
  g_queue_clear (&self->sse_mode_queue);
  g_ptr_array_unref (self->sse_backlog);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_free (self);
}

const char *
fake_server_get_base_url (FakeServer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->base_url;
}

/* The body of a getter: @expr, of @type, read under the mutex (@fallback
 * when self is NULL). */
#define RETURN_LOCKED(type, fallback, expr)                    \
  G_STMT_START {                                               \
    type value_;                                               \
                                                               \
    g_return_val_if_fail (self != NULL, fallback);             \
                                                               \
    g_mutex_lock (&self->mutex);                               \
    value_ = (expr);                                           \
    g_mutex_unlock (&self->mutex);                             \
    return value_;                                             \
  } G_STMT_END

/* The body of a setter: @statement run under the mutex. */
#define RUN_LOCKED(statement)                                  \
  G_STMT_START {                                               \
    g_return_if_fail (self != NULL);                           \
                                                               \
    g_mutex_lock (&self->mutex);                               \
    statement;                                                 \
    g_mutex_unlock (&self->mutex);                             \
  } G_STMT_END

void
fake_server_set_token (FakeServer *self,
                       const char *token)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  g_free (self->token);
  self->token = g_strdup (token);
  g_mutex_unlock (&self->mutex);
}

void
fake_server_set_api_keys (FakeServer *self,
                          const char *app_id,
                          const char *api_key)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  g_free (self->app_id);
  self->app_id = g_strdup (app_id);
  g_free (self->api_key);
  self->api_key = g_strdup (api_key);
  g_mutex_unlock (&self->mutex);
}

void
fake_server_queue_fault (FakeServer *self,
                         FakeFault   fault)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail ((guint) fault < FAKE_N_FAULTS);

  g_mutex_lock (&self->mutex);
  g_queue_push_tail (&self->fault_queue, GINT_TO_POINTER (fault));
  g_mutex_unlock (&self->mutex);
}

void
fake_server_set_random_faults (FakeServer *self,
                               double      random_rate,
                               guint       random_mask,
                               guint32     seed)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  self->random_rate = CLAMP (random_rate, 0.0, 1.0);
  self->random_mask = random_mask & ((1u << FAKE_N_FAULTS) - 1);
  g_clear_pointer (&self->rand, g_rand_free);
  self->rand = g_rand_new_with_seed (seed);
  g_mutex_unlock (&self->mutex);
}

void
fake_server_set_stall_seconds (FakeServer *self,
                               guint       seconds)
{
  RUN_LOCKED (self->stall_seconds = seconds);
}

void
fake_server_set_rate_limit (FakeServer *self,
                            guint       per_minute)
{
  RUN_LOCKED (self->rate_limit = per_minute);
}

typedef struct {
  FakeServer *self;
  gboolean    refusing;
  gboolean    done;
  GError     *error;
} RefusingCall;

static gboolean
on_set_refusing (gpointer user_data)
{
  RefusingCall *call = user_data;
  FakeServer *self = call->self;
  gboolean ok = TRUE;

  if (call->refusing && self->listen_socket != NULL)
    stop_listening (self);
  else if (!call->refusing && self->listen_socket == NULL)
    ok = listen_on_port (self, self->port, &call->error);

  g_mutex_lock (&self->mutex);
  if (ok)
    self->refusing = call->refusing;
  call->done = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  return G_SOURCE_REMOVE;
}

void
fake_server_set_refusing (FakeServer *self,
                          gboolean    refusing)
{
  RefusingCall call = { self, !!refusing, FALSE, NULL };

  g_return_if_fail (self != NULL);

  g_main_context_invoke (self->context, on_set_refusing, &call);

  g_mutex_lock (&self->mutex);
  while (!call.done)
    g_cond_wait (&self->cond, &self->mutex);
  g_mutex_unlock (&self->mutex);

  if (call.error != NULL)
    g_error ("The fake server cannot listen on port %u again: %s", self->port,
             call.error->message);
}

void
fake_server_add_contact_full (FakeServer *self,
                              guint       id,
                              const char *firstname,
                              const char *lastname,
                              const char *office_phone,
                              const char *sms_number)
{
  JsonObject *contact;

  g_return_if_fail (self != NULL);

  contact = json_object_new ();
  json_object_set_int_member (contact, "id", id);
  json_object_set_string_member (contact, "firstname", firstname != NULL ? firstname : "");
  json_object_set_string_member (contact, "lastname", lastname != NULL ? lastname : "");
  json_object_set_string_member (contact, "office_phone", office_phone != NULL ? office_phone : "");
  json_object_set_string_member (contact, "sms_number", sms_number != NULL ? sms_number : "");

  g_mutex_lock (&self->mutex);
  g_ptr_array_add (self->contacts, contact);
  g_mutex_unlock (&self->mutex);
}

void
fake_server_add_contact (FakeServer *self,
                         guint       id,
                         const char *firstname,
                         const char *lastname,
                         const char *office_phone)
{
  fake_server_add_contact_full (self, id, firstname, lastname, office_phone, NULL);
}

void
fake_server_add_remote_call (FakeServer *self,
                             const char *contact_id,
                             const char *client_id,
                             const char *outcome,
                             const char *notes,
                             const char *created_at)
{
  JsonObject *call;

  g_return_if_fail (self != NULL);

  call = json_object_new ();

  g_mutex_lock (&self->mutex);
  json_object_set_int_member (call, "id", self->next_id++);
  if (client_id != NULL)
    json_object_set_string_member (call, "client_id", client_id);
  else
    json_object_set_null_member (call, "client_id");
  json_object_set_string_member (call, "contact_id", contact_id);
  json_object_set_null_member (call, "contact_name");
  json_object_set_string_member (call, "outcome", outcome);
  if (notes != NULL)
    json_object_set_string_member (call, "notes", notes);
  else
    json_object_set_null_member (call, "notes");
  json_object_set_null_member (call, "follow_up_date");
  json_object_set_string_member (call, "created_at", created_at);
  g_ptr_array_add (self->remote_calls, call);
  g_mutex_unlock (&self->mutex);
}

/* ---- outbound call tasks (see the section above) ---- */

void
fake_server_add_outbound_call (FakeServer *self,
                               const char *id,
                               const char *name,
                               const char *number,
                               const char *status,
                               const char *scheduled_at)
{
  JsonObject *call;

  g_return_if_fail (self != NULL);
  g_return_if_fail (id != NULL && number != NULL && status != NULL);

  call = outbound_call_new (id, name, number, status, scheduled_at);
  if (g_strcmp0 (status, "failed") == 0)
    json_object_set_string_member (call, "failure_reason", "The line was busy three times.");

  g_mutex_lock (&self->mutex);
  g_ptr_array_add (self->outbound_calls, call);
  g_mutex_unlock (&self->mutex);
}

static GPtrArray *
copy_requests (GPtrArray *requests)
{
  GPtrArray *copy = g_ptr_array_new_full (requests->len, (GDestroyNotify) fake_request_free);

  for (guint i = 0; i < requests->len; i++)
    g_ptr_array_add (copy, fake_request_copy (g_ptr_array_index (requests, i)));

  return copy;
}

GPtrArray *
fake_server_get_requests (FakeServer *self)
{
  RETURN_LOCKED (GPtrArray *, NULL, copy_requests (self->requests));
}

GPtrArray *
fake_server_get_redirect_requests (FakeServer *self)
{
  RETURN_LOCKED (GPtrArray *, NULL, copy_requests (self->trap_requests));
}

guint
fake_server_count_requests (FakeServer *self,
                            const char *method,
                            const char *path_prefix)
{
  guint count = 0;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->requests->len; i++)
    {
      FakeRequest *request = g_ptr_array_index (self->requests, i);

      if ((method == NULL || g_ascii_strcasecmp (method, request->method) == 0)
          && (path_prefix == NULL || g_str_has_prefix (request->path, path_prefix)))
        count++;
    }
  g_mutex_unlock (&self->mutex);

  return count;
}

void
fake_server_clear_requests (FakeServer *self)
{
  RUN_LOCKED (g_ptr_array_set_size (self->requests, 0));
}

guint
fake_server_count_records (FakeServer *self)
{
  RETURN_LOCKED (guint, 0,
                 self->kind == FAKE_BACKEND ? g_hash_table_size (self->calls_by_client_id)
                                            : self->notes->len);
}

guint
fake_server_count_tasks (FakeServer *self)
{
  RETURN_LOCKED (guint, 0, self->tasks->len);
}

guint
fake_server_count_duplicates (FakeServer *self)
{
  RETURN_LOCKED (guint, 0, self->duplicates);
}

guint
fake_server_count_replays (FakeServer *self)
{
  RETURN_LOCKED (guint, 0, self->replays);
}

guint
fake_server_count_rate_limited (FakeServer *self)
{
  RETURN_LOCKED (guint, 0, self->rate_limited);
}

guint
fake_server_count_redirect_hits (FakeServer *self)
{
  RETURN_LOCKED (guint, 0, self->trap_requests->len);
}

gboolean
fake_server_redirect_saw_credentials (FakeServer *self)
{
  RETURN_LOCKED (gboolean, FALSE, self->trap_saw_credentials);
}

char *
fake_server_dup_record (FakeServer *self,
                        const char *client_id)
{
  char *text = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (client_id != NULL, NULL);

  g_mutex_lock (&self->mutex);
  if (self->kind == FAKE_BACKEND)
    {
      JsonObject *record = g_hash_table_lookup (self->calls_by_client_id, client_id);

      if (record != NULL)
        text = json_object_to_text (record);
    }
  else
    {
      for (guint i = 0; i < self->notes->len && text == NULL; i++)
        {
          JsonObject *note = g_ptr_array_index (self->notes, i);
          g_autofree char *ref = note_ref (member_string (note, "data"));

          if (g_strcmp0 (ref, client_id) == 0)
            text = json_object_to_text (note);
        }
    }
  g_mutex_unlock (&self->mutex);

  return text;
}

char *
fake_server_dup_tasks (FakeServer *self,
                       guint       contact_id)
{
  g_autoptr(JsonNode) node = NULL;
  JsonArray *array;

  g_return_val_if_fail (self != NULL, NULL);

  array = json_array_new ();

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->tasks->len; i++)
    {
      FakeTask *task = g_ptr_array_index (self->tasks, i);
      gint64 task_contact = 0;

      if (member_int (task->fields, "contact_id", &task_contact) && task_contact == contact_id)
        json_array_add_object_element (array, json_object_deep_copy (task->body));
    }
  g_mutex_unlock (&self->mutex);

  node = node_take_array (array);
  return json_to_string (node, FALSE);
}

/* ---- live events: public API ---- */

typedef struct {
  FakeServer *self;
  void      (*func) (FakeServer *self,
                     gpointer    data);
  gpointer    data;
  gboolean    done;
} ServerCall;

static gboolean
on_server_call (gpointer user_data)
{
  ServerCall *call = user_data;
  FakeServer *self = call->self;

  call->func (self, call->data);

  g_mutex_lock (&self->mutex);
  call->done = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  return G_SOURCE_REMOVE;
}

/* Runs @func in the server thread and waits for it. */
static void
server_call (FakeServer *self,
             void      (*func) (FakeServer *self,
                                gpointer    data),
             gpointer    data)
{
  ServerCall call = { self, func, data, FALSE };

  g_main_context_invoke (self->context, on_server_call, &call);

  g_mutex_lock (&self->mutex);
  while (!call.done)
    g_cond_wait (&self->cond, &self->mutex);
  g_mutex_unlock (&self->mutex);
}

void
fake_server_sse_set_mode (FakeServer  *self,
                          FakeSseMode  mode)
{
  RUN_LOCKED (self->sse_mode = mode);
}

void
fake_server_sse_queue_mode (FakeServer  *self,
                            FakeSseMode  mode)
{
  RUN_LOCKED (g_queue_push_tail (&self->sse_mode_queue, GUINT_TO_POINTER ((guint) mode)));
}

void
fake_server_sse_set_heartbeat_ms (FakeServer *self,
                                  guint       ms)
{
  RUN_LOCKED (self->sse_heartbeat_ms = ms);
}

void
fake_server_sse_set_drop_after (FakeServer *self,
                                gsize       bytes)
{
  RUN_LOCKED (self->sse_drop_after = bytes);
}

void
fake_server_sse_set_retry_ms (FakeServer *self,
                              guint       ms)
{
  RUN_LOCKED (self->sse_retry_ms = ms);
}

static void
do_sse_push (FakeServer *self,
             gpointer    data)
{
  GBytes *raw = data;
  SseEntry *entry = g_new0 (SseEntry, 1);
  gsize len;
  const char *bytes = g_bytes_get_data (raw, &len);

  entry->id = sse_find_id (bytes, len);
  entry->raw = g_bytes_ref (raw);

  /* In the server thread: a connection arriving now gets it either from the
   * backlog or as a push, never both. */
  g_mutex_lock (&self->mutex);
  g_ptr_array_add (self->sse_backlog, entry);
  g_mutex_unlock (&self->mutex);

  for (GList *l = self->sse_streams; l != NULL; l = l->next)
    sse_stream_push (l->data, bytes, len);
}

void
fake_server_sse_push (FakeServer *self,
                      const char *raw,
                      gssize      len)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (raw != NULL);

  bytes = g_bytes_new (raw, len < 0 ? strlen (raw) : (gsize) len);
  server_call (self, do_sse_push, bytes);
}

void
fake_server_sse_set_replay_all (FakeServer *self,
                                gboolean    replay_all)
{
  RUN_LOCKED (self->sse_replay_all = !!replay_all);
}

void
fake_server_sse_clear_backlog (FakeServer *self)
{
  RUN_LOCKED (g_ptr_array_set_size (self->sse_backlog, 0));
}

guint
fake_server_sse_count_connections (FakeServer *self)
{
  RETURN_LOCKED (guint, 0, self->sse_connections);
}

static void
do_sse_count_open (FakeServer *self,
                   gpointer    data)
{
  guint *count = data;

  for (GList *l = self->sse_streams; l != NULL; l = l->next)
    {
      SseStream *stream = l->data;

      if (!stream->closing)
        (*count)++;
    }
}

guint
fake_server_sse_count_open (FakeServer *self)
{
  guint count = 0;

  g_return_val_if_fail (self != NULL, 0);

  server_call (self, do_sse_count_open, &count);
  return count;
}

static void
do_sse_close_all (FakeServer *self,
                  gpointer    data)
{
  for (GList *l = self->sse_streams; l != NULL; l = l->next)
    sse_stream_end (l->data);
}

void
fake_server_sse_close_all (FakeServer *self)
{
  g_return_if_fail (self != NULL);

  server_call (self, do_sse_close_all, NULL);
}
