"""The course as a book (scripts/build_book.py): every lecture with its figures and math, in order, linked, offline, clean.

Runs last in a session (conftest.py moves tests marked `book` to the end), so the build finds the lectures nbval
has just executed in build/executed/ and executes only what is missing. Then it checks the HTML: every lecture page,
its figures and math, the table of contents in lecture order, every relative link, no asset from the network,
nothing from solutions/; and opens every lecture in Debian's chromium (Playwright, as tests/test_browser.py does):
figures shown, math typeset by MathJax, no request off loopback. Screenshots go to test-output/book/ (git-ignored).
Skips when Sphinx, myst-nb, sphinx-book-theme or sphinx-mathjax-offline are missing (`pip install -e ".[dev]"`);
the browser test also skips without chromium or Playwright, or with COURSE_SKIP_BROWSER=1.
"""
from __future__ import annotations

import html
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import CHROMIUM, REPO, launch_chromium

pytestmark = [pytest.mark.slow, pytest.mark.book]

SITE = REPO / "build" / "book"
LECTURES = sorted((REPO / "lectures").glob("*.ipynb"))
PACKAGES = ("sphinx", "myst_nb", "sphinx_book_theme", "sphinx-mathjax-offline")
SHOTS = REPO / "test-output" / "book"
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml")
ASSET = re.compile(r"<(script|link|img|source|iframe)\b[^>]*?\b(src|href)=[\"']([^\"']+)[\"']", re.I)
CSS_URL = re.compile(r"@import\s+(?:url\()?[\"']?([^\"')\s;]+)|url\(\s*[\"']?([^\"')]+)", re.I)
LINK = re.compile(r"\b(?:href|src)=[\"']([^\"']+)[\"']", re.I)


@pytest.fixture(scope="module")
def site() -> Path:
    """Build the site as `python scripts/build_book.py` does (quick mode) and return its folder."""
    missing = [name for name in PACKAGES if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(f"the book needs {', '.join(missing)}: pip install -e \".[dev]\"")
    env = {**os.environ, "COURSE_QUICK": "1"}
    done = subprocess.run([sys.executable, "scripts/build_book.py"], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=3600)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    print(done.stdout)
    return SITE


def executed(lecture: Path) -> dict:
    """The cached executed copy of a lecture that the site was built from, as JSON."""
    sys.path.insert(0, str(REPO))
    from book import cache

    return json.loads(cache.entry(lecture, "quick").read_text(encoding="utf-8"))


def page_of(lecture: Path) -> Path:
    """The HTML page of a lecture."""
    return SITE / "lectures" / f"{lecture.stem}.html"


def html_files(root: Path) -> list[Path]:
    """Every HTML page of the site (not the theme's Jinja macro files that it copies into _static/)."""
    return sorted(path for path in root.rglob("*.html") if "_static" not in path.relative_to(root).parts)


def visible_text(markup: str) -> str:
    """The text of an HTML page: tags removed (syntax highlighting splits code into spans), entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def test_every_lecture_has_a_page_with_its_figures_math_and_note(site):
    for lecture in LECTURES:
        page = page_of(lecture)
        assert page.is_file(), f"no page for {lecture.name}"
        markup = page.read_text(encoding="utf-8")
        figures = sum(1 for cell in executed(lecture)["cells"] for out in cell.get("outputs", [])
                      if any(kind in out.get("data", {}) for kind in IMAGE_TYPES))
        images = [src for tag, attr, src in ASSET.findall(markup) if tag.lower() == "img"]
        assert len(images) + markup.count("<svg") >= figures, f"{lecture.name}: {figures} figures, {len(images)} <img>"
        for src in images:
            assert (page.parent / unquote(src)).is_file(), f"{lecture.name}: <img src={src!r}> has no file"
        if any("$" in "".join(c["source"]) for c in executed(lecture)["cells"] if c["cell_type"] == "markdown"):
            assert re.search(r'class="math notranslate nohighlight"', markup), f"{lecture.name}: no math"
        if "math notranslate" in markup:
            assert "_static/mathjax/tex-chtml.js" in markup, f"{lecture.name}: MathJax is not served from the site"
        note = visible_text(markup)
        assert re.search(r"(quick|full) mode", note) and "executed by" in note, f"{lecture.name}: no note on the mode"
        assert f"colab.research.google.com/github/dl-course/dl-course/blob/main/lectures/{lecture.name}" in markup


def test_the_table_of_contents_follows_the_lectures(site):
    markup = (site / "index.html").read_text(encoding="utf-8")
    order = [Path(href).stem for href in re.findall(r'href="(lectures/[^"#]+\.html)"', markup)]
    unique = list(dict.fromkeys(order))
    assert unique == [lecture.stem for lecture in LECTURES], f"table of contents: {unique}"
    for name in ("assignments/perceptron/perceptron.html", "BENCHMARKS.html"):
        assert f'href="{name}"' in markup and (site / name).is_file(), f"{name} missing from the front page or site"


def test_every_relative_link_resolves(site):
    broken = []
    for page in html_files(site):
        markup = page.read_text(encoding="utf-8")
        for link in LINK.findall(markup):
            parts = urlsplit(html.unescape(link))
            if parts.scheme or link.startswith(("//", "#")) or not parts.path:
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            if not target.exists():
                broken.append(f"{page.relative_to(site)}: {link}")
            elif parts.fragment and target.suffix == ".html" and f'id="{parts.fragment}"' not in target.read_text(
                    encoding="utf-8"):
                broken.append(f"{page.relative_to(site)}: {link} (no such anchor)")
    assert not broken, f"{len(broken)} broken links: {broken[:10]}"


def test_no_asset_comes_from_the_network(site):
    remote = []
    for page in html_files(site):
        for tag, attr, url in ASSET.findall(page.read_text(encoding="utf-8")):
            if tag.lower() != "img" and re.match(r"(https?:)?//", url):
                remote.append(f"{page.relative_to(site)}: <{tag} {attr}={url}>")
    for sheet in sorted(site.rglob("*.css")):
        for imported, url in CSS_URL.findall(sheet.read_text(encoding="utf-8", errors="replace")):
            if re.match(r"(https?:)?//", imported or url):
                remote.append(f"{sheet.relative_to(site)}: {imported or url}")
    assert not remote, f"assets from the network: {remote[:10]}"


def test_nothing_secret_is_published(site):
    from grading.publish import MARKERS, secret_lines

    taught = {line.strip() for path in LECTURES for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]
              for line in "".join(cell["source"]).splitlines()}
    secrets = secret_lines(REPO) - taught  # a line a lecture teaches is no secret
    found = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # pictures and fonts
        shown = text + "\n" + visible_text(text) if path.suffix == ".html" else text
        found += [f"{path.relative_to(site)}: {marker!r}" for marker in MARKERS if marker in shown]
        lines = {line.strip() for line in shown.splitlines()}
        found += [f"{path.relative_to(site)}: hidden test line {line!r}" for line in sorted(secrets & lines)]
    found += [str(p.relative_to(site)) for p in site.rglob("*solutions*")]
    assert not found, f"secrets in the site: {found[:10]}"


@pytest.fixture(scope="module")
def browser_page(site, tmp_path_factory):
    """A headless chromium page (Playwright), as tests/test_browser.py starts it; skips when either is missing."""
    if os.environ.get("COURSE_SKIP_BROWSER") == "1":
        pytest.skip("COURSE_SKIP_BROWSER=1")
    if not Path(CHROMIUM).exists() or importlib.util.find_spec("playwright") is None:
        pytest.skip(f"needs {CHROMIUM} (apt-get install -y chromium) and playwright (pip)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = launch_chromium(driver, tmp_path_factory.mktemp("chromium-profile"))
        yield browser.new_page()
        browser.close()


def test_every_lecture_shows_its_figures_and_typeset_math_in_chromium(site, browser_page):
    from loopback import serve

    page, requests = browser_page, []
    page.on("request", lambda request: requests.append(request.url))
    SHOTS.mkdir(parents=True, exist_ok=True)
    with serve(site) as base:
        page.goto(base + "index.html")
        page.wait_for_selector("nav.bd-links a[href*='lectures/']", timeout=60_000)
        page.screenshot(path=str(SHOTS / "index.png"))
        for lecture in LECTURES:
            check_lecture(page, base, lecture)
        remote = [url for url in requests if not url.startswith((base, "data:", "blob:", "about:"))]
    assert not remote, f"the pages asked the network for {remote[:10]}"
    print(f"\nbook screenshots: {SHOTS}")


def check_lecture(page, base: str, lecture: Path) -> None:
    """Open a lecture: its figures are loaded and visible, its math typeset (mjx-container); screenshot two of them."""
    page.goto(f"{base}lectures/{lecture.stem}.html")
    page.wait_for_load_state("load")
    images = page.locator("article img")
    assert images.count() >= 1, f"{lecture.name}: no figure shown"
    for i in range(images.count()):
        image = images.nth(i)
        image.scroll_into_view_if_needed()
        assert image.evaluate("img => img.complete && img.naturalWidth > 0"), f"{lecture.name}: figure {i} not loaded"
        assert image.is_visible(), f"{lecture.name}: figure {i} is hidden"
    if page.locator("article .math").count():
        page.wait_for_selector("article mjx-container", timeout=60_000)
        assert page.locator("article .math mjx-container, article mjx-container").count() >= 1
    if lecture.stem in ("02_mlp_backprop", "03_convnets"):
        target = page.locator("article mjx-container" if lecture.stem.startswith("02") else "article img").first
        target.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"{lecture.stem}.png"))
