"""The complaint's evidence: up to MAX_EVIDENCE photos or documents, each checked by its
declared type and size, then (when a file fetcher is configured) downloaded, its content
sniffed, and kept once by its SHA-256 so officials can open it later.

Steps: ``ask_evidence`` → ``process_evidence`` (each file) → 「Continue」.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import secrets
from pathlib import Path
from typing import Any

from domain.complaints import EVIDENCE_TYPES, MAX_EVIDENCE, check_evidence, sniff
from handlers.complaint_draft import EVIDENCE, draft, nav
from handlers.context import Context
from handlers.types import FileRef
from messages.callbacks_hotline import ComplaintStep
from messages.i18n import N_
from messages.replies import Button
from services.files import FileFetcher, FileTooLarge, FileUnavailable
from storage.complaints import Evidence

log = logging.getLogger(__name__)


async def ask_evidence(ctx: Context) -> None:
    ctx.goto(EVIDENCE)
    count = len(draft(ctx).get("evidence", []))
    ctx.say(
        ctx.t(
            N_(
                "Evidence is optional: send up to {max} photos or documents (JPEG, PNG, PDF, "
                "DOCX, XLSX; at most {mb} MB each). Files so far: {count}. Press Continue when "
                "done."
            ),
            max=MAX_EVIDENCE,
            mb=ctx.deps.max_upload_mb,
            count=count,
        ),
        [[Button(ctx.t(N_("Continue")), ComplaintStep(action="evdone").pack())], nav(ctx)],
    )


async def process_evidence(ctx: Context) -> None:
    ref = ctx.incoming.file
    if ref is None:
        ctx.say(ctx.t(N_("Send a photo or a document, or press Continue.")), _evidence_buttons(ctx))
        return
    current = draft(ctx)
    evidence = list(current.get("evidence", []))
    item = await receive_file(ctx, ref, count=len(evidence), buttons=_evidence_buttons(ctx))
    if item is None:
        return
    evidence.append(item)
    ctx.goto(EVIDENCE, draft={**current, "evidence": evidence})
    ctx.say(
        ctx.t(
            N_("File received ({count} of at most {max})."), count=len(evidence), max=MAX_EVIDENCE
        ),
        _evidence_buttons(ctx),
    )


async def receive_file(
    ctx: Context, ref: FileRef, *, count: int, buttons: list[list[Button]]
) -> dict[str, Any] | None:
    """A file sent as evidence (a complaint's, an objection's, a letter the desk logs),
    checked by its declared type and size, then kept by content when a fetcher is set; None
    when refused, the sender told why under ``buttons``. ``count``: files taken so far."""
    if count >= MAX_EVIDENCE:
        ctx.say(
            ctx.t(
                N_("That is already {max} files, the most one complaint takes."), max=MAX_EVIDENCE
            ),
            buttons,
        )
        return None
    mime, problem = check_evidence(
        kind=ref.kind,
        file_name=ref.file_name,
        mime_type=ref.mime_type,
        size=ref.size,
        max_bytes=ctx.deps.max_upload_mb * 1024 * 1024,
    )
    if problem == "size":
        message = N_("That file is larger than {mb} MB. Please send a smaller one.")
        ctx.say(ctx.t(message, mb=ctx.deps.max_upload_mb), buttons)
        return None
    if mime is None:
        message = N_("That type of file is not accepted. Send JPEG, PNG, PDF, DOCX or XLSX.")
        ctx.say(ctx.t(message), buttons)
        return None
    item: dict[str, Any] = {
        "file_id": ref.file_id,
        "kind": ref.kind,
        "mime": mime,
        "size": ref.size,
    }
    fetcher = ctx.deps.files
    if fetcher is not None:
        kept = await _keep_evidence(ctx, fetcher, ref.file_id, buttons)
        if kept is None:
            return None
        item.update(kept)
    return item


def evidence_of(items: Any) -> list[Evidence]:
    """The files a conversation kept (``receive_file``'s), as the complaint's evidence rows."""
    return [
        Evidence(
            e["file_id"],
            e["kind"],
            e["mime"],
            int(e.get("size") or 0),
            sha256=str(e.get("sha256") or ""),
            stored_path=str(e.get("stored_path") or ""),
        )
        for e in (items if isinstance(items, list) else [])
        if isinstance(e, dict)
    ]


async def _keep_evidence(
    ctx: Context, fetcher: FileFetcher, file_id: str, buttons: list[list[Button]]
) -> dict[str, Any] | None:
    """Download the file, check its content is one of the accepted types and keep it, named
    by its SHA-256, so officials can open it later; None (the user told why) if refused."""
    max_mb = ctx.deps.max_upload_mb
    try:
        content = await fetcher.fetch(file_id, max_bytes=max_mb * 1024 * 1024)
    except FileTooLarge:
        message = N_("That file is larger than {mb} MB. Please send a smaller one.")
        ctx.say(ctx.t(message, mb=max_mb), buttons)
        return None
    except FileUnavailable:
        log.warning("evidence file could not be downloaded", exc_info=True)
        message = N_("That file could not be received. Please send it again.")
        ctx.say(ctx.t(message), buttons)
        return None
    mime = sniff(content)
    if mime not in EVIDENCE_TYPES:
        message = N_(
            "The content of that file is not a JPEG, PNG, PDF, DOCX or XLSX file, whatever its "
            "name says, so it is not accepted."
        )
        ctx.say(ctx.t(message), buttons)
        return None
    digest = hashlib.sha256(content).hexdigest()
    folder = ctx.deps.evidence_dir
    path = folder / digest[:2] / f"{digest}{EVIDENCE_TYPES[mime][0]}"
    await asyncio.to_thread(_write_once, path, content)
    return {"mime": mime, "size": len(content), "sha256": digest, "stored_path": str(path)}


def _write_once(path: Path, content: bytes) -> None:
    """Content-addressed: the same bytes are kept once; written whole or not at all."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    partial.write_bytes(content)
    os.replace(partial, path)


def _evidence_buttons(ctx: Context) -> list[list[Button]]:
    return [[Button(ctx.t(N_("Continue")), ComplaintStep(action="evdone").pack())], nav(ctx)]
