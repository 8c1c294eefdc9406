/* cn-export-action.h: app.export, the window's Export… done off the main loop
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* app.export with a "(sssi)" parameter: format ("csv" or "json"), the file
 * path, the search ("" none) and the outcome filter (a CnOutcome, 0 none).
 * Writes the file as `callnotes export -o` does, in a worker thread, and
 * says how it went in a toast on the active window. @user_data is the
 * CnApplication. */
void cn_export_action_activate (GSimpleAction *action,
                                GVariant      *parameter,
                                gpointer       user_data);

G_END_DECLS
