/* test-format.c: times and durations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Expected Unix times were worked out independently (Python zoneinfo on the
 * same tzdata) and are written as literals, with the wall-clock time beside
 * each one.
 */
#include <locale.h>
#include <string.h>

#include <glib.h>

#include "cn-format.h"

static GTimeZone *
zone (const char *identifier)
{
  GTimeZone *tz = g_time_zone_new_identifier (identifier);

  /* tzdata is a build dependency of the tests; say so clearly if missing. */
  if (tz == NULL)
    g_error ("Time zone %s is missing; install tzdata", identifier);

  return tz;
}

/* ---- ISO 8601 ---- */

static void
test_iso8601_format (void)
{
  struct {
    gint64      seconds;
    const char *expected;
  } cases[] = {
    { 0, "1970-01-01T00:00:00Z" },
    { 1795255200, "2026-11-21T10:00:00Z" },
    { 1709204400, "2024-02-29T11:00:00Z" },
    { -1, "1969-12-31T23:59:59Z" },
    { 253402300799, "9999-12-31T23:59:59Z" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = cn_format_iso8601_utc (cases[i].seconds);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }

  /* Beyond year 9999 there is nothing to write. */
  g_assert_null (cn_format_iso8601_utc (253402300800));
}

static void
test_iso8601_parse (void)
{
  struct {
    const char *text;
    gint64      expected;
  } cases[] = {
    { "2026-11-21T10:00:00Z", 1795255200 },
    { "2026-11-21T11:00:00+01:00", 1795255200 },
    { "2026-11-21T02:00:00-08:00", 1795255200 },
    { "2026-11-22T00:00:00+14:00", 1795255200 },
    { "2026-11-21T10:00:00.250Z", 1795255200 },
    { "1970-01-01T00:00:00Z", 0 },
  };
  const char *bad[] = {
    "",
    "2026-11-21T10:00:00",     /* no zone: ambiguous on the wire */
    "2026-11-21",
    "2026-02-30T10:00:00Z",
    "2026-11-21T25:00:00Z",
    "yesterday",
    "2026-11-21T10:00:00Z and then some text that goes on and on and on and on",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 seconds = -42;

      g_assert_true (cn_parse_iso8601 (cases[i].text, &seconds));
      g_assert_cmpint (seconds, ==, cases[i].expected);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      gint64 seconds = -42;

      g_assert_false (cn_parse_iso8601 (bad[i], &seconds));
      g_assert_cmpint (seconds, ==, -42);
    }
}

static void
test_iso8601_round_trip (void)
{
  const gint64 samples[] = { 0, 1, 1795255200, 1709204400, 4102444799 };

  for (gsize i = 0; i < G_N_ELEMENTS (samples); i++)
    {
      g_autofree char *text = cn_format_iso8601_utc (samples[i]);
      gint64 back = 0;

      g_assert_true (cn_parse_iso8601 (text, &back));
      g_assert_cmpint (back, ==, samples[i]);
    }
}

/* ---- local date-times ---- */

static void
test_local_datetime (void)
{
  struct {
    const char *zone;
    const char *text;
    gint64      expected;
  } cases[] = {
    { "America/Los_Angeles", "2026-11-21T10:00", 1795284000 },   /* 18:00Z, PST */
    { "America/Los_Angeles", "2026-11-21 10:00", 1795284000 },
    { "America/Los_Angeles", " 2026-11-21T10:00 ", 1795284000 },
    { "America/Los_Angeles", "2026-11-21T10:00:00", 1795284000 },
    { "Europe/Berlin", "2026-07-01T09:30", 1782891000 },          /* 07:30Z, CEST */
    { "Europe/Berlin", "2024-02-29T12:00", 1709204400 },          /* a leap day */
    { "Pacific/Kiritimati", "2026-11-21T10:00", 1795204800 },     /* UTC+14 */
    { "America/Los_Angeles", "2026-03-08T03:30", 1772965800 },   /* just after the gap */
    { "Europe/Berlin", "2026-03-29T03:30", 1774747800 },
    { "UTC", "2026-11-21T10:00", 1795255200 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GTimeZone) tz = zone (cases[i].zone);
      gint64 seconds = -42;

      g_test_message ("%s in %s", cases[i].text, cases[i].zone);
      g_assert_true (cn_parse_local_datetime (cases[i].text, tz, &seconds));
      g_assert_cmpint (seconds, ==, cases[i].expected);
    }
}

static void
test_local_datetime_rejects (void)
{
  g_autoptr(GTimeZone) berlin = zone ("Europe/Berlin");
  const char *bad[] = {
    "",
    "2026-11-21",             /* a date without a time */
    "2026-11-21T",
    "2026-11-21T10",
    "2026-02-30T10:00",       /* no such day */
    "2025-02-29T10:00",       /* not a leap year */
    "2026-04-31T10:00",
    "2026-13-01T10:00",
    "2026-00-10T10:00",
    "2026-11-00T10:00",
    "2026-11-21T24:00",
    "2026-11-21T10:60",
    "2026-11-21T10:00:60",
    "2026-11-21T10:00Z",      /* a zone is not a local time */
    "2026-11-21T10:00+01:00",
    "2026-11-21X10:00",
    "26-11-21T10:00",
    "2026-1-21T10:00",
    "0000-01-01T00:00",
    "2026-11-21T10:00 tomorrow",
    "next tuesday",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      gint64 seconds = -42;

      g_test_message ("%s", bad[i]);
      g_assert_false (cn_parse_local_datetime (bad[i], berlin, &seconds));
      g_assert_cmpint (seconds, ==, -42);
    }
}

static void
test_local_datetime_dst_gap (void)
{
  g_autoptr(GTimeZone) la = zone ("America/Los_Angeles");
  g_autoptr(GTimeZone) berlin = zone ("Europe/Berlin");
  gint64 seconds = -42;

  /* Clocks jump from 02:00 to 03:00: 02:30 never happens on these nights. */
  g_assert_false (cn_parse_local_datetime ("2026-03-08T02:30", la, &seconds));
  g_assert_false (cn_parse_local_datetime ("2026-03-08T02:00", la, &seconds));
  g_assert_false (cn_parse_local_datetime ("2026-03-29T02:30", berlin, &seconds));
  g_assert_cmpint (seconds, ==, -42);

  /* The same wall-clock time exists in the other zone that night. */
  g_assert_true (cn_parse_local_datetime ("2026-03-08T02:30", berlin, &seconds));

  /* The repeated hour in autumn exists (twice); either instant is fine. */
  g_assert_true (cn_parse_local_datetime ("2026-11-01T01:30", la, &seconds));
  g_assert_true (seconds == 1793521800 || seconds == 1793525400);
}

static void
test_local_datetime_kiritimati_skipped_day (void)
{
  g_autoptr(GTimeZone) kiritimati = zone ("Pacific/Kiritimati");
  gint64 seconds = -42;

  /* Kiribati moved across the date line: 1994-12-31 never happened there. */
  g_assert_false (cn_parse_local_datetime ("1994-12-31T12:00", kiritimati, &seconds));
  g_assert_true (cn_parse_local_datetime ("1995-01-01T12:00", kiritimati, &seconds));
  g_assert_cmpint (seconds, ==, 788911200);   /* 1994-12-31T22:00Z */
}

/* ---- durations ---- */

static void
test_duration_format (void)
{
  struct {
    gint64      seconds;
    const char *expected;
  } cases[] = {
    { 0, "0s" },
    { 1, "1s" },
    { 45, "45s" },
    { 60, "1m" },
    { 135, "2m 15s" },
    { 3599, "59m 59s" },
    { 3600, "1h" },
    { 3780, "1h 3m" },
    { 3795, "1h 3m" },          /* seconds do not matter beside hours */
    { 36000, "10h" },
    { -1, "—" },                /* unknown */
    { G_MININT64, "—" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = cn_format_duration (cases[i].seconds);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }

  /* Absurd values still give a short, finite string. */
  {
    g_autofree char *text = cn_format_duration (G_MAXINT64);

    g_assert_nonnull (text);
    g_assert_true (g_str_has_suffix (text, "m") || g_str_has_suffix (text, "h"));
  }
}

static void
test_duration_parse (void)
{
  struct {
    const char *text;
    gint64      expected;
  } cases[] = {
    { "135", 135 },
    { "0", 0 },
    { " 45 ", 45 },
    { "2:15", 135 },
    { "0:05", 5 },
    { "90:00", 5400 },
    { "1:02:15", 3735 },
    { "2m 15s", 135 },
    { "2m15s", 135 },
    { "2 min 15 sec", 135 },
    { "2M 15S", 135 },
    { "1h", 3600 },
    { "1h 3m", 3780 },
    { "1h, 3m, 5s", 3785 },
    { "1 hour 2 minutes", 3720 },
    { "45s", 45 },
    { "45 seconds", 45 },
    { "0s", 0 },
  };
  const char *bad[] = {
    "",
    "   ",
    "—",
    "-5",
    "abc",
    "2:75",          /* seconds field over 59 */
    "1:2:3:4",
    "2:",
    ":15",
    "1:002",
    "2m 15",         /* a number without a unit */
    "15s 2m",        /* units out of order */
    "2m 3m",         /* a unit twice */
    "2 parsecs",
    "1.5h",
    "99999999999",   /* far too long */
    "9999999h",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 seconds = -42;

      g_test_message ("%s", cases[i].text);
      g_assert_true (cn_parse_duration (cases[i].text, &seconds));
      g_assert_cmpint (seconds, ==, cases[i].expected);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      gint64 seconds = -42;

      g_test_message ("%s", bad[i]);
      g_assert_false (cn_parse_duration (bad[i], &seconds));
      g_assert_cmpint (seconds, ==, -42);
    }
}

static void
test_duration_round_trip (void)
{
  const gint64 samples[] = { 0, 7, 59, 60, 61, 135, 3599 };

  /* Whatever we show (below an hour, where nothing is dropped) reads back. */
  for (gsize i = 0; i < G_N_ELEMENTS (samples); i++)
    {
      g_autofree char *text = cn_format_duration (samples[i]);
      gint64 back = -1;

      g_assert_true (cn_parse_duration (text, &back));
      g_assert_cmpint (back, ==, samples[i]);
    }
}

/* ---- relative times ---- */

static void
test_relative_time (void)
{
  g_autoptr(GTimeZone) berlin = zone ("Europe/Berlin");
  const gint64 now = 1795275000;   /* Sat 2026-11-21 16:30 CET */
  struct {
    gint64      then;
    const char *expected;
  } cases[] = {
    { now, "Just now" },
    { now - 59, "Just now" },
    { now + 30, "Just now" },                /* a clock a little ahead */
    { now - 60, "1 minute ago" },
    { now - 5 * 60, "5 minutes ago" },
    { now - 59 * 60 - 59, "59 minutes ago" },
    { 1795266120, "Today 14:02" },           /* Sat 14:02 */
    { 1795162500, "Yesterday 09:15" },       /* Fri 2026-11-20 09:15 */
    { 1794816900, "Mon 09:15" },             /* Mon 2026-11-16 */
    { 1794730500, "Sun 09:15" },             /* Sun 2026-11-15, six days back */
    { 1794644100, "14 Nov 2026" },           /* a week back: the date */
    { 1763716500, "21 Nov 2025" },
    { 1795334400, "Tomorrow 09:00" },        /* a follow-up on Sun 09:00 */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = cn_format_relative_time (cases[i].then, now, berlin);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

static void
test_relative_time_midnight (void)
{
  g_autoptr(GTimeZone) berlin = zone ("Europe/Berlin");
  const gint64 now = 1795216200;   /* Sat 2026-11-21 00:10 CET */
  g_autofree char *recent = cn_format_relative_time (1795215000, now, berlin);  /* Fri 23:50 */
  g_autofree char *earlier = cn_format_relative_time (1795208400, now, berlin); /* Fri 22:00 */

  /* Minutes beat the calendar; past an hour the calendar day counts. */
  g_assert_cmpstr (recent, ==, "20 minutes ago");
  g_assert_cmpstr (earlier, ==, "Yesterday 22:00");
}

static void
test_relative_time_zones (void)
{
  g_autoptr(GTimeZone) la = zone ("America/Los_Angeles");
  g_autoptr(GTimeZone) kiritimati = zone ("Pacific/Kiritimati");
  const gint64 then = 1795251600;  /* 2026-11-21T09:00Z */
  const gint64 now = then + 3 * 3600;
  g_autofree char *in_la = cn_format_relative_time (then, now, la);
  g_autofree char *in_kiritimati = cn_format_relative_time (then, now, kiritimati);

  /* Sat 01:00 -> 04:00 in Los Angeles; Sat 23:00 -> Sun 02:00 on Kiritimati */
  g_assert_cmpstr (in_la, ==, "Today 01:00");
  g_assert_cmpstr (in_kiritimati, ==, "Yesterday 23:00");
}

/* ---- follow-up presets ---- */

typedef struct {
  const char       *zone;
  gint64            now;
  CnFollowUpPreset  preset;
  gint64            expected;
  const char       *what;
} PresetCase;

static void
test_follow_up_presets (void)
{
  const PresetCase cases[] = {
    /* Berlin, Sat 2026-03-28 15:07:30 CET; DST starts the next night. */
    { "Europe/Berlin", 1774706850, CN_FOLLOW_UP_IN_ONE_HOUR, 1774710600,
      "16:07:30 rounds up to 16:10 CET" },
    { "Europe/Berlin", 1774706850, CN_FOLLOW_UP_TOMORROW_9, 1774767600,
      "Sun 09:00 CEST, after the clocks went forward" },
    { "Europe/Berlin", 1774706850, CN_FOLLOW_UP_NEXT_MONDAY_9, 1774854000,
      "Mon 2026-03-30 09:00 CEST" },
    /* Los Angeles, Mon 2026-11-23 08:00 PST */
    { "America/Los_Angeles", 1795449600, CN_FOLLOW_UP_IN_ONE_HOUR, 1795453200,
      "09:00 is already on a five-minute mark" },
    { "America/Los_Angeles", 1795449600, CN_FOLLOW_UP_TOMORROW_9, 1795539600,
      "Tue 09:00 PST" },
    { "America/Los_Angeles", 1795449600, CN_FOLLOW_UP_NEXT_MONDAY_9, 1796058000,
      "on a Monday, next Monday is a week away" },
    /* Los Angeles, Sat 2026-11-21 23:30 PST, already Sunday in UTC */
    { "America/Los_Angeles", 1795332600, CN_FOLLOW_UP_TOMORROW_9, 1795366800,
      "Sun 2026-11-22 09:00 PST" },
    { "America/Los_Angeles", 1795332600, CN_FOLLOW_UP_NEXT_MONDAY_9, 1795453200,
      "Mon 2026-11-23 09:00 PST" },
    /* Los Angeles, Sun 2026-03-08 01:32 PST: one hour later is 03:32 PDT */
    { "America/Los_Angeles", 1772962320, CN_FOLLOW_UP_IN_ONE_HOUR, 1772966100,
      "03:35 PDT across the spring-forward gap" },
    /* Kiritimati (UTC+14): Sun 2026-11-22 00:00 local, still Saturday in UTC */
    { "Pacific/Kiritimati", 1795255200, CN_FOLLOW_UP_TOMORROW_9, 1795374000,
      "Mon 2026-11-23 09:00 +14" },
    { "Pacific/Kiritimati", 1795255200, CN_FOLLOW_UP_NEXT_MONDAY_9, 1795374000,
      "on a local Sunday, tomorrow is Monday" },
    /* Kathmandu (UTC+05:45): five-minute marks on the local clock */
    { "Asia/Kathmandu", 1795255200, CN_FOLLOW_UP_IN_ONE_HOUR, 1795258800,
      "15:45 -> 16:45 exactly" },
    { "Asia/Kathmandu", 1795255270, CN_FOLLOW_UP_IN_ONE_HOUR, 1795259100,
      "15:46:10 -> 16:50" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GTimeZone) tz = zone (cases[i].zone);
      gint64 result = cn_follow_up_preset (cases[i].preset, cases[i].now, tz);

      g_test_message ("%s: %s", cases[i].zone, cases[i].what);
      g_assert_cmpint (result, ==, cases[i].expected);
      g_assert_cmpint (result % 60, ==, 0);
      g_assert_cmpint (result, >, cases[i].now);
    }
}

static void
test_follow_up_whole_minutes (void)
{
  g_autoptr(GTimeZone) berlin = zone ("Europe/Berlin");

  /* Every second of an hour lands on a five-minute mark 60-65 min ahead. */
  for (gint64 now = 1795255200; now < 1795255200 + 3600; now += 7)
    {
      gint64 result = cn_follow_up_preset (CN_FOLLOW_UP_IN_ONE_HOUR, now, berlin);

      g_assert_cmpint (result % 300, ==, 0);
      g_assert_cmpint (result - now, >=, 3600);
      g_assert_cmpint (result - now, <, 3600 + 300);
    }
}

int
main (int   argc,
      char *argv[])
{
  /* The expected strings are the untranslated English ones. */
  setlocale (LC_ALL, "C.UTF-8");
  g_setenv ("LANGUAGE", "C", TRUE);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/format/iso8601/format", test_iso8601_format);
  g_test_add_func ("/format/iso8601/parse", test_iso8601_parse);
  g_test_add_func ("/format/iso8601/round-trip", test_iso8601_round_trip);
  g_test_add_func ("/format/local-datetime/zones", test_local_datetime);
  g_test_add_func ("/format/local-datetime/rejects", test_local_datetime_rejects);
  g_test_add_func ("/format/local-datetime/dst-gap", test_local_datetime_dst_gap);
  g_test_add_func ("/format/local-datetime/kiritimati-skipped-day",
                   test_local_datetime_kiritimati_skipped_day);
  g_test_add_func ("/format/duration/format", test_duration_format);
  g_test_add_func ("/format/duration/parse", test_duration_parse);
  g_test_add_func ("/format/duration/round-trip", test_duration_round_trip);
  g_test_add_func ("/format/relative-time/berlin", test_relative_time);
  g_test_add_func ("/format/relative-time/midnight", test_relative_time_midnight);
  g_test_add_func ("/format/relative-time/zones", test_relative_time_zones);
  g_test_add_func ("/format/follow-up/presets", test_follow_up_presets);
  g_test_add_func ("/format/follow-up/whole-minutes", test_follow_up_whole_minutes);

  return g_test_run ();
}
