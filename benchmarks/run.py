"""The benchmark suite: one command, a printed table, a JSON record.

    .venv/bin/python benchmarks/run.py            # smoke profile + incremental rebuild + component benchmarks
    .venv/bin/python benchmarks/run.py --full     # also the full book (about 30 minutes on 2 cores in all)
    .venv/bin/python benchmarks/run.py --long-components   # component benchmarks in full (hours)
    .venv/bin/python benchmarks/run.py --skip-chapters --skip-components --out /tmp/probe.json  # the probe only

Measures on this machine: wall time, CPU time (the chapter's processes together,
:class:`cellmotion.build.CpuMeter`) and peak memory of each chapter executed alone (smoke
profile), the whole book's first build as ``make book`` runs it (with ``--full``: the full
profile from an empty artifacts folder, chapters side by side as the runner schedules them,
HTML included; each chapter's own wall time beside the total), the incremental rebuild with
nothing changed, and the component benchmarks (``bench_*.py`` beside this file, in their
quick form unless ``--long-components``: classifier schedule, MDN training and
generation, bayesloop per trajectory and parallel speed-up), keeping what they print.
The record goes to ``benchmarks/latest.json``; the book's appendix shows it.

Before and after the measurements the suite runs the probe (:mod:`cellmotion.probe`, a fixed
few seconds of the book's kind of compute: one Keras LSTM epoch and one bayesloop fit); the
record's ``probe`` entry holds both and their mean, so every row can be read as a multiple of
the probe, which compares across machines that differ in speed (up to 1.8x on this project's).
The time growth with the data is ``benchmarks/bench_scale.py``'s subject.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def machine() -> dict:
    """What the numbers were measured on."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": mem, "python": platform.python_version(),
            "platform": platform.platform()}


#: Runs a command and prints the peak RSS [KiB] of its process tree (the kernel keeps the
#: largest RSS of all waited-for descendants), so every measurement starts from zero.
_PEAK_WRAPPER = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
                 "print('PEAK_RSS_KIB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
                 "sys.exit(r.returncode)")


def timed(cmd: list[str], env=None) -> tuple[float, float, str]:
    """Run ``cmd``; return (wall seconds, peak RSS of its largest process in MiB, output)."""
    start = time.perf_counter()
    proc = subprocess.run([PY, "-c", _PEAK_WRAPPER, *cmd], cwd=ROOT, capture_output=True,
                          text=True, env=env)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit(f"failed: {' '.join(cmd)}")
    lines = proc.stdout.rstrip().splitlines()
    peak = int(lines[-1].split()[-1]) if lines and lines[-1].startswith("PEAK_RSS_KIB") else 0
    return wall, peak / 1024, "\n".join(lines[:-1])


def chapters(profile: str) -> list[dict]:
    """Execute every chapter (forced, in an emptied artifacts folder) one by one; wall time and
    peak memory of each, their sum, and a rebuild with nothing changed."""
    sys.path.insert(0, str(ROOT / "src"))
    from cellmotion.build import toc_chapters

    rows = []
    art = f"artifacts/bench-{profile}"
    # start from nothing: chapters keep expensive intermediate results (bayesloop fits) in their
    # artifacts folder, and a timing that reads them back is not the time of a first build
    shutil.rmtree(ROOT / art, ignore_errors=True)
    for stem in toc_chapters(ROOT):
        wall, peak, _ = timed([PY, "-m", "cellmotion.build", "--profile", profile, "--artifacts", art,
                               "--chapters", stem, "--force", "--no-estimate"])
        cpu = json.loads((ROOT / art / "build-cpu.json").read_text()).get(stem)
        rows.append({"what": f"chapter {stem} ({profile})", "seconds": round(wall, 1),
                     "cpu_seconds": cpu, "peak_rss_mib": round(peak)})
        print(f"  {stem:22s} {profile:5s} {wall:7.1f} s  {cpu or 0:7.1f} CPU-s  peak {peak:6.0f} MiB",
              flush=True)
    rows.append({"what": f"all chapters ({profile})", "seconds": round(sum(r["seconds"] for r in rows), 1),
                 "cpu_seconds": round(sum(r["cpu_seconds"] or 0 for r in rows), 1),
                 "peak_rss_mib": max(r["peak_rss_mib"] for r in rows)})
    # a rebuild right after: nothing changed, so nothing executes; HTML is rendered again
    wall, _, _ = timed([PY, "-m", "cellmotion.build", "--profile", profile, "--artifacts", art,
                        "--no-estimate", "--html-dir", str(ROOT / "_build" / f"bench-{profile}")])
    wall2, _, _ = timed([PY, "-m", "cellmotion.build", "--profile", profile, "--artifacts", art,
                         "--no-estimate", "--html-dir", str(ROOT / "_build" / f"bench-{profile}")])
    rows.append({"what": f"rebuild with nothing changed, incl. HTML ({profile})", "seconds": round(wall2, 1),
                 "peak_rss_mib": None})
    print(f"  first render {wall:.1f} s, rebuild with nothing changed {wall2:.1f} s", flush=True)
    return rows


def book(profile: str, jobs: int = 3) -> list[dict]:
    """The whole book's first build, as ``make book FORCE=1`` runs it on a fresh checkout.

    An emptied artifacts folder (no bayesloop fit to read back), every chapter forced, up to
    ``jobs`` chapters at a time (:func:`cellmotion.build.run`), HTML rendered. Rows: each
    chapter's wall time as the runner recorded it (chapters overlap, so these add up to more
    than the total), and the total with the peak memory of the largest process.
    """
    sys.path.insert(0, str(ROOT / "src"))
    from cellmotion.build import toc_chapters

    art = f"artifacts/bench-{profile}"
    shutil.rmtree(ROOT / art, ignore_errors=True)
    html = str(ROOT / "_build" / f"bench-{profile}")
    wall, peak, _ = timed([PY, "-m", "cellmotion.build", "--profile", profile, "--artifacts", art,
                           "--force", "--no-estimate", "--jobs", str(jobs), "--html-dir", html])
    times = json.loads((ROOT / art / "build-timings.json").read_text())
    cpu = json.loads((ROOT / art / "build-cpu.json").read_text())
    rows = [{"what": f"chapter {stem} ({profile})", "seconds": times[stem], "cpu_seconds": cpu.get(stem),
             "peak_rss_mib": None} for stem in toc_chapters(ROOT) if stem in times]
    for r in rows:
        print(f"  {r['what'][8:]:30s} {r['seconds']:7.1f} s, {r['cpu_seconds'] or 0:7.1f} CPU-s", flush=True)
    rows.append({"what": f"whole book, first build incl. HTML, {jobs} chapters at a time ({profile})",
                 "seconds": round(wall, 1), "cpu_seconds": round(sum(cpu.values()), 1),
                 "peak_rss_mib": round(peak)})
    print(f"  whole book {wall:.1f} s ({wall / 60:.1f} min), peak {peak:.0f} MiB", flush=True)
    wall2, _, _ = timed([PY, "-m", "cellmotion.build", "--profile", profile, "--artifacts", art,
                         "--no-estimate", "--html-dir", html])
    rows.append({"what": f"rebuild with nothing changed, incl. HTML ({profile})", "seconds": round(wall2, 1),
                 "peak_rss_mib": None})
    print(f"  rebuild with nothing changed {wall2:.1f} s", flush=True)
    return rows


#: Benchmarks beside this file that the suite does not run (too long; own records).
BY_HAND = ("bench_scale.py",)


def components(quick: bool) -> list[dict]:
    """Run every ``bench_*.py`` beside this file (but the scale benchmark) and keep its output.

    ``bench_scale.py`` builds the book on datasets of up to 4,000 tracks (an hour or more): it
    is run by hand and keeps its own record, ``benchmarks/scale.json``.
    """
    out = []
    for script in sorted(Path(__file__).parent.glob("bench_*.py")):
        if script.name in BY_HAND:
            continue
        cmd = [PY, str(script)] + (["--quick"] if quick else [])
        print(f"  {script.name} ...", flush=True)
        try:
            wall, peak, text = timed(cmd)
        except SystemExit as exc:  # one broken benchmark must not lose the others' numbers
            out.append({"script": script.name, "seconds": None, "peak_rss_mib": None,
                        "output": [f"FAILED: {exc}"]})
            continue
        out.append({"script": script.name, "seconds": round(wall, 1), "peak_rss_mib": round(peak),
                    "output": text.strip().splitlines()[-40:]})
        print("\n".join("    " + line for line in text.strip().splitlines()[-40:]), flush=True)
    return out


def run_probe() -> dict:
    """The probe in a fresh process (:func:`cellmotion.probe.measure_probe`), printed."""
    sys.path.insert(0, str(ROOT / "src"))
    from cellmotion.probe import measure_probe

    res = measure_probe(PY)
    print(f"probe: {res['seconds']:.2f} s (Keras epoch {res['keras_epoch_s']:.2f} s, "
          f"bayesloop fit {res['bayesloop_fit_s']:.2f} s)", flush=True)
    return res


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--full", action="store_true", help="also time the full profile")
    p.add_argument("--quick", action="store_true",
                   help="pass --quick to the component benchmarks (the default; kept for old commands)")
    p.add_argument("--long-components", action="store_true",
                   help="run the component benchmarks in full: the report's schedules, hours on 2 cores")
    p.add_argument("--skip-components", action="store_true")
    p.add_argument("--skip-chapters", action="store_true", help="time no chapter (probe and components only)")
    p.add_argument("--jobs", type=int, default=3, help="chapters at a time in the full build (as make book)")
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "latest.json"))
    args = p.parse_args(argv)

    record = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
              "rows": [], "components": []}
    print(f"machine: {record['machine']}")
    before = run_probe()
    if not args.skip_chapters:
        print("chapters, smoke profile, one at a time:")
        record["rows"] += chapters("smoke")
        if args.full:
            print(f"the whole book, full profile, first build ({args.jobs} chapters at a time):")
            record["rows"] += book("full", args.jobs)
    if not args.skip_components:
        print("component benchmarks:")
        record["components"] = components(quick=not args.long_components)
    after = run_probe()
    record["probe"] = {"seconds": round((before["seconds"] + after["seconds"]) / 2, 3),
                       "before": before, "after": after}
    Path(args.out).write_text(json.dumps(record, indent=1, ensure_ascii=False))
    print()
    unit = record["probe"]["seconds"]
    print(f"{'what':60s} {'seconds':>9s} {'x probe':>9s} {'peak MiB':>9s}")
    print(f"{'probe (mean of before and after)':60s} {unit:9.2f} {1:9.1f}")
    for r in record["rows"]:
        peak = "" if r["peak_rss_mib"] is None else str(r["peak_rss_mib"])
        print(f"{r['what']:60s} {r['seconds']:9.1f} {r['seconds'] / unit:9.1f} {peak:>9s}")
    for c in record["components"]:
        if c["seconds"] is None:
            print(f"{c['script']:60s} {'FAILED':>9s}")
        else:
            print(f"{c['script']:60s} {c['seconds']:9.1f} {c['peak_rss_mib']:9d}")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
