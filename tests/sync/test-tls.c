/* test-tls.c: TLS errors are never ignored
 *
 * The fakes speak HTTPS with the test certificates of tests/data/tls (test
 * fixtures, signed by a test CA no system trusts). With the default trust
 * the sync worker must not deliver anything to them, keep every job and try
 * again later, and say in words that the certificate is the problem; "Test
 * connection" must fail with the same reason. The positive controls trust
 * the test CA for this process only (g_tls_backend_set_default_database (),
 * nothing in Callnotes changes): then the same servers take everything, and
 * an expired certificate or one for another host is still refused, each
 * with its own reason.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cn-backend-history.h"
#include "cn-outbound-calls.h"
#include "cn-sync-probe.h"
#include "sync-test-util.h"

#define TOKEN          "tok-5ecret-tls-5520"
#define SECRET_APP_ID  "app-5ecret-tls-6631"
#define API_KEY        "key-5ecret-tls-7742"
#define CONTACT_ID     "42"
#define PHONE          "+15551234567"


typedef struct {
  FakeTls      tls;        /* the fakes' certificate */
  gboolean     trust_ca;   /* the test CA is trusted (positive control) */
  const char  *words;      /* what the reason must say (lower case) */
} TlsCase;

typedef struct {
  StoreTestDir   dir;
  CnDatabase    *db;
  FakeServer    *backend;
  FakeServer    *ontraport;
  TestMonitor   *monitor;
  CnSyncConfig  *config;
  CnSyncWorker  *worker;
  gsize          log_start;   /* where this test's part of the log begins */
} Fixture;

/* The test CA trusted (or not) by every TLS connection made from now on
 * in this process: a SoupSession made later takes the backend's default
 * database. Callnotes itself is not told anything. */
static void
trust_test_ca (gboolean trust)
{
  GTlsBackend *backend = g_tls_backend_get_default ();
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) error = NULL;

  if (trust)
    {
      database = g_tls_file_database_new (fake_server_tls_ca_file (), &error);
      g_assert_no_error (error);
    }
  g_tls_backend_set_default_database (backend, database);
}

static void
assert_no_secret (const char *text)
{
  g_assert_nonnull (text);
  g_assert_null (strstr (text, TOKEN));
  g_assert_null (strstr (text, SECRET_APP_ID));
  g_assert_null (strstr (text, API_KEY));
}

/* @text names the certificate problem in plain words: @words, and not
 * (only) the TLS library's terse "Unacceptable TLS certificate". */
static void
assert_tls_reason (const char *text,
                   const char *words)
{
  g_autofree char *lower = NULL;

  g_assert_nonnull (text);
  g_test_message ("reason: %s", text);
  lower = g_utf8_strdown (text, -1);
  g_assert_nonnull (strstr (lower, "certificate"));
  g_assert_nonnull (strstr (lower, words));
  g_assert_null (strstr (lower, "unacceptable tls certificate"));
  assert_no_secret (text);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  const TlsCase *tls_case = data;
  g_autoptr(GError) error = NULL;

  trust_test_ca (tls_case->trust_ca);
  f->log_start = sync_test_log_length ();

  store_test_dir_init (&f->dir);
  f->db = cn_database_open (f->dir.path, &error);
  g_assert_no_error (error);

  f->backend = fake_server_new_https (FAKE_BACKEND, tls_case->tls);
  f->ontraport = fake_server_new_https (FAKE_ONTRAPORT, tls_case->tls);
  g_assert_true (g_str_has_prefix (fake_server_get_base_url (f->backend), "https://"));
  g_assert_true (g_str_has_prefix (fake_server_get_base_url (f->ontraport), "https://"));
  fake_server_set_token (f->backend, TOKEN);
  fake_server_set_api_keys (f->ontraport, SECRET_APP_ID, API_KEY);
  fake_server_add_contact (f->ontraport, 42, "Jane", "Doe", PHONE);

  f->monitor = g_object_new (TEST_TYPE_MONITOR, NULL);

  f->config = sync_test_config_new (f->backend, f->ontraport, TOKEN, SECRET_APP_ID, API_KEY);
  f->config->timeout_seconds = 2;     /* a TLS handshake on a busy machine */

  cn_database_set_sync_targets (f->db, cn_sync_config_get_targets (f->config));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->worker != NULL)
    cn_sync_worker_stop (f->worker);
  g_clear_object (&f->worker);
  sync_test_spin (50);
  g_clear_pointer (&f->config, cn_sync_config_free);
  g_clear_object (&f->monitor);
  g_clear_pointer (&f->backend, fake_server_free);
  g_clear_pointer (&f->ontraport, fake_server_free);
  g_clear_object (&f->db);
  store_test_dir_clear (&f->dir);
  trust_test_ca (FALSE);

  /* Nothing secret in anything logged while the test ran (debug too). */
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
save_log (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  CnCallLog *log = store_test_make_log (PHONE, "Jane Doe", "Talked about the renewal",
                                        CN_OUTCOME_CONNECTED, 0);

  cn_call_log_set_contact_id (log, CONTACT_ID);
  g_assert_true (cn_database_insert_call (f->db, log, NULL, 0, &error));
  g_assert_no_error (error);

  return log;
}

/* Every job was tried at least twice (so it was put back and tried again
 * after its backoff) and none is being tried now; or something reached a
 * server (the checks after it then fail at once). */
static gboolean
all_retried (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GPtrArray) jobs = NULL;

  if (fake_server_count_requests (f->backend, NULL, "/") > 0
      || fake_server_count_requests (f->ontraport, NULL, "/") > 0)
    return TRUE;

  jobs = cn_database_list_jobs (f->db, NULL);
  if (jobs == NULL || jobs->len == 0)
    return FALSE;

  for (guint i = 0; i < jobs->len; i++)
    {
      CnSyncJob *job = g_ptr_array_index (jobs, i);

      if (job->attempts < 2 || job->state != CN_JOB_WAITING)
        return FALSE;
    }

  return TRUE;
}

static gboolean
queue_empty (gpointer data)
{
  Fixture *f = data;

  return sync_test_count_open (f->db) == 0 && cn_sync_worker_is_idle (f->worker);
}

/* ---- the sync worker ---- */

/* A bad certificate: nothing reaches either server, every job waits with
 * the reason in words, is tried again after its backoff, and is never given
 * up, paused or marked for the agent's attention. */
static void
assert_refused_and_kept (Fixture       *f,
                         const TlsCase *tls_case)
{
  g_autoptr(GPtrArray) jobs = NULL;
  guint counts[CN_JOB_N_STATES];

  g_assert_true (sync_test_wait_for (all_retried, f, 8000));

  g_assert_cmpuint (fake_server_count_requests (f->backend, NULL, "/"), ==, 0);
  g_assert_cmpuint (fake_server_count_requests (f->ontraport, NULL, "/"), ==, 0);
  g_assert_cmpuint (fake_server_count_records (f->backend), ==, 0);
  g_assert_cmpuint (fake_server_count_records (f->ontraport), ==, 0);

  g_assert_true (cn_database_count_jobs (f->db, counts, NULL));
  g_assert_cmpuint (counts[CN_JOB_WAITING], ==, 2);   /* the backend and the note */
  g_assert_cmpuint (counts[CN_JOB_NEEDS_ATTENTION], ==, 0);
  g_assert_cmpuint (counts[CN_JOB_NEEDS_CONTACT], ==, 0);
  g_assert_cmpuint (counts[CN_JOB_CANCELED], ==, 0);
  g_assert_cmpuint (counts[CN_JOB_DONE], ==, 0);
  g_assert_cmpuint (cn_sync_worker_get_paused (f->worker), ==, 0);

  jobs = cn_database_list_jobs (f->db, NULL);
  g_assert_cmpuint (jobs->len, ==, 2);
  for (guint i = 0; i < jobs->len; i++)
    {
      CnSyncJob *job = g_ptr_array_index (jobs, i);

      g_assert_cmpint (job->last_status, ==, 0);
      g_assert_false (job->outcome_unknown);   /* nothing was sent */
      g_assert_cmpint (job->next_attempt_at, >, 0);
      g_assert_null (job->remote_id);
      assert_tls_reason (job->last_error, tls_case->words);
    }

  /* The failures were logged (the worker's debug lines for both jobs):
   * the secret check in fixture_tear_down covers them. */
  g_assert_true (sync_test_log_contains (f->log_start, " (backend): "));
  g_assert_true (sync_test_log_contains (f->log_start, " (ontraport-note): "));
}

static void
test_worker_refuses (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CnCallLog) log = save_log (f);

  start_worker (f);
  assert_refused_and_kept (f, data);
}

/* Nothing is lost: once the certificate is trusted (here: the test CA), the
 * jobs kept waiting go out, each exactly once. */
static void
test_worker_kept_until_trusted (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(CnCallLog) log = save_log (f);
  g_autofree char *record = NULL;

  start_worker (f);
  assert_refused_and_kept (f, data);

  cn_sync_worker_stop (f->worker);
  g_clear_object (&f->worker);
  trust_test_ca (TRUE);
  start_worker (f);
  g_assert_true (sync_test_wait_for (queue_empty, f, 8000));

  g_assert_cmpuint (fake_server_count_records (f->backend), ==, 1);
  g_assert_cmpuint (fake_server_count_records (f->ontraport), ==, 1);
  g_assert_cmpuint (fake_server_count_duplicates (f->backend), ==, 0);
  g_assert_cmpuint (fake_server_count_duplicates (f->ontraport), ==, 0);
  record = fake_server_dup_record (f->backend, cn_call_log_get_uuid (log));
  g_assert_nonnull (record);
}

/* Positive control: the same HTTPS fakes, the test CA trusted. */
static void
test_worker_trusted_delivers (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(CnCallLog) log = save_log (f);

  start_worker (f);
  g_assert_true (sync_test_wait_for (queue_empty, f, 8000));

  g_assert_cmpuint (fake_server_count_records (f->backend), ==, 1);
  g_assert_cmpuint (fake_server_count_records (f->ontraport), ==, 1);
  g_assert_cmpuint (fake_server_count_requests (f->backend, "POST", "/api/calls"), ==, 1);
}

/* ---- "Test connection" ---- */

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Runs the main loop until *@result is set (10 s at most). */
static GAsyncResult *
wait_result (GAsyncResult **result)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (*result == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }

  return *result;
}

static gboolean
probe (CnSyncConfig  *config,
       CnSyncTarget   target,
       char         **message,
       GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cn_sync_test_connection_async (config, target, NULL, on_done, &result);
  return cn_sync_test_connection_finish (wait_result (&result), message, error);
}

static void
test_probe_refuses (Fixture       *f,
                    gconstpointer  data)
{
  const TlsCase *tls_case = data;
  static const CnSyncTarget targets[] = { CN_SYNC_TARGET_BACKEND,
                                          CN_SYNC_TARGET_ONTRAPORT_NOTE };

  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *message = NULL;

      g_assert_false (probe (f->config, targets[i], &message, &error));
      g_assert_error (error, G_IO_ERROR, error->code);
      g_assert_false (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
      assert_tls_reason (message, tls_case->words);
      g_assert_cmpstr (error->message, ==, message);
    }

  g_assert_cmpuint (fake_server_count_requests (f->backend, NULL, "/"), ==, 0);
  g_assert_cmpuint (fake_server_count_requests (f->ontraport, NULL, "/"), ==, 0);
}

/* Positive control: the same probes succeed once the test CA is trusted. */
static void
test_probe_trusted (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *message2 = NULL;

  g_assert_true (probe (f->config, CN_SYNC_TARGET_BACKEND, &message, &error));
  g_assert_no_error (error);
  g_assert_true (probe (f->config, CN_SYNC_TARGET_ONTRAPORT_NOTE, &message2, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fake_server_count_requests (f->backend, "GET", "/api/v1/outbound-calls"),
                    ==, 1);
  g_assert_cmpuint (fake_server_count_requests (f->ontraport, "GET", "/1/objects"), ==, 1);
}

/* ---- the other backend requests: a contact's calls, outbound calls ---- */

/* Each fails with the certificate's fault in words; nothing reaches the
 * server, so no call is placed. */
static void
test_backend_requests_refuse (Fixture       *f,
                              gconstpointer  data)
{
  const TlsCase *tls_case = data;
  g_autoptr(GError) history_error = NULL;
  g_autoptr(GError) list_error = NULL;
  g_autoptr(GError) initiate_error = NULL;
  g_autoptr(GAsyncResult) history = NULL;
  g_autoptr(GAsyncResult) list = NULL;
  g_autoptr(GAsyncResult) initiate = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GPtrArray) outbound = NULL;
  g_autofree char *task_id = NULL;

  cn_backend_fetch_contact_calls_async (f->config, CONTACT_ID, 0, 10, NULL, on_done, &history);
  calls = cn_backend_fetch_contact_calls_finish (wait_result (&history), &history_error);
  g_assert_null (calls);
  g_assert_nonnull (history_error);
  assert_tls_reason (history_error->message, tls_case->words);

  cn_outbound_calls_list_async (f->config, NULL, 1, 10, NULL, on_done, &list);
  outbound = cn_outbound_calls_list_finish (wait_result (&list), NULL, &list_error);
  g_assert_null (outbound);
  g_assert_nonnull (list_error);
  assert_tls_reason (list_error->message, tls_case->words);

  cn_outbound_calls_initiate_async (f->config, PHONE, CONTACT_ID, NULL, NULL, on_done,
                                    &initiate);
  g_assert_false (cn_outbound_calls_initiate_finish (wait_result (&initiate), &task_id,
                                                     &initiate_error));
  g_assert_null (task_id);
  g_assert_nonnull (initiate_error);
  assert_tls_reason (initiate_error->message, tls_case->words);

  g_assert_cmpuint (fake_server_count_requests (f->backend, NULL, "/"), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  /* The default trust: the system's, which knows nothing of the test CA. */
  static const TlsCase untrusted = { FAKE_TLS_LOCALHOST, FALSE, "not trusted" };
  static const TlsCase trusted = { FAKE_TLS_LOCALHOST, TRUE, NULL };
  static const TlsCase expired = { FAKE_TLS_EXPIRED, TRUE, "expired" };
  static const TlsCase wrong_host = { FAKE_TLS_WRONG_HOST, TRUE, "another host name" };

  /* Debug messages too: a secret must not hide in any of them. */
  sync_test_capture_logs ();
  g_test_init (&argc, &argv, NULL);

#define ADD(path, tls_case, func) \
  g_test_add ("/tls/" path, Fixture, &tls_case, fixture_set_up, func, fixture_tear_down)

  ADD ("worker/untrusted", untrusted, test_worker_refuses);
  ADD ("worker/expired", expired, test_worker_refuses);
  ADD ("worker/wrong-host", wrong_host, test_worker_refuses);
  ADD ("worker/kept-until-trusted", untrusted, test_worker_kept_until_trusted);
  ADD ("worker/trusted-delivers", trusted, test_worker_trusted_delivers);
  ADD ("probe/untrusted", untrusted, test_probe_refuses);
  ADD ("probe/expired", expired, test_probe_refuses);
  ADD ("probe/wrong-host", wrong_host, test_probe_refuses);
  ADD ("probe/trusted", trusted, test_probe_trusted);
  ADD ("backend-requests/untrusted", untrusted, test_backend_requests_refuse);
  ADD ("backend-requests/expired", expired, test_backend_requests_refuse);

  return g_test_run ();
}
