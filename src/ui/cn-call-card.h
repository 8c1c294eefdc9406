/* cn-call-card.h: a completed call, as a card over the history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cn-live-store.h"

G_BEGIN_DECLS

#define CN_TYPE_CALL_CARD (cn_call_card_get_type ())
G_DECLARE_FINAL_TYPE (CnCallCard, cn_call_card, CN, CALL_CARD, GtkWidget)

/* What the call-completed notification says, in the window: the contact or
 * number, a colour-coded status badge, the duration, Log Call
 * (app.log-call-from-event) and Listen (app.open-recording, only with a
 * recording link), both with the call's SID, and a close button. It closes
 * itself after ten seconds and shows how many are left; the count stops
 * while the pointer is over it or the keyboard focus is in it. A newer call
 * takes the place of the one shown. */
GtkWidget  *cn_call_card_new           (void);

void        cn_call_card_show_call     (CnCallCard         *self,
                                        const CnStreamCall *call);
void        cn_call_card_dismiss       (CnCallCard         *self);

/* Whether a call is shown (or being shown). */
gboolean    cn_call_card_get_shown     (CnCallCard         *self);
const char *cn_call_card_get_call_sid  (CnCallCard         *self);
/* Seconds until it closes. */
guint       cn_call_card_get_remaining (CnCallCard         *self);
gboolean    cn_call_card_get_paused    (CnCallCard         *self);

/* Tests: the seconds it stays (0 keeps the default of 10). */
void        cn_call_card_set_countdown (CnCallCard         *self,
                                        guint               seconds);

G_END_DECLS
