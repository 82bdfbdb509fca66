"""The whole book executes in the smoke profile and renders with warnings as errors.

This is the README's promise: every chapter of ``_toc.yml`` runs through papermill with
parameters, hands its results to later chapters through the artifacts folder, and
Jupyter Book renders the executed notebooks without a warning or a broken reference.
"""

import json
import re
from pathlib import Path

import nbformat
import pytest

from cellmotion.build import run, toc_chapters
from cellmotion.paths import project_root

pytestmark = pytest.mark.book
ROOT = project_root()
TF_LOG = re.compile(r"(^|\n)(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWEF] |WARNING:tensorflow|oneDNN custom operations)")


@pytest.fixture(scope="module")
def built(built_book):
    return built_book


def test_every_toc_chapter_has_a_source_and_was_executed(built):
    _, art, report = built
    stems = toc_chapters(ROOT)
    assert {"01_data", "02_classification", "03_generation", "04_statistics"} <= set(stems)
    assert set(report["executed"]) == set(stems)


def test_no_errors_or_tensorflow_noise_in_any_cell(built):
    _, art, _ = built
    for nb_path in sorted((art / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(nb_path, as_version=4)
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                assert out.get("output_type") != "error", f"{nb_path.name}: error output"
                text = out.get("text", "") if out.get("output_type") == "stream" else ""
                assert not TF_LOG.search(text), f"{nb_path.name}: TensorFlow log line: {text[:200]}"
                assert "Traceback" not in text, f"{nb_path.name}: traceback in output"


BAR = re.compile(r"\d+%\|[^|]*\||\r")  # a tqdm bar, or a carriage return redrawing a line


def test_no_stderr_or_progress_bar_lands_in_a_chapter(built):
    """Progress bars and logs belong on the console (cellmotion.console), never on the page:
    no executed cell has a stderr stream, and no output redraws a progress bar."""
    _, art, _ = built
    for nb_path in sorted((art / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(nb_path, as_version=4)
        for k, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []):
                if out.get("output_type") != "stream":
                    continue
                text = out.get("text", "")
                assert out.get("name") != "stderr", f"{nb_path.name}, cell {k}: stderr {text[:200]!r}"
                assert not BAR.search(text), f"{nb_path.name}, cell {k}: progress bar {text[:200]!r}"


def test_every_chapter_shows_figures(built):
    _, art, _ = built
    for nb_path in sorted((art / "notebooks").glob("0*.ipynb")):
        nb = nbformat.read(nb_path, as_version=4)
        images = sum("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))
        assert images >= 2, f"{nb_path.name} shows {images} figure(s)"


def test_html_pages_exist_for_every_chapter(built):
    out, _, _ = built
    html = out / "_build" / "html"
    assert (html / "index.html").exists()
    for stem in toc_chapters(ROOT):
        assert (html / "book" / f"{stem}.html").exists(), stem


def test_chapters_hand_over_their_artifacts(built):
    _, art, _ = built
    summary = json.loads((art / "data_summary.json").read_text())
    assert summary["synthetic"] is True
    assert summary["conditions"] == ["Collagen", "Plastic", "Fibronectin"]


def test_rebuild_with_nothing_changed_executes_nothing(built):
    out, art, _ = built
    again = run(profile="smoke", artifacts=str(art), html=False)
    assert again["executed"] == {}
    assert set(again["skipped"]) == set(toc_chapters(ROOT))


def test_no_folder_of_the_building_machine_appears_in_the_executed_chapters(built):
    """Chapters print paths relative to the project (the book is read on other machines)."""
    _, art, _ = built
    root = str(ROOT.resolve())
    for nb_path in sorted((art / "notebooks").glob("*.ipynb")):
        assert root not in nb_path.read_text(), f"{nb_path.name} names {root}"
