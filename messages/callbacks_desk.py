"""The desk's logging of calls, letters and visits (prefix ``dk``): ``dk:start``, a step
(``dk:today``, ``dk:anon``, ``dk:send`` ...), a choice by key (``dk:ch:phone``,
``dk:cat:absent``) or a pick by id (``dk:unit:3``, ``dk:wk:12``)."""

from __future__ import annotations

from typing import Literal

from messages.callbacks import CallbackData

DeskStepCode = Literal["start", "today", "yesterday", "anon", "whole", "files", "send", "cancel"]


class DeskStep(CallbackData, prefix="dk"):
    action: DeskStepCode


class DeskChoice(CallbackData, prefix="dk"):
    action: Literal["ch", "cat"]
    key: str


class DeskPick(CallbackData, prefix="dk"):
    action: Literal["unit", "wk"]
    number: int


def step(code: DeskStepCode) -> str:
    return DeskStep(action=code).pack()


START = step("start")


class CaseConfirm(CallbackData, prefix="cc"):
    """A checked step on a case confirmed: ``ok`` as typed (or 办结 / 不予受理 as shown),
    ``mask`` with the personal information masked."""

    action: Literal["ok", "mask"]
    case_id: int
