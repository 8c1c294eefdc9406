/* cn-call-csv.c: call logs as CSV rows, and the mapping of foreign columns
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-call-csv"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cn-call-csv.h"
#include "cn-csv.h"
#include "cn-format.h"
#include "cn-phone.h"

/* A call is at most a week long (as `callnotes log --duration` says). */
#define MAX_DURATION_SECONDS (86400 * 7)

static const char * const column_names[CN_CALL_N_COLUMNS] = {
  [CN_CALL_COLUMN_UUID] = "uuid",
  [CN_CALL_COLUMN_CONTACT_ID] = "contact_id",
  [CN_CALL_COLUMN_CONTACT_NAME] = "contact_name",
  [CN_CALL_COLUMN_PHONE] = "phone",
  [CN_CALL_COLUMN_PHONE_RAW] = "phone_raw",
  [CN_CALL_COLUMN_EXTENSION] = "extension",
  [CN_CALL_COLUMN_DIRECTION] = "direction",
  [CN_CALL_COLUMN_OUTCOME] = "outcome",
  [CN_CALL_COLUMN_DURATION] = "duration_seconds",
  [CN_CALL_COLUMN_NOTES] = "notes",
  [CN_CALL_COLUMN_FOLLOW_UP] = "follow_up_date",
  [CN_CALL_COLUMN_CREATED_AT] = "created_at",
  [CN_CALL_COLUMN_UPDATED_AT] = "updated_at",
};

typedef struct {
  const char   *name;
  const char   *label;
  CnCallColumn  column;
  const char   *synonyms;   /* normalised (lower case, single spaces), '|' between */
} FieldInfo;

static const FieldInfo fields[CN_CALL_N_FIELDS] = {
  [CN_CALL_FIELD_PHONE] = { "phone", N_("Phone number"), CN_CALL_COLUMN_PHONE,
                            "phone|number|telephone|tel|phone number|telephone number|"
                            "mobile|phone no" },
  [CN_CALL_FIELD_OUTCOME] = { "outcome", N_("Outcome"), CN_CALL_COLUMN_OUTCOME,
                              "outcome|result|disposition|status|call result|call outcome" },
  [CN_CALL_FIELD_NOTES] = { "notes", N_("Notes"), CN_CALL_COLUMN_NOTES,
                            "notes|note|comment|comments|call notes" },
  [CN_CALL_FIELD_CONTACT] = { "contact", N_("Contact name"), CN_CALL_COLUMN_CONTACT_NAME,
                              "contact|name|contact name|full name" },
  [CN_CALL_FIELD_CONTACT_ID] = { "contact_id", N_("Contact ID"), CN_CALL_COLUMN_CONTACT_ID,
                                 "contact id|contactid|crm id" },
  [CN_CALL_FIELD_DATE] = { "date", N_("Date and time"), CN_CALL_COLUMN_CREATED_AT,
                           "date|time|created|created at|date time|datetime|called at|"
                           "call date|call time|timestamp|when" },
  [CN_CALL_FIELD_DURATION] = { "duration", N_("Duration"), CN_CALL_COLUMN_DURATION,
                               "duration|seconds|length|duration seconds|call length|"
                               "call duration" },
};

const char *
cn_call_csv_column_name (CnCallColumn column)
{
  g_return_val_if_fail (column < CN_CALL_N_COLUMNS, NULL);
  return column_names[column];
}

const char *
cn_call_field_name (CnCallField field)
{
  g_return_val_if_fail (field < CN_CALL_N_FIELDS, NULL);
  return fields[field].name;
}

const char *
cn_call_field_label (CnCallField field)
{
  g_return_val_if_fail (field < CN_CALL_N_FIELDS, NULL);
  return _(fields[field].label);
}

gboolean
cn_call_field_from_name (const char  *name,
                         CnCallField *field)
{
  for (guint i = 0; i < CN_CALL_N_FIELDS; i++)
    {
      if (g_ascii_strcasecmp (name, fields[i].name) == 0)
        {
          *field = i;
          return TRUE;
        }
    }
  return FALSE;
}

void
cn_call_csv_append_header (GString *out)
{
  cn_csv_append_record (out, column_names, CN_CALL_N_COLUMNS);
}

static char *
time_or_null (gint64 seconds)
{
  return seconds > 0 ? cn_format_iso8601_utc (seconds) : NULL;
}

void
cn_call_csv_append_log (GString   *out,
                        CnCallLog *log)
{
  g_autofree char *duration = NULL;
  g_autofree char *follow_up = time_or_null (cn_call_log_get_follow_up (log));
  g_autofree char *created_at = time_or_null (cn_call_log_get_created_at (log));
  g_autofree char *updated_at = time_or_null (cn_call_log_get_updated_at (log));
  const char *row[CN_CALL_N_COLUMNS];

  if (cn_call_log_get_duration (log) >= 0)
    duration = g_strdup_printf ("%" G_GINT64_FORMAT, cn_call_log_get_duration (log));

  row[CN_CALL_COLUMN_UUID] = cn_call_log_get_uuid (log);
  row[CN_CALL_COLUMN_CONTACT_ID] = cn_call_log_get_contact_id (log);
  row[CN_CALL_COLUMN_CONTACT_NAME] = cn_call_log_get_contact_name (log);
  row[CN_CALL_COLUMN_PHONE] = cn_call_log_get_phone (log);
  row[CN_CALL_COLUMN_PHONE_RAW] = cn_call_log_get_phone_raw (log);
  row[CN_CALL_COLUMN_EXTENSION] = cn_call_log_get_extension (log);
  row[CN_CALL_COLUMN_DIRECTION] = cn_call_log_get_direction (log);
  row[CN_CALL_COLUMN_OUTCOME] = cn_outcome_to_string (cn_call_log_get_outcome (log));
  row[CN_CALL_COLUMN_DURATION] = duration;
  row[CN_CALL_COLUMN_NOTES] = cn_call_log_get_notes (log);
  row[CN_CALL_COLUMN_FOLLOW_UP] = follow_up;
  row[CN_CALL_COLUMN_CREATED_AT] = created_at;
  row[CN_CALL_COLUMN_UPDATED_AT] = updated_at;
  cn_csv_append_record (out, row, CN_CALL_N_COLUMNS);
}

/* "Phone_Number " → "phone number". */
static char *
normalise_header (const char *text)
{
  g_autofree char *down = g_utf8_strdown (text, -1);
  GString *out = g_string_new (NULL);

  for (const char *p = down; *p != '\0'; p++)
    {
      char c = (*p == '_' || *p == '-' || *p == '.' || g_ascii_isspace (*p)) ? ' ' : *p;

      if (c == ' ' && (out->len == 0 || out->str[out->len - 1] == ' '))
        continue;
      g_string_append_c (out, c);
    }
  if (out->len > 0 && out->str[out->len - 1] == ' ')
    g_string_truncate (out, out->len - 1);
  /* "Duration (seconds)" */
  g_strdelimit (out->str, "()", ' ');
  g_strstrip (out->str);
  return g_string_free (out, FALSE);
}

static gboolean
is_synonym (const char *normalised,
            const char *synonyms)
{
  g_auto(GStrv) names = g_strsplit (synonyms, "|", -1);

  return g_strv_contains ((const char * const *) names, normalised);
}

void
cn_call_csv_mapping_init (CnCallCsvMapping   *mapping,
                          const char * const *header)
{
  guint n_ours = 0;

  g_return_if_fail (mapping != NULL);
  g_return_if_fail (header != NULL);

  for (guint c = 0; c < CN_CALL_N_COLUMNS; c++)
    mapping->index[c] = -1;
  mapping->n_header = g_strv_length ((char **) header);
  mapping->ours = FALSE;

  /* Our own names, exactly (but in any order). */
  for (guint i = 0; i < mapping->n_header; i++)
    {
      g_autofree char *name = g_strstrip (g_strdup (header[i]));

      for (guint c = 0; c < CN_CALL_N_COLUMNS; c++)
        if (mapping->index[c] < 0 && g_ascii_strcasecmp (name, column_names[c]) == 0)
          {
            mapping->index[c] = i;
            n_ours++;
            break;
          }
    }

  if (n_ours == CN_CALL_N_COLUMNS)
    {
      mapping->ours = TRUE;
      return;
    }

  /* Another program's header: only the fields a person maps. */
  for (guint c = 0; c < CN_CALL_N_COLUMNS; c++)
    mapping->index[c] = -1;
  for (guint f = 0; f < CN_CALL_N_FIELDS; f++)
    {
      for (guint i = 0; i < mapping->n_header; i++)
        {
          g_autofree char *name = normalise_header (header[i]);

          if (is_synonym (name, fields[f].synonyms) ||
              g_str_equal (name, column_names[fields[f].column]))
            {
              mapping->index[fields[f].column] = i;
              break;
            }
        }
    }
  /* "contact id" also normalises towards "contact": keep them apart. */
  if (mapping->index[CN_CALL_COLUMN_CONTACT_NAME] >= 0 &&
      mapping->index[CN_CALL_COLUMN_CONTACT_NAME] == mapping->index[CN_CALL_COLUMN_CONTACT_ID])
    mapping->index[CN_CALL_COLUMN_CONTACT_NAME] = -1;
}

int
cn_call_csv_mapping_get (const CnCallCsvMapping *mapping,
                         CnCallField             field)
{
  g_return_val_if_fail (field < CN_CALL_N_FIELDS, -1);
  return mapping->index[fields[field].column];
}

void
cn_call_csv_mapping_set (CnCallCsvMapping *mapping,
                         CnCallField       field,
                         int               column)
{
  g_return_if_fail (field < CN_CALL_N_FIELDS);
  g_return_if_fail (column >= -1 && column < (int) mapping->n_header);

  mapping->index[fields[field].column] = column;
}

gboolean
cn_call_csv_mapping_parse (CnCallCsvMapping   *mapping,
                           const char * const *header,
                           const char         *text,
                           GError            **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", CN_CALL_N_FIELDS * 2);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *eq = strchr (parts[i], '=');
      g_autofree char *name = eq != NULL ? g_strstrip (g_strndup (parts[i], eq - parts[i]))
                                         : NULL;
      g_autofree char *column = eq != NULL ? g_strstrip (g_strdup (eq + 1)) : NULL;
      CnCallField field;
      int found = -1;

      if (name == NULL || !cn_call_field_from_name (name, &field))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("“%s” is not FIELD=COLUMN with a field of phone, outcome, notes, "
                         "contact, contact_id, date, duration"), parts[i]);
          return FALSE;
        }

      if (*column != '\0')
        {
          for (guint h = 0; header[h] != NULL; h++)
            if (g_utf8_collate (header[h], column) == 0 ||
                g_ascii_strcasecmp (header[h], column) == 0)
              {
                found = h;
                break;
              }
          if (found < 0)
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("the file has no column “%s”"), column);
              return FALSE;
            }
        }
      mapping->ours = FALSE;
      cn_call_csv_mapping_set (mapping, field, found);
    }

  return TRUE;
}

char *
cn_call_csv_mapping_dup_missing (const CnCallCsvMapping *mapping)
{
  gboolean has_phone = mapping->index[CN_CALL_COLUMN_PHONE] >= 0 ||
                       mapping->index[CN_CALL_COLUMN_PHONE_RAW] >= 0;
  gboolean has_contact = mapping->index[CN_CALL_COLUMN_CONTACT_ID] >= 0;
  gboolean has_outcome = mapping->index[CN_CALL_COLUMN_OUTCOME] >= 0;

  if (!has_phone && !has_contact && !has_outcome)
    return g_strdup (_("No column holds the phone number (or contact ID), nor the outcome."));
  if (!has_phone && !has_contact)
    return g_strdup (_("No column holds the phone number (or contact ID)."));
  if (!has_outcome)
    return g_strdup (_("No column holds the outcome."));
  return NULL;
}

static const char *
cell (const CnCallCsvMapping *mapping,
      const char * const     *row,
      guint                   n_row,
      CnCallColumn            column)
{
  int i = mapping->index[column];
  const char *text;

  if (i < 0 || (guint) i >= n_row)
    return NULL;
  text = row[i];
  return *text != '\0' ? text : NULL;
}

/* An outcome as people write it: "Connected", "Left voicemail", "No Answer". */
static gboolean
parse_outcome (const char *text,
               CnOutcome  *outcome)
{
  static const struct { const char *text; CnOutcome outcome; } variants[] = {
    { "answered", CN_OUTCOME_CONNECTED }, { "reached", CN_OUTCOME_CONNECTED },
    { "completed", CN_OUTCOME_CONNECTED }, { "talked", CN_OUTCOME_CONNECTED },
    { "vm", CN_OUTCOME_VOICEMAIL }, { "voice mail", CN_OUTCOME_VOICEMAIL },
    { "left voicemail", CN_OUTCOME_VOICEMAIL }, { "left message", CN_OUTCOME_VOICEMAIL },
    { "left a message", CN_OUTCOME_VOICEMAIL }, { "left vm", CN_OUTCOME_VOICEMAIL },
    { "no answer", CN_OUTCOME_NO_ANSWER }, { "not answered", CN_OUTCOME_NO_ANSWER },
    { "unanswered", CN_OUTCOME_NO_ANSWER }, { "missed", CN_OUTCOME_NO_ANSWER },
    { "no response", CN_OUTCOME_NO_ANSWER }, { "na", CN_OUTCOME_NO_ANSWER },
    { "n a", CN_OUTCOME_NO_ANSWER },
    { "line busy", CN_OUTCOME_BUSY }, { "engaged", CN_OUTCOME_BUSY },
  };
  g_autofree char *normalised = NULL;

  if (cn_outcome_from_string (text, outcome))
    return TRUE;

  normalised = normalise_header (text);
  g_strdelimit (normalised, "/", ' ');
  for (guint i = 0; i < G_N_ELEMENTS (variants); i++)
    if (g_str_equal (normalised, variants[i].text))
      {
        *outcome = variants[i].outcome;
        return TRUE;
      }

  return cn_outcome_from_string (normalised, outcome);
}

/* ISO 8601 with a zone, else a local "YYYY-MM-DD HH:MM[:SS]" in @tz. */
static gboolean
parse_time (const char *text,
            GTimeZone  *tz,
            gint64     *seconds)
{
  return cn_parse_iso8601 (text, seconds) || cn_parse_local_datetime (text, tz, seconds);
}

CnCallLog *
cn_call_csv_row_to_log (const CnCallCsvMapping *mapping,
                        const char * const     *row,
                        const char             *country_code,
                        GTimeZone              *tz,
                        gboolean               *had_uuid,
                        GError                **error)
{
  g_autoptr(CnCallLog) log = cn_call_log_new ();
  guint n_row = g_strv_length ((char **) row);
  const char *text;
  CnOutcome outcome;
  gint64 seconds;

  g_return_val_if_fail (mapping != NULL, NULL);
  g_return_val_if_fail (row != NULL, NULL);

  *had_uuid = FALSE;

#define CELL(column) cell (mapping, row, n_row, CN_CALL_COLUMN_##column)
#define FAIL(...) G_STMT_START {                                             \
    g_set_error (error, G_CONVERT_ERROR, G_CONVERT_ERROR_FAILED, __VA_ARGS__);  \
    return NULL;                                                               \
  } G_STMT_END

  text = CELL (UUID);
  if (text != NULL)
    {
      if (!cn_uuid_is_valid (text))
        FAIL (_("uuid “%s” is not a lower-case UUID"), text);
      cn_call_log_set_uuid (log, text);
      *had_uuid = TRUE;
    }
  else
    {
      g_autofree char *uuid = g_uuid_string_random ();
      cn_call_log_set_uuid (log, uuid);
    }

  cn_call_log_set_contact_id (log, CELL (CONTACT_ID));
  cn_call_log_set_contact_name (log, CELL (CONTACT_NAME));
  cn_call_log_set_extension (log, CELL (EXTENSION));
  cn_call_log_set_notes (log, CELL (NOTES));

  if (mapping->ours)
    {
      cn_call_log_set_phone (log, CELL (PHONE));
      cn_call_log_set_phone_raw (log, CELL (PHONE_RAW));
    }
  else if ((text = CELL (PHONE)) != NULL)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *digits = cn_phone_strip_separators (text, &local_error);
      g_autofree char *e164 = NULL;

      if (digits == NULL)
        FAIL (_("phone “%s”: %s"), text, local_error->message);
      e164 = cn_phone_to_e164 (digits, country_code, NULL);
      cn_call_log_set_phone (log, e164 != NULL ? e164 : digits);
      cn_call_log_set_phone_raw (log, text);
    }

  text = CELL (DIRECTION);
  if (text != NULL)
    {
      if (!g_str_equal (text, "inbound") && !g_str_equal (text, "outbound"))
        FAIL (_("direction “%s” is neither inbound nor outbound"), text);
      cn_call_log_set_direction (log, text);
    }

  text = CELL (OUTCOME);
  if (text == NULL)
    FAIL (_("the outcome is empty"));
  if (!parse_outcome (text, &outcome))
    FAIL (_("unknown outcome “%s”; use Connected, Voicemail, No Answer or Busy"), text);
  cn_call_log_set_outcome (log, outcome);

  text = CELL (DURATION);
  if (text != NULL)
    {
      if (!cn_parse_duration (text, &seconds) || seconds < 0 || seconds > MAX_DURATION_SECONDS)
        FAIL (_("duration “%s” is not a number of seconds"), text);
      cn_call_log_set_duration (log, seconds);
    }

  text = CELL (FOLLOW_UP);
  if (text != NULL)
    {
      if (!parse_time (text, tz, &seconds) || seconds <= 0)
        FAIL (_("follow-up date “%s” is not a date and time"), text);
      cn_call_log_set_follow_up (log, seconds);
    }

  text = CELL (CREATED_AT);
  if (text != NULL)
    {
      if (!parse_time (text, tz, &seconds) || seconds <= 0 || seconds >= CN_MAX_UNIX_SECONDS)
        FAIL (_("date “%s” is not a date and time like 2026-11-21 14:05"), text);
      cn_call_log_set_created_at (log, seconds);
    }

  text = CELL (UPDATED_AT);
  if (text != NULL)
    {
      if (!parse_time (text, tz, &seconds) || seconds <= 0)
        FAIL (_("updated_at “%s” is not a date and time"), text);
      cn_call_log_set_updated_at (log, seconds);
    }

#undef CELL
#undef FAIL

  return g_steal_pointer (&log);
}
