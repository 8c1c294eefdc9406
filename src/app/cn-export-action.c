/* cn-export-action.c: app.export, the window's Export… done off the main loop
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-export-action"

#include "config.h"

#include <glib/gi18n.h>

#include "cn-application.h"
#include "cn-cli-private.h"
#include "cn-export-action.h"
#include "cn-window.h"

typedef struct {
  CnDatabase *db;
  gboolean    json;
  char       *path;
  char       *search;
  CnOutcome   outcome;
  guint64     n;
} ExportJob;

static void
export_job_free (ExportJob *job)
{
  g_clear_object (&job->db);
  g_free (job->path);
  g_free (job->search);
  g_free (job);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportJob *job = task_data;
  CnCallQuery query = { job->search, job->outcome };
  GError *error = NULL;

  if (cn_cli_export_file (job->db, job->json, &query, 0, job->path, cancellable, &job->n,
                          &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_export_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GtkApplication *app = GTK_APPLICATION (source);
  ExportJob *job = g_task_get_task_data (G_TASK (result));
  GtkWindow *window = gtk_application_get_active_window (app);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Exported %u call",
                                            "Exported %u calls", job->n), (guint) job->n);
  else
    message = g_strdup_printf (_("The export failed: %s"), error->message);

  if (CN_IS_WINDOW (window))
    cn_window_add_toast (CN_WINDOW (window), adw_toast_new (message));
  else
    g_message ("%s", message);

  g_application_release (G_APPLICATION (app));
}

void
cn_export_action_activate (GSimpleAction *action,
                           GVariant      *parameter,
                           gpointer       user_data)
{
  CnApplication *app = CN_APPLICATION (user_data);
  g_autoptr(GTask) task = NULL;
  const char *format, *path, *search;
  gint32 outcome;
  ExportJob *job;

  g_variant_get (parameter, "(&s&s&si)", &format, &path, &search, &outcome);
  if (*path == '\0' || outcome < CN_OUTCOME_NONE || outcome > CN_OUTCOME_LAST ||
      cn_application_get_database (app) == NULL)
    return;

  job = g_new0 (ExportJob, 1);
  job->db = g_object_ref (cn_application_get_database (app));
  job->json = g_str_equal (format, "json");
  job->path = g_strdup (path);
  job->search = *search != '\0' ? g_strdup (search) : NULL;
  job->outcome = outcome;

  /* Kept running until the file is written, even when the window closes. */
  g_application_hold (G_APPLICATION (app));
  task = g_task_new (app, NULL, on_export_done, NULL);
  g_task_set_source_tag (task, cn_export_action_activate);
  g_task_set_task_data (task, job, (GDestroyNotify) export_job_free);
  g_task_run_in_thread (task, export_thread);
}
