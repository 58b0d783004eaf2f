"""The 公示 notice gives the hotline's telephone and address when the county has set them
(GONGSHI_HOTLINE_PHONE, GONGSHI_HOTLINE_ADDRESS): in the bot's lists, in the printable notice
and in the channel's posts; unset, nothing false is printed."""

from __future__ import annotations

from datetime import date

import pytest
from pdftext import pdf_text
from pubworld import UNITS, import_people, person
from testsupport import make_settings

from bot.settings import Settings, SettingsError, load_settings
from messages.replies import FileReply
from services.hotline_contact import HotlineContact
from services.publication_texts import channel_pages
from storage.db import transaction
from storage.models import RoleBinding
from storage.public_rows import PublicRow

PHONE, ADDRESS = "0991-6123456", "县就业局一楼投诉受理台"
LINE = f"投诉专线电话：{PHONE}；来信请寄：{ADDRESS}。"
ADMIN = 9001


@pytest.fixture
def settings(sqlite_url: str) -> Settings:
    return make_settings(sqlite_url, hotline_phone=PHONE, hotline_address=ADDRESS)


@pytest.fixture
async def people(storage):
    chosen = [person(n, UNITS[0]) for n in range(3)]
    await import_people(storage, chosen)
    async with transaction(storage.sessions) as session:
        session.add(RoleBinding(user_id=ADMIN, role="admin"))
    return chosen


async def test_the_bot_and_the_printable_notice_give_the_line(chat, people):
    admin = chat(ADMIN)
    await admin.send("/start")
    await admin.click("公示管理：开始、结束、张榜公告")
    await admin.click("开始2026年度公示")
    await admin.click("确认开始")
    citizen = chat(5002)
    await citizen.send("/gongshi")
    await citizen.click(f"{UNITS[0]} ({len(people)})")
    assert LINE in citizen.last

    await admin.send("/start")
    await admin.click("公示管理：开始、结束、张榜公告")
    await admin.click("张榜公告（PDF）")
    outcome = await admin.click(UNITS[0])
    (sent,) = [r for r in outcome.replies if isinstance(r, FileReply)]
    text = "".join(pdf_text(sent.content).split())
    assert PHONE in text and ADDRESS in text


def rows(n: int) -> list[PublicRow]:
    return [PublicRow(i, 1, "县林业局", f"张*{i}", "护林员", "合格", True) for i in range(n)]


def test_every_channel_post_ends_with_the_line_and_none_without_it():
    kw = {
        "rows": rows(45),
        "unit_name": "县林业局",
        "year": 2026,
        "opens_on": date(2026, 12, 16),
        "closes_on": date(2026, 12, 22),
        "bot_username": "gongshi_bot",
        "language": "zh",
    }
    pages = channel_pages(**kw, hotline=HotlineContact(PHONE, ADDRESS))
    assert len(pages) == 3 and all(page.text.endswith(LINE) for page in pages)
    assert all("专线" not in page.text for page in channel_pages(**kw))
    alone = channel_pages(**kw, hotline=HotlineContact(phone=PHONE))
    assert alone[0].text.endswith(f"投诉专线电话：{PHONE}。")


def test_the_settings_are_read_and_checked(monkeypatch, sqlite_url):
    monkeypatch.setenv("GONGSHI_HOTLINE_PHONE", "0991 6123456")
    monkeypatch.setenv("GONGSHI_HOTLINE_ADDRESS", ADDRESS)
    assert HotlineContact.from_settings(load_settings(database_url=sqlite_url)) == HotlineContact(
        "0991 6123456", ADDRESS
    )
    monkeypatch.setenv("GONGSHI_HOTLINE_PHONE", "call us")
    with pytest.raises(SettingsError):
        load_settings(database_url=sqlite_url)
    assert HotlineContact.from_settings(object()) == HotlineContact()
