"""How often one person may search names (the 公示 lists and the hotline's worker search share
the count): a few a minute and a hundred a day by default, answered politely beyond that.

Masked matching (storage.name_search) already keeps a search from confirming more than the
list shows; the limit keeps anyone from walking the whole list by queries. Counted in memory,
as the hotline's message throttle is: no record of who searched what is written anywhere, a
restart forgets the counts and each process counts its own share, which only softens the limit.
"""

from __future__ import annotations

from domain.search_limits import TOO_FAST, SearchLimits, SearchThrottle
from handlers.context import Context


def search_allowed(ctx: Context) -> bool:
    """Count this search; beyond the limits, answer politely and say no."""
    limits = ctx.deps.search_limits
    throttle = ctx.deps.search_throttle
    refused = throttle.refusal(ctx.user_id, ctx.clock.now())
    if refused is None:
        return True
    n = limits.per_minute if refused == TOO_FAST else limits.per_day
    ctx.say(ctx.t(refused, n=n))
    return False


__all__ = ["SearchLimits", "SearchThrottle", "search_allowed"]
