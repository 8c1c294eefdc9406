/* cn-dialer-setting.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-dialer-setting"

#include "config.h"

#include <string.h>

#include "cn-dialer-setting.h"

gboolean
cn_dialer_parse_setting (const char    *setting,
                         CnDialerMode  *mode,
                         char         **argument)
{
  static const struct { const char *prefix; CnDialerMode mode; } prefixes[] = {
    { "app:", CN_DIALER_MODE_APP },
    { "command:", CN_DIALER_MODE_COMMAND },
  };

  g_return_val_if_fail (mode != NULL, FALSE);

  if (argument != NULL)
    *argument = NULL;

  if (setting == NULL || g_str_equal (setting, "") || g_str_equal (setting, "auto"))
    {
      *mode = CN_DIALER_MODE_AUTO;
      return TRUE;
    }

  if (g_str_equal (setting, "none"))
    {
      *mode = CN_DIALER_MODE_NONE;
      return TRUE;
    }

  if (g_str_equal (setting, "backend"))
    {
      *mode = CN_DIALER_MODE_BACKEND;
      return TRUE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    {
      if (g_str_has_prefix (setting, prefixes[i].prefix))
        {
          const char *rest = setting + strlen (prefixes[i].prefix);

          while (g_ascii_isspace (*rest))
            rest++;
          if (*rest == '\0')
            return FALSE;

          *mode = prefixes[i].mode;
          if (argument != NULL)
            *argument = g_strdup (rest);
          return TRUE;
        }
    }

  return FALSE;
}
