"""cnnbook.training: mean and spread over seeds, results table, decay schedule, mistakes, subsets."""

import numpy as np
import pytest

from cnnbook import training


def _tiny_data(n=96, seed=0):
    """Two classes a tiny dense net separates easily: bright vs dark 8x8 images."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    x = (rng.random((n, 8, 8)) * 0.5 + 0.5 * y[:, None, None]).astype("float32")
    return x, y


def _tiny_model(hidden=0):
    import keras

    model = keras.Sequential([keras.Input(shape=(8, 8)), keras.layers.Flatten()])
    if hidden:
        model.add(keras.layers.Dense(hidden, activation="relu"))
    model.add(keras.layers.Dense(2, activation="softmax"))
    return model


def test_decay_schedule_is_the_lectures_and_ignores_the_current_rate():
    schedule = training.decay_schedule()
    np.testing.assert_allclose([schedule(epoch) for epoch in range(4)], [0.01, 0.006, 0.0036, 0.00216])
    assert schedule(3, 123.0) == pytest.approx(0.01 * 0.6**3)
    assert training.decay_schedule(1e-3, 0.5)(2) == pytest.approx(2.5e-4)
    with pytest.raises(ValueError, match="rate"):
        training.decay_schedule(rate=1.5)
    with pytest.raises(ValueError, match="initial"):
        training.decay_schedule(initial=0)
    with pytest.raises(TypeError, match="initial"):
        training.decay_schedule(initial="0.01")


def test_decay_schedule_drives_keras_learning_rate():
    import keras

    x, y = _tiny_data(32)
    model = _tiny_model()
    model.compile(optimizer=keras.optimizers.Adam(0.5), loss="sparse_categorical_crossentropy")
    callback = keras.callbacks.LearningRateScheduler(training.decay_schedule())
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0, callbacks=[callback])
    np.testing.assert_allclose(history.history["learning_rate"], [0.01, 0.006, 0.0036], rtol=1e-5)


def test_over_seeds_gives_mean_and_sample_std_per_group_in_order():
    runs = [
        {"step": "b", "seed": 0, "acc": 0.90, "epochs": 4},
        {"step": "a", "seed": 0, "acc": 0.50, "epochs": 3},
        {"step": "b", "seed": 1, "acc": 0.94, "epochs": 6},
        {"step": "a", "seed": 1, "acc": 0.50, "epochs": 3},
        {"step": "b", "seed": 2, "acc": 0.92, "epochs": 5},
    ]
    rows = training.over_seeds(runs, values=["acc", "epochs"])
    assert [row["step"] for row in rows] == ["b", "a"]
    assert rows[0]["seeds"] == 3 and rows[1]["seeds"] == 2
    assert rows[0]["acc"] == pytest.approx(0.92)
    assert rows[0]["acc sd"] == pytest.approx(0.02)  # sample std (ddof=1); ddof=0 would give 0.0163
    assert rows[0]["epochs sd"] == pytest.approx(1.0)
    assert rows[1]["acc sd"] == 0.0
    assert training.over_seeds(runs[:4], by="seed", values="acc")[0]["acc"] == pytest.approx(0.7)


def test_over_seeds_rejects_bad_input():
    with pytest.raises(TypeError, match="runs"):
        training.over_seeds([])
    with pytest.raises(ValueError, match="lacks the key"):
        training.over_seeds([{"step": "a"}, {"step": "a"}], values=["acc"])
    with pytest.raises(ValueError, match="at least 2"):
        training.over_seeds([{"step": "a", "acc": 1.0}], values=["acc"])


@pytest.mark.parametrize(
    "initial, rate, error",
    [(-0.01, 0.6, ValueError), (0.01, 1.5, ValueError), ("0.01", 0.6, TypeError), (0.01, float("nan"), ValueError)],
)
def test_decay_schedule_refuses_bad_rates(initial, rate, error):
    with pytest.raises(error, match="initial|rate"):
        training.decay_schedule(initial, rate)


def test_results_table_formats_numbers():
    rows = [
        {"step": "a", "parameters": 1234567, "seconds": 2.345, "test accuracy": 0.98765, "model": None},
        {"step": "b", "parameters": 10, "seconds": 0.05, "test accuracy": 1.0, "model": None},
    ]
    table = training.results_table(rows).data
    assert table.splitlines() == [
        "| step | parameters | seconds | test accuracy |",
        "|---|---:|---:|---:|",
        "| a | 1,234,567 | 2.3 | 98.8% |",
        "| b | 10 | 0.1 | 100.0% |",
    ]
    assert training.results_table(rows, columns=["step"]).data.splitlines()[2] == "| a |"
    with pytest.raises(ValueError, match="columns"):
        training.results_table(rows, columns=["nope"])
    with pytest.raises(TypeError, match="rows"):
        training.results_table([])
    spread = training.results_table([{"step": "a", "test accuracy sd": 0.0012}], formats={"test accuracy sd": ".2%"})
    assert spread.data.splitlines()[2] == "| a | 0.12% |"
    with pytest.raises(TypeError, match="formats"):
        training.results_table(rows, formats=[".1%"])


def test_accuracy_counts_argmax_hits():
    scores = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])

    class Fixed:
        def __call__(self, x, training=None):
            assert training is False
            return scores[x[:, 0].astype(int)]

    rows = np.arange(4.0)[:, None]
    assert training.accuracy(Fixed(), rows, np.array([0, 1, 1, 1])) == 0.75
    assert training.accuracy(Fixed(), rows, np.array([0, 1, 1, 1]), batch_size=3) == 0.75
    with pytest.raises(ValueError, match="y"):
        training.accuracy(Fixed(), np.zeros((4, 1)), np.array([0, 1]))


def test_most_confident_mistakes_orders_by_confidence():
    p = np.array([[0.9, 0.05, 0.05], [0.1, 0.2, 0.7], [0.3, 0.6, 0.1], [0.05, 0.94, 0.01], [0.2, 0.2, 0.6]])
    y = np.array([0, 0, 0, 1, 2])
    indices, predicted, confidence = training.most_confident_mistakes(p, y)
    assert indices.tolist() == [1, 2] and predicted.tolist() == [2, 1]
    np.testing.assert_allclose(confidence, [0.7, 0.6])
    assert training.most_confident_mistakes(p, y, count=1)[0].tolist() == [1]
    assert training.most_confident_mistakes(p[:1], y[:1])[0].size == 0
    with pytest.raises(ValueError, match="probabilities"):
        training.most_confident_mistakes(p[0], y)
    with pytest.raises(ValueError, match="y_true"):
        training.most_confident_mistakes(p, y[:2])
    with pytest.raises(ValueError, match="count"):
        training.most_confident_mistakes(p, y, count=0)


def test_stratified_subset_takes_per_class_without_replacement():
    y = np.repeat(np.arange(3), 10)
    x = np.arange(30)
    xs, ys = training.stratified_subset(x, y, 4, seed=2)
    assert np.bincount(ys).tolist() == [4, 4, 4]
    assert len(set(xs.tolist())) == 12 and all(y[xs] == ys)
    np.testing.assert_array_equal(xs, training.stratified_subset(x, y, 4, seed=2)[0])
    with pytest.raises(ValueError, match="fewer"):
        training.stratified_subset(x, y, 11)
    with pytest.raises(ValueError, match="per_class"):
        training.stratified_subset(x, y, 0)


def test_train_lecture_cnn_uses_the_decay_and_validation_does_not_change_training():
    from cnnbook import models

    rng = np.random.default_rng(0)
    x = rng.random((32, 28, 28, 1)).astype("float32")
    y = np.arange(32) % 10
    model, history, seconds = models.train_lecture_cnn(x, y, epochs=2, batch_size=16, decay=0.5)
    np.testing.assert_allclose(history.history["learning_rate"], [1e-3, 5e-4], rtol=1e-5)
    assert seconds > 0 and model.count_params() == 3_274_634
    again, with_validation, _ = models.train_lecture_cnn(
        x, y, epochs=2, batch_size=16, decay=0.5, validation_data=(x[:8], y[:8])
    )
    assert "val_accuracy" in with_validation.history
    for a, b in zip(model.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_trained_lecture_cnn_loads_from_the_cache(tmp_path, monkeypatch):
    from cnnbook import models

    monkeypatch.setenv("CNNBOOK_CACHE", str(tmp_path))
    trained = []

    def fake_training(x, y, **settings):
        trained.append(settings)
        return models.small_cnn(filters=(2,), dense=0), None, 0.0

    monkeypatch.setattr(models, "train_lecture_cnn", fake_training)
    first = models.trained_lecture_cnn(epochs=6)
    (path,) = tmp_path.glob("lecture_cnn-decay0.6-e6-s0-b64-lr0.001*.keras")

    def no_training(*args, **kwargs):
        raise AssertionError("should load from the cache, not train")

    monkeypatch.setattr(models, "train_lecture_cnn", no_training)
    loaded = models.trained_lecture_cnn(epochs=6)
    for a, b in zip(first.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert len(trained) == 1


def test_trained_lecture_cnn_trains_and_caches_when_missing(tmp_path, monkeypatch):
    from cnnbook import models

    monkeypatch.setenv("CNNBOOK_CACHE", str(tmp_path))
    calls = []

    def fake_training(x, y, **settings):
        calls.append(settings)
        return models.small_cnn(filters=(2,), dense=0), None, 0.0

    monkeypatch.setattr(models, "train_lecture_cnn", fake_training)
    models.trained_lecture_cnn(epochs=2, decay=0.5)
    models.trained_lecture_cnn(epochs=2, decay=0.5)
    assert calls == [{"epochs": 2, "seed": 0, "batch_size": 64, "learning_rate": 1e-3, "decay": 0.5}]
    assert len(list(tmp_path.glob("lecture_cnn-decay0.5-e2-*.keras"))) == 1


def test_validation_split_partitions_the_training_data():
    x = np.arange(100).reshape(100, 1) * 10
    y = np.arange(100) % 10
    (x_fit, y_fit), (x_val, y_val) = training.validation_split(x, y, size=20, seed=0)
    assert len(x_fit) == 80 and len(x_val) == 20
    assert sorted(np.concatenate([x_fit, x_val]).ravel().tolist()) == x.ravel().tolist()
    np.testing.assert_array_equal(y_val, x_val[:, 0] // 10 % 10)  # labels travel with their examples
    again = training.validation_split(x, y, size=20, seed=0)
    np.testing.assert_array_equal(again[1][0], x_val)
    with pytest.raises(ValueError, match="size"):
        training.validation_split(x, y, size=100)
    with pytest.raises(ValueError, match="one label per example"):
        training.validation_split(x, y[:5], size=2)


def seeded_runs(**groups):
    return [{"step": step, "seed": seed, "acc": acc} for step, accs in groups.items() for seed, acc in enumerate(accs)]


def test_paired_over_seeds_pairs_runs_by_seed_not_by_order():
    runs = seeded_runs(a=(0.90, 0.91, 0.92), b=(0.95, 0.97, 0.96))
    shuffled = [runs[i] for i in (5, 0, 3, 2, 4, 1)]
    row = training.paired_over_seeds(shuffled, "a", "b", "acc")
    assert row["mean difference"] == pytest.approx(0.05)
    assert row["sd of the differences"] == pytest.approx(np.std([0.05, 0.06, 0.04], ddof=1))
    assert (row["wins"], row["seeds"], row["verdict"]) == (3, 3, "better")
    assert row["low"] < row["mean difference"] < row["high"]
    assert training.paired_over_seeds(shuffled, "b", "a", "acc")["verdict"] == "worse"
    assert (
        training.paired_over_seeds(seeded_runs(a=(0.9, 0.9, 0.9), b=(0.9, 0.94, 0.92)), "a", "b", "acc")["verdict"]
        == "tie"
    )


def test_paired_over_seeds_refuses_unpaired_or_unknown_groups():
    runs = seeded_runs(a=(0.90, 0.91, 0.92), b=(0.95, 0.97))
    with pytest.raises(ValueError, match=r"seeds \[2\] have a run of only one"):
        training.paired_over_seeds(runs, "a", "b", "acc")
    with pytest.raises(ValueError, match="other must be one of"):
        training.paired_over_seeds(runs, "a", "c", "acc")
    with pytest.raises(ValueError, match="lacks the key"):
        training.paired_over_seeds(runs, "a", "b", "loss")
    with pytest.raises(ValueError, match="two runs of 'a' with seed 0"):
        training.paired_over_seeds(runs + runs[:1], "a", "b", "acc")
    with pytest.raises(ValueError, match="at least two pairs"):
        training.paired_over_seeds(seeded_runs(a=(0.9,), b=(0.8,)), "a", "b", "acc")
