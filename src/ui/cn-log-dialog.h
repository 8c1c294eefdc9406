/* cn-log-dialog.h: the dialog that logs one call
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cn-database.h"

G_BEGIN_DECLS

#define CN_TYPE_LOG_DIALOG (cn_log_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CnLogDialog, cn_log_dialog, CN, LOG_DIALOG, AdwWindow)

/* Opens the logger for @draft (copied). The draft is kept in @database within
 * a second of every change; Save commits the log and its events in one
 * transaction and closes the dialog only after the commit. Emits "saved"
 * (CnCallLog *) after a successful save. */
CnLogDialog *cn_log_dialog_new              (GtkApplication *application,
                                             CnDatabase     *database,
                                             const CnDraft  *draft);

const char  *cn_log_dialog_get_uuid         (CnLogDialog    *self);
/* The live call the logger logs (it was opened from an event, or from a
 * draft of such a logger), NULL none. Every draft write keeps it. */
const char  *cn_log_dialog_get_call_sid     (CnLogDialog    *self);

/* Shows why the number was not dialed (with Copy Number); NULL hides it. */
void         cn_log_dialog_set_dial_problem (CnLogDialog    *self,
                                             const char     *message);

/* The message the dialog shows about a failed save, or NULL. */
const char  *cn_log_dialog_get_error        (CnLogDialog    *self);

/* The log as the dialog would save it now (for tests and the app). */
CnCallLog   *cn_log_dialog_dup_log          (CnLogDialog    *self);

/* Writes any pending draft change now (synchronously). */
void         cn_log_dialog_flush_draft      (CnLogDialog    *self);

/* TRUE when closing would lose something the person entered: for a new
 * call an outcome, notes or a contact; for an edit any change. */
gboolean     cn_log_dialog_has_changes      (CnLogDialog    *self);

/* TRUE for the editor of a saved log, FALSE for a new call's logger. */
gboolean     cn_log_dialog_is_editing       (CnLogDialog    *self);

/* Closes without asking and discards the draft (nothing is saved). Does
 * nothing while a save is being committed. */
void         cn_log_dialog_discard          (CnLogDialog    *self);

/* Shows that an assistant already logged this call, with Discard Mine
 * (cn_log_dialog_discard()) and Keep Both (hides the notice); what is typed
 * stays. */
void         cn_log_dialog_show_logged_by_assistant (CnLogDialog *self);

/* The notice shown about an assistant's log, or NULL (for tests). */
const char  *cn_log_dialog_get_notice       (CnLogDialog    *self);

/* TRUE while a save is being committed. */
gboolean     cn_log_dialog_is_saving        (CnLogDialog    *self);

G_END_DECLS
