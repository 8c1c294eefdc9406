/* cn-sync-window.h: the Sync page, the jobs that are not done yet
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cn-database.h"
#include "cn-outbox.h"
#include "cn-event-stream.h"
#include "cn-sync-worker.h"

G_BEGIN_DECLS

#define CN_TYPE_SYNC_WINDOW (cn_sync_window_get_type ())
G_DECLARE_FINAL_TYPE (CnSyncWindow, cn_sync_window, CN, SYNC_WINDOW, AdwWindow)

/* Lists the outbox jobs that are not done, grouped by state (Needs
 * Attention, Needs Contact, Waiting, Pending), each with its call, target,
 * attempts, next attempt and last error, and the worker's pause reasons on
 * top. The window actions sync.retry, sync.assign-contact and sync.cancel
 * take a log's UUID (cancel and assign ask first); sync.retry-all retries
 * every log. The page follows the worker's "changed" signal and commits of
 * other processes. @worker may be NULL (nothing is kicked, no pause reasons).
 * Escape closes it. */
CnSyncWindow *cn_sync_window_new        (GtkWindow    *parent,
                                         CnDatabase   *database,
                                         CnSyncWorker *worker);

void          cn_sync_window_set_worker (CnSyncWindow *self,
                                         CnSyncWorker *worker);
/* The live event stream: when it stopped (not an event stream, 401/403),
 * the page says why on top, with the pause reasons. May be NULL. */
void          cn_sync_window_set_event_stream (CnSyncWindow  *self,
                                               CnEventStream *stream);
/* Re-reads the jobs now. */
void          cn_sync_window_refresh    (CnSyncWindow *self);

G_END_DECLS
