/* cn-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cn-database.h"
#include "cn-window.h"

G_BEGIN_DECLS

#define CN_TYPE_APPLICATION (cn_application_get_type ())
G_DECLARE_FINAL_TYPE (CnApplication, cn_application, CN, APPLICATION, AdwApplication)

/* The one running instance: a second `callnotes tel:…` hands its link to it
 * over D-Bus and exits. */
CnApplication *cn_application_new             (void);

/* Handles a tel:/callto: link as a click on one would: hands the number to
 * the softphone, keeps a draft, and shows the logger after dial-delay-ms. A
 * malformed link shows a message and logs nothing. */
void           cn_application_handle_link     (CnApplication *self,
                                               const char    *link,
                                               gssize         length);

CnDatabase    *cn_application_get_database    (CnApplication *self);
/* The history window, created when missing. */
CnWindow      *cn_application_get_main_window (CnApplication *self);

G_END_DECLS
