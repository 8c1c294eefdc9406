/* bench-util.h: what every benchmark measures with
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <stdlib.h>
#include <string.h>

static inline double
bench_elapsed_ms (gint64 since)
{
  return (g_get_monotonic_time () - since) / 1000.0;
}

static inline int
bench_compare_double (const void *a,
                      const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Sorts @values and returns the value at fraction @p (0.5: the median). */
static inline double
bench_percentile (double *values,
                  guint   n,
                  double  p)
{
  guint index = (guint) (p * (n - 1) + 0.5);

  qsort (values, n, sizeof (double), bench_compare_double);
  return values[MIN (index, n - 1)];
}

/* VmRSS of this process, or -1. */
static inline long
bench_rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;

  line = strstr (status, "VmRSS:");
  return line != NULL ? strtol (line + 6, NULL, 10) : -1;
}
