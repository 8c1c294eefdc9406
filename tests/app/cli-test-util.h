/* cli-test-util.h: what the command-line tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

/* @text as JSON (what a command printed); fails the test, showing the
 * start of @text, when it is not. */
static inline JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_data (parser, text, -1, &error))
    g_error ("not JSON (%s): %.2000s", error->message, text);

  return json_node_copy (json_parser_get_root (parser));
}

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

/* A command-line test's folder and the environment of its children. */
typedef struct {
  char  *dir;        /* the test's temporary folder */
  char  *data_dir;   /* CALLNOTES_DATA_DIR */
  char **envp;       /* the child's environment */
} Fixture;

/* What a child did. */
typedef struct {
  int   status;      /* exit status; the test fails when the child was killed */
  char *out;
  char *err;
} Result;

static inline void
result_clear (Result *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

static inline void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  cli_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->data_dir);
  g_strfreev (f->envp);
}

static inline void
assert_exit (const Result *r,
             int           expected)
{
  if (r->status != expected)
    g_error ("exit status %d, expected %d; stdout: %.2000s stderr: %.2000s", r->status, expected,
             r->out, r->err);
}

static inline void
assert_contains (const char *haystack,
                 const char *needle)
{
  if (strstr (haystack, needle) == NULL)
    g_error ("“%.3000s” does not contain “%s”", haystack, needle);
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
