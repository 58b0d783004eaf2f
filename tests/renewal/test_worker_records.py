"""Each worker's record over the years (六(四)): kept and exported as XLSX with a Chinese file
name, by `gongshi export history` and from the bureau's chat menu, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import io
from datetime import date, timedelta

from python_calamine import CalamineWorkbook
from renewal_county import BUREAU, UNIT_A, UNIT_A_CONTACT, after_close, make_county
from sqlmodel import select
from typer.testing import CliRunner

from bot.app import build_deps
from bot.cli import app
from bot.runtime_context import open_storage
from handlers.types import FileReply
from services import renewal as paperwork
from services.history import export_history
from storage.migrate import upgrade
from storage.models import AuditLog, Case, Complaint, Cycle, UnitTask
from storage.purge import purge_personal_data

HEADER = [
    "用人单位", "姓名", "身份证号（后四位）", "年度", "岗位", "考核等次",
    "是否续签", "续签手续", "考核结果运用", "投诉处理意见", "查实问题", "结果状态",
]  # fmt: skip


def table(content: bytes, language: str = "zh") -> list[list[str]]:
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    cells = [[str(value) for value in row] for row in rows]
    header = HEADER[:2] if language == "zh" else ["Unit", "Name"]
    start = next(i for i, row in enumerate(cells) if row[:2] == header)
    return [row for row in cells[start:] if any(row)]


async def record_the_year(storage, county, clock) -> None:
    """The 2026 paperwork, and a case whose opinion decided an admonishment talk."""
    deps = build_deps(storage.settings, clock=clock)
    async with storage.sessions() as session, session.begin():
        cycle = await session.get(Cycle, county.cycle_id)
        common = {"session": session, "deps": deps, "cycle": cycle, "actor_user_id": 1}
        unit_a = [county.units[UNIT_A]]
        await paperwork.sign_agreement(
            **common,
            worker_id=county.workers["pass"],
            starts_on=date(2027, 1, 1),
            consent=True,
            eligible=True,
            unit_ids=unit_a,
        )
        await paperwork.record_non_renewal(
            **common, worker_id=county.workers["fail2"], reason="连续两年不合格", unit_ids=unit_a
        )
        complaint = Complaint(
            ticket_code="ABCD2345",
            cycle_id=county.cycle_id,
            unit_id=county.units[UNIT_A],
            worker_id=county.workers["basic"],
            category="conduct",
            description="多次迟到",
        )
        session.add(complaint)
        await session.flush()
        session.add(
            Case(
                complaint_id=complaint.id,
                cycle_id=county.cycle_id,
                unit_id=county.units[UNIT_A],
                worker_id=county.workers["basic"],
                category="conduct",
                severity="minor",
                route="unit",
                state="closed",
                finding="属实",
                consequences=["admonish"],
            )
        )


async def test_the_record_spans_the_years_with_what_followed(any_storage, county_anywhere, clock):
    county = county_anywhere
    await record_the_year(any_storage, county, clock)
    async with any_storage.sessions() as session, session.begin():
        name, content, count = await export_history(
            session=session, basic_may_renew=True, language="zh", actor_user_id=BUREAU
        )
    assert name == "人员考核履历.xlsx"
    # Five results in 2026, three of them with a 2025 result before.
    assert count == 8
    lines = table(content)
    assert lines[0] == HEADER
    rows = {(line[1], line[3]): line for line in lines[1:]}
    names = county.names
    assert rows[names["fail2"], "2025"][5] == "不合格"
    twice = rows[names["fail2"], "2026"]
    assert twice[6] == "不续签" and twice[7] == "不续签：连续两年不合格"
    assert "连续两次考核不合格，解除劳动合同" in twice[8]
    signed = rows[names["pass"], "2026"]
    assert signed[7] == "已签订：2027年1月1日（周五）至2027年12月31日（周五）"
    assert rows[names["basic"], "2026"][9] == "诫勉谈话"
    assert rows[names["other"], "2026"][7] == "未登记" and rows[names["other"], "2026"][9] == ""
    assert all(line[2].startswith("****") and len(line[2]) == 8 for line in lines[1:])
    async with any_storage.sessions() as session:
        actions = (await session.execute(select(AuditLog.action))).scalars().all()
    assert "worker_records_exported" in actions


async def test_a_reason_deleted_past_retention_is_said_so_in_the_record(
    any_storage, county_anywhere, clock
):
    county = county_anywhere
    await record_the_year(any_storage, county, clock)
    fail2 = county.workers["fail2"]
    async with any_storage.sessions() as session, session.begin():
        tasks = await session.execute(select(UnitTask.id).where(UnitTask.worker_id == fail2))
        for task_id in tasks.scalars():
            await paperwork.finish_worker_task(
                session=session,
                task_id=task_id,
                unit_ids=[county.units[UNIT_A]],
                actor_user_id=UNIT_A_CONTACT,
                now=clock.now(),
            )
    # Past the retention period, `gongshi purge` empties the reason; the decision stays.
    kept = timedelta(days=any_storage.settings.retention_days)
    clock.advance(kept + timedelta(days=1))
    async with any_storage.sessions() as session, session.begin():
        purged = await purge_personal_data(session=session, before=clock.now() - kept)
    assert purged.renewal_reasons == 1
    for language, deleted, nothing in (
        ("zh", "不续签：（书面理由已按保存期限删除）", "未登记"),
        (
            "en",
            "Not renewed: (the written reason was deleted at the end of its retention period)",
            "Not recorded",
        ),
    ):
        async with any_storage.sessions() as session, session.begin():
            _name, content, _count = await export_history(
                session=session, basic_may_renew=True, language=language
            )
        rows = {(line[1], line[3]): line for line in table(content, language)[1:]}
        assert rows[county.names["fail2"], "2026"][7] == deleted
        assert rows[county.names["other"], "2026"][7] == nothing


def test_the_export_command_writes_the_file(settings, tmp_path, monkeypatch):
    async def prepare():
        async with open_storage(settings) as storage:
            await upgrade(storage.engine)
            county = await make_county(storage)
            await record_the_year(storage, county, after_close())
            return county

    county = asyncio.run(prepare())
    monkeypatch.chdir(tmp_path)
    env = {
        "GONGSHI_DATABASE_URL": settings.database_url,
        "GONGSHI_SECRET_KEY": settings.secret_key.get_secret_value(),
    }
    result = CliRunner().invoke(app, ["export", "history", "--unit", UNIT_A], env=env)
    assert result.exit_code == 0, result.output
    path = tmp_path / f"人员考核履历_{UNIT_A}.xlsx"
    assert f"7 条历年考核记录已写入 {path.name}" in result.output
    lines = table(path.read_bytes())
    assert {line[0] for line in lines[1:]} == {UNIT_A}
    assert county.names["other"] not in {line[1] for line in lines}
    unknown = CliRunner().invoke(app, ["export", "history", "--unit", "无此单位"], env=env)
    assert unknown.exit_code == 1 and "未知的用人单位“无此单位”" in unknown.output


async def test_the_bureau_gets_the_file_in_chat_and_a_unit_contact_does_not(chat, county):
    desk = chat(BUREAU)
    await desk.send("/start")
    outcome = await desk.click("人员考核履历（XLSX）")
    files = [reply for reply in outcome.replies if isinstance(reply, FileReply)]
    assert [file.filename for file in files] == ["人员考核履历.xlsx"]
    assert len(table(files[0].content)) == 1 + 8
    contact = chat(UNIT_A_CONTACT)
    await contact.send("/start")
    assert "人员考核履历（XLSX）" not in contact.buttons()
    forged = await contact.press("rb:rec:0")
    assert not [reply for reply in forged.replies if isinstance(reply, FileReply)]
