/* bench-drain.c: how fast the outbox drains to the backend
 *
 * Queues N logs for the backend (N = 10 000 unless given), then measures:
 *  - a plain libsoup loop: the same number of POST /api/calls with the same
 *    concurrency, against the same loopback fake, in this run;
 *  - CnSyncWorker draining the queue: logs per second, and the peak RSS
 *    while it drains, at N/10 and at N logs (RSS should not grow with the
 *    length of the queue).
 * The fake runs in a child process, so its own memory (it keeps every
 * request) is not counted as the worker's.
 * Target: the worker reaches at least 0.5 of the plain rate.
 *
 *   bench-drain [N]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libsoup/soup.h>

#include "bench-util.h"
#include "cn-database.h"
#include "cn-outbox.h"
#include "cn-sync-requests.h"
#include "cn-sync-worker.h"
#include "../sync/fake-servers.h"

#define TOKEN       "bench-token"
#define CONCURRENCY 4

/* ---- the plain loop ---- */

typedef struct {
  SoupSession *session;
  const char  *url;
  guint        total;
  guint        sent;
  guint        done;
  guint        failed;
  GMainLoop   *loop;
} Plain;

static void send_next (Plain *plain);

static void
on_plain_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Plain *plain = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                              &error);

  if (body == NULL)
    plain->failed++;
  plain->done++;

  if (plain->done == plain->total)
    g_main_loop_quit (plain->loop);
  else
    send_next (plain);
}

static void
send_next (Plain *plain)
{
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(CnCallLog) log = NULL;
  g_autoptr(GBytes) request_body = NULL;
  char *text;

  if (plain->sent == plain->total)
    return;
  plain->sent++;

  /* The same work per request as the worker's: a body built from a log. */
  log = cn_call_log_new_with_uuid ();
  cn_call_log_set_phone (log, "+15551234567");
  cn_call_log_set_contact_name (log, "Bench Contact");
  cn_call_log_set_outcome (log, CN_OUTCOME_CONNECTED);
  cn_call_log_set_notes (log, "Benchmark call");
  cn_call_log_set_created_at (log, 1763719200);
  text = cn_sync_backend_body (log);
  request_body = g_bytes_new_take (text, strlen (text));

  message = soup_message_new ("POST", plain->url);
  /* As the worker sends them: keyed, so over kept-alive connections. */
  soup_message_add_flags (message, SOUP_MESSAGE_IDEMPOTENT);
  soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                "Bearer " TOKEN);
  soup_message_headers_replace (soup_message_get_request_headers (message), "Idempotency-Key",
                                cn_call_log_get_uuid (log));
  soup_message_set_request_body_from_bytes (message, "application/json", request_body);
  soup_session_send_and_read_async (plain->session, message, G_PRIORITY_DEFAULT, NULL,
                                    on_plain_done, plain);
}

static double
run_plain (const char *base_url,
           guint       n)
{
  g_autofree char *url = g_strdup_printf ("%s/api/calls", base_url);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Plain plain = { 0, };
  gint64 started;
  double seconds;

  plain.session = soup_session_new_with_options ("max-conns-per-host", CONCURRENCY,
                                                 "timeout", 30, NULL);
  plain.url = url;
  plain.total = n;
  plain.loop = loop;

  started = g_get_monotonic_time ();
  for (guint i = 0; i < CONCURRENCY; i++)
    send_next (&plain);
  g_main_loop_run (loop);
  seconds = (g_get_monotonic_time () - started) / 1e6;

  g_object_unref (plain.session);
  if (plain.failed > 0)
    printf ("  plain loop: %u requests failed\n", plain.failed);

  return n / seconds;
}

/* ---- the worker ---- */

typedef struct {
  CnDatabase *db;
  GMainLoop  *loop;
  long        peak_rss;
} Drain;

static void
on_changed (CnSyncWorker *worker,
            Drain        *drain)
{
  guint counts[CN_JOB_N_STATES];

  drain->peak_rss = MAX (drain->peak_rss, bench_rss_kib ());
  if (cn_database_count_jobs (drain->db, counts, NULL) &&
      counts[CN_JOB_PENDING] + counts[CN_JOB_IN_FLIGHT] + counts[CN_JOB_WAITING] == 0)
    g_main_loop_quit (drain->loop);
}

static void
queue_logs (CnDatabase *db,
            guint       n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CnCallLog) log = cn_call_log_new_with_uuid ();
      g_autoptr(GError) error = NULL;

      cn_call_log_set_phone (log, "+15551234567");
      cn_call_log_set_contact_name (log, "Bench Contact");
      cn_call_log_set_outcome (log, CN_OUTCOME_CONNECTED);
      cn_call_log_set_notes (log, "Benchmark call");
      if (!cn_database_insert_call (db, log, NULL, 0, &error))
        g_error ("queueing failed: %s", error->message);
    }
}

static double
run_worker (const char *base_url,
            guint       n,
            long       *rss_before,
            long       *rss_peak)
{
  g_autofree char *dir = g_dir_make_tmp ("callnotes-bench-drain-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "callnotes.db", NULL);
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(CnSyncConfig) config = cn_sync_config_new ();
  g_autoptr(CnSyncWorker) worker = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *command = NULL;
  Drain drain = { 0, };
  gint64 started;
  double seconds;

  db = cn_database_open (path, &error);
  if (db == NULL)
    g_error ("%s", error->message);
  cn_database_set_sync_targets (db, CN_SYNC_TARGET_BACKEND);
  queue_logs (db, n);

  g_free (config->backend_url);
  config->backend_url = g_strdup (base_url);
  config->backend_token = g_strdup (TOKEN);
  config->ontraport_enabled = FALSE;
  config->concurrency = CONCURRENCY;

  drain.db = db;
  drain.loop = loop;
  *rss_before = bench_rss_kib ();
  drain.peak_rss = *rss_before;

  worker = cn_sync_worker_new (db, config, NULL);
  g_signal_connect (worker, "changed", G_CALLBACK (on_changed), &drain);
  started = g_get_monotonic_time ();
  if (!cn_sync_worker_start (worker, &error))
    g_error ("%s", error->message);
  g_main_loop_run (loop);
  seconds = (g_get_monotonic_time () - started) / 1e6;
  cn_sync_worker_stop (worker);

  *rss_peak = drain.peak_rss;
  g_clear_object (&worker);
  g_clear_object (&db);
  command = g_strdup_printf ("rm -rf '%s'", dir);
  if (system (command) != 0)
    fprintf (stderr, "could not remove %s\n", dir);

  return n / seconds;
}

/* The child: serves until the parent closes @control, then reports. */
static void
serve (int report,
       int control)
{
  FakeServer *fake = fake_server_new (FAKE_BACKEND);
  char byte;
  g_autofree char *line = NULL;

  fake_server_set_token (fake, TOKEN);
  line = g_strdup_printf ("%s\n", fake_server_get_base_url (fake));
  if (write (report, line, strlen (line)) < 0)
    _exit (1);

  while (read (control, &byte, 1) > 0)
    ;

  printf ("  records on the fake:  %u (duplicates %u)\n", fake_server_count_records (fake),
          fake_server_count_duplicates (fake));
  fflush (stdout);
  fake_server_free (fake);
  _exit (0);
}

int
main (int   argc,
      char *argv[])
{
  guint n = argc > 1 ? (guint) strtoul (argv[1], NULL, 10) : 10000;
  int report[2];
  int control[2];
  char base_url[256] = { 0, };
  gssize got = 0;
  pid_t child;
  double plain_rate;
  double small_rate;
  double rate;
  long small_before, small_peak, before, peak;

  if (n < 100)
    n = 100;

  if (pipe (report) != 0 || pipe (control) != 0)
    g_error ("pipe failed");
  fflush (stdout);
  child = fork ();
  if (child == 0)
    {
      close (report[0]);
      close (control[1]);
      serve (report[1], control[0]);
    }
  close (report[1]);
  close (control[0]);
  while (got < (gssize) sizeof base_url - 1 && strchr (base_url, '\n') == NULL)
    {
      gssize r = read (report[0], base_url + got, sizeof base_url - 1 - got);

      if (r <= 0)
        g_error ("the fake server did not start");
      got += r;
    }
  *strchr (base_url, '\n') = '\0';

  printf ("Draining the outbox to the loopback fake backend (%u logs, %d at once)\n", n,
          CONCURRENCY);

  plain_rate = run_plain (base_url, n);
  printf ("  plain libsoup loop:   %8.0f requests/s\n", plain_rate);

  small_rate = run_worker (base_url, n / 10, &small_before, &small_peak);
  printf ("  worker, %6u logs:  %8.0f logs/s   peak RSS %ld KiB (+%ld while draining)\n",
          n / 10, small_rate, small_peak, small_peak - small_before);

  rate = run_worker (base_url, n, &before, &peak);
  printf ("  worker, %6u logs:  %8.0f logs/s   peak RSS %ld KiB (+%ld while draining)\n",
          n, rate, peak, peak - before);

  printf ("  ratio worker/plain:   %8.2f   (target >= 0.50)\n", rate / plain_rate);
  fflush (stdout);

  close (control[1]);
  waitpid (child, NULL, 0);
  return 0;
}
