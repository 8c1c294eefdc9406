/* cn-preferences-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-preferences"

#include "config.h"

#include <glib/gi18n.h>
#include <gio/gdesktopappinfo.h>

#include "cn-dialer-setting.h"
#include "cn-phone.h"
#include "cn-preferences-window.h"
#include "cn-secrets.h"
#include "cn-sync-probe.h"

#define OWN_DESKTOP_ID APP_ID ".desktop"

/* Changes that come in bursts (spin buttons) reach the sync worker once. */
#define RELOAD_DELAY_MS 300

/* The Keep History row offers these (days; 0 = for ever); a value set
 * otherwise (gsettings) is added to them. */
static const guint retention_choices[] = { 0, 30, 90, 180, 365 };

/* The Follow-up Tasks row lists these, in this order. */
static const char * const task_modes[] = { "object", "assign" };

/* One secret row of the Accounts page. */
typedef struct {
  const char           *name;          /* CN_SECRET_* */
  AdwPasswordEntryRow  *row;
  const char           *title;         /* translated, with a mnemonic */
  const char           *stored_title;  /* the same, saying one is stored */
  gboolean              is_stored;
} SecretField;

enum { SECRET_TOKEN, SECRET_APP_ID, SECRET_API_KEY, N_SECRETS };
enum { TEST_BACKEND, TEST_ONTRAPORT, N_TESTS };

/* One Test Connection row. */
typedef struct {
  AdwActionRow *row;
  GtkSpinner   *spinner;
  GtkImage     *icon;
  GCancellable *cancellable;   /* of the test under way, else NULL */
} TestField;

/* The Softphone row lists the CnDialerMode values in their order. */
struct _CnPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  AdwComboRow  *mode_row;
  AdwComboRow  *app_row;
  AdwEntryRow  *command_row;
  GtkSpinButton *delay_spin;
  AdwEntryRow  *country_row;
  GtkSwitch    *notify_completed_switch;
  GtkSwitch    *popup_completed_switch;
  GtkSwitch    *background_switch;
  GtkSwitch    *autostart_switch;
  AdwComboRow  *retention_row;
  GArray       *retention_days;  /* guint per retention_row item */
  gboolean      retention_loading;

  /* Accounts */
  GtkSwitch    *backend_switch;
  AdwEntryRow  *backend_url_row;
  AdwActionRow *backend_url_error_row;
  AdwEntryRow  *workspace_row;
  GtkSwitch    *ontraport_switch;
  AdwComboRow  *task_mode_row;
  AdwActionRow *template_row;
  GtkSpinButton *template_spin;
  AdwActionRow *owner_row;
  GtkSpinButton *owner_spin;
  AdwEntryRow  *ontraport_url_row;
  AdwActionRow *ontraport_url_error_row;
  SecretField   secrets[N_SECRETS];
  TestField     tests[N_TESTS];

  GSettings    *settings;
  GPtrArray    *apps;        /* GAppInfo that can dial, as listed in app_row */
  gboolean      loading;
  GCancellable *cancellable; /* keyring lookups and stores; cancelled on close */
  guint         reload_id;   /* a pending app.reload-sync */
  gboolean      disposed;
};

G_DEFINE_FINAL_TYPE (CnPreferencesWindow, cn_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void load_accounts (CnPreferencesWindow *self);

static void
collect_apps (CnPreferencesWindow *self,
              GtkStringList       *names)
{
  static const char * const types[] = { "x-scheme-handler/tel", "x-scheme-handler/sip" };

  for (guint t = 0; t < G_N_ELEMENTS (types); t++)
    {
      GList *all = g_app_info_get_all_for_type (types[t]);

      for (GList *l = all; l != NULL; l = l->next)
        {
          GAppInfo *info = l->data;
          const char *id = g_app_info_get_id (info);
          gboolean seen = FALSE;

          if (id == NULL || g_str_equal (id, OWN_DESKTOP_ID))
            continue;
          for (guint i = 0; i < self->apps->len && !seen; i++)
            seen = g_app_info_equal (g_ptr_array_index (self->apps, i), info);
          if (seen)
            continue;

          g_ptr_array_add (self->apps, g_object_ref (info));
          gtk_string_list_append (names, g_app_info_get_display_name (info));
        }
      g_list_free_full (all, g_object_unref);
    }
}

static void
update_visibility (CnPreferencesWindow *self)
{
  guint mode = adw_combo_row_get_selected (self->mode_row);

  gtk_widget_set_visible (GTK_WIDGET (self->app_row), mode == CN_DIALER_MODE_APP);
  gtk_widget_set_visible (GTK_WIDGET (self->command_row), mode == CN_DIALER_MODE_COMMAND);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->mode_row),
                               mode == CN_DIALER_MODE_BACKEND
                               ? _("The team backend’s telephony places each call, with the "
                                   "address and token set under Accounts")
                               : "");
}

static void
store_dialer (CnPreferencesWindow *self)
{
  guint mode = adw_combo_row_get_selected (self->mode_row);
  g_autofree char *value = NULL;

  if (self->loading)
    return;

  switch (mode)
    {
    case CN_DIALER_MODE_APP:
      {
        guint index = adw_combo_row_get_selected (self->app_row);

        if (index == GTK_INVALID_LIST_POSITION || index >= self->apps->len)
          return;
        value = g_strconcat ("app:", g_app_info_get_id (g_ptr_array_index (self->apps, index)),
                             NULL);
      }
      break;
    case CN_DIALER_MODE_COMMAND:
      {
        const char *command = gtk_editable_get_text (GTK_EDITABLE (self->command_row));
        g_auto(GStrv) argv = NULL;

        if (!g_shell_parse_argv (command, NULL, &argv, NULL))
          {
            gtk_widget_add_css_class (GTK_WIDGET (self->command_row), "error");
            return;
          }
        gtk_widget_remove_css_class (GTK_WIDGET (self->command_row), "error");
        value = g_strconcat ("command:", command, NULL);
      }
      break;
    case CN_DIALER_MODE_BACKEND:
      value = g_strdup ("backend");
      break;
    case CN_DIALER_MODE_NONE:
      value = g_strdup ("none");
      break;
    case CN_DIALER_MODE_AUTO:
    default:
      value = g_strdup ("auto");
      break;
    }

  g_settings_set_string (self->settings, "dialer", value);
}

static void
on_mode_changed (CnPreferencesWindow *self)
{
  update_visibility (self);

  /* A command is stored when applied, so a half-typed one never dials. */
  if (adw_combo_row_get_selected (self->mode_row) != CN_DIALER_MODE_COMMAND)
    store_dialer (self);
  else if (*gtk_editable_get_text (GTK_EDITABLE (self->command_row)) != '\0')
    store_dialer (self);
}

static void
on_country_apply (CnPreferencesWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->country_row));
  g_autofree char *code = cn_phone_country_code_from_setting (text);
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  if (code == NULL && *stripped != '\0')
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->country_row), "error");
      return;
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self->country_row), "error");
  g_settings_set_string (self->settings, "default-country-code", code != NULL ? code : "");
}

static void
load_settings (CnPreferencesWindow *self)
{
  g_autofree char *dialer = g_settings_get_string (self->settings, "dialer");
  g_autofree char *country = g_settings_get_string (self->settings, "default-country-code");
  g_autofree char *argument = NULL;
  GtkStringList *names = gtk_string_list_new (NULL);
  CnDialerMode mode;

  self->loading = TRUE;

  collect_apps (self, names);
  adw_combo_row_set_model (self->app_row, G_LIST_MODEL (names));
  g_object_unref (names);

  /* A setting that cannot be read shows as Automatic, as it dials. */
  if (!cn_dialer_parse_setting (dialer, &mode, &argument))
    mode = CN_DIALER_MODE_AUTO;

  if (mode == CN_DIALER_MODE_APP)
    {
      for (guint i = 0; i < self->apps->len; i++)
        if (g_strcmp0 (g_app_info_get_id (g_ptr_array_index (self->apps, i)), argument) == 0)
          adw_combo_row_set_selected (self->app_row, i);
    }
  else if (mode == CN_DIALER_MODE_COMMAND)
    gtk_editable_set_text (GTK_EDITABLE (self->command_row), argument);

  adw_combo_row_set_selected (self->mode_row, mode);
  gtk_editable_set_text (GTK_EDITABLE (self->country_row), country);
  gtk_spin_button_set_value (self->delay_spin, g_settings_get_uint (self->settings, "dial-delay-ms"));
  load_accounts (self);

  self->loading = FALSE;
  update_visibility (self);
}

static void
on_delay_changed (CnPreferencesWindow *self)
{
  if (!self->loading)
    g_settings_set_uint (self->settings, "dial-delay-ms",
                         (guint) gtk_spin_button_get_value_as_int (self->delay_spin));
}

/* ---- Accounts ---------------------------------------------------------------- */

/* app.reload-sync makes the running sync worker read the settings and the
 * keyring again. The action may not exist (tests, a build without it). */
static void
activate_reload (CnPreferencesWindow *self)
{
  GApplication *app;

  g_clear_handle_id (&self->reload_id, g_source_remove);

  if (!self->disposed
      && gtk_widget_activate_action (GTK_WIDGET (self), "app.reload-sync", NULL))
    return;

  app = g_application_get_default ();
  if (app != NULL && g_action_group_has_action (G_ACTION_GROUP (app), "reload-sync"))
    g_action_group_activate_action (G_ACTION_GROUP (app), "reload-sync", NULL);
}

static gboolean
on_reload_timeout (gpointer user_data)
{
  CnPreferencesWindow *self = user_data;

  self->reload_id = 0;
  activate_reload (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_reload (CnPreferencesWindow *self)
{
  if (self->loading)
    return;

  if (self->disposed)
    activate_reload (self);
  else if (self->reload_id == 0)
    self->reload_id = g_timeout_add (RELOAD_DELAY_MS, on_reload_timeout, self);
}

static void
show_toast (CnPreferencesWindow *self,
            const char          *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 6);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), toast);
}

/* The error of an address row, shown in the row below it; NULL clears it. */
static void
show_url_error (AdwEntryRow  *row,
                AdwActionRow *error_row,
                const char   *message)
{
  if (message != NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (row), message);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (error_row), message);
      gtk_widget_set_visible (GTK_WIDGET (error_row), TRUE);
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (row), NULL);
      gtk_widget_set_visible (GTK_WIDGET (error_row), FALSE);
    }
}

/* Checks the address typed in @row; an empty one is @empty_ok. The
 * normalized address, or NULL (with the error shown) when it is refused. */
static char *
take_url (AdwEntryRow  *row,
          AdwActionRow *error_row)
{
  g_autofree char *url = cn_sync_normalize_base_url (gtk_editable_get_text (GTK_EDITABLE (row)));
  g_autoptr(GError) error = NULL;

  if (*url != '\0' && !cn_sync_check_base_url (url, &error))
    {
      show_url_error (row, error_row, error->message);
      return NULL;
    }

  show_url_error (row, error_row, NULL);
  return g_steal_pointer (&url);
}

static void
on_backend_url_apply (CnPreferencesWindow *self)
{
  g_autofree char *url = take_url (self->backend_url_row, self->backend_url_error_row);

  /* A refused address is never stored: the worker keeps the last good one. */
  if (url == NULL)
    return;

  g_settings_set_string (self->settings, "backend-url", url);
  schedule_reload (self);
}

static void
on_backend_url_changed (CnPreferencesWindow *self)
{
  if (gtk_widget_get_visible (GTK_WIDGET (self->backend_url_error_row)))
    show_url_error (self->backend_url_row, self->backend_url_error_row, NULL);
}

static void
on_ontraport_url_apply (CnPreferencesWindow *self)
{
  g_autofree char *url = take_url (self->ontraport_url_row, self->ontraport_url_error_row);

  if (url == NULL)
    return;

  if (*url == '\0')
    {
      g_autofree char *fallback = NULL;

      /* Empty means Ontraport's own address. */
      g_settings_reset (self->settings, "ontraport-base-url");
      fallback = g_settings_get_string (self->settings, "ontraport-base-url");
      gtk_editable_set_text (GTK_EDITABLE (self->ontraport_url_row), fallback);
    }
  else
    g_settings_set_string (self->settings, "ontraport-base-url", url);

  schedule_reload (self);
}

static void
on_ontraport_url_changed (CnPreferencesWindow *self)
{
  if (gtk_widget_get_visible (GTK_WIDGET (self->ontraport_url_error_row)))
    show_url_error (self->ontraport_url_row, self->ontraport_url_error_row, NULL);
}

static void
on_workspace_apply (CnPreferencesWindow *self)
{
  g_autofree char *workspace = g_strstrip (g_strdup (gtk_editable_get_text (
    GTK_EDITABLE (self->workspace_row))));

  g_settings_set_string (self->settings, "workspace-id", workspace);
  schedule_reload (self);
}

static void
on_sync_switch_changed (CnPreferencesWindow *self)
{
  schedule_reload (self);
}

static void
update_task_rows (CnPreferencesWindow *self)
{
  gboolean assign = adw_combo_row_get_selected (self->task_mode_row) == 1;

  gtk_widget_set_visible (GTK_WIDGET (self->template_row), assign);
  gtk_widget_set_visible (GTK_WIDGET (self->owner_row), assign);
}

static void
on_task_mode_changed (CnPreferencesWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->task_mode_row);

  update_task_rows (self);
  if (self->loading || selected >= G_N_ELEMENTS (task_modes))
    return;

  g_settings_set_string (self->settings, "ontraport-task-mode", task_modes[selected]);
  schedule_reload (self);
}

static void
on_task_id_changed (GtkSpinButton       *spin,
                    CnPreferencesWindow *self)
{
  const char *key = spin == self->template_spin ? "ontraport-task-template-id"
                                                : "ontraport-task-owner-id";
  double value = gtk_spin_button_get_value (spin);

  if (self->loading)
    return;

  g_settings_set_uint (self->settings, key, (guint) CLAMP (value, 0, G_MAXUINT));
  schedule_reload (self);
}

/* Secrets: the rows never show a stored value, only that one is stored. */

typedef struct {
  CnPreferencesWindow *self;    /* a reference */
  guint                index;   /* SECRET_* */
} SecretOp;

static SecretOp *
secret_op_new (CnPreferencesWindow *self,
               guint                index)
{
  SecretOp *op = g_new0 (SecretOp, 1);

  op->self = g_object_ref (self);
  op->index = index;
  return op;
}

static void
secret_op_free (SecretOp *op)
{
  g_object_unref (op->self);
  g_free (op);
}

/* The row's title doubles as its placeholder: there it says that a value
 * is stored, the one thing shown of it. */
static void
update_stored_label (SecretField *field)
{
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (field->row),
                                 field->is_stored ? field->stored_title : field->title);
}

static void
on_secret_changed (GtkEditable         *editable,
                   CnPreferencesWindow *self)
{
  for (guint i = 0; i < N_SECRETS; i++)
    if (GTK_EDITABLE (self->secrets[i].row) == editable)
      {
        gtk_widget_remove_css_class (GTK_WIDGET (editable), "error");
        gtk_widget_set_tooltip_text (GTK_WIDGET (editable), NULL);
      }
}

static void
on_secret_looked_up (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  SecretOp *op = user_data;
  CnPreferencesWindow *self = op->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(CnSecret) value = cn_secret_lookup_finish (result, &error);

  if (self->disposed || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      secret_op_free (op);
      return;
    }

  if (error != NULL)
    {
      SecretField *field = &self->secrets[op->index];
      /* Translators: %s is the keyring's own message */
      g_autofree char *text = g_strdup_printf (_("The keyring cannot be read: %s"),
                                               error->message);

      g_message ("Looking up %s: %s", field->name, error->message);
      gtk_widget_set_tooltip_text (GTK_WIDGET (field->row), text);
    }
  else
    {
      self->secrets[op->index].is_stored = value != NULL;
      update_stored_label (&self->secrets[op->index]);
    }

  secret_op_free (op);
}

/* Empties a secret row (its value was stored) without showing its apply
 * button again: the row counts text changes only while it has the focus. */
static void
clear_secret_row (SecretField *field)
{
  GtkWidget *row = GTK_WIDGET (field->row);
  GtkRoot *root = gtk_widget_get_root (row);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  gboolean had_focus = focus != NULL && (focus == row || gtk_widget_is_ancestor (focus, row));

  if (had_focus)
    gtk_root_set_focus (root, NULL);
  gtk_editable_set_text (GTK_EDITABLE (field->row), "");
  if (had_focus)
    gtk_widget_grab_focus (row);
}

static void
on_secret_stored (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  SecretOp *op = user_data;
  CnPreferencesWindow *self = op->self;
  SecretField *field = &self->secrets[op->index];
  g_autoptr(GError) error = NULL;
  gboolean stored = cn_secret_store_finish (result, &error);

  if (stored)
    {
      /* Also when the window has closed meanwhile: the worker must learn
       * of the new credentials. */
      schedule_reload (self);
    }

  if (self->disposed)
    {
      secret_op_free (op);
      return;
    }

  gtk_widget_set_sensitive (GTK_WIDGET (field->row), TRUE);
  if (!stored)
    {
      /* Translators: %s is the keyring's own message */
      g_autofree char *text = g_strdup_printf (_("Could not store it in the keyring: %s"),
                                               error->message);

      gtk_widget_add_css_class (GTK_WIDGET (field->row), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (field->row), text);
      show_toast (self, text);
    }
  else
    {
      field->is_stored = TRUE;
      clear_secret_row (field);
      update_stored_label (field);
    }

  secret_op_free (op);
}

static void
on_secret_apply (AdwEntryRow         *row,
                 CnPreferencesWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));
  g_autoptr(GError) error = NULL;
  guint index;

  for (index = 0; index < N_SECRETS; index++)
    if (ADW_ENTRY_ROW (self->secrets[index].row) == row)
      break;
  g_return_if_fail (index < N_SECRETS);

  /* Nothing typed: the stored value stays. */
  if (*text == '\0')
    return;

  if (!cn_secret_check_value (text, -1, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (row), error->message);
      show_toast (self, error->message);
      return;
    }

  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (row), NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (row), FALSE);
  /* Not cancelled when the window closes: what was applied gets stored. */
  cn_secret_store (self->secrets[index].name, text, NULL, on_secret_stored,
                   secret_op_new (self, index));
}

/* Test Connection */

typedef struct {
  CnPreferencesWindow *self;         /* a reference */
  guint                test;         /* TEST_* */
  CnSyncConfig        *config;
  GCancellable        *cancellable;
  guint                pending;      /* keyring lookups still out */
} TestRun;

typedef struct {
  TestRun *run;
  guint    secret;
} TestLookup;

static void
test_run_free (TestRun *run)
{
  g_object_unref (run->self);
  cn_sync_config_free (run->config);
  g_object_unref (run->cancellable);
  g_free (run);
}

static char **
secret_slot (CnSyncConfig *config,
             guint         secret)
{
  switch (secret)
    {
    case SECRET_TOKEN:
      return &config->backend_token;
    case SECRET_APP_ID:
      return &config->ontraport_app_id;
    case SECRET_API_KEY:
    default:
      return &config->ontraport_api_key;
    }
}

/* What the form holds now, applied or not. */
static CnSyncConfig *
config_from_form (CnPreferencesWindow *self)
{
  CnSyncConfig *config = cn_sync_config_new ();
  g_autofree char *ontraport_url = NULL;

  g_free (config->backend_url);
  config->backend_url = cn_sync_normalize_base_url (
    gtk_editable_get_text (GTK_EDITABLE (self->backend_url_row)));
  g_free (config->workspace_id);
  config->workspace_id = g_strstrip (g_strdup (gtk_editable_get_text (
    GTK_EDITABLE (self->workspace_row))));

  ontraport_url = cn_sync_normalize_base_url (
    gtk_editable_get_text (GTK_EDITABLE (self->ontraport_url_row)));
  if (*ontraport_url != '\0')
    {
      g_free (config->ontraport_base_url);
      config->ontraport_base_url = g_steal_pointer (&ontraport_url);
    }

  config->backend_enabled = gtk_switch_get_active (self->backend_switch);
  config->ontraport_enabled = gtk_switch_get_active (self->ontraport_switch);

  return config;
}

static void
show_test_state (TestField  *field,
                 gboolean    running,
                 gboolean    ok,
                 const char *message)
{
  gtk_widget_set_visible (GTK_WIDGET (field->spinner), running);
  gtk_spinner_set_spinning (field->spinner, running);
  gtk_widget_set_visible (GTK_WIDGET (field->icon), !running);
  gtk_widget_remove_css_class (GTK_WIDGET (field->icon), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (field->icon), "error");
  if (!running)
    {
      gtk_image_set_from_icon_name (field->icon, ok ? "emblem-ok-symbolic"
                                                    : "dialog-warning-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (field->icon), ok ? "success" : "error");
    }
  adw_action_row_set_subtitle (field->row, message);
}

static void
on_test_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  TestRun *run = user_data;
  CnPreferencesWindow *self = run->self;
  TestField *field;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gboolean ok;

  ok = cn_sync_test_connection_finish (result, &message, &error);
  if (self->disposed || g_cancellable_is_cancelled (run->cancellable))
    {
      test_run_free (run);
      return;
    }

  field = &self->tests[run->test];
  show_test_state (field, FALSE, ok, message);
  g_clear_object (&field->cancellable);
  test_run_free (run);
}

static void
run_probe (TestRun *run)
{
  if (run->self->disposed || g_cancellable_is_cancelled (run->cancellable))
    {
      test_run_free (run);
      return;
    }

  cn_sync_test_connection_async (run->config,
                                 run->test == TEST_BACKEND ? CN_SYNC_TARGET_BACKEND
                                                           : CN_SYNC_TARGET_ONTRAPORT_NOTE,
                                 run->cancellable, on_test_done, run);
}

static void
on_test_secret_looked_up (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  TestLookup *lookup = user_data;
  TestRun *run = lookup->run;
  char **slot = secret_slot (run->config, lookup->secret);
  g_autoptr(GError) error = NULL;
  char *value = cn_secret_lookup_finish (result, &error);

  /* A missing secret stays NULL; the probe then says what to enter. */
  if (value != NULL)
    {
      g_clear_pointer (slot, cn_secret_free);
      *slot = value;
    }
  g_free (lookup);

  if (--run->pending == 0)
    run_probe (run);
}

static void
start_test (CnPreferencesWindow *self,
            guint                test)
{
  static const guint backend_secrets[] = { SECRET_TOKEN };
  static const guint ontraport_secrets[] = { SECRET_APP_ID, SECRET_API_KEY };
  const guint *secrets = test == TEST_BACKEND ? backend_secrets : ontraport_secrets;
  guint n_secrets = test == TEST_BACKEND ? G_N_ELEMENTS (backend_secrets)
                                         : G_N_ELEMENTS (ontraport_secrets);
  TestField *field = &self->tests[test];
  TestRun *run;
  g_autoptr(GPtrArray) lookups = g_ptr_array_new ();

  /* Testing again starts over. */
  if (field->cancellable != NULL)
    g_cancellable_cancel (field->cancellable);
  g_clear_object (&field->cancellable);
  field->cancellable = g_cancellable_new ();

  run = g_new0 (TestRun, 1);
  run->self = g_object_ref (self);
  run->test = test;
  run->config = config_from_form (self);
  run->cancellable = g_object_ref (field->cancellable);

  /* What is typed counts before what is stored. */
  for (guint i = 0; i < n_secrets; i++)
    {
      SecretField *secret = &self->secrets[secrets[i]];
      const char *typed = gtk_editable_get_text (GTK_EDITABLE (secret->row));

      if (*typed != '\0')
        *secret_slot (run->config, secrets[i]) = g_strdup (typed);
      else if (secret->is_stored)
        {
          TestLookup *lookup = g_new0 (TestLookup, 1);

          lookup->run = run;
          lookup->secret = secrets[i];
          g_ptr_array_add (lookups, lookup);
        }
    }

  show_test_state (field, TRUE, FALSE, _("Connecting…"));

  run->pending = lookups->len;
  if (lookups->len == 0)
    {
      run_probe (run);
      return;
    }

  for (guint i = 0; i < lookups->len; i++)
    {
      TestLookup *lookup = g_ptr_array_index (lookups, i);

      cn_secret_lookup (self->secrets[lookup->secret].name, run->cancellable,
                        on_test_secret_looked_up, lookup);
    }
}

static void
on_test_activated (AdwActionRow        *row,
                   CnPreferencesWindow *self)
{
  start_test (self, row == self->tests[TEST_BACKEND].row ? TEST_BACKEND : TEST_ONTRAPORT);
}

static void
load_accounts (CnPreferencesWindow *self)
{
  g_autofree char *backend_url = g_settings_get_string (self->settings, "backend-url");
  g_autofree char *workspace = g_settings_get_string (self->settings, "workspace-id");
  g_autofree char *ontraport_url = g_settings_get_string (self->settings, "ontraport-base-url");
  g_autofree char *task_mode = g_settings_get_string (self->settings, "ontraport-task-mode");

  g_settings_bind (self->settings, "backend-enabled", self->backend_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "ontraport-enabled", self->ontraport_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);

  gtk_editable_set_text (GTK_EDITABLE (self->backend_url_row), backend_url);
  gtk_editable_set_text (GTK_EDITABLE (self->workspace_row), workspace);
  gtk_editable_set_text (GTK_EDITABLE (self->ontraport_url_row), ontraport_url);

  adw_combo_row_set_selected (self->task_mode_row, g_strcmp0 (task_mode, "assign") == 0);
  update_task_rows (self);
  gtk_spin_button_set_value (self->template_spin,
                             g_settings_get_uint (self->settings, "ontraport-task-template-id"));
  gtk_spin_button_set_value (self->owner_spin,
                             g_settings_get_uint (self->settings, "ontraport-task-owner-id"));

  for (guint i = 0; i < N_SECRETS; i++)
    cn_secret_lookup (self->secrets[i].name, self->cancellable, on_secret_looked_up,
                      secret_op_new (self, i));
}

static void
cn_preferences_window_dispose (GObject *object)
{
  CnPreferencesWindow *self = CN_PREFERENCES_WINDOW (object);

  /* What was applied reaches the worker now, not after the delay. */
  if (self->reload_id != 0)
    activate_reload (self);
  self->disposed = TRUE;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  for (guint i = 0; i < N_TESTS; i++)
    {
      if (self->tests[i].cancellable != NULL)
        g_cancellable_cancel (self->tests[i].cancellable);
      g_clear_object (&self->tests[i].cancellable);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), CN_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->apps, g_ptr_array_unref);
  g_clear_pointer (&self->retention_days, g_array_unref);

  G_OBJECT_CLASS (cn_preferences_window_parent_class)->dispose (object);
}

/* ---- Keep History ---------------------------------------------------------- */

static char *
retention_label (guint days)
{
  if (days == 0)
    /* Translators: Keep History: never remove old calls */
    return g_strdup (_("For Ever"));
  if (days == 365)
    return g_strdup (_("1 Year"));
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u Day", "%u Days", days), days);
}

/* Shows the setting: the choices, and the stored value when it is none of
 * them. */
static void
load_retention (CnPreferencesWindow *self)
{
  guint stored = g_settings_get_uint (self->settings, "retention-days");
  GtkStringList *labels = gtk_string_list_new (NULL);
  gboolean listed = FALSE;
  guint selected = 0;

  self->retention_loading = TRUE;
  g_array_set_size (self->retention_days, 0);
  for (guint i = 0; i < G_N_ELEMENTS (retention_choices); i++)
    {
      g_array_append_val (self->retention_days, retention_choices[i]);
      listed = listed || retention_choices[i] == stored;
    }
  /* In its place among them (they are in ascending order after 0). */
  if (!listed)
    {
      guint at = 1;

      while (at < self->retention_days->len &&
             g_array_index (self->retention_days, guint, at) < stored)
        at++;
      g_array_insert_val (self->retention_days, at, stored);
    }

  for (guint i = 0; i < self->retention_days->len; i++)
    {
      guint days = g_array_index (self->retention_days, guint, i);
      g_autofree char *label = retention_label (days);

      gtk_string_list_append (labels, label);
      if (days == stored)
        selected = i;
    }

  adw_combo_row_set_model (self->retention_row, G_LIST_MODEL (labels));
  adw_combo_row_set_selected (self->retention_row, selected);
  g_object_unref (labels);
  self->retention_loading = FALSE;
}

static void
on_retention_selected (CnPreferencesWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->retention_row);

  if (self->retention_loading || selected >= self->retention_days->len)
    return;

  g_settings_set_uint (self->settings, "retention-days",
                       g_array_index (self->retention_days, guint, selected));
}

static void
on_retention_setting_changed (CnPreferencesWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->retention_row);
  guint stored = g_settings_get_uint (self->settings, "retention-days");

  if (selected >= self->retention_days->len ||
      g_array_index (self->retention_days, guint, selected) != stored)
    load_retention (self);
}

static void
cn_preferences_window_class_init (CnPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cn_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE "/cn-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CnPreferencesWindow, mode_row);
  gtk_widget_class_bind_template_child (widget_class, CnPreferencesWindow, app_row);
  gtk_widget_class_bind_template_child (widget_class, CnPreferencesWindow, command_row);
  gtk_widget_class_bind_template_child (widget_class, CnPreferencesWindow, delay_spin);
  gtk_widget_class_bind_template_child (widget_class, CnPreferencesWindow, country_row);
  gtk_widget_class_bind_template_child (widget_class, CnPreferencesWindow,
                                        notify_completed_switch);
  gtk_widget_class_bind_template_child (widget_class, CnPreferencesWindow,
                                        popup_completed_switch);
  gtk_widget_class_bind_template_child (widget_class, CnPreferencesWindow, background_switch);
  gtk_widget_class_bind_template_child (widget_class, CnPreferencesWindow, autostart_switch);
  gtk_widget_class_bind_template_child (widget_class, CnPreferencesWindow, retention_row);

  gtk_widget_class_bind_template_child (widget_class, CnPreferencesWindow, backend_switch);
  gtk_widget_class_bind_template_child (widget_class, CnPreferencesWindow, backend_url_row);
  gtk_widget_class_bind_template_child (widget_class, CnPreferencesWindow, backend_url_error_row);
  gtk_widget_class_bind_template_child (widget_class, CnPreferencesWindow, workspace_row);
  gtk_widget_class_bind_template_child (widget_class, CnPreferencesWindow, ontraport_switch);
  gtk_widget_class_bind_template_child (widget_class, CnPreferencesWindow, task_mode_row);
  gtk_widget_class_bind_template_child (widget_class, CnPreferencesWindow, template_row);
  gtk_widget_class_bind_template_child (widget_class, CnPreferencesWindow, template_spin);
  gtk_widget_class_bind_template_child (widget_class, CnPreferencesWindow, owner_row);
  gtk_widget_class_bind_template_child (widget_class, CnPreferencesWindow, owner_spin);
  gtk_widget_class_bind_template_child (widget_class, CnPreferencesWindow, ontraport_url_row);
  gtk_widget_class_bind_template_child (widget_class, CnPreferencesWindow,
                                        ontraport_url_error_row);
#define BIND_FIELD(name, member) \
  gtk_widget_class_bind_template_child_full (widget_class, name, FALSE, \
                                             G_STRUCT_OFFSET (CnPreferencesWindow, member))
  BIND_FIELD ("backend_token_row", secrets[SECRET_TOKEN].row);
  BIND_FIELD ("app_id_row", secrets[SECRET_APP_ID].row);
  BIND_FIELD ("api_key_row", secrets[SECRET_API_KEY].row);
  BIND_FIELD ("backend_test_row", tests[TEST_BACKEND].row);
  BIND_FIELD ("backend_test_spinner", tests[TEST_BACKEND].spinner);
  BIND_FIELD ("backend_test_icon", tests[TEST_BACKEND].icon);
  BIND_FIELD ("ontraport_test_row", tests[TEST_ONTRAPORT].row);
  BIND_FIELD ("ontraport_test_spinner", tests[TEST_ONTRAPORT].spinner);
  BIND_FIELD ("ontraport_test_icon", tests[TEST_ONTRAPORT].icon);
#undef BIND_FIELD
}

static void
cn_preferences_window_init (CnPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  self->apps = g_ptr_array_new_with_free_func (g_object_unref);
  self->cancellable = g_cancellable_new ();
  self->secrets[SECRET_TOKEN].name = CN_SECRET_BACKEND_TOKEN;
  self->secrets[SECRET_TOKEN].title = _("Access _Token");
  self->secrets[SECRET_TOKEN].stored_title = _("Access _Token (stored in the keyring)");
  self->secrets[SECRET_APP_ID].name = CN_SECRET_ONTRAPORT_APP_ID;
  self->secrets[SECRET_APP_ID].title = _("App _ID");
  self->secrets[SECRET_APP_ID].stored_title = _("App _ID (stored in the keyring)");
  self->secrets[SECRET_API_KEY].name = CN_SECRET_ONTRAPORT_KEY;
  self->secrets[SECRET_API_KEY].title = _("API _Key");
  self->secrets[SECRET_API_KEY].stored_title = _("API _Key (stored in the keyring)");
  load_settings (self);
  g_settings_bind (self->settings, "notify-call-completed", self->notify_completed_switch,
                   "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "popup-call-completed", self->popup_completed_switch,
                   "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "run-in-background", self->background_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "start-at-login", self->autostart_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  self->retention_days = g_array_new (FALSE, FALSE, sizeof (guint));
  load_retention (self);
  g_signal_connect_object (self->retention_row, "notify::selected",
                           G_CALLBACK (on_retention_selected), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::retention-days",
                           G_CALLBACK (on_retention_setting_changed), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->mode_row, "notify::selected", G_CALLBACK (on_mode_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->app_row, "notify::selected", G_CALLBACK (store_dialer),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->command_row, "apply", G_CALLBACK (store_dialer),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->country_row, "apply", G_CALLBACK (on_country_apply),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->delay_spin, "value-changed", G_CALLBACK (on_delay_changed),
                           self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->backend_switch, "notify::active",
                           G_CALLBACK (on_sync_switch_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->ontraport_switch, "notify::active",
                           G_CALLBACK (on_sync_switch_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->backend_url_row, "apply", G_CALLBACK (on_backend_url_apply),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->backend_url_row, "changed", G_CALLBACK (on_backend_url_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->ontraport_url_row, "apply", G_CALLBACK (on_ontraport_url_apply),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->ontraport_url_row, "changed",
                           G_CALLBACK (on_ontraport_url_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->workspace_row, "apply", G_CALLBACK (on_workspace_apply),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->task_mode_row, "notify::selected",
                           G_CALLBACK (on_task_mode_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->template_spin, "value-changed", G_CALLBACK (on_task_id_changed),
                           self, 0);
  g_signal_connect_object (self->owner_spin, "value-changed", G_CALLBACK (on_task_id_changed),
                           self, 0);
  for (guint i = 0; i < N_SECRETS; i++)
    {
      g_signal_connect_object (self->secrets[i].row, "apply", G_CALLBACK (on_secret_apply),
                               self, 0);
      g_signal_connect_object (self->secrets[i].row, "changed", G_CALLBACK (on_secret_changed),
                               self, 0);
    }
  for (guint i = 0; i < N_TESTS; i++)
    g_signal_connect_object (self->tests[i].row, "activated", G_CALLBACK (on_test_activated),
                             self, 0);
}

CnPreferencesWindow *
cn_preferences_window_new (GtkWindow *parent)
{
  CnPreferencesWindow *self = g_object_new (CN_TYPE_PREFERENCES_WINDOW,
                                            "transient-for", parent,
                                            NULL);

  /* Part of the application (app.* actions such as app.reload-sync reach
   * it, and the app stays while it is open). */
  if (parent != NULL && gtk_window_get_application (parent) != NULL)
    gtk_window_set_application (GTK_WINDOW (self), gtk_window_get_application (parent));

  return self;
}
