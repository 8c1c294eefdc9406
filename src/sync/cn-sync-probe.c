/* cn-sync-probe.c: "Test Connection" for the team backend and Ontraport
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-sync-probe"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "cn-secrets.h"
#include "cn-sync-json.h"
#include "cn-sync-probe.h"

#define READ_CHUNK 16384
/* Nesting a probe answer may have; the real ones have 3. */
#define PROBE_MAX_DEPTH 32
/* Characters of a server's own message shown in ours. */
#define SERVER_MESSAGE_MAX_CHARS 200


/* ---- fetch: one request, body read up to a bound ---- */

typedef struct {
  SoupSession  *session;
  SoupMessage  *message;
  GInputStream *stream;
  GByteArray   *body;
  gsize         max_bytes;
  gboolean      too_large;
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  g_clear_object (&fetch->stream);
  g_clear_object (&fetch->message);
  g_clear_object (&fetch->session);
  g_clear_pointer (&fetch->body, g_byte_array_unref);
  g_free (fetch);
}

static void
fetch_return_too_large (GTask *task)
{
  Fetch *fetch = g_task_get_task_data (task);

  /* Closing the stream would read the rest of the body; dropping the
   * connection does not. */
  fetch->too_large = TRUE;
  soup_session_abort (fetch->session);
  g_task_return_pointer (task, g_bytes_new (NULL, 0), (GDestroyNotify) g_bytes_unref);
}

static void
on_fetch_read (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Fetch *fetch = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result,
                                                              &error);
  GCancellable *cancellable;

  if (chunk == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (g_bytes_get_size (chunk) == 0)
    {
      g_input_stream_close_async (fetch->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      g_task_return_pointer (task, g_byte_array_free_to_bytes (g_steal_pointer (&fetch->body)),
                             (GDestroyNotify) g_bytes_unref);
      return;
    }

  if (fetch->body->len + g_bytes_get_size (chunk) > fetch->max_bytes)
    {
      fetch_return_too_large (task);
      return;
    }

  g_byte_array_append (fetch->body, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  cancellable = g_task_get_cancellable (task);
  g_input_stream_read_bytes_async (fetch->stream, READ_CHUNK, G_PRIORITY_DEFAULT, cancellable,
                                   on_fetch_read, g_steal_pointer (&task));
}

static void
on_fetch_sent (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Fetch *fetch = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;
  GCancellable *cancellable;

  fetch->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (fetch->stream == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  headers = soup_message_get_response_headers (fetch->message);
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
      && soup_message_headers_get_content_length (headers) > (goffset) fetch->max_bytes)
    {
      fetch_return_too_large (task);
      return;
    }

  cancellable = g_task_get_cancellable (task);
  g_input_stream_read_bytes_async (fetch->stream, READ_CHUNK, G_PRIORITY_DEFAULT, cancellable,
                                   on_fetch_read, g_steal_pointer (&task));
}

void
cn_sync_fetch_async (SoupSession         *session,
                     SoupMessage         *message,
                     gsize                max_bytes,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Fetch *fetch;

  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (SOUP_IS_MESSAGE (message));
  g_return_if_fail (soup_message_query_flags (message, SOUP_MESSAGE_NO_REDIRECT));

  fetch = g_new0 (Fetch, 1);
  fetch->session = g_object_ref (session);
  fetch->message = g_object_ref (message);
  fetch->body = g_byte_array_new ();
  fetch->max_bytes = max_bytes;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cn_sync_fetch_async);
  g_task_set_task_data (task, fetch, (GDestroyNotify) fetch_free);

  soup_session_send_async (session, message, G_PRIORITY_DEFAULT, cancellable, on_fetch_sent,
                           g_steal_pointer (&task));
}

GBytes *
cn_sync_fetch_finish (GAsyncResult  *result,
                      gboolean      *too_large,
                      GError       **error)
{
  Fetch *fetch;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cn_sync_fetch_async, NULL);

  fetch = g_task_get_task_data (G_TASK (result));
  if (too_large != NULL)
    *too_large = fetch->too_large;

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
cn_sync_json_nesting_ok (const char *text,
                         gsize       length,
                         guint       max_depth)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > max_depth)
            return FALSE;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }

  return TRUE;
}

char *
cn_sync_normalize_base_url (const char *url)
{
  char *copy = g_strstrip (g_strdup (url != NULL ? url : ""));
  gsize len = strlen (copy);

  while (len > 0 && copy[len - 1] == '/')
    copy[--len] = '\0';

  return copy;
}


/* ---- the probe ---- */

typedef struct {
  gboolean  ok;
  gint      code;       /* G_IO_ERROR code when not ok */
  char     *message;
} ProbeResult;

static void
probe_result_free (ProbeResult *result)
{
  g_free (result->message);
  g_free (result);
}

typedef struct {
  CnSyncTarget  target;
  SoupSession  *session;
  SoupMessage  *message;
  char         *secrets[2];   /* what must never show in a message */
} Probe;

static void
probe_free (Probe *probe)
{
  g_clear_object (&probe->message);
  if (probe->session != NULL)
    soup_session_abort (probe->session);
  g_clear_object (&probe->session);
  for (guint i = 0; i < G_N_ELEMENTS (probe->secrets); i++)
    g_clear_pointer (&probe->secrets[i], cn_secret_free);
  g_free (probe);
}

static void
probe_return (GTask      *task,
              gboolean    ok,
              gint        code,
              char       *message)
{
  ProbeResult *result = g_new0 (ProbeResult, 1);

  result->ok = ok;
  result->code = code;
  result->message = message;
  g_task_return_pointer (task, result, (GDestroyNotify) probe_result_free);
}

/* Replaces every copy of a secret in @text with "…". */
static char *
redact (char       *text,
        Probe      *probe)
{
  for (guint i = 0; i < G_N_ELEMENTS (probe->secrets); i++)
    {
      const char *secret = probe->secrets[i];
      GString *out;
      const char *hit;
      const char *rest;

      if (secret == NULL || *secret == '\0' || strstr (text, secret) == NULL)
        continue;

      out = g_string_new (NULL);
      rest = text;
      while ((hit = strstr (rest, secret)) != NULL)
        {
          g_string_append_len (out, rest, hit - rest);
          g_string_append (out, "…");
          rest = hit + strlen (secret);
        }
      g_string_append (out, rest);
      cn_secret_wipe (text, strlen (text));
      g_free (text);
      text = g_string_free (out, FALSE);
    }

  return text;
}

/* The server's own words from a JSON error body ("error" or "message" from
 * the backend; "data" or "message" from Ontraport), one short line, or NULL. */
static char *
server_words (Probe  *probe,
              GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *data = g_bytes_get_data (body, NULL);
  gsize length = g_bytes_get_size (body);
  static const char * const members[] = { "error", "message", "data" };
  g_autofree char *valid = NULL;
  char *line;

  if (!cn_sync_json_load (parser, data, length, G_MAXSIZE, PROBE_MAX_DEPTH)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;

  valid = cn_sync_json_first_string (json_node_get_object (json_parser_get_root (parser)),
                                     members, G_N_ELEMENTS (members));
  if (valid == NULL)
    return NULL;

  /* The first line, control characters out, at most so many characters. */
  line = cn_sync_first_line (valid, SERVER_MESSAGE_MAX_CHARS);
  if (line == NULL)
    return NULL;

  return redact (line, probe);
}

/* "<sentence> The server said: “…”." when it said something. */
static char *
with_server_words (Probe      *probe,
                   GBytes     *body,
                   char       *sentence)
{
  return cn_sync_with_server_words (sentence, server_words (probe, body));
}

/* scheme://host[:port] of a Location header, or NULL. */
static char *
redirect_target (SoupMessage *message)
{
  const char *location = soup_message_headers_get_one (soup_message_get_response_headers (message),
                                                       "Location");
  g_autoptr(GUri) uri = NULL;
  g_autofree char *host = NULL;

  if (location == NULL || strlen (location) > 2048)
    return NULL;

  uri = g_uri_parse_relative (soup_message_get_uri (message), location, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return NULL;

  host = g_utf8_make_valid (g_uri_get_host (uri), -1);
  for (char *p = host; *p != '\0'; p++)
    if ((guchar) *p < 0x20)
      *p = '?';

  if (g_uri_get_port (uri) > 0)
    return g_strdup_printf ("%s://%s:%d", g_uri_get_scheme (uri), host, g_uri_get_port (uri));
  return g_strdup_printf ("%s://%s", g_uri_get_scheme (uri), host);
}

/* A 2xx answer: is it the service we think it is? */
static void
judge_success (GTask  *task,
               Probe  *probe,
               GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *data = g_bytes_get_data (body, NULL);
  gsize length = g_bytes_get_size (body);
  gboolean backend = probe->target == CN_SYNC_TARGET_BACKEND;
  JsonObject *object = NULL;

  if (cn_sync_json_load (parser, data, length, G_MAXSIZE, PROBE_MAX_DEPTH)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    object = json_node_get_object (json_parser_get_root (parser));

  if (object == NULL)
    {
      probe_return (task, FALSE, G_IO_ERROR_INVALID_DATA,
                    g_strdup (backend
                              ? _("The server answered, but not like the team backend does (its "
                                  "answer is not JSON). Check the address.")
                              : _("The server answered, but not like Ontraport does (its answer "
                                  "is not JSON). Check the API address.")));
      return;
    }

  if (backend)
    {
      probe_return (task, TRUE, 0, g_strdup (_("Connected. The backend accepted the token.")));
      return;
    }

  /* Ontraport's envelope: {"code": 0, "data": …}. */
  {
    JsonNode *code = json_object_get_member (object, "code");

    if (code == NULL || !JSON_NODE_HOLDS_VALUE (code)
        || json_node_get_value_type (code) != G_TYPE_INT64)
      probe_return (task, FALSE, G_IO_ERROR_INVALID_DATA,
                    g_strdup (_("The server answered, but not like Ontraport does. Check the "
                                "API address.")));
    else if (json_node_get_int (code) != 0)
      probe_return (task, FALSE, G_IO_ERROR_FAILED,
                    with_server_words (probe, body,
                                       g_strdup_printf (_("Ontraport answered with error code "
                                                          "%lld."),
                                                        (long long) json_node_get_int (code))));
    else
      probe_return (task, TRUE, 0,
                    g_strdup (_("Connected. Ontraport accepted the App ID and API Key.")));
  }
}

static void
judge_status (GTask       *task,
              Probe       *probe,
              guint        status,
              GBytes      *body,
              gboolean     too_large)
{
  gboolean backend = probe->target == CN_SYNC_TARGET_BACKEND;
  char *sentence;

  if (status >= 200 && status < 300)
    {
      if (too_large)
        probe_return (task, FALSE, G_IO_ERROR_MESSAGE_TOO_LARGE,
                      g_strdup (_("The server answered with far more than expected; this does "
                                  "not look like the right address.")));
      else
        judge_success (task, probe, body);
      return;
    }

  if (status >= 300 && status < 400)
    {
      g_autofree char *target = redirect_target (probe->message);

      if (target != NULL)
        /* Translators: %u is an HTTP status, %s an address like https://example.com */
        sentence = g_strdup_printf (_("The server answered %u and points to %s instead. Redirects "
                                      "are not followed, so that credentials only go to the "
                                      "address entered here; if the new address is right, enter "
                                      "it instead."), status, target);
      else
        sentence = g_strdup_printf (_("The server answered %u and points elsewhere. Redirects "
                                      "are not followed, so that credentials only go to the "
                                      "address entered here."), status);
      probe_return (task, FALSE, G_IO_ERROR_FAILED, sentence);
      return;
    }

  switch (status)
    {
    case 401:
      sentence = g_strdup (backend
                           ? _("The server answered 401: the token was not accepted.")
                           : _("The server answered 401: the App ID and API Key were not "
                               "accepted."));
      probe_return (task, FALSE, G_IO_ERROR_PERMISSION_DENIED,
                    with_server_words (probe, body, sentence));
      return;

    case 403:
      sentence = g_strdup (backend
                           ? _("The server answered 403: the token is known but may not read "
                               "calls.")
                           : _("The server answered 403: this API key may not read contacts."));
      probe_return (task, FALSE, G_IO_ERROR_PERMISSION_DENIED,
                    with_server_words (probe, body, sentence));
      return;

    case 404:
      sentence = g_strdup (backend
                           ? _("The server answered 404: there is no team backend at this "
                               "address. Check it (without /api at the end).")
                           : _("The server answered 404: check the API address."));
      probe_return (task, FALSE, G_IO_ERROR_NOT_FOUND, sentence);
      return;

    case 429:
      probe_return (task, FALSE, G_IO_ERROR_BUSY,
                    g_strdup (_("The server answered 429: too many requests right now. Try "
                                "again in a minute.")));
      return;

    default:
      break;
    }

  if (status >= 500)
    /* Translators: %u is an HTTP status such as 502 */
    sentence = g_strdup_printf (_("The server answered %u: it has a problem right now. Try again "
                                  "later."), status);
  else
    /* Translators: %u is an HTTP status such as 400 */
    sentence = g_strdup_printf (_("The server answered %u."), status);

  probe_return (task, FALSE, G_IO_ERROR_FAILED, with_server_words (probe, body, sentence));
}

static char *
transport_words (SoupMessage  *message,
                 const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_strdup_printf (_("Could not connect: the server did not answer within %d seconds."),
                            CN_SYNC_PROBE_TIMEOUT_SECONDS);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_strdup (_("Could not connect: the server refused the connection. Check the address "
                       "and port."));
  if (error->domain == G_RESOLVER_ERROR)
    return g_strdup (_("Could not connect: the server’s name was not found. Check the address "
                       "and the network."));
  if (error->domain == G_TLS_ERROR)
    {
      g_autofree char *words = cn_sync_tls_words (message, error);

      /* Translators: %s says what is wrong, e.g. "the server’s certificate has expired" */
      return g_strdup_printf (_("Could not connect securely: %s. Callnotes does not connect "
                                "to a server it cannot verify."), words);
    }

  /* Translators: %s is the network library's reason */
  return g_strdup_printf (_("Could not connect: %s."), error->message);
}

static void
on_probe_fetched (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Probe *probe = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  gboolean too_large = FALSE;

  body = cn_sync_fetch_finish (result, &too_large, &error);
  if (body == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        probe_return (task, FALSE, error->domain == G_IO_ERROR ? error->code : G_IO_ERROR_FAILED,
                      redact (transport_words (probe->message, error), probe));
      return;
    }

  judge_status (task, probe, soup_message_get_status (probe->message), body, too_large);
}

/* Checks a credential before it goes into a header; FALSE with words that
 * never contain it. */
static gboolean
check_credential (GTask      *task,
                  const char *value,
                  const char *missing,
                  const char *unusable_format)
{
  g_autoptr(GError) error = NULL;

  if (value == NULL || *value == '\0')
    {
      probe_return (task, FALSE, G_IO_ERROR_INVALID_ARGUMENT, g_strdup (missing));
      return FALSE;
    }

  if (!cn_secret_check_value (value, -1, &error))
    {
      probe_return (task, FALSE, G_IO_ERROR_INVALID_ARGUMENT,
                    g_strdup_printf (unusable_format, error->message));
      return FALSE;
    }

  return TRUE;
}

void
cn_sync_test_connection_async (const CnSyncConfig  *config,
                               CnSyncTarget         target,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL;
  g_autofree char *url = NULL;
  SoupMessageHeaders *headers;
  Probe *probe;
  gboolean backend;

  g_return_if_fail (config != NULL);
  g_return_if_fail (target == CN_SYNC_TARGET_BACKEND || target == CN_SYNC_TARGET_ONTRAPORT_NOTE);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  backend = target == CN_SYNC_TARGET_BACKEND;
  probe = g_new0 (Probe, 1);
  probe->target = target;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cn_sync_test_connection_async);
  g_task_set_task_data (task, probe, (GDestroyNotify) probe_free);

  base = cn_sync_normalize_base_url (backend ? config->backend_url : config->ontraport_base_url);
  if (*base == '\0')
    {
      probe_return (task, FALSE, G_IO_ERROR_INVALID_ARGUMENT,
                    g_strdup (backend ? _("Enter the server address first.")
                                      : _("Enter the API address first.")));
      return;
    }
  if (!cn_sync_check_base_url (base, &error))
    {
      probe_return (task, FALSE, G_IO_ERROR_INVALID_ARGUMENT, g_strdup (error->message));
      return;
    }

  if (backend)
    {
      if (!check_credential (task, config->backend_token, _("Enter the access token first."),
                             /* Translators: %s says what is wrong with the token */
                             _("The access token cannot be sent: %s")))
        return;
      probe->secrets[0] = g_strdup (config->backend_token);
      url = g_strconcat (base, "/api/v1/outbound-calls?status=pending&page=1&limit=1", NULL);
    }
  else
    {
      if (!check_credential (task, config->ontraport_app_id, _("Enter the App ID first."),
                             /* Translators: %s says what is wrong with the App ID */
                             _("The App ID cannot be sent: %s"))
          || !check_credential (task, config->ontraport_api_key, _("Enter the API key first."),
                                /* Translators: %s says what is wrong with the key */
                                _("The API key cannot be sent: %s")))
        return;
      probe->secrets[0] = g_strdup (config->ontraport_app_id);
      probe->secrets[1] = g_strdup (config->ontraport_api_key);
      url = g_strconcat (base, "/objects?objectID=0&range=1", NULL);
    }

  probe->message = soup_message_new (SOUP_METHOD_GET, url);
  if (probe->message == NULL)
    {
      probe_return (task, FALSE, G_IO_ERROR_INVALID_ARGUMENT,
                    g_strdup (_("This is not a valid web address. Enter one like "
                                "https://crm.example.com.")));
      return;
    }

  /* Never followed: a redirect to another host would carry the credentials. */
  soup_message_add_flags (probe->message, SOUP_MESSAGE_NO_REDIRECT);
  headers = soup_message_get_request_headers (probe->message);
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (backend)
    {
      g_autofree char *value = g_strconcat ("Bearer ", config->backend_token, NULL);

      soup_message_headers_replace (headers, "Authorization", value);
      cn_secret_wipe (value, strlen (value));
    }
  else
    {
      soup_message_headers_replace (headers, "Api-Appid", config->ontraport_app_id);
      soup_message_headers_replace (headers, "Api-Key", config->ontraport_api_key);
    }

  probe->session = cn_sync_session_new (CN_SYNC_PROBE_TIMEOUT_SECONDS);

  cn_sync_fetch_async (probe->session, probe->message, CN_SYNC_PROBE_MAX_BYTES, cancellable,
                       on_probe_fetched, g_steal_pointer (&task));
}

gboolean
cn_sync_test_connection_finish (GAsyncResult  *result,
                                char         **message,
                                GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  ProbeResult *answer;
  gboolean ok;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cn_sync_test_connection_async,
                        FALSE);

  answer = g_task_propagate_pointer (G_TASK (result), &local_error);
  if (answer == NULL)
    {
      if (message != NULL)
        *message = g_strdup (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                             ? _("The test was cancelled.")
                             : local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  ok = answer->ok;
  if (!ok)
    g_set_error_literal (error, G_IO_ERROR, answer->code, answer->message);
  if (message != NULL)
    *message = g_steal_pointer (&answer->message);
  probe_result_free (answer);

  return ok;
}
