/* test-bulk-delete-ui.c: selecting several calls, deleting them with one
 * Undo, and Keep History, in the real application under Xvfb
 *
 * The history holds five logs made before the app starts, one of them
 * synced to the backend. The test selects rows through the list's own
 * selection model and with real key presses (Ctrl+A, Escape), answers the
 * confirmation, and presses the toast's Undo button.
 *
 * With CN_TEST_SCREENSHOTS=<dir> it saves pictures of the screen with three
 * rows selected and with the confirmation (`import -window root`).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "cn-application.h"
#include "cn-database-private.h"
#include "cn-preferences-window.h"
#include "cn-window.h"

typedef struct Fixture Fixture;
typedef gboolean (*StepFunc) (Fixture *f);

struct Fixture {
  char           *dir;
  CnApplication  *app;
  const StepFunc *steps;
  guint           step;
  gint64          step_started;
  GPtrArray      *uuids;      /* newest first, as listed; [1] is synced */
};

#include "ui-test-util.h"

#define DAY (24 * 60 * 60)

/* ---- helpers ------------------------------------------------------------------ */

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

static void
screenshot (const char *name)
{
  const char *dir = g_getenv ("CN_TEST_SCREENSHOTS");
  g_autofree char *file = NULL;
  const char *argv[] = { "import", "-window", "root", NULL, NULL };

  if (dir == NULL || *dir == '\0')
    return;

  spin (700);   /* animations end, the frame reaches the X server */
  file = g_strdup_printf ("%s/%s.png", dir, name);
  argv[3] = file;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                     NULL, NULL))
    g_message ("Could not take the picture %s", file);
}

static GtkSelectionModel *
selection (Fixture *f)
{
  GtkWidget *list = find_widget (GTK_WIDGET (main_window (f)), GTK_TYPE_LIST_VIEW, NULL);

  g_assert_nonnull (list);
  return gtk_list_view_get_model (GTK_LIST_VIEW (list));
}

static guint
n_selected (Fixture *f)
{
  g_autoptr(GtkBitset) set = gtk_selection_model_get_selection (selection (f));

  return (guint) gtk_bitset_get_size (set);
}

static GtkActionBar *
selection_bar (Fixture *f)
{
  GtkWidget *bar = find_widget (GTK_WIDGET (main_window (f)), GTK_TYPE_ACTION_BAR, NULL);

  g_assert_nonnull (bar);
  return GTK_ACTION_BAR (bar);
}

static gboolean
bar_says (Fixture    *f,
          const char *text)
{
  return gtk_action_bar_get_revealed (selection_bar (f)) &&
         find_widget (GTK_WIDGET (selection_bar (f)), GTK_TYPE_LABEL, text) != NULL;
}

/* Five logs a minute apart, the newest first in the list; the second is on
 * the backend. */
static GPtrArray *
make_history (Fixture *f,
              gint64   newest)
{
  g_autoptr(CnDatabase) db = open_db (f);
  GPtrArray *uuids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *sql = NULL;

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(CnCallLog) log = cn_call_log_new_with_uuid ();
      g_autofree char *phone = g_strdup_printf ("+1555300000%u", i);
      g_autofree char *name = g_strdup_printf ("Caller %u", i);
      g_autoptr(GError) error = NULL;

      cn_call_log_set_phone (log, phone);
      cn_call_log_set_contact_name (log, name);
      cn_call_log_set_outcome (log, CN_OUTCOME_CONNECTED);
      cn_call_log_set_created_at (log, newest - 60 * i);
      cn_call_log_set_updated_at (log, newest - 60 * i);
      g_assert_true (cn_database_insert_call (db, log, NULL, 0, &error));
      g_assert_no_error (error);
      g_ptr_array_add (uuids, g_strdup (cn_call_log_get_uuid (log)));
    }

  sql = g_strdup_printf ("UPDATE call_logs SET backend_id = '88' WHERE uuid = '%s'",
                         (char *) uuids->pdata[1]);
  g_assert_cmpint (sqlite3_exec (cn_database_get_handle (db), sql, NULL, NULL, NULL), ==,
                   SQLITE_OK);
  return uuids;
}

/* Clicks the dialog's button for @label, as a person does (the dialog
 * closes). */
static void
click_response (AdwMessageDialog *dialog,
                const char       *label)
{
  GtkWidget *button = find_widget (GTK_WIDGET (dialog), GTK_TYPE_BUTTON, label);

  g_assert_nonnull (button);
  gtk_widget_activate (button);
}

static Fixture *
fixture_new (void)
{
  Fixture *f = g_new0 (Fixture, 1);
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("callnotes-bulk-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("CALLNOTES_DATA_DIR", f->dir, TRUE);
  return f;
}

static void
run_app (Fixture        *f,
         const StepFunc *steps)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  char *argv[] = { (char *) "callnotes", NULL };

  g_settings_set_string (settings, "dialer", "none");
  g_settings_set_boolean (settings, "backend-enabled", FALSE);
  g_settings_set_boolean (settings, "run-in-background", FALSE);
  run_steps (f, steps, 1, argv);
}

/* ---- select, delete, undo ------------------------------------------------------ */

static gboolean
step_show_history (Fixture *f)
{
  gtk_window_present (GTK_WINDOW (main_window (f)));
  if (g_list_model_get_n_items (history_model (f)) != 5 ||
      !gtk_widget_get_mapped (GTK_WIDGET (main_window (f))))
    return FALSE;

  /* Nothing selected: no bar. */
  g_assert_cmpuint (n_selected (f), ==, 0);
  g_assert_false (gtk_action_bar_get_revealed (selection_bar (f)));
  return TRUE;
}

static gboolean
step_select_three (Fixture *f)
{
  /* Rows 0 to 2, as a click and two Ctrl+clicks do; the synced one is among them. */
  g_assert_true (gtk_selection_model_select_item (selection (f), 0, TRUE));
  g_assert_true (gtk_selection_model_select_item (selection (f), 1, FALSE));
  g_assert_true (gtk_selection_model_select_item (selection (f), 2, FALSE));
  g_assert_cmpuint (n_selected (f), ==, 3);
  return TRUE;
}

static gboolean
step_bar_says_three (Fixture *f)
{
  if (!bar_says (f, "3 selected"))
    return FALSE;

  screenshot ("bulk-3-selected");

  /* The Delete key does what the bar's button does. */
  press_keys (GTK_WIDGET (main_window (f)), "Delete", NULL);
  return TRUE;
}

static gboolean
step_confirm_mentions_backend (Fixture *f)
{
  AdwMessageDialog *dialog = find_message (f);

  if (dialog == NULL)
    return FALSE;

  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Delete 3 Calls?");
  g_assert_cmpstr (adw_message_dialog_get_body (dialog), ==,
                   "1 of them is already synced; it stays on the team backend and in the CRM, "
                   "and is removed only from this computer.");
  /* Asking is not doing. */
  g_assert_cmpuint (g_list_model_get_n_items (history_model (f)), ==, 5);
  screenshot ("bulk-confirm");
  click_response (dialog, "_Delete");
  return TRUE;
}

static gboolean
step_three_gone (Fixture *f)
{
  GtkWidget *undo;

  if (g_list_model_get_n_items (history_model (f)) != 2)
    return FALSE;

  /* The toast says how many and offers one Undo for all of them. */
  undo = find_widget (GTK_WIDGET (main_window (f)), GTK_TYPE_BUTTON, "_Undo");
  if (undo == NULL ||
      find_widget (GTK_WIDGET (main_window (f)), GTK_TYPE_LABEL, "3 calls deleted") == NULL)
    return FALSE;
  g_assert_false (gtk_action_bar_get_revealed (selection_bar (f)));
  screenshot ("bulk-deleted-toast");
  gtk_widget_activate (undo);
  return TRUE;
}

static gboolean
step_undo_restores_all (Fixture *f)
{
  g_autoptr(CnDatabase) db = NULL;

  if (g_list_model_get_n_items (history_model (f)) != 5)
    return FALSE;

  db = open_db (f);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GPtrArray) events = cn_database_list_events (db, f->uuids->pdata[i], NULL);
      CnCallEvent *last = g_ptr_array_index (events, events->len - 1);
      CnCallEvent *before = g_ptr_array_index (events, events->len - 2);

      g_assert_cmpstr (before->kind, ==, "deleted");
      g_assert_cmpstr (last->kind, ==, "restored");
    }
  return TRUE;
}

static gboolean
step_ctrl_a (Fixture *f)
{
  GtkWidget *list = find_widget (GTK_WIDGET (main_window (f)), GTK_TYPE_LIST_VIEW, NULL);

  gtk_widget_grab_focus (list);
  press_keys (GTK_WIDGET (main_window (f)), "ctrl+a", NULL);
  return TRUE;
}

static gboolean
step_all_selected_then_escape (Fixture *f)
{
  if (n_selected (f) != 5 || !bar_says (f, "5 selected"))
    return FALSE;

  press_keys (GTK_WIDGET (main_window (f)), "Escape", NULL);
  return TRUE;
}

static gboolean
step_escape_cleared (Fixture *f)
{
  if (n_selected (f) != 0)
    return FALSE;

  g_assert_false (gtk_action_bar_get_revealed (selection_bar (f)));

  /* Two that were never synced: the dialog says so, and Cancel keeps them. */
  g_assert_true (gtk_selection_model_select_range (selection (f), 3, 2, TRUE));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (main_window (f)), "win.delete-selected",
                                             NULL));
  return TRUE;
}

static gboolean
step_unsynced_confirm_cancel (Fixture *f)
{
  AdwMessageDialog *dialog = find_message (f);

  if (dialog == NULL)
    return FALSE;

  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Delete 2 Calls?");
  g_assert_null (strstr (adw_message_dialog_get_body (dialog), "backend"));
  click_response (dialog, "_Cancel");
  return TRUE;
}

static gboolean
step_cancel_kept_them (Fixture *f)
{
  g_autoptr(CnDatabase) db = NULL;

  if (find_message (f) != NULL)
    return FALSE;

  db = open_db (f);
  g_assert_cmpuint (cn_database_count_calls (db, NULL, NULL), ==, 5);
  g_assert_cmpuint (n_selected (f), ==, 2);

  /* One selected row: deleted at once with its own Undo, as before. */
  g_assert_true (gtk_selection_model_select_item (selection (f), 4, TRUE));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (main_window (f)), "win.delete-selected",
                                             NULL));
  return TRUE;
}

static gboolean
step_single_deleted_without_asking (Fixture *f)
{
  g_assert_null (find_message (f));
  if (g_list_model_get_n_items (history_model (f)) != 4)
    return FALSE;

  return TRUE;
}

static const StepFunc bulk_steps[] = {
  step_show_history,
  step_select_three,
  step_bar_says_three,
  step_confirm_mentions_backend,
  step_three_gone,
  step_undo_restores_all,
  step_ctrl_a,
  step_all_selected_then_escape,
  step_escape_cleared,
  step_unsynced_confirm_cancel,
  step_cancel_kept_them,
  step_single_deleted_without_asking,
  NULL
};

static void
test_bulk_delete (void)
{
  Fixture *f;

  if (!in_own_process (90))
    return;

  f = fixture_new ();
  f->uuids = make_history (f, g_get_real_time () / G_USEC_PER_SEC - 600);
  run_app (f, bulk_steps);
  g_assert_cmpuint (f->step, ==, G_N_ELEMENTS (bulk_steps) - 1);
}

/* ---- Keep History ------------------------------------------------------------------ */

static CnPreferencesWindow *
find_preferences (void)
{
  for (guint i = 0; i < g_list_model_get_n_items (gtk_window_get_toplevels ()); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (gtk_window_get_toplevels (), i);

      if (CN_IS_PREFERENCES_WINDOW (w) && gtk_widget_get_mapped (GTK_WIDGET (w)))
        return CN_PREFERENCES_WINDOW (w);
    }

  return NULL;
}

static AdwComboRow *
keep_history_row (void)
{
  CnPreferencesWindow *prefs = find_preferences ();
  GtkWidget *row = prefs != NULL ? find_widget (GTK_WIDGET (prefs), ADW_TYPE_COMBO_ROW,
                                                "_Keep History") : NULL;

  return row != NULL ? ADW_COMBO_ROW (row) : NULL;
}

static const char *
item_text (AdwComboRow *row,
           guint        position)
{
  g_autoptr(GtkStringObject) item = g_list_model_get_item (adw_combo_row_get_model (row),
                                                           position);

  return item != NULL ? g_intern_string (gtk_string_object_get_string (item)) : NULL;
}

static guint
item_position (AdwComboRow *row,
               const char  *text)
{
  GListModel *model = adw_combo_row_get_model (row);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (g_strcmp0 (item_text (row, i), text) == 0)
      return i;

  g_error ("Keep History has no item “%s”", text);
}

static gboolean
step_open_preferences (Fixture *f)
{
  gtk_window_present (GTK_WINDOW (main_window (f)));
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "preferences", NULL);
  return TRUE;
}

static gboolean
step_keep_history_maps_to_key (Fixture *f)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  AdwComboRow *row = keep_history_row ();

  if (row == NULL)
    return FALSE;

  if (g_getenv ("CN_TEST_SCREENSHOTS") != NULL)
    {
      /* Tall enough to show the History group at the bottom. */
      GtkWidget *prefs = GTK_WIDGET (find_preferences ());

      gtk_widget_hide (prefs);
      gtk_window_set_default_size (GTK_WINDOW (prefs), 600, 1000);
      gtk_widget_show (prefs);
      screenshot ("keep-history");
    }

  /* The default is For Ever, the first choice. */
  g_assert_cmpuint (g_settings_get_uint (settings, "retention-days"), ==, 0);
  g_assert_cmpstr (item_text (row, adw_combo_row_get_selected (row)), ==, "For Ever");

  adw_combo_row_set_selected (row, item_position (row, "90 Days"));
  g_assert_cmpuint (g_settings_get_uint (settings, "retention-days"), ==, 90);
  adw_combo_row_set_selected (row, item_position (row, "1 Year"));
  g_assert_cmpuint (g_settings_get_uint (settings, "retention-days"), ==, 365);

  /* A value set elsewhere (gsettings) shows as itself, in its place. */
  g_settings_set_uint (settings, "retention-days", 45);
  g_assert_cmpstr (item_text (row, adw_combo_row_get_selected (row)), ==, "45 Days");
  g_assert_cmpstr (item_text (row, 2), ==, "45 Days");
  g_assert_cmpuint (g_settings_get_uint (settings, "retention-days"), ==, 45);

  adw_combo_row_set_selected (row, item_position (row, "For Ever"));
  g_assert_cmpuint (g_settings_get_uint (settings, "retention-days"), ==, 0);
  return TRUE;
}

static const StepFunc preferences_steps[] = {
  step_open_preferences,
  step_keep_history_maps_to_key,
  NULL
};

static void
test_keep_history_row (void)
{
  Fixture *f;

  if (!in_own_process (60))
    return;

  f = fixture_new ();
  run_app (f, preferences_steps);
  g_assert_cmpuint (f->step, ==, G_N_ELEMENTS (preferences_steps) - 1);
}

/* With Keep History at 30 days, the app removes the old synced log a few
 * seconds after it starts and keeps the old ones that are not synced. */
static gboolean
step_old_synced_log_goes (Fixture *f)
{
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CnCallLog) gone = NULL;

  gtk_window_present (GTK_WINDOW (main_window (f)));
  if (g_list_model_get_n_items (history_model (f)) != 4)
    return FALSE;

  db = open_db (f);
  gone = cn_database_get_call (db, f->uuids->pdata[1], &error);
  g_assert_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_NOT_FOUND);
  for (guint i = 0; i < f->uuids->len; i++)
    if (i != 1)
      {
        g_autoptr(CnCallLog) kept = cn_database_get_call (db, f->uuids->pdata[i], NULL);

        g_assert_nonnull (kept);
      }
  return TRUE;
}

static const StepFunc retention_steps[] = {
  step_old_synced_log_goes,
  NULL
};

static void
test_retention_at_start (void)
{
  g_autoptr(GSettings) settings = NULL;
  Fixture *f;

  if (!in_own_process (60))
    return;

  f = fixture_new ();
  f->uuids = make_history (f, g_get_real_time () / G_USEC_PER_SEC - 100 * DAY);
  settings = g_settings_new (APP_ID);
  g_settings_set_uint (settings, "retention-days", 30);
  run_app (f, retention_steps);
  g_assert_cmpuint (f->step, ==, G_N_ELEMENTS (retention_steps) - 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DISPLAY") == NULL)
    {
      g_test_skip ("needs an X display (run under xvfb-run, as build-aux/dev test does)");
      return g_test_run ();
    }

  g_test_add_func ("/ui/bulk-delete", test_bulk_delete);
  g_test_add_func ("/ui/keep-history-row", test_keep_history_row);
  g_test_add_func ("/ui/retention-at-start", test_retention_at_start);

  return g_test_run ();
}
