"""Evidence checked by its content: downloaded through the file fetcher, sniffed, hashed and
kept by its SHA-256 so officials can open it later. First with an in-memory fetcher through the
Chat driver, then over real HTTP against the sandbox with the Bot API fetcher."""

from __future__ import annotations

import contextlib
import hashlib
import sys
from pathlib import Path

import pytest
from hotline_helpers import case_of, document, ticket_of, upload
from sqlalchemy import select

from bot.app import build_dispatcher
from bot.runtimes.files import BotApiFileFetcher
from services.files import FileTooLarge, FileUnavailable
from storage.models import EvidenceFile

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runtimes"))
from runtime_harness import RunningBot

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
MB = 1024 * 1024


class FakeFetcher:
    """Files by id, in memory; remembers what was asked for."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.asked: list[tuple[str, int]] = []

    async def fetch(self, file_id: str, *, max_bytes: int) -> bytes:
        self.asked.append((file_id, max_bytes))
        if file_id not in self.files:
            raise FileUnavailable(file_id)
        content = self.files[file_id]
        if len(content) > max_bytes:
            raise FileTooLarge(file_id)
        return content


async def evidence_rows(storage, code: str) -> list[EvidenceFile]:
    case = await case_of(storage, code)
    async with storage.sessions() as session:
        found = await session.execute(
            select(EvidenceFile)
            .where(EvidenceFile.complaint_id == case.complaint_id)
            .order_by(EvidenceFile.id)
        )
        return list(found.scalars().all())


async def to_evidence_step(me) -> None:
    await me.send("/start")
    await me.click("我要投诉")
    await me.click("01号单位")
    await me.click("投诉单位本身")
    await me.click("其他")
    await me.send("该单位的保洁人员长期迟到早退，态度很差。")
    assert "证据材料可选" in me.last


@pytest.fixture
def fetcher() -> FakeFetcher:
    return FakeFetcher(
        {
            "f-proof.pdf": PDF,
            "f-x.pdf": EXE,
            "f-big.pdf": b"%PDF-" + b"0" * 64,
            "f-huge.pdf": b"%PDF-" + b"0" * (21 * MB),
        }
    )


@pytest.fixture
def fetching_chat(storage, clock, fetcher, tmp_path):
    from driver import Chat

    dispatcher = build_dispatcher(
        settings=storage.settings,
        sessions=storage.sessions,
        clock=clock,
        services={"files": fetcher, "evidence_dir": tmp_path / "evidence"},
    )
    return lambda user_id: Chat(dispatcher, user_id, "zh-hans")


async def test_real_pdf_is_kept_by_its_hash(fetching_chat, fetcher, storage, county, tmp_path):
    me = fetching_chat(5101)
    await to_evidence_step(me)
    await upload(me, document("proof.pdf", mime="application/pdf", size=len(PDF)))
    assert "第 1 件" in me.last
    assert fetcher.asked == [("f-proof.pdf", 20 * MB)]
    await me.click("继续")
    await me.click("匿名投诉")
    assert "证据材料：1 个" in me.last
    await me.click("提交投诉")
    [row] = await evidence_rows(storage, ticket_of(me))
    digest = hashlib.sha256(PDF).hexdigest()
    assert (row.sha256, row.mime_type, row.size) == (digest, "application/pdf", len(PDF))
    assert row.telegram_file_id == "f-proof.pdf"
    stored = Path(row.stored_path)
    assert stored.is_relative_to(tmp_path / "evidence") and digest in stored.name
    assert stored.read_bytes() == PDF


async def test_executable_named_pdf_is_refused_by_its_content(
    fetching_chat, fetcher, storage, county, tmp_path
):
    me = fetching_chat(5102)
    await to_evidence_step(me)
    # The name and the declared type both say PDF: only the content gives it away.
    await upload(me, document("x.pdf", mime="application/pdf", size=len(EXE)))
    assert "实际内容不是" in me.last and "第 1 件" not in me.last
    assert fetcher.asked == [("f-x.pdf", 20 * MB)]
    assert not (tmp_path / "evidence").exists() or not any((tmp_path / "evidence").rglob("*.*"))
    await me.click("继续")
    await me.click("匿名投诉")
    assert "证据材料：0 个" in me.last


async def test_large_files_are_refused_declared_or_downloaded(fetching_chat, fetcher, county):
    me = fetching_chat(5103)
    await to_evidence_step(me)
    await upload(me, document("big.pdf", mime="application/pdf", size=25 * MB))
    assert "超过 20 MB" in me.last
    assert fetcher.asked == []  # refused by its declared size, nothing downloaded
    # A file that declares no size is stopped by the fetcher's limit.
    await upload(me, document("huge.pdf", mime="application/pdf", size=None))
    assert "超过 20 MB" in me.last and fetcher.asked == [("f-huge.pdf", 20 * MB)]


async def test_unavailable_file_is_asked_for_again(fetching_chat, fetcher, county):
    me = fetching_chat(5104)
    await to_evidence_step(me)
    await upload(me, document("gone.pdf", mime="application/pdf"))
    assert "未能接收该文件" in me.last and "第 1 件" not in me.last


# --- over real HTTP against the sandbox ------------------------------------------------------


def last_text(messages) -> str:
    said = [m for m in messages if m["from_bot"]]
    return (said[-1]["text"] or "") if said else ""


async def test_bot_api_fetcher_downloads_the_uploaded_bytes(
    sandbox, client, storage, clock, county, tmp_path
):
    token = f"{sandbox.state.bot.id}:evidence-test-token"
    files = BotApiFileFetcher(sandbox.url, token)
    dispatcher = build_dispatcher(
        settings=storage.settings,
        sessions=storage.sessions,
        clock=clock,
        services={"files": files, "evidence_dir": tmp_path / "evidence"},
    )
    bot = RunningBot("aiogram", token, sandbox.url, dispatcher)
    await bot.start()
    try:
        user = await client.create_persona("赵六", role="citizen")

        async def step(label: str, expect: str) -> list:
            await client.click(user, label)
            return await client.wait_until(user, lambda ms: expect in last_text(ms))

        await client.send_command(user, "/start")
        await client.wait_for(user, 1)
        await step("我要投诉", "您要投诉哪个用人单位")
        await step("01号单位", "还是其中某位从业人员")
        await step("投诉单位本身", "请选择问题类型")
        await step("其他", "请描述具体情况")
        await client.send_text(user, "该单位的保洁人员长期迟到早退，态度很差。")
        await client.wait_until(user, lambda ms: "证据材料可选" in last_text(ms))
        await client.send_file(user, "proof.pdf", PDF, mime_type="application/pdf")
        await client.wait_until(user, lambda ms: "第 1 件" in last_text(ms))
        await client.send_file(user, "x.pdf", EXE, mime_type="application/pdf")
        await client.wait_until(user, lambda ms: "实际内容不是" in last_text(ms))
        await step("继续", "分享您本人的手机号码")
        await step("匿名投诉", "请核对您的投诉")
        messages = await step("提交投诉", "查询码是")
    finally:
        with contextlib.suppress(Exception):
            await bot.stop()
    code = last_text(messages).split("查询码是 ")[1][:8]
    [row] = await evidence_rows(storage, code)
    assert row.sha256 == hashlib.sha256(PDF).hexdigest()
    assert Path(row.stored_path).read_bytes() == PDF
    # The fetcher itself: the exact bytes, and a file over the limit refused by its size.
    assert await files.fetch(row.telegram_file_id, max_bytes=20 * MB) == PDF
    with pytest.raises(FileTooLarge):
        await files.fetch(row.telegram_file_id, max_bytes=len(PDF) - 1)
    with pytest.raises(FileUnavailable):
        await files.fetch("no-such-file", max_bytes=20 * MB)
