"""The code's layout holds (DESIGN.md "Layout", STYLE.md "No import cycles", issue 16).

The import graph of the project's packages is read with `ast` (no module is imported):

- no cycle between modules. Every import counts, a function-level one too: an import moved into a
  function to dodge a cycle is still a cycle. An exemption names the cycle and the reason, and
  fails once the cycle is gone so it cannot outlive it;
- dependencies run one way: `labels/qr.py` and `labels/pdf.py` import no app; `assets` imports no
  other app but those two primitives; `labels` imports `assets`; `inventory` imports `assets` and
  `labels`; `config` (settings, URLs, cross-cutting helpers) wires them together and any of them
  may use its helpers;
- the cross-cutting helpers exist once, in `config/`: the domain error base, the bounded Celery
  publish, the spreadsheet writer and the read-only admin base.
"""

from __future__ import annotations

import ast
from collections import deque
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("config", "assets", "inventory", "labels")
APPS = ("assets", "inventory", "labels")
PRIMITIVES = {"labels.qr", "labels.pdf"}

# Which apps each app may import (besides itself and config's helpers).
MAY_IMPORT = {"assets": set(), "labels": {"assets"}, "inventory": {"assets", "labels"}}

# Cycles that stay for a stated reason, as the set of their modules. Each fails when it is gone.
KNOWN_CYCLES: dict[frozenset[str], str] = {}
# Imports that cross the one-way rules for a stated reason, as (importer, imported).
KNOWN_CROSSINGS: dict[tuple[str, str], str] = {
    ("labels.qr", "assets.tags"): (
        "a scanned code is a tag only when its check character holds; assets.tags is the pure "
        "tag codec (test_the_tag_codec_the_qr_codec_uses_imports_no_project_module)"
    ),
}


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int
    in_function: bool

    def __str__(self) -> str:
        where = " (inside a function)" if self.in_function else ""
        return f"{self.importer} (line {self.line}) imports {self.imported}{where}"


@cache
def project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _known(name: str, modules) -> str | None:
    """The project module `name` is, or the nearest package holding it (`a.b.Name` → `a.b`)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _ImportReader(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool, modules):
        self.module, self.is_package, self.modules = module, is_package, modules
        self.imports: list[Import] = []
        self.depth = 0

    def visit_FunctionDef(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_If(self, node):
        if _type_checking_only(node):  # never runs: no import at run time
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def _add(self, name: str | None, node) -> None:
        if name and name != self.module:
            self.imports.append(Import(self.module, name, node.lineno, self.depth > 0))

    def visit_Import(self, node):
        for alias in node.names:
            self._add(_known(alias.name, self.modules), node)

    def visit_ImportFrom(self, node):
        base = node.module or ""
        if node.level:
            package = self.module if self.is_package else self.module.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{base}" if base else package
        for alias in node.names:
            # `from a import b` imports the module a.b when there is one, else a name of a.
            full = f"{base}.{alias.name}"
            self._add(full if full in self.modules else _known(base, self.modules), node)


@cache
def parsed() -> dict[str, ast.Module]:
    return {
        module: ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for module, path in project_modules().items()
    }


@cache
def read_imports() -> tuple[Import, ...]:
    modules = project_modules()
    found = []
    for module, tree in parsed().items():
        reader = _ImportReader(module, modules[module].name == "__init__.py", modules)
        reader.visit(tree)
        found.extend(reader.imports)
    # `from a import b, c` is one import of each module, however many names it takes.
    return tuple({(i.importer, i.imported, i.line): i for i in found}.values())


def import_graph() -> dict[str, dict[str, Import]]:
    graph: dict[str, dict[str, Import]] = {module: {} for module in project_modules()}
    for item in read_imports():
        graph[item.importer].setdefault(item.imported, item)
    return graph


def strongly_connected(graph) -> list[set[str]]:
    """Tarjan's components with more than one module (iterative: no recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(component)
    return components


def a_cycle(graph, component: set[str]) -> list[Import]:
    """The shortest way round the component from its first module, as the imports taken."""
    start = min(component)
    previous: dict[str, Import] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child, edge in sorted(graph[node].items()):
            if child not in component:
                continue
            if child == start:
                path = [edge]
                while path[0].importer != start:
                    path.insert(0, previous[path[0].importer])
                return path
            if child not in previous:
                previous[child] = edge
                queue.append(child)
    raise AssertionError(f"no cycle found in {sorted(component)}")


def describe(graph, component: set[str]) -> str:
    cycle = a_cycle(graph, component)
    names = " → ".join([cycle[0].importer, *(edge.imported for edge in cycle)])
    lines = [f"cycle {names}:", *(f"    {edge}" for edge in cycle)]
    others = sorted(
        str(edge)
        for module in component
        for child, edge in graph[module].items()
        if child in component and edge not in cycle
    )
    if others:
        lines.append("  other imports inside the same cycle:")
        lines.extend(f"    {edge}" for edge in others)
    return "\n".join(lines)


def test_the_reader_sees_every_kind_of_import():
    """The rules below judge what the reader sees: one that missed a kind of import would pass
    them all without looking."""
    modules = dict.fromkeys(["app", "app.models", "app.services", "app.sub", "app.sub.api"])
    source = (
        "from typing import TYPE_CHECKING\n"
        "import app.models\n"
        "from app import services\n"
        "from .sub.api import View\n"
        "if TYPE_CHECKING:\n"
        "    from app.sub import Never\n"
        "def later():\n"
        "    from app.sub import name\n"
    )
    reader = _ImportReader("app.views", False, modules)
    reader.visit(ast.parse(source))
    assert [(i.imported, i.line, i.in_function) for i in reader.imports] == [
        ("app.models", 2, False),
        ("app.services", 3, False),
        ("app.sub.api", 4, False),
        ("app.sub", 8, True),
    ]
    graph = import_graph()
    assert "assets.models" in graph["assets.services"]
    assert len(graph) > 100 and sum(map(len, graph.values())) > 200


def test_a_cycle_is_named_by_its_imports():
    one, two, three = (
        Import(a, b, n, n == 3) for a, b, n in [("a", "b", 1), ("b", "c", 2), ("c", "a", 3)]
    )
    graph = {"a": {"b": one}, "b": {"c": two}, "c": {"a": three}, "d": {"a": one}}
    [component] = strongly_connected(graph)
    assert component == {"a", "b", "c"}
    assert describe(graph, component).splitlines() == [
        "cycle a → b → c → a:",
        "    a (line 1) imports b",
        "    b (line 2) imports c",
        "    c (line 3) imports a (inside a function)",
    ]


def test_no_import_cycle_between_the_projects_modules():
    graph = import_graph()
    cycles = [c for c in strongly_connected(graph) if frozenset(c) not in KNOWN_CYCLES]
    assert not cycles, (
        f"{len(cycles)} import cycle(s) between the project's modules (an import inside a "
        "function counts: move the shared name to the module both can import, or queue tasks by "
        "name):\n" + "\n".join(describe(graph, c) for c in cycles)
    )


@pytest.mark.parametrize("modules", list(KNOWN_CYCLES), ids=lambda c: " ↔ ".join(sorted(c)))
def test_every_cycle_exemption_still_names_a_cycle(modules):
    components = [frozenset(c) for c in strongly_connected(import_graph())]
    assert modules in components, (
        f"the cycle {' ↔ '.join(sorted(modules))} is gone: delete its entry from KNOWN_CYCLES "
        f"({KNOWN_CYCLES[modules]})"
    )


def _app(module: str) -> str:
    return module.partition(".")[0]


def crossings(imports=None) -> list[Import]:
    """Imports that break the one-way rules of DESIGN.md "Layout"."""
    wrong = []
    for item in read_imports() if imports is None else imports:
        source, target = _app(item.importer), _app(item.imported)
        if item.importer in PRIMITIVES:
            if target != "config" and item.imported not in PRIMITIVES:
                wrong.append(item)  # a primitive imports no app (only the other primitive)
            continue
        if source not in APPS or target in (source, "config"):
            continue
        if target in MAY_IMPORT[source] or item.imported in PRIMITIVES:
            continue
        wrong.append(item)
    return wrong


def test_the_one_way_rules_flag_what_they_forbid():
    def flagged(importer, imported):
        return bool(crossings([Import(importer, imported, 1, False)]))

    assert flagged("assets.services", "labels.models")
    assert flagged("assets.services", "inventory.models")
    assert flagged("labels.services", "inventory.models")
    assert flagged("labels.pdf", "assets.models")
    assert flagged("labels.qr", "labels.models")
    assert not flagged("assets.handovers.certificate", "labels.pdf")
    assert not flagged("labels.services", "assets.models")
    assert not flagged("inventory.services", "labels.qr")
    assert not flagged("inventory.services", "assets.models")
    assert not flagged("labels.pdf", "labels.qr")
    assert not flagged("assets.views", "config.api")
    assert not flagged("config.admin", "assets.permissions")


def test_dependencies_run_one_way():
    wrong = [
        str(item) for item in crossings() if (item.importer, item.imported) not in KNOWN_CROSSINGS
    ]
    assert not wrong, (
        "imports against DESIGN.md's one-way dependencies (labels/qr.py and labels/pdf.py import "
        "no app; assets imports no other app but those two; labels imports assets; inventory "
        "imports assets and labels):\n  " + "\n  ".join(wrong)
    )


@pytest.mark.parametrize("pair", list(KNOWN_CROSSINGS), ids=" → ".join)
def test_every_crossing_exemption_is_still_used(pair):
    used = {(item.importer, item.imported) for item in crossings()}
    assert pair in used, f"{pair} no longer crosses the rules: delete it from KNOWN_CROSSINGS"


def test_the_tag_codec_the_qr_codec_uses_imports_no_project_module():
    graph = import_graph()
    assert not graph["assets.tags"], sorted(graph["assets.tags"])


def test_the_primitives_import_no_app():
    """Also at the level of what a primitive may pull in through config: nothing of an app."""
    graph = import_graph()
    for primitive in PRIMITIVES:
        reached, queue = set(), deque([primitive])
        while queue:
            for child in graph[queue.popleft()]:
                if child not in reached and (primitive, child) not in KNOWN_CROSSINGS:
                    reached.add(child)
                    queue.append(child)
        apps = sorted(m for m in reached if _app(m) in APPS and m not in PRIMITIVES)
        assert not apps, f"{primitive} pulls in {apps}"


# --- cross-cutting helpers exist once ------------------------------------------------------------


def _sources():
    for module, tree in parsed().items():
        if ".migrations." not in f".{module}.":
            yield module, tree


def _calls_named(tree, name: str) -> list[int]:
    """Lines calling `name`: a bare name (`Workbook`) matches any call of it, a dotted one
    (`csv.writer`) only that attribute of that module."""
    owner, _, attr = name.rpartition(".")
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute):
            called, of = func.attr, getattr(func.value, "id", None)
        else:
            called, of = getattr(func, "id", None), None
        if called == attr and (not owner or of == owner):
            lines.append(node.lineno)
    return lines


@pytest.mark.parametrize(
    ("call", "home"),
    [
        ("connection_for_write", "config.tasks"),  # the bounded publish
        ("Workbook", "config.spreadsheets"),  # the spreadsheet writer (XLSX)
        ("csv.writer", "config.spreadsheets"),  # the spreadsheet writer (CSV)
    ],
)
def test_a_cross_cutting_helper_is_written_once(call, home):
    homes = {module for module, tree in _sources() if _calls_named(tree, call)}
    assert homes == {home}, f"{call}() is called in {sorted(homes)}; only {home} may"


def test_the_domain_error_base_is_defined_once_in_config():
    homes = [
        module
        for module, tree in _sources()
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and node.name == "DomainError"
    ]
    assert homes == ["config.errors"]


def test_config_does_not_reach_into_an_app_for_the_error_base():
    graph = import_graph()
    assert "assets.errors" not in graph["config.api"]


def _returns_false(function: ast.FunctionDef) -> bool:
    body = [n for n in function.body if not isinstance(n, ast.Expr)]  # skip a docstring
    return (
        len(body) == 1
        and isinstance(body[0], ast.Return)
        and isinstance(body[0].value, ast.Constant)
        and body[0].value.value is False
    )


def test_the_read_only_admin_base_is_written_once():
    """Admins that never add or change inherit `config.admin.ReadOnlyAdmin`; only the two bases
    of config/admin.py answer a permission with a flat False."""
    flat = [
        f"{module}.{cls.name}.{function.name}"
        for module, tree in _sources()
        for cls in ast.walk(tree)
        if isinstance(cls, ast.ClassDef)
        for function in cls.body
        if isinstance(function, ast.FunctionDef)
        and function.name in ("has_add_permission", "has_change_permission")
        and _returns_false(function)
    ]
    assert sorted(flat) == [
        "config.admin.ReadOnlyAdmin.has_add_permission",
        "config.admin.ReadOnlyAdmin.has_change_permission",
    ]
    deletes = [
        f"{module}.{cls.name}"
        for module, tree in _sources()
        for cls in ast.walk(tree)
        if isinstance(cls, ast.ClassDef)
        for function in cls.body
        if isinstance(function, ast.FunctionDef)
        and function.name == "has_delete_permission"
        and _returns_false(function)
    ]
    assert deletes == ["config.admin.RoleScopedAdmin"]
