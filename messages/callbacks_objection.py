"""The objection's (申辩) button data on the desk and at the unit (prefix ``ob``):
``ob:acc:12`` (a step on objection case 12), ``ob:dc:12:1`` (the decision picked, by index
of domain.objections.DECISIONS), ``ob:gr:12:0`` (the corrected grade, by index of the grades
offered), and the worker's subject (prefix ``wkos``)."""

from __future__ import annotations

from typing import Literal

from messages.callbacks import CallbackData

# acc 受理, rej 不予受理, stmt the unit's statement, dec the decision, note, ok confirm it,
# list the unit's objections waiting for its statement (case_id 0)
ObjectionCode = Literal["acc", "rej", "stmt", "dec", "note", "ok", "list"]


class ObjectionAct(CallbackData, prefix="ob"):
    action: ObjectionCode
    case_id: int


class ObjectionPick(CallbackData, prefix="ob"):
    """``dc``: a decision's index; ``gr``: a grade's index among those offered."""

    action: Literal["dc", "gr"]
    case_id: int
    choice: int


class ObjectionSubject(CallbackData, prefix="wkos"):
    """What the worker objects to: her grade or the renewal decision."""

    subject: Literal["grade", "renewal"]


def act(code: ObjectionCode, case_id: int | None) -> str:
    return ObjectionAct(action=code, case_id=case_id or 0).pack()


def pick(code: Literal["dc", "gr"], case_id: int | None, choice: int) -> str:
    return ObjectionPick(action=code, case_id=case_id or 0, choice=choice).pack()
