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

G_END_DECLS
