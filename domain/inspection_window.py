"""The inspection's window as an administrator types it in chat: the first day and the due day,
e.g. "12-19 12-26", "12月19日至12月26日" or "2026-12-19 2026-12-26". Pure.

A day without a year is in the cycle's year, a due day that would then fall before the first
day in the next (the inspection may run into January). On the working-day calendar (五.2, as
domain.inspection.default_window does): a first day that is a day off moves to the next working
day, a due day that is one to the working day before it, and the reply says so. Refused, with
nothing changed: not two dates, a date that does not exist, a due day before the first day, a
first day outside the cycle's year, a window longer than MAX_DAYS, no working day in it.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from domain.inspection import PlanError, Window, window
from domain.workdays import UnknownYearError, WorkCalendar
from messages import N_

TEXT_MAX = 64
MAX_DAYS = 60

REASON_FORMAT = N_(
    'Write the first day and the due day, like "12-19 12-26" or "12月19日至12月26日".'
)
REASON_NO_DATE = N_("{text} is not a date.")
REASON_YEAR = N_("The inspection of the {year} assessment starts in {year}.")
REASON_TOO_LONG = N_("The inspection may last at most {most} days.")
REASON_NO_WORKDAY = N_("There is no working day from {starts} to {due}.")

_DATE = re.compile(r"(?:(?P<y>\d{4})\s*[-/.年]\s*)?(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?")
_BETWEEN = re.compile(r"^[\s至到~～—–\-,，、]*$")


@dataclass(frozen=True)
class ChosenWindow:
    """The window to keep, and the days as typed where the calendar moved them."""

    window: Window
    typed_start: date | None = None  # set when the first day moved onto a working day
    typed_due: date | None = None  # set when the due day moved onto a working day


def _day(found: re.Match[str], year: int) -> tuple[date, bool]:
    try:
        day = date(int(found["y"] or year), int(found["m"]), int(found["d"]))
    except ValueError as error:
        raise PlanError(REASON_NO_DATE, text=found.group().strip()[:20]) from error
    return day, found["y"] is None


def parse_window(text: str, *, year: int, calendar: WorkCalendar) -> ChosenWindow:
    """The window typed as ``text`` for the cycle of ``year``; raises PlanError."""
    normal = unicodedata.normalize("NFKC", text).strip()
    if not normal or len(normal) > TEXT_MAX or "\n" in normal:
        raise PlanError(REASON_FORMAT)
    dates = list(_DATE.finditer(normal))
    if len(dates) != 2:
        raise PlanError(REASON_FORMAT)
    first, second = dates
    if normal[: first.start()].strip() or not _BETWEEN.match(normal[first.end() : second.start()]):
        raise PlanError(REASON_FORMAT)
    if normal[second.end() :].strip():
        raise PlanError(REASON_FORMAT)
    starts, _ = _day(first, year)
    due, due_without_year = _day(second, year)
    if due_without_year and due.month < starts.month:
        due = due.replace(year=due.year + 1)  # "12-28 1-6": into January
    return checked_window(starts, due, year=year, calendar=calendar)


def checked_window(starts: date, due: date, *, year: int, calendar: WorkCalendar) -> ChosenWindow:
    """The window of these days for the cycle of ``year``, checked and moved onto working days
    as the chat's typed window is; the command line's --starts and --due come here too. Raises
    PlanError."""
    if starts.year != year:
        raise PlanError(REASON_YEAR, year=year)
    window(starts, due)  # a due day before the first day is refused there
    if (due - starts).days + 1 > MAX_DAYS:
        raise PlanError(REASON_TOO_LONG, most=MAX_DAYS)
    moved_start, moved_due = _on_workdays(starts, due, calendar)
    if moved_due < moved_start:
        raise PlanError(REASON_NO_WORKDAY, starts=starts, due=due)
    return ChosenWindow(
        window(moved_start, moved_due),
        typed_start=starts if moved_start != starts else None,
        typed_due=due if moved_due != due else None,
    )


def _on_workdays(starts: date, due: date, calendar: WorkCalendar) -> tuple[date, date]:
    """The first working day from ``starts``, the last one up to ``due``; days of a year the
    calendar does not know stay as they are."""
    with contextlib.suppress(UnknownYearError):
        starts = calendar.add_workdays(starts, 0)
    try:
        while not calendar.is_workday(due) and due >= starts:
            due -= timedelta(days=1)
    except UnknownYearError:
        pass
    return starts, due
