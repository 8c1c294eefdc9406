/* cn-tool-service.h: the log_call tool on the running app's D-Bus name
 *
 * Interface CN_TOOL_SERVICE_INTERFACE at the application's object path plus
 * "/Tool" (/io/github/callnotes/Callnotes/Tool):
 *   Schema () → (s schema)          the function-calling definition
 *   Call (s arguments) → (s result)  validates, saves through the app's
 *                                    database (async), replies after the
 *                                    commit with the success object
 *   Context () → (s context)        the logger on screen or the last dial
 * Invalid arguments are the D-Bus error CN_TOOL_SERVICE_ERROR_INVALID_ARGUMENTS
 * whose message is the JSON error object; a failed save is
 * CN_TOOL_SERVICE_ERROR_FAILED with a sentence. Shapes: cn-log-call-tool.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cn-call-log.h"

G_BEGIN_DECLS

#define CN_TOOL_SERVICE_INTERFACE               "io.github.callnotes.Callnotes.Tool"
#define CN_TOOL_SERVICE_PATH_SUFFIX             "/Tool"
#define CN_TOOL_SERVICE_ERROR_INVALID_ARGUMENTS CN_TOOL_SERVICE_INTERFACE ".Error.InvalidArguments"
#define CN_TOOL_SERVICE_ERROR_FAILED            CN_TOOL_SERVICE_INTERFACE ".Error.Failed"

#define CN_TYPE_TOOL_SERVICE (cn_tool_service_get_type ())
G_DECLARE_FINAL_TYPE (CnToolService, cn_tool_service, CN, TOOL_SERVICE, GObject)

/* @application is a CnApplication (not owned: the service lives inside it).
 * Emits "logged" (CnCallLog *) after a Call was committed, before the
 * reply goes out. */
CnToolService *cn_tool_service_new         (GApplication     *application);

/* Exports the interface on @connection under @app_object_path + "/Tool". */
gboolean       cn_tool_service_register    (CnToolService    *self,
                                            GDBusConnection  *connection,
                                            const char       *app_object_path,
                                            GError          **error);
void           cn_tool_service_unregister  (CnToolService    *self);

/* The app handed @log's number to the softphone at @at (Unix seconds). */
void           cn_tool_service_note_dialed (CnToolService    *self,
                                            CnCallLog        *log,
                                            gint64            at);

/* The Context reply as JSON text (for tests and the app). */
char          *cn_tool_service_dup_context (CnToolService    *self);

G_END_DECLS
