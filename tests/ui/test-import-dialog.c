/* test-import-dialog.c: Import…'s column-mapping step, under Xvfb
 *
 * A file from another program: its header maps by the usual names, one
 * field the person picks by hand, the import runs off the main loop and the
 * summary names the skipped line. Our own export goes without a mapping.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "cn-call-csv.h"
#include "cn-database.h"
#include "cn-import-dialog.h"

#define TIMEOUT_S 30

typedef struct {
  char       *dir;
  CnDatabase *db;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("callnotes-import-ui-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "callnotes.db", NULL);
  f->db = cn_database_open (path, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  const char *names[] = { "callnotes.db", "callnotes.db-wal", "callnotes.db-shm",
                          "callnotes.db.lock", "crm.csv", NULL };

  g_clear_object (&f->db);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (f->dir, names[i], NULL);
      g_remove (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static GFile *
write_csv (Fixture    *f,
           const char *contents)
{
  g_autofree char *path = g_build_filename (f->dir, "crm.csv", NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return g_file_new_for_path (path);
}

static void
wait_done (CnImportDialog *dialog)
{
  gint64 start = g_get_monotonic_time ();

  while (!cn_import_dialog_is_done (dialog))
    {
      if (g_get_monotonic_time () - start > TIMEOUT_S * G_USEC_PER_SEC)
        g_error ("the import did not finish");
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

static GtkWidget *
find_by_type (GtkWidget *root,
              GType      type,
              const char *label)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type) &&
          (label == NULL || g_strcmp0 (gtk_button_get_label (GTK_BUTTON (child)), label) == 0))
        return child;
      found = find_by_type (child, type, label);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static guint
count_calls (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  guint n = cn_database_count_calls (f->db, NULL, &error);

  g_assert_no_error (error);
  return n;
}

static void
test_foreign_mapping (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GFile) file = write_csv (f,
    "Telephone,Disposition,Comment,Customer,Called At,Talk Time\n"
    "(555) 200-0001,Connected,\"asked about \"\"pricing\"\"\",Dana,2026-11-05 09:00,2:00\n"
    "(555) 200-0002,Left voicemail,,Eli,2026-11-05 09:10,\n"
    "(555) 200-0003,Maybe,,Fay,2026-11-05 09:20,\n"
    "(555) 200-0004,No Answer,\"two\nlines\",Gus,2026-11-05 09:30,\n");
  g_autoptr(GError) error = NULL;
  CnImportDialog *dialog;
  GtkWidget *import_button;

  dialog = cn_import_dialog_new (NULL, f->db, NULL, file, &error);
  g_assert_no_error (error);
  gtk_window_present (GTK_WINDOW (dialog));

  /* Pre-filled by the usual names: Telephone, Disposition, Comment, Called
   * At. "Customer" and "Talk Time" are not among them. */
  g_assert_cmpuint (adw_combo_row_get_selected (cn_import_dialog_get_field_row (dialog,
                                                CN_CALL_FIELD_PHONE)), ==, 1);
  g_assert_cmpuint (adw_combo_row_get_selected (cn_import_dialog_get_field_row (dialog,
                                                CN_CALL_FIELD_OUTCOME)), ==, 2);
  g_assert_cmpuint (adw_combo_row_get_selected (cn_import_dialog_get_field_row (dialog,
                                                CN_CALL_FIELD_NOTES)), ==, 3);
  g_assert_cmpuint (adw_combo_row_get_selected (cn_import_dialog_get_field_row (dialog,
                                                CN_CALL_FIELD_DATE)), ==, 5);
  g_assert_cmpuint (adw_combo_row_get_selected (cn_import_dialog_get_field_row (dialog,
                                                CN_CALL_FIELD_CONTACT)), ==, 0);

  /* The person says Customer is the contact. */
  adw_combo_row_set_selected (cn_import_dialog_get_field_row (dialog, CN_CALL_FIELD_CONTACT), 4);

  if (g_getenv ("CN_TEST_SCREENSHOT") != NULL)
    {
      gint64 until = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
      while (g_get_monotonic_time () < until)
        g_main_context_iteration (NULL, FALSE);
    }

  import_button = find_by_type (GTK_WIDGET (dialog), GTK_TYPE_BUTTON, "_Import");
  g_assert_nonnull (import_button);
  g_signal_emit_by_name (import_button, "clicked");
  wait_done (dialog);

  /* "Maybe" is no outcome: line 4 is skipped, the three others go in. */
  g_assert_cmpuint (count_calls (f), ==, 3);
  {
    g_autoptr(GPtrArray) logs = NULL;
    CnCallQuery query = { "Dana", CN_OUTCOME_NONE };
    CnCallLog *log;

    g_assert_true (cn_database_catch_up (f->db, &error));
    logs = cn_database_query_calls (f->db, &query, 0, 10, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (logs->len, ==, 1);
    log = g_ptr_array_index (logs, 0);
    g_assert_cmpstr (cn_call_log_get_contact_name (log), ==, "Dana");
    g_assert_cmpstr (cn_call_log_get_notes (log), ==, "asked about \"pricing\"");
    g_assert_cmpint (cn_call_log_get_outcome (log), ==, CN_OUTCOME_CONNECTED);
  }

  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
test_missing_phone (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GFile) file = write_csv (f, "Who,What\nDana,busy\n");
  g_autoptr(GError) error = NULL;
  CnImportDialog *dialog = cn_import_dialog_new (NULL, f->db, NULL, file, &error);
  GtkWidget *import_button;

  g_assert_no_error (error);
  gtk_window_present (GTK_WINDOW (dialog));
  import_button = find_by_type (GTK_WIDGET (dialog), GTK_TYPE_BUTTON, "_Import");
  g_signal_emit_by_name (import_button, "clicked");
  /* Nothing maps: it says so and imports nothing. */
  for (guint i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_false (cn_import_dialog_is_done (dialog));
  g_assert_cmpuint (count_calls (f), ==, 0);

  /* Pick the columns by hand, and it goes. */
  adw_combo_row_set_selected (cn_import_dialog_get_field_row (dialog, CN_CALL_FIELD_CONTACT_ID),
                              1);
  adw_combo_row_set_selected (cn_import_dialog_get_field_row (dialog, CN_CALL_FIELD_OUTCOME), 2);
  g_signal_emit_by_name (import_button, "clicked");
  wait_done (dialog);
  g_assert_cmpuint (count_calls (f), ==, 1);

  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
test_empty_file (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GFile) file = write_csv (f, "");
  g_autoptr(GError) error = NULL;
  CnImportDialog *dialog = cn_import_dialog_new (NULL, f->db, NULL, file, &error);

  g_assert_null (dialog);
  g_assert_nonnull (error);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/import-dialog/foreign-mapping", Fixture, NULL, fixture_set_up,
              test_foreign_mapping, fixture_tear_down);
  g_test_add ("/import-dialog/missing-phone", Fixture, NULL, fixture_set_up,
              test_missing_phone, fixture_tear_down);
  g_test_add ("/import-dialog/empty-file", Fixture, NULL, fixture_set_up,
              test_empty_file, fixture_tear_down);

  return g_test_run ();
}
