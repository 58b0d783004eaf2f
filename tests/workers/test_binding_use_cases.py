"""Binding a worker as use cases: what binds, what is refused, and that every refusal leaves
the audit entry the throttle counts."""

from __future__ import annotations

from sqlalchemy import select
from testsupport import SECRET
from worker_county import UNIT_A

from services.workers import bind_by_code, bind_by_contact
from storage.models import AuditLog, RoleBinding
from storage.workers import FAILED_ACTION, failures_in_window

USER = 9_300_000_001


async def refusals(session) -> list[str]:
    rows = await session.execute(
        select(AuditLog.detail).where(AuditLog.action == FAILED_ACTION).order_by(AuditLog.id)
    )
    return [detail["via"] for detail in rows.scalars()]


async def test_a_code_binds_once_and_a_second_use_is_an_audited_refusal(
    storage, county, issue, clock
):
    worker = county.people["pass"]
    code = (await issue(county.units[UNIT_A]))[worker.worker_id]
    async with storage.sessions() as session, session.begin():
        binding = await bind_by_code(session=session, code=code, user_id=USER, now=clock.now())
        assert binding is not None and binding.worker_id == worker.worker_id
        again = await bind_by_code(session=session, code=code, user_id=USER + 1, now=clock.now())
        assert again is None
        assert await refusals(session) == ["code"]
        assert await failures_in_window(session=session, user_id=USER + 1, now=clock.now()) == 1
        bound = await session.execute(select(RoleBinding.user_id).where(RoleBinding.via == "code"))
        assert list(bound.scalars()) == [USER]


async def test_a_contact_binds_only_its_own_sender_and_a_known_phone(storage, county, clock):
    person = county.people["basic"]
    async with storage.sessions() as session, session.begin():
        shared = dict(session=session, secret_key=SECRET, user_id=USER, now=clock.now())
        someone_else = await bind_by_contact(phone=person.phone, contact_user_id=USER + 9, **shared)
        unknown = await bind_by_contact(phone="13900000000", contact_user_id=USER, **shared)
        own = await bind_by_contact(phone=person.phone, contact_user_id=USER, **shared)
        assert (someone_else, unknown, own) == ("not_yours", "unknown", "bound")
        assert await refusals(session) == ["other_contact", "contact"]
