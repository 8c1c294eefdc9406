/* cn-phone.c: phone number normalisation and matching
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-phone"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "cn-phone.h"

/* E.164 allows at most 15 digits after the '+'; fewer than 7 is no public
 * number anywhere (the shortest national numbers plus their country code). */
#define E164_MIN_DIGITS 7
#define E164_MAX_DIGITS 15

/* Far longer than any phone number; keeps the work bounded for hostile input. */
#define PHONE_MAX_LENGTH 1024

G_DEFINE_QUARK (cn-phone-error-quark, cn_phone_error)

static gboolean
is_visual_separator (gunichar c)
{
  return c == '-' || c == '.' || c == '(' || c == ')' || g_unichar_isspace (c) ||
         /* NO-BREAK SPACE and friends are "Zs" but not all are isspace () */
         g_unichar_type (c) == G_UNICODE_SPACE_SEPARATOR;
}

char *
cn_phone_strip_separators (const char  *text,
                           GError     **error)
{
  g_autoptr(GString) out = NULL;
  gboolean has_digit = FALSE;
  gsize len;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  len = strnlen (text, PHONE_MAX_LENGTH + 1);
  if (len > PHONE_MAX_LENGTH)
    {
      g_set_error (error, CN_PHONE_ERROR, CN_PHONE_ERROR_INVALID,
                   _("The phone number is too long."));
      return NULL;
    }

  if (!g_utf8_validate (text, len, NULL))
    {
      g_set_error (error, CN_PHONE_ERROR, CN_PHONE_ERROR_INVALID,
                   _("The phone number is not valid text."));
      return NULL;
    }

  out = g_string_sized_new (len + 1);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_ascii_isdigit (c) || c == '*' || c == '#')
        {
          g_string_append_c (out, (char) c);
          if (g_ascii_isdigit (c))
            has_digit = TRUE;
        }
      else if (c == '+' && out->len == 0)
        {
          g_string_append_c (out, '+');
        }
      else if (is_visual_separator (c))
        {
          continue;
        }
      else
        {
          g_set_error (error, CN_PHONE_ERROR, CN_PHONE_ERROR_INVALID,
                       _("The phone number may only contain digits, “+” at the start, “*”, “#” "
                         "and separators."));
          return NULL;
        }
    }

  if (!has_digit)
    {
      g_set_error (error, CN_PHONE_ERROR, CN_PHONE_ERROR_INVALID,
                   _("The phone number does not contain any digits."));
      return NULL;
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
all_digits (const char *s)
{
  if (*s == '\0')
    return FALSE;

  for (; *s != '\0'; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;

  return TRUE;
}

/* @digits: the international number without '+' (country code first). */
static char *
make_e164 (const char *digits)
{
  gsize n = strlen (digits);

  if (!all_digits (digits) || digits[0] == '0' ||
      n < E164_MIN_DIGITS || n > E164_MAX_DIGITS)
    return NULL;

  return g_strconcat ("+", digits, NULL);
}

char *
cn_phone_to_e164 (const char  *text,
                  const char  *default_country_code,
                  GError     **error)
{
  g_autofree char *stripped = NULL;
  g_autofree char *national_owned = NULL;
  const char *national;
  const char *cc = default_country_code;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stripped = cn_phone_strip_separators (text, error);
  if (stripped == NULL)
    return NULL;

  /* '*' and '#' are service codes and never part of an E.164 number. */
  if (strpbrk (stripped, "*#") != NULL)
    return NULL;

  if (stripped[0] == '+')
    return make_e164 (stripped + 1);

  /* "00" is the international prefix nearly everywhere (ITU-T E.164 Annex). */
  if (g_str_has_prefix (stripped, "00"))
    return make_e164 (stripped + 2);

  if (!cn_phone_is_valid_country_code (cc))
    return NULL;

  /* North America dials "011" for abroad; national numbers there never start
   * with '0', so the prefix cannot be mistaken for a trunk code. */
  if (strcmp (cc, "1") == 0 && g_str_has_prefix (stripped, "011"))
    return make_e164 (stripped + 3);

  national = stripped;

  if (strcmp (cc, "1") == 0)
    {
      /* NANP: "1" is the trunk prefix before a ten-digit national number. */
      if (strlen (national) == 11 && national[0] == '1')
        national++;
      if (strlen (national) != 10 || national[0] == '0' || national[0] == '1')
        return NULL;
    }
  else if (strcmp (cc, "39") != 0)
    {
      /* Drop one trunk '0' ("030 1234567" in Germany is "+49 30 1234567").
       * Italy keeps the leading zero of fixed-line numbers in E.164. */
      if (national[0] == '0')
        national++;
      if (national[0] == '0' || national[0] == '\0')
        return NULL;
    }

  national_owned = g_strconcat (cc, national, NULL);
  return make_e164 (national_owned);
}

char *
cn_phone_last_ten_digits (const char *text)
{
  char digits[11];
  gsize n = 0;

  g_return_val_if_fail (text != NULL, NULL);

  /* Walk backwards so only the tail matters, whatever the length. */
  for (gsize i = strlen (text); i > 0 && n < 10; i--)
    if (g_ascii_isdigit (text[i - 1]))
      digits[10 - ++n] = text[i - 1];

  digits[10] = '\0';
  return g_strdup (digits + 10 - n);
}

gboolean
cn_phone_match (const char *a,
                const char *b)
{
  g_autofree char *ta = NULL;
  g_autofree char *tb = NULL;
  g_autofree char *ea = NULL;
  g_autofree char *eb = NULL;

  if (a == NULL || b == NULL)
    return FALSE;

  ta = cn_phone_last_ten_digits (a);
  tb = cn_phone_last_ten_digits (b);

  /* Empty strings name no line at all, so they never match. */
  if (*ta != '\0' && strcmp (ta, tb) == 0)
    return TRUE;

  ea = cn_phone_to_e164 (a, NULL, NULL);
  eb = cn_phone_to_e164 (b, NULL, NULL);

  return ea != NULL && eb != NULL && strcmp (ea, eb) == 0;
}

gboolean
cn_phone_is_valid_country_code (const char *code)
{
  gsize n;

  if (code == NULL)
    return FALSE;

  n = strnlen (code, 4);
  if (n < 1 || n > 3 || code[0] == '0')
    return FALSE;

  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isdigit (code[i]))
      return FALSE;

  return TRUE;
}

char *
cn_phone_country_code_from_setting (const char *value)
{
  g_autofree char *code = g_strstrip (g_strdup (value != NULL ? value : ""));
  const char *digits = code[0] == '+' ? code + 1 : code;

  return cn_phone_is_valid_country_code (digits) ? g_strdup (digits) : NULL;
}
