/* cn-call-row.h: one call in the history list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cn-call-log.h"

G_BEGIN_DECLS

#define CN_TYPE_CALL_ROW (cn_call_row_get_type ())
G_DECLARE_FINAL_TYPE (CnCallRow, cn_call_row, CN, CALL_ROW, GtkWidget)

/* The row's menu activates win.call-again, win.edit, win.delete and
 * win.show-contact-history (only for a log with a contact id) with the log's
 * UUID. */
GtkWidget *cn_call_row_new     (void);
void       cn_call_row_set_log (CnCallRow *self,
                                CnCallLog *log);
CnCallLog *cn_call_row_get_log (CnCallRow *self);

/* The log's sync state as cn_database_get_sync_state() gives it: a CnJobState,
 * or -1 (no jobs: no icon). @next_attempt_at is for a waiting log, @error the
 * last error of a needs-attention or needs-contact job (may be NULL). The
 * window reads it when it binds the row and when the database changes. */
void       cn_call_row_set_sync_state (CnCallRow  *self,
                                       gint        state,
                                       gint64      next_attempt_at,
                                       const char *error);
gint       cn_call_row_get_sync_state (CnCallRow  *self);

G_END_DECLS
