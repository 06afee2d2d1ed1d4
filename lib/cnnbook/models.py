"""The Keras models the chapters train, and a compact way to train them.

Models are written one layer a line, channels-last, starting with
``keras.Input`` (Keras 3 style).
"""

import functools
import os
import pathlib
import time

from . import _checks

__all__ = [
    "small_cnn",
    "lecture_cnn",
    "layer_settings",
    "fit",
    "EpochLogger",
    "trained_on_mnist_sample",
    "cache_dir",
    "load_or_train",
    "train_lecture_cnn",
    "trained_lecture_cnn",
]


def small_cnn(num_classes=10, filters=(8, 16), dense=32, input_shape=(28, 28, 1), name="small_cnn"):
    """A small CNN that trains on the MNIST sample in seconds on a CPU.

    ``Conv(3x3, filters[0]) -> ReLU -> MaxPool(2)`` for each entry of
    ``filters``, then ``Flatten -> Dense(dense, ReLU) -> Dense(num_classes,
    softmax)``. Used in chapters 2, 3, 8 and 10.

    Parameters
    ----------
    num_classes : int
    filters : sequence of int
        Filters of each convolution block.
    dense : int
        Width of the hidden dense layer (0 for none).
    input_shape : tuple of int
        ``(rows, cols, channels)``.
    name : str
    """
    import keras
    from keras import layers

    filters = [_checks.integer(count, "filters[i]", minimum=1) for count in filters]
    num_classes = _checks.integer(num_classes, "num_classes", minimum=1)
    dense = _checks.integer(dense, "dense", minimum=0)
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise ValueError(f"input_shape must be (rows, cols, channels); got {input_shape!r}")
    model = keras.Sequential(name=name)
    model.add(keras.Input(shape=input_shape))
    for index, count in enumerate(filters, start=1):
        model.add(layers.Conv2D(count, 3, padding="same", activation="relu", name=f"conv{index}"))
        model.add(layers.MaxPooling2D(2, name=f"p{index}"))
    model.add(layers.Flatten(name="flatten"))
    if dense:
        model.add(layers.Dense(dense, activation="relu", name="dense"))
    model.add(layers.Dense(num_classes, activation="softmax", name="output"))
    return model


def lecture_cnn(input_shape=(28, 28, 1), num_classes=10):
    """The MNIST CNN of the Payberah lecture ("CNN in TensorFlow").

    Conv2D(32, 5x5, same) + ReLU, MaxPool 2, Conv2D(64, 5x5, same) + ReLU,
    MaxPool 2, Flatten, Dense(1024, ReLU), Dense(10, softmax). Chapters 3, 4
    and 6.
    """
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(shape=input_shape),  # 28x28x1
            layers.Conv2D(32, 5, padding="same", activation="relu", name="conv1"),  # 28x28x32
            layers.MaxPooling2D(2, name="p1"),  # 14x14x32
            layers.Conv2D(64, 5, padding="same", activation="relu", name="conv2"),  # 14x14x64
            layers.MaxPooling2D(2, name="p2"),  # 7x7x64
            layers.Flatten(name="flatten"),  # 3136
            layers.Dense(1024, activation="relu", name="dense"),
            layers.Dense(num_classes, activation="softmax", name="output"),
        ],
        name="lecture_cnn",
    )


@functools.cache
def _epoch_logger_class():
    import keras

    class EpochLogger(keras.callbacks.Callback):
        """Prints one short line per epoch: ``epoch 3: loss 0.123 accuracy 0.961 ...``."""

        def __init__(self, every=1):
            super().__init__()
            self.every = every

        def on_epoch_end(self, epoch, logs=None):
            if (epoch + 1) % self.every:
                return
            parts = " ".join(
                f"{key} {value:.4f}" for key, value in sorted((logs or {}).items()) if key != "learning_rate"
            )
            print(f"epoch {epoch + 1}: {parts}")

    return EpochLogger


def __getattr__(name):
    # Build the callback class lazily so importing cnnbook.models does not import Keras.
    if name == "EpochLogger":
        return _epoch_logger_class()
    raise AttributeError(name)


def layer_settings(model):
    """Each layer's class and configuration, without its name or seed (chapters 6 and 7).

    Two models (or augmentation pipelines) built by different code are the
    same architecture exactly when their layer settings are equal: a chapter
    checks the model it writes out against the library's builder this way.

    Parameters
    ----------
    model : keras.Model
        A model whose ``layers`` to list (a ``keras.Sequential`` pipeline too).

    Returns
    -------
    list of tuple
        ``(class name, config without "name" and "seed")`` per layer, in order.

    Raises
    ------
    TypeError
        If ``model`` has no ``layers``.

    Examples
    --------
    >>> import keras
    >>> a = keras.Sequential([keras.layers.Dense(3, activation="relu", name="first")])
    >>> b = keras.Sequential([keras.layers.Dense(3, activation="relu", name="other")])
    >>> layer_settings(a) == layer_settings(b), layer_settings(a)[0][1]["units"]
    (True, 3)
    """
    if not hasattr(model, "layers"):
        raise TypeError(f"model must be a Keras model with layers; got {type(model).__name__}")
    return [
        (
            layer.__class__.__name__,
            {key: value for key, value in layer.get_config().items() if key not in ("name", "seed")},
        )
        for layer in model.layers
    ]


def fit(
    model,
    x,
    y,
    epochs,
    batch_size=64,
    validation_data=None,
    learning_rate=1e-3,
    optimizer=None,
    verbose=0,
    callbacks=(),
):
    """Compile (Adam, sparse cross-entropy, accuracy) and train; time it.

    Parameters
    ----------
    model : keras.Model
        Ends in a softmax layer.
    x, y : arrays
        Inputs and integer labels.
    epochs : int
    batch_size : int
    validation_data : tuple, optional
    learning_rate : float
        For the default Adam optimizer.
    optimizer : keras optimizer, optional
        Overrides Adam.
    verbose : int
        Keras verbosity (0 is silent; pass ``callbacks=[EpochLogger()]`` for one line per epoch).

    Returns
    -------
    history : keras.callbacks.History
    seconds : float
        Wall time of ``model.fit``.

    Raises
    ------
    TypeError, ValueError
        Before any training, for a learning rate that is not a finite
        number > 0, labels that are not integers 0 to ``classes - 1``,
        inputs and labels of different lengths, or malformed
        ``validation_data``.
    """
    import keras

    epochs = _checks.integer(epochs, "epochs", minimum=1)
    batch_size = _checks.integer(batch_size, "batch_size", minimum=1)
    learning_rate = _checks.number(learning_rate, "learning_rate", positive=True)
    x, y, validation_data = _checks.training_data(x, y, validation_data, classes=int(model.output_shape[-1]))
    model.compile(
        optimizer=optimizer or keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    start = time.perf_counter()
    history = model.fit(
        x,
        y,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=validation_data,
        verbose=verbose,
        callbacks=list(callbacks),
    )
    return history, time.perf_counter() - start


def cache_dir():
    """Where trained models are cached: ``$CNNBOOK_CACHE`` or ``~/.cache/cnnbook``."""
    return pathlib.Path(os.environ.get("CNNBOOK_CACHE", pathlib.Path.home() / ".cache" / "cnnbook"))


_BUILDERS = {"small_cnn": small_cnn}


def _save(model, path):
    """Save atomically, so an interrupted save never leaves a broken cache file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial.keras")
    model.save(partial)
    partial.replace(path)
    return path


def load_or_train(name, train):
    """The model cached as ``name``, or else ``train()``'s model, cached as ``name`` (chapters 3, 7 and 10).

    The cache behind the chapters' trained networks
    (:func:`trained_on_mnist_sample`, :func:`trained_lecture_cnn`,
    :func:`cnnbook.draw.trained_digit_cnn`), open to a model of your own: the
    first call on a machine trains and saves ``cache_dir() / name``; later
    calls load that file and do not train. A file that does not load
    (truncated, or saved by another Keras) is trained again and replaced.
    The name is the whole cache key, so put every training setting (and
    ``keras.__version__``) in it: a call with other settings under the same
    name loads the old model.

    Parameters
    ----------
    name : str
        A file name ending in ``.keras``, without a folder.
    train : callable
        Called with no arguments, only when the cache holds no loadable
        model of that name; returns the trained ``keras.Model``.

    Returns
    -------
    keras.Model

    Raises
    ------
    TypeError, ValueError
        For a bad ``name`` or ``train``, or, before any training, a cache
        directory that cannot be written.

    Examples
    --------
    >>> def train():  # doctest: +SKIP
    ...     model = small_cnn(filters=(4,))
    ...     fit(model, x_train, y_train, epochs=2)
    ...     return model
    >>> model = load_or_train("small_cnn4-e2.keras", train)  # doctest: +SKIP
    """
    import keras

    name = _checks.file_name(name, "name", ".keras")
    train = _checks.function(train, "train", "a function of no arguments that returns a keras.Model")
    path = cache_dir() / name
    if path.exists():
        try:
            return keras.models.load_model(path)
        except Exception:  # a truncated or incompatible file: train again
            path.unlink()
    # Refuse an unwritable cache before training, not after (the model would be lost).
    _checks.writable_directory(path.parent, "the model cache directory (cnnbook.models.cache_dir(), $CNNBOOK_CACHE)")
    model = train()
    _save(model, path)
    return model


def trained_on_mnist_sample(name="small_cnn", epochs=3, seed=0, batch_size=64, learning_rate=1e-3):
    """A small CNN trained on the bundled MNIST sample, trained once and cached.

    Chapter 3's feature-map viewer only needs *a* trained CNN to look at, and
    chapter 7 shows it mirrored and upside-down digits: the first call trains (seeded) and saves
    ``<cache_dir>/<name>-e<epochs>-s<seed>-....keras``; later calls load it.
    The lecture CNN trained on the same sample is :func:`trained_lecture_cnn`.

    Parameters
    ----------
    name : {"small_cnn"}
    epochs, seed, batch_size, learning_rate
        Training settings; part of the cache key.

    Returns
    -------
    keras.Model
        Compiled, trained model.
    """
    import keras

    from .data import load_mnist_sample, to_model_input
    from .env import seed_everything

    name = _checks.choice(name, "name", tuple(_BUILDERS))
    file = f"{name}-e{epochs}-s{seed}-b{batch_size}-lr{learning_rate:g}-k{keras.__version__}.keras"

    def train():
        seed_everything(seed)
        (x_train, y_train), _ = load_mnist_sample()
        model = _BUILDERS[name]()
        fit(model, to_model_input(x_train), y_train, epochs=epochs, batch_size=batch_size, learning_rate=learning_rate)
        return model

    return load_or_train(file, train)


def train_lecture_cnn(
    x, y, epochs=6, seed=0, batch_size=64, learning_rate=1e-3, decay=0.6, validation_data=None, callbacks=()
):
    """Train :func:`lecture_cnn` with Adam and the lecture's decay (chapter 6).

    Seeds everything with ``seed``, builds the lecture CNN and trains it with
    Adam, the learning rate set each epoch to ``learning_rate * decay ** epoch``
    by ``keras.callbacks.LearningRateScheduler`` (the Payberah lecture's
    schedule, started at 1e-3 instead of 0.01 for this larger network).
    Chapter 6 writes the same recipe out in Keras on the page (trained on the
    full MNIST) and checks in a hidden cell that it gives the same weights as
    this function; :func:`trained_lecture_cnn` trains it on the bundled sample.

    Parameters
    ----------
    x, y : arrays
        Images ``(N, 28, 28, 1)`` in [0, 1] and integer labels.
    epochs, seed, batch_size, learning_rate
    decay : float in (0, 1]
        Factor per epoch (1 keeps the rate constant).
    validation_data : tuple, optional
        Only evaluated after each epoch, for the curves; training does not see it.
    callbacks : sequence of keras callbacks
        Extra callbacks (e.g. ``[EpochLogger()]``).

    Returns
    -------
    model : keras.Model
    history : keras.callbacks.History
    seconds : float
        Wall time of ``model.fit``.
    """
    import keras

    from .env import seed_everything
    from .training import decay_schedule

    schedule = keras.callbacks.LearningRateScheduler(decay_schedule(learning_rate, decay))
    seed_everything(seed)
    model = lecture_cnn()
    history, seconds = fit(
        model,
        x,
        y,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=validation_data,
        learning_rate=learning_rate,
        callbacks=[schedule, *callbacks],
    )
    return model, history, seconds


def trained_lecture_cnn(epochs=6, seed=0, batch_size=64, learning_rate=1e-3, decay=0.6):
    """The lecture CNN trained on the MNIST sample: loaded from the cache, or trained once and cached.

    The lecture CNN trained on the bundled MNIST sample's 4,000 training
    digits by :func:`train_lecture_cnn` with these settings (they are the
    cache key). Chapter 10 calls this for a trained CNN to look at; the
    first call on a machine trains it (about half a minute on a CPU). Chapter
    6 trains the same network, with the same recipe, on the full MNIST.

    Returns
    -------
    keras.Model
        Compiled and trained.
    """
    import keras

    from .data import load_mnist_sample, to_model_input

    settings = dict(epochs=epochs, seed=seed, batch_size=batch_size, learning_rate=learning_rate, decay=decay)
    name = "lecture_cnn-decay{decay:g}-e{epochs}-s{seed}-b{batch_size}-lr{learning_rate:g}-k{keras}.keras"

    def train():
        (x_train, y_train), _ = load_mnist_sample()
        return train_lecture_cnn(to_model_input(x_train), y_train, **settings)[0]

    return load_or_train(name.format(**settings, keras=keras.__version__), train)
