"""cnnbook.widgets.adversarial: driven without a browser by setting control values."""

import io

import numpy as np
import pytest
from PIL import Image

from cnnbook import interpret, models
from cnnbook.data import load_mnist_sample, to_model_input
from cnnbook.env import seed_everything
from cnnbook.widgets.adversarial import AdversarialExplorer


@pytest.fixture(scope="module")
def model():
    (x_train, y_train), _ = load_mnist_sample()
    seed_everything(0)
    cnn = models.small_cnn(filters=(4, 8), dense=16)
    models.fit(cnn, to_model_input(x_train[:600]), y_train[:600], epochs=2)
    return cnn


@pytest.fixture(scope="module")
def digits():
    _, (x_test, y_test) = load_mnist_sample()
    return x_test[:6], y_test[:6]


@pytest.fixture
def explorer(model, digits):
    return AdversarialExplorer(model, *digits)


def png_size(data):
    return Image.open(io.BytesIO(data)).size


def shown_prediction(explorer):
    text = explorer.info.value
    return int(text.split("predicted <b>")[1].split("<")[0])


def test_first_view(explorer, digits):
    assert explorer.index == 0 and explorer.epsilon_slider.value == pytest.approx(0.1)
    for image in (explorer.original_image, explorer.perturbation_image, explorer.adversarial_image):
        assert png_size(image.value) == (168, 168)
    assert f"true class <b>{digits[1][0]}</b>" in explorer.info.value
    assert explorer.error == ""


def test_an_epsilon_change_shows_the_fgsm_image_and_its_prediction(explorer, model, digits):
    images, labels = digits
    explorer.index_box.value = 2
    explorer.epsilon_slider.value = 0.25
    expected = interpret.fgsm(model, images[2:3, :, :, None] / 255.0, labels[2:3], 0.25)[0]
    np.testing.assert_allclose(explorer.adversarial(0.25), expected, atol=1e-6)
    assert shown_prediction(explorer) == int(np.argmax(model.predict(expected[None], verbose=0)))
    largest = np.abs(expected - images[2, :, :, None] / 255.0).max()
    assert f"largest pixel change {largest:.3f}" in explorer.info.value and largest <= 0.25 + 1e-6
    probabilities = explorer.probabilities(expected)
    assert probabilities.shape == (10,) and probabilities.sum() == pytest.approx(1, abs=1e-5)


def test_zero_epsilon_leaves_the_digit_unchanged(explorer, model, digits):
    images, _ = digits
    explorer.epsilon_slider.value = 0.0
    np.testing.assert_allclose(explorer.adversarial(0.0), images[0, :, :, None] / 255.0, atol=1e-7)
    assert "largest pixel change 0.000" in explorer.info.value
    assert shown_prediction(explorer) == int(np.argmax(model.predict(images[:1, :, :, None] / 255.0, verbose=0)))


def test_the_gradient_sign_is_computed_once_per_digit(explorer, monkeypatch):
    calls = []
    original = interpret._loss_gradient_sign
    monkeypatch.setattr(interpret, "_loss_gradient_sign", lambda *args: calls.append(1) or original(*args))
    for epsilon in (0.05, 0.15, 0.3, 0.0):
        explorer.epsilon_slider.value = epsilon
    assert calls == []  # digit 0 was prepared in __init__
    explorer.index_box.value = 4
    explorer.epsilon_slider.value = 0.2
    explorer.index_box.value = 0
    explorer.index_box.value = 4
    assert len(calls) == 1


def test_a_bad_typed_index_shows_a_message_and_keeps_the_digit(explorer):
    explorer.index_box.value = 3
    before = explorer.info.value
    explorer.index_box.value = 99
    assert "digit must be an int from 0 to 5; got 99" in explorer.error
    assert explorer.index == 3 and explorer.index_box.value == 3 and explorer.info.value == before
    explorer.index_box.value = -1
    assert "got -1" in explorer.error
    explorer.index_box.value = 1
    assert explorer.error == "" and explorer.index == 1


def test_a_nan_epsilon_is_refused(explorer):
    before = explorer.info.value
    explorer.epsilon_slider.value = float("nan")
    assert "epsilon must be a finite number from 0 to 0.3; got nan" in explorer.error
    assert explorer.info.value == before and "nan" not in explorer.info.value
    assert explorer.epsilon_slider.value == explorer.state()["epsilon"]
    explorer.epsilon_slider.value = 0.2
    assert explorer.error == ""


def test_fallback_is_a_frame_animation(explorer):
    page = explorer._build_standin(steps=4)
    assert 'class="cnnbook-animation"' in page and page.count("<img") == 4
    assert "epsilon from 0 to 0.3" in page


def test_benchmark_actions_step_epsilon_and_digit(explorer):
    next_epsilon, next_digit = explorer.benchmark_actions()
    explorer.epsilon_slider.value = 0.29
    next_epsilon()
    assert explorer.epsilon_slider.value == pytest.approx(0.3)
    next_epsilon()
    assert explorer.epsilon_slider.value == 0.0
    explorer.index_box.value = 5
    next_digit()
    assert explorer.index == 0


def test_constructor_validates_its_arguments(model, digits):
    images, labels = digits
    with pytest.raises(ValueError, match=r"labels must hold one class from 0 to 9 per image \(6\); got 3 labels"):
        AdversarialExplorer(model, images, labels[:3])
    with pytest.raises(ValueError, match="epsilon_max must be a finite number > 0 and <= 1; got 0.0"):
        AdversarialExplorer(model, images, labels, epsilon_max=0)
    with pytest.raises(ValueError, match="index must be an int from 0 to 5; got 6"):
        AdversarialExplorer(model, images, labels, index=6)
    with pytest.raises(ValueError, match="images|input"):
        AdversarialExplorer(model, np.zeros((2, 14, 14)), [0, 1])
    with pytest.raises(ValueError, match="images is a float image with values up to 3"):
        AdversarialExplorer(model, np.full((2, 28, 28), 3.0), [0, 1])


def test_example_uses_the_chapter_6_model(monkeypatch, model):
    monkeypatch.setattr(models, "trained_lecture_cnn", lambda: model)
    explorer = AdversarialExplorer.example()
    assert len(explorer.images) == 20 and explorer.model is model
