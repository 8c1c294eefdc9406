/* test-export-ui.c: Export… from the history window, in the real
 * application under Xvfb
 *
 * Four logs made before the app starts, two of them about a renewal. The
 * test opens Export… from the window, picks JSON and saves through the file
 * chooser as a person does, then reads the file: every log, each with the
 * members `callnotes show --json` prints. Then it searches for "renewal",
 * exports as CSV with "Only the calls of the current search" left on, and
 * finds exactly those two in the file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cn-application.h"
#include "cn-window.h"
#include "ui-test-dir.h"

typedef struct Fixture Fixture;
typedef gboolean (*StepFunc) (Fixture *f);

struct Fixture {
  char           *dir;
  CnApplication  *app;
  const StepFunc *steps;
  guint           step;
  gint64          step_started;
  GPtrArray      *uuids;      /* newest first */
  gboolean        answered;   /* the file chooser was answered */
};

#define UI_TEST_STEP_DONE(f) ((f)->answered = FALSE)

#include "ui-test-util.h"

/* ---- helpers ------------------------------------------------------------------ */

/* The file chooser GtkFileChooserNative shows outside a sandbox. */
static GtkFileChooser *
find_file_chooser (void)
{
  for (guint i = 0; i < g_list_model_get_n_items (gtk_window_get_toplevels ()); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (gtk_window_get_toplevels (), i);

      if (GTK_IS_FILE_CHOOSER (w) && GTK_IS_DIALOG (w) && gtk_widget_get_mapped (GTK_WIDGET (w)))
        return GTK_FILE_CHOOSER (w);
    }

  return NULL;
}

/* Saves as @name in the test's folder, as typing a name and pressing
 * Export does; done when the chooser has closed. The chooser reads the
 * folder before it takes the answer, so it is given again until then. */
static gboolean
save_as (Fixture    *f,
         const char *name)
{
  GtkFileChooser *chooser = find_file_chooser ();
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GFile) current = NULL;
  g_autoptr(GError) error = NULL;

  if (chooser == NULL)
    return f->answered;

  g_assert_cmpint (gtk_file_chooser_get_action (chooser), ==, GTK_FILE_CHOOSER_ACTION_SAVE);
  folder = g_file_new_for_path (f->dir);
  current = gtk_file_chooser_get_current_folder (chooser);
  if (current == NULL || !g_file_equal (current, folder))
    {
      g_assert_true (gtk_file_chooser_set_current_folder (chooser, folder, &error));
      g_assert_no_error (error);
      return FALSE;
    }
  gtk_file_chooser_set_current_name (chooser, name);
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);
  f->answered = TRUE;
  return FALSE;
}

static char *
read_export (Fixture    *f,
             const char *name)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

static gboolean
toast_says (Fixture    *f,
            const char *text)
{
  return find_widget (GTK_WIDGET (main_window (f)), GTK_TYPE_LABEL, text) != NULL;
}

static void
make_history (Fixture *f)
{
  g_autoptr(CnDatabase) db = open_db (f);
  const char *notes[] = { "Renewal due in March", "Wrong number", "Asked about the renewal",
                          NULL };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  f->uuids = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(CnCallLog) log = cn_call_log_new_with_uuid ();
      g_autofree char *phone = g_strdup_printf ("+1555400000%u", i);
      g_autofree char *name = g_strdup_printf ("Caller, “%u”", i);
      const CnCallEvent dialed[] = { { (char *) "dialed", now - 600 * i - 30, NULL } };
      g_autoptr(GError) error = NULL;

      cn_call_log_set_phone (log, phone);
      cn_call_log_set_contact_name (log, name);
      cn_call_log_set_notes (log, notes[i]);
      cn_call_log_set_outcome (log, i % 2 == 0 ? CN_OUTCOME_CONNECTED : CN_OUTCOME_BUSY);
      cn_call_log_set_duration (log, 60 + i);
      cn_call_log_set_created_at (log, now - 600 * i);
      g_assert_true (cn_database_insert_call (db, log, dialed, 1, &error));
      g_assert_no_error (error);
      g_ptr_array_add (f->uuids, g_strdup (cn_call_log_get_uuid (log)));
    }
}

/* ---- JSON, everything ---------------------------------------------------------- */

static gboolean
step_show_history (Fixture *f)
{
  gtk_window_present (GTK_WINDOW (main_window (f)));
  if (g_list_model_get_n_items (history_model (f)) != 4 ||
      !gtk_widget_get_mapped (GTK_WIDGET (main_window (f))))
    return FALSE;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (main_window (f)), "win.export", NULL));
  return TRUE;
}

static gboolean
step_pick_json (Fixture *f)
{
  AdwMessageDialog *dialog = find_message (f);
  GtkWidget *button;

  if (dialog == NULL)
    return FALSE;

  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Export Calls");
  /* Nothing filters the history: no scope to choose. */
  g_assert_null (find_widget (GTK_WIDGET (dialog), GTK_TYPE_CHECK_BUTTON, NULL));
  button = find_widget (GTK_WIDGET (dialog), GTK_TYPE_BUTTON, "_JSON");
  g_assert_nonnull (button);
  gtk_widget_activate (button);
  return TRUE;
}

static gboolean
step_save_json (Fixture *f)
{
  GtkFileChooser *chooser = find_file_chooser ();
  g_autofree char *name = NULL;

  /* It proposes a .json name. */
  if (chooser != NULL && !f->answered)
    {
      name = gtk_file_chooser_get_current_name (chooser);
      g_assert_true (g_str_has_suffix (name, ".json"));
    }
  return save_as (f, "all.json");
}

static gboolean
step_json_written (Fixture *f)
{
  static const char * const members[] = {
    "uuid", "contact_id", "contact_name", "phone", "phone_raw", "extension", "outcome",
    "duration_seconds", "notes", "follow_up_date", "created_at", "events",
  };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  JsonArray *array;

  if (!toast_says (f, "Exported 4 calls"))
    return FALSE;

  text = read_export (f, "all.json");
  g_assert_nonnull (text);
  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)));
  array = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (array), ==, 4);

  /* Oldest first, as a file to keep reads best. */
  for (guint i = 0; i < 4; i++)
    {
      JsonObject *log = json_array_get_object_element (array, 3 - i);
      g_autofree char *name = g_strdup_printf ("Caller, “%u”", i);
      JsonArray *events;

      for (guint m = 0; m < G_N_ELEMENTS (members); m++)
        g_assert_true (json_object_has_member (log, members[m]));
      /* Text as typed, quotes and commas too. */
      g_assert_cmpstr (json_object_get_string_member (log, "uuid"), ==, f->uuids->pdata[i]);
      g_assert_cmpstr (json_object_get_string_member (log, "contact_name"), ==, name);
      g_assert_cmpint (json_object_get_int_member (log, "duration_seconds"), ==, 60 + i);
      g_assert_cmpstr (json_object_get_string_member (log, "outcome"), ==,
                       i % 2 == 0 ? "connected" : "busy");
      events = json_object_get_array_member (log, "events");
      g_assert_cmpuint (json_array_get_length (events), ==, 2);
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (events, 0),
                                                      "kind"), ==, "dialed");
    }
  g_assert_true (json_object_get_null_member (json_array_get_object_element (array, 0),
                                              "notes"));

  /* Now only the calls about a renewal, searched as a person does. */
  press_keys (GTK_WIDGET (main_window (f)), "ctrl+f", "type:renewal", NULL);
  return TRUE;
}

/* ---- CSV, the current search ----------------------------------------------------- */

static gboolean
step_searched (Fixture *f)
{
  if (g_list_model_get_n_items (history_model (f)) != 2)
    return FALSE;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (main_window (f)), "win.export", NULL));
  return TRUE;
}

static gboolean
step_pick_csv_for_search (Fixture *f)
{
  AdwMessageDialog *dialog = find_message (f);
  GtkWidget *scope;
  GtkWidget *button;

  if (dialog == NULL)
    return FALSE;

  scope = find_widget (GTK_WIDGET (dialog), GTK_TYPE_CHECK_BUTTON,
                       "Only the calls of the current _search and filter");
  g_assert_nonnull (scope);
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (scope)));
  button = find_widget (GTK_WIDGET (dialog), GTK_TYPE_BUTTON, "C_SV");
  g_assert_nonnull (button);
  gtk_widget_activate (button);
  return TRUE;
}

static gboolean
step_save_csv (Fixture *f)
{
  GtkFileChooser *chooser = find_file_chooser ();
  g_autofree char *name = NULL;

  if (chooser != NULL && !f->answered)
    {
      name = gtk_file_chooser_get_current_name (chooser);
      g_assert_true (g_str_has_suffix (name, ".csv"));
    }
  return save_as (f, "renewal.csv");
}

static gboolean
step_csv_written (Fixture *f)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!toast_says (f, "Exported 2 calls"))
    return FALSE;

  text = read_export (f, "renewal.csv");
  g_assert_nonnull (text);
  lines = g_strsplit (text, "\r\n", -1);
  /* A header, the two logs, and the end of the last line. */
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_true (g_str_has_prefix (lines[0], "uuid,"));
  g_assert_true (g_str_has_prefix (lines[1], f->uuids->pdata[2]));
  g_assert_nonnull (strstr (lines[1], "Asked about the renewal"));
  g_assert_true (g_str_has_prefix (lines[2], f->uuids->pdata[0]));
  g_assert_nonnull (strstr (lines[2], "Renewal due in March"));
  /* A name with a comma and quotes is one quoted field. */
  g_assert_nonnull (strstr (lines[2], "\"Caller, “0”\""));
  g_assert_cmpstr (lines[3], ==, "");
  return TRUE;
}

static const StepFunc export_steps[] = {
  step_show_history,
  step_pick_json,
  step_save_json,
  step_json_written,
  step_searched,
  step_pick_csv_for_search,
  step_save_csv,
  step_csv_written,
  NULL
};

static void
test_export (void)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  char *argv[] = { (char *) "callnotes", NULL };
  Fixture *f;

  if (!in_own_process (120))
    return;

  f = g_new0 (Fixture, 1);
  f->dir = g_dir_make_tmp ("callnotes-export-ui-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("CALLNOTES_DATA_DIR", f->dir, TRUE);
  make_history (f);

  settings = g_settings_new (APP_ID);
  g_settings_set_string (settings, "dialer", "none");
  g_settings_set_boolean (settings, "backend-enabled", FALSE);
  g_settings_set_boolean (settings, "run-in-background", FALSE);
  run_steps (f, export_steps, 1, argv);

  g_clear_object (&f->app);
  ui_test_remove_tree (f->dir);
  g_free (f->dir);
  g_ptr_array_unref (f->uuids);
  g_free (f);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ui/export/json-and-search-csv", test_export);

  return g_test_run ();
}
