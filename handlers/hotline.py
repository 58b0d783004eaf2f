"""The officials' side of the hotline: 「show contact」. The alerts a new case sends, and
who gets them, are services.case_alerts'.

Steps: ``show_contact`` (bureau staff, and investigators on the cases they may open;
audited).
"""

from __future__ import annotations

from handlers.case_scope import visible
from handlers.context import Context
from handlers.core import Router
from messages.callbacks_hotline import ShowContact
from messages.i18n import N_
from messages.wording import STALE_BUTTON
from storage.complaints import contact_of_case, record_identity_view

CONTACT_ROLES = ("bureau", "investigator")


def router() -> Router:
    r = Router()
    r.button(ShowContact.prefix, roles=CONTACT_ROLES)(show_contact)
    return r


async def show_contact(ctx: Context) -> None:
    """The complainant's contact, for bureau staff and for the investigators who may open the
    case (the same sight as the case card: a serious case unassigned or assigned to them);
    every view is written to the audit log, and so is every refusal."""
    pressed = ShowContact.parse(ctx.incoming.button)
    if pressed is None:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    seen = await visible(ctx, pressed.case_id, CONTACT_ROLES)
    if seen is None:
        return
    case = seen[0]
    assert case.id is not None
    found = await contact_of_case(ctx.session, case.id)
    contact = found[1] if found is not None else None
    record_identity_view(
        ctx.session,
        user_id=ctx.user_id,
        roles=ctx.roles.names(),
        case_id=case.id,
        now=ctx.clock.now(),
        found=contact is not None,
    )
    if contact is None:
        ctx.say(ctx.t(N_("Case #{case}: the complainant chose to stay anonymous."), case=case.id))
        return
    ctx.say(
        ctx.t(
            N_(
                "Case #{case}, complainant's contact (confidential; this view is logged):\n"
                "{name}\nPhone: {phone}\nTelegram id: {user_id}"
            ),
            case=case.id,
            name=contact.name or "—",
            phone=contact.phone or "—",
            user_id=contact.user_id or "—",
        )
    )
