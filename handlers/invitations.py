"""Binding an official through a one-time invitation link (``/start inv_<token>``), and
the admin's way to make such a link in chat.

Steps: ``redeem``; for admins ``ask_invite_role`` → ``ask_invite_unit`` (unit contacts
only) → ``show_invitation``.
"""

from __future__ import annotations

from sqlmodel import col, select

from handlers.context import Context
from handlers.core import Router
from handlers.menu import ROLE_NAMES, show_menu
from messages.callbacks_menu import (
    InviteRole,
    InviteStart,
    InviteUnit,
    InviteUnitsPage,
    OfficialRole,
)
from messages.i18n import N_
from messages.replies import Button
from messages.wording import NO_UNITS_YET, STALE_BUTTON, back_to_menu
from services.commands import refresh_chat_menu
from storage.audit import audit
from storage.conversations import load_roles
from storage.invitations import PREFIX, create_invitation, redeem_invitation
from storage.models import Unit

REFUSED = N_("This invitation link is not valid. Ask the bureau for a new one.")
BOUND = N_("Welcome. You are now signed in as: {role}.")
UNITS_PER_PAGE = 8
# The roles an invitation may bind, in the order offered; the typed button data admits no other.
INVITED_ROLES: tuple[OfficialRole, ...] = ("admin", "bureau", "investigator", "unit")


def invitation_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={PREFIX}{token}"


def router() -> Router:
    r = Router()
    r.button(InviteStart.prefix, roles=["admin"])(process_admin_button)
    r.deep_link(PREFIX, redeem)
    r.menu_rows(invitation_menu_rows, place=70)
    return r


def invitation_menu_rows(ctx: Context) -> list[list[Button]]:
    if not ctx.roles.has("admin"):
        return []
    return [[Button(ctx.t(N_("Invite an official")), InviteStart(action="invite").pack())]]


async def redeem(ctx: Context, token: str) -> None:
    binding = await redeem_invitation(
        session=ctx.session,
        token=token,
        user_id=ctx.user_id,
        now=ctx.clock.now(),
        name=ctx.incoming.user.first_name,
    )
    # The same words whether the token was used, expired or never existed.
    if binding is None:
        audit(ctx.session, action="invitation_refused", actor_user_id=ctx.user_id)
        ctx.say(ctx.t(REFUSED), [[back_to_menu(ctx.t)]])
        return
    audit(
        ctx.session,
        action="invitation_used",
        actor_user_id=ctx.user_id,
        target_type="role_binding",
        target_id=binding.id,
        role=binding.role,
        unit_id=binding.unit_id,
    )
    await refresh_chat_menu(
        session=ctx.session, user_ids=[ctx.user_id], default_language=ctx.deps.language
    )
    ctx.roles = await load_roles(session=ctx.session, user_id=ctx.user_id)
    ctx.reset()
    ctx.say(ctx.t(BOUND, role=ctx.t(ROLE_NAMES[binding.role])))
    await show_menu(ctx)


async def process_admin_button(ctx: Context) -> None:
    data = ctx.incoming.button
    role = InviteRole.parse(data)
    page = InviteUnitsPage.parse(data)
    chosen = InviteUnit.parse(data)
    if InviteStart.parse(data) is not None:
        await ask_invite_role(ctx)
    elif role is not None:
        if role.role == "unit":
            await ask_invite_unit(ctx, page=0)
        else:
            await show_invitation(ctx, role=role.role, unit_id=None)
    elif page is not None and page.page >= 0:
        await ask_invite_unit(ctx, page=page.page)
    elif chosen is not None and chosen.unit_id >= 0:
        unit = await ctx.session.get(Unit, chosen.unit_id)
        if unit is None:
            ctx.answer(ctx.t(N_("That unit no longer exists.")), alert=True)
            return
        await show_invitation(ctx, role="unit", unit_id=unit.id)
    else:
        ctx.answer(ctx.t(STALE_BUTTON))


async def ask_invite_role(ctx: Context) -> None:
    ctx.say(
        ctx.t(N_("Whom do you want to invite?")),
        [
            [Button(ctx.t(ROLE_NAMES[role]), InviteRole(step="role", role=role).pack())]
            for role in INVITED_ROLES
        ]
        + [[back_to_menu(ctx.t)]],
        edit=True,
    )


async def ask_invite_unit(ctx: Context, *, page: int) -> None:
    rows = (
        await ctx.session.execute(
            select(Unit.id, Unit.name)
            .order_by(col(Unit.name))
            .offset(page * UNITS_PER_PAGE)
            .limit(UNITS_PER_PAGE + 1)
        )
    ).all()
    if not rows and page == 0:
        ctx.say(ctx.t(NO_UNITS_YET), edit=True)
        return
    buttons = [
        [Button(str(name), InviteUnit(step="unit", unit_id=uid).pack())]
        for uid, name in rows[:UNITS_PER_PAGE]
    ]
    paging = []
    if page > 0:
        earlier = InviteUnitsPage(step="units", page=page - 1).pack()
        paging.append(Button(ctx.t(N_("« Previous")), earlier))
    if len(rows) > UNITS_PER_PAGE:
        later = InviteUnitsPage(step="units", page=page + 1).pack()
        paging.append(Button(ctx.t(N_("Next »")), later))
    if paging:
        buttons.append(paging)
    ctx.say(ctx.t(N_("Which unit is the contact from?")), buttons, edit=True)


async def show_invitation(ctx: Context, *, role: str, unit_id: int | None) -> None:
    now = ctx.clock.now()
    token = await create_invitation(
        session=ctx.session,
        role=role,
        unit_id=unit_id,
        now=now,
        created_by=f"tg:{ctx.user_id}",
    )
    audit(
        ctx.session,
        action="invitation_created",
        actor_user_id=ctx.user_id,
        target_type="role",
        target_id=role,
        unit_id=unit_id,
    )
    link = invitation_link(ctx.deps.bot_username, token)
    ctx.say(
        ctx.t(
            N_(
                "Invitation for {role}. Send this link to that person only; it works once "
                "and expires in 7 days:\n{link}"
            ),
            role=ctx.t(ROLE_NAMES[role]),
            link=link,
        ),
        [[back_to_menu(ctx.t)]],
        edit=True,
    )
