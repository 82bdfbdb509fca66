"""The build runner: re-executes only what changed, and stops clearly on a failing cell.

These tests run the runner on a tiny throw-away project (CELLMOTION_ROOT) with two
one-cell chapters, so they take seconds.
"""

import json
import os

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


def test_a_repository_file_a_chapter_reads_reruns_it_when_it_changes(project, monkeypatch):
    """A committed record a chapter reads (e.g. benchmarks/selection.json for the real-cell
    chapter) is part of its fingerprint: changing it re-executes that chapter only."""
    (project / "record.json").write_text('{"design": "ours"}')
    monkeypatch.setattr(build, "READS_FILES", {"b": ("record*.json",)})
    assert set(_run()["executed"]) == {"a", "b"}
    assert _run()["executed"] == {}
    (project / "record.json").write_text('{"design": "report-best"}')
    assert set(_run()["executed"]) == {"b"}
    (project / "record-2.json").write_text("{}")  # a new file the pattern matches
    assert set(_run()["executed"]) == {"b"}
    assert _run()["executed"] == {}


def test_a_build_on_a_cluster_is_not_taken_for_the_local_one(project, monkeypatch):
    """On a Dask cluster the chapters lift their caps (cellmotion.budget.cap): a book built
    locally must not be skipped as up to date when the build is pointed at a cluster, nor the
    other way round."""
    from cellmotion import cluster

    assert set(_run()["executed"]) == {"a", "b"}
    assert _run()["executed"] == {}
    with monkeypatch.context() as m:
        m.setattr(cluster, "scheduler_address", lambda address=None: "tcp://127.0.0.1:1")
        m.setattr(cluster, "client", lambda *a, **k: None)  # no scheduler is contacted
        assert set(_run()["executed"]) == {"a", "b"}
        assert _run()["executed"] == {}
    assert set(_run()["executed"]) == {"a", "b"}


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


# Chapters that read nothing of each other run side by side; one that reads them waits.
TIMED = '''
import time
(art / "{stem}.start").write_text(repr(time.time()))
time.sleep({sleep})
{extra}
(art / "{stem}.end").write_text(repr(time.time()))
'''


def _timed(stem, sleep=3, extra=""):
    return CHAPTER.format(title=stem.upper(), body=TIMED.format(stem=stem, sleep=sleep, extra=extra))


@pytest.fixture
def three(tmp_path, monkeypatch):
    """Chapters ``a`` and ``b`` read nothing of each other; ``c`` (not declared) reads both."""
    root = tiny_book(tmp_path, {"a": _timed("a"), "b": _timed("b"), "c": _timed("c", sleep=0)},
                     monkeypatch)
    monkeypatch.setattr(build, "READS", {"a": (), "b": ()})
    return root


def _span(root, stem):
    art = root / "artifacts/x"
    return float((art / f"{stem}.start").read_text()), float((art / f"{stem}.end").read_text())


def test_independent_chapters_run_at_the_same_time_and_their_reader_after_both(three):
    report = _run(jobs=2)
    assert set(report["executed"]) == {"a", "b", "c"}
    (a0, a1), (b0, b1), (c0, _) = (_span(three, s) for s in "abc")
    assert a0 < b1 and b0 < a1, "a and b did not overlap in time"
    assert c0 >= max(a1, b1), "c started before the chapters it reads had finished"
    # one after another with jobs=1: no overlap
    _run(jobs=1, force=True)
    (a0, a1), (b0, b1) = _span(three, "a"), _span(three, "b")
    assert a1 <= b0 or b1 <= a0


def test_editing_a_chapter_reruns_its_readers_only(three):
    _run(jobs=2)
    (three / "book/a.py").write_text((three / "book/a.py").read_text() + "\n# edit\n")
    assert set(_run(jobs=2)["executed"]) == {"a", "c"}  # b does not read a


def test_a_failing_chapter_lets_its_neighbour_finish_and_stops_its_reader(three):
    (three / "book/a.py").write_text(_timed("a", sleep=0, extra='raise ValueError("no cells")'))
    with pytest.raises(build.ChapterFailed, match=r"chapter 'a' failed .*no cells"):
        _run(jobs=2)
    art = three / "artifacts/x"
    assert (art / "b.end").exists() and (art / "notebooks/b.ipynb").exists()  # b finished
    assert not (art / "c.start").exists()  # c reads a: it never started
    state = json.loads((art / "build-state.json").read_text())
    assert "b" in state and "a" not in state and "c" not in state


def test_the_longest_chain_follows_the_slowest_readers():
    needs = {"data": (), "gen": (), "stats": ("gen",), "cls": (), "intro": ("data", "gen", "stats", "cls")}
    stems = list(needs)
    cost = {"data": 50, "gen": 500, "stats": 700, "cls": 1000, "intro": 2}
    assert build.longest_chain(stems, needs, cost) == ["gen", "stats", "intro"]  # 1202 s > 1002 s
    assert build.longest_chain(stems, needs, {**cost, "cls": 1300}) == ["cls", "intro"]
    assert build.longest_chain(stems, needs, {}) == ["gen", "stats", "intro"]  # unknown: 1 s each


def test_a_first_build_orders_its_chapters_by_the_benchmark_record(tmp_path):
    (tmp_path / "benchmarks").mkdir()
    rows = [{"what": "chapter gen (full)", "seconds": 500.0}, {"what": "chapter gen (smoke)", "seconds": 9.0},
            {"what": "chapter stats (full)", "seconds": 700.0}, {"what": "whole book (full)", "seconds": 1.0}]
    (tmp_path / "benchmarks/latest.json").write_text(json.dumps({"rows": rows}))
    assert build.recorded_times(tmp_path, "full") == {"gen": 500.0, "stats": 700.0}
    assert build.recorded_times(tmp_path, "smoke") == {"gen": 9.0}
    assert build.recorded_times(tmp_path / "none", "full") == {}
    rows[0]["cpu_seconds"] = 800.0  # the record's CPU time is the chapter's work: it wins
    (tmp_path / "benchmarks/latest.json").write_text(json.dumps({"rows": rows}))
    assert build.recorded_times(tmp_path, "full") == {"gen": 800.0, "stats": 700.0}


def test_the_chain_follows_the_last_builds_work_not_its_slowed_wall_times(tmp_path):
    """A chapter run at lower priority beside the chain takes long on the clock; its CPU time
    says what it costs, so the next build does not mistake it for the longest chain."""
    walls = {"gen": 300.0, "stats": 500.0, "cells": 1300.0}  # the last build's build-timings.json
    needs = {"gen": (), "stats": ("gen",), "cells": ()}
    by_wall = build.chapter_costs(tmp_path, "full", walls=walls)
    assert build.longest_chain(list(needs), needs, by_wall) == ["cells"]
    cpu = {"gen": 340.0, "stats": 750.0, "cells": 760.0}  # its build-cpu.json
    by_work = build.chapter_costs(tmp_path, "full", estimates={"gen": 10.0}, walls=walls, cpu=cpu)
    assert by_work == {"gen": 340.0, "stats": 750.0, "cells": 760.0}
    assert build.longest_chain(list(needs), needs, by_work) == ["gen", "stats"]
    # nothing measured yet: the estimates decide
    assert build.chapter_costs(tmp_path, "full", {"gen": 10.0, "x": None}) == {"gen": 10.0}


def test_chapters_off_the_longest_chain_run_at_lower_cpu_priority(tmp_path, monkeypatch):
    base = os.nice(0)
    if base + build.OFF_CHAIN_NICE > 19:
        pytest.skip("this process is already near the lowest priority")
    body = 'import os\n(art / "{s}.nice").write_text(str(os.nice(0)))'
    root = tiny_book(tmp_path, {s: CHAPTER.format(title=s.upper(), body=body.format(s=s)) for s in "abc"},
                     monkeypatch)
    monkeypatch.setattr(build, "READS", {"a": (), "b": ()})  # c reads a and b
    art = root / "artifacts/x"
    art.mkdir(parents=True, exist_ok=True)
    (art / "build-timings.json").write_text(json.dumps({"a": 1.0, "b": 30.0, "c": 1.0}))
    _run(jobs=2)
    niceness = {s: int((art / f"{s}.nice").read_text()) - base for s in "abc"}
    assert niceness == {"a": build.OFF_CHAIN_NICE, "b": 0, "c": 0}  # the chain is b, then c
    assert os.nice(0) == base  # the runner's own priority is unchanged
    _run(jobs=1, force=True)  # one at a time: nothing competes, nothing is lowered
    assert {s: int((art / f"{s}.nice").read_text()) - base for s in "abc"} == {"a": 0, "b": 0, "c": 0}


def test_a_chapters_cpu_time_counts_the_work_of_the_processes_it_starts(tmp_path, monkeypatch):
    """Chapters side by side share the cores, so their wall times overlap; the CPU time the
    runner records is each chapter's own work, including its kernel's worker processes."""
    burn = ('import subprocess, sys\n'
            'subprocess.run([sys.executable, "-c", "import time\\nt = time.process_time()\\n'
            'while time.process_time() - t < 3.0: pass"], check=True)')
    root = tiny_book(tmp_path, {"a": CHAPTER.format(title="A", body="import time; time.sleep(3)"),
                                "b": CHAPTER.format(title="B", body=burn)}, monkeypatch)
    monkeypatch.setattr(build, "READS", {"a": (), "b": ()})
    report = _run(jobs=2)
    cpu = report["cpu"]
    assert set(cpu) == {"a", "b"}
    assert cpu["b"] - cpu["a"] > 2.0  # the child's 3 CPU-s (read every 0.5 s), which sleeping does not cost
    assert json.loads((root / "artifacts/x/build-cpu.json").read_text()) == cpu
    assert "CPU-s" in build.summary_table(report)
    # one after another in the runner's own process: a chapter is not charged the work this
    # process did before it started
    import time

    t0 = time.process_time()
    while time.process_time() - t0 < 3.0:
        pass
    again = _run(jobs=1, force=True)["cpu"]
    assert again["b"] - again["a"] > 2.0 and again["a"] < 0.6 * again["b"]


def test_declared_reads_match_what_the_chapters_read():
    """A chapter of the book that reads another chapter's files (``find_artifact``) declares
    it in ``build.READS``; one that declares nothing reads nothing; a declared chapter exists."""
    from cellmotion.paths import project_root

    root = project_root()
    stems = build.toc_chapters(root)
    for stem, reads in build.READS.items():
        assert stem in stems, f"READS names '{stem}', which _toc.yml does not list"
        assert set(reads) <= set(stems)
        source = (root / "book" / f"{stem}.py").read_text()
        assert ("find_artifact(" in source) == bool(reads), stem
    deps = build.dependencies(stems)
    assert deps["04_statistics"] == ("03_generation",)
    assert set(deps[stems[-1]]) == set(stems[:-1])  # the introduction summarises every chapter


# A kernel that never answers at start-up (a known race when kernels start from several
# processes at once) is replaced by a fresh one; a chapter's own error is never retried.
HANGING_FIRST = '''import os, sys, time
from pathlib import Path
marker = Path(os.environ["CELLMOTION_HANG_MARKER"])
if not marker.exists():
    marker.write_text("hung")
    time.sleep(3600)  # never answers: the runner must give up on this kernel
os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", "-f", sys.argv[1]])
'''


def test_a_kernel_that_never_starts_is_replaced_and_the_chapter_runs(project, tmp_path, monkeypatch):
    import sys

    spec_dir = tmp_path / "jupyter" / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    (spec_dir / "launch.py").write_text(HANGING_FIRST)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, str(spec_dir / "launch.py"), "{connection_file}"],
        "display_name": "Python 3", "language": "python"}))
    marker = tmp_path / "hung-once"
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("CELLMOTION_HANG_MARKER", str(marker))
    monkeypatch.setattr(build, "KERNEL_START_TIMEOUT", 8)
    report = _run(jobs=1)
    assert marker.exists(), "the first kernel was not the hanging one"
    assert set(report["executed"]) == {"a", "b"}
    assert (project / "artifacts/x/b.json").read_text() == "12"
    # with a single attempt the same hang stops the build with the kernel's error
    marker.unlink()
    monkeypatch.setattr(build, "KERNEL_START_ATTEMPTS", 1)
    with pytest.raises(RuntimeError, match="Kernel didn't respond"):
        _run(jobs=1, force=True)
