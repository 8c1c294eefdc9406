/* cn-contact-history-window.h: every call with one contact, this
 * computer's and the team's, newest first
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cn-database.h"
#include "cn-sync-worker.h"

G_BEGIN_DECLS

#define CN_TYPE_CONTACT_HISTORY_WINDOW (cn_contact_history_window_get_type ())
G_DECLARE_FINAL_TYPE (CnContactHistoryWindow, cn_contact_history_window, CN,
                      CONTACT_HISTORY_WINDOW, AdwWindow)

/* The history of the contact of the log @uuid. The local logs show at once,
 * the backend's calls when they arrive (through @worker's settings and
 * token; without a worker, or with the backend not set up, only the local
 * logs, with a note saying so). @worker may be NULL. */
GtkWindow  *cn_contact_history_window_new       (GtkWindow     *parent,
                                                 CnDatabase    *db,
                                                 CnSyncWorker  *worker,
                                                 const char    *uuid);

/* For tests: TRUE while something is still being loaded; the entries shown
 * (CnTimelineEntry, do not keep); the note or error shown, or NULL. */
gboolean    cn_contact_history_window_is_loading  (CnContactHistoryWindow *self);
GPtrArray  *cn_contact_history_window_get_entries (CnContactHistoryWindow *self);
const char *cn_contact_history_window_get_status  (CnContactHistoryWindow *self);

G_END_DECLS
