"""The package's layers, checked: each folder of `generator/` imports only from folders below
it (or from itself), there is no import cycle, and only the adapter imports mkdocs.

Print the layers and every module's imports with `python -m tests.unit.test_layers`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import generator

PACKAGE = Path(generator.__file__).parent

# Bottom to top. A module at the package's top level (cli, options, engine, …) is the top.
LAYERS = (
    "core",
    "load",
    "gate",
    "derive",
    "build",
    "commands",
    "channels",
    "archive",
    "mkdocs_plugin",
    "",
)

# Upward imports still to cut (module, imported module): each is a known debt; the list only
# shrinks. A new upward import fails the test.
KNOWN: set[tuple[str, str]] = set()

# The engine's packages; `generator.engine` chooses which one is imported (ProperDocs routes
# `mkdocs.*` to itself), so it names them without rendering anything.
ENGINE = {"mkdocs", "properdocs", "material"}
CHOOSER = "generator.engine"
KNOWN_ENGINE_IMPORTERS: set[str] = set()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int:
    parts = module.split(".")
    folder = parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYERS) else ""
    return LAYERS.index(folder)


def imports(path: Path, module: str) -> Iterator[str]:
    """Every module this file imports (absolute names), at any depth of the file."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join([*base, *([node.module] if node.module else [])])
            else:
                name = node.module or ""
            yield name
            yield from (f"{name}.{a.name}" for a in node.names)


def graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {
        m: {i for i in imports(p, m) if i in files and i not in {m, "generator"}}
        for m, p in sorted(files.items())
    }


def external(module: str) -> set[str]:
    path = next(p for p in PACKAGE.rglob("*.py") if module_name(p) == module)
    return {i.split(".")[0] for i in imports(path, module)}


def test_each_module_imports_only_from_its_layer_or_below() -> None:
    upward = {
        (m, i)
        for m, targets in graph().items()
        for i in targets
        if layer_of(i) > layer_of(m) and not i.startswith(m + ".")
    }
    assert upward - KNOWN == set(), "upward imports"
    assert KNOWN - upward == set(), "cut: remove these from KNOWN"


def test_there_is_no_import_cycle() -> None:
    edges = graph()
    # A package imports its submodules only through `from package import sub`: that is not a
    # dependency of the package on its module.
    edges = {m: {i for i in t if not i.startswith(m + ".")} for m, t in edges.items()}
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            raise AssertionError("import cycle: " + " → ".join([*path[path.index(node) :], node]))
        if node in done:
            return
        for target in sorted(edges[node]):
            visit(target, [*path, node])
        done.add(node)

    for module in edges:
        visit(module, [])


def test_only_the_adapter_imports_the_engine() -> None:
    importers = {m for m in graph() if external(m) & ENGINE} - {CHOOSER}
    assert any(m.startswith("generator.mkdocs_plugin") for m in importers)
    outside = {m for m in importers if not m.startswith("generator.mkdocs_plugin")}
    assert outside == KNOWN_ENGINE_IMPORTERS


# The domain decides and derives; how fast the build runs it (the collector paused, a second
# process, the cache) and how a command ends belong to the build and the commands above it.
DOMAIN = ("core", "load", "gate", "derive")
MACHINERY = {"gc", "multiprocessing", "concurrent", "signal", "sqlite3"}
ENDINGS = {("os", "fork"), ("os", "forkpty"), ("os", "_exit"), ("os", "abort"), ("sys", "exit")}


def test_the_domain_neither_collects_nor_forks_nor_exits() -> None:
    domain = [m for m in graph() if layer_of(m) < len(DOMAIN)]
    assert {m: external(m) & MACHINERY for m in domain if external(m) & MACHINERY} == {}
    found = {}
    for module in domain:
        path = next(p for p in PACKAGE.rglob("*.py") if module_name(p) == module)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            called = node.func if isinstance(node, ast.Call) else None
            if isinstance(called, ast.Attribute) and isinstance(called.value, ast.Name):
                if (called.value.id, called.attr) in ENDINGS:
                    found[module] = f"{called.value.id}.{called.attr}"
            elif isinstance(called, ast.Name) and called.id in {"exit", "quit"}:
                found[module] = called.id
    assert found == {}


def summary(module: str) -> str:
    """The first line of a module's docstring."""
    path = next(p for p in PACKAGE.rglob("*.py") if module_name(p) == module)
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return doc.split("\n")[0]


def main(argv: list[str]) -> None:
    """The layers, bottom first, each module with its docstring's first line; with
    `--imports`, with what each module imports instead."""
    edges = graph()
    for depth, folder in enumerate(LAYERS):
        print(f"{depth} {folder or '(top)'}")
        for m in (m for m in edges if layer_of(m) == depth):
            if "--imports" in argv:
                told = ", ".join(sorted(t.removeprefix("generator.") for t in edges[m]))
            else:
                told = summary(m)
            print(f"    {m.removeprefix('generator.'):<28} {told}")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
