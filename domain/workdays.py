"""The mainland working-day calendar, with 调休 make-up working days.

The State Council publishes each year's public holidays, and the weekend days worked in exchange
(调休), only in the late autumn before. ``chinese_calendar`` ships the years known when it was
released; later years come from an override file the admin fills in from the State Council's
notice (see ``calendar_example.toml``). A year nobody knows is an error, never a guess: a 公示
closing on the wrong day would be a procedural fault.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar

_KEYS = ("holidays", "workdays")
_SATURDAY = 5

REASON_UNKNOWN_YEAR = (
    "The working-day calendar for {year} is not known. Supply an override file listing "
    "that year's public holidays and make-up working days (set GONGSHI_CALENDAR_FILE "
    "or pass the path; see domain/calendar_example.toml), copied from the State Council's notice."
)
REASON_FILE_UNREADABLE = "Cannot read the calendar file {file}: {problem}"
REASON_FILE_NOT_TOML = "The calendar file {file} is not valid TOML: {problem}"
REASON_FILE_SECTION = (
    'The calendar file {file} has a section "{section}"; each section must be a year, like [2027].'
)
REASON_FILE_MISSING_KEY = (
    'The calendar file {file} needs "{key}" in [{year}] (write {key} = [] if there are none).'
)
REASON_FILE_UNKNOWN_KEY = (
    'The calendar file {file} has "{key}" in [{year}]; only "holidays" and "workdays" are allowed.'
)
REASON_FILE_NOT_LIST = (
    'The calendar file {file}: "{key}" in [{year}] must be a list of dates like "{year}-01-01".'
)
REASON_FILE_BAD_DATE = (
    'The calendar file {file}: "{key}" in [{year}] has {value}, which is not a date like '
    '"{year}-01-01".'
)
REASON_FILE_WRONG_YEAR = (
    'The calendar file {file}: "{key}" in [{year}] has {value}, which is not in {year}.'
)
REASON_FILE_BOTH = (
    "The calendar file {file}: {value} in [{year}] is listed both as a holiday "
    "and as a working day."
)
REASON_FILE_WEEKDAY_WORKDAY = (
    'The calendar file {file}: "workdays" in [{year}] has {value}, which is not a Saturday '
    "or Sunday; list only weekend days that are worked."
)


class UnknownYearError(LookupError):
    """No calendar covers ``year``; the message says how to supply one."""

    def __init__(self, year: int) -> None:
        self.year = year
        self.reason = REASON_UNKNOWN_YEAR
        self.params = {"year": str(year)}
        super().__init__(self.reason.format(**self.params))


class CalendarFileError(ValueError):
    """An override file that cannot be used; the message names the file and the problem."""

    def __init__(self, reason: str, **params: str) -> None:
        self.reason = reason
        self.params = params
        super().__init__(reason.format(**params))


@dataclass(frozen=True)
class YearOverride:
    """One year's exceptions to "Monday to Friday": days off, and weekend days worked."""

    holidays: frozenset[date]
    workdays: frozenset[date]

    def is_workday(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < _SATURDAY and day not in self.holidays


@dataclass(frozen=True)
class CalendarOverrides:
    years: Mapping[int, YearOverride] = field(default_factory=dict)
    source: str = "<none>"


def load_overrides(path: Path) -> CalendarOverrides:
    """Read an override file; see ``calendar_example.toml`` for the format."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CalendarFileError(
            REASON_FILE_UNREADABLE, file=str(path), problem=str(error)
        ) from None
    return parse_overrides(text, source=str(path))


def parse_overrides(text: str, *, source: str = "<string>") -> CalendarOverrides:
    """Parse the TOML text of an override file; ``source`` names it in error messages."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CalendarFileError(REASON_FILE_NOT_TOML, file=source, problem=str(error)) from None
    years: dict[int, YearOverride] = {}
    for section, table in document.items():
        if not (len(section) == 4 and section.isascii() and section.isdigit()):
            raise CalendarFileError(REASON_FILE_SECTION, file=source, section=section)
        if not isinstance(table, dict):
            raise CalendarFileError(REASON_FILE_SECTION, file=source, section=section)
        year = int(section)
        years[year] = _parse_year(year, table, source)
    return CalendarOverrides(years=years, source=source)


def _parse_year(year: int, table: dict[str, Any], source: str) -> YearOverride:
    where = {"file": source, "year": str(year)}
    for key in table:
        if key not in _KEYS:
            raise CalendarFileError(REASON_FILE_UNKNOWN_KEY, key=key, **where)
    days: dict[str, frozenset[date]] = {}
    for key in _KEYS:
        if key not in table:
            raise CalendarFileError(REASON_FILE_MISSING_KEY, key=key, **where)
        values = table[key]
        if not isinstance(values, list):
            raise CalendarFileError(REASON_FILE_NOT_LIST, key=key, **where)
        days[key] = frozenset(_parse_day(value, year, key, where) for value in values)
    both = days["holidays"] & days["workdays"]
    if both:
        raise CalendarFileError(REASON_FILE_BOTH, value=min(both).isoformat(), **where)
    for day in sorted(days["workdays"]):
        if day.weekday() < _SATURDAY:
            raise CalendarFileError(REASON_FILE_WEEKDAY_WORKDAY, value=day.isoformat(), **where)
    return YearOverride(holidays=days["holidays"], workdays=days["workdays"])


def _parse_day(value: object, year: int, key: str, where: dict[str, str]) -> date:
    # TOML has its own date literal (2027-01-01, unquoted); a quoted string is just as natural.
    if isinstance(value, datetime):
        raise CalendarFileError(REASON_FILE_BAD_DATE, key=key, value=repr(str(value)), **where)
    if isinstance(value, date):
        day = value
    elif isinstance(value, str):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise CalendarFileError(
                REASON_FILE_BAD_DATE, key=key, value=f'"{value}"', **where
            ) from None
    else:
        raise CalendarFileError(REASON_FILE_BAD_DATE, key=key, value=repr(value), **where)
    if day.year != year:
        raise CalendarFileError(REASON_FILE_WRONG_YEAR, key=key, value=day.isoformat(), **where)
    return day


class WorkCalendar:
    """Working days: override file first, then ``chinese_calendar``, else ``UnknownYearError``.

    An override year replaces ``chinese_calendar``'s data for that year entirely, so a corrected
    schedule can be supplied without waiting for a new release of the library.
    """

    def __init__(self, overrides: CalendarOverrides | None = None) -> None:
        self._years: dict[int, YearOverride] = dict(overrides.years) if overrides else {}

    def knows_year(self, year: int) -> bool:
        try:
            self._year(year)
        except UnknownYearError:
            return False
        return True

    def is_workday(self, day: date) -> bool:
        # A datetime's day depends on its time zone; the caller must decide it (Asia/Shanghai).
        if isinstance(day, datetime):
            raise TypeError("pass a date in Asia/Shanghai, not a datetime")
        return self._year(day.year).is_workday(day)

    def next_workday(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        current = day + timedelta(days=1)
        while not self.is_workday(current):
            current += timedelta(days=1)
        return current

    def previous_workday(self, day: date) -> date:
        """The last working day strictly before ``day``."""
        current = day - timedelta(days=1)
        while not self.is_workday(current):
            current -= timedelta(days=1)
        return current

    def add_workdays(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start``; ``start`` itself is not counted.

        ``n == 0`` gives ``start`` when it is a working day, else the next working day: the day
        something received on ``start`` is first handled. For ``n >= 1``,
        ``workdays_between(start, add_workdays(start, n)) == n``.
        """
        if n < 0:
            raise ValueError("n must not be negative")
        if n == 0:
            return start if self.is_workday(start) else self.next_workday(start)
        current = start
        for _ in range(n):
            current = self.next_workday(current)
        return current

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in ``(start, end]``; negative, counting ``(end, start]``, if end < start.

        Counting this way makes the counts add up: between(a, b) + between(b, c) == between(a, c).
        """
        if end < start:
            return -self.workdays_between(end, start)
        count = 0
        current = start + timedelta(days=1)
        while current <= end:
            count += self.is_workday(current)
            current += timedelta(days=1)
        return count

    def _year(self, year: int) -> YearOverride:
        known = self._years.get(year)
        if known is None:
            if not 1 <= year <= 9999:
                raise UnknownYearError(year)
            known = _from_chinese_calendar(year)
            self._years[year] = known
        return known


def _from_chinese_calendar(year: int) -> YearOverride:
    # Read the whole year once through the public API, so later look-ups are set membership
    # instead of the library's per-call range check.
    holidays: set[date] = set()
    workdays: set[date] = set()
    day = date(year, 1, 1)
    try:
        while day.year == year:
            working = chinese_calendar.is_workday(day)
            weekend = day.weekday() >= _SATURDAY
            if weekend and working:
                workdays.add(day)
            elif not weekend and not working:
                holidays.add(day)
            day += timedelta(days=1)
    except NotImplementedError:
        raise UnknownYearError(year) from None
    return YearOverride(holidays=frozenset(holidays), workdays=frozenset(workdays))
