"""Training and evaluation helpers shared by chapters 6 and 7.

- :class:`Step` and :func:`run_progression`: train a list of models one after
  the other under the same seed and collect one row per model (test accuracy
  on one or more test sets, parameters, training time);
- :func:`results_table`: those rows as a Markdown table;
- :func:`decay_schedule`: the lecture's learning-rate decay ``0.01 * 0.6 ** epoch``
  for ``keras.callbacks.LearningRateScheduler``;
- :func:`accuracy`, :func:`most_confident_mistakes`, :func:`stratified_subset`;
- :func:`validation_split`: a validation set carved from the training data.
"""

import dataclasses
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from . import _checks

__all__ = [
    "Step",
    "decay_schedule",
    "run_progression",
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


@dataclasses.dataclass(frozen=True)
class Step:
    """One model of a progression (chapters 6 and 7).

    Parameters
    ----------
    name : str
        Row label in the results table.
    build : callable
        ``build() -> keras.Model`` (uncompiled); called after seeding, so
        every step starts from the same random state.
    optimizer : str or callable
        A Keras optimizer name (``"sgd"``, ``"adam"``) or a zero-argument
        callable returning a fresh optimizer (optimizers keep state, so each
        step needs its own).
    epochs : int
    batch_size : int
    callbacks : callable, optional
        ``callbacks() -> list`` of fresh Keras callbacks for this step.
    """

    name: str
    build: Callable[[], Any]
    optimizer: Any = "adam"
    epochs: int = 10
    batch_size: int = 100
    callbacks: Callable[[], list] = list

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"name must be a non-empty str, got {self.name!r}")
        if not callable(self.build):
            raise TypeError(f"build must be a callable returning a keras.Model, got {self.build!r}")
        if not (isinstance(self.optimizer, str) or callable(self.optimizer)):
            raise TypeError(f"optimizer must be a Keras optimizer name or a callable, got {self.optimizer!r}")
        if not callable(self.callbacks):
            raise TypeError(f"callbacks must be a callable returning a list, got {self.callbacks!r}")
        _checks.integer(self.epochs, "epochs", minimum=1)
        _checks.integer(self.batch_size, "batch_size", minimum=1)


def run_progression(steps, train, test_sets, seed=0, log=None):
    """Train each step's model in turn and measure it (chapters 6 and 7).

    For every step: seed everything with ``seed``, build the model, compile
    it with the step's optimizer, sparse categorical cross-entropy and
    accuracy, fit it silently on ``train``, time the fit, and compute the
    accuracy on every test set.

    Parameters
    ----------
    steps : sequence of Step
    train : (x, y)
        Training images (as the models expect them) and integer labels.
    test_sets : dict of str -> (x, y)
        Named test sets, e.g. ``{"test": (x_test, y_test)}``.
    seed : int
    log : callable, optional
        Called with one short line per finished step (e.g. ``print``).

    Returns
    -------
    list of dict
        One row per step with keys ``step``, ``parameters``, ``epochs``,
        ``seconds`` (wall time of ``fit``), ``<name> accuracy`` for every test
        set, ``model`` and ``history`` (the Keras ``History.history`` dict).

    Raises
    ------
    TypeError, ValueError
        For steps that are not :class:`Step`, or malformed data.
    """
    from .env import seed_everything

    steps = list(steps)
    if not steps or not all(isinstance(step, Step) for step in steps):
        raise TypeError("steps must be a non-empty sequence of cnnbook.training.Step")
    x_train, y_train = _checks.labelled_data(train, "train", classes=10)
    if not isinstance(test_sets, dict) or not test_sets:
        raise TypeError("test_sets must be a non-empty dict of name -> (x, y)")
    tests = {name: _checks.labelled_data(data, f"test_sets[{name!r}]", classes=10) for name, data in test_sets.items()}
    rows = []
    for step in steps:
        seed_everything(seed)
        model = step.build()
        optimizer = step.optimizer if isinstance(step.optimizer, str) else step.optimizer()
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        start = time.perf_counter()
        history = model.fit(
            x_train,
            y_train,
            epochs=step.epochs,
            batch_size=step.batch_size,
            verbose=0,
            callbacks=list(step.callbacks()),
        )
        seconds = time.perf_counter() - start
        row = {"step": step.name, "parameters": int(model.count_params()), "epochs": step.epochs, "seconds": seconds}
        for name, (x, y) in tests.items():
            row[f"{name} accuracy"] = accuracy(model, x, y)
        row["model"] = model
        row["history"] = dict(history.history)
        rows.append(row)
        if log is not None:
            scores = ", ".join(f"{name} {row[f'{name} accuracy']:.3f}" for name in tests)
            log(f"{step.name}: {scores} ({seconds:.1f} s)")
    return rows


def results_table(rows, columns=None):
    """Rows from :func:`run_progression` as a table (chapters 6 to 8), through :func:`cnnbook.book.table`.

    Accuracies are shown as percentages with one decimal, parameters with
    thousands separators, seconds with one decimal.

    Parameters
    ----------
    rows : list of dict
    columns : list of str, optional
        Keys to show, in order (default: every key except ``model`` and ``history``).

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
    formats = {key: ".1%" for key in shown if key.endswith("accuracy")}
    formats.update({key: spec for key, spec in (("parameters", ","), ("seconds", ".1f")) if key in shown})
    return table(rows, columns, formats)


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
