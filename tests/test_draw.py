"""cnnbook.draw: the draw-a-digit CNN, its exported weights and MNIST's preprocessing (chapter 3)."""

import base64

import numpy as np
import pytest

from cnnbook import data, draw
from cnnbook.env import seed_everything
from cnnbook.models import small_cnn


@pytest.fixture(scope="module")
def network():
    seed_everything(0)
    return draw.digit_cnn()


def test_the_network_has_the_issue_s_shape(network):
    assert network.count_params() == 11_274
    assert [layer.name for layer in network.layers] == [
        "conv1", "p1", "conv2", "p2", "flatten", "logits", "probabilities",
    ]  # fmt: skip
    assert network.get_layer("conv1").kernel.shape == (5, 5, 1, 8)
    assert network.get_layer("conv2").kernel.shape == (5, 5, 8, 16)
    assert network.output_shape == (None, 10)


def test_exported_weights_are_the_float32_weights(network):
    exported = draw._export_weights(network)
    assert [layer["name"] for layer in exported["layers"]] == ["conv1", "conv2", "logits"]
    for layer in exported["layers"]:
        kernel, bias = network.get_layer(layer["name"]).get_weights()
        decoded = np.frombuffer(base64.b64decode(layer["kernel"]), dtype="<f4").reshape(layer["shape"])
        assert np.array_equal(decoded, kernel)
        assert np.array_equal(np.frombuffer(base64.b64decode(layer["bias"]), dtype="<f4"), bias)
    total = sum(len(base64.b64decode(layer[part])) for layer in exported["layers"] for part in ("kernel", "bias"))
    assert total == 4 * 11_274


def test_export_refuses_another_network():
    with pytest.raises(ValueError, match="digit_cnn"):
        draw._export_weights(small_cnn())
    with pytest.raises(TypeError, match="model"):
        draw._export_weights("a model")


def test_preprocessing_gives_back_mnist_digits():
    _, (x_test, _) = data.load_mnist_sample()
    for digit in x_test[:50] / 255.0:
        for times, top, left in [(1, 0, 0), (5, 60, 3), (3, 0, 100)]:
            canvas = np.zeros((200, 200))
            canvas[top : top + 28 * times, left : left + 28 * times] = np.kron(digit, np.ones((times, times)))
            redone = draw.preprocess_like_mnist(canvas)
            if times != 3:  # whole-number enlargements of a 20-pixel box come back exactly
                assert np.abs(redone - digit).max() < 1e-6
            assert redone.shape == (28, 28) and redone.dtype == np.float32


def test_preprocessing_scales_into_20_pixels_and_centres_the_mass():
    ink = np.zeros((300, 200))
    ink[10:110, 150:175] = 1  # a bar, 100 tall and 25 wide, high on the right
    image = draw.preprocess_like_mnist(ink)
    rows, cols = np.nonzero(image)
    assert rows.max() - rows.min() + 1 == 20 and cols.max() - cols.min() + 1 == 5
    centre = [float(np.average(np.arange(28), weights=image.sum(axis=1 - axis))) for axis in (0, 1)]
    assert np.allclose(centre, 14, atol=0.5)


def test_preprocessing_of_empty_dot_and_full_drawings():
    assert not draw.preprocess_like_mnist(np.zeros((50, 50))).any()
    dot = np.zeros((50, 50))
    dot[7, 40] = 0.5
    image = draw.preprocess_like_mnist(dot)
    assert image.max() == 0.5 and (image > 0).sum() == 400  # one pixel scaled up to the 20x20 box
    full = draw.preprocess_like_mnist(np.ones((30, 30)))
    assert full[5:25, 5:25].min() == 1 and full.sum() == 400  # its centre of mass, 9.5, moved to 14 (rounded up)


@pytest.mark.parametrize(
    "ink, error",
    [(np.zeros(5), ValueError), (np.full((4, 4), np.nan), ValueError), ("ink", TypeError), (None, TypeError)],
)
def test_preprocessing_refuses_bad_input(ink, error):
    with pytest.raises(error, match="ink"):
        draw.preprocess_like_mnist(ink)
