"""Re-executing a chapter by hand, as the README shows, never changes the built book.

The README's papermill example is run as written (its two commands, with its scratch paths
moved into a temporary folder). A chapter run without ``-p artifacts`` writes to
``artifacts/scratch/``; every file of the built book stays byte-for-byte the same, and values
given with ``-p`` are the values the chapter used.
"""

import hashlib
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from cellmotion.paths import project_root
from cellmotion.profiles import scratch_artifacts

pytestmark = pytest.mark.book
ROOT = project_root()


def readme_papermill_example() -> list[list[str]]:
    """The jupytext and papermill commands of the README's re-execution example."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Re-running one chapter with other parameters", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [shlex.split(line) for line in block.splitlines()
            if line.startswith((".venv/bin/jupytext", ".venv/bin/papermill"))]


def _digests(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_readme_example_leaves_the_built_book_unchanged(built_book, tmp_path):
    out, art, _ = built_book
    built = {"smoke book": _digests(out)}
    for folder in sorted((ROOT / "artifacts").glob("*-*")):
        built[folder.name] = _digests(folder)
    commands = readme_papermill_example()
    assert [c[0] for c in commands] == [".venv/bin/jupytext", ".venv/bin/papermill"]
    bindir = Path(sys.executable).parent
    for cmd in commands:
        cmd = [str(bindir / Path(cmd[0]).name)] + [a.replace("/tmp/", f"{tmp_path}/") for a in cmd[1:]]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, proc.stderr[-3000:]
    after = {"smoke book": _digests(out)}
    for folder in sorted((ROOT / "artifacts").glob("*-*")):
        after[folder.name] = _digests(folder)
    assert after == built

    # the chapter wrote to the scratch folder, with the values given on the command line
    given = {commands[1][i + 1]: commands[1][i + 2] for i, a in enumerate(commands[1]) if a == "-p"}
    summary = json.loads((ROOT / scratch_artifacts("synthetic", "full") / "data_summary.json").read_text())
    for name, value in given.items():
        if name in summary:
            assert str(summary[name]) == value, (name, summary[name], value)
    assert summary["seed"] == int(given["seed"])
