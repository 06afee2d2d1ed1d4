"""cnnbook.widgets.quiz.Quiz: driven without a browser by setting control values."""

import pytest

from cnnbook.widgets.quiz import Quiz


def lecture_quiz():
    return Quiz(
        "What are the learned parameters?",
        ["Activations", "Pooling weights", "Filter weights", "All of these"],
        correct=2,
        explanation="Filters learn.",
    )


def test_single_answer_uses_lettered_radio_buttons_with_nothing_chosen():
    quiz = lecture_quiz()
    assert not quiz.multiple
    assert list(quiz.choice.options) == ["A. Activations", "B. Pooling weights", "C. Filter weights", "D. All of these"]
    assert quiz.choice.index is None
    assert quiz.feedback.value == ""


def test_check_without_a_choice_asks_for_one():
    quiz = lecture_quiz()
    assert quiz.check() is False
    assert "Choose an answer first" in quiz.feedback.value


def test_wrong_then_right_answer_via_the_button():
    quiz = lecture_quiz()
    quiz.choice.value = "D. All of these"
    quiz.check_button.click()
    assert "Not quite" in quiz.feedback.value and "D. All of these" in quiz.feedback.value
    assert "Filters learn." not in quiz.feedback.value  # the explanation is not given away
    quiz.choice.value = "C. Filter weights"
    quiz.check_button.click()
    assert "Correct" in quiz.feedback.value and "Filters learn." in quiz.feedback.value


def test_show_answer_reveals_it():
    quiz = lecture_quiz()
    quiz.answer_button.click()
    assert "C. Filter weights" in quiz.feedback.value and "Filters learn." in quiz.feedback.value


def test_multiple_answers_count_hits_and_misses():
    quiz = Quiz(
        "Which layers have weights?",
        ["conv1", "p1", "dense"],
        correct=["conv1", "dense"],
        explanation="Pooling has none.",
    )
    assert quiz.multiple and quiz.choice is None and len(quiz.boxes) == 3
    quiz.boxes[0].value = True
    quiz.boxes[1].value = True
    assert quiz.check() is False
    assert "1 of the 2 right answers and 1 wrong one" in quiz.feedback.value
    quiz.boxes[1].value = False
    quiz.boxes[2].value = True
    assert quiz.check() is True
    assert "Pooling has none." in quiz.feedback.value
    assert quiz.selected() == {0, 2}


def test_a_one_element_list_is_still_select_all_that_apply():
    quiz = Quiz("Q?", ["a", "b"], correct=[1], explanation="b.")
    assert quiz.multiple
    assert "select all that apply" in quiz.prompt.value


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(options=["only"]), ValueError, "at least 2"),
        (dict(options=["a", "a"]), ValueError, "distinct"),
        (dict(options="ab"), TypeError, "options must be a sequence"),
        (dict(correct=5), ValueError, "out of range"),
        (dict(correct="c"), ValueError, "not one of the options"),
        (dict(correct=[]), ValueError, "at least one"),
        (dict(correct=1.0), TypeError, "correct must be"),
        (dict(question=""), TypeError, "question"),
        (dict(explanation=None), TypeError, "explanation"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, error, message):
    arguments = dict(question="Q?", options=["a", "b"], correct=0, explanation="Because.")
    arguments.update(kwargs)
    with pytest.raises(error, match=message):
        Quiz(**arguments)


def test_fallback_hides_the_answer_in_details_and_escapes_text():
    quiz = Quiz("Is <b>this</b> bold?", ["yes", "no & never"], correct=1, explanation="It is <escaped>.")
    page = quiz.standin_html()
    assert "&lt;b&gt;this&lt;/b&gt;" in page and "no &amp; never" in page
    before, details = page.split("<details>", 1)
    assert "B. no &amp; never" not in before and "B. no &amp; never" in details
    assert "It is &lt;escaped&gt;." in details and details.count("</details>") == 1


def test_example_and_benchmark_actions():
    quiz = Quiz.example()
    assert quiz.correct == {2}
    first, reveal = quiz.benchmark_actions()
    first()
    assert quiz.choice.index == 0 and "Not quite" in quiz.feedback.value
    reveal()
    assert "C. Filter weights" in quiz.feedback.value
