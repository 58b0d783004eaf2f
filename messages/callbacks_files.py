"""The data of the officials' sheets and exports in chat: the menu, the results template, the
subsidy list, a unit's binding codes (picked from a paged list, then confirmed)."""

from __future__ import annotations

from typing import Literal

from messages.callbacks import CallbackData


class OfficialFile(CallbackData, prefix="of"):
    action: Literal["menu", "template", "subsidy", "units", "ask", "codes"]
    unit_id: int = 0
    page: int = 0
