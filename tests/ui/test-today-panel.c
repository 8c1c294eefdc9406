/* test-today-panel.c: the Today panel above the history, under Xvfb
 *
 * A database with calls today, yesterday and one deleted: the panel's
 * figures as a person reads them (calls, connect rate, talk time,
 * follow-ups due), the chart's text equivalent for screen readers, the
 * panel following a new save, the follow-ups button opening the
 * Follow-ups page, and the panel hidden while nothing is logged.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "cn-day-chart.h"
#include "cn-follow-ups-window.h"
#include "cn-format.h"
#include "cn-today-panel.h"
#include "cn-window.h"

#define TIMEOUT_S 20

typedef struct {
  char           *dir;
  CnDatabase     *db;
  GtkApplication *app;
  CnWindow       *window;
  gint64          now;
  gint64          today_start;
  guint           n_phones;
} Fixture;

static void
wait_until (gboolean  (*done) (gpointer),
            gpointer    data,
            const char *what)
{
  gint64 start = g_get_monotonic_time ();

  while (!done (data))
    {
      if (g_get_monotonic_time () - start > TIMEOUT_S * G_USEC_PER_SEC)
        g_error ("timed out waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

static GtkWidget *
find_widget (GtkWidget  *root,
             GType       type,
             const char *name)
{
  if ((type == G_TYPE_NONE || G_TYPE_CHECK_INSTANCE_TYPE (root, type))
      && (name == NULL || g_strcmp0 (gtk_widget_get_name (root), name) == 0))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static const char *
label_text (Fixture    *f,
            const char *name)
{
  GtkWidget *label = find_widget (GTK_WIDGET (f->window), GTK_TYPE_LABEL, name);

  g_assert_nonnull (label);
  g_assert_true (gtk_widget_is_drawable (label));
  return gtk_label_get_text (GTK_LABEL (label));
}

static CnTodayPanel *
panel (Fixture *f)
{
  GtkWidget *widget = find_widget (GTK_WIDGET (f->window), CN_TYPE_TODAY_PANEL, NULL);

  g_assert_nonnull (widget);
  return CN_TODAY_PANEL (widget);
}

static void
fixture_init (Fixture    *f,
              const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) midnight = NULL;
  g_autofree char *path = NULL;
  g_autofree char *app_id = g_strdup_printf ("io.github.callnotes.Callnotes.Test%s", name);

  f->dir = g_dir_make_tmp ("callnotes-today-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("CALLNOTES_DATA_DIR", f->dir, TRUE);
  path = cn_database_get_default_path ();
  f->db = cn_database_open (path, &error);
  g_assert_no_error (error);

  f->now = g_date_time_to_unix (now);
  midnight = g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now),
                                    g_date_time_get_day_of_month (now), 0, 0, 0);
  f->today_start = g_date_time_to_unix (midnight);

  f->app = GTK_APPLICATION (adw_application_new (app_id, G_APPLICATION_NON_UNIQUE));
  g_object_set (f->app, "resource-base-path", RESOURCE_BASE, NULL);
  g_assert_true (g_application_register (G_APPLICATION (f->app), NULL, NULL));
}

static void
fixture_clear (Fixture *f)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (f->window != NULL)
    gtk_window_destroy (GTK_WINDOW (f->window));
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_clear_object (&f->app);
  g_clear_object (&f->db);

  dir = g_dir_open (f->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (f->dir, name, NULL);

      g_unlink (file);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

/* A moment of today that is in the past: @part tenths of the way from
 * midnight to now. */
static gint64
earlier_today (Fixture *f,
               guint    part)
{
  return f->today_start + (f->now - f->today_start) * part / 10;
}

static char *
add_log (Fixture   *f,
         CnOutcome  outcome,
         gint64     created_at,
         gint64     duration,
         gint64     follow_up)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CnCallLog) log = cn_call_log_new_with_uuid ();
  g_autofree char *phone = g_strdup_printf ("+1555010%04u", ++f->n_phones);

  cn_call_log_set_phone (log, phone);
  cn_call_log_set_outcome (log, outcome);
  cn_call_log_set_created_at (log, created_at);
  cn_call_log_set_updated_at (log, created_at);
  if (duration >= 0)
    cn_call_log_set_duration (log, duration);
  if (follow_up > 0)
    cn_call_log_set_follow_up (log, follow_up);
  cn_database_insert_call (f->db, log, NULL, 0, &error);
  g_assert_no_error (error);

  return g_strdup (cn_call_log_get_uuid (log));
}

static gboolean
is_mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget);
}

static gboolean
panel_loaded (gpointer data)
{
  Fixture *f = data;
  CnTodayPanel *today = panel (f);

  return cn_today_panel_get_stats (today) != NULL && !cn_today_panel_is_loading (today);
}

static void
open_window (Fixture *f)
{
  f->window = cn_window_new (f->app, f->db);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 900, 640);
  gtk_window_present (GTK_WINDOW (f->window));
  wait_until (is_mapped, f->window, "the history window");
  wait_until (panel_loaded, f, "the Today panel's figures");
}

static gboolean
calls_are_5 (gpointer data)
{
  Fixture *f = data;

  return panel_loaded (f) && g_strcmp0 (label_text (f, "today-calls"), "5") == 0;
}

static char *
day_name (gint64 at)
{
  g_autoptr(GDateTime) day = g_date_time_new_from_unix_local (at);

  return g_date_time_format (day, "%b %-d");
}

static void
assert_accessible_text (GtkWidget                *widget,
                        GtkAccessibleProperty     property,
                        const char               *expected)
{
  g_autofree char *message = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget),
                                                                 property, expected);

  if (message != NULL)
    g_error ("accessible property %d: %s", property, message);
}

static void
test_figures (void)
{
  Fixture f = { 0 };
  g_autofree char *deleted = NULL;
  g_autofree char *talk = NULL;
  g_autofree char *today = NULL;
  g_autofree char *yesterday = NULL;
  g_autofree char *expected_today = NULL;
  g_autofree char *expected_yesterday = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) sentences = NULL;
  GtkWidget *chart;
  GtkWidget *button;
  const char *description;
  GtkWindow *follow_ups = NULL;
  int min_width = 0;

  fixture_init (&f, "TodayFigures");

  /* Today: 4 calls, 2 connected, 3 min of talk; one more, deleted. */
  g_free (add_log (&f, CN_OUTCOME_CONNECTED, earlier_today (&f, 1), 60, 0));
  g_free (add_log (&f, CN_OUTCOME_CONNECTED, earlier_today (&f, 2), 90, 0));
  g_free (add_log (&f, CN_OUTCOME_VOICEMAIL, earlier_today (&f, 3), 30, 0));
  g_free (add_log (&f, CN_OUTCOME_NO_ANSWER, earlier_today (&f, 4), -1, 0));
  deleted = add_log (&f, CN_OUTCOME_BUSY, earlier_today (&f, 5), 500, 0);
  g_assert_true (cn_database_delete_call (f.db, deleted, &error));
  g_assert_no_error (error);
  /* Yesterday (mid-afternoon): a voicemail with an overdue follow-up and a
   * busy line. */
  g_free (add_log (&f, CN_OUTCOME_VOICEMAIL, f.today_start - 9 * 3600, 20,
                   f.today_start - 3600));
  g_free (add_log (&f, CN_OUTCOME_BUSY, f.today_start - 8 * 3600, 0, 0));

  open_window (&f);

  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (panel (&f))));
  /* It fits the window at its narrowest (the figures wrap). */
  gtk_widget_measure (GTK_WIDGET (panel (&f)), GTK_ORIENTATION_HORIZONTAL, -1, &min_width,
                      NULL, NULL, NULL);
  g_assert_cmpint (min_width, <=, 360);
  g_assert_cmpstr (label_text (&f, "today-calls"), ==, "4");
  g_assert_cmpstr (label_text (&f, "today-connect-rate"), ==, "50 %");
  talk = cn_format_duration (180);
  g_assert_cmpstr (label_text (&f, "today-talk-time"), ==, talk);
  g_assert_cmpstr (label_text (&f, "today-follow-ups-due"), ==, "1");

  chart = find_widget (GTK_WIDGET (f.window), CN_TYPE_DAY_CHART, NULL);
  g_assert_nonnull (chart);
  wait_until (is_mapped, chart, "the chart");
  g_assert_cmpint (gtk_widget_get_height (chart), >, 0);
  today = day_name (f.now);
  yesterday = day_name (f.today_start - 9 * 3600);
  expected_today = g_strdup_printf ("%s: 4 calls: 2 connected, 1 voicemail, 1 no answer, 0 busy.",
                                    today);
  expected_yesterday = g_strdup_printf ("%s: 2 calls: 0 connected, 1 voicemail, 0 no answer, "
                                        "1 busy. %s", yesterday, expected_today);
  description = cn_day_chart_get_description (CN_DAY_CHART (chart));
  g_test_message ("chart: %s", description);
  /* 14 days, oldest first, ending with yesterday and today. */
  g_assert_true (g_str_has_suffix (description, expected_yesterday));
  sentences = g_strsplit (description, ". ", -1);
  g_assert_cmpuint (g_strv_length (sentences), ==, 14);
  assert_accessible_text (chart, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description);
  assert_accessible_text (chart, GTK_ACCESSIBLE_PROPERTY_LABEL, "Calls per day, last 14 days");
  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (chart)), ==,
                   GTK_ACCESSIBLE_ROLE_IMG);

  /* One more save: the panel follows (the window notices the commit). */
  g_free (add_log (&f, CN_OUTCOME_CONNECTED, f.now, 120, 0));
  wait_until (calls_are_5, &f, "the panel to count the new call");
  g_assert_cmpstr (label_text (&f, "today-connect-rate"), ==, "60 %");
  g_free (talk);
  talk = cn_format_duration (300);
  g_assert_cmpstr (label_text (&f, "today-talk-time"), ==, talk);
  g_assert_true (strstr (cn_day_chart_get_description (CN_DAY_CHART (chart)),
                         ": 5 calls: 3 connected, 1 voicemail, 1 no answer, 0 busy.") != NULL);

  /* The follow-ups figure opens the Follow-ups page. */
  button = gtk_widget_get_ancestor (find_widget (GTK_WIDGET (f.window), GTK_TYPE_LABEL,
                                                 "today-follow-ups-due"), GTK_TYPE_BUTTON);
  g_assert_nonnull (button);
  gtk_widget_activate (button);
  for (int i = 0; i < 50 && follow_ups == NULL; i++)
    {
      GListModel *toplevels = gtk_window_get_toplevels ();  /* not ours */

      g_main_context_iteration (NULL, FALSE);
      for (guint k = 0; k < g_list_model_get_n_items (toplevels) && follow_ups == NULL; k++)
        {
          g_autoptr(GObject) window = g_list_model_get_item (toplevels, k);

          if (CN_IS_FOLLOW_UPS_WINDOW (window))
            follow_ups = GTK_WINDOW (window);
        }
      g_usleep (10000);
    }
  g_assert_nonnull (follow_ups);
  gtk_window_destroy (follow_ups);

  fixture_clear (&f);
}

static gboolean
panel_shown (gpointer data)
{
  Fixture *f = data;

  return gtk_widget_get_visible (GTK_WIDGET (panel (f))) && panel_loaded (f);
}

static void
test_empty (void)
{
  Fixture f = { 0 };
  GtkWidget *chart;

  fixture_init (&f, "TodayEmpty");
  open_window (&f);

  /* Nothing logged: the history's empty page, no panel. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (panel (&f))));

  /* The first call, 20 days ago: the panel shows today's zeros, no chart. */
  g_free (add_log (&f, CN_OUTCOME_BUSY, f.today_start - 20 * 24 * 3600, 5, 0));
  wait_until (panel_shown, &f, "the panel to show");
  g_assert_cmpstr (label_text (&f, "today-calls"), ==, "0");
  g_assert_cmpstr (label_text (&f, "today-connect-rate"), ==, "—");
  g_assert_cmpstr (label_text (&f, "today-follow-ups-due"), ==, "0");
  chart = find_widget (GTK_WIDGET (f.window), CN_TYPE_DAY_CHART, NULL);
  g_assert_false (gtk_widget_is_drawable (chart));

  fixture_clear (&f);
}

int
main (int    argc,
      char **argv)
{
  /* The test AT context keeps the accessible properties to check (the
   * suite's GTK_A11Y=none keeps none). */
  g_setenv ("GTK_A11Y", "test", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ui/today/figures", test_figures);
  g_test_add_func ("/ui/today/empty", test_empty);

  return g_test_run ();
}
