"""Tests of cnnbook.interpret: activations, saliency, Grad-CAM, maximal inputs, FGSM."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from cnnbook import interpret, models
from cnnbook.data import load_mnist_sample, to_model_input
from cnnbook.env import seed_everything


@pytest.fixture(scope="module")
def digits():
    (x_train, y_train), (x_test, y_test) = load_mnist_sample()
    return to_model_input(x_train[:600]), y_train[:600], to_model_input(x_test[:60]), y_test[:60]


@pytest.fixture(scope="module")
def model(digits):
    """A small CNN trained briefly: confident enough for saliency and FGSM to mean something."""
    x_train, y_train, _, _ = digits
    seed_everything(0)
    cnn = models.small_cnn(filters=(4, 8), dense=16)
    models.fit(cnn, x_train, y_train, epochs=3, batch_size=32)
    return cnn


def linear_model(weights, bias):
    """Flatten -> Dense(softmax) on 4 x 4 x 1 images, with given weights (16, classes)."""
    model = keras.Sequential(
        [
            keras.Input(shape=(4, 4, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(weights.shape[1], activation="softmax"),
        ]
    )
    model.layers[-1].set_weights([weights, bias])
    return model


def linear_chain():
    """Conv 3 x 3 -> average pool 2 -> conv 3 x 3 ("c2"), all-ones kernels, on 24 x 24 x 1 images."""
    return keras.Sequential(
        [
            keras.Input(shape=(24, 24, 1)),
            keras.layers.Conv2D(1, 3, name="c1", kernel_initializer="ones"),
            keras.layers.AveragePooling2D(2, name="a1"),
            keras.layers.Conv2D(1, 3, name="c2", kernel_initializer="ones"),
            keras.layers.Flatten(),
            keras.layers.Dense(2),
        ]
    )


def cross_entropy(model, x, y):
    probabilities = np.asarray(model(x, training=False), dtype=np.float64)
    return -np.log(np.maximum(probabilities[np.arange(len(y)), y], 1e-30))


# -- receptive fields ---------------------------------------------------------


def test_receptive_fields_of_the_lecture_cnn():
    assert interpret.receptive_fields(models.lecture_cnn()) == {
        "conv1": (5, 1),
        "p1": (6, 2),
        "conv2": (14, 2),
        "p2": (16, 4),
    }


def test_receptive_fields_with_stride_and_dilation():
    model = keras.Sequential(
        [
            keras.Input(shape=(32, 32, 1)),
            keras.layers.Conv2D(1, 3, strides=2, name="a"),
            keras.layers.Conv2D(1, 3, dilation_rate=2, name="b"),
            keras.layers.Flatten(),
            keras.layers.Dense(2),
        ]
    )
    assert interpret.receptive_fields(model) == {"a": (3, 2), "b": (11, 2)}


def test_receptive_field_matches_the_support_of_a_gradient():
    """One output position of a linear conv/average-pool chain depends on exactly field x field pixels."""
    model = linear_chain()
    field, _ = interpret.receptive_fields(model)["c2"]
    probe = keras.Model(model.inputs[0], model.get_layer("c2").output)
    image = tf.ones((1, 24, 24, 1))
    with tf.GradientTape() as tape:
        tape.watch(image)
        position = probe(image)[0, 4, 4, 0]
    support = np.argwhere(np.asarray(tape.gradient(position, image))[0, :, :, 0] != 0)
    assert tuple(support.max(axis=0) - support.min(axis=0) + 1) == (field, field) == (8, 8)


# -- layer outputs and logits --------------------------------------------------


def test_layer_outputs_shapes_and_values(model, digits):
    _, _, x_test, _ = digits
    outputs = interpret.layer_outputs(model, x_test[:3], ["conv1", "p2", "output"])
    assert list(outputs) == ["conv1", "p2", "output"]
    assert outputs["conv1"].shape == (3, 28, 28, 4) and outputs["p2"].shape == (3, 7, 7, 8)
    np.testing.assert_allclose(outputs["output"], model.predict(x_test[:3], verbose=0), atol=1e-6)
    assert list(interpret.layer_outputs(model, x_test[0])) == [layer.name for layer in model.layers]


def test_layer_outputs_rejects_bad_arguments(model, digits):
    _, _, x_test, _ = digits
    with pytest.raises(ValueError, match="layer_name must be one of"):
        interpret.layer_outputs(model, x_test[:1], ["conv9"])
    with pytest.raises(TypeError, match="not one str"):
        interpret.layer_outputs(model, x_test[:1], "conv1")
    with pytest.raises(ValueError, match=r"images must have shape \(N, 28, 28, 1\)"):
        interpret.layer_outputs(model, np.zeros((2, 28, 28)))
    with pytest.raises(TypeError, match="images must hold real numbers"):
        interpret.layer_outputs(model, np.array([["a"]]))
    with pytest.raises(ValueError, match="images is a float image with values up to 255"):
        interpret.layer_outputs(model, x_test[:1] * 255)


def test_logits_are_the_scores_before_the_softmax(model, digits):
    _, _, x_test, _ = digits
    scores = interpret.logits(model, x_test[:5])
    np.testing.assert_allclose(np.asarray(keras.ops.softmax(scores)), model.predict(x_test[:5], verbose=0), atol=1e-5)


def test_a_functional_model_gives_what_its_sequential_twin_gives(model, digits):
    _, _, x_test, y_test = digits
    inputs = keras.Input(shape=(28, 28, 1))
    hidden = inputs
    for layer in model.layers:
        twin = layer.__class__.from_config(layer.get_config())
        hidden = twin(hidden)
        twin.set_weights(layer.get_weights())
    functional = keras.Model(inputs, hidden)
    assert not isinstance(functional, keras.Sequential)
    np.testing.assert_allclose(
        interpret.logits(functional, x_test[:3]), interpret.logits(model, x_test[:3]), rtol=1e-5, atol=1e-5
    )
    np.testing.assert_allclose(
        interpret.grad_cam(functional, x_test[:3], "conv2"), interpret.grad_cam(model, x_test[:3], "conv2"), atol=1e-5
    )
    np.testing.assert_array_equal(
        interpret._loss_gradient_sign(functional, x_test[:3], y_test[:3]),
        interpret._loss_gradient_sign(model, x_test[:3], y_test[:3]),
    )


def test_models_that_interpret_cannot_use_are_refused(digits):
    _, _, x_test, _ = digits
    with pytest.raises(TypeError, match="model must be a keras.Model"):
        interpret.saliency_map(lambda x: x, x_test[:1])
    no_dense = keras.Sequential([keras.Input(shape=(28, 28, 1)), keras.layers.Flatten(), keras.layers.Softmax()])
    with pytest.raises(ValueError, match="must end in a Dense layer"):
        interpret.logits(no_dense, x_test[:1])


# -- saliency ---------------------------------------------------------------------


def test_saliency_of_a_linear_model_is_the_absolute_weight_column():
    rng = np.random.default_rng(0)
    weights, bias = rng.normal(size=(16, 3)).astype("float32"), np.zeros(3, "float32")
    model = linear_model(weights, bias)
    images = rng.random((2, 4, 4, 1)).astype("float32")
    saliency = interpret.saliency_map(model, images, class_index=[2, 0])
    np.testing.assert_allclose(saliency[0], np.abs(weights[:, 2]).reshape(4, 4), rtol=1e-6)
    np.testing.assert_allclose(saliency[1], np.abs(weights[:, 0]).reshape(4, 4), rtol=1e-6)


def test_saliency_shape_sign_and_default_class(model, digits):
    _, _, x_test, _ = digits
    saliency = interpret.saliency_map(model, x_test[:4])
    assert saliency.shape == (4, 28, 28) and saliency.dtype == np.float32
    assert np.all(saliency >= 0) and np.all(saliency.reshape(4, -1).max(axis=1) > 0)
    predicted = np.argmax(model.predict(x_test[:4], verbose=0), axis=1)
    np.testing.assert_allclose(saliency, interpret.saliency_map(model, x_test[:4], class_index=predicted))


def test_saliency_agrees_with_finite_differences_of_the_logit(digits):
    """On a smooth CNN (tanh, average pooling) central differences approximate the gradient closely."""
    _, _, x_test, _ = digits
    seed_everything(2)
    smooth = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            keras.layers.Conv2D(4, 3, activation="tanh"),
            keras.layers.AveragePooling2D(2),
            keras.layers.Flatten(),
            keras.layers.Dense(5, activation="softmax"),
        ]
    )
    image = 0.05 + 0.9 * x_test[:1]  # room for +-step inside [0, 1]
    saliency = interpret.saliency_map(smooth, image, class_index=3)[0]
    step = 1e-2
    for pixel in np.argsort(saliency.ravel())[-5:]:  # the five most salient pixels
        row, col = divmod(int(pixel), 28)
        plus, minus = image.copy(), image.copy()
        plus[0, row, col, 0] += step
        minus[0, row, col, 0] -= step
        slope = (interpret.logits(smooth, plus)[0, 3] - interpret.logits(smooth, minus)[0, 3]) / (2 * step)
        assert abs(abs(slope) - saliency[row, col]) <= 0.02 * saliency[row, col] + 1e-4


def test_saliency_rejects_bad_class_index(model, digits):
    _, _, x_test, _ = digits
    with pytest.raises(ValueError, match=r"class_index must be in 0..9"):
        interpret.saliency_map(model, x_test[:2], class_index=10)
    with pytest.raises(ValueError, match="one per image"):
        interpret.saliency_map(model, x_test[:2], class_index=[1, 2, 3])


# -- Grad-CAM -------------------------------------------------------------------


def test_grad_cam_matches_the_formula_on_a_tiny_model():
    """Conv -> Flatten -> Dense: the class score is linear in the maps, so alpha_k is a mean of weights."""
    seed_everything(1)
    model = keras.Sequential(
        [
            keras.Input(shape=(6, 6, 1)),
            keras.layers.Conv2D(3, 3, activation="relu", name="maps"),
            keras.layers.Flatten(),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    images = np.random.default_rng(1).random((2, 6, 6, 1)).astype("float32")
    maps = interpret.layer_outputs(model, images, ["maps"])["maps"]  # (2, 4, 4, 3)
    weights = model.layers[-1].get_weights()[0].reshape(4, 4, 3, 2)
    alpha = weights[..., 1].mean(axis=(0, 1))  # (3,)
    expected = np.maximum((maps * alpha).sum(axis=-1), 0)
    expected /= expected.reshape(2, -1).max(axis=1).reshape(2, 1, 1)
    cam = interpret.grad_cam(model, images, "maps", class_index=1, upsample=False)
    np.testing.assert_allclose(cam, expected, rtol=1e-4, atol=1e-6)


def test_grad_cam_shape_range_and_upsampling(model, digits):
    _, _, x_test, _ = digits
    cam = interpret.grad_cam(model, x_test[:3], "conv2")
    assert cam.shape == (3, 28, 28) and cam.min() >= 0 and cam.max() <= 1 + 1e-6
    assert interpret.grad_cam(model, x_test[:3], "p2", upsample=False).shape == (3, 7, 7)


def test_grad_cam_rejects_layers_without_maps(model, digits):
    _, _, x_test, _ = digits
    with pytest.raises(ValueError, match="rows, cols, channels"):
        interpret.grad_cam(model, x_test[:1], "dense")
    with pytest.raises(ValueError, match="layer_name must be one of"):
        interpret.grad_cam(model, x_test[:1], "nope")


# -- what excites a unit ----------------------------------------------------------------


def test_top_activating_sorts_by_the_mean_activation(model, digits):
    _, _, x_test, _ = digits
    indices, scores = interpret.top_activating(model, x_test, "conv2", [0, 3], count=5, batch_size=7)
    means = interpret.layer_outputs(model, x_test, ["conv2"])["conv2"].mean(axis=(1, 2))
    for row, unit in enumerate([0, 3]):
        np.testing.assert_array_equal(indices[row], np.argsort(-means[:, unit], kind="stable")[:5])
        np.testing.assert_allclose(scores[row], means[indices[row], unit], rtol=1e-5, atol=1e-7)
    assert np.all(np.diff(scores, axis=1) <= 0)
    assert interpret.top_activating(model, x_test[:3], "dense", 0, count=10)[0].shape == (1, 3)


def test_top_activating_uses_logits_for_the_last_layer(model, digits):
    _, _, x_test, _ = digits
    indices, scores = interpret.top_activating(model, x_test, "output", [7], count=3)
    np.testing.assert_allclose(scores[0], np.sort(interpret.logits(model, x_test)[:, 7])[::-1][:3], rtol=1e-5)


def test_units_are_validated(model, digits):
    _, _, x_test, _ = digits
    with pytest.raises(ValueError, match=r"units \(the channels of 'conv2'\) must be an int from 0 to 7; got 8"):
        interpret.top_activating(model, x_test, "conv2", [8])
    with pytest.raises(ValueError, match="units must be ints"):
        interpret.maximize_activation(model, "conv2", [])
    with pytest.raises(ValueError, match="count must be an int >= 1"):
        interpret.top_activating(model, x_test, "conv2", 0, count=0)


def test_gradient_ascent_raises_the_activation_and_stays_in_range(model):
    start_images, start = interpret.maximize_activation(model, "conv2", [1, 2], steps=1)
    images, values = interpret.maximize_activation(model, "conv2", [1, 2], steps=40)
    assert images.shape == (2, 28, 28, 1) and images.min() >= 0 and images.max() <= 1
    assert np.all(values > start)
    scores = interpret.logits(model, interpret.maximize_activation(model, "output", [3, 8], steps=40)[0])
    assert scores[0].argmax() == 3 and scores[1].argmax() == 8


def test_gradient_ascent_rejects_bad_settings(model):
    with pytest.raises(ValueError, match="decay must be below 1"):
        interpret.maximize_activation(model, "conv1", [0], decay=1.0)
    with pytest.raises(ValueError, match="steps must be an int >= 1"):
        interpret.maximize_activation(model, "conv1", [0], steps=0)
    with pytest.raises(ValueError, match="step_size must be a finite number"):
        interpret.maximize_activation(model, "conv1", [0], step_size=float("nan"))


def test_top_activating_patches_come_from_the_strongest_positions():
    """One conv channel that copies the pixel: its strongest patch is centred on the brightest pixel."""
    model = keras.Sequential(
        [
            keras.Input(shape=(12, 12, 1)),
            keras.layers.Conv2D(1, 3, padding="same", use_bias=False, name="maps"),
            keras.layers.Flatten(name="flat"),
            keras.layers.Dense(2),
        ]
    )
    kernel = np.zeros((3, 3, 1, 1), np.float32)
    kernel[1, 1] = 1
    model.get_layer("maps").set_weights([kernel])
    images = np.zeros((3, 12, 12, 1), np.float32)
    images[0, 4, 7] = 0.5
    images[1, 9, 2] = 0.9
    images[2, 0, 0] = 0.2
    patches, sources, scores = interpret.top_activating_patches(model, images, "maps", [0], count=2)
    assert patches.shape == (1, 2, 3, 3, 1)
    np.testing.assert_array_equal(sources, [[1, 0]])
    np.testing.assert_allclose(scores, [[0.9, 0.5]])
    assert patches[0, 0, 1, 1, 0] == np.float32(0.9) and patches[0, 1, 1, 1, 0] == np.float32(0.5)
    corner, _, score = interpret.top_activating_patches(model, images[2:], "maps", 0, count=1, inside=False)
    assert corner[0, 0, 1, 1, 0] == np.float32(0.2) and corner[0, 0, 0].sum() == 0  # outside the image: black
    _, _, score = interpret.top_activating_patches(model, images[2:], "maps", 0, count=1)
    assert score[0, 0] == 0  # inside=True: the corner position does not compete
    with pytest.raises(ValueError, match="rows, cols, channels"):
        interpret.top_activating_patches(model, images, "flat", 0)
    # Two positions 5 pixels apart, centred at 2 and 7 of a 10-pixel side: no 10-pixel field fits around either.
    wide = keras.Sequential(
        [
            keras.Input(shape=(10, 10, 1)),
            keras.layers.Conv2D(1, 11, strides=5, padding="same", name="maps"),
            keras.layers.Flatten(),
            keras.layers.Dense(2),
        ]
    )
    with pytest.raises(ValueError, match="no 10 x 10 patch of 'maps' lies inside a 10 x 10 image; use inside=False"):
        interpret.top_activating_patches(wide, np.zeros((1, 10, 10, 1)), "maps", 0)
    assert interpret.top_activating_patches(wide, np.zeros((1, 10, 10, 1)), "maps", 0, inside=False)[0].shape == (
        1,
        1,
        10,
        10,
        1,
    )


# -- occlusion, effective receptive field, randomisation ------------------------


def test_occlusion_drop_of_a_linear_model_is_the_weighted_change_under_the_square():
    rng = np.random.default_rng(0)
    weights, bias = rng.normal(size=(16, 3)).astype(np.float32), np.zeros(3, np.float32)
    model = linear_model(weights, bias)
    image = rng.uniform(size=(4, 4, 1)).astype(np.float32)
    drops = interpret.occlusion_map(model, image, 2, patch=2, fill=0.5)
    assert drops.shape == (1, 2, 2)
    change = (image[:, :, 0] - 0.5) * weights[:, 2].reshape(4, 4)
    expected = change.reshape(2, 2, 2, 2).sum(axis=(1, 3))
    np.testing.assert_allclose(drops[0], expected, rtol=1e-4, atol=1e-5)
    several = interpret.occlusion_map(model, image[None], [[2, 0]], patch=2, stride=1)
    assert several.shape == (1, 2, 3, 3)
    np.testing.assert_allclose(several[0, 0, ::2, ::2], expected, rtol=1e-4, atol=1e-5)


def test_occlusion_rejects_bad_arguments(model, digits):
    _, _, x_test, y_test = digits
    with pytest.raises(ValueError, match="patch must be an int from 1 to 28"):
        interpret.occlusion_map(model, x_test[:1], 0, patch=30)
    with pytest.raises(ValueError, match="class_index must be in 0..9"):
        interpret.occlusion_map(model, x_test[:1], 10, patch=7)
    with pytest.raises(ValueError, match="fill must be a finite number from 0 to 1"):
        interpret.occlusion_map(model, x_test[:1], 0, patch=7, fill=2.0)


def test_effective_field_lies_inside_the_theoretical_field():
    model = linear_chain()
    heat = interpret.effective_receptive_field(model, np.full((2, 24, 24, 1), 0.5, np.float32), "c2", (4, 4))
    support = np.argwhere(heat > 0)
    assert tuple(support.max(axis=0) - support.min(axis=0) + 1) == (8, 8)
    assert heat[9:11, 9:11].min() > heat[support[0][0], support[0][1]]  # the centre weighs most
    with pytest.raises(ValueError, match="position"):
        interpret.effective_receptive_field(model, np.zeros((24, 24, 1)), "c2", (9, 0))


def test_randomized_copy_changes_only_the_named_layers(model):
    copy = interpret.randomized_copy(model, ["output"], seed=1)
    for original, twin in zip(model.layers, copy.layers):
        for a, b in zip(original.get_weights(), twin.get_weights()):
            assert np.array_equal(a, b) == (original.name != "output"), original.name
    kernel, twin = model.get_layer("output").get_weights()[0], copy.get_layer("output").get_weights()[0]
    assert abs(twin.std() - kernel.std()) < 0.2 * kernel.std()
    with pytest.raises(ValueError, match="layer_name must be one of"):
        interpret.randomized_copy(model, ["nope"])
    with pytest.raises(TypeError, match="not one str"):
        interpret.randomized_copy(model, "output")


# -- FGSM and PGD -------------------------------------------------------------------


def test_gradient_sign_values(model, digits):
    _, _, x_test, y_test = digits
    signs = interpret._loss_gradient_sign(model, x_test[:4], y_test[:4])
    assert signs.shape == (4, 28, 28, 1) and set(np.unique(signs)) <= {-1.0, 0.0, 1.0}
    assert np.mean(signs != 0) > 0.5  # computed from logits: no vanishing gradient


def test_fgsm_respects_epsilon_and_clipping(model, digits):
    _, _, x_test, y_test = digits
    for epsilon in (0.0, 0.05, 0.3):
        adversarial = interpret.fgsm(model, x_test[:10], y_test[:10], epsilon)
        assert adversarial.min() >= 0 and adversarial.max() <= 1
        assert np.abs(adversarial - x_test[:10]).max() <= epsilon + 1e-6
    np.testing.assert_array_equal(interpret.fgsm(model, x_test[:3], y_test[:3], 0), x_test[:3])


def test_fgsm_raises_the_loss(model, digits):
    _, _, x_test, y_test = digits
    before = cross_entropy(model, x_test, y_test)
    after = cross_entropy(model, interpret.fgsm(model, x_test, y_test, 0.02), y_test)
    assert np.mean(after > before) > 0.9 and after.mean() > before.mean()


def test_targeted_attacks_lower_the_loss_of_the_target(model, digits):
    _, _, x_test, y_test = digits
    targets = (y_test + 1) % 10
    before = cross_entropy(model, x_test, targets)
    after = cross_entropy(model, interpret.fgsm(model, x_test, targets, 0.02, targeted=True), targets)
    assert np.mean(after < before) > 0.9
    iterated = cross_entropy(model, interpret.pgd(model, x_test, targets, 0.02, steps=5, targeted=True), targets)
    assert iterated.mean() < after.mean()


def test_pgd_stays_in_the_epsilon_ball_and_beats_one_step(model, digits):
    _, _, x_test, y_test = digits
    adversarial = interpret.pgd(model, x_test, y_test, 0.05, steps=6)
    assert adversarial.min() >= 0 and adversarial.max() <= 1
    assert np.abs(adversarial - x_test).max() <= 0.05 + 1e-6
    one_step = interpret.fgsm(model, x_test, y_test, 0.05)
    assert cross_entropy(model, adversarial, y_test).mean() > cross_entropy(model, one_step, y_test).mean()
    np.testing.assert_allclose(
        interpret.pgd(model, x_test[:3], y_test[:3], 0.05, steps=1, step_size=0.05), one_step[:3]
    )
    with pytest.raises(ValueError, match="steps must be an int >= 1"):
        interpret.pgd(model, x_test[:1], y_test[:1], 0.05, steps=0)


def test_fgsm_accuracy_matches_fgsm_and_the_clean_accuracy(model, digits):
    _, _, x_test, y_test = digits
    accuracy = interpret.fgsm_accuracy(model, x_test, y_test, [0.0, 0.1], batch_size=16)
    clean = np.mean(np.argmax(model.predict(x_test, verbose=0), axis=1) == y_test)
    attacked = np.mean(
        np.argmax(model.predict(interpret.fgsm(model, x_test, y_test, 0.1), verbose=0), axis=1) == y_test
    )
    np.testing.assert_allclose(accuracy, [clean, attacked])


@pytest.mark.parametrize(
    "epsilon, error",
    [(-0.1, ValueError), (float("nan"), ValueError), (float("inf"), ValueError), (True, TypeError), ("0.1", TypeError)],
)
def test_fgsm_rejects_bad_epsilon(model, digits, epsilon, error):
    _, _, x_test, y_test = digits
    with pytest.raises(error, match="epsilon must be a finite number >= 0"):
        interpret.fgsm(model, x_test[:1], y_test[:1], epsilon)


def test_fgsm_reads_0_255_images_by_the_book_convention(model, digits):
    """uint8 digits are scaled to [0, 1], not clipped there; 0-255 floats are refused, not whitened."""
    _, _, x_test, y_test = digits
    as_uint8 = np.round(x_test[:4] * 255).astype(np.uint8)
    adversarial = interpret.fgsm(model, as_uint8, y_test[:4], 2 / 255)
    assert np.abs(adversarial - as_uint8 / 255.0).max() <= 2 / 255 + 1e-6
    assert adversarial.mean() < 0.5  # dark digits stay dark
    with pytest.raises(ValueError, match="looks like a 0-255 image"):
        interpret.fgsm(model, as_uint8.astype(np.float32), y_test[:4], 0.1)


def test_fgsm_rejects_bad_labels(model, digits):
    _, _, x_test, _ = digits
    with pytest.raises(ValueError, match="labels must be in 0..9"):
        interpret.fgsm(model, x_test[:2], [1, 12], 0.1)
    with pytest.raises(ValueError, match="one per image"):
        interpret.fgsm(model, x_test[:2], [1.5, 2.0], 0.1)
