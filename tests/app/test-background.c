/* test-background.c: starting at login, and running without a window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>

#include <glib/gstdio.h>

#include "cn-background.h"

static char *root;

/* Start at Login writes an autostart entry that starts the app hidden, and
 * switching it off removes it. */
static void
test_autostart_entry (void)
{
  g_autofree char *path = cn_background_autostart_path ();
  g_autofree char *text = NULL;
  g_autoptr(GKeyFile) entry = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *exec = NULL;

  g_assert_true (g_str_has_prefix (path, root));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  g_assert_true (cn_background_set_autostart (NULL, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (g_key_file_load_from_file (entry, path, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  exec = g_key_file_get_string (entry, "Desktop Entry", "Exec", &error);
  g_assert_cmpstr (exec, ==, "callnotes --background");
  g_assert_true (g_key_file_get_boolean (entry, "Desktop Entry", "X-GNOME-Autostart-enabled",
                                         NULL));

  /* Twice is fine; off removes it; off again is fine too. */
  g_assert_true (cn_background_set_autostart (NULL, TRUE, &error));
  g_assert_true (cn_background_set_autostart (NULL, FALSE, &error));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (cn_background_set_autostart (NULL, FALSE, &error));
  g_assert_no_error (error);
}

/* `callnotes --background` keeps running without a window (it would end at
 * once without one otherwise). */
static void
test_background_start_stays (void)
{
  const char *bin = g_getenv ("CALLNOTES_BIN");
  const char * const argv[] = { bin, "--background", NULL };
  g_autoptr(GSubprocess) app = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline;

  if (g_getenv ("DISPLAY") == NULL)
    {
      g_test_skip ("needs a display");
      return;
    }

  app = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (20000);
    }

  /* Still there: it did not end for want of a window. */
  g_assert_nonnull (g_subprocess_get_identifier (app));
  g_subprocess_send_signal (app, SIGTERM);
  g_subprocess_wait (app, NULL, &error);
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *data = NULL;
  int result;

  root = g_dir_make_tmp ("callnotes-background-XXXXXX", NULL);
  data = g_build_filename (root, "data", NULL);
  g_setenv ("XDG_CONFIG_HOME", root, TRUE);
  g_setenv ("CALLNOTES_DATA_DIR", data, TRUE);

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/background/autostart-entry", test_autostart_entry);
  g_test_add_func ("/app/background/start-stays", test_background_start_stays);
  result = g_test_run ();

  g_free (root);
  return result;
}
