"""The draw-a-digit CNN of chapter 3: its network, its training on the full MNIST, its weights for the page.

The network is small enough that a plain JavaScript forward pass runs in
the reader's browser in a millisecond or two: two convolution modules of
5x5 filters (8 and 16 of them), each with ReLU and 2x2 max pooling, then a
dense layer to ten logits and a softmax; 11,274 parameters, 45 KB at
float32. :func:`trained_digit_cnn` trains it once on the full MNIST and
caches it; :class:`cnnbook.widgets.DrawDigit` runs it on what the reader
draws.
"""

import base64

import numpy as np

from . import _checks

__all__ = ["digit_cnn", "train_digit_cnn", "trained_digit_cnn", "preprocess_like_mnist"]

#: The layers whose weights go to the page, in order, with the kind of arithmetic each does.
_LAYERS = (("conv1", "conv"), ("conv2", "conv"), ("logits", "dense"))


def digit_cnn():
    """The draw-a-digit CNN (chapter 3): 8 and 16 filters of 5x5, then ten logits and a softmax.

    ``Conv(5x5, 8, same) -> ReLU -> MaxPool(2) -> Conv(5x5, 16, same) ->
    ReLU -> MaxPool(2) -> Flatten -> Dense(10)`` gives the logits; a
    separate ``Softmax`` layer turns them into probabilities, so the logits
    can be read off the layer ``"logits"``.

    Examples
    --------
    >>> digit_cnn().count_params()
    11274
    """
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),  # 28x28x1
            layers.Conv2D(8, 5, padding="same", activation="relu", name="conv1"),  # 28x28x8
            layers.MaxPooling2D(2, name="p1"),  # 14x14x8
            layers.Conv2D(16, 5, padding="same", activation="relu", name="conv2"),  # 14x14x16
            layers.MaxPooling2D(2, name="p2"),  # 7x7x16
            layers.Flatten(name="flatten"),  # 784
            layers.Dense(10, name="logits"),  # 10 scores
            layers.Softmax(name="probabilities"),
        ],
        name="digit_cnn",
    )


def train_digit_cnn(x, y, epochs=4, seed=0, batch_size=128, learning_rate=4e-3, decay=0.6):
    """Train :func:`digit_cnn` with Adam and the lecture's learning-rate decay (chapter 3).

    Seeds everything with ``seed``, then trains with the rate
    ``learning_rate * decay ** epoch`` (chapter 6's schedule) through
    :func:`cnnbook.models.fit`.

    Parameters
    ----------
    x, y : arrays
        Images ``(N, 28, 28, 1)`` in [0, 1] and integer labels 0-9.
    epochs, seed, batch_size, learning_rate
    decay : float in (0, 1]

    Returns
    -------
    model : keras.Model
    seconds : float
        Wall time of the training.
    """
    import keras

    from .env import seed_everything
    from .models import fit
    from .training import decay_schedule

    schedule = keras.callbacks.LearningRateScheduler(decay_schedule(learning_rate, decay))
    seed_everything(seed)
    model = digit_cnn()
    _, seconds = fit(
        model, x, y, epochs=epochs, batch_size=batch_size, learning_rate=learning_rate, callbacks=[schedule]
    )
    return model, seconds


def trained_digit_cnn(epochs=4, seed=0, batch_size=128, learning_rate=4e-3, decay=0.6):
    """:func:`digit_cnn` trained on the 60,000 MNIST training digits: loaded from the cache, or trained once.

    Chapter 3 calls it for the network of its draw-a-digit widget. The first
    call on a machine trains it with :func:`train_digit_cnn` (these
    settings are the cache key; about a minute on two CPU cores) and saves it
    under :func:`cnnbook.models.cache_dir`; later calls load it.

    Returns
    -------
    keras.Model
        Compiled and trained.
    """
    import keras

    from .data import load_mnist, to_model_input
    from .models import load_or_train

    epochs = _checks.integer(epochs, "epochs", minimum=1)
    settings = dict(epochs=epochs, seed=seed, batch_size=batch_size, learning_rate=learning_rate, decay=decay)
    name = "digit_cnn-e{epochs}-s{seed}-b{batch_size}-lr{learning_rate:g}-d{decay:g}-k{keras}.keras"

    def train():
        (x_train, y_train), _ = load_mnist(full=True)
        return train_digit_cnn(to_model_input(x_train), y_train, **settings)[0]

    return load_or_train(name.format(**settings, keras=keras.__version__), train)


def _export_weights(model):
    """The weights the page needs, as JSON-ready data: float32, little-endian, base64.

    ``{"layers": [{"name", "kind", "shape", "kernel", "bias"}, ...]}`` for
    ``conv1``, ``conv2`` and ``logits`` of a :func:`digit_cnn`, kernels in
    Keras's layout (``(rows, cols, in, out)`` and ``(in, out)``).
    """
    _checks.keras_model(model, "model")
    layers = []
    for name, kind in _LAYERS:
        try:
            kernel, bias = model.get_layer(name).get_weights()
        except ValueError:
            raise ValueError(
                f"model must be a digit_cnn() with a layer named {name!r}; {model.name!r} has none"
            ) from None
        layers.append(
            {
                "name": name,
                "kind": kind,
                "shape": [int(size) for size in kernel.shape],
                "kernel": _base64_float32(kernel),
                "bias": _base64_float32(bias),
            }
        )
    return {"layers": layers}


def _base64_float32(values):
    return base64.b64encode(np.ascontiguousarray(values, dtype="<f4").tobytes()).decode("ascii")


def preprocess_like_mnist(ink, box=20, size=28):
    """Scale and centre a drawing the way MNIST's digits were made (chapter 3).

    The bounding box of the ink is scaled, keeping its aspect ratio, so that
    its longer side is ``box`` pixels (each new pixel the mean of the area
    it covers), then placed in a ``size`` x ``size`` image so that its
    centre of mass lies at the image's centre, pixel index ``size // 2``
    (shifted by whole pixels; every MNIST digit's centre of mass rounds to
    row and column 14).
    The draw-a-digit widget does exactly this in JavaScript; this is the
    same arithmetic in numpy, for checking it.

    Parameters
    ----------
    ink : array_like, 2-D
        The drawing, 0 for background and up to 1 for ink, any size.
    box, size : int

    Returns
    -------
    numpy.ndarray
        ``(size, size)`` float32 in [0, 1]; all zeros for a drawing without ink.

    Examples
    --------
    >>> ink = np.zeros((100, 100)); ink[10:30, 60:65] = 1    # a short bar, high on the right
    >>> digit = preprocess_like_mnist(ink)
    >>> digit.shape, [int(i) for i in np.argwhere(digit > 0).mean(axis=0).round()]
    ((28, 28), [14, 14])
    """
    ink = _checks.array(ink, "ink", 2, "(rows, cols)")
    box = _checks.integer(box, "box", minimum=1)
    size = _checks.integer(size, "size", minimum=box)
    image = np.zeros((size, size), dtype=np.float32)
    rows, cols = np.nonzero(ink > 0)
    if rows.size == 0:
        return image
    ink = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1].astype(np.float64)
    scale = box / max(ink.shape)
    height, width = (max(1, _round_half_up(side * scale)) for side in ink.shape)
    patch = _area_weights(height, ink.shape[0]) @ ink @ _area_weights(width, ink.shape[1]).T
    total = patch.sum()
    centre_row = (patch.sum(axis=1) @ np.arange(height)) / total  # in pixel indices, as MNIST
    centre_col = (patch.sum(axis=0) @ np.arange(width)) / total
    top, left = _round_half_up(size // 2 - centre_row), _round_half_up(size // 2 - centre_col)
    rows, cols = slice(max(top, 0), min(top + height, size)), slice(max(left, 0), min(left + width, size))
    image[rows, cols] = patch[rows.start - top : rows.stop - top, cols.start - left : cols.stop - left]
    return np.clip(image, 0, 1)


def _round_half_up(value):
    """Round halves up, as the page does; a value within 1e-9 below a half counts as the half.

    Both sides compute the same sums in different orders, so an exact half
    (a centre of mass of 9.5) may come out a hair below it on one side.
    """
    return int(np.floor(value + 0.5 + 1e-9))


def _area_weights(target, source):
    """``(target, source)`` matrix: each target cell the mean of the source cells it overlaps (by overlap length)."""
    step = source / target
    starts = np.arange(target) * step
    edges = np.arange(source)
    overlap = np.clip(
        np.minimum(starts[:, None] + step, edges[None, :] + 1) - np.maximum(starts[:, None], edges[None, :]), 0, None
    )
    return overlap / step
