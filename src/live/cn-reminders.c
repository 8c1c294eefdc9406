/* cn-reminders.c: follow-up reminders
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-reminders"

#include "config.h"

#include "cn-reminders.h"

/* Looks at least this often (seconds): follow-ups saved by other processes,
 * clock changes, a suspended machine waking up. */
#define POLL_SECONDS 60

struct _CnReminders
{
  GObject      parent_instance;

  CnDatabase  *database;
  CnClockFunc  clock;
  gpointer     clock_data;
  gint64       started_at;
  guint        timeout_id;
  gboolean     running;
};

G_DEFINE_FINAL_TYPE (CnReminders, cn_reminders, G_TYPE_OBJECT)

enum {
  SIGNAL_DUE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gint64
real_clock (gpointer user_data)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static gboolean
on_timeout (gpointer user_data)
{
  CnReminders *self = user_data;

  self->timeout_id = 0;
  cn_reminders_check (self);
  return G_SOURCE_REMOVE;
}

static void
cn_reminders_dispose (GObject *object)
{
  CnReminders *self = CN_REMINDERS (object);

  cn_reminders_stop (self);
  g_clear_object (&self->database);

  G_OBJECT_CLASS (cn_reminders_parent_class)->dispose (object);
}

static void
cn_reminders_class_init (CnRemindersClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cn_reminders_dispose;

  signals[SIGNAL_DUE] = g_signal_new ("due", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                      NULL, NULL, NULL, G_TYPE_NONE, 2,
                                      G_TYPE_POINTER, G_TYPE_BOOLEAN);
}

static void
cn_reminders_init (CnReminders *self)
{
  self->clock = real_clock;
}

CnReminders *
cn_reminders_new (CnDatabase *database)
{
  CnReminders *self;

  g_return_val_if_fail (CN_IS_DATABASE (database), NULL);

  self = g_object_new (CN_TYPE_REMINDERS, NULL);
  self->database = g_object_ref (database);

  return self;
}

void
cn_reminders_set_clock (CnReminders *self,
                        CnClockFunc  clock,
                        gpointer     user_data)
{
  g_return_if_fail (CN_IS_REMINDERS (self));

  self->clock = clock != NULL ? clock : real_clock;
  self->clock_data = user_data;
}

void
cn_reminders_start (CnReminders *self)
{
  g_return_if_fail (CN_IS_REMINDERS (self));

  if (self->running)
    return;

  self->running = TRUE;
  self->started_at = self->clock (self->clock_data);
  cn_reminders_check (self);
}

void
cn_reminders_stop (CnReminders *self)
{
  g_return_if_fail (CN_IS_REMINDERS (self));

  self->running = FALSE;
  g_clear_handle_id (&self->timeout_id, g_source_remove);
}

void
cn_reminders_check (CnReminders *self)
{
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now;
  gint64 next;
  gint64 wait;

  g_return_if_fail (CN_IS_REMINDERS (self));

  if (!self->running)
    return;

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_object_ref (self);

  now = self->clock (self->clock_data);
  due = cn_database_list_due_reminders (self->database, now, &error);
  if (due == NULL)
    g_message ("Could not read follow-ups: %s", error->message);

  for (guint i = 0; due != NULL && i < due->len && self->running; i++)
    {
      CnFollowUp *follow_up = g_ptr_array_index (due, i);
      g_autoptr(GError) mark_error = NULL;

      /* Marked first: a reminder shows once, also if showing it fails. */
      if (!cn_database_mark_reminded (self->database, cn_call_log_get_uuid (follow_up->log), now,
                                      &mark_error))
        {
          g_message ("Could not mark a follow-up reminded: %s", mark_error->message);
          continue;
        }

      g_signal_emit (self, signals[SIGNAL_DUE], 0, follow_up, follow_up->due_at < self->started_at);
    }

  if (self->running)
    {
      next = cn_database_next_reminder_at (self->database, NULL);
      wait = next > now ? MIN (next - now, POLL_SECONDS) : POLL_SECONDS;
      self->timeout_id = g_timeout_add_seconds ((guint) MAX (wait, 1), on_timeout, self);
    }

  g_object_unref (self);
}
