/* cn-cli.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>

#include "cn-cli.h"
#include "cn-cli-private.h"
#include "cn-database.h"
#include "cn-format.h"
#include "cn-phone.h"
#include "cn-settings.h"
#include "cn-tel-uri.h"

#define LIST_DEFAULT_LIMIT 20
#define LIST_MAX_LIMIT     100000

typedef int (*VerbFunc) (int argc, char **argv);

typedef struct {
  const char *name;
  VerbFunc    func;
  const char *summary;
} Verb;

static int verb_log  (int argc, char **argv);
static int verb_list (int argc, char **argv);
static int verb_show (int argc, char **argv);

static const Verb verbs[] = {
  { "log", verb_log, N_("Log a call") },
  { "list", verb_list, N_("List logged calls, newest first") },
  { "show", verb_show, N_("Show one call log with its events") },
  { "secret", cn_cli_secret, N_("Store or clear a sync credential in the keyring") },
  { "sync", cn_cli_sync, N_("Send the sync queue to the backend and Ontraport") },
  { "queue", cn_cli_queue, N_("List the sync jobs that are not done") },
  { "retry", cn_cli_retry, N_("Send failed or waiting sync jobs again now") },
  { "assign-contact", cn_cli_assign_contact, N_("Set the CRM contact of a call log") },
  { "listen", cn_cli_listen, N_("Print the backend’s live call events as they arrive") },
  { "calls", cn_cli_calls, N_("List the completed calls the backend reported") },
  { "followups", cn_cli_followups, N_("List the open follow-ups, soonest first") },
  { "tool", cn_cli_tool, N_("The log_call tool for AI assistants: schema, call, context") },
  { "export", cn_cli_export, N_("Write the call history to a CSV or JSON file") },
  { "import", cn_cli_import, N_("Add the calls of a CSV file to the history") },
};

static const Verb *
find_verb (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    if (g_str_equal (verbs[i].name, name))
      return &verbs[i];

  return NULL;
}

/* One clear line on stderr; returns the exit code so callers can `return`. */
int
cn_cli_fail (int         code,
             const char *format,
             ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("callnotes: %s\n", message);
  return code;
}

static gboolean
looks_like_link (const char *arg)
{
  g_autofree char *scheme = g_uri_parse_scheme (arg);

  return scheme != NULL;
}

gboolean
cn_cli_wants (int    argc,
              char **argv)
{
  const char *first;

  if (argc < 2)
    return FALSE;

  first = argv[1];

  /* GApplication's own flags (D-Bus activation) belong to the app, and so
   * does --background (the login start, without a window). */
  if (g_str_has_prefix (first, "--gapplication-") || g_str_equal (first, "--background"))
    return FALSE;

  /* A tel:/callto: link (or any URI, which the app reports as not a phone
   * link) is opened by the app. */
  if (looks_like_link (first))
    return FALSE;

  /* Verbs, --help, --version and everything else (reported as a usage
   * error) stay on the command line, without a display. */
  return TRUE;
}

static void
print_main_help (FILE *stream)
{
  fprintf (stream, "%s\n", _("Usage:"));
  fprintf (stream, "  callnotes [tel:NUMBER | callto:NUMBER]\n");
  fprintf (stream, "  callnotes COMMAND [OPTION…]\n\n");
  fprintf (stream, "%s\n", _("Log phone calls: dial a phone link, note the outcome, find it again."));
  fprintf (stream, "%s\n\n", _("Without a command, the Callnotes window opens; a link is dialed and logged."));
  fprintf (stream, "%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    fprintf (stream, "  %-15s %s\n", verbs[i].name, _(verbs[i].summary));
  fprintf (stream, "\n%s\n", _("Options:"));
  fprintf (stream, "  -h, --help     %s\n", _("Show this help"));
  fprintf (stream, "  --version      %s\n", _("Show the version"));
  fprintf (stream, "\n%s\n", _("Run “callnotes COMMAND --help” for the options of a command."));
}

static gboolean
check_utf8_arguments (int    argc,
                      char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      if (!g_utf8_validate (argv[i], -1, NULL))
        {
          cn_cli_fail (CN_EXIT_USAGE, _("argument %d is not valid UTF-8 text"), i);
          return FALSE;
        }
    }

  return TRUE;
}

int
cn_cli_run (int    argc,
            char **argv)
{
  const Verb *verb;

  g_return_val_if_fail (argc >= 2, CN_EXIT_USAGE);

  if (!check_utf8_arguments (argc, argv))
    return CN_EXIT_USAGE;

  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      if (argc > 2 && find_verb (argv[2]) != NULL)
        {
          char *help_argv[] = { argv[0], argv[2], (char *) "--help", NULL };
          return find_verb (argv[2])->func (3, help_argv);
        }
      print_main_help (stdout);
      return CN_EXIT_OK;
    }

  if (g_str_equal (argv[1], "--version") || g_str_equal (argv[1], "-v"))
    {
      g_print ("callnotes %s\n", PACKAGE_VERSION);
      return CN_EXIT_OK;
    }

  verb = find_verb (argv[1]);
  if (verb == NULL)
    {
      if (argv[1][0] == '-')
        return cn_cli_fail (CN_EXIT_USAGE, _("unknown option “%s”. Run “callnotes --help” for usage."),
                     argv[1]);
      g_autoptr(GString) names = g_string_new (NULL);

      /* From the table, so a new verb is never missing here. */
      for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
        g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", verbs[i].name);

      return cn_cli_fail (CN_EXIT_USAGE,
                   /* Translators: %s is the word given, %s the list of command names */
                   _("unknown command “%s”. Commands: %s. A phone link must start with tel: or "
                     "callto:."), argv[1], names->str);
    }

  return verb->func (argc - 1, argv + 1);
}

/* Parses the verb's options; on a usage error prints one line and returns
 * FALSE with *exit_code set. --help prints and exits 0 inside GOption. */
gboolean
cn_cli_parse_options (const char    *verb,
               const char    *parameter_string,
               const char    *summary,
               GOptionEntry  *entries,
               int           *argc,
               char        ***argv,
               int           *exit_code)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prgname = g_strdup_printf ("callnotes %s", verb);

  g_set_prgname (prgname);
  context = g_option_context_new (parameter_string);
  g_option_context_set_summary (context, summary);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *exit_code = cn_cli_fail (CN_EXIT_USAGE, "%s: %s. %s", verb, error->message,
                         _("Run with --help for usage."));
      return FALSE;
    }

  return TRUE;
}

CnDatabase *
cn_cli_open_database (int *exit_code)
{
  g_autofree char *path = cn_database_get_default_path ();
  g_autoptr(GError) error = NULL;
  CnDatabase *db = cn_database_open (path, &error);

  if (db == NULL)
    {
      *exit_code = cn_cli_fail (CN_EXIT_RUNTIME, "%s", error->message);
      return NULL;
    }

  {
    g_autoptr(GSettings) settings = cn_settings_new_or_null ();

    cn_database_set_sync_targets (db, cn_settings_get_sync_targets (settings));
  }

  if (cn_database_get_moved_aside_path (db) != NULL)
    g_printerr (_("callnotes: the call database was damaged; it was moved to %s and a new one "
                  "was started.\n"), cn_database_get_moved_aside_path (db));

  return db;
}

/* ---- log ---------------------------------------------------------------- */

gboolean
cn_cli_parse_phone_argument (const char  *text,
                             const char  *country_code,
                             CnCallLog   *log,
                             GError     **error)
{
  if (looks_like_link (text))
    {
      g_autoptr(CnTelUri) uri = cn_tel_uri_parse (text, -1, country_code, error);

      if (uri == NULL)
        return FALSE;

      cn_call_log_set_phone (log, cn_tel_uri_get_best_number (uri));
      cn_call_log_set_phone_raw (log, uri->raw);
      cn_call_log_set_extension (log, uri->extension);
      cn_call_log_set_contact_id (log, uri->contact_id);
      cn_call_log_set_contact_name (log, uri->contact_name);
      return TRUE;
    }
  else
    {
      g_autofree char *digits = cn_phone_strip_separators (text, error);
      g_autofree char *e164 = NULL;

      if (digits == NULL)
        return FALSE;

      e164 = cn_phone_to_e164 (digits, country_code, NULL);
      cn_call_log_set_phone (log, e164 != NULL ? e164 : digits);
      cn_call_log_set_phone_raw (log, text);
      return TRUE;
    }
}

static int
verb_log (int    argc,
          char **argv)
{
  g_autofree char *phone = NULL;
  g_autofree char *outcome_text = NULL;
  g_autofree char *contact_id = NULL;
  g_autofree char *contact_name = NULL;
  g_autofree char *notes = NULL;
  g_autofree char *duration_text = NULL;
  g_autofree char *follow_up_text = NULL;
  GOptionEntry entries[] = {
    { "phone", 0, 0, G_OPTION_ARG_FILENAME, &phone,
      N_("The number or a tel:/callto: link"), N_("NUMBER|URI") },
    { "outcome", 0, 0, G_OPTION_ARG_FILENAME, &outcome_text,
      N_("connected, voicemail, no_answer or busy"), N_("OUTCOME") },
    { "contact-id", 0, 0, G_OPTION_ARG_FILENAME, &contact_id, N_("The contact’s ID in your CRM"), N_("ID") },
    { "contact-name", 0, 0, G_OPTION_ARG_FILENAME, &contact_name, N_("The contact’s name"),
      N_("NAME") },
    { "notes", 0, 0, G_OPTION_ARG_FILENAME, &notes, N_("Notes about the call"), N_("TEXT") },
    { "duration", 0, 0, G_OPTION_ARG_FILENAME, &duration_text,
      N_("Length of the call in seconds (or 2:15, 2m 15s)"), N_("SECONDS") },
    { "follow-up", 0, 0, G_OPTION_ARG_FILENAME, &follow_up_text,
      N_("Follow up at this local date and time"), N_("YYYY-MM-DDTHH:MM") },
    { NULL }
  };
  g_autoptr(CnCallLog) log = cn_call_log_new_with_uuid ();
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *country_code = NULL;
  CnOutcome outcome;
  int exit_code = CN_EXIT_OK;

  if (!cn_cli_parse_options ("log", NULL, _("Log a call and print its identifier."), entries,
                      &argc, &argv, &exit_code))
    return exit_code;

  if (argc > 1)
    return cn_cli_fail (CN_EXIT_USAGE, _("log: unexpected argument “%s”. Run with --help for usage."),
                 argv[1]);
  if (phone == NULL || *phone == '\0')
    return cn_cli_fail (CN_EXIT_USAGE, _("log: --phone is required. Run with --help for usage."));
  if (outcome_text == NULL)
    return cn_cli_fail (CN_EXIT_USAGE, _("log: --outcome is required (one of %s)."),
                 cn_outcome_list_names ());
  if (!cn_outcome_from_string (outcome_text, &outcome))
    return cn_cli_fail (CN_EXIT_USAGE, _("log: unknown outcome “%s”; use one of %s."), outcome_text,
                 cn_outcome_list_names ());

  country_code = cn_settings_dup_default_country_code (NULL);
  if (!cn_cli_parse_phone_argument (phone, country_code, log, &error))
    return cn_cli_fail (CN_EXIT_USAGE, _("log: --phone: %s"), error->message);

  cn_call_log_set_outcome (log, outcome);
  if (contact_id != NULL)
    cn_call_log_set_contact_id (log, contact_id);
  if (contact_name != NULL)
    cn_call_log_set_contact_name (log, contact_name);
  cn_call_log_set_notes (log, notes);

  if (duration_text != NULL)
    {
      gint64 seconds;

      if (!cn_parse_duration (duration_text, &seconds) || seconds < 0 || seconds > 86400 * 7)
        return cn_cli_fail (CN_EXIT_USAGE,
                     _("log: --duration “%s” is not a duration; give seconds, e.g. 135 or 2:15."),
                     duration_text);
      cn_call_log_set_duration (log, seconds);
    }

  if (follow_up_text != NULL)
    {
      gint64 when;

      if (!cn_parse_local_datetime (follow_up_text, NULL, &when))
        return cn_cli_fail (CN_EXIT_USAGE,
                     _("log: --follow-up “%s” is not a local date and time like "
                       "2026-11-23T09:00."), follow_up_text);
      cn_call_log_set_follow_up (log, when);
    }

  if (!cn_call_log_validate (log, &error))
    return cn_cli_fail (CN_EXIT_USAGE, "log: %s", error->message);

  db = cn_cli_open_database (&exit_code);
  if (db == NULL)
    return exit_code;

  if (!cn_database_insert_call (db, log, NULL, 0, &error))
    return cn_cli_fail (CN_EXIT_RUNTIME, _("the call was not logged: %s"), error->message);

  g_print ("%s\n", cn_call_log_get_uuid (log));
  return CN_EXIT_OK;
}

/* ---- JSON --------------------------------------------------------------- */

void
cn_cli_add_string_or_null (JsonBuilder *builder,
                    const char  *name,
                    const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
cn_cli_add_time_or_null (JsonBuilder *builder,
                  const char  *name,
                  gint64       value)
{
  g_autofree char *text = value > 0 ? cn_format_iso8601_utc (value) : NULL;

  cn_cli_add_string_or_null (builder, name, text);
}

void
cn_cli_add_log_contact (JsonBuilder *builder,
                        CnCallLog   *log)
{
  cn_cli_add_string_or_null (builder, "uuid", cn_call_log_get_uuid (log));
  cn_cli_add_string_or_null (builder, "contact_id", cn_call_log_get_contact_id (log));
  cn_cli_add_string_or_null (builder, "contact_name", cn_call_log_get_contact_name (log));
  cn_cli_add_string_or_null (builder, "phone", cn_call_log_get_phone (log));
}

CnSyncConfig *
cn_cli_load_sync_config (int *exit_code)
{
  g_autoptr(GSettings) settings = cn_settings_new_or_null ();
  g_autoptr(GError) error = NULL;
  CnSyncConfig *config = cn_sync_config_load (settings, NULL, &error);

  if (config == NULL)
    *exit_code = cn_cli_fail (CN_EXIT_RUNTIME, "%s", error->message);

  return config;
}

typedef struct {
  GMainLoop *loop;
  gboolean   interrupted;
} SignalRun;

static gboolean
on_quit_signal (gpointer user_data)
{
  SignalRun *run = user_data;

  run->interrupted = TRUE;
  g_main_loop_quit (run->loop);
  return G_SOURCE_CONTINUE;
}

gboolean
cn_cli_run_until_signal (GMainLoop *loop)
{
  SignalRun run = { loop, FALSE };
  guint sigint_id = g_unix_signal_add (SIGINT, on_quit_signal, &run);
  guint sigterm_id = g_unix_signal_add (SIGTERM, on_quit_signal, &run);

  g_main_loop_run (loop);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  return run.interrupted;
}

static void
build_log_object (JsonBuilder *builder,
                  CnCallLog   *log,
                  GPtrArray   *events,
                  CnDatabase  *db)
{
  json_builder_begin_object (builder);
  cn_cli_add_log_contact (builder, log);
  cn_cli_add_string_or_null (builder, "phone_raw", cn_call_log_get_phone_raw (log));
  cn_cli_add_string_or_null (builder, "extension", cn_call_log_get_extension (log));
  cn_cli_add_string_or_null (builder, "outcome", cn_outcome_to_string (cn_call_log_get_outcome (log)));
  json_builder_set_member_name (builder, "duration_seconds");
  if (cn_call_log_get_duration (log) >= 0)
    json_builder_add_int_value (builder, cn_call_log_get_duration (log));
  else
    json_builder_add_null_value (builder);
  cn_cli_add_string_or_null (builder, "notes", cn_call_log_get_notes (log));
  cn_cli_add_time_or_null (builder, "follow_up_date", cn_call_log_get_follow_up (log));
  cn_cli_add_time_or_null (builder, "created_at", cn_call_log_get_created_at (log));

  if (events != NULL)
    {
      json_builder_set_member_name (builder, "events");
      json_builder_begin_array (builder);
      for (guint i = 0; i < events->len; i++)
        {
          CnCallEvent *event = g_ptr_array_index (events, i);

          json_builder_begin_object (builder);
          cn_cli_add_string_or_null (builder, "kind", event->kind);
          cn_cli_add_time_or_null (builder, "at", event->at);
          cn_cli_add_string_or_null (builder, "detail", event->detail);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }

  if (db != NULL)
    cn_cli_add_sync_members (builder, db, cn_call_log_get_uuid (log), events);

  json_builder_end_object (builder);
}

void
cn_cli_build_log_object (JsonBuilder *builder,
                         CnCallLog   *log,
                         GPtrArray   *events,
                         CnDatabase  *db)
{
  build_log_object (builder, log, events, db);
}

void
cn_cli_print_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

char *
cn_cli_format_local (gint64 unix_seconds)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_seconds);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

  return local != NULL ? g_date_time_format (local, "%Y-%m-%d %H:%M") : g_strdup ("?");
}

/* Pads @text to @width characters (not bytes: "Keine Antwort", "Müller"). */
char *
cn_cli_pad (const char *text,
     int         width,
     gboolean    right_align)
{
  glong length = g_utf8_strlen (text, -1);
  g_autofree char *spaces = length < width ? g_strnfill (width - length, ' ') : g_strdup ("");

  return right_align ? g_strconcat (spaces, text, NULL) : g_strconcat (text, spaces, NULL);
}

/* ---- list --------------------------------------------------------------- */

static int
verb_list (int    argc,
           char **argv)
{
  g_autofree char *search = NULL;
  g_autofree char *outcome_text = NULL;
  g_autofree char *limit_text = NULL;
  gboolean as_json = FALSE;
  GOptionEntry entries[] = {
    { "search", 0, 0, G_OPTION_ARG_FILENAME, &search,
      N_("Only calls whose contact, number or notes match"), N_("QUERY") },
    { "outcome", 0, 0, G_OPTION_ARG_FILENAME, &outcome_text,
      N_("Only calls with this outcome"), N_("OUTCOME") },
    { "limit", 0, 0, G_OPTION_ARG_FILENAME, &limit_text,
      N_("At most this many calls (default 20)"), N_("N") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, N_("Print JSON"), NULL },
    { NULL }
  };
  CnCallQuery query = { NULL, CN_OUTCOME_NONE };
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GPtrArray) logs = NULL;
  g_autoptr(GError) error = NULL;
  guint64 limit = LIST_DEFAULT_LIMIT;
  int exit_code = CN_EXIT_OK;

  if (!cn_cli_parse_options ("list", NULL, _("List logged calls, newest first."), entries,
                      &argc, &argv, &exit_code))
    return exit_code;

  if (argc > 1)
    return cn_cli_fail (CN_EXIT_USAGE, _("list: unexpected argument “%s”. Run with --help for usage."),
                 argv[1]);
  if (outcome_text != NULL && !cn_outcome_from_string (outcome_text, &query.outcome))
    return cn_cli_fail (CN_EXIT_USAGE, _("list: unknown outcome “%s”; use one of %s."), outcome_text,
                 cn_outcome_list_names ());
  if (limit_text != NULL &&
      (!g_ascii_string_to_unsigned (limit_text, 10, 1, LIST_MAX_LIMIT, &limit, NULL)))
    return cn_cli_fail (CN_EXIT_USAGE, _("list: --limit “%s” must be a whole number from 1 to %u."),
                 limit_text, LIST_MAX_LIMIT);

  query.search = search;

  db = cn_cli_open_database (&exit_code);
  if (db == NULL)
    return exit_code;

  logs = cn_database_query_calls (db, &query, 0, (guint) limit, &error);
  if (logs == NULL)
    return cn_cli_fail (CN_EXIT_RUNTIME, "%s", error->message);

  if (as_json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint i = 0; i < logs->len; i++)
        build_log_object (builder, g_ptr_array_index (logs, i), NULL, NULL);
      json_builder_end_array (builder);
      cn_cli_print_json (builder);
      return CN_EXIT_OK;
    }

  if (logs->len == 0)
    {
      g_print ("%s\n", search != NULL || outcome_text != NULL ? _("No calls match.")
                                                                : _("No calls logged yet."));
      return CN_EXIT_OK;
    }

  for (guint i = 0; i < logs->len; i++)
    {
      CnCallLog *log = g_ptr_array_index (logs, i);
      g_autofree char *when = cn_cli_format_local (cn_call_log_get_created_at (log));
      g_autofree char *duration = cn_format_duration (cn_call_log_get_duration (log));
      g_autofree char *summary = cn_call_log_dup_notes_summary (log);
      g_autofree char *short_uuid = g_strndup (cn_call_log_get_uuid (log), 8);

      g_autofree char *outcome = cn_cli_pad (cn_outcome_get_label (cn_call_log_get_outcome (log)), 13,
                                      FALSE);
      g_autofree char *who = cn_cli_pad (cn_call_log_get_display_name (log), 24, FALSE);
      g_autofree char *length = cn_cli_pad (duration, 10, TRUE);

      g_print ("%s  %s  %s  %s  %s  %s\n", short_uuid, when, outcome, who, length, summary);
    }

  return CN_EXIT_OK;
}

/* ---- show --------------------------------------------------------------- */

static void
print_field (const char *label,
             const char *value)
{
  g_autofree char *padded = cn_cli_pad (label, 14, FALSE);

  g_print ("%s %s\n", padded, value);
}

static int
verb_show (int    argc,
           char **argv)
{
  gboolean as_json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(CnCallLog) log = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  int exit_code = CN_EXIT_OK;

  if (!cn_cli_parse_options ("show", _("UUID"), _("Show one call log with its events."), entries,
                      &argc, &argv, &exit_code))
    return exit_code;

  if (argc < 2)
    return cn_cli_fail (CN_EXIT_USAGE, _("show: give the UUID of a call log (see “callnotes list”)."));
  if (argc > 2)
    return cn_cli_fail (CN_EXIT_USAGE, _("show: unexpected argument “%s”. Run with --help for usage."),
                 argv[2]);
  if (strlen (argv[1]) < 4 || strlen (argv[1]) > 36 ||
      strspn (argv[1], "0123456789abcdefABCDEF-") != strlen (argv[1]))
    return cn_cli_fail (CN_EXIT_USAGE, _("show: “%s” is not a call log UUID."), argv[1]);

  db = cn_cli_open_database (&exit_code);
  if (db == NULL)
    return exit_code;

  uuid = cn_database_resolve_uuid (db, argv[1], &error);
  if (uuid == NULL)
    return cn_cli_fail (CN_EXIT_RUNTIME, "%s", error->message);

  log = cn_database_get_call (db, uuid, &error);
  if (log == NULL)
    return cn_cli_fail (CN_EXIT_RUNTIME, "%s", error->message);

  events = cn_database_list_events (db, uuid, &error);
  if (events == NULL)
    return cn_cli_fail (CN_EXIT_RUNTIME, "%s", error->message);

  if (as_json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      build_log_object (builder, log, events, db);
      cn_cli_print_json (builder);
      return CN_EXIT_OK;
    }

  {
    g_autofree char *when = cn_cli_format_local (cn_call_log_get_created_at (log));
    g_autofree char *duration = cn_format_duration (cn_call_log_get_duration (log));

    print_field (_("Call:"), cn_call_log_get_uuid (log));
    print_field (_("Contact:"), cn_call_log_get_display_name (log));
    if (cn_call_log_get_contact_id (log) != NULL)
      print_field (_("Contact ID:"), cn_call_log_get_contact_id (log));
    print_field (_("Number:"),
             cn_call_log_get_phone (log) ? cn_call_log_get_phone (log) : "—");
    if (cn_call_log_get_extension (log) != NULL)
      print_field (_("Extension:"), cn_call_log_get_extension (log));
    print_field (_("Outcome:"), cn_outcome_get_label (cn_call_log_get_outcome (log)));
    print_field (_("When:"), when);
    print_field (_("Duration:"), duration);
    if (cn_call_log_get_follow_up (log) > 0)
      {
        g_autofree char *follow_up = cn_cli_format_local (cn_call_log_get_follow_up (log));
        print_field (_("Follow-up:"), follow_up);
      }
    if (cn_call_log_get_notes (log) != NULL)
      g_print ("%s\n%s\n", _("Notes:"), cn_call_log_get_notes (log));
    if (cn_call_log_get_deleted (log))
      g_print ("%s\n", _("This call log was deleted."));
    g_print ("%s\n", _("Events:"));
    for (guint i = 0; i < events->len; i++)
      {
        CnCallEvent *event = g_ptr_array_index (events, i);
        g_autofree char *at = cn_cli_format_local (event->at);

        g_print ("  %s  %s%s%s\n", at, event->kind, event->detail ? "  " : "",
                 event->detail ? event->detail : "");
      }
  }

  return CN_EXIT_OK;
}
