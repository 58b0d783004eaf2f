"""Button data is packed and parsed by the typed classes of messages/callbacks_*.py only: the
strings stay those the bot has always sent (a button already in a chat keeps working), and no
module of the product builds or splits them by hand any more."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import messages
from messages.callbacks import CallbackData, prefix_of
from messages.callbacks_cases import CaseAction, Rating
from messages.callbacks_hotline import ComplaintStep, ShowContact
from messages.callbacks_menu import (
    MENU_HOME,
    InviteStart,
    LanguageChoice,
    MenuAction,
    SubscriptionChoice,
)
from messages.callbacks_publication import AdminHome, UnitsPage
from messages.callbacks_verification import VerifyUnits

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("domain", "storage", "services", "handlers", "notices", "bot", "documents")
# Buttons whose typed classes are still to come, with the modules that pack or parse them.
NOT_YET_TYPED: set[str] = set()
STILL_BY_HAND: set[str] = set()


@pytest.mark.parametrize(
    ("packed", "old"),
    [
        (CaseAction(action="open", case_id=12).pack(), "cs:open:12"),
        (ShowContact(action="contact", case_id=12).pack(), "hl:contact:12"),
        (ComplaintStep(action="new").pack(), "cp:new"),
        (ComplaintStep(action="status").pack(), "cp:status"),
        (MENU_HOME, "menu:home"),
        (CaseAction.prefix, "cs"),
        (Rating.prefix, "rt"),
        (MenuAction.prefix, "menu"),
        (LanguageChoice.prefix, "lang"),
        (SubscriptionChoice.prefix, "sub"),
        (InviteStart.prefix, "adm"),
        (VerifyUnits.prefix, "vf"),
        (UnitsPage.prefix, "gs"),
        (AdminHome.prefix, "gsa"),
    ],
)
def test_the_strings_are_the_old_ones(packed, old):
    assert packed == old


def _prefixes() -> set[str]:
    for module in pkgutil.iter_modules(messages.__path__):
        if module.name.startswith("callbacks"):
            importlib.import_module(f"messages.{module.name}")
    found: set[str] = set()
    todo = list(CallbackData.__subclasses__())
    while todo:
        cls = todo.pop()
        found.add(cls.prefix)
        todo += cls.__subclasses__()
    return found | NOT_YET_TYPED


def _by_hand(text: str, prefixes: set[str]) -> list[str]:
    alternatives = "|".join(sorted(map(re.escape, prefixes), key=len, reverse=True))
    packed = re.compile(rf"""(?:\bf)?["']({alternatives}):""")
    parsed = re.compile(r"""\.(split|partition)\(["']:["']|startswith\(["'][a-z]+:""")
    routed = re.compile(r"""\.button\(["']""")
    hits = []
    for number, line in enumerate(text.splitlines(), start=1):
        # An outbox row's dedup key and an alert's occasion may start like a button's data.
        if "dedup_key" in line or "occasion" in line:
            continue
        button_line = "button" in line.lower() or "Button(" in line
        if packed.search(line) or (button_line and parsed.search(line)) or routed.search(line):
            hits.append(f"{number}: {line.strip()}")
    return hits


def test_the_check_finds_data_packed_and_parsed_by_hand():
    prefixes = {"cs", "hl", "menu"}
    assert _by_hand('Button(t(OPEN), f"cs:open:{case.id}")', prefixes)
    assert _by_hand('rows = [[Button(t(BACK), "menu:home")]]', prefixes)
    assert _by_hand('parts = (ctx.incoming.button or "").split(":")', prefixes)
    assert _by_hand('r.button("hl", roles=ROLES)(show_contact)', prefixes)
    assert not _by_hand('dedup_key=f"cs:{case.id}:assigned:{seq}",', prefixes)
    assert not _by_hand('number = text.strip().split(":", 1)[0]', prefixes)


def test_no_module_of_the_product_packs_or_parses_button_data_by_hand():
    prefixes = _prefixes()
    found = {}
    for folder in PRODUCT:
        for path in sorted((ROOT / folder).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name in STILL_BY_HAND:
                continue
            hits = _by_hand(path.read_text(encoding="utf-8"), prefixes)
            if hits:
                found[name] = hits
    assert found == {}


def test_the_dispatcher_reads_the_prefix_alone():
    assert prefix_of("cs:open:12") == "cs"
    assert prefix_of("menu") == "menu"
    assert prefix_of("") == ""
