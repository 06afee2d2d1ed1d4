"""Tests of cnnbook.diagrams: what each diagram shows is computed, and every diagram has alt text."""

import matplotlib
import numpy as np
import pytest
from matplotlib.patches import FancyBboxPatch

from cnnbook import architectures, diagrams, models, params
from cnnbook.conv import conv2d
from cnnbook.params import Conv2D, Dense, Flatten, Pool


def texts(figure):
    return [text.get_text() for ax in figure.axes for text in ax.texts]


LECTURE_SPECS = [
    Conv2D(32, 5, padding="same"),
    Pool(2),
    Conv2D(64, 5, padding="same"),
    Pool(2),
    Flatten(),
    Dense(1024),
    Dense(10),
]


def test_tensor_diagram_from_specs_shows_computed_shapes_and_counts():
    rows = params.layer_table((28, 28, 1), LECTURE_SPECS)
    figure, alt = diagrams.tensor_diagram((28, 28, 1), LECTURE_SPECS, title="lecture CNN")
    shown = texts(figure)
    for row in rows:
        shape = row.output_shape
        words = f"{shape[2]}x{shape[0]}x{shape[1]}" if len(shape) == 3 else str(shape[0])
        assert words in shown, words  # every tensor, channels first
        if row.kind != "InputLayer":
            assert f"{row.params:,}" in shown  # every arrow's parameter count
    total = params.totals(rows)["params"]
    assert f"{total:,} parameters in all" in alt
    assert "32x28x28" in alt and "conv2 (Conv2D, 51,264 parameters)" in alt
    assert figure.axes[0].get_title().startswith(f"lecture CNN: {total:,} parameters")


def test_tensor_diagram_of_a_keras_model_agrees_with_count_params():
    model = models.lecture_cnn()
    figure, alt = diagrams.tensor_diagram(model)
    assert f"{model.count_params():,} parameters in all" in alt
    assert alt.startswith(f"Diagram of {model.name} as tensors: input 1x28x28")


def test_layers_that_keep_the_shape_join_the_arrow_before_them():
    specs = [Conv2D(8, 3, padding="same"), Conv2D(8, 3, padding="same"), Pool(2)]
    figure, alt = diagrams.tensor_diagram((8, 8, 1), specs)
    first, second = params.conv2d_params(3, 1, 8), params.conv2d_params(3, 8, 8)
    assert f"{first + second:,}" in texts(figure)
    assert "2 Conv2D" in texts(figure)
    assert alt.count("gives") == 2  # two arrows: the merged convolutions, then the pooling


def test_block_diagram_draws_one_box_per_layer_and_the_skip():
    model = architectures.resnet_block_demo()
    figure, alt = diagrams.block_diagram(model)
    boxes = [p for p in figure.axes[0].patches if isinstance(p, FancyBboxPatch)]
    assert len(boxes) == len(model.layers)
    assert f"{model.count_params():,} parameters in all" in alt
    assert "identity_add (Add from input, identity_conv2_bn" in alt
    skips = [
        a
        for a in figure.axes[0].texts
        if getattr(a, "arrow_patch", None) is not None
        and matplotlib.colors.to_hex(a.arrow_patch.get_edgecolor()) == "#cb181d"
    ]
    assert len(skips) == 1  # the identity shortcut; the projection has a layer of its own


def test_inception_branches_sit_side_by_side():
    model = architectures.inception_demo()
    figure, alt = diagrams.block_diagram(model)
    boxes = [p for p in figure.axes[0].patches if isinstance(p, FancyBboxPatch)]
    levels = sorted({round(box.get_y(), 3) for box in boxes})
    assert len(levels) == 4  # input, four branches, the 3x3/5x5/projection layers, the concatenation
    assert "256x28x28" in alt and f"{model.count_params():,} parameters" in alt


@pytest.mark.parametrize("name", diagrams.ARCHITECTURES)
def test_every_architecture_has_a_diagram_with_alt_text(name):
    figure, alt = diagrams.architecture_diagram(name)
    assert isinstance(figure, matplotlib.figure.Figure)
    assert len(alt) > 100 and "parameters in all" in alt


def test_vgg_ladder_counts_match_keras():
    specs = diagrams._vgg16_specs()
    model = params.build_keras((224, 224, 3), specs)
    figure, alt = diagrams.architecture_diagram("vgg-16")
    assert f"{model.count_params():,} parameters in all" in alt
    del model


@pytest.mark.parametrize(
    "shape, kernel, stride, padding",
    [
        ((3, 3), (2, 2), 1, "valid"),
        ((5, 4), (3, 2), 2, "valid"),
        ((4, 4), (3, 3), 1, "same"),
        ((3, 3), (2, 2), 1, 1),
    ],
)
def test_convolution_matrix_is_the_convolution(shape, kernel, stride, padding):
    rng = np.random.default_rng(0)
    x, k = rng.standard_normal(shape), rng.standard_normal(kernel)
    matrix = diagrams.convolution_matrix(k, shape, stride=stride, padding=padding)
    expected = conv2d(x, k, stride=stride, padding=padding)
    assert matrix.shape == (expected.size, x.size)
    np.testing.assert_allclose(matrix @ x.ravel(), expected.ravel(), atol=1e-12)


def test_kuo_matrix_is_four_by_nine_with_shared_weights():
    matrix = diagrams.convolution_matrix([[1, 2], [3, 4]], (3, 3))
    assert matrix.shape == (4, 9)
    assert all(sorted(row[row != 0].tolist()) == [1, 2, 3, 4] for row in matrix)
    figure, alt = diagrams.convolution_matrix_diagram()
    symbols = [t for t in texts(figure) if t.startswith("w")]
    assert len(symbols) == np.count_nonzero(matrix) == 16
    assert sorted(set(symbols)) == ["w11", "w12", "w21", "w22"]
    assert alt.startswith("A 4 x 9 matrix") and "16 of the 36 cells" in alt


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: diagrams.tensor_diagram("lecture"), TypeError),
        (lambda: diagrams.tensor_diagram((4, 4, 1), [Conv2D(8, 5)]), ValueError),
        (lambda: diagrams.tensor_diagram((4, 4, 1), [Conv2D(8, 3)], title=3), TypeError),
        (lambda: diagrams.tensor_diagram(architectures.inception_demo()), ValueError),
        (lambda: diagrams.block_diagram("model"), TypeError),
        (lambda: diagrams.architecture_diagram("GoogLeNet"), ValueError),
        (lambda: diagrams.architecture_diagram(16), TypeError),
        (lambda: diagrams.convolution_matrix(np.ones((2, 2, 1)), (3, 3)), ValueError),
        (lambda: diagrams.convolution_matrix(np.ones((2, 2)), 0), ValueError),
        (lambda: diagrams.convolution_matrix(np.ones((2, 2)), "3"), TypeError),
        (lambda: diagrams.convolution_matrix(np.ones((4, 4)), (3, 3)), ValueError),
        (lambda: diagrams.convolution_matrix_diagram(kernel_shape=10, input_shape=12), ValueError),
        (lambda: diagrams.convolution_matrix_diagram(input_shape=(20, 30)), ValueError),
    ],
)
def test_bad_input_gets_a_clear_error(call, error):
    with pytest.raises(error):
        call()


def test_error_messages_name_the_argument():
    with pytest.raises(ValueError, match="name must be one of"):
        diagrams.architecture_diagram("GoogLeNet")
    with pytest.raises(ValueError, match="input_shape must be"):
        diagrams.convolution_matrix(np.ones((2, 2)), 0)
    with pytest.raises(TypeError, match="model must be a keras.Model"):
        diagrams.tensor_diagram("lecture")
    with pytest.raises(ValueError, match="not a chain of layers.*block_diagram"):
        diagrams.tensor_diagram(architectures.resnet_block_demo())
