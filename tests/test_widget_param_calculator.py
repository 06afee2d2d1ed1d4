"""ParamCalculator, driven without a browser: set control values, read the table."""

import pytest
from widget_html import html_tables

from cnnbook.params import Conv2D, Dense, Flatten, GlobalPool, Pool, build_keras, totals
from cnnbook.widgets._base import BookWidget
from cnnbook.widgets.param_calculator import PRESETS, ParamCalculator, parse_stack


def _shown_total(widget):
    return totals(widget.rows)["params"]


def test_example_shows_the_lecture_cnn_with_keras_count():
    from cnnbook.models import lecture_cnn

    widget = ParamCalculator.example()
    assert isinstance(widget, BookWidget) and widget.message is None
    expected = lecture_cnn().count_params()
    assert _shown_total(widget) == expected
    assert f"<b>{expected:,}</b> parameters" in widget.output.value
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
    widget.size.value = 32  # 32 -> 16 -> 8 after two poolings
    after = {row.name: row.params for row in widget.rows}
    assert after["dense1"] == 8 * 8 * 64 * 1024 + 1024 != before["dense1"]
    assert after["conv1"] == before["conv1"] and after["conv2"] == before["conv2"]
    assert f"{after['dense1']:,}" in widget.output.value


def test_bias_checkbox_and_channels():
    widget = ParamCalculator("Larson: 9x9 image, fully connected")
    assert _shown_total(widget) == 9 * 9 * 20 + 20 * 10
    widget.bias.value = True
    assert _shown_total(widget) == 9 * 9 * 20 + 20 + 20 * 10 + 10
    widget.channels.value = 3
    assert widget.rows[1].output_shape == (243,)


def test_preset_loads_all_controls_and_typing_edits_the_stack():
    widget = ParamCalculator.example()
    widget.preset.value = "Kuo: 200x200 image, 100 filters of 5x5"
    assert (widget.size.value, widget.bias.value) == (200, False)
    assert _shown_total(widget) == 5 * 5 * 100
    widget.stack.value = "conv 100 5 stride 2 same\npool 3 stride 2\ngap\ndense 10"
    assert [row.output_shape for row in widget.rows[1:]] == [(100, 100, 100), (49, 49, 100), (100,), (10,)]


def test_impossible_stack_shows_a_message_not_an_exception():
    widget = ParamCalculator.example()
    rows, table = widget.rows, widget.output.value
    widget.size.value = 2  # 2 -> 1 after the first pooling; the second cannot pool 1 pixel
    assert widget.rows is rows and widget.output.value == table  # the last valid table stays
    assert widget.size.value == 28  # and the control shows its size
    assert "layer 4 (pool2, MaxPooling2D)" in widget.message and "does not fit" in widget.message
    assert "This stack does not work" in widget.message
    widget.size.value = 4
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
    widget.stack.value = text
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
    widget.stack.value = "conv 4 3\ndense 10"
    assert widget.rows[-1].output_shape == (26, 26, 10)
    assert "no <code>flatten</code> before it" in widget.output.value


def test_each_row_shows_its_parameter_formula():
    widget = ParamCalculator.example()
    formulas = [[text for _, text in row] for row in html_tables(widget.output.value)["pc-formulas"]]
    assert formulas[0] == ["conv1", "(5*5*1+1)*32", "= 832"]
    assert formulas[2] == ["conv2", "(5*5*32+1)*64", "= 51,264"]
    for name, text, count in formulas:
        assert eval(text) == int(count[2:].replace(",", "")), name  # noqa: S307 (digits, *, + only)
    widget.bias.value = False
    assert [text for _, text in html_tables(widget.output.value)["pc-formulas"][0]][1] == "5*5*1*32"


def test_benchmark_actions_each_change_the_table():
    widget = ParamCalculator.example()
    actions = widget.benchmark_actions()
    assert len(actions) >= 5
    for action in actions:
        before = widget.output.value
        action()
        assert widget.output.value != before and widget.message is None
