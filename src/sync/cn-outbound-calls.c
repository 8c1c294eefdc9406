/* cn-outbound-calls.c: the team backend's outbound call tasks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-outbound-calls"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "cn-call-log.h"
#include "cn-format.h"
#include "cn-outbound-calls.h"
#include "cn-secrets.h"
#include "cn-sync-json.h"
#include "cn-sync-probe.h"
#include "cn-sync-requests.h"

/* The answers nest 3 deep; anything far deeper is not them. */
#define OUTBOUND_MAX_DEPTH 32
/* Longest id taken (UUIDs or numbers). */
#define MAX_ID_BYTES 128
/* Longest status text taken and asked for. */
#define MAX_STATUS_BYTES 64
/* Longest failure reason kept. */
#define MAX_REASON_BYTES 2048
/* Longest number sent. */
#define MAX_NUMBER_BYTES 64
/* Characters of a server's own message shown in ours. */
#define SERVER_WORDS_MAX_CHARS 200
/* The answer to initiate is small. */
#define INITIATE_MAX_BYTES (64 * 1024)
/* Largest total believed. */
#define MAX_TOTAL G_MAXINT32
#define DEFAULT_TIMEOUT_SECONDS 30

const char * const cn_outbound_call_statuses[] = {
  "pending", "scheduled", "dialing", "in_progress", "completed", "failed", "canceled",
  "no_answer", NULL,
};

gboolean
cn_outbound_status_is_known (const char *status)
{
  return status != NULL && g_strv_contains (cn_outbound_call_statuses, status);
}


/* ---- CnOutboundCall ---- */

CnOutboundCall *
cn_outbound_call_new (void)
{
  return g_new0 (CnOutboundCall, 1);
}

CnOutboundCall *
cn_outbound_call_copy (const CnOutboundCall *call)
{
  CnOutboundCall *copy;

  g_return_val_if_fail (call != NULL, NULL);

  copy = g_new0 (CnOutboundCall, 1);
  *copy = *call;
  copy->id = g_strdup (call->id);
  copy->recipient_name = g_strdup (call->recipient_name);
  copy->recipient_number = g_strdup (call->recipient_number);
  copy->status = g_strdup (call->status);
  copy->call_log_id = g_strdup (call->call_log_id);
  copy->failure_reason = g_strdup (call->failure_reason);

  return copy;
}

void
cn_outbound_call_free (CnOutboundCall *call)
{
  if (call == NULL)
    return;

  g_free (call->id);
  g_free (call->recipient_name);
  g_free (call->recipient_number);
  g_free (call->status);
  g_free (call->call_log_id);
  g_free (call->failure_reason);
  g_free (call);
}


/* ---- parsing ---- */

/* An empty optional text is the same as none. */
static gboolean
read_text (JsonObject        *object,
           guint              index,
           const char        *name,
           CnSyncFieldFlags   flags,
           gsize              max_bytes,
           char             **out,
           GError           **error)
{
  return cn_sync_json_read_text (object, index, name, flags | CN_SYNC_FIELD_EMPTY_IS_NULL,
                                 max_bytes, out, error);
}

static gboolean
read_time (JsonObject  *object,
           guint        index,
           const char  *name,
           gint64      *out,
           GError     **error)
{
  return cn_sync_json_read_time (object, index, name, CN_SYNC_FIELD_EMPTY_IS_NULL, out, error);
}

static CnOutboundCall *
parse_call (JsonNode  *node,
            guint      index,
            GError   **error)
{
  g_autoptr(CnOutboundCall) call = cn_outbound_call_new ();
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
  if (!read_text (object, index, "id", CN_SYNC_FIELD_REQUIRED | CN_SYNC_FIELD_NUMBER_OK,
                  MAX_ID_BYTES, &call->id, error)
      || !read_text (object, index, "recipient_name", CN_SYNC_FIELD_OPTIONAL,
                     CN_CALL_LOG_MAX_FIELD, &call->recipient_name, error)
      || !read_text (object, index, "recipient_number", CN_SYNC_FIELD_OPTIONAL, MAX_NUMBER_BYTES,
                     &call->recipient_number, error)
      || !read_text (object, index, "status", CN_SYNC_FIELD_REQUIRED, MAX_STATUS_BYTES,
                     &call->status, error)
      || !read_time (object, index, "scheduled_at", &call->scheduled_at, error)
      || !read_time (object, index, "initiated_at", &call->initiated_at, error)
      || !read_time (object, index, "completed_at", &call->completed_at, error)
      || !read_text (object, index, "call_log_id", CN_SYNC_FIELD_NUMBER_OK, MAX_ID_BYTES,
                     &call->call_log_id, error)
      || !read_text (object, index, "failure_reason", CN_SYNC_FIELD_OPTIONAL, MAX_REASON_BYTES,
                     &call->failure_reason, error))
    return NULL;

  return g_steal_pointer (&call);
}

static gboolean
read_count (JsonObject  *object,
            const char  *name,
            gboolean     required,
            guint       *out,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);
  gint64 value;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (!required)
        return TRUE;
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64
           && (value = json_node_get_int (node)) >= 0 && value <= MAX_TOTAL)
    {
      *out = (guint) value;
      return TRUE;
    }

  /* Translators: %s is a field name such as “total” */
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               _("The team backend’s answer could not be read: its pagination has no valid "
                 "“%s”."), name);
  return FALSE;
}

static JsonNode *
load_json (JsonParser  *parser,
           const char  *body,
           gsize        length,
           gsize        max_bytes)
{
  if (!cn_sync_json_load (parser, body, length, max_bytes, OUTBOUND_MAX_DEPTH))
    return NULL;

  return json_parser_get_root (parser);
}

GPtrArray *
cn_outbound_calls_parse (const char  *body,
                         gsize        length,
                         guint        max_calls,
                         guint       *total,
                         GError     **error)
{
  g_autoptr(GPtrArray) calls =
    g_ptr_array_new_with_free_func ((GDestroyNotify) cn_outbound_call_free);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonNode *list;
  JsonNode *pagination;
  JsonArray *array;
  guint count = 0;

  g_return_val_if_fail (body != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root = load_json (parser, body, length, CN_SYNC_MAX_ANSWER_BYTES);
  if (root == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The team backend’s answer could not be read: it is not JSON."));
      return NULL;
    }

  list = JSON_NODE_HOLDS_OBJECT (root)
         ? json_object_get_member (json_node_get_object (root), "calls") : NULL;
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The team backend’s answer could not be read: it has no list of "
                             "calls."));
      return NULL;
    }

  pagination = json_object_get_member (json_node_get_object (root), "pagination");
  if (pagination == NULL || !JSON_NODE_HOLDS_OBJECT (pagination))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The team backend’s answer could not be read: it has no "
                             "pagination."));
      return NULL;
    }
  {
    JsonObject *object = json_node_get_object (pagination);
    guint ignored = 0;

    if (!read_count (object, "total", TRUE, &count, error)
        || !read_count (object, "page", FALSE, &ignored, error)
        || !read_count (object, "limit", FALSE, &ignored, error))
      return NULL;
  }

  array = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (array) && i < max_calls; i++)
    {
      CnOutboundCall *call = parse_call (json_array_get_element (array, i), i, error);

      if (call == NULL)
        return NULL;
      g_ptr_array_add (calls, call);
    }

  if (total != NULL)
    *total = count;
  return g_steal_pointer (&calls);
}


/* ---- requests ---- */

typedef enum {
  REQUEST_LIST,
  REQUEST_INITIATE,
} RequestKind;

typedef struct {
  RequestKind  kind;
  SoupSession *session;
  SoupMessage *message;
  guint        limit;
  char        *token;     /* what must never show in a message */
} Request;

typedef struct {
  GPtrArray *calls;
  guint      total;
} ListResult;

static void
request_free (Request *request)
{
  g_clear_object (&request->message);
  if (request->session != NULL)
    soup_session_abort (request->session);
  g_clear_object (&request->session);
  g_clear_pointer (&request->token, cn_secret_free);
  g_free (request);
}

static void
list_result_free (ListResult *result)
{
  g_clear_pointer (&result->calls, g_ptr_array_unref);
  g_free (result);
}

/* The server's own words from a JSON error body ("error", "message" or
 * "detail"): one short line without control characters, or NULL. Never
 * words that hold the token. */
static char *
server_words (Request *request,
              GBytes  *body)
{
  static const char * const members[] = { "error", "message", "detail" };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *valid = NULL;
  char *line;
  JsonNode *root;

  if (body == NULL)
    return NULL;
  root = load_json (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                    CN_SYNC_MAX_ANSWER_BYTES);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  valid = cn_sync_json_first_string (json_node_get_object (root), members,
                                     G_N_ELEMENTS (members));
  if (valid == NULL)
    return NULL;

  line = cn_sync_first_line (valid, SERVER_WORDS_MAX_CHARS);
  if (line != NULL && request->token != NULL && strstr (line, request->token) != NULL)
    g_clear_pointer (&line, g_free);

  return line;
}

/* "<sentence> The server said: “…”." when it said something. */
static char *
with_server_words (Request    *request,
                   GBytes     *body,
                   char       *sentence)
{
  return cn_sync_with_server_words (sentence, server_words (request, body));
}

static GError *
transport_error (Request      *request,
                 const GError *cause)
{
  if (request->kind == REQUEST_INITIATE && g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new_literal (G_IO_ERROR, cause->code,
                                _("The team backend did not answer in time. It may still "
                                  "place the call: check before dialing again."));

  return cn_sync_backend_transport_error (request->message, cause);
}

/* What a status other than 2xx means, in plain words. */
static GError *
status_error (Request *request,
              guint    status,
              GBytes  *body)
{
  gboolean initiate = request->kind == REQUEST_INITIATE;
  g_autofree char *text = NULL;

  GError *error;

  if (status == 404)
    return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, initiate
                                ? _("The team backend cannot place calls at this address "
                                    "(404).")
                                : _("The team backend has no scheduled calls at this address "
                                    "(404)."));
  if (status >= 500 && cn_sync_answer_is_html (request->message))
    /* Translators: %u is an HTTP status such as 502 */
    return g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                        _("The team backend answered %u with a web page; it may be down. Try "
                          "again later."), status);
  error = cn_sync_backend_status_error (status);
  if (error != NULL)
    return error;

  text = initiate
         /* Translators: %u is an HTTP status such as 400 */
         ? g_strdup_printf (_("The team backend did not place the call (%u)."), status)
         /* Translators: %u is an HTTP status such as 400 */
         : g_strdup_printf (_("The team backend answered %u to the request for scheduled "
                              "calls."), status);
  text = with_server_words (request, body, g_steal_pointer (&text));
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, text);
}

/* NULL when @result brought a 2xx answer (then *@body is set); else the
 * error to return. */
static GError *
finish_fetch (Request       *request,
              GAsyncResult  *result,
              GBytes       **body,
              gboolean      *too_large)
{
  g_autoptr(GError) error = NULL;

  guint status;

  *body = cn_sync_fetch_finish (result, too_large, &error);
  if (*body == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return g_steal_pointer (&error);
      return transport_error (request, error);
    }

  status = soup_message_get_status (request->message);
  if (status < 200 || status >= 300)
    return status_error (request, status, *body);

  return NULL;
}

static void
on_list_fetched (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;
  GError *error;
  gboolean too_large = FALSE;
  ListResult *list;

  error = finish_fetch (request, result, &body, &too_large);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (too_large)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE, "%s",
                               _("The team backend sent far more than a page of scheduled "
                                 "calls; the list could not be read."));
      return;
    }
  if (cn_sync_answer_is_html (request->message))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s",
                               _("The team backend answered with a web page instead of "
                                 "scheduled calls. Check the server address."));
      return;
    }

  list = g_new0 (ListResult, 1);
  list->calls = cn_outbound_calls_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                         request->limit, &list->total, &error);
  if (list->calls == NULL)
    {
      list_result_free (list);
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, list, (GDestroyNotify) list_result_free);
}

/* The id of the task in an answer to initiate, or NULL. */
static char *
parse_task_id (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root = load_json (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                              INITIATE_MAX_BYTES);
  JsonNode *id;
  const char *text;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  id = json_object_get_member (json_node_get_object (root), "id");
  if (id == NULL || !JSON_NODE_HOLDS_VALUE (id))
    return NULL;
  if (json_node_get_value_type (id) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (id));
  if (json_node_get_value_type (id) != G_TYPE_STRING)
    return NULL;

  text = json_node_get_string (id);
  if (*text == '\0' || strlen (text) > MAX_ID_BYTES || !g_utf8_validate (text, -1, NULL))
    return NULL;

  return g_strdup (text);
}

static void
on_initiate_fetched (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;
  GError *error;
  gboolean too_large = FALSE;
  char *task_id;

  error = finish_fetch (request, result, &body, &too_large);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  task_id = too_large ? NULL : parse_task_id (body);
  if (task_id == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s",
                               _("The team backend’s answer to the call request could not be "
                                 "read. It may still place the call: check before dialing "
                                 "again."));
      return;
    }

  g_task_return_pointer (task, task_id, g_free);
}

/* Checks @config and makes the request's message and session, with the
 * token and Accept. FALSE when it cannot be sent (the task has its
 * error). */
static gboolean
prepare (GTask              *task,
         const CnSyncConfig *config,
         RequestKind         kind,
         const char         *method,
         const char         *path_and_query)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL;
  g_autofree char *url = NULL;
  Request *request;
  guint timeout;

  base = cn_sync_backend_check_config (config, &error);
  if (base == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return FALSE;
    }

  request = g_new0 (Request, 1);
  request->kind = kind;
  request->token = g_strdup (config->backend_token);
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);

  url = g_strconcat (base, path_and_query, NULL);
  request->message = cn_sync_backend_message_new (method, url, config->backend_token, &error);
  if (request->message == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return FALSE;
    }

  timeout = config->timeout_seconds > 0 ? config->timeout_seconds : DEFAULT_TIMEOUT_SECONDS;
  request->session = cn_sync_session_new (timeout);
  return TRUE;
}

void
cn_outbound_calls_list_async (const CnSyncConfig  *config,
                              const char          *status,
                              guint                page,
                              guint                limit,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *path = NULL;
  Request *request;

  g_return_if_fail (config != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cn_outbound_calls_list_async);

  page = MAX (page, 1);
  limit = CLAMP (limit, 1, CN_OUTBOUND_CALLS_MAX_LIMIT);

  if (status != NULL && *status != '\0')
    {
      g_autofree char *escaped = NULL;

      if (strlen (status) > MAX_STATUS_BYTES || !g_utf8_validate (status, -1, NULL))
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s",
                                   _("This status cannot be asked for."));
          return;
        }
      escaped = g_uri_escape_string (status, NULL, FALSE);
      path = g_strdup_printf ("/api/v1/outbound-calls?status=%s&page=%u&limit=%u", escaped,
                              page, limit);
    }
  else
    path = g_strdup_printf ("/api/v1/outbound-calls?page=%u&limit=%u", page, limit);

  if (!prepare (task, config, REQUEST_LIST, SOUP_METHOD_GET, path))
    return;

  request = g_task_get_task_data (task);
  request->limit = limit;
  cn_sync_fetch_async (request->session, request->message, CN_SYNC_MAX_ANSWER_BYTES, cancellable,
                       on_list_fetched, g_steal_pointer (&task));
}

GPtrArray *
cn_outbound_calls_list_finish (GAsyncResult  *result,
                               guint         *total,
                               GError       **error)
{
  ListResult *list;
  GPtrArray *calls;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cn_outbound_calls_list_async,
                        NULL);

  list = g_task_propagate_pointer (G_TASK (result), error);
  if (list == NULL)
    return NULL;

  if (total != NULL)
    *total = list->total;
  calls = g_steal_pointer (&list->calls);
  list_result_free (list);
  return calls;
}

static void
set_optional_string (JsonBuilder *builder,
                     const char  *name,
                     const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL && *value != '\0')
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
cn_outbound_calls_initiate_async (const CnSyncConfig  *config,
                                  const char          *number,
                                  const char          *contact_id,
                                  const char          *client_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) body = NULL;
  Request *request;
  char *text;

  g_return_if_fail (config != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cn_outbound_calls_initiate_async);

  if (number == NULL || *number == '\0' || strlen (number) > MAX_NUMBER_BYTES
      || !g_utf8_validate (number, -1, NULL))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s",
                               _("There is no phone number the team backend could call."));
      return;
    }
  if ((contact_id != NULL && (strlen (contact_id) > CN_CALL_LOG_MAX_FIELD
                              || !g_utf8_validate (contact_id, -1, NULL)))
      || (client_id != NULL && (strlen (client_id) > CN_CALL_LOG_MAX_FIELD
                                || !g_utf8_validate (client_id, -1, NULL))))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s",
                               _("The call’s contact cannot be sent to the team backend."));
      return;
    }

  if (!prepare (task, config, REQUEST_INITIATE, SOUP_METHOD_POST,
                "/api/v1/outbound-calls/initiate"))
    return;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "recipient_number");
  json_builder_add_string_value (builder, number);
  json_builder_set_member_name (builder, "caller_id_number");
  json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "context_info");
  json_builder_begin_object (builder);
  set_optional_string (builder, "contact_id", contact_id);
  set_optional_string (builder, "client_id", client_id);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  body = g_bytes_new_take (text, strlen (text));

  request = g_task_get_task_data (task);
  soup_message_set_request_body_from_bytes (request->message, "application/json", body);
  cn_sync_fetch_async (request->session, request->message, INITIATE_MAX_BYTES, cancellable,
                       on_initiate_fetched, g_steal_pointer (&task));
}

gboolean
cn_outbound_calls_initiate_finish (GAsyncResult  *result,
                                   char         **task_id,
                                   GError       **error)
{
  g_autofree char *id = NULL;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == cn_outbound_calls_initiate_async, FALSE);

  id = g_task_propagate_pointer (G_TASK (result), error);
  if (id == NULL)
    return FALSE;

  if (task_id != NULL)
    *task_id = g_steal_pointer (&id);
  return TRUE;
}
