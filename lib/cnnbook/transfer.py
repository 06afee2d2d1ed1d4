"""Transfer learning with few labels, offline: from scratch, feature extraction, fine-tuning.

Chapter 8. A CNN pretrained on the bundled MNIST sample is reused on a
different data set, scikit-learn's 8x8 digits, with only a few labelled
examples per class. The three recipes share one architecture, so the only
difference between them is where the weights start and which ones train:

- :func:`train_from_scratch`: random weights, everything trains;
- :func:`train_feature_extraction`: the pretrained base is frozen
  (``trainable = False`` on its layers, :func:`freeze`), only a new
  classifier head trains;
- :func:`train_fine_tuning`: continues from feature extraction, unfreezes
  the top of the base and trains it with a lower learning rate.

Every run trains for a fixed number of gradient steps (not epochs), so a run
with 10 labelled images and a run with 1,000 get the same amount of training.
"""
import time

import numpy as np

__all__ = [
    "METHODS",
    "digits_as_mnist",
    "transfer_model",
    "freeze",
    "fit_steps",
    "train_from_scratch",
    "train_feature_extraction",
    "train_fine_tuning",
    "transfer_curve",
    "summarise_curve",
    "imagenet_inputs",
]

#: Names of the three recipes, in the order :func:`transfer_curve` runs them.
METHODS = ("from scratch", "feature extraction", "fine-tuning")


def _check_int(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}; got {value!r}")
    return int(value)


def _check_rate(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) \
            or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number; got {value!r}")
    return float(value)


def _check_data(x, y):
    x, y = np.asarray(x), np.asarray(y)
    if y.ndim != 1 or len(x) != len(y) or len(y) == 0:
        raise ValueError(f"x and y must hold the same number (> 0) of examples, y 1-D; "
                         f"got x {x.shape} and y {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"y must hold integer class labels; got dtype {y.dtype}")
    return x, y


def digits_as_mnist(images):
    """scikit-learn's 8x8 digits framed like MNIST: ``(N, 28, 28, 1)`` floats in [0, 1].

    MNIST centres each digit in a 20x20 box inside a 28x28 image. This
    scales the 8x8 values (0-16) to [0, 1], enlarges each image to 20x20
    with bilinear interpolation and pads 4 pixels on every side, so a model
    built for MNIST accepts them (chapter 8).

    Parameters
    ----------
    images : array_like, shape (N, 8, 8)
        Values 0-16, as :func:`cnnbook.data.load_digits_8x8` returns them.

    Returns
    -------
    ndarray, shape (N, 28, 28, 1), float32

    Raises
    ------
    ValueError
        If ``images`` is not ``(N, 8, 8)`` or has values outside 0-16.

    Examples
    --------
    >>> digits_as_mnist(np.full((2, 8, 8), 16.0)).shape
    (2, 28, 28, 1)
    """
    from skimage.transform import resize

    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != (8, 8) or not np.issubdtype(images.dtype, np.number):
        raise ValueError(f"images must be a numeric array of shape (N, 8, 8); got {images.dtype} {images.shape}")
    if images.size and (images.min() < 0 or images.max() > 16):
        raise ValueError(f"images must have values in 0..16 (the 8x8 digits' scale); "
                         f"got {images.min()}..{images.max()}")
    enlarged = resize(images / 16.0, (len(images), 20, 20), order=1, anti_aliasing=False)
    framed = np.pad(enlarged, ((0, 0), (4, 4), (4, 4)))
    return np.clip(framed, 0.0, 1.0).astype(np.float32)[..., np.newaxis]


def _layer_names(model):
    import keras

    return [layer.name for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]


def transfer_model(pretrained, num_classes, last_layer="dense", pretrained_weights=True):
    """A copy of ``pretrained`` up to ``last_layer``, topped by a new classifier (chapter 8).

    The copied layers are the *base*; the new ``Dense(num_classes,
    softmax)`` layer named ``"new_head"`` replaces the source task's
    classifier. The layers are copies: training them never changes
    ``pretrained``, so every run starts from the same weights.

    Parameters
    ----------
    pretrained : keras.Sequential
        The source model (chapter 6's CNN in chapter 8).
    num_classes : int
        Classes of the target task.
    last_layer : str
        The last layer of ``pretrained`` to keep.
    pretrained_weights : bool
        True: copy the pretrained weights. False: the same architecture with
        fresh random weights (for training from scratch).

    Returns
    -------
    keras.Sequential

    Raises
    ------
    TypeError
        If ``pretrained`` is not a ``keras.Sequential`` model.
    ValueError
        If ``last_layer`` is not one of its layers, or ``num_classes`` < 2.

    Examples
    --------
    >>> model = transfer_model(trained_lecture_cnn(), 10)  # doctest: +SKIP
    >>> [layer.name for layer in model.layers][-2:]  # doctest: +SKIP
    ['dense', 'new_head']
    """
    import keras
    from keras import layers

    if not isinstance(pretrained, keras.Sequential):
        raise TypeError(f"pretrained must be a keras.Sequential model; got {type(pretrained).__name__}")
    names = _layer_names(pretrained)
    if last_layer not in names:
        raise ValueError(f"last_layer must be one of {names}; got {last_layer!r}")
    _check_int("num_classes", num_classes, 2)
    copy = keras.models.clone_model(pretrained)  # same architecture, new random weights
    if pretrained_weights:
        copy.set_weights(pretrained.get_weights())
    base = [layer for layer in copy.layers if not isinstance(layer, keras.layers.InputLayer)]
    base = base[:names.index(last_layer) + 1]
    return keras.Sequential(
        [keras.Input(shape=tuple(pretrained.inputs[0].shape[1:])), *base,
         layers.Dense(num_classes, activation="softmax", name="new_head")],
        name="transfer_model",
    )


def freeze(model, up_to):
    """Set ``trainable = False`` on every layer up to and including ``up_to``, True above it (chapter 8).

    Parameters
    ----------
    model : keras.Sequential
    up_to : str or None
        The last frozen layer; None unfreezes everything.

    Returns
    -------
    list of str
        The names of the layers that will train (those with weights).

    Raises
    ------
    ValueError
        If ``up_to`` is not a layer of ``model``.
    """
    names = _layer_names(model)
    if up_to is not None and up_to not in names:
        raise ValueError(f"up_to must be None or one of {names}; got {up_to!r}")
    last_frozen = -1 if up_to is None else names.index(up_to)
    layers = [layer for layer in model.layers if layer.name in names]
    for index, layer in enumerate(layers):
        layer.trainable = index > last_frozen
    return [layer.name for layer in layers if layer.trainable and layer.weights]


def _outputs(model, x, batch_size=500):
    """``model`` applied to ``x`` in inference mode, batch by batch.

    Calls the model directly instead of ``model.predict``: every run of the
    chapter builds new models, and ``predict`` would trace a new TensorFlow
    function for each of them.
    """
    return np.concatenate([np.asarray(model(x[start:start + batch_size], training=False))
                           for start in range(0, len(x), batch_size)])


def _frozen_prefix(model):
    """How many leading layers are frozen and act the same in training and inference."""
    import keras

    count = 0
    for layer in model.layers:
        if layer.trainable and layer.weights or isinstance(layer, keras.layers.Dropout):
            break
        count += 1
    return count


def fit_steps(model, x, y, steps, learning_rate, batch_size=32, seed=0):
    """Compile (Adam, sparse cross-entropy) and train for exactly ``steps`` gradient steps.

    The examples are shuffled and repeated as often as needed, so small and
    large training sets get the same number of updates. Frozen layers at the
    bottom of the model compute the same output at every step, so they are
    run once over ``x`` and only the layers above them are trained on the
    stored outputs: the same training as ``model.fit`` with those layers
    frozen, several times faster (chapter 8). Call it again after changing
    ``trainable``.

    Parameters
    ----------
    model : keras.Sequential
    x, y : arrays
        Inputs and integer labels.
    steps : int
    learning_rate : float
    batch_size : int
        Capped at the number of examples.
    seed : int
        For the order of the examples.

    Returns
    -------
    float
        Wall time in seconds, including the run of the frozen layers.

    Raises
    ------
    TypeError, ValueError
        For a non-Sequential model, mismatched ``x`` and ``y``, or bad numbers.
    """
    import keras

    if not isinstance(model, keras.Sequential):
        raise TypeError(f"model must be a keras.Sequential model; got {type(model).__name__}")
    x, y = _check_data(x, y)
    steps = _check_int("steps", steps, 1)
    batch_size = min(_check_int("batch_size", batch_size, 1), len(y))
    rng = np.random.default_rng(_check_int("seed", seed, 0))
    learning_rate = _check_rate("learning_rate", learning_rate)
    start = time.perf_counter()
    frozen = _frozen_prefix(model)
    if frozen == len(model.layers):
        raise ValueError("model has no trainable layer; unfreeze one (see freeze) before training")
    trained = model
    if frozen:
        bottom = keras.Sequential([keras.Input(shape=tuple(model.inputs[0].shape[1:])), *model.layers[:frozen]])
        x = _outputs(bottom, x)
        trained = keras.Sequential([keras.Input(shape=x.shape[1:]), *model.layers[frozen:]])
    repeats = -(-steps * batch_size // len(y))
    order = np.concatenate([rng.permutation(len(y)) for _ in range(repeats)])[:steps * batch_size]
    trained.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy")
    trained.fit(x[order], y[order], batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
    return time.perf_counter() - start


def train_from_scratch(pretrained, x, y, num_classes, steps=100, learning_rate=1e-3, seed=0,
                       last_layer="dense"):
    """Recipe 1: the same architecture with random weights, all of it trained (chapter 8).

    Returns
    -------
    keras.Sequential
    """
    from .env import seed_everything

    seed_everything(seed)
    model = transfer_model(pretrained, num_classes, last_layer, pretrained_weights=False)
    fit_steps(model, x, y, steps, learning_rate, seed=seed)
    return model


def train_feature_extraction(pretrained, x, y, num_classes, steps=100, learning_rate=1e-3, seed=0,
                             last_layer="dense"):
    """Recipe 2: freeze the pretrained base, train only a new head (chapter 8).

    Returns
    -------
    keras.Sequential
    """
    from .env import seed_everything

    seed_everything(seed)
    model = transfer_model(pretrained, num_classes, last_layer)
    freeze(model, up_to=last_layer)  # the whole base keeps its pretrained weights
    fit_steps(model, x, y, steps, learning_rate, seed=seed)
    return model


def train_fine_tuning(model, x, y, unfreeze_from="dense", steps=50, learning_rate=1e-4, seed=0):
    """Recipe 3: after feature extraction, unfreeze the top of the base and train on (chapter 8).

    The head is trained first (by :func:`train_feature_extraction`): a
    random head would send large, random gradients into the pretrained
    layers. The learning rate is lower so the pretrained weights move only a
    little.

    Parameters
    ----------
    model : keras.Sequential
        Returned by :func:`train_feature_extraction`; trained further in place.
    x, y : arrays
    unfreeze_from : str
        The first layer to unfreeze; it and every layer above it train.
    steps, learning_rate, seed

    Returns
    -------
    keras.Sequential
        ``model``.

    Raises
    ------
    ValueError
        If ``unfreeze_from`` is not a layer of ``model``.
    """
    names = _layer_names(model)
    if unfreeze_from not in names:
        raise ValueError(f"unfreeze_from must be one of {names}; got {unfreeze_from!r}")
    position = names.index(unfreeze_from)
    freeze(model, up_to=names[position - 1] if position else None)
    fit_steps(model, x, y, steps, learning_rate, seed=seed)
    return model


def _accuracy(model, x, y):
    return float(np.mean(np.argmax(_outputs(model, x), axis=1) == y))


def transfer_curve(pretrained, x_pool, y_pool, x_test, y_test, labels_per_class, seeds=(0, 1),
                   last_layer="dense", unfreeze_from="dense", steps=100, fine_tune_steps=50):
    """Test accuracy of the three recipes against the number of labels (chapter 8).

    For every count and seed, draws that many labelled examples of each
    class from the pool (:func:`cnnbook.training.stratified_subset`), trains
    from scratch, by feature extraction and by fine-tuning (continuing the
    feature-extraction model), and measures each on the same test set.

    Parameters
    ----------
    pretrained : keras.Sequential
    x_pool, y_pool : arrays
        The labelled examples to draw from.
    x_test, y_test : arrays
    labels_per_class : sequence of int
    seeds : sequence of int
        One draw of the labels and one training run per seed.
    last_layer, unfreeze_from : str
    steps, fine_tune_steps : int

    Returns
    -------
    list of dict
        One row per (count, seed, method): ``{"labels_per_class", "seed",
        "method", "accuracy", "seconds"}``, where ``seconds`` is the
        training time of that recipe alone.
    """
    from .training import stratified_subset

    x_pool, y_pool = _check_data(x_pool, y_pool)
    x_test, y_test = _check_data(x_test, y_test)
    num_classes = int(max(y_pool.max(), y_test.max())) + 1
    counts = [_check_int("labels_per_class", count, 1) for count in labels_per_class]
    seeds = [_check_int("seeds", seed, 0) for seed in seeds]
    if not counts or not seeds:
        raise ValueError("labels_per_class and seeds must each hold at least one value")
    rows = []
    for count in counts:
        for seed in seeds:
            chosen, y = stratified_subset(np.arange(len(y_pool)), y_pool, count, seed=seed)
            x = x_pool[chosen]
            for method in METHODS:
                start = time.perf_counter()
                if method == "from scratch":
                    model = train_from_scratch(pretrained, x, y, num_classes, steps, seed=seed, last_layer=last_layer)
                elif method == "feature extraction":
                    model = train_feature_extraction(pretrained, x, y, num_classes, steps, seed=seed,
                                                     last_layer=last_layer)
                else:  # continues the feature-extraction model
                    model = train_fine_tuning(model, x, y, unfreeze_from, fine_tune_steps, seed=seed)
                seconds = time.perf_counter() - start
                rows.append({"labels_per_class": count, "seed": seed, "method": method,
                             "accuracy": _accuracy(model, x_test, y_test), "seconds": seconds})
    return rows


def summarise_curve(rows):
    """Mean and spread over seeds of the rows :func:`transfer_curve` returns (chapter 8).

    Returns
    -------
    counts : ndarray of int
        The label counts, ascending.
    summary : dict
        ``{method: (mean accuracy per count, standard deviation per count)}``,
        each an ndarray aligned with ``counts``.
    """
    if not rows:
        raise ValueError("rows must not be empty")
    counts = np.array(sorted({row["labels_per_class"] for row in rows}))
    summary = {}
    for method in [m for m in METHODS if any(row["method"] == m for row in rows)]:
        values = [[row["accuracy"] for row in rows if row["method"] == method and row["labels_per_class"] == count]
                  for count in counts]
        summary[method] = (np.array([np.mean(v) for v in values]), np.array([np.std(v) for v in values]))
    return counts, summary


def imagenet_inputs(images, size=224):
    """Images as a Keras ImageNet model expects them before its ``preprocess_input`` (chapter 8).

    Resizes every image to ``size x size`` (bilinear), repeats a grey
    channel three times and scales [0, 1] values to 0-255. The online part
    of chapter 8 feeds the result to ``keras.applications`` models.

    Parameters
    ----------
    images : sequence of arrays, or array (N, H, W[, C])
        Each image ``(H, W)``, ``(H, W, 1)`` or ``(H, W, 3)`` with values in
        [0, 1] (as :func:`cnnbook.data.load_photo` returns them); in a
        sequence, sizes may differ.
    size : int
        Side of the square output, at least 32.

    Returns
    -------
    ndarray, shape (N, size, size, 3), float32 in [0, 255]

    Raises
    ------
    ValueError
        For an empty sequence, a bad shape, values outside [0, 1] or a bad size.

    Examples
    --------
    >>> imagenet_inputs([np.zeros((8, 8)), np.ones((50, 30, 3))], size=32).shape
    (2, 32, 32, 3)
    """
    from skimage.transform import resize

    size = _check_int("size", size, 32)
    if isinstance(images, np.ndarray) and images.ndim not in (3, 4):
        raise ValueError(f"images must be a sequence of images or an array (N, H, W[, C]); got shape {images.shape}")
    images = list(images)
    if not images:
        raise ValueError("images must contain at least one image")
    batch = np.empty((len(images), size, size, 3), dtype=np.float32)
    for index, image in enumerate(images):
        image = np.asarray(image, dtype=np.float64)
        if image.ndim == 3 and image.shape[-1] == 1:
            image = image[..., 0]
        if not (image.ndim == 2 or (image.ndim == 3 and image.shape[-1] == 3)):
            raise ValueError(f"images[{index}] must be (H, W), (H, W, 1) or (H, W, 3); got shape {image.shape}")
        if image.min() < 0 or image.max() > 1:
            raise ValueError(f"images[{index}] must have values in [0, 1]; got {image.min():.3g}..{image.max():.3g}")
        resized = resize(image, (size, size), order=1, anti_aliasing=True)
        if resized.ndim == 2:
            resized = np.repeat(resized[..., np.newaxis], 3, axis=-1)
        batch[index] = resized * 255.0
    return batch
