/* cn-cli-live.c: the live-event verbs (listen, calls)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "cn-cli.h"
#include "cn-cli-private.h"
#include "cn-event-stream.h"
#include "cn-format.h"
#include "cn-live-store.h"

#define CALLS_DEFAULT_LIMIT 20
#define CALLS_MAX_LIMIT     10000

/* ---- listen ------------------------------------------------------------- */

typedef struct {
  GMainLoop *loop;
  gboolean   as_json;
  int        exit_code;
} Listen;

static void
on_event (CnEventStream *stream,
          const char    *type,
          const char    *data,
          Listen        *listen)
{
  if (listen->as_json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      /* One line per event: {"type": …, "data": <the event's JSON, or its text>}. */
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, type);
      json_builder_set_member_name (builder, "data");
      if (json_parser_load_from_data (parser, data, -1, NULL) &&
          json_parser_get_root (parser) != NULL)
        json_builder_add_value (builder, json_node_copy (json_parser_get_root (parser)));
      else
        json_builder_add_string_value (builder, data);
      json_builder_end_object (builder);

      root = json_builder_get_root (builder);
      json_generator_set_root (generator, root);
      text = json_generator_to_data (generator, NULL);
      g_print ("%s\n", text);
    }
  else
    {
      g_print ("%s: %s\n", type, data);
    }

  fflush (stdout);
}

static void
on_state_changed (CnEventStream *stream,
                  Listen        *listen)
{
  const char *message = cn_event_stream_get_message (stream);

  if (message != NULL)
    g_printerr ("callnotes: %s\n", message);

  /* Not an event stream, or the backend is not set up: nothing will come. */
  if (cn_event_stream_get_state (stream) == CN_STREAM_STOPPED ||
      cn_event_stream_get_state (stream) == CN_STREAM_OFF)
    {
      listen->exit_code = CN_EXIT_RUNTIME;
      g_main_loop_quit (listen->loop);
    }
}

int
cn_cli_listen (int    argc,
               char **argv)
{
  gboolean as_json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, N_("Print each event as one line of JSON"),
      NULL },
    { NULL }
  };
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(CnSyncConfig) config = NULL;
  g_autoptr(CnEventStream) stream = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  int exit_code = CN_EXIT_OK;
  Listen listen = { 0, };

  if (!cn_cli_parse_options ("listen", NULL,
                             _("Connect to the backend's live events and print them as they "
                               "arrive, until interrupted."),
                             entries, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 1)
    return cn_cli_fail (CN_EXIT_USAGE,
                        _("listen: unexpected argument “%s”. Run with --help for usage."),
                        argv[1]);

  db = cn_cli_open_database (&exit_code);
  if (db == NULL)
    return exit_code;

  config = cn_cli_load_sync_config (&exit_code);
  if (config == NULL)
    return exit_code;
  if (config->backend_url == NULL || *config->backend_url == '\0')
    return cn_cli_fail (CN_EXIT_RUNTIME,
                        _("listen: the backend is not set up (no backend-url)."));

  loop = g_main_loop_new (NULL, FALSE);
  listen.loop = loop;
  listen.as_json = as_json;
  listen.exit_code = CN_EXIT_OK;

  stream = cn_event_stream_new (db, config, NULL);
  g_signal_connect (stream, "event", G_CALLBACK (on_event), &listen);
  g_signal_connect (stream, "state-changed", G_CALLBACK (on_state_changed), &listen);
  cn_event_stream_start (stream);

  cn_cli_run_until_signal (loop);

  g_signal_handlers_disconnect_by_data (stream, &listen);
  cn_event_stream_stop (stream);

  return listen.exit_code;
}

/* ---- calls -------------------------------------------------------------- */

int
cn_cli_calls (int    argc,
              char **argv)
{
  gboolean as_json = FALSE;
  g_autofree char *limit_text = NULL;
  GOptionEntry entries[] = {
    { "limit", 0, 0, G_OPTION_ARG_FILENAME, &limit_text,
      N_("At most this many calls (default 20)"), N_("N") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GError) error = NULL;
  guint64 limit = CALLS_DEFAULT_LIMIT;
  int exit_code = CN_EXIT_OK;

  if (!cn_cli_parse_options ("calls", NULL,
                             _("List the completed calls the backend reported, newest first."),
                             entries, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 1)
    return cn_cli_fail (CN_EXIT_USAGE,
                        _("calls: unexpected argument “%s”. Run with --help for usage."), argv[1]);
  if (limit_text != NULL &&
      !g_ascii_string_to_unsigned (limit_text, 10, 1, CALLS_MAX_LIMIT, &limit, NULL))
    return cn_cli_fail (CN_EXIT_USAGE,
                        _("calls: --limit “%s” must be a whole number from 1 to %u."), limit_text,
                        CALLS_MAX_LIMIT);

  db = cn_cli_open_database (&exit_code);
  if (db == NULL)
    return exit_code;

  calls = cn_database_list_stream_calls (db, TRUE, (guint) limit, &error);
  if (calls == NULL)
    return cn_cli_fail (CN_EXIT_RUNTIME, "%s", error->message);

  if (as_json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint i = 0; i < calls->len; i++)
        {
          CnStreamCall *call = g_ptr_array_index (calls, i);

          json_builder_begin_object (builder);
          cn_cli_add_string_or_null (builder, "call_sid", call->call_sid);
          cn_cli_add_string_or_null (builder, "status", call->status);
          json_builder_set_member_name (builder, "duration_seconds");
          if (call->duration_seconds >= 0)
            json_builder_add_int_value (builder, call->duration_seconds);
          else
            json_builder_add_null_value (builder);
          cn_cli_add_string_or_null (builder, "phone", call->phone);
          cn_cli_add_string_or_null (builder, "contact_id", call->contact_id);
          cn_cli_add_string_or_null (builder, "contact_name", call->contact_name);
          cn_cli_add_string_or_null (builder, "recording_url", call->recording_url);
          cn_cli_add_string_or_null (builder, "direction", call->direction);
          cn_cli_add_time_or_null (builder, "started_at", call->started_at);
          cn_cli_add_time_or_null (builder, "ended_at", call->ended_at);
          cn_cli_add_string_or_null (builder, "logged_uuid", call->logged_uuid);
          json_builder_set_member_name (builder, "sequence");
          json_builder_begin_array (builder);
          for (guint j = 0; call->sequence != NULL && call->sequence[j] != NULL; j++)
            json_builder_add_string_value (builder, call->sequence[j]);
          json_builder_end_array (builder);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      cn_cli_print_json (builder);
      return CN_EXIT_OK;
    }

  if (calls->len == 0)
    {
      g_print ("%s\n", _("No completed calls were reported yet."));
      return CN_EXIT_OK;
    }

  for (guint i = 0; i < calls->len; i++)
    {
      CnStreamCall *call = g_ptr_array_index (calls, i);
      g_autofree char *when = cn_cli_format_local (call->ended_at > 0 ? call->ended_at
                                                                      : call->received_at);
      g_autofree char *duration = cn_format_duration (call->duration_seconds);
      g_autofree char *status = cn_cli_pad (call->status != NULL ? call->status : "—", 10, FALSE);
      g_autofree char *who = cn_cli_pad (call->contact_name != NULL ? call->contact_name
                                         : call->phone != NULL ? call->phone : "—", 24, FALSE);
      g_autofree char *length = cn_cli_pad (duration, 8, TRUE);

      g_print ("%s  %s  %s  %s  %s%s\n", when, status, who, length,
               call->logged_uuid != NULL ? _("logged") : "", "");
    }

  return CN_EXIT_OK;
}

/* ---- followups ---------------------------------------------------------- */

int
cn_cli_followups (int    argc,
                  char **argv)
{
  gboolean as_json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GPtrArray) follow_ups = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  int exit_code = CN_EXIT_OK;

  if (!cn_cli_parse_options ("followups", NULL,
                             _("List the open follow-ups, overdue and upcoming, soonest first."),
                             entries, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 1)
    return cn_cli_fail (CN_EXIT_USAGE,
                        _("followups: unexpected argument “%s”. Run with --help for usage."),
                        argv[1]);

  db = cn_cli_open_database (&exit_code);
  if (db == NULL)
    return exit_code;

  follow_ups = cn_database_list_follow_ups (db, 0, 1000, &error);
  if (follow_ups == NULL)
    return cn_cli_fail (CN_EXIT_RUNTIME, "%s", error->message);

  if (as_json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint i = 0; i < follow_ups->len; i++)
        {
          CnFollowUp *follow_up = g_ptr_array_index (follow_ups, i);
          CnCallLog *log = follow_up->log;

          json_builder_begin_object (builder);
          cn_cli_add_log_contact (builder, log);
          cn_cli_add_time_or_null (builder, "follow_up_date", cn_call_log_get_follow_up (log));
          cn_cli_add_time_or_null (builder, "due_at", follow_up->due_at);
          json_builder_set_member_name (builder, "overdue");
          json_builder_add_boolean_value (builder, follow_up->due_at <= now);
          cn_cli_add_string_or_null (builder, "notes", cn_call_log_get_notes (log));
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      cn_cli_print_json (builder);
      return CN_EXIT_OK;
    }

  if (follow_ups->len == 0)
    {
      g_print ("%s\n", _("No open follow-ups."));
      return CN_EXIT_OK;
    }

  for (guint i = 0; i < follow_ups->len; i++)
    {
      CnFollowUp *follow_up = g_ptr_array_index (follow_ups, i);
      g_autofree char *when = cn_cli_format_local (follow_up->due_at);
      g_autofree char *who = cn_cli_pad (cn_call_log_get_display_name (follow_up->log), 24, FALSE);
      g_autofree char *summary = cn_call_log_dup_notes_summary (follow_up->log);
      g_autofree char *short_uuid = g_strndup (cn_call_log_get_uuid (follow_up->log), 8);

      g_print ("%s  %s  %s  %s%s\n", short_uuid, when, who,
               follow_up->due_at <= now ? _("overdue  ") : "", summary);
    }

  return CN_EXIT_OK;
}
