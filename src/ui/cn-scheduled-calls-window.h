/* cn-scheduled-calls-window.h: the team backend's outbound call tasks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cn-sync-worker.h"

G_BEGIN_DECLS

#define CN_TYPE_SCHEDULED_CALLS_WINDOW (cn_scheduled_calls_window_get_type ())
G_DECLARE_FINAL_TYPE (CnScheduledCallsWindow, cn_scheduled_calls_window, CN,
                      SCHEDULED_CALLS_WINDOW, AdwWindow)

/* Lists GET /api/v1/outbound-calls, a page at a time (Load More appends the
 * next), filtered by the status chosen in the header bar (or every
 * status). Each row has a Call button that activates app.dial with the
 * recipient's number: the configured dialer does the rest. The address and
 * token come from @worker's settings, read again on each load (@worker may
 * be NULL: the window says sync is not running). Actions:
 * scheduled.refresh (F5, Ctrl+R) and scheduled.load-more; Escape closes. */
GtkWindow  *cn_scheduled_calls_window_new        (GtkWindow     *parent,
                                                  CnSyncWorker  *worker);

/* Loads the first page again, with the current filter. */
void        cn_scheduled_calls_window_refresh    (CnScheduledCallsWindow *self);

/* The status shown (NULL: every status). Anything but a status of
 * cn_outbound_call_statuses shows every status. */
void        cn_scheduled_calls_window_set_status (CnScheduledCallsWindow *self,
                                                  const char             *status);
const char *cn_scheduled_calls_window_get_status (CnScheduledCallsWindow *self);

/* For tests: TRUE while a page is being loaded; the calls shown
 * (CnOutboundCall, do not keep); pagination.total of the last page; the
 * error shown, or NULL. */
gboolean    cn_scheduled_calls_window_is_loading (CnScheduledCallsWindow *self);
GPtrArray  *cn_scheduled_calls_window_get_calls  (CnScheduledCallsWindow *self);
guint       cn_scheduled_calls_window_get_total  (CnScheduledCallsWindow *self);
const char *cn_scheduled_calls_window_get_error  (CnScheduledCallsWindow *self);

G_END_DECLS
