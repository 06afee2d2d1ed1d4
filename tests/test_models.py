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
