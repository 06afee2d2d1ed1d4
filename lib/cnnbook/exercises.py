"""Feedback on exercises and the chapters' self-test quizzes.

:func:`check` compares a student's answer to an exercise with the answer that
``cnnbook`` computes, and says whether it is right or what is wrong with it (a
shape, a sign, a factor, a flipped kernel) without printing the answer.
:func:`quiz` shows a chapter's self test with jupyterquiz, which renders in
Jupyter, Colab and the static HTML book (JavaScript, no kernel).

Every chapter ends with exercises (chapter 1 onwards); those that take a
checkable answer say so and show the call, e.g. ``check("4.2", my_count)``.
"""

import dataclasses
import hashlib
import html
import json
import numbers
import random

import numpy as np

__all__ = ["Verdict", "check", "compare", "multiple_choice", "numeric", "quiz"]

# Factors a student's answer is most often off by: a forgotten bias, a doubled sum, a
# missing channel count or kernel area.
_FACTORS = (2, 3, 4, 8, 9, 16, 25, 1 / 2, 1 / 3, 1 / 4, 1 / 8, 1 / 9, 1 / 16, 1 / 25)


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The outcome of :func:`check` or :func:`compare`: ``right`` and one sentence for the student."""

    right: bool
    message: str

    def __bool__(self):
        return self.right

    def __str__(self):
        return ("Right. " if self.right else "Not yet. ") + self.message

    def _repr_html_(self):
        colour = "#1b7f3b" if self.right else "#b00020"
        return f'<div style="border-left:4px solid {colour};padding:2px 8px"><b>{html.escape(str(self))}</b></div>'

    def __repr__(self):
        return str(self)


def _as_numbers(answer):
    """``answer`` as a float array, or a sentence saying why it is not one."""
    if isinstance(answer, str):
        return None, f"the answer is the text {answer!r}; give a number (no quotes)"
    if isinstance(answer, (bool, np.bool_)):
        return None, f"the answer is {answer!r}, a truth value; give a number"
    try:
        values = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return None, f"the answer, of type {type(answer).__name__}, is not a number or an array of numbers"
    if not np.all(np.isfinite(values)):
        return None, "the answer holds NaN or infinite values"
    return values, None


def _shape_text(shape):
    return "a single number" if shape == () else "shape " + "x".join(map(str, shape))


def compare(answer, expected, rtol=1e-6, atol=1e-9):
    """Compare ``answer`` with ``expected`` (a number or an array); a :class:`Verdict` that names the mistake.

    The verdict never quotes the expected values, so it can be shown to a student.

    Examples
    --------
    >>> compare(17, 17)
    Right. The answer matches.
    >>> compare(34, 17)
    Not yet. The answer is off by a factor of 2 (it is 2 times too large).
    >>> compare([[1, 2], [3, 4]], [[4, 3], [2, 1]])
    Not yet. The answer is the expected array rotated by 180 degrees: convolution and cross-correlation differ by that flip.
    >>> compare("17", 17)
    Not yet. The answer is the text '17'; give a number (no quotes).
    """
    if answer is None or answer is Ellipsis:
        return Verdict(False, "There is no answer yet: replace the ... (or None) with your answer and run the cell.")
    got, problem = _as_numbers(answer)
    if problem:
        return Verdict(False, problem[0].upper() + problem[1:] + ".")
    want = np.asarray(expected, dtype=float)
    if got.shape != want.shape:
        if got.size == want.size and got.ndim == want.ndim == 2 and got.T.shape == want.shape:
            if np.allclose(got.T, want, rtol=rtol, atol=atol):
                return Verdict(False, "The answer is the expected array transposed: rows and columns are swapped.")
        return Verdict(
            False, f"The answer has {_shape_text(got.shape)}; the question asks for {_shape_text(want.shape)}."
        )

    def close(a):
        return bool(np.allclose(a, want, rtol=rtol, atol=atol))

    if close(got):
        return Verdict(True, "The answer matches.")
    if close(-got):
        return Verdict(False, "The answer has the right size but the wrong sign.")
    if got.ndim >= 2 and close(np.flip(got, axis=(0, 1))):
        return Verdict(
            False,
            "The answer is the expected array rotated by 180 degrees: "
            "convolution and cross-correlation differ by that flip.",
        )
    if got.ndim == 2 and got.shape[0] == got.shape[1] and close(got.T):
        return Verdict(False, "The answer is the expected array transposed: rows and columns are swapped.")
    for factor in _FACTORS:
        if close(got / factor):
            size = f"{factor:g} times too large" if factor > 1 else f"{1 / factor:g} times too small"
            return Verdict(
                False, f"The answer is off by a factor of {factor if factor > 1 else 1 / factor:g} (it is {size})."
            )
    if want.ndim:
        wrong = ~np.isclose(got, want, rtol=rtol, atol=atol)
        first = tuple(int(i) for i in np.argwhere(wrong)[0])
        return Verdict(False, f"{int(wrong.sum())} of {want.size} entries differ; the first at index {first}.")
    return Verdict(False, "The answer is " + ("too large." if got > want else "too small."))


# The exercises that :func:`check` knows: "chapter.exercise" -> (what the answer is, the
# function that computes it with cnnbook). Filled by the chapters' exercises.
_EXERCISES = {}


def check(exercise, answer):
    """Say whether ``answer`` is right for ``exercise`` (``"chapter.number"``, e.g. ``"4.2"``).

    Returns a :class:`Verdict` (shown in the notebook); a malformed answer gets a
    sentence that says what is wrong with it, never a traceback.
    """
    if not isinstance(exercise, str) or exercise not in _EXERCISES:
        known = ", ".join(sorted(_EXERCISES, key=lambda k: tuple(map(int, k.split(".")))))
        return Verdict(False, f"There is no checkable exercise {exercise!r}; the checkable ones are {known}.")
    _, expected = _EXERCISES[exercise]
    return compare(answer, expected())


_QUESTION_TYPES = {"multiple_choice", "many_choice", "numeric"}


def multiple_choice(question, *answers):
    """A quiz question (for :func:`quiz`) with one or more right answers among ``answers``.

    Each answer is ``(text, correct, feedback)``; the feedback shows when the reader picks it.

    >>> q = multiple_choice("Has max pooling weights?", ("No", True, "Right."), ("Yes", False, "It has none."))
    >>> q["type"], [a["correct"] for a in q["answers"]]
    ('multiple_choice', [True, False])
    """
    rows = [{"answer": text, "correct": bool(correct), "feedback": feedback} for text, correct, feedback in answers]
    kind = "many_choice" if sum(a["correct"] for a in rows) > 1 else "multiple_choice"
    return {"question": question, "type": kind, "answers": rows}


def numeric(question, value, feedback, mistakes=(), hint="Not quite: work it through once more."):
    """A quiz question (for :func:`quiz`) whose answer is the number ``value``.

    ``mistakes`` are ``(wrong value, feedback)`` pairs for the answers students
    often give; any other answer gets ``hint``.

    >>> q = numeric("Parameters of a 3x3 filter with a bias?", 10, "Right.", [(9, "Add the bias.")])
    >>> [a.get("value") for a in q["answers"]]
    [10, 9, None]
    """

    def plain(number):  # numpy scalars as Python numbers, so the quiz can be written as JSON
        return number.item() if isinstance(number, np.generic) else number

    answers = [{"type": "value", "value": plain(value), "correct": True, "feedback": feedback}]
    answers += [{"type": "value", "value": plain(w), "correct": False, "feedback": text} for w, text in mistakes]
    answers.append({"type": "default", "feedback": hint})
    return {"question": question, "type": "numeric", "answers": answers}


def _quiz_problems(questions):
    """What is wrong with a list of jupyterquiz questions, as sentences (empty when nothing)."""
    if not isinstance(questions, list) or not questions:
        return ["questions must be a non-empty list of dicts"]
    problems = []
    for n, q in enumerate(questions, 1):
        if not isinstance(q, dict):
            problems.append(f"question {n} is a {type(q).__name__}, not a dict")
            continue
        if not isinstance(q.get("question"), str) or not q["question"].strip():
            problems.append(f"question {n} has no 'question' text")
        if q.get("type") not in _QUESTION_TYPES:
            problems.append(f"question {n} has type {q.get('type')!r}; allowed: {sorted(_QUESTION_TYPES)}")
        answers = q.get("answers")
        if not isinstance(answers, list) or not answers or not all(isinstance(a, dict) for a in answers):
            problems.append(f"question {n} needs a non-empty list of answer dicts")
            continue
        if not any(a.get("correct") for a in answers):
            problems.append(f"question {n} has no answer marked correct")
        for a in answers:
            if (
                q.get("type") == "numeric"
                and a.get("type") != "default"
                and not (isinstance(a.get("value"), numbers.Real) or isinstance(a.get("range"), list))
            ):
                problems.append(f"question {n}: a numeric answer needs a 'value' or a 'range' (or type 'default')")
            if not isinstance(a.get("feedback"), str):
                problems.append(f"question {n}: every answer needs 'feedback' text")
    return problems


def quiz(questions):
    """Show a self-test quiz: jupyterquiz ``questions`` with per-answer feedback.

    ``questions`` is a list of dicts in jupyterquiz's format
    (``{"question": ..., "type": "multiple_choice" | "many_choice" | "numeric",
    "answers": [{"answer" or "value": ..., "correct": bool, "feedback": ...}]}``).
    The quiz works in Jupyter, Colab and the HTML book. Its element id comes from
    the questions, so re-running an unchanged chapter stores the same output.
    Each chapter's self test uses it.
    """
    problems = _quiz_problems(questions)
    if problems:
        raise ValueError("quiz: " + "; ".join(problems))
    from jupyterquiz import display_quiz

    key = hashlib.sha256(json.dumps(questions, sort_keys=True).encode()).hexdigest()
    state = random.getstate()
    random.seed(key)  # jupyterquiz draws its element id and answer order from `random`
    try:
        display_quiz(questions, shuffle_answers=False)
    finally:
        random.setstate(state)
