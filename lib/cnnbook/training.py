"""Training and evaluation helpers shared by chapters 6 and 7.

- :func:`over_seeds`: mean and sample standard deviation over the seeds of
  repeated training runs;
- :func:`results_table`: rows of results as a Markdown table;
- :func:`decay_schedule`: the lecture's learning-rate decay ``0.01 * 0.6 ** epoch``
  for ``keras.callbacks.LearningRateScheduler``;
- :func:`accuracy`, :func:`most_confident_mistakes`, :func:`stratified_subset`;
- :func:`validation_split`: a validation set carved from the training data.
"""

import numpy as np

from . import _checks

__all__ = [
    "decay_schedule",
    "over_seeds",
    "paired_over_seeds",
    "results_table",
    "accuracy",
    "most_confident_mistakes",
    "stratified_subset",
    "validation_split",
]


def decay_schedule(initial=0.01, rate=0.6):
    """The lecture's exponential learning-rate decay, ``initial * rate ** epoch`` (chapter 6).

    Parameters
    ----------
    initial : float
        Learning rate of the first epoch (epoch 0), positive.
    rate : float
        Factor per epoch, in (0, 1].

    Returns
    -------
    callable
        ``schedule(epoch, learning_rate=None) -> float``, for
        ``keras.callbacks.LearningRateScheduler(schedule)``. Keras passes the
        current rate as a second argument; it is ignored, so the schedule
        depends on the epoch only (it never compounds).

    Examples
    --------
    >>> schedule = decay_schedule()
    >>> [round(schedule(epoch), 5) for epoch in range(4)]
    [0.01, 0.006, 0.0036, 0.00216]
    """
    initial = _checks.number(initial, "initial", positive=True)
    rate = _checks.number(rate, "rate", positive=True, maximum=1.0)

    def schedule(epoch, learning_rate=None):
        return initial * rate ** int(epoch)

    return schedule


def over_seeds(runs, by="step", values=("validation accuracy", "test accuracy")):
    """Mean and sample standard deviation over the seeds of each group of runs (chapters 6 and 7).

    Parameters
    ----------
    runs : list of dict
        One dict per training run, holding the key ``by`` and every key of ``values``.
    by : str
        The key that names a group (e.g. the step of a progression); groups keep
        the order of their first run.
    values : sequence of str
        Numeric keys to summarise.

    Returns
    -------
    list of dict
        One row per group: ``by``, ``seeds`` (runs in the group), and for every
        value its mean under the value's own key and its sample standard
        deviation (``ddof=1``) under ``"<value> sd"``.

    Raises
    ------
    ValueError
        If a group has fewer than two runs (no spread), or a run lacks a key.

    Examples
    --------
    >>> rows = over_seeds([{"step": "a", "acc": 0.90}, {"step": "a", "acc": 0.92}], values=["acc"])
    >>> [(row["step"], row["seeds"], round(row["acc"], 3), round(row["acc sd"], 4)) for row in rows]
    [('a', 2, 0.91, 0.0141)]
    """
    if not isinstance(runs, list) or not runs or not all(isinstance(run, dict) for run in runs):
        raise TypeError("runs must be a non-empty list of dicts, one per training run")
    values = [values] if isinstance(values, str) else list(values)
    for run in runs:
        missing = [key for key in (by, *values) if key not in run]
        if missing:
            raise ValueError(f"runs: a run lacks the key(s) {missing}; it has {sorted(run)}")
    groups = {}
    for run in runs:
        groups.setdefault(run[by], []).append(run)
    rows = []
    for name, members in groups.items():
        if len(members) < 2:
            raise ValueError(f"runs: group {name!r} has {len(members)} run; a spread needs at least 2")
        row = {by: name, "seeds": len(members)}
        for key in values:
            numbers = np.array([run[key] for run in members], dtype=np.float64)
            row[key] = float(numbers.mean())
            row[f"{key} sd"] = float(numbers.std(ddof=1))
        rows.append(row)
    return rows


def paired_over_seeds(runs, baseline, other, value, by="step", confidence=0.95):
    """``other`` against ``baseline``, seed by seed (chapters 6 and 7).

    Runs with the same ``"seed"`` share their initial weights, batches and
    random draws, so the two groups are compared through their per-seed
    differences ``other - baseline`` (:func:`cnnbook.stats.paired_difference`).

    Parameters
    ----------
    runs : list of dict
        One dict per training run, with the keys ``by``, ``"seed"`` and ``value``.
    baseline, other : str
        Two groups: values of ``run[by]``.
    value : str
        The numeric key to compare, e.g. ``"validation accuracy"``.
    by : str
        The key that names a group.
    confidence : float
        Of the interval, between 0 and 1.

    Returns
    -------
    dict
        ``"mean difference"``, ``"sd of the differences"`` (``ddof=1``),
        ``"low"`` and ``"high"`` (the Student-t interval of the mean),
        ``"wins"`` (seeds on which ``other`` is higher), ``"seeds"`` and
        ``"verdict"``: ``"better"``, ``"worse"`` or ``"tie"`` (the interval
        contains 0).

    Raises
    ------
    TypeError
        If ``runs`` is not a list of dicts.
    ValueError
        If a run lacks a key, a group is missing, a seed has a run in only one
        group or two runs in one, or there are fewer than two seeds.

    Examples
    --------
    >>> runs = [{"step": step, "seed": seed, "acc": acc}
    ...         for step, accs in (("a", (0.90, 0.91, 0.92)), ("b", (0.95, 0.97, 0.96)))
    ...         for seed, acc in enumerate(accs)]
    >>> row = paired_over_seeds(runs, "a", "b", "acc")
    >>> round(row["mean difference"], 3), row["wins"], row["seeds"], row["verdict"]
    (0.05, 3, 3, 'better')
    """
    from .stats import paired_difference

    if not isinstance(runs, list) or not all(isinstance(run, dict) for run in runs):
        raise TypeError("runs must be a list of dicts, one per training run")
    per_seed = {}
    for run in runs:
        missing = [key for key in (by, "seed", value) if key not in run]
        if missing:
            raise ValueError(f"runs: a run lacks the key(s) {missing}; it has {sorted(run)}")
        if run[by] in (baseline, other):
            key = (run[by], run["seed"])
            if key in per_seed:
                raise ValueError(f"runs: two runs of {run[by]!r} with seed {run['seed']!r}")
            per_seed[key] = run[value]
    groups = {run[by] for run in runs}
    for name, group in (("baseline", baseline), ("other", other)):
        if group not in groups:
            raise ValueError(f"{name} must be one of {sorted(map(str, groups))}; got {group!r}")
    seeds = sorted({seed for _, seed in per_seed}, key=str)
    unpaired = [seed for seed in seeds if (baseline, seed) not in per_seed or (other, seed) not in per_seed]
    if unpaired:
        raise ValueError(f"runs: seeds {unpaired} have a run of only one of {baseline!r} and {other!r}")
    result = paired_difference(
        [per_seed[baseline, seed] for seed in seeds], [per_seed[other, seed] for seed in seeds], confidence
    )
    return {
        "mean difference": result.mean,
        "sd of the differences": result.sd,
        "low": result.low,
        "high": result.high,
        "wins": result.wins,
        "seeds": result.pairs,
        "verdict": result.verdict,
    }


def results_table(rows, columns=None, formats=None):
    """Rows of training results as a table (chapters 6 and 7), through :func:`cnnbook.book.table`.

    Accuracies (and their ``... sd`` spreads from :func:`over_seeds`) are
    shown as percentages with one decimal, parameters with thousands
    separators, seconds with one decimal, unless ``formats`` says otherwise.

    Parameters
    ----------
    rows : list of dict
    columns : list of str, optional
        Keys to show, in order (default: every key except ``model`` and ``history``).
    formats : dict of str -> str, optional
        Format specs that replace the defaults, e.g. ``{"test accuracy": ".2%"}``.

    Returns
    -------
    IPython.display.Markdown

    Examples
    --------
    >>> print(results_table([{"step": "softmax", "parameters": 7850, "test accuracy": 0.8712}]).data)
    | step | parameters | test accuracy |
    |---|---:|---:|
    | softmax | 7,850 | 87.1% |
    """
    from .book import table

    if columns is None and isinstance(rows, list) and rows and isinstance(rows[0], dict):
        columns = [key for key in rows[0] if key not in ("model", "history")]
    shown = columns or []
    specs = {key: ".1%" for key in shown if key.endswith(("accuracy", "accuracy sd"))}
    specs.update({key: spec for key, spec in (("parameters", ","), ("seconds", ".1f")) if key in shown})
    if formats is not None:
        if not isinstance(formats, dict):
            raise TypeError(f"formats must be a dict of column -> format spec, got {formats!r}")
        specs.update(formats)
    return table(rows, columns, specs)


def accuracy(model, x, y, batch_size=256):
    """Fraction of ``x`` that ``model`` classifies as ``y`` (chapters 6 and 7).

    Parameters
    ----------
    model : keras.Model
        Outputs one score per class (probabilities or logits).
    x : array
        Inputs as the model expects them.
    y : array (N,)
        Integer labels.
    batch_size : int

    Returns
    -------
    float
    """
    output_shape = getattr(model, "output_shape", None)  # a Keras model; any callable works too
    classes = int(output_shape[-1]) if output_shape else np.iinfo(np.int64).max
    y = _checks.labels(y, "y", classes=classes, length=len(x))
    batch_size = _checks.integer(batch_size, "batch_size", minimum=1)
    # Plain calls in inference mode, not model.predict: predict compiles a new
    # tf.function for every fresh model, and a progression of models makes
    # TensorFlow warn about retracing.
    hits = 0
    for start in range(0, len(y), batch_size):
        scores = np.asarray(model(x[start : start + batch_size], training=False))
        hits += int(np.sum(np.argmax(scores, axis=1) == y[start : start + batch_size]))
    return hits / len(y)


def most_confident_mistakes(probabilities, y_true, count=10):
    """The misclassified examples the model was surest about (chapter 6).

    Parameters
    ----------
    probabilities : array (N, classes)
        Predicted class probabilities (e.g. ``model.predict(x)``).
    y_true : array (N,)
        Integer labels.
    count : int
        How many to return at most.

    Returns
    -------
    indices : ndarray of int
        Indices of wrong predictions, most confident first.
    predicted : ndarray of int
        The predicted class of each.
    confidence : ndarray of float
        The probability the model gave its (wrong) prediction.

    Examples
    --------
    >>> import numpy as np
    >>> p = np.array([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6], [0.7, 0.3]])
    >>> most_confident_mistakes(p, np.array([0, 0, 0, 1]))
    (array([1, 3, 2]), array([1, 0, 1]), array([0.8, 0.7, 0.6]))
    """
    probabilities = _checks.array(probabilities, "probabilities", 2, "(N, classes)").astype(np.float64)
    y_true = _checks.labels(y_true, "y_true", classes=probabilities.shape[1], length=len(probabilities))
    count = _checks.integer(count, "count", minimum=1)
    predicted = probabilities.argmax(axis=1)
    confidence = probabilities.max(axis=1)
    wrong = np.flatnonzero(predicted != y_true)
    order = wrong[np.argsort(-confidence[wrong], kind="stable")][:count]
    return order, predicted[order], confidence[order]


def stratified_subset(x, y, per_class, seed=0):
    """``per_class`` examples of every class, drawn without replacement (chapter 7).

    Parameters
    ----------
    x : array (N, ...)
    y : array (N,)
        Integer labels.
    per_class : int
        Examples per class; every class must have at least that many.
    seed : int

    Returns
    -------
    x_subset, y_subset
        Ordered by class, then by original position.

    Raises
    ------
    ValueError
        If a class has fewer than ``per_class`` examples.
    """
    x = np.asarray(x)
    y = _checks.array(y, "y", 1, "a 1-D array of labels (N,)", kinds="iu")
    if len(y) != len(x):
        raise ValueError(f"y must hold one label per example: {len(x)} labels; got {len(y)}")
    per_class = _checks.integer(per_class, "per_class", minimum=1)
    seed = _checks.integer(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    chosen = []
    for label in np.unique(y):
        members = np.flatnonzero(y == label)
        if len(members) < per_class:
            raise ValueError(f"class {label} has {len(members)} examples, fewer than per_class={per_class}")
        chosen.append(np.sort(rng.choice(members, per_class, replace=False)))
    index = np.concatenate(chosen)
    return x[index], y[index]


def validation_split(x, y, size, seed=0):
    """Carve a random validation set of ``size`` examples from training data (chapters 2 and 6).

    Model choices (epochs, learning rates, which change to keep) are made on
    the validation set; the test set is read only for the final numbers.

    Parameters
    ----------
    x : array (N, ...)
    y : array (N,)
        Labels.
    size : int
        Examples to hold out, from 1 to N - 1.
    seed : int

    Returns
    -------
    (x_fit, y_fit), (x_val, y_val)
        The rest in their original order, and the held-out examples.

    Examples
    --------
    >>> import numpy as np
    >>> (x_fit, y_fit), (x_val, y_val) = validation_split(np.arange(10), np.arange(10) % 2, size=3)
    >>> len(x_fit), len(x_val), sorted(set(x_fit) | set(x_val)) == list(range(10))
    (7, 3, True)
    """
    x = np.asarray(x)
    y = _checks.array(y, "y", 1, "a 1-D array of labels (N,)", kinds="iu")
    if len(y) != len(x):
        raise ValueError(f"y must hold one label per example: {len(x)} labels; got {len(y)}")
    size = _checks.integer(size, "size", minimum=1, maximum=len(x) - 1)
    seed = _checks.integer(seed, "seed", minimum=0)
    held_out = np.zeros(len(x), bool)
    held_out[np.random.default_rng(seed).permutation(len(x))[:size]] = True
    return (x[~held_out], y[~held_out]), (x[held_out], y[held_out])
