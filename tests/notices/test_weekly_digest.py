"""The weekly digest: overdue tasks and open cases per unit as a chart with a short text, once
a week to every bureau official, delivered as a photo."""

from __future__ import annotations

from notices_world import at, build_world
from sqlalchemy import select

from domain.clock import FixedClock
from notices.config import NoticeSettings
from notices.digest import chart_labels, render_chart, send_weekly_digest
from storage.db import transaction
from storage.models import Case, Complaint, Outbox
from storage.models.ops import OutboxAttachment
from storage.unit_tasks import UnitLoad

CITY, FOREST = "县城市管理局", "县林业局"
BUREAU = [5500000011, 5500000012]
SETTINGS = NoticeSettings()


async def open_case(storage, unit_id: int) -> None:
    async with transaction(storage.sessions) as session:
        complaint = Complaint(
            ticket_code="K7M2QX9P",
            category="不在岗",
            description="长期不在岗",
            submitted_at=at(12, 16),
        )
        session.add(complaint)
        await session.flush()
        session.add(
            Case(
                complaint_id=complaint.id,
                unit_id=unit_id,
                category="不在岗",
                severity="serious",
                route="investigators",
                state="investigating",
            )
        )


async def test_the_digest_goes_once_a_week_to_every_official(storage, sb, make_sender):
    for user_id in BUREAU:
        await sb.create_persona("科员", id=user_id)
        await sb.update_persona(user_id, started=True)
    world = await build_world(storage.sessions, units={CITY: [], FOREST: []}, bureau=BUREAU)
    await open_case(storage, world.units[FOREST])
    clock = FixedClock(at(12, 21, 8, 30))  # Monday, before the digest's hour
    assert await send_weekly_digest(sessions=storage.sessions, clock=clock, settings=SETTINGS) == 0
    clock.set(at(12, 21, 9, 15))
    assert await send_weekly_digest(sessions=storage.sessions, clock=clock, settings=SETTINGS) == 2
    clock.set(at(12, 23, 15, 0))  # later that week: already sent
    assert await send_weekly_digest(sessions=storage.sessions, clock=clock, settings=SETTINGS) == 0
    async with storage.sessions() as session:
        rows = (await session.execute(select(Outbox))).scalars().all()
        charts = (await session.execute(select(OutboxAttachment))).scalars().all()
    assert {(r.chat_id, r.method) for r in rows} == {(b, "sendPhoto") for b in BUREAU}
    # The digest's chart and the hotline figures' chart, each stored once for everyone.
    assert len(rows) == 4 and len(charts) == 2
    assert all(chart.content.startswith(b"\x89PNG") for chart in charts)
    figures = [r for r in rows if ":figures:" in (r.dedup_key or "")]
    assert len(figures) == 2 and "受理投诉 1 件" in figures[0].payload["text"]
    caption = next(r for r in rows if r not in figures).payload["text"]
    # Dec 21: each unit has rules, assessment, results and self-check overdue.
    assert caption.splitlines()[:2] == [
        "每周汇总（2026年12月21日至2026年12月27日）：",
        "2 个单位共有逾期任务 8 项；未结案件 1 件。",
    ]
    assert f"• {FOREST}：逾期任务 4 项，未结案件 1 件" in caption
    await make_sender(storage.sessions).drain(timeout=10)
    for official in BUREAU:
        digest, chart = await sb.bot_messages(official)
        assert digest["message"]["photo"] and digest["message"]["caption"] == caption
        assert chart["message"]["photo"] and "热线统计" in chart["message"]["caption"]


async def test_all_clear_is_a_short_text(storage):
    await build_world(storage.sessions, units={CITY: []}, bureau=BUREAU[:1], with_tasks=False)
    clock = FixedClock(at(12, 21, 10))
    assert await send_weekly_digest(sessions=storage.sessions, clock=clock, settings=SETTINGS) == 1
    async with storage.sessions() as session:
        [row] = (await session.execute(select(Outbox))).scalars().all()
    assert row.method == "sendMessage"
    assert row.payload["text"].endswith("各单位均无逾期任务，也没有未结案件。")


def test_without_a_chinese_font_units_are_numbered():
    loads = [UnitLoad(12, "县城市管理局", 3, 1), UnitLoad(7, "县林业局", 1, 0)]
    labels, legend, title = chart_labels(loads, None)
    assert labels == ["#12", "#7"] and legend == ("overdue tasks", "open cases")
    assert all(ord(ch) < 128 for ch in title)
    assert chart_labels(loads, "WenQuanYi Micro Hei")[0] == ["县城市管理局", "县林业局"]
    assert render_chart(loads, font=None).startswith(b"\x89PNG")
