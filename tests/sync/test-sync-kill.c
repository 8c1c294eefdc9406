/* test-sync-kill.c: `callnotes sync` killed with SIGKILL at random moments
 *
 * Logs are queued, then `callnotes sync` is started and killed 50 times at
 * random moments (while claiming, sending, writing results), and finally
 * run with --wait. The fakes must end with exactly one backend record and
 * one Ontraport note per log and one task per follow-up. The children's
 * output must not contain a secret.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "cn-secrets.h"
#include "sync-test-util.h"

#define TOKEN   "kill-test-token-5ecret-1"
#define APP     "kill-test-app-5ecret-2"
#define KEY     "kill-test-key-5ecret-3"
#define N_LOGS  60
#define N_KILLS 50

static char *root;

static char *
run_sync (const char * const *argv,
          gint                kill_after_ms,
          int                *exit_status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autofree char *output = NULL;

  child = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                   G_SUBPROCESS_FLAGS_STDERR_MERGE, &error);
  g_assert_no_error (error);

  if (kill_after_ms >= 0)
    {
      g_usleep ((gulong) kill_after_ms * 1000);
      g_subprocess_send_signal (child, SIGKILL);
    }

  g_subprocess_communicate_utf8 (child, NULL, NULL, &output, NULL, &error);
  g_assert_no_error (error);
  g_subprocess_wait (child, NULL, &error);
  g_assert_no_error (error);

  if (exit_status != NULL)
    *exit_status = g_subprocess_get_if_exited (child) ? g_subprocess_get_exit_status (child) : -1;

  return g_steal_pointer (&output);
}

static void
assert_no_secret (const char *output)
{
  g_assert_null (strstr (output, TOKEN));
  g_assert_null (strstr (output, APP));
  g_assert_null (strstr (output, KEY));
}

static void
test_killed_fifty_times (void)
{
  const char *bin = g_getenv ("CALLNOTES_BIN");
  const char * const sync_argv[] = { bin, "sync", NULL };
  const char * const wait_argv[] = { bin, "sync", "--wait", "--timeout", "120", NULL };
  g_autofree char *db_path = g_build_filename (root, "data", "callnotes.db", NULL);
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *final_output = NULL;
  FakeServer *backend;
  FakeServer *ontraport;
  guint follow_ups = 0;
  int status = -1;
  guint mask = (1 << FAKE_500) | (1 << FAKE_503) | (1 << FAKE_RESET_BEFORE) |
               (1 << FAKE_RESET_AFTER) | (1 << FAKE_MALFORMED_JSON);

  g_assert_nonnull (bin);

  backend = fake_server_new (FAKE_BACKEND);
  ontraport = fake_server_new (FAKE_ONTRAPORT);
  fake_server_set_token (backend, TOKEN);
  fake_server_set_api_keys (ontraport, APP, KEY);
  fake_server_set_random_faults (backend, 0.1, mask, 7);
  fake_server_set_random_faults (ontraport, 0.1, mask, 8);

  /* Settings and secrets, where the child processes read them. */
  settings = g_settings_new (APP_ID);
  g_settings_set_string (settings, "backend-url", fake_server_get_base_url (backend));
  g_settings_set_string (settings, "ontraport-base-url", fake_server_get_base_url (ontraport));
  g_settings_set_boolean (settings, "backend-enabled", TRUE);
  g_settings_set_boolean (settings, "ontraport-enabled", TRUE);
  g_settings_sync ();
  g_assert_true (cn_secret_store_sync (CN_SECRET_BACKEND_TOKEN, TOKEN, NULL, &error));
  g_assert_true (cn_secret_store_sync (CN_SECRET_ONTRAPORT_APP_ID, APP, NULL, &error));
  g_assert_true (cn_secret_store_sync (CN_SECRET_ONTRAPORT_KEY, KEY, NULL, &error));
  g_assert_no_error (error);

  db = cn_database_open (db_path, &error);
  g_assert_no_error (error);
  cn_database_set_sync_targets (db, CN_SYNC_TARGETS_ALL);
  for (guint i = 0; i < N_LOGS; i++)
    {
      g_autofree char *contact = g_strdup_printf ("%u", 500 + i % 7);
      g_autoptr(CnCallLog) log = store_test_make_log ("+15551234567", "Killed Contact",
                                                      "notes", CN_OUTCOME_VOICEMAIL, 0);

      cn_call_log_set_contact_id (log, contact);
      if (i % 3 == 0)
        {
          cn_call_log_set_follow_up (log, 1795424400 + i * 600);
          follow_ups++;
        }
      g_assert_true (cn_database_insert_call (db, log, NULL, 0, &error));
      g_assert_no_error (error);
    }

  for (guint i = 0; i < N_KILLS; i++)
    {
      g_autofree char *output = run_sync (sync_argv, g_test_rand_int_range (20, 400), NULL);

      assert_no_secret (output);
    }

  g_test_message ("after %u kills: %u backend records, %u notes, %u tasks", N_KILLS,
                  fake_server_count_records (backend), fake_server_count_records (ontraport),
                  fake_server_count_tasks (ontraport));

  final_output = run_sync (wait_argv, -1, &status);
  assert_no_secret (final_output);
  if (status != 0)
    g_test_message ("sync --wait said: %s", final_output);
  g_assert_cmpint (status, ==, 0);

  g_assert_cmpuint (fake_server_count_records (backend), ==, N_LOGS);
  g_assert_cmpuint (fake_server_count_duplicates (backend), ==, 0);
  g_assert_cmpuint (fake_server_count_records (ontraport), ==, N_LOGS);
  g_assert_cmpuint (fake_server_count_tasks (ontraport), ==, follow_ups);
  g_assert_cmpuint (fake_server_count_duplicates (ontraport), ==, 0);
  g_assert_cmpuint (sync_test_count_open (db), ==, 0);

  /* `callnotes queue` agrees. */
  {
    const char * const queue_argv[] = { bin, "queue", NULL };
    g_autofree char *queue_output = run_sync (queue_argv, -1, &status);

    g_assert_cmpint (status, ==, 0);
    g_assert_nonnull (strstr (queue_output, "every call log is synced"));
  }

  fake_server_free (backend);
  fake_server_free (ontraport);
}

/* `sync --wait` says how it ended: 4 when something needs attention, 3 when
 * the timeout passed with jobs still pending. */
static void
test_wait_exit_codes (void)
{
  const char *bin = g_getenv ("CALLNOTES_BIN");
  const char * const wait_argv[] = { bin, "sync", "--wait", "--timeout", "3", NULL };
  g_autofree char *db_path = g_build_filename (root, "data", "callnotes.db", NULL);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(CnCallLog) log = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  FakeServer *backend = fake_server_new (FAKE_BACKEND);
  int status = -1;

  fake_server_set_token (backend, TOKEN);
  g_settings_set_string (settings, "backend-url", fake_server_get_base_url (backend));
  g_settings_set_boolean (settings, "ontraport-enabled", FALSE);
  g_settings_sync ();

  db = cn_database_open (db_path, &error);
  g_assert_no_error (error);
  cn_database_set_sync_targets (db, CN_SYNC_TARGET_BACKEND);

  /* A 400: needs attention → 4, with the server's words. */
  fake_server_queue_fault (backend, FAKE_400);
  log = store_test_make_log ("+15551234567", NULL, NULL, CN_OUTCOME_BUSY, 0);
  g_assert_true (cn_database_insert_call (db, log, NULL, 0, &error));
  output = run_sync (wait_argv, -1, &status);
  g_assert_cmpint (status, ==, 4);
  g_assert_nonnull (strstr (output, "phone is not a valid number"));
  g_clear_pointer (&output, g_free);

  /* The server down: still pending at the timeout → 3. */
  fake_server_set_refusing (backend, TRUE);
  g_assert_cmpint (cn_database_retry_jobs (db, NULL, NULL), ==, 1);
  output = run_sync (wait_argv, -1, &status);
  g_assert_cmpint (status, ==, 3);
  g_assert_nonnull (strstr (output, "not done"));
  g_clear_pointer (&output, g_free);

  /* Back: everything goes → 0. */
  fake_server_set_refusing (backend, FALSE);
  g_assert_cmpint (cn_database_retry_jobs (db, NULL, NULL), >=, 0);
  {
    const char * const long_wait[] = { bin, "sync", "--wait", "--timeout", "60", NULL };

    output = run_sync (long_wait, -1, &status);
  }
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpuint (fake_server_count_records (backend), ==, 1);

  fake_server_free (backend);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *config = NULL;
  g_autofree char *data = NULL;
  g_autofree char *keyring = NULL;
  int result;

  root = g_dir_make_tmp ("callnotes-sync-kill-XXXXXX", NULL);
  config = g_build_filename (root, "config", NULL);
  data = g_build_filename (root, "data", NULL);
  keyring = g_build_filename (root, "keyring", NULL);
  g_mkdir_with_parents (config, 0700);
  g_mkdir_with_parents (data, 0700);

  /* Shared with the `callnotes` children: settings in a key file, secrets
   * in libsecret's file backend, the database in our folder. */
  g_setenv ("GSETTINGS_BACKEND", "keyfile", TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("CALLNOTES_DATA_DIR", data, TRUE);
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "kill-test", TRUE);
  g_unsetenv ("G_MESSAGES_DEBUG");

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sync/kill/fifty-times", test_killed_fifty_times);
  g_test_add_func ("/sync/kill/wait-exit-codes", test_wait_exit_codes);
  result = g_test_run ();

  if (g_getenv ("KEEP_ROOT") == NULL) store_test_rm_rf (root); else g_printerr ("root %s\n", root);
  g_free (root);
  return result;
}
