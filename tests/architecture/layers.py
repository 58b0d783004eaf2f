"""The layer table of DESIGN.md as data, and what the product's imports say about it.

Every import counts wherever it is written: at the top of a module, inside a function (where a
cycle or a forbidden arrow likes to hide) and under ``if TYPE_CHECKING:``. Relative imports are
resolved against the importing module's package, and ``from package import module`` is an arrow
to that module, not to the package, so a package's ``__init__`` re-exporting its children does
not make every child look like part of a cycle.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# DESIGN.md's table: each layer and the layers it may import besides itself.
LAYERS: Mapping[str, frozenset[str]] = {
    "messages": frozenset(),
    "domain": frozenset({"messages"}),
    "documents": frozenset({"domain", "messages"}),
    "storage": frozenset({"domain", "messages"}),
    "services": frozenset({"storage", "domain", "messages", "documents"}),
    "notices": frozenset({"services", "storage", "domain", "messages", "documents"}),
    "handlers": frozenset({"services", "storage", "domain", "messages", "documents"}),
    "bot": frozenset(
        {"notices", "handlers", "services", "storage", "domain", "messages", "documents"}
    ),
}

MAX_LINES = 450

# "Only bot/ imports aiogram or telegram": the chat frameworks.
FRAMEWORKS = frozenset({"aiogram", "telegram"})
# HTTP clients and servers: the shell serves and the sandbox answers; notices delivers the outbox
# over the Bot API's plain HTTP (notices/botapi.py). No other layer talks to the network.
HTTP = frozenset({"aiohttp", "httpx", "requests", "tornado"})
HTTP_LAYERS = frozenset({"bot", "notices"})
# What the layers without I/O (pure rules, rendering, wording) must not reach for.
IO = (
    FRAMEWORKS
    | HTTP
    | {"sqlalchemy", "sqlmodel", "alembic", "asyncpg", "aiosqlite", "psycopg", "psycopg2"}
    | {"apscheduler", "socket", "subprocess"}
)
PURE_LAYERS = frozenset({"messages", "domain", "documents"})

# Alembic revisions are a record of the schema as it was: their imports count, their length not.
REVISIONS = ("storage", "migrations", "versions")


@dataclass(frozen=True)
class Module:
    name: str
    path: Path

    @property
    def layer(self) -> str:
        return self.name.split(".")[0]

    @property
    def is_package(self) -> bool:
        return self.path.name == "__init__.py"

    @property
    def is_revision(self) -> bool:
        return self.name.split(".")[:3] == list(REVISIONS)

    @property
    def lines(self) -> int:
        return len(self.path.read_text(encoding="utf-8").splitlines())


@dataclass(frozen=True)
class Import:
    """One imported name as written at ``line`` of ``source``, resolved to a dotted ``target``."""

    source: str
    target: str
    line: int
    where: str  # "", "inside a function" or "under TYPE_CHECKING"

    @property
    def root(self) -> str:
        return self.target.split(".")[0]

    def describe(self, path: Path) -> str:
        where = f", {self.where}" if self.where else ""
        return f"{self.source} -> {self.target} ({path}:{self.line}{where})"


def find_modules(
    root: Path = ROOT, layers: Mapping[str, frozenset[str]] = LAYERS
) -> dict[str, Module]:
    """Every Python module of the product, by dotted name."""
    found: dict[str, Module] = {}
    for layer in layers:
        for path in sorted((root / layer).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = Module(".".join(parts), path)
    return found


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _import_nodes(tree: ast.AST) -> Iterator[tuple[ast.Import | ast.ImportFrom, str]]:
    """Each import statement with where it stands, however deep."""
    stack: list[tuple[ast.AST, str]] = [(tree, "")]
    while stack:
        node, where = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, where
            continue
        for child in ast.iter_child_nodes(node):
            child_where = where
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                child_where = "inside a function"
            elif isinstance(node, ast.If) and _is_type_checking(node.test) and child in node.body:
                child_where = where or "under TYPE_CHECKING"
            stack.append((child, child_where))


def _absolute(module: Module, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.name.split(".")
    if not module.is_package:
        package.pop()
    if node.level - 1 >= len(package):
        raise ValueError(f"{module.name}:{node.lineno}: relative import beyond the top package")
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: Module, known: Mapping[str, Module]) -> list[Import]:
    """What ``module`` imports, each target resolved to a dotted name (ours or not)."""
    tree = ast.parse(module.path.read_text(encoding="utf-8"), filename=str(module.path))
    found: list[Import] = []
    for node, where in _import_nodes(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = _absolute(module, node)
            # ``from package import name``: the module ``package.name`` if there is one,
            # otherwise a name defined by ``package`` itself.
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        found += [Import(module.name, target, node.lineno, where) for target in targets]
    return sorted(set(found), key=lambda i: (i.line, i.target))


def owner(target: str, known: Mapping[str, object]) -> str | None:
    """The product module a dotted name lives in: itself, or its nearest known parent."""
    parts = target.split(".")
    while parts:
        if ".".join(parts) in known:
            return ".".join(parts)
        parts.pop()
    return None


@dataclass(frozen=True)
class Product:
    """The product's modules and their imports, read once."""

    root: Path
    modules: dict[str, Module]
    imports: dict[str, list[Import]]
    layers: Mapping[str, frozenset[str]]

    @classmethod
    def read(cls, root: Path = ROOT, layers: Mapping[str, frozenset[str]] = LAYERS) -> Product:
        modules = find_modules(root, layers)
        imports = {name: imports_of(module, modules) for name, module in modules.items()}
        return cls(root, modules, imports, layers)

    def describe(self, found: Import) -> str:
        """``a.b -> c.d (a/b.py:12, inside a function)``: the arrow and where to change it."""
        return found.describe(self.modules[found.source].path.relative_to(self.root))

    def forbidden_arrows(self, name: str) -> list[Import]:
        """Imports of ``name`` that reach a layer its own layer may not import."""
        layer = self.modules[name].layer
        allowed = self.layers[layer] | {layer}
        return [i for i in self.imports[name] if i.root in self.layers and i.root not in allowed]

    def outside_imports(self, name: str, libraries: frozenset[str]) -> list[Import]:
        return [i for i in self.imports[name] if i.root in libraries]

    @cached_property
    def graph(self) -> dict[str, dict[str, Import]]:
        """Module -> each product module it imports, with the first import that says so."""
        edges: dict[str, dict[str, Import]] = {}
        for name, imports in self.imports.items():
            edges[name] = {}
            for found in imports:
                target = owner(found.target, self.modules)
                if target is not None and target != name:
                    edges[name].setdefault(target, found)
        return edges

    @cached_property
    def cycles(self) -> list[list[str]]:
        return strongly_connected(self.graph)

    def cycle_through(self, name: str) -> list[Import] | None:
        """A shortest import path from ``name`` back to itself, if there is one."""
        return shortest_cycle(self.graph, name)


def strongly_connected(graph: Mapping[str, Mapping[str, object]]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of two or more modules that import each other, in a
    round or through others. Iterative, so a long chain of imports cannot exhaust the stack."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in graph:
                    continue
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group: list[str] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
    return sorted(groups)


def shortest_cycle(graph: Mapping[str, Mapping[str, Import]], start: str) -> list[Import] | None:
    """Breadth first from ``start`` until an import leads back to it."""
    came_from: dict[str, Import] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for successor, found in sorted(graph.get(node, {}).items()):
            if successor == start:
                path = [found]
                while path[0].source != start:
                    path.insert(0, came_from[path[0].source])
                return path
            if successor not in came_from and successor in graph:
                came_from[successor] = found
                queue.append(successor)
    return None


@cache
def product() -> Product:
    return Product.read()
