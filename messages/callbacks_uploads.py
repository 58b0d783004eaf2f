"""The upload buttons. The results one packs to the string the bot has always sent, so a button
already in a chat keeps working; the roster one is the administrator's only, under a prefix of
its own so that its route alone can require the role."""

from __future__ import annotations

from typing import Literal

from messages.callbacks import CallbackData


class UploadResults(CallbackData, prefix="up"):
    """「Upload assessment results」: ask for the file (``up:results``)."""

    action: Literal["results"]


class UploadRoster(CallbackData, prefix="upr"):
    """「Upload roster」, administrators only: ask for the file (``upr:roster``)."""

    action: Literal["roster"]
