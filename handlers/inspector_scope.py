"""Whose group an inspector is in, read from their bindings on the server for every update."""

from __future__ import annotations

from handlers.context import Context
from messages.i18n import N_
from messages.wording import back_to_menu
from storage.audit import audit
from storage.inspection import InspectorPlace, inspector_place, unit_in_group

NO_PLACE = N_("You are not in an inspection group of the current plan. Ask the employment bureau.")
NOT_YOURS = N_("That unit is not inspected by your group.")


async def my_place(ctx: Context) -> InspectorPlace | None:
    """The inspector's group in the newest plan, or None."""
    for binding in ctx.roles.bindings:
        if binding.role == "inspector":
            place = await inspector_place(ctx.session, binding.official_id)
            if place is not None:
                return place
    return None


async def scoped(ctx: Context, unit_id: int) -> InspectorPlace | None:
    """The inspector's place when the unit is their group's; else they are told, and a press
    for another group's unit is written to the audit log."""
    place = await my_place(ctx)
    if place is None:
        ctx.say(ctx.t(NO_PLACE), [[back_to_menu(ctx.t)]], edit=True)
        return None
    if not await unit_in_group(ctx.session, place, unit_id):
        audit(
            ctx.session,
            action="inspection_scope_refused",
            actor_user_id=ctx.user_id,
            target_type="unit",
            target_id=unit_id,
        )
        ctx.answer(ctx.t(NOT_YOURS), alert=True)
        return None
    return place


def only_inspector(ctx: Context) -> bool:
    """An inspector who is not also bureau staff or an administrator: scoped to their group."""
    return ctx.roles.has("inspector") and not ctx.roles.has("bureau", "admin")


def accepted_file(ctx: Context) -> dict[str, str] | None:
    """The file of this update as kept on a checklist item, a finding, a self-check or a
    voucher (Telegram's file id, its name and type), or None when its declared type or size is
    refused (domain.complaints.check_evidence)."""
    from domain.complaints import check_evidence

    ref = ctx.incoming.file
    if ref is None:
        return None
    mime, _problem = check_evidence(
        kind=ref.kind,
        file_name=ref.file_name,
        mime_type=ref.mime_type,
        size=ref.size,
        max_bytes=ctx.deps.max_upload_mb * 1024 * 1024,
    )
    if mime is None:
        return None
    return {"file_id": ref.file_id, "name": (ref.file_name or "")[:120], "mime": mime}
