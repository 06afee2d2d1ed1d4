"""cnnbook.widgets.sliding_kernel: driven without a browser.

Every test sets control values the way a reader would and reads back what
the widget shows (the HTML tables), comparing it with cnnbook.conv.
"""

import re

import numpy as np
import pytest
from widget_html import html_tables

from cnnbook.conv import conv2d, output_size, pad_amounts
from cnnbook.widgets.sliding_kernel import KERNEL_PRESETS, SlidingKernel, parse_kernel

# The 7x7 image of the Larson lecture's convolution reminder (before zero padding).
LECTURE_IMAGE = np.array(
    [
        [1, 2, 3, 4, 12, 9, 8],
        [5, 2, 3, 4, 12, 9, 8],
        [5, 2, 1, 4, 10, 9, 8],
        [7, 2, 1, 4, 12, 7, 8],
        [7, 2, 1, 4, 14, 9, 8],
        [5, 2, 3, 4, 12, 7, 8],
        [5, 2, 1, 4, 12, 9, 8],
    ]
)
RNG_IMAGE = np.random.default_rng(3).integers(-9, 10, size=(6, 8))


def tables(value):
    """Cell texts of every table of a widget's HTML (``<br>`` read as ``|``)."""
    return {
        name: [[text for _, text in row] for row in rows] for name, rows in html_tables(value, line_break="|").items()
    }


def number(text):
    return float(text.replace("\u2212", "-").strip("()"))


def shown_output(widget):
    """The output grid as shown: a float where a value is written, NaN where blank."""
    rows = tables(widget.output_html.value)["sk-output"]
    return np.array([[number(cell) if cell else np.nan for cell in row] for row in rows])


def shown_products(widget):
    """(inputs, weights, products) of the products table, each (kh, kw)."""
    rows = tables(widget.products_html.value)["sk-products"]
    triples = [[re.match(r"(.+)\u00d7(.+)\|(.+)", cell).groups() for cell in row] for row in rows]
    return tuple(np.array([[number(t[i]) for t in row] for row in triples]) for i in range(3))


def shown_sum(widget):
    match = re.search(r'<b class="sk-sum">([^<]+)</b>', widget.products_html.value)
    return number(match.group(1))


def shown_input(widget):
    rows = tables(widget.input_html.value)["sk-input"]
    return np.array([[number(cell) for cell in row] for row in rows])


def highlighted_input_cells(widget):
    """(row, col) of the padded-input cells drawn with the window outline."""
    cells = re.findall(r"<tr>(.*?)</tr>", widget.input_html.value)
    found = []
    for r, row in enumerate(cells):
        for c, td in enumerate(re.findall(r"<td[^>]*>", row)):
            if "hot" in td:
                found.append((r, c))
    return found


def check_position(widget, image, kernel, stride, padding, dilation):
    """What the widget shows at its current position agrees with conv2d."""
    expected = conv2d(image, kernel, stride=stride, padding=padding, dilation=dilation)
    out = shown_output(widget)
    assert out.shape == expected.shape
    position = widget.position_slider.value
    flat = out.ravel()
    filled = ~np.isnan(flat)
    assert filled.sum() == position + 1 and filled[: position + 1].all()
    np.testing.assert_allclose(flat[: position + 1], expected.ravel()[: position + 1], atol=0.006)
    row, col = divmod(position, expected.shape[1])
    assert widget.current_cell == (row, col)
    assert shown_sum(widget) == pytest.approx(expected[row, col], abs=0.006)
    inputs, weights, products = shown_products(widget)
    np.testing.assert_allclose(weights, np.asarray(kernel), atol=0.0006)
    np.testing.assert_allclose(products, inputs * weights, atol=0.01)
    return expected


def test_parse_kernel_accepts_rows_commas_brackets_and_fractions():
    np.testing.assert_array_equal(parse_kernel("1 2 1\n2 4 2\n1 2 1"), [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    np.testing.assert_array_equal(parse_kernel("[[1, 0], [0, -1]]"), [[1, 0], [0, -1]])
    np.testing.assert_array_equal(parse_kernel("1,2;3,4"), [[1, 2], [3, 4]])
    np.testing.assert_allclose(parse_kernel(" 1/4  -1/4 \n\n 0.5 2e0 "), [[0.25, -0.25], [0.5, 2.0]])
    for name, text in KERNEL_PRESETS.items():
        assert parse_kernel(text).shape == (3, 3), name
    with pytest.raises(TypeError, match="text"):
        parse_kernel(3)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "empty"),
        ("1 2\n3", "row 1 ('1 2') has 2, row 2 ('3') has 1"),
        ("1 a 2", "'a' in row 1 is not a number"),
        ("1 1/0", "'1/0' in row 1 is not a number"),
        ("1 inf", "not a finite number"),
        ("\n".join(["1 " * 8] * 8), "at most 7 rows"),
    ],
)
def test_parse_kernel_rejects_bad_text_with_a_clear_message(text, fragment):
    with pytest.raises(ValueError, match=re.escape(fragment)):
        parse_kernel(text)


def test_lecture_example_first_row_as_the_widget_shows_it():
    widget = SlidingKernel(LECTURE_IMAGE, kernel="lecture kernel", padding=1)
    assert widget.padded.shape == (9, 9)
    np.testing.assert_array_equal(shown_input(widget), np.pad(LECTURE_IMAGE, 1))
    kernel = parse_kernel(KERNEL_PRESETS["lecture kernel"])
    for position in range(3):
        widget.position_slider.value = position
        expected = check_position(widget, LECTURE_IMAGE, kernel, 1, 1, 1)
    # The window of output (0, 2) covers padded rows 0-2 and columns 2-4.
    assert sorted(highlighted_input_cells(widget)) == [(r, c) for r in range(3) for c in range(2, 5)]
    # Independent of conv2d: the sums of products written out by hand.
    assert expected[0, :3].tolist() == [
        1 * 4 + 2 * 2 + 5 * 2 + 2 * 1,
        1 * 2 + 2 * 4 + 3 * 2 + 5 * 1 + 2 * 2 + 3 * 1,
        2 * 2 + 3 * 4 + 4 * 2 + 2 * 1 + 3 * 2 + 4 * 1,
    ]


def test_every_stride_padding_dilation_shows_conv2d_results():
    widget = SlidingKernel(RNG_IMAGE, kernel="Sobel x", padding="valid")
    kernel = parse_kernel(KERNEL_PRESETS["Sobel x"])
    h, w = RNG_IMAGE.shape
    for padding in ("valid", "same", "full", 1, 2, 3):
        widget.padding_dropdown.value = padding
        for stride in (1, 2, 3):
            widget.stride_slider.value = stride
            for dilation in (1, 2):
                widget.dilation_slider.value = dilation
                assert widget.error == ""
                expected_shape = (
                    output_size(h, 3, stride, padding, dilation),
                    output_size(w, 3, stride, padding, dilation),
                )
                assert widget.output.shape == expected_shape
                assert widget.play.max == widget.position_slider.max == expected_shape[0] * expected_shape[1] - 1
                for position in sorted({0, widget.position_slider.max // 2, widget.position_slider.max}):
                    widget.position_slider.value = position
                    check_position(widget, RNG_IMAGE, kernel, stride, padding, dilation)
                top = pad_amounts(h, 3, stride, padding, dilation)[0]
                left = pad_amounts(w, 3, stride, padding, dilation)[0]
                row, col = widget.current_cell
                taps = [(row * stride + i * dilation, col * stride + j * dilation) for i in range(3) for j in range(3)]
                assert sorted(highlighted_input_cells(widget)) == sorted(taps)
                assert widget.padded[top : top + h, left : left + w].tolist() == RNG_IMAGE.tolist()


def test_presets_and_typed_kernel_update_the_numbers():
    widget = SlidingKernel(RNG_IMAGE, kernel="identity", padding="same")
    np.testing.assert_array_equal(widget.output, RNG_IMAGE)
    widget.preset_dropdown.value = "Sobel y"
    assert widget.kernel_text.value == KERNEL_PRESETS["Sobel y"]
    widget.position_slider.value = 9
    check_position(widget, RNG_IMAGE, [[-1, -2, -1], [0, 0, 0], [1, 2, 1]], 1, "same", 1)

    # A typed 2x2 kernel: "same" puts the extra zero after (bottom/right).
    widget.kernel_text.value = "0 1\n-1 0"
    assert widget.error == ""
    assert widget.preset_dropdown.value == "custom (typed)"
    assert widget.padded.shape == (RNG_IMAGE.shape[0] + 1, RNG_IMAGE.shape[1] + 1)
    np.testing.assert_array_equal(widget.padded[-1], 0)
    widget.position_slider.value = widget.position_slider.max
    check_position(widget, RNG_IMAGE, [[0, 1], [-1, 0]], 1, "same", 1)

    # Typing a preset's numbers selects that preset; fractions are shown rounded.
    widget.kernel_text.value = "1/9 1/9 1/9\n1/9 1/9 1/9\n1/9 1/9 1/9"
    assert widget.preset_dropdown.value == "box blur"
    widget.position_slider.value = 10
    check_position(widget, RNG_IMAGE, np.full((3, 3), 1 / 9), 1, "same", 1)
    assert "0.11" in widget.kernel_html.value


@pytest.mark.parametrize(
    "typed, fragment",
    [
        ("1 2\n3", "row 2 ('3') has 1"),
        ("1 x 1", "'x' in row 1 is not a number"),
        ("", "empty"),
        ("1 1 1 1 1 1 1\n" * 7, "larger than the padded input"),
    ],
)
def test_invalid_typed_kernel_shows_a_message_and_keeps_the_last_valid_state(typed, fragment):
    image = RNG_IMAGE[:5, :5]
    widget = SlidingKernel(image, kernel="sharpen", padding="valid")
    widget.position_slider.value = 4
    before = {name: getattr(widget, name).value for name in ("input_html", "products_html", "output_html")}
    output_before = widget.output
    widget.kernel_text.value = typed
    message = widget.error
    assert fragment in message and "last valid kernel" in message
    np.testing.assert_array_equal(widget.output, output_before)
    np.testing.assert_array_equal(widget.kernel, parse_kernel(KERNEL_PRESETS["sharpen"]))
    assert {name: getattr(widget, name).value for name in before} == before
    assert widget.preset_dropdown.value == "sharpen"
    # The next valid kernel clears the message.
    widget.kernel_text.value = "1 0\n0 1"
    assert widget.error == ""
    check_position(widget, image, [[1, 0], [0, 1]], 1, "valid", 1)


def test_a_setting_that_does_not_fit_is_refused_and_the_control_goes_back():
    image = RNG_IMAGE[:5, :5]
    widget = SlidingKernel(image, kernel="edge", padding="valid")
    widget.dilation_slider.value = 3  # the taps would span 7 > 5 pixels
    assert "larger than the padded input" in widget.error
    assert widget.dilation_slider.value == 1
    assert widget.settings["dilation"] == 1 and widget.output.shape == (3, 3)
    widget.padding_dropdown.value = "full"
    widget.dilation_slider.value = 3
    assert widget.error == ""
    assert widget.output.shape == (output_size(5, 3, 1, "full", 3),) * 2


def test_play_is_linked_to_the_position_and_follows_the_output_size():
    widget = SlidingKernel(LECTURE_IMAGE, padding="same")
    widget.play.value = 10
    assert widget.position_slider.value == 10 and widget.current_cell == (1, 3)
    widget.position_slider.value = 48
    widget.stride_slider.value = 3  # 3x3 outputs: the position is clamped to the last
    assert widget.position_slider.max == widget.play.max == 8
    assert widget.position_slider.value == widget.play.value == 8
    check_position(widget, LECTURE_IMAGE, parse_kernel(KERNEL_PRESETS["lecture kernel"]), 3, "same", 1)


def test_constructor_rejects_bad_arguments():
    with pytest.raises(ValueError, match="image"):
        SlidingKernel(np.zeros((3, 3, 5)))
    with pytest.raises(ValueError, match="image"):
        SlidingKernel(np.zeros((30, 30)))
    with pytest.raises(ValueError, match="padding must be an int from 0 to 10; got 300"):
        SlidingKernel(LECTURE_IMAGE, padding=300)
    with pytest.raises(ValueError, match="kernel must be one of"):
        SlidingKernel(LECTURE_IMAGE, kernel="blur")
    with pytest.raises(ValueError, match="stride"):
        SlidingKernel(LECTURE_IMAGE, stride=0)
    with pytest.raises(TypeError, match="dilation"):
        SlidingKernel(LECTURE_IMAGE, dilation=1.5)
    with pytest.raises(ValueError, match="padding"):
        SlidingKernel(LECTURE_IMAGE, padding="half")
    with pytest.raises(ValueError, match="larger than the padded input"):
        SlidingKernel(LECTURE_IMAGE[:2, :2], padding="valid")


def test_overflowing_kernel_values_are_refused_and_the_next_good_kernel_clears_the_message():
    widget = SlidingKernel(LECTURE_IMAGE, padding=1)
    before = widget.output
    widget.kernel_text.value = "1e308 1e308\n1e308 1e308"
    assert "'1e308' in row 1 is too large" in widget.error
    np.testing.assert_array_equal(widget.output, before)
    assert widget.shown_state() == {key: widget.state()[key] for key in widget.shown_state()}
    widget.kernel_text.value = "1 0\n0 1"
    assert widget.error == ""
    check_position(widget, LECTURE_IMAGE, [[1, 0], [0, 1]], 1, 1, 1)


def test_convolution_toggle_rotates_the_kernel():
    widget = SlidingKernel(RNG_IMAGE, kernel="Sobel x", padding="valid")
    widget.flip_checkbox.value = True
    sobel = parse_kernel(KERNEL_PRESETS["Sobel x"])
    np.testing.assert_array_equal(widget.applied_kernel, sobel[::-1, ::-1])
    np.testing.assert_array_equal(widget.output, conv2d(RNG_IMAGE, sobel[::-1, ::-1]))
    widget.position_slider.value = 5
    check_position(widget, RNG_IMAGE, sobel[::-1, ::-1], 1, "valid", 1)
    assert "rotated" in widget.kernel_html.value


def test_multi_channel_mode_sums_over_channels():
    # Payberah's "one more example": a 7x7x3 input, a 3x3x3 filter, stride 2.
    image = np.random.default_rng(1).integers(0, 3, size=(7, 7, 3))
    kernel = np.random.default_rng(2).integers(-1, 2, size=(3, 3, 3))
    widget = SlidingKernel(image, kernel=kernel, stride=2, padding=1)
    expected = conv2d(image, kernel[..., np.newaxis], stride=2, padding=1)[..., 0]
    np.testing.assert_array_equal(widget.output, expected)
    assert widget.output.shape == (4, 4)
    widget.position_slider.value = 5
    assert shown_sum(widget) == expected[1, 1]
    widget.kernel_text.value = "1 0 0\n0 0 0\n0 0 0\n|\n0 0 0\n0 1 0\n0 0 0\n|\n0 0 0\n0 0 0\n0 0 1"
    assert widget.error == ""
    typed = parse_kernel(widget.kernel_text.value, channels=3)
    np.testing.assert_array_equal(widget.output, conv2d(image, typed[..., np.newaxis], stride=2, padding=1)[..., 0])
    widget.kernel_text.value = "1 0\n|\n1 0 0\n|\n1 0"
    assert "same rows and columns" in widget.error


def test_example_and_benchmark_actions_change_the_picture():
    widget = SlidingKernel.example()
    assert widget.image.shape == (8, 8) and widget.image.max() <= 255
    for action in widget.benchmark_actions():
        before = (widget.input_html.value, widget.products_html.value, widget.output_html.value)
        action()
        assert widget.error == ""
        assert (widget.input_html.value, widget.products_html.value, widget.output_html.value) != before
