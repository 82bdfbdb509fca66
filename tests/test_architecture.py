"""The package's layers import downward only: no import cycle, lazy imports included.

Every ``import`` statement of ``src/cellmotion`` counts, wherever it stands (inside a function
too), so a cycle cannot hide behind a lazy import.
"""

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "src" / "cellmotion"


def _modules() -> dict:
    mods = {}
    for f in PKG.rglob("*.py"):
        parts = [p for p in f.relative_to(PKG.parent).with_suffix("").parts if p != "__init__"]
        mods[".".join(parts)] = f
    return mods


def import_graph() -> dict:
    """``{module: {package modules it imports}}`` from the source, relative imports resolved."""
    mods = _modules()
    graph = {}
    for name, f in mods.items():
        base = name.split(".") if f.name == "__init__.py" else name.split(".")[:-1]
        out = set()
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    mod = ".".join(base[:len(base) - node.level + 1] + ([node.module] if node.module else []))
                else:
                    mod = node.module or ""
                for alias in node.names:
                    for cand in (f"{mod}.{alias.name}", mod):
                        if cand in mods and cand != name and not name.startswith(cand + "."):
                            out.add(cand)
                            break
            elif isinstance(node, ast.Import):
                out |= {a.name for a in node.names if a.name in mods and a.name != name}
        graph[name] = out
    return graph


def find_cycle(graph: dict):
    state, stack = {}, []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                return stack[stack.index(t):] + [t]
            if t not in state and (c := visit(t)):
                return c
        state[m] = 2
        stack.pop()
        return None

    for m in sorted(graph):
        if m not in state and (c := visit(m)):
            return c
    return None


def test_the_package_has_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_a_planted_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert find_cycle(graph) == ["a", "b", "c", "a"]


def test_the_bottom_layer_imports_nothing_from_the_package():
    graph = import_graph()
    assert graph["cellmotion.contract"] == set()
    assert graph["cellmotion.paths"] == set()


def test_readers_know_nothing_of_datasets_or_models():
    graph = import_graph()
    readers = [m for m in graph if m.startswith("cellmotion.io")]
    assert readers
    for m in readers:
        assert graph[m] <= {"cellmotion.contract", "cellmotion.paths"} | set(readers), (m, graph[m])


def test_no_module_sets_the_tensorflow_environment_but_runtime():
    offenders = [str(f.relative_to(PKG)) for f in PKG.rglob("*.py")
                 if "TF_CPP_MIN_LOG_LEVEL" in f.read_text() and f.name != "runtime.py"]
    assert offenders == []


def test_movie_drift_is_a_data_layer_below_the_datasets():
    """drift.py works on the tidy table only (datasets applies it after curation): it imports
    the contract and nothing that knows of models, splits or labels."""
    graph = import_graph()
    assert graph["cellmotion.drift"] <= {"cellmotion.contract"}
    assert "cellmotion.drift" in graph["cellmotion.datasets"]
