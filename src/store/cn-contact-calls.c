/* cn-contact-calls.c: one contact's calls as kept on this computer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-contact-calls"

#include "config.h"

#include <string.h>

#include "cn-database-internal.h"

/* LOG_COLUMNS of call_logs aliased as c (call_fts has columns of the same
 * names, so they must be qualified in the join). */
#define CONTACT_LOG_COLUMNS \
  "c.id, c.uuid, c.contact_id, c.contact_name, c.phone, c.phone_raw, c.extension, " \
  "c.direction, c.outcome, c.duration_seconds, c.notes, c.follow_up_at, c.created_at, " \
  "c.updated_at, c.revision, c.deleted"

/* There is no plain index on call_logs.contact_id, but the FTS5 index holds
 * every non-deleted log's contact_id: a phrase query on that column finds
 * the few rows that can match without walking a million logs, and the exact
 * comparison then drops those whose contact_id only contains the words.
 * The phrase has words only when the id has a letter or digit (the
 * unicode61 tokenizer drops everything else); ids without any are walked in
 * list order instead. */
#define SQL_BY_FTS \
  "SELECT " CONTACT_LOG_COLUMNS " FROM call_fts" \
  " CROSS JOIN call_logs c ON c.id = call_fts.rowid" \
  " WHERE call_fts MATCH ?1 AND c.contact_id = ?2 AND c.deleted = 0" \
  " ORDER BY c.created_at DESC, c.id DESC LIMIT ?3"

#define SQL_BY_SCAN \
  "SELECT " CONTACT_LOG_COLUMNS " FROM call_logs c" \
  " WHERE c.deleted = 0 AND c.contact_id = ?2" \
  " ORDER BY c.created_at DESC, c.id DESC LIMIT ?3"

static gboolean
has_word_character (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (g_ascii_isalnum (*p))
      return TRUE;

  return FALSE;
}

/* contact_id : "…" with the quotes inside doubled, as FTS5 strings want. */
static char *
build_contact_match (const char *contact_id)
{
  GString *match = g_string_new ("contact_id : \"");

  for (const char *p = contact_id; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (match, '"');
      g_string_append_c (match, *p);
    }
  g_string_append_c (match, '"');

  return g_string_free (match, FALSE);
}

GPtrArray *
cn_database_list_calls_for_contact (CnDatabase  *self,
                                    const char  *contact_id,
                                    guint        limit,
                                    GError     **error)
{
  g_autoptr(GPtrArray) logs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *match = NULL;
  Connection *conn;
  sqlite3_stmt *stmt;
  gboolean by_fts;
  int rc;

  g_return_val_if_fail (CN_IS_DATABASE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Nothing can match an id that could not have been stored. */
  if (contact_id == NULL || *contact_id == '\0' || limit == 0
      || strlen (contact_id) > CN_CALL_LOG_MAX_FIELD
      || !g_utf8_validate (contact_id, -1, NULL))
    return g_steal_pointer (&logs);

  by_fts = has_word_character (contact_id);
  if (by_fts)
    match = build_contact_match (contact_id);

  conn = &self->reader;
  locker = g_mutex_locker_new (&conn->mutex);
  stmt = cn_db_get_statement (conn, by_fts ? SQL_BY_FTS : SQL_BY_SCAN, OP_READ, error);
  if (stmt == NULL)
    return NULL;

  if (by_fts)
    cn_db_bind_text (stmt, 1, match);
  cn_db_bind_text (stmt, 2, contact_id);
  sqlite3_bind_int64 (stmt, 3, limit);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (logs, cn_db_log_from_row (stmt, NULL));

  if (rc != SQLITE_DONE)
    {
      cn_db_set_sqlite_error (error, conn->db, rc, OP_READ, self->path);
      cn_db_finish_statement (stmt);
      return NULL;
    }

  cn_db_finish_statement (stmt);
  return g_steal_pointer (&logs);
}
