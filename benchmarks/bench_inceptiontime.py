"""What aeon's InceptionTime would cost as a sequence-model peer on the real cells: prints numbers.

The real-cell chapter's peers are aeon's MiniRocket and MultiRocket and a motility-feature
forest; a deep time-series classifier from the same library would be the natural
sequence-model peer beside our LSTM. This measures one of InceptionTime's networks (aeon's
``IndividualInceptionClassifier``, Ismail Fawaz et al. 2020; the published classifier is an
ensemble of five) on the first leave-one-donor-out fold of the bundled leukocytes, with the
chapter's inputs (rotation-invariant channels: log speed and turning angle; windows of 30
steps, training windows every 10 steps, test windows not overlapping, the config's drift
removal): wall time, CPU time of this process and balanced accuracy per test window, for a
few epoch counts. Compare with the chapter's whole CPU time in ``benchmarks/latest.json``.

Usage: .venv/bin/python benchmarks/bench_inceptiontime.py [--epochs 10 30] [--fold 0] [--quick]
Timings depend on the machine and its load: report them with the probe
(``python -m cellmotion.probe``).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=int, nargs="+", default=[10, 30])
    p.add_argument("--fold", type=int, default=0, help="which donor is held out (index)")
    p.add_argument("--window", type=int, default=30)
    p.add_argument("--stride", type=int, default=10, help="steps between training windows")
    p.add_argument("--quick", action="store_true", help="2 epochs only (the benchmark suite's quick form)")
    args = p.parse_args(argv)
    if args.quick:
        args.epochs = [2]

    import numpy as np
    from aeon.classification.deep_learning import IndividualInceptionClassifier
    from sklearn.metrics import balanced_accuracy_score

    from cellmotion import classification, peers
    from cellmotion.datasets import LEUKOCYTES, analysis_interval, load_dataset
    from cellmotion.preprocess import make_windows, to_trajectories

    traj = to_trajectories(load_dataset(LEUKOCYTES), interval=analysis_interval(LEUKOCYTES)).drop_z()
    tr, te = classification.replicate_folds(traj)[args.fold]

    def windows(idx, stride):
        sub = traj.subset(idx)
        X, y, _ = make_windows(sub.velocities, sub.labels, args.window, stride=stride)
        # aeon wants (cases, channels, time)
        return np.transpose(peers.input_channels(X, "invariant"), (0, 2, 1)), np.asarray(y)

    Xtr, ytr = windows(tr, args.stride)
    Xte, yte = windows(te, None)
    held_out = ", ".join(sorted({str(r) for r in np.asarray(traj.replicates)[te]}))
    print(f"donor held out: {held_out}; {len(Xtr)} training windows, {len(Xte)} test windows, "
          f"{Xtr.shape[1]} channels x {Xtr.shape[2]} steps")
    with tempfile.TemporaryDirectory() as scratch:
        for epochs in args.epochs:
            c0, t0 = time.process_time(), time.perf_counter()
            clf = IndividualInceptionClassifier(n_epochs=epochs, batch_size=64, random_state=0,
                                                verbose=False, file_path=scratch + os.sep)
            with contextlib.redirect_stdout(io.StringIO()):  # Keras's progress bars of predict
                clf.fit(Xtr, ytr)
                bacc = balanced_accuracy_score(yte, clf.predict(Xte))
            print(f"{epochs:4d} epochs: wall {time.perf_counter() - t0:7.1f} s, "
                  f"CPU {time.process_time() - c0:7.1f} s, balanced accuracy per window {bacc:.3f}",
                  flush=True)


if __name__ == "__main__":
    main()
