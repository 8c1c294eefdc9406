/* cn-import-dialog.c: Import… — map a CSV file's columns, import, report
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-import-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "cn-call-csv.h"
#include "cn-csv.h"
#include "cn-import-dialog.h"
#include "cn-phone.h"
#include "cn-transfer.h"

#define PREVIEW_ROWS       5
#define PREVIEW_CELL_CHARS 24
/* Skipped rows listed on the summary; the rest are counted. */
#define SHOWN_PROBLEMS     200

struct _CnImportDialog
{
  AdwWindow            parent_instance;

  /* template */
  GtkButton           *cancel_button;
  GtkButton           *import_button;
  GtkStack            *stack;
  AdwPreferencesGroup *mapping_group;
  GtkLabel            *missing_label;
  GtkSwitch           *sync_switch;
  GtkLabel            *preview_label;
  AdwStatusPage       *summary_page;
  GtkLabel            *problems_label;

  CnDatabase          *database;
  GFile               *file;
  char                *country_code;
  GStrv                header;
  CnCallCsvMapping     mapping;
  AdwComboRow         *field_rows[CN_CALL_N_FIELDS];
  GCancellable        *cancellable;
  gboolean             done;
};

G_DEFINE_FINAL_TYPE (CnImportDialog, cn_import_dialog, ADW_TYPE_WINDOW)

typedef struct {
  CnDatabase       *database;
  GFile            *file;
  CnCallCsvMapping  mapping;
  char             *country_code;
  gboolean          sync;
  CnImportReport    report;
} ImportJob;

static void
import_job_free (ImportJob *job)
{
  g_clear_object (&job->database);
  g_clear_object (&job->file);
  g_free (job->country_code);
  cn_import_report_clear (&job->report);
  g_free (job);
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ImportJob *job = task_data;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(CnCsvReader) reader = NULL;
  g_auto(GStrv) header = NULL;
  g_autofree char *source = g_file_get_basename (job->file);
  GError *error = NULL;

  stream = g_file_read (job->file, cancellable, &error);
  if (stream == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  reader = cn_csv_reader_new (G_INPUT_STREAM (stream));
  if (!cn_csv_reader_next (reader, &header, NULL, cancellable, &error))
    {
      if (error == NULL)
        g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The file is empty."));
      g_task_return_error (task, error);
      return;
    }

  if (!cn_database_import_csv (job->database, reader, &job->mapping, job->country_code, source,
                               job->sync, FALSE, &job->report, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
show_summary (CnImportDialog *self,
              ImportJob      *job)
{
  g_autofree char *title = NULL;
  g_autofree char *description = NULL;
  g_autofree char *duplicates = NULL;
  g_autofree char *bad = NULL;
  g_autoptr(GString) problems = g_string_new (NULL);

  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Imported %u Call",
                                        "Imported %u Calls", job->report.n_imported),
                           (guint) job->report.n_imported);
  duplicates = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "%u was already in the history",
                                             "%u were already in the history",
                                             job->report.n_duplicates),
                                (guint) job->report.n_duplicates);
  bad = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u row had errors and was skipped",
                                      "%u rows had errors and were skipped",
                                      job->report.n_bad),
                         (guint) job->report.n_bad);
  /* Translators: "3 were already in the history; 1 row had errors and was skipped" */
  description = g_strdup_printf (_("%s; %s"), duplicates, bad);

  for (guint i = 0; i < job->report.problems->len && i < SHOWN_PROBLEMS; i++)
    {
      CnImportProblem *problem = &g_array_index (job->report.problems, CnImportProblem, i);

      g_string_append_printf (problems, _("Line %u: %s"), problem->line, problem->message);
      g_string_append_c (problems, '\n');
    }
  if (job->report.n_bad > SHOWN_PROBLEMS)
    g_string_append_printf (problems, _("… and %u more"),
                            (guint) (job->report.n_bad - SHOWN_PROBLEMS));

  adw_status_page_set_title (self->summary_page, title);
  adw_status_page_set_description (self->summary_page, description);
  adw_status_page_set_icon_name (self->summary_page, job->report.n_bad > 0
                                 ? "dialog-warning-symbolic" : "emblem-ok-symbolic");
  gtk_label_set_text (self->problems_label, g_strchomp (problems->str));
  gtk_widget_set_visible (GTK_WIDGET (self->problems_label), problems->len > 0);
}

static void
on_import_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  CnImportDialog *self = CN_IMPORT_DIALOG (source);
  ImportJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    {
      show_summary (self, job);
    }
  else
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      adw_status_page_set_title (self->summary_page, _("Nothing Was Imported"));
      adw_status_page_set_description (self->summary_page, error->message);
      adw_status_page_set_icon_name (self->summary_page, "dialog-error-symbolic");
    }

  self->done = TRUE;
  gtk_stack_set_visible_child_name (self->stack, "summary");
  gtk_button_set_label (self->import_button, _("_Done"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->import_button), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), FALSE);
}

static void
on_import_clicked (CnImportDialog *self)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *missing = NULL;
  ImportJob *job;

  if (self->done)
    {
      gtk_window_close (GTK_WINDOW (self));
      return;
    }

  if (!self->mapping.ours)
    for (guint f = 0; f < CN_CALL_N_FIELDS; f++)
      cn_call_csv_mapping_set (&self->mapping, f,
                               (int) adw_combo_row_get_selected (self->field_rows[f]) - 1);

  missing = cn_call_csv_mapping_dup_missing (&self->mapping);
  gtk_label_set_text (self->missing_label, missing != NULL ? missing : "");
  gtk_widget_set_visible (GTK_WIDGET (self->missing_label), missing != NULL);
  if (missing != NULL)
    return;

  job = g_new0 (ImportJob, 1);
  job->database = g_object_ref (self->database);
  job->file = g_object_ref (self->file);
  job->mapping = self->mapping;
  job->country_code = g_strdup (self->country_code);
  job->sync = gtk_switch_get_active (self->sync_switch);
  cn_import_report_init (&job->report);

  gtk_stack_set_visible_child_name (self->stack, "working");
  gtk_widget_set_sensitive (GTK_WIDGET (self->import_button), FALSE);

  task = g_task_new (self, self->cancellable, on_import_done, NULL);
  g_task_set_source_tag (task, on_import_clicked);
  g_task_set_task_data (task, job, (GDestroyNotify) import_job_free);
  g_task_run_in_thread (task, import_thread);
}

static void
on_cancel_clicked (CnImportDialog *self)
{
  /* An import in progress is rolled back: nothing is half imported. */
  g_cancellable_cancel (self->cancellable);
  gtk_window_close (GTK_WINDOW (self));
}

static void
cn_import_dialog_dispose (GObject *object)
{
  CnImportDialog *self = CN_IMPORT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CN_TYPE_IMPORT_DIALOG);
  g_clear_object (&self->database);
  g_clear_object (&self->file);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (cn_import_dialog_parent_class)->dispose (object);
}

static void
cn_import_dialog_finalize (GObject *object)
{
  CnImportDialog *self = CN_IMPORT_DIALOG (object);

  g_free (self->country_code);
  g_strfreev (self->header);

  G_OBJECT_CLASS (cn_import_dialog_parent_class)->finalize (object);
}

static void
cn_import_dialog_class_init (CnImportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cn_import_dialog_dispose;
  object_class->finalize = cn_import_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/cn-import-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CnImportDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, CnImportDialog, import_button);
  gtk_widget_class_bind_template_child (widget_class, CnImportDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, CnImportDialog, mapping_group);
  gtk_widget_class_bind_template_child (widget_class, CnImportDialog, missing_label);
  gtk_widget_class_bind_template_child (widget_class, CnImportDialog, sync_switch);
  gtk_widget_class_bind_template_child (widget_class, CnImportDialog, preview_label);
  gtk_widget_class_bind_template_child (widget_class, CnImportDialog, summary_page);
  gtk_widget_class_bind_template_child (widget_class, CnImportDialog, problems_label);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cn_import_dialog_init (CnImportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();

  g_signal_connect_object (self->import_button, "clicked", G_CALLBACK (on_import_clicked), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->cancel_button, "clicked", G_CALLBACK (on_cancel_clicked), self,
                           G_CONNECT_SWAPPED);
}

/* One line of the preview: the cells, each cut short, one line each. */
static void
append_preview_row (GString            *out,
                    const char * const *cells)
{
  for (guint i = 0; cells[i] != NULL; i++)
    {
      g_autofree char *flat = g_strdup (cells[i]);

      g_strdelimit (flat, "\r\n\t", ' ');
      if (i > 0)
        g_string_append (out, " │ ");
      if (g_utf8_strlen (flat, -1) > PREVIEW_CELL_CHARS)
        {
          g_autofree char *cut = g_utf8_substring (flat, 0, PREVIEW_CELL_CHARS - 1);
          g_string_append_printf (out, "%s…", cut);
        }
      else
        g_string_append (out, flat);
    }
  g_string_append_c (out, '\n');
}

static gboolean
read_preview (CnImportDialog  *self,
              GError         **error)
{
  g_autoptr(GFileInputStream) stream = g_file_read (self->file, NULL, error);
  g_autoptr(CnCsvReader) reader = NULL;
  g_autoptr(GString) preview = g_string_new (NULL);

  if (stream == NULL)
    return FALSE;

  reader = cn_csv_reader_new (G_INPUT_STREAM (stream));
  if (!cn_csv_reader_next (reader, &self->header, NULL, NULL, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                             _("The file is empty: a CSV file starts with a row of column "
                               "names."));
      return FALSE;
    }

  append_preview_row (preview, (const char * const *) self->header);
  for (guint i = 0; i < PREVIEW_ROWS; i++)
    {
      g_auto(GStrv) row = NULL;
      g_autoptr(GError) row_error = NULL;

      if (!cn_csv_reader_next (reader, &row, NULL, NULL, &row_error))
        {
          if (row_error == NULL || row_error->code == CN_CSV_ERROR_UNTERMINATED)
            break;
          continue;
        }
      append_preview_row (preview, (const char * const *) row);
    }
  g_strchomp (preview->str);
  gtk_label_set_text (self->preview_label, preview->str);
  return TRUE;
}

static void
add_field_rows (CnImportDialog *self)
{
  for (guint f = 0; f < CN_CALL_N_FIELDS; f++)
    {
      g_autoptr(GtkStringList) columns = gtk_string_list_new (NULL);
      AdwComboRow *row = ADW_COMBO_ROW (adw_combo_row_new ());

      gtk_string_list_append (columns, _("Not in file"));
      for (guint i = 0; self->header[i] != NULL; i++)
        gtk_string_list_append (columns, *self->header[i] != '\0' ? self->header[i] : "—");

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), cn_call_field_label (f));
      adw_combo_row_set_model (row, G_LIST_MODEL (columns));
      adw_combo_row_set_selected (row, cn_call_csv_mapping_get (&self->mapping, f) + 1);
      adw_preferences_group_add (self->mapping_group, GTK_WIDGET (row));
      self->field_rows[f] = row;
    }
}

CnImportDialog *
cn_import_dialog_new (GtkWindow   *parent,
                      CnDatabase  *database,
                      GSettings   *settings,
                      GFile       *file,
                      GError     **error)
{
  CnImportDialog *self;

  g_return_val_if_fail (CN_IS_DATABASE (database), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  /* Owned by GTK, as every toplevel window. */
  self = g_object_new (CN_TYPE_IMPORT_DIALOG, "transient-for", parent, NULL);
  self->database = g_object_ref (database);
  self->file = g_object_ref (file);
  if (settings != NULL)
    {
      g_autofree char *setting = g_settings_get_string (settings, "default-country-code");
      self->country_code = cn_phone_country_code_from_setting (setting);
    }

  if (!read_preview (self, error))
    {
      gtk_window_destroy (GTK_WINDOW (self));
      return NULL;
    }

  cn_call_csv_mapping_init (&self->mapping, (const char * const *) self->header);
  if (self->mapping.ours)
    {
      /* Our own export: nothing to map. */
      gtk_widget_set_visible (GTK_WIDGET (self->mapping_group), FALSE);
    }
  else
    {
      add_field_rows (self);
    }

  return self;
}

AdwComboRow *
cn_import_dialog_get_field_row (CnImportDialog *self,
                                guint           field)
{
  g_return_val_if_fail (CN_IS_IMPORT_DIALOG (self), NULL);
  g_return_val_if_fail (field < CN_CALL_N_FIELDS, NULL);

  return self->field_rows[field];
}

gboolean
cn_import_dialog_is_done (CnImportDialog *self)
{
  g_return_val_if_fail (CN_IS_IMPORT_DIALOG (self), FALSE);

  return self->done;
}
