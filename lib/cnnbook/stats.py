"""Comparing two methods measured on the same things: paired comparisons.

Chapter 2 ("Before CNNs") compares hand-made features with a learned CNN on
the same 1,000 test digits. Two accuracies measured on one test set are not
independent: most digits are right (or wrong) for both classifiers, and only
the digits on which they disagree say which one is better. McNemar's test
uses exactly those (:func:`mcnemar`).

Chapters 6 to 8 train each method once per seed, with the same seeds, and
compare them seed by seed (:func:`paired_difference`).
"""

from typing import NamedTuple

import numpy as np
from scipy.stats import binomtest, t

from . import _checks

__all__ = ["McNemar", "PairedDifference", "mcnemar", "paired_difference"]


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


class PairedDifference(NamedTuple):
    """The result of :func:`paired_difference`: ``b - a`` over the pairs."""

    mean: float
    """Mean of the differences."""
    sd: float
    """Their sample standard deviation (``ddof=1``)."""
    low: float
    """Lower end of the Student-t interval of the mean."""
    high: float
    """Upper end."""
    wins: int
    """Pairs in which ``b`` is higher."""
    pairs: int
    """Number of pairs."""

    @property
    def verdict(self):
        """``"tie"`` if the interval contains 0, else ``"better"`` or ``"worse"`` (``b`` against ``a``)."""
        if self.low <= 0 <= self.high:
            return "tie"
        return "better" if self.mean > 0 else "worse"


def paired_difference(a, b, confidence=0.95):
    """``b - a``, pair by pair: mean, sample sd, Student-t interval and wins.

    Two methods measured on the same seeds (the same initial weights, batches
    or labelled draws) or the same examples are compared through their
    differences, which cancel what the pair shares. The interval is
    ``mean +- t * sd / sqrt(n)`` with Student's t at ``n - 1`` degrees of
    freedom; an interval that contains 0 is a tie at this number of pairs.
    With three pairs, t is 4.30 at 95%: only a difference far larger than
    its spread counts.

    Parameters
    ----------
    a, b : array_like of float, shape (N,)
        The two methods' results, pair ``i`` at index ``i``; ``N >= 2``.
    confidence : float
        Of the interval, between 0 and 1.

    Returns
    -------
    PairedDifference
        ``(mean, sd, low, high, wins, pairs)``; ``.verdict`` says ``"better"``,
        ``"worse"`` (``b`` against ``a``) or ``"tie"``.

    Raises
    ------
    ValueError
        If an argument is not one-dimensional, the two differ in length, there
        are fewer than two pairs, or ``confidence`` is not between 0 and 1.

    Examples
    --------
    >>> result = paired_difference([0.90, 0.91, 0.92], [0.95, 0.97, 0.96])
    >>> round(result.mean, 3), round(result.sd, 3), result.wins, result.verdict
    (0.05, 0.01, 3, 'better')
    >>> paired_difference([0.90, 0.91, 0.92], [0.91, 0.90, 0.93]).verdict
    'tie'
    """
    a = _checks.array(a, "a", 1, "(N,) of numbers", kinds="iuf")
    b = _checks.array(b, "b", 1, "(N,) of numbers", kinds="iuf")
    _checks.same_shape(b, a.shape, "b", "a")
    if len(a) < 2:
        raise ValueError(f"a and b must hold at least two pairs (a spread needs two); got {len(a)}")
    confidence = _checks.number(confidence, "confidence", minimum=0, maximum=1, positive=True)
    if confidence >= 1:
        raise ValueError(f"confidence must be below 1; got {confidence}")
    differences = b.astype(np.float64) - a.astype(np.float64)
    mean, sd = float(differences.mean()), float(differences.std(ddof=1))
    half = float(t.ppf((1 + confidence) / 2, len(differences) - 1) * sd / np.sqrt(len(differences)))
    return PairedDifference(
        mean, sd, float(mean - half), float(mean + half), int((differences > 0).sum()), len(differences)
    )
