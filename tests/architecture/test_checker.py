"""The checker behind test_layers sees what it must: imports inside functions and under
TYPE_CHECKING, relative imports, ``from package import module``, cycles, long modules and
framework imports, each in a small product built here."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from layers import FRAMEWORKS, IO, MAX_LINES, Import, Product, strongly_connected


def build(root: Path, files: dict[str, str]) -> Product:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return Product.read(root)


def test_an_import_inside_a_function_is_an_arrow(tmp_path):
    product = build(
        tmp_path,
        {
            "storage/__init__.py": "",
            "storage/db.py": "",
            "domain/__init__.py": "",
            "domain/rules.py": """\
                from messages import N_


                def grade():
                    from storage.db import engine
                    return engine
                """,
            "messages/__init__.py": "",
        },
    )
    assert product.forbidden_arrows("domain.rules") == [
        Import("domain.rules", "storage.db", 5, "inside a function")
    ]
    assert "domain/rules.py:5, inside a function" in product.describe(
        product.forbidden_arrows("domain.rules")[0]
    )


def test_an_import_under_type_checking_is_an_arrow(tmp_path):
    product = build(
        tmp_path,
        {
            "storage/__init__.py": "",
            "storage/db.py": """\
                import typing
                from typing import TYPE_CHECKING

                if TYPE_CHECKING:
                    from bot.settings import Settings
                if typing.TYPE_CHECKING:
                    import notices.sender
                """,
            "bot/__init__.py": "",
            "bot/settings.py": "",
            "notices/__init__.py": "",
            "notices/sender.py": "",
        },
    )
    assert product.forbidden_arrows("storage.db") == [
        Import("storage.db", "bot.settings", 5, "under TYPE_CHECKING"),
        Import("storage.db", "notices.sender", 7, "under TYPE_CHECKING"),
    ]


def test_relative_imports_are_resolved(tmp_path):
    product = build(
        tmp_path,
        {
            "handlers/__init__.py": "",
            "handlers/menu.py": "from . import citizen\nfrom .citizen import ask_name\n",
            "handlers/citizen.py": "",
            "handlers/deep/__init__.py": "from .inner import x\nfrom .. import menu\n",
            "handlers/deep/inner.py": "from ..citizen import ask_name\nfrom . import x\n",
        },
    )
    assert [i.target for i in product.imports["handlers.menu"]] == [
        "handlers.citizen",
        "handlers.citizen",
    ]
    assert [i.target for i in product.imports["handlers.deep"]] == [
        "handlers.deep.inner",
        "handlers.menu",
    ]
    assert [i.target for i in product.imports["handlers.deep.inner"]] == [
        "handlers.citizen",
        "handlers.deep",
    ]


def test_a_relative_import_above_the_top_is_refused(tmp_path):
    with pytest.raises(ValueError, match="beyond the top package"):
        build(tmp_path, {"domain/__init__.py": "", "domain/x.py": "from ... import y\n"})


def test_from_a_package_import_a_module_is_an_arrow_to_the_module(tmp_path):
    """A package re-exporting its children is no cycle; a child importing the package is."""
    files = {
        "bot/__init__.py": "",
        "bot/sandbox/__init__.py": "from .server import run\n",
        "bot/sandbox/server.py": "from . import api\n\nrun = api\n",
        "bot/sandbox/api.py": "from bot.sandbox import limits\n",
        "bot/sandbox/limits.py": "",
    }
    product = build(tmp_path, files)
    assert product.graph["bot.sandbox.api"].keys() == {"bot.sandbox.limits"}
    assert product.cycles == []

    product = build(tmp_path, {"bot/sandbox/api.py": "from bot.sandbox import run\n"})
    assert product.graph["bot.sandbox.api"].keys() == {"bot.sandbox"}
    assert product.cycles == [["bot.sandbox", "bot.sandbox.api", "bot.sandbox.server"]]


def test_a_cycle_hidden_in_a_function_is_found_with_its_path(tmp_path):
    product = build(
        tmp_path,
        {
            "storage/__init__.py": "",
            "storage/cases.py": "def accept():\n    from storage import opinion\n",
            "storage/opinion.py": "from storage.desk import row\n",
            "storage/desk.py": "import storage.cases\n",
            "storage/tables.py": "",
            "storage/queries.py": "from storage.tables import Case\n",
        },
    )
    assert product.cycles == [["storage.cases", "storage.desk", "storage.opinion"]]
    assert product.cycle_through("storage.cases") == [
        Import("storage.cases", "storage.opinion", 2, "inside a function"),
        Import("storage.opinion", "storage.desk", 1, ""),
        Import("storage.desk", "storage.cases", 1, ""),
    ]
    assert product.cycle_through("storage.queries") is None
    assert product.cycle_through("storage.tables") is None


def test_tarjan_separates_knots_and_survives_a_long_chain():
    graph: dict[str, set[str]] = {"a": {"b"}, "b": {"a", "c"}, "c": {"d"}, "d": {"e"}, "e": {"c"}}
    graph |= {"f": {"a"}, "g": set()}
    assert strongly_connected(graph) == [["a", "b"], ["c", "d", "e"]]
    chain = {f"m{i}": {f"m{i + 1}"} for i in range(5000)} | {"m5000": {"m0"}}
    assert [len(group) for group in strongly_connected(chain)] == [5001]


def test_a_module_over_the_limit_is_long(tmp_path):
    product = build(
        tmp_path,
        {
            "domain/__init__.py": "",
            "domain/short.py": "x = 1\n" * MAX_LINES,
            "domain/long.py": "x = 1\n" * (MAX_LINES + 1),
            "storage/__init__.py": "",
            "storage/migrations/versions/0001_all.py": "x = 1\n" * (MAX_LINES + 1),
        },
    )
    assert product.modules["domain.short"].lines == MAX_LINES
    assert product.modules["domain.long"].lines == MAX_LINES + 1
    assert product.modules["storage.migrations.versions.0001_all"].is_revision
    assert not product.modules["domain.long"].is_revision


def test_a_framework_or_io_import_anywhere_is_seen(tmp_path):
    product = build(
        tmp_path,
        {
            "handlers/__init__.py": "",
            "handlers/chat.py": """\
                def send():
                    import aiogram.types
                    from telegram import Bot
                """,
            "domain/__init__.py": "",
            "domain/rules.py": "from sqlalchemy import select\nimport sqlmodel.sql\nimport json\n",
        },
    )
    assert [i.target for i in product.outside_imports("handlers.chat", FRAMEWORKS)] == [
        "aiogram.types",
        "telegram",
    ]
    assert [i.target for i in product.outside_imports("domain.rules", IO)] == [
        "sqlalchemy",
        "sqlmodel.sql",
    ]
