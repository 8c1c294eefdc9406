/* cn-settings.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-settings"

#include "config.h"

#include "cn-phone.h"
#include "cn-settings.h"

GSettings *
cn_settings_new_or_null (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);

  if (schema == NULL)
    {
      g_debug ("The settings schema %s is not installed; using default settings", APP_ID);
      return NULL;
    }

  return g_settings_new_full (schema, NULL, NULL);
}

char *
cn_settings_dup_default_country_code (GSettings *settings)
{
  g_autoptr(GSettings) own = NULL;
  g_autofree char *value = NULL;

  if (settings == NULL)
    settings = own = cn_settings_new_or_null ();
  if (settings == NULL)
    return NULL;

  value = g_settings_get_string (settings, "default-country-code");
  return cn_phone_country_code_from_setting (value);
}

CnSyncTarget
cn_settings_get_sync_targets (GSettings *settings)
{
  g_autoptr(GSettings) own = NULL;
  CnSyncTarget targets = 0;

  if (settings == NULL)
    settings = own = cn_settings_new_or_null ();
  if (settings == NULL)
    return CN_SYNC_TARGET_BACKEND;   /* the schema's defaults */

  if (g_settings_get_boolean (settings, "backend-enabled"))
    targets |= CN_SYNC_TARGET_BACKEND;
  if (g_settings_get_boolean (settings, "ontraport-enabled"))
    targets |= CN_SYNC_TARGETS_ONTRAPORT;

  return targets;
}
