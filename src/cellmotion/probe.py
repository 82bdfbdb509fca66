"""A fixed reference workload (the *probe*) and the build's cost model.

Machines of the same kind differ in speed (on this project's 2-core machines by up to 1.8x),
so a wall time alone says little about the next machine. :func:`run_probe` runs a few seconds
of the book's own kind of compute on fixed data: one epoch of the report's network B (Keras
LSTM, the book's training schedule) on fixed synthetic windows, and one bayesloop fit of one
fixed track on the report's 200 x 200 grid (:func:`cellmotion.superstats.fit_track`). Its
seconds are the unit in which budgets are comparable: a chapter that takes 40 probes takes
about 40 probes on any machine.

The cost model (``benchmarks/cost_model.json``, written by ``benchmarks/bench_scale.py``)
holds, per profile and chapter, a power law fitted to measured times,

    seconds = a * (probe seconds now / probe seconds when measured) * size ** b,

where ``size`` is the number of positions of the dataset at its analysis interval
(:func:`dataset_size`). :func:`fit_power_law` fits ``a`` and ``b`` by least squares in
log-log space; :func:`estimate_seconds` evaluates the model; the build runner
(:mod:`cellmotion.build`) prints the estimates before it executes anything.

``python -m cellmotion.probe`` runs the probe and prints its result as JSON (the build and
the benchmarks run it in a fresh process, so that TensorFlow never enters theirs).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

#: Where the cost model lives, relative to the project root.
COST_MODEL = "benchmarks/cost_model.json"
#: Windows per class and steps per window of the probe's classifier epoch.
PROBE_WINDOWS, PROBE_STEPS = 2000, 30
#: Velocity steps and grid points per parameter of the probe's bayesloop fit.
PROBE_TRACK_STEPS, PROBE_GRID = 200, 200


# --------------------------------------------------------------------------- the probe
def probe_windows(n_per_class: int = PROBE_WINDOWS, steps: int = PROBE_STEPS, seed: int = 0):
    """Fixed training windows for the probe: three classes of persistent random walks.

    Parameters
    ----------
    n_per_class : int
        Windows per class.
    steps : int
        Velocity steps per window.
    seed : int
        Seed of the windows (the probe always uses 0).

    Returns
    -------
    X : numpy.ndarray
        ``(3 * n_per_class, steps, 2)`` float32 velocities [µm/min], scaled to unit s.d.
    y : numpy.ndarray
        ``(3 * n_per_class,)`` integer labels.
    """
    from .synthetic.simulator import simulate_ar1_velocities

    rng = np.random.default_rng(seed)
    X, y = [], []
    for label, q in enumerate((-0.2, 0.3, 0.9)):
        for _ in range(n_per_class):
            X.append(simulate_ar1_velocities(np.full(steps, q), 0.5 * np.sqrt(1 - q**2), 2, rng))
            y.append(label)
    X = np.asarray(X, np.float32)
    return X / X.std(), np.asarray(y, int)


def probe_track(steps: int = PROBE_TRACK_STEPS, seed: int = 0) -> np.ndarray:
    """The probe's fixed track: ``(steps, 2)`` velocities whose persistence and speed drift.

    Parameters
    ----------
    steps : int
        Velocity steps.
    seed : int
        Seed (the probe always uses 0).

    Returns
    -------
    numpy.ndarray
        Velocities [µm/min] (:func:`cellmotion.superstats.known_parameter_tracks`, drifting).
    """
    from .superstats.recovery import known_parameter_tracks

    vels, _, _ = known_parameter_tracks("drifting", n_tracks=1, n_steps=steps, dims=2, seed=seed)
    return vels[0]


def run_probe() -> dict:
    """Run the fixed reference workload once and time its two parts.

    The classifier part trains the report's network B (10 LSTM units) with the book's
    schedule (:data:`cellmotion.models.networks.FAST`: batch 48, RMSprop, gradient clipping,
    32 batches per compiled step) for one epoch on :func:`probe_windows`; the model is built
    and its training step compiled on one batch first, so the timed epoch is compute, not
    tracing. The statistics part fits :func:`probe_track` with bayesloop on the report's
    200 x 200 grid (:func:`cellmotion.superstats.fit_track` with bayesloop's own likelihood,
    so a faster fit in the book does not change the probe). Imports are not timed.

    Returns
    -------
    dict
        ``keras_epoch_s`` and ``bayesloop_fit_s`` (seconds of each part) and ``seconds``
        (their sum, the probe), plus ``windows`` and ``track_steps`` (the fixed sizes).
    """
    from . import runtime
    from .models.networks import FAST, NETWORKS, build_classifier
    from .superstats.fit import SuperstatModel, fit_track

    keras = runtime.keras()
    import bayesloop  # noqa: F401  (imported before the clock starts)

    X, y = probe_windows()
    keras.utils.set_random_seed(0)
    model = build_classifier(NETWORKS["B"], n_features=X.shape[2], n_classes=3,
                             learning_rate=FAST.learning_rate, seed=0, clipnorm=FAST.clipnorm,
                             steps_per_execution=FAST.steps_per_execution)
    # trace and compile the training step outside the timed epoch
    model.fit(X[: FAST.batch_size * FAST.steps_per_execution], y[: FAST.batch_size * FAST.steps_per_execution],
              batch_size=FAST.batch_size, epochs=1, verbose=0, shuffle=False)
    t0 = time.perf_counter()
    model.fit(X, y, batch_size=FAST.batch_size, epochs=1, verbose=0, shuffle=True)
    keras_s = time.perf_counter() - t0

    track = probe_track()
    grid = SuperstatModel(n_persistence=PROBE_GRID, n_speed=PROBE_GRID, speed_range=(0.0, 1.5))
    t0 = time.perf_counter()
    fit_track(track, grid, fused=False)  # bayesloop's own likelihood: a fixed workload
    bayes_s = time.perf_counter() - t0
    return {"keras_epoch_s": round(keras_s, 3), "bayesloop_fit_s": round(bayes_s, 3),
            "seconds": round(keras_s + bayes_s, 3), "windows": int(len(X)),
            "track_steps": int(len(track))}


def measure_probe(python: str | None = None, timeout: float = 600) -> dict:
    """Run :func:`run_probe` in a fresh Python process and return its result.

    Parameters
    ----------
    python : str, optional
        Interpreter to use (default: this one).
    timeout : float
        Seconds after which the probe is abandoned.

    Returns
    -------
    dict
        What :func:`run_probe` returns.

    Raises
    ------
    RuntimeError
        When the probe fails or prints no result.
    """
    proc = subprocess.run([python or sys.executable, "-m", "cellmotion.probe"], capture_output=True,
                          text=True, timeout=timeout)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"the probe failed (exit {proc.returncode}): {proc.stderr[-2000:]}")
    return json.loads(lines[-1])


# --------------------------------------------------------------------------- dataset size
def dataset_size(tracks, interval: float) -> dict:
    """How large a dataset is for the cost model: tracks and positions at the analysis interval.

    Parameters
    ----------
    tracks : pandas.DataFrame
        A curated tidy table (:func:`cellmotion.datasets.load_dataset`): ``track_id`` and ``t``.
    interval : float
        The analysis interval (:func:`cellmotion.datasets.analysis_interval`).

    Returns
    -------
    dict
        ``tracks`` (number of tracks) and ``positions`` (sum over tracks of
        ``floor(duration / interval) + 1``, the positions each track has after resampling).
    """
    t = tracks.groupby("track_id", sort=False)["t"].agg(["min", "max"])
    positions = np.floor((t["max"] - t["min"]).to_numpy(float) / float(interval) + 1e-9) + 1
    return {"tracks": int(len(t)), "positions": int(positions.sum())}


# --------------------------------------------------------------------------- the cost model
def fit_power_law(sizes, seconds) -> dict:
    """Least-squares fit of ``seconds = a * size ** b`` in log-log space.

    Parameters
    ----------
    sizes, seconds : sequence of float
        Positive measurements (at least two distinct sizes).

    Returns
    -------
    dict
        ``a`` (seconds at size 1), ``b`` (the growth exponent), ``r2`` (coefficient of
        determination of the log-log fit; 1.0 for two points) and ``n`` (points used).

    Raises
    ------
    ValueError
        With fewer than two distinct positive sizes, or a non-positive time.
    """
    x, y = np.asarray(sizes, float), np.asarray(seconds, float)
    if x.shape != y.shape or len(x) < 2 or len(np.unique(x)) < 2:
        raise ValueError("a power law needs times at two or more distinct sizes")
    if np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("sizes and times must be positive for a log-log fit")
    lx, ly = np.log(x), np.log(y)
    b, log_a = np.polyfit(lx, ly, 1)
    resid = ly - (log_a + b * lx)
    ss = float(((ly - ly.mean()) ** 2).sum())
    r2 = 1.0 - float((resid**2).sum()) / ss if ss > 0 else 1.0
    return {"a": float(np.exp(log_a)), "b": float(b), "r2": r2, "n": int(len(x))}


def estimate_seconds(law: dict, size: float, probe_seconds: float | None = None,
                     reference_probe: float | None = None) -> float:
    """Seconds a chapter is expected to take: ``a * (probe / reference probe) * size ** b``.

    Parameters
    ----------
    law : dict
        ``a`` and ``b`` of :func:`fit_power_law`.
    size : float
        The dataset's size, in the measure the law was fitted on.
    probe_seconds : float, optional
        The probe on this machine now; without it (or without ``reference_probe``) the ratio
        is taken as 1 (the machine the law was measured on).
    reference_probe : float, optional
        The probe on the machine and at the time the law was measured.

    Returns
    -------
    float
        Estimated wall seconds.
    """
    ratio = 1.0
    if probe_seconds and reference_probe:
        ratio = float(probe_seconds) / float(reference_probe)
    return float(law["a"]) * ratio * float(size) ** float(law["b"])


def load_cost_model(root) -> dict | None:
    """The stored cost model of a project (``benchmarks/cost_model.json``), or None.

    Parameters
    ----------
    root : path-like
        The project root.

    Returns
    -------
    dict or None
        ``{"size": measure, "profiles": {profile: {"probe_seconds", "chapters": {stem: law}}}}``
        or None when the file is absent or unreadable.
    """
    path = Path(root) / COST_MODEL
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def chapter_estimates(model: dict | None, profile: str, stems, size: dict,
                      probe_seconds: float | None = None) -> dict:
    """Estimated seconds per chapter for one profile and dataset size.

    Parameters
    ----------
    model : dict or None
        A cost model (:func:`load_cost_model`).
    profile : str
        The build's profile.
    stems : sequence of str
        The chapters to estimate.
    size : dict
        :func:`dataset_size` of the dataset.
    probe_seconds : float, optional
        The probe on this machine now.

    Returns
    -------
    dict
        ``{stem: seconds or None}``; None where the model has no law for the chapter (or no
        model, or no law for the profile, exists).
    """
    laws = ((model or {}).get("profiles", {}).get(profile) or {})
    chapters, ref = laws.get("chapters", {}), laws.get("probe_seconds")
    measure = (model or {}).get("size", "positions")
    out = {}
    for s in stems:
        law = chapters.get(s)
        out[s] = (None if law is None or measure not in size
                  else estimate_seconds(law, size[measure], probe_seconds, ref))
    return out


def update_cost_model(model: dict | None, profile: str, probe_seconds: float, laws: dict,
                      measured: str, size: str = "positions") -> dict:
    """A cost model with ``laws`` (``{stem: law}``) stored for ``profile``.

    Laws of other chapters and profiles are kept. The laws of one call share one probe, so
    a chapter's law measured earlier under another probe is rescaled to this probe
    (``a * probe_now / probe_then``) when kept.

    Parameters
    ----------
    model : dict or None
        The stored model, or None for a new one.
    profile : str
        The profile the laws were measured in.
    probe_seconds : float
        The probe measured with these laws.
    laws : dict
        ``{stem: {"a", "b", ...}}`` from :func:`fit_power_law` (extra keys are kept).
    measured : str
        When (UTC), for the record.
    size : str
        The size measure the laws were fitted on (``positions`` or ``tracks``).

    Returns
    -------
    dict
        The updated model (a new dict).
    """
    model = json.loads(json.dumps(model or {}))
    if model.get("size", size) != size:
        model = {}  # laws of another size measure cannot be mixed
    model["size"] = size
    prof = model.setdefault("profiles", {}).setdefault(profile, {})
    old_ref, kept = prof.get("probe_seconds"), prof.get("chapters", {})
    if old_ref:
        for law in kept.values():
            law["a"] = float(law["a"]) * float(probe_seconds) / float(old_ref)
    kept.update(laws)
    prof.update({"probe_seconds": float(probe_seconds), "measured": measured, "chapters": kept})
    return model


def main() -> None:
    """Run the probe and print its result as one line of JSON."""
    print(json.dumps(run_probe()))


if __name__ == "__main__":
    main()
