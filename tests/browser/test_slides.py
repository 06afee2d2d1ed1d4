"""The lecture decks (tools/slides.py) in headless Chromium, offline.

The decks are built into a temporary folder exactly as ``make slides`` builds
them. Each is opened from a file with every request that is not a ``file:`` or
``data:`` URL blocked; the test steps through every slide and fails on a
console error, a page error, a failed or blocked request, or a slide with no
content. It then moves a control of an interactive stand-in inside a deck and
checks that the stand-in redraws.
Run:  make test-browser   (or: pytest tests/browser/test_slides.py)
"""

import pathlib
import re
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import slides  # noqa: E402

SESSIONS = sorted(slides.run_sheets())


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    return {path.stem: path for path in slides.build(tmp_path_factory.mktemp("slides"))}


def open_deck(browser, path):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    problems = []

    def block(route):
        problems.append(f"request to {route.request.url} (the deck must work offline)")
        route.abort()

    context.route(re.compile(r"^(?!file:|data:).*"), block)
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and problems.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"failed request: {request.url}"))
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_function("() => window.Reveal && Reveal.isReady()")
    return context, page, problems


def test_there_are_four_sessions_each_with_chapter_cells():
    assert SESSIONS == ["kuo", "larson1", "larson2", "payberah"]
    untagged = [session for session in SESSIONS if not slides.tagged_cells(session)]
    assert not untagged, f"no chapter cell carries the tag slide-<session> for {untagged}: tag the cells of each deck"


@pytest.mark.parametrize("session", SESSIONS)
def test_deck_steps_through_every_slide_offline(browser, decks, session):
    path = decks[session]
    assert path.stat().st_size < slides.MAX_DECK_BYTES
    context, page, problems = open_deck(browser, path)
    try:
        total = page.evaluate("Reveal.getTotalSlides()")
        assert total >= 8, f"{session}: only {total} slides"
        seen, empty = 0, []
        while True:
            seen += 1
            slide = page.evaluate("Reveal.getCurrentSlide().innerText.trim().length")
            images = page.evaluate(
                "[...Reveal.getCurrentSlide().querySelectorAll('img')].filter(i => !i.complete || !i.naturalWidth).length"
            )
            if not slide or images:
                empty.append(page.evaluate("Reveal.getIndices().h"))
            if page.evaluate("Reveal.isLastSlide()"):
                break
            page.evaluate("Reveal.next()")
            page.wait_for_timeout(30)
        assert seen == total, f"{session}: stepped through {seen} of {total} slides"
        assert not empty, f"{session}: slides {empty} are empty or show a broken image"
        notes = page.evaluate("[...document.querySelectorAll('aside.notes')].map(n => n.innerText)")
        assert any(re.search(r"Minutes \d+-\d+", note) for note in notes), "no timings in the speaker notes"
        if page.evaluate("!!document.querySelector('.math')"):
            assert page.evaluate("document.querySelectorAll('mjx-container svg').length") > 0, "math not rendered"
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_a_stand_in_responds_inside_a_deck(browser, decks):
    """The sliding kernel's stand-in (Larson 1): moving a range control redraws the stand-in."""
    context, page, problems = open_deck(browser, decks["larson1"])
    try:
        index = page.evaluate(
            "[...document.querySelectorAll('.reveal .slides > section')]"
            ".findIndex(s => s.querySelector('.standin input[type=range]'))"
        )
        assert index >= 0, "no interactive stand-in with a range control in the deck"
        page.evaluate(f"Reveal.slide({index})")
        standin = page.locator(".reveal .slides > section.present .standin").first
        control = standin.locator("input[type=range]").first
        before = standin.inner_html()
        low, high, value = (float(control.get_attribute(name) or 0) for name in ("min", "max", "value"))
        target = high if value != high else low
        control.evaluate(
            "(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true}));"
            " el.dispatchEvent(new Event('change', {bubbles: true})); }",
            str(int(target)),
        )
        page.wait_for_timeout(100)
        assert standin.inner_html() != before, "the stand-in did not redraw after its control moved"
    finally:
        context.close()
    assert not problems, "\n".join(problems)
