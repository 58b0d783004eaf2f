"""Whoever may not open a case sees nothing of its complainant or its evidence, whatever button
they forge: an investigator out of its scope (another's case, a case that is not serious), a
unit contact, a citizen. Every refusal is in the audit log; only real views are logged as views
of the complainant's identity."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from case_helpers import (
    BUREAU,
    CALENDAR,
    CITIZEN,
    DESCRIPTION,
    INVESTIGATORS,
    SECRET_KEY,
    UNIT_A_CONTACT,
    UNIT_B_CONTACT,
    actor,
    audits,
    file_case,
    outbox_to,
)

from messages.replies import FileReply
from services import cases as store
from services.complaints import submit_complaint
from storage.complaints import (
    IDENTITY_VIEWED,
    ComplaintDraft,
    ContactDraft,
    Evidence,
)

NOW = datetime(2026, 12, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
NAME, PHONE = "王二", "13800138000"
PHOTO = "EVIDENCE-PHOTO-1"
OUT_OF_SCOPE = "该案件不在您的办理范围内。"
NOT_ALLOWED = "您没有权限进行此操作。"


async def serious_case_of_the_first_investigator(storage, county) -> int:
    """A serious case with a contact and a photo, worked to its end by INVESTIGATORS[0]."""
    async with storage.sessions() as session, session.begin():
        submitted = await submit_complaint(
            session=session,
            draft=ComplaintDraft(
                unit_id=county.units["01号单位"],
                worker_id=county.workers["张小三"],
                category="absent",
                description=DESCRIPTION,
                evidence=[Evidence(PHOTO, "photo", "image/jpeg", 2048)],
                contact=ContactDraft(CITIZEN, NAME, PHONE),
            ),
            user_id=CITIZEN,
            language="zh",
            now=NOW,
            accept_due=CALENDAR.add_workdays(NOW.date(), 1),
            threshold=3,
            secret_key=SECRET_KEY,
        )
        case_id = submitted.case.id
        assert case_id is not None
        hr = actor(INVESTIGATORS[0], "investigator")
        await store.accept(session=session, case_id=case_id, actor=hr, now=NOW, calendar=CALENDAR)
        await store.assign(
            session=session, case_id=case_id, actor=hr, now=NOW, investigator=INVESTIGATORS[0]
        )
        mine = actor(INVESTIGATORS[0], "investigator")
        await store.record_finding(
            session=session,
            case_id=case_id,
            actor=mine,
            now=NOW,
            finding="属实",
            opinion="停发岗位补贴。",
            calendar=CALENDAR,
        )
        await store.close(session=session, case_id=case_id, actor=mine, now=NOW)
    return case_id


def leaked(outcome) -> list[str]:
    """Whatever of the complainant or the evidence one press brought back."""
    found = [type(r).__name__ for r in outcome.replies if isinstance(r, FileReply)]
    for reply in outcome.replies:
        text = getattr(reply, "text", "") or ""
        found += [secret for secret in (NAME, PHONE, DESCRIPTION) if secret in text]
    return found


@pytest.mark.parametrize(
    "intruder, refusal",
    [
        (INVESTIGATORS[1], OUT_OF_SCOPE),  # the case is another investigator's
        (UNIT_A_CONTACT, OUT_OF_SCOPE),  # the unit complained about, not the unit's to handle
        (UNIT_B_CONTACT, OUT_OF_SCOPE),
        (CITIZEN, NOT_ALLOWED),  # the complainant themself: officials' buttons are not theirs
    ],
)
async def test_forged_buttons_show_nothing_of_the_complainant(
    chat, storage, county, intruder, refusal
):
    case_id = await serious_case_of_the_first_investigator(storage, county)
    someone = chat(intruder)
    buttons = ("card", "open", "ev", "doc", "idoc")
    for data in [*(f"cs:{b}:{case_id}" for b in buttons), f"hl:contact:{case_id}"]:
        outcome = await someone.press(data)
        assert leaked(outcome) == [], data
        expected = (
            NOT_ALLOWED if data.startswith("hl:") and intruder != INVESTIGATORS[1] else refusal
        )
        assert someone.answers[-1] == expected, data
    sent = await outbox_to(storage, intruder)  # the evidence would go through the outbox
    assert [row.method for row in sent if row.method != "sendMessage"] == []
    assert not any(PHOTO in str(row.payload) for row in sent)
    assert await audits(storage, IDENTITY_VIEWED) == []
    denied = await audits(storage, "denied")
    assert [a.actor_user_id for a in denied] == [intruder] * 6


async def test_the_investigator_of_the_case_and_the_desk_see_the_contact(chat, storage, county):
    case_id = await serious_case_of_the_first_investigator(storage, county)
    for official in (INVESTIGATORS[0], BUREAU):
        they = chat(official)
        await they.press(f"hl:contact:{case_id}")
        assert PHONE in they.last and NAME in they.last
    views = await audits(storage, IDENTITY_VIEWED)
    assert [v.actor_user_id for v in views] == [INVESTIGATORS[0], BUREAU]
    assert await audits(storage, "denied") == []


async def test_an_investigator_sees_no_contact_of_a_case_that_is_not_serious(chat, storage, county):
    medium = await file_case(
        storage,
        unit_id=county.units["01号单位"],
        worker_id=county.workers["李四"],
        category="unfair",
        now=NOW,
        contact=True,
    )
    for investigator in INVESTIGATORS:
        they = chat(investigator)
        outcome = await they.press(f"hl:contact:{medium}")
        assert leaked(outcome) == [] and they.answers[-1] == OUT_OF_SCOPE
    desk = chat(BUREAU)
    await desk.press(f"hl:contact:{medium}")
    assert PHONE in desk.last
    denied = await audits(storage, "denied")
    assert [(a.actor_user_id, a.target_type, a.target_id) for a in denied] == [
        (investigator, "case", str(medium)) for investigator in INVESTIGATORS
    ]
    assert [v.actor_user_id for v in await audits(storage, IDENTITY_VIEWED)] == [BUREAU]


async def test_a_units_card_leaves_out_what_may_name_the_complainant(chat, storage, county):
    minor = await file_case(
        storage,
        unit_id=county.units["01号单位"],
        worker_id=None,
        category="conduct",
        now=NOW,
        contact=True,
    )
    bureau = actor(BUREAU, "bureau")
    async with storage.sessions() as session, session.begin():
        await store.note(
            session=session, case_id=minor, actor=bureau, now=NOW, text=f"{NAME}来电补充了情况。"
        )
        await store.reply(
            session=session,
            case_id=minor,
            actor=bureau,
            now=NOW,
            text=f"{NAME}您好：已转单位核查。",
        )
    unit = chat(UNIT_A_CONTACT)
    await unit.press(f"cs:open:{minor}")
    await unit.click("受理")
    await unit.click("添加备注")
    await unit.send("已约谈当事人。")
    card = unit.last
    assert "已约谈当事人。" in card and "已受理" in card
    assert NAME not in card and PHONE not in card
    desk = chat(BUREAU)
    await desk.press(f"cs:open:{minor}")
    assert f"{NAME}来电补充了情况。" in desk.last  # the desk's own card keeps them
