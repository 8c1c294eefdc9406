/* test-contact-timeline.c: a contact's calls, local and from the backend
 *
 * The store's per-contact list, the strict parser of GET /api/calls/{id},
 * the fetch against the fake backend (faults included), the merge that never
 * shows a call twice, and the Test Connection probe.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "cn-backend-history.h"
#include "cn-format.h"
#include "cn-outbox.h"
#include "cn-secrets.h"
#include "cn-sync-probe.h"
#include "cn-sync-requests.h"
#include "fake-servers.h"

#define TOKEN       "s3cret-token-for-tests"
#define APP_ID_OK   "2_123456"
#define API_KEY_OK  "key-abcdef-123"
#define UUID_A      "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f"
#define UUID_B      "0b8e7c55-2f41-4a4e-9f0e-5d3c2b1a0f99"
#define UUID_C      "a3c1e2d4-5b6f-4a7e-8d9c-0e1f2a3b4c5d"


/* ---- helpers ---- */

static gint64
iso (const char *text)
{
  gint64 value = 0;

  g_assert_true (cn_parse_iso8601 (text, &value));
  return value;
}

static CnCallLog *
make_log (const char *uuid,
          const char *contact_id,
          CnOutcome   outcome,
          gint64      created_at,
          const char *notes)
{
  CnCallLog *log = cn_call_log_new ();

  cn_call_log_set_uuid (log, uuid);
  cn_call_log_set_contact_id (log, contact_id);
  cn_call_log_set_contact_name (log, "Jane Doe");
  cn_call_log_set_phone (log, "+15551234567");
  cn_call_log_set_outcome (log, outcome);
  cn_call_log_set_duration (log, 65);
  cn_call_log_set_notes (log, notes);
  cn_call_log_set_created_at (log, created_at);
  cn_call_log_set_updated_at (log, created_at);

  return log;
}

static CnRemoteCall *
make_remote (const char *id,
             const char *client_id,
             gint64      created_at)
{
  CnRemoteCall *call = cn_remote_call_new ();

  call->id = g_strdup (id);
  call->client_id = g_strdup (client_id);
  call->contact_id = g_strdup ("42");
  call->outcome = CN_OUTCOME_VOICEMAIL;
  call->created_at = created_at;
  call->user_name = g_strdup ("Sam");

  return call;
}

static GAsyncResult *
wait_for_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *slot;
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static GPtrArray *
fetch (const CnSyncConfig  *config,
       const char          *contact_id,
       guint                offset,
       guint                limit,
       GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cn_backend_fetch_contact_calls_async (config, contact_id, offset, limit, NULL, on_done,
                                        &result);
  return cn_backend_fetch_contact_calls_finish (wait_for_result (&result), error);
}

static gboolean
probe (const CnSyncConfig  *config,
       CnSyncTarget         target,
       char               **message,
       GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cn_sync_test_connection_async (config, target, NULL, on_done, &result);
  return cn_sync_test_connection_finish (wait_for_result (&result), message, error);
}

static CnSyncConfig *
backend_config (FakeServer *server,
                const char *token)
{
  CnSyncConfig *config = cn_sync_config_new ();

  g_free (config->backend_url);
  config->backend_url = g_strdup (fake_server_get_base_url (server));
  config->backend_token = g_strdup (token);
  config->timeout_seconds = 10;

  return config;
}

/* POST /api/calls as the sync worker would. */
static void
post_log (FakeServer *server,
          CnCallLog  *log)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 10, NULL);
  g_autofree char *url = g_strconcat (fake_server_get_base_url (server), "/api/calls", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autofree char *body = cn_sync_backend_body (log);
  g_autoptr(GBytes) request = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                "Bearer " TOKEN);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Idempotency-Key",
                                cn_call_log_get_uuid (log));
  soup_message_set_request_body_from_bytes (msg, "application/json", request);
  answer = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 201);
}


/* ---- the store ---- */

static void
test_store_list_for_contact (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("callnotes-timeline-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr(CnDatabase) db = NULL;
  g_autoptr(GPtrArray) logs = NULL;
  struct {
    const char *contact_id;
    gint64      created_at;
  } rows[] = {
    { "42", 1000 },
    { "42", 3000 },
    { "142", 4000 },         /* another contact, same digits */
    { "42 43", 5000 },       /* contains the word, is not it */
    { "42", 2000 },
    { NULL, 6000 },
    { "--", 7000 },          /* no word at all: walked, not searched */
    { "a\"b", 8000 },        /* a quote in the id */
    { "42", 3000 },          /* same time as another: the later insert first */
  };
  g_autofree char *uuids[G_N_ELEMENTS (rows)] = { NULL };

  g_assert_no_error (error);
  path = g_build_filename (dir, "callnotes.db", NULL);
  db = cn_database_open (path, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(CnCallLog) log = cn_call_log_new_with_uuid ();

      cn_call_log_set_contact_id (log, rows[i].contact_id);
      cn_call_log_set_phone (log, "+15551234567");
      cn_call_log_set_outcome (log, CN_OUTCOME_CONNECTED);
      cn_call_log_set_created_at (log, rows[i].created_at);
      cn_call_log_set_updated_at (log, rows[i].created_at);
      g_assert_true (cn_database_insert_call (db, log, NULL, 0, &error));
      g_assert_no_error (error);
      uuids[i] = g_strdup (cn_call_log_get_uuid (log));
    }

  logs = cn_database_list_calls_for_contact (db, "42", 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (logs->len, ==, 4);
  g_assert_cmpstr (cn_call_log_get_uuid (logs->pdata[0]), ==, uuids[8]);
  g_assert_cmpstr (cn_call_log_get_uuid (logs->pdata[1]), ==, uuids[1]);
  g_assert_cmpstr (cn_call_log_get_uuid (logs->pdata[2]), ==, uuids[4]);
  g_assert_cmpstr (cn_call_log_get_uuid (logs->pdata[3]), ==, uuids[0]);
  for (guint i = 0; i < logs->len; i++)
    g_assert_cmpstr (cn_call_log_get_contact_id (logs->pdata[i]), ==, "42");
  g_clear_pointer (&logs, g_ptr_array_unref);

  /* The limit, and deleted logs left out. */
  logs = cn_database_list_calls_for_contact (db, "42", 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (logs->len, ==, 2);
  g_clear_pointer (&logs, g_ptr_array_unref);

  g_assert_true (cn_database_delete_call (db, uuids[1], &error));
  logs = cn_database_list_calls_for_contact (db, "42", 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (logs->len, ==, 3);
  for (guint i = 0; i < logs->len; i++)
    g_assert_cmpstr (cn_call_log_get_uuid (logs->pdata[i]), !=, uuids[1]);
  g_clear_pointer (&logs, g_ptr_array_unref);

  logs = cn_database_list_calls_for_contact (db, "--", 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (logs->len, ==, 1);
  g_assert_cmpstr (cn_call_log_get_uuid (logs->pdata[0]), ==, uuids[6]);
  g_clear_pointer (&logs, g_ptr_array_unref);

  logs = cn_database_list_calls_for_contact (db, "a\"b", 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (logs->len, ==, 1);
  g_assert_cmpstr (cn_call_log_get_uuid (logs->pdata[0]), ==, uuids[7]);
  g_clear_pointer (&logs, g_ptr_array_unref);

  logs = cn_database_list_calls_for_contact (db, "43", 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (logs->len, ==, 0);
  g_clear_pointer (&logs, g_ptr_array_unref);

  logs = cn_database_list_calls_for_contact (db, "", 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (logs->len, ==, 0);
  g_clear_pointer (&logs, g_ptr_array_unref);

  g_clear_object (&db);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);
    g_autofree char *lock = g_strconcat (path, ".lock", NULL);

    g_unlink (wal);
    g_unlink (shm);
    g_unlink (lock);
    g_unlink (path);
    g_rmdir (dir);
  }
}


/* ---- the merge ---- */

static void
test_merge_never_twice (void)
{
  g_autoptr(GPtrArray) local = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) remote =
    g_ptr_array_new_with_free_func ((GDestroyNotify) cn_remote_call_free);
  g_autoptr(GPtrArray) entries = NULL;
  CnTimelineEntry *e;

  /* Local, newest first as the store gives them. */
  g_ptr_array_add (local, make_log (UUID_B, "42", CN_OUTCOME_BUSY, 300, "second"));
  g_ptr_array_add (local, make_log (UUID_A, "42", CN_OUTCOME_CONNECTED, 100, "first"));
  g_ptr_array_add (local, make_log (UUID_A, "42", CN_OUTCOME_CONNECTED, 100, "first again"));

  g_ptr_array_add (remote, make_remote ("7", UUID_C, 400));     /* logged on another computer */
  g_ptr_array_add (remote, make_remote ("5", UUID_B, 300));     /* = local B */
  g_ptr_array_add (remote, make_remote ("3", NULL, 300));       /* same time as B, elsewhere */
  g_ptr_array_add (remote, make_remote ("2", NULL, 200));
  g_ptr_array_add (remote, make_remote ("2", NULL, 200));       /* overlapping pages */
  g_ptr_array_add (remote, make_remote ("1", UUID_A, 100));     /* = local A */
  g_ptr_array_add (remote, make_remote ("8", UUID_C, 400));     /* a second copy of C */

  entries = cn_contact_timeline_merge (local, remote);
  g_assert_cmpuint (entries->len, ==, 5);

  e = entries->pdata[0];
  g_assert_null (e->local);
  g_assert_cmpstr (e->remote->id, ==, "7");
  g_assert_cmpint (e->created_at, ==, 400);

  e = entries->pdata[1];
  g_assert_nonnull (e->local);
  g_assert_cmpstr (cn_call_log_get_uuid (e->local), ==, UUID_B);
  g_assert_nonnull (e->remote);
  g_assert_cmpstr (e->remote->id, ==, "5");
  g_assert_cmpstr (e->remote->user_name, ==, "Sam");

  /* Equal times: the local log first. */
  e = entries->pdata[2];
  g_assert_null (e->local);
  g_assert_cmpstr (e->remote->id, ==, "3");

  e = entries->pdata[3];
  g_assert_null (e->local);
  g_assert_cmpstr (e->remote->id, ==, "2");

  e = entries->pdata[4];
  g_assert_cmpstr (cn_call_log_get_uuid (e->local), ==, UUID_A);
  g_assert_cmpstr (cn_call_log_get_notes (e->local), ==, "first");
  g_assert_cmpstr (e->remote->id, ==, "1");

  for (guint i = 1; i < entries->len; i++)
    g_assert_cmpint (((CnTimelineEntry *) entries->pdata[i - 1])->created_at, >=,
                     ((CnTimelineEntry *) entries->pdata[i])->created_at);
  g_clear_pointer (&entries, g_ptr_array_unref);

  /* Either side alone, or none. */
  entries = cn_contact_timeline_merge (local, NULL);
  g_assert_cmpuint (entries->len, ==, 2);
  g_assert_null (((CnTimelineEntry *) entries->pdata[0])->remote);
  g_clear_pointer (&entries, g_ptr_array_unref);

  entries = cn_contact_timeline_merge (NULL, remote);
  g_assert_cmpuint (entries->len, ==, 5);
  g_clear_pointer (&entries, g_ptr_array_unref);

  entries = cn_contact_timeline_merge (NULL, NULL);
  g_assert_cmpuint (entries->len, ==, 0);
}

/* Every local log that the backend also has, in any order and with any
 * noise, shows exactly once. */
static void
test_merge_random (void)
{
  GRand *rand = g_rand_new_with_seed (20261121);

  for (guint round = 0; round < 200; round++)
    {
      g_autoptr(GPtrArray) local = g_ptr_array_new_with_free_func (g_object_unref);
      g_autoptr(GPtrArray) remote =
        g_ptr_array_new_with_free_func ((GDestroyNotify) cn_remote_call_free);
      g_autoptr(GPtrArray) entries = NULL;
      g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      guint n_local = g_rand_int_range (rand, 0, 12);
      guint n_remote_only = g_rand_int_range (rand, 0, 12);
      guint n_synced = 0;

      for (guint i = 0; i < n_local; i++)
        {
          g_autofree char *uuid = g_uuid_string_random ();
          gint64 at = g_rand_int_range (rand, 1, 50);

          g_ptr_array_add (local, make_log (uuid, "42", CN_OUTCOME_CONNECTED, at, NULL));
          if (g_rand_boolean (rand))
            {
              g_autofree char *id = g_strdup_printf ("s%u", i);

              g_ptr_array_add (remote, make_remote (id, uuid, at));
              n_synced++;
            }
        }
      for (guint i = 0; i < n_remote_only; i++)
        {
          g_autofree char *id = g_strdup_printf ("r%u", i);

          g_ptr_array_add (remote, make_remote (id, NULL, g_rand_int_range (rand, 1, 50)));
        }
      /* Shuffle the remote side. */
      for (guint i = remote->len; i > 1; i--)
        {
          guint j = g_rand_int_range (rand, 0, i);
          gpointer tmp = remote->pdata[i - 1];

          remote->pdata[i - 1] = remote->pdata[j];
          remote->pdata[j] = tmp;
        }

      entries = cn_contact_timeline_merge (local, remote);
      g_assert_cmpuint (entries->len, ==, n_local + n_remote_only);
      for (guint i = 0; i < entries->len; i++)
        {
          CnTimelineEntry *e = entries->pdata[i];
          const char *key = e->local != NULL ? cn_call_log_get_uuid (e->local) : e->remote->id;

          g_assert_false (g_hash_table_contains (seen, key));
          g_hash_table_add (seen, g_strdup (key));
          if (e->local != NULL && e->remote != NULL)
            {
              g_assert_cmpstr (e->remote->client_id, ==, cn_call_log_get_uuid (e->local));
              n_synced--;
            }
          if (i > 0)
            g_assert_cmpint (((CnTimelineEntry *) entries->pdata[i - 1])->created_at, >=,
                             e->created_at);
        }
      g_assert_cmpuint (n_synced, ==, 0);
    }

  g_rand_free (rand);
}


/* ---- parsing ---- */

static void
test_parse_strict (void)
{
  static const char *broken[] = {
    "",
    "not json",
    "[]",
    "{}",
    "{\"calls\": {}}",
    "{\"calls\": [1]}",
    "{\"calls\": [{\"created_at\": \"2026-11-20T15:04:05Z\"}]}",                    /* no id */
    "{\"calls\": [{\"id\": 1}]}",                                                   /* no time */
    "{\"calls\": [{\"id\": 1, \"created_at\": \"yesterday\"}]}",
    "{\"calls\": [{\"id\": 1, \"created_at\": \"2026-11-20\"}]}",                   /* date only */
    "{\"calls\": [{\"id\": true, \"created_at\": \"2026-11-20T15:04:05Z\"}]}",
    "{\"calls\": [{\"id\": 1, \"notes\": 5, \"created_at\": \"2026-11-20T15:04:05Z\"}]}",
    "{\"calls\": [{\"id\": 1, \"notes\": [], \"created_at\": \"2026-11-20T15:04:05Z\"}]}",
    "{\"calls\": [{\"id\": 1, \"client_id\": 7, \"created_at\": \"2026-11-20T15:04:05Z\"}]}",
    "{\"calls\": [{\"id\": 1, \"created_at\": \"2026-11-20T15:04:05Z\", "
    "\"follow_up_date\": \"soon\"}]}",
    "{\"calls\": [{\"id\": \"\", \"created_at\": \"2026-11-20T15:04:05Z\"}]}",
  };
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GError) error = NULL;
  GString *deep = g_string_new ("{\"calls\": ");
  GString *long_notes;
  CnRemoteCall *call;

  for (guint i = 0; i < G_N_ELEMENTS (broken); i++)
    {
      calls = cn_backend_parse_contact_calls (broken[i], strlen (broken[i]), 30, &error);
      g_assert_null (calls);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_cmpuint (strlen (error->message), >, 10);
      g_clear_error (&error);
    }

  /* Nesting that would take json-glib's recursion deep is refused first. */
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  calls = cn_backend_parse_contact_calls (deep->str, deep->len, 30, &error);
  g_assert_null (calls);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_string_free (deep, TRUE);

  long_notes = g_string_new ("{\"calls\": [{\"id\": 1, \"created_at\": \"2026-11-20T15:04:05Z\", "
                             "\"notes\": \"");
  for (guint i = 0; i < CN_CALL_LOG_MAX_NOTES + 1; i++)
    g_string_append_c (long_notes, 'x');
  g_string_append (long_notes, "\"}]}");
  calls = cn_backend_parse_contact_calls (long_notes->str, long_notes->len, 30, &error);
  g_assert_null (calls);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_string_free (long_notes, TRUE);

  /* Nulls where the contract allows them, an outcome this version does not
   * know, a string id, numbers as contact ids, extra members, the limit. */
  {
    const char *good =
      "{\"calls\": ["
      "{\"id\": \"abc\", \"client_id\": null, \"contact_id\": 42, \"contact_name\": null,"
      " \"outcome\": \"transferred\", \"notes\": null, \"follow_up_date\": null,"
      " \"created_at\": \"2026-11-20T15:04:05Z\", \"user_name\": null, \"extra\": [1, 2]},"
      "{\"id\": 2, \"created_at\": \"2026-11-19T15:04:05+01:00\", \"outcome\": \"busy\"},"
      "{\"id\": 3, \"created_at\": \"2026-11-18T15:04:05Z\"}"
      "], \"next\": null}";

    calls = cn_backend_parse_contact_calls (good, strlen (good), 2, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (calls->len, ==, 2);
    call = calls->pdata[0];
    g_assert_cmpstr (call->id, ==, "abc");
    g_assert_null (call->client_id);
    g_assert_cmpstr (call->contact_id, ==, "42");
    g_assert_null (call->contact_name);
    g_assert_cmpint (call->outcome, ==, CN_OUTCOME_NONE);
    g_assert_null (call->notes);
    g_assert_cmpint (call->follow_up_date, ==, 0);
    g_assert_cmpint (call->created_at, ==, iso ("2026-11-20T15:04:05Z"));
    g_assert_null (call->user_name);
    call = calls->pdata[1];
    g_assert_cmpstr (call->id, ==, "2");
    g_assert_cmpint (call->outcome, ==, CN_OUTCOME_BUSY);
    g_assert_cmpint (call->created_at, ==, iso ("2026-11-19T14:04:05Z"));
    g_clear_pointer (&calls, g_ptr_array_unref);
  }
}


/* ---- fetching from the fake backend ---- */

static void
test_fetch_every_field (void)
{
  FakeServer *server = fake_server_new (FAKE_BACKEND);
  g_autoptr(CnSyncConfig) config = backend_config (server, TOKEN);
  g_autoptr(CnCallLog) log = make_log (UUID_A, "42", CN_OUTCOME_CONNECTED,
                                       iso ("2026-11-21T10:00:00Z"), "Discussed renewal.");
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  FakeRequest *request;
  CnRemoteCall *call;

  fake_server_set_token (server, TOKEN);
  cn_call_log_set_follow_up (log, iso ("2026-11-23T09:00:00Z"));
  post_log (server, log);
  fake_server_add_remote_call (server, "42", NULL, "voicemail", "Left a message.",
                               "2026-11-20T15:04:05Z");
  fake_server_add_remote_call (server, "43", NULL, "busy", "Another contact.",
                               "2026-11-22T15:04:05Z");
  fake_server_clear_requests (server);

  calls = fetch (config, "42", 0, 30, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (calls->len, ==, 2);

  call = calls->pdata[0];
  g_assert_nonnull (call->id);
  g_assert_cmpstr (call->client_id, ==, UUID_A);
  g_assert_cmpstr (call->contact_id, ==, "42");
  g_assert_cmpstr (call->contact_name, ==, "Jane Doe");
  g_assert_cmpint (call->outcome, ==, CN_OUTCOME_CONNECTED);
  g_assert_cmpstr (call->notes, ==, "Discussed renewal.");
  g_assert_cmpint (call->follow_up_date, ==, iso ("2026-11-23T09:00:00Z"));
  g_assert_cmpint (call->created_at, ==, iso ("2026-11-21T10:00:00Z"));
  g_assert_cmpstr (call->user_name, ==, "Test Agent");

  call = calls->pdata[1];
  g_assert_nonnull (call->id);
  g_assert_null (call->client_id);
  g_assert_cmpstr (call->contact_id, ==, "42");
  g_assert_cmpint (call->outcome, ==, CN_OUTCOME_VOICEMAIL);
  g_assert_cmpstr (call->notes, ==, "Left a message.");
  g_assert_cmpint (call->follow_up_date, ==, 0);
  g_assert_cmpint (call->created_at, ==, iso ("2026-11-20T15:04:05Z"));
  g_assert_cmpstr (call->user_name, ==, "Sam");

  /* The request as CONTRACTS.md has it. */
  requests = fake_server_get_requests (server);
  g_assert_cmpuint (requests->len, ==, 1);
  request = requests->pdata[0];
  g_assert_cmpstr (request->method, ==, "GET");
  g_assert_cmpstr (request->path, ==, "/api/calls/42");
  g_assert_cmpstr (request->query, ==, "offset=0&limit=30");
  g_assert_cmpstr (g_hash_table_lookup (request->headers, "authorization"), ==, "Bearer " TOKEN);
  g_clear_pointer (&calls, g_ptr_array_unref);

  /* Paging, and merged with the local log it is one entry. */
  calls = fetch (config, "42", 1, 30, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (calls->len, ==, 1);
  g_assert_null (((CnRemoteCall *) calls->pdata[0])->client_id);
  g_clear_pointer (&calls, g_ptr_array_unref);

  calls = fetch (config, "42", 0, 30, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GPtrArray) local = g_ptr_array_new_with_free_func (g_object_unref);
    g_autoptr(GPtrArray) entries = NULL;

    g_ptr_array_add (local, g_object_ref (log));
    entries = cn_contact_timeline_merge (local, calls);
    g_assert_cmpuint (entries->len, ==, 2);
    g_assert_true (((CnTimelineEntry *) entries->pdata[0])->local == log);
    g_assert_nonnull (((CnTimelineEntry *) entries->pdata[0])->remote);
    g_assert_null (((CnTimelineEntry *) entries->pdata[1])->local);
  }
  g_clear_pointer (&calls, g_ptr_array_unref);

  /* An id with characters that mean something in a URL stays in its
   * segment and leaves the query alone. */
  calls = fetch (config, "x y&limit=1?#", 0, 30, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (calls->len, ==, 0);
  g_clear_pointer (&requests, g_ptr_array_unref);
  requests = fake_server_get_requests (server);
  request = requests->pdata[requests->len - 1];
  {
    g_autofree char *path = g_uri_unescape_string (request->path, NULL);

    g_assert_cmpstr (path, ==, "/api/calls/x y&limit=1?#");
    g_assert_cmpstr (request->query, ==, "offset=0&limit=30");
  }

  fake_server_free (server);
}

static void
test_fetch_faults (void)
{
  FakeServer *server = fake_server_new (FAKE_BACKEND);
  g_autoptr(CnSyncConfig) config = backend_config (server, TOKEN);
  g_autoptr(CnSyncConfig) wrong = backend_config (server, "not-the-token");
  g_autoptr(CnSyncConfig) unset = cn_sync_config_new ();
  g_autoptr(CnSyncConfig) plain = backend_config (server, TOKEN);
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GError) error = NULL;

  fake_server_set_token (server, TOKEN);
  fake_server_add_remote_call (server, "42", NULL, "voicemail", "Left a message.",
                               "2026-11-20T15:04:05Z");

  /* A wrong token, and a 401 however the token looks. */
  calls = fetch (wrong, "42", 0, 30, &error);
  g_assert_null (calls);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (error->message, "401"));
  g_assert_null (strstr (error->message, "not-the-token"));
  g_clear_error (&error);

  fake_server_queue_fault (server, FAKE_401);
  calls = fetch (config, "42", 0, 30, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  /* The fake answers GETs with faults too (it takes the next queued fault
   * for any request). */
  fake_server_queue_fault (server, FAKE_MALFORMED_JSON);
  calls = fetch (config, "42", 0, 30, &error);
  g_assert_null (calls);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);

  fake_server_queue_fault (server, FAKE_HTML);
  calls = fetch (config, "42", 0, 30, &error);
  g_assert_null (calls);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "502"));
  g_assert_nonnull (strstr (error->message, "web page"));
  g_clear_error (&error);

  fake_server_queue_fault (server, FAKE_500);
  calls = fetch (config, "42", 0, 30, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "500"));
  g_clear_error (&error);

  fake_server_queue_fault (server, FAKE_429);
  calls = fetch (config, "42", 0, 30, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_clear_error (&error);

  fake_server_queue_fault (server, FAKE_HUGE_BODY);
  calls = fetch (config, "42", 0, 30, &error);
  g_assert_null (calls);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_clear_error (&error);

  fake_server_queue_fault (server, FAKE_RESET_BEFORE);
  calls = fetch (config, "42", 0, 30, &error);
  g_assert_null (calls);
  g_assert_nonnull (error);
  g_assert_true (g_str_has_prefix (error->message, "The team backend could not be reached"));
  g_clear_error (&error);

  /* A redirect is reported, not followed: the token stays home. */
  fake_server_queue_fault (server, FAKE_REDIRECT);
  calls = fetch (config, "42", 0, 30, &error);
  g_assert_null (calls);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "307"));
  g_clear_error (&error);
  g_assert_cmpuint (fake_server_count_redirect_hits (server), ==, 0);
  g_assert_false (fake_server_redirect_saw_credentials (server));

  /* Not set up, or an address that may not carry the token: no request. */
  fake_server_clear_requests (server);
  calls = fetch (unset, "42", 0, 30, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED);
  g_clear_error (&error);

  g_free (plain->backend_url);
  plain->backend_url = g_strdup ("http://example.com");
  calls = fetch (plain, "42", 0, 30, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpuint (fake_server_count_requests (server, NULL, NULL), ==, 0);

  /* And after all that, it still works. */
  calls = fetch (config, "42", 0, 30, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (calls->len, ==, 1);

  fake_server_free (server);
}

static void
test_fetch_cancelled (void)
{
  FakeServer *server = fake_server_new (FAKE_BACKEND);
  g_autoptr(CnSyncConfig) config = backend_config (server, TOKEN);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *calls;

  fake_server_set_token (server, TOKEN);
  fake_server_set_stall_seconds (server, 20);
  fake_server_queue_fault (server, FAKE_STALL);

  cn_backend_fetch_contact_calls_async (config, "42", 0, 30, cancellable, on_done,
                                        &result);
  while (fake_server_count_requests (server, "GET", "/api/calls/") == 0)
    g_main_context_iteration (NULL, FALSE);
  g_cancellable_cancel (cancellable);

  calls = cn_backend_fetch_contact_calls_finish (wait_for_result (&result), &error);
  g_assert_null (calls);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  fake_server_free (server);
}


/* ---- the probe ---- */

static void
test_probe_backend (void)
{
  FakeServer *server = fake_server_new (FAKE_BACKEND);
  g_autoptr(CnSyncConfig) config = backend_config (server, TOKEN);
  g_autoptr(CnSyncConfig) wrong = backend_config (server, "wrong-token-value");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autofree char *message = NULL;
  FakeRequest *request;

  fake_server_set_token (server, TOKEN);

  g_assert_true (probe (config, CN_SYNC_TARGET_BACKEND, &message, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (message, ==, "Connected. The backend accepted the token.");
  g_clear_pointer (&message, g_free);

  requests = fake_server_get_requests (server);
  g_assert_cmpuint (requests->len, ==, 1);
  request = requests->pdata[0];
  g_assert_cmpstr (request->method, ==, "GET");
  g_assert_cmpstr (request->path, ==, "/api/v1/outbound-calls");
  g_assert_cmpstr (request->query, ==, "status=pending&page=1&limit=1");
  g_assert_cmpstr (g_hash_table_lookup (request->headers, "authorization"), ==, "Bearer " TOKEN);

  g_assert_false (probe (wrong, CN_SYNC_TARGET_BACKEND, &message, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_true (g_str_has_prefix (message,
                                   "The server answered 401: the token was not accepted."));
  g_assert_cmpstr (message, ==, error->message);
  g_assert_null (strstr (message, "wrong-token-value"));
  g_clear_pointer (&message, g_free);
  g_clear_error (&error);

  /* A trailing slash is fine. */
  g_free (config->backend_url);
  config->backend_url = g_strconcat (fake_server_get_base_url (server), "/ ", NULL);
  g_assert_true (probe (config, CN_SYNC_TARGET_BACKEND, NULL, NULL));

  /* Faults in plain words. */
  fake_server_queue_fault (server, FAKE_HTML);
  g_assert_false (probe (config, CN_SYNC_TARGET_BACKEND, &message, &error));
  g_assert_true (g_str_has_prefix (message, "The server answered 502"));
  g_clear_pointer (&message, g_free);
  g_clear_error (&error);

  fake_server_queue_fault (server, FAKE_MALFORMED_JSON);
  g_assert_false (probe (config, CN_SYNC_TARGET_BACKEND, &message, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_pointer (&message, g_free);
  g_clear_error (&error);

  fake_server_queue_fault (server, FAKE_HUGE_BODY);
  g_assert_false (probe (config, CN_SYNC_TARGET_BACKEND, &message, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_clear_pointer (&message, g_free);
  g_clear_error (&error);

  fake_server_queue_fault (server, FAKE_REDIRECT);
  g_assert_false (probe (config, CN_SYNC_TARGET_BACKEND, &message, &error));
  g_assert_true (g_str_has_prefix (message, "The server answered 307 and points to http://"));
  g_assert_cmpuint (fake_server_count_redirect_hits (server), ==, 0);
  g_assert_false (fake_server_redirect_saw_credentials (server));
  g_clear_pointer (&message, g_free);
  g_clear_error (&error);

  fake_server_set_refusing (server, TRUE);
  g_assert_false (probe (config, CN_SYNC_TARGET_BACKEND, &message, &error));
  g_assert_true (g_str_has_prefix (message, "Could not connect"));
  g_clear_pointer (&message, g_free);
  g_clear_error (&error);
  fake_server_set_refusing (server, FALSE);

  /* No token: nothing is sent. */
  fake_server_clear_requests (server);
  g_clear_pointer (&config->backend_token, cn_secret_free);
  g_assert_false (probe (config, CN_SYNC_TARGET_BACKEND, &message, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (message, ==, "Enter the access token first.");
  g_clear_pointer (&message, g_free);
  g_clear_error (&error);

  /* A token that would break the header: refused, and not repeated. */
  config->backend_token = g_strdup ("abc\ndef");
  g_assert_false (probe (config, CN_SYNC_TARGET_BACKEND, &message, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_null (strstr (message, "abc"));
  g_clear_pointer (&message, g_free);
  g_clear_error (&error);
  g_assert_cmpuint (fake_server_count_requests (server, NULL, NULL), ==, 0);

  fake_server_free (server);
}

static void
test_probe_refuses_plain_http (void)
{
  g_autoptr(CnSyncConfig) config = cn_sync_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gint64 started = g_get_monotonic_time ();

  g_free (config->backend_url);
  /* A host that does not resolve: were it tried, the answer would say so. */
  config->backend_url = g_strdup ("http://callnotes-probe.invalid");
  config->backend_token = g_strdup (TOKEN);

  g_assert_false (probe (config, CN_SYNC_TARGET_BACKEND, &message, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (message, "https://"));
  g_assert_null (strstr (message, TOKEN));
  g_assert_cmpint (g_get_monotonic_time () - started, <, G_USEC_PER_SEC);
  g_clear_pointer (&message, g_free);
  g_clear_error (&error);

  g_free (config->backend_url);
  config->backend_url = g_strdup ("");
  g_assert_false (probe (config, CN_SYNC_TARGET_BACKEND, &message, &error));
  g_assert_cmpstr (message, ==, "Enter the server address first.");
  g_clear_pointer (&message, g_free);
  g_clear_error (&error);

  g_free (config->ontraport_base_url);
  config->ontraport_base_url = g_strdup ("ftp://api.ontraport.com/1");
  config->ontraport_app_id = g_strdup (APP_ID_OK);
  config->ontraport_api_key = g_strdup (API_KEY_OK);
  g_assert_false (probe (config, CN_SYNC_TARGET_ONTRAPORT_NOTE, &message, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (message, "https://"));
}

static void
test_probe_ontraport (void)
{
  FakeServer *server = fake_server_new (FAKE_ONTRAPORT);
  g_autoptr(CnSyncConfig) config = cn_sync_config_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autofree char *message = NULL;
  FakeRequest *request;

  fake_server_set_api_keys (server, APP_ID_OK, API_KEY_OK);
  fake_server_add_contact (server, 42, "Jane", "Doe", "+1 555 123 4567");

  g_free (config->ontraport_base_url);
  config->ontraport_base_url = g_strdup (fake_server_get_base_url (server));
  config->ontraport_app_id = g_strdup (APP_ID_OK);
  config->ontraport_api_key = g_strdup (API_KEY_OK);
  config->timeout_seconds = 10;

  g_assert_true (probe (config, CN_SYNC_TARGET_ONTRAPORT_NOTE, &message, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (message, ==, "Connected. Ontraport accepted the App ID and API Key.");
  g_clear_pointer (&message, g_free);

  requests = fake_server_get_requests (server);
  g_assert_cmpuint (requests->len, ==, 1);
  request = requests->pdata[0];
  g_assert_cmpstr (request->method, ==, "GET");
  g_assert_cmpstr (request->path, ==, "/1/objects");
  g_assert_cmpstr (request->query, ==, "objectID=0&range=1");
  g_assert_cmpstr (g_hash_table_lookup (request->headers, "api-appid"), ==, APP_ID_OK);
  g_assert_cmpstr (g_hash_table_lookup (request->headers, "api-key"), ==, API_KEY_OK);

  g_free (config->ontraport_api_key);
  config->ontraport_api_key = g_strdup ("a-wrong-key");
  g_assert_false (probe (config, CN_SYNC_TARGET_ONTRAPORT_NOTE, &message, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_true (g_str_has_prefix (message, "The server answered 401: the App ID and API Key "
                                            "were not accepted."));
  g_assert_null (strstr (message, "a-wrong-key"));
  g_assert_null (strstr (message, APP_ID_OK));

  fake_server_free (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/timeline/store/list-for-contact", test_store_list_for_contact);
  g_test_add_func ("/timeline/merge/never-twice", test_merge_never_twice);
  g_test_add_func ("/timeline/merge/random", test_merge_random);
  g_test_add_func ("/timeline/parse/strict", test_parse_strict);
  g_test_add_func ("/timeline/fetch/every-field", test_fetch_every_field);
  g_test_add_func ("/timeline/fetch/faults", test_fetch_faults);
  g_test_add_func ("/timeline/fetch/cancelled", test_fetch_cancelled);
  g_test_add_func ("/timeline/probe/backend", test_probe_backend);
  g_test_add_func ("/timeline/probe/refuses-plain-http", test_probe_refuses_plain_http);
  g_test_add_func ("/timeline/probe/ontraport", test_probe_ontraport);

  return g_test_run ();
}
