/* cn-secrets.c: the sync credentials, kept in libsecret only
 *
 * Every item carries the schema name (libsecret's "xdg:schema" attribute,
 * matched on lookup because the schema has no DONT_MATCH_NAME flag) and our
 * one attribute "name". Values never reach a message, a log line or a file
 * of ours; copies in memory are wiped before they are freed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-secrets"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

#include "cn-secrets.h"

static const SecretSchema cn_secret_schema = {
  "io.github.callnotes.Callnotes.Secret",
  SECRET_SCHEMA_NONE,
  {
    { "name", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

static const struct {
  const char *name;
  const char *label;   /* the item's label, as a keyring manager shows it */
} secret_names[] = {
  { CN_SECRET_BACKEND_TOKEN, "Callnotes: backend token" },
  { CN_SECRET_ONTRAPORT_APP_ID, "Callnotes: Ontraport app ID" },
  { CN_SECRET_ONTRAPORT_KEY, "Callnotes: Ontraport API key" },
};

static const char *
label_for_name (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (secret_names); i++)
    if (g_str_equal (secret_names[i].name, name))
      return secret_names[i].label;

  return NULL;
}

gboolean
cn_secret_name_is_valid (const char *name)
{
  return name != NULL && label_for_name (name) != NULL;
}

/* The invalid name is not repeated: it may be a value typed in the wrong place. */
static gboolean
check_name (const char  *name,
            GError     **error)
{
  if (cn_secret_name_is_valid (name))
    return TRUE;

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _("Unknown secret name; use %s, %s or %s."),
               CN_SECRET_BACKEND_TOKEN, CN_SECRET_ONTRAPORT_APP_ID, CN_SECRET_ONTRAPORT_KEY);
  return FALSE;
}

gboolean
cn_secret_check_value (const char  *value,
                       gssize       length,
                       GError     **error)
{
  gsize len;

  if (value == NULL)
    len = 0;
  else if (length < 0)
    len = strnlen (value, CN_SECRET_MAX_LENGTH + 1);
  else
    len = (gsize) length;

  if (len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The value is empty."));
      return FALSE;
    }

  if (len > CN_SECRET_MAX_LENGTH)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The value is longer than %d bytes."), CN_SECRET_MAX_LENGTH);
      return FALSE;
    }

  if (memchr (value, '\0', len) != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The value contains a NUL byte."));
      return FALSE;
    }

  if (!g_utf8_validate (value, (gssize) len, NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The value is not valid UTF-8 text."));
      return FALSE;
    }

  /* Tokens and keys go into HTTP headers: one line, nothing invisible. */
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) value[i];

      if (c < 0x20 || c == 0x7f)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("The value must be a single line without line breaks, tabs "
                                 "or other control characters."));
          return FALSE;
        }
    }

  return TRUE;
}

void
cn_secret_wipe (gpointer data,
                gsize    size)
{
  /* Writes through a volatile pointer are not optimised away, even right
   * before the memory is freed. */
  volatile guchar *p = data;

  if (data == NULL)
    return;

  for (gsize i = 0; i < size; i++)
    p[i] = 0;
}

void
cn_secret_free (char *secret)
{
  if (secret == NULL)
    return;

  cn_secret_wipe (secret, strlen (secret));
  g_free (secret);
}

/* Moves a password libsecret returned into memory cn_secret_free() can
 * release, wiping libsecret's copy. */
static char *
take_password (char *password)
{
  char *copy;

  if (password == NULL)
    return NULL;

  copy = g_strdup (password);
  secret_password_free (password);
  return copy;
}

/* ---- blocking forms ------------------------------------------------------- */

char *
cn_secret_lookup_sync (const char    *name,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  char *password;

  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_name (name, error))
    return NULL;

  password = secret_password_lookup_sync (&cn_secret_schema, cancellable, &local_error,
                                          "name", name,
                                          NULL);
  if (local_error != NULL)
    {
      secret_password_free (password);
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  /* Translators: %s is a secret's name, e.g. backend-token;
                                   * the keyring's own message follows */
                                  _("The keyring could not read %s: "), name);
      return NULL;
    }

  return take_password (password);
}

gboolean
cn_secret_store_sync (const char    *name,
                      const char    *value,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_name (name, error) || !cn_secret_check_value (value, -1, error))
    return FALSE;

  if (!secret_password_store_sync (&cn_secret_schema, SECRET_COLLECTION_DEFAULT,
                                   label_for_name (name), value, cancellable, &local_error,
                                   "name", name,
                                   NULL))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  /* Translators: %s is a secret's name, e.g. backend-token;
                                   * the keyring's own message follows */
                                  _("The keyring could not store %s: "), name);
      return FALSE;
    }

  return TRUE;
}

gboolean
cn_secret_clear_sync (const char    *name,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_name (name, error))
    return FALSE;

  /* FALSE without an error only means nothing was stored: that is success. */
  secret_password_clear_sync (&cn_secret_schema, cancellable, &local_error,
                              "name", name,
                              NULL);
  if (local_error != NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  /* Translators: %s is a secret's name, e.g. backend-token;
                                   * the keyring's own message follows */
                                  _("The keyring could not remove %s: "), name);
      return FALSE;
    }

  return TRUE;
}

/* ---- async forms ------------------------------------------------------------ */

static void
on_lookup_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  const char *name = g_task_get_task_data (task);
  char *password;

  password = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    {
      secret_password_free (password);
      g_prefix_error (&error, _("The keyring could not read %s: "), name);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, take_password (password), (GDestroyNotify) cn_secret_free);
}

void
cn_secret_lookup (const char          *name,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cn_secret_lookup);

  if (!check_name (name, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_set_task_data (task, g_strdup (name), g_free);
  secret_password_lookup (&cn_secret_schema, cancellable, on_lookup_done,
                          g_steal_pointer (&task),
                          "name", name,
                          NULL);
}

char *
cn_secret_lookup_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cn_secret_lookup, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_store_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  const char *name = g_task_get_task_data (task);

  if (!secret_password_store_finish (result, &error))
    {
      g_prefix_error (&error, _("The keyring could not store %s: "), name);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

void
cn_secret_store (const char          *name,
                 const char          *value,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cn_secret_store);

  if (!check_name (name, &error) || !cn_secret_check_value (value, -1, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_set_task_data (task, g_strdup (name), g_free);
  /* libsecret takes its own copy of the value before this returns. */
  secret_password_store (&cn_secret_schema, SECRET_COLLECTION_DEFAULT, label_for_name (name),
                         value, cancellable, on_store_done, g_steal_pointer (&task),
                         "name", name,
                         NULL);
}

gboolean
cn_secret_store_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cn_secret_store, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
