"""The layers of DESIGN.md hold: conversations know no chat framework, rules know no I/O."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORKS = {"aiogram", "telegram", "aiohttp", "httpx", "tornado", "requests"}
IO_AND_LAYERS = FRAMEWORKS | {"sqlalchemy", "sqlmodel", "storage", "bot", "handlers", "notices"}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def modules(package: str) -> list[Path]:
    found = sorted((ROOT / package).rglob("*.py"))
    assert found, f"no modules in {package}"
    return found


@pytest.mark.parametrize("path", modules("handlers"), ids=lambda p: p.name)
def test_handlers_import_no_framework(path):
    assert imported_roots(path) & FRAMEWORKS == set()


@pytest.mark.parametrize("path", modules("domain"), ids=lambda p: p.name)
def test_domain_is_pure(path):
    assert imported_roots(path) & IO_AND_LAYERS == set()


def test_the_check_sees_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import aiogram.types\nfrom telegram import Bot\nfrom . import x\n")
    assert imported_roots(sample) == {"aiogram", "telegram"}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


# Documents are pure rendering of facts handed in: messages and the font setting, no data.
DOCUMENTS_MAY_USE_FROM_BOT = {"messages.i18n", "bot.settings"}


@pytest.mark.parametrize("path", modules("documents"), ids=lambda p: p.name)
def test_documents_only_render(path):
    assert imported_roots(path) & (IO_AND_LAYERS - {"bot"}) == set()
    from_bot = {name for name in imported_modules(path) if name.split(".")[0] == "bot"}
    assert from_bot <= DOCUMENTS_MAY_USE_FROM_BOT
