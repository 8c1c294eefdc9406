/* test-reminders.c: follow-up reminders with a clock the test moves
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cn-reminders.h"
#include "../store/store-test-util.h"

typedef struct {
  gint64     now;
  GPtrArray *due;       /* uuids, in order */
  GArray    *overdue;   /* gboolean per due */
} Seen;

static gint64
test_clock (gpointer user_data)
{
  return ((Seen *) user_data)->now;
}

static void
on_due (CnReminders *reminders,
        CnFollowUp  *follow_up,
        gboolean     overdue,
        Seen        *seen)
{
  g_ptr_array_add (seen->due, g_strdup (cn_call_log_get_uuid (follow_up->log)));
  g_array_append_val (seen->overdue, overdue);
}

static CnCallLog *
save (CnDatabase *db,
      const char *contact_id,
      gint64      follow_up)
{
  g_autoptr(GError) error = NULL;
  CnCallLog *log = store_test_make_log ("+15551234567", "Jane Doe", "Send the pricing sheet",
                                        CN_OUTCOME_CONNECTED, 0);

  cn_call_log_set_contact_id (log, contact_id);
  cn_call_log_set_follow_up (log, follow_up);
  g_assert_true (cn_database_insert_call (db, log, NULL, 0, &error));
  g_assert_no_error (error);
  return log;
}

/* Overdue ones show once at start; others at their time; a snooze brings
 * one back; done ones never show; a restart does not show them again. */
static void
test_reminders (void)
{
  StoreTestDir dir;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(CnReminders) reminders = NULL;
  g_autoptr(CnCallLog) missed = NULL;
  g_autoptr(CnCallLog) soon = NULL;
  g_autoptr(CnCallLog) later = NULL;
  g_autoptr(CnCallLog) done = NULL;
  g_autoptr(GError) error = NULL;
  Seen seen = { 10000, g_ptr_array_new_with_free_func (g_free),
                g_array_new (FALSE, FALSE, sizeof (gboolean)) };

  store_test_dir_init (&dir);
  db = cn_database_open (dir.path, &error);
  g_assert_no_error (error);

  missed = save (db, "1", 9000);      /* fell due while not running */
  soon = save (db, "2", 10060);
  later = save (db, "3", 20000);
  done = save (db, "4", 9500);
  g_assert_true (cn_database_complete_follow_up (db, cn_call_log_get_uuid (done), &error));

  reminders = cn_reminders_new (db);
  cn_reminders_set_clock (reminders, test_clock, &seen);
  g_signal_connect (reminders, "due", G_CALLBACK (on_due), &seen);
  cn_reminders_start (reminders);

  g_assert_cmpuint (seen.due->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (seen.due, 0), ==, cn_call_log_get_uuid (missed));
  g_assert_true (g_array_index (seen.overdue, gboolean, 0));

  /* Nothing new until the next one's time. */
  seen.now = 10059;
  cn_reminders_check (reminders);
  g_assert_cmpuint (seen.due->len, ==, 1);
  seen.now = 10060;
  cn_reminders_check (reminders);
  g_assert_cmpuint (seen.due->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (seen.due, 1), ==, cn_call_log_get_uuid (soon));
  g_assert_false (g_array_index (seen.overdue, gboolean, 1));

  /* Snooze 10 minutes: it comes back then, once. */
  g_assert_true (cn_database_snooze_follow_up (db, cn_call_log_get_uuid (soon), 10060 + 600,
                                               &error));
  seen.now = 10600;
  cn_reminders_check (reminders);
  g_assert_cmpuint (seen.due->len, ==, 2);
  seen.now = 10700;
  cn_reminders_check (reminders);
  cn_reminders_check (reminders);
  g_assert_cmpuint (seen.due->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (seen.due, 2), ==, cn_call_log_get_uuid (soon));

  /* A new call to contact 3 completes its follow-up: it never shows. */
  g_object_unref (save (db, "3", 0));
  seen.now = 30000;
  cn_reminders_check (reminders);
  g_assert_cmpuint (seen.due->len, ==, 3);

  /* A restart shows nothing that was shown already. */
  g_clear_object (&reminders);
  reminders = cn_reminders_new (db);
  cn_reminders_set_clock (reminders, test_clock, &seen);
  g_signal_connect (reminders, "due", G_CALLBACK (on_due), &seen);
  cn_reminders_start (reminders);
  g_assert_cmpuint (seen.due->len, ==, 3);

  g_clear_object (&reminders);
  g_clear_object (&db);
  g_ptr_array_unref (seen.due);
  g_array_unref (seen.overdue);
  store_test_dir_clear (&dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/live/reminders", test_reminders);

  return g_test_run ();
}
