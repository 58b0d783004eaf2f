"""Plain helpers the tests import by name (conftest modules are not importable by name:
several directories have one)."""

from __future__ import annotations

from datetime import date

from bot.settings import Settings, load_settings

# Long enough for the commands that refuse a weak key (bot.settings.require_real_secret_key).
SECRET = "test-secret-key-0123456789-abcdefghij"


def make_settings(url: str, **overrides: object) -> Settings:
    return load_settings(database_url=url, secret_key=SECRET, **overrides)


async def record_procedure(storage, year: int = 2026) -> None:
    """Every unit with workers records the whole procedure of 五(一)–(四), as the 公示 needs."""
    from sqlalchemy import select

    from services.procedure import StepInput, attach_minutes, record_step
    from storage.db import transaction
    from storage.models import Worker, utcnow

    held = date(year, 12, 1)
    async with transaction(storage.sessions) as session:
        found = await session.execute(
            select(Worker.unit_id, Worker.id).where(Worker.status == "on_duty")
        )
        workers: dict[int, list[int]] = {}
        for unit_id, worker_id in found.all():
            workers.setdefault(unit_id, []).append(worker_id)
        for unit_id, ids in workers.items():
            for entry in (
                StepInput(step="report", held_on=held, workers=tuple(ids)),
                StepInput(step="interview", held_on=held, workers=tuple(ids[:1])),
                StepInput(step="evaluation", people={"served": ["居民甲", "居民乙"]}),
                StepInput(step="meeting", held_on=held, people={"attendee": ["王分管"]}),
            ):
                await record_step(
                    session=session, year=year, unit_id=unit_id, entry=entry, actor="test",
                    today=date(year, 12, 31), now=utcnow(),
                )  # fmt: skip
            await attach_minutes(
                session=session, year=year, unit_id=unit_id, unit_name="", file_name="纪要.pdf",
                file_id="minutes", actor="test", now=utcnow(),
            )  # fmt: skip
