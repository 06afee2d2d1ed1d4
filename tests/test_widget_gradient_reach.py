"""GradientReach, the Python half: the traitlets, their checks, the bookkeeping and the totals.

What the ES module draws (the shaded cells, the sums) is compared with these
numbers and cnnbook.grad in Chromium (tests/browser/test_widget_standins.py).
"""

import numpy as np
import pytest

from cnnbook.grad import conv2d_backward
from cnnbook.widgets._anywidget import BookAnyWidget
from cnnbook.widgets.gradient_reach import INPUT_MODE, OUTPUT_MODE, GradientReach


def test_example_is_the_lecture_case():
    widget = GradientReach.example()
    assert isinstance(widget, BookAnyWidget)
    assert widget.output_shape == (2, 2)
    x = np.arange(1, 10).reshape(3, 3)
    f = np.arange(1, 5).reshape(2, 2)
    assert widget.gradient == [[1, 2], [3, 4]]
    dx, df = conv2d_backward(x, f, widget.gradient_array)
    np.testing.assert_array_equal(widget.input_gradient, dx)
    np.testing.assert_array_equal(widget.kernel_gradient, df)


def test_output_cell_on_padding_reaches_fewer_pixels():
    widget = GradientReach(3, 2, 1, 1)  # Kuo's padded example: 4x4 output
    assert widget.output_shape == (4, 4)
    assert widget.reached_inputs(0, 0) == [("X₁₁", "F₂₂")]  # the other 3 taps read padding zeros
    assert [name for name, _ in widget.reached_inputs(1, 1)] == ["X₁₁", "X₁₂", "X₂₁", "X₂₂"]


def test_input_mode_shows_the_rotated_filter():
    widget = GradientReach.example()
    widget.mode = INPUT_MODE
    widget.row, widget.col = 2, 2  # X33: a 3x3 input in this mode
    assert widget.error == "" and widget.chosen == (INPUT_MODE, 2, 2)
    widget.row, widget.col = 1, 1  # X22, read by all four outputs
    arrivals = widget.arrivals(1, 1)
    assert arrivals == [("O₁₁", "F₂₂"), ("O₁₂", "F₂₁"), ("O₂₁", "F₁₂"), ("O₂₂", "F₁₁")]
    widget.row = 2
    widget.mode = OUTPUT_MODE  # back: the chosen cell is clamped to the 2x2 output
    assert widget.chosen == (OUTPUT_MODE, 1, 1)


@pytest.mark.parametrize(
    "size, kernel, stride, padding",
    [
        (3, 2, 1, "valid"),
        (4, 3, 1, "same"),
        (5, 2, 2, "same"),
        (4, 2, 2, 1),
        (3, 3, 1, "full"),
        (6, 3, 3, "valid"),
    ],
)
def test_input_mode_sums_equal_conv2d_backward_everywhere(size, kernel, stride, padding):
    widget = GradientReach(size, kernel, stride, padding)
    widget.mode = INPUT_MODE
    g = widget.gradient_array
    f = np.arange(1, kernel * kernel + 1).reshape(kernel, kernel)
    for i in range(size):
        for j in range(size):
            total = 0.0
            for o_name, f_name in widget.arrivals(i, j):
                r, c = int(o_name[1].translate(_DIGITS)) - 1, int(o_name[2].translate(_DIGITS)) - 1
                a, b = int(f_name[1].translate(_DIGITS)) - 1, int(f_name[2].translate(_DIGITS)) - 1
                total += g[r, c] * f[a, b]
            assert total == widget.input_gradient[i, j]


_DIGITS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")


def test_stride_leaves_an_unread_pixel():
    widget = GradientReach(4, 1, 2, "valid")
    assert widget.arrivals(1, 1) == [] and widget.input_gradient[1, 1] == 0


def test_structure_controls_resize_everything():
    widget = GradientReach.example()
    widget.row, widget.col = 1, 1
    widget.padding = "full"
    assert widget.output_shape == (4, 4) and widget.gradient == np.arange(1, 17).reshape(4, 4).tolist()
    widget.row = 3
    widget.stride = 2
    assert widget.output_shape == (2, 2) and widget.row == 1  # clamped
    widget.input_size = 5
    widget.kernel_size = 3
    assert widget.output_shape == (4, 4)  # full padding, 5x5 input, 3x3 filter, stride 2
    assert np.shape(widget.gradient) == (4, 4) and widget.error == ""


def test_typed_gradient_updates_totals_and_bad_text_shows_a_message():
    widget = GradientReach.example()
    widget.gradient = [[1, 0], [0, 0]]
    np.testing.assert_array_equal(widget.kernel_gradient, np.arange(1, 10).reshape(3, 3)[:2, :2])
    assert widget.error == ""
    widget.gradient = [[1, 2, 3], [4, 5, 6]]
    assert "dL/dO must be 2 rows of 2 numbers; got [[1, 2, 3], [4, 5, 6]]" in widget.error
    widget.gradient = [[1, "zwei"], [3, 4]]
    assert "'zwei'" in widget.error
    assert widget.gradient == [[1, 0], [0, 0]]  # the last valid one, back in the trait
    widget.gradient = [[0.5, 0], [0, 0]]
    assert widget.error == ""
    assert np.isclose(widget.kernel_gradient[0, 0], 0.5)


def test_a_filter_that_does_not_fit_is_refused_with_a_message():
    widget = GradientReach(2, 2, 1, "valid")
    widget.kernel_size = 3
    assert "larger than the padded input" in widget.error
    assert widget.kernel_size == 2 and widget.output_shape == (1, 1)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"input_size": 9}, "input_size"),
        ({"kernel_size": 0}, "kernel_size"),
        ({"stride": 1.5}, "stride"),
        ({"padding": 2}, "padding"),
        ({"mode": "both"}, "mode"),
        ({"input_size": 2, "kernel_size": 3}, "larger"),
    ],
)
def test_bad_constructor_arguments(kwargs, words):
    with pytest.raises((ValueError, TypeError), match=words):
        GradientReach(**kwargs)


def test_gradient_values_that_would_overflow_are_refused():
    widget = GradientReach.example()
    before = widget.input_gradient
    widget.gradient = [[1e308, 1e308], [1e308, 1e308]]
    assert "dL/dO values must lie between -1e+06 and 1e+06" in widget.error
    np.testing.assert_array_equal(widget.input_gradient, before)
    widget.gradient = [[1, 0], [0, 1]]
    assert widget.error == "" and widget.gradient == [[1, 0], [0, 1]]


def test_benchmark_actions_change_the_picture_fast():
    widget = GradientReach.example()
    actions = widget.benchmark_actions()
    assert len(actions) == 5
    for action in actions:
        before = widget.state()
        action()
        assert widget.state() != before
        assert widget.error == ""
