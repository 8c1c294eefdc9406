/* cn-sync-format.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-sync-format"

#include "config.h"

#include <glib/gi18n.h>

#include "cn-format.h"
#include "cn-sync-format.h"

const char *
cn_sync_format_target (CnSyncTarget target)
{
  switch (target)
    {
    case CN_SYNC_TARGET_BACKEND:
      return _("Team backend");
    case CN_SYNC_TARGET_ONTRAPORT_NOTE:
      return _("Ontraport note");
    case CN_SYNC_TARGET_ONTRAPORT_TASK:
      return _("Ontraport task");
    default:
      return _("Unknown target");
    }
}

char *
cn_sync_format_retry_time (gint64 next_attempt_at,
                           gint64 now)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) utc_now = NULL;
  g_autoptr(GDateTime) local_now = NULL;

  if (next_attempt_at <= 0 || next_attempt_at >= CN_MAX_UNIX_SECONDS)
    return g_strdup (_("now"));

  utc = g_date_time_new_from_unix_utc (next_attempt_at);
  utc_now = g_date_time_new_from_unix_utc (now);
  if (utc == NULL || utc_now == NULL)
    return g_strdup (_("now"));

  local = g_date_time_to_local (utc);
  local_now = g_date_time_to_local (utc_now);

  if (g_date_time_get_year (local) == g_date_time_get_year (local_now) &&
      g_date_time_get_day_of_year (local) == g_date_time_get_day_of_year (local_now))
    /* Translators: a time later today, see g_date_time_format(); e.g. "14:32" */
    return g_date_time_format (local, _("%H:%M"));

  /* Translators: a date and time, see g_date_time_format(); e.g. "23 Nov 14:32" */
  return g_date_time_format (local, _("%-d %b %H:%M"));
}

const char *
cn_sync_format_state_icon (gint state)
{
  switch (state)
    {
    case CN_JOB_DONE:
    case CN_JOB_CANCELED:
      return "emblem-ok-symbolic";
    case CN_JOB_PENDING:
      return "content-loading-symbolic";
    case CN_JOB_IN_FLIGHT:
      return "emblem-synchronizing-symbolic";
    case CN_JOB_WAITING:
      return "preferences-system-time-symbolic";
    case CN_JOB_NEEDS_CONTACT:
      return "avatar-default-symbolic";
    case CN_JOB_NEEDS_ATTENTION:
      return "dialog-warning-symbolic";
    default:
      return NULL;
    }
}

const char *
cn_sync_format_state_class (gint state)
{
  switch (state)
    {
    case CN_JOB_NEEDS_CONTACT:
    case CN_JOB_NEEDS_ATTENTION:
      return "warning";
    case CN_JOB_DONE:
    case CN_JOB_CANCELED:
    case CN_JOB_PENDING:
    case CN_JOB_IN_FLIGHT:
    case CN_JOB_WAITING:
      return "dim-label";
    default:
      return NULL;
    }
}

char *
cn_sync_format_state (gint        state,
                      gint64      next_attempt_at,
                      const char *error,
                      gint64      now)
{
  switch (state)
    {
    case CN_JOB_DONE:
    case CN_JOB_CANCELED:
      return g_strdup (_("Synced"));

    case CN_JOB_PENDING:
      return g_strdup (_("Waiting to be sent"));

    case CN_JOB_IN_FLIGHT:
      return g_strdup (_("Sending…"));

    case CN_JOB_WAITING:
      {
        g_autofree char *when = cn_sync_format_retry_time (next_attempt_at, now);

        /* Translators: %s is a time such as "14:32" or "23 Nov 14:32" */
        return g_strdup_printf (_("Not sent yet — retry at %s"), when);
      }

    case CN_JOB_NEEDS_CONTACT:
      if (error != NULL && *error != '\0')
        /* Translators: %s is why, e.g. "No contact has this number" */
        return g_strdup_printf (_("Needs a contact: %s"), error);
      return g_strdup (_("Needs a contact: no single Ontraport contact has this number"));

    case CN_JOB_NEEDS_ATTENTION:
      if (error != NULL && *error != '\0')
        /* Translators: %s is the server's message, in plain words */
        return g_strdup_printf (_("Not synced: %s"), error);
      return g_strdup (_("Not synced: needs attention"));

    default:
      return g_strdup (_("Not synced"));
    }
}
