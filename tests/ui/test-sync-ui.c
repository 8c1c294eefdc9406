/* test-sync-ui.c: the sync state in the history and the Sync page, under Xvfb
 *
 * Puts outbox jobs into every state through the store (claim + results, as
 * the worker does), opens the history window and checks the header bar's
 * summary and each row's sync icon; then opens the Sync page from the header
 * bar and drives Retry, Assign Contact and Cancel through their buttons and
 * dialogs, checking the database after each, and closes the page with
 * Escape (a real key press, XTEST).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gdk/x11/gdkx.h>
#include <glib/gstdio.h>

#include "cn-call-row.h"
#include "cn-contact-history-window.h"
#include "cn-outbox.h"
#include "cn-sync-config.h"
#include "cn-sync-window.h"
#include "fake-servers.h"
#include "cn-sync-worker.h"
#include "cn-window.h"
#include "ui-test-dir.h"

#define TIMEOUT_S 20

#define BOB_ERROR "The workspace “sales-eu” does not exist (404)."

typedef struct {
  char        *dir;
  CnDatabase  *db;
  GtkApplication *app;
  CnWindow    *window;
  CnSyncWorker *worker;     /* not started: it only signals */
  gint64       now;
  gint64       retry_at;
  /* one log per state */
  char        *synced;      /* Jane Doe: every job done */
  char        *waiting;     /* Acme Support: backend waits for a retry */
  char        *attention;   /* Bob Stone: backend refused, needs attention */
  char        *contact;     /* a bare number: Ontraport found no contact */
  char        *pending;     /* Eve Park: not sent yet */
} Fixture;

/* ---- helpers ------------------------------------------------------------------ */

static void
wait_until (gboolean (*done) (gpointer),
            gpointer   data,
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
is_mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget);
}

static gboolean
is_cleared (gpointer pointer)
{
  return *(gpointer *) pointer == NULL;
}

/* Depth-first: the first widget under @root for which @match is TRUE. */
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
match_css_class (GtkWidget     *widget,
                 gconstpointer  css_class)
{
  return gtk_widget_has_css_class (widget, css_class);
}

static gboolean
match_call_row (GtkWidget     *widget,
                gconstpointer  uuid)
{
  return CN_IS_CALL_ROW (widget) && cn_call_row_get_log (CN_CALL_ROW (widget)) != NULL &&
         g_strcmp0 (cn_call_log_get_uuid (cn_call_row_get_log (CN_CALL_ROW (widget))), uuid) == 0;
}

/* A button of the Sync page: @action_name with the log's UUID as target. */
typedef struct {
  const char *action_name;
  const char *uuid;
} ButtonQuery;

static gboolean
match_job_button (GtkWidget     *widget,
                  gconstpointer  data)
{
  const ButtonQuery *query = data;
  GVariant *target;

  if (!match_action (widget, query->action_name))
    return FALSE;

  target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (widget));
  return target != NULL && g_variant_is_of_type (target, G_VARIANT_TYPE_STRING) &&
         g_strcmp0 (g_variant_get_string (target, NULL), query->uuid) == 0;
}

static GtkWidget *
find_job_button (CnSyncWindow *page,
                 const char   *action_name,
                 const char   *uuid)
{
  ButtonQuery query = { action_name, uuid };

  return find_widget (GTK_WIDGET (page), match_job_button, &query);
}

/* The row of the Sync page whose title is @title and subtitle holds @text. */
typedef struct {
  const char *title;
  const char *text;
} RowQuery;

static gboolean
match_job_row (GtkWidget     *widget,
               gconstpointer  data)
{
  const RowQuery *query = data;
  const char *subtitle;

  if (!ADW_IS_ACTION_ROW (widget) || !gtk_widget_get_visible (widget))
    return FALSE;

  subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (widget));
  return g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)),
                    query->title) == 0 &&
         subtitle != NULL && strstr (subtitle, query->text) != NULL;
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

static gboolean
message_shown (gpointer data)
{
  GtkWidget **out = data;

  *out = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  return *out != NULL && gtk_widget_get_mapped (*out);
}

static AdwMessageDialog *
wait_for_message (void)
{
  GtkWidget *dialog = NULL;

  wait_until (message_shown, &dialog, "a message dialog");
  return ADW_MESSAGE_DIALOG (dialog);
}

/* GTK gives each X11 toplevel a 1x1 child that takes the keyboard focus;
 * without a window manager the test hands the focus to it, then presses
 * @key through the X server. */
static void
press_key (GtkWidget  *window,
           const char *key)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  Display *xdisplay = gdk_x11_display_get_xdisplay (gtk_widget_get_display (window));
  Window xid, root, parent, *children = NULL;
  unsigned int n_children = 0;
  const char *argv[] = { "xdotool", "key", key, NULL };
  g_autoptr(GError) error = NULL;
  int status;

  g_assert_true (GDK_IS_X11_SURFACE (surface));
  xid = gdk_x11_surface_get_xid (surface);
  g_assert_true (XQueryTree (xdisplay, xid, &root, &parent, &children, &n_children));
  XSetInputFocus (xdisplay, n_children > 0 ? children[0] : xid, RevertToParent, CurrentTime);
  XSync (xdisplay, False);
  if (children != NULL)
    XFree (children);

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* ---- the database --------------------------------------------------------------- */

static char *
insert_log (Fixture    *f,
            const char *name,
            const char *contact_id,
            const char *phone,
            gint64      age)
{
  g_autoptr(CnCallLog) log = cn_call_log_new_with_uuid ();
  g_autoptr(GError) error = NULL;

  cn_call_log_set_contact_name (log, name);
  cn_call_log_set_contact_id (log, contact_id);
  cn_call_log_set_phone (log, phone);
  cn_call_log_set_outcome (log, CN_OUTCOME_CONNECTED);
  cn_call_log_set_duration (log, 95);
  cn_call_log_set_notes (log, "Talked about the renewal");
  cn_call_log_set_created_at (log, f->now - age);
  cn_call_log_set_updated_at (log, f->now - age);
  g_assert_true (cn_database_insert_call (f->db, log, NULL, 0, &error));
  g_assert_no_error (error);

  return g_strdup (cn_call_log_get_uuid (log));
}

static CnSyncJob *
find_job (GPtrArray    *jobs,
          const char   *uuid,
          CnSyncTarget  target)
{
  for (guint i = 0; i < jobs->len; i++)
    {
      CnSyncJob *job = g_ptr_array_index (jobs, i);

      if (g_strcmp0 (job->call_uuid, uuid) == 0 && job->target == target)
        return job;
    }

  return NULL;
}

/* As the worker would: claim every job, then record what each got. */
static void
put_jobs_in_states (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) jobs = cn_database_claim_jobs (f->db, CN_SYNC_TARGETS_ALL, f->now,
                                                       100, &error);
  g_autoptr(GArray) results = g_array_new (FALSE, TRUE, sizeof (CnJobResult));

  g_assert_no_error (error);
  /* Five logs, a backend job and an Ontraport note each (no follow-ups). */
  g_assert_cmpuint (jobs->len, ==, 10);

  for (guint i = 0; i < jobs->len; i++)
    {
      CnSyncJob *job = g_ptr_array_index (jobs, i);
      CnJobResult result = {
        job->id, CN_JOB_RESULT_DONE, f->now, 201, NULL, "r-1", NULL, 0, FALSE
      };

      if (g_strcmp0 (job->call_uuid, f->pending) == 0)
        {
          result.kind = CN_JOB_RESULT_RELEASE;
        }
      else if (g_strcmp0 (job->call_uuid, f->waiting) == 0 && job->target == CN_SYNC_TARGET_BACKEND)
        {
          result.kind = CN_JOB_RESULT_RETRY;
          result.status = 503;
          result.message = "The server is busy (503).";
          result.next_attempt_at = f->retry_at;
        }
      else if (g_strcmp0 (job->call_uuid, f->attention) == 0 &&
               job->target == CN_SYNC_TARGET_BACKEND)
        {
          result.kind = CN_JOB_RESULT_FAILED;
          result.status = 404;
          result.message = BOB_ERROR;
        }
      else if (g_strcmp0 (job->call_uuid, f->contact) == 0 &&
               job->target == CN_SYNC_TARGET_ONTRAPORT_NOTE)
        {
          result.kind = CN_JOB_RESULT_NEEDS_CONTACT;
          result.status = 200;
          result.message = "No contact has this number.";
        }
      g_array_append_val (results, result);
    }

  g_assert_true (cn_database_record_results (f->db, (CnJobResult *) results->data, results->len,
                                             &error));
  g_assert_no_error (error);
}

static void
fixture_init (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("callnotes-sync-ui-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("CALLNOTES_DATA_DIR", f->dir, TRUE);
  path = cn_database_get_default_path ();
  f->db = cn_database_open (path, &error);
  g_assert_no_error (error);
  cn_database_set_sync_targets (f->db, CN_SYNC_TARGET_BACKEND | CN_SYNC_TARGET_ONTRAPORT_NOTE);

  f->now = g_get_real_time () / G_USEC_PER_SEC;
  /* A minute from now, at a whole minute: what the tooltip shows. */
  f->retry_at = (f->now / 60 + 2) * 60;
  f->synced = insert_log (f, "Jane Doe", "101", "+15551230001", 5 * 3600);
  f->waiting = insert_log (f, "Acme Support", "102", "+15551230002", 4 * 3600);
  f->attention = insert_log (f, "Bob Stone", "103", "+15551230003", 3 * 3600);
  f->contact = insert_log (f, NULL, NULL, "+4930123456", 2 * 3600);
  f->pending = insert_log (f, "Eve Park", "105", "+15551230005", 3600);
  put_jobs_in_states (f);
}

/* ---- the checks ----------------------------------------------------------------- */

static GtkWidget *
sync_button (Fixture *f)
{
  GtkWidget *button = find_widget (GTK_WIDGET (f->window), match_action, "win.show-sync");

  g_assert_nonnull (button);
  return button;
}

static const char *
sync_button_label (Fixture *f)
{
  GtkWidget *label = find_widget (sync_button (f), match_type,
                                  GSIZE_TO_POINTER (GTK_TYPE_LABEL));

  g_assert_nonnull (label);
  return gtk_label_get_text (GTK_LABEL (label));
}

static gboolean
rows_bound (gpointer data)
{
  Fixture *f = data;

  return find_widget (GTK_WIDGET (f->window), match_call_row, f->synced) != NULL &&
         find_widget (GTK_WIDGET (f->window), match_call_row, f->pending) != NULL;
}

static GtkWidget *
row_sync_icon (Fixture    *f,
               const char *uuid)
{
  GtkWidget *row = find_widget (GTK_WIDGET (f->window), match_call_row, uuid);
  GtkWidget *icon;

  g_assert_nonnull (row);
  icon = find_widget (row, match_css_class, "cn-sync-icon");
  g_assert_nonnull (icon);
  return icon;
}

static void
assert_row_icon (Fixture    *f,
                 const char *uuid,
                 CnJobState  state,
                 const char *icon_name,
                 const char *tooltip_part)
{
  GtkWidget *icon = row_sync_icon (f, uuid);
  GtkWidget *row = find_widget (GTK_WIDGET (f->window), match_call_row, uuid);

  g_assert_cmpint (cn_call_row_get_sync_state (CN_CALL_ROW (row)), ==, state);
  g_assert_true (gtk_widget_get_visible (icon));
  g_assert_cmpstr (gtk_image_get_icon_name (GTK_IMAGE (icon)), ==, icon_name);
  g_assert_nonnull (gtk_widget_get_tooltip_text (icon));
  if (strstr (gtk_widget_get_tooltip_text (icon), tooltip_part) == NULL)
    g_error ("tooltip “%s” lacks “%s”", gtk_widget_get_tooltip_text (icon), tooltip_part);
}

/* Whether a menu item of the row for @action_name is sensitive: a button
 * with that action, put into the row for a moment, follows its state. */
static gboolean
row_action_enabled (Fixture    *f,
                    const char *uuid,
                    const char *action_name)
{
  GtkWidget *row = find_widget (GTK_WIDGET (f->window), match_call_row, uuid);
  GtkWidget *probe = gtk_button_new ();
  gboolean enabled;

  g_assert_nonnull (row);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (probe), action_name);
  gtk_widget_set_parent (probe, row);
  enabled = gtk_widget_get_sensitive (probe);
  gtk_widget_unparent (probe);

  return enabled;
}

static gboolean
history_shown (gpointer data)
{
  GtkWidget **history = data;

  *history = find_toplevel (CN_TYPE_CONTACT_HISTORY_WINDOW);
  return *history != NULL;
}

static void
check_history (Fixture *f)
{
  GtkWidget *history = NULL;
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (f->retry_at);
  g_autoptr(GDateTime) local = g_date_time_to_local (utc);
  g_autofree char *hhmm = g_date_time_format (local, "%H:%M");
  GtkWidget *button = sync_button (f);

  /* Needs attention (Bob) + needs contact (the number) = 2; attention wins
   * over the pending ones. */
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_cmpstr (sync_button_label (f), ==, "2 need attention");
  g_assert_true (gtk_widget_has_css_class (button, "cn-sync-attention"));
  g_assert_true (gtk_widget_get_focusable (button));
  g_assert_nonnull (gtk_widget_get_tooltip_text (button));

  assert_row_icon (f, f->synced, CN_JOB_DONE, "emblem-ok-symbolic", "Synced");
  assert_row_icon (f, f->pending, CN_JOB_PENDING, "content-loading-symbolic", "Waiting to be sent");
  assert_row_icon (f, f->contact, CN_JOB_NEEDS_CONTACT, "avatar-default-symbolic",
                   "No contact has this number.");
  assert_row_icon (f, f->attention, CN_JOB_NEEDS_ATTENTION, "dialog-warning-symbolic", BOB_ERROR);
  assert_row_icon (f, f->waiting, CN_JOB_WAITING, "preferences-system-time-symbolic", "retry at");
  assert_row_icon (f, f->waiting, CN_JOB_WAITING, "preferences-system-time-symbolic", hhmm);
  g_assert_true (gtk_widget_has_css_class (row_sync_icon (f, f->attention), "warning"));
  g_assert_true (gtk_widget_has_css_class (row_sync_icon (f, f->contact), "warning"));
  g_assert_true (gtk_widget_has_css_class (row_sync_icon (f, f->synced), "dim-label"));

  /* Show Contact History needs a contact id: the bare number has none. */
  g_assert_true (row_action_enabled (f, f->synced, "row.show-contact-history"));
  g_assert_false (row_action_enabled (f, f->contact, "row.show-contact-history"));
  g_assert_true (row_action_enabled (f, f->contact, "row.edit"));

  /* … and opens the contact's history. */
  g_assert_true (gtk_widget_activate_action (find_widget (GTK_WIDGET (f->window), match_call_row,
                                                          f->synced),
                                             "row.show-contact-history", NULL));
  wait_until (history_shown, &history, "the contact history");
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (history)) == GTK_WINDOW (f->window));
  gtk_window_destroy (GTK_WINDOW (history));
}

/* The row's sync state follows a change made behind its back (here the
 * worker of another process sent Eve's jobs) without a rebind. */
static gboolean
eve_in_flight (gpointer data)
{
  Fixture *f = data;
  GtkWidget *row = find_widget (GTK_WIDGET (f->window), match_call_row, f->pending);

  return cn_call_row_get_sync_state (CN_CALL_ROW (row)) == CN_JOB_IN_FLIGHT;
}

static void
check_row_follows (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) claimed = cn_database_claim_jobs (f->db, CN_SYNC_TARGETS_ALL, f->now,
                                                       100, &error);
  g_autoptr(GArray) results = g_array_new (FALSE, TRUE, sizeof (CnJobResult));

  g_assert_no_error (error);
  g_assert_cmpuint (claimed->len, ==, 2);   /* Eve's two */
  /* The worker says it wrote something: the window looks at once. */
  g_signal_emit_by_name (f->worker, "changed");
  g_assert_true (eve_in_flight (f) || g_main_context_iteration (NULL, FALSE));
  wait_until (eve_in_flight, f, "the row to show “sending”");
  assert_row_icon (f, f->pending, CN_JOB_IN_FLIGHT, "emblem-synchronizing-symbolic", "Sending");

  /* Back to pending, as a paused worker would leave them. */
  for (guint i = 0; i < claimed->len; i++)
    {
      CnJobResult result = { ((CnSyncJob *) g_ptr_array_index (claimed, i))->id,
                             CN_JOB_RESULT_RELEASE, f->now, 0, NULL, NULL, NULL, 0, FALSE };

      g_array_append_val (results, result);
    }
  g_assert_true (cn_database_record_results (f->db, (CnJobResult *) results->data, results->len,
                                             &error));
  g_assert_no_error (error);
}

static gboolean
eve_pending (gpointer data)
{
  Fixture *f = data;
  GtkWidget *row = find_widget (GTK_WIDGET (f->window), match_call_row, f->pending);

  return cn_call_row_get_sync_state (CN_CALL_ROW (row)) == CN_JOB_PENDING;
}

static CnJobState
job_state (Fixture      *f,
           const char   *uuid,
           CnSyncTarget  target)
{
  g_autoptr(GPtrArray) jobs = cn_database_list_jobs_for_call (f->db, uuid, NULL);
  CnSyncJob *job;

  g_assert_nonnull (jobs);
  job = find_job (jobs, uuid, target);
  g_assert_nonnull (job);
  return job->state;
}

typedef struct {
  Fixture      *f;
  const char   *uuid;
  CnSyncTarget  target;
  CnJobState    state;
} JobWait;

static gboolean
job_reached (gpointer data)
{
  JobWait *wait = data;

  return job_state (wait->f, wait->uuid, wait->target) == wait->state;
}

static void
wait_for_job (Fixture      *f,
              const char   *uuid,
              CnSyncTarget  target,
              CnJobState    state)
{
  JobWait wait = { f, uuid, target, state };

  wait_until (job_reached, &wait, cn_job_state_to_string (state));
}

typedef struct {
  CnSyncWindow *page;
  RowQuery      query;
  gboolean      present;
} RowWait;

static gboolean
row_shown (gpointer data)
{
  RowWait *wait = data;

  return (find_widget (GTK_WIDGET (wait->page), match_job_row, &wait->query) != NULL) ==
         wait->present;
}

static void
wait_for_row (CnSyncWindow *page,
              const char   *title,
              const char   *text,
              gboolean      present)
{
  RowWait wait = { page, { title, text }, present };

  wait_until (row_shown, &wait, text);
}

static gboolean
attention_cleared (gpointer data)
{
  return strstr (sync_button_label (data), "pending") != NULL;
}

/* A button clicks 250 ms after it is activated (it shows the press). */
static gboolean
page_shown (gpointer data)
{
  CnSyncWindow **page = data;

  *page = (CnSyncWindow *) find_toplevel (CN_TYPE_SYNC_WINDOW);
  return *page != NULL;
}

static void
check_sync_page (Fixture *f)
{
  CnSyncWindow *page;
  GtkWidget *button;
  AdwMessageDialog *dialog;
  GtkWidget *id_row, *name_row;
  GtkWidget *stack;
  g_autoptr(CnCallLog) assigned = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) left = NULL;
  gboolean canceled_event = FALSE;

  /* The header bar's button opens the page. */
  g_assert_true (gtk_widget_activate (sync_button (f)));
  wait_until (page_shown, &page, "the Sync page");
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (page)) == GTK_WINDOW (f->window));
  wait_until (is_mapped, page, "the Sync page");

  /* Bob's backend job with the server's words; the waiting one with its
   * time; the number that needs a contact. */
  wait_for_row (page, "Bob Stone", BOB_ERROR, TRUE);
  wait_for_row (page, "Bob Stone", "Team backend", TRUE);
  wait_for_row (page, "Acme Support", "Retry at", TRUE);
  wait_for_row (page, "+4930123456", "Ontraport note", TRUE);
  wait_for_row (page, "Eve Park", "Not tried yet", TRUE);
  /* Done jobs are not listed. */
  wait_for_row (page, "Jane Doe", "", FALSE);
  g_assert_null (find_job_button (page, "sync.retry", f->pending));

  /* Retry makes Bob's job pending. */
  button = find_job_button (page, "sync.retry", f->attention);
  g_assert_nonnull (button);
  g_assert_nonnull (gtk_widget_get_tooltip_text (button));
  g_assert_true (gtk_widget_activate (button));
  wait_for_job (f, f->attention, CN_SYNC_TARGET_BACKEND, CN_JOB_PENDING);
  wait_for_row (page, "Bob Stone", BOB_ERROR, FALSE);

  /* Assign Contact asks for the id, then the note goes out. */
  button = find_job_button (page, "sync.assign-contact", f->contact);
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_activate (button));
  dialog = wait_for_message ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Assign Contact");
  id_row = find_widget (GTK_WIDGET (dialog), match_type, GSIZE_TO_POINTER (ADW_TYPE_ENTRY_ROW));
  g_assert_nonnull (id_row);
  name_row = gtk_widget_get_next_sibling (id_row);
  g_assert_true (ADW_IS_ENTRY_ROW (name_row));
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "assign"));
  gtk_editable_set_text (GTK_EDITABLE (id_row), "42a");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "assign"));
  gtk_editable_set_text (GTK_EDITABLE (id_row), "4242");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "assign"));
  gtk_editable_set_text (GTK_EDITABLE (name_row), "Dana Fox");
  adw_message_dialog_response (dialog, "assign");
  gtk_window_destroy (GTK_WINDOW (dialog));
  wait_for_job (f, f->contact, CN_SYNC_TARGET_ONTRAPORT_NOTE, CN_JOB_PENDING);
  assigned = cn_database_get_call (f->db, f->contact, NULL);
  g_assert_cmpstr (cn_call_log_get_contact_id (assigned), ==, "4242");
  g_assert_cmpstr (cn_call_log_get_contact_name (assigned), ==, "Dana Fox");
  wait_for_row (page, "Dana Fox", "Ontraport note", TRUE);

  /* Cancel asks first; "Keep Syncing" changes nothing. */
  button = find_job_button (page, "sync.cancel", f->waiting);
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_activate (button));
  dialog = wait_for_message ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Stop Syncing This Call?");
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_cmpint (job_state (f, f->waiting, CN_SYNC_TARGET_BACKEND), ==, CN_JOB_WAITING);

  g_assert_true (gtk_widget_activate (button));
  dialog = wait_for_message ();
  adw_message_dialog_response (dialog, "stop");
  gtk_window_destroy (GTK_WINDOW (dialog));
  wait_for_job (f, f->waiting, CN_SYNC_TARGET_BACKEND, CN_JOB_CANCELED);
  events = cn_database_list_events (f->db, f->waiting, NULL);
  for (guint i = 0; i < events->len; i++)
    if (g_strcmp0 (((CnCallEvent *) g_ptr_array_index (events, i))->kind, "sync_canceled") == 0)
      canceled_event = TRUE;
  g_assert_true (canceled_event);
  wait_for_row (page, "Acme Support", "Retry at", FALSE);

  /* Nothing needs attention now: the header bar says so within a poll. */
  wait_until (attention_cleared, f, "the header bar to show pending jobs");
  g_assert_false (gtk_widget_has_css_class (sync_button (f), "cn-sync-attention"));

  /* When nothing is left, the page says so. */
  left = cn_database_list_jobs (f->db, NULL);
  for (guint i = 0; i < left->len; i++)
    {
      const char *uuid = ((CnSyncJob *) g_ptr_array_index (left, i))->call_uuid;

      g_assert_true (cn_database_cancel_jobs (f->db, uuid, NULL));
    }
  cn_sync_window_refresh (page);
  stack = find_widget (GTK_WIDGET (page), match_type, GSIZE_TO_POINTER (GTK_TYPE_STACK));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "empty");

  /* Escape closes it. */
  g_object_add_weak_pointer (G_OBJECT (page), (gpointer *) &page);
  press_key (GTK_WIDGET (page), "Escape");
  wait_until (is_cleared, &page, "Escape to close the Sync page");
}

/* ---- the test ------------------------------------------------------------------- */

static void
test_sync_ui (void)
{
  Fixture f = { 0, };

  fixture_init (&f);

  f.app = GTK_APPLICATION (adw_application_new ("io.github.callnotes.Callnotes.TestSyncUi",
                                                G_APPLICATION_NON_UNIQUE));
  g_object_set (f.app, "resource-base-path", RESOURCE_BASE, NULL);
  g_assert_true (g_application_register (G_APPLICATION (f.app), NULL, NULL));

  f.window = cn_window_new (f.app, f.db);
  /* Works without a worker (it may come later, or never). */
  cn_window_set_sync_worker (f.window, NULL);
  gtk_window_present (GTK_WINDOW (f.window));
  wait_until (is_mapped, f.window, "the history window");
  wait_until (rows_bound, &f, "the history rows");

  check_history (&f);

  {
    g_autoptr(CnSyncConfig) config = cn_sync_config_new ();

    f.worker = cn_sync_worker_new (f.db, config, NULL);
    cn_window_set_sync_worker (f.window, f.worker);
  }
  check_row_follows (&f);
  wait_until (eve_pending, &f, "the row to show “pending” again");
  check_sync_page (&f);

  gtk_window_destroy (GTK_WINDOW (f.window));
  g_clear_object (&f.worker);
  g_clear_object (&f.app);
  g_clear_object (&f.db);
  g_free (f.synced);
  g_free (f.waiting);
  g_free (f.attention);
  g_free (f.contact);
  g_free (f.pending);
  ui_test_remove_tree (f.dir);
  g_free (f.dir);
}

static gboolean
match_label_containing (GtkWidget     *widget,
                        gconstpointer  data)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
         strstr (gtk_label_get_text (GTK_LABEL (widget)), data) != NULL;
}

static gboolean
stream_stopped (gpointer stream)
{
  return cn_event_stream_get_state (stream) == CN_STREAM_STOPPED;
}

/* The live event stream stopped (the backend answered 500 to /api/events):
 * the Sync page says so, with the server's status. */
static void
test_stream_message (void)
{
  g_autofree char *dir = g_dir_make_tmp ("callnotes-sync-stream-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "callnotes.db", NULL);
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(CnSyncConfig) config = cn_sync_config_new ();
  g_autoptr(CnEventStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  FakeServer *backend = fake_server_new (FAKE_BACKEND);
  CnSyncWindow *page;
  GtkWidget *label;

  fake_server_set_token (backend, "stream-token");
  fake_server_sse_set_mode (backend, FAKE_SSE_500);
  db = cn_database_open (path, &error);
  g_assert_no_error (error);

  g_free (config->backend_url);
  config->backend_url = g_strdup (fake_server_get_base_url (backend));
  config->backend_token = g_strdup ("stream-token");
  config->workspace_id = g_strdup ("w1");
  stream = cn_event_stream_new (db, config, NULL);
  cn_event_stream_start (stream);
  wait_until (stream_stopped, stream, "the stream to stop on a 500");

  page = cn_sync_window_new (NULL, db, NULL);
  cn_sync_window_set_event_stream (page, stream);
  gtk_window_present (GTK_WINDOW (page));
  wait_until (is_mapped, page, "the Sync page");

  label = find_widget (GTK_WIDGET (page), match_label_containing, "Live call events are off");
  g_assert_nonnull (label);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (label)), "500"));

  gtk_window_destroy (GTK_WINDOW (page));
  cn_event_stream_stop (stream);
  g_clear_object (&stream);
  g_clear_object (&db);
  fake_server_free (backend);
  ui_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ui/sync", test_sync_ui);
  g_test_add_func ("/ui/sync/stream-message", test_stream_message);

  return g_test_run ();
}
