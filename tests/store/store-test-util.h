/* store-test-util.h: helpers shared by the store tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "cn-call-log.h"
#include "cn-database.h"
#include "cn-database-private.h"

static inline void
store_test_rm_rf (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);

  if (dir != NULL)
    {
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
              !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            store_test_rm_rf (child);
          else
            g_unlink (child);
        }
      g_dir_close (dir);
      g_chmod (path, 0700);
      g_rmdir (path);
    }
  else
    {
      g_unlink (path);
    }
}

/* A fresh folder per test; tests pass the path explicitly. */
typedef struct {
  char *dir;
  char *path;
} StoreTestDir;

static inline void
store_test_dir_init (StoreTestDir *fixture)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("callnotes-store-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "callnotes.db", NULL);
}

static inline void
store_test_dir_clear (StoreTestDir *fixture)
{
  store_test_rm_rf (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
  g_clear_pointer (&fixture->path, g_free);
}

static inline CnCallLog *
store_test_make_log (const char *phone,
                     const char *name,
                     const char *notes,
                     CnOutcome   outcome,
                     gint64      created_at)
{
  CnCallLog *log = cn_call_log_new_with_uuid ();

  cn_call_log_set_phone (log, phone);
  cn_call_log_set_contact_name (log, name);
  cn_call_log_set_notes (log, notes);
  cn_call_log_set_outcome (log, outcome);
  if (created_at > 0)
    {
      cn_call_log_set_created_at (log, created_at);
      cn_call_log_set_updated_at (log, created_at);
    }

  return log;
}

static inline gint64
store_test_query_int (sqlite3    *db,
                      const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return value;
}

/* user_version of a file, read with a connection of our own. */
static inline gint64
store_test_file_user_version (const char *path)
{
  sqlite3 *db = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  value = store_test_query_int (db, "PRAGMA user_version");
  sqlite3_close (db);

  return value;
}

/* Adds @n logs straight through SQL in one transaction (the triggers keep the
 * search index and the counters), one second apart from @first_created_at.
 * Returns their UUIDs in insertion order. */
static inline GPtrArray *
store_test_bulk_insert (CnDatabase *db,
                        guint       n,
                        gint64      first_created_at,
                        guint       ties)
{
  sqlite3 *handle = cn_database_get_handle (db);
  sqlite3_stmt *stmt = NULL;
  GPtrArray *uuids = g_ptr_array_new_with_free_func (g_free);
  static const char * const outcomes[] = { "connected", "voicemail", "no_answer", "busy" };

  g_assert_cmpint (sqlite3_exec (handle, "BEGIN", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (handle,
                                       "INSERT INTO call_logs (uuid, contact_name, phone, outcome,"
                                       " notes, created_at, updated_at) "
                                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("Person %u", i);
      g_autofree char *phone = g_strdup_printf ("+1555%07u", i);
      g_autofree char *notes = g_strdup_printf ("bulk row %u %s", i, i % 2 ? "odd" : "even");
      char *uuid = g_uuid_string_random ();

      sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, phone, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, outcomes[i % 4], -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, notes, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 6, first_created_at + (ties > 1 ? i / ties : i));
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      sqlite3_reset (stmt);
      g_ptr_array_add (uuids, uuid);
    }
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_exec (handle, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  /* As after a save: the search index takes them. */
  g_assert_true (cn_database_catch_up (db, NULL));

  return uuids;
}
