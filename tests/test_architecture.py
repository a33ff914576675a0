"""The import contract: the layers of docs/architecture.md, read from the code itself.

records and other shared basics → speech → speakers → privacy → rubric (scoring) → store →
review / insights → alerts → pipeline → importing → workers → cluster → demo → cli → dashboards. A module
imports only from its own layer or below; there is no import cycle (imports inside functions count); no module imports
another module's private (_underscored) name. A function-level import is fine for a heavy
optional library (torch, pyannote) or to keep start-up quick, never to reach a higher layer.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = "qa_pipeline"

# Rank of each part of the package; a module may import parts of the same or a lower rank.
# Parts of the same rank other than the base do not import each other.
LAYERS: list[tuple[str, ...]] = [
    ("records", "errors", "textio", "progress", "language", "package_data", "metadata", "transcript_io",
     "model_packs", "checksum"),
    ("speech",),
    ("speakers",),
    ("privacy",),
    ("rubric", "rubrics"),
    ("store",),
    ("review", "insights"),
    ("alerts",),
    ("pipeline", "rescoring"),
    ("importing",),
    ("workers",),
    ("cluster",),
    ("demo",),
    ("cli",),
    ("dashboards",),
]
BASE = 0
RANK = {part: rank for rank, parts in enumerate(LAYERS) for part in parts}


def module_files() -> dict[str, Path]:
    found = {}
    for folder, dotted in ((REPO / PACKAGE, PACKAGE), (REPO / "dashboards", f"{PACKAGE}.dashboards")):
        for f in folder.rglob("*.py"):
            rel = f.relative_to(folder).with_suffix("").parts
            parts = rel[:-1] if rel[-1] == "__init__" else rel
            found[".".join((dotted, *parts))] = f
    return found


MODULES = module_files()


def part_of(module: str) -> str | None:
    """`qa_pipeline.speakers.roles` → `speakers`; the package's own facade has none."""
    rest = module.split(".")[1:]
    return rest[0] if rest else None


def resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def project_imports(module: str, path: Path):
    """(imported project module, imported names, line, inside a function?) for every import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    in_function: set[int] = set()
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            in_function.update(id(n) for n in ast.walk(fn) if n is not fn)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [(a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = resolve(module, node, path.name == "__init__.py")
            targets = []
            for a in node.names:
                sub = f"{base}.{a.name}"
                targets.append((sub, []) if sub in MODULES else (base, [a.name]))
        else:
            continue
        for target, names in targets:
            if target == PACKAGE or target.startswith(PACKAGE + "."):
                while target not in MODULES and "." in target:
                    target = target.rsplit(".", 1)[0]
                yield target, names, node.lineno, id(node) in in_function


def imports_of_every_module():
    return {m: list(project_imports(m, f)) for m, f in MODULES.items()}


IMPORTS = imports_of_every_module()


def test_every_part_of_the_package_has_a_layer():
    parts = {part_of(m) for m in MODULES} - {None}
    assert parts <= set(RANK), f"give these a layer in LAYERS and docs/architecture.md: {sorted(parts - set(RANK))}"


def test_imports_run_one_way():
    wrong = []
    for module, imports in IMPORTS.items():
        mine = part_of(module)
        if mine is None:  # the package facade (qa_pipeline/__init__.py) may name anything, lazily
            continue
        for target, _, line, _ in imports:
            theirs = part_of(target)
            if theirs is None or theirs == mine:
                continue
            if RANK[theirs] > RANK[mine] or (RANK[theirs] == RANK[mine] != BASE):
                wrong.append(f"{MODULES[module].relative_to(REPO)}:{line}: {mine} (layer {RANK[mine]}) imports "
                             f"{target} (layer {RANK[theirs]})")
    assert not wrong, "imports against the layer order (move the shared part down):\n" + "\n".join(wrong)


def test_no_import_cycles():
    graph = {m: {t for t, _, _, _ in imports if t != m and not m.startswith(t + ".")}
             for m, imports in IMPORTS.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
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
                cycles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert not cycles, f"import cycles: {cycles}"


def test_no_module_imports_another_modules_private_names():
    private = [f"{MODULES[m].relative_to(REPO)}:{line}: {target}.{name}"
               for m, imports in IMPORTS.items() for target, names, line, _ in imports
               for name in names if name.startswith("_") and not name.startswith("__") and target != m]
    assert not private, "private names imported from other modules (make them public where they belong):\n" + \
        "\n".join(private)


@pytest.mark.parametrize("checked", ["tests", "bench"])
def test_tests_and_bench_use_public_names(checked):
    """Tests and benchmarks measure the production path through public names too."""
    found = []
    for f in (REPO / checked).rglob("*.py"):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PACKAGE):
                found += [f"{f.relative_to(REPO)}:{node.lineno}: {node.module}.{a.name}" for a in node.names
                          if a.name.startswith("_") and not a.name.startswith("__")]
    assert not found, "\n".join(found)
