/* test-phone.c: phone number normalisation and matching
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <glib.h>

#include "cn-phone.h"

static void
test_strip_separators (void)
{
  struct {
    const char *text;
    const char *expected;
  } cases[] = {
    { "+1 (201) 555-0123", "+12015550123" },
    { "+1.201.555.0123", "+12015550123" },
    { "  +49 30 1234567 ", "+49301234567" },
    { "030\t1234567", "0301234567" },
    { "+44\xc2\xa0" "20\xc2\xa0" "7946\xc2\xa0" "0000", "+442079460000" },  /* NO-BREAK SPACE */
    { "*67 201-555-0123", "*672015550123" },
    { "#31#", "#31#" },
    { "911", "911" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *stripped = cn_phone_strip_separators (cases[i].text, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (stripped, ==, cases[i].expected);
    }
}

static void
test_strip_separators_rejects (void)
{
  const char *bad[] = {
    "",
    "---",
    "()",
    "#*",            /* no digit */
    "abc",
    "555-CALL-NOW",
    "1+2",           /* '+' only at the start */
    "++1",
    "+1/555",
    "12;34",
    "\xff\xfe",      /* not UTF-8 */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *stripped = cn_phone_strip_separators (bad[i], &error);

      g_assert_null (stripped);
      g_assert_error (error, CN_PHONE_ERROR, CN_PHONE_ERROR_INVALID);
      g_assert_true (g_str_has_suffix (error->message, "."));
      g_assert_cmpuint (strlen (error->message), >, 15);
    }
}

static void
test_to_e164 (void)
{
  struct {
    const char *text;
    const char *country_code;
    const char *expected;
  } cases[] = {
    /* global numbers need no country code */
    { "+1 (201) 555-0123", NULL, "+12015550123" },
    { "+1 (201) 555-0123", "49", "+12015550123" },
    { "+44 20 7946 0000", "", "+442079460000" },
    /* the international prefix 00 */
    { "0049 30 1234567", NULL, "+49301234567" },
    { "00 1 201 555 0123", "49", "+12015550123" },
    /* North America: 10 digits, or 11 starting with the trunk 1, or 011 abroad */
    { "(201) 555-0123", "1", "+12015550123" },
    { "1-201-555-0123", "1", "+12015550123" },
    { "011 49 30 1234567", "1", "+49301234567" },
    { "555-0123", "1", NULL },             /* seven digits: no area code */
    { "2015550123", NULL, NULL },          /* no country code to complete with */
    { "2015550123", "", NULL },
    { "2015550123", "abc", NULL },         /* an invalid setting completes nothing */
    { "2015550123", "0", NULL },
    /* Germany: the trunk 0 goes */
    { "030 1234567", "49", "+49301234567" },
    { "0171 1234567", "49", "+491711234567" },
    { "30 1234567", "49", "+49301234567" },
    /* Italy keeps the leading 0 of fixed lines */
    { "06 1234 5678", "39", "+390612345678" },
    /* UK */
    { "020 7946 0000", "44", "+442079460000" },
    /* not E.164: too short, too long, service codes, a zero country code */
    { "+1 234", NULL, NULL },
    { "+1234567890123456", NULL, NULL },    /* 16 digits */
    { "+123456789012345", NULL, "+123456789012345" },  /* 15 digits */
    { "+0 201 555 0123", NULL, NULL },
    { "*67 201 555 0123", "1", NULL },
    { "112", "49", NULL },
    { "0", "49", NULL },
    { "00", "49", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *e164 = cn_phone_to_e164 (cases[i].text, cases[i].country_code, &error);

      g_test_message ("%s (%s)", cases[i].text, cases[i].country_code);
      /* "Cannot be made E.164" is no error: only non-numbers are. */
      g_assert_no_error (error);
      g_assert_cmpstr (e164, ==, cases[i].expected);
    }
}

static void
test_to_e164_not_a_number (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *e164 = cn_phone_to_e164 ("call me maybe", "1", &error);

  g_assert_null (e164);
  g_assert_error (error, CN_PHONE_ERROR, CN_PHONE_ERROR_INVALID);
  g_assert_cmpuint (strlen (error->message), >, 15);
}

static void
test_last_ten_digits (void)
{
  struct {
    const char *text;
    const char *expected;
  } cases[] = {
    { "+1 (201) 555-0123", "2015550123" },
    { "2015550123", "2015550123" },
    { "+44 20 7946 0000", "2079460000" },
    { "911", "911" },
    { "", "" },
    { "no digits", "" },
    { "1-2-3-4-5-6-7-8-9-0-1-2", "3456789012" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *ten = cn_phone_last_ten_digits (cases[i].text);

      g_assert_cmpstr (ten, ==, cases[i].expected);
    }
}

static void
test_match (void)
{
  /* The same line written differently */
  g_assert_true (cn_phone_match ("+1 (201) 555-0123", "201.555.0123"));
  g_assert_true (cn_phone_match ("+12015550123", "1-201-555-0123"));
  g_assert_true (cn_phone_match ("+44 20 7946 0000", "020 7946 0000"));
  /* short international numbers match through their E.164 form */
  g_assert_true (cn_phone_match ("+49 301 234", "0049 301 234"));
  g_assert_true (cn_phone_match ("911", "911"));

  /* Different lines */
  g_assert_false (cn_phone_match ("+1 (201) 555-0123", "+1 (201) 555-0124"));
  g_assert_false (cn_phone_match ("555-0123", "+1 (201) 555-0123"));
  g_assert_false (cn_phone_match ("", ""));
  g_assert_false (cn_phone_match ("abc", "def"));
  g_assert_false (cn_phone_match (NULL, "+12015550123"));
  g_assert_false (cn_phone_match ("+12015550123", NULL));
}

static void
test_country_code (void)
{
  const char *valid[] = { "1", "49", "44", "353", "880" };
  const char *invalid[] = { NULL, "", "0", "01", "1234", "+1", "4a", " 1", "1 " };

  for (gsize i = 0; i < G_N_ELEMENTS (valid); i++)
    g_assert_true (cn_phone_is_valid_country_code (valid[i]));
  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    g_assert_false (cn_phone_is_valid_country_code (invalid[i]));
}

/* What Preferences stores and what the dialog and the command line read. */
static void
test_country_code_from_setting (void)
{
  static const struct { const char *value; const char *code; } cases[] = {
    { "49", "49" }, { "+1", "1" }, { " +44 ", "44" }, { "", NULL }, { NULL, NULL },
    { "0", NULL }, { "049", NULL }, { "1234", NULL }, { "+", NULL }, { "4x", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *code = cn_phone_country_code_from_setting (cases[i].value);

      g_assert_cmpstr (code, ==, cases[i].code);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/phone/strip-separators", test_strip_separators);
  g_test_add_func ("/phone/strip-separators-rejects", test_strip_separators_rejects);
  g_test_add_func ("/phone/to-e164", test_to_e164);
  g_test_add_func ("/phone/to-e164-not-a-number", test_to_e164_not_a_number);
  g_test_add_func ("/phone/last-ten-digits", test_last_ten_digits);
  g_test_add_func ("/phone/match", test_match);
  g_test_add_func ("/phone/country-code", test_country_code);

  g_test_add_func ("/phone/country-code-from-setting", test_country_code_from_setting);

  return g_test_run ();
}
