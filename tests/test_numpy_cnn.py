"""Tests of the numpy CNN: layer gradients, loss, training, and its Keras twin."""

import numpy as np
import pytest

from cnnbook.grad import check_gradient
from cnnbook.numpy_cnn import (
    Conv2D,
    Dense,
    Flatten,
    MaxPool2D,
    NumpyCNN,
    ReLU,
    _softmax_cross_entropy,
    batch_indices,
    digits_cnn,
    to_keras,
    train,
)


def small_network(rng, padding="valid", stride=1):
    """conv -> ReLU -> pool -> conv -> flatten -> dense, on 7x7x2 images."""
    conv1 = Conv2D(rng.standard_normal((3, 3, 2, 3)), rng.standard_normal(3), padding=padding, stride=stride)
    conv2 = Conv2D(rng.standard_normal((2, 2, 3, 2)), rng.standard_normal(2))
    model = NumpyCNN([conv1, ReLU(), MaxPool2D(2, 1), conv2, Flatten()])
    features = model.forward(np.zeros((1, 7, 7, 2))).shape[1]
    model.layers.append(Dense(rng.standard_normal((features, 4)), rng.standard_normal(4)))
    return model


@pytest.mark.parametrize("padding, stride", [("valid", 1), ("same", 1), ("same", 2), (1, 2)])
def test_every_parameter_gradient_matches_finite_differences(padding, stride):
    rng = np.random.default_rng(0)
    model = small_network(rng, padding, stride)
    x = rng.standard_normal((3, 7, 7, 2))
    labels = np.array([0, 3, 1])
    model.loss_and_gradients(x, labels)
    for param, grad in model.parameters():
        analytic = grad.copy()

        def loss_at(value, param=param):
            saved = param.copy()
            param[...] = value
            loss = _softmax_cross_entropy(model.forward(x), labels)[0]
            param[...] = saved
            return loss

        assert check_gradient(loss_at, param.copy(), analytic) < 1e-7


def test_input_gradient_of_the_network_matches_finite_differences():
    rng = np.random.default_rng(1)
    model = small_network(rng)
    x = rng.standard_normal((2, 7, 7, 2))
    labels = np.array([2, 1])
    _, dlogits, _ = _softmax_cross_entropy(model.forward(x), labels)
    grad = dlogits
    for layer in reversed(model.layers):
        grad = layer.backward(grad)
    assert check_gradient(lambda v: _softmax_cross_entropy(model.forward(v), labels)[0], x, grad) < 1e-7


def test_first_layer_can_skip_the_input_gradient():
    rng = np.random.default_rng(2)
    kernel, bias = rng.standard_normal((3, 3, 1, 2)), rng.standard_normal(2)
    x = rng.standard_normal((2, 5, 5, 1))
    dout = rng.standard_normal((2, 3, 3, 2))
    full, skipping = Conv2D(kernel, bias), Conv2D(kernel, bias, input_gradient=False)
    full.forward(x)
    skipping.forward(x)
    assert full.backward(dout).shape == x.shape
    assert skipping.backward(dout) is None
    np.testing.assert_array_equal(full.grads[0], skipping.grads[0])
    np.testing.assert_array_equal(full.grads[1], dout.sum(axis=(0, 1, 2)))


def test_softmax_cross_entropy_value_and_gradient():
    logits = np.array([[2.0, 1.0, 0.1], [0.5, 0.5, 3.0]])
    labels = np.array([0, 2])
    loss, dlogits, probabilities = _softmax_cross_entropy(logits, labels)
    expected = -np.mean(np.log(np.exp(logits[[0, 1], labels]) / np.exp(logits).sum(axis=1)))
    assert np.isclose(loss, expected)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    assert check_gradient(lambda v: _softmax_cross_entropy(v, labels)[0], logits, dlogits) < 1e-8
    # Large logits do not overflow.
    assert np.isfinite(_softmax_cross_entropy(np.array([[1000.0, 0.0]]), np.array([1]))[0])


def test_batch_indices_cover_every_example_once_per_epoch():
    schedule = batch_indices(103, 16, epochs=3, seed=5)
    assert len(schedule) == 3
    for batches in schedule:
        assert sorted(np.concatenate(batches).tolist()) == list(range(103))
        assert [len(b) for b in batches] == [16] * 6 + [7]
    assert not np.array_equal(schedule[0][0], schedule[1][0])
    np.testing.assert_array_equal(batch_indices(103, 16, 3, seed=5)[2][1], schedule[2][1])


def test_digits_cnn_is_deterministic_and_shaped_like_the_chapter():
    first, second = digits_cnn(seed=3), digits_cnn(seed=3)
    for (a, _), (b, _) in zip(first.parameters(), second.parameters()):
        np.testing.assert_array_equal(a, b)
    shapes = [param.shape for param, _ in first.parameters()]
    assert shapes == [(3, 3, 1, 8), (8,), (72, 10), (10,)]
    assert first.layers[0].input_gradient is False


def test_training_learns_the_digits():
    from cnnbook.data import load_digits_8x8

    images, labels = load_digits_8x8()
    x = (images / 16.0)[:600, :, :, np.newaxis]
    y = labels[:600]
    model = digits_cnn(seed=0)
    history = train(
        model, x[:500], y[:500], epochs=8, batch_size=16, learning_rate=0.125, validation_data=(x[500:], y[500:])
    )
    assert len(history["step_loss"]) == 8 * 32
    assert history["loss"][-1] < 0.2 * history["loss"][0]
    # Plain SGD with this step size wobbles from epoch to epoch; the best epoch is far above chance.
    assert max(history["val_accuracy"]) > 0.75


def test_keras_twin_has_the_same_outputs_and_the_same_sgd_steps():
    import keras

    rng = np.random.default_rng(0)
    x = rng.random((40, 8, 8, 1))
    y = rng.integers(0, 10, 40)
    model = digits_cnn(filters=4, seed=1)
    twin = to_keras(model, (8, 8, 1))
    probabilities = _softmax_cross_entropy(model.forward(x), y)[2]
    # Call the model directly: predict() would cast the float64 images to float32.
    np.testing.assert_allclose(np.asarray(twin(x)), probabilities, rtol=0, atol=1e-12)
    # A power-of-two learning rate is exact in Keras' float32 learning-rate variable.
    twin.compile(
        optimizer=keras.optimizers.SGD(learning_rate=0.125),
        loss=keras.losses.SparseCategoricalCrossentropy(dtype="float64"),
    )
    loss = keras.losses.SparseCategoricalCrossentropy(dtype="float64")
    for index in batch_indices(40, 8, epochs=1, seed=0)[0]:
        # The batch's loss before the step, from the twin itself: train_on_batch's return value
        # is a running mean over the epoch in Keras 3.13 (Colab's), the batch's own loss in 3.15.
        keras_loss = float(loss(y[index], twin(x[index])))
        numpy_loss = model.train_step(x[index], y[index], 0.125)
        twin.train_on_batch(x[index], y[index])
        assert abs(numpy_loss - keras_loss) < 1e-12
    for (param, _), weights in zip(model.parameters(), twin.get_weights()):
        np.testing.assert_allclose(param, weights, rtol=0, atol=1e-12)
