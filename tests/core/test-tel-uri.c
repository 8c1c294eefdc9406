/* test-tel-uri.c: tel: and callto: parsing (RFC 3966)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <glib.h>

#include "cn-tel-uri.h"

/* What a person reads must be a whole sentence, not a code or a blank. */
static void
assert_sentence (const char *message)
{
  g_assert_nonnull (message);
  g_assert_true (g_utf8_validate (message, -1, NULL));
  g_assert_cmpuint (strlen (message), >, 15);
  g_assert_true (g_unichar_isupper (g_utf8_get_char (message)));
  g_assert_true (g_str_has_suffix (message, "."));
}

static void
assert_parse_fails (const char *uri,
                    gssize      length,
                    int         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CnTelUri) parsed = cn_tel_uri_parse (uri, length, "1", &error);

  if (parsed != NULL)
    g_error ("“%s” should not parse, but gave %s", uri, cn_tel_uri_get_best_number (parsed));

  g_assert_error (error, CN_TEL_URI_ERROR, code);
  assert_sentence (error->message);
}

static CnTelUri *
parse_ok (const char *uri,
          const char *country_code)
{
  g_autoptr(GError) error = NULL;
  CnTelUri *parsed = cn_tel_uri_parse (uri, -1, country_code, &error);

  if (parsed == NULL)
    g_error ("“%s” should parse: %s", uri, error->message);
  g_assert_no_error (error);

  return parsed;
}

/* ---- every example URI of RFC 3966, plus the grammar's ext/isub forms ---- */

typedef struct {
  const char *path;
  const char *uri;
  const char *number;
  const char *digits;
  const char *e164;
  const char *extension;
  const char *isub;
  const char *phone_context;
  gboolean    is_global;
} RfcCase;

static const RfcCase rfc_cases[] = {
  /* RFC 3966 section 6 (Examples): a global number with hyphens. */
  { "/tel-uri/rfc3966/6/global-number",
    "tel:+1-201-555-0123",
    "+1-201-555-0123", "+12015550123", "+12015550123", NULL, NULL, NULL, TRUE },
  /* RFC 3966 section 6: a local number valid within the domain example.com;
   * a private numbering plan has no E.164 form. */
  { "/tel-uri/rfc3966/6/local-domain-context",
    "tel:7042;phone-context=example.com",
    "7042", "7042", NULL, NULL, NULL, "example.com", FALSE },
  /* RFC 3966 section 6: a local number within a global prefix; the E.164
   * form is the prefix digits followed by the local digits. */
  { "/tel-uri/rfc3966/6/local-prefix-context",
    "tel:863-1234;phone-context=+1-914-555",
    "863-1234", "8631234", "+19145558631234", NULL, NULL, "+1-914-555", FALSE },
  /* RFC 3966, use of tel URIs in HTML links: Dial <a href="tel:+1-212-555-0101">. */
  { "/tel-uri/rfc3966/html-link",
    "tel:+1-212-555-0101",
    "+1-212-555-0101", "+12125550101", "+12125550101", NULL, NULL, NULL, TRUE },
  /* RFC 3966 section 3 grammar / 5.3: extension = ";ext=" 1*phonedigit */
  { "/tel-uri/rfc3966/5.3/extension",
    "tel:+1-212-555-0101;ext=1234",
    "+1-212-555-0101", "+12125550101", "+12125550101", "1234", NULL, NULL, TRUE },
  /* phonedigit includes visual separators, which are not part of the value. */
  { "/tel-uri/rfc3966/5.3/extension-separators",
    "tel:+1-201-555-0123;ext=12-34",
    "+1-201-555-0123", "+12015550123", "+12015550123", "1234", NULL, NULL, TRUE },
  /* RFC 3966 section 3 grammar / 5.2: isdn-subaddress = ";isub=" 1*uric */
  { "/tel-uri/rfc3966/5.2/isdn-subaddress",
    "tel:+1-201-555-0123;isub=1411",
    "+1-201-555-0123", "+12015550123", "+12015550123", NULL, "1411", NULL, TRUE },
  /* RFC 3966 section 5.1.5 with 3: parameters in any order around the context. */
  { "/tel-uri/rfc3966/5.1.5/context-after-ext",
    "tel:7042;ext=12;phone-context=example.com",
    "7042", "7042", NULL, "12", NULL, "example.com", FALSE },
  { "/tel-uri/rfc3966/5.1.5/prefix-context-with-ext",
    "tel:863-1234;phone-context=+1-914-555;ext=99",
    "863-1234", "8631234", "+19145558631234", "99", NULL, "+1-914-555", FALSE },
  /* RFC 3966 section 3: parameter names are case-insensitive; a domain
   * name may end in a dot. */
  { "/tel-uri/rfc3966/3/parameter-name-case",
    "tel:7042;PHONE-CONTEXT=example.com.",
    "7042", "7042", NULL, NULL, NULL, "example.com.", FALSE },
  /* RFC 3966 section 5.1.3: '*' and '#' in local numbers (service codes). */
  { "/tel-uri/rfc3966/5.1.3/star-hash",
    "tel:*67%23;phone-context=example.com",
    "*67#", "*67#", NULL, NULL, NULL, "example.com", FALSE },
  /* RFC 2806 (obsoleted by 3966) examples: postd is now an unknown
   * parameter and is ignored. */
  { "/tel-uri/rfc2806/global",
    "tel:+358-555-1234567",
    "+358-555-1234567", "+3585551234567", "+3585551234567", NULL, NULL, NULL, TRUE },
  { "/tel-uri/rfc2806/postd-ignored",
    "tel:+358-555-1234567;postd=pp22",
    "+358-555-1234567", "+3585551234567", "+3585551234567", NULL, NULL, NULL, TRUE },
  /* RFC 4715: isub-encoding next to isub is an unknown parameter to us. */
  { "/tel-uri/rfc4715/isub-encoding",
    "tel:+17005554141;isub=12345;isub-encoding=nsap-ia5",
    "+17005554141", "+17005554141", "+17005554141", NULL, "12345", NULL, TRUE },
};

static void
test_rfc_case (gconstpointer data)
{
  const RfcCase *c = data;
  const char *country_codes[] = { NULL, "", "49", "1" };

  /* Global numbers and numbers with a context never depend on the
   * default country code. */
  for (gsize i = 0; i < G_N_ELEMENTS (country_codes); i++)
    {
      g_autoptr(CnTelUri) uri = parse_ok (c->uri, country_codes[i]);

      g_assert_cmpstr (uri->raw, ==, c->uri);
      g_assert_cmpstr (uri->number, ==, c->number);
      g_assert_cmpstr (uri->digits, ==, c->digits);
      g_assert_cmpstr (uri->e164, ==, c->e164);
      g_assert_cmpstr (uri->extension, ==, c->extension);
      g_assert_cmpstr (uri->isub, ==, c->isub);
      g_assert_cmpstr (uri->phone_context, ==, c->phone_context);
      g_assert_cmpint (uri->is_global, ==, c->is_global);
      g_assert_null (uri->contact_id);
      g_assert_null (uri->contact_name);
      g_assert_cmpstr (cn_tel_uri_get_best_number (uri), ==,
                       c->e164 != NULL ? c->e164 : c->digits);
    }
}

/* ---- separators, spaces, percent-encoding ---- */

static void
test_separators_and_spaces (void)
{
  const char *uris[] = {
    "tel:+1-201-555-0123",
    "tel:+1.201.555.0123",
    "tel:+1(201)555-0123",
    "tel:+1 (201) 555-0123",        /* raw spaces, as a command line gives them */
    "tel:+1%20(201)%20555-0123",    /* spaces as browsers encode them */
    "tel:%2B1-201-555-0123",        /* an encoded '+' */
    "tel:+1%C2%A0201%C2%A0555%C2%A00123",  /* NO-BREAK SPACE from a CRM */
    "tel:%2b1%2D201%2d555%2D0123",  /* lower-case hex */
    "  tel:+12015550123  ",         /* surrounding whitespace */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (uris); i++)
    {
      g_autoptr(CnTelUri) uri = parse_ok (uris[i], NULL);

      g_assert_cmpstr (uri->e164, ==, "+12015550123");
      g_assert_cmpstr (uri->digits, ==, "+12015550123");
      g_assert_true (uri->is_global);
      g_assert_cmpstr (uri->raw, ==, uris[i]);
    }

  {
    g_autoptr(CnTelUri) uri = parse_ok ("tel:+1%20(201)%20555-0123", NULL);

    /* The number is kept decoded and with its separators, for display. */
    g_assert_cmpstr (uri->number, ==, "+1 (201) 555-0123");
  }
}

static void
test_scheme_variants (void)
{
  struct {
    const char *uri;
    const char *country_code;
    const char *e164;
  } cases[] = {
    { "TEL:+1-201-555-0123", NULL, "+12015550123" },
    { "Tel:+1-201-555-0123", NULL, "+12015550123" },
    { "callto:+4930123456", NULL, "+4930123456" },
    { "callto://+4930123456", NULL, "+4930123456" },
    { "CallTo://+4930123456", NULL, "+4930123456" },
    /* callto without '+': a national number, completed with the setting */
    { "callto:2015550123", "1", "+12015550123" },
    { "callto://12015550123", "1", "+12015550123" },
    { "callto:030123456", "49", "+4930123456" },
    /* Skype's "?call" suffix */
    { "callto://+4930123456?call", NULL, "+4930123456" },
    /* The international prefix "00" needs no country code. */
    { "callto:004930123456", NULL, "+4930123456" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CnTelUri) uri = parse_ok (cases[i].uri, cases[i].country_code);

      g_assert_cmpstr (uri->e164, ==, cases[i].e164);
      g_assert_cmpstr (cn_tel_uri_get_best_number (uri), ==, cases[i].e164);
    }
}

static void
test_local_without_context (void)
{
  /* CRM links omit phone-context; the default country code completes them. */
  {
    g_autoptr(CnTelUri) uri = parse_ok ("tel:(201) 555-0123", "1");

    g_assert_false (uri->is_global);
    g_assert_null (uri->phone_context);
    g_assert_cmpstr (uri->digits, ==, "2015550123");
    g_assert_cmpstr (uri->e164, ==, "+12015550123");
  }
  {
    g_autoptr(CnTelUri) uri = parse_ok ("tel:030%2012345678", "49");

    g_assert_cmpstr (uri->digits, ==, "03012345678");
    g_assert_cmpstr (uri->e164, ==, "+493012345678");
  }
  {
    /* Without a country code the number stays as dialed. */
    g_autoptr(CnTelUri) uri = parse_ok ("tel:201-555-0123", NULL);

    g_assert_null (uri->e164);
    g_assert_cmpstr (uri->digits, ==, "2015550123");
    g_assert_cmpstr (cn_tel_uri_get_best_number (uri), ==, "2015550123");
  }
  {
    /* An emergency or service number has no E.164 form. */
    g_autoptr(CnTelUri) uri = parse_ok ("tel:911", "1");

    g_assert_null (uri->e164);
    g_assert_cmpstr (cn_tel_uri_get_best_number (uri), ==, "911");
  }
  {
    /* A context given by a global prefix wins over the default country. */
    g_autoptr(CnTelUri) uri = parse_ok ("tel:123-4;phone-context=+1-650-516", "49");

    g_assert_cmpstr (uri->e164, ==, "+16505161234");
  }
}

static void
test_extension_forms (void)
{
  {
    g_autoptr(CnTelUri) uri = parse_ok ("tel:+1-201-555-0123;EXT=%31%32", NULL);

    g_assert_cmpstr (uri->extension, ==, "12");
    g_assert_cmpstr (uri->e164, ==, "+12015550123");
  }
  {
    /* A dial-string pause is read as the extension. */
    g_autoptr(CnTelUri) uri = parse_ok ("tel:+15551234567,,123", NULL);

    g_assert_cmpstr (uri->e164, ==, "+15551234567");
    g_assert_cmpstr (uri->extension, ==, "123");
    g_assert_cmpstr (uri->number, ==, "+15551234567");
  }
  {
    g_autoptr(CnTelUri) uri = parse_ok ("tel:+15551234567,", NULL);

    g_assert_null (uri->extension);
  }
}

static void
test_unknown_parameters_ignored (void)
{
  g_autoptr(CnTelUri) uri =
    parse_ok ("tel:+1-201-555-0123;foo=bar;tsp=a.b.example;;npdi;rn=%zz;x-other=1", NULL);

  g_assert_cmpstr (uri->e164, ==, "+12015550123");
  g_assert_null (uri->extension);
  g_assert_null (uri->isub);
  g_assert_null (uri->contact_id);
  g_assert_null (uri->contact_name);
}

static void
test_phone_context_on_global_ignored (void)
{
  g_autoptr(CnTelUri) uri = parse_ok ("tel:+1-201-555-0123;phone-context=+44", NULL);

  g_assert_null (uri->phone_context);
  g_assert_cmpstr (uri->e164, ==, "+12015550123");
}

static void
test_contact_prefill (void)
{
  {
    g_autoptr(CnTelUri) uri =
      parse_ok ("tel:+49-30-1234567;x-contact-id=ctc%2F42;"
                "x-contact-name=J%C3%BCrgen%20M%C3%BCller", NULL);

    g_assert_cmpstr (uri->e164, ==, "+49301234567");
    g_assert_cmpstr (uri->contact_id, ==, "ctc/42");
    g_assert_cmpstr (uri->contact_name, ==, "Jürgen Müller");
  }
  {
    /* Parameter names are case-insensitive; values keep their case. */
    g_autoptr(CnTelUri) uri = parse_ok ("tel:+12015550123;X-Contact-Name=ACME%20Inc.", NULL);

    g_assert_cmpstr (uri->contact_name, ==, "ACME Inc.");
  }
  {
    /* An empty value prefills nothing. */
    g_autoptr(CnTelUri) uri = parse_ok ("tel:+12015550123;x-contact-name=", NULL);

    g_assert_null (uri->contact_name);
  }
  {
    /* Exactly 512 bytes is allowed. */
    g_autofree char *name = g_strnfill (512, 'a');
    g_autofree char *text = g_strconcat ("tel:+12015550123;x-contact-name=", name, NULL);
    g_autoptr(CnTelUri) uri = parse_ok (text, NULL);

    g_assert_cmpstr (uri->contact_name, ==, name);
  }
}

static void
test_contact_prefill_rejected (void)
{
  g_autofree char *long_name = g_strnfill (513, 'a');
  g_autofree char *too_long = g_strconcat ("tel:+12015550123;x-contact-name=", long_name, NULL);
  g_autofree char *too_long_id = g_strconcat ("tel:+12015550123;x-contact-id=", long_name, NULL);

  assert_parse_fails (too_long, -1, CN_TEL_URI_ERROR_PARAMETER);
  assert_parse_fails (too_long_id, -1, CN_TEL_URI_ERROR_PARAMETER);
  /* Decoded bytes that are not UTF-8 */
  assert_parse_fails ("tel:+12015550123;x-contact-name=%FF%FE", -1, CN_TEL_URI_ERROR_ENCODING);
  assert_parse_fails ("tel:+12015550123;x-contact-name=J%C3", -1, CN_TEL_URI_ERROR_ENCODING);
  /* A NUL hidden in the encoding */
  assert_parse_fails ("tel:+12015550123;x-contact-id=4%002", -1, CN_TEL_URI_ERROR_ENCODING);
  /* A line break would break every label it is shown in. */
  assert_parse_fails ("tel:+12015550123;x-contact-name=a%0Ab", -1, CN_TEL_URI_ERROR_PARAMETER);
  assert_parse_fails ("tel:+12015550123;x-contact-id=1;x-contact-id=2", -1,
                      CN_TEL_URI_ERROR_PARAMETER);
  assert_parse_fails ("tel:+12015550123;x-contact-name=%G1", -1, CN_TEL_URI_ERROR_ENCODING);
}

static void
test_malformed (void)
{
  assert_parse_fails ("tel:", -1, CN_TEL_URI_ERROR_EMPTY);
  assert_parse_fails ("callto://", -1, CN_TEL_URI_ERROR_EMPTY);
  assert_parse_fails ("tel:%20%20", -1, CN_TEL_URI_ERROR_EMPTY);
  assert_parse_fails ("tel:;ext=12", -1, CN_TEL_URI_ERROR_EMPTY);
  assert_parse_fails ("tel:abc", -1, CN_TEL_URI_ERROR_NUMBER);
  assert_parse_fails ("callto:echo123", -1, CN_TEL_URI_ERROR_NUMBER);
  assert_parse_fails ("tel:---", -1, CN_TEL_URI_ERROR_NUMBER);
  assert_parse_fails ("tel:1+2015550123", -1, CN_TEL_URI_ERROR_NUMBER);
  assert_parse_fails ("tel:+1*201", -1, CN_TEL_URI_ERROR_NUMBER);
  assert_parse_fails ("tel:123?x", -1, CN_TEL_URI_ERROR_NUMBER);
  assert_parse_fails ("tel:123%3B456", -1, CN_TEL_URI_ERROR_NUMBER);
  assert_parse_fails ("tel:+15551234567,12a", -1, CN_TEL_URI_ERROR_NUMBER);
  assert_parse_fails ("", -1, CN_TEL_URI_ERROR_SCHEME);
  assert_parse_fails ("te", -1, CN_TEL_URI_ERROR_SCHEME);
  assert_parse_fails ("+12015550123", -1, CN_TEL_URI_ERROR_SCHEME);
  assert_parse_fails ("sip:+12015550123@example.com", -1, CN_TEL_URI_ERROR_SCHEME);
  assert_parse_fails ("mailto:someone@example.com", -1, CN_TEL_URI_ERROR_SCHEME);
  assert_parse_fails ("tel:%", -1, CN_TEL_URI_ERROR_ENCODING);
  assert_parse_fails ("tel:+1%2", -1, CN_TEL_URI_ERROR_ENCODING);
  assert_parse_fails ("tel:+1%zz", -1, CN_TEL_URI_ERROR_ENCODING);
  assert_parse_fails ("tel:+1%00555", -1, CN_TEL_URI_ERROR_ENCODING);
  assert_parse_fails ("tel:+1%FF555", -1, CN_TEL_URI_ERROR_ENCODING);
  assert_parse_fails ("tel:+1\xff" "555", -1, CN_TEL_URI_ERROR_ENCODING);
  assert_parse_fails ("tel:+1\xc3(555", -1, CN_TEL_URI_ERROR_ENCODING);
  assert_parse_fails ("\xef\xbb\xbftel:+1", -1, CN_TEL_URI_ERROR_SCHEME);
}

static void
test_malformed_parameters (void)
{
  assert_parse_fails ("tel:+12015550123;ext=", -1, CN_TEL_URI_ERROR_PARAMETER);
  assert_parse_fails ("tel:+12015550123;ext", -1, CN_TEL_URI_ERROR_PARAMETER);
  assert_parse_fails ("tel:+12015550123;ext=-", -1, CN_TEL_URI_ERROR_PARAMETER);
  assert_parse_fails ("tel:+12015550123;ext=12a", -1, CN_TEL_URI_ERROR_PARAMETER);
  assert_parse_fails ("tel:+12015550123;ext=1;ext=2", -1, CN_TEL_URI_ERROR_PARAMETER);
  assert_parse_fails ("tel:+12015550123,5;ext=2", -1, CN_TEL_URI_ERROR_PARAMETER);
  assert_parse_fails ("tel:+12015550123;ext=%", -1, CN_TEL_URI_ERROR_ENCODING);
  assert_parse_fails ("tel:+12015550123;isub=", -1, CN_TEL_URI_ERROR_PARAMETER);
  assert_parse_fails ("tel:+12015550123;isub=1;isub=2", -1, CN_TEL_URI_ERROR_PARAMETER);
  assert_parse_fails ("tel:7042;phone-context=", -1, CN_TEL_URI_ERROR_PARAMETER);
  assert_parse_fails ("tel:7042;phone-context", -1, CN_TEL_URI_ERROR_PARAMETER);
  assert_parse_fails ("tel:7042;phone-context=-example.com", -1, CN_TEL_URI_ERROR_PARAMETER);
  assert_parse_fails ("tel:7042;phone-context=example..com", -1, CN_TEL_URI_ERROR_PARAMETER);
  assert_parse_fails ("tel:7042;phone-context=example.123", -1, CN_TEL_URI_ERROR_PARAMETER);
  assert_parse_fails ("tel:7042;phone-context=exa_mple.com", -1, CN_TEL_URI_ERROR_PARAMETER);
  assert_parse_fails ("tel:7042;phone-context=+", -1, CN_TEL_URI_ERROR_PARAMETER);
  assert_parse_fails ("tel:7042;phone-context=+1-914-55x", -1, CN_TEL_URI_ERROR_PARAMETER);
  assert_parse_fails ("tel:7042;phone-context=a.com;phone-context=b.com", -1,
                      CN_TEL_URI_ERROR_PARAMETER);
}

static void
test_length_limits (void)
{
  g_autofree char *long_uri = NULL;
  g_autofree char *at_limit = NULL;
  g_autofree char *padding = NULL;
  const char *prefix = "tel:+12015550123;x-pad=";
  char *unterminated;

  /* 5000 characters, with and without an explicit length */
  padding = g_strnfill (5000 - strlen ("tel:+1"), '5');
  long_uri = g_strconcat ("tel:+1", padding, NULL);
  g_assert_cmpuint (strlen (long_uri), ==, 5000);
  assert_parse_fails (long_uri, -1, CN_TEL_URI_ERROR_TOO_LONG);
  assert_parse_fails (long_uri, 5000, CN_TEL_URI_ERROR_TOO_LONG);
  assert_parse_fails (long_uri, CN_TEL_URI_MAX_LENGTH + 1, CN_TEL_URI_ERROR_TOO_LONG);

  /* Exactly at the limit still parses (the padding is an unknown parameter). */
  g_clear_pointer (&padding, g_free);
  padding = g_strnfill (CN_TEL_URI_MAX_LENGTH - strlen (prefix), 'x');
  at_limit = g_strconcat (prefix, padding, NULL);
  g_assert_cmpuint (strlen (at_limit), ==, CN_TEL_URI_MAX_LENGTH);
  {
    g_autoptr(CnTelUri) uri = parse_ok (at_limit, NULL);

    g_assert_cmpstr (uri->e164, ==, "+12015550123");
  }

  /* A buffer with no NUL at all: with length -1 the parser must stop one
   * byte past the limit (AddressSanitizer checks the rest). */
  unterminated = g_malloc (CN_TEL_URI_MAX_LENGTH + 1);
  memcpy (unterminated, "tel:+1", 6);
  memset (unterminated + 6, '5', CN_TEL_URI_MAX_LENGTH + 1 - 6);
  assert_parse_fails (unterminated, -1, CN_TEL_URI_ERROR_TOO_LONG);
  g_free (unterminated);
}

static void
test_explicit_length (void)
{
  static const char text[] = "tel:+12015550123;ext=99";
  static const char with_nul[] = "tel:+1201\0" "5550123";

  {
    /* Only the given bytes count: the ext parameter lies beyond them. */
    g_autoptr(GError) error = NULL;
    g_autoptr(CnTelUri) uri = cn_tel_uri_parse (text, 16, NULL, &error);

    g_assert_no_error (error);
    g_assert_nonnull (uri);
    g_assert_cmpstr (uri->raw, ==, "tel:+12015550123");
    g_assert_cmpstr (uri->e164, ==, "+12015550123");
    g_assert_null (uri->extension);
  }

  /* An embedded NUL inside the given length */
  assert_parse_fails (with_nul, sizeof with_nul - 1, CN_TEL_URI_ERROR_ENCODING);
  /* Zero bytes */
  assert_parse_fails (text, 0, CN_TEL_URI_ERROR_SCHEME);
  /* Cut in the middle of a percent escape */
  assert_parse_fails ("tel:+1%41", 7, CN_TEL_URI_ERROR_ENCODING);
}

static void
test_copy (void)
{
  g_autoptr(CnTelUri) uri =
    parse_ok ("tel:863-1234;phone-context=+1-914-555;ext=7;isub=9;x-contact-id=1;"
              "x-contact-name=Ann", NULL);
  g_autoptr(CnTelUri) copy = cn_tel_uri_copy (uri);

  g_assert_true (copy != uri);
  g_assert_cmpstr (copy->raw, ==, uri->raw);
  g_assert_true (copy->raw != uri->raw);
  g_assert_cmpstr (copy->number, ==, "863-1234");
  g_assert_cmpstr (copy->digits, ==, "8631234");
  g_assert_cmpstr (copy->e164, ==, "+19145558631234");
  g_assert_cmpstr (copy->extension, ==, "7");
  g_assert_cmpstr (copy->isub, ==, "9");
  g_assert_cmpstr (copy->phone_context, ==, "+1-914-555");
  g_assert_cmpstr (copy->contact_id, ==, "1");
  g_assert_cmpstr (copy->contact_name, ==, "Ann");
  g_assert_false (copy->is_global);

  /* Freeing NULL is harmless, as g_autoptr relies on. */
  cn_tel_uri_free (NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (rfc_cases); i++)
    g_test_add_data_func (rfc_cases[i].path, &rfc_cases[i], test_rfc_case);

  g_test_add_func ("/tel-uri/separators-and-spaces", test_separators_and_spaces);
  g_test_add_func ("/tel-uri/scheme-variants", test_scheme_variants);
  g_test_add_func ("/tel-uri/local-without-context", test_local_without_context);
  g_test_add_func ("/tel-uri/extension-forms", test_extension_forms);
  g_test_add_func ("/tel-uri/unknown-parameters-ignored", test_unknown_parameters_ignored);
  g_test_add_func ("/tel-uri/phone-context-on-global-ignored",
                   test_phone_context_on_global_ignored);
  g_test_add_func ("/tel-uri/contact-prefill", test_contact_prefill);
  g_test_add_func ("/tel-uri/contact-prefill-rejected", test_contact_prefill_rejected);
  g_test_add_func ("/tel-uri/malformed", test_malformed);
  g_test_add_func ("/tel-uri/malformed-parameters", test_malformed_parameters);
  g_test_add_func ("/tel-uri/length-limits", test_length_limits);
  g_test_add_func ("/tel-uri/explicit-length", test_explicit_length);
  g_test_add_func ("/tel-uri/copy", test_copy);

  return g_test_run ();
}
