/* cn-csv.h: a streaming RFC 4180 reader and writer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CN_CSV_ERROR (cn_csv_error_quark ())

typedef enum {
  CN_CSV_ERROR_UNTERMINATED,   /* a quoted field runs to the end of the file (fatal) */
  CN_CSV_ERROR_BAD_QUOTE,      /* text after a closing quote (the record is skipped) */
  CN_CSV_ERROR_ENCODING,       /* a field is not valid UTF-8 (the record is skipped) */
  CN_CSV_ERROR_TOO_LARGE,      /* a field or the field count is over the limit (skipped) */
} CnCsvError;

GQuark cn_csv_error_quark (void);

/* Limits on what one record may hold. */
#define CN_CSV_MAX_FIELD_BYTES (64 * 1024)
#define CN_CSV_MAX_FIELDS      256

typedef struct _CnCsvReader CnCsvReader;

/* Reads records from @stream (a reference is taken). A UTF-8 byte order
 * mark at the start is skipped. Records end at LF, CRLF or a lone CR;
 * quoted fields may hold "" (one quote) and any line ends, kept as written.
 * Blank lines are skipped. */
CnCsvReader *cn_csv_reader_new       (GInputStream  *stream);
void         cn_csv_reader_free      (CnCsvReader   *reader);
/* The next record: TRUE with *@fields (a NULL-terminated array, free with
 * g_strfreev) and *@line (the physical line, from 1, where it starts).
 * FALSE at the end (no @error), or with @error set. CN_CSV_ERROR_BAD_QUOTE,
 * _ENCODING and _TOO_LARGE are about this record only (*@line says which):
 * the next call reads on. Any other error ends the file. */
gboolean     cn_csv_reader_next      (CnCsvReader   *reader,
                                      char        ***fields,
                                      guint         *line,
                                      GCancellable  *cancellable,
                                      GError       **error);

/* Appends @field to @out as one CSV field, quoted when it holds a comma, a
 * quote, CR or LF or begins or ends with a space or tab (NULL is written as
 * an empty field). Put a ',' between fields yourself, or use
 * cn_csv_append_record(). */
void         cn_csv_append_field     (GString       *out,
                                      const char    *field);
/* Appends the @n_fields fields and the record end (CRLF, as RFC 4180 says).
 * No byte order mark is ever written. */
void         cn_csv_append_record    (GString       *out,
                                      const char * const *fields,
                                      guint          n_fields);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnCsvReader, cn_csv_reader_free)

G_END_DECLS
