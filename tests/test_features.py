"""Tests of cnnbook.features against scikit-image, scikit-learn and Keras."""

import warnings

import numpy as np
import pytest
from skimage.feature import daisy
from sklearn.neighbors import NearestNeighbors

from cnnbook.data import load_mnist_sample
from cnnbook.features import (
    compass_kernels,
    daisy_features,
    daisy_layout,
    filter_similarity,
    gabor_kernel,
    layer_features,
    nearest_neighbours,
    orientation_maps,
    plot_daisy_layout,
)


@pytest.fixture(scope="module")
def digits():
    (x_train, _), _ = load_mnist_sample()
    return x_train[:40]


# ---- DAISY ----------------------------------------------------------------


@pytest.mark.parametrize("normalization", ["l1", "l2", "daisy", "off"])
def test_daisy_features_equal_skimage_on_digits(digits, normalization):
    ours = daisy_features(digits, normalization=normalization, chunk=7)
    theirs = np.stack(
        [
            daisy(image, step=5, radius=6, rings=2, histograms=6, orientations=8, normalization=normalization)
            for image in digits
        ]
    )
    assert ours.shape == theirs.shape == (40, 4, 4, 104)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(
    "params",
    [
        dict(step=4, radius=15, rings=3, histograms=8, orientations=8),
        dict(step=3, radius=4, rings=1, histograms=4, orientations=6),
        dict(step=7, radius=9, rings=3, histograms=5, orientations=3),
        dict(step=1, radius=2, rings=2, histograms=3, orientations=1),
    ],
)
def test_daisy_features_equal_skimage_on_other_shapes_and_parameters(params):
    images = np.random.default_rng(1).random((3, 41, 57))
    ours = daisy_features(images, **params)
    theirs = np.stack([daisy(image, **params) for image in images])
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


def test_one_image_gives_one_grid_like_skimage(digits):
    single = daisy_features(digits[3])
    assert single.shape == (4, 4, 104)
    np.testing.assert_allclose(single, daisy_features(digits[:5])[3])


def test_int64_images_follow_the_one_image_convention(digits):
    # scikit-image scales int64 by 2**63, which made every feature constant; integers are 0-255 here
    wide = digits[:5].astype(np.int64)
    np.testing.assert_allclose(daisy_features(wide), daisy_features(digits[:5]))
    assert daisy_features(wide).std() > 0.01


def test_uint8_and_float_images_give_the_same_descriptors(digits):
    np.testing.assert_allclose(daisy_features(digits[:4]), daisy_features(digits[:4] / 255.0))


def test_chunk_size_does_not_change_the_result(digits):
    np.testing.assert_array_equal(daisy_features(digits, chunk=1), daisy_features(digits, chunk=1000))


def test_l1_descriptors_sum_to_one(digits):
    sums = daisy_features(digits[:5]).sum(axis=-1)
    np.testing.assert_allclose(sums, 1.0)


@pytest.mark.parametrize(
    "shape, params",
    [
        ((28, 28), dict(step=5, radius=6, rings=2, histograms=6, orientations=8)),
        ((28, 28), dict(step=4, radius=6, rings=2, histograms=6, orientations=8)),
        ((30, 45), dict(step=3, radius=5, rings=1, histograms=8, orientations=4)),
        ((100, 64), dict(step=9, radius=15, rings=3, histograms=8, orientations=8)),
    ],
)
def test_layout_matches_the_descriptor_grid(shape, params):
    layout = daisy_layout(shape, **params)
    features = daisy_features(np.random.default_rng(2).random(shape), **params)
    assert features.shape == (len(layout.rows), len(layout.cols), layout.descriptor_length)
    assert features.size == layout.feature_length
    assert layout.descriptor_length == (params["rings"] * params["histograms"] + 1) * params["orientations"]


def test_layout_of_the_chapter_parameters_is_centred_on_the_digit():
    layout = daisy_layout((28, 28), step=5, radius=6, rings=2, histograms=6, orientations=8)
    assert layout.rows.tolist() == layout.cols.tolist() == [6, 11, 16, 21]
    assert layout.rows.mean() == pytest.approx((28 - 1) / 2)
    assert layout.ring_radii == (3.0, 6.0)
    assert layout.sigmas == (1.5, 1.5, 3.0)
    assert layout.offsets[1][0] == (0, 6) and layout.offsets[1][3] == (0, -6)
    assert (layout.descriptor_length, layout.feature_length) == (104, 1664)


def test_orientation_maps_follow_the_soft_vote_formula(digits):
    image = digits[0] / 255.0
    maps = orientation_maps(image, orientations=8)
    dx = np.zeros_like(image)
    dy = np.zeros_like(image)
    dx[:, :-1] = np.diff(image, axis=1)
    dy[:-1, :] = np.diff(image, axis=0)
    angles = 2 * np.pi * np.arange(8) / 8 - np.pi
    expected = np.exp(8 / np.pi * np.cos(np.arctan2(dy, dx) - angles[:, None, None])) * np.hypot(dx, dy)
    np.testing.assert_allclose(maps, expected, rtol=1e-10, atol=1e-14)
    assert orientation_maps(digits[:3]).shape == (3, 8, 28, 28)


def test_flat_images_have_no_orientation_energy():
    assert not orientation_maps(np.full((2, 9, 9), 0.5)).any()


def test_plot_daisy_layout_draws_every_histogram_circle(digits):
    import matplotlib.pyplot as plt

    fig = plot_daisy_layout(digits[0], centre=(1, 2))
    circles = [patch for patch in fig.axes[0].patches]
    assert len(circles) == 1 + 2 * 6
    assert circles[0].center == (16, 11) and circles[0].radius == 1.5
    assert fig.axes[0].get_title()
    plt.close(fig)
    with pytest.raises(ValueError, match="centre must be a grid position"):
        plot_daisy_layout(digits[0], centre=(4, 0))


# ---- hand-made filters ----------------------------------------------------


def test_compass_starts_with_sobel_and_turns_45_degrees():
    names, kernels = compass_kernels()
    assert names == ["0°", "45°", "90°", "135°", "180°", "225°", "270°", "315°"]
    np.testing.assert_array_equal(kernels[0], [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    np.testing.assert_array_equal(kernels[2], [[1, 2, 1], [0, 0, 0], [-1, -2, -1]])
    np.testing.assert_array_equal(kernels[4], -kernels[0])
    np.testing.assert_array_equal(kernels[7], kernels[1][::-1])  # 315° is 45° mirrored up-down
    for index in range(8):  # two steps of 45° are one quarter turn counter-clockwise
        np.testing.assert_array_equal(kernels[(index + 2) % 8], np.rot90(kernels[index]))
    assert np.all(kernels.sum(axis=(1, 2)) == 0)


def test_compass_kernel_responds_most_to_its_own_direction():
    _, kernels = compass_kernels()
    rows, cols = np.mgrid[0:3, 0:3]
    for index, kernel in enumerate(kernels):
        angle = np.deg2rad(45 * index)
        # brightness grows along `angle` as seen on screen (rows grow downwards)
        ramp = cols * np.cos(angle) - rows * np.sin(angle)
        responses = (kernels * ramp).sum(axis=(1, 2))
        assert responses.argmax() == index


def test_gabor_kernel_is_zero_mean_and_turns_with_theta():
    kernel = gabor_kernel(size=9, theta=0.0, wavelength=5.0, sigma=2.0)
    assert kernel.shape == (9, 9)
    assert abs(kernel.sum()) < 1e-12
    np.testing.assert_allclose(kernel, kernel[::-1, :])  # vertical stripes: symmetric up-down
    np.testing.assert_allclose(gabor_kernel(9, np.pi / 2, 5.0, 2.0), kernel.T, atol=1e-12)
    odd = gabor_kernel(size=9, theta=0.0, wavelength=5.0, sigma=2.0, phase=np.pi / 2)
    np.testing.assert_allclose(odd, -odd[:, ::-1], atol=1e-12)  # odd phase: an edge detector


def test_filter_similarity_reads_keras_kernels_and_is_scale_free():
    _, kernels = compass_kernels()
    keras_layout = np.moveaxis(kernels[[0, 2]] * np.array([3.0, 0.5])[:, None, None], 0, -1)[:, :, None, :]
    similarity = filter_similarity(keras_layout, kernels)
    assert similarity.shape == (2, 8)
    np.testing.assert_allclose(similarity[0, 0], 1.0)
    np.testing.assert_allclose(similarity[1, 2], 1.0)
    np.testing.assert_allclose(similarity[0, 4], -1.0)
    np.testing.assert_allclose(similarity[0, 2], 0.0, atol=1e-12)


# ---- nearest neighbours ---------------------------------------------------


@pytest.mark.parametrize("k, chunk", [(1, 500), (5, 7), (30, 3)])
def test_nearest_neighbours_match_scikit_learn(k, chunk):
    rng = np.random.default_rng(3)
    reference, queries = rng.random((30, 12)), rng.random((17, 12))
    indices, distances = nearest_neighbours(reference, queries, k=k, chunk=chunk)
    expected_distances, expected_indices = NearestNeighbors(n_neighbors=k).fit(reference).kneighbors(queries)
    np.testing.assert_array_equal(indices, expected_indices)
    np.testing.assert_allclose(distances, expected_distances, atol=1e-10)
    assert np.all(np.diff(distances, axis=1) >= 0)


def test_nearest_neighbour_of_a_stored_row_is_itself_at_distance_zero():
    reference = np.random.default_rng(4).random((20, 5))
    indices, distances = nearest_neighbours(reference, reference, k=1)
    np.testing.assert_array_equal(indices[:, 0], np.arange(20))
    np.testing.assert_allclose(distances[:, 0], 0.0, atol=1e-7)


def test_equal_distances_are_ordered_by_index():
    reference = np.array([[1.0], [-1.0], [1.0], [-1.0]])
    indices, _ = nearest_neighbours(reference, np.zeros((1, 1)), k=4)
    assert indices.tolist() == [[0, 1, 2, 3]]


# ---- learned features -----------------------------------------------------


def test_layer_features_are_the_layer_outputs(digits):
    import keras

    from cnnbook.data import to_model_input
    from cnnbook.env import seed_everything
    from cnnbook.models import small_cnn

    seed_everything(0)
    model = small_cnn(filters=(2,), dense=5)
    x = to_model_input(digits[:6])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # chapter 2 stores its outputs: no Keras warning may reach them
        features = layer_features(model, x, "dense", batch_size=4)  # two batches, the second partial
    assert features.shape == (6, 5)
    expected = keras.Model(model.inputs, model.get_layer("dense").output).predict(x, verbose=0)
    np.testing.assert_allclose(features, expected, rtol=1e-5, atol=1e-6)
    assert layer_features(model, x, "p1").shape == (6, 14 * 14 * 2)
    with pytest.raises(ValueError, match="layer must be one of"):
        layer_features(model, x, "conv9")
