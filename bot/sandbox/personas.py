"""Personas to start with: one of each role for the chat page, or a JSON file of them (the demo
writes one whose officials are already bound in its database)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .models import Persona
from .state import SandboxState

DEFAULT_PERSONAS: list[dict[str, Any]] = [
    {"first_name": "张伟", "role": "citizen", "username": "zhangwei", "phone": "+8613800000001"},
    {"first_name": "李秀英", "role": "worker", "phone": "+8613800000002"},
    {"first_name": "王强", "role": "unit", "username": "wangqiang_unit", "phone": "+8613800000003"},
    {"first_name": "刘洋", "role": "bureau", "username": "liuyang_jyj", "phone": "+8613800000004"},
    {"first_name": "陈静", "role": "investigator", "username": "chenjing_rsj",
     "phone": "+8613800000005"},
    {"first_name": "赵敏", "role": "admin", "username": "zhaomin_admin", "phone": "+8613800000006"},
    {"first_name": "Alice", "last_name": "Lee", "role": "citizen", "language_code": "en",
     "username": "alice_lee", "phone": "+8613800000007"},
]  # fmt: skip


def load_personas(state: SandboxState, path: Path | None = None) -> list[Persona]:
    """Add the personas of `path` (a JSON list of objects with first_name, role, id, username,
    language_code, phone), or the defaults; ids are given in order from 5000000001 if absent."""
    entries = DEFAULT_PERSONAS if path is None else json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a JSON list of personas")
    return [state.add_persona(**dict(entry)) for entry in entries]
