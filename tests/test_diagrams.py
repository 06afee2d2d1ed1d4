"""Tests of cnnbook.diagrams: what each diagram shows is computed, and every diagram has alt text."""

import itertools

import matplotlib
import matplotlib.text
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
    assert any(text.startswith(f"lecture CNN: {total:,} parameters") for text in shown)


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


# The book's column is about 700 px wide: a wider PNG is shown scaled down, and its text with it.
COLUMN_PX = 700
SMALLEST_PT = 8


def text_problems(figure):
    """Texts smaller than 8 pt as the page shows them, and pairs of texts whose boxes overlap."""
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    texts = [t for t in figure.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text().strip()]
    shrink = min(1.0, COLUMN_PX / (figure.get_figwidth() * figure.dpi))
    found = []
    for text in texts:  # points on a 96-px-per-inch page
        shown = text.get_fontsize() * figure.dpi / 96 * shrink
        if shown < SMALLEST_PT - 1e-6:
            found.append(f"{text.get_text()!r} shown at {shown:.1f} pt")
    boxes = [(text.get_text(), text.get_window_extent(renderer)) for text in texts]
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        if (
            box_a.x0 < box_b.x1 - 0.5
            and box_b.x0 < box_a.x1 - 0.5
            and box_a.y0 < box_b.y1 - 0.5
            and box_b.y0 < box_a.y1 - 0.5
        ):
            found.append(f"{a!r} overlaps {b!r}")
    return found


def naive_inception_module():
    keras = pytest.importorskip("keras")
    inputs = keras.Input(shape=(28, 28, 192), name="input")
    outputs = architectures.inception_block(inputs, 64, 128, 32, name="naive")
    return keras.Model(inputs, outputs, name="naive_module")


# Every diagram the book draws: chapter 1's matrix, chapter 3's CNN, chapter 9's networks and exercise 6.
BOOK_DIAGRAMS = {
    **{name: (lambda name=name: diagrams.architecture_diagram(name)) for name in diagrams.ARCHITECTURES},
    "lecture CNN": lambda: diagrams.tensor_diagram(models.lecture_cnn(), title="The lecture's MNIST CNN"),
    "convolution matrix": lambda: diagrams.convolution_matrix_diagram(input_shape=(3, 3), kernel_shape=(2, 2)),
    "naive module": lambda: diagrams.block_diagram(naive_inception_module()),
}


@pytest.mark.parametrize("name", BOOK_DIAGRAMS)
def test_book_diagrams_have_readable_text_that_never_overlaps(name):
    figure, _ = BOOK_DIAGRAMS[name]()
    assert text_problems(figure) == []


def test_the_text_check_finds_overlaps_and_small_text():
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(14.6, 2), dpi=96)  # 1,402 px: shown at half size
    ax.text(0.5, 0.5, "119,545,856", fontsize=12)
    ax.text(0.5, 0.5, "Flatten", fontsize=12)
    found = text_problems(figure)
    assert any("overlaps" in problem for problem in found)
    assert any("shown at 6.0 pt" in problem for problem in found)


def test_stage_labels_name_the_layer_that_made_the_tensor():
    figure, alt = diagrams.architecture_diagram("AlexNet")
    shown = texts(figure)
    assert "conv4" in shown and "conv3" not in shown  # conv3 and conv4 make one arrow; the block is conv4's output
    assert "fc6" in shown and "dropout6" not in shown
    assert "conv3, conv4 (2 Conv2D" in alt


def test_dense_block_is_drawn_all_to_all():
    figure, alt = diagrams.architecture_diagram("dense block")
    red = [
        a
        for a in figure.axes[0].texts
        if getattr(a, "arrow_patch", None) is not None
        and matplotlib.colors.to_hex(a.arrow_patch.get_edgecolor()) == "#cb181d"
    ]
    # Concatenation k reads the input and every layer up to k: the skips are those not from the layer just before.
    assert len(red) == 1 + 2 + 3 + 4
    assert "dense4_concat (Concatenate from input, dense1_3x3, dense2_3x3, dense3_3x3, dense4_3x3;" in alt


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
