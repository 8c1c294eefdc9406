/* cn-rate-limiter.c: keeps requests to one server under N per window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

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
