"""Opening the 公示 although units are not ready: the administrator gives a reason, which the
audit log keeps with what each unit lacked (services.publication.open_gongshi).

Steps: ``ask_reason`` (the button under a refused opening) → ``process_reason``.
"""

from __future__ import annotations

from domain.workdays import UnknownYearError
from handlers.context import Context
from handlers.core import Router
from handlers.publication_admin import _calendar, _refused, _rules, say_opened
from messages.callbacks_menu import MENU_HOME
from messages.callbacks_procedure import OpenAnyway
from messages.i18n import N_
from messages.replies import Button
from messages.wording import BACK_TO_MENU, STALE_BUTTON
from services import publication as gongshi
from storage import publication as store

AWAIT_REASON = "publication_override:await_reason"
ROLES = ("admin",)

ASK_REASON = N_(
    "Why open the 公示 of {year} although units are not ready? Your reason is kept in the "
    "audit log with what each unit lacked. /cancel stops."
)


def router() -> Router:
    r = Router()
    r.button(OpenAnyway.prefix, roles=ROLES)(ask_reason)
    r.state(AWAIT_REASON, roles=ROLES)(process_reason)
    return r


async def ask_reason(ctx: Context) -> None:
    pressed = OpenAnyway.parse(ctx.incoming.button)
    if pressed is None:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    ctx.reset()
    ctx.goto(AWAIT_REASON, year=pressed.year)
    ctx.say(ctx.t(ASK_REASON, year=pressed.year))


async def process_reason(ctx: Context) -> None:
    year = ctx.data.get("year")
    ctx.reset()
    if not isinstance(year, int):
        ctx.say(ctx.t(STALE_BUTTON), [[Button(ctx.t(BACK_TO_MENU), MENU_HOME)]])
        return
    try:
        calendar = _calendar(ctx)
        opened = await gongshi.open_gongshi(
            session=ctx.session,
            rules=_rules(ctx, calendar),
            clock=ctx.clock,
            year=year,
            actor="telegram",
            actor_user_id=ctx.user_id,
            override_reason=(ctx.incoming.text or "")[:1000],
        )
    except (store.PublicationError, UnknownYearError) as error:
        _refused(ctx, error)
        return
    say_opened(ctx, opened, edit=False)
