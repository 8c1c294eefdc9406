/* test-fakes.c: the fake backend and Ontraport servers themselves
 *
 * Every other sync test trusts these fakes, so they are checked here with a
 * plain libsoup client: that they keep the contracts in ../shared/CONTRACTS.md
 * and that each injected fault looks, to a client, like what it stands for.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "fake-servers.h"

#define CLIENT_ID   "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f"
#define CLIENT_ID_2 "0b8e7c55-2f41-4a4e-9f0e-5d3c2b1a0f99"

typedef struct {
  guint               status;
  char               *body;
  gsize               length;
  SoupMessageHeaders *headers;
  GError             *error;
} Reply;

static void
reply_free (Reply *reply)
{
  g_free (reply->body);
  g_clear_pointer (&reply->headers, soup_message_headers_unref);
  g_clear_error (&reply->error);
  g_free (reply);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

static SoupSession *
new_session (void)
{
  /* No proxy: a system one must not stand between the test and 127.0.0.1. */
  return soup_session_new_with_options ("timeout", 10, "idle-timeout", 30,
                                        "proxy-resolver", NULL, NULL);
}

/* Sends one request; @... are header name/value pairs ending with NULL. */
static Reply *
request_full (SoupSession   *session,
              SoupMessageFlags flags,
              const char    *method,
              const char    *url,
              const char    *body,
              ...)
{
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) bytes = NULL;
  Reply *reply = g_new0 (Reply, 1);
  const char *name;
  va_list args;

  g_assert_nonnull (msg);
  soup_message_add_flags (msg, flags);

  va_start (args, body);
  while ((name = va_arg (args, const char *)) != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), name,
                                  va_arg (args, const char *));
  va_end (args);

  if (body != NULL)
    {
      g_autoptr(GBytes) request_body = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", request_body);
    }

  bytes = soup_session_send_and_read (session, msg, NULL, &reply->error);
  reply->status = soup_message_get_status (msg);
  reply->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  if (bytes != NULL)
    {
      reply->length = g_bytes_get_size (bytes);
      reply->body = g_strndup (g_bytes_get_data (bytes, NULL), reply->length);
    }

  return reply;
}

#define BEARER(token) "Authorization", "Bearer " token

static char *
url_for (FakeServer *server,
         const char *path)
{
  return g_strconcat (fake_server_get_base_url (server), path, NULL);
}

static char *
call_body (const char *client_id,
           const char *outcome,
           const char *notes)
{
  return g_strdup_printf ("{\"client_id\": \"%s\", \"contact_id\": \"42\", "
                          "\"contact_name\": \"Jane Doe\", \"phone\": \"+15551234567\", "
                          "\"direction\": \"outbound\", \"outcome\": \"%s\", "
                          "\"duration_seconds\": 65, \"notes\": \"%s\", "
                          "\"follow_up_date\": \"2026-11-23T09:00:00Z\", "
                          "\"created_at\": \"2026-11-21T10:00:00Z\"}",
                          client_id, outcome, notes);
}

static Reply *
post_call (SoupSession *session,
           FakeServer  *server,
           const char  *key,
           const char  *body)
{
  g_autofree char *url = url_for (server, "/api/calls");

  return request_full (session, 0, "POST", url, body, BEARER ("test-token"),
                       "Idempotency-Key", key, NULL);
}

static JsonNode *
parse (const Reply *reply)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  g_assert_no_error (reply->error);
  g_assert_nonnull (reply->body);
  node = json_from_string (reply->body, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);

  return node;
}

static gint64
reply_id (const Reply *reply)
{
  g_autoptr(JsonNode) node = parse (reply);
  JsonObject *object = json_node_get_object (node);

  g_assert_true (json_object_get_boolean_member (object, "success"));
  return json_object_get_int_member (object, "id");
}

static char *
reply_error_message (const Reply *reply)
{
  g_autoptr(JsonNode) node = parse (reply);
  const char *message = json_object_get_string_member (json_node_get_object (node), "error");

  g_assert_nonnull (message);
  return g_strdup (message);
}

/* ---- backend ---- */

static void
test_backend_idempotent_replay (void)
{
  FakeServer *server = fake_server_new (FAKE_BACKEND);
  g_autoptr(SoupSession) session = new_session ();
  g_autofree char *body = call_body (CLIENT_ID, "connected", "Discussed renewal.");
  g_autoptr(Reply) first = post_call (session, server, CLIENT_ID, body);
  g_autoptr(Reply) again = post_call (session, server, CLIENT_ID, body);
  g_autofree char *record = NULL;
  g_autoptr(JsonNode) stored = NULL;

  g_assert_no_error (first->error);
  g_assert_cmpuint (first->status, ==, 201);
  g_assert_no_error (again->error);
  g_assert_cmpuint (again->status, ==, 200);
  g_assert_cmpint (reply_id (again), ==, reply_id (first));

  g_assert_cmpuint (fake_server_count_records (server), ==, 1);
  g_assert_cmpuint (fake_server_count_replays (server), ==, 1);
  g_assert_cmpuint (fake_server_count_duplicates (server), ==, 0);
  g_assert_cmpuint (fake_server_count_requests (server, "POST", "/api/calls"), ==, 2);

  record = fake_server_dup_record (server, CLIENT_ID);
  g_assert_nonnull (record);
  stored = json_from_string (record, NULL);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (stored), "id"), ==,
                   reply_id (first));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (stored), "notes"), ==,
                   "Discussed renewal.");
  g_assert_null (fake_server_dup_record (server, CLIENT_ID_2));

  fake_server_free (server);
}

static void
test_backend_key_reuse (void)
{
  FakeServer *server = fake_server_new (FAKE_BACKEND);
  g_autoptr(SoupSession) session = new_session ();
  g_autofree char *body = call_body (CLIENT_ID, "connected", "first");
  g_autofree char *other = call_body (CLIENT_ID, "busy", "changed");
  g_autoptr(Reply) first = post_call (session, server, CLIENT_ID, body);
  g_autoptr(Reply) reused = post_call (session, server, CLIENT_ID, other);
  g_autofree char *message = NULL;
  g_autofree char *record = NULL;

  g_assert_cmpuint (first->status, ==, 201);
  g_assert_cmpuint (reused->status, ==, 422);
  message = reply_error_message (reused);
  g_assert_cmpstr (message, !=, "");

  /* The first payload stays what is stored. */
  g_assert_cmpuint (fake_server_count_records (server), ==, 1);
  g_assert_cmpuint (fake_server_count_replays (server), ==, 0);
  record = fake_server_dup_record (server, CLIENT_ID);
  g_assert_nonnull (strstr (record, "\"first\""));

  fake_server_free (server);
}

static void
test_backend_duplicate_counted (void)
{
  FakeServer *server = fake_server_new (FAKE_BACKEND);
  g_autoptr(SoupSession) session = new_session ();
  g_autofree char *body = call_body (CLIENT_ID, "connected", "x");
  g_autoptr(Reply) first = post_call (session, server, CLIENT_ID, body);
  /* A client that made up a new key for the same call log. */
  g_autoptr(Reply) second = post_call (session, server, "some-other-key", body);

  g_assert_cmpuint (first->status, ==, 201);
  g_assert_cmpuint (second->status, ==, 201);
  g_assert_cmpint (reply_id (first), !=, reply_id (second));
  g_assert_cmpuint (fake_server_count_duplicates (server), ==, 1);
  g_assert_cmpuint (fake_server_count_records (server), ==, 1);

  fake_server_free (server);
}

static void
test_backend_credentials (void)
{
  FakeServer *server = fake_server_new (FAKE_BACKEND);
  g_autoptr(SoupSession) session = new_session ();
  g_autofree char *url = url_for (server, "/api/calls");
  g_autofree char *body = call_body (CLIENT_ID, "connected", "x");
  g_autoptr(Reply) wrong = request_full (session, 0, "POST", url, body, BEARER ("nope"),
                                         "Idempotency-Key", CLIENT_ID, NULL);
  g_autoptr(Reply) missing = request_full (session, 0, "POST", url, body,
                                           "Idempotency-Key", CLIENT_ID, NULL);
  g_autoptr(Reply) rotated = NULL;
  g_autoptr(Reply) old = NULL;

  g_assert_no_error (wrong->error);
  g_assert_cmpuint (wrong->status, ==, 401);
  g_assert_cmpuint (missing->status, ==, 401);
  g_assert_cmpuint (fake_server_count_records (server), ==, 0);

  fake_server_set_token (server, "rotated");
  old = post_call (session, server, CLIENT_ID, body);
  g_assert_cmpuint (old->status, ==, 401);
  rotated = request_full (session, 0, "POST", url, body, BEARER ("rotated"),
                          "Idempotency-Key", CLIENT_ID, NULL);
  g_assert_cmpuint (rotated->status, ==, 201);
  g_assert_cmpuint (fake_server_count_records (server), ==, 1);

  fake_server_free (server);
}

static void
test_backend_validation (void)
{
  FakeServer *server = fake_server_new (FAKE_BACKEND);
  g_autoptr(SoupSession) session = new_session ();
  g_autofree char *url = url_for (server, "/api/calls");
  g_autofree char *good = call_body (CLIENT_ID, "connected", "x");
  g_autofree char *bad_outcome = call_body (CLIENT_ID, "hung_up", "x");
  g_autofree char *date_only = g_strdup_printf ("{\"client_id\": \"%s\", \"phone\": \"+1555\", "
                                                "\"outcome\": \"busy\", "
                                                "\"follow_up_date\": \"2026-11-23\", "
                                                "\"created_at\": \"2026-11-21T10:00:00Z\"}",
                                                CLIENT_ID);
  g_autofree char *no_phone = g_strdup_printf ("{\"client_id\": \"%s\", \"outcome\": \"busy\", "
                                               "\"created_at\": \"2026-11-21T10:00:00Z\"}",
                                               CLIENT_ID);
  g_autoptr(Reply) no_key = request_full (session, 0, "POST", url, good, BEARER ("test-token"),
                                          NULL);
  g_autoptr(Reply) r_outcome = post_call (session, server, CLIENT_ID, bad_outcome);
  g_autoptr(Reply) r_date = post_call (session, server, CLIENT_ID, date_only);
  g_autoptr(Reply) r_phone = post_call (session, server, CLIENT_ID, no_phone);
  g_autoptr(Reply) r_junk = post_call (session, server, CLIENT_ID, "[1, 2");
  g_autofree char *m_outcome = NULL;
  g_autofree char *m_date = NULL;

  g_assert_cmpuint (no_key->status, ==, 400);
  g_assert_cmpuint (r_outcome->status, ==, 400);
  m_outcome = reply_error_message (r_outcome);
  g_assert_nonnull (strstr (m_outcome, "outcome"));
  g_assert_cmpuint (r_date->status, ==, 400);
  m_date = reply_error_message (r_date);
  g_assert_nonnull (strstr (m_date, "follow_up_date"));
  g_assert_cmpuint (r_phone->status, ==, 400);
  g_assert_cmpuint (r_junk->status, ==, 400);
  g_assert_cmpuint (fake_server_count_records (server), ==, 0);

  /* A rejected payload does not burn the key. */
  {
    g_autoptr(Reply) ok = post_call (session, server, CLIENT_ID, good);

    g_assert_cmpuint (ok->status, ==, 201);
  }

  fake_server_free (server);
}

static void
test_backend_edit_and_history (void)
{
  FakeServer *server = fake_server_new (FAKE_BACKEND);
  g_autoptr(SoupSession) session = new_session ();
  g_autofree char *body = call_body (CLIENT_ID, "voicemail", "left a message");
  g_autofree char *edited = call_body (CLIENT_ID, "connected", "called back");
  g_autoptr(Reply) posted = post_call (session, server, CLIENT_ID, body);
  gint64 id = reply_id (posted);
  g_autofree char *put_url = g_strdup_printf ("%s/api/calls/%" G_GINT64_FORMAT,
                                              fake_server_get_base_url (server), id);
  g_autofree char *missing_url = url_for (server, "/api/calls/987654");
  g_autofree char *history_url = url_for (server, "/api/calls/42?offset=0&limit=30");
  g_autoptr(Reply) put = request_full (session, 0, "PUT", put_url, edited, BEARER ("test-token"),
                                       "Idempotency-Key", CLIENT_ID ":2", NULL);
  g_autoptr(Reply) put_again = request_full (session, 0, "PUT", put_url, edited,
                                             BEARER ("test-token"),
                                             "Idempotency-Key", CLIENT_ID ":2", NULL);
  g_autoptr(Reply) put_missing = request_full (session, 0, "PUT", missing_url, edited,
                                               BEARER ("test-token"),
                                               "Idempotency-Key", CLIENT_ID ":2", NULL);
  g_autoptr(Reply) history = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *record = NULL;
  JsonArray *calls;
  JsonObject *newest;
  JsonObject *oldest;

  g_assert_cmpuint (put->status, ==, 200);
  g_assert_cmpint (reply_id (put), ==, id);
  g_assert_cmpuint (put_again->status, ==, 200);
  g_assert_cmpint (reply_id (put_again), ==, id);
  g_assert_cmpuint (fake_server_count_replays (server), ==, 1);
  g_assert_cmpuint (put_missing->status, ==, 404);

  record = fake_server_dup_record (server, CLIENT_ID);
  g_assert_nonnull (strstr (record, "\"called back\""));
  g_assert_nonnull (strstr (record, "\"revision_key\":\"" CLIENT_ID ":2\""));
  g_assert_cmpuint (fake_server_count_records (server), ==, 1);

  fake_server_add_remote_call (server, "42", NULL, "busy", "from the office",
                               "2026-11-22T08:00:00Z");
  fake_server_add_remote_call (server, "42", NULL, "no_answer", "older",
                               "2026-11-01T08:00:00Z");
  fake_server_add_remote_call (server, "7", NULL, "busy", "someone else",
                               "2026-11-22T09:00:00Z");

  history = request_full (session, 0, "GET", history_url, NULL, BEARER ("test-token"), NULL);
  g_assert_cmpuint (history->status, ==, 200);
  node = parse (history);
  calls = json_object_get_array_member (json_node_get_object (node), "calls");
  g_assert_cmpuint (json_array_get_length (calls), ==, 3);

  /* Newest first; the remote call has no client_id; ours has its own. */
  newest = json_array_get_object_element (calls, 0);
  g_assert_cmpstr (json_object_get_string_member (newest, "notes"), ==, "from the office");
  g_assert_true (json_object_get_null_member (newest, "client_id"));
  g_assert_cmpstr (json_object_get_string_member (newest, "user_name"), ==, "Sam");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (calls, 1),
                                                  "client_id"), ==, CLIENT_ID);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (calls, 1), "id"),
                   ==, id);
  oldest = json_array_get_object_element (calls, 2);
  g_assert_cmpstr (json_object_get_string_member (oldest, "notes"), ==, "older");

  fake_server_free (server);
}

static void
test_backend_outbound_calls (void)
{
  FakeServer *server = fake_server_new (FAKE_BACKEND);
  g_autoptr(SoupSession) session = new_session ();
  g_autofree char *url = url_for (server, "/api/v1/outbound-calls?status=scheduled&page=1&limit=20");
  g_autoptr(Reply) reply = request_full (session, 0, "GET", url, NULL, BEARER ("test-token"), NULL);
  g_autoptr(JsonNode) node = parse (reply);
  JsonObject *pagination;

  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (node),
                                                                         "calls")), ==, 0);
  pagination = json_object_get_object_member (json_node_get_object (node), "pagination");
  g_assert_cmpint (json_object_get_int_member (pagination, "page"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (pagination, "total"), ==, 0);

  fake_server_free (server);
}

static guint
count_open_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint count = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    count++;

  return count;
}

/* Each POST takes a new connection; closed ones must not pile up in the
 * server (a drain of thousands of jobs would run out of descriptors). */
static void
test_backend_connections_released (void)
{
  FakeServer *server;
  g_autoptr(SoupSession) session = new_session ();
  g_autofree char *body = call_body (CLIENT_ID, "connected", "x");
  guint before;
  guint after = G_MAXUINT;

  if (!g_file_test ("/proc/self/fd", G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("no /proc/self/fd");
      return;
    }

  server = fake_server_new (FAKE_BACKEND);
  before = count_open_fds ();
  for (guint i = 0; i < 300; i++)
    {
      g_autoptr(Reply) reply = post_call (session, server, CLIENT_ID, body);

      g_assert_cmpuint (reply->status, ==, i == 0 ? 201 : 200);
    }

  for (guint i = 0; i < 20 && after > before + 20; i++)
    {
      g_usleep (100 * 1000);
      after = count_open_fds ();
    }
  g_assert_cmpuint (after, <=, before + 20);

  fake_server_free (server);
}

/* ---- faults ---- */

static void
test_fault_429_headers (void)
{
  FakeServer *backend = fake_server_new (FAKE_BACKEND);
  FakeServer *ontraport = fake_server_new (FAKE_ONTRAPORT);
  g_autoptr(SoupSession) session = new_session ();
  g_autofree char *body = call_body (CLIENT_ID, "connected", "x");
  g_autofree char *op_url = url_for (ontraport, "/objects?objectID=0");
  g_autoptr(Reply) b = NULL;
  g_autoptr(Reply) o = NULL;
  g_autoptr(GPtrArray) requests = NULL;

  fake_server_queue_fault (backend, FAKE_429);
  b = post_call (session, backend, CLIENT_ID, body);
  g_assert_cmpuint (b->status, ==, 429);
  g_assert_cmpstr (soup_message_headers_get_one (b->headers, "Retry-After"), ==, "1");
  g_assert_cmpuint (fake_server_count_records (backend), ==, 0);
  requests = fake_server_get_requests (backend);
  g_assert_cmpuint (requests->len, ==, 1);
  g_assert_cmpint (((FakeRequest *) requests->pdata[0])->fault, ==, FAKE_429);

  fake_server_queue_fault (ontraport, FAKE_429);
  o = request_full (session, 0, "GET", op_url, NULL, "Api-Appid", "test-app",
                    "Api-Key", "test-key", NULL);
  g_assert_cmpuint (o->status, ==, 429);
  g_assert_cmpstr (soup_message_headers_get_one (o->headers, "X-Rate-Limit-Limit"), ==, "180");
  g_assert_cmpstr (soup_message_headers_get_one (o->headers, "X-Rate-Limit-Remaining"), ==, "0");
  g_assert_cmpstr (soup_message_headers_get_one (o->headers, "X-Rate-Limit-Reset"), ==, "1");

  fake_server_free (ontraport);
  fake_server_free (backend);
}

static void
test_fault_resets (void)
{
  FakeServer *server = fake_server_new (FAKE_BACKEND);
  g_autoptr(SoupSession) session = new_session ();
  g_autofree char *body = call_body (CLIENT_ID, "connected", "x");
  g_autoptr(Reply) before = NULL;
  g_autoptr(Reply) after = NULL;
  g_autoptr(Reply) retry = NULL;

  fake_server_queue_fault (server, FAKE_RESET_BEFORE);
  before = post_call (session, server, CLIENT_ID, body);
  g_assert_nonnull (before->error);
  g_assert_cmpuint (fake_server_count_records (server), ==, 0);

  fake_server_queue_fault (server, FAKE_RESET_AFTER);
  after = post_call (session, server, CLIENT_ID, body);
  g_assert_nonnull (after->error);
  g_test_message ("reset after: %s", after->error->message);
  g_assert_cmpuint (fake_server_count_records (server), ==, 1);

  /* The retry a client makes is then a replay, not a second record. */
  retry = post_call (session, server, CLIENT_ID, body);
  g_assert_no_error (retry->error);
  g_assert_cmpuint (retry->status, ==, 200);
  g_assert_cmpuint (fake_server_count_replays (server), ==, 1);
  g_assert_cmpuint (fake_server_count_records (server), ==, 1);
  g_assert_cmpuint (fake_server_count_duplicates (server), ==, 0);

  fake_server_free (server);
}

static void
test_fault_stall (void)
{
  FakeServer *server = fake_server_new (FAKE_BACKEND);
  g_autoptr(SoupSession) quick = soup_session_new_with_options ("timeout", 1, "proxy-resolver", NULL,
                                                                NULL);
  g_autoptr(SoupSession) patient = new_session ();
  g_autofree char *body = call_body (CLIENT_ID, "connected", "x");
  g_autoptr(Reply) timed_out = NULL;
  g_autoptr(Reply) closed = NULL;
  gint64 start;

  /* A client with a short timeout gives up; the call was stored. */
  fake_server_queue_fault (server, FAKE_STALL);
  start = g_get_monotonic_time ();
  timed_out = post_call (quick, server, CLIENT_ID, body);
  g_assert_error (timed_out->error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpuint (fake_server_count_records (server), ==, 1);

  /* A short stall ends with the connection closed, not an answer. */
  fake_server_set_stall_seconds (server, 1);
  fake_server_queue_fault (server, FAKE_STALL);
  closed = post_call (patient, server, CLIENT_ID_2, body);
  g_assert_nonnull (closed->error);
  g_assert_cmpuint (closed->status, ==, 0);

  /* The first stall (40 s) is still pending: freeing must not wait for it. */
  fake_server_free (server);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
}

static void
test_fault_bodies (void)
{
  FakeServer *server = fake_server_new (FAKE_BACKEND);
  g_autoptr(SoupSession) session = new_session ();
  g_autofree char *body = call_body (CLIENT_ID, "connected", "x");
  g_autoptr(Reply) huge = NULL;
  g_autoptr(Reply) malformed = NULL;
  g_autoptr(Reply) html = NULL;
  g_autoptr(Reply) s503 = NULL;
  g_autoptr(JsonNode) node = NULL;

  fake_server_queue_fault (server, FAKE_HUGE_BODY);
  fake_server_queue_fault (server, FAKE_MALFORMED_JSON);
  fake_server_queue_fault (server, FAKE_HTML);
  fake_server_queue_fault (server, FAKE_503);

  huge = post_call (session, server, CLIENT_ID, body);
  g_assert_no_error (huge->error);
  g_assert_cmpuint (huge->status, ==, 200);
  g_assert_cmpuint (huge->length, >=, 10 * 1024 * 1024);
  g_assert_true (g_str_has_prefix (huge->body, "{\"success\": true"));

  malformed = post_call (session, server, CLIENT_ID, body);
  g_assert_cmpuint (malformed->status, ==, 200);
  node = json_from_string (malformed->body, NULL);
  g_assert_null (node);

  html = post_call (session, server, CLIENT_ID, body);
  g_assert_cmpuint (html->status, ==, 502);
  g_assert_true (soup_message_headers_get_content_type (html->headers, NULL) != NULL);
  g_assert_cmpstr (soup_message_headers_get_content_type (html->headers, NULL), ==, "text/html");

  s503 = post_call (session, server, CLIENT_ID, body);
  g_assert_cmpuint (s503->status, ==, 503);
  g_assert_cmpstr (soup_message_headers_get_one (s503->headers, "Retry-After"), ==, "1");

  g_assert_cmpuint (fake_server_count_records (server), ==, 0);
  fake_server_free (server);
}

static void
test_fault_random_is_reproducible (void)
{
  FakeFault seen[2][30];

  for (guint round = 0; round < 2; round++)
    {
      FakeServer *server = fake_server_new (FAKE_BACKEND);
      g_autoptr(SoupSession) session = new_session ();
      g_autofree char *url = url_for (server, "/api/v1/outbound-calls");
      g_autoptr(GPtrArray) requests = NULL;
      guint faulted = 0;

      fake_server_set_random_faults (server, 0.5, (1 << FAKE_500) | (1 << FAKE_503), 1234);
      for (guint i = 0; i < G_N_ELEMENTS (seen[round]); i++)
        {
          g_autoptr(Reply) reply = request_full (session, 0, "GET", url, NULL,
                                                 BEARER ("test-token"), NULL);

          g_assert_no_error (reply->error);
          g_assert_true (reply->status == 200 || reply->status == 500 || reply->status == 503);
        }

      requests = fake_server_get_requests (server);
      g_assert_cmpuint (requests->len, ==, G_N_ELEMENTS (seen[round]));
      for (guint i = 0; i < requests->len; i++)
        {
          seen[round][i] = ((FakeRequest *) requests->pdata[i])->fault;
          g_assert_true (seen[round][i] == FAKE_OK || seen[round][i] == FAKE_500
                         || seen[round][i] == FAKE_503);
          faulted += seen[round][i] != FAKE_OK;
        }
      g_assert_cmpuint (faulted, >, 0);
      g_assert_cmpuint (faulted, <, requests->len);

      fake_server_free (server);
    }

  g_assert_cmpmem (seen[0], sizeof seen[0], seen[1], sizeof seen[1]);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GError **error = user_data;
  g_autoptr(GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                               error);

  g_assert_null (bytes);
}

static void
test_refusing (void)
{
  FakeServer *server = fake_server_new (FAKE_BACKEND);
  g_autoptr(SoupSession) session = new_session ();
  g_autofree char *base = g_strdup (fake_server_get_base_url (server));
  g_autofree char *url = url_for (server, "/api/v1/outbound-calls");
  g_autofree char *body = call_body (CLIENT_ID, "connected", "x");
  g_autoptr(Reply) warm = NULL;
  g_autoptr(Reply) get_refused = NULL;
  g_autoptr(Reply) post_refused = NULL;
  g_autoptr(Reply) get_back = NULL;
  g_autoptr(Reply) post_back = NULL;

  /* A GET leaves a keep-alive connection in the session's pool. */
  warm = request_full (session, 0, "GET", url, NULL, BEARER ("test-token"), NULL);
  g_assert_cmpuint (warm->status, ==, 200);

  fake_server_set_refusing (server, TRUE);
  get_refused = request_full (session, 0, "GET", url, NULL, BEARER ("test-token"), NULL);
  g_assert_error (get_refused->error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  post_refused = post_call (session, server, CLIENT_ID, body);
  g_assert_error (post_refused->error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_cmpuint (fake_server_count_records (server), ==, 0);

  fake_server_set_refusing (server, FALSE);
  g_assert_cmpstr (fake_server_get_base_url (server), ==, base);
  get_back = request_full (session, 0, "GET", url, NULL, BEARER ("test-token"), NULL);
  g_assert_no_error (get_back->error);
  g_assert_cmpuint (get_back->status, ==, 200);
  post_back = post_call (session, server, CLIENT_ID, body);
  g_assert_cmpuint (post_back->status, ==, 201);
  g_assert_cmpuint (fake_server_count_records (server), ==, 1);

  /* Going down also drops a request that was stalled (40 s by default). */
  {
    g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
    g_autoptr(GError) error = NULL;

    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                  "Bearer test-token");
    fake_server_queue_fault (server, FAKE_STALL);
    soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, on_sent, &error);
    while (fake_server_count_requests (server, "GET", NULL) < 3)
      {
        g_main_context_iteration (NULL, FALSE);
        g_usleep (1000);
      }
    fake_server_set_refusing (server, TRUE);
    while (error == NULL)
      g_main_context_iteration (NULL, TRUE);
    g_assert_false (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
    fake_server_set_refusing (server, FALSE);
  }

  fake_server_free (server);
}

static void
test_redirect_is_a_trap (void)
{
  FakeServer *server = fake_server_new (FAKE_BACKEND);
  g_autoptr(SoupSession) session = new_session ();
  g_autofree char *body = call_body (CLIENT_ID, "connected", "x");
  g_autofree char *url = url_for (server, "/api/calls");
  g_autoptr(Reply) redirected = NULL;
  g_autoptr(Reply) bare = NULL;
  g_autoptr(Reply) leaked = NULL;
  g_autoptr(GUri) location = NULL;
  g_autoptr(GUri) ours = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *location_text = NULL;

  fake_server_queue_fault (server, FAKE_REDIRECT);
  redirected = request_full (session, SOUP_MESSAGE_NO_REDIRECT, "POST", url, body,
                             BEARER ("test-token"), "Idempotency-Key", CLIENT_ID, NULL);
  g_assert_no_error (redirected->error);
  g_assert_cmpuint (redirected->status, ==, 307);
  location_text = g_strdup (soup_message_headers_get_one (redirected->headers, "Location"));
  g_assert_nonnull (location_text);
  location = g_uri_parse (location_text, G_URI_FLAGS_NONE, NULL);
  g_assert_nonnull (location);
  g_assert_cmpstr (g_uri_get_host (location), !=, g_uri_get_host (ours));
  g_assert_cmpstr (g_uri_get_path (location), ==, "/api/calls");
  g_assert_cmpuint (fake_server_count_records (server), ==, 0);
  g_assert_cmpuint (fake_server_count_redirect_hits (server), ==, 0);

  /* Following it without credentials: the other host pretends success. */
  bare = request_full (session, 0, "POST", location_text, body,
                       "Idempotency-Key", CLIENT_ID, NULL);
  g_assert_cmpuint (bare->status, ==, 200);
  g_assert_cmpint (reply_id (bare), ==, 999999);
  g_assert_cmpuint (fake_server_count_redirect_hits (server), ==, 1);
  g_assert_false (fake_server_redirect_saw_credentials (server));
  g_assert_cmpuint (fake_server_count_records (server), ==, 0);

  /* And it notices credentials that reach it. */
  leaked = request_full (session, 0, "POST", location_text, body, BEARER ("test-token"), NULL);
  g_assert_cmpuint (leaked->status, ==, 200);
  g_assert_true (fake_server_redirect_saw_credentials (server));

  {
    g_autoptr(GPtrArray) hits = fake_server_get_redirect_requests (server);

    g_assert_cmpuint (hits->len, ==, 2);
    g_assert_false (g_hash_table_contains (((FakeRequest *) hits->pdata[0])->headers,
                                           "authorization"));
    g_assert_true (g_hash_table_contains (((FakeRequest *) hits->pdata[1])->headers,
                                          "authorization"));
  }

  fake_server_free (server);
}

/* ---- Ontraport ---- */

static Reply *
op_get (SoupSession *session,
        FakeServer  *server,
        const char  *object_id,
        const char  *condition)
{
  g_autofree char *escaped = condition != NULL ? g_uri_escape_string (condition, NULL, FALSE)
                                               : NULL;
  g_autofree char *url =
    g_strdup_printf ("%s/objects?objectID=%s&range=50"
                     "&listFields=id,firstname,lastname,office_phone,sms_number%s%s",
                     fake_server_get_base_url (server), object_id,
                     escaped != NULL ? "&condition=" : "", escaped != NULL ? escaped : "");

  if (!g_str_equal (object_id, "0"))
    {
      g_free (url);
      url = g_strdup_printf ("%s/objects?objectID=%s%s%s", fake_server_get_base_url (server),
                             object_id, escaped != NULL ? "&condition=" : "",
                             escaped != NULL ? escaped : "");
    }

  return request_full (session, 0, "GET", url, NULL, "Api-Appid", "test-app",
                       "Api-Key", "test-key", NULL);
}

static Reply *
op_post (SoupSession *session,
         FakeServer  *server,
         const char  *path,
         const char  *body)
{
  g_autofree char *url = url_for (server, path);

  return request_full (session, 0, "POST", url, body, "Api-Appid", "test-app",
                       "Api-Key", "test-key", NULL);
}

/* The "data" of an answer, after checking the envelope. */
static JsonNode *
op_data (const Reply *reply)
{
  g_autoptr(JsonNode) node = parse (reply);
  JsonObject *envelope = json_node_get_object (node);

  g_assert_cmpint (json_object_get_int_member (envelope, "code"), ==, 0);
  g_assert_true (json_object_has_member (envelope, "account_id"));
  return json_node_copy (json_object_get_member (envelope, "data"));
}

static void
test_ontraport_contact_lookup (void)
{
  FakeServer *server = fake_server_new (FAKE_ONTRAPORT);
  g_autoptr(SoupSession) session = new_session ();
  const char *condition =
    "[{\"field\":{\"field\":\"office_phone\"},\"op\":\"LIKE\",\"value\":{\"value\":\"%5551234567\"}},"
    "\"OR\","
    "{\"field\":{\"field\":\"sms_number\"},\"op\":\"LIKE\",\"value\":{\"value\":\"%5551234567\"}}]";
  g_autoptr(Reply) reply = NULL;
  g_autoptr(Reply) unauthorized = NULL;
  g_autoptr(JsonNode) data = NULL;
  g_autoptr(GHashTable) found = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonArray *contacts;

  g_assert_true (g_str_has_suffix (fake_server_get_base_url (server), "/1"));

  fake_server_add_contact (server, 42, "Jane", "Doe", "+1 (555) 123-4567");
  fake_server_add_contact_full (server, 43, "Mo", "Bile", "+1 555 000 1111", "5551234567");
  fake_server_add_contact (server, 44, "Other", "Person", "+15559999999");
  fake_server_add_contact (server, 45, "Near", "Miss", "+15551234568");
  fake_server_add_contact_full (server, 46, "Prefix", "Only", "+15551234567999", NULL);

  reply = op_get (session, server, "0", condition);
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_nonnull (soup_message_headers_get_one (reply->headers, "X-Rate-Limit-Remaining"));
  data = op_data (reply);
  contacts = json_node_get_array (data);
  for (guint i = 0; i < json_array_get_length (contacts); i++)
    {
      JsonObject *contact = json_array_get_object_element (contacts, i);

      g_assert_true (json_object_has_member (contact, "firstname"));
      g_assert_true (json_object_has_member (contact, "sms_number"));
      g_hash_table_add (found, g_strdup (json_object_get_string_member (contact, "id")));
    }
  g_assert_cmpuint (g_hash_table_size (found), ==, 2);
  g_assert_true (g_hash_table_contains (found, "42"));   /* office_phone, formatted */
  g_assert_true (g_hash_table_contains (found, "43"));   /* sms_number */

  /* AND narrows, left to right. */
  {
    g_autoptr(Reply) narrowed = op_get (session, server, "0",
      "[{\"field\":{\"field\":\"office_phone\"},\"op\":\"LIKE\",\"value\":{\"value\":\"%5551234567\"}},"
      "\"AND\",{\"field\":{\"field\":\"firstname\"},\"op\":\"=\",\"value\":{\"value\":\"jane\"}}]");
    g_autoptr(JsonNode) narrowed_data = op_data (narrowed);

    g_assert_cmpuint (json_array_get_length (json_node_get_array (narrowed_data)), ==, 1);
  }

  /* A condition that is not one is a 400, not "nothing found". */
  {
    g_autoptr(Reply) bad = op_get (session, server, "0", "[{\"field\":{\"field\":\"x\"}},\"OR\"]");

    g_assert_cmpuint (bad->status, ==, 400);
  }

  {
    g_autofree char *url = url_for (server, "/objects?objectID=0");

    unauthorized = request_full (session, 0, "GET", url, NULL, "Api-Appid", "test-app",
                                 "Api-Key", "wrong", NULL);
    g_assert_cmpuint (unauthorized->status, ==, 401);
  }

  fake_server_free (server);
}

static void
test_ontraport_notes (void)
{
  FakeServer *server = fake_server_new (FAKE_ONTRAPORT);
  g_autoptr(SoupSession) session = new_session ();
  const char *note =
    "{\"objectID\": 12, \"contact_id\": 42, \"data\": \"Call Logged \\u2014 Connected\\n"
    "Contact: Jane Doe\\n\\nNotes:\\nDiscussed renewal.\\n\\nRef: " CLIENT_ID "\"}";
  const char *lookup =
    "[{\"field\":{\"field\":\"contact_id\"},\"op\":\"=\",\"value\":{\"value\":42}},\"AND\","
    "{\"field\":{\"field\":\"data\"},\"op\":\"LIKE\",\"value\":{\"value\":\"%Ref: " CLIENT_ID "%\"}}]";
  const char *lookup_other =
    "[{\"field\":{\"field\":\"contact_id\"},\"op\":\"=\",\"value\":{\"value\":42}},\"AND\","
    "{\"field\":{\"field\":\"data\"},\"op\":\"LIKE\",\"value\":{\"value\":\"%Ref: " CLIENT_ID_2 "%\"}}]";
  const char *lookup_contact =
    "[{\"field\":{\"field\":\"contact_id\"},\"op\":\"=\",\"value\":{\"value\":43}},\"AND\","
    "{\"field\":{\"field\":\"data\"},\"op\":\"LIKE\",\"value\":{\"value\":\"%Ref: " CLIENT_ID "%\"}}]";
  g_autoptr(Reply) created = op_post (session, server, "/objects", note);
  g_autoptr(JsonNode) created_data = op_data (created);
  const char *note_id = json_object_get_string_member (json_node_get_object (created_data), "id");
  g_autoptr(Reply) found = op_get (session, server, "12", lookup);
  g_autoptr(JsonNode) found_data = op_data (found);
  g_autoptr(Reply) other = op_get (session, server, "12", lookup_other);
  g_autoptr(JsonNode) other_data = op_data (other);
  g_autoptr(Reply) wrong_contact = op_get (session, server, "12", lookup_contact);
  g_autoptr(JsonNode) wrong_contact_data = op_data (wrong_contact);
  g_autoptr(Reply) no_ref = op_post (session, server, "/objects",
                                     "{\"objectID\": 12, \"contact_id\": 42, \"data\": \"hi\"}");
  g_autoptr(Reply) again = NULL;
  g_autofree char *record = NULL;

  g_assert_cmpuint (created->status, ==, 200);
  g_assert_nonnull (note_id);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (found_data)), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                     json_node_get_array (found_data), 0), "id"), ==, note_id);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (other_data)), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (wrong_contact_data)), ==, 0);
  g_assert_cmpuint (no_ref->status, ==, 400);

  record = fake_server_dup_record (server, CLIENT_ID);
  g_assert_nonnull (record);
  g_assert_nonnull (strstr (record, "Discussed renewal."));
  g_assert_cmpuint (fake_server_count_records (server), ==, 1);
  g_assert_cmpuint (fake_server_count_duplicates (server), ==, 0);

  /* Posting it again without looking first is what must never happen. */
  again = op_post (session, server, "/objects", note);
  g_assert_cmpuint (again->status, ==, 200);
  g_assert_cmpuint (fake_server_count_records (server), ==, 2);
  g_assert_cmpuint (fake_server_count_duplicates (server), ==, 1);

  fake_server_free (server);
}

static void
test_ontraport_tasks (void)
{
  FakeServer *server = fake_server_new (FAKE_ONTRAPORT);
  g_autoptr(SoupSession) session = new_session ();
  const char *task = "{\"objectID\": 50, \"contact_id\": 42, \"subject\": "
                     "\"Follow up: Call with Jane Doe\", \"due_date\": 1763888400, \"status\": 0}";
  const char *assign = "{\"object_type_id\": 0, \"ids\": [42], \"message\": {\"id\": 7, "
                       "\"type\": \"Task\", \"due_date\": 1763888400, \"task_owner\": 3}}";
  const char *lookup =
    "[{\"field\":{\"field\":\"contact_id\"},\"op\":\"=\",\"value\":{\"value\":42}},\"AND\","
    "{\"field\":{\"field\":\"subject\"},\"op\":\"=\",\"value\":{\"value\":\"Follow up: Call with Jane Doe\"}},"
    "\"AND\",{\"field\":{\"field\":\"due_date\"},\"op\":\"=\",\"value\":{\"value\":1763888400}}]";
  g_autoptr(Reply) created = op_post (session, server, "/objects", task);
  g_autoptr(Reply) assigned = op_post (session, server, "/task/assign", assign);
  g_autoptr(Reply) found = op_get (session, server, "50", lookup);
  g_autoptr(JsonNode) found_data = op_data (found);
  g_autoptr(JsonNode) assigned_data = op_data (assigned);
  g_autoptr(Reply) date_only = op_post (session, server, "/objects",
                                        "{\"objectID\": 50, \"contact_id\": 42, \"subject\": \"x\","
                                        " \"due_date\": \"2026-11-23\", \"status\": 0}");
  g_autoptr(Reply) again = NULL;
  g_autoptr(Reply) missing = NULL;
  g_autofree char *tasks = NULL;
  g_autoptr(JsonNode) tasks_node = NULL;

  g_assert_cmpuint (created->status, ==, 200);
  g_assert_cmpuint (assigned->status, ==, 200);
  g_assert_cmpstr (json_node_get_string (assigned_data), ==, "Task assigned");
  g_assert_cmpuint (json_array_get_length (json_node_get_array (found_data)), ==, 1);
  g_assert_cmpuint (date_only->status, ==, 400);
  g_assert_cmpuint (fake_server_count_tasks (server), ==, 2);
  g_assert_cmpuint (fake_server_count_duplicates (server), ==, 0);

  tasks = fake_server_dup_tasks (server, 42);
  tasks_node = json_from_string (tasks, NULL);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (tasks_node)), ==, 2);
  g_assert_true (json_object_has_member (json_array_get_object_element (
                   json_node_get_array (tasks_node), 0), "id"));
  {
    g_autofree char *none = fake_server_dup_tasks (server, 9);

    g_assert_cmpstr (none, ==, "[]");
  }

  again = op_post (session, server, "/task/assign", assign);
  g_assert_cmpuint (again->status, ==, 200);
  g_assert_cmpuint (fake_server_count_duplicates (server), ==, 1);

  missing = op_post (session, server, "/nothing/here", "{}");
  g_assert_cmpuint (missing->status, ==, 404);
  {
    g_autoptr(JsonNode) node = parse (missing);

    g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "code"), ==, 1);
  }

  fake_server_free (server);
}

static void
test_ontraport_rate_limit (void)
{
  FakeServer *server = fake_server_new (FAKE_ONTRAPORT);
  g_autoptr(SoupSession) session = new_session ();
  g_autofree char *url = url_for (server, "/objects?objectID=0");
  guint previous_remaining = G_MAXUINT;

  for (guint i = 1; i <= 181; i++)
    {
      g_autoptr(Reply) reply = request_full (session, 0, "GET", url, NULL, "Api-Appid", "test-app",
                                             "Api-Key", "test-key", NULL);
      const char *remaining = soup_message_headers_get_one (reply->headers,
                                                            "X-Rate-Limit-Remaining");
      const char *reset = soup_message_headers_get_one (reply->headers, "X-Rate-Limit-Reset");
      guint64 value;

      g_assert_no_error (reply->error);
      g_assert_cmpstr (soup_message_headers_get_one (reply->headers, "X-Rate-Limit-Limit"), ==,
                       "180");
      g_assert_true (g_ascii_string_to_unsigned (remaining, 10, 0, 180, &value, NULL));
      g_assert_nonnull (reset);
      g_assert_cmpint (atoi (reset), >=, 1);
      g_assert_cmpint (atoi (reset), <=, 60);

      if (i <= 180)
        {
          g_assert_cmpuint (reply->status, ==, 200);
          g_assert_cmpuint (value, ==, 180 - i);
          g_assert_cmpuint (value, <, previous_remaining);
          previous_remaining = value;
        }
      else
        {
          g_assert_cmpuint (reply->status, ==, 429);
          g_assert_cmpuint (value, ==, 0);
        }
    }

  g_assert_cmpuint (fake_server_count_rate_limited (server), ==, 1);

  /* A lower limit for tests that want to reach it sooner. */
  fake_server_set_rate_limit (server, 185);
  {
    g_autoptr(Reply) more = request_full (session, 0, "GET", url, NULL, "Api-Appid", "test-app",
                                          "Api-Key", "test-key", NULL);

    g_assert_cmpuint (more->status, ==, 200);
    g_assert_cmpstr (soup_message_headers_get_one (more->headers, "X-Rate-Limit-Remaining"), ==,
                     "4");
  }

  fake_server_free (server);
}

static void
test_ontraport_redirect (void)
{
  FakeServer *server = fake_server_new (FAKE_ONTRAPORT);
  g_autoptr(SoupSession) session = new_session ();
  g_autofree char *url = url_for (server, "/objects");
  g_autoptr(Reply) redirected = NULL;
  const char *location;

  fake_server_queue_fault (server, FAKE_REDIRECT);
  redirected = request_full (session, SOUP_MESSAGE_NO_REDIRECT, "POST", url, "{}",
                             "Api-Appid", "test-app", "Api-Key", "test-key", NULL);
  g_assert_cmpuint (redirected->status, ==, 307);
  location = soup_message_headers_get_one (redirected->headers, "Location");
  g_assert_nonnull (location);
  g_assert_false (g_str_has_prefix (location, "http://127.0.0.1:"));
  g_assert_true (g_str_has_suffix (location, "/1/objects"));
  g_assert_cmpuint (fake_server_count_redirect_hits (server), ==, 0);

  fake_server_free (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/fakes/backend/idempotent-replay", test_backend_idempotent_replay);
  g_test_add_func ("/fakes/backend/key-reuse", test_backend_key_reuse);
  g_test_add_func ("/fakes/backend/duplicate-counted", test_backend_duplicate_counted);
  g_test_add_func ("/fakes/backend/credentials", test_backend_credentials);
  g_test_add_func ("/fakes/backend/validation", test_backend_validation);
  g_test_add_func ("/fakes/backend/edit-and-history", test_backend_edit_and_history);
  g_test_add_func ("/fakes/backend/outbound-calls", test_backend_outbound_calls);
  g_test_add_func ("/fakes/backend/connections-released", test_backend_connections_released);
  g_test_add_func ("/fakes/faults/429-headers", test_fault_429_headers);
  g_test_add_func ("/fakes/faults/resets", test_fault_resets);
  g_test_add_func ("/fakes/faults/stall", test_fault_stall);
  g_test_add_func ("/fakes/faults/bodies", test_fault_bodies);
  g_test_add_func ("/fakes/faults/random-reproducible", test_fault_random_is_reproducible);
  g_test_add_func ("/fakes/faults/refusing", test_refusing);
  g_test_add_func ("/fakes/faults/redirect-trap", test_redirect_is_a_trap);
  g_test_add_func ("/fakes/ontraport/contact-lookup", test_ontraport_contact_lookup);
  g_test_add_func ("/fakes/ontraport/notes", test_ontraport_notes);
  g_test_add_func ("/fakes/ontraport/tasks", test_ontraport_tasks);
  g_test_add_func ("/fakes/ontraport/rate-limit", test_ontraport_rate_limit);
  g_test_add_func ("/fakes/ontraport/redirect", test_ontraport_redirect);

  return g_test_run ();
}
