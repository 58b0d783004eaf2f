"""The data of a unit's assessment-procedure menu (五(一)–(四))."""

from __future__ import annotations

from typing import Literal

from messages.callbacks import CallbackData


class ProcedureAction(CallbackData, prefix="pr"):
    """The menu (``show``), a step to record, the procedure sheet, the meeting's minutes, and
    the answers that need no typing: today's date, every on-duty worker, nobody of a kind,
    the minutes later."""

    action: Literal[
        "show",
        "report",
        "interview",
        "evaluation",
        "meeting",
        "sheet",
        "minutes",
        "today",
        "all",
        "none",
        "later",
    ]


class OpenAnyway(CallbackData, prefix="gso"):
    """「Open anyway, with a reason」 under a refused opening of the 公示 of ``year``."""

    action: Literal["ask"]
    year: int
