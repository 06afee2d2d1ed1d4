"""ParamCalculator, the Python half: set the synced traits as the page does, read the table held.

What the ES module draws (the table, the formulas) is compared with
cnnbook.params.layer_table in Chromium (tests/browser/test_widget_standins.py).
"""

import pytest

from cnnbook.params import Conv2D, Dense, Flatten, GlobalPool, Pool, build_keras, totals
from cnnbook.widgets._anywidget import BookAnyWidget
from cnnbook.widgets.param_calculator import PRESETS, ParamCalculator, parse_stack


def _shown_total(widget):
    return totals(widget.rows)["params"]


def test_example_shows_the_lecture_cnn_with_keras_count():
    from cnnbook.models import lecture_cnn

    widget = ParamCalculator.example()
    assert isinstance(widget, BookAnyWidget) and widget.message is None
    expected = lecture_cnn().count_params()
    assert _shown_total(widget) == expected
    assert [row.output_shape for row in widget.rows] == [
        (28, 28, 1),
        (28, 28, 32),
        (14, 14, 32),
        (14, 14, 64),
        (7, 7, 64),
        (3136,),
        (1024,),
        (10,),
    ]


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_agree_with_keras(name):
    widget = ParamCalculator(name)
    preset = PRESETS[name]
    model = build_keras(widget.input_shape, parse_stack(preset["stack"], bias=preset["bias"]))
    assert widget.message is None and _shown_total(widget) == model.count_params()


def test_input_size_changes_the_dense_layer_only():
    widget = ParamCalculator.example()
    before = {row.name: row.params for row in widget.rows}
    widget.size = 32  # 32 -> 16 -> 8 after two poolings
    after = {row.name: row.params for row in widget.rows}
    assert after["dense1"] == 8 * 8 * 64 * 1024 + 1024 != before["dense1"]
    assert after["conv1"] == before["conv1"] and after["conv2"] == before["conv2"]


def test_bias_checkbox_and_channels():
    widget = ParamCalculator("Larson: 9x9 image, fully connected")
    assert _shown_total(widget) == 9 * 9 * 20 + 20 * 10
    widget.bias = True
    assert _shown_total(widget) == 9 * 9 * 20 + 20 + 20 * 10 + 10
    widget.channels = 3
    assert widget.rows[1].output_shape == (243,)


def test_preset_loads_all_controls_and_typing_edits_the_stack():
    widget = ParamCalculator.example()
    widget.preset = "Kuo: 200x200 image, 100 filters of 5x5"
    assert (widget.size, widget.bias) == (200, False)
    assert _shown_total(widget) == 5 * 5 * 100
    widget.stack = "conv 100 5 stride 2 same\npool 3 stride 2\ngap\ndense 10"
    assert [row.output_shape for row in widget.rows[1:]] == [(100, 100, 100), (49, 49, 100), (100,), (10,)]


def test_impossible_stack_shows_a_message_not_an_exception():
    widget = ParamCalculator.example()
    rows = widget.rows
    widget.size = 2  # 2 -> 1 after the first pooling; the second cannot pool 1 pixel
    assert widget.rows is rows  # the last valid table stays
    assert widget.size == 28  # and the trait holds its size again
    assert "layer 4 (pool2, MaxPooling2D)" in widget.message and "does not fit" in widget.message
    assert "This stack does not work" in widget.message
    widget.size = 4
    assert widget.message is None and widget.rows[-1].output_shape == (10,)


@pytest.mark.parametrize(
    "text, word",
    [
        ("conv 32", "conv FILTERS KERNEL"),
        ("conv 32 5 stride", "STRIDE"),
        ("conv 32 5 stride2", "conv FILTERS KERNEL"),
        ("conv 32 5 stride=0", "at least 1"),
        ("conv 3x3 5", "FILTERS"),
        ("dense ten", "UNITS"),
        ("dense 0", "at least 1"),
        ("pool 2x2x2", "SIZE"),
        ("relu", "unknown layer 'relu'"),
        ("flatten same", "flatten"),
        ("# only a comment", "empty"),
        ("flatten\nconv 8 3", "cannot follow Flatten"),
    ],
)
def test_bad_typed_input_shows_a_message(text, word):
    widget = ParamCalculator.example()
    rows = widget.rows
    widget.stack = text
    assert widget.rows is rows and word in widget.message
    assert "This stack does not work" in widget.message


def test_parse_stack_forms():
    assert parse_stack("conv 8 3x5 stride=2 same; avgpool 2 valid # comment\n\ngap\nflatten\ndense 4", bias=False) == [
        Conv2D(8, (3, 5), stride=2, padding="same", bias=False),
        Pool(2, kind="average"),
        GlobalPool(),
        Flatten(),
        Dense(4, bias=False),
    ]
    with pytest.raises(TypeError, match="text"):
        parse_stack(["conv 8 3"])


def test_dense_without_flatten_gets_a_note():
    widget = ParamCalculator.example()
    widget.stack = "conv 4 3\ndense 10"
    assert widget.rows[-1].output_shape == (26, 26, 10) and widget.error == ""


def test_benchmark_actions_each_change_the_table():
    widget = ParamCalculator.example()
    actions = widget.benchmark_actions()
    assert len(actions) >= 5
    for action in actions:
        before = widget.rows
        action()
        assert widget.rows != before and widget.message is None
