"""cnnbook.env: Colab detection, device report, seeding."""
import random
import sys

import numpy as np
import pytest

from cnnbook import env


def test_in_colab_follows_google_colab_module(monkeypatch):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    assert env.in_colab() is False
    monkeypatch.setitem(sys.modules, "google.colab", object())
    assert env.in_colab() is True


def test_device_report_is_one_line_with_versions():
    import keras
    import tensorflow as tf

    report = env.device_report()
    assert "\n" not in report
    assert tf.__version__ in report and keras.__version__ in report
    assert ("GPU" in report) == env.gpu_available()


def test_seed_everything_makes_numpy_python_and_keras_repeatable():
    import keras

    def draw():
        return random.random(), np.random.rand(), float(keras.random.uniform(()).numpy())

    env.seed_everything(7)
    first = draw()
    env.seed_everything(7)
    assert draw() == first
    env.seed_everything(8)
    assert draw() != first


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True])
def test_seed_everything_rejects_bad_seeds(seed):
    with pytest.raises(ValueError, match="seed"):
        env.seed_everything(seed)


def test_benchmark_reference_is_none_or_a_full_run():
    reference = env.benchmark_reference()
    if reference is None:
        return
    assert reference["quick"] is False
    for key in ("machine", "widget_update_ms", "conv2d_vs_tf_ratio", "conv2d_loop_vs_tf_ratio",
                "conv2d_backward_vs_tf_ratio", "chapter_seconds", "book_build_seconds", "within_budget"):
        assert key in reference
