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
