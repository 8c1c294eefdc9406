/* cn-outcome.h: the four outcomes of a call
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  CN_OUTCOME_NONE = 0,   /* not chosen yet; never stored in a saved log */
  CN_OUTCOME_CONNECTED,
  CN_OUTCOME_VOICEMAIL,
  CN_OUTCOME_NO_ANSWER,
  CN_OUTCOME_BUSY,
} CnOutcome;

#define CN_OUTCOME_FIRST CN_OUTCOME_CONNECTED
#define CN_OUTCOME_LAST  CN_OUTCOME_BUSY

/* "connected", "voicemail", "no_answer", "busy"; NULL for NONE. */
const char *cn_outcome_to_string     (CnOutcome   outcome);
/* Accepts the wire names, case-insensitively, and "no-answer"/"noanswer". */
gboolean    cn_outcome_from_string   (const char *text,
                                      CnOutcome  *outcome);
/* Translated label: "Connected", "Voicemail", "No Answer", "Busy". */
const char *cn_outcome_get_label     (CnOutcome   outcome);
/* Icon in the app's resource icon theme, e.g. "cn-outcome-connected-symbolic". */
const char *cn_outcome_get_icon_name (CnOutcome   outcome);
/* CSS class for the outcome colour: "outcome-connected", ... */
const char *cn_outcome_get_css_class (CnOutcome   outcome);
/* "connected, voicemail, no_answer, busy" — for error messages. */
const char *cn_outcome_list_names    (void);

G_END_DECLS
