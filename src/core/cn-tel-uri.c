/* cn-tel-uri.c: tel: and callto: URIs (RFC 3966) and the numbers in them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-tel-uri"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "cn-phone.h"
#include "cn-tel-uri.h"

/* Where we follow RFC 3966 and where we are deliberately more lenient:
 *
 *  - Visual separators are "-.()" in the RFC; spaces (raw, "%20" or other
 *    Unicode spaces once decoded) are accepted too, because browsers and CRMs
 *    produce them.
 *  - A local number without ";phone-context=" is accepted (CRM links omit
 *    it); it is completed to E.164 with the default country code.
 *  - The RFC allows hex letters in local numbers; nobody can dial them from a
 *    softphone, so letters are rejected.
 *  - "callto:", "callto://" and "tel://" are accepted; a "?query" after a
 *    callto number (Skype's "?call") is ignored.
 *  - A dial-string pause ("tel:+15551234567,123") is read as the extension
 *    when no ";ext=" is given.
 *  - Unknown parameters, empty parameters ("tel:123;;") and a phone-context
 *    on a global number are ignored.  A known parameter that is malformed or
 *    given twice is an error: we would not know what to dial.
 */

/* The most a prefilled contact field may hold (decoded), in bytes. */
#define CONTACT_MAX_BYTES 512

/* RFC 1035: a domain name has at most 253 characters. */
#define DOMAIN_MAX_LENGTH 253

G_DEFINE_QUARK (cn-tel-uri-error-quark, cn_tel_uri_error)

/* Decodes %XX escapes in @len bytes of @s. Fails on a broken escape, on an
 * encoded NUL and when the result is not valid UTF-8. */
static char *
percent_decode (const char  *s,
                gsize        len,
                GError     **error)
{
  g_autoptr(GString) out = g_string_sized_new (len + 1);

  for (gsize i = 0; i < len; i++)
    {
      int hi, lo;

      if (s[i] != '%')
        {
          g_string_append_c (out, s[i]);
          continue;
        }

      if (i + 2 >= len)
        {
          hi = lo = -1;
        }
      else
        {
          hi = g_ascii_xdigit_value (s[i + 1]);
          lo = g_ascii_xdigit_value (s[i + 2]);
        }

      if (hi < 0 || lo < 0)
        {
          g_set_error_literal (error, CN_TEL_URI_ERROR, CN_TEL_URI_ERROR_ENCODING,
                               _("The phone link contains a broken percent-encoded character."));
          return NULL;
        }

      if (hi == 0 && lo == 0)
        {
          g_set_error_literal (error, CN_TEL_URI_ERROR, CN_TEL_URI_ERROR_ENCODING,
                               _("The phone link contains a null character."));
          return NULL;
        }

      g_string_append_c (out, (char) (hi * 16 + lo));
      i += 2;
    }

  if (!g_utf8_validate (out->str, out->len, NULL))
    {
      g_set_error_literal (error, CN_TEL_URI_ERROR, CN_TEL_URI_ERROR_ENCODING,
                           _("The phone link is not valid UTF-8 text."));
      return NULL;
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
has_control_chars (const char *s)
{
  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return TRUE;

  return FALSE;
}

/* RFC 3966: domainname = *( domainlabel "." ) toplabel [ "." ], labels of
 * letters, digits and inner hyphens, the top label starting with a letter. */
static gboolean
is_domain_name (const char *s)
{
  gsize len = strlen (s);
  const char *label;
  const char *last_label = NULL;

  if (len > 0 && s[len - 1] == '.')
    len--;

  if (len == 0 || len > DOMAIN_MAX_LENGTH)
    return FALSE;

  label = s;
  for (gsize i = 0; i <= len; i++)
    {
      if (i == len || s[i] == '.')
        {
          const char *label_end = s + i;

          if (label_end == label || label[0] == '-' || label_end[-1] == '-')
            return FALSE;

          last_label = label;
          label = label_end + 1;
        }
      else if (!g_ascii_isalnum (s[i]) && s[i] != '-')
        {
          return FALSE;
        }
    }

  return last_label != NULL && g_ascii_isalpha (last_label[0]);
}

/* Compares the parameter name [@name, @name + @len) case-insensitively. */
static gboolean
name_is (const char *name,
         gsize       len,
         const char *known)
{
  return strlen (known) == len && g_ascii_strncasecmp (name, known, len) == 0;
}

/* Keeps the dialable characters of a dial-string pause (",,123#"). */
static gboolean
parse_pause_extension (const char  *text,
                       char       **extension,
                       GError     **error)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p) || *p == '*' || *p == '#')
        g_string_append_c (out, *p);
      else if (*p != ',' && strchr ("-.() ", *p) == NULL)
        {
          g_set_error_literal (error, CN_TEL_URI_ERROR, CN_TEL_URI_ERROR_NUMBER,
                               _("The digits after the pause in the phone link may only be "
                                 "digits, “*” and “#”."));
          return FALSE;
        }
    }

  *extension = out->len > 0 ? g_string_free (g_steal_pointer (&out), FALSE) : NULL;
  return TRUE;
}

static gboolean
parse_extension (CnTelUri    *self,
                 const char  *value,
                 GError     **error)
{
  g_autoptr(GString) out = g_string_new (NULL);

  if (self->extension != NULL)
    {
      g_set_error_literal (error, CN_TEL_URI_ERROR, CN_TEL_URI_ERROR_PARAMETER,
                           _("The phone link contains more than one extension."));
      return FALSE;
    }

  /* extension = ";ext=" 1*phonedigit; phonedigit = DIGIT / visual-separator */
  for (const char *p = value; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        g_string_append_c (out, *p);
      else if (strchr ("-.() ", *p) == NULL)
        {
          g_set_error_literal (error, CN_TEL_URI_ERROR, CN_TEL_URI_ERROR_PARAMETER,
                               _("The extension in the phone link may only contain digits and "
                                 "separators."));
          return FALSE;
        }
    }

  if (out->len == 0)
    {
      g_set_error_literal (error, CN_TEL_URI_ERROR, CN_TEL_URI_ERROR_PARAMETER,
                           _("The extension in the phone link is empty."));
      return FALSE;
    }

  self->extension = g_string_free (g_steal_pointer (&out), FALSE);
  return TRUE;
}

static gboolean
parse_isub (CnTelUri    *self,
            const char  *value,
            GError     **error)
{
  if (self->isub != NULL)
    {
      g_set_error_literal (error, CN_TEL_URI_ERROR, CN_TEL_URI_ERROR_PARAMETER,
                           _("The phone link contains more than one ISDN subaddress."));
      return FALSE;
    }

  if (*value == '\0' || has_control_chars (value))
    {
      g_set_error_literal (error, CN_TEL_URI_ERROR, CN_TEL_URI_ERROR_PARAMETER,
                           _("The ISDN subaddress in the phone link is empty or not valid."));
      return FALSE;
    }

  self->isub = g_strdup (value);
  return TRUE;
}

static gboolean
parse_phone_context (CnTelUri    *self,
                     const char  *value,
                     GError     **error)
{
  gboolean valid;

  if (self->phone_context != NULL)
    {
      g_set_error_literal (error, CN_TEL_URI_ERROR, CN_TEL_URI_ERROR_PARAMETER,
                           _("The phone link contains more than one phone context."));
      return FALSE;
    }

  /* descriptor = domainname / global-number-digits */
  if (value[0] == '+')
    {
      g_autofree char *digits = cn_phone_strip_separators (value, NULL);

      valid = digits != NULL && strpbrk (digits, "*#") == NULL;
    }
  else
    {
      valid = is_domain_name (value);
    }

  if (!valid)
    {
      g_set_error_literal (error, CN_TEL_URI_ERROR, CN_TEL_URI_ERROR_PARAMETER,
                           _("The phone context in the phone link must be a domain name or a "
                             "number starting with “+”."));
      return FALSE;
    }

  self->phone_context = g_strdup (value);
  return TRUE;
}

static gboolean
parse_contact_field (char       **field,
                     const char  *value,
                     gboolean     is_name,
                     GError     **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (value));

  if (*field != NULL)
    {
      g_set_error_literal (error, CN_TEL_URI_ERROR, CN_TEL_URI_ERROR_PARAMETER,
                           is_name ? _("The phone link contains more than one contact name.")
                                   : _("The phone link contains more than one contact ID."));
      return FALSE;
    }

  if (strlen (stripped) > CONTACT_MAX_BYTES)
    {
      if (is_name)
        g_set_error (error, CN_TEL_URI_ERROR, CN_TEL_URI_ERROR_PARAMETER,
                     g_dngettext (GETTEXT_PACKAGE,
                                  "The contact name in the phone link is longer than %d byte.",
                                  "The contact name in the phone link is longer than %d bytes.",
                                  CONTACT_MAX_BYTES),
                     CONTACT_MAX_BYTES);
      else
        g_set_error (error, CN_TEL_URI_ERROR, CN_TEL_URI_ERROR_PARAMETER,
                     g_dngettext (GETTEXT_PACKAGE,
                                  "The contact ID in the phone link is longer than %d byte.",
                                  "The contact ID in the phone link is longer than %d bytes.",
                                  CONTACT_MAX_BYTES),
                     CONTACT_MAX_BYTES);
      return FALSE;
    }

  if (has_control_chars (stripped))
    {
      g_set_error_literal (error, CN_TEL_URI_ERROR, CN_TEL_URI_ERROR_PARAMETER,
                           is_name ? _("The contact name in the phone link contains control "
                                       "characters.")
                                   : _("The contact ID in the phone link contains control "
                                       "characters."));
      return FALSE;
    }

  /* An empty value prefills nothing; that is not worth an error. */
  if (*stripped != '\0')
    *field = g_steal_pointer (&stripped);

  return TRUE;
}

typedef enum {
  PARAM_UNKNOWN,
  PARAM_EXT,
  PARAM_ISUB,
  PARAM_PHONE_CONTEXT,
  PARAM_CONTACT_ID,
  PARAM_CONTACT_NAME,
} ParamKind;

/* One ";name=value" segment, without the ';'. */
static gboolean
parse_parameter (CnTelUri    *self,
                 const char  *segment,
                 gsize        len,
                 GError     **error)
{
  const char *eq = memchr (segment, '=', len);
  gsize name_len = eq != NULL ? (gsize) (eq - segment) : len;
  g_autofree char *value = NULL;
  ParamKind kind;

  if (name_is (segment, name_len, "ext"))
    kind = PARAM_EXT;
  else if (name_is (segment, name_len, "isub"))
    kind = PARAM_ISUB;
  else if (name_is (segment, name_len, "phone-context"))
    kind = PARAM_PHONE_CONTEXT;
  else if (name_is (segment, name_len, "x-contact-id"))
    kind = PARAM_CONTACT_ID;
  else if (name_is (segment, name_len, "x-contact-name"))
    kind = PARAM_CONTACT_NAME;
  else
    kind = PARAM_UNKNOWN;

  /* Unknown parameters (postd, tsp, isub-encoding, rn, npdi, ...) are
   * ignored without looking at their values. So is a phone-context on a
   * global number: it belongs to local numbers only (RFC 3966 5.1.5). */
  if (kind == PARAM_UNKNOWN || (kind == PARAM_PHONE_CONTEXT && self->is_global))
    return TRUE;

  if (eq != NULL)
    {
      value = percent_decode (eq + 1, len - name_len - 1, error);
      if (value == NULL)
        return FALSE;
    }
  else
    {
      value = g_strdup ("");
    }

  switch (kind)
    {
    case PARAM_EXT:
      return parse_extension (self, value, error);
    case PARAM_ISUB:
      return parse_isub (self, value, error);
    case PARAM_PHONE_CONTEXT:
      if (value[0] == '\0')
        {
          g_set_error_literal (error, CN_TEL_URI_ERROR, CN_TEL_URI_ERROR_PARAMETER,
                               _("The phone context in the phone link is empty."));
          return FALSE;
        }
      return parse_phone_context (self, value, error);
    case PARAM_CONTACT_ID:
      return parse_contact_field (&self->contact_id, value, FALSE, error);
    case PARAM_CONTACT_NAME:
      return parse_contact_field (&self->contact_name, value, TRUE, error);
    case PARAM_UNKNOWN:
    default:
      g_assert_not_reached ();
    }
}

static gboolean
is_blank (const char *s)
{
  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_isspace (c) && g_unichar_type (c) != G_UNICODE_SPACE_SEPARATOR)
        return FALSE;
    }

  return TRUE;
}

/* Fills in ->e164 once the number and its parameters are known. */
static void
complete_e164 (CnTelUri   *self,
               const char *default_country_code)
{
  if (self->is_global)
    {
      self->e164 = cn_phone_to_e164 (self->digits, NULL, NULL);
      return;
    }

  if (strpbrk (self->digits, "*#") != NULL)
    return;

  if (self->phone_context == NULL)
    {
      /* Lenient: a national number as CRMs write it. */
      self->e164 = cn_phone_to_e164 (self->digits, default_country_code, NULL);
    }
  else if (self->phone_context[0] == '+')
    {
      /* RFC 3966 5.1.5: a global-number-digits context is the prefix under
       * which the local number is valid, so the full number is the context's
       * digits followed by the local digits: "863-1234" in "+1-914-555" is
       * +1 914 555 863 1234 = "+19145558631234". That is the literal reading
       * of the RFC; we do not guess at overlaps between prefix and number. */
      g_autofree char *prefix = cn_phone_strip_separators (self->phone_context, NULL);
      g_autofree char *full = NULL;

      if (prefix == NULL)
        return;

      full = g_strconcat (prefix, self->digits, NULL);
      self->e164 = cn_phone_to_e164 (full, NULL, NULL);
    }
  /* else: a domain-name context ("example.com") names a private numbering
   * plan; such a number has no E.164 form and is kept as digits only. */
}

CnTelUri *
cn_tel_uri_parse (const char  *uri,
                  gssize       length,
                  const char  *default_country_code,
                  GError     **error)
{
  g_autoptr(CnTelUri) self = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *pause_extension = NULL;
  const char *p, *end, *semi;
  gsize len;
  gboolean is_callto = FALSE;
  char *comma;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Never look further than one byte past the limit. */
  if (length < 0)
    len = strnlen (uri, CN_TEL_URI_MAX_LENGTH + 1);
  else
    len = (gsize) length;

  if (len > CN_TEL_URI_MAX_LENGTH)
    {
      g_set_error (error, CN_TEL_URI_ERROR, CN_TEL_URI_ERROR_TOO_LONG,
                   g_dngettext (GETTEXT_PACKAGE,
                                "The phone link is longer than %d character.",
                                "The phone link is longer than %d characters.",
                                CN_TEL_URI_MAX_LENGTH),
                   CN_TEL_URI_MAX_LENGTH);
      return NULL;
    }

  if (memchr (uri, '\0', len) != NULL)
    {
      g_set_error_literal (error, CN_TEL_URI_ERROR, CN_TEL_URI_ERROR_ENCODING,
                           _("The phone link contains a null character."));
      return NULL;
    }

  if (!g_utf8_validate (uri, len, NULL))
    {
      g_set_error_literal (error, CN_TEL_URI_ERROR, CN_TEL_URI_ERROR_ENCODING,
                           _("The phone link is not valid UTF-8 text."));
      return NULL;
    }

  self = g_new0 (CnTelUri, 1);
  self->raw = g_strndup (uri, len);

  p = self->raw;
  end = self->raw + len;
  while (p < end && g_ascii_isspace (*p))
    p++;
  while (end > p && g_ascii_isspace (end[-1]))
    end--;

  /* Schemes are case-insensitive (RFC 3986 3.1). */
  if (end - p >= 4 && g_ascii_strncasecmp (p, "tel:", 4) == 0)
    {
      p += 4;
    }
  else if (end - p >= 7 && g_ascii_strncasecmp (p, "callto:", 7) == 0)
    {
      p += 7;
      is_callto = TRUE;
    }
  else
    {
      g_set_error_literal (error, CN_TEL_URI_ERROR, CN_TEL_URI_ERROR_SCHEME,
                           _("Only “tel:” and “callto:” links can be opened as phone calls."));
      return NULL;
    }

  if (end - p >= 2 && p[0] == '/' && p[1] == '/')
    p += 2;

  if (is_callto)
    {
      const char *query = memchr (p, '?', end - p);

      if (query != NULL)
        end = query;
    }

  /* The number runs up to the first ';'; it is decoded on its own so that an
   * encoded "%3B" can never start a parameter. */
  semi = memchr (p, ';', end - p);
  self->number = percent_decode (p, (semi != NULL ? semi : end) - p, error);
  if (self->number == NULL)
    return NULL;

  comma = strchr (self->number, ',');
  if (comma != NULL)
    {
      if (!parse_pause_extension (comma + 1, &pause_extension, error))
        return NULL;
      *comma = '\0';
    }

  g_strstrip (self->number);
  if (is_blank (self->number))
    {
      g_set_error_literal (error, CN_TEL_URI_ERROR, CN_TEL_URI_ERROR_EMPTY,
                           _("The phone link does not contain a phone number."));
      return NULL;
    }

  self->digits = cn_phone_strip_separators (self->number, &local_error);
  if (self->digits == NULL)
    {
      /* cn-phone's sentence says what is wrong with the number. */
      g_set_error_literal (error, CN_TEL_URI_ERROR, CN_TEL_URI_ERROR_NUMBER,
                           local_error->message);
      return NULL;
    }

  self->is_global = self->digits[0] == '+';
  if (self->is_global && strpbrk (self->digits, "*#") != NULL)
    {
      g_set_error_literal (error, CN_TEL_URI_ERROR, CN_TEL_URI_ERROR_NUMBER,
                           _("A phone number starting with “+” may only contain digits and "
                             "separators."));
      return NULL;
    }

  while (semi != NULL)
    {
      const char *segment = semi + 1;
      const char *segment_end;

      semi = memchr (segment, ';', end - segment);
      segment_end = semi != NULL ? semi : end;

      if (!parse_parameter (self, segment, segment_end - segment, error))
        return NULL;
    }

  if (pause_extension != NULL)
    {
      if (self->extension != NULL)
        {
          g_set_error_literal (error, CN_TEL_URI_ERROR, CN_TEL_URI_ERROR_PARAMETER,
                               _("The phone link contains more than one extension."));
          return NULL;
        }
      self->extension = g_steal_pointer (&pause_extension);
    }

  complete_e164 (self, default_country_code);

  return g_steal_pointer (&self);
}

CnTelUri *
cn_tel_uri_copy (const CnTelUri *self)
{
  CnTelUri *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (CnTelUri, 1);
  copy->raw = g_strdup (self->raw);
  copy->number = g_strdup (self->number);
  copy->digits = g_strdup (self->digits);
  copy->e164 = g_strdup (self->e164);
  copy->extension = g_strdup (self->extension);
  copy->isub = g_strdup (self->isub);
  copy->phone_context = g_strdup (self->phone_context);
  copy->contact_id = g_strdup (self->contact_id);
  copy->contact_name = g_strdup (self->contact_name);
  copy->is_global = self->is_global;

  return copy;
}

void
cn_tel_uri_free (CnTelUri *self)
{
  if (self == NULL)
    return;

  g_free (self->raw);
  g_free (self->number);
  g_free (self->digits);
  g_free (self->e164);
  g_free (self->extension);
  g_free (self->isub);
  g_free (self->phone_context);
  g_free (self->contact_id);
  g_free (self->contact_name);
  g_free (self);
}

const char *
cn_tel_uri_get_best_number (const CnTelUri *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->e164 != NULL ? self->e164 : self->digits;
}
