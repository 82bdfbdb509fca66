"""Does the fast training schedule reach the report's test accuracy in a fraction of the time?

For each network (A-D) trains once with the report's schedule (batch 15, 100 epochs,
RMSprop 0.001, no validation set) and once with :data:`cellmotion.classification.FAST` (batch 48,
learning rate 0.002, inputs standardised, gradient-norm clipping, early stopping on a
validation set of training tracks with the best weights restored), on the same seeded 80/20
split of the synthetic dataset **without z** (the flat z of the 2D conditions would give Collagen
away), and prints: network, schedule, epochs, wall time, test accuracy and balanced accuracy
per window and per track.

    .venv/bin/python benchmarks/bench_classify_schedule.py            # full comparison
    .venv/bin/python benchmarks/bench_classify_schedule.py --networks A B --original-epochs 50

``--original-epochs`` shortens the report's schedule (reduced run; then say so).
Wall times depend on the machine and on other load.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import replace

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--networks", nargs="*", default=["A", "B", "C", "D"])
    p.add_argument("--original-epochs", type=int, default=100)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dataset", default="synthetic")
    p.add_argument("--quick", action="store_true", help="reduced run: network B, 30 original epochs")
    args = p.parse_args(argv)
    if args.quick:
        args.networks, args.original_epochs = ["B"], min(args.original_epochs, 30)

    from cellmotion import classification as C
    from cellmotion.datasets import load_dataset
    from cellmotion.preprocess import split_tracks, to_trajectories

    traj = to_trajectories(load_dataset(args.dataset, seed=args.seed), 5.0).drop_z()
    tr, te = split_tracks(traj, 0.2, seed=args.seed)
    original = replace(C.ORIGINAL, max_epochs=args.original_epochs)
    print(f"dataset {args.dataset} without z ({len(traj)} tracks), train {len(tr)} / test {len(te)} tracks, "
          f"original schedule {original.max_epochs} epochs" + (" (REDUCED)" if original.max_epochs < 100 else ""))
    head = (f"{'network':8}{'schedule':10}{'epochs':>7}{'wall [s]':>10}{'test acc':>10}{'balanced':>10}"
            f"{'track bal.':>11}")
    print(head)
    print("-" * len(head))
    totals = {"original": 0.0, "fast": 0.0}
    for name in args.networks:
        for label, sch in (("original", original), ("fast", C.FAST)):
            t0 = time.perf_counter()
            r = C.train_and_evaluate(traj, tr, te, C.NETWORKS[name], sch, seed=args.seed,
                                     scaler="report")  # the report's [-1, 1] inputs, as Table 2
            wall = time.perf_counter() - t0
            totals[label] += wall
            print(f"{name:8}{label:10}{r.epochs:>7}{wall:>10.1f}{r.metrics['overall']:>10.3f}"
                  f"{r.metrics['balanced']:>10.3f}{r.metrics['per_track_balanced']:>11.3f}", flush=True)
    print(f"total wall time: original {totals['original']:.0f} s, fast {totals['fast']:.0f} s "
          f"(speed-up {totals['original'] / max(totals['fast'], 1e-9):.1f}x)")


if __name__ == "__main__":
    main()
