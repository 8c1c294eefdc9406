/* test-bulk-delete.c: deleting and restoring many logs at once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cn-database.h"
#include "store-test-util.h"

typedef struct {
  StoreTestDir  dir;
  CnDatabase   *db;
  GPtrArray    *uuids;     /* char *, the five saved logs, oldest first */
  guint         commits;   /* commits on the writer since set_up */
} Fixture;

static int
on_commit (void *user_data)
{
  Fixture *f = user_data;

  f->commits++;
  return 0;   /* go on with the commit */
}

static void
set_up (Fixture       *f,
        gconstpointer  data)
{
  static const char * const names[] = { "Ada Lovelace", "Bea Bühler", "Cem Karaca",
                                        "Dora Maar", "Emil Zola" };
  static const char * const words[] = { "alphaword", "bravoword", "charlieword", "deltaword",
                                        "echoword" };
  g_autoptr(GError) error = NULL;

  store_test_dir_init (&f->dir);
  f->db = cn_database_open (f->dir.path, &error);
  g_assert_no_error (error);
  f->uuids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *phone = g_strdup_printf ("+1555000000%u", i);
      g_autoptr(CnCallLog) log = store_test_make_log (phone, names[i], words[i],
                                                      CN_OUTCOME_CONNECTED, 1700000000 + i);

      g_assert_true (cn_database_insert_call (f->db, log, NULL, 0, &error));
      g_assert_no_error (error);
      g_ptr_array_add (f->uuids, g_strdup (cn_call_log_get_uuid (log)));
    }

  sqlite3_commit_hook (cn_database_get_handle (f->db), on_commit, f);
}

static void
tear_down (Fixture       *f,
           gconstpointer  data)
{
  sqlite3_commit_hook (cn_database_get_handle (f->db), NULL, NULL);
  g_clear_object (&f->db);
  g_clear_pointer (&f->uuids, g_ptr_array_unref);
  store_test_dir_clear (&f->dir);
}

static guint
count_live (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  guint n = cn_database_count_calls (f->db, NULL, &error);

  g_assert_no_error (error);
  return n;
}

static guint
count_search (Fixture    *f,
              const char *search)
{
  CnCallQuery query = { search, CN_OUTCOME_NONE };
  g_autoptr(GError) error = NULL;
  guint n = cn_database_count_calls (f->db, &query, &error);

  g_assert_no_error (error);
  return n;
}

/* How many events of @kind the log has. */
static guint
count_events (Fixture    *f,
              const char *uuid,
              const char *kind)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = cn_database_list_events (f->db, uuid, &error);
  guint n = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    n += g_str_equal (((CnCallEvent *) g_ptr_array_index (events, i))->kind, kind) ? 1 : 0;
  return n;
}

static gboolean
is_deleted (Fixture    *f,
            const char *uuid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CnCallLog) log = cn_database_get_call (f->db, uuid, &error);

  g_assert_no_error (error);
  return cn_call_log_get_deleted (log);
}

static void
test_delete_restore_one_transaction (Fixture       *f,
                                     gconstpointer  data)
{
  /* Three logs and a UUID that names none (purged meanwhile). */
  const char *three[] = { f->uuids->pdata[0], f->uuids->pdata[2], f->uuids->pdata[4],
                          "00000000-0000-4000-8000-000000000000", NULL };
  g_autoptr(GError) error = NULL;
  guint changed = 99;

  g_assert_cmpuint (count_live (f), ==, 5);
  g_assert_cmpuint (count_search (f, "charlieword"), ==, 1);

  g_assert_true (cn_database_delete_calls (f->db, three, FALSE, &changed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, 3);
  g_assert_cmpuint (f->commits, ==, 1);

  g_assert_cmpuint (count_live (f), ==, 2);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpint (is_deleted (f, f->uuids->pdata[i]), ==, i % 2 == 0);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpuint (count_events (f, three[i], "deleted"), ==, 1);
  /* Search hides them; the others are still found. */
  g_assert_cmpuint (count_search (f, "alphaword"), ==, 0);
  g_assert_cmpuint (count_search (f, "charlieword"), ==, 0);
  g_assert_cmpuint (count_search (f, "bravoword"), ==, 1);

  /* Deleting them again changes nothing and writes nothing. */
  g_assert_true (cn_database_delete_calls (f->db, three, FALSE, &changed, &error));
  g_assert_cmpuint (changed, ==, 0);
  g_assert_cmpuint (f->commits, ==, 1);
  g_assert_cmpuint (count_events (f, three[0], "deleted"), ==, 1);

  /* Undo: all of them back, in one more transaction. */
  g_assert_true (cn_database_delete_calls (f->db, three, TRUE, &changed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, 3);
  g_assert_cmpuint (f->commits, ==, 2);
  g_assert_cmpuint (count_live (f), ==, 5);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_false (is_deleted (f, three[i]));
      g_assert_cmpuint (count_events (f, three[i], "restored"), ==, 1);
    }
  g_assert_cmpuint (count_search (f, "alphaword"), ==, 1);
  g_assert_cmpuint (count_search (f, "echoword"), ==, 1);
  g_assert_cmpuint (count_events (f, f->uuids->pdata[1], "deleted"), ==, 0);
}

static void
test_too_many_fails_whole (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GPtrArray) many = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  guint changed = 99;

  g_ptr_array_add (many, g_strdup (f->uuids->pdata[0]));
  for (guint i = 1; i <= CN_DATABASE_MAX_BULK_CALLS; i++)
    g_ptr_array_add (many, g_uuid_string_random ());
  g_ptr_array_add (many, NULL);

  g_assert_false (cn_database_delete_calls (f->db, (const char * const *) many->pdata, FALSE,
                                            &changed, &error));
  g_assert_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_INVALID);
  g_assert_cmpuint (changed, ==, 0);
  g_assert_cmpuint (count_live (f), ==, 5);
  g_assert_cmpuint (f->commits, ==, 0);
}

static void
on_async_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  guint *changed = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (cn_database_delete_calls_finish (CN_DATABASE (source), result, changed, &error));
  g_assert_no_error (error);
}

static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  const char *two[] = { f->uuids->pdata[1], f->uuids->pdata[3], NULL };
  guint changed = G_MAXUINT;

  cn_database_delete_calls_async (f->db, two, FALSE, NULL, on_async_done, &changed);
  while (changed == G_MAXUINT)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (changed, ==, 2);
  g_assert_cmpuint (count_live (f), ==, 3);
  g_assert_cmpuint (count_search (f, "deltaword"), ==, 0);

  changed = G_MAXUINT;
  cn_database_delete_calls_async (f->db, two, TRUE, NULL, on_async_done, &changed);
  while (changed == G_MAXUINT)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (changed, ==, 2);
  g_assert_cmpuint (count_live (f), ==, 5);
}

static void
test_count_synced (Fixture       *f,
                   gconstpointer  data)
{
  sqlite3 *handle = cn_database_get_handle (f->db);
  const char *some[] = { f->uuids->pdata[0], f->uuids->pdata[1], f->uuids->pdata[2],
                         "00000000-0000-4000-8000-000000000000", NULL };
  const char *none[] = { NULL };
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (cn_database_count_synced (f->db, some, &error), ==, 0);

  /* One on the backend, one only in Ontraport, one outside the set. */
  sql = g_strdup_printf ("UPDATE call_logs SET backend_id = '41' WHERE uuid = '%s';"
                         "UPDATE call_logs SET ontraport_note_id = '7' WHERE uuid = '%s';"
                         "UPDATE call_logs SET backend_id = '43' WHERE uuid = '%s';",
                         (char *) f->uuids->pdata[0], (char *) f->uuids->pdata[2],
                         (char *) f->uuids->pdata[4]);
  g_assert_cmpint (sqlite3_exec (handle, sql, NULL, NULL, NULL), ==, SQLITE_OK);

  g_assert_cmpint (cn_database_count_synced (f->db, some, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpint (cn_database_count_synced (f->db, none, &error), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/bulk/delete-restore-one-transaction", Fixture, NULL, set_up,
              test_delete_restore_one_transaction, tear_down);
  g_test_add ("/bulk/too-many-fails-whole", Fixture, NULL, set_up, test_too_many_fails_whole,
              tear_down);
  g_test_add ("/bulk/async", Fixture, NULL, set_up, test_async, tear_down);
  g_test_add ("/bulk/count-synced", Fixture, NULL, set_up, test_count_synced, tear_down);

  return g_test_run ();
}
