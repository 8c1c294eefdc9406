/* test-scheduled-calls.c: the Scheduled Calls window, under Xvfb
 *
 * Opens it from the history window's menu action against the fake backend
 * and checks that it lists the fake's calls a page at a time (Load More
 * appends the next page), that the status filter narrows them, that a
 * row's Call button activates app.dial with the number (a stand-in action
 * on the application records it), that F5 and Ctrl+R (real key presses,
 * XTEST) load again, and the error, empty and not-set-up states.
 *
 * With CN_TEST_SCREENSHOT_DIR set, pictures of the window are taken there
 * (`import -window root`).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gdk/x11/gdkx.h>
#include <glib/gstdio.h>

#include "cn-outbound-calls.h"
#include "cn-scheduled-calls-window.h"
#include "cn-sync-worker.h"
#include "cn-window.h"
#include "fake-servers.h"

#define TIMEOUT_S 20
#define TOKEN     "scheduled-test-token"

typedef struct {
  char           *dir;
  CnDatabase     *db;
  FakeServer     *server;
  GtkApplication *app;
  GPtrArray      *dialed;     /* numbers app.dial was activated with */
} Fixture;

/* ---- helpers ---------------------------------------------------------------- */

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

static gboolean
loaded (gpointer window)
{
  return gtk_widget_get_mapped (window)
         && !cn_scheduled_calls_window_is_loading (CN_SCHEDULED_CALLS_WINDOW (window));
}

static gboolean
is_cleared (gpointer pointer)
{
  return *(gpointer *) pointer == NULL;
}

/* Let the window draw (a few frames). */
static void
settle (void)
{
  gint64 until = g_get_monotonic_time () + 300 * 1000;

  while (g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
}

static GtkWidget *
find_widget (GtkWidget *root,
             gboolean (*match) (GtkWidget *, gconstpointer),
             gconstpointer data)
{
  if (match (root, data))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, match, data);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
match_action (GtkWidget     *widget,
              gconstpointer  action_name)
{
  return GTK_IS_ACTIONABLE (widget) &&
         g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action_name) == 0;
}

static gboolean
match_type (GtkWidget     *widget,
            gconstpointer  type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (type));
}

static gboolean
match_visible_css_class (GtkWidget     *widget,
                         gconstpointer  css_class)
{
  return gtk_widget_has_css_class (widget, css_class) && gtk_widget_is_drawable (widget);
}

/* The window's own stack: the one with a "setup" page. */
static gboolean
match_page_stack (GtkWidget     *widget,
                  gconstpointer  data)
{
  return GTK_IS_STACK (widget) && gtk_stack_get_child_by_name (GTK_STACK (widget), "setup");
}

static const char *
visible_page (GtkWindow *window)
{
  GtkWidget *stack = find_widget (GTK_WIDGET (window), match_page_stack, NULL);

  g_assert_nonnull (stack);
  return gtk_stack_get_visible_child_name (GTK_STACK (stack));
}

static void
focus_window (GtkWidget *window)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  Display *xdisplay = gdk_x11_display_get_xdisplay (gtk_widget_get_display (window));
  Window xid, root, parent, *children = NULL;
  unsigned int n_children = 0;

  xid = gdk_x11_surface_get_xid (surface);
  g_assert_true (XQueryTree (xdisplay, xid, &root, &parent, &children, &n_children));
  XSetInputFocus (xdisplay, n_children > 0 ? children[0] : xid, RevertToParent, CurrentTime);
  XSync (xdisplay, False);
  if (children != NULL)
    XFree (children);
}

static void
press_keys (GtkWidget  *window,
            const char *keys)
{
  const char *argv[] = { "xdotool", "key", keys, NULL };
  int status;

  focus_window (window);
  settle ();
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, &status, NULL));
}

static void
maybe_screenshot (const char *name)
{
  const char *dir = g_getenv ("CN_TEST_SCREENSHOT_DIR");
  g_autofree char *path = NULL;
  const char *argv[] = { "import", "-window", "root", NULL, NULL };

  if (dir == NULL)
    return;

  settle ();
  path = g_build_filename (dir, name, NULL);
  argv[3] = path;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                NULL);
  g_test_message ("screenshot: %s", path);
}

/* The same, scrolled to the end of the list. */
static void
maybe_screenshot_bottom (GtkWindow  *window,
                         const char *name)
{
  GtkWidget *scrolled;
  GtkAdjustment *adjustment;

  if (g_getenv ("CN_TEST_SCREENSHOT_DIR") == NULL)
    return;

  scrolled = gtk_widget_get_ancestor (find_widget (GTK_WIDGET (window), match_visible_css_class,
                                                   "boxed-list"),
                                      GTK_TYPE_SCROLLED_WINDOW);
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  settle ();
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  maybe_screenshot (name);
  gtk_adjustment_set_value (adjustment, 0);
}

static char *
iso_in (gint64 seconds_from_now)
{
  g_autoptr(GDateTime) when =
    g_date_time_new_from_unix_utc (g_get_real_time () / G_USEC_PER_SEC + seconds_from_now);

  return g_date_time_format (when, "%Y-%m-%dT%H:%M:%SZ");
}

static guint
count_list_requests (Fixture *f)
{
  return fake_server_count_requests (f->server, "GET", "/api/v1/outbound-calls");
}

static char *
last_query (Fixture *f)
{
  g_autoptr(GPtrArray) requests = fake_server_get_requests (f->server);
  FakeRequest *last;

  g_assert_cmpuint (requests->len, >, 0);
  last = g_ptr_array_index (requests, requests->len - 1);
  return g_strdup (last->query);
}

static CnSyncWorker *
new_worker (Fixture    *f,
            const char *token)
{
  g_autoptr(CnSyncConfig) config = cn_sync_config_new ();

  g_free (config->backend_url);
  config->backend_url = g_strdup (fake_server_get_base_url (f->server));
  config->backend_token = g_strdup (token);
  config->timeout_seconds = 10;

  /* Not started: the window only reads its settings. */
  return cn_sync_worker_new (f->db, config, NULL);
}

static void
on_dial (GSimpleAction *action,
         GVariant      *parameter,
         gpointer       user_data)
{
  Fixture *f = user_data;

  g_ptr_array_add (f->dialed, g_variant_dup_string (parameter, NULL));
}

/* Eight calls in the other statuses, then 22 scheduled ones: 30 in all. */
static void
add_calls (Fixture *f)
{
  static const struct { const char *name; const char *number; const char *status; gint64 in; }
  others[] = {
    { "Jane Doe", "+15551234567", "in_progress", -120 },
    { "Acme Support", "+18005550199", "dialing", -10 },
    { "Bob Stone", "+15550001111", "failed", -3600 },
    { NULL, "+442079460958", "pending", 1800 },
    { "Eve Park", "+15557654321", "completed", -7200 },
    { "Carlos Díaz", "+34915550123", "no_answer", -5400 },
    { "Dana Whitfield", "+15559876543", "canceled", -86400 },
    { "Farah Qureshi", "+15553334444", "failed", -600 },
  };
  static const char *names[] = {
    "Grace Hopper", "Alan Turing", "Ada Lovelace", "Linus Pauling", "Marie Curie",
    "Niels Bohr", "Rosalind Franklin", "Katherine Johnson", "Dorothy Vaughan", "Mary Jackson",
    "Barbara Liskov", "Frances Allen", "Hedy Lamarr", "Edsger Dijkstra", "Donald Knuth",
    "Margaret Hamilton", "Radia Perlman", "Tim Berners-Lee", "Vint Cerf", "Shafi Goldwasser",
    "Leslie Lamport", "John McCarthy",
  };

  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    {
      g_autofree char *id = g_strdup_printf ("other-%u", i);
      g_autofree char *when = iso_in (others[i].in);

      fake_server_add_outbound_call (f->server, id, others[i].name, others[i].number,
                                     others[i].status, when);
    }

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *id = g_strdup_printf ("scheduled-%02u", i);
      g_autofree char *number = g_strdup_printf ("+1555010%04u", i);
      g_autofree char *when = iso_in (3600 + i * 1800);

      fake_server_add_outbound_call (f->server, id, names[i], number, "scheduled", when);
    }
}

static void
assert_no_duplicates (GPtrArray *calls)
{
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < calls->len; i++)
    {
      CnOutboundCall *call = g_ptr_array_index (calls, i);

      g_assert_false (g_hash_table_contains (ids, call->id));
      g_hash_table_add (ids, call->id);
    }
}

/* ---- the test ------------------------------------------------------------------- */

static void
check_window (Fixture      *f,
              CnSyncWorker *worker)
{
  g_autoptr(CnWindow) history = NULL;
  GtkWindow *window;
  GtkWidget *widget;
  GPtrArray *calls;
  g_autofree char *query = NULL;
  guint requests;

  /* Opened from the history window's menu: one window, shown again. */
  history = g_object_ref_sink (cn_window_new (f->app, f->db));
  cn_window_set_sync_worker (history, worker);
  gtk_window_present (GTK_WINDOW (history));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (history), "win.show-scheduled-calls",
                                             NULL));
  window = NULL;
  {
    g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

    for (GList *l = toplevels; l != NULL; l = l->next)
      if (CN_IS_SCHEDULED_CALLS_WINDOW (l->data))
        window = l->data;
  }
  g_assert_nonnull (window);
  g_assert_true (gtk_window_get_transient_for (window) == GTK_WINDOW (history));
  g_assert_true (gtk_window_get_application (window) == f->app);
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  wait_until (loaded, window, "the first page");
  settle ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (history), "win.show-scheduled-calls",
                                             NULL));
  {
    g_autoptr(GList) toplevels = gtk_window_list_toplevels ();
    guint n = 0;

    for (GList *l = toplevels; l != NULL; l = l->next)
      n += CN_IS_SCHEDULED_CALLS_WINDOW (l->data);
    g_assert_cmpuint (n, ==, 1);
  }
  g_assert_cmpstr (gtk_window_get_title (window), ==, "Scheduled Calls");

  /* The first page of every status. */
  calls = cn_scheduled_calls_window_get_calls (CN_SCHEDULED_CALLS_WINDOW (window));
  g_assert_null (cn_scheduled_calls_window_get_error (CN_SCHEDULED_CALLS_WINDOW (window)));
  g_assert_cmpstr (visible_page (window), ==, "list");
  g_assert_cmpuint (calls->len, ==, 20);
  g_assert_cmpuint (cn_scheduled_calls_window_get_total (CN_SCHEDULED_CALLS_WINDOW (window)), ==,
                    30);
  g_assert_cmpstr (((CnOutboundCall *) calls->pdata[0])->recipient_name, ==, "Jane Doe");
  query = last_query (f);
  g_assert_cmpstr (query, ==, "page=1&limit=20");
  g_clear_pointer (&query, g_free);
  {
    AdwWindowTitle *title = ADW_WINDOW_TITLE (find_widget (GTK_WIDGET (window), match_type,
                                              GSIZE_TO_POINTER (ADW_TYPE_WINDOW_TITLE)));

    g_assert_cmpstr (adw_window_title_get_subtitle (title), ==, "20 of 30 calls");
  }
  /* Status badges and the failure reason show. */
  g_assert_nonnull (find_widget (GTK_WIDGET (window), match_visible_css_class,
                                 "cn-status-in-progress"));
  g_assert_nonnull (find_widget (GTK_WIDGET (window), match_visible_css_class,
                                 "cn-failure-reason"));
  maybe_screenshot ("scheduled.png");
  maybe_screenshot_bottom (window, "scheduled-bottom.png");

  /* Load More appends the next page. */
  widget = find_widget (GTK_WIDGET (window), match_action, "scheduled.load-more");
  g_assert_nonnull (widget);
  g_assert_true (gtk_widget_is_drawable (widget));
  g_signal_emit_by_name (widget, "clicked");
  wait_until (loaded, window, "the second page");
  g_assert_cmpuint (calls->len, ==, 30);
  assert_no_duplicates (calls);
  g_assert_cmpstr (((CnOutboundCall *) calls->pdata[29])->id, ==, "scheduled-21");
  query = last_query (f);
  g_assert_cmpstr (query, ==, "page=2&limit=20");
  g_clear_pointer (&query, g_free);
  g_assert_false (gtk_widget_get_visible (widget));
  g_assert_cmpuint (count_list_requests (f), ==, 2);

  /* The filter narrows the list to one status. */
  widget = find_widget (GTK_WIDGET (window), match_type, GSIZE_TO_POINTER (GTK_TYPE_DROP_DOWN));
  g_assert_nonnull (widget);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (widget), 6);   /* All, pending, …, failed */
  g_assert_cmpstr (cn_scheduled_calls_window_get_status (CN_SCHEDULED_CALLS_WINDOW (window)), ==,
                   "failed");
  wait_until (loaded, window, "the failed calls");
  calls = cn_scheduled_calls_window_get_calls (CN_SCHEDULED_CALLS_WINDOW (window));
  g_assert_cmpuint (calls->len, ==, 2);
  for (guint i = 0; i < calls->len; i++)
    g_assert_cmpstr (((CnOutboundCall *) calls->pdata[i])->status, ==, "failed");
  query = last_query (f);
  g_assert_cmpstr (query, ==, "status=failed&page=1&limit=20");
  g_clear_pointer (&query, g_free);
  g_assert_false (gtk_widget_get_visible (
    find_widget (GTK_WIDGET (window), match_action, "scheduled.load-more")));

  /* Call activates app.dial with the number. */
  widget = find_widget (GTK_WIDGET (window), match_action, "app.dial");
  g_assert_nonnull (widget);
  g_assert_true (gtk_widget_is_sensitive (widget));
  g_signal_emit_by_name (widget, "clicked");
  for (guint i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (f->dialed->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->dialed, 0), ==, "+15550001111");

  /* A status nobody has: the empty page. */
  cn_scheduled_calls_window_set_status (CN_SCHEDULED_CALLS_WINDOW (window), "in_progress");
  wait_until (loaded, window, "the calls in progress");
  g_assert_cmpuint (calls->len, ==, 1);
  fake_server_add_outbound_call (f->server, "late", "Late Arrival", "+15550009999", "dialing",
                                 NULL);
  cn_scheduled_calls_window_set_status (CN_SCHEDULED_CALLS_WINDOW (window), "no_answer");
  wait_until (loaded, window, "the unanswered calls");
  g_assert_cmpuint (calls->len, ==, 1);
  cn_scheduled_calls_window_set_status (CN_SCHEDULED_CALLS_WINDOW (window), "canceled");
  wait_until (loaded, window, "the canceled calls");
  g_assert_cmpuint (calls->len, ==, 1);

  /* F5 and Ctrl+R load again (the new call shows under "dialing"). */
  cn_scheduled_calls_window_set_status (CN_SCHEDULED_CALLS_WINDOW (window), "dialing");
  wait_until (loaded, window, "the calls dialing");
  g_assert_cmpuint (calls->len, ==, 2);
  requests = count_list_requests (f);
  press_keys (GTK_WIDGET (window), "F5");
  while (count_list_requests (f) < requests + 1)
    g_main_context_iteration (NULL, FALSE);
  wait_until (loaded, window, "F5 to load again");
  press_keys (GTK_WIDGET (window), "ctrl+r");
  while (count_list_requests (f) < requests + 2)
    g_main_context_iteration (NULL, FALSE);
  wait_until (loaded, window, "Ctrl+R to load again");
  g_assert_cmpuint (calls->len, ==, 2);

  /* A fault: the error page, with the reason. Then Try Again works. */
  fake_server_queue_fault (f->server, FAKE_500);
  cn_scheduled_calls_window_refresh (CN_SCHEDULED_CALLS_WINDOW (window));
  wait_until (loaded, window, "the error");
  g_assert_cmpstr (visible_page (window), ==, "error");
  g_assert_nonnull (strstr (cn_scheduled_calls_window_get_error (
                              CN_SCHEDULED_CALLS_WINDOW (window)), "500"));
  g_assert_cmpuint (calls->len, ==, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "scheduled.refresh", NULL));
  wait_until (loaded, window, "the list after the error");
  g_assert_cmpstr (visible_page (window), ==, "list");
  g_assert_cmpuint (calls->len, ==, 2);

  /* Escape closes it. */
  press_keys (GTK_WIDGET (window), "Escape");
  wait_until (is_cleared, &window, "Escape to close the window");

  gtk_window_destroy (GTK_WINDOW (history));
}

static void
check_states (Fixture *f)
{
  g_autoptr(CnSyncWorker) wrong = new_worker (f, "not-the-token");
  GtkWindow *window;

  /* The backend refuses the token. */
  window = cn_scheduled_calls_window_new (NULL, wrong);
  gtk_window_present (window);
  wait_until (loaded, window, "the refusal");
  g_assert_cmpstr (visible_page (window), ==, "error");
  g_assert_nonnull (strstr (cn_scheduled_calls_window_get_error (
                              CN_SCHEDULED_CALLS_WINDOW (window)), "401"));
  maybe_screenshot ("scheduled-error.png");
  gtk_window_destroy (window);

  /* No worker: nothing is asked. */
  fake_server_clear_requests (f->server);
  window = cn_scheduled_calls_window_new (NULL, NULL);
  gtk_window_present (window);
  wait_until (loaded, window, "the window without a worker");
  g_assert_cmpstr (visible_page (window), ==, "setup");
  g_assert_nonnull (cn_scheduled_calls_window_get_error (CN_SCHEDULED_CALLS_WINDOW (window)));
  g_assert_cmpuint (count_list_requests (f), ==, 0);
  gtk_window_destroy (window);

  /* A status nobody has. */
  {
    g_autoptr(CnSyncWorker) worker = new_worker (f, TOKEN);

    window = cn_scheduled_calls_window_new (NULL, worker);
    cn_scheduled_calls_window_set_status (CN_SCHEDULED_CALLS_WINDOW (window), "bogus");
    g_assert_null (cn_scheduled_calls_window_get_status (CN_SCHEDULED_CALLS_WINDOW (window)));
    gtk_window_present (window);
    wait_until (loaded, window, "the list");
    fake_server_clear_requests (f->server);
    cn_scheduled_calls_window_set_status (CN_SCHEDULED_CALLS_WINDOW (window), "pending");
    wait_until (loaded, window, "the pending calls");
    g_assert_cmpuint (cn_scheduled_calls_window_get_calls (
                        CN_SCHEDULED_CALLS_WINDOW (window))->len, ==, 1);

    /* Closed while the backend is still answering: nothing breaks. */
    fake_server_set_stall_seconds (f->server, 15);
    fake_server_queue_fault (f->server, FAKE_STALL);
    cn_scheduled_calls_window_refresh (CN_SCHEDULED_CALLS_WINDOW (window));
    while (count_list_requests (f) < 2)
      g_main_context_iteration (NULL, FALSE);
    gtk_window_destroy (window);
    for (guint i = 0; i < 50; i++)
      g_main_context_iteration (NULL, FALSE);
  }
}

static void
test_scheduled_calls (void)
{
  Fixture fixture = { 0 };
  Fixture *f = &fixture;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(CnSyncWorker) worker = NULL;
  g_autoptr(GSimpleAction) dial = g_simple_action_new ("dial", G_VARIANT_TYPE_STRING);

  f->dir = g_dir_make_tmp ("callnotes-scheduled-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "callnotes.db", NULL);
  f->db = cn_database_open (path, &error);
  g_assert_no_error (error);
  f->server = fake_server_new (FAKE_BACKEND);
  fake_server_set_token (f->server, TOKEN);
  f->dialed = g_ptr_array_new_with_free_func (g_free);
  add_calls (f);

  f->app = GTK_APPLICATION (adw_application_new ("io.github.callnotes.Callnotes.TestScheduled",
                                                 G_APPLICATION_NON_UNIQUE));
  g_object_set (f->app, "resource-base-path", RESOURCE_BASE, NULL);
  g_assert_true (g_application_register (G_APPLICATION (f->app), NULL, NULL));
  /* Stands in for the application's action. */
  g_signal_connect (dial, "activate", G_CALLBACK (on_dial), f);
  g_action_map_add_action (G_ACTION_MAP (f->app), G_ACTION (dial));

  worker = new_worker (f, TOKEN);
  check_window (f, worker);
  check_states (f);

  g_clear_object (&worker);
  g_clear_object (&f->app);
  fake_server_free (f->server);
  g_clear_object (&f->db);
  {
    g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *file = g_build_filename (f->dir, name, NULL);

        g_unlink (file);
      }
    g_rmdir (f->dir);
  }
  g_free (f->dir);
  g_ptr_array_unref (f->dialed);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/scheduled-calls/window", test_scheduled_calls);

  return g_test_run ();
}
