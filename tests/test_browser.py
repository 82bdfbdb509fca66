"""The rendered book, opened page by page in a real browser (headless Chromium).

Checks what a reader would notice: every page loads, every image loads, no cell output
shows a Python traceback or a TensorFlow log line, every chapter shows its figures, and the
introduction's summary table has no empty cells. A screenshot of every page is saved to
``_build/smoke/screenshots/``.

Uses Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them); the test
installs nothing and is skipped with a reason where they are absent.
"""

import re
import shutil
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.book

CHROMIUM = (shutil.which("chromium") or shutil.which("chromium-browser")
            or shutil.which("google-chrome") or shutil.which("google-chrome-stable"))
CHROMEDRIVER = shutil.which("chromedriver")
TF_LOG = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWEF] tensorflow|WARNING:tensorflow|oneDNN custom operations")
CHAPTERS = ("01_data", "02_classification", "03_generation", "04_statistics")


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM or not CHROMEDRIVER:
        pytest.skip("headless Chromium not installed (apt-get install chromium chromium-driver)")
    selenium = pytest.importorskip("selenium", reason="selenium is not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,2000"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(20)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def pages(built_book, browser):
    """Visit every page of the book once; return what each page showed."""
    out = built_book[0]
    html = out / "_build" / "html"
    shots = out / "screenshots"
    shots.mkdir(exist_ok=True)
    found = {}
    for page in sorted(html.rglob("*.html")):
        rel = page.relative_to(html).as_posix()
        if rel.startswith(("_static/", "_sources/", "_images/")):
            continue
        browser.get(page.as_uri())
        for _ in range(100):  # a page still loading has no body yet: wait (bounded, 10 s)
            if browser.execute_script("return document.readyState") == "complete":
                break
            time.sleep(0.1)
        try:  # MathJax typesets after load; give it a bounded moment on pages with formulas
            browser.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "if (window.MathJax && MathJax.startup && MathJax.startup.promise)"
                "  MathJax.startup.promise.then(() => done(true)).catch(() => done(false));"
                "else done(false);")
        except Exception:  # noqa: BLE001 - a page without MathJax, or a script timeout
            pass
        info = browser.execute_script("""
            const imgs = Array.from(document.images);
            const outs = Array.from(document.querySelectorAll('.cell_output'));
            const figs = Array.from(document.querySelectorAll('.cell_output img, figure img'));
            const tables = Array.from(document.querySelectorAll('table.summary-table, #summary table, section#headline-numbers table'));
            const empty = [];
            tables.forEach(t => t.querySelectorAll('td').forEach(td => {
                if (td.innerText.trim() === '' || td.innerText.trim() === 'nan') empty.push(td.cellIndex); }));
            // elements of the article wider than the article itself (horizontal overflow)
            const main = document.querySelector('main') || document.body || document.documentElement;
            const width = main.getBoundingClientRect().width;
            const wide = Array.from(main.querySelectorAll('.cell_input pre, .cell_output pre, .cell_output table, .cell_output img'))
                .filter(e => e.getBoundingClientRect().width > width + 1 && getComputedStyle(e).overflowX !== 'auto')
                .map(e => e.tagName + ':' + e.innerText.slice(0, 60));
            const params = Array.from(document.querySelectorAll('.tag_injected-parameters')).length;
            // the chapter's first figure: where it starts on the page, and its name
            const first = document.querySelector('article figure[id], main figure[id]');
            const first_figure = first ? {id: first.id, top: first.getBoundingClientRect().top + window.scrollY,
                                          img: !!first.querySelector('img')} : null;
            // table cells a reader should never see: NaN, or a snake_case header
            const bad_cells = Array.from(main.querySelectorAll('.cell_output td, .cell_output th'))
                .filter(c => ['NaN', 'nan'].includes(c.innerText.trim())
                             || (c.tagName === 'TH' && /^[a-z]+(_[a-z0-9]+)+$/.test(c.innerText.trim())))
                .map(c => c.innerText.trim());
            // formulas: typeset MathJax containers, and TeX left raw in the article's text
            const article = document.querySelector('article') || main;
            const bs = String.fromCharCode(92);  // a backslash: TeX delimiters left raw
            const prose = Array.from(article.querySelectorAll('p, li, td, th, figcaption, dd, div.math'))
                .filter(e => !e.closest('pre, .cell_input')).map(e => e.innerText).join('\\n');
            const raw_tex = [bs + '(', bs + '[', '$$'].reduce((n, d) => n + prose.split(d).length - 1, 0);
            const math_src = Array.from(document.querySelectorAll('script'))
                .map(s => s.src).filter(s => s.includes('mathjax'));
            return {ready: document.readyState, title: document.title, too_wide: wide,
                    first_figure: first_figure, bad_cells: bad_cells,
                    injected_parameters: params, raw_tex: raw_tex, math_src: math_src,
                    links: Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href')),
                    n_math: document.querySelectorAll('mjx-container').length,
                    n_math_nodes: document.querySelectorAll('.math').length,
                    broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src),
                    n_images: imgs.length, n_figures: figs.length,
                    output_text: outs.map(o => o.innerText).join('\\n'),
                    n_summary_cells: tables.reduce((n, t) => n + t.querySelectorAll('td').length, 0),
                    empty_cells: empty};
        """)
        name = rel.replace("/", "_").replace(".html", ".png")
        browser.save_screenshot(str(shots / name))
        info["screenshot"] = shots / name
        found[rel] = info
    return found


def test_every_page_loads_with_a_title(pages):
    assert "book/intro.html" in pages
    for rel, info in pages.items():
        assert info["ready"] == "complete", rel
        assert info["title"].strip(), f"{rel} has no title"
        assert Path(info["screenshot"]).stat().st_size > 1000, f"no screenshot of {rel}"


def test_no_broken_images(pages):
    for rel, info in pages.items():
        assert not info["broken"], f"{rel}: images that did not load: {info['broken'][:3]}"


def test_no_traceback_or_tensorflow_log_in_outputs(pages):
    for rel, info in pages.items():
        text = info["output_text"]
        assert "Traceback (most recent call last)" not in text, f"{rel} shows a traceback"
        assert not TF_LOG.search(text), f"{rel} shows a TensorFlow log line"


def test_each_chapter_has_its_figures(pages):
    for stem in CHAPTERS:
        info = pages[f"book/{stem}.html"]
        assert info["n_figures"] >= 2, f"{stem} shows {info['n_figures']} figures"


def test_intro_summary_table_is_complete(pages):
    """The introduction opens with its answers: one short row per question of the report
    (cellmotion.summary.QUESTIONS), every cell filled, and links to the figures that show them;
    MyST roles in computed Markdown are rendered, not left as text."""
    from cellmotion.summary import QUESTIONS

    intro = pages["book/intro.html"]
    n = intro["n_summary_cells"]
    assert n > 0, "the introduction has no summary table"
    assert not intro["empty_cells"], "the summary table has empty cells"
    assert n % len(QUESTIONS) == 0 and n <= 4 * len(QUESTIONS), \
        f"{n} cells: expected one row per question of the report, at most four columns"
    text = intro["output_text"]
    for question in QUESTIONS.values():
        assert question in text, f"the summary table does not ask: {question}"
    assert "{doc}" not in text and "{numref}" not in text, "a MyST role is shown as text"
    targets = {h.split("#", 1)[1] for h in intro["links"] if "#fig-" in h}
    assert {"fig-classification-answer", "fig-confusion", "fig-real-answer", "fig-gen-answer",
            "fig-real-nll", "fig-stat-answer"} <= targets, \
        f"links below the summary table reach only {sorted(targets)}"


ANSWER_FIRST = ("02_classification", "03_generation", "04_statistics", "06_real_cells")
FIRST_SCREEN_PX = 1200  # a desktop browser window (1280 x 1200), below its tool bars


def test_each_chapter_opens_with_its_answer(pages):
    """A reader who stops after the first screen has seen the chapter's key figure: the first
    figure of every chapter starts within the first screen, and in the analysis chapters it is
    the answer figure (glued from the computed results, shown above the evidence)."""
    for stem in (*CHAPTERS, "06_real_cells", "05_own_data"):
        info = pages[f"book/{stem}.html"]
        fig = info["first_figure"]
        assert fig and fig["img"], f"{stem}: no figure with an image"
        assert fig["top"] < FIRST_SCREEN_PX, f"{stem}: the first figure starts at {fig['top']:.0f} px"
        if stem in ANSWER_FIRST:
            assert fig["id"].endswith("-answer"), f"{stem}: the first figure is {fig['id']}, not the answer"


def test_no_table_shows_nan_or_a_snake_case_header(pages):
    """A missing value reads "—" with its reason, a header reads as words (cellmotion.tables)."""
    for rel, info in pages.items():
        assert not info["bad_cells"], f"{rel}: table cells {info['bad_cells'][:5]}"


def test_nothing_is_wider_than_the_page(pages):
    """Wide tables scroll inside their cell and long code lines wrap (_static/cellmotion.css)."""
    for rel, info in pages.items():
        assert not info["too_wide"], f"{rel}: elements wider than the page: {info['too_wide'][:3]}"


def test_papermill_injected_parameters_are_not_shown(pages):
    for rel, info in pages.items():
        assert info["injected_parameters"] == 0, f"{rel} shows papermill's injected-parameters cell"



def test_formulas_render_without_the_network(pages):
    """MathJax is served from the built site (sphinx-mathjax-offline), not from a CDN: the test
    browser has no network, so a formula left as raw TeX means the page needs the internet."""
    with_math = {rel: info for rel, info in pages.items() if info["n_math_nodes"] > 0}
    assert with_math, "no page has a formula: the check below would test nothing"
    for rel, info in with_math.items():
        assert info["math_src"] and all(s.startswith("file:") for s in info["math_src"]), \
            f"{rel} loads MathJax from {info['math_src']}"
        assert info["n_math"] >= info["n_math_nodes"], f"{rel}: formulas not typeset"
        assert info["raw_tex"] == 0, f"{rel} shows {info['raw_tex']} raw TeX delimiters"


def test_each_chapter_can_be_downloaded_and_launched(pages):
    """The executed notebook to download, and a Binder button that opens the Jupytext chapter
    (``book/<stem>.py``, the committed source) in JupyterLab."""
    for stem in CHAPTERS:
        links = pages[f"book/{stem}.html"]["links"]
        assert any(h.endswith(f"_sources/book/{stem}.ipynb") for h in links), \
            f"{stem}: no download link to the executed notebook"
        binder = [h for h in links if "mybinder.org/v2/gh/" in h]
        assert binder and all(h.endswith(f"urlpath=lab/tree/book/{stem}.py") for h in binder), \
            f"{stem}: Binder links {binder}"
