/* cn-dialer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-dialer"

#include "config.h"

#include <glib/gi18n.h>
#include <gio/gdesktopappinfo.h>

#include "cn-dialer.h"

#define OWN_DESKTOP_ID APP_ID ".desktop"

G_DEFINE_QUARK (cn-dialer-error-quark, cn_dialer_error)

static gboolean
is_ourselves (GAppInfo *info)
{
  const char *id = g_app_info_get_id (info);

  return id != NULL && g_str_equal (id, OWN_DESKTOP_ID);
}

GAppInfo *
cn_dialer_find_auto (void)
{
  static const char * const types[] = { "x-scheme-handler/tel", "x-scheme-handler/sip" };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autoptr(GAppInfo) preferred = g_app_info_get_default_for_type (types[i], FALSE);
      GList *all;
      GAppInfo *found = NULL;

      if (preferred != NULL && !is_ourselves (preferred))
        return g_steal_pointer (&preferred);

      all = g_app_info_get_all_for_type (types[i]);
      for (GList *l = all; l != NULL && found == NULL; l = l->next)
        if (!is_ourselves (l->data))
          found = g_object_ref (l->data);
      g_list_free_full (all, g_object_unref);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static const char *
number_for_dialing (const CnTelUri *uri)
{
  return cn_tel_uri_get_best_number (uri);
}

/* What a softphone registered only for sip: understands. */
static char *
uri_for_app (GAppInfo       *info,
             const CnTelUri *uri)
{
  const char * const *types = g_app_info_get_supported_types (info);

  if (types != NULL && !g_strv_contains (types, "x-scheme-handler/tel") &&
      g_strv_contains (types, "x-scheme-handler/sip"))
    return g_strconcat ("sip:", number_for_dialing (uri), NULL);

  return g_strdup (uri->raw);
}

static char *
launch_app (GAppInfo           *info,
            const CnTelUri     *uri,
            GAppLaunchContext  *context,
            GError            **error)
{
  g_autofree char *target = uri_for_app (info, uri);
  GList uris = { target, NULL, NULL };
  g_autoptr(GError) local_error = NULL;

  if (is_ourselves (info))
    {
      g_set_error (error, CN_DIALER_ERROR, CN_DIALER_ERROR_SETTING,
                   _("Callnotes cannot dial by itself. Choose a softphone in Preferences."));
      return NULL;
    }

  if (!g_app_info_launch_uris (info, &uris, context, &local_error))
    {
      g_set_error (error, CN_DIALER_ERROR, CN_DIALER_ERROR_LAUNCH,
                   _("%s could not be started: %s"), g_app_info_get_display_name (info),
                   local_error->message);
      return NULL;
    }

  return g_strdup (g_app_info_get_display_name (info));
}

/* Replaces %n, %u and %% in one argument. */
static char *
expand_argument (const char     *arg,
                 const CnTelUri *uri)
{
  GString *out = g_string_sized_new (strlen (arg) + 32);

  for (const char *p = arg; *p != '\0'; p++)
    {
      if (p[0] == '%' && p[1] == 'n')
        {
          g_string_append (out, number_for_dialing (uri));
          p++;
        }
      else if (p[0] == '%' && p[1] == 'u')
        {
          g_string_append (out, uri->raw);
          p++;
        }
      else if (p[0] == '%' && p[1] == '%')
        {
          g_string_append_c (out, '%');
          p++;
        }
      else
        g_string_append_c (out, *p);
    }

  return g_string_free (out, FALSE);
}

static char *
run_command (const char      *command,
             const CnTelUri  *uri,
             GError         **error)
{
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GSubprocess) process = NULL;

  if (!g_shell_parse_argv (command, NULL, &argv, &local_error))
    {
      g_set_error (error, CN_DIALER_ERROR, CN_DIALER_ERROR_SETTING,
                   _("The dial command in Preferences cannot be read: %s"), local_error->message);
      return NULL;
    }

  for (guint i = 0; argv[i] != NULL; i++)
    {
      char *expanded = expand_argument (argv[i], uri);

      g_free (argv[i]);
      argv[i] = expanded;
    }

  /* No shell is involved: the number and the link reach the program as single
   * arguments whatever characters they hold. */
  process = g_subprocess_newv ((const char * const *) argv, G_SUBPROCESS_FLAGS_NONE, &local_error);
  if (process == NULL)
    {
      g_set_error (error, CN_DIALER_ERROR, CN_DIALER_ERROR_LAUNCH,
                   _("The dial command “%s” could not be started: %s"), argv[0],
                   local_error->message);
      return NULL;
    }

  /* GSubprocess reaps the child when it exits; nothing waits for it. */
  g_subprocess_wait_async (process, NULL, NULL, NULL);

  return g_path_get_basename (argv[0]);
}

char *
cn_dialer_dial (const char         *setting,
                const CnTelUri     *uri,
                GAppLaunchContext  *context,
                GError            **error)
{
  CnDialerMode mode;
  g_autofree char *argument = NULL;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!cn_dialer_parse_setting (setting, &mode, &argument))
    {
      g_set_error (error, CN_DIALER_ERROR, CN_DIALER_ERROR_SETTING,
                   _("The softphone setting “%s” is not understood. Choose a softphone in Preferences."),
                   setting);
      return NULL;
    }

  switch (mode)
    {
    case CN_DIALER_MODE_NONE:
      g_set_error (error, CN_DIALER_ERROR, CN_DIALER_ERROR_DISABLED,
                   _("Dialing is turned off in Preferences. Dial the number on your phone."));
      return NULL;

    case CN_DIALER_MODE_COMMAND:
      return run_command (argument, uri, error);

    case CN_DIALER_MODE_APP:
      {
        g_autoptr(GDesktopAppInfo) info = g_desktop_app_info_new (argument);

        if (info == NULL)
          {
            g_set_error (error, CN_DIALER_ERROR, CN_DIALER_ERROR_NO_DIALER,
                         _("The softphone “%s” is not installed. Choose another in Preferences."),
                         argument);
            return NULL;
          }
        return launch_app (G_APP_INFO (info), uri, context, error);
      }

    case CN_DIALER_MODE_AUTO:
    default:
      {
        g_autoptr(GAppInfo) info = cn_dialer_find_auto ();

        if (info == NULL)
          {
            g_set_error (error, CN_DIALER_ERROR, CN_DIALER_ERROR_NO_DIALER,
                         _("No softphone is set up to dial phone links. Copy the number and "
                           "dial it by hand, or choose a softphone in Preferences."));
            return NULL;
          }
        return launch_app (info, uri, context, error);
      }
    }
}
