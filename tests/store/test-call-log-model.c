/* test-call-log-model.c: CnCallLogModel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-call-log-model"

#include "config.h"

#include "cn-call-log-model.h"
#include "store-test-util.h"

typedef struct {
  StoreTestDir  dir;
  CnDatabase   *db;
  GPtrArray    *uuids;     /* insertion order; the list shows them reversed */
  GArray       *changes;   /* Change, one per items-changed */
} Fixture;

typedef struct {
  guint position;
  guint removed;
  guint added;
} Change;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Fixture    *fixture)
{
  Change change = { position, removed, added };

  g_array_append_val (fixture->changes, change);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint n_rows = GPOINTER_TO_UINT (data);

  store_test_dir_init (&fixture->dir);
  fixture->db = cn_database_open (fixture->dir.path, &error);
  g_assert_no_error (error);
  fixture->uuids = store_test_bulk_insert (fixture->db, n_rows, 1000000, 2);
  fixture->changes = g_array_new (FALSE, FALSE, sizeof (Change));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->db);
  g_clear_pointer (&fixture->uuids, g_ptr_array_unref);
  g_clear_pointer (&fixture->changes, g_array_unref);
  store_test_dir_clear (&fixture->dir);
}

static CnCallLogModel *
new_model (Fixture *fixture)
{
  CnCallLogModel *model = cn_call_log_model_new (fixture->db);

  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), fixture);
  return model;
}

/* The UUID the list shows at @position (all rows, newest first). */
static const char *
expected_uuid (Fixture *fixture,
               guint    position)
{
  return g_ptr_array_index (fixture->uuids, fixture->uuids->len - 1 - position);
}

static void
assert_item (CnCallLogModel *model,
             guint           position,
             const char     *uuid)
{
  g_autoptr(CnCallLog) log = g_list_model_get_item (G_LIST_MODEL (model), position);

  g_assert_nonnull (log);
  g_assert_cmpstr (cn_call_log_get_uuid (log), ==, uuid);
}

static void
assert_last_change (Fixture *fixture,
                    guint    position,
                    guint    removed,
                    guint    added)
{
  Change *change;

  g_assert_cmpuint (fixture->changes->len, ==, 1);
  change = &g_array_index (fixture->changes, Change, 0);
  g_assert_cmpuint (change->position, ==, position);
  g_assert_cmpuint (change->removed, ==, removed);
  g_assert_cmpuint (change->added, ==, added);
  g_array_set_size (fixture->changes, 0);
}

static void
test_items (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(CnCallLogModel) model = new_model (fixture);
  GListModel *list = G_LIST_MODEL (model);
  static const guint positions[] = { 0, 1, 99, 100, 101, 150, 249, 3, 2499, 1234, 2000 };

  g_assert_true (g_list_model_get_item_type (list) == CN_TYPE_CALL_LOG);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 2500);
  g_assert_true (cn_call_log_model_get_database (model) == fixture->db);

  /* Newest first, ties (two per second) in reverse insertion order. */
  for (guint i = 0; i < G_N_ELEMENTS (positions); i++)
    assert_item (model, positions[i], expected_uuid (fixture, positions[i]));

  g_assert_null (g_list_model_get_item (list, 2500));
  g_assert_null (g_list_model_get_item (list, G_MAXUINT));

  /* Asked twice while its page is cached: the same object. */
  {
    g_autoptr(CnCallLog) a = g_list_model_get_item (list, 42);
    g_autoptr(CnCallLog) b = g_list_model_get_item (list, 42);

    g_assert_true (a == b);
  }

  g_assert_cmpint (cn_call_log_model_find (model, expected_uuid (fixture, 7)), ==, 7);
  g_assert_cmpint (cn_call_log_model_find (model, expected_uuid (fixture, 1234)), ==, 1234);
  g_assert_cmpint (cn_call_log_model_find (model, "00000000-0000-4000-8000-000000000000"),
                   ==, -1);
  g_assert_cmpuint (fixture->changes->len, ==, 0);
}

static void
test_walks (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(CnCallLogModel) model = new_model (fixture);
  GListModel *list = G_LIST_MODEL (model);
  guint n = g_list_model_get_n_items (list);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  /* Forwards (each page read after the one before), backwards (each read
   * before the one after) and jumping about: the same rows everywhere. */
  for (guint i = 0; i < n; i++)
    assert_item (model, i, expected_uuid (fixture, i));

  {
    g_autoptr(CnCallLogModel) fresh = new_model (fixture);

    for (guint i = n; i > 0; i--)
      assert_item (fresh, i - 1, expected_uuid (fixture, i - 1));
  }

  for (guint i = 0; i < 200; i++)
    {
      guint position = g_rand_int_range (rand, 0, n);

      assert_item (model, position, expected_uuid (fixture, position));
    }
}

static guint live_logs;

static void
on_log_finalized (gpointer  data,
                  GObject  *where_the_object_was)
{
  live_logs--;
}

static void
test_memory_bounded (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(CnCallLogModel) model = new_model (fixture);
  GListModel *list = G_LIST_MODEL (model);
  guint max_live = 0;

  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 10000);
  live_logs = 0;

  /* Walk all 10 000 rows, as scrolling to the end would, holding nothing. */
  for (guint i = 0; i < 10000; i++)
    {
      CnCallLog *log = g_list_model_get_item (list, i);

      g_assert_nonnull (log);
      /* Marked on the object: an address may be reused after a free. */
      if (g_object_get_data (G_OBJECT (log), "counted") == NULL)
        {
          g_object_set_data (G_OBJECT (log), "counted", GINT_TO_POINTER (1));
          g_object_weak_ref (G_OBJECT (log), on_log_finalized, NULL);
          live_logs++;
        }
      g_object_unref (log);
      max_live = MAX (max_live, live_logs);
    }

  /* The model keeps a few pages, never the whole list. */
  g_assert_cmpuint (max_live, <=, 8 * 100);
  g_assert_cmpuint (live_logs, <=, 8 * 100);
  g_assert_cmpuint (live_logs, >, 0);

  g_clear_object (&model);
  g_assert_cmpuint (live_logs, ==, 0);
}

static void
on_notify_count (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

/* The history shows a window of rows that grows as the person scrolls. */
static void
test_limit (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(CnCallLogModel) model = new_model (fixture);
  g_autoptr(CnCallLog) newer = store_test_make_log ("+15550000009", "On Top", "new",
                                                    CN_OUTCOME_VOICEMAIL, 2000000);
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 250);

  cn_call_log_model_set_limit (model, 100);
  assert_last_change (fixture, 100, 150, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 100);
  g_assert_cmpuint (cn_call_log_model_get_total (model), ==, 250);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (model), 100));
  assert_item (model, 99, expected_uuid (fixture, 99));

  /* Scrolling near the end shows the next rows, appended. */
  cn_call_log_model_set_limit (model, 200);
  assert_last_change (fixture, 100, 0, 100);
  assert_item (model, 199, expected_uuid (fixture, 199));

  /* A save on top: the rows on screen stay, one more row is shown. */
  g_assert_true (cn_database_insert_call (fixture->db, newer, NULL, 0, &error));
  g_assert_no_error (error);
  cn_call_log_model_reload (model);
  assert_last_change (fixture, 0, 0, 1);
  g_assert_cmpuint (cn_call_log_model_get_limit (model), ==, 201);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 201);
  assert_item (model, 0, cn_call_log_get_uuid (newer));
  assert_item (model, 200, expected_uuid (fixture, 199));

  /* Past the total: everything, and no more. */
  cn_call_log_model_set_limit (model, 5000);
  assert_last_change (fixture, 201, 0, 50);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 251);
}

static void
test_reload_added_on_top (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(CnCallLogModel) model = new_model (fixture);
  g_autoptr(CnCallLog) newer = store_test_make_log ("+15550000001", "Top One", "new",
                                                    CN_OUTCOME_CONNECTED, 2000000);
  g_autoptr(CnCallLog) newest = store_test_make_log ("+15550000002", "Top Two", "new",
                                                     CN_OUTCOME_BUSY, 2000001);
  g_autoptr(GError) error = NULL;
  guint n_notified = 0;

  g_signal_connect (model, "notify::n-items", G_CALLBACK (on_notify_count), &n_notified);

  assert_item (model, 0, expected_uuid (fixture, 0));

  /* Nothing changed: nothing said. */
  cn_call_log_model_reload (model);
  g_assert_cmpuint (fixture->changes->len, ==, 0);

  /* Two saves (another connection, like the command line). */
  {
    g_autoptr(CnDatabase) cli = cn_database_open (fixture->dir.path, &error);

    g_assert_no_error (error);
    g_assert_true (cn_database_insert_call (cli, newer, NULL, 0, &error));
    g_assert_true (cn_database_insert_call (cli, newest, NULL, 0, &error));
    g_assert_no_error (error);
  }

  cn_call_log_model_reload (model);
  assert_last_change (fixture, 0, 0, 2);
  g_assert_cmpuint (n_notified, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 252);
  assert_item (model, 0, cn_call_log_get_uuid (newest));
  assert_item (model, 1, cn_call_log_get_uuid (newer));
  assert_item (model, 2, expected_uuid (fixture, 0));
  assert_item (model, 251, expected_uuid (fixture, 249));
  g_assert_cmpint (cn_call_log_model_find (model, cn_call_log_get_uuid (newer)), ==, 1);
}

static void
test_reload_other_changes (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(CnCallLogModel) model = new_model (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(CnCallLog) old_one = store_test_make_log ("+15550000003", "Back Dated", "old",
                                                      CN_OUTCOME_CONNECTED, 1000);

  assert_item (model, 0, expected_uuid (fixture, 0));

  /* A delete: everything is re-read. */
  g_assert_true (cn_database_delete_call (fixture->db, expected_uuid (fixture, 10), &error));
  g_assert_no_error (error);
  cn_call_log_model_reload (model);
  assert_last_change (fixture, 0, 250, 249);
  assert_item (model, 10, expected_uuid (fixture, 11));

  /* An edit (same count) still tells the list. */
  assert_item (model, 0, expected_uuid (fixture, 0));
  {
    g_autoptr(CnCallLog) log = cn_database_get_call (fixture->db, expected_uuid (fixture, 5),
                                                     &error);

    cn_call_log_set_notes (log, "changed notes");
    g_assert_true (cn_database_update_call (fixture->db, log, &error));
    g_assert_no_error (error);
  }
  cn_call_log_model_reload (model);
  assert_last_change (fixture, 0, 249, 249);
  {
    g_autoptr(CnCallLog) log = g_list_model_get_item (G_LIST_MODEL (model), 5);

    g_assert_cmpstr (cn_call_log_get_notes (log), ==, "changed notes");
  }

  /* A log added at the bottom (an old call logged late) is not "on top". */
  assert_item (model, 0, expected_uuid (fixture, 0));
  g_assert_true (cn_database_insert_call (fixture->db, old_one, NULL, 0, &error));
  g_assert_no_error (error);
  cn_call_log_model_reload (model);
  assert_last_change (fixture, 0, 249, 250);
  assert_item (model, 249, cn_call_log_get_uuid (old_one));
}

static void
test_filters (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(CnCallLogModel) model = new_model (fixture);
  GListModel *list = G_LIST_MODEL (model);
  g_autofree char *search = NULL;
  gint outcome = -1;

  /* Bulk rows: notes "bulk row N odd|even", outcomes in turn. */
  cn_call_log_model_set_search (model, "odd");
  assert_last_change (fixture, 0, 250, 125);
  g_assert_cmpstr (cn_call_log_model_get_search (model), ==, "odd");
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 125);
  for (guint i = 0; i < 125; i++)
    {
      g_autoptr(CnCallLog) log = g_list_model_get_item (list, i);

      g_assert_true (g_str_has_suffix (cn_call_log_get_notes (log), "odd"));
    }
  assert_item (model, 0, expected_uuid (fixture, 0));  /* row 249 is odd */

  /* The same search again changes nothing. */
  cn_call_log_model_set_search (model, "odd");
  g_assert_cmpuint (fixture->changes->len, ==, 0);

  g_object_set (model, "outcome", CN_OUTCOME_BUSY, NULL);
  assert_last_change (fixture, 0, 125, 62);
  g_assert_cmpint (cn_call_log_model_get_outcome (model), ==, CN_OUTCOME_BUSY);
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(CnCallLog) log = g_list_model_get_item (list, i);

      g_assert_cmpint (cn_call_log_get_outcome (log), ==, CN_OUTCOME_BUSY);
    }

  g_object_get (model, "search", &search, "outcome", &outcome, NULL);
  g_assert_cmpstr (search, ==, "odd");
  g_assert_cmpint (outcome, ==, CN_OUTCOME_BUSY);

  /* Special characters are just text. */
  cn_call_log_model_set_search (model, "\"odd*");
  g_array_set_size (fixture->changes, 0);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 62);
  cn_call_log_model_set_search (model, "NEAR( odd");
  g_array_set_size (fixture->changes, 0);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 0);

  cn_call_log_model_set_search (model, NULL);
  cn_call_log_model_set_outcome (model, CN_OUTCOME_NONE);
  g_array_set_size (fixture->changes, 0);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 250);

  cn_call_log_model_set_search (model, "nothing-matches-this");
  assert_last_change (fixture, 0, 250, 0);
  g_assert_null (g_list_model_get_item (list, 0));
}

/* A search shown with a limit is counted only a little past it: the total
 * is a lower bound, enough to know that more rows follow. */
static void
test_capped_count (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(CnCallLogModel) model = new_model (fixture);
  GListModel *list = G_LIST_MODEL (model);
  g_autoptr(GError) error = NULL;

  /* Up to 20 matches are sorted; past that the count stops at the cap. */
  cn_database_set_sort_matches_max (fixture->db, 20);
  cn_call_log_model_set_limit (model, 25);
  g_array_set_size (fixture->changes, 0);

  /* Every bulk row says "bulk". */
  cn_call_log_model_set_search (model, "bulk");
  assert_last_change (fixture, 0, 25, 25);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 25);
  g_assert_cmpuint (cn_call_log_model_get_total (model), ==, 50);
  for (guint i = 0; i < 25; i++)
    assert_item (model, i, expected_uuid (fixture, i));
  g_assert_null (g_list_model_get_item (list, 25));

  /* The limit reaches the cap: counted further, the next rows appended. */
  cn_call_log_model_set_limit (model, 50);
  assert_last_change (fixture, 25, 0, 25);
  g_assert_cmpuint (cn_call_log_model_get_total (model), ==, 100);
  for (guint i = 25; i < 50; i++)
    assert_item (model, i, expected_uuid (fixture, i));

  /* Below the cap nothing is counted again. */
  cn_call_log_model_set_limit (model, 60);
  assert_last_change (fixture, 50, 0, 10);
  g_assert_cmpuint (cn_call_log_model_get_total (model), ==, 100);

  /* Past every row: the exact count, and the last row is reachable. */
  cn_call_log_model_set_limit (model, 200);
  assert_last_change (fixture, 60, 0, 140);
  g_assert_cmpuint (cn_call_log_model_get_total (model), ==, 250);
  cn_call_log_model_set_limit (model, 300);
  assert_last_change (fixture, 200, 0, 50);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 250);
  assert_item (model, 249, expected_uuid (fixture, 249));
  assert_item (model, 130, expected_uuid (fixture, 130));
  g_assert_null (g_list_model_get_item (list, 250));

  /* No limit: counted exactly at once. */
  cn_call_log_model_set_limit (model, 25);
  g_array_set_size (fixture->changes, 0);
  cn_call_log_model_set_search (model, "odd");
  g_array_set_size (fixture->changes, 0);
  g_assert_cmpuint (cn_call_log_model_get_total (model), ==, 50);
  cn_call_log_model_set_limit (model, 0);
  assert_last_change (fixture, 25, 0, 100);
  g_assert_cmpuint (cn_call_log_model_get_total (model), ==, 125);
  assert_item (model, 124, expected_uuid (fixture, 248));

  /* A capped count with an outcome filter too. */
  cn_call_log_model_set_limit (model, 10);
  cn_call_log_model_set_outcome (model, CN_OUTCOME_VOICEMAIL);
  g_array_set_size (fixture->changes, 0);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 10);
  g_assert_cmpuint (cn_call_log_model_get_total (model), ==, 21);
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(CnCallLog) log = g_list_model_get_item (list, i);

      g_assert_cmpint (cn_call_log_get_outcome (log), ==, CN_OUTCOME_VOICEMAIL);
      g_assert_true (g_str_has_suffix (cn_call_log_get_notes (log), "odd"));
    }
  /* Rows 1, 5, 9 … 249 are voicemails, all odd. */
  cn_call_log_model_set_limit (model, 100);
  g_assert_cmpuint (cn_call_log_model_get_total (model), ==, 63);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 63);
  assert_item (model, 62, expected_uuid (fixture, 248));
  g_assert_no_error (error);
}

/* Saves while a search is counted only up to a cap. */
static void
test_capped_reload (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(CnCallLogModel) model = new_model (fixture);
  GListModel *list = G_LIST_MODEL (model);
  g_autoptr(CnCallLog) newer = store_test_make_log ("+15550000001", "Top One", "bulk newer",
                                                    CN_OUTCOME_CONNECTED, 2000000);
  g_autoptr(CnCallLog) other = store_test_make_log ("+15550000002", "Not Shown", "elsewhere",
                                                    CN_OUTCOME_BUSY, 2000001);
  g_autoptr(CnCallLog) old_one = store_test_make_log ("+15550000003", "Back Dated", "bulk old",
                                                      CN_OUTCOME_CONNECTED, 1000);
  g_autoptr(GError) error = NULL;

  cn_database_set_sort_matches_max (fixture->db, 20);
  cn_call_log_model_set_limit (model, 30);
  cn_call_log_model_set_search (model, "bulk");
  g_array_set_size (fixture->changes, 0);
  g_assert_cmpuint (cn_call_log_model_get_total (model), ==, 60);
  assert_item (model, 29, expected_uuid (fixture, 29));

  /* A log that does not match changes nothing. */
  g_assert_true (cn_database_insert_call (fixture->db, other, NULL, 0, &error));
  g_assert_no_error (error);
  cn_call_log_model_reload (model);
  g_assert_cmpuint (fixture->changes->len, ==, 0);

  /* One that matches, on top: added there, the rows on screen stay. */
  g_assert_true (cn_database_insert_call (fixture->db, newer, NULL, 0, &error));
  g_assert_no_error (error);
  cn_call_log_model_reload (model);
  assert_last_change (fixture, 0, 0, 1);
  g_assert_cmpuint (cn_call_log_model_get_limit (model), ==, 31);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 31);
  g_assert_cmpuint (cn_call_log_model_get_total (model), >=, 61);
  assert_item (model, 0, cn_call_log_get_uuid (newer));
  assert_item (model, 30, expected_uuid (fixture, 29));

  /* Grown past the cap, counted further: still in order. */
  cn_call_log_model_set_limit (model, 200);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 200);
  g_array_set_size (fixture->changes, 0);
  assert_item (model, 199, expected_uuid (fixture, 198));

  /* One at the bottom is not "on top": everything is read again. */
  g_assert_true (cn_database_insert_call (fixture->db, old_one, NULL, 0, &error));
  g_assert_no_error (error);
  cn_call_log_model_reload (model);
  assert_last_change (fixture, 0, 200, 200);
  cn_call_log_model_set_limit (model, 1000);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 252);
  g_assert_cmpuint (cn_call_log_model_get_total (model), ==, 252);
  assert_item (model, 251, cn_call_log_get_uuid (old_one));
  assert_item (model, 250, expected_uuid (fixture, 249));

  /* A delete: everything is read again. */
  g_array_set_size (fixture->changes, 0);
  g_assert_true (cn_database_delete_call (fixture->db, expected_uuid (fixture, 3), &error));
  g_assert_no_error (error);
  cn_call_log_model_reload (model);
  assert_last_change (fixture, 0, 252, 251);
  assert_item (model, 4, expected_uuid (fixture, 4));
}

static int
on_read_statement (unsigned int  type,
                   void         *data,
                   void         *stmt,
                   void         *unused)
{
  guint *n_searches = data;
  const char *sql = sqlite3_sql (stmt);

  if (sql != NULL && strstr (sql, "call_fts") != NULL)
    (*n_searches)++;

  return 0;
}

/* The app's own writes move the data version too (they go through another
 * connection than its reads), so the history window reloads after each
 * draft; a reload that finds the logs as they were reads no more. */
static void
test_reload_unchanged (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(CnCallLogModel) model = new_model (fixture);
  g_autoptr(CnCallLog) typed = store_test_make_log ("+15550000003", "Typing", "odd draft",
                                                    CN_OUTCOME_NONE, 2000000);
  g_autoptr(CnCallLog) saved = store_test_make_log ("+15550000004", "Saved", "odd saved",
                                                    CN_OUTCOME_CONNECTED, 2000001);
  g_autoptr(CnDraft) draft = cn_draft_new (typed);
  g_autoptr(GError) error = NULL;
  sqlite3 *reader = cn_database_get_read_handle (fixture->db);
  guint n_searches = 0;
  gint64 version;

  cn_database_set_sort_matches_max (fixture->db, 10);
  cn_call_log_model_set_limit (model, 50);
  cn_call_log_model_set_search (model, "odd");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 50);
  g_assert_cmpuint (cn_call_log_model_get_total (model), ==, 100);
  assert_item (model, 0, expected_uuid (fixture, 0));
  g_array_set_size (fixture->changes, 0);
  sqlite3_trace_v2 (reader, SQLITE_TRACE_STMT, on_read_statement, &n_searches);

  version = cn_database_get_data_version (fixture->db);
  g_assert_true (cn_database_save_draft (fixture->db, draft, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cn_database_get_data_version (fixture->db), !=, version);

  cn_call_log_model_reload (model);
  g_assert_cmpuint (n_searches, ==, 0);
  g_assert_cmpuint (fixture->changes->len, ==, 0);
  g_assert_cmpuint (cn_call_log_model_get_total (model), ==, 100);
  assert_item (model, 0, expected_uuid (fixture, 0));

  /* A save is read, and lands on top. */
  g_assert_true (cn_database_insert_call (fixture->db, saved, NULL, 0, &error));
  g_assert_no_error (error);
  cn_call_log_model_reload (model);
  g_assert_cmpuint (n_searches, >, 0);
  assert_last_change (fixture, 0, 0, 1);
  assert_item (model, 0, cn_call_log_get_uuid (saved));
  assert_item (model, 1, expected_uuid (fixture, 0));

  /* Counting further is not skipped. */
  n_searches = 0;
  cn_call_log_model_set_limit (model, 0);
  g_assert_cmpuint (n_searches, >, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 126);

  n_searches = 0;
  cn_call_log_model_reload (model);
  g_assert_cmpuint (n_searches, ==, 0);

  sqlite3_trace_v2 (reader, 0, NULL, NULL);
}

/* The expected rows of a search, straight from SQL (no plan of ours). */
static GPtrArray *
expected_search (CnDatabase *db,
                 const char *search)
{
  g_autofree char *match = cn_database_build_match (search);
  GPtrArray *uuids = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (cn_database_get_handle (db),
                                       "SELECT uuid FROM call_logs WHERE deleted = 0 AND id IN"
                                       " (SELECT rowid FROM call_fts WHERE call_fts MATCH ?1)"
                                       " ORDER BY created_at DESC, id DESC", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, match, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (uuids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);

  return uuids;
}

/* Searches with many matches read their pages through the ids the count
 * gave, a window of the list, or the whole set of matches; all in order,
 * also with logs back-dated (their ids no longer follow the list order). */
static void
test_search_walks (Fixture       *fixture,
                   gconstpointer  data)
{
  static const char * const searches[] = { "bulk", "odd", "row 1", "person 2" };
  static const guint limits[] = { 0, 700, 150 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  g_autoptr(GError) error = NULL;

  /* Back-dated and future-dated logs among them. */
  for (guint i = 0; i < 30; i++)
    {
      g_autoptr(CnCallLog) log = store_test_make_log ("+15550001000", "Person 2 Late",
                                                      i % 2 ? "bulk odd late" : "bulk late",
                                                      CN_OUTCOME_CONNECTED,
                                                      i % 3 ? 1000 + i : 9000000 + i);

      g_assert_true (cn_database_insert_call (fixture->db, log, NULL, 0, &error));
      g_assert_no_error (error);
    }
  /* And the first rows moved to the top: the lowest ids on top. */
  g_assert_cmpint (sqlite3_exec (cn_database_get_handle (fixture->db),
                                 "UPDATE call_logs SET created_at = 9500000 + id WHERE id <= 10",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  cn_database_set_sort_matches_max (fixture->db, 20);

  for (guint s = 0; s < G_N_ELEMENTS (searches); s++)
    for (guint l = 0; l < G_N_ELEMENTS (limits); l++)
      {
        g_autoptr(GPtrArray) expected = expected_search (fixture->db, searches[s]);
        g_autoptr(CnCallLogModel) model = cn_call_log_model_new (fixture->db);
        g_autoptr(CnCallLogModel) backwards = cn_call_log_model_new (fixture->db);
        GListModel *list = G_LIST_MODEL (model);
        guint n;

        cn_call_log_model_set_limit (model, limits[l]);
        cn_call_log_model_set_search (model, searches[s]);
        cn_call_log_model_set_limit (backwards, limits[l]);
        cn_call_log_model_set_search (backwards, searches[s]);
        n = g_list_model_get_n_items (list);
        g_assert_cmpuint (expected->len, >, 20);
        g_assert_cmpuint (n, ==, limits[l] > 0 ? MIN (limits[l], expected->len) : expected->len);
        g_assert_cmpuint (cn_call_log_model_get_total (model), >=, n);

        for (guint i = 0; i < n; i++)
          assert_item (model, i, g_ptr_array_index (expected, i));
        for (guint i = n; i > 0; i--)
          assert_item (backwards, i - 1, g_ptr_array_index (expected, i - 1));
        for (guint i = 0; i < 50; i++)
          {
            g_autoptr(CnCallLogModel) fresh = cn_call_log_model_new (fixture->db);
            guint position = g_rand_int_range (rand, 0, n);

            cn_call_log_model_set_limit (fresh, limits[l]);
            cn_call_log_model_set_search (fresh, searches[s]);
            assert_item (fresh, position, g_ptr_array_index (expected, position));
          }

        /* And through the store's own pages (no count known). */
        {
          g_autoptr(GPtrArray) page = NULL;
          CnCallQuery query = { searches[s], CN_OUTCOME_NONE };
          guint offset = MIN (expected->len - 1, 500);

          page = cn_database_query_calls (fixture->db, &query, offset, 100, &error);
          g_assert_no_error (error);
          g_assert_cmpuint (page->len, ==, MIN (100, expected->len - offset));
          for (guint i = 0; i < page->len; i++)
            g_assert_cmpstr (cn_call_log_get_uuid (g_ptr_array_index (page, i)), ==,
                             g_ptr_array_index (expected, offset + i));
        }
      }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/store/call-log-model/items", Fixture, GUINT_TO_POINTER (2500),
              fixture_set_up, test_items, fixture_tear_down);
  g_test_add ("/store/call-log-model/walks", Fixture, GUINT_TO_POINTER (2345),
              fixture_set_up, test_walks, fixture_tear_down);
  g_test_add ("/store/call-log-model/memory-bounded", Fixture, GUINT_TO_POINTER (10000),
              fixture_set_up, test_memory_bounded, fixture_tear_down);
  g_test_add ("/store/call-log-model/limit", Fixture, GUINT_TO_POINTER (250),
              fixture_set_up, test_limit, fixture_tear_down);
  g_test_add ("/store/call-log-model/reload-added-on-top", Fixture, GUINT_TO_POINTER (250),
              fixture_set_up, test_reload_added_on_top, fixture_tear_down);
  g_test_add ("/store/call-log-model/reload-other-changes", Fixture, GUINT_TO_POINTER (250),
              fixture_set_up, test_reload_other_changes, fixture_tear_down);
  g_test_add ("/store/call-log-model/reload-unchanged", Fixture, GUINT_TO_POINTER (250),
              fixture_set_up, test_reload_unchanged, fixture_tear_down);
  g_test_add ("/store/call-log-model/filters", Fixture, GUINT_TO_POINTER (250),
              fixture_set_up, test_filters, fixture_tear_down);
  g_test_add ("/store/call-log-model/capped-count", Fixture, GUINT_TO_POINTER (250),
              fixture_set_up, test_capped_count, fixture_tear_down);
  g_test_add ("/store/call-log-model/capped-reload", Fixture, GUINT_TO_POINTER (250),
              fixture_set_up, test_capped_reload, fixture_tear_down);
  g_test_add ("/store/call-log-model/search-walks", Fixture, GUINT_TO_POINTER (3000),
              fixture_set_up, test_search_walks, fixture_tear_down);

  return g_test_run ();
}
