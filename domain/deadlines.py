"""Units' deadlines in an assessment cycle, and which reminder is due on a given day.

The calendar comes from the seeds (SPEC.md §4): the county plan's assessment of Dec 1-15, its
公示 and the paperwork after it, and the city plan's inspection of Dec 19-27 with its self-check
report, staff verification and social-insurance vouchers. The dates are data, read from a TOML
file (``notices/deadlines.toml`` ships the defaults) that a cycle may override.

Everything here is pure: the working-day calendar is passed in, and so is "today".
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

from domain.workdays import WorkCalendar
from messages import N_

Anchor = Literal["gongshi_opens", "gongshi_closes"]
ANCHORS: tuple[Anchor, ...] = ("gongshi_opens", "gongshi_closes")
Audience = Literal["unit", "bureau"]

REASON_NOT_TOML = N_("The deadlines file {file} is not valid TOML: {problem}")
REASON_UNKNOWN_KEY = N_('The deadlines file {file}: unknown key "{key}" in {where}.')
REASON_BAD_VALUE = N_("The deadlines file {file}: {where} {key} = {value} is not valid: {expected}")
REASON_NO_KIND = N_("The deadlines file {file}: a [[task]] has no kind.")
REASON_NO_DUE = N_('The deadlines file {file}: task "{kind}" has no due date.')
REASON_STARTS_AFTER_DUE = N_(
    'The deadlines file {file}: task "{kind}" starts on {starts} but is due on {due}.'
)

EXPECT_DATE = N_(
    'a month and day like "12-15", or working days after the notice, like '
    'after = "gongshi_closes", workdays = 5'
)
EXPECT_WORKDAYS = N_("a list of whole numbers of working days, like [3, 1]")
EXPECT_COUNT = N_("a whole number, 0 or more")
EXPECT_HOUR = N_("an hour from 0 to 23")
EXPECT_BOOL = N_("true or false")
EXPECT_TEXT = N_("a short text")


class DeadlineConfigError(ValueError):
    """A deadlines file that cannot be used; ``reason`` is a message id with ``params``."""

    def __init__(self, reason: str, **params: str) -> None:
        self.reason = reason
        self.params = params
        super().__init__(reason.format(**params))


@dataclass(frozen=True)
class MonthDay:
    """A day of the assessment year (``year_offset`` 1: of the year after)."""

    month: int
    day: int
    year_offset: int = 0

    def on(self, year: int) -> date:
        return date(year + self.year_offset, self.month, self.day)


@dataclass(frozen=True)
class AfterWindow:
    """``workdays`` working days after the 公示 opens or closes (0: that day itself)."""

    anchor: Anchor
    workdays: int


DateRule = MonthDay | AfterWindow


@dataclass(frozen=True)
class TaskRule:
    kind: str
    due: DateRule
    starts: DateRule | None = None
    needs_file: bool = True
    # A custom kind has no catalogue title; the file may give one.
    title: str = ""


@dataclass(frozen=True)
class ReminderPolicy:
    before_workdays: tuple[int, ...] = (3, 1)
    on_day: bool = True
    overdue_daily: bool = True
    escalate_after_workdays: int = 2
    # Reminders wait for office hours: a reminder at 00:05 is read as spam.
    send_from_hour: int = 9

    def to_json(self) -> dict[str, Any]:
        return {
            "before_workdays": list(self.before_workdays),
            "on_day": self.on_day,
            "overdue_daily": self.overdue_daily,
            "escalate_after_workdays": self.escalate_after_workdays,
            "send_from_hour": self.send_from_hour,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> ReminderPolicy:
        if not data:
            return cls()
        return _reminder_policy(dict(data), cls(), "<cycle settings>")


@dataclass(frozen=True)
class DefaultWindow:
    """The 公示 when the cycle sets none: opens on ``opens`` (or the next working day) and
    lasts ``workdays`` working days, the opening day included."""

    opens: MonthDay = MonthDay(12, 16)
    workdays: int = 5


@dataclass(frozen=True)
class DeadlineConfig:
    tasks: tuple[TaskRule, ...]
    reminders: ReminderPolicy = field(default_factory=ReminderPolicy)
    gongshi: DefaultWindow = field(default_factory=DefaultWindow)


@dataclass(frozen=True)
class PlannedTask:
    kind: str
    due_on: date
    starts_on: date | None
    needs_file: bool
    title: str = ""


@dataclass(frozen=True)
class DueReminder:
    """A reminder the rules call for today; ``on_day`` keys it so it is sent once."""

    kind: Literal["before", "on_day", "overdue", "escalation"]
    on_day: date
    audience: Audience
    workdays: int  # before the due day, or overdue by


# Reading the file ------------------------------------------------------------------------------

_TOP_KEYS = ("reminders", "gongshi", "task")
_TASK_KEYS = ("kind", "due", "starts", "needs_file", "title", "enabled")
_REMINDER_KEYS = (
    "before_workdays",
    "on_day",
    "overdue_daily",
    "escalate_after_workdays",
    "send_from_hour",
)
_GONGSHI_KEYS = ("opens", "workdays")


def parse_config(
    text: str, *, source: str = "<string>", base: DeadlineConfig | None = None
) -> DeadlineConfig:
    """Read a deadlines file; with ``base``, the file only changes what it names.

    Over a base, ``[reminders]`` and ``[gongshi]`` keys replace the base's, a ``[[task]]`` with
    a known kind changes only the keys it gives, ``enabled = false`` drops that task, and a new
    kind is added.
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DeadlineConfigError(REASON_NOT_TOML, file=source, problem=str(error)) from None
    _no_unknown(document, _TOP_KEYS, source, "the file")
    start = base or DeadlineConfig(tasks=())
    reminders = _reminder_policy(_table(document, "reminders", source), start.reminders, source)
    gongshi = _window(_table(document, "gongshi", source), start.gongshi, source)
    tasks = {rule.kind: rule for rule in start.tasks}
    entries = document.get("task", [])
    if not isinstance(entries, list):
        raise DeadlineConfigError(
            REASON_BAD_VALUE, file=source, where="", key="task", value="?", expected=EXPECT_DATE
        )
    for entry in entries:
        kind, rule = _task(entry, tasks, source)
        if rule is None:
            tasks.pop(kind, None)
        else:
            tasks[kind] = rule
    return DeadlineConfig(tasks=tuple(tasks.values()), reminders=reminders, gongshi=gongshi)


def _table(document: Mapping[str, Any], key: str, source: str) -> dict[str, Any]:
    value = document.get(key, {})
    if not isinstance(value, dict):
        raise DeadlineConfigError(
            REASON_BAD_VALUE, file=source, where="", key=key, value=repr(value), expected="[...]"
        )
    return value


def _no_unknown(table: Mapping[str, Any], known: Iterable[str], source: str, where: str) -> None:
    for key in table:
        if key not in known:
            raise DeadlineConfigError(REASON_UNKNOWN_KEY, file=source, key=key, where=where)


def _bad(source: str, where: str, key: str, value: object, expected: str) -> DeadlineConfigError:
    return DeadlineConfigError(
        REASON_BAD_VALUE, file=source, where=where, key=key, value=repr(value), expected=expected
    )


def _count(value: object, source: str, where: str, key: str, *, high: int = 366) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        raise _bad(source, where, key, value, EXPECT_HOUR if high == 23 else EXPECT_COUNT)
    return value


def _flag(value: object, source: str, where: str, key: str) -> bool:
    if not isinstance(value, bool):
        raise _bad(source, where, key, value, EXPECT_BOOL)
    return value


def _reminder_policy(table: dict[str, Any], base: ReminderPolicy, source: str) -> ReminderPolicy:
    where = "[reminders]"
    _no_unknown(table, _REMINDER_KEYS, source, where)
    policy = base
    if "before_workdays" in table:
        value = table["before_workdays"]
        if not isinstance(value, list) or not all(
            isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= 60 for n in value
        ):
            raise _bad(source, where, "before_workdays", value, EXPECT_WORKDAYS)
        policy = replace(policy, before_workdays=tuple(sorted(set(value), reverse=True)))
    if "on_day" in table:
        policy = replace(policy, on_day=_flag(table["on_day"], source, where, "on_day"))
    if "overdue_daily" in table:
        daily = _flag(table["overdue_daily"], source, where, "overdue_daily")
        policy = replace(policy, overdue_daily=daily)
    if "escalate_after_workdays" in table:
        n = _count(table["escalate_after_workdays"], source, where, "escalate_after_workdays")
        policy = replace(policy, escalate_after_workdays=n)
    if "send_from_hour" in table:
        hour = _count(table["send_from_hour"], source, where, "send_from_hour", high=23)
        policy = replace(policy, send_from_hour=hour)
    return policy


def _window(table: dict[str, Any], base: DefaultWindow, source: str) -> DefaultWindow:
    where = "[gongshi]"
    _no_unknown(table, _GONGSHI_KEYS, source, where)
    window = base
    if "opens" in table:
        opens = _date_rule(table["opens"], source, where, "opens")
        if not isinstance(opens, MonthDay):
            raise _bad(source, where, "opens", table["opens"], EXPECT_DATE)
        window = replace(window, opens=opens)
    if "workdays" in table:
        workdays = _count(table["workdays"], source, where, "workdays", high=60)
        if workdays < 1:
            raise _bad(source, where, "workdays", workdays, EXPECT_COUNT)
        window = replace(window, workdays=workdays)
    return window


def _task(entry: object, known: Mapping[str, TaskRule], source: str) -> tuple[str, TaskRule | None]:
    if not isinstance(entry, dict):
        raise _bad(source, "[[task]]", "", entry, "[[task]]")
    kind = entry.get("kind")
    if not isinstance(kind, str) or not kind.strip():
        raise DeadlineConfigError(REASON_NO_KIND, file=source)
    kind = kind.strip()
    where = f'[[task]] "{kind}"'
    _no_unknown(entry, _TASK_KEYS, source, where)
    if len(kind) > 32 or not kind.replace("_", "").isalnum() or not kind.isascii():
        raise _bad(source, where, "kind", kind, "a-z, 0-9 and _ (at most 32)")
    if "enabled" in entry and not _flag(entry["enabled"], source, where, "enabled"):
        return kind, None
    base = known.get(kind)
    if "due" not in entry and base is None:
        raise DeadlineConfigError(REASON_NO_DUE, file=source, kind=kind)
    due = _date_rule(entry["due"], source, where, "due") if "due" in entry else None
    starts = _date_rule(entry["starts"], source, where, "starts") if "starts" in entry else None
    title = entry.get("title", base.title if base else "")
    if not isinstance(title, str) or len(title) > 100:
        raise _bad(source, where, "title", title, EXPECT_TEXT)
    needs_file = (
        _flag(entry["needs_file"], source, where, "needs_file")
        if "needs_file" in entry
        else (base.needs_file if base else True)
    )
    rule = TaskRule(
        kind=kind,
        due=due or (base.due if base else MonthDay(12, 31)),
        starts=starts if "starts" in entry else (base.starts if base else None),
        needs_file=needs_file,
        title=title,
    )
    return kind, rule


def _date_rule(value: object, source: str, where: str, key: str) -> DateRule:
    if isinstance(value, str):
        # "12-15" is in the assessment year; "+1:01-10" in the year after.
        text, offset = value.strip(), 0
        if text.startswith("+1:"):
            text, offset = text[3:], 1
        month, _, day = text.partition("-")
        if month.isdigit() and day.isdigit():
            try:
                date(2024, int(month), int(day))  # a leap year: 02-29 is allowed
            except ValueError:
                pass
            else:
                return MonthDay(int(month), int(day), offset)
    elif isinstance(value, dict) and set(value) == {"after", "workdays"}:
        anchor, workdays = value["after"], value["workdays"]
        if (
            anchor in ANCHORS
            and isinstance(workdays, int)
            and not isinstance(workdays, bool)
            and 0 <= workdays <= 60
        ):
            return AfterWindow(anchor=anchor, workdays=workdays)
    raise _bad(source, where, key, value, EXPECT_DATE)


# Planning a cycle ------------------------------------------------------------------------------


def gongshi_window(
    *,
    year: int,
    config: DeadlineConfig,
    calendar: WorkCalendar,
    opens_on: date | None = None,
    closes_on: date | None = None,
) -> tuple[date, date]:
    """The cycle's own 公示 window when it has one, else the configured default."""
    if opens_on is not None and closes_on is not None:
        return opens_on, closes_on
    opens = opens_on or calendar.add_workdays(config.gongshi.opens.on(year), 0)
    closes = calendar.add_workdays(opens, config.gongshi.workdays - 1)
    return opens, closes


def _resolve(rule: DateRule, year: int, window: tuple[date, date], calendar: WorkCalendar) -> date:
    if isinstance(rule, MonthDay):
        return rule.on(year)
    anchor = window[0] if rule.anchor == "gongshi_opens" else window[1]
    return calendar.add_workdays(anchor, rule.workdays) if rule.workdays else anchor


def plan_tasks(
    *,
    year: int,
    config: DeadlineConfig,
    calendar: WorkCalendar,
    window: tuple[date, date],
    source: str = "<config>",
) -> list[PlannedTask]:
    """Every unit's tasks for assessment year ``year``, in due order.

    Raises ``UnknownYearError`` when a date counted in working days falls in a year the
    calendar does not know.
    """
    planned = []
    default_opens = gongshi_window(year=year, config=config, calendar=calendar)[0]
    for rule in config.tasks:
        due = _resolve(rule.due, year, window, calendar)
        starts = _resolve(rule.starts, year, window, calendar) if rule.starts else None
        if starts is not None and starts > due:
            raise DeadlineConfigError(
                REASON_STARTS_AFTER_DUE,
                file=source,
                kind=rule.kind,
                starts=starts.isoformat(),
                due=due.isoformat(),
            )
        # A weekend or holiday due day is the last working day before it, as the reminders say.
        due = due if calendar.is_workday(due) else calendar.previous_workday(due)
        if precedes_gongshi(rule, year=year, default_opens=default_opens):
            # Work the 公示 publishes (the assessment, its results) is due before the 公示
            # opens, however early the cycle's own 公示 is.
            due = min(due, calendar.previous_workday(window[0]))
        starts = min(starts, due) if starts is not None else None
        planned.append(PlannedTask(rule.kind, due, starts, rule.needs_file, rule.title))
    return sorted(planned, key=lambda task: (task.due_on, task.kind))


def precedes_gongshi(rule: TaskRule, *, year: int, default_opens: date) -> bool:
    """A task on a fixed date before the usual 公示 opens is work the 公示 depends on."""
    return isinstance(rule.due, MonthDay) and rule.due.on(year) < default_opens


# Reminders ---------------------------------------------------------------------------------------


def reminders_due(
    *, due_on: date, today: date, calendar: WorkCalendar, policy: ReminderPolicy
) -> list[DueReminder]:
    """The reminders an open task calls for on ``today``: at most one to the unit, and the
    escalation to the bureau once it is overdue long enough.

    Reminders go out on working days only. Each day asks only for that day's reminder, so a
    day missed while the bot was down is not made up with a pile of stale ones: after
    downtime across a deadline the unit gets one reminder, the one for today.

    "n working days before" is the working day with n working days after it up to the due
    day; a due day that is not a working day has its "on the day" reminder on the last
    working day before it.
    """
    if not calendar.is_workday(today):
        return []
    found: list[DueReminder] = []
    if today > due_on:
        overdue = calendar.workdays_between(due_on, today)
        if policy.overdue_daily:
            found.append(DueReminder("overdue", today, "unit", overdue))
        if policy.escalate_after_workdays and overdue >= policy.escalate_after_workdays:
            # Keyed by the due day: one escalation per deadline, whichever day it happens.
            found.append(DueReminder("escalation", due_on, "bureau", overdue))
        return found
    ahead = calendar.workdays_between(today, due_on)
    if ahead == 0 and policy.on_day:
        found.append(DueReminder("on_day", today, "unit", 0))
    elif ahead in policy.before_workdays:
        found.append(DueReminder("before", today, "unit", ahead))
    return found


def read_config(
    default_text: str, override_text: str | None = None, *, override_source: str = ""
) -> DeadlineConfig:
    """The shipped defaults, changed by a cycle's own file when there is one."""
    config = parse_config(default_text, source="deadlines.toml")
    if override_text is None:
        return config
    return parse_config(override_text, source=override_source or "<override>", base=config)
