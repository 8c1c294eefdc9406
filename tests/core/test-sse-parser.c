/* test-sse-parser.c: the Server-Sent Events parser against the WHATWG rules
 * ("Parsing an event stream", "Interpreting an event stream")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test feeds bytes and compares the events delivered (type, data with
 * its length, last event id) and their count with what the standard says.
 */
#define G_LOG_DOMAIN "test-sse-parser"

#include <string.h>

#include <glib.h>

#include "cn-sse-parser.h"

#define MB (1024 * 1024)
#define REPLACEMENT "\xEF\xBF\xBD"

/* ---- collecting events ---------------------------------------------------- */

typedef struct {
  char  *type;
  char  *data;
  gsize  data_length;
  char  *last_event_id;
} Event;

typedef struct {
  const char *type;
  const char *data;          /* NUL-terminated; data_length is strlen unless given */
  const char *last_event_id;
  gsize       data_length;   /* 0: strlen (data) */
} Expected;

static void
event_free (gpointer data)
{
  Event *event = data;

  g_free (event->type);
  g_free (event->data);
  g_free (event->last_event_id);
  g_free (event);
}

static void
on_event (const CnSseEvent *sse,
          gpointer          user_data)
{
  GPtrArray *events = user_data;
  Event *event = g_new0 (Event, 1);

  g_assert_nonnull (sse->type);
  g_assert_nonnull (sse->data);
  g_assert_nonnull (sse->last_event_id);
  /* data is NUL-terminated as well as counted. */
  g_assert_cmpint (sse->data[sse->data_length], ==, '\0');

  event->type = g_strdup (sse->type);
  event->data = g_memdup2 (sse->data, sse->data_length + 1);
  event->data_length = sse->data_length;
  event->last_event_id = g_strdup (sse->last_event_id);
  g_ptr_array_add (events, event);
}

typedef struct {
  CnSseParser *parser;
  GPtrArray   *events;
} Fixture;

static void
fixture_init (Fixture *f,
              gsize    max_bytes)
{
  f->events = g_ptr_array_new_with_free_func (event_free);
  f->parser = cn_sse_parser_new (max_bytes, on_event, f->events);
}

static void
fixture_clear (Fixture *f)
{
  g_clear_pointer (&f->parser, cn_sse_parser_free);
  g_clear_pointer (&f->events, g_ptr_array_unref);
}

static void
feed_len (Fixture    *f,
          const char *bytes,
          gsize       length)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cn_sse_parser_feed (f->parser, bytes, length, &error));
  g_assert_no_error (error);
}

static void
feed (Fixture    *f,
      const char *text)
{
  feed_len (f, text, strlen (text));
}

/* A string literal that may hold NULs. */
#define feed_literal(f, literal) feed_len ((f), (literal), sizeof (literal) - 1)

static void
assert_events (Fixture        *f,
               const Expected *expected,
               guint           n_expected)
{
  g_assert_cmpuint (f->events->len, ==, n_expected);

  for (guint i = 0; i < n_expected; i++)
    {
      Event *event = g_ptr_array_index (f->events, i);
      gsize length = expected[i].data_length != 0 ? expected[i].data_length
                                                  : strlen (expected[i].data);

      g_assert_cmpstr (event->type, ==, expected[i].type);
      g_assert_cmpuint (event->data_length, ==, length);
      g_assert_cmpmem (event->data, event->data_length, expected[i].data, length);
      g_assert_cmpstr (event->last_event_id, ==, expected[i].last_event_id);
    }
}

/* Events as one string, to compare runs: type, data (counted), id. */
static void
serialize_events (GPtrArray *events,
                  GString   *out)
{
  for (guint i = 0; i < events->len; i++)
    {
      Event *event = g_ptr_array_index (events, i);

      g_string_append_printf (out, "<%s|%" G_GSIZE_FORMAT "|", event->type, event->data_length);
      g_string_append_len (out, event->data, (gssize) event->data_length);
      g_string_append_printf (out, "|%s>", event->last_event_id);
    }
}

/* Feeds @stream cut at the offsets in @cuts (ascending), and returns the
 * events, the retry time and whether every feed succeeded, serialized. */
static char *
run_split (const char  *stream,
           gsize        length,
           const gsize *cuts,
           guint        n_cuts,
           gsize        max_bytes)
{
  Fixture f;
  GString *out = g_string_new (NULL);
  gsize from = 0;
  gboolean ok = TRUE;

  fixture_init (&f, max_bytes);

  for (guint i = 0; i <= n_cuts && ok; i++)
    {
      gsize to = i < n_cuts ? cuts[i] : length;
      g_autoptr(GError) error = NULL;

      g_assert_cmpuint (to, >=, from);
      ok = cn_sse_parser_feed (f.parser, stream + from, to - from, &error);
      g_assert_true (ok == (error == NULL));
      from = to;
    }

  serialize_events (f.events, out);
  g_string_append_printf (out, " retry=%" G_GINT64_FORMAT " id=%s ok=%d",
                          cn_sse_parser_get_retry (f.parser),
                          cn_sse_parser_get_last_event_id (f.parser), ok);
  fixture_clear (&f);

  return g_string_free (out, FALSE);
}

/* ---- BOM ------------------------------------------------------------------ */

static void
test_bom (void)
{
  static const Expected a[] = { { "message", "a", "" } };
  static const Expected ab[] = { { "message", "a", "" }, { "message", "b", "" } };
  Fixture f;

  /* One leading BOM is dropped: the line is "data: a". */
  fixture_init (&f, MB);
  feed (&f, "\xEF\xBB\xBF" "data: a\n\n");
  assert_events (&f, a, 1);
  fixture_clear (&f);

  /* Cut anywhere, it is still one BOM. */
  for (gsize cut = 1; cut <= 3; cut++)
    {
      const char *stream = "\xEF\xBB\xBF" "data: a\n\n";

      fixture_init (&f, MB);
      feed_len (&f, stream, cut);
      g_assert_cmpuint (f.events->len, ==, 0);
      feed_len (&f, "", 0);
      feed (&f, stream + cut);
      assert_events (&f, a, 1);
      fixture_clear (&f);
    }

  /* A second BOM is text: U+FEFF starts the field name, "\uFEFFdata" is no
   * known field. So is a BOM later in the stream. */
  fixture_init (&f, MB);
  feed (&f, "\xEF\xBB\xBF\xEF\xBB\xBF" "data: x\n\n");
  feed (&f, "data: a\n\n");
  feed (&f, "\xEF\xBB\xBF" "data: y\n\n");
  assert_events (&f, a, 1);

  /* After a reset (a new connection) the BOM may come again. */
  cn_sse_parser_reset (f.parser);
  feed (&f, "\xEF\xBB\xBF" "data: b\n\n");
  assert_events (&f, ab, 2);
  fixture_clear (&f);

  /* Bytes that begin like a BOM but are not one are kept (here they make
   * the field name unknown, so nothing is delivered). */
  fixture_init (&f, MB);
  feed (&f, "\xEF");
  feed (&f, "data: x\n\n");
  cn_sse_parser_reset (f.parser);
  feed (&f, "\xEF\xBB");
  feed (&f, "data: x\n\n");
  cn_sse_parser_reset (f.parser);
  feed (&f, "\xEF\xBB" "data: x\n\n");
  g_assert_cmpuint (f.events->len, ==, 0);
  /* A stream without a BOM loses nothing. */
  cn_sse_parser_reset (f.parser);
  feed (&f, "data: a\n\n");
  assert_events (&f, a, 1);
  fixture_clear (&f);
}

/* ---- line ends ------------------------------------------------------------ */

static void
test_line_ends (void)
{
  static const struct {
    const char *stream;
    const char *data;    /* the events' data, joined by '|' */
  } cases[] = {
    { "data: a\n\n", "a" },
    { "data: a\r\n\r\n", "a" },
    { "data: a\r\r", "a" },
    { "data: a\r\n\n", "a" },
    { "data: a\n\r\n", "a" },
    { "data: a\r\r\n", "a" },
    { "data: a\n\r", "a" },
    { "data: a\r\n\r", "a" },
    /* LF CR is two line ends; CR CR LF is CR then CRLF. */
    { "data: a\ndata: b\r\ndata: c\rdata: d\n\r", "a\nb\nc\nd" },
    { "data: a\r\rdata: b\n\ndata: c\r\n\r\ndata: d\r\n\n", "a|b|c|d" },
    { "data: a\n\rdata: b\r\r\ndata: c\n\n", "a|b|c" },
    /* CRLF CRLF is one blank line after the data line, not two. */
    { "data: a\r\n\r\ndata: b\r\n\r\n", "a|b" },
    { "event: x\r\n\r\n\r\ndata: a\r\n\r\n", "a" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(GStrv) datas = g_strsplit (cases[i].data, "|", -1);
      Fixture f;

      g_test_message ("stream %" G_GSIZE_FORMAT, i);
      fixture_init (&f, MB);
      feed (&f, cases[i].stream);
      g_assert_cmpuint (f.events->len, ==, g_strv_length (datas));
      for (guint j = 0; j < f.events->len; j++)
        {
          Event *event = g_ptr_array_index (f.events, j);

          g_assert_cmpstr (event->type, ==, "message");
          g_assert_cmpstr (event->data, ==, datas[j]);
        }
      fixture_clear (&f);
    }
}

static void
test_cr_at_chunk_end (void)
{
  Fixture f;

  /* The CR ends the blank line at once: the event is out before the next
   * chunk. The LF starting the next chunk belongs to the CRLF: skipped, it
   * does not make a second blank line. */
  fixture_init (&f, MB);
  feed (&f, "event: t\ndata: a\r");
  g_assert_cmpuint (f.events->len, ==, 0);
  feed (&f, "\r");
  g_assert_cmpuint (f.events->len, ==, 1);
  feed (&f, "\nevent: u\r");
  /* Had that LF been a blank line it would have reset the event type. */
  feed (&f, "\ndata: b\r");
  feed (&f, "\n\r");
  {
    static const Expected expected[] = { { "t", "a", "" }, { "u", "b", "" } };

    assert_events (&f, expected, 2);
  }
  fixture_clear (&f);

  /* "data: a" CR, LF: one line end, so a single event with "a\nb". */
  fixture_init (&f, MB);
  feed (&f, "data: a\r");
  feed (&f, "\n");
  feed (&f, "data: b\n\n");
  {
    static const Expected expected[] = { { "message", "a\nb", "" } };

    assert_events (&f, expected, 1);
  }
  fixture_clear (&f);

  /* Empty chunks in between change nothing; a CR after the CR is a line. */
  fixture_init (&f, MB);
  feed (&f, "data: a\r");
  feed_len (&f, "", 0);
  feed (&f, "\n");
  feed_len (&f, "", 0);
  feed (&f, "\r");
  g_assert_cmpuint (f.events->len, ==, 1);
  feed (&f, "\r\n");
  g_assert_cmpuint (f.events->len, ==, 1);
  fixture_clear (&f);
}

/* ---- every split ---------------------------------------------------------- */

/* A stream with every kind of line: BOM, comments, CR, CRLF, LF, multi-line
 * data, ids, a NUL id, retry, unknown fields, non-ASCII and invalid UTF-8,
 * and an unterminated event at the end. */
static const char split_stream[] =
  "\xEF\xBB\xBF: hello\r\n"
  "retry: 1500\n"
  "id: 1\n"
  "event: live_call\n"
  "data: {\"a\":1,\r\n"
  "data:  \"b\":\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\x9E\"}\r"
  "\r"
  "data\n"
  "\n"
  ":\n"
  "id: 2\0x\n"
  "event\n"
  "data:x\xFFy\xE2\x82\n"
  "foo: bar\n"
  "\r\n"
  "id:\r\n"
  "data: \xE2\x82\xAC\n"
  "\r"
  "id: 3\n"
  "retry: 2s\n"
  "\n"
  "event: t\n"
  "data: pending";

static const Expected split_expected[] = {
  { "live_call", "{\"a\":1,\n \"b\":\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\x9E\"}", "1" },
  { "message", "", "1" },
  { "message", "x" REPLACEMENT "y" REPLACEMENT, "1" },
  { "message", "\xE2\x82\xAC", "" },
};

static void
test_every_split (void)
{
  gsize length = sizeof split_stream - 1;
  g_autofree char *whole = run_split (split_stream, length, NULL, 0, MB);
  g_autofree char *bytes = NULL;
  g_autofree gsize *cuts = g_new (gsize, length + 1);
  Fixture f;

  /* The whole stream at once gives exactly the expected events. */
  fixture_init (&f, MB);
  feed_len (&f, split_stream, length);
  assert_events (&f, split_expected, G_N_ELEMENTS (split_expected));
  /* "id: 3" was followed by a blank line: it is the last event id even
   * though no event was delivered; the retry was kept. */
  g_assert_cmpstr (cn_sse_parser_get_last_event_id (f.parser), ==, "3");
  g_assert_cmpint (cn_sse_parser_get_retry (f.parser), ==, 1500);
  fixture_clear (&f);

  /* In two pieces, cut at every position. */
  for (gsize i = 0; i <= length; i++)
    {
      g_autofree char *split = run_split (split_stream, length, &i, 1, MB);

      if (g_strcmp0 (split, whole) != 0)
        g_test_message ("cut at %" G_GSIZE_FORMAT, i);
      g_assert_cmpstr (split, ==, whole);
    }

  /* In three pieces, every pair of positions. */
  for (gsize i = 0; i <= length; i++)
    for (gsize j = i; j <= length; j++)
      {
        gsize pair[2] = { i, j };
        g_autofree char *split = run_split (split_stream, length, pair, 2, MB);

        if (g_strcmp0 (split, whole) != 0)
          g_test_message ("cut at %" G_GSIZE_FORMAT " and %" G_GSIZE_FORMAT, i, j);
        g_assert_cmpstr (split, ==, whole);
      }

  /* Byte by byte. */
  for (gsize i = 0; i <= length; i++)
    cuts[i] = i;
  bytes = run_split (split_stream, length, cuts, (guint) length + 1, MB);
  g_assert_cmpstr (bytes, ==, whole);
}

/* ---- fields --------------------------------------------------------------- */

static void
test_comments (void)
{
  static const Expected expected[] = { { "message", "a\nb", "" } };
  Fixture f;

  fixture_init (&f, MB);
  feed (&f, ": keep-alive\n:\n::\n: data: no\n");
  feed (&f, "data: a\n: between\ndata: b\n:\n\n");
  /* A comment line is not a blank line: nothing is dispatched by it. */
  feed (&f, ": x\n: y\r\n");
  assert_events (&f, expected, 1);
  fixture_clear (&f);
}

static void
test_field_without_colon (void)
{
  /* The standard's example: "data" alone is data "", two of them "\n"; the
   * last block has no blank line after it and is never dispatched. */
  static const Expected expected[] = {
    { "message", "", "" },
    { "message", "\n", "" },
    { "message", "x", "" },
  };
  Fixture f;

  fixture_init (&f, MB);
  feed (&f, "data\n\ndata\ndata\n\ndata:");
  assert_events (&f, expected, 2);
  cn_sse_parser_reset (f.parser);

  /* "event" alone sets the type to "" (so "message"), "id" alone clears
   * the id. */
  feed (&f, "id: 5\nevent: t\nevent\nid\ndata: x\n\n");
  assert_events (&f, expected, 3);
  g_assert_cmpstr (cn_sse_parser_get_last_event_id (f.parser), ==, "");
  fixture_clear (&f);
}

static void
test_one_space_stripped (void)
{
  static const Expected expected[] = {
    { "message", " x", "" },
    { "message", "x", "" },
    { "message", "x", "" },
    { "message", "\tx", "" },
    { "message", "x ", "" },
    { "message", "", "" },
    { "message", " ", "" },
    { " t", "a:b: c", " 7" },
  };
  Fixture f;

  fixture_init (&f, MB);
  feed (&f, "data:  x\n\n");
  feed (&f, "data: x\n\n");
  feed (&f, "data:x\n\n");
  feed (&f, "data:\tx\n\n");
  feed (&f, "data: x \n\n");
  feed (&f, "data: \n\n");
  feed (&f, "data:  \n\n");
  /* Only the first colon cuts; the same rule for every field. */
  feed (&f, "event:  t\nid:  7\ndata: a:b: c\n\n");
  assert_events (&f, expected, G_N_ELEMENTS (expected));
  fixture_clear (&f);
}

static void
test_multi_line_data (void)
{
  static const Expected expected[] = {
    { "message", "YHOO\n+2\n10", "" },
    { "message", "a\n", "" },
    { "message", "\n\nb", "" },
  };
  Fixture f;

  fixture_init (&f, MB);
  feed (&f, "data: YHOO\ndata: +2\ndata: 10\n\n");
  /* Only the last LF goes. */
  feed (&f, "data: a\ndata:\n\n");
  feed (&f, "data\ndata:\ndata: b\n\n");
  assert_events (&f, expected, G_N_ELEMENTS (expected));
  fixture_clear (&f);
}

static void
test_empty_data_value (void)
{
  static const Expected expected[] = { { "message", "", "" }, { "e", "", "" } };
  Fixture f;

  fixture_init (&f, MB);
  feed (&f, "data:\n\n");
  feed (&f, "event: e\ndata: \n\n");
  assert_events (&f, expected, 2);
  g_assert_cmpuint (((Event *) g_ptr_array_index (f.events, 0))->data_length, ==, 0);
  fixture_clear (&f);
}

static void
test_event_type (void)
{
  static const Expected expected[] = {
    { "message", "1", "" },
    { "add", "2", "" },
    { "message", "3", "" },
    { "remove", "4", "" },
    { "message", "5", "" },
    { "Message", "6", "" },
    { "message", "7", "" },
    { "a", "8", "" },
    { "message", "9", "" },
  };
  Fixture f;

  fixture_init (&f, MB);
  feed (&f, "data: 1\n\n");
  feed (&f, "event: add\ndata: 2\n\n");
  /* The type buffer is emptied by each dispatch. */
  feed (&f, "data: 3\n\n");
  /* The last "event" wins. */
  feed (&f, "event: add\nevent: remove\ndata: 4\n\n");
  /* An empty type is "message". */
  feed (&f, "event:\ndata: 5\n\n");
  feed (&f, "event: Message\ndata: 6\n\n");
  /* A blank line without data empties the type buffer too. */
  feed (&f, "event: lost\n\ndata: 7\n\n");
  /* The type is a C string: cut at a NUL, "message" if nothing is left. */
  feed_literal (&f, "event: a\0b\ndata: 8\n\n");
  feed_literal (&f, "event: \0b\ndata: 9\n\n");
  assert_events (&f, expected, G_N_ELEMENTS (expected));
  fixture_clear (&f);
}

static void
test_id (void)
{
  static const char stream[] =
    "id: 1\ndata: a\n\n"
    "id: 2\0" "x\ndata: b\n\n"    /* a NUL: the field is ignored */
    "data: c\n\n"                 /* no id: the last one stays */
    "id: 3\nid: 4\ndata: d\n\n"   /* the last one wins */
    "id:\ndata: e\n\n"            /* empty: cleared */
    "id: 5\ndata: f\n\n"
    "id\ndata: g\n\n"             /* no colon: cleared */
    "id: caf\xC3\xA9\ndata: h\n\n"
    "id: 6\n\n"                   /* no data: no event, the id is taken */
    "data: i\n\n";
  static const Expected expected[] = {
    { "message", "a", "1" },
    { "message", "b", "1" },
    { "message", "c", "1" },
    { "message", "d", "4" },
    { "message", "e", "" },
    { "message", "f", "5" },
    { "message", "g", "" },
    { "message", "h", "caf\xC3\xA9" },
    { "message", "i", "6" },
  };
  Fixture f;

  fixture_init (&f, MB);
  g_assert_cmpstr (cn_sse_parser_get_last_event_id (f.parser), ==, "");
  feed_len (&f, stream, sizeof stream - 1);
  assert_events (&f, expected, G_N_ELEMENTS (expected));
  g_assert_cmpstr (cn_sse_parser_get_last_event_id (f.parser), ==, "6");

  /* Only a NUL makes the field ignored; an id "\0" alone too. */
  feed_literal (&f, "id: \0\ndata: j\n\n");
  g_assert_cmpuint (f.events->len, ==, G_N_ELEMENTS (expected) + 1);
  g_assert_cmpstr (((Event *) g_ptr_array_index (f.events, 9))->last_event_id, ==, "6");
  fixture_clear (&f);
}

static void
test_id_across_reset (void)
{
  static const Expected expected[] = {
    { "message", "a", "7" },
    { "message", "b", "7" },
    { "message", "c", "7" },
    { "message", "d", "41" },
    { "message", "e", "41" },
  };
  Fixture f;

  fixture_init (&f, MB);
  feed (&f, "id: 7\ndata: a\n\ndata: b\n\n");
  /* An id in an event cut off by the end of the stream never counts. */
  feed (&f, "id: 9\ndata: lost\n");
  g_assert_cmpstr (cn_sse_parser_get_last_event_id (f.parser), ==, "7");
  cn_sse_parser_reset (f.parser);
  g_assert_cmpstr (cn_sse_parser_get_last_event_id (f.parser), ==, "7");
  feed (&f, "data: c\n\n");

  /* Restored from storage: the next events carry it. */
  cn_sse_parser_reset (f.parser);
  cn_sse_parser_set_last_event_id (f.parser, "41");
  g_assert_cmpstr (cn_sse_parser_get_last_event_id (f.parser), ==, "41");
  feed (&f, "data: d\n\n");
  cn_sse_parser_reset (f.parser);
  feed (&f, "data: e\n\n");
  assert_events (&f, expected, G_N_ELEMENTS (expected));

  cn_sse_parser_set_last_event_id (f.parser, NULL);
  g_assert_cmpstr (cn_sse_parser_get_last_event_id (f.parser), ==, "");
  fixture_clear (&f);
}

static void
test_retry (void)
{
  Fixture f;

  fixture_init (&f, MB);
  g_assert_cmpint (cn_sse_parser_get_retry (f.parser), ==, -1);
  feed (&f, "retry: 2000\n");
  g_assert_cmpint (cn_sse_parser_get_retry (f.parser), ==, 2000);

  /* Anything but ASCII digits only is ignored. */
  feed (&f, "retry: 2s\nretry: -1\nretry: +5\nretry: 1.5\nretry: 1 000\nretry:  300\n");
  feed (&f, "retry: 3000 \nretry:\nretry\nretry: \xD9\xA3\nretry: 0x10\n");
  g_assert_cmpint (cn_sse_parser_get_retry (f.parser), ==, 2000);
  feed (&f, "Retry: 5\nretry : 5\n");
  g_assert_cmpint (cn_sse_parser_get_retry (f.parser), ==, 2000);

  feed (&f, "retry:0\n");
  g_assert_cmpint (cn_sse_parser_get_retry (f.parser), ==, 0);
  feed (&f, "retry: 007\n");
  g_assert_cmpint (cn_sse_parser_get_retry (f.parser), ==, 7);
  /* Too large for a gint64: clamped, not wrapped. */
  feed (&f, "retry: 99999999999999999999999999\n");
  g_assert_cmpint (cn_sse_parser_get_retry (f.parser), ==, G_MAXINT64);
  feed (&f, "retry: 9223372036854775807\n");
  g_assert_cmpint (cn_sse_parser_get_retry (f.parser), ==, G_MAXINT64);
  feed (&f, "retry: 9223372036854775806\n");
  g_assert_cmpint (cn_sse_parser_get_retry (f.parser), ==, G_MAXINT64 - 1);

  /* It is taken at once (no blank line needed), dispatches nothing, and
   * outlives a reset. */
  feed (&f, "retry: 2500\n\n");
  g_assert_cmpuint (f.events->len, ==, 0);
  cn_sse_parser_reset (f.parser);
  g_assert_cmpint (cn_sse_parser_get_retry (f.parser), ==, 2500);
  fixture_clear (&f);
}

static void
test_empty_data_not_dispatched (void)
{
  static const Expected expected[] = { { "message", "a", "" } };
  Fixture f;

  fixture_init (&f, MB);
  feed (&f, "\n\n\r\n\r\r");
  feed (&f, "event: x\n\n");
  feed (&f, "retry: 10\n\n");
  feed (&f, ": c\n\n");
  feed (&f, "foo: bar\n\n");
  g_assert_cmpuint (f.events->len, ==, 0);
  feed (&f, "data: a\n\n\n\n");
  assert_events (&f, expected, 1);
  fixture_clear (&f);
}

static void
test_unknown_fields (void)
{
  static const Expected expected[] = { { "message", "a", "" } };
  Fixture f;

  fixture_init (&f, MB);
  /* Names are compared as they are: no case folding, no trimming. */
  feed (&f, "foo: bar\nDATA: x\nData: x\ndata : x\n data: x\ndata\t: x\ndatas: x\n\n");
  feed (&f, "EVENT: t\nevent : t\nID: 1\nid : 1\nda: x\nd: x\n: data\n\n");
  g_assert_cmpuint (f.events->len, ==, 0);
  feed (&f, "foo: bar\ndata: a\nxyz\n\n");
  assert_events (&f, expected, 1);
  fixture_clear (&f);
}

static void
test_unterminated_discarded (void)
{
  static const Expected expected[] = { { "message", "b", "" }, { "message", "c", "" } };
  Fixture f;

  fixture_init (&f, MB);
  /* An event without its blank line... */
  feed (&f, "event: t\ndata: a\n");
  cn_sse_parser_reset (f.parser);
  /* ...and a line without its end are dropped, type included. */
  feed (&f, "data: b\n\ndata: cut");
  cn_sse_parser_reset (f.parser);
  feed (&f, "data: c\n\n");
  /* A CR at the end of the old stream does not swallow the new LF... */
  feed (&f, "data: x\r");
  cn_sse_parser_reset (f.parser);
  /* ...which here is a blank line: nothing is pending, nothing comes. */
  feed (&f, "\n");
  assert_events (&f, expected, 2);
  fixture_clear (&f);
}

/* ---- limits --------------------------------------------------------------- */

static void
test_line_too_large (void)
{
  enum { CHUNK = 64 * 1024, LINE = 5 * MB };
  g_autofree char *chunk = g_malloc (CHUNK);
  g_autoptr(GError) error = NULL;
  Fixture f;
  gsize fed = 0;
  gboolean ok = TRUE;

  memset (chunk, 'x', CHUNK);
  memcpy (chunk, "data: ", 6);

  fixture_init (&f, MB);
  while (fed < LINE)
    {
      ok = cn_sse_parser_feed (f.parser, chunk, CHUNK, &error);
      fed += CHUNK;
      if (!ok)
        break;
      /* What is kept never passes the limit (plus the small floors). */
      g_assert_cmpuint (cn_sse_parser_get_buffered_bytes (f.parser), <=, MB + 2 + 4 * 128);
      memset (chunk, 'x', 6);
    }
  g_assert_false (ok);
  g_assert_error (error, CN_SSE_ERROR, CN_SSE_ERROR_TOO_LARGE);
  /* It failed with the chunk that took the line past 1 MB. */
  g_assert_cmpuint (fed, >, MB);
  g_assert_cmpuint (fed, <=, MB + CHUNK);
  /* What was held is given back. */
  g_assert_cmpuint (cn_sse_parser_get_buffered_bytes (f.parser), <=, 5 * 128);
  g_clear_error (&error);

  /* Until a reset everything fails; then it works again. */
  g_assert_false (cn_sse_parser_feed (f.parser, "data: a\n\n", 9, &error));
  g_assert_error (error, CN_SSE_ERROR, CN_SSE_ERROR_TOO_LARGE);
  g_clear_error (&error);
  cn_sse_parser_reset (f.parser);
  feed (&f, "data: a\n\n");
  g_assert_cmpuint (f.events->len, ==, 1);
  fixture_clear (&f);

  /* Exactly at the limit is fine, one more byte is not: a line in one
   * chunk, and a comment (not even kept) all the same. */
  {
    enum { MAX = 100 };
    g_autofree char *line = g_strnfill (MAX, 'y');
    g_autofree char *stream = NULL;

    memcpy (line, "data:", 5);
    stream = g_strconcat (line, "\n\n", NULL);
    fixture_init (&f, MAX);
    feed (&f, stream);
    g_assert_cmpuint (f.events->len, ==, 1);
    line[0] = ':';
    feed (&f, line);
    g_assert_false (cn_sse_parser_feed (f.parser, "z\n", 2, &error));
    g_assert_error (error, CN_SSE_ERROR, CN_SSE_ERROR_TOO_LARGE);
    g_clear_error (&error);

    cn_sse_parser_reset (f.parser);
    g_free (stream);
    stream = g_strconcat (line, "z\n", NULL);
    g_assert_false (cn_sse_parser_feed (f.parser, stream, strlen (stream), &error));
    g_assert_error (error, CN_SSE_ERROR, CN_SSE_ERROR_TOO_LARGE);
    g_clear_error (&error);
    fixture_clear (&f);
  }
}

static void
test_data_too_large (void)
{
  enum { MAX = 1000 };
  g_autofree char *value = g_strnfill (99, 'v');
  g_autofree char *line = g_strconcat ("data: ", value, "\n", NULL);
  g_autoptr(GError) error = NULL;
  Fixture f;

  /* Ten lines of 99 bytes and their nine LFs: 999 bytes, fine. */
  fixture_init (&f, MAX);
  for (int i = 0; i < 10; i++)
    feed (&f, line);
  feed (&f, "\n");
  g_assert_cmpuint (f.events->len, ==, 1);
  g_assert_cmpuint (((Event *) g_ptr_array_index (f.events, 0))->data_length, ==, 999);

  /* One more byte makes exactly 1000. */
  for (int i = 0; i < 10; i++)
    feed (&f, line);
  feed (&f, "data\n\n");
  g_assert_cmpuint (f.events->len, ==, 2);
  g_assert_cmpuint (((Event *) g_ptr_array_index (f.events, 1))->data_length, ==, 1000);

  /* Then any line more is too much, even an empty one. */
  for (int i = 0; i < 10; i++)
    feed (&f, line);
  feed (&f, "data\n");
  g_assert_false (cn_sse_parser_feed (f.parser, "data\n", 5, &error));
  g_assert_error (error, CN_SSE_ERROR, CN_SSE_ERROR_TOO_LARGE);
  g_clear_error (&error);
  cn_sse_parser_reset (f.parser);

  /* Many short lines in one chunk: fails within it, nothing delivered. */
  {
    g_autoptr(GString) many = g_string_new (NULL);

    for (int i = 0; i < 2000; i++)
      g_string_append (many, "data: 12\n");
    g_string_append (many, "\n");
    g_assert_false (cn_sse_parser_feed (f.parser, many->str, many->len, &error));
    g_assert_error (error, CN_SSE_ERROR, CN_SSE_ERROR_TOO_LARGE);
    g_clear_error (&error);
    g_assert_cmpuint (f.events->len, ==, 2);
  }

  /* Invalid UTF-8 counts once replaced (1 byte becomes 3). */
  cn_sse_parser_reset (f.parser);
  {
    g_autofree char *bad = g_strnfill (400, '\xFF');
    g_autofree char *stream = g_strconcat ("data: ", bad, "\n\n", NULL);

    g_assert_false (cn_sse_parser_feed (f.parser, stream, strlen (stream), &error));
    g_assert_error (error, CN_SSE_ERROR, CN_SSE_ERROR_TOO_LARGE);
    g_clear_error (&error);
  }
  fixture_clear (&f);
}

/* ---- UTF-8 ---------------------------------------------------------------- */

static void
test_invalid_utf8 (void)
{
  static const struct {
    const char *in;
    const char *out;
  } cases[] = {
    { "a\xFF" "b", "a" REPLACEMENT "b" },
    { "\x80", REPLACEMENT },
    { "\xC3\xA9", "\xC3\xA9" },
    /* A truncated sequence is one U+FFFD (its maximal subpart)... */
    { "\xE2\x82", REPLACEMENT },
    { "\xE2\x82x", REPLACEMENT "x" },
    { "\xF0\x9F\x93", REPLACEMENT },
    /* ...an overlong form, a surrogate, a code point past U+10FFFF are
     * one per byte: their second byte is already out of range. */
    { "\xC0\x80", REPLACEMENT REPLACEMENT },
    { "\xE0\x80\x80", REPLACEMENT REPLACEMENT REPLACEMENT },
    { "\xED\xA0\x80", REPLACEMENT REPLACEMENT REPLACEMENT },
    { "\xF4\x90\x80\x80", REPLACEMENT REPLACEMENT REPLACEMENT REPLACEMENT },
    { "\xF5", REPLACEMENT },
    { "\xE2\xE2\x82\xAC", REPLACEMENT "\xE2\x82\xAC" },
    { "\xF0\x9F\x93\x9E", "\xF0\x9F\x93\x9E" },
    { "\xEF\xBB\xBF", "\xEF\xBB\xBF" },  /* not leading: a U+FEFF */
  };
  Fixture f;

  fixture_init (&f, MB);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *stream = g_strconcat ("data: ", cases[i].in, "\n\n", NULL);
      Event *event;

      feed (&f, stream);
      g_assert_cmpuint (f.events->len, ==, i + 1);
      event = g_ptr_array_index (f.events, i);
      g_assert_cmpstr (event->data, ==, cases[i].out);
    }

  /* The event type and the id are decoded the same way. */
  feed (&f, "event: t\xFF\nid: 1\xE2\x82\ndata: x\n\n");
  {
    Event *event = g_ptr_array_index (f.events, f.events->len - 1);

    g_assert_cmpstr (event->type, ==, "t" REPLACEMENT);
    g_assert_cmpstr (event->last_event_id, ==, "1" REPLACEMENT);
  }

  /* A character cut by a chunk's end is whole again. */
  feed (&f, "data: \xE2");
  feed (&f, "\x82");
  feed (&f, "\xAC\n\n");
  g_assert_cmpstr (((Event *) g_ptr_array_index (f.events, f.events->len - 1))->data, ==,
                   "\xE2\x82\xAC");
  fixture_clear (&f);
}

/* ---- CONTRACTS.md --------------------------------------------------------- */

static void
test_contracts_example (void)
{
  static const char stream[] =
    ": connected\n"
    "\n"
    "id: 1042\n"
    "event: live_call\n"
    "data: {\"workspace_id\":\"w1\",\"call_sid\":\"CA11\",\"from\":\"+15550001111\","
    "\"to\":\"+15551234567\",\n"
    "data:  \"status\":\"Picked\",\"contact\":{\"id\":\"42\",\"name\":\"Jane Doe\"}}\n"
    "\n"
    "id: 1043\n"
    "event: call_completed\n"
    "data: {\"workspace_id\":\"w1\",\"call_sid\":\"CA11\",\"status\":\"ANSWER\","
    "\"duration_seconds\":135,\n"
    "data:  \"phone\":\"+15551234567\",\"contact\":{\"id\":\"42\",\"name\":\"Jane Doe\"},\n"
    "data:  \"recording_url\":\"https://rec.example.com/CA11.mp3\",\"direction\":\"outbound\",\n"
    "data:  \"started_at\":\"2026-11-21T10:00:00Z\",\"ended_at\":\"2026-11-21T10:02:15Z\"}\n"
    "\n"
    ":\n";
  static const Expected expected[] = {
    { "live_call",
      "{\"workspace_id\":\"w1\",\"call_sid\":\"CA11\",\"from\":\"+15550001111\","
      "\"to\":\"+15551234567\",\n"
      " \"status\":\"Picked\",\"contact\":{\"id\":\"42\",\"name\":\"Jane Doe\"}}",
      "1042" },
    { "call_completed",
      "{\"workspace_id\":\"w1\",\"call_sid\":\"CA11\",\"status\":\"ANSWER\","
      "\"duration_seconds\":135,\n"
      " \"phone\":\"+15551234567\",\"contact\":{\"id\":\"42\",\"name\":\"Jane Doe\"},\n"
      " \"recording_url\":\"https://rec.example.com/CA11.mp3\",\"direction\":\"outbound\",\n"
      " \"started_at\":\"2026-11-21T10:00:00Z\",\"ended_at\":\"2026-11-21T10:02:15Z\"}",
      "1043" },
  };
  Fixture f;

  fixture_init (&f, MB);
  feed (&f, stream);
  assert_events (&f, expected, G_N_ELEMENTS (expected));
  g_assert_cmpstr (cn_sse_parser_get_last_event_id (f.parser), ==, "1043");
  fixture_clear (&f);

  /* The same with CRLF line ends. */
  {
    g_auto(GStrv) lines = g_strsplit (stream, "\n", -1);
    g_autofree char *crlf = g_strjoinv ("\r\n", lines);

    fixture_init (&f, MB);
    feed (&f, crlf);
    assert_events (&f, expected, G_N_ELEMENTS (expected));
    fixture_clear (&f);
  }
}

/* ---- robustness ----------------------------------------------------------- */

/* UTF-8, where U+0000 is valid (g_utf8_validate() stops at it). */
static gboolean
is_utf8 (const char *s,
         gsize       len)
{
  const char *end = s + len;

  while (s < end)
    {
      const char *nul = memchr (s, '\0', (gsize) (end - s));
      const char *stop = nul != NULL ? nul : end;

      if (!g_utf8_validate_len (s, (gsize) (stop - s), NULL))
        return FALSE;
      s = stop + (nul != NULL);
    }

  return TRUE;
}

static void
check_valid_events (Fixture *f)
{
  for (guint i = 0; i < f->events->len; i++)
    {
      Event *event = g_ptr_array_index (f->events, i);

      g_assert_true (is_utf8 (event->data, event->data_length));
      g_assert_true (g_utf8_validate (event->type, -1, NULL));
      g_assert_true (g_utf8_validate (event->last_event_id, -1, NULL));
      g_assert_cmpstr (event->type, !=, "");
    }
}

static void
test_fuzz (void)
{
  static const char *const pieces[] = {
    "data", "data:", "data: ", "event:", "event: ", "id:", "id: ", "retry:", "retry: 12",
    ":", " ", "\r", "\n", "\r\n", "x", "42", "\xEF\xBB\xBF", "\xC3\xA9", "\xE2\x82", "\xFF",
    "\xF0\x9F\x93\x9E", "\xED\xA0\x80",
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261121);
  guint iterations = g_test_slow () ? 20000 : 2000;

  for (guint iteration = 0; iteration < iterations; iteration++)
    {
      g_autoptr(GString) stream = g_string_new (NULL);
      guint n = (guint) g_rand_int_range (rand, 0, 200);
      gsize max_bytes = g_rand_boolean (rand) ? MB : (gsize) g_rand_int_range (rand, 1, 40);
      g_autofree char *whole = NULL;
      g_autofree gsize *cuts = NULL;
      guint n_cuts;

      for (guint i = 0; i < n; i++)
        {
          if (g_rand_int_range (rand, 0, 4) == 0)
            g_string_append_c (stream, (char) g_rand_int_range (rand, 0, 256));
          else
            g_string_append (stream, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
        }

      /* Random splits give what the whole stream gives. */
      whole = run_split (stream->str, stream->len, NULL, 0, max_bytes);
      n_cuts = (guint) g_rand_int_range (rand, 0, 8);
      cuts = g_new (gsize, n_cuts + 1);
      for (guint i = 0; i < n_cuts; i++)
        cuts[i] = (gsize) g_rand_int_range (rand, 0, (gint32) stream->len + 1);
      for (guint i = 1; i < n_cuts; i++)
        for (guint j = i; j > 0 && cuts[j - 1] > cuts[j]; j--)
          {
            gsize t = cuts[j];

            cuts[j] = cuts[j - 1];
            cuts[j - 1] = t;
          }
      {
        g_autofree char *split = run_split (stream->str, stream->len, cuts, n_cuts, max_bytes);

        g_assert_cmpstr (split, ==, whole);
      }

      /* Every event is valid UTF-8, whatever came in. */
      {
        Fixture f;
        gsize from = 0;

        fixture_init (&f, max_bytes);
        for (guint i = 0; i <= n_cuts; i++)
          {
            gsize to = i < n_cuts ? cuts[i] : stream->len;

            if (!cn_sse_parser_feed (f.parser, stream->str + from, to - from, NULL))
              break;
            from = to;
          }
        check_valid_events (&f);
        g_assert_true (g_utf8_validate (cn_sse_parser_get_last_event_id (f.parser), -1, NULL));
        fixture_clear (&f);
      }
    }

  /* Plain random bytes in random chunks. */
  for (guint iteration = 0; iteration < iterations / 4; iteration++)
    {
      gsize length = (gsize) g_rand_int_range (rand, 0, 4096);
      g_autofree char *bytes = g_malloc (length + 1);
      Fixture f;
      gsize from = 0;

      for (gsize i = 0; i < length; i++)
        bytes[i] = (char) g_rand_int_range (rand, 0, 256);

      fixture_init (&f, (gsize) g_rand_int_range (rand, 1, 2048));
      while (from < length)
        {
          gsize size = (gsize) g_rand_int_range (rand, 0, 300);

          size = MIN (size, length - from);

          if (!cn_sse_parser_feed (f.parser, bytes + from, size, NULL))
            cn_sse_parser_reset (f.parser);
          from += size;
        }
      check_valid_events (&f);
      fixture_clear (&f);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sse-parser/bom", test_bom);
  g_test_add_func ("/sse-parser/line-ends", test_line_ends);
  g_test_add_func ("/sse-parser/cr-at-chunk-end", test_cr_at_chunk_end);
  g_test_add_func ("/sse-parser/every-split", test_every_split);
  g_test_add_func ("/sse-parser/comments", test_comments);
  g_test_add_func ("/sse-parser/field-without-colon", test_field_without_colon);
  g_test_add_func ("/sse-parser/one-space-stripped", test_one_space_stripped);
  g_test_add_func ("/sse-parser/multi-line-data", test_multi_line_data);
  g_test_add_func ("/sse-parser/empty-data-value", test_empty_data_value);
  g_test_add_func ("/sse-parser/event-type", test_event_type);
  g_test_add_func ("/sse-parser/id", test_id);
  g_test_add_func ("/sse-parser/id-across-reset", test_id_across_reset);
  g_test_add_func ("/sse-parser/retry", test_retry);
  g_test_add_func ("/sse-parser/empty-data-not-dispatched", test_empty_data_not_dispatched);
  g_test_add_func ("/sse-parser/unknown-fields", test_unknown_fields);
  g_test_add_func ("/sse-parser/unterminated-discarded", test_unterminated_discarded);
  g_test_add_func ("/sse-parser/line-too-large", test_line_too_large);
  g_test_add_func ("/sse-parser/data-too-large", test_data_too_large);
  g_test_add_func ("/sse-parser/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/sse-parser/contracts-example", test_contracts_example);
  g_test_add_func ("/sse-parser/fuzz", test_fuzz);

  return g_test_run ();
}
