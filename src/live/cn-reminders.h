/* cn-reminders.h: follow-up reminders
 *
 * Watches the open follow-ups in the database and says when one falls due:
 * at its time while running, and at start for those that fell due while
 * Callnotes was not running ("overdue", once each). A snooze makes one due
 * again. The clock can be replaced, so tests need not wait.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cn-database.h"
#include "cn-live-store.h"

G_BEGIN_DECLS

/* Unix seconds now. */
typedef gint64 (*CnClockFunc) (gpointer user_data);

#define CN_TYPE_REMINDERS (cn_reminders_get_type ())
G_DECLARE_FINAL_TYPE (CnReminders, cn_reminders, CN, REMINDERS, GObject)

CnReminders *cn_reminders_new       (CnDatabase  *database);
/* Tests: the clock (NULL: the real one). */
void         cn_reminders_set_clock (CnReminders *self,
                                     CnClockFunc  clock,
                                     gpointer     user_data);
/* Looks now, then at each next due time (and every minute, for follow-ups
 * other processes save). */
void         cn_reminders_start     (CnReminders *self);
void         cn_reminders_stop      (CnReminders *self);
/* Looks now (after a save, or when a test moved its clock). */
void         cn_reminders_check     (CnReminders *self);

/* Signal "due" (CnFollowUp *follow_up, gboolean overdue): a follow-up fell
 * due; overdue when that happened before start() (Callnotes was not
 * running). Each is marked reminded before the signal, so it comes once. */

G_END_DECLS
