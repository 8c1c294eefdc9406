/* cn-secrets.h: the sync credentials, kept in libsecret only
 *
 * Schema "io.github.callnotes.Callnotes.Secret", attribute "name" with one of
 * the CN_SECRET_* values. Nothing here writes a secret anywhere else, and no
 * message or log line contains one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CN_SECRET_BACKEND_TOKEN    "backend-token"
#define CN_SECRET_ONTRAPORT_APP_ID "ontraport-app-id"
#define CN_SECRET_ONTRAPORT_KEY    "ontraport-api-key"

/* Longest secret accepted (bytes). */
#define CN_SECRET_MAX_LENGTH 4096

/* TRUE when @name is one of the three names above. */
gboolean  cn_secret_name_is_valid (const char *name);

/* Checks a value before it is stored: @length bytes (-1: up to the NUL) of
 * UTF-8 text, not empty, at most CN_SECRET_MAX_LENGTH bytes, one line
 * without NUL bytes or other control characters. G_IO_ERROR_INVALID_ARGUMENT
 * with a message that never contains the value. */
gboolean  cn_secret_check_value   (const char  *value,
                                   gssize       length,
                                   GError     **error);

/* Blocking forms, for the command line and worker threads. lookup returns
 * NULL without error when nothing is stored. */
char     *cn_secret_lookup_sync   (const char    *name,
                                   GCancellable  *cancellable,
                                   GError       **error);
gboolean  cn_secret_store_sync    (const char    *name,
                                   const char    *value,
                                   GCancellable  *cancellable,
                                   GError       **error);
gboolean  cn_secret_clear_sync    (const char    *name,
                                   GCancellable  *cancellable,
                                   GError       **error);

/* Async forms for the UI. */
void      cn_secret_lookup        (const char          *name,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
char     *cn_secret_lookup_finish (GAsyncResult        *result,
                                   GError             **error);
void      cn_secret_store         (const char          *name,
                                   const char          *value,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
gboolean  cn_secret_store_finish  (GAsyncResult        *result,
                                   GError             **error);

/* A secret in memory: freed with cn_secret_free(), which overwrites it
 * first. `g_autoptr(CnSecret) token = cn_secret_lookup_sync (…)`. */
typedef char CnSecret;
void      cn_secret_free          (char *secret);

/* Overwrites @size bytes at @data with zeros in a way the compiler may not
 * leave out (for buffers that held a secret). */
void      cn_secret_wipe          (gpointer data,
                                   gsize    size);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnSecret, cn_secret_free)

G_END_DECLS
