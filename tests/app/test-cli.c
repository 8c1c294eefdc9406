/* test-cli.c: the headless command line (`callnotes log`, `list`, `show`)
 *
 * Every test runs the real binary ($CALLNOTES_BIN) as a child process, without
 * a shell, with its own empty data folder and without DISPLAY or
 * WAYLAND_DISPLAY: a verb that initialised GTK would fail here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "cli-test-util.h"
#include "cn-database.h"

#define NEW_YORK "America/New_York"

static const char *
callnotes_bin (void)
{
  const char *bin = g_getenv ("CALLNOTES_BIN");

  if (bin == NULL || !g_file_test (bin, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("CALLNOTES_BIN must name the built callnotes binary (got “%s”)",
             bin ? bin : "(unset)");

  return bin;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("callnotes-cli-XXXXXX", &error);
  g_assert_no_error (error);

  f->data_dir = g_build_filename (f->dir, "data", NULL);

  f->envp = cli_test_environ (f->dir, f->data_dir);
}

static char **
build_argv (const char * const *args)
{
  GPtrArray *argv = g_ptr_array_new ();

  g_ptr_array_add (argv, g_strdup (callnotes_bin ()));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  return (char **) g_ptr_array_free (argv, FALSE);
}

static char *
describe_args (const char * const *args)
{
  GString *s = g_string_new ("callnotes");

  for (guint i = 0; args[i] != NULL; i++)
    {
      g_autofree char *shown = g_strescape (args[i], NULL);

      if (strlen (shown) > 60)
        strcpy (shown + 57, "...");
      g_string_append_printf (s, " \"%s\"", shown);
    }

  return g_string_free (s, FALSE);
}

/* Runs callnotes with @args (NULL-terminated) in @f's environment. */
static void
run_cli (Fixture            *f,
         const char * const *args,
         Result             *r)
{
  g_auto(GStrv) argv = build_argv (args);
  g_autoptr(GError) error = NULL;
  g_autofree char *what = describe_args (args);
  int wait_status = 0;

  result_clear (r);
  g_spawn_sync (NULL, argv, f->envp, G_SPAWN_DEFAULT, NULL, NULL, &r->out, &r->err,
                &wait_status, &error);
  g_assert_no_error (error);

  if (!WIFEXITED (wait_status))
    g_error ("%s was killed by signal %d; stderr: %s", what, WTERMSIG (wait_status), r->err);

  r->status = WEXITSTATUS (wait_status);
  g_test_message ("%s -> %d\n  stdout: %s  stderr: %s", what, r->status, r->out, r->err);
}

#define RUN(f, r, ...) \
  G_STMT_START { \
    const char *run_args_[] = { __VA_ARGS__, NULL }; \
    run_cli ((f), run_args_, (r)); \
  } G_STMT_END

/* Exactly one non-empty line on stderr. */
static void
assert_one_line (const char *text)
{
  const char *newline = strchr (text, '\n');

  if (newline == NULL || newline[1] != '\0' || newline == text)
    g_error ("expected exactly one line on stderr, got “%s”", text);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  /* A line a person can read, not a dump of what they typed. */
  g_assert_cmpuint (strlen (text), <, 400);
}

/* Logs a call, checks the output is one UUID and returns it. */
static char *
log_call (Fixture            *f,
          const char * const *args)
{
  g_autoptr(GPtrArray) full = g_ptr_array_new ();
  g_auto(Result) r = { 0 };
  char *uuid;

  g_ptr_array_add (full, (gpointer) "log");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (full, (gpointer) args[i]);
  g_ptr_array_add (full, NULL);

  run_cli (f, (const char * const *) full->pdata, &r);
  assert_exit (&r, 0);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_true (g_str_has_suffix (r.out, "\n"));

  uuid = g_strndup (r.out, strlen (r.out) - 1);
  if (!g_uuid_string_is_valid (uuid))
    g_error ("log printed “%s”, not a UUID", r.out);

  return uuid;
}

#define LOG(f, ...) \
  ({ \
    const char *log_args_[] = { __VA_ARGS__, NULL }; \
    log_call ((f), log_args_); \
  })

static JsonNode *
show_json (Fixture    *f,
           const char *uuid)
{
  g_auto(Result) r = { 0 };
  JsonNode *node;

  RUN (f, &r, "show", uuid, "--json");
  assert_exit (&r, 0);
  g_assert_cmpstr (r.err, ==, "");

  node = parse_json (r.out);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return node;
}

/* `list --json` plus @args; returns the array's UUIDs in order. */
static GPtrArray *
list_uuids (Fixture            *f,
            const char * const *args)
{
  g_autoptr(GPtrArray) full = g_ptr_array_new ();
  g_auto(Result) r = { 0 };
  g_autoptr(JsonNode) root = NULL;
  GPtrArray *uuids = g_ptr_array_new_with_free_func (g_free);
  JsonArray *array;

  g_ptr_array_add (full, (gpointer) "list");
  g_ptr_array_add (full, (gpointer) "--json");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (full, (gpointer) args[i]);
  g_ptr_array_add (full, NULL);

  run_cli (f, (const char * const *) full->pdata, &r);
  assert_exit (&r, 0);
  g_assert_cmpstr (r.err, ==, "");

  root = parse_json (r.out);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  array = json_node_get_array (root);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);

      g_assert_nonnull (object);
      g_assert_true (json_object_has_member (object, "uuid"));
      g_ptr_array_add (uuids, g_strdup (json_object_get_string_member (object, "uuid")));
    }

  return uuids;
}

#define LIST(f, ...) \
  ({ \
    const char *list_args_[] = { __VA_ARGS__, NULL }; \
    list_uuids ((f), list_args_); \
  })

/* The list holds exactly these UUIDs in this order (NULL-terminated). */
static void
assert_uuids (GPtrArray *got,
              ...)
{
  va_list args;
  const char *expected;
  guint i = 0;

  va_start (args, got);
  while ((expected = va_arg (args, const char *)) != NULL)
    {
      if (i >= got->len)
        g_error ("list has %u entries, expected more (missing %s)", got->len, expected);
      g_assert_cmpstr (g_ptr_array_index (got, i), ==, expected);
      i++;
    }
  va_end (args);

  g_assert_cmpuint (got->len, ==, i);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node;

  if (!json_object_has_member (object, name))
    g_error ("the JSON has no “%s” member", name);
  node = json_object_get_member (object, name);
  if (JSON_NODE_HOLDS_NULL (node))
    return NULL;
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_STRING);

  return json_node_get_string (node);
}

static gboolean
member_is_null (JsonObject *object,
                const char *name)
{
  if (!json_object_has_member (object, name))
    g_error ("the JSON has no “%s” member", name);

  return JSON_NODE_HOLDS_NULL (json_object_get_member (object, name));
}

static gint64
parse_utc (const char *text)
{
  g_autoptr(GDateTime) dt = NULL;

  g_assert_nonnull (text);
  g_assert_true (g_str_has_suffix (text, "Z"));
  dt = g_date_time_new_from_iso8601 (text, NULL);
  if (dt == NULL)
    g_error ("“%s” is not ISO 8601", text);

  return g_date_time_to_unix (dt);
}

/* ---- log + show ---------------------------------------------------------- */

static void
test_log_then_show_every_field (Fixture       *f,
                                gconstpointer  data)
{
  const char *notes = "First line\n\"Call me back\", she said — it's urgent 📞🙂\n\ttabbed; $(not run)";
  g_autofree char *uuid = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  JsonArray *events;
  gboolean logged = FALSE;
  gint64 before, after, created;

  before = g_get_real_time () / G_USEC_PER_SEC;
  uuid = LOG (f, "--phone", "+1 (555) 123-4567", "--outcome", "connected",
              "--contact-id", "ont-4711", "--contact-name", "Ada Lovelace",
              "--notes", notes, "--duration", "2:15",
              "--follow-up", "2026-11-23T09:00");
  after = g_get_real_time () / G_USEC_PER_SEC;

  root = show_json (f, uuid);
  object = json_node_get_object (root);

  g_assert_cmpstr (member_string (object, "uuid"), ==, uuid);
  g_assert_cmpstr (member_string (object, "phone"), ==, "+15551234567");
  g_assert_cmpstr (member_string (object, "phone_raw"), ==, "+1 (555) 123-4567");
  g_assert_true (member_is_null (object, "extension"));
  g_assert_cmpstr (member_string (object, "contact_id"), ==, "ont-4711");
  g_assert_cmpstr (member_string (object, "contact_name"), ==, "Ada Lovelace");
  g_assert_cmpstr (member_string (object, "outcome"), ==, "connected");
  g_assert_cmpint (json_object_get_int_member (object, "duration_seconds"), ==, 135);
  g_assert_cmpstr (member_string (object, "notes"), ==, notes);
  /* 09:00 in New York in November (EST, UTC-5). */
  g_assert_cmpstr (member_string (object, "follow_up_date"), ==, "2026-11-23T14:00:00Z");

  created = parse_utc (member_string (object, "created_at"));
  g_assert_cmpint (created, >=, before - 1);
  g_assert_cmpint (created, <=, after + 1);

  g_assert_true (json_object_has_member (object, "events"));
  events = json_object_get_array_member (object, "events");
  g_assert_nonnull (events);
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);

      if (g_strcmp0 (member_string (event, "kind"), "logged") == 0)
        {
          logged = TRUE;
          g_assert_cmpint (parse_utc (member_string (event, "at")), >=, before - 1);
        }
    }
  g_assert_true (logged);
}

static void
test_show_human_readable (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *uuid = NULL;
  g_auto(Result) r = { 0 };

  uuid = LOG (f, "--phone", "+1 (555) 123-4567", "--outcome", "busy",
              "--contact-name", "Ada Lovelace", "--notes", "ring again",
              "--follow-up", "2026-11-23T09:00");

  RUN (f, &r, "show", uuid);
  assert_exit (&r, 0);
  g_assert_cmpstr (r.err, ==, "");
  assert_contains (r.out, uuid);
  assert_contains (r.out, "Ada Lovelace");
  assert_contains (r.out, "+15551234567");
  assert_contains (r.out, "ring again");
  /* People read the follow-up in their own time zone. */
  assert_contains (r.out, "2026-11-23 09:00");
  assert_contains (r.out, "logged");
}

static void
test_follow_up_time_zones (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *summer = NULL;
  g_autofree char *berlin = NULL;
  g_autoptr(JsonNode) summer_json = NULL;
  g_autoptr(JsonNode) berlin_json = NULL;

  /* Daylight saving time: 09:00 EDT is 13:00 UTC. */
  summer = LOG (f, "--phone", "+15551234567", "--outcome", "voicemail",
                "--follow-up", "2026-07-01T09:00");
  summer_json = show_json (f, summer);
  g_assert_cmpstr (member_string (json_node_get_object (summer_json), "follow_up_date"), ==,
                   "2026-07-01T13:00:00Z");

  /* The child's own zone decides, not a fixed offset. */
  f->envp = g_environ_setenv (f->envp, "TZ", "Europe/Berlin", TRUE);
  berlin = LOG (f, "--phone", "+15551234567", "--outcome", "voicemail",
                "--follow-up", "2026-11-23 09:00");
  berlin_json = show_json (f, berlin);
  g_assert_cmpstr (member_string (json_node_get_object (berlin_json), "follow_up_date"), ==,
                   "2026-11-23T08:00:00Z");
}

static void
test_log_without_optional_fields (Fixture       *f,
                                  gconstpointer  data)
{
  g_autofree char *uuid = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  const char *notes;

  uuid = LOG (f, "--phone", "+44 20 7946 0958", "--outcome", "no_answer");
  root = show_json (f, uuid);
  object = json_node_get_object (root);

  g_assert_cmpstr (member_string (object, "phone"), ==, "+442079460958");
  g_assert_cmpstr (member_string (object, "outcome"), ==, "no_answer");
  g_assert_true (member_is_null (object, "contact_id"));
  g_assert_true (member_is_null (object, "contact_name"));
  g_assert_true (member_is_null (object, "duration_seconds"));
  g_assert_true (member_is_null (object, "follow_up_date"));
  notes = member_string (object, "notes");
  g_assert_true (notes == NULL || *notes == '\0');
  g_assert_nonnull (member_string (object, "created_at"));
}

static void
test_log_tel_uri (Fixture       *f,
                  gconstpointer  data)
{
  const char *uri = "tel:+1-555-123-4567;ext=89;x-contact-id=C-7;x-contact-name=Grace%20Hopper";
  g_autofree char *uuid = NULL;
  g_autofree char *override = NULL;
  g_autofree char *callto = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) override_root = NULL;
  g_autoptr(JsonNode) callto_root = NULL;
  JsonObject *object;

  uuid = LOG (f, "--phone", uri, "--outcome", "voicemail");
  root = show_json (f, uuid);
  object = json_node_get_object (root);

  g_assert_cmpstr (member_string (object, "phone"), ==, "+15551234567");
  g_assert_cmpstr (member_string (object, "phone_raw"), ==, uri);
  g_assert_cmpstr (member_string (object, "extension"), ==, "89");
  g_assert_cmpstr (member_string (object, "contact_id"), ==, "C-7");
  g_assert_cmpstr (member_string (object, "contact_name"), ==, "Grace Hopper");
  g_assert_cmpstr (member_string (object, "outcome"), ==, "voicemail");

  /* What the person typed wins over what the link suggested. */
  override = LOG (f, "--phone", uri, "--outcome", "busy", "--contact-name", "G. Hopper");
  override_root = show_json (f, override);
  object = json_node_get_object (override_root);
  g_assert_cmpstr (member_string (object, "contact_name"), ==, "G. Hopper");
  g_assert_cmpstr (member_string (object, "contact_id"), ==, "C-7");

  callto = LOG (f, "--phone", "callto:+4930123456", "--outcome", "connected");
  callto_root = show_json (f, callto);
  object = json_node_get_object (callto_root);
  g_assert_cmpstr (member_string (object, "phone"), ==, "+4930123456");
}

static void
test_log_default_country_code (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *config = g_build_filename (f->dir, "config", NULL);
  g_autofree char *settings_dir = g_build_filename (config, "glib-2.0", "settings", NULL);
  g_autofree char *keyfile = g_build_filename (settings_dir, "keyfile", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *plain = NULL;
  g_autofree char *completed = NULL;
  g_autoptr(JsonNode) plain_json = NULL;
  g_autoptr(JsonNode) completed_json = NULL;
  JsonObject *object;

  /* No country code set: a national number stays as typed (digits only). */
  plain = LOG (f, "--phone", "030 1234567", "--outcome", "connected");
  plain_json = show_json (f, plain);
  object = json_node_get_object (plain_json);
  g_assert_cmpstr (member_string (object, "phone"), ==, "0301234567");

  /* With default-country-code=49 the number becomes E.164. */
  g_assert_cmpint (g_mkdir_with_parents (settings_dir, 0700), ==, 0);
  g_file_set_contents (keyfile,
                       "[io/github/callnotes/Callnotes]\ndefault-country-code='49'\n", -1,
                       &error);
  g_assert_no_error (error);
  f->envp = g_environ_setenv (f->envp, "GSETTINGS_BACKEND", "keyfile", TRUE);

  completed = LOG (f, "--phone", "030 1234567", "--outcome", "connected");
  completed_json = show_json (f, completed);
  object = json_node_get_object (completed_json);
  g_assert_cmpstr (member_string (object, "phone"), ==, "+49301234567");
  g_assert_cmpstr (member_string (object, "phone_raw"), ==, "030 1234567");
}

/* ---- list ---------------------------------------------------------------- */

static void
test_list (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *alice = NULL;
  g_autofree char *bob = NULL;
  g_autofree char *london = NULL;
  g_autoptr(GPtrArray) got = NULL;
  g_autofree char *short_london = NULL;
  g_auto(Result) r = { 0 };
  g_auto(GStrv) lines = NULL;

  /* Empty at first, in both forms. */
  got = LIST (f, NULL);
  assert_uuids (got, NULL);
  g_clear_pointer (&got, g_ptr_array_unref);
  RUN (f, &r, "list");
  assert_exit (&r, 0);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_cmpstr (r.out, !=, "");

  alice = LOG (f, "--phone", "+15550000001", "--outcome", "connected",
               "--contact-name", "Alice Smith", "--notes", "Pricing question about the Pro plan");
  bob = LOG (f, "--phone", "+15550000002", "--outcome", "busy",
             "--contact-name", "Bob Jones", "--contact-id", "crm-99", "--notes", "left early");
  london = LOG (f, "--phone", "+44 20 7946 0958", "--outcome", "voicemail",
                "--notes", "Renewal pricing, call back Monday");

  /* Newest first. */
  got = LIST (f, NULL);
  assert_uuids (got, london, bob, alice, NULL);
  g_clear_pointer (&got, g_ptr_array_unref);

  got = LIST (f, "--limit", "2");
  assert_uuids (got, london, bob, NULL);
  g_clear_pointer (&got, g_ptr_array_unref);

  got = LIST (f, "--limit", "1");
  assert_uuids (got, london, NULL);
  g_clear_pointer (&got, g_ptr_array_unref);

  got = LIST (f, "--limit", "100");
  assert_uuids (got, london, bob, alice, NULL);
  g_clear_pointer (&got, g_ptr_array_unref);

  /* Search in notes (a word and a prefix, any case). */
  got = LIST (f, "--search", "pricing");
  assert_uuids (got, london, alice, NULL);
  g_clear_pointer (&got, g_ptr_array_unref);

  got = LIST (f, "--search", "PRIC");
  assert_uuids (got, london, alice, NULL);
  g_clear_pointer (&got, g_ptr_array_unref);

  /* Every word must match. */
  got = LIST (f, "--search", "pricing monday");
  assert_uuids (got, london, NULL);
  g_clear_pointer (&got, g_ptr_array_unref);

  /* Contact name and id. */
  got = LIST (f, "--search", "bob");
  assert_uuids (got, bob, NULL);
  g_clear_pointer (&got, g_ptr_array_unref);

  got = LIST (f, "--search", "smith");
  assert_uuids (got, alice, NULL);
  g_clear_pointer (&got, g_ptr_array_unref);

  got = LIST (f, "--search", "crm-99");
  assert_uuids (got, bob, NULL);
  g_clear_pointer (&got, g_ptr_array_unref);

  /* The number, as stored and as typed. */
  got = LIST (f, "--search", "+15550000002");
  assert_uuids (got, bob, NULL);
  g_clear_pointer (&got, g_ptr_array_unref);

  got = LIST (f, "--search", "7946 0958");
  assert_uuids (got, london, NULL);
  g_clear_pointer (&got, g_ptr_array_unref);

  /* Characters that mean something to a search engine are plain text. */
  got = LIST (f, "--search", "\"pricing");
  assert_uuids (got, london, alice, NULL);
  g_clear_pointer (&got, g_ptr_array_unref);

  got = LIST (f, "--search", "(bob*");
  assert_uuids (got, bob, NULL);
  g_clear_pointer (&got, g_ptr_array_unref);

  got = LIST (f, "--search", "bob OR alice");
  assert_uuids (got, NULL);
  g_clear_pointer (&got, g_ptr_array_unref);

  got = LIST (f, "--search", "nobody-has-this");
  assert_uuids (got, NULL);
  g_clear_pointer (&got, g_ptr_array_unref);

  /* Outcome filter, alone and with a search. */
  got = LIST (f, "--outcome", "busy");
  assert_uuids (got, bob, NULL);
  g_clear_pointer (&got, g_ptr_array_unref);

  got = LIST (f, "--outcome", "no_answer");
  assert_uuids (got, NULL);
  g_clear_pointer (&got, g_ptr_array_unref);

  got = LIST (f, "--search", "pricing", "--outcome", "voicemail");
  assert_uuids (got, london, NULL);
  g_clear_pointer (&got, g_ptr_array_unref);

  got = LIST (f, "--outcome", "connected", "--limit", "5");
  assert_uuids (got, alice, NULL);
  g_clear_pointer (&got, g_ptr_array_unref);

  /* The plain listing: one line per call, newest first. */
  RUN (f, &r, "list");
  assert_exit (&r, 0);
  g_assert_cmpstr (r.err, ==, "");
  lines = g_strsplit (g_strchomp (r.out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  short_london = g_strndup (london, 8);
  assert_contains (lines[0], short_london);
  assert_contains (lines[1], "Bob Jones");
  assert_contains (lines[2], "Alice Smith");

  RUN (f, &r, "list", "--search", "nobody-has-this");
  assert_exit (&r, 0);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_null (strstr (r.out, "Alice"));
}

static void
test_list_json_fields (Fixture       *f,
                       gconstpointer  data)
{
  static const char * const fields[] = {
    "uuid", "contact_id", "contact_name", "phone", "phone_raw", "extension", "outcome",
    "duration_seconds", "notes", "follow_up_date", "created_at",
  };
  g_autofree char *uuid = NULL;
  g_auto(Result) r = { 0 };
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;

  uuid = LOG (f, "--phone", "tel:+15551234567;ext=12", "--outcome", "connected",
              "--duration", "90", "--notes", "a\nb");

  RUN (f, &r, "list", "--json");
  assert_exit (&r, 0);
  root = parse_json (r.out);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (root)), ==, 1);
  object = json_array_get_object_element (json_node_get_array (root), 0);

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (!json_object_has_member (object, fields[i]))
      g_error ("list --json lacks “%s”", fields[i]);

  g_assert_cmpstr (member_string (object, "uuid"), ==, uuid);
  g_assert_cmpstr (member_string (object, "extension"), ==, "12");
  g_assert_cmpint (json_object_get_int_member (object, "duration_seconds"), ==, 90);
  g_assert_cmpstr (member_string (object, "notes"), ==, "a\nb");
}

/* ---- show ---------------------------------------------------------------- */

static void
test_show_prefix_and_unknown (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *uuid = NULL;
  g_autofree char *prefix = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_auto(Result) r = { 0 };

  uuid = LOG (f, "--phone", "+15551234567", "--outcome", "connected");
  prefix = g_strndup (uuid, 8);

  root = show_json (f, prefix);
  g_assert_cmpstr (member_string (json_node_get_object (root), "uuid"), ==, uuid);

  /* A UUID nobody logged: a runtime error, one line. */
  RUN (f, &r, "show", "00000000-0000-4000-8000-000000000000");
  assert_exit (&r, 1);
  g_assert_cmpstr (r.out, ==, "");
  assert_one_line (r.err);

  RUN (f, &r, "show", "00000000-0000-4000-8000-000000000000", "--json");
  assert_exit (&r, 1);
  g_assert_cmpstr (r.out, ==, "");
  assert_one_line (r.err);

  /* A prefix that names no log. */
  RUN (f, &r, "show", uuid[0] == 'f' ? "0000" : "ffff");
  assert_exit (&r, 1);
  assert_one_line (r.err);
}

/* ---- sync verbs ----------------------------------------------------------- */

/* A log made on the command line is queued for the backend (on by default);
 * queue, show, retry and assign-contact say what they should, and sync
 * --wait gives up with 3 while the backend is not set up. */
static void
test_sync_verbs (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *uuid = NULL;
  g_autoptr(JsonNode) queue = NULL;
  g_autoptr(JsonNode) shown = NULL;
  g_autoptr(JsonNode) assigned = NULL;
  g_auto(Result) r = { 0 };
  JsonObject *job;
  JsonObject *object;
  JsonArray *sync;

  uuid = LOG (f, "--phone", "+15551234567", "--outcome", "voicemail");

  RUN (f, &r, "queue", "--json");
  assert_exit (&r, 0);
  queue = parse_json (r.out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (queue)), ==, 1);
  job = json_array_get_object_element (json_node_get_array (queue), 0);
  g_assert_cmpstr (member_string (job, "uuid"), ==, uuid);
  g_assert_cmpstr (member_string (job, "target"), ==, "backend");
  g_assert_cmpstr (member_string (job, "state"), ==, "pending");
  g_assert_cmpint (json_object_get_int_member (job, "attempts"), ==, 0);
  result_clear (&r);

  RUN (f, &r, "queue");
  assert_exit (&r, 0);
  assert_contains (r.out, "backend");
  assert_contains (r.out, "pending");
  result_clear (&r);

  shown = show_json (f, uuid);
  object = json_node_get_object (shown);
  g_assert_true (member_is_null (object, "backend_id"));
  g_assert_true (member_is_null (object, "ontraport_note_id"));
  g_assert_true (member_is_null (object, "ontraport_task_id"));
  sync = json_object_get_array_member (object, "sync");
  g_assert_cmpuint (json_array_get_length (sync), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "sync_events")),
                    ==, 0);

  /* Nothing failed yet: nothing to retry. */
  RUN (f, &r, "retry", "--all");
  assert_exit (&r, 0);
  assert_contains (r.out, "0 sync jobs");
  result_clear (&r);

  RUN (f, &r, "assign-contact", uuid, "4711", "--name", "Grace Hopper");
  assert_exit (&r, 0);
  result_clear (&r);
  assigned = show_json (f, uuid);
  g_assert_cmpstr (member_string (json_node_get_object (assigned), "contact_id"), ==, "4711");
  g_assert_cmpstr (member_string (json_node_get_object (assigned), "contact_name"), ==,
                   "Grace Hopper");

  /* No backend-url: the job cannot go, which needs the person (4), and
   * --wait says why. */
  RUN (f, &r, "sync", "--wait", "--timeout", "5");
  assert_exit (&r, 4);
  assert_contains (r.err, "not set up");
  assert_contains (r.err, "not done");
  result_clear (&r);

  /* Usage errors. */
  RUN (f, &r, "sync", "--timeout", "5");
  assert_exit (&r, 2);
  result_clear (&r);
  RUN (f, &r, "sync", "--wait", "--timeout", "soon");
  assert_exit (&r, 2);
  assert_contains (r.err, "--timeout");
  result_clear (&r);
  RUN (f, &r, "retry");
  assert_exit (&r, 2);
  result_clear (&r);
  RUN (f, &r, "retry", uuid, "--all");
  assert_exit (&r, 2);
  result_clear (&r);
  RUN (f, &r, "assign-contact", uuid);
  assert_exit (&r, 2);
  result_clear (&r);
  RUN (f, &r, "assign-contact", "not-a-uuid", "42");
  assert_exit (&r, 2);
  result_clear (&r);
  RUN (f, &r, "retry", "00000000-0000-4000-8000-000000000000");
  assert_exit (&r, 1);
}

/* ---- usage errors -------------------------------------------------------- */

typedef struct {
  const char *args[10];
  const char *names[6];   /* what the message must mention */
} UsageCase;

static char *
long_tel_uri (void)
{
  GString *s = g_string_new ("tel:+1");

  while (s->len < 5000)
    g_string_append_c (s, '5');

  return g_string_free (s, FALSE);
}

static void
test_usage_errors (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *long_uri = long_tel_uri ();
  g_autofree char *long_number = g_strdup (long_uri + 4);
  g_autofree char *long_notes = g_strnfill (70000, 'n');
  g_autofree char *long_name = g_strnfill (5000, 'a');
  const UsageCase cases[] = {
    /* log: outcome */
    { { "log", "--phone", "+15551234567", "--outcome", "maybe" },
      { "maybe", "connected", "voicemail", "no_answer", "busy" } },
    { { "log", "--phone", "+15551234567", "--outcome", "" },
      { "connected", "voicemail", "no_answer", "busy" } },
    { { "log", "--phone", "+15551234567" }, { "--outcome" } },
    { { "log", "--outcome", "connected" }, { "--phone" } },
    { { "log", "--phone", "", "--outcome", "connected" }, { "--phone" } },
    { { "log" }, { "--phone" } },
    /* log: follow-up */
    { { "log", "--phone", "+15551234567", "--outcome", "connected", "--follow-up", "2026-11-23" },
      { "--follow-up", "2026-11-23" } },
    { { "log", "--phone", "+15551234567", "--outcome", "connected", "--follow-up",
        "2026-13-01T09:00" }, { "--follow-up", "2026-13-01T09:00" } },
    { { "log", "--phone", "+15551234567", "--outcome", "connected", "--follow-up", "tomorrow" },
      { "--follow-up", "tomorrow" } },
    { { "log", "--phone", "+15551234567", "--outcome", "connected", "--follow-up",
        "2026-02-30T09:00" }, { "--follow-up" } },
    /* 02:30 does not exist in New York on the spring-forward night. */
    { { "log", "--phone", "+15551234567", "--outcome", "connected", "--follow-up",
        "2026-03-08T02:30" }, { "--follow-up" } },
    /* log: duration */
    { { "log", "--phone", "+15551234567", "--outcome", "connected", "--duration", "abc" },
      { "--duration", "abc" } },
    { { "log", "--phone", "+15551234567", "--outcome", "connected", "--duration=-5" },
      { "--duration" } },
    { { "log", "--phone", "+15551234567", "--outcome", "connected", "--duration", "2:75" },
      { "--duration" } },
    { { "log", "--phone", "+15551234567", "--outcome", "connected", "--duration",
        "99999999999999999999" }, { "--duration" } },
    /* log: phone */
    { { "log", "--phone", "tel:", "--outcome", "connected" }, { "--phone" } },
    { { "log", "--phone", "tel:abc", "--outcome", "connected" }, { "--phone" } },
    { { "log", "--phone", long_uri, "--outcome", "connected" }, { "--phone" } },
    { { "log", "--phone", "tel:+15551234567;ext=abc", "--outcome", "connected" }, { "--phone" } },
    { { "log", "--phone", "call me maybe", "--outcome", "connected" }, { "--phone" } },
    { { "log", "--phone", long_number, "--outcome", "connected" }, { "--phone" } },
    /* text beyond its limit */
    { { "log", "--phone", "+15551234567", "--outcome", "connected", "--notes", long_notes },
      { "long" } },
    { { "log", "--phone", "+15551234567", "--outcome", "connected", "--contact-name", long_name },
      { "long" } },
    /* invalid UTF-8, in any argument */
    { { "log", "--phone", "\xff\xfe", "--outcome", "connected" }, { "UTF-8" } },
    { { "log", "--phone", "+15551234567", "--outcome", "connected", "--notes", "ok \xc3\x28" },
      { "UTF-8" } },
    { { "list", "--search", "\xff\xfe" }, { "UTF-8" } },
    /* unknown options, verbs and stray arguments */
    { { "log", "--phone", "+15551234567", "--outcome", "connected", "--colour", "red" },
      { "--colour" } },
    { { "list", "--frobnicate" }, { "--frobnicate" } },
    { { "show", "--verbose", "0000" }, { "--verbose" } },
    { { "--frobnicate" }, { "--frobnicate" } },
    { { "frobnicate" }, { "frobnicate", "log, list, show", "export", "import", "tel:" } },
    { { "log", "+15551234567", "--outcome", "connected" }, { "+15551234567" } },
    { { "list", "extra" }, { "extra" } },
    /* list */
    { { "list", "--limit", "0" }, { "--limit" } },
    { { "list", "--limit", "-1" }, { "--limit" } },
    { { "list", "--limit=-1" }, { "--limit" } },
    { { "list", "--limit", "abc" }, { "--limit" } },
    { { "list", "--limit", "99999999999999999999999" }, { "--limit" } },
    { { "list", "--outcome", "maybe" }, { "maybe", "connected", "voicemail", "no_answer", "busy" } },
    /* show */
    { { "show" }, { "UUID" } },
    { { "show", "not a uuid!" }, { "not a uuid!" } },
    { { "show", "0000", "1111" }, { "1111" } },
  };
  g_autoptr(GPtrArray) got = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Result) r = { 0 };

      run_cli (f, cases[i].args, &r);
      assert_exit (&r, 2);
      g_assert_cmpstr (r.out, ==, "");
      assert_one_line (r.err);
      for (guint j = 0; j < G_N_ELEMENTS (cases[i].names) && cases[i].names[j] != NULL; j++)
        assert_contains (r.err, cases[i].names[j]);
    }

  /* Nothing was logged by any of them. */
  got = LIST (f, NULL);
  assert_uuids (got, NULL);
}

/* ---- help and version ----------------------------------------------------- */

static void
test_help_and_version (Fixture       *f,
                       gconstpointer  data)
{
  g_auto(Result) r = { 0 };
  g_autofree char *version = g_strdup_printf ("callnotes %s\n", PACKAGE_VERSION);

  RUN (f, &r, "--help");
  assert_exit (&r, 0);
  g_assert_cmpstr (r.err, ==, "");
  assert_contains (r.out, "Usage");
  assert_contains (r.out, "log");
  assert_contains (r.out, "list");
  assert_contains (r.out, "show");

  RUN (f, &r, "-h");
  assert_exit (&r, 0);
  assert_contains (r.out, "Usage");

  RUN (f, &r, "--version");
  assert_exit (&r, 0);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_cmpstr (r.out, ==, version);

  RUN (f, &r, "log", "--help");
  assert_exit (&r, 0);
  g_assert_cmpstr (r.err, ==, "");
  assert_contains (r.out, "--phone");
  assert_contains (r.out, "--outcome");
  assert_contains (r.out, "--contact-id");
  assert_contains (r.out, "--contact-name");
  assert_contains (r.out, "--notes");
  assert_contains (r.out, "--duration");
  assert_contains (r.out, "--follow-up");

  RUN (f, &r, "help", "log");
  assert_exit (&r, 0);
  assert_contains (r.out, "--outcome");

  RUN (f, &r, "list", "--help");
  assert_exit (&r, 0);
  g_assert_cmpstr (r.err, ==, "");
  assert_contains (r.out, "--search");
  assert_contains (r.out, "--outcome");
  assert_contains (r.out, "--limit");
  assert_contains (r.out, "--json");

  RUN (f, &r, "show", "--help");
  assert_exit (&r, 0);
  g_assert_cmpstr (r.err, ==, "");
  assert_contains (r.out, "--json");

  /* Asking for help creates no database. */
  g_assert_false (g_file_test (f->data_dir, G_FILE_TEST_EXISTS));
}

/* ---- runtime errors ------------------------------------------------------- */

static void
assert_nothing_moved_aside (Fixture *f)
{
  g_autoptr(GDir) dir = g_dir_open (f->data_dir, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (strstr (name, ".corrupt-") != NULL)
      g_error ("the database was moved aside as damaged: %s", name);
}

static void
assert_runtime_error (Fixture            *f,
                      const char * const *args)
{
  g_auto(Result) r = { 0 };

  run_cli (f, args, &r);
  assert_exit (&r, 1);
  g_assert_cmpstr (r.out, ==, "");
  assert_one_line (r.err);
}

static void
test_data_dir_is_a_file (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  const char *log_args[] = { "log", "--phone", "+15551234567", "--outcome", "connected", NULL };
  const char *list_args[] = { "list", NULL };
  const char *show_args[] = { "show", "00000000-0000-4000-8000-000000000000", NULL };

  g_file_set_contents (f->data_dir, "not a folder", -1, &error);
  g_assert_no_error (error);

  assert_runtime_error (f, log_args);
  assert_runtime_error (f, list_args);
  assert_runtime_error (f, show_args);

  /* The file is left as it was. */
  g_file_get_contents (f->data_dir, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, "not a folder");
}

static void
test_database_too_new (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->data_dir, "callnotes.db", NULL);
  const char *log_args[] = { "log", "--phone", "+15551234567", "--outcome", "connected", NULL };
  const char *list_args[] = { "list", "--json", NULL };
  g_auto(Result) r = { 0 };
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (g_mkdir_with_parents (f->data_dir, 0700), ==, 0);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE future (x); INSERT INTO future VALUES (1);"
                                     "PRAGMA user_version = 1000;", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);

  run_cli (f, log_args, &r);
  assert_exit (&r, 1);
  g_assert_cmpstr (r.out, ==, "");
  assert_one_line (r.err);
  assert_contains (r.err, "newer");

  assert_runtime_error (f, list_args);

  /* Left alone: same version, same data, not moved aside. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 1000);
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM future", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 1);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  assert_nothing_moved_aside (f);
}

/* ---- concurrency ---------------------------------------------------------- */


#define N_PARALLEL 10

typedef struct {
  GPid pid;
  int  out_fd;
  int  err_fd;
} Child;

static char *
read_all (int fd)
{
  GString *s = g_string_new (NULL);
  char buffer[4096];
  gssize n;

  while ((n = read (fd, buffer, sizeof buffer)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      g_assert_cmpint (n, >, 0);
      g_string_append_len (s, buffer, n);
    }
  close (fd);

  return g_string_free (s, FALSE);
}

/* Starts N_PARALLEL `callnotes log` at once, waits for all, and checks that
 * each succeeded and that all their logs are there (@n_before already were). */
static void
log_in_parallel (Fixture *f,
                 guint    n_before)
{
  Child children[N_PARALLEL];
  g_autoptr(GPtrArray) printed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) got = NULL;
  g_autoptr(GError) error = NULL;

  /* Start them all before waiting for any. */
  for (guint i = 0; i < N_PARALLEL; i++)
    {
      g_autofree char *notes = g_strdup_printf ("parallel call %u", i);
      const char *args[] = { "log", "--phone", "+15551234567", "--outcome", "connected",
                             "--notes", notes, NULL };
      g_auto(GStrv) argv = build_argv (args);

      g_spawn_async_with_pipes (NULL, argv, f->envp, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                &children[i].pid, NULL, &children[i].out_fd,
                                &children[i].err_fd, &error);
      g_assert_no_error (error);
    }

  for (guint i = 0; i < N_PARALLEL; i++)
    {
      g_autofree char *out = read_all (children[i].out_fd);
      g_autofree char *err = read_all (children[i].err_fd);
      int wait_status = 0;

      while (waitpid (children[i].pid, &wait_status, 0) < 0)
        g_assert_cmpint (errno, ==, EINTR);
      g_spawn_close_pid (children[i].pid);

      if (!WIFEXITED (wait_status) || WEXITSTATUS (wait_status) != 0)
        g_error ("parallel log %u failed (wait status %d): %s", i, wait_status, err);
      g_assert_cmpstr (err, ==, "");
      g_strchomp (out);
      g_assert_true (g_uuid_string_is_valid (out));
      g_ptr_array_add (printed, g_steal_pointer (&out));
    }

  /* None of them took another's fresh database for a damaged one. */
  assert_nothing_moved_aside (f);

  got = LIST (f, "--limit", "1000");
  g_assert_cmpuint (got->len, ==, n_before + N_PARALLEL);
  for (guint i = 0; i < printed->len; i++)
    {
      const char *uuid = g_ptr_array_index (printed, i);

      if (!g_ptr_array_find_with_equal_func (got, uuid, g_str_equal, NULL))
        g_error ("the log %s was printed but is not listed", uuid);
    }
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
test_parallel_logs (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) got = NULL;
  g_autoptr(CnDatabase) app_db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CnCallLog) app_log = NULL;
  g_autoptr(GPtrArray) seen = NULL;
  g_autofree char *path = NULL;
  g_autofree char *cli_uuid = NULL;
  CnCallQuery query = { NULL, CN_OUTCOME_NONE };
  gint64 version;

  /* They race for a brand-new database, each creating and migrating it. The
   * race is short, so it is run a few times. */
  for (guint round = 0; round < 3; round++)
    {
      g_autofree char *name = g_strdup_printf ("race-%u", round);

      use_data_dir (f, name);
      log_in_parallel (f, 0);
    }

  /* And on a database that exists. */
  log_in_parallel (f, N_PARALLEL);

  /* The app keeps its connection open while the command line writes; each
   * sees what the other committed. */
  path = g_build_filename (f->data_dir, "callnotes.db", NULL);
  app_db = cn_database_open (path, &error);
  g_assert_no_error (error);
  version = cn_database_get_data_version (app_db);

  cli_uuid = LOG (f, "--phone", "+15559876543", "--outcome", "busy", "--notes", "from the CLI");
  g_assert_cmpint (cn_database_get_data_version (app_db), !=, version);
  seen = cn_database_query_calls (app_db, &query, 0, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_cmpstr (cn_call_log_get_uuid (g_ptr_array_index (seen, 0)), ==, cli_uuid);

  app_log = cn_call_log_new_with_uuid ();
  cn_call_log_set_phone (app_log, "+15551112222");
  cn_call_log_set_phone_raw (app_log, "+1 555 111 2222");
  cn_call_log_set_outcome (app_log, CN_OUTCOME_VOICEMAIL);
  cn_call_log_set_notes (app_log, "from the app");
  g_assert_true (cn_database_insert_call (app_db, app_log, NULL, 0, &error));
  g_assert_no_error (error);

  g_clear_pointer (&got, g_ptr_array_unref);
  got = LIST (f, "--search", "from");
  assert_uuids (got, cn_call_log_get_uuid (app_log), cli_uuid, NULL);
}

static gboolean
app_name_has_owner (void)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  gboolean owned = FALSE;

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", APP_ID), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(b)", &owned);

  return owned;
}

/* The real app, running on the test's display with the same database: the
 * verbs still run on their own (they are not handed to the running app) and
 * both write to the same file. */
static void
test_app_running (Fixture       *f,
                  gconstpointer  data)
{
  const char *display = g_getenv ("DISPLAY");
  g_autofree char *db_path = g_build_filename (f->data_dir, "callnotes.db", NULL);
  g_auto(GStrv) app_env = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) got = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  const char *argv[] = { callnotes_bin (), NULL };
  gint64 deadline;
  GPid pid;
  int wait_status = 0;

  if (display == NULL || g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("needs a display and a D-Bus session (run under xvfb-run dbus-run-session)");
      return;
    }

  /* A Callnotes already running on this bus would receive the start-up
   * instead (a developer's own session): nothing to test then. */
  if (app_name_has_owner ())
    {
      g_test_skip ("io.github.callnotes.Callnotes already runs on this D-Bus session");
      return;
    }

  app_env = g_strdupv (f->envp);
  app_env = g_environ_setenv (app_env, "DISPLAY", display, TRUE);
  g_spawn_async (NULL, (char **) argv, app_env, G_SPAWN_DO_NOT_REAP_CHILD |
                 G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                 NULL, NULL, &pid, &error);
  g_assert_no_error (error);

  /* The app opens (and creates) its database at start-up. */
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!g_file_test (db_path, G_FILE_TEST_EXISTS))
    {
      if (waitpid (pid, &wait_status, WNOHANG) == pid)
        g_error ("the app exited at start-up (wait status %d)", wait_status);
      if (g_get_monotonic_time () > deadline)
        {
          kill (pid, SIGKILL);
          waitpid (pid, &wait_status, 0);
          g_error ("the app did not open %s within 20 s", db_path);
        }
      g_usleep (50 * 1000);
    }
  g_usleep (500 * 1000);

  first = LOG (f, "--phone", "+15551234567", "--outcome", "busy", "--notes", "while running");
  second = LOG (f, "--phone", "tel:+15557654321", "--outcome", "connected");
  got = LIST (f, NULL);
  assert_uuids (got, second, first, NULL);

  /* The app is still there. */
  g_assert_cmpint (waitpid (pid, &wait_status, WNOHANG), ==, 0);

  kill (pid, SIGTERM);
  while (waitpid (pid, &wait_status, 0) < 0)
    g_assert_cmpint (errno, ==, EINTR);
  g_spawn_close_pid (pid);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/cli/log/show-every-field", test_log_then_show_every_field);
  ADD ("/cli/log/show-human-readable", test_show_human_readable);
  ADD ("/cli/log/follow-up-time-zones", test_follow_up_time_zones);
  ADD ("/cli/log/optional-fields", test_log_without_optional_fields);
  ADD ("/cli/log/tel-uri", test_log_tel_uri);
  ADD ("/cli/log/default-country-code", test_log_default_country_code);
  ADD ("/cli/list/filters", test_list);
  ADD ("/cli/list/json-fields", test_list_json_fields);
  ADD ("/cli/show/prefix-and-unknown", test_show_prefix_and_unknown);
  ADD ("/cli/sync-verbs", test_sync_verbs);
  ADD ("/cli/usage-errors", test_usage_errors);
  ADD ("/cli/help-and-version", test_help_and_version);
  ADD ("/cli/runtime-error/data-dir-is-a-file", test_data_dir_is_a_file);
  ADD ("/cli/runtime-error/database-too-new", test_database_too_new);
  ADD ("/cli/parallel-logs", test_parallel_logs);
  ADD ("/cli/app-running", test_app_running);

#undef ADD

  return g_test_run ();
}
