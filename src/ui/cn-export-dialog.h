/* cn-export-dialog.h: Export… — format, scope and file, then app.export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cn-outcome.h"

G_BEGIN_DECLS

/* Asks for the format (CSV or JSON) and, when @search or @outcome filter
 * the history, whether to export only what they match; then a save dialog
 * (GtkFileChooserNative, through the portal when sandboxed). The file is
 * written by the app.export action off the main loop, which ends with a
 * toast on @parent. */
void cn_export_dialog_run (GtkWindow  *parent,
                           const char *search,
                           CnOutcome   outcome);

G_END_DECLS
