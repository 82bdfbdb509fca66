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
