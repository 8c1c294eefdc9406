/* cn-rate-limiter.c: keeps requests to one server under N per window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cn-rate-limiter.h"

struct _CnRateLimiter
{
  gint64 *sent;        /* ring of the last @limit send times */
  guint   limit;
  guint   next;        /* where the next send time goes (the oldest) */
  guint   count;       /* how many slots hold a time */
  gint64  window;
  gint64  blocked_until;
};

CnRateLimiter *
cn_rate_limiter_new (guint  limit,
                     gint64 window_us)
{
  CnRateLimiter *self = g_new0 (CnRateLimiter, 1);

  g_return_val_if_fail (limit > 0, NULL);

  self->limit = limit;
  self->sent = g_new0 (gint64, limit);
  self->window = window_us;

  return self;
}

void
cn_rate_limiter_free (CnRateLimiter *self)
{
  if (self == NULL)
    return;

  g_free (self->sent);
  g_free (self);
}

gint64
cn_rate_limiter_delay (CnRateLimiter *self,
                       gint64         now_us)
{
  gint64 delay = 0;

  if (self->blocked_until > now_us)
    delay = self->blocked_until - now_us;

  /* Full: the oldest of the last @limit sends must leave the window first. */
  if (self->count == self->limit)
    {
      gint64 oldest = self->sent[self->next];

      delay = MAX (delay, oldest + self->window - now_us);
    }

  return MAX (delay, 0);
}

void
cn_rate_limiter_take (CnRateLimiter *self,
                      gint64         now_us)
{
  self->sent[self->next] = now_us;
  self->next = (self->next + 1) % self->limit;
  if (self->count < self->limit)
    self->count++;
}

void
cn_rate_limiter_block_until (CnRateLimiter *self,
                             gint64         until_us)
{
  self->blocked_until = MAX (self->blocked_until, until_us);
}

/* "v1 BLOCKED SENT…", times in wall-clock microseconds, BLOCKED 0 none. */
#define TEXT_VERSION "v1"

char *
cn_rate_limiter_to_text (CnRateLimiter *self,
                         gint64         now_us,
                         gint64         wall_offset_us)
{
  GString *text = g_string_new (TEXT_VERSION);

  g_string_append_printf (text, " %" G_GINT64_FORMAT,
                          self->blocked_until > now_us ? self->blocked_until + wall_offset_us
                                                       : 0);
  for (guint i = 0; i < self->count; i++)
    {
      /* The ring's oldest slot is @next once it is full, 0 before. */
      guint slot = (self->count == self->limit ? self->next + i : i) % self->limit;
      gint64 sent = self->sent[slot];

      if (sent > now_us - self->window)
        g_string_append_printf (text, " %" G_GINT64_FORMAT, sent + wall_offset_us);
    }

  return g_string_free (text, FALSE);
}

static int
compare_times (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

void
cn_rate_limiter_take_up (CnRateLimiter *self,
                         const char    *text,
                         gint64         now_us,
                         gint64         wall_offset_us)
{
  g_auto(GStrv) words = NULL;
  g_autoptr(GArray) sends = NULL;
  gint64 blocked = 0;
  guint n_words;

  /* ~3 KB for 170 sends. */
  if (text == NULL || strlen (text) > 64 * 1024)
    return;

  words = g_strsplit (text, " ", -1);
  n_words = g_strv_length (words);
  if (n_words < 2 || !g_str_equal (words[0], TEXT_VERSION) ||
      !g_ascii_string_to_signed (words[1], 10, 0, G_MAXINT64, &blocked, NULL))
    return;

  sends = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 2; i < n_words; i++)
    {
      gint64 wall;
      gint64 sent;

      if (!g_ascii_string_to_signed (words[i], 10, 0, G_MAXINT64, &wall, NULL))
        return;
      sent = MIN (wall - wall_offset_us, now_us);
      if (sent > now_us - self->window)
        g_array_append_val (sends, sent);
    }

  /* What the text says replaces what was counted here. */
  self->count = 0;
  self->next = 0;
  self->blocked_until = 0;

  g_array_sort (sends, compare_times);
  /* Only the newest @limit matter. */
  for (guint i = sends->len > self->limit ? sends->len - self->limit : 0; i < sends->len; i++)
    cn_rate_limiter_take (self, g_array_index (sends, gint64, i));

  if (blocked > 0)
    cn_rate_limiter_block_until (self, MIN (blocked - wall_offset_us, now_us + self->window));
}
