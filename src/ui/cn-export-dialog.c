/* cn-export-dialog.c: Export… — format, scope and file, then app.export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-export-dialog"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "cn-export-dialog.h"

typedef struct {
  GtkWindow      *parent;      /* weak */
  char           *search;      /* NULL: none */
  CnOutcome       outcome;
  GtkCheckButton *filtered;    /* NULL when nothing filters the history */
  gboolean        json;
} ExportRequest;

static void
export_request_free (ExportRequest *request)
{
  g_clear_weak_pointer (&request->parent);
  g_free (request->search);
  g_free (request);
}

static void
on_file_response (GtkNativeDialog *native,
                  int              response,
                  ExportRequest   *request)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT && request->parent != NULL)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      path = file != NULL ? g_file_get_path (file) : NULL;
    }

  if (path != NULL)
    {
      gboolean filtered = request->search != NULL || request->outcome != CN_OUTCOME_NONE;

      gtk_widget_activate_action (GTK_WIDGET (request->parent), "app.export", "(sssi)",
                                  request->json ? "json" : "csv", path,
                                  filtered && request->search != NULL ? request->search : "",
                                  filtered ? (gint32) request->outcome : 0);
    }

  export_request_free (request);
  g_object_unref (native);
}

static void
on_format_response (AdwMessageDialog *dialog,
                    const char       *response,
                    ExportRequest    *request)
{
  GtkFileChooserNative *native;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if ((!g_str_equal (response, "csv") && !g_str_equal (response, "json")) ||
      request->parent == NULL)
    {
      export_request_free (request);
      return;
    }

  request->json = g_str_equal (response, "json");
  if (request->filtered != NULL && !gtk_check_button_get_active (request->filtered))
    {
      g_clear_pointer (&request->search, g_free);
      request->outcome = CN_OUTCOME_NONE;
    }

  native = gtk_file_chooser_native_new (_("Export Calls"), request->parent,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native),
                                     request->json ? _("calls.json") : _("calls.csv"));
  gtk_file_filter_set_name (filter, request->json ? _("JSON files") : _("CSV files"));
  gtk_file_filter_add_suffix (filter, request->json ? "json" : "csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);

  g_signal_connect (native, "response", G_CALLBACK (on_file_response), request);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

void
cn_export_dialog_run (GtkWindow  *parent,
                      const char *search,
                      CnOutcome   outcome)
{
  ExportRequest *request;
  GtkWidget *dialog;

  g_return_if_fail (GTK_IS_WINDOW (parent));

  request = g_new0 (ExportRequest, 1);
  g_set_weak_pointer (&request->parent, parent);
  request->search = search != NULL && *search != '\0' ? g_strdup (search) : NULL;
  request->outcome = outcome;

  dialog = adw_message_dialog_new (parent, _("Export Calls"),
                                   _("CSV opens in spreadsheets; JSON holds every detail of "
                                     "each call, as “callnotes show --json” prints it."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "json", _("_JSON"),
                                    "csv", _("C_SV"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "csv",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "csv");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  if (request->search != NULL || outcome != CN_OUTCOME_NONE)
    {
      GtkWidget *check = gtk_check_button_new_with_mnemonic (
        _("Only the calls of the current _search and filter"));

      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
      gtk_widget_set_halign (check, GTK_ALIGN_CENTER);
      adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), check);
      request->filtered = GTK_CHECK_BUTTON (check);
    }

  g_signal_connect (dialog, "response", G_CALLBACK (on_format_response), request);
  gtk_window_present (GTK_WINDOW (dialog));
}
