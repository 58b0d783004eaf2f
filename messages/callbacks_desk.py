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
