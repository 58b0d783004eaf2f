"""The typed dependencies are what every step uses: built once from the settings (the PDF
font among them), handed to each step as ``ctx.deps``; a step has no settings of its own, and
a font the settings name but the machine lacks is reported with its path."""

from __future__ import annotations

from pathlib import Path

from driver import Chat
from testsupport import make_settings

from bot.app import build_deps, build_dispatcher
from documents.pdf import FONT_PACKAGE
from messages.replies import FileReply
from storage.db import transaction
from storage.models import RoleBinding, Unit
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


async def test_a_step_reads_the_typed_dependencies_and_no_settings(storage, clock):
    """What a step uses comes from ``ctx.deps``, the one object the app built: a step has no
    settings to read, so dependencies given to a dispatcher are the ones its steps use."""
    from dataclasses import fields, replace

    from handlers.context import Context
    from handlers.core import Dispatcher

    assert "settings" not in {field.name for field in fields(Context)}
    first = build_dispatcher(settings=storage.settings, sessions=storage.sessions, clock=clock)
    deps = replace(first.deps, bot_username="county_desk_bot")
    dispatcher = Dispatcher(
        sessions=storage.sessions,
        settings=storage.settings,
        clock=clock,
        router=first.router,
        deps=deps,
    )
    async with transaction(storage.sessions) as session:
        session.add_all([Unit(name="城关镇"), RoleBinding(user_id=ADMIN, role="admin")])
    admin = Chat(dispatcher, ADMIN, "zh-hans")
    await admin.send("/start")
    await admin.click("邀请工作人员")
    await admin.click("用人单位联系人")
    await admin.click("城关镇")
    assert "https://t.me/county_desk_bot?start=inv_" in admin.last
