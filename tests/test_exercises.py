"""cnnbook.exercises: the verdicts students get, and the quizzes' input checks."""

import json

import numpy as np
import pytest

from cnnbook import exercises
from cnnbook.exercises import compare


@pytest.mark.parametrize("answer", [17, 17.0, np.int64(17), np.array(17.0), 17 + 1e-9])
def test_a_right_number_is_right(answer):
    verdict = compare(answer, 17)
    assert verdict.right and bool(verdict) and str(verdict) == "Right. The answer matches."


def test_a_right_array_is_right():
    assert compare([[1, 2], [3, 4]], np.array([[1.0, 2.0], [3.0, 4.0]])).right


@pytest.mark.parametrize(
    ("answer", "expected", "says"),
    [
        (34, 17, "off by a factor of 2 (it is 2 times too large)"),
        (8.5, 17, "off by a factor of 2 (it is 2 times too small)"),
        (153, 17, "off by a factor of 9"),
        (-17, 17, "wrong sign"),
        (18, 17, "too large"),
        (16, 17, "too small"),
        ([[1, 2], [3, 4]], [[4, 3], [2, 1]], "rotated by 180 degrees"),
        ([[1, 2], [3, 4]], [[1, 3], [2, 4]], "transposed"),
        ([[1, 2, 3]], [[1], [2], [3]], "transposed"),
        (np.zeros((3, 3)), np.zeros((5, 5)), "shape 3x3; the question asks for shape 5x5"),
        ([1, 2, 3], 6, "shape 3; the question asks for a single number"),
        ([[1, 2], [3, 5]], [[1, 2], [3, 40]], "1 of 4 entries differ; the first at index (1, 1)"),
    ],
)
def test_a_wrong_answer_is_named_without_giving_the_answer(answer, expected, says):
    verdict = compare(answer, expected)
    assert not verdict.right
    assert says in verdict.message
    # the expected values are never printed (unless they equal what the student gave)
    for value in np.ravel(expected):
        if value not in np.ravel(answer) and abs(value) > 1:
            assert f"{value:g}" not in verdict.message.replace(str(np.shape(expected)), "")


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (None, "There is no answer yet"),
        (Ellipsis, "There is no answer yet"),
        ("17", "The answer is the text '17'; give a number (no quotes)"),
        (True, "a truth value"),
        ({"a": 1}, "is not a number or an array of numbers"),
        ([[1, 2], [3]], "is not a number or an array of numbers"),
        (float("nan"), "NaN or infinite"),
    ],
)
def test_a_malformed_answer_gets_a_sentence_not_a_traceback(answer, says):
    verdict = compare(answer, 17)
    assert not verdict.right and says in verdict.message


def test_a_verdict_shows_as_coloured_html():
    assert "#1b7f3b" in compare(1, 1)._repr_html_() and "#b00020" in compare(2, 1)._repr_html_()
    assert "&#x27;" in compare("<1>'", 1)._repr_html_()  # escaped


def test_check_knows_its_exercises_and_names_the_known_ones(monkeypatch):
    monkeypatch.setattr(exercises, "_EXERCISES", {"4.2": ("a count", lambda: 1820), "10.1": ("x", lambda: 1)})
    assert exercises.check("4.2", 1820).right
    assert "factor of 2" in exercises.check("4.2", 3640).message
    for unknown in ("4.9", 4.2, None):
        verdict = exercises.check(unknown, 1820)
        assert not verdict.right and "the checkable ones are 4.2, 10.1" in verdict.message


QUESTION = {
    "question": "How many parameters?",
    "type": "numeric",
    "answers": [
        {"type": "value", "value": 1820, "correct": True, "feedback": "Right."},
        {"type": "default", "feedback": "Count the biases too."},
    ],
}


def test_quiz_displays_the_same_output_for_the_same_questions(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *objs, **kw: shown.extend(objs))
    import jupyterquiz.dynamic.display as jq

    monkeypatch.setattr(jq, "display", lambda *objs, **kw: shown.extend(objs))
    exercises.quiz([QUESTION])
    exercises.quiz([QUESTION])
    first, second = shown[: len(shown) // 2], shown[len(shown) // 2 :]
    assert [o.data for o in first] == [o.data for o in second]
    assert "How many parameters?" in json.dumps([o.data for o in first])


@pytest.mark.parametrize(
    ("questions", "says"),
    [
        ([], "non-empty list"),
        ("q", "non-empty list"),
        ([1], "question 1 is a int"),
        ([{**QUESTION, "question": ""}], "no 'question' text"),
        ([{**QUESTION, "type": "essay"}], "type 'essay'"),
        ([{**QUESTION, "answers": []}], "non-empty list of answer dicts"),
        ([{**QUESTION, "answers": [{"value": 1, "feedback": "x"}]}], "no answer marked correct"),
        ([{**QUESTION, "answers": [{"correct": True, "feedback": "x"}]}], "needs a 'value' or a 'range'"),
        ([{**QUESTION, "answers": [{"value": 1, "correct": True}]}], "needs 'feedback'"),
    ],
)
def test_quiz_refuses_malformed_questions_with_a_clear_message(questions, says):
    with pytest.raises(ValueError, match=says):
        exercises.quiz(questions)
