/* cn-sync-probe.h: "Test Connection" for the team backend and Ontraport
 *
 * One harmless GET with the credentials in @config, over a session of its
 * own (15 s timeout, redirects never followed, TLS errors never ignored),
 * and a sentence in plain words saying what the server answered. No secret
 * ever appears in that sentence.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "cn-sync-config.h"

G_BEGIN_DECLS

/* Seconds the probe waits for the server. */
#define CN_SYNC_PROBE_TIMEOUT_SECONDS 15
/* Longest answer the probe reads. */
#define CN_SYNC_PROBE_MAX_BYTES (64 * 1024)

/* @target is CN_SYNC_TARGET_BACKEND (GET {backend_url}/api/v1/outbound-calls
 * ?status=pending&page=1&limit=1 with the bearer token) or
 * CN_SYNC_TARGET_ONTRAPORT_NOTE (GET {ontraport_base_url}/objects?objectID=0
 * &range=1 with Api-Appid and Api-Key). The address is checked with
 * cn_sync_check_base_url() first: a refused one is never connected to.
 * @config is copied; the callback runs in the thread-default main context. */
void      cn_sync_test_connection_async  (const CnSyncConfig   *config,
                                          CnSyncTarget          target,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
/* TRUE when the server accepted the credentials. @message (may be NULL)
 * always gets what happened in plain words, also on failure, where @error
 * holds the same words (G_IO_ERROR_CANCELLED when cancelled). */
gboolean  cn_sync_test_connection_finish (GAsyncResult         *result,
                                          char                **message,
                                          GError              **error);

/* Shared with cn-backend-history.c. Sends @message (the caller has added
 * its headers and SOUP_MESSAGE_NO_REDIRECT) on @session and reads its body,
 * stopping at @max_bytes: then the body is empty and @too_large is set (the
 * connection is dropped, not drained). The status and headers are on
 * @message. NULL with @error when no answer came. */
void      cn_sync_fetch_async            (SoupSession          *session,
                                          SoupMessage          *message,
                                          gsize                 max_bytes,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
GBytes   *cn_sync_fetch_finish           (GAsyncResult         *result,
                                          gboolean             *too_large,
                                          GError              **error);

/* FALSE when JSON @text nests arrays and objects deeper than @max_depth
 * (json-glib parses recursively: a deep answer must not reach it). */
gboolean  cn_sync_json_nesting_ok        (const char           *text,
                                          gsize                 length,
                                          guint                 max_depth);

/* Strips spaces around @url and slashes at its end. */
char     *cn_sync_normalize_base_url     (const char           *url);

G_END_DECLS
