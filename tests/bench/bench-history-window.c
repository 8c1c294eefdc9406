/* bench-history-window.c: memory of the history window over a million logs
 *
 * bench-history-window [PATH]
 *
 * Runs two fresh processes under the same display: one shows a bare GTK
 * window (a header bar and a label), the other the real history window on
 * PATH (default: the 1 000 000-log database bench-history-store leaves in
 * $TMPDIR/callnotes-bench-history/callnotes.db), scrolled to the end of the
 * list twenty times (each time the list shows more rows, as for a person
 * paging down). Each prints its VmRSS once its frames have settled; the
 * parent prints the ratio. Target: history RSS < 1.3 × the bare window's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>

#include "cn-window.h"
#include "bench-util.h"

#define SETTLE_MS 1500
#define SCROLLS   20

typedef struct {
  GtkApplication *app;
  GtkWindow      *window;
  const char     *db_path;
  guint           stage;
  gint64          started;
  double          first_frame_ms;
} Run;

static gboolean
on_stage (gpointer user_data)
{
  Run *run = user_data;

  if (run->db_path != NULL)
    {
      GtkScrolledWindow *list = NULL;
      GtkWidget *w = GTK_WIDGET (run->window);
      guint n = g_list_model_get_n_items (G_LIST_MODEL (cn_window_get_model (CN_WINDOW (w))));

      /* Find the list's scrolled window. */
      for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL && list == NULL; )
        {
          /* (the outcome drop-down holds an unmapped list of its own) */
          if (GTK_IS_SCROLLED_WINDOW (c) && gtk_widget_get_mapped (c) &&
              GTK_IS_LIST_VIEW (gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (c))))
            list = GTK_SCROLLED_WINDOW (c);
          else if (gtk_widget_get_first_child (c) != NULL)
            c = gtk_widget_get_first_child (c);
          else
            {
              while (c != NULL && gtk_widget_get_next_sibling (c) == NULL && c != w)
                c = gtk_widget_get_parent (c);
              c = (c == NULL || c == w) ? NULL : gtk_widget_get_next_sibling (c);
            }
        }

      /* Scroll to the end of what is shown, again and again: each time the
       * window shows more rows. */
      if (list != NULL && n > 0 && run->stage < SCROLLS)
        {
          GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (list);

          gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
        }
      if (run->stage == SCROLLS)
        g_printerr ("rows shown after %d scrolls to the end: %u\n", SCROLLS, n);
    }

  if (++run->stage <= SCROLLS)
    return G_SOURCE_CONTINUE;

  printf ("%ld\n", bench_rss_kib ());
  fflush (stdout);
  g_application_quit (G_APPLICATION (run->app));
  return G_SOURCE_REMOVE;
}

static void
on_activate (GtkApplication *app,
             Run            *run)
{
  if (run->db_path != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CnDatabase) db = cn_database_open (run->db_path, &error);

      if (db == NULL)
        g_error ("%s", error->message);
      run->window = GTK_WINDOW (cn_window_new (app, db));
    }
  else
    {
      GtkWidget *header = adw_header_bar_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

      run->window = GTK_WINDOW (adw_application_window_new (app));
      gtk_window_set_default_size (run->window, 720, 640);
      gtk_box_append (GTK_BOX (box), header);
      gtk_box_append (GTK_BOX (box), gtk_label_new ("A bare window"));
      adw_application_window_set_content (ADW_APPLICATION_WINDOW (run->window), box);
    }

  gtk_window_present (run->window);
  g_timeout_add (SETTLE_MS / 8, on_stage, run);
}

static int
measure (const char *db_path)
{
  Run run = { 0 };

  run.db_path = db_path;
  run.started = g_get_monotonic_time ();
  run.app = GTK_APPLICATION (adw_application_new (db_path ? APP_ID ".BenchHistory"
                                                          : APP_ID ".BenchBare",
                                                  G_APPLICATION_NON_UNIQUE));
  g_signal_connect (run.app, "activate", G_CALLBACK (on_activate), &run);
  g_application_run (G_APPLICATION (run.app), 0, NULL);
  g_object_unref (run.app);
  return 0;
}

static long
run_child (const char *self,
           const char *mode,
           const char *path)
{
  const char *argv[] = { self, mode, path, NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
                     &status, &error) || !g_spawn_check_wait_status (status, &error))
    g_error ("%s %s failed: %s", self, mode, error->message);

  return strtol (out, NULL, 10);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *default_path = g_build_filename (g_get_tmp_dir (), "callnotes-bench-history",
                                                    "callnotes.db", NULL);
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  const char *path = default_path;
  long bare, history;

  if (argc > 1 && g_str_equal (argv[1], "--bare"))
    return measure (NULL);
  if (argc > 2 && g_str_equal (argv[1], "--history"))
    return measure (argv[2]);
  if (argc > 1)
    path = argv[1];

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_printerr ("%s does not exist: run bench-history-store first (it creates it)\n", path);
      return 1;
    }

  bare = run_child (self, "--bare", NULL);
  history = run_child (self, "--history", path);

  printf ("history window RSS over %s, after 20 scrolls to the end:\n", path);
  printf ("  bare GTK window %ld KiB, history window %ld KiB, ratio %.2f (target < 1.30)\n",
          bare, history, (double) history / (double) bare);
  return 0;
}
