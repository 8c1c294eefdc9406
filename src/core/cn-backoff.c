/* cn-backoff.c: when to try again after a transient failure
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-backoff"

#include "config.h"

#include <string.h>

#include "cn-backoff.h"

/* A Retry-After value longer than this is not one (an IMF-fixdate has 29
 * characters); it is rejected before parsing. */
#define RETRY_AFTER_MAX_LENGTH 128

gint64
cn_backoff_ceiling_ms (guint  attempt,
                       gint64 base_ms,
                       gint64 cap_ms)
{
  gint64 ceiling;

  if (attempt == 0 || base_ms <= 0 || cap_ms <= 0)
    return 0;

  /* Double until the cap is reached; the loop runs at most 63 times and the
   * comparison before each doubling keeps it far from overflow. */
  ceiling = MIN (base_ms, cap_ms);
  for (guint i = 1; i < attempt && ceiling < cap_ms; i++)
    ceiling = ceiling > cap_ms / 2 ? cap_ms : ceiling * 2;

  return ceiling;
}

static guint64
random_u64 (GRand *rand)
{
  guint64 high = rand != NULL ? g_rand_int (rand) : g_random_int ();
  guint64 low = rand != NULL ? g_rand_int (rand) : g_random_int ();

  return (high << 32) | low;
}

/* Uniform in [0, @n) for @n > 0, without the bias of a plain modulo: draws
 * below 2^64 mod @n are thrown away. */
static guint64
random_below (GRand   *rand,
              guint64  n)
{
  guint64 threshold = (0 - n) % n;
  guint64 r;

  g_assert (n > 0);

  do
    r = random_u64 (rand);
  while (r < threshold);

  return r % n;
}

gint64
cn_backoff_delay_ms (guint   attempt,
                     gint64  base_ms,
                     gint64  cap_ms,
                     GRand  *rand_or_null)
{
  gint64 ceiling = cn_backoff_ceiling_ms (attempt, base_ms, cap_ms);

  if (ceiling <= 0)
    return 0;

  /* ceiling <= G_MAXINT64, so ceiling + 1 fits in a guint64. */
  return (gint64) random_below (rand_or_null, (guint64) ceiling + 1);
}

/* ---- Retry-After ---------------------------------------------------------- */

static gboolean
read_fixed_digits (const char **p,
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
read_literal (const char **p,
              const char  *literal)
{
  gsize len = strlen (literal);

  if (strncmp (*p, literal, len) != 0)
    return FALSE;

  *p += len;
  return TRUE;
}

/* One of @names (each 3 letters), case-insensitively; its index + 1. */
static gboolean
read_name (const char         **p,
           const char * const  *names,
           guint                n_names,
           int                 *index)
{
  for (guint i = 0; i < n_names; i++)
    {
      if (g_ascii_strncasecmp (*p, names[i], 3) == 0)
        {
          *p += 3;
          *index = (int) i + 1;
          return TRUE;
        }
    }

  return FALSE;
}

/* IMF-fixdate (RFC 9110, 5.6.7): "Sun, 06 Nov 1994 08:49:37 GMT". The day
 * name must be one, but it is not checked against the date: the date is what
 * counts. */
static gboolean
parse_imf_fixdate (const char *text,
                   gint64     *unix_seconds)
{
  static const char * const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char * const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  g_autoptr(GDateTime) dt = NULL;
  const char *p = text;
  int weekday, day, month, year, hour, minute, second;

  if (!read_name (&p, days, G_N_ELEMENTS (days), &weekday) ||
      !read_literal (&p, ", ") ||
      !read_fixed_digits (&p, 2, &day) || !read_literal (&p, " ") ||
      !read_name (&p, months, G_N_ELEMENTS (months), &month) || !read_literal (&p, " ") ||
      !read_fixed_digits (&p, 4, &year) || !read_literal (&p, " ") ||
      !read_fixed_digits (&p, 2, &hour) || !read_literal (&p, ":") ||
      !read_fixed_digits (&p, 2, &minute) || !read_literal (&p, ":") ||
      !read_fixed_digits (&p, 2, &second) || !read_literal (&p, " GMT") ||
      *p != '\0')
    return FALSE;

  /* A leap second (:60) is allowed by the grammar; it is the next second. */
  if (hour > 23 || minute > 59 || second > 60)
    return FALSE;

  /* NULL for an impossible date (31 Feb) or year 0000. */
  dt = g_date_time_new_utc (year, month, day, hour, minute, MIN (second, 59));
  if (dt == NULL)
    return FALSE;

  *unix_seconds = g_date_time_to_unix (dt) + (second == 60 ? 1 : 0);
  return TRUE;
}

/* 1*DIGIT; a number too large for a day saturates at the maximum. */
static gboolean
parse_delta_seconds (const char *text,
                     gint64     *seconds)
{
  gint64 value = 0;

  if (*text == '\0')
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
      if (value <= CN_RETRY_AFTER_MAX_SECONDS)
        value = value * 10 + (*p - '0');
    }

  *seconds = MIN (value, CN_RETRY_AFTER_MAX_SECONDS);
  return TRUE;
}

gint64
cn_backoff_parse_retry_after (const char *value,
                              gint64      now_unix)
{
  g_autofree char *text = NULL;
  gint64 seconds, when;

  if (value == NULL || strnlen (value, RETRY_AFTER_MAX_LENGTH + 1) > RETRY_AFTER_MAX_LENGTH)
    return -1;

  /* Optional whitespace around a header value (spaces and tabs). */
  text = g_strdup (value);
  g_strstrip (text);

  if (parse_delta_seconds (text, &seconds))
    return seconds;

  if (!parse_imf_fixdate (text, &when))
    return -1;

  if (when <= now_unix)
    return 0;
  /* when - now could overflow for a now far in the past; compare first. */
  if (now_unix < when - CN_RETRY_AFTER_MAX_SECONDS)
    return CN_RETRY_AFTER_MAX_SECONDS;

  return when - now_unix;
}
