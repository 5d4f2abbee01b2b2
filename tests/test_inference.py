"""The paired tests, pooled spreads and detectable effects behind the report's verdicts, checked against
statsmodels, scipy and published tables, and (property-based) on both sides of each rule."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from scipy import stats
from statsmodels.stats.power import TTestPower

from mnistflow import evaluation
from mnistflow import inference as st


@pytest.mark.parametrize("n", [2, 3, 5, 13, 30, 200])
def test_detectable_effect_matches_statsmodels_power(n):
    """A one-sample (or paired) t-test of n values with spread s finds a true mean of d s with 80% power,
    d from statsmodels' TTestPower; ours from the standard error and the degrees of freedom."""
    s = 0.0015
    d = TTestPower().solve_power(nobs=n, alpha=0.05, power=0.8, alternative="two-sided")
    assert st.detectable_effect(s / math.sqrt(n), n - 1) == pytest.approx(d * s, rel=1e-4)


def test_detectable_effect_for_a_normal_test_is_the_textbook_2_8_standard_errors():
    # z(0.975) + z(0.8) = 1.960 + 0.842 (Cohen's table); the far tail adds almost nothing
    assert st.detectable_effect(1.0) == pytest.approx(1.95996 + 0.84162, abs=1e-3)
    assert st.detectable_effect(0.0) == 0.0
    # more power or a stricter level needs a larger effect
    assert st.detectable_effect(1.0, 10, power=0.9) > st.detectable_effect(1.0, 10)
    assert st.detectable_effect(1.0, 10, level=0.99) > st.detectable_effect(1.0, 10)


def test_every_interval_from_a_standard_error_carries_its_detectable_effect():
    values = [0.981, 0.982, 0.9815, 0.9805]
    ci = st.mean_interval(values)
    assert ci.df == 3 and ci.standard_error == pytest.approx(stats.sem(values))
    assert ci.detectable == pytest.approx(st.detectable_effect(stats.sem(values), 3))
    # a detectable effect is larger than the interval's half-width: a difference at the interval's edge is
    # found only half of the time
    assert ci.detectable > ci.half_width
    assert st.wilson(0.98, 10_000).detectable == pytest.approx(2.8016 * math.sqrt(0.98 * 0.02 / 10_000), rel=1e-3)
    assert st.Interval(0, 1, "no standard error").detectable is None
    assert st.Interval(0, 0, "no spread seen", standard_error=0.0, df=4).detectable is None


def test_mcnemar_matches_the_exact_binomial_test():
    # 10 images only a gets right, 25 only b: two-sided binomial test of 10 of 35 at 1/2
    assert st.mcnemar_p(10, 25) == pytest.approx(stats.binomtest(10, 35, 0.5).pvalue)
    assert st.mcnemar_p(0, 0) == 1.0
    with pytest.raises(ValueError):
        st.mcnemar_p(-1, 3)


@settings(max_examples=200, deadline=None)
@given(hs.integers(0, 60), hs.integers(0, 60), hs.integers(0, 500))
def test_mcnemar_interval_excludes_0_exactly_when_the_test_rejects(only_a, only_b, rest):
    n = only_a + only_b + rest + 1
    interval = st.mcnemar_interval(only_a, only_b, n)
    rejects = st.mcnemar_p(only_a, only_b) < 0.05
    assert (not interval.contains(0.0)) == rejects
    assert interval.contains((only_b - only_a) / n)  # the observed difference lies inside
    assert -1 <= interval.low <= interval.high <= 1


def test_paired_on_items_one_run_and_several():
    a = np.array([1, 1, 0, 0, 1, 0], bool)
    b = np.array([1, 0, 1, 1, 1, 1], bool)
    one = st.paired_on_items(a, b)
    assert "McNemar" in one.method and one.contains(b.mean() - a.mean())
    assert st.discordant_counts(a, b) == (1, 3)
    runs = st.paired_on_items(np.stack([a, a]), np.stack([b, a]))
    assert "2 seed-paired runs" in runs.method
    with pytest.raises(ValueError):
        st.paired_on_items(a, b[:3])


def test_paired_correct_rebuilds_the_per_image_differences():
    rng = np.random.default_rng(0)
    a, b = rng.random((3, 400)) < 0.9, rng.random((3, 400)) < 0.92
    paired = evaluation.paired_correct(a, b)
    rebuilt = np.repeat([v for v, _ in paired["difference_counts"]], [c for _, c in paired["difference_counts"]])
    assert sorted(rebuilt) == pytest.approx(sorted((b.astype(float) - a).mean(axis=0)))
    assert paired["only_a"] == [int((x & ~y).sum()) for x, y in zip(a, b, strict=True)]


def test_pooled_spread_is_the_one_way_model_when_spreads_are_alike():
    groups = [[0.981, 0.982, 0.983], [0.975, 0.9765, 0.978], [0.990, 0.9905, 0.9915]]
    pooled = st.pooled_spread(groups)
    assert pooled is not None and pooled.df == 6 and pooled.groups == 3
    # the one-way ANOVA's residual mean square is the pooled variance
    residual = sum(((np.array(g) - np.mean(g)) ** 2).sum() for g in groups) / 6
    assert pooled.sd == pytest.approx(math.sqrt(residual))
    assert pooled.equal_spread_p == pytest.approx(stats.levene(*groups, center="median").pvalue)
    # spreads unlike by the test: nothing pooled; one group or groups of one: nothing to pool
    unlike = [[0.5, 0.5001, 0.5002, 0.5001, 0.5] * 2, [0.1, 0.9, 0.3, 0.7, 0.5] * 2]
    assert st.pooled_spread(unlike) is None
    assert st.pooled_spread([[0.9, 0.91]]) is None and st.pooled_spread([[0.9], [0.8]]) is None
    assert st.pooled_spread([[0.9, 0.9], [0.8, 0.8]]).sd == 0.0


def test_pooled_intervals_use_the_pooled_degrees_of_freedom():
    spread = st.PooledSpread(sd=0.001, df=12, groups=5, equal_spread_p=0.5)
    values = [0.981, 0.982, 0.983]
    ci = st.mean_interval(values, spread=spread)
    assert ci.half_width == pytest.approx(stats.t.ppf(0.975, 12) * 0.001 / math.sqrt(3))
    pi = st.prediction_interval_same_items(values, spread=spread)
    assert pi.half_width == pytest.approx(stats.t.ppf(0.975, 12) * 0.001 * math.sqrt(1 + 1 / 3))
    assert "pooled over 5 groups" in ci.method and pi.df == 12
