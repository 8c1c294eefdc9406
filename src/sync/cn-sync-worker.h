/* cn-sync-worker.h: sends the outbox to the backend and Ontraport
 *
 * One worker per machine sends: start() takes an advisory lock next to the
 * database, so the app and `callnotes sync` never send the same jobs. The
 * worker runs on the thread-default main context of whoever starts it, sends
 * at most `concurrency` requests at once over one SoupSession (connections are
 * reused), and commits job results in batches.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cn-database.h"
#include "cn-outbox.h"
#include "cn-sync-config.h"

G_BEGIN_DECLS

#define CN_TYPE_SYNC_WORKER (cn_sync_worker_get_type ())
G_DECLARE_FINAL_TYPE (CnSyncWorker, cn_sync_worker, CN, SYNC_WORKER, GObject)

/* @monitor may be NULL (the default GNetworkMonitor). */
CnSyncWorker *cn_sync_worker_new          (CnDatabase          *database,
                                           const CnSyncConfig  *config,
                                           GNetworkMonitor     *monitor);

/* Takes the sync lock and starts sending. FALSE with G_IO_ERROR_BUSY when
 * another process is the worker (it then sends this process's jobs too). */
gboolean      cn_sync_worker_start        (CnSyncWorker  *self,
                                           GError       **error);
/* Stops claiming, cancels what is in flight (those jobs go back to pending)
 * and writes every result received so far. */
void          cn_sync_worker_stop         (CnSyncWorker  *self);
gboolean      cn_sync_worker_is_running   (CnSyncWorker  *self);

/* New settings or credentials. A target paused by 401/403 resumes when its
 * credentials changed (its needs-attention jobs become pending again). */
void          cn_sync_worker_set_config   (CnSyncWorker        *self,
                                           const CnSyncConfig  *config);

/* The settings and credentials in use (do not keep the pointer). */
const CnSyncConfig *cn_sync_worker_get_config (CnSyncWorker *self);

/* Something was queued or retried: look for due jobs now. */
void          cn_sync_worker_kick         (CnSyncWorker  *self);

/* Targets paused because their credentials were rejected (401/403). The
 * reason says why a target's jobs do not go, in plain words: rejected
 * credentials, or an enabled target that is not set up (no address, no
 * token); NULL when it can send (or is switched off). */
CnSyncTarget  cn_sync_worker_get_paused   (CnSyncWorker  *self);
const char   *cn_sync_worker_get_pause_reason (CnSyncWorker *self,
                                               CnSyncTarget  target);

/* Targets whose jobs cannot go whatever the network does: switched off, not
 * set up, or paused for their credentials. */
CnSyncTarget  cn_sync_worker_get_blocked  (CnSyncWorker  *self);

/* TRUE when nothing is in flight and no job is due now (waiting jobs may
 * remain). */
gboolean      cn_sync_worker_is_idle      (CnSyncWorker  *self);

/* Signals:
 *  "changed" (void): job results were written to the database.
 *  "idle"    (void): nothing in flight and nothing due. */

G_END_DECLS
