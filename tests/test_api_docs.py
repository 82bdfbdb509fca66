"""Every ``cellmotion`` callable a chapter calls has a numpydoc ``Parameters``/``Returns`` docstring.

The chapters (``book/*.py``, Jupytext py:percent) are parsed with :mod:`ast`, never executed.
A chapter uses a callable when it

- imports it by name: ``from cellmotion.x import f`` (``from cellmotion import figures`` imports
  a module instead, see below), or
- reaches it through a cellmotion module bound to a name: ``import cellmotion.x as m``,
  ``from cellmotion import figures`` or ``from cellmotion.findings import classification as
  findings``, then ``m.f`` / ``figures.f(...)`` / ``findings.f(...)`` anywhere in the chapter
  (called or passed on; a chain through a sub-package such as ``m.sub.f`` is followed).

Each name is resolved by importing the module and taking the attribute, so re-exports
(``cellmotion.io.load_trackmate_csv``, ``cellmotion.superstats.fit_tracks``) are checked
where they are defined, and the report names that place: ``module.qualname``.

Checked: plain functions (decorators unwrapped) and classes. Skipped: anything else a
chapter imports from cellmotion (constants, dicts, tuples of names, module objects), and
methods called on instances (``scaler.transform(...)``), which static parsing cannot tie to a
class without running the chapter.

The rules, with numpydoc's section headers (a title underlined with dashes):

- a function that takes a parameter needs ``Parameters``; a class needs ``Parameters`` on
  its class docstring (or its ``__init__``) when its constructor takes one, and a dataclass or
  NamedTuple may list its fields under ``Attributes`` instead;
- a function that returns something needs ``Returns`` (a generator: ``Yields``). "Returns
  something" is read from the source: a ``return`` with a value other than ``None`` or a
  ``yield`` in the function's own body, unless it is annotated ``-> None``. Classes need none.
"""

import ast
import dataclasses
import importlib
import inspect
import re
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"

_SECTION = re.compile(r"^[ \t]*([A-Z][A-Za-z ]*?)[ \t]*\n[ \t]*-{3,}[ \t]*$", re.MULTILINE)


def sections(doc) -> set:
    """Titles of the numpydoc sections (``Title`` over a line of dashes) in ``doc``."""
    return set(_SECTION.findall(inspect.cleandoc(doc or "")))


def _is_module(name: str) -> bool:
    try:
        return inspect.ismodule(importlib.import_module(name))
    except ImportError:
        return False


def chapter_uses(source: str) -> set:
    """``{(module, attribute path)}`` of the cellmotion names one chapter's source uses.

    ``attribute path`` is a dotted path inside ``module`` (``"f"`` or ``"sub.f"``).
    """
    tree = ast.parse(source)
    aliases = {}  # local name -> cellmotion module it is bound to
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "cellmotion":
                    if a.asname:
                        aliases[a.asname] = a.name
                    else:  # `import cellmotion.x` binds `cellmotion`
                        aliases["cellmotion"] = "cellmotion"
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                and node.module.split(".")[0] == "cellmotion":
            for a in node.names:
                local = a.asname or a.name
                if _is_module(f"{node.module}.{a.name}"):
                    aliases[local] = f"{node.module}.{a.name}"
                else:
                    used.add((node.module, a.name))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        chain = []
        cur = node
        while isinstance(cur, ast.Attribute):
            chain.append(cur.attr)
            cur = cur.value
        if isinstance(cur, ast.Name) and cur.id in aliases:
            used.add((aliases[cur.id], ".".join(reversed(chain))))
    return used


def resolve(module: str, path: str):
    """The object ``module.path`` names, walking through sub-modules; None when it has none."""
    obj = importlib.import_module(module)
    for part in path.split("."):
        if not inspect.ismodule(obj):  # an attribute of a function or class: not ours to check
            return None
        if not hasattr(obj, part):
            sub = f"{obj.__name__}.{part}"
            obj = importlib.import_module(sub) if _is_module(sub) else None
        else:
            obj = getattr(obj, part)
        if obj is None:
            return None
    return obj


def _own_nodes(fn):
    """The AST nodes of a function's body, not descending into nested functions or classes."""
    stack = list(fn.body)
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        stack.extend(ast.iter_child_nodes(node))


def returns_value(func) -> str | None:
    """``"Returns"`` or ``"Yields"`` when ``func`` gives something back, else None."""
    if inspect.signature(func).return_annotation in (None, "None"):
        return None
    try:
        src = textwrap.dedent(inspect.getsource(func))
    except (OSError, TypeError):
        return "Returns"
    fn = next(n for n in ast.walk(ast.parse(src))
              if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))
    nodes = list(_own_nodes(fn))
    if any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in nodes):
        return "Yields"
    for n in nodes:
        if isinstance(n, ast.Return) and n.value is not None \
                and not (isinstance(n.value, ast.Constant) and n.value.value is None):
            return "Returns"
    return None


def _takes_parameters(func, skip_first: bool = False) -> bool:
    params = list(inspect.signature(func).parameters)
    return bool(params[1:] if skip_first else params)


def problems(obj) -> list:
    """The missing sections of ``obj``'s docstring, e.g. ``["missing Parameters"]``."""
    out = []
    if inspect.isclass(obj):
        have = sections(obj.__doc__)
        init = obj.__dict__.get("__init__")
        if init is not None and inspect.isfunction(init):
            have |= sections(init.__doc__)
        is_record = dataclasses.is_dataclass(obj) or (issubclass(obj, tuple) and hasattr(obj, "_fields"))
        try:
            takes = bool(inspect.signature(obj).parameters)
        except (TypeError, ValueError):
            takes = False
        if takes and "Parameters" not in have and not (is_record and "Attributes" in have):
            out.append("missing Parameters")
        return out
    have = sections(obj.__doc__)
    if _takes_parameters(obj) and "Parameters" not in have:
        out.append("missing Parameters")
    need = returns_value(obj)
    if need and need not in have and "Returns" not in have:
        out.append(f"missing {need}")
    return out


def chapter_callables() -> dict:
    """``{"module.qualname": object}`` of every checked cellmotion callable the chapters use."""
    found = {}
    for chapter in sorted(BOOK.glob("*.py")):
        for module, path in chapter_uses(chapter.read_text()):
            obj = resolve(module, path)
            if callable(obj) and not inspect.isclass(obj):
                obj = inspect.unwrap(obj)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue  # constants, dicts, modules, callable instances
            if (obj.__module__ or "").split(".")[0] != "cellmotion":
                continue  # e.g. a numpy function a module happens to import
            found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return found


def test_sections_parser():
    doc = """One line.

        Parameters
        ----------
        x : int
            A number.

        Returns
        -------
        int
        """
    assert sections(doc) == {"Parameters", "Returns"}
    assert sections("Returns the table.\n\nParameters: none") == set()


def test_chapter_uses_follows_module_aliases():
    src = ("from cellmotion import figures\nfrom cellmotion.findings import classification as f\n"
           "import cellmotion.superstats as ss\nfrom cellmotion.paths import write_json\n"
           "figures.setup_style()\nf.headline(1)\nss.fit_tracks\n")
    assert chapter_uses(src) == {("cellmotion.figures", "setup_style"),
                                 ("cellmotion.findings.classification", "headline"),
                                 ("cellmotion.superstats", "fit_tracks"),
                                 ("cellmotion.paths", "write_json")}


def test_problems_finds_missing_sections():
    def bare(x):
        """Prose only."""
        return x

    def done(x):
        """Documented.

        Parameters
        ----------
        x : int
            Anything.

        Returns
        -------
        int
            ``x``.
        """
        return x

    def quiet() -> None:
        """Nothing back."""

    assert problems(bare) == ["missing Parameters", "missing Returns"]
    assert problems(done) == [] and problems(quiet) == []


def test_chapter_api_has_numpydoc_sections():
    found = chapter_callables()
    assert len(found) > 50, f"the chapter scan found only {len(found)} callables"
    offenders = [f"{name}: {p}" for name, obj in sorted(found.items()) for p in problems(obj)]
    assert not offenders, (f"{len(offenders)} numpydoc sections missing on the chapters' API "
                           f"({len(found)} callables checked):\n" + "\n".join(offenders))


if __name__ == "__main__":  # list what is checked: python tests/test_api_docs.py
    for name, obj in sorted(chapter_callables().items()):
        print(name, problems(obj) or "ok")
    pytest.main([__file__, "-q"])
