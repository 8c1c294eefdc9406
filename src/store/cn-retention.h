/* cn-retention.h: removing old synced call logs (Preferences → Keep History)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cn-database.h"

G_BEGIN_DECLS

/* Logs looked at per write transaction (a transaction also stops after
 * ~40 ms): a first purge of a long history never holds the write lock for
 * long, saves get in between batches. */
#define CN_RETENTION_BATCH 500

/* The cutoff for keeping @days days of history at @now (Unix seconds);
 * 0 (keep for ever) when @days is 0. */
static inline gint64
cn_retention_cutoff (gint64 now,
                     guint  days)
{
  return days == 0 ? 0 : now - (gint64) days * 24 * 60 * 60;
}

/* Hard-deletes (with their events and search entries) the logs created
 * before @cutoff_utc_seconds that are safely on a remote side, and ONLY
 * those. A log is purged when all of these hold:
 *  - it has a remote id (backend_id or ontraport_note_id): a log that never
 *    reached the backend or the CRM (sync off, imported without sync) is
 *    never purged, whatever its age;
 *  - no sync job row is left for it (a confirmed job is deleted, so any row,
 *    pending, waiting, needs attention, canceled…, means "not done"), and it
 *    is past the catch-up (its jobs exist);
 *  - no draft with its UUID (the logger has it open), and no hold on it
 *    (cn_database_hold_call(): an editor has it open, maybe with nothing
 *    typed yet, so with no draft);
 *  - no open follow-up (follow_up_at set and not done, whether due or
 *    overdue: it still shows under Follow-ups).
 * Soft-deleted logs follow the same rule. @cutoff_utc_seconds <= 0 purges
 * nothing. Works in batches of CN_RETENTION_BATCH, each its own
 * transaction; @cancellable (may be NULL) stops between batches (the
 * batches done stay done and @n_purged counts them). */
gboolean    cn_database_purge_synced_before        (CnDatabase          *self,
                                                    gint64               cutoff_utc_seconds,
                                                    GCancellable        *cancellable,
                                                    guint               *n_purged,
                                                    GError             **error);
void        cn_database_purge_synced_before_async  (CnDatabase          *self,
                                                    gint64               cutoff_utc_seconds,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean    cn_database_purge_synced_before_finish (CnDatabase          *self,
                                                    GAsyncResult        *result,
                                                    guint               *n_purged,
                                                    GError             **error);

/* Keeps the log @uuid from being purged, in this process, until as many
 * cn_database_release_call() as holds were taken: the app holds a log while
 * a logger or editor has it open. Taking a hold waits for a purge batch
 * that is committing (a few ms at most), so a log read after the hold was
 * taken is not purged under the reader. Any thread; a UUID that names no
 * log is fine (a new call's logger). */
void        cn_database_hold_call                  (CnDatabase          *self,
                                                    const char          *uuid);
void        cn_database_release_call               (CnDatabase          *self,
                                                    const char          *uuid);
/* TRUE while @uuid is held (for tests). */
gboolean    cn_database_is_call_held               (CnDatabase          *self,
                                                    const char          *uuid);

G_END_DECLS
