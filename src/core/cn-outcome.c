/* cn-outcome.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-outcome"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cn-outcome.h"

typedef struct {
  const char *name;
  const char *label;
  const char *icon_name;
  const char *css_class;
} OutcomeInfo;

static const OutcomeInfo outcomes[] = {
  [CN_OUTCOME_NONE] = { NULL, NULL, NULL, NULL },
  [CN_OUTCOME_CONNECTED] = { "connected", N_("Connected"),
                             "cn-outcome-connected-symbolic", "outcome-connected" },
  [CN_OUTCOME_VOICEMAIL] = { "voicemail", N_("Voicemail"),
                             "cn-outcome-voicemail-symbolic", "outcome-voicemail" },
  [CN_OUTCOME_NO_ANSWER] = { "no_answer", N_("No Answer"),
                             "cn-outcome-no_answer-symbolic", "outcome-no-answer" },
  [CN_OUTCOME_BUSY] = { "busy", N_("Busy"),
                        "cn-outcome-busy-symbolic", "outcome-busy" },
};

static gboolean
is_valid (CnOutcome outcome)
{
  return outcome >= CN_OUTCOME_FIRST && outcome <= CN_OUTCOME_LAST;
}

const char *
cn_outcome_to_string (CnOutcome outcome)
{
  return is_valid (outcome) ? outcomes[outcome].name : NULL;
}

gboolean
cn_outcome_from_string (const char *text,
                        CnOutcome  *outcome)
{
  g_autofree char *folded = NULL;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return FALSE;

  folded = g_ascii_strdown (text, -1);
  g_strdelimit (folded, "- ", '_');

  if (g_str_equal (folded, "noanswer"))
    {
      g_free (folded);
      folded = g_strdup ("no_answer");
    }

  for (CnOutcome o = CN_OUTCOME_FIRST; o <= CN_OUTCOME_LAST; o++)
    {
      if (g_str_equal (folded, outcomes[o].name))
        {
          if (outcome != NULL)
            *outcome = o;
          return TRUE;
        }
    }

  return FALSE;
}

const char *
cn_outcome_get_label (CnOutcome outcome)
{
  return is_valid (outcome) ? g_dgettext (GETTEXT_PACKAGE, outcomes[outcome].label) : NULL;
}

const char *
cn_outcome_get_icon_name (CnOutcome outcome)
{
  return is_valid (outcome) ? outcomes[outcome].icon_name : NULL;
}

const char *
cn_outcome_get_css_class (CnOutcome outcome)
{
  return is_valid (outcome) ? outcomes[outcome].css_class : NULL;
}

const char *
cn_outcome_list_names (void)
{
  return "connected, voicemail, no_answer, busy";
}
