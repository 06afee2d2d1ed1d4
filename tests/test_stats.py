"""McNemar's test (cnnbook.stats), against the binomial distribution computed by hand."""

import math

import numpy as np
import pytest

from cnnbook.stats import mcnemar


def exact_two_sided(k, n):
    """Twice the smaller binomial tail of Binomial(n, 1/2) at k, at most 1 (symmetric case)."""
    tail = sum(math.comb(n, i) for i in range(min(k, n - k) + 1)) / 2**n
    return min(1.0, 2 * tail)


def pair(only_a, only_b, both=50, neither=10):
    a = np.array([True] * both + [True] * only_a + [False] * only_b + [False] * neither)
    b = np.array([True] * both + [False] * only_a + [True] * only_b + [False] * neither)
    return a, b


@pytest.mark.parametrize("only_a, only_b", [(8, 2), (2, 8), (15, 15), (0, 6), (30, 12), (1, 0)])
def test_p_value_is_the_exact_binomial_test_on_the_disagreements(only_a, only_b):
    result = mcnemar(*pair(only_a, only_b))
    assert (result.only_a, result.only_b) == (only_a, only_b)
    assert result.p_value == pytest.approx(exact_two_sided(only_a, only_a + only_b), rel=1e-9)


def test_agreements_do_not_matter_and_the_test_is_symmetric():
    few = mcnemar(*pair(12, 3, both=10, neither=0))
    many = mcnemar(*pair(12, 3, both=900, neither=80))
    assert few.p_value == many.p_value
    swapped = mcnemar(*reversed(pair(12, 3)))
    assert (swapped.only_a, swapped.only_b, swapped.p_value) == (3, 12, few.p_value)


def test_identical_classifiers_give_p_one():
    a, _ = pair(5, 5)
    assert mcnemar(a, a) == (0, 0, 1.0)


def test_bad_input_is_refused_with_the_argument_name():
    a, b = pair(3, 4)
    with pytest.raises(TypeError, match="correct_a must hold bools"):
        mcnemar(a.astype(int), b)
    with pytest.raises(ValueError, match=r"correct_b must have the shape of correct_a \(67,\); got \(66,\)"):
        mcnemar(a, b[:-1])
    with pytest.raises(ValueError, match="correct_a must be"):
        mcnemar(a.reshape(1, -1), b)
    with pytest.raises(ValueError, match="correct_b must not be empty"):
        mcnemar(np.array([True]), np.array([], dtype=bool))
