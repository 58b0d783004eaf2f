"""The deployment's PDF font reaches the printed documents through the typed dependencies
built from the settings: a chat step draws with ``ctx.deps.pdf_font``, and a font the
settings name but the machine lacks is reported with its path."""

from __future__ import annotations

from pathlib import Path

from driver import Chat
from testsupport import make_settings

from bot.app import build_deps, build_dispatcher
from documents.pdf import FONT_PACKAGE
from messages.replies import FileReply
from storage.db import transaction
from storage.models import RoleBinding
from tests.publication.pubworld import UNITS, import_people, person

ADMIN = 9001


def test_the_font_is_taken_from_the_settings_once(storage, clock, tmp_path):
    chosen = tmp_path / "fonts" / "county.ttf"
    with_font = make_settings(storage.settings.database_url, pdf_font=str(chosen))
    assert build_deps(with_font, clock=clock).pdf_font == chosen
    assert build_deps(storage.settings, clock=clock).pdf_font is None


async def test_the_printable_notice_is_drawn_with_the_font_the_settings_name(
    storage, clock, tmp_path, monkeypatch
):
    # The environment names no font: only the settings object handed to the app can.
    monkeypatch.delenv("GONGSHI_PDF_FONT", raising=False)
    missing = tmp_path / "no-such-font.ttc"
    settings = make_settings(storage.settings.database_url, pdf_font=str(missing))
    dispatcher = build_dispatcher(settings=settings, sessions=storage.sessions, clock=clock)
    await import_people(storage, [person(500, UNITS[1])])
    async with transaction(storage.sessions) as session:
        session.add(RoleBinding(user_id=ADMIN, role="admin"))
    admin = Chat(dispatcher, ADMIN, "zh-hans")
    await admin.send("/start")
    await admin.click("公示管理：开始、结束、张榜公告")
    await admin.click("开始2026年度公示")
    await admin.click("确认开始")
    await admin.send("/start")
    await admin.click("公示管理：开始、结束、张榜公告")
    await admin.click("张榜公告（PDF）")
    outcome = await admin.click(UNITS[1])
    assert not [r for r in outcome.replies if isinstance(r, FileReply)]
    assert str(missing) in admin.last and FONT_PACKAGE in admin.last


def test_nothing_below_bot_loads_the_settings():
    """Only bot/ reads the settings (a call inside a function included); the layers below
    are handed what they need."""
    root = Path(__file__).resolve().parents[2]
    for folder in ("documents", "services", "handlers"):
        for module in (root / folder).rglob("*.py"):
            assert "load_settings" not in module.read_text(), module
