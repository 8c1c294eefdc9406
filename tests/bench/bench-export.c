/* bench-export.c: `callnotes export` over 100 000 and 1 000 000 logs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * bench-export [--rows N]…
 *
 * For each size (default 100 000 and 1 000 000) fills a database in
 * $TMPDIR/callnotes-bench-export-N/ with direct SQL (unless it is there
 * already), then runs the real `callnotes export --format csv|json` with its
 * output to /dev/null and prints the wall time and the child's peak RSS
 * (ru_maxrss). Flat memory: the RSS at 1 000 000 is about the RSS at
 * 100 000.
 */
#define G_LOG_DOMAIN "bench-export"

#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-fill.h"

static gboolean
generate (const char *path,
          guint       n_rows)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261121);
  static const char * const outcomes[] = { "connected", "voicemail", "no_answer", "busy" };
  static const char * const notes[] = {
    "Asked about \"pricing\", call back Monday",
    "left a message\nwith the assistant",
    "שלום عربى — spoke briefly 😀",
    "",
  };
  sqlite3_stmt *stmt;
  BenchFill fill;

  if (!bench_fill_begin (&fill, path,
                         "INSERT INTO call_logs (uuid, contact_name, phone, phone_raw,"
                         " direction, outcome, duration_seconds, notes, follow_up_at,"
                         " created_at, updated_at, revision, deleted) "
                         "VALUES (?1, ?2, ?3, ?4, 'outbound', ?5, ?6, ?7, ?8, ?9, ?9, 1, 0)"))
    return FALSE;
  stmt = fill.insert;

  for (guint i = 0; i < n_rows; i++)
    {
      g_autofree char *uuid = g_uuid_string_random ();
      g_autofree char *name = g_strdup_printf ("Contact, \"%u\"", g_rand_int_range (rand, 1, 99999));
      g_autofree char *phone = g_strdup_printf ("+1555%07u", g_rand_int_range (rand, 0, 9999999));
      const char *note = notes[g_rand_int_range (rand, 0, G_N_ELEMENTS (notes))];

      sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, phone, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, phone, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, outcomes[i % 4], -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 6, g_rand_int_range (rand, 0, 1800));
      if (*note != '\0')
        sqlite3_bind_text (stmt, 7, note, -1, SQLITE_STATIC);
      else
        sqlite3_bind_null (stmt, 7);
      if (i % 8 == 0)
        sqlite3_bind_int64 (stmt, 8, 1700000000 + (gint64) i * 60 + 86400);
      else
        sqlite3_bind_null (stmt, 8);
      sqlite3_bind_int64 (stmt, 9, 1600000000 + (gint64) i * 60);

      if (!bench_fill_row (&fill))
        return FALSE;
    }

  /* Indexed for search as saves are, so the export's open finds no tail. */
  return bench_fill_end (&fill, n_rows, TRUE);
}

/* Runs `callnotes export ARGS` into /dev/null: wall ms, peak RSS KiB. */
static gboolean
run_export (const char  *data_dir,
            const char  *format,
            const char  *search,
            double      *ms,
            long        *max_rss_kib)
{
  gint64 start = g_get_monotonic_time ();
  struct rusage usage;
  int status = 0;
  pid_t pid = fork ();

  if (pid == 0)
    {
      int null_fd = open ("/dev/null", O_WRONLY);

      dup2 (null_fd, STDOUT_FILENO);
      g_setenv ("CALLNOTES_DATA_DIR", data_dir, TRUE);
      g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
      if (search != NULL)
        execl (CN_BIN_PATH, CN_BIN_PATH, "export", "--format", format, "--search", search,
               (char *) NULL);
      else
        execl (CN_BIN_PATH, CN_BIN_PATH, "export", "--format", format, (char *) NULL);
      _exit (127);
    }

  if (pid < 0 || wait4 (pid, &status, 0, &usage) != pid)
    return FALSE;
  *ms = bench_elapsed_ms (start);
  *max_rss_kib = usage.ru_maxrss;
  return WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (guint));

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--rows") && i + 1 < argc)
        {
          guint n = (guint) strtoul (argv[++i], NULL, 10);
          g_array_append_val (sizes, n);
        }
      else
        {
          g_printerr ("Usage: bench-export [--rows N]…\n");
          return 2;
        }
    }
  if (sizes->len == 0)
    {
      guint defaults[] = { 100000, 1000000 };
      g_array_append_vals (sizes, defaults, 2);
    }

  g_print ("%10s  %-6s  %-8s  %10s  %12s  %14s\n", "logs", "format", "search", "seconds",
           "logs/s", "peak RSS MiB");
  for (guint s = 0; s < sizes->len; s++)
    {
      guint n = g_array_index (sizes, guint, s);
      g_autofree char *name = g_strdup_printf ("callnotes-bench-export-%u", n);
      g_autofree char *dir = g_build_filename (g_get_tmp_dir (), name, NULL);
      g_autofree char *path = g_build_filename (dir, "callnotes.db", NULL);
      struct { const char *format; const char *search; } runs[] = {
        { "csv", NULL }, { "json", NULL }, { "csv", "pricing" },
      };

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_mkdir_with_parents (dir, 0700);
          if (!generate (path, n))
            return 1;
        }

      for (guint r = 0; r < G_N_ELEMENTS (runs); r++)
        {
          double ms = 0;
          long rss = 0;

          if (!run_export (dir, runs[r].format, runs[r].search, &ms, &rss))
            {
              g_printerr ("export of %u logs failed\n", n);
              return 1;
            }
          g_print ("%10u  %-6s  %-8s  %10.2f  %12.0f  %14.1f\n", n, runs[r].format,
                   runs[r].search ? runs[r].search : "-", ms / 1000.0, n / (ms / 1000.0),
                   rss / 1024.0);
        }
    }

  return 0;
}
