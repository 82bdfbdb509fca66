"""Independent work on a Dask cluster when one is given, on local processes otherwise.

The book's costly work is made of independent tasks: one bayesloop study per track, one
set of classifiers per cross-validation fold. Both go through :func:`map_tasks`, which runs
them in local worker processes (joblib) by default and as tasks on a Dask cluster
(Rocklin 2015) when one is configured. Nothing else changes: the same seeded functions run, so
a cluster gives the same numbers as one machine, and a worker that dies mid-run costs only
time: its tasks run again on another worker (tested with a real scheduler and workers started
as separate processes, ``tests/test_cluster.py``).

Where the cluster's address comes from, first match wins:

1. an explicit ``address`` argument;
2. ``CELLMOTION_DASK`` (set by the build runner from ``make book DASK=tcp://host:8786``);
3. ``DASK_SCHEDULER_ADDRESS``, the variable Dask itself reads.

Without an address, nothing changes. A scheduler that cannot be
reached within ``timeout`` seconds is an error naming the address (never a silent fallback:
a user who asked for a cluster must know it is not used). The workers must have this package
and its dependencies installed (the same ``pip install -c constraints.txt -e .``); tasks carry
their data with them, so no shared file system is needed.
"""

from __future__ import annotations

import contextlib
import os
import time
import warnings

# joblib's process pool replaces a worker whose memory grew while training (TensorFlow keeps
# what it allocated) and says so from its manager thread, on the chapter's standard error and
# hence on the rendered page. The replacement is plumbing: the tasks run on, with the same
# results. Only this notice is silenced, nothing else from joblib.
warnings.filterwarnings("ignore", message="A worker stopped while some jobs were given to the executor",
                        category=UserWarning)

#: The build runner's variable (``make book DASK=...``).
CLUSTER_ENV = "CELLMOTION_DASK"
#: The build runner's variable for chapters side by side: a folder of lock files, one per core
#: (:func:`cpu_slot`).
SLOTS_ENV = "CELLMOTION_CPU_SLOTS"
#: Dask's own variable for the scheduler's address.
DASK_ENV = "DASK_SCHEDULER_ADDRESS"
#: Seconds to wait for any one task's result on a cluster (unset: no limit, since a fold may
#: train for a long time); the tests set it, so that a lost cluster fails them instead of
#: hanging them.
TASK_TIMEOUT_ENV = "CELLMOTION_TASK_TIMEOUT"

_clients: dict = {}


def scheduler_address(address: str | None = None) -> str | None:
    """The Dask scheduler to use, or ``None`` for local processes.

    Parameters
    ----------
    address : str, optional
        An explicit address (``tcp://host:port``); wins over the environment.

    Returns
    -------
    str or None
        The address from the argument, ``CELLMOTION_DASK`` or ``DASK_SCHEDULER_ADDRESS``.
    """
    for value in (address, os.environ.get(CLUSTER_ENV), os.environ.get(DASK_ENV)):
        if value and value.strip():
            return value.strip()
    return None


def client(address: str | None = None, timeout: float = 30.0):
    """A connected ``distributed.Client`` for ``address`` (one per address and process).

    Raises
    ------
    RuntimeError
        When no address is configured, Dask's distributed package is missing, or the
        scheduler cannot be reached within ``timeout`` seconds.
    """
    address = scheduler_address(address)
    if address is None:
        raise RuntimeError("no Dask scheduler configured: pass an address or set "
                           f"{CLUSTER_ENV} / {DASK_ENV} (e.g. tcp://127.0.0.1:8786)")
    known = _clients.get(address)
    if known is not None and known.status == "running":
        return known
    try:
        import distributed
    except ImportError as err:  # pragma: no cover - distributed is a dependency of .[dask]
        raise RuntimeError("a Dask scheduler was given but dask.distributed is not installed: "
                           "pip install 'cellmotion[dask]'") from err
    try:
        c = distributed.Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as err:
        raise RuntimeError(f"cannot reach the Dask scheduler at {address} within {timeout:.0f} s "
                           f"({type(err).__name__}: {err}); is it running, and is the address "
                           "right?") from None
    _clients[address] = c
    return c


_active: list = []


@contextlib.contextmanager
def use(address: str | None = None, timeout: float = 30.0):
    """Send the :func:`map_tasks` calls inside this block to the configured Dask cluster.

    Without a configured address this is a no-op (local processes). Yields the client, or
    ``None`` when running locally.

    Examples
    --------
    >>> with use("tcp://127.0.0.1:8786"):     # doctest: +SKIP
    ...     fits = fit_tracks(velocities)    # every track a task on the cluster
    """
    if scheduler_address(address) is None:
        yield None
        return
    c = client(address, timeout)
    _active.append(c)
    try:
        yield c
    finally:
        _active.remove(c)


def active_client():
    """The client of the innermost :func:`use` block, else of the environment's address, else
    ``None`` (local processes)."""
    if _active:
        return _active[-1]
    if scheduler_address() is not None:
        return client()
    return None


_slots_held = 0  # slots this process holds (a task inside a task takes no second one)


@contextlib.contextmanager
def cpu_slot():
    """Hold one of the build's CPU slots while the block runs (a no-op outside the runner).

    Chapters side by side each start their own worker processes, so on two cores up to six
    processes computed at once. Time-slicing them costs CPU time, not only waiting: the
    real-cell chapter took 659 CPU-s executed alone and 850 CPU-s beside two other chapters
    (same parameters, 2026-12-03). The build runner (``cellmotion.build``, chapters side by
    side) therefore makes a folder with one lock file per core and names it in
    :data:`SLOTS_ENV`; every local task of :func:`map_tasks` holds one of them (an exclusive
    ``flock``, released by the system if the process dies) while it runs, so the chapters'
    tasks together keep each core busy with one task at a time. A process waiting for a slot
    looks again every 10 ms at normal CPU priority and every 50 ms at a lower one (chapters off
    the longest chain), so the longest chain mostly goes first. Without the variable, on a
    system without ``fcntl``, or inside a task that already holds a slot, nothing is held.
    """
    global _slots_held
    folder = os.environ.get(SLOTS_ENV)
    handle = None
    if folder and not _slots_held:
        try:
            import fcntl
        except ImportError:  # not a POSIX system: no slots
            fcntl = None
        paths = sorted(p for p in os.listdir(folder) if p.startswith("slot-")) \
            if fcntl is not None and os.path.isdir(folder) else []
        pause = 0.01 if not hasattr(os, "nice") or os.nice(0) <= 0 else 0.05
        while paths and handle is None:
            for p in paths:
                try:
                    f = open(os.path.join(folder, p), "a")
                except OSError:  # the runner's folder is gone: hold nothing
                    paths = []
                    break
                try:
                    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    f.close()
                    continue
                handle = f
                break
            else:
                time.sleep(pause)
    _slots_held += 1
    try:
        yield
    finally:
        _slots_held -= 1
        if handle is not None:
            handle.close()  # closing the file releases its lock


def _in_slot(func, args):
    """``func(*args)`` holding a CPU slot (:func:`cpu_slot`); module level for the workers."""
    with cpu_slot():
        return func(*args)


def map_tasks(func, arguments, *, n_jobs: int = -1, name: str | None = None):
    """``func(*args)`` for every tuple in ``arguments``, results in input order (a generator).

    On a cluster (:func:`active_client`) every call is one Dask task whose arguments travel
    inside the task itself, so that the scheduler can run it again elsewhere when its worker
    dies (data scattered to one worker would be lost with it). Locally, ``n_jobs`` worker
    processes (joblib, ``-1``: all cores; ``1``: in this process). Either way the function and
    its arguments are the same, so the results are too.

    Parameters
    ----------
    func : callable
        A module-level function (it is pickled for the workers).
    arguments : iterable of tuple
        Positional arguments of each call.
    n_jobs : int
        Local worker processes; ignored on a cluster (its workers decide).
    name : str, optional
        Prefix of the tasks' keys on the cluster (shown on Dask's dashboard).

    Yields
    ------
    object
        ``func(*args)`` of each call, in the order of ``arguments``.
    """
    arguments = [tuple(a) for a in arguments]
    c = active_client()
    if c is not None:
        import uuid

        prefix = name or getattr(func, "__name__", "task")
        run = uuid.uuid4().hex[:8]
        futures = [c.submit(func, *args, pure=False, key=f"{prefix}-{run}-{i}")
                   for i, args in enumerate(arguments)]
        timeout = float(os.environ.get(TASK_TIMEOUT_ENV) or 0) or None
        try:
            for f in futures:
                yield f.result(timeout=timeout)
        finally:
            for f in futures:
                f.release()
        return
    if n_jobs == 1 or len(arguments) <= 1:
        for args in arguments:
            yield _in_slot(func, args)  # the slot is free again while the caller works
        return
    from joblib import Parallel, delayed

    yield from Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_in_slot)(func, args) for args in arguments)


def describe(address: str | None = None) -> str:
    """One sentence saying where the independent work runs (for the build's console)."""
    address = scheduler_address(address)
    if address is None:
        return "independent work runs in local processes (no Dask scheduler given)"
    return f"independent work runs on the Dask cluster at {address}"
