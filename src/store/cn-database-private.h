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

/* The raw handle for tests (PRAGMA max_page_count, direct inserts). Not
 * serialised: only for single-threaded tests. */
sqlite3    *cn_database_get_handle      (CnDatabase  *self);

/* One page of @query in list order, for CnCallLogModel.
 *  - @after: only rows after that key (@offset then counts from there);
 *  - @before: the @limit rows just in front of that key (@offset must be 0);
 *  - neither: rows @offset .. @offset + @limit.
 * @count_hint is the number of rows @query matches when the caller knows it
 * (it picks the plan), else G_MAXUINT.
 * @keys_out (optional) gets a GArray of CnRowKey, one per returned log. */
GPtrArray  *cn_database_query_page      (CnDatabase         *self,
                                         const CnCallQuery  *query,
                                         const CnRowKey     *after,
                                         const CnRowKey     *before,
                                         guint               offset,
                                         guint               limit,
                                         guint               count_hint,
                                         GArray            **keys_out,
                                         GError            **error);

/* What CnCallLogModel needs to reload: all read in one snapshot. */
typedef struct {
  guint    count;             /* rows matching the query */
  gint64   generation;        /* changes on every edit or removal of a log */
  guint    n_before_old_top;  /* rows now in front of @old_top (when given) */
} CnListProbe;

gboolean    cn_database_probe_list      (CnDatabase         *self,
                                         const CnCallQuery  *query,
                                         const CnRowKey     *old_top,
                                         CnListProbe        *probe,
                                         GError            **error);

/* The FTS5 expression for what a person typed, or NULL when it holds no
 * searchable word. Exposed for tests. */
char       *cn_database_build_match     (const char         *search);

G_END_DECLS
