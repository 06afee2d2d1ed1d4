"""The built HTML book, opened page by page in headless Chromium.

Run after `make book` (or as part of `make test`):  make test-browser
Uses Debian's chromium (/usr/bin/chromium, or $CHROMIUM) driven by Playwright;
no browser is downloaded. Screenshots land in _build/screenshots/.
Each failure names the page and what is wrong.
"""

import json
import pathlib
import re
import urllib.parse

import pytest
import yaml
from conftest import HTML, ROOT

SHOTS = ROOT / "_build" / "screenshots"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def chapter_pages():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [entry["file"] for part in toc["parts"] for entry in part["chapters"]]
    return [f for f in files if (ROOT / f"{f}.ipynb").exists()]


def repository():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    url = config["repository"]["url"].rstrip("/")
    return url.removeprefix("https://github.com/"), config["repository"].get("branch", "main")


def widget_outputs(notebook):
    nb = json.loads((ROOT / f"{notebook}.ipynb").read_text())
    return sum(
        1
        for cell in nb["cells"]
        if cell["cell_type"] == "code"
        for output in cell.get("outputs", [])
        if WIDGET_VIEW in output.get("data", {})
    )


class PageVisit:
    """Load one page, recording console errors and failed local requests."""

    def __init__(self, browser, server, path):
        self.server = server
        self.errors, self.failed, self.external = [], [], []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.route(re.compile(r"^(?!http://127\.0\.0\.1).*"), self._block_external)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"uncaught exception: {exc}"))
        self.page.on("requestfailed", self._request_failed)
        self.page.on("response", self._response)
        self.response = self.page.goto(f"{server}/{path}", wait_until="load")
        self.page.wait_for_load_state("networkidle")

    def _block_external(self, route):
        # Books are read offline too: nothing on a page may need the network.
        self.external.append(route.request.url)
        route.abort()

    def _console(self, message):
        if message.type == "error" and not any(url in message.text for url in self.external):
            if "net::ERR_FAILED" in message.text and self.external:
                return  # the console echo of an external request blocked above
            self.errors.append(f"console error: {message.text}")

    def _request_failed(self, request):
        if request.url.startswith(self.server):
            self.failed.append(f"{request.url}: {request.failure}")

    def _response(self, response):
        if response.url.startswith(self.server) and response.status >= 400:
            self.failed.append(f"{response.url}: HTTP {response.status}")

    def close(self):
        self.context.close()


@pytest.fixture(scope="session")
def visits(browser, server):
    """Each page is loaded once; its screenshot is saved for review."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    opened = {}

    def visit(notebook):
        if notebook not in opened:
            page = PageVisit(browser, server, f"{notebook}.html")
            page.page.wait_for_timeout(500)  # let MathJax typeset
            page.page.screenshot(path=str(SHOTS / f"{pathlib.Path(notebook).name}.png"), full_page=True)
            opened[notebook] = page
        return opened[notebook]

    yield visit
    for page in opened.values():
        page.close()


PAGES = chapter_pages()


def test_the_book_has_chapter_pages():
    assert PAGES, "_toc.yml lists no chapter notebook"


@pytest.mark.parametrize("notebook", PAGES)
def test_page_loads_without_errors(visits, notebook):
    page = visits(notebook)
    assert page.response is not None and page.response.ok, f"{notebook}.html did not load"
    assert not page.errors, f"{notebook}.html: {page.errors}"
    assert not page.failed, f"{notebook}.html: failed requests to local files: {page.failed}"


@pytest.mark.parametrize("notebook", PAGES)
def test_every_figure_loaded_and_described(visits, notebook):
    images = visits(notebook).page.eval_on_selector_all(
        "main img, article img",
        """els => els.map(img => ({
            src: img.getAttribute('src') || '',
            width: img.naturalWidth,
            alt: (img.getAttribute('alt') || '').trim(),
            caption: (img.closest('figure')?.querySelector('figcaption')?.innerText || '').trim(),
        }))""",
    )
    assert images, f"{notebook}.html shows no image at all"
    broken = [image["src"][:80] for image in images if image["width"] == 0]
    assert not broken, f"{notebook}.html: images that did not load: {broken}"
    # An alt text that is only the image's own file name describes nothing.
    undescribed = [
        image["src"][:80]
        for image in images
        if not image["caption"] and (not image["alt"] or re.search(r"\.(png|jpe?g|gif|svg)$", image["alt"]))
    ]
    assert not undescribed, f"{notebook}.html: images without alt text or caption: {undescribed}"


@pytest.mark.parametrize("notebook", PAGES)
def test_no_error_output_is_shown(visits, notebook):
    text = visits(notebook).page.inner_text("main")
    for marker in ("Traceback (most recent call last)", "Error displaying widget"):
        assert marker not in text, f"{notebook}.html shows '{marker}'"
    tracebacks = visits(notebook).page.locator(".output.traceback, .output.error").count()
    assert tracebacks == 0, f"{notebook}.html shows {tracebacks} error outputs"


@pytest.mark.parametrize("notebook", PAGES)
def test_math_is_rendered(visits, notebook):
    page = visits(notebook).page
    expected = page.locator(".math").count()
    if expected == 0:
        pytest.skip(f"{notebook}.html has no math")
    # Attached, not visible: some formulas sit in closed dropdowns.
    page.wait_for_selector("mjx-container", state="attached", timeout=15000)
    rendered = page.locator("mjx-container").count()
    assert rendered >= expected, f"{notebook}.html: {rendered} of {expected} formulas rendered by MathJax"


@pytest.mark.parametrize("notebook", PAGES)
def test_launch_links_point_at_the_notebook(visits, notebook):
    repo, branch = repository()
    hrefs = visits(notebook).page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
    colab = f"https://colab.research.google.com/github/{repo}/blob/{branch}/{notebook}.ipynb"
    assert colab in hrefs, f"{notebook}.html: no Colab link to {colab}"
    binder = [h for h in hrefs if h.startswith(f"https://mybinder.org/v2/gh/{repo}/{branch}")]
    assert binder, f"{notebook}.html: no Binder link for {repo}@{branch}"
    assert any(urllib.parse.quote(f"{notebook}.ipynb", safe="/") in h or f"{notebook}.ipynb" in h for h in binder), (
        f"{notebook}.html: Binder link does not open {notebook}.ipynb: {binder}"
    )


@pytest.mark.parametrize("notebook", PAGES)
def test_widget_fallbacks_are_present_and_play(visits, notebook):
    expected = widget_outputs(notebook)
    if expected == 0:
        pytest.skip(f"{notebook} has no live widget")
    page = visits(notebook).page
    placeholders = page.locator(".cnnbook-placeholder").count()
    assert placeholders == 0, (
        f"{notebook}.html: {placeholders} widgets were executed without their stand-in (set CNNBOOK_STANDINS=1)"
    )
    fallbacks = page.locator(".cnnbook-fallback")
    assert fallbacks.count() >= expected, (
        f"{notebook}.html: {expected} live widgets but {fallbacks.count()} static stand-ins"
    )
    for index in range(fallbacks.count()):
        fallback = fallbacks.nth(index)
        assert fallback.inner_text().strip() or fallback.locator("img").count(), (
            f"{notebook}.html: the stand-in of {fallback.get_attribute('data-widget')} is empty"
        )
    players = page.locator(".cnnbook-animation")
    for index in range(players.count()):
        player = players.nth(index)
        frames = int(player.get_attribute("data-frames"))
        assert player.locator("img.cnnbook-frame").first.evaluate("img => img.naturalWidth") > 0, (
            f"{notebook}.html: fallback {index + 1} shows no frame"
        )
        if frames < 2:
            continue
        player.locator(".cnnbook-play").click()
        page.wait_for_function(
            "el => el.getAttribute('data-current') && el.getAttribute('data-current') !== '0'",
            arg=player.element_handle(),
            timeout=5000,
        )
        player.locator(".cnnbook-play").click()


def test_internal_links_resolve():
    """Every relative link of every page points at an existing file and anchor."""
    ids_cache = {}

    def ids_of(path):
        if path not in ids_cache:
            ids_cache[path] = set(re.findall(r'\bid="([^"]+)"', path.read_text(errors="replace")))
        return ids_cache[path]

    problems = []
    for page in sorted(HTML.rglob("*.html")):
        if "_static" in page.parts or "_sources" in page.parts:
            continue
        # links only: an <a href> inside a script is a string of its code (the quizzes build links with "http$1")
        text = re.sub(r"<script\b.*?</script>", "", page.read_text(errors="replace"), flags=re.S)
        for href in re.findall(r'<a [^>]*href="([^"]+)"', text):
            parsed = urllib.parse.urlparse(href)
            if parsed.scheme or href.startswith(("mailto:", "javascript:", "//")):
                continue
            target = (page.parent / urllib.parse.unquote(parsed.path)).resolve() if parsed.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                problems.append(f"{page.relative_to(HTML)} -> {href}: no such file")
            elif parsed.fragment and target.suffix == ".html" and parsed.fragment not in ids_of(target):
                problems.append(f"{page.relative_to(HTML)} -> {href}: no such anchor")
    assert not problems, "\n".join(problems[:30])
