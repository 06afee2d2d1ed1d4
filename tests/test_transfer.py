"""Tests of cnnbook.transfer: the offline transfer-learning recipes of chapter 8."""

import keras
import numpy as np
import pytest

from cnnbook import models, transfer
from cnnbook.data import load_digits_8x8, load_mnist_sample, to_model_input
from cnnbook.env import seed_everything


@pytest.fixture(scope="module")
def pretrained():
    """A tiny CNN trained briefly on MNIST digits: the source model."""
    (x_train, y_train), _ = load_mnist_sample()
    seed_everything(0)
    model = models.small_cnn(filters=(4, 8), dense=16, name="source")
    models.fit(model, to_model_input(x_train[:800]), y_train[:800], epochs=2)
    return model


@pytest.fixture(scope="module")
def target():
    images, labels = load_digits_8x8()
    return transfer.digits_as_mnist(images[:300]), labels[:300]


def weights_of(model):
    return [np.array(weight) for weight in model.get_weights()]


# -- digits_as_mnist ------------------------------------------------------------


def test_digits_are_framed_like_mnist():
    images, _ = load_digits_8x8()
    framed = transfer.digits_as_mnist(images[:5])
    assert framed.shape == (5, 28, 28, 1) and framed.dtype == np.float32
    assert framed.min() >= 0 and framed.max() <= 1
    border = np.ones((28, 28), bool)
    border[4:24, 4:24] = False
    assert np.all(framed[:, border] == 0)  # the 20 x 20 box in the middle holds the digit
    full = transfer.digits_as_mnist(np.full((1, 8, 8), 16.0))
    np.testing.assert_allclose(full[0, 4:24, 4:24, 0], 1.0)


def test_digits_as_mnist_rejects_bad_input():
    with pytest.raises(ValueError, match=r"shape \(N, 8, 8\)"):
        transfer.digits_as_mnist(np.zeros((2, 28, 28)))
    with pytest.raises(ValueError, match="0..16"):
        transfer.digits_as_mnist(np.full((1, 8, 8), 255.0))


# -- building and freezing ---------------------------------------------------------


def test_transfer_model_copies_the_base_and_adds_a_head(pretrained):
    model = transfer.transfer_model(pretrained, num_classes=5, last_layer="flatten")
    assert [layer.name for layer in model.layers] == ["conv1", "p1", "conv2", "p2", "flatten", "new_head"]
    assert model.output_shape == (None, 5)
    for name in ("conv1", "conv2"):
        for copied, original in zip(model.get_layer(name).get_weights(), pretrained.get_layer(name).get_weights()):
            np.testing.assert_array_equal(copied, original)
    assert model.get_layer("conv1") is not pretrained.get_layer("conv1")


def test_random_weights_for_training_from_scratch(pretrained):
    model = transfer.transfer_model(pretrained, 10, pretrained_weights=False)
    assert not np.allclose(model.get_layer("conv1").get_weights()[0], pretrained.get_layer("conv1").get_weights()[0])


def test_transfer_model_rejects_bad_arguments(pretrained):
    inputs = keras.Input(shape=(28, 28, 1))
    functional = keras.Model(inputs, keras.layers.Dense(2)(keras.layers.Flatten()(inputs)))
    with pytest.raises(TypeError, match="keras.Sequential"):
        transfer.transfer_model(functional, 10)
    with pytest.raises(ValueError, match="last_layer must be one of"):
        transfer.transfer_model(pretrained, 10, last_layer="conv7")
    with pytest.raises(ValueError, match="num_classes must be an int >= 2"):
        transfer.transfer_model(pretrained, 1)


def test_freeze_sets_trainable_layer_by_layer(pretrained):
    model = transfer.transfer_model(pretrained, 10)
    assert transfer.freeze(model, up_to="dense") == ["new_head"]
    assert [layer.trainable for layer in model.layers] == [False] * 6 + [True]
    assert transfer.freeze(model, up_to="p2") == ["dense", "new_head"]
    assert transfer.freeze(model, up_to=None) == ["conv1", "conv2", "dense", "new_head"]
    with pytest.raises(ValueError, match="up_to must be None or one of"):
        transfer.freeze(model, up_to="base")


# -- training ----------------------------------------------------------------------------


def test_fit_steps_changes_only_the_trainable_layers(pretrained, target):
    x, y = target
    model = transfer.transfer_model(pretrained, 10)
    transfer.freeze(model, up_to="dense")
    before = weights_of(model)
    seconds = transfer.fit_steps(model, x[:40], y[:40], steps=5, learning_rate=1e-2)
    after = weights_of(model)
    assert seconds > 0
    assert all(np.array_equal(a, b) for a, b in zip(before[:-2], after[:-2]))  # the base
    assert not np.allclose(before[-2], after[-2])  # the head's kernel


def test_fit_steps_gives_the_same_updates_as_fit_on_the_whole_model(pretrained, target):
    """Running the frozen layers once is an optimisation, not a different training."""
    x, y = target
    x, y = x[:50], y[:50]
    fast, slow = transfer.transfer_model(pretrained, 10), transfer.transfer_model(pretrained, 10)
    slow.set_weights(fast.get_weights())
    for model in (fast, slow):
        transfer.freeze(model, up_to="p2")
    steps, batch_size, seed = 7, 16, 3
    transfer.fit_steps(fast, x, y, steps, learning_rate=1e-2, batch_size=batch_size, seed=seed)
    rng = np.random.default_rng(seed)  # the order fit_steps uses
    repeats = -(-steps * batch_size // len(y))
    order = np.concatenate([rng.permutation(len(y)) for _ in range(repeats)])[:steps * batch_size]
    slow.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
    slow.fit(x[order], y[order], batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(weights_of(fast), weights_of(slow)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_fit_steps_rejects_bad_arguments(pretrained, target):
    x, y = target
    model = transfer.transfer_model(pretrained, 10)
    with pytest.raises(ValueError, match="same number"):
        transfer.fit_steps(model, x[:5], y[:4], 1, 1e-3)
    with pytest.raises(TypeError, match="integer class labels"):
        transfer.fit_steps(model, x[:5], y[:5].astype(float), 1, 1e-3)
    with pytest.raises(ValueError, match="steps must be an int >= 1"):
        transfer.fit_steps(model, x[:5], y[:5], 0, 1e-3)
    with pytest.raises(ValueError, match="learning_rate must be a positive number"):
        transfer.fit_steps(model, x[:5], y[:5], 1, -1.0)
    for layer in model.layers:
        layer.trainable = False
    with pytest.raises(ValueError, match="no trainable layer"):
        transfer.fit_steps(model, x[:5], y[:5], 1, 1e-3)


def test_fine_tuning_unfreezes_from_the_named_layer(pretrained, target):
    x, y = target
    model = transfer.train_feature_extraction(pretrained, x[:30], y[:30], 10, steps=5)
    conv2_before = model.get_layer("conv2").get_weights()[0].copy()
    dense_before = model.get_layer("dense").get_weights()[0].copy()
    transfer.train_fine_tuning(model, x[:30], y[:30], unfreeze_from="dense", steps=5, learning_rate=1e-2)
    np.testing.assert_array_equal(model.get_layer("conv2").get_weights()[0], conv2_before)
    assert not np.allclose(model.get_layer("dense").get_weights()[0], dense_before)
    assert [layer.name for layer in model.layers if layer.trainable] == ["dense", "new_head"]
    with pytest.raises(ValueError, match="unfreeze_from must be one of"):
        transfer.train_fine_tuning(model, x[:30], y[:30], unfreeze_from="conv9")


def test_the_recipes_leave_the_pretrained_model_unchanged(pretrained, target):
    x, y = target
    before = weights_of(pretrained)
    model = transfer.train_feature_extraction(pretrained, x[:20], y[:20], 10, steps=3)
    transfer.train_fine_tuning(model, x[:20], y[:20], unfreeze_from="conv1", steps=3, learning_rate=1e-2)
    transfer.train_from_scratch(pretrained, x[:20], y[:20], 10, steps=3)
    assert all(np.array_equal(a, b) for a, b in zip(before, weights_of(pretrained)))


def test_transfer_curve_and_its_summary(pretrained, target):
    x, y = target
    rows = transfer.transfer_curve(pretrained, x[:200], y[:200], x[200:], y[200:], labels_per_class=[1, 2],
                                   seeds=(0, 1), steps=3, fine_tune_steps=2)
    assert len(rows) == 2 * 2 * 3
    assert {row["method"] for row in rows} == set(transfer.METHODS)
    assert all(0 <= row["accuracy"] <= 1 and row["seconds"] > 0 for row in rows)
    counts, summary = transfer.summarise_curve(rows)
    np.testing.assert_array_equal(counts, [1, 2])
    assert list(summary) == list(transfer.METHODS)
    scratch = [row["accuracy"] for row in rows if row["method"] == "from scratch" and row["labels_per_class"] == 2]
    np.testing.assert_allclose(summary["from scratch"][0][1], np.mean(scratch))
    np.testing.assert_allclose(summary["from scratch"][1][1], np.std(scratch))
    with pytest.raises(ValueError, match="labels_per_class must be an int >= 1"):
        transfer.transfer_curve(pretrained, x[:200], y[:200], x[200:], y[200:], labels_per_class=[0])
    with pytest.raises(ValueError, match="rows must not be empty"):
        transfer.summarise_curve([])


# -- inputs for ImageNet models --------------------------------------------------------


def test_imagenet_inputs_resize_colour_and_scale():
    grey, colour = np.linspace(0, 1, 64).reshape(8, 8), np.ones((50, 30, 3))
    batch = transfer.imagenet_inputs([grey, colour, grey[..., np.newaxis]], size=32)
    assert batch.shape == (3, 32, 32, 3) and batch.dtype == np.float32
    assert batch.min() >= 0 and batch.max() <= 255
    np.testing.assert_array_equal(batch[0, ..., 0], batch[0, ..., 2])  # grey repeated in all channels
    np.testing.assert_allclose(batch[1], 255.0)
    assert transfer.imagenet_inputs(np.zeros((4, 28, 28, 1)), size=32).shape == (4, 32, 32, 3)


def test_imagenet_inputs_feed_a_keras_application_offline():
    base = keras.applications.MobileNetV2(include_top=False, weights=None, input_shape=(32, 32, 3),
                                          pooling="avg", alpha=0.35)
    features = base.predict(keras.applications.mobilenet_v2.preprocess_input(
        transfer.imagenet_inputs(np.random.default_rng(0).random((2, 20, 20)), size=32)), verbose=0)
    assert features.shape == (2, base.output_shape[-1]) and np.all(np.isfinite(features))


def test_imagenet_inputs_rejects_bad_input():
    with pytest.raises(ValueError, match="values in"):
        transfer.imagenet_inputs([np.full((8, 8), 2.0)])
    with pytest.raises(ValueError, match=r"must be \(H, W\)"):
        transfer.imagenet_inputs([np.zeros((8, 8, 2))])
    with pytest.raises(ValueError, match="at least one image"):
        transfer.imagenet_inputs([])
    with pytest.raises(ValueError, match="size must be an int >= 32"):
        transfer.imagenet_inputs([np.zeros((8, 8))], size=16)
    with pytest.raises(ValueError, match="sequence of images or an array"):
        transfer.imagenet_inputs(np.zeros((8, 8)))
