/* fuzz-tel-uri.c: throws hostile input at the tel:/callto: parser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two ways to run it:
 *
 *  - as a libFuzzer target, built with -DCN_LIBFUZZER and
 *    -fsanitize=fuzzer,address,undefined (clang);
 *  - on its own (the default build): `fuzz-tel-uri [ITERATIONS [SEED]]` runs
 *    ITERATIONS (default 200000) random inputs built from URI fragments,
 *    mutated seeds and plain random bytes, and prints "N inputs, 0 crashes".
 *    Build it with -fsanitize=address,undefined to catch memory errors.
 *
 * Every input sits in a buffer of exactly its own size with no terminating
 * NUL, so any read past the given length is caught by AddressSanitizer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "cn-phone.h"
#include "cn-tel-uri.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* How many inputs parsed, so a run shows it reached the interesting paths. */
static guint64 n_parsed;

static void
check_parsed (const CnTelUri *uri)
{
  g_autoptr(CnTelUri) copy = NULL;
  const char *best;

  g_assert_nonnull (uri->raw);
  g_assert_true (g_utf8_validate (uri->raw, -1, NULL));
  g_assert_cmpuint (strlen (uri->raw), <=, CN_TEL_URI_MAX_LENGTH);
  g_assert_nonnull (uri->number);
  g_assert_nonnull (uri->digits);
  g_assert_true (strspn (uri->digits, "+0123456789*#") == strlen (uri->digits));
  g_assert_true (uri->is_global == (uri->digits[0] == '+'));

  if (uri->e164 != NULL)
    {
      gsize n = strlen (uri->e164);

      g_assert_true (uri->e164[0] == '+');
      g_assert_cmpuint (n, >=, 8);
      g_assert_cmpuint (n, <=, 16);
      g_assert_true (strspn (uri->e164 + 1, "0123456789") == n - 1);
    }

  if (uri->contact_name != NULL)
    {
      g_assert_true (g_utf8_validate (uri->contact_name, -1, NULL));
      g_assert_cmpuint (strlen (uri->contact_name), <=, 512);
    }
  if (uri->contact_id != NULL)
    {
      g_assert_true (g_utf8_validate (uri->contact_id, -1, NULL));
      g_assert_cmpuint (strlen (uri->contact_id), <=, 512);
    }

  best = cn_tel_uri_get_best_number (uri);
  g_assert_nonnull (best);

  copy = cn_tel_uri_copy (uri);
  g_assert_cmpstr (copy->raw, ==, uri->raw);
  g_assert_cmpstr (cn_tel_uri_get_best_number (copy), ==, best);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) phone_error = NULL;
  g_autoptr(CnTelUri) uri = NULL;
  g_autofree char *text = NULL;
  g_autofree char *e164 = NULL;
  g_autofree char *ten = NULL;
  gssize length = size > G_MAXSSIZE ? G_MAXSSIZE : (gssize) size;

  uri = cn_tel_uri_parse ((const char *) data, length, "1", &error);
  if (uri != NULL)
    {
      g_assert_no_error (error);
      check_parsed (uri);
      n_parsed++;
    }
  else
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == CN_TEL_URI_ERROR);
      g_assert_true (error->message != NULL && error->message[0] != '\0');
    }

  /* The cn_phone_* functions take NUL-terminated text. */
  text = g_strndup ((const char *) data, size);
  e164 = cn_phone_to_e164 (text, "49", &phone_error);
  if (e164 == NULL && phone_error != NULL)
    g_assert_true (phone_error->domain == CN_PHONE_ERROR);
  if (e164 != NULL)
    g_assert_true (e164[0] == '+');

  ten = cn_phone_last_ten_digits (text);
  g_assert_cmpuint (strlen (ten), <=, 10);
  (void) cn_phone_match (text, "+12015550123");
  (void) cn_phone_is_valid_country_code (text);

  return 0;
}

#ifndef CN_LIBFUZZER

static const char * const fragments[] = {
  "tel:", "TEL:", "callto:", "callto://", "CallTo:", "tel://", "sip:", "tel",
  "+", "+1", "+49", "00", "011", "0", "1", "2015550123", "555", "863-1234", "7042",
  "-", ".", "(", ")", " ", "\t", ",", ",,", "*", "#", "?", "?call", "/", "=", ";", ";;",
  ";ext=", ";EXT=", ";ext", ";isub=", ";phone-context=", ";Phone-Context=",
  "example.com", "example.com.", "-bad.", "+1-914-555", "+",
  ";x-contact-id=", ";x-contact-name=", ";unknown=", ";postd=pp22", ";tsp=a.b",
  "%", "%2", "%20", "%2B", "%2b", "%00", "%0A", "%3B", "%C3%BC", "%C3", "%FF", "%zz",
  "\xc3\xbc", "\xc3", "\xff", "\xc2\xa0", "\xe2\x80\xaf", "\xf0\x9f\x93\x9e", "\0",
};

static const char * const seeds[] = {
  "tel:+1-201-555-0123",
  "tel:7042;phone-context=example.com",
  "tel:863-1234;phone-context=+1-914-555",
  "tel:+1-212-555-0101;ext=1234",
  "tel:+17005554141;isub=12345;isub-encoding=nsap-ia5",
  "callto://+4930123456?call",
  "tel:+49-30-1234567;x-contact-id=42;x-contact-name=J%C3%BCrgen%20M%C3%BCller",
  "tel:+15551234567,,123",
};

/* Appends random bytes, fragments or a long run. */
static void
append_random (GByteArray *buf,
               GRand      *rand)
{
  switch (g_rand_int_range (rand, 0, 10))
    {
    case 0:
    case 1:
      {
        guint8 byte = (guint8) g_rand_int_range (rand, 0, 256);

        g_byte_array_append (buf, &byte, 1);
        break;
      }
    case 2:
      {
        /* A long run, to cross the length limit now and then. */
        gsize n = (gsize) g_rand_int_range (rand, 1, 700);
        guint8 byte = (guint8) "5a%;+ "[g_rand_int_range (rand, 0, 6)];

        for (gsize i = 0; i < n; i++)
          g_byte_array_append (buf, &byte, 1);
        break;
      }
    default:
      {
        const char *f = fragments[g_rand_int_range (rand, 0, G_N_ELEMENTS (fragments))];
        /* "\0" is a fragment of one NUL byte. */
        gsize n = f[0] == '\0' ? 1 : strlen (f);

        g_byte_array_append (buf, (const guint8 *) f, n);
        break;
      }
    }
}

static GByteArray *
make_input (GRand *rand)
{
  GByteArray *buf = g_byte_array_new ();
  int kind = g_rand_int_range (rand, 0, 4);

  if (kind == 0)
    {
      /* Plain random bytes */
      gsize n = (gsize) g_rand_int_range (rand, 0, 64);

      for (gsize i = 0; i < n; i++)
        {
          guint8 byte = (guint8) g_rand_int_range (rand, 0, 256);

          g_byte_array_append (buf, &byte, 1);
        }
    }
  else if (kind == 1)
    {
      /* A seed with a few bytes flipped, inserted or cut */
      const char *seed = seeds[g_rand_int_range (rand, 0, G_N_ELEMENTS (seeds))];
      int mutations = g_rand_int_range (rand, 1, 5);

      g_byte_array_append (buf, (const guint8 *) seed, strlen (seed));
      for (int i = 0; i < mutations && buf->len > 0; i++)
        {
          guint pos = (guint) g_rand_int_range (rand, 0, (gint32) buf->len);

          switch (g_rand_int_range (rand, 0, 3))
            {
            case 0:
              buf->data[pos] = (guint8) g_rand_int_range (rand, 0, 256);
              break;
            case 1:
              g_byte_array_set_size (buf, pos);
              break;
            default:
              {
                g_autoptr(GByteArray) piece = g_byte_array_new ();

                append_random (piece, rand);
                g_byte_array_prepend (piece, buf->data, pos);
                g_byte_array_append (piece, buf->data + pos, buf->len - pos);
                g_byte_array_set_size (buf, 0);
                g_byte_array_append (buf, piece->data, piece->len);
              }
            }
        }
    }
  else
    {
      /* Fragments glued together, usually after a scheme */
      int pieces = g_rand_int_range (rand, 1, 16);

      if (g_rand_boolean (rand))
        g_byte_array_append (buf, (const guint8 *) "tel:", 4);
      for (int i = 0; i < pieces; i++)
        append_random (buf, rand);
    }

  return buf;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GRand) rand = NULL;
  guint64 iterations = 200000;
  guint32 seed;

  if (argc > 1 && !g_ascii_string_to_unsigned (argv[1], 10, 1, G_MAXUINT32, &iterations, NULL))
    {
      fprintf (stderr, "Usage: %s [ITERATIONS [SEED]]\n", argv[0]);
      return EXIT_FAILURE;
    }

  if (argc > 2)
    seed = (guint32) g_ascii_strtoull (argv[2], NULL, 10);
  else
    seed = g_random_int ();

  printf ("# seed %u\n", seed);
  rand = g_rand_new_with_seed (seed);

  for (guint64 i = 0; i < iterations; i++)
    {
      g_autoptr(GByteArray) buf = make_input (rand);
      /* An exact-size copy with no NUL after it */
      guint8 *exact = g_malloc (MAX (buf->len, 1));

      if (buf->len > 0)
        memcpy (exact, buf->data, buf->len);
      LLVMFuzzerTestOneInput (exact, buf->len);
      g_free (exact);
    }

  printf ("# %" G_GUINT64_FORMAT " parsed, %" G_GUINT64_FORMAT " rejected\n",
          n_parsed, iterations - n_parsed);
  printf ("%" G_GUINT64_FORMAT " inputs, 0 crashes\n", iterations);
  return EXIT_SUCCESS;
}

#endif /* CN_LIBFUZZER */
