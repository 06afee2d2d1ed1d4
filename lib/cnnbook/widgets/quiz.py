"""A self-test question with feedback: one answer (radio buttons) or several (check boxes).

Any chapter can ask one; chapter 3 asks the lecture's "what are the learned
parameters?". Without a kernel (the HTML book) the question shows with its
answer folded away in a ``<details>`` element.
"""

import html
import numbers

import ipywidgets as widgets

from ._base import BookWidget

__all__ = ["Quiz"]

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _plain_text(value, name):
    if not isinstance(value, str) or not value.strip():
        raise TypeError(f"{name} must be a non-empty str; got {value!r}")
    return value.strip()


def _option_index(answer, options):
    """Index of one correct answer given as an option index or the option text."""
    if isinstance(answer, numbers.Integral) and not isinstance(answer, bool):
        if not 0 <= answer < len(options):
            raise ValueError(f"correct index {answer!r} is out of range: there are {len(options)} options")
        return int(answer)
    if isinstance(answer, str):
        if answer not in options:
            raise ValueError(f"correct answer {answer!r} is not one of the options {options!r}")
        return options.index(answer)
    raise TypeError(f"correct must be an option index (int) or an option text (str); got {answer!r}")


class Quiz(BookWidget):
    """A multiple-choice question that says whether the reader's choice is right.

    Chapter 3 ("Anatomy of a CNN") uses it for the self test; any chapter may.
    One correct answer gives radio buttons, several (or a list) give check
    boxes ("select all that apply"). **Check** grades the choice and explains;
    **Show answer** reveals it. Without a kernel the question is shown with
    the answer and explanation folded in a ``<details>`` element.

    Parameters
    ----------
    question : str
        Plain text.
    options : sequence of str
        At least two distinct, non-empty options; shown lettered A, B, C...
    correct : int, str, or sequence of int/str
        The right answer as an option index or option text; a list, tuple or
        set makes it a select-all-that-apply question.
    explanation : str
        Why the answer is right; shown after a correct check or on request.

    Raises
    ------
    TypeError, ValueError
        If an argument is malformed (the message names it).

    Examples
    --------
    >>> quiz = Quiz("2 + 2 = ?", ["3", "4"], correct=1, explanation="Count.")
    >>> quiz.choice.value = quiz.choice.options[1]
    >>> quiz.check()
    True
    """

    def __init__(self, question, options, correct, explanation):
        self.question = _plain_text(question, "question")
        self.explanation = _plain_text(explanation, "explanation")
        if isinstance(options, str) or not hasattr(options, "__iter__"):
            raise TypeError(f"options must be a sequence of str; got {options!r}")
        self.options = [_plain_text(option, "each option") for option in options]
        if len(self.options) < 2:
            raise ValueError(f"options must hold at least 2 answers; got {len(self.options)}")
        if len(self.options) > len(_LETTERS):
            raise ValueError(f"options must hold at most {len(_LETTERS)} answers; got {len(self.options)}")
        if len(set(self.options)) != len(self.options):
            raise ValueError(f"options must be distinct; got {self.options!r}")
        self.multiple = isinstance(correct, (list, tuple, set, frozenset))
        answers = list(correct) if self.multiple else [correct]
        if not answers:
            raise ValueError("correct must name at least one option")
        self.correct = frozenset(_option_index(answer, self.options) for answer in answers)
        self.labels = [f"{_LETTERS[i]}. {option}" for i, option in enumerate(self.options)]

        self.prompt = widgets.HTML(value=self._question_html())
        if self.multiple:
            self.boxes = [
                widgets.Checkbox(value=False, description=label, indent=False, layout=widgets.Layout(width="auto"))
                for label in self.labels
            ]
            self.choice = None
            chooser = widgets.VBox(self.boxes)
        else:
            self.boxes = []
            self.choice = widgets.RadioButtons(options=self.labels, index=None, layout=widgets.Layout(width="auto"))
            chooser = self.choice
        self.check_button = widgets.Button(description="Check", button_style="primary")
        self.answer_button = widgets.Button(description="Show answer")
        self.feedback = widgets.HTML(value="")
        self._on_click(self.check_button, lambda _change: self.check())
        self._on_click(self.answer_button, lambda _change: self.show_answer())
        self._assemble(self.prompt, chooser, widgets.HBox([self.check_button, self.answer_button]), self.feedback)

    def state(self):
        """The question (a quiz has no settings: the choice is the reader's)."""
        return {"question": self.question}

    def _question_html(self):
        hint = " <em>(select all that apply)</em>" if self.multiple else ""
        return f"<p><strong>{html.escape(self.question)}</strong>{hint}</p>"

    def _correct_labels(self):
        return ", ".join(html.escape(self.labels[i]) for i in sorted(self.correct))

    def selected(self):
        """Indices of the options the reader has chosen (a set, possibly empty)."""
        if self.multiple:
            return {i for i, box in enumerate(self.boxes) if box.value}
        return set() if self.choice.index is None else {self.choice.index}

    def check(self):
        """Grade the current choice, show the feedback, and return whether it is right.

        With nothing chosen it asks for a choice and returns False.
        """
        chosen = self.selected()
        if not chosen:
            self.feedback.value = "<p>Choose an answer first.</p>"
            return False
        right = chosen == self.correct
        if right:
            self.feedback.value = (
                f"<p style='color:#1a7f37'><strong>Correct.</strong></p><p>{html.escape(self.explanation)}</p>"
            )
        elif self.multiple:
            hits = len(chosen & self.correct)
            wrong = len(chosen - self.correct)
            self.feedback.value = (
                f"<p style='color:#b35900'><strong>Not quite.</strong> You picked {hits} of the "
                f"{len(self.correct)} right answers and {wrong} wrong "
                f"{'one' if wrong == 1 else 'ones'}. Try again, or click Show answer.</p>"
            )
        else:
            picked = html.escape(self.labels[next(iter(chosen))])
            self.feedback.value = (
                f"<p style='color:#b35900'><strong>Not quite:</strong> {picked} "
                f"is not it. Try again, or click Show answer.</p>"
            )
        return right

    def show_answer(self):
        """Show the right answer(s) and the explanation."""
        word = "Answers" if len(self.correct) > 1 else "Answer"
        self.feedback.value = (
            f"<p><strong>{word}:</strong> {self._correct_labels()}</p><p>{html.escape(self.explanation)}</p>"
        )

    def _build_standin(self):
        """The question and its options, with the answer folded in a ``<details>`` element."""
        items = "".join(f"<li>{html.escape(option)}</li>" for option in self.options)
        word = "Answers" if len(self.correct) > 1 else "Answer"
        return (
            f'<div class="cnnbook-quiz">{self._question_html()}'
            f'<ol type="A">{items}</ol>'
            f"<details><summary>{word}</summary>"
            f"<p><strong>{self._correct_labels()}</strong></p>"
            f"<p>{html.escape(self.explanation)}</p></details></div>"
        )

    @classmethod
    def example(cls):
        """The lecture's self test: which parts of a CNN are learned?"""
        return cls(
            "What are the learned parameters of a CNN?",
            ["Activations", "Pooling weights", "Filter weights", "All of these"],
            correct=2,
            explanation=(
                "Training adjusts the filter weights (and biases). Activations are "
                "recomputed from each input, and a pooling layer has no weights at all."
            ),
        )

    def benchmark_actions(self):
        """Pick an answer and check it; reveal the answer."""

        def pick_and_check():
            if self.multiple:
                self.boxes[0].value = not self.boxes[0].value
            else:
                self.choice.index = (0 if self.choice.index is None else self.choice.index + 1) % len(self.labels)
            self.check()

        return [pick_and_check, self.show_answer]
