"""How the book's cost grows with the data: chapters timed on screens of 250 to 4,000 tracks.

    .venv/bin/python benchmarks/bench_scale.py                      # full profile, 250/1,000/4,000 tracks
    .venv/bin/python benchmarks/bench_scale.py --profile smoke      # the smoke profile's parameters
    .venv/bin/python benchmarks/bench_scale.py --sizes 60 120 250 --chapters 01_data 03_generation
    .venv/bin/python benchmarks/bench_scale.py --sizes 1000 --merge   # one size again, the others kept

For every size a synthetic screen is written (:mod:`cellmotion.synthetic.screen`: four
conditions, 100 to 500 frames of 5 min per track, some frames missing, read through a
dataset config like a user's data), and each chosen chapter is executed on it, one after the
other in one emptied artifacts folder, by ``python -m cellmotion.build --chapters <stem>
--force``, under the peak-memory wrapper of ``benchmarks/run.py``. A chapter reads what the
chapters before it wrote, so choose the chapters a chapter needs too (04_statistics reads
03_generation's generated tracks).

Recorded per chapter and size: the chapter's own seconds (papermill's execution, from the
build's timings), the build process's wall time and the peak memory of its largest process.
Per chapter the growth exponent ``b`` of ``seconds = a * size ** b`` is fitted by least
squares in log-log space, against the dataset's positions at the analysis interval (the cost
model's size) and against its number of tracks. The probe (:mod:`cellmotion.probe`) is run
before and after; the record is ``benchmarks/scale.json`` (one entry per profile and
chapter: a new run replaces the chapters it measured) and the fitted laws go into the cost
model ``benchmarks/cost_model.json`` that ``python -m cellmotion.build`` uses for its time
estimate. The book's appendix draws the curves. A benchmark run by hand, not by the tests.

Caveat printed with the results: the smoke profile caps some chapters' work (e.g. the
classifiers' ``max_tracks`` per condition), so there a chapter's time stops growing with the
data; its exponent describes the smoke profile only.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import PY, ROOT, machine, timed  # noqa: E402  (the suite's peak-memory wrapper)

sys.path.insert(0, str(ROOT / "src"))
from cellmotion import probe  # noqa: E402
from cellmotion.build import toc_chapters  # noqa: E402
from cellmotion.datasets import analysis_interval, load_dataset  # noqa: E402
from cellmotion.paths import write_json  # noqa: E402
from cellmotion.profiles import PROFILES, TABLE  # noqa: E402
from cellmotion.synthetic.screen import write_screen  # noqa: E402

SIZES = (250, 1000, 4000)


def chapter_defaults(stem: str) -> dict:
    """The values of a chapter's parameters cell (``name = literal  # comment`` lines) that are
    Python literals; the others (expressions) are left out."""
    import ast

    text = (ROOT / "book" / f"{stem}.py").read_text(encoding="utf-8")
    start = text.find('tags=["parameters"')
    if start < 0:
        return {}
    cell = text[start:].split("\n# %%", 1)[0].splitlines()[1:]
    out = {}
    for line in cell:
        name, eq, rest = line.partition("=")
        if not eq or not name.strip().isidentifier() or line.startswith((" ", "#")):
            continue
        try:
            out[name.strip()] = ast.literal_eval(rest.split("#", 1)[0].strip())
        except (ValueError, SyntaxError):
            continue
    return out


def capped(profile: str, stems) -> dict:
    """The parameters that cap how many tracks or positions a chapter works on, as the profile
    runs it (the chapter's defaults, overridden by the profile's values).

    Parameters naming tracks or positions (``max_tracks``, ``max_positions``,
    ``max_generated_per_condition``, ``n_generate``, ...) but not those of figures only
    (``max_tracks_drawn``, ``tracks_drawn``); a cap of 0 or None (no cap) is left out.
    """
    out = {}
    for s in stems:
        values = {**chapter_defaults(s), **TABLE[profile].get(s, {})}
        caps = {k: v for k, v in values.items()
                if ("tracks" in k or "per_condition" in k or "positions" in k or k == "n_generate")
                and "drawn" not in k and v not in (0, None) and not isinstance(v, (str, bool))}
        if caps:
            out[s] = caps
    return out


def measure_size(n: int, profile: str, stems, work: Path, seed: int) -> dict:
    """Write the screen of ``n`` tracks and execute ``stems`` on it; one record per chapter."""
    config = write_screen(work / "data" / f"screen-{n}", n, seed=seed)
    dataset = config.relative_to(ROOT).as_posix() if config.is_relative_to(ROOT) else str(config)
    size = probe.dataset_size(load_dataset(dataset), analysis_interval(dataset))
    art = work / f"{profile}-{n}"
    shutil.rmtree(art, ignore_errors=True)  # a first build, not one that reads cached fits
    rel = art.relative_to(ROOT).as_posix() if art.is_relative_to(ROOT) else str(art)
    print(f"{n} tracks: {size['tracks']} after curation, {size['positions']} positions", flush=True)
    out = {}
    for stem in stems:
        cmd = [PY, "-m", "cellmotion.build", "--profile", profile, "--dataset", dataset,
               "--artifacts", rel, "--chapters", stem, "--force", "--no-estimate"]
        try:
            wall, peak, _ = timed(cmd)
        except SystemExit as exc:  # a failing chapter is recorded; the others still run
            out[stem] = {"failed": str(exc)[-300:]}
            print(f"  {stem:22s} FAILED", flush=True)
            continue
        timings = json.loads((art / "build-timings.json").read_text())
        out[stem] = {"seconds": float(timings[stem]), "wall_s": round(wall, 1),
                     "peak_rss_mib": round(peak)}
        print(f"  {stem:22s} {timings[stem]:8.1f} s (process {wall:6.1f} s)  peak {peak:6.0f} MiB",
              flush=True)
    return {"n_tracks": n, "dataset": dataset, **size, "chapters": out}


def fits(points, stems) -> dict:
    """Growth exponent of each chapter against positions and tracks (None: too few sizes)."""
    out = {}
    for s in stems:
        ok = [p for p in points if "seconds" in p["chapters"].get(s, {})]
        try:
            law = probe.fit_power_law([p["positions"] for p in ok],
                                      [p["chapters"][s]["seconds"] for p in ok])
            by_tracks = probe.fit_power_law([p["tracks"] for p in ok],
                                            [p["chapters"][s]["seconds"] for p in ok])
        except ValueError:
            out[s] = None
            continue
        out[s] = {**law, "b_tracks": by_tracks["b"], "sizes": [p["positions"] for p in ok]}
    return out


def save(args, stems, points, caps, date, before, after) -> dict:
    """Fit the exponents and write ``scale.json`` and the cost model; return the fits."""
    probe_s = before["seconds"] if after is None else (before["seconds"] + after["seconds"]) / 2
    laws = fits(points, stems)
    path = Path(args.out)
    record = json.loads(path.read_text()) if path.exists() else {}
    run = record.setdefault("runs", {}).setdefault(args.profile, {"chapters": {}})
    run.update({"date": date, "machine": machine(),
                "dataset": {"generator": "cellmotion.synthetic.screen", "conditions": 4,
                            "frames_per_track": [100, 500], "frame_interval_min": 5.0,
                            "seed": args.seed}})
    for s in stems:
        new_points = [{"n_tracks": pt["n_tracks"], "tracks": pt["tracks"], "positions": pt["positions"],
                       "probe_s": round(probe_s, 3), "date": date, **pt["chapters"][s]} for pt in points]
        old = run["chapters"].get(s) if args.merge else None
        if old:  # keep the sizes this run did not measure, each with its own run's probe
            measured = {pt["n_tracks"] for pt in new_points}
            kept = [{"probe_s": old["probe_s"], "date": old["date"], **pt} for pt in old["points"]
                    if pt["n_tracks"] not in measured]
            new_points = sorted(kept + new_points, key=lambda pt: pt["n_tracks"])
            laws[s] = fits([{"chapters": {s: pt}, **pt} for pt in new_points], [s])[s]
        run["chapters"][s] = {
            "date": date, "probe_s": round(float(np.mean([pt["probe_s"] for pt in new_points])), 3),
            "probe": {"before": before, "after": after},
            "caps": caps.get(s, {}), "fit": laws[s], "points": new_points}
    write_json(path, record)
    if not args.no_cost_model:
        new = {s: {"a": law["a"], "b": law["b"], "r2": law["r2"], "sizes": law["sizes"]}
               for s, law in laws.items() if law}
        if new:
            cm = Path(args.cost_model)
            old = json.loads(cm.read_text()) if cm.exists() else None
            write_json(cm, probe.update_cost_model(old, args.profile, probe_s, new, measured=date))
            print(f"cost model ({len(new)} chapters, {args.profile} profile) written to {cm}", flush=True)
    print(f"written to {path}", flush=True)
    return laws


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="tracks per screen")
    p.add_argument("--profile", default="full", choices=PROFILES)
    p.add_argument("--chapters", nargs="+", default=None, help="chapter stems (default: all of _toc.yml)")
    p.add_argument("--seed", type=int, default=0, help="seed of the screens")
    p.add_argument("--work", default="artifacts/scale", help="folder for the screens and the builds")
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "scale.json"))
    p.add_argument("--cost-model", default=str(ROOT / probe.COST_MODEL),
                   help="where the fitted laws are stored for the build's estimate")
    p.add_argument("--no-cost-model", action="store_true", help="record only, keep the cost model")
    p.add_argument("--merge", action="store_true",
                   help="keep the recorded sizes this run does not measure (each point keeps its "
                        "run's probe) and fit the laws on all of them, e.g. to measure one size again")
    args = p.parse_args(argv)

    all_stems = toc_chapters(ROOT)
    stems = all_stems if not args.chapters else [s for s in all_stems if s in args.chapters]
    unknown = set(args.chapters or []) - set(all_stems)
    if unknown:
        raise SystemExit(f"unknown chapter(s) {sorted(unknown)}; _toc.yml lists {all_stems}")
    work = Path(args.work) if Path(args.work).is_absolute() else ROOT / args.work
    caps = capped(args.profile, stems)
    print(f"machine: {machine()}")
    if caps:
        print(f"note: the {args.profile} profile caps {caps}: those chapters' times stop growing "
              "with the data, and their exponents describe this profile only", flush=True)
    before = probe.measure_probe()
    print(f"probe: {before['seconds']:.2f} s (Keras epoch {before['keras_epoch_s']:.2f} s, "
          f"bayesloop fit {before['bayesloop_fit_s']:.2f} s)", flush=True)
    points = []
    date = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    after = None
    for k, n in enumerate(sorted(args.sizes)):
        points.append(measure_size(n, args.profile, stems, work, args.seed))
        if k == len(args.sizes) - 1:
            after = probe.measure_probe()
            print(f"probe again: {after['seconds']:.2f} s", flush=True)
        # written after every size, so an interrupted run keeps what it measured
        laws = save(args, stems, points, caps, date, before, after)
    print()
    header = "".join(f"{n:>10d}" for n in sorted(args.sizes))
    print(f"{'chapter [s] at tracks':24s}{header}   b(positions) b(tracks)")
    for s in stems:
        cells = "".join(f"{pt['chapters'][s].get('seconds', float('nan')):10.1f}" for pt in points)
        law = laws[s]
        exps = (f"{law['b']:12.2f} {law['b_tracks']:9.2f}" if law else f"{'-':>12s} {'-':>9s}")
        print(f"{s:24s}{cells}   {exps}")
    for pt in points:
        done = {s: c["seconds"] for s, c in pt["chapters"].items() if "seconds" in c}
        if done:
            top = max(done, key=done.get)
            print(f"{pt['n_tracks']} tracks: {top} dominates ({done[top]:.0f} of {sum(done.values()):.0f} s)")


if __name__ == "__main__":
    main()
