/* cn-live-pill.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-live-pill"

#include "config.h"

#include <glib/gi18n.h>

#include "cn-live-pill.h"

/* A call whose end never came is dropped after this long without news. */
#define DEFAULT_STALE_SECONDS (2 * 60 * 60)

/* Calls kept at most (a runaway stream cannot grow the table). */
#define MAX_CALLS 32

typedef struct {
  char    *call_sid;
  char    *party;        /* contact name or number */
  gboolean answered;
  gboolean inbound;
  gint64   started_us;   /* real time the timer counts from */
  gint64   heard_at;     /* Unix seconds of the last event about it */
  guint64  order;        /* bigger: heard of later */
} LiveCall;

struct _CnLivePill
{
  GtkWidget   parent_instance;

  /* template */
  GtkWidget  *box;
  GtkImage   *icon;
  GtkLabel   *party_label;
  GtkLabel   *timer_label;
  GtkLabel   *more_label;

  GHashTable *calls;        /* call_sid → LiveCall */
  LiveCall   *shown;        /* in @calls, NULL none */
  guint64     next_order;
  guint       stale_seconds;
  guint       tick_id;
  const char *state_class;
};

G_DEFINE_FINAL_TYPE (CnLivePill, cn_live_pill, GTK_TYPE_WIDGET)

static void
live_call_free (LiveCall *call)
{
  g_free (call->call_sid);
  g_free (call->party);
  g_free (call);
}

/* Statuses after which a call is over (the backend's words vary). */
static gboolean
is_final_status (const char *status)
{
  static const char * const final[] = {
    "hangup", "hung-up", "hung_up", "ended", "completed", "complete", "failed", "canceled",
    "cancelled", "cancel", "busy", "noanswer", "no-answer", "no_answer", "voicemail", "missed",
    "rejected", "declined", "answer-machine", NULL
  };
  g_autofree char *lower = NULL;

  if (status == NULL)
    return FALSE;

  lower = g_ascii_strdown (status, -1);
  return g_strv_contains (final, lower);
}

static gboolean
is_answered (const CnStreamCall *call)
{
  static const char * const answered[] = {
    "picked", "answer", "answered", "connected", "in-progress", "in_progress", NULL
  };
  g_autofree char *lower = call->status != NULL ? g_ascii_strdown (call->status, -1) : NULL;

  if (lower != NULL && g_strv_contains (answered, lower))
    return TRUE;

  return call->sequence != NULL && g_strv_contains ((const char * const *) call->sequence,
                                                    "answered");
}

static const char *
party_of (const CnStreamCall *call)
{
  if (call->contact_name != NULL && *call->contact_name != '\0')
    return call->contact_name;
  if (call->phone != NULL && *call->phone != '\0')
    return call->phone;
  return _("Unknown number");
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* "02:15", "1:02:15". */
static char *
format_timer (gint64 seconds)
{
  if (seconds < 0)
    seconds = 0;

  if (seconds >= 3600)
    return g_strdup_printf ("%d:%02d:%02d", (int) MIN (seconds / 3600, 99),
                            (int) (seconds / 60 % 60), (int) (seconds % 60));

  return g_strdup_printf ("%02d:%02d", (int) (seconds / 60), (int) (seconds % 60));
}

static void
set_state_class (CnLivePill *self,
                 const char *css_class)
{
  if (g_strcmp0 (self->state_class, css_class) == 0)
    return;

  if (self->state_class != NULL)
    gtk_widget_remove_css_class (self->box, self->state_class);
  self->state_class = css_class;
  if (css_class != NULL)
    gtk_widget_add_css_class (self->box, css_class);
}

/* ---- showing ---------------------------------------------------------------- */

static void schedule_tick (CnLivePill *self);

static void
update_timer (CnLivePill *self)
{
  g_autofree char *text = NULL;

  if (self->shown == NULL)
    return;

  text = format_timer ((g_get_real_time () - self->shown->started_us) / G_USEC_PER_SEC);
  if (g_strcmp0 (gtk_label_get_text (self->timer_label), text) != 0)
    gtk_label_set_text (self->timer_label, text);
}

/* Drops the calls not heard of for too long. */
static void
drop_stale (CnLivePill *self)
{
  gint64 limit = now_seconds () - (gint64) self->stale_seconds;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->calls);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      LiveCall *call = value;

      if (call->heard_at <= limit)
        {
          g_debug ("Call %s was not heard of for a while: no longer shown", call->call_sid);
          if (call == self->shown)
            self->shown = NULL;
          g_hash_table_iter_remove (&iter);
        }
    }
}

static LiveCall *
find_latest (CnLivePill *self)
{
  LiveCall *latest = NULL;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->calls);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      LiveCall *call = value;

      if (latest == NULL || call->order > latest->order)
        latest = call;
    }

  return latest;
}

/* Shows the call heard of last, or hides the pill. */
static void
update (CnLivePill *self)
{
  guint n_calls;
  g_autofree char *description = NULL;
  LiveCall *call;

  drop_stale (self);
  self->shown = call = find_latest (self);
  n_calls = g_hash_table_size (self->calls);

  if (call == NULL)
    {
      g_clear_handle_id (&self->tick_id, g_source_remove);
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      return;
    }

  gtk_label_set_text (self->party_label, call->party);
  update_timer (self);

  if (n_calls > 1)
    {
      /* Translators: beside the call shown in the header bar: more calls in progress */
      g_autofree char *more = g_strdup_printf (_("+%u"), n_calls - 1);

      gtk_label_set_text (self->more_label, more);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->more_label), n_calls > 1);

  if (call->answered)
    /* Translators: %s is a contact name or phone number */
    description = g_strdup_printf (_("In call with %s"), call->party);
  else if (call->inbound)
    /* Translators: %s is a contact name or phone number */
    description = g_strdup_printf (_("Incoming call from %s"), call->party);
  else
    /* Translators: %s is a contact name or phone number */
    description = g_strdup_printf (_("Calling %s…"), call->party);

  if (n_calls > 1)
    {
      g_autofree char *with_more = NULL;

      with_more = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                /* Translators: "In call with Jane Doe (and 1 more call)" */
                                                "%s (and %u more call)",
                                                "%s (and %u more calls)", n_calls - 1),
                                   description, n_calls - 1);
      g_free (description);
      description = g_steal_pointer (&with_more);
    }

  gtk_widget_set_tooltip_text (GTK_WIDGET (self), description);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  description, -1);
  set_state_class (self, call->answered ? "cn-live-answered" : "cn-live-ringing");
  gtk_widget_set_visible (GTK_WIDGET (self), TRUE);

  schedule_tick (self);
}

static gboolean
on_tick (gpointer user_data)
{
  CnLivePill *self = user_data;

  self->tick_id = 0;
  update (self);

  return G_SOURCE_REMOVE;
}

/* The next tick comes just after the shown timer's next whole second. */
static void
schedule_tick (CnLivePill *self)
{
  gint64 elapsed_us;
  guint delay_ms;

  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->shown == NULL)
    return;

  elapsed_us = g_get_real_time () - self->shown->started_us;
  if (elapsed_us < 0)
    delay_ms = 1000;
  else
    delay_ms = (guint) ((G_USEC_PER_SEC - elapsed_us % G_USEC_PER_SEC) / 1000) + 5;

  self->tick_id = g_timeout_add (delay_ms, on_tick, self);
}

/* ---- GObject ------------------------------------------------------------------ */

static void
cn_live_pill_dispose (GObject *object)
{
  CnLivePill *self = CN_LIVE_PILL (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  self->shown = NULL;
  g_clear_pointer (&self->calls, g_hash_table_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), CN_TYPE_LIVE_PILL);

  G_OBJECT_CLASS (cn_live_pill_parent_class)->dispose (object);
}

static void
cn_live_pill_class_init (CnLivePillClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cn_live_pill_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/cn-live-pill.ui");
  gtk_widget_class_bind_template_child (widget_class, CnLivePill, box);
  gtk_widget_class_bind_template_child (widget_class, CnLivePill, icon);
  gtk_widget_class_bind_template_child (widget_class, CnLivePill, party_label);
  gtk_widget_class_bind_template_child (widget_class, CnLivePill, timer_label);
  gtk_widget_class_bind_template_child (widget_class, CnLivePill, more_label);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cn-live-pill");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_STATUS);
}

static void
cn_live_pill_init (CnLivePill *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->calls = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify) live_call_free);
  self->stale_seconds = DEFAULT_STALE_SECONDS;
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

GtkWidget *
cn_live_pill_new (void)
{
  return g_object_new (CN_TYPE_LIVE_PILL, NULL);
}

/* ---- public -------------------------------------------------------------------- */

void
cn_live_pill_update (CnLivePill         *self,
                     const CnStreamCall *call)
{
  LiveCall *live;
  gint64 now_us = g_get_real_time ();

  g_return_if_fail (CN_IS_LIVE_PILL (self));
  g_return_if_fail (call != NULL);

  if (call->call_sid == NULL || *call->call_sid == '\0')
    return;

  if (call->completed || is_final_status (call->status))
    {
      cn_live_pill_end (self, call->call_sid);
      return;
    }

  live = g_hash_table_lookup (self->calls, call->call_sid);
  if (live == NULL)
    {
      /* Full (a stream that never ends its calls): the oldest makes room. */
      if (g_hash_table_size (self->calls) >= MAX_CALLS)
        {
          LiveCall *oldest = NULL;
          GHashTableIter iter;
          gpointer value;

          g_hash_table_iter_init (&iter, self->calls);
          while (g_hash_table_iter_next (&iter, NULL, &value))
            if (oldest == NULL || ((LiveCall *) value)->order < oldest->order)
              oldest = value;
          if (oldest == self->shown)
            self->shown = NULL;
          g_hash_table_remove (self->calls, oldest->call_sid);
        }

      live = g_new0 (LiveCall, 1);
      live->call_sid = g_strdup (call->call_sid);
      /* From the call's start; without one (or one in the future: another
       * clock), from now. */
      live->started_us = now_us;
      if (call->started_at > 0 && call->started_at <= now_us / G_USEC_PER_SEC)
        live->started_us = call->started_at * G_USEC_PER_SEC;
      g_hash_table_insert (self->calls, live->call_sid, live);
    }
  else if (call->started_at > 0 && call->started_at * G_USEC_PER_SEC < live->started_us &&
           call->started_at <= now_us / G_USEC_PER_SEC)
    {
      live->started_us = call->started_at * G_USEC_PER_SEC;
    }

  g_free (live->party);
  live->party = g_strdup (party_of (call));
  live->answered = live->answered || is_answered (call);
  live->inbound = g_strcmp0 (call->direction, "inbound") == 0;
  live->heard_at = call->received_at > 0 ? MIN (call->received_at, now_us / G_USEC_PER_SEC)
                                         : now_us / G_USEC_PER_SEC;
  live->order = ++self->next_order;

  update (self);
}

void
cn_live_pill_end (CnLivePill *self,
                  const char *call_sid)
{
  g_return_if_fail (CN_IS_LIVE_PILL (self));

  if (call_sid == NULL)
    return;

  if (self->shown != NULL && g_strcmp0 (self->shown->call_sid, call_sid) == 0)
    self->shown = NULL;
  if (g_hash_table_remove (self->calls, call_sid))
    update (self);
}

guint
cn_live_pill_get_n_calls (CnLivePill *self)
{
  g_return_val_if_fail (CN_IS_LIVE_PILL (self), 0);

  return g_hash_table_size (self->calls);
}

const char *
cn_live_pill_get_call_sid (CnLivePill *self)
{
  g_return_val_if_fail (CN_IS_LIVE_PILL (self), NULL);

  return self->shown != NULL ? self->shown->call_sid : NULL;
}

const char *
cn_live_pill_get_timer_text (CnLivePill *self)
{
  g_return_val_if_fail (CN_IS_LIVE_PILL (self), NULL);

  return gtk_label_get_text (self->timer_label);
}

void
cn_live_pill_set_stale_seconds (CnLivePill *self,
                                guint       seconds)
{
  g_return_if_fail (CN_IS_LIVE_PILL (self));

  self->stale_seconds = seconds > 0 ? seconds : DEFAULT_STALE_SECONDS;
  if (self->shown != NULL)
    update (self);
}
