/* test-contact-history.c: the contact history window, under Xvfb
 *
 * Local logs and the fake backend's calls for one contact, merged newest
 * first without a call shown twice; the note when there is no backend to
 * ask, the message when it refuses the token (the local logs still show),
 * a log without a contact, and Escape (a real key press, XTEST) closing it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gdk/x11/gdkx.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "cn-backend-history.h"
#include "cn-contact-history-window.h"
#include "cn-sync-requests.h"
#include "cn-sync-worker.h"
#include "fake-servers.h"

#define TIMEOUT_S 20
#define TOKEN     "history-test-token"

typedef struct {
  char        *dir;
  CnDatabase  *db;
  FakeServer  *server;
  char        *synced;      /* local, also on the backend */
  char        *unsynced;    /* local only */
  char        *bare;        /* no contact */
  gint64       now;
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

static gboolean
loaded (gpointer window)
{
  return gtk_widget_get_mapped (window)
         && !cn_contact_history_window_is_loading (CN_CONTACT_HISTORY_WINDOW (window));
}

static gboolean
is_cleared (gpointer pointer)
{
  return *(gpointer *) pointer == NULL;
}

static char *
insert (Fixture    *f,
        const char *contact_id,
        CnOutcome   outcome,
        gint64      age,
        const char *notes)
{
  g_autoptr(CnCallLog) log = cn_call_log_new_with_uuid ();
  g_autoptr(GError) error = NULL;

  cn_call_log_set_contact_id (log, contact_id);
  cn_call_log_set_contact_name (log, contact_id != NULL ? "Jane Doe" : NULL);
  cn_call_log_set_phone (log, "+15551234567");
  cn_call_log_set_outcome (log, outcome);
  cn_call_log_set_notes (log, notes);
  cn_call_log_set_created_at (log, f->now - age);
  cn_call_log_set_updated_at (log, f->now - age);
  g_assert_true (cn_database_insert_call (f->db, log, NULL, 0, &error));
  g_assert_no_error (error);

  return g_strdup (cn_call_log_get_uuid (log));
}

static void
post (Fixture    *f,
      const char *uuid)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 10, NULL);
  g_autofree char *url = g_strconcat (fake_server_get_base_url (f->server), "/api/calls", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(CnCallLog) log = cn_database_get_call (f->db, uuid, NULL);
  g_autofree char *body = cn_sync_backend_body (log);
  g_autoptr(GBytes) request = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) answer = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                "Bearer " TOKEN);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Idempotency-Key", uuid);
  soup_message_set_request_body_from_bytes (msg, "application/json", request);
  answer = soup_session_send_and_read (session, msg, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 201);
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

static GtkWindow *
open_history (Fixture      *f,
              CnSyncWorker *worker,
              const char   *uuid)
{
  GtkWindow *window = cn_contact_history_window_new (NULL, f->db, worker, uuid);

  g_assert_nonnull (window);
  gtk_window_present (window);
  wait_until (loaded, window, "the history to load");
  return window;
}

static GtkWindow *
close_history (GtkWindow *window)
{
  gtk_window_destroy (window);
  return NULL;
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
test_contact_history (void)
{
  Fixture fixture = { 0 };
  Fixture *f = &fixture;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(CnSyncWorker) worker = NULL;
  g_autoptr(CnSyncWorker) wrong = NULL;
  GtkWindow *window;
  GPtrArray *entries;
  CnTimelineEntry *e;

  f->now = g_get_real_time () / G_USEC_PER_SEC;
  f->dir = g_dir_make_tmp ("callnotes-history-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "callnotes.db", NULL);
  f->db = cn_database_open (path, &error);
  g_assert_no_error (error);
  f->server = fake_server_new (FAKE_BACKEND);
  fake_server_set_token (f->server, TOKEN);

  f->synced = insert (f, "42", CN_OUTCOME_CONNECTED, 600, "Discussed renewal.");
  f->unsynced = insert (f, "42", CN_OUTCOME_VOICEMAIL, 7200, "Left a message.");
  f->bare = insert (f, NULL, CN_OUTCOME_BUSY, 60, NULL);
  g_free (insert (f, "43", CN_OUTCOME_BUSY, 30, "Another contact."));
  post (f, f->synced);
  {
    g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (f->now - 3600);
    g_autofree char *text = g_date_time_format (when, "%Y-%m-%dT%H:%M:%SZ");

    fake_server_add_remote_call (f->server, "42", NULL, "no_answer", "Tried from the office.",
                                 text);
  }
  worker = new_worker (f, TOKEN);
  wrong = new_worker (f, "not-the-token");

  /* Local and remote, newest first, the synced call once. */
  window = open_history (f, worker, f->unsynced);
  g_assert_cmpstr (gtk_window_get_title (window), ==, "History of Jane Doe");
  g_assert_null (cn_contact_history_window_get_status (CN_CONTACT_HISTORY_WINDOW (window)));
  entries = cn_contact_history_window_get_entries (CN_CONTACT_HISTORY_WINDOW (window));
  g_assert_cmpuint (entries->len, ==, 3);
  e = entries->pdata[0];
  g_assert_cmpstr (cn_call_log_get_uuid (e->local), ==, f->synced);
  g_assert_nonnull (e->remote);
  e = entries->pdata[1];
  g_assert_null (e->local);
  g_assert_cmpstr (e->remote->user_name, ==, "Sam");
  e = entries->pdata[2];
  g_assert_cmpstr (cn_call_log_get_uuid (e->local), ==, f->unsynced);
  g_assert_null (e->remote);
  g_assert_cmpuint (fake_server_count_requests (f->server, "GET", "/api/calls/42"), ==, 1);

  /* Escape closes it. */
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  focus_window (GTK_WIDGET (window));
  {
    const char *argv[] = { "xdotool", "key", "Escape", NULL };
    int status;

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                 NULL, NULL, &status, NULL));
  }
  wait_until (is_cleared, &window, "Escape to close the window");

  /* The backend refuses the token: said so, the local logs still show. */
  window = open_history (f, wrong, f->synced);
  g_assert_nonnull (strstr (cn_contact_history_window_get_status (
                              CN_CONTACT_HISTORY_WINDOW (window)), "401"));
  entries = cn_contact_history_window_get_entries (CN_CONTACT_HISTORY_WINDOW (window));
  g_assert_cmpuint (entries->len, ==, 2);
  window = close_history (window);

  /* An HTML error page instead of calls. */
  fake_server_queue_fault (f->server, FAKE_HTML);
  window = open_history (f, worker, f->synced);
  g_assert_nonnull (strstr (cn_contact_history_window_get_status (
                              CN_CONTACT_HISTORY_WINDOW (window)), "web page"));
  g_assert_cmpuint (cn_contact_history_window_get_entries (
                      CN_CONTACT_HISTORY_WINDOW (window))->len, ==, 2);
  window = close_history (window);

  /* No worker: only the local logs, with a note. */
  window = open_history (f, NULL, f->synced);
  g_assert_nonnull (strstr (cn_contact_history_window_get_status (
                              CN_CONTACT_HISTORY_WINDOW (window)), "Only calls logged on this"));
  g_assert_cmpuint (cn_contact_history_window_get_entries (
                      CN_CONTACT_HISTORY_WINDOW (window))->len, ==, 2);
  window = close_history (window);

  /* A log without a contact: that call alone. */
  fake_server_clear_requests (f->server);
  window = open_history (f, worker, f->bare);
  g_assert_cmpuint (cn_contact_history_window_get_entries (
                      CN_CONTACT_HISTORY_WINDOW (window))->len, ==, 1);
  g_assert_nonnull (cn_contact_history_window_get_status (CN_CONTACT_HISTORY_WINDOW (window)));
  g_assert_cmpuint (fake_server_count_requests (f->server, NULL, NULL), ==, 0);
  window = close_history (window);

  /* A log that does not exist. */
  window = cn_contact_history_window_new (NULL, f->db, worker,
                                          "00000000-0000-4000-8000-000000000000");
  g_assert_nonnull (window);
  g_assert_false (cn_contact_history_window_is_loading (CN_CONTACT_HISTORY_WINDOW (window)));
  gtk_window_destroy (window);

  /* Closed while the backend is still answering: nothing breaks. */
  fake_server_set_stall_seconds (f->server, 15);
  fake_server_queue_fault (f->server, FAKE_STALL);
  window = cn_contact_history_window_new (NULL, f->db, worker, f->synced);
  gtk_window_present (window);
  while (fake_server_count_requests (f->server, "GET", "/api/calls/42") == 0)
    g_main_context_iteration (NULL, FALSE);
  gtk_window_destroy (window);
  for (guint i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);

  g_clear_object (&worker);
  g_clear_object (&wrong);
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
  g_free (f->synced);
  g_free (f->unsynced);
  g_free (f->bare);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/contact-history/window", test_contact_history);

  return g_test_run ();
}
