"""The typed dependencies, the menu rows and /start links each audience registers, and the
menu's button data."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from driver import Chat
from testsupport import make_settings

from bot.app import build_dispatcher
from handlers import menu
from handlers.core import Dispatcher, Router
from handlers.invitations import INVITED_ROLES
from messages.callbacks_menu import (
    InviteRole,
    InviteStart,
    InviteUnit,
    InviteUnitsPage,
    LanguageChoice,
    MenuAction,
    SubscriptionChoice,
)
from messages.replies import Button
from storage.invitations import OFFICIAL_ROLES

ROOT = Path(__file__).resolve().parents[2]
AUDIENCES = {"bureau_tasks", "cases", "citizen", "invitations", "publication", "unit"}
AUDIENCES |= {"uploads", "verification", "worker", "hotline"}


def test_an_unknown_service_name_is_refused(storage, clock):
    with pytest.raises(ValueError, match="evidence_folder"):
        build_dispatcher(
            settings=storage.settings,
            sessions=storage.sessions,
            clock=clock,
            services={"evidence_folder": Path("/tmp")},
        )


def test_the_evidence_folder_comes_from_the_settings(storage, clock, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    chosen = make_settings(storage.settings.database_url, evidence_dir="kept/evidence")
    dispatcher = build_dispatcher(settings=chosen, sessions=storage.sessions, clock=clock)
    # Fixed at start-up: a later change of the working directory cannot move it.
    assert dispatcher.deps.evidence_dir == tmp_path / "kept" / "evidence"


def test_a_dispatcher_can_share_another_ones_parts(storage, clock):
    first = build_dispatcher(settings=storage.settings, sessions=storage.sessions, clock=clock)
    second = Dispatcher(
        sessions=storage.sessions,
        settings=storage.settings,
        clock=clock,
        router=first.router,
        services=first.services,
    )
    assert second.deps.hotline_throttle is first.deps.hotline_throttle
    assert second.deps.search_throttle is first.deps.search_throttle


def test_the_menu_imports_no_audience():
    tree = ast.parse((ROOT / "handlers" / "menu.py").read_text(encoding="utf-8"))
    imported = {
        node.module.split(".")[1]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("handlers.")
    }
    assert imported & AUDIENCES == set()


async def test_rows_and_links_registered_by_an_audience_reach_the_menu(storage, clock):
    heard: list[str] = []
    audience = Router()

    async def follow(ctx, rest: str) -> None:
        heard.append(rest)
        ctx.say("followed")

    audience.deep_link("x_", follow)
    audience.menu_rows(lambda ctx: [[Button("Second", "z:2")]], place=20)
    audience.menu_rows(lambda ctx: [[Button("First", "z:1")]], place=10)
    root = Router()
    root.include(audience)
    root.include(menu.router())
    dispatcher = Dispatcher(
        sessions=storage.sessions, settings=storage.settings, clock=clock, router=root
    )
    me = Chat(dispatcher, 7301)
    await me.send("/start")
    assert me.buttons()[:2] == ["First", "Second"]
    await me.send("/start x_42")
    assert heard == ["42"]
    assert me.last == "followed"


def test_the_same_link_registered_twice_is_refused():
    first, second = Router(), Router()

    async def noop(ctx, rest: str) -> None:
        return None

    first.deep_link("x_", noop)
    second.deep_link("x_", noop)
    with pytest.raises(ValueError, match="x_"):
        first.include(second)


def test_menu_buttons_pack_as_before():
    assert MenuAction(action="home").pack() == "menu:home"
    assert LanguageChoice(choice="zh").pack() == "lang:zh"
    assert LanguageChoice(choice="ask").pack() == "lang:ask"
    assert SubscriptionChoice(choice="off").pack() == "sub:off"
    assert InviteStart(action="invite").pack() == "adm:invite"
    assert InviteRole(step="role", role="unit").pack() == "adm:role:unit"
    assert InviteUnitsPage(step="units", page=2).pack() == "adm:units:2"
    assert InviteUnit(step="unit", unit_id=7).pack() == "adm:unit:7"


@pytest.mark.parametrize("forged", ["adm:role:root", "adm:unit:x", "adm:units", "adm:invite:1"])
def test_forged_invitation_buttons_parse_as_nothing(forged):
    kinds = (InviteStart, InviteRole, InviteUnitsPage, InviteUnit)
    assert [kind.parse(forged) for kind in kinds] == [None] * 4


def test_every_official_role_can_be_invited():
    from storage.invitations import PLACED_ROLES

    # An inspector is invited for their place in a group, by the inspection plan's command.
    assert tuple(r for r in OFFICIAL_ROLES if r not in PLACED_ROLES) == INVITED_ROLES
    assert set(PLACED_ROLES) < set(OFFICIAL_ROLES)
