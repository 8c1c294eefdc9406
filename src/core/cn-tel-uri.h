/* cn-tel-uri.h: tel: and callto: URIs (RFC 3966) and the numbers in them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CN_TEL_URI_MAX_LENGTH 2048

#define CN_TEL_URI_ERROR (cn_tel_uri_error_quark ())

typedef enum {
  CN_TEL_URI_ERROR_EMPTY,          /* "tel:" with no number */
  CN_TEL_URI_ERROR_TOO_LONG,       /* longer than CN_TEL_URI_MAX_LENGTH */
  CN_TEL_URI_ERROR_ENCODING,       /* invalid UTF-8, NUL, bad percent-encoding */
  CN_TEL_URI_ERROR_SCHEME,         /* neither tel: nor callto: */
  CN_TEL_URI_ERROR_NUMBER,         /* characters that are not a phone number */
  CN_TEL_URI_ERROR_PARAMETER,      /* a malformed known parameter (ext, isub, phone-context) */
} CnTelUriError;

GQuark cn_tel_uri_error_quark (void);

typedef struct {
  char     *raw;            /* the URI exactly as received (valid UTF-8) */
  char     *number;         /* the number part, percent-decoded, separators kept */
  char     *digits;         /* dialable characters only: leading '+', digits, '*', '#' */
  char     *e164;           /* "+15551234567", or NULL when the number cannot be made E.164 */
  char     *extension;      /* ";ext=" value without separators, or NULL */
  char     *isub;           /* ";isub=" value, or NULL */
  char     *phone_context;  /* ";phone-context=" value for local numbers, or NULL */
  char     *contact_id;     /* ";x-contact-id=" (percent-decoded), or NULL */
  char     *contact_name;   /* ";x-contact-name=" (percent-decoded), or NULL */
  gboolean  is_global;      /* the number began with '+' */
} CnTelUri;

/* Parses @uri (@length bytes, or -1 for NUL-terminated). Accepts "tel:",
 * "callto:" and "callto://" (scheme case-insensitive). Unknown parameters are
 * ignored. @default_country_code ("1", "49", or NULL/"") completes national
 * numbers to E.164. Returns NULL and sets @error for anything malformed; the
 * error message is a complete, translated sentence fit to show a person. */
CnTelUri *cn_tel_uri_parse (const char *uri,
                            gssize      length,
                            const char *default_country_code,
                            GError    **error);
CnTelUri *cn_tel_uri_copy  (const CnTelUri *self);
void      cn_tel_uri_free  (CnTelUri *self);

/* The best number to show and store: e164 when known, else digits. */
const char *cn_tel_uri_get_best_number (const CnTelUri *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnTelUri, cn_tel_uri_free)

G_END_DECLS
