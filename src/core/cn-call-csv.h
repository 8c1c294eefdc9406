/* cn-call-csv.h: call logs as CSV rows; our column set and the mapping of
 * another program's columns (used by export and import, CLI and window)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "cn-call-log.h"

G_BEGIN_DECLS

/* Our columns, in the order export writes them. Times are UTC ISO 8601
 * ("2026-11-21T10:00:00Z") like `callnotes show --json`. */
typedef enum {
  CN_CALL_COLUMN_UUID,
  CN_CALL_COLUMN_CONTACT_ID,
  CN_CALL_COLUMN_CONTACT_NAME,
  CN_CALL_COLUMN_PHONE,
  CN_CALL_COLUMN_PHONE_RAW,
  CN_CALL_COLUMN_EXTENSION,
  CN_CALL_COLUMN_DIRECTION,
  CN_CALL_COLUMN_OUTCOME,
  CN_CALL_COLUMN_DURATION,
  CN_CALL_COLUMN_NOTES,
  CN_CALL_COLUMN_FOLLOW_UP,
  CN_CALL_COLUMN_CREATED_AT,
  CN_CALL_COLUMN_UPDATED_AT,
  CN_CALL_N_COLUMNS
} CnCallColumn;

const char *cn_call_csv_column_name   (CnCallColumn column);
/* Appends our header row / one log as a CSV record (CRLF ends). */
void        cn_call_csv_append_header (GString      *out);
void        cn_call_csv_append_log    (GString      *out,
                                       CnCallLog    *log);

/* The fields a person maps for a file that is not ours. */
typedef enum {
  CN_CALL_FIELD_PHONE,
  CN_CALL_FIELD_OUTCOME,
  CN_CALL_FIELD_NOTES,
  CN_CALL_FIELD_CONTACT,
  CN_CALL_FIELD_CONTACT_ID,
  CN_CALL_FIELD_DATE,
  CN_CALL_FIELD_DURATION,
  CN_CALL_N_FIELDS
} CnCallField;

/* "phone", "outcome", "notes", "contact", "contact_id", "date", "duration". */
const char *cn_call_field_name        (CnCallField  field);
/* Translated, for the mapping page. */
const char *cn_call_field_label       (CnCallField  field);
gboolean    cn_call_field_from_name   (const char   *name,
                                       CnCallField  *field);

/* Where each of our columns is in a file: an index into its rows, or -1. */
typedef struct {
  int      index[CN_CALL_N_COLUMNS];
  guint    n_header;   /* how many columns the header has */
  gboolean ours;       /* the header is the one export writes */
} CnCallCsvMapping;

/* Reads a header row: our own (every column, by its exact name), else the
 * columns another program's header names, by their usual names (case and
 * spaces ignored: "Phone Number", "Disposition", "Called at", …). */
void        cn_call_csv_mapping_init  (CnCallCsvMapping   *mapping,
                                       const char * const *header);
/* The column for @field (-1: none). */
int         cn_call_csv_mapping_get   (const CnCallCsvMapping *mapping,
                                       CnCallField             field);
void        cn_call_csv_mapping_set   (CnCallCsvMapping   *mapping,
                                       CnCallField         field,
                                       int                 column);
/* Applies "field=Header,field=Header" (what `import --map` takes); FALSE
 * with a message naming the bad part. */
gboolean    cn_call_csv_mapping_parse (CnCallCsvMapping   *mapping,
                                       const char * const *header,
                                       const char         *text,
                                       GError            **error);
/* NULL when rows can be read with @mapping, else what is missing (a
 * sentence to show). */
char       *cn_call_csv_mapping_dup_missing (const CnCallCsvMapping *mapping);

/* A log from one row. A row of our own with a UUID keeps it (*@had_uuid
 * TRUE); otherwise the log gets a new UUID. Missing cells are empty. Times
 * without a zone ("2026-11-21 14:05") are local in @tz (NULL: local);
 * numbers become E.164 with @country_code where they can. NULL with a
 * message (no line number) when the row is not a valid call. */
CnCallLog  *cn_call_csv_row_to_log    (const CnCallCsvMapping *mapping,
                                       const char * const     *row,
                                       const char             *country_code,
                                       GTimeZone              *tz,
                                       gboolean               *had_uuid,
                                       GError                **error);

G_END_DECLS
