"""The results upload's button. The packed string is the one the bot has always sent, so a
button already in a chat keeps working."""

from __future__ import annotations

from typing import Literal

from messages.callbacks import CallbackData


class UploadResults(CallbackData, prefix="up"):
    """「Upload assessment results」: ask for the file (``up:results``)."""

    action: Literal["results"]
