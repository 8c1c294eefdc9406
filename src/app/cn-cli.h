/* cn-cli.h: the headless command-line verbs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit codes of the verbs. */
#define CN_EXIT_OK       0
#define CN_EXIT_RUNTIME  1
#define CN_EXIT_USAGE    2

/* TRUE when @argv asks for a verb, --help or --version (or is a usage error
 * the command line reports), FALSE when it is for the graphical app: no
 * arguments, a link, or GApplication's own --gapplication-service. */
gboolean cn_cli_wants (int    argc,
                       char **argv);

/* Runs the verb and returns the process exit status. Never touches GTK. */
int      cn_cli_run   (int    argc,
                       char **argv);

/* `callnotes secret set NAME` / `secret clear NAME` (cn-cli-secret.c): @argv[0]
 * is "secret". The value is read from standard input, never from @argv. */
int      cn_cli_secret (int    argc,
                        char **argv);

G_END_DECLS
