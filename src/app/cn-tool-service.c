/* cn-tool-service.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cn-tool-service"

#include "config.h"

#include <glib/gi18n.h>

#include "cn-application.h"
#include "cn-log-call-tool.h"
#include "cn-log-dialog.h"
#include "cn-settings.h"
#include "cn-tool-service.h"

struct _CnToolService
{
  GObject          parent_instance;

  GApplication    *application;    /* not owned */
  GDBusConnection *connection;
  guint            registration_id;
  CnCallLog       *dialed;         /* the last number handed to the softphone */
  gint64           dialed_at;
};

G_DEFINE_FINAL_TYPE (CnToolService, cn_tool_service, G_TYPE_OBJECT)

enum {
  SIGNAL_LOGGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char introspection_xml[] =
  "<node>"
  "  <interface name='" CN_TOOL_SERVICE_INTERFACE "'>"
  "    <method name='Schema'>"
  "      <arg type='s' name='schema' direction='out'/>"
  "    </method>"
  "    <method name='Call'>"
  "      <arg type='s' name='arguments' direction='in'/>"
  "      <arg type='s' name='result' direction='out'/>"
  "    </method>"
  "    <method name='Context'>"
  "      <arg type='s' name='context' direction='out'/>"
  "    </method>"
  "  </interface>"
  "</node>";

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
cn_tool_service_dispose (GObject *object)
{
  CnToolService *self = CN_TOOL_SERVICE (object);

  cn_tool_service_unregister (self);
  g_clear_object (&self->dialed);

  G_OBJECT_CLASS (cn_tool_service_parent_class)->dispose (object);
}

static void
cn_tool_service_class_init (CnToolServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cn_tool_service_dispose;

  signals[SIGNAL_LOGGED] = g_signal_new ("logged", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, CN_TYPE_CALL_LOG);
}

static void
cn_tool_service_init (CnToolService *self)
{
}

CnToolService *
cn_tool_service_new (GApplication *application)
{
  CnToolService *self;

  g_return_val_if_fail (CN_IS_APPLICATION (application), NULL);

  self = g_object_new (CN_TYPE_TOOL_SERVICE, NULL);
  self->application = application;
  return self;
}

/* ---- Call ----------------------------------------------------------------- */

typedef struct {
  CnToolService         *service;
  GDBusMethodInvocation *invocation;
} CallData;

static void
on_call_saved (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  CallData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CnCallLog) saved = cn_database_insert_call_finish (CN_DATABASE (source), result,
                                                                &error);

  if (saved == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The call was not logged: %s"),
                                                  error->message);

      g_dbus_method_invocation_return_dbus_error (data->invocation, CN_TOOL_SERVICE_ERROR_FAILED,
                                                  message);
    }
  else
    {
      g_autofree char *reply = cn_log_call_tool_result_json (saved);

      /* The history shows it before the caller hears back. */
      g_signal_emit (data->service, signals[SIGNAL_LOGGED], 0, saved);
      g_dbus_method_invocation_return_value (data->invocation, g_variant_new ("(s)", reply));
    }

  g_application_release (data->service->application);
  g_object_unref (data->service);
  g_free (data);
}

static void
handle_call (CnToolService         *self,
             GVariant              *parameters,
             GDBusMethodInvocation *invocation)
{
  CnDatabase *database = cn_application_get_database (CN_APPLICATION (self->application));
  g_autoptr(CnToolFault) fault = NULL;
  g_autoptr(CnCallLog) log = NULL;
  g_autofree char *country = NULL;
  const char *arguments;
  gsize length;
  CallData *data;

  g_variant_get (parameters, "(&s)", &arguments);
  length = strlen (arguments);

  country = cn_settings_dup_default_country_code (NULL);
  log = cn_log_call_tool_parse (arguments, length, country, now_seconds (), &fault);
  if (log == NULL)
    {
      g_autofree char *json = cn_log_call_tool_fault_json (fault);

      g_dbus_method_invocation_return_dbus_error (invocation,
                                                  CN_TOOL_SERVICE_ERROR_INVALID_ARGUMENTS, json);
      return;
    }

  if (database == NULL)
    {
      g_dbus_method_invocation_return_dbus_error (invocation, CN_TOOL_SERVICE_ERROR_FAILED,
                                                  _("The call database is not open."));
      return;
    }

  /* The save runs on the store's worker; the app stays up until it is
   * committed and answered. */
  data = g_new0 (CallData, 1);
  data->service = g_object_ref (self);
  data->invocation = invocation;
  g_application_hold (self->application);
  cn_database_insert_call_async (database, log, NULL, 0, NULL, on_call_saved, data);
}

/* ---- Context -------------------------------------------------------------- */

/* The logger of a new call the agent looked at last (windows are listed
 * most recently focused first), or NULL. */
static CnCallLog *
dup_shown_logger (CnToolService *self)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self->application));

  for (GList *l = windows; l != NULL; l = l->next)
    {
      g_autoptr(CnCallLog) log = NULL;

      if (!CN_IS_LOG_DIALOG (l->data) || !gtk_widget_get_visible (l->data))
        continue;

      log = cn_log_dialog_dup_log (l->data);
      /* A saved log being edited is not a call being logged. */
      if (cn_call_log_get_revision (log) == 0)
        return g_steal_pointer (&log);
    }

  return NULL;
}

char *
cn_tool_service_dup_context (CnToolService *self)
{
  g_autoptr(CnToolContext) context = NULL;
  g_autoptr(CnCallLog) shown = NULL;
  CnDatabase *database;

  g_return_val_if_fail (CN_IS_TOOL_SERVICE (self), NULL);

  shown = dup_shown_logger (self);
  database = cn_application_get_database (CN_APPLICATION (self->application));

  if (shown != NULL)
    {
      /* A logger's log is dated when its call was dialed (or the logger
       * opened). */
      gint64 started = cn_call_log_get_created_at (shown);

      if (self->dialed != NULL &&
          g_strcmp0 (cn_call_log_get_uuid (self->dialed), cn_call_log_get_uuid (shown)) == 0)
        started = self->dialed_at;
      context = cn_tool_context_new (CN_TOOL_CONTEXT_LOGGING, shown, started);
    }
  else if (self->dialed != NULL)
    {
      context = cn_tool_context_new (CN_TOOL_CONTEXT_DIALED, self->dialed, self->dialed_at);
    }
  else if (database != NULL)
    {
      g_autoptr(GError) error = NULL;

      context = cn_tool_context_from_database (database, &error);
      if (context == NULL)
        g_message ("Could not read the call context: %s", error->message);
    }

  if (context == NULL)
    context = cn_tool_context_new (CN_TOOL_CONTEXT_IDLE, NULL, 0);

  return cn_tool_context_to_json (context, now_seconds ());
}

/* ---- D-Bus ---------------------------------------------------------------- */

static void
on_method_call (GDBusConnection       *connection,
                const char            *sender,
                const char            *object_path,
                const char            *interface_name,
                const char            *method_name,
                GVariant              *parameters,
                GDBusMethodInvocation *invocation,
                gpointer               user_data)
{
  CnToolService *self = user_data;

  if (g_str_equal (method_name, "Schema"))
    {
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(s)",
                                                            cn_log_call_tool_get_schema ()));
    }
  else if (g_str_equal (method_name, "Call"))
    {
      handle_call (self, parameters, invocation);
    }
  else if (g_str_equal (method_name, "Context"))
    {
      g_autofree char *json = cn_tool_service_dup_context (self);

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(s)", json));
    }
  else
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR,
                                             G_DBUS_ERROR_UNKNOWN_METHOD,
                                             "No method %s", method_name);
    }
}

static const GDBusInterfaceVTable vtable = { on_method_call, NULL, NULL, { 0 } };

gboolean
cn_tool_service_register (CnToolService    *self,
                          GDBusConnection  *connection,
                          const char       *app_object_path,
                          GError          **error)
{
  static GDBusNodeInfo *info = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (CN_IS_TOOL_SERVICE (self), FALSE);
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), FALSE);
  g_return_val_if_fail (self->registration_id == 0, FALSE);

  if (g_once_init_enter (&info))
    g_once_init_leave (&info, g_dbus_node_info_new_for_xml (introspection_xml, NULL));

  path = g_strconcat (app_object_path, CN_TOOL_SERVICE_PATH_SUFFIX, NULL);
  self->registration_id = g_dbus_connection_register_object (connection, path,
                                                             info->interfaces[0], &vtable,
                                                             self, NULL, error);
  if (self->registration_id == 0)
    return FALSE;

  self->connection = g_object_ref (connection);
  return TRUE;
}

void
cn_tool_service_unregister (CnToolService *self)
{
  g_return_if_fail (CN_IS_TOOL_SERVICE (self));

  if (self->registration_id != 0)
    g_dbus_connection_unregister_object (self->connection, self->registration_id);
  self->registration_id = 0;
  g_clear_object (&self->connection);
}

void
cn_tool_service_note_dialed (CnToolService *self,
                             CnCallLog     *log,
                             gint64         at)
{
  g_return_if_fail (CN_IS_TOOL_SERVICE (self));
  g_return_if_fail (CN_IS_CALL_LOG (log));

  g_clear_object (&self->dialed);
  self->dialed = cn_call_log_copy (log);
  self->dialed_at = at;
}
