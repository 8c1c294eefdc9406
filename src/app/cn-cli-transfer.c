/* cn-cli-transfer.c: `callnotes export` and `callnotes import`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-cli-transfer"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <gio/gunixoutputstream.h>
#include <json-glib/json-glib.h>
#include <unistd.h>

#include "cn-call-csv.h"
#include "cn-cli.h"
#include "cn-cli-private.h"
#include "cn-csv.h"
#include "cn-format.h"
#include "cn-settings.h"
#include "cn-transfer.h"

/* Bad rows printed one by one; the rest are counted. */
#define MAX_PRINTED_PROBLEMS 200

/* ---- export ------------------------------------------------------------- */

typedef struct {
  GOutputStream *out;
  GString       *buffer;
  CnDatabase    *db;
  gboolean       json;
  guint64        n;
} ExportRun;

static gboolean
flush_buffer (ExportRun  *run,
              gboolean    force,
              GError    **error)
{
  if (run->buffer->len == 0 || (!force && run->buffer->len < 64 * 1024))
    return TRUE;

  if (!g_output_stream_write_all (run->out, run->buffer->str, run->buffer->len, NULL, NULL,
                                  error))
    return FALSE;
  g_string_truncate (run->buffer, 0);
  return TRUE;
}

static gboolean
on_export_log (CnCallLog  *log,
               GPtrArray  *events,
               gpointer    user_data,
               GError    **error)
{
  ExportRun *run = user_data;

  if (run->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      cn_cli_build_log_object (builder, log, events, run->db);
      root = json_builder_get_root (builder);
      json_generator_set_pretty (generator, TRUE);
      json_generator_set_root (generator, root);
      text = json_generator_to_data (generator, NULL);
      g_string_append (run->buffer, run->n == 0 ? "[\n" : ",\n");
      g_string_append (run->buffer, text);
    }
  else
    {
      cn_call_csv_append_log (run->buffer, log);
    }

  run->n++;
  return flush_buffer (run, FALSE, error);
}

/* --since: ISO 8601, a local "YYYY-MM-DD HH:MM" or a local date. */
static gboolean
parse_since (const char *text,
             gint64     *seconds)
{
  g_autofree char *midnight = NULL;

  if (cn_parse_iso8601 (text, seconds) || cn_parse_local_datetime (text, NULL, seconds))
    return TRUE;

  midnight = g_strconcat (text, " 00:00", NULL);
  return strlen (text) == 10 && cn_parse_local_datetime (midnight, NULL, seconds);
}

/* Writes the export to @out (not closed). */
static gboolean
export_to_stream (CnDatabase         *db,
                  gboolean            json,
                  const CnCallQuery  *query,
                  gint64              since,
                  GOutputStream      *out,
                  GCancellable       *cancellable,
                  guint64            *n_exported,
                  GError            **error)
{
  ExportRun run = { out, g_string_sized_new (128 * 1024), db, json, 0 };
  gboolean ok;

  if (!json)
    cn_call_csv_append_header (run.buffer);

  ok = cn_database_export_calls (db, query, since, json, on_export_log, &run, cancellable, NULL,
                                 error);
  if (ok && json)
    g_string_append (run.buffer, run.n == 0 ? "[]\n" : "\n]\n");
  if (ok)
    ok = flush_buffer (&run, TRUE, error);

  g_string_free (run.buffer, TRUE);
  *n_exported = run.n;
  return ok;
}

static void
set_errno_error (GError **error,
                 int      saved_errno)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s",
               g_strerror (saved_errno));
}

gboolean
cn_cli_export_file (CnDatabase         *db,
                    gboolean            json,
                    const CnCallQuery  *query,
                    gint64              since,
                    const char         *path,
                    GCancellable       *cancellable,
                    guint64            *n_exported,
                    GError            **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *template = g_strdup_printf (".%s.XXXXXX", base);
  g_autofree char *tmp_path = g_build_filename (dir, template, NULL);
  g_autoptr(GOutputStream) out = NULL;
  gboolean ok;
  int fd;

  /* Into a file beside the target, renamed over it at the end: a failure
   * (a full disk) never leaves half a file. */
  fd = g_mkstemp_full (tmp_path, O_WRONLY, 0644);
  if (fd < 0)
    {
      set_errno_error (error, errno);
      return FALSE;
    }
  out = g_unix_output_stream_new (fd, TRUE);

  ok = export_to_stream (db, json, query, since, out, cancellable, n_exported, error);
  if (ok && fsync (fd) != 0)
    {
      set_errno_error (error, errno);
      ok = FALSE;
    }
  if (ok)
    ok = g_output_stream_close (out, NULL, error);
  else
    g_output_stream_close (out, NULL, NULL);
  if (ok && g_rename (tmp_path, path) != 0)
    {
      set_errno_error (error, errno);
      ok = FALSE;
    }
  if (!ok)
    g_unlink (tmp_path);

  return ok;
}

int
cn_cli_export (int    argc,
               char **argv)
{
  g_autofree char *format = NULL;
  g_autofree char *search = NULL;
  g_autofree char *since_text = NULL;
  g_autofree char *outcome_text = NULL;
  g_autofree char *output = NULL;
  GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_FILENAME, &format, N_("csv (the default) or json"),
      N_("FORMAT") },
    { "search", 0, 0, G_OPTION_ARG_FILENAME, &search,
      N_("Only calls whose contact, number or notes match"), N_("QUERY") },
    { "outcome", 0, 0, G_OPTION_ARG_FILENAME, &outcome_text,
      N_("Only calls with this outcome"), N_("OUTCOME") },
    { "since", 0, 0, G_OPTION_ARG_FILENAME, &since_text,
      N_("Only calls made at or after this date"), N_("DATE") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("Write to this file instead of the standard output"), N_("FILE") },
    { NULL }
  };
  CnCallQuery query = { NULL, CN_OUTCOME_NONE };
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  gboolean json;
  guint64 n = 0;
  gint64 since = 0;
  gboolean ok;
  int exit_code = CN_EXIT_OK;

  if (!cn_cli_parse_options ("export", NULL,
                             _("Write the call history, or the calls that match, to CSV or "
                               "JSON."), entries, &argc, &argv, &exit_code))
    return exit_code;

  if (argc > 1)
    return cn_cli_fail (CN_EXIT_USAGE,
                        _("export: unexpected argument “%s”. Run with --help for usage."),
                        argv[1]);
  if (format != NULL && !g_str_equal (format, "csv") && !g_str_equal (format, "json"))
    return cn_cli_fail (CN_EXIT_USAGE, _("export: --format “%s”: use csv or json."), format);
  if (since_text != NULL && !parse_since (since_text, &since))
    return cn_cli_fail (CN_EXIT_USAGE,
                        _("export: --since “%s” is not a date like 2026-11-01 or "
                          "2026-11-01 09:00."), since_text);
  if (outcome_text != NULL && !cn_outcome_from_string (outcome_text, &query.outcome))
    return cn_cli_fail (CN_EXIT_USAGE, _("export: unknown outcome “%s”; use one of %s."),
                        outcome_text, cn_outcome_list_names ());
  if (output != NULL && *output == '\0')
    return cn_cli_fail (CN_EXIT_USAGE, _("export: -o needs a file name."));
  query.search = search;
  json = format != NULL && g_str_equal (format, "json");

  db = cn_cli_open_database (&exit_code);
  if (db == NULL)
    return exit_code;

  if (output != NULL)
    {
      ok = cn_cli_export_file (db, json, &query, since, output, NULL, &n, &error);
    }
  else
    {
      g_autoptr(GOutputStream) out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);

      ok = export_to_stream (db, json, &query, since, out, NULL, &n, &error);
    }

  if (!ok)
    return cn_cli_fail (CN_EXIT_RUNTIME, _("the export failed: %s"), error->message);

  if (output != NULL)
    g_printerr (g_dngettext (GETTEXT_PACKAGE, "Exported %u call to %s\n",
                             "Exported %u calls to %s\n", n),
                (guint) n, output);
  return CN_EXIT_OK;
}

/* ---- import ------------------------------------------------------------- */

static void
print_columns (const char * const *header)
{
  g_autoptr(GString) list = g_string_new (NULL);

  for (guint i = 0; header[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append (list, ", ");
      g_string_append_printf (list, "“%s”", header[i]);
    }
  g_printerr (_("The file’s columns: %s\n"), list->str);
}

int
cn_cli_import (int    argc,
               char **argv)
{
  gboolean dry_run = FALSE;
  gboolean sync = FALSE;
  g_autofree char *map = NULL;
  GOptionEntry entries[] = {
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run,
      N_("Check the file and report, but add nothing"), NULL },
    { "sync", 0, 0, G_OPTION_ARG_NONE, &sync,
      N_("Also send the imported calls to the sync targets"), NULL },
    { "map", 0, 0, G_OPTION_ARG_FILENAME, &map,
      N_("Which column holds which field, e.g. phone=Number,outcome=Result (fields: phone, "
         "outcome, notes, contact, contact_id, date, duration)"), N_("FIELD=COLUMN,…") },
    { NULL }
  };
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(CnCsvReader) reader = NULL;
  g_auto(GStrv) header = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *source = NULL;
  CnImportReport report;
  CnCallCsvMapping mapping;
  g_autofree char *country_code = NULL;
  gboolean ok;
  int exit_code = CN_EXIT_OK;

  if (!cn_cli_parse_options ("import", _("FILE"),
                             _("Add the calls of a CSV file to the history. Rows with errors "
                               "are reported by line and skipped; calls already in the "
                               "history are not added again."),
                             entries, &argc, &argv, &exit_code))
    return exit_code;

  if (argc < 2)
    return cn_cli_fail (CN_EXIT_USAGE, _("import: give the CSV file to import."));
  if (argc > 2)
    return cn_cli_fail (CN_EXIT_USAGE,
                        _("import: unexpected argument “%s”. Run with --help for usage."),
                        argv[2]);

  file = g_file_new_for_commandline_arg (argv[1]);
  stream = g_file_read (file, NULL, &error);
  if (stream == NULL)
    return cn_cli_fail (CN_EXIT_RUNTIME, _("cannot read “%s”: %s"), argv[1], error->message);

  reader = cn_csv_reader_new (G_INPUT_STREAM (stream));
  if (!cn_csv_reader_next (reader, &header, NULL, NULL, &error))
    {
      if (error == NULL)
        return cn_cli_fail (CN_EXIT_RUNTIME, _("“%s” is empty: a CSV file starts with a row "
                                               "of column names."), argv[1]);
      return cn_cli_fail (CN_EXIT_RUNTIME, _("cannot read the column names of “%s”: %s"),
                          argv[1], error->message);
    }

  cn_call_csv_mapping_init (&mapping, (const char * const *) header);
  if (map != NULL &&
      !cn_call_csv_mapping_parse (&mapping, (const char * const *) header, map, &error))
    {
      print_columns ((const char * const *) header);
      return cn_cli_fail (CN_EXIT_USAGE, _("import: --map: %s."), error->message);
    }

  missing = cn_call_csv_mapping_dup_missing (&mapping);
  if (missing != NULL)
    {
      g_printerr ("callnotes: import: %s\n", missing);
      print_columns ((const char * const *) header);
      g_printerr ("%s\n", _("Say which column holds what with --map, e.g. "
                            "--map phone=\"Number\",outcome=\"Result\" (fields: phone, outcome, "
                            "notes, contact, contact_id, date, duration)."));
      return CN_EXIT_USAGE;
    }

  db = cn_cli_open_database (&exit_code);
  if (db == NULL)
    return exit_code;

  country_code = cn_settings_dup_default_country_code (NULL);
  source = g_file_get_basename (file);

  cn_import_report_init (&report);
  ok = cn_database_import_csv (db, reader, &mapping, country_code, source, sync, dry_run,
                               &report, NULL, &error);

  if (!ok)
    {
      cn_import_report_clear (&report);
      return cn_cli_fail (CN_EXIT_RUNTIME, _("nothing was imported: %s"), error->message);
    }

  for (guint i = 0; i < report.problems->len && i < MAX_PRINTED_PROBLEMS; i++)
    {
      CnImportProblem *problem = &g_array_index (report.problems, CnImportProblem, i);

      g_printerr (_("line %u: %s\n"), problem->line, problem->message);
    }
  if (report.n_bad > MAX_PRINTED_PROBLEMS)
    g_printerr (_("… and %u more rows with errors\n"),
                (guint) (report.n_bad - MAX_PRINTED_PROBLEMS));

  /* TRANSLATORS: the three counts of an import, e.g. "12 imported, 3
   * duplicates skipped, 1 rows with errors". */
  g_print (_("%u imported, %u duplicates skipped, %u rows with errors%s\n"),
           (guint) report.n_imported, (guint) report.n_duplicates, (guint) report.n_bad,
           dry_run ? _(" (dry run: nothing was saved)") : "");

  exit_code = report.n_imported == 0 && report.n_bad > 0 ? CN_EXIT_RUNTIME : CN_EXIT_OK;
  cn_import_report_clear (&report);
  return exit_code;
}
