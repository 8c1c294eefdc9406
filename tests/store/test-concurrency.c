/* test-concurrency.c: several processes opening one database at once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The app and any number of `callnotes log` processes may open the same file
 * at the same moment, also before it exists. None of them may fail, and none
 * may take a healthy database for a damaged one and move it aside. And while
 * a save waits for another process's write lock, reads are not held up.
 */
#define G_LOG_DOMAIN "test-concurrency"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cn-call-log-model.h"
#include "store-test-util.h"

#define N_CHILDREN     8
#define N_ROUNDS       30
#define WAL_SECONDS    4

/* Children */

typedef int (*ChildFunc) (guint    index,
                          gpointer data);

typedef struct {
  GPid  pids[N_CHILDREN];
  guint n_children;
  int   results_fd;   /* read end: what the children print, one line each */
} Children;

/* Forks @n children that all wait on one pipe, then lets them go together, so
 * they really race. The parent holds no SQLite connection across fork(). */
static void
children_start (Children  *children,
                guint      n,
                ChildFunc  func,
                gpointer   data)
{
  int barrier[2];
  int results[2];

  g_assert_cmpuint (n, <=, N_CHILDREN);
  g_assert_no_errno (pipe (barrier));
  g_assert_no_errno (pipe (results));

  children->n_children = n;
  for (guint i = 0; i < n; i++)
    {
      GPid pid = fork ();

      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          char c;
          ssize_t n_read;
          int status;

          close (barrier[1]);
          close (results[0]);
          do
            n_read = read (barrier[0], &c, 1);
          while (n_read < 0 && errno == EINTR);
          close (barrier[0]);

          /* The global random state was copied from the parent; new UUIDs
           * must differ from the other children's. */
          {
            g_autofree char *seed = g_strdup_printf ("%d %u %" G_GINT64_FORMAT, (int) getpid (),
                                                     i, g_get_real_time ());

            g_random_set_seed (g_str_hash (seed));
          }

          /* The child's own result line goes through the pipe. */
          if (dup2 (results[1], STDOUT_FILENO) < 0)
            _exit (90);
          close (results[1]);

          status = func (i, data);
          fflush (stdout);
          _exit (status);
        }
      children->pids[i] = pid;
    }

  close (barrier[0]);
  close (results[1]);
  children->results_fd = results[0];

  /* Go. */
  close (barrier[1]);
}

/* Waits for all children, fails the test if any did not exit 0, and returns
 * what they printed. */
static char *
children_finish (Children *children)
{
  g_autoptr(GString) out = g_string_new (NULL);
  char buffer[512];
  ssize_t n_read;

  while ((n_read = read (children->results_fd, buffer, sizeof buffer)) != 0)
    {
      if (n_read < 0)
        {
          g_assert_cmpint (errno, ==, EINTR);
          continue;
        }
      g_string_append_len (out, buffer, n_read);
    }
  close (children->results_fd);

  for (guint i = 0; i < children->n_children; i++)
    {
      int status = 0;

      while (waitpid (children->pids[i], &status, 0) < 0)
        g_assert_cmpint (errno, ==, EINTR);

      if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
        g_error ("child %u failed (wait status 0x%x); see its messages above", i, status);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
assert_nothing_moved_aside (const char *folder_path)
{
  g_autoptr(GDir) folder = g_dir_open (folder_path, 0, NULL);
  const char *name;

  g_assert_nonnull (folder);
  while ((name = g_dir_read_name (folder)) != NULL)
    if (strstr (name, ".corrupt-") != NULL)
      g_error ("a healthy database was moved aside as %s", name);
}

/* Opens @path as the app or the command line would; prints why not. */
static CnDatabase *
child_open (guint       index,
            const char *path)
{
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GError) error = NULL;

  db = cn_database_open (path, &error);
  if (db == NULL)
    {
      g_printerr ("child %u: opening failed: %s\n", index, error->message);
      return NULL;
    }

  if (cn_database_get_moved_aside_path (db) != NULL)
    {
      g_printerr ("child %u: moved the database aside to %s\n", index,
                  cn_database_get_moved_aside_path (db));
      return NULL;
    }

  return g_steal_pointer (&db);
}

static gboolean
child_log (guint       index,
           CnDatabase *db,
           const char *notes)
{
  g_autoptr(CnCallLog) log = store_test_make_log ("+15551234567", "Racer", notes,
                                                  CN_OUTCOME_CONNECTED, 0);
  g_autoptr(GError) error = NULL;

  if (!cn_database_insert_call (db, log, NULL, 0, &error))
    {
      g_printerr ("child %u: saving failed: %s\n", index, error->message);
      return FALSE;
    }

  return TRUE;
}

/* Many processes create one database */

static int
create_and_log (guint    index,
                gpointer data)
{
  const char *path = data;
  g_autoptr(CnDatabase) db = child_open (index, path);
  g_autofree char *notes = g_strdup_printf ("child %u", index);

  if (db == NULL)
    return 1;
  if (!child_log (index, db, notes))
    return 2;

  return 0;
}

static void
test_create_race (void)
{
  for (guint round = 0; round < N_ROUNDS; round++)
    {
      StoreTestDir dir;
      g_autoptr(CnDatabase) db = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      Children children;

      store_test_dir_init (&dir);

      children_start (&children, N_CHILDREN, create_and_log, dir.path);
      out = children_finish (&children);

      assert_nothing_moved_aside (dir.dir);
      g_assert_cmpint (store_test_file_user_version (dir.path), ==, CN_DATABASE_SCHEMA_VERSION);

      db = cn_database_open (dir.path, &error);
      g_assert_no_error (error);
      g_assert_null (cn_database_get_moved_aside_path (db));
      g_assert_cmpuint (cn_database_count_calls (db, NULL, NULL), ==, N_CHILDREN);
      g_clear_object (&db);

      assert_nothing_moved_aside (dir.dir);
      store_test_dir_clear (&dir);
    }
}

/* Opening while another process writes */

typedef struct {
  const char *path;
  gint64      until;    /* monotonic µs */
} WalRace;

/* The app: keeps the database open with commits that are only in the WAL
 * (no automatic checkpoints), and now and then checkpoints by hand, cuts a
 * checkpoint short behind an older reader, or closes (which checkpoints and
 * removes the WAL) and opens again. Prints how many logs it saved. */
static int
hold_and_write (guint    index,
                gpointer data)
{
  WalRace *race = data;
  guint n_saved = 0;
  guint cycle = 0;

  while (g_get_monotonic_time () < race->until)
    {
      g_autoptr(CnDatabase) db = child_open (index, race->path);
      sqlite3 *reader = NULL;
      sqlite3 *handle;

      if (db == NULL)
        return 1;

      handle = cn_database_get_handle (db);
      if (sqlite3_exec (handle, "PRAGMA wal_autocheckpoint = 0", NULL, NULL, NULL) != SQLITE_OK)
        return 2;

      /* A reader pinned to an older snapshot stops a checkpoint partway. */
      if (cycle % 2 == 1)
        {
          if (sqlite3_open_v2 (race->path, &reader, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
            return 3;
          sqlite3_busy_timeout (reader, 5000);
          if (sqlite3_exec (reader, "BEGIN; SELECT count(*) FROM call_logs;",
                            NULL, NULL, NULL) != SQLITE_OK)
            {
              g_printerr ("child %u: reader: %s\n", index, sqlite3_errmsg (reader));
              return 4;
            }
        }

      for (guint batch = 0; batch < 4 && g_get_monotonic_time () < race->until; batch++)
        {
          for (guint i = 0; i < 20; i++)
            {
              /* Long notes, so the file grows by many pages. */
              g_autofree char *notes = g_strnfill (1500, 'a' + (n_saved % 26));

              if (!child_log (index, db, notes))
                return 5;
              n_saved++;
            }

          if (batch == 1)
            sqlite3_wal_checkpoint_v2 (handle, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        }

      if (reader != NULL)
        {
          sqlite3_exec (reader, "COMMIT", NULL, NULL, NULL);
          sqlite3_close (reader);
        }
      cycle++;
    }

  g_print ("%u\n", n_saved);
  return 0;
}

/* The command line: opens, saves one log, closes, again and again. */
static int
open_and_log (guint    index,
              gpointer data)
{
  WalRace *race = data;
  guint n_saved = 0;

  while (g_get_monotonic_time () < race->until)
    {
      g_autoptr(CnDatabase) db = child_open (index, race->path);

      if (db == NULL)
        return 1;
      if (!child_log (index, db, "from the command line"))
        return 2;
      n_saved++;
    }

  g_print ("%u\n", n_saved);
  return 0;
}

static int
wal_race_child (guint    index,
                gpointer data)
{
  return index == 0 ? hold_and_write (index, data) : open_and_log (index, data);
}

static void
test_open_during_wal (void)
{
  StoreTestDir dir;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) uuids = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  guint64 expected = 100;
  Children children;
  WalRace race;

  store_test_dir_init (&dir);

  /* An existing database with some history. */
  db = cn_database_open (dir.path, &error);
  g_assert_no_error (error);
  uuids = store_test_bulk_insert (db, 100, 1000, 1);
  g_clear_object (&db);

  race.path = dir.path;
  race.until = g_get_monotonic_time () + WAL_SECONDS * G_USEC_PER_SEC;
  children_start (&children, 4, wal_race_child, &race);
  out = children_finish (&children);

  lines = g_strsplit (g_strstrip (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  for (guint i = 0; lines[i] != NULL; i++)
    expected += g_ascii_strtoull (lines[i], NULL, 10);
  g_test_message ("%" G_GUINT64_FORMAT " logs saved", expected - 100);

  assert_nothing_moved_aside (dir.dir);

  db = cn_database_open (dir.path, &error);
  g_assert_no_error (error);
  g_assert_null (cn_database_get_moved_aside_path (db));
  g_assert_cmpuint (cn_database_count_calls (db, NULL, NULL), ==, expected);
  g_clear_object (&db);

  store_test_dir_clear (&dir);
}

/* The open lock */

typedef struct {
  const char *path;
  CnDatabase *db;
  GError     *error;
} Opener;

static gpointer
opener_thread (gpointer data)
{
  Opener *opener = data;

  opener->db = cn_database_open (opener->path, &opener->error);
  return NULL;
}

static void
test_open_waits_for_lock (void)
{
  StoreTestDir dir;
  g_autofree char *lock_path = NULL;
  Opener opener = { NULL, NULL, NULL };
  GThread *thread;
  gint64 start;
  int fd;

  store_test_dir_init (&dir);

  /* Another process is opening (creating, migrating) the database. */
  lock_path = g_strconcat (dir.path, ".lock", NULL);
  fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_no_errno (flock (fd, LOCK_EX));

  opener.path = dir.path;
  start = g_get_monotonic_time ();
  thread = g_thread_new ("opener", opener_thread, &opener);

  /* It waits, without touching the file. */
  g_usleep (300 * 1000);
  g_assert_false (g_file_test (dir.path, G_FILE_TEST_EXISTS));

  g_assert_no_errno (flock (fd, LOCK_UN));
  g_thread_join (thread);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 300 * 1000);
  g_assert_no_error (opener.error);
  g_assert_nonnull (opener.db);
  g_assert_null (cn_database_get_moved_aside_path (opener.db));
  g_clear_object (&opener.db);
  close (fd);

  store_test_dir_clear (&dir);
}

/* Reading while a save waits for another writer */

/* Far below the 5 s a save may wait for the write lock, far above what a
 * read of a few rows takes even on a slow machine under load. */
#define READ_LIMIT_US  (200 * 1000)
#define BLOCKED_US     (1000 * 1000)

typedef struct {
  CnDatabase *db;
  CnCallLog  *log;
  GError     *error;
  gboolean    saved;
  gint        done;    /* atomic */
} Saver;

static gpointer
saver_thread (gpointer data)
{
  Saver *saver = data;

  saver->saved = cn_database_insert_call (saver->db, saver->log, NULL, 0, &saver->error);
  g_atomic_int_set (&saver->done, 1);
  return NULL;
}

static void
assert_quick (gint64      start,
              const char *what)
{
  gint64 took = g_get_monotonic_time () - start;

  if (took >= READ_LIMIT_US)
    g_error ("%s took %" G_GINT64_FORMAT " ms while a save waited for the write lock",
             what, took / 1000);
}

/* Every read the history window and the logger make on the main thread. */
static void
read_everything (CnDatabase *db,
                 const char *uuid,
                 guint       n_expected)
{
  g_autoptr(GError) error = NULL;
  CnCallQuery search = { "Reader", CN_OUTCOME_NONE };
  gint64 start;

  start = g_get_monotonic_time ();
  g_assert_cmpint (cn_database_get_data_version (db), >=, 0);
  assert_quick (start, "cn_database_get_data_version");

  start = g_get_monotonic_time ();
  {
    g_autoptr(GPtrArray) page = cn_database_query_calls (db, NULL, 0, 50, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (page->len, ==, n_expected);
  }
  assert_quick (start, "cn_database_query_calls");

  start = g_get_monotonic_time ();
  g_assert_cmpuint (cn_database_count_calls (db, &search, &error), ==, n_expected);
  g_assert_no_error (error);
  assert_quick (start, "cn_database_count_calls");

  start = g_get_monotonic_time ();
  {
    g_autoptr(CnCallLog) log = cn_database_get_call (db, uuid, &error);

    g_assert_no_error (error);
    g_assert_nonnull (log);
  }
  assert_quick (start, "cn_database_get_call");

  start = g_get_monotonic_time ();
  {
    g_autoptr(GPtrArray) events = cn_database_list_events (db, uuid, &error);
    g_autoptr(GPtrArray) drafts = cn_database_list_drafts (db, &error);

    g_assert_no_error (error);
    g_assert_nonnull (events);
    g_assert_nonnull (drafts);
  }
  assert_quick (start, "cn_database_list_events and list_drafts");

  /* The history window's model: probe, first page, a search. */
  start = g_get_monotonic_time ();
  {
    g_autoptr(CnCallLogModel) model = cn_call_log_model_new (db);
    g_autoptr(CnCallLog) first = NULL;

    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, n_expected);
    first = g_list_model_get_item (G_LIST_MODEL (model), 0);
    g_assert_nonnull (first);
    cn_call_log_model_reload (model);
    cn_call_log_model_set_search (model, "reader");
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, n_expected);
  }
  assert_quick (start, "the call log model");
}

static void
test_read_during_blocked_write (void)
{
  StoreTestDir dir;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(CnCallLog) first = store_test_make_log ("+15551230000", "Reader One", NULL,
                                                    CN_OUTCOME_CONNECTED, 0);
  g_autoptr(CnCallLog) second = store_test_make_log ("+15551230001", "Reader Two", NULL,
                                                     CN_OUTCOME_BUSY, 0);
  g_autoptr(CnCallLog) found = NULL;
  g_autoptr(GError) error = NULL;
  Saver saver = { NULL, NULL, NULL, FALSE, 0 };
  sqlite3 *other = NULL;
  GThread *thread;
  gint64 blocked_since;
  gint64 version;
  guint n_rounds = 0;

  store_test_dir_init (&dir);
  db = cn_database_open (dir.path, &error);
  g_assert_no_error (error);
  g_assert_true (cn_database_insert_call (db, first, NULL, 0, &error));
  g_assert_no_error (error);

  /* Another process (here: another connection) takes the write lock. */
  g_assert_cmpint (sqlite3_open_v2 (dir.path, &other, SQLITE_OPEN_READWRITE, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);

  /* A save on a worker thread waits for it (SQLite's busy timeout). */
  saver.db = db;
  saver.log = second;
  thread = g_thread_new ("saver", saver_thread, &saver);
  blocked_since = g_get_monotonic_time ();
  g_usleep (100 * 1000);

  /* Meanwhile the main thread reads as usual, and at once. */
  while (g_get_monotonic_time () - blocked_since < BLOCKED_US)
    {
      g_assert_false (g_atomic_int_get (&saver.done));
      read_everything (db, cn_call_log_get_uuid (first), 1);
      n_rounds++;
      g_usleep (20 * 1000);
    }
  g_assert_false (g_atomic_int_get (&saver.done));
  g_test_message ("%u rounds of reads while the save waited", n_rounds);
  version = cn_database_get_data_version (db);

  /* The other writer is done: the save goes through, and reads see it. */
  g_assert_cmpint (sqlite3_exec (other, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  g_thread_join (thread);
  g_assert_no_error (saver.error);
  g_assert_true (saver.saved);

  g_assert_cmpint (cn_database_get_data_version (db), !=, version);
  found = cn_database_get_call (db, cn_call_log_get_uuid (second), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cn_call_log_get_contact_name (found), ==, "Reader Two");
  read_everything (db, cn_call_log_get_uuid (second), 2);

  sqlite3_close (other);
  g_clear_object (&db);
  store_test_dir_clear (&dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/concurrency/create-race", test_create_race);
  g_test_add_func ("/store/concurrency/open-during-wal", test_open_during_wal);
  g_test_add_func ("/store/concurrency/open-waits-for-lock", test_open_waits_for_lock);
  g_test_add_func ("/store/concurrency/read-during-blocked-write",
                   test_read_during_blocked_write);

  return g_test_run ();
}
