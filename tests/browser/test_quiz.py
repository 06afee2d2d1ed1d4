"""The self-test quizzes (cnnbook.exercises.quiz, rendered by jupyterquiz) answered in headless Chromium.

First on a page this test writes from the quiz's own output, the way myst-nb
puts it in the book (its HTML, then its JavaScript in a script element); then
on every chapter page of the built book: a right answer and a wrong answer to
the first question, each with its feedback, and no page or console error.
"""

import json
import pathlib

import pytest
from test_book_pages import chapter_pages

from cnnbook import exercises

ROOT = pathlib.Path(__file__).resolve().parents[2]
QUESTIONS = [
    exercises.multiple_choice(
        "Which layers have learned parameters?",
        ("Convolution", True, "Right: filter weights and biases."),
        ("Max pooling", False, "Pooling has no weights."),
    ),
    exercises.numeric(
        "Parameters of Conv2D(32, 5) on one channel?", 832, "Right: 800 + 32.", [(800, "Add the biases.")]
    ),
]


def quiz_page(questions, path):
    shown = []
    import jupyterquiz.dynamic.display as shown_by

    original = shown_by.display
    shown_by.display = lambda *objects, **_: shown.extend(objects)
    try:
        exercises.quiz(questions)
    finally:
        shown_by.display = original
    html, script = shown
    path.write_text(
        f"<!doctype html><html><body>{html.data}"
        f'<script type="application/javascript">{script.data}</script></body></html>',
        encoding="utf-8",
    )
    return path


def open_page(browser, url):
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Chromium asks every new page's server for /favicon.ico, which the book does not have
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    page.goto(url, wait_until="load")
    return page, errors


def answer_choice(page, question, text):
    question.locator(".MCButton", has_text=text).first.click()
    feedback = question.locator(".Feedback")
    return feedback.get_attribute("class"), feedback.inner_text()


def test_a_quiz_page_gives_feedback_for_right_and_wrong_answers(browser, tmp_path):
    page, errors = open_page(browser, quiz_page(QUESTIONS, tmp_path / "quiz.html").as_uri())
    choice = page.locator(".Quiz", has=page.locator(".MultipleChoiceQn")).first
    assert answer_choice(page, choice, "Max pooling") == ("Feedback incorrect", "Pooling has no weights.")
    assert answer_choice(page, choice, "Convolution") == ("Feedback correct", "Right: filter weights and biases.")
    number = page.locator(".Quiz", has=page.locator(".NumericQn")).first
    for typed, verdict, text in [("800", "incorrect", "Add the biases."), ("832", "correct", "Right: 800 + 32.")]:
        number.locator("input").fill(typed)
        number.locator("input").press("Enter")
        feedback = number.locator(".Feedback")
        assert feedback.get_attribute("class") == f"Feedback {verdict}" and feedback.inner_text() == text
    assert not errors
    page.close()


def chapters_with_quiz():
    pages = []
    for name in chapter_pages():
        nb = json.loads((ROOT / f"{name}.ipynb").read_text(encoding="utf-8"))
        if any("quiz(" in "".join(cell["source"]) for cell in nb["cells"] if cell["cell_type"] == "code"):
            pages.append(name)
    return pages


def test_every_chapter_has_a_quiz():
    numbered = [name for name in chapter_pages() if pathlib.Path(name).name[:2].isdigit()]
    assert chapters_with_quiz() == numbered


@pytest.mark.parametrize("name", chapters_with_quiz())
def test_the_built_chapter_quiz_answers_right_and_wrong(browser, server, name):
    page, errors = open_page(browser, f"{server}/{name}.html")
    question = page.locator(".Quiz", has=page.locator(".MultipleChoiceQn")).first
    buttons = question.locator(".MCButton")
    assert buttons.count() >= 2, f"{name}: the quiz has no multiple-choice question"
    verdicts = set()
    for i in range(buttons.count()):
        buttons.nth(i).click()
        verdicts.add(question.locator(".Feedback").get_attribute("class"))
    assert {"Feedback correct", "Feedback incorrect"} <= verdicts, f"{name}: {verdicts}"
    assert not errors, f"{name}: {errors}"
    page.close()
