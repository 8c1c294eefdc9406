/* cn-sync-json.c: reading the team backend's JSON answers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-sync-json"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "cn-call-log.h"
#include "cn-format.h"
#include "cn-secrets.h"
#include "cn-sync-json.h"
#include "cn-sync-probe.h"


/* ---- fields of a call ---- */

gboolean
cn_sync_json_invalid_call (GError     **error,
                           guint        index,
                           const char  *name,
                           const char  *problem_format)
{
  g_autofree char *problem = g_strdup_printf (problem_format, name);

  /* Translators: %u counts calls from 1; the %s says what is wrong */
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               _("The team backend’s answer could not be read: in call %u, %s."),
               index + 1, problem);
  return FALSE;
}

gboolean
cn_sync_json_read_text (JsonObject        *object,
                        guint              index,
                        const char        *name,
                        CnSyncFieldFlags   flags,
                        gsize              max_bytes,
                        char             **out,
                        GError           **error)
{
  JsonNode *node = json_object_get_member (object, name);
  const char *text;

  *out = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (flags & CN_SYNC_FIELD_REQUIRED)
        /* Translators: %s is a field name such as “created_at” */
        return cn_sync_json_invalid_call (error, index, name, _("“%s” is missing"));
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_VALUE (node))
    /* Translators: %s is a field name such as “notes” */
    return cn_sync_json_invalid_call (error, index, name, _("“%s” is not text"));

  if (json_node_get_value_type (node) == G_TYPE_INT64 && (flags & CN_SYNC_FIELD_NUMBER_OK))
    {
      *out = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      return TRUE;
    }

  if (json_node_get_value_type (node) != G_TYPE_STRING)
    return cn_sync_json_invalid_call (error, index, name, _("“%s” is not text"));

  text = json_node_get_string (node);
  if (strlen (text) > max_bytes || !g_utf8_validate (text, -1, NULL))
    /* Translators: %s is a field name such as “notes” */
    return cn_sync_json_invalid_call (error, index, name, _("“%s” is too long"));

  if ((flags & CN_SYNC_FIELD_REQUIRED) && *text == '\0')
    /* Translators: %s is a field name such as “id” */
    return cn_sync_json_invalid_call (error, index, name, _("“%s” is empty"));

  if (*text != '\0' || !(flags & CN_SYNC_FIELD_EMPTY_IS_NULL))
    *out = g_strdup (text);
  return TRUE;
}

gboolean
cn_sync_json_read_time (JsonObject        *object,
                        guint              index,
                        const char        *name,
                        CnSyncFieldFlags   flags,
                        gint64            *out,
                        GError           **error)
{
  g_autofree char *text = NULL;

  *out = 0;
  if (!cn_sync_json_read_text (object, index, name, flags, CN_CALL_LOG_MAX_FIELD, &text, error))
    return FALSE;
  if (text == NULL)
    return TRUE;

  if (!cn_parse_iso8601 (text, out) || *out <= 0 || *out >= CN_MAX_UNIX_SECONDS)
    /* Translators: %s is a field name such as “created_at” */
    return cn_sync_json_invalid_call (error, index, name, _("“%s” is not a date and time"));

  return TRUE;
}


/* ---- answers ---- */

gboolean
cn_sync_json_load (JsonParser *parser,
                   const char *body,
                   gsize       length,
                   gsize       max_bytes,
                   guint       max_depth)
{
  return body != NULL && length > 0 && length <= max_bytes
         && cn_sync_json_nesting_ok (body, length, max_depth)
         && json_parser_load_from_data (parser, body, (gssize) length, NULL);
}

char *
cn_sync_json_first_string (JsonObject         *object,
                           const char * const *members,
                           guint               n_members)
{
  for (guint i = 0; i < n_members; i++)
    {
      JsonNode *node = json_object_get_member (object, members[i]);

      if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
          && json_node_get_value_type (node) == G_TYPE_STRING)
        return g_utf8_make_valid (json_node_get_string (node), -1);
    }

  return NULL;
}

char *
cn_sync_first_line (char  *text,
                    guint  max_chars)
{
  GString *line = g_string_new (NULL);

  for (const char *p = g_strstrip (text); *p != '\0' && *p != '\n' && *p != '\r';
       p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_utf8_strlen (line->str, -1) >= max_chars)
        {
          g_string_append (line, "…");
          break;
        }
      if (!g_unichar_iscntrl (c))
        g_string_append_unichar (line, c);
    }

  if (line->len == 0)
    {
      g_string_free (line, TRUE);
      return NULL;
    }

  return g_string_free (line, FALSE);
}

char *
cn_sync_with_server_words (char *sentence,
                           char *words)
{
  char *message;

  if (words == NULL)
    return sentence;

  /* Translators: the first %s is a sentence of ours, the second the
   * server's own message */
  message = g_strdup_printf (_("%s The server said: “%s”."), sentence, words);
  g_free (sentence);
  g_free (words);
  return message;
}

gboolean
cn_sync_answer_is_html (SoupMessage *message)
{
  const char *type = soup_message_headers_get_content_type (
    soup_message_get_response_headers (message), NULL);

  return type != NULL && (g_ascii_strcasecmp (type, "text/html") == 0
                          || g_ascii_strcasecmp (type, "application/xhtml+xml") == 0);
}


/* ---- team backend errors ---- */

GError *
cn_sync_backend_transport_error (SoupMessage  *message,
                                 const GError *cause)
{
  gint code = cause->domain == G_IO_ERROR ? cause->code : G_IO_ERROR_FAILED;

  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new_literal (G_IO_ERROR, code,
                                _("The team backend could not be reached: it did not answer "
                                  "in time."));
  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_error_new_literal (G_IO_ERROR, code,
                                _("The team backend could not be reached: it refused the "
                                  "connection."));
  if (cause->domain == G_RESOLVER_ERROR)
    return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND,
                                _("The team backend could not be reached: its name was not found "
                                  "(no network?)."));
  if (cause->domain == G_TLS_ERROR)
    {
      g_autofree char *words = cn_sync_tls_words (message, cause);

      /* Translators: %s says what is wrong, e.g. "the server’s certificate has expired" */
      return g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                          _("The team backend could not be reached securely: %s."), words);
    }

  /* Translators: %s is the network library's reason */
  return g_error_new (G_IO_ERROR, code, _("The team backend could not be reached: %s."),
                      cause->message);
}

char *
cn_sync_tls_words (SoupMessage  *message,
                   const GError *cause)
{
  GTlsCertificateFlags flags = message != NULL
                               ? soup_message_get_tls_peer_certificate_errors (message) : 0;
  GString *words = g_string_new (NULL);

#define ADD_WORDS(text) \
  G_STMT_START {                                                 \
    if (words->len > 0)                                          \
      g_string_append (words, "; ");                             \
    g_string_append (words, text);                               \
  } G_STMT_END

  if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA)
    ADD_WORDS (_("the server’s certificate is not trusted: no certificate authority this "
                 "computer trusts has signed it"));
  if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY)
    ADD_WORDS (_("the server’s certificate was made for another host name, not the one in "
                 "the address"));
  if (flags & G_TLS_CERTIFICATE_EXPIRED)
    ADD_WORDS (_("the server’s certificate has expired"));
  if (flags & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    ADD_WORDS (_("the server’s certificate is not valid yet (check this computer’s date and "
                 "time)"));
  if (flags & G_TLS_CERTIFICATE_REVOKED)
    ADD_WORDS (_("the server’s certificate has been revoked"));
  if (flags & G_TLS_CERTIFICATE_INSECURE)
    ADD_WORDS (_("the server’s certificate uses insecure cryptography"));
  if (words->len == 0 && (flags & G_TLS_CERTIFICATE_GENERIC_ERROR))
    ADD_WORDS (_("the server’s certificate is not valid"));

#undef ADD_WORDS

  if (words->len == 0)
    {
      if (g_error_matches (cause, G_TLS_ERROR, G_TLS_ERROR_NOT_TLS))
        g_string_append (words, _("the server does not speak https at this address"));
      else
        /* Translators: %s is the TLS library's reason */
        g_string_append_printf (words, _("the secure connection failed (%s)"), cause->message);
    }

  return g_string_free (words, FALSE);
}

GError *
cn_sync_backend_status_error (guint status)
{
  if (status >= 300 && status < 400)
    /* Translators: %u is an HTTP status */
    return g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                        _("The team backend answered %u and points to another address; "
                          "redirects are not followed. Check the server address."), status);
  if (status == 401 || status == 403)
    /* Translators: %u is 401 or 403 */
    return g_error_new (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                        _("The team backend did not accept the access token (%u). Check it "
                          "in Preferences → Accounts."), status);
  if (status == 429)
    return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_BUSY,
                                _("The team backend is busy (429). Try again in a minute."));
  if (status >= 500)
    /* Translators: %u is an HTTP status such as 500 */
    return g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                        _("The team backend has a problem right now (%u). Try again later."),
                        status);

  return NULL;
}


/* ---- team backend requests ---- */

char *
cn_sync_backend_check_config (const CnSyncConfig  *config,
                              GError             **error)
{
  g_autofree char *base = cn_sync_normalize_base_url (config->backend_url);
  g_autoptr(GError) local_error = NULL;

  if (*base == '\0' || config->backend_token == NULL || *config->backend_token == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                           _("The team backend is not set up. Add its address and access "
                             "token in Preferences → Accounts."));
      return NULL;
    }

  if (!cn_sync_check_base_url (base, &local_error))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, local_error->message);
      return NULL;
    }

  if (!cn_secret_check_value (config->backend_token, -1, &local_error))
    {
      /* Translators: %s says what is wrong with the token (never the token) */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The access token cannot be sent: %s"), local_error->message);
      return NULL;
    }

  return g_steal_pointer (&base);
}

SoupMessage *
cn_sync_backend_message_new (const char  *method,
                             const char  *url,
                             const char  *token,
                             GError     **error)
{
  SoupMessage *message = soup_message_new (method, url);
  g_autofree char *authorization = NULL;
  SoupMessageHeaders *headers;

  if (message == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The team backend’s address is not valid. Check it in "
                             "Preferences → Accounts."));
      return NULL;
    }

  /* Never followed: a redirect to another host would carry the token. */
  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  headers = soup_message_get_request_headers (message);
  authorization = g_strconcat ("Bearer ", token, NULL);
  soup_message_headers_replace (headers, "Authorization", authorization);
  cn_secret_wipe (authorization, strlen (authorization));
  soup_message_headers_replace (headers, "Accept", "application/json");

  return message;
}

SoupSession *
cn_sync_session_new (guint timeout_seconds)
{
  /* TLS errors fail the request (libsoup's default); nothing here ignores
   * them. */
  return soup_session_new_with_options ("timeout", timeout_seconds,
                                        "idle-timeout", timeout_seconds,
                                        "max-conns", 1,
                                        "user-agent", "Callnotes/" PACKAGE_VERSION,
                                        NULL);
}
