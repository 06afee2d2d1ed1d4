"""cnnbook.stats: McNemar's test against the binomial distribution computed by hand, and the paired Student-t comparison."""

import math

import numpy as np
import pytest
import scipy.stats

from cnnbook.stats import mcnemar, paired_difference


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


def test_paired_difference_is_the_student_t_interval_of_the_differences():
    rng = np.random.default_rng(0)
    a = rng.normal(0.9, 0.01, 5)
    b = a + rng.normal(0.02, 0.005, 5)
    result = paired_difference(a, b)
    differences = b - a
    half = scipy.stats.t.ppf(0.975, 4) * differences.std(ddof=1) / np.sqrt(5)
    assert result.mean == pytest.approx(differences.mean())
    assert result.sd == pytest.approx(differences.std(ddof=1))
    assert (result.low, result.high) == pytest.approx((differences.mean() - half, differences.mean() + half))
    assert (result.wins, result.pairs) == (int((differences > 0).sum()), 5)
    # scipy's one-sample t-test on the differences agrees with the interval's verdict
    p_value = scipy.stats.ttest_1samp(differences, 0).pvalue
    assert (result.verdict == "tie") == (p_value >= 0.05)


def test_paired_difference_verdicts_and_symmetry():
    better = paired_difference([0.90, 0.91, 0.92], [0.95, 0.97, 0.96])
    worse = paired_difference([0.95, 0.97, 0.96], [0.90, 0.91, 0.92])
    assert (better.verdict, worse.verdict) == ("better", "worse")
    assert worse.mean == pytest.approx(-better.mean) and worse.low == pytest.approx(-better.high)
    # three seeds (t = 4.30 at 95%): a mean 3.5 standard errors from 0 is a tie, 8.7 is not
    assert paired_difference([0.0, 0.0, 0.0], [0.01, 0.03, 0.02]).verdict == "tie"
    assert paired_difference([0.0, 0.0, 0.0], [0.04, 0.06, 0.05]).verdict == "better"
    assert paired_difference([0.0, 0.0, 0.0], [0.0, 0.04, 0.02]).verdict == "tie"
    assert paired_difference([0.5, 0.6], [0.5, 0.6]).verdict == "tie"


def test_paired_difference_refuses_bad_input_by_name():
    with pytest.raises(ValueError, match="at least two pairs"):
        paired_difference([0.9], [0.8])
    with pytest.raises(ValueError, match=r"b must have the shape of a \(3,\); got \(2,\)"):
        paired_difference([0.9, 0.8, 0.7], [0.8, 0.7])
    with pytest.raises(ValueError, match="confidence"):
        paired_difference([0.9, 0.8], [0.8, 0.7], confidence=1.5)
    with pytest.raises(ValueError, match="confidence must be below 1"):
        paired_difference([0.9, 0.8], [0.8, 0.7], confidence=1.0)
    with pytest.raises(ValueError, match="a must"):
        paired_difference(np.zeros((2, 2)), [0.8, 0.7])
