"""Intervals and tests behind the report's verdicts, from scipy.stats and statsmodels.

Every function returns plain numbers (an `Interval` is a (low, high) pair with the level and
the method named), so that a claim can print the interval it used beside its verdict. An interval
built from a standard error keeps it, with its degrees of freedom, so that its `detectable` effect
(the smallest true difference the test behind it finds with 80% power) can be printed beside a
"no measurable difference" or a "not ruled out".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

#: Confidence level of every interval in the report.
LEVEL = 0.95
#: Power at which the report states the smallest effect a test could have found.
POWER = 0.8


def detectable_effect(standard_error: float, df: float = math.inf, level: float = LEVEL, power: float = POWER) -> float:
    """The smallest true difference that a two-sided test at 1 - `level` of an estimate with this standard
    error (Student's t with `df` degrees of freedom; normal for df = inf) finds with probability `power`:
    the noncentral t (or normal) solved for its noncentrality, times the standard error. For a one-sample
    or paired t-test of n values with spread s this is statsmodels' TTestPower effect size times s."""
    if not standard_error > 0:
        return 0.0
    alpha = 1 - level
    if math.isinf(df):
        crit = float(stats.norm.ppf(1 - alpha / 2))

        def reach(nc: float) -> float:
            return float(stats.norm.sf(crit - nc) + stats.norm.cdf(-crit - nc))
    else:
        crit = float(stats.t.ppf(1 - alpha / 2, df))

        def reach(nc: float) -> float:
            # the far tail underflows to NaN for a large noncentrality: it is 0 there
            return float(np.nan_to_num(stats.nct.sf(crit, df, nc)) + np.nan_to_num(stats.nct.cdf(-crit, df, nc)))

    high = crit + 4.0
    while reach(high) < power:
        high *= 2
    return float(optimize.brentq(lambda nc: reach(nc) - power, 0.0, high)) * standard_error


@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    method: str
    level: float = LEVEL
    #: the estimate's standard error and degrees of freedom (inf: normal), where the interval came from them
    standard_error: float | None = None
    df: float | None = None

    @property
    def detectable(self) -> float | None:
        """The smallest true difference the test behind this interval finds with 80% power (POWER)."""
        if not self.standard_error:  # none given, or no spread seen: the test cannot size its own noise
            return None
        return detectable_effect(self.standard_error, math.inf if self.df is None else self.df, self.level)

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
    se = math.sqrt(accuracy * (1 - accuracy) / n)
    return Interval(float(ci.low), float(ci.high), f"Wilson interval on {n:,} images", level, se, math.inf)


def _clip(low: float, high: float, bounds: tuple[float, float] | None) -> tuple[float, float]:
    if bounds is None:
        return low, high
    return max(low, bounds[0]), min(high, bounds[1])


def mean_interval(
    values: Sequence[float],
    level: float = LEVEL,
    bounds: tuple[float, float] | None = (0.0, 1.0),
    spread: PooledSpread | None = None,
) -> Interval | None:
    """Student-t interval of the mean over replicates, clipped to `bounds` (accuracies lie in [0, 1]);
    None for fewer than two values. With a `spread` pooled over several groups of replicates (a one-way
    model, `pooled_spread`), its standard deviation and degrees of freedom stand for this group's."""
    x = _finite(values)
    if len(x) < 2:
        return None
    sd = spread.sd if spread is not None else float(x.std(ddof=1))
    return mean_interval_of_moments(float(x.mean()), sd, len(x), level, bounds, spread=spread)


def mean_interval_of_moments(
    mean: float,
    sd: float,
    n: int,
    level: float = LEVEL,
    bounds: tuple[float, float] | None = (0.0, 1.0),
    spread: PooledSpread | None = None,
) -> Interval | None:
    """mean_interval from the replicates' mean, standard deviation (ddof 1) and count, as a summary table
    keeps them; None for fewer than two."""
    if n < 2:
        return None
    df = spread.df if spread is not None else n - 1
    sem = sd / math.sqrt(n)
    pooled = f", spread pooled over {spread.groups} groups ({spread.df} df)" if spread is not None else ""
    if sem == 0:
        return Interval(mean, mean, f"t-interval over {n} replicates (all equal)", level, 0.0, df)
    low, high = _clip(*(float(v) for v in stats.t.interval(level, df=df, loc=mean, scale=sem)), bounds)
    return Interval(low, high, f"t-interval over {n} replicates{pooled}", level, sem, df)


def mean_from_standard_error(mean: float, standard_error: float, n: int, level: float = LEVEL) -> Interval:
    """Student-t interval of a mean over n items given its standard error (computed where the items were)."""
    if standard_error == 0:
        return Interval(mean, mean, f"t-interval over {n:,} images (no spread)", level, 0.0, n - 1)
    low, high = stats.t.interval(level, df=n - 1, loc=mean, scale=standard_error)
    return Interval(float(low), float(high), f"t-interval over {n:,} images", level, standard_error, n - 1)


def _mean_difference_interval(d: np.ndarray, over: str, level: float) -> Interval:
    """Student-t interval of the mean of the differences `d` (paired: their own spread), `over` naming them."""
    df = len(d) - 1
    if np.all(d == d[0]):
        return Interval(
            float(d[0]), float(d[0]), f"paired t-interval over {over} (all differences equal)", level, 0.0, df
        )
    ci = stats.ttest_1samp(d, 0.0).confidence_interval(confidence_level=level)
    return Interval(float(ci.low), float(ci.high), f"paired t-interval over {over}", level, float(stats.sem(d)), df)


def paired_difference(a: Sequence[float], b: Sequence[float], level: float = LEVEL) -> Interval | None:
    """Student-t interval of the mean of the paired differences a_i - b_i (replicate i of a and of
    b share their seed); None for fewer than two pairs."""
    x, y = _finite(a), _finite(b)
    if len(x) != len(y):
        raise ValueError(f"paired samples need equal lengths, got {len(x)} and {len(y)}")
    if len(x) < 2:
        return None
    return _mean_difference_interval(x - y, f"{len(x)} replicates", level)


def per_item_difference(differences: Sequence[float], level: float = LEVEL, what: str = "images") -> Interval:
    """Student-t interval of the mean of per-item differences (e.g. +1/0/-1 per test image when two
    predictions on the same images are compared): the paired comparison of two accuracies."""
    d = _finite(differences)
    if len(d) < 2:
        raise ValueError("a per-item comparison needs at least two items")
    return _mean_difference_interval(d, f"{len(d):,} {what}", level)


def runs_averaged_difference(differences: Sequence[float], runs: int, level: float = LEVEL) -> Interval:
    """per_item_difference of per-image differences already averaged over `runs` seed-paired runs: it
    covers the sampling of the images for these runs, not the variation between training runs."""
    interval = per_item_difference(differences, level)
    return Interval(
        interval.low,
        interval.high,
        f"{interval.method}, each image's difference averaged over {runs} seed-paired runs",
        level,
        interval.standard_error,
        interval.df,
    )


def discordant_differences(only_b: int, only_a: int, n: int) -> np.ndarray:
    """Per-item differences (b - a) of two classifications of the same n items, rebuilt from the
    counts of items only b got right and only a got right (the other items count 0)."""
    if min(only_a, only_b) < 0 or only_a + only_b > n:
        raise ValueError(f"discordant counts {only_b} and {only_a} do not fit {n} items")
    return np.concatenate([np.ones(only_b), -np.ones(only_a), np.zeros(n - only_a - only_b)])


def prediction_interval_same_items(
    values: Sequence[float],
    level: float = LEVEL,
    bounds: tuple[float, float] | None = (0.0, 1.0),
    spread: PooledSpread | None = None,
) -> Interval | None:
    """Where one further run of the same procedure would fall when it is scored on the same items as
    the replicates (e.g. the same test set): the replicates' spread only, mean +- t(df) s sqrt(1 + 1/n),
    with s and df = n - 1 from the replicates or from a `spread` pooled over several groups. The items'
    sampling error is common to every run scored on them, so it is left out. None for n < 2."""
    x = _finite(values)
    if len(x) < 2:
        return None
    n, mean = len(x), float(x.mean())
    sd, df = (spread.sd, spread.df) if spread is not None else (float(x.std(ddof=1)), n - 1)
    se = sd * math.sqrt(1 + 1 / n)
    half = float(stats.t.ppf(0.5 + level / 2, df=df)) * se
    source = (
        f"spread pooled over {spread.groups} groups ({df} df)" if spread is not None else f"spread of {n} replicates"
    )
    return Interval(
        *_clip(mean - half, mean + half, bounds),
        f"prediction interval for one run on the same test images: {source}",
        level,
        se,
        df,
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
            se,
            math.inf,
        )
    return Interval(
        d - z * se,
        d + z * se,
        f"normal interval of a difference of two independent proportions ({n:,} and {n2:,} items)",
        level,
        se,
        math.inf,
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
        float(result.standard_error),
        math.inf,
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
        return Interval(estimate, estimate, f"Welch interval over {n_runs} runs (no spread)", level, 0.0)
    df = variance**2 / sum(p * p / (len(g) - 1) for p, (g, _) in zip(parts, used, strict=True) if p > 0)
    half = float(stats.t.ppf(0.5 + level / 2, df=df)) * math.sqrt(variance)
    return Interval(
        estimate - half,
        estimate + half,
        f"Welch interval over {n_runs} runs ({df:.1f} df)",
        level,
        math.sqrt(variance),
        df,
    )


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
        interval.standard_error,
        interval.df,
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


# -- spreads pooled over groups, paired comparisons on shared images, class errors over replicates ----


@dataclass(frozen=True)
class PooledSpread:
    """The within-group standard deviation of a one-way model (groups of replicates, e.g. one per L2
    factor): pooled over the groups, with N - k degrees of freedom, and the test that let it be pooled."""

    sd: float
    df: int
    groups: int
    equal_spread_p: float
    method: str = "Brown-Forsythe (Levene, median-centred) test of equal spreads"


#: Spreads are pooled unless the test of equal spreads rejects at this level.
EQUAL_SPREAD_ALPHA = 0.05


def pooled_spread(groups: Sequence[Sequence[float]], alpha: float = EQUAL_SPREAD_ALPHA) -> PooledSpread | None:
    """The within-group spread pooled over `groups` (sum of (n_i - 1) s_i^2 over N - k), when the
    Brown-Forsythe test (scipy.stats.levene, median-centred) does not reject equal spreads at `alpha`.
    None when the spreads are not alike by that test, or when fewer than two groups have two or more
    values (nothing to pool). The test has little power with few replicates per group: not rejecting is
    no proof that the spreads are equal, which the report says where it pools."""
    arrays = [_finite(g) for g in groups]
    arrays = [g for g in arrays if len(g) >= 2]
    if len(arrays) < 2:
        return None
    df = sum(len(g) - 1 for g in arrays)
    sd = math.sqrt(sum((len(g) - 1) * g.var(ddof=1) for g in arrays) / df)
    if all(np.ptp(g) == 0 for g in arrays):
        p = 1.0
    else:
        p = float(stats.levene(*arrays, center="median").pvalue)
        if not math.isfinite(p):  # every group's values equal their median: no spread differs
            p = 1.0
    if p < alpha:
        return None
    return PooledSpread(sd, df, len(arrays), p)


def mcnemar_p(only_a: int, only_b: int) -> float:
    """Exact McNemar test (statsmodels) of two classifiers on the same items: the two-sided binomial
    p-value of the items only one of them gets right (only_a by a alone, only_b by b alone)."""
    from statsmodels.stats.contingency_tables import mcnemar

    if min(only_a, only_b) < 0:
        raise ValueError(f"discordant counts must be >= 0, got {only_a} and {only_b}")
    if only_a + only_b == 0:
        return 1.0
    return float(mcnemar([[0, only_a], [only_b, 0]], exact=True).pvalue)


def mcnemar_interval(only_a: int, only_b: int, n: int, level: float = LEVEL) -> Interval:
    """Interval of accuracy(b) - accuracy(a) on the same n items, dual to the exact McNemar test: the
    Clopper-Pearson interval of the share of the m = only_a + only_b discordant items that b gets right,
    mapped to (2 share - 1) m / n. It excludes 0 exactly when mcnemar_p < 1 - level. It covers the
    sampling of the items only (one run of each model); its standard error for the detectable effect is
    the null one, sqrt(m) / n."""
    if min(only_a, only_b) < 0 or only_a + only_b > n:
        raise ValueError(f"discordant counts {only_a} and {only_b} do not fit {n} items")
    m = only_a + only_b
    method = f"exact McNemar interval over {n:,} images ({m:,} on which the two disagree)"
    if m == 0:
        return Interval(0.0, 0.0, method, level, 0.0, math.inf)
    ci = stats.binomtest(only_b, m).proportion_ci(confidence_level=level, method="exact")
    scale = m / n
    return Interval((2 * ci.low - 1) * scale, (2 * ci.high - 1) * scale, method, level, math.sqrt(m) / n, math.inf)


def discordant_counts(correct_a: np.ndarray, correct_b: np.ndarray) -> tuple[int, int]:
    """(items only a gets right, items only b gets right) of two boolean arrays over the same items."""
    a, b = np.asarray(correct_a, dtype=bool), np.asarray(correct_b, dtype=bool)
    if a.shape != b.shape:
        raise ValueError(f"paired predictions need the same items, got shapes {a.shape} and {b.shape}")
    return int((a & ~b).sum()), int((b & ~a).sum())


def paired_on_items(correct_a: np.ndarray, correct_b: np.ndarray, level: float = LEVEL) -> Interval:
    """accuracy(b) - accuracy(a) on the same items, paired image by image. One run each (1-D arrays):
    the exact McNemar interval. Several runs each ((runs, items) arrays, run r of a paired with run r of
    b by seed): the per-item mean difference over the runs, with a t-interval over the items; it covers
    the sampling of the items for these runs, not the variation between training runs."""
    a, b = np.asarray(correct_a, dtype=float), np.asarray(correct_b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired predictions need the same items, got shapes {a.shape} and {b.shape}")
    if a.ndim == 1 or a.shape[0] == 1:
        only_a, only_b = discordant_counts(a.reshape(-1) > 0, b.reshape(-1) > 0)
        return mcnemar_interval(only_a, only_b, a.size, level)
    return runs_averaged_difference((b - a).mean(axis=0), a.shape[0], level)


def error_homogeneity_over_images(
    histograms: Sequence[Sequence[int]], draws: int = 20_000, seed: int = 0, batch: int = 500
) -> tuple[float, float]:
    """Do error rates differ between classes, over several runs scored on the same images? Each image
    counts how many of the runs got it wrong (0 to R); `histograms[c][k]` is the number of images of
    class c that k runs got wrong. The statistic is the chi-square of the per-class error totals against
    their share of the images; its p-value comes from permuting the class labels over the images (seeded),
    which keeps every image's errors together, so runs that fail on the same hard images are not counted
    as independent evidence. With one run this is the Monte Carlo chi-square of the per-class error counts.
    Returns (statistic, p), with p = (1 + draws at least as extreme) / (1 + draws)."""
    h = np.asarray(histograms, dtype=np.int64)
    if h.ndim != 2 or (h < 0).any():
        raise ValueError("histograms must be a (classes, runs + 1) table of image counts")
    sizes = h.sum(axis=1)
    counts = np.arange(h.shape[1])
    total, n = int((h * counts).sum()), int(sizes.sum())
    if total == 0:
        return 0.0, 1.0
    expected = sizes * total / n
    present = expected > 0

    def statistic(per_class: np.ndarray) -> np.ndarray:
        return (((per_class - expected) ** 2)[..., present] / expected[present]).sum(axis=-1)

    observed = float(statistic(h @ counts))
    # only the images with at least one error move the statistic: under a permutation of the labels their
    # classes are a draw without replacement from the label multiset, i.e. class counts from a multivariate
    # hypergeometric draw, handed to the images in a random order
    weights = np.repeat(np.tile(counts, len(sizes)), h.ravel())
    weights = weights[weights > 0].astype(float)
    k = len(weights)
    rng = np.random.default_rng(seed)
    extreme, done = 0, 0
    while done < draws:
        size = min(batch, draws - done)
        per_class_counts = rng.multivariate_hypergeometric(sizes, k, size=size)
        shuffled = rng.permuted(np.tile(weights, (size, 1)), axis=1)
        # the first per_class_counts[0] shuffled images are class 0's, the next class 1's, ...: each class's
        # total is a difference of the running sum (whole numbers, so exact in float64)
        running = np.concatenate([np.zeros((size, 1)), shuffled.cumsum(axis=1)], axis=1)
        ends = np.take_along_axis(running, per_class_counts.cumsum(axis=1), axis=1)
        simulated = statistic(np.diff(ends, axis=1, prepend=0.0))
        extreme += int((simulated >= observed - 1e-9 * max(observed, 1.0)).sum())
        done += size
    return observed, (1 + extreme) / (1 + draws)
