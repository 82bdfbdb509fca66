"""Benchmark: teacher-forced batched training vs the report's one-step stateful scheme.

Prints numbers; not a test. Same condition, same training tracks, same held-out tracks,
same initial weights (same seed), same network (1 LSTM layer x 10 units + 10-component
mixture), RMSprop 0.001, same normalisation, held-out NLL in nats per step with
velocities in µm/min.

* one-step scheme (Rieke 2016, section 5.2): stateful LSTM, batch = one time step of one
  track, ``train_on_batch`` step after step, state reset between tracks, no shuffling.
  The report ran 300 epochs; that is hours on a CPU, so by default this runs
  ``--onestep-epochs`` epochs and says plainly that the target is the NLL reached after
  those epochs (and extrapolates the 300-epoch wall time linearly).
* ours: whole tracks, ``--batch-size`` tracks per batch, teacher forcing.

Two targets: the held-out NLL of the one-step scheme's final weights (what the report kept:
it had no held-out set) and the best NLL it reached at any evaluation. Reported: wall time
of each scheme until its held-out NLL first reaches a target (evaluation time excluded;
XLA compilation included), their ratio, and the ratio to 300 one-step epochs.
Then: generation wall time for 1, 100 and 10,000 tracks of 200 steps generated at once.

    .venv/bin/python benchmarks/bench_generation.py --condition Collagen --onestep-epochs 6
    .venv/bin/python benchmarks/bench_generation.py --quick [--no-jit]   # 1 one-step epoch
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np

from cellmotion import generation as G
from cellmotion.models import mdn
from cellmotion.datasets import load_dataset
from cellmotion.preprocess import Scaler, split_tracks, to_trajectories


def heldout(model_seq, gen_proto, test_vels, weights):
    model_seq.set_weights(weights)
    return G.heldout_nll(gen_proto, test_vels)


def run_onestep(train_s, test_vels, gen_proto, d, seed, epochs, eval_every, jit=True):
    """Report's scheme. Returns [(train_seconds, heldout_nll)] after every ``eval_every`` tracks."""
    model = mdn.build_mdn_model(d, seed=seed, stateful_batch=1, jit_compile=jit)
    lstm = model.get_layer("lstm")
    curve, t_train = [], 0.0
    n_done = 0
    for ep in range(epochs):
        for v in train_s:
            t0 = time.perf_counter()
            x = v[:-1].astype(np.float32)
            y = np.concatenate([v[1:], np.ones((len(v) - 1, 1))], axis=1).astype(np.float32)
            for t in range(len(x)):
                model.train_on_batch(x[t][None, None], y[t][None, None])
            lstm.reset_states()
            t_train += time.perf_counter() - t0
            n_done += 1
            if n_done % eval_every == 0 or n_done == epochs * len(train_s):
                nll = heldout(gen_proto.model, gen_proto, test_vels, model.get_weights())
                curve.append((t_train, nll, n_done / len(train_s)))
                print(f"  one-step: epoch {n_done / len(train_s):5.2f}  train {t_train:7.1f} s  "
                      f"held-out NLL {nll:.4f}", flush=True)
    return curve


def run_ours(train_s, test_vels, gen_proto, seed, batch_size, max_epochs, target):
    import keras

    model = gen_proto.model
    keras.utils.set_random_seed(seed)
    X, Y = G.teacher_forcing_arrays(train_s)
    curve, t_train = [], 0.0
    for ep in range(max_epochs):
        t0 = time.perf_counter()
        model.fit(X, Y, batch_size=batch_size, epochs=1, shuffle=True, verbose=0)
        t_train += time.perf_counter() - t0
        nll = G.heldout_nll(gen_proto, test_vels)
        curve.append((t_train, nll, ep + 1))
        if (ep + 1) % 50 == 0 or nll <= target:
            print(f"  ours: epoch {ep + 1:4d}  train {t_train:7.1f} s  held-out NLL {nll:.4f}", flush=True)
        if nll <= target:
            break
    return curve


def first_time_at(curve, target):
    for t, nll, ep in curve:
        if nll <= target:
            return t, ep
    return None, None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dataset", default="synthetic")
    ap.add_argument("--condition", default=None, help="default: the first condition")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--onestep-epochs", type=int, default=2)
    ap.add_argument("--eval-every", type=int, default=13, help="one-step: evaluate every N tracks")
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--max-epochs", type=int, default=1000)
    ap.add_argument("--skip-training", action="store_true", help="only the generation timing")
    ap.add_argument("--no-jit", action="store_true", help="no XLA compilation (both schemes)")
    ap.add_argument("--quick", action="store_true", help="one epoch of the one-step scheme (for benchmarks/run.py)")
    args = ap.parse_args()
    if args.quick:
        args.onestep_epochs = 1

    traj = to_trajectories(load_dataset(args.dataset, seed=args.seed), interval=5.0)
    cond = args.condition or traj.condition_names[0]
    tr, te = split_tracks(traj, 0.2, seed=args.seed)
    dims = traj.modelled_dims(cond)
    train_v = G.condition_velocities(traj, cond, tr)
    test_v = G.condition_velocities(traj, cond, te)
    scaler = Scaler().fit(train_v)
    train_s = scaler.transform(train_v)
    d = len(dims)
    print(f"condition {cond} ({d}D): {len(train_v)} training tracks, {len(test_v)} held-out tracks, "
          f"{sum(len(v) for v in train_v)} training steps; {os.cpu_count()} CPU cores visible "
          "(timings on a shared machine: see load)")
    print(f"load average at start: {os.getloadavg()}")

    proto = G.Generator(condition=cond, dims=dims, scale=float(scaler.scale),
                        model=mdn.build_mdn_model(d, seed=args.seed, jit_compile=not args.no_jit))
    w0 = proto.model.get_weights()
    if not args.skip_training:
        print(f"initial held-out NLL {G.heldout_nll(proto, test_v):.4f} (nats/step, µm/min)")
        print(f"\n[1] report's one-step stateful scheme, {args.onestep_epochs} epoch(s)")
        one = run_onestep(train_s, test_v, proto, d, args.seed, args.onestep_epochs, args.eval_every,
                          jit=not args.no_jit)
        target = min(n for _, n, _ in one)
        final = one[-1][1]
        t_one, ep_one = first_time_at(one, target)
        t_one_f, ep_one_f = first_time_at(one, final)
        per_epoch = one[-1][0] / one[-1][2]
        print(f"\n[2] ours (teacher forcing, batch {args.batch_size} tracks) until NLL <= {target:.4f}")
        proto.model.set_weights(w0)
        ours = run_ours(train_s, test_v, proto, args.seed, args.batch_size, args.max_epochs, target)
        t_ours, ep_ours = first_time_at(ours, target)
        t_ours_f, ep_ours_f = first_time_at(ours, final)
        print("\n=== time to reach the one-step scheme's held-out NLL (nats/step, µm/min) ===")
        print(f"one-step scheme: {per_epoch:.1f} s per epoch; 300 epochs (the report) extrapolated: "
              f"{300 * per_epoch:.0f} s = {300 * per_epoch / 3600:.2f} h. Ran {args.onestep_epochs} epoch(s), NOT 300.")
        for label, tgt, t1, e1, t2, e2 in (
                ("final weights (what the report kept; it had no held-out set)", final, t_one_f, ep_one_f,
                 t_ours_f, ep_ours_f),
                ("best checkpoint (needs a held-out set to pick)", target, t_one, ep_one, t_ours, ep_ours)):
            print(f"target = {label}: {tgt:.4f}")
            print(f"  one-step first reaches it after {t1:.1f} s (epoch {e1:.2f})")
            if t2 is None:
                print(f"  ours: not reached in {args.max_epochs} epochs ({ours[-1][0]:.1f} s)")
            else:
                print(f"  ours reaches it after {t2:.1f} s (epoch {e2}): {t1 / t2:.1f}x sooner than the "
                      f"one-step first hit, {300 * per_epoch / t2:.0f}x sooner than 300 one-step epochs")
        print(f"ours: first epoch (includes XLA compilation when on) {ours[0][0]:.1f} s, "
              f"then {(ours[-1][0] - ours[0][0]) / max(1, len(ours) - 1):.2f} s per epoch")
        print(f"ours: best held-out NLL {min(n for _, n, _ in ours):.4f} after {ours[-1][2]} epochs "
              f"({ours[-1][0]:.1f} s); one-step best {target:.4f}, final {final:.4f}")
        print(f"load average at end: {os.getloadavg()}")

    print("\n=== generation: many tracks at once, 200 steps, seed 20 steps ===")
    rng = np.random.default_rng(args.seed)
    for n in (1, 100, 10_000):
        seeds = G.pick_seeds(train_v, n, rng)
        t0 = time.perf_counter()
        G.generate_velocities(proto, seeds, [200] * n, rng, sampler="fixed")
        dt = time.perf_counter() - t0
        print(f"{n:6d} tracks: {dt:7.3f} s  ({1e3 * dt / n:.3f} ms per track)")


if __name__ == "__main__":
    main()
