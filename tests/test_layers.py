"""The package layout: imports go only downward (the layers in pyproject.toml), with no cycles, and every
package says what it is and what it offers."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "voicecoach"


def test_imports_only_go_down_the_layers():
    from importlinter.cli import lint_imports

    # The contract lives in pyproject.toml ([tool.importlinter]); a broken one prints which import broke it.
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


def _cycles(graph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), i.e. import cycles."""
    adj = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in adj[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for m in sorted(adj):
        if m not in index:
            visit(m)
    return found


def test_no_import_cycles():
    import grimp

    assert _cycles(grimp.build_graph("voicecoach")) == []


@pytest.mark.parametrize("init", sorted(p.relative_to(ROOT).as_posix() for p in PACKAGE.rglob("__init__.py")))
def test_every_package_says_what_it_is_and_offers(init):
    tree = ast.parse((ROOT / init).read_text())
    doc = ast.get_docstring(tree)
    assert doc and len(doc.split()) >= 8, f"{init} needs a docstring that says what the package is"
    names = next((n.value for n in tree.body if isinstance(n, ast.Assign)
                  and any(isinstance(t, ast.Name) and t.id == "__all__" for t in n.targets)), None)
    assert isinstance(names, ast.List) and names.elts, f"{init} needs __all__"
    module = importlib.import_module(init.removesuffix("/__init__.py").replace("/", "."))
    for name in ast.literal_eval(names):
        # Either a name defined there or one of its modules.
        assert hasattr(module, name) or (ROOT / init).with_name(f"{name}.py").exists(), f"{init}: {name}"


def test_lines_are_short_and_statements_not_stacked():
    """No line past 120 characters, no two statements on one line, no unused import or name (ruff's E501,
    E701-E703 and F rules, run as a module so the venv's own ruff is used)."""
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated", "--select", "E501,E701,E702,E703,F,E9",
                        "--line-length", "120", "voicecoach", "scripts", "tests"], cwd=ROOT, capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-1000:]
