"""The demo county's assessment procedure (五(一)–(四)): every unit records every step, as a
county that followed the plan would have before the 公示, so the demo's 公示 opens."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import ProcedureStep, Worker
from storage.outbox import Attachment, store_attachment

MINUTES_NAME = "集体研究会议纪要.txt"


async def write_demo_procedure(
    session: AsyncSession, *, cycle_id: int, year: int, now: datetime
) -> None:
    found = await session.execute(
        select(col(Worker.unit_id), col(Worker.id)).where(col(Worker.status) == "on_duty")
    )
    pairs: Sequence[Any] = found.all()
    workers: dict[int, list[int]] = {}
    for unit_id, worker_id in pairs:
        workers.setdefault(int(unit_id), []).append(int(worker_id))
    text = f"{year}年度公益性岗位考核集体研究会议纪要（演示数据）"
    minutes = await store_attachment(session, Attachment(MINUTES_NAME, text.encode()))
    rows: list[dict[str, Any]] = []
    for unit_id, ids in sorted(workers.items()):
        steps: list[tuple[str, date, list[int], dict[str, list[str]]]] = [
            ("report", date(year, 12, 3), ids, {}),
            ("interview", date(year, 12, 7), ids[:3], {}),
            (
                "evaluation",
                date(year, 12, 9),
                [],
                {
                    "leader": ["分管副局长"],
                    "section_head": ["办公室主任"],
                    "served": ["居民代表甲", "居民代表乙", "居民代表丙"],
                },
            ),
            (
                "meeting",
                date(year, 12, 11),
                [],
                {"attendee": ["单位负责人", "分管副局长", "办公室主任"]},
            ),
        ]
        for step, held_on, step_workers, people in steps:
            rows.append(
                {
                    "cycle_id": cycle_id,
                    "unit_id": unit_id,
                    "step": step,
                    "held_on": held_on,
                    "workers": step_workers,
                    "people": people,
                    "reason": "",
                    "minutes_file_id": f"stored:{minutes}" if step == "meeting" else "",
                    "minutes_name": MINUTES_NAME if step == "meeting" else "",
                    "recorded_by": "demo",
                    "recorded_at": now,
                }
            )
    if rows:
        await session.execute(insert(ProcedureStep), rows)
