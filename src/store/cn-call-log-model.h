/* cn-call-log-model.h: a GListModel of call logs that pages from SQLite
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cn-database.h"

G_BEGIN_DECLS

#define CN_TYPE_CALL_LOG_MODEL (cn_call_log_model_get_type ())
G_DECLARE_FINAL_TYPE (CnCallLogModel, cn_call_log_model, CN, CALL_LOG_MODEL, GObject)

/* Items are CnCallLog, newest first. The model knows only the row count up
 * front; items are read a page at a time when asked for and a bounded number
 * of pages is cached (memory does not grow with the number of rows). Items
 * returned for one position stay the same object while their page is cached. */
CnCallLogModel *cn_call_log_model_new         (CnDatabase     *database);

CnDatabase     *cn_call_log_model_get_database (CnCallLogModel *self);

/* Properties "search" (string) and "outcome" (int, CnOutcome; NONE = all).
 * Changing either reloads. */
void            cn_call_log_model_set_search  (CnCallLogModel *self,
                                               const char     *search);
const char     *cn_call_log_model_get_search  (CnCallLogModel *self);
void            cn_call_log_model_set_outcome (CnCallLogModel *self,
                                               CnOutcome       outcome);
CnOutcome       cn_call_log_model_get_outcome (CnCallLogModel *self);

/* Re-reads the count and drops the cache after the database changed. When rows
 * were only added at the top it emits items-changed(0, 0, added), so a list
 * keeps its scroll position; otherwise one items-changed for everything. */
void            cn_call_log_model_reload      (CnCallLogModel *self);

/* Shows at most @limit rows (0: all). The total can be a million rows, and
 * a list widget spends memory per row it is told about, so the history shows
 * a window that grows as the person scrolls (cn_call_log_model_set_limit with
 * a larger value appends rows). Rows added at the top by reload() raise the
 * limit by as many, so no row on screen disappears. */
void            cn_call_log_model_set_limit   (CnCallLogModel *self,
                                               guint           limit);
guint           cn_call_log_model_get_limit   (CnCallLogModel *self);
/* The rows that match the search and filter, shown or not. A search shown
 * with a limit is counted only up to past the limit: the total is then a
 * lower bound, above the limit while more rows follow (raising the limit to
 * it counts further). Without a search or a limit it is exact. */
guint           cn_call_log_model_get_total   (CnCallLogModel *self);

/* Position of the log with @uuid, or -1 (only looks in cached pages and the
 * first page; for tests and for selecting a just-saved log). */
gint            cn_call_log_model_find        (CnCallLogModel *self,
                                               const char     *uuid);

G_END_DECLS
