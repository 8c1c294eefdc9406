/* bench-sse-parser.c: the SSE parser's throughput, against a plain line split
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   bench-sse-parser [--mb N] [--runs N] [--chunk BYTES]
 *
 * Builds an N MB (default 100) event stream in memory like the one GET
 * /api/events sends (CONTRACTS.md): "id", "event" and "data" lines with the
 * call_completed / live_call JSON, a third of the events with that JSON
 * over several "data" lines, a keep-alive comment every four events, and
 * every fifth event with CRLF line ends. Then, alternately for --runs runs
 * (default 5):
 *  - feeds it to CnSseParser in 64 KB chunks, counting events;
 *  - splits the same bytes into lines with a plain memchr ('\n') loop,
 *    counting lines.
 * Prints the median MB/s and events/s of each and the ratio of the median
 * times. Target: the parser within 3x of the line split.
 */
#define G_LOG_DOMAIN "bench-sse-parser"

#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bench-util.h"
#include "cn-sse-parser.h"

#define TARGET_RATIO 3.0

typedef struct {
  guint64 events;
  guint64 data_bytes;
} Counts;

static void
on_event (const CnSseEvent *event,
          gpointer          user_data)
{
  Counts *counts = user_data;

  counts->events++;
  counts->data_bytes += event->data_length;
}

/* Appends one line, with CRLF or LF. */
static void
append_line (GString    *out,
             gboolean    crlf,
             const char *format,
             ...) G_GNUC_PRINTF (3, 4);

static void
append_line (GString    *out,
             gboolean    crlf,
             const char *format,
             ...)
{
  va_list args;

  va_start (args, format);
  g_string_append_vprintf (out, format, args);
  va_end (args);
  g_string_append (out, crlf ? "\r\n" : "\n");
}

/* A stream of at least @size bytes; *@n_events events in it. */
static GString *
build_stream (gsize    size,
              guint64 *n_events)
{
  GString *out = g_string_sized_new (size + 4096);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  guint64 n = 0;

  while (out->len < size)
    {
      gboolean crlf = n % 5 == 4;
      guint sid = g_rand_int_range (rand, 10, 99999);
      guint duration = g_rand_int_range (rand, 0, 3600);
      guint phone = g_rand_int_range (rand, 1000000, 9999999);
      guint contact = g_rand_int_range (rand, 1, 100000);

      if (n % 4 == 0)
        append_line (out, crlf, ": keep-alive");

      append_line (out, crlf, "id: %" G_GUINT64_FORMAT, 1000 + n);

      if (n % 3 == 0)
        {
          /* The CONTRACTS.md layout: JSON over four "data" lines. */
          append_line (out, crlf, "event: call_completed");
          append_line (out, crlf,
                       "data: {\"workspace_id\":\"w1\",\"call_sid\":\"CA%u\",\"status\":\"ANSWER\","
                       "\"duration_seconds\":%u,", sid, duration);
          append_line (out, crlf,
                       "data:  \"phone\":\"+1555%07u\",\"contact\":{\"id\":\"%u\","
                       "\"name\":\"Jane Doe\"},", phone, contact);
          append_line (out, crlf,
                       "data:  \"recording_url\":\"https://rec.example.com/CA%u.mp3\","
                       "\"direction\":\"outbound\",", sid);
          append_line (out, crlf,
                       "data:  \"started_at\":\"2026-11-21T10:00:00Z\","
                       "\"ended_at\":\"2026-11-21T10:02:15Z\"}");
        }
      else if (n % 3 == 1)
        {
          append_line (out, crlf, "event: call_completed");
          append_line (out, crlf,
                       "data: {\"workspace_id\":\"w1\",\"call_sid\":\"CA%u\","
                       "\"status\":\"NOANSWER\","
                       "\"duration_seconds\":%u,\"phone\":\"+1555%07u\",\"contact\":{\"id\":\"%u\","
                       "\"name\":\"Jos\xC3\xA9 Mu\xC3\xB1oz\"},\"recording_url\":null,"
                       "\"direction\":\"inbound\",\"started_at\":\"2026-11-21T10:00:00Z\","
                       "\"ended_at\":\"2026-11-21T10:00:31Z\"}", sid, duration, phone, contact);
        }
      else
        {
          append_line (out, crlf, "event: live_call");
          append_line (out, crlf,
                       "data: {\"workspace_id\":\"w1\",\"call_sid\":\"CA%u\","
                       "\"from\":\"+15550001111\","
                       "\"to\":\"+1555%07u\",\"status\":\"Picked\",\"contact\":{\"id\":\"%u\","
                       "\"name\":\"Jane Doe\"}}", sid, phone, contact);
        }

      append_line (out, crlf, "%s", "");
      n++;
    }

  *n_events = n;
  return out;
}

static double
run_parser (const GString *stream,
            gsize          chunk,
            Counts        *counts)
{
  g_autoptr(CnSseParser) parser = cn_sse_parser_new (1024 * 1024, on_event, counts);
  gint64 start = g_get_monotonic_time ();

  for (gsize at = 0; at < stream->len; at += chunk)
    {
      g_autoptr(GError) error = NULL;

      if (!cn_sse_parser_feed (parser, stream->str + at, MIN (chunk, stream->len - at), &error))
        g_error ("The parser failed: %s", error->message);
    }

  return bench_elapsed_ms (start);
}

static double
run_split (const GString *stream,
           guint64       *lines)
{
  const char *p = stream->str;
  const char *end = stream->str + stream->len;
  guint64 n = 0;
  gint64 start = g_get_monotonic_time ();

  while (p < end)
    {
      const char *eol = memchr (p, '\n', (gsize) (end - p));

      if (eol == NULL)
        break;
      n++;
      p = eol + 1;
    }

  *lines = n;
  return bench_elapsed_ms (start);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- the SSE parser's throughput");
  g_autoptr(GError) error = NULL;
  int mb = 100, runs = 5, chunk = 64 * 1024;
  GOptionEntry entries[] = {
    { "mb", 0, 0, G_OPTION_ARG_INT, &mb, "Size of the stream in MB (100)", "N" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Runs of each (5)", "N" },
    { "chunk", 0, 0, G_OPTION_ARG_INT, &chunk, "Bytes per feed (65536)", "BYTES" },
    { NULL }
  };
  g_autoptr(GString) stream = NULL;
  g_autofree double *parser_ms = NULL;
  g_autofree double *split_ms = NULL;
  guint64 n_events, lines = 0;
  Counts counts = { 0, 0 };
  double parser_median, split_median, parser_best, split_best, megabytes, ratio;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || mb <= 0 || runs <= 0 || chunk <= 0)
    {
      g_printerr ("%s\n", error != NULL ? error->message
                                        : "--mb, --runs and --chunk must be positive");
      return 1;
    }

  stream = build_stream ((gsize) mb * 1024 * 1024, &n_events);
  megabytes = stream->len / (1024.0 * 1024.0);
  g_print ("Stream: %.1f MB, %" G_GUINT64_FORMAT " events, fed in %d-byte chunks, %d runs\n",
           megabytes, n_events, chunk, runs);

  parser_ms = g_new (double, runs);
  split_ms = g_new (double, runs);
  for (int i = 0; i < runs; i++)
    {
      Counts run_counts = { 0, 0 };

      parser_ms[i] = run_parser (stream, (gsize) chunk, &run_counts);
      split_ms[i] = run_split (stream, &lines);

      if (run_counts.events != n_events)
        g_error ("The parser gave %" G_GUINT64_FORMAT " events, not %" G_GUINT64_FORMAT,
                 run_counts.events, n_events);
      counts = run_counts;
    }

  parser_median = bench_percentile (parser_ms, (guint) runs, 0.5);
  split_median = bench_percentile (split_ms, (guint) runs, 0.5);
  parser_best = bench_percentile (parser_ms, (guint) runs, 0.0);
  split_best = bench_percentile (split_ms, (guint) runs, 0.0);
  ratio = parser_median / split_median;

  g_print ("\n%-28s %9s %9s %8s %13s %13s\n",
           "", "median ms", "best ms", "MB/s", "events/s", "lines/s");
  g_print ("%-28s %9.1f %9.1f %8.0f %13.0f %13s\n", "CnSseParser, chunks of feed",
           parser_median, parser_best, megabytes / (parser_median / 1000.0),
           n_events / (parser_median / 1000.0), "");
  g_print ("%-28s %9.1f %9.1f %8.0f %13.0f %13.0f\n", "memchr ('\\n') line split",
           split_median, split_best, megabytes / (split_median / 1000.0),
           n_events / (split_median / 1000.0), lines / (split_median / 1000.0));
  g_print ("(MB/s and per-second figures from the medians; events/s of the split: the\n"
           " stream's events over its time)\n");
  g_print ("\nEvents: %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT " bytes of data); lines: %"
           G_GUINT64_FORMAT "\n", counts.events, counts.data_bytes, lines);
  g_print ("Ratio parser / line split: %.2f median, %.2f best (target <= %.1f): %s\n",
           ratio, parser_best / split_best, TARGET_RATIO,
           ratio <= TARGET_RATIO ? "met" : "NOT met");

  return 0;
}
