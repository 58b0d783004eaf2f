"""The sandbox's memory on disk, for the demo: the chats with their messages, the channel's
posts, the files, the personas, the command menus and the update numbering, so a demo stopped
and started again shows what the database says happened (the 公示 posted, the chats had) instead
of empty chats. Written whole to a temporary file and renamed, so a crash mid-write leaves the
previous snapshot; an unreadable snapshot is set aside and the sandbox starts empty."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import os
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from .media import StoredFile
from .models import Chat, Persona, StoredMessage
from .state import SandboxState

log = logging.getLogger(__name__)
FORMAT = 1
_CHAT_FIELDS = {f.name for f in fields(Chat)} - {"messages", "version", "answers"}
_PERSONA_FIELDS = {f.name for f in fields(Persona)}
_FILE_FIELDS = {f.name for f in fields(StoredFile)} - {"data"}


def dump(state: SandboxState) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "next_update_id": state.next_update_id,
        "pending": state.pending,
        "personas": [asdict(p) for p in state.personas.values()],
        "chats": [
            {
                **{name: getattr(chat, name) for name in _CHAT_FIELDS},
                "messages": [
                    {
                        "data": m.data,
                        "from_bot": m.from_bot,
                        "markup": m.markup,
                        "deleted": m.deleted,
                        "edits": m.edits,
                    }
                    for m in chat.messages
                ],
            }
            for chat in state.chats.values()
        ],
        "files": [
            {
                **{name: getattr(f, name) for name in _FILE_FIELDS},
                "data": base64.b64encode(f.data).decode(),
            }
            for f in state.files.all()
        ],
        "commands": [[*key, value] for key, value in state.commands.items()],
        "descriptions": [[*key, value] for key, value in state.descriptions.items()],
    }


def restore(state: SandboxState, snapshot: dict[str, Any]) -> None:
    """Put a snapshot back into a fresh state. Personas already added (the demo's own) keep
    their names and roles but take back whether they had opened or blocked the bot."""
    if snapshot.get("format") != FORMAT:
        raise ValueError(f"unknown snapshot format {snapshot.get('format')!r}")
    state.next_update_id = max(state.next_update_id, int(snapshot["next_update_id"]))
    state.pending = list(snapshot["pending"])
    for saved in snapshot["personas"]:
        known = state.personas.get(int(saved["id"]))
        if known is None:
            persona = Persona(**{k: v for k, v in saved.items() if k in _PERSONA_FIELDS})
            state.personas[persona.id] = persona
        else:
            known.started = bool(saved.get("started")) or known.started
            known.blocked = bool(saved.get("blocked"))
    for saved in snapshot["chats"]:
        chat = Chat(**{k: v for k, v in saved.items() if k in _CHAT_FIELDS})
        chat.messages = [StoredMessage(**m) for m in saved["messages"]]
        state.chats[chat.id] = chat
    for saved in snapshot["files"]:
        data = base64.b64decode(saved["data"])
        state.files.restore(StoredFile(data=data, **{k: saved[k] for k in _FILE_FIELDS}))
    state.commands = {(scope, lang): value for scope, lang, value in snapshot["commands"]}
    state.descriptions = {(which, lang): text for which, lang, text in snapshot["descriptions"]}
    state.touch()


def save(state: SandboxState, path: Path) -> None:
    write(path, json.dumps(dump(state), ensure_ascii=False))


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def load(state: SandboxState, path: Path) -> bool:
    """True if a snapshot was put back. A damaged one is renamed to ``*.damaged`` (kept for a
    look, never read again) and the sandbox starts empty."""
    if not path.exists():
        return False
    try:
        restore(state, json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("sandbox snapshot %s unreadable (%s); starting with empty chats", path, exc)
        with contextlib.suppress(OSError):
            os.replace(path, path.with_name(path.name + ".damaged"))
        return False
    return True


async def keep_saving(state: SandboxState, path: Path, every: float = 2.0) -> None:
    """Save whenever something changed, at most every ``every`` seconds, until cancelled; then
    once more, so Ctrl-C keeps the last messages and a kill loses at most ``every`` seconds."""
    saved_version = state.version
    try:
        while True:
            await asyncio.sleep(every)
            if state.version != saved_version:
                saved_version = state.version
                # Read in the loop (the state changes under a thread), written in a thread.
                text = json.dumps(dump(state), ensure_ascii=False)
                await asyncio.to_thread(write, path, text)
    finally:
        save(state, path)
