"""cnnbook.widgets.sliding_kernel, the Python half: the traitlets, their checks and the numbers.

Every test sets the synced traits the way the page's controls do and reads
back the state held and the numbers computed with numpy, comparing them with
cnnbook.conv. What the ES module draws is compared with cnnbook.conv in
Chromium (tests/browser/test_widget_standins.py).
"""

import re

import numpy as np
import pytest

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


def check_position(widget, image, kernel, stride, padding, dilation):
    """The state the widget holds at its current position agrees with conv2d."""
    expected = conv2d(image, kernel, stride=stride, padding=padding, dilation=dilation)
    np.testing.assert_allclose(widget.output, expected)
    row, col = divmod(widget.position, expected.shape[1])
    assert widget.current_cell == (row, col)
    assert widget.settings["stride"] == stride and widget.settings["padding"] == padding
    assert widget.settings["dilation"] == dilation
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
    np.testing.assert_array_equal(widget.padded, np.pad(LECTURE_IMAGE, 1))
    kernel = parse_kernel(KERNEL_PRESETS["lecture kernel"])
    for position in range(3):
        widget.position = position
        expected = check_position(widget, LECTURE_IMAGE, kernel, 1, 1, 1)
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
        widget.padding = padding
        for stride in (1, 2, 3):
            widget.stride = stride
            for dilation in (1, 2):
                widget.dilation = dilation
                assert widget.error == ""
                expected_shape = (
                    output_size(h, 3, stride, padding, dilation),
                    output_size(w, 3, stride, padding, dilation),
                )
                assert widget.output.shape == expected_shape
                last = expected_shape[0] * expected_shape[1] - 1
                for position in sorted({0, last // 2, last}):
                    widget.position = position
                    check_position(widget, RNG_IMAGE, kernel, stride, padding, dilation)
                top = pad_amounts(h, 3, stride, padding, dilation)[0]
                left = pad_amounts(w, 3, stride, padding, dilation)[0]
                assert widget.padded[top : top + h, left : left + w].tolist() == RNG_IMAGE.tolist()


def test_presets_and_typed_kernel_update_the_numbers():
    widget = SlidingKernel(RNG_IMAGE, kernel="identity", padding="same")
    np.testing.assert_array_equal(widget.output, RNG_IMAGE)
    widget.kernel_text = KERNEL_PRESETS["Sobel y"]
    assert widget.kernel == [parse_kernel(KERNEL_PRESETS["Sobel y"]).tolist()]
    widget.position = 9
    check_position(widget, RNG_IMAGE, [[-1, -2, -1], [0, 0, 0], [1, 2, 1]], 1, "same", 1)

    # A typed 2x2 kernel: "same" puts the extra zero after (bottom/right).
    widget.kernel_text = "0 1\n-1 0"
    assert widget.error == ""
    assert widget.padded.shape == (RNG_IMAGE.shape[0] + 1, RNG_IMAGE.shape[1] + 1)
    np.testing.assert_array_equal(widget.padded[-1], 0)
    widget.position = widget.output.size - 1
    check_position(widget, RNG_IMAGE, [[0, 1], [-1, 0]], 1, "same", 1)

    # Fractions are kept exactly.
    widget.kernel_text = "1/9 1/9 1/9\n1/9 1/9 1/9\n1/9 1/9 1/9"
    assert widget.kernel[0][0][0] == 1 / 9
    widget.position = 10
    check_position(widget, RNG_IMAGE, np.full((3, 3), 1 / 9), 1, "same", 1)


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
    widget.position = 4
    before = widget.state()
    output_before = widget.output
    widget.kernel_text = typed
    message = widget.error
    assert fragment in message and "last valid kernel" in message
    np.testing.assert_array_equal(widget.output, output_before)
    np.testing.assert_array_equal(widget.settings["kernel"], parse_kernel(KERNEL_PRESETS["sharpen"]))
    assert widget.state() == before
    assert {name: getattr(widget, name) for name in before} == before  # the traits went back
    # The next valid kernel clears the message.
    widget.kernel_text = "1 0\n0 1"
    assert widget.error == ""
    check_position(widget, image, [[1, 0], [0, 1]], 1, "valid", 1)


def test_a_setting_that_does_not_fit_is_refused_and_the_control_goes_back():
    image = RNG_IMAGE[:5, :5]
    widget = SlidingKernel(image, kernel="edge", padding="valid")
    widget.dilation = 3  # the taps would span 7 > 5 pixels
    assert "larger than the padded input" in widget.error
    assert widget.dilation == 1
    assert widget.settings["dilation"] == 1 and widget.output.shape == (3, 3)
    widget.padding = "full"
    widget.dilation = 3
    assert widget.error == ""
    assert widget.output.shape == (output_size(5, 3, 1, "full", 3),) * 2


def test_the_position_follows_the_output_size():
    widget = SlidingKernel(LECTURE_IMAGE, padding="same")
    widget.position = 10
    assert widget.current_cell == (1, 3)
    widget.position = 48
    widget.stride = 3  # 3x3 outputs: the position is clamped to the last
    assert widget.position == 8 and widget.error == ""
    widget.position = 9  # past the last cell: refused
    assert "output cell must be an int from 0 to 8" in widget.error and widget.position == 8
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
    widget.kernel_text = "1e308 1e308\n1e308 1e308"
    assert "'1e308' in row 1 is too large" in widget.error
    np.testing.assert_array_equal(widget.output, before)
    assert {name: getattr(widget, name) for name in widget.state()} == widget.state()
    widget.kernel_text = "1 0\n0 1"
    assert widget.error == ""
    check_position(widget, LECTURE_IMAGE, [[1, 0], [0, 1]], 1, 1, 1)


def test_convolution_toggle_rotates_the_kernel():
    widget = SlidingKernel(RNG_IMAGE, kernel="Sobel x", padding="valid")
    widget.flip = True
    sobel = parse_kernel(KERNEL_PRESETS["Sobel x"])
    np.testing.assert_array_equal(widget.applied_kernel, sobel[::-1, ::-1])
    np.testing.assert_array_equal(widget.output, conv2d(RNG_IMAGE, sobel[::-1, ::-1]))
    widget.position = 5
    check_position(widget, RNG_IMAGE, sobel[::-1, ::-1], 1, "valid", 1)


def test_multi_channel_mode_sums_over_channels():
    # Payberah's "one more example": a 7x7x3 input, a 3x3x3 filter, stride 2.
    image = np.random.default_rng(1).integers(0, 3, size=(7, 7, 3))
    kernel = np.random.default_rng(2).integers(-1, 2, size=(3, 3, 3))
    widget = SlidingKernel(image, kernel=kernel, stride=2, padding=1)
    expected = conv2d(image, kernel[..., np.newaxis], stride=2, padding=1)[..., 0]
    np.testing.assert_array_equal(widget.output, expected)
    assert widget.output.shape == (4, 4)
    widget.position = 5
    assert widget.current_cell == (1, 1)
    widget.kernel_text = "1 0 0\n0 0 0\n0 0 0\n|\n0 0 0\n0 1 0\n0 0 0\n|\n0 0 0\n0 0 0\n0 0 1"
    assert widget.error == ""
    typed = parse_kernel(widget.kernel_text, channels=3)
    np.testing.assert_array_equal(widget.output, conv2d(image, typed[..., np.newaxis], stride=2, padding=1)[..., 0])
    widget.kernel_text = "1 0\n|\n1 0 0\n|\n1 0"
    assert "same rows and columns" in widget.error


def test_example_and_benchmark_actions_change_the_picture():
    widget = SlidingKernel.example()
    assert widget.image.shape == (8, 8) and widget.image.max() <= 255
    for action in widget.benchmark_actions():
        before = widget.state()
        action()
        assert widget.error == ""
        assert widget.state() != before
