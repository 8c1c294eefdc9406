/* cn-log-call-tool.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-log-call-tool"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cn-cli-private.h"
#include "cn-format.h"
#include "cn-log-call-tool.h"

/* How many of the newest logs the context looks through for a "dialed"
 * event when no draft is open. */
#define CONTEXT_SCAN_LOGS 20

#define FOLLOW_UP_PATTERN "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$"

static const char * const outcome_names[] = { "connected", "voicemail", "no_answer", "busy" };

/* The properties, in the order they are checked. */
static const char * const property_names[] = {
  "contactId", "contactName", "phone", "outcome", "notes", "followUpDate",
};

const char *
cn_log_call_tool_error_code (CnLogCallToolError code)
{
  switch (code)
    {
    case CN_LOG_CALL_TOOL_ERROR_INVALID_JSON: return "invalid_json";
    case CN_LOG_CALL_TOOL_ERROR_TOO_LARGE: return "too_large";
    case CN_LOG_CALL_TOOL_ERROR_INVALID_UTF8: return "invalid_utf8";
    case CN_LOG_CALL_TOOL_ERROR_NOT_OBJECT: return "not_object";
    case CN_LOG_CALL_TOOL_ERROR_UNKNOWN_PROPERTY: return "unknown_property";
    case CN_LOG_CALL_TOOL_ERROR_WRONG_TYPE: return "wrong_type";
    case CN_LOG_CALL_TOOL_ERROR_EMPTY: return "empty";
    case CN_LOG_CALL_TOOL_ERROR_TOO_LONG: return "too_long";
    case CN_LOG_CALL_TOOL_ERROR_BAD_ENUM: return "bad_enum";
    case CN_LOG_CALL_TOOL_ERROR_BAD_DATE: return "bad_date";
    case CN_LOG_CALL_TOOL_ERROR_PAST_DATE: return "past_date";
    case CN_LOG_CALL_TOOL_ERROR_BAD_PHONE: return "bad_phone";
    case CN_LOG_CALL_TOOL_ERROR_MISSING: return "missing";
    default: return "invalid";
    }
}

void
cn_tool_fault_free (CnToolFault *fault)
{
  if (fault == NULL)
    return;

  g_free (fault->field);
  g_strfreev (fault->fields);
  g_free (fault->message);
  g_free (fault);
}

static gboolean fail (CnToolFault        **fault,
                      CnLogCallToolError   code,
                      const char          *field,
                      const char          *format,
                      ...) G_GNUC_PRINTF (4, 5);

/* Sets *@fault (about @field, NULL: the whole) and returns FALSE. */
static gboolean
fail (CnToolFault        **fault,
      CnLogCallToolError   code,
      const char          *field,
      const char          *format,
      ...)
{
  CnToolFault *f = g_new0 (CnToolFault, 1);
  va_list args;

  f->code = code;
  f->field = g_strdup (field);
  f->fields = g_new0 (char *, 2);
  f->fields[0] = g_strdup (field);
  va_start (args, format);
  f->message = g_strdup_vprintf (format, args);
  va_end (args);

  g_assert (fault != NULL && *fault == NULL);
  *fault = f;
  return FALSE;
}

/* ---- schema ------------------------------------------------------------- */

static void
add_text_property (JsonBuilder *builder,
                   const char  *name,
                   const char  *description,
                   guint        max_chars,
                   gboolean     may_be_empty)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "string");
  json_builder_set_member_name (builder, "description");
  json_builder_add_string_value (builder, description);
  if (!may_be_empty)
    {
      json_builder_set_member_name (builder, "minLength");
      json_builder_add_int_value (builder, 1);
      /* Not only spaces. */
      json_builder_set_member_name (builder, "pattern");
      json_builder_add_string_value (builder, "\\S");
    }
  json_builder_set_member_name (builder, "maxLength");
  json_builder_add_int_value (builder, max_chars);
  json_builder_end_object (builder);
}

static char *
build_schema (void)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, CN_LOG_CALL_TOOL_NAME);
  json_builder_set_member_name (builder, "description");
  json_builder_add_string_value (builder,
                                 "Log a phone call the agent made in Callnotes: its outcome, "
                                 "notes and an optional follow-up. Give contactId or phone (or "
                                 "both). The log is saved and synced like one saved in the "
                                 "Callnotes logger; the result holds its uuid.");
  json_builder_set_member_name (builder, "parameters");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "object");

  json_builder_set_member_name (builder, "properties");
  json_builder_begin_object (builder);
  add_text_property (builder, "contactId", "The contact's ID in the CRM (Ontraport).",
                     CN_LOG_CALL_TOOL_MAX_FIELD_CHARS, FALSE);
  add_text_property (builder, "contactName", "The contact's name as the agent knows it.",
                     CN_LOG_CALL_TOOL_MAX_FIELD_CHARS, FALSE);
  add_text_property (builder, "phone",
                     "The number called, e.g. \"+1 555 123 4567\", or a tel: link. A national "
                     "number is completed with the default country code of the settings.",
                     CN_LOG_CALL_TOOL_MAX_FIELD_CHARS, FALSE);

  json_builder_set_member_name (builder, "outcome");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "string");
  json_builder_set_member_name (builder, "description");
  json_builder_add_string_value (builder, "How the call went.");
  json_builder_set_member_name (builder, "enum");
  json_builder_begin_array (builder);
  for (guint i = 0; i < G_N_ELEMENTS (outcome_names); i++)
    json_builder_add_string_value (builder, outcome_names[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  add_text_property (builder, "notes", "Notes about the call (plain text, may span lines).",
                     CN_LOG_CALL_TOOL_MAX_NOTES_CHARS, TRUE);

  json_builder_set_member_name (builder, "followUpDate");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "string");
  json_builder_set_member_name (builder, "description");
  json_builder_add_string_value (builder,
                                 "When to follow up: the agent's local date and time, "
                                 "YYYY-MM-DDTHH:MM (e.g. 2026-11-23T09:00), in the future.");
  json_builder_set_member_name (builder, "pattern");
  json_builder_add_string_value (builder, FOLLOW_UP_PATTERN);
  json_builder_end_object (builder);
  json_builder_end_object (builder);   /* properties */

  json_builder_set_member_name (builder, "required");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "outcome");
  json_builder_end_array (builder);

  /* At least one of contactId and phone. */
  json_builder_set_member_name (builder, "anyOf");
  json_builder_begin_array (builder);
  for (guint i = 0; i < 2; i++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "required");
      json_builder_begin_array (builder);
      json_builder_add_string_value (builder, i == 0 ? "contactId" : "phone");
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "additionalProperties");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_end_object (builder);   /* parameters */
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

const char *
cn_log_call_tool_get_schema (void)
{
  static char *schema = NULL;

  if (g_once_init_enter (&schema))
    g_once_init_leave (&schema, build_schema ());

  return schema;
}

/* ---- validation --------------------------------------------------------- */

static gboolean
is_known_property (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (property_names); i++)
    if (g_str_equal (name, property_names[i]))
      return TRUE;

  return FALSE;
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      return FALSE;

  return TRUE;
}

/* The string member @name of @object: *@value NULL when absent. */
static gboolean
get_text (JsonObject   *object,
          const char   *name,
          guint         max_chars,
          gboolean      may_be_empty,
          const char  **value,
          CnToolFault **fault)
{
  JsonNode *node = json_object_get_member (object, name);
  const char *text;

  *value = NULL;
  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fail (fault, CN_LOG_CALL_TOOL_ERROR_WRONG_TYPE, name,
                 /* Translators: %s is an argument name such as "phone" */
                 _("“%s” must be a string."), name);

  text = json_node_get_string (node);
  if (!g_utf8_validate (text, -1, NULL))
    return fail (fault, CN_LOG_CALL_TOOL_ERROR_INVALID_UTF8, name,
                 _("“%s” is not valid UTF-8 text."), name);
  if (!may_be_empty && is_blank (text))
    return fail (fault, CN_LOG_CALL_TOOL_ERROR_EMPTY, name,
                 _("“%s” must not be empty; leave it out instead."), name);
  if (g_utf8_strlen (text, -1) > (glong) max_chars)
    return fail (fault, CN_LOG_CALL_TOOL_ERROR_TOO_LONG, name,
                 /* Translators: %s is an argument name, %u a number of characters */
                 _("“%s” is too long (at most %u characters)."), name, max_chars);

  *value = text;
  return TRUE;
}

/* "YYYY-MM-DDTHH:MM" exactly (cn_parse_local_datetime also takes a space). */
static gboolean
matches_follow_up_pattern (const char *text)
{
  static const char shape[] = "dddd-dd-ddTdd:dd";

  if (strlen (text) != strlen (shape))
    return FALSE;

  for (guint i = 0; shape[i] != '\0'; i++)
    if (shape[i] == 'd' ? !g_ascii_isdigit (text[i]) : text[i] != shape[i])
      return FALSE;

  return TRUE;
}

/* An escaped NUL ("\u0000") would cut a string short without a word. */
static gboolean
has_escaped_nul (const char *text,
                 gsize       length)
{
  for (gsize i = 0; i < length; i++)
    {
      gsize run = 0;

      while (i < length && text[i] == '\\')
        {
          run++;
          i++;
        }
      if (run % 2 == 1 && length - i >= 5 && g_ascii_strncasecmp (text + i, "u0000", 5) == 0)
        return TRUE;
    }

  return FALSE;
}

CnCallLog *
cn_log_call_tool_parse (const char   *arguments,
                        gssize        length,
                        const char   *default_country_code,
                        gint64        now,
                        CnToolFault **fault)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CnCallLog) log = NULL;
  JsonNode *root;
  JsonObject *object;
  g_autoptr(GList) members = NULL;
  const char *contact_id, *contact_name, *phone, *outcome_text, *notes, *follow_up_text;
  CnOutcome outcome = CN_OUTCOME_NONE;
  gint64 follow_up = 0;

  g_return_val_if_fail (arguments != NULL, NULL);
  g_return_val_if_fail (fault != NULL && *fault == NULL, NULL);

  if (length < 0)
    length = strnlen (arguments, CN_LOG_CALL_TOOL_MAX_ARGUMENTS + 1);

  if ((gsize) length > CN_LOG_CALL_TOOL_MAX_ARGUMENTS)
    {
      fail (fault, CN_LOG_CALL_TOOL_ERROR_TOO_LARGE, NULL,
            /* Translators: %u is a size in KiB */
            _("The arguments are too large (at most %u KiB)."),
            CN_LOG_CALL_TOOL_MAX_ARGUMENTS / 1024);
      return NULL;
    }

  if (!g_utf8_validate_len (arguments, length, NULL))
    {
      fail (fault, CN_LOG_CALL_TOOL_ERROR_INVALID_UTF8, NULL,
            _("The arguments are not valid UTF-8 text."));
      return NULL;
    }

  if (has_escaped_nul (arguments, length))
    {
      fail (fault, CN_LOG_CALL_TOOL_ERROR_INVALID_JSON, NULL,
            _("The arguments contain a NUL character (\\u0000)."));
      return NULL;
    }

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, arguments, length, &error))
    {
      fail (fault, CN_LOG_CALL_TOOL_ERROR_INVALID_JSON, NULL,
            _("The arguments are not valid JSON: %s"), error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      fail (fault, CN_LOG_CALL_TOOL_ERROR_INVALID_JSON, NULL,
            _("The arguments are empty; give a JSON object."));
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      fail (fault, CN_LOG_CALL_TOOL_ERROR_NOT_OBJECT, NULL,
            _("The arguments must be a JSON object."));
      return NULL;
    }
  object = json_node_get_object (root);

  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    if (!is_known_property (l->data))
      {
        g_autofree char *shown = g_utf8_make_valid (l->data, MIN (strlen (l->data), 64));

        fail (fault, CN_LOG_CALL_TOOL_ERROR_UNKNOWN_PROPERTY, shown,
              /* Translators: %s is a name the caller sent; the list names the known ones */
              _("Unknown argument “%s”; the arguments are contactId, contactName, phone, "
                "outcome, notes and followUpDate."), shown);
        return NULL;
      }

  if (!get_text (object, "contactId", CN_LOG_CALL_TOOL_MAX_FIELD_CHARS, FALSE, &contact_id,
                 fault) ||
      !get_text (object, "contactName", CN_LOG_CALL_TOOL_MAX_FIELD_CHARS, FALSE, &contact_name,
                 fault) ||
      !get_text (object, "phone", CN_LOG_CALL_TOOL_MAX_FIELD_CHARS, FALSE, &phone, fault) ||
      !get_text (object, "outcome", CN_LOG_CALL_TOOL_MAX_FIELD_CHARS, TRUE, &outcome_text,
                 fault) ||
      !get_text (object, "notes", CN_LOG_CALL_TOOL_MAX_NOTES_CHARS, TRUE, &notes, fault) ||
      !get_text (object, "followUpDate", CN_LOG_CALL_TOOL_MAX_FIELD_CHARS, TRUE,
                 &follow_up_text, fault))
    return NULL;

  if (outcome_text == NULL)
    {
      fail (fault, CN_LOG_CALL_TOOL_ERROR_MISSING, "outcome",
            _("“outcome” is required: one of connected, voicemail, no_answer, busy."));
      return NULL;
    }

  for (guint i = 0; i < G_N_ELEMENTS (outcome_names); i++)
    if (g_str_equal (outcome_text, outcome_names[i]))
      cn_outcome_from_string (outcome_text, &outcome);
  if (outcome == CN_OUTCOME_NONE)
    {
      g_autofree char *shown = g_utf8_substring (outcome_text, 0,
                                                 MIN (g_utf8_strlen (outcome_text, -1), 40));

      fail (fault, CN_LOG_CALL_TOOL_ERROR_BAD_ENUM, "outcome",
            _("“outcome” is “%s”; it must be one of connected, voicemail, no_answer, busy."),
            shown);
      return NULL;
    }

  if (contact_id == NULL && phone == NULL)
    {
      fail (fault, CN_LOG_CALL_TOOL_ERROR_MISSING, "contactId",
            _("Give “contactId” or “phone” (or both)."));
      g_strfreev ((*fault)->fields);
      (*fault)->fields = g_strsplit ("contactId,phone", ",", -1);
      return NULL;
    }

  if (follow_up_text != NULL)
    {
      if (!matches_follow_up_pattern (follow_up_text) ||
          !cn_parse_local_datetime (follow_up_text, NULL, &follow_up))
        {
          g_autofree char *shown = g_utf8_substring (follow_up_text, 0,
                                                     MIN (g_utf8_strlen (follow_up_text, -1), 40));

          fail (fault, CN_LOG_CALL_TOOL_ERROR_BAD_DATE, "followUpDate",
                _("“followUpDate” is “%s”, not a local date and time like 2026-11-23T09:00 "
                  "that exists."), shown);
          return NULL;
        }

      if (follow_up <= now)
        {
          fail (fault, CN_LOG_CALL_TOOL_ERROR_PAST_DATE, "followUpDate",
                _("“followUpDate” %s is not in the future."), follow_up_text);
          return NULL;
        }
    }

  log = cn_call_log_new_with_uuid ();

  if (phone != NULL && !cn_cli_parse_phone_argument (phone, default_country_code, log, &error))
    {
      fail (fault, CN_LOG_CALL_TOOL_ERROR_BAD_PHONE, "phone", "%s", error->message);
      return NULL;
    }

  /* What the caller gave wins over what a tel: link suggested. */
  cn_call_log_set_outcome (log, outcome);
  if (contact_id != NULL)
    cn_call_log_set_contact_id (log, contact_id);
  if (contact_name != NULL)
    cn_call_log_set_contact_name (log, contact_name);
  if (notes != NULL && *notes != '\0')
    cn_call_log_set_notes (log, notes);
  cn_call_log_set_follow_up (log, follow_up);

  if (!cn_call_log_validate (log, &error))
    {
      fail (fault, CN_LOG_CALL_TOOL_ERROR_TOO_LONG, NULL, "%s", error->message);
      return NULL;
    }

  return g_steal_pointer (&log);
}

/* ---- results ------------------------------------------------------------ */

static char *
to_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

char *
cn_log_call_tool_result_json (CnCallLog *log)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (CN_IS_CALL_LOG (log), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ok");
  json_builder_add_boolean_value (builder, TRUE);
  cn_cli_add_string_or_null (builder, "uuid", cn_call_log_get_uuid (log));
  cn_cli_add_string_or_null (builder, "phone", cn_call_log_get_phone (log));
  cn_cli_add_string_or_null (builder, "contactId", cn_call_log_get_contact_id (log));
  cn_cli_add_string_or_null (builder, "contactName", cn_call_log_get_contact_name (log));
  cn_cli_add_string_or_null (builder, "outcome",
                             cn_outcome_to_string (cn_call_log_get_outcome (log)));
  cn_cli_add_time_or_null (builder, "followUpDate", cn_call_log_get_follow_up (log));
  json_builder_end_object (builder);

  return to_json (builder);
}

char *
cn_log_call_tool_fault_json (const CnToolFault *fault)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (fault != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ok");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, cn_log_call_tool_error_code (fault->code));
  cn_cli_add_string_or_null (builder, "field", fault->field);
  json_builder_set_member_name (builder, "fields");
  json_builder_begin_array (builder);
  for (guint i = 0; fault->fields != NULL && fault->fields[i] != NULL; i++)
    json_builder_add_string_value (builder, fault->fields[i]);
  json_builder_end_array (builder);
  cn_cli_add_string_or_null (builder, "message", fault->message);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  return to_json (builder);
}

/* ---- context ------------------------------------------------------------ */

CnToolContext *
cn_tool_context_new (CnToolContextState  state,
                     CnCallLog          *log,
                     gint64              started_at)
{
  CnToolContext *context = g_new0 (CnToolContext, 1);

  context->state = state;
  context->started_at = started_at;
  if (log != NULL)
    {
      context->uuid = g_strdup (cn_call_log_get_uuid (log));
      context->phone = g_strdup (cn_call_log_get_phone (log));
      context->phone_raw = g_strdup (cn_call_log_get_phone_raw (log));
      context->contact_id = g_strdup (cn_call_log_get_contact_id (log));
      context->contact_name = g_strdup (cn_call_log_get_contact_name (log));
    }

  return context;
}

void
cn_tool_context_free (CnToolContext *context)
{
  if (context == NULL)
    return;

  g_free (context->uuid);
  g_free (context->phone);
  g_free (context->phone_raw);
  g_free (context->contact_id);
  g_free (context->contact_name);
  g_free (context);
}

CnToolContext *
cn_tool_context_from_database (CnDatabase  *database,
                               GError     **error)
{
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GPtrArray) logs = NULL;
  CnCallQuery query = { NULL, CN_OUTCOME_NONE };

  g_return_val_if_fail (CN_IS_DATABASE (database), NULL);

  drafts = cn_database_list_drafts (database, error);
  if (drafts == NULL)
    return NULL;

  /* Oldest first: the newest new call's draft is the one being logged. */
  for (guint i = drafts->len; i > 0; i--)
    {
      CnDraft *draft = g_ptr_array_index (drafts, i - 1);
      gint64 started = draft->dialed_at > 0 ? draft->dialed_at
                       : draft->shown_at > 0 ? draft->shown_at
                       : cn_call_log_get_created_at (draft->log);

      if (!draft->editing)
        return cn_tool_context_new (CN_TOOL_CONTEXT_LOGGING, draft->log, started);
    }

  logs = cn_database_query_calls (database, &query, 0, CONTEXT_SCAN_LOGS, error);
  if (logs == NULL)
    return NULL;

  for (guint i = 0; i < logs->len; i++)
    {
      CnCallLog *log = g_ptr_array_index (logs, i);
      g_autoptr(GPtrArray) events = cn_database_list_events (database,
                                                             cn_call_log_get_uuid (log), error);

      if (events == NULL)
        return NULL;

      for (guint j = 0; j < events->len; j++)
        {
          CnCallEvent *event = g_ptr_array_index (events, j);

          if (g_strcmp0 (event->kind, "dialed") == 0)
            return cn_tool_context_new (CN_TOOL_CONTEXT_DIALED, log, event->at);
        }
    }

  return cn_tool_context_new (CN_TOOL_CONTEXT_IDLE, NULL, 0);
}

char *
cn_tool_context_to_json (const CnToolContext *context,
                         gint64               now)
{
  static const char * const states[] = { "idle", "logging", "dialed" };
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (context != NULL, NULL);
  g_return_val_if_fail (context->state <= CN_TOOL_CONTEXT_DIALED, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, states[context->state]);
  cn_cli_add_string_or_null (builder, "uuid", context->uuid);
  cn_cli_add_string_or_null (builder, "phone", context->phone);
  cn_cli_add_string_or_null (builder, "phone_raw", context->phone_raw);
  cn_cli_add_string_or_null (builder, "contact_id", context->contact_id);
  cn_cli_add_string_or_null (builder, "contact_name", context->contact_name);
  cn_cli_add_time_or_null (builder, "started_at", context->started_at);
  json_builder_set_member_name (builder, "seconds_since");
  if (context->started_at > 0)
    json_builder_add_int_value (builder, MAX (now - context->started_at, 0));
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);

  return to_json (builder);
}
