"""五(一)–(四): the procedure a unit records per cycle, from a sheet or in use cases, the 2-to-4
rule of 民主测评, and the results import's warning of the steps still missing."""

from __future__ import annotations

from datetime import date

import pytest
from procedure_world import (
    CONTACT,
    bind_contact,
    complete_steps,
    procedure_csv,
    record_all,
    unit_id,
    unit_with_workers,
)
from pubworld import UNITS, person, results_csv
from sqlalchemy import select
from testsupport import SECRET

from domain.procedure import (
    REASON_SERVED_COUNT,
    Gap,
    ProcedureError,
    StepRecord,
    check_evaluation,
    missing_steps,
)
from messages.i18n import Translator
from services.import_report import report_lines
from services.imports import import_results
from services.procedure import StepInput, procedure_gaps, record_step
from services.procedure_sheet import import_procedure
from storage.db import transaction
from storage.models import AuditLog, Outbox, ProcedureStep


@pytest.mark.parametrize("served", [0, 1, 5])
def test_democratic_evaluation_takes_two_to_four_served_unless_a_reason(served):
    people = {"leader": ["王"], "served": [f"居民{i}" for i in range(served)]}
    with pytest.raises(ProcedureError) as refused:
        check_evaluation(people, "")
    assert refused.value.reason == REASON_SERVED_COUNT
    assert refused.value.params == {"n": str(served)}
    check_evaluation(people, "本单位服务对象仅一户")  # a reason lets it through


def test_two_to_four_served_need_no_reason():
    for served in (2, 4):
        check_evaluation({"served": [f"居民{i}" for i in range(served)]}, "")


def test_what_a_record_lacks():
    on_duty = [1, 2, 3]
    assert [g.step for g in missing_steps({}, on_duty)] == [
        "report",
        "interview",
        "evaluation",
        "meeting",
    ]
    records = {
        "report": StepRecord("report", date(2026, 12, 8), workers=frozenset({1, 3})),
        "interview": StepRecord("interview", None, workers=frozenset({2})),
        "evaluation": StepRecord("evaluation", None),
        "meeting": StepRecord("meeting", date(2026, 12, 9), has_minutes=False),
    }
    assert missing_steps(records, on_duty) == [Gap("report", 1), Gap("meeting")]


async def test_the_results_import_warns_the_unit_of_missing_steps(any_storage, clock):
    storage = any_storage
    workers = await unit_with_workers(storage, 3)
    unit = await unit_id(storage)

    async def upload():
        return await import_results(
            sessions=storage.sessions,
            secret_key=SECRET,
            path=results_csv([person(n) for n in range(3)]),
            filename="results.csv",
            cycle_year=2026,
            only_unit=UNITS[0],
        )

    first = await upload()
    assert [g.step for g in first.procedure_gaps[UNITS[0]]] == [
        "report",
        "interview",
        "evaluation",
        "meeting",
    ]
    text = "\n".join(report_lines(first, Translator("zh")))
    assert f"{UNITS[0]}：缺少个人述职、谈话考核、民主测评、集体研究" in text

    ids = sorted(workers.values())
    async with transaction(storage.sessions) as session:
        for entry in complete_steps(ids[:2]):  # the third worker did not report
            await record_step(
                session=session,
                year=2026,
                unit_id=unit,
                entry=entry,
                actor="test",
                today=clock.today(),
                now=clock.now(),
            )
    second = await upload()
    assert second.procedure_gaps == {UNITS[0]: [Gap("report", 1), Gap("meeting")]}
    assert "个人述职（1 名在岗人员未记录）、集体研究" in "\n".join(
        report_lines(second, Translator("zh"))
    )

    await record_all(storage, clock, unit, ids)
    third = await upload()
    assert third.procedure_gaps == {}
    assert "考核程序" not in "\n".join(report_lines(third, Translator("zh")))
    async with storage.sessions() as session:
        gaps = await procedure_gaps(session=session, cycle_id=1)
        actions = list(
            (
                await session.execute(
                    select(AuditLog.action).where(AuditLog.target_id == str(unit))
                )
            ).scalars()
        )
    assert gaps == {}
    assert actions.count("procedure_recorded") == 8 and "procedure_minutes" in actions


async def test_a_served_count_out_of_range_is_refused_without_a_reason(storage, clock):
    await unit_with_workers(storage, 1)
    unit = await unit_id(storage)
    entry = StepInput(step="evaluation", people={"served": ["甲"]})
    async with transaction(storage.sessions) as session:
        with pytest.raises(ProcedureError):
            await record_step(
                session=session, year=2026, unit_id=unit, entry=entry, actor="t",
                today=clock.today(), now=clock.now(),
            )  # fmt: skip
    async with storage.sessions() as session:
        assert (await session.execute(select(ProcedureStep))).first() is None


async def test_the_procedure_sheet_records_every_step_or_none(any_storage, clock):
    storage = any_storage
    workers = await unit_with_workers(storage, 2)
    unit = await unit_id(storage)
    a, b = person(0).name, person(1).name
    good = [
        [UNITS[0], "個人述職", "2026年12月8日", a, "", ""],
        [UNITS[0], "个人述职", "2026-12-08", b, "", ""],
        [UNITS[0], "谈话考核", "2026/12/9", b, "", ""],
        [UNITS[0], "民主测评", "2026-12-10", "王分管", "分管領導", ""],
        [UNITS[0], "民主测评", "2026-12-10", "居民甲", "服务对象", ""],
        [UNITS[0], "民主测评", "2026-12-10", "居民乙", "服务对象", ""],
        [UNITS[0], "集体研究", "2026-12-11", "王分管", "", ""],
    ]

    async def load(rows, only_unit=None):
        return await import_procedure(
            sessions=storage.sessions,
            path=procedure_csv(rows),
            filename="procedure.csv",
            cycle_year=2026,
            only_unit=only_unit,
            today=clock.today(),
            now=clock.now(),
        )

    bad = [
        *good[:3],
        [UNITS[0], "个人述职", "2026-12-08", "查无此人", "", ""],
        [UNITS[0], "民主测评", "2026-12-10", "居民丙", "路人", ""],
        [UNITS[1], "民主测评", "2026-12-10", "居民丁", "服务对象", ""],
    ]
    refused = await load(bad, only_unit=UNITS[0])
    assert not refused.ok
    assert {(i.row, i.column) for i in refused.issues} == {(6, "身份"), (7, "单位")}
    one_served = [r for r in good if r[3] != "居民乙"]
    refused = await load([*one_served, [UNITS[0], "个人述职", "", "查无此人", "", ""]])
    assert {(i.row, i.column, i.reason[:8]) for i in refused.issues} == {
        (5, "环节", "民主测评 takes"[:8]),
        (8, "姓名", "{unit} has"[:8]),
    }
    async with storage.sessions() as session:
        assert (await session.execute(select(ProcedureStep))).first() is None

    done = await load(good)
    assert done.ok and done.created == 4
    async with storage.sessions() as session:
        steps = {s.step: s for s in (await session.execute(select(ProcedureStep))).scalars()}
        gaps = await procedure_gaps(session=session, cycle_id=steps["report"].cycle_id)
    assert sorted(steps["report"].workers) == sorted(workers.values())
    assert steps["report"].held_on == date(2026, 12, 8)
    assert steps["evaluation"].people == {"leader": ["王分管"], "served": ["居民甲", "居民乙"]}
    assert steps["meeting"].people == {"attendee": ["王分管"]}
    # Everything but the minutes, which only come as a file.
    assert gaps == {unit: [Gap("meeting")]}


async def test_an_administrators_import_tells_the_units_contacts(storage, clock):
    await unit_with_workers(storage, 2)
    unit = await unit_id(storage)
    await bind_contact(storage, unit)

    async def admin_import(people):
        return await import_results(
            sessions=storage.sessions,
            secret_key=SECRET,
            path=results_csv(people),
            filename="results.csv",
            cycle_year=2026,
        )

    changed = await admin_import([person(0, grade="基本合格"), person(1)])
    assert changed.batch_id is not None
    again = await admin_import([person(0, grade="基本合格"), person(1)])
    assert again.already_imported
    async with storage.sessions() as session:
        told = [
            o.payload["text"]
            for o in (await session.execute(select(Outbox))).scalars()
            if o.chat_id == CONTACT
        ]
    assert len(told) == 1  # the import that changed nothing tells nobody again
    assert "本单位 2026 年度考核结果已导入" in told[0]
    assert f"{UNITS[0]}：缺少个人述职、谈话考核、民主测评、集体研究" in told[0]
