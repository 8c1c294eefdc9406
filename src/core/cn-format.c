/* cn-format.c: times and durations as people and the wire read them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-format"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "cn-format.h"

/* Longer input is not a date or a duration; it is rejected before parsing. */
#define TEXT_MAX_LENGTH 64

/* About 68 years: no call lasts longer, and sums stay far from overflow. */
#define DURATION_MAX_SECONDS ((gint64) G_MAXINT32)

#define SECONDS_PER_MINUTE 60
#define SECONDS_PER_HOUR   3600

static GTimeZone *
ref_zone (GTimeZone *tz)
{
  return tz != NULL ? g_time_zone_ref (tz) : g_time_zone_new_local ();
}

/* @unix_seconds as a date-time in @tz, or NULL when out of GDateTime's range. */
static GDateTime *
date_time_in_zone (gint64     unix_seconds,
                   GTimeZone *tz)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_seconds);

  if (utc == NULL)
    return NULL;

  return g_date_time_to_timezone (utc, tz);
}

/* A day number for the calendar date of @dt in its own zone. */
static guint32
julian_day (GDateTime *dt)
{
  int year, month, day;
  GDate date;

  g_date_time_get_ymd (dt, &year, &month, &day);
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, (GDateDay) day, (GDateMonth) month, (GDateYear) year);

  return g_date_get_julian (&date);
}

/* Formats with a translated strftime-like @format; a broken translation
 * falls back to the original @fallback. */
static char *
format_date_time (GDateTime  *dt,
                  const char *format,
                  const char *fallback)
{
  char *text = g_date_time_format (dt, format);

  if (text == NULL)
    text = g_date_time_format (dt, fallback);

  return text;
}

char *
cn_format_iso8601_utc (gint64 unix_seconds)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_seconds);
  int year, month, day;

  /* Outside years 1..9999 there is nothing sensible to write. */
  if (dt == NULL)
    return NULL;

  g_date_time_get_ymd (dt, &year, &month, &day);

  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02dZ",
                          year, month, day,
                          g_date_time_get_hour (dt),
                          g_date_time_get_minute (dt),
                          g_date_time_get_second (dt));
}

gboolean
cn_parse_iso8601 (const char *text,
                  gint64     *unix_seconds)
{
  g_autoptr(GDateTime) dt = NULL;

  g_return_val_if_fail (text != NULL, FALSE);

  if (strnlen (text, TEXT_MAX_LENGTH + 1) > TEXT_MAX_LENGTH)
    return FALSE;

  /* With no default zone, GLib rejects a date-time that names no zone. */
  dt = g_date_time_new_from_iso8601 (text, NULL);
  if (dt == NULL)
    return FALSE;

  if (unix_seconds != NULL)
    *unix_seconds = g_date_time_to_unix (dt);

  return TRUE;
}

/* Reads exactly @n ASCII digits. */
static gboolean
read_digits (const char **p,
             int          n,
             int         *out)
{
  int value = 0;

  for (int i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit ((*p)[i]))
        return FALSE;
      value = value * 10 + ((*p)[i] - '0');
    }

  *p += n;
  *out = value;
  return TRUE;
}

static gboolean
read_char (const char **p,
           const char  *allowed)
{
  if (**p == '\0' || strchr (allowed, **p) == NULL)
    return FALSE;

  (*p)++;
  return TRUE;
}

gboolean
cn_parse_local_datetime (const char *text,
                         GTimeZone  *tz,
                         gint64     *unix_seconds)
{
  g_autofree char *copy = NULL;
  g_autoptr(GTimeZone) zone = NULL;
  g_autoptr(GDateTime) dt = NULL;
  const char *p;
  int year, month, day, hour, minute, second = 0;
  int y, m, d;

  g_return_val_if_fail (text != NULL, FALSE);

  if (strnlen (text, TEXT_MAX_LENGTH + 1) > TEXT_MAX_LENGTH)
    return FALSE;

  copy = g_strstrip (g_strdup (text));
  p = copy;

  /* YYYY-MM-DD, then 'T' or a space, then HH:MM with optional :SS (what an
   * HTML datetime-local field sends). A date alone is not enough. */
  if (!read_digits (&p, 4, &year) || !read_char (&p, "-") ||
      !read_digits (&p, 2, &month) || !read_char (&p, "-") ||
      !read_digits (&p, 2, &day) || !read_char (&p, "Tt ") ||
      !read_digits (&p, 2, &hour) || !read_char (&p, ":") ||
      !read_digits (&p, 2, &minute))
    return FALSE;

  if (*p == ':' && (p++, !read_digits (&p, 2, &second)))
    return FALSE;

  if (*p != '\0')
    return FALSE;

  if (year < 1 || month < 1 || month > 12 || day < 1 ||
      day > g_date_get_days_in_month ((GDateMonth) month, (GDateYear) year) ||
      hour > 23 || minute > 59 || second > 59)
    return FALSE;

  zone = ref_zone (tz);
  dt = g_date_time_new (zone, year, month, day, hour, minute, second);
  if (dt == NULL)
    return FALSE;

  /* In a DST gap (02:30 on a spring-forward night) GDateTime quietly moves
   * the time; a time that reads back differently does not exist. */
  g_date_time_get_ymd (dt, &y, &m, &d);
  if (y != year || m != month || d != day ||
      g_date_time_get_hour (dt) != hour || g_date_time_get_minute (dt) != minute ||
      g_date_time_get_second (dt) != second)
    return FALSE;

  if (unix_seconds != NULL)
    *unix_seconds = g_date_time_to_unix (dt);

  return TRUE;
}

char *
cn_format_duration (gint64 seconds)
{
  gint64 hours, minutes, secs;

  if (seconds < 0)
    return g_strdup ("—");

  seconds = MIN (seconds, DURATION_MAX_SECONDS);
  hours = seconds / SECONDS_PER_HOUR;
  minutes = (seconds % SECONDS_PER_HOUR) / SECONDS_PER_MINUTE;
  secs = seconds % SECONDS_PER_MINUTE;

  if (hours > 0 && minutes > 0)
    /* Translators: a duration in hours and minutes, e.g. "1h 3m" */
    return g_strdup_printf (_("%dh %dm"), (int) hours, (int) minutes);
  if (hours > 0)
    /* Translators: a duration in whole hours, e.g. "2h" */
    return g_strdup_printf (_("%dh"), (int) hours);
  if (minutes > 0 && secs > 0)
    /* Translators: a duration in minutes and seconds, e.g. "2m 15s" */
    return g_strdup_printf (_("%dm %ds"), (int) minutes, (int) secs);
  if (minutes > 0)
    /* Translators: a duration in whole minutes, e.g. "2m" */
    return g_strdup_printf (_("%dm"), (int) minutes);

  /* Translators: a duration in seconds, e.g. "45s" */
  return g_strdup_printf (_("%ds"), (int) secs);
}

/* Parses 1-10 digits; the callers bound the total. */
static gboolean
read_number (const char **p,
             gint64      *out)
{
  gint64 value = 0;
  int n = 0;

  while (g_ascii_isdigit (**p))
    {
      if (++n > 10)
        return FALSE;
      value = value * 10 + (**p - '0');
      (*p)++;
    }

  *out = value;
  return n > 0;
}

/* "2:15" or "1:02:15": the first field is unbounded, later ones below 60. */
static gboolean
parse_clock_duration (const char *text,
                      gint64     *seconds)
{
  const char *p = text;
  gint64 total = 0;
  int fields = 0;

  while (TRUE)
    {
      gint64 value;
      const char *start = p;

      if (!read_number (&p, &value))
        return FALSE;
      if (fields > 0 && (p - start > 2 || value >= 60))
        return FALSE;

      total = total * 60 + value;
      if (++fields > 3 || total > DURATION_MAX_SECONDS)
        return FALSE;

      if (*p == '\0')
        break;
      if (*p != ':')
        return FALSE;
      p++;
    }

  if (fields < 2)
    return FALSE;

  *seconds = total;
  return TRUE;
}

static gint64
unit_seconds (const char *unit,
              gsize       len)
{
  static const struct {
    const char *name;
    gint64      seconds;
  } units[] = {
    { "h", SECONDS_PER_HOUR }, { "hr", SECONDS_PER_HOUR }, { "hrs", SECONDS_PER_HOUR },
    { "hour", SECONDS_PER_HOUR }, { "hours", SECONDS_PER_HOUR },
    { "m", SECONDS_PER_MINUTE }, { "min", SECONDS_PER_MINUTE }, { "mins", SECONDS_PER_MINUTE },
    { "minute", SECONDS_PER_MINUTE }, { "minutes", SECONDS_PER_MINUTE },
    { "s", 1 }, { "sec", 1 }, { "secs", 1 }, { "second", 1 }, { "seconds", 1 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (units); i++)
    if (strlen (units[i].name) == len && g_ascii_strncasecmp (unit, units[i].name, len) == 0)
      return units[i].seconds;

  return 0;
}

/* "2m 15s", "1h", "1h3m", "45 sec": each unit once, largest first. */
static gboolean
parse_unit_duration (const char *text,
                     gint64     *seconds)
{
  const char *p = text;
  gint64 total = 0;
  gint64 last_unit = G_MAXINT64;

  while (*p != '\0')
    {
      gint64 value, unit;
      const char *unit_start;

      if (!read_number (&p, &value))
        return FALSE;

      while (*p == ' ')
        p++;

      unit_start = p;
      while (g_ascii_isalpha (*p))
        p++;

      unit = unit_seconds (unit_start, p - unit_start);
      if (unit == 0 || unit >= last_unit)
        return FALSE;
      last_unit = unit;

      total += value * unit;
      if (total > DURATION_MAX_SECONDS)
        return FALSE;

      while (*p == ' ' || *p == ',')
        p++;
    }

  *seconds = total;
  return TRUE;
}

gboolean
cn_parse_duration (const char *text,
                   gint64     *seconds)
{
  g_autofree char *copy = NULL;
  gint64 value;
  gboolean ok;

  g_return_val_if_fail (text != NULL, FALSE);

  if (strnlen (text, TEXT_MAX_LENGTH + 1) > TEXT_MAX_LENGTH)
    return FALSE;

  copy = g_strstrip (g_strdup (text));
  if (*copy == '\0')
    return FALSE;

  if (strchr (copy, ':') != NULL)
    {
      ok = parse_clock_duration (copy, &value);
    }
  else
    {
      const char *p = copy;

      /* Only digits: plain seconds. */
      if (read_number (&p, &value) && *p == '\0')
        ok = value <= DURATION_MAX_SECONDS;
      else
        ok = parse_unit_duration (copy, &value);
    }

  if (ok && seconds != NULL)
    *seconds = value;

  return ok;
}

char *
cn_format_relative_time (gint64     then,
                         gint64     now,
                         GTimeZone *tz)
{
  g_autoptr(GTimeZone) zone = ref_zone (tz);
  g_autoptr(GDateTime) dt_then = date_time_in_zone (then, zone);
  g_autoptr(GDateTime) dt_now = date_time_in_zone (now, zone);
  gint64 diff, days;

  /* Both lie within years 1..9999 from here on, so nothing overflows. */
  if (dt_then == NULL || dt_now == NULL)
    return g_strdup ("—");

  diff = now - then;

  if (diff > -SECONDS_PER_MINUTE && diff < SECONDS_PER_MINUTE)
    return g_strdup (_("Just now"));

  if (diff >= SECONDS_PER_MINUTE && diff < SECONDS_PER_HOUR)
    {
      int minutes = (int) (diff / SECONDS_PER_MINUTE);

      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "%d minute ago", "%d minutes ago", minutes),
                              minutes);
    }

  days = (gint64) julian_day (dt_now) - (gint64) julian_day (dt_then);

  if (days == 0)
    /* Translators: a time earlier (or later) today, in g_date_time_format() syntax */
    return format_date_time (dt_then, _("Today %H:%M"), "Today %H:%M");
  if (days == 1)
    /* Translators: a time yesterday, in g_date_time_format() syntax */
    return format_date_time (dt_then, _("Yesterday %H:%M"), "Yesterday %H:%M");
  if (days == -1)
    /* Translators: a time tomorrow, in g_date_time_format() syntax */
    return format_date_time (dt_then, _("Tomorrow %H:%M"), "Tomorrow %H:%M");
  if (days > 1 && days < 7)
    /* Translators: weekday and time in the last week, "Mon 09:15", g_date_time_format() syntax */
    return format_date_time (dt_then, _("%a %H:%M"), "%a %H:%M");

  /* Translators: a date, e.g. "21 Nov 2026", in g_date_time_format() syntax */
  return format_date_time (dt_then, _("%-d %b %Y"), "%-d %b %Y");
}

/* 09:00 local on the day @days_ahead after the local date of @now_local. */
static gint64
nine_o_clock (GDateTime *now_local,
              int        days_ahead,
              GTimeZone *zone,
              gint64     fallback)
{
  g_autoptr(GDateTime) dt = NULL;
  GDate date;
  int year, month, day;

  g_date_time_get_ymd (now_local, &year, &month, &day);
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, (GDateDay) day, (GDateMonth) month, (GDateYear) year);
  g_date_add_days (&date, days_ahead);

  if (!g_date_valid (&date) || g_date_get_year (&date) > 9999)
    return fallback;

  /* Should 09:00 fall into a DST gap, GDateTime moves it to the first
   * existing time after it, which is what a reminder wants. */
  dt = g_date_time_new (zone, g_date_get_year (&date), g_date_get_month (&date),
                        g_date_get_day (&date), 9, 0, 0);
  if (dt == NULL)
    return fallback;

  return g_date_time_to_unix (dt);
}

gint64
cn_follow_up_preset (CnFollowUpPreset preset,
                     gint64           now,
                     GTimeZone       *tz)
{
  g_autoptr(GTimeZone) zone = ref_zone (tz);
  g_autoptr(GDateTime) now_local = date_time_in_zone (now, zone);

  g_return_val_if_fail (preset == CN_FOLLOW_UP_IN_ONE_HOUR ||
                        preset == CN_FOLLOW_UP_TOMORROW_9 ||
                        preset == CN_FOLLOW_UP_NEXT_MONDAY_9, now);

  if (now_local == NULL)
    return now;

  switch (preset)
    {
    case CN_FOLLOW_UP_IN_ONE_HOUR:
      {
        gint64 target = now + SECONDS_PER_HOUR;
        g_autoptr(GDateTime) local = date_time_in_zone (target, zone);
        int into_slot;

        if (local == NULL)
          return now;

        /* Round on the local clock, so that zones with odd historical
         * offsets still land on :00, :05, :10 ... */
        into_slot = (g_date_time_get_minute (local) % 5) * SECONDS_PER_MINUTE +
                    g_date_time_get_second (local);
        if (into_slot > 0)
          target += 5 * SECONDS_PER_MINUTE - into_slot;

        return target;
      }

    case CN_FOLLOW_UP_TOMORROW_9:
      return nine_o_clock (now_local, 1, zone, now);

    case CN_FOLLOW_UP_NEXT_MONDAY_9:
      {
        /* 1 = Monday ... 7 = Sunday; on a Monday the next one is a week away. */
        int weekday = g_date_time_get_day_of_week (now_local);

        return nine_o_clock (now_local, 8 - weekday, zone, now);
      }

    default:
      g_assert_not_reached ();
    }
}
