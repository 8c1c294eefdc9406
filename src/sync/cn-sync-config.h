/* cn-sync-config.h: what the sync worker needs to know, read once from
 * GSettings and libsecret (or set by tests)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cn-outbox.h"

G_BEGIN_DECLS

typedef enum {
  CN_TASK_MODE_OBJECT,   /* POST {base}/objects with objectID = task_object_id */
  CN_TASK_MODE_ASSIGN,   /* POST {base}/task/assign with a template and an owner */
} CnTaskMode;

typedef struct {
  char        *backend_url;           /* no trailing slash; NULL/"" not set up */
  char        *workspace_id;
  gboolean     backend_enabled;
  gboolean     ontraport_enabled;
  char        *ontraport_base_url;
  CnTaskMode   task_mode;
  guint        task_object_id;        /* default 50 */
  guint        task_template_id;
  guint        task_owner_id;
  guint        concurrency;           /* requests at once, default 4 */
  /* Secrets: in memory only. */
  char        *backend_token;
  char        *ontraport_app_id;
  char        *ontraport_api_key;
  /* Seconds a request may take before it counts as timed out (default 30). */
  guint        timeout_seconds;
  /* Tests and benchmarks only; 0 = the defaults (CN_BACKOFF_BASE_MS and
   * CN_BACKOFF_CAP_MS, 170 Ontraport requests a minute). */
  guint        backoff_base_ms;
  guint        backoff_cap_ms;
  guint        ontraport_per_minute;
} CnSyncConfig;

CnSyncConfig *cn_sync_config_new       (void);   /* the defaults */
CnSyncConfig *cn_sync_config_copy      (const CnSyncConfig *config);
void          cn_sync_config_free      (CnSyncConfig *config);   /* wipes the secrets */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnSyncConfig, cn_sync_config_free)

/* Reads the keys from @settings (may be NULL: defaults) and the secrets from
 * libsecret (blocking; a missing secret stays NULL). */
CnSyncConfig *cn_sync_config_load      (GSettings     *settings,
                                        GCancellable  *cancellable,
                                        GError       **error);

/* The targets new saves should queue jobs for. */
CnSyncTarget  cn_sync_config_get_targets (const CnSyncConfig *config);

/* Checks a base URL: http or https with a host; plain http only for loopback
 * hosts (localhost, 127.0.0.0/8, ::1). FALSE with a message saying why. */
gboolean      cn_sync_check_base_url   (const char  *url,
                                        GError     **error);

G_END_DECLS
