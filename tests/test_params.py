"""cnnbook.params: layer tables checked against real Keras models."""

import math

import pytest

from cnnbook import params
from cnnbook.params import (
    BatchNorm,
    Conv2D,
    Dense,
    DepthwiseConv2D,
    Flatten,
    GlobalPool,
    Pool,
    SeparableConv2D,
    ZeroPad,
    build_keras,
    conv2d_params,
    dense_params,
    format_table,
    keras_layer_table,
    layer_table,
    totals,
)
from cnnbook.params.tables import _table_html

keras = pytest.importorskip("keras")
layers = keras.layers


def test_each_spec_converts_itself_to_keras_and_back():
    specs = [
        Conv2D(8, (3, 5), stride=2, padding="same", bias=False, name="c"),
        params.Conv1D(4, 9, name="c1"),
        params.Conv3D(2, (3, 1, 3), padding="same", name="c3"),
        DepthwiseConv2D(3, depth_multiplier=2, name="d"),
        SeparableConv2D(4, 3, name="s"),
        Pool(2, kind="average", name="p"),
        GlobalPool("max", keepdims=True, name="g"),
        Dense(5, name="dense"),
        Flatten(name="f"),
        ZeroPad(((1, 2), (0, 1)), name="z"),
        BatchNorm(scale=False, name="b"),
    ]
    shapes = {
        "Dense": (7,),
        "Flatten": (4, 4, 3),
        "BatchNormalization": (4, 4, 3),
        "Conv1D": (16, 2),
        "Conv3D": (8, 8, 8, 1),
    }
    for spec in specs:
        layer = spec.to_keras(spec.name)
        assert type(layer).__name__ in spec.keras_names
        shape = shapes.get(type(layer).__name__, (8, 8, 3))
        assert type(spec).from_keras(type(layer).__name__, layer.get_config(), shape) == spec


def test_count_weight_layers_counts_convolutions_and_dense_layers():
    rows = layer_table((28, 28, 1), [Conv2D(8, 3), BatchNorm(), Pool(2), Flatten(), Dense(10), Dense(2)])
    assert params.count_weight_layers(rows) == 3


# --- the formulas ---------------------------------------------------------


def test_formulas_with_and_without_bias():
    assert conv2d_params(3, 1, 3, bias=False) == 27  # Larson: three 3x3 filters
    assert conv2d_params(3, 1, 3) == 30
    assert conv2d_params((5, 5), 32, 64) == 5 * 5 * 32 * 64 + 64
    assert conv2d_params(3, 4, 8, groups=2) == 3 * 3 * 2 * 8 + 8
    assert dense_params(200 * 200, 100, bias=False) == 4_000_000  # Kuo's fully connected layer
    assert dense_params(20, 10) == 210


# --- specs against Keras --------------------------------------------------

STACKS = {
    "conv valid": ((9, 9, 1), [Conv2D(3, 3)]),
    "conv same stride 2, odd size": ((7, 7, 3), [Conv2D(4, 3, stride=2, padding="same")]),
    "conv valid stride 3, no bias": ((9, 9, 1), [Conv2D(3, 3, stride=3, bias=False)]),
    "conv rectangular kernel and stride": ((11, 9, 2), [Conv2D(5, (3, 1), stride=(2, 1))]),
    "conv dilated": ((12, 12, 2), [Conv2D(4, 3, dilation=2), Conv2D(4, 3, dilation=2, padding="same")]),
    "conv grouped": ((8, 8, 4), [Conv2D(6, 3, groups=2)]),
    "pool valid, odd size": ((7, 7, 2), [Pool(2)]),
    "pool same, odd size": ((7, 7, 2), [Pool(2, padding="same")]),
    "pool overlapping (AlexNet 3/2)": ((13, 13, 2), [Pool(3, stride=2)]),
    "average pool": ((8, 8, 2), [Pool(2, kind="average")]),
    "dense only": ((81,), [Dense(20, bias=False), Dense(10, bias=False)]),
    "flatten then dense": ((9, 9, 1), [Flatten(), Dense(20), Dense(10)]),
    "dense on an image (no flatten)": ((5, 5, 3), [Dense(4)]),
    "global pooling": ((6, 6, 5), [GlobalPool(), Dense(3)]),
    "global max pooling, keepdims": ((6, 6, 5), [GlobalPool("max", keepdims=True)]),
    "zero padding": ((5, 5, 1), [ZeroPad(2), Conv2D(2, 5), ZeroPad(((0, 1), (1, 0)))]),
    "batch norm": ((6, 6, 3), [Conv2D(4, 3, bias=False), BatchNorm(), BatchNorm(center=False, scale=False)]),
    "depthwise and separable": ((10, 10, 3), [DepthwiseConv2D(3, depth_multiplier=2), SeparableConv2D(8, 3, stride=2)]),
    "lecture CNN": (
        (28, 28, 1),
        [
            Conv2D(32, 5, padding="same"),
            Pool(2),
            Conv2D(64, 5, padding="same"),
            Pool(2),
            Flatten(),
            Dense(1024),
            Dense(10),
        ],
    ),
}


@pytest.mark.parametrize("label", list(STACKS))
def test_spec_table_matches_keras(label):
    input_shape, stack = STACKS[label]
    rows = layer_table(input_shape, stack)
    model = build_keras(input_shape, stack)
    # Shapes: every row against the shape Keras itself reports.
    assert [row.output_shape for row in rows[1:]] == [tuple(layer.output.shape[1:]) for layer in model.layers]
    # Parameters: layer by layer and in total, against Keras's own counts.
    assert [row.params for row in rows[1:]] == [layer.count_params() for layer in model.layers]
    assert totals(rows)["params"] == model.count_params()
    # Reading the Keras model back gives the very same table.
    assert keras_layer_table(model) == rows


def test_biases_are_the_bias_vectors_keras_stores():
    stack = [Conv2D(4, 3), BatchNorm(), DepthwiseConv2D(3), SeparableConv2D(5, 1), Flatten(), Dense(3)]
    model = build_keras((9, 9, 2), stack)
    rows = keras_layer_table(model)
    stored = [
        sum(math.prod(w.shape) for w in layer.weights if w.path.endswith(("bias", "beta"))) for layer in model.layers
    ]
    assert [row.biases for row in rows[1:]] == stored
    assert totals(rows)["biases"] == sum(stored) > 0
    assert totals(rows)["weights"] == model.count_params() - sum(stored)


def test_lecture_cnn_columns_by_hand():
    from cnnbook.models import lecture_cnn

    rows = {row.name: row for row in keras_layer_table(lecture_cnn())}
    assert rows["conv1"].mult_adds == 28 * 28 * 32 * (5 * 5 * 1)
    assert rows["conv2"].mult_adds == 14 * 14 * 64 * (5 * 5 * 32)
    assert rows["dense"].mult_adds == 3136 * 1024
    assert rows["p1"].mult_adds == rows["flatten"].params == 0
    assert rows["conv1"].activations == 28 * 28 * 32
    assert rows["dense"].params == 3136 * 1024 + 1024
    # Flatten only reorders: the total counts its numbers once.
    total = totals(rows.values())
    assert total["activations"] == sum(r.activations for r in rows.values()) - rows["flatten"].activations


def test_mult_adds_are_weights_times_output_positions():
    rows = layer_table(
        (32, 32, 3), [Conv2D(16, 5, stride=2, padding="same"), Conv2D(8, 3, groups=2), Flatten(), Dense(7)]
    )
    for row in rows[1:3]:
        rows_out, cols_out, _ = row.output_shape
        assert row.mult_adds == row.weights * rows_out * cols_out
    assert rows[-1].mult_adds == rows[-1].weights


# --- impossible stacks ----------------------------------------------------


def test_kernel_larger_than_input_is_a_clear_error():
    with pytest.raises(
        ValueError,
        match=r"layer 3 \(conv2, Conv2D\) gets a 2x2x8 input: the 3x3 kernel does not "
        r"fit.*fewer than 1 row",
    ):
        layer_table((8, 8, 1), [Conv2D(8, 3, stride=3), Pool(1), Conv2D(8, 3)])


def test_pooling_below_one_pixel_is_a_clear_error():
    stack = [Pool(2)] * 5
    with pytest.raises(
        ValueError,
        match=r"layer 5 \(pool5, MaxPooling2D\) gets a 1x1x3 input: the 2x2 pooling "
        r"window does not fit",
    ):
        layer_table((16, 16, 3), stack)
    assert layer_table((16, 16, 3), stack[:4])[-1].output_shape == (1, 1, 3)
    # "same" padding never shrinks below 1: Keras pads the window instead.
    assert layer_table((1, 1, 3), [Pool(2, padding="same")])[-1].output_shape == (1, 1, 3)


def test_keras_agrees_that_the_stack_is_impossible():
    # Keras 3.15 refuses the layer; Keras 3.13 (Colab's) builds it with an empty 0x0 output.
    try:
        model = keras.Sequential([keras.Input(shape=(2, 2, 8)), layers.Conv2D(8, 3)])
    except ValueError:
        pass
    else:
        assert model.output_shape[1:3] == (0, 0)
    with pytest.raises(ValueError, match="fits|fit"):
        layer_table((2, 2, 8), [Conv2D(8, 3)])


def test_convolution_after_flatten_is_a_clear_error():
    with pytest.raises(ValueError, match=r"layer 2 \(conv1, Conv2D\).*needs a \(rows, cols, channels\) input"):
        layer_table((8, 8, 1), [Flatten(), Conv2D(8, 3)])


# --- Keras models ---------------------------------------------------------


def _check_against_keras(model):
    rows = keras_layer_table(model)
    assert totals(rows)["params"] == model.count_params()
    return rows


def test_functional_model_with_add_concatenate_and_nesting():
    stem = keras.Sequential(
        [
            keras.Input(shape=(16, 16, 3)),
            layers.ZeroPadding2D(1),
            layers.Conv2D(8, 3, strides=2, use_bias=False),
            layers.BatchNormalization(),
            layers.ReLU(),
        ],
        name="stem",
    )
    inputs = keras.Input(shape=(16, 16, 3))
    x = stem(inputs)  # 8x8x8
    branch = layers.Conv2D(8, 3, padding="same")(x)
    x = layers.Add()([x, branch])
    wide = layers.Conv2D(4, 1)(x)
    x = layers.Concatenate()([x, wide])  # 8x8x12
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    rows = _check_against_keras(model)
    names = [row.name for row in rows]
    assert "stem/conv2d" in " ".join(names) and rows[0].kind == "InputLayer"
    by_kind = {row.kind: row for row in rows}
    assert by_kind["Concatenate"].output_shape == (8, 8, 12)
    assert by_kind["Add"].params == by_kind["Dropout"].params == 0


@pytest.mark.parametrize(
    "builder, input_shape",
    [
        ("VGG16", (32, 32, 3)),
        ("ResNet50", (32, 32, 3)),
        ("MobileNet", (32, 32, 3)),
    ],
)
def test_keras_applications(builder, input_shape):
    model = getattr(keras.applications, builder)(weights=None, input_shape=input_shape, classes=10)
    rows = _check_against_keras(model)
    assert len(rows) == len(model.layers)


# --- printing -------------------------------------------------------------


def test_format_table_text():
    rows = layer_table(
        (9, 9, 1), [Conv2D(3, 3, stride=3, bias=False), Flatten(), Dense(20, bias=False), Dense(10, bias=False)]
    )
    assert format_table(rows, columns=("output_shape", "params", "params_percent")) == "\n".join(
        [
            "layer     output shape  params  % params",
            "input            9x9x1       0       0.0",
            "conv1            3x3x3      27       3.5",
            "flatten1            27       0       0.0",
            "dense1              20     540      70.4",
            "dense2              10     200      26.1",
            "total                      767     100.0",
        ]
    )


def test_table_html_shows_numbers_and_share_bars():
    rows = layer_table((28, 28, 1), [Flatten(), Dense(100)])
    text = _table_html(rows, columns=("params", "params_percent"), caption="a <caption>")
    assert text.startswith("<table") and "78,500" in text and "&lt;caption&gt;" in text
    assert "linear-gradient(90deg,#9ecae1 100.0%" in text


def test_conv1d_and_conv3d_are_counted_like_keras():
    detector = keras.Sequential(
        [keras.Input(shape=(128, 1)), layers.Conv1D(4, 9, name="conv"), layers.GlobalMaxPooling1D(), layers.Dense(2)]
    )
    volume = keras.Sequential(
        [
            keras.Input(shape=(16, 16, 16, 1)),
            layers.Conv3D(8, 3, strides=2, padding="same"),
            layers.Conv3D(4, (1, 3, 3), use_bias=False),
            layers.Flatten(),
            layers.Dense(3),
        ]
    )
    for model, weight_layers in ((detector, 2), (volume, 3)):
        rows = _check_against_keras(model)
        assert params.count_weight_layers(rows) == weight_layers
    rows = layer_table((128, 1), [params.Conv1D(4, 9), Flatten(), Dense(2)])
    assert rows[1].output_shape == (120, 4) and rows[1].mult_adds == 120 * 4 * 9
    assert build_keras((16, 16, 16, 1), [params.Conv3D(8, 3)]).count_params() == 8 * 27 + 8


def test_count_activations_counts_computing_layers_or_every_layer():
    from cnnbook.params import BatchNorm, Conv2D, Dense, Flatten, Pool, count_activations, layer_table, totals

    rows = layer_table((8, 8, 1), [Conv2D(4, 3, padding="same"), BatchNorm(), Pool(2), Flatten(), Dense(3)])
    assert count_activations(rows) == 64 + 256 + 64 + 3  # input, conv, pool, dense
    assert count_activations(rows, every_layer=True) == totals(rows)["activations"] == 64 + 256 + 256 + 64 + 3
    with pytest.raises(TypeError, match="every_layer"):
        count_activations(rows, every_layer="no")
    with pytest.raises(TypeError, match="rows"):
        count_activations([1, 2])


def test_count_path_layers_of_branches_and_chains():
    keras = pytest.importorskip("keras")
    from cnnbook import architectures
    from cnnbook.params import count_path_layers

    assert count_path_layers(architectures.inception_demo()) == {"shortest": 1, "longest": 2}
    assert count_path_layers(architectures.lenet5()) == {"shortest": 5, "longest": 5}
    assert count_path_layers(architectures.bottleneck_demo()) == {"shortest": 1, "longest": 6}  # skips only
    with pytest.raises((TypeError, AttributeError)):
        count_path_layers("model")
    del keras
