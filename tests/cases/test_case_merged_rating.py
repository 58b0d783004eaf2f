"""The complainants of a case merged into another (并单) hear the desk's replies on it, and,
when it closes, are asked to rate it; their ratings count in the figures and a low one asks
for the case's review. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from case_helpers import BUREAU, CALENDAR, CITIZEN, actor, file_case, get_case, outbox_to, step

from services import cases as store
from services.case_steps import CaseRefused
from services.figures import figures_report

ZONE = ZoneInfo("Asia/Shanghai")
OTHER = 8302


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 12, day, hour, tzinfo=ZONE)


async def test_merged_complainants_hear_replies_and_rate(any_storage, any_county):
    storage, county = any_storage, any_county
    unit_b = county.units["02号单位"]
    kept = await file_case(storage, unit_id=unit_b, worker_id=None, category="unfair", now=at(16))
    joined = await file_case(
        storage, unit_id=unit_b, worker_id=None, category="unfair", now=at(16, 11), user_id=OTHER
    )
    desk = actor(BUREAU, "bureau")
    await step(storage, store.merge, case_id=joined, actor=desk, now=at(16, 12), into=kept)
    await step(storage, store.accept, case_id=kept, actor=desk, now=at(16, 13), calendar=CALENDAR)
    await step(
        storage, store.reply, case_id=kept, actor=desk, now=at(17), text="已调取考核会议记录。"
    )
    [reply] = [
        r for r in await outbox_to(storage, OTHER) if "已调取考核会议记录" in r.payload["text"]
    ]
    assert reply.payload["text"].count("已调取考核会议记录") == 1
    # Not yet closed: nothing to rate.
    with pytest.raises(CaseRefused):
        await step(storage, store.rate, case_id=joined, user_id=OTHER, now=at(17, 11), rating=4)

    await step(
        storage,
        store.record_finding,
        case_id=kept,
        actor=desk,
        now=at(18),
        finding="部分属实",
        opinion="责成单位重新组织民主测评。",
        calendar=CALENDAR,
    )
    await step(storage, store.close, case_id=kept, actor=desk, now=at(18, 11))
    [closing] = [r for r in await outbox_to(storage, OTHER) if "办结" in r.payload["text"]]
    assert "请为本次投诉的办理情况评分" in closing.payload["text"]
    data = [b["data"] for b in closing.payload["buttons"][0]]
    assert data == [f"rt:{joined}:{n}" for n in range(1, 6)]

    # Someone else pressing that button is refused; the merged complainant rates 2.
    with pytest.raises(CaseRefused):
        await step(storage, store.rate, case_id=joined, user_id=CITIZEN, now=at(19), rating=5)
    await step(storage, store.rate, case_id=joined, user_id=OTHER, now=at(19), rating=2)
    assert (await get_case(storage, joined)).rating == 2
    # A low rating asks for the review of the case it joined.
    assert (await get_case(storage, kept)).state == "review"

    async with storage.sessions() as session:
        report = await figures_report(
            session=session, first=date(2026, 12, 1), last=date(2026, 12, 31), now=at(28)
        )
    assert (report.total.received, report.total.ratings, report.total.mean_rating) == (2, 1, 2.0)
