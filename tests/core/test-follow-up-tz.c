/* test-follow-up-tz.c: a follow-up is a local date and time, sent as UTC
 *
 * The agent picks a local date and time; it is converted once, at save, to
 * UTC Unix seconds (what Ontraport gets) and written as ISO 8601 with "Z"
 * for the backend (CONTRACTS.md). Each case is run in a zone behind UTC
 * (Los Angeles) and ahead of it (Auckland in summer time, Tokyo), both with
 * an explicit zone and with TZ set for the process, the way the app and the
 * command line run (local zone = NULL).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Expected Unix times were worked out independently (Python zoneinfo on the
 * same tzdata) and are written as literals, with the wall-clock time beside
 * each one.
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "cn-format.h"

typedef struct {
  const char *zone;
  const char *local;      /* as typed or picked: "YYYY-MM-DD HH:MM" */
  gint64      unix_utc;
  const char *backend;    /* what the backend is sent */
} Case;

static const Case cases[] = {
  /* Behind UTC: PST (UTC-8) on 23 Nov, so 09:00 is 17:00Z the same day. */
  { "America/Los_Angeles", "2026-11-23 09:00", 1795453200, "2026-11-23T17:00:00Z" },
  /* Late evening: the UTC date is the next day, the local date stays. */
  { "America/Los_Angeles", "2026-11-23 23:30", 1795505400, "2026-11-24T07:30:00Z" },
  { "America/Los_Angeles", "2026-11-23 00:15", 1795421700, "2026-11-23T08:15:00Z" },
  /* Ahead: NZDT (UTC+13), so 09:00 on the 23rd is 20:00Z on the 22nd. */
  { "Pacific/Auckland", "2026-11-23 09:00", 1795377600, "2026-11-22T20:00:00Z" },
  { "Pacific/Auckland", "2026-11-23 23:30", 1795429800, "2026-11-23T10:30:00Z" },
  { "Pacific/Auckland", "2026-11-23 00:15", 1795346100, "2026-11-22T11:15:00Z" },
  /* Ahead, no summer time: JST (UTC+9), 09:00 is midnight UTC. */
  { "Asia/Tokyo", "2026-11-23 09:00", 1795392000, "2026-11-23T00:00:00Z" },
  { "Asia/Tokyo", "2026-11-23 23:30", 1795444200, "2026-11-23T14:30:00Z" },
  { "Asia/Tokyo", "2026-11-23 00:15", 1795360500, "2026-11-22T15:15:00Z" },
};

static GTimeZone *
zone (const char *identifier)
{
  GTimeZone *tz = g_time_zone_new_identifier (identifier);

  /* tzdata is a build dependency of the tests; say so clearly if missing. */
  if (tz == NULL)
    g_error ("Time zone %s is missing; install tzdata", identifier);

  return tz;
}

/* The time zone the app and the command line use: the process's own. */
static void
pin_local_zone (const char *identifier)
{
  g_autoptr(GTimeZone) local = NULL;

  g_setenv ("TZ", identifier, TRUE);
  /* GLib drops its cached local zone when TZ changes; make sure. */
  local = g_time_zone_new_local ();
  g_assert_cmpstr (g_time_zone_get_identifier (local), ==, identifier);
}

/* @unix_utc shown as "YYYY-MM-DD HH:MM" in @tz (NULL: the local zone). */
static char *
format_back (gint64     unix_utc,
             GTimeZone *tz)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_utc);
  g_autoptr(GDateTime) shown = tz != NULL ? g_date_time_to_timezone (utc, tz)
                                          : g_date_time_to_local (utc);

  return g_date_time_format (shown, "%Y-%m-%d %H:%M");
}

/* Checks one case with @tz, or with the local zone when @tz is NULL. */
static void
check_case (const Case *c,
            GTimeZone  *tz)
{
  g_autofree char *iso_form = g_strdelimit (g_strdup (c->local), " ", 'T');
  g_autofree char *backend = NULL;
  g_autofree char *back = NULL;
  gint64 seconds = 0;
  gint64 parsed_back = 0;

  g_test_message ("%s %s (%s zone)", c->local, c->zone, tz != NULL ? "explicit" : "local");

  /* Both spellings the parser accepts give the same instant. */
  g_assert_true (cn_parse_local_datetime (c->local, tz, &seconds));
  g_assert_cmpint (seconds, ==, c->unix_utc);
  g_assert_true (cn_parse_local_datetime (iso_form, tz, &seconds));
  g_assert_cmpint (seconds, ==, c->unix_utc);

  /* The backend's string, and it reads back as the same instant. */
  backend = cn_format_iso8601_utc (seconds);
  g_assert_cmpstr (backend, ==, c->backend);
  g_assert_true (cn_parse_iso8601 (backend, &parsed_back));
  g_assert_cmpint (parsed_back, ==, c->unix_utc);

  /* Shown again in the agent's zone: the same calendar date and time,
   * also when the UTC date differs. */
  back = format_back (seconds, tz);
  g_assert_cmpstr (back, ==, c->local);
}

static void
test_zone (gconstpointer data)
{
  const char *identifier = data;
  g_autoptr(GTimeZone) tz = zone (identifier);
  guint checked = 0;

  pin_local_zone (identifier);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      if (!g_str_equal (cases[i].zone, identifier))
        continue;

      check_case (&cases[i], tz);
      check_case (&cases[i], NULL);
      checked++;
    }

  g_assert_cmpuint (checked, ==, 3);
}

/* The logger dialog builds the follow-up from its calendar and spin buttons
 * with g_date_time_new_local(); that path must agree with the parser. */
static void
test_dialog_path_agrees (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      g_autoptr(GDateTime) picked = NULL;
      int year, month, day, hour, minute;

      g_assert_cmpint (sscanf (c->local, "%d-%d-%d %d:%d", &year, &month, &day, &hour, &minute),
                       ==, 5);

      pin_local_zone (c->zone);
      picked = g_date_time_new_local (year, month, day, hour, minute, 0);
      g_assert_nonnull (picked);
      g_assert_cmpint (g_date_time_to_unix (picked), ==, c->unix_utc);
    }
}

/* The same wall-clock time is a different instant in each zone, and the
 * order is the one of the offsets: Auckland first, Tokyo, Los Angeles. */
static void
test_zones_differ (void)
{
  g_autoptr(GTimeZone) la = zone ("America/Los_Angeles");
  g_autoptr(GTimeZone) akl = zone ("Pacific/Auckland");
  g_autoptr(GTimeZone) tyo = zone ("Asia/Tokyo");
  gint64 t_la, t_akl, t_tyo;

  g_assert_true (cn_parse_local_datetime ("2026-11-23T09:00", la, &t_la));
  g_assert_true (cn_parse_local_datetime ("2026-11-23T09:00", akl, &t_akl));
  g_assert_true (cn_parse_local_datetime ("2026-11-23T09:00", tyo, &t_tyo));

  g_assert_cmpint (t_tyo - t_akl, ==, 4 * 3600);    /* +13 vs +9 */
  g_assert_cmpint (t_la - t_tyo, ==, 17 * 3600);    /* +9 vs -8 */
}

/* Around the summer-time changes the local time is still what the agent
 * picked: in a gap it does not exist (refused, not moved), on either side
 * it converts with the right offset. Transitions in 2026: Los Angeles
 * 8 March 02:00 PST -> 03:00 PDT; Auckland 27 September 02:00 NZST ->
 * 03:00 NZDT. */
static void
test_daylight_saving_edges (void)
{
  struct {
    const char *zone;
    const char *local;
    gint64      unix_utc;   /* 0: the time does not exist */
  } edges[] = {
    { "America/Los_Angeles", "2026-03-08 01:59", 1772963940 },   /* 09:59Z, PST */
    { "America/Los_Angeles", "2026-03-08 02:30", 0 },
    { "America/Los_Angeles", "2026-03-08 03:00", 1772964000 },   /* 10:00Z, PDT */
    { "Pacific/Auckland", "2026-09-27 01:59", 1790431140 },      /* 13:59Z on the 26th */
    { "Pacific/Auckland", "2026-09-27 02:30", 0 },
    { "Pacific/Auckland", "2026-09-27 03:00", 1790431200 },      /* 14:00Z on the 26th */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (edges); i++)
    {
      g_autoptr(GTimeZone) tz = zone (edges[i].zone);
      gint64 seconds = 0;
      gboolean ok;

      g_test_message ("%s %s", edges[i].local, edges[i].zone);

      pin_local_zone (edges[i].zone);
      for (int pass = 0; pass < 2; pass++)
        {
          ok = cn_parse_local_datetime (edges[i].local, pass == 0 ? tz : NULL, &seconds);
          if (edges[i].unix_utc == 0)
            {
              g_assert_false (ok);
            }
          else
            {
              g_autofree char *back = format_back (seconds, pass == 0 ? tz : NULL);

              g_assert_true (ok);
              g_assert_cmpint (seconds, ==, edges[i].unix_utc);
              g_assert_cmpstr (back, ==, edges[i].local);
            }
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  /* Before any GTimeZone use: no zone from the machine running the tests. */
  g_setenv ("TZ", "UTC", TRUE);
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/follow-up-tz/los-angeles", "America/Los_Angeles", test_zone);
  g_test_add_data_func ("/follow-up-tz/auckland", "Pacific/Auckland", test_zone);
  g_test_add_data_func ("/follow-up-tz/tokyo", "Asia/Tokyo", test_zone);
  g_test_add_func ("/follow-up-tz/dialog-path-agrees", test_dialog_path_agrees);
  g_test_add_func ("/follow-up-tz/zones-differ", test_zones_differ);
  g_test_add_func ("/follow-up-tz/daylight-saving-edges", test_daylight_saving_edges);

  return g_test_run ();
}
