/* cn-database-private.h: store-internal and test-only parts of CnDatabase
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "cn-database.h"

G_BEGIN_DECLS

/* Where a row sits in the list order (created_at DESC, id DESC). */
typedef struct {
  gint64 created_at;
  gint64 id;
} CnRowKey;

/* Like cn_database_open() but migrates only up to @version (0 leaves a new
 * file empty), so tests can build a database as an older Callnotes left it.
 * With @read_only the file is opened read-only, which open reports as
 * CN_DATABASE_ERROR_READ_ONLY (tests use it where root ignores file modes). */
CnDatabase *cn_database_open_full       (const char  *path,
                                         guint        version,
                                         gboolean     read_only,
                                         GError     **error);
#define cn_database_open_at_version(path, version, error) \
  cn_database_open_full ((path), (version), FALSE, (error))

/* A search that matches at most @n_rows rows is sorted rather than walked
 * in list order (default 4000); tests make it small to reach the other plans
 * with few rows. */
void        cn_database_set_sort_matches_max (CnDatabase *self,
                                              guint       n_rows);

/* The raw handle of the connection that writes, for tests (PRAGMA
 * max_page_count, direct inserts). Not serialised: only for single-threaded
 * tests. */
sqlite3    *cn_database_get_handle      (CnDatabase  *self);
/* The raw handle of the read-only connection that every read goes through,
 * for tests (is a read transaction left open?). Same caveat. */
sqlite3    *cn_database_get_read_handle (CnDatabase  *self);

/* How many rows a query matched at one moment, and for a search which. */
typedef struct {
  guint    count;       /* rows matching the query, up to a cap */
  gboolean exact;       /* FALSE: at least @count rows match */
  gint64   generation;  /* changes on every edit or removal of a log */
  gint64   last_id;     /* the highest log id; logs added later get higher ones */
  GArray  *match_ids;   /* a search: the ids of the @count highest matching rows
                         * (gint64, highest first; all of them when @exact) */
} CnListCount;

void        cn_list_count_clear         (CnListCount        *counted);

/* One page of @query in list order, for CnCallLogModel.
 *  - @after: only rows after that key (@offset then counts from there);
 *  - @before: the @limit rows just in front of that key (@offset must be 0);
 *  - neither: rows @offset .. @offset + @limit.
 * @known is what a probe counted for @query (it picks the plan, and a
 * search's pages are read from its ids while the logs are unchanged), or
 * NULL. @keys_out (optional) gets a GArray of CnRowKey, one per returned log. */
GPtrArray  *cn_database_query_page      (CnDatabase         *self,
                                         const CnCallQuery  *query,
                                         const CnRowKey     *after,
                                         const CnRowKey     *before,
                                         guint               offset,
                                         guint               limit,
                                         const CnListCount  *known,
                                         GArray            **keys_out,
                                         GError            **error);

/* What CnCallLogModel needs to (re)load: all read in one snapshot. */
typedef struct {
  CnListCount  counted;
  guint        n_added;         /* matching rows with an id above @known's last_id
                                 * (when @old_top was given; G_MAXUINT: too many to
                                 * tell) */
  guint        n_added_on_top;  /* of those, the ones in front of @old_top */
  GPtrArray   *first_page;      /* the first @first_rows rows (CnCallLog), when asked */
  GArray      *first_keys;      /* and their CnRowKey */
  gboolean     unchanged;       /* @known still holds; nothing else was read */
} CnListProbe;

/* Counts @query and reads its first @first_rows rows (0: none). A search is
 * counted only up to @count_cap rows (or a little further; G_MAXUINT: all):
 * the history shows a few hundred rows, and counting the 765 000 matches of
 * "a" in a million logs costs more than showing them. Lists without a search
 * are always counted exactly (from counters, O(1)).
 * @known (may be NULL) is what an earlier probe of the same query counted.
 * When no log was added, edited or removed since (same generation and last
 * id) and @known counted as far as @count_cap asks, nothing more is read:
 * @probe->unchanged is set and the rest of @probe stays empty. Writes that
 * leave the logs alone (drafts) thus cost a reload next to nothing.
 * Otherwise, with @old_top (the first row at that probe; needs @known) it
 * also counts the rows added since. Free with cn_list_probe_clear(). */
gboolean    cn_database_probe_list      (CnDatabase         *self,
                                         const CnCallQuery  *query,
                                         guint               count_cap,
                                         const CnListCount  *known,
                                         const CnRowKey     *old_top,
                                         guint               first_rows,
                                         CnListProbe        *probe,
                                         GError            **error);
void        cn_list_probe_clear         (CnListProbe        *probe);

/* The FTS5 expression for what a person typed, or NULL when it holds no
 * searchable word. Exposed for tests. */
char       *cn_database_build_match     (const char         *search);

G_END_DECLS
