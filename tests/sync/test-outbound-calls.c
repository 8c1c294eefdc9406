/* test-outbound-calls.c: the team backend's outbound call tasks
 * (src/sync/cn-outbound-calls.h) against the fake backend
 *
 * The list: every field parsed, the status filter, real pagination, the
 * errors (401, 5xx, a web page, a redirect, malformed answers, no network, a
 * backend that is not set up). Initiate: the contract's body with the token,
 * the id returned, and what a refusal or a silent backend says.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "cn-outbound-calls.h"
#include "fake-servers.h"

#define TOKEN "outbound-test-token"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeRequest, fake_request_free)

typedef struct {
  FakeServer   *server;
  CnSyncConfig *config;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->server = fake_server_new (FAKE_BACKEND);
  fake_server_set_token (f->server, TOKEN);
  f->config = cn_sync_config_new ();
  g_free (f->config->backend_url);
  f->config->backend_url = g_strdup (fake_server_get_base_url (f->server));
  f->config->backend_token = g_strdup (TOKEN);
  f->config->timeout_seconds = 10;
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->config, cn_sync_config_free);
  g_clear_pointer (&f->server, fake_server_free);
}

static GAsyncResult *
wait_for_result (GAsyncResult **slot)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (*slot == NULL)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for the answer");
      g_main_context_iteration (NULL, TRUE);
    }

  return *slot;
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GPtrArray *
list (Fixture     *f,
      const char  *status,
      guint        page,
      guint        limit,
      guint       *total,
      GError     **error)
{
  GAsyncResult *result = NULL;
  GPtrArray *calls;

  cn_outbound_calls_list_async (f->config, status, page, limit, NULL, on_done, &result);
  calls = cn_outbound_calls_list_finish (wait_for_result (&result), total, error);
  g_object_unref (result);
  return calls;
}

static gboolean
initiate (Fixture     *f,
          const char  *number,
          const char  *contact_id,
          const char  *client_id,
          char       **task_id,
          GError     **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  cn_outbound_calls_initiate_async (f->config, number, contact_id, client_id, NULL, on_done,
                                    &result);
  ok = cn_outbound_calls_initiate_finish (wait_for_result (&result), task_id, error);
  g_object_unref (result);
  return ok;
}

/* A sentence a person can read, without the token. */
static void
assert_sentence (const GError *error)
{
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_cmpuint (strlen (error->message), >, 15);
  g_assert_true (g_unichar_isupper (g_utf8_get_char (error->message)));
  g_assert_null (strstr (error->message, TOKEN));
}

static FakeRequest *
last_request (Fixture *f)
{
  g_autoptr(GPtrArray) requests = fake_server_get_requests (f->server);
  FakeRequest *last;
  FakeRequest *copy;

  g_assert_cmpuint (requests->len, >, 0);
  last = g_ptr_array_index (requests, requests->len - 1);

  /* The copy is ours: take the last one out of it. */
  copy = g_ptr_array_steal_index (requests, requests->len - 1);
  g_assert_true (copy == last);
  return copy;
}

static void
add_calls (Fixture    *f,
           const char *status,
           guint       count,
           const char *prefix)
{
  for (guint i = 0; i < count; i++)
    {
      g_autofree char *id = g_strdup_printf ("%s-%02u", prefix, i);
      g_autofree char *name = g_strdup_printf ("%s %u", prefix, i);
      g_autofree char *number = g_strdup_printf ("+1555000%04u", i);

      fake_server_add_outbound_call (f->server, id, name, number, status,
                                     "2026-11-21T10:00:00Z");
    }
}

/* ---- parsing ---- */

static void
test_parse_every_field (void)
{
  const char *body =
    "{\"calls\": ["
    "  {\"id\": \"7f6c0e1a-0000-4000-8000-000000000001\", \"recipient_name\": \"Jane Doe\","
    "   \"recipient_number\": \"+15551234567\", \"status\": \"completed\","
    "   \"scheduled_at\": \"2026-11-21T10:00:00Z\", \"initiated_at\": \"2026-11-21T10:00:05Z\","
    "   \"completed_at\": \"2026-11-21T10:02:15Z\", \"call_log_id\": 123,"
    "   \"failure_reason\": null},"
    "  {\"id\": 42, \"recipient_name\": null, \"recipient_number\": \"+15550001111\","
    "   \"status\": \"failed\", \"scheduled_at\": \"2026-11-21T11:00:00+01:00\","
    "   \"initiated_at\": null, \"completed_at\": null, \"call_log_id\": \"abc\","
    "   \"failure_reason\": \"Busy three times\"},"
    "  {\"id\": \"x\", \"recipient_number\": \"+15550002222\", \"status\": \"on_hold\"}"
    "], \"pagination\": {\"page\": 1, \"limit\": 20, \"total\": 57}}";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  CnOutboundCall *c;
  guint total = 0;

  calls = cn_outbound_calls_parse (body, strlen (body), 20, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (calls->len, ==, 3);
  g_assert_cmpuint (total, ==, 57);

  c = calls->pdata[0];
  g_assert_cmpstr (c->id, ==, "7f6c0e1a-0000-4000-8000-000000000001");
  g_assert_cmpstr (c->recipient_name, ==, "Jane Doe");
  g_assert_cmpstr (c->recipient_number, ==, "+15551234567");
  g_assert_cmpstr (c->status, ==, "completed");
  g_assert_cmpint (c->scheduled_at, ==, 1795255200);
  g_assert_cmpint (c->initiated_at, ==, 1795255205);
  g_assert_cmpint (c->completed_at, ==, 1795255335);
  g_assert_cmpstr (c->call_log_id, ==, "123");
  g_assert_null (c->failure_reason);

  c = calls->pdata[1];
  g_assert_cmpstr (c->id, ==, "42");
  g_assert_null (c->recipient_name);
  g_assert_cmpstr (c->status, ==, "failed");
  g_assert_cmpint (c->scheduled_at, ==, 1795255200);
  g_assert_cmpint (c->initiated_at, ==, 0);
  g_assert_cmpint (c->completed_at, ==, 0);
  g_assert_cmpstr (c->call_log_id, ==, "abc");
  g_assert_cmpstr (c->failure_reason, ==, "Busy three times");

  /* A status this version does not know is kept as sent. */
  c = calls->pdata[2];
  g_assert_cmpstr (c->status, ==, "on_hold");
  g_assert_false (cn_outbound_status_is_known (c->status));
  g_assert_true (cn_outbound_status_is_known ("in_progress"));
  g_assert_cmpint (c->scheduled_at, ==, 0);

  /* A copy is deep. */
  {
    g_autoptr(CnOutboundCall) copy = cn_outbound_call_copy (calls->pdata[1]);

    g_assert_cmpstr (copy->failure_reason, ==, "Busy three times");
    g_assert_true (copy->failure_reason != ((CnOutboundCall *) calls->pdata[1])->failure_reason);
  }

  /* At most max_calls are taken. */
  g_clear_pointer (&calls, g_ptr_array_unref);
  calls = cn_outbound_calls_parse (body, strlen (body), 2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (calls->len, ==, 2);
}

static void
test_parse_malformed (void)
{
  g_autofree char *deep = NULL;
  g_autofree char *long_id = NULL;
  const char *bodies[] = {
    "",
    "not json",
    "{\"calls\": [",
    "[]",
    "{}",
    "{\"calls\": {}, \"pagination\": {\"total\": 0}}",
    "{\"calls\": []}",
    "{\"calls\": [], \"pagination\": []}",
    "{\"calls\": [], \"pagination\": {}}",
    "{\"calls\": [], \"pagination\": {\"total\": -1}}",
    "{\"calls\": [], \"pagination\": {\"total\": \"57\"}}",
    "{\"calls\": [], \"pagination\": {\"total\": 1.5}}",
    "{\"calls\": [], \"pagination\": {\"total\": 99999999999}}",
    "{\"calls\": [], \"pagination\": {\"total\": 1, \"page\": \"one\"}}",
    "{\"calls\": [1], \"pagination\": {\"total\": 1}}",
    "{\"calls\": [{\"status\": \"pending\"}], \"pagination\": {\"total\": 1}}",
    "{\"calls\": [{\"id\": \"\", \"status\": \"pending\"}], \"pagination\": {\"total\": 1}}",
    "{\"calls\": [{\"id\": \"a\"}], \"pagination\": {\"total\": 1}}",
    "{\"calls\": [{\"id\": \"a\", \"status\": 3}], \"pagination\": {\"total\": 1}}",
    "{\"calls\": [{\"id\": true, \"status\": \"pending\"}], \"pagination\": {\"total\": 1}}",
    "{\"calls\": [{\"id\": \"a\", \"status\": \"pending\", \"scheduled_at\": \"tomorrow\"}],"
    " \"pagination\": {\"total\": 1}}",
    "{\"calls\": [{\"id\": \"a\", \"status\": \"pending\", \"scheduled_at\": 1763719200}],"
    " \"pagination\": {\"total\": 1}}",
    "{\"calls\": [{\"id\": \"a\", \"status\": \"pending\", \"recipient_name\": {}}],"
    " \"pagination\": {\"total\": 1}}",
    "{\"calls\": [{\"id\": \"a\", \"status\": \"pending\", \"recipient_number\": 15551234567}],"
    " \"pagination\": {\"total\": 1}}",
    NULL, NULL,
  };

  {
    GString *nest = g_string_new ("{\"calls\": [], \"pagination\": {\"total\": 0}, \"x\": ");

    for (guint i = 0; i < 10000; i++)
      g_string_append_c (nest, '[');
    deep = g_string_free (nest, FALSE);
    bodies[G_N_ELEMENTS (bodies) - 2] = deep;
  }
  {
    g_autofree char *id = g_strnfill (4096, 'a');

    long_id = g_strdup_printf ("{\"calls\": [{\"id\": \"%s\", \"status\": \"pending\"}], "
                               "\"pagination\": {\"total\": 1}}", id);
    bodies[G_N_ELEMENTS (bodies) - 1] = long_id;
  }

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) calls = NULL;
      guint total = 12345;

      calls = cn_outbound_calls_parse (bodies[i], strlen (bodies[i]), 20, &total, &error);
      if (calls != NULL)
        g_error ("body %u should be refused: %.80s", i, bodies[i]);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_cmpuint (total, ==, 12345);
      assert_sentence (error);
    }
}

/* ---- listing ---- */

static void
test_list_fields (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(FakeRequest) request = NULL;
  CnOutboundCall *c;
  guint total = 0;

  fake_server_add_outbound_call (f->server, "t-1", "Jane Doe", "+15551234567", "scheduled",
                                 "2026-11-21T10:00:00Z");
  fake_server_add_outbound_call (f->server, "t-2", NULL, "+15550001111", "failed", NULL);

  calls = list (f, NULL, 1, 20, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (calls->len, ==, 2);
  g_assert_cmpuint (total, ==, 2);

  c = calls->pdata[0];
  g_assert_cmpstr (c->id, ==, "t-1");
  g_assert_cmpstr (c->recipient_name, ==, "Jane Doe");
  g_assert_cmpstr (c->recipient_number, ==, "+15551234567");
  g_assert_cmpstr (c->status, ==, "scheduled");
  g_assert_cmpint (c->scheduled_at, ==, 1795255200);
  g_assert_cmpint (c->initiated_at, ==, 0);
  g_assert_null (c->failure_reason);
  c = calls->pdata[1];
  g_assert_null (c->recipient_name);
  g_assert_cmpint (c->scheduled_at, ==, 0);
  g_assert_nonnull (c->failure_reason);

  /* The request: GET with the token, no status for "all". */
  request = last_request (f);
  g_assert_cmpstr (request->method, ==, "GET");
  g_assert_cmpstr (request->path, ==, "/api/v1/outbound-calls");
  g_assert_cmpstr (request->query, ==, "page=1&limit=20");
  g_assert_cmpstr (g_hash_table_lookup (request->headers, "authorization"), ==,
                   "Bearer " TOKEN);
  g_assert_cmpstr (g_hash_table_lookup (request->headers, "accept"), ==, "application/json");
}

static void
test_list_filter_and_pages (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint total = 0;

  add_calls (f, "scheduled", 45, "Scheduled");
  add_calls (f, "failed", 3, "Failed");
  add_calls (f, "pending", 2, "Pending");

  /* Three pages of scheduled calls: 20, 20, 5, each with the total. */
  for (guint page = 1; page <= 4; page++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) calls = list (f, "scheduled", page, 20, &total, &error);
      g_autoptr(FakeRequest) request = last_request (f);
      g_autofree char *query = g_strdup_printf ("status=scheduled&page=%u&limit=20", page);

      g_assert_no_error (error);
      g_assert_cmpstr (request->query, ==, query);
      g_assert_cmpuint (total, ==, 45);
      g_assert_cmpuint (calls->len, ==, page < 3 ? 20 : page == 3 ? 5 : 0);
      for (guint i = 0; i < calls->len; i++)
        {
          CnOutboundCall *c = calls->pdata[i];

          g_assert_cmpstr (c->status, ==, "scheduled");
          g_assert_false (g_hash_table_contains (seen, c->id));
          g_hash_table_add (seen, g_strdup (c->id));
        }
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 45);

  /* Another status. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) calls = list (f, "failed", 1, 20, &total, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (calls->len, ==, 3);
    g_assert_cmpuint (total, ==, 3);
    g_assert_cmpstr (((CnOutboundCall *) calls->pdata[0])->status, ==, "failed");
  }

  /* Every status, a small limit. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) calls = list (f, "", 2, 7, &total, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (calls->len, ==, 7);
    g_assert_cmpuint (total, ==, 50);
    g_assert_cmpstr (((CnOutboundCall *) calls->pdata[0])->id, ==, "Scheduled-07");
  }

  /* None with that status. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) calls = list (f, "no_answer", 1, 20, &total, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (calls->len, ==, 0);
    g_assert_cmpuint (total, ==, 0);
  }

  /* Page 0 is page 1; the limit is clamped. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) calls = list (f, "scheduled", 0, 1000, &total, &error);
    g_autoptr(FakeRequest) request = last_request (f);

    g_assert_no_error (error);
    g_assert_cmpstr (request->query, ==, "status=scheduled&page=1&limit=100");
    g_assert_cmpuint (calls->len, ==, 45);
  }

  /* A status is escaped in the query. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) calls = list (f, "a&b=c", 1, 20, &total, &error);
    g_autoptr(FakeRequest) request = last_request (f);

    g_assert_null (calls);
    g_assert_cmpstr (request->query, ==, "status=a%26b%3Dc&page=1&limit=20");
    /* The fake refuses a status it does not know: 400 with its words. */
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
    g_assert_nonnull (strstr (error->message, "400"));
    g_assert_nonnull (strstr (error->message, "unknown status"));
  }
}

static void
test_list_errors (Fixture       *f,
                  gconstpointer  data)
{
  static const struct {
    FakeFault   fault;
    gint        code;
    const char *words;
  } cases[] = {
    { FAKE_401, G_IO_ERROR_PERMISSION_DENIED, "access token (401)" },
    { FAKE_500, G_IO_ERROR_FAILED, "500" },
    { FAKE_503, G_IO_ERROR_FAILED, "503" },
    { FAKE_429, G_IO_ERROR_BUSY, "429" },
    { FAKE_HTML, G_IO_ERROR_FAILED, "web page" },
    { FAKE_MALFORMED_JSON, G_IO_ERROR_INVALID_DATA, "not JSON" },
    { FAKE_HUGE_BODY, G_IO_ERROR_MESSAGE_TOO_LARGE, "far more" },
    { FAKE_REDIRECT, G_IO_ERROR_FAILED, "redirects are not followed" },
    { FAKE_RESET_BEFORE, -1, "could not be reached" },
  };

  fake_server_add_outbound_call (f->server, "t-1", "Jane Doe", "+15551234567", "scheduled",
                                 NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) calls = NULL;

      g_test_message ("fault %s", fake_fault_name (cases[i].fault));
      fake_server_queue_fault (f->server, cases[i].fault);
      calls = list (f, "scheduled", 1, 20, NULL, &error);
      g_assert_null (calls);
      g_assert_nonnull (error);
      if (cases[i].code >= 0)
        g_assert_error (error, G_IO_ERROR, cases[i].code);
      assert_sentence (error);
      if (strstr (error->message, cases[i].words) == NULL)
        g_error ("“%s” should say “%s”", error->message, cases[i].words);
    }

  /* The redirect's other host never saw the token. */
  g_assert_false (fake_server_redirect_saw_credentials (f->server));

  /* A wrong token. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) calls = NULL;

    g_free (f->config->backend_token);
    f->config->backend_token = g_strdup ("wrong-token");
    calls = list (f, NULL, 1, 20, NULL, &error);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
    g_assert_null (strstr (error->message, "wrong-token"));
  }

  /* The server is down. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) calls = NULL;

    g_free (f->config->backend_token);
    f->config->backend_token = g_strdup (TOKEN);
    fake_server_set_refusing (f->server, TRUE);
    calls = list (f, NULL, 1, 20, NULL, &error);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
    assert_sentence (error);
    fake_server_set_refusing (f->server, FALSE);
  }

  /* Not set up, or an address that is refused: nothing is sent. */
  fake_server_clear_requests (f->server);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) calls = NULL;
    g_autofree char *token = g_steal_pointer (&f->config->backend_token);

    calls = list (f, NULL, 1, 20, NULL, &error);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED);
    assert_sentence (error);
    f->config->backend_token = g_steal_pointer (&token);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) calls = NULL;

    g_free (f->config->backend_url);
    f->config->backend_url = g_strdup ("http://crm.example.com");
    calls = list (f, NULL, 1, 20, NULL, &error);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    assert_sentence (error);
  }
  g_assert_cmpuint (fake_server_count_requests (f->server, NULL, NULL), ==, 0);
}

static void
test_list_cancel (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  GAsyncResult *result = NULL;

  fake_server_set_stall_seconds (f->server, 5);
  fake_server_queue_fault (f->server, FAKE_STALL);
  cn_outbound_calls_list_async (f->config, NULL, 1, 20, cancellable, on_done, &result);
  while (fake_server_count_requests (f->server, "GET", "/api/v1/outbound-calls") == 0)
    g_main_context_iteration (NULL, FALSE);
  g_cancellable_cancel (cancellable);
  calls = cn_outbound_calls_list_finish (wait_for_result (&result), NULL, &error);
  g_assert_null (calls);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_object_unref (result);
}

/* ---- initiate ---- */

static void
test_initiate (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *task_id = NULL;
  g_autoptr(FakeRequest) request = NULL;
  g_autoptr(JsonNode) body = NULL;
  JsonObject *object;
  JsonObject *context;
  guint total = 0;

  g_assert_true (initiate (f, "+15551234567", "42", "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f",
                           &task_id, &error));
  g_assert_no_error (error);
  g_assert_nonnull (task_id);
  g_assert_true (g_uuid_string_is_valid (task_id));

  request = last_request (f);
  g_assert_cmpstr (request->method, ==, "POST");
  g_assert_cmpstr (request->path, ==, "/api/v1/outbound-calls/initiate");
  g_assert_cmpstr (g_hash_table_lookup (request->headers, "authorization"), ==,
                   "Bearer " TOKEN);
  g_assert_true (g_str_has_prefix (g_hash_table_lookup (request->headers, "content-type"),
                                   "application/json"));

  /* Exactly the contract's body. */
  body = json_from_string (request->body, &error);
  g_assert_no_error (error);
  object = json_node_get_object (body);
  g_assert_cmpuint (json_object_get_size (object), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (object, "recipient_number"), ==,
                   "+15551234567");
  g_assert_true (json_object_has_member (object, "caller_id_number"));
  g_assert_true (json_object_get_null_member (object, "caller_id_number"));
  context = json_object_get_object_member (object, "context_info");
  g_assert_cmpuint (json_object_get_size (context), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (context, "contact_id"), ==, "42");
  g_assert_cmpstr (json_object_get_string_member (context, "client_id"), ==,
                   "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f");

  /* The backend lists it as dialing. */
  {
    g_autoptr(GPtrArray) calls = list (f, "dialing", 1, 20, &total, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (calls->len, ==, 1);
    g_assert_cmpstr (((CnOutboundCall *) calls->pdata[0])->id, ==, task_id);
    g_assert_cmpstr (((CnOutboundCall *) calls->pdata[0])->recipient_number, ==,
                     "+15551234567");
  }

  /* No contact and no log: nulls. */
  g_clear_pointer (&task_id, g_free);
  g_clear_pointer (&request, fake_request_free);
  g_clear_pointer (&body, json_node_unref);
  g_assert_true (initiate (f, "+15550001111", NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  request = last_request (f);
  body = json_from_string (request->body, &error);
  g_assert_no_error (error);
  context = json_object_get_object_member (json_node_get_object (body), "context_info");
  g_assert_true (json_object_get_null_member (context, "contact_id"));
  g_assert_true (json_object_get_null_member (context, "client_id"));
}

static void
test_initiate_errors (Fixture       *f,
                      gconstpointer  data)
{
  /* Refusals say so, with the server's words where it gave some. */
  {
    g_autoptr(GError) error = NULL;

    fake_server_queue_fault (f->server, FAKE_400);
    g_assert_false (initiate (f, "+15551234567", NULL, NULL, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
    assert_sentence (error);
    g_assert_nonnull (strstr (error->message, "did not place the call"));
    g_assert_nonnull (strstr (error->message, "phone is not a valid number"));
  }
  {
    g_autoptr(GError) error = NULL;

    fake_server_queue_fault (f->server, FAKE_401);
    g_assert_false (initiate (f, "+15551234567", NULL, NULL, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
    assert_sentence (error);
  }
  {
    g_autoptr(GError) error = NULL;

    fake_server_queue_fault (f->server, FAKE_500);
    g_assert_false (initiate (f, "+15551234567", NULL, NULL, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
    g_assert_nonnull (strstr (error->message, "500"));
    assert_sentence (error);
  }

  /* An answer without an id: the call may be placed all the same. */
  {
    g_autoptr(GError) error = NULL;

    fake_server_queue_fault (f->server, FAKE_MALFORMED_JSON);
    g_assert_false (initiate (f, "+15551234567", NULL, NULL, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (error->message, "may still place the call"));
  }

  /* A backend that does not answer in time: the same. */
  {
    g_autoptr(GError) error = NULL;

    f->config->timeout_seconds = 1;
    fake_server_set_stall_seconds (f->server, 3);
    fake_server_queue_fault (f->server, FAKE_STALL);
    g_assert_false (initiate (f, "+15551234567", NULL, NULL, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
    g_assert_nonnull (strstr (error->message, "may still place the call"));
    f->config->timeout_seconds = 10;
  }

  /* Nothing to call, or nothing to call with: nothing is sent. */
  fake_server_clear_requests (f->server);
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (initiate (f, "", NULL, NULL, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    assert_sentence (error);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *url = g_steal_pointer (&f->config->backend_url);

    g_assert_false (initiate (f, "+15551234567", NULL, NULL, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED);
    assert_sentence (error);
    f->config->backend_url = g_steal_pointer (&url);
  }
  g_assert_cmpuint (fake_server_count_requests (f->server, NULL, NULL), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/outbound-calls/parse/every-field", test_parse_every_field);
  g_test_add_func ("/outbound-calls/parse/malformed", test_parse_malformed);
  g_test_add ("/outbound-calls/list/fields", Fixture, NULL, fixture_set_up, test_list_fields,
              fixture_tear_down);
  g_test_add ("/outbound-calls/list/filter-and-pages", Fixture, NULL, fixture_set_up,
              test_list_filter_and_pages, fixture_tear_down);
  g_test_add ("/outbound-calls/list/errors", Fixture, NULL, fixture_set_up, test_list_errors,
              fixture_tear_down);
  g_test_add ("/outbound-calls/list/cancel", Fixture, NULL, fixture_set_up, test_list_cancel,
              fixture_tear_down);
  g_test_add ("/outbound-calls/initiate/body", Fixture, NULL, fixture_set_up, test_initiate,
              fixture_tear_down);
  g_test_add ("/outbound-calls/initiate/errors", Fixture, NULL, fixture_set_up,
              test_initiate_errors, fixture_tear_down);

  return g_test_run ();
}
