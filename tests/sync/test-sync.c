/* test-sync.c: the sync worker against the fake backend and Ontraport
 *
 * Every test saves logs through the store (as the dialog does), runs a real
 * CnSyncWorker against the in-process fakes, and checks what the servers
 * ended up with: none lost, none twice, whatever the faults.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "cn-sync-requests.h"
#include "sync-test-util.h"

#define TOKEN       "tok-5ecret-backend-7731"
#define SECRET_APP_ID    "app-5ecret-4410"
#define API_KEY     "key-5ecret-ontraport-9902"


typedef struct {
  StoreTestDir  dir;
  CnDatabase   *db;
  FakeServer   *backend;
  FakeServer   *ontraport;
  TestMonitor  *monitor;
  CnSyncConfig *config;
  CnSyncWorker *worker;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  store_test_dir_init (&f->dir);
  f->db = cn_database_open (f->dir.path, &error);
  g_assert_no_error (error);

  f->backend = fake_server_new (FAKE_BACKEND);
  f->ontraport = fake_server_new (FAKE_ONTRAPORT);
  fake_server_set_token (f->backend, TOKEN);
  fake_server_set_api_keys (f->ontraport, SECRET_APP_ID, API_KEY);
  fake_server_set_stall_seconds (f->backend, 3);
  fake_server_set_stall_seconds (f->ontraport, 3);

  f->monitor = g_object_new (TEST_TYPE_MONITOR, NULL);

  f->config = sync_test_config_new (f->backend, f->ontraport, TOKEN, SECRET_APP_ID, API_KEY);

  cn_database_set_sync_targets (f->db, cn_sync_config_get_targets (f->config));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->worker != NULL)
    cn_sync_worker_stop (f->worker);
  g_clear_object (&f->worker);
  g_clear_pointer (&f->config, cn_sync_config_free);
  g_clear_object (&f->monitor);
  g_clear_pointer (&f->backend, fake_server_free);
  g_clear_pointer (&f->ontraport, fake_server_free);
  g_clear_object (&f->db);
  store_test_dir_clear (&f->dir);

  /* Nothing secret in anything logged while the test ran. */
  g_assert_false (sync_test_log_contains (0, TOKEN));
  g_assert_false (sync_test_log_contains (0, SECRET_APP_ID));
  g_assert_false (sync_test_log_contains (0, API_KEY));
}

static void
start_worker (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  f->worker = cn_sync_worker_new (f->db, f->config, G_NETWORK_MONITOR (f->monitor));
  g_assert_true (cn_sync_worker_start (f->worker, &error));
  g_assert_no_error (error);
}

static CnCallLog *
save_log (Fixture    *f,
          const char *phone,
          const char *contact_id,
          const char *name,
          gint64      follow_up)
{
  g_autoptr(GError) error = NULL;
  CnCallLog *log = store_test_make_log (phone, name, "Discussed renewal, \"quotes\" and ünïcode",
                                        CN_OUTCOME_CONNECTED, 0);

  cn_call_log_set_contact_id (log, contact_id);
  cn_call_log_set_duration (log, 65);
  cn_call_log_set_follow_up (log, follow_up);
  g_assert_true (cn_database_insert_call (f->db, log, NULL, 0, &error));
  g_assert_no_error (error);

  return log;
}

static gboolean
queue_empty (gpointer data)
{
  Fixture *f = data;

  return sync_test_count_open (f->db) == 0 && cn_sync_worker_is_idle (f->worker);
}

static JsonObject *
parse_object (const char  *text,
              JsonParser **parser)
{
  g_autoptr(GError) error = NULL;

  *parser = json_parser_new ();
  json_parser_load_from_data (*parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (*parser)));
  return json_node_get_object (json_parser_get_root (*parser));
}

static gboolean
two_need_contact (gpointer d)
{
  Fixture *f = d;

  return sync_test_count_state (f->db, CN_JOB_NEEDS_CONTACT) == 2 &&
         fake_server_count_records (f->backend) == 2;
}

static gboolean
backend_paused (gpointer d)
{
  Fixture *f = d;

  return (cn_sync_worker_get_paused (f->worker) & CN_SYNC_TARGET_BACKEND) != 0 &&
         cn_sync_worker_is_idle (f->worker);
}

static gboolean
one_needs_attention (gpointer d)
{
  Fixture *f = d;

  return sync_test_count_state (f->db, CN_JOB_NEEDS_ATTENTION) == 1;
}

static gboolean
three_waiting (gpointer d)
{
  Fixture *f = d;

  return sync_test_count_state (f->db, CN_JOB_WAITING) == 3;
}

static gboolean
two_in_flight (gpointer d)
{
  Fixture *f = d;

  return sync_test_count_state (f->db, CN_JOB_IN_FLIGHT) == 2 &&
         fake_server_count_requests (f->backend, "POST", "/api/calls") == 1;
}

static gboolean
two_notes (gpointer d)
{
  Fixture *f = d;

  return fake_server_count_records (f->ontraport) == 2;
}

static gboolean
two_notes_confirmed (gpointer d)
{
  Fixture *f = d;

  return fake_server_count_records (f->ontraport) == 2 && sync_test_count_open (f->db) == 2;
}

static gboolean
four_notes (gpointer d)
{
  Fixture *f = d;

  return fake_server_count_records (f->ontraport) == 4;
}

static gboolean
one_backend_record (gpointer d)
{
  Fixture *f = d;

  return fake_server_count_records (f->backend) == 1;
}

static gboolean
one_needs_contact_idle (gpointer d)
{
  Fixture *f = d;

  return sync_test_count_state (f->db, CN_JOB_NEEDS_CONTACT) == 1 &&
         cn_sync_worker_is_idle (f->worker);
}

/* The backend gets each log once, in the contract's shape, with its UUID as
 * the Idempotency-Key; the ids come back onto the logs. */
static void
test_backend_delivers (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(CnCallLog) plain = NULL;
  g_autoptr(CnCallLog) with_follow_up = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *record = NULL;
  g_autofree char *backend_id = NULL;
  JsonObject *body;
  guint posts = 0;

  f->config->ontraport_enabled = FALSE;
  cn_database_set_sync_targets (f->db, CN_SYNC_TARGET_BACKEND);
  plain = save_log (f, "+15551234567", "42", "Jane Doe", 0);
  with_follow_up = save_log (f, "+15557654321", NULL, NULL, 1795424400 /* 2026-11-23 09:00Z */);

  start_worker (f);
  g_assert_true (sync_test_wait_for (queue_empty, f, 10000));

  g_assert_cmpuint (fake_server_count_records (f->backend), ==, 2);
  g_assert_cmpuint (fake_server_count_duplicates (f->backend), ==, 0);

  record = fake_server_dup_record (f->backend, cn_call_log_get_uuid (with_follow_up));
  g_assert_nonnull (record);
  body = parse_object (record, &parser);
  g_assert_cmpstr (json_object_get_string_member (body, "client_id"), ==,
                   cn_call_log_get_uuid (with_follow_up));
  g_assert_cmpstr (json_object_get_string_member (body, "phone"), ==, "+15557654321");
  g_assert_cmpstr (json_object_get_string_member (body, "outcome"), ==, "connected");
  g_assert_cmpstr (json_object_get_string_member (body, "direction"), ==, "outbound");
  g_assert_cmpint (json_object_get_int_member (body, "duration_seconds"), ==, 65);
  g_assert_cmpstr (json_object_get_string_member (body, "follow_up_date"), ==,
                   "2026-11-23T09:00:00Z");
  g_assert_true (json_object_get_null_member (body, "contact_id"));
  g_assert_true (g_str_has_suffix (json_object_get_string_member (body, "created_at"), "Z"));

  requests = fake_server_get_requests (f->backend);
  for (guint i = 0; i < requests->len; i++)
    {
      FakeRequest *request = g_ptr_array_index (requests, i);

      if (g_strcmp0 (request->method, "POST") != 0)
        continue;
      posts++;
      g_assert_cmpstr (g_hash_table_lookup (request->headers, "authorization"), ==,
                       "Bearer " TOKEN);
      g_assert_true (g_str_has_prefix (g_hash_table_lookup (request->headers, "content-type"),
                                       "application/json"));
      g_assert_true (strstr (request->body,
                             g_hash_table_lookup (request->headers, "idempotency-key")) != NULL);
    }
  g_assert_cmpuint (posts, ==, 2);

  g_assert_true (cn_database_get_remote_ids (f->db, cn_call_log_get_uuid (plain), &backend_id,
                                             NULL, NULL, NULL));
  g_assert_nonnull (backend_id);

  /* Every attempt is in the log's events. */
  events = cn_database_list_events (f->db, cn_call_log_get_uuid (plain), NULL);
  g_assert_cmpstr (((CnCallEvent *) g_ptr_array_index (events, events->len - 1))->kind, ==,
                   "sync");
  g_assert_nonnull (strstr (((CnCallEvent *) g_ptr_array_index (events, events->len - 1))->detail,
                            "\"result\":\"done\""));
}

/* An edit before the first send goes in the POST; one after is a PUT with
 * "<uuid>:<revision>". */
static void
test_edits (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(CnCallLog) early = NULL;
  g_autoptr(CnCallLog) late = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonParser) parser2 = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autofree char *record = NULL;
  g_autofree char *late_record = NULL;
  g_autofree char *expected_key = NULL;
  gboolean saw_put = FALSE;

  f->config->ontraport_enabled = FALSE;
  cn_database_set_sync_targets (f->db, CN_SYNC_TARGET_BACKEND);

  early = save_log (f, "+15551112222", "7", "Early Bird", 0);
  cn_call_log_set_notes (early, "edited before sync");
  g_assert_true (cn_database_update_call (f->db, early, NULL));

  start_worker (f);
  g_assert_true (sync_test_wait_for (queue_empty, f, 10000));
  g_assert_cmpuint (fake_server_count_requests (f->backend, "POST", "/api/calls"), ==, 1);
  record = fake_server_dup_record (f->backend, cn_call_log_get_uuid (early));
  g_assert_cmpstr (json_object_get_string_member (parse_object (record, &parser), "notes"), ==,
                   "edited before sync");

  late = save_log (f, "+15553334444", "8", "Late Owl", 0);
  cn_sync_worker_kick (f->worker);
  g_assert_true (sync_test_wait_for (queue_empty, f, 10000));
  cn_call_log_set_notes (late, "edited after sync");
  g_assert_true (cn_database_update_call (f->db, late, NULL));
  g_assert_cmpint (cn_call_log_get_revision (late), ==, 2);
  cn_sync_worker_kick (f->worker);
  g_assert_true (sync_test_wait_for (queue_empty, f, 10000));

  expected_key = g_strdup_printf ("%s:2", cn_call_log_get_uuid (late));
  requests = fake_server_get_requests (f->backend);
  for (guint i = 0; i < requests->len; i++)
    {
      FakeRequest *request = g_ptr_array_index (requests, i);

      if (g_strcmp0 (request->method, "PUT") == 0)
        {
          g_assert_false (saw_put);
          saw_put = TRUE;
          g_assert_cmpstr (g_hash_table_lookup (request->headers, "idempotency-key"), ==,
                           expected_key);
        }
    }
  g_assert_true (saw_put);
  late_record = fake_server_dup_record (f->backend, cn_call_log_get_uuid (late));
  g_assert_cmpstr (json_object_get_string_member (parse_object (late_record, &parser2), "notes"),
                   ==, "edited after sync");
  g_assert_cmpuint (fake_server_count_records (f->backend), ==, 2);
}

/* Ontraport: the contact is found by the number's last ten digits and
 * cached; a note with the Ref line and a task due at the follow-up time. */
static void
test_ontraport_note_and_task (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(CnCallLog) first = NULL;
  g_autoptr(CnCallLog) second = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonParser) tasks_parser = NULL;
  g_autofree char *note = NULL;
  g_autofree char *tasks = NULL;
  g_autofree char *cached = NULL;
  g_autoptr(CnCallLog) reread = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *task_list;
  JsonObject *task;
  gint64 follow_up = 1795424400;
  guint lookups;

  f->config->backend_enabled = FALSE;
  cn_database_set_sync_targets (f->db, CN_SYNC_TARGETS_ONTRAPORT);
  fake_server_add_contact (f->ontraport, 42, "Jane", "Doe", "(555) 123-4567");
  fake_server_add_contact (f->ontraport, 43, "John", "Other", "+1 555 999 0000");

  first = save_log (f, "+15551234567", NULL, "Jane Doe", follow_up);
  start_worker (f);
  g_assert_true (sync_test_wait_for (queue_empty, f, 10000));

  g_assert_cmpuint (fake_server_count_records (f->ontraport), ==, 1);
  g_assert_cmpuint (fake_server_count_tasks (f->ontraport), ==, 1);
  note = fake_server_dup_record (f->ontraport, cn_call_log_get_uuid (first));
  g_assert_nonnull (note);
  g_assert_nonnull (strstr (note, "Call Logged — Connected"));
  g_assert_nonnull (strstr (note, "Ref: "));
  g_assert_nonnull (strstr (note, cn_call_log_get_uuid (first)));

  tasks = fake_server_dup_tasks (f->ontraport, 42);
  json_parser_load_from_data (tasks_parser = json_parser_new (), tasks, -1, &error);
  g_assert_no_error (error);
  task_list = json_node_get_array (json_parser_get_root (tasks_parser));
  g_assert_cmpuint (json_array_get_length (task_list), ==, 1);
  task = json_array_get_object_element (task_list, 0);
  g_assert_cmpint (json_object_get_int_member (task, "due_date"), ==, follow_up);
  g_assert_cmpstr (json_object_get_string_member (task, "subject"), ==,
                   "Follow up: Call with Jane Doe");

  /* The match is kept: on the log and for the number. */
  reread = cn_database_get_call (f->db, cn_call_log_get_uuid (first), NULL);
  g_assert_cmpstr (cn_call_log_get_contact_id (reread), ==, "42");
  cached = cn_database_lookup_contact (f->db, "555-123-4567", NULL, NULL);
  g_assert_cmpstr (cached, ==, "42");

  /* A second call to the number needs no search. */
  lookups = fake_server_count_requests (f->ontraport, "GET", "/1/objects");
  second = save_log (f, "+15551234567", NULL, "Jane Doe", 0);
  cn_sync_worker_kick (f->worker);
  g_assert_true (sync_test_wait_for (queue_empty, f, 10000));
  g_assert_cmpuint (fake_server_count_requests (f->ontraport, "GET", "/1/objects"), ==, lookups);
  g_assert_cmpuint (fake_server_count_records (f->ontraport), ==, 2);
  (void) parser;
}

/* No match, or several: the Ontraport jobs wait for a contact; the backend
 * job does not. Assigning one sends them. */
static void
test_needs_contact (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CnCallLog) nobody = NULL;
  g_autoptr(CnCallLog) ambiguous = NULL;
  g_autoptr(GPtrArray) jobs = NULL;

  fake_server_add_contact (f->ontraport, 50, "Ann", "One", "+15550001111");
  fake_server_add_contact_full (f->ontraport, 51, "Ann", "Two", NULL, "5550001111");

  nobody = save_log (f, "+15559990000", NULL, NULL, 0);
  ambiguous = save_log (f, "+15550001111", NULL, NULL, 0);
  start_worker (f);

  g_assert_true (sync_test_wait_for (two_need_contact, f, 10000));

  jobs = cn_database_list_jobs_for_call (f->db, cn_call_log_get_uuid (ambiguous), NULL);
  for (guint i = 0; i < jobs->len; i++)
    {
      CnSyncJob *job = g_ptr_array_index (jobs, i);

      if (job->target == CN_SYNC_TARGET_ONTRAPORT_NOTE)
        {
          g_assert_cmpint (job->state, ==, CN_JOB_NEEDS_CONTACT);
          g_assert_nonnull (strstr (job->last_error, "2 Ontraport contacts"));
        }
      else
        {
          g_assert_cmpint (job->state, ==, CN_JOB_DONE);
        }
    }
  g_assert_cmpuint (fake_server_count_records (f->ontraport), ==, 0);

  g_assert_true (cn_database_assign_contact (f->db, cn_call_log_get_uuid (ambiguous), "51",
                                             "Ann Two", NULL));
  g_assert_true (cn_database_assign_contact (f->db, cn_call_log_get_uuid (nobody), "50", NULL,
                                             NULL));
  cn_sync_worker_kick (f->worker);
  g_assert_true (sync_test_wait_for (queue_empty, f, 10000));
  g_assert_cmpuint (fake_server_count_records (f->ontraport), ==, 2);
  /* The assignment is an edit: the backend hears of it with a PUT. */
  g_assert_cmpuint (fake_server_count_requests (f->backend, "PUT", "/api/calls/"), ==, 2);
}

/* 401 stops the target (no request is burned on its other jobs) until the
 * credentials change. */
static void
test_unauthorized_pauses (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(CnSyncConfig) fixed = NULL;
  guint requests_at_pause;

  f->config->ontraport_enabled = FALSE;
  cn_database_set_sync_targets (f->db, CN_SYNC_TARGET_BACKEND);
  fake_server_set_token (f->backend, "the-new-token-1234");
  for (guint i = 0; i < 10; i++)
    g_object_unref (save_log (f, "+15551230000", NULL, NULL, 0));

  f->config->concurrency = 1;
  start_worker (f);
  g_assert_true (sync_test_wait_for (backend_paused, f, 10000));

  requests_at_pause = fake_server_count_requests (f->backend, NULL, "/");
  g_assert_cmpuint (requests_at_pause, ==, 1);
  g_assert_nonnull (cn_sync_worker_get_pause_reason (f->worker, CN_SYNC_TARGET_BACKEND));
  sync_test_spin (1500);
  g_assert_cmpuint (fake_server_count_requests (f->backend, NULL, "/"), ==, requests_at_pause);
  g_assert_cmpuint (sync_test_count_state (f->db, CN_JOB_NEEDS_ATTENTION), ==, 1);
  g_assert_cmpuint (sync_test_count_state (f->db, CN_JOB_PENDING), ==, 9);

  fixed = cn_sync_config_copy (f->config);
  g_free (fixed->backend_token);
  fixed->backend_token = g_strdup ("the-new-token-1234");
  cn_sync_worker_set_config (f->worker, fixed);
  g_assert_true (sync_test_wait_for (queue_empty, f, 10000));
  g_assert_cmpuint (fake_server_count_records (f->backend), ==, 10);
  g_assert_cmpuint (cn_sync_worker_get_paused (f->worker), ==, 0);
}

/* A 400 keeps the server's message; the job needs attention, others go on. */
static void
test_bad_request_needs_attention (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GPtrArray) jobs = NULL;
  CnSyncJob *job;

  f->config->ontraport_enabled = FALSE;
  cn_database_set_sync_targets (f->db, CN_SYNC_TARGET_BACKEND);
  fake_server_queue_fault (f->backend, FAKE_400);
  g_object_unref (save_log (f, "+15551230001", NULL, NULL, 0));
  f->config->concurrency = 1;
  start_worker (f);
  g_assert_true (sync_test_wait_for (one_needs_attention, f, 10000));

  jobs = cn_database_list_jobs (f->db, NULL);
  job = g_ptr_array_index (jobs, 0);
  g_assert_cmpint (job->last_status, ==, 400);
  g_assert_nonnull (strstr (job->last_error, "phone is not a valid number"));

  /* The agent retries; the server takes it now. */
  g_assert_cmpint (cn_database_retry_jobs (f->db, NULL, NULL), ==, 1);
  cn_sync_worker_kick (f->worker);
  g_assert_true (sync_test_wait_for (queue_empty, f, 10000));
  g_assert_cmpuint (fake_server_count_records (f->backend), ==, 1);
}

/* While the network is gone nothing is tried (no attempt is burned); when
 * it comes back, everything goes within a second. */
static void
test_network_back (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) jobs = NULL;
  gint64 back_at;

  test_monitor_set_available (f->monitor, FALSE);
  fake_server_add_contact (f->ontraport, 42, "Jane", "Doe", "+15551234567");
  for (guint i = 0; i < 5; i++)
    g_object_unref (save_log (f, "+15551234567", "42", "Jane Doe", 0));

  start_worker (f);
  sync_test_spin (1500);
  g_assert_cmpuint (fake_server_count_requests (f->backend, NULL, "/"), ==, 0);
  g_assert_cmpuint (fake_server_count_requests (f->ontraport, NULL, "/"), ==, 0);
  jobs = cn_database_list_jobs (f->db, NULL);
  g_assert_cmpuint (jobs->len, ==, 10);
  for (guint i = 0; i < jobs->len; i++)
    g_assert_cmpuint (((CnSyncJob *) g_ptr_array_index (jobs, i))->attempts, ==, 0);

  back_at = g_get_monotonic_time ();
  test_monitor_set_available (f->monitor, TRUE);
  g_assert_true (sync_test_wait_for (queue_empty, f, 1000));
  g_test_message ("drained %.0f ms after the network came back",
                  (g_get_monotonic_time () - back_at) / 1000.0);
  g_assert_cmpuint (fake_server_count_records (f->backend), ==, 5);
  g_assert_cmpuint (fake_server_count_records (f->ontraport), ==, 5);
}

/* The server down (connections refused) and back: jobs that failed for want
 * of a connection go again as soon as the network is reported back. */
static void
test_refused_then_back (Fixture       *f,
                        gconstpointer  data)
{
  f->config->ontraport_enabled = FALSE;
  f->config->backoff_base_ms = 60000;   /* a retry would come far too late on its own */
  f->config->backoff_cap_ms = 60000;
  cn_database_set_sync_targets (f->db, CN_SYNC_TARGET_BACKEND);
  fake_server_set_refusing (f->backend, TRUE);
  for (guint i = 0; i < 3; i++)
    g_object_unref (save_log (f, "+15551234567", NULL, NULL, 0));

  start_worker (f);
  g_assert_true (sync_test_wait_for (three_waiting, f, 5000));

  fake_server_set_refusing (f->backend, FALSE);
  test_monitor_set_available (f->monitor, FALSE);
  test_monitor_set_available (f->monitor, TRUE);
  g_assert_true (sync_test_wait_for (queue_empty, f, 1000));
  g_assert_cmpuint (fake_server_count_records (f->backend), ==, 3);
}

/* A POST whose answer was lost: Ontraport is asked first and the note it
 * made is adopted, not posted twice. */
static void
test_lost_answer_adopted (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(CnCallLog) log = NULL;
  g_autofree char *note_id = NULL;

  f->config->backend_enabled = FALSE;
  f->config->concurrency = 1;
  cn_database_set_sync_targets (f->db, CN_SYNC_TARGET_ONTRAPORT_NOTE);
  fake_server_queue_fault (f->ontraport, FAKE_RESET_AFTER);
  log = save_log (f, "+15551234567", "42", "Jane Doe", 0);

  start_worker (f);
  g_assert_true (sync_test_wait_for (queue_empty, f, 10000));
  g_assert_cmpuint (fake_server_count_records (f->ontraport), ==, 1);
  g_assert_cmpuint (fake_server_count_duplicates (f->ontraport), ==, 0);
  g_assert_cmpuint (fake_server_count_requests (f->ontraport, "POST", "/1/objects"), ==, 1);
  g_assert_cmpuint (fake_server_count_requests (f->ontraport, "GET", "/1/objects"), ==, 1);
  g_assert_true (cn_database_get_remote_ids (f->db, cn_call_log_get_uuid (log), NULL, &note_id,
                                             NULL, NULL));
  g_assert_nonnull (note_id);
}

/* A redirect to another host is not followed: the credentials never leave
 * for it, and the job is sent again later to the right host. */
static void
test_redirect_not_followed (Fixture       *f,
                            gconstpointer  data)
{
  cn_database_set_sync_targets (f->db, CN_SYNC_TARGETS_ALL);
  fake_server_queue_fault (f->backend, FAKE_REDIRECT);
  fake_server_queue_fault (f->ontraport, FAKE_REDIRECT);
  g_object_unref (save_log (f, "+15551234567", "42", "Jane Doe", 0));

  f->config->concurrency = 1;
  start_worker (f);
  g_assert_true (sync_test_wait_for (queue_empty, f, 10000));
  g_assert_cmpuint (fake_server_count_redirect_hits (f->backend), ==, 0);
  g_assert_cmpuint (fake_server_count_redirect_hits (f->ontraport), ==, 0);
  g_assert_false (fake_server_redirect_saw_credentials (f->backend));
  g_assert_cmpuint (fake_server_count_records (f->backend), ==, 1);
  g_assert_cmpuint (fake_server_count_records (f->ontraport), ==, 1);
}

/* 200 logs while the servers misbehave at random: exactly 200 backend
 * records, 200 notes and one task per follow-up. (It caught libsoup
 * repeating a keyed POST on a new connection with an empty body.) */
static void
test_random_faults (Fixture       *f,
                    gconstpointer  data)
{
  guint mask = (1 << FAKE_500) | (1 << FAKE_503) | (1 << FAKE_429) | (1 << FAKE_RESET_BEFORE) |
               (1 << FAKE_RESET_AFTER) | (1 << FAKE_STALL) | (1 << FAKE_MALFORMED_JSON) |
               (1 << FAKE_HTML) | (1 << FAKE_HUGE_BODY) | (1 << FAKE_REDIRECT);
  g_autoptr(GPtrArray) uuids = g_ptr_array_new_with_free_func (g_free);
  guint32 seed = g_test_rand_int ();
  guint follow_ups = 0;
  gint64 started = g_get_monotonic_time ();

  g_test_message ("fault seed %u", seed);
  fake_server_set_random_faults (f->backend, 0.25, mask, seed);
  fake_server_set_random_faults (f->ontraport, 0.25, mask, seed + 1);
  fake_server_set_stall_seconds (f->backend, 2);
  fake_server_set_stall_seconds (f->ontraport, 2);
  fake_server_set_rate_limit (f->ontraport, 100000);
  f->config->ontraport_per_minute = 100000;

  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *phone = g_strdup_printf ("+1555%07u", 1000000 + i);

      fake_server_add_contact (f->ontraport, 1000 + i, "Contact", "Number", phone);
    }

  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *phone = g_strdup_printf ("+1555%07u", 1000000 + i % 40);
      g_autofree char *contact = i % 2 == 0 ? g_strdup_printf ("%u", 1000 + i % 40) : NULL;
      gint64 follow_up = i % 3 == 0 ? 1795424400 + i * 60 : 0;
      g_autoptr(CnCallLog) log = save_log (f, phone, contact, NULL, follow_up);

      follow_ups += follow_up != 0;
      g_ptr_array_add (uuids, g_strdup (cn_call_log_get_uuid (log)));
    }

  start_worker (f);
  if (!sync_test_wait_for (queue_empty, f, 120000))
    {
      g_autoptr(GPtrArray) left = cn_database_list_jobs (f->db, NULL);

      for (guint i = 0; i < left->len; i++)
        {
          CnSyncJob *job = g_ptr_array_index (left, i);

          g_test_message ("left: job %" G_GINT64_FORMAT " %s %s attempts %u next %" G_GINT64_FORMAT
                          " unknown %d: %s", job->id, cn_sync_target_to_string (job->target),
                          cn_job_state_to_string (job->state), job->attempts,
                          job->next_attempt_at, job->outcome_unknown, job->last_error);
        }
      g_test_message ("worker idle: %d", cn_sync_worker_is_idle (f->worker));
      g_assert_not_reached ();
    }
  g_test_message ("drained in %.1f s", (g_get_monotonic_time () - started) / 1e6);

  g_assert_cmpuint (fake_server_count_records (f->backend), ==, 200);
  g_assert_cmpuint (fake_server_count_duplicates (f->backend), ==, 0);
  g_assert_cmpuint (fake_server_count_records (f->ontraport), ==, 200);
  g_assert_cmpuint (fake_server_count_tasks (f->ontraport), ==, follow_ups);
  g_assert_cmpuint (fake_server_count_duplicates (f->ontraport), ==, 0);
  g_assert_cmpuint (fake_server_count_redirect_hits (f->backend) +
                    fake_server_count_redirect_hits (f->ontraport), ==, 0);

  for (guint i = 0; i < uuids->len; i++)
    {
      g_autofree char *backend_id = NULL;
      g_autofree char *note_id = NULL;

      g_assert_true (cn_database_get_remote_ids (f->db, g_ptr_array_index (uuids, i),
                                                 &backend_id, &note_id, NULL, NULL));
      g_assert_nonnull (backend_id);
      g_assert_nonnull (note_id);
    }
}

/* At start-up, jobs left in flight by a dead worker go back to pending and
 * are sent; the servers see repeats, not duplicates. */
static void
test_in_flight_reset (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) claimed = NULL;

  g_object_unref (save_log (f, "+15551234567", "42", NULL, 0));
  claimed = cn_database_claim_jobs (f->db, CN_SYNC_TARGETS_ALL, G_MAXINT64 / 2, 10,
                                    NULL);
  g_assert_cmpuint (claimed->len, ==, 2);
  g_assert_cmpuint (sync_test_count_state (f->db, CN_JOB_IN_FLIGHT), ==, 2);

  start_worker (f);
  g_assert_true (sync_test_wait_for (queue_empty, f, 10000));
  g_assert_cmpuint (fake_server_count_records (f->backend), ==, 1);
  g_assert_cmpuint (fake_server_count_records (f->ontraport), ==, 1);
  /* The note's send might have happened: Ontraport was asked first. */
  g_assert_cmpuint (fake_server_count_requests (f->ontraport, "GET", "/1/objects"), ==, 1);
}

/* A job claimed but not yet started is not sent once the agent cancels it. */
static void
test_cancel_after_claim (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(CnCallLog) first = NULL;
  g_autoptr(CnCallLog) canceled = NULL;
  g_autofree char *backend_id = NULL;

  f->config->ontraport_enabled = FALSE;
  f->config->concurrency = 1;
  cn_database_set_sync_targets (f->db, CN_SYNC_TARGET_BACKEND);
  fake_server_queue_fault (f->backend, FAKE_STALL);
  first = save_log (f, "+15551230001", NULL, NULL, 0);
  canceled = save_log (f, "+15551230002", NULL, NULL, 0);

  start_worker (f);
  /* Both are claimed; the first request hangs. */
  g_assert_true (sync_test_wait_for (two_in_flight, f, 5000));
  g_assert_true (cn_database_cancel_jobs (f->db, cn_call_log_get_uuid (canceled), NULL));
  g_assert_true (sync_test_wait_for (queue_empty, f, 15000));

  g_assert_null (fake_server_dup_record (f->backend, cn_call_log_get_uuid (canceled)));
  g_assert_true (cn_database_get_remote_ids (f->db, cn_call_log_get_uuid (canceled), &backend_id,
                                             NULL, NULL, NULL));
  g_assert_null (backend_id);
  g_assert_cmpint (cn_database_get_sync_state (f->db, cn_call_log_get_uuid (canceled), NULL, NULL),
                   ==, -1);
  g_assert_cmpuint (fake_server_count_records (f->backend), ==, 1);
}

/* Ontraport held back by its rate limit does not hold the backend back. */
static void
test_limiter_spares_backend (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(CnCallLog) later = NULL;

  f->config->ontraport_per_minute = 2;
  cn_database_set_sync_targets (f->db, CN_SYNC_TARGET_ONTRAPORT_NOTE);
  for (guint i = 0; i < 10; i++)
    g_object_unref (save_log (f, "+15551234567", "42", NULL, 0));

  start_worker (f);
  g_assert_true (sync_test_wait_for (two_notes, f, 5000));

  cn_database_set_sync_targets (f->db, CN_SYNC_TARGET_BACKEND);
  later = save_log (f, "+15559876543", NULL, NULL, 0);
  cn_sync_worker_kick (f->worker);
  g_assert_true (sync_test_wait_for (one_backend_record, f, 5000));
  g_assert_cmpuint (fake_server_count_records (f->ontraport), ==, 2);
}

static guint
count_ontraport_requests (Fixture *f)
{
  g_autoptr(GPtrArray) requests = fake_server_get_requests (f->ontraport);

  return requests->len;
}

/* A worker that stops and a new one (a restart, or `callnotes sync` after
 * the app) go on counting Ontraport's requests of the last minute: no new
 * burst. */
static void
test_limiter_survives_restart (Fixture       *f,
                               gconstpointer  data)
{
  guint requests;

  f->config->ontraport_per_minute = 2;
  cn_database_set_sync_targets (f->db, CN_SYNC_TARGET_ONTRAPORT_NOTE);
  for (guint i = 0; i < 4; i++)
    g_object_unref (save_log (f, "+15551234567", "42", NULL, 0));

  start_worker (f);
  g_assert_true (sync_test_wait_for (two_notes_confirmed, f, 5000));
  cn_sync_worker_stop (f->worker);
  g_clear_object (&f->worker);
  requests = count_ontraport_requests (f);

  start_worker (f);
  cn_sync_worker_kick (f->worker);
  /* Long enough for the two others to go, were the count lost. */
  g_assert_false (sync_test_wait_for (four_notes, f, 1500));
  g_assert_cmpuint (fake_server_count_records (f->ontraport), ==, 2);
  g_assert_cmpuint (count_ontraport_requests (f), ==, requests);
  /* Not lost: they wait for the window. */
  g_assert_cmpuint (sync_test_count_open (f->db), ==, 2);
}

/* Claims go urgent follow-ups first (soonest first), then oldest first. */
static void
test_claim_order (Fixture       *f,
                  gconstpointer  data)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(GPtrArray) logs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) claimed = NULL;
  const guint expected[] = { 4, 3, 0, 1, 2, 5 };

  cn_database_set_sync_targets (f->db, CN_SYNC_TARGET_BACKEND);
  g_ptr_array_add (logs, save_log (f, "+15550000000", NULL, NULL, 0));
  g_ptr_array_add (logs, save_log (f, "+15550000001", NULL, NULL, now + 3 * 86400));
  g_ptr_array_add (logs, save_log (f, "+15550000002", NULL, NULL, 0));
  g_ptr_array_add (logs, save_log (f, "+15550000003", NULL, NULL, now + 7200));
  g_ptr_array_add (logs, save_log (f, "+15550000004", NULL, NULL, now + 3600));
  g_ptr_array_add (logs, save_log (f, "+15550000005", NULL, NULL, 0));

  claimed = cn_database_claim_jobs (f->db, CN_SYNC_TARGETS_ALL, now, 10, NULL);
  g_assert_cmpuint (claimed->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < claimed->len; i++)
    g_assert_cmpstr (((CnSyncJob *) g_ptr_array_index (claimed, i))->call_uuid, ==,
                     cn_call_log_get_uuid (g_ptr_array_index (logs, expected[i])));
}

/* A log the server refused (400) is mended by an edit and a Retry: the new
 * body goes, not the refused one. */
static void
test_edit_mends_refused (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(CnCallLog) log = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *record = NULL;

  f->config->ontraport_enabled = FALSE;
  cn_database_set_sync_targets (f->db, CN_SYNC_TARGET_BACKEND);
  fake_server_queue_fault (f->backend, FAKE_400);
  log = save_log (f, "+15551230001", NULL, NULL, 0);
  start_worker (f);
  g_assert_true (sync_test_wait_for (one_needs_attention, f, 10000));

  cn_call_log_set_notes (log, "mended");
  g_assert_true (cn_database_update_call (f->db, log, NULL));
  g_assert_cmpint (cn_database_retry_jobs (f->db, cn_call_log_get_uuid (log), NULL), ==, 1);
  cn_sync_worker_kick (f->worker);
  g_assert_true (sync_test_wait_for (queue_empty, f, 10000));

  record = fake_server_dup_record (f->backend, cn_call_log_get_uuid (log));
  g_assert_cmpstr (json_object_get_string_member (parse_object (record, &parser), "notes"), ==,
                   "mended");
  g_assert_cmpuint (fake_server_count_requests (f->backend, "PUT", "/api/calls/"), ==, 0);
}

/* Taking a follow-up back before its task was sent takes the task along;
 * setting a contact by an edit frees jobs that waited for one; a canceled
 * target stays canceled through an edit. */
static void
test_edits_and_jobs (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CnCallLog) task_log = NULL;
  g_autoptr(CnCallLog) contactless = NULL;
  g_autoptr(CnCallLog) canceled = NULL;
  g_autoptr(GPtrArray) jobs = NULL;

  cn_database_set_sync_targets (f->db, CN_SYNC_TARGETS_ALL);
  task_log = save_log (f, "+15551230001", "42", "Jane", 1795424400);
  cn_call_log_set_follow_up (task_log, 0);
  g_assert_true (cn_database_update_call (f->db, task_log, NULL));

  fake_server_add_contact (f->ontraport, 77, "Only", "Match", "+15557770000");
  contactless = save_log (f, "+15559990000", NULL, NULL, 0);
  canceled = save_log (f, "+15551230003", "42", NULL, 0);
  g_assert_true (cn_database_cancel_jobs (f->db, cn_call_log_get_uuid (canceled), NULL));
  cn_call_log_set_notes (canceled, "edited after cancel");
  g_assert_true (cn_database_update_call (f->db, canceled, NULL));

  start_worker (f);
  g_assert_true (sync_test_wait_for (one_needs_contact_idle, f, 10000));
  cn_call_log_set_contact_id (contactless, "77");
  g_assert_true (cn_database_update_call (f->db, contactless, NULL));
  cn_sync_worker_kick (f->worker);
  g_assert_true (sync_test_wait_for (queue_empty, f, 10000));

  /* No task (the follow-up went before it was sent), one note each. */
  g_assert_cmpuint (fake_server_count_tasks (f->ontraport), ==, 0);
  g_assert_cmpuint (fake_server_count_records (f->ontraport), ==, 2);
  g_assert_cmpuint (fake_server_count_records (f->backend), ==, 2);
  g_assert_null (fake_server_dup_record (f->backend, cn_call_log_get_uuid (canceled)));
  jobs = cn_database_list_jobs (f->db, NULL);
  g_assert_cmpuint (jobs->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  /* Debug messages too: a secret must not hide in any of them. */
  sync_test_capture_logs ();
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/sync/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("backend-delivers", test_backend_delivers);
  ADD ("edits", test_edits);
  ADD ("ontraport-note-and-task", test_ontraport_note_and_task);
  ADD ("needs-contact", test_needs_contact);
  ADD ("unauthorized-pauses", test_unauthorized_pauses);
  ADD ("bad-request-needs-attention", test_bad_request_needs_attention);
  ADD ("network-back", test_network_back);
  ADD ("refused-then-back", test_refused_then_back);
  ADD ("lost-answer-adopted", test_lost_answer_adopted);
  ADD ("redirect-not-followed", test_redirect_not_followed);
  ADD ("in-flight-reset", test_in_flight_reset);
  ADD ("cancel-after-claim", test_cancel_after_claim);
  ADD ("limiter-spares-backend", test_limiter_spares_backend);
  ADD ("limiter-survives-restart", test_limiter_survives_restart);
  ADD ("claim-order", test_claim_order);
  ADD ("edit-mends-refused", test_edit_mends_refused);
  ADD ("edits-and-jobs", test_edits_and_jobs);
  ADD ("random-faults-200", test_random_faults);

  return g_test_run ();
}
