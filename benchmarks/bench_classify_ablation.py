"""Ablation of our classifier on the real leukocytes: which ingredient buys what? Prints a table.

Data: ``cellmotion.datasets.LEUKOCYTES`` (human leukocytes, four chemoattractant conditions,
four donors; 2D, positions in pixels, time in frames: velocities in px/frame), resampled to
every 2nd frame (``preprocess.to_trajectories(df, interval=2)``), windows of 30 steps.

Two protocols, every model on the same folds of each (``cellmotion.classification``):

- ``grouped``: stratified k-fold grouped by cell (``--folds``, ``--repeats``), Nadeau-Bengio
  corrected t intervals;
- ``donor``: leave one donor out (4 folds), Nadeau-Bengio corrected t intervals with each
  donor fold's own numbers of training and test cells; Holm-adjusted p values per table.

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
    .venv/bin/python benchmarks/bench_classify_ablation.py --select      # how our design is chosen

Every model reads rotation-invariant inputs (``classification.input_candidate``), and the
leukocytes' movie drift is removed by their config, as in the book (``--inputs as-is`` lets each
model read its own inputs).

How our network's design is chosen (``--select``)
-------------------------------------------------
The candidates of :data:`SELECT_CANDIDATES` are ranked twice, and neither ranking ever sees the
donor a design is finally scored on:

1. on the synthetic stand-in (no donors): folds grouped by cell;
2. on the leukocytes, nested: for each donor ``d`` held out, the candidates are scored by
   leave-one-donor-out on the *other* donors only (inner folds), the best is retrained on all
   other donors and scored on ``d``. The mean of those outer scores is what the selection
   procedure is worth on a new donor; the design chosen most often (ties: the better synthetic
   rank) is what the procedure recommends.

The result is written to ``benchmarks/selection.json`` (``--out``), with the command, the date
and the probe of the machine. The real-cells chapter reads that record and says which design
the procedure chose and whether it is the one the book calls ``ours``
(``classification.OURS``); the book does not silently switch designs.

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
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

MAIN_MODELS = ["report-best", "ours", "forest", "minirocket", "ours+forest", "ours+minirocket"]
ABLATION_MODELS = ["report-best", "ours", "ours-velocity", "ours-invariant", "ours-no-augment",
                   "ours-no-conv", "ours-overlap", "ours-multiscale", "forest", "minirocket", "minirocket-both",
                   "multirocket", "ours+forest", "ours+minirocket", "ours+forest+minirocket"]
PEERS = ["forest", "minirocket"]
#: Designs of our network the selection chooses from (names of ``classification.MODELS``).
SELECT_CANDIDATES = ["ours", "ours-multiscale", "ours-no-conv", "report-best"]


def select_design(traj, candidates, window, seeds, max_epochs, jobs, synthetic=None, folds=5):
    """Nested choice of our network's design (see the module docstring); returns a dict with the
    synthetic ranking, per outer donor the inner scores, the choice and its outer score."""
    import numpy as np

    from cellmotion import classification

    out = {"candidates": list(candidates), "synthetic": {}, "outer": {}}
    if synthetic is not None:
        synthetic_folds = classification.grouped_folds(synthetic, window, folds, 1, seed=0)
        res = classification.evaluate_models(synthetic, synthetic_folds, candidates, window=window,
                                             seeds=seeds, max_epochs=max_epochs, report=None,
                                             n_jobs=jobs)
        out["synthetic"] = {m: res.models[m].per_track_bacc.mean for m in candidates}
    synth_rank = sorted(candidates, key=lambda m: -out["synthetic"].get(m, 0.0))
    reps = np.asarray(traj.replicates).astype(str)
    outer_folds = classification.replicate_folds(traj)
    chosen = {}
    for tr, te in outer_folds:
        donor = str(reps[te][0])
        inner = traj.subset(tr)
        res = classification.evaluate_models(inner, classification.replicate_folds(inner), candidates,
                                             window=window, seeds=seeds, max_epochs=max_epochs,
                                             report=None, n_jobs=jobs)
        scores = {m: res.models[m].per_track_bacc.mean for m in candidates}
        best = max(candidates, key=lambda m: (scores[m], -synth_rank.index(m)))
        chosen[donor] = best
        out["outer"][donor] = {"inner": scores, "chosen": best}
        print(f"outer donor {donor}: inner scores "
              + ", ".join(f"{m} {v:.3f}" for m, v in scores.items()) + f" -> {best}", flush=True)
    picked = sorted(set(chosen.values()))
    res = classification.evaluate_models(traj, outer_folds, picked, window=window, seeds=seeds,
                                         max_epochs=max_epochs, report=None, n_jobs=jobs)
    for f, (_, te) in enumerate(outer_folds):
        donor = str(reps[te][0])
        out["outer"][donor]["outer_score"] = res.models[chosen[donor]].per_track_bacc.folds[f]
    votes = {m: list(chosen.values()).count(m) for m in picked}
    out["design"] = max(picked, key=lambda m: (votes[m], -synth_rank.index(m)))
    out["nested_score"] = float(np.mean([o["outer_score"] for o in out["outer"].values()]))
    return out


def save_selection(sel: dict, args, seconds: float):
    """Write the selection's record (``args.out``): what was chosen, from what, how, when."""
    import json
    import sys
    from datetime import datetime, timezone
    from pathlib import Path

    from cellmotion.classification import input_candidate
    from cellmotion.probe import measure_probe

    record = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
              "command": "benchmarks/bench_classify_ablation.py " + " ".join(sys.argv[1:]),
              "inputs": "invariant",  # what evaluate_models gives every candidate by default
              "descriptions": {m: input_candidate(m, "invariant").describe() for m in sel["candidates"]},
              "seeds": list(args.seeds), "max_epochs": args.max_epochs, "window": args.window,
              "synthetic_folds": args.folds, **sel, "seconds": round(seconds),
              "probe_seconds": measure_probe()["seconds"]}
    Path(args.out).write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
    print(f"written to {args.out}")


def table(result, peers=PEERS, ours="ours"):
    import pandas as pd

    rows = {}
    for name, m in result.models.items():
        t, w = m.per_track_bacc, m.per_window_bacc
        row = {"per track": f"{t.mean:.3f} [{t.lower:.3f}, {t.upper:.3f}]",
               "per window": f"{w.mean:.3f} [{w.lower:.3f}, {w.upper:.3f}]",
               "Brier": f"{m.brier:.3f}", "s": f"{result.seconds[name]:.0f}"}
        for p in peers:
            if p in result.paired.get(name, {}):
                d = result.paired[name][p]
                row[f"- {p}"] = f"{d.mean:+.3f} [{d.lower:+.3f}, {d.upper:+.3f}]"
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
    p.add_argument("--select", action="store_true",
                   help="choose our network's design: synthetic stand-in and inner donor folds")
    p.add_argument("--inputs", default="invariant", choices=["invariant", "as-is"])
    p.add_argument("--out", default=str(Path(__file__).with_name("selection.json")),
                   help="where --select writes its record (default benchmarks/selection.json)")
    args = p.parse_args(argv)
    if args.models is None:
        args.models = ABLATION_MODELS if args.ablation else MAIN_MODELS
    if args.quick:
        args.protocols, args.seeds = ["grouped"], args.seeds[:1]

    import pandas as pd

    from cellmotion import classification
    from cellmotion.datasets import LEUKOCYTES, load_dataset
    from cellmotion.preprocess import to_trajectories

    pd.set_option("display.width", 250)
    pd.set_option("display.max_columns", 20)
    dataset = args.dataset or LEUKOCYTES
    t0 = time.perf_counter()
    traj = to_trajectories(load_dataset(dataset), interval=2 if dataset == LEUKOCYTES else 5.0).drop_z()
    print(f"dataset {dataset}: {len(traj)} tracks, {len(set(traj.cells))} cells, conditions "
          f"{traj.condition_names}, seeds {args.seeds} (seed ensemble), window {args.window}")
    if args.select:
        from cellmotion.datasets import analysis_interval

        synth = to_trajectories(load_dataset("synthetic"), analysis_interval("synthetic")).drop_z()
        sel = select_design(traj, args.models if args.models != MAIN_MODELS else SELECT_CANDIDATES,
                            args.window, tuple(args.seeds), args.max_epochs, args.jobs, synth,
                            args.folds)
        print("\nsynthetic stand-in, grouped folds: "
              + ", ".join(f"{m} {v:.3f}" for m, v in sel["synthetic"].items()))
        print(f"chosen design: {sel['design']}; nested leave-one-donor-out score of the selection "
              f"{sel['nested_score']:.3f}")
        print(f"\ntotal {time.perf_counter() - t0:.0f} s")
        save_selection(sel, args, time.perf_counter() - t0)
        return sel
    for proto in args.protocols:
        folds = (classification.grouped_folds(traj, args.window, args.folds, args.repeats, seed=0)
                 if proto == "grouped" else classification.replicate_folds(traj))
        t1 = time.perf_counter()
        res = classification.evaluate_models(traj, folds, args.models, window=args.window,
                                             seeds=tuple(args.seeds), max_epochs=args.max_epochs,
                                             report=None, n_jobs=args.jobs, inputs=args.inputs)
        print(f"\n== {proto}: {len(folds)} folds ({res.protocol} intervals), "
              f"{time.perf_counter() - t1:.0f} s")
        print(table(res).to_string(), flush=True)
    print(f"\ntotal {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
