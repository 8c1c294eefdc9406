/* cn-sync-format.h: sync states and targets in plain words, for the history
 * rows, the header bar and the Sync page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "cn-outbox.h"

G_BEGIN_DECLS

/* "Team backend", "Ontraport note", "Ontraport task" (translated). */
const char *cn_sync_format_target     (CnSyncTarget  target);

/* When a waiting job is tried again, in local time: "14:32" today,
 * "23 Nov 14:32" on another day. */
char       *cn_sync_format_retry_time (gint64        next_attempt_at,
                                       gint64        now);

/* A log's sync state as cn_database_get_sync_state() gives it (a CnJobState,
 * or -1 for a log without jobs): a symbolic icon, a style class (NULL, or
 * "dim-label" / "warning"), and a sentence for the tooltip and screen
 * readers. @error is the job's last error, for needs-attention and
 * needs-contact (may be NULL). The icon is NULL for -1. */
const char *cn_sync_format_state_icon  (gint          state);
const char *cn_sync_format_state_class (gint          state);
char       *cn_sync_format_state       (gint          state,
                                        gint64        next_attempt_at,
                                        const char   *error,
                                        gint64        now);

G_END_DECLS
