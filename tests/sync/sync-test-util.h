/* sync-test-util.h: what the sync tests share
 *
 * A test network monitor whose availability the test sets, a worker
 * configuration for the fakes, and a capture of everything the process
 * logs (to check that no secret is logged).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <string.h>

#include <gio/gio.h>

#include "cn-database.h"
#include "cn-outbox.h"
#include "cn-sync-worker.h"
#include "fake-servers.h"
#include "../store/store-test-util.h"

/* ---- what the process logged ---- */

static GString *sync_test_log_text;
static GMutex   sync_test_log_lock;

static inline GLogWriterOutput
sync_test_log_writer (GLogLevelFlags   level,
                      const GLogField *fields,
                      gsize            n_fields,
                      gpointer         user_data)
{
  g_mutex_lock (&sync_test_log_lock);
  for (gsize i = 0; i < n_fields; i++)
    {
      if (fields[i].value == NULL)
        continue;
      g_string_append_printf (sync_test_log_text, "%s=", fields[i].key);
      if (fields[i].length < 0)
        g_string_append (sync_test_log_text, fields[i].value);
      else
        g_string_append_len (sync_test_log_text, fields[i].value, fields[i].length);
      g_string_append_c (sync_test_log_text, '\n');
    }
  g_mutex_unlock (&sync_test_log_lock);

  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    return g_log_writer_default (level, fields, n_fields, user_data);

  return G_LOG_WRITER_HANDLED;
}

/* From now on, every field of every message the process logs, debug ones
 * too, is kept for sync_test_log_contains(); warnings and worse are
 * still printed. */
static inline void
sync_test_capture_logs (void)
{
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  sync_test_log_text = g_string_new (NULL);
  g_log_set_writer_func (sync_test_log_writer, NULL, NULL);
}

/* How much has been logged so far: a test's own part starts there. */
static inline gsize
sync_test_log_length (void)
{
  gsize length;

  g_mutex_lock (&sync_test_log_lock);
  length = sync_test_log_text->len;
  g_mutex_unlock (&sync_test_log_lock);
  return length;
}

/* Whether @needle was logged after the first @from bytes. */
static inline gboolean
sync_test_log_contains (gsize       from,
                        const char *needle)
{
  gboolean found;

  g_mutex_lock (&sync_test_log_lock);
  found = strstr (sync_test_log_text->str + MIN (from, sync_test_log_text->len), needle) != NULL;
  g_mutex_unlock (&sync_test_log_lock);
  return found;
}

/* ---- a GNetworkMonitor the test switches ---- */

#define TEST_TYPE_MONITOR (test_monitor_get_type ())
G_DECLARE_FINAL_TYPE (TestMonitor, test_monitor, TEST, MONITOR, GObject)

struct _TestMonitor
{
  GObject  parent_instance;
  gboolean available;
};

enum {
  MONITOR_PROP_0,
  MONITOR_PROP_AVAILABLE,
  MONITOR_PROP_METERED,
  MONITOR_PROP_CONNECTIVITY,
};

static void test_monitor_iface_init  (GNetworkMonitorInterface *iface);
static void test_monitor_initable_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestMonitor, test_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, test_monitor_initable_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR,
                                                      test_monitor_iface_init))

static void
test_monitor_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  TestMonitor *self = TEST_MONITOR (object);

  switch (prop_id)
    {
    case MONITOR_PROP_AVAILABLE:
      g_value_set_boolean (value, self->available);
      break;
    case MONITOR_PROP_METERED:
      g_value_set_boolean (value, FALSE);
      break;
    case MONITOR_PROP_CONNECTIVITY:
      g_value_set_enum (value, self->available ? G_NETWORK_CONNECTIVITY_FULL
                                               : G_NETWORK_CONNECTIVITY_LOCAL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_monitor_class_init (TestMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_monitor_get_property;
  g_object_class_override_property (object_class, MONITOR_PROP_AVAILABLE, "network-available");
  g_object_class_override_property (object_class, MONITOR_PROP_METERED, "network-metered");
  g_object_class_override_property (object_class, MONITOR_PROP_CONNECTIVITY, "connectivity");
}

static void
test_monitor_init (TestMonitor *self)
{
  self->available = TRUE;
}

static gboolean
test_monitor_can_reach (GNetworkMonitor     *monitor,
                        GSocketConnectable  *connectable,
                        GCancellable        *cancellable,
                        GError             **error)
{
  if (TEST_MONITOR (monitor)->available)
    return TRUE;

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE, "test: network down");
  return FALSE;
}

static void
test_monitor_iface_init (GNetworkMonitorInterface *iface)
{
  iface->can_reach = test_monitor_can_reach;
}

static gboolean
test_monitor_initable_init_func (GInitable     *initable,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  return TRUE;
}

static void
test_monitor_initable_init (GInitableIface *iface)
{
  iface->init = test_monitor_initable_init_func;
}

static inline void
test_monitor_set_available (TestMonitor *self,
                            gboolean     available)
{
  if (self->available == available)
    return;

  self->available = available;
  g_object_notify (G_OBJECT (self), "network-available");
  g_signal_emit_by_name (self, "network-changed", available);
}

/* ---- waiting ---- */

typedef gboolean (*SyncTestCondition) (gpointer data);

/* Runs the main loop until @condition holds or @timeout_ms passes. */
static inline gboolean
sync_test_wait_for (SyncTestCondition condition,
                    gpointer          data,
                    guint             timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }

  return TRUE;
}

static inline void
sync_test_spin (guint ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* Jobs not done and not canceled. */
static inline guint
sync_test_count_open (CnDatabase *db)
{
  guint counts[CN_JOB_N_STATES];

  g_assert_true (cn_database_count_jobs (db, counts, NULL));
  return counts[CN_JOB_PENDING] + counts[CN_JOB_IN_FLIGHT] + counts[CN_JOB_WAITING] +
         counts[CN_JOB_NEEDS_CONTACT] + counts[CN_JOB_NEEDS_ATTENTION];
}

static inline guint
sync_test_count_state (CnDatabase *db,
                       CnJobState  state)
{
  guint counts[CN_JOB_N_STATES];

  g_assert_true (cn_database_count_jobs (db, counts, NULL));
  return counts[state];
}

/* A worker configuration for @backend and @ontraport with these
 * credentials: both targets on, a 1 s timeout and quick backoff (20 ms,
 * at most 300 ms). */
static inline CnSyncConfig *
sync_test_config_new (FakeServer *backend,
                      FakeServer *ontraport,
                      const char *token,
                      const char *app_id,
                      const char *api_key)
{
  CnSyncConfig *config = cn_sync_config_new ();

  g_free (config->backend_url);
  config->backend_url = g_strdup (fake_server_get_base_url (backend));
  g_free (config->ontraport_base_url);
  config->ontraport_base_url = g_strdup (fake_server_get_base_url (ontraport));
  config->backend_token = g_strdup (token);
  config->ontraport_app_id = g_strdup (app_id);
  config->ontraport_api_key = g_strdup (api_key);
  config->backend_enabled = TRUE;
  config->ontraport_enabled = TRUE;
  config->timeout_seconds = 1;
  config->backoff_base_ms = 20;
  config->backoff_cap_ms = 300;

  return config;
}
