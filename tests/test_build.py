"""The build runner: re-executes only what changed, and stops clearly on a failing cell.

These tests run the runner on a tiny throw-away project (CELLMOTION_ROOT) with two
one-cell chapters, so they take seconds.
"""

import json

import pytest

from cellmotion import build
from conftest import tiny_book

CHAPTER = '''# %% [markdown]
# # {title}

# %% tags=["parameters"]
dataset = "synthetic"
profile = "full"
seed = 0
artifacts = "artifacts/x"

# %%
from pathlib import Path
import os
art = Path(os.environ["CELLMOTION_ROOT"]) / artifacts
{body}
'''


@pytest.fixture
def project(tmp_path, monkeypatch):
    return tiny_book(tmp_path, {
        "a": CHAPTER.format(title="A", body='(art / "a.json").write_text("1")'),
        "b": CHAPTER.format(title="B", body='(art / "b.json").write_text((art / "a.json").read_text() + "2")')},
        monkeypatch)


def _run(**kw):
    return build.run(profile="smoke", dataset="data.csv", artifacts="artifacts/x", html=False, **kw)


def test_unchanged_rebuild_executes_nothing_and_edits_rerun_downstream(project):
    first = _run()
    assert set(first["executed"]) == {"a", "b"}
    assert (project / "artifacts/x/b.json").read_text() == "12"
    assert _run()["executed"] == {}
    # editing chapter b re-runs b only
    (project / "book/b.py").write_text((project / "book/b.py").read_text() + "\n# edit\n")
    assert set(_run()["executed"]) == {"b"}
    # editing chapter a re-runs a and b, which reads a's artifact
    (project / "book/a.py").write_text((project / "book/a.py").read_text() + "\n# edit\n")
    assert set(_run()["executed"]) == {"a", "b"}
    # editing the package re-runs every chapter
    (project / "src/cellmotion/mod.py").write_text("X = 2\n")
    assert set(_run()["executed"]) == {"a", "b"}
    # so does other input data
    (project / "data.csv").write_text((project / "data.csv").read_text().replace(",0\n", ",1\n", 1))
    assert set(_run()["executed"]) == {"a", "b"}
    # and force re-runs all
    assert set(_run(force=True)["executed"]) == {"a", "b"}


def test_failing_cell_stops_with_chapter_and_cell_and_keeps_partial_notebook(project):
    (project / "book" / "a.py").write_text(CHAPTER.format(
        title="A", body='raise ValueError("the cells are gone")'))
    with pytest.raises(build.ChapterFailed, match=r"chapter 'a' failed in cell \d+ \(ValueError: the cells are gone\)"):
        _run()
    partial = project / "artifacts/x/notebooks/a.partial.ipynb"
    assert partial.exists()
    assert not (project / "artifacts/x/notebooks/a.ipynb").exists()
    assert not (project / "artifacts/x/b.json").exists()  # later chapters did not run
    state = json.loads((project / "artifacts/x/build-state.json").read_text()) \
        if (project / "artifacts/x/build-state.json").exists() else {}
    assert "a" not in state


def test_interrupted_build_resumes_at_the_failed_chapter(project):
    (project / "book" / "b.py").write_text(CHAPTER.format(title="B", body='raise KeyboardInterrupt'))
    with pytest.raises(build.ChapterFailed):
        _run()
    (project / "book" / "b.py").write_text(CHAPTER.format(title="B", body='(art / "b.json").write_text("ok")'))
    resumed = _run()
    assert set(resumed["executed"]) == {"b"}  # a was complete and is not repeated


def test_refused_dataset_writes_nothing(project):
    (project / "data.csv").write_text("track_id,condition,t,x,y\nA0,A,0,0,0\nA0,A,5,1,1\n")
    with pytest.raises(build.DataError):
        _run()
    assert not (project / "artifacts").exists()
