/* cn-format.h: times and durations as people and the wire read them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The first second of year 10000: times at or past it cannot be shown. */
#define CN_MAX_UNIX_SECONDS G_GINT64_CONSTANT (253402300800)

/* "2026-11-21T10:00:00Z" from Unix seconds (UTC). */
char     *cn_format_iso8601_utc     (gint64       unix_seconds);
/* Parses an ISO 8601 date-time with a zone ("...Z" or "+01:00"). */
gboolean  cn_parse_iso8601          (const char  *text,
                                     gint64      *unix_seconds);

/* Parses a local date and time "YYYY-MM-DDTHH:MM" (also "YYYY-MM-DD HH:MM")
 * in @tz (NULL = local zone) to Unix seconds UTC. A date without a time, an
 * impossible date or a time that does not exist in @tz fails. */
gboolean  cn_parse_local_datetime   (const char  *text,
                                     GTimeZone   *tz,
                                     gint64      *unix_seconds);

/* "2m 15s", "1h 3m", "45s", "0s"; "—" for a negative (unknown) duration. */
char     *cn_format_duration        (gint64       seconds);

/* Parses what a person types into a duration field: "135", "2:15",
 * "1:02:15", "2m 15s", "1h", "45s". */
gboolean  cn_parse_duration         (const char  *text,
                                     gint64      *seconds);

/* Relative to @now (both Unix seconds), in @tz (NULL = local):
 * "Just now", "5 minutes ago", "Today 14:02", "Yesterday 09:15",
 * "Mon 09:15" within the last week, else "21 Nov 2026". Translated. */
char     *cn_format_relative_time   (gint64       then,
                                     gint64       now,
                                     GTimeZone   *tz);

/* Follow-up presets in @tz (NULL = local), from @now (Unix seconds UTC),
 * results in Unix seconds UTC, always at a whole minute:
 *  IN_ONE_HOUR: now + 1 h rounded up to the next 5 minutes;
 *  TOMORROW_9: tomorrow at 09:00 local;
 *  NEXT_MONDAY_9: the next Monday strictly after today at 09:00 local. */
typedef enum {
  CN_FOLLOW_UP_IN_ONE_HOUR,
  CN_FOLLOW_UP_TOMORROW_9,
  CN_FOLLOW_UP_NEXT_MONDAY_9,
} CnFollowUpPreset;

gint64    cn_follow_up_preset       (CnFollowUpPreset preset,
                                     gint64           now,
                                     GTimeZone       *tz);

G_END_DECLS
