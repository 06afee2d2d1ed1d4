"""cnnbook.augment: the lecture's pipeline, its numpy twins (checked against Keras), shift_rotate."""

import numpy as np
import pytest

from cnnbook import augment


@pytest.fixture(scope="module")
def images():
    """A digit, a small colour photo and a random non-square image (values in [0, 1])."""
    from cnnbook.data import load_mnist_sample, load_photo

    _, (x_test, _) = load_mnist_sample()
    rng = np.random.default_rng(0)
    return [
        x_test[0].astype(np.float32) / 255,
        load_photo("chelsea")[:120:4, :150:4],
        rng.random((9, 13)).astype(np.float32),
    ]


def _keras_batch(image):
    return image[None] if image.ndim == 3 else image[None, ..., None]


def _unbatch(result, image):
    result = np.asarray(result)[0]
    return result if image.ndim == 3 else result[..., 0]


def test_lecture_pipeline_is_the_lectures_layer_list():
    pipeline = augment.lecture_augmentation()
    names = [layer.__class__.__name__ for layer in pipeline.layers]
    assert names == ["RandomFlip", "RandomRotation", "RandomTranslation", "RandomBrightness", "RandomContrast"]
    flip, rotation, translation, brightness, contrast = pipeline.layers
    assert flip.mode == "horizontal"
    assert tuple(rotation.factor) == (-0.05, 0.05)
    assert (translation.height_factor, translation.width_factor) == (0.1, 0.1)
    assert tuple(brightness.factor) == (-0.1, 0.1) and tuple(brightness.value_range) == (0.0, 1.0)
    assert contrast.factor[1] == 0.1


def test_zero_factors_and_no_flip_leave_layers_out():
    pipeline = augment.lecture_augmentation(flip=None, brightness=0, contrast=0)
    assert [layer.__class__.__name__ for layer in pipeline.layers] == ["RandomRotation", "RandomTranslation"]


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"flip": "vertical"}, ValueError),
        ({"rotation": 1.5}, ValueError),
        ({"contrast": -0.1}, ValueError),
        ({"brightness": "0.1"}, TypeError),
        ({"seed": -1}, ValueError),
    ],
)
def test_lecture_pipeline_rejects_bad_arguments(kwargs, error):
    with pytest.raises(error, match=next(iter(kwargs))):
        augment.lecture_augmentation(**kwargs)


def test_pipeline_is_identity_at_inference_and_random_in_training(images):
    x = np.stack([images[0]] * 4)[..., None]
    pipeline = augment.lecture_augmentation(seed=1)
    np.testing.assert_array_equal(np.asarray(pipeline(x, training=False)), x)
    np.testing.assert_array_equal(pipeline.predict(x, verbose=0), x)
    trained = np.asarray(pipeline(x, training=True))
    assert trained.shape == x.shape and np.abs(trained - x).max() > 0.1


def test_augmentation_ranges_of_the_lecture_factors():
    ranges = augment.augmentation_ranges((28, 28, 1))
    assert ranges == {
        "max_degrees": 18.0,
        "max_shift_rows": 2.8,
        "max_shift_cols": 2.8,
        "max_brightness_offset": 0.1,
        "contrast_factors": augment.contrast_factor_range(0.1),
    }
    assert augment.augmentation_ranges((100, 50), height_factor=0.2, width_factor=0.3)["max_shift_cols"] == 15.0
    with pytest.raises(ValueError, match="image_shape"):
        augment.augmentation_ranges((28,))


def test_keras_layers_draw_within_the_stated_ranges():
    """Draws of the real layers on a batch of 2,000 images stay inside, and fill, the ranges."""
    batch = np.zeros((2000, 28, 28, 1), np.float32)
    ranges = augment.augmentation_ranges((28, 28))
    flip, rotation, translation, brightness, contrast = augment.lecture_augmentation(seed=3).layers
    angles = np.asarray(rotation.get_random_transformation(batch, training=True)["angle"])
    assert np.abs(angles).max() <= ranges["max_degrees"] and np.abs(angles).max() > 0.95 * ranges["max_degrees"]
    shifts = np.asarray(translation.get_random_transformation(batch, training=True)["translations"])
    assert np.abs(shifts).max() <= ranges["max_shift_rows"] and np.abs(shifts).max() > 0.95 * ranges["max_shift_rows"]
    deltas = np.asarray(brightness.get_random_transformation(batch, training=True)["rgb_delta"])
    assert np.abs(deltas).max() <= 0.1 + 1e-7 and np.abs(deltas).max() > 0.095
    factors = np.asarray(contrast.get_random_transformation(batch, training=True)["contrast_factor"])
    low, high = ranges["contrast_factors"]
    assert low - 1e-6 <= factors.min() < low + 0.005 and high - 0.005 < factors.max() <= high + 1e-6
    flips = np.asarray(flip.get_random_transformation(batch, training=True)["flips"])
    assert 0.45 < flips.mean() < 0.55


def test_draws_scale_to_the_same_ranges():
    draws = augment.draw_augmentations(5000, seed=1)
    for key in ("rotation", "shift_rows", "shift_cols", "brightness", "contrast"):
        assert draws[key].min() >= -1 and draws[key].max() <= 1 and draws[key].std() > 0.5
    assert 0.45 < draws["flip"].mean() < 0.55
    again = augment.draw_augmentations(5000, seed=1)
    np.testing.assert_array_equal(draws["rotation"], again["rotation"])
    with pytest.raises(ValueError, match="count"):
        augment.draw_augmentations(0)


@pytest.mark.parametrize("degrees", [7.0, -13.0, 18.0, 90.0, 200.0])
def test_rotate_matches_keras_random_rotation(images, degrees):
    import keras

    for image in images:
        layer = keras.layers.RandomRotation(0.05)
        batch = _keras_batch(image)
        transformation = layer.get_random_transformation(batch, training=True)
        transformation["rotation_matrix"] = layer._compute_affine_matrix(
            0.5,
            0.5,
            keras.ops.convert_to_tensor([degrees]),
            keras.ops.zeros([1]),
            keras.ops.zeros([1]),
            keras.ops.ones([1]),
            keras.ops.zeros([1]),
            keras.ops.zeros([1]),
            image.shape[0],
            image.shape[1],
        )
        expected = _unbatch(layer.transform_images(keras.ops.convert_to_tensor(batch), transformation), image)
        np.testing.assert_allclose(augment._rotate(image, degrees), expected, atol=1e-5)


@pytest.mark.parametrize("shift", [(1.5, -2.25), (3, 4), (-2.8, 0.4), (12.5, -20.0)])
def test_translate_matches_keras_random_translation(images, shift):
    import keras

    for image in images:
        layer = keras.layers.RandomTranslation(0.1, 0.1)
        batch = _keras_batch(image)
        transformation = layer.get_random_transformation(batch, training=True)
        transformation["translations"] = keras.ops.convert_to_tensor([[shift[1], shift[0]]], dtype="float32")
        expected = _unbatch(layer.transform_images(keras.ops.convert_to_tensor(batch), transformation), image)
        np.testing.assert_allclose(augment._translate(image, *shift), expected, atol=1e-5)


def test_constant_fill_matches_keras(images):
    import keras

    image = images[2]
    layer = keras.layers.RandomTranslation(0.1, 0.1, fill_mode="constant")
    batch = _keras_batch(image)
    transformation = layer.get_random_transformation(batch, training=True)
    transformation["translations"] = keras.ops.convert_to_tensor([[-1.5, 2.25]], dtype="float32")
    expected = _unbatch(layer.transform_images(keras.ops.convert_to_tensor(batch), transformation), image)
    np.testing.assert_allclose(augment._translate(image, 2.25, -1.5, fill_mode="constant"), expected, atol=1e-6)


def test_flip_brightness_contrast_match_keras(images):
    import keras

    image = images[1]
    batch = keras.ops.convert_to_tensor(_keras_batch(image))
    flip = keras.layers.RandomFlip("horizontal")
    flipped = flip.transform_images(
        batch, {"flips": keras.ops.convert_to_tensor([[[[True]]]]), "input_shape": batch.shape}
    )
    np.testing.assert_array_equal(augment._flip_horizontal(image), _unbatch(flipped, image))

    brightness = keras.layers.RandomBrightness(0.1, value_range=(0.0, 1.0))
    brighter = brightness.transform_images(batch, {"rgb_delta": keras.ops.convert_to_tensor([[[[0.07]]]])})
    np.testing.assert_allclose(augment._adjust_brightness(image, 0.07), _unbatch(brighter, image), atol=1e-6)

    for value_range in ((0.0, 1.0), augment._KERAS_CONTRAST_DEFAULT_RANGE):
        contrast = keras.layers.RandomContrast(0.1, value_range=value_range)
        stronger = contrast.transform_images(batch, {"contrast_factor": keras.ops.convert_to_tensor([[[[1.08]]]])})
        np.testing.assert_allclose(
            augment._adjust_contrast(image, 1.08, value_range=value_range), _unbatch(stronger, image), atol=1e-6
        )


def test_contrast_factor_range_is_what_the_layer_says():
    import keras

    lower, upper = keras.layers.RandomContrast(0.3).factor
    assert augment.contrast_factor_range(0.3) == pytest.approx((1 - lower, 1 + upper))
    assert augment.contrast_factor_range(0) == (1.0, 1.0)
    with pytest.raises(ValueError, match="contrast"):
        augment.contrast_factor_range(2)


def test_contrast_clips_to_0_1_unless_given_the_keras_default_range():
    image = np.array([[0.0, 1.0], [0.0, 1.0]], np.float32)
    assert augment._adjust_contrast(image, 1.1).max() == pytest.approx(1.0)
    assert augment._adjust_contrast(
        image, 1.1, value_range=augment._KERAS_CONTRAST_DEFAULT_RANGE
    ).max() == pytest.approx(1.05)
    with pytest.raises(ValueError, match="value_range"):
        augment._adjust_contrast(image, 1.1, value_range=(1, 0))
    with pytest.raises(TypeError, match="value_range"):
        augment._adjust_contrast(image, 1.1, value_range="0-1")


def test_lecture_pipeline_keeps_images_in_0_1():
    import keras

    keras.utils.set_random_seed(0)
    digits = np.zeros((64, 28, 28, 1), np.float32)
    digits[:, 8:20, 12:16] = 1.0  # a bright bar: raised contrast pushes it up
    fixed = np.asarray(
        augment.lecture_augmentation(
            flip=None, rotation=0, height_factor=0, width_factor=0, brightness=0, contrast=0.1, seed=0
        )(digits, training=True)
    )
    assert fixed.max() <= 1.0 and fixed.min() >= 0.0
    lecture = keras.layers.RandomContrast(0.1, seed=0)  # the lecture's code: Keras' default (0, 255)
    assert np.asarray(lecture(digits, training=True)).max() > 1.0


def test_pixels_refuse_channels_first_and_non_numbers():
    with pytest.raises(ValueError, match="channels-first"):
        augment._flip_horizontal(np.zeros((3, 28, 28)))
    with pytest.raises(TypeError, match="dtype"):
        augment._rotate(np.array([["a"]]), 10)
    with pytest.raises(TypeError, match="degrees"):
        augment._rotate(np.zeros((5, 5)), "10")


def test_augment_like_keras_with_zero_factors_is_identity(images):
    draws = augment.draw_augmentations(3, seed=0)
    for image in images:
        same = augment.augment_like_keras(
            image, draws, 1, flip=None, rotation=0, height_factor=0, width_factor=0, brightness=0, contrast=0
        )
        np.testing.assert_array_equal(same, image)


def test_augment_like_keras_applies_the_draw_in_the_lectures_order(images):
    image = images[0]
    draws = augment.draw_augmentations(4, seed=5)
    index = int(np.flatnonzero(draws["flip"])[0])
    expected = augment._flip_horizontal(image)
    expected = augment._rotate(expected, draws["rotation"][index] * 0.05 * 360)
    expected = augment._translate(expected, draws["shift_rows"][index] * 2.8, draws["shift_cols"][index] * 2.8)
    expected = augment._adjust_brightness(expected, draws["brightness"][index] * 0.1)
    low, high = augment.contrast_factor_range(0.1)
    expected = augment._adjust_contrast(expected, low + (draws["contrast"][index] + 1) / 2 * (high - low))
    np.testing.assert_allclose(augment.augment_like_keras(image, draws, index), expected, atol=1e-6)
    with pytest.raises(ValueError, match="index"):
        augment.augment_like_keras(image, draws, 4)
    with pytest.raises(TypeError, match="draws"):
        augment.augment_like_keras(image, {"flip": [True]}, 0)


def test_rotate_quarter_turn_and_bad_input():
    bar = np.zeros((5, 5), np.float32)
    bar[2, :] = 1
    np.testing.assert_allclose(augment._rotate(bar, 90), bar.T, atol=1e-6)
    with pytest.raises(ValueError, match="fill_mode"):
        augment._rotate(bar, 10, fill_mode="wrap")
    with pytest.raises(ValueError, match="image"):
        augment._rotate(np.zeros(5), 10)
    with pytest.raises(TypeError, match="degrees"):
        augment._rotate(bar, "10")


def test_shift_rotate_makes_a_repeatable_harder_copy():
    from cnnbook.data import load_mnist_sample

    _, (x_test, _) = load_mnist_sample()
    digits = x_test[:50]
    moved = augment.shift_rotate(digits, max_shift=3, max_degrees=15, seed=0)
    assert moved.shape == digits.shape and moved.dtype == np.uint8
    np.testing.assert_array_equal(moved, augment.shift_rotate(digits, max_shift=3, max_degrees=15, seed=0))
    assert not np.array_equal(moved, augment.shift_rotate(digits, max_shift=3, max_degrees=15, seed=1))
    # Most images change; ink is (roughly) conserved: nothing is stretched, little leaves the frame.
    changed = [not np.array_equal(a, b) for a, b in zip(moved, digits)]
    assert np.mean(changed) > 0.9
    ink_ratio = moved.astype(float).sum() / digits.astype(float).sum()
    assert 0.9 < ink_ratio <= 1.02
    np.testing.assert_array_equal(augment.shift_rotate(digits, max_shift=0, max_degrees=0), digits)


def test_shift_rotate_keeps_float_dtype_and_rejects_bad_input():
    floats = np.random.default_rng(0).random((3, 10, 10)).astype(np.float32)
    assert augment.shift_rotate(floats).dtype == np.float32
    with pytest.raises(ValueError, match="images"):
        augment.shift_rotate(np.zeros((10, 10)))
    with pytest.raises(ValueError, match="max_shift"):
        augment.shift_rotate(floats, max_shift=-1)
    with pytest.raises(TypeError, match="images.*dtype"):
        augment.shift_rotate(np.array([[["a"]]]))
