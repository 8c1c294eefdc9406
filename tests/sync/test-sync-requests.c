/* test-sync-requests.c: request bodies, answer classification, rate limiter
 *
 * The rules of CONTRACTS.md one by one, without a network.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "cn-rate-limiter.h"
#include "cn-sync-requests.h"

#define UUID "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f"

static CnCallLog *
contract_log (void)
{
  CnCallLog *log = cn_call_log_new ();

  cn_call_log_set_uuid (log, UUID);
  cn_call_log_set_contact_id (log, "42");
  cn_call_log_set_contact_name (log, "Jane Doe");
  cn_call_log_set_phone (log, "+15551234567");
  cn_call_log_set_outcome (log, CN_OUTCOME_CONNECTED);
  cn_call_log_set_duration (log, 65);
  cn_call_log_set_notes (log, "Discussed renewal.");
  cn_call_log_set_follow_up (log, 1795424400);      /* 2026-11-23T09:00:00Z */
  cn_call_log_set_created_at (log, 1795255200);     /* 2026-11-21T10:00:00Z */

  return log;
}

static JsonObject *
parse (const char  *text,
       JsonParser **parser)
{
  g_autoptr(GError) error = NULL;

  *parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (*parser, text, -1, &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (*parser));
}

/* The backend body is the contract's example, field for field. */
static void
test_backend_body (void)
{
  g_autoptr(CnCallLog) log = contract_log ();
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonParser) empty_parser = NULL;
  g_autofree char *body = cn_sync_backend_body (log);
  g_autofree char *empty_body = NULL;
  JsonObject *o = parse (body, &parser);
  JsonObject *e;

  g_assert_cmpstr (json_object_get_string_member (o, "client_id"), ==, UUID);
  g_assert_cmpstr (json_object_get_string_member (o, "contact_id"), ==, "42");
  g_assert_cmpstr (json_object_get_string_member (o, "contact_name"), ==, "Jane Doe");
  g_assert_cmpstr (json_object_get_string_member (o, "phone"), ==, "+15551234567");
  g_assert_cmpstr (json_object_get_string_member (o, "direction"), ==, "outbound");
  g_assert_cmpstr (json_object_get_string_member (o, "outcome"), ==, "connected");
  g_assert_cmpint (json_object_get_int_member (o, "duration_seconds"), ==, 65);
  g_assert_cmpstr (json_object_get_string_member (o, "notes"), ==, "Discussed renewal.");
  g_assert_cmpstr (json_object_get_string_member (o, "follow_up_date"), ==,
                   "2026-11-23T09:00:00Z");
  g_assert_cmpstr (json_object_get_string_member (o, "created_at"), ==, "2026-11-21T10:00:00Z");
  g_assert_cmpuint (json_object_get_size (o), ==, 10);

  /* What may be null is null, not missing. */
  cn_call_log_set_contact_id (log, NULL);
  cn_call_log_set_contact_name (log, NULL);
  cn_call_log_set_duration (log, -1);
  cn_call_log_set_notes (log, NULL);
  cn_call_log_set_follow_up (log, 0);
  empty_body = cn_sync_backend_body (log);
  e = parse (empty_body, &empty_parser);
  g_assert_true (json_object_get_null_member (e, "contact_id"));
  g_assert_true (json_object_get_null_member (e, "contact_name"));
  g_assert_true (json_object_get_null_member (e, "duration_seconds"));
  g_assert_true (json_object_get_null_member (e, "notes"));
  g_assert_true (json_object_get_null_member (e, "follow_up_date"));
}

static void
test_ontraport_bodies (void)
{
  g_autoptr(CnCallLog) log = contract_log ();
  g_autofree char *text = cn_sync_note_text (log);
  g_autofree char *note = cn_sync_ontraport_note_body (42, text);
  g_autofree char *subject = cn_sync_task_subject (log);
  g_autofree char *task = cn_sync_ontraport_task_body (42, 50, subject, 1795424400);
  g_autofree char *assign = cn_sync_ontraport_assign_body (42, 7, 3, 1795424400);
  g_autofree char *payload = cn_sync_task_payload (log);
  g_autofree char *parsed_subject = NULL;
  g_autoptr(JsonParser) p1 = NULL;
  g_autoptr(JsonParser) p2 = NULL;
  g_autoptr(JsonParser) p3 = NULL;
  JsonObject *o;
  JsonObject *message;
  gint64 due = 0;

  g_assert_cmpstr (text, ==,
                   "Call Logged — Connected\nContact: Jane Doe\n\nNotes:\nDiscussed renewal.\n\n"
                   "Ref: " UUID);

  o = parse (note, &p1);
  g_assert_cmpint (json_object_get_int_member (o, "objectID"), ==, 12);
  g_assert_cmpint (json_object_get_int_member (o, "contact_id"), ==, 42);
  g_assert_cmpstr (json_object_get_string_member (o, "data"), ==, text);

  g_assert_cmpstr (subject, ==, "Follow up: Call with Jane Doe");
  o = parse (task, &p2);
  g_assert_cmpint (json_object_get_int_member (o, "objectID"), ==, 50);
  g_assert_cmpint (json_object_get_int_member (o, "contact_id"), ==, 42);
  g_assert_cmpstr (json_object_get_string_member (o, "subject"), ==, subject);
  g_assert_cmpint (json_object_get_int_member (o, "due_date"), ==, 1795424400);
  g_assert_cmpint (json_object_get_int_member (o, "status"), ==, 0);

  o = parse (assign, &p3);
  g_assert_cmpint (json_object_get_int_member (o, "object_type_id"), ==, 0);
  g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (o, "ids"), 0), ==,
                   42);
  message = json_object_get_object_member (o, "message");
  g_assert_cmpint (json_object_get_int_member (message, "id"), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (message, "type"), ==, "Task");
  g_assert_cmpint (json_object_get_int_member (message, "due_date"), ==, 1795424400);
  g_assert_cmpint (json_object_get_int_member (message, "task_owner"), ==, 3);

  /* The task's subject and due date are fixed at the first send. */
  g_assert_true (cn_sync_task_payload_parse (payload, &parsed_subject, &due));
  g_assert_cmpstr (parsed_subject, ==, subject);
  g_assert_cmpint (due, ==, 1795424400);
  g_assert_false (cn_sync_task_payload_parse ("{\"subject\": 3}", &parsed_subject, &due));
  g_assert_false (cn_sync_task_payload_parse ("not json", &parsed_subject, &due));
}

static void
test_conditions (void)
{
  g_autofree char *phone = cn_sync_condition_phone ("5551234567");
  g_autofree char *ref = cn_sync_condition_note_ref (42, UUID);
  g_autofree char *task = cn_sync_condition_task (42, NULL, 1795424400);
  guint64 id = 0;

  g_assert_cmpstr (phone, ==,
                   "[{\"field\":{\"field\":\"office_phone\"},\"op\":\"LIKE\","
                   "\"value\":{\"value\":\"%5551234567\"}},\"OR\","
                   "{\"field\":{\"field\":\"sms_number\"},\"op\":\"LIKE\","
                   "\"value\":{\"value\":\"%5551234567\"}}]");
  g_assert_cmpstr (ref, ==,
                   "[{\"field\":{\"field\":\"contact_id\"},\"op\":\"=\",\"value\":{\"value\":42}},"
                   "\"AND\",{\"field\":{\"field\":\"data\"},\"op\":\"LIKE\","
                   "\"value\":{\"value\":\"%Ref: " UUID "%\"}}]");
  g_assert_nonnull (strstr (task, "\"due_date\""));
  g_assert_null (strstr (task, "subject"));

  g_assert_true (cn_sync_parse_contact_id ("42", &id));
  g_assert_cmpuint (id, ==, 42);
  g_assert_false (cn_sync_parse_contact_id ("ont-42", &id));
  g_assert_false (cn_sync_parse_contact_id ("0", &id));
  g_assert_false (cn_sync_parse_contact_id ("", &id));
  g_assert_false (cn_sync_parse_contact_id ("99999999999999999999999", &id));
}

typedef struct {
  guint         status;
  const char   *content_type;
  const char   *body;
  const char   *retry_after;
  CnAnswerKind  kind;
  const char   *remote_id;
  gint64        retry_seconds;
  const char   *message_has;
} BackendCase;

static void
test_classify_backend (void)
{
  static const BackendCase cases[] = {
    { 201, "application/json", "{\"success\": true, \"id\": 123}", NULL, CN_ANSWER_DONE, "123",
      -1, NULL },
    /* A replay: the same id again is success, not a duplicate. */
    { 200, "application/json", "{\"success\": true, \"id\": 123}", NULL, CN_ANSWER_DONE, "123",
      -1, NULL },
    { 200, "application/json", "{\"id\": \"abc\"}", NULL, CN_ANSWER_DONE, "abc", -1, NULL },
    { 400, "application/json", "{\"error\": \"phone is invalid\"}", NULL, CN_ANSWER_PERMANENT,
      NULL, -1, "phone is invalid" },
    { 401, NULL, "", NULL, CN_ANSWER_AUTH, NULL, -1, "401" },
    { 403, NULL, "nope", NULL, CN_ANSWER_AUTH, NULL, -1, "403" },
    { 404, "text/html", "<html>Not found</html>", NULL, CN_ANSWER_PERMANENT, NULL, -1, "404" },
    { 422, "application/json", "{\"error\": \"key reused\"}", NULL, CN_ANSWER_PERMANENT, NULL, -1,
      "key reused" },
    { 409, NULL, "", NULL, CN_ANSWER_TRANSIENT, NULL, -1, "409" },
    { 429, NULL, "", "30", CN_ANSWER_TRANSIENT, NULL, 30, "429" },
    { 503, NULL, "", "5", CN_ANSWER_TRANSIENT, NULL, 5, "503" },
    { 500, "application/json", "{\"error\": \"db down\"}", NULL, CN_ANSWER_TRANSIENT, NULL, -1,
      "db down" },
    { 502, "text/html", "<html><body>Bad gateway</body></html>", NULL, CN_ANSWER_TRANSIENT, NULL,
      -1, "502" },
    /* A 200 that cannot be read: the same key will ask again. */
    { 200, "application/json", "{\"success\": tr", NULL, CN_ANSWER_TRANSIENT, NULL, -1, NULL },
    { 200, "application/json", "[1, 2]", NULL, CN_ANSWER_TRANSIENT, NULL, -1, NULL },
    { 200, "application/json", "{\"success\": true}", NULL, CN_ANSWER_TRANSIENT, NULL, -1, NULL },
    { 307, NULL, "", NULL, CN_ANSWER_TRANSIENT, NULL, -1, "307" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const BackendCase *c = &cases[i];
      CnAnswer answer;

      cn_sync_classify_backend (c->status, c->content_type, c->body, strlen (c->body),
                                c->retry_after, 1795255200, &answer);
      g_test_message ("case %u: status %u", i, c->status);
      g_assert_cmpint (answer.kind, ==, c->kind);
      g_assert_cmpstr (answer.remote_id, ==, c->remote_id);
      g_assert_cmpint (answer.retry_after, ==, c->retry_seconds);
      if (c->message_has != NULL)
        g_assert_nonnull (strstr (answer.message, c->message_has));
      /* An HTML page is never shown as the server's words. */
      if (c->content_type != NULL && g_str_has_prefix (c->content_type, "text/html"))
        g_assert_null (strstr (answer.message, "<"));
      cn_answer_clear (&answer);
    }
}

static void
test_classify_ontraport (void)
{
  CnAnswer answer;
  g_autoptr(GPtrArray) ids = NULL;
  const char *created = "{\"code\":0,\"data\":{\"id\":\"987\",\"contact_id\":\"42\"},"
                        "\"account_id\":1}";
  const char *list = "{\"code\":0,\"data\":[{\"id\":\"42\"},{\"id\":43}],\"account_id\":1}";

  cn_sync_classify_ontraport (200, "application/json", created, strlen (created), "40", TRUE,
                              &answer);
  g_assert_cmpint (answer.kind, ==, CN_ANSWER_DONE);
  g_assert_cmpstr (answer.remote_id, ==, "987");
  /* X-Rate-Limit-Reset on a success is no reason to wait. */
  g_assert_cmpint (answer.retry_after, ==, -1);
  cn_answer_clear (&answer);

  cn_sync_classify_ontraport (429, NULL, "", 0, "17", TRUE, &answer);
  g_assert_cmpint (answer.kind, ==, CN_ANSWER_TRANSIENT);
  g_assert_cmpint (answer.retry_after, ==, 17);
  g_assert_false (answer.outcome_unknown);
  cn_answer_clear (&answer);

  {
    const char *refused = "{\"code\":1,\"data\":\"Invalid field\"}";

    cn_sync_classify_ontraport (200, "application/json", refused, strlen (refused), NULL, TRUE,
                                &answer);
  }
  g_assert_cmpint (answer.kind, ==, CN_ANSWER_PERMANENT);
  g_assert_nonnull (strstr (answer.message, "Invalid field"));
  cn_answer_clear (&answer);

  /* A broken 200 to a POST may have created the object: look before posting
   * again. */
  cn_sync_classify_ontraport (200, "application/json", "{\"code\":0,\"da", 13, NULL, TRUE,
                              &answer);
  g_assert_cmpint (answer.kind, ==, CN_ANSWER_TRANSIENT);
  g_assert_true (answer.outcome_unknown);
  cn_answer_clear (&answer);

  cn_sync_classify_ontraport (500, NULL, "", 0, NULL, TRUE, &answer);
  g_assert_true (answer.outcome_unknown);
  cn_answer_clear (&answer);
  cn_sync_classify_ontraport (500, NULL, "", 0, NULL, FALSE, &answer);
  g_assert_false (answer.outcome_unknown);
  cn_answer_clear (&answer);

  g_assert_true (cn_sync_parse_ontraport_ids (list, strlen (list), &ids));
  g_assert_cmpuint (ids->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (ids, 0), ==, "42");
  g_assert_cmpstr (g_ptr_array_index (ids, 1), ==, "43");
  g_clear_pointer (&ids, g_ptr_array_unref);
  g_assert_true (cn_sync_parse_ontraport_ids ("{\"code\":0,\"data\":[]}", 20, &ids));
  g_assert_cmpuint (ids->len, ==, 0);
  g_clear_pointer (&ids, g_ptr_array_unref);
  g_assert_false (cn_sync_parse_ontraport_ids ("{\"code\":0,\"data\":[{\"name\":\"x\"}]}", 32,
                                               &ids));
  g_assert_false (cn_sync_parse_ontraport_ids ("<html>", 6, &ids));
}

/* Never more than N requests in any window, and the server's own pause. */
static void
test_rate_limiter (void)
{
  g_autoptr(CnRateLimiter) limiter = cn_rate_limiter_new (3, 60 * G_USEC_PER_SEC);
  gint64 t = 1000 * G_USEC_PER_SEC;

  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpint (cn_rate_limiter_delay (limiter, t + i), ==, 0);
      cn_rate_limiter_take (limiter, t + i);
    }
  /* The fourth waits until the first leaves the window. */
  g_assert_cmpint (cn_rate_limiter_delay (limiter, t + 10), ==, 60 * G_USEC_PER_SEC - 10);
  g_assert_cmpint (cn_rate_limiter_delay (limiter, t + 60 * G_USEC_PER_SEC), ==, 0);
  cn_rate_limiter_take (limiter, t + 60 * G_USEC_PER_SEC);
  g_assert_cmpint (cn_rate_limiter_delay (limiter, t + 60 * G_USEC_PER_SEC), ==, 1);

  /* 429: nothing before the reset. */
  cn_rate_limiter_block_until (limiter, t + 200 * G_USEC_PER_SEC);
  g_assert_cmpint (cn_rate_limiter_delay (limiter, t + 190 * G_USEC_PER_SEC), ==,
                   10 * G_USEC_PER_SEC);
  g_assert_cmpint (cn_rate_limiter_delay (limiter, t + 200 * G_USEC_PER_SEC), ==, 0);
}

/* The count written down and taken up again, as by the next worker: the
 * sends of the last window go on counting, older ones and junk do not. */
static void
test_rate_limiter_text (void)
{
  g_autoptr(CnRateLimiter) first = cn_rate_limiter_new (3, 60 * G_USEC_PER_SEC);
  g_autoptr(CnRateLimiter) next = cn_rate_limiter_new (3, 60 * G_USEC_PER_SEC);
  g_autoptr(CnRateLimiter) fresh = cn_rate_limiter_new (3, 60 * G_USEC_PER_SEC);
  gint64 t = 1000 * G_USEC_PER_SEC;
  /* The next process's monotonic clock starts elsewhere. */
  gint64 wall = G_GINT64_CONSTANT (1800000000) * G_USEC_PER_SEC;
  gint64 offset_first = wall - t;
  gint64 t_next = 5 * G_USEC_PER_SEC;
  gint64 offset_next = wall + 20 * G_USEC_PER_SEC - t_next;   /* 20 s later */
  g_autofree char *text = NULL;
  const char * const junk[] = {
    "", "v1", "v2 0 1", "v1 x", "v1 0 12 abc", "v1 -5 7", "v1 0 1e9",
  };

  /* One send 90 s ago (out of the window by now), three in the last 10 s. */
  cn_rate_limiter_take (first, t - 80 * G_USEC_PER_SEC);
  for (guint i = 0; i < 3; i++)
    cn_rate_limiter_take (first, t - (10 - i) * G_USEC_PER_SEC);
  text = cn_rate_limiter_to_text (first, t, offset_first);
  g_assert_true (g_str_has_prefix (text, "v1 0 "));

  /* 20 s later, in another process: full until the oldest of the three is
   * 60 s old, that is 30 s from now. */
  cn_rate_limiter_take (next, t_next);     /* replaced, not added to */
  cn_rate_limiter_take_up (next, text, t_next, offset_next);
  g_assert_cmpint (cn_rate_limiter_delay (next, t_next), ==, 30 * G_USEC_PER_SEC);
  g_clear_pointer (&text, g_free);

  /* A server pause goes along, up to one window. */
  cn_rate_limiter_block_until (first, t + 45 * G_USEC_PER_SEC);
  text = cn_rate_limiter_to_text (first, t, offset_first);
  cn_rate_limiter_take_up (fresh, text, t_next, offset_next);
  g_assert_cmpint (cn_rate_limiter_delay (fresh, t_next), ==, 30 * G_USEC_PER_SEC);
  cn_rate_limiter_take_up (fresh, "v1 99999999999999999", t_next, offset_next);
  g_assert_cmpint (cn_rate_limiter_delay (fresh, t_next), ==, 60 * G_USEC_PER_SEC);

  /* Junk is ignored whole and leaves the count as it was. */
  for (guint i = 0; i < G_N_ELEMENTS (junk); i++)
    {
      cn_rate_limiter_take_up (next, junk[i], t_next, offset_next);
      g_assert_cmpint (cn_rate_limiter_delay (next, t_next), ==, 30 * G_USEC_PER_SEC);
    }
  cn_rate_limiter_take_up (next, NULL, t_next, offset_next);
  g_assert_cmpint (cn_rate_limiter_delay (next, t_next), ==, 30 * G_USEC_PER_SEC);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sync/requests/backend-body", test_backend_body);
  g_test_add_func ("/sync/requests/ontraport-bodies", test_ontraport_bodies);
  g_test_add_func ("/sync/requests/conditions", test_conditions);
  g_test_add_func ("/sync/requests/classify-backend", test_classify_backend);
  g_test_add_func ("/sync/requests/classify-ontraport", test_classify_ontraport);
  g_test_add_func ("/sync/requests/rate-limiter", test_rate_limiter);
  g_test_add_func ("/sync/requests/rate-limiter-text", test_rate_limiter_text);

  return g_test_run ();
}
