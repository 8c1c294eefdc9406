/* test-live-ui.c: live calls and follow-ups in the UI, under Xvfb
 *
 * The Follow-ups page: overdue and upcoming follow-ups in their groups,
 * Snooze moving one, Mark Done and a later call clearing one (checked in
 * the store), and the header bar's count of overdue ones. The history
 * window with an event stream that is never started (the test emits its
 * signals): the header bar's pill for calls in progress, with its timer,
 * several calls, a final status and a call whose end never came; the
 * toast whose words follow a live call's steps (Calling or Incoming call
 * from, In call with, ended) as the event stream stores them; the card
 * of a completed call with its badge, buttons, countdown, pause on hover,
 * close button, and the setting that turns it off.
 *
 * With CN_TEST_SCREENSHOTS=<dir> it saves pictures of the screen at the
 * interesting moments (`import -window root`), for a look.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gdk/x11/gdkx.h>
#include <glib/gstdio.h>

#include "cn-call-card.h"
#include "cn-event-stream.h"
#include "cn-follow-ups-window.h"
#include "cn-live-pill.h"
#include "cn-live-store.h"
#include "cn-sync-config.h"
#include "cn-window.h"
#include "ui-test-dir.h"

#define TIMEOUT_S 20

typedef struct {
  char           *dir;
  CnDatabase     *db;
  GtkApplication *app;
  CnWindow       *window;
  CnEventStream  *stream;    /* never started: the test emits its signals */
  GSettings      *settings;
  gint64          now;
  /* What the application's actions were last asked to do (the test's
   * stand-ins for CnApplication's). */
  char           *dialed;
  char           *logged_sid;
  char           *played_sid;
} Fixture;

/* ---- helpers ------------------------------------------------------------------ */

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

/* Runs the main loop for @ms milliseconds. */
static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

static gboolean
is_mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget);
}

static gboolean
is_cleared (gpointer pointer)
{
  return *(gpointer *) pointer == NULL;
}

static void
screenshot (const char *name)
{
  const char *dir = g_getenv ("CN_TEST_SCREENSHOTS");
  g_autofree char *file = NULL;
  const char *argv[] = { "import", "-window", "root", NULL, NULL };

  if (dir == NULL || *dir == '\0')
    return;

  /* Let animations end and the frame reach the X server. */
  spin (600);
  file = g_strdup_printf ("%s/%s.png", dir, name);
  argv[3] = file;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                     NULL, NULL))
    g_message ("Could not take the picture %s", file);
}

/* Depth-first: the first widget under @root for which @match is TRUE. */
static GtkWidget *
find_widget (GtkWidget     *root,
             gboolean     (*match) (GtkWidget *, gconstpointer),
             gconstpointer  data)
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
match_type (GtkWidget     *widget,
            gconstpointer  type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (type));
}

static gboolean
match_css_class (GtkWidget     *widget,
                 gconstpointer  css_class)
{
  return gtk_widget_has_css_class (widget, css_class);
}

static gboolean
match_action (GtkWidget     *widget,
              gconstpointer  action_name)
{
  return GTK_IS_ACTIONABLE (widget) &&
         g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action_name) == 0;
}

static gboolean
match_group (GtkWidget     *widget,
             gconstpointer  title)
{
  return ADW_IS_PREFERENCES_GROUP (widget) &&
         g_strcmp0 (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (widget)), title) == 0;
}

static gboolean
match_row (GtkWidget     *widget,
           gconstpointer  title)
{
  return ADW_IS_ACTION_ROW (widget) &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

/* A button with @action_name and the string target @target. */
typedef struct {
  const char *action_name;
  const char *target;
} ButtonQuery;

static gboolean
match_button (GtkWidget     *widget,
              gconstpointer  data)
{
  const ButtonQuery *query = data;
  GVariant *target;

  if (!match_action (widget, query->action_name))
    return FALSE;

  target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (widget));
  return target != NULL && g_variant_is_of_type (target, G_VARIANT_TYPE_STRING) &&
         g_strcmp0 (g_variant_get_string (target, NULL), query->target) == 0;
}

static GtkWidget *
find_button (GtkWidget  *root,
             const char *action_name,
             const char *target)
{
  ButtonQuery query = { action_name, target };

  return find_widget (root, match_button, &query);
}

static GtkWidget *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return GTK_WIDGET (window);
    }

  return NULL;
}

/* Without a window manager the test hands the keyboard focus to @window
 * (GTK's 1x1 focus child of the toplevel), as a click would. */
static void
focus_window (GtkWidget *window)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  Display *xdisplay = gdk_x11_display_get_xdisplay (gtk_widget_get_display (window));
  Window xid, root, parent, *children = NULL;
  unsigned int n_children = 0;

  g_assert_true (GDK_IS_X11_SURFACE (surface));
  xid = gdk_x11_surface_get_xid (surface);
  g_assert_true (XQueryTree (xdisplay, xid, &root, &parent, &children, &n_children));
  XSetInputFocus (xdisplay, n_children > 0 ? children[0] : xid, RevertToParent, CurrentTime);
  XSync (xdisplay, False);
  if (children != NULL)
    XFree (children);
}

static gboolean
is_set (gpointer pointer)
{
  return *(gpointer *) pointer != NULL;
}

/* Presses @key (xdotool syntax) in @window through the X server. */
static void
press_key (GtkWidget  *window,
           const char *key)
{
  const char *argv[] = { "xdotool", "key", key, NULL };
  g_autoptr(GError) error = NULL;
  int status;

  focus_window (window);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static gboolean
is_active (gpointer window)
{
  return gtk_window_is_active (window);
}

static gboolean
is_inactive (gpointer window)
{
  return !gtk_window_is_active (window);
}

/* ---- the database --------------------------------------------------------------- */

static char *
insert_log (Fixture    *f,
            const char *name,
            const char *contact_id,
            const char *phone,
            const char *notes,
            gint64      follow_up)
{
  g_autoptr(CnCallLog) log = cn_call_log_new_with_uuid ();
  g_autoptr(GError) error = NULL;

  cn_call_log_set_contact_name (log, name);
  cn_call_log_set_contact_id (log, contact_id);
  cn_call_log_set_phone (log, phone);
  cn_call_log_set_outcome (log, CN_OUTCOME_VOICEMAIL);
  cn_call_log_set_duration (log, 40);
  cn_call_log_set_notes (log, notes);
  cn_call_log_set_follow_up (log, follow_up);
  cn_call_log_set_created_at (log, f->now - 7200);
  cn_call_log_set_updated_at (log, f->now - 7200);
  g_assert_true (cn_database_insert_call (f->db, log, NULL, 0, &error));
  g_assert_no_error (error);

  return g_strdup (cn_call_log_get_uuid (log));
}

/* The open follow-up of @uuid, NULL none. */
static CnFollowUp *
find_follow_up (Fixture    *f,
                const char *uuid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) follow_ups = cn_database_list_follow_ups (f->db, 0, 0, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < follow_ups->len; i++)
    {
      CnFollowUp *follow_up = g_ptr_array_index (follow_ups, i);

      if (g_strcmp0 (cn_call_log_get_uuid (follow_up->log), uuid) == 0)
        return g_ptr_array_steal_index (follow_ups, i);
    }

  return NULL;
}

static void
on_app_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  char **slot = user_data;

  g_free (*slot);
  *slot = g_variant_dup_string (parameter, NULL);
}

static void
add_app_action (Fixture    *f,
                const char *name,
                char      **slot)
{
  g_autoptr(GSimpleAction) action = g_simple_action_new (name, G_VARIANT_TYPE_STRING);

  g_signal_connect (action, "activate", G_CALLBACK (on_app_action), slot);
  g_action_map_add_action (G_ACTION_MAP (f->app), G_ACTION (action));
}

static void
fixture_init (Fixture    *f,
              const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *template = g_strdup_printf ("callnotes-%s-XXXXXX", name);
  g_autofree char *app_id = g_strdup_printf ("io.github.callnotes.Callnotes.Test%s", name);

  f->dir = g_dir_make_tmp (template, &error);
  g_assert_no_error (error);
  g_setenv ("CALLNOTES_DATA_DIR", f->dir, TRUE);
  path = cn_database_get_default_path ();
  f->db = cn_database_open (path, &error);
  g_assert_no_error (error);
  f->now = g_get_real_time () / G_USEC_PER_SEC;
  f->settings = g_settings_new (APP_ID);
  g_settings_reset (f->settings, "popup-call-completed");

  f->app = GTK_APPLICATION (adw_application_new (app_id, G_APPLICATION_NON_UNIQUE));
  g_object_set (f->app, "resource-base-path", RESOURCE_BASE, NULL);
  g_assert_true (g_application_register (G_APPLICATION (f->app), NULL, NULL));
  add_app_action (f, "dial", &f->dialed);
  add_app_action (f, "log-call-from-event", &f->logged_sid);
  add_app_action (f, "open-recording", &f->played_sid);
}

static void
fixture_clear (Fixture *f)
{
  if (f->window != NULL)
    gtk_window_destroy (GTK_WINDOW (f->window));
  spin (50);
  g_clear_object (&f->stream);
  g_clear_object (&f->app);
  g_clear_object (&f->settings);
  g_clear_object (&f->db);
  ui_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->dialed);
  g_free (f->logged_sid);
  g_free (f->played_sid);
}

static void
open_window (Fixture *f)
{
  f->window = cn_window_new (f->app, f->db);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 760, 560);
  gtk_window_present (GTK_WINDOW (f->window));
  wait_until (is_mapped, f->window, "the history window");
  focus_window (GTK_WIDGET (f->window));
  wait_until (is_active, f->window, "the history window to be focused");
}

/* ---- the Follow-ups page ---------------------------------------------------------- */

static GtkWidget *
follow_ups_button (Fixture *f)
{
  GtkWidget *button = find_widget (GTK_WIDGET (f->window), match_css_class,
                                   "cn-follow-ups-status");

  g_assert_nonnull (button);
  return button;
}

static gboolean
no_overdue_shown (gpointer data)
{
  return !gtk_widget_get_visible (follow_ups_button (data));
}

/* Whether @page lists a row titled @title in the group @group. */
typedef struct {
  GtkWidget  *page;
  const char *group;
  const char *title;
  gboolean    present;
} RowWait;

static GtkWidget *
find_row (GtkWidget  *page,
          const char *group_title,
          const char *title)
{
  GtkWidget *group = find_widget (page, match_group, group_title);

  if (group == NULL || !gtk_widget_get_visible (group))
    return NULL;

  return find_widget (group, match_row, title);
}

static gboolean
row_reached (gpointer data)
{
  RowWait *wait = data;

  return (find_row (wait->page, wait->group, wait->title) != NULL) == wait->present;
}

static void
wait_for_row (GtkWidget  *page,
              const char *group,
              const char *title,
              gboolean    present)
{
  RowWait wait = { page, group, title, present };
  g_autofree char *what = g_strdup_printf ("“%s” %s in %s", title,
                                           present ? "to be" : "not to be", group);

  wait_until (row_reached, &wait, what);
}

static gboolean
page_shown (gpointer data)
{
  GtkWidget **page = data;

  *page = find_toplevel (CN_TYPE_FOLLOW_UPS_WINDOW);
  return *page != NULL && gtk_widget_get_mapped (*page);
}

typedef struct {
  Fixture    *f;
  const char *uuid;
} StoreWait;

static gboolean
follow_up_closed (gpointer data)
{
  StoreWait *wait = data;
  g_autoptr(CnFollowUp) follow_up = find_follow_up (wait->f, wait->uuid);

  return follow_up == NULL;
}

static gboolean
page_empty (gpointer data)
{
  GtkWidget *stack = find_widget (data, match_type, GSIZE_TO_POINTER (GTK_TYPE_STACK));

  return g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (stack)), "empty") == 0;
}

static void
test_follow_ups (void)
{
  Fixture f = { 0, };
  g_autofree char *jane = NULL;
  g_autofree char *bob = NULL;
  g_autofree char *eve = NULL;
  g_autofree char *plain = NULL;
  g_autofree char *jane_dial = NULL;
  g_autoptr(CnFollowUp) snoozed = NULL;
  g_autoptr(CnCallLog) later = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *page = NULL;
  GtkWidget *row, *button;
  StoreWait store_wait = { &f, NULL };

  fixture_init (&f, "FollowUps");
  jane = insert_log (&f, "Jane Doe", "101", "+15551230001",
                     "Wants the renewal quote\nSecond line", f.now - 1800);
  bob = insert_log (&f, "Bob Stone", "102", "+15551230002", "Send the contract", f.now + 26 * 3600);
  eve = insert_log (&f, "Eve Park", "103", "+15551230003", NULL, f.now + 3 * 3600);
  plain = insert_log (&f, "Dana Fox", "104", "+15551230004", "No follow-up", 0);

  open_window (&f);

  /* The header bar counts the overdue one. */
  g_assert_true (gtk_widget_get_visible (follow_ups_button (&f)));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_widget (follow_ups_button (&f), match_type,
                                                               GSIZE_TO_POINTER (GTK_TYPE_LABEL)))),
                   ==, "1");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (follow_ups_button (&f)), ==,
                   "1 Overdue Follow-up");
  screenshot ("history-overdue");

  /* Ctrl+Shift+F (a real key press; the main menu and that button use the
   * same action) opens the page over the history, and not the search. */
  press_key (GTK_WIDGET (f.window), "ctrl+shift+f");
  wait_until (page_shown, &page, "Ctrl+Shift+F to open the Follow-ups page");
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (page)) == GTK_WINDOW (f.window));
  g_assert_false (gtk_search_bar_get_search_mode (
    GTK_SEARCH_BAR (find_widget (GTK_WIDGET (f.window), match_type,
                                 GSIZE_TO_POINTER (GTK_TYPE_SEARCH_BAR)))));
  /* A second time it comes to the front; there is one page. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.show-follow-ups", NULL));
  g_assert_true (find_toplevel (CN_TYPE_FOLLOW_UPS_WINDOW) == page);

  wait_for_row (page, "Overdue", "Jane Doe", TRUE);
  wait_for_row (page, "Upcoming", "Bob Stone", TRUE);
  wait_for_row (page, "Upcoming", "Eve Park", TRUE);
  g_assert_null (find_row (page, "Overdue", "Bob Stone"));
  g_assert_null (find_row (page, "Upcoming", "Jane Doe"));
  g_assert_null (find_row (page, "Upcoming", "Dana Fox"));
  g_assert_null (find_row (page, "Overdue", "Dana Fox"));

  /* Soonest first: Eve (in 3 hours) above Bob (tomorrow). */
  row = find_row (page, "Upcoming", "Eve Park");
  g_assert_true (gtk_widget_get_next_sibling (row) == find_row (page, "Upcoming", "Bob Stone"));

  /* Jane's row: when, the number, the notes' first line; Call Now dials her
   * number; Snooze and Mark Done take her log. */
  row = find_row (page, "Overdue", "Jane Doe");
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "+15551230001"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                            "Wants the renewal quote"));
  g_assert_null (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Second line"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "30 minutes ago"));
  jane_dial = g_strdup ("tel:+15551230001");
  button = find_button (row, "app.dial", jane_dial);
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_nonnull (gtk_widget_get_tooltip_text (button));
  g_assert_nonnull (find_button (row, "follow-ups.snooze", jane));
  g_assert_nonnull (find_button (row, "follow-ups.done", jane));
  g_assert_true (gtk_widget_activate (button));
  wait_until (is_set, &f.dialed, "Call Now to dial");
  g_assert_cmpstr (f.dialed, ==, jane_dial);
  /* Bob's is not due yet: no Snooze. */
  row = find_row (page, "Upcoming", "Bob Stone");
  g_assert_null (find_button (row, "follow-ups.snooze", bob));
  g_assert_nonnull (find_button (row, "follow-ups.done", bob));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Tomorrow"));
  screenshot ("follow-ups");

  /* Snooze: Jane's is due in 10 minutes, so it is upcoming, and none is
   * overdue any more. */
  g_assert_true (gtk_widget_activate (find_button (page, "follow-ups.snooze", jane)));
  wait_for_row (page, "Upcoming", "Jane Doe", TRUE);
  wait_for_row (page, "Overdue", "Jane Doe", FALSE);
  snoozed = find_follow_up (&f, jane);
  g_assert_nonnull (snoozed);
  g_assert_cmpint (snoozed->due_at, >=, f.now + 600);
  g_assert_cmpint (snoozed->due_at, <=, g_get_real_time () / G_USEC_PER_SEC + 600);
  g_assert_false (gtk_widget_get_visible (find_widget (page, match_group, "Overdue")));
  /* Soonest first: Jane now leads. */
  g_assert_null (gtk_widget_get_prev_sibling (find_row (page, "Upcoming", "Jane Doe")));
  wait_until (no_overdue_shown, &f, "the header bar's count to go");

  /* Mark Done: Bob's is closed in the store and leaves the page. */
  g_assert_true (gtk_widget_activate (find_button (page, "follow-ups.done", bob)));
  store_wait.uuid = bob;
  wait_until (follow_up_closed, &store_wait, "Bob's follow-up to be done");
  wait_for_row (page, "Upcoming", "Bob Stone", FALSE);
  g_assert_nonnull (find_row (page, "Upcoming", "Eve Park"));

  /* A later call logged to Eve's contact does her follow-up (the page
   * follows the database). */
  later = cn_call_log_new_with_uuid ();
  cn_call_log_set_contact_name (later, "Eve Park");
  cn_call_log_set_contact_id (later, "103");
  cn_call_log_set_phone (later, "+15551230003");
  cn_call_log_set_outcome (later, CN_OUTCOME_CONNECTED);
  g_assert_true (cn_database_insert_call (f.db, later, NULL, 0, &error));
  g_assert_no_error (error);
  wait_for_row (page, "Upcoming", "Eve Park", FALSE);

  /* The last one done: the page says there is nothing. */
  g_assert_true (gtk_widget_activate (find_button (page, "follow-ups.done", jane)));
  store_wait.uuid = jane;
  wait_until (follow_up_closed, &store_wait, "Jane's follow-up to be done");
  wait_until (page_empty, page, "the empty page");
  screenshot ("follow-ups-empty");

  /* Escape closes it (once the toasts are gone: when the page gets the
   * focus back without a focused widget, GTK focuses a toast's close
   * button, and Escape dismisses that toast first). */
  g_object_add_weak_pointer (G_OBJECT (page), (gpointer *) &page);
  for (guint i = 0; i < 6 && page != NULL; i++)
    {
      press_key (page, "Escape");
      spin (300);
    }
  wait_until (is_cleared, &page, "Escape to close the Follow-ups page");

  fixture_clear (&f);
}

/* ---- live calls ---------------------------------------------------------------- */

static CnLivePill *
live_pill (Fixture *f)
{
  GtkWidget *pill = find_widget (GTK_WIDGET (f->window), match_type,
                                 GSIZE_TO_POINTER (CN_TYPE_LIVE_PILL));

  g_assert_nonnull (pill);
  return CN_LIVE_PILL (pill);
}

static CnCallCard *
call_card (Fixture *f)
{
  GtkWidget *card = find_widget (GTK_WIDGET (f->window), match_type,
                                 GSIZE_TO_POINTER (CN_TYPE_CALL_CARD));

  g_assert_nonnull (card);
  return CN_CALL_CARD (card);
}

static GtkWidget *
window_title (Fixture *f)
{
  GtkWidget *title = find_widget (GTK_WIDGET (f->window), match_type,
                                  GSIZE_TO_POINTER (ADW_TYPE_WINDOW_TITLE));

  g_assert_nonnull (title);
  return title;
}

static void
emit_call (Fixture    *f,
           const char *signal,
           const char *sid,
           const char *status,
           const char *name,
           const char *phone,
           gint64      started_at,
           gint64      duration,
           const char *recording_url)
{
  g_autoptr(CnStreamCall) call = cn_stream_call_new ();

  call->call_sid = g_strdup (sid);
  call->status = g_strdup (status);
  call->contact_name = g_strdup (name);
  call->phone = g_strdup (phone);
  call->started_at = started_at;
  call->duration_seconds = duration;
  call->recording_url = g_strdup (recording_url);
  call->direction = g_strdup ("outbound");
  call->completed = g_str_equal (signal, "call-completed");
  call->received_at = g_get_real_time () / G_USEC_PER_SEC;

  g_signal_emit_by_name (f->stream, signal, call);
}

static const char *
pill_party (Fixture *f)
{
  GtkWidget *label = find_widget (GTK_WIDGET (live_pill (f)), match_type,
                                  GSIZE_TO_POINTER (GTK_TYPE_LABEL));

  return gtk_label_get_text (GTK_LABEL (label));
}

typedef struct {
  CnLivePill *pill;
  const char *text;
} TimerWait;

static gboolean
timer_moved (gpointer data)
{
  TimerWait *wait = data;

  return g_strcmp0 (cn_live_pill_get_timer_text (wait->pill), wait->text) != 0;
}

static gboolean
pill_hidden (gpointer pill)
{
  return !gtk_widget_get_visible (pill) && cn_live_pill_get_n_calls (pill) == 0;
}

static void
check_live_pill (Fixture *f)
{
  CnLivePill *pill = live_pill (f);
  g_autofree char *first = NULL;
  TimerWait wait = { pill, NULL };
  int minutes, seconds;

  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (pill)));
  g_assert_true (gtk_widget_get_visible (window_title (f)));

  /* A call that began 65 s ago: the pill takes the title's place, and its
   * timer counts from the call's start. */
  emit_call (f, "live-call", "CA1", "Ringing", "Jane Doe", "+15551230001", f->now - 65, -1, NULL);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (pill)));
  g_assert_false (gtk_widget_get_visible (window_title (f)));
  g_assert_cmpstr (cn_live_pill_get_call_sid (pill), ==, "CA1");
  g_assert_cmpstr (pill_party (f), ==, "Jane Doe");
  g_assert_true (gtk_widget_has_css_class (find_widget (GTK_WIDGET (pill), match_css_class,
                                                        "cn-live-pill"), "cn-live-ringing"));
  first = g_strdup (cn_live_pill_get_timer_text (pill));
  g_assert_cmpint (sscanf (first, "%d:%d", &minutes, &seconds), ==, 2);
  g_assert_cmpint (minutes * 60 + seconds, >=, 65);
  g_assert_cmpint (minutes * 60 + seconds, <=, 65 + 5);
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (GTK_WIDGET (pill)), "Calling Jane Doe"));

  /* It counts, every second. */
  wait.text = first;
  wait_until (timer_moved, &wait, "the timer to count");

  /* Answered: the same call, another look. */
  emit_call (f, "live-call", "CA1", "Picked", "Jane Doe", "+15551230001", f->now - 65, -1, NULL);
  g_assert_cmpuint (cn_live_pill_get_n_calls (pill), ==, 1);
  g_assert_true (gtk_widget_has_css_class (find_widget (GTK_WIDGET (pill), match_css_class,
                                                        "cn-live-pill"), "cn-live-answered"));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (GTK_WIDGET (pill)), "In call with"));

  /* A second call (no start given, no name): the latest is shown, with a
   * count of the others. */
  emit_call (f, "live-call", "CA2", "Ringing", NULL, "+4930123456", 0, -1, NULL);
  g_assert_cmpuint (cn_live_pill_get_n_calls (pill), ==, 2);
  g_assert_cmpstr (cn_live_pill_get_call_sid (pill), ==, "CA2");
  g_assert_cmpstr (pill_party (f), ==, "+4930123456");
  g_assert_cmpstr (cn_live_pill_get_timer_text (pill), ==, "00:00");
  g_assert_true (gtk_widget_get_visible (find_widget (GTK_WIDGET (pill), match_css_class,
                                                      "cn-live-more")));
  screenshot ("history-live-pill");

  /* A final status ends it: Jane's call is shown again. */
  emit_call (f, "live-call", "CA2", "hangup", NULL, "+4930123456", 0, -1, NULL);
  g_assert_cmpuint (cn_live_pill_get_n_calls (pill), ==, 1);
  g_assert_cmpstr (cn_live_pill_get_call_sid (pill), ==, "CA1");
  g_assert_false (gtk_widget_get_visible (find_widget (GTK_WIDGET (pill), match_css_class,
                                                       "cn-live-more")));
}

/* A call as the event stream hands it on: stored with the step its status
 * adds to its sequence, read back, then signalled. */
static void
emit_stored_call (Fixture    *f,
                  const char *signal,
                  const char *sid,
                  const char *status,
                  const char *step,
                  const char *name,
                  const char *phone)
{
  g_autoptr(CnStreamCall) call = cn_stream_call_new ();
  g_autoptr(CnStreamCall) stored = NULL;
  g_autoptr(GError) error = NULL;

  call->call_sid = g_strdup (sid);
  call->status = g_strdup (status);
  call->contact_name = g_strdup (name);
  call->phone = g_strdup (phone);
  call->direction = g_strdup (g_str_equal (status, "incoming") ? "inbound" : "outbound");
  call->completed = g_str_equal (signal, "call-completed");
  call->duration_seconds = -1;
  call->started_at = f->now - 5;
  call->received_at = g_get_real_time () / G_USEC_PER_SEC;
  g_assert_true (cn_database_store_stream_call (f->db, call, step, &error));
  g_assert_no_error (error);
  stored = cn_database_get_stream_call (f->db, sid, &error);
  g_assert_no_error (error);
  g_signal_emit_by_name (f->stream, signal, stored);
}

static gboolean
match_css_name (GtkWidget     *widget,
                gconstpointer  name)
{
  return g_strcmp0 (gtk_widget_get_css_name (widget), name) == 0;
}

/* The toasts the window shows (their widgets, "toast" nodes). */
static guint
count_toasts (GtkWidget *root)
{
  guint n = match_css_name (root, "toast") ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_toasts (child);

  return n;
}

/* The title of the toast the window shows, NULL when none. */
static const char *
toast_title (Fixture *f)
{
  GtkWidget *toast = find_widget (GTK_WIDGET (f->window), match_css_name, "toast");
  GtkWidget *label;

  if (toast == NULL)
    return NULL;

  label = find_widget (toast, match_type, GSIZE_TO_POINTER (GTK_TYPE_LABEL));
  g_assert_nonnull (label);
  return gtk_label_get_text (GTK_LABEL (label));
}

static gboolean
no_toast (gpointer data)
{
  return toast_title (data) == NULL;
}

/* The toast says what the live call is at, step by step: one toast whose
 * words follow the call, to its end. */
static void
check_live_toast (Fixture *f)
{
  /* The earlier calls' toast times out first. */
  wait_until (no_toast, f, "the earlier toasts to go");

  emit_stored_call (f, "live-call", "CT1", "initiated", "dialing", "Jane Doe", "+15551230001");
  g_assert_cmpstr (toast_title (f), ==, "Calling Jane Doe…");
  emit_stored_call (f, "live-call", "CT1", "Ringing", "ringing", NULL, NULL);
  g_assert_cmpstr (toast_title (f), ==, "Calling Jane Doe…");
  emit_stored_call (f, "live-call", "CT1", "Picked", "answered", NULL, NULL);
  g_assert_cmpstr (toast_title (f), ==, "In call with Jane Doe…");
  /* Not a queue of toasts behind each other: the one toast changed. */
  g_assert_cmpuint (count_toasts (GTK_WIDGET (f->window)), ==, 1);
  screenshot ("history-live-toast");

  /* Hung up: it says so (not "Calling" again), then goes by itself. */
  emit_stored_call (f, "live-call", "CT1", "hangup", "ended", NULL, NULL);
  g_assert_cmpstr (toast_title (f), ==, "Call with Jane Doe ended");
  g_assert_cmpuint (count_toasts (GTK_WIDGET (f->window)), ==, 1);
  wait_until (no_toast, f, "the live call's toast to time out");

  /* A call with only a number, answered, then completed (the
   * call_completed event). */
  emit_stored_call (f, "live-call", "CT2", "Ringing", "ringing", NULL, "+4930123456");
  g_assert_cmpstr (toast_title (f), ==, "Calling +4930123456…");
  emit_stored_call (f, "live-call", "CT2", "Picked", "answered", NULL, NULL);
  g_assert_cmpstr (toast_title (f), ==, "In call with +4930123456…");
  g_settings_set_boolean (f->settings, "popup-call-completed", FALSE);
  emit_stored_call (f, "call-completed", "CT2", "ANSWER", "completed", NULL, NULL);
  g_settings_set_boolean (f->settings, "popup-call-completed", TRUE);
  g_assert_cmpstr (toast_title (f), ==, "Call with +4930123456 ended");
  g_assert_true (pill_hidden (live_pill (f)));

  /* A call coming in says so. */
  emit_stored_call (f, "live-call", "CT3", "incoming", "incoming", "Eve Park", NULL);
  g_assert_cmpstr (toast_title (f), ==, "Incoming call from Eve Park");
  emit_stored_call (f, "live-call", "CT3", "answered", "answered", NULL, NULL);
  g_assert_cmpstr (toast_title (f), ==, "In call with Eve Park…");
  emit_stored_call (f, "live-call", "CT3", "hangup", "ended", NULL, NULL);
  g_assert_cmpstr (toast_title (f), ==, "Call with Eve Park ended");
  g_assert_true (pill_hidden (live_pill (f)));
  wait_until (no_toast, f, "the live call's toast to time out");
}

/* The motion controller of the card (what the pointer moves over). */
static GtkEventController *
card_motion (CnCallCard *card)
{
  GtkWidget *stack[64];
  guint depth = 0;

  stack[depth++] = GTK_WIDGET (card);
  while (depth > 0)
    {
      GtkWidget *widget = stack[--depth];
      g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

      for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
        {
          g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

          if (GTK_IS_EVENT_CONTROLLER_MOTION (controller))
            return controller;
        }

      for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        if (depth < G_N_ELEMENTS (stack))
          stack[depth++] = child;
    }

  return NULL;
}

static const char *
card_label (CnCallCard *card,
            const char *css_class)
{
  GtkWidget *label = find_widget (GTK_WIDGET (card), match_css_class, css_class);

  g_assert_true (GTK_IS_LABEL (label));
  return gtk_label_get_text (GTK_LABEL (label));
}

static gboolean
card_gone (gpointer card)
{
  return !cn_call_card_get_shown (card) && !gtk_widget_get_visible (card);
}

typedef struct {
  CnCallCard *card;
  guint       remaining;
} CountWait;

static gboolean
count_reached (gpointer data)
{
  CountWait *wait = data;

  return cn_call_card_get_remaining (wait->card) == wait->remaining;
}

static void
check_card (Fixture *f)
{
  CnCallCard *card = call_card (f);
  CnLivePill *pill = live_pill (f);
  GtkWidget *badge, *log_button, *listen_button, *close_button;
  GtkEventController *motion;
  CountWait wait = { card, 0 };
  GVariant *target;

  g_assert_false (cn_call_card_get_shown (card));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (card)));
  cn_call_card_set_countdown (card, 4);

  /* Jane's call completes while the window is focused: the pill goes, the
   * card comes. */
  g_assert_true (gtk_window_is_active (GTK_WINDOW (f->window)));
  emit_call (f, "call-completed", "CA1", "ANSWER", "Jane Doe", "+15551230001", f->now - 200, 135,
             "https://rec.example.com/CA1.mp3");
  g_assert_true (pill_hidden (pill));
  g_assert_true (gtk_widget_get_visible (window_title (f)));
  g_assert_true (cn_call_card_get_shown (card));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (card)));
  g_assert_cmpstr (cn_call_card_get_call_sid (card), ==, "CA1");

  badge = find_widget (GTK_WIDGET (card), match_css_class, "cn-call-status-badge");
  g_assert_nonnull (badge);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (badge)), ==, "Answered");
  g_assert_true (gtk_widget_has_css_class (badge, "cn-call-answered"));
  log_button = find_button (GTK_WIDGET (card), "app.log-call-from-event", "CA1");
  listen_button = find_button (GTK_WIDGET (card), "app.open-recording", "CA1");
  g_assert_nonnull (log_button);
  g_assert_nonnull (listen_button);
  g_assert_true (gtk_widget_get_visible (log_button));
  g_assert_true (gtk_widget_get_visible (listen_button));
  g_assert_cmpstr (card_label (card, "cn-countdown"), ==, "Closes in 4 s");
  {
    /* The contact, and below it the number and the duration. */
    GtkWidget *heading = find_widget (GTK_WIDGET (card), match_css_class, "heading");
    GtkWidget *detail = gtk_widget_get_next_sibling (heading);

    g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (heading)), ==, "Jane Doe");
    g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (detail)), ==, "+15551230001 · 2m 15s");
  }
  screenshot ("history-call-card");

  /* It counts down … */
  wait.remaining = 3;
  wait_until (count_reached, &wait, "the countdown to reach 3");
  g_assert_cmpstr (card_label (card, "cn-countdown"), ==, "Closes in 3 s");

  /* … not while the pointer is over it … */
  motion = card_motion (card);
  g_assert_nonnull (motion);
  g_signal_emit_by_name (motion, "enter", 10.0, 10.0);
  g_assert_true (cn_call_card_get_paused (card));
  spin (2200);
  g_assert_cmpuint (cn_call_card_get_remaining (card), ==, 3);
  g_assert_true (cn_call_card_get_shown (card));

  /* … and closes itself once it is gone. */
  g_signal_emit_by_name (motion, "leave");
  g_assert_false (cn_call_card_get_paused (card));
  wait.remaining = 2;
  wait_until (count_reached, &wait, "the countdown to go on");
  wait_until (card_gone, card, "the card to close itself");

  /* Another status, another colour; no recording, no Listen. */
  emit_call (f, "call-completed", "CA3", "BUSY", NULL, "+4930123456", 0, -1, NULL);
  g_assert_true (cn_call_card_get_shown (card));
  g_assert_true (gtk_widget_has_css_class (badge, "cn-call-missed"));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (badge)), ==, "Busy");
  g_assert_false (gtk_widget_get_visible (listen_button));
  target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (log_button));
  g_assert_cmpstr (g_variant_get_string (target, NULL), ==, "CA3");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_widget (GTK_WIDGET (card), match_css_class,
                                                               "heading"))), ==, "+4930123456");

  /* Log Call asks the application to log it, and the card goes. */
  g_assert_true (gtk_widget_get_sensitive (log_button));
  g_assert_true (gtk_widget_activate (log_button));
  wait_until (is_set, &f->logged_sid, "Log Call");
  g_assert_cmpstr (f->logged_sid, ==, "CA3");
  wait_until (card_gone, card, "the card to go after Log Call");

  /* Listen plays the recording. */
  emit_call (f, "call-completed", "CA3b", "ANSWER", "Jane Doe", NULL, 0, 10,
             "https://rec.example.com/CA3b.mp3");
  g_assert_true (gtk_widget_get_visible (listen_button));
  g_assert_true (gtk_widget_activate (listen_button));
  wait_until (is_set, &f->played_sid, "Listen");
  g_assert_cmpstr (f->played_sid, ==, "CA3b");
  wait_until (card_gone, card, "the card to go after Listen");

  /* A newer one takes its place. */
  emit_call (f, "call-completed", "CA3c", "NOANSWER", "Bob Stone", NULL, 0, 0, NULL);
  g_assert_true (gtk_widget_has_css_class (badge, "cn-call-missed"));
  emit_call (f, "call-completed", "CA4", "FAILED", "Bob Stone", NULL, 0, 0, NULL);
  g_assert_cmpstr (cn_call_card_get_call_sid (card), ==, "CA4");
  /* No number beside the name, and no "0s": nothing below the name. */
  g_assert_false (gtk_widget_get_visible (
    gtk_widget_get_next_sibling (find_widget (GTK_WIDGET (card), match_css_class, "heading"))));
  g_assert_true (gtk_widget_has_css_class (badge, "cn-call-failed"));
  g_assert_false (gtk_widget_has_css_class (badge, "cn-call-missed"));
  g_assert_cmpuint (cn_call_card_get_remaining (card), ==, 4);
  emit_call (f, "call-completed", "CA5", "VOICEMAIL", "Bob Stone", NULL, 0, 31, NULL);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (gtk_widget_get_next_sibling (
    find_widget (GTK_WIDGET (card), match_css_class, "heading")))), ==, "31s");
  g_assert_true (gtk_widget_has_css_class (badge, "cn-call-voicemail"));
  emit_call (f, "call-completed", "CA6", "CANCEL", "Bob Stone", NULL, 0, 0, NULL);
  g_assert_true (gtk_widget_has_css_class (badge, "cn-call-failed"));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (badge)), ==, "Canceled");

  /* The close button closes it at once. */
  close_button = find_widget (GTK_WIDGET (card), match_css_class, "cn-card-close");
  g_assert_nonnull (close_button);
  g_assert_true (gtk_widget_activate (close_button));
  wait_until (card_gone, card, "the close button to close the card");

  /* The keyboard focus in it stops the count too, and Escape closes it. */
  emit_call (f, "call-completed", "CA6b", "ANSWER", "Jane Doe", NULL, 0, 10, NULL);
  g_assert_true (gtk_widget_grab_focus (log_button));
  g_assert_true (cn_call_card_get_paused (card));
  press_key (GTK_WIDGET (f->window), "Escape");
  wait_until (card_gone, card, "Escape to close the card");

  /* Turned off in the settings: no card. */
  g_settings_set_boolean (f->settings, "popup-call-completed", FALSE);
  emit_call (f, "call-completed", "CA7", "ANSWER", "Jane Doe", NULL, 0, 10, NULL);
  g_assert_false (cn_call_card_get_shown (card));
  spin (300);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (card)));
  g_settings_set_boolean (f->settings, "popup-call-completed", TRUE);
}

/* Not focused (the agent is in another window): no card, only the
 * application's notification. */
static void
check_card_needs_focus (Fixture *f)
{
  CnCallCard *card = call_card (f);
  GtkWidget *other = gtk_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (other), 200, 100);
  gtk_window_present (GTK_WINDOW (other));
  wait_until (is_mapped, other, "another window");
  focus_window (other);
  wait_until (is_inactive, f->window, "the history window to lose the focus");

  emit_call (f, "call-completed", "CA8", "ANSWER", "Jane Doe", NULL, 0, 10, NULL);
  g_assert_false (cn_call_card_get_shown (card));

  gtk_window_destroy (GTK_WINDOW (other));
  focus_window (GTK_WIDGET (f->window));
  wait_until (is_active, f->window, "the history window to be focused again");
  emit_call (f, "call-completed", "CA9", "ANSWER", "Jane Doe", NULL, 0, 10, NULL);
  g_assert_true (cn_call_card_get_shown (card));
  cn_call_card_dismiss (card);
  wait_until (card_gone, card, "the card to go");
}

/* A call whose end never came goes after a while (two hours; here one
 * second). */
static void
check_stale_call (Fixture *f)
{
  CnLivePill *pill = live_pill (f);

  cn_live_pill_set_stale_seconds (pill, 1);
  emit_call (f, "live-call", "CA10", "Picked", "Eve Park", NULL, 0, -1, NULL);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (pill)));
  wait_until (pill_hidden, pill, "the pill to drop the stale call");
  g_assert_true (gtk_widget_get_visible (window_title (f)));
  cn_live_pill_set_stale_seconds (pill, 0);
}

/* A call stored by the stream before the window opened is shown when the
 * window gets the stream; a completed one is not. */
static void
check_stored_call (Fixture *f)
{
  g_autoptr(CnStreamCall) live = cn_stream_call_new ();
  g_autoptr(CnStreamCall) done = cn_stream_call_new ();
  g_autoptr(GError) error = NULL;
  CnWindow *window;
  CnLivePill *pill;
  GtkWidget *found;

  live->call_sid = g_strdup ("CA20");
  live->status = g_strdup ("Picked");
  live->contact_name = g_strdup ("Stored Call");
  live->started_at = f->now - 30;
  live->received_at = g_get_real_time () / G_USEC_PER_SEC;
  g_assert_true (cn_database_store_stream_call (f->db, live, "answered", &error));
  g_assert_no_error (error);
  done->call_sid = g_strdup ("CA21");
  done->status = g_strdup ("ANSWER");
  done->completed = TRUE;
  done->received_at = live->received_at + 1;
  g_assert_true (cn_database_store_stream_call (f->db, done, "completed", &error));
  g_assert_no_error (error);

  window = cn_window_new (f->app, f->db);
  cn_window_set_event_stream (window, f->stream);
  found = find_widget (GTK_WIDGET (window), match_type, GSIZE_TO_POINTER (CN_TYPE_LIVE_PILL));
  g_assert_nonnull (found);
  pill = CN_LIVE_PILL (found);
  g_assert_cmpuint (cn_live_pill_get_n_calls (pill), ==, 1);
  g_assert_cmpstr (cn_live_pill_get_call_sid (pill), ==, "CA20");
  /* Unset: no signal reaches it any more. */
  cn_window_set_event_stream (window, NULL);
  emit_call (f, "call-completed", "CA20", "ANSWER", "Stored Call", NULL, 0, 10, NULL);
  g_assert_cmpuint (cn_live_pill_get_n_calls (pill), ==, 1);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_live_calls (void)
{
  Fixture f = { 0, };
  g_autoptr(CnSyncConfig) config = cn_sync_config_new ();

  fixture_init (&f, "LiveCalls");
  insert_log (&f, "Dana Fox", "104", "+15551230004", "Asked about pricing", 0);
  f.stream = cn_event_stream_new (f.db, config, NULL);

  open_window (&f);
  cn_window_set_event_stream (f.window, f.stream);

  check_live_pill (&f);
  check_card (&f);
  check_card_needs_focus (&f);
  check_stale_call (&f);
  check_stored_call (&f);
  check_live_toast (&f);

  fixture_clear (&f);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ui/live/follow-ups", test_follow_ups);
  g_test_add_func ("/ui/live/calls", test_live_calls);

  return g_test_run ();
}
