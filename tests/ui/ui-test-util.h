/* ui-test-util.h: what the UI tests that drive the real application share
 *
 * Real key presses (xdotool, XTEST) under Xvfb, finding the logger and
 * message dialogs, the step machine that walks a test through the running
 * application, and running each test in a process of its own.
 *
 * Include it after defining StepFunc as gboolean (*) (Fixture *f) and
 * struct Fixture with at least:
 *
 *   char           *dir;            (the test's data folder)
 *   CnApplication  *app;
 *   const StepFunc *steps;          (ends with NULL)
 *   guint           step;
 *   gint64          step_started;
 *
 * A file whose steps keep state of their own defines UI_TEST_STEP_DONE (f)
 * first, to reset it when a step is done.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdarg.h>

#include <gdk/x11/gdkx.h>

#include "cn-application.h"
#include "cn-database.h"
#include "cn-log-dialog.h"
#include "cn-window.h"

#define STEP_INTERVAL_MS 50
#define TIMEOUT_S 30

#ifndef UI_TEST_STEP_DONE
#define UI_TEST_STEP_DONE(f) ((void) (f))
#endif

static inline CnLogDialog *
find_logger (Fixture *f)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (f->app)); l; l = l->next)
    if (CN_IS_LOG_DIALOG (l->data) && gtk_widget_get_mapped (l->data))
      return l->data;

  return NULL;
}

static inline AdwMessageDialog *
find_message (Fixture *f)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (f->app)); l; l = l->next)
    if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_mapped (l->data))
      return l->data;

  /* Message dialogs with a parent are not registered with the app. */
  for (guint i = 0; i < g_list_model_get_n_items (gtk_window_get_toplevels ()); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (gtk_window_get_toplevels (), i);

      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_widget_get_mapped (GTK_WIDGET (w)))
        return ADW_MESSAGE_DIALOG (w);
    }

  return NULL;
}

/* Depth-first: the first mapped widget of @type under @root whose label
 * (button, label, check button) or title (preferences row) is @text, or
 * any when @text is NULL. */
static inline GtkWidget *
find_widget (GtkWidget  *root,
             GType       type,
             const char *text)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) && gtk_widget_get_mapped (root))
    {
      const char *own = NULL;

      if (GTK_IS_BUTTON (root))
        own = gtk_button_get_label (GTK_BUTTON (root));
      else if (GTK_IS_CHECK_BUTTON (root))
        own = gtk_check_button_get_label (GTK_CHECK_BUTTON (root));
      else if (ADW_IS_PREFERENCES_ROW (root))
        own = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root));
      else if (GTK_IS_LABEL (root))
        own = gtk_label_get_label (GTK_LABEL (root));
      if (text == NULL || g_strcmp0 (own, text) == 0)
        return root;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, text);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static inline CnWindow *
main_window (Fixture *f)
{
  return cn_application_get_main_window (f->app);
}

/* What the history window lists. */
static inline GListModel *
history_model (Fixture *f)
{
  return G_LIST_MODEL (cn_window_get_model (main_window (f)));
}

/* A step: Log Call on a call that was logged already asks first ("Log
 * This Call Again?") and opens no logger; the test answers Cancel. */
static inline gboolean
ui_step_log_again_asks (Fixture *f)
{
  AdwMessageDialog *message = find_message (f);

  if (message == NULL)
    return FALSE;

  g_assert_cmpstr (adw_message_dialog_get_heading (message), ==, "Log This Call Again?");
  g_assert_null (find_logger (f));
  adw_message_dialog_response (message, "cancel");
  gtk_window_destroy (GTK_WINDOW (message));
  return TRUE;
}

/* GTK gives each X11 toplevel a 1x1 child that takes the keyboard focus;
 * without a window manager the test has to hand the focus to it. */
static inline void
focus_window (GtkWidget *window)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  GdkDisplay *display = gtk_widget_get_display (window);
  Display *xdisplay;
  Window xid, root, parent, *children = NULL;
  unsigned int n_children = 0;

  g_assert_true (GDK_IS_X11_SURFACE (surface));
  xdisplay = gdk_x11_display_get_xdisplay (display);
  xid = gdk_x11_surface_get_xid (surface);

  g_assert_true (XQueryTree (xdisplay, xid, &root, &parent, &children, &n_children));
  XSetInputFocus (xdisplay, n_children > 0 ? children[0] : xid, RevertToParent, CurrentTime);
  XSync (xdisplay, False);
  if (children != NULL)
    XFree (children);
}

/* Sends real key presses to @window through the X server (XTEST): each
 * key like "ctrl+Return", or "type:" and text to type. NULL-terminated. */
static inline void
press_keys (GtkWidget  *window,
            const char *first_key,
            ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  int status;
  va_list args;

  focus_window (window);

  g_ptr_array_add (argv, g_strdup ("xdotool"));
  va_start (args, first_key);
  for (const char *key = first_key; key != NULL; key = va_arg (args, const char *))
    {
      if (g_str_has_prefix (key, "type:"))
        {
          g_ptr_array_add (argv, g_strdup ("type"));
          g_ptr_array_add (argv, g_strdup ("--delay"));
          g_ptr_array_add (argv, g_strdup ("20"));
          g_ptr_array_add (argv, g_strdup (key + 5));
        }
      else
        {
          g_ptr_array_add (argv, g_strdup ("key"));
          g_ptr_array_add (argv, g_strdup (key));
        }
    }
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* Every STEP_INTERVAL_MS: runs the step until it is done, then the next;
 * quits the app after the last. A step that is not done within TIMEOUT_S
 * fails the test. */
static inline gboolean
on_step (gpointer user_data)
{
  Fixture *f = user_data;

  if (f->steps[f->step] == NULL)
    {
      g_application_quit (G_APPLICATION (f->app));
      return G_SOURCE_REMOVE;
    }

  if (f->steps[f->step] (f))
    {
      f->step++;
      f->step_started = g_get_monotonic_time ();
      UI_TEST_STEP_DONE (f);
      return G_SOURCE_CONTINUE;
    }

  if (g_get_monotonic_time () - f->step_started > TIMEOUT_S * G_USEC_PER_SEC)
    g_error ("step %u did not complete within %d s", f->step, TIMEOUT_S);

  return G_SOURCE_CONTINUE;
}

/* Runs the application with @argv until the last of @steps is done. */
static inline void
run_steps (Fixture        *f,
           const StepFunc *steps,
           int             argc,
           char          **argv)
{
  f->app = cn_application_new ();
  g_application_set_flags (G_APPLICATION (f->app),
                           G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  f->steps = steps;
  f->step_started = g_get_monotonic_time ();
  g_timeout_add (STEP_INTERVAL_MS, on_step, f);

  g_assert_cmpint (g_application_run (G_APPLICATION (f->app), argc, argv), ==, 0);
}

/* GApplication runs once per process: each test runs again in a fresh one.
 * TRUE inside that process; outside, waits for it and checks it passed. */
static inline gboolean
in_own_process (guint timeout_s)
{
  if (g_test_subprocess ())
    return TRUE;

  g_test_trap_subprocess (NULL, timeout_s * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  return FALSE;
}

/* The database the app uses, opened on its own. */
static inline CnDatabase *
open_db (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->dir, "callnotes.db", NULL);
  g_autoptr(GError) error = NULL;
  CnDatabase *db = cn_database_open (path, &error);

  g_assert_no_error (error);
  return db;
}
