/* cn-live-pill.h: the call in progress, in the header bar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cn-live-store.h"

G_BEGIN_DECLS

#define CN_TYPE_LIVE_PILL (cn_live_pill_get_type ())
G_DECLARE_FINAL_TYPE (CnLivePill, cn_live_pill, CN, LIVE_PILL, GtkWidget)

/* A compact pill: a phone icon, the contact or number, and a timer (mm:ss,
 * h:mm:ss past an hour) counting from the call's start (or from the first
 * event about it when the backend gave no start), updated every second. It
 * keeps every call in progress and shows the one heard of last; the pill is
 * visible only while there is one. A call nothing was heard of for two hours
 * is dropped (its end was lost). */
GtkWidget  *cn_live_pill_new              (void);

/* A live_call event: the call is added or updated, or dropped when its
 * status is final (hangup, ended, failed, …) or it is completed. */
void        cn_live_pill_update           (CnLivePill         *self,
                                           const CnStreamCall *call);
/* A call_completed event (or any end): the call is dropped. */
void        cn_live_pill_end              (CnLivePill         *self,
                                           const char         *call_sid);

guint       cn_live_pill_get_n_calls      (CnLivePill         *self);
/* The call shown, NULL none. */
const char *cn_live_pill_get_call_sid     (CnLivePill         *self);
/* What the timer shows, e.g. "02:15". */
const char *cn_live_pill_get_timer_text   (CnLivePill         *self);

/* Tests: how long a call may go unheard of before it is dropped (seconds;
 * 0 keeps the default of two hours). */
void        cn_live_pill_set_stale_seconds (CnLivePill        *self,
                                            guint              seconds);

G_END_DECLS
