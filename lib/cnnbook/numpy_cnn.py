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

import numbers
import time

import numpy as np

from .conv import conv2d, max_pool2d
from .grad import conv2d_grad_input, conv2d_grad_kernel, max_pool2d_backward, relu_backward

__all__ = [
    "Conv2D",
    "Dense",
    "Flatten",
    "MaxPool2D",
    "NumpyCNN",
    "ReLU",
    "batch_indices",
    "digits_cnn",
    "softmax_cross_entropy",
    "to_keras",
    "train",
]


def _images(x, name="x"):
    """Validate a batch of images ``(N, H, W, C)`` of real numbers; return float64."""
    x = np.asarray(x)
    if x.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers; got dtype {x.dtype}")
    if x.ndim != 4 or x.size == 0:
        raise ValueError(f"{name} must be a non-empty batch (N, H, W, C); got shape {x.shape}")
    return x.astype(np.float64, copy=False)


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
        kernel = np.array(kernel, dtype=np.float64)
        bias = np.array(bias, dtype=np.float64)
        if kernel.ndim != 4:
            raise ValueError(f"kernel must have shape (kh, kw, C_in, C_out); got {kernel.shape}")
        if bias.shape != (kernel.shape[3],):
            raise ValueError(f"bias must have shape ({kernel.shape[3]},) (one per filter); got {bias.shape}")
        self.params = [kernel, bias]
        self.grads = [np.zeros_like(kernel), np.zeros_like(bias)]
        self.stride = stride
        self.padding = padding
        self.input_gradient = bool(input_gradient)
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
        self.size = size
        self.stride = stride
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
        weights = np.array(weights, dtype=np.float64)
        bias = np.array(bias, dtype=np.float64)
        if weights.ndim != 2:
            raise ValueError(f"weights must have shape (D_in, D_out); got {weights.shape}")
        if bias.shape != (weights.shape[1],):
            raise ValueError(f"bias must have shape ({weights.shape[1]},); got {bias.shape}")
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


def softmax_cross_entropy(logits, labels):
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
    >>> loss, dlogits, p = softmax_cross_entropy(np.zeros((1, 4)), [2])
    >>> round(loss, 6), float(p[0, 2])                # log(4), uniform
    (1.386294, 0.25)
    """
    logits = np.asarray(logits, dtype=np.float64)
    labels = np.asarray(labels)
    if logits.ndim != 2:
        raise ValueError(f"logits must have shape (N, classes); got {logits.shape}")
    if labels.shape != (logits.shape[0],) or labels.dtype.kind not in "iu":
        raise ValueError(f"labels must be {logits.shape[0]} ints; got shape {labels.shape}, dtype {labels.dtype}")
    if labels.min() < 0 or labels.max() >= logits.shape[1]:
        raise ValueError(f"labels must lie in 0..{logits.shape[1] - 1}; got {labels.min()}..{labels.max()}")
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    probabilities = np.exp(log_probabilities)
    rows = np.arange(logits.shape[0])
    loss = -log_probabilities[rows, labels].mean()
    dlogits = probabilities.copy()
    dlogits[rows, labels] -= 1.0
    return float(loss), dlogits / logits.shape[0], probabilities


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
            raise ValueError("layers must contain at least one layer")

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
        loss, dlogits, _ = softmax_cross_entropy(self.forward(x), labels)
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
        return np.concatenate([
            self.forward(x[start:start + batch_size]).argmax(axis=1)
            for start in range(0, len(x), batch_size)
        ])

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
    for name, value in (("filters", filters), ("kernel_size", kernel_size),
                        ("pool_size", pool_size), ("num_classes", num_classes), ("seed", seed)):
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < (0 if name == "seed" else 1):
            raise ValueError(f"{name} must be a positive int; got {value!r}")
    if len(input_shape) != 3:
        raise ValueError(f"input_shape must be (rows, cols, channels); got {input_shape!r}")
    rows, cols, channels = input_shape
    conv_rows, conv_cols = rows - kernel_size + 1, cols - kernel_size + 1
    pooled_rows, pooled_cols = conv_rows // pool_size, conv_cols // pool_size
    if pooled_rows < 1 or pooled_cols < 1:
        raise ValueError(f"input_shape {input_shape} is too small for a {kernel_size}x{kernel_size} "
                         f"kernel and {pool_size}x{pool_size} pooling")
    rng = np.random.default_rng(seed)
    kernel = _glorot_uniform(rng, (kernel_size, kernel_size, channels, filters),
                             kernel_size * kernel_size * channels, kernel_size * kernel_size * filters)
    features = pooled_rows * pooled_cols * filters
    weights = _glorot_uniform(rng, (features, num_classes), features, num_classes)
    return NumpyCNN([
        Conv2D(kernel, np.zeros(filters), input_gradient=False),  # (N, 8, 8, 1) -> (N, 6, 6, 8)
        ReLU(),
        MaxPool2D(pool_size),                                      # -> (N, 3, 3, 8)
        Flatten(),                                                 # -> (N, 72)
        Dense(weights, np.zeros(num_classes)),                     # -> (N, 10) logits
    ])


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
    for name, value in (("n", n), ("batch_size", batch_size), ("epochs", epochs)):
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive int; got {value!r}")
    rng = np.random.default_rng(seed)
    schedule = []
    for _ in range(epochs):
        order = rng.permutation(n)
        schedule.append([order[start:start + batch_size] for start in range(0, n, batch_size)])
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
    ValueError
        If ``x`` and ``y`` do not match.
    """
    x = _images(x)
    y = np.asarray(y)
    if y.shape != (len(x),):
        raise ValueError(f"y must have one label per image, shape ({len(x)},); got {y.shape}")
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
    if len(input_shape) != 3:
        raise ValueError(f"input_shape must be (rows, cols, channels); got {input_shape!r}")
    inputs = keras.Input(shape=tuple(input_shape), dtype="float64")
    out = inputs
    weights = []
    for layer in model.layers:
        if isinstance(layer, Conv2D):
            if layer.padding not in ("valid", "same"):
                raise ValueError(f"Keras supports padding 'valid' or 'same'; this layer has {layer.padding!r}")
            kernel = layer.params[0]
            out = keras.layers.Conv2D(kernel.shape[3], kernel.shape[:2], strides=layer.stride,
                                      padding=layer.padding, dtype="float64")(out)
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
