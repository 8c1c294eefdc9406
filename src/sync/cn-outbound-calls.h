/* cn-outbound-calls.h: the team backend's outbound call tasks (scheduled
 * calls), listed page by page, and asking the backend to place a call
 *
 * GET  {backend-url}/api/v1/outbound-calls?status=…&page=…&limit=…
 * POST {backend-url}/api/v1/outbound-calls/initiate
 * (CONTRACTS.md §1, "Outbound call tasks"). Each request goes over a session
 * of its own with the Bearer token: redirects are never followed, TLS errors
 * never ignored, answers read up to CN_SYNC_MAX_ANSWER_BYTES and parsed
 * strictly. Every error carries a sentence to show; none holds a secret.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cn-sync-config.h"

G_BEGIN_DECLS

/* Most calls asked for in one page. */
#define CN_OUTBOUND_CALLS_MAX_LIMIT 100

/* The statuses the contract lists, in the order of a call's life:
 * pending scheduled dialing in_progress completed failed canceled no_answer.
 * NULL-terminated. */
extern const char * const cn_outbound_call_statuses[];

/* TRUE when @status is one of cn_outbound_call_statuses. */
gboolean        cn_outbound_status_is_known (const char *status);

/* One outbound call task. Times are Unix seconds UTC, 0 when null. */
typedef struct {
  char    *id;                /* the backend's id, as text */
  char    *recipient_name;    /* may be NULL */
  char    *recipient_number;  /* may be NULL (nothing to call) */
  char    *status;            /* as sent: a status this version does not know is kept */
  gint64   scheduled_at;
  gint64   initiated_at;
  gint64   completed_at;
  char    *call_log_id;       /* may be NULL */
  char    *failure_reason;    /* may be NULL */
} CnOutboundCall;

CnOutboundCall *cn_outbound_call_new  (void);
CnOutboundCall *cn_outbound_call_copy (const CnOutboundCall *call);
void            cn_outbound_call_free (CnOutboundCall       *call);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnOutboundCall, cn_outbound_call_free)

/* Parses a list answer: {"calls": [...], "pagination": {"page", "limit",
 * "total"}}, at most @max_calls calls (the rest is ignored). @total (may be
 * NULL) gets pagination.total. Anything else (not JSON, another shape, a
 * field of the wrong type, a time that is not ISO 8601, text over the size
 * limits) fails with G_IO_ERROR_INVALID_DATA. Element type CnOutboundCall. */
GPtrArray      *cn_outbound_calls_parse (const char  *body,
                                         gsize        length,
                                         guint        max_calls,
                                         guint       *total,
                                         GError     **error);

/* Fetches page @page (from 1; 0 counts as 1) of @limit calls (clamped to
 * 1 .. CN_OUTBOUND_CALLS_MAX_LIMIT) with status @status (NULL or "": every
 * status). @config needs backend_url and backend_token (else
 * G_IO_ERROR_NOT_INITIALIZED); it is copied. Errors, each with a message to
 * show: G_IO_ERROR_INVALID_ARGUMENT (the address or token is refused),
 * PERMISSION_DENIED (401/403), NOT_FOUND (404), INVALID_DATA (not the
 * answer described), MESSAGE_TOO_LARGE, BUSY (429), FAILED (5xx, redirects,
 * other statuses), or a transport error (TIMED_OUT, CONNECTION_REFUSED,
 * HOST_NOT_FOUND, …). The callback runs in the thread-default main
 * context. */
void            cn_outbound_calls_list_async  (const CnSyncConfig   *config,
                                               const char           *status,
                                               guint                 page,
                                               guint                 limit,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
/* Element type CnOutboundCall, in the server's order. @total (may be NULL)
 * gets how many calls the filter matches on every page together. */
GPtrArray      *cn_outbound_calls_list_finish (GAsyncResult         *result,
                                               guint                *total,
                                               GError              **error);

/* Asks the backend to place a call to @number: {"recipient_number":
 * @number, "caller_id_number": null, "context_info": {"contact_id":
 * @contact_id, "client_id": @client_id}} (either may be NULL: null). Errors
 * as for the list, plus INVALID_ARGUMENT for an empty or oversized number,
 * and INVALID_DATA when a 2xx answer carries no id (the backend may still
 * place the call; the message says so, as it does for TIMED_OUT). */
void            cn_outbound_calls_initiate_async  (const CnSyncConfig   *config,
                                                   const char           *number,
                                                   const char           *contact_id,
                                                   const char           *client_id,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
/* TRUE when the backend took the call; @task_id (may be NULL) gets the id
 * of its outbound call task. */
gboolean        cn_outbound_calls_initiate_finish (GAsyncResult         *result,
                                                   char                **task_id,
                                                   GError              **error);

G_END_DECLS
