/* cn-sse-parser.c: Server-Sent Events, parsed as the WHATWG EventSource
 * rules say (HTML Living Standard, "Parsing an event stream" and
 * "Interpreting an event stream")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-sse-parser"

#include "config.h"

#include <string.h>

#if defined(__SSE2__) && !defined(CN_SSE_PARSER_PORTABLE)
#include <emmintrin.h>
#endif

#include "cn-sse-parser.h"

/* How this follows the standard, and the few places where it has to choose:
 *
 *  - The stream is UTF-8 decoded the way the Encoding standard's "UTF-8
 *    decode" does it: one leading BOM is dropped (again after a reset: a new
 *    connection is a new stream), and every invalid sequence becomes one
 *    U+FFFD (the standard's "maximal subpart" rule). The decoder never folds
 *    an ASCII byte into a replacement, so CR, LF, ':' and ' ' sit where they
 *    sit in the bytes: lines are split and fields cut on the raw bytes, and
 *    only what reaches the caller (data, event type, id) is decoded. Names
 *    are compared on the raw bytes, which is the same thing: "data" etc. are
 *    ASCII.
 *  - Lines end with CRLF, LF or a lone CR. A CR ends its line at once (an
 *    event is never held back waiting for the next chunk); an LF that comes
 *    right after it, in this chunk or the next one, is skipped.
 *  - "Dispatch the event" follows the steps for web browsers: the last event
 *    ID string is set from the last event ID buffer first, even when the
 *    data buffer is empty and nothing is delivered. A new stream (reset)
 *    starts with the last event ID buffer holding the last event ID string,
 *    as browsers do, so the id survives reconnections; an "id" field of an
 *    event that was cut off by the end of the stream never takes effect.
 *  - "retry" with an empty value has no digits and is ignored; a number too
 *    large for a gint64 is clamped to G_MAXINT64.
 *  - Limits: a line (without its end-of-line) and an event's data (what the
 *    callback would receive, once decoded) may each hold at most max_bytes
 *    bytes, and so may a decoded event type or id (invalid UTF-8 grows when
 *    replaced). A line that spans chunks is checked as its pieces arrive,
 *    before they are kept. After an error every feed() fails until
 *    cn_sse_parser_reset().
 *
 *  - CnSseEvent.type is a C string: an event type with a NUL in it reaches
 *    the callback cut at the NUL ("message" if nothing is left). The data
 *    is counted (data_length) and may hold NULs; it is NUL-terminated as
 *    well.
 *
 * Speed: complete lines are handled in place in the caller's chunk; only a
 * line cut by the end of a chunk is copied. Line ends are looked for 16
 * bytes at a time (SSE2 on x86-64; 8 at a time elsewhere, or when built
 * with CN_SSE_PARSER_PORTABLE), which costs less than a memchr call per
 * line for CR and another for LF. UTF-8 is checked once per chunk, 32 bytes
 * at a time through ASCII, from a line start to the first invalid byte;
 * only the lines from there on are checked one by one. "data" lines go
 * straight to the data buffer. The buffers are reused.
 *
 * The callback must not call cn_sse_parser_feed(), _reset(), _free() or
 * _set_last_event_id() on the parser that calls it.
 */

/* A byte buffer that grows no further than it must: with the limits checked
 * before each append, none holds more than max_bytes + 2 (the trailing LF of
 * the data buffer, and a NUL). */
typedef struct
{
  char  *str;  /* NUL-terminated */
  gsize  len;
  gsize  size;
} Buffer;

/* What a buffer starts with, and what it goes back to when it grew past
 * KEEP_SIZE (on reset and after an error). */
#define INITIAL_SIZE 128
#define KEEP_SIZE    (64 * 1024)

struct _CnSseParser
{
  gsize          max_bytes;
  CnSseEventFunc on_event;
  gpointer       user_data;

  Buffer         line;          /* the start of a line cut by the end of a chunk */
  Buffer         data;          /* the data buffer */
  Buffer         event_type;    /* the event type buffer */
  Buffer         id_buffer;     /* the last event ID buffer */
  Buffer         last_event_id; /* the last event ID string */
  gint64         retry;

  guint          bom_matched;   /* bytes of a leading BOM seen so far */
  gboolean       at_start;      /* no byte of the stream processed yet */
  gboolean       skip_lf;       /* the last line ended with a CR */
  gboolean       failed;        /* a limit was passed; reset() clears it */
  gboolean       id_changed;    /* id_buffer may differ from last_event_id */
};

static const guchar bom[3] = { 0xEF, 0xBB, 0xBF };

G_DEFINE_QUARK (cn-sse-error-quark, cn_sse_error)

/* ---- buffers -------------------------------------------------------------- */

static void
buffer_init (Buffer *buffer)
{
  buffer->str = g_malloc (INITIAL_SIZE);
  buffer->str[0] = '\0';
  buffer->len = 0;
  buffer->size = INITIAL_SIZE;
}

/* Room for @extra more bytes and the NUL. Doubles, but never past what the
 * checked limits can need (@most: max_bytes + 2). */
static inline void
buffer_reserve (Buffer *buffer,
                gsize   extra,
                gsize   most)
{
  gsize needed = buffer->len + extra + 1;
  gsize size;

  if (G_LIKELY (needed <= buffer->size))
    return;

  size = buffer->size < G_MAXSIZE / 2 ? buffer->size * 2 : G_MAXSIZE;
  size = MAX (MIN (size, most), needed);
  buffer->str = g_realloc (buffer->str, size);
  buffer->size = size;
}

static inline void
buffer_append (Buffer     *buffer,
               const char *s,
               gsize       len,
               gsize       most)
{
  buffer_reserve (buffer, len, most);
  memcpy (buffer->str + buffer->len, s, len);
  buffer->len += len;
  buffer->str[buffer->len] = '\0';
}

static inline void
buffer_truncate (Buffer *buffer,
                 gsize   len)
{
  g_assert (len <= buffer->len);
  buffer->len = len;
  buffer->str[len] = '\0';
}

/* Empties @buffer, giving its memory back when it grew large. */
static void
buffer_clear (Buffer *buffer)
{
  if (buffer->size > KEEP_SIZE)
    {
      buffer->str = g_realloc (buffer->str, INITIAL_SIZE);
      buffer->size = INITIAL_SIZE;
    }
  buffer_truncate (buffer, 0);
}

/* ---- UTF-8 ---------------------------------------------------------------- */

#define HIGH_BITS G_GUINT64_CONSTANT (0x8080808080808080)

/* The length of the longest valid UTF-8 prefix of the @len bytes at @s
 * (U+0000 is valid; a sequence cut by the end is not). g_utf8_validate_len()
 * would stop at a NUL; this one also runs through ASCII 32 bytes at a
 * time. */
static gsize
utf8_valid_prefix (const char *s,
                   gsize       len)
{
  const guchar *start = (const guchar *) s;
  const guchar *p = start;
  const guchar *end = p + len;

  while (p < end)
    {
      guchar b = *p;
      guchar lower = 0x80, upper = 0xBF;

      if (b < 0x80)
        {
          p++;
          while (end - p >= 32)
            {
              guint64 w[4];

              memcpy (w, p, 32);
              if ((w[0] | w[1] | w[2] | w[3]) & HIGH_BITS)
                break;
              p += 32;
            }
          while (end - p >= 8)
            {
              guint64 word;

              memcpy (&word, p, 8);
              if (word & HIGH_BITS)
                break;
              p += 8;
            }
          while (p < end && *p < 0x80)
            p++;
          continue;
        }

      if (b >= 0xC2 && b <= 0xDF)
        {
          if (end - p < 2 || (p[1] & 0xC0) != 0x80)
            break;
          p += 2;
        }
      else if (b >= 0xE0 && b <= 0xEF)
        {
          if (b == 0xE0)
            lower = 0xA0;
          else if (b == 0xED)
            upper = 0x9F;
          if (end - p < 3 || p[1] < lower || p[1] > upper || (p[2] & 0xC0) != 0x80)
            break;
          p += 3;
        }
      else if (b >= 0xF0 && b <= 0xF4)
        {
          if (b == 0xF0)
            lower = 0x90;
          else if (b == 0xF4)
            upper = 0x8F;
          if (end - p < 4 || p[1] < lower || p[1] > upper
              || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            break;
          p += 4;
        }
      else
        {
          break;
        }
    }

  return (gsize) (p - start);
}

/* Decodes @len bytes of @s as the Encoding standard's UTF-8 decoder does:
 * valid sequences as they are, each maximal invalid subpart as one U+FFFD.
 * Writes to @out when it is not NULL (the caller made room); returns the
 * length of the result. */
static gsize
utf8_replace (char       *out,
              const char *s,
              gsize       len)
{
  static const char replacement[] = "\xEF\xBF\xBD";
  const guchar *p = (const guchar *) s;
  gsize i = 0, written = 0;

  while (i < len)
    {
      guchar b = p[i];
      guchar lower = 0x80, upper = 0xBF;
      gsize start = i, needed, seen;

      if (b < 0x80)
        {
          if (out != NULL)
            out[written] = (char) b;
          written++;
          i++;
          continue;
        }

      if (b >= 0xC2 && b <= 0xDF)
        {
          needed = 1;
        }
      else if (b >= 0xE0 && b <= 0xEF)
        {
          needed = 2;
          if (b == 0xE0)
            lower = 0xA0;
          else if (b == 0xED)
            upper = 0x9F;
        }
      else if (b >= 0xF0 && b <= 0xF4)
        {
          needed = 3;
          if (b == 0xF0)
            lower = 0x90;
          else if (b == 0xF4)
            upper = 0x8F;
        }
      else
        {
          needed = 0;  /* not a lead byte */
        }

      i++;
      seen = 0;
      if (needed > 0)
        {
          for (; seen < needed && i < len; seen++, i++)
            {
              if (p[i] < lower || p[i] > upper)
                break;  /* this byte is read again */
              lower = 0x80;
              upper = 0xBF;
            }
        }

      if (needed > 0 && seen == needed)
        {
          if (out != NULL)
            memcpy (out + written, s + start, i - start);
          written += i - start;
        }
      else
        {
          if (out != NULL)
            memcpy (out + written, replacement, 3);
          written += 3;
        }
    }

  return written;
}

/* The length of @s once decoded; *@valid is TRUE when that is @s itself.
 * When @known_valid, it is. */
static inline gsize
decoded_length (const char *s,
                gsize       len,
                gboolean    known_valid,
                gboolean   *valid)
{
  *valid = known_valid || utf8_valid_prefix (s, len) == len;
  return *valid ? len : utf8_replace (NULL, s, len);
}

/* Appends @s decoded (@decoded_len from decoded_length()). */
static inline void
buffer_append_decoded (Buffer     *buffer,
                       const char *s,
                       gsize       len,
                       gboolean    valid,
                       gsize       decoded_len,
                       gsize       most)
{
  if (G_LIKELY (valid))
    {
      buffer_append (buffer, s, len, most);
      return;
    }

  buffer_reserve (buffer, decoded_len, most);
  utf8_replace (buffer->str + buffer->len, s, len);
  buffer->len += decoded_len;
  buffer->str[buffer->len] = '\0';
}

/* ---- events --------------------------------------------------------------- */

static void
set_too_large (GError     **error,
               const char  *what,
               gsize        max_bytes)
{
  g_set_error (error, CN_SSE_ERROR, CN_SSE_ERROR_TOO_LARGE,
               "The event stream sent %s longer than %" G_GSIZE_FORMAT " bytes",
               what, max_bytes);
}

/* What a buffer may need at most: max_bytes, an LF and a NUL. */
static inline gsize
buffer_limit (CnSseParser *self)
{
  return self->max_bytes + 2;
}

static void
dispatch (CnSseParser *self)
{
  CnSseEvent event;

  /* 1. The last event ID string takes the buffer's value; the buffer is
   * kept. This happens even when nothing is delivered. */
  if (self->id_changed)
    {
      buffer_truncate (&self->last_event_id, 0);
      buffer_append (&self->last_event_id, self->id_buffer.str, self->id_buffer.len,
                     buffer_limit (self));
      self->id_changed = FALSE;
    }

  /* 2. No data: nothing to deliver. */
  if (self->data.len == 0)
    {
      buffer_truncate (&self->event_type, 0);
      return;
    }

  /* 3. Every "data" line appended an LF: the last one goes. */
  g_assert (self->data.str[self->data.len - 1] == '\n');
  buffer_truncate (&self->data, self->data.len - 1);

  /* 4-6, 8. */
  event.type = self->event_type.str[0] != '\0' ? self->event_type.str : "message";
  event.data = self->data.str;
  event.data_length = self->data.len;
  event.last_event_id = self->last_event_id.str;
  self->on_event (&event, self->user_data);

  /* 7. */
  buffer_truncate (&self->data, 0);
  buffer_truncate (&self->event_type, 0);
}

static gboolean
process_field (CnSseParser  *self,
               const char   *name,
               gsize         name_len,
               const char   *value,
               gsize         value_len,
               gboolean      known_valid,
               GError      **error)
{
  gboolean valid;
  gsize decoded_len;

  switch (name_len)
    {
    case 4:
      if (memcmp (name, "data", 4) != 0)
        return TRUE;

      /* The data so far (its LFs now join lines), then this value, is what
       * the callback would receive. */
      decoded_len = decoded_length (value, value_len, known_valid, &valid);
      if (self->data.len > self->max_bytes || decoded_len > self->max_bytes - self->data.len)
        {
          set_too_large (error, "an event whose data is", self->max_bytes);
          return FALSE;
        }
      buffer_reserve (&self->data, decoded_len + 1, buffer_limit (self));
      buffer_append_decoded (&self->data, value, value_len, valid, decoded_len,
                             buffer_limit (self));
      buffer_append (&self->data, "\n", 1, buffer_limit (self));
      return TRUE;

    case 5:
      if (memcmp (name, "event", 5) == 0)
        {
          decoded_len = decoded_length (value, value_len, known_valid, &valid);
          if (decoded_len > self->max_bytes)
            {
              /* Only replaced invalid UTF-8 can grow a line past it. */
              set_too_large (error, "an event type", self->max_bytes);
              return FALSE;
            }
          buffer_truncate (&self->event_type, 0);
          buffer_append_decoded (&self->event_type, value, value_len, valid, decoded_len,
                                 buffer_limit (self));
        }
      else if (memcmp (name, "retry", 5) == 0 && value_len > 0)
        {
          gint64 ms = 0;

          for (gsize i = 0; i < value_len; i++)
            {
              int digit = value[i] - '0';

              if (digit < 0 || digit > 9)
                return TRUE;  /* not only ASCII digits: ignored */
              ms = ms > (G_MAXINT64 - digit) / 10 ? G_MAXINT64 : ms * 10 + digit;
            }
          self->retry = ms;
        }
      return TRUE;

    case 2:
      if (memcmp (name, "id", 2) != 0 || memchr (value, '\0', value_len) != NULL)
        return TRUE;

      decoded_len = decoded_length (value, value_len, known_valid, &valid);
      if (decoded_len > self->max_bytes)
        {
          set_too_large (error, "an event id", self->max_bytes);
          return FALSE;
        }
      buffer_truncate (&self->id_buffer, 0);
      buffer_append_decoded (&self->id_buffer, value, value_len, valid, decoded_len,
                             buffer_limit (self));
      self->id_changed = TRUE;
      return TRUE;

    default:
      return TRUE;
    }
}

/* One complete line, without its end-of-line; @known_valid when it is
 * known to be valid UTF-8. */
static inline G_ALWAYS_INLINE gboolean
process_line (CnSseParser  *self,
              const char   *line,
              gsize         len,
              gboolean      known_valid,
              GError      **error)
{
  const char *colon, *value, *end;

  if (len == 0)
    {
      dispatch (self);
      return TRUE;
    }

  if (line[0] == ':')
    return TRUE;  /* a comment */

  end = line + len;

  /* Most lines are valid data: straight to the buffer. */
  if (len >= 5 && memcmp (line, "data:", 5) == 0)
    {
      gsize value_len;

      value = line + 5;
      if (value < end && *value == ' ')
        value++;
      value_len = (gsize) (end - value);

      if (G_LIKELY (known_valid && self->data.len <= self->max_bytes
                    && value_len <= self->max_bytes - self->data.len))
        {
          buffer_reserve (&self->data, value_len + 1, buffer_limit (self));
          memcpy (self->data.str + self->data.len, value, value_len);
          self->data.len += value_len;
          self->data.str[self->data.len++] = '\n';
          self->data.str[self->data.len] = '\0';
          return TRUE;
        }

      return process_field (self, line, 4, value, value_len, known_valid, error);
    }

  /* Field names are short: a plain loop finds the colon sooner than a
   * call would. */
  for (colon = line; colon < end && *colon != ':'; colon++)
    ;
  if (colon == end)
    return process_field (self, line, len, "", 0, TRUE, error);

  value = colon + 1;
  if (value < end && *value == ' ')
    value++;

  return process_field (self, line, (gsize) (colon - line), value, (gsize) (end - value),
                        known_valid, error);
}

/* ---- lines ---------------------------------------------------------------- */

#define ONES G_GUINT64_CONSTANT (0x0101010101010101)

/* Bit 7 of each byte of @word that is zero is set (and perhaps of bytes
 * after a zero byte, never before: the first one is exact). */
static inline guint64
zero_bytes (guint64 word)
{
  return (word - ONES) & ~word & HIGH_BITS;
}

/* The first CR or LF in [p, end), or end: sixteen bytes at a time with
 * SSE2 (every x86-64 has it), else eight at a time. */
static inline const char *
find_eol (const char *p,
          const char *end)
{
#if defined(__SSE2__) && !defined(CN_SSE_PARSER_PORTABLE)
  const __m128i lf = _mm_set1_epi8 ('\n');
  const __m128i cr = _mm_set1_epi8 ('\r');

  while (end - p >= 16)
    {
      __m128i v = _mm_loadu_si128 ((const __m128i *) p);
      int mask = _mm_movemask_epi8 (_mm_or_si128 (_mm_cmpeq_epi8 (v, lf),
                                                  _mm_cmpeq_epi8 (v, cr)));

      if (mask != 0)
        return p + __builtin_ctz ((unsigned int) mask);
      p += 16;
    }
#endif

  while (end - p >= 8)
    {
      guint64 word, found;

      memcpy (&word, p, 8);
      word = GUINT64_FROM_LE (word);  /* the first byte in the low bits */
      found = zero_bytes (word ^ (ONES * '\n')) | zero_bytes (word ^ (ONES * '\r'));
      if (found != 0)
        return p + __builtin_ctzll (found) / 8;
      p += 8;
    }

  for (; p < end; p++)
    if (*p == '\n' || *p == '\r')
      return p;

  return end;
}

/* Splits @length bytes (the BOM already dropped) into lines. */
static gboolean
feed_lines (CnSseParser  *self,
            const char   *data,
            gsize         length,
            GError      **error)
{
  const char *p = data;
  const char *end = data + length;
  const char *valid_end;          /* valid UTF-8 from a line start up to there */
  gboolean skip_lf = self->skip_lf;

  if (length == 0)
    return TRUE;

  valid_end = p + utf8_valid_prefix (p, length);

  if (skip_lf)
    {
      skip_lf = FALSE;
      if (*p == '\n')
        p++;
    }

  while (p < end)
    {
      const char *eol = find_eol (p, end);
      gsize len = (gsize) (eol - p);
      gboolean ok;

      /* Checked before anything is kept: self->line never passes the
       * limit. */
      if (G_UNLIKELY (len > self->max_bytes - self->line.len))
        {
          set_too_large (error, "a line", self->max_bytes);
          return FALSE;
        }

      if (eol == end)
        {
          /* The line goes on in the next chunk. */
          buffer_append (&self->line, p, len, buffer_limit (self));
          break;
        }

      if (G_LIKELY (self->line.len == 0))
        {
          /* The chunk is checked for UTF-8 in long runs, from a line start
           * to its first invalid byte; a line before that one is valid. */
          if (valid_end < p)
            valid_end = p + utf8_valid_prefix (p, (gsize) (end - p));

          ok = process_line (self, p, len, eol <= valid_end, error);
        }
      else
        {
          buffer_append (&self->line, p, len, buffer_limit (self));
          ok = process_line (self, self->line.str, self->line.len, FALSE, error);
          buffer_truncate (&self->line, 0);
        }

      if (G_UNLIKELY (!ok))
        return FALSE;

      p = eol + 1;
      if (*eol == '\r')
        {
          /* A CRLF: its LF is skipped, now or at the next chunk. */
          if (p == end)
            skip_lf = TRUE;
          else if (*p == '\n')
            p++;
        }
    }

  self->skip_lf = skip_lf;
  return TRUE;
}

/* Drops the line and the event being built; the next event starts from the
 * last event ID string. */
static void
drop_pending (CnSseParser *self)
{
  buffer_clear (&self->line);
  buffer_clear (&self->data);
  buffer_clear (&self->event_type);
  buffer_clear (&self->id_buffer);
  buffer_append (&self->id_buffer, self->last_event_id.str, self->last_event_id.len,
                 buffer_limit (self));
  self->id_changed = FALSE;
}

/* ---- public --------------------------------------------------------------- */

CnSseParser *
cn_sse_parser_new (gsize          max_bytes,
                   CnSseEventFunc on_event,
                   gpointer       user_data)
{
  CnSseParser *self;

  g_return_val_if_fail (max_bytes > 0 && max_bytes <= G_MAXSIZE - 2, NULL);
  g_return_val_if_fail (on_event != NULL, NULL);

  self = g_new0 (CnSseParser, 1);
  self->max_bytes = max_bytes;
  self->on_event = on_event;
  self->user_data = user_data;
  buffer_init (&self->line);
  buffer_init (&self->data);
  buffer_init (&self->event_type);
  buffer_init (&self->id_buffer);
  buffer_init (&self->last_event_id);
  self->retry = -1;
  self->at_start = TRUE;

  return self;
}

void
cn_sse_parser_free (CnSseParser *self)
{
  if (self == NULL)
    return;

  g_free (self->line.str);
  g_free (self->data.str);
  g_free (self->event_type.str);
  g_free (self->id_buffer.str);
  g_free (self->last_event_id.str);
  g_free (self);
}

gboolean
cn_sse_parser_feed (CnSseParser  *self,
                    const char   *data,
                    gsize         length,
                    GError      **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->failed)
    {
      g_set_error_literal (error, CN_SSE_ERROR, CN_SSE_ERROR_TOO_LARGE,
                           "The event stream was refused already");
      return FALSE;
    }

  if (self->at_start)
    {
      /* A leading BOM, perhaps cut by the end of a chunk. */
      while (length > 0 && self->bom_matched < sizeof bom
             && (guchar) *data == bom[self->bom_matched])
        {
          self->bom_matched++;
          data++;
          length--;
        }

      if (self->bom_matched == sizeof bom)
        {
          self->at_start = FALSE;
        }
      else if (length > 0)
        {
          /* Not a BOM after all: the bytes held back are text. */
          self->at_start = FALSE;
          if (self->bom_matched > 0
              && !feed_lines (self, (const char *) bom, self->bom_matched, error))
            goto failed;
        }
      else
        {
          return TRUE;
        }
    }

  if (!feed_lines (self, data, length, error))
    goto failed;

  return TRUE;

failed:
  self->failed = TRUE;
  drop_pending (self);
  return FALSE;
}

void
cn_sse_parser_reset (CnSseParser *self)
{
  g_return_if_fail (self != NULL);

  drop_pending (self);
  self->bom_matched = 0;
  self->at_start = TRUE;
  self->skip_lf = FALSE;
  self->failed = FALSE;
}

const char *
cn_sse_parser_get_last_event_id (CnSseParser *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->last_event_id.str;
}

void
cn_sse_parser_set_last_event_id (CnSseParser *self,
                                 const char  *id)
{
  gsize len;

  g_return_if_fail (self != NULL);

  if (id == NULL)
    id = "";
  len = strlen (id);

  /* What a stream's "id" field could have set: UTF-8, no line end, within
   * the limit. */
  g_return_if_fail (g_utf8_validate_len (id, len, NULL));
  g_return_if_fail (strpbrk (id, "\r\n") == NULL);
  g_return_if_fail (len <= self->max_bytes);

  buffer_truncate (&self->last_event_id, 0);
  buffer_append (&self->last_event_id, id, len, buffer_limit (self));
  buffer_truncate (&self->id_buffer, 0);
  buffer_append (&self->id_buffer, id, len, buffer_limit (self));
  self->id_changed = FALSE;
}

gint64
cn_sse_parser_get_retry (CnSseParser *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return self->retry;
}

gsize
cn_sse_parser_get_buffered_bytes (CnSseParser *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->line.size + self->data.size + self->event_type.size + self->id_buffer.size
         + self->last_event_id.size;
}
