/* test-secrets.c: the sync credentials (libsecret), `callnotes secret` and
 * the sync configuration
 *
 * libsecret runs on its file backend (SECRET_BACKEND=file) with a keyring
 * file in a temporary folder, set before the first libsecret call. That
 * backend reads its file once per process, so the command-line tests give
 * each child a keyring of its own and check what it stored with another
 * child: this binary run as `--lookup-helper NAME`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE   /* memmem, posix_openpt */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gio.h>
#include <gio/gsettingsbackend.h>
#include <glib/gstdio.h>

#include "cn-secrets.h"
#include "cn-sync-config.h"

#define KEYRING_PASSWORD "test-keyring-password"

/* Exit codes of the helper modes. */
#define HELPER_NOT_STORED 3
#define HELPER_FAILED     4

static char *tmp_dir;        /* everything a test writes goes below it */
static char *inproc_keyring; /* the keyring of this process */
static char *self_exe;       /* this binary, for the helper modes */
static guint keyring_counter;

/* ---- helpers -------------------------------------------------------------- */

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

static const char *
callnotes_bin (void)
{
  const char *bin = g_getenv ("CALLNOTES_BIN");

  if (bin == NULL || !g_file_test (bin, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("CALLNOTES_BIN must name the built callnotes binary (got “%s”)",
             bin ? bin : "(unset)");

  return bin;
}

/* A fresh keyring file (not created yet) for the children of one test. */
static char *
new_child_keyring (void)
{
  g_autofree char *name = g_strdup_printf ("child-%u.keyring", ++keyring_counter);

  return g_build_filename (tmp_dir, name, NULL);
}

typedef struct {
  int    status;   /* exit status; the test fails when the child was killed */
  char  *out;
  gsize  out_len;
  char  *err;
  gsize  err_len;
} Result;

static void
result_clear (Result *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

static char *
take_bytes (GBytes *bytes,
            gsize  *len)
{
  gsize size = 0;
  const char *data = bytes != NULL ? g_bytes_get_data (bytes, &size) : NULL;
  char *copy = g_malloc0 (size + 1);

  if (size > 0)
    memcpy (copy, data, size);
  *len = size;
  return copy;
}

/* Everything @stream gives until its end, NUL-terminated. */
static char *
read_to_end (GInputStream *stream,
             gsize        *len)
{
  g_autoptr(GByteArray) all = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  guint8 chunk[4096];
  gssize n;

  while ((n = g_input_stream_read (stream, chunk, sizeof chunk, NULL, &error)) > 0)
    g_byte_array_append (all, chunk, (guint) n);
  g_assert_no_error (error);

  *len = all->len;
  g_byte_array_append (all, (const guint8 *) "", 1);
  return (char *) g_byte_array_free (g_steal_pointer (&all), FALSE);
}

typedef struct {
  GOutputStream *stream;
  const char    *data;
  gsize          len;
} Feed;

/* Writes the child's input from a thread of its own, so that a child that
 * stops reading (and closes the pipe) does not stop the test from reading
 * what the child printed. A broken pipe is not a failure here. */
static gpointer
feed_input (gpointer user_data)
{
  Feed *feed = user_data;

  if (feed->len > 0)
    g_output_stream_write_all (feed->stream, feed->data, feed->len, NULL, NULL, NULL);
  g_output_stream_close (feed->stream, NULL, NULL);
  return NULL;
}

/* Runs @argv (NULL-terminated) with @input (may be NULL: empty) on a pipe
 * as standard input, the keyring file @keyring and, when @password is not
 * NULL, that keyring password. No display: `callnotes secret` must not
 * need one. */
static void
run_child (const char * const *argv,
           const char         *keyring,
           const char         *password,
           const char         *input,
           gsize               input_len,
           Result             *r)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  Feed feed;
  GThread *feeder;

  result_clear (r);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  g_subprocess_launcher_setenv (launcher, "SECRET_FILE_TEST_PATH", keyring, TRUE);
  if (password != NULL)
    g_subprocess_launcher_setenv (launcher, "SECRET_FILE_TEST_PASSWORD", password, TRUE);

  child = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);

  feed.stream = g_subprocess_get_stdin_pipe (child);
  feed.data = input;
  feed.len = input != NULL ? input_len : 0;
  feeder = g_thread_new ("feed-input", feed_input, &feed);

  /* The children print little: reading one stream after the other cannot
   * fill the other's pipe. */
  r->out = read_to_end (g_subprocess_get_stdout_pipe (child), &r->out_len);
  r->err = read_to_end (g_subprocess_get_stderr_pipe (child), &r->err_len);
  g_thread_join (feeder);

  g_subprocess_wait (child, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (child));
  r->status = g_subprocess_get_exit_status (child);
}

/* `callnotes ARGS...` with @input on standard input. */
#define RUN_CLI(keyring, input, input_len, r, ...) \
  G_STMT_START { \
    const char *run_argv_[] = { callnotes_bin (), __VA_ARGS__, NULL }; \
    run_child (run_argv_, (keyring), KEYRING_PASSWORD, (input), (input_len), (r)); \
  } G_STMT_END

static void
assert_exit (const Result *r,
             int           expected)
{
  if (r->status != expected)
    g_error ("exit status %d, expected %d\nstdout: %s\nstderr: %s", r->status, expected,
             r->out, r->err);
}

static void
assert_contains (const char *haystack,
                 const char *needle)
{
  if (strstr (haystack, needle) == NULL)
    g_error ("“%s” not found in:\n%s", needle, haystack);
}

/* @value appears in neither stream of @r (binary-safe). */
static void
assert_not_shown (const Result *r,
                  const char   *value)
{
  gsize len = strlen (value);

  g_assert_cmpuint (len, >, 0);
  if (memmem (r->out, r->out_len, value, len) != NULL)
    g_error ("the secret value was printed on stdout:\n%s", r->out);
  if (memmem (r->err, r->err_len, value, len) != NULL)
    g_error ("the secret value was printed on stderr:\n%s", r->err);
}

/* What @keyring holds under @name, read by a child of its own; NULL when
 * nothing is stored. */
static char *
child_lookup (const char *keyring,
              const char *name)
{
  const char *argv[] = { self_exe, "--lookup-helper", name, NULL };
  g_auto(Result) r = { 0 };

  run_child (argv, keyring, KEYRING_PASSWORD, NULL, 0, &r);
  if (r.status == HELPER_NOT_STORED)
    return NULL;
  assert_exit (&r, 0);

  return g_steal_pointer (&r.out);
}

static void
assert_child_lookup (const char *keyring,
                     const char *name,
                     const char *expected)
{
  g_autofree char *value = child_lookup (keyring, name);

  g_assert_cmpstr (value, ==, expected);
}

static void
clear_all_inproc (void)
{
  const char *names[] = { CN_SECRET_BACKEND_TOKEN, CN_SECRET_ONTRAPORT_APP_ID,
                          CN_SECRET_ONTRAPORT_KEY };
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_assert_true (cn_secret_clear_sync (names[i], NULL, &error));
      g_assert_no_error (error);
    }
}

static char *
lookup (const char *name)
{
  g_autoptr(GError) error = NULL;
  char *value = cn_secret_lookup_sync (name, NULL, &error);

  g_assert_no_error (error);
  return value;
}

/* ---- in-process: store, look up, clear -------------------------------------- */

static void
test_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CnSecret) value = NULL;

  clear_all_inproc ();

  /* Nothing stored: NULL without an error. */
  value = cn_secret_lookup_sync (CN_SECRET_BACKEND_TOKEN, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (value);

  g_assert_true (cn_secret_store_sync (CN_SECRET_BACKEND_TOKEN, "token-one", NULL, &error));
  g_assert_no_error (error);
  value = lookup (CN_SECRET_BACKEND_TOKEN);
  g_assert_cmpstr (value, ==, "token-one");
  g_clear_pointer (&value, cn_secret_free);

  /* Storing again replaces the value (one item per name). */
  g_assert_true (cn_secret_store_sync (CN_SECRET_BACKEND_TOKEN, "token-two", NULL, &error));
  g_assert_no_error (error);
  value = lookup (CN_SECRET_BACKEND_TOKEN);
  g_assert_cmpstr (value, ==, "token-two");
  g_clear_pointer (&value, cn_secret_free);

  /* The names are separate. */
  g_assert_true (cn_secret_store_sync (CN_SECRET_ONTRAPORT_APP_ID, "2_12345_abcdef", NULL,
                                       &error));
  g_assert_no_error (error);
  g_assert_true (cn_secret_store_sync (CN_SECRET_ONTRAPORT_KEY, "Kéy-with-ünicode-✓", NULL,
                                       &error));
  g_assert_no_error (error);

  value = lookup (CN_SECRET_ONTRAPORT_APP_ID);
  g_assert_cmpstr (value, ==, "2_12345_abcdef");
  g_clear_pointer (&value, cn_secret_free);
  value = lookup (CN_SECRET_ONTRAPORT_KEY);
  g_assert_cmpstr (value, ==, "Kéy-with-ünicode-✓");
  g_clear_pointer (&value, cn_secret_free);
  value = lookup (CN_SECRET_BACKEND_TOKEN);
  g_assert_cmpstr (value, ==, "token-two");
  g_clear_pointer (&value, cn_secret_free);

  /* Clearing one leaves the others. */
  g_assert_true (cn_secret_clear_sync (CN_SECRET_BACKEND_TOKEN, NULL, &error));
  g_assert_no_error (error);
  value = lookup (CN_SECRET_BACKEND_TOKEN);
  g_assert_null (value);
  value = lookup (CN_SECRET_ONTRAPORT_APP_ID);
  g_assert_cmpstr (value, ==, "2_12345_abcdef");
  g_clear_pointer (&value, cn_secret_free);

  /* Clearing what is not stored succeeds. */
  g_assert_true (cn_secret_clear_sync (CN_SECRET_BACKEND_TOKEN, NULL, &error));
  g_assert_no_error (error);

  /* The longest value accepted goes through whole. */
  {
    g_autofree char *longest = g_strnfill (CN_SECRET_MAX_LENGTH, 'x');

    g_assert_true (cn_secret_store_sync (CN_SECRET_BACKEND_TOKEN, longest, NULL, &error));
    g_assert_no_error (error);
    value = lookup (CN_SECRET_BACKEND_TOKEN);
    g_assert_cmpstr (value, ==, longest);
    g_clear_pointer (&value, cn_secret_free);
  }

  clear_all_inproc ();
}

/* The keyring file on disk is encrypted: the value is not in it. */
static void
test_keyring_file_is_encrypted (void)
{
  const char *canary = "plaintext-canary-5521-zq";
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (cn_secret_store_sync (CN_SECRET_ONTRAPORT_KEY, canary, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (inproc_keyring, &contents, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (len, >, 0);
  g_assert_null (memmem (contents, len, canary, strlen (canary)));

  clear_all_inproc ();
}

static void
on_async_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *slot;
}

static void
test_async (void)
{
  g_autoptr(GAsyncResult) stored = NULL;
  g_autoptr(GAsyncResult) looked_up = NULL;
  g_autoptr(GAsyncResult) bad_name = NULL;
  g_autoptr(GAsyncResult) bad_value = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CnSecret) value = NULL;

  clear_all_inproc ();

  cn_secret_store (CN_SECRET_BACKEND_TOKEN, "async-token", NULL, on_async_done, &stored);
  g_assert_true (cn_secret_store_finish (wait_for (&stored), &error));
  g_assert_no_error (error);

  cn_secret_lookup (CN_SECRET_BACKEND_TOKEN, NULL, on_async_done, &looked_up);
  value = cn_secret_lookup_finish (wait_for (&looked_up), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "async-token");

  /* Refusals come through the callback too. */
  cn_secret_lookup ("no-such-name", NULL, on_async_done, &bad_name);
  g_assert_null (cn_secret_lookup_finish (wait_for (&bad_name), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  cn_secret_store (CN_SECRET_BACKEND_TOKEN, "two\nlines", NULL, on_async_done, &bad_value);
  g_assert_false (cn_secret_store_finish (wait_for (&bad_value), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* The refused value did not replace the stored one. */
  g_clear_pointer (&value, cn_secret_free);
  value = lookup (CN_SECRET_BACKEND_TOKEN);
  g_assert_cmpstr (value, ==, "async-token");

  clear_all_inproc ();
}

static void
test_invalid_names (void)
{
  const char *names[] = { "", "backend", "Backend-Token", "backend-token ", " backend-token",
                          "backend_token", "ontraport-key", "xdg:schema", "name" };

  g_assert_true (cn_secret_name_is_valid (CN_SECRET_BACKEND_TOKEN));
  g_assert_true (cn_secret_name_is_valid (CN_SECRET_ONTRAPORT_APP_ID));
  g_assert_true (cn_secret_name_is_valid (CN_SECRET_ONTRAPORT_KEY));
  g_assert_false (cn_secret_name_is_valid (NULL));

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (cn_secret_name_is_valid (names[i]));

      g_assert_null (cn_secret_lookup_sync (names[i], NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      /* The message tells the names that work. */
      assert_contains (error->message, CN_SECRET_BACKEND_TOKEN);
      g_clear_error (&error);

      g_assert_false (cn_secret_store_sync (names[i], "value", NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);

      g_assert_false (cn_secret_clear_sync (names[i], NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }
}

static void
test_invalid_values (void)
{
  g_autofree char *too_long = g_strnfill (CN_SECRET_MAX_LENGTH + 1, 'a');
  const char *values[] = {
    "",
    "SECRET-one\nline-two",
    "SECRET-trailing-newline\n",
    "SECRET-carriage\r",
    "SECRET\ttab",
    "SECRET\x7f" "del",
    "SECRET\x1b[31m",
    "SECRET-bad-utf8-\xff\xfe",
    "SECRET-overlong-\xc0\xaf",
    too_long,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(CnSecret) value = NULL;

  clear_all_inproc ();
  g_assert_true (cn_secret_store_sync (CN_SECRET_BACKEND_TOKEN, "kept", NULL, &error));
  g_assert_no_error (error);

  for (gsize i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *shown = g_strescape (values[i], NULL);

      g_test_message ("value “%.40s”", shown);

      g_assert_false (cn_secret_check_value (values[i], -1, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);

      g_assert_false (cn_secret_store_sync (CN_SECRET_BACKEND_TOKEN, values[i], NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      /* The message never repeats the value. */
      if (values[i][0] != '\0')
        g_assert_null (strstr (error->message, "SECRET"));
      g_assert_null (strstr (error->message, "aaaaaaaa"));
      g_clear_error (&error);
    }

  /* With a length: a NUL inside is refused, not cut off. */
  g_assert_false (cn_secret_check_value ("ab\0cd", 5, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (cn_secret_check_value ("ab\0cd", 2, &error));
  g_assert_no_error (error);
  g_assert_false (cn_secret_check_value (NULL, -1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* Printable ASCII, spaces inside and non-ASCII letters are fine. */
  g_assert_true (cn_secret_check_value ("a b=c/+~!@#$%^&*()_-{}[]|\\:;\"'<>,.?", -1, &error));
  g_assert_true (cn_secret_check_value ("Grüße-日本", -1, &error));
  g_assert_no_error (error);

  /* Nothing refused replaced the stored value. */
  value = lookup (CN_SECRET_BACKEND_TOKEN);
  g_assert_cmpstr (value, ==, "kept");

  clear_all_inproc ();
}

static void
test_wipe (void)
{
  char buffer[32];
  char *secret = g_strdup ("wipe-me");

  memset (buffer, 'z', sizeof buffer);
  cn_secret_wipe (buffer, sizeof buffer);
  for (gsize i = 0; i < sizeof buffer; i++)
    g_assert_cmpint (buffer[i], ==, 0);

  cn_secret_wipe (NULL, 10);
  cn_secret_free (NULL);
  cn_secret_free (secret);
}

/* ---- the command line ------------------------------------------------------- */

static void
test_cli_set_from_stdin (void)
{
  g_autofree char *keyring = new_child_keyring ();
  g_autofree char *longest = g_strnfill (CN_SECRET_MAX_LENGTH, 'q');
  g_autofree char *longest_line = g_strconcat (longest, "\n", NULL);
  g_autofree char *too_long = g_strnfill (CN_SECRET_MAX_LENGTH + 1, 'q');
  g_autofree char *far_too_long = g_strnfill (100000, 'q');
  g_auto(Result) r = { 0 };

  /* One trailing "\n" is dropped. */
  RUN_CLI (keyring, "cli-token-7f3a9\n", 16, &r, "secret", "set", "backend-token");
  assert_exit (&r, 0);
  g_assert_cmpstr (r.out, ==, "");
  assert_contains (r.err, "backend-token");
  assert_not_shown (&r, "cli-token-7f3a9");
  assert_child_lookup (keyring, CN_SECRET_BACKEND_TOKEN, "cli-token-7f3a9");

  /* So is one "\r\n"; a new value replaces the old one. */
  RUN_CLI (keyring, "second-value-88\r\n", 17, &r, "secret", "set", "backend-token");
  assert_exit (&r, 0);
  assert_not_shown (&r, "second-value-88");
  assert_child_lookup (keyring, CN_SECRET_BACKEND_TOKEN, "second-value-88");

  /* Without a line end. */
  RUN_CLI (keyring, "key-without-newline", 19, &r, "secret", "set", "ontraport-api-key");
  assert_exit (&r, 0);
  assert_not_shown (&r, "key-without-newline");
  assert_child_lookup (keyring, CN_SECRET_ONTRAPORT_KEY, "key-without-newline");
  assert_child_lookup (keyring, CN_SECRET_BACKEND_TOKEN, "second-value-88");

  /* The longest value, with its line end. */
  RUN_CLI (keyring, longest_line, strlen (longest_line), &r,
           "secret", "set", "ontraport-app-id");
  assert_exit (&r, 0);
  assert_child_lookup (keyring, CN_SECRET_ONTRAPORT_APP_ID, longest);

  /* Refused input changes nothing and is not printed. */
  {
    struct {
      const char *input;
      gsize       len;
      const char *marker;   /* a part of the input that must not be printed */
    } refused[] = {
      { "", 0, NULL },
      { "\n", 1, NULL },
      { "\r\n", 2, NULL },
      { "two-newlines-kept\n\n", 19, "two-newlines-kept" },
      { "first-line-x\nsecond-line-y\n", 27, "second-line-y" },
      { "nul-inside-v\0after-nul\n", 23, "nul-inside-v" },
      { "bad-utf8-w\xff\xfe\n", 13, "bad-utf8-w" },
      { too_long, strlen (too_long), "qqqqqqqqqqqqqqqq" },
      { far_too_long, strlen (far_too_long), "qqqqqqqqqqqqqqqq" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
      {
        g_test_message ("refused input %" G_GSIZE_FORMAT, i);
        RUN_CLI (keyring, refused[i].input, refused[i].len, &r,
                 "secret", "set", "backend-token");
        assert_exit (&r, 2);
        g_assert_cmpstr (r.out, ==, "");
        g_assert_cmpuint (r.err_len, >, 0);
        if (refused[i].marker != NULL)
          assert_not_shown (&r, refused[i].marker);
      }

    assert_child_lookup (keyring, CN_SECRET_BACKEND_TOKEN, "second-value-88");
  }

  /* Nothing of the call database is touched. */
  {
    g_autofree char *data_dir = g_build_filename (tmp_dir, "data", NULL);

    g_assert_false (g_file_test (data_dir, G_FILE_TEST_EXISTS));
  }
}

static void
test_cli_value_argument_refused (void)
{
  g_autofree char *keyring = new_child_keyring ();
  g_auto(Result) r = { 0 };

  /* Nothing stored before: nothing after. */
  RUN_CLI (keyring, "from-stdin-not-used\n", 20, &r,
           "secret", "set", "backend-token", "argv-secret-9x2k");
  assert_exit (&r, 2);
  g_assert_cmpstr (r.out, ==, "");
  assert_contains (r.err, "standard input");
  assert_not_shown (&r, "argv-secret-9x2k");
  assert_not_shown (&r, "from-stdin-not-used");
  assert_child_lookup (keyring, CN_SECRET_BACKEND_TOKEN, NULL);

  /* A stored value stays as it was. */
  RUN_CLI (keyring, "stored-first-1\n", 15, &r, "secret", "set", "backend-token");
  assert_exit (&r, 0);
  RUN_CLI (keyring, NULL, 0, &r, "secret", "set", "backend-token", "argv-secret-9x2k");
  assert_exit (&r, 2);
  assert_not_shown (&r, "argv-secret-9x2k");
  RUN_CLI (keyring, NULL, 0, &r, "secret", "set", "backend-token", "--", "argv-secret-9x2k");
  assert_exit (&r, 2);
  assert_not_shown (&r, "argv-secret-9x2k");
  assert_child_lookup (keyring, CN_SECRET_BACKEND_TOKEN, "stored-first-1");

  /* A value typed where the name goes is not echoed either. */
  RUN_CLI (keyring, NULL, 0, &r, "secret", "set", "argv-secret-9x2k");
  assert_exit (&r, 2);
  assert_not_shown (&r, "argv-secret-9x2k");
  RUN_CLI (keyring, NULL, 0, &r, "secret", "set", "-argv-secret-9x2k");
  assert_exit (&r, 2);
  assert_not_shown (&r, "argv-secret-9x2k");
}

static void
test_cli_unknown_name (void)
{
  g_autofree char *keyring = new_child_keyring ();
  const char *actions[] = { "set", "clear" };
  g_auto(Result) r = { 0 };

  for (gsize i = 0; i < G_N_ELEMENTS (actions); i++)
    {
      RUN_CLI (keyring, "value-for-unknown\n", 18, &r, "secret", actions[i], "frobnicate");
      assert_exit (&r, 2);
      assert_contains (r.err, "backend-token");
      assert_contains (r.err, "ontraport-app-id");
      assert_contains (r.err, "ontraport-api-key");
      assert_not_shown (&r, "value-for-unknown");
    }
}

static void
test_cli_clear (void)
{
  g_autofree char *keyring = new_child_keyring ();
  g_auto(Result) r = { 0 };

  /* Nothing stored yet: clear still succeeds. */
  RUN_CLI (keyring, NULL, 0, &r, "secret", "clear", "ontraport-app-id");
  assert_exit (&r, 0);
  g_assert_cmpstr (r.out, ==, "");
  assert_contains (r.err, "ontraport-app-id");

  RUN_CLI (keyring, "app-id-to-clear\n", 16, &r, "secret", "set", "ontraport-app-id");
  assert_exit (&r, 0);
  RUN_CLI (keyring, "token-to-keep\n", 14, &r, "secret", "set", "backend-token");
  assert_exit (&r, 0);
  assert_child_lookup (keyring, CN_SECRET_ONTRAPORT_APP_ID, "app-id-to-clear");

  RUN_CLI (keyring, NULL, 0, &r, "secret", "clear", "ontraport-app-id");
  assert_exit (&r, 0);
  assert_not_shown (&r, "app-id-to-clear");
  assert_child_lookup (keyring, CN_SECRET_ONTRAPORT_APP_ID, NULL);
  assert_child_lookup (keyring, CN_SECRET_BACKEND_TOKEN, "token-to-keep");

  RUN_CLI (keyring, NULL, 0, &r, "secret", "clear", "ontraport-app-id");
  assert_exit (&r, 0);
}

static void
test_cli_usage (void)
{
  g_autofree char *keyring = new_child_keyring ();
  g_auto(Result) r = { 0 };

  RUN_CLI (keyring, NULL, 0, &r, "secret");
  assert_exit (&r, 2);
  RUN_CLI (keyring, NULL, 0, &r, "secret", "frob", "backend-token");
  assert_exit (&r, 2);
  RUN_CLI (keyring, NULL, 0, &r, "secret", "set");
  assert_exit (&r, 2);
  assert_contains (r.err, "backend-token");
  RUN_CLI (keyring, NULL, 0, &r, "secret", "clear");
  assert_exit (&r, 2);
  RUN_CLI (keyring, NULL, 0, &r, "secret", "clear", "backend-token", "extra");
  assert_exit (&r, 2);

  RUN_CLI (keyring, NULL, 0, &r, "secret", "--help");
  assert_exit (&r, 0);
  g_assert_cmpstr (r.err, ==, "");
  assert_contains (r.out, "secret set NAME");
  assert_contains (r.out, "secret clear NAME");
  assert_contains (r.out, "backend-token");
  assert_contains (r.out, "ontraport-app-id");
  assert_contains (r.out, "ontraport-api-key");

  RUN_CLI (keyring, NULL, 0, &r, "help", "secret");
  assert_exit (&r, 0);
  assert_contains (r.out, "secret set NAME");

  RUN_CLI (keyring, NULL, 0, &r, "--help");
  assert_exit (&r, 0);
  assert_contains (r.out, "secret");

  /* None of this wrote a keyring. */
  g_assert_false (g_file_test (keyring, G_FILE_TEST_EXISTS));
}

/* On a terminal the value is typed with echo off: the prompt goes to
 * stderr, the terminal shows none of the value, and echo is back on after. */
static void
test_cli_terminal (void)
{
  g_autofree char *keyring = new_child_keyring ();
  const char *typed = "typed-on-tty-31q\n";
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) screen = g_string_new (NULL);
  const char *argv[] = { callnotes_bin (), "secret", "set", "backend-token", NULL };
  struct termios settings;
  gint64 deadline;
  const char *slave_name;
  int master, slave;
  char chunk[256];
  ssize_t n;

  master = posix_openpt (O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt (master) != 0 || unlockpt (master) != 0 ||
      (slave_name = ptsname (master)) == NULL ||
      (slave = open (slave_name, O_RDWR | O_NOCTTY)) < 0)
    {
      if (master >= 0)
        close (master);
      g_test_skip ("no pseudo-terminal available");
      return;
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  g_subprocess_launcher_setenv (launcher, "SECRET_FILE_TEST_PATH", keyring, TRUE);
  /* The launcher keeps the terminal open until it is freed, after the
   * last read of the screen. */
  g_subprocess_launcher_take_stdin_fd (launcher, slave);

  child = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);

  /* Type only once echo is off (the child flushes earlier input). */
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (TRUE)
    {
      g_assert_cmpint (tcgetattr (master, &settings), ==, 0);
      if ((settings.c_lflag & ECHO) == 0)
        break;
      if (g_get_monotonic_time () > deadline)
        g_error ("the child did not turn echo off");
      g_usleep (10000);
    }

  g_assert_cmpint (write (master, typed, strlen (typed)), ==, (ssize_t) strlen (typed));

  g_subprocess_communicate (child, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (child));

  {
    gsize err_len = 0;
    g_autofree char *err_text = take_bytes (err, &err_len);

    if (g_subprocess_get_exit_status (child) != 0)
      g_error ("exit status %d\nstderr: %s", g_subprocess_get_exit_status (child), err_text);
    assert_contains (err_text, "Enter the value for backend-token:");
    g_assert_null (strstr (err_text, "typed-on-tty-31q"));
  }

  /* What the terminal showed: at most the line end, never the value. */
  g_assert_cmpint (fcntl (master, F_SETFL, fcntl (master, F_GETFL) | O_NONBLOCK), ==, 0);
  while ((n = read (master, chunk, sizeof chunk)) > 0)
    g_string_append_len (screen, chunk, n);
  g_assert_null (strstr (screen->str, "typed-on-tty-31q"));

  /* Echo is on again. */
  g_assert_cmpint (tcgetattr (master, &settings), ==, 0);
  g_assert_true ((settings.c_lflag & ECHO) != 0);

  close (master);

  assert_child_lookup (keyring, CN_SECRET_BACKEND_TOKEN, "typed-on-tty-31q");
}

/* ---- the sync configuration ------------------------------------------------- */

static void
test_config_defaults (void)
{
  g_autoptr(CnSyncConfig) config = cn_sync_config_new ();
  g_autoptr(CnSyncConfig) loaded = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (config->backend_url == NULL || config->backend_url[0] == '\0');
  g_assert_true (config->backend_enabled);
  g_assert_false (config->ontraport_enabled);
  g_assert_cmpstr (config->ontraport_base_url, ==, "https://api.ontraport.com/1");
  g_assert_cmpint (config->task_mode, ==, CN_TASK_MODE_OBJECT);
  g_assert_cmpuint (config->task_object_id, ==, 50);
  g_assert_cmpuint (config->concurrency, ==, 4);
  g_assert_cmpuint (config->timeout_seconds, ==, 30);
  g_assert_null (config->backend_token);
  g_assert_null (config->ontraport_app_id);
  g_assert_null (config->ontraport_api_key);
  g_assert_cmpint (cn_sync_config_get_targets (config), ==, CN_SYNC_TARGET_BACKEND);

  /* No settings and no secrets: the same defaults. */
  clear_all_inproc ();
  loaded = cn_sync_config_load (NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  g_assert_true (loaded->backend_enabled);
  g_assert_false (loaded->ontraport_enabled);
  g_assert_cmpstr (loaded->ontraport_base_url, ==, "https://api.ontraport.com/1");
  g_assert_cmpuint (loaded->concurrency, ==, 4);
  g_assert_cmpuint (loaded->timeout_seconds, ==, 30);
  g_assert_null (loaded->backend_token);
  g_assert_null (loaded->ontraport_app_id);
  g_assert_null (loaded->ontraport_api_key);
}

static void
test_config_load (void)
{
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();
  g_autoptr(GSettings) settings = g_settings_new_with_backend (APP_ID, backend);
  g_autoptr(CnSyncConfig) config = NULL;
  g_autoptr(CnSyncConfig) copy = NULL;
  g_autoptr(CnSyncConfig) defaults = NULL;
  g_autoptr(GError) error = NULL;

  /* The schema's defaults first. */
  clear_all_inproc ();
  defaults = cn_sync_config_load (settings, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (defaults->backend_url, ==, "");
  g_assert_true (defaults->backend_enabled);
  g_assert_false (defaults->ontraport_enabled);
  g_assert_cmpstr (defaults->ontraport_base_url, ==, "https://api.ontraport.com/1");
  g_assert_cmpint (defaults->task_mode, ==, CN_TASK_MODE_OBJECT);
  g_assert_cmpuint (defaults->task_object_id, ==, 50);
  g_assert_cmpuint (defaults->concurrency, ==, 4);
  g_assert_null (defaults->backend_token);

  g_settings_set_string (settings, "backend-url", "https://crm.example.com/");
  g_settings_set_string (settings, "workspace-id", "w1");
  g_settings_set_boolean (settings, "backend-enabled", FALSE);
  g_settings_set_boolean (settings, "ontraport-enabled", TRUE);
  g_settings_set_string (settings, "ontraport-base-url", "http://127.0.0.1:8080/1/");
  g_settings_set_string (settings, "ontraport-task-mode", "assign");
  g_settings_set_uint (settings, "ontraport-task-object-id", 51);
  g_settings_set_uint (settings, "ontraport-task-template-id", 7);
  g_settings_set_uint (settings, "ontraport-task-owner-id", 9);
  g_settings_set_uint (settings, "sync-concurrency", 8);

  g_assert_true (cn_secret_store_sync (CN_SECRET_BACKEND_TOKEN, "cfg-token", NULL, &error));
  g_assert_true (cn_secret_store_sync (CN_SECRET_ONTRAPORT_APP_ID, "cfg-app", NULL, &error));
  g_assert_true (cn_secret_store_sync (CN_SECRET_ONTRAPORT_KEY, "cfg-key", NULL, &error));
  g_assert_no_error (error);

  config = cn_sync_config_load (settings, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);

  g_assert_cmpstr (config->backend_url, ==, "https://crm.example.com");
  g_assert_cmpstr (config->workspace_id, ==, "w1");
  g_assert_false (config->backend_enabled);
  g_assert_true (config->ontraport_enabled);
  g_assert_cmpstr (config->ontraport_base_url, ==, "http://127.0.0.1:8080/1");
  g_assert_cmpint (config->task_mode, ==, CN_TASK_MODE_ASSIGN);
  g_assert_cmpuint (config->task_object_id, ==, 51);
  g_assert_cmpuint (config->task_template_id, ==, 7);
  g_assert_cmpuint (config->task_owner_id, ==, 9);
  g_assert_cmpuint (config->concurrency, ==, 8);
  g_assert_cmpuint (config->timeout_seconds, ==, 30);
  g_assert_cmpstr (config->backend_token, ==, "cfg-token");
  g_assert_cmpstr (config->ontraport_app_id, ==, "cfg-app");
  g_assert_cmpstr (config->ontraport_api_key, ==, "cfg-key");
  g_assert_cmpint (cn_sync_config_get_targets (config), ==, CN_SYNC_TARGETS_ONTRAPORT);

  /* A copy is deep and owns its secrets. */
  copy = cn_sync_config_copy (config);
  g_clear_pointer (&config, cn_sync_config_free);
  g_assert_cmpstr (copy->backend_url, ==, "https://crm.example.com");
  g_assert_cmpstr (copy->backend_token, ==, "cfg-token");
  g_assert_cmpstr (copy->ontraport_api_key, ==, "cfg-key");
  g_assert_cmpuint (copy->task_template_id, ==, 7);

  /* Both targets on. */
  g_settings_set_boolean (settings, "backend-enabled", TRUE);
  config = cn_sync_config_load (settings, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cn_sync_config_get_targets (config), ==, CN_SYNC_TARGETS_ALL);
  g_clear_pointer (&config, cn_sync_config_free);

  /* Neither. */
  g_settings_set_boolean (settings, "backend-enabled", FALSE);
  g_settings_set_boolean (settings, "ontraport-enabled", FALSE);
  config = cn_sync_config_load (settings, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cn_sync_config_get_targets (config), ==, 0);
  g_clear_pointer (&config, cn_sync_config_free);

  /* A secret cleared later is NULL again. */
  g_assert_true (cn_secret_clear_sync (CN_SECRET_ONTRAPORT_KEY, NULL, &error));
  config = cn_sync_config_load (settings, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (config->ontraport_api_key);
  g_assert_cmpstr (config->backend_token, ==, "cfg-token");

  clear_all_inproc ();
}

static void
test_config_cancelled (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  CnSyncConfig *config;

  g_cancellable_cancel (cancellable);
  config = cn_sync_config_load (NULL, cancellable, &error);
  g_assert_null (config);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* A keyring that cannot be read does not stop the load: the secrets stay
 * NULL, a log line says why and names none of the values. */
static void
test_config_keyring_unreadable (void)
{
  g_autofree char *keyring = new_child_keyring ();
  g_autofree char *damaged = new_child_keyring ();
  const char *argv[] = { self_exe, "--load-config-helper", NULL };
  g_autoptr(GError) error = NULL;
  g_auto(Result) r = { 0 };

  RUN_CLI (keyring, "locked-away-77c\n", 16, &r, "secret", "set", "backend-token");
  assert_exit (&r, 0);

  /* The right password: the helper sees it. */
  run_child (argv, keyring, KEYRING_PASSWORD, NULL, 0, &r);
  assert_exit (&r, 0);
  g_assert_cmpstr (r.out, ==, "token=set app-id=unset api-key=unset\n");

  /* Another password: libsecret cannot decrypt the item, so it is not there. */
  run_child (argv, keyring, "not-the-password", NULL, 0, &r);
  assert_exit (&r, 0);
  g_assert_cmpstr (r.out, ==, "token=unset app-id=unset api-key=unset\n");
  assert_not_shown (&r, "locked-away-77c");

  /* A damaged keyring file: every lookup fails; the load still succeeds. */
  g_assert_true (g_file_set_contents (damaged, "not a keyring locked-away-77c\n", -1, &error));
  g_assert_no_error (error);
  run_child (argv, damaged, KEYRING_PASSWORD, NULL, 0, &r);
  assert_exit (&r, 0);
  g_assert_cmpstr (r.out, ==, "token=unset app-id=unset api-key=unset\n");
  assert_contains (r.err, "backend-token");
  assert_contains (r.err, "ontraport-api-key");
  assert_not_shown (&r, "locked-away-77c");
  assert_not_shown (&r, KEYRING_PASSWORD);
}

/* ---- base URLs ---------------------------------------------------------------- */

static void
test_check_base_url (void)
{
  const char *accepted[] = {
    "https://crm.example.com",
    "https://crm.example.com/",
    "https://crm.example.com:8443/api/base",
    "HTTPS://CRM.EXAMPLE.COM",
    "https://api.ontraport.com/1",
    "https://[2001:db8::1]:8443",
    "https://192.0.2.10",
    "http://localhost",
    "http://localhost:3000",
    "http://LocalHost:3000/",
    "http://127.0.0.1:8080",
    "http://127.0.0.1:8080/1",
    "http://127.1.2.3",
    "http://127.255.255.254:1",
    "http://[::1]",
    "http://[::1]:8080/base",
  };
  const char *refused[] = {
    "",
    "http://example.com",
    "http://crm.example.com:80",
    "http://128.0.0.1",
    "http://10.0.0.1",
    "http://192.168.1.10:8080",
    "http://[::2]",
    "http://[::ffff:127.0.0.1]",
    "http://localhost.example.com",
    "http://127.0.0.1.example.com",
    "http://api.localhost",
    "ftp://example.com",
    "file:///etc/passwd",
    "ws://localhost",
    "javascript:alert(1)",
    "mailto:a@example.com",
    "https://",
    "https:///path",
    "http://",
    "https:example.com",
    "crm.example.com",
    "//crm.example.com",
    "https://user:s3cr3tpw@crm.example.com",
    "https://user@crm.example.com",
    "http://user:s3cr3tpw@localhost",
    "https://crm.example.com/?token=abc",
    "https://crm.example.com/#top",
    "https://crm example.com",
    "https://crm.example.com/a b",
    "https://[::1",
  };
  g_autofree char *padding = g_strnfill (5000, 'a');
  g_autofree char *too_long = g_strconcat ("https://example.com/", padding, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("accepted: %s", accepted[i]);
      g_assert_true (cn_sync_check_base_url (accepted[i], &error));
      g_assert_no_error (error);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("refused: %s", refused[i]);
      g_assert_false (cn_sync_check_base_url (refused[i], &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_cmpstr (error->message, !=, "");
      /* A password in the address is never repeated. */
      g_assert_null (strstr (error->message, "s3cr3tpw"));
    }

  g_assert_false (cn_sync_check_base_url (NULL, NULL));

  /* The reasons are told apart. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (cn_sync_check_base_url ("http://example.com", &error));
    assert_contains (error->message, "https://");
    assert_contains (error->message, "localhost");
    g_clear_error (&error);

    g_assert_false (cn_sync_check_base_url ("https://user:s3cr3tpw@crm.example.com", &error));
    assert_contains (error->message, "password");
    g_clear_error (&error);

    g_assert_false (cn_sync_check_base_url ("ftp://example.com", &error));
    assert_contains (error->message, "https://");
  }

  g_assert_false (cn_sync_check_base_url (too_long, NULL));
}

/* ---- helper modes and main ---------------------------------------------------- */

static int
run_lookup_helper (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CnSecret) value = cn_secret_lookup_sync (name, NULL, &error);

  if (error != NULL)
    {
      g_printerr ("%s\n", error->message);
      return HELPER_FAILED;
    }
  if (value == NULL)
    return HELPER_NOT_STORED;

  g_print ("%s", value);
  return 0;
}

static int
run_load_config_helper (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CnSyncConfig) config = cn_sync_config_load (NULL, NULL, &error);

  if (config == NULL)
    {
      g_printerr ("%s\n", error->message);
      return HELPER_FAILED;
    }

  g_print ("token=%s app-id=%s api-key=%s\n",
           config->backend_token != NULL ? "set" : "unset",
           config->ontraport_app_id != NULL ? "set" : "unset",
           config->ontraport_api_key != NULL ? "set" : "unset");
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *share = NULL;
  g_autofree char *config = NULL;
  g_autofree char *data = NULL;
  int status;

  /* The helper modes run in a child with the parent's environment. */
  if (argc == 3 && g_str_equal (argv[1], "--lookup-helper"))
    return run_lookup_helper (argv[2]);
  if (argc == 2 && g_str_equal (argv[1], "--load-config-helper"))
    return run_load_config_helper ();

  /* A child that exits before reading its input closes the pipe. */
  signal (SIGPIPE, SIG_IGN);

  tmp_dir = g_dir_make_tmp ("callnotes-secrets-XXXXXX", &error);
  g_assert_no_error (error);
  self_exe = g_file_read_link ("/proc/self/exe", &error);
  g_assert_no_error (error);

  /* Before the first libsecret call, and inherited by every child: the file
   * backend in the temporary folder, never the user's keyring or files. */
  inproc_keyring = g_build_filename (tmp_dir, "inproc.keyring", NULL);
  share = g_build_filename (tmp_dir, "share", NULL);
  config = g_build_filename (tmp_dir, "config", NULL);
  data = g_build_filename (tmp_dir, "data", NULL);
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", inproc_keyring, TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", KEYRING_PASSWORD, TRUE);
  g_setenv ("XDG_DATA_HOME", share, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("CALLNOTES_DATA_DIR", data, TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/secrets/round-trip", test_round_trip);
  g_test_add_func ("/secrets/keyring-file-is-encrypted", test_keyring_file_is_encrypted);
  g_test_add_func ("/secrets/async", test_async);
  g_test_add_func ("/secrets/invalid-names", test_invalid_names);
  g_test_add_func ("/secrets/invalid-values", test_invalid_values);
  g_test_add_func ("/secrets/wipe", test_wipe);
  g_test_add_func ("/secrets/cli/set-from-stdin", test_cli_set_from_stdin);
  g_test_add_func ("/secrets/cli/value-argument-refused", test_cli_value_argument_refused);
  g_test_add_func ("/secrets/cli/unknown-name", test_cli_unknown_name);
  g_test_add_func ("/secrets/cli/clear", test_cli_clear);
  g_test_add_func ("/secrets/cli/usage", test_cli_usage);
  g_test_add_func ("/secrets/cli/terminal", test_cli_terminal);
  g_test_add_func ("/sync-config/defaults", test_config_defaults);
  g_test_add_func ("/sync-config/load", test_config_load);
  g_test_add_func ("/sync-config/cancelled", test_config_cancelled);
  g_test_add_func ("/sync-config/keyring-unreadable", test_config_keyring_unreadable);
  g_test_add_func ("/sync-config/check-base-url", test_check_base_url);

  status = g_test_run ();

  remove_tree (tmp_dir);
  g_free (tmp_dir);
  g_free (inproc_keyring);
  g_free (self_exe);

  return status;
}
