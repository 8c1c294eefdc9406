/* cn-background.h: running without a window, and starting at login
 *
 * Outside a sandbox, "start at login" is an XDG autostart entry in
 * $XDG_CONFIG_HOME/autostart; inside Flatpak both running in the
 * background and autostart are asked of the Background portal.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The option `callnotes --background` starts the app with (no window). */
#define CN_BACKGROUND_OPTION "background"

gboolean  cn_background_is_sandboxed     (void);

/* The autostart entry's path (outside a sandbox). */
char     *cn_background_autostart_path   (void);

/* Makes the login start match @enabled: writes or removes the autostart
 * entry, or asks the portal. FALSE with an error when the file could not be
 * written. */
gboolean  cn_background_set_autostart    (GApplication  *application,
                                          gboolean       enabled,
                                          GError       **error);

/* Inside a sandbox, asks the Background portal that the app may keep
 * running without a window (no-op outside). */
void      cn_background_request          (GApplication  *application);

G_END_DECLS
