/* cn-sync-requests.c: request bodies and answer classification
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-sync"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "cn-backoff.h"
#include "cn-format.h"
#include "cn-outcome.h"
#include "cn-sync-requests.h"

/* Longest server message kept (characters). */
#define MAX_SERVER_MESSAGE 300

static void
add_string_or_null (JsonBuilder *builder,
                    const char  *name,
                    const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL && *value != '\0')
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static char *
builder_to_string (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

char *
cn_sync_backend_body (CnCallLog *log)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *created_at = NULL;
  const char *phone;
  gint64 duration;
  gint64 follow_up;

  g_return_val_if_fail (CN_IS_CALL_LOG (log), NULL);

  phone = cn_call_log_get_phone (log);
  if (phone == NULL || *phone == '\0')
    phone = cn_call_log_get_phone_raw (log);
  duration = cn_call_log_get_duration (log);
  follow_up = cn_call_log_get_follow_up (log);
  created_at = cn_format_iso8601_utc (cn_call_log_get_created_at (log));

  json_builder_begin_object (builder);
  add_string_or_null (builder, "client_id", cn_call_log_get_uuid (log));
  add_string_or_null (builder, "contact_id", cn_call_log_get_contact_id (log));
  add_string_or_null (builder, "contact_name", cn_call_log_get_contact_name (log));
  add_string_or_null (builder, "phone", phone);
  add_string_or_null (builder, "direction", cn_call_log_get_direction (log));
  add_string_or_null (builder, "outcome", cn_outcome_to_string (cn_call_log_get_outcome (log)));
  json_builder_set_member_name (builder, "duration_seconds");
  if (duration >= 0)
    json_builder_add_int_value (builder, duration);
  else
    json_builder_add_null_value (builder);
  add_string_or_null (builder, "notes", cn_call_log_get_notes (log));
  json_builder_set_member_name (builder, "follow_up_date");
  if (follow_up != 0)
    {
      g_autofree char *text = cn_format_iso8601_utc (follow_up);

      json_builder_add_string_value (builder, text);
    }
  else
    {
      json_builder_add_null_value (builder);
    }
  add_string_or_null (builder, "created_at", created_at);
  json_builder_end_object (builder);

  return builder_to_string (builder);
}

/* The contact as the note and task name it: the name, else the number. */
static const char *
contact_label (CnCallLog *log)
{
  const char *name = cn_call_log_get_contact_name (log);

  if (name != NULL && *name != '\0')
    return name;

  name = cn_call_log_get_phone (log);
  if (name != NULL && *name != '\0')
    return name;

  name = cn_call_log_get_phone_raw (log);
  return name != NULL ? name : "";
}

/* Outcome words in the CRM record: the team reads them in the CRM's language,
 * not the agent's, so they are not translated. */
static const char *
outcome_words (CnOutcome outcome)
{
  switch (outcome)
    {
    case CN_OUTCOME_CONNECTED:
      return "Connected";
    case CN_OUTCOME_VOICEMAIL:
      return "Voicemail";
    case CN_OUTCOME_NO_ANSWER:
      return "No Answer";
    case CN_OUTCOME_BUSY:
      return "Busy";
    case CN_OUTCOME_NONE:
    default:
      return "Call";
    }
}

char *
cn_sync_note_text (CnCallLog *log)
{
  GString *text = g_string_new (NULL);
  const char *notes;

  g_return_val_if_fail (CN_IS_CALL_LOG (log), NULL);

  notes = cn_call_log_get_notes (log);
  g_string_append_printf (text, "Call Logged — %s\nContact: %s",
                          outcome_words (cn_call_log_get_outcome (log)), contact_label (log));
  if (notes != NULL && *notes != '\0')
    g_string_append_printf (text, "\n\nNotes:\n%s", notes);
  g_string_append_printf (text, "\n\nRef: %s", cn_call_log_get_uuid (log));

  return g_string_free (text, FALSE);
}

char *
cn_sync_task_subject (CnCallLog *log)
{
  g_return_val_if_fail (CN_IS_CALL_LOG (log), NULL);

  return g_strdup_printf ("Follow up: Call with %s", contact_label (log));
}

char *
cn_sync_task_payload (CnCallLog *log)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *subject = cn_sync_task_subject (log);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "subject");
  json_builder_add_string_value (builder, subject);
  json_builder_set_member_name (builder, "due_date");
  json_builder_add_int_value (builder, cn_call_log_get_follow_up (log));
  json_builder_end_object (builder);

  return builder_to_string (builder);
}

gboolean
cn_sync_task_payload_parse (const char  *payload,
                            char       **subject,
                            gint64      *due)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;

  if (payload == NULL || !json_parser_load_from_data (parser, payload, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;

  object = json_node_get_object (json_parser_get_root (parser));
  if (!json_object_has_member (object, "subject") || !json_object_has_member (object, "due_date"))
    return FALSE;

  *subject = g_strdup (json_object_get_string_member (object, "subject"));
  *due = json_object_get_int_member (object, "due_date");

  return *subject != NULL && *due > 0;
}

char *
cn_sync_ontraport_note_body (guint64     contact_id,
                             const char *text)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "objectID");
  json_builder_add_int_value (builder, 12);
  json_builder_set_member_name (builder, "contact_id");
  json_builder_add_int_value (builder, (gint64) contact_id);
  json_builder_set_member_name (builder, "data");
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);

  return builder_to_string (builder);
}

char *
cn_sync_ontraport_task_body (guint64     contact_id,
                             guint       object_id,
                             const char *subject,
                             gint64      due)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "objectID");
  json_builder_add_int_value (builder, object_id);
  json_builder_set_member_name (builder, "contact_id");
  json_builder_add_int_value (builder, (gint64) contact_id);
  json_builder_set_member_name (builder, "subject");
  json_builder_add_string_value (builder, subject);
  json_builder_set_member_name (builder, "due_date");
  json_builder_add_int_value (builder, due);
  json_builder_set_member_name (builder, "status");
  json_builder_add_int_value (builder, 0);
  json_builder_end_object (builder);

  return builder_to_string (builder);
}

char *
cn_sync_ontraport_assign_body (guint64 contact_id,
                               guint   template_id,
                               guint   owner_id,
                               gint64  due)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "object_type_id");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "ids");
  json_builder_begin_array (builder);
  json_builder_add_int_value (builder, (gint64) contact_id);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "message");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, template_id);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "Task");
  json_builder_set_member_name (builder, "due_date");
  json_builder_add_int_value (builder, due);
  json_builder_set_member_name (builder, "task_owner");
  json_builder_add_int_value (builder, owner_id);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  return builder_to_string (builder);
}

/* One {"field":{"field":F},"op":OP,"value":{"value":V}} of a condition. */
static void
add_condition (JsonBuilder *builder,
               const char  *field,
               const char  *op,
               const char  *string_value,
               gint64       int_value)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "field");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "field");
  json_builder_add_string_value (builder, field);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "op");
  json_builder_add_string_value (builder, op);
  json_builder_set_member_name (builder, "value");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "value");
  if (string_value != NULL)
    json_builder_add_string_value (builder, string_value);
  else
    json_builder_add_int_value (builder, int_value);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
}

char *
cn_sync_condition_phone (const char *last_ten_digits)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *pattern = g_strconcat ("%", last_ten_digits, NULL);

  json_builder_begin_array (builder);
  add_condition (builder, "office_phone", "LIKE", pattern, 0);
  json_builder_add_string_value (builder, "OR");
  add_condition (builder, "sms_number", "LIKE", pattern, 0);
  json_builder_end_array (builder);

  return builder_to_string (builder);
}

char *
cn_sync_condition_note_ref (guint64     contact_id,
                            const char *uuid)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *pattern = g_strdup_printf ("%%Ref: %s%%", uuid);

  json_builder_begin_array (builder);
  add_condition (builder, "contact_id", "=", NULL, (gint64) contact_id);
  json_builder_add_string_value (builder, "AND");
  add_condition (builder, "data", "LIKE", pattern, 0);
  json_builder_end_array (builder);

  return builder_to_string (builder);
}

char *
cn_sync_condition_task (guint64     contact_id,
                        const char *subject,
                        gint64      due)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  add_condition (builder, "contact_id", "=", NULL, (gint64) contact_id);
  if (subject != NULL)
    {
      json_builder_add_string_value (builder, "AND");
      add_condition (builder, "subject", "=", subject, 0);
    }
  json_builder_add_string_value (builder, "AND");
  add_condition (builder, "due_date", "=", NULL, due);
  json_builder_end_array (builder);

  return builder_to_string (builder);
}

gboolean
cn_sync_parse_contact_id (const char *text,
                          guint64    *contact_id)
{
  guint64 value = 0;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    return FALSE;

  *contact_id = value;
  return TRUE;
}

void
cn_answer_clear (CnAnswer *answer)
{
  g_clear_pointer (&answer->remote_id, g_free);
  g_clear_pointer (&answer->message, g_free);
}

/* Parses @body as a JSON object; NULL when it is not one. */
static JsonObject *
parse_object (const char  *body,
              gsize        length,
              JsonParser **parser_out)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (body == NULL || length == 0 || length > CN_SYNC_MAX_ANSWER_BYTES)
    return NULL;

  if (!json_parser_load_from_data (parser, body, (gssize) length, NULL))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  *parser_out = g_steal_pointer (&parser);
  return json_node_get_object (root);
}

/* An id member as text: a JSON number or a non-empty string. */
static char *
dup_id (JsonObject *object)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, "id"))
    return NULL;

  node = json_object_get_member (object, "id");
  if (!JSON_NODE_HOLDS_VALUE (node))
    return NULL;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_STRING:
      {
        const char *text = json_node_get_string (node);

        if (text == NULL || *text == '\0' || strlen (text) > 64 || !g_utf8_validate (text, -1, NULL))
          return NULL;
        return g_strdup (text);
      }
    default:
      return NULL;
    }
}

/* A short, printable excerpt of what the server said. */
static char *
server_words (const char *text)
{
  g_autofree char *valid = NULL;
  GString *out;
  guint n = 0;

  if (text == NULL)
    return NULL;

  valid = g_utf8_make_valid (text, -1);
  out = g_string_new (NULL);
  for (const char *p = valid; *p != '\0' && n < MAX_SERVER_MESSAGE; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      g_string_append_unichar (out, g_unichar_iscntrl (c) ? ' ' : c);
    }
  if (n == MAX_SERVER_MESSAGE)
    g_string_append (out, "…");
  g_strstrip (out->str);

  if (out->str[0] == '\0')
    {
      g_string_free (out, TRUE);
      return NULL;
    }

  return g_string_free (out, FALSE);
}

/* The message of an error answer: {"error": "..."} (backend), {"data": "..."}
 * or {"message": ...} (Ontraport); NULL when there is none. */
static char *
error_message (const char *body,
               gsize       length)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object = parse_object (body, length, &parser);
  const char * const members[] = { "error", "message", "data" };

  if (object == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      JsonNode *node = json_object_get_member (object, members[i]);

      if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
          json_node_get_value_type (node) == G_TYPE_STRING)
        return server_words (json_node_get_string (node));
    }

  return NULL;
}

static gboolean
is_html (const char *content_type)
{
  return content_type != NULL && g_str_has_prefix (content_type, "text/html");
}

/* Sets @answer from a status outside 2xx (shared by both servers). */
static void
classify_failure (guint        status,
                  const char  *content_type,
                  const char  *body,
                  gsize        length,
                  gint64       retry_after,
                  gboolean     is_create,
                  CnAnswer    *answer)
{
  g_autofree char *words = is_html (content_type) ? NULL : error_message (body, length);

  answer->retry_after = retry_after;

  if (status == 401 || status == 403)
    {
      answer->kind = CN_ANSWER_AUTH;
      answer->message = status == 401
        ? g_strdup (_("The server did not accept the credentials (401). Check them in "
                      "Preferences → Accounts."))
        : g_strdup (_("The server refused access with these credentials (403). Check them in "
                      "Preferences → Accounts."));
      return;
    }

  if (status == 400 || status == 404 || status == 422 ||
      (status >= 400 && status < 500 && status != 408 && status != 409 && status != 425 &&
       status != 429))
    {
      answer->kind = CN_ANSWER_PERMANENT;
      if (words != NULL)
        answer->message = g_strdup_printf (_("The server refused the call log (%u): %s"),
                                           status, words);
      else if (status == 404)
        answer->message = g_strdup (_("The server does not know this address (404). Check the "
                                      "server address in Preferences → Accounts."));
      else if (status == 422)
        answer->message = g_strdup (_("The server already has a different version of this call "
                                      "log (422)."));
      else
        answer->message = g_strdup_printf (_("The server refused the call log (%u)."), status);
      return;
    }

  answer->kind = CN_ANSWER_TRANSIENT;
  /* A server error may come after the server acted; only a request that was
   * turned away before (429, 409, 503) is known not to have. */
  answer->outcome_unknown = is_create && status >= 500 && status != 503;

  if (status == 429)
    answer->message = g_strdup (_("The server asked to slow down (429); sending again later."));
  else if (status == 409)
    answer->message = g_strdup (_("The server is still working on this call log (409); "
                                  "checking again later."));
  else if (status >= 300 && status < 400)
    answer->message = g_strdup_printf (_("The server sent the request elsewhere (%u); it is not "
                                         "followed with your credentials. Trying again later."),
                                       status);
  else if (words != NULL)
    answer->message = g_strdup_printf (_("The server had a problem (%u): %s. Trying again later."),
                                       status, words);
  else
    answer->message = g_strdup_printf (_("The server had a problem (%u). Trying again later."),
                                       status);
}

void
cn_sync_classify_backend (guint        status,
                          const char  *content_type,
                          const char  *body,
                          gsize        body_length,
                          const char  *retry_after_header,
                          gint64       now,
                          CnAnswer    *answer)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object;

  memset (answer, 0, sizeof *answer);
  answer->retry_after = -1;

  if (status == 200 || status == 201)
    {
      object = parse_object (body, body_length, &parser);
      answer->remote_id = dup_id (object);
      if (answer->remote_id != NULL)
        {
          answer->kind = CN_ANSWER_DONE;
          return;
        }

      /* Taken in, but we cannot tell as what: the same key asks again. */
      answer->kind = CN_ANSWER_TRANSIENT;
      answer->outcome_unknown = TRUE;
      answer->message = g_strdup_printf (_("The server's answer could not be read (%u); asking "
                                           "again later."), status);
      return;
    }

  if (status >= 200 && status < 300)
    status = 502;  /* a 2xx without the promised body: treated as broken */

  classify_failure (status, content_type, body, body_length,
                    retry_after_header != NULL
                      ? cn_backoff_parse_retry_after (retry_after_header, now) : -1,
                    TRUE, answer);
}

void
cn_sync_classify_ontraport (guint        status,
                            const char  *content_type,
                            const char  *body,
                            gsize        body_length,
                            const char  *rate_limit_reset_header,
                            gboolean     is_create,
                            CnAnswer    *answer)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object;
  gint64 reset = -1;
  guint64 value = 0;

  memset (answer, 0, sizeof *answer);
  answer->retry_after = -1;

  if (rate_limit_reset_header != NULL)
    {
      g_autofree char *text = g_strstrip (g_strdup (rate_limit_reset_header));

      if (g_ascii_string_to_unsigned (text, 10, 0, 86400, &value, NULL))
        reset = (gint64) value;
    }

  if (status >= 200 && status < 300)
    {
      JsonNode *code;
      JsonNode *data;

      object = parse_object (body, body_length, &parser);
      code = object != NULL ? json_object_get_member (object, "code") : NULL;
      data = object != NULL ? json_object_get_member (object, "data") : NULL;

      if (code != NULL && JSON_NODE_HOLDS_VALUE (code) &&
          json_node_get_value_type (code) == G_TYPE_INT64 && data != NULL)
        {
          if (json_node_get_int (code) == 0)
            {
              answer->kind = CN_ANSWER_DONE;
              if (JSON_NODE_HOLDS_OBJECT (data))
                answer->remote_id = dup_id (json_node_get_object (data));
              return;
            }

          answer->kind = CN_ANSWER_PERMANENT;
          if (JSON_NODE_HOLDS_VALUE (data) && json_node_get_value_type (data) == G_TYPE_STRING)
            {
              g_autofree char *words = server_words (json_node_get_string (data));

              answer->message = g_strdup_printf (_("Ontraport refused it: %s"),
                                                 words != NULL ? words : "");
            }
          else
            {
              answer->message = g_strdup (_("Ontraport refused it."));
            }
          return;
        }

      answer->kind = CN_ANSWER_TRANSIENT;
      answer->outcome_unknown = is_create;
      answer->message = g_strdup_printf (_("Ontraport's answer could not be read (%u); "
                                           "checking again later."), status);
      return;
    }

  /* Every answer carries X-Rate-Limit-Reset; it is a wait only on a 429. */
  classify_failure (status, content_type, body, body_length, status == 429 ? reset : -1,
                    is_create, answer);
}

gboolean
cn_sync_parse_ontraport_ids (const char  *body,
                             gsize        body_length,
                             GPtrArray  **ids)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GPtrArray) found = NULL;
  JsonObject *object = parse_object (body, body_length, &parser);
  JsonNode *code;
  JsonNode *data;
  JsonArray *array;

  if (object == NULL)
    return FALSE;

  code = json_object_get_member (object, "code");
  data = json_object_get_member (object, "data");
  if (code == NULL || !JSON_NODE_HOLDS_VALUE (code) ||
      json_node_get_value_type (code) != G_TYPE_INT64 || json_node_get_int (code) != 0 ||
      data == NULL)
    return FALSE;

  found = g_ptr_array_new_with_free_func (g_free);

  /* An empty result may come as [] or as an empty object. */
  if (JSON_NODE_HOLDS_OBJECT (data) && json_object_get_size (json_node_get_object (data)) == 0)
    {
      *ids = g_steal_pointer (&found);
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_ARRAY (data))
    return FALSE;

  array = json_node_get_array (data);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      char *id;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return FALSE;
      id = dup_id (json_node_get_object (element));
      if (id == NULL)
        return FALSE;
      g_ptr_array_add (found, id);
    }

  *ids = g_steal_pointer (&found);
  return TRUE;
}
