"""Ablation of our classifier on the real leukocytes: which ingredient buys what? Prints a table.

Data: ``cellmotion.datasets.LEUKOCYTES`` (human leukocytes, four chemoattractant conditions,
four donors; 2D, positions in pixels, time in frames: velocities in px/frame), resampled to
every 2nd frame (``preprocess.to_trajectories(df, interval=2)``), windows of 30 steps.

Two protocols, every model on the same folds of each (``cellmotion.classification``):

- ``grouped``: stratified k-fold grouped by cell (``--folds``, ``--repeats``), Nadeau-Bengio
  corrected t intervals;
- ``donor``: leave one donor out (4 folds), ordinary t intervals over the held-out donors.

Rows: the report's network B, our network (``classification.OURS``) and its ablations (inputs:
velocities only / log speed and turning angle only; no rotation or reflection; no convolution;
trained on overlapping windows, stride 10 steps),
the peers (motility-feature forest; MiniRocket on velocities and on both channel sets;
MultiRocket's pooling on velocities), and
probability-averaging ensembles (ours + forest: a hybrid with motility features; ours +
MiniRocket). Longer context: every per-track column already combines all windows of a cell.
Columns: per-track (per-cell) and per-window balanced accuracy with 95 % intervals, then the
paired per-track difference of ours against each peer.

    .venv/bin/python benchmarks/bench_classify_ablation.py               # main models, both protocols
    .venv/bin/python benchmarks/bench_classify_ablation.py --ablation    # every row (about 50 min with MultiRocket)
    .venv/bin/python benchmarks/bench_classify_ablation.py --quick       # grouped folds, one seed
    .venv/bin/python benchmarks/bench_classify_ablation.py --protocols grouped --models ours forest

Wall times depend on the machine and on other load. Measured on 2 shared cores: every row,
leave one donor out (4 folds x 2 seeds), 18 min; grouped (5 folds x 2 seeds), about 25 min.
The default (main models) takes roughly a third of that; ``--quick`` a few minutes. Those
times were measured with one fold at a time; ``--jobs 2`` (the default now) trains two folds at
once in worker processes, about 1.3x faster on 2 cores, with the same results.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

MAIN_MODELS = ["report-best", "ours", "forest", "minirocket", "ours+forest", "ours+minirocket"]
ABLATION_MODELS = ["report-best", "ours", "ours-velocity", "ours-invariant", "ours-no-augment",
                   "ours-no-conv", "ours-overlap", "forest", "minirocket", "minirocket-both",
                   "multirocket", "ours+forest", "ours+minirocket", "ours+forest+minirocket"]
PEERS = ["forest", "minirocket"]


def table(result, peers=PEERS, ours="ours"):
    import pandas as pd

    rows = {}
    for name, m in result["models"].items():
        t, w = m["per_track_bacc"], m["per_window_bacc"]
        row = {"per track": f"{t['mean']:.3f} [{t['lower']:.3f}, {t['upper']:.3f}]",
               "per window": f"{w['mean']:.3f} [{w['lower']:.3f}, {w['upper']:.3f}]",
               "Brier": f"{m['brier']:.3f}", "s": f"{result['seconds'][name]:.0f}"}
        for p in peers:
            if p in result["paired"].get(name, {}):
                d = result["paired"][name][p]
                row[f"- {p}"] = f"{d['mean']:+.3f} [{d['lower']:+.3f}, {d['upper']:+.3f}]"
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", nargs="*", default=None,
                   help="default: the four main models and two ensembles (--ablation: every row)")
    p.add_argument("--ablation", action="store_true",
                   help="every ablation row (about 50 min with MultiRocket)")
    p.add_argument("--protocols", nargs="*", default=["grouped", "donor"])
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--seeds", type=int, nargs="*", default=[0, 1])
    p.add_argument("--max-epochs", type=int, default=None)
    p.add_argument("--window", type=int, default=30)
    p.add_argument("--jobs", type=int, default=2, help="folds trained at once (worker processes)")
    p.add_argument("--dataset", default=None, help="default: the leukocytes")
    p.add_argument("--quick", action="store_true",
                   help="reduced run: the main models, folds grouped by cell only, one seed")
    args = p.parse_args(argv)
    if args.models is None:
        args.models = ABLATION_MODELS if args.ablation else MAIN_MODELS
    if args.quick:
        args.protocols, args.seeds = ["grouped"], args.seeds[:1]

    import pandas as pd

    from cellmotion import classification as C
    from cellmotion.datasets import LEUKOCYTES, load_dataset
    from cellmotion.preprocess import to_trajectories

    pd.set_option("display.width", 250)
    pd.set_option("display.max_columns", 20)
    dataset = args.dataset or LEUKOCYTES
    t0 = time.perf_counter()
    traj = to_trajectories(load_dataset(dataset), interval=2 if dataset == LEUKOCYTES else 5.0).drop_z()
    print(f"dataset {dataset}: {len(traj)} tracks, {len(set(traj.cells))} cells, conditions "
          f"{traj.condition_names}, seeds {args.seeds} (seed ensemble), window {args.window}")
    for proto in args.protocols:
        folds = (C.grouped_folds(traj, args.window, args.folds, args.repeats, seed=0)
                 if proto == "grouped" else C.replicate_folds(traj))
        t1 = time.perf_counter()
        res = C.evaluate_models(traj, folds, args.models, window=args.window, seeds=tuple(args.seeds),
                                max_epochs=args.max_epochs, report=None, n_jobs=args.jobs)
        print(f"\n== {proto}: {len(folds)} folds ({res['protocol']} intervals), "
              f"{time.perf_counter() - t1:.0f} s")
        print(table(res).to_string(), flush=True)
    print(f"\ntotal {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
