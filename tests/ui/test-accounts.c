/* test-accounts.c: Preferences → Accounts, under Xvfb
 *
 * Each case runs in a process of its own, with libsecret on its file
 * backend (a keyring file in a temporary folder) and GSettings in memory:
 * the server address typed with real key presses (XTEST) reaches GSettings,
 * an address that may not carry credentials is refused and not stored, an
 * applied token goes to the keyring and nowhere in GSettings, Test
 * Connection asks the fake backend with what the form holds, and the
 * Ontraport rows store their settings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gdk/x11/gdkx.h>
#include <glib/gstdio.h>

#include "cn-preferences-window.h"
#include "cn-secrets.h"
#include "fake-servers.h"
#include "ui-test-dir.h"

#define TIMEOUT_S 20
#define TOKEN     "tok-Accounts-9f8e7d6c5b4a"
#define APP_ID_OK  "2_7777_abc"
#define API_KEY_OK "ontraport-key-1234"

typedef struct {
  char                *dir;
  CnPreferencesWindow *window;
  GSettings           *settings;
  guint                reloads;     /* app.reload-sync activations */
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

/* The template child @name of the window. */
static gpointer
child (Fixture    *f,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (f->window),
                                                   CN_TYPE_PREFERENCES_WINDOW, name);

  g_assert_nonnull (object);
  return object;
}

/* GTK gives each X11 toplevel a 1x1 child that takes the keyboard focus;
 * without a window manager the test has to hand the focus to it. */
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

static void
xdotool (const char *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int status;
  va_list args;

  g_ptr_array_add (argv, (char *) "xdotool");
  va_start (args, first);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static void
on_reload (GSimpleAction *action,
           GVariant      *parameter,
           gpointer       user_data)
{
  Fixture *f = user_data;

  f->reloads++;
}

/* GApplication-free: each case is its own process, with its own keyring. */
static gboolean
in_own_process (void)
{
  if (g_test_subprocess ())
    return TRUE;

  g_test_trap_subprocess (NULL, 90 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  return FALSE;
}

static Fixture *
fixture_new (void)
{
  Fixture *f = g_new0 (Fixture, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *keyring = NULL;
  g_autoptr(GSimpleActionGroup) app_actions = g_simple_action_group_new ();
  g_autoptr(GSimpleAction) reload = g_simple_action_new ("reload-sync", NULL);

  f->dir = g_dir_make_tmp ("callnotes-accounts-XXXXXX", &error);
  g_assert_no_error (error);

  /* Before anything uses libsecret: the file backend, a keyring of our own. */
  keyring = g_build_filename (f->dir, "keyring", NULL);
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "test", TRUE);

  f->settings = g_settings_new (APP_ID);
  f->window = cn_preferences_window_new (NULL);
  /* Stands in for the application's action. */
  g_signal_connect (reload, "activate", G_CALLBACK (on_reload), f);
  g_action_map_add_action (G_ACTION_MAP (app_actions), G_ACTION (reload));
  gtk_widget_insert_action_group (GTK_WIDGET (f->window), "app", G_ACTION_GROUP (app_actions));

  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (f->window), "accounts");
  gtk_window_present (GTK_WINDOW (f->window));
  wait_until (is_mapped, f->window, "the preferences window");

  return f;
}

static void
fixture_free (Fixture *f)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  spin (50);
  g_clear_object (&f->settings);
  ui_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f);
}

/* Text typed into @row and applied, as the apply button does. */
static void
apply_text (gpointer    row,
            const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text);
  g_signal_emit_by_name (row, "apply");
}

/* No GSettings key holds @secret, in any form. */
static void
assert_not_in_settings (GSettings  *settings,
                        const char *secret)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_settings_get_value (settings, keys[i]);
      g_autofree char *text = g_variant_print (value, FALSE);

      g_assert_null (strstr (text, secret));
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


/* A secret row says in its title that a value is stored. */
static gboolean
title_says_stored (gpointer row)
{
  return strstr (adw_preferences_row_get_title (row), "(stored in the keyring)") != NULL;
}


/* ---- the server address ---------------------------------------------------------- */

static gboolean
backend_url_stored (gpointer data)
{
  Fixture *f = data;
  g_autofree char *url = g_settings_get_string (f->settings, "backend-url");

  return g_str_equal (url, "https://crm.example.com");
}

static void
test_backend_url (void)
{
  Fixture *f;
  AdwEntryRow *row;
  GtkWidget *error_row;
  g_autofree char *url = NULL;

  if (!in_own_process ())
    return;

  f = fixture_new ();
  row = child (f, "backend_url_row");
  error_row = child (f, "backend_url_error_row");

  /* Typed with real key presses, applied with Enter; the trailing slash goes. */
  focus_window (GTK_WIDGET (f->window));
  gtk_widget_grab_focus (GTK_WIDGET (row));
  spin (100);
  xdotool ("type", "--delay", "15", "https://crm.example.com/", NULL);
  xdotool ("key", "Return", NULL);
  wait_until (backend_url_stored, f, "the address in GSettings");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (row), "error"));
  g_assert_false (gtk_widget_get_visible (error_row));
  spin (500);
  g_assert_cmpuint (f->reloads, ==, 1);

  /* Plain http:// to another computer would carry the token in the clear:
   * refused, said so below the row, and not stored. */
  apply_text (row, "http://example.com");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "error"));
  g_assert_true (gtk_widget_get_visible (error_row));
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (error_row)),
                            "https://"));
  url = g_settings_get_string (f->settings, "backend-url");
  g_assert_cmpstr (url, ==, "https://crm.example.com");
  g_clear_pointer (&url, g_free);

  /* Typing again takes the error away; loopback may use http://. */
  gtk_editable_set_text (GTK_EDITABLE (row), "http://127.0.0.1:8080");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (row), "error"));
  g_assert_false (gtk_widget_get_visible (error_row));
  g_signal_emit_by_name (row, "apply");
  url = g_settings_get_string (f->settings, "backend-url");
  g_assert_cmpstr (url, ==, "http://127.0.0.1:8080");
  g_clear_pointer (&url, g_free);

  /* Empty: not set up. */
  apply_text (row, "  ");
  url = g_settings_get_string (f->settings, "backend-url");
  g_assert_cmpstr (url, ==, "");
  g_clear_pointer (&url, g_free);

  /* The workspace too. */
  apply_text (child (f, "workspace_row"), " sales-eu ");
  url = g_settings_get_string (f->settings, "workspace-id");
  g_assert_cmpstr (url, ==, "sales-eu");

  fixture_free (f);
}


/* ---- the token ------------------------------------------------------------------- */

static gboolean
token_row_settled (gpointer data)
{
  Fixture *f = data;
  GtkWidget *row = child (f, "backend_token_row");

  return gtk_widget_get_sensitive (row) && title_says_stored (row);
}

static void
test_token_to_keyring (void)
{
  Fixture *f;
  GtkWidget *row;
  g_autofree char *value = NULL;

  if (!in_own_process ())
    return;

  f = fixture_new ();
  row = child (f, "backend_token_row");
  spin (200);
  g_assert_false (title_says_stored (row));
  value = lookup (CN_SECRET_BACKEND_TOKEN);
  g_assert_null (value);

  apply_text (row, TOKEN);
  wait_until (token_row_settled, f, "the token to be stored");

  value = lookup (CN_SECRET_BACKEND_TOKEN);
  g_assert_cmpstr (value, ==, TOKEN);
  g_clear_pointer (&value, g_free);
  assert_not_in_settings (f->settings, TOKEN);
  assert_not_in_settings (f->settings, "Accounts-9f8e");

  /* The row shows that one is stored, never the value. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "");
  spin (500);
  g_assert_cmpuint (f->reloads, ==, 1);

  /* Something that cannot be a header value is refused, the old one kept. */
  apply_text (row, "two\nlines");
  g_assert_true (gtk_widget_has_css_class (row, "error"));
  spin (100);
  value = lookup (CN_SECRET_BACKEND_TOKEN);
  g_assert_cmpstr (value, ==, TOKEN);
  g_clear_pointer (&value, g_free);

  /* A new window finds the stored one (and shows no value). */
  gtk_window_destroy (GTK_WINDOW (f->window));
  f->window = cn_preferences_window_new (NULL);
  gtk_window_present (GTK_WINDOW (f->window));
  wait_until (is_mapped, f->window, "the preferences window");
  wait_until (token_row_settled, f, "the stored token to be noticed");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (f, "backend_token_row"))), ==, "");

  fixture_free (f);
}


/* ---- Test Connection ----------------------------------------------------------- */

typedef struct {
  Fixture    *f;
  const char *row;
  const char *subtitle;
} TestWait;

static gboolean
test_row_says (gpointer data)
{
  TestWait *w = data;
  AdwActionRow *row = child (w->f, w->row);

  return g_strcmp0 (adw_action_row_get_subtitle (row), w->subtitle) == 0;
}

static void
test_connection (void)
{
  Fixture *f;
  FakeServer *server;
  GtkWidget *icon;
  TestWait w;

  if (!in_own_process ())
    return;

  server = fake_server_new (FAKE_BACKEND);
  fake_server_set_token (server, TOKEN);
  f = fixture_new ();
  icon = child (f, "backend_test_icon");

  /* Typed, not applied: the test uses what the form holds. */
  gtk_editable_set_text (GTK_EDITABLE (child (f, "backend_url_row")),
                         fake_server_get_base_url (server));
  gtk_editable_set_text (GTK_EDITABLE (child (f, "backend_token_row")), TOKEN);
  g_signal_emit_by_name (child (f, "backend_test_row"), "activated");
  g_assert_true (gtk_widget_get_visible (child (f, "backend_test_spinner")));

  w = (TestWait) { f, "backend_test_row", "Connected. The backend accepted the token." };
  wait_until (test_row_says, &w, "the success message");
  g_assert_false (gtk_widget_get_visible (child (f, "backend_test_spinner")));
  g_assert_true (gtk_widget_get_visible (icon));
  g_assert_true (gtk_widget_has_css_class (icon, "success"));
  g_assert_cmpuint (fake_server_count_requests (server, "GET", "/api/v1/outbound-calls"), ==, 1);

  /* Nothing was stored by testing. */
  {
    g_autofree char *url = g_settings_get_string (f->settings, "backend-url");
    g_autofree char *value = lookup (CN_SECRET_BACKEND_TOKEN);

    g_assert_cmpstr (url, ==, "");
    g_assert_null (value);
  }

  /* A wrong token. */
  gtk_editable_set_text (GTK_EDITABLE (child (f, "backend_token_row")), "not-it");
  g_signal_emit_by_name (child (f, "backend_test_row"), "activated");
  w.subtitle = "The server answered 401: the token was not accepted. "
               "The server said: “invalid or missing token”.";
  wait_until (test_row_says, &w, "the 401 message");
  g_assert_true (gtk_widget_has_css_class (icon, "error"));
  g_assert_false (gtk_widget_has_css_class (icon, "success"));

  /* Applied: the row empties, and the test takes the stored token. */
  apply_text (child (f, "backend_token_row"), TOKEN);
  wait_until (token_row_settled, f, "the token to be stored");
  g_signal_emit_by_name (child (f, "backend_test_row"), "activated");
  w.subtitle = "Connected. The backend accepted the token.";
  wait_until (test_row_says, &w, "the success message with the stored token");

  /* Refused before any connection. */
  fake_server_clear_requests (server);
  gtk_editable_set_text (GTK_EDITABLE (child (f, "backend_url_row")), "http://example.com");
  g_signal_emit_by_name (child (f, "backend_test_row"), "activated");
  w.subtitle = "Use https:// — plain http:// is only allowed for this computer (localhost).";
  wait_until (test_row_says, &w, "the refusal");
  g_assert_cmpuint (fake_server_count_requests (server, NULL, NULL), ==, 0);

  fixture_free (f);
  fake_server_free (server);
}


/* ---- Ontraport ------------------------------------------------------------------- */

static gboolean
app_id_stored (gpointer data)
{
  Fixture *f = data;

  return title_says_stored (child (f, "app_id_row"));
}

static void
test_ontraport (void)
{
  Fixture *f;
  FakeServer *server;
  g_autofree char *text = NULL;
  g_autofree char *value = NULL;
  TestWait w;

  if (!in_own_process ())
    return;

  server = fake_server_new (FAKE_ONTRAPORT);
  fake_server_set_api_keys (server, APP_ID_OK, API_KEY_OK);
  f = fixture_new ();

  /* Template and owner only matter for assign mode. */
  g_assert_false (gtk_widget_get_visible (child (f, "template_row")));
  adw_combo_row_set_selected (child (f, "task_mode_row"), 1);
  g_assert_true (gtk_widget_get_visible (child (f, "template_row")));
  g_assert_true (gtk_widget_get_visible (child (f, "owner_row")));
  text = g_settings_get_string (f->settings, "ontraport-task-mode");
  g_assert_cmpstr (text, ==, "assign");
  gtk_spin_button_set_value (child (f, "template_spin"), 17);
  gtk_spin_button_set_value (child (f, "owner_spin"), 4);
  g_assert_cmpuint (g_settings_get_uint (f->settings, "ontraport-task-template-id"), ==, 17);
  g_assert_cmpuint (g_settings_get_uint (f->settings, "ontraport-task-owner-id"), ==, 4);
  spin (500);
  g_assert_cmpuint (f->reloads, ==, 1);   /* one for the burst */

  gtk_switch_set_active (child (f, "ontraport_switch"), TRUE);
  g_assert_true (g_settings_get_boolean (f->settings, "ontraport-enabled"));

  /* The API address, checked like the backend's. */
  apply_text (child (f, "ontraport_url_row"), "http://ontraport.example.com/1");
  g_assert_true (gtk_widget_get_visible (child (f, "ontraport_url_error_row")));
  apply_text (child (f, "ontraport_url_row"), fake_server_get_base_url (server));
  g_assert_false (gtk_widget_get_visible (child (f, "ontraport_url_error_row")));
  g_clear_pointer (&text, g_free);
  text = g_settings_get_string (f->settings, "ontraport-base-url");
  g_assert_cmpstr (text, ==, fake_server_get_base_url (server));

  /* App ID stored, API key only typed: the test uses both. */
  apply_text (child (f, "app_id_row"), APP_ID_OK);
  wait_until (app_id_stored, f, "the App ID to be stored");
  value = lookup (CN_SECRET_ONTRAPORT_APP_ID);
  g_assert_cmpstr (value, ==, APP_ID_OK);
  assert_not_in_settings (f->settings, APP_ID_OK);

  gtk_editable_set_text (GTK_EDITABLE (child (f, "api_key_row")), API_KEY_OK);
  g_signal_emit_by_name (child (f, "ontraport_test_row"), "activated");
  w = (TestWait) { f, "ontraport_test_row",
                   "Connected. Ontraport accepted the App ID and API Key." };
  wait_until (test_row_says, &w, "the Ontraport success message");
  g_assert_true (gtk_widget_has_css_class (child (f, "ontraport_test_icon"), "success"));

  fixture_free (f);
  fake_server_free (server);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/accounts/backend-url", test_backend_url);
  g_test_add_func ("/accounts/token-to-keyring", test_token_to_keyring);
  g_test_add_func ("/accounts/test-connection", test_connection);
  g_test_add_func ("/accounts/ontraport", test_ontraport);

  return g_test_run ();
}
