/* test-event-logger-restart.c: a logger opened from a live call, across a restart
 *
 * A completed call is in the database as the event stream stores it. Log
 * Call (what the card's and the notification's button do) opens the logger
 * filled from it; the agent types notes and the app is closed with the
 * logger open (its draft kept). At the next start the logger comes back
 * from the draft, still knowing its call: saving it links the call to the
 * new log, which is dated by the call's start. Log Call on that call brings
 * the restored logger forward while it is open, and asks first once the
 * call is logged.
 *
 * Each start is a process of its own (GApplication runs once per process);
 * both use the same data folder.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "cn-application.h"
#include "cn-live-store.h"
#include "cn-log-dialog.h"
#include "ui-test-dir.h"

#define CALL_SID   "CA31"
#define STARTED_AT 1795000000   /* 2026-11-18, long before the log is saved */
#define NOTES      "Wants the annual plan"

typedef struct Fixture Fixture;
typedef gboolean (*StepFunc) (Fixture *f);

struct Fixture {
  char           *dir;
  CnApplication  *app;
  CnLogDialog    *dialog;
  char           *uuid;
  const StepFunc *steps;
  guint           step;
  gint64          step_started;
};

#include "ui-test-util.h"

static void
run_app (Fixture        *f,
         const StepFunc *steps)
{
  char *argv[] = { (char *) "callnotes", NULL };

  f->dir = g_strdup (g_getenv ("CALLNOTES_DATA_DIR"));
  g_assert_nonnull (f->dir);
  run_steps (f, steps, 1, argv);
}

/* ---- the first start: log it from the event, type, close ---------------------- */

static gboolean
step_log_call (Fixture *f)
{
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "log-call-from-event",
                                  g_variant_new_string (CALL_SID));
  return TRUE;
}

static gboolean
step_logger_from_call (Fixture *f)
{
  g_autoptr(CnCallLog) log = NULL;

  f->dialog = find_logger (f);
  if (f->dialog == NULL)
    return FALSE;

  log = cn_log_dialog_dup_log (f->dialog);
  g_assert_cmpstr (cn_call_log_get_contact_name (log), ==, "Jane Doe");
  g_assert_cmpint (cn_call_log_get_outcome (log), ==, CN_OUTCOME_CONNECTED);
  g_assert_cmpint (cn_call_log_get_created_at (log), ==, STARTED_AT);
  /* Alt+N is the mnemonic of the Notes label. */
  press_keys (GTK_WIDGET (f->dialog), "alt+n", "type:" NOTES, NULL);
  return TRUE;
}

/* Within a second of typing the draft holds the notes (and the call);
 * then the app quits with the logger open. */
static gboolean
step_draft_kept (Fixture *f)
{
  g_autoptr(CnDatabase) db = open_db (f);
  g_autoptr(GPtrArray) drafts = cn_database_list_drafts (db, NULL);
  CnDraft *draft;

  g_assert_nonnull (drafts);
  if (drafts->len == 0)
    return FALSE;

  g_assert_cmpuint (drafts->len, ==, 1);
  draft = g_ptr_array_index (drafts, 0);
  if (g_strcmp0 (cn_call_log_get_notes (draft->log), NOTES) != 0)
    return FALSE;

  g_assert_cmpstr (cn_call_log_get_uuid (draft->log), ==, cn_log_dialog_get_uuid (f->dialog));
  g_assert_cmpint (cn_call_log_get_created_at (draft->log), ==, STARTED_AT);
  g_assert_cmpstr (draft->call_sid, ==, CALL_SID);
  return TRUE;
}

static const StepFunc first_steps[] = {
  step_log_call,
  step_logger_from_call,
  step_draft_kept,
  NULL
};

static void
test_first_start (void)
{
  Fixture f = { 0, };

  run_app (&f, first_steps);
  g_assert_cmpuint (f.step, ==, G_N_ELEMENTS (first_steps) - 1);
  g_free (f.dir);
}

/* ---- the next start: the logger is back, saves, links the call ---------------- */

static guint
count_loggers (Fixture *f)
{
  guint n = 0;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (f->app)); l; l = l->next)
    n += CN_IS_LOG_DIALOG (l->data);

  return n;
}

static gboolean
step_logger_restored (Fixture *f)
{
  g_autoptr(CnCallLog) log = NULL;

  f->dialog = find_logger (f);
  if (f->dialog == NULL)
    return FALSE;

  log = cn_log_dialog_dup_log (f->dialog);
  g_assert_cmpstr (cn_call_log_get_notes (log), ==, NOTES);
  g_assert_cmpstr (cn_call_log_get_contact_name (log), ==, "Jane Doe");
  f->uuid = g_strdup (cn_call_log_get_uuid (log));

  /* Log Call on the same call brings this logger forward: no second one. */
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "log-call-from-event",
                                  g_variant_new_string (CALL_SID));
  g_assert_cmpuint (count_loggers (f), ==, 1);
  g_assert_null (find_message (f));

  g_object_add_weak_pointer (G_OBJECT (f->dialog), (gpointer *) &f->dialog);
  press_keys (GTK_WIDGET (f->dialog), "ctrl+Return", NULL);
  return TRUE;
}

static gboolean
step_saved_and_linked (Fixture *f)
{
  CnDatabase *db = cn_application_get_database (f->app);
  g_autoptr(CnCallLog) log = NULL;
  g_autoptr(CnStreamCall) call = NULL;

  if (f->dialog != NULL)
    return FALSE;

  log = cn_database_get_call (db, f->uuid, NULL);
  g_assert_nonnull (log);
  g_assert_cmpstr (cn_call_log_get_notes (log), ==, NOTES);
  /* Dated by the call, not by the save. */
  g_assert_cmpint (cn_call_log_get_created_at (log), ==, STARTED_AT);

  /* The save linked the call (the dialog is gone after its "saved"). */
  call = cn_database_get_stream_call (db, CALL_SID, NULL);
  g_assert_nonnull (call);
  g_assert_cmpstr (call->logged_uuid, ==, f->uuid);

  /* Log Call on it now asks first; no second logger. */
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "log-call-from-event",
                                  g_variant_new_string (CALL_SID));
  return TRUE;
}

static const StepFunc next_steps[] = {
  step_logger_restored,
  step_saved_and_linked,
  ui_step_log_again_asks,
  NULL
};

static void
test_next_start (void)
{
  Fixture f = { 0, };

  run_app (&f, next_steps);
  g_assert_cmpuint (f.step, ==, G_N_ELEMENTS (next_steps) - 1);
  g_free (f.dir);
  g_free (f.uuid);
}

/* ---- the two starts --------------------------------------------------------------- */

static void
test_restart (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("callnotes-event-restart-XXXXXX", &error);
  g_autofree char *path = NULL;

  g_assert_no_error (error);
  g_setenv ("CALLNOTES_DATA_DIR", dir, TRUE);
  path = g_build_filename (dir, "callnotes.db", NULL);

  /* The call as the event stream stores a call_completed event. */
  {
    g_autoptr(CnDatabase) db = cn_database_open (path, &error);
    g_autoptr(CnStreamCall) call = cn_stream_call_new ();

    g_assert_no_error (error);
    call->call_sid = g_strdup (CALL_SID);
    call->status = g_strdup ("ANSWER");
    call->completed = TRUE;
    call->duration_seconds = 95;
    call->phone = g_strdup ("+15551234567");
    call->contact_id = g_strdup ("42");
    call->contact_name = g_strdup ("Jane Doe");
    call->direction = g_strdup ("outbound");
    call->started_at = STARTED_AT;
    call->ended_at = STARTED_AT + 95;
    call->received_at = g_get_real_time () / G_USEC_PER_SEC;
    g_assert_true (cn_database_store_stream_call (db, call, "completed", &error));
    g_assert_no_error (error);
  }

  g_test_trap_subprocess ("/ui/event-logger/restart/subprocess/first", 60 * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  g_test_trap_subprocess ("/ui/event-logger/restart/subprocess/next", 60 * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();

  /* One log of the call, linked, and no draft left. */
  {
    g_autoptr(CnDatabase) db = cn_database_open (path, &error);
    g_autoptr(CnStreamCall) call = NULL;
    g_autoptr(GPtrArray) drafts = NULL;
    CnCallQuery all = { NULL, CN_OUTCOME_NONE };

    g_assert_no_error (error);
    g_assert_cmpuint (cn_database_count_calls (db, &all, &error), ==, 1);
    g_assert_no_error (error);
    call = cn_database_get_stream_call (db, CALL_SID, &error);
    g_assert_no_error (error);
    g_assert_nonnull (call->logged_uuid);
    drafts = cn_database_list_drafts (db, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (drafts->len, ==, 0);
  }

  ui_test_remove_tree (dir);
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

  g_test_add_func ("/ui/event-logger/restart", test_restart);
  g_test_add_func ("/ui/event-logger/restart/subprocess/first", test_first_start);
  g_test_add_func ("/ui/event-logger/restart/subprocess/next", test_next_start);

  return g_test_run ();
}
