"""The product holds to DESIGN.md's table of layers, one test per module so a failure names the
module and the import to change: no forbidden arrow, no import cycle, no chat framework outside
bot/, no I/O in the layers without it, no module over 450 lines."""

from __future__ import annotations

import tomllib

import pytest
from layers import (
    FRAMEWORKS,
    HTTP,
    HTTP_LAYERS,
    IO,
    LAYERS,
    MAX_LINES,
    PURE_LAYERS,
    ROOT,
    product,
)

MODULES = sorted(product().modules)


def modules_of(*layers: str, but: tuple[str, ...] = ()) -> list[str]:
    chosen = [name for name in MODULES if name.split(".")[0] in layers]
    chosen = [name for name in chosen if name.split(".")[0] not in but]
    assert chosen, f"no modules in {layers}"
    return chosen


def listing(imports: list) -> str:
    return "".join(f"\n  {product().describe(found)}" for found in imports)


def test_every_shipped_package_is_a_layer():
    """A new top-level package escapes every rule below unless the table names it."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = {
        p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    on_disk = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    assert shipped == set(LAYERS), (
        f"pyproject ships {sorted(shipped)}, the table has {list(LAYERS)}"
    )
    assert on_disk <= set(LAYERS), f"packages without a row in the table: {on_disk - set(LAYERS)}"


def test_the_table_allows_no_round_trip():
    """Two layers allowed to import each other would make a cycle legal."""
    both_ways = {
        tuple(sorted((a, b))) for a, allowed in LAYERS.items() for b in allowed if a in LAYERS[b]
    }
    assert both_ways == set()
    assert set().union(*LAYERS.values()) <= set(LAYERS)
    assert LAYERS["messages"] == frozenset()


@pytest.mark.parametrize("name", MODULES)
def test_imports_follow_the_table(name):
    layer = name.split(".")[0]
    arrows = product().forbidden_arrows(name)
    allowed = ", ".join(sorted(LAYERS[layer])) or "nothing of ours"
    assert arrows == [], f"{layer}/ may import {allowed}; these arrows are forbidden:" + listing(
        arrows
    )


@pytest.mark.parametrize("name", MODULES)
def test_no_import_cycle(name):
    path = product().cycle_through(name)
    knot = next((group for group in product().cycles if name in group), [])
    assert path is None, (
        f"{name} imports itself through {len(path) - 1} other module(s):"
        + listing(path)
        + f"\nevery module in this knot: {', '.join(knot)}"
    )


@pytest.mark.parametrize("name", modules_of(*LAYERS, but=("bot",)))
def test_no_chat_framework_outside_bot(name):
    found = product().outside_imports(name, FRAMEWORKS)
    assert found == [], "only bot/ imports aiogram or telegram:" + listing(found)


@pytest.mark.parametrize("name", modules_of(*LAYERS, but=tuple(HTTP_LAYERS)))
def test_no_network_outside_bot_and_notices(name):
    found = product().outside_imports(name, HTTP)
    assert found == [], "only bot/ and notices/ (the Bot API client) talk HTTP:" + listing(found)


@pytest.mark.parametrize("name", modules_of(*PURE_LAYERS))
def test_pure_layers_do_no_io(name):
    found = product().outside_imports(name, IO)
    layer = name.split(".")[0]
    assert found == [], f"{layer}/ works on values handed in, no database or network:" + listing(
        found
    )


@pytest.mark.parametrize(
    "name", [name for name in MODULES if not product().modules[name].is_revision]
)
def test_module_is_short(name):
    module = product().modules[name]
    assert module.lines <= MAX_LINES, (
        f"{module.path.relative_to(ROOT)} has {module.lines} lines, over {MAX_LINES}: split it"
    )
