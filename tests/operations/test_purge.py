"""`gongshi purge`: personal data past the retention period goes, for finished cases only,
with counts printed; what is still needed stays; --dry-run changes nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app
from storage.models import (
    AuditLog,
    Case,
    ComplainantContact,
    Complaint,
    ConversationState,
    Cycle,
    EvidenceFile,
    Result,
    Unit,
    Worker,
)

NOW = datetime.now(UTC)
LONG_AGO = NOW - timedelta(days=1100)  # past the default two years
LATELY = NOW - timedelta(days=10)


@pytest.fixture
async def county(storage, tmp_path):
    """Complaints old and new, finished and not, with contacts and evidence on disk."""
    shared = tmp_path / "evidence" / "shared.pdf"
    only_old = tmp_path / "evidence" / "only-old.pdf"
    shared.parent.mkdir()
    shared.write_bytes(b"%PDF-shared")
    only_old.write_bytes(b"%PDF-old")
    async with storage.sessions() as session, session.begin():
        unit = Unit(name="01号单位", quota=5)
        old = Cycle(year=2023, state="closed", gongshi_closes_on=date(2023, 12, 21))
        current = Cycle(year=2026, state="open", gongshi_closes_on=date(2026, 12, 21))
        session.add_all([unit, old, current])
        await session.flush()

        def complaint(code: str, cycle: Cycle | None, state: str, at: datetime) -> Complaint:
            filed = Complaint(
                ticket_code=code,
                cycle_id=cycle.id if cycle else None,
                unit_id=unit.id,
                category="attitude",
                description="该单位人员多次迟到早退。",
                anonymous=False,
                submitted_by=100 + len(code),
                submitted_at=at,
            )
            session.add(filed)
            return filed

        filed = {
            "OLDDONE1": complaint("OLDDONE1", old, "closed", LONG_AGO),
            "OLDOPEN1": complaint("OLDOPEN1", old, "investigating", LONG_AGO),
            "NEWDONE1": complaint("NEWDONE1", current, "closed", LATELY),
            "GENOLD01": complaint("GENOLD01", None, "rejected", LONG_AGO),
            "GENNEW01": complaint("GENNEW01", None, "closed", LATELY),
        }
        await session.flush()
        states = {"OLDOPEN1": "investigating"}
        for code, c in filed.items():
            session.add(
                Case(
                    complaint_id=c.id,
                    category="attitude",
                    severity="minor",
                    route="unit",
                    state=states.get(code, "closed" if code != "GENOLD01" else "rejected"),
                )
            )
            session.add(
                ComplainantContact(complaint_id=c.id, user_id=c.submitted_by, phone="13800138000")
            )
        for code, path in [("OLDDONE1", only_old), ("OLDDONE1", shared), ("NEWDONE1", shared)]:
            session.add(
                EvidenceFile(
                    complaint_id=filed[code].id,
                    kind="document",
                    mime_type="application/pdf",
                    size=10,
                    sha256=path.name,
                    stored_path=str(path),
                )
            )
        session.add(
            ConversationState(chat_id=1, state="complaint_description", updated_at=LONG_AGO)
        )
        session.add(ConversationState(chat_id=2, state="complaint_description", updated_at=LATELY))
        session.add(AuditLog(action="denied", detail={"phone": "138"}, at=LONG_AGO))
        session.add(AuditLog(action="denied", detail={"phone": "139"}, at=LATELY))
        gone_long_ago = Worker(
            name="甲",
            id_hash="h1",
            id_last4="1234",
            unit_id=unit.id,
            status="removed",
            phone_hash="p1",
            phone_last4="5678",
        )
        gone_lately = Worker(
            name="乙", id_hash="h2", id_last4="2345", unit_id=unit.id, status="removed"
        )
        on_duty = Worker(name="丙", id_hash="h3", id_last4="3456", unit_id=unit.id)
        session.add_all([gone_long_ago, gone_lately, on_duty])
        await session.flush()
        session.add(
            Result(
                cycle_id=old.id,
                worker_id=gone_long_ago.id,
                unit_id=unit.id,
                post_title="环卫",
                grade="不合格",
                renew=False,
            )
        )
        session.add(
            Result(
                cycle_id=current.id,
                worker_id=gone_lately.id,
                unit_id=unit.id,
                post_title="环卫",
                grade="不合格",
                renew=False,
            )
        )
    return {"shared": shared, "only_old": only_old}


async def gongshi(storage, *args: str):
    """The command in a thread of its own: it runs its own event loop."""
    env = {
        "GONGSHI_DATABASE_URL": storage.settings.database_url,
        "GONGSHI_SECRET_KEY": storage.settings.secret_key.get_secret_value(),
        "GONGSHI_LANGUAGE": "en",
    }
    return await asyncio.to_thread(CliRunner().invoke, app, list(args), env=env)


async def kept(storage) -> dict[str, object]:
    async with storage.sessions() as session:
        contacts = select(Complaint.ticket_code).join(
            ComplainantContact, ComplainantContact.complaint_id == Complaint.id
        )
        evidence = select(Complaint.ticket_code, EvidenceFile.sha256).join(
            EvidenceFile, EvidenceFile.complaint_id == Complaint.id
        )
        return {
            "contacts": sorted((await session.execute(contacts)).scalars()),
            "evidence": sorted((await session.execute(evidence)).all()),
            "chats": sorted((await session.execute(select(ConversationState.chat_id))).scalars()),
            "audit": sorted(
                str(d) for d in (await session.execute(select(AuditLog.detail))).scalars()
            ),
            "hashes": sorted(
                (
                    await session.execute(select(Worker.name, Worker.id_hash, Worker.phone_hash))
                ).all()
            ),
            "complaints": len((await session.execute(select(Complaint.id))).all()),
        }


async def test_dry_run_counts_and_changes_nothing(storage, county):
    before = await kept(storage)
    result = await gongshi(storage, "purge", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Would remove, older than 730 days" in result.output
    assert (
        "Complainant contacts: 2; evidence records: 2 (files: 2); conversation drafts: 1; "
        "audit details: 1; ID and phone hashes of removed workers: 1; written reasons of "
        "non-renewals: 0."
    ) in result.output
    assert await kept(storage) == before
    assert county["only_old"].exists() and county["shared"].exists()


async def test_purge_removes_what_is_past_retention_and_keeps_the_rest(storage, county):
    result = await gongshi(storage, "purge")
    assert result.exit_code == 0, result.output
    assert "files: 1" in result.output  # the shared file still serves a complaint kept
    after = await kept(storage)
    # Finished and old: contact and evidence gone; still open, or recent: kept.
    assert after["contacts"] == ["GENNEW01", "NEWDONE1", "OLDOPEN1"]
    assert after["evidence"] == [("NEWDONE1", "shared.pdf")]
    assert after["chats"] == [2]
    assert after["audit"] == ["{'phone': '139'}", "{}"]
    assert after["hashes"] == [("丙", "h3", None), ("乙", "h2", None), ("甲", "purged-1", None)]
    assert after["complaints"] == 5  # the record of the complaints stays
    assert not county["only_old"].exists() and county["shared"].exists()
    # A second run finds nothing more.
    again = await gongshi(storage, "purge")
    assert "Complainant contacts: 0; evidence records: 0 (files: 0)" in again.output


async def test_a_retention_shorter_than_30_days_is_refused(storage):
    result = await gongshi(storage, "purge", "--older-than-days", "7")
    assert result.exit_code == 2
