"""`gongshi invite`: a one-time link that binds an official to a role."""

from __future__ import annotations

import typer
from sqlmodel import select

from bot.runtime_context import CommandError, fail, open_storage, run_async, settings_or_exit
from domain.clock import SystemClock
from handlers.invitations import invitation_link
from handlers.menu import ROLE_NAMES
from messages.i18n import N_, Translator
from messages.style import moment_text
from storage.invitations import DEFAULT_TTL, OFFICIAL_ROLES, PLACED_ROLES, create_invitation
from storage.models import Unit

UNKNOWN_UNIT = N_("Unknown unit: {unit}. `gongshi status` shows how many units there are.")
NEEDS_UNIT = N_("A unit contact's invitation needs --unit NAME.")
NO_UNIT_FOR_ROLE = N_("Only a unit contact's invitation takes --unit.")
BAD_ROLE = N_("Unknown role {role}: choose one of {roles}.")
INVITATION = N_("One-time invitation for {role} (expires {expires}):")
USE_THE_PLAN = N_(
    "An inspector is invited for their place in a group: `gongshi inspection invite --cycle "
    "YEAR --member N`."
)


def invite(
    role: str = typer.Option(..., "--role", help="admin | bureau | investigator | unit"),
    unit: str | None = typer.Option(None, "--unit", help="单位名称 / the unit, for role unit"),
) -> None:
    """生成一次性邀请链接 / Print a one-time invitation link for an official."""
    settings = settings_or_exit()
    t = Translator(settings.language)
    clock = SystemClock(settings.timezone)
    if role not in OFFICIAL_ROLES:
        fail(t(BAD_ROLE, role=role, roles=", ".join(OFFICIAL_ROLES)), 2)
    if role in PLACED_ROLES:
        fail(t(USE_THE_PLAN), 2)
    if role == "unit" and not unit:
        fail(t(NEEDS_UNIT), 2)
    if role != "unit" and unit:
        fail(t(NO_UNIT_FOR_ROLE), 2)

    async def go() -> str:
        async with (
            open_storage(settings) as storage,
            storage.sessions() as session,
            session.begin(),
        ):
            unit_id = None
            if unit:
                found = await session.execute(select(Unit.id).where(Unit.name == unit.strip()))
                unit_id = found.scalar_one_or_none()
                if unit_id is None:
                    raise CommandError(t(UNKNOWN_UNIT, unit=unit), 1)
            return await create_invitation(
                session=session, role=role, unit_id=unit_id, now=clock.now()
            )

    token = run_async(go())
    expires = moment_text(t, clock.now() + DEFAULT_TTL)
    typer.echo(t(INVITATION, role=t(ROLE_NAMES[role]), expires=expires))
    typer.echo(invitation_link(settings.bot_username, token))
