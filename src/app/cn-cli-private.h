/* cn-cli-private.h: helpers the command-line verbs share (cn-cli*.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "cn-database.h"
#include "cn-sync-config.h"

G_BEGIN_DECLS

/* One clear line "callnotes: …" on stderr; returns @code. */
int         cn_cli_fail             (int            code,
                                     const char    *format,
                                     ...) G_GNUC_PRINTF (2, 3);
/* Parses a verb's options; FALSE with *exit_code set on a usage error. */
gboolean    cn_cli_parse_options    (const char    *verb,
                                     const char    *parameter_string,
                                     const char    *summary,
                                     GOptionEntry  *entries,
                                     int           *argc,
                                     char        ***argv,
                                     int           *exit_code);
/* The user's database with the sync targets of the settings set. */
CnDatabase *cn_cli_open_database    (int           *exit_code);
void        cn_cli_print_json       (JsonBuilder   *builder);
char       *cn_cli_format_local     (gint64         unix_seconds);
void        cn_cli_add_string_or_null (JsonBuilder *builder,
                                       const char  *name,
                                       const char  *value);
void        cn_cli_add_time_or_null (JsonBuilder   *builder,
                                     const char    *name,
                                     gint64         value);
/* Adds uuid, contact_id, contact_name and phone of @log to the open JSON
 * object. */
void        cn_cli_add_log_contact  (JsonBuilder   *builder,
                                     CnCallLog     *log);
/* The sync settings; NULL with *exit_code set (and said) when they cannot
 * be read. */
CnSyncConfig *cn_cli_load_sync_config (int         *exit_code);
/* Runs @loop until it is quit, or until SIGINT or SIGTERM quits it: then
 * TRUE. */
gboolean    cn_cli_run_until_signal (GMainLoop     *loop);
/* Pads @text to @width characters. */
char       *cn_cli_pad              (const char    *text,
                                     int            width,
                                     gboolean       right_align);

/* Sync verbs (cn-cli-sync.c). */
int         cn_cli_sync             (int argc, char **argv);
int         cn_cli_queue            (int argc, char **argv);
int         cn_cli_retry            (int argc, char **argv);
int         cn_cli_assign_contact   (int argc, char **argv);
/* Live-event verbs (cn-cli-live.c). */
int         cn_cli_listen           (int argc, char **argv);
int         cn_cli_calls            (int argc, char **argv);
int         cn_cli_followups        (int argc, char **argv);
/* Export and import (cn-cli-transfer.c). */
int         cn_cli_export           (int argc, char **argv);
int         cn_cli_import           (int argc, char **argv);
/* Exports (CSV, or JSON when @json) to @path through a temporary file
 * renamed at the end, as `export -o` does. */
gboolean    cn_cli_export_file      (CnDatabase         *db,
                                     gboolean            json,
                                     const CnCallQuery  *query,
                                     gint64              since,
                                     const char         *path,
                                     GCancellable       *cancellable,
                                     guint64            *n_exported,
                                     GError            **error);
/* The object `callnotes show --json` prints for @log (with "events" when
 * @events is given, and the sync members when @db is). */
void        cn_cli_build_log_object (JsonBuilder   *builder,
                                     CnCallLog     *log,
                                     GPtrArray     *events,
                                     CnDatabase    *db);
/* The log_call tool (cn-cli-tool.c). */
int         cn_cli_tool             (int argc, char **argv);
/* Sets phone, phone_raw (and extension and contact of a tel:/callto: link)
 * of @log from what a person typed, as `callnotes log --phone` does. */
gboolean    cn_cli_parse_phone_argument (const char  *text,
                                         const char  *country_code,
                                         CnCallLog   *log,
                                         GError     **error);
/* Adds backend_id, ontraport_note_id, ontraport_task_id, "sync" (jobs) and
 * "sync_events" of the log to the open JSON object. */
void        cn_cli_add_sync_members (JsonBuilder   *builder,
                                     CnDatabase    *db,
                                     const char    *uuid,
                                     GPtrArray     *events);

G_END_DECLS
