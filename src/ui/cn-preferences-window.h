/* cn-preferences-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CN_TYPE_PREFERENCES_WINDOW (cn_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (CnPreferencesWindow, cn_preferences_window, CN, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

CnPreferencesWindow *cn_preferences_window_new (GtkWindow *parent);

G_END_DECLS
