/* cn-phone.h: phone number normalisation and matching
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CN_PHONE_ERROR (cn_phone_error_quark ())

typedef enum {
  CN_PHONE_ERROR_INVALID,
} CnPhoneError;

GQuark cn_phone_error_quark (void);

/* Keeps '+' (only as first char), digits, '*', '#'; drops visual separators
 * "-.() " and spaces. Returns NULL (and sets @error) when other characters
 * occur or no digit remains. */
char     *cn_phone_strip_separators (const char *text,
                                     GError    **error);

/* Makes @text E.164 ("+15551234567") where possible:
 *  - "+..." stays global (digits only, 7..15 digits after '+');
 *  - "00..." becomes "+...";
 *  - a national number (leading trunk '0' dropped) is completed with
 *    @default_country_code ("1", "49"; NULL or "" = cannot complete).
 *  - for country code 1, a number of 11 digits starting with "1" is national.
 * Returns NULL when it cannot be made E.164 (no error set for that case unless
 * the text is not a phone number at all). */
char     *cn_phone_to_e164          (const char *text,
                                     const char *default_country_code,
                                     GError    **error);

/* The last ten digits (fewer if the number is shorter), for CRM matching. */
char     *cn_phone_last_ten_digits  (const char *text);

/* TRUE when both numbers name the same line (same last ten digits, or equal
 * E.164 forms). */
gboolean  cn_phone_match            (const char *a,
                                     const char *b);

/* Checks a country calling code setting: 1-3 digits, no leading zero. */
gboolean  cn_phone_is_valid_country_code (const char *code);

/* The "default-country-code" setting as a code ("+49 " → "49"), or NULL when
 * it is empty or not a country calling code. */
char     *cn_phone_country_code_from_setting (const char *value);

G_END_DECLS
