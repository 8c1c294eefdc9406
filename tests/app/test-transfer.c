/* test-transfer.c: `callnotes export` and `callnotes import`
 *
 * Runs the real binary ($CALLNOTES_BIN) as a child process with its own
 * empty data folder, like test-cli.c. The round trip fills a database in
 * process with awkward text, exports it, imports it into a new data folder
 * and compares what `show --json` says of every log.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/wait.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cli-test-util.h"
#include "cn-database.h"

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("callnotes-transfer-XXXXXX", &error);
  g_assert_no_error (error);
  f->data_dir = g_build_filename (f->dir, "data", NULL);

  f->envp = cli_test_environ (f->dir, f->data_dir);
}

static void
use_data_dir (Fixture    *f,
              const char *name)
{
  g_free (f->data_dir);
  f->data_dir = g_build_filename (f->dir, name, NULL);
  f->envp = g_environ_setenv (f->envp, "CALLNOTES_DATA_DIR", f->data_dir, TRUE);
}

static void
run_cli (Fixture            *f,
         const char * const *args,
         Result             *r)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *bin = g_getenv ("CALLNOTES_BIN");
  int wait_status = 0;

  g_assert_nonnull (bin);
  g_ptr_array_add (argv, (gpointer) bin);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  result_clear (r);
  g_spawn_sync (NULL, (char **) argv->pdata, f->envp, G_SPAWN_DEFAULT, NULL, NULL, &r->out,
                &r->err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  r->status = WEXITSTATUS (wait_status);
  g_test_message ("%s %s -> %d\n  stderr: %s", args[0], args[1] ? args[1] : "", r->status,
                  r->err);
}

#define RUN(f, r, ...) \
  G_STMT_START { \
    const char *run_args_[] = { __VA_ARGS__, NULL }; \
    run_cli ((f), run_args_, (r)); \
  } G_STMT_END

static char *
write_file (Fixture    *f,
            const char *name,
            const char *contents,
            gssize      len)
{
  char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);
  return path;
}

/* uuid → object of a JSON export. */
static GHashTable *
export_json (Fixture *f)
{
  g_auto(Result) r = { 0 };
  g_autoptr(JsonNode) root = NULL;
  GHashTable *by_uuid = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) json_node_unref);
  JsonArray *array;

  RUN (f, &r, "export", "--format", "json");
  assert_exit (&r, 0);
  root = parse_json (r.out);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      const char *uuid = json_object_get_string_member (json_node_get_object (node), "uuid");

      g_hash_table_insert (by_uuid, g_strdup (uuid), json_node_ref (node));
    }
  return by_uuid;
}

static char *
to_text (JsonNode *node)
{
  return json_to_string (node, TRUE);
}

/* @a and @b with every member but @skip equal. */
static void
assert_same_object (JsonNode   *a,
                    JsonNode   *b,
                    const char *skip)
{
  /* json_node_copy() shares the object: copy through text. */
  g_autofree char *sa = to_text (a);
  g_autofree char *sb = to_text (b);
  g_autoptr(JsonNode) ca = parse_json (sa);
  g_autoptr(JsonNode) cb = parse_json (sb);
  g_autofree char *ta = NULL;
  g_autofree char *tb = NULL;

  if (skip != NULL)
    {
      json_object_remove_member (json_node_get_object (ca), skip);
      json_object_remove_member (json_node_get_object (cb), skip);
    }
  ta = to_text (ca);
  tb = to_text (cb);
  g_assert_cmpstr (ta, ==, tb);
}

/* ---- the round trip ---------------------------------------------------- */

static const char * const awkward[] = {
  "He said \"hi\", then left",
  "comma, comma,, comma",
  "line one\nline two",
  "crlf one\r\ncrlf two",
  "lone cr\rafter",
  "emoji 😀📞👍🏽",
  "שלום عربى mixed RTL",
  "tab\tinside",
  "  leading and trailing  ",
  "\"quoted whole\"",
  "ends with newline\n",
  "O'Brien; <b>not html</b> & 'single'",
};

static void
fill_database (Fixture *f,
               guint    n)
{
  g_autofree char *path = g_build_filename (f->data_dir, "callnotes.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CnDatabase) db = NULL;

  g_mkdir_with_parents (f->data_dir, 0700);
  db = cn_database_open (path, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CnCallLog) log = cn_call_log_new_with_uuid ();
      const char *text = awkward[i % G_N_ELEMENTS (awkward)];
      g_autofree char *phone = g_strdup_printf ("+1555%07u", i);
      g_autofree char *raw = g_strdup_printf (" (555) %07u ", i);
      g_autofree char *name = g_strdup_printf ("%s #%u", awkward[(i + 5) % G_N_ELEMENTS (awkward)],
                                               i);

      if (i % 7 != 3)
        cn_call_log_set_phone (log, phone);
      if (i % 5 == 0)
        cn_call_log_set_phone_raw (log, raw);
      if (i % 3 == 0 || i % 7 == 3)
        cn_call_log_set_contact_id (log, i % 2 ? "crm-42" : "id,with \"quote\"");
      if (i % 4 != 1)
        cn_call_log_set_contact_name (log, name);
      if (i % 9 == 2)
        cn_call_log_set_extension (log, "123");
      if (i % 6 == 4)
        cn_call_log_set_direction (log, "inbound");
      cn_call_log_set_outcome (log, CN_OUTCOME_FIRST + i % 4);
      cn_call_log_set_duration (log, i % 8 == 0 ? -1 : (gint64) i * 7);
      /* Empty and NULL notes too. */
      cn_call_log_set_notes (log, i % 10 == 9 ? NULL : i % 10 == 8 ? "" : text);
      if (i % 4 == 2)
        cn_call_log_set_follow_up (log, 1800000000 + i * 3600);
      cn_call_log_set_created_at (log, 1700000000 + i * 61);
      cn_call_log_set_updated_at (log, 1700000000 + i * 61 + (i % 3));

      g_assert_true (cn_database_insert_call (db, log, NULL, 0, &error));
      g_assert_no_error (error);
    }
}

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autofree char *csv_path = g_build_filename (f->dir, "calls.csv", NULL);
  g_autofree char *csv = NULL;
  g_autofree char *csv_again = NULL;
  g_auto(Result) r = { 0 };
  GHashTableIter iter;
  gpointer key, value;
  guint n_shown = 0;

  fill_database (f, 200);

  RUN (f, &r, "export", "--format", "csv", "-o", csv_path);
  assert_exit (&r, 0);
  assert_contains (r.err, "Exported 200 calls");
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));

  /* The JSON export holds exactly the objects `show --json` prints. */
  before = export_json (f);
  g_assert_cmpuint (g_hash_table_size (before), ==, 200);
  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autoptr(JsonNode) shown = NULL;

      /* Every fifth is enough to show it and keeps the test quick. */
      if (n_shown++ % 5 != 0)
        continue;
      RUN (f, &r, "show", key, "--json");
      assert_exit (&r, 0);
      shown = parse_json (r.out);
      assert_same_object (value, shown, NULL);
    }

  /* Into an empty data folder. */
  use_data_dir (f, "data-2");
  RUN (f, &r, "import", csv_path);
  assert_exit (&r, 0);
  assert_contains (r.out, "200 imported, 0 duplicates skipped, 0 rows with errors");

  after = export_json (f);
  g_assert_cmpuint (g_hash_table_size (after), ==, 200);
  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      JsonNode *imported = g_hash_table_lookup (after, key);
      JsonArray *events;

      g_assert_nonnull (imported);
      /* Import adds an "imported" event; the original "logged" one is not
       * in a CSV file. */
      assert_same_object (value, imported, "events");
      events = json_object_get_array_member (json_node_get_object (imported), "events");
      g_assert_cmpuint (json_array_get_length (events), ==, 1);
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (events, 0),
                                                      "kind"), ==, "imported");
    }

  /* And the CSV written again is the same, byte for byte (updated_at and
   * direction included, which show --json leaves out). */
  {
    g_autofree char *again_path = g_build_filename (f->dir, "again.csv", NULL);

    RUN (f, &r, "export", "-o", again_path);
    assert_exit (&r, 0);
    g_assert_true (g_file_get_contents (again_path, &csv_again, NULL, NULL));
    g_assert_cmpstr (csv_again, ==, csv);
  }

  /* Imported logs are found by search. */
  RUN (f, &r, "export", "--search", "RTL");
  assert_exit (&r, 0);
  assert_contains (r.out, "שלום عربى mixed RTL");
  g_assert_null (strstr (r.out, "emoji"));
}

/* ---- dedupe ------------------------------------------------------------- */

static void
test_dedupe (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *path = write_file (f, "crm.csv",
    "\xef\xbb\xbf" "Phone Number,Disposition,Comments,Called At\r\n"
    "(555) 100-0001,Connected,first,2026-11-02 09:00\r\n"
    "(555) 100-0002,Left voicemail,\"multi\r\nline\",2026-11-02 09:05\r\n"
    /* The same call again in the file, other notes: a duplicate. */
    "555 100 0001,connected,first again,2026-11-02 09:00\r\n"
    /* Same number and time, another outcome: a different call. */
    "(555) 100-0001,Busy,,2026-11-02 09:00\r\n", -1);
  g_autofree char *our_path = g_build_filename (f->dir, "ours.csv", NULL);
  g_auto(Result) r = { 0 };
  g_autoptr(GHashTable) logs = NULL;

  RUN (f, &r, "import", path);
  assert_exit (&r, 0);
  assert_contains (r.out, "3 imported, 1 duplicates skipped, 0 rows with errors");

  /* Re-importing the same file adds nothing. */
  RUN (f, &r, "import", path);
  assert_exit (&r, 0);
  assert_contains (r.out, "0 imported, 4 duplicates skipped, 0 rows with errors");
  logs = export_json (f);
  g_assert_cmpuint (g_hash_table_size (logs), ==, 3);

  /* Our own export re-imported: by UUID. */
  RUN (f, &r, "export", "-o", our_path);
  assert_exit (&r, 0);
  RUN (f, &r, "import", our_path);
  assert_exit (&r, 0);
  assert_contains (r.out, "0 imported, 3 duplicates skipped");
  g_clear_pointer (&logs, g_hash_table_unref);
  logs = export_json (f);
  g_assert_cmpuint (g_hash_table_size (logs), ==, 3);
}

/* A file without times: its rows are told apart by what they say, two
 * identical rows are two calls, and importing it again adds nothing. */
static void
test_dedupe_without_times (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *path = write_file (f, "no-times.csv",
    "Phone,Result,Notes\n"
    "555 200 0001,no answer,\n"
    "555 200 0001,no answer,\n"
    "555 200 0002,connected,\"Wants, a quote\"\n", -1);
  g_autofree char *changed = write_file (f, "no-times-changed.csv",
    "Phone,Result,Notes\n"
    "555 200 0001,no answer,\n"
    "555 200 0001,no answer,\n"
    "555 200 0001,no answer,\n"
    "555 200 0002,connected,\"Wants, a quote.\"\n", -1);
  g_auto(Result) r = { 0 };
  g_autoptr(GHashTable) logs = NULL;

  RUN (f, &r, "import", path);
  assert_exit (&r, 0);
  assert_contains (r.out, "3 imported, 0 duplicates skipped, 0 rows with errors");

  RUN (f, &r, "import", path);
  assert_exit (&r, 0);
  assert_contains (r.out, "0 imported, 3 duplicates skipped, 0 rows with errors");
  logs = export_json (f);
  g_assert_cmpuint (g_hash_table_size (logs), ==, 3);

  /* A third identical row and other notes are new calls. */
  RUN (f, &r, "import", changed);
  assert_exit (&r, 0);
  assert_contains (r.out, "2 imported, 2 duplicates skipped, 0 rows with errors");
  g_clear_pointer (&logs, g_hash_table_unref);
  logs = export_json (f);
  g_assert_cmpuint (g_hash_table_size (logs), ==, 5);
}

/* ---- 10 000 lines, 3 bad ------------------------------------------------- */

static void
test_bad_lines (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GString) csv = g_string_new ("phone,outcome,notes,date\n");
  g_autofree char *path = NULL;
  g_auto(Result) r = { 0 };
  g_auto(GStrv) lines = NULL;
  guint n_rows = 0;

  /* Line 1 is the header; rows are lines 2…10001. */
  for (guint i = 0; i < 10000; i++)
    {
      guint line = i + 2;

      if (line == 17)
        g_string_append (csv, "5551230017,sometimes,bad outcome,2026-11-03 10:00\n");
      else if (line == 5000)
        g_string_append (csv, ",busy,no phone,2026-11-03 10:00\n");
      else if (line == 9999)
        g_string_append (csv, "5551239999,busy,bad date,2026-13-45 10:00\n");
      else
        g_string_append_printf (csv, "555%07u,%s,row %u,2026-11-03 10:%02u\n", i,
                                i % 2 ? "Connected" : "No Answer", i, i % 60);
    }
  path = write_file (f, "big.csv", csv->str, csv->len);

  RUN (f, &r, "import", path);
  assert_exit (&r, 0);
  assert_contains (r.out, "9997 imported, 0 duplicates skipped, 3 rows with errors");
  lines = g_strsplit (r.err, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);   /* three and the empty end */
  g_assert_true (g_str_has_prefix (lines[0], "line 17: "));
  assert_contains (lines[0], "sometimes");
  g_assert_true (g_str_has_prefix (lines[1], "line 5000: "));
  g_assert_true (g_str_has_prefix (lines[2], "line 9999: "));
  assert_contains (lines[2], "2026-13-45");

  RUN (f, &r, "export");
  assert_exit (&r, 0);
  for (const char *p = r.out; (p = strstr (p, "\r\n")) != NULL; p += 2)
    n_rows++;
  g_assert_cmpuint (n_rows, ==, 1 + 9997);
}

/* ---- sync, dry run -------------------------------------------------------- */

static guint
count_queued (Fixture    *f,
              const char *notes_marker)
{
  g_auto(Result) r = { 0 };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GHashTable) logs = export_json (f);
  JsonArray *jobs;
  guint n = 0;

  RUN (f, &r, "queue", "--json");
  assert_exit (&r, 0);
  root = parse_json (r.out);
  jobs = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (jobs); i++)
    {
      const char *uuid = json_object_get_string_member (json_array_get_object_element (jobs, i),
                                                        "uuid");
      JsonNode *log = g_hash_table_lookup (logs, uuid);

      if (log != NULL &&
          g_strcmp0 (json_object_get_string_member (json_node_get_object (log), "notes"),
                     notes_marker) == 0)
        n++;
    }
  return n;
}

static void
test_sync_and_dry_run (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *plain = write_file (f, "a.csv",
                                       "phone,outcome,notes,date\n"
                                       "5551110001,busy,plain,2026-11-04 10:00\n"
                                       "5551110002,busy,plain,2026-11-04 10:01\n", -1);
  g_autofree char *synced = write_file (f, "b.csv",
                                        "phone,outcome,notes,date\n"
                                        "5552220001,busy,synced,2026-11-04 11:00\n"
                                        "5552220002,busy,synced,2026-11-04 11:01\n", -1);
  g_autoptr(GHashTable) logs = NULL;
  g_auto(Result) r = { 0 };

  /* A dry run says what would happen and writes nothing. */
  RUN (f, &r, "import", "--dry-run", plain);
  assert_exit (&r, 0);
  assert_contains (r.out, "2 imported, 0 duplicates skipped, 0 rows with errors");
  assert_contains (r.out, "dry run");
  logs = export_json (f);
  g_assert_cmpuint (g_hash_table_size (logs), ==, 0);

  /* A logged call is queued (the backend is on by default)… */
  RUN (f, &r, "log", "--phone", "5553330000", "--outcome", "busy", "--notes", "logged");
  assert_exit (&r, 0);
  g_assert_cmpuint (count_queued (f, "logged"), ==, 1);

  /* …imported ones only with --sync. */
  RUN (f, &r, "import", plain);
  assert_exit (&r, 0);
  g_assert_cmpuint (count_queued (f, "plain"), ==, 0);
  RUN (f, &r, "import", "--sync", synced);
  assert_exit (&r, 0);
  g_assert_cmpuint (count_queued (f, "synced"), ==, 2);
}

/* ---- usage and errors --------------------------------------------------- */

static void
test_usage (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *foreign = write_file (f, "foreign.csv", "Name,Result\nDana,busy\n", -1);
  g_autofree char *unterminated = write_file (f, "broken.csv",
                                              "phone,outcome\n5551,busy\n\"5552,busy\n", -1);
  g_autofree char *missing_dir = g_build_filename (f->dir, "no-such-dir", "out.csv", NULL);
  g_auto(Result) r = { 0 };

  RUN (f, &r, "export", "--format", "xml");
  assert_exit (&r, 2);
  RUN (f, &r, "export", "--since", "last tuesday");
  assert_exit (&r, 2);
  RUN (f, &r, "export", "--colour");
  assert_exit (&r, 2);
  RUN (f, &r, "import");
  assert_exit (&r, 2);
  RUN (f, &r, "import", "--bogus", foreign);
  assert_exit (&r, 2);

  /* A foreign header without a phone column: what is missing and how to
   * say it. */
  RUN (f, &r, "import", foreign);
  assert_exit (&r, 2);
  assert_contains (r.err, "phone");
  assert_contains (r.err, "“Name”");
  assert_contains (r.err, "--map");
  RUN (f, &r, "import", "--map", "phone=Name", foreign);
  assert_exit (&r, 1);   /* "Dana" is no number: the one row has an error */
  assert_contains (r.err, "line 2: ");
  RUN (f, &r, "import", "--map", "phone=Nope", foreign);
  assert_exit (&r, 2);

  /* Runtime errors: 1, and nothing half done. */
  RUN (f, &r, "import", "/nonexistent/calls.csv");
  assert_exit (&r, 1);
  RUN (f, &r, "import", unterminated);
  assert_exit (&r, 1);
  assert_contains (r.err, "line 3");
  {
    g_autoptr(GHashTable) logs = export_json (f);
    g_assert_cmpuint (g_hash_table_size (logs), ==, 0);
  }
  RUN (f, &r, "export", "-o", missing_dir);
  assert_exit (&r, 1);
  g_assert_false (g_file_test (missing_dir, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/transfer/round-trip", test_round_trip);
  ADD ("/transfer/dedupe", test_dedupe);
  ADD ("/transfer/dedupe-without-times", test_dedupe_without_times);
  ADD ("/transfer/bad-lines", test_bad_lines);
  ADD ("/transfer/sync-and-dry-run", test_sync_and_dry_run);
  ADD ("/transfer/usage", test_usage);
#undef ADD

  return g_test_run ();
}
