/* cn-sync-json.h: reading the team backend's JSON answers, shared by
 * cn-backend-history.c, cn-outbound-calls.c and cn-sync-probe.c
 *
 * Internal to the sync library: strict field readers for a list of calls,
 * loading an answer with bounds, the server's own words from an error body,
 * and the plain-words errors every team backend request gives.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "cn-sync-config.h"

G_BEGIN_DECLS

typedef enum {
  CN_SYNC_FIELD_OPTIONAL      = 0,        /* missing or null: NULL */
  CN_SYNC_FIELD_REQUIRED      = 1 << 0,   /* must be there, not null, not empty */
  CN_SYNC_FIELD_NUMBER_OK     = 1 << 1,   /* an integer is taken as its decimal text */
  CN_SYNC_FIELD_EMPTY_IS_NULL = 1 << 2,   /* an empty optional text is the same as none */
} CnSyncFieldFlags;

/* Sets "The team backend's answer could not be read: in call <index + 1>,
 * <problem>." where problem is @problem_format with @name. Returns FALSE. */
gboolean     cn_sync_json_invalid_call  (GError            **error,
                                         guint               index,
                                         const char         *name,
                                         const char         *problem_format);

/* Member @name of call @index as text of at most @max_bytes valid UTF-8
 * (*@out is NULL when missing or null and not required). */
gboolean     cn_sync_json_read_text     (JsonObject         *object,
                                         guint               index,
                                         const char         *name,
                                         CnSyncFieldFlags    flags,
                                         gsize               max_bytes,
                                         char              **out,
                                         GError            **error);

/* Member @name of call @index as an ISO 8601 time in Unix seconds (0 when
 * missing or null and not required). */
gboolean     cn_sync_json_read_time     (JsonObject         *object,
                                         guint               index,
                                         const char         *name,
                                         CnSyncFieldFlags    flags,
                                         gint64             *out,
                                         GError            **error);

/* Loads @body into @parser when it is 1 to @max_bytes long, nests at most
 * @max_depth deep and is JSON. */
gboolean     cn_sync_json_load          (JsonParser         *parser,
                                         const char         *body,
                                         gsize               length,
                                         gsize               max_bytes,
                                         guint               max_depth);

/* A copy, made valid UTF-8, of the first of @members in @object that is a
 * string, or NULL. */
char        *cn_sync_json_first_string  (JsonObject         *object,
                                         const char * const *members,
                                         guint               n_members);

/* The first line of @text (which is stripped in place), control characters
 * out, at most @max_chars characters ("…" after a cut), or NULL when that
 * is empty. */
char        *cn_sync_first_line         (char               *text,
                                         guint               max_chars);

/* "<sentence> The server said: “<words>”." when @words is not NULL. Takes
 * both. */
char        *cn_sync_with_server_words  (char               *sentence,
                                         char               *words);

/* TRUE when the answer on @message says it is a web page. */
gboolean     cn_sync_answer_is_html     (SoupMessage        *message);

/* The plain-words error for a team backend request on @message that got
 * no answer. */
GError      *cn_sync_backend_transport_error (SoupMessage   *message,
                                              const GError  *cause);

/* For a request on @message that failed with @cause in G_TLS_ERROR: what is
 * wrong, in plain words without a capital or a final stop, e.g. "the
 * server’s certificate has expired" (from
 * soup_message_get_tls_peer_certificate_errors ()). The TLS library's own
 * words only when it names no certificate problem. Also used by the sync
 * worker and the live event stream. */
char        *cn_sync_tls_words          (SoupMessage        *message,
                                         const GError       *cause);

/* The plain-words error for a team backend answer of @status that means the
 * same for every request: 3xx, 401, 403, 429 and 5xx. NULL for any other
 * status (the caller's own words). */
GError      *cn_sync_backend_status_error    (guint          status);

/* The normalized backend address of @config, checked, with a token that
 * can be sent; NULL with a plain-words @error when not. */
char        *cn_sync_backend_check_config    (const CnSyncConfig *config,
                                              GError            **error);

/* A @method message for @url with the Bearer @token and Accept: JSON that
 * never follows redirects; NULL with @error when @url is not valid. */
SoupMessage *cn_sync_backend_message_new     (const char    *method,
                                              const char    *url,
                                              const char    *token,
                                              GError       **error);

/* A session for one request: @timeout_seconds, one connection, our
 * user agent. TLS errors fail the request. */
SoupSession *cn_sync_session_new             (guint          timeout_seconds);

G_END_DECLS
