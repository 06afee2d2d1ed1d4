"""cnnbook.toy: the lecture's X-and-O toy convnet (chapter 3)."""

import numpy as np
import pytest

from cnnbook import toy


def naive_mean_products(image, kernel):
    """Independent reference: loop over positions, average the element-wise products."""
    kh, kw = kernel.shape
    out = np.empty((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            out[r, c] = np.mean(image[r : r + kh, c : c + kw] * kernel)
    return out


def test_x_image_is_two_diagonals_inside_a_border():
    x = toy.toy_image("X")
    assert x.shape == (9, 9)
    assert set(np.unique(x)) == {-1.0, 1.0}
    diagonal = np.arange(1, 8)
    assert np.all(x[diagonal, diagonal] == 1) and np.all(x[diagonal, 8 - diagonal] == 1)
    assert (x == 1).sum() == 13  # 7 + 7 pixels, the centre counted once
    assert np.all(x[0] == -1) and np.all(x[-1] == -1) and np.all(x[:, 0] == -1) and np.all(x[:, -1] == -1)


def test_o_image_is_a_symmetric_ring():
    o = toy.toy_image("O")
    np.testing.assert_array_equal(o, o.T)
    np.testing.assert_array_equal(o, o[::-1])
    assert o[4, 4] == -1 and o[4, 1] == 1 and o[1, 4] == 1


def test_images_are_fresh_copies():
    first = toy.toy_image("X")
    first[:] = 0
    assert np.all(np.abs(toy.toy_image("X")) == 1)


@pytest.mark.parametrize("shift", [(0, 1), (1, 0), (-1, -1), (1, -1)])
def test_shift_moves_the_drawing(shift):
    x = toy.toy_image("X")
    shifted = toy.toy_image("X", shift=shift)
    np.testing.assert_array_equal(shifted, np.roll(x, shift, axis=(0, 1)))
    assert (shifted == 1).sum() == (x == 1).sum()


def test_filters_layout_and_symmetry():
    filters = toy.toy_filters()
    assert filters.shape == (3, 3, 1, 3)
    first, cross, second = (filters[:, :, 0, i] for i in range(3))
    np.testing.assert_array_equal(first, 2 * np.eye(3) - 1)
    np.testing.assert_array_equal(second, first[:, ::-1])
    np.testing.assert_array_equal(cross, np.maximum(first, second))
    assert len(toy.FILTER_NAMES) == filters.shape[-1]


@pytest.mark.parametrize("name", ["X", "O"])
def test_filter_image_is_the_mean_of_products(name):
    image = toy.toy_image(name)
    maps = toy.filter_image(image)
    assert maps.shape == (7, 7, 3)
    for i in range(3):
        np.testing.assert_allclose(maps[:, :, i], naive_mean_products(image, toy.toy_filters()[:, :, 0, i]))
    # Every value is (matches - mismatches) / 9 with 9 products of +-1.
    np.testing.assert_allclose(maps * 9, np.round(maps * 9))
    assert np.all(np.abs(maps) <= 1)


def test_filtered_x_matches_the_slides_structure():
    maps = toy.filter_image(toy.toy_image("X"))
    first, cross, second = (maps[:, :, i] for i in range(3))
    # The top-left window has 7 matching pixels of 9; along the X's arm the
    # diagonal filter matches perfectly, except at the centre, where the arms cross.
    assert maps[0, 0, 0] == pytest.approx(7 / 9)
    np.testing.assert_allclose(np.diag(first)[[1, 2, 4, 5]], 1.0)
    assert first[3, 3] == pytest.approx(5 / 9)
    assert cross[3, 3] == pytest.approx(1.0)
    # The X is left-right symmetric and the two diagonal filters mirror each other.
    np.testing.assert_allclose(second, first[:, ::-1])


def test_filter_image_accepts_one_2d_filter():
    image = toy.toy_image("X")
    one = toy.filter_image(image, toy.toy_filters()[:, :, 0, 1])
    np.testing.assert_allclose(one[:, :, 0], toy.filter_image(image)[:, :, 1])


def test_relu():
    np.testing.assert_array_equal(toy.relu([-1, 0, 2]), [0.0, 0.0, 2.0])


def test_max_pool_same_keeps_partial_windows():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(7, 5, 2))
    pooled = toy.max_pool_same(x)
    assert pooled.shape == (4, 3, 2)
    for r in range(4):
        for c in range(3):
            np.testing.assert_allclose(pooled[r, c], x[2 * r : 2 * r + 2, 2 * c : 2 * c + 2].max(axis=(0, 1)))


def test_max_pool_same_equals_keras_same_pooling():
    import keras

    rng = np.random.default_rng(1)
    x = rng.normal(size=(7, 7, 3)).astype("float32")
    expected = keras.layers.MaxPooling2D(2, padding="same")(x[np.newaxis]).numpy()[0]
    np.testing.assert_allclose(toy.max_pool_same(x), expected, rtol=1e-6)


def test_toy_network_equals_keras_layers():
    import keras

    image = toy.toy_image("X")[np.newaxis, :, :, np.newaxis].astype("float32")
    conv = keras.layers.Conv2D(3, 3, use_bias=False)
    conv.build(image.shape)
    conv.set_weights([(toy.toy_filters() / 9).astype("float32")])
    rectified = keras.layers.ReLU()(conv(image))
    pooled = keras.layers.MaxPooling2D(2, padding="same")(rectified)
    features = keras.layers.Flatten()(pooled).numpy()[0]
    stages = toy.toy_forward(toy.toy_image("X"))
    np.testing.assert_allclose(conv(image).numpy()[0], stages["filtered"], atol=1e-6)
    np.testing.assert_allclose(features, stages["features"], atol=1e-6)


def test_forward_stages():
    stages = toy.toy_forward(toy.toy_image("O"))
    assert stages["filtered"].shape == stages["relu"].shape == (7, 7, 3)
    assert stages["pooled"].shape == (4, 4, 3)
    assert np.all(stages["relu"] >= 0)
    np.testing.assert_array_equal(stages["features"][:3], stages["pooled"][0, 0])


def test_vote_picks_the_right_class_even_when_shifted():
    weights = toy.vote_weights()
    assert weights.shape == (48, 2)
    np.testing.assert_allclose(weights.sum(axis=0), 1.0)
    for name, shift in [("X", (0, 0)), ("O", (0, 0)), ("X", (0, 1)), ("O", (1, 0))]:
        votes = toy.vote(toy.toy_forward(toy.toy_image(name, shift=shift))["features"], weights)
        assert toy.CLASSES[int(np.argmax(votes))] == name, (name, shift, votes)


def test_softmax():
    probabilities = toy.softmax(np.array([1000.0, 1001.0]))
    assert probabilities.sum() == pytest.approx(1.0)
    assert probabilities[1] == pytest.approx(np.e / (1 + np.e))


def test_compare_with_slide_classifies_entries():
    computed = np.array([[7 / 9, 5 / 9, 1 / 9], [1.0, -1 / 3, 0.0]])
    slide = np.array([[0.77, 0.56, -0.11], [1.00, np.nan, 0.0]])
    result = toy.compare_with_slide(computed, slide)
    assert result["same"] == 3  # 0.56, 1.00, 0.00
    assert result["truncated"] == [(0, 0, 0.7778, 0.77)]
    assert result["different"] == [(0, 2, 0.1111, -0.11)]
    assert result["unreadable"] == 1


def test_format_table():
    assert toy.format_table([[7 / 9, -1 / 9], [1.0, np.nan]]) == " 0.78 -0.11\n 1.00     ?"
    assert toy.format_table([[-1, 1]], decimals=0) == "-1  1"
