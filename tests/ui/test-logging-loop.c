/* test-logging-loop.c: the whole loop, as a person does it, under Xvfb
 *
 * A tel: link is opened in the real application with the softphone set to a
 * `command:` that records its arguments. The test checks what the softphone
 * got, waits for the logger, picks an outcome and types notes with real key
 * presses (xdotool, XTEST), saves with Ctrl+Enter and finds the call in the
 * history window's model and in the database with its events.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "cn-application.h"
#include "cn-log-dialog.h"
#include "cn-outbox.h"
#include "cn-secrets.h"
#include "fake-servers.h"


typedef struct Fixture Fixture;
typedef gboolean (*StepFunc) (Fixture *f);

struct Fixture {
  char          *dir;
  char          *record_path;
  CnApplication *app;
  CnLogDialog   *dialog;
  char          *uuid;
  const StepFunc *steps;
  guint          step;
  gint64         step_started;
  gint64         run_started;
  guint          dial_delay_ms;
  FakeServer    *backend;        /* when set, the app syncs to it */
};

#include "ui-test-util.h"


/* ---- helpers ------------------------------------------------------------------ */

static char *
write_recorder (const char *dir,
                const char *record_path)
{
  g_autofree char *script = g_build_filename (dir, "softphone.sh", NULL);
  g_autofree char *text = g_strdup_printf ("#!/bin/sh\n"
                                           "for a in \"$@\"; do printf '%%s\\n' \"$a\"; done > '%s.tmp'\n"
                                           "mv '%s.tmp' '%s'\n",
                                           record_path, record_path, record_path);

  g_assert_true (g_file_set_contents (script, text, -1, NULL));
  g_assert_cmpint (g_chmod (script, 0755), ==, 0);

  return g_steal_pointer (&script);
}

static void
run_app (Fixture        *f,
         const StepFunc *steps,
         const char     *link)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *recorder = NULL;
  g_autofree char *dialer = NULL;
  char *argv[] = { (char *) "callnotes", (char *) link, NULL };

  recorder = write_recorder (f->dir, f->record_path);
  dialer = g_strdup_printf ("command:'%s' %%n %%u", recorder);
  g_settings_set_string (settings, "dialer", dialer);
  g_settings_set_uint (settings, "dial-delay-ms", f->dial_delay_ms);
  if (f->backend != NULL)
    g_settings_set_string (settings, "backend-url", fake_server_get_base_url (f->backend));

  f->run_started = g_get_monotonic_time ();
  run_steps (f, steps, link ? 2 : 1, argv);
}

static Fixture *
fixture_new (void)
{
  Fixture *f = g_new0 (Fixture, 1);
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("callnotes-ui-XXXXXX", &error);
  g_assert_no_error (error);
  f->record_path = g_build_filename (f->dir, "dialed.txt", NULL);
  f->dial_delay_ms = 300;
  g_setenv ("CALLNOTES_DATA_DIR", f->dir, TRUE);

  return f;
}

/* ---- the logging loop ------------------------------------------------------------ */

static gboolean
step_show_history (Fixture *f)
{
  gtk_window_present (GTK_WINDOW (cn_application_get_main_window (f->app)));
  return TRUE;
}

static gboolean
step_softphone_got_number (Fixture *f)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (f->record_path, &text, NULL, NULL))
    return FALSE;

  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_cmpstr (lines[0], ==, "+15551234567");
  g_assert_cmpstr (lines[1], ==, "tel:+1-555-123-4567;x-contact-name=Jane%20Doe");
  g_assert_cmpstr (lines[2], ==, "");
  return TRUE;
}

static gboolean
step_logger_appears (Fixture *f)
{
  f->dialog = find_logger (f);
  if (f->dialog == NULL)
    return FALSE;

  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (f->dialog)), ==, "Log Call — Jane Doe");
  /* Not before dial-delay-ms after the hand-off (which came after the start). */
  g_assert_cmpint (g_get_monotonic_time () - f->run_started, >=, f->dial_delay_ms * 1000);
  f->uuid = g_strdup (cn_log_dialog_get_uuid (f->dialog));
  return TRUE;
}

static gboolean
step_pick_voicemail_by_key (Fixture *f)
{
  g_autoptr(CnCallLog) before = cn_log_dialog_dup_log (f->dialog);

  g_assert_cmpint (cn_call_log_get_outcome (before), ==, CN_OUTCOME_NONE);
  press_keys (GTK_WIDGET (f->dialog), "2", NULL);
  return TRUE;
}

static gboolean
step_outcome_is_voicemail (Fixture *f)
{
  g_autoptr(CnCallLog) log = cn_log_dialog_dup_log (f->dialog);

  return cn_call_log_get_outcome (log) == CN_OUTCOME_VOICEMAIL;
}

static gboolean
step_type_notes (Fixture *f)
{
  /* Alt+N is the mnemonic of the Notes label. */
  press_keys (GTK_WIDGET (f->dialog), "alt+n", "type:Left a message about the renewal", NULL);
  return TRUE;
}

static gboolean
step_notes_typed (Fixture *f)
{
  g_autoptr(CnCallLog) log = cn_log_dialog_dup_log (f->dialog);

  return g_strcmp0 (cn_call_log_get_notes (log), "Left a message about the renewal") == 0;
}

static gboolean
step_draft_kept (Fixture *f)
{
  g_autoptr(CnDatabase) db = open_db (f);
  g_autoptr(GPtrArray) drafts = cn_database_list_drafts (db, NULL);

  /* Within a second of typing, the draft holds the notes. */
  for (guint i = 0; drafts != NULL && i < drafts->len; i++)
    {
      CnDraft *draft = g_ptr_array_index (drafts, i);

      if (g_strcmp0 (cn_call_log_get_notes (draft->log), "Left a message about the renewal") == 0)
        return TRUE;
    }

  return FALSE;
}

static gboolean
step_save_with_ctrl_enter (Fixture *f)
{
  g_object_add_weak_pointer (G_OBJECT (f->dialog), (gpointer *) &f->dialog);
  press_keys (GTK_WIDGET (f->dialog), "ctrl+Return", NULL);
  return TRUE;
}

static gboolean
step_dialog_closed (Fixture *f)
{
  return f->dialog == NULL;
}

static gboolean
step_row_in_history (Fixture *f)
{
  CnWindow *window = cn_application_get_main_window (f->app);
  GListModel *model = G_LIST_MODEL (cn_window_get_model (window));
  g_autoptr(CnCallLog) first = NULL;

  if (g_list_model_get_n_items (model) != 1)
    return FALSE;

  first = g_list_model_get_item (model, 0);
  g_assert_cmpstr (cn_call_log_get_uuid (first), ==, f->uuid);
  g_assert_cmpstr (cn_call_log_get_contact_name (first), ==, "Jane Doe");
  g_assert_cmpstr (cn_call_log_get_phone (first), ==, "+15551234567");
  g_assert_cmpint (cn_call_log_get_outcome (first), ==, CN_OUTCOME_VOICEMAIL);
  g_assert_cmpstr (cn_call_log_get_notes (first), ==, "Left a message about the renewal");
  g_assert_cmpint (cn_call_log_get_duration (first), >=, 0);
  return TRUE;
}

/* The app's sync worker sends the saved log to the backend, and the row
 * says it is synced. */
static gboolean
step_reached_backend (Fixture *f)
{
  g_autofree char *record = NULL;
  g_autoptr(CnDatabase) db = NULL;

  if (fake_server_count_records (f->backend) == 0)
    return FALSE;

  g_assert_cmpuint (fake_server_count_records (f->backend), ==, 1);
  record = fake_server_dup_record (f->backend, f->uuid);
  g_assert_nonnull (record);
  g_assert_nonnull (strstr (record, "\"outcome\":\"voicemail\""));
  g_assert_nonnull (strstr (record, "Left a message about the renewal"));

  db = open_db (f);
  return cn_database_get_sync_state (db, f->uuid, NULL, NULL) == CN_JOB_DONE;
}

static const StepFunc logging_loop_steps[] = {
  step_show_history,
  step_softphone_got_number,
  step_logger_appears,
  step_pick_voicemail_by_key,
  step_outcome_is_voicemail,
  step_type_notes,
  step_notes_typed,
  step_draft_kept,
  step_save_with_ctrl_enter,
  step_dialog_closed,
  step_row_in_history,
  step_reached_backend,
  NULL
};

static void
test_logging_loop (void)
{
  Fixture *f;

  if (!in_own_process (90))
    return;

  f = fixture_new ();
  f->dial_delay_ms = 1000;

  /* The team backend, with the token in the keyring (libsecret's file
   * backend). */
  {
    g_autofree char *keyring = g_build_filename (f->dir, "keyring", NULL);
    g_autoptr(GError) error = NULL;

    g_setenv ("SECRET_BACKEND", "file", TRUE);
    g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
    g_setenv ("SECRET_FILE_TEST_PASSWORD", "logging-loop", TRUE);
    f->backend = fake_server_new (FAKE_BACKEND);
    fake_server_set_token (f->backend, "loop-token");
    g_assert_true (cn_secret_store_sync (CN_SECRET_BACKEND_TOKEN, "loop-token", NULL, &error));
    g_assert_no_error (error);
  }

  run_app (f, logging_loop_steps, "tel:+1-555-123-4567;x-contact-name=Jane%20Doe");
  g_assert_cmpuint (f->step, ==, G_N_ELEMENTS (logging_loop_steps) - 1);

  {
    g_autoptr(CnDatabase) db = open_db (f);
    g_autoptr(GPtrArray) events = cn_database_list_events (db, f->uuid, NULL);
    g_autoptr(GPtrArray) drafts = cn_database_list_drafts (db, NULL);
    const char *kinds[] = { "dialed", "dialog_shown", "logged", "sync" };

    g_assert_nonnull (events);
    g_assert_cmpuint (events->len, ==, G_N_ELEMENTS (kinds));
    for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
      g_assert_cmpstr (((CnCallEvent *) g_ptr_array_index (events, i))->kind, ==, kinds[i]);
    /* The saved log took its draft with it. */
    g_assert_cmpuint (drafts->len, ==, 0);
  }
}

/* ---- a malformed link ---------------------------------------------------------- */

static gboolean
step_message_shown (Fixture *f)
{
  AdwMessageDialog *message = find_message (f);

  if (message == NULL)
    return FALSE;

  g_assert_cmpstr (adw_message_dialog_get_heading (message), ==, "This Link Cannot Be Called");
  g_assert_cmpuint (strlen (adw_message_dialog_get_body (message)), >, 10);
  g_assert_null (find_logger (f));
  g_assert_false (g_file_test (f->record_path, G_FILE_TEST_EXISTS));
  return TRUE;
}

static const StepFunc malformed_steps[] = {
  step_message_shown,
  NULL
};

static void
test_malformed_link (void)
{
  Fixture *f;

  if (!in_own_process (60))
    return;

  f = fixture_new ();
  run_app (f, malformed_steps, "tel:abc");

  {
    g_autoptr(CnDatabase) db = open_db (f);
    CnCallQuery query = { NULL, CN_OUTCOME_NONE };
    g_autoptr(GPtrArray) drafts = cn_database_list_drafts (db, NULL);

    g_assert_cmpuint (cn_database_count_calls (db, &query, NULL), ==, 0);
    g_assert_cmpuint (drafts->len, ==, 0);
  }
}

/* ---- a draft survives a crash ------------------------------------------------- */

static gboolean
step_draft_reopened (Fixture *f)
{
  g_autoptr(CnCallLog) log = NULL;

  f->dialog = find_logger (f);
  if (f->dialog == NULL)
    return FALSE;

  log = cn_log_dialog_dup_log (f->dialog);
  g_assert_cmpstr (cn_call_log_get_uuid (log), ==, f->uuid);
  g_assert_cmpstr (cn_call_log_get_notes (log), ==, "Typed before the crash");
  g_assert_cmpint (cn_call_log_get_outcome (log), ==, CN_OUTCOME_BUSY);
  g_assert_cmpstr (cn_call_log_get_phone (log), ==, "+4930123456");
  return TRUE;
}

static gboolean
step_escape_asks_first (Fixture *f)
{
  press_keys (GTK_WIDGET (f->dialog), "Escape", NULL);
  return TRUE;
}

static gboolean
step_confirmation_shown (Fixture *f)
{
  AdwMessageDialog *message = find_message (f);

  if (message == NULL)
    return FALSE;

  /* Asking keeps the logger open and the text in it. */
  g_assert_nonnull (find_logger (f));
  g_assert_cmpstr (adw_message_dialog_get_heading (message), ==, "Discard This Call Log?");
  adw_message_dialog_response (message, "cancel");
  gtk_window_destroy (GTK_WINDOW (message));
  return TRUE;
}

static gboolean
step_still_open (Fixture *f)
{
  g_autoptr(CnCallLog) log = NULL;

  g_assert_nonnull (find_logger (f));
  log = cn_log_dialog_dup_log (f->dialog);
  g_assert_cmpstr (cn_call_log_get_notes (log), ==, "Typed before the crash");
  return TRUE;
}

static const StepFunc draft_steps[] = {
  step_draft_reopened,
  step_escape_asks_first,
  step_confirmation_shown,
  step_still_open,
  NULL
};

static void
test_draft_reopens (void)
{
  Fixture *f;

  if (!in_own_process (60))
    return;

  f = fixture_new ();
  {
    g_autoptr(CnDatabase) db = open_db (f);
    g_autoptr(CnCallLog) log = cn_call_log_new_with_uuid ();
    g_autoptr(CnDraft) draft = NULL;
    g_autoptr(GError) error = NULL;

    cn_call_log_set_phone (log, "+4930123456");
    cn_call_log_set_phone_raw (log, "tel:+49-30-123456");
    cn_call_log_set_outcome (log, CN_OUTCOME_BUSY);
    cn_call_log_set_notes (log, "Typed before the crash");
    draft = cn_draft_new (log);
    draft->dialed_at = g_get_real_time () / G_USEC_PER_SEC - 60;
    draft->shown_at = draft->dialed_at + 1;
    g_assert_true (cn_database_save_draft (db, draft, &error));
    g_assert_no_error (error);
    f->uuid = g_strdup (cn_call_log_get_uuid (log));
  }

  run_app (f, draft_steps, NULL);

  /* Quitting with the logger open keeps the draft for the next start. */
  {
    g_autoptr(CnDatabase) db = open_db (f);
    g_autoptr(GPtrArray) drafts = cn_database_list_drafts (db, NULL);

    g_assert_cmpuint (drafts->len, ==, 1);
  }
}

/* ---- the database cannot be written ----------------------------------------- */

static sqlite3 *blocker;

static gboolean
step_block_database (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->dir, "callnotes.db", NULL);

  f->dialog = find_logger (f);
  if (f->dialog == NULL)
    return FALSE;

  f->uuid = g_strdup (cn_log_dialog_get_uuid (f->dialog));
  /* Another program holds the database: every write fails after the
   * busy timeout. */
  g_assert_cmpint (sqlite3_open (path, &blocker), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (blocker, "BEGIN EXCLUSIVE", NULL, NULL, NULL), ==, SQLITE_OK);
  return TRUE;
}

static gboolean
step_fill_and_save (Fixture *f)
{
  g_object_add_weak_pointer (G_OBJECT (f->dialog), (gpointer *) &f->dialog);
  press_keys (GTK_WIDGET (f->dialog), "1", "alt+n", "type:Must not be lost", NULL);
  /* A key after "type" in the same xdotool call can be lost: separate call. */
  press_keys (GTK_WIDGET (f->dialog), "ctrl+Return", NULL);
  return TRUE;
}

static gboolean
step_error_shown_text_kept (Fixture *f)
{
  g_autoptr(CnCallLog) log = NULL;
  const char *message;

  g_assert_nonnull (f->dialog);
  message = cn_log_dialog_get_error (f->dialog);
  if (message == NULL)
    return FALSE;

  /* The draft writer may complain first; wait for the save's answer. */
  if (!g_str_has_prefix (message, "The call was not saved."))
    return FALSE;
  g_test_message ("the dialog says: %s", message);
  log = cn_log_dialog_dup_log (f->dialog);
  g_assert_cmpstr (cn_call_log_get_notes (log), ==, "Must not be lost");
  g_assert_cmpint (cn_call_log_get_outcome (log), ==, CN_OUTCOME_CONNECTED);
  return TRUE;
}

static gboolean
step_unblock_and_save_again (Fixture *f)
{
  g_assert_cmpint (sqlite3_exec (blocker, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (blocker);
  blocker = NULL;
  press_keys (GTK_WIDGET (f->dialog), "ctrl+Return", NULL);
  return TRUE;
}

static const StepFunc save_failure_steps[] = {
  step_block_database,
  step_fill_and_save,
  step_error_shown_text_kept,
  step_unblock_and_save_again,
  step_dialog_closed,
  NULL
};

static void
test_save_failure_keeps_dialog (void)
{
  Fixture *f;

  if (!in_own_process (90))
    return;

  f = fixture_new ();
  run_app (f, save_failure_steps, "tel:+15551230000");

  {
    g_autoptr(CnDatabase) db = open_db (f);
    g_autoptr(CnCallLog) log = cn_database_get_call (db, f->uuid, NULL);

    g_assert_nonnull (log);
    g_assert_cmpstr (cn_call_log_get_notes (log), ==, "Must not be lost");
  }
}

/* ---- a damaged database ------------------------------------------------------ */

static gboolean
step_damage_reported (Fixture *f)
{
  AdwMessageDialog *message = find_message (f);
  g_autoptr(GDir) folder = NULL;
  const char *name;
  gboolean moved = FALSE;

  if (message == NULL)
    return FALSE;

  g_assert_cmpstr (adw_message_dialog_get_heading (message), ==, "Call Database Was Damaged");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (message), ".corrupt-"));

  /* The damaged bytes are kept beside the new database. */
  folder = g_dir_open (f->dir, 0, NULL);
  while ((name = g_dir_read_name (folder)) != NULL)
    if (g_str_has_prefix (name, "callnotes.db.corrupt-"))
      {
        g_autofree char *path = g_build_filename (f->dir, name, NULL);
        g_autofree char *bytes = NULL;

        g_assert_true (g_file_get_contents (path, &bytes, NULL, NULL));
        g_assert_cmpstr (bytes, ==, "not a database, but somebody's data");
        moved = TRUE;
      }
  g_assert_true (moved);
  return TRUE;
}

static gboolean
step_fresh_history (Fixture *f)
{
  CnWindow *window = cn_application_get_main_window (f->app);

  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (cn_window_get_model (window))), ==, 0);
  return TRUE;
}

static const StepFunc damaged_steps[] = {
  step_damage_reported,
  step_fresh_history,
  NULL
};

static void
test_damaged_database (void)
{
  Fixture *f;
  g_autofree char *path = NULL;

  if (!in_own_process (60))
    return;

  f = fixture_new ();
  path = g_build_filename (f->dir, "callnotes.db", NULL);
  g_assert_true (g_file_set_contents (path, "not a database, but somebody's data", -1, NULL));
  run_app (f, damaged_steps, NULL);
  g_assert_cmpuint (f->step, ==, G_N_ELEMENTS (damaged_steps) - 1);
}

/* ---- the history window ---------------------------------------------------- */

static gint64 cli_logged_at;

static char *
cli_log (Fixture    *f,
         const char *phone,
         const char *outcome,
         const char *notes)
{
  const char *argv[] = { g_getenv ("CALLNOTES_BIN"), "log", "--phone", phone, "--outcome", outcome,
                         "--notes", notes, NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_assert_nonnull (argv[0]);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
                               &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_strstrip (g_steal_pointer (&out));
}

static gboolean
step_cli_logs_while_open (Fixture *f)
{
  gtk_window_present (GTK_WINDOW (cn_application_get_main_window (f->app)));
  g_assert_cmpuint (g_list_model_get_n_items (history_model (f)), ==, 0);

  f->uuid = cli_log (f, "+15557770001", "busy", "From the command line");
  cli_logged_at = g_get_monotonic_time ();
  return TRUE;
}

static gboolean
step_window_shows_cli_log (Fixture *f)
{
  g_autoptr(CnCallLog) first = NULL;
  gint64 elapsed;

  if (g_list_model_get_n_items (history_model (f)) != 1)
    return FALSE;

  elapsed = g_get_monotonic_time () - cli_logged_at;
  g_printerr ("# the open window showed the command line's log after %.0f ms\n",
                  elapsed / 1000.0);
  g_assert_cmpint (elapsed, <, G_USEC_PER_SEC + G_USEC_PER_SEC / 2);
  first = g_list_model_get_item (history_model (f), 0);
  g_assert_cmpstr (cn_call_log_get_uuid (first), ==, f->uuid);
  return TRUE;
}

static gboolean
step_delete (Fixture *f)
{
  CnWindow *window = cn_application_get_main_window (f->app);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.delete", "s", f->uuid));
  return TRUE;
}

static gboolean
step_deleted_then_undo (Fixture *f)
{
  CnWindow *window = cn_application_get_main_window (f->app);

  if (g_list_model_get_n_items (history_model (f)) != 0)
    return FALSE;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.undo-delete", "s",
                                             f->uuid));
  return TRUE;
}

static gboolean
step_restored (Fixture *f)
{
  return g_list_model_get_n_items (history_model (f)) == 1;
}

static gboolean
step_two_keys_log_a_call (Fixture *f)
{
  gtk_widget_activate_action (GTK_WIDGET (cn_application_get_main_window (f->app)), "app.dial",
                              "s", "tel:+15557770002");
  return TRUE;
}

static gboolean
step_press_1_then_ctrl_enter (Fixture *f)
{
  f->dialog = find_logger (f);
  if (f->dialog == NULL)
    return FALSE;

  g_object_add_weak_pointer (G_OBJECT (f->dialog), (gpointer *) &f->dialog);
  press_keys (GTK_WIDGET (f->dialog), "1", NULL);
  press_keys (GTK_WIDGET (f->dialog), "ctrl+Return", NULL);
  return TRUE;
}

static gboolean
step_two_rows (Fixture *f)
{
  g_autoptr(CnCallLog) first = NULL;

  if (f->dialog != NULL || g_list_model_get_n_items (history_model (f)) != 2)
    return FALSE;

  first = g_list_model_get_item (history_model (f), 0);
  g_assert_cmpstr (cn_call_log_get_phone (first), ==, "+15557770002");
  g_assert_cmpint (cn_call_log_get_outcome (first), ==, CN_OUTCOME_CONNECTED);
  return TRUE;
}

static gboolean
step_search_with_ctrl_f (Fixture *f)
{
  CnWindow *window = cn_application_get_main_window (f->app);

  press_keys (GTK_WIDGET (window), "ctrl+f", "type:command", NULL);
  return TRUE;
}

static gboolean
step_search_finds_one (Fixture *f)
{
  CnCallLogModel *model = cn_window_get_model (cn_application_get_main_window (f->app));
  g_autoptr(CnCallLog) only = NULL;

  if (g_strcmp0 (cn_call_log_model_get_search (model), "command") != 0)
    return FALSE;

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
  only = g_list_model_get_item (G_LIST_MODEL (model), 0);
  g_assert_cmpstr (cn_call_log_get_notes (only), ==, "From the command line");
  return TRUE;
}

static gboolean
step_edit_unchanged_closes_quietly (Fixture *f)
{
  gtk_widget_activate_action (GTK_WIDGET (cn_application_get_main_window (f->app)),
                              "app.edit-call", "s", f->uuid);
  f->dialog = find_logger (f);
  g_assert_nonnull (f->dialog);
  g_object_add_weak_pointer (G_OBJECT (f->dialog), (gpointer *) &f->dialog);
  g_assert_true (g_str_has_prefix (gtk_window_get_title (GTK_WINDOW (f->dialog)), "Edit Call"));
  press_keys (GTK_WIDGET (f->dialog), "Escape", NULL);
  return TRUE;
}

static gboolean
step_edit_again (Fixture *f)
{
  /* The unchanged edit closed without asking anything. */
  if (f->dialog != NULL)
    return FALSE;
  g_assert_null (find_message (f));

  gtk_widget_activate_action (GTK_WIDGET (cn_application_get_main_window (f->app)),
                              "app.edit-call", "s", f->uuid);
  return TRUE;
}

static gboolean
step_type_then_escape (Fixture *f)
{
  f->dialog = find_logger (f);
  if (f->dialog == NULL)
    return FALSE;

  g_object_add_weak_pointer (G_OBJECT (f->dialog), (gpointer *) &f->dialog);
  press_keys (GTK_WIDGET (f->dialog), "alt+n", "ctrl+End", "type: and more", NULL);
  press_keys (GTK_WIDGET (f->dialog), "Escape", NULL);
  return TRUE;
}

static gboolean
step_edit_typed_asks (Fixture *f)
{
  AdwMessageDialog *message = find_message (f);

  if (message == NULL)
    return FALSE;

  g_assert_cmpstr (adw_message_dialog_get_heading (message), ==, "Discard Changes?");
  adw_message_dialog_response (message, "discard");
  return TRUE;
}

static gboolean
step_edit_discarded (Fixture *f)
{
  g_autoptr(CnCallLog) log = NULL;

  if (f->dialog != NULL)
    return FALSE;

  log = cn_database_get_call (cn_application_get_database (f->app), f->uuid, NULL);
  g_assert_cmpstr (cn_call_log_get_notes (log), ==, "From the command line");
  return TRUE;
}

static const StepFunc history_steps[] = {
  step_cli_logs_while_open,
  step_window_shows_cli_log,
  step_delete,
  step_deleted_then_undo,
  step_restored,
  step_two_keys_log_a_call,
  step_press_1_then_ctrl_enter,
  step_two_rows,
  step_search_with_ctrl_f,
  step_search_finds_one,
  step_edit_unchanged_closes_quietly,
  step_edit_again,
  step_type_then_escape,
  step_edit_typed_asks,
  step_edit_discarded,
  NULL
};

static void
test_history_window (void)
{
  Fixture *f;

  if (!in_own_process (90))
    return;

  f = fixture_new ();
  run_app (f, history_steps, NULL);
  g_assert_cmpuint (f->step, ==, G_N_ELEMENTS (history_steps) - 1);
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

  g_test_add_func ("/ui/logging-loop", test_logging_loop);
  g_test_add_func ("/ui/malformed-link", test_malformed_link);
  g_test_add_func ("/ui/draft-reopens-after-crash", test_draft_reopens);
  g_test_add_func ("/ui/save-failure-keeps-dialog", test_save_failure_keeps_dialog);
  g_test_add_func ("/ui/history-window", test_history_window);
  g_test_add_func ("/ui/damaged-database", test_damaged_database);

  return g_test_run ();
}
