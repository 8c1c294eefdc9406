/* cn-transfer.c: export and import of call logs (the store's part)
 *
 * Export reads through a read-only connection of its own, in one snapshot,
 * stepping one statement: memory stays flat however many logs there are,
 * and the app's reader is not held while a file is written. Import writes
 * everything in one transaction on the writer, like a save.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-transfer"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cn-database-internal.h"
#include "cn-transfer.h"

#define EXPORT_BUSY_TIMEOUT_MS 5000
/* Cancellation is looked at every this many rows. */
#define CANCEL_CHECK_ROWS      256

/* ---- export ------------------------------------------------------------- */

static gboolean
read_events (sqlite3      *db,
             sqlite3_stmt *stmt,
             gint64        call_id,
             GPtrArray    *events,
             const char   *path,
             GError      **error)
{
  int rc;

  sqlite3_reset (stmt);
  sqlite3_bind_int64 (stmt, 1, call_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (events, cn_call_event_new (cn_db_column_text (stmt, 0) != NULL
                                                ? cn_db_column_text (stmt, 0) : "",
                                                sqlite3_column_int64 (stmt, 1),
                                                cn_db_column_text (stmt, 2)));
  if (rc != SQLITE_DONE)
    {
      cn_db_set_sqlite_error (error, db, rc, OP_READ, path);
      return FALSE;
    }
  return TRUE;
}

gboolean
cn_database_export_calls (CnDatabase         *self,
                          const CnCallQuery  *query,
                          gint64              since,
                          gboolean            with_events,
                          CnExportFunc        func,
                          gpointer            user_data,
                          GCancellable       *cancellable,
                          guint64            *n_exported,
                          GError            **error)
{
  g_autoptr(GString) sql = g_string_new ("SELECT " LOG_COLUMNS " FROM call_logs WHERE deleted = 0");
  g_autofree char *match = NULL;
  CnOutcome outcome = CN_OUTCOME_NONE;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  sqlite3_stmt *events_stmt = NULL;
  guint64 n = 0;
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (CN_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (query != NULL)
    {
      match = cn_database_build_match (query->search);
      outcome = query->outcome;
    }

  if (outcome != CN_OUTCOME_NONE)
    g_string_append (sql, " AND outcome = :outcome");
  if (since > 0)
    g_string_append (sql, " AND created_at >= :since");
  if (match != NULL)
    g_string_append (sql, " AND id IN (SELECT rowid FROM call_fts WHERE call_fts MATCH :match)");
  g_string_append (sql, " ORDER BY created_at, id");

  rc = sqlite3_open_v2 (self->path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      cn_db_set_sqlite_error (error, db, rc, OP_READ, self->path);
      goto out;
    }
  sqlite3_busy_timeout (db, EXPORT_BUSY_TIMEOUT_MS);

  /* One snapshot for the logs and their events. */
  rc = sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2 (db, sql->str, -1, &stmt, NULL);
  if (rc == SQLITE_OK && with_events)
    rc = sqlite3_prepare_v2 (db, "SELECT kind, at, detail FROM call_events WHERE call_id = ?1"
                             " ORDER BY at, seq", -1, &events_stmt, NULL);
  if (rc != SQLITE_OK)
    {
      cn_db_set_sqlite_error (error, db, rc, OP_READ, self->path);
      goto out;
    }

  if (outcome != CN_OUTCOME_NONE)
    cn_db_bind_named_text (stmt, ":outcome", cn_outcome_to_string (outcome));
  if (since > 0)
    cn_db_bind_named_int64 (stmt, ":since", since);
  if (match != NULL)
    cn_db_bind_named_text (stmt, ":match", match);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(CnCallLog) log = cn_db_log_from_row (stmt, NULL);
      g_autoptr(GPtrArray) events = NULL;

      if (n % CANCEL_CHECK_ROWS == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;

      if (with_events)
        {
          events = g_ptr_array_new_with_free_func ((GDestroyNotify) cn_call_event_free);
          if (!read_events (db, events_stmt, sqlite3_column_int64 (stmt, 0), events, self->path,
                            error))
            goto out;
        }

      if (!func (log, events, user_data, error))
        goto out;
      n++;
    }

  if (rc != SQLITE_DONE)
    {
      cn_db_set_sqlite_error (error, db, rc, OP_READ, self->path);
      goto out;
    }

  ok = TRUE;

out:
  sqlite3_finalize (stmt);
  sqlite3_finalize (events_stmt);
  if (db != NULL)
    {
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      sqlite3_close (db);
    }
  if (n_exported != NULL)
    *n_exported = n;
  return ok;
}

/* ---- import ------------------------------------------------------------- */

void
cn_import_report_init (CnImportReport *report)
{
  g_return_if_fail (report != NULL);

  memset (report, 0, sizeof *report);
  report->problems = g_array_new (FALSE, TRUE, sizeof (CnImportProblem));
}

void
cn_import_report_clear (CnImportReport *report)
{
  if (report == NULL || report->problems == NULL)
    return;

  for (guint i = 0; i < report->problems->len; i++)
    g_free (g_array_index (report->problems, CnImportProblem, i).message);
  g_clear_pointer (&report->problems, g_array_unref);
}

static void
add_problem (CnImportReport *report,
             guint           line,
             const char     *message)
{
  report->n_bad++;
  if (report->problems->len < CN_IMPORT_MAX_PROBLEMS)
    {
      CnImportProblem problem = { line, g_strdup (message) };
      g_array_append_val (report->problems, problem);
    }
}

static void
import_row_clear (CnImportRow *row)
{
  g_clear_object (&row->log);
  g_clear_pointer (&row->problem, g_free);
  row->had_uuid = FALSE;
  row->line = 0;
}

/* A row without a time cannot be matched by phone, time and outcome: it
 * gets a UUID made from what it says instead (a SHA-256 of its fields and
 * how many identical rows came before it in the file, laid out as an
 * RFC 9562 version 8 UUID), so importing the same file again finds it by
 * UUID. Two identical rows stay two calls. */
static void
set_content_uuid (CnCallLog  *log,
                  GHashTable *seen)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GString) fields = g_string_new ("callnotes-import-v1");
  const char * const texts[] = {
    cn_call_log_get_contact_id (log), cn_call_log_get_contact_name (log),
    cn_call_log_get_phone (log), cn_call_log_get_phone_raw (log),
    cn_call_log_get_extension (log), cn_call_log_get_direction (log),
    cn_outcome_to_string (cn_call_log_get_outcome (log)), cn_call_log_get_notes (log),
  };
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  g_autofree char *uuid = NULL;
  guint occurrence;

  /* Each field with its length, so no two rows can run together. */
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    if (texts[i] == NULL)
      g_string_append (fields, "|-");
    else
      g_string_append_printf (fields, "|%zu:%s", strlen (texts[i]), texts[i]);
  g_string_append_printf (fields, "|%" G_GINT64_FORMAT "|%" G_GINT64_FORMAT,
                          cn_call_log_get_duration (log), cn_call_log_get_follow_up (log));

  occurrence = GPOINTER_TO_UINT (g_hash_table_lookup (seen, fields->str));
  g_hash_table_replace (seen, g_strdup (fields->str), GUINT_TO_POINTER (occurrence + 1));
  g_string_append_printf (fields, "|#%u", occurrence);

  g_checksum_update (checksum, (const guchar *) fields->str, fields->len);
  g_checksum_get_digest (checksum, digest, &digest_len);
  digest[6] = (digest[6] & 0x0f) | 0x80;      /* version 8 */
  digest[8] = (digest[8] & 0x3f) | 0x80;      /* variant 10 */
  uuid = g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                          "%02x%02x%02x%02x%02x%02x",
                          digest[0], digest[1], digest[2], digest[3], digest[4], digest[5],
                          digest[6], digest[7], digest[8], digest[9], digest[10], digest[11],
                          digest[12], digest[13], digest[14], digest[15]);
  cn_call_log_set_uuid (log, uuid);
}

/* Whether @log is already in the database (or earlier in this file). */
static gboolean
is_duplicate_locked (Connection   *conn,
                     CnCallLog    *log,
                     gboolean      had_uuid,
                     gboolean     *duplicate,
                     GError      **error)
{
  sqlite3_stmt *stmt;
  gint64 found = 0;

  if (had_uuid)
    {
      stmt = cn_db_get_statement (conn, "SELECT count(*) FROM call_logs WHERE uuid = ?1",
                                  OP_CHANGE, error);
      if (stmt == NULL)
        return FALSE;
      cn_db_bind_text (stmt, 1, cn_call_log_get_uuid (log));
    }
  else
    {
      /* "deleted IN (0, 1)" lets the (deleted, created_at, id) index find
       * the time. */
      stmt = cn_db_get_statement (conn, "SELECT count(*) FROM (SELECT 1 FROM call_logs"
                                  " WHERE deleted IN (0, 1) AND created_at = ?1"
                                  " AND phone IS ?2 AND outcome = ?3 AND contact_id IS ?4"
                                  " LIMIT 1)",
                                  OP_CHANGE, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, cn_call_log_get_created_at (log));
      cn_db_bind_text (stmt, 2, cn_call_log_get_phone (log));
      cn_db_bind_text (stmt, 3, cn_outcome_to_string (cn_call_log_get_outcome (log)));
      cn_db_bind_text (stmt, 4, cn_call_log_get_phone (log) == NULL
                                ? cn_call_log_get_contact_id (log) : NULL);
    }

  if (!cn_db_query_int (conn, stmt, OP_CHANGE, &found, error))
    return FALSE;

  *duplicate = found > 0;
  return TRUE;
}

static gboolean
import_locked (CnDatabase        *self,
               CnImportNextFunc   next,
               gpointer           user_data,
               const char        *source,
               CnSyncTarget       targets,
               CnImportReport    *report,
               GCancellable      *cancellable,
               GError           **error)
{
  Connection *conn = &self->writer;
  CnImportRow row = { NULL, };
  gint64 now = cn_db_now_seconds ();
  guint64 n_rows = 0;
  gboolean ok = FALSE;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (;;)
    {
      g_autoptr(GError) row_error = NULL;
      gboolean duplicate = FALSE;
      gint64 call_id = 0;

      import_row_clear (&row);
      if (n_rows++ % CANCEL_CHECK_ROWS == 0 &&
          g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;

      if (!next (user_data, &row, error))
        {
          ok = error == NULL || *error == NULL;
          goto out;
        }

      if (row.log == NULL)
        {
          add_problem (report, row.line, row.problem != NULL ? row.problem : _("invalid row"));
          continue;
        }

      /* The checks every save makes. */
      if (!cn_call_log_validate (row.log, &row_error))
        {
          add_problem (report, row.line, row_error->message);
          continue;
        }

      if (cn_call_log_get_created_at (row.log) <= 0)
        {
          cn_call_log_set_created_at (row.log, now);
          if (!row.had_uuid)
            {
              set_content_uuid (row.log, seen);
              row.had_uuid = TRUE;
            }
        }

      if (!is_duplicate_locked (conn, row.log, row.had_uuid, &duplicate, error))
        goto out;
      if (duplicate)
        {
          report->n_duplicates++;
          continue;
        }

      if (!cn_db_insert_log_row (self, row.log, targets, &call_id, error) ||
          !cn_db_insert_event (conn, call_id, "imported", now, source, OP_CHANGE, error))
        goto out;
      report->n_imported++;
    }

out:
  import_row_clear (&row);
  return ok;
}

gboolean
cn_database_import_calls (CnDatabase        *self,
                          CnImportNextFunc   next,
                          gpointer           user_data,
                          const char        *source,
                          gboolean           sync,
                          gboolean           dry_run,
                          CnImportReport    *report,
                          GCancellable      *cancellable,
                          GError           **error)
{
  Connection *conn;
  CnSyncTarget targets;
  gboolean ok;

  g_return_val_if_fail (CN_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (next != NULL, FALSE);
  g_return_val_if_fail (report != NULL && report->problems != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  targets = sync ? cn_database_get_sync_targets (self) : 0;
  conn = &self->writer;

  {
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&conn->mutex);

    if (!cn_db_begin_write (conn, OP_CHANGE, error))
      return FALSE;

    ok = import_locked (self, next, user_data, source, targets, report, cancellable, error);
    if (ok && !dry_run)
      ok = cn_db_commit (conn, OP_CHANGE, error);
    if (!ok || dry_run)
      cn_db_rollback (conn);
  }

  if (!ok)
    {
      report->n_imported = 0;
      return FALSE;
    }

  /* Index (and queue) what was imported; the logs are safe already, so a
   * failure here is only said: the next save or start-up catches up. */
  if (!dry_run && report->n_imported > 0)
    {
      g_autoptr(GError) catch_up_error = NULL;

      if (!cn_database_catch_up (self, &catch_up_error))
        g_warning ("Indexing the imported logs failed: %s", catch_up_error->message);
    }

  return TRUE;
}

typedef struct {
  CnCsvReader            *reader;
  const CnCallCsvMapping *mapping;
  const char             *country_code;
  GCancellable           *cancellable;
  guint64                 n_rows;
} CsvSource;

static gboolean
on_csv_next (gpointer      user_data,
             CnImportRow  *row,
             GError      **error)
{
  CsvSource *csv = user_data;
  g_auto(GStrv) fields = NULL;
  g_autoptr(GError) local_error = NULL;
  guint line = 0;

  if (!cn_csv_reader_next (csv->reader, &fields, &line, csv->cancellable, &local_error))
    {
      if (local_error == NULL)
        return FALSE;
      if (local_error->domain == CN_CSV_ERROR && local_error->code != CN_CSV_ERROR_UNTERMINATED)
        {
          row->line = line;
          row->problem = g_strdup (local_error->message);
          return TRUE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (++csv->n_rows > CN_IMPORT_MAX_ROWS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("the file has more than %u rows; split it"), CN_IMPORT_MAX_ROWS);
      return FALSE;
    }

  row->line = line;
  row->log = cn_call_csv_row_to_log (csv->mapping, (const char * const *) fields,
                                     csv->country_code, NULL, &row->had_uuid, &local_error);
  if (row->log == NULL)
    row->problem = g_strdup (local_error->message);
  return TRUE;
}

gboolean
cn_database_import_csv (CnDatabase              *self,
                        CnCsvReader             *reader,
                        const CnCallCsvMapping  *mapping,
                        const char              *country_code,
                        const char              *source,
                        gboolean                 sync,
                        gboolean                 dry_run,
                        CnImportReport          *report,
                        GCancellable            *cancellable,
                        GError                 **error)
{
  CsvSource csv = { reader, mapping, country_code, cancellable, 0 };

  g_return_val_if_fail (reader != NULL && mapping != NULL, FALSE);

  return cn_database_import_calls (self, on_csv_next, &csv, source, sync, dry_run, report,
                                   cancellable, error);
}
