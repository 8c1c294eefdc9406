/* cn-follow-ups-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-follow-ups-window"

#include "config.h"

#include <glib/gi18n.h>

#include "cn-follow-ups-window.h"
#include "cn-format.h"
#include "cn-live-store.h"

/* How often the page looks for commits (this process, the command line);
 * one PRAGMA. */
#define WATCH_INTERVAL_MS 1000

/* Follow-ups listed at most: each row is a handful of widgets. */
#define MAX_FOLLOW_UPS 300

#define SNOOZE_SECONDS (10 * 60)

typedef enum {
  GROUP_OVERDUE,
  GROUP_UPCOMING,
  N_GROUPS
} Group;

/* One follow-up's row, kept from one refresh to the next while it stays in
 * its group (so the keyboard focus stays too). */
typedef struct {
  char       *uuid;
  Group       group;
  GtkWidget  *row;          /* owned */
  GtkWidget  *call_button;
} Row;

struct _CnFollowUpsWindow
{
  AdwWindow             parent_instance;

  /* template */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *stack;
  AdwPreferencesGroup  *overdue_group;
  AdwPreferencesGroup  *upcoming_group;

  AdwPreferencesGroup  *groups[N_GROUPS];
  GPtrArray            *rows[N_GROUPS];     /* Row, in the order shown */

  CnDatabase           *database;
  GCancellable         *cancellable;
  gint64                data_version;
  gint64                refreshed_minute;   /* the clock's minute at the last refresh */
  gint64                next_due_at;        /* the soonest upcoming one, 0 none */
  guint                 watch_id;
};

G_DEFINE_FINAL_TYPE (CnFollowUpsWindow, cn_follow_ups_window, ADW_TYPE_WINDOW)

static void
row_free (Row *row)
{
  g_free (row->uuid);
  g_clear_object (&row->row);
  g_free (row);
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* ---- times ------------------------------------------------------------------ */

static char *
format_local (GDateTime  *dt,
              const char *translated,
              const char *fallback)
{
  char *text = g_date_time_format (dt, translated);

  return text != NULL ? text : g_date_time_format (dt, fallback);
}

/* When an upcoming follow-up is due: "Today 14:00", "Tomorrow 09:00",
 * "Mon 09:00" within the week, else "24 Nov 2026 09:00". */
static char *
format_upcoming (gint64 due_at,
                 gint64 now)
{
  g_autoptr(GDateTime) due = g_date_time_new_from_unix_local (due_at);
  g_autoptr(GDateTime) today = g_date_time_new_from_unix_local (now);
  GDate due_date, today_date;
  gint days;

  if (due == NULL || today == NULL)
    return g_strdup ("—");

  g_date_clear (&due_date, 1);
  g_date_clear (&today_date, 1);
  g_date_set_dmy (&due_date, g_date_time_get_day_of_month (due),
                  g_date_time_get_month (due), g_date_time_get_year (due));
  g_date_set_dmy (&today_date, g_date_time_get_day_of_month (today),
                  g_date_time_get_month (today), g_date_time_get_year (today));
  days = g_date_days_between (&today_date, &due_date);

  if (days <= 0)
    /* Translators: a time later today, in g_date_time_format() syntax */
    return format_local (due, _("Today %H:%M"), "Today %H:%M");
  if (days == 1)
    /* Translators: a time tomorrow, in g_date_time_format() syntax */
    return format_local (due, _("Tomorrow %H:%M"), "Tomorrow %H:%M");
  if (days < 7)
    /* Translators: weekday and time in the coming week, "Mon 09:15", g_date_time_format() syntax */
    return format_local (due, _("%a %H:%M"), "%a %H:%M");

  /* Translators: a date and time, "24 Nov 2026 09:00", in g_date_time_format() syntax */
  return format_local (due, _("%-d %b %Y %H:%M"), "%-d %b %Y %H:%M");
}

/* ---- rows ------------------------------------------------------------------- */

static GtkWidget *
add_button (GtkWidget  *row,
            const char *icon_name,
            const char *label,
            const char *action_name,
            const char *target)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  /* The target first: an action of type "s" without one is an error. The
   * call button gets both when it is filled. */
  if (target != NULL)
    {
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button),
                                              g_variant_new_string (target));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
    }
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

  return button;
}

static Row *
row_new (const char *uuid,
         Group       group)
{
  Row *row = g_new0 (Row, 1);
  GtkWidget *widget = adw_action_row_new ();
  GtkWidget *icon;

  row->uuid = g_strdup (uuid);
  row->group = group;
  row->row = g_object_ref_sink (widget);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (widget), FALSE);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (widget), 1);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (widget), 2);
  gtk_widget_add_css_class (widget, "cn-follow-up");
  gtk_widget_add_css_class (widget, group == GROUP_OVERDUE ? "cn-follow-up-overdue"
                                                           : "cn-follow-up-upcoming");

  icon = gtk_image_new_from_icon_name (group == GROUP_OVERDUE ? "alarm-symbolic"
                                                              : "x-office-calendar-symbolic");
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  group == GROUP_OVERDUE ? _("Overdue") : _("Upcoming"), -1);
  gtk_widget_add_css_class (icon, "cn-follow-up-icon");
  adw_action_row_add_prefix (ADW_ACTION_ROW (widget), icon);

  /* Snooze first: Call Now and Mark Done line up in every row. */
  if (group == GROUP_OVERDUE)
    add_button (widget, "preferences-system-time-symbolic", _("Snooze 10 Minutes"),
                "follow-ups.snooze", uuid);
  row->call_button = add_button (widget, "call-start-symbolic", _("Call Now"), NULL, NULL);
  add_button (widget, "object-select-symbolic", _("Mark Done"), "follow-ups.done", uuid);

  return row;
}

/* The number to dial: tel: with the extension, as Call Again does. */
static char *
dup_dial_target (CnCallLog *log)
{
  const char *phone = cn_call_log_get_phone (log);

  if (phone == NULL || *phone == '\0')
    return NULL;

  if (cn_call_log_get_extension (log) != NULL && *cn_call_log_get_extension (log) != '\0')
    return g_strdup_printf ("tel:%s;ext=%s", phone, cn_call_log_get_extension (log));

  return g_strdup_printf ("tel:%s", phone);
}

static void
fill_row (Row              *row,
          const CnFollowUp *follow_up,
          gint64            now)
{
  CnCallLog *log = follow_up->log;
  const char *phone = cn_call_log_get_phone (log);
  const char *name = cn_call_log_get_contact_name (log);
  g_autofree char *when = NULL;
  g_autofree char *notes = cn_call_log_dup_notes_summary (log);
  g_autofree char *target = dup_dial_target (log);
  g_autoptr(GString) subtitle = g_string_new (NULL);

  if (row->group == GROUP_OVERDUE)
    when = cn_format_relative_time (follow_up->due_at, now, NULL);
  else
    when = format_upcoming (follow_up->due_at, now);

  g_string_append (subtitle, when);
  if (name != NULL && *name != '\0' && phone != NULL && *phone != '\0')
    g_string_append_printf (subtitle, " · %s", phone);
  if (notes != NULL && *notes != '\0')
    g_string_append_printf (subtitle, "\n%s", notes);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->row),
                                 cn_call_log_get_display_name (log));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row->row), subtitle->str);

  gtk_widget_set_visible (row->call_button, target != NULL);
  if (target != NULL)
    {
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (row->call_button),
                                              g_variant_new_string (target));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (row->call_button), "app.dial");
    }
}

/* Puts @wanted (Row, in order) into @group: rows that stay keep their
 * place unless the order changed. */
static void
show_rows (CnFollowUpsWindow *self,
           Group              group,
           GPtrArray         *wanted)
{
  AdwPreferencesGroup *widget = self->groups[group];
  GPtrArray *shown = self->rows[group];
  g_autoptr(GHashTable) wanted_set = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();
  gboolean in_order = TRUE;

  for (guint i = 0; i < wanted->len; i++)
    g_hash_table_add (wanted_set, g_ptr_array_index (wanted, i));

  for (guint i = 0; i < shown->len; i++)
    {
      Row *row = g_ptr_array_index (shown, i);

      if (g_hash_table_contains (wanted_set, row))
        g_ptr_array_add (kept, row);
      else
        adw_preferences_group_remove (widget, row->row);
    }

  for (guint i = 0; i < kept->len; i++)
    if (g_ptr_array_index (kept, i) != g_ptr_array_index (wanted, i))
      in_order = FALSE;

  if (!in_order)
    for (guint i = 0; i < kept->len; i++)
      adw_preferences_group_remove (widget, ((Row *) g_ptr_array_index (kept, i))->row);

  for (guint i = in_order ? kept->len : 0; i < wanted->len; i++)
    adw_preferences_group_add (widget, ((Row *) g_ptr_array_index (wanted, i))->row);

  g_ptr_array_set_size (shown, 0);
  for (guint i = 0; i < wanted->len; i++)
    g_ptr_array_add (shown, g_ptr_array_index (wanted, i));

  gtk_widget_set_visible (GTK_WIDGET (widget), wanted->len > 0);
}

/* The row (group and place) that holds the keyboard focus, FALSE none. */
static gboolean
find_focused_row (CnFollowUpsWindow *self,
                  Group             *group,
                  guint             *index)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  for (guint g = 0; focus != NULL && g < N_GROUPS; g++)
    for (guint i = 0; i < self->rows[g]->len; i++)
      {
        Row *row = g_ptr_array_index (self->rows[g], i);

        if (focus == row->row || gtk_widget_is_ancestor (focus, row->row))
          {
            *group = g;
            *index = i;
            return TRUE;
          }
      }

  return FALSE;
}

/* The focused row left (done, snoozed): the focus goes to the row now in
 * its place, else the one before, else another group's first, instead of
 * wherever GTK puts it (a toast's close button, where Escape would not
 * close the page). */
static void
restore_focus (CnFollowUpsWindow *self,
               Group              group,
               guint              index,
               GtkWidget         *row_before)
{
  GPtrArray *rows = self->rows[group];
  Row *target = NULL;

  if (rows->len > 0)
    target = g_ptr_array_index (rows, MIN (index, rows->len - 1));
  else if (self->rows[1 - group]->len > 0)
    target = g_ptr_array_index (self->rows[1 - group], 0);

  if (target != NULL && target->row == row_before)
    return;   /* still there: the focus stayed */

  if (target != NULL)
    gtk_widget_grab_focus (target->row);
  else
    gtk_window_set_focus (GTK_WINDOW (self), NULL);
}

void
cn_follow_ups_window_refresh (CnFollowUpsWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) follow_ups = NULL;
  g_autoptr(GHashTable) old_rows = NULL;
  GPtrArray *wanted[N_GROUPS];
  gint64 now = now_seconds ();
  guint total = 0;
  Group focus_group = GROUP_OVERDUE;
  guint focus_index = 0;
  gboolean had_focus;
  GtkWidget *focus_row = NULL;

  g_return_if_fail (CN_IS_FOLLOW_UPS_WINDOW (self));

  if (self->database == NULL)
    return;

  self->data_version = cn_database_get_data_version (self->database);
  self->refreshed_minute = now / 60;
  self->next_due_at = 0;

  follow_ups = cn_database_list_follow_ups (self->database, 0, MAX_FOLLOW_UPS, &error);
  if (follow_ups == NULL)
    {
      g_warning ("Could not list the follow-ups: %s", error->message);
      return;
    }

  /* Every row shown now, by UUID; those still wanted are taken out, the
   * others are freed at the end (after they left their group). */
  old_rows = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) row_free);
  for (guint g = 0; g < N_GROUPS; g++)
    {
      for (guint i = 0; i < self->rows[g]->len; i++)
        {
          Row *row = g_ptr_array_index (self->rows[g], i);

          g_hash_table_insert (old_rows, row->uuid, row);
        }
      wanted[g] = g_ptr_array_new ();
    }

  for (guint i = 0; i < follow_ups->len; i++)
    {
      const CnFollowUp *follow_up = g_ptr_array_index (follow_ups, i);
      const char *uuid = cn_call_log_get_uuid (follow_up->log);
      Group group = follow_up->due_at <= now ? GROUP_OVERDUE : GROUP_UPCOMING;
      Row *row = g_hash_table_lookup (old_rows, uuid);

      if (row != NULL && row->group == group)
        g_hash_table_steal (old_rows, uuid);
      else
        row = row_new (uuid, group);   /* other buttons: the old one goes */

      fill_row (row, follow_up, now);
      g_ptr_array_add (wanted[group], row);
      total++;

      if (group == GROUP_UPCOMING && self->next_due_at == 0)
        self->next_due_at = follow_up->due_at;
    }

  had_focus = find_focused_row (self, &focus_group, &focus_index);
  if (had_focus)
    focus_row = ((Row *) g_ptr_array_index (self->rows[focus_group], focus_index))->row;
  if (had_focus && g_ptr_array_find (wanted[focus_group],
                                     g_ptr_array_index (self->rows[focus_group], focus_index),
                                     NULL))
    had_focus = FALSE;   /* it stays */

  for (guint g = 0; g < N_GROUPS; g++)
    {
      show_rows (self, g, wanted[g]);
      g_ptr_array_unref (wanted[g]);
    }

  if (had_focus)
    restore_focus (self, focus_group, focus_index, focus_row);

  gtk_stack_set_visible_child_name (self->stack, total > 0 ? "list" : "empty");
}

/* Another commit, a minute gone by (the times read "5 minutes ago"), or an
 * upcoming one fell due. */
static gboolean
on_watch (gpointer user_data)
{
  CnFollowUpsWindow *self = user_data;
  gint64 now = now_seconds ();

  if (cn_database_get_data_version (self->database) != self->data_version ||
      now / 60 != self->refreshed_minute ||
      (self->next_due_at != 0 && now >= self->next_due_at))
    cn_follow_ups_window_refresh (self);

  return G_SOURCE_CONTINUE;
}

/* ---- actions ------------------------------------------------------------------ */

static void
show_toast (CnFollowUpsWindow *self,
            const char        *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

/* Snooze and Mark Done write to the database: a thread does it, so another
 * program holding the database never freezes the window. */
typedef struct {
  CnDatabase *database;
  char       *uuid;
  char       *who;
  gboolean    done;        /* Mark Done, else Snooze */
  gint64      until;
} Change;

static void
change_free (Change *change)
{
  g_object_unref (change->database);
  g_free (change->uuid);
  g_free (change->who);
  g_free (change);
}

static void
run_change_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  Change *change = task_data;
  GError *error = NULL;
  gboolean ok;

  if (change->done)
    ok = cn_database_complete_follow_up (change->database, change->uuid, &error);
  else
    ok = cn_database_snooze_follow_up (change->database, change->uuid, change->until, &error);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_change_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  CnFollowUpsWindow *self = CN_FOLLOW_UPS_WINDOW (source);
  Change *change = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  GtkApplication *application;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      if (change->done)
        /* Translators: %s is an error message */
        message = g_strdup_printf (_("Could not mark the follow-up done: %s"), error->message);
      else
        /* Translators: %s is an error message */
        message = g_strdup_printf (_("Could not snooze the follow-up: %s"), error->message);
      show_toast (self, message);
      cn_follow_ups_window_refresh (self);
      return;
    }

  /* Its reminder, if one is on screen, is answered. */
  application = gtk_window_get_application (GTK_WINDOW (self));
  if (application != NULL)
    {
      g_autofree char *id = g_strdup_printf ("follow-up-%s", change->uuid);

      g_application_withdraw_notification (G_APPLICATION (application), id);
    }

  cn_follow_ups_window_refresh (self);

  if (change->done)
    /* Translators: %s is a contact name or phone number */
    message = g_strdup_printf (_("Follow-up with %s done"), change->who);
  else
    /* Translators: %s is a contact name or phone number */
    message = g_strdup_printf (_("Follow-up with %s snoozed for 10 minutes"), change->who);
  show_toast (self, message);
}

static void
run_change (CnFollowUpsWindow *self,
            const char        *uuid,
            gboolean           done)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(CnCallLog) log = NULL;
  Change *change;

  if (self->database == NULL)
    return;

  log = cn_database_get_call (self->database, uuid, NULL);

  change = g_new0 (Change, 1);
  change->database = g_object_ref (self->database);
  change->uuid = g_strdup (uuid);
  change->who = g_strdup (log != NULL ? cn_call_log_get_display_name (log) : "?");
  change->done = done;
  change->until = now_seconds () + SNOOZE_SECONDS;

  task = g_task_new (self, self->cancellable, on_change_done, NULL);
  g_task_set_source_tag (task, run_change);
  g_task_set_task_data (task, change, (GDestroyNotify) change_free);
  g_task_run_in_thread (task, run_change_thread);
}

static void
on_snooze_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  run_change (CN_FOLLOW_UPS_WINDOW (widget), g_variant_get_string (parameter, NULL), FALSE);
}

static void
on_done_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  run_change (CN_FOLLOW_UPS_WINDOW (widget), g_variant_get_string (parameter, NULL), TRUE);
}

/* ---- GObject ----------------------------------------------------------------- */

static void
cn_follow_ups_window_dispose (GObject *object)
{
  CnFollowUpsWindow *self = CN_FOLLOW_UPS_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->watch_id, g_source_remove);

  gtk_widget_dispose_template (GTK_WIDGET (self), CN_TYPE_FOLLOW_UPS_WINDOW);
  for (guint g = 0; g < N_GROUPS; g++)
    {
      for (guint i = 0; self->rows[g] != NULL && i < self->rows[g]->len; i++)
        row_free (g_ptr_array_index (self->rows[g], i));
      g_clear_pointer (&self->rows[g], g_ptr_array_unref);
    }
  g_clear_object (&self->database);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (cn_follow_ups_window_parent_class)->dispose (object);
}

static void
cn_follow_ups_window_class_init (CnFollowUpsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cn_follow_ups_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE "/cn-follow-ups-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CnFollowUpsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CnFollowUpsWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CnFollowUpsWindow, overdue_group);
  gtk_widget_class_bind_template_child (widget_class, CnFollowUpsWindow, upcoming_group);

  gtk_widget_class_install_action (widget_class, "follow-ups.snooze", "s", on_snooze_action);
  gtk_widget_class_install_action (widget_class, "follow-ups.done", "s", on_done_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cn_follow_ups_window_init (CnFollowUpsWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->groups[GROUP_OVERDUE] = self->overdue_group;
  self->groups[GROUP_UPCOMING] = self->upcoming_group;
  for (guint g = 0; g < N_GROUPS; g++)
    {
      /* Not owned: a refresh frees the rows that left (see there). */
      self->rows[g] = g_ptr_array_new ();
      gtk_widget_set_visible (GTK_WIDGET (self->groups[g]), FALSE);
    }

  self->cancellable = g_cancellable_new ();
}

CnFollowUpsWindow *
cn_follow_ups_window_new (GtkWindow  *parent,
                          CnDatabase *database)
{
  CnFollowUpsWindow *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CN_IS_DATABASE (database), NULL);

  self = g_object_new (CN_TYPE_FOLLOW_UPS_WINDOW,
                       "transient-for", parent,
                       "application", parent != NULL ? gtk_window_get_application (parent) : NULL,
                       NULL);
  self->database = g_object_ref (database);
  self->watch_id = g_timeout_add (WATCH_INTERVAL_MS, on_watch, self);
  cn_follow_ups_window_refresh (self);

  return self;
}

gint
cn_follow_ups_count_overdue (CnDatabase *database,
                             gint64      now,
                             guint       limit)
{
  g_autoptr(GError) error = NULL;
  gint count;

  g_return_val_if_fail (CN_IS_DATABASE (database), -1);

  count = cn_database_count_due_follow_ups (database, MAX (now, 1), limit, &error);
  if (count < 0)
    g_warning ("Could not count the overdue follow-ups: %s", error->message);

  return count;
}
