/* cn-settings.h: GSettings access that also works where the schema is missing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cn-outbox.h"

G_BEGIN_DECLS

/* The app's settings, or NULL when the schema is not
 * installed, so headless verbs still run with the defaults. */
GSettings *cn_settings_new_or_null             (void);

/* The "default-country-code" key when valid, else NULL. */
char      *cn_settings_dup_default_country_code (GSettings *settings);

/* The targets a new save queues jobs for: backend-enabled and
 * ontraport-enabled (@settings NULL: the app's settings, or the defaults). */
CnSyncTarget cn_settings_get_sync_targets (GSettings *settings);

G_END_DECLS
