"""The city's inspection of the units (the seeds' second plan), as rules and data. Pure.

- 一、二: a leading group with its office, and N inspection groups (two in the seed), each a
  leader and members from 人社, 纪检, 财政 and 审计; every unit in exactly one group, the split
  proposed balanced by workers.
- 三、四: the checklist: five items, each checked by the methods of 四, with a result.
- 五.2: the window, 19 December to "before the 27th" (due the 26th), on the working-day
  calendar: a start on a day off moves to the next working day, a due day on a day off to the
  working day before it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from domain.deadlines import MonthDay
from domain.workdays import UnknownYearError, WorkCalendar
from messages import N_

WINDOW_STARTS = MonthDay(12, 19)
WINDOW_DUE = MonthDay(12, 26)  # 12月27日前完成
DEFAULT_GROUPS = 2
MAX_GROUPS = 20
NAME_MAX = 64
POST_MAX = 120

DEPARTMENTS: dict[str, str] = {
    "hr": N_("HR and social security (人社)"),
    "discipline": N_("Discipline inspection (纪检)"),
    "finance": N_("Finance (财政)"),
    "audit": N_("Audit (审计)"),
    "other": N_("Other"),
}
# What an official writes for a department, in Chinese or English.
DEPARTMENT_WORDS: dict[str, str] = {
    "人社": "hr", "人社局": "hr", "人力资源和社会保障局": "hr", "hr": "hr",
    "纪检": "discipline", "纪检委": "discipline", "纪委": "discipline", "discipline": "discipline",
    "财政": "finance", "财政局": "finance", "finance": "finance",
    "审计": "audit", "审计局": "audit", "audit": "audit",
    "其他": "other", "other": "other",
}  # fmt: skip
POSITIONS: dict[str, str] = {
    "leader": N_("Leader"),
    "deputy": N_("Deputy leader"),
    "member": N_("Member"),
}
BODIES = ("leading", "office", "group")


@dataclass(frozen=True)
class Item:
    """A checklist item of 三, and the methods of 四 it is usually checked by."""

    key: str
    name: str  # message id
    methods: tuple[str, ...]


METHODS: dict[str, str] = {
    "report": N_("Hearing the report (听汇报)"),
    "site": N_("On-site check (实地查看)"),
    "people": N_("Staff verification (人员核对)"),
    "accounts": N_("Accounts check (账目查看)"),
}
ITEMS: tuple[Item, ...] = (
    Item("posts", N_("Posts set up (岗位设定)"), ("report", "site")),
    Item("changes", N_("Staff joining and leaving (人员增减变动)"), ("report", "people")),
    Item("recruitment", N_("Recruitment (人员招录)"), ("report", "people")),
    Item("management", N_("Staff management (人员管理)"), ("report", "site", "people")),
    Item("funds", N_("Use of the post and social-insurance subsidies"), ("report", "accounts")),
)
ITEMS_BY_KEY: dict[str, Item] = {item.key: item for item in ITEMS}
RESULTS: dict[str, str] = {"ok": N_("Compliant (符合)"), "problem": N_("Problem found (存在问题)")}
NOTE_MAX = 1000
FILES_MAX = 5


@dataclass(frozen=True)
class Window:
    starts_on: date
    due_on: date


class PlanError(ValueError):
    """A plan that cannot be used; ``reason`` is a message id with ``params``."""

    def __init__(self, reason: str, **params: object) -> None:
        self.reason = reason
        self.params = params
        super().__init__(reason.format(**params))


REASON_DUE_BEFORE_START = N_("The inspection cannot be due ({due}) before it starts ({starts}).")
REASON_GROUPS = N_("The number of groups must be from 1 to {most}.")
REASON_NAME = N_("A name is 1 to {most} characters, without line breaks.")
REASON_POST = N_("A post is at most {most} characters, without line breaks.")
REASON_DEPARTMENT = N_("Unknown department {text}: write 人社, 纪检, 财政, 审计 or 其他.")


def default_window(year: int, calendar: WorkCalendar) -> Window:
    """19 December to the 26th of the cycle's year, moved onto working days."""
    starts, due = WINDOW_STARTS.on(year), WINDOW_DUE.on(year)
    try:
        starts = calendar.add_workdays(starts, 0)
        while not calendar.is_workday(due) and due > starts:
            due -= timedelta(days=1)
    except UnknownYearError:
        pass  # a year the calendar does not know keeps the plan's own dates
    return Window(starts, due)


def window(starts_on: date, due_on: date) -> Window:
    if due_on < starts_on:
        raise PlanError(REASON_DUE_BEFORE_START, due=due_on, starts=starts_on)
    return Window(starts_on, due_on)


def check_groups(count: int) -> int:
    if not 1 <= count <= MAX_GROUPS:
        raise PlanError(REASON_GROUPS, most=str(MAX_GROUPS))
    return count


def clean_name(text: str) -> str:
    name = " ".join(text.split())
    if not name or len(name) > NAME_MAX or any(c in text for c in "\r\n"):
        raise PlanError(REASON_NAME, most=str(NAME_MAX))
    return name


def clean_post(text: str) -> str:
    post = " ".join(text.split())
    if len(post) > POST_MAX or any(c in text for c in "\r\n"):
        raise PlanError(REASON_POST, most=str(POST_MAX))
    return post


def department(text: str) -> str:
    key = DEPARTMENT_WORDS.get(text.strip().casefold())
    if key is None:
        raise PlanError(REASON_DEPARTMENT, text=text.strip()[:20])
    return key


def propose_split(workers: Mapping[int, int], groups: int) -> dict[int, int]:
    """Each unit (id → workers on duty) to a group numbered 1..``groups``, the workers spread
    as evenly as greedy allows: the biggest unit first, each to the group with the fewest
    workers so far (then the fewest units, then the lowest number). The same input always
    gives the same split."""
    check_groups(groups)
    load = {number: [0, 0] for number in range(1, groups + 1)}
    split: dict[int, int] = {}
    for unit_id in sorted(workers, key=lambda u: (-workers[u], u)):
        number = min(load, key=lambda n: (load[n][0], load[n][1], n))
        split[unit_id] = number
        load[number][0] += workers[unit_id]
        load[number][1] += 1
    return split


def group_loads(split: Mapping[int, int], workers: Mapping[int, int]) -> dict[int, int]:
    """Workers per group number."""
    loads: dict[int, int] = {}
    for unit_id, number in split.items():
        loads[number] = loads.get(number, 0) + workers.get(unit_id, 0)
    return loads


def methods_in_order(keys: Sequence[str]) -> list[str]:
    return [key for key in METHODS if key in keys]
