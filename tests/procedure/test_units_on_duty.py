"""Which units count as staffed for the procedure record: those with an on-duty worker."""

from __future__ import annotations

from storage.models import Unit, Worker
from storage.procedure import units_on_duty


async def test_only_units_with_an_on_duty_worker_count(storage):
    async with storage.sessions() as session, session.begin():
        units = [Unit(name=f"{n}号单位", quota=5) for n in range(1, 5)]
        session.add_all(units)
        await session.flush()
        first, second, third, fourth = (unit.id for unit in units)
        people = [
            (first, "on_duty"),
            (first, "removed"),
            (second, "removed"),  # nobody on duty any more
            (third, "removed"),
            (third, "on_duty"),
        ]  # the fourth unit has nobody at all
        session.add_all(
            Worker(name=f"人{n}", id_hash=f"h{n}", id_last4="0000", unit_id=unit, status=status)
            for n, (unit, status) in enumerate(people)
        )
    async with storage.sessions() as session:
        assert await units_on_duty(session) == {first, third}
        assert await units_on_duty(session, unit_ids=[second, third, fourth]) == {third}
        assert await units_on_duty(session, unit_ids=[]) == set()
