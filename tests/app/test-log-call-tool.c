/* test-log-call-tool.c: the log_call tool for AI assistants
 *
 * In process: the schema (its properties, enum, required, no other
 * properties), strict validation of every argument and every kind of error
 * (the error names the argument), what a valid call becomes, the JSON
 * shapes, and the context read from the database.
 *
 * Through the real binary ($CALLNOTES_BIN), like test-cli.c: `tool call`
 * with the JSON as an argument and on standard input saves a log that
 * `show --json` reads back with the same events and sync jobs as `callnotes
 * log`; every error prints the JSON error object and exits 2 without logging
 * anything; usage errors exit 2 with one line; `tool context` without a
 * running app reads the database.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cli-test-util.h"
#include "cn-database.h"
#include "cn-format.h"
#include "cn-log-call-tool.h"

#define NEW_YORK "America/New_York"

/* ---- helpers ---------------------------------------------------------------- */

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* A local "YYYY-MM-DDTHH:MM" @days from now. */
static char *
local_in_days (int days)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) then = g_date_time_add_days (now, days);

  return g_date_time_format (then, "%Y-%m-%dT%H:%M");
}

/* Validation must fail with @code about @field (NULL: the whole). */
static void
assert_fault (const char         *arguments,
              gssize              length,
              CnLogCallToolError  code,
              const char         *field)
{
  g_autoptr(CnToolFault) fault = NULL;
  g_autoptr(CnCallLog) log = cn_log_call_tool_parse (arguments, length, NULL, now_seconds (),
                                                     &fault);

  if (log != NULL)
    g_error ("“%.80s” was accepted; expected error %s", arguments,
             cn_log_call_tool_error_code (code));
  g_assert_nonnull (fault);
  if (fault->code != code)
    g_error ("“%.80s”: error %s (%s), expected %s", arguments,
             cn_log_call_tool_error_code (fault->code), fault->message,
             cn_log_call_tool_error_code (code));
  g_assert_cmpstr (fault->field, ==, field);
  g_assert_nonnull (fault->message);
  g_assert_true (g_utf8_validate (fault->message, -1, NULL));
  g_assert_cmpuint (strlen (fault->message), >, 10);
  g_assert_cmpuint (strlen (fault->message), <, 400);
  if (field != NULL)
    g_assert_true (g_strv_contains ((const char * const *) fault->fields, field));
}

static CnCallLog *parse_ok (const char *arguments,
                            const char *country);

/* Validation must pass (@length bytes, -1: all). */
static void
assert_accepted (const char *arguments,
                 gssize      length)
{
  g_autoptr(CnToolFault) fault = NULL;
  g_autoptr(CnCallLog) log = cn_log_call_tool_parse (arguments, length, NULL, now_seconds (),
                                                     &fault);

  if (log == NULL)
    g_error ("“%.80s” was refused: %s", arguments, fault->message);
}

static CnCallLog *
parse_ok (const char *arguments,
          const char *country)
{
  g_autoptr(CnToolFault) fault = NULL;
  CnCallLog *log = cn_log_call_tool_parse (arguments, -1, country, now_seconds (), &fault);

  if (log == NULL)
    g_error ("“%s” was refused: %s (%s)", arguments, fault->message, fault->field);
  g_assert_null (fault);

  return log;
}

/* ---- schema --------------------------------------------------------------------- */

static void
test_schema (void)
{
  g_autoptr(JsonNode) root = parse_json (cn_log_call_tool_get_schema ());
  static const char * const expected[] = {
    "contactId", "contactName", "phone", "outcome", "notes", "followUpDate", NULL
  };
  JsonObject *tool, *parameters, *properties, *follow_up;
  JsonArray *outcomes, *required, *any_of;
  g_autoptr(GList) names = NULL;

  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  tool = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (tool, "name"), ==, "log_call");
  g_assert_cmpuint (strlen (json_object_get_string_member (tool, "description")), >, 20);

  parameters = json_object_get_object_member (tool, "parameters");
  g_assert_nonnull (parameters);
  g_assert_cmpstr (json_object_get_string_member (parameters, "type"), ==, "object");
  g_assert_false (json_object_get_boolean_member (parameters, "additionalProperties"));

  properties = json_object_get_object_member (parameters, "properties");
  names = json_object_get_members (properties);
  g_assert_cmpuint (g_list_length (names), ==, g_strv_length ((char **) expected));
  for (guint i = 0; expected[i] != NULL; i++)
    {
      JsonObject *property = json_object_get_object_member (properties, expected[i]);

      g_assert_nonnull (property);
      g_assert_cmpstr (json_object_get_string_member (property, "type"), ==, "string");
      g_assert_true (json_object_has_member (property, "description"));
    }

  outcomes = json_object_get_array_member (json_object_get_object_member (properties, "outcome"),
                                           "enum");
  g_assert_cmpuint (json_array_get_length (outcomes), ==, 4);
  g_assert_cmpstr (json_array_get_string_element (outcomes, 0), ==, "connected");
  g_assert_cmpstr (json_array_get_string_element (outcomes, 1), ==, "voicemail");
  g_assert_cmpstr (json_array_get_string_element (outcomes, 2), ==, "no_answer");
  g_assert_cmpstr (json_array_get_string_element (outcomes, 3), ==, "busy");

  required = json_object_get_array_member (parameters, "required");
  g_assert_cmpuint (json_array_get_length (required), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (required, 0), ==, "outcome");

  /* One of contactId and phone. */
  any_of = json_object_get_array_member (parameters, "anyOf");
  g_assert_cmpuint (json_array_get_length (any_of), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (
                     json_object_get_array_member (json_array_get_object_element (any_of, 0),
                                                   "required"), 0), ==, "contactId");
  g_assert_cmpstr (json_array_get_string_element (
                     json_object_get_array_member (json_array_get_object_element (any_of, 1),
                                                   "required"), 0), ==, "phone");

  follow_up = json_object_get_object_member (properties, "followUpDate");
  g_assert_cmpstr (json_object_get_string_member (follow_up, "pattern"), ==,
                   "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$");

  /* The limits the validation applies are the ones the schema states. */
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (properties, "notes"),
                                               "maxLength"), ==,
                   CN_LOG_CALL_TOOL_MAX_NOTES_CHARS);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (properties, "phone"),
                                               "maxLength"), ==,
                   CN_LOG_CALL_TOOL_MAX_FIELD_CHARS);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (properties, "phone"),
                                               "minLength"), ==, 1);
}

/* ---- validation errors -------------------------------------------------------- */

static void
test_errors_whole (void)
{
  g_autofree char *large = NULL;
  gsize size = CN_LOG_CALL_TOOL_MAX_ARGUMENTS + 1;

  assert_fault ("", -1, CN_LOG_CALL_TOOL_ERROR_INVALID_JSON, NULL);
  assert_fault ("{\"outcome\": \"busy\"", -1, CN_LOG_CALL_TOOL_ERROR_INVALID_JSON, NULL);
  assert_fault ("outcome=busy", -1, CN_LOG_CALL_TOOL_ERROR_INVALID_JSON, NULL);
  assert_fault ("[{\"phone\": \"+15551234567\", \"outcome\": \"busy\"}]", -1,
                CN_LOG_CALL_TOOL_ERROR_NOT_OBJECT, NULL);
  assert_fault ("\"busy\"", -1, CN_LOG_CALL_TOOL_ERROR_NOT_OBJECT, NULL);
  assert_fault ("42", -1, CN_LOG_CALL_TOOL_ERROR_NOT_OBJECT, NULL);
  assert_fault ("null", -1, CN_LOG_CALL_TOOL_ERROR_NOT_OBJECT, NULL);

  /* Invalid UTF-8 (a Latin-1 "ü"), and a NUL escaped into a string. */
  assert_fault ("{\"phone\": \"+15551234567\", \"outcome\": \"busy\", \"notes\": \"M\xfcller\"}",
                -1, CN_LOG_CALL_TOOL_ERROR_INVALID_UTF8, NULL);
  assert_fault ("{\"phone\": \"+15551234567\", \"outcome\": \"busy\", \"notes\": \"a\\u0000b\"}",
                -1, CN_LOG_CALL_TOOL_ERROR_INVALID_JSON, NULL);
  /* An escaped backslash before u0000 is text, not a NUL. */
  assert_accepted ("{\"phone\": \"1\", \"outcome\": \"busy\", \"notes\": \"C:\\\\u0000\"}", -1);

  /* Larger than the limit, even when it is mostly spaces. */
  large = g_malloc (size + 1);
  memset (large, ' ', size);
  large[size] = '\0';
  memcpy (large, "{\"outcome\":\"busy\",\"phone\":\"1\"}", 30);
  assert_fault (large, size, CN_LOG_CALL_TOOL_ERROR_TOO_LARGE, NULL);
  /* Just within it: fine. */
  assert_accepted (large, size - 1);
}

static void
test_errors_properties (void)
{
  static const char * const fields[] = {
    "contactId", "contactName", "phone", "outcome", "notes", "followUpDate"
  };
  static const char * const wrong_values[] = { "42", "null", "true", "[\"a\"]", "{\"a\":1}", "1.5" };

  /* An unknown property is named, also one that differs only in case. */
  assert_fault ("{\"phone\": \"+15551234567\", \"outcome\": \"busy\", \"duration\": 60}", -1,
                CN_LOG_CALL_TOOL_ERROR_UNKNOWN_PROPERTY, "duration");
  assert_fault ("{\"Phone\": \"+15551234567\", \"outcome\": \"busy\"}", -1,
                CN_LOG_CALL_TOOL_ERROR_UNKNOWN_PROPERTY, "Phone");
  assert_fault ("{\"contact_id\": \"42\", \"outcome\": \"busy\"}", -1,
                CN_LOG_CALL_TOOL_ERROR_UNKNOWN_PROPERTY, "contact_id");

  /* Every property must be a string: numbers, null, booleans, arrays and
   * objects are refused, naming it. */
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    for (guint j = 0; j < G_N_ELEMENTS (wrong_values); j++)
      {
        g_autofree char *arguments = NULL;

        if (g_str_equal (fields[i], "outcome"))
          arguments = g_strdup_printf ("{\"phone\": \"+15551234567\", \"outcome\": %s}",
                                       wrong_values[j]);
        else
          arguments = g_strdup_printf ("{\"phone\": \"+15551234567\", \"outcome\": \"busy\", "
                                       "\"contactId\": \"7\", \"%s\": %s}",
                                       fields[i], wrong_values[j]);
        if (g_str_equal (fields[i], "contactId"))
          {
            g_free (arguments);
            arguments = g_strdup_printf ("{\"phone\": \"+15551234567\", \"outcome\": \"busy\", "
                                         "\"contactId\": %s}", wrong_values[j]);
          }
        assert_fault (arguments, -1, CN_LOG_CALL_TOOL_ERROR_WRONG_TYPE, fields[i]);
      }
}

static void
test_errors_values (void)
{
  g_autofree char *long_id = g_strnfill (CN_LOG_CALL_TOOL_MAX_FIELD_CHARS + 1, '7');
  g_autofree char *long_notes = g_strnfill (CN_LOG_CALL_TOOL_MAX_NOTES_CHARS + 1, 'n');
  g_autofree char *arguments = NULL;
  g_autofree char *yesterday = local_in_days (-1);
  g_autofree char *tomorrow = local_in_days (1);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *this_minute = g_date_time_format (now, "%Y-%m-%dT%H:%M");
  g_autoptr(CnToolFault) fault = NULL;

  /* Empty (or blank) where a value is needed. */
  assert_fault ("{\"contactId\": \"\", \"outcome\": \"busy\"}", -1,
                CN_LOG_CALL_TOOL_ERROR_EMPTY, "contactId");
  assert_fault ("{\"contactId\": \" \\t\", \"outcome\": \"busy\"}", -1,
                CN_LOG_CALL_TOOL_ERROR_EMPTY, "contactId");
  assert_fault ("{\"phone\": \"\", \"outcome\": \"busy\"}", -1,
                CN_LOG_CALL_TOOL_ERROR_EMPTY, "phone");
  assert_fault ("{\"phone\": \"1\", \"contactName\": \"\", \"outcome\": \"busy\"}", -1,
                CN_LOG_CALL_TOOL_ERROR_EMPTY, "contactName");
  assert_fault ("{\"phone\": \"1\", \"outcome\": \"\"}", -1,
                CN_LOG_CALL_TOOL_ERROR_BAD_ENUM, "outcome");

  /* Too long. */
  arguments = g_strdup_printf ("{\"contactId\": \"%s\", \"outcome\": \"busy\"}", long_id);
  assert_fault (arguments, -1, CN_LOG_CALL_TOOL_ERROR_TOO_LONG, "contactId");
  g_free (arguments);
  arguments = g_strdup_printf ("{\"phone\": \"1\", \"outcome\": \"busy\", \"notes\": \"%s\"}",
                               long_notes);
  assert_fault (arguments, -1, CN_LOG_CALL_TOOL_ERROR_TOO_LONG, "notes");

  /* The outcome is one of the four wire names exactly. */
  assert_fault ("{\"phone\": \"1\", \"outcome\": \"Connected\"}", -1,
                CN_LOG_CALL_TOOL_ERROR_BAD_ENUM, "outcome");
  assert_fault ("{\"phone\": \"1\", \"outcome\": \"no-answer\"}", -1,
                CN_LOG_CALL_TOOL_ERROR_BAD_ENUM, "outcome");
  assert_fault ("{\"phone\": \"1\", \"outcome\": \"answered\"}", -1,
                CN_LOG_CALL_TOOL_ERROR_BAD_ENUM, "outcome");
  g_assert_null (cn_log_call_tool_parse ("{\"phone\": \"1\", \"outcome\": \"answered\"}", -1,
                                         NULL, now_seconds (), &fault));
  g_assert_nonnull (strstr (fault->message, "connected, voicemail, no_answer, busy"));
  g_clear_pointer (&fault, cn_tool_fault_free);

  /* Required: the outcome, and contactId or phone (naming both). */
  assert_fault ("{\"phone\": \"+15551234567\"}", -1, CN_LOG_CALL_TOOL_ERROR_MISSING, "outcome");
  assert_fault ("{\"contactName\": \"Ada\", \"outcome\": \"busy\"}", -1,
                CN_LOG_CALL_TOOL_ERROR_MISSING, "contactId");
  g_assert_null (cn_log_call_tool_parse ("{\"outcome\": \"busy\"}", -1, NULL, now_seconds (),
                                         &fault));
  g_assert_cmpuint (g_strv_length (fault->fields), ==, 2);
  g_assert_cmpstr (fault->fields[0], ==, "contactId");
  g_assert_cmpstr (fault->fields[1], ==, "phone");
  g_clear_pointer (&fault, cn_tool_fault_free);
  assert_fault ("{}", -1, CN_LOG_CALL_TOOL_ERROR_MISSING, "outcome");

  /* A phone that is not a phone number. */
  assert_fault ("{\"phone\": \"call me\", \"outcome\": \"busy\"}", -1,
                CN_LOG_CALL_TOOL_ERROR_BAD_PHONE, "phone");
  assert_fault ("{\"phone\": \"tel:\", \"outcome\": \"busy\"}", -1,
                CN_LOG_CALL_TOOL_ERROR_BAD_PHONE, "phone");

  /* followUpDate: exactly YYYY-MM-DDTHH:MM, a time that exists, later than now. */
#define FOLLOW_UP(value) "{\"phone\": \"1\", \"outcome\": \"busy\", \"followUpDate\": \"" value "\"}"
  assert_fault (FOLLOW_UP (""), -1, CN_LOG_CALL_TOOL_ERROR_BAD_DATE, "followUpDate");
  assert_fault (FOLLOW_UP ("2099-11-23"), -1, CN_LOG_CALL_TOOL_ERROR_BAD_DATE, "followUpDate");
  assert_fault (FOLLOW_UP ("2099-11-23 09:00"), -1, CN_LOG_CALL_TOOL_ERROR_BAD_DATE,
                "followUpDate");
  assert_fault (FOLLOW_UP ("2099-11-23T09:00:00"), -1, CN_LOG_CALL_TOOL_ERROR_BAD_DATE,
                "followUpDate");
  assert_fault (FOLLOW_UP ("2099-11-23T09:00Z"), -1, CN_LOG_CALL_TOOL_ERROR_BAD_DATE,
                "followUpDate");
  assert_fault (FOLLOW_UP ("2099-13-01T09:00"), -1, CN_LOG_CALL_TOOL_ERROR_BAD_DATE,
                "followUpDate");
  assert_fault (FOLLOW_UP ("2099-02-30T09:00"), -1, CN_LOG_CALL_TOOL_ERROR_BAD_DATE,
                "followUpDate");
  assert_fault (FOLLOW_UP ("2099-11-23T24:00"), -1, CN_LOG_CALL_TOOL_ERROR_BAD_DATE,
                "followUpDate");
  assert_fault (FOLLOW_UP ("tomorrow 9am"), -1, CN_LOG_CALL_TOOL_ERROR_BAD_DATE,
                "followUpDate");
  assert_fault (FOLLOW_UP ("2020-01-01T09:00"), -1, CN_LOG_CALL_TOOL_ERROR_PAST_DATE,
                "followUpDate");
  g_free (arguments);
  arguments = g_strdup_printf (FOLLOW_UP ("%s"), yesterday);
  assert_fault (arguments, -1, CN_LOG_CALL_TOOL_ERROR_PAST_DATE, "followUpDate");
  /* The current minute has begun: not in the future. */
  g_free (arguments);
  arguments = g_strdup_printf (FOLLOW_UP ("%s"), this_minute);
  assert_fault (arguments, -1, CN_LOG_CALL_TOOL_ERROR_PAST_DATE, "followUpDate");
  g_free (arguments);
  arguments = g_strdup_printf (FOLLOW_UP ("%s"), tomorrow);
  assert_accepted (arguments, -1);
#undef FOLLOW_UP
}

/* ---- valid calls ---------------------------------------------------------------- */

static void
test_valid (void)
{
  g_autofree char *tomorrow = local_in_days (1);
  g_autofree char *arguments = NULL;
  g_autoptr(CnCallLog) full = NULL;
  g_autoptr(CnCallLog) national = NULL;
  g_autoptr(CnCallLog) link = NULL;
  g_autoptr(CnCallLog) contact_only = NULL;
  g_autoptr(CnCallLog) wide = NULL;
  g_autofree char *wide_name = NULL;
  gint64 expected_follow_up = 0;
  gint64 before = now_seconds ();

  arguments = g_strdup_printf ("{\"contactId\": \"ont-4711\", \"contactName\": \"Ada Lovelace\", "
                               "\"phone\": \"+1 (555) 123-4567\", \"outcome\": \"no_answer\", "
                               "\"notes\": \"Line one\\nLine two 📞\", "
                               "\"followUpDate\": \"%s\"}", tomorrow);
  full = parse_ok (arguments, NULL);
  g_assert_true (cn_uuid_is_valid (cn_call_log_get_uuid (full)));
  g_assert_cmpstr (cn_call_log_get_contact_id (full), ==, "ont-4711");
  g_assert_cmpstr (cn_call_log_get_contact_name (full), ==, "Ada Lovelace");
  g_assert_cmpstr (cn_call_log_get_phone (full), ==, "+15551234567");
  g_assert_cmpstr (cn_call_log_get_phone_raw (full), ==, "+1 (555) 123-4567");
  g_assert_cmpint (cn_call_log_get_outcome (full), ==, CN_OUTCOME_NO_ANSWER);
  g_assert_cmpstr (cn_call_log_get_notes (full), ==, "Line one\nLine two 📞");
  g_assert_true (cn_parse_local_datetime (tomorrow, NULL, &expected_follow_up));
  g_assert_cmpint (cn_call_log_get_follow_up (full), ==, expected_follow_up);
  g_assert_cmpint (cn_call_log_get_created_at (full), >=, before);
  g_assert_cmpint (cn_call_log_get_revision (full), ==, 0);

  /* A national number is completed with the default country code. */
  national = parse_ok ("{\"phone\": \"030 1234567\", \"outcome\": \"connected\"}", "49");
  g_assert_cmpstr (cn_call_log_get_phone (national), ==, "+49301234567");
  g_assert_cmpstr (cn_call_log_get_phone_raw (national), ==, "030 1234567");

  /* A tel: link brings its contact; a given contactName wins. */
  link = parse_ok ("{\"phone\": \"tel:+1-555-123-4567;ext=89;x-contact-id=C-7;"
                   "x-contact-name=Grace%20Hopper\", \"contactName\": \"G. Hopper\", "
                   "\"outcome\": \"voicemail\"}", NULL);
  g_assert_cmpstr (cn_call_log_get_phone (link), ==, "+15551234567");
  g_assert_cmpstr (cn_call_log_get_extension (link), ==, "89");
  g_assert_cmpstr (cn_call_log_get_contact_id (link), ==, "C-7");
  g_assert_cmpstr (cn_call_log_get_contact_name (link), ==, "G. Hopper");

  /* A contact without a number; empty notes are no notes; no follow-up. */
  contact_only = parse_ok ("{\"contactId\": \"42\", \"outcome\": \"busy\", \"notes\": \"\"}",
                           NULL);
  g_assert_null (cn_call_log_get_phone (contact_only));
  g_assert_cmpstr (cn_call_log_get_contact_id (contact_only), ==, "42");
  g_assert_null (cn_call_log_get_notes (contact_only));
  g_assert_cmpint (cn_call_log_get_follow_up (contact_only), ==, 0);

  /* The limit counts characters: 128 four-byte characters pass. */
  {
    GString *name = g_string_new (NULL);

    for (guint i = 0; i < CN_LOG_CALL_TOOL_MAX_FIELD_CHARS; i++)
      g_string_append (name, "😀");
    wide_name = g_string_free (name, FALSE);
  }
  g_free (arguments);
  arguments = g_strdup_printf ("{\"contactId\": \"1\", \"contactName\": \"%s\", "
                               "\"outcome\": \"busy\"}", wide_name);
  wide = parse_ok (arguments, NULL);
  g_assert_cmpstr (cn_call_log_get_contact_name (wide), ==, wide_name);
}

static void
test_json_shapes (void)
{
  g_autoptr(CnCallLog) log = parse_ok ("{\"contactId\": \"42\", \"phone\": \"+15551234567\", "
                                       "\"outcome\": \"busy\"}", NULL);
  g_autofree char *result = cn_log_call_tool_result_json (log);
  g_autoptr(JsonNode) result_root = parse_json (result);
  g_autoptr(CnToolFault) fault = NULL;
  g_autofree char *error_text = NULL;
  g_autoptr(JsonNode) error_root = NULL;
  JsonObject *object, *error;
  JsonArray *fields;

  object = json_node_get_object (result_root);
  g_assert_true (json_object_get_boolean_member (object, "ok"));
  g_assert_cmpstr (json_object_get_string_member (object, "uuid"), ==,
                   cn_call_log_get_uuid (log));
  g_assert_cmpstr (json_object_get_string_member (object, "phone"), ==, "+15551234567");
  g_assert_cmpstr (json_object_get_string_member (object, "outcome"), ==, "busy");
  g_assert_true (json_object_get_null_member (object, "followUpDate"));

  g_assert_null (cn_log_call_tool_parse ("{\"outcome\": \"busy\"}", -1, NULL, now_seconds (),
                                         &fault));
  error_text = cn_log_call_tool_fault_json (fault);
  error_root = parse_json (error_text);
  object = json_node_get_object (error_root);
  g_assert_false (json_object_get_boolean_member (object, "ok"));
  error = json_object_get_object_member (object, "error");
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "missing");
  g_assert_cmpstr (json_object_get_string_member (error, "field"), ==, "contactId");
  fields = json_object_get_array_member (error, "fields");
  g_assert_cmpuint (json_array_get_length (fields), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (fields, 1), ==, "phone");
  g_assert_cmpstr (json_object_get_string_member (error, "message"), ==, fault->message);
}

/* ---- context from the database -------------------------------------------------- */

static void
test_context_database (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("callnotes-tool-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "callnotes.db", NULL);
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(CnToolContext) idle = NULL;
  g_autoptr(CnToolContext) dialed = NULL;
  g_autoptr(CnToolContext) logging = NULL;
  g_autoptr(CnToolContext) edit_only = NULL;
  g_autoptr(CnCallLog) log = parse_ok ("{\"phone\": \"+15551234567\", \"contactName\": \"Ada\", "
                                       "\"outcome\": \"busy\"}", NULL);
  g_autoptr(CnCallLog) plain = parse_ok ("{\"phone\": \"+15550000000\", \"outcome\": \"busy\"}",
                                         NULL);
  g_autoptr(CnCallLog) drafted = cn_call_log_new_with_uuid ();
  g_autoptr(CnDraft) draft = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  gint64 dial_time = now_seconds () - 90;
  CnCallEvent dial = { (char *) "dialed", dial_time, NULL };
  JsonObject *object;

  g_assert_no_error (error);
  db = cn_database_open (path, &error);
  g_assert_no_error (error);

  idle = cn_tool_context_from_database (db, &error);
  g_assert_no_error (error);
  g_assert_cmpint (idle->state, ==, CN_TOOL_CONTEXT_IDLE);
  json = cn_tool_context_to_json (idle, now_seconds ());
  root = parse_json (json);
  object = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (object, "state"), ==, "idle");
  g_assert_true (json_object_get_null_member (object, "phone"));
  g_assert_true (json_object_get_null_member (object, "seconds_since"));
  g_clear_pointer (&json, g_free);
  g_clear_pointer (&root, json_node_unref);

  /* The newest log that was dialed (a later one without a dial does not
   * count). */
  g_assert_true (cn_database_insert_call (db, log, &dial, 1, &error));
  g_assert_true (cn_database_insert_call (db, plain, NULL, 0, &error));
  g_assert_no_error (error);
  dialed = cn_tool_context_from_database (db, &error);
  g_assert_cmpint (dialed->state, ==, CN_TOOL_CONTEXT_DIALED);
  g_assert_cmpstr (dialed->phone, ==, "+15551234567");
  g_assert_cmpstr (dialed->contact_name, ==, "Ada");
  g_assert_cmpint (dialed->started_at, ==, dial_time);
  json = cn_tool_context_to_json (dialed, dial_time + 90);
  root = parse_json (json);
  object = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (object, "state"), ==, "dialed");
  g_assert_cmpint (json_object_get_int_member (object, "seconds_since"), ==, 90);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (object, "started_at"), "Z"));
  g_clear_pointer (&json, g_free);
  g_clear_pointer (&root, json_node_unref);

  /* A draft being edited is not a call being logged. */
  draft = cn_draft_new (plain);
  draft->editing = TRUE;
  g_assert_true (cn_database_save_draft (db, draft, &error));
  edit_only = cn_tool_context_from_database (db, &error);
  g_assert_cmpint (edit_only->state, ==, CN_TOOL_CONTEXT_DIALED);
  g_clear_pointer (&draft, cn_draft_free);

  /* An open draft of a new call is what is being logged. */
  cn_call_log_set_phone (drafted, "+4930123456");
  cn_call_log_set_phone_raw (drafted, "tel:+49-30-123456");
  cn_call_log_set_contact_id (drafted, "C-9");
  draft = cn_draft_new (drafted);
  draft->dialed_at = now_seconds () - 5;
  g_assert_true (cn_database_save_draft (db, draft, &error));
  g_assert_no_error (error);
  logging = cn_tool_context_from_database (db, &error);
  g_assert_cmpint (logging->state, ==, CN_TOOL_CONTEXT_LOGGING);
  g_assert_cmpstr (logging->uuid, ==, cn_call_log_get_uuid (drafted));
  g_assert_cmpstr (logging->phone, ==, "+4930123456");
  g_assert_cmpstr (logging->phone_raw, ==, "tel:+49-30-123456");
  g_assert_cmpstr (logging->contact_id, ==, "C-9");
  g_assert_cmpint (logging->started_at, ==, draft->dialed_at);

  g_clear_object (&db);
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *file = g_build_filename (dir, name, NULL);
        g_remove (file);
      }
    g_rmdir (dir);
  }
}

/* ---- the command line ------------------------------------------------------------- */

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("callnotes-tool-cli-XXXXXX", &error);
  g_assert_no_error (error);
  f->data_dir = g_build_filename (f->dir, "data", NULL);

  f->envp = cli_test_environ (f->dir, f->data_dir);
  /* No running app can answer `tool context` (another test may run one on
   * the session bus): the database is read. */
  f->envp = g_environ_setenv (f->envp, "DBUS_SESSION_BUS_ADDRESS",
                              "unix:path=/nonexistent/callnotes-test-bus", TRUE);
  /* The settings are a key file the test can write. */
  f->envp = g_environ_setenv (f->envp, "GSETTINGS_BACKEND", "keyfile", TRUE);
}

static void
write_settings (Fixture    *f,
                const char *lines)
{
  g_autofree char *dir = g_build_filename (f->dir, "config", "glib-2.0", "settings", NULL);
  g_autofree char *keyfile = g_build_filename (dir, "keyfile", NULL);
  g_autofree char *text = g_strconcat ("[io/github/callnotes/Callnotes]\n", lines, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (keyfile, text, -1, &error);
  g_assert_no_error (error);
}

/* Runs callnotes with @args (NULL-terminated), @input on its standard input. */
static void
run_cli (Fixture            *f,
         const char * const *args,
         const char         *input,
         gssize              input_length,
         Result             *r)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *input_path = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (gpointer) g_getenv ("CALLNOTES_BIN"));
  g_assert_nonnull (argv->pdata[0]);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  /* Standard input comes from a file (empty without @input). */
  input_path = g_build_filename (f->dir, "stdin", NULL);
  g_file_set_contents (input_path, input != NULL ? input : "",
                       input == NULL ? 0 : input_length < 0 ? (gssize) strlen (input)
                                                             : input_length, &error);
  g_assert_no_error (error);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_environ (launcher, f->envp);
  g_subprocess_launcher_set_stdin_file_path (launcher, input_path);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  g_subprocess_communicate (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (process))
    g_error ("callnotes %s was killed", args[0]);

  result_clear (r);
  r->status = g_subprocess_get_exit_status (process);
  r->out = g_bytes_get_size (out) > 0 ? g_strndup (g_bytes_get_data (out, NULL),
                                                   g_bytes_get_size (out)) : g_strdup ("");
  r->err = g_bytes_get_size (err) > 0 ? g_strndup (g_bytes_get_data (err, NULL),
                                                   g_bytes_get_size (err)) : g_strdup ("");
  g_test_message ("callnotes %s %s -> %d\n  stdout: %s  stderr: %s", args[0],
                  args[1] ? args[1] : "", r->status, r->out, r->err);
}

#define RUN(f, r, ...) \
  G_STMT_START { \
    const char *run_args_[] = { __VA_ARGS__, NULL }; \
    run_cli ((f), run_args_, NULL, 0, (r)); \
  } G_STMT_END

static JsonObject *
object_of (JsonNode *node)
{
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_get_object (node);
}

/* `show UUID --json`. */
static JsonNode *
show_json (Fixture    *f,
           const char *uuid)
{
  g_auto(Result) r = { 0 };

  RUN (f, &r, "show", uuid, "--json");
  assert_exit (&r, 0);
  return parse_json (r.out);
}

/* How many logs `list --json` shows. */
static guint
count_logs (Fixture *f)
{
  g_auto(Result) r = { 0 };
  g_autoptr(JsonNode) root = NULL;

  RUN (f, &r, "list", "--json");
  assert_exit (&r, 0);
  root = parse_json (r.out);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  return json_array_get_length (json_node_get_array (root));
}

/* "kind,kind,…" of the events, and "target/action,…" of the sync jobs. */
static char *
describe_events (JsonObject *shown)
{
  JsonArray *events = json_object_get_array_member (shown, "events");
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (events); i++)
    g_string_append_printf (s, "%s%s", i ? "," : "",
                            json_object_get_string_member (json_array_get_object_element (events, i),
                                                           "kind"));
  return g_string_free (s, FALSE);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

static char *
describe_jobs (JsonObject *shown)
{
  JsonArray *jobs = json_object_get_array_member (shown, "sync");
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (jobs); i++)
    {
      JsonObject *job = json_array_get_object_element (jobs, i);

      g_ptr_array_add (items, g_strdup_printf ("%s/%s",
                                               json_object_get_string_member (job, "target"),
                                               json_object_get_string_member (job, "action")));
    }
  g_ptr_array_sort (items, compare_strings);
  for (guint i = 0; i < items->len; i++)
    g_string_append_printf (s, "%s%s", i ? "," : "", (char *) g_ptr_array_index (items, i));
  return g_string_free (s, FALSE);
}

static void
test_cli_schema (Fixture       *f,
                 gconstpointer  data)
{
  g_auto(Result) r = { 0 };

  /* The one definition, the same the D-Bus Schema() returns. */
  RUN (f, &r, "tool", "schema");
  assert_exit (&r, 0);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_true (g_str_has_prefix (r.out, cn_log_call_tool_get_schema ()));
  g_assert_cmpstr (r.out + strlen (cn_log_call_tool_get_schema ()), ==, "\n");
}

/* Logs the same call with `tool call` and with `callnotes log`: both read
 * back alike, with the same events and the same sync jobs. */
static void
compare_with_log (Fixture *f)
{
  g_autofree char *tomorrow_local = local_in_days (1);
  g_autofree char *arguments = NULL;
  g_autofree char *log_uuid = NULL;
  g_autofree char *tool_events = NULL, *log_events = NULL, *tool_jobs = NULL, *log_jobs = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(JsonNode) tool_shown = NULL;
  g_autoptr(JsonNode) log_shown = NULL;
  g_auto(Result) r = { 0 };
  JsonObject *tool, *logged;
  const char *uuid;
  static const char * const same[] = {
    "phone", "phone_raw", "contact_id", "contact_name", "outcome", "notes", "follow_up_date",
  };

  arguments = g_strdup_printf ("{\"contactId\": \"42\", \"contactName\": \"Ada Lovelace\", "
                               "\"phone\": \"+1 (555) 123-4567\", \"outcome\": \"connected\", "
                               "\"notes\": \"Renewal — call back\", \"followUpDate\": \"%s\"}",
                               tomorrow_local);
  RUN (f, &r, "tool", "call", arguments);
  assert_exit (&r, 0);
  g_assert_cmpstr (r.err, ==, "");
  result = parse_json (r.out);
  g_assert_true (json_object_get_boolean_member (object_of (result), "ok"));
  uuid = json_object_get_string_member (object_of (result), "uuid");
  g_assert_true (g_uuid_string_is_valid (uuid));

  RUN (f, &r, "log", "--contact-id", "42", "--contact-name", "Ada Lovelace",
       "--phone", "+1 (555) 123-4567", "--outcome", "connected",
       "--notes", "Renewal — call back", "--follow-up", tomorrow_local);
  assert_exit (&r, 0);
  log_uuid = g_strstrip (g_strdup (r.out));

  tool_shown = show_json (f, uuid);
  log_shown = show_json (f, log_uuid);
  tool = object_of (tool_shown);
  logged = object_of (log_shown);
  g_assert_cmpstr (json_object_get_string_member (tool, "uuid"), ==, uuid);
  for (guint i = 0; i < G_N_ELEMENTS (same); i++)
    g_assert_cmpstr (json_object_get_string_member (tool, same[i]), ==,
                     json_object_get_string_member (logged, same[i]));
  g_assert_cmpstr (json_object_get_string_member (tool, "phone"), ==, "+15551234567");
  g_assert_cmpstr (json_object_get_string_member (tool, "follow_up_date"), ==,
                   json_object_get_string_member (object_of (result), "followUpDate"));

  tool_events = describe_events (tool);
  log_events = describe_events (logged);
  g_assert_cmpstr (tool_events, ==, "logged");
  g_assert_cmpstr (tool_events, ==, log_events);

  tool_jobs = describe_jobs (tool);
  log_jobs = describe_jobs (logged);
  g_assert_cmpstr (tool_jobs, ==, log_jobs);
  g_assert_cmpstr (tool_jobs, !=, "");
}

static void
test_cli_call_then_show (Fixture       *f,
                         gconstpointer  data)
{
  /* The default targets (the backend). */
  compare_with_log (f);
  g_assert_cmpuint (count_logs (f), ==, 2);
}

static void
test_cli_sync_targets (Fixture       *f,
                       gconstpointer  data)
{
  /* Ontraport on as well: a note and, with the follow-up, a task. */
  write_settings (f, "backend-enabled=true\nontraport-enabled=true\n");
  compare_with_log (f);
}

static void
test_cli_country_code (Fixture       *f,
                       gconstpointer  data)
{
  g_auto(Result) r = { 0 };
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(JsonNode) shown = NULL;

  write_settings (f, "default-country-code='49'\n");
  RUN (f, &r, "tool", "call", "{\"phone\": \"030 1234567\", \"outcome\": \"voicemail\"}");
  assert_exit (&r, 0);
  result = parse_json (r.out);
  g_assert_cmpstr (json_object_get_string_member (object_of (result), "phone"), ==,
                   "+49301234567");
  shown = show_json (f, json_object_get_string_member (object_of (result), "uuid"));
  g_assert_cmpstr (json_object_get_string_member (object_of (shown), "phone_raw"), ==,
                   "030 1234567");
}

static void
test_cli_stdin (Fixture       *f,
                gconstpointer  data)
{
  const char *json = "{\"contactId\": \"stdin-1\", \"outcome\": \"busy\"}\n";
  const char *no_args[] = { "tool", "call", NULL };
  const char *dash[] = { "tool", "call", "-", NULL };
  g_auto(Result) r = { 0 };
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) shown = NULL;
  g_autoptr(JsonNode) error = NULL;
  g_autofree char *huge = NULL;
  gsize huge_size = CN_LOG_CALL_TOOL_MAX_ARGUMENTS * 2;

  run_cli (f, no_args, json, -1, &r);
  assert_exit (&r, 0);
  first = parse_json (r.out);
  shown = show_json (f, json_object_get_string_member (object_of (first), "uuid"));
  g_assert_cmpstr (json_object_get_string_member (object_of (shown), "contact_id"), ==,
                   "stdin-1");

  run_cli (f, dash, json, -1, &r);
  assert_exit (&r, 0);
  g_assert_cmpuint (count_logs (f), ==, 2);

  /* Twice the limit on standard input: refused, nothing logged. */
  huge = g_malloc (huge_size);
  memset (huge, ' ', huge_size);
  memcpy (huge, json, strlen (json));
  run_cli (f, dash, huge, huge_size, &r);
  assert_exit (&r, 2);
  error = parse_json (r.out);
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (object_of (error), "error"), "code"), ==,
                   "too_large");
  g_assert_cmpuint (count_logs (f), ==, 2);

  /* Nothing on standard input. */
  run_cli (f, dash, "", 0, &r);
  assert_exit (&r, 2);
  g_assert_nonnull (strstr (r.out, "\"invalid_json\""));
}

static void
test_cli_errors (Fixture       *f,
                 gconstpointer  data)
{
  static const struct {
    const char *arguments;
    const char *code;
    const char *field;
  } cases[] = {
    { "{\"phone\": \"+15551234567\", \"outcome\": \"busy\", \"extra\": 1}", "unknown_property",
      "extra" },
    { "{\"phone\": 5551234567, \"outcome\": \"busy\"}", "wrong_type", "phone" },
    { "{\"contactId\": 42, \"outcome\": \"busy\"}", "wrong_type", "contactId" },
    { "{\"phone\": \"1\", \"contactName\": null, \"outcome\": \"busy\"}", "wrong_type",
      "contactName" },
    { "{\"phone\": \"1\", \"outcome\": \"busy\", \"notes\": [\"a\"]}", "wrong_type", "notes" },
    { "{\"phone\": \"1\", \"outcome\": \"busy\", \"followUpDate\": 1}", "wrong_type",
      "followUpDate" },
    { "{\"phone\": \"\", \"outcome\": \"busy\"}", "empty", "phone" },
    { "{\"phone\": \"1\", \"outcome\": \"maybe\"}", "bad_enum", "outcome" },
    { "{\"phone\": \"1\"}", "missing", "outcome" },
    { "{\"outcome\": \"busy\", \"notes\": \"who?\"}", "missing", "contactId" },
    { "{\"phone\": \"1\", \"outcome\": \"busy\", \"followUpDate\": \"2099-11-23 9:00\"}",
      "bad_date", "followUpDate" },
    { "{\"phone\": \"1\", \"outcome\": \"busy\", \"followUpDate\": \"2021-11-23T09:00\"}",
      "past_date", "followUpDate" },
    { "{\"phone\": \"ring ring\", \"outcome\": \"busy\"}", "bad_phone", "phone" },
    { "[\"busy\"]", "not_object", NULL },
    { "{\"outcome\": ", "invalid_json", NULL },
  };
  g_auto(Result) r = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) root = NULL;
      JsonObject *error;

      RUN (f, &r, "tool", "call", cases[i].arguments);
      assert_exit (&r, 2);
      /* The error is for the caller to read: JSON on standard output. */
      g_assert_cmpstr (r.err, ==, "");
      root = parse_json (r.out);
      g_assert_false (json_object_get_boolean_member (object_of (root), "ok"));
      error = json_object_get_object_member (object_of (root), "error");
      g_assert_nonnull (error);
      g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, cases[i].code);
      if (cases[i].field != NULL)
        g_assert_cmpstr (json_object_get_string_member (error, "field"), ==, cases[i].field);
      else
        g_assert_true (json_object_get_null_member (error, "field"));
      g_assert_cmpuint (strlen (json_object_get_string_member (error, "message")), >, 10);
    }

  /* Not one of them was logged. */
  g_assert_cmpuint (count_logs (f), ==, 0);
}

static void
test_cli_usage (Fixture       *f,
                gconstpointer  data)
{
  const char * const *usages[] = {
    (const char *[]) { "tool", NULL },
    (const char *[]) { "tool", "log", NULL },
    (const char *[]) { "tool", "schema", "extra", NULL },
    (const char *[]) { "tool", "context", "now", NULL },
    (const char *[]) { "tool", "call", "{}", "{}", NULL },
    (const char *[]) { "tool", "--frobnicate", NULL },
  };
  g_auto(Result) r = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (usages); i++)
    {
      const char *newline;

      run_cli (f, usages[i], NULL, 0, &r);
      assert_exit (&r, 2);
      g_assert_cmpstr (r.out, ==, "");
      newline = strchr (r.err, '\n');
      g_assert_nonnull (newline);
      g_assert_cmpstr (newline + 1, ==, "");
      g_assert_true (g_str_has_prefix (r.err, "callnotes: "));
    }

  RUN (f, &r, "tool", "--help");
  assert_exit (&r, 0);
  g_assert_nonnull (strstr (r.out, "schema"));
  g_assert_nonnull (strstr (r.out, "context"));

  RUN (f, &r, "--help");
  assert_exit (&r, 0);
  g_assert_nonnull (strstr (r.out, "tool"));
}

static void
test_cli_context (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->data_dir, "callnotes.db", NULL);
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(CnCallLog) log = cn_call_log_new_with_uuid ();
  g_autoptr(CnDraft) draft = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) idle = NULL;
  g_autoptr(JsonNode) logging = NULL;
  g_auto(Result) r = { 0 };
  JsonObject *object;

  RUN (f, &r, "tool", "context");
  assert_exit (&r, 0);
  idle = parse_json (r.out);
  g_assert_cmpstr (json_object_get_string_member (object_of (idle), "state"), ==, "idle");

  /* A logger's draft (the app stopped while it was open). */
  g_assert_cmpint (g_mkdir_with_parents (f->data_dir, 0700), ==, 0);
  db = cn_database_open (path, &error);
  g_assert_no_error (error);
  cn_call_log_set_phone (log, "+15557654321");
  cn_call_log_set_contact_name (log, "Grace Hopper");
  draft = cn_draft_new (log);
  draft->dialed_at = now_seconds () - 30;
  g_assert_true (cn_database_save_draft (db, draft, &error));
  g_assert_no_error (error);

  RUN (f, &r, "tool", "context");
  assert_exit (&r, 0);
  logging = parse_json (r.out);
  object = object_of (logging);
  g_assert_cmpstr (json_object_get_string_member (object, "state"), ==, "logging");
  g_assert_cmpstr (json_object_get_string_member (object, "phone"), ==, "+15557654321");
  g_assert_cmpstr (json_object_get_string_member (object, "contact_name"), ==, "Grace Hopper");
  g_assert_true (json_object_get_null_member (object, "contact_id"));
  g_assert_cmpint (json_object_get_int_member (object, "seconds_since"), >=, 30);
  g_assert_cmpint (json_object_get_int_member (object, "seconds_since"), <, 90);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tool/schema", test_schema);
  g_test_add_func ("/tool/errors/whole", test_errors_whole);
  g_test_add_func ("/tool/errors/properties", test_errors_properties);
  g_test_add_func ("/tool/errors/values", test_errors_values);
  g_test_add_func ("/tool/valid", test_valid);
  g_test_add_func ("/tool/json-shapes", test_json_shapes);
  g_test_add_func ("/tool/context/database", test_context_database);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/tool/cli/schema", test_cli_schema);
  ADD ("/tool/cli/call-then-show", test_cli_call_then_show);
  ADD ("/tool/cli/sync-targets", test_cli_sync_targets);
  ADD ("/tool/cli/country-code", test_cli_country_code);
  ADD ("/tool/cli/stdin", test_cli_stdin);
  ADD ("/tool/cli/errors", test_cli_errors);
  ADD ("/tool/cli/usage", test_cli_usage);
  ADD ("/tool/cli/context", test_cli_context);

#undef ADD

  return g_test_run ();
}
