/* cli-test-util.h: what the command-line tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>

/* Removes @path and everything below it (symlinks are not followed). */
static inline void
cli_test_remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          cli_test_remove_tree (child);
        }
    }

  g_remove (path);
}

/* The environment of a `callnotes` child: no display at all (the verbs
 * must not need one), its data in @data_dir, never the real user's config
 * or data (both below @dir), New York time and a UTF-8 C locale. */
static inline char **
cli_test_environ (const char *dir,
                  const char *data_dir)
{
  g_autofree char *config = g_build_filename (dir, "config", NULL);
  g_autofree char *share = g_build_filename (dir, "share", NULL);
  char **envp = g_get_environ ();

  envp = g_environ_unsetenv (envp, "DISPLAY");
  envp = g_environ_unsetenv (envp, "WAYLAND_DISPLAY");
  envp = g_environ_setenv (envp, "CALLNOTES_DATA_DIR", data_dir, TRUE);
  envp = g_environ_setenv (envp, "XDG_CONFIG_HOME", config, TRUE);
  envp = g_environ_setenv (envp, "XDG_DATA_HOME", share, TRUE);
  envp = g_environ_setenv (envp, "TZ", "America/New_York", TRUE);
  envp = g_environ_setenv (envp, "LC_ALL", "C.UTF-8", TRUE);
  return envp;
}
