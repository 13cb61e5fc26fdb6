"""Dependencies point one way: collectors and storage never import monitor; no import cycles.

Every module's imports are read with `ast` (imports inside functions and TYPE_CHECKING
blocks count too, and so do `importlib.import_module("…")` calls with a literal name).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

PACKAGES = ("monitor", "collectors", "storage")
BOTTOM_PACKAGES = ("collectors", "storage")  # below monitor: they may not import it


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    is_package: bool


@dataclass(frozen=True)
class Import:
    target: str  # the module imported (or the nearest known module of a `from` import)
    line: int


def modules(root: Path = REPO_ROOT) -> dict[str, Module]:
    """Every module of the three packages by dotted name."""
    found: dict[str, Module] = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts.pop()
            found[".".join(parts)] = Module(".".join(parts), path, is_package)
    return found


def _literal_import_names(node: ast.Call) -> Iterator[str]:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name in ("import_module", "__import__") and node.args:
        first = node.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            yield first.value


def imports_of(module: Module, known: dict[str, Module]) -> list[Import]:
    """Every import anywhere in `module` (absolute name; `from a import b` is `a.b` if a module)."""
    tree = ast.parse(module.path.read_text(encoding="utf-8"), str(module.path))
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [Import(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.name.split(".")
                if not module.is_package:
                    package.pop()
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, base] if base else package)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.append(Import(candidate if candidate in known else base, node.lineno))
        elif isinstance(node, ast.Call):
            found += [Import(name, node.lineno) for name in _literal_import_names(node)]
    return found


def upward_imports(known: dict[str, Module]) -> list[str]:
    """`path:line imports name` for each import of monitor from collectors/ or storage/."""
    bad: list[str] = []
    for module in known.values():
        if module.name.split(".")[0] not in BOTTOM_PACKAGES:
            continue
        for imported in imports_of(module, known):
            if imported.target == "monitor" or imported.target.startswith("monitor."):
                where = module.path.relative_to(REPO_ROOT)
                bad.append(f"{where}:{imported.line} imports {imported.target}")
    return list(dict.fromkeys(bad))


def import_graph(known: dict[str, Module]) -> dict[str, set[str]]:
    """Module -> the modules of the three packages it imports (itself excluded)."""
    return {
        name: {i.target for i in imports_of(module, known) if i.target in known} - {name}
        for name, module in known.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as `[a, b, …, a]`, or None (depth-first search, colours)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            cycle = visit(start)
            if cycle:
                return cycle
    return None


def test_collectors_and_storage_never_import_monitor() -> None:
    bad = upward_imports(modules())
    assert not bad, "collectors/ and storage/ may not import monitor:\n" + "\n".join(bad)


def test_no_import_cycle_between_modules() -> None:
    cycle = find_cycle(import_graph(modules()))
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def _write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _tree(tmp_path: Path, files: dict[str, str]) -> dict[str, Module]:
    base = {f"{package}/__init__.py": '"""x."""\n' for package in PACKAGES}
    _write(tmp_path, base | files)
    return modules(tmp_path)


@pytest.mark.parametrize(
    "source",
    [
        "from monitor.config import PolmonConfig\n",
        "import monitor.config\n",
        "def f():\n    from monitor import shutdown\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from monitor.config import X\n",
        "import importlib\nimportlib.import_module('monitor.pipeline')\n",
    ],
)
def test_an_upward_import_is_found_wherever_it_hides(tmp_path: Path, source: str) -> None:
    known = _tree(tmp_path, {"collectors/sub/mod.py": source, "monitor/config.py": ""})
    imports = [i.target for i in imports_of(known["collectors.sub.mod"], known)]
    assert any(t == "monitor" or t.startswith("monitor.") for t in imports), imports


def test_a_cycle_is_found_and_named(tmp_path: Path) -> None:
    known = _tree(
        tmp_path,
        {
            "storage/a.py": "from storage.b import x\n",
            "storage/b.py": "def f():\n    from storage import c\n",
            "storage/c.py": "import storage.a\n",
            "storage/d.py": "import storage.a\n",
        },
    )
    assert find_cycle(import_graph(known)) == ["storage.a", "storage.b", "storage.c", "storage.a"]
    known = _tree(tmp_path, {"storage/c.py": "import json\n"})
    assert find_cycle(import_graph(known)) is None
