"""Intervals and tests behind the report's verdicts, from scipy.stats.

Every function returns plain numbers (an `Interval` is a (low, high) pair with the level and
the method named), so that a claim can print the interval it used beside its verdict.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

#: Confidence level of every interval in the report.
LEVEL = 0.95


@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    method: str
    level: float = LEVEL

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    def above(self, value: float) -> bool:
        """The whole interval lies above `value`."""
        return self.low > value

    def below(self, value: float) -> bool:
        """The whole interval lies below `value`."""
        return self.high < value

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2


def _finite(values: Sequence[float]) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or not np.all(np.isfinite(array)):
        raise ValueError(f"expected a flat sequence of finite numbers, got {values!r}")
    return array


def count_correct(accuracy: float, n: int) -> int:
    """The number of correct answers behind an accuracy measured on n items."""
    if n < 1 or not 0 <= accuracy <= 1:
        raise ValueError(f"an accuracy in [0, 1] on n >= 1 items is needed, got {accuracy} on {n}")
    return int(round(accuracy * n))


def wilson(accuracy: float, n: int, level: float = LEVEL) -> Interval:
    """Wilson score interval of an accuracy measured on n independent items (one model, one test set)."""
    ci = stats.binomtest(count_correct(accuracy, n), n).proportion_ci(confidence_level=level, method="wilson")
    return Interval(float(ci.low), float(ci.high), f"Wilson interval on {n:,} images", level)


def _clip(low: float, high: float, bounds: tuple[float, float] | None) -> tuple[float, float]:
    if bounds is None:
        return low, high
    return max(low, bounds[0]), min(high, bounds[1])


def mean_interval(
    values: Sequence[float], level: float = LEVEL, bounds: tuple[float, float] | None = (0.0, 1.0)
) -> Interval | None:
    """Student-t interval of the mean over replicates, clipped to `bounds` (accuracies lie in [0, 1]);
    None for fewer than two values."""
    x = _finite(values)
    if len(x) < 2:
        return None
    mean = float(x.mean())
    sem = float(stats.sem(x))
    if sem == 0:
        return Interval(mean, mean, f"t-interval over {len(x)} replicates (all equal)", level)
    low, high = _clip(*(float(v) for v in stats.t.interval(level, df=len(x) - 1, loc=mean, scale=sem)), bounds)
    return Interval(low, high, f"t-interval over {len(x)} replicates", level)


def mean_from_standard_error(mean: float, standard_error: float, n: int, level: float = LEVEL) -> Interval:
    """Student-t interval of a mean over n items given its standard error (computed where the items were)."""
    if standard_error == 0:
        return Interval(mean, mean, f"t-interval over {n:,} images (no spread)", level)
    low, high = stats.t.interval(level, df=n - 1, loc=mean, scale=standard_error)
    return Interval(float(low), float(high), f"t-interval over {n:,} images", level)


def paired_difference(a: Sequence[float], b: Sequence[float], level: float = LEVEL) -> Interval | None:
    """Student-t interval of the mean of the paired differences a_i - b_i (replicate i of a and of
    b share their seed); None for fewer than two pairs."""
    x, y = _finite(a), _finite(b)
    if len(x) != len(y):
        raise ValueError(f"paired samples need equal lengths, got {len(x)} and {len(y)}")
    if len(x) < 2:
        return None
    d = x - y
    if np.all(d == d[0]):
        return Interval(
            float(d[0]), float(d[0]), f"paired t-interval over {len(x)} replicates (all differences equal)", level
        )
    ci = stats.ttest_rel(x, y).confidence_interval(confidence_level=level)
    return Interval(float(ci.low), float(ci.high), f"paired t-interval over {len(x)} replicates", level)


def per_item_difference(differences: Sequence[float], level: float = LEVEL, what: str = "images") -> Interval:
    """Student-t interval of the mean of per-item differences (e.g. +1/0/-1 per test image when two
    predictions on the same images are compared): the paired comparison of two accuracies."""
    d = _finite(differences)
    if len(d) < 2:
        raise ValueError("a per-item comparison needs at least two items")
    if np.all(d == d[0]):
        return Interval(
            float(d[0]), float(d[0]), f"paired t-interval over {len(d):,} {what} (all differences equal)", level
        )
    ci = stats.ttest_1samp(d, 0.0).confidence_interval(confidence_level=level)
    return Interval(float(ci.low), float(ci.high), f"paired t-interval over {len(d):,} {what}", level)


def discordant_differences(only_b: int, only_a: int, n: int) -> np.ndarray:
    """Per-item differences (b - a) of two classifications of the same n items, rebuilt from the
    counts of items only b got right and only a got right (the other items count 0)."""
    if min(only_a, only_b) < 0 or only_a + only_b > n:
        raise ValueError(f"discordant counts {only_b} and {only_a} do not fit {n} items")
    return np.concatenate([np.ones(only_b), -np.ones(only_a), np.zeros(n - only_a - only_b)])


def prediction_interval_same_items(
    values: Sequence[float], level: float = LEVEL, bounds: tuple[float, float] | None = (0.0, 1.0)
) -> Interval | None:
    """Where one further run of the same procedure would fall when it is scored on the same items as
    the replicates (e.g. the same test set): the replicates' spread only, mean +- t(n - 1) s sqrt(1 + 1/n).
    The items' sampling error is common to every run scored on them, so it is left out. None for n < 2."""
    x = _finite(values)
    if len(x) < 2:
        return None
    n, mean, sd = len(x), float(x.mean()), float(x.std(ddof=1))
    half = float(stats.t.ppf(0.5 + level / 2, df=n - 1)) * sd * math.sqrt(1 + 1 / n)
    return Interval(
        *_clip(mean - half, mean + half, bounds),
        f"prediction interval for one run on the same test images: spread of {n} replicates",
        level,
    )


def two_proportion_difference(p1: float, p2: float, n: int, level: float = LEVEL, n2: int | None = None) -> Interval:
    """Normal interval of p2 - p1 for two proportions on n items each (or n and n2), treated as
    independent. On the same items the true variance is smaller, so this interval is then conservative."""
    n2 = n if n2 is None else n2
    se = math.sqrt(p1 * (1 - p1) / n + p2 * (1 - p2) / n2)
    z = float(stats.norm.ppf(0.5 + level / 2))
    d = p2 - p1
    if n2 == n:
        return Interval(
            d - z * se,
            d + z * se,
            f"normal interval of a difference of two accuracies on {n:,} images (conservative)",
            level,
        )
    return Interval(
        d - z * se,
        d + z * se,
        f"normal interval of a difference of two independent proportions ({n:,} and {n2:,} items)",
        level,
    )


def median_difference(
    a: Sequence[float], b: Sequence[float], level: float = LEVEL, seed: int = 0, resamples: int = 2000
) -> Interval:
    """Percentile-bootstrap interval of median(a) - median(b) for two independent samples
    (scipy.stats.bootstrap, resampling each sample on its own; seeded, so the same on every run)."""
    x, y = _finite(a), _finite(b)
    if len(x) < 2 or len(y) < 2:
        raise ValueError("a bootstrap interval of a median difference needs at least two values in each sample")
    result = stats.bootstrap(
        (x, y),
        lambda u, v, axis: np.median(u, axis=axis) - np.median(v, axis=axis),
        vectorized=True,
        n_resamples=resamples,
        confidence_level=level,
        method="percentile",
        random_state=seed,
    )
    ci = result.confidence_interval
    return Interval(
        float(ci.low),
        float(ci.high),
        f"percentile bootstrap over {len(x):,} and {len(y):,} images ({resamples} resamples)",
        level,
    )


def contrast(groups: Sequence[Sequence[float]], coefficients: Sequence[float], level: float = LEVEL) -> Interval | None:
    """Welch interval of sum_i c_i mean(group_i) for independent groups of replicates (different
    training runs), with Welch-Satterthwaite degrees of freedom. None when a group with a nonzero
    coefficient has fewer than two values."""
    if len(groups) != len(coefficients):
        raise ValueError(f"{len(groups)} groups but {len(coefficients)} coefficients")
    used = [(_finite(g), float(c)) for g, c in zip(groups, coefficients, strict=True) if c != 0]
    if not used or any(len(g) < 2 for g, _ in used):
        return None
    estimate = sum(c * g.mean() for g, c in used)
    parts = [c * c * g.var(ddof=1) / len(g) for g, c in used]
    variance = sum(parts)
    n_runs = sum(len(g) for g, _ in used)
    if variance == 0:
        return Interval(estimate, estimate, f"Welch interval over {n_runs} runs (no spread)", level)
    df = variance**2 / sum(p * p / (len(g) - 1) for p, (g, _) in zip(parts, used, strict=True) if p > 0)
    half = float(stats.t.ppf(0.5 + level / 2, df=df)) * math.sqrt(variance)
    return Interval(estimate - half, estimate + half, f"Welch interval over {n_runs} runs ({df:.1f} df)", level)


def family_contrast(
    families: Sequence[Sequence[Sequence[float]]], coefficients: Sequence[Sequence[float]], level: float = LEVEL
) -> Interval | None:
    """Interval of sum_f sum_i c_fi mean(group_fi) where the groups of a family are paired by replicate
    (a network and its control: replicate r of each shares its seed) and the families are independent
    (different networks). Each family's combination is taken per replicate first, so what the shared
    seed makes common cancels; the families' per-replicate combinations are then compared with a Welch
    interval (`contrast`). A family whose groups differ in length cannot be paired: its groups then
    enter as independent groups. None when a used group has fewer than two values."""
    groups, weights = [], []
    for family, cs in zip(families, coefficients, strict=True):
        used = [(_finite(g), float(c)) for g, c in zip(family, cs, strict=True) if c != 0]
        if not used:
            continue
        if len({len(g) for g, _ in used}) == 1:
            groups.append(sum(c * g for g, c in used))
            weights.append(1.0)
        else:
            groups += [g for g, _ in used]
            weights += [c for _, c in used]
    if not groups:
        return None
    interval = contrast(groups, weights, level)
    if interval is None:
        return None
    return Interval(
        interval.low,
        interval.high,
        interval.method.replace("Welch interval", "Welch interval of the per-replicate paired combinations", 1),
        interval.level,
    )


def error_homogeneity(
    errors: Sequence[int], sizes: Sequence[int], draws: int = 20_000, seed: int = 0
) -> tuple[float, float]:
    """Do error rates differ between groups? The chi-square statistic of the (errors, right) table by
    group and its p-value by Monte Carlo simulation under the null, conditional on the margins: the
    observed number of errors spread over the items at random (a multivariate hypergeometric draw per
    simulation, seeded). Unlike the chi-square approximation this holds when few errors are expected
    per group. Returns (statistic, p), with p = (1 + draws at least as extreme) / (1 + draws)."""
    errors, sizes = np.asarray(errors, dtype=np.int64), np.asarray(sizes, dtype=np.int64)
    if (errors < 0).any() or (errors > sizes).any():
        raise ValueError("each group's errors must lie between 0 and its size")
    total, n = int(errors.sum()), int(sizes.sum())
    if total in (0, n):
        return 0.0, 1.0
    expected = sizes * total / n

    def statistic(e: np.ndarray) -> np.ndarray:
        # both columns of the table: errors against expected errors, right answers against expected right answers
        return (((e - expected) ** 2) * (1 / expected + 1 / (sizes - expected))).sum(axis=-1)

    simulated = np.random.default_rng(seed).multivariate_hypergeometric(sizes, total, size=draws)
    observed = float(statistic(errors))
    # a small tolerance so that draws equal to the observed table count as at least as extreme despite rounding
    extreme = int((statistic(simulated) >= observed - 1e-9 * max(observed, 1.0)).sum())
    return observed, (1 + extreme) / (1 + draws)
