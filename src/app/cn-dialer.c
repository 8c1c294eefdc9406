/* cn-dialer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-dialer"

#include "config.h"

#include <glib/gi18n.h>
#include <gio/gdesktopappinfo.h>

#include "cn-dialer.h"
#include "cn-outbound-calls.h"
#include "cn-settings.h"

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

    case CN_DIALER_MODE_BACKEND:
      g_set_error (error, CN_DIALER_ERROR, CN_DIALER_ERROR_SETTING,
                   _("The team backend cannot place this call from here. Dial the number on "
                     "your phone."));
      return NULL;

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


/* ---- asynchronously, with the team backend ---- */

static void
on_backend_initiated (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *task_id = NULL;

  if (!cn_outbound_calls_initiate_finish (result, &task_id, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, CN_DIALER_ERROR,
                                 g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED)
                                 ? CN_DIALER_ERROR_NO_DIALER : CN_DIALER_ERROR_BACKEND,
                                 "%s", error->message);
      return;
    }

  g_debug ("The team backend took the call (task %s)", task_id);
  g_task_return_pointer (task, g_strdup (_("Team backend")), g_free);
}

typedef struct {
  char *number;
  char *contact_id;
  char *client_id;
} BackendDial;

static void
backend_dial_free (BackendDial *dial)
{
  g_free (dial->number);
  g_free (dial->contact_id);
  g_free (dial->client_id);
  g_free (dial);
}

static void
initiate (GTask              *task,
          const CnSyncConfig *config)
{
  BackendDial *dial = g_task_get_task_data (task);

  cn_outbound_calls_initiate_async (config, dial->number, dial->contact_id, dial->client_id,
                                    g_task_get_cancellable (task), on_backend_initiated, task);
}

static void
load_config_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  /* libsecret may wait on D-Bus: never on the main thread. */
  g_autoptr(GSettings) settings = cn_settings_new_or_null ();
  GError *error = NULL;
  CnSyncConfig *config = cn_sync_config_load (settings, cancellable, &error);

  if (config == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, config, (GDestroyNotify) cn_sync_config_free);
}

static void
on_config_loaded (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;   /* owned: handed on to initiate() */
  g_autoptr(GError) error = NULL;
  g_autoptr(CnSyncConfig) config = g_task_propagate_pointer (G_TASK (result), &error);

  if (config == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  if (config == NULL)
    {
      g_task_return_new_error (task, CN_DIALER_ERROR, CN_DIALER_ERROR_NO_DIALER,
                               _("The team backend’s settings could not be read: %s"),
                               error->message);
      g_object_unref (task);
      return;
    }

  initiate (task, config);
}

void
cn_dialer_dial_async (const char          *setting,
                      const CnTelUri      *uri,
                      const char          *client_id,
                      const CnSyncConfig  *config,
                      GAppLaunchContext   *context,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  BackendDial *dial;
  CnDialerMode mode;
  char *what;

  g_return_if_fail (uri != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cn_dialer_dial_async);

  if (!cn_dialer_parse_setting (setting, &mode, NULL) || mode != CN_DIALER_MODE_BACKEND)
    {
      what = cn_dialer_dial (setting, uri, context, &error);
      if (what == NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_pointer (task, what, g_free);
      return;
    }

  dial = g_new0 (BackendDial, 1);
  dial->number = g_strdup (number_for_dialing (uri));
  dial->contact_id = g_strdup (uri->contact_id);
  dial->client_id = g_strdup (client_id);
  g_task_set_task_data (task, dial, (GDestroyNotify) backend_dial_free);

  if (config != NULL)
    {
      initiate (g_steal_pointer (&task), config);
      return;
    }

  /* Not loaded yet (the link started the app): read it as the sync worker
   * does. */
  {
    g_autoptr(GTask) load = g_task_new (NULL, cancellable, on_config_loaded,
                                        g_steal_pointer (&task));

    g_task_set_source_tag (load, load_config_thread);
    g_task_run_in_thread (load, load_config_thread);
  }
}

char *
cn_dialer_dial_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cn_dialer_dial_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
