"""The shape of the code (docs/architecture.md): packages import each other in one direction only, never
another package's private names, and every URL is served by the package it names."""

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from forum_crm import BLUEPRINT_PACKAGES

PACKAGE_ROOT = Path(__file__).resolve().parent.parent / "forum_crm"


def _unit(module: str) -> str:
    """The package (or top-level module) a module belongs to: forum_crm.people.queries -> people.

    A package's views (routes.py and *_routes.py) are a unit of their own, the top layer: they may use any
    package's services and queries, and nothing but create_app imports them.
    """
    parts = module.split(".")
    unit = parts[1] if len(parts) > 1 else parts[0]
    return f"{unit}.routes" if len(parts) > 2 and parts[2].endswith("routes") else unit


def _imports() -> list[tuple[str, str, str, int]]:
    """(importing module, imported module, imported name or "", line) for every import of forum_crm code."""
    found = []
    for path in PACKAGE_ROOT.rglob("*.py"):
        module = ".".join(path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("forum_crm"):
                found += [(module, node.module, alias.name, node.lineno) for alias in node.names]
            elif isinstance(node, ast.Import):
                found += [(module, alias.name, "", node.lineno) for alias in node.names
                          if alias.name.startswith("forum_crm")]
    return found


def _package_graph() -> dict[str, set[str]]:
    graph = defaultdict(set)
    for importer, imported, name, _line in _imports():
        target = f"{imported}.{name}" if imported == "forum_crm" and name else imported
        if _unit(target) != _unit(importer) and target != "forum_crm":
            graph[_unit(importer)].add(_unit(target))
    return graph


def test_no_import_cycles_between_packages():
    graph = _package_graph()
    cycles = []

    def visit(node, path):
        for nxt in sorted(graph.get(node, ())):
            if nxt in path:
                cycles.append(" -> ".join([*path[path.index(nxt):], nxt]))
            elif nxt not in done:
                visit(nxt, [*path, nxt])
        done.add(node)

    done: set[str] = set()
    for start in sorted(graph):
        if start not in done:
            visit(start, [start])
    assert not cycles, "import cycles between packages:\n" + "\n".join(sorted(set(cycles)))


def test_nothing_imports_views_but_the_app_factory():
    views = [f"{importer}:{line} imports {imported}" for importer, imported, name, line in _imports()
             if _unit(imported).endswith(".routes") and _unit(importer) != _unit(imported)
             and importer != "forum_crm"]
    assert not views, "\n".join(views)


def test_no_package_imports_private_names_of_another():
    private = [f"{importer}:{line} imports {imported}.{name}" for importer, imported, name, line in _imports()
               if name.startswith("_") and _unit(imported) != _unit(importer)]
    assert not private, "\n".join(private)


def test_models_and_shared_modules_import_no_blueprint_package():
    """The lower layers (models, text, forms, changelog...) never reach up into a package with pages."""
    blueprints = set(BLUEPRINT_PACKAGES) | {f"{package}.routes" for package in BLUEPRINT_PACKAGES}
    lower = {"models", "text", "forms", "changelog", "listing", "spreadsheets", "validators", "labels", "pagination",
             "consents", "calendars", "extensions", "config", "i18n", "search", "compression"}
    upward = [f"{unit} -> {target}" for unit, targets in _package_graph().items() if unit in lower
              for target in targets if target in blueprints]
    assert not upward, upward


@pytest.mark.parametrize("package", BLUEPRINT_PACKAGES)
def test_each_url_is_served_by_the_package_it_names(app, package):
    """/people/... is answered by forum_crm/people, /me/... by forum_crm/me (auth and home: see the docs)."""
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.split(".")[0] == package]
    assert rules
    first_segments = {rule.rule.split("/")[1] for rule in rules}
    expected = {"home": {""}, "auth": {"login", "logout", "password", "invitation", "language"},
                "mapping": {"map"}}.get(package, {package})
    assert first_segments == expected


MAX_MODULE_LINES = 400


def test_no_module_is_over_400_lines():
    """One topic per module: a module that grows past this is split (see docs/architecture.md)."""
    long = [f"{path.relative_to(PACKAGE_ROOT.parent)}: {lines}" for path in sorted(PACKAGE_ROOT.rglob("*.py"))
            if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES]
    assert not long, long
