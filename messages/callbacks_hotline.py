"""The hotline's buttons: the citizen's complaint form (``cp``) and the officials' 「show
contact」 (``hl``). Packed strings are those the bot has always sent, so a button already in a
chat keeps working."""

from __future__ import annotations

from typing import Literal

from messages.callbacks import CallbackData


class ComplaintStep(CallbackData, prefix="cp"):
    """A step of the form that carries nothing more: ``cp:new``, ``cp:back``, ..."""

    action: Literal["new", "status", "back", "cancel", "whole", "evdone", "anon", "confirm"]


class ComplaintPick(CallbackData, prefix="cp"):
    """A choice by number: a page of units, a unit, a worker (``cp:unit:12``)."""

    action: Literal["units", "unit", "worker"]
    number: int


class ComplaintChoice(CallbackData, prefix="cp"):
    """A choice by key: a category (``cp:cat:absent``), one's own ticket code (``cp:code:...``)."""

    action: Literal["cat", "code"]
    key: str


class ShowContact(CallbackData, prefix="hl"):
    """「Show contact」 on a case (``hl:contact:12``): audited at every press."""

    action: Literal["contact"]
    case_id: int
