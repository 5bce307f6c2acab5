"""The shape of the source tree: no import cycles, no SQL outside the store, a test file per module.

These read the source with :mod:`ast`; nothing is imported.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("catalogue", "indexer")
# test files named before the mirror rule, kept under their names
ALIASES = {
    "catalogue/search/searcher.py": "test_search.py",
    "catalogue/search/segments.py": "test_snapshot.py",
    "catalogue/recommend/recommender.py": "test_recommend.py",
    # the recommender's stages are unit-tested in test_recommend.py, beside the end-to-end cases
    "catalogue/recommend/ranking.py": "test_recommend.py",
    "catalogue/recommend/hs.py": "test_recommend.py",
    "catalogue/recommend/products.py": "test_recommend.py",
    "catalogue/recommend/textindex.py": "test_recommend.py",
    "indexer/sources/labels.py": "test_page.py",
    "indexer/sources/markup.py": "test_page.py",
    "catalogue/seed.py": "test_bundle.py",  # the seed loads what the bundle built; one file tests both
    "catalogue/web/worklist.py": "test_admin.py",  # the worklist is part of the admin, behind its login
    "catalogue/web/admin_import.py": "test_admin.py",  # the admin's import pages, behind its login
    "catalogue/web/admin_form.py": "test_admin.py",  # the admin's record form, tested through its pages
}
WHOLE_PACKAGE = {"bundle": "test_bundle.py"}  # packages whose modules share one test file (the developers' builder)
PREFIXED = ("store", "sources")  # packages whose modules' tests carry the package name
SQL_CALLS = {"execute", "executemany", "executescript"}
SQL_TEXT = re.compile(
    r"\b(SELECT\b[^;]*\bFROM\b|INSERT\s+INTO\b|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b|"
    r"CREATE\s+(TABLE|INDEX|TRIGGER)\b|DROP\s+TABLE\b|PRAGMA\s+\w+)"
)


def modules() -> dict[str, Path]:
    """``{dotted name: path}`` of every module of the two packages (package ``__init__`` included)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if "data" in rel.parts:
                continue
            parts = list(rel.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(path: Path, name: str, known: set[str]) -> set[str]:
    """Internal modules ``path`` imports at run time, at any depth (functions included).

    Imports under ``if TYPE_CHECKING:`` are for annotations only and never run.
    """
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    targets: set[str] = set()

    def resolve(dotted: str) -> str | None:
        while dotted and dotted not in known:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                if (target := resolve(alias.name)) is not None:
                    targets.add(target)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                target = resolve(f"{base}.{alias.name}") if f"{base}.{alias.name}" in known else resolve(base)
                if target is not None:
                    targets.add(target)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    targets.discard(name)
    return targets


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component with more than one module (Tarjan), each as a closed path."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def strongconnect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(_path(graph, set(component)))

    for v in sorted(graph):
        if v not in index:
            strongconnect(v)
    return found


def _path(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    """One cycle through a component, for the message: a → b → … → a."""
    start = min(component)
    path, seen = [start], {start}
    while True:
        nxt = sorted(w for w in graph[path[-1]] if w in component)
        back = [w for w in nxt if w == start]
        if back and len(path) > 1:
            return [*path, start]
        fresh = [w for w in nxt if w not in seen]
        if not fresh:
            return [*path, nxt[0]]
        path.append(fresh[0])
        seen.add(fresh[0])


def import_graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(path, name, set(known)) for name, path in known.items()}


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_imports_inside_functions_count(tmp_path: Path) -> None:
    src = tmp_path / "m.py"
    src.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import catalogue.web.app\n"
        "def f():\n    from catalogue.web import pages\n    import catalogue.errors\n"
    )
    known = {"catalogue.web.app", "catalogue.web.pages", "catalogue.web", "catalogue.errors", "catalogue"}
    assert imports(src, "catalogue.m", known) == {"catalogue.web.pages", "catalogue.errors"}


def test_there_are_no_import_cycles() -> None:
    found = cycles(import_graph())
    assert found == [], "import cycles:\n" + "\n".join(" → ".join(c) for c in found)


def test_the_web_package_imports_one_way() -> None:
    graph = import_graph()
    for endpoint in ("catalogue.web.pages", "catalogue.web.api", "catalogue.web.admin"):
        assert "catalogue.web.app" not in graph[endpoint], endpoint
        assert "catalogue.web.http" in graph[endpoint], endpoint


def sql_in(source: str) -> list[str]:
    """Where ``source`` runs or spells SQL: ``.execute(...)`` calls and SQL statement text."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SQL_CALLS:
            found.append(f"line {node.lineno}: .{node.func.attr}(")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_TEXT.search(node.value):
            found.append(f"line {node.lineno}: {SQL_TEXT.search(node.value).group(0)!r}")
    return found


def test_the_sql_finder_finds_sql() -> None:
    assert sql_in("conn.execute('SELECT 1')")
    assert sql_in("q = f'SELECT * FROM {t} WHERE x = ?'")
    assert sql_in("s = 'INSERT INTO audit_log(at) VALUES (?)'")
    assert sql_in("s = 'UPDATE users SET disabled = 1'")
    assert not sql_in("'''SQLite triggers refuse UPDATE and DELETE; select the text.'''")


def test_there_is_no_sql_outside_the_store_package() -> None:
    offenders = {}
    for name, path in modules().items():
        if name.startswith("catalogue.store"):
            continue
        found = sql_in(path.read_text(encoding="utf-8"))
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}


def expected_test(path: Path) -> str:
    rel = path.relative_to(ROOT)
    package = rel.parts[-2]
    if package in WHOLE_PACKAGE:
        return WHOLE_PACKAGE[package]
    return f"test_{package}_{rel.stem}.py" if package in PREFIXED else f"test_{rel.stem}.py"


def test_every_module_has_its_test_file() -> None:
    missing = []
    for path in modules().values():
        rel = str(path.relative_to(ROOT))
        if path.name == "__init__.py":
            continue
        wanted = {expected_test(path), ALIASES.get(rel, "")}
        if not any(name and (ROOT / "tests" / name).is_file() for name in wanted):
            missing.append(f"{rel} → tests/{expected_test(path)}")
    assert missing == []
