/* test-csv.c: the RFC 4180 reader and writer, and call logs as CSV rows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "cn-call-csv.h"
#include "cn-csv.h"

/* Reads all of @data; each record as "a|b|c" with its line "L:", problems
 * as "L!code", the fatal end as "FATAL:L:code". */
static char *
read_all (const char *data,
          gssize      len)
{
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(CnCsvReader) reader = NULL;
  GString *out = g_string_new (NULL);

  if (len < 0)
    len = strlen (data);
  stream = g_memory_input_stream_new_from_data (g_memdup2 (data, len), len, g_free);
  reader = cn_csv_reader_new (stream);

  for (;;)
    {
      g_auto(GStrv) fields = NULL;
      g_autoptr(GError) error = NULL;
      guint line = 0;

      if (!cn_csv_reader_next (reader, &fields, &line, NULL, &error))
        {
          if (error == NULL)
            break;
          g_assert_true (error->domain == CN_CSV_ERROR);
          if (error->code == CN_CSV_ERROR_UNTERMINATED)
            {
              g_string_append_printf (out, "FATAL:%u:%d", line, error->code);
              break;
            }
          g_string_append_printf (out, "%u!%d\n", line, error->code);
          continue;
        }

      g_autofree char *joined = g_strjoinv ("|", fields);
      g_string_append_printf (out, "%u:%s\n", line, joined);
    }

  return g_string_free (out, FALSE);
}

static void
assert_reads (const char *data,
              const char *expected)
{
  g_autofree char *got = read_all (data, -1);

  g_assert_cmpstr (got, ==, expected);
}

static void
test_plain (void)
{
  assert_reads ("a,b,c\n1,2,3\n", "1:a|b|c\n2:1|2|3\n");
  /* No newline at the end. */
  assert_reads ("a,b\n1,2", "1:a|b\n2:1|2\n");
  /* Empty fields, at the start, middle and end. */
  assert_reads (",x,,\n", "1:|x||\n");
  /* An empty file, and blank lines, give no records. */
  assert_reads ("", "");
  assert_reads ("\n\r\n\n", "");
  assert_reads ("a\n\nb\n", "1:a\n3:b\n");
}

static void
test_line_ends (void)
{
  assert_reads ("a,b\r\n1,2\r\n", "1:a|b\n2:1|2\n");
  /* A lone CR ends a line too (old Mac files). */
  assert_reads ("a,b\r1,2\r3,4", "1:a|b\n2:1|2\n3:3|4\n");
  /* Mixed. */
  assert_reads ("a\r\nb\nc\rd\n", "1:a\n2:b\n3:c\n4:d\n");
}

static void
test_quotes (void)
{
  /* "" inside a quoted field is one quote; commas are kept. */
  assert_reads ("\"He said \"\"hi\"\", then left\",x\n",
                "1:He said \"hi\", then left|x\n");
  /* A quoted empty field. */
  assert_reads ("\"\",\"\"\n", "1:|\n");
  /* A lone line of "" is a record with one empty field, not a blank line. */
  assert_reads ("\"\"\n", "1:\n");
  /* Spaces inside quotes are kept, outside too (RFC 4180: part of the field). */
  assert_reads ("\" a \", b \n", "1: a | b \n");
  /* A quote in the middle of an unquoted field is kept as it is. */
  assert_reads ("5\" tall,x\n", "1:5\" tall|x\n");
}

static void
test_embedded_newlines (void)
{
  /* LF, CRLF and CR inside quotes are kept as written; the line numbers of
   * the next records count them. */
  assert_reads ("\"one\ntwo\",x\nnext\n", "1:one\ntwo|x\n3:next\n");
  assert_reads ("\"one\r\ntwo\",x\r\nnext\r\n", "1:one\r\ntwo|x\n3:next\n");
  assert_reads ("\"one\rtwo\",x\rnext\r", "1:one\rtwo|x\n3:next\n");
  assert_reads ("h\n\"a\n\nb\n\"\nlast\n", "1:h\n2:a\n\nb\n\n6:last\n");
}

static void
test_embedded_newline_then_last (void)
{
  assert_reads ("h\n\"a\n\nb\n\",z\nlast\n", "1:h\n2:a\n\nb\n|z\n6:last\n");
}

static void
test_bom (void)
{
  assert_reads ("\xef\xbb\xbfphone,outcome\r\n1,busy\r\n", "1:phone|outcome\n2:1|busy\n");
  /* Only at the very start. */
  assert_reads ("a\n\xef\xbb\xbf" "b\n", "1:a\n2:\xef\xbb\xbf" "b\n");
}

static void
test_errors (void)
{
  /* Text after a closing quote: that record is reported, the next read. */
  assert_reads ("a,b\n\"x\"y,z\nok,1\n", "1:a|b\n2!1\n3:ok|1\n");
  /* Not UTF-8: reported by line, the rest read. */
  assert_reads ("a\n\xff\xfe,1\nb\n", "1:a\n2!2\n3:b\n");
  /* An unterminated quote ends the file, naming the line it starts on. */
  assert_reads ("a\nb\n\"never\nclosed,\n", "1:a\n2:b\nFATAL:3:0");
}

static void
test_limits (void)
{
  g_autoptr(GString) data = g_string_new ("\"");
  g_autofree char *got = NULL;

  /* A field over the limit is reported, and memory does not grow with it. */
  for (guint i = 0; i < CN_CSV_MAX_FIELD_BYTES + 10; i++)
    g_string_append_c (data, 'x');
  g_string_append (data, "\",1\nnext\n");
  got = read_all (data->str, data->len);
  g_assert_cmpstr (got, ==, "1!3\n2:next\n");

  /* Too many fields. */
  g_string_truncate (data, 0);
  for (guint i = 0; i <= CN_CSV_MAX_FIELDS; i++)
    g_string_append (data, "x,");
  g_string_append (data, "x\nnext\n");
  g_free (got);
  got = read_all (data->str, data->len);
  g_assert_cmpstr (got, ==, "1!3\n2:next\n");
}

/* Bigger than the reader's buffer, so records cross its edge (and a CRLF is
 * split between two reads somewhere). */
static void
test_large_file (void)
{
  g_autoptr(GString) data = g_string_new ("id,text\r\n");
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(CnCsvReader) reader = NULL;
  g_auto(GStrv) header = NULL;
  guint n = 0;

  for (guint i = 0; i < 20000; i++)
    g_string_append_printf (data, "%u,\"multi\r\nline %u\"\r\n", i, i);

  stream = g_memory_input_stream_new_from_data (g_strdup (data->str), data->len, g_free);
  reader = cn_csv_reader_new (stream);
  g_assert_true (cn_csv_reader_next (reader, &header, NULL, NULL, NULL));

  for (;;)
    {
      g_auto(GStrv) fields = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *expected_text = NULL;
      g_autofree char *expected_id = NULL;
      guint line;

      if (!cn_csv_reader_next (reader, &fields, &line, NULL, &error))
        {
          g_assert_no_error (error);
          break;
        }
      expected_id = g_strdup_printf ("%u", n);
      expected_text = g_strdup_printf ("multi\r\nline %u", n);
      g_assert_cmpuint (g_strv_length (fields), ==, 2);
      g_assert_cmpstr (fields[0], ==, expected_id);
      g_assert_cmpstr (fields[1], ==, expected_text);
      g_assert_cmpuint (line, ==, 2 + 2 * n);
      n++;
    }
  g_assert_cmpuint (n, ==, 20000);
}

static void
test_writer (void)
{
  const char *fields[] = { "plain", "a,b", "say \"hi\"", "two\nlines", "cr\rlf\r\n", " lead",
                           "trail\t", "", NULL, "😀 שלום عربى" };
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *got = NULL;

  cn_csv_append_record (out, fields, G_N_ELEMENTS (fields));
  g_assert_cmpstr (out->str, ==,
                   "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\rlf\r\n\",\" lead\","
                   "\"trail\t\",,,😀 שלום عربى\r\n");

  /* And it reads back to the same fields (NULL as empty). */
  got = read_all (out->str, out->len);
  g_assert_cmpstr (got, ==,
                   "1:plain|a,b|say \"hi\"|two\nlines|cr\rlf\r\n| lead|trail\t|||😀 שלום عربى\n");

  /* One empty field is written so it does not read as a blank line. */
  g_string_truncate (out, 0);
  cn_csv_append_record (out, (const char *[]) { "" }, 1);
  g_assert_cmpstr (out->str, ==, "\"\"\r\n");
}

static CnCallLog *
row_to_log (const char * const *header,
            const char * const *row,
            GError            **error)
{
  CnCallCsvMapping mapping;
  gboolean had_uuid;
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

  cn_call_csv_mapping_init (&mapping, header);
  return cn_call_csv_row_to_log (&mapping, row, "1", utc, &had_uuid, error);
}

static void
test_foreign_header (void)
{
  const char *header[] = { "Telephone", "Disposition", "Comments", "Contact Name", "Date Time",
                           "Length", "Other", NULL };
  const char *row[] = { "(555) 123-4567", "No Answer", "rang out", "Dana", "2026-11-01 14:05",
                        "2:15", "x", NULL };
  CnCallCsvMapping mapping;
  g_autoptr(CnCallLog) log = NULL;
  g_autoptr(GError) error = NULL;

  cn_call_csv_mapping_init (&mapping, header);
  g_assert_false (mapping.ours);
  g_assert_cmpint (cn_call_csv_mapping_get (&mapping, CN_CALL_FIELD_PHONE), ==, 0);
  g_assert_cmpint (cn_call_csv_mapping_get (&mapping, CN_CALL_FIELD_OUTCOME), ==, 1);
  g_assert_cmpint (cn_call_csv_mapping_get (&mapping, CN_CALL_FIELD_NOTES), ==, 2);
  g_assert_cmpint (cn_call_csv_mapping_get (&mapping, CN_CALL_FIELD_CONTACT), ==, 3);
  g_assert_cmpint (cn_call_csv_mapping_get (&mapping, CN_CALL_FIELD_DATE), ==, 4);
  g_assert_cmpint (cn_call_csv_mapping_get (&mapping, CN_CALL_FIELD_DURATION), ==, 5);
  g_assert_cmpint (cn_call_csv_mapping_get (&mapping, CN_CALL_FIELD_CONTACT_ID), ==, -1);
  g_assert_null (cn_call_csv_mapping_dup_missing (&mapping));

  log = row_to_log (header, row, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cn_call_log_get_phone (log), ==, "+15551234567");
  g_assert_cmpstr (cn_call_log_get_phone_raw (log), ==, "(555) 123-4567");
  g_assert_cmpint (cn_call_log_get_outcome (log), ==, CN_OUTCOME_NO_ANSWER);
  g_assert_cmpstr (cn_call_log_get_notes (log), ==, "rang out");
  g_assert_cmpstr (cn_call_log_get_contact_name (log), ==, "Dana");
  g_assert_cmpint (cn_call_log_get_duration (log), ==, 135);
  /* 14:05 in the zone given (UTC here). */
  g_assert_cmpint (cn_call_log_get_created_at (log), ==, 1793541900);
  g_assert_true (cn_uuid_is_valid (cn_call_log_get_uuid (log)));
}

static void
test_outcome_variants (void)
{
  const char *header[] = { "phone", "status", NULL };
  const struct { const char *text; CnOutcome outcome; } cases[] = {
    { "Connected", CN_OUTCOME_CONNECTED }, { "ANSWERED", CN_OUTCOME_CONNECTED },
    { "Voicemail", CN_OUTCOME_VOICEMAIL }, { "Left Voicemail", CN_OUTCOME_VOICEMAIL },
    { "voice mail", CN_OUTCOME_VOICEMAIL }, { "No Answer", CN_OUTCOME_NO_ANSWER },
    { "no-answer", CN_OUTCOME_NO_ANSWER }, { "no_answer", CN_OUTCOME_NO_ANSWER },
    { "Busy", CN_OUTCOME_BUSY }, { "line busy", CN_OUTCOME_BUSY },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *row[] = { "5551234567", cases[i].text, NULL };
      g_autoptr(GError) error = NULL;
      g_autoptr(CnCallLog) log = row_to_log (header, row, &error);

      g_assert_no_error (error);
      g_assert_cmpint (cn_call_log_get_outcome (log), ==, cases[i].outcome);
    }

  {
    const char *row[] = { "5551234567", "maybe", NULL };
    g_autoptr(GError) error = NULL;
    g_autoptr(CnCallLog) log = row_to_log (header, row, &error);

    g_assert_null (log);
    g_assert_nonnull (strstr (error->message, "maybe"));
  }
}

static void
test_missing_columns (void)
{
  const char *no_phone[] = { "Name", "Result", NULL };
  const char *header[] = { "phone", "outcome", "notes", "date", NULL };
  const char *short_row[] = { "5551234567", "busy", NULL };
  const char *empty_outcome[] = { "5551234567", "", "x", NULL };
  CnCallCsvMapping mapping;
  g_autofree char *missing = NULL;
  g_autoptr(CnCallLog) log = NULL;
  g_autoptr(GError) error = NULL;

  cn_call_csv_mapping_init (&mapping, no_phone);
  missing = cn_call_csv_mapping_dup_missing (&mapping);
  g_assert_nonnull (missing);
  g_assert_nonnull (strstr (missing, "phone"));

  /* --map fixes it. */
  g_assert_true (cn_call_csv_mapping_parse (&mapping, no_phone, "phone=Name", &error));
  g_assert_no_error (error);
  g_assert_cmpint (cn_call_csv_mapping_get (&mapping, CN_CALL_FIELD_PHONE), ==, 0);
  g_assert_false (cn_call_csv_mapping_parse (&mapping, no_phone, "phone=Nope", &error));
  g_assert_nonnull (strstr (error->message, "Nope"));
  g_clear_error (&error);
  g_assert_false (cn_call_csv_mapping_parse (&mapping, no_phone, "colour=Name", &error));
  g_clear_error (&error);

  /* A row shorter than the header: the missing cells are empty. */
  log = row_to_log (header, short_row, &error);
  g_assert_no_error (error);
  g_assert_null (cn_call_log_get_notes (log));
  g_clear_object (&log);

  log = row_to_log (header, empty_outcome, &error);
  g_assert_null (log);
  g_assert_nonnull (error);
}

static void
test_own_round_trip (void)
{
  g_autoptr(CnCallLog) log = cn_call_log_new_with_uuid ();
  g_autoptr(CnCallLog) back = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(CnCsvReader) reader = NULL;
  g_auto(GStrv) header = NULL;
  g_auto(GStrv) row = NULL;
  g_autoptr(GError) error = NULL;
  CnCallCsvMapping mapping;
  gboolean had_uuid = FALSE;

  cn_call_log_set_phone (log, "+15551234567");
  cn_call_log_set_phone_raw (log, " tel:+1-555-123-4567 ");
  cn_call_log_set_contact_name (log, "O'Brien, \"Bob\" 😀");
  cn_call_log_set_notes (log, "line one\r\nline two\nשלום عربى\t");
  cn_call_log_set_outcome (log, CN_OUTCOME_VOICEMAIL);
  cn_call_log_set_direction (log, "inbound");
  cn_call_log_set_duration (log, 0);
  cn_call_log_set_follow_up (log, 1800000000);
  cn_call_log_set_created_at (log, 1700000000);
  cn_call_log_set_updated_at (log, 1700000100);

  cn_call_csv_append_header (out);
  cn_call_csv_append_log (out, log);

  stream = g_memory_input_stream_new_from_data (g_strdup (out->str), out->len, g_free);
  reader = cn_csv_reader_new (stream);
  g_assert_true (cn_csv_reader_next (reader, &header, NULL, NULL, &error));
  g_assert_true (cn_csv_reader_next (reader, &row, NULL, NULL, &error));
  cn_call_csv_mapping_init (&mapping, (const char * const *) header);
  g_assert_true (mapping.ours);
  back = cn_call_csv_row_to_log (&mapping, (const char * const *) row, "1", NULL, &had_uuid,
                                 &error);
  g_assert_no_error (error);
  g_assert_true (had_uuid);
  g_assert_cmpstr (cn_call_log_get_uuid (back), ==, cn_call_log_get_uuid (log));
  g_assert_cmpstr (cn_call_log_get_phone (back), ==, "+15551234567");
  g_assert_cmpstr (cn_call_log_get_phone_raw (back), ==, " tel:+1-555-123-4567 ");
  g_assert_cmpstr (cn_call_log_get_contact_name (back), ==, "O'Brien, \"Bob\" 😀");
  g_assert_cmpstr (cn_call_log_get_notes (back), ==, "line one\r\nline two\nשלום عربى\t");
  g_assert_cmpint (cn_call_log_get_outcome (back), ==, CN_OUTCOME_VOICEMAIL);
  g_assert_cmpstr (cn_call_log_get_direction (back), ==, "inbound");
  g_assert_cmpint (cn_call_log_get_duration (back), ==, 0);
  g_assert_cmpint (cn_call_log_get_follow_up (back), ==, 1800000000);
  g_assert_cmpint (cn_call_log_get_created_at (back), ==, 1700000000);
  g_assert_cmpint (cn_call_log_get_updated_at (back), ==, 1700000100);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/csv/plain", test_plain);
  g_test_add_func ("/csv/line-ends", test_line_ends);
  g_test_add_func ("/csv/quotes", test_quotes);
  g_test_add_func ("/csv/embedded-newlines", test_embedded_newlines);
  g_test_add_func ("/csv/embedded-newline-then-last", test_embedded_newline_then_last);
  g_test_add_func ("/csv/bom", test_bom);
  g_test_add_func ("/csv/errors", test_errors);
  g_test_add_func ("/csv/limits", test_limits);
  g_test_add_func ("/csv/large-file", test_large_file);
  g_test_add_func ("/csv/writer", test_writer);
  g_test_add_func ("/call-csv/foreign-header", test_foreign_header);
  g_test_add_func ("/call-csv/outcome-variants", test_outcome_variants);
  g_test_add_func ("/call-csv/missing-columns", test_missing_columns);
  g_test_add_func ("/call-csv/own-round-trip", test_own_round_trip);

  return g_test_run ();
}
