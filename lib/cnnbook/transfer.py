"""Transfer learning with few labels: from scratch, feature extraction, fine-tuning (chapter 8).

Chapter 8 reuses EfficientNet-Lite0, trained on ImageNet photos
(:mod:`cnnbook.pretrained`), for handwritten digits, classes it never saw.
The recipes share one vocabulary:

- the *base* is the pretrained network without its classifier; a new
  classifier, the *head*, goes on top (:func:`transfer_model`);
- :func:`train_from_scratch`: the architecture with random weights, all of
  it trained;
- :func:`train_feature_extraction`: the base frozen (``trainable = False``
  on its layers, :func:`freeze`), only the head trained, to convergence: on
  frozen features the head is an L2-regularised logistic regression
  (:func:`fit_linear_head`), whose optimum L-BFGS finds;
- :func:`train_fine_tuning`: continues from feature extraction, unfreezes
  the top of the base and trains it with a lower learning rate, its
  BatchNormalization layers kept frozen.

The recipes that train convolutions run a fixed number of gradient steps
(not epochs), so a run with 10 labelled images and a run with 500 get the
same amount of training. The same linear read-out measures how useful the
features of any layer are (:func:`pooled_features`, a *linear probe*).
Frozen layers at the bottom compute the same output at every step; they are
run once (:func:`fit_steps`), and for a large network once per chapter run
(:func:`split_model`: the bottom's output is computed once and kept in
memory, the top is trained on it).
"""

import time

import numpy as np

from . import _checks

__all__ = [
    "with_input_size",
    "split_model",
    "transfer_model",
    "freeze",
    "fit_steps",
    "fit_linear_head",
    "pooled_features",
    "train_from_scratch",
    "train_feature_extraction",
    "train_fine_tuning",
    "label_curve",
    "summarise_curve",
    "paired_comparison",
]


def with_input_size(model, size):
    """A copy of a fully convolutional ``model`` for ``size x size`` inputs, with the same weights (chapter 8).

    A network that ends in global average pooling accepts any image size;
    smaller images cost less arithmetic (the work grows with the number of
    pixels) but show the network less detail than it was trained with.

    Parameters
    ----------
    model : keras.Model
        A functional model with one image input ``(H, W, C)``.
    size : int
        The new side, at least 32.

    Returns
    -------
    keras.Model

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model.
    ValueError
        For a bad ``size``, or a model whose weights depend on the input size
        (e.g. a Dense layer on flattened maps).

    Examples
    --------
    >>> from cnnbook import pretrained
    >>> small = with_input_size(pretrained.load_efficientnet_lite0(), 96)
    >>> small.input.shape
    (None, 96, 96, 3)
    """
    import keras

    image = _checks.keras_model(model, "model")
    size = _checks.integer(size, "size", minimum=32)
    if len(image.shape) != 4:
        raise ValueError(f"model must take images (batch, H, W, C); its input has shape {image.shape}")
    new_input = keras.Input((size, size, image.shape[-1]))
    copy = keras.models.clone_model(model, input_tensors=[new_input] if isinstance(model.input, list) else new_input)
    try:
        copy.set_weights(model.get_weights())
    except ValueError as error:
        raise ValueError(
            f"model's weights depend on its input size, so it cannot take {size} x {size} images: {error}"
        ) from None
    return copy


def split_model(model, layer):
    """The layers of ``model`` up to ``layer`` (the bottom) and the layers above it (the top) (chapter 8).

    Running the bottom once over every image and keeping its output in
    memory, then training only the top on that output, is the same training
    as with the bottom frozen, and much faster: the bottom of a big network
    is where most of the arithmetic is. Both parts share the layers (and
    weights) of ``model``; nothing is copied.

    Parameters
    ----------
    model : keras.Model
    layer : str
        The last layer of the bottom. The layers above it must form a single
        chain (no branch or residual connection crosses the cut or lies
        above it), so the top can be a ``keras.Sequential``.

    Returns
    -------
    bottom : keras.Model
        From ``model``'s input to ``layer``'s output.
    top : keras.Sequential
        From ``layer``'s output to ``model``'s output.

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model.
    ValueError
        If ``layer`` is not one of its layers, or the layers above it are not a chain.

    Examples
    --------
    >>> from cnnbook import pretrained
    >>> bottom, top = split_model(pretrained.load_efficientnet_lite0(include_top=False), "block6d_out")
    >>> [layer.name for layer in top.layers][-2:]
    ['top_relu6', 'avg_pool']
    """
    import keras

    _checks.keras_model(model, "model")
    names = [item.name for item in model.layers]
    _checks.choice(layer, "layer", tuple(names))
    position = names.index(layer)
    above = model.layers[position + 1 :]
    if not above:
        raise ValueError(f"layer {layer!r} is the model's last layer: nothing would be left above it")
    previous = model.layers[position]
    for item in above:
        if item.input is not previous.output:
            raise ValueError(
                f"the layers above {layer!r} must form a single chain; {item.name!r} does not "
                f"take its input from {previous.name!r} alone"
            )
        previous = item
    bottom = keras.Model(model.input, model.get_layer(layer).output, name=f"{model.name}_bottom")
    top = keras.Sequential(
        [keras.Input(shape=tuple(model.get_layer(layer).output.shape[1:])), *above], name=f"{model.name}_top"
    )
    return bottom, top


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
        The source model (the top of EfficientNet-Lite0 from
        :func:`split_model`, or chapter 6's small CNN).
    num_classes : int
        Classes of the target task, at least 2.
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
    >>> from cnnbook import models
    >>> model = transfer_model(models.small_cnn(), 10)
    >>> [layer.name for layer in model.layers][-2:]
    ['dense', 'new_head']
    """
    import keras
    from keras import layers

    _checks.keras_model(pretrained, "pretrained", sequential=True)
    names = _layer_names(pretrained)
    last_layer = _checks.choice(last_layer, "last_layer", tuple(names))
    num_classes = _checks.integer(num_classes, "num_classes", minimum=2)
    if not isinstance(pretrained_weights, bool):
        raise TypeError(f"pretrained_weights must be True or False; got {pretrained_weights!r}")
    copy = keras.models.clone_model(pretrained)  # same architecture, new random weights
    if pretrained_weights:
        copy.set_weights(pretrained.get_weights())
    base = [layer for layer in copy.layers if not isinstance(layer, keras.layers.InputLayer)]
    base = base[: names.index(last_layer) + 1]
    return keras.Sequential(
        [
            keras.Input(shape=tuple(pretrained.inputs[0].shape[1:])),
            *base,
            layers.Dense(num_classes, activation="softmax", name="new_head"),
        ],
        name="transfer_model",
    )


def freeze(model, up_to, batch_norm=False):
    """Set ``trainable = False`` on every layer up to and including ``up_to``, True above it (chapter 8).

    BatchNormalization layers above ``up_to`` stay frozen unless
    ``batch_norm`` is True: a frozen one normalises with the statistics it
    learned on the large source data set, which a few small target batches
    must not overwrite (chapter 8, section on BatchNormalization).

    Parameters
    ----------
    model : keras.Sequential
    up_to : str or None
        The last frozen layer; None unfreezes everything.
    batch_norm : bool
        Unfreeze BatchNormalization layers above ``up_to`` too.

    Returns
    -------
    list of str
        The names of the layers that will train (those with weights).

    Raises
    ------
    ValueError
        If ``up_to`` is not a layer of ``model``.
    """
    import keras

    names = _layer_names(model)
    if up_to is not None:
        _checks.choice(up_to, "up_to", tuple(names))
    if not isinstance(batch_norm, bool):
        raise TypeError(f"batch_norm must be True or False; got {batch_norm!r}")
    last_frozen = -1 if up_to is None else names.index(up_to)
    layers = [layer for layer in model.layers if layer.name in names]
    for index, layer in enumerate(layers):
        is_batch_norm = isinstance(layer, keras.layers.BatchNormalization)
        layer.trainable = index > last_frozen and (batch_norm or not is_batch_norm)
    return [layer.name for layer in layers if layer.trainable and layer.weights]


def _sequential(layers, input_shape):
    """``layers`` (already built, weights shared) as a ``keras.Sequential`` taking ``input_shape``."""
    import keras

    return keras.Sequential([keras.Input(shape=tuple(input_shape)), *layers])


def _outputs(model, x, batch_size=500):
    """``model`` applied to ``x`` in inference mode, batch by batch.

    Calls the model directly instead of ``model.predict``: every run of the
    chapter builds new models, and ``predict`` would trace a new TensorFlow
    function for each of them.
    """
    return np.concatenate(
        [np.asarray(model(x[start : start + batch_size], training=False)) for start in range(0, len(x), batch_size)]
    )


def _frozen_prefix(model):
    """How many leading layers are frozen and act the same in training and inference."""
    import keras

    count = 0
    for layer in model.layers:
        if layer.trainable and layer.weights or isinstance(layer, keras.layers.Dropout):
            break
        count += 1
    return count


def _training_arguments(x, y, steps, learning_rate, batch_size=32, seed=0):
    x, y = _checks.labelled(x, y)
    return (
        x,
        y,
        _checks.integer(steps, "steps", minimum=1),
        _checks.number(learning_rate, "learning_rate", positive=True),
        _checks.integer(batch_size, "batch_size", minimum=1),
        _checks.integer(seed, "seed", minimum=0),
    )


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
        For a non-Sequential model, mismatched ``x`` and ``y``, bad numbers,
        or a model without a trainable layer.
    """
    import keras

    _checks.keras_model(model, "model", sequential=True)
    x, y, steps, learning_rate, batch_size, seed = _training_arguments(x, y, steps, learning_rate, batch_size, seed)
    batch_size = min(batch_size, len(y))
    start = time.perf_counter()
    frozen = _frozen_prefix(model)
    if frozen == len(model.layers):
        raise ValueError("model has no trainable layer; unfreeze one (see freeze) before training")
    trained = model
    if frozen:
        x = _outputs(_sequential(model.layers[:frozen], model.inputs[0].shape[1:]), x)
        trained = _sequential(model.layers[frozen:], x.shape[1:])
    rng = np.random.default_rng(seed)
    repeats = -(-steps * batch_size // len(y))
    order = np.concatenate([rng.permutation(len(y)) for _ in range(repeats)])[: steps * batch_size]
    trained.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy")
    trained.fit(x[order], y[order], batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
    return time.perf_counter() - start


def train_from_scratch(architecture, x, y, num_classes, steps=100, learning_rate=1e-3, seed=0, last_layer="dense"):
    """Recipe 1: ``architecture`` up to ``last_layer`` with random weights and a new head, all trained (chapter 8).

    Parameters
    ----------
    architecture : keras.Sequential
        Only its layers are used, not its weights.
    x, y : arrays
    num_classes, steps, learning_rate, seed, last_layer
        See :func:`transfer_model` and :func:`fit_steps`.

    Returns
    -------
    keras.Sequential
    """
    from .env import seed_everything

    _training_arguments(x, y, steps, learning_rate, seed=seed)
    seed_everything(seed)
    model = transfer_model(architecture, num_classes, last_layer, pretrained_weights=False)
    fit_steps(model, x, y, steps, learning_rate, seed=seed)
    return model


def fit_linear_head(features, y, C=1.0, standardise=True):
    """A softmax classifier on fixed ``features``, trained to convergence (chapter 8).

    An L2-regularised multinomial logistic regression (scikit-learn, solved
    by L-BFGS), optionally after standardising each feature (mean 0,
    variance 1 on these examples). It is the same model as a
    ``Dense(softmax)`` head on frozen features, but its loss has a single
    minimum, which the solver reaches, so the head is trained to the end
    whatever the number of labels. ``C`` and ``standardise`` cannot be tuned
    on a few labels: chapter 8 chooses them once on held-out validation
    examples and passes the choice to every fit.

    Parameters
    ----------
    features : array (N, F)
    y : array (N,)
        Integer labels, at least two classes.
    C : float
        Inverse regularisation strength, > 0.
    standardise : bool
        Standardise each feature with these examples' mean and standard
        deviation before the regression.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Fitted (``predict``, ``score``); its first step is the
        ``StandardScaler`` when ``standardise``, its last the
        ``LogisticRegression``, whose ``n_iter_`` says how many iterations
        the solver needed.

    Raises
    ------
    TypeError, ValueError
        For features that are not a 2-D numeric array, mismatched labels, one
        class only, or a bad ``C``.
    RuntimeError
        If the solver stops at its iteration limit before converging.

    Examples
    --------
    >>> head = fit_linear_head(np.array([[0.0, 1.0], [1.0, 0.0], [0.1, 0.9], [0.9, 0.2]]), np.array([0, 1, 0, 1]))
    >>> head.predict(np.array([[0.0, 2.0], [2.0, 0.0]])).tolist(), int(head[-1].n_iter_[0]) < 1000
    ([0, 1], True)
    """
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    features = _checks.array(features, "features", 2, "(N, F): one row of features per example")
    features, y = _checks.labelled(features, y, "features")
    C = _checks.number(C, "C", positive=True)
    standardise = _checks.boolean(standardise, "standardise")
    if len(np.unique(y)) < 2:
        raise ValueError(f"y must hold at least two classes; got only {np.unique(y).tolist()}")
    steps = [StandardScaler()] if standardise else []
    head = make_pipeline(*steps, LogisticRegression(C=C, max_iter=_HEAD_MAX_ITER))
    # One BLAS thread: these are small problems, and several threads competing for
    # busy cores made a fit 50 times slower on a shared machine.
    with warnings.catch_warnings(), threadpool_limits(1, user_api="blas"):
        warnings.simplefilter("error", ConvergenceWarning)
        try:
            return head.fit(features, y)
        except ConvergenceWarning:
            raise RuntimeError(
                f"the logistic regression did not converge in {_HEAD_MAX_ITER} iterations; lower C"
            ) from None


_HEAD_MAX_ITER = 1000


def _set_head(model, head, num_classes):
    """Copy a head from :func:`fit_linear_head` into ``model``'s last (softmax) layer."""
    logistic = head[-1]
    classes = logistic.classes_.tolist()
    if classes != list(range(num_classes)):
        raise ValueError(f"y must hold every class 0 to {num_classes - 1} at least once; got {classes}")
    kernel, bias = logistic.coef_.T, logistic.intercept_
    if len(head) == 2:
        # Standardising is affine: fold it into the weights, w.(x - m)/s + b = (w/s).x + (b - w.(m/s)).
        scaler = head[0]
        kernel, bias = kernel / scaler.scale_[:, np.newaxis], bias - (scaler.mean_ / scaler.scale_) @ kernel
    if num_classes == 2:  # one logit z for class 1: softmax([-z/2, z/2]) is sigmoid(z)
        kernel, bias = np.hstack([-kernel / 2, kernel / 2]), np.array([-bias[0] / 2, bias[0] / 2])
    model.layers[-1].set_weights([kernel.astype("float32"), bias.astype("float32")])


def train_feature_extraction(pretrained, x, y, num_classes, last_layer="dense", C=1.0, standardise=True):
    """Recipe 2: freeze the pretrained base, train only a new head, to convergence (chapter 8).

    The frozen base maps every image to the same features at every step, so
    the head sees fixed features: :func:`fit_linear_head` trains it to its
    optimum, and its weights become the ``Dense`` head of the returned model.

    Parameters
    ----------
    pretrained : keras.Sequential
    x, y : arrays
        Every class 0 to ``num_classes - 1`` must appear in ``y``.
    num_classes, last_layer
        See :func:`transfer_model`.
    C, standardise
        See :func:`fit_linear_head`.

    Returns
    -------
    keras.Sequential
        The base frozen, the head trained.
    """
    _checks.keras_model(pretrained, "pretrained", sequential=True)
    x, y = _checks.labelled(x, y)
    model = transfer_model(pretrained, num_classes, last_layer)
    freeze(model, up_to=last_layer)  # the whole base keeps its pretrained weights
    base = _sequential(model.layers[:-1], model.inputs[0].shape[1:])
    _set_head(model, fit_linear_head(_outputs(base, x), y, C, standardise), num_classes)
    return model


def train_fine_tuning(model, x, y, unfreeze_from="dense", steps=50, learning_rate=1e-4, seed=0):
    """Recipe 3: after feature extraction, unfreeze the top of the base and train on (chapter 8).

    The head is trained first (by :func:`train_feature_extraction`): a
    random head would send large, random gradients into the pretrained
    layers. The learning rate is lower so the pretrained weights move only a
    little, and BatchNormalization layers stay frozen (:func:`freeze`).

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
    _checks.keras_model(model, "model", sequential=True)
    names = _layer_names(model)
    unfreeze_from = _checks.choice(unfreeze_from, "unfreeze_from", tuple(names))
    _training_arguments(x, y, steps, learning_rate, seed=seed)
    position = names.index(unfreeze_from)
    freeze(model, up_to=names[position - 1] if position else None)
    fit_steps(model, x, y, steps, learning_rate, seed=seed)
    return model


def label_curve(run, y_pool, labels_per_class, seeds=(0, 1)):
    """Run ``run`` for every number of labels per class and every seed; one row per result (chapter 8).

    For each count and seed, draws that many examples of each class from the
    pool (:func:`cnnbook.training.stratified_subset`, the draw set by the
    seed) and calls ``run(chosen, seed)``, which trains whatever it compares
    on the examples ``chosen`` (indices into the pool) and returns
    ``{method: test accuracy}``.

    Parameters
    ----------
    run : callable
        ``run(chosen, seed) -> {method name: accuracy}``.
    y_pool : array (N,)
        Integer labels of the pool.
    labels_per_class : sequence of int
        Each at least 1 and at most the smallest class of the pool.
    seeds : sequence of int

    Returns
    -------
    list of dict
        ``{"labels_per_class", "seed", "method", "accuracy", "seconds"}``;
        ``seconds`` is the time of the whole ``run`` call (all its methods).

    Raises
    ------
    TypeError, ValueError
        For a ``run`` that is not callable, bad counts or seeds (checked
        before any training), or a ``run`` that returns no accuracies.
    """
    from .training import stratified_subset

    if not callable(run):
        raise TypeError(f"run must be callable as run(chosen, seed); got {type(run).__name__}")
    y_pool = _checks.array(y_pool, "y_pool", 1, "(N,): integer labels", kinds="iu")
    smallest = int(np.bincount(y_pool)[np.unique(y_pool)].min())
    counts = [_checks.integer(count, "labels_per_class", minimum=1, maximum=smallest) for count in labels_per_class]
    seeds = [_checks.integer(seed, "seeds", minimum=0) for seed in seeds]
    if not counts or not seeds:
        raise ValueError("labels_per_class and seeds must each hold at least one value")
    rows = []
    for count in counts:
        for seed in seeds:
            chosen, _ = stratified_subset(np.arange(len(y_pool)), y_pool, count, seed=seed)
            start = time.perf_counter()
            results = run(chosen, seed)
            seconds = time.perf_counter() - start
            if not isinstance(results, dict) or not results:
                raise ValueError(f"run must return a non-empty dict {{method: accuracy}}; got {results!r}")
            rows.extend(
                {
                    "labels_per_class": count,
                    "seed": seed,
                    "method": method,
                    "accuracy": float(accuracy),
                    "seconds": seconds,
                }
                for method, accuracy in results.items()
            )
    return rows


def summarise_curve(rows):
    """Mean and spread over seeds of the rows :func:`label_curve` returns (chapter 8).

    Returns
    -------
    counts : ndarray of int
        The label counts, ascending.
    summary : dict
        ``{method: (mean accuracy per count, sample standard deviation per
        count)}`` (``ddof=1``; NaN with a single seed),
        each an ndarray aligned with ``counts``, methods in the order they
        first appear in ``rows``.

    Raises
    ------
    ValueError
        If ``rows`` is empty.

    Examples
    --------
    >>> rows = [{"labels_per_class": 1, "method": "a", "accuracy": acc} for acc in (0.5, 0.7)]
    >>> counts, summary = summarise_curve(rows)
    >>> counts.tolist(), [round(float(v), 3) for v in summary["a"][0]], [round(float(v), 3) for v in summary["a"][1]]
    ([1], [0.6], [0.141])
    """
    if not rows:
        raise ValueError("rows must not be empty")
    counts = np.array(sorted({row["labels_per_class"] for row in rows}))
    summary = {}
    for method in dict.fromkeys(row["method"] for row in rows):
        values = [
            [row["accuracy"] for row in rows if row["method"] == method and row["labels_per_class"] == count]
            for count in counts
        ]
        summary[method] = (np.array([np.mean(v) for v in values]), np.array([_sample_std(v) for v in values]))
    return counts, summary


def _sample_std(values):
    """Sample standard deviation (``ddof=1``); NaN for fewer than two values."""
    return float(np.std(values, ddof=1)) if len(values) > 1 else float("nan")


def paired_comparison(rows, method, baseline, confidence=0.95):
    """``method`` against ``baseline``, draw by draw, for each label count (chapter 8).

    Both were trained on the same labelled examples (one draw per seed) and
    measured on the same test set, so their accuracies are compared per
    seed: the differences ``method - baseline`` get a mean, a Student-t
    interval (sample standard deviation, ``ddof=1``) and a count of wins.
    An interval that contains 0 means the draws cannot tell them apart.

    Parameters
    ----------
    rows : list of dict
        As :func:`label_curve` returns them.
    method, baseline : str
        Two methods of ``rows``.
    confidence : float
        Of the interval, between 0 and 1.

    Returns
    -------
    list of dict
        One per label count, ascending: ``{"labels_per_class", "difference",
        "low", "high", "wins", "draws"}``; ``wins`` counts the seeds where
        ``method`` scored higher.

    Raises
    ------
    ValueError
        If a method is missing, a seed has only one of the two, or there are
        fewer than two seeds for a count.

    Examples
    --------
    >>> rows = [{"labels_per_class": 1, "seed": s, "method": m, "accuracy": a}
    ...         for s, (a, b) in enumerate([(0.6, 0.5), (0.7, 0.5), (0.5, 0.6)]) for m, a in (("new", a), ("old", b))]
    >>> result = paired_comparison(rows, "new", "old")[0]
    >>> round(result["difference"], 3), result["wins"], result["draws"], result["low"] < 0 < result["high"]
    (0.067, 2, 3, True)
    """
    from .stats import paired_difference

    methods = {row["method"] for row in rows}
    for name, value in (("method", method), ("baseline", baseline)):
        if value not in methods:
            raise ValueError(f"{name} must be one of {sorted(methods)}; got {value!r}")
    results = []
    for count in sorted({row["labels_per_class"] for row in rows}):
        accuracy = {(row["method"], row["seed"]): row["accuracy"] for row in rows if row["labels_per_class"] == count}
        seeds = sorted({seed for (name, seed) in accuracy if name in (method, baseline)})
        missing = [seed for seed in seeds if (method, seed) not in accuracy or (baseline, seed) not in accuracy]
        if missing or len(seeds) < 2:
            raise ValueError(
                f"rows must give both {method!r} and {baseline!r} for at least two seeds at "
                f"{count} labels per class; seeds {seeds}, incomplete {missing}"
            )
        result = paired_difference(
            [accuracy[baseline, seed] for seed in seeds], [accuracy[method, seed] for seed in seeds], confidence
        )
        results.append(
            {
                "labels_per_class": count,
                "difference": result.mean,
                "low": result.low,
                "high": result.high,
                "wins": result.wins,
                "draws": result.pairs,
            }
        )
    return results


def pooled_features(model, layers, images, batch_size=25, prepare=None):
    """The global-average-pooled output of each of ``layers`` for ``images``, in one pass (chapter 8).

    What a *linear probe* reads: each layer's feature maps averaged over
    their positions, one number per channel. The network runs once over
    ``images`` (in inference mode) for all layers together.

    Parameters
    ----------
    model : keras.Model
        A functional model, e.g. EfficientNet-Lite0 without its classifier.
    layers : sequence of str
        Names of layers with 4-D outputs ``(N, H, W, C)``.
    images : array (N, ...)
        The model's input, or what ``prepare`` turns into it.
    batch_size : int
        Images per forward pass.
    prepare : callable, optional
        Applied to each batch of ``images`` before the model (e.g.
        :func:`cnnbook.pretrained.preprocess` at a large size), so the
        prepared images of the whole set need never be in memory at once.

    Returns
    -------
    dict
        ``{layer name: float32 array (N, C)}``, in the order of ``layers``.

    Raises
    ------
    TypeError, ValueError
        If ``model`` is not a Keras model, a name is not one of its layers,
        or a layer's output is not 4-D.
    """
    import keras

    _checks.keras_model(model, "model")
    names = [item.name for item in model.layers]
    layers = [_checks.choice(layer, "layers", tuple(names)) for layer in layers]
    if not layers:
        raise ValueError("layers must name at least one layer")
    batch_size = _checks.integer(batch_size, "batch_size", minimum=1)
    outputs = []
    for layer in layers:
        output = model.get_layer(layer).output
        if len(output.shape) != 4:
            raise ValueError(f"layers: {layer!r} gives shape {output.shape}, not feature maps (N, H, W, C)")
        outputs.append(keras.ops.mean(output, axis=(1, 2)))
    if prepare is not None:
        _checks.function(prepare, "prepare")
    probe = keras.Model(model.input, outputs)
    batches = []
    for start in range(0, len(images), batch_size):
        batch = images[start : start + batch_size]
        batch = np.asarray(batch if prepare is None else prepare(batch), dtype="float32")
        # predict_on_batch runs one compiled TensorFlow function; calling the model directly runs it
        # op by op, which for EfficientNet at 224 px is about three times slower on a CPU.
        result = probe.predict_on_batch(batch)
        batches.append([np.asarray(f) for f in (result if isinstance(result, (list, tuple)) else [result])])
    return {layer: np.concatenate([batch[i] for batch in batches]) for i, layer in enumerate(layers)}
