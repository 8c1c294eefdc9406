/* cn-background.c: running without a window, and starting at login
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-background"

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>

#include <glib/gstdio.h>

#include "cn-background.h"

#define PORTAL_BUS    "org.freedesktop.portal.Desktop"
#define PORTAL_PATH   "/org/freedesktop/portal/desktop"
#define PORTAL_IFACE  "org.freedesktop.portal.Background"

gboolean
cn_background_is_sandboxed (void)
{
  return g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
}

char *
cn_background_autostart_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "autostart", APP_ID ".desktop", NULL);
}

static void
on_portal_reply (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result,
                                                             &error);

  /* The portal answers through a Request object; a refusal only means the
   * app stops with its last window, as without the setting. */
  if (reply == NULL)
    g_message ("The Background portal did not answer: %s", error->message);
}

static void
ask_portal (GApplication *application,
            gboolean      autostart)
{
  GDBusConnection *bus = g_application_get_dbus_connection (application);
  const char * const commandline[] = { "callnotes", "--" CN_BACKGROUND_OPTION, NULL };
  GVariantBuilder options;

  if (bus == NULL)
    return;

  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "reason",
                         g_variant_new_string (_("Callnotes shows completed calls and "
                                                 "follow-up reminders while its window is "
                                                 "closed.")));
  g_variant_builder_add (&options, "{sv}", "autostart", g_variant_new_boolean (autostart));
  g_variant_builder_add (&options, "{sv}", "commandline",
                         g_variant_new_strv (commandline, -1));
  g_variant_builder_add (&options, "{sv}", "dbus-activatable", g_variant_new_boolean (FALSE));

  g_dbus_connection_call (bus, PORTAL_BUS, PORTAL_PATH, PORTAL_IFACE, "RequestBackground",
                          g_variant_new ("(sa{sv})", "", &options), NULL,
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, on_portal_reply, NULL);
}

void
cn_background_request (GApplication *application)
{
  g_autoptr(GSettings) settings = NULL;

  g_return_if_fail (G_IS_APPLICATION (application));

  if (!cn_background_is_sandboxed ())
    return;

  settings = g_settings_new (APP_ID);
  ask_portal (application, g_settings_get_boolean (settings, "start-at-login"));
}

gboolean
cn_background_set_autostart (GApplication  *application,
                             gboolean       enabled,
                             GError       **error)
{
  g_autofree char *path = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (application == NULL || G_IS_APPLICATION (application), FALSE);

  if (cn_background_is_sandboxed ())
    {
      if (application != NULL)
        ask_portal (application, enabled);
      return TRUE;
    }

  path = cn_background_autostart_path ();
  if (!enabled)
    {
      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("Could not remove %s: %s"), path, g_strerror (saved));
          return FALSE;
        }
      return TRUE;
    }

  folder = g_path_get_dirname (path);
  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not create %s: %s"), folder, g_strerror (saved));
      return FALSE;
    }

  text = g_strdup_printf ("[Desktop Entry]\n"
                          "Type=Application\n"
                          "Name=Callnotes\n"
                          "Comment=%s\n"
                          "Exec=callnotes --" CN_BACKGROUND_OPTION "\n"
                          "Icon=" APP_ID "\n"
                          "Terminal=false\n"
                          "NoDisplay=true\n"
                          "X-GNOME-Autostart-enabled=true\n",
                          _("Completed-call notifications and follow-up reminders"));

  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}
