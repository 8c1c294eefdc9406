/* test-database.c: CnDatabase
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-database"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cn-call-log-model.h"
#include "cn-outbox.h"
#include "store-test-util.h"

static const char all_notes[] =
  "Asked about the renewal.\nWants a quote by Friday — café ☕ ok";

static CnCallLog *
make_full_log (void)
{
  CnCallLog *log = cn_call_log_new_with_uuid ();

  cn_call_log_set_contact_id (log, "4711");
  cn_call_log_set_contact_name (log, "Zoë Müller-Lüdenscheidt");
  cn_call_log_set_phone (log, "+4930123456");
  cn_call_log_set_phone_raw (log, "030 / 123-456");
  cn_call_log_set_extension (log, "22");
  cn_call_log_set_direction (log, "inbound");
  cn_call_log_set_outcome (log, CN_OUTCOME_VOICEMAIL);
  cn_call_log_set_duration (log, 135);
  cn_call_log_set_notes (log, all_notes);
  cn_call_log_set_follow_up (log, 1800000000);
  cn_call_log_set_created_at (log, 1763719200);
  cn_call_log_set_updated_at (log, 1763719260);

  return log;
}

static void
assert_logs_equal (CnCallLog *a,
                   CnCallLog *b)
{
  g_assert_cmpstr (cn_call_log_get_uuid (a), ==, cn_call_log_get_uuid (b));
  g_assert_cmpstr (cn_call_log_get_contact_id (a), ==, cn_call_log_get_contact_id (b));
  g_assert_cmpstr (cn_call_log_get_contact_name (a), ==, cn_call_log_get_contact_name (b));
  g_assert_cmpstr (cn_call_log_get_phone (a), ==, cn_call_log_get_phone (b));
  g_assert_cmpstr (cn_call_log_get_phone_raw (a), ==, cn_call_log_get_phone_raw (b));
  g_assert_cmpstr (cn_call_log_get_extension (a), ==, cn_call_log_get_extension (b));
  g_assert_cmpstr (cn_call_log_get_direction (a), ==, cn_call_log_get_direction (b));
  g_assert_cmpint (cn_call_log_get_outcome (a), ==, cn_call_log_get_outcome (b));
  g_assert_cmpint (cn_call_log_get_duration (a), ==, cn_call_log_get_duration (b));
  g_assert_cmpstr (cn_call_log_get_notes (a), ==, cn_call_log_get_notes (b));
  g_assert_cmpint (cn_call_log_get_follow_up (a), ==, cn_call_log_get_follow_up (b));
  g_assert_cmpint (cn_call_log_get_created_at (a), ==, cn_call_log_get_created_at (b));
  g_assert_cmpint (cn_call_log_get_updated_at (a), ==, cn_call_log_get_updated_at (b));
  g_assert_cmpint (cn_call_log_get_revision (a), ==, cn_call_log_get_revision (b));
  g_assert_cmpint (cn_call_log_get_deleted (a), ==, cn_call_log_get_deleted (b));
}

static void
assert_event (GPtrArray  *events,
              guint       index,
              const char *kind,
              gint64      at,
              const char *detail)
{
  CnCallEvent *event;

  g_assert_cmpuint (index, <, events->len);
  event = g_ptr_array_index (events, index);
  g_assert_cmpstr (event->kind, ==, kind);
  if (at >= 0)
    g_assert_cmpint (event->at, ==, at);
  g_assert_cmpstr (event->detail, ==, detail);
}

static void
save (CnDatabase *db,
      CnCallLog  *log)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cn_database_insert_call (db, log, NULL, 0, &error));
  g_assert_no_error (error);
}

static guint
count_search (CnDatabase *db,
              const char *search)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  CnCallQuery query = { search, CN_OUTCOME_NONE };
  guint count;

  count = cn_database_count_calls (db, &query, &error);
  g_assert_no_error (error);
  rows = cn_database_query_calls (db, &query, 0, 1000, &error);
  g_assert_no_error (error);
  /* The count is that of the rows the query lists. */
  g_assert_cmpuint (rows->len, ==, count);

  return count;
}

static void
file_bytes (const char  *path,
            char       **contents,
            gsize       *length)
{
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, contents, length, &error);
  g_assert_no_error (error);
}

/* Paths and set-up */

static void
test_default_path (void)
{
  StoreTestDir dir;
  g_autofree char *path = NULL;
  g_autofree char *nested = NULL;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  struct stat st;

  store_test_dir_init (&dir);

  g_setenv ("CALLNOTES_DATA_DIR", dir.dir, TRUE);
  path = cn_database_get_default_path ();
  g_assert_cmpstr (path, ==, dir.path);

  g_unsetenv ("CALLNOTES_DATA_DIR");
  g_clear_pointer (&path, g_free);
  path = cn_database_get_default_path ();
  g_assert_true (g_str_has_suffix (path, "/callnotes/callnotes.db"));
  g_assert_true (g_str_has_prefix (path, g_get_user_data_dir ()));

  /* Missing folders are created private. */
  nested = g_build_filename (dir.dir, "a", "b", "callnotes.db", NULL);
  db = cn_database_open (nested, &error);
  g_assert_no_error (error);
  g_assert_nonnull (db);
  g_assert_cmpstr (cn_database_get_path (db), ==, nested);
  g_assert_null (cn_database_get_moved_aside_path (db));

  {
    g_autofree char *folder = g_path_get_dirname (nested);

    g_assert_cmpint (g_stat (folder, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0700);
    g_assert_cmpint (g_stat (nested, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0077, ==, 0);
  }

  g_clear_object (&db);
  store_test_dir_clear (&dir);
}

static void
test_pragmas (void)
{
  StoreTestDir dir;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *handle;
  sqlite3 *reader;
  sqlite3_stmt *stmt = NULL;

  store_test_dir_init (&dir);
  db = cn_database_open (dir.path, &error);
  g_assert_no_error (error);
  handle = cn_database_get_handle (db);

  g_assert_cmpint (sqlite3_prepare_v2 (handle, "PRAGMA journal_mode", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
  sqlite3_finalize (stmt);

  g_assert_cmpint (store_test_query_int (handle, "PRAGMA synchronous"), ==, 2); /* FULL */
  g_assert_cmpint (store_test_query_int (handle, "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (store_test_query_int (handle, "PRAGMA busy_timeout"), >=, 1000);
  g_assert_cmpint (store_test_query_int (handle, "PRAGMA user_version"), ==,
                   CN_DATABASE_SCHEMA_VERSION);

  /* Reads have a read-only connection of their own; the page caches of
   * both stay within 8 MiB (negative: KiB). */
  reader = cn_database_get_read_handle (db);
  g_assert_true (reader != handle);
  g_assert_cmpint (sqlite3_db_readonly (reader, "main"), ==, 1);
  g_assert_cmpint (sqlite3_db_readonly (handle, "main"), ==, 0);
  g_assert_cmpint (store_test_query_int (reader, "PRAGMA cache_size"), <, 0);
  g_assert_cmpint (store_test_query_int (handle, "PRAGMA cache_size"), <, 0);
  g_assert_cmpint (-store_test_query_int (reader, "PRAGMA cache_size") -
                   store_test_query_int (handle, "PRAGMA cache_size"), <=, 8192);

  /* The list query walks the list index, never the table. */
  g_assert_cmpint (sqlite3_prepare_v2 (handle,
                                       "EXPLAIN QUERY PLAN SELECT id FROM call_logs "
                                       "WHERE deleted = 0 ORDER BY created_at DESC, id DESC "
                                       "LIMIT 100 OFFSET 5000", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_nonnull (strstr ((const char *) sqlite3_column_text (stmt, 3), "call_logs_newest"));
  sqlite3_finalize (stmt);

  g_clear_object (&db);
  store_test_dir_clear (&dir);
}

/* Saving */

static void
test_round_trip (void)
{
  StoreTestDir dir;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(CnCallLog) log = make_full_log ();
  g_autoptr(CnCallLog) sparse = cn_call_log_new_with_uuid ();
  g_autoptr(CnCallLog) read = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  const CnCallEvent before[] = {
    { (char *) "dialed", 1763719190, (char *) "{\"handler\":\"linphone\"}" },
    { (char *) "dialog_shown", 1763719191, NULL },
  };

  store_test_dir_init (&dir);
  db = cn_database_open (dir.path, &error);
  g_assert_no_error (error);

  g_assert_true (cn_database_insert_call (db, log, before, G_N_ELEMENTS (before), &error));
  g_assert_no_error (error);
  g_assert_cmpint (cn_call_log_get_revision (log), ==, 1);
  g_assert_false (cn_call_log_get_deleted (log));

  /* Unknown duration, no follow-up, no name: these stay "unset". */
  cn_call_log_set_phone (sparse, "+15550001111");
  cn_call_log_set_outcome (sparse, CN_OUTCOME_BUSY);
  save (db, sparse);

  /* Read back through another connection, as the next start would. */
  g_clear_object (&db);
  db = cn_database_open (dir.path, &error);
  g_assert_no_error (error);

  read = cn_database_get_call (db, cn_call_log_get_uuid (log), &error);
  g_assert_no_error (error);
  assert_logs_equal (read, log);
  g_assert_cmpstr (cn_call_log_get_notes (read), ==, all_notes);
  g_assert_cmpstr (cn_call_log_get_direction (read), ==, "inbound");
  g_assert_cmpint (cn_call_log_get_duration (read), ==, 135);
  g_assert_cmpint (cn_call_log_get_follow_up (read), ==, 1800000000);
  g_assert_cmpint (cn_call_log_get_revision (read), ==, 1);
  g_clear_object (&read);

  read = cn_database_get_call (db, cn_call_log_get_uuid (sparse), &error);
  g_assert_no_error (error);
  assert_logs_equal (read, sparse);
  g_assert_cmpint (cn_call_log_get_duration (read), ==, -1);
  g_assert_cmpint (cn_call_log_get_follow_up (read), ==, 0);
  g_assert_null (cn_call_log_get_contact_name (read));
  g_assert_null (cn_call_log_get_notes (read));
  g_assert_cmpstr (cn_call_log_get_direction (read), ==, "outbound");

  /* Events oldest first, "logged" at the log's updated_at. */
  events = cn_database_list_events (db, cn_call_log_get_uuid (log), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 3);
  assert_event (events, 0, "dialed", 1763719190, "{\"handler\":\"linphone\"}");
  assert_event (events, 1, "dialog_shown", 1763719191, NULL);
  assert_event (events, 2, "logged", 1763719260, NULL);

  g_clear_object (&read);
  read = cn_database_get_call (db, "00000000-0000-4000-8000-000000000000", &error);
  g_assert_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_NOT_FOUND);
  g_assert_null (read);

  g_clear_object (&db);
  store_test_dir_clear (&dir);
}

static void
test_events_order (void)
{
  StoreTestDir dir;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(CnCallLog) log = store_test_make_log ("+15551230000", NULL, NULL,
                                                  CN_OUTCOME_CONNECTED, 1000);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  /* Given out of order, and two at the same second. */
  const CnCallEvent given[] = {
    { (char *) "dialog_shown", 990, NULL },
    { (char *) "dialed", 980, NULL },
    { (char *) "note", 990, (char *) "second at 990" },
  };

  store_test_dir_init (&dir);
  db = cn_database_open (dir.path, &error);
  g_assert_no_error (error);

  g_assert_true (cn_database_insert_call (db, log, given, G_N_ELEMENTS (given), &error));
  g_assert_no_error (error);
  g_assert_true (cn_database_delete_call (db, cn_call_log_get_uuid (log), &error));
  g_assert_no_error (error);

  events = cn_database_list_events (db, cn_call_log_get_uuid (log), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 5);
  assert_event (events, 0, "dialed", 980, NULL);
  assert_event (events, 1, "dialog_shown", 990, NULL);
  assert_event (events, 2, "note", 990, "second at 990");
  assert_event (events, 3, "logged", 1000, NULL);
  assert_event (events, 4, "deleted", -1, NULL);

  g_clear_pointer (&events, g_ptr_array_unref);
  events = cn_database_list_events (db, "00000000-0000-4000-8000-000000000000", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 0);

  g_clear_object (&db);
  store_test_dir_clear (&dir);
}

static void
test_invalid (void)
{
  StoreTestDir dir;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(CnCallLog) log = cn_call_log_new_with_uuid ();
  g_autoptr(CnCallLog) again = NULL;
  g_autoptr(GError) error = NULL;
  const CnCallEvent bad_event[] = { { (char *) "", 1, NULL } };

  store_test_dir_init (&dir);
  db = cn_database_open (dir.path, &error);
  g_assert_no_error (error);

  /* No outcome chosen. */
  cn_call_log_set_phone (log, "+15551234567");
  g_assert_false (cn_database_insert_call (db, log, NULL, 0, &error));
  g_assert_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "outcome"));
  g_clear_error (&error);

  /* An event without a kind. */
  cn_call_log_set_outcome (log, CN_OUTCOME_CONNECTED);
  g_assert_false (cn_database_insert_call (db, log, bad_event, 1, &error));
  g_assert_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_cmpuint (cn_database_count_calls (db, NULL, NULL), ==, 0);

  /* The same UUID twice: the second save fails and changes nothing. */
  save (db, log);
  again = cn_call_log_copy (log);
  cn_call_log_set_notes (again, "duplicate");
  g_assert_false (cn_database_insert_call (db, again, NULL, 0, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpuint (cn_database_count_calls (db, NULL, NULL), ==, 1);
  g_assert_cmpuint (count_search (db, "duplicate"), ==, 0);

  /* Editing a log that was never saved. */
  {
    g_autoptr(CnCallLog) unknown = store_test_make_log ("+1555", NULL, NULL,
                                                        CN_OUTCOME_BUSY, 0);

    g_assert_false (cn_database_update_call (db, unknown, &error));
    g_assert_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }

  g_clear_object (&db);
  store_test_dir_clear (&dir);
}

static void
test_edit (void)
{
  StoreTestDir dir;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(CnCallLog) log = store_test_make_log ("+15551112222", "Ann Original",
                                                  "first version", CN_OUTCOME_NO_ANSWER, 0);
  g_autoptr(CnCallLog) read = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  gint64 saved_updated_at;

  store_test_dir_init (&dir);
  db = cn_database_open (dir.path, &error);
  g_assert_no_error (error);

  save (db, log);
  saved_updated_at = cn_call_log_get_updated_at (log);

  cn_call_log_set_notes (log, "second version");
  cn_call_log_set_contact_name (log, "Ann Edited");
  cn_call_log_set_outcome (log, CN_OUTCOME_CONNECTED);
  cn_call_log_set_duration (log, 61);
  g_assert_true (cn_database_update_call (db, log, &error));
  g_assert_no_error (error);

  /* The object the caller holds shows the new revision and time. */
  g_assert_cmpint (cn_call_log_get_revision (log), ==, 2);
  g_assert_cmpint (cn_call_log_get_updated_at (log), >, saved_updated_at);

  read = cn_database_get_call (db, cn_call_log_get_uuid (log), &error);
  g_assert_no_error (error);
  assert_logs_equal (read, log);

  /* A second edit in the same second still moves updated_at on. */
  g_assert_true (cn_database_update_call (db, log, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cn_call_log_get_revision (log), ==, 3);
  g_assert_cmpint (cn_call_log_get_updated_at (log), >, cn_call_log_get_updated_at (read));

  events = cn_database_list_events (db, cn_call_log_get_uuid (log), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 3);
  assert_event (events, 0, "logged", saved_updated_at, NULL);
  assert_event (events, 1, "edited", cn_call_log_get_updated_at (read), NULL);
  assert_event (events, 2, "edited", cn_call_log_get_updated_at (log), NULL);

  /* Search sees the new text only; the outcome counters follow. */
  g_assert_cmpuint (count_search (db, "second"), ==, 1);
  g_assert_cmpuint (count_search (db, "first"), ==, 0);
  g_assert_cmpuint (count_search (db, "original"), ==, 0);
  g_assert_cmpuint (count_search (db, "edited"), ==, 1);
  {
    CnCallQuery no_answer = { NULL, CN_OUTCOME_NO_ANSWER };
    CnCallQuery connected = { NULL, CN_OUTCOME_CONNECTED };

    g_assert_cmpuint (cn_database_count_calls (db, &no_answer, NULL), ==, 0);
    g_assert_cmpuint (cn_database_count_calls (db, &connected, NULL), ==, 1);
  }

  g_clear_object (&db);
  store_test_dir_clear (&dir);
}

static void
test_delete_restore (void)
{
  StoreTestDir dir;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(CnCallLog) keep = store_test_make_log ("+15550000001", "Keep Me", "stays",
                                                   CN_OUTCOME_CONNECTED, 100);
  g_autoptr(CnCallLog) gone = store_test_make_log ("+15550000002", "Gone Soon", "leaves",
                                                   CN_OUTCOME_CONNECTED, 200);
  g_autoptr(CnCallLog) read = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  CnCallQuery connected = { NULL, CN_OUTCOME_CONNECTED };
  const char *uuid = cn_call_log_get_uuid (gone);

  store_test_dir_init (&dir);
  db = cn_database_open (dir.path, &error);
  g_assert_no_error (error);
  save (db, keep);
  save (db, gone);

  g_assert_true (cn_database_delete_call (db, uuid, &error));
  g_assert_no_error (error);

  /* Hidden from lists, counts and search; still readable by UUID. */
  g_assert_cmpuint (cn_database_count_calls (db, NULL, NULL), ==, 1);
  g_assert_cmpuint (cn_database_count_calls (db, &connected, NULL), ==, 1);
  rows = cn_database_query_calls (db, NULL, 0, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpstr (cn_call_log_get_uuid (g_ptr_array_index (rows, 0)), ==,
                   cn_call_log_get_uuid (keep));
  g_assert_cmpuint (count_search (db, "leaves"), ==, 0);
  g_assert_cmpuint (count_search (db, "gone"), ==, 0);
  read = cn_database_get_call (db, uuid, &error);
  g_assert_no_error (error);
  g_assert_true (cn_call_log_get_deleted (read));

  /* Deleting again is harmless and adds nothing. */
  g_assert_true (cn_database_delete_call (db, uuid, &error));
  g_assert_no_error (error);

  g_assert_true (cn_database_restore_call (db, uuid, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cn_database_count_calls (db, NULL, NULL), ==, 2);
  g_assert_cmpuint (count_search (db, "leaves"), ==, 1);
  g_clear_object (&read);
  read = cn_database_get_call (db, uuid, &error);
  g_assert_false (cn_call_log_get_deleted (read));

  events = cn_database_list_events (db, uuid, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 3);
  assert_event (events, 0, "logged", 200, NULL);
  assert_event (events, 1, "deleted", -1, NULL);
  assert_event (events, 2, "restored", -1, NULL);

  g_assert_false (cn_database_delete_call (db, "00000000-0000-4000-8000-000000000000", &error));
  g_assert_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (cn_database_restore_call (db, "00000000-0000-4000-8000-000000000000", &error));
  g_assert_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_NOT_FOUND);

  g_clear_object (&db);
  store_test_dir_clear (&dir);
}

/* Listing and search */

static void
test_search (void)
{
  StoreTestDir dir;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CnCallLog) a = store_test_make_log ("+15551234567", "Jennifer García",
                                                "Asked for pricing. Call back Tuesday.",
                                                CN_OUTCOME_CONNECTED, 100);
  g_autoptr(CnCallLog) b = store_test_make_log ("+442071234567", "Jens Olsen",
                                                "left a voicemail about the invoice",
                                                CN_OUTCOME_VOICEMAIL, 200);
  g_autoptr(CnCallLog) c = store_test_make_log ("+15559876543", NULL,
                                                "quote \"NEAR(x)\" and a-b * stars",
                                                CN_OUTCOME_BUSY, 300);
  static const char * const specials[] = {
    "\"", "\"\"", "*", "NEAR(", "NEAR(a b)", "-", "-invoice", "a OR b", "AND", "NOT", "OR",
    "(", ")", ":", "notes:", "{notes}:x", "^", "+", "'", "\\", "a\"b", "\"unterminated",
    "col:umn", "x*y", "***", "\"*\"", "  ", "\t\n",
  };

  store_test_dir_init (&dir);
  db = cn_database_open (dir.path, &error);
  g_assert_no_error (error);

  cn_call_log_set_contact_id (a, "C-77");
  cn_call_log_set_phone_raw (a, "(555) 123-4567");
  cn_call_log_set_phone_raw (b, "020 7123 4567");
  save (db, a);
  save (db, b);
  save (db, c);

  /* Whole words, prefixes, every word must match. */
  g_assert_cmpuint (count_search (db, "pricing"), ==, 1);
  g_assert_cmpuint (count_search (db, "pric"), ==, 1);
  g_assert_cmpuint (count_search (db, "jen"), ==, 2);
  g_assert_cmpuint (count_search (db, "jen invoice"), ==, 1);
  g_assert_cmpuint (count_search (db, "jen nothing"), ==, 0);
  g_assert_cmpuint (count_search (db, "JENNIFER"), ==, 1);
  /* Accents do not matter, either way. */
  g_assert_cmpuint (count_search (db, "garcia"), ==, 1);
  g_assert_cmpuint (count_search (db, "garcía"), ==, 1);
  /* Contact id, E.164 number (with or without +), the number as typed. */
  g_assert_cmpuint (count_search (db, "C-77"), ==, 1);
  g_assert_cmpuint (count_search (db, "+1555"), ==, 2);
  g_assert_cmpuint (count_search (db, "1555"), ==, 2);
  g_assert_cmpuint (count_search (db, "+15551234567"), ==, 1);
  g_assert_cmpuint (count_search (db, "(555) 123-45"), ==, 1);
  g_assert_cmpuint (count_search (db, "7123"), ==, 1);
  /* Text that means something to FTS5 is plain text here. */
  g_assert_cmpuint (count_search (db, "NEAR(x)"), ==, 1);
  g_assert_cmpuint (count_search (db, "a-b"), ==, 1);
  g_assert_cmpuint (count_search (db, "\"near"), ==, 1);

  for (guint i = 0; i < G_N_ELEMENTS (specials); i++)
    {
      CnCallQuery query = { specials[i], CN_OUTCOME_NONE };
      g_autoptr(GPtrArray) rows = NULL;
      guint count;

      count = cn_database_count_calls (db, &query, &error);
      g_assert_no_error (error);
      rows = cn_database_query_calls (db, &query, 0, 10, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (rows->len, ==, count);
    }

  /* Punctuation alone filters nothing. */
  g_assert_cmpuint (count_search (db, "-"), ==, 3);
  g_assert_cmpuint (count_search (db, ""), ==, 3);
  g_assert_cmpuint (count_search (db, NULL), ==, 3);

  /* Newest first. */
  {
    CnCallQuery query = { "+1555", CN_OUTCOME_NONE };
    g_autoptr(GPtrArray) rows = cn_database_query_calls (db, &query, 0, 10, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (rows->len, ==, 2);
    g_assert_cmpstr (cn_call_log_get_uuid (g_ptr_array_index (rows, 0)), ==,
                     cn_call_log_get_uuid (c));
    g_assert_cmpstr (cn_call_log_get_uuid (g_ptr_array_index (rows, 1)), ==,
                     cn_call_log_get_uuid (a));
  }

  /* Very long input is bounded, not an error. */
  {
    g_autoptr(GString) lots = g_string_new (NULL);

    for (guint i = 0; i < 2000; i++)
      g_string_append (lots, "jen ");
    g_assert_cmpuint (count_search (db, lots->str), ==, 2);
  }

  g_clear_object (&db);
  store_test_dir_clear (&dir);
}

static void
test_build_match (void)
{
  g_autofree char *simple = cn_database_build_match ("jen  invoice");
  g_autofree char *quoted = cn_database_build_match ("a\"b");
  g_autofree char *mixed = cn_database_build_match ("- NEAR( * x");
  g_autofree char *none = cn_database_build_match (" - * \" ( ");

  g_assert_cmpstr (simple, ==, "\"jen\"* \"invoice\"*");
  g_assert_cmpstr (quoted, ==, "\"a\"\"b\"*");
  g_assert_cmpstr (mixed, ==, "\"NEAR(\"* \"x\"*");
  g_assert_null (none);
  g_assert_null (cn_database_build_match (NULL));
  g_assert_null (cn_database_build_match (""));
}

static void
test_outcome_filter (void)
{
  StoreTestDir dir;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) uuids = NULL;

  store_test_dir_init (&dir);
  db = cn_database_open (dir.path, &error);
  g_assert_no_error (error);

  /* 40 rows, outcomes in turn: connected, voicemail, no_answer, busy. */
  uuids = store_test_bulk_insert (db, 40, 1000, 1);

  for (CnOutcome outcome = CN_OUTCOME_FIRST; outcome <= CN_OUTCOME_LAST; outcome++)
    {
      CnCallQuery query = { NULL, outcome };
      CnCallQuery with_search = { "odd", outcome };
      g_autoptr(GPtrArray) rows = NULL;

      g_assert_cmpuint (cn_database_count_calls (db, &query, &error), ==, 10);
      g_assert_no_error (error);
      rows = cn_database_query_calls (db, &query, 0, 100, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (rows->len, ==, 10);
      for (guint i = 0; i < rows->len; i++)
        g_assert_cmpint (cn_call_log_get_outcome (g_ptr_array_index (rows, i)), ==, outcome);

      /* Odd rows are voicemail and busy. */
      g_assert_cmpuint (cn_database_count_calls (db, &with_search, &error), ==,
                        outcome == CN_OUTCOME_VOICEMAIL || outcome == CN_OUTCOME_BUSY ? 10 : 0);
    }

  g_assert_true (cn_database_delete_call (db, g_ptr_array_index (uuids, 1), &error));
  {
    CnCallQuery voicemail = { NULL, CN_OUTCOME_VOICEMAIL };
    CnCallQuery voicemail_odd = { "odd", CN_OUTCOME_VOICEMAIL };

    g_assert_cmpuint (cn_database_count_calls (db, &voicemail, NULL), ==, 9);
    g_assert_cmpuint (cn_database_count_calls (db, &voicemail_odd, NULL), ==, 9);
  }

  g_clear_object (&db);
  store_test_dir_clear (&dir);
}

/* Reads the expected list order straight from SQL. */
static GPtrArray *
expected_order (CnDatabase *db,
                const char *where)
{
  g_autofree char *sql = g_strdup_printf ("SELECT uuid FROM call_logs WHERE deleted = 0 %s "
                                          "ORDER BY created_at DESC, id DESC", where);
  GPtrArray *uuids = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (cn_database_get_handle (db), sql, -1, &stmt, NULL), ==,
                   SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (uuids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);

  return uuids;
}

static void
check_pages (CnDatabase        *db,
             const CnCallQuery *query,
             GPtrArray         *expected,
             guint              page_size)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (cn_database_count_calls (db, query, &error), ==, expected->len);
  g_assert_no_error (error);

  for (guint offset = 0; offset < expected->len + page_size; offset += page_size)
    {
      g_autoptr(GPtrArray) rows = cn_database_query_calls (db, query, offset, page_size, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (rows->len, ==, MIN (page_size, expected->len - MIN (offset,
                                                                             expected->len)));
      for (guint i = 0; i < rows->len; i++)
        g_assert_cmpstr (cn_call_log_get_uuid (g_ptr_array_index (rows, i)), ==,
                         g_ptr_array_index (expected, offset + i));
    }
}

static void
test_paging (void)
{
  StoreTestDir dir;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) uuids = NULL;
  g_autoptr(GPtrArray) expected = NULL;
  g_autoptr(GPtrArray) expected_odd = NULL;
  CnCallQuery odd = { "odd", CN_OUTCOME_NONE };
  CnCallQuery busy = { NULL, CN_OUTCOME_BUSY };

  store_test_dir_init (&dir);
  db = cn_database_open (dir.path, &error);
  g_assert_no_error (error);

  /* 5000 rows, three per second: ties are broken by insertion order. Deep
   * pages (past 2000) are read from the far end of the list. */
  uuids = store_test_bulk_insert (db, 5000, 1000000, 3);
  g_assert_true (cn_database_delete_call (db, g_ptr_array_index (uuids, 4321), &error));
  g_assert_no_error (error);

  expected = expected_order (db, "");
  g_assert_cmpuint (expected->len, ==, 4999);
  /* The newest is the last inserted; within a second the later one first. */
  g_assert_cmpstr (g_ptr_array_index (expected, 0), ==, g_ptr_array_index (uuids, 4999));
  g_assert_cmpstr (g_ptr_array_index (expected, 1), ==, g_ptr_array_index (uuids, 4998));
  g_assert_cmpstr (g_ptr_array_index (expected, 4998), ==, g_ptr_array_index (uuids, 0));

  check_pages (db, NULL, expected, 97);
  check_pages (db, NULL, expected, 1000);

  expected_odd = expected_order (db, "AND notes LIKE '%odd'");
  check_pages (db, &odd, expected_odd, 211);

  {
    g_autoptr(GPtrArray) expected_busy = expected_order (db, "AND outcome = 'busy'");

    check_pages (db, &busy, expected_busy, 300);
  }

  /* A page past the end is empty, a limit of 0 gives nothing. */
  {
    g_autoptr(GPtrArray) rows = cn_database_query_calls (db, NULL, 10000, 10, &error);
    g_autoptr(GPtrArray) none = cn_database_query_calls (db, NULL, 0, 0, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (rows->len, ==, 0);
    g_assert_cmpuint (none->len, ==, 0);
  }

  g_clear_object (&db);
  store_test_dir_clear (&dir);
}

static void
test_resolve_uuid (void)
{
  StoreTestDir dir;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CnCallLog) a = store_test_make_log ("+1555", NULL, NULL, CN_OUTCOME_BUSY, 0);
  g_autoptr(CnCallLog) b = store_test_make_log ("+1555", NULL, NULL, CN_OUTCOME_BUSY, 0);
  g_autofree char *found = NULL;
  g_autofree char *upper = NULL;

  cn_call_log_set_uuid (a, "abcd1234-0000-4000-8000-000000000001");
  cn_call_log_set_uuid (b, "abcd5678-0000-4000-8000-000000000002");

  store_test_dir_init (&dir);
  db = cn_database_open (dir.path, &error);
  g_assert_no_error (error);
  save (db, a);
  save (db, b);

  found = cn_database_resolve_uuid (db, "abcd1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, cn_call_log_get_uuid (a));

  upper = cn_database_resolve_uuid (db, "ABCD5678-0000", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (upper, ==, cn_call_log_get_uuid (b));

  g_assert_null (cn_database_resolve_uuid (db, "abcd", &error));
  g_assert_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_null (cn_database_resolve_uuid (db, "abc", &error));
  g_assert_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_null (cn_database_resolve_uuid (db, "ab*d", &error));
  g_assert_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_null (cn_database_resolve_uuid (db, "ffff", &error));
  g_assert_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_clear_object (&db);
  store_test_dir_clear (&dir);
}

/* Drafts */

static void
test_drafts (void)
{
  StoreTestDir dir;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CnCallLog) first = store_test_make_log ("+15550001", "First", "typing…",
                                                    CN_OUTCOME_NONE, 100);
  g_autoptr(CnCallLog) second = store_test_make_log ("+15550002", "Second", NULL,
                                                     CN_OUTCOME_BUSY, 200);
  g_autoptr(CnDraft) draft1 = cn_draft_new (first);
  g_autoptr(CnDraft) draft2 = cn_draft_new (second);
  g_autoptr(GPtrArray) drafts = NULL;
  CnDraft *listed;

  store_test_dir_init (&dir);
  db = cn_database_open (dir.path, &error);
  g_assert_no_error (error);

  draft1->dialed_at = 99;
  draft1->shown_at = 101;
  draft1->follow_up_enabled = TRUE;
  draft1->call_sid = g_strdup ("CA42");   /* opened from a live call's event */
  cn_call_log_set_follow_up (first, 5000);
  g_assert_true (cn_database_save_draft (db, draft2, &error));
  g_assert_true (cn_database_save_draft (db, draft1, &error));
  g_assert_no_error (error);

  /* Oldest first, all fields kept, outcome may be unset. */
  drafts = cn_database_list_drafts (db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (drafts->len, ==, 2);
  listed = g_ptr_array_index (drafts, 0);
  g_assert_cmpstr (cn_call_log_get_uuid (listed->log), ==, cn_call_log_get_uuid (first));
  g_assert_cmpstr (cn_call_log_get_notes (listed->log), ==, "typing…");
  g_assert_cmpint (cn_call_log_get_outcome (listed->log), ==, CN_OUTCOME_NONE);
  g_assert_cmpint (cn_call_log_get_follow_up (listed->log), ==, 5000);
  g_assert_cmpint (listed->dialed_at, ==, 99);
  g_assert_cmpint (listed->shown_at, ==, 101);
  g_assert_true (listed->follow_up_enabled);
  g_assert_false (listed->editing);
  g_assert_cmpstr (listed->call_sid, ==, "CA42");
  listed = g_ptr_array_index (drafts, 1);
  g_assert_cmpint (cn_call_log_get_outcome (listed->log), ==, CN_OUTCOME_BUSY);
  g_assert_null (listed->call_sid);
  g_clear_pointer (&drafts, g_ptr_array_unref);

  /* Saving again replaces. */
  cn_call_log_set_notes (first, "typing… more");
  g_assert_true (cn_database_save_draft (db, draft1, &error));
  drafts = cn_database_list_drafts (db, &error);
  g_assert_cmpuint (drafts->len, ==, 2);
  listed = g_ptr_array_index (drafts, 0);
  g_assert_cmpstr (cn_call_log_get_notes (listed->log), ==, "typing… more");
  g_clear_pointer (&drafts, g_ptr_array_unref);

  /* Saving the log removes its draft in the same transaction. */
  cn_call_log_set_outcome (first, CN_OUTCOME_CONNECTED);
  save (db, first);
  drafts = cn_database_list_drafts (db, &error);
  g_assert_cmpuint (drafts->len, ==, 1);
  listed = g_ptr_array_index (drafts, 0);
  g_assert_cmpstr (cn_call_log_get_uuid (listed->log), ==, cn_call_log_get_uuid (second));
  g_clear_pointer (&drafts, g_ptr_array_unref);

  /* An edit's draft goes with the edit. */
  {
    g_autoptr(CnCallLog) editing = cn_call_log_copy (first);
    g_autoptr(CnDraft) edit_draft = cn_draft_new (editing);

    edit_draft->editing = TRUE;
    cn_call_log_set_notes (editing, "edited in the dialog");
    g_assert_true (cn_database_save_draft (db, edit_draft, &error));
    drafts = cn_database_list_drafts (db, &error);
    g_assert_cmpuint (drafts->len, ==, 2);
    g_assert_true (((CnDraft *) g_ptr_array_index (drafts, 0))->editing);
    g_clear_pointer (&drafts, g_ptr_array_unref);

    g_assert_true (cn_database_update_call (db, editing, &error));
    g_assert_no_error (error);
    drafts = cn_database_list_drafts (db, &error);
    g_assert_cmpuint (drafts->len, ==, 1);
    g_clear_pointer (&drafts, g_ptr_array_unref);
  }

  g_assert_true (cn_database_delete_draft (db, cn_call_log_get_uuid (second), &error));
  g_assert_true (cn_database_delete_draft (db, cn_call_log_get_uuid (second), &error));
  g_assert_no_error (error);
  drafts = cn_database_list_drafts (db, &error);
  g_assert_cmpuint (drafts->len, ==, 0);

  /* Drafts never show up as logs. */
  g_assert_cmpuint (cn_database_count_calls (db, NULL, NULL), ==, 1);

  g_clear_object (&db);
  store_test_dir_clear (&dir);
}

/* Damaged, foreign and newer files */

static void
check_moved_aside (const char *path,
                   const char *original,
                   gsize       original_length)
{
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CnCallLog) log = store_test_make_log ("+15551234567", "After", "fresh start",
                                                  CN_OUTCOME_CONNECTED, 0);
  g_autofree char *moved = NULL;
  g_autofree char *moved_bytes = NULL;
  gsize moved_length = 0;

  db = cn_database_open (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (db);

  /* The old file is kept, byte for byte, next to the new one. */
  moved = g_strdup (cn_database_get_moved_aside_path (db));
  g_assert_nonnull (moved);
  g_assert_true (g_str_has_prefix (moved, path));
  g_assert_nonnull (strstr (moved, ".corrupt-"));
  file_bytes (moved, &moved_bytes, &moved_length);
  g_assert_cmpmem (moved_bytes, moved_length, original, original_length);

  /* The fresh database works. */
  save (db, log);
  g_assert_cmpuint (cn_database_count_calls (db, NULL, NULL), ==, 1);
  g_assert_cmpuint (count_search (db, "fresh"), ==, 1);
  g_clear_object (&db);
  g_assert_cmpint (store_test_file_user_version (path), ==, CN_DATABASE_SCHEMA_VERSION);

  /* And opening again keeps it. */
  db = cn_database_open (path, &error);
  g_assert_no_error (error);
  g_assert_null (cn_database_get_moved_aside_path (db));
  g_assert_cmpuint (cn_database_count_calls (db, NULL, NULL), ==, 1);
}

static void
test_corrupt_garbage (void)
{
  StoreTestDir dir;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  char garbage[8192];

  for (guint i = 0; i < sizeof garbage; i++)
    garbage[i] = (char) g_rand_int_range (rand, 0, 256);

  store_test_dir_init (&dir);
  g_file_set_contents (dir.path, garbage, sizeof garbage, &error);
  g_assert_no_error (error);
  check_moved_aside (dir.path, garbage, sizeof garbage);

  /* A few bytes of text, shorter than any database header. */
  store_test_rm_rf (dir.path);
  {
    g_autoptr(GDir) folder = g_dir_open (dir.dir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (folder)) != NULL)
      {
        g_autofree char *child = g_build_filename (dir.dir, name, NULL);
        g_unlink (child);
      }
  }
  g_file_set_contents (dir.path, "hello", 5, &error);
  g_assert_no_error (error);
  check_moved_aside (dir.path, "hello", 5);

  store_test_dir_clear (&dir);
}

static void
test_corrupt_truncated (void)
{
  StoreTestDir dir;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) uuids = NULL;
  g_autofree char *bytes = NULL;
  gsize length = 0;

  store_test_dir_init (&dir);
  db = cn_database_open (dir.path, &error);
  g_assert_no_error (error);
  uuids = store_test_bulk_insert (db, 2000, 1000, 1);
  g_clear_object (&db);

  /* Closing checkpointed the WAL into the file; cut the file in half. */
  file_bytes (dir.path, &bytes, &length);
  g_assert_cmpuint (length, >, 64 * 1024);
  length /= 2;
  g_file_set_contents (dir.path, bytes, length, &error);
  g_assert_no_error (error);

  check_moved_aside (dir.path, bytes, length);

  /* Full length, but the first page (the schema) overwritten after the
   * header: only SQLite can tell. */
  store_test_rm_rf (dir.dir);
  g_mkdir_with_parents (dir.dir, 0700);
  db = cn_database_open (dir.path, &error);
  g_assert_no_error (error);
  g_clear_pointer (&uuids, g_ptr_array_unref);
  uuids = store_test_bulk_insert (db, 200, 1000, 1);
  g_clear_object (&db);
  g_clear_pointer (&bytes, g_free);
  file_bytes (dir.path, &bytes, &length);
  memset (bytes + 100, 0xa5, 1000);
  g_file_set_contents (dir.path, bytes, length, &error);
  g_assert_no_error (error);

  check_moved_aside (dir.path, bytes, length);

  store_test_dir_clear (&dir);
}

static void
test_corrupt_foreign (void)
{
  StoreTestDir dir;
  g_autoptr(GError) error = NULL;
  g_autofree char *bytes = NULL;
  g_autofree char *wal_bytes = NULL;
  g_autofree char *wal_path = NULL;
  gsize length = 0;
  gsize wal_length = 0;
  sqlite3 *other = NULL;

  store_test_dir_init (&dir);

  /* Another program's database, in WAL mode, with its last commit still in
   * the WAL (it closed without a checkpoint). */
  g_assert_cmpint (sqlite3_open (dir.path, &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other,
                                 "PRAGMA journal_mode = WAL;"
                                 "CREATE TABLE recipes (name TEXT);"
                                 "INSERT INTO recipes VALUES ('soup');", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_db_config (other, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
  g_assert_cmpint (sqlite3_exec (other, "INSERT INTO recipes VALUES ('bread');", NULL, NULL,
                                 NULL), ==, SQLITE_OK);
  sqlite3_close (other);

  wal_path = g_strconcat (dir.path, "-wal", NULL);
  g_assert_true (g_file_test (wal_path, G_FILE_TEST_EXISTS));
  file_bytes (dir.path, &bytes, &length);
  file_bytes (wal_path, &wal_bytes, &wal_length);

  check_moved_aside (dir.path, bytes, length);

  /* Its WAL went with it, so nothing of it was lost. */
  {
    g_autoptr(GDir) folder = g_dir_open (dir.dir, 0, NULL);
    const char *name;
    g_autofree char *moved = NULL;

    while ((name = g_dir_read_name (folder)) != NULL)
      if (strstr (name, ".corrupt-") != NULL && g_str_has_suffix (name, "-wal"))
        moved = g_build_filename (dir.dir, name, NULL);
    g_assert_nonnull (moved);

    {
      g_autofree char *moved_wal_bytes = NULL;
      g_autofree char *moved_db = g_strndup (moved, strlen (moved) - 4);
      gsize moved_wal_length = 0;

      file_bytes (moved, &moved_wal_bytes, &moved_wal_length);
      g_assert_cmpmem (moved_wal_bytes, moved_wal_length, wal_bytes, wal_length);

      g_assert_cmpint (sqlite3_open (moved_db, &other), ==, SQLITE_OK);
      g_assert_cmpint (store_test_query_int (other, "SELECT count(*) FROM recipes"), ==, 2);
      sqlite3_close (other);
    }
  }

  store_test_dir_clear (&dir);
}

static void
test_empty_file (void)
{
  StoreTestDir dir;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *other = NULL;

  store_test_dir_init (&dir);

  /* A brand-new empty file is simply used. */
  g_file_set_contents (dir.path, "", 0, &error);
  g_assert_no_error (error);
  db = cn_database_open (dir.path, &error);
  g_assert_no_error (error);
  g_assert_null (cn_database_get_moved_aside_path (db));
  g_clear_object (&db);

  /* So is an SQLite file with no tables at all (user_version 0). */
  store_test_rm_rf (dir.dir);
  g_mkdir_with_parents (dir.dir, 0700);
  g_assert_cmpint (sqlite3_open (dir.path, &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "PRAGMA journal_mode = WAL; VACUUM;", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (other);
  db = cn_database_open (dir.path, &error);
  g_assert_no_error (error);
  g_assert_null (cn_database_get_moved_aside_path (db));
  g_clear_object (&db);
  g_assert_cmpint (store_test_file_user_version (dir.path), ==, CN_DATABASE_SCHEMA_VERSION);

  store_test_dir_clear (&dir);
}

static void
test_read_only (void)
{
  StoreTestDir dir;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GError) error = NULL;

  store_test_dir_init (&dir);
  db = cn_database_open (dir.path, &error);
  g_assert_no_error (error);
  g_clear_object (&db);

  /* The file can only be read (root ignores file modes, so the test asks
   * SQLite for a read-only connection, which is what a 0444 file gives). */
  db = cn_database_open_full (dir.path, CN_DATABASE_SCHEMA_VERSION, TRUE, &error);
  g_assert_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_READ_ONLY);
  g_assert_nonnull (strstr (error->message, "read-only"));
  g_assert_null (db);

  store_test_dir_clear (&dir);
}

static void
test_read_only_permissions (void)
{
  StoreTestDir dir;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *locked = NULL;
  g_autofree char *inside = NULL;

  if (geteuid () == 0)
    {
      g_test_skip ("Running as root: file modes do not stop root from writing "
                   "(the read-only connection is tested in /store/database/read-only)");
      return;
    }

  store_test_dir_init (&dir);

  /* A read-only file. */
  db = cn_database_open (dir.path, &error);
  g_assert_no_error (error);
  g_clear_object (&db);
  g_chmod (dir.path, 0400);
  db = cn_database_open (dir.path, &error);
  g_assert_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_READ_ONLY);
  g_assert_null (db);
  g_clear_error (&error);
  g_chmod (dir.path, 0600);

  /* A folder that cannot be written. */
  locked = g_build_filename (dir.dir, "locked", NULL);
  g_mkdir (locked, 0500);
  inside = g_build_filename (locked, "callnotes.db", NULL);
  db = cn_database_open (inside, &error);
  g_assert_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_READ_ONLY);
  g_assert_null (db);
  g_chmod (locked, 0700);

  store_test_dir_clear (&dir);
}

static void
test_disk_full (void)
{
  StoreTestDir dir;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CnCallLog) first = store_test_make_log ("+15550000001", NULL, "fits",
                                                    CN_OUTCOME_CONNECTED, 100);
  g_autoptr(CnCallLog) big = store_test_make_log ("+15550000002", NULL, NULL,
                                                  CN_OUTCOME_CONNECTED, 200);
  g_autoptr(CnDraft) draft = cn_draft_new (big);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(CnCallLog) missing = NULL;
  g_autofree char *notes = g_strnfill (60 * 1024, 'x');
  g_autofree char *limit = NULL;
  const CnCallEvent dialed[] = { { (char *) "dialed", 190, NULL } };
  sqlite3 *handle;

  store_test_dir_init (&dir);
  db = cn_database_open (dir.path, &error);
  g_assert_no_error (error);
  handle = cn_database_get_handle (db);

  save (db, first);
  g_assert_true (cn_database_save_draft (db, draft, &error));
  g_assert_no_error (error);

  /* The file may not grow by a single page: as good as a full disk. */
  limit = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT,
                           store_test_query_int (handle, "PRAGMA page_count"));
  g_assert_cmpint (sqlite3_exec (handle, limit, NULL, NULL, NULL), ==, SQLITE_OK);

  cn_call_log_set_notes (big, notes);
  g_assert_false (cn_database_insert_call (db, big, dialed, 1, &error));
  g_assert_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_FULL);
  g_assert_nonnull (strstr (error->message, "disk is full"));
  g_assert_nonnull (strstr (error->message, "not saved"));
  g_clear_error (&error);

  /* Nothing of it was written, and the draft is still there. */
  missing = cn_database_get_call (db, cn_call_log_get_uuid (big), &error);
  g_assert_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  events = cn_database_list_events (db, cn_call_log_get_uuid (big), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 0);
  g_assert_cmpuint (cn_database_count_calls (db, NULL, NULL), ==, 1);
  g_assert_cmpuint (count_search (db, "fits"), ==, 1);
  drafts = cn_database_list_drafts (db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (drafts->len, ==, 1);

  /* Space again: the same save goes through. */
  g_assert_cmpint (sqlite3_exec (handle, "PRAGMA max_page_count = 1073741823", NULL, NULL,
                                 NULL), ==, SQLITE_OK);
  g_assert_true (cn_database_insert_call (db, big, dialed, 1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cn_database_count_calls (db, NULL, NULL), ==, 2);

  g_clear_object (&db);
  store_test_dir_clear (&dir);
}

/* Durability and concurrency */

static void
test_durability (void)
{
  StoreTestDir dir;
  g_autoptr(CnCallLog) log = make_full_log ();
  g_autoptr(CnCallLog) stored = NULL;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  char line[16] = { 0 };
  gsize got = 0;
  int fds[2];
  int status = 0;
  pid_t pid;

  store_test_dir_init (&dir);
  g_assert_cmpint (pipe (fds), ==, 0);

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      /* The child: save, say so, and wait to be killed. */
      const CnCallEvent before[] = {
        { (char *) "dialed", 1763719190, NULL },
        { (char *) "dialog_shown", 1763719191, NULL },
      };
      CnDatabase *child_db;

      close (fds[0]);
      child_db = cn_database_open (dir.path, NULL);
      if (child_db == NULL || !cn_database_insert_call (child_db, log, before, 2, NULL))
        _exit (1);
      if (write (fds[1], "saved\n", 6) != 6)
        _exit (1);
      for (;;)
        pause ();
    }

  close (fds[1]);
  while (got < 6)
    {
      gssize n = read (fds[0], line + got, 6 - got);

      if (n < 0 && errno == EINTR)
        continue;
      g_assert_cmpint (n, >, 0);
      got += n;
    }
  g_assert_cmpstr (line, ==, "saved\n");

  /* No chance to close, checkpoint or flush anything. */
  kill (pid, SIGKILL);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);
  close (fds[0]);

  db = cn_database_open (dir.path, &error);
  g_assert_no_error (error);
  stored = cn_database_get_call (db, cn_call_log_get_uuid (log), &error);
  g_assert_no_error (error);
  cn_call_log_set_revision (log, 1);
  assert_logs_equal (stored, log);

  events = cn_database_list_events (db, cn_call_log_get_uuid (log), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 3);
  assert_event (events, 0, "dialed", 1763719190, NULL);
  assert_event (events, 1, "dialog_shown", 1763719191, NULL);
  assert_event (events, 2, "logged", cn_call_log_get_updated_at (log), NULL);
  g_assert_cmpuint (count_search (db, "renewal"), ==, 1);

  g_clear_object (&db);
  store_test_dir_clear (&dir);
}

static void
test_data_version (void)
{
  StoreTestDir dir;
  g_autoptr(CnDatabase) app = NULL;
  g_autoptr(CnDatabase) cli = NULL;
  g_autoptr(CnCallLog) log = store_test_make_log ("+1555", NULL, NULL, CN_OUTCOME_BUSY, 0);
  g_autoptr(CnCallLog) own = store_test_make_log ("+1556", NULL, NULL, CN_OUTCOME_BUSY, 0);
  g_autoptr(GError) error = NULL;
  gint64 version;

  store_test_dir_init (&dir);
  app = cn_database_open (dir.path, &error);
  g_assert_no_error (error);
  cli = cn_database_open (dir.path, &error);
  g_assert_no_error (error);

  version = cn_database_get_data_version (app);
  g_assert_cmpint (version, >=, 0);
  g_assert_cmpint (cn_database_get_data_version (app), ==, version);

  /* The command line saves: the app notices. */
  save (cli, log);
  g_assert_cmpint (cn_database_get_data_version (app), !=, version);
  g_assert_cmpuint (cn_database_count_calls (app, NULL, NULL), ==, 1);

  /* So it does for its own saves (they go through another connection than
   * its reads), and reading alone changes nothing. */
  version = cn_database_get_data_version (app);
  g_assert_cmpuint (cn_database_count_calls (app, NULL, NULL), ==, 1);
  g_assert_cmpint (cn_database_get_data_version (app), ==, version);
  save (app, own);
  g_assert_cmpint (cn_database_get_data_version (app), !=, version);
  g_assert_cmpuint (cn_database_count_calls (app, NULL, NULL), ==, 2);

  g_clear_object (&cli);
  g_clear_object (&app);
  store_test_dir_clear (&dir);
}

/* Every read goes through the read connection: it must end each call with
 * no statement in progress and no transaction open, or it would keep
 * reading an old snapshot (and hold back checkpoints). */
static void
assert_reader_idle (CnDatabase *db)
{
  sqlite3 *reader = cn_database_get_read_handle (db);

  g_assert_true (sqlite3_get_autocommit (reader));
  for (sqlite3_stmt *stmt = sqlite3_next_stmt (reader, NULL); stmt != NULL;
       stmt = sqlite3_next_stmt (reader, stmt))
    g_assert_false (sqlite3_stmt_busy (stmt));
}

static void
test_reader_sees_writes (void)
{
  StoreTestDir dir;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(CnCallLogModel) model = NULL;
  g_autoptr(CnCallLogModel) search = NULL;
  g_autoptr(GPtrArray) uuids = NULL;
  g_autoptr(GError) error = NULL;
  CnCallQuery odd = { "odd", CN_OUTCOME_NONE };
  guint n_odd = 150;

  store_test_dir_init (&dir);
  db = cn_database_open (dir.path, &error);
  g_assert_no_error (error);
  /* A search past the sorted plan, so pages come from its ids inside a
   * read transaction. */
  cn_database_set_sort_matches_max (db, 10);
  uuids = store_test_bulk_insert (db, 300, 1000, 1);

  model = cn_call_log_model_new (db);
  search = cn_call_log_model_new (db);
  cn_call_log_model_set_search (search, "odd");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 300);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (search)), ==, 150);
  g_object_unref (g_list_model_get_item (G_LIST_MODEL (search), 120));
  g_object_unref (g_list_model_get_item (G_LIST_MODEL (model), 250));
  assert_reader_idle (db);

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(CnCallLog) log = store_test_make_log ("+15559990000", "Fresh", "odd fresh",
                                                      CN_OUTCOME_CONNECTED, 5000 + i);
      g_autoptr(CnCallLog) read = NULL;
      g_autoptr(CnCallLog) missing = NULL;
      g_autoptr(CnCallLog) top = NULL;
      g_autoptr(GPtrArray) page = NULL;
      g_autoptr(GError) local_error = NULL;
      const char *uuid = cn_call_log_get_uuid (log);

      save (db, log);
      n_odd++;

      /* Right after the save returned, every read sees it. */
      read = cn_database_get_call (db, uuid, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (cn_call_log_get_uuid (read), ==, uuid);
      assert_reader_idle (db);

      missing = cn_database_get_call (db, "00000000-0000-4000-8000-000000000000", &local_error);
      g_assert_error (local_error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_NOT_FOUND);
      g_assert_null (missing);
      assert_reader_idle (db);

      g_assert_cmpuint (cn_database_count_calls (db, NULL, NULL), ==, 301);
      g_assert_cmpuint (cn_database_count_calls (db, &odd, NULL), ==, n_odd);
      page = cn_database_query_calls (db, &odd, 0, 1, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (cn_call_log_get_uuid (g_ptr_array_index (page, 0)), ==, uuid);
      assert_reader_idle (db);

      /* The models reload onto it (new rows on top, pages read by key). */
      cn_call_log_model_reload (model);
      cn_call_log_model_reload (search);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 301);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (search)), ==, n_odd);
      top = g_list_model_get_item (G_LIST_MODEL (search), 0);
      g_assert_cmpstr (cn_call_log_get_uuid (top), ==, uuid);
      g_object_unref (g_list_model_get_item (G_LIST_MODEL (search), 140));
      g_object_unref (g_list_model_get_item (G_LIST_MODEL (model), 299));
      assert_reader_idle (db);

      /* An edit and a removal, too. */
      cn_call_log_set_notes (log, "even now");
      g_assert_true (cn_database_update_call (db, log, &error));
      g_assert_no_error (error);
      n_odd--;
      g_assert_cmpuint (cn_database_count_calls (db, &odd, NULL), ==, n_odd);
      /* Bulk rows alternate "even", "odd". */
      g_assert_true (cn_database_delete_call (db, g_ptr_array_index (uuids, i), &error));
      g_assert_no_error (error);
      if (i % 2 == 1)
        n_odd--;
      g_assert_cmpuint (cn_database_count_calls (db, NULL, NULL), ==, 300);
      cn_call_log_model_reload (search);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (search)), ==, n_odd);
      assert_reader_idle (db);
    }

  g_clear_object (&search);
  g_clear_object (&model);
  g_clear_object (&db);
  store_test_dir_clear (&dir);
}

typedef struct {
  CnDatabase *db;
  guint       n;
  guint       failures;
} Writer;

static gpointer
writer_thread (gpointer data)
{
  Writer *writer = data;

  for (guint i = 0; i < writer->n; i++)
    {
      g_autoptr(CnCallLog) log = store_test_make_log ("+15551234567", "Threaded", "thread",
                                                      CN_OUTCOME_CONNECTED, 0);
      g_autoptr(GPtrArray) rows = NULL;
      g_autoptr(GError) error = NULL;

      if (!cn_database_insert_call (writer->db, log, NULL, 0, &error))
        {
          g_printerr ("insert failed: %s\n", error->message);
          writer->failures++;
        }
      rows = cn_database_query_calls (writer->db, NULL, 0, 5, NULL);
      if (rows == NULL)
        writer->failures++;
    }

  return NULL;
}

static void
test_threads (void)
{
  StoreTestDir dir;
  g_autoptr(CnDatabase) app = NULL;
  g_autoptr(CnDatabase) cli = NULL;
  g_autoptr(GError) error = NULL;
  Writer writers[4];
  GThread *threads[4];

  store_test_dir_init (&dir);
  app = cn_database_open (dir.path, &error);
  g_assert_no_error (error);
  cli = cn_database_open (dir.path, &error);
  g_assert_no_error (error);

  /* Three threads share the app's connection, one writes through a second
   * connection, as the command line would. */
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      writers[i] = (Writer) { i == 3 ? cli : app, 15, 0 };
      threads[i] = g_thread_new ("writer", writer_thread, &writers[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      g_thread_join (threads[i]);
      g_assert_cmpuint (writers[i].failures, ==, 0);
    }

  g_assert_cmpuint (cn_database_count_calls (app, NULL, NULL), ==, 60);
  g_assert_cmpuint (count_search (app, "threaded"), ==, 60);

  g_clear_object (&cli);
  g_clear_object (&app);
  store_test_dir_clear (&dir);
}

/* The _async writes: each works on its own copy and reports in the
 * caller's main context. */
static void
on_async_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return g_steal_pointer (slot);
}

static void
test_async_writes (void)
{
  StoreTestDir dir;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CnCallLog) log = store_test_make_log ("+15550101010", "Async Person", "by a worker",
                                                 CN_OUTCOME_CONNECTED, 1700000000);
  g_autoptr(CnCallLog) saved = NULL;
  g_autoptr(CnCallLog) edited = NULL;
  g_autoptr(CnDraft) draft = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GPtrArray) events = NULL;
  GAsyncResult *slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  CnCallEvent dialed = { (char *) "dialed", 1699999990, NULL };
  CnCallQuery all = { NULL, CN_OUTCOME_NONE };
  const char *uuid = cn_call_log_get_uuid (log);

  store_test_dir_init (&dir);
  db = cn_database_open (dir.path, &error);
  g_assert_no_error (error);

  /* A draft, then the save that takes it away with the log. */
  draft = cn_draft_new (log);
  draft->call_sid = g_strdup ("CA7");
  cn_database_save_draft_async (db, draft, NULL, on_async_done, &slot);
  result = wait_result (&slot);
  g_assert_true (cn_database_save_draft_finish (db, result, &error));
  g_clear_object (&result);
  drafts = cn_database_list_drafts (db, &error);
  g_assert_cmpuint (drafts->len, ==, 1);
  g_assert_cmpstr (((CnDraft *) g_ptr_array_index (drafts, 0))->call_sid, ==, "CA7");
  g_clear_pointer (&drafts, g_ptr_array_unref);

  cn_database_insert_call_async (db, log, &dialed, 1, NULL, on_async_done, &slot);
  result = wait_result (&slot);
  saved = cn_database_insert_call_finish (db, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpstr (cn_call_log_get_uuid (saved), ==, uuid);
  g_assert_cmpint (cn_call_log_get_revision (saved), ==, 1);
  g_assert_cmpint (cn_call_log_get_revision (log), ==, 0);   /* the caller's copy untouched */
  events = cn_database_list_events (db, uuid, &error);
  g_assert_cmpuint (events->len, ==, 2);
  g_assert_cmpstr (((CnCallEvent *) g_ptr_array_index (events, 0))->kind, ==, "dialed");
  drafts = cn_database_list_drafts (db, &error);
  g_assert_cmpuint (drafts->len, ==, 0);
  g_clear_pointer (&drafts, g_ptr_array_unref);

  cn_call_log_set_notes (saved, "edited by a worker");
  cn_database_update_call_async (db, saved, NULL, on_async_done, &slot);
  result = wait_result (&slot);
  edited = cn_database_update_call_finish (db, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpint (cn_call_log_get_revision (edited), ==, 2);

  /* Delete, undo. */
  cn_database_delete_call_async (db, uuid, FALSE, NULL, on_async_done, &slot);
  result = wait_result (&slot);
  g_assert_true (cn_database_delete_call_finish (db, result, &error));
  g_clear_object (&result);
  g_assert_cmpuint (cn_database_count_calls (db, &all, NULL), ==, 0);
  cn_database_delete_call_async (db, uuid, TRUE, NULL, on_async_done, &slot);
  result = wait_result (&slot);
  g_assert_true (cn_database_delete_call_finish (db, result, &error));
  g_clear_object (&result);
  g_assert_cmpuint (cn_database_count_calls (db, &all, NULL), ==, 1);

  /* Errors come back through _finish. */
  cn_database_delete_call_async (db, "00000000-0000-4000-8000-000000000000", FALSE, NULL,
                                 on_async_done, &slot);
  result = wait_result (&slot);
  g_assert_false (cn_database_delete_call_finish (db, result, &error));
  g_assert_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  store_test_dir_clear (&dir);
}

static guint
count_jobs_of (CnDatabase *db,
               const char *uuid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) jobs = cn_database_list_jobs_for_call (db, uuid, &error);

  g_assert_no_error (error);
  return jobs->len;
}

static guint
count_outcome (CnDatabase *db,
               CnOutcome   outcome)
{
  CnCallQuery query = { NULL, outcome };
  g_autoptr(GError) error = NULL;
  guint count = cn_database_count_calls (db, &query, &error);

  g_assert_no_error (error);
  return count;
}

static guint
count_listed_drafts (CnDatabase *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) drafts = cn_database_list_drafts (db, &error);

  g_assert_no_error (error);
  return drafts->len;
}

static void
keep_draft (CnDatabase *db,
            CnCallLog  *log,
            gboolean    editing)
{
  g_autoptr(CnDraft) draft = cn_draft_new (log);
  g_autoptr(GError) error = NULL;

  draft->editing = editing;
  g_assert_true (cn_database_save_draft (db, draft, &error));
  g_assert_no_error (error);
}

/* A save commits the log; its search entry, sync jobs, counters and the
 * draft's removal come with the catch-up right after. A crash in between
 * loses none of them: the next open does it, and the draft of a saved log
 * is never offered again. An edit or a delete that comes first finds the
 * log as it is and the catch-up queues and counts it once. */
static void
test_catch_up (void)
{
  StoreTestDir dir;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CnCallLog) first = store_test_make_log ("+15550303030", "Tail Person",
                                                   "pelican brief", CN_OUTCOME_CONNECTED, 0);
  g_autoptr(CnCallLog) second = store_test_make_log ("+15550303031", "Edited Early",
                                                    "walrus", CN_OUTCOME_BUSY, 0);
  g_autoptr(CnCallLog) third = store_test_make_log ("+15550303032", "Deleted Early",
                                                   "narwhal", CN_OUTCOME_VOICEMAIL, 0);
  g_autoptr(CnCallLog) again = NULL;
  g_autoptr(GPtrArray) jobs = NULL;
  sqlite3 *handle;

  store_test_dir_init (&dir);
  db = cn_database_open (dir.path, &error);
  g_assert_no_error (error);
  cn_database_set_sync_targets (db, CN_SYNC_TARGET_BACKEND | CN_SYNC_TARGET_ONTRAPORT_NOTE);

  /* Typed in the logger (a draft), saved, and then the process dies
   * before the catch-up. */
  keep_draft (db, first, FALSE);
  g_assert_cmpuint (count_listed_drafts (db), ==, 1);
  g_assert_true (cn_database_insert_call_deferred (db, first, NULL, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_search (db, "pelican"), ==, 0);
  g_assert_cmpuint (count_jobs_of (db, cn_call_log_get_uuid (first)), ==, 0);
  g_assert_cmpuint (cn_database_count_calls (db, NULL, NULL), ==, 1);   /* listed at once */
  g_assert_cmpuint (count_outcome (db, CN_OUTCOME_CONNECTED), ==, 1);
  g_assert_cmpuint (count_outcome (db, CN_OUTCOME_BUSY), ==, 0);
  /* Still in its table, but a draft of a saved log is not offered again. */
  g_assert_cmpint (store_test_query_int (cn_database_get_handle (db),
                                         "SELECT count(*) FROM drafts"), ==, 1);
  g_assert_cmpuint (count_listed_drafts (db), ==, 0);
  g_clear_object (&db);

  db = cn_database_open (dir.path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_search (db, "pelican"), ==, 1);
  g_assert_cmpuint (count_jobs_of (db, cn_call_log_get_uuid (first)), ==, 2);
  g_assert_cmpint (store_test_query_int (cn_database_get_handle (db),
                                         "SELECT count(*) FROM drafts"), ==, 0);
  /* Counted once: by the catch-up, no longer as part of the tail. */
  g_assert_cmpuint (cn_database_count_calls (db, NULL, NULL), ==, 1);
  g_assert_cmpuint (count_outcome (db, CN_OUTCOME_CONNECTED), ==, 1);

  /* Saves with Ontraport off now: the targets are those of the save. */
  cn_database_set_sync_targets (db, CN_SYNC_TARGET_BACKEND);

  /* Edited before the catch-up: one create job, at the edited revision,
   * and the index holds the edited text only. */
  g_assert_true (cn_database_insert_call_deferred (db, second, NULL, 0, &error));
  g_assert_cmpuint (count_outcome (db, CN_OUTCOME_BUSY), ==, 1);
  cn_call_log_set_notes (second, "sea lion");
  cn_call_log_set_outcome (second, CN_OUTCOME_NO_ANSWER);
  g_assert_true (cn_database_update_call (db, second, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_outcome (db, CN_OUTCOME_BUSY), ==, 0);
  g_assert_cmpuint (count_outcome (db, CN_OUTCOME_NO_ANSWER), ==, 1);
  /* Opened again in the editor: that draft is the editor's and stays. */
  keep_draft (db, second, TRUE);
  jobs = cn_database_list_jobs_for_call (db, cn_call_log_get_uuid (second), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jobs->len, ==, 1);
  g_assert_cmpint (((CnSyncJob *) g_ptr_array_index (jobs, 0))->action, ==, CN_JOB_CREATE);
  g_assert_cmpint (((CnSyncJob *) g_ptr_array_index (jobs, 0))->revision, ==, 2);
  g_assert_true (cn_database_catch_up (db, &error));
  g_assert_cmpuint (count_search (db, "walrus"), ==, 0);
  g_assert_cmpuint (count_search (db, "sea lion"), ==, 1);
  g_assert_cmpuint (count_jobs_of (db, cn_call_log_get_uuid (second)), ==, 1);
  g_assert_cmpuint (count_outcome (db, CN_OUTCOME_BUSY), ==, 0);
  g_assert_cmpuint (count_outcome (db, CN_OUTCOME_NO_ANSWER), ==, 1);
  g_assert_cmpuint (cn_database_count_calls (db, NULL, NULL), ==, 2);
  g_assert_cmpuint (count_listed_drafts (db), ==, 1);
  g_assert_true (cn_database_delete_draft (db, cn_call_log_get_uuid (second), &error));

  /* Deleted before the catch-up: not indexed, queued as any deleted log
   * (deleting here does not take it back from the backend); undone, found. */
  g_assert_true (cn_database_insert_call_deferred (db, third, NULL, 0, &error));
  g_assert_cmpuint (cn_database_count_calls (db, NULL, NULL), ==, 3);
  g_assert_true (cn_database_delete_call (db, cn_call_log_get_uuid (third), &error));
  g_assert_cmpuint (cn_database_count_calls (db, NULL, NULL), ==, 2);
  g_assert_true (cn_database_catch_up (db, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_search (db, "narwhal"), ==, 0);
  g_assert_cmpuint (count_jobs_of (db, cn_call_log_get_uuid (third)), ==, 1);
  g_assert_cmpuint (cn_database_count_calls (db, NULL, NULL), ==, 2);
  g_assert_cmpuint (count_outcome (db, CN_OUTCOME_VOICEMAIL), ==, 0);
  g_assert_true (cn_database_restore_call (db, cn_call_log_get_uuid (third), &error));
  g_assert_cmpuint (count_search (db, "narwhal"), ==, 1);
  g_assert_cmpuint (cn_database_count_calls (db, NULL, NULL), ==, 3);
  g_assert_cmpuint (count_outcome (db, CN_OUTCOME_VOICEMAIL), ==, 1);

  /* The newest log removed for good (as retention does) must not let the
   * next save take its id below the catch-up's mark. */
  handle = cn_database_get_handle (db);
  g_assert_cmpint (sqlite3_exec (handle, "DELETE FROM call_logs WHERE id = (SELECT max(id)"
                                 " FROM call_logs)", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpuint (count_search (db, "narwhal"), ==, 0);
  g_assert_cmpuint (cn_database_count_calls (db, NULL, NULL), ==, 2);
  again = store_test_make_log ("+15550303033", "After Purge", "dugong", CN_OUTCOME_CONNECTED, 0);
  save (db, again);
  g_assert_cmpuint (count_search (db, "dugong"), ==, 1);
  g_assert_cmpuint (count_jobs_of (db, cn_call_log_get_uuid (again)), ==, 1);
  g_assert_cmpuint (cn_database_count_calls (db, NULL, NULL), ==, 3);
  g_assert_cmpuint (count_outcome (db, CN_OUTCOME_CONNECTED), ==, 2);

  g_clear_object (&db);
  store_test_dir_clear (&dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/database/default-path", test_default_path);
  g_test_add_func ("/store/database/pragmas", test_pragmas);
  g_test_add_func ("/store/database/round-trip", test_round_trip);
  g_test_add_func ("/store/database/events-order", test_events_order);
  g_test_add_func ("/store/database/invalid", test_invalid);
  g_test_add_func ("/store/database/edit", test_edit);
  g_test_add_func ("/store/database/delete-restore", test_delete_restore);
  g_test_add_func ("/store/database/search", test_search);
  g_test_add_func ("/store/database/build-match", test_build_match);
  g_test_add_func ("/store/database/outcome-filter", test_outcome_filter);
  g_test_add_func ("/store/database/paging", test_paging);
  g_test_add_func ("/store/database/resolve-uuid", test_resolve_uuid);
  g_test_add_func ("/store/database/drafts", test_drafts);
  g_test_add_func ("/store/database/corrupt/garbage", test_corrupt_garbage);
  g_test_add_func ("/store/database/corrupt/truncated", test_corrupt_truncated);
  g_test_add_func ("/store/database/corrupt/foreign", test_corrupt_foreign);
  g_test_add_func ("/store/database/empty-file", test_empty_file);
  g_test_add_func ("/store/database/read-only", test_read_only);
  g_test_add_func ("/store/database/read-only-permissions", test_read_only_permissions);
  g_test_add_func ("/store/database/disk-full", test_disk_full);
  g_test_add_func ("/store/database/durability", test_durability);
  g_test_add_func ("/store/database/async-writes", test_async_writes);
  g_test_add_func ("/store/database/catch-up", test_catch_up);
  g_test_add_func ("/store/database/data-version", test_data_version);
  g_test_add_func ("/store/database/reader-sees-writes", test_reader_sees_writes);
  g_test_add_func ("/store/database/threads", test_threads);

  return g_test_run ();
}
