/* cn-log-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-log-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "cn-format.h"
#include "cn-log-dialog.h"
#include "cn-phone.h"

/* A change reaches the database at most this long after it was made. */
#define DRAFT_DELAY_MS 400

struct _CnLogDialog
{
  AdwWindow       parent_instance;

  /* template */
  AdwWindowTitle *title_widget;
  GtkRevealer    *error_revealer;
  GtkLabel       *error_label;
  GtkRevealer    *dial_revealer;
  GtkLabel       *dial_label;
  GtkRevealer    *assistant_revealer;
  GtkLabel       *assistant_label;
  GtkToggleButton *connected_button;
  GtkToggleButton *voicemail_button;
  GtkToggleButton *no_answer_button;
  GtkToggleButton *busy_button;
  AdwEntryRow    *name_row;
  AdwEntryRow    *contact_id_row;
  AdwEntryRow    *number_row;
  AdwActionRow   *number_display_row;
  AdwEntryRow    *duration_row;
  GtkWidget      *duration_live_icon;
  GtkTextView    *notes_view;
  GtkWidget      *form;
  AdwExpanderRow *follow_up_row;
  GtkMenuButton  *date_button;
  GtkCalendar    *calendar;
  AdwActionRow   *time_row;
  GtkSpinButton  *hour_spin;
  GtkSpinButton  *minute_spin;

  CnDatabase     *database;
  GSettings      *settings;
  CnCallLog      *base;          /* what the dialog started from */
  CnCallLog      *saved;         /* editing: the log as it is in the database */
  gboolean        editing;
  gint64          dialed_at;
  gint64          shown_at;
  gboolean        number_editable;
  char           *call_sid;      /* the live call it logs (opened from an event), NULL none */

  guint           draft_timeout_id;
  gboolean        draft_in_flight; /* a worker thread is writing the draft */
  gboolean        draft_dirty;     /* changed again while it was written */
  gboolean        save_requested;  /* Save waits for the draft write to end */
  gboolean        disposed;
  guint           tick_id;
  gboolean        duration_live;  /* counting from the hand-off */
  gboolean        updating;       /* the dialog itself is changing widgets */
  gboolean        saving;
  gboolean        closing;        /* close confirmed or saved: let it go */
  gboolean        draft_discarded;
};

G_DEFINE_FINAL_TYPE (CnLogDialog, cn_log_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void update_title           (CnLogDialog *self);
static void update_save_sensitive  (CnLogDialog *self);

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static GtkToggleButton *
button_for_outcome (CnLogDialog *self,
                    CnOutcome    outcome)
{
  switch (outcome)
    {
    case CN_OUTCOME_CONNECTED: return self->connected_button;
    case CN_OUTCOME_VOICEMAIL: return self->voicemail_button;
    case CN_OUTCOME_NO_ANSWER: return self->no_answer_button;
    case CN_OUTCOME_BUSY:      return self->busy_button;
    case CN_OUTCOME_NONE:
    default:                   return NULL;
    }
}

static CnOutcome
get_outcome (CnLogDialog *self)
{
  for (CnOutcome o = CN_OUTCOME_FIRST; o <= CN_OUTCOME_LAST; o++)
    if (gtk_toggle_button_get_active (button_for_outcome (self, o)))
      return o;

  return CN_OUTCOME_NONE;
}

static char *
get_notes (CnLogDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->notes_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* TRUE when closing would lose something the person entered. An edit is
 * compared with the log as saved (also when the dialog reopened a draft after
 * a crash); a new call with nothing entered: an outcome, notes, a contact. */
static gboolean
has_changes (CnLogDialog *self)
{
  g_autoptr(CnCallLog) now = cn_log_dialog_dup_log (self);
  CnCallLog *saved = self->saved != NULL ? self->saved : self->base;

  if (!self->editing)
    return cn_call_log_get_outcome (now) != CN_OUTCOME_NONE ||
           cn_call_log_get_notes (now) != NULL ||
           g_strcmp0 (cn_call_log_get_contact_name (now),
                      cn_call_log_get_contact_name (self->base)) != 0 ||
           g_strcmp0 (cn_call_log_get_contact_id (now),
                      cn_call_log_get_contact_id (self->base)) != 0;

  return cn_call_log_get_outcome (now) != cn_call_log_get_outcome (saved) ||
         g_strcmp0 (cn_call_log_get_notes (now), cn_call_log_get_notes (saved)) != 0 ||
         g_strcmp0 (cn_call_log_get_contact_name (now), cn_call_log_get_contact_name (saved)) != 0 ||
         g_strcmp0 (cn_call_log_get_contact_id (now), cn_call_log_get_contact_id (saved)) != 0 ||
         cn_call_log_get_follow_up (now) != cn_call_log_get_follow_up (saved) ||
         cn_call_log_get_duration (now) != cn_call_log_get_duration (saved);
}

/* ---- follow-up ------------------------------------------------------------ */

static GDateTime *
get_follow_up_local (CnLogDialog *self)
{
  g_autoptr(GDateTime) day = gtk_calendar_get_date (self->calendar);

  return g_date_time_new_local (g_date_time_get_year (day), g_date_time_get_month (day),
                                g_date_time_get_day_of_month (day),
                                gtk_spin_button_get_value_as_int (self->hour_spin),
                                gtk_spin_button_get_value_as_int (self->minute_spin), 0);
}

/* The follow-up in UTC seconds, 0 when off. FALSE when the chosen local time
 * does not exist (a daylight-saving gap). */
static gboolean
get_follow_up (CnLogDialog *self,
               gint64      *follow_up)
{
  g_autoptr(GDateTime) local = NULL;

  *follow_up = 0;
  if (!adw_expander_row_get_enable_expansion (self->follow_up_row))
    return TRUE;

  local = get_follow_up_local (self);
  if (local == NULL ||
      g_date_time_get_hour (local) != gtk_spin_button_get_value_as_int (self->hour_spin) ||
      g_date_time_get_minute (local) != gtk_spin_button_get_value_as_int (self->minute_spin))
    return FALSE;

  *follow_up = g_date_time_to_unix (local);
  return TRUE;
}

static void
update_date_label (CnLogDialog *self)
{
  g_autoptr(GDateTime) day = gtk_calendar_get_date (self->calendar);
  /* Translators: the follow-up date on its button, see g_date_time_format();
   * e.g. "Mon, 23 Nov 2026" */
  g_autofree char *label = g_date_time_format (day, _("%a, %-d %b %Y"));
  g_autoptr(GDateTime) local = get_follow_up_local (self);
  g_autofree char *zone = local != NULL ? g_date_time_format (local, "%Z") : NULL;
  g_autofree char *subtitle = NULL;

  gtk_menu_button_set_label (self->date_button, g_strstrip (label));
  /* Translators: %s is a time zone abbreviation such as CET */
  subtitle = g_strdup_printf (_("Local time (%s)"), zone != NULL ? zone : "?");
  adw_action_row_set_subtitle (self->time_row, subtitle);
}

static void
set_follow_up_widgets (CnLogDialog *self,
                       gint64       utc_seconds)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  gboolean was_updating = self->updating;

  /* A value no calendar can show (a damaged row) falls back to tomorrow. */
  if (utc_seconds <= 0 || utc_seconds >= CN_MAX_UNIX_SECONDS)
    utc_seconds = cn_follow_up_preset (CN_FOLLOW_UP_TOMORROW_9, now_seconds (), NULL);
  utc = g_date_time_new_from_unix_utc (utc_seconds);
  local = g_date_time_to_local (utc);

  self->updating = TRUE;
  gtk_calendar_select_day (self->calendar, local);
  gtk_spin_button_set_value (self->hour_spin, g_date_time_get_hour (local));
  gtk_spin_button_set_value (self->minute_spin, g_date_time_get_minute (local));
  self->updating = was_updating;

  update_date_label (self);
}

/* ---- the log as shown ------------------------------------------------------ */

CnCallLog *
cn_log_dialog_dup_log (CnLogDialog *self)
{
  CnCallLog *log;
  g_autofree char *notes = NULL;
  g_autofree char *name = NULL;
  g_autofree char *contact_id = NULL;
  gint64 follow_up = 0;

  g_return_val_if_fail (CN_IS_LOG_DIALOG (self), NULL);

  log = cn_call_log_copy (self->base);
  cn_call_log_set_outcome (log, get_outcome (self));
  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  contact_id = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->contact_id_row))));
  cn_call_log_set_contact_name (log, name);
  cn_call_log_set_contact_id (log, contact_id);

  notes = get_notes (self);
  cn_call_log_set_notes (log, notes);

  if (self->number_editable)
    {
      const char *text = gtk_editable_get_text (GTK_EDITABLE (self->number_row));
      g_autofree char *setting = g_settings_get_string (self->settings, "default-country-code");
      g_autofree char *country = cn_phone_country_code_from_setting (setting);
      g_autofree char *digits = cn_phone_strip_separators (text, NULL);
      g_autofree char *e164 = digits != NULL ? cn_phone_to_e164 (digits, country, NULL) : NULL;

      cn_call_log_set_phone_raw (log, text);
      cn_call_log_set_phone (log, e164 != NULL ? e164 : digits);
    }

  {
    gint64 seconds;
    const char *text = gtk_editable_get_text (GTK_EDITABLE (self->duration_row));

    if (*text == '\0')
      cn_call_log_set_duration (log, -1);
    else if (cn_parse_duration (text, &seconds))
      cn_call_log_set_duration (log, seconds);
  }

  if (get_follow_up (self, &follow_up))
    cn_call_log_set_follow_up (log, follow_up);

  return log;
}

/* ---- drafts ---------------------------------------------------------------- */

static CnDraft *
build_draft (CnLogDialog *self)
{
  CnDraft *draft = cn_draft_new (cn_log_dialog_dup_log (self));

  /* cn_draft_new took its own reference */
  g_object_unref (draft->log);
  draft->editing = self->editing;
  draft->dialed_at = self->dialed_at;
  draft->shown_at = self->shown_at;
  draft->follow_up_enabled = adw_expander_row_get_enable_expansion (self->follow_up_row);
  draft->call_sid = g_strdup (self->call_sid);

  return draft;
}

/* Drafts are written by the store's worker, one at a time, so a slow or
 * locked database never stalls typing. A draft write may not land after the
 * log was saved or the draft discarded, or the draft would come back: Save
 * waits for the write in flight, and a write that finds the draft discarded
 * when it is done removes it again. */
static void start_save (CnLogDialog *self);
static void write_draft (CnLogDialog *self);

static void
on_draft_written (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CnLogDialog) self = user_data;
  CnDatabase *database = CN_DATABASE (source);
  g_autoptr(GError) error = NULL;

  self->draft_in_flight = FALSE;

  if (!cn_database_save_draft_finish (database, result, &error))
    {
      g_message ("Could not keep the draft: %s", error->message);
      if (!self->disposed && !self->saving)
        {
          g_autofree char *message = g_strdup_printf (_("Your changes could not be kept as a draft: %s"),
                                                      error->message);

          gtk_label_set_text (self->error_label, message);
          gtk_revealer_set_reveal_child (self->error_revealer, TRUE);
        }
    }

  if (self->draft_discarded)
    {
      cn_database_delete_draft_async (database, cn_call_log_get_uuid (self->base), NULL, NULL,
                                      NULL);
      return;
    }

  if (self->disposed)
    return;

  if (self->save_requested)
    {
      self->save_requested = FALSE;
      start_save (self);
    }
  else if (self->draft_dirty)
    {
      self->draft_dirty = FALSE;
      write_draft (self);
    }
}

static void
write_draft (CnLogDialog *self)
{
  g_autoptr(CnDraft) draft = NULL;

  g_clear_handle_id (&self->draft_timeout_id, g_source_remove);

  if (self->draft_discarded || self->saving || self->database == NULL)
    return;

  if (self->draft_in_flight)
    {
      self->draft_dirty = TRUE;
      return;
    }

  draft = build_draft (self);
  self->draft_in_flight = TRUE;
  cn_database_save_draft_async (self->database, draft, NULL, on_draft_written,
                                g_object_ref (self));
}

static gboolean
on_draft_timeout (gpointer user_data)
{
  CnLogDialog *self = user_data;

  self->draft_timeout_id = 0;
  write_draft (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_draft (CnLogDialog *self)
{
  if (self->updating || self->draft_discarded || self->saving || self->draft_timeout_id != 0)
    return;

  self->draft_timeout_id = g_timeout_add (DRAFT_DELAY_MS, on_draft_timeout, self);
}

void
cn_log_dialog_flush_draft (CnLogDialog *self)
{
  g_autoptr(CnDraft) draft = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CN_IS_LOG_DIALOG (self));

  /* Synchronous: used when the app is about to exit. A write in flight holds
   * an older state; it must land before the newest one does. */
  while (self->draft_in_flight)
    g_main_context_iteration (NULL, TRUE);

  if (self->draft_timeout_id == 0 && !self->draft_dirty)
    return;
  g_clear_handle_id (&self->draft_timeout_id, g_source_remove);
  self->draft_dirty = FALSE;
  if (self->draft_discarded || self->saving || self->database == NULL)
    return;

  draft = build_draft (self);
  if (!cn_database_save_draft (self->database, draft, &error))
    g_message ("Could not keep the draft: %s", error->message);
}

static void
discard_draft (CnLogDialog *self)
{
  g_clear_handle_id (&self->draft_timeout_id, g_source_remove);
  self->draft_discarded = TRUE;

  /* A write in flight deletes it again when it is done (on_draft_written). */
  cn_database_delete_draft_async (self->database, cn_call_log_get_uuid (self->base), NULL, NULL,
                                  NULL);
}

static void
on_changed (CnLogDialog *self)
{
  if (self->updating)
    return;

  gtk_revealer_set_reveal_child (self->error_revealer, FALSE);
  update_title (self);
  update_save_sensitive (self);
  schedule_draft (self);
}

/* ---- duration -------------------------------------------------------------- */

static void
show_duration (CnLogDialog *self,
               gint64       seconds)
{
  g_autofree char *text = seconds >= 0 ? cn_format_duration (seconds) : g_strdup ("");
  gboolean was_updating = self->updating;

  self->updating = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->duration_row), text);
  self->updating = was_updating;
}

static void
stop_live_duration (CnLogDialog *self)
{
  self->duration_live = FALSE;
  g_clear_handle_id (&self->tick_id, g_source_remove);
  gtk_widget_set_visible (self->duration_live_icon, FALSE);
}

static gboolean
on_tick (gpointer user_data)
{
  CnLogDialog *self = user_data;

  show_duration (self, MAX (now_seconds () - self->dialed_at, 0));
  return G_SOURCE_CONTINUE;
}

static void
on_duration_changed (CnLogDialog *self)
{
  const char *text;
  gint64 seconds;

  if (self->updating)
    return;

  /* The agent typed a duration: stop counting, check what was typed. */
  stop_live_duration (self);

  text = gtk_editable_get_text (GTK_EDITABLE (self->duration_row));
  if (*text == '\0' || cn_parse_duration (text, &seconds))
    gtk_widget_remove_css_class (GTK_WIDGET (self->duration_row), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->duration_row), "error");

  on_changed (self);
}

/* ---- title and sensitivity ------------------------------------------------- */

static void
update_title (CnLogDialog *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  const char *number = self->number_editable
                       ? gtk_editable_get_text (GTK_EDITABLE (self->number_row))
                       : (self->base != NULL && cn_call_log_get_phone (self->base) != NULL
                          ? cn_call_log_get_phone (self->base) : "");
  const char *who = *name != '\0' ? name : *number != '\0' ? number : NULL;
  const char *action = self->editing ? _("Edit Call") : _("Log Call");
  g_autofree char *title = NULL;

  /* Translators: window title, e.g. "Log Call — Jane Doe" */
  title = who != NULL ? g_strdup_printf (_("%s — %s"), action, who) : g_strdup (action);
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->title_widget, action);
  adw_window_title_set_subtitle (self->title_widget, who != NULL ? who : "");
}

static void
update_save_sensitive (CnLogDialog *self)
{
  gboolean can_save = !self->saving && get_outcome (self) != CN_OUTCOME_NONE;

  if (self->number_editable)
    can_save = can_save && *gtk_editable_get_text (GTK_EDITABLE (self->number_row)) != '\0';

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "logger.save", can_save);
}

static void
on_outcome_toggled (CnLogDialog     *self,
                    GtkToggleButton *button)
{
  if (!gtk_toggle_button_get_active (button))
    return;

  /* Choosing an outcome means the call has ended. */
  if (self->duration_live && !self->updating)
    {
      on_tick (self);
      stop_live_duration (self);
    }

  on_changed (self);
}

/* ---- saving ---------------------------------------------------------------- */

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(CnLogDialog) self = user_data;
  g_autoptr(CnCallLog) saved = NULL;
  g_autoptr(GError) error = NULL;

  saved = self->editing
          ? cn_database_update_call_finish (CN_DATABASE (source), result, &error)
          : cn_database_insert_call_finish (CN_DATABASE (source), result, &error);
  self->saving = FALSE;

  if (self->disposed)
    return;

  if (saved == NULL)
    {
      /* Nothing is lost: the dialog stays, with the text, and says why. */
      g_autofree char *message = g_strdup_printf (_("The call was not saved. %s"),
                                                  error->message);

      gtk_label_set_text (self->error_label, message);
      gtk_revealer_set_reveal_child (self->error_revealer, TRUE);
      update_save_sensitive (self);
      gtk_widget_set_sensitive (self->form, TRUE);
      schedule_draft (self);
      return;
    }

  /* The draft goes with the save: an edit's in its commit, a new log's in the
   * catch-up right after it (never offered again meanwhile). */
  self->draft_discarded = TRUE;
  self->closing = TRUE;
  g_signal_emit (self, signals[SIGNAL_SAVED], 0, saved);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_save_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  CnLogDialog *self = CN_LOG_DIALOG (widget);
  g_autoptr(GError) error = NULL;
  gint64 follow_up;
  gint64 seconds;
  const char *duration_text;

  if (self->saving || get_outcome (self) == CN_OUTCOME_NONE)
    return;

  duration_text = gtk_editable_get_text (GTK_EDITABLE (self->duration_row));
  if (*duration_text != '\0' && !cn_parse_duration (duration_text, &seconds))
    {
      gtk_label_set_text (self->error_label,
                          _("Enter the duration as minutes and seconds, for example 2:15."));
      gtk_revealer_set_reveal_child (self->error_revealer, TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->duration_row));
      return;
    }

  if (self->number_editable)
    {
      g_autofree char *digits =
        cn_phone_strip_separators (gtk_editable_get_text (GTK_EDITABLE (self->number_row)),
                                   &error);

      if (digits == NULL)
        {
          gtk_label_set_text (self->error_label, error->message);
          gtk_revealer_set_reveal_child (self->error_revealer, TRUE);
          gtk_widget_grab_focus (GTK_WIDGET (self->number_row));
          return;
        }
    }

  if (!get_follow_up (self, &follow_up))
    {
      gtk_label_set_text (self->error_label,
                          _("That follow-up time does not exist on that day (the clocks "
                            "change). Choose another time."));
      gtk_revealer_set_reveal_child (self->error_revealer, TRUE);
      return;
    }

  {
    g_autoptr(CnCallLog) log = cn_log_dialog_dup_log (self);

    if (!cn_call_log_validate (log, &error))
      {
        gtk_label_set_text (self->error_label, error->message);
        gtk_revealer_set_reveal_child (self->error_revealer, TRUE);
        return;
      }
  }

  /* No draft write may land after the commit (it would bring the draft back). */
  g_clear_handle_id (&self->draft_timeout_id, g_source_remove);
  stop_live_duration (self);

  /* What is saved is what is shown: nothing can be typed until the commit
   * answered (and the dialog closed, or came back with the reason). */
  self->saving = TRUE;
  update_save_sensitive (self);
  gtk_widget_set_sensitive (self->form, FALSE);
  gtk_revealer_set_reveal_child (self->error_revealer, FALSE);

  if (self->draft_in_flight)
    self->save_requested = TRUE;
  else
    start_save (self);
}

static void
start_save (CnLogDialog *self)
{
  g_autoptr(CnCallLog) log = cn_log_dialog_dup_log (self);
  CnCallEvent events[2];
  guint n_events = 0;

  if (self->editing)
    {
      cn_database_update_call_async (self->database, log, NULL, on_saved, g_object_ref (self));
      return;
    }

  /* The log is dated when it is saved; the events keep the dial time. A
   * call from the event stream keeps its start (also after a restart: the
   * draft holds it). */
  if (self->call_sid == NULL || cn_call_log_get_created_at (log) <= 0)
    cn_call_log_set_created_at (log, now_seconds ());
  cn_call_log_set_updated_at (log, now_seconds ());

  if (self->dialed_at > 0)
    events[n_events++] = (CnCallEvent) { (char *) "dialed", self->dialed_at, NULL };
  if (self->shown_at > 0)
    events[n_events++] = (CnCallEvent) { (char *) "dialog_shown", self->shown_at, NULL };

  cn_database_insert_call_async (self->database, log, events, n_events, NULL, on_saved,
                                 g_object_ref (self));
}

static void
on_copy_number_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  CnLogDialog *self = CN_LOG_DIALOG (widget);
  const char *number = cn_call_log_get_phone (self->base);

  if (self->number_editable || number == NULL)
    number = gtk_editable_get_text (GTK_EDITABLE (self->number_row));

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), number);
}

static void
on_outcome_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CnLogDialog *self = CN_LOG_DIALOG (widget);
  CnOutcome outcome = g_variant_get_int32 (parameter);
  GtkToggleButton *button = button_for_outcome (self, outcome);

  if (button != NULL)
    {
      gtk_toggle_button_set_active (button, TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (button));
    }
}

static void
on_follow_up_preset_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  CnLogDialog *self = CN_LOG_DIALOG (widget);
  CnFollowUpPreset preset = g_variant_get_int32 (parameter);

  set_follow_up_widgets (self, cn_follow_up_preset (preset, now_seconds (), NULL));
  on_changed (self);
}

static void
on_follow_up_enabled (CnLogDialog *self)
{
  if (adw_expander_row_get_enable_expansion (self->follow_up_row) && !self->updating)
    set_follow_up_widgets (self, cn_follow_up_preset (CN_FOLLOW_UP_TOMORROW_9,
                                                      now_seconds (), NULL));
  on_changed (self);
}

static void
on_follow_up_widget_changed (CnLogDialog *self)
{
  if (self->updating)
    return;

  update_date_label (self);
  on_changed (self);
}

/* Shows "09" and "05", as a clock does. */
static gboolean
on_spin_output (GtkSpinButton *spin)
{
  g_autofree char *text = g_strdup_printf ("%02d", gtk_spin_button_get_value_as_int (spin));

  if (g_strcmp0 (text, gtk_editable_get_text (GTK_EDITABLE (spin))) != 0)
    gtk_editable_set_text (GTK_EDITABLE (spin), text);
  return TRUE;
}

static void
on_day_selected (CnLogDialog *self)
{
  on_follow_up_widget_changed (self);
  if (!self->updating)
    gtk_menu_button_popdown (self->date_button);
}

/* ---- closing --------------------------------------------------------------- */

static gboolean
on_destroy_idle (gpointer user_data)
{
  gtk_window_destroy (GTK_WINDOW (user_data));
  return G_SOURCE_REMOVE;
}

void
cn_log_dialog_discard (CnLogDialog *self)
{
  g_return_if_fail (CN_IS_LOG_DIALOG (self));

  /* A save under way closes it anyway. */
  if (self->saving || self->closing)
    return;

  discard_draft (self);
  self->closing = TRUE;
  /* Not from inside the message's response or a banner button: they are
   * still finishing with this window. */
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, on_destroy_idle, g_object_ref (self),
                   g_object_unref);
}

static void
on_discard_response (AdwMessageDialog *dialog,
                     const char       *response,
                     CnLogDialog      *self)
{
  if (g_str_equal (response, "discard"))
    cn_log_dialog_discard (self);
}

/* ---- logged by an assistant ------------------------------------------------ */

static void
on_discard_mine_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  cn_log_dialog_discard (CN_LOG_DIALOG (widget));
}

static void
on_keep_both_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CnLogDialog *self = CN_LOG_DIALOG (widget);

  gtk_revealer_set_reveal_child (self->assistant_revealer, FALSE);
}

void
cn_log_dialog_show_logged_by_assistant (CnLogDialog *self)
{
  g_return_if_fail (CN_IS_LOG_DIALOG (self));

  gtk_label_set_text (self->assistant_label,
                      _("An assistant already logged this call. Saving here logs it a second "
                        "time."));
  gtk_revealer_set_reveal_child (self->assistant_revealer, TRUE);
}

const char *
cn_log_dialog_get_notice (CnLogDialog *self)
{
  g_return_val_if_fail (CN_IS_LOG_DIALOG (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->assistant_revealer))
    return NULL;

  return gtk_label_get_text (self->assistant_label);
}

static gboolean
cn_log_dialog_close_request (GtkWindow *window)
{
  CnLogDialog *self = CN_LOG_DIALOG (window);
  AdwMessageDialog *dialog;

  if (self->closing)
    return FALSE;

  if (self->saving)
    return TRUE;

  if (!has_changes (self))
    {
      discard_draft (self);
      return FALSE;
    }

  if (self->editing)
    dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (window, _("Discard Changes?"),
                                                         _("The call log stays as it was saved.")));
  else
    dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (window,
                                                         _("Discard This Call Log?"),
                                                         _("The outcome and notes you entered will "
                                                           "be lost.")));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Keep Editing"),
                                    "discard", _("_Discard"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_discard_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));

  return TRUE;
}

static void
on_map (CnLogDialog *self)
{
  if (self->shown_at == 0 && !self->editing)
    {
      self->shown_at = now_seconds ();
      schedule_draft (self);
    }
}

/* ---- GObject ---------------------------------------------------------------- */

static void
cn_log_dialog_dispose (GObject *object)
{
  CnLogDialog *self = CN_LOG_DIALOG (object);

  /* Closing the app with the dialog open keeps what was typed. */
  if (!self->disposed && self->database != NULL)
    cn_log_dialog_flush_draft (self);
  self->disposed = TRUE;

  g_clear_handle_id (&self->draft_timeout_id, g_source_remove);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_object (&self->database);
  g_clear_object (&self->settings);
  g_clear_object (&self->saved);

  gtk_widget_dispose_template (GTK_WIDGET (self), CN_TYPE_LOG_DIALOG);

  G_OBJECT_CLASS (cn_log_dialog_parent_class)->dispose (object);
}

static void
cn_log_dialog_finalize (GObject *object)
{
  CnLogDialog *self = CN_LOG_DIALOG (object);

  /* Kept to here: a draft write that ends after the window closed needs
   * the UUID (on_draft_written). */
  g_clear_object (&self->base);
  g_free (self->call_sid);

  G_OBJECT_CLASS (cn_log_dialog_parent_class)->finalize (object);
}

static void
cn_log_dialog_class_init (CnLogDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = cn_log_dialog_dispose;
  object_class->finalize = cn_log_dialog_finalize;
  window_class->close_request = cn_log_dialog_close_request;

  signals[SIGNAL_SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, CN_TYPE_CALL_LOG);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/cn-log-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CnLogDialog, title_widget);
  gtk_widget_class_bind_template_child (widget_class, CnLogDialog, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, CnLogDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, CnLogDialog, dial_revealer);
  gtk_widget_class_bind_template_child (widget_class, CnLogDialog, dial_label);
  gtk_widget_class_bind_template_child (widget_class, CnLogDialog, assistant_revealer);
  gtk_widget_class_bind_template_child (widget_class, CnLogDialog, assistant_label);
  gtk_widget_class_bind_template_child (widget_class, CnLogDialog, connected_button);
  gtk_widget_class_bind_template_child (widget_class, CnLogDialog, voicemail_button);
  gtk_widget_class_bind_template_child (widget_class, CnLogDialog, no_answer_button);
  gtk_widget_class_bind_template_child (widget_class, CnLogDialog, busy_button);
  gtk_widget_class_bind_template_child (widget_class, CnLogDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, CnLogDialog, contact_id_row);
  gtk_widget_class_bind_template_child (widget_class, CnLogDialog, number_row);
  gtk_widget_class_bind_template_child (widget_class, CnLogDialog, number_display_row);
  gtk_widget_class_bind_template_child (widget_class, CnLogDialog, duration_row);
  gtk_widget_class_bind_template_child (widget_class, CnLogDialog, duration_live_icon);
  gtk_widget_class_bind_template_child (widget_class, CnLogDialog, notes_view);
  gtk_widget_class_bind_template_child (widget_class, CnLogDialog, form);
  gtk_widget_class_bind_template_child (widget_class, CnLogDialog, follow_up_row);
  gtk_widget_class_bind_template_child (widget_class, CnLogDialog, date_button);
  gtk_widget_class_bind_template_child (widget_class, CnLogDialog, calendar);
  gtk_widget_class_bind_template_child (widget_class, CnLogDialog, time_row);
  gtk_widget_class_bind_template_child (widget_class, CnLogDialog, hour_spin);
  gtk_widget_class_bind_template_child (widget_class, CnLogDialog, minute_spin);

  gtk_widget_class_install_action (widget_class, "logger.save", NULL, on_save_action);
  gtk_widget_class_install_action (widget_class, "logger.copy-number", NULL,
                                   on_copy_number_action);
  gtk_widget_class_install_action (widget_class, "logger.outcome", "i", on_outcome_action);
  gtk_widget_class_install_action (widget_class, "logger.discard-mine", NULL,
                                   on_discard_mine_action);
  gtk_widget_class_install_action (widget_class, "logger.keep-both", NULL, on_keep_both_action);
  gtk_widget_class_install_action (widget_class, "logger.follow-up-preset", "i",
                                   on_follow_up_preset_action);

  /* Keys 1-4 pick the outcome unless a text field takes them; Ctrl+Enter
   * saves from anywhere, also from inside the notes. */
  for (CnOutcome o = CN_OUTCOME_FIRST; o <= CN_OUTCOME_LAST; o++)
    {
      gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + (o - CN_OUTCOME_FIRST), 0,
                                           "logger.outcome", "i", (int) o);
      gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_1 + (o - CN_OUTCOME_FIRST), 0,
                                           "logger.outcome", "i", (int) o);
    }
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cn_log_dialog_init (CnLogDialog *self)
{
  GtkEventController *capture;
  static const guint save_keys[] = { GDK_KEY_Return, GDK_KEY_KP_Enter, GDK_KEY_ISO_Enter };

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Ctrl+Enter must win over the notes view, which would insert a line. */
  capture = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (capture, GTK_PHASE_CAPTURE);
  for (guint i = 0; i < G_N_ELEMENTS (save_keys); i++)
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (capture),
                                          gtk_shortcut_new (gtk_keyval_trigger_new (save_keys[i],
                                                                                    GDK_CONTROL_MASK),
                                                            gtk_named_action_new ("logger.save")));
  gtk_widget_add_controller (GTK_WIDGET (self), capture);

  for (CnOutcome o = CN_OUTCOME_FIRST; o <= CN_OUTCOME_LAST; o++)
    g_signal_connect_object (button_for_outcome (self, o), "toggled",
                             G_CALLBACK (on_outcome_toggled), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->name_row, "changed", G_CALLBACK (on_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->contact_id_row, "changed", G_CALLBACK (on_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->number_row, "changed", G_CALLBACK (on_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->duration_row, "changed", G_CALLBACK (on_duration_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_text_view_get_buffer (self->notes_view), "changed",
                           G_CALLBACK (on_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->follow_up_row, "notify::enable-expansion",
                           G_CALLBACK (on_follow_up_enabled), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->calendar, "day-selected", G_CALLBACK (on_day_selected), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->hour_spin, "value-changed",
                           G_CALLBACK (on_follow_up_widget_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->minute_spin, "value-changed",
                           G_CALLBACK (on_follow_up_widget_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect (self->hour_spin, "output", G_CALLBACK (on_spin_output), NULL);
  g_signal_connect (self->minute_spin, "output", G_CALLBACK (on_spin_output), NULL);
  g_signal_connect (self, "map", G_CALLBACK (on_map), NULL);

  self->settings = g_settings_new (APP_ID);
}

static void
load_draft (CnLogDialog   *self,
            const CnDraft *draft)
{
  CnCallLog *log = draft->log;
  const char *number;

  self->updating = TRUE;

  self->base = cn_call_log_copy (log);
  self->editing = draft->editing;
  self->dialed_at = draft->dialed_at;
  self->shown_at = draft->shown_at;
  self->call_sid = g_strdup (draft->call_sid);

  if (cn_call_log_get_outcome (log) != CN_OUTCOME_NONE)
    gtk_toggle_button_set_active (button_for_outcome (self, cn_call_log_get_outcome (log)), TRUE);

  gtk_editable_set_text (GTK_EDITABLE (self->name_row),
                         cn_call_log_get_contact_name (log) ? cn_call_log_get_contact_name (log) : "");
  gtk_editable_set_text (GTK_EDITABLE (self->contact_id_row),
                         cn_call_log_get_contact_id (log) ? cn_call_log_get_contact_id (log) : "");

  number = cn_call_log_get_phone (log);
  self->number_editable = number == NULL && !self->editing;
  gtk_widget_set_visible (GTK_WIDGET (self->number_row), self->number_editable);
  gtk_widget_set_visible (GTK_WIDGET (self->number_display_row), !self->number_editable);
  if (number != NULL && cn_call_log_get_extension (log) != NULL)
    {
      g_autofree char *with_ext = g_strdup_printf (_("%s ext. %s"), number,
                                                   cn_call_log_get_extension (log));
      adw_action_row_set_subtitle (self->number_display_row, with_ext);
    }
  else
    adw_action_row_set_subtitle (self->number_display_row, number ? number : "—");
  gtk_editable_set_text (GTK_EDITABLE (self->number_row), "");

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->notes_view),
                            cn_call_log_get_notes (log) ? cn_call_log_get_notes (log) : "", -1);

  /* Count the call's length from the hand-off until the agent picks an
   * outcome or types a duration. */
  self->duration_live = !self->editing && self->dialed_at > 0 &&
                        cn_call_log_get_outcome (log) == CN_OUTCOME_NONE &&
                        cn_call_log_get_duration (log) < 0;
  if (self->duration_live)
    {
      on_tick (self);
      self->tick_id = g_timeout_add_seconds (1, on_tick, self);
    }
  else
    {
      show_duration (self, cn_call_log_get_duration (log));
      gtk_widget_set_visible (self->duration_live_icon, FALSE);
    }

  adw_expander_row_set_enable_expansion (self->follow_up_row,
                                         draft->follow_up_enabled ||
                                         cn_call_log_get_follow_up (log) > 0);
  adw_expander_row_set_expanded (self->follow_up_row,
                                 adw_expander_row_get_enable_expansion (self->follow_up_row));
  set_follow_up_widgets (self, cn_call_log_get_follow_up (log) > 0
                               ? cn_call_log_get_follow_up (log)
                               : cn_follow_up_preset (CN_FOLLOW_UP_TOMORROW_9, now_seconds (),
                                                      NULL));

  self->updating = FALSE;

  update_title (self);
  update_save_sensitive (self);

  /* Focus on the outcomes, so a digit key and Ctrl+Enter log the call. */
  gtk_widget_grab_focus (GTK_WIDGET (self->number_editable ? GTK_WIDGET (self->number_row)
                                                           : GTK_WIDGET (self->connected_button)));
}

CnLogDialog *
cn_log_dialog_new (GtkApplication *application,
                   CnDatabase     *database,
                   const CnDraft  *draft)
{
  CnLogDialog *self;

  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (CN_IS_DATABASE (database), NULL);
  g_return_val_if_fail (draft != NULL && CN_IS_CALL_LOG (draft->log), NULL);

  self = g_object_new (CN_TYPE_LOG_DIALOG, "application", application, NULL);
  self->database = g_object_ref (database);
  if (draft->editing)
    self->saved = cn_database_get_call (database, cn_call_log_get_uuid (draft->log), NULL);
  load_draft (self, draft);

  return self;
}

const char *
cn_log_dialog_get_uuid (CnLogDialog *self)
{
  g_return_val_if_fail (CN_IS_LOG_DIALOG (self), NULL);

  return cn_call_log_get_uuid (self->base);
}

const char *
cn_log_dialog_get_call_sid (CnLogDialog *self)
{
  g_return_val_if_fail (CN_IS_LOG_DIALOG (self), NULL);

  return self->call_sid;
}

void
cn_log_dialog_set_dial_problem (CnLogDialog *self,
                                const char  *message)
{
  g_return_if_fail (CN_IS_LOG_DIALOG (self));

  gtk_label_set_text (self->dial_label, message != NULL ? message : "");
  gtk_revealer_set_reveal_child (self->dial_revealer, message != NULL);
}

const char *
cn_log_dialog_get_error (CnLogDialog *self)
{
  g_return_val_if_fail (CN_IS_LOG_DIALOG (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->error_revealer))
    return NULL;

  return gtk_label_get_text (self->error_label);
}

gboolean
cn_log_dialog_has_changes (CnLogDialog *self)
{
  g_return_val_if_fail (CN_IS_LOG_DIALOG (self), FALSE);

  return has_changes (self);
}

gboolean
cn_log_dialog_is_editing (CnLogDialog *self)
{
  g_return_val_if_fail (CN_IS_LOG_DIALOG (self), FALSE);

  return self->editing;
}

gboolean
cn_log_dialog_is_saving (CnLogDialog *self)
{
  g_return_val_if_fail (CN_IS_LOG_DIALOG (self), FALSE);

  return self->saving;
}
