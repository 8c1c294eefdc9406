/* test-live-store.c: what the live event stream keeps in the database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cn-live-store.h"
#include "store-test-util.h"

static CnDatabase *
open_fresh (StoreTestDir *dir)
{
  g_autoptr(GError) error = NULL;
  CnDatabase *db;

  store_test_dir_init (dir);
  db = cn_database_open (dir->path, &error);
  g_assert_no_error (error);
  return db;
}

/* The last event id survives closing the database (a restart resumes). */
static void
test_values (void)
{
  StoreTestDir dir;
  g_autoptr(CnDatabase) db = open_fresh (&dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *again = NULL;
  g_autofree char *huge = g_strnfill (5000, 'x');

  missing = cn_database_get_value (db, "stream.last-event-id", &error);
  g_assert_no_error (error);
  g_assert_null (missing);

  g_assert_true (cn_database_set_value (db, "stream.last-event-id", "1042", &error));
  g_assert_true (cn_database_set_value (db, "stream.last-event-id", "1043", &error));
  g_clear_object (&db);

  db = cn_database_open (dir.path, &error);
  g_assert_no_error (error);
  again = cn_database_get_value (db, "stream.last-event-id", &error);
  g_assert_cmpstr (again, ==, "1043");

  /* A value from a server is bounded. */
  g_assert_false (cn_database_set_value (db, "stream.last-event-id", huge, &error));
  g_assert_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (cn_database_set_value (db, "stream.last-event-id", NULL, &error));
  g_clear_pointer (&again, g_free);
  again = cn_database_get_value (db, "stream.last-event-id", NULL);
  g_assert_null (again);

  g_clear_object (&db);
  store_test_dir_clear (&dir);
}

/* An event id is new once; the newest 10 000 are remembered. */
static void
test_seen_events (void)
{
  StoreTestDir dir;
  g_autoptr(CnDatabase) db = open_fresh (&dir);
  g_autoptr(GError) error = NULL;
  gboolean first = FALSE;

  g_assert_true (cn_database_note_stream_event (db, "1042", &first, &error));
  g_assert_true (first);
  g_assert_true (cn_database_note_stream_event (db, "1042", &first, &error));
  g_assert_false (first);

  for (guint i = 0; i < 12000; i++)
    {
      g_autofree char *id = g_strdup_printf ("e%u", i);

      g_assert_true (cn_database_note_stream_event (db, id, &first, &error));
      g_assert_true (first);
    }
  g_assert_no_error (error);

  /* Recent ones are still known; the oldest were forgotten. */
  g_assert_true (cn_database_note_stream_event (db, "e11999", &first, NULL));
  g_assert_false (first);
  g_assert_true (cn_database_note_stream_event (db, "e2500", &first, NULL));
  g_assert_false (first);
  g_assert_cmpint (store_test_query_int (cn_database_get_handle (db),
                                         "SELECT count(*) FROM stream_events_seen"), <=, 11001);

  g_clear_object (&db);
  store_test_dir_clear (&dir);
}

/* Events about one call merge into one row with its sequence of steps. */
static void
test_stream_calls (void)
{
  StoreTestDir dir;
  g_autoptr(CnDatabase) db = open_fresh (&dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(CnStreamCall) live = cn_stream_call_new ();
  g_autoptr(CnStreamCall) done = cn_stream_call_new ();
  g_autoptr(CnStreamCall) other = cn_stream_call_new ();
  g_autoptr(CnStreamCall) got = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) completed = NULL;

  live->call_sid = g_strdup ("CA11");
  live->status = g_strdup ("Picked");
  live->phone = g_strdup ("+15551234567");
  live->contact_id = g_strdup ("42");
  live->contact_name = g_strdup ("Jane Doe");
  live->received_at = 1000;
  g_assert_true (cn_database_store_stream_call (db, live, "incoming", &error));
  g_assert_true (cn_database_store_stream_call (db, live, "answered", &error));

  done->call_sid = g_strdup ("CA11");
  done->status = g_strdup ("ANSWER");
  done->completed = TRUE;
  done->duration_seconds = 135;
  done->recording_url = g_strdup ("https://rec.example.com/CA11.mp3");
  done->started_at = 1795255200;
  done->ended_at = 1795255335;
  done->received_at = 1001;
  g_assert_true (cn_database_store_stream_call (db, done, "completed", &error));

  other->call_sid = g_strdup ("CA12");
  other->status = g_strdup ("Ringing");
  other->received_at = 1002;
  g_assert_true (cn_database_store_stream_call (db, other, "incoming", &error));
  g_assert_no_error (error);

  got = cn_database_get_stream_call (db, "CA11", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->status, ==, "ANSWER");
  g_assert_true (got->completed);
  g_assert_cmpint (got->duration_seconds, ==, 135);
  /* What the completed event did not say is kept from the live one. */
  g_assert_cmpstr (got->contact_name, ==, "Jane Doe");
  g_assert_cmpstr (got->phone, ==, "+15551234567");
  g_assert_cmpstr (got->recording_url, ==, "https://rec.example.com/CA11.mp3");
  g_assert_cmpint (got->ended_at, ==, 1795255335);
  g_assert_cmpuint (g_strv_length (got->sequence), ==, 3);
  g_assert_cmpstr (got->sequence[0], ==, "incoming");
  g_assert_cmpstr (got->sequence[1], ==, "answered");
  g_assert_cmpstr (got->sequence[2], ==, "completed");
  g_assert_null (got->logged_uuid);

  all = cn_database_list_stream_calls (db, FALSE, 10, &error);
  g_assert_cmpuint (all->len, ==, 2);
  g_assert_cmpstr (((CnStreamCall *) g_ptr_array_index (all, 0))->call_sid, ==, "CA12");
  completed = cn_database_list_stream_calls (db, TRUE, 10, &error);
  g_assert_cmpuint (completed->len, ==, 1);
  g_assert_cmpstr (((CnStreamCall *) g_ptr_array_index (completed, 0))->call_sid, ==, "CA11");

  /* Logged from the event: linked. */
  g_assert_true (cn_database_link_stream_call (db, "CA11", "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f",
                                               &error));
  g_clear_pointer (&got, cn_stream_call_free);
  got = cn_database_get_stream_call (db, "CA11", NULL);
  g_assert_cmpstr (got->logged_uuid, ==, "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f");
  g_assert_false (cn_database_link_stream_call (db, "CA99", "x", &error));
  g_assert_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_NOT_FOUND);

  g_clear_object (&db);
  store_test_dir_clear (&dir);
}

static CnCallLog *
save (CnDatabase *db,
      const char *contact_id,
      const char *phone,
      gint64      follow_up)
{
  g_autoptr(GError) error = NULL;
  CnCallLog *log = store_test_make_log (phone, "Jane Doe", NULL, CN_OUTCOME_VOICEMAIL, 0);

  cn_call_log_set_contact_id (log, contact_id);
  cn_call_log_set_follow_up (log, follow_up);
  g_assert_true (cn_database_insert_call (db, log, NULL, 0, &error));
  g_assert_no_error (error);
  return log;
}

/* Follow-ups: listed soonest first, reminded once, snoozed, done by Mark
 * Done or by the next call to the same contact. */
static void
test_follow_ups (void)
{
  StoreTestDir dir;
  g_autoptr(CnDatabase) db = open_fresh (&dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(CnCallLog) later = save (db, "42", "+15551234567", 5000);
  g_autoptr(CnCallLog) sooner = save (db, "43", "+15559990000", 3000);
  g_autoptr(CnCallLog) none = save (db, "44", "+15558880000", 0);
  g_autoptr(CnCallLog) by_number = save (db, NULL, "+15557770000", 4000);
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GPtrArray) snoozed = NULL;
  g_autoptr(GPtrArray) left = NULL;

  all = cn_database_list_follow_ups (db, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 3);
  g_assert_cmpstr (cn_call_log_get_uuid (((CnFollowUp *) g_ptr_array_index (all, 0))->log), ==,
                   cn_call_log_get_uuid (sooner));
  g_assert_cmpint (((CnFollowUp *) g_ptr_array_index (all, 2))->due_at, ==, 5000);
  g_assert_cmpint (cn_database_next_reminder_at (db, NULL), ==, 3000);

  /* At 4500 two are due; once reminded they are not due again. */
  due = cn_database_list_due_reminders (db, 4500, &error);
  g_assert_cmpuint (due->len, ==, 2);
  g_assert_true (cn_database_mark_reminded (db, cn_call_log_get_uuid (sooner), 4500, &error));
  g_assert_true (cn_database_mark_reminded (db, cn_call_log_get_uuid (by_number), 4500, &error));
  again = cn_database_list_due_reminders (db, 4600, &error);
  g_assert_cmpuint (again->len, ==, 0);
  g_assert_cmpint (cn_database_next_reminder_at (db, NULL), ==, 5000);

  /* The header bar's overdue count: due by then, up to its cap. */
  g_assert_cmpint (cn_database_count_due_follow_ups (db, 2999, 100, &error), ==, 0);
  g_assert_cmpint (cn_database_count_due_follow_ups (db, 4500, 100, &error), ==, 2);
  g_assert_cmpint (cn_database_count_due_follow_ups (db, 9000, 100, &error), ==, 3);
  g_assert_cmpint (cn_database_count_due_follow_ups (db, 9000, 2, &error), ==, 2);
  g_assert_no_error (error);

  /* Snooze 10 minutes: due again then, and not overdue until then. */
  g_assert_true (cn_database_snooze_follow_up (db, cn_call_log_get_uuid (sooner), 4500 + 600,
                                               &error));
  g_assert_cmpint (cn_database_count_due_follow_ups (db, 4600, 100, &error), ==, 1);
  g_assert_cmpint (cn_database_count_due_follow_ups (db, 5100, 100, &error), ==, 3);
  snoozed = cn_database_list_due_reminders (db, 5100, &error);
  g_assert_cmpuint (snoozed->len, ==, 2);   /* the snoozed one and "later" */

  /* Mark Done; and a new call to contact 42 completes its follow-up. */
  g_assert_true (cn_database_complete_follow_up (db, cn_call_log_get_uuid (sooner), &error));
  g_assert_false (cn_database_complete_follow_up (db, cn_call_log_get_uuid (sooner), &error));
  g_assert_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_object_unref (save (db, "42", "+15550000000", 0));
  /* Without a contact, the number decides. */
  g_object_unref (save (db, NULL, "+15557770000", 0));

  left = cn_database_list_follow_ups (db, 0, 0, &error);
  g_assert_cmpuint (left->len, ==, 0);
  g_assert_cmpint (cn_database_count_due_follow_ups (db, 9000, 100, &error), ==, 0);
  (void) none;

  g_clear_object (&db);
  store_test_dir_clear (&dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/live/values", test_values);
  g_test_add_func ("/store/live/seen-events", test_seen_events);
  g_test_add_func ("/store/live/stream-calls", test_stream_calls);
  g_test_add_func ("/store/live/follow-ups", test_follow_ups);

  return g_test_run ();
}
