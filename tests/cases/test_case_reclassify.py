"""Reclassifying a case (SPEC.md §2: "Bureau staff may reclassify; that is logged"; a serious
case only by the 人社局, and never into the unit's hands when several complainants made it
serious): in storage on SQLite and PostgreSQL, and at the desk in the officials' own words."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from case_county import build_county
from case_helpers import (
    BUREAU,
    INVESTIGATORS,
    UNIT_A_CONTACT,
    actor,
    audits,
    event_seqs,
    file_case,
    get_case,
    outbox_to,
)
from sqlalchemy import select

from domain.complaints import BY_KEY, CATEGORIES
from services import cases as store
from storage.models import CaseEvent, Result

NOW = datetime(2026, 12, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
BUREAU_ACTOR = actor(BUREAU, "bureau")
HR_ACTOR = actor(INVESTIGATORS[0], "investigator")


async def reclassify(storage, case_id, who, category):
    async with storage.sessions() as session, session.begin():
        return await store.reclassify(
            session=session, case_id=case_id, actor=who, now=NOW, category=category
        )


async def refused(storage, case_id, who, category) -> str:
    async with storage.sessions() as session, session.begin():
        with pytest.raises(store.CaseRefused) as raised:
            await store.reclassify(
                session=session, case_id=case_id, actor=who, now=NOW, category=category
            )
    return raised.value.reason


@pytest.fixture
async def any_county(any_storage):
    return await build_county(any_storage)


async def test_the_bureau_reclassifies_with_an_event_and_an_audit_entry(any_storage, any_county):
    storage, county = any_storage, any_county
    unit = county.units["01号单位"]
    case_id = await file_case(storage, unit_id=unit, worker_id=None, category="conduct", now=NOW)
    before = await get_case(storage, case_id)

    done = await reclassify(storage, case_id, BUREAU_ACTOR, "absent")
    assert done.before_route == BY_KEY["conduct"].route

    after = await get_case(storage, case_id)
    absent = BY_KEY["absent"]
    assert (after.category, after.severity, after.route) == (
        "absent",
        absent.severity,
        absent.route,
    )
    # Neither clock depends on the category.
    assert (after.accept_due, after.conclude_due, after.state) == (
        before.accept_due,
        before.conclude_due,
        before.state,
    )
    async with storage.sessions() as session:
        event = (
            await session.execute(
                select(CaseEvent).where(
                    CaseEvent.case_id == case_id, CaseEvent.action == "reclassify"
                )
            )
        ).scalar_one()
    assert (event.public, event.actor_user_id) == (False, BUREAU)
    assert (event.detail["from"], event.detail["to"]) == ("conduct", "absent")
    [logged] = await audits(storage, "case_reclassified")
    assert (logged.actor_user_id, logged.target_id) == (BUREAU, str(case_id))
    assert (logged.detail["from_route"], logged.detail["to_route"]) == (
        BY_KEY["conduct"].route,
        absent.route,
    )


async def test_a_serious_case_only_by_the_hr_bureau_and_only_when_open(any_storage, any_county):
    storage, county = any_storage, any_county
    unit = county.units["01号单位"]
    minor = await file_case(storage, unit_id=unit, worker_id=None, category="conduct", now=NOW)
    serious = await file_case(
        storage, unit_id=unit, worker_id=None, category="fraud", now=NOW, user_id=8390
    )
    events_before = await event_seqs(storage, minor)

    own_unit = actor(UNIT_A_CONTACT, "unit", unit)
    investigator = actor(INVESTIGATORS[0], "investigator")
    assert await refused(storage, minor, own_unit, "unfair") == "role"
    assert await refused(storage, serious, BUREAU_ACTOR, "unfair") == "role"
    assert await refused(storage, minor, investigator, "absent") == "role"
    assert await refused(storage, minor, BUREAU_ACTOR, "conduct") == "input"
    assert await refused(storage, minor, BUREAU_ACTOR, "weather") == "input"

    async with storage.sessions() as session, session.begin():
        await store.reject(
            session=session, case_id=minor, actor=BUREAU_ACTOR, now=NOW, reason="重复投诉。"
        )
    assert await refused(storage, minor, BUREAU_ACTOR, "absent") == "state"

    logged = await audits(storage, "case_step_refused")
    assert [(a.actor_user_id, a.detail["step"], a.detail["reason"]) for a in logged] == [
        (UNIT_A_CONTACT, "reclassify", "role"),
        (BUREAU, "reclassify", "role"),
        (INVESTIGATORS[0], "reclassify", "role"),
        (BUREAU, "reclassify", "input"),
        (BUREAU, "reclassify", "input"),
        (BUREAU, "reclassify", "state"),
    ]
    assert (await get_case(storage, minor)).category == "conduct"
    assert (await get_case(storage, serious)).category == "fraud"
    assert [a for _, a in await event_seqs(storage, minor)] == [
        *(a for _, a in events_before),
        "reject",
    ]
    assert await audits(storage, "case_reclassified") == []


async def test_a_result_held_for_a_serious_case_is_released_when_it_is_no_longer_serious(
    any_storage, any_county
):
    storage, county = any_storage, any_county
    worker = county.workers["张小三"]
    case_id = await file_case(
        storage, unit_id=county.units["01号单位"], worker_id=worker, category="absent", now=NOW
    )
    async with storage.sessions() as session, session.begin():
        held = (
            await session.execute(select(Result).where(Result.worker_id == worker))
        ).scalar_one()
        held.status = "held"  # as the 公示's close leaves it while the case is open
    await reclassify(storage, case_id, HR_ACTOR, "unfair")
    async with storage.sessions() as session:
        result = (
            await session.execute(select(Result).where(Result.worker_id == worker))
        ).scalar_one()
    assert result.status == "final"


async def test_the_use_case_itself_alerts_the_new_routes_officials(any_storage, any_county):
    """Whoever reclassifies (the desk, a script) calls the one use case: the alerts are its."""
    storage, county = any_storage, any_county
    case_id = await file_case(
        storage, unit_id=county.units["01号单位"], worker_id=None, category="conduct", now=NOW
    )
    await reclassify(storage, case_id, BUREAU_ACTOR, "absent")
    for investigator in INVESTIGATORS:
        [alert] = await outbox_to(storage, investigator)
        assert alert.dedup_key.startswith(f"case:{case_id}:reclassified")
        assert f"#{case_id}" in alert.payload["text"] and "重新分类" in alert.payload["text"]
    # Once per reclassification: back to the unit's route (the 人社局's to decide now that it
    # is serious) alerts the unit, never twice.
    await reclassify(storage, case_id, HR_ACTOR, "conduct")
    assert len(await outbox_to(storage, UNIT_A_CONTACT)) == 1
    assert [len(await outbox_to(storage, i)) for i in INVESTIGATORS] == [1, 1]


# --- at the desk ----------------------------------------------------------------------------


async def test_minor_to_serious_alerts_the_investigators_at_the_desk(chat, storage, county):
    case_id = await file_case(
        storage, unit_id=county.units["01号单位"], worker_id=None, category="conduct", now=NOW
    )
    bureau_alerts = len(await outbox_to(storage, BUREAU))
    desk = chat(BUREAU)
    await desk.press(f"cs:open:{case_id}")
    await desk.click("重新分类")
    assert "当前类别" in desk.last
    choices = [b for b in desk.buttons() if b != "取消"]
    assert len(choices) == len(CATEGORIES) - 1
    assert not any(b.startswith("工作作风") for b in choices)  # the category it has
    [absent] = [b for b in choices if b.startswith("不在岗")]
    await desk.click(absent)

    assert "严重" in desk.last and "重新分类" in desk.last
    assert (await get_case(storage, case_id)).route == "investigators"
    for investigator in INVESTIGATORS:
        [alert] = await outbox_to(storage, investigator)
        assert f"#{case_id}" in alert.payload["text"] and "重新分类" in alert.payload["text"]
        assert f"cs:open:{case_id}" in [b["data"] for b in alert.payload["buttons"][0]]
    # The desk saw the case from the start: nobody is told twice.
    assert len(await outbox_to(storage, BUREAU)) == bureau_alerts

    unit = chat(UNIT_A_CONTACT)
    await unit.press(f"cs:card:{case_id}")
    assert unit.answers[-1] == "该案件不在您的办理范围内。"


async def test_a_case_sent_to_the_unit_names_no_complainant(chat, storage, county):
    case_id = await file_case(
        storage,
        unit_id=county.units["01号单位"],
        worker_id=county.workers["张小三"],
        category="unfair",
        now=NOW,
        contact=True,
    )
    desk = chat(BUREAU)
    await desk.press(f"cs:open:{case_id}")
    await desk.click("重新分类")
    [conduct] = [b for b in desk.buttons() if b.startswith("工作作风")]
    await desk.click(conduct)

    [alert] = await outbox_to(storage, UNIT_A_CONTACT)
    text = alert.payload["text"]
    assert f"#{case_id}" in text and "张*三" in text
    for secret in ("王二", "13800138000", "投诉人", "联系方式", "张小三"):
        assert secret not in text
    assert [b["data"] for row in alert.payload["buttons"] for b in row] == [f"cs:open:{case_id}"]
    assert await outbox_to(storage, INVESTIGATORS[0]) == []

    unit = chat(UNIT_A_CONTACT)
    await unit.press(f"cs:open:{case_id}")
    assert "重新分类" not in unit.buttons() and "答复投诉人" not in unit.buttons()


async def test_forged_reclassify_buttons_are_refused_and_audited(chat, storage, county):
    unit_id = county.units["01号单位"]
    minor = await file_case(storage, unit_id=unit_id, worker_id=None, category="conduct", now=NOW)
    serious = await file_case(
        storage, unit_id=unit_id, worker_id=None, category="fraud", now=NOW, user_id=8390
    )
    unit = chat(UNIT_A_CONTACT)
    await unit.press(f"cs:rcl:{minor}")
    assert unit.answers[-1] == "您的身份不能对该案件执行此操作。"
    await unit.press(f"cs:cat:{minor}:0")
    assert unit.answers[-1] == "您的身份不能对该案件执行此操作。"
    desk = chat(BUREAU)
    await desk.press(f"cs:open:{serious}")
    assert "重新分类" not in desk.buttons()
    await desk.press(f"cs:cat:{serious}:3")
    assert desk.answers[-1] == "您的身份不能对该案件执行此操作。"

    await desk.press(f"cs:open:{minor}")
    await desk.click("不予受理（需说明理由）")
    await desk.send("不属于公益性岗位管理范围。")
    await desk.click("确认不予受理")
    assert "重新分类" not in desk.buttons()
    await desk.press(f"cs:cat:{minor}:0")
    assert desk.answers[-1] == "该步骤已完成或已不可执行：案件状态已变化。"

    refused = [
        (a.actor_user_id, a.detail["step"], a.detail["reason"])
        for a in await audits(storage, "case_step_refused")
    ]
    assert refused == [
        (UNIT_A_CONTACT, "reclassify", "role"),
        (UNIT_A_CONTACT, "reclassify", "role"),
        (BUREAU, "reclassify", "role"),
        (BUREAU, "reclassify", "state"),
    ]
    assert (await get_case(storage, minor)).category == "conduct"
    assert (await get_case(storage, serious)).category == "fraud"
    assert await outbox_to(storage, INVESTIGATORS[1]) == []


async def test_the_hr_bureau_reclassifies_down_but_never_into_the_units_hands_after_the_count(
    chat, storage, county
):
    """Three people report 张小三's assessment as unfair: the third complaint makes the cases
    serious (群众反响较大). The 人社局 may reclassify them, yet never as 工作作风 (the unit's
    route): not from its list, not with a forged button, and not later by the desk either."""
    unit_id, worker = county.units["01号单位"], county.workers["张小三"]
    first, _, third = [
        await file_case(
            storage, unit_id=unit_id, worker_id=worker, category="unfair", now=NOW, user_id=who
        )
        for who in (8391, 8392, 8393)
    ]
    assert (await get_case(storage, first)).severity == "serious"  # escalated by the third
    assert (await get_case(storage, third)).route == "investigators"
    conduct = next(i for i, c in enumerate(CATEGORIES) if c.key == "conduct")

    investigator = chat(INVESTIGATORS[0])
    await investigator.press(f"cs:open:{third}")
    await investigator.click("重新分类")
    choices = [b for b in investigator.buttons() if b != "取消"]
    assert choices and not any(b.startswith("工作作风") for b in choices)
    await investigator.press(f"cs:cat:{third}:{conduct}")
    assert (
        investigator.answers[-1]
        == "本案件因多人投诉（群众反响较大）定为严重案件，不能转由被投诉单位办理。"
    )

    await investigator.press(f"cs:open:{first}")
    await investigator.click("重新分类")
    [other] = [b for b in investigator.buttons() if b.startswith("其他")]
    await investigator.click(other)
    assert (await get_case(storage, first)).route == "bureau"

    desk = chat(BUREAU)
    await desk.press(f"cs:open:{first}")
    await desk.click("重新分类")
    assert not any(b.startswith("工作作风") for b in desk.buttons())
    await desk.press(f"cs:cat:{first}:{conduct}")
    assert (
        desk.answers[-1] == "本案件因多人投诉（群众反响较大）定为严重案件，不能转由被投诉单位办理。"
    )

    refused = [
        (a.actor_user_id, a.detail["step"], a.detail["reason"])
        for a in await audits(storage, "case_step_refused")
    ]
    assert refused == [
        (INVESTIGATORS[0], "reclassify", "escalated"),
        (BUREAU, "reclassify", "escalated"),
    ]
    assert [(await get_case(storage, c)).route for c in (first, third)] == [
        "bureau",
        "investigators",
    ]
    assert await outbox_to(storage, UNIT_A_CONTACT) == []
