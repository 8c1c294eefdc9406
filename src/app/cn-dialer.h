/* cn-dialer.h: handing a number to the softphone
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cn-dialer-setting.h"
#include "cn-sync-config.h"
#include "cn-tel-uri.h"

G_BEGIN_DECLS

#define CN_DIALER_ERROR (cn_dialer_error_quark ())

typedef enum {
  CN_DIALER_ERROR_NO_DIALER,   /* nothing is set up that can dial */
  CN_DIALER_ERROR_DISABLED,    /* the setting is "none" */
  CN_DIALER_ERROR_SETTING,     /* the setting cannot be understood */
  CN_DIALER_ERROR_LAUNCH,      /* the softphone could not be started */
  CN_DIALER_ERROR_BACKEND,     /* the team backend did not take the call */
} CnDialerError;

GQuark cn_dialer_error_quark (void);

/* The application "auto" would use: the first application other than
 * Callnotes registered for x-scheme-handler/tel, else for
 * x-scheme-handler/sip. NULL when there is none. */
GAppInfo *cn_dialer_find_auto     (void);

/* Hands @uri to the softphone per @setting. Returns a short description of
 * what dialed (e.g. the application's name), or NULL with @error set. Never
 * hands the number back to Callnotes itself. The "backend" setting needs the
 * network: it fails here (CN_DIALER_ERROR_SETTING); use
 * cn_dialer_dial_async(). */
char     *cn_dialer_dial          (const char         *setting,
                                   const CnTelUri     *uri,
                                   GAppLaunchContext  *context,
                                   GError            **error);

/* Every setting, "backend" included: there the team backend places the call
 * (cn_outbound_calls_initiate_async() with @uri's number and contact id and
 * @client_id, the call log's UUID, may be NULL), through @config's address
 * and token (@config NULL: read from GSettings and the keyring in a thread,
 * as the sync worker does). A backend that is not set up is
 * CN_DIALER_ERROR_NO_DIALER; its other errors are CN_DIALER_ERROR_BACKEND
 * with its sentence. The other settings dial at once, as cn_dialer_dial()
 * does, and finish at the next main loop iteration. @config is copied. */
void      cn_dialer_dial_async    (const char          *setting,
                                   const CnTelUri      *uri,
                                   const char          *client_id,
                                   const CnSyncConfig  *config,
                                   GAppLaunchContext   *context,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
/* What dialed ("Team backend" for the backend), or NULL with @error set. */
char     *cn_dialer_dial_finish   (GAsyncResult        *result,
                                   GError             **error);

G_END_DECLS
