"""The acceptance clock counts working days on the calendar, including the admin's file for a
year the library does not know, and never guesses when it has none."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from driver import Chat
from hotline_helpers import case_of, file_complaint
from testsupport import make_settings

from bot.app import build_dispatcher
from domain.clock import FixedClock

CALENDAR_2027 = """
[2027]
holidays = ["2027-01-01", "2027-02-05", "2027-02-08"]
workdays = ["2027-02-07"]
"""


def dispatcher_at(storage, when: datetime, **settings):
    clock = FixedClock(when)
    chosen = make_settings(storage.settings.database_url, **settings)
    return build_dispatcher(settings=chosen, sessions=storage.sessions, clock=clock)


async def test_an_unknown_year_takes_the_complaint_without_a_due_date(storage, county):
    friday = datetime(2027, 2, 5, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    me = Chat(dispatcher_at(storage, friday), 6101)
    code = await file_complaint(me)
    case = await case_of(storage, code)
    assert case.state == "submitted" and case.accept_due is None
    await me.send(f"/status {code}")
    assert "—" in me.last


async def test_the_admin_calendar_file_sets_the_due_date(storage, county, tmp_path):
    calendar = tmp_path / "calendar.toml"
    calendar.write_text(CALENDAR_2027, encoding="utf-8")
    friday = datetime(2027, 2, 5, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    me = Chat(dispatcher_at(storage, friday, calendar_file=calendar), 6102)
    code = await file_complaint(me)
    case = await case_of(storage, code)
    # The county's 公示 is open, so 1 working day: on the file, the next one after Friday
    # 5 Feb is the make-up Sunday, 7 Feb (a plain weekend would give Monday 8 Feb).
    assert case.accept_due == date(2027, 2, 7)
