/* bench-event-latency.c: from a pushed event to the completed-call signal
 *
 * The loopback fake backend streams 1 000 call_completed events, one at a
 * time; each is timed from the moment it is pushed to the moment
 * CnEventStream emits "call-completed" (parsed, checked, deduplicated and
 * stored), which is when the app builds and sends its notification. The
 * notification is built here too, as the app does, so its cost counts.
 * Target: median < 20 ms.
 *
 *   bench-event-latency [N]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "bench-util.h"
#include "cn-event-stream.h"
#include "cn-format.h"
#include "../sync/fake-servers.h"

#define TOKEN "bench-token"

typedef struct {
  char   *waiting_for;   /* the SID of the event in flight */
  gint64  arrived;
} Latency;

static void
on_call_completed (CnEventStream *stream,
                   CnStreamCall  *call,
                   Latency       *latency)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *title = g_strdup_printf ("Call with %s ended", call->contact_name);
  g_autofree char *duration = cn_format_duration (call->duration_seconds);

  /* What the app does with it. */
  notification = g_notification_new (title);
  g_notification_set_body (notification, duration);
  g_notification_add_button_with_target (notification, "Log Call", "app.log-call-from-event", "s",
                                         call->call_sid);

  if (g_strcmp0 (call->call_sid, latency->waiting_for) == 0)
    latency->arrived = g_get_monotonic_time ();
}

int
main (int   argc,
      char *argv[])
{
  guint n = argc > 1 ? (guint) strtoul (argv[1], NULL, 10) : 1000;
  g_autofree char *dir = g_dir_make_tmp ("callnotes-bench-latency-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "callnotes.db", NULL);
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(CnSyncConfig) config = cn_sync_config_new ();
  g_autoptr(CnEventStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree double *ms = NULL;
  g_autofree char *command = NULL;
  FakeServer *fake;
  Latency latency = { 0, };
  guint got = 0;

  if (n < 10)
    n = 10;

  fake = fake_server_new (FAKE_BACKEND);
  fake_server_set_token (fake, TOKEN);

  db = cn_database_open (path, &error);
  if (db == NULL)
    g_error ("%s", error->message);

  g_free (config->backend_url);
  config->backend_url = g_strdup (fake_server_get_base_url (fake));
  config->backend_token = g_strdup (TOKEN);
  config->workspace_id = g_strdup ("w1");

  stream = cn_event_stream_new (db, config, NULL);
  g_signal_connect (stream, "call-completed", G_CALLBACK (on_call_completed), &latency);
  cn_event_stream_start (stream);

  while (cn_event_stream_get_state (stream) != CN_STREAM_CONNECTED)
    g_main_context_iteration (NULL, TRUE);

  ms = g_new0 (double, n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *event = NULL;
      gint64 pushed;
      gint64 deadline;

      g_free (latency.waiting_for);
      latency.waiting_for = g_strdup_printf ("CA%u", i);
      latency.arrived = 0;
      event = g_strdup_printf ("id: %u\n"
                               "event: call_completed\n"
                               "data: {\"workspace_id\":\"w1\",\"call_sid\":\"CA%u\","
                               "\"status\":\"ANSWER\",\"duration_seconds\":135,\n"
                               "data:  \"phone\":\"+15551234567\","
                               "\"contact\":{\"id\":\"42\",\"name\":\"Jane Doe\"},\n"
                               "data:  \"recording_url\":\"https://rec.example.com/CA%u.mp3\","
                               "\"direction\":\"outbound\",\n"
                               "data:  \"started_at\":\"2026-11-21T10:00:00Z\","
                               "\"ended_at\":\"2026-11-21T10:02:15Z\"}\n\n",
                               i + 1, i, i);

      pushed = g_get_monotonic_time ();
      fake_server_sse_push (fake, event, -1);
      deadline = pushed + 5 * G_USEC_PER_SEC;
      while (latency.arrived == 0 && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);

      if (latency.arrived == 0)
        {
          fprintf (stderr, "event %u did not arrive within 5 s\n", i);
          continue;
        }
      ms[got++] = (latency.arrived - pushed) / 1000.0;
    }

  printf ("Event to completed-call notification, %u events over loopback\n", got);
  printf ("  median %.2f ms   p99 %.2f ms   max %.2f ms   (target: median < 20 ms)\n",
          bench_percentile (ms, got, 0.5), bench_percentile (ms, got, 0.99),
          bench_percentile (ms, got, 1.0));

  cn_event_stream_stop (stream);
  g_clear_object (&stream);
  g_clear_object (&db);
  fake_server_free (fake);
  g_free (latency.waiting_for);
  command = g_strdup_printf ("rm -rf '%s'", dir);
  if (system (command) != 0)
    fprintf (stderr, "could not remove %s\n", dir);

  return got == n ? 0 : 1;
}
