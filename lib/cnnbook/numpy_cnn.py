"""A small CNN written with numpy only: layers, loss, SGD training, a Keras twin.

Chapter 5 ("The gradient of convolution") trains it on the 8x8 digits to
show that the backward passes of :mod:`cnnbook.grad` are all a network needs.
The forward passes are :func:`cnnbook.conv.conv2d` and
:func:`cnnbook.conv.max_pool2d`; the backward passes are
:func:`cnnbook.grad.conv2d_grad_kernel`, :func:`cnnbook.grad.conv2d_grad_input`,
:func:`cnnbook.grad.relu_backward` and :func:`cnnbook.grad.max_pool2d_backward`.

Every layer works on a batch ``(N, H, W, C)`` (channels last, as Keras) and
has ``forward(x)`` (which remembers what its backward pass needs),
``backward(dout)`` (returns ``dL/dx`` and stores the parameter gradients in
``grads``), and lists ``params`` / ``grads`` (empty for layers without
parameters). :func:`to_keras` builds the same network in Keras (float64) with
the same weights, to check the numpy training step by step.
"""

import time

import numpy as np

from . import _checks
from .conv import conv2d, max_pool2d
from .grad import (
    conv2d_grad_input,
    conv2d_grad_kernel,
    max_pool2d_backward,
    relu_backward,
)

__all__ = [
    "Conv2D",
    "Dense",
    "Flatten",
    "MaxPool2D",
    "NumpyCNN",
    "ReLU",
    "batch_indices",
    "digits_cnn",
    "to_keras",
    "train",
]


def _images(x, name="x"):
    """Validate a batch of images ``(N, H, W, C)`` of real numbers; return float64."""
    x = _checks.array(x, name, 4, "a batch (N, H, W, C)", dtype=np.float64)
    _checks.channels_last(x, name)
    return x


def _labels(labels, name, count, classes):
    """Class labels as ints: one per example, each in ``0 .. classes - 1``."""
    labels = _checks.array(labels, name, 1, "(N,) class labels", kinds="iu")
    _checks.same_shape(labels, (count,), name, "one label per example")
    if labels.min() < 0 or labels.max() >= classes:
        raise ValueError(
            f"{name} must lie in 0..{classes - 1} (the model has {classes} classes); got {labels.min()}..{labels.max()}"
        )
    return labels


def _per_channel(pool, x):
    """Apply a one-image pooling function to a batch by folding N into the channels."""
    n, height, width, channels = x.shape
    pooled = pool(x.transpose(1, 2, 0, 3).reshape(height, width, n * channels))
    return pooled.reshape(pooled.shape[0], pooled.shape[1], n, channels).transpose(2, 0, 1, 3)


class Conv2D:
    """Convolution layer with bias: ``conv2d(x, kernel, stride, padding) + bias``.

    Chapter 5 ("The gradient of convolution"). The backward pass is the two
    convolutions of the lecture: the filter update (always) and the new
    sensitivity ``dL/dx``, which the first layer of a network can skip
    (``input_gradient=False``): nothing below it has weights.

    Parameters
    ----------
    kernel : array_like, shape (kh, kw, C_in, C_out)
    bias : array_like, shape (C_out,)
    stride : int, default 1
    padding : {"valid", "same"} or int, default "valid"
        As in :func:`cnnbook.conv.conv2d`.
    input_gradient : bool, default True
        False: ``backward`` returns None and skips the second convolution.

    Raises
    ------
    ValueError
        If ``kernel`` is not 4-D or ``bias`` does not have ``C_out`` entries.
    """

    def __init__(self, kernel, bias, stride=1, padding="valid", input_gradient=True):
        kernel = _checks.array(kernel, "kernel", 4, "(kh, kw, C_in, C_out)").astype(np.float64)
        bias = _checks.array(bias, "bias", 1, "(C_out,)").astype(np.float64)
        _checks.same_shape(bias, kernel.shape[3:], "bias", "the kernel's filters (C_out,)")
        self.params = [kernel, bias]
        self.grads = [np.zeros_like(kernel), np.zeros_like(bias)]
        self.stride = _checks.integer(stride, "stride", minimum=1)
        self.padding = _checks.padding(padding)
        self.input_gradient = _checks.boolean(input_gradient, "input_gradient")
        self._x = None

    def forward(self, x):
        """``(N, H, W, C_in) -> (N, H', W', C_out)``: one ``conv2d`` per image."""
        x = _images(x)
        self._x = x
        kernel, bias = self.params
        out = np.stack([conv2d(image, kernel, stride=self.stride, padding=self.padding) for image in x])
        return out + bias

    def backward(self, dout):
        """Store ``[dL/dkernel, dL/dbias]`` in ``grads``; return ``dL/dx`` (or None)."""
        kernel, _ = self.params
        self.grads[0] = conv2d_grad_kernel(self._x, dout, kernel.shape, stride=self.stride, padding=self.padding)
        self.grads[1] = np.sum(dout, axis=(0, 1, 2))
        if not self.input_gradient:
            return None
        return conv2d_grad_input(kernel, dout, self._x.shape, stride=self.stride, padding=self.padding)


class ReLU:
    """``max(x, 0)``; backward passes the gradient where ``x > 0`` (chapter 5)."""

    params = ()
    grads = ()

    def __init__(self):
        self._x = None

    def forward(self, x):
        self._x = np.asarray(x, dtype=np.float64)
        return np.maximum(self._x, 0.0)

    def backward(self, dout):
        return relu_backward(self._x, dout)


class MaxPool2D:
    """Max pooling (no padding); backward routes each gradient to its window's arg-max (chapter 5).

    Parameters
    ----------
    size : int, default 2
    stride : int, optional
        Defaults to ``size``.
    """

    params = ()
    grads = ()

    def __init__(self, size=2, stride=None):
        self.size = _checks.integer(size, "size", minimum=1)
        self.stride = self.size if stride is None else _checks.integer(stride, "stride", minimum=1)
        self._x = None

    def forward(self, x):
        self._x = _images(x)
        return _per_channel(lambda a: max_pool2d(a, self.size, self.stride), self._x)

    def backward(self, dout):
        return max_pool2d_backward(self._x, dout, self.size, self.stride)


class Flatten:
    """``(N, H, W, C) -> (N, H * W * C)`` in row-major order, as ``keras.layers.Flatten``."""

    params = ()
    grads = ()

    def __init__(self):
        self._shape = None

    def forward(self, x):
        x = np.asarray(x, dtype=np.float64)
        self._shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout):
        return np.asarray(dout).reshape(self._shape)


class Dense:
    """Fully connected layer ``x @ weights + bias`` (chapter 5).

    Parameters
    ----------
    weights : array_like, shape (D_in, D_out)
    bias : array_like, shape (D_out,)
    """

    def __init__(self, weights, bias):
        weights = _checks.array(weights, "weights", 2, "(D_in, D_out)").astype(np.float64)
        bias = _checks.array(bias, "bias", 1, "(D_out,)").astype(np.float64)
        _checks.same_shape(bias, weights.shape[1:], "bias", "the units (D_out,)")
        self.params = [weights, bias]
        self.grads = [np.zeros_like(weights), np.zeros_like(bias)]
        self._x = None

    def forward(self, x):
        self._x = np.asarray(x, dtype=np.float64)
        weights, bias = self.params
        return self._x @ weights + bias

    def backward(self, dout):
        weights, _ = self.params
        self.grads[0] = self._x.T @ dout
        self.grads[1] = np.sum(dout, axis=0)
        return dout @ weights.T


def _softmax_cross_entropy(logits, labels):
    """Mean cross-entropy of softmax(logits) and its gradient with respect to the logits.

    Chapter 5 ("The gradient of convolution"): the gradient is
    ``(softmax(logits) - one_hot(labels)) / N``, where everything the
    layers below need starts.

    Parameters
    ----------
    logits : array_like, shape (N, classes)
    labels : array_like of int, shape (N,)
        Values in ``0 .. classes - 1``.

    Returns
    -------
    loss : float
    dlogits : numpy.ndarray, shape (N, classes)
    probabilities : numpy.ndarray, shape (N, classes)

    Raises
    ------
    ValueError
        If the shapes do not match or a label is out of range.

    Examples
    --------
    >>> loss, dlogits, p = _softmax_cross_entropy(np.zeros((1, 4)), [2])
    >>> round(loss, 6), float(p[0, 2])                # log(4), uniform
    (1.386294, 0.25)
    """
    logits = _checks.array(logits, "logits", 2, "(N, classes)", finite=False, dtype=np.float64)
    labels = _labels(labels, "labels", logits.shape[0], logits.shape[1])
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    probabilities = np.exp(log_probabilities)
    rows = np.arange(logits.shape[0])
    loss = -log_probabilities[rows, labels].mean()
    dlogits = probabilities.copy()
    dlogits[rows, labels] -= 1.0
    return float(loss), dlogits / logits.shape[0], probabilities


_LAYERS = (Conv2D, ReLU, MaxPool2D, Flatten, Dense)


class NumpyCNN:
    """A stack of the layers above ending in logits; trained with softmax cross-entropy.

    Chapter 5 ("The gradient of convolution").

    Parameters
    ----------
    layers : sequence
        Layer objects (:class:`Conv2D`, :class:`ReLU`, :class:`MaxPool2D`,
        :class:`Flatten`, :class:`Dense`), the last one giving the logits.
    """

    def __init__(self, layers):
        self.layers = list(layers)
        if not self.layers:
            raise ValueError("layers must contain at least one layer; got an empty sequence")
        for index, layer in enumerate(self.layers):
            if not isinstance(layer, _LAYERS):
                names = ", ".join(kind.__name__ for kind in _LAYERS)
                raise TypeError(f"layers[{index}] must be one of {names}; got {type(layer).__name__}")

    def forward(self, x):
        """Logits ``(N, classes)`` for a batch ``(N, H, W, C)``."""
        out = _images(x)
        for layer in self.layers:
            out = layer.forward(out)
        return out

    def backward(self, dlogits):
        """Run every layer's backward pass from ``dL/dlogits`` down (fills the ``grads``)."""
        grad = dlogits
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
            if grad is None:  # a first layer that skips dL/dx
                break

    def loss_and_gradients(self, x, labels):
        """Forward and backward on one batch; return the mean loss (gradients are in ``grads``)."""
        loss, dlogits, _ = _softmax_cross_entropy(self.forward(x), labels)
        self.backward(dlogits)
        return loss

    def parameters(self):
        """``[(param, grad), ...]`` over all layers, in order (kernel/weights, then bias)."""
        return [(param, grad) for layer in self.layers for param, grad in zip(layer.params, layer.grads)]

    def train_step(self, x, labels, learning_rate):
        """One plain SGD step on a batch; return the batch loss before the step."""
        loss = self.loss_and_gradients(x, labels)
        for layer in self.layers:
            for param, grad in zip(layer.params, layer.grads):
                param -= learning_rate * grad
        return loss

    def predict(self, x, batch_size=256):
        """Predicted class of every image."""
        x = _images(x)
        return np.concatenate(
            [self.forward(x[start : start + batch_size]).argmax(axis=1) for start in range(0, len(x), batch_size)]
        )

    def accuracy(self, x, labels):
        """Fraction of images classified correctly."""
        return float(np.mean(self.predict(x) == np.asarray(labels)))


def _glorot_uniform(rng, shape, fan_in, fan_out):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape)


def digits_cnn(filters=8, kernel_size=3, pool_size=2, num_classes=10, input_shape=(8, 8, 1), seed=0):
    """The chapter 5 network: conv -> ReLU -> max-pool -> flatten -> dense (logits).

    Chapter 5 ("The gradient of convolution") trains it on the 8x8 digits.
    Weights are drawn like Keras' defaults (Glorot uniform, zero biases) from
    ``numpy.random.default_rng(seed)``, so the same seed gives the same
    network. The first convolution skips ``dL/dx`` (nothing below it learns).

    Parameters
    ----------
    filters : int, default 8
    kernel_size : int, default 3
    pool_size : int, default 2
    num_classes : int, default 10
    input_shape : tuple of int, default (8, 8, 1)
        ``(rows, cols, channels)``.
    seed : int, default 0

    Returns
    -------
    NumpyCNN

    Raises
    ------
    ValueError
        If a size is not a positive int or the layers do not fit the input.

    Examples
    --------
    >>> model = digits_cnn()
    >>> model.forward(np.zeros((2, 8, 8, 1))).shape
    (2, 10)
    """
    filters = _checks.integer(filters, "filters", minimum=1)
    kernel_size = _checks.integer(kernel_size, "kernel_size", minimum=1)
    pool_size = _checks.integer(pool_size, "pool_size", minimum=1)
    num_classes = _checks.integer(num_classes, "num_classes", minimum=1)
    seed = _checks.integer(seed, "seed", minimum=0)
    rows, cols, channels = _checks.shape(input_shape, "input_shape", 3, "(rows, cols, channels)")
    conv_rows, conv_cols = rows - kernel_size + 1, cols - kernel_size + 1
    pooled_rows, pooled_cols = conv_rows // pool_size, conv_cols // pool_size
    if pooled_rows < 1 or pooled_cols < 1:
        raise ValueError(
            f"input_shape {input_shape} is too small for a {kernel_size}x{kernel_size} "
            f"kernel and {pool_size}x{pool_size} pooling"
        )
    rng = np.random.default_rng(seed)
    kernel = _glorot_uniform(
        rng,
        (kernel_size, kernel_size, channels, filters),
        kernel_size * kernel_size * channels,
        kernel_size * kernel_size * filters,
    )
    features = pooled_rows * pooled_cols * filters
    weights = _glorot_uniform(rng, (features, num_classes), features, num_classes)
    return NumpyCNN(
        [
            Conv2D(kernel, np.zeros(filters), input_gradient=False),  # (N, 8, 8, 1) -> (N, 6, 6, 8)
            ReLU(),
            MaxPool2D(pool_size),  # -> (N, 3, 3, 8)
            Flatten(),  # -> (N, 72)
            Dense(weights, np.zeros(num_classes)),  # -> (N, 10) logits
        ]
    )


def batch_indices(n, batch_size, epochs, seed=0):
    """The mini-batches of a training run: one shuffled list of index arrays per epoch.

    Chapter 5 feeds the same batches to the numpy network and its Keras twin.

    Parameters
    ----------
    n : int
        Number of training examples.
    batch_size : int
    epochs : int
    seed : int, default 0

    Returns
    -------
    list of lists of numpy.ndarray
        ``result[epoch][step]`` holds the indices of that batch (the last batch
        of an epoch may be smaller).

    Examples
    --------
    >>> [len(b) for b in batch_indices(10, 4, epochs=1)[0]]
    [4, 4, 2]
    """
    n = _checks.integer(n, "n", minimum=1)
    batch_size = _checks.integer(batch_size, "batch_size", minimum=1)
    epochs = _checks.integer(epochs, "epochs", minimum=1)
    seed = _checks.integer(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    schedule = []
    for _ in range(epochs):
        order = rng.permutation(n)
        schedule.append([order[start : start + batch_size] for start in range(0, n, batch_size)])
    return schedule


def train(model, x, y, epochs, batch_size=32, learning_rate=0.1, seed=0, validation_data=None, log=None):
    """Train a :class:`NumpyCNN` with plain mini-batch SGD.

    Chapter 5 ("The gradient of convolution").

    Parameters
    ----------
    model : NumpyCNN
    x : array_like, shape (N, H, W, C)
    y : array_like of int, shape (N,)
    epochs, batch_size : int
    learning_rate : float, default 0.1
    seed : int, default 0
        Seed of the batch order (:func:`batch_indices`).
    validation_data : (x_val, y_val), optional
        Evaluated after every epoch.
    log : callable, optional
        Called with one line of text after every epoch (e.g. ``print``).

    Returns
    -------
    dict
        ``"step_loss"`` (loss of every batch), ``"loss"`` (mean per epoch),
        ``"accuracy"`` (training accuracy per epoch), ``"val_accuracy"`` (if
        validation data), ``"seconds"`` (wall time of the whole run).

    Raises
    ------
    TypeError, ValueError
        If any argument is wrong: every one is checked before the first step
        (the images by one forward pass through ``model``, the labels against
        its number of classes, the validation data like the training data).
    """
    if not isinstance(model, NumpyCNN):
        raise TypeError(f"model must be a NumpyCNN (e.g. from digits_cnn()); got {type(model).__name__}")
    x = _images(x)
    classes = model.forward(x[:1]).shape[1]
    y = _labels(y, "y", len(x), classes)
    epochs = _checks.integer(epochs, "epochs", minimum=1)
    batch_size = _checks.integer(batch_size, "batch_size", minimum=1)
    learning_rate = _checks.number(learning_rate, "learning_rate", positive=True)
    seed = _checks.integer(seed, "seed", minimum=0)
    if log is not None:
        _checks.function(log, "log", "a callable taking one line of text (e.g. print) or None")
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise TypeError(
                f"validation_data must be a pair (x_val, y_val) or None; got {type(validation_data).__name__}"
            )
        x_val = _images(validation_data[0], "validation_data[0]")
        _checks.same_shape(x_val[0], x.shape[1:], "validation_data[0][0]", "one training image")
        validation_data = (x_val, _labels(validation_data[1], "validation_data[1]", len(x_val), classes))
    history = {"step_loss": [], "loss": [], "accuracy": []}
    if validation_data is not None:
        history["val_accuracy"] = []
    start = time.perf_counter()
    for epoch, batches in enumerate(batch_indices(len(x), batch_size, epochs, seed), start=1):
        losses = [model.train_step(x[index], y[index], learning_rate) for index in batches]
        history["step_loss"].extend(losses)
        history["loss"].append(float(np.mean(losses)))
        history["accuracy"].append(model.accuracy(x, y))
        line = f"epoch {epoch:2d}: loss {history['loss'][-1]:.4f}, accuracy {history['accuracy'][-1]:.3f}"
        if validation_data is not None:
            history["val_accuracy"].append(model.accuracy(*validation_data))
            line += f", val_accuracy {history['val_accuracy'][-1]:.3f}"
        if log is not None:
            log(line)
    history["seconds"] = time.perf_counter() - start
    return history


def to_keras(model, input_shape):
    """The same network in Keras (float64) with a copy of the numpy weights.

    Chapter 5 ("The gradient of convolution") trains both on the same
    batches to check the numpy gradients step by step. The last
    :class:`Dense` layer gets the softmax (the numpy network applies it in
    the loss).

    Parameters
    ----------
    model : NumpyCNN
        Its convolutions must use ``"valid"`` or ``"same"`` padding (Keras
        has no other padding) and its last layer must be a :class:`Dense`.
    input_shape : tuple of int
        ``(rows, cols, channels)`` of one image.

    Returns
    -------
    keras.Model
        Uncompiled, input ``(H, W, C)`` float64, output probabilities.

    Raises
    ------
    ValueError
        For a layer or a padding Keras cannot express.
    """
    import keras

    if not isinstance(model.layers[-1], Dense):
        raise ValueError("the last layer must be a Dense layer (it gets the softmax)")
    input_shape = _checks.shape(input_shape, "input_shape", 3, "(rows, cols, channels)")
    inputs = keras.Input(shape=tuple(input_shape), dtype="float64")
    out = inputs
    weights = []
    for layer in model.layers:
        if isinstance(layer, Conv2D):
            if layer.padding not in ("valid", "same"):
                raise ValueError(f"Keras supports padding 'valid' or 'same'; this layer has {layer.padding!r}")
            kernel = layer.params[0]
            out = keras.layers.Conv2D(
                kernel.shape[3], kernel.shape[:2], strides=layer.stride, padding=layer.padding, dtype="float64"
            )(out)
        elif isinstance(layer, ReLU):
            out = keras.layers.ReLU(dtype="float64")(out)
        elif isinstance(layer, MaxPool2D):
            out = keras.layers.MaxPooling2D(layer.size, strides=layer.stride, dtype="float64")(out)
        elif isinstance(layer, Flatten):
            out = keras.layers.Flatten(dtype="float64")(out)
        elif isinstance(layer, Dense):
            activation = "softmax" if layer is model.layers[-1] else None
            out = keras.layers.Dense(layer.params[0].shape[1], activation=activation, dtype="float64")(out)
        else:
            raise ValueError(f"no Keras equivalent for layer {type(layer).__name__}")
        weights.extend(np.array(param) for param in layer.params)
    twin = keras.Model(inputs, out, name="numpy_cnn_twin")
    twin.set_weights(weights)
    return twin
