"""Execute the book's chapters with papermill and render the HTML book.

Pipeline: generate the default dataset if absent → for each chapter of
``_toc.yml``, Jupytext ``.py`` → ``.ipynb`` → papermill executes it with its parameters →
``jupyter-book build`` renders the executed notebooks to ``_build/html``.

A chapter is executed again only when something it depends on changed: its source, its
parameters, the dataset file, the package code, or a chapter whose results it reads
(:data:`READS`). The fingerprints live in ``<artifacts>/build-state.json``. ``--force``
re-runs everything.

Chapters that read nothing of each other run at the same time (``--jobs``, three by
default): each chapter keeps about 1.5 of two cores busy on its own, because loading data,
plotting and scoring between the trainings run on one core, so chapters side by side fill the
gaps. A chapter starts when every chapter it reads has finished; of the chapters ready to
start, the one heading the longest remaining chain starts first (by each chapter's work, its
CPU seconds, in the last build, else the estimates, else the benchmark record:
:func:`chapter_costs`), and the chapters off the longest chain run at
lower CPU priority (:data:`OFF_CHAIN_NICE`): that chain, generation then statistics, bounds
the build's time from below, and the other chapters can use what it leaves of the cores.
Side by side, the chapters' tasks (the folds, fits and generators of
:func:`cellmotion.cluster.map_tasks`) run one per core at a time (:func:`cpu_slots`): without
that, three chapters with two workers each time-sliced up to six processes on two cores,
which cost CPU time (the real-cell chapter 850 CPU-s beside the others, 659 alone). The
measured times are in the README ("How long it takes").

Before it executes anything the runner prints an estimate of each chapter's time for the
dataset at hand, from the cost model that ``benchmarks/bench_scale.py`` stores
(``benchmarks/cost_model.json``, :mod:`cellmotion.probe`): a power law in the dataset's
number of positions, scaled by how fast this machine runs the probe now compared with the
machine that was measured. After the build the summary shows the actual times beside the
estimates. Without a cost model it says "no estimate"; ``--no-estimate`` skips the probe.

Usage::

    python -m cellmotion.build                     # full profile, whole book, HTML
    python -m cellmotion.build --profile smoke     # small parameters, a few minutes
    python -m cellmotion.build --chapters 01_data  # only some chapters, no HTML
    python -m cellmotion.build --dask tcp://host:8786   # independent work on a Dask cluster
    python -m cellmotion.build --no-estimate       # no time estimate (no probe is run)
    python -m cellmotion.build --jobs 1            # one chapter after another
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from . import cluster, probe
from .console import CONSOLE_ENV
from .contract import DataError
from .datasets import analysis_interval, ensure_dataset, load_dataset
from .paths import display_path, project_root, write_json
from .profiles import PROFILES, chapter_parameters, default_artifacts  # noqa: F401
from .runtime import QUIET_ENV


class ChapterFailed(RuntimeError):
    """A chapter raised an error; the message names the chapter and the cell."""


class ConsoleRelay:
    """The chapters' progress bars on the runner's console (:mod:`cellmotion.console`).

    Creates an empty side-channel file, names it in :data:`~cellmotion.console.CONSOLE_ENV`
    for the chapter's kernel, and copies whatever the chapter writes there to ``stream`` while
    the chapter runs (a background thread polling every ``poll`` seconds). Used as a context
    manager around one chapter; the file is removed afterwards.
    """

    def __init__(self, path: Path, stream=None, poll: float = 0.2, show: bool = True,
                 label: str | None = None, every: float = 30.0):
        self.path, self.stream, self.poll, self.show = Path(path), stream, poll, show
        # with a label (chapters running side by side) the bars' latest state is printed as one
        # labelled line at most every ``every`` seconds, so that two chapters' bars do not
        # overwrite each other
        self.label, self.every = label, every

    def __enter__(self):
        import threading

        self.path.write_text("")
        self._previous = os.environ.get(CONSOLE_ENV)
        os.environ[CONSOLE_ENV] = str(self.path)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._copy, daemon=True)
        self._thread.start()
        return self

    def _copy(self):
        stream = self.stream or sys.stderr
        last, latest = time.monotonic(), ""
        with open(self.path, encoding="utf-8", errors="replace") as f:
            while True:
                stopping = self._stop.is_set()
                chunk = f.read()
                if chunk and self.show and self.label is None:
                    stream.write(chunk)
                    stream.flush()
                elif chunk and self.show:
                    parts = [p.strip() for p in re.split(r"[\r\n]", chunk) if p.strip()]
                    latest = parts[-1] if parts else latest
                if latest and time.monotonic() - last >= self.every:
                    stream.write(f"  {self.label}: {latest}\n")
                    stream.flush()
                    last, latest = time.monotonic(), ""
                if stopping:
                    return
                self._stop.wait(self.poll)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=10)
        if self._previous is None:
            os.environ.pop(CONSOLE_ENV, None)
        else:
            os.environ[CONSOLE_ENV] = self._previous
        self.path.unlink(missing_ok=True)
        return False


#: Seconds a chapter's kernel may take to answer after it is started, and how many times a
#: kernel that never answers is replaced. Kernels started at the same moment from several
#: processes occasionally hang at start-up (they answer within a second or never; papermill
#: issue 239, mystmd pull request 2874). CI's first side-by-side build failed that way with
#: "Kernel didn't respond in 60 seconds". No cell has run when this happens, so starting a
#: fresh kernel is safe.
KERNEL_START_TIMEOUT = 120
KERNEL_START_ATTEMPTS = 3
_KERNEL_START_FAILURES = ("Kernel didn't respond", "Kernel died before replying to kernel_info")


class CpuMeter:
    """CPU seconds (user + system) of this process and every process it starts, while used as a
    context manager: a background thread reads the process tree every ``poll`` seconds and keeps
    each process's last reading (a process that lives shorter than ``poll`` may be missed).

    A chapter's kernel and its worker processes are counted, so ``seconds`` is the chapter's
    own work even when chapters run side by side and share the cores (its wall time is not).
    """

    def __init__(self, poll: float = 0.5):
        self.poll, self.seconds, self._seen, self._before = poll, 0.0, {}, {}

    def _read(self):
        import psutil

        me = psutil.Process()
        for proc in [me, *me.children(recursive=True)]:
            try:
                t = proc.cpu_times()
                self._seen[(proc.pid, proc.create_time())] = t.user + t.system
            except psutil.Error:
                continue  # it ended between the listing and the reading

    def _loop(self):
        while not self._stop.wait(self.poll):
            self._read()

    def __enter__(self):
        import threading

        self._stop = threading.Event()
        self._read()
        self._before = dict(self._seen)  # what this process (and any child) had spent already
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._read()
        self.seconds = sum(v - self._before.get(k, 0.0) for k, v in self._seen.items())
        return False


def _kernel_never_started(err: BaseException) -> bool:
    return isinstance(err, RuntimeError) and str(err).startswith(_KERNEL_START_FAILURES)


#: What each chapter reads of other chapters (file stems). A chapter waits for those, and is
#: executed again when one of them is. A chapter not listed here reads every chapter before
#: it in ``_toc.yml``: the safe default for a new chapter, and what the root page (the
#: introduction, which summarises the others) needs.
READS = {
    "01_data": (),
    "02_classification": (),
    "03_generation": (),
    "04_statistics": ("03_generation",),  # fits the generated tracks (generated_*.csv)
    "06_real_cells": (),  # its own dataset, its own files
    "05_own_data": (),  # the worked example's files only
    "appendix_benchmarks": (),  # the committed benchmark records only
}

#: Files of the repository a chapter reads besides the dataset and other chapters' results
#: (paths relative to the project root, glob patterns allowed): the chapter is executed again
#: when one of them changes, as when its source does.
READS_FILES = {
    "06_real_cells": ("data/leukocytes-ghent/*", "benchmarks/selection.json"),
    "05_own_data": ("data/example/*.yml",),  # its tracks are generated from the package
    "appendix_benchmarks": ("benchmarks/*.json",),
}


def files_read(root: Path, stem: str) -> list:
    """The files of :data:`READS_FILES` for chapter ``stem`` that exist now, sorted."""
    return sorted({p for pattern in READS_FILES.get(stem, ()) for p in root.glob(pattern)
                   if p.is_file()})


def dependencies(stems) -> dict:
    """``{stem: chapters it reads}`` for chapters in execution order (:data:`READS`)."""
    stems = list(stems)
    out = {}
    for i, stem in enumerate(stems):
        if stem in READS:
            late = [d for d in READS[stem] if d in stems and stems.index(d) > i]
            if late:
                raise ValueError(f"chapter '{stem}' reads {late}, which _toc.yml runs after it")
            out[stem] = tuple(d for d in READS[stem] if d in stems)
        else:
            out[stem] = tuple(stems[:i])
    return out


def start_order(stems, needs: dict, cost: dict) -> dict:
    """Priority of each chapter when several could start: the time of the longest chain of
    chapters that starts with it (its own time plus the longest of its readers' chains), from
    ``cost`` (``{stem: seconds}``, e.g. the last build's times; a missing one counts 1 s)."""
    chain = {}
    for stem in reversed(list(stems)):
        after = [chain[r] for r in chain if stem in needs.get(r, ())]
        chain[stem] = float(cost.get(stem) or 1.0) + max(after, default=0.0)
    return chain


#: CPU niceness of the chapters off the longest chain when chapters run side by side: they
#: take the cores that the longest chain leaves free, so that chain (generation, then the
#: statistics of the generated tracks) is not slowed by chapters that could finish later.
OFF_CHAIN_NICE = 10


def longest_chain(stems, needs: dict, cost: dict) -> list[str]:
    """The chain of chapters that takes longest (:func:`start_order`), first chapter first:
    the chapter with the longest chain, then each time the reader with the longest chain."""
    chain = start_order(stems, needs, cost)
    path = [max(stems, key=lambda s: chain[s])] if stems else []
    while True:
        readers = [r for r in stems if path[-1] in needs.get(r, ())] if path else []
        if not readers:
            return path
        path.append(max(readers, key=lambda r: chain[r]))


def recorded_times(root: Path, profile: str) -> dict:
    """``{stem: seconds}`` of each chapter in the benchmark suite's record
    (``benchmarks/latest.json``, rows ``chapter <stem> (<profile>)``): its CPU seconds where the
    record has them, else its wall seconds; empty without a record."""
    try:
        rows = json.loads((root / "benchmarks" / "latest.json").read_text())["rows"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    out = {}
    for row in rows:
        what = str(row.get("what", ""))
        seconds = row.get("cpu_seconds") or row.get("seconds")
        if what.startswith("chapter ") and what.endswith(f" ({profile})") and seconds:
            out[what[len("chapter "):-len(f" ({profile})")]] = float(seconds)
    return out


def chapter_costs(root: Path, profile: str, estimates=None, walls=None, cpu=None) -> dict:
    """``{stem: seconds}`` that decide the longest chain (:func:`longest_chain`).

    A chapter's work in the last build (``cpu``: its CPU seconds, ``build-cpu.json``), else its
    wall seconds there (``walls``, ``build-timings.json``), else its estimate, else the
    benchmark record (:func:`recorded_times`). Work, not wall time, where it is known: a
    chapter run at lower priority beside the chain takes longer on the clock for that reason
    alone, and its wall time would make it look like the longest chain in the next build.
    """
    cost = dict(recorded_times(root, profile))
    for known in (estimates, walls, cpu):
        cost.update({k: float(v) for k, v in (known or {}).items() if v})
    return cost


def toc_chapters(root: Path) -> list[str]:
    """Chapter stems (e.g. ``01_data``) of ``_toc.yml`` with a ``book/<stem>.py``, in execution order."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = [toc.get("root")] + [c["file"] for c in toc.get("chapters", [])]
    for part in toc.get("parts", []):
        files += [c["file"] for c in part.get("chapters", [])]
    stems = []
    for f in files[1:] + files[:1]:  # the root page (the introduction) runs last: it summarises
        if f and (root / (f + ".py")).exists():
            stems.append(Path(f).name)
    return stems


def _digest(paths, extra: str = "") -> str:
    h = hashlib.sha256(extra.encode())
    for p in paths:
        p = Path(p)
        h.update(str(p.name).encode())
        h.update(p.read_bytes() if p.exists() else b"<missing>")
    return h.hexdigest()


def package_digest(root: Path) -> str:
    """Fingerprint of the package source that chapters import."""
    pkg = root / "src" / "cellmotion"
    return _digest(sorted(pkg.rglob("*.py")), extra="".join(
        str(p.relative_to(pkg)) for p in sorted(pkg.rglob("*.py"))))


def execute_chapter(root: Path, stem: str, params: dict, out_dir: Path, progress: bool = True,
                    side_by_side: bool = False, nice: int = 0) -> tuple[float, float]:
    """Run one chapter through papermill; returns its wall seconds and CPU seconds (user and
    system time of this process, its kernel and the kernel's workers: :class:`CpuMeter`).

    The executed notebook goes to ``out_dir/<stem>.ipynb``. On an error the partly
    executed notebook stays there and :class:`ChapterFailed` names the chapter and cell.
    ``side_by_side``: other chapters run at the same time, so the chapter's progress is
    printed as labelled lines (:class:`ConsoleRelay`) and papermill draws no bar.
    ``nice``: lower this process's CPU priority by that much first (its kernel and the
    kernel's workers inherit it); only for a process that runs this one chapter.
    """
    import jupytext
    import papermill as pm

    if nice and hasattr(os, "nice"):
        os.nice(int(nice))

    src = root / "book" / f"{stem}.py"
    nb = jupytext.read(src)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    out_dir.mkdir(parents=True, exist_ok=True)
    raw = out_dir / f"{stem}.source.ipynb"
    jupytext.write(nb, raw)
    out = out_dir / f"{stem}.ipynb"
    partial = out_dir / f"{stem}.partial.ipynb"
    # TensorFlow's logs off; library deprecation notices are for developers, not readers
    for k, v in {**QUIET_ENV, "PYTHONWARNINGS": "ignore::DeprecationWarning,ignore::FutureWarning"}.items():
        os.environ.setdefault(k, v)
    os.environ["CELLMOTION_ROOT"] = str(root)
    start, meter = time.perf_counter(), CpuMeter()
    try:
        # the chapter's progress bars go to this console through a side channel, never to the page
        with meter, ConsoleRelay(out_dir / f"{stem}.console.log", show=progress,
                                 label=stem if side_by_side else None):
            for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
                try:
                    pm.execute_notebook(str(raw), str(partial), parameters=params,
                                        kernel_name="python3", cwd=str(root),
                                        progress_bar=progress and not side_by_side,
                                        log_output=False, start_timeout=KERNEL_START_TIMEOUT)
                    break
                except RuntimeError as err:
                    if not _kernel_never_started(err) or attempt == KERNEL_START_ATTEMPTS:
                        raise
                    print(f"book: {stem}: its kernel did not start ({err}); starting another "
                          f"(attempt {attempt + 1} of {KERNEL_START_ATTEMPTS})",
                          file=sys.stderr, flush=True)
    except pm.PapermillExecutionError as err:
        raise ChapterFailed(
            f"chapter '{stem}' failed in cell {err.exec_count} ({err.ename}: {err.evalue}). "
            f"The partly executed notebook is kept at {partial}.") from None
    finally:
        raw.unlink(missing_ok=True)
    _hide_injected_parameters(partial)
    partial.replace(out)  # atomic: a finished notebook appears only when the chapter finished
    return time.perf_counter() - start, meter.seconds


def _hide_injected_parameters(path: Path):
    """Remove papermill's injected-parameters cell from the rendered page; relative paths in
    papermill's metadata.

    The values a chapter ran with are printed by the chapter itself (and kept in the executed
    notebook's metadata); the injected cell is plumbing, so it gets ``remove-cell``.
    """
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.metadata["tags"] = list(dict.fromkeys(cell.metadata["tags"] + ["remove-cell"]))
    # the downloadable notebook names no folder of the machine that built it
    pm_meta = nb.metadata.get("papermill", {})
    for key in ("input_path", "output_path"):
        if pm_meta.get(key):
            pm_meta[key] = display_path(pm_meta[key])
    nbformat.write(nb, path)


def run(profile: str = "full", dataset: str = "synthetic", seed: int = 0, chapters=None,
        artifacts: str | None = None, force: bool = False, html: bool = True,
        html_dir: str | None = None, strict: bool = True, validate: bool = True,
        progress: bool = True, dask: str | None = None, estimate: bool = False,
        jobs: int = 3) -> dict:
    """Execute chapters (all of ``_toc.yml`` by default) and optionally render the HTML book.

    With ``validate`` the dataset is loaded once first, so that a refused dataset stops the
    build with its :class:`~cellmotion.contract.DataError` before any file is written.
    Prints one line per chapter as it starts (executed or skipped, with its last time) and
    papermill's progress bar per chapter. Returns a dict with the executed and skipped chapters
    and their wall times.

    ``dask``: a Dask scheduler's address (``tcp://host:8786``); the chapters' independent work
    (per-track fits, cross-validation folds) then runs on that cluster
    (:mod:`cellmotion.cluster`). Without it, ``DASK_SCHEDULER_ADDRESS`` is honoured; with
    neither, local processes. The scheduler is contacted once before any chapter runs.

    ``estimate``: before executing, print each chapter's estimated time for this dataset
    (:func:`print_estimates`; the command line does, ``--no-estimate`` turns it off); the
    report then holds them under ``estimates`` (``{stem: seconds or None}``).

    ``jobs``: chapters executed at the same time, each in its own process and kernel, in the
    order of :data:`READS` (a chapter starts when every chapter it reads has finished). With 1,
    or with one chapter to execute, they run one after another in this process. When a
    chapter fails, the chapters already running finish, no other starts, and the failure is
    raised. The chapters of the longest chain (:func:`longest_chain`; by the last build's
    times, else the estimates, else :func:`recorded_times`) start first and keep normal CPU
    priority; the others run at :data:`OFF_CHAIN_NICE`, so that they use the cores the chain
    leaves free.
    """
    if profile not in PROFILES:
        raise SystemExit(f"unknown profile '{profile}'; use one of {PROFILES}")
    root = project_root()
    # generate a generated dataset if absent; every input file is fingerprinted below
    inputs = ensure_dataset(dataset)
    tracks = None
    if validate:
        # refuse bad input before anything is written: one DataError naming what is wrong
        tracks = load_dataset(dataset)
    if dask:
        os.environ[cluster.CLUSTER_ENV] = dask
    if cluster.scheduler_address() is not None:
        try:  # an unreachable scheduler stops the build before anything is written
            cluster.client()
        except RuntimeError as err:
            raise SystemExit(str(err)) from None
    artifacts = artifacts or default_artifacts(dataset, profile)
    art = root / artifacts
    if art.resolve().is_relative_to(root.resolve()):
        # chapters get the folder relative to the project: no machine's path in the book
        artifacts = art.resolve().relative_to(root.resolve()).as_posix()
    art.mkdir(parents=True, exist_ok=True)
    nb_dir = art / "notebooks"

    all_stems = toc_chapters(root)
    stems = all_stems if not chapters else [s for s in all_stems if s in chapters]
    unknown = set(chapters or []) - set(all_stems)
    if unknown:
        raise SystemExit(f"unknown chapter(s) {sorted(unknown)}; _toc.yml lists {all_stems}")

    state_file = art / "build-state.json"
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    pkg = package_digest(root)
    data_digest = _digest(inputs)  # a config and every file it names
    report = {"profile": profile, "dataset": dataset, "artifacts": artifacts,
              "executed": {}, "cpu": {}, "skipped": []}
    timings = art / "build-timings.json"
    previous = json.loads(timings.read_text()) if timings.exists() else {}
    cpu_file = art / "build-cpu.json"  # each chapter's CPU seconds (CpuMeter), last run
    cpu_seconds = json.loads(cpu_file.read_text()) if cpu_file.exists() else {}
    needs = dependencies(all_stems)
    say = print if progress else (lambda *a, **k: None)
    say(f"book: dataset {dataset}, profile {profile}, results in {artifacts}/")
    say(f"book: {cluster.describe()}")
    plan = []  # (stem, parameters, fingerprint, up to date)
    keys = {}
    # on a Dask cluster the chapters lift their caps (cellmotion.budget.cap) and use every
    # track: a book built locally is not the one the cluster builds, and the other way round
    where = "|on a Dask cluster: caps lifted" if cluster.scheduler_address() is not None else ""
    for stem in all_stems:
        params = chapter_parameters(stem, dataset, profile, seed, artifacts)
        upstream = "".join(keys[d] for d in needs[stem])  # a chapter it reads changed: run again
        keys[stem] = key = _digest([root / "book" / f"{stem}.py", *files_read(root, stem)], json.dumps(
            params, sort_keys=True) + pkg + data_digest + upstream + where)
        plan.append((stem, params, key, (nb_dir / f"{stem}.ipynb").exists() and state.get(stem) == key))
    to_run = [stem for stem, _, _, done in plan if stem in stems and (force or not done)]
    if estimate and to_run:
        if tracks is None:
            tracks = load_dataset(dataset)
        report["estimates"] = print_estimates(root, profile, to_run, probe.dataset_size(
            tracks, analysis_interval(dataset)), say=say)
    tracks = None  # the build keeps no copy of the data while the chapters run
    number = {stem: k for k, (stem, *_) in enumerate(plan, start=1)}
    for stem, _, _, done in plan:
        if stem in stems and done and not force:
            report["skipped"].append(stem)
            last = f"last run {previous[stem]:.0f} s" if stem in previous else "never run"
            say(f"[{number[stem]}/{len(all_stems)}] {stem}: unchanged, skipped ({last})", flush=True)

    def starting(stem):
        last = f"last run {previous[stem]:.0f} s" if stem in previous else "never run"
        guess = report.get("estimates", {}).get(stem)
        guess = f", estimated {_duration(guess)}" if guess is not None else ""
        say(f"[{number[stem]}/{len(all_stems)}] {stem}: executing ({last}{guess})", flush=True)

    def finished(stem, seconds, cpu):
        report["executed"][stem] = round(seconds, 1)
        report["cpu"][stem] = round(cpu, 1)
        state[stem] = keys[stem]
        write_json(state_file, state)
        previous[stem] = round(seconds, 1)
        write_json(timings, previous)
        cpu_seconds[stem] = round(cpu, 1)
        write_json(cpu_file, cpu_seconds)

    params_of = {stem: params for stem, params, _, _ in plan}
    jobs = max(1, min(int(jobs), len(to_run)))
    if jobs == 1:
        for stem in to_run:
            starting(stem)
            finished(stem, *execute_chapter(root, stem, params_of[stem], nb_dir, progress=progress))
    else:
        cost = chapter_costs(root, profile, report.get("estimates"), previous, cpu_seconds)
        _run_side_by_side(root, to_run, needs, params_of, nb_dir, jobs, cost, progress,
                          starting, finished, say)

    if html:
        if html_dir is None and dataset != "synthetic":
            # another dataset's book goes to its own folder, never over the default book
            html_dir = str(root / "_build" / "books" / Path(artifacts).name)
        render_html(root, nb_dir, all_stems, html_dir=html_dir, strict=strict)
    return report


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system says, else all)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@contextlib.contextmanager
def cpu_slots(n: int | None = None):
    """One lock file per core in a fresh folder, named in :data:`cluster.SLOTS_ENV` for the
    chapters started inside the block (they inherit the variable): their local tasks then
    run one per core at a time (:func:`cellmotion.cluster.cpu_slot`). The folder and the
    variable's earlier value are restored afterwards."""
    import tempfile

    folder = tempfile.mkdtemp(prefix="cellmotion-cpu-slots-")
    for i in range(n or available_cores()):
        Path(folder, f"slot-{i}").touch()
    previous = os.environ.get(cluster.SLOTS_ENV)
    os.environ[cluster.SLOTS_ENV] = folder
    try:
        yield folder
    finally:
        if previous is None:
            os.environ.pop(cluster.SLOTS_ENV, None)
        else:
            os.environ[cluster.SLOTS_ENV] = previous
        shutil.rmtree(folder, ignore_errors=True)


def _run_side_by_side(root, to_run, needs, params_of, nb_dir, jobs, cost, progress,
                      starting, finished, say):
    """Execute ``to_run`` with up to ``jobs`` chapters at a time in worker processes (see
    :func:`run`); ``starting``/``finished`` are called in this process as chapters start and
    end. ``cost`` (``{stem: seconds}``) orders them: the chapters of the longest chain
    (:func:`longest_chain`) start first and run at normal priority, the others at
    :data:`OFF_CHAIN_NICE`."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    priority = start_order(to_run, needs, cost)
    chain = longest_chain(to_run, needs, cost)
    pending, running, failure = list(to_run), {}, None
    say(f"book: up to {jobs} chapters at a time (a chapter waits for the chapters it reads); "
        f"the longest chain, {' then '.join(chain)}, first: the others run at lower CPU "
        f"priority (nice {OFF_CHAIN_NICE})")
    # a fresh interpreter per chapter: the runner may hold threads and a Dask client, and a
    # chapter's priority ends with its process (Python 3.10 reuses workers: no priorities)
    fresh = {"max_tasks_per_child": 1} if sys.version_info >= (3, 11) else {}
    lowered = OFF_CHAIN_NICE if fresh else 0
    with cpu_slots(), ProcessPoolExecutor(max_workers=jobs, **fresh,
                                          mp_context=multiprocessing.get_context("spawn")) as pool:
        while pending or running:
            busy = set(pending) | set(running.values())
            ready = sorted((s for s in pending if not busy.intersection(needs[s])),
                           key=lambda s: -priority[s])
            while failure is None and ready and len(running) < jobs:
                stem = ready.pop(0)
                pending.remove(stem)
                starting(stem)
                running[pool.submit(execute_chapter, root, stem, params_of[stem], nb_dir,
                                    progress, True, 0 if stem in chain else lowered)] = stem
            if not running:
                break  # a chapter failed: what depends on it, or waits, does not start
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                stem = running.pop(future)
                try:
                    seconds, cpu = future.result()
                except ChapterFailed as err:
                    failure = failure or err
                    if running:
                        say(f"book: {stem} failed; waiting for {sorted(running.values())} to finish",
                            flush=True)
                    continue
                finished(stem, seconds, cpu)
                say(f"book: {stem} done in {_duration(seconds)} ({cpu:.0f} CPU-s)", flush=True)
    if failure is not None:
        raise failure


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def print_estimates(root: Path, profile: str, stems, size: dict, say=print,
                    probe_seconds: float | None = None) -> dict:
    """Print the estimated time of each chapter for a dataset of ``size``; return them.

    The cost model (:func:`cellmotion.probe.load_cost_model`) gives, per profile and chapter,
    ``seconds = a * (probe now / probe when measured) * positions ** b``. The probe is run here
    (:func:`cellmotion.probe.measure_probe`, a few seconds in a fresh process) unless
    ``probe_seconds`` is given or no chapter has a law; if it fails the ratio is taken as 1.

    Parameters
    ----------
    root : pathlib.Path
        The project root (the cost model is ``benchmarks/cost_model.json`` there).
    profile : str
        The build's profile.
    stems : sequence of str
        The chapters that will execute.
    size : dict
        :func:`cellmotion.probe.dataset_size` of the dataset.
    say : callable
        Where lines go (``print``).
    probe_seconds : float, optional
        The probe on this machine, if already measured.

    Returns
    -------
    dict
        ``{stem: estimated seconds or None}`` (None: no law for that chapter).
    """
    model = probe.load_cost_model(root)
    what = f"{size['tracks']} tracks, {size['positions']} positions"
    if model is None or not (model.get("profiles", {}).get(profile) or {}).get("chapters"):
        why = ("no cost model" if model is None else f"the cost model has no {profile} profile")
        say(f"book: no estimate ({why}; benchmarks/bench_scale.py measures one)")
        return {s: None for s in stems}
    laws = model["profiles"][profile]
    ref = laws.get("probe_seconds")
    if probe_seconds is None and any(s in laws["chapters"] for s in stems):
        try:
            probe_seconds = probe.measure_probe()["seconds"]
        except (RuntimeError, OSError, ValueError, subprocess.TimeoutExpired) as err:
            say(f"book: the probe failed ({str(err)[:200]}); estimates assume the measured machine's speed")
    estimates = probe.chapter_estimates(model, profile, stems, size, probe_seconds)
    speed = (f"probe {probe_seconds:.1f} s here, {ref:.1f} s when measured"
             if probe_seconds and ref else "probe not run")
    say(f"book: time estimate for {what} ({speed}; cost model of {laws.get('measured', '?')}):")
    if cluster.scheduler_address() is not None:
        say("  (measured on one machine with the caps in force: on the Dask cluster the fits, folds and "
            "generators run remotely on every track, so these times do not apply)")
    width = max(len(s) for s in stems)
    measure = model.get("size", "positions")
    for s in stems:
        law, e = laws["chapters"].get(s), estimates[s]
        if e is None:
            say(f"  {s:<{width}}  no estimate (not in the cost model)")
            continue
        note = ""
        sizes = law.get("sizes") or []
        if sizes and not min(sizes) / 2 <= size.get(measure, 0) <= max(sizes) * 2:
            note = f"  (extrapolated: measured {min(sizes):,}-{max(sizes):,} {measure})"
        say(f"  {s:<{width}}  ~{_duration(e):<8}  (grows as {measure}^{law['b']:.2f}){note}")
    known = [e for e in estimates.values() if e is not None]
    if known:
        rest = "" if len(known) == len(stems) else f" for the {len(known)} chapters with an estimate"
        say(f"  total ~{_duration(sum(known))}{rest}, one chapter after another (side by side, less)")
    return estimates


def render_html(root: Path, nb_dir: Path, stems, html_dir: str | None = None, strict: bool = True):
    """Copy executed notebooks next to their sources and run ``jupyter-book build``.

    Jupyter Book does not execute anything (``execute_notebooks: off``); a warning or a
    broken reference fails the build when ``strict``.
    """
    missing = [s for s in stems if not (nb_dir / f"{s}.ipynb").exists()]
    if missing:
        raise SystemExit(f"cannot render: chapters not executed yet: {missing}")
    for s in stems:
        shutil.copyfile(nb_dir / f"{s}.ipynb", root / "book" / f"{s}.ipynb")
    # the jupyter-book script of this interpreter's environment (it has no `python -m` entry)
    jb = shutil.which("jupyter-book", path=str(Path(sys.executable).parent)) or shutil.which("jupyter-book")
    if not jb:
        raise SystemExit("jupyter-book is not installed: run `make install` (pip install -e '.[book]')")
    cmd = [jb, "build", str(root), "--builder", "html"]
    if html_dir:
        cmd += ["--path-output", str(html_dir)]
    if strict:
        cmd += ["-W", "-n", "--keep-going"]
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-6000:] + proc.stderr[-6000:])
        raise SystemExit(f"jupyter-book build failed (exit {proc.returncode}); see the log above.")
    out = Path(html_dir or root) / "_build" / "html" / "index.html"
    print(f"book written to {out}")


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m cellmotion.build", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--profile", default=os.environ.get("PROFILE", "full"), choices=PROFILES)
    p.add_argument("--dataset", default="synthetic",
                   help="'synthetic', a tidy CSV path or a dataset config (.yml, see cellmotion.config)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--artifacts", default=None, help="artifacts folder (default artifacts/<data>-<profile>)")
    p.add_argument("--chapters", nargs="*", default=None, help="chapter stems to run (default: all)")
    p.add_argument("--force", action="store_true", help="re-execute chapters even if nothing changed")
    p.add_argument("--no-html", action="store_true", help="execute only, do not render HTML")
    p.add_argument("--html-dir", default=None, help="output folder for _build (default: project root)")
    p.add_argument("--dask", default=None,
                   help="a Dask scheduler's address (tcp://host:8786): run the chapters' independent "
                        "work on that cluster (default: DASK_SCHEDULER_ADDRESS, else local processes)")
    p.add_argument("--no-estimate", action="store_true",
                   help="print no time estimate before executing (the probe is not run)")
    p.add_argument("--jobs", type=int, default=int(os.environ.get("JOBS", 3)),
                   help="chapters executed at the same time when they read nothing of each other "
                        "(default 3; 1: one after another)")
    args = p.parse_args(argv)
    start = time.perf_counter()
    try:
        report = run(profile=args.profile, dataset=args.dataset, seed=args.seed,
                     chapters=args.chapters, artifacts=args.artifacts, force=args.force,
                     html=not (args.no_html or args.chapters), html_dir=args.html_dir,
                     dask=args.dask, estimate=not args.no_estimate, jobs=args.jobs)
    except ChapterFailed as err:
        raise SystemExit(f"build stopped: {err}")
    except DataError as err:
        raise SystemExit(f"dataset refused, nothing was written: {err}")
    print(summary_table(report))
    print(f"total wall time {time.perf_counter() - start:.0f} s"
          + (f", {sum(report['cpu'].values()):.0f} CPU-s in the chapters" if report["cpu"] else ""))


def summary_table(report: dict) -> str:
    """A short table of what a build did: one row per chapter, executed (seconds) or skipped.

    Where the report holds estimates (``run(estimate=True)``), an executed chapter's row shows
    the estimate beside the actual time, and the table ends with both totals.
    """
    guesses = report.get("estimates") or {}

    def beside(stem):
        if stem not in guesses:
            return ""
        g = guesses[stem]
        return "  (no estimate)" if g is None else f"  (estimated {_duration(g)})"

    cpu = report.get("cpu", {})
    rows = [(s, f"executed in {t:.0f} s" + (f" ({cpu[s]:.0f} CPU-s)" if s in cpu else "") + beside(s))
            for s, t in report["executed"].items()]
    rows += [(s, "unchanged, skipped") for s in report["skipped"]]
    width = max([len(s) for s, _ in rows] + [7])
    lines = [f"{'chapter':<{width}}  result", f"{'-' * width}  {'-' * 22}"]
    lines += [f"{s:<{width}}  {r}" for s, r in rows]
    if not rows:
        lines.append("(no chapter selected)")
    known = [s for s in report["executed"] if guesses.get(s) is not None]
    if known:
        actual = sum(report["executed"][s] for s in known)
        lines.append(f"{'-' * width}  {'-' * 22}")
        lines.append(f"{'total':<{width}}  chapters' times added up {_duration(actual)}, estimated "
                     f"{_duration(sum(guesses[s] for s in known))} ({len(known)} chapters with an "
                     "estimate; side by side a chapter takes longer than alone, and the build less "
                     "than the sum)")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
