/* cn-dialer.h: handing a number to the softphone
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cn-dialer-setting.h"
#include "cn-tel-uri.h"

G_BEGIN_DECLS

#define CN_DIALER_ERROR (cn_dialer_error_quark ())

typedef enum {
  CN_DIALER_ERROR_NO_DIALER,   /* nothing is set up that can dial */
  CN_DIALER_ERROR_DISABLED,    /* the setting is "none" */
  CN_DIALER_ERROR_SETTING,     /* the setting cannot be understood */
  CN_DIALER_ERROR_LAUNCH,      /* the softphone could not be started */
} CnDialerError;

GQuark cn_dialer_error_quark (void);

/* The application "auto" would use: the first application other than
 * Callnotes registered for x-scheme-handler/tel, else for
 * x-scheme-handler/sip. NULL when there is none. */
GAppInfo *cn_dialer_find_auto     (void);

/* Hands @uri to the softphone per @setting. Returns a short description of
 * what dialed (e.g. the application's name), or NULL with @error set. Never
 * hands the number back to Callnotes itself. */
char     *cn_dialer_dial          (const char         *setting,
                                   const CnTelUri     *uri,
                                   GAppLaunchContext  *context,
                                   GError            **error);

G_END_DECLS
