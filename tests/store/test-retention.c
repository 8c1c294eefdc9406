/* test-retention.c: Keep History purges old synced logs, never unsynced ones
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cn-live-store.h"
#include "cn-outbox.h"
#include "cn-retention.h"
#include "store-test-util.h"

#define DAY (24 * 60 * 60)

typedef struct {
  StoreTestDir  dir;
  CnDatabase   *db;
  gint64        now;
} Fixture;

static void
set_up (Fixture       *f,
        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  store_test_dir_init (&f->dir);
  f->db = cn_database_open (f->dir.path, &error);
  g_assert_no_error (error);
  f->now = g_get_real_time () / G_USEC_PER_SEC;
}

static void
tear_down (Fixture       *f,
           gconstpointer  data)
{
  g_clear_object (&f->db);
  store_test_dir_clear (&f->dir);
}

/* Saves a log with a word of its own in the notes, queued for @targets. */
static char *
save (Fixture      *f,
      const char   *word,
      gint64        created_at,
      CnSyncTarget  targets,
      gint64        follow_up)
{
  static guint n;
  g_autofree char *phone = g_strdup_printf ("+1555200%04u", ++n);
  g_autofree char *name = g_strdup_printf ("Person %s", word);
  g_autoptr(CnCallLog) log = store_test_make_log (phone, name, word, CN_OUTCOME_CONNECTED,
                                                  created_at);
  g_autoptr(GError) error = NULL;

  cn_call_log_set_follow_up (log, follow_up);
  cn_database_set_sync_targets (f->db, targets);
  g_assert_true (cn_database_insert_call (f->db, log, NULL, 0, &error));
  g_assert_no_error (error);
  cn_database_set_sync_targets (f->db, 0);

  return g_strdup (cn_call_log_get_uuid (log));
}

/* Sends every due job: those of @failed stop in needs attention, those of
 * @pending are not attempted, the others are confirmed. */
static void
sync_jobs (Fixture     *f,
           const char  *failed,
           const char  *pending)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) jobs = cn_database_claim_jobs (f->db, CN_SYNC_TARGETS_ALL, f->now, 100,
                                                      &error);
  g_autoptr(GArray) results = g_array_new (FALSE, TRUE, sizeof (CnJobResult));

  g_assert_no_error (error);
  for (guint i = 0; i < jobs->len; i++)
    {
      CnSyncJob *job = g_ptr_array_index (jobs, i);
      CnJobResult result = { 0 };

      result.job_id = job->id;
      result.at = f->now;
      if (g_strcmp0 (job->call_uuid, failed) == 0)
        {
          result.kind = CN_JOB_RESULT_FAILED;
          result.status = 422;
          result.message = "Rejected";
        }
      else if (g_strcmp0 (job->call_uuid, pending) == 0)
        result.kind = CN_JOB_RESULT_RELEASE;
      else
        {
          result.kind = CN_JOB_RESULT_DONE;
          result.status = 201;
          result.remote_id = "4711";
        }
      g_array_append_val (results, result);
    }

  g_assert_true (cn_database_record_results (f->db, (CnJobResult *) results->data, results->len,
                                             &error));
  g_assert_no_error (error);
}

static gboolean
exists (Fixture    *f,
        const char *uuid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CnCallLog) log = cn_database_get_call (f->db, uuid, &error);

  if (log == NULL)
    g_assert_error (error, CN_DATABASE_ERROR, CN_DATABASE_ERROR_NOT_FOUND);
  return log != NULL;
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

static gint64
query_int (Fixture    *f,
           const char *sql)
{
  return store_test_query_int (cn_database_get_handle (f->db), sql);
}

static void
test_only_synced_old_logs (Fixture       *f,
                           gconstpointer  data)
{
  gint64 old = f->now - 100 * DAY;
  gint64 cutoff = cn_retention_cutoff (f->now, 30);
  g_autofree char *synced = save (f, "syncedold", old, CN_SYNC_TARGET_BACKEND, 0);
  g_autofree char *crm = save (f, "crmold", old + 1, CN_SYNC_TARGET_ONTRAPORT_NOTE, 0);
  g_autofree char *deleted = save (f, "deletedold", old + 2, CN_SYNC_TARGET_BACKEND, 0);
  g_autofree char *done_follow_up = save (f, "donefollowup", old + 3, CN_SYNC_TARGET_BACKEND,
                                          old + DAY);
  g_autofree char *pending = save (f, "pendingold", old + 4, CN_SYNC_TARGET_BACKEND, 0);
  g_autofree char *attention = save (f, "attentionold", old + 5, CN_SYNC_TARGET_BACKEND, 0);
  g_autofree char *never = save (f, "neverold", old + 6, 0, 0);
  g_autofree char *drafted = save (f, "draftedold", old + 7, CN_SYNC_TARGET_BACKEND, 0);
  g_autofree char *open_follow_up = save (f, "openfollowup", old + 8, CN_SYNC_TARGET_BACKEND,
                                          f->now + 7 * DAY);
  g_autofree char *overdue = save (f, "overduefollowup", old + 9, CN_SYNC_TARGET_BACKEND,
                                   old + DAY);
  g_autofree char *recent = save (f, "syncedrecent", f->now - 5 * DAY, CN_SYNC_TARGET_BACKEND,
                                  0);
  /* Imported without sync: straight into the table, no job, no remote id. */
  g_autofree char *edited = save (f, "editedold", old + 10, CN_SYNC_TARGET_BACKEND, 0);
  g_autoptr(GPtrArray) imported = store_test_bulk_insert (f->db, 3, old, 1);
  g_autoptr(CnCallLog) edit = NULL;
  g_autoptr(CnCallLog) draft_log = NULL;
  g_autoptr(CnDraft) draft = NULL;
  g_autoptr(GError) error = NULL;
  guint purged = 99;

  sync_jobs (f, attention, pending);
  g_assert_true (cn_database_delete_call (f->db, deleted, &error));
  g_assert_true (cn_database_complete_follow_up (f->db, done_follow_up, &error));
  g_assert_no_error (error);
  /* Synced, then edited: the update is not on the backend yet. */
  edit = cn_database_get_call (f->db, edited, &error);
  cn_call_log_set_notes (edit, "editedold again");
  g_assert_true (cn_database_update_call (f->db, edit, &error));
  g_assert_no_error (error);
  /* The logger has this one open for an edit. */
  draft_log = cn_database_get_call (f->db, drafted, &error);
  draft = cn_draft_new (draft_log);
  draft->editing = TRUE;
  g_assert_true (cn_database_save_draft (f->db, draft, &error));
  g_assert_no_error (error);

  /* What the sync left: two pending jobs (a create, an update), a
   * needs-attention job; nothing else. */
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM sync_jobs"), ==, 3);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM sync_jobs WHERE state = 'needs_attention'"),
                   ==, 1);
  g_assert_cmpuint (count_search (f, "syncedold"), ==, 1);

  g_assert_true (cn_database_purge_synced_before (f->db, cutoff, NULL, &purged, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (purged, ==, 4);

  g_assert_false (exists (f, synced));
  g_assert_false (exists (f, crm));
  g_assert_false (exists (f, deleted));
  g_assert_false (exists (f, done_follow_up));
  g_assert_true (exists (f, pending));
  g_assert_true (exists (f, attention));
  g_assert_true (exists (f, never));
  g_assert_true (exists (f, drafted));
  g_assert_true (exists (f, open_follow_up));
  g_assert_true (exists (f, overdue));
  g_assert_true (exists (f, recent));
  g_assert_true (exists (f, edited));
  for (guint i = 0; i < imported->len; i++)
    g_assert_true (exists (f, imported->pdata[i]));

  /* Their events went with them; the search no longer finds them and still
   * finds the others; the counts follow. */
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM call_events"
                                 " WHERE call_id NOT IN (SELECT id FROM call_logs)"), ==, 0);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM call_events"), >, 0);
  g_assert_cmpuint (count_search (f, "syncedold"), ==, 0);
  g_assert_cmpuint (count_search (f, "crmold"), ==, 0);
  g_assert_cmpuint (count_search (f, "pendingold"), ==, 1);
  g_assert_cmpuint (count_search (f, "syncedrecent"), ==, 1);
  g_assert_cmpuint (count_search (f, "bulk"), ==, 3);
  g_assert_cmpuint (cn_database_count_calls (f->db, NULL, &error), ==, 11);
  g_assert_cmpint (query_int (f, "SELECT sum(live) FROM call_log_counts"), ==,
                   query_int (f, "SELECT count(*) FROM call_logs WHERE deleted = 0"));

  /* Nothing more to do the next day. */
  g_assert_true (cn_database_purge_synced_before (f->db, cutoff + DAY, NULL, &purged, &error));
  g_assert_cmpuint (purged, ==, 0);

  /* Once the pending jobs are confirmed, those logs go too. */
  sync_jobs (f, attention, NULL);
  g_assert_true (cn_database_purge_synced_before (f->db, cutoff, NULL, &purged, &error));
  g_assert_cmpuint (purged, ==, 2);
  g_assert_false (exists (f, pending));
  g_assert_false (exists (f, edited));
  g_assert_true (exists (f, attention));
}

static void
test_keep_for_ever (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *synced = save (f, "syncedold", f->now - 4000 * DAY, CN_SYNC_TARGET_BACKEND,
                                  0);
  g_autoptr(GError) error = NULL;
  guint purged = 99;

  sync_jobs (f, NULL, NULL);
  g_assert_cmpint (cn_retention_cutoff (f->now, 0), ==, 0);
  g_assert_true (cn_database_purge_synced_before (f->db, cn_retention_cutoff (f->now, 0), NULL,
                                                  &purged, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (purged, ==, 0);
  g_assert_true (exists (f, synced));
}

static void
on_purged (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  guint *purged = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (cn_database_purge_synced_before_finish (CN_DATABASE (source), result, purged,
                                                         &error));
  g_assert_no_error (error);
}

/* More than a batch, synced and unsynced interleaved, soft-deleted ones
 * among them: exactly the synced ones go, through the async call. */
static void
test_many_in_batches (Fixture       *f,
                      gconstpointer  data)
{
  sqlite3 *handle = cn_database_get_handle (f->db);
  g_autoptr(GPtrArray) uuids = store_test_bulk_insert (f->db, 3 * CN_RETENTION_BATCH,
                                                       f->now - 400 * DAY, 1);
  g_autoptr(GPtrArray) newer = store_test_bulk_insert (f->db, 10, f->now - DAY, 1);
  guint purged = G_MAXUINT;

  /* Two of every three have reached the backend; every fifth is deleted. */
  g_assert_cmpint (sqlite3_exec (handle,
                                 "UPDATE call_logs SET backend_id = 'b' || id WHERE id % 3 <> 0;"
                                 "UPDATE call_logs SET deleted = 1 WHERE id % 5 = 0;"
                                 "UPDATE call_logs SET backend_id = 'new' WHERE created_at > "
                                 "  strftime('%s', 'now') - 30 * 86400;",
                                 NULL, NULL, NULL), ==, SQLITE_OK);

  cn_database_purge_synced_before_async (f->db, cn_retention_cutoff (f->now, 365), NULL,
                                         on_purged, &purged);
  while (purged == G_MAXUINT)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (purged, ==, 2 * CN_RETENTION_BATCH);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM call_logs WHERE backend_id IS NOT NULL"
                                 " AND created_at < strftime('%s', 'now') - 365 * 86400"), ==, 0);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM call_logs"), ==,
                   CN_RETENTION_BATCH + 10);
  /* The search index holds exactly the live rows left (a search for a word
   * every row has counts them). */
  g_assert_cmpint (count_search (f, "bulk"), ==,
                   query_int (f, "SELECT count(*) FROM call_logs WHERE deleted = 0"));
  g_assert_cmpint (query_int (f, "SELECT sum(live) FROM call_log_counts"), ==,
                   query_int (f, "SELECT count(*) FROM call_logs WHERE deleted = 0"));
}

static void
test_cancelled (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) uuids = store_test_bulk_insert (f->db, 10, f->now - 400 * DAY, 1);
  g_autoptr(GError) error = NULL;
  guint purged = 99;

  g_assert_cmpint (sqlite3_exec (cn_database_get_handle (f->db),
                                 "UPDATE call_logs SET backend_id = 'b'", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  g_cancellable_cancel (cancellable);
  g_assert_false (cn_database_purge_synced_before (f->db, f->now, cancellable, &purged, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (purged, ==, 0);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM call_logs"), ==, 10);
}

/* An editor has an old synced log open with nothing typed (no draft): the
 * app's hold keeps it through a purge; released, the next purge takes it.
 * Holds count: two holders, one release, still kept. */
static void
test_held_log_kept (Fixture       *f,
                    gconstpointer  data)
{
  gint64 old = f->now - 100 * DAY;
  gint64 cutoff = cn_retention_cutoff (f->now, 30);
  g_autofree char *held = save (f, "heldold", old, CN_SYNC_TARGET_BACKEND, 0);
  g_autofree char *other = save (f, "otherold", old + 1, CN_SYNC_TARGET_BACKEND, 0);
  g_autoptr(GError) error = NULL;
  guint purged = 99;

  sync_jobs (f, NULL, NULL);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM drafts"), ==, 0);

  cn_database_hold_call (f->db, held);
  cn_database_hold_call (f->db, held);
  /* A new call's logger holds a UUID no log has: harmless. */
  cn_database_hold_call (f->db, "00000000-0000-4000-8000-000000000000");
  g_assert_true (cn_database_is_call_held (f->db, held));
  g_assert_false (cn_database_is_call_held (f->db, other));

  g_assert_true (cn_database_purge_synced_before (f->db, cutoff, NULL, &purged, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (purged, ==, 1);
  g_assert_true (exists (f, held));
  g_assert_false (exists (f, other));
  g_assert_cmpuint (count_search (f, "heldold"), ==, 1);

  /* One of two holders let go: still held. */
  cn_database_release_call (f->db, held);
  g_assert_true (cn_database_is_call_held (f->db, held));
  g_assert_true (cn_database_purge_synced_before (f->db, cutoff, NULL, &purged, &error));
  g_assert_cmpuint (purged, ==, 0);
  g_assert_true (exists (f, held));

  /* The editor closed: the next purge takes it. */
  cn_database_release_call (f->db, held);
  g_assert_false (cn_database_is_call_held (f->db, held));
  g_assert_true (cn_database_purge_synced_before (f->db, cutoff, NULL, &purged, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (purged, ==, 1);
  g_assert_false (exists (f, held));
  g_assert_cmpuint (count_search (f, "heldold"), ==, 0);
  cn_database_release_call (f->db, "00000000-0000-4000-8000-000000000000");
}

/* Held logs spread over more than one batch (first, last, either side of
 * a batch edge) are skipped and the rest go. */
static void
test_held_among_batches (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) uuids = store_test_bulk_insert (f->db, 2 * CN_RETENTION_BATCH + 7,
                                                       f->now - 400 * DAY, 1);
  guint picks[] = { 0, CN_RETENTION_BATCH - 1, CN_RETENTION_BATCH, uuids->len - 1 };
  g_autoptr(GError) error = NULL;
  guint purged = 0;

  g_assert_cmpint (sqlite3_exec (cn_database_get_handle (f->db),
                                 "UPDATE call_logs SET backend_id = 'b' || id", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  for (guint i = 0; i < G_N_ELEMENTS (picks); i++)
    cn_database_hold_call (f->db, uuids->pdata[picks[i]]);

  g_assert_true (cn_database_purge_synced_before (f->db, cn_retention_cutoff (f->now, 30), NULL,
                                                  &purged, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (purged, ==, uuids->len - G_N_ELEMENTS (picks));
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM call_logs"), ==, G_N_ELEMENTS (picks));
  for (guint i = 0; i < G_N_ELEMENTS (picks); i++)
    {
      g_assert_true (exists (f, uuids->pdata[picks[i]]));
      cn_database_release_call (f->db, uuids->pdata[picks[i]]);
    }
}

/* Holds taken while a purge runs on another thread, as the app takes one
 * when the agent opens an editor: a log still there once its hold was
 * taken is never purged under it, also by the batch under way then. */
static void
test_held_while_purging (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) uuids = store_test_bulk_insert (f->db, 8 * CN_RETENTION_BATCH,
                                                       f->now - 400 * DAY, 1);
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();
  guint purged = G_MAXUINT;
  guint n_tries = 0;

  g_assert_cmpint (sqlite3_exec (cn_database_get_handle (f->db),
                                 "UPDATE call_logs SET backend_id = 'b' || id", NULL, NULL, NULL),
                   ==, SQLITE_OK);

  cn_database_purge_synced_before_async (f->db, cn_retention_cutoff (f->now, 30), NULL,
                                         on_purged, &purged);
  /* Newest first is the purge's order too: the holds race its batches. */
  for (gint i = uuids->len - 1; i >= 0 && purged == G_MAXUINT; i -= 7)
    {
      const char *uuid = uuids->pdata[i];
      g_autoptr(CnCallLog) log = NULL;

      cn_database_hold_call (f->db, uuid);
      log = cn_database_get_call (f->db, uuid, NULL);
      if (log != NULL)
        g_ptr_array_add (kept, (gpointer) uuid);
      else
        cn_database_release_call (f->db, uuid);
      n_tries++;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (200);
    }
  while (purged == G_MAXUINT)
    g_main_context_iteration (NULL, TRUE);

  g_test_message ("%u holds taken during the purge, %u on logs still there", n_tries, kept->len);
  g_assert_cmpuint (kept->len, >, 0);
  for (guint i = 0; i < kept->len; i++)
    {
      g_assert_true (exists (f, kept->pdata[i]));
      cn_database_release_call (f->db, kept->pdata[i]);
    }
  g_assert_cmpuint (purged + kept->len, ==, uuids->len);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/retention/only-synced-old-logs", Fixture, NULL, set_up,
              test_only_synced_old_logs, tear_down);
  g_test_add ("/retention/keep-for-ever", Fixture, NULL, set_up, test_keep_for_ever, tear_down);
  g_test_add ("/retention/many-in-batches", Fixture, NULL, set_up, test_many_in_batches,
              tear_down);
  g_test_add ("/retention/cancelled", Fixture, NULL, set_up, test_cancelled, tear_down);
  g_test_add ("/retention/held-log-kept", Fixture, NULL, set_up, test_held_log_kept, tear_down);
  g_test_add ("/retention/held-among-batches", Fixture, NULL, set_up, test_held_among_batches,
              tear_down);
  g_test_add ("/retention/held-while-purging", Fixture, NULL, set_up, test_held_while_purging,
              tear_down);

  return g_test_run ();
}
