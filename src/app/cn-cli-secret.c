/* cn-cli-secret.c: `callnotes secret set NAME` and `callnotes secret clear NAME`
 *
 * The value of a secret never comes from the command line, where other users
 * (ps, /proc) and the shell's history would see it: `set` reads it from
 * standard input, with echo off when that is a terminal. No message repeats
 * the value, nor any argument that might be one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-cli"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <gio/gio.h>

#include "cn-cli.h"
#include "cn-cli-private.h"
#include "cn-secrets.h"

/* The value, a "\r\n" after it and one byte more to notice a longer input. */
#define VALUE_BUFFER_SIZE (CN_SECRET_MAX_LENGTH + 3)

static void
print_help (FILE *stream)
{
  fprintf (stream, "%s\n", _("Usage:"));
  fprintf (stream, "  callnotes secret set NAME\n");
  fprintf (stream, "  callnotes secret clear NAME\n\n");
  fprintf (stream, "%s\n\n", _("Store or clear a sync credential in the keyring."));
  fprintf (stream, "%s\n", _("“set” reads the value from standard input: typed without echo "
                             "on a terminal, or piped in, for example:"));
  fprintf (stream, "  printf '%%s' \"$TOKEN\" | callnotes secret set %s\n",
           CN_SECRET_BACKEND_TOKEN);
  fprintf (stream, "%s\n\n", _("The value is never taken from the command line."));
  fprintf (stream, "%s\n", _("Names:"));
  fprintf (stream, "  %-18s %s\n", CN_SECRET_BACKEND_TOKEN, _("Access token of the team backend"));
  fprintf (stream, "  %-18s %s\n", CN_SECRET_ONTRAPORT_APP_ID, _("Ontraport app ID (Api-Appid)"));
  fprintf (stream, "  %-18s %s\n", CN_SECRET_ONTRAPORT_KEY, _("Ontraport API key (Api-Key)"));
}

static int
fail_unknown_name (const char *action)
{
  /* The name given is not repeated: it may be a value typed in its place. */
  return cn_cli_fail (CN_EXIT_USAGE, _("secret %s: unknown name; use one of %s, %s, %s."),
                      action, CN_SECRET_BACKEND_TOKEN, CN_SECRET_ONTRAPORT_APP_ID,
                      CN_SECRET_ONTRAPORT_KEY);
}

/* ---- reading the value ------------------------------------------------------ */

/* The terminal's settings while echo is off, put back by a signal that ends
 * the process in the middle of typing. */
static struct termios saved_termios;
static volatile sig_atomic_t termios_changed;

static const int restore_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

static void
on_signal_restore_echo (int signum)
{
  if (termios_changed)
    tcsetattr (STDIN_FILENO, TCSANOW, &saved_termios);
  termios_changed = 0;

  /* Then what the signal would have done. */
  signal (signum, SIG_DFL);
  raise (signum);
}

/* Reads up to a newline (not kept) or the end of input into @buffer. */
static gboolean
read_line (char     *buffer,
           gsize    *length,
           gboolean *too_long,
           GError  **error)
{
  *length = 0;
  *too_long = FALSE;

  while (TRUE)
    {
      char c;
      ssize_t n = read (STDIN_FILENO, &c, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("could not read standard input: %s"), g_strerror (saved_errno));
          return FALSE;
        }
      if (n == 0 || c == '\n')
        break;

      /* Past the limit the rest of the line is read and dropped, so that it
       * does not reach the shell as a command. */
      if (*length < VALUE_BUFFER_SIZE)
        buffer[(*length)++] = c;
      else
        *too_long = TRUE;
    }

  if (*length > 0 && buffer[*length - 1] == '\r')
    buffer[--(*length)] = '\0';

  return TRUE;
}

static gboolean
read_from_terminal (const char *name,
                    char       *buffer,
                    gsize      *length,
                    gboolean   *too_long,
                    GError    **error)
{
  struct sigaction action = { 0 };
  struct sigaction old_actions[G_N_ELEMENTS (restore_signals)];
  struct termios quiet;
  gboolean handlers_set = FALSE;
  gboolean echo_off = FALSE;
  gboolean ok;

  /* Translators: a prompt; %s is the secret's name, e.g. backend-token */
  g_printerr (_("Enter the value for %s:"), name);
  g_printerr (" ");

  if (tcgetattr (STDIN_FILENO, &saved_termios) == 0)
    {
      action.sa_handler = on_signal_restore_echo;
      sigemptyset (&action.sa_mask);
      for (gsize i = 0; i < G_N_ELEMENTS (restore_signals); i++)
        sigaction (restore_signals[i], &action, &old_actions[i]);
      handlers_set = TRUE;

      quiet = saved_termios;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      quiet.c_lflag |= ECHONL;
      termios_changed = 1;
      echo_off = tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
      if (!echo_off)
        termios_changed = 0;
    }

  if (!echo_off)
    {
      g_printerr ("\n");
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("could not turn off echo on the terminal; pipe the value in "
                             "instead."));
      ok = FALSE;
    }
  else
    {
      ok = read_line (buffer, length, too_long, error);

      tcsetattr (STDIN_FILENO, TCSANOW, &saved_termios);
      termios_changed = 0;
    }

  if (handlers_set)
    for (gsize i = 0; i < G_N_ELEMENTS (restore_signals); i++)
      sigaction (restore_signals[i], &old_actions[i], NULL);

  return ok;
}

/* All of standard input (a pipe or a file), at most VALUE_BUFFER_SIZE bytes;
 * one "\n" or "\r\n" at the end is dropped. */
static gboolean
read_from_pipe (char      *buffer,
                gsize     *length,
                gboolean  *too_long,
                GError   **error)
{
  *length = 0;
  *too_long = FALSE;

  while (*length < VALUE_BUFFER_SIZE)
    {
      ssize_t n = read (STDIN_FILENO, buffer + *length, VALUE_BUFFER_SIZE - *length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("could not read standard input: %s"), g_strerror (saved_errno));
          return FALSE;
        }
      if (n == 0)
        break;
      *length += (gsize) n;
    }

  /* Even without its line end the value would be too long. */
  if (*length == VALUE_BUFFER_SIZE)
    {
      *too_long = TRUE;
      return TRUE;
    }

  if (*length > 0 && buffer[*length - 1] == '\n')
    {
      buffer[--(*length)] = '\0';
      if (*length > 0 && buffer[*length - 1] == '\r')
        buffer[--(*length)] = '\0';
    }

  return TRUE;
}

/* ---- the verb ----------------------------------------------------------------- */

static int
secret_set (const char *name)
{
  /* Zeroed and one byte longer than ever filled: always NUL-terminated. */
  char *buffer = g_malloc0 (VALUE_BUFFER_SIZE + 1);
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  gboolean too_long = FALSE;
  gboolean ok;
  int code = CN_EXIT_OK;

  if (isatty (STDIN_FILENO))
    ok = read_from_terminal (name, buffer, &length, &too_long, &error);
  else
    ok = read_from_pipe (buffer, &length, &too_long, &error);

  if (!ok)
    code = cn_cli_fail (CN_EXIT_RUNTIME, "secret set: %s", error->message);
  else if (too_long)
    code = cn_cli_fail (CN_EXIT_USAGE, _("secret set: the value is longer than %d bytes."),
                        CN_SECRET_MAX_LENGTH);
  else if (length == 0)
    code = cn_cli_fail (CN_EXIT_USAGE, _("secret set: the value is empty; nothing was stored. "
                                         "Type it or pipe it into standard input."));
  else if (!cn_secret_check_value (buffer, (gssize) length, &error))
    code = cn_cli_fail (CN_EXIT_USAGE, "secret set: %s", error->message);
  else if (!cn_secret_store_sync (name, buffer, NULL, &error))
    code = cn_cli_fail (CN_EXIT_RUNTIME, "secret set: %s", error->message);
  else
    /* Translators: %s is the secret's name, e.g. backend-token */
    g_printerr (_("Stored %s in the keyring.\n"), name);

  cn_secret_wipe (buffer, VALUE_BUFFER_SIZE + 1);
  g_free (buffer);

  return code;
}

static int
secret_clear (const char *name)
{
  g_autoptr(GError) error = NULL;

  if (!cn_secret_clear_sync (name, NULL, &error))
    return cn_cli_fail (CN_EXIT_RUNTIME, "secret clear: %s", error->message);

  /* Translators: %s is the secret's name, e.g. backend-token */
  g_printerr (_("%s is not stored in the keyring any more.\n"), name);
  return CN_EXIT_OK;
}

int
cn_cli_secret (int    argc,
               char **argv)
{
  const char *action;

  /* Only --help is an option; nothing else is parsed as one, so a value
   * starting with "-" is not echoed back as an unknown option. */
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
        {
          print_help (stdout);
          return CN_EXIT_OK;
        }
    }

  if (argc < 2)
    return cn_cli_fail (CN_EXIT_USAGE, _("secret: say what to do: “secret set NAME” or "
                                         "“secret clear NAME”. Run with --help for usage."));

  action = argv[1];

  if (g_str_equal (action, "set"))
    {
      if (argc < 3)
        return cn_cli_fail (CN_EXIT_USAGE,
                            _("secret set: give the name of the secret (%s, %s or %s)."),
                            CN_SECRET_BACKEND_TOKEN, CN_SECRET_ONTRAPORT_APP_ID,
                            CN_SECRET_ONTRAPORT_KEY);
      if (argc > 3)
        return cn_cli_fail (CN_EXIT_USAGE,
                            _("secret set: the value is read from standard input, never from "
                              "the command line, where other programs and the shell history "
                              "can see it. Nothing was stored. Run “callnotes secret set NAME” "
                              "and type the value, or pipe it in: printf '%%s' \"$VALUE\" | "
                              "callnotes secret set NAME"));
      if (!cn_secret_name_is_valid (argv[2]))
        return fail_unknown_name ("set");

      return secret_set (argv[2]);
    }

  if (g_str_equal (action, "clear"))
    {
      if (argc < 3)
        return cn_cli_fail (CN_EXIT_USAGE,
                            _("secret clear: give the name of the secret (%s, %s or %s)."),
                            CN_SECRET_BACKEND_TOKEN, CN_SECRET_ONTRAPORT_APP_ID,
                            CN_SECRET_ONTRAPORT_KEY);
      if (argc > 3)
        return cn_cli_fail (CN_EXIT_USAGE, _("secret clear: too many arguments; give only the "
                                             "name. Run with --help for usage."));
      if (!cn_secret_name_is_valid (argv[2]))
        return fail_unknown_name ("clear");

      return secret_clear (argv[2]);
    }

  return cn_cli_fail (CN_EXIT_USAGE, _("secret: unknown action; use “set” or “clear”. Run "
                                       "with --help for usage."));
}
