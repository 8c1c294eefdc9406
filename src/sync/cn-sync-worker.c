/* cn-sync-worker.c: sends the outbox to the backend and Ontraport
 *
 * The worker claims due jobs from the database in batches, runs at most
 * `concurrency` of them at once (each job sends one request at a time), and
 * keeps their results in memory until a batch is written in one
 * transaction. A result that is lost in a crash only means the job is sent
 * again, which the backend's Idempotency-Key and the Ontraport look-up make
 * harmless.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-sync"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "cn-backoff.h"
#include "cn-live-store.h"
#include "cn-phone.h"
#include "cn-rate-limiter.h"
#include "cn-sync-json.h"
#include "cn-sync-requests.h"
#include "cn-sync-worker.h"

/* Jobs claimed per transaction. */
#define CLAIM_BATCH            128
/* Results are written when this many wait, or after FLUSH_DELAY_MS. */
#define FLUSH_BATCH            256
#define FLUSH_DELAY_MS         100
/* How often an idle worker looks for jobs other processes queued. */
#define POLL_INTERVAL_MS       1000
/* Ontraport allows 180 requests a minute; we stay a little below. */
#define ONTRAPORT_LIMIT        170
#define ONTRAPORT_WINDOW_US    (61 * G_USEC_PER_SEC)
#define READ_CHUNK             (64 * 1024)

typedef enum {
  FAMILY_BACKEND,
  FAMILY_ONTRAPORT,
  N_FAMILIES
} Family;

typedef enum {
  STEP_SEND,            /* backend: the POST or PUT */
  STEP_FIND_CONTACT,    /* Ontraport: contact by phone */
  STEP_FIND_EXISTING,   /* Ontraport: the note/task a lost answer may have created */
  STEP_CREATE,          /* Ontraport: the POST */
} Step;

typedef struct _Run Run;

typedef void (*AnswerFunc) (Run        *run,
                            guint       status,
                            SoupMessage *message,
                            GBytes     *body,
                            gboolean    too_large,
                            GError     *error);

struct _Run
{
  CnSyncWorker *worker;         /* not a reference: the worker outlives its runs */
  CnSyncJob    *job;
  GCancellable *cancellable;
  Step          step;
  guint64       contact_id;
  char         *resolved_contact;  /* found by this run, to save on the log */
  gboolean      sent;              /* the current request's body was written */
  gboolean      abandoned;         /* stop() settled it; callbacks only free */
  SoupMessage  *message;
  GInputStream *stream;
  GByteArray   *body;
  gboolean      too_large;
  AnswerFunc    on_answer;
  guint         delay_id;          /* waiting for the rate limiter */
};

struct _CnSyncWorker
{
  GObject          parent_instance;

  CnDatabase      *database;
  CnSyncConfig    *config;
  GNetworkMonitor *monitor;
  gboolean         own_monitor;     /* the default monitor: loopback is always reachable */
  SoupSession     *session;
  CnRateLimiter   *ontraport_limiter;
  GRand           *rand;

  gboolean         running;
  int              lock_fd;
  GQueue           ready;           /* claimed jobs (CnSyncJob *) not started yet */
  GPtrArray       *runs;            /* Run * in progress */
  gboolean         claimed_all;     /* the last claim found fewer than it asked for */
  gint64           last_data_version;

  GArray          *results;         /* CnJobResult waiting to be written */
  GStringChunk    *result_strings;  /* their strings */
  guint            flush_id;
  guint            wake_id;         /* next due job, or the poll */
  guint            limiter_id;      /* Ontraport rate limiter */

  CnSyncTarget     paused;
  char            *pause_reason[N_FAMILIES];
  char            *setup_problem[N_FAMILIES];  /* enabled but cannot send: why */
  gboolean         network_available;
};

G_DEFINE_FINAL_TYPE (CnSyncWorker, cn_sync_worker, G_TYPE_OBJECT)

enum {
  SIGNAL_CHANGED,
  SIGNAL_IDLE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void pump          (CnSyncWorker *self);
static void on_flush_timeout (gpointer   user_data);
static void schedule_pump (CnSyncWorker *self,
                           guint         delay_ms);
static void run_step      (Run          *run);

static Family
family_of (CnSyncTarget target)
{
  return target == CN_SYNC_TARGET_BACKEND ? FAMILY_BACKEND : FAMILY_ONTRAPORT;
}

static CnSyncTarget
targets_of (Family family)
{
  return family == FAMILY_BACKEND ? CN_SYNC_TARGET_BACKEND : CN_SYNC_TARGETS_ONTRAPORT;
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* Set-up checks */

static gboolean
family_is_set_up (CnSyncWorker *self,
                  Family        family,
                  char        **why)
{
  const CnSyncConfig *config = self->config;
  g_autoptr(GError) error = NULL;

  if (family == FAMILY_BACKEND)
    {
      if (!config->backend_enabled)
        return FALSE;
      if (config->backend_url == NULL || *config->backend_url == '\0')
        {
          if (why != NULL)
            *why = g_strdup (_("No backend address is set."));
          return FALSE;
        }
      if (!cn_sync_check_base_url (config->backend_url, &error))
        {
          if (why != NULL)
            *why = g_strdup (error->message);
          return FALSE;
        }
      if (config->backend_token == NULL || *config->backend_token == '\0')
        {
          if (why != NULL)
            *why = g_strdup (_("No backend token is set."));
          return FALSE;
        }
      return TRUE;
    }

  if (!config->ontraport_enabled)
    return FALSE;
  if (!cn_sync_check_base_url (config->ontraport_base_url, &error))
    {
      if (why != NULL)
        *why = g_strdup (error->message);
      return FALSE;
    }
  if (config->ontraport_app_id == NULL || *config->ontraport_app_id == '\0' ||
      config->ontraport_api_key == NULL || *config->ontraport_api_key == '\0')
    {
      if (why != NULL)
        *why = g_strdup (_("No Ontraport app id or API key is set."));
      return FALSE;
    }
  if (config->task_mode == CN_TASK_MODE_ASSIGN &&
      (config->task_template_id == 0 || config->task_owner_id == 0))
    {
      /* Notes can go; tasks need a template and an owner (checked per job). */
      return TRUE;
    }

  return TRUE;
}

static gboolean
host_is_loopback (const char *url)
{
  g_autoptr(GUri) uri = url != NULL ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;
  const char *host = uri != NULL ? g_uri_get_host (uri) : NULL;
  g_autoptr(GInetAddress) address = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/* Whether requests of @family can go now (network, credentials, pauses). */
static gboolean
family_can_send (CnSyncWorker *self,
                 Family        family)
{
  const char *url = family == FAMILY_BACKEND ? self->config->backend_url
                                             : self->config->ontraport_base_url;

  if (!family_is_set_up (self, family, NULL))
    return FALSE;
  if ((self->paused & targets_of (family)) != 0)
    return FALSE;
  if (!self->network_available && !(self->own_monitor && host_is_loopback (url)))
    return FALSE;

  return TRUE;
}

static CnSyncTarget
active_targets (CnSyncWorker *self)
{
  CnSyncTarget targets = 0;

  for (Family f = 0; f < N_FAMILIES; f++)
    {
      g_clear_pointer (&self->setup_problem[f], g_free);
      family_is_set_up (self, f, &self->setup_problem[f]);
      if (family_can_send (self, f))
        targets |= targets_of (f);
    }

  return targets;
}

/* Where the Ontraport requests of the last minute are kept between workers. */
#define LIMITER_KEY "sync.ontraport-requests"

static void keep_limiter (CnSyncWorker *self);

/* Results */

static void
emit_changed (CnSyncWorker *self)
{
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
flush_results (CnSyncWorker *self)
{
  g_autoptr(GError) error = NULL;

  g_clear_handle_id (&self->flush_id, g_source_remove);

  if (self->results->len == 0)
    return;

  if (!cn_database_record_results (self->database, (CnJobResult *) self->results->data,
                                   self->results->len, &error))
    {
      /* The jobs stay in flight in the database; they are sent again after
       * a restart. Keep the results and try again shortly. */
      g_message ("Could not record %u sync results: %s", self->results->len, error->message);
      if (self->running)
        self->flush_id = g_timeout_add_once (1000, on_flush_timeout, self);
      return;
    }

  g_array_set_size (self->results, 0);
  g_string_chunk_clear (self->result_strings);
  emit_changed (self);
}

static void
on_flush_timeout (gpointer user_data)
{
  CnSyncWorker *self = user_data;

  self->flush_id = 0;
  flush_results (self);
  pump (self);
}

static const char *
keep (CnSyncWorker *self,
      const char   *text)
{
  return text != NULL ? g_string_chunk_insert (self->result_strings, text) : NULL;
}

static void
add_result (CnSyncWorker      *self,
            const CnJobResult *result)
{
  CnJobResult copy = *result;

  copy.message = keep (self, result->message);
  copy.remote_id = keep (self, result->remote_id);
  copy.contact_id = keep (self, result->contact_id);
  copy.payload = keep (self, result->payload);
  g_array_append_val (self->results, copy);

  if (self->results->len >= FLUSH_BATCH)
    flush_results (self);
  else if (self->flush_id == 0)
    self->flush_id = g_timeout_add_once (FLUSH_DELAY_MS, on_flush_timeout, self);
}

static void
release_job (CnSyncWorker *self,
             CnSyncJob    *job)
{
  CnJobResult result = {
    .job_id = job->id,
    .kind = CN_JOB_RESULT_RELEASE,
    .at = now_seconds (),
  };

  add_result (self, &result);
}

/* Runs */

static void
run_free (Run *run)
{
  g_clear_handle_id (&run->delay_id, g_source_remove);
  g_clear_object (&run->cancellable);
  g_clear_object (&run->message);
  g_clear_object (&run->stream);
  g_clear_pointer (&run->body, g_byte_array_unref);
  g_clear_pointer (&run->job, cn_sync_job_free);
  g_free (run->resolved_contact);
  g_free (run);
}

static void
pause_family (CnSyncWorker *self,
              Family        family,
              const char   *reason)
{
  self->paused |= targets_of (family);
  g_free (self->pause_reason[family]);
  self->pause_reason[family] = g_strdup (reason);

  /* Jobs of the family that were claimed but not started go back. */
  for (GList *l = self->ready.head; l != NULL;)
    {
      GList *next = l->next;
      CnSyncJob *job = l->data;

      if (family_of (job->target) == family)
        {
          release_job (self, job);
          g_queue_delete_link (&self->ready, l);
          cn_sync_job_free (job);
        }
      l = next;
    }
}

/* Ends @run with a result and frees it. */
static void
finish_run (Run               *run,
            CnJobResultKind    kind,
            guint              status,
            const char        *message,
            const char        *remote_id,
            gint64             retry_after,
            gboolean           outcome_unknown)
{
  CnSyncWorker *self = run->worker;
  CnJobResult result = {
    .job_id = run->job->id,
    .kind = kind,
    .at = now_seconds (),
    .status = (gint) status,
    .message = message,
    .remote_id = remote_id,
    .contact_id = run->resolved_contact,
    .outcome_unknown = outcome_unknown || run->job->outcome_unknown,
  };

  /* The server may have kept what was sent (no answer, or "still working
   * on it"): a repeat must carry the same body. After a clear refusal the
   * job stays open to an edit. */
  if (kind == CN_JOB_RESULT_RETRY && (outcome_unknown || status == 409))
    result.payload = run->job->payload;

  if (kind == CN_JOB_RESULT_RETRY)
    {
      const CnSyncConfig *config = self->config;
      gint64 delay_ms = cn_backoff_delay_ms (run->job->attempts + 1,
                                             config->backoff_base_ms > 0 ? config->backoff_base_ms
                                                                         : CN_BACKOFF_BASE_MS,
                                             config->backoff_cap_ms > 0 ? config->backoff_cap_ms
                                                                        : CN_BACKOFF_CAP_MS,
                                             self->rand);

      if (retry_after >= 0)
        delay_ms = MAX (delay_ms, retry_after * 1000);
      result.next_attempt_at = result.at + (delay_ms + 999) / 1000;
    }

  g_debug ("Job %" G_GINT64_FORMAT " (%s): %d, status %u", run->job->id,
           cn_sync_target_to_string (run->job->target), kind, status);

  add_result (self, &result);
  g_ptr_array_remove (self->runs, run);   /* frees it */

  if (self->running)
    schedule_pump (self, 0);
}

static void
abandon_run (Run *run)
{
  run->abandoned = TRUE;
  g_cancellable_cancel (run->cancellable);
}

/* HTTP */

static void
add_credentials (CnSyncWorker *self,
                 Family        family,
                 SoupMessage  *message)
{
  SoupMessageHeaders *headers = soup_message_get_request_headers (message);

  if (family == FAMILY_BACKEND)
    {
      g_autofree char *value = g_strconcat ("Bearer ", self->config->backend_token, NULL);

      soup_message_headers_replace (headers, "Authorization", value);
      explicit_bzero (value, strlen (value));
    }
  else
    {
      soup_message_headers_replace (headers, "Api-Appid", self->config->ontraport_app_id);
      soup_message_headers_replace (headers, "Api-Key", self->config->ontraport_api_key);
    }
}

static void
on_wrote_body (SoupMessage *message,
               gpointer     user_data)
{
  Run *run = user_data;

  run->sent = TRUE;
}

static void deliver_answer (Run    *run,
                            GError *error);

/* libsoup sends an idempotent message again by itself when a kept-alive
 * connection turns out closed; its request body stream was read by the
 * first try, so it is set again from the bytes kept on the message (else
 * the repeat goes out empty). */
static void
on_restarted (SoupMessage *message,
              gpointer     user_data)
{
  GBytes *bytes = g_object_get_data (G_OBJECT (message), "cn-request-body");

  if (bytes != NULL)
    soup_message_set_request_body_from_bytes (message, "application/json", bytes);
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result,
                                                              &error);

  if (run->abandoned)
    {
      run_free (run);
      return;
    }

  if (chunk == NULL)
    {
      deliver_answer (run, error);
      return;
    }

  if (g_bytes_get_size (chunk) == 0)
    {
      deliver_answer (run, NULL);
      return;
    }

  if (run->body->len + g_bytes_get_size (chunk) > CN_SYNC_MAX_ANSWER_BYTES)
    {
      /* Stop reading; the connection is dropped with the stream. */
      run->too_large = TRUE;
      deliver_answer (run, NULL);
      return;
    }

  g_byte_array_append (run->body, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  g_input_stream_read_bytes_async (run->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   run->cancellable, on_read, run);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;
  GInputStream *stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);

  if (run->abandoned)
    {
      g_clear_object (&stream);
      run_free (run);
      return;
    }

  if (stream == NULL)
    {
      deliver_answer (run, error);
      return;
    }

  run->stream = stream;
  if (soup_message_headers_get_content_length (soup_message_get_response_headers (run->message))
      > CN_SYNC_MAX_ANSWER_BYTES)
    {
      run->too_large = TRUE;
      deliver_answer (run, NULL);
      return;
    }

  g_input_stream_read_bytes_async (stream, READ_CHUNK, G_PRIORITY_DEFAULT, run->cancellable,
                                   on_read, run);
}

static void
deliver_answer (Run    *run,
                GError *error)
{
  g_autoptr(GBytes) body = NULL;
  g_autoptr(SoupMessage) message = g_steal_pointer (&run->message);
  guint status = error == NULL ? soup_message_get_status (message) : 0;

  if (run->stream != NULL)
    {
      g_input_stream_close (run->stream, NULL, NULL);
      g_clear_object (&run->stream);
    }
  body = g_byte_array_free_to_bytes (g_steal_pointer (&run->body));
  g_signal_handlers_disconnect_by_func (message, on_wrote_body, run);

  run->on_answer (run, status, message, body, run->too_large, error);
}

static void
send_request (Run         *run,
              const char  *method,
              const char  *url,
              const char  *body,
              const char  *idempotency_key,
              AnswerFunc   on_answer)
{
  CnSyncWorker *self = run->worker;
  Family family = family_of (run->job->target);
  SoupMessage *message = soup_message_new (method, url);

  if (message == NULL)
    {
      finish_run (run, CN_JOB_RESULT_FAILED, 0,
                  _("The server address is not valid. Check it in Preferences → Accounts."),
                  NULL, -1, FALSE);
      return;
    }

  /* Redirects are never followed: credentials must not reach another host,
   * and a POST must not be repeated behind our back. */
  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  /* The backend's writes carry an Idempotency-Key, so they may go over a
   * kept-alive connection (libsoup opens a new one for every request it
   * thinks is not idempotent). Ontraport's POSTs are not: a fresh connection
   * keeps libsoup from sending them again on its own. */
  if (family == FAMILY_BACKEND)
    soup_message_add_flags (message, SOUP_MESSAGE_IDEMPOTENT);
  add_credentials (self, family, message);
  soup_message_headers_replace (soup_message_get_request_headers (message), "Accept",
                                "application/json");
  if (idempotency_key != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (message), "Idempotency-Key",
                                  idempotency_key);
  if (body != NULL)
    {
      GBytes *bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
      g_object_set_data_full (G_OBJECT (message), "cn-request-body", bytes,
                              (GDestroyNotify) g_bytes_unref);
      g_signal_connect (message, "restarted", G_CALLBACK (on_restarted), NULL);
    }

  run->sent = FALSE;
  run->too_large = FALSE;
  run->body = g_byte_array_new ();
  run->message = message;
  run->on_answer = on_answer;
  g_signal_connect (message, "wrote-body", G_CALLBACK (on_wrote_body), run);

  if (family == FAMILY_ONTRAPORT)
    {
      cn_rate_limiter_take (self->ontraport_limiter, g_get_monotonic_time ());
      keep_limiter (self);
    }

  soup_session_send_async (self->session, message, G_PRIORITY_DEFAULT, run->cancellable,
                           on_sent, run);
}

/* Words for a failure of @message without an answer. */
static char *
transport_message (SoupMessage *message,
                   GError      *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_strdup (_("The server did not answer in time. Trying again later."));
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_strdup (_("The server refused the connection. Trying again later."));
  if (error->domain == G_RESOLVER_ERROR)
    return g_strdup (_("The server's name could not be found (no network?). Trying again "
                       "later."));
  if (error->domain == G_TLS_ERROR)
    {
      g_autofree char *words = cn_sync_tls_words (message, error);

      /* Translators: %s says what is wrong, e.g. "the server’s certificate has expired" */
      return g_strdup_printf (_("Could not connect securely: %s. Trying again later."), words);
    }

  return g_strdup_printf (_("The connection failed: %s. Trying again later."), error->message);
}

/* Handles what every answer shares: no answer, or a non-2xx status that
 * ends the run. Returns TRUE when it finished the run. @classified is the
 * answer's classification for answers with a status. */
static gboolean
finish_on_failure (Run         *run,
                   SoupMessage *message,
                   guint        status,
                   GError      *error,
                   CnAnswer    *classified,
                   gboolean     may_have_acted)
{
  CnSyncWorker *self = run->worker;
  Family family = family_of (run->job->target);

  if (error != NULL)
    {
      g_autofree char *words = transport_message (message, error);

      finish_run (run, CN_JOB_RESULT_RETRY, 0, words, NULL, -1, may_have_acted && run->sent);
      return TRUE;
    }

  switch (classified->kind)
    {
    case CN_ANSWER_DONE:
      return FALSE;

    case CN_ANSWER_AUTH:
      pause_family (self, family, classified->message);
      finish_run (run, CN_JOB_RESULT_FAILED, status, classified->message, NULL, -1, FALSE);
      return TRUE;

    case CN_ANSWER_PERMANENT:
      finish_run (run, CN_JOB_RESULT_FAILED, status, classified->message, NULL, -1, FALSE);
      return TRUE;

    case CN_ANSWER_TRANSIENT:
    default:
      if (status == 429 && family == FAMILY_ONTRAPORT)
        {
          cn_rate_limiter_block_until (self->ontraport_limiter,
                                       g_get_monotonic_time () +
                                       MAX (classified->retry_after, 1) * G_USEC_PER_SEC);
          keep_limiter (self);
        }
      finish_run (run, CN_JOB_RESULT_RETRY, status, classified->message, NULL,
                  classified->retry_after, may_have_acted && classified->outcome_unknown);
      return TRUE;
    }
}

/* Backend */

static void
on_backend_answer (Run         *run,
                   guint        status,
                   SoupMessage *message,
                   GBytes      *body,
                   gboolean     too_large,
                   GError      *error)
{
  CnAnswer answer = { 0, };
  const char *data = g_bytes_get_data (body, NULL);
  gsize length = g_bytes_get_size (body);

  if (error == NULL)
    {
      SoupMessageHeaders *headers = soup_message_get_response_headers (message);

      cn_sync_classify_backend (status, soup_message_headers_get_content_type (headers, NULL),
                                too_large ? NULL : data, too_large ? 0 : length,
                                soup_message_headers_get_one (headers, "Retry-After"),
                                now_seconds (), &answer);
    }

  if (!finish_on_failure (run, message, status, error, &answer, TRUE))
    finish_run (run, CN_JOB_RESULT_DONE, status, NULL, answer.remote_id, -1, FALSE);

  cn_answer_clear (&answer);
}

static void
start_backend (Run *run)
{
  CnSyncWorker *self = run->worker;
  CnSyncJob *job = run->job;
  g_autofree char *url = NULL;
  g_autofree char *key = NULL;
  g_autofree char *body = NULL;

  if (job->payload == NULL)
    job->payload = cn_sync_backend_body (job->log);

  if (job->action == CN_JOB_UPDATE)
    {
      g_autofree char *escaped = NULL;

      if (job->backend_id == NULL)
        {
          finish_run (run, CN_JOB_RESULT_FAILED, 0,
                      _("This edit cannot be sent: the call log itself never reached the "
                        "backend."), NULL, -1, FALSE);
          return;
        }

      escaped = g_uri_escape_string (job->backend_id, NULL, FALSE);
      url = g_strdup_printf ("%s/api/calls/%s", self->config->backend_url, escaped);
      key = g_strdup_printf ("%s:%d", job->call_uuid, job->revision);
      send_request (run, "PUT", url, job->payload, key, on_backend_answer);
      return;
    }

  url = g_strdup_printf ("%s/api/calls", self->config->backend_url);
  send_request (run, "POST", url, job->payload, job->call_uuid, on_backend_answer);
}

/* Ontraport */

static gboolean
on_limiter_delay (gpointer user_data)
{
  Run *run = user_data;

  run->delay_id = 0;
  run_step (run);
  return G_SOURCE_REMOVE;
}

/* Parses a lookup answer; FALSE when it finished the run. */
static gboolean
read_lookup (Run         *run,
             guint        status,
             SoupMessage *message,
             GBytes      *body,
             gboolean     too_large,
             GError      *error,
             GPtrArray  **ids)
{
  CnAnswer answer = { 0, };
  gboolean finished;

  if (error == NULL)
    {
      SoupMessageHeaders *headers = soup_message_get_response_headers (message);

      cn_sync_classify_ontraport (status, soup_message_headers_get_content_type (headers, NULL),
                                  too_large ? NULL : g_bytes_get_data (body, NULL),
                                  too_large ? 0 : g_bytes_get_size (body),
                                  soup_message_headers_get_one (headers, "X-Rate-Limit-Reset"),
                                  FALSE, &answer);
    }

  finished = finish_on_failure (run, message, status, error, &answer, FALSE);
  cn_answer_clear (&answer);
  if (finished)
    return FALSE;

  if (!cn_sync_parse_ontraport_ids (g_bytes_get_data (body, NULL), g_bytes_get_size (body), ids))
    {
      finish_run (run, CN_JOB_RESULT_RETRY, status,
                  _("Ontraport's answer to a search could not be read; trying again later."),
                  NULL, -1, FALSE);
      return FALSE;
    }

  return TRUE;
}

static void
on_contact_answer (Run         *run,
                   guint        status,
                   SoupMessage *message,
                   GBytes      *body,
                   gboolean     too_large,
                   GError      *error)
{
  g_autoptr(GPtrArray) ids = NULL;
  g_autofree char *digits = NULL;

  if (!read_lookup (run, status, message, body, too_large, error, &ids))
    return;

  digits = cn_phone_last_ten_digits (cn_call_log_get_phone (run->job->log));

  if (ids->len == 1 && cn_sync_parse_contact_id (g_ptr_array_index (ids, 0), &run->contact_id))
    {
      run->resolved_contact = g_strdup (g_ptr_array_index (ids, 0));
      run->step = run->job->outcome_unknown ? STEP_FIND_EXISTING : STEP_CREATE;
      run_step (run);
      return;
    }

  if (ids->len == 0)
    {
      g_autofree char *text = g_strdup_printf (_("No Ontraport contact has the number ending "
                                                 "in %s. Assign a contact."), digits);

      finish_run (run, CN_JOB_RESULT_NEEDS_CONTACT, status, text, NULL, -1, FALSE);
    }
  else
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%u Ontraport contact has the number "
                                                            "ending in %s. Choose one.",
                                                            "%u Ontraport contacts have the "
                                                            "number ending in %s. Choose one.",
                                                            ids->len),
                                               ids->len, digits);

      finish_run (run, CN_JOB_RESULT_NEEDS_CONTACT, status, text, NULL, -1, FALSE);
    }
}

static void
on_existing_answer (Run         *run,
                    guint        status,
                    SoupMessage *message,
                    GBytes      *body,
                    gboolean     too_large,
                    GError      *error)
{
  g_autoptr(GPtrArray) ids = NULL;

  if (!read_lookup (run, status, message, body, too_large, error, &ids))
    return;

  if (ids->len > 0)
    {
      /* The earlier POST did create it: adopt it instead of posting again. */
      finish_run (run, CN_JOB_RESULT_DONE, status, NULL, g_ptr_array_index (ids, 0), -1, FALSE);
      return;
    }

  run->step = STEP_CREATE;
  run_step (run);
}

static void
on_create_answer (Run         *run,
                  guint        status,
                  SoupMessage *message,
                  GBytes      *body,
                  gboolean     too_large,
                  GError      *error)
{
  CnAnswer answer = { 0, };
  g_autofree char *fallback_id = NULL;

  if (error == NULL)
    {
      SoupMessageHeaders *headers = soup_message_get_response_headers (message);
      const char *remaining = soup_message_headers_get_one (headers, "X-Rate-Limit-Remaining");
      const char *reset = soup_message_headers_get_one (headers, "X-Rate-Limit-Reset");
      guint64 reset_seconds = 0;

      cn_sync_classify_ontraport (status, soup_message_headers_get_content_type (headers, NULL),
                                  too_large ? NULL : g_bytes_get_data (body, NULL),
                                  too_large ? 0 : g_bytes_get_size (body), reset, TRUE, &answer);

      /* The server says the window is used up: wait for it. */
      if (g_strcmp0 (remaining, "0") == 0 && reset != NULL &&
          g_ascii_string_to_unsigned (reset, 10, 1, 3600, &reset_seconds, NULL))
        {
          cn_rate_limiter_block_until (run->worker->ontraport_limiter,
                                       g_get_monotonic_time () +
                                       (gint64) reset_seconds * G_USEC_PER_SEC);
          keep_limiter (run->worker);
        }
    }

  if (!finish_on_failure (run, message, status, error, &answer, TRUE))
    {
      /* task/assign answers without an id. */
      if (answer.remote_id == NULL)
        fallback_id = g_strdup_printf ("assigned:%" G_GUINT64_FORMAT ":%" G_GINT64_FORMAT,
                                       run->contact_id,
                                       cn_call_log_get_follow_up (run->job->log));
      finish_run (run, CN_JOB_RESULT_DONE, status, NULL,
                  answer.remote_id != NULL ? answer.remote_id : fallback_id, -1, FALSE);
    }

  cn_answer_clear (&answer);
}

static char *
objects_url (CnSyncWorker *self,
             guint         object_id,
             const char   *condition,
             gboolean      contacts)
{
  g_autofree char *escaped = g_uri_escape_string (condition, NULL, FALSE);

  if (contacts)
    return g_strdup_printf ("%s/objects?objectID=0&range=50"
                            "&listFields=id,firstname,lastname,office_phone,sms_number"
                            "&condition=%s", self->config->ontraport_base_url, escaped);

  return g_strdup_printf ("%s/objects?objectID=%u&range=50&condition=%s",
                          self->config->ontraport_base_url, object_id, escaped);
}

static void
run_ontraport_step (Run *run)
{
  CnSyncWorker *self = run->worker;
  CnSyncJob *job = run->job;
  const CnSyncConfig *config = self->config;
  gboolean is_task = job->target == CN_SYNC_TARGET_ONTRAPORT_TASK;
  g_autofree char *subject = NULL;
  g_autofree char *url = NULL;
  g_autofree char *condition = NULL;
  g_autofree char *body = NULL;
  gint64 due = cn_call_log_get_follow_up (job->log);
  gint64 delay;

  /* A task's subject and due time are fixed once it may have been sent. */
  if (is_task && job->payload == NULL)
    job->payload = cn_sync_task_payload (job->log);
  if (is_task && !cn_sync_task_payload_parse (job->payload, &subject, &due))
    {
      finish_run (run, CN_JOB_RESULT_FAILED, 0,
                  _("This call has no follow-up time, so no task can be made."), NULL, -1,
                  FALSE);
      return;
    }

  if (is_task && config->task_mode == CN_TASK_MODE_ASSIGN &&
      (config->task_template_id == 0 || config->task_owner_id == 0))
    {
      finish_run (run, CN_JOB_RESULT_FAILED, 0,
                  _("Follow-up tasks are set to be assigned from a template, but no template "
                    "or owner is set. Set them in Preferences → Accounts, then retry."),
                  NULL, -1, FALSE);
      return;
    }

  delay = cn_rate_limiter_delay (self->ontraport_limiter, g_get_monotonic_time ());
  if (delay > 0)
    {
      run->delay_id = g_timeout_add ((guint) MIN ((delay + 999) / 1000, G_MAXUINT),
                                     on_limiter_delay, run);
      return;
    }

  switch (run->step)
    {
    case STEP_FIND_CONTACT:
      {
        g_autofree char *digits = cn_phone_last_ten_digits (cn_call_log_get_phone (job->log));

        if (digits == NULL || strlen (digits) < 7)
          {
            g_clear_pointer (&digits, g_free);
            digits = cn_phone_last_ten_digits (cn_call_log_get_phone_raw (job->log));
          }
        if (digits == NULL || strlen (digits) < 7)
          {
            finish_run (run, CN_JOB_RESULT_NEEDS_CONTACT, 0,
                        _("This call has no number to find its Ontraport contact by. Assign a "
                          "contact."), NULL, -1, FALSE);
            return;
          }
        condition = cn_sync_condition_phone (digits);
        url = objects_url (self, 0, condition, TRUE);
        send_request (run, "GET", url, NULL, NULL, on_contact_answer);
      }
      break;

    case STEP_FIND_EXISTING:
      if (is_task)
        condition = cn_sync_condition_task (run->contact_id,
                                            config->task_mode == CN_TASK_MODE_OBJECT ? subject
                                                                                     : NULL,
                                            due);
      else
        condition = cn_sync_condition_note_ref (run->contact_id, job->call_uuid);
      url = objects_url (self, is_task ? config->task_object_id : 12, condition, FALSE);
      send_request (run, "GET", url, NULL, NULL, on_existing_answer);
      break;

    case STEP_CREATE:
    case STEP_SEND:
    default:
      if (!is_task)
        {
          g_autofree char *text = cn_sync_note_text (job->log);

          body = cn_sync_ontraport_note_body (run->contact_id, text);
          url = g_strdup_printf ("%s/objects", config->ontraport_base_url);
        }
      else if (config->task_mode == CN_TASK_MODE_ASSIGN)
        {
          body = cn_sync_ontraport_assign_body (run->contact_id, config->task_template_id,
                                                config->task_owner_id, due);
          url = g_strdup_printf ("%s/task/assign", config->ontraport_base_url);
        }
      else
        {
          body = cn_sync_ontraport_task_body (run->contact_id, config->task_object_id, subject,
                                              due);
          url = g_strdup_printf ("%s/objects", config->ontraport_base_url);
        }
      send_request (run, "POST", url, body, NULL, on_create_answer);
      break;
    }
}

static void
start_ontraport (Run *run)
{
  CnSyncWorker *self = run->worker;
  CnSyncJob *job = run->job;
  const char *contact = cn_call_log_get_contact_id (job->log);

  if (contact != NULL && *contact != '\0')
    {
      if (!cn_sync_parse_contact_id (contact, &run->contact_id))
        {
          g_autofree char *text = g_strdup_printf (_("“%s” is not an Ontraport contact id. "
                                                     "Assign a contact."), contact);

          finish_run (run, CN_JOB_RESULT_NEEDS_CONTACT, 0, text, NULL, -1, FALSE);
          return;
        }
      run->step = job->outcome_unknown ? STEP_FIND_EXISTING : STEP_CREATE;
    }
  else
    {
      g_autofree char *cached = cn_database_lookup_contact (self->database,
                                                            cn_call_log_get_phone (job->log),
                                                            NULL, NULL);

      if (cached != NULL && cn_sync_parse_contact_id (cached, &run->contact_id))
        {
          run->resolved_contact = g_steal_pointer (&cached);
          run->step = job->outcome_unknown ? STEP_FIND_EXISTING : STEP_CREATE;
        }
      else
        {
          run->step = STEP_FIND_CONTACT;
        }
    }

  run_step (run);
}

static void
run_step (Run *run)
{
  if (run->job->target == CN_SYNC_TARGET_BACKEND)
    start_backend (run);
  else
    run_ontraport_step (run);
}

static void
start_job (CnSyncWorker *self,
           CnSyncJob    *job)
{
  Run *run;

  /* Claimed a while ago: the agent may have canceled it since. */
  if (cn_database_get_job_state (self->database, job->id, NULL) != CN_JOB_IN_FLIGHT)
    {
      cn_sync_job_free (job);
      return;
    }

  run = g_new0 (Run, 1);

  run->worker = self;
  run->job = job;
  run->cancellable = g_cancellable_new ();
  g_ptr_array_add (self->runs, run);

  if (job->target == CN_SYNC_TARGET_BACKEND)
    start_backend (run);
  else
    start_ontraport (run);
}

/* Scheduling */

static void
on_wake (gpointer user_data)
{
  CnSyncWorker *self = user_data;

  self->wake_id = 0;
  pump (self);
}

static void
schedule_pump (CnSyncWorker *self,
               guint         delay_ms)
{
  g_clear_handle_id (&self->wake_id, g_source_remove);
  if (delay_ms == 0)
    self->wake_id = g_idle_add_once (on_wake, self);
  else
    self->wake_id = g_timeout_add_once (delay_ms, on_wake, self);
}

static void
on_limiter_ready (gpointer user_data)
{
  CnSyncWorker *self = user_data;

  self->limiter_id = 0;
  pump (self);
}

/* Takes the next job that may start now off the ready queue. */
static CnSyncJob *
next_startable (CnSyncWorker *self,
                gint64       *limiter_delay)
{
  gint64 delay = cn_rate_limiter_delay (self->ontraport_limiter, g_get_monotonic_time ());

  *limiter_delay = 0;
  for (GList *l = self->ready.head; l != NULL; l = l->next)
    {
      CnSyncJob *job = l->data;

      if (job->target != CN_SYNC_TARGET_BACKEND && delay > 0)
        {
          *limiter_delay = delay;
          continue;
        }

      g_queue_delete_link (&self->ready, l);
      return job;
    }

  return NULL;
}

/* Whether a claim could find anything: the last one was full, the database
 * changed since, or a waiting job fell due. Saves an idle worker a write
 * transaction every poll. */
static gboolean
claim_worthwhile (CnSyncWorker *self,
                  CnSyncTarget  targets)
{
  gint64 next_due;

  if (!self->claimed_all)
    return TRUE;
  if (cn_database_get_data_version (self->database) != self->last_data_version)
    return TRUE;

  next_due = cn_database_next_due (self->database, targets, NULL);
  return next_due > 0 && next_due <= now_seconds ();
}

/* Runs sending (or about to send) a request: a run that waits for the
 * Ontraport limiter holds no connection. */
static guint
count_sending (CnSyncWorker *self)
{
  guint n = 0;

  for (guint i = 0; i < self->runs->len; i++)
    n += ((Run *) g_ptr_array_index (self->runs, i))->delay_id == 0;

  return n;
}

/* Claims due jobs of @targets onto the ready queue; FALSE on a database
 * error (the worker then polls). */
static gboolean
claim_more (CnSyncWorker *self,
            CnSyncTarget  targets,
            guint         batch)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  gint64 version = cn_database_get_data_version (self->database);

  claimed = cn_database_claim_jobs (self->database, targets, now_seconds (), batch,
                                    &error);
  /* Results not yet written may be what makes the next job due (an update
   * waits for its create): write them and look again. */
  if (claimed != NULL && claimed->len < batch && self->results->len > 0)
    {
      g_autoptr(GPtrArray) more = NULL;

      flush_results (self);
      version = cn_database_get_data_version (self->database);
      more = cn_database_claim_jobs (self->database, targets, now_seconds (),
                                     batch - claimed->len, &error);
      if (more != NULL)
        g_ptr_array_extend_and_steal (claimed, g_steal_pointer (&more));
      else
        g_clear_error (&error);   /* what the first claim got still goes */
    }

  if (claimed == NULL)
    {
      g_message ("Could not read the sync queue: %s", error->message);
      return FALSE;
    }

  /* Read before the claim: a save committed during it makes the next look
   * worthwhile. */
  self->last_data_version = version;
  self->claimed_all = claimed->len < batch;

  /* In the claim's order: urgent follow-ups first, then oldest first. */
  for (guint i = 0; i < claimed->len; i++)
    g_queue_push_tail (&self->ready, g_ptr_array_index (claimed, i));
  g_ptr_array_set_free_func (claimed, NULL);

  if (claimed->len > 0)
    emit_changed (self);

  return TRUE;
}

static void
pump (CnSyncWorker *self)
{
  guint concurrency;
  gint64 limiter_delay = 0;
  gint64 next_due;
  gint64 now;
  CnSyncTarget targets;

  if (!self->running)
    return;

  concurrency = MAX (self->config->concurrency, 1);
  targets = active_targets (self);

  /* Claimed jobs whose target stopped (paused, switched off) go back. */
  for (GList *l = self->ready.head; l != NULL;)
    {
      GList *next = l->next;
      CnSyncJob *job = l->data;

      if ((job->target & targets) == 0)
        {
          release_job (self, job);
          g_queue_delete_link (&self->ready, l);
          cn_sync_job_free (job);
        }
      l = next;
    }

  /* At most @concurrency requests at once, and never more runs than twice
   * that (runs waiting for the Ontraport limiter hold no connection). */
  while (count_sending (self) < concurrency && self->runs->len < concurrency * 2)
    {
      CnSyncJob *job = next_startable (self, &limiter_delay);

      if (job == NULL)
        {
          /* Jobs the limiter holds back do not stop the backend's: while it
           * holds, only the backend is claimed. */
          CnSyncTarget claim = limiter_delay > 0 ? targets & ~CN_SYNC_TARGETS_ONTRAPORT : targets;
          guint batch = MAX (CLAIM_BATCH, concurrency * 2);

          if (claim == 0 || self->ready.length >= batch * 2 ||
              !(self->results->len > 0 || claim_worthwhile (self, claim)))
            break;

          if (!claim_more (self, claim, batch))
            {
              schedule_pump (self, POLL_INTERVAL_MS);
              return;
            }

          job = next_startable (self, &limiter_delay);
          if (job == NULL)
            break;
        }

      start_job (self, job);
    }

  if (limiter_delay > 0 && self->limiter_id == 0)
    self->limiter_id = g_timeout_add_once ((guint) MIN ((limiter_delay + 999) / 1000, 60000),
                                           on_limiter_ready, self);

  /* Busy: every finished run pumps again. */
  if (self->runs->len > 0)
    return;

  /* Only jobs the limiter holds back: its timer pumps, and the poll still
   * looks for backend jobs. */
  if (self->ready.length > 0)
    {
      if (self->wake_id == 0)
        schedule_pump (self, POLL_INTERVAL_MS);
      return;
    }

  /* Nothing under way: write what we have, then wait for the next due job,
   * or poll for jobs others queue. */
  flush_results (self);

  /* Waiting jobs are due at whole seconds; the poll looks every second. */
  now = now_seconds ();
  next_due = targets != 0 ? cn_database_next_due (self->database, targets, NULL) : 0;
  if (next_due > now && next_due - now < POLL_INTERVAL_MS / 1000)
    schedule_pump (self, (guint) ((next_due - now) * 1000));
  else if (self->wake_id == 0)
    schedule_pump (self, POLL_INTERVAL_MS);

  g_signal_emit (self, signals[SIGNAL_IDLE], 0);
}

static void
on_network_changed (GNetworkMonitor *monitor,
                    gboolean         available,
                    gpointer         user_data)
{
  CnSyncWorker *self = user_data;
  gboolean was = self->network_available;

  self->network_available = g_network_monitor_get_network_available (monitor);
  if (self->network_available && !was && self->running)
    {
      /* Back: what waits only because the network was gone goes now. */
      cn_database_wake_waiting (self->database, NULL);
      schedule_pump (self, 0);
    }
}

/* GObject */

static void
cn_sync_worker_dispose (GObject *object)
{
  CnSyncWorker *self = CN_SYNC_WORKER (object);

  cn_sync_worker_stop (self);
  g_clear_handle_id (&self->flush_id, g_source_remove);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (cn_sync_worker_parent_class)->dispose (object);
}

static void
cn_sync_worker_finalize (GObject *object)
{
  CnSyncWorker *self = CN_SYNC_WORKER (object);

  g_clear_object (&self->database);
  g_clear_pointer (&self->config, cn_sync_config_free);
  g_clear_pointer (&self->ontraport_limiter, cn_rate_limiter_free);
  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_pointer (&self->runs, g_ptr_array_unref);
  g_clear_pointer (&self->results, g_array_unref);
  g_clear_pointer (&self->result_strings, g_string_chunk_free);
  for (guint i = 0; i < N_FAMILIES; i++)
    {
      g_free (self->pause_reason[i]);
      g_free (self->setup_problem[i]);
    }

  G_OBJECT_CLASS (cn_sync_worker_parent_class)->finalize (object);
}

static void
cn_sync_worker_class_init (CnSyncWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cn_sync_worker_dispose;
  object_class->finalize = cn_sync_worker_finalize;

  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 0);
  signals[SIGNAL_IDLE] = g_signal_new ("idle", G_TYPE_FROM_CLASS (klass),
                                       G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                       G_TYPE_NONE, 0);
}

static void
cn_sync_worker_init (CnSyncWorker *self)
{
  self->lock_fd = -1;
  g_queue_init (&self->ready);
  self->runs = g_ptr_array_new_with_free_func ((GDestroyNotify) run_free);
  self->results = g_array_new (FALSE, FALSE, sizeof (CnJobResult));
  self->result_strings = g_string_chunk_new (4096);
  self->ontraport_limiter = cn_rate_limiter_new (ONTRAPORT_LIMIT, ONTRAPORT_WINDOW_US);
  self->rand = g_rand_new ();
}

static void
configure_session (CnSyncWorker *self)
{
  guint concurrency = MAX (self->config->concurrency, 1);
  guint timeout = self->config->timeout_seconds > 0 ? self->config->timeout_seconds : 30;

  g_clear_object (&self->session);
  /* TLS errors fail the request (libsoup's default); nothing here ignores
   * them. */
  self->session = soup_session_new_with_options ("max-conns", concurrency * 2 + 2,
                                                 "max-conns-per-host", concurrency,
                                                 "timeout", timeout,
                                                 "idle-timeout", 60,
                                                 "user-agent", "Callnotes/" PACKAGE_VERSION,
                                                 NULL);
}

CnSyncWorker *
cn_sync_worker_new (CnDatabase         *database,
                    const CnSyncConfig *config,
                    GNetworkMonitor    *monitor)
{
  CnSyncWorker *self;

  g_return_val_if_fail (CN_IS_DATABASE (database), NULL);
  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (monitor == NULL || G_IS_NETWORK_MONITOR (monitor), NULL);

  self = g_object_new (CN_TYPE_SYNC_WORKER, NULL);
  self->database = g_object_ref (database);
  self->config = cn_sync_config_copy (config);
  if (config->ontraport_per_minute > 0)
    {
      cn_rate_limiter_free (self->ontraport_limiter);
      self->ontraport_limiter = cn_rate_limiter_new (config->ontraport_per_minute,
                                                     ONTRAPORT_WINDOW_US);
    }
  self->own_monitor = monitor == NULL;
  self->monitor = g_object_ref (monitor != NULL ? monitor : g_network_monitor_get_default ());
  self->network_available = g_network_monitor_get_network_available (self->monitor);
  g_signal_connect (self->monitor, "network-changed", G_CALLBACK (on_network_changed), self);
  configure_session (self);

  return self;
}

static int
take_lock (CnSyncWorker  *self,
           GError       **error)
{
  g_autofree char *path = g_strconcat (cn_database_get_path (self->database), ".sync-lock", NULL);
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not open the sync lock %s: %s"), path, g_strerror (saved));
      return -1;
    }

  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved = errno;

      close (fd);
      if (saved == EWOULDBLOCK)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                             _("Another Callnotes process is sending the sync queue."));
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                     _("Could not lock %s: %s"), path, g_strerror (saved));
      return -1;
    }

  return fd;
}

gboolean
cn_sync_worker_start (CnSyncWorker  *self,
                      GError       **error)
{
  gint reset;

  g_return_val_if_fail (CN_IS_SYNC_WORKER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->running)
    return TRUE;

  self->lock_fd = take_lock (self, error);
  if (self->lock_fd < 0)
    return FALSE;

  /* Ontraport's count goes on from the last worker's (this process's or
   * another's): a restart does not allow a new burst. */
  {
    g_autoptr(GError) local_error = NULL;
    g_autofree char *kept = cn_database_get_value (self->database, LIMITER_KEY, &local_error);

    if (local_error != NULL)
      g_message ("Could not read Ontraport's request count: %s", local_error->message);
    cn_rate_limiter_take_up (self->ontraport_limiter, kept, g_get_monotonic_time (),
                             g_get_real_time () - g_get_monotonic_time ());
  }

  reset = cn_database_reset_in_flight (self->database, error);
  if (reset < 0)
    {
      close (self->lock_fd);
      self->lock_fd = -1;
      return FALSE;
    }
  if (reset > 0)
    g_message ("%d sync jobs were in flight when the last worker stopped; sending them again",
               reset);

  self->running = TRUE;
  schedule_pump (self, 0);
  return TRUE;
}

void
cn_sync_worker_stop (CnSyncWorker *self)
{
  CnSyncJob *job;

  g_return_if_fail (CN_IS_SYNC_WORKER (self));

  if (!self->running)
    return;

  self->running = FALSE;
  g_clear_handle_id (&self->wake_id, g_source_remove);
  g_clear_handle_id (&self->limiter_id, g_source_remove);

  while ((job = g_queue_pop_head (&self->ready)) != NULL)
    {
      release_job (self, job);
      cn_sync_job_free (job);
    }

  /* Requests under way: their answers will not be read. A request that went
   * out may have acted, so the job is marked so. */
  while (self->runs->len > 0)
    {
      Run *run = g_ptr_array_steal_index_fast (self->runs, self->runs->len - 1);
      CnJobResult result = {
        .job_id = run->job->id,
        .kind = run->sent || run->message != NULL ? CN_JOB_RESULT_RETRY : CN_JOB_RESULT_RELEASE,
        .at = now_seconds (),
        .message = _("Sync stopped before the server answered."),
        .next_attempt_at = now_seconds (),
        .outcome_unknown = TRUE,
        .contact_id = run->resolved_contact,
        .payload = run->sent || run->message != NULL ? run->job->payload : NULL,
      };

      add_result (self, &result);
      if (run->message != NULL || run->stream != NULL)
        abandon_run (run);     /* its callback frees it */
      else
        run_free (run);
    }

  flush_results (self);

  if (self->lock_fd >= 0)
    {
      close (self->lock_fd);
      self->lock_fd = -1;
    }
}

gboolean
cn_sync_worker_is_running (CnSyncWorker *self)
{
  g_return_val_if_fail (CN_IS_SYNC_WORKER (self), FALSE);

  return self->running;
}

static gboolean
same_secret (const char *a,
             const char *b)
{
  return g_strcmp0 (a, b) == 0;
}

void
cn_sync_worker_set_config (CnSyncWorker       *self,
                           const CnSyncConfig *config)
{
  CnSyncConfig *old;
  gboolean backend_changed;
  gboolean ontraport_changed;

  g_return_if_fail (CN_IS_SYNC_WORKER (self));
  g_return_if_fail (config != NULL);

  old = self->config;
  backend_changed = !same_secret (old->backend_token, config->backend_token) ||
                    g_strcmp0 (old->backend_url, config->backend_url) != 0;
  ontraport_changed = !same_secret (old->ontraport_app_id, config->ontraport_app_id) ||
                      !same_secret (old->ontraport_api_key, config->ontraport_api_key) ||
                      g_strcmp0 (old->ontraport_base_url, config->ontraport_base_url) != 0;

  self->config = cn_sync_config_copy (config);
  if (old->concurrency != config->concurrency || old->timeout_seconds != config->timeout_seconds)
    configure_session (self);
  cn_sync_config_free (old);

  /* New credentials: what they stopped goes again. */
  if (backend_changed)
    {
      self->paused &= ~CN_SYNC_TARGET_BACKEND;
      g_clear_pointer (&self->pause_reason[FAMILY_BACKEND], g_free);
      cn_database_retry_target (self->database, CN_SYNC_TARGET_BACKEND, NULL);
    }
  if (ontraport_changed)
    {
      self->paused &= ~CN_SYNC_TARGETS_ONTRAPORT;
      g_clear_pointer (&self->pause_reason[FAMILY_ONTRAPORT], g_free);
      cn_database_retry_target (self->database, CN_SYNC_TARGETS_ONTRAPORT, NULL);
    }

  cn_sync_worker_kick (self);
}

const CnSyncConfig *
cn_sync_worker_get_config (CnSyncWorker *self)
{
  g_return_val_if_fail (CN_IS_SYNC_WORKER (self), NULL);

  return self->config;
}

void
cn_sync_worker_kick (CnSyncWorker *self)
{
  g_return_if_fail (CN_IS_SYNC_WORKER (self));

  if (self->running)
    schedule_pump (self, 0);
}

CnSyncTarget
cn_sync_worker_get_paused (CnSyncWorker *self)
{
  g_return_val_if_fail (CN_IS_SYNC_WORKER (self), 0);

  return self->paused;
}

const char *
cn_sync_worker_get_pause_reason (CnSyncWorker *self,
                                 CnSyncTarget  target)
{
  g_return_val_if_fail (CN_IS_SYNC_WORKER (self), NULL);

  if ((self->paused & target) != 0)
    return self->pause_reason[family_of (target)];

  /* Enabled, but something is missing (address, credentials). */
  return self->setup_problem[family_of (target)];
}

CnSyncTarget
cn_sync_worker_get_blocked (CnSyncWorker *self)
{
  CnSyncTarget blocked = 0;

  g_return_val_if_fail (CN_IS_SYNC_WORKER (self), 0);

  for (Family f = 0; f < N_FAMILIES; f++)
    if (!family_is_set_up (self, f, NULL) || (self->paused & targets_of (f)) != 0)
      blocked |= targets_of (f);

  return blocked;
}

gboolean
cn_sync_worker_is_idle (CnSyncWorker *self)
{
  g_return_val_if_fail (CN_IS_SYNC_WORKER (self), TRUE);

  return self->runs->len == 0 && self->ready.length == 0 && self->results->len == 0;
}

/* Writes Ontraport's request count down for the next worker (see
 * cn_sync_worker_start()); one small row per Ontraport request. */
static void
keep_limiter (CnSyncWorker *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = cn_rate_limiter_to_text (self->ontraport_limiter,
                                                   g_get_monotonic_time (),
                                                   g_get_real_time () - g_get_monotonic_time ());

  if (!cn_database_set_value (self->database, LIMITER_KEY, text, &error))
    g_message ("Could not keep Ontraport's request count: %s", error->message);
}
