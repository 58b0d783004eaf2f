"""Which cases an official may open, asked by every handler that shows a case, its evidence
or its complainant: the case card, the evidence files, the handling opinions and 「show
contact」 all answer the same question the same way.

The roles come from the database (``ctx.roles``), never from the button: a forged button for a
case outside the user's sight is refused and written to the audit log as ``denied``.
"""

from __future__ import annotations

from collections.abc import Sequence

from handlers.context import Context
from messages.i18n import N_
from storage import case_desk as desk
from storage import cases as store
from storage.audit import DENIED, audit
from storage.models import Case

# The administrator reads every case (and exports them) but takes no step: domain.cases.PERMITS
# gives the role none. Last, so someone who is also desk staff acts as the desk.
DESK_ROLES = ("bureau", "investigator", "unit", "admin")
# Who may see the evidence files and a complainant's contact.
IDENTITY_ROLES = ("bureau", "investigator")
OUT_OF_SCOPE = N_("That case is not yours to handle.")
NO_SUCH_CASE = N_("That case does not exist.")


def actors(ctx: Context, roles: Sequence[str] = DESK_ROLES) -> list[store.Actor]:
    """The user's roles among ``roles`` as the database has them, the widest first."""
    found = []
    for role in roles:
        binding = ctx.roles.binding(role)
        if binding is not None:
            found.append(
                store.Actor(
                    user_id=ctx.user_id,
                    role=role,
                    official_id=binding.official_id,
                    unit_id=binding.unit_id,
                )
            )
    return found


async def actor_for(
    ctx: Context, case: Case, roles: Sequence[str] = DESK_ROLES
) -> store.Actor | None:
    """The first of the user's roles in which the case is in their sight, if any."""
    for actor in actors(ctx, roles):
        if await desk.may_see(ctx.session, case=case, actor=actor):
            return actor
    return None


async def visible(
    ctx: Context, case_id: int, roles: Sequence[str] = DESK_ROLES
) -> tuple[Case, store.Actor] | None:
    """The case and the role the user sees it in; a case out of their sight is refused and
    logged, as a forged button would be."""
    case = await ctx.session.get(Case, case_id)
    actor = await actor_for(ctx, case, roles) if case is not None else None
    if case is None or actor is None:
        audit(
            ctx.session,
            action=DENIED,
            actor_user_id=ctx.user_id,
            target_type="case",
            target_id=case_id,
            at=ctx.clock.now(),
            roles=list(ctx.roles.names()),
            button=ctx.incoming.button,
        )
        ctx.answer(ctx.t(NO_SUCH_CASE if case is None else OUT_OF_SCOPE), alert=True)
        return None
    return case, actor
