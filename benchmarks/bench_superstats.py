"""Benchmark of the superstatistical fits (cellmotion.superstats): prints numbers.

- seconds per track at the report's grid (200 x 200) and a coarse grid (50 x 50), for a
  3D track of 288 velocity steps (Collagen-like) and a 2D track of 199 steps (dish-like);
- the same 3D tracks with bayesloop's own study, scaled AR(1) model and forward-backward pass
  (``fit_track(fused=False)``) and the ratio of the book's fit (one-pass likelihood, compiled
  pass: ``cellmotion.superstats.compiled``) to it;
- speed-up of 2 joblib workers (loky processes) over 1 on the same batch of tracks at
  200 x 200 (target >= 1.7 on an idle 2-core machine).

With ``--noise-ablation`` it measures instead what the simulator's per-condition tracking-noise
models change: a small synthetic dataset (``--scale`` of the tracks per condition) is simulated
with the default noise models, with one shared noise model (white, 2 µm) and without noise,
resampled to 5 min and fitted on a coarse grid; it prints the density peaks and marginal
means per condition and variant.

Usage: .venv/bin/python benchmarks/bench_superstats.py [--tracks 8] [--grid 200] [--quick]
       .venv/bin/python benchmarks/bench_superstats.py --noise-ablation [--scale 0.1] [--coarse 50]
Timings depend on the load of the machine: report it with the numbers.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from cellmotion import superstats as ss


def seconds_per_track(vels, model, repeats=1, fused=True):
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        for v in vels:
            ss.fit_track(v, model, fused=fused)
        best = min(best, (time.perf_counter() - t0) / len(vels))
    return best


def noise_ablation(scale: float, grid: int, seed: int = 0):
    """Density summaries per condition for default, shared and no tracking noise."""
    import pandas as pd

    from cellmotion.preprocess import to_trajectories
    from cellmotion.synthetic.simulator import default_models, simulate_dataset

    m = ss.SuperstatModel(n_persistence=grid, n_speed=grid)
    variants = {"per-condition noise (default)": (default_models(), True),
                "shared white noise 2 µm": (default_models(shared_noise=(2.0, 0.0)), True),
                "no noise": (default_models(), False)}
    rows = []
    for name, (models, noisy) in variants.items():
        df = simulate_dataset(models, seed=seed, with_noise=noisy, scale=scale)
        traj = to_trajectories(df, interval=5.0)
        res = ss.fit_trajectories(traj, m, progress=False, on_error="skip")
        for cond in res.condition_names:
            summ = ss.density_summary(res.condition_density(cond), m)
            rows.append({"variant": name, "condition": cond, "tracks": int((res.conditions == cond).sum()),
                         **{k: round(v, 3) for k, v in summ.items() if k != "hdr50_area"}})
    print(pd.DataFrame(rows).to_string(index=False))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tracks", type=int, default=8, help="tracks in the parallel batch")
    p.add_argument("--grid", type=int, default=200, help="grid points per parameter (full)")
    p.add_argument("--coarse", type=int, default=50, help="grid points per parameter (coarse)")
    p.add_argument("--noise-ablation", action="store_true", help="measure the noise models instead")
    p.add_argument("--scale", type=float, default=0.1, help="share of tracks per condition (ablation)")
    p.add_argument("--quick", action="store_true",
                   help="4 tracks in the parallel batch (for benchmarks/run.py --quick)")
    args = p.parse_args()
    if args.quick:
        args.tracks = 4
    if args.noise_ablation:
        print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()}")
        t0 = time.perf_counter()
        noise_ablation(args.scale, args.coarse)
        print(f"{time.perf_counter() - t0:.0f} s")
        return

    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()}")
    v3, _, _ = ss.known_parameter_tracks("drifting", n_tracks=2, n_steps=288, dims=3, seed=0)
    v2, _, _ = ss.known_parameter_tracks("drifting", n_tracks=2, n_steps=199, dims=2, seed=1)
    ss.fit_track(v2[0], ss.SuperstatModel(n_persistence=20, n_speed=20))  # warm-up (imports)
    for n in (args.grid, args.coarse):
        m = ss.SuperstatModel(n_persistence=n, n_speed=n)
        print(f"grid {n}x{n}: {seconds_per_track(v3, m):.3f} s/track (3D, 288 steps), "
              f"{seconds_per_track(v2, m):.3f} s/track (2D, 199 steps)")
    m = ss.SuperstatModel(n_persistence=args.grid, n_speed=args.grid)
    own = seconds_per_track(v3, m, fused=False)
    print(f"grid {args.grid}x{args.grid} with bayesloop's own study and models: {own:.3f} s/track "
          f"(3D, 288 steps); the book's fit (one-pass likelihood, compiled forward-backward "
          f"pass) takes {seconds_per_track(v3, m) / own:.2f} of that")

    m = ss.SuperstatModel(n_persistence=args.grid, n_speed=args.grid)
    batch, _, _ = ss.known_parameter_tracks("drifting", n_tracks=args.tracks, n_steps=288, dims=3,
                                            seed=2)
    ss.fit_tracks(batch[:2], m, n_jobs=2, progress=False)  # start the worker pool
    times = {}
    for jobs in (1, 2):
        t0 = time.perf_counter()
        fits = ss.fit_tracks(batch, m, n_jobs=jobs, progress=False)
        times[jobs] = time.perf_counter() - t0
        inside = np.mean([f.seconds for f in fits])
        print(f"n_jobs={jobs}: {times[jobs]:.2f} s for {args.tracks} tracks "
              f"({times[jobs] / args.tracks:.3f} s/track; one fit takes {inside:.3f} s inside "
              f"its worker: if this grows with n_jobs, the workers are starved of CPU)")
    print(f"speed-up 2 workers / 1 worker: {times[1] / times[2]:.2f}x (target >= 1.7)")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
