/* cn-csv.c: a streaming RFC 4180 reader and writer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-csv"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cn-csv.h"

#define BUFFER_SIZE (64 * 1024)

G_DEFINE_QUARK (cn-csv-error-quark, cn_csv_error)

typedef enum {
  FIELD_START,
  UNQUOTED,
  QUOTED,
  QUOTED_QUOTE,   /* a quote inside a quoted field: the end, or the first of "" */
} State;

struct _CnCsvReader
{
  GInputStream *stream;
  guint8       *buffer;
  gsize         pos;
  gsize         len;
  gboolean      eof;
  gboolean      started;   /* the byte order mark was looked for */
  gboolean      failed;    /* a fatal error: nothing more is read */
  guint         line;      /* physical line of the next byte, from 1 */
  gboolean      prev_cr;   /* the last byte was CR (an LF after it ends no line) */
};

CnCsvReader *
cn_csv_reader_new (GInputStream *stream)
{
  CnCsvReader *reader;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);

  reader = g_new0 (CnCsvReader, 1);
  reader->stream = g_object_ref (stream);
  reader->buffer = g_malloc (BUFFER_SIZE);
  reader->line = 1;
  return reader;
}

void
cn_csv_reader_free (CnCsvReader *reader)
{
  if (reader == NULL)
    return;

  g_object_unref (reader->stream);
  g_free (reader->buffer);
  g_free (reader);
}

/* Reads more bytes after the unread ones; FALSE with @error on failure. */
static gboolean
fill (CnCsvReader   *reader,
      GCancellable  *cancellable,
      GError       **error)
{
  gssize n;

  if (reader->pos > 0)
    {
      memmove (reader->buffer, reader->buffer + reader->pos, reader->len - reader->pos);
      reader->len -= reader->pos;
      reader->pos = 0;
    }

  n = g_input_stream_read (reader->stream, reader->buffer + reader->len,
                           BUFFER_SIZE - reader->len, cancellable, error);
  if (n < 0)
    return FALSE;
  if (n == 0)
    reader->eof = TRUE;
  reader->len += n;
  return TRUE;
}

static gboolean
start (CnCsvReader   *reader,
       GCancellable  *cancellable,
       GError       **error)
{
  while (!reader->eof && reader->len < 3)
    if (!fill (reader, cancellable, error))
      return FALSE;

  if (reader->len >= 3 && memcmp (reader->buffer, "\xef\xbb\xbf", 3) == 0)
    reader->pos = 3;

  reader->started = TRUE;
  return TRUE;
}

typedef struct {
  GPtrArray *fields;
  GString   *field;
  int        problem;   /* a CnCsvError for this record, or -1 */
} Record;

static void
append_byte (Record *record,
             guint8  c)
{
  if (record->field->len >= CN_CSV_MAX_FIELD_BYTES)
    {
      record->problem = CN_CSV_ERROR_TOO_LARGE;
      return;
    }
  g_string_append_c (record->field, (char) c);
}

static void
end_field (Record *record)
{
  if (record->fields->len >= CN_CSV_MAX_FIELDS)
    record->problem = CN_CSV_ERROR_TOO_LARGE;
  else if (!g_utf8_validate_len (record->field->str, record->field->len, NULL))
    {
      if (record->problem < 0)
        record->problem = CN_CSV_ERROR_ENCODING;
    }
  else if (record->problem < 0)
    g_ptr_array_add (record->fields, g_strndup (record->field->str, record->field->len));

  g_string_truncate (record->field, 0);
}

static gboolean
finish_record (Record    *record,
               char    ***fields,
               GError   **error)
{
  g_ptr_array_add (record->fields, NULL);

  switch (record->problem)
    {
    case -1:
      *fields = (char **) g_ptr_array_free (g_steal_pointer (&record->fields), FALSE);
      return TRUE;
    case CN_CSV_ERROR_BAD_QUOTE:
      g_set_error (error, CN_CSV_ERROR, CN_CSV_ERROR_BAD_QUOTE,
                   _("text after the closing quote of a field"));
      return FALSE;
    case CN_CSV_ERROR_ENCODING:
      g_set_error (error, CN_CSV_ERROR, CN_CSV_ERROR_ENCODING,
                   _("the text is not valid UTF-8; save the file as UTF-8"));
      return FALSE;
    default:
      g_set_error (error, CN_CSV_ERROR, CN_CSV_ERROR_TOO_LARGE,
                   _("the row has a field over %u KiB or more than %u fields"),
                   CN_CSV_MAX_FIELD_BYTES / 1024, CN_CSV_MAX_FIELDS);
      return FALSE;
    }
}

gboolean
cn_csv_reader_next (CnCsvReader   *reader,
                    char        ***fields,
                    guint         *line,
                    GCancellable  *cancellable,
                    GError       **error)
{
  Record record = { g_ptr_array_new_with_free_func (g_free), g_string_new (NULL), -1 };
  State state = FIELD_START;
  gboolean in_record = FALSE;
  guint record_line = reader->line;
  gboolean ok = FALSE;

  g_return_val_if_fail (reader != NULL, FALSE);
  g_return_val_if_fail (fields != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *fields = NULL;
  if (line != NULL)
    *line = 0;

  if (reader->failed)
    goto out;

  if (!reader->started && !start (reader, cancellable, error))
    {
      reader->failed = TRUE;
      goto out;
    }

  for (;;)
    {
      guint8 c;
      gboolean newline;

      if (reader->pos == reader->len)
        {
          if (!reader->eof && !fill (reader, cancellable, error))
            {
              reader->failed = TRUE;
              goto out;
            }
          if (reader->pos == reader->len)
            {
              /* The end of the file. */
              if (state == QUOTED)
                {
                  reader->failed = TRUE;
                  g_set_error (error, CN_CSV_ERROR, CN_CSV_ERROR_UNTERMINATED,
                               _("line %u: a quoted field is never closed"), record_line);
                  if (line != NULL)
                    *line = record_line;
                  goto out;
                }
              if (!in_record)
                goto out;
              end_field (&record);
              if (line != NULL)
                *line = record_line;
              ok = finish_record (&record, fields, error);
              goto out;
            }
        }

      c = reader->buffer[reader->pos++];
      newline = c == '\r' || c == '\n';

      /* Count physical lines: CR, LF and CRLF each end one. */
      if (c == '\n' && reader->prev_cr)
        {
          reader->prev_cr = FALSE;
          if (state == QUOTED)
            append_byte (&record, c);
          continue;
        }

      if (!in_record && !newline)
        {
          in_record = TRUE;
          record_line = reader->line;
        }

      if (newline)
        {
          reader->line++;
          reader->prev_cr = c == '\r';
        }
      else
        {
          reader->prev_cr = FALSE;
        }

      switch (state)
        {
        case FIELD_START:
          if (c == '"')
            state = QUOTED;
          else if (c == ',')
            end_field (&record);
          else if (newline)
            {
              if (!in_record)
                continue;   /* a blank line */
              end_field (&record);
              goto record_done;
            }
          else
            {
              append_byte (&record, c);
              state = UNQUOTED;
            }
          break;

        case UNQUOTED:
          if (c == ',')
            {
              end_field (&record);
              state = FIELD_START;
            }
          else if (newline)
            {
              end_field (&record);
              goto record_done;
            }
          else
            append_byte (&record, c);   /* a quote inside is kept as it is */
          break;

        case QUOTED:
          if (c == '"')
            state = QUOTED_QUOTE;
          else
            append_byte (&record, c);
          break;

        case QUOTED_QUOTE:
          if (c == '"')
            {
              append_byte (&record, c);
              state = QUOTED;
            }
          else if (c == ',')
            {
              end_field (&record);
              state = FIELD_START;
            }
          else if (newline)
            {
              end_field (&record);
              goto record_done;
            }
          else
            {
              if (record.problem < 0)
                record.problem = CN_CSV_ERROR_BAD_QUOTE;
              append_byte (&record, c);
              state = UNQUOTED;
            }
          break;

        default:
          g_assert_not_reached ();
        }
    }

record_done:
  if (line != NULL)
    *line = record_line;
  ok = finish_record (&record, fields, error);

out:
  if (record.fields != NULL)
    g_ptr_array_unref (record.fields);
  g_string_free (record.field, TRUE);
  return ok;
}

static gboolean
needs_quotes (const char *field)
{
  gsize len = strlen (field);

  if (len == 0)
    return FALSE;
  if (strpbrk (field, ",\"\r\n") != NULL)
    return TRUE;
  return field[0] == ' ' || field[0] == '\t' || field[len - 1] == ' ' || field[len - 1] == '\t';
}

void
cn_csv_append_field (GString    *out,
                     const char *field)
{
  g_return_if_fail (out != NULL);

  if (field == NULL)
    return;

  if (!needs_quotes (field))
    {
      g_string_append (out, field);
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = field; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

void
cn_csv_append_record (GString            *out,
                      const char * const *fields,
                      guint               n_fields)
{
  g_return_if_fail (out != NULL);

  for (guint i = 0; i < n_fields; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      cn_csv_append_field (out, fields[i]);
    }
  /* A record of one empty field would read back as a blank line. */
  if (n_fields == 1 && (fields[0] == NULL || *fields[0] == '\0'))
    g_string_append (out, "\"\"");
  g_string_append (out, "\r\n");
}
