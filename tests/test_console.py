"""Progress bars reach the console and never the executed notebook (the rendered page)."""

import io

import nbformat
import pytest

from cellmotion import console
from cellmotion.build import ConsoleRelay


def test_a_bar_outside_a_kernel_draws_on_stderr(monkeypatch, capsys):
    monkeypatch.delenv(console.CONSOLE_ENV, raising=False)
    for _ in console.progress(range(3), desc="counting"):
        pass
    assert "counting" in capsys.readouterr().err


def test_the_side_channel_wins_and_the_relay_copies_it(tmp_path):
    sink = io.StringIO()
    with ConsoleRelay(tmp_path / "console.log", stream=sink, poll=0.01):
        for _ in console.progress(range(5), desc="relayed bar"):
            pass
    assert "relayed bar" in sink.getvalue() and "5/5" in sink.getvalue()
    assert not (tmp_path / "console.log").exists(), "the side channel is removed afterwards"


@pytest.mark.book
def test_a_chapter_kernel_sends_its_bar_to_the_console_not_to_the_notebook(tmp_path):
    """A bar drawn inside a papermill kernel: on the relayed console, absent from the cells."""
    import papermill as pm

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(
        "from cellmotion.console import progress\n"
        "for _ in progress(range(4), desc='kernel bar'):\n    pass\nprint('result line')")]
    src, out = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    nbformat.write(nb, src)
    sink = io.StringIO()
    with ConsoleRelay(tmp_path / "console.log", stream=sink, poll=0.05):
        pm.execute_notebook(str(src), str(out), kernel_name="python3", progress_bar=False)
    outputs = nbformat.read(out, as_version=4).cells[0].outputs
    text = "".join(o.get("text", "") for o in outputs)
    assert "result line" in text
    assert "kernel bar" not in text and not any(o.get("name") == "stderr" for o in outputs)
    assert "kernel bar" in sink.getvalue()


@pytest.mark.book
def test_a_kernel_without_the_runner_draws_no_bar_in_its_notebook(tmp_path, monkeypatch):
    """A chapter executed by hand with papermill keeps a clean notebook."""
    import papermill as pm

    monkeypatch.delenv(console.CONSOLE_ENV, raising=False)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(
        "from cellmotion.console import progress\nfor _ in progress(range(4), desc='bar'):\n    pass")]
    src, out = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    nbformat.write(nb, src)
    pm.execute_notebook(str(src), str(out), kernel_name="python3", progress_bar=False)
    assert nbformat.read(out, as_version=4).cells[0].outputs == []
