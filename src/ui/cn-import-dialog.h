/* cn-import-dialog.h: Import… — map a CSV file's columns, import, report
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cn-database.h"

G_BEGIN_DECLS

#define CN_TYPE_IMPORT_DIALOG (cn_import_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CnImportDialog, cn_import_dialog, CN, IMPORT_DIALOG, AdwWindow)

/* Reads the header and first rows of @file (a few KiB) and shows them: with
 * a column-mapping step (one row per field, pre-filled from the usual
 * column names) when the header is not the one Callnotes writes. Import
 * runs in a worker thread, in one transaction, and ends on a summary with
 * the lines of the rows that were skipped. NULL with @error when the file
 * cannot be read as CSV. @settings (may be NULL) gives the default country
 * code. */
CnImportDialog *cn_import_dialog_new (GtkWindow   *parent,
                                      CnDatabase  *database,
                                      GSettings   *settings,
                                      GFile       *file,
                                      GError     **error);

/* For tests: the combo row of a field (see CnCallField), and whether the
 * import has finished ("summary" shown). */
AdwComboRow    *cn_import_dialog_get_field_row (CnImportDialog *self,
                                                guint           field);
gboolean        cn_import_dialog_is_done       (CnImportDialog *self);

G_END_DECLS
