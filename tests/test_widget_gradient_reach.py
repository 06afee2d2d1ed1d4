"""GradientReach, driven without a browser: set control values, read the tables and text."""

import re

import numpy as np
import pytest
from widget_html import html_tables

from cnnbook.grad import conv2d_backward
from cnnbook.widgets._base import BookWidget
from cnnbook.widgets.gradient_reach import INPUT_MODE, OUTPUT_MODE, GradientReach, _parse_values


def cells(value):
    return html_tables(value)


def hot(table):
    """(row, col) of the cells shaded 'hot' in a parsed table."""
    return {(r, c) for r, row in enumerate(table) for c, (css, _) in enumerate(row) if "hot" in css.split()}


def test_example_is_the_lecture_case():
    widget = GradientReach.example()
    assert isinstance(widget, BookWidget)
    assert widget.output_shape == (2, 2)
    x = np.arange(1, 10).reshape(3, 3)
    f = np.arange(1, 5).reshape(2, 2)
    dx, df = conv2d_backward(x, f, widget.gradient)
    np.testing.assert_array_equal(widget.input_gradient, dx)
    np.testing.assert_array_equal(widget.kernel_gradient, df)
    totals = cells(widget.totals_html.value)
    shown_dx = np.array([[float(text) for _, text in row] for row in totals["gr-dx"]])
    np.testing.assert_array_equal(shown_dx, dx)


@pytest.mark.parametrize("row, col", [(0, 0), (0, 1), (1, 0), (1, 1)])
def test_output_cell_shades_its_window_and_every_weight(row, col):
    widget = GradientReach.example()
    widget.row_slider.value = row + 1
    widget.col_slider.value = col + 1
    tables = cells(widget.grids_html.value)
    assert hot(tables["gr-input"]) == {(row + a, col + b) for a in range(2) for b in range(2)}
    assert hot(tables["gr-filter"]) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert hot(tables["gr-gradient"]) == {(row, col)}
    # The text lists each product with its value: G_rc * F_ab for the pixels.
    g = widget.gradient[row, col]
    text = widget.explain_html.value
    for a in range(2):
        for b in range(2):
            assert f"= {int(g * (2 * a + b + 1))}" in text


def test_output_cell_on_padding_reaches_fewer_pixels():
    widget = GradientReach(3, 2, 1, 1)  # Kuo's padded example: 4x4 output
    assert widget.output_shape == (4, 4)
    widget.row_slider.value, widget.col_slider.value = 1, 1
    tables = cells(widget.grids_html.value)
    assert hot(tables["gr-input"]) == {(1, 1)}  # padded coordinates: only X11 is real
    assert widget.reached_inputs(0, 0) == [("X₁₁", "F₂₂")]
    assert "3 of the window's 4 cells are padding zeros" in widget.explain_html.value


def test_input_mode_shows_the_rotated_filter():
    widget = GradientReach.example()
    widget.mode_buttons.value = INPUT_MODE
    assert widget.row_slider.max == 3 and widget.col_slider.max == 3
    widget.row_slider.value, widget.col_slider.value = 2, 2  # X22, read by all four outputs
    arrivals = widget.arrivals(1, 1)
    assert arrivals == [("O₁₁", "F₂₂"), ("O₁₂", "F₂₁"), ("O₂₁", "F₁₂"), ("O₂₂", "F₁₁")]
    tables = cells(widget.grids_html.value)
    assert hot(tables["gr-gradient"]) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    total = re.search(r"<b>([-\d.]+)</b></div></div>$", widget.explain_html.value).group(1)
    assert float(total) == widget.input_gradient[1, 1]
    widget.mode_buttons.value = OUTPUT_MODE  # back: the sliders shrink to the output
    assert widget.row_slider.max == 2 and widget.chosen == (OUTPUT_MODE, 1, 1)


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
    widget.mode_buttons.value = INPUT_MODE
    g = widget.gradient
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
    widget.mode_buttons.value = INPUT_MODE
    widget.row_slider.value, widget.col_slider.value = 2, 2
    assert widget.arrivals(1, 1) == []
    assert "ever reads this pixel, so its gradient is zero" in widget.explain_html.value


def test_structure_controls_resize_everything():
    widget = GradientReach.example()
    widget.row_slider.value, widget.col_slider.value = 2, 2
    widget.padding_dropdown.value = "full"
    assert widget.output_shape == (4, 4) and widget.row_slider.max == 4
    assert len(cells(widget.grids_html.value)["gr-input"]) == 5
    widget.stride_slider.value = 2
    assert widget.output_shape == (2, 2) and widget.row_slider.value <= 2
    widget.input_slider.value = 5
    widget.kernel_slider.value = 3
    assert widget.output_shape == (4, 4)  # full padding, 5x5 input, 3x3 filter, stride 2
    assert widget.gradient.shape == (4, 4)
    assert widget.gradient_text.value.count(";") == 3


def test_typed_gradient_updates_totals_and_bad_text_shows_a_message():
    widget = GradientReach.example()
    widget.gradient_text.value = "1 0; 0 0"
    np.testing.assert_array_equal(widget.kernel_gradient, np.arange(1, 10).reshape(3, 3)[:2, :2])
    assert widget.error == ""
    widget.gradient_text.value = "1 2 3; 4 5 6"
    assert "2 rows of 2 values" in widget.error
    widget.gradient_text.value = "1 zwei; 3 4"
    assert "'zwei' in row 1 is not a number" in widget.error
    np.testing.assert_array_equal(widget.gradient, [[1, 0], [0, 0]])  # last valid one kept
    widget.gradient_text.value = "0.5 0; 0 0"
    assert widget.error == ""
    assert np.isclose(widget.kernel_gradient[0, 0], 0.5)


def test_a_filter_that_does_not_fit_is_refused_with_a_message():
    widget = GradientReach(2, 2, 1, "valid")
    widget.kernel_slider.value = 3
    assert "larger than the padded input" in widget.error
    assert widget.kernel_slider.value == 2 and widget.output_shape == (1, 1)


def test_parse_values():
    np.testing.assert_array_equal(_parse_values("1, 2\n3 4", (2, 2)), [[1, 2], [3, 4]])
    with pytest.raises(ValueError, match="finite"):
        _parse_values("inf 1; 1 1", (2, 2))
    with pytest.raises(TypeError, match="text"):
        _parse_values(3, (1, 1))


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
    widget.gradient_text.value = "1e308 1e308; 1e308 1e308"
    assert "'1e308' in row 1 is too large" in widget.error
    np.testing.assert_array_equal(widget.input_gradient, before)
    widget.gradient_text.value = "1 0; 0 1"
    assert widget.error == "" and widget.gradient.tolist() == [[1, 0], [0, 1]]


def test_benchmark_actions_change_the_picture_fast():
    widget = GradientReach.example()
    actions = widget.benchmark_actions()
    assert len(actions) == 5
    for action in actions:
        before = (widget.grids_html.value, widget.explain_html.value, widget.totals_html.value)
        action()
        assert (widget.grids_html.value, widget.explain_html.value, widget.totals_html.value) != before
        assert widget.error == ""
