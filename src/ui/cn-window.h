/* cn-window.h: the history window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cn-call-log-model.h"
#include "cn-event-stream.h"
#include "cn-sync-worker.h"

G_BEGIN_DECLS

#define CN_TYPE_WINDOW (cn_window_get_type ())
G_DECLARE_FINAL_TYPE (CnWindow, cn_window, CN, WINDOW, AdwApplicationWindow)

/* The history: calls newest first, search (win.search, Ctrl+F), outcome
 * filter, and the row actions win.call-again / win.edit / win.delete (with an
 * Undo toast) / win.show-contact-history, which take a log's UUID. Call Again
 * and Edit go to the application's app.dial and app.edit-call. The list
 * follows changes other processes commit to the database within a second.
 * Each row shows its log's sync state; the header bar's sync button sums it
 * up and opens the Sync page (win.show-sync). The Follow-ups page opens
 * with win.show-follow-ups (Ctrl+Shift+F, the main menu, and the header
 * bar's count of overdue follow-ups). */
CnWindow       *cn_window_new        (GtkApplication *application,
                                      CnDatabase     *database);

CnCallLogModel *cn_window_get_model  (CnWindow       *self);
void            cn_window_add_toast  (CnWindow       *self,
                                      AdwToast       *toast);
/* Re-reads the list now (after this process saved something). */
void            cn_window_refresh    (CnWindow       *self);
/* Scrolls to and selects the log with @uuid when it is listed. */
void            cn_window_select_log (CnWindow       *self,
                                      const char     *uuid);
/* The worker that sends the outbox (NULL: none yet). The sync state follows
 * its "changed" signal; the Sync page kicks it after a retry. */
void            cn_window_set_sync_worker (CnWindow     *self,
                                           CnSyncWorker *worker);
/* The backend's live events (NULL: none). While a call is in progress the
 * header bar shows it with a timer ("live-call"; gone on "call-completed").
 * A completed call also shows a card over the history, with Log Call and
 * Listen, when the window is focused and the setting popup-call-completed
 * is on. */
void            cn_window_set_event_stream (CnWindow      *self,
                                            CnEventStream *stream);

G_END_DECLS
