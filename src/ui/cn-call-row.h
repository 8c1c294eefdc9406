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

/* The row's menu activates win.call-again, win.edit and win.delete with the
 * log's UUID. */
GtkWidget *cn_call_row_new     (void);
void       cn_call_row_set_log (CnCallRow *self,
                                CnCallLog *log);
CnCallLog *cn_call_row_get_log (CnCallRow *self);

G_END_DECLS
