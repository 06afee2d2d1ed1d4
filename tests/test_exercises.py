"""cnnbook.exercises: the verdicts students get, and the quizzes' input checks."""

import json
import re

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
    registry = {
        "count-params": exercises._Exercise(4, "a count", lambda: (1820, [(1810, "Count the biases.")])),
        "last-one": exercises._Exercise(10, "x", lambda: (1, [])),
    }
    monkeypatch.setattr(exercises, "_EXERCISES", registry)
    exercises._solution.cache_clear()
    try:
        assert exercises.check("count-params", 1820).right
        assert "factor of 2" in exercises.check("count-params", 3640).message
        assert exercises.check("count-params", 1810).message == "Count the biases."  # the exercise's own mistake
        for unknown in ("count-param", 4.2, None):
            verdict = exercises.check(unknown, 1820)
            assert not verdict.right and "The checkable ones are count-params, last-one." in verdict.message
        assert "Did you mean 'count-params'?" in exercises.check("count-param", 1820).message
    finally:
        exercises._solution.cache_clear()


# Every registered exercise: the right answer is right, each mistake it names gets its own sentence (never the
# answer), and a malformed answer gets a sentence. ``solve`` is the one home of the expected answers.
EXERCISE_IDS = sorted(exercises._EXERCISES)


def test_there_are_at_least_three_checkable_exercises_in_every_chapter():
    chapters = [entry.chapter for entry in exercises._EXERCISES.values()]
    assert all(chapters.count(n) >= 3 for n in range(1, 11)), chapters


@pytest.mark.parametrize("name", EXERCISE_IDS)
def test_every_exercise_takes_its_right_answer_and_names_its_mistakes(name):
    expected, mistakes = exercises._solution(name)
    assert exercises.check(name, expected).right
    if not isinstance(expected, str):
        assert exercises.check(name, np.asarray(expected).tolist()).right  # as a list, as students type it
    assert mistakes or np.ndim(expected) >= 1  # scalar answers name at least one mistake
    for wrong, sentence in mistakes:
        verdict = exercises.check(name, wrong)
        assert not verdict.right and verdict.message == sentence, (wrong, verdict)
        answer_text = repr(expected) if isinstance(expected, str) else f"{float(np.ravel(expected)[0]):g}"
        if np.size(expected) == 1:  # a single number or word is never quoted
            assert not re.search(rf"(?<![\w.]){re.escape(answer_text)}(?![\w]|\.\d)", sentence), sentence


@pytest.mark.parametrize("name", EXERCISE_IDS)
def test_every_exercise_answers_malformed_answers_with_a_sentence(name):
    expected, _ = exercises._solution(name)
    for answer in (None, ..., "a guess", {"a": 1}, True, [[1, 2], [3]]):
        verdict = exercises.check(name, answer)
        assert not verdict.right and verdict.message.endswith(".") and "Traceback" not in verdict.message
    if not isinstance(expected, str):
        wrong_shape = np.zeros(np.shape(expected) + (2,))
        assert "the question asks for" in exercises.check(name, wrong_shape).message


@pytest.mark.parametrize(
    ("name", "answer", "says"),
    [
        ("conv-stride2-output", [[-3, 13], [1, 17]], "transposed"),
        ("conv-stride2-output", np.zeros((3, 3)), "shape 3x3; the question asks for shape 2x2"),
        ("toy-filtered-value", 3, "sum of the nine products"),
        ("toy-filtered-value", 0.333, "matches"),  # three decimals are enough
        ("grouped-conv-params", 2 * 36992, "off by a factor of 2"),
        ("lr-decay-first-epoch-below", 12, "too large"),
        ("sobel-step-edge", -np.ones((3, 3)), "9 entries differ"),
        ("first-layer-seeing-half", "Conv2 ", "matches"),
        ("first-layer-seeing-half", "dense", "'dense' is not among the choices; give one of 'conv1', 'p1'"),
        ("first-layer-seeing-half", 2, "is not a word; give one of"),
        ("first-layer-seeing-half", "p2", "not the one"),
    ],
)
def test_typical_answers_get_the_intended_verdict(name, answer, says):
    assert says in exercises.check(name, answer).message


def test_the_word_choices_are_the_layers_with_a_receptive_field():
    from cnnbook.interpret import receptive_fields
    from cnnbook.models import lecture_cnn

    assert exercises._EXERCISES["first-layer-seeing-half"].choices == tuple(receptive_fields(lecture_cnn()))


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        ("conv1", "matches"),
        (" 'CONV1' ", "matches"),
        ("conv2", "not the one"),
        ("conv9", "not among the choices"),
        (1, "not a word"),
        (None, "no answer yet"),
    ],
)
def test_compare_takes_a_word_among_choices(answer, says):
    verdict = compare(answer, "conv1", choices=("conv1", "conv2"))
    assert verdict.right == (says == "matches") and says in verdict.message.lower()


def test_a_shape_is_compared_as_numbers():
    assert compare((5, 5, 3), (5, 5, 3)).right
    assert "2 of 3 entries differ; the first at index (0,)" in compare((3, 5, 5), (5, 5, 3)).message
    assert "shape 2; the question asks for shape 3" in compare((5, 5), (5, 5, 3)).message


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
