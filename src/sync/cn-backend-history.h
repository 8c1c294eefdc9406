/* cn-backend-history.h: a contact's calls as the team backend knows them,
 * and their merge with the ones logged on this computer
 *
 * GET {backend-url}/api/calls/{contact_id}?offset=…&limit=… (CONTRACTS.md
 * §1), over a session of its own: redirects are never followed, TLS errors
 * never ignored, the answer is read up to CN_SYNC_MAX_ANSWER_BYTES and
 * parsed strictly.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cn-call-log.h"
#include "cn-sync-config.h"

G_BEGIN_DECLS

/* Most calls asked for in one page. */
#define CN_BACKEND_HISTORY_MAX_LIMIT 100

/* One call from the backend's history. Times are Unix seconds UTC. */
typedef struct {
  char      *id;              /* the backend's id, as text */
  char      *client_id;       /* the UUID of the log that posted it; NULL: logged elsewhere */
  char      *contact_id;
  char      *contact_name;    /* may be NULL */
  CnOutcome  outcome;         /* CN_OUTCOME_NONE for one this version does not know */
  char      *notes;           /* may be NULL */
  gint64     follow_up_date;  /* 0: none */
  gint64     created_at;
  char      *user_name;       /* who logged it; may be NULL */
} CnRemoteCall;

CnRemoteCall *cn_remote_call_new  (void);
CnRemoteCall *cn_remote_call_copy (const CnRemoteCall *call);
void          cn_remote_call_free (CnRemoteCall       *call);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnRemoteCall, cn_remote_call_free)

/* Parses the answer's body: {"calls": [...]}, at most @max_calls of them
 * (the rest is ignored). Anything else (not JSON, another shape, a field of
 * the wrong type, a time that is not ISO 8601, text over the size limits)
 * fails with G_IO_ERROR_INVALID_DATA. Element type CnRemoteCall. */
GPtrArray    *cn_backend_parse_contact_calls (const char  *body,
                                              gsize        length,
                                              guint        max_calls,
                                              GError     **error);

/* Fetches one page. @config needs backend_url and backend_token (else
 * G_IO_ERROR_NOT_INITIALIZED); @limit is clamped to 1 ..
 * CN_BACKEND_HISTORY_MAX_LIMIT. Errors, each with a message to show:
 * G_IO_ERROR_INVALID_ARGUMENT (the address is refused), PERMISSION_DENIED
 * (401/403), NOT_FOUND (404), INVALID_DATA (not the answer described),
 * MESSAGE_TOO_LARGE, BUSY (429), FAILED (5xx, redirects, other statuses), or
 * the transport's own error. Element type CnRemoteCall, newest first as the
 * server sent them. */
void          cn_backend_fetch_contact_calls_async  (const CnSyncConfig   *config,
                                                     const char           *contact_id,
                                                     guint                 offset,
                                                     guint                 limit,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
GPtrArray    *cn_backend_fetch_contact_calls_finish (GAsyncResult         *result,
                                                     GError              **error);

/* One entry of a contact's timeline: a log of this computer (@local, with
 * @remote when the backend has it too: the same call, synced) or a call only
 * the backend knows (@remote alone). */
typedef struct {
  gint64        created_at;
  CnCallLog    *local;
  CnRemoteCall *remote;
} CnTimelineEntry;

void          cn_timeline_entry_free    (CnTimelineEntry *entry);

/* Merges @local_logs (CnCallLog) and @remote_calls (CnRemoteCall); either
 * may be NULL. Newest first (created_at; at equal times local logs first,
 * then in the order given). A remote call whose client_id is a local log's
 * UUID is that log's entry; the same UUID or the same remote id given twice
 * shows once. Returns CnTimelineEntry (free func set), holding references
 * and copies of its own. */
GPtrArray    *cn_contact_timeline_merge (GPtrArray *local_logs,
                                         GPtrArray *remote_calls);

G_END_DECLS
