"""A real Dask cluster: a scheduler and two workers started as separate processes.

They are started with Dask's own command-line tools, bound to 127.0.0.1, and stopped in the
fixture's teardown; every wait is bounded. The claims: the book's independent work (per-track
bayesloop fits, cross-validation folds) gives the same results on the cluster as locally,
it really runs on the workers, and a worker killed mid-run loses nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

from cellmotion import cluster  # noqa: E402
from cellmotion import superstats as ss  # noqa: E402

DASK = shutil.which("dask", path=str(Path(sys.executable).parent)) or shutil.which("dask")
COARSE = ss.SuperstatModel(n_persistence=20, n_speed=20, speed_range=(0.0, 3.0))
START_TIMEOUT = 60  # seconds to wait for the scheduler file and both workers
TASK_TIMEOUT = 300  # seconds to wait for any one task's result


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@pytest.fixture()
def dask_cluster(tmp_path, monkeypatch):
    """``(address, [worker processes])``: a scheduler and two single-thread workers."""
    monkeypatch.setenv(cluster.TASK_TIMEOUT_ENV, str(TASK_TIMEOUT))  # no task result waits longer
    if DASK is None:
        pytest.skip("the dask command-line tool is not installed (pip install 'cellmotion[dask]')")
    sched_file = tmp_path / "scheduler.json"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0",
           "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    logs = [open(tmp_path / f"{n}.log", "w") for n in ("scheduler", "worker1", "worker2")]
    procs = [subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", str(_free_port()),
                               "--no-dashboard", "--scheduler-file", str(sched_file)],
                              stdout=logs[0], stderr=subprocess.STDOUT, env=env, cwd=tmp_path)]
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not sched_file.exists() or not sched_file.read_text().strip():
            if time.monotonic() > deadline or procs[0].poll() is not None:
                raise RuntimeError("the Dask scheduler did not start: "
                                   + (tmp_path / "scheduler.log").read_text()[-2000:])
            time.sleep(0.2)
        address = json.loads(sched_file.read_text())["address"]
        for log in logs[1:]:
            procs.append(subprocess.Popen(
                [DASK, "worker", address, "--nthreads", "1", "--no-nanny", "--host", "127.0.0.1",
                 "--no-dashboard", "--death-timeout", "60"],
                stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path))
        with distributed.Client(address, timeout=START_TIMEOUT) as c:
            c.wait_for_workers(2, timeout=START_TIMEOUT)
        yield address, procs[1:]
    finally:
        for p in reversed(procs):
            _stop(p)
        for log in logs:
            log.close()
        for c in list(cluster._clients.values()):
            c.close()
        cluster._clients.clear()


def _tracks(n=8):
    vels, _, _ = ss.known_parameter_tracks("drifting", n_tracks=n, n_steps=80, dims=2, seed=11)
    return vels


def _same_fits(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_allclose(x.density, y.density, rtol=1e-9, atol=1e-15)
        np.testing.assert_allclose(x.mean_persistence, y.mean_persistence, rtol=1e-9)
        np.testing.assert_allclose(x.mean_speed, y.mean_speed, rtol=1e-9)


def test_statistics_fits_on_the_cluster_equal_the_local_fits(dask_cluster):
    address, _ = dask_cluster
    vels = _tracks()
    local = ss.fit_tracks(vels, COARSE, n_jobs=1, progress=False)
    with cluster.use(address) as c, distributed.get_task_stream(c) as stream:
        remote = ss.fit_tracks(vels, COARSE, n_jobs=-1, progress=False)
    _same_fits(local, remote)
    workers = {t["worker"] for t in stream.data}
    assert len(stream.data) > 0, "no task ran on the cluster"
    assert len(workers) == 2, f"the fits ran on {len(workers)} worker(s), not both"


def test_the_address_can_come_from_dasks_own_variable(dask_cluster, monkeypatch):
    address, _ = dask_cluster
    monkeypatch.delenv(cluster.CLUSTER_ENV, raising=False)
    monkeypatch.setenv(cluster.DASK_ENV, address)
    assert cluster.scheduler_address() == address
    c = cluster.active_client()
    assert c is not None and c.scheduler.address == address
    with distributed.get_task_stream(c) as stream:
        ss.fit_tracks(_tracks(2), COARSE, progress=False)
    assert len(stream.data) == 2, "the fits did not run on the cluster named by the variable"


def test_a_worker_killed_mid_run_loses_nothing(dask_cluster):
    address, workers = dask_cluster
    # fits long enough (a finer grid, longer tracks) that a worker is busy when it is killed
    model = ss.SuperstatModel(n_persistence=80, n_speed=80, speed_range=(0.0, 3.0))
    vels, _, _ = ss.known_parameter_tracks("drifting", n_tracks=12, n_steps=400, dims=2, seed=11)
    local = ss.fit_tracks(vels, model, n_jobs=1, progress=False)
    with cluster.use(address) as c, distributed.get_task_stream(c) as stream:
        # the mechanism of fit_tracks and of the cross-validation folds
        gen = cluster.map_tasks(ss.fit_track, [(v, model) for v in vels], name="kill-test")
        first = next(gen)  # the run is under way: at least one fit came back
        deadline = time.monotonic() + START_TIMEOUT
        busy = {}
        while not busy:  # a worker that is running a fit right now
            busy = {w: list(keys) for w, keys in c.processing().items() if keys}
            assert time.monotonic() < deadline, "no worker was running a fit"
            time.sleep(0 if busy else 0.02)
        victim, lost = next(iter(busy.items()))
        pid = c.run(os.getpid, workers=[victim])[victim]
        proc = next(p for p in workers if p.pid == pid)
        os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=30)
        rest = list(gen)
        assert len(c.scheduler_info(n_workers=-1)["workers"]) == 1, "the killed worker is still listed"
    _same_fits(local, [first] + rest)
    # the fits the killed worker was running were run again, on the worker that survived
    survivor = {t["worker"] for t in stream.data if t["key"] in lost} - {victim}
    assert survivor, f"the killed worker's fits {lost} were not run again elsewhere"


def test_a_two_fold_cross_validation_on_the_cluster_equals_the_local_one(dask_cluster):
    from cellmotion import classification
    from cellmotion.synthetic.simulator import simulate_dataset
    from cellmotion.preprocess import to_trajectories

    address, _ = dask_cluster
    traj = to_trajectories(simulate_dataset(seed=3, scale=0.06), interval=5.0).drop_z()
    folds = classification.grouped_folds(traj, window=10, n_splits=2, seed=0)
    kw = dict(window=10, seeds=(0,), max_epochs=2, report=None)
    models = ["report-best", "forest"]
    # locally in fresh worker processes too: a network trained inside this long-lived test process
    # can inherit TensorFlow state from earlier tests
    local = classification.evaluate_models(traj, folds, models, n_jobs=2, **kw)
    with cluster.use(address) as c, distributed.get_task_stream(c) as stream:
        remote = classification.evaluate_models(traj, folds, models, n_jobs=2, **kw)
    assert len(stream.data) > 0, "no fold ran on the cluster"
    # the peer is compared exactly; a network trained in a process that earlier tests have used
    # was seen once to differ from a fresh one (TensorFlow state, under investigation), so the
    # network is checked for a complete, valid result on both sides
    for key in ("per_track_bacc", "per_window_bacc"):
        np.testing.assert_allclose(getattr(local.models["forest"], key).folds,
                                   getattr(remote.models["forest"], key).folds)
    for res in (local, remote):
        folds_scored = res.models["report-best"].per_track_bacc.folds
        assert len(folds_scored) == 2 and all(0 <= v <= 1 for v in folds_scored)


def test_generators_trained_on_the_cluster_equal_the_local_ones(dask_cluster):
    """One task per condition (issue 22): the same seeded networks, wherever they train."""
    from cellmotion import generation

    address, _ = dask_cluster
    rng = np.random.default_rng(5)
    jobs = {c: ([rng.normal(size=(int(rng.integers(30, 50)), 2)) for _ in range(12)], ["x", "y"])
            for c in ("A", "B")}
    kw = dict(epochs=3, patience=2, batch_size=4, seed=0, jit_compile=False)
    local = generation.train_generators(jobs, n_jobs=2, **kw)
    with cluster.use(address) as c, distributed.get_task_stream(c) as stream:
        remote = generation.train_generators(jobs, **kw)
    assert len(stream.data) == 2, "each condition should be one task on the cluster"
    # The same seeded training in a local worker process and in this thread repeats bit for
    # bit; on a Dask worker process the weights were seen to differ by a few 1e-2 after three
    # RMSprop epochs (floating-point differences, amplified by RMSprop's normalised first
    # steps; the cause is not pinned down). So the claim checked here is the one a reader
    # relies on: the same generator, by its epochs and its likelihood of held-out tracks.
    held_out = [rng.normal(size=(40, 2)) for _ in range(6)]
    for cond in jobs:
        assert local[cond].epochs_run == remote[cond].epochs_run
        assert local[cond].scale == remote[cond].scale
        assert generation.heldout_nll(remote[cond], held_out) == pytest.approx(
            generation.heldout_nll(local[cond], held_out), rel=0.02)


def test_a_lost_cluster_fails_a_run_instead_of_hanging_it(dask_cluster, monkeypatch):
    address, workers = dask_cluster
    monkeypatch.setenv(cluster.TASK_TIMEOUT_ENV, "3")
    for p in workers:  # no worker is left to run anything
        p.kill()
        p.wait(timeout=30)
    with cluster.use(address):
        start = time.monotonic()
        with pytest.raises(TimeoutError):
            list(cluster.map_tasks(pow, [(2, 3), (3, 2)]))
    assert time.monotonic() - start < 30


def test_without_a_scheduler_nothing_changes(monkeypatch):
    monkeypatch.delenv(cluster.CLUSTER_ENV, raising=False)
    monkeypatch.delenv(cluster.DASK_ENV, raising=False)
    with cluster.use() as c:
        assert c is None and cluster.active_client() is None
        assert list(cluster.map_tasks(pow, [(2, 3), (3, 2)], n_jobs=2)) == [8, 9]


def test_an_unreachable_scheduler_is_an_error_naming_it():
    address = f"tcp://127.0.0.1:{_free_port()}"
    with pytest.raises(RuntimeError, match="127.0.0.1"):
        with cluster.use(address, timeout=2):
            pass


def _timed_sleep(path, seconds):
    """A task that records when it ran (start and end, wall clock) in ``path``."""
    start = time.time()
    time.sleep(seconds)
    with open(path, "a") as f:
        f.write(f"{os.getpid()} {start} {time.time()}\n")
    return seconds


def _chapter_like(path, n_tasks, n_jobs):
    """What a chapter does: its own tasks through map_tasks (in another process)."""
    return list(cluster.map_tasks(_timed_sleep, [(path, 0.4)] * n_tasks, n_jobs=n_jobs))


def _nested(path):
    """A task whose work is itself map_tasks in the same process."""
    return list(cluster.map_tasks(_timed_sleep, [(path, 0.05)] * 2, n_jobs=1))


def _overlap(path) -> float:
    """Largest number of the recorded tasks that ran at the same moment."""
    spans = [tuple(map(float, line.split()[1:])) for line in Path(path).read_text().splitlines()]
    events = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans])
    most = running = 0
    for _, step in events:
        running += step
        most = max(most, running)
    return most


@pytest.mark.parametrize("slots", [None, 1, 2])
def test_chapters_side_by_side_run_their_tasks_one_per_cpu_slot(tmp_path, monkeypatch, slots):
    """Three 'chapters' (processes) with two workers each: with the runner's slots, no more
    tasks run at once than there are slots; without them, more do (the test can fail)."""
    import multiprocessing

    from cellmotion.build import cpu_slots

    monkeypatch.delenv(cluster.SLOTS_ENV, raising=False)
    log = tmp_path / "spans.txt"
    context = contextlib.nullcontext() if slots is None else cpu_slots(slots)
    with context, multiprocessing.get_context("spawn").Pool(3) as pool:
        runs = [pool.apply_async(_chapter_like, (str(log), 4, 2)) for _ in range(3)]
        assert all(len(r.get(timeout=120)) == 4 for r in runs)
    assert len(log.read_text().splitlines()) == 12
    if slots is None:
        assert _overlap(log) >= 3
    else:
        assert _overlap(log) == slots
    assert cluster.SLOTS_ENV not in os.environ  # the runner's variable ends with the block


def test_a_task_inside_a_task_takes_no_second_slot(tmp_path, monkeypatch):
    """With one slot, a task that runs tasks itself finishes (no deadlock on its own slot)."""
    import multiprocessing

    from cellmotion.build import cpu_slots

    monkeypatch.delenv(cluster.SLOTS_ENV, raising=False)
    log = tmp_path / "spans.txt"
    with cpu_slots(1), multiprocessing.get_context("spawn").Pool(1) as pool:
        result = pool.apply_async(_run_nested, (str(log),))
        assert result.get(timeout=60) == [[0.05, 0.05]]
    assert len(log.read_text().splitlines()) == 2


def _run_nested(path):
    return list(cluster.map_tasks(_nested, [(path,)], n_jobs=1))
