/* cn-cli-sync.c: the sync verbs (sync, queue, retry, assign-contact)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-cli"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "cn-cli.h"
#include "cn-cli-private.h"
#include "cn-outbox.h"
#include "cn-sync-worker.h"

/* `sync --wait` exit codes besides 0. */
#define CN_EXIT_SYNC_TIMEOUT    3
#define CN_EXIT_SYNC_ATTENTION  4

/* How often `sync --wait` looks at the queue when another process sends. */
#define WAIT_POLL_MS 250

static const char *
state_label (CnJobState state)
{
  switch (state)
    {
    case CN_JOB_PENDING:
      return _("pending");
    case CN_JOB_IN_FLIGHT:
      return _("sending");
    case CN_JOB_DONE:
      return _("synced");
    case CN_JOB_WAITING:
      return _("waiting");
    case CN_JOB_NEEDS_CONTACT:
      return _("needs contact");
    case CN_JOB_NEEDS_ATTENTION:
      return _("needs attention");
    case CN_JOB_CANCELED:
    default:
      return _("canceled");
    }
}

/* Resolves a UUID argument (a unique prefix of at least 4 characters). */
static char *
resolve_uuid (CnDatabase  *db,
              const char  *verb,
              const char  *text,
              int         *exit_code)
{
  g_autoptr(GError) error = NULL;
  char *uuid;

  if (strlen (text) < 4 || strlen (text) > 36 ||
      strspn (text, "0123456789abcdefABCDEF-") != strlen (text))
    {
      *exit_code = cn_cli_fail (CN_EXIT_USAGE, _("%s: “%s” is not a call log UUID."), verb, text);
      return NULL;
    }

  uuid = cn_database_resolve_uuid (db, text, &error);
  if (uuid == NULL)
    *exit_code = cn_cli_fail (CN_EXIT_RUNTIME, "%s", error->message);

  return uuid;
}

static void
print_job_line (CnSyncJob *job)
{
  g_autofree char *short_uuid = g_strndup (job->call_uuid, 8);
  g_autofree char *target = cn_cli_pad (cn_sync_target_to_string (job->target), 15, FALSE);
  g_autofree char *state = cn_cli_pad (state_label (job->state), 16, FALSE);
  g_autofree char *next = NULL;
  g_autofree char *next_padded = NULL;

  if (job->state == CN_JOB_WAITING && job->next_attempt_at > 0)
    next = cn_cli_format_local (job->next_attempt_at);
  else
    next = g_strdup ("—");
  next_padded = cn_cli_pad (next, 16, FALSE);

  g_print ("%s  %s  %s  %3u  %s  %s\n", short_uuid, target, state, job->attempts, next_padded,
           job->last_error != NULL ? job->last_error : "");
}

static void
add_job_object (JsonBuilder *builder,
                CnSyncJob   *job,
                gboolean     with_log)
{
  json_builder_begin_object (builder);
  if (with_log)
    {
      cn_cli_add_string_or_null (builder, "uuid", job->call_uuid);
      cn_cli_add_string_or_null (builder, "contact_name",
                                 cn_call_log_get_contact_name (job->log));
      cn_cli_add_string_or_null (builder, "phone", cn_call_log_get_phone (job->log));
    }
  cn_cli_add_string_or_null (builder, "target", cn_sync_target_to_string (job->target));
  cn_cli_add_string_or_null (builder, "action", job->action == CN_JOB_UPDATE ? "update"
                                                                             : "create");
  cn_cli_add_string_or_null (builder, "state", cn_job_state_to_string (job->state));
  json_builder_set_member_name (builder, "attempts");
  json_builder_add_int_value (builder, job->attempts);
  cn_cli_add_time_or_null (builder, "next_attempt_at",
                           job->state == CN_JOB_WAITING ? job->next_attempt_at : 0);
  json_builder_set_member_name (builder, "last_status");
  if (job->last_status > 0)
    json_builder_add_int_value (builder, job->last_status);
  else
    json_builder_add_null_value (builder);
  cn_cli_add_string_or_null (builder, "last_error", job->last_error);
  cn_cli_add_string_or_null (builder, "remote_id", job->remote_id);
  json_builder_end_object (builder);
}

void
cn_cli_add_sync_members (JsonBuilder *builder,
                         CnDatabase  *db,
                         const char  *uuid,
                         GPtrArray   *events)
{
  g_autofree char *backend_id = NULL;
  g_autofree char *note_id = NULL;
  g_autofree char *task_id = NULL;
  g_autoptr(GPtrArray) jobs = NULL;

  cn_database_get_remote_ids (db, uuid, &backend_id, &note_id, &task_id, NULL);
  cn_cli_add_string_or_null (builder, "backend_id", backend_id);
  cn_cli_add_string_or_null (builder, "ontraport_note_id", note_id);
  cn_cli_add_string_or_null (builder, "ontraport_task_id", task_id);

  jobs = cn_database_list_jobs_for_call (db, uuid, NULL);
  json_builder_set_member_name (builder, "sync");
  json_builder_begin_array (builder);
  for (guint i = 0; jobs != NULL && i < jobs->len; i++)
    add_job_object (builder, g_ptr_array_index (jobs, i), FALSE);
  json_builder_end_array (builder);

  /* Every attempt, with what the server said (the detail is JSON). */
  json_builder_set_member_name (builder, "sync_events");
  json_builder_begin_array (builder);
  for (guint i = 0; events != NULL && i < events->len; i++)
    {
      CnCallEvent *event = g_ptr_array_index (events, i);
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (!g_str_has_prefix (event->kind, "sync"))
        continue;

      json_builder_begin_object (builder);
      cn_cli_add_string_or_null (builder, "kind", event->kind);
      cn_cli_add_time_or_null (builder, "at", event->at);
      json_builder_set_member_name (builder, "detail");
      if (event->detail != NULL && json_parser_load_from_data (parser, event->detail, -1, NULL))
        json_builder_add_value (builder, json_node_copy (json_parser_get_root (parser)));
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

/* ---- queue -------------------------------------------------------------- */

int
cn_cli_queue (int    argc,
              char **argv)
{
  gboolean as_json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GPtrArray) jobs = NULL;
  g_autoptr(GError) error = NULL;
  int exit_code = CN_EXIT_OK;

  if (!cn_cli_parse_options ("queue", NULL,
                             _("List every sync job that is not done: its state, attempts, next "
                               "attempt and last error."),
                             entries, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 1)
    return cn_cli_fail (CN_EXIT_USAGE,
                        _("queue: unexpected argument “%s”. Run with --help for usage."), argv[1]);

  db = cn_cli_open_database (&exit_code);
  if (db == NULL)
    return exit_code;

  jobs = cn_database_list_jobs (db, &error);
  if (jobs == NULL)
    return cn_cli_fail (CN_EXIT_RUNTIME, "%s", error->message);

  if (as_json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint i = 0; i < jobs->len; i++)
        add_job_object (builder, g_ptr_array_index (jobs, i), TRUE);
      json_builder_end_array (builder);
      cn_cli_print_json (builder);
      return CN_EXIT_OK;
    }

  if (jobs->len == 0)
    {
      g_print ("%s\n", _("Nothing to sync: every call log is synced."));
      return CN_EXIT_OK;
    }

  for (guint i = 0; i < jobs->len; i++)
    print_job_line (g_ptr_array_index (jobs, i));

  return CN_EXIT_OK;
}

/* ---- retry -------------------------------------------------------------- */

int
cn_cli_retry (int    argc,
              char **argv)
{
  gboolean all = FALSE;
  GOptionEntry entries[] = {
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, N_("Every waiting or failed job"), NULL },
    { NULL }
  };
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  int exit_code = CN_EXIT_OK;
  gint n;

  if (!cn_cli_parse_options ("retry", _("UUID | --all"),
                             _("Send the waiting or failed sync jobs of a call log (or all) "
                               "again now."),
                             entries, &argc, &argv, &exit_code))
    return exit_code;

  if (all && argc > 1)
    return cn_cli_fail (CN_EXIT_USAGE, _("retry: give a UUID or --all, not both."));
  if (!all && argc < 2)
    return cn_cli_fail (CN_EXIT_USAGE,
                        _("retry: give the UUID of a call log (see “callnotes queue”) or --all."));
  if (argc > 2)
    return cn_cli_fail (CN_EXIT_USAGE,
                        _("retry: unexpected argument “%s”. Run with --help for usage."), argv[2]);

  db = cn_cli_open_database (&exit_code);
  if (db == NULL)
    return exit_code;

  if (!all)
    {
      uuid = resolve_uuid (db, "retry", argv[1], &exit_code);
      if (uuid == NULL)
        return exit_code;
    }

  n = cn_database_retry_jobs (db, uuid, &error);
  if (n < 0)
    return cn_cli_fail (CN_EXIT_RUNTIME, "%s", error->message);

  g_print (g_dngettext (GETTEXT_PACKAGE, "%d sync job will be sent again.",
                        "%d sync jobs will be sent again.", n), n);
  g_print ("\n");
  return CN_EXIT_OK;
}

/* ---- assign-contact ----------------------------------------------------- */

int
cn_cli_assign_contact (int    argc,
                       char **argv)
{
  g_autofree char *name = NULL;
  GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_FILENAME, &name, N_("The contact’s name"), N_("NAME") },
    { NULL }
  };
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  int exit_code = CN_EXIT_OK;

  if (!cn_cli_parse_options ("assign-contact", _("UUID CONTACT_ID"),
                             _("Set the CRM contact of a call log; its Ontraport note and task "
                               "are then sent."),
                             entries, &argc, &argv, &exit_code))
    return exit_code;

  if (argc < 3)
    return cn_cli_fail (CN_EXIT_USAGE,
                        _("assign-contact: give the UUID of a call log and a contact id."));
  if (argc > 3)
    return cn_cli_fail (CN_EXIT_USAGE,
                        _("assign-contact: unexpected argument “%s”. Run with --help for usage."),
                        argv[3]);
  if (*argv[2] == '\0' || strlen (argv[2]) > 64)
    return cn_cli_fail (CN_EXIT_USAGE, _("assign-contact: “%s” is not a contact id."), argv[2]);

  db = cn_cli_open_database (&exit_code);
  if (db == NULL)
    return exit_code;

  uuid = resolve_uuid (db, "assign-contact", argv[1], &exit_code);
  if (uuid == NULL)
    return exit_code;

  if (!cn_database_assign_contact (db, uuid, argv[2], name, &error))
    return cn_cli_fail (g_error_matches (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_INVALID)
                          ? CN_EXIT_USAGE : CN_EXIT_RUNTIME,
                        "assign-contact: %s", error->message);

  g_print (_("Contact %s assigned to call %s.\n"), argv[2], uuid);
  return CN_EXIT_OK;
}

/* ---- sync --------------------------------------------------------------- */

typedef struct {
  GMainLoop    *loop;
  CnDatabase   *db;
  CnSyncWorker *worker;        /* NULL when another process sends */
  gboolean      wait;
  gboolean      timed_out;
  gboolean      interrupted;
  int           exit_code;
} SyncRun;

/* With --wait: done when nothing is left to send. */
static gboolean
check_done (SyncRun *run)
{
  guint counts[CN_JOB_N_STATES];
  guint stuck[CN_JOB_N_STATES];
  CnSyncTarget blocked;

  if (!run->wait)
    return FALSE;

  if (run->worker != NULL && !cn_sync_worker_is_idle (run->worker))
    return FALSE;

  /* Jobs of a target that cannot send (switched off, not set up, paused
   * for its credentials) need the person, not more waiting. */
  blocked = run->worker != NULL ? cn_sync_worker_get_blocked (run->worker) : 0;

  if (!cn_database_count_jobs_of (run->db, CN_SYNC_TARGETS_ALL & ~blocked, counts, NULL) ||
      !cn_database_count_jobs_of (run->db, blocked, stuck, NULL))
    return FALSE;

  if (counts[CN_JOB_PENDING] + counts[CN_JOB_IN_FLIGHT] + counts[CN_JOB_WAITING] > 0)
    return FALSE;

  run->exit_code = counts[CN_JOB_NEEDS_ATTENTION] + counts[CN_JOB_NEEDS_CONTACT] > 0 ||
                   stuck[CN_JOB_PENDING] + stuck[CN_JOB_WAITING] + stuck[CN_JOB_NEEDS_ATTENTION] +
                   stuck[CN_JOB_NEEDS_CONTACT] > 0
                     ? CN_EXIT_SYNC_ATTENTION : CN_EXIT_OK;
  g_main_loop_quit (run->loop);
  return TRUE;
}

static void
on_worker_idle (CnSyncWorker *worker,
                SyncRun      *run)
{
  check_done (run);
}

static gboolean
on_poll (gpointer user_data)
{
  SyncRun *run = user_data;

  check_done (run);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_timeout (gpointer user_data)
{
  SyncRun *run = user_data;

  run->timed_out = TRUE;
  g_main_loop_quit (run->loop);
  return G_SOURCE_REMOVE;
}

/* What is left, for the person who waited. */
static void
print_left (CnDatabase   *db,
            CnSyncWorker *worker)
{
  g_autoptr(GPtrArray) jobs = cn_database_list_jobs (db, NULL);

  if (jobs == NULL || jobs->len == 0)
    return;

  g_printerr (g_dngettext (GETTEXT_PACKAGE, "%u sync job is not done:\n",
                           "%u sync jobs are not done:\n", jobs->len), jobs->len);
  for (guint i = 0; i < jobs->len && i < 50; i++)
    {
      CnSyncJob *job = g_ptr_array_index (jobs, i);
      g_autofree char *short_uuid = g_strndup (job->call_uuid, 8);

      g_printerr ("  %s  %s  %s%s%s\n", short_uuid, cn_sync_target_to_string (job->target),
                  state_label (job->state), job->last_error != NULL ? "  " : "",
                  job->last_error != NULL ? job->last_error : "");
    }
  if (jobs->len > 50)
    g_printerr ("  %s\n", _("… (see “callnotes queue”)"));

  if (worker != NULL)
    {
      const CnSyncTarget targets[] = { CN_SYNC_TARGET_BACKEND, CN_SYNC_TARGET_ONTRAPORT_NOTE };

      for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
        {
          const char *reason = cn_sync_worker_get_pause_reason (worker, targets[i]);

          if (reason != NULL)
            g_printerr ("%s\n", reason);
        }
    }
}

/* Why jobs of an enabled target cannot go (not set up). */
static void
print_setup_problems (const CnSyncConfig *config)
{
  /* Which credential is missing is said; a credential itself never is. */
  const char *problem = NULL;

  if (config->backend_enabled &&
      (config->backend_url == NULL || *config->backend_url == '\0'))
    problem = _("callnotes: the backend is not set up (no backend-url); its jobs wait.");
  else if (config->backend_enabled && config->backend_token == NULL)
    problem = _("callnotes: no backend token is stored (callnotes secret set "
                "backend-token); backend jobs wait.");
  if (problem != NULL)
    g_printerr ("%s\n", problem);

  problem = NULL;
  if (config->ontraport_enabled &&
      (config->ontraport_app_id == NULL || config->ontraport_api_key == NULL))
    problem = _("callnotes: the Ontraport app id or API key is not stored; Ontraport jobs "
                "wait.");
  if (problem != NULL)
    g_printerr ("%s\n", problem);
}

int
cn_cli_sync (int    argc,
             char **argv)
{
  gboolean wait = FALSE;
  g_autofree char *timeout_text = NULL;
  GOptionEntry entries[] = {
    { "wait", 0, 0, G_OPTION_ARG_NONE, &wait,
      N_("Exit when nothing is left to send (0), some jobs need attention (4), or the "
         "timeout passed (3)"), NULL },
    { "timeout", 0, 0, G_OPTION_ARG_FILENAME, &timeout_text,
      N_("With --wait, give up after this many seconds"), N_("SECONDS") },
    { NULL }
  };
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(CnSyncConfig) config = NULL;
  g_autoptr(CnSyncWorker) worker = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  guint64 timeout = 0;
  int exit_code = CN_EXIT_OK;
  guint poll_id;
  guint timeout_id = 0;
  SyncRun run = { 0, };

  if (!cn_cli_parse_options ("sync", NULL,
                             _("Send the sync queue to the backend and Ontraport. Without --wait "
                               "it keeps running until interrupted."),
                             entries, &argc, &argv, &exit_code))
    return exit_code;

  if (argc > 1)
    return cn_cli_fail (CN_EXIT_USAGE,
                        _("sync: unexpected argument “%s”. Run with --help for usage."), argv[1]);
  if (timeout_text != NULL &&
      !g_ascii_string_to_unsigned (timeout_text, 10, 1, 7 * 86400, &timeout, NULL))
    return cn_cli_fail (CN_EXIT_USAGE,
                        _("sync: --timeout “%s” must be a whole number of seconds from 1 to "
                          "604800."), timeout_text);
  if (timeout_text != NULL && !wait)
    return cn_cli_fail (CN_EXIT_USAGE, _("sync: --timeout needs --wait."));

  db = cn_cli_open_database (&exit_code);
  if (db == NULL)
    return exit_code;

  config = cn_cli_load_sync_config (&exit_code);
  if (config == NULL)
    return exit_code;

  loop = g_main_loop_new (NULL, FALSE);
  run.loop = loop;
  run.db = db;
  run.wait = wait;

  worker = cn_sync_worker_new (db, config, NULL);
  if (!cn_sync_worker_start (worker, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BUSY))
        return cn_cli_fail (CN_EXIT_RUNTIME, "%s", error->message);

      /* The app sends; with --wait we watch the queue drain. */
      g_printerr (_("callnotes: another Callnotes process is sending the queue; %s\n"),
                  wait ? _("waiting for it.") : _("nothing to do here."));
      g_clear_object (&worker);
      if (!wait)
        return CN_EXIT_OK;
    }
  else
    {
      print_setup_problems (config);
      run.worker = worker;
      g_signal_connect (worker, "idle", G_CALLBACK (on_worker_idle), &run);
    }

  poll_id = g_timeout_add (WAIT_POLL_MS, on_poll, &run);
  if (timeout > 0)
    timeout_id = g_timeout_add_seconds ((guint) timeout, on_timeout, &run);

  run.interrupted = cn_cli_run_until_signal (loop);

  g_source_remove (poll_id);
  if (timeout_id != 0 && !run.timed_out)
    g_source_remove (timeout_id);

  if (worker != NULL)
    {
      g_signal_handlers_disconnect_by_data (worker, &run);
      cn_sync_worker_stop (worker);
    }

  if (run.interrupted && !wait)
    return CN_EXIT_OK;

  if (run.timed_out || run.interrupted)
    {
      print_left (db, worker);
      return CN_EXIT_SYNC_TIMEOUT;
    }

  if (run.exit_code == CN_EXIT_SYNC_ATTENTION)
    print_left (db, worker);

  return run.exit_code;
}
