"""Tests of cnnbook.transfer: the transfer-learning recipes of chapter 8, on small models."""

import keras
import numpy as np
import pytest

from cnnbook import models, training, transfer
from cnnbook.data import load_mnist_sample, to_model_input
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
    """Other digits than the source's: the MNIST test split, as a stand-in target task.

    Ordered so that every run of 10 consecutive digits holds each class once.
    """
    _, (x_test, y_test) = load_mnist_sample()
    per_class = [np.flatnonzero(y_test == digit)[:30] for digit in range(10)]
    order = np.stack(per_class, axis=1).ravel()  # 0, 1, ..., 9, 0, 1, ...
    return to_model_input(x_test[order]), y_test[order]


@pytest.fixture(scope="module")
def residual_net():
    """A small fully convolutional functional model: a residual block, then a plain chain to the output."""
    inputs = keras.Input((16, 16, 3))
    x = keras.layers.Conv2D(4, 3, padding="same", name="stem")(inputs)
    shortcut = x
    x = keras.layers.Conv2D(4, 3, padding="same", name="inner")(x)
    x = keras.layers.Add(name="add")([shortcut, x])
    x = keras.layers.Conv2D(6, 1, name="head_conv")(x)
    x = keras.layers.BatchNormalization(name="head_bn")(x)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    return keras.Model(inputs, x, name="residual_net")


def weights_of(model):
    return [np.array(weight) for weight in model.get_weights()]


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
    with pytest.raises(ValueError, match="up_to must be one of"):
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
    order = np.concatenate([rng.permutation(len(y)) for _ in range(repeats)])[: steps * batch_size]
    slow.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
    slow.fit(x[order], y[order], batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(weights_of(fast), weights_of(slow)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_fit_steps_rejects_bad_arguments(pretrained, target):
    x, y = target
    model = transfer.transfer_model(pretrained, 10)
    with pytest.raises(ValueError, match="same number"):
        transfer.fit_steps(model, x[:5], y[:4], 1, 1e-3)
    with pytest.raises(TypeError, match="y must hold integers"):
        transfer.fit_steps(model, x[:5], y[:5].astype(float), 1, 1e-3)
    with pytest.raises(ValueError, match="steps must be an int >= 1"):
        transfer.fit_steps(model, x[:5], y[:5], 0, 1e-3)
    with pytest.raises(ValueError, match="learning_rate must be a finite number > 0"):
        transfer.fit_steps(model, x[:5], y[:5], 1, -1.0)
    for layer in model.layers:
        layer.trainable = False
    with pytest.raises(ValueError, match="no trainable layer"):
        transfer.fit_steps(model, x[:5], y[:5], 1, 1e-3)


def test_fine_tuning_unfreezes_from_the_named_layer(pretrained, target):
    x, y = target
    model = transfer.train_feature_extraction(pretrained, x[:30], y[:30], 10)
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
    model = transfer.train_feature_extraction(pretrained, x[:20], y[:20], 10)
    transfer.train_fine_tuning(model, x[:20], y[:20], unfreeze_from="conv1", steps=3, learning_rate=1e-2)
    transfer.train_from_scratch(pretrained, x[:20], y[:20], 10, steps=3)
    assert all(np.array_equal(a, b) for a, b in zip(before, weights_of(pretrained)))


def test_the_three_recipes_through_label_curve(pretrained, target):
    x, y = target
    x_pool, y_pool, x_test, y_test = x[:200], y[:200], x[200:], y[200:]

    def run(chosen, seed):
        scratch = transfer.train_from_scratch(pretrained, x_pool[chosen], y_pool[chosen], 10, steps=3, seed=seed)
        model = transfer.train_feature_extraction(pretrained, x_pool[chosen], y_pool[chosen], 10)
        results = {
            "from scratch": training.accuracy(scratch, x_test, y_test),
            "feature extraction": training.accuracy(model, x_test, y_test),
        }
        transfer.train_fine_tuning(model, x_pool[chosen], y_pool[chosen], steps=2, seed=seed)
        results["fine-tuning"] = training.accuracy(model, x_test, y_test)
        return results

    rows = transfer.label_curve(run, y_pool, labels_per_class=[1, 2], seeds=(0, 1))
    assert len(rows) == 2 * 2 * 3
    assert [row["method"] for row in rows[:3]] == ["from scratch", "feature extraction", "fine-tuning"]
    assert all(0 <= row["accuracy"] <= 1 and row["seconds"] > 0 for row in rows)
    counts, summary = transfer.summarise_curve(rows)
    np.testing.assert_array_equal(counts, [1, 2])
    assert list(summary) == ["from scratch", "feature extraction", "fine-tuning"]
    scratch = [row["accuracy"] for row in rows if row["method"] == "from scratch" and row["labels_per_class"] == 2]
    np.testing.assert_allclose(summary["from scratch"][0][1], np.mean(scratch))
    np.testing.assert_allclose(summary["from scratch"][1][1], np.std(scratch, ddof=1))
    with pytest.raises(ValueError, match="rows must not be empty"):
        transfer.summarise_curve([])


def test_label_curve_draws_per_class_and_seed():
    y_pool = np.repeat(np.arange(3), 4)
    calls = []

    def run(chosen, seed):
        calls.append((sorted(y_pool[chosen].tolist()), seed))
        return {"a": len(chosen) / 100, "b": seed / 10}

    rows = transfer.label_curve(run, y_pool, labels_per_class=[1, 2], seeds=[0, 5])
    assert [call for call in calls] == [
        ([0, 1, 2], 0),
        ([0, 1, 2], 5),
        ([0, 0, 1, 1, 2, 2], 0),
        ([0, 0, 1, 1, 2, 2], 5),
    ]
    assert len(rows) == 8 and rows[0] == {**rows[0], "labels_per_class": 1, "seed": 0, "method": "a", "accuracy": 0.03}
    counts, summary = transfer.summarise_curve(rows)
    np.testing.assert_allclose(summary["b"][0], [0.25, 0.25])
    np.testing.assert_allclose(summary["b"][1], [np.std([0.0, 0.5], ddof=1)] * 2)


def test_label_curve_checks_everything_before_running():
    y_pool = np.repeat(np.arange(3), 4)

    def run(chosen, seed):
        raise AssertionError("must not run")

    with pytest.raises(ValueError, match="labels_per_class must be an int from 1 to 4"):
        transfer.label_curve(run, y_pool, labels_per_class=[1, 5])
    with pytest.raises(ValueError, match="labels_per_class must be an int from 1 to 4"):
        transfer.label_curve(run, y_pool, labels_per_class=[0])
    with pytest.raises(TypeError, match="seeds must be an int"):
        transfer.label_curve(run, y_pool, labels_per_class=[1], seeds=[0.5])
    with pytest.raises(TypeError, match="run must be callable"):
        transfer.label_curve("run", y_pool, labels_per_class=[1])
    with pytest.raises(ValueError, match="non-empty dict"):
        transfer.label_curve(lambda chosen, seed: None, y_pool, labels_per_class=[1])


def test_recipes_check_their_arguments_before_training(pretrained, target):
    x, y = target
    with pytest.raises(ValueError, match="learning_rate must be a finite number > 0"):
        transfer.train_from_scratch(pretrained, x[:20], y[:20], 10, learning_rate=float("nan"))
    with pytest.raises(ValueError, match="C must be a finite number > 0"):
        transfer.train_feature_extraction(pretrained, x[:20], y[:20], 10, C=0.0)
    with pytest.raises(ValueError, match="every class 0 to 9"):
        transfer.train_feature_extraction(pretrained, x[:20][y[:20] != 3], y[:20][y[:20] != 3], 10)


# -- splitting a big network ------------------------------------------------------------


def test_split_model_keeps_the_layers_and_their_output(residual_net):
    images = np.random.default_rng(0).random((5, 16, 16, 3)).astype("float32")
    bottom, top = transfer.split_model(residual_net, "add")
    assert isinstance(top, keras.Sequential)
    assert [layer.name for layer in top.layers] == ["head_conv", "head_bn", "pool"]
    assert top.get_layer("head_conv") is residual_net.get_layer("head_conv")  # shared, not copied
    np.testing.assert_allclose(np.asarray(top(bottom(images))), np.asarray(residual_net(images)), rtol=1e-5, atol=1e-6)


def test_split_model_refuses_a_cut_that_a_branch_crosses(residual_net):
    with pytest.raises(ValueError, match="single chain; 'add' does not take its input from 'inner' alone"):
        transfer.split_model(residual_net, "inner")
    with pytest.raises(ValueError, match="nothing would be left"):
        transfer.split_model(residual_net, "pool")
    with pytest.raises(ValueError, match="layer must be one of"):
        transfer.split_model(residual_net, "block7a_out")
    with pytest.raises(TypeError, match="model must be a keras.Model"):
        transfer.split_model("residual_net", "add")


def test_with_input_size_copies_the_weights(residual_net):
    larger = transfer.with_input_size(residual_net, 40)
    assert larger.input.shape == (None, 40, 40, 3) and larger is not residual_net
    for copied, original in zip(larger.get_weights(), residual_net.get_weights()):
        np.testing.assert_array_equal(copied, original)
    assert larger(np.zeros((2, 40, 40, 3), "float32")).shape == (2, 6)
    with pytest.raises(ValueError, match="size must be an int >= 32"):
        transfer.with_input_size(residual_net, 8)


def test_with_input_size_refuses_a_model_tied_to_its_size(pretrained):
    with pytest.raises(ValueError, match="depend on its input size"):
        transfer.with_input_size(keras.Model(pretrained.inputs, pretrained.outputs), 56)


def test_freeze_keeps_batch_normalisation_frozen_unless_asked(residual_net):
    _, top = transfer.split_model(residual_net, "add")
    model = transfer.transfer_model(top, 3, last_layer="pool")
    assert transfer.freeze(model, up_to=None) == ["head_conv", "new_head"]
    assert not model.get_layer("head_bn").trainable
    assert transfer.freeze(model, up_to=None, batch_norm=True) == ["head_conv", "head_bn", "new_head"]


# -- the converged head, paired comparisons, linear probes --------------------------------


def test_the_feature_extraction_head_is_the_converged_logistic_regression(pretrained, target):
    x, y = target
    model = transfer.train_feature_extraction(pretrained, x[:50], y[:50], 10)
    base = keras.Sequential([keras.Input((28, 28, 1)), *model.layers[:-1]])
    features = np.asarray(base(x, training=False))
    head = transfer.fit_linear_head(features[:50], y[:50])
    np.testing.assert_allclose(np.asarray(model(x, training=False)), head.predict_proba(features), atol=1e-4)
    assert head[-1].n_iter_[0] < 1000
    assert [layer.name for layer in model.layers if layer.trainable] == ["new_head"]


def test_a_two_class_head_gives_the_logistic_probabilities(pretrained, target):
    x, y = target
    keep = y < 2
    model = transfer.train_feature_extraction(pretrained, x[keep][:20], y[keep][:20], 2)
    base = keras.Sequential([keras.Input((28, 28, 1)), *model.layers[:-1]])
    features = np.asarray(base(x[keep], training=False))
    head = transfer.fit_linear_head(features[:20], y[keep][:20])
    np.testing.assert_allclose(np.asarray(model(x[keep], training=False)), head.predict_proba(features), atol=1e-4)


def test_an_unstandardised_head_is_the_logistic_regression_on_raw_features(pretrained, target):
    x, y = target
    model = transfer.train_feature_extraction(pretrained, x[:50], y[:50], 10, C=10.0, standardise=False)
    base = keras.Sequential([keras.Input((28, 28, 1)), *model.layers[:-1]])
    features = np.asarray(base(x, training=False))
    head = transfer.fit_linear_head(features[:50], y[:50], C=10.0, standardise=False)
    assert len(head) == 1 and head[-1].C == 10.0
    np.testing.assert_allclose(np.asarray(model(x, training=False)), head.predict_proba(features), atol=1e-4)
    standardised = transfer.fit_linear_head(features[:50], y[:50], C=10.0)
    assert not np.allclose(standardised.predict_proba(features), head.predict_proba(features), atol=1e-3)


def test_fit_linear_head_checks_its_input_and_convergence(monkeypatch):
    features = np.random.default_rng(0).normal(size=(20, 3))
    with pytest.raises(ValueError, match="at least two classes"):
        transfer.fit_linear_head(features, np.zeros(20, int))
    with pytest.raises(ValueError, match="features must"):
        transfer.fit_linear_head(features[:, 0], np.arange(20) % 2)
    with pytest.raises(ValueError, match="same number"):
        transfer.fit_linear_head(features, np.arange(19) % 2)
    with pytest.raises(TypeError, match="standardise"):
        transfer.fit_linear_head(features, np.arange(20) % 2, standardise="no")
    monkeypatch.setattr(transfer, "_HEAD_MAX_ITER", 2)
    with pytest.raises(RuntimeError, match="did not converge in 2 iterations"):
        transfer.fit_linear_head(features, np.arange(20) % 3)


def test_paired_comparison_pairs_by_seed():
    rows = [
        {"labels_per_class": count, "seed": seed, "method": method, "accuracy": accuracy}
        for count, pairs in ((1, [(0.5, 0.4), (0.6, 0.4), (0.7, 0.4)]), (2, [(0.5, 0.5), (0.5, 0.6), (0.9, 0.6)]))
        for seed, (a, b) in enumerate(pairs)
        for method, accuracy in (("a", a), ("b", b))
    ]
    first, second = transfer.paired_comparison(rows, "a", "b")
    assert (first["labels_per_class"], first["wins"], first["draws"]) == (1, 3, 3)
    np.testing.assert_allclose(first["difference"], 0.2)
    half = 4.302652729911275 * np.std([0.1, 0.2, 0.3], ddof=1) / np.sqrt(3)  # t(0.975, 2 degrees of freedom)
    np.testing.assert_allclose([first["low"], first["high"]], [0.2 - half, 0.2 + half])
    assert second["wins"] == 1 and second["low"] < 0 < second["high"]
    with pytest.raises(ValueError, match="method must be one of"):
        transfer.paired_comparison(rows, "c", "b")
    with pytest.raises(ValueError, match="at least two seeds"):
        transfer.paired_comparison(rows[:2], "a", "b")
    with pytest.raises(ValueError, match="at least two seeds"):
        transfer.paired_comparison(rows[:5], "a", "b")


def test_pooled_features_average_each_layer_over_positions(residual_net):
    images = np.random.default_rng(0).random((7, 16, 16, 3)).astype("float32")
    features = transfer.pooled_features(residual_net, ["stem", "head_bn"], images, batch_size=3)
    assert list(features) == ["stem", "head_bn"]
    stem = keras.Model(residual_net.input, residual_net.get_layer("stem").output)
    np.testing.assert_allclose(features["stem"], np.asarray(stem(images)).mean(axis=(1, 2)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(features["head_bn"], np.asarray(residual_net(images)), rtol=1e-5, atol=1e-6)
    halves = transfer.pooled_features(
        residual_net, ["stem"], images[:, ::2, ::2], prepare=lambda b: b.repeat(2, 1).repeat(2, 2)
    )
    assert halves["stem"].shape == (7, 4)
    with pytest.raises(ValueError, match="layers must be one of"):
        transfer.pooled_features(residual_net, ["nope"], images)
    with pytest.raises(ValueError, match="not feature maps"):
        transfer.pooled_features(residual_net, ["pool"], images)
    with pytest.raises(TypeError, match="prepare must be"):
        transfer.pooled_features(residual_net, ["stem"], images, prepare="resize")
