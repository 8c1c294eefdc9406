/* cn-backoff.h: when to try again after a transient failure
 *
 * Capped exponential backoff with full jitter, and the Retry-After header of
 * an HTTP answer. Pure arithmetic: nothing here sleeps or reads the clock.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What the sync worker uses: the first retry within 2 s, later ones at most
 * an hour apart. */
#define CN_BACKOFF_BASE_MS G_GINT64_CONSTANT (2000)
#define CN_BACKOFF_CAP_MS  G_GINT64_CONSTANT (3600000)

/* The longest wait a Retry-After header can ask for (one day, in seconds). */
#define CN_RETRY_AFTER_MAX_SECONDS G_GINT64_CONSTANT (86400)

/* Milliseconds to wait before attempt number @attempt + 1, after @attempt
 * failures (1 = the first retry): a uniformly random value in
 * [0, min (@cap_ms, @base_ms * 2^(@attempt - 1))] ("full jitter"), so that
 * many clients failing at once do not retry in step. Never overflows, for
 * any @attempt. 0 for @attempt 0 or a @base_ms or @cap_ms not above 0.
 * @rand_or_null: the random source (tests pass a seeded one); NULL uses
 * g_random_*(). */
gint64  cn_backoff_delay_ms          (guint        attempt,
                                      gint64       base_ms,
                                      gint64       cap_ms,
                                      GRand       *rand_or_null);

/* The ceiling the delay of @attempt is drawn below (inclusive):
 * min (@cap_ms, @base_ms * 2^(@attempt - 1)), 0 for attempt 0. */
gint64  cn_backoff_ceiling_ms        (guint        attempt,
                                      gint64       base_ms,
                                      gint64       cap_ms);

/* Seconds to wait from a Retry-After header @value: delta-seconds ("120")
 * or an HTTP-date in IMF-fixdate form ("Wed, 21 Oct 2015 07:28:00 GMT"),
 * taken relative to @now_unix (Unix seconds). Surrounding spaces are
 * allowed. The result is clamped to [0, CN_RETRY_AFTER_MAX_SECONDS] (a date
 * in the past gives 0); -1 when @value is NULL or neither form. */
gint64  cn_backoff_parse_retry_after (const char  *value,
                                      gint64       now_unix);

G_END_DECLS
