/* cn-dialer-setting.h: the "dialer" setting, read
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* In the order Preferences → Dialing lists them. */
typedef enum {
  CN_DIALER_MODE_AUTO,
  CN_DIALER_MODE_APP,
  CN_DIALER_MODE_COMMAND,
  CN_DIALER_MODE_BACKEND,   /* the team backend places the call */
  CN_DIALER_MODE_NONE,
} CnDialerMode;

/* Splits the GSettings "dialer" value: "auto", "app:<desktop-id>",
 * "command:<program and arguments>", "backend", "none". @argument gets what
 * follows the colon. FALSE for anything else. */
gboolean  cn_dialer_parse_setting (const char    *setting,
                                   CnDialerMode  *mode,
                                   char         **argument);

G_END_DECLS
