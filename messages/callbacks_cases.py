"""The case desk's and the rating's button data (prefixes ``cs`` and ``rt``).

The packed strings are the ones buttons already in chats carry: ``cs:q:o:0`` (a queue page),
``cs:export``, ``cs:acc:12`` (a step or a view of case 12), ``cs:to:12:8101`` (a choice for
case 12: an investigator, a category's index, a finding's index), ``rt:12:5`` and ``rt:skip``.
"""

from __future__ import annotations

from typing import Literal

from messages.callbacks import CallbackData

QueueKey = Literal["o", "d", "m", "a"]
# The desk's filters, by the key the buttons carry.
FILTERS: dict[QueueKey, str] = {"o": "open", "d": "overdue", "m": "mine", "a": "all"}

# A case's step as its button names it: the one table from the step (domain.cases.STEPS) to
# the code in the data, read both ways.
STEP_CODES = {
    "accept": "acc",
    "reject": "rej",
    "assign": "asg",
    "note": "note",
    "reply": "rep",
    "reclassify": "rcl",
    "record_finding": "find",
    "extend": "ext",
    "close": "cls",
    "merge": "mrg",
    "return": "ret",
    "keep": "keep",
    "redispatch": "rdp",
}
STEP_OF_CODE = {code: step for step, code in STEP_CODES.items()}

ActionCode = Literal[
    # the steps (STEP_CODES)
    "acc",
    "rej",
    "asg",
    "note",
    "rep",
    "rcl",
    "find",
    "ext",
    "cls",
    "mrg",
    "ret",
    "keep",
    "rdp",
    # the views: the card (edited in place / as a new message), its evidence, back to it from
    # a question, the public and the internal 处理意见书
    "card",
    "open",
    "ev",
    "x",
    "doc",
    "idoc",
]
ChoiceCode = Literal["to", "cat", "fd", "rd"]


class CaseQueue(CallbackData, prefix="cs"):
    """A page of the desk's queue under one filter."""

    view: Literal["q"]
    key: QueueKey
    page: int


class CaseExport(CallbackData, prefix="cs"):
    """The bureau's spreadsheet of the cases."""

    view: Literal["export"]


class CaseAction(CallbackData, prefix="cs"):
    """A step on a case, or a view of it."""

    action: ActionCode
    case_id: int


class CaseChoice(CallbackData, prefix="cs"):
    """A pick for a step: ``to`` an investigator's user id, ``cat`` a category's index,
    ``fd`` a finding's index, ``rd`` the index of the category a returned case goes on with."""

    action: ChoiceCode
    case_id: int
    choice: int


class Rating(CallbackData, prefix="rt"):
    """The complainant's rating of a closed case, 1 to 5."""

    case_id: int
    rating: int


class RatingSkip(CallbackData, prefix="rt"):
    """No comment after the rating."""

    view: Literal["skip"]


def queue(key: QueueKey, page: int = 0) -> str:
    return CaseQueue(view="q", key=key, page=page).pack()


def action(code: ActionCode, case_id: int | None) -> str:
    return CaseAction(action=code, case_id=case_id or 0).pack()


def step(step_name: str, case_id: int | None) -> str:
    """The button of a step of ``domain.cases.STEPS``."""
    return CaseAction(action=STEP_CODES[step_name], case_id=case_id or 0).pack()  # type: ignore[arg-type]


EXPORT = CaseExport(view="export").pack()
SKIP_RATING = RatingSkip(view="skip").pack()
