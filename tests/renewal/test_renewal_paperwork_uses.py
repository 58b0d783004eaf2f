"""The renewal paperwork's use cases on SQLite and PostgreSQL: signing, the written reason and
the tasks it opens, the reminders and the escalation of an overdue one, and the subsidy list
that follows what was signed."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from renewal_county import BUREAU, UNIT_A, UNIT_A_CONTACT, UNIT_B
from sqlmodel import col, select

from bot.app import build_deps
from domain.clock import FixedClock
from domain.subsidy import REASON_SIGNED, REASON_UNIT_NOT_RENEWED, REASON_UNSIGNED, SubsidyStatus
from domain.workdays import WorkCalendar, parse_overrides
from notices.reminders import sweep_reminders
from services import renewal as paperwork
from storage.models import AuditLog, Cycle, Outbox, UnitTask
from storage.subsidy import subsidy_rows

# 2027 as the State Council would publish it, reduced to what the test crosses: 元旦.
CALENDAR = WorkCalendar(parse_overrides('[2027]\nholidays = ["2027-01-01"]\nworkdays = []\n'))
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def deps(any_storage, clock):
    return build_deps(any_storage.settings, clock=clock, services={"calendar": CALENDAR})


async def in_transaction(storage, county, action, **kw):
    async with storage.sessions() as session, session.begin():
        cycle = await session.get(Cycle, county.cycle_id)
        return await action(session=session, cycle=cycle, **kw)


async def sign(storage, county, deps, key, **kw):
    options = {"starts_on": date(2027, 1, 1), "consent": True, "eligible": True}
    return await in_transaction(
        storage,
        county,
        paperwork.sign_agreement,
        deps=deps,
        worker_id=county.workers[key],
        unit_ids=kw.pop("unit_ids", [county.units[UNIT_A]]),
        actor_user_id=UNIT_A_CONTACT,
        **{**options, **kw},
    )


async def not_renewed(storage, county, deps, key, reason="考核不合格，不再续签上岗协议"):
    return await in_transaction(
        storage,
        county,
        paperwork.record_non_renewal,
        deps=deps,
        worker_id=county.workers[key],
        reason=reason,
        unit_ids=[county.units[UNIT_A]],
        actor_user_id=UNIT_A_CONTACT,
    )


async def test_a_signed_agreement_runs_one_year_with_consent_and_eligibility(
    any_storage, county_anywhere, deps
):
    paper = await sign(any_storage, county_anywhere, deps, "pass")
    assert (paper.term_starts_on, paper.term_ends_on) == (date(2027, 1, 1), date(2027, 12, 31))
    assert paper.consent and paper.eligible and paper.outcome == "renewed"
    async with any_storage.sessions() as session:
        actions = (await session.execute(select(AuditLog.action))).scalars().all()
    assert "renewal_signed" in actions


@pytest.mark.parametrize(
    ("key", "options", "reason"),
    [
        ("fail", {}, paperwork.DOES_NOT_RENEW),
        ("pass", {"consent": False}, paperwork.CONSENT_NEEDED),
        ("pass", {"eligible": False}, paperwork.ELIGIBLE_NEEDED),
        ("other", {}, paperwork.NOT_YOURS),
    ],
)
async def test_what_signing_refuses(any_storage, county_anywhere, deps, key, options, reason):
    with pytest.raises(paperwork.PaperworkError) as refused:
        await sign(any_storage, county_anywhere, deps, key, **options)
    assert refused.value.reason == reason


async def test_one_record_per_worker(any_storage, county_anywhere, deps):
    await sign(any_storage, county_anywhere, deps, "pass")
    with pytest.raises(paperwork.PaperworkError) as again:
        await not_renewed(any_storage, county_anywhere, deps, "pass")
    assert again.value.reason == paperwork.ALREADY_RECORDED


async def test_a_non_renewal_opens_two_tasks_and_two_fails_a_third(
    any_storage, county_anywhere, deps
):
    paper, tasks = await not_renewed(any_storage, county_anywhere, deps, "fail")
    assert paper.reason == "考核不合格，不再续签上岗协议"
    worker = county_anywhere.workers["fail"]
    assert [t.kind for t in tasks] == [f"si_change:{worker}", f"unemployment_reg:{worker}"]
    # Ten working days from Wednesday 23 December: 24, 25, 28 to 31 December, then 4 to 7
    # January (1 January is 元旦).
    assert {t.due_on for t in tasks} == {date(2027, 1, 7)}
    assert all(t.worker_id == worker and t.state == "open" for t in tasks)
    _, twice = await not_renewed(any_storage, county_anywhere, deps, "fail2")
    assert [t.kind.split(":")[0] for t in twice] == [
        "si_change",
        "unemployment_reg",
        "end_contract",
    ]


async def test_without_next_years_calendar_the_tasks_get_two_weeks(
    any_storage, county_anywhere, clock
):
    deps = build_deps(any_storage.settings, clock=clock)  # 2027 not supplied
    _, tasks = await not_renewed(any_storage, county_anywhere, deps, "fail")
    assert {t.due_on for t in tasks} == {date(2027, 1, 6)}


async def test_a_task_is_done_by_file_or_confirmation_and_only_by_its_unit(
    any_storage, county_anywhere, deps
):
    _, tasks = await not_renewed(any_storage, county_anywhere, deps, "fail")
    units = county_anywhere.units
    async with any_storage.sessions() as session, session.begin():
        with pytest.raises(paperwork.PaperworkError):
            await paperwork.finish_worker_task(
                session=session,
                task_id=tasks[0].id,
                unit_ids=[units[UNIT_B]],
                actor_user_id=1,
                now=deps.clock.now(),
            )
        await paperwork.finish_worker_task(
            session=session,
            task_id=tasks[0].id,
            unit_ids=[units[UNIT_A]],
            actor_user_id=UNIT_A_CONTACT,
            now=deps.clock.now(),
            file_id="f-receipt",
            file_name="社保变更回执.pdf",
        )
        await paperwork.finish_worker_task(
            session=session,
            task_id=tasks[1].id,
            unit_ids=[units[UNIT_A]],
            actor_user_id=UNIT_A_CONTACT,
            now=deps.clock.now(),
        )
    async with any_storage.sessions() as session:
        done = (
            await session.execute(select(UnitTask).where(col(UnitTask.worker_id).is_not(None)))
        ).scalars()
        by_kind = {t.kind.split(":")[0]: t for t in done}
    assert by_kind["si_change"].file_name == "社保变更回执.pdf"
    assert by_kind["unemployment_reg"].state == "done" and not by_kind["unemployment_reg"].file_id


async def test_an_overdue_task_is_reminded_then_escalated(any_storage, county_anywhere, deps):
    await not_renewed(any_storage, county_anywhere, deps, "fail")
    name = county_anywhere.names["fail"]

    async def sweep(day: date) -> list[Outbox]:
        clock = FixedClock(datetime(day.year, day.month, day.day, 10, 0, tzinfo=SHANGHAI))
        await sweep_reminders(sessions=any_storage.sessions, clock=clock, calendar=CALENDAR)
        async with any_storage.sessions() as session:
            return list((await session.execute(select(Outbox).order_by(Outbox.id))).scalars())

    before = await sweep(date(2027, 1, 4))  # three working days before 7 January
    to_unit = [str(m.payload.get("text")) for m in before if m.chat_id == UNIT_A_CONTACT]
    assert any(f"为{name}办理失业登记" in text for text in to_unit)
    assert any(f"为{name}办理社保信息变更" in text for text in to_unit)
    assert not [m for m in before if m.chat_id == BUREAU]
    after = await sweep(date(2027, 1, 7) + timedelta(days=4))  # Monday: two working days late
    to_bureau = [str(m.payload.get("text")) for m in after if m.chat_id == BUREAU]
    assert any("城关镇人民政府" in text and f"为{name}办理失业登记" in text for text in to_bureau)


async def test_the_subsidy_list_follows_what_was_signed(any_storage, county_anywhere, deps):
    await sign(any_storage, county_anywhere, deps, "pass")
    await not_renewed(any_storage, county_anywhere, deps, "basic", reason="本人不同意续签")
    async with any_storage.sessions() as session:
        cycle = await session.get(Cycle, county_anywhere.cycle_id)
        rows = {r.name: r for r in await subsidy_rows(session, cycle)}
    names = county_anywhere.names
    signed, declined, unsigned = rows[names["pass"]], rows[names["basic"]], rows[names["other"]]
    assert (signed.subsidy, signed.reason) == (SubsidyStatus.CONTINUE, REASON_SIGNED)
    assert (signed.term_starts_on, signed.term_ends_on) == (date(2027, 1, 1), date(2027, 12, 31))
    assert (declined.subsidy, declined.reason) == (SubsidyStatus.END, REASON_UNIT_NOT_RENEWED)
    assert not declined.renewed and declined.term_starts_on is None
    assert (unsigned.subsidy, unsigned.reason) == (SubsidyStatus.PENDING, REASON_UNSIGNED)


async def test_the_units_own_tasks_close_when_no_worker_is_left(any_storage, county_anywhere, deps):
    county = county_anywhere
    unit_a = county.units[UNIT_A]
    async with any_storage.sessions() as session, session.begin():
        for kind in ("renewals_signed", "non_renewals_reported"):
            session.add(
                UnitTask(
                    cycle_id=county.cycle_id, unit_id=unit_a, kind=kind, due_on=date(2027, 1, 5)
                )
            )

    async def states() -> dict[str, str]:
        async with any_storage.sessions() as session:
            found = await session.execute(
                select(UnitTask).where(
                    col(UnitTask.worker_id).is_(None), col(UnitTask.unit_id) == unit_a
                )
            )
            return {task.kind: task.state for task in found.scalars()}

    await sign(any_storage, county, deps, "pass")
    await not_renewed(any_storage, county, deps, "fail")
    assert await states() == {"renewals_signed": "open", "non_renewals_reported": "open"}
    await not_renewed(any_storage, county, deps, "basic", reason="本人不同意续签")
    assert await states() == {"renewals_signed": "done", "non_renewals_reported": "open"}
    await not_renewed(any_storage, county, deps, "fail2")
    assert await states() == {"renewals_signed": "done", "non_renewals_reported": "done"}
