/* cn-rate-limiter.h: keeps requests to one server under N per window
 *
 * A sliding window over the times of the last N requests, plus a "wait
 * until" set when the server itself says to stop (429, no requests left).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _CnRateLimiter CnRateLimiter;

/* At most @limit requests in any @window_us microseconds. */
CnRateLimiter *cn_rate_limiter_new         (guint           limit,
                                            gint64          window_us);
void           cn_rate_limiter_free        (CnRateLimiter  *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnRateLimiter, cn_rate_limiter_free)

/* Microseconds until a request may be sent at @now_us (monotonic), 0 now. */
gint64         cn_rate_limiter_delay       (CnRateLimiter  *self,
                                            gint64          now_us);
/* Counts a request sent at @now_us. */
void           cn_rate_limiter_take        (CnRateLimiter  *self,
                                            gint64          now_us);
/* The server asked for a pause: nothing goes before @until_us. */
void           cn_rate_limiter_block_until (CnRateLimiter  *self,
                                            gint64          until_us);

/* The sends still within the window at @now_us and the pause, as one line
 * of text with wall-clock times (@wall_offset_us: the wall clock minus the
 * monotonic one), so the next process to send takes them up: a restart
 * does not start the count again. Oldest first. */
char          *cn_rate_limiter_to_text     (CnRateLimiter  *self,
                                            gint64          now_us,
                                            gint64          wall_offset_us);
/* Counts, instead of what it counted so far, the sends @text (from
 * cn_rate_limiter_to_text()) lists that are still within the window at
 * @now_us, and its pause. Text that is not of that form is ignored whole
 * (NULL too), a time ahead of @now_us counts as @now_us (the wall clock
 * went back), and a pause is taken up to one window. */
void           cn_rate_limiter_take_up     (CnRateLimiter  *self,
                                            const char     *text,
                                            gint64          now_us,
                                            gint64          wall_offset_us);

G_END_DECLS
