"""The workers' buttons: binding, their own result, the bound list and its revocations, the
objection (申辩). Packed strings are those the bot has always sent, so a button already in a
chat keeps working."""

from __future__ import annotations

from typing import Literal

from messages.callbacks import CallbackData


class BindMe(CallbackData, prefix="wk"):
    """「I am a worker: bind my identity」 (``wk:bind``)."""

    action: Literal["bind"]


class MyResult(CallbackData, prefix="wkme"):
    """「My assessment result」 (``wkme:show``)."""

    action: Literal["show"]


class BoundList(CallbackData, prefix="wkb"):
    """The workers bound to the bot, for their unit or the bureau (``wkb:list``)."""

    action: Literal["list"]


class RevokeBinding(CallbackData, prefix="wkb"):
    """Revoke one binding from that list (``wkb:rv:<binding id>``)."""

    action: Literal["rv"]
    binding_id: int


class ObjectionStep(CallbackData, prefix="wkob"):
    """The objection's steps: ``wkob:start``, ``wkob:files`` (the files are done),
    ``wkob:send``, ``wkob:cancel``."""

    action: Literal["start", "files", "send", "cancel"]
