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

#define OWN_DESKTOP_ID APP_ID ".desktop"

/* The Softphone row lists the CnDialerMode values in their order. */
struct _CnPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  AdwComboRow  *mode_row;
  AdwComboRow  *app_row;
  AdwEntryRow  *command_row;
  GtkSpinButton *delay_spin;
  AdwEntryRow  *country_row;

  GSettings    *settings;
  GPtrArray    *apps;        /* GAppInfo that can dial, as listed in app_row */
  gboolean      loading;
};

G_DEFINE_FINAL_TYPE (CnPreferencesWindow, cn_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

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

static void
cn_preferences_window_dispose (GObject *object)
{
  CnPreferencesWindow *self = CN_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CN_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->apps, g_ptr_array_unref);

  G_OBJECT_CLASS (cn_preferences_window_parent_class)->dispose (object);
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
}

static void
cn_preferences_window_init (CnPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  self->apps = g_ptr_array_new_with_free_func (g_object_unref);
  load_settings (self);

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
}

CnPreferencesWindow *
cn_preferences_window_new (GtkWindow *parent)
{
  return g_object_new (CN_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       NULL);
}
