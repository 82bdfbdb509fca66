import os
import shutil

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


@pytest.fixture(scope="session")
def built_book():
    """The whole book executed in the smoke profile and rendered with warnings as errors.

    Built once per test session into ``_build/smoke/`` (executed notebooks and artifacts in
    ``_build/smoke/artifacts``, HTML in ``_build/smoke/_build/html``), so the browser test
    and the book tests look at the same pages and a person can open them afterwards.
    """
    from cellmotion.build import run
    from cellmotion.paths import project_root

    out = project_root() / "_build" / "smoke"
    if out.exists():
        shutil.rmtree(out)
    art = out / "artifacts"
    report = run(profile="smoke", artifacts=str(art), html=True, html_dir=str(out), force=True)
    return out, art, report


def tiny_book(root, chapters: dict, monkeypatch):
    """A book project of small chapters in ``root`` (for the runner's tests).

    ``chapters``: ``{stem: source}`` of the Jupytext chapters, in the order of the table of
    contents; ``data.csv`` holds 6 tracks of 32 positions in conditions A and B.
    ``CELLMOTION_ROOT`` points at ``root``.
    """
    (root / "_config.yml").write_text("title: t\n")
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/index\nchapters:\n"
                                   + "".join(f"  - file: book/{stem}\n" for stem in chapters))
    (root / "book").mkdir()
    (root / "book" / "index.md").write_text("# Index\n")
    (root / "src" / "cellmotion").mkdir(parents=True)
    (root / "src" / "cellmotion" / "mod.py").write_text("X = 1\n")
    rows = ["track_id,condition,t,x,y"] + [f"{c}{k},{c},{5 * i},{i * (k + 1)},{i % 3}"
                                           for c in "AB" for k in range(3) for i in range(32)]
    (root / "data.csv").write_text("\n".join(rows) + "\n")
    for stem, source in chapters.items():
        (root / "book" / f"{stem}.py").write_text(source)
    monkeypatch.setenv("CELLMOTION_ROOT", str(root))
    return root
