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
from messages.i18n import N_
from messages.replies import Button
from storage.invitations import OFFICIAL_ROLES, create_invitation, redeem_invitation
from storage.models import AuditLog, Unit

REFUSED = N_("This invitation link is not valid. Ask the bureau for a new one.")
BOUND = N_("Welcome. You are now signed in as: {role}.")
UNITS_PER_PAGE = 8


def invitation_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start=inv_{token}"


def router() -> Router:
    r = Router()
    r.button("adm", roles=["admin"])(process_admin_button)
    return r


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
        ctx.session.add(
            AuditLog(actor_user_id=ctx.user_id, actor="telegram", action="invitation_refused")
        )
        ctx.say(ctx.t(REFUSED))
        return
    ctx.session.add(
        AuditLog(
            actor_user_id=ctx.user_id,
            actor="telegram",
            action="invitation_used",
            target_type="role_binding",
            target_id=str(binding.id),
            detail={"role": binding.role, "unit_id": binding.unit_id},
        )
    )
    from handlers.core import load_roles

    ctx.roles = await load_roles(ctx.session, ctx.user_id)
    ctx.reset()
    ctx.say(ctx.t(BOUND, role=ctx.t(ROLE_NAMES[binding.role])))
    await show_menu(ctx)


async def process_admin_button(ctx: Context) -> None:
    parts = (ctx.incoming.button or "").split(":")
    action = parts[1] if len(parts) > 1 else ""
    if action == "invite":
        await ask_invite_role(ctx)
    elif action == "role" and len(parts) == 3 and parts[2] in OFFICIAL_ROLES:
        if parts[2] == "unit":
            await ask_invite_unit(ctx, page=0)
        else:
            await show_invitation(ctx, role=parts[2], unit_id=None)
    elif action == "units" and len(parts) == 3 and parts[2].isdigit():
        await ask_invite_unit(ctx, page=int(parts[2]))
    elif action == "unit" and len(parts) == 3 and parts[2].isdigit():
        unit = await ctx.session.get(Unit, int(parts[2]))
        if unit is None:
            ctx.answer(ctx.t(N_("That unit no longer exists.")), alert=True)
            return
        await show_invitation(ctx, role="unit", unit_id=unit.id)
    else:
        ctx.answer(ctx.t(N_("This button is no longer valid. Send /start for the menu.")))


async def ask_invite_role(ctx: Context) -> None:
    ctx.say(
        ctx.t(N_("Whom do you want to invite?")),
        [[Button(ctx.t(ROLE_NAMES[role]), f"adm:role:{role}")] for role in OFFICIAL_ROLES]
        + [[Button(ctx.t(N_("Back to the menu")), "menu:home")]],
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
        ctx.say(ctx.t(N_("There are no units yet: import a roster first.")), edit=True)
        return
    buttons = [[Button(str(name), f"adm:unit:{uid}")] for uid, name in rows[:UNITS_PER_PAGE]]
    paging = []
    if page > 0:
        paging.append(Button(ctx.t(N_("« Previous")), f"adm:units:{page - 1}"))
    if len(rows) > UNITS_PER_PAGE:
        paging.append(Button(ctx.t(N_("Next »")), f"adm:units:{page + 1}"))
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
    ctx.session.add(
        AuditLog(
            actor_user_id=ctx.user_id,
            actor="telegram",
            action="invitation_created",
            target_type="role",
            target_id=role,
            detail={"unit_id": unit_id},
        )
    )
    link = invitation_link(ctx.settings.bot_username, token)
    ctx.say(
        ctx.t(
            N_(
                "Invitation for {role}. Send this link to that person only; it works once "
                "and expires in 7 days:\n{link}"
            ),
            role=ctx.t(ROLE_NAMES[role]),
            link=link,
        ),
        edit=True,
    )
