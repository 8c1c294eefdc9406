/* cn-call-log.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-call-log"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cn-call-log.h"
#include "cn-format.h"

struct _CnCallLog
{
  GObject    parent_instance;

  char      *uuid;
  char      *contact_id;
  char      *contact_name;
  char      *phone;
  char      *phone_raw;
  char      *extension;
  char      *direction;
  char      *notes;
  CnOutcome  outcome;
  gint64     duration;
  gint64     follow_up;
  gint64     created_at;
  gint64     updated_at;
  gint       revision;
  gboolean   deleted;
};

G_DEFINE_FINAL_TYPE (CnCallLog, cn_call_log, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_UUID,
  PROP_CONTACT_ID,
  PROP_CONTACT_NAME,
  PROP_PHONE,
  PROP_PHONE_RAW,
  PROP_EXTENSION,
  PROP_DIRECTION,
  PROP_OUTCOME,
  PROP_DURATION,
  PROP_NOTES,
  PROP_FOLLOW_UP,
  PROP_CREATED_AT,
  PROP_UPDATED_AT,
  PROP_REVISION,
  PROP_DELETED,
  PROP_DISPLAY_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Offsets of the string fields, indexed by property id, so get/set of strings
 * share one code path. */
static const gsize string_offsets[N_PROPS] = {
  [PROP_UUID] = G_STRUCT_OFFSET (CnCallLog, uuid),
  [PROP_CONTACT_ID] = G_STRUCT_OFFSET (CnCallLog, contact_id),
  [PROP_CONTACT_NAME] = G_STRUCT_OFFSET (CnCallLog, contact_name),
  [PROP_PHONE] = G_STRUCT_OFFSET (CnCallLog, phone),
  [PROP_PHONE_RAW] = G_STRUCT_OFFSET (CnCallLog, phone_raw),
  [PROP_EXTENSION] = G_STRUCT_OFFSET (CnCallLog, extension),
  [PROP_DIRECTION] = G_STRUCT_OFFSET (CnCallLog, direction),
  [PROP_NOTES] = G_STRUCT_OFFSET (CnCallLog, notes),
};

static char **
string_field (CnCallLog *self,
              guint      prop_id)
{
  g_assert (prop_id < N_PROPS && string_offsets[prop_id] != 0);
  return G_STRUCT_MEMBER_P (self, string_offsets[prop_id]);
}

static void
set_string (CnCallLog  *self,
            guint       prop_id,
            const char *value)
{
  char **field = string_field (self, prop_id);

  /* Empty strings are stored as NULL so "no contact" has one spelling. */
  if (value != NULL && *value == '\0')
    value = NULL;

  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);

  if (prop_id == PROP_CONTACT_NAME || prop_id == PROP_PHONE || prop_id == PROP_PHONE_RAW)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_NAME]);
}

static void
set_int64 (CnCallLog *self,
           gint64    *field,
           gint64     value,
           guint      prop_id)
{
  if (*field == value)
    return;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
cn_call_log_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  CnCallLog *self = CN_CALL_LOG (object);

  switch (prop_id)
    {
    case PROP_UUID:
    case PROP_CONTACT_ID:
    case PROP_CONTACT_NAME:
    case PROP_PHONE:
    case PROP_PHONE_RAW:
    case PROP_EXTENSION:
    case PROP_DIRECTION:
    case PROP_NOTES:
      g_value_set_string (value, *string_field (self, prop_id));
      break;
    case PROP_OUTCOME:
      g_value_set_int (value, self->outcome);
      break;
    case PROP_DURATION:
      g_value_set_int64 (value, self->duration);
      break;
    case PROP_FOLLOW_UP:
      g_value_set_int64 (value, self->follow_up);
      break;
    case PROP_CREATED_AT:
      g_value_set_int64 (value, self->created_at);
      break;
    case PROP_UPDATED_AT:
      g_value_set_int64 (value, self->updated_at);
      break;
    case PROP_REVISION:
      g_value_set_int (value, self->revision);
      break;
    case PROP_DELETED:
      g_value_set_boolean (value, self->deleted);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, cn_call_log_get_display_name (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cn_call_log_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  CnCallLog *self = CN_CALL_LOG (object);

  switch (prop_id)
    {
    case PROP_UUID:
    case PROP_CONTACT_ID:
    case PROP_CONTACT_NAME:
    case PROP_PHONE:
    case PROP_PHONE_RAW:
    case PROP_EXTENSION:
    case PROP_DIRECTION:
    case PROP_NOTES:
      set_string (self, prop_id, g_value_get_string (value));
      break;
    case PROP_OUTCOME:
      cn_call_log_set_outcome (self, g_value_get_int (value));
      break;
    case PROP_DURATION:
      cn_call_log_set_duration (self, g_value_get_int64 (value));
      break;
    case PROP_FOLLOW_UP:
      cn_call_log_set_follow_up (self, g_value_get_int64 (value));
      break;
    case PROP_CREATED_AT:
      cn_call_log_set_created_at (self, g_value_get_int64 (value));
      break;
    case PROP_UPDATED_AT:
      cn_call_log_set_updated_at (self, g_value_get_int64 (value));
      break;
    case PROP_REVISION:
      cn_call_log_set_revision (self, g_value_get_int (value));
      break;
    case PROP_DELETED:
      cn_call_log_set_deleted (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cn_call_log_finalize (GObject *object)
{
  CnCallLog *self = CN_CALL_LOG (object);

  g_free (self->uuid);
  g_free (self->contact_id);
  g_free (self->contact_name);
  g_free (self->phone);
  g_free (self->phone_raw);
  g_free (self->extension);
  g_free (self->direction);
  g_free (self->notes);

  G_OBJECT_CLASS (cn_call_log_parent_class)->finalize (object);
}

static GParamSpec *
string_pspec (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, NULL,
                              G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                              G_PARAM_STATIC_STRINGS);
}

static GParamSpec *
int64_pspec (const char *name,
             gint64      min,
             gint64      default_value)
{
  return g_param_spec_int64 (name, NULL, NULL, min, G_MAXINT64, default_value,
                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                             G_PARAM_STATIC_STRINGS);
}

static void
cn_call_log_class_init (CnCallLogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = cn_call_log_get_property;
  object_class->set_property = cn_call_log_set_property;
  object_class->finalize = cn_call_log_finalize;

  properties[PROP_UUID] = string_pspec ("uuid");
  properties[PROP_CONTACT_ID] = string_pspec ("contact-id");
  properties[PROP_CONTACT_NAME] = string_pspec ("contact-name");
  properties[PROP_PHONE] = string_pspec ("phone");
  properties[PROP_PHONE_RAW] = string_pspec ("phone-raw");
  properties[PROP_EXTENSION] = string_pspec ("extension");
  properties[PROP_DIRECTION] = string_pspec ("direction");
  properties[PROP_NOTES] = string_pspec ("notes");
  properties[PROP_OUTCOME] =
    g_param_spec_int ("outcome", NULL, NULL, CN_OUTCOME_NONE, CN_OUTCOME_LAST, CN_OUTCOME_NONE,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DURATION] = int64_pspec ("duration", -1, -1);
  properties[PROP_FOLLOW_UP] = int64_pspec ("follow-up", 0, 0);
  properties[PROP_CREATED_AT] = int64_pspec ("created-at", 0, 0);
  properties[PROP_UPDATED_AT] = int64_pspec ("updated-at", 0, 0);
  properties[PROP_REVISION] =
    g_param_spec_int ("revision", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DELETED] =
    g_param_spec_boolean ("deleted", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cn_call_log_init (CnCallLog *self)
{
  self->duration = -1;
  self->direction = g_strdup ("outbound");
}

CnCallLog *
cn_call_log_new (void)
{
  return g_object_new (CN_TYPE_CALL_LOG, NULL);
}

CnCallLog *
cn_call_log_new_with_uuid (void)
{
  CnCallLog *self = cn_call_log_new ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  self->uuid = g_uuid_string_random ();
  self->created_at = now;
  self->updated_at = now;

  return self;
}

CnCallLog *
cn_call_log_copy (CnCallLog *self)
{
  CnCallLog *copy;

  g_return_val_if_fail (CN_IS_CALL_LOG (self), NULL);

  copy = cn_call_log_new ();
  for (guint prop_id = 1; prop_id < N_PROPS; prop_id++)
    {
      if (string_offsets[prop_id] != 0)
        {
          g_free (*string_field (copy, prop_id));
          *string_field (copy, prop_id) = g_strdup (*string_field (self, prop_id));
        }
    }
  copy->outcome = self->outcome;
  copy->duration = self->duration;
  copy->follow_up = self->follow_up;
  copy->created_at = self->created_at;
  copy->updated_at = self->updated_at;
  copy->revision = self->revision;
  copy->deleted = self->deleted;

  return copy;
}

#define STRING_ACCESSORS(field, PROP)                                   \
  const char *                                                          \
  cn_call_log_get_##field (CnCallLog *self)                             \
  {                                                                     \
    g_return_val_if_fail (CN_IS_CALL_LOG (self), NULL);                 \
    return self->field;                                                 \
  }                                                                     \
  void                                                                  \
  cn_call_log_set_##field (CnCallLog *self, const char *value)          \
  {                                                                     \
    g_return_if_fail (CN_IS_CALL_LOG (self));                           \
    set_string (self, PROP, value);                                     \
  }

STRING_ACCESSORS (uuid, PROP_UUID)
STRING_ACCESSORS (contact_id, PROP_CONTACT_ID)
STRING_ACCESSORS (contact_name, PROP_CONTACT_NAME)
STRING_ACCESSORS (phone, PROP_PHONE)
STRING_ACCESSORS (phone_raw, PROP_PHONE_RAW)
STRING_ACCESSORS (extension, PROP_EXTENSION)
STRING_ACCESSORS (notes, PROP_NOTES)

const char *
cn_call_log_get_direction (CnCallLog *self)
{
  g_return_val_if_fail (CN_IS_CALL_LOG (self), NULL);
  return self->direction != NULL ? self->direction : "outbound";
}

void
cn_call_log_set_direction (CnCallLog  *self,
                           const char *direction)
{
  g_return_if_fail (CN_IS_CALL_LOG (self));
  g_return_if_fail (direction == NULL || g_str_equal (direction, "outbound") ||
                    g_str_equal (direction, "inbound"));
  set_string (self, PROP_DIRECTION, direction != NULL ? direction : "outbound");
}

CnOutcome
cn_call_log_get_outcome (CnCallLog *self)
{
  g_return_val_if_fail (CN_IS_CALL_LOG (self), CN_OUTCOME_NONE);
  return self->outcome;
}

void
cn_call_log_set_outcome (CnCallLog *self,
                         CnOutcome  outcome)
{
  g_return_if_fail (CN_IS_CALL_LOG (self));
  g_return_if_fail (outcome <= CN_OUTCOME_LAST);

  if (self->outcome == outcome)
    return;

  self->outcome = outcome;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OUTCOME]);
}

gint64
cn_call_log_get_duration (CnCallLog *self)
{
  g_return_val_if_fail (CN_IS_CALL_LOG (self), -1);
  return self->duration;
}

void
cn_call_log_set_duration (CnCallLog *self,
                          gint64     seconds)
{
  g_return_if_fail (CN_IS_CALL_LOG (self));
  set_int64 (self, &self->duration, MAX (seconds, -1), PROP_DURATION);
}

gint64
cn_call_log_get_follow_up (CnCallLog *self)
{
  g_return_val_if_fail (CN_IS_CALL_LOG (self), 0);
  return self->follow_up;
}

void
cn_call_log_set_follow_up (CnCallLog *self,
                           gint64     follow_up)
{
  g_return_if_fail (CN_IS_CALL_LOG (self));
  set_int64 (self, &self->follow_up, MAX (follow_up, 0), PROP_FOLLOW_UP);
}

gint64
cn_call_log_get_created_at (CnCallLog *self)
{
  g_return_val_if_fail (CN_IS_CALL_LOG (self), 0);
  return self->created_at;
}

void
cn_call_log_set_created_at (CnCallLog *self,
                            gint64     created_at)
{
  g_return_if_fail (CN_IS_CALL_LOG (self));
  set_int64 (self, &self->created_at, created_at, PROP_CREATED_AT);
}

gint64
cn_call_log_get_updated_at (CnCallLog *self)
{
  g_return_val_if_fail (CN_IS_CALL_LOG (self), 0);
  return self->updated_at;
}

void
cn_call_log_set_updated_at (CnCallLog *self,
                            gint64     updated_at)
{
  g_return_if_fail (CN_IS_CALL_LOG (self));
  set_int64 (self, &self->updated_at, updated_at, PROP_UPDATED_AT);
}

gint
cn_call_log_get_revision (CnCallLog *self)
{
  g_return_val_if_fail (CN_IS_CALL_LOG (self), 0);
  return self->revision;
}

void
cn_call_log_set_revision (CnCallLog *self,
                          gint       revision)
{
  g_return_if_fail (CN_IS_CALL_LOG (self));

  if (self->revision == revision)
    return;

  self->revision = revision;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVISION]);
}

gboolean
cn_call_log_get_deleted (CnCallLog *self)
{
  g_return_val_if_fail (CN_IS_CALL_LOG (self), FALSE);
  return self->deleted;
}

void
cn_call_log_set_deleted (CnCallLog *self,
                         gboolean   deleted)
{
  g_return_if_fail (CN_IS_CALL_LOG (self));

  deleted = !!deleted;
  if (self->deleted == deleted)
    return;

  self->deleted = deleted;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DELETED]);
}

const char *
cn_call_log_get_display_name (CnCallLog *self)
{
  g_return_val_if_fail (CN_IS_CALL_LOG (self), NULL);

  if (self->contact_name != NULL)
    return self->contact_name;
  if (self->phone != NULL)
    return self->phone;
  if (self->phone_raw != NULL)
    return self->phone_raw;
  if (self->contact_id != NULL)
    return self->contact_id;

  return _("Unknown caller");
}

char *
cn_call_log_dup_notes_summary (CnCallLog *self)
{
  const char *p;
  const char *end;

  g_return_val_if_fail (CN_IS_CALL_LOG (self), NULL);

  if (self->notes == NULL)
    return g_strdup ("");

  p = self->notes;
  for (;;)
    {
      while (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t')
        p++;
      end = p + strcspn (p, "\r\n");
      if (end > p || *end == '\0')
        break;
      p = end;
    }

  return g_strstrip (g_strndup (p, end - p));
}

static gboolean
check_text (const char  *value,
            gsize        max_bytes,
            const char  *field_label,
            GError     **error)
{
  if (value == NULL)
    return TRUE;

  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, G_CONVERT_ERROR, G_CONVERT_ERROR_ILLEGAL_SEQUENCE,
                   /* Translators: %s is a field such as "Notes" */
                   _("%s is not valid UTF-8 text."), field_label);
      return FALSE;
    }

  if (strlen (value) > max_bytes)
    {
      g_set_error (error, G_CONVERT_ERROR, G_CONVERT_ERROR_FAILED,
                   /* Translators: %s is a field such as "Notes", %u a size in bytes */
                   _("%s is too long (at most %u bytes)."), field_label, (guint) max_bytes);
      return FALSE;
    }

  return TRUE;
}

gboolean
cn_call_log_validate (CnCallLog  *self,
                      GError    **error)
{
  g_return_val_if_fail (CN_IS_CALL_LOG (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!cn_uuid_is_valid (self->uuid))
    {
      g_set_error (error, G_CONVERT_ERROR, G_CONVERT_ERROR_FAILED,
                   _("The call log has no valid identifier."));
      return FALSE;
    }

  if (self->outcome < CN_OUTCOME_FIRST || self->outcome > CN_OUTCOME_LAST)
    {
      g_set_error (error, G_CONVERT_ERROR, G_CONVERT_ERROR_FAILED,
                   _("Choose an outcome: Connected, Voicemail, No Answer or Busy."));
      return FALSE;
    }

  if (self->follow_up >= CN_MAX_UNIX_SECONDS || self->created_at >= CN_MAX_UNIX_SECONDS ||
      self->created_at < 0)
    {
      g_set_error (error, G_CONVERT_ERROR, G_CONVERT_ERROR_FAILED,
                   _("The call log’s dates are out of range."));
      return FALSE;
    }

  if (self->phone == NULL && self->phone_raw == NULL && self->contact_id == NULL)
    {
      g_set_error (error, G_CONVERT_ERROR, G_CONVERT_ERROR_FAILED,
                   _("A call log needs a phone number or a contact."));
      return FALSE;
    }

  return check_text (self->contact_id, CN_CALL_LOG_MAX_FIELD, _("Contact ID"), error) &&
         check_text (self->contact_name, CN_CALL_LOG_MAX_FIELD, _("Contact name"), error) &&
         check_text (self->phone, CN_CALL_LOG_MAX_FIELD, _("Phone number"), error) &&
         check_text (self->phone_raw, CN_CALL_LOG_MAX_FIELD, _("Phone number"), error) &&
         check_text (self->extension, CN_CALL_LOG_MAX_FIELD, _("Extension"), error) &&
         check_text (self->notes, CN_CALL_LOG_MAX_NOTES, _("Notes"), error);
}

gboolean
cn_uuid_is_valid (const char *uuid)
{
  if (uuid == NULL || !g_uuid_string_is_valid (uuid))
    return FALSE;

  for (const char *p = uuid; *p != '\0'; p++)
    if (g_ascii_isupper (*p))
      return FALSE;

  return TRUE;
}
