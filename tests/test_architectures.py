"""cnnbook.architectures: the hand-built networks of chapter 9, counted by cnnbook.params."""

import subprocess
import sys

import numpy as np
import pytest

from cnnbook import architectures
from cnnbook.params import (
    count_weight_layers,
    keras_layer_table,
    totals,
)

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")
layers = keras.layers


def table(model):
    rows = keras_layer_table(model)
    assert totals(rows)["params"] == model.count_params()
    return rows


def by_name(rows):
    return {row.name: row for row in rows}


def test_import_does_not_load_keras():
    code = "import sys, cnnbook.architectures; print('keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# --- LeNet -------------------------------------------------------------------


def test_lenet_1989_strided_convolutions_and_counts():
    rows = table(architectures.lenet_1989())
    assert [row.output_shape for row in rows] == [(16, 16, 1), (8, 8, 12), (4, 4, 12), (192,), (30,), (10,)]
    assert not any("Pooling" in row.kind for row in rows)
    # Keras shares one bias per map: (5*5*1 + 1)*12 + (5*5*12 + 1)*12 + (192 + 1)*30 + (30 + 1)*10
    assert totals(rows)["params"] == 26 * 12 + 301 * 12 + 193 * 30 + 31 * 10


def test_lenet_1989_rows_rebuild_the_papers_counts():
    # LeCun et al. 1989: 1256 units, 64,660 connections, 9,760 free parameters, with one bias per unit
    # in H1 and H2 and each H2 map connected to 8 of the 12 H1 maps.
    row = by_name(table(architectures.lenet_1989()))
    params = (
        row["h1"].weights
        + row["h1"].activations
        + row["h2"].weights * 8 // 12
        + row["h2"].activations
        + row["h3"].params
        + row["output"].params
    )
    connections = (
        row["h1"].mult_adds
        + row["h1"].activations
        + row["h2"].mult_adds * 8 // 12
        + row["h2"].activations
        + row["h3"].params
        + row["output"].params
    )
    assert (params, connections) == (9_760, 64_660)
    assert totals(list(row.values()))["activations"] == 1256


def test_lenet5_layout():
    rows = table(architectures.lenet5())
    shapes = {row.name: row.output_shape for row in rows}
    assert shapes["c1"] == (28, 28, 6) and shapes["s4"] == (5, 5, 16) and shapes["c5"] == (1, 1, 120)
    params = {row.name: row.params for row in rows}
    assert (params["c1"], params["c5"], params["f6"]) == (156, 48_120, 10_164)
    assert architectures.lenet5(num_classes=3).output_shape == (None, 3)


# --- AlexNet -----------------------------------------------------------------


def test_alexnet_one_tower_matches_the_published_sizes():
    rows = table(architectures.alexnet())
    row = by_name(rows)
    assert [row[name].output_shape for name in ("conv1", "pool1", "conv2", "pool2", "conv5", "pool5")] == [
        (55, 55, 96),
        (27, 27, 96),
        (27, 27, 256),
        (13, 13, 256),
        (13, 13, 256),
        (6, 6, 256),
    ]
    assert count_weight_layers(rows) == 8
    expected = (
        (11 * 11 * 3 + 1) * 96
        + (5 * 5 * 96 + 1) * 256
        + (3 * 3 * 256 + 1) * 384
        + (3 * 3 * 384 + 1) * 384
        + (3 * 3 * 384 + 1) * 256
        + (6 * 6 * 256 + 1) * 4096
        + (4096 + 1) * 4096
        + (4096 + 1) * 1000
    )
    assert totals(rows)["params"] == expected
    assert [layer.rate for layer in architectures.alexnet().layers if isinstance(layer, layers.Dropout)] == [0.5, 0.5]


def test_alexnet_two_towers_halves_the_grouped_layers():
    one = by_name(table(architectures.alexnet()))
    two = by_name(table(architectures.alexnet(two_towers=True)))
    for name in ("conv2", "conv4", "conv5"):
        assert two[name].weights * 2 == one[name].weights
    for name in ("conv1", "conv3", "fc6", "fc7", "fc8"):
        assert two[name].params == one[name].params
    assert abs(totals(list(two.values()))["params"] - 60e6) / 60e6 < 0.02  # the paper's "60 million"


def test_alexnet_at_224_changes_only_fc6():
    rows = by_name(table(architectures.alexnet(input_shape=(224, 224, 3))))
    reference = by_name(keras_layer_table(architectures.alexnet()))
    assert rows["conv1"].output_shape == (54, 54, 96) and rows["flatten"].output_shape == (5 * 5 * 256,)
    changed = [name for name in rows if rows[name].params != reference[name].params]
    assert changed == ["fc6"]


def test_local_response_normalization_matches_tensorflow():
    lrn = architectures.LocalResponseNormalization()
    x = np.random.default_rng(0).normal(scale=30.0, size=(2, 5, 5, 10)).astype("float32")
    expected = tf.nn.local_response_normalization(x, depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75)
    np.testing.assert_allclose(np.asarray(lrn(x)), expected.numpy(), rtol=1e-5, atol=1e-6)
    assert not lrn.weights
    clone = architectures.LocalResponseNormalization.from_config(lrn.get_config())
    assert (clone.depth_radius, clone.bias, clone.alpha, clone.beta) == (2, 2.0, 1e-4, 0.75)


# --- AlphaGo -------------------------------------------------------------------


def test_alphago_policy_layers_and_output():
    model = architectures.alphago_policy()
    rows = table(model)
    convs = [layer for layer in model.layers if isinstance(layer, layers.Conv2D)]
    assert [(layer.kernel_size, layer.filters) for layer in convs] == (
        [((5, 5), 192)] + [((3, 3), 192)] * 11 + [((1, 1), 1)]
    )
    assert all(row.output_shape[:2] == (19, 19) for row in rows if row.kind == "Conv2D")
    assert totals(rows)["params"] == (25 * 48 + 1) * 192 + 11 * (9 * 192 + 1) * 192 + (192 + 1)
    board = np.random.default_rng(0).random((2, 19, 19, 48)).astype("float32")
    probabilities = np.asarray(model(board))
    assert probabilities.shape == (2, 361)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def test_alphago_policy_options():
    model = architectures.alphago_policy(filters=8, hidden_layers=0, board=9, planes=3)
    assert [layer.name for layer in model.layers if isinstance(layer, layers.Conv2D)] == ["conv1", "conv2"]
    assert model.output_shape == (None, 81)


# --- blocks --------------------------------------------------------------------


def test_inception_block_channels_and_the_cost_of_reductions():
    reduced = table(architectures.inception_demo())
    naive = table(architectures.inception_demo(reduce=False))
    assert reduced[0].name == "input"
    assert reduced[-1].output_shape == (28, 28, 64 + 128 + 32 + 32)
    assert naive[-1].output_shape == (28, 28, 64 + 128 + 32 + 192)  # the pooling branch passes 192 channels
    weights = 192 * 64 + 192 * 96 + 9 * 96 * 128 + 192 * 16 + 25 * 16 * 32 + 192 * 32
    assert totals(reduced)["mult_adds"] == 28 * 28 * weights
    assert totals(naive)["mult_adds"] == 28 * 28 * (192 * 64 + 9 * 192 * 128 + 25 * 192 * 32)


def test_residual_blocks_identity_projection_and_plain():
    rows = table(architectures.resnet_block_demo())
    kinds = [row.kind for row in rows]
    assert kinds.count("Add") == 2
    names = [row.name for row in rows]
    assert "identity_projection" not in names and "down_projection" in names
    row = by_name(rows)
    assert row["down_projection"].output_shape == (28, 28, 128)
    assert row["down_projection"].params == 64 * 128  # 1x1, no bias (batch normalisation follows)

    inputs = keras.Input(shape=(8, 8, 16))
    plain = keras.Model(inputs, architectures.residual_block(inputs, 16, shortcut=False, batch_norm=False))
    plain_rows = table(plain)
    assert "Add" not in [r.kind for r in plain_rows] and "BatchNormalization" not in [r.kind for r in plain_rows]
    assert totals(plain_rows)["params"] == 2 * (9 * 16 + 1) * 16


def test_dense_block_grows_by_the_growth_rate():
    rows = table(architectures.densenet_block_demo())
    channels = [row.output_shape[-1] for row in rows if row.kind == "Concatenate"]
    assert channels == [36, 48, 60, 72]
    convs = [row.params for row in rows if row.kind == "Conv2D"]
    assert convs == [9 * c * 12 for c in (24, 36, 48, 60)]


def test_dense_block_with_bottleneck_is_densenet121s_first_block():
    # DenseNet-121, block 1: 56x56x64 input, 6 layers, growth rate 32, 1x1 bottleneck to 128 channels.
    rows = table(architectures.densenet_block_demo((56, 56, 64), num_layers=6, growth_rate=32, bottleneck=True))
    assert rows[-1].output_shape == (56, 56, 64 + 6 * 32)
    expected = 0
    for i in range(6):
        c = 64 + 32 * i
        expected += 4 * c + c * 128 + 4 * 128 + 9 * 128 * 32  # BN, 1x1, BN, 3x3 (no biases)
    assert totals(rows)["params"] == expected


# --- gradients -------------------------------------------------------------------


def test_gradients_vanish_without_skips_and_survive_with_them():
    plain = architectures.gradient_norms_by_depth(8, shortcut=False, batch_norm=False)
    residual = architectures.gradient_norms_by_depth(8, shortcut=True, batch_norm=False)
    assert plain.shape == residual.shape == (9,)
    assert plain[-1] == pytest.approx(residual[-1])  # the same r: same gradient at the output
    assert plain[0] / plain[-1] < 1e-2
    assert 0.5 < residual[0] / residual[-1] < 30


def test_gradient_norms_are_repeatable():
    first = architectures.gradient_norms_by_depth(2, batch_norm=True, seed=3)
    second = architectures.gradient_norms_by_depth(2, batch_norm=True, seed=3)
    np.testing.assert_allclose(first, second, rtol=1e-5)


def test_bottleneck_block_matches_keras_resnet50_but_for_its_biases():
    rows = by_name(table(architectures.bottleneck_demo()))
    assert rows["second_out"].output_shape == (56, 56, 256)
    assert rows["first_projection"].params == 64 * 256 and "second_projection" not in rows
    # Keras's ResNet50 gives each convolution a bias, which the batch normalisation after it cancels.
    assert rows["first_reduce"].params + 64 == 4160 and rows["second_reduce"].params + 64 == 16448
    assert rows["first_3x3"].params == 9 * 64 * 64 and rows["first_expand"].params == 64 * 256


def test_preactivation_block_is_the_identity_when_its_branch_is_zero():
    inputs = keras.Input(shape=(4, 4, 8))
    for preactivation, expected in ((True, "identity"), (False, "relu")):
        model = keras.Model(
            inputs, architectures.residual_block(inputs, 8, batch_norm=False, preactivation=preactivation, name="b")
        )
        conv2 = model.get_layer("b_conv2")
        conv2.set_weights([np.zeros_like(w) for w in conv2.get_weights()])
        x = np.random.default_rng(0).standard_normal((1, 4, 4, 8)).astype("float32")
        out = model.predict(x, verbose=0)
        np.testing.assert_allclose(out, x if expected == "identity" else np.maximum(x, 0), atol=1e-6)
    kinds = [row.kind for row in table(model)]
    assert kinds[-1] == "ReLU"  # v1 ends in a ReLU after the addition


def test_preactivation_projection_and_bad_input():
    inputs = keras.Input(shape=(8, 8, 16))
    model = keras.Model(inputs, architectures.residual_block(inputs, 32, stride=2, preactivation=True, name="p"))
    rows = by_name(table(model))
    assert rows["p_projection"].output_shape == (4, 4, 32) and rows["p_add"].kind == "Add"
    with pytest.raises(TypeError, match="preactivation"):
        architectures.residual_block(inputs, 8, preactivation="yes")
    with pytest.raises(ValueError, match="filters"):
        architectures.bottleneck_block(inputs, 0)
