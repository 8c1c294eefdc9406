/* test-single-instance.c: a second `callnotes tel:…` reaches the running app
 *
 * Starts the real binary as the primary instance on the test's D-Bus session,
 * then runs `callnotes tel:…` as a second process and checks that it exits at
 * once and that the primary received the link (it keeps a draft of the call
 * before dialing). Built with -DCN_BENCH it is tests/bench/bench-handoff: it
 * repeats the hand-off (300 ms apart, so the app is idle as between two
 * clicks) and prints the median and worst wall time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sys/wait.h>

#include "cn-database.h"

typedef struct {
  char       *dir;
  char      **env;
  GPid        primary;
  GDBusConnection *bus;
} Instance;

static char **
make_env (const char *dir)
{
  char **env = g_get_environ ();
  g_autofree char *config = g_build_filename (dir, "config", NULL);
  g_autofree char *settings_dir = g_build_filename (config, "glib-2.0", "settings", NULL);
  g_autofree char *keyfile = g_build_filename (settings_dir, "keyfile", NULL);

  /* The softphone is a program that does nothing; the logger appears at once. */
  g_assert_cmpint (g_mkdir_with_parents (settings_dir, 0700), ==, 0);
#ifdef CN_BENCH
  /* The benchmark times the hand-off alone: the loggers of its fifty links
   * would otherwise pile up (each ticking its call timer) in the app. */
  const char *delay = "60000";
#else
  const char *delay = "0";
#endif
  g_autofree char *settings = g_strdup_printf ("[io/github/callnotes/Callnotes]\n"
                                               "dialer='command:true'\n"
                                               "dial-delay-ms=uint32 %s\n", delay);

  g_assert_true (g_file_set_contents (keyfile, settings, -1, NULL));

  env = g_environ_setenv (env, "CALLNOTES_DATA_DIR", dir, TRUE);
  env = g_environ_setenv (env, "GSETTINGS_BACKEND", "keyfile", TRUE);
  env = g_environ_setenv (env, "XDG_CONFIG_HOME", config, TRUE);
  return env;
}

static const char *
binary (void)
{
  const char *bin = g_getenv ("CALLNOTES_BIN");

  return bin != NULL ? bin : CN_BIN_PATH;
}

static void
start_primary (Instance *inst)
{
  g_autoptr(GError) error = NULL;
  char *argv[] = { (char *) binary (), NULL };
  gint64 deadline;

  inst->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (g_spawn_async (NULL, argv, inst->env, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                &inst->primary, &error));
  g_assert_no_error (error);

  /* Ready when it owns its name on the bus. */
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autoptr(GVariant) reply =
        g_dbus_connection_call_sync (inst->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "NameHasOwner",
                                     g_variant_new ("(s)", APP_ID), G_VARIANT_TYPE ("(b)"),
                                     G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
      gboolean owned = FALSE;

      g_assert_no_error (error);
      g_variant_get (reply, "(b)", &owned);
      if (owned)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20000);
    }
}

static void
stop_primary (Instance *inst)
{
  g_autoptr(GError) error = NULL;
  int status = 0;

  /* Quit as a person would, through the app.quit action. */
  g_dbus_connection_call_sync (inst->bus, APP_ID, "/io/github/callnotes/Callnotes",
                               "org.gtk.Actions", "Activate",
                               g_variant_new ("(sava{sv})", "quit", NULL, NULL), NULL,
                               G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (waitpid (inst->primary, &status, 0), ==, inst->primary);
  g_spawn_close_pid (inst->primary);
}

/* Runs `callnotes LINK` and returns its wall time in microseconds. */
static gint64
hand_off (Instance   *inst,
          const char *link)
{
  g_autoptr(GError) error = NULL;
  char *argv[] = { (char *) binary (), (char *) link, NULL };
  int status = -1;
  gint64 start = g_get_monotonic_time ();
  gint64 elapsed;

  g_assert_true (g_spawn_sync (NULL, argv, inst->env, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
                               &status, &error));
  elapsed = g_get_monotonic_time () - start;
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  return elapsed;
}

static void
instance_init (Instance *inst)
{
  g_autoptr(GError) error = NULL;

  inst->dir = g_dir_make_tmp ("callnotes-instance-XXXXXX", &error);
  g_assert_no_error (error);
  inst->env = make_env (inst->dir);
}

#ifndef CN_BENCH

static guint
count_drafts_for (Instance   *inst,
                  const char *phone)
{
  g_autofree char *path = g_build_filename (inst->dir, "callnotes.db", NULL);
  g_autoptr(CnDatabase) db = cn_database_open (path, NULL);
  g_autoptr(GPtrArray) drafts = db ? cn_database_list_drafts (db, NULL) : NULL;
  guint n = 0;

  for (guint i = 0; drafts != NULL && i < drafts->len; i++)
    {
      CnDraft *draft = g_ptr_array_index (drafts, i);

      if (g_strcmp0 (cn_call_log_get_phone (draft->log), phone) == 0)
        n++;
    }

  return n;
}


static void
test_second_instance_hands_over (void)
{
  Instance inst = { 0 };
  gint64 elapsed;
  gint64 deadline;

  instance_init (&inst);
  start_primary (&inst);

  elapsed = hand_off (&inst, "tel:+1-555-010-4477;x-contact-name=Second%20Instance");
  g_test_message ("hand-off took %.1f ms", elapsed / 1000.0);

  /* The link reached the primary: it keeps a draft of the call. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (count_drafts_for (&inst, "+15550104477") == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50000);
    }
  g_assert_cmpuint (count_drafts_for (&inst, "+15550104477"), ==, 1);

  /* A malformed link is refused by the primary too, and logs nothing. */
  hand_off (&inst, "tel:not-a-number");
  g_usleep (300000);

  stop_primary (&inst);

  /* Quitting kept the open logger's draft for the next start. */
  g_assert_cmpuint (count_drafts_for (&inst, "+15550104477"), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DISPLAY") == NULL || g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("needs an X display and a D-Bus session (build-aux/dev test)");
      return g_test_run ();
    }

  g_test_add_func ("/app/second-instance-hands-over", test_second_instance_hands_over);
  return g_test_run ();
}

#else /* CN_BENCH */

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

int
main (int   argc,
      char *argv[])
{
  Instance inst = { 0 };
  guint n = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 50;
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));

  if (n == 0)
    n = 50;

  instance_init (&inst);
  start_primary (&inst);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *link = g_strdup_printf ("tel:+1555010%04u", i);
      gint64 t;

      /* Links are clicked seconds apart: let the app finish showing the
       * previous logger, as it would have by the next click. */
      g_usleep (300000);
      t = hand_off (&inst, link);

      g_array_append_val (times, t);
    }

  stop_primary (&inst);
  g_array_sort (times, compare_gint64);

  g_print ("hand-off of a tel: link to the running instance, %u runs (process start to exit):\n", n);
  g_print ("  median %.1f ms, p90 %.1f ms, worst %.1f ms (target: well under 100 ms)\n",
           g_array_index (times, gint64, n / 2) / 1000.0,
           g_array_index (times, gint64, (n * 9) / 10) / 1000.0,
           g_array_index (times, gint64, n - 1) / 1000.0);
  return 0;
}

#endif
