"""`gongshi purge` clears the written reason of a non-renewal once it has served its purpose:
its cycle's 公示 ended before the retention period and nothing about that worker in that cycle
is still open. The decision itself stays. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app
from storage.models import Case, Complaint, Cycle, RenewalPaper, Unit, UnitTask, Worker

NOW = datetime.now(UTC)
LONG_AGO = NOW - timedelta(days=1100)  # past the default two years
ILL = "本人长期患病，经医院诊断无法继续从事保洁工作。"


async def gongshi(storage, *args: str):
    env = {
        "GONGSHI_DATABASE_URL": storage.settings.database_url,
        "GONGSHI_SECRET_KEY": storage.settings.secret_key.get_secret_value(),
        "GONGSHI_LANGUAGE": "en",
    }
    return await asyncio.to_thread(CliRunner().invoke, app, list(args), env=env)


async def county(storage) -> None:
    """Four non-renewals and one renewal, in a cycle long past and in last year's."""
    async with storage.sessions() as session, session.begin():
        unit = Unit(name="01号单位", quota=8)
        old = Cycle(year=2023, state="closed", gongshi_closes_on=date(2023, 12, 21))
        last = Cycle(
            year=NOW.year - 1, state="closed", gongshi_closes_on=NOW.date() - timedelta(300)
        )
        session.add_all([unit, old, last])
        await session.flush()
        people = {
            name: Worker(name=name, id_hash=f"h-{name}", id_last4="1234", unit_id=unit.id)
            for name in ("甲", "乙", "丙", "丁", "戊")
        }
        session.add_all(people.values())
        await session.flush()

        def paper(name: str, cycle: Cycle, outcome: str = "not_renewed") -> None:
            session.add(
                RenewalPaper(
                    cycle_id=cycle.id,
                    unit_id=unit.id,
                    worker_id=people[name].id,
                    outcome=outcome,
                    reason=f"{name}：{ILL}" if outcome == "not_renewed" else "",
                    recorded_at=LONG_AGO,
                )
            )

        def task(name: str, state: str) -> None:
            session.add(
                UnitTask(
                    cycle_id=old.id,
                    unit_id=unit.id,
                    worker_id=people[name].id,
                    kind=f"si_change:{people[name].id}",
                    starts_on=LONG_AGO.date(),
                    due_on=LONG_AGO.date() + timedelta(days=14),
                    state=state,
                    title=name,
                )
            )

        paper("甲", old)  # long past, its tasks done: served its purpose
        task("甲", "done")
        paper("乙", old)  # long past, but the unit's task for the worker is still open
        task("乙", "open")
        paper("丙", last)  # last year's: the cycle is still kept
        paper("丁", old)  # long past, but a complaint about the worker in it is still open
        complaint = Complaint(
            ticket_code="DINGOPEN",
            cycle_id=old.id,
            unit_id=unit.id,
            worker_id=people["丁"].id,
            category="unfair",
            description="考核不公。",
            submitted_at=LONG_AGO,
        )
        session.add(complaint)
        await session.flush()
        session.add(
            Case(
                complaint_id=complaint.id,
                unit_id=unit.id,
                worker_id=people["丁"].id,
                cycle_id=old.id,
                category="unfair",
                severity="medium",
                route="bureau",
                state="investigating",
            )
        )
        paper("戊", old, outcome="renewed")


async def papers(storage) -> list[tuple[str, str, str]]:
    async with storage.sessions() as session:
        rows = await session.execute(
            select(Worker.name, RenewalPaper.outcome, RenewalPaper.reason)
            .join(Worker, Worker.id == RenewalPaper.worker_id)
            .order_by(Worker.name)
        )
        return [(str(n), str(o), str(r)) for n, o, r in rows.all()]


async def test_a_non_renewals_reason_past_retention_is_cleared(any_storage):
    storage = any_storage
    await county(storage)
    before = await papers(storage)

    dry = await gongshi(storage, "purge", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "written reasons of non-renewals: 1." in dry.output
    assert await papers(storage) == before

    done = await gongshi(storage, "purge")
    assert done.exit_code == 0, done.output
    assert "written reasons of non-renewals: 1." in done.output
    # The decision stays for all five; only 甲's reason, past its purpose, is gone.
    assert await papers(storage) == [
        ("丁", "not_renewed", f"丁：{ILL}"),
        ("丙", "not_renewed", f"丙：{ILL}"),
        ("乙", "not_renewed", f"乙：{ILL}"),
        ("戊", "renewed", ""),
        ("甲", "not_renewed", ""),
    ]
    again = await gongshi(storage, "purge")
    assert "written reasons of non-renewals: 0." in again.output
