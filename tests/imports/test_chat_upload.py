"""A results spreadsheet sent in chat: queued by the conversation, imported in the background by
the same service as the CLI, answered through the outbox. Unit contacts may upload only their
own unit's rows; the answer lists every problem, with a spreadsheet when they do not fit."""

from __future__ import annotations

import io
import sys
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from sheets import HEADER, UNITS, add_units, result_row
from sqlalchemy import func, select

from handlers.types import FileRef
from notices.uploads import UploadSettings, import_uploads
from services.files import FileUnavailable
from storage.models import AuditLog, ImportJob, Outbox, Result, RoleBinding
from storage.models.ops import OutboxAttachment
from storage.upload_jobs import MAX_ATTEMPTS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runtimes"))

ADMIN, UNIT_CONTACT, CITIZEN = 9101, 9102, 9103
MB = 2**20


class MemoryFiles:
    """Files by id; ``failures`` makes the next downloads fail as Telegram sometimes does."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.failures = 0

    async def fetch(self, file_id: str, *, max_bytes: int) -> bytes:
        if self.failures:
            self.failures -= 1
            raise FileUnavailable("timed out")
        if file_id not in self.files:
            raise FileUnavailable(file_id)
        return self.files[file_id]


@pytest.fixture
def files() -> MemoryFiles:
    return MemoryFiles()


@pytest.fixture
async def people(storage) -> dict[str, int]:
    units = await add_units(storage)
    async with storage.sessions() as session, session.begin():
        session.add(RoleBinding(user_id=ADMIN, role="admin"))
        session.add(RoleBinding(user_id=UNIT_CONTACT, role="unit", unit_id=units[UNITS[0]]))
    return units


def xlsx(rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [HEADER, *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def own_unit_rows(count: int) -> list[list[str]]:
    """Rows of person n, all of the first unit (result_row cycles through the units)."""
    return [result_row(n) for n in range(0, 3 * count, 3)]


async def send_sheet(me, files: MemoryFiles, name: str, content: bytes) -> None:
    files.files[f"f-{name}"] = content
    ref = FileRef(f"f-{name}", f"u-{name}", "document", name, None, len(content))
    await me.deliver(me.incoming(file=ref))


async def run_imports(storage, files, clock) -> int:
    chosen = UploadSettings(
        secret_key=storage.settings.secret_key.get_secret_value(), import_max_mb=50
    )
    return await import_uploads(
        sessions=storage.sessions, files=files, clock=clock, settings=chosen
    )


async def count(storage, model, *where) -> int:
    async with storage.sessions() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where))


async def answers(storage, chat_id: int) -> list[Outbox]:
    async with storage.sessions() as session:
        found = await session.execute(
            select(Outbox).where(Outbox.chat_id == chat_id).order_by(Outbox.id)
        )
        return list(found.scalars())


async def the_job(storage) -> ImportJob:
    async with storage.sessions() as session:
        return (await session.execute(select(ImportJob))).scalar_one()


async def test_unit_contact_uploads_own_results(chat, storage, clock, files, people):
    me = chat(UNIT_CONTACT)
    await me.send("/start")
    await me.click("上传考核结果（表格）")
    assert "2026" in me.last and UNITS[0] in me.last
    rows = own_unit_rows(4)
    await send_sheet(me, files, "结果.xlsx", xlsx(rows))
    assert "已收到" in me.last
    assert await count(storage, Result) == 0  # nothing is imported inside the chat step

    assert await run_imports(storage, files, clock) == 1
    assert await count(storage, Result) == len(rows)
    [answer] = await answers(storage, UNIT_CONTACT)
    text = answer.payload["text"]
    assert "已核对" in text and f"已导入 {len(rows)} 行：新增 {len(rows)} 行" in text
    job = await the_job(storage)
    assert (job.state, job.outcome, job.batch_id is not None) == ("done", "imported", True)
    # The next sweep finds nothing to do and sends nothing more.
    assert await run_imports(storage, files, clock) == 0
    assert len(await answers(storage, UNIT_CONTACT)) == 1


async def test_unit_contact_cannot_upload_another_units_rows(chat, storage, clock, files, people):
    me = chat(UNIT_CONTACT)
    await me.send("/start")
    await me.click("上传考核结果（表格）")
    rows = [*own_unit_rows(3), result_row(1)]  # person 1 belongs to the second unit
    await send_sheet(me, files, "results.xlsx", xlsx(rows))
    await run_imports(storage, files, clock)

    assert await count(storage, Result) == 0
    [answer] = await answers(storage, UNIT_CONTACT)
    text = answer.payload["text"]
    assert "未导入" in text and UNITS[1] in text and f"第 {len(rows) + 1} 行" in text
    assert (await the_job(storage)).outcome == "refused"


async def test_admin_uploads_every_units_rows(chat, storage, clock, files, people):
    me = chat(ADMIN)
    await me.send("/start")
    await me.click("上传考核结果（表格）")
    rows = [result_row(n) for n in range(9)]
    await send_sheet(
        me, files, "全县.csv", "\n".join(",".join(r) for r in [HEADER, *rows]).encode()
    )
    await run_imports(storage, files, clock)
    assert await count(storage, Result) == len(rows)
    units_with_results = await count(storage, Result, Result.unit_id.in_(people.values()))
    assert units_with_results == len(rows)


async def test_many_problems_come_as_a_spreadsheet(chat, storage, clock, files, people):
    me = chat(ADMIN)
    await me.send("/start")
    await me.click("上传考核结果（表格）")
    bad = [result_row(n, grade="优秀") for n in range(400)]
    await send_sheet(me, files, "bad.xlsx", xlsx(bad))
    await run_imports(storage, files, clock)

    assert await count(storage, Result) == 0
    message, document = await answers(storage, ADMIN)
    assert len(message.payload["text"]) <= 4096 and "全部问题见附件" in message.payload["text"]
    assert document.method == "sendDocument"
    async with storage.sessions() as session:
        attachment = await session.get(OutboxAttachment, document.attachment_id)
    sheet = openpyxl.load_workbook(io.BytesIO(attachment.content)).active
    listed = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(listed) == len(bad)
    assert sorted(row[0] for row in listed) == list(range(2, len(bad) + 2))
    assert all("优秀" in row[3] for row in listed)


async def test_passing_download_failures_are_retried_then_reported(
    chat, storage, clock, files, people
):
    me = chat(UNIT_CONTACT)
    await me.send("/start")
    await me.click("上传考核结果（表格）")
    await send_sheet(me, files, "r.xlsx", xlsx(own_unit_rows(2)))
    files.failures = 1
    await run_imports(storage, files, clock)
    job = await the_job(storage)
    assert job.state == "pending" and not await answers(storage, UNIT_CONTACT)
    assert await run_imports(storage, files, clock) == 0  # not again at once
    clock.advance(timedelta(minutes=1))
    await run_imports(storage, files, clock)  # the download works the second time
    assert await count(storage, Result) == 2

    await me.send("/start")
    await me.click("上传考核结果（表格）")
    await send_sheet(me, files, "gone.xlsx", xlsx(own_unit_rows(2)))
    files.failures = MAX_ATTEMPTS
    for _ in range(MAX_ATTEMPTS):
        await run_imports(storage, files, clock)
        clock.advance(timedelta(minutes=5))
    last = (await answers(storage, UNIT_CONTACT))[-1]
    assert "无法从 Telegram 下载" in last.payload["text"]


async def test_only_spreadsheets_are_taken(chat, storage, clock, files, people):
    me = chat(UNIT_CONTACT)
    await me.send("/start")
    await me.click("上传考核结果（表格）")
    await send_sheet(me, files, "scan.pdf", b"%PDF-1.4\n")
    assert "不是 XLSX 或 CSV" in me.last
    await me.send("这是结果")
    assert "以文件形式" in me.last
    too_big = FileRef("f-big.xlsx", "u-big", "document", "big.xlsx", None, 21 * MB)
    await me.deliver(me.incoming(file=too_big))
    assert "20 MB" in me.last
    assert await count(storage, ImportJob) == 0


async def test_citizens_cannot_upload(chat, storage, clock, files, people):
    me = chat(CITIZEN)
    await me.send("/start")
    assert "上传考核结果（表格）" not in me.buttons()
    await me.press("up:results")  # forged: the button was never shown
    await send_sheet(me, files, "r.xlsx", xlsx(own_unit_rows(1)))
    assert await count(storage, ImportJob) == 0
    assert await count(storage, AuditLog, AuditLog.action == "denied") >= 1


# --- over real HTTP against the sandbox ------------------------------------------------------


@pytest.mark.parametrize("runtime", ["aiogram", "ptb"])
async def test_uploaded_file_is_downloaded_over_the_bot_api(
    runtime, storage, clock, people, sandbox, client
):
    from runtime_harness import RunningBot

    from bot.app import build_dispatcher
    from bot.runtimes.files import BotApiFileFetcher

    def last_text(messages) -> str:
        said = [m for m in messages if m["from_bot"]]
        return (said[-1]["text"] or "") if said else ""

    token = f"{sandbox.state.bot.id}:upload-test-token"
    dispatcher = build_dispatcher(settings=storage.settings, sessions=storage.sessions, clock=clock)
    bot = RunningBot(runtime, token, sandbox.url, dispatcher)
    rows = own_unit_rows(5)
    user = await client.create_persona("单位联系人", role="unit")
    async with storage.sessions() as session, session.begin():
        session.add(RoleBinding(user_id=user["id"], role="unit", unit_id=people[UNITS[0]]))
    await bot.start()
    try:
        await client.send_command(user, "/start")
        await client.wait_until(user, lambda ms: "上传考核结果" in str(ms[-1]))
        await client.click(user, "上传考核结果（表格）")
        await client.wait_until(user, lambda ms: "考核结果表" in last_text(ms))
        await client.send_file(user, "结果.xlsx", xlsx(rows))
        await client.wait_until(user, lambda ms: "已收到" in last_text(ms))
        taken = await run_imports(storage, BotApiFileFetcher(sandbox.url, token), clock)
    finally:
        await bot.stop()
    assert taken == 1
    assert await count(storage, Result) == len(rows)
    assert (await the_job(storage)).outcome == "imported"


async def test_a_job_that_ends_the_process_is_given_up_after_its_attempts(
    chat, storage, clock, files, people, monkeypatch
):
    """Each claim counts as an attempt before the file is read: a file that kills the process
    mid-import (the claim is never finished) is not read again past the last attempt, and the
    sender hears so in one line."""
    from notices import uploads
    from storage.upload_jobs import LEASE, claim_import

    me = chat(UNIT_CONTACT)
    await me.send("/start")
    await me.click("上传考核结果（表格）")
    await send_sheet(me, files, "deadly.xlsx", xlsx(own_unit_rows(2)))
    for _ in range(MAX_ATTEMPTS):  # each time the process died while importing
        assert await claim_import(sessions=storage.sessions, now=clock.now()) is not None
        clock.advance(LEASE + timedelta(seconds=1))
    imported = []

    async def never(**kwargs):
        imported.append(kwargs)
        raise AssertionError("read again")

    monkeypatch.setattr(uploads, "import_results", never)
    assert await run_imports(storage, files, clock) == 1
    assert imported == []
    job = await the_job(storage)
    assert (job.state, job.outcome) == ("done", "failed")
    answer = (await answers(storage, UNIT_CONTACT))[-1]
    assert answer.payload["text"].count("\n") == 0
    assert "deadly.xlsx" in answer.payload["text"] and str(MAX_ATTEMPTS) in answer.payload["text"]
    clock.advance(LEASE * 2)
    assert await run_imports(storage, files, clock) == 0


async def test_any_failure_of_an_import_is_retried_then_told_in_one_line(
    chat, storage, clock, files, people, monkeypatch
):
    from notices import uploads

    me = chat(UNIT_CONTACT)
    await me.send("/start")
    await me.click("上传考核结果（表格）")
    await send_sheet(me, files, "odd.xlsx", xlsx(own_unit_rows(2)))

    async def broken(**kwargs):
        raise RuntimeError("unforeseen")

    monkeypatch.setattr(uploads, "import_results", broken)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert await run_imports(storage, files, clock) == 1
        job = await the_job(storage)
        assert job.attempts == attempt
        clock.advance(timedelta(minutes=5))
    assert job.state == "done" and job.outcome == "failed"
    last = (await answers(storage, UNIT_CONTACT))[-1]
    assert "odd.xlsx" in last.payload["text"] and "\n" not in last.payload["text"]


async def test_a_hostile_upload_is_refused_in_one_line(chat, storage, clock, files, people):
    me = chat(UNIT_CONTACT)
    await me.send("/start")
    await me.click("上传考核结果（表格）")
    huge_cell = (",".join(HEADER) + "\n" + "a," + "x" * 200_000 + "\n").encode()
    await send_sheet(me, files, "huge.csv", huge_cell)
    await run_imports(storage, files, clock)
    job = await the_job(storage)
    assert (job.state, job.outcome) == ("done", "refused")
    text = (await answers(storage, UNIT_CONTACT))[-1].payload["text"]
    assert "GONGSHI_IMPORT_MAX_CELL_CHARS" in text and len(text.splitlines()) == 2


async def test_the_background_import_rests_between_its_chunks(
    chat, storage, clock, files, people, monkeypatch
):
    """The sweep asks the import to rest after each chunk (on PostgreSQL it then does; see
    test_import_rest), so that people's updates come first while a large file is written."""
    from notices import uploads

    asked: list[float] = []
    real = uploads.import_results

    async def spy(**kwargs):  # type: ignore[no-untyped-def]
        asked.append(kwargs["rest"])
        return await real(**kwargs)

    monkeypatch.setattr(uploads, "import_results", spy)
    me = chat(UNIT_CONTACT)
    await me.send("/start")
    await me.click("上传考核结果（表格）")
    rows = own_unit_rows(3)
    await send_sheet(me, files, "结果.xlsx", xlsx(rows))
    await run_imports(storage, files, clock)

    assert asked == [uploads.BACKGROUND_REST] and uploads.BACKGROUND_REST > 0
    assert await count(storage, Result) == len(rows)
