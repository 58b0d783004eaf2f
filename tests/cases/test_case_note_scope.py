"""A note on a case is read only on its card: an investigator who may not open the card of
another investigator's case may not write a note on it either, by the desk or by the use case."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from case_helpers import CALENDAR, INVESTIGATORS, actor, audits, event_seqs, file_case

from domain.cases import Facts, refusal
from services import cases as store

NOW = datetime(2026, 12, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
OUT_OF_SCOPE = "该案件不在您的办理范围内。"
FIRST, OTHER = INVESTIGATORS


def test_the_rules_refuse_a_note_on_another_investigators_case():
    assert (
        refusal(
            "note",
            role="investigator",
            facts=Facts("investigating", "investigators", assigned_to_other=True),
        )
        == "scope"
    )
    assert (
        refusal("note", role="investigator", facts=Facts("investigating", "investigators")) is None
    )


async def assigned_to_first(storage, county) -> int:
    case_id = await file_case(
        storage, unit_id=county.units["01号单位"], worker_id=None, category="fraud", now=NOW
    )
    hr = actor(FIRST, "investigator")
    async with storage.sessions() as session, session.begin():
        await store.accept(session=session, case_id=case_id, actor=hr, now=NOW, calendar=CALENDAR)
        await store.assign(session=session, case_id=case_id, actor=hr, now=NOW, investigator=FIRST)
    return case_id


async def test_a_forged_note_button_is_refused_and_audited_as_denied(chat, storage, county):
    case_id = await assigned_to_first(storage, county)
    history = await event_seqs(storage, case_id)
    other = chat(OTHER)
    await other.press(f"cs:card:{case_id}")
    assert other.answers[-1] == OUT_OF_SCOPE
    await other.press(f"cs:note:{case_id}")
    assert other.answers[-1] == OUT_OF_SCOPE
    await other.send("我也来写一条备注。")  # nothing is waiting for a note
    assert await event_seqs(storage, case_id) == history
    denied = await audits(storage, "denied")
    assert [(a.actor_user_id, a.target_id, a.detail["button"]) for a in denied] == [
        (OTHER, str(case_id), f"cs:card:{case_id}"),
        (OTHER, str(case_id), f"cs:note:{case_id}"),
    ]

    first = chat(FIRST)
    await first.press(f"cs:note:{case_id}")
    await first.send("已约谈当事人。")
    assert "已约谈当事人。" in first.last
    assert [a for _, a in await event_seqs(storage, case_id)][-1] == "note"


async def test_the_use_case_refuses_it_too(storage, county):
    case_id = await assigned_to_first(storage, county)
    async with storage.sessions() as session, session.begin():
        with pytest.raises(store.CaseRefused) as refused:
            await store.note(
                session=session,
                case_id=case_id,
                actor=actor(OTHER, "investigator"),
                now=NOW,
                text="备注",
            )
    assert refused.value.reason == "scope"
    [logged] = await audits(storage, "case_step_refused")
    assert (logged.actor_user_id, logged.detail["step"], logged.detail["reason"]) == (
        OTHER,
        "note",
        "scope",
    )
