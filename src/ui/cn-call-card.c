/* cn-call-card.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-call-card"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "cn-call-card.h"
#include "cn-format.h"

#define DEFAULT_COUNTDOWN_SECONDS 10

struct _CnCallCard
{
  GtkWidget    parent_instance;

  /* template */
  GtkRevealer *revealer;
  GtkWidget   *card;
  GtkLabel    *badge;
  GtkLabel    *countdown_label;
  GtkButton   *close_button;
  AdwAvatar   *avatar;
  GtkLabel    *title_label;
  GtkLabel    *detail_label;
  GtkButton   *log_button;
  GtkButton   *listen_button;

  char        *call_sid;
  const char  *badge_class;
  guint        countdown_seconds;
  guint        remaining;
  guint        countdown_id;
  gboolean     hovered;
  gboolean     focused;
};

G_DEFINE_FINAL_TYPE (CnCallCard, cn_call_card, GTK_TYPE_WIDGET)

/* ---- what a status looks like ----------------------------------------------- */

typedef struct {
  const char *status;      /* as the backend sends it */
  const char *words;       /* translated at use */
  const char *css_class;
} StatusLook;

static const StatusLook status_looks[] = {
  { "ANSWER", N_("Answered"), "cn-call-answered" },
  { "VOICEMAIL", N_("Voicemail"), "cn-call-voicemail" },
  { "NOANSWER", N_("No Answer"), "cn-call-missed" },
  { "BUSY", N_("Busy"), "cn-call-missed" },
  { "FAILED", N_("Failed"), "cn-call-failed" },
  { "CANCEL", N_("Canceled"), "cn-call-failed" },
};

static const StatusLook *
look_of (const char *status)
{
  static const StatusLook other = { NULL, N_("Ended"), "cn-call-other" };

  for (guint i = 0; i < G_N_ELEMENTS (status_looks); i++)
    if (status != NULL && g_ascii_strcasecmp (status, status_looks[i].status) == 0)
      return &status_looks[i];

  return &other;
}

/* A recording link worth a Listen button: http(s) with a host. */
static gboolean
is_recording_link (const char *url)
{
  g_autoptr(GUri) uri = url != NULL ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;

  return uri != NULL && g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0' &&
         (g_strcmp0 (g_uri_get_scheme (uri), "https") == 0 ||
          g_strcmp0 (g_uri_get_scheme (uri), "http") == 0);
}

static gboolean
has_text (const char *text)
{
  return text != NULL && *text != '\0';
}

/* ---- the countdown ------------------------------------------------------------ */

static void
update_countdown_label (CnCallCard *self)
{
  g_autofree char *text = NULL;

  /* Translators: the card of a completed call closes by itself; %u is seconds */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Closes in %u s", "Closes in %u s",
                                       self->remaining), self->remaining);
  gtk_label_set_text (self->countdown_label, text);
}

static gboolean
on_countdown (gpointer user_data)
{
  CnCallCard *self = user_data;

  if (self->remaining > 0)
    self->remaining--;

  if (self->remaining == 0)
    {
      self->countdown_id = 0;
      cn_call_card_dismiss (self);
      return G_SOURCE_REMOVE;
    }

  update_countdown_label (self);
  return G_SOURCE_CONTINUE;
}

/* Counts down while shown and neither hovered nor focused. */
static void
update_countdown (CnCallCard *self)
{
  gboolean run = self->call_sid != NULL && gtk_revealer_get_reveal_child (self->revealer) &&
                 !self->hovered && !self->focused;

  if (run && self->countdown_id == 0)
    self->countdown_id = g_timeout_add (1000, on_countdown, self);
  else if (!run)
    g_clear_handle_id (&self->countdown_id, g_source_remove);

  gtk_widget_set_opacity (GTK_WIDGET (self->countdown_label), run ? 1.0 : 0.6);
}

static void
on_motion_enter (CnCallCard *self)
{
  self->hovered = TRUE;
  update_countdown (self);
}

static void
on_motion_leave (CnCallCard *self)
{
  self->hovered = FALSE;
  update_countdown (self);
}

static void
on_focus_enter (CnCallCard *self)
{
  self->focused = TRUE;
  update_countdown (self);
}

static void
on_focus_leave (CnCallCard *self)
{
  self->focused = FALSE;
  update_countdown (self);
}

/* Hidden once it slid away, so it takes no room and no clicks. */
static void
on_child_revealed (CnCallCard *self)
{
  if (!gtk_revealer_get_child_revealed (self->revealer) &&
      !gtk_revealer_get_reveal_child (self->revealer))
    gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

static void
on_button_clicked (CnCallCard *self)
{
  cn_call_card_dismiss (self);
}

static gboolean
on_key_pressed (CnCallCard      *self,
                guint            keyval,
                guint            keycode,
                GdkModifierType  state)
{
  if (keyval != GDK_KEY_Escape || (state & gtk_accelerator_get_default_mod_mask ()) != 0)
    return GDK_EVENT_PROPAGATE;

  cn_call_card_dismiss (self);
  return GDK_EVENT_STOP;
}

/* ---- GObject ------------------------------------------------------------------ */

static void
cn_call_card_dispose (GObject *object)
{
  CnCallCard *self = CN_CALL_CARD (object);

  g_clear_handle_id (&self->countdown_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), CN_TYPE_CALL_CARD);

  G_OBJECT_CLASS (cn_call_card_parent_class)->dispose (object);
}

static void
cn_call_card_finalize (GObject *object)
{
  CnCallCard *self = CN_CALL_CARD (object);

  g_free (self->call_sid);

  G_OBJECT_CLASS (cn_call_card_parent_class)->finalize (object);
}

static void
cn_call_card_class_init (CnCallCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cn_call_card_dispose;
  object_class->finalize = cn_call_card_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/cn-call-card.ui");
  gtk_widget_class_bind_template_child (widget_class, CnCallCard, revealer);
  gtk_widget_class_bind_template_child (widget_class, CnCallCard, card);
  gtk_widget_class_bind_template_child (widget_class, CnCallCard, badge);
  gtk_widget_class_bind_template_child (widget_class, CnCallCard, countdown_label);
  gtk_widget_class_bind_template_child (widget_class, CnCallCard, close_button);
  gtk_widget_class_bind_template_child (widget_class, CnCallCard, avatar);
  gtk_widget_class_bind_template_child (widget_class, CnCallCard, title_label);
  gtk_widget_class_bind_template_child (widget_class, CnCallCard, detail_label);
  gtk_widget_class_bind_template_child (widget_class, CnCallCard, log_button);
  gtk_widget_class_bind_template_child (widget_class, CnCallCard, listen_button);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cn-call-card");
}

static void
cn_call_card_init (CnCallCard *self)
{
  GtkEventController *motion;
  GtkEventController *focus;
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->countdown_seconds = DEFAULT_COUNTDOWN_SECONDS;

  motion = gtk_event_controller_motion_new ();
  g_signal_connect_object (motion, "enter", G_CALLBACK (on_motion_enter), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (motion, "leave", G_CALLBACK (on_motion_leave), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (self->card, motion);

  focus = gtk_event_controller_focus_new ();
  g_signal_connect_object (focus, "enter", G_CALLBACK (on_focus_enter), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (focus, "leave", G_CALLBACK (on_focus_leave), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (self->card, focus);

  /* Escape closes it while the keyboard focus is in it. */
  keys = gtk_event_controller_key_new ();
  /* Before the buttons: they have no use for Escape. */
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_object (keys, "key-pressed", G_CALLBACK (on_key_pressed), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (self->card, keys);

  g_signal_connect_object (self->revealer, "notify::child-revealed",
                           G_CALLBACK (on_child_revealed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->close_button, "clicked", G_CALLBACK (on_button_clicked), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->log_button, "clicked", G_CALLBACK (on_button_clicked), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->listen_button, "clicked", G_CALLBACK (on_button_clicked), self,
                           G_CONNECT_SWAPPED);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->close_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Close"), -1);
}

GtkWidget *
cn_call_card_new (void)
{
  return g_object_new (CN_TYPE_CALL_CARD, NULL);
}

/* ---- public -------------------------------------------------------------------- */

void
cn_call_card_show_call (CnCallCard         *self,
                        const CnStreamCall *call)
{
  const StatusLook *look;
  const char *party;
  g_autoptr(GString) detail = g_string_new (NULL);
  g_autofree char *description = NULL;
  GVariant *target;

  g_return_if_fail (CN_IS_CALL_CARD (self));
  g_return_if_fail (call != NULL);

  if (!has_text (call->call_sid))
    return;

  g_free (self->call_sid);
  self->call_sid = g_strdup (call->call_sid);

  look = look_of (call->status);
  gtk_label_set_text (self->badge, _(look->words));
  if (self->badge_class != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self->badge), self->badge_class);
  self->badge_class = look->css_class;
  gtk_widget_add_css_class (GTK_WIDGET (self->badge), self->badge_class);

  if (has_text (call->contact_name))
    party = call->contact_name;
  else if (has_text (call->phone))
    party = call->phone;
  else
    party = _("Unknown number");
  gtk_label_set_text (self->title_label, party);
  /* Initials for a name; the plain icon for a number. */
  adw_avatar_set_text (self->avatar, has_text (call->contact_name) ? call->contact_name : NULL);

  if (has_text (call->contact_name) && has_text (call->phone))
    g_string_append (detail, call->phone);
  /* "0s" says nothing (a call nobody answered). */
  if (call->duration_seconds > 0)
    {
      g_autofree char *duration = cn_format_duration (call->duration_seconds);

      if (detail->len > 0)
        g_string_append (detail, " · ");
      g_string_append (detail, duration);
    }
  gtk_label_set_text (self->detail_label, detail->str);
  gtk_widget_set_visible (GTK_WIDGET (self->detail_label), detail->len > 0);

  /* The target first: an action of type "s" without one is an error. */
  target = g_variant_ref_sink (g_variant_new_string (call->call_sid));
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->log_button), target);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->listen_button), target);
  g_variant_unref (target);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->log_button), "app.log-call-from-event");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->listen_button), "app.open-recording");
  gtk_widget_set_visible (GTK_WIDGET (self->listen_button),
                          is_recording_link (call->recording_url));

  /* Translators: the card of a completed call, for screen readers; "Call with
   * Jane Doe ended: Answered" */
  description = g_strdup_printf (_("Call with %s ended: %s"), party, _(look->words));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->card), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  description, -1);

  /* A newer call starts the count again. */
  g_clear_handle_id (&self->countdown_id, g_source_remove);
  self->remaining = self->countdown_seconds;
  update_countdown_label (self);

  gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
  gtk_revealer_set_reveal_child (self->revealer, TRUE);
  update_countdown (self);
}

void
cn_call_card_dismiss (CnCallCard *self)
{
  g_return_if_fail (CN_IS_CALL_CARD (self));

  g_clear_handle_id (&self->countdown_id, g_source_remove);
  g_clear_pointer (&self->call_sid, g_free);
  gtk_revealer_set_reveal_child (self->revealer, FALSE);
  on_child_revealed (self);
}

gboolean
cn_call_card_get_shown (CnCallCard *self)
{
  g_return_val_if_fail (CN_IS_CALL_CARD (self), FALSE);

  return self->call_sid != NULL && gtk_revealer_get_reveal_child (self->revealer);
}

const char *
cn_call_card_get_call_sid (CnCallCard *self)
{
  g_return_val_if_fail (CN_IS_CALL_CARD (self), NULL);

  return self->call_sid;
}

guint
cn_call_card_get_remaining (CnCallCard *self)
{
  g_return_val_if_fail (CN_IS_CALL_CARD (self), 0);

  return self->call_sid != NULL ? self->remaining : 0;
}

gboolean
cn_call_card_get_paused (CnCallCard *self)
{
  g_return_val_if_fail (CN_IS_CALL_CARD (self), FALSE);

  return self->call_sid != NULL && self->countdown_id == 0;
}

void
cn_call_card_set_countdown (CnCallCard *self,
                            guint       seconds)
{
  g_return_if_fail (CN_IS_CALL_CARD (self));

  self->countdown_seconds = seconds > 0 ? seconds : DEFAULT_COUNTDOWN_SECONDS;
}
