"""Whose group an inspector is in, read from their bindings on the server for every update."""

from __future__ import annotations

from handlers.context import Context
from storage.inspection import InspectorPlace, inspector_place


async def my_place(ctx: Context) -> InspectorPlace | None:
    """The inspector's group in the newest plan, or None."""
    for binding in ctx.roles.bindings:
        if binding.role == "inspector":
            place = await inspector_place(ctx.session, binding.official_id)
            if place is not None:
                return place
    return None


def only_inspector(ctx: Context) -> bool:
    """An inspector who is not also bureau staff or an administrator: scoped to their group."""
    return ctx.roles.has("inspector") and not ctx.roles.has("bureau", "admin")
