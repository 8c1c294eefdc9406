/* cn-cli-tool.c: `callnotes tool schema|call|context`, the log_call tool
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-cli-tool"

#include "config.h"

#include <glib/gi18n.h>
#include <gio/gio.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cn-cli.h"
#include "cn-cli-private.h"
#include "cn-log-call-tool.h"
#include "cn-settings.h"
#include "cn-tool-service.h"

/* How long `tool context` waits for the running app. */
#define CONTEXT_TIMEOUT_MS 2000
/* The most a reply of the running app may hold. */
#define CONTEXT_MAX_REPLY  (64 * 1024)

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* Reads standard input, stopping once more than @max bytes came (the
 * validation then says it is too large). */
static char *
read_stdin (gsize    max,
            gsize   *length,
            GError **error)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  guint8 buffer[8192];

  while (bytes->len <= max)
    {
      ssize_t n = read (STDIN_FILENO, buffer, sizeof buffer);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("cannot read standard input: %s"), g_strerror (saved));
          return NULL;
        }
      if (n == 0)
        break;
      g_byte_array_append (bytes, buffer, n);
    }

  *length = bytes->len;
  g_byte_array_append (bytes, (const guint8 *) "", 1);
  return (char *) g_byte_array_free (g_steal_pointer (&bytes), FALSE);
}

static int
print_fault (const CnToolFault *fault)
{
  g_autofree char *json = cn_log_call_tool_fault_json (fault);

  g_print ("%s\n", json);
  return CN_EXIT_USAGE;
}

static int
tool_call (const char *argument)
{
  g_autofree char *input = NULL;
  g_autofree char *country = NULL;
  g_autofree char *result = NULL;
  g_autoptr(CnToolFault) fault = NULL;
  g_autoptr(CnCallLog) log = NULL;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  int exit_code = CN_EXIT_OK;

  if (argument == NULL || g_str_equal (argument, "-"))
    {
      input = read_stdin (CN_LOG_CALL_TOOL_MAX_ARGUMENTS, &length, &error);
      if (input == NULL)
        return cn_cli_fail (CN_EXIT_RUNTIME, "tool call: %s", error->message);
    }
  else
    {
      input = g_strdup (argument);
      length = strlen (input);
    }

  country = cn_settings_dup_default_country_code (NULL);
  log = cn_log_call_tool_parse (input, length, country, now_seconds (), &fault);
  if (log == NULL)
    return print_fault (fault);

  /* The save of `callnotes log`: the same events and the sync jobs of the
   * targets the settings enable. */
  db = cn_cli_open_database (&exit_code);
  if (db == NULL)
    return exit_code;

  if (!cn_database_insert_call (db, log, NULL, 0, &error))
    return cn_cli_fail (CN_EXIT_RUNTIME, _("the call was not logged: %s"), error->message);

  result = cn_log_call_tool_result_json (log);
  g_print ("%s\n", result);
  return CN_EXIT_OK;
}

/* The session bus, when there is one to ask (never started for this). */
static GDBusConnection *
get_session_bus (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *socket = NULL;
  GDBusConnection *connection;

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      socket = g_build_filename (g_get_user_runtime_dir (), "bus", NULL);
      if (!g_file_test (socket, G_FILE_TEST_EXISTS))
        return NULL;
    }

  connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (connection == NULL)
    g_debug ("No session bus: %s", error->message);

  return connection;
}

/* The running app's answer, or NULL when it does not run or does not
 * answer well. */
static char *
context_from_app (void)
{
  g_autoptr(GDBusConnection) bus = get_session_bus ();
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = NULL;
  const char *text;

  if (bus == NULL)
    return NULL;

  reply = g_dbus_connection_call_sync (bus, APP_ID,
                                       "/io/github/callnotes/Callnotes" CN_TOOL_SERVICE_PATH_SUFFIX,
                                       CN_TOOL_SERVICE_INTERFACE, "Context", NULL,
                                       G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
                                       CONTEXT_TIMEOUT_MS, NULL, &error);
  if (reply == NULL)
    {
      g_debug ("The app did not give its context: %s", error->message);
      return NULL;
    }

  g_variant_get (reply, "(&s)", &text);
  parser = json_parser_new ();
  if (strlen (text) > CONTEXT_MAX_REPLY ||
      !json_parser_load_from_data (parser, text, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_debug ("The app's context is not a JSON object");
      return NULL;
    }

  return g_strdup (text);
}

static int
tool_context (void)
{
  g_autofree char *json = context_from_app ();

  if (json == NULL)
    {
      g_autoptr(CnDatabase) db = NULL;
      g_autoptr(CnToolContext) context = NULL;
      g_autoptr(GError) error = NULL;
      int exit_code = CN_EXIT_OK;

      db = cn_cli_open_database (&exit_code);
      if (db == NULL)
        return exit_code;

      context = cn_tool_context_from_database (db, &error);
      if (context == NULL)
        return cn_cli_fail (CN_EXIT_RUNTIME, "%s", error->message);
      json = cn_tool_context_to_json (context, now_seconds ());
    }

  g_print ("%s\n", json);
  return CN_EXIT_OK;
}

int
cn_cli_tool (int    argc,
             char **argv)
{
  GOptionEntry entries[] = { { NULL } };
  int exit_code = CN_EXIT_OK;
  const char *subcommand;

  if (!cn_cli_parse_options ("tool", _("schema | call [JSON|-] | context"),
                             _("The log_call tool for AI assistants. “schema” prints its "
                               "function-calling definition; “call” logs a call from its JSON "
                               "arguments (standard input when no JSON or “-” is given) and "
                               "prints the result or a JSON error (exit status 2); “context” "
                               "prints the call being logged or last dialed."),
                             entries, &argc, &argv, &exit_code))
    return exit_code;

  if (argc < 2)
    return cn_cli_fail (CN_EXIT_USAGE,
                        _("tool: give schema, call or context. Run with --help for usage."));

  subcommand = argv[1];
  if (!g_str_equal (subcommand, "call") && !g_str_equal (subcommand, "schema") &&
      !g_str_equal (subcommand, "context"))
    return cn_cli_fail (CN_EXIT_USAGE, _("tool: unknown subcommand “%s”; use schema, call or "
                                         "context."), subcommand);

  if (g_str_equal (subcommand, "call"))
    {
      if (argc > 3)
        return cn_cli_fail (CN_EXIT_USAGE,
                            _("tool call: unexpected argument “%s”; give the JSON as one "
                              "argument."), argv[3]);
      return tool_call (argc == 3 ? argv[2] : NULL);
    }

  if (argc > 2)
    return cn_cli_fail (CN_EXIT_USAGE, _("tool %s: unexpected argument “%s”. Run with --help "
                                         "for usage."), subcommand, argv[2]);

  if (g_str_equal (subcommand, "schema"))
    {
      g_print ("%s\n", cn_log_call_tool_get_schema ());
      return CN_EXIT_OK;
    }

  return tool_context ();
}
