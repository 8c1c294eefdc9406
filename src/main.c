/* main.c: the callnotes binary
 *
 * Command-line verbs (log, list, show, ...) run without a display and never
 * initialise GTK; everything else (no arguments, tel:/callto: links, the
 * GApplication service flag) starts or talks to the one running app.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "callnotes"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "cn-application.h"
#include "cn-cli.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CnApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (cn_cli_wants (argc, argv))
    return cn_cli_run (argc, argv);

  app = cn_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
