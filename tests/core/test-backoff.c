/* test-backoff.c: retry delays (capped exponential backoff with full jitter)
 * and the Retry-After header
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Unix times of the HTTP dates were worked out independently (Python's
 * calendar.timegm) and are written as literals.
 */
#include <math.h>

#include <glib.h>

#include "cn-backoff.h"

#define BASE CN_BACKOFF_BASE_MS
#define CAP  CN_BACKOFF_CAP_MS

/* min (cap, base * 2^(attempt - 1)), worked out another way: in long
 * double, whose 64-bit (or wider) mantissa holds every gint64 exactly. */
static gint64
expected_ceiling (guint  attempt,
                  gint64 base,
                  gint64 cap)
{
  long double value;

  if (attempt == 0)
    return 0;

  value = ldexpl ((long double) base, (int) MIN (attempt - 1, 1000));
  return value >= (long double) cap ? cap : (gint64) value;
}

/* ---- ceilings ------------------------------------------------------------- */

static void
test_ceiling_values (void)
{
  struct {
    guint  attempt;
    gint64 ceiling;
  } cases[] = {
    { 0, 0 },
    { 1, 2000 },
    { 2, 4000 },
    { 3, 8000 },
    { 4, 16000 },
    { 10, 1024000 },
    { 11, 2048000 },
    { 12, 3600000 },   /* 4096000 is past the cap */
    { 13, 3600000 },
    { 100, 3600000 },
    { G_MAXUINT, 3600000 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (cn_backoff_ceiling_ms (cases[i].attempt, BASE, CAP), ==, cases[i].ceiling);

  /* A base above the cap is cut to it from the first retry. */
  g_assert_cmpint (cn_backoff_ceiling_ms (1, 10000, 5000), ==, 5000);
  /* Nonsense parameters mean no wait, never a negative one. */
  g_assert_cmpint (cn_backoff_ceiling_ms (3, 0, CAP), ==, 0);
  g_assert_cmpint (cn_backoff_ceiling_ms (3, -5, CAP), ==, 0);
  g_assert_cmpint (cn_backoff_ceiling_ms (3, BASE, 0), ==, 0);
  g_assert_cmpint (cn_backoff_delay_ms (0, BASE, CAP, NULL), ==, 0);
  g_assert_cmpint (cn_backoff_delay_ms (5, -1, CAP, NULL), ==, 0);
  g_assert_cmpint (cn_backoff_delay_ms (5, BASE, -1, NULL), ==, 0);
}

/* Every attempt from 1 to 100 stays in [0, ceiling]; the ceiling doubles
 * until it reaches the cap and then stays there. */
static void
test_bounds_every_attempt (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261121);

  for (guint attempt = 1; attempt <= 100; attempt++)
    {
      gint64 ceiling = cn_backoff_ceiling_ms (attempt, BASE, CAP);
      gint64 largest = 0;

      g_assert_cmpint (ceiling, ==, expected_ceiling (attempt, BASE, CAP));
      g_assert_cmpint (ceiling, <=, CAP);
      if (attempt > 1)
        g_assert_cmpint (ceiling, >=, cn_backoff_ceiling_ms (attempt - 1, BASE, CAP));

      for (int i = 0; i < 500; i++)
        {
          gint64 delay = cn_backoff_delay_ms (attempt, BASE, CAP, rand);

          g_assert_cmpint (delay, >=, 0);
          g_assert_cmpint (delay, <=, ceiling);
          largest = MAX (largest, delay);
        }

      /* 500 draws all in the lower half: about 1 in 10^150. */
      g_assert_cmpint (largest, >, ceiling / 2);
    }

  /* The global generator (NULL) keeps the same bounds. */
  for (guint attempt = 1; attempt <= 100; attempt++)
    {
      gint64 delay = cn_backoff_delay_ms (attempt, BASE, CAP, NULL);

      g_assert_cmpint (delay, >=, 0);
      g_assert_cmpint (delay, <=, cn_backoff_ceiling_ms (attempt, BASE, CAP));
    }
}

/* The first retry of the sync worker comes within its 2 s base. */
static void
test_first_retry_soon (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (int i = 0; i < 1000; i++)
    g_assert_cmpint (cn_backoff_delay_ms (1, BASE, CAP, rand), <=, 2000);
}

/* Huge attempts and huge parameters never overflow into a negative or
 * out-of-range delay. */
static void
test_no_overflow (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (99);
  const guint attempts[] = { 1, 2, 62, 63, 64, 65, 100, 1000, G_MAXUINT - 1, G_MAXUINT };
  const gint64 bases[] = { 1, 1000, G_MAXINT64 / 4, G_MAXINT64 / 2, G_MAXINT64 };
  const gint64 caps[] = { 1, 3600000, G_MAXINT64 / 2 + 1, G_MAXINT64 };

  for (gsize a = 0; a < G_N_ELEMENTS (attempts); a++)
    for (gsize b = 0; b < G_N_ELEMENTS (bases); b++)
      for (gsize c = 0; c < G_N_ELEMENTS (caps); c++)
        {
          gint64 ceiling = cn_backoff_ceiling_ms (attempts[a], bases[b], caps[c]);

          g_assert_cmpint (ceiling, >, 0);
          g_assert_cmpint (ceiling, <=, caps[c]);
          g_assert_cmpint (ceiling, <=, MAX (bases[b], caps[c]));
          g_assert_cmpint (ceiling, ==, expected_ceiling (attempts[a], bases[b], caps[c]));

          for (int i = 0; i < 20; i++)
            {
              gint64 delay = cn_backoff_delay_ms (attempts[a], bases[b], caps[c], rand);

              g_assert_cmpint (delay, >=, 0);
              g_assert_cmpint (delay, <=, ceiling);
            }
        }

  /* From attempt 64 on, base 1 has long reached a cap of G_MAXINT64. */
  g_assert_cmpint (cn_backoff_ceiling_ms (64, 1, G_MAXINT64), ==, G_MAXINT64);
  g_assert_cmpint (cn_backoff_ceiling_ms (63, 1, G_MAXINT64), ==, G_GINT64_CONSTANT (1) << 62);
  g_assert_cmpint (cn_backoff_ceiling_ms (G_MAXUINT, 1, G_MAXINT64), ==, G_MAXINT64);
}

/* Full jitter: the draws spread evenly over [0, ceiling] (mean near half
 * the ceiling, every tenth of the range used about equally) instead of
 * clustering at the ceiling or at zero. */
static void
check_distribution (guint attempt)
{
  enum { DRAWS = 200000, BUCKETS = 10 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (4242 + attempt);
  gint64 ceiling = cn_backoff_ceiling_ms (attempt, BASE, CAP);
  guint buckets[BUCKETS] = { 0 };
  gint64 smallest = G_MAXINT64, largest = -1;
  double sum = 0, mean, expected_mean, sd_of_mean;

  for (int i = 0; i < DRAWS; i++)
    {
      gint64 delay = cn_backoff_delay_ms (attempt, BASE, CAP, rand);
      int bucket = (int) MIN ((double) delay / (double) (ceiling + 1) * BUCKETS, BUCKETS - 1);

      sum += (double) delay;
      smallest = MIN (smallest, delay);
      largest = MAX (largest, delay);
      buckets[bucket]++;
    }

  mean = sum / DRAWS;
  expected_mean = ceiling / 2.0;
  /* A uniform variable on [0, c] has standard deviation c / sqrt (12). */
  sd_of_mean = ceiling / sqrt (12.0) / sqrt ((double) DRAWS);

  if (g_test_verbose ())
    g_test_message ("attempt %u: ceiling %" G_GINT64_FORMAT " mean %.1f min %" G_GINT64_FORMAT
                    " max %" G_GINT64_FORMAT, attempt, ceiling, mean, smallest, largest);

  /* Five standard deviations: a correct generator fails about once in 10^6
   * runs; a degenerate one (always the ceiling, always 0, half the range)
   * fails every time. */
  g_assert_cmpfloat (fabs (mean - expected_mean), <, 5 * sd_of_mean);
  g_assert_cmpint (smallest, <, ceiling / 100);
  g_assert_cmpint (largest, >, ceiling - ceiling / 100);

  for (int b = 0; b < BUCKETS; b++)
    {
      double expected = (double) DRAWS / BUCKETS;

      g_assert_cmpfloat (fabs (buckets[b] - expected), <, 0.05 * expected);
    }
}

static void
test_distribution (void)
{
  check_distribution (1);    /* [0, 2 s] */
  check_distribution (5);    /* [0, 32 s] */
  check_distribution (30);   /* capped: [0, 1 h] */
}

/* Same seed, same delays: tests of the worker can rely on a seeded GRand. */
static void
test_seeded_is_repeatable (void)
{
  g_autoptr(GRand) a = g_rand_new_with_seed (12345);
  g_autoptr(GRand) b = g_rand_new_with_seed (12345);
  gboolean any_different_attempts = FALSE;
  gint64 first = -1;

  for (guint attempt = 1; attempt <= 40; attempt++)
    {
      gint64 da = cn_backoff_delay_ms (attempt, BASE, CAP, a);
      gint64 db = cn_backoff_delay_ms (attempt, BASE, CAP, b);

      g_assert_cmpint (da, ==, db);
      if (first < 0)
        first = da;
      else if (da != first)
        any_different_attempts = TRUE;
    }

  g_assert_true (any_different_attempts);
}

/* ---- Retry-After ---------------------------------------------------------- */

/* Wed, 21 Oct 2015 07:28:00 GMT */
#define OCT_21_2015 G_GINT64_CONSTANT (1445412480)

static void
test_retry_after_seconds (void)
{
  struct {
    const char *value;
    gint64      seconds;
  } cases[] = {
    { "120", 120 },
    { "0", 0 },
    { "1", 1 },
    { "007", 7 },
    { " 30 ", 30 },
    { "\t45", 45 },
    { "86400", 86400 },
    { "86401", 86400 },
    { "3600000", 86400 },
    { "99999999999999999999999999999999", 86400 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("Retry-After: %s", cases[i].value);
      g_assert_cmpint (cn_backoff_parse_retry_after (cases[i].value, OCT_21_2015), ==,
                       cases[i].seconds);
    }
}

static void
test_retry_after_date (void)
{
  const char *date = "Wed, 21 Oct 2015 07:28:00 GMT";

  g_assert_cmpint (cn_backoff_parse_retry_after (date, OCT_21_2015 - 90), ==, 90);
  g_assert_cmpint (cn_backoff_parse_retry_after (date, OCT_21_2015 - 1), ==, 1);
  /* Now or past: no wait. */
  g_assert_cmpint (cn_backoff_parse_retry_after (date, OCT_21_2015), ==, 0);
  g_assert_cmpint (cn_backoff_parse_retry_after (date, OCT_21_2015 + 3600), ==, 0);
  /* Days ahead: one day at most. */
  g_assert_cmpint (cn_backoff_parse_retry_after (date, OCT_21_2015 - 86400), ==, 86400);
  g_assert_cmpint (cn_backoff_parse_retry_after (date, OCT_21_2015 - 86400 * 30), ==, 86400);
  /* A clock far off in either direction does not overflow. */
  g_assert_cmpint (cn_backoff_parse_retry_after (date, G_MININT64), ==, 86400);
  g_assert_cmpint (cn_backoff_parse_retry_after (date, G_MAXINT64), ==, 0);

  /* Spaces around the value; month and day names in any case. */
  g_assert_cmpint (cn_backoff_parse_retry_after ("  Wed, 21 Oct 2015 07:28:00 GMT ",
                                                 OCT_21_2015 - 60), ==, 60);
  g_assert_cmpint (cn_backoff_parse_retry_after ("wed, 21 OCT 2015 07:28:00 GMT",
                                                 OCT_21_2015 - 60), ==, 60);
  /* The day name is not checked against the date (Thursday here). */
  g_assert_cmpint (cn_backoff_parse_retry_after ("Thu, 21 Oct 2015 07:28:00 GMT",
                                                 OCT_21_2015 - 60), ==, 60);

  /* Thu, 31 Dec 2015 23:59:59 GMT = 1451606399; the leap second is the
   * second after it. */
  g_assert_cmpint (cn_backoff_parse_retry_after ("Thu, 31 Dec 2015 23:59:59 GMT",
                                                 G_GINT64_CONSTANT (1451606399) - 10), ==, 10);
  g_assert_cmpint (cn_backoff_parse_retry_after ("Thu, 31 Dec 2015 23:59:60 GMT",
                                                 G_GINT64_CONSTANT (1451606399) - 10), ==, 11);
  /* 29 February in a leap year. */
  g_assert_cmpint (cn_backoff_parse_retry_after ("Mon, 29 Feb 2016 00:00:00 GMT",
                                                 G_GINT64_CONSTANT (1456704000) - 5), ==, 5);
}

static void
test_retry_after_invalid (void)
{
  const char *cases[] = {
    "",
    "   ",
    "-5",
    "+5",
    "1.5",
    "12a",
    "0x10",
    "1 2",
    "soon",
    /* Dates that are not IMF-fixdate, or not real. */
    "Wed, 21 Oct 2015 07:28:00 UTC",
    "Wed, 21 Oct 2015 07:28:00",
    "Wed, 21 Oct 2015 07:28:00 GMT extra",
    "Wed 21 Oct 2015 07:28:00 GMT",
    "Wed, 21 October 2015 07:28:00 GMT",
    "Wed, 1 Oct 2015 07:28:00 GMT",
    "Wed, 21 Oct 15 07:28:00 GMT",
    "Wed, 31 Feb 2015 07:28:00 GMT",
    "Sun, 29 Feb 2015 07:28:00 GMT",
    "Wed, 21 Oct 2015 24:00:00 GMT",
    "Wed, 21 Oct 2015 07:60:00 GMT",
    "Wed, 21 Oct 2015 07:28:61 GMT",
    "Wed, 00 Oct 2015 07:28:00 GMT",
    "Wed, 21 Oct 0000 07:28:00 GMT",
    "Xyz, 21 Oct 2015 07:28:00 GMT",
    "Wed, 21 Foo 2015 07:28:00 GMT",
    "Wednesday, 21-Oct-15 07:28:00 GMT",    /* obsolete RFC 850 form */
    "Wed Oct 21 07:28:00 2015",             /* obsolete asctime form */
    "2015-10-21T07:28:00Z",
  };
  g_autofree char *huge = g_strnfill (100000, '1');

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("Retry-After: [%s]", cases[i]);
      g_assert_cmpint (cn_backoff_parse_retry_after (cases[i], OCT_21_2015), ==, -1);
    }

  g_assert_cmpint (cn_backoff_parse_retry_after (NULL, OCT_21_2015), ==, -1);
  /* Input without bound is refused before it is read through. */
  g_assert_cmpint (cn_backoff_parse_retry_after (huge, OCT_21_2015), ==, -1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/backoff/ceiling-values", test_ceiling_values);
  g_test_add_func ("/backoff/bounds-every-attempt", test_bounds_every_attempt);
  g_test_add_func ("/backoff/first-retry-soon", test_first_retry_soon);
  g_test_add_func ("/backoff/no-overflow", test_no_overflow);
  g_test_add_func ("/backoff/distribution", test_distribution);
  g_test_add_func ("/backoff/seeded-is-repeatable", test_seeded_is_repeatable);
  g_test_add_func ("/backoff/retry-after/seconds", test_retry_after_seconds);
  g_test_add_func ("/backoff/retry-after/date", test_retry_after_date);
  g_test_add_func ("/backoff/retry-after/invalid", test_retry_after_invalid);

  return g_test_run ();
}
