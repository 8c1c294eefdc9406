/* cn-call-log-model.c: a GListModel of call logs that pages from SQLite
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The model holds the row count and at most MAX_PAGES pages of PAGE_ROWS logs
 * (least recently used pages are dropped), so its memory does not depend on
 * the number of rows. A page next to a cached one is read by key ("the 100
 * rows after this one"), which costs the same anywhere in the list; other
 * pages by OFFSET, which the database reads from the nearer end of the list.
 *
 * With a limit, a search is counted only up to past it (count_cap(); the
 * store counts at least to 4001): the total is then "at least that many",
 * which is all the list needs to know that more rows follow, and it is
 * counted further when the limit reaches it. Lists without a search are
 * counted exactly.
 *
 * Page 0 comes with the count, from one snapshot: its first row and the
 * highest log id then are what reload() compares against to tell "new rows
 * on top" from any other change.
 */
#define G_LOG_DOMAIN "cn-call-log-model"

#include "config.h"

#include <string.h>

#include "cn-call-log-model.h"
#include "cn-database-private.h"

#define PAGE_ROWS 100
#define MAX_PAGES 8

typedef struct {
  guint      index;
  GPtrArray *items;      /* CnCallLog */
  GArray    *keys;       /* CnRowKey, parallel to items */
  guint64    last_used;
} Page;

struct _CnCallLogModel
{
  GObject     parent_instance;

  CnDatabase *database;
  char       *search;
  CnOutcome   outcome;

  guint       n_items;     /* what the list shows: MIN (total, limit) */
  guint       total;       /* rows that match; when !total_exact, at least that many */
  gboolean    total_exact; /* when FALSE, total > limit > 0 */
  guint       limit;       /* 0: no limit */
  gboolean    has_top;     /* the first row at the last probe */
  CnRowKey    top;
  CnListCount counted;     /* the last probe's count, generation, last id and
                            * (for a search) matching ids */

  Page       *pages[MAX_PAGES];
  guint       n_pages;
  guint64     clock;
};

static void cn_call_log_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CnCallLogModel, cn_call_log_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      cn_call_log_model_list_model_init))

enum {
  PROP_0,
  PROP_DATABASE,
  PROP_SEARCH,
  PROP_OUTCOME,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
page_free (Page *page)
{
  g_ptr_array_unref (page->items);
  g_array_unref (page->keys);
  g_free (page);
}

static void
drop_pages (CnCallLogModel *self)
{
  for (guint i = 0; i < self->n_pages; i++)
    g_clear_pointer (&self->pages[i], page_free);
  self->n_pages = 0;
}

static Page *
find_page (CnCallLogModel *self,
           guint           index)
{
  for (guint i = 0; i < self->n_pages; i++)
    if (self->pages[i]->index == index)
      return self->pages[i];

  return NULL;
}

static void
add_page (CnCallLogModel *self,
          Page           *page)
{
  if (self->n_pages == MAX_PAGES)
    {
      guint oldest = 0;

      for (guint i = 1; i < self->n_pages; i++)
        if (self->pages[i]->last_used < self->pages[oldest]->last_used)
          oldest = i;

      page_free (self->pages[oldest]);
      self->pages[oldest] = self->pages[--self->n_pages];
    }

  self->pages[self->n_pages++] = page;
}

static Page *
add_new_page (CnCallLogModel *self,
              guint           index,
              GPtrArray      *items,
              GArray         *keys)
{
  Page *page = g_new0 (Page, 1);

  page->index = index;
  page->items = items;
  page->keys = keys;
  add_page (self, page);

  return page;
}

static Page *
load_page (CnCallLogModel *self,
           guint           index)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) keys = NULL;
  GPtrArray *items;
  CnCallQuery query = { self->search, self->outcome };
  Page *previous = index > 0 ? find_page (self, index - 1) : NULL;
  Page *next = find_page (self, index + 1);

  if (previous != NULL && previous->keys->len == PAGE_ROWS)
    {
      items = cn_database_query_page (self->database, &query,
                                      &g_array_index (previous->keys, CnRowKey, PAGE_ROWS - 1),
                                      NULL, 0, PAGE_ROWS, &self->counted, &keys, &error);
    }
  else if (next != NULL && next->keys->len > 0)
    {
      items = cn_database_query_page (self->database, &query, NULL,
                                      &g_array_index (next->keys, CnRowKey, 0),
                                      0, PAGE_ROWS, &self->counted, &keys, &error);
    }
  else
    {
      items = cn_database_query_page (self->database, &query, NULL, NULL, index * PAGE_ROWS,
                                      PAGE_ROWS, &self->counted, &keys, &error);
    }

  if (items == NULL)
    {
      g_warning ("Could not read call logs %u–%u: %s", index * PAGE_ROWS,
                 (index + 1) * PAGE_ROWS - 1, error->message);
      return NULL;
    }

  return add_new_page (self, index, items, g_steal_pointer (&keys));
}

/* How far to count a search for @limit rows (see the top of the file). */
static guint
count_cap (guint limit)
{
  guint64 cap;

  if (limit == 0)
    return G_MAXUINT;

  /* Recounted when the limit reaches it: a few times as the person
   * scrolls through thousands of rows. */
  cap = (guint64) limit * 2;
  return (guint) MIN (cap, G_MAXUINT - 1);
}

static gboolean
probe (CnCallLogModel *self,
       gboolean        since_last,
       guint           cap,
       CnListProbe    *result)
{
  g_autoptr(GError) error = NULL;
  CnCallQuery query = { self->search, self->outcome };

  if (!cn_database_probe_list (self->database, &query, cap,
                               since_last ? &self->counted : NULL,
                               since_last && self->has_top ? &self->top : NULL,
                               PAGE_ROWS, result, &error))
    {
      g_warning ("Could not count call logs: %s", error->message);
      return FALSE;
    }

  return TRUE;
}

static void
update_n_items (CnCallLogModel *self)
{
  self->n_items = self->limit > 0 ? MIN (self->total, self->limit) : self->total;
}

/* Takes the count and page 0 of @result; the pages must have been dropped. */
static void
take_probe (CnCallLogModel *self,
            CnListProbe    *result)
{
  g_assert (self->n_pages == 0);

  cn_list_count_clear (&self->counted);
  self->counted = result->counted;
  result->counted.match_ids = NULL;
  self->total = self->counted.count;
  self->total_exact = self->counted.exact;
  update_n_items (self);
  self->has_top = result->first_keys != NULL && result->first_keys->len > 0;
  if (self->has_top)
    self->top = g_array_index (result->first_keys, CnRowKey, 0);
  if (result->first_page != NULL)
    add_new_page (self, 0, g_steal_pointer (&result->first_page),
                  g_steal_pointer (&result->first_keys));
}

/* Reads everything again and tells the list that every row changed. */
static void
reset (CnCallLogModel *self)
{
  CnListProbe result = { 0, };
  guint old_n_items = self->n_items;

  drop_pages (self);
  if (!probe (self, FALSE, count_cap (self->limit), &result))
    memset (&result, 0, sizeof result);
  take_probe (self, &result);
  cn_list_probe_clear (&result);

  if (old_n_items > 0 || self->n_items > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n_items, self->n_items);
  if (old_n_items != self->n_items)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/* reload() with a search counted up to @cap. */
static void
refresh (CnCallLogModel *self,
         guint           cap)
{
  CnListProbe result = { 0, };
  guint old_n_items;
  guint old_total;
  gboolean old_exact;
  guint added;

  if (!probe (self, TRUE, cap, &result))
    return;

  /* No log changed since the last probe (another write, e.g. a draft, moved
   * the data version): what we have stays. */
  if (result.unchanged)
    {
      cn_list_probe_clear (&result);
      return;
    }

  old_n_items = self->n_items;
  old_total = self->total;
  old_exact = self->total_exact;

  /* No log was edited or removed since the last probe (the generation would
   * have moved), so only inserts happened, and they got higher ids. When all
   * of them sort in front of the old first row, the old rows are unchanged,
   * just lower. */
  if (!self->has_top || result.counted.generation != self->counted.generation ||
      result.n_added != result.n_added_on_top)
    {
      if (old_n_items == 0 && result.counted.count == 0)
        {
          drop_pages (self);
          take_probe (self, &result);
          cn_list_probe_clear (&result);
          return;
        }

      drop_pages (self);
      take_probe (self, &result);
      cn_list_probe_clear (&result);
      g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n_items, self->n_items);
      if (old_n_items != self->n_items)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
      return;
    }

  added = result.n_added;
  if (added == 0)
    {
      /* Nothing changed for this list (logs it does not show may have been
       * added); the cached pages stay. A higher cap may have counted
       * further, which leaves n_items alone: a capped total is above the
       * limit. */
      cn_list_count_clear (&self->counted);
      self->counted = result.counted;
      result.counted.match_ids = NULL;
      if (!self->total_exact && (result.counted.exact || result.counted.count > self->total))
        {
          self->total = result.counted.count;
          self->total_exact = result.counted.exact;
          update_n_items (self);
          g_warn_if_fail (self->n_items == old_n_items);
        }
      cn_list_probe_clear (&result);
      return;
    }

  /* The rows on screen stay on screen: the limit moves down with them. */
  if (self->limit > 0)
    self->limit += added;

  drop_pages (self);
  take_probe (self, &result);
  cn_list_probe_clear (&result);

  /* Old rows plus the new ones is as good a count as the new one. */
  if (!self->total_exact)
    {
      self->total = MAX (self->total, old_total + added);
      self->total_exact = old_exact;
    }
  update_n_items (self);

  g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, self->n_items - old_n_items);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static GType
cn_call_log_model_get_item_type (GListModel *model)
{
  return CN_TYPE_CALL_LOG;
}

static guint
cn_call_log_model_get_n_items (GListModel *model)
{
  return CN_CALL_LOG_MODEL (model)->n_items;
}

static gpointer
cn_call_log_model_get_item (GListModel *model,
                            guint       position)
{
  CnCallLogModel *self = CN_CALL_LOG_MODEL (model);
  guint index = position / PAGE_ROWS;
  guint row = position % PAGE_ROWS;
  Page *page;

  if (position >= self->n_items)
    return NULL;

  page = find_page (self, index);
  if (page == NULL)
    page = load_page (self, index);
  if (page == NULL || row >= page->items->len)
    return NULL;

  page->last_used = ++self->clock;
  return g_object_ref (g_ptr_array_index (page->items, row));
}

static void
cn_call_log_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = cn_call_log_model_get_item_type;
  iface->get_n_items = cn_call_log_model_get_n_items;
  iface->get_item = cn_call_log_model_get_item;
}

static void
cn_call_log_model_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CnCallLogModel *self = CN_CALL_LOG_MODEL (object);

  switch (prop_id)
    {
    case PROP_DATABASE:
      g_value_set_object (value, self->database);
      break;
    case PROP_SEARCH:
      g_value_set_string (value, self->search);
      break;
    case PROP_OUTCOME:
      g_value_set_int (value, self->outcome);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->n_items);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cn_call_log_model_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  CnCallLogModel *self = CN_CALL_LOG_MODEL (object);

  switch (prop_id)
    {
    case PROP_DATABASE:
      self->database = g_value_dup_object (value);
      break;
    case PROP_SEARCH:
      cn_call_log_model_set_search (self, g_value_get_string (value));
      break;
    case PROP_OUTCOME:
      cn_call_log_model_set_outcome (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cn_call_log_model_constructed (GObject *object)
{
  CnCallLogModel *self = CN_CALL_LOG_MODEL (object);
  CnListProbe result = { 0, };

  G_OBJECT_CLASS (cn_call_log_model_parent_class)->constructed (object);

  g_assert (CN_IS_DATABASE (self->database));

  /* Nobody is listening yet, so no items-changed. */
  if (probe (self, FALSE, count_cap (self->limit), &result))
    take_probe (self, &result);
  cn_list_probe_clear (&result);
}

static void
cn_call_log_model_dispose (GObject *object)
{
  CnCallLogModel *self = CN_CALL_LOG_MODEL (object);

  drop_pages (self);
  cn_list_count_clear (&self->counted);
  g_clear_object (&self->database);

  G_OBJECT_CLASS (cn_call_log_model_parent_class)->dispose (object);
}

static void
cn_call_log_model_finalize (GObject *object)
{
  CnCallLogModel *self = CN_CALL_LOG_MODEL (object);

  g_free (self->search);

  G_OBJECT_CLASS (cn_call_log_model_parent_class)->finalize (object);
}

static void
cn_call_log_model_class_init (CnCallLogModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = cn_call_log_model_get_property;
  object_class->set_property = cn_call_log_model_set_property;
  object_class->constructed = cn_call_log_model_constructed;
  object_class->dispose = cn_call_log_model_dispose;
  object_class->finalize = cn_call_log_model_finalize;

  properties[PROP_DATABASE] =
    g_param_spec_object ("database", NULL, NULL, CN_TYPE_DATABASE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEARCH] =
    g_param_spec_string ("search", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OUTCOME] =
    g_param_spec_int ("outcome", NULL, NULL, CN_OUTCOME_NONE, CN_OUTCOME_LAST, CN_OUTCOME_NONE,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cn_call_log_model_init (CnCallLogModel *self)
{
}

CnCallLogModel *
cn_call_log_model_new (CnDatabase *database)
{
  g_return_val_if_fail (CN_IS_DATABASE (database), NULL);

  return g_object_new (CN_TYPE_CALL_LOG_MODEL, "database", database, NULL);
}

CnDatabase *
cn_call_log_model_get_database (CnCallLogModel *self)
{
  g_return_val_if_fail (CN_IS_CALL_LOG_MODEL (self), NULL);

  return self->database;
}

void
cn_call_log_model_set_search (CnCallLogModel *self,
                              const char     *search)
{
  g_return_if_fail (CN_IS_CALL_LOG_MODEL (self));

  if (search != NULL && *search == '\0')
    search = NULL;

  if (g_strcmp0 (self->search, search) == 0)
    return;

  g_free (self->search);
  self->search = g_strdup (search);

  /* During construction the database is not set yet; constructed() loads. */
  if (self->database != NULL)
    reset (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH]);
}

const char *
cn_call_log_model_get_search (CnCallLogModel *self)
{
  g_return_val_if_fail (CN_IS_CALL_LOG_MODEL (self), NULL);

  return self->search;
}

void
cn_call_log_model_set_outcome (CnCallLogModel *self,
                               CnOutcome       outcome)
{
  g_return_if_fail (CN_IS_CALL_LOG_MODEL (self));
  g_return_if_fail (outcome >= CN_OUTCOME_NONE && outcome <= CN_OUTCOME_LAST);

  if (self->outcome == outcome)
    return;

  self->outcome = outcome;

  if (self->database != NULL)
    reset (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OUTCOME]);
}

CnOutcome
cn_call_log_model_get_outcome (CnCallLogModel *self)
{
  g_return_val_if_fail (CN_IS_CALL_LOG_MODEL (self), CN_OUTCOME_NONE);

  return self->outcome;
}

void
cn_call_log_model_reload (CnCallLogModel *self)
{
  g_return_if_fail (CN_IS_CALL_LOG_MODEL (self));

  refresh (self, count_cap (self->limit));
}

void
cn_call_log_model_set_limit (CnCallLogModel *self,
                             guint           limit)
{
  guint old_n_items;

  g_return_if_fail (CN_IS_CALL_LOG_MODEL (self));

  if (self->limit == limit)
    return;

  /* Counted only up to near the old limit: count further first. */
  if (!self->total_exact && (limit == 0 || limit >= self->total))
    refresh (self, count_cap (limit));

  old_n_items = self->n_items;
  self->limit = limit;
  update_n_items (self);

  if (self->n_items > old_n_items)
    g_list_model_items_changed (G_LIST_MODEL (self), old_n_items, 0,
                                self->n_items - old_n_items);
  else if (self->n_items < old_n_items)
    g_list_model_items_changed (G_LIST_MODEL (self), self->n_items,
                                old_n_items - self->n_items, 0);

  if (self->n_items != old_n_items)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

guint
cn_call_log_model_get_limit (CnCallLogModel *self)
{
  g_return_val_if_fail (CN_IS_CALL_LOG_MODEL (self), 0);

  return self->limit;
}

guint
cn_call_log_model_get_total (CnCallLogModel *self)
{
  g_return_val_if_fail (CN_IS_CALL_LOG_MODEL (self), 0);

  return self->total;
}

gint
cn_call_log_model_find (CnCallLogModel *self,
                        const char     *uuid)
{
  g_return_val_if_fail (CN_IS_CALL_LOG_MODEL (self), -1);
  g_return_val_if_fail (uuid != NULL, -1);

  if (self->n_items > 0 && find_page (self, 0) == NULL)
    load_page (self, 0);

  for (guint i = 0; i < self->n_pages; i++)
    {
      Page *page = self->pages[i];

      for (guint row = 0; row < page->items->len; row++)
        {
          CnCallLog *log = g_ptr_array_index (page->items, row);

          if (g_strcmp0 (cn_call_log_get_uuid (log), uuid) == 0)
            return (gint) (page->index * PAGE_ROWS + row);
        }
    }

  return -1;
}
