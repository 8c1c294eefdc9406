/* cn-follow-ups-window.h: the Follow-ups page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cn-database.h"

G_BEGIN_DECLS

#define CN_TYPE_FOLLOW_UPS_WINDOW (cn_follow_ups_window_get_type ())
G_DECLARE_FINAL_TYPE (CnFollowUpsWindow, cn_follow_ups_window, CN, FOLLOW_UPS_WINDOW, AdwWindow)

/* The open follow-ups in two groups, Overdue and Upcoming, soonest first:
 * each with its contact or number, when it is due and the notes' first
 * line, and the buttons Call Now (app.dial), Snooze 10 Minutes (overdue ones
 * only) and Mark Done; the window actions follow-ups.snooze and
 * follow-ups.done take a log's UUID. A follow-up is done when marked so or
 * when a later call to the same contact is logged; the page follows the
 * database (other processes too) and the clock. Escape closes it. */
CnFollowUpsWindow *cn_follow_ups_window_new     (GtkWindow         *parent,
                                                 CnDatabase        *database);

/* Re-reads the follow-ups now. */
void               cn_follow_ups_window_refresh (CnFollowUpsWindow *self);

/* How many open follow-ups are due by @now (Unix seconds), at most
 * @limit (0: no limit). -1 after an error. */
gint               cn_follow_ups_count_overdue  (CnDatabase        *database,
                                                 gint64             now,
                                                 guint              limit);

G_END_DECLS
