"""The package's imports follow DESIGN section 6: arrows one way, no cycles, no private names.

Imports are read with ``ast`` (nothing is imported); an import inside ``if TYPE_CHECKING:``
is for type hints only and does not count. Lazy imports inside functions do count: they run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "servicechain"

#: Modules every part may use: the exception family, progress of long work, text tables, and
#: the HTML tables of rich display. They use nothing of the project but each other.
LEAVES = {"errors", "progress", "text", "display"}
#: What each part of the package may import besides the leaves (DESIGN section 6).
ALLOWED = {
    "errors": set(),
    "progress": set(),
    "text": set(),
    "display": {"text"},
    "model": set(),
    "io": {"model"},
    "samples": {"model", "io"},
    "flow": {"model"},
    "structure": {"model"},
    "survey": {"model", "io"},
    "draw": {"model", "structure", "flow", "io"},
    "export": {"model", "structure", "flow", "draw", "io"},
    "cost": {"model", "structure", "flow"},
    "compare": {"model", "structure", "flow", "io"},
    "report": {
        "model",
        "io",
        "flow",
        "structure",
        "survey",
        "draw",
        "export",
        "cost",
        "compare",
        "chain",
        "samples",
        "servicechain",
    },
    "chain": {
        "model",
        "io",
        "flow",
        "structure",
        "survey",
        "draw",
        "export",
        "cost",
        "compare",
        "samples",
    },
    "cli": {
        "model",
        "io",
        "flow",
        "structure",
        "survey",
        "draw",
        "export",
        "cost",
        "compare",
        "chain",
        "samples",
        "report",
        "servicechain",
    },
    "servicechain": {"chain", "model", "samples", "compare", "cost"},
    "conftest": {"chain", "servicechain"},
    "__main__": {"cli"},
}
#: The model uses nothing of the project but the exception family (and the plain-text helpers,
#: which use nothing at all, for the repr of its summary).
STRICT_LEAVES = {"model": {"errors", "text"}, "errors": set(), "progress": set(), "text": set()}


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts).removesuffix(".__init__")
        out[name] = path
    return out


MODULES = _modules()


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _imports(name: str, path: Path) -> list[tuple[str, str, int]]:
    """``(module imported, name imported, line)`` for every project import that runs."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_lines(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if node.lineno in skip if hasattr(node, "lineno") else False:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target != "servicechain" and not target.startswith("servicechain."):
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in MODULES:
                    out.append((sub, "", node.lineno))
                else:
                    out.append((target, alias.name, node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("servicechain"):
                    out.append((alias.name, "", node.lineno))
    return out


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "servicechain"


EDGES = {name: _imports(name, path) for name, path in MODULES.items()}


def test_every_import_runs_the_way_design_section_6_allows():
    wrong = []
    for name, imports in EDGES.items():
        here = _part(name)
        allowed = STRICT_LEAVES.get(here)
        if allowed is None:
            allowed = ALLOWED.get(here, set()) | LEAVES
        for target, _, line in imports:
            there = _part(target)
            if there != here and there not in allowed:
                wrong.append(
                    f"{MODULES[name].relative_to(PACKAGE.parent)}:{line}: {here} -> {there}"
                )
    assert wrong == []


def test_no_private_name_is_imported_from_another_module():
    wrong = [
        f"{MODULES[name].relative_to(PACKAGE.parent)}:{line}: {target}.{imported}"
        for name, imports in EDGES.items()
        for target, imported, line in imports
        if imported.startswith("_") and not imported.startswith("__") and target != name
    ]
    assert wrong == []


def test_no_module_imports_itself_back():
    graph = {name: {t for t, _, _ in imports if t != name} for name, imports in EDGES.items()}
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*stack[stack.index(nxt) :], nxt]))
            elif nxt in MODULES and not state.get(nxt):
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for name in sorted(MODULES):
        if not state.get(name):
            visit(name, [name])
    assert cycles == []


@pytest.mark.parametrize("bad", ["model -> flow", "flow -> io", "structure -> draw"])
def test_the_rules_refuse_what_design_forbids(bad):
    here, there = bad.split(" -> ")
    allowed = STRICT_LEAVES.get(here, ALLOWED.get(here, set()) | LEAVES)
    assert there not in allowed


def test_the_readme_layout_names_every_part_of_the_package():
    """The README's tree of the package lists every folder and top-level module, and only those."""
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("## How the code is laid out", 1)[1].split("```")[1]
    named = set()
    for line in block.splitlines()[2:]:
        head = line[:25].strip()
        named.update(part.strip() for part in head.split(",") if part.strip())
    parts = {p.name + "/" for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    parts |= {p.name for p in PACKAGE.glob("*.py") if p.name != "conftest.py"}
    assert named == parts
