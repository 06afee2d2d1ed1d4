"""One headless Chromium for every browser test (Playwright allows one sync session per process), the built book served on localhost, and pages of widget stand-ins opened in it."""

import functools
import http.server
import os
import pathlib
import re
import shutil
import threading

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
HTML = pathlib.Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html"))
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not pathlib.Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium (or set $CHROMIUM)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def server():
    if not (HTML / "index.html").exists():
        pytest.fail(f"no built book at {HTML}: run `make book` first")

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(QuietHandler, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def standin_page(path, widgets):
    """Write a page holding the static stand-ins of ``widgets`` to ``path``; return its file URL."""
    path.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
        + "".join(widget.standin_html() for widget in widgets)
        + "</body></html>",
        encoding="utf-8",
    )
    return path.as_uri()


def open_page(browser, url, viewport=(1400, 1000), local=r"file:|http://127\.0\.0\.1", console=("error",)):
    """Open ``url`` in a new browser context that blocks every request outside the machine.

    ``local`` is a regular expression for the starts of the URLs the page may load. Returns
    ``(context, page, errors, external)``: ``errors`` collects the page's uncaught errors and its
    console messages of the types in ``console``, ``external`` the URLs it was refused, as they come.
    """
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height})
    external = []

    def block(route):
        external.append(route.request.url)
        route.abort()

    context.route(re.compile(rf"^(?!{local}).*"), block)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type in console else None)
    page.goto(url, wait_until="load")
    return context, page, errors, external
