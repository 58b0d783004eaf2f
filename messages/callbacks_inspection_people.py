"""The administrator's buttons for the inspection plan's window and people (``ipm``, ``ipc``):
the server checks the admin role, the newest plan, the group and the member on every press."""

from __future__ import annotations

from typing import Literal

from messages.callbacks import CallbackData


class PlanPeople(CallbackData, prefix="ipm"):
    """``window`` asks for the window; ``people`` lists the groups' members; ``add`` starts
    adding a member to ``group``; ``member`` shows one; ``invite`` makes their invitation;
    ``remove`` asks to confirm, ``removed`` takes them off the plan."""

    action: Literal["window", "people", "add", "member", "invite", "remove", "removed"]
    group: int = 0
    member_id: int = 0


class PlanPerson(CallbackData, prefix="ipc"):
    """A choice while adding a member: their department, then their position."""

    step: Literal["department", "position"]
    value: Literal["hr", "discipline", "finance", "audit", "other", "leader", "deputy", "member"]
