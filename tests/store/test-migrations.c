/* test-migrations.c: opening databases left by every earlier version
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-migrations"

#include "config.h"

#include "cn-outbox.h"
#include "store-test-util.h"

#define UUID_LIVE    "11111111-1111-4111-8111-111111111111"
#define UUID_DELETED "22222222-2222-4222-8222-222222222222"
#define UUID_DRAFT   "33333333-3333-4333-8333-333333333333"

static void
exec_sql (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

/* What a version-1 Callnotes wrote: logs (one deleted) and their events. */
static void
fill_version_1 (sqlite3 *db,
                guint    version)
{
  exec_sql (db,
            "INSERT INTO call_logs (uuid, contact_id, contact_name, phone, phone_raw, extension,"
            " direction, outcome, duration_seconds, notes, follow_up_at, created_at,"
            " updated_at, revision, deleted) VALUES"
            " ('" UUID_LIVE "', '42', 'Ingrid Bergström', '+46701234567', '070-123 45 67',"
            "  '12', 'inbound', 'no_answer', NULL, 'Wants the brochure', 1800000000,"
            "  1700000000, 1700000100, 2, 0),"
            " ('" UUID_DELETED "', NULL, 'Old Entry', '+15550000000', NULL, NULL,"
            "  'outbound', 'busy', 30, 'secretword', NULL, 1600000000, 1600000000, 1, 1);"
            "");
  if (version < 4)
    exec_sql (db,
              "INSERT INTO call_events (call_uuid, kind, at, detail) VALUES"
              " ('" UUID_LIVE "', 'dialed', 1699999990, NULL),"
              " ('" UUID_LIVE "', 'logged', 1700000000, NULL),"
              " ('" UUID_LIVE "', 'edited', 1700000100, '{\"by\":\"cli\"}'),"
              " ('" UUID_DELETED "', 'deleted', 1600000001, NULL),"
              " ('" UUID_LIVE "', 'note', 1700000100, 'same second, added later');");
  else
    /* Version 4 keys events by the log's id and their number within it. */
    exec_sql (db,
              "INSERT INTO call_events (call_id, seq, kind, at, detail) VALUES"
              " ((SELECT id FROM call_logs WHERE uuid = '" UUID_LIVE "'), 1, 'dialed',"
              "  1699999990, NULL),"
              " ((SELECT id FROM call_logs WHERE uuid = '" UUID_LIVE "'), 2, 'logged',"
              "  1700000000, NULL),"
              " ((SELECT id FROM call_logs WHERE uuid = '" UUID_LIVE "'), 3, 'edited',"
              "  1700000100, '{\"by\":\"cli\"}'),"
              " ((SELECT id FROM call_logs WHERE uuid = '" UUID_DELETED "'), 1, 'deleted',"
              "  1600000001, NULL),"
              " ((SELECT id FROM call_logs WHERE uuid = '" UUID_LIVE "'), 4, 'note',"
              "  1700000100, 'same second, added later');");
}

static void
fill_version_2 (sqlite3 *db,
                guint    version)
{
  fill_version_1 (db, version);
  exec_sql (db,
            "INSERT INTO drafts (uuid, contact_name, phone, direction, outcome, notes,"
            " created_at, updated_at, editing, dialed_at, shown_at, follow_up_enabled,"
            " saved_at) VALUES ('" UUID_DRAFT "', 'Half Typed', '+15551112222', 'outbound',"
            " NULL, 'not finished', 1700000500, 1700000500, 0, 1700000490, 1700000495, 1,"
            " 1700000510);");
}

/* Opens @path with the current code and checks what the user would see. */
static void
check_current (const char *path,
               guint       from_version)
{
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CnCallLog) log = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  CnCallQuery brochure = { "broch", CN_OUTCOME_NONE };
  CnCallQuery secret = { "secretword", CN_OUTCOME_NONE };
  CnCallQuery by_name = { "bergstrom", CN_OUTCOME_NO_ANSWER };

  db = cn_database_open (path, &error);
  g_assert_no_error (error);
  g_assert_null (cn_database_get_moved_aside_path (db));
  g_assert_cmpint (store_test_query_int (cn_database_get_handle (db), "PRAGMA user_version"),
                   ==, CN_DATABASE_SCHEMA_VERSION);

  if (from_version == 0)
    {
      g_assert_cmpuint (cn_database_count_calls (db, NULL, NULL), ==, 0);
    }
  else
    {
      /* Every field of the old log, untouched. */
      log = cn_database_get_call (db, UUID_LIVE, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (cn_call_log_get_contact_id (log), ==, "42");
      g_assert_cmpstr (cn_call_log_get_contact_name (log), ==, "Ingrid Bergström");
      g_assert_cmpstr (cn_call_log_get_phone (log), ==, "+46701234567");
      g_assert_cmpstr (cn_call_log_get_phone_raw (log), ==, "070-123 45 67");
      g_assert_cmpstr (cn_call_log_get_extension (log), ==, "12");
      g_assert_cmpstr (cn_call_log_get_direction (log), ==, "inbound");
      g_assert_cmpint (cn_call_log_get_outcome (log), ==, CN_OUTCOME_NO_ANSWER);
      g_assert_cmpint (cn_call_log_get_duration (log), ==, -1);
      g_assert_cmpstr (cn_call_log_get_notes (log), ==, "Wants the brochure");
      g_assert_cmpint (cn_call_log_get_follow_up (log), ==, 1800000000);
      g_assert_cmpint (cn_call_log_get_created_at (log), ==, 1700000000);
      g_assert_cmpint (cn_call_log_get_updated_at (log), ==, 1700000100);
      g_assert_cmpint (cn_call_log_get_revision (log), ==, 2);
      g_assert_false (cn_call_log_get_deleted (log));

      /* Every event, in order (two in the same second in the order they
       * were added). */
      events = cn_database_list_events (db, UUID_LIVE, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (events->len, ==, 4);
      g_assert_cmpstr (((CnCallEvent *) g_ptr_array_index (events, 0))->kind, ==, "dialed");
      g_assert_cmpint (((CnCallEvent *) g_ptr_array_index (events, 0))->at, ==, 1699999990);
      g_assert_cmpstr (((CnCallEvent *) g_ptr_array_index (events, 1))->kind, ==, "logged");
      g_assert_cmpstr (((CnCallEvent *) g_ptr_array_index (events, 2))->kind, ==, "edited");
      g_assert_cmpstr (((CnCallEvent *) g_ptr_array_index (events, 2))->detail, ==,
                       "{\"by\":\"cli\"}");
      g_assert_cmpstr (((CnCallEvent *) g_ptr_array_index (events, 3))->kind, ==, "note");
      g_clear_pointer (&events, g_ptr_array_unref);

      /* Counted, listed and found by search (the index was built from the
       * existing rows); the deleted one stays hidden. */
      g_assert_cmpuint (cn_database_count_calls (db, NULL, NULL), ==, 1);
      g_assert_cmpuint (cn_database_count_calls (db, &brochure, NULL), ==, 1);
      g_assert_cmpuint (cn_database_count_calls (db, &by_name, NULL), ==, 1);
      g_assert_cmpuint (cn_database_count_calls (db, &secret, NULL), ==, 0);
      rows = cn_database_query_calls (db, &brochure, 0, 10, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (rows->len, ==, 1);

      /* The deleted one comes back whole when restored. */
      g_assert_true (cn_database_restore_call (db, UUID_DELETED, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (cn_database_count_calls (db, &secret, NULL), ==, 1);
      g_assert_cmpuint (cn_database_count_calls (db, NULL, NULL), ==, 2);
      events = cn_database_list_events (db, UUID_DELETED, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (events->len, ==, 2);
      g_assert_cmpstr (((CnCallEvent *) g_ptr_array_index (events, 0))->kind, ==, "deleted");
      g_assert_cmpstr (((CnCallEvent *) g_ptr_array_index (events, 1))->kind, ==, "restored");
      g_clear_pointer (&events, g_ptr_array_unref);

      /* Events still go with their log. */
      exec_sql (cn_database_get_handle (db), "DELETE FROM call_logs WHERE uuid = '"
                UUID_DELETED "'");
      g_assert_cmpint (store_test_query_int (cn_database_get_handle (db),
                                             "SELECT count(*) FROM call_events"), ==, 4);
    }

  drafts = cn_database_list_drafts (db, &error);
  g_assert_no_error (error);
  if (from_version >= 2)
    {
      CnDraft *draft;

      g_assert_cmpuint (drafts->len, ==, 1);
      draft = g_ptr_array_index (drafts, 0);
      g_assert_cmpstr (cn_call_log_get_uuid (draft->log), ==, UUID_DRAFT);
      g_assert_cmpstr (cn_call_log_get_notes (draft->log), ==, "not finished");
      g_assert_cmpint (draft->dialed_at, ==, 1700000490);
      g_assert_true (draft->follow_up_enabled);
      /* Older versions kept no live call with a draft. */
      g_assert_null (draft->call_sid);
    }
  else
    {
      g_assert_cmpuint (drafts->len, ==, 0);
    }

  /* And it takes new logs, with their events. */
  {
    g_autoptr(CnCallLog) fresh = store_test_make_log ("+15559998888", "New After Upgrade",
                                                      "upgraded", CN_OUTCOME_CONNECTED, 0);
    const CnCallEvent dialed[] = { { (char *) "dialed", 1, NULL } };

    g_autoptr(GPtrArray) jobs = NULL;

    cn_database_set_sync_targets (db, CN_SYNC_TARGET_BACKEND);
    g_assert_true (cn_database_insert_call (db, fresh, dialed, 1, &error));
    g_assert_no_error (error);

    /* Logs from before the upgrade are not queued for sync; new ones are. */
    jobs = cn_database_list_jobs (db, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (jobs->len, ==, 1);
    g_assert_cmpstr (((CnSyncJob *) g_ptr_array_index (jobs, 0))->call_uuid, ==,
                     cn_call_log_get_uuid (fresh));
    events = cn_database_list_events (db, cn_call_log_get_uuid (fresh), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (events->len, ==, 2);
    g_assert_cmpstr (((CnCallEvent *) g_ptr_array_index (events, 0))->kind, ==, "dialed");
    g_assert_cmpstr (((CnCallEvent *) g_ptr_array_index (events, 1))->kind, ==, "logged");
    g_assert_cmpuint (cn_database_count_calls (db, &(CnCallQuery) { "upgraded", 0 }, NULL),
                      ==, 1);
  }
}

static void
test_from_version (gconstpointer data)
{
  guint version = GPOINTER_TO_UINT (data);
  StoreTestDir dir;

  store_test_dir_init (&dir);

  if (version == 0)
    {
      /* Version 0 is an empty file (created, never written). */
      g_autoptr(GError) error = NULL;

      g_file_set_contents (dir.path, "", 0, &error);
      g_assert_no_error (error);
    }
  else
    {
      g_autoptr(CnDatabase) old = NULL;
      g_autoptr(GError) error = NULL;
      sqlite3 *handle;

      old = cn_database_open_at_version (dir.path, version, &error);
      g_assert_no_error (error);
      handle = cn_database_get_handle (old);
      g_assert_cmpint (store_test_query_int (handle, "PRAGMA user_version"), ==, version);

      /* Only the tables of that version exist. */
      g_assert_cmpint (store_test_query_int (handle, "SELECT count(*) FROM sqlite_schema "
                                                     "WHERE name = 'drafts'"), ==,
                       version >= 2 ? 1 : 0);
      g_assert_cmpint (store_test_query_int (handle, "SELECT count(*) FROM sqlite_schema "
                                                     "WHERE name = 'call_fts'"), ==,
                       version >= 3 ? 1 : 0);
      g_assert_cmpint (store_test_query_int (handle, "SELECT count(*) FROM sqlite_schema "
                                                     "WHERE name = 'call_events_by_call'"), ==,
                       version >= 4 ? 0 : 1);

      if (version == 1)
        fill_version_1 (handle, version);
      else
        fill_version_2 (handle, version);
    }

  check_current (dir.path, version);

  store_test_dir_clear (&dir);
}

/* A migration step that fails leaves the file as it was before the step. */
typedef struct {
  guint       from;           /* the version the file is at */
  const char *sabotage;       /* SQL that makes step from+1 fail */
  const char *warning;        /* what the store logs */
  const char *leftover_sql;   /* counts what the step would have added: must be 0 */
  const char *data_sql;       /* counts the old data: must be @data_count */
  gint64      data_count;
} RollbackCase;

static const RollbackCase rollback_cases[] = {
  /* Step 3 cannot create its index (the table name is taken). */
  { 2, "CREATE TABLE call_fts (x)", "Migration to version 3 failed*",
    "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'call_fts%'",
    "SELECT count(*) FROM call_logs", 2 },
  /* Step 4 fails at its end: a view on the old events table makes renaming
   * the new one fail, after the copy and the drop. */
  { 3, "CREATE VIEW event_kinds AS SELECT kind FROM call_events", "Migration to version 4 failed*",
    "SELECT count(*) FROM sqlite_schema WHERE name = 'call_events_v4'",
    "SELECT count(*) FROM call_events WHERE call_uuid = '" UUID_LIVE "'", 4 },
  /* Step 5 adds columns to call_logs, then cannot create its queue table:
   * the columns go too. */
  { 4, "CREATE TABLE sync_jobs (x)", "Migration to version 5 failed*",
    "SELECT count(*) FROM pragma_table_info('call_logs') WHERE name = 'backend_id'",
    "SELECT count(*) FROM call_events", 5 },
};

static void
test_step_rolls_back (gconstpointer data)
{
  const RollbackCase *rollback = data;
  StoreTestDir dir;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *check = NULL;

  store_test_dir_init (&dir);

  db = cn_database_open_at_version (dir.path, rollback->from, &error);
  g_assert_no_error (error);
  fill_version_2 (cn_database_get_handle (db), rollback->from);
  exec_sql (cn_database_get_handle (db), rollback->sabotage);
  g_clear_object (&db);

  g_test_expect_message ("cn-database", G_LOG_LEVEL_WARNING, rollback->warning);
  db = cn_database_open (dir.path, &error);
  g_test_assert_expected_messages ();
  g_assert_nonnull (error);
  g_assert_null (db);
  g_clear_error (&error);

  g_assert_cmpint (sqlite3_open (dir.path, &check), ==, SQLITE_OK);
  g_assert_cmpint (store_test_query_int (check, "PRAGMA user_version"), ==, rollback->from);
  g_assert_cmpint (store_test_query_int (check, rollback->leftover_sql), ==, 0);
  g_assert_cmpint (store_test_query_int (check, rollback->data_sql), ==, rollback->data_count);
  sqlite3_close (check);

  store_test_dir_clear (&dir);
}

static gpointer
open_thread (gpointer data)
{
  g_autoptr(GError) error = NULL;
  CnDatabase *db = cn_database_open (data, &error);

  g_assert_no_error (error);
  return db;
}

static void
test_concurrent_first_open (void)
{
  StoreTestDir dir;
  GThread *threads[4];

  store_test_dir_init (&dir);

  /* The app and the command line starting together on a new file. */
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("open", open_thread, dir.path);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      CnDatabase *db = g_thread_join (threads[i]);

      g_assert_nonnull (db);
      g_assert_null (cn_database_get_moved_aside_path (db));
      g_object_unref (db);
    }

  g_assert_cmpint (store_test_file_user_version (dir.path), ==, CN_DATABASE_SCHEMA_VERSION);

  store_test_dir_clear (&dir);
}

static void
test_too_new_untouched (void)
{
  StoreTestDir dir;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *wal = NULL;
  gsize before_length = 0;
  gsize after_length = 0;
  sqlite3 *other = NULL;

  store_test_dir_init (&dir);

  /* A newer version's file in WAL mode with its last commit still only in
   * the WAL: not even a checkpoint may touch the main file. */
  db = cn_database_open (dir.path, &error);
  g_assert_no_error (error);
  g_clear_object (&db);
  g_assert_cmpint (sqlite3_open (dir.path, &other), ==, SQLITE_OK);
  {
    g_autofree char *too_new = g_strdup_printf ("PRAGMA user_version = %d;",
                                                 CN_DATABASE_SCHEMA_VERSION + 1);

    exec_sql (other, too_new);
  }
  sqlite3_db_config (other, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
  exec_sql (other, "CREATE TABLE from_the_future (x); INSERT INTO from_the_future VALUES (1);");
  sqlite3_close (other);
  wal = g_strconcat (dir.path, "-wal", NULL);
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));

  g_file_get_contents (dir.path, &before, &before_length, &error);
  g_assert_no_error (error);

  for (guint i = 0; i <= CN_DATABASE_SCHEMA_VERSION; i++)
    {
      db = i < CN_DATABASE_SCHEMA_VERSION ? cn_database_open_at_version (dir.path, i, &error)
                                          : cn_database_open (dir.path, &error);
      g_assert_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_TOO_NEW);
      g_assert_nonnull (strstr (error->message, "newer"));
      g_assert_null (db);
      g_clear_error (&error);
    }

  g_file_get_contents (dir.path, &after, &after_length, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (after, after_length, before, before_length);
  g_assert_cmpint (store_test_file_user_version (dir.path), ==, CN_DATABASE_SCHEMA_VERSION + 1);

  /* Nothing was moved aside either. */
  {
    g_autoptr(GDir) folder = g_dir_open (dir.dir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (folder)) != NULL)
      g_assert_null (strstr (name, ".corrupt-"));
  }

  store_test_dir_clear (&dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint version = 0; version < CN_DATABASE_SCHEMA_VERSION; version++)
    {
      g_autofree char *name = g_strdup_printf ("/store/migrations/from-version-%u", version);

      g_test_add_data_func (name, GUINT_TO_POINTER (version), test_from_version);
    }
  for (guint i = 0; i < G_N_ELEMENTS (rollback_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/store/migrations/step-%u-rolls-back",
                                               rollback_cases[i].from + 1);

      g_test_add_data_func (name, &rollback_cases[i], test_step_rolls_back);
    }
  g_test_add_func ("/store/migrations/concurrent-first-open", test_concurrent_first_open);
  g_test_add_func ("/store/migrations/too-new-untouched", test_too_new_untouched);

  return g_test_run ();
}
