"""Comparing two classifiers on one test set, example by example.

Chapter 2 ("Before CNNs") compares hand-made features with a learned CNN on
the same 1,000 test digits. Two accuracies measured on one test set are not
independent: most digits are right (or wrong) for both classifiers, and only
the digits on which they disagree say which one is better. McNemar's test
uses exactly those.
"""

from typing import NamedTuple

import numpy as np
from scipy.stats import binomtest

from . import _checks

__all__ = ["McNemar", "mcnemar"]


class McNemar(NamedTuple):
    """The result of :func:`mcnemar`."""

    only_a: int
    """Examples that classifier A gets right and B gets wrong."""
    only_b: int
    """Examples that B gets right and A gets wrong."""
    p_value: float
    """Two-sided exact p-value of "A and B are equally accurate"."""


def mcnemar(correct_a, correct_b):
    """McNemar's exact test of two classifiers on the same examples.

    Chapter 2 ("Before CNNs") uses it for the close pairs of its table. Of
    the ``n = only_a + only_b`` examples on which exactly one classifier is
    right, each is equally likely to favour A or B if both are equally
    accurate, so ``only_a`` is Binomial(n, 1/2); the p-value is that of the
    exact two-sided binomial test (``scipy.stats.binomtest``). Examples that
    both get right, or both wrong, carry no information about which is better.

    Parameters
    ----------
    correct_a, correct_b : array_like of bool, shape (N,)
        Whether classifier A (and B) got each of the same N examples right,
        e.g. ``predictions_a == labels``.

    Returns
    -------
    McNemar
        ``(only_a, only_b, p_value)``; ``p_value`` is 1.0 when the two never
        disagree.

    Raises
    ------
    TypeError
        If an argument does not hold bools.
    ValueError
        If an argument is not one-dimensional, is empty, or the two differ in length.

    Examples
    --------
    Two classifiers that agree on 90 of 100 examples; A alone is right on 8, B alone on 2:

    >>> a = np.array([True] * 85 + [True] * 8 + [False] * 2 + [False] * 5)
    >>> b = np.array([True] * 85 + [False] * 8 + [True] * 2 + [False] * 5)
    >>> result = mcnemar(a, b)
    >>> result.only_a, result.only_b, round(result.p_value, 4)
    (8, 2, 0.1094)
    >>> mcnemar(a, a).p_value
    1.0
    """
    correct_a = _checks.array(correct_a, "correct_a", 1, "(N,) of bools", kinds="b")
    correct_b = _checks.array(correct_b, "correct_b", 1, "(N,) of bools", kinds="b")
    _checks.same_shape(correct_b, correct_a.shape, "correct_b", "correct_a")
    only_a = int(np.count_nonzero(correct_a & ~correct_b))
    only_b = int(np.count_nonzero(correct_b & ~correct_a))
    if only_a + only_b == 0:
        return McNemar(0, 0, 1.0)
    return McNemar(only_a, only_b, float(binomtest(only_a, only_a + only_b, 0.5).pvalue))
