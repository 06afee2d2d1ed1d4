"""cnnbook.models: the chapters' Keras models and the trained-model cache."""

import numpy as np
import pytest

from cnnbook import models


def test_lecture_cnn_shapes_and_parameter_count():
    model = models.lecture_cnn()
    shapes = [tuple(layer.output.shape[1:]) for layer in model.layers]
    assert shapes == [(28, 28, 32), (14, 14, 32), (14, 14, 64), (7, 7, 64), (3136,), (1024,), (10,)]
    # Conv: (5*5*in + 1) * out; dense: (in + 1) * out.
    expected = (5 * 5 * 1 + 1) * 32 + (5 * 5 * 32 + 1) * 64 + (3136 + 1) * 1024 + (1024 + 1) * 10
    assert model.count_params() == expected


def test_small_cnn_is_configurable():
    model = models.small_cnn(num_classes=5, filters=(4,), dense=0)
    assert model.output_shape == (None, 5)
    assert [layer.name for layer in model.layers] == ["conv1", "p1", "flatten", "output"]
    with pytest.raises(ValueError, match="filters"):
        models.small_cnn(filters=(0,))


def test_fit_trains_and_times():
    from cnnbook.env import seed_everything

    seed_everything(0)
    rng = np.random.default_rng(0)
    x = rng.random((64, 28, 28, 1)).astype("float32")
    y = (x.mean(axis=(1, 2, 3)) > 0.5).astype("int64")
    model = models.small_cnn(num_classes=2, filters=(2,), dense=4)
    history, seconds = models.fit(model, x, y, epochs=2, batch_size=16)
    assert len(history.history["loss"]) == 2 and seconds > 0
    with pytest.raises(ValueError, match="epochs"):
        models.fit(model, x, y, epochs=0)


def test_epoch_logger_prints_one_line_per_epoch(capsys):
    logger = models.EpochLogger()
    logger.on_epoch_end(0, {"loss": 0.5, "accuracy": 0.75})
    assert capsys.readouterr().out == "epoch 1: accuracy 0.7500 loss 0.5000\n"


def test_trained_model_is_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNBOOK_CACHE", str(tmp_path))
    monkeypatch.setattr(models, "_BUILDERS", {"small_cnn": lambda: models.small_cnn(filters=(2,), dense=0)})
    first = models.trained_on_mnist_sample("small_cnn", epochs=1)
    files = list(tmp_path.glob("small_cnn-e1-s0-*.keras"))
    assert len(files) == 1
    second = models.trained_on_mnist_sample("small_cnn", epochs=1)
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="name"):
        models.trained_on_mnist_sample("lecture_cnn")  # chapter 6's recipe: trained_lecture_cnn


def test_load_or_train_trains_once_then_loads(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNBOOK_CACHE", str(tmp_path))
    trained = []

    def train():
        trained.append(1)
        return models.small_cnn(filters=(2,), dense=0)

    first = models.load_or_train("tiny-e0.keras", train)
    assert [path.name for path in tmp_path.iterdir()] == ["tiny-e0.keras"]
    second = models.load_or_train("tiny-e0.keras", train)
    assert trained == [1]
    for a, b in zip(first.get_weights(), second.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    models.load_or_train("tiny-e1.keras", train)  # another name is another model
    assert trained == [1, 1]


def test_load_or_train_replaces_a_file_that_does_not_load(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNBOOK_CACHE", str(tmp_path))
    (tmp_path / "tiny.keras").write_bytes(b"truncated")
    model = models.load_or_train("tiny.keras", lambda: models.small_cnn(filters=(2,), dense=0))
    assert model.name == "small_cnn"
    assert models.load_or_train("tiny.keras", lambda: None).count_params() == model.count_params()


@pytest.mark.parametrize(
    "name, train, error, message",
    [
        ("tiny.h5", lambda: None, ValueError, "name must be a file name ending in .keras"),
        ("cache/tiny.keras", lambda: None, ValueError, "without a folder"),
        ("", lambda: None, ValueError, "name must be a non-empty str"),
        (None, lambda: None, TypeError, "name must be a non-empty str"),
        ("tiny.keras", "small_cnn", TypeError, "train must be a function of no arguments"),
    ],
)
def test_load_or_train_refuses_bad_arguments(tmp_path, monkeypatch, name, train, error, message):
    monkeypatch.setenv("CNNBOOK_CACHE", str(tmp_path))
    with pytest.raises(error, match=message):
        models.load_or_train(name, train)
    assert list(tmp_path.iterdir()) == []


def _refuses_before_training(**kwargs):
    """Call models.fit with bad arguments; training must not begin."""
    import keras

    def started(logs=None):
        raise AssertionError("training began before the arguments were checked")

    rng = np.random.default_rng(0)
    arguments = dict(x=rng.random((8, 28, 28, 1)).astype("float32"), y=np.arange(8) % 10, epochs=1)
    arguments.update(kwargs)
    model = models.small_cnn(filters=(2,), dense=0)
    models.fit(model, callbacks=[keras.callbacks.LambdaCallback(on_train_begin=started)], **arguments)


@pytest.mark.parametrize(
    "learning_rate, error",
    [(-0.01, ValueError), (0, ValueError), (float("nan"), ValueError), ("0.01", TypeError), (None, TypeError)],
)
def test_fit_refuses_a_learning_rate_that_is_not_a_positive_number(learning_rate, error):
    with pytest.raises(error, match="learning_rate"):
        _refuses_before_training(learning_rate=learning_rate)


@pytest.mark.parametrize(
    "labels, error, message",
    [
        (np.array([0, 1, 2, 3, 4, 5, 6, 10]), ValueError, "from 0 to 9.*10"),
        (np.array([0, 1, 2, 3, 4, 5, 6, -1]), ValueError, "from 0 to 9"),
        (np.arange(7), ValueError, "one label per example"),
        (np.full(8, 0.5), TypeError, "integer"),
    ],
)
def test_fit_refuses_bad_labels_before_training(labels, error, message):
    with pytest.raises(error, match=message):
        _refuses_before_training(y=labels)


@pytest.mark.parametrize(
    "validation_data, error, message",
    [
        (np.zeros((4, 28, 28, 1)), TypeError, "validation_data must be a pair"),
        ((np.zeros((4, 28, 28, 1)), np.arange(3)), ValueError, r"validation_data\[1\].*one label per example"),
        ((np.zeros((4, 28, 28, 1)), np.array([0, 1, 2, 12])), ValueError, r"validation_data\[1\].*from 0 to 9"),
        ((np.zeros((4, 28, 28)), np.arange(4)), ValueError, r"validation_data\[0\].*shaped like x"),
    ],
)
def test_fit_refuses_malformed_validation_data_before_training(validation_data, error, message):
    with pytest.raises(error, match=message):
        _refuses_before_training(validation_data=validation_data)


def test_unwritable_cache_is_refused_before_training(tmp_path, monkeypatch):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("CNNBOOK_CACHE", str(blocker / "cache"))
    built = []
    monkeypatch.setattr(models, "_BUILDERS", {"small_cnn": lambda: built.append(1) or models.small_cnn()})
    with pytest.raises(ValueError, match="model cache directory.*not a writable directory"):
        models.trained_on_mnist_sample("small_cnn", epochs=1)
    assert built == []  # nothing was trained


def test_small_cnn_refuses_bad_sizes():
    with pytest.raises(TypeError, match="num_classes"):
        models.small_cnn(num_classes=2.5)
    with pytest.raises(ValueError, match="input_shape"):
        models.small_cnn(input_shape=(28, 28))


def test_layer_settings_tell_architectures_apart_but_not_names_or_seeds():
    import keras

    assert models.layer_settings(models.small_cnn()) == models.layer_settings(models.small_cnn(name="other"))
    assert models.layer_settings(models.small_cnn()) != models.layer_settings(models.small_cnn(dense=16))
    pipeline = keras.Sequential([keras.layers.RandomRotation(0.05, seed=1)])
    same_but_seed = keras.Sequential([keras.layers.RandomRotation(0.05, seed=2)])
    wider = keras.Sequential([keras.layers.RandomRotation(0.1, seed=1)])
    assert models.layer_settings(pipeline) == models.layer_settings(same_but_seed)
    assert models.layer_settings(pipeline) != models.layer_settings(wider)
    assert models.layer_settings(pipeline)[0][0] == "RandomRotation"
    with pytest.raises(TypeError, match="model must be a Keras model"):
        models.layer_settings([1, 2])
