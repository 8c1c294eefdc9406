/* cn-backend-history.c: a contact's calls as the team backend knows them,
 * and their merge with the ones logged on this computer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-backend-history"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "cn-backend-history.h"
#include "cn-format.h"
#include "cn-sync-json.h"
#include "cn-sync-probe.h"
#include "cn-sync-requests.h"

/* The answer nests 3 deep; anything far deeper is not it. */
#define HISTORY_MAX_DEPTH 32
/* Longest backend id taken (they are numbers). */
#define MAX_ID_BYTES 64
#define DEFAULT_TIMEOUT_SECONDS 30


/* ---- CnRemoteCall ---- */

CnRemoteCall *
cn_remote_call_new (void)
{
  return g_new0 (CnRemoteCall, 1);
}

CnRemoteCall *
cn_remote_call_copy (const CnRemoteCall *call)
{
  CnRemoteCall *copy;

  g_return_val_if_fail (call != NULL, NULL);

  copy = g_new0 (CnRemoteCall, 1);
  *copy = *call;
  copy->id = g_strdup (call->id);
  copy->client_id = g_strdup (call->client_id);
  copy->contact_id = g_strdup (call->contact_id);
  copy->contact_name = g_strdup (call->contact_name);
  copy->notes = g_strdup (call->notes);
  copy->user_name = g_strdup (call->user_name);

  return copy;
}

void
cn_remote_call_free (CnRemoteCall *call)
{
  if (call == NULL)
    return;

  g_free (call->id);
  g_free (call->client_id);
  g_free (call->contact_id);
  g_free (call->contact_name);
  g_free (call->notes);
  g_free (call->user_name);
  g_free (call);
}


/* ---- parsing ---- */

static CnRemoteCall *
parse_call (JsonNode  *node,
            guint      index,
            GError   **error)
{
  g_autoptr(CnRemoteCall) call = cn_remote_call_new ();
  g_autofree char *outcome = NULL;
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      /* Translators: %u counts calls from 1 */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The team backend’s answer could not be read: call %u is not an object."),
                   index + 1);
      return NULL;
    }

  object = json_node_get_object (node);
  if (!cn_sync_json_read_text (object, index, "id",
                               CN_SYNC_FIELD_REQUIRED | CN_SYNC_FIELD_NUMBER_OK, MAX_ID_BYTES,
                               &call->id, error)
      || !cn_sync_json_read_text (object, index, "client_id", CN_SYNC_FIELD_OPTIONAL,
                                  CN_CALL_LOG_MAX_FIELD, &call->client_id, error)
      || !cn_sync_json_read_text (object, index, "contact_id", CN_SYNC_FIELD_NUMBER_OK,
                                  CN_CALL_LOG_MAX_FIELD, &call->contact_id, error)
      || !cn_sync_json_read_text (object, index, "contact_name", CN_SYNC_FIELD_OPTIONAL,
                                  CN_CALL_LOG_MAX_FIELD, &call->contact_name, error)
      || !cn_sync_json_read_text (object, index, "outcome", CN_SYNC_FIELD_OPTIONAL,
                                  CN_CALL_LOG_MAX_FIELD, &outcome, error)
      || !cn_sync_json_read_text (object, index, "notes", CN_SYNC_FIELD_OPTIONAL,
                                  CN_CALL_LOG_MAX_NOTES, &call->notes, error)
      || !cn_sync_json_read_time (object, index, "follow_up_date", CN_SYNC_FIELD_OPTIONAL,
                                  &call->follow_up_date, error)
      || !cn_sync_json_read_time (object, index, "created_at", CN_SYNC_FIELD_REQUIRED,
                                  &call->created_at, error)
      || !cn_sync_json_read_text (object, index, "user_name", CN_SYNC_FIELD_OPTIONAL,
                                  CN_CALL_LOG_MAX_FIELD, &call->user_name, error))
    return NULL;

  /* An outcome this version does not know is shown as such, not refused. */
  if (outcome == NULL || !cn_outcome_from_string (outcome, &call->outcome))
    call->outcome = CN_OUTCOME_NONE;

  if (call->client_id != NULL && *call->client_id == '\0')
    g_clear_pointer (&call->client_id, g_free);

  return g_steal_pointer (&call);
}

GPtrArray *
cn_backend_parse_contact_calls (const char  *body,
                                gsize        length,
                                guint        max_calls,
                                GError     **error)
{
  g_autoptr(GPtrArray) calls =
    g_ptr_array_new_with_free_func ((GDestroyNotify) cn_remote_call_free);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonNode *list;
  JsonArray *array;

  g_return_val_if_fail (body != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!cn_sync_json_load (parser, body, length, CN_SYNC_MAX_ANSWER_BYTES, HISTORY_MAX_DEPTH))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The team backend’s answer could not be read: it is not JSON."));
      return NULL;
    }

  root = json_parser_get_root (parser);
  list = root != NULL && JSON_NODE_HOLDS_OBJECT (root)
         ? json_object_get_member (json_node_get_object (root), "calls") : NULL;
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The team backend’s answer could not be read: it has no list of "
                             "calls."));
      return NULL;
    }

  array = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (array) && i < max_calls; i++)
    {
      CnRemoteCall *call = parse_call (json_array_get_element (array, i), i, error);

      if (call == NULL)
        return NULL;
      g_ptr_array_add (calls, call);
    }

  return g_steal_pointer (&calls);
}


/* ---- fetching ---- */

typedef struct {
  SoupSession *session;
  SoupMessage *message;
  guint        limit;
} Fetch;

static void
history_fetch_free (Fetch *fetch)
{
  g_clear_object (&fetch->message);
  if (fetch->session != NULL)
    soup_session_abort (fetch->session);
  g_clear_object (&fetch->session);
  g_free (fetch);
}

static void
on_history_fetched (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Fetch *fetch = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  gboolean too_large = FALSE;
  GPtrArray *calls;
  guint status;

  body = cn_sync_fetch_finish (result, &too_large, &error);
  if (body == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_error (task, cn_sync_backend_transport_error (fetch->message, error));
      return;
    }

  status = soup_message_get_status (fetch->message);

  if (status >= 200 && status < 300)
    {
      if (too_large)
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE, "%s",
                                 _("The team backend sent far more than a page of calls; the "
                                   "history could not be read."));
      else if (cn_sync_answer_is_html (fetch->message))
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s",
                                 _("The team backend answered with a web page instead of calls. "
                                   "Check the server address."));
      else if ((calls = cn_backend_parse_contact_calls (g_bytes_get_data (body, NULL),
                                                        g_bytes_get_size (body), fetch->limit,
                                                        &error)) == NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_pointer (task, calls, (GDestroyNotify) g_ptr_array_unref);
      return;
    }

  if (status == 404)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s",
                             _("The team backend has no contact history at this address (404)."));
  else if (status >= 500 && cn_sync_answer_is_html (fetch->message))
    /* Translators: %u is an HTTP status such as 502 */
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                             _("The team backend answered %u with a web page instead of calls; "
                               "it may be down. Try again later."), status);
  else if ((error = cn_sync_backend_status_error (status)) != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    /* Translators: %u is an HTTP status such as 400 */
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                             _("The team backend answered %u to the history request."), status);
}

void
cn_backend_fetch_contact_calls_async (const CnSyncConfig  *config,
                                      const char          *contact_id,
                                      guint                offset,
                                      guint                limit,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *url = NULL;
  Fetch *fetch;
  guint timeout;

  g_return_if_fail (config != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cn_backend_fetch_contact_calls_async);

  base = cn_sync_backend_check_config (config, &error);
  if (base == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (contact_id == NULL || *contact_id == '\0' || strlen (contact_id) > CN_CALL_LOG_MAX_FIELD
      || !g_utf8_validate (contact_id, -1, NULL))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s",
                               _("This call has no contact whose history could be asked for."));
      return;
    }

  fetch = g_new0 (Fetch, 1);
  fetch->limit = CLAMP (limit, 1, CN_BACKEND_HISTORY_MAX_LIMIT);
  g_task_set_task_data (task, fetch, (GDestroyNotify) history_fetch_free);

  escaped = g_uri_escape_string (contact_id, NULL, FALSE);
  url = g_strdup_printf ("%s/api/calls/%s?offset=%u&limit=%u", base, escaped, offset,
                         fetch->limit);
  fetch->message = cn_sync_backend_message_new (SOUP_METHOD_GET, url, config->backend_token,
                                                &error);
  if (fetch->message == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  timeout = config->timeout_seconds > 0 ? config->timeout_seconds : DEFAULT_TIMEOUT_SECONDS;
  fetch->session = cn_sync_session_new (timeout);

  cn_sync_fetch_async (fetch->session, fetch->message, CN_SYNC_MAX_ANSWER_BYTES, cancellable,
                       on_history_fetched, g_steal_pointer (&task));
}

GPtrArray *
cn_backend_fetch_contact_calls_finish (GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == cn_backend_fetch_contact_calls_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}


/* ---- the merge ---- */

void
cn_timeline_entry_free (CnTimelineEntry *entry)
{
  if (entry == NULL)
    return;

  g_clear_object (&entry->local);
  g_clear_pointer (&entry->remote, cn_remote_call_free);
  g_free (entry);
}

static gint
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  const CnTimelineEntry *x = *(CnTimelineEntry * const *) a;
  const CnTimelineEntry *y = *(CnTimelineEntry * const *) b;

  return x->created_at < y->created_at ? 1 : x->created_at > y->created_at ? -1 : 0;
}

GPtrArray *
cn_contact_timeline_merge (GPtrArray *local_logs,
                           GPtrArray *remote_calls)
{
  g_autoptr(GPtrArray) entries =
    g_ptr_array_new_with_free_func ((GDestroyNotify) cn_timeline_entry_free);
  g_autoptr(GHashTable) by_uuid = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) remote_ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) remote_client_ids = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; local_logs != NULL && i < local_logs->len; i++)
    {
      CnCallLog *log = g_ptr_array_index (local_logs, i);
      const char *uuid;
      CnTimelineEntry *entry;

      if (log == NULL)
        continue;
      uuid = cn_call_log_get_uuid (log);
      if (uuid != NULL && g_hash_table_contains (by_uuid, uuid))
        continue;

      entry = g_new0 (CnTimelineEntry, 1);
      entry->local = g_object_ref (log);
      entry->created_at = cn_call_log_get_created_at (log);
      g_ptr_array_add (entries, entry);
      if (uuid != NULL)
        g_hash_table_insert (by_uuid, (gpointer) uuid, entry);
    }

  for (guint i = 0; remote_calls != NULL && i < remote_calls->len; i++)
    {
      CnRemoteCall *call = g_ptr_array_index (remote_calls, i);
      CnTimelineEntry *entry;

      if (call == NULL)
        continue;
      if (call->id != NULL)
        {
          if (g_hash_table_contains (remote_ids, call->id))
            continue;
          g_hash_table_add (remote_ids, call->id);
        }

      if (call->client_id != NULL)
        {
          /* The backend's copy of a local log, or a second copy of a call
           * already shown: either way, no new entry. */
          if (g_hash_table_contains (remote_client_ids, call->client_id))
            continue;
          g_hash_table_add (remote_client_ids, call->client_id);

          entry = g_hash_table_lookup (by_uuid, call->client_id);
          if (entry != NULL)
            {
              entry->remote = cn_remote_call_copy (call);
              continue;
            }
        }

      entry = g_new0 (CnTimelineEntry, 1);
      entry->remote = cn_remote_call_copy (call);
      entry->created_at = call->created_at;
      g_ptr_array_add (entries, entry);
    }

  /* Stable: equal times keep locals first, each in the order given. */
  g_ptr_array_sort (entries, compare_newest_first);

  return g_steal_pointer (&entries);
}
