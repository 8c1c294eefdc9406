/* cn-transfer.h: export and import of call logs (the store's part)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cn-call-csv.h"
#include "cn-call-log.h"
#include "cn-csv.h"
#include "cn-database.h"

G_BEGIN_DECLS

/* Called once per exported log; @events (CnCallEvent, oldest first) only
 * when asked for. Return FALSE with @error to stop the export. */
typedef gboolean (*CnExportFunc) (CnCallLog  *log,
                                  GPtrArray  *events,
                                  gpointer    user_data,
                                  GError    **error);

/* Walks the logs that @query (NULL: all) matches and that were created at
 * or after @since (0: any time), oldest first, calling @func for each.
 * Reads through a connection of its own in one snapshot, row by row, so
 * memory stays flat on any number of logs and other readers are not held
 * up. Deleted logs are left out. *@n_exported (may be NULL) says how many
 * were passed to @func. */
gboolean    cn_database_export_calls   (CnDatabase         *self,
                                        const CnCallQuery  *query,
                                        gint64              since,
                                        gboolean            with_events,
                                        CnExportFunc        func,
                                        gpointer            user_data,
                                        GCancellable       *cancellable,
                                        guint64            *n_exported,
                                        GError            **error);

/* One row read from an import file. */
typedef struct {
  CnCallLog *log;        /* the row's log (set by the source), or NULL ... */
  char      *problem;    /* ... and why the row is skipped */
  gboolean   had_uuid;   /* the log's UUID came from the file */
  guint      line;       /* where the row starts in the file, from 1 */
} CnImportRow;

/* Fills @row (cleared before each call) with the next row: TRUE; FALSE at
 * the end (@error unset) or when the file cannot be read on (@error set). */
typedef gboolean (*CnImportNextFunc) (gpointer      user_data,
                                      CnImportRow  *row,
                                      GError      **error);

typedef struct {
  guint  line;
  char  *message;
} CnImportProblem;

/* At most this many problems are kept in a report; the rest are counted. */
#define CN_IMPORT_MAX_PROBLEMS 1000

typedef struct {
  guint64    n_imported;
  guint64    n_duplicates;
  guint64    n_bad;
  GArray    *problems;   /* CnImportProblem, in file order */
} CnImportReport;

void        cn_import_report_init      (CnImportReport     *report);
void        cn_import_report_clear     (CnImportReport     *report);

/* Imports the rows @next gives in ONE transaction. A row whose UUID (when
 * the file gave one) is already a log, or else whose phone, time and
 * outcome are those of a log, is a duplicate (rows earlier in the same file
 * count too). A row with neither UUID nor time gets a UUID made from its
 * fields (and how many identical rows came before it), so a second import
 * of the same file skips it; its time is the import's. Rows that fail the checks a save makes are reported with
 * their line and skipped. Each imported log gets an "imported" event
 * (detail: @source, may be NULL). Logs are queued for the sync targets only
 * when @sync; otherwise they are never sent unless edited. @dry_run does
 * everything but the commit. After the commit the logs are indexed for
 * search (and queued). FALSE with @error when the file or the database
 * fails: then nothing is imported. */
gboolean    cn_database_import_calls   (CnDatabase         *self,
                                        CnImportNextFunc    next,
                                        gpointer            user_data,
                                        const char         *source,
                                        gboolean            sync,
                                        gboolean            dry_run,
                                        CnImportReport     *report,
                                        GCancellable       *cancellable,
                                        GError            **error);

/* More rows than any call history holds: a bigger file is refused. */
#define CN_IMPORT_MAX_ROWS 5000000

/* cn_database_import_calls() over the rows @reader has left (its header
 * already read into @mapping), as CnImportRow: a record the reader cannot
 * take (bad quote, not UTF-8, too large) or that is not a valid call is
 * reported with its line. Numbers without a country code get
 * @country_code; dates without a zone are local. */
gboolean    cn_database_import_csv     (CnDatabase              *self,
                                        CnCsvReader             *reader,
                                        const CnCallCsvMapping  *mapping,
                                        const char              *country_code,
                                        const char              *source,
                                        gboolean                 sync,
                                        gboolean                 dry_run,
                                        CnImportReport          *report,
                                        GCancellable            *cancellable,
                                        GError                 **error);

G_END_DECLS
