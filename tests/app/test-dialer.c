/* test-dialer.c: handing a number to the softphone (src/app/cn-dialer.h)
 *
 * The softphones here are small shell scripts written by the test; each
 * records the arguments it was started with, one per line, in "<script>.out".
 *
 * GIO reads the XDG folders once per process, so every test that looks at
 * installed applications runs in a subprocess of its own that points the XDG
 * variables at a fresh, private folder before anything calls into GIO.
 *
 * The "backend" setting asks the fake team backend to place the call.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include <json-glib/json-glib.h>

#include "cn-dialer.h"
#include "cn-secrets.h"
#include "cn-tel-uri.h"
#include "fake-servers.h"

#define OWN_ID      "io.github.callnotes.Callnotes.desktop"
#define SOFTPHONE_ID "org.example.Softphone.desktop"
#define SIP_ID      "org.example.SipPhone.desktop"

/* ---- helpers ------------------------------------------------------------- */

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      dir = g_dir_open (path, 0, NULL);
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
    }

  g_remove (path);
}

static char *
make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("callnotes-dialer-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
make_dir (const char *path)
{
  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
}

static void
write_file (const char *path,
            const char *contents,
            int         mode)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

/* A softphone that writes "$#" and then each argument on its own line to
 * "$0.out" (atomically, so a reader never sees half of it). */
static char *
write_recorder (const char *dir,
                const char *name)
{
  char *path = g_build_filename (dir, name, NULL);

  write_file (path,
              "#!/bin/sh\n"
              "out=\"$0.out\"\n"
              "{\n"
              "  printf '%s\\n' \"$#\"\n"
              "  for arg in \"$@\"; do printf '%s\\n' \"$arg\"; done\n"
              "} > \"$out.tmp\" && mv \"$out.tmp\" \"$out\"\n",
              0755);

  return path;
}

/* Waits (up to 10 s) for the recorder to run; returns its arguments. */
static GStrv
wait_for_arguments (const char *script)
{
  g_autofree char *out = g_strconcat (script, ".out", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  g_auto(GStrv) lines = NULL;
  GStrv args;
  guint64 count;

  while (!g_file_test (out, G_FILE_TEST_EXISTS))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("the softphone %s was not started", script);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10 * 1000);
    }

  g_file_get_contents (out, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (contents, "\n"));
  contents[strlen (contents) - 1] = '\0';
  lines = g_strsplit (contents, "\n", -1);

  g_assert_true (g_ascii_string_to_unsigned (lines[0], 10, 0, 100, &count, NULL));
  g_assert_cmpuint (g_strv_length (lines) - 1, ==, count);
  args = g_strdupv (lines + 1);

  g_remove (out);
  return args;
}

/* Gives a softphone that should NOT run time to show up, then checks it did not. */
static void
assert_not_started (const char *script)
{
  g_autofree char *out = g_strconcat (script, ".out", NULL);

  for (guint i = 0; i < 30; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10 * 1000);
    }

  if (g_file_test (out, G_FILE_TEST_EXISTS))
    g_error ("%s was started but must not be", script);
}

static CnTelUri *
parse_uri (const char *text)
{
  g_autoptr(GError) error = NULL;
  CnTelUri *uri = cn_tel_uri_parse (text, -1, "1", &error);

  if (uri == NULL)
    g_error ("“%s” should parse: %s", text, error->message);

  return uri;
}

/* A message a person can read: text, not a code or a blank. */
static void
assert_sentence (const GError *error)
{
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_cmpuint (strlen (error->message), >, 15);
  g_assert_true (g_unichar_isupper (g_utf8_get_char (error->message)));
}

/* ---- the private XDG sandbox (subprocesses only) ------------------------- */

typedef struct {
  char *root;
  char *applications;   /* $XDG_DATA_HOME/applications */
  char *config;         /* $XDG_CONFIG_HOME */
} Sandbox;

static void
sandbox_free (Sandbox *sb)
{
  remove_tree (sb->root);
  g_free (sb->root);
  g_free (sb->applications);
  g_free (sb->config);
  g_free (sb);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Sandbox, sandbox_free)

/* Points every XDG folder GIO looks in for applications and default handlers
 * at empty private folders. Must run before anything calls into GIO. */
static Sandbox *
sandbox_enter (void)
{
  Sandbox *sb = g_new0 (Sandbox, 1);
  g_autofree char *data_home = NULL;
  g_autofree char *data_dirs = NULL;
  g_autofree char *config_dirs = NULL;

  g_assert_true (g_test_subprocess ());

  sb->root = make_tmp_dir ();
  data_home = g_build_filename (sb->root, "data-home", NULL);
  data_dirs = g_build_filename (sb->root, "data-dirs", NULL);
  config_dirs = g_build_filename (sb->root, "config-dirs", NULL);
  sb->config = g_build_filename (sb->root, "config-home", NULL);
  sb->applications = g_build_filename (data_home, "applications", NULL);

  make_dir (sb->applications);
  make_dir (data_dirs);
  make_dir (config_dirs);
  make_dir (sb->config);

  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("XDG_DATA_DIRS", data_dirs, TRUE);
  g_setenv ("XDG_CONFIG_HOME", sb->config, TRUE);
  g_setenv ("XDG_CONFIG_DIRS", config_dirs, TRUE);
  g_unsetenv ("XDG_CURRENT_DESKTOP");

  return sb;
}

static void
sandbox_add_app (Sandbox    *sb,
                 const char *id,
                 const char *name,
                 const char *script,
                 const char *mime_types)
{
  g_autofree char *path = g_build_filename (sb->applications, id, NULL);
  g_autofree char *quoted = g_shell_quote (script);
  g_autofree char *contents = NULL;

  g_autofree char *cache_path = g_build_filename (sb->applications, "mimeinfo.cache", NULL);
  g_autoptr(GKeyFile) cache = g_key_file_new ();
  g_auto(GStrv) types = g_strsplit (mime_types, ";", -1);
  g_autoptr(GError) error = NULL;

  contents = g_strdup_printf ("[Desktop Entry]\n"
                              "Type=Application\n"
                              "Name=%s\n"
                              "Exec=%s %%u\n"
                              "MimeType=%s\n"
                              "NoDisplay=true\n",
                              name, quoted, mime_types);
  write_file (path, contents, 0644);

  /* Register it as update-desktop-database does when a package installs a
   * desktop file: GIO finds handlers through mimeinfo.cache. */
  if (g_file_test (cache_path, G_FILE_TEST_EXISTS))
    {
      g_key_file_load_from_file (cache, cache_path, G_KEY_FILE_NONE, &error);
      g_assert_no_error (error);
    }
  for (guint i = 0; types[i] != NULL; i++)
    {
      g_autofree char *ids = NULL;
      g_autofree char *joined = NULL;

      if (types[i][0] == '\0')
        continue;
      ids = g_key_file_get_value (cache, "MIME Cache", types[i], NULL);
      joined = g_strconcat (ids != NULL ? ids : "", id, ";", NULL);
      g_key_file_set_value (cache, "MIME Cache", types[i], joined);
    }
  g_key_file_save_to_file (cache, cache_path, &error);
  g_assert_no_error (error);
}

static void
sandbox_set_default (Sandbox    *sb,
                     const char *mime_type,
                     const char *id)
{
  g_autofree char *path = g_build_filename (sb->config, "mimeapps.list", NULL);
  g_autofree char *contents = g_strdup_printf ("[Default Applications]\n%s=%s\n",
                                               mime_type, id);

  write_file (path, contents, 0644);
}

/* Runs the current test again in a subprocess and requires it to pass. */
static void
run_in_subprocess (void)
{
  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* ---- parse_setting -------------------------------------------------------- */

static void
assert_setting (const char   *setting,
                CnDialerMode  expected_mode,
                const char   *expected_argument)
{
  CnDialerMode mode = -1;
  g_autofree char *argument = NULL;

  if (!cn_dialer_parse_setting (setting, &mode, &argument))
    g_error ("“%s” should be understood", setting);
  g_assert_cmpint (mode, ==, expected_mode);
  g_assert_cmpstr (argument, ==, expected_argument);

  /* The argument is optional for callers that only want the mode. */
  mode = -1;
  g_assert_true (cn_dialer_parse_setting (setting, &mode, NULL));
  g_assert_cmpint (mode, ==, expected_mode);
}

static void
assert_bad_setting (const char *setting)
{
  CnDialerMode mode;
  char *argument = (char *) "untouched";

  if (cn_dialer_parse_setting (setting, &mode, &argument))
    g_error ("“%s” should not be understood", setting);
  g_assert_null (argument);
}

static void
test_parse_setting (void)
{
  assert_setting ("auto", CN_DIALER_MODE_AUTO, NULL);
  assert_setting ("none", CN_DIALER_MODE_NONE, NULL);
  assert_setting ("app:org.linphone.Linphone.desktop", CN_DIALER_MODE_APP,
                  "org.linphone.Linphone.desktop");
  assert_setting ("app: org.linphone.Linphone.desktop", CN_DIALER_MODE_APP,
                  "org.linphone.Linphone.desktop");
  assert_setting ("command:linphonec -c %n", CN_DIALER_MODE_COMMAND, "linphonec -c %n");
  assert_setting ("command:/opt/My Phone/dial '%u'", CN_DIALER_MODE_COMMAND,
                  "/opt/My Phone/dial '%u'");
  assert_setting ("backend", CN_DIALER_MODE_BACKEND, NULL);

  assert_bad_setting ("app:");
  assert_bad_setting ("app:   ");
  assert_bad_setting ("command:");
  assert_bad_setting ("command: \t ");
  assert_bad_setting ("bogus");
  assert_bad_setting ("app");
  assert_bad_setting ("command");
  assert_bad_setting ("autox");
  assert_bad_setting ("nonesuch");
  assert_bad_setting ("sip:+15551234567");
  assert_bad_setting ("backend:");
  assert_bad_setting ("backends");
  assert_bad_setting ("Backend");
}

/* ---- command: ------------------------------------------------------------- */

typedef struct {
  const char *uri;
  const char *number;
} DialCase;

static void
test_command_arguments (void)
{
  g_autofree char *root = make_tmp_dir ();
  g_autofree char *folder = g_build_filename (root, "soft phone", NULL);
  g_autofree char *script = NULL;
  g_autofree char *quoted = NULL;
  g_autofree char *canary = g_build_filename (root, "canary", NULL);
  g_autofree char *setting = NULL;
  g_autofree char *literal = NULL;
  g_autofree char *encoded = NULL;
  g_autofree char *encoded_canary = g_uri_escape_string (canary, NULL, FALSE);

  make_dir (folder);
  script = write_recorder (folder, "record-args.sh");
  quoted = g_shell_quote (script);
  setting = g_strdup_printf ("command:%s %%n %%u", quoted);

  /* What a shell would run, in the name (literally) and percent-encoded. */
  literal = g_strdup_printf ("tel:+1 (555) 123-4567;x-contact-name=O'Brien \"Bob\" "
                             "$(touch %s) `touch %s` & | > /dev/null;x-contact-id=a b",
                             canary, canary);
  encoded = g_strdup_printf ("tel:+15551234567;x-contact-name=%%24(touch%%20%s)%%3B%%20"
                             "echo%%20%%22hi%%22%%27",
                             encoded_canary);

  {
    const DialCase cases[] = {
      { "tel:+1-555-123-4567", "+15551234567" },
      { "tel:555-123-4567", "+15551234567" },
      { "callto://+44 20 7946 0958", "+442079460958" },
      { "tel:+15551234567;ext=89", "+15551234567" },
      { literal, "+15551234567" },
      { encoded, "+15551234567" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr(CnTelUri) uri = parse_uri (cases[i].uri);
        g_autoptr(GError) error = NULL;
        g_autofree char *what = cn_dialer_dial (setting, uri, NULL, &error);
        g_auto(GStrv) args = NULL;

        g_assert_no_error (error);
        g_assert_cmpstr (what, ==, "record-args.sh");

        args = wait_for_arguments (script);
        g_assert_cmpuint (g_strv_length (args), ==, 2);
        g_assert_cmpstr (args[0], ==, cases[i].number);
        g_assert_cmpstr (args[1], ==, cases[i].uri);
      }
  }

  /* Placeholders inside an argument, several times, and %% for a percent. */
  {
    g_autoptr(CnTelUri) uri = parse_uri ("tel:+15551234567");
    g_autoptr(GError) error = NULL;
    g_autofree char *template = g_strdup_printf ("command:%s --to=%%n call %%u 100%%%% %%n",
                                                 quoted);
    g_autofree char *what = cn_dialer_dial (template, uri, NULL, &error);
    g_auto(GStrv) args = NULL;

    g_assert_no_error (error);
    g_assert_nonnull (what);
    args = wait_for_arguments (script);
    g_assert_cmpuint (g_strv_length (args), ==, 5);
    g_assert_cmpstr (args[0], ==, "--to=+15551234567");
    g_assert_cmpstr (args[1], ==, "call");
    g_assert_cmpstr (args[2], ==, "tel:+15551234567");
    g_assert_cmpstr (args[3], ==, "100%");
    g_assert_cmpstr (args[4], ==, "+15551234567");
  }

  /* No shell ever ran the "$(touch ...)". */
  g_assert_false (g_file_test (canary, G_FILE_TEST_EXISTS));

  remove_tree (root);
}

static void
test_command_errors (void)
{
  g_autoptr(CnTelUri) uri = parse_uri ("tel:+15551234567");
  g_autofree char *root = make_tmp_dir ();
  g_autofree char *missing = g_build_filename (root, "no-such-softphone", NULL);
  g_autofree char *setting = g_strdup_printf ("command:%s %%n", missing);
  g_autoptr(GError) error = NULL;
  char *what;

  /* A program that does not exist. */
  what = cn_dialer_dial (setting, uri, NULL, &error);
  g_assert_null (what);
  g_assert_error (error, CN_DIALER_ERROR, CN_DIALER_ERROR_LAUNCH);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "no-such-softphone"));
  g_clear_error (&error);

  /* A command line that cannot be split into arguments. */
  what = cn_dialer_dial ("command:dial 'unterminated %n", uri, NULL, &error);
  g_assert_null (what);
  g_assert_error (error, CN_DIALER_ERROR, CN_DIALER_ERROR_SETTING);
  assert_sentence (error);
  g_clear_error (&error);

  /* Settings that are not understood. */
  what = cn_dialer_dial ("bogus", uri, NULL, &error);
  g_assert_null (what);
  g_assert_error (error, CN_DIALER_ERROR, CN_DIALER_ERROR_SETTING);
  assert_sentence (error);
  g_clear_error (&error);

  what = cn_dialer_dial ("command:", uri, NULL, &error);
  g_assert_null (what);
  g_assert_error (error, CN_DIALER_ERROR, CN_DIALER_ERROR_SETTING);
  g_clear_error (&error);

  what = cn_dialer_dial ("app:", uri, NULL, &error);
  g_assert_null (what);
  g_assert_error (error, CN_DIALER_ERROR, CN_DIALER_ERROR_SETTING);
  g_clear_error (&error);

  /* Dialing turned off. */
  what = cn_dialer_dial ("none", uri, NULL, &error);
  g_assert_null (what);
  g_assert_error (error, CN_DIALER_ERROR, CN_DIALER_ERROR_DISABLED);
  assert_sentence (error);
  g_clear_error (&error);

  remove_tree (root);
}

/* ---- app: and auto (each in its own sandbox) ------------------------------ */

static void
test_app_missing (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(Sandbox) sb = sandbox_enter ();
      g_autoptr(CnTelUri) uri = parse_uri ("tel:+15551234567");
      g_autoptr(GError) error = NULL;
      char *what;

      what = cn_dialer_dial ("app:does-not-exist.desktop", uri, NULL, &error);
      g_assert_null (what);
      g_assert_error (error, CN_DIALER_ERROR, CN_DIALER_ERROR_NO_DIALER);
      assert_sentence (error);
      g_assert_nonnull (strstr (error->message, "does-not-exist"));
      return;
    }

  run_in_subprocess ();
}

static void
test_auto_no_handlers (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(Sandbox) sb = sandbox_enter ();
      g_autoptr(CnTelUri) uri = parse_uri ("tel:+15551234567");
      g_autoptr(GError) error = NULL;
      g_autoptr(GAppInfo) found = NULL;
      char *what;

      found = cn_dialer_find_auto ();
      g_assert_null (found);

      what = cn_dialer_dial ("auto", uri, NULL, &error);
      g_assert_null (what);
      g_assert_error (error, CN_DIALER_ERROR, CN_DIALER_ERROR_NO_DIALER);
      assert_sentence (error);
      return;
    }

  run_in_subprocess ();
}

static void
test_auto_never_dials_itself (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(Sandbox) sb = sandbox_enter ();
      g_autofree char *self_script = write_recorder (sb->root, "callnotes-itself.sh");
      g_autoptr(CnTelUri) uri = parse_uri ("tel:+15551234567");
      g_autoptr(GError) error = NULL;
      g_autoptr(GAppInfo) def = NULL;
      g_autoptr(GAppInfo) found = NULL;
      char *what;

      sandbox_add_app (sb, OWN_ID, "Callnotes", self_script,
                       "x-scheme-handler/tel;x-scheme-handler/callto;x-scheme-handler/sip;");
      sandbox_set_default (sb, "x-scheme-handler/tel", OWN_ID);

      /* The sandbox works: Callnotes is installed and the default tel: handler. */
      def = g_app_info_get_default_for_type ("x-scheme-handler/tel", FALSE);
      g_assert_nonnull (def);
      g_assert_cmpstr (g_app_info_get_id (def), ==, OWN_ID);

      found = cn_dialer_find_auto ();
      g_assert_null (found);

      what = cn_dialer_dial ("auto", uri, NULL, &error);
      g_assert_null (what);
      g_assert_error (error, CN_DIALER_ERROR, CN_DIALER_ERROR_NO_DIALER);
      assert_sentence (error);
      g_clear_error (&error);

      /* Not even when the setting names Callnotes itself. */
      what = cn_dialer_dial ("app:" OWN_ID, uri, NULL, &error);
      g_assert_null (what);
      g_assert_true (error != NULL && error->domain == CN_DIALER_ERROR);
      g_assert_cmpint (error->code, !=, CN_DIALER_ERROR_LAUNCH);
      assert_sentence (error);

      assert_not_started (self_script);
      return;
    }

  run_in_subprocess ();
}

static void
test_auto_finds_softphone (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(Sandbox) sb = sandbox_enter ();
      g_autofree char *self_script = write_recorder (sb->root, "callnotes-itself.sh");
      g_autofree char *phone_script = write_recorder (sb->root, "softphone.sh");
      const char *link = "tel:+1-555-123-4567;x-contact-name=Ada%20Lovelace";
      g_autoptr(CnTelUri) uri = parse_uri (link);
      g_autoptr(GAppInfo) found = NULL;

      /* Callnotes is the default; the other handler must still be chosen. */
      sandbox_add_app (sb, OWN_ID, "Callnotes", self_script,
                       "x-scheme-handler/tel;x-scheme-handler/callto;");
      sandbox_add_app (sb, SOFTPHONE_ID, "Example Softphone", phone_script,
                       "x-scheme-handler/tel;");
      sandbox_set_default (sb, "x-scheme-handler/tel", OWN_ID);

      found = cn_dialer_find_auto ();
      g_assert_nonnull (found);
      g_assert_cmpstr (g_app_info_get_id (found), ==, SOFTPHONE_ID);

      for (guint i = 0; i < 2; i++)
        {
          const char *setting = i == 0 ? "auto" : "app:" SOFTPHONE_ID;
          g_autoptr(GError) error = NULL;
          g_autofree char *what = cn_dialer_dial (setting, uri, NULL, &error);
          g_auto(GStrv) args = NULL;

          g_assert_no_error (error);
          g_assert_cmpstr (what, ==, "Example Softphone");

          /* The softphone gets the link as it was clicked. */
          args = wait_for_arguments (phone_script);
          g_assert_cmpuint (g_strv_length (args), ==, 1);
          g_assert_cmpstr (args[0], ==, link);
        }

      assert_not_started (self_script);
      return;
    }

  run_in_subprocess ();
}

static void
test_auto_prefers_default (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(Sandbox) sb = sandbox_enter ();
      g_autofree char *first = write_recorder (sb->root, "first.sh");
      g_autofree char *second = write_recorder (sb->root, "second.sh");
      g_autoptr(GAppInfo) found = NULL;

      sandbox_add_app (sb, "org.example.First.desktop", "First", first,
                       "x-scheme-handler/tel;");
      sandbox_add_app (sb, "org.example.Second.desktop", "Second", second,
                       "x-scheme-handler/tel;");
      sandbox_set_default (sb, "x-scheme-handler/tel", "org.example.Second.desktop");

      found = cn_dialer_find_auto ();
      g_assert_nonnull (found);
      g_assert_cmpstr (g_app_info_get_id (found), ==, "org.example.Second.desktop");
      return;
    }

  run_in_subprocess ();
}

static void
test_auto_sip_only (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(Sandbox) sb = sandbox_enter ();
      g_autofree char *self_script = write_recorder (sb->root, "callnotes-itself.sh");
      g_autofree char *sip_script = write_recorder (sb->root, "sipphone.sh");
      g_autoptr(CnTelUri) uri = parse_uri ("tel:+1 (555) 123-4567");
      g_autoptr(GAppInfo) found = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *what = NULL;
      g_auto(GStrv) args = NULL;

      sandbox_add_app (sb, OWN_ID, "Callnotes", self_script, "x-scheme-handler/tel;");
      sandbox_add_app (sb, SIP_ID, "Example SIP Phone", sip_script, "x-scheme-handler/sip;");

      found = cn_dialer_find_auto ();
      g_assert_nonnull (found);
      g_assert_cmpstr (g_app_info_get_id (found), ==, SIP_ID);

      /* A SIP-only softphone gets a sip: link with the E.164 number. */
      what = cn_dialer_dial ("auto", uri, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (what, ==, "Example SIP Phone");
      args = wait_for_arguments (sip_script);
      g_assert_cmpuint (g_strv_length (args), ==, 1);
      g_assert_cmpstr (args[0], ==, "sip:+15551234567");

      assert_not_started (self_script);
      return;
    }

  run_in_subprocess ();
}

/* ---- backend ------------------------------------------------------------- */

#define BACKEND_TOKEN "dialer-test-token"

static void
on_dialed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* cn_dialer_dial_async, waited for. */
static char *
dial_async (const char          *setting,
            const CnTelUri      *uri,
            const char          *client_id,
            const CnSyncConfig  *config,
            GError             **error)
{
  GAsyncResult *result = NULL;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  char *what;

  cn_dialer_dial_async (setting, uri, client_id, config, NULL, NULL, on_dialed, &result);
  while (result == NULL)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("dialing with “%s” did not finish", setting);
      g_main_context_iteration (NULL, TRUE);
    }

  what = cn_dialer_dial_finish (result, error);
  g_object_unref (result);
  return what;
}

static CnSyncConfig *
fake_config (FakeServer *server)
{
  CnSyncConfig *config = cn_sync_config_new ();

  g_free (config->backend_url);
  config->backend_url = g_strdup (fake_server_get_base_url (server));
  config->backend_token = g_strdup (BACKEND_TOKEN);
  config->timeout_seconds = 10;
  return config;
}

/* The one initiate request the fake received, as JSON. */
static JsonNode *
initiate_body (FakeServer *server)
{
  g_autoptr(GPtrArray) requests = fake_server_get_requests (server);
  FakeRequest *request;
  g_autoptr(GError) error = NULL;
  JsonNode *body;

  g_assert_cmpuint (requests->len, ==, 1);
  request = g_ptr_array_index (requests, 0);
  g_assert_cmpstr (request->method, ==, "POST");
  g_assert_cmpstr (request->path, ==, "/api/v1/outbound-calls/initiate");
  g_assert_cmpstr (g_hash_table_lookup (request->headers, "authorization"), ==,
                   "Bearer " BACKEND_TOKEN);
  body = json_from_string (request->body, &error);
  g_assert_no_error (error);
  return body;
}

static void
test_backend (void)
{
  FakeServer *server = fake_server_new (FAKE_BACKEND);
  g_autoptr(CnSyncConfig) config = NULL;
  g_autoptr(CnTelUri) uri = parse_uri ("tel:+1-555-123-4567;x-contact-id=42;"
                                       "x-contact-name=Jane%20Doe");
  const char *client_id = "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f";

  fake_server_set_token (server, BACKEND_TOKEN);
  config = fake_config (server);

  /* The backend places the call: the contract's body, the E.164 number. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *what = dial_async ("backend", uri, client_id, config, &error);
    g_autoptr(JsonNode) body = NULL;
    JsonObject *object;
    JsonObject *context;

    g_assert_no_error (error);
    g_assert_cmpstr (what, ==, "Team backend");
    body = initiate_body (server);
    object = json_node_get_object (body);
    g_assert_cmpstr (json_object_get_string_member (object, "recipient_number"), ==,
                     "+15551234567");
    g_assert_true (json_object_get_null_member (object, "caller_id_number"));
    context = json_object_get_object_member (object, "context_info");
    g_assert_cmpstr (json_object_get_string_member (context, "contact_id"), ==, "42");
    g_assert_cmpstr (json_object_get_string_member (context, "client_id"), ==, client_id);
  }

  /* The backend refuses: a sentence for the logger, nothing else dials. */
  fake_server_clear_requests (server);
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *what = NULL;

    fake_server_queue_fault (server, FAKE_401);
    what = dial_async ("backend", uri, client_id, config, &error);
    g_assert_null (what);
    g_assert_error (error, CN_DIALER_ERROR, CN_DIALER_ERROR_BACKEND);
    assert_sentence (error);
    g_assert_nonnull (strstr (error->message, "401"));
    g_assert_null (strstr (error->message, BACKEND_TOKEN));
  }
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *what = NULL;

    fake_server_set_refusing (server, TRUE);
    what = dial_async ("backend", uri, client_id, config, &error);
    g_assert_null (what);
    g_assert_error (error, CN_DIALER_ERROR, CN_DIALER_ERROR_BACKEND);
    assert_sentence (error);
    fake_server_set_refusing (server, FALSE);
  }

  /* Not set up: nothing can dial, and nothing is sent. */
  fake_server_clear_requests (server);
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *what = NULL;
    g_autofree char *token = g_steal_pointer (&config->backend_token);

    what = dial_async ("backend", uri, client_id, config, &error);
    g_assert_null (what);
    g_assert_error (error, CN_DIALER_ERROR, CN_DIALER_ERROR_NO_DIALER);
    assert_sentence (error);
    config->backend_token = g_steal_pointer (&token);
  }
  g_assert_cmpuint (fake_server_count_requests (server, NULL, NULL), ==, 0);

  /* The blocking form cannot ask the network. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *what = cn_dialer_dial ("backend", uri, NULL, &error);

    g_assert_null (what);
    g_assert_error (error, CN_DIALER_ERROR, CN_DIALER_ERROR_SETTING);
    assert_sentence (error);
  }

  /* The other settings work through the async form too. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *what = dial_async ("none", uri, client_id, config, &error);

    g_assert_null (what);
    g_assert_error (error, CN_DIALER_ERROR, CN_DIALER_ERROR_DISABLED);
  }
  {
    g_autofree char *root = make_tmp_dir ();
    g_autofree char *script = write_recorder (root, "record-args.sh");
    g_autofree char *quoted = g_shell_quote (script);
    g_autofree char *setting = g_strdup_printf ("command:%s %%n", quoted);
    g_autoptr(GError) error = NULL;
    g_autofree char *what = dial_async (setting, uri, client_id, NULL, &error);
    g_auto(GStrv) args = NULL;

    g_assert_no_error (error);
    g_assert_cmpstr (what, ==, "record-args.sh");
    args = wait_for_arguments (script);
    g_assert_cmpstr (args[0], ==, "+15551234567");
    remove_tree (root);
  }
  g_assert_cmpuint (fake_server_count_requests (server, NULL, NULL), ==, 0);

  fake_server_free (server);
}

/* Without a config (a link that started the app before the sync settings
 * were read) the dialer reads GSettings and the keyring itself. */
static void
test_backend_reads_settings (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *root = make_tmp_dir ();
      g_autofree char *keyring = g_build_filename (root, "keyring", NULL);
      FakeServer *server = fake_server_new (FAKE_BACKEND);
      g_autoptr(GSettings) settings = NULL;
      g_autoptr(CnTelUri) uri = parse_uri ("tel:+15551234567");
      g_autoptr(GError) error = NULL;
      g_autofree char *what = NULL;
      g_autoptr(JsonNode) body = NULL;

      g_setenv ("SECRET_BACKEND", "file", TRUE);
      g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
      g_setenv ("SECRET_FILE_TEST_PASSWORD", "test", TRUE);
      fake_server_set_token (server, BACKEND_TOKEN);

      /* Nothing set up yet. */
      what = dial_async ("backend", uri, NULL, NULL, &error);
      g_assert_null (what);
      g_assert_error (error, CN_DIALER_ERROR, CN_DIALER_ERROR_NO_DIALER);
      assert_sentence (error);
      g_clear_error (&error);

      settings = g_settings_new (APP_ID);
      g_settings_set_string (settings, "backend-url", fake_server_get_base_url (server));
      g_assert_true (cn_secret_store_sync (CN_SECRET_BACKEND_TOKEN, BACKEND_TOKEN, NULL,
                                           &error));
      g_assert_no_error (error);

      what = dial_async ("backend", uri, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (what, ==, "Team backend");
      body = initiate_body (server);
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (body),
                                                      "recipient_number"), ==, "+15551234567");

      fake_server_free (server);
      remove_tree (root);
      return;
    }

  run_in_subprocess ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dialer/parse-setting", test_parse_setting);
  g_test_add_func ("/dialer/command/arguments", test_command_arguments);
  g_test_add_func ("/dialer/command/errors", test_command_errors);
  g_test_add_func ("/dialer/app/missing", test_app_missing);
  g_test_add_func ("/dialer/auto/no-handlers", test_auto_no_handlers);
  g_test_add_func ("/dialer/auto/never-dials-itself", test_auto_never_dials_itself);
  g_test_add_func ("/dialer/auto/finds-softphone", test_auto_finds_softphone);
  g_test_add_func ("/dialer/auto/prefers-default", test_auto_prefers_default);
  g_test_add_func ("/dialer/auto/sip-only", test_auto_sip_only);
  g_test_add_func ("/dialer/backend/initiate", test_backend);
  g_test_add_func ("/dialer/backend/reads-settings", test_backend_reads_settings);

  return g_test_run ();
}
