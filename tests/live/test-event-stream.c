/* test-event-stream.c: the live event stream against the fake backend
 *
 * A real CnEventStream connects to the in-process fake backend's
 * GET /api/events, which streams what each test pushes in the ways a real
 * server (or the network between) may: one byte at a time, with any line
 * ends, a BOM, cut in the middle of an event, silent, with a 5 MB line, or
 * not as an event stream at all.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cn-event-stream.h"
#include "cn-format.h"
#include "cn-live-store.h"
#include "sync-test-util.h"

#define TOKEN      "tok-5ecret-live-4471"
#define WORKSPACE  "w1"

/* Everything logged by the process, checked for the token. */

typedef struct {
  char *type;
  char *data;
} TestEvent;

typedef struct {
  StoreTestDir   dir;
  CnDatabase    *db;
  FakeServer    *backend;
  TestMonitor   *monitor;
  CnSyncConfig  *config;
  CnEventStream *stream;
  guint          dead_ms;
  guint          retry_ms;

  GPtrArray     *events;      /* TestEvent */
  GPtrArray     *live_calls;  /* CnStreamCall copies */
  GPtrArray     *completed;   /* CnStreamCall copies */
  GArray        *states;      /* CnStreamState, each change */
  GPtrArray     *messages;    /* char *, each change */
  gboolean       stop_in_handler;
} Fixture;

static void
test_event_free (TestEvent *event)
{
  g_free (event->type);
  g_free (event->data);
  g_free (event);
}

/* ---- events as the backend sends them (CONTRACTS.md) ---- */

#define LIVE_CALL_CA11 \
  "{\"workspace_id\":\"w1\",\"call_sid\":\"CA11\",\"from\":\"+15550001111\",\n" \
  " \"to\":\"+15551234567\",\"status\":\"Picked\",\n" \
  " \"contact\":{\"id\":\"42\",\"name\":\"Jane Doe\"}}"

#define COMPLETED_CA11 \
  "{\"workspace_id\":\"w1\",\"call_sid\":\"CA11\",\"status\":\"ANSWER\",\n" \
  " \"duration_seconds\":135,\n" \
  " \"phone\":\"+15551234567\",\"contact\":{\"id\":\"42\",\"name\":\"Jane Doe\"},\n" \
  " \"recording_url\":\"https://rec.example.com/CA11.mp3\",\"direction\":\"outbound\",\n" \
  " \"started_at\":\"2026-11-21T10:00:00Z\",\"ended_at\":\"2026-11-21T10:02:15Z\"}"

#define COMPLETED_CA22 \
  "{\"workspace_id\":\"w1\",\"call_sid\":\"CA22\",\"status\":\"NOANSWER\",\n" \
  " \"duration_seconds\":0,\n" \
  " \"from\":\"+15557654321\",\"to\":\"+15550001111\",\"direction\":\"inbound\"}"

/* An SSE event: every line of @json becomes a "data:" line. */
static char *
sse_event (const char *id,
           const char *type,
           const char *json)
{
  g_auto(GStrv) lines = g_strsplit (json, "\n", -1);
  GString *text = g_string_new (NULL);

  if (id != NULL)
    g_string_append_printf (text, "id: %s\n", id);
  if (type != NULL)
    g_string_append_printf (text, "event: %s\n", type);
  for (guint i = 0; lines[i] != NULL; i++)
    g_string_append_printf (text, "data: %s\n", lines[i]);
  g_string_append_c (text, '\n');

  return g_string_free (text, FALSE);
}

static void
push_event (Fixture    *f,
            const char *id,
            const char *type,
            const char *json)
{
  g_autofree char *text = sse_event (id, type, json);

  fake_server_sse_push (f->backend, text, -1);
}

/* ---- logging ---- */

/* ---- the fixture ---- */

static void
on_event (CnEventStream *stream,
          const char    *type,
          const char    *data,
          Fixture       *f)
{
  TestEvent *event = g_new0 (TestEvent, 1);

  event->type = g_strdup (type);
  event->data = g_strdup (data);
  g_ptr_array_add (f->events, event);

  if (f->stop_in_handler)
    {
      /* Stopped and dropped by its own handler, in the middle of a chunk. */
      cn_event_stream_stop (stream);
      g_clear_object (&f->stream);
    }
}

static void
on_live_call (CnEventStream *stream,
              CnStreamCall  *call,
              Fixture       *f)
{
  g_ptr_array_add (f->live_calls, cn_stream_call_copy (call));
}

static void
on_call_completed (CnEventStream *stream,
                   CnStreamCall  *call,
                   Fixture       *f)
{
  g_ptr_array_add (f->completed, cn_stream_call_copy (call));
}

static void
on_state_changed (CnEventStream *stream,
                  Fixture       *f)
{
  CnStreamState state = cn_event_stream_get_state (stream);

  g_array_append_val (f->states, state);
  g_ptr_array_add (f->messages, g_strdup (cn_event_stream_get_message (stream)));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  store_test_dir_init (&f->dir);
  f->db = cn_database_open (f->dir.path, &error);
  g_assert_no_error (error);

  f->backend = fake_server_new (FAKE_BACKEND);
  fake_server_set_token (f->backend, TOKEN);
  fake_server_sse_set_heartbeat_ms (f->backend, 100);

  f->monitor = g_object_new (TEST_TYPE_MONITOR, NULL);

  f->config = cn_sync_config_new ();
  g_free (f->config->backend_url);
  f->config->backend_url = g_strdup (fake_server_get_base_url (f->backend));
  f->config->backend_token = g_strdup (TOKEN);
  g_free (f->config->workspace_id);
  f->config->workspace_id = g_strdup (WORKSPACE);
  f->config->backend_enabled = TRUE;

  f->dead_ms = 5000;
  f->retry_ms = 50;

  f->events = g_ptr_array_new_with_free_func ((GDestroyNotify) test_event_free);
  f->live_calls = g_ptr_array_new_with_free_func ((GDestroyNotify) cn_stream_call_free);
  f->completed = g_ptr_array_new_with_free_func ((GDestroyNotify) cn_stream_call_free);
  f->states = g_array_new (FALSE, FALSE, sizeof (CnStreamState));
  f->messages = g_ptr_array_new_with_free_func (g_free);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->stream != NULL)
    cn_event_stream_stop (f->stream);
  g_clear_object (&f->stream);
  /* Let cancelled operations come back and free what they hold. */
  sync_test_spin (50);

  g_clear_pointer (&f->config, cn_sync_config_free);
  g_clear_object (&f->monitor);
  g_clear_pointer (&f->backend, fake_server_free);
  g_clear_object (&f->db);
  store_test_dir_clear (&f->dir);

  g_clear_pointer (&f->events, g_ptr_array_unref);
  g_clear_pointer (&f->live_calls, g_ptr_array_unref);
  g_clear_pointer (&f->completed, g_ptr_array_unref);
  g_clear_pointer (&f->states, g_array_unref);
  g_clear_pointer (&f->messages, g_ptr_array_unref);

  g_assert_false (sync_test_log_contains (0, TOKEN));
}

static void
start_stream (Fixture *f)
{
  g_assert_null (f->stream);

  f->stream = cn_event_stream_new (f->db, f->config, G_NETWORK_MONITOR (f->monitor));
  cn_event_stream_set_timeouts (f->stream, f->dead_ms, f->retry_ms);
  g_signal_connect (f->stream, "event", G_CALLBACK (on_event), f);
  g_signal_connect (f->stream, "live-call", G_CALLBACK (on_live_call), f);
  g_signal_connect (f->stream, "call-completed", G_CALLBACK (on_call_completed), f);
  g_signal_connect (f->stream, "state-changed", G_CALLBACK (on_state_changed), f);
  cn_event_stream_start (f->stream);
}

/* ---- waiting ---- */

typedef gboolean (*Check) (Fixture *f,
                           guint    n);

static gboolean
wait_for (Fixture *f,
          Check    check,
          guint    n,
          guint    timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!check (f, n))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (200);
    }

  return TRUE;
}

static gboolean
has_events (Fixture *f,
            guint    n)
{
  return f->events->len >= n;
}

static gboolean
has_connections (Fixture *f,
                 guint    n)
{
  return fake_server_sse_count_connections (f->backend) >= n;
}

static gboolean
open_streams_are (Fixture *f,
                  guint    n)
{
  return fake_server_sse_count_open (f->backend) == n;
}

static gboolean
is_in_state (Fixture *f,
             guint    state)
{
  return f->stream != NULL && cn_event_stream_get_state (f->stream) == (CnStreamState) state;
}

static gboolean
saw_state (Fixture       *f,
           CnStreamState  state)
{
  for (guint i = 0; i < f->states->len; i++)
    if (g_array_index (f->states, CnStreamState, i) == state)
      return TRUE;

  return FALSE;
}

static gboolean
saw_message_with (Fixture    *f,
                  const char *words)
{
  for (guint i = 0; i < f->messages->len; i++)
    if (strstr (g_ptr_array_index (f->messages, i), words) != NULL)
      return TRUE;

  return FALSE;
}

static TestEvent *
event_at (Fixture *f,
          guint    i)
{
  g_assert_cmpuint (i, <, f->events->len);
  return g_ptr_array_index (f->events, i);
}

/* The requests to /api/events, oldest first (FakeRequest). */
static GPtrArray *
event_requests (Fixture *f)
{
  g_autoptr(GPtrArray) all = fake_server_get_requests (f->backend);
  GPtrArray *requests = g_ptr_array_new_with_free_func ((GDestroyNotify) fake_request_free);

  for (guint i = 0; i < all->len; i++)
    {
      FakeRequest *request = g_ptr_array_index (all, i);

      if (g_str_equal (request->path, "/api/events"))
        g_ptr_array_add (requests, g_steal_pointer (&all->pdata[i]));
    }

  return requests;
}

static const char *
request_header (GPtrArray  *requests,
                guint       i,
                const char *name)
{
  FakeRequest *request;

  g_assert_cmpuint (i, <, requests->len);
  request = g_ptr_array_index (requests, i);
  return g_hash_table_lookup (request->headers, name);
}

static gint64
iso (const char *text)
{
  gint64 seconds = 0;

  g_assert_true (cn_parse_iso8601 (text, &seconds));
  return seconds;
}

/* ---- tests ---- */

/* The same events arrive whatever the chunking, line ends and BOM. */
static void
test_chunking (Fixture       *f,
               gconstpointer  data)
{
  FakeSseMode mode = GPOINTER_TO_UINT (data);
  g_autoptr(GPtrArray) requests = NULL;
  g_autofree char *stored_id = NULL;
  const char *note = "{\"workspace_id\":\"w1\",\"note\":\"h\xc3\xa9llo \xe2\x82\xac\"}";
  CnStreamCall *call;

  fake_server_sse_set_mode (f->backend, mode);
  /* Two before the connection (the backlog), two while it is open. */
  push_event (f, "1", "live_call", LIVE_CALL_CA11);
  push_event (f, NULL, NULL, note);
  start_stream (f);
  g_assert_true (wait_for (f, has_events, 2, 10000));
  push_event (f, "2", "call_completed", COMPLETED_CA11);
  push_event (f, "3", "call_completed", COMPLETED_CA22);
  g_assert_true (wait_for (f, has_events, 4, 10000));
  sync_test_spin (50);

  g_assert_cmpuint (f->events->len, ==, 4);
  g_assert_cmpstr (event_at (f, 0)->type, ==, "live_call");
  g_assert_cmpstr (event_at (f, 0)->data, ==, LIVE_CALL_CA11);
  g_assert_cmpstr (event_at (f, 1)->type, ==, "message");
  g_assert_cmpstr (event_at (f, 1)->data, ==, note);
  g_assert_cmpstr (event_at (f, 2)->type, ==, "call_completed");
  g_assert_cmpstr (event_at (f, 2)->data, ==, COMPLETED_CA11);
  g_assert_cmpstr (event_at (f, 3)->type, ==, "call_completed");

  /* The live call: the other party of a call without a direction is "to". */
  g_assert_cmpuint (f->live_calls->len, ==, 1);
  call = g_ptr_array_index (f->live_calls, 0);
  g_assert_cmpstr (call->call_sid, ==, "CA11");
  g_assert_cmpstr (call->status, ==, "Picked");
  g_assert_false (call->completed);
  g_assert_cmpstr (call->phone, ==, "+15551234567");
  g_assert_cmpstr (call->contact_id, ==, "42");
  g_assert_cmpstr (call->contact_name, ==, "Jane Doe");
  g_assert_nonnull (call->sequence);
  g_assert_cmpstr (call->sequence[0], ==, "answered");

  /* The completed call, merged with what the live event said. */
  g_assert_cmpuint (f->completed->len, ==, 2);
  call = g_ptr_array_index (f->completed, 0);
  g_assert_cmpstr (call->call_sid, ==, "CA11");
  g_assert_cmpstr (call->status, ==, "ANSWER");
  g_assert_true (call->completed);
  g_assert_cmpint (call->duration_seconds, ==, 135);
  g_assert_cmpstr (call->phone, ==, "+15551234567");
  g_assert_cmpstr (call->contact_name, ==, "Jane Doe");
  g_assert_cmpstr (call->recording_url, ==, "https://rec.example.com/CA11.mp3");
  g_assert_cmpstr (call->direction, ==, "outbound");
  g_assert_cmpint (call->started_at, ==, iso ("2026-11-21T10:00:00Z"));
  g_assert_cmpint (call->ended_at, ==, iso ("2026-11-21T10:02:15Z"));
  g_assert_cmpuint (g_strv_length (call->sequence), ==, 2);
  g_assert_cmpstr (call->sequence[1], ==, "completed");

  /* Inbound: the other party is "from". */
  call = g_ptr_array_index (f->completed, 1);
  g_assert_cmpstr (call->call_sid, ==, "CA22");
  g_assert_cmpstr (call->phone, ==, "+15557654321");
  g_assert_cmpint (call->duration_seconds, ==, 0);
  g_assert_null (call->contact_name);

  g_assert_cmpint (cn_event_stream_get_state (f->stream), ==, CN_STREAM_CONNECTED);

  /* What the request looked like. */
  requests = event_requests (f);
  g_assert_cmpuint (requests->len, ==, 1);
  g_assert_cmpstr (((FakeRequest *) requests->pdata[0])->method, ==, "GET");
  g_assert_cmpstr (((FakeRequest *) requests->pdata[0])->query, ==, "workspace=" WORKSPACE);
  g_assert_cmpstr (request_header (requests, 0, "accept"), ==, "text/event-stream");
  g_assert_cmpstr (request_header (requests, 0, "authorization"), ==, "Bearer " TOKEN);
  g_assert_null (request_header (requests, 0, "last-event-id"));

  /* The position is kept for a restart. */
  stored_id = cn_database_get_value (f->db, "stream.last-event-id", NULL);
  g_assert_cmpstr (stored_id, ==, "3");
}

/* Cut in the middle of an event: the stream comes back with Last-Event-ID,
 * gets the rest, and nothing is shown twice, after a reconnect or a
 * restart, even when the server sends old events again. */
static void
test_reconnect_mid_event (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *first = sse_event ("1", "live_call", LIVE_CALL_CA11);
  g_autoptr(GPtrArray) requests = NULL;
  guint events_before;

  fake_server_sse_push (f->backend, first, -1);
  push_event (f, "2", "call_completed", COMPLETED_CA11);
  fake_server_sse_queue_mode (f->backend, FAKE_SSE_DROP);
  fake_server_sse_set_drop_after (f->backend, strlen (first) + 40);

  start_stream (f);
  g_assert_true (wait_for (f, has_events, 2, 5000));
  g_assert_cmpuint (fake_server_sse_count_connections (f->backend), ==, 2);
  g_assert_true (saw_state (f, CN_STREAM_RECONNECTING));

  requests = event_requests (f);
  g_assert_null (request_header (requests, 0, "last-event-id"));
  g_assert_cmpstr (request_header (requests, 1, "last-event-id"), ==, "1");
  g_clear_pointer (&requests, g_ptr_array_unref);
  g_assert_cmpuint (f->live_calls->len, ==, 1);
  g_assert_cmpuint (f->completed->len, ==, 1);

  /* The server now sends its whole backlog to every connection. */
  fake_server_sse_set_replay_all (f->backend, TRUE);
  fake_server_sse_close_all (f->backend);
  g_assert_true (wait_for (f, has_connections, 3, 5000));
  push_event (f, "3", "live_call",
              "{\"workspace_id\":\"w1\",\"call_sid\":\"CA33\",\"status\":\"ringing\"}");
  g_assert_true (wait_for (f, has_events, 3, 5000));
  sync_test_spin (100);
  g_assert_cmpuint (f->events->len, ==, 3);
  g_assert_cmpstr (event_at (f, 2)->type, ==, "live_call");
  g_assert_cmpuint (f->completed->len, ==, 1);
  g_assert_cmpuint (f->live_calls->len, ==, 2);
  g_assert_cmpstr (((CnStreamCall *) f->live_calls->pdata[1])->sequence[0], ==, "ringing");

  requests = event_requests (f);
  g_assert_cmpstr (request_header (requests, 2, "last-event-id"), ==, "2");
  g_clear_pointer (&requests, g_ptr_array_unref);

  /* A restart: a new stream on the same database resumes after event 3;
   * the server sends 1-3 again, and only 4 is new. */
  cn_event_stream_stop (f->stream);
  g_clear_object (&f->stream);
  events_before = f->events->len;

  start_stream (f);
  g_assert_true (wait_for (f, has_connections, 4, 5000));
  g_assert_true (wait_for (f, is_in_state, CN_STREAM_CONNECTED, 5000));
  push_event (f, "4", "call_completed", COMPLETED_CA22);
  g_assert_true (wait_for (f, has_events, events_before + 1, 5000));
  sync_test_spin (100);

  g_assert_cmpuint (f->events->len, ==, events_before + 1);
  g_assert_cmpuint (f->completed->len, ==, 2);
  g_assert_cmpstr (((CnStreamCall *) f->completed->pdata[1])->call_sid, ==, "CA22");

  requests = event_requests (f);
  g_assert_cmpuint (requests->len, ==, 4);
  g_assert_cmpstr (request_header (requests, 3, "last-event-id"), ==, "3");
}

/* "retry:" sets the wait before reconnecting. */
static void
test_server_retry (Fixture       *f,
                   gconstpointer  data)
{
  gint64 t0, elapsed_ms;

  f->retry_ms = 5000;  /* what it would wait without the server's word */
  fake_server_sse_set_mode (f->backend, FAKE_SSE_RETRY);
  fake_server_sse_set_retry_ms (f->backend, 200);
  push_event (f, "1", "live_call", LIVE_CALL_CA11);

  start_stream (f);
  g_assert_true (wait_for (f, has_events, 1, 5000));

  t0 = g_get_monotonic_time ();
  fake_server_sse_close_all (f->backend);
  g_assert_true (wait_for (f, has_connections, 2, 4000));
  elapsed_ms = (g_get_monotonic_time () - t0) / 1000;

  g_assert_cmpint (elapsed_ms, >=, 190);
  g_assert_cmpint (elapsed_ms, <, 2000);
  g_assert_true (saw_state (f, CN_STREAM_RECONNECTING));
  g_assert_true (wait_for (f, is_in_state, CN_STREAM_CONNECTED, 2000));
  g_assert_cmpuint (f->events->len, ==, 1);
}

/* Answers that are not an event stream stop it, with a reason, for good. */
static void
test_not_a_stream (Fixture       *f,
                   gconstpointer  data)
{
  FakeSseMode mode = GPOINTER_TO_UINT (data);
  const char *message;

  /* A client that tried again would get a working stream. */
  fake_server_sse_queue_mode (f->backend, mode);
  push_event (f, "1", "live_call", LIVE_CALL_CA11);

  start_stream (f);
  g_assert_true (wait_for (f, is_in_state, CN_STREAM_STOPPED, 5000));
  sync_test_spin (400);

  g_assert_cmpint (cn_event_stream_get_state (f->stream), ==, CN_STREAM_STOPPED);
  g_assert_cmpuint (fake_server_sse_count_connections (f->backend), ==, 1);
  g_assert_cmpuint (f->events->len, ==, 0);

  message = cn_event_stream_get_message (f->stream);
  g_test_message ("%s", message);
  if (mode == FAKE_SSE_204)
    g_assert_nonnull (strstr (message, "204"));
  else if (mode == FAKE_SSE_500)
    g_assert_nonnull (strstr (message, "500"));
  else
    g_assert_nonnull (strstr (message, "text/html"));

  /* The same settings again change nothing; new ones try again. */
  cn_event_stream_set_config (f->stream, f->config);
  sync_test_spin (100);
  g_assert_cmpuint (fake_server_sse_count_connections (f->backend), ==, 1);

  g_free (f->config->workspace_id);
  f->config->workspace_id = g_strdup ("a b&c/\xc3\xa9");
  cn_event_stream_set_config (f->stream, f->config);
  g_assert_true (wait_for (f, is_in_state, CN_STREAM_CONNECTED, 5000));
  {
    g_autoptr(GPtrArray) requests = event_requests (f);

    g_assert_cmpuint (requests->len, ==, 2);
    g_assert_cmpstr (((FakeRequest *) requests->pdata[1])->query, ==,
                     "workspace=a%20b%26c%2F%C3%A9");
  }
}

/* 401: waits for a different token, then connects. */
static void
test_credentials (Fixture       *f,
                  gconstpointer  data)
{
  g_free (f->config->backend_token);
  f->config->backend_token = g_strdup ("not-the-" TOKEN);
  push_event (f, "1", "live_call", LIVE_CALL_CA11);

  start_stream (f);
  g_assert_true (wait_for (f, is_in_state, CN_STREAM_NEEDS_CREDENTIALS, 5000));
  g_assert_null (strstr (cn_event_stream_get_message (f->stream), TOKEN));
  sync_test_spin (300);
  g_assert_cmpuint (fake_server_sse_count_connections (f->backend), ==, 1);

  /* The same token: still waiting. */
  cn_event_stream_set_config (f->stream, f->config);
  sync_test_spin (200);
  g_assert_cmpint (cn_event_stream_get_state (f->stream), ==, CN_STREAM_NEEDS_CREDENTIALS);
  g_assert_cmpuint (fake_server_sse_count_connections (f->backend), ==, 1);

  g_free (f->config->backend_token);
  f->config->backend_token = g_strdup (TOKEN);
  cn_event_stream_set_config (f->stream, f->config);
  g_assert_true (wait_for (f, has_events, 1, 5000));
  g_assert_cmpint (cn_event_stream_get_state (f->stream), ==, CN_STREAM_CONNECTED);
  g_assert_cmpuint (fake_server_sse_count_connections (f->backend), ==, 2);

  /* 401 on a later connection too (the token was revoked). */
  fake_server_sse_set_mode (f->backend, FAKE_SSE_401);
  fake_server_sse_close_all (f->backend);
  g_assert_true (wait_for (f, is_in_state, CN_STREAM_NEEDS_CREDENTIALS, 5000));
}

/* No byte for the dead timeout (no heartbeats): dropped and reconnected;
 * heartbeats keep a quiet connection. */
static void
test_stall (Fixture       *f,
            gconstpointer  data)
{
  guint connections;

  f->dead_ms = 300;
  fake_server_sse_set_mode (f->backend, FAKE_SSE_STALL);
  push_event (f, "1", "live_call", LIVE_CALL_CA11);

  start_stream (f);
  g_assert_true (wait_for (f, has_connections, 3, 5000));
  g_assert_true (saw_state (f, CN_STREAM_RECONNECTING));
  g_assert_true (saw_message_with (f, "Nothing came from the backend"));

  fake_server_sse_set_mode (f->backend, FAKE_SSE_NORMAL);
  fake_server_sse_set_heartbeat_ms (f->backend, 60);
  connections = fake_server_sse_count_connections (f->backend);
  g_assert_true (wait_for (f, has_connections, connections + 1, 5000));
  g_assert_true (wait_for (f, is_in_state, CN_STREAM_CONNECTED, 5000));
  connections = fake_server_sse_count_connections (f->backend);
  sync_test_spin (1000);
  g_assert_cmpuint (fake_server_sse_count_connections (f->backend), ==, connections);
  g_assert_cmpint (cn_event_stream_get_state (f->stream), ==, CN_STREAM_CONNECTED);

  /* Event 1 came once, whatever the reconnections. */
  g_assert_cmpuint (f->events->len, ==, 1);
}

static gsize
proc_status_kb (const char *field)
{
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &text, NULL, NULL))
    return 0;
  line = strstr (text, field);
  if (line == NULL)
    return 0;

  return (gsize) g_ascii_strtoull (line + strlen (field), NULL, 10);
}

/* Resets VmHWM (the peak) to the current VmRSS; FALSE when it cannot. */
static gboolean
reset_peak_rss (void)
{
  FILE *file = fopen ("/proc/self/clear_refs", "w");
  gboolean ok;

  if (file == NULL)
    return FALSE;
  ok = fputs ("5", file) >= 0;
  ok = fclose (file) == 0 && ok;

  return ok;
}

/* A 5 MB line: the connection is dropped with a message, memory stays
 * bounded (the parser keeps at most 1 MB), the stream goes on. */
static void
test_huge_line (Fixture       *f,
                gconstpointer  data)
{
  gsize rss_before, peak, rss_after;
  gboolean have_peak;

  fake_server_sse_queue_mode (f->backend, FAKE_SSE_HUGE_LINE);
  push_event (f, "1", "live_call", LIVE_CALL_CA11);

  have_peak = reset_peak_rss ();
  rss_before = proc_status_kb ("VmRSS:");

  start_stream (f);
  g_assert_true (wait_for (f, has_connections, 2, 10000));
  g_assert_true (wait_for (f, is_in_state, CN_STREAM_CONNECTED, 5000));
  g_assert_true (saw_message_with (f, "larger than 1 MB"));

  push_event (f, "2", "call_completed", COMPLETED_CA11);
  g_assert_true (wait_for (f, has_events, 2, 5000));
  g_assert_cmpuint (f->events->len, ==, 2);
  g_assert_cmpuint (f->completed->len, ==, 1);

  peak = have_peak ? proc_status_kb ("VmHWM:") : 0;
  rss_after = proc_status_kb ("VmRSS:");
  g_test_message ("VmRSS before %" G_GSIZE_FORMAT " kB, after %" G_GSIZE_FORMAT
                  " kB, peak %" G_GSIZE_FORMAT " kB", rss_before, rss_after, peak);
#if defined(__SANITIZE_ADDRESS__)
  /* AddressSanitizer keeps freed memory in quarantine: RSS says nothing. */
  rss_before = 0;
#endif
  if (rss_before > 0)
    {
      g_assert_cmpuint (rss_after, <, rss_before + 4 * 1024);
      if (have_peak && peak > 0)
        g_assert_cmpuint (peak, <, rss_before + 4 * 1024);
    }
}

/* Only our workspace's events, and nothing from outside crashes it. */
static void
test_workspace_and_garbage (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CnStreamCall) call = NULL;
  GString *deep = g_string_new (NULL);

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, ']');

  push_event (f, "1", "live_call",
              "{\"workspace_id\":\"w2\",\"call_sid\":\"CA99\",\"status\":\"ringing\"}");
  push_event (f, "2", "call_completed", "{\"call_sid\":\"CA98\",\"status\":\"ANSWER\"}");
  push_event (f, "3", "call_completed", "{not json");
  push_event (f, "4", "call_completed", deep->str);
  push_event (f, "5", "call_completed", "[1, 2, 3]");
  push_event (f, "6", "live_call", "{\"workspace_id\":\"w1\",\"status\":\"ringing\"}");
  push_event (f, "7", "call_completed",
              "{\"workspace_id\":\"w1\",\"call_sid\":\"CA97\",\"status\":\"BUSY\","
              "\"duration_seconds\":\"lots\",\"recording_url\":\"javascript:alert(1)\","
              "\"contact\":{\"id\":7,\"name\":null},\"started_at\":\"yesterday\"}");
  g_string_free (deep, TRUE);

  start_stream (f);
  g_assert_true (wait_for (f, has_events, 2, 5000));
  sync_test_spin (100);

  /* 6 is ours but names no call: an event, no live-call. */
  g_assert_cmpuint (f->events->len, ==, 2);
  g_assert_cmpstr (event_at (f, 0)->type, ==, "live_call");
  g_assert_cmpuint (f->live_calls->len, ==, 0);
  g_assert_cmpuint (f->completed->len, ==, 1);

  call = g_ptr_array_index (f->completed, 0);
  g_assert_cmpstr (call->call_sid, ==, "CA97");
  g_assert_cmpint (call->duration_seconds, ==, -1);
  g_assert_null (call->recording_url);
  g_assert_cmpstr (call->contact_id, ==, "7");
  g_assert_null (call->contact_name);
  g_assert_cmpint (call->started_at, ==, 0);
  call = NULL;  /* owned by the array */

  call = cn_database_get_stream_call (f->db, "CA99", &error);
  g_assert_null (call);
  g_assert_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_NOT_FOUND);
  g_assert_cmpint (cn_event_stream_get_state (f->stream), ==, CN_STREAM_CONNECTED);
}

/* The network going away drops the connection; its return reconnects at
 * once (not after the retry time). */
static void
test_network (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) requests = NULL;
  gint64 t0, elapsed_ms;

  f->retry_ms = 5000;
  push_event (f, "1", "live_call", LIVE_CALL_CA11);
  start_stream (f);
  g_assert_true (wait_for (f, has_events, 1, 5000));

  test_monitor_set_available (f->monitor, FALSE);
  g_assert_cmpint (cn_event_stream_get_state (f->stream), ==, CN_STREAM_RECONNECTING);
  g_assert_nonnull (strstr (cn_event_stream_get_message (f->stream), "No network"));
  g_assert_true (wait_for (f, open_streams_are, 0, 2000));
  sync_test_spin (200);
  g_assert_cmpuint (fake_server_sse_count_connections (f->backend), ==, 1);

  t0 = g_get_monotonic_time ();
  test_monitor_set_available (f->monitor, TRUE);
  g_assert_true (wait_for (f, has_connections, 2, 2000));
  elapsed_ms = (g_get_monotonic_time () - t0) / 1000;
  g_assert_cmpint (elapsed_ms, <, 1000);
  g_assert_true (wait_for (f, is_in_state, CN_STREAM_CONNECTED, 2000));

  requests = event_requests (f);
  g_assert_cmpstr (request_header (requests, 1, "last-event-id"), ==, "1");
  g_assert_cmpuint (f->events->len, ==, 1);
}

/* A handler that stops and drops the stream in the middle of a chunk. */
static void
test_stop_in_handler (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *first = sse_event ("1", "live_call", LIVE_CALL_CA11);
  g_autofree char *second = sse_event ("2", "call_completed", COMPLETED_CA11);
  g_autofree char *both = g_strconcat (first, second, NULL);

  start_stream (f);
  g_assert_true (wait_for (f, is_in_state, CN_STREAM_CONNECTED, 5000));
  g_assert_true (wait_for (f, open_streams_are, 1, 2000));

  f->stop_in_handler = TRUE;
  fake_server_sse_push (f->backend, both, -1);
  g_assert_true (wait_for (f, has_events, 1, 5000));
  g_assert_null (f->stream);

  /* The connection goes away; nothing more is delivered. */
  g_assert_true (wait_for (f, open_streams_are, 0, 2000));
  sync_test_spin (200);
  g_assert_cmpuint (f->events->len, ==, 1);
  g_assert_cmpuint (fake_server_sse_count_connections (f->backend), ==, 1);
}

/* Not set up: off, with the reason; stop() while connecting. */
static void
test_not_set_up (Fixture       *f,
                 gconstpointer  data)
{
  g_clear_pointer (&f->config->backend_token, g_free);
  start_stream (f);
  g_assert_cmpint (cn_event_stream_get_state (f->stream), ==, CN_STREAM_OFF);
  g_assert_nonnull (strstr (cn_event_stream_get_message (f->stream), "token"));

  f->config->backend_token = g_strdup (TOKEN);
  cn_event_stream_set_config (f->stream, f->config);
  g_assert_cmpint (cn_event_stream_get_state (f->stream), ==, CN_STREAM_CONNECTING);
  cn_event_stream_stop (f->stream);
  g_assert_cmpint (cn_event_stream_get_state (f->stream), ==, CN_STREAM_OFF);
  g_clear_object (&f->stream);
  sync_test_spin (200);
}

/* ---- TLS errors are never ignored ---- */

/* The test CA (tests/data/tls) trusted or not by every TLS connection made
 * from now on in this process (a stream made later takes the default
 * database); Callnotes itself is not told anything. */
static void
trust_test_ca (gboolean trust)
{
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) error = NULL;

  if (trust)
    {
      database = g_tls_file_database_new (fake_server_tls_ca_file (), &error);
      g_assert_no_error (error);
    }
  g_tls_backend_set_default_database (g_tls_backend_get_default (), database);
}

/* The fixture's backend replaced by one that speaks only HTTPS with @tls. */
static void
use_https_backend (Fixture *f,
                   FakeTls  tls)
{
  fake_server_free (f->backend);
  f->backend = fake_server_new_https (FAKE_BACKEND, tls);
  fake_server_set_token (f->backend, TOKEN);
  fake_server_sse_set_heartbeat_ms (f->backend, 100);
  g_free (f->config->backend_url);
  f->config->backend_url = g_strdup (fake_server_get_base_url (f->backend));
  g_assert_true (g_str_has_prefix (f->config->backend_url, "https://"));
}

static gboolean
retried (Fixture *f,
         guint    n)
{
  guint reconnecting = 0;

  /* Connected after all: the checks after the wait fail at once. */
  if (fake_server_sse_count_connections (f->backend) > 0)
    return TRUE;

  for (guint i = 0; i < f->states->len; i++)
    if (g_array_index (f->states, CnStreamState, i) == CN_STREAM_RECONNECTING)
      reconnecting++;

  return reconnecting >= n;
}

/* Refused: tried again and again, nothing reaches the server, no event
 * comes, and the reason names the certificate's fault in words. */
static void
assert_tls_refused (Fixture    *f,
                    const char *words)
{
  g_assert_true (wait_for (f, retried, 2, 5000));
  g_assert_false (saw_state (f, CN_STREAM_CONNECTED));
  g_assert_false (saw_state (f, CN_STREAM_STOPPED));
  g_assert_cmpint (cn_event_stream_get_state (f->stream), !=, CN_STREAM_CONNECTED);
  g_assert_cmpuint (fake_server_sse_count_connections (f->backend), ==, 0);
  g_assert_cmpuint (fake_server_count_requests (f->backend, NULL, "/"), ==, 0);
  g_assert_cmpuint (f->events->len, ==, 0);
  g_assert_cmpuint (f->live_calls->len, ==, 0);

  g_test_message ("reason: %s", cn_event_stream_get_message (f->stream));
  g_assert_true (saw_message_with (f, "Could not connect securely to the backend"));
  g_assert_true (saw_message_with (f, words));
  g_assert_false (saw_message_with (f, "Unacceptable TLS certificate"));
  for (guint i = 0; i < f->messages->len; i++)
    g_assert_null (strstr (g_ptr_array_index (f->messages, i), TOKEN));

  /* The failure was logged (the stream's debug message): the token check
   * in fixture_tear_down covers it. */
  g_assert_true (sync_test_log_contains (0, "Could not connect securely to the backend"));
  g_assert_true (sync_test_log_contains (0, words));
}

/* A certificate no trusted authority signed; then, as a positive control,
 * the same server with its test CA trusted: the event comes. */
static void
test_tls_untrusted (Fixture       *f,
                    gconstpointer  data)
{
  use_https_backend (f, FAKE_TLS_LOCALHOST);
  push_event (f, "1", "live_call", LIVE_CALL_CA11);

  start_stream (f);
  assert_tls_refused (f, "certificate is not trusted");

  cn_event_stream_stop (f->stream);
  g_clear_object (&f->stream);
  trust_test_ca (TRUE);
  start_stream (f);
  g_assert_true (wait_for (f, has_events, 1, 5000));
  trust_test_ca (FALSE);
  g_assert_cmpint (cn_event_stream_get_state (f->stream), ==, CN_STREAM_CONNECTED);
  g_assert_cmpuint (f->live_calls->len, ==, 1);
  g_assert_cmpuint (fake_server_sse_count_connections (f->backend), ==, 1);
}

/* Signed by the trusted test CA, but expired or for another host. */
static void
test_tls_bad_certificate (Fixture       *f,
                          gconstpointer  data)
{
  FakeTls tls = GPOINTER_TO_UINT (data);

  use_https_backend (f, tls);
  push_event (f, "1", "live_call", LIVE_CALL_CA11);
  trust_test_ca (TRUE);

  start_stream (f);
  assert_tls_refused (f, tls == FAKE_TLS_EXPIRED ? "certificate has expired"
                                                 : "another host name");
  trust_test_ca (FALSE);
}

static void
add (const char *path,
     gconstpointer data,
     void (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down);
}

int
main (int   argc,
      char *argv[])
{
  sync_test_capture_logs ();
  g_test_init (&argc, &argv, NULL);

  add ("/live/chunking/as-pushed", GUINT_TO_POINTER (FAKE_SSE_NORMAL), test_chunking);
  add ("/live/chunking/one-byte", GUINT_TO_POINTER (FAKE_SSE_ONE_BYTE), test_chunking);
  add ("/live/chunking/one-byte-cr", GUINT_TO_POINTER (FAKE_SSE_ONE_BYTE | FAKE_SSE_CR),
       test_chunking);
  add ("/live/chunking/one-byte-crlf", GUINT_TO_POINTER (FAKE_SSE_ONE_BYTE | FAKE_SSE_CRLF),
       test_chunking);
  add ("/live/chunking/cr", GUINT_TO_POINTER (FAKE_SSE_CR), test_chunking);
  add ("/live/chunking/crlf", GUINT_TO_POINTER (FAKE_SSE_CRLF), test_chunking);
  add ("/live/chunking/lf", GUINT_TO_POINTER (FAKE_SSE_LF), test_chunking);
  add ("/live/chunking/bom", GUINT_TO_POINTER (FAKE_SSE_BOM), test_chunking);
  add ("/live/chunking/bom-one-byte-crlf",
       GUINT_TO_POINTER (FAKE_SSE_BOM | FAKE_SSE_ONE_BYTE | FAKE_SSE_CRLF), test_chunking);
  add ("/live/reconnect/mid-event", NULL, test_reconnect_mid_event);
  add ("/live/reconnect/server-retry", NULL, test_server_retry);
  add ("/live/reconnect/stall", NULL, test_stall);
  add ("/live/reconnect/network", NULL, test_network);
  add ("/live/stop/204", GUINT_TO_POINTER (FAKE_SSE_204), test_not_a_stream);
  add ("/live/stop/500", GUINT_TO_POINTER (FAKE_SSE_500), test_not_a_stream);
  add ("/live/stop/html", GUINT_TO_POINTER (FAKE_SSE_HTML), test_not_a_stream);
  add ("/live/credentials", NULL, test_credentials);
  add ("/live/limits/huge-line", NULL, test_huge_line);
  add ("/live/filter/workspace-and-garbage", NULL, test_workspace_and_garbage);
  add ("/live/lifecycle/stop-in-handler", NULL, test_stop_in_handler);
  add ("/live/lifecycle/not-set-up", NULL, test_not_set_up);
  add ("/live/tls/untrusted-then-trusted", NULL, test_tls_untrusted);
  add ("/live/tls/expired", GUINT_TO_POINTER (FAKE_TLS_EXPIRED), test_tls_bad_certificate);
  add ("/live/tls/wrong-host", GUINT_TO_POINTER (FAKE_TLS_WRONG_HOST), test_tls_bad_certificate);

  return g_test_run ();
}
