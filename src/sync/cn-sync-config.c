/* cn-sync-config.c: what the sync worker needs to know, read once from
 * GSettings and libsecret (or set by tests)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-sync-config"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "cn-secrets.h"
#include "cn-sync-config.h"

#define DEFAULT_ONTRAPORT_BASE_URL "https://api.ontraport.com/1"
#define DEFAULT_TASK_OBJECT_ID     50
#define DEFAULT_CONCURRENCY        4
#define DEFAULT_TIMEOUT_SECONDS    30

/* The schema's range for sync-concurrency; values from tests are kept in it. */
#define MAX_CONCURRENCY 16

/* A base URL longer than this is not one; it is refused before parsing. */
#define URL_MAX_LENGTH 2048

CnSyncConfig *
cn_sync_config_new (void)
{
  CnSyncConfig *config = g_new0 (CnSyncConfig, 1);

  config->backend_url = g_strdup ("");
  config->workspace_id = g_strdup ("");
  config->backend_enabled = TRUE;
  config->ontraport_enabled = FALSE;
  config->ontraport_base_url = g_strdup (DEFAULT_ONTRAPORT_BASE_URL);
  config->task_mode = CN_TASK_MODE_OBJECT;
  config->task_object_id = DEFAULT_TASK_OBJECT_ID;
  config->task_template_id = 0;
  config->task_owner_id = 0;
  config->concurrency = DEFAULT_CONCURRENCY;
  config->timeout_seconds = DEFAULT_TIMEOUT_SECONDS;

  return config;
}

static char *
dup_secret (const char *secret)
{
  return secret != NULL ? g_strdup (secret) : NULL;
}

CnSyncConfig *
cn_sync_config_copy (const CnSyncConfig *config)
{
  CnSyncConfig *copy;

  g_return_val_if_fail (config != NULL, NULL);

  copy = g_new0 (CnSyncConfig, 1);
  *copy = *config;
  copy->backend_url = g_strdup (config->backend_url);
  copy->workspace_id = g_strdup (config->workspace_id);
  copy->ontraport_base_url = g_strdup (config->ontraport_base_url);
  copy->backend_token = dup_secret (config->backend_token);
  copy->ontraport_app_id = dup_secret (config->ontraport_app_id);
  copy->ontraport_api_key = dup_secret (config->ontraport_api_key);

  return copy;
}

void
cn_sync_config_free (CnSyncConfig *config)
{
  if (config == NULL)
    return;

  g_free (config->backend_url);
  g_free (config->workspace_id);
  g_free (config->ontraport_base_url);
  cn_secret_free (config->backend_token);
  cn_secret_free (config->ontraport_app_id);
  cn_secret_free (config->ontraport_api_key);
  cn_secret_wipe (config, sizeof *config);
  g_free (config);
}

/* Spaces around and slashes at the end go: "https://crm.example.com/" and
 * "https://crm.example.com" are the same base. */
static char *
normalize_url (const char *url)
{
  char *copy = g_strstrip (g_strdup (url != NULL ? url : ""));
  gsize len = strlen (copy);

  while (len > 0 && copy[len - 1] == '/')
    copy[--len] = '\0';

  return copy;
}

/* Looks up one secret into *@out. A keyring that cannot be read (none
 * running, locked, refused) leaves it NULL and is logged without any value;
 * only a cancelled lookup stops the load. */
static gboolean
load_secret (const char    *name,
             char         **out,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  *out = cn_secret_lookup_sync (name, cancellable, &local_error);
  if (local_error == NULL)
    return TRUE;

  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  g_message ("Sync credential %s is not available: %s", name, local_error->message);
  return TRUE;
}

CnSyncConfig *
cn_sync_config_load (GSettings     *settings,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(CnSyncConfig) config = cn_sync_config_new ();

  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  if (settings != NULL)
    {
      g_autofree char *backend_url = g_settings_get_string (settings, "backend-url");
      g_autofree char *workspace_id = g_settings_get_string (settings, "workspace-id");
      g_autofree char *ontraport_url = g_settings_get_string (settings, "ontraport-base-url");
      g_autofree char *task_mode = g_settings_get_string (settings, "ontraport-task-mode");

      g_free (config->backend_url);
      config->backend_url = normalize_url (backend_url);
      g_free (config->workspace_id);
      config->workspace_id = g_strstrip (g_steal_pointer (&workspace_id));

      config->backend_enabled = g_settings_get_boolean (settings, "backend-enabled");
      config->ontraport_enabled = g_settings_get_boolean (settings, "ontraport-enabled");

      g_free (config->ontraport_base_url);
      config->ontraport_base_url = normalize_url (ontraport_url);
      if (config->ontraport_base_url[0] == '\0')
        {
          g_free (config->ontraport_base_url);
          config->ontraport_base_url = g_strdup (DEFAULT_ONTRAPORT_BASE_URL);
        }

      config->task_mode = g_strcmp0 (task_mode, "assign") == 0 ? CN_TASK_MODE_ASSIGN
                                                               : CN_TASK_MODE_OBJECT;
      config->task_object_id = g_settings_get_uint (settings, "ontraport-task-object-id");
      config->task_template_id = g_settings_get_uint (settings, "ontraport-task-template-id");
      config->task_owner_id = g_settings_get_uint (settings, "ontraport-task-owner-id");
      config->concurrency = CLAMP (g_settings_get_uint (settings, "sync-concurrency"),
                                   1, MAX_CONCURRENCY);
    }

  if (!load_secret (CN_SECRET_BACKEND_TOKEN, &config->backend_token, cancellable, error) ||
      !load_secret (CN_SECRET_ONTRAPORT_APP_ID, &config->ontraport_app_id, cancellable, error) ||
      !load_secret (CN_SECRET_ONTRAPORT_KEY, &config->ontraport_api_key, cancellable, error))
    return NULL;

  return g_steal_pointer (&config);
}

CnSyncTarget
cn_sync_config_get_targets (const CnSyncConfig *config)
{
  CnSyncTarget targets = 0;

  g_return_val_if_fail (config != NULL, 0);

  if (config->backend_enabled)
    targets |= CN_SYNC_TARGET_BACKEND;
  if (config->ontraport_enabled)
    targets |= CN_SYNC_TARGETS_ONTRAPORT;

  return targets;
}

/* localhost, 127.0.0.0/8 and ::1. GUri gives an IPv6 host without its
 * brackets. Names below .localhost are not taken: a resolver may send them
 * to DNS. */
static gboolean
host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/* Letters, digits, '-', '.', '_' (and non-ASCII, for international names),
 * or an IP address (IPv6 without brackets, as GUri gives it). */
static gboolean
host_is_well_formed (const char *host)
{
  if (strchr (host, ':') != NULL)
    return g_hostname_is_ip_address (host);

  for (const char *p = host; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (!g_ascii_isalnum (c) && c != '-' && c != '.' && c != '_' && c < 0x80)
        return FALSE;
    }

  return TRUE;
}

/* Spaces and control characters have no place anywhere in a base URL. */
static gboolean
has_blank_or_control (const char *url)
{
  for (const char *p = url; *p != '\0'; p++)
    if ((guchar) *p <= 0x20 || (guchar) *p == 0x7f)
      return TRUE;

  return FALSE;
}

/* The messages never repeat the URL: it may carry a password. */
static gboolean
refuse (GError     **error,
        const char  *message)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, message);
  return FALSE;
}

gboolean
cn_sync_check_base_url (const char  *url,
                        GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *host;

  if (url == NULL || *url == '\0')
    return refuse (error, _("No address is set. Enter one that starts with https://."));

  if (strnlen (url, URL_MAX_LENGTH + 1) > URL_MAX_LENGTH)
    return refuse (error, _("The address is too long."));

  if (!has_blank_or_control (url))
    uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return refuse (error, _("This is not a valid web address. Enter one like "
                            "https://crm.example.com."));

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0)
    return refuse (error, _("The address must start with https://."));

  host = g_uri_get_host (uri);
  if (host == NULL || *host == '\0')
    return refuse (error, _("The address has no host name; enter one like "
                            "https://crm.example.com."));
  if (!host_is_well_formed (host))
    return refuse (error, _("This is not a valid web address. Enter one like "
                            "https://crm.example.com."));

  if (g_uri_get_userinfo (uri) != NULL)
    return refuse (error, _("Leave the user name and password out of the address; "
                            "credentials are kept in the keyring."));

  if (g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    return refuse (error, _("The address must not contain “?” or “#”; enter only the "
                            "base address."));

  if (g_ascii_strcasecmp (scheme, "http") == 0 && !host_is_loopback (host))
    return refuse (error, _("Use https:// — plain http:// is only allowed for this computer "
                            "(localhost)."));

  return TRUE;
}
