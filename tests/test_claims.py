"""Claims and statistics: every verdict on both sides of its rule, the templates free of comparisons
of their own, and (property-based) the report built and rendered for any valid config and any numbers
without a sentence that its numbers contradict."""

from __future__ import annotations

import html as html_lib
import math
import os
import re

import jinja2
import numpy as np
import pandas as pd
import pytest
import synthetic
import yaml
from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from scipy import stats

from mnistflow import claims, history, rendering, report
from mnistflow import inference as st
from mnistflow.config import ConfigError, validate_config

TEMPLATES = REPO / "workflow" / "report"
SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"


# -- statistics ------------------------------------------------------------------------------------


def test_wilson_interval_matches_the_textbook_size():
    ci = st.wilson(0.9815, 10_000)
    assert ci.low < 0.9815 < ci.high
    assert ci.half_width == pytest.approx(0.0026, abs=0.0002)  # about +-0.0026 at 95% on 10,000 images
    assert st.wilson(1.0, 100).high == pytest.approx(1.0) and st.wilson(0.0, 100).low == pytest.approx(0.0)


def test_mean_interval_uses_student_t_and_refuses_one_value():
    ci = st.mean_interval([0.98, 0.982, 0.984])
    from scipy import stats

    half = stats.t.ppf(0.975, 2) * np.std([0.98, 0.982, 0.984], ddof=1) / math.sqrt(3)
    assert ci.half_width == pytest.approx(half)
    assert st.mean_interval([0.98]) is None
    assert st.mean_interval([0.9, 0.1]).low == 0.0  # clipped to [0, 1]


def test_paired_difference_is_narrower_than_unpaired_for_shared_seeds():
    base = np.array([0.980, 0.984, 0.988])
    treated = base + np.array([0.0010, 0.0012, 0.0011])
    paired = st.paired_difference(treated, base)
    assert paired.above(0)
    unpaired_half = st.mean_interval(treated).half_width + st.mean_interval(base).half_width
    assert paired.half_width < unpaired_half
    assert st.paired_difference([0.9], [0.8]) is None
    with pytest.raises(ValueError, match="equal lengths"):
        st.paired_difference([0.9, 0.8], [0.8])


def test_prediction_interval_on_the_same_items_is_the_replicate_spread():
    values = [0.9813, 0.9815, 0.9817]
    pi = st.prediction_interval_same_items(values)
    mean_only = st.mean_interval(values)
    # s sqrt(1 + 1/n) against s / sqrt(n)
    assert pi.half_width == pytest.approx(mean_only.half_width * math.sqrt(1 + 3))
    assert st.prediction_interval_same_items([0.98]) is None
    assert st.prediction_interval_same_items([0.98, 0.98, 0.98]).half_width == 0  # no spread: a point
    spread = [0.90, 0.95, 0.99]
    seed_sd = np.std(spread, ddof=1) * math.sqrt(1 + 1 / 3)
    assert st.prediction_interval_same_items(spread, bounds=None).half_width == pytest.approx(
        stats.t.ppf(0.975, 2) * seed_sd
    )


def test_per_item_difference_from_discordant_counts():
    d = st.discordant_differences(only_b=300, only_a=100, n=1000)
    assert d.mean() == pytest.approx(0.2) and len(d) == 1000
    assert st.per_item_difference(d).above(0)
    assert st.per_item_difference(st.discordant_differences(5, 5, 1000)).contains(0)
    with pytest.raises(ValueError):
        st.discordant_differences(600, 500, 1000)


# -- every claim on both sides of its rule ---------------------------------------------------------


def test_class_balance_flips_at_its_ratio():
    assert claims.class_balance([100, 140]).verdict == "balanced"
    assert claims.class_balance([100, 160]).verdict == "unbalanced"


def test_initial_loss_near_uniform_or_not():
    assert claims.initial_loss(math.log(10) + 0.1, 10).verdict == "near_uniform"
    assert claims.initial_loss(math.log(10) + 0.5, 10).verdict == "away_from_uniform"


def _epochs(n: int, changes: list[tuple[int, int]]) -> np.ndarray:
    """Correctness by epoch on n images: epoch 0 gets the first half right; each later epoch turns
    `gained` wrong images right and `lost` right images wrong (gained, lost)."""
    rows = [np.arange(n) < n // 2]
    for gained, lost in changes:
        row = rows[-1].copy()
        row[np.flatnonzero(~row)[:gained]] = True
        row[np.flatnonzero(rows[-1])[:lost]] = False
        rows.append(row)
    return np.stack(rows)


def test_validation_trend_is_paired_image_by_image():
    assert claims.validation_trend(_epochs(500, [(30, 0)] * 3)).verdict == "rising"
    assert claims.validation_trend(_epochs(500, [(0, 30)] * 3)).verdict == "falling"
    # the same net change on 5,000 images, made of 20 gains and 16 losses: no rise or fall to read
    level = claims.validation_trend(_epochs(5000, [(7, 5), (7, 5), (6, 6)]))
    assert level.verdict == "level" and level.interval.contains(0)
    assert level.values["only_after"] - level.values["only_before"] == round(level.values["change"] * 5000)
    assert claims.validation_trend(_epochs(5000, [])).verdict == "one_epoch"


def test_paired_trend_sees_what_the_unpaired_interval_misses():
    """Ten images gained and none lost on 5,000: the exact McNemar test finds it (p = 2 * 0.5**10); two
    independent proportions on the same images would not (their interval is about +-1.3 points)."""
    trend = claims.validation_trend(_epochs(5000, [(10, 0)]))
    assert trend.verdict == "rising" and trend.values["p_value"] == pytest.approx(2 * 0.5**10)
    assert st.two_proportion_difference(0.5, 0.502, 5000).contains(0)


def test_overfitting_only_when_validation_loss_rises():
    assert claims.overfitting([1.0, 0.5, 0.3], [1.0, 0.4, 0.2]).verdict == "val_loss_lowest_at_end"
    assert claims.overfitting([1.0, 0.3, 0.5], [1.0, 0.4, 0.2]).verdict == "val_loss_rose_while_training_loss_fell"
    assert claims.overfitting([1.0, 0.3, 0.5], [1.0, 0.2, 0.4]).verdict == "val_loss_rose"
    assert claims.overfitting([1.0], [1.0]).verdict == "one_epoch"


def _runs(tests: dict[str, list[float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"factor_label": f, "replicate": r, "test_accuracy": v} for f, vs in tests.items() for r, v in enumerate(vs)]
    )


def test_decay_effect_paired_by_replicate():
    base = [0.980, 0.984, 0.988]
    gain = claims.decay_effect(_runs({"0": base, "1e-4": [b + 0.001 + 0.0001 * i for i, b in enumerate(base)]}), "1e-4")
    assert gain.verdict == "gain" and gain.interval.above(0)
    loss = claims.decay_effect(_runs({"0": base, "1e-4": [b - 0.001 - 0.0001 * i for i, b in enumerate(base)]}), "1e-4")
    assert loss.verdict == "loss"
    # the report's numbers: +0.0000 on average
    none = claims.decay_effect(_runs({"0": [0.9812, 0.9815, 0.9811], "1e-4": [0.9815, 0.9811, 0.9812]}), "1e-4")
    assert none.verdict == "no_measurable_difference" and none.interval.contains(0)
    assert claims.decay_effect(_runs({"0": [0.98], "1e-4": [0.99]}), "1e-4").verdict == "single_run"
    assert claims.decay_effect(_runs({"1e-5": base, "1e-4": base}), "1e-4").verdict == "no_baseline"
    assert claims.decay_effect(_runs({"0": base, "1e-4": base}), "0").verdict == "baseline_chosen"


def test_other_factors_are_shown_never_claimed():
    base = [0.980, 0.984, 0.988]
    runs = _runs(
        {
            "0": base,
            "1e-5": [b + 0.0001 * (i - 1) for i, b in enumerate(base)],
            "1e-4": [b + 0.002 + 0.0001 * i for i, b in enumerate(base)],
        }
    )
    runs["factor"] = runs["factor_label"].astype(float)
    c = claims.other_factors(runs, "0")
    assert c.verdict == "some_above_zero_uncorrected" and c.values["above"] == ["1e-4"]
    assert c.values["intervals"]["1e-5"].contains(0)
    runs = _runs({"0": base, "1e-5": [b + 0.0001 * (i - 1) for i, b in enumerate(base)]})
    runs["factor"] = runs["factor_label"].astype(float)
    assert claims.other_factors(runs, "0").verdict == "none_above_zero"
    runs = _runs({"1e-5": base, "1e-4": base})
    runs["factor"] = runs["factor_label"].astype(float)
    assert claims.other_factors(runs, "1e-4").verdict == "not_applicable"


def test_hinton_reproduced_not_ruled_out_or_outside():
    # the mean's interval covers his figure: reproduced, within the margin
    within = claims.hinton([0.9845, 0.9850, 0.9848], 0.9847, 10_000)
    assert within.verdict == "reproduced" and within.values["reproduced_by"] == "margin"
    # inside one run's prediction interval only: not ruled out (mean 0.9835, sd 0.001, mean interval +-0.0025)
    c = claims.hinton([0.9825, 0.9835, 0.9845], 0.9862, 10_000)
    assert c.verdict == "not_ruled_out" and not c.values["mean_interval"].contains(0.9862)
    assert c.interval.contains(0.9862) and not c.values["reached"]
    assert claims.hinton([0.9700, 0.9702, 0.9701], 0.9847, 10_000).verdict == "below"
    assert claims.hinton([0.9950, 0.9952, 0.9951], 0.9847, 10_000).verdict == "above"
    assert claims.hinton([0.9815], 0.9847, 10_000).verdict == "single_run"
    # a full build's momentum runs: the mean's interval [0.98477, 0.98571] ends 0.00001 past the margin but lies
    # wholly above his figure, so the procedure does at least as well: reproduced
    better = claims.hinton([0.9856, 0.9854, 0.9847, 0.9850, 0.9855], 0.9847, 10_000)
    assert better.values["mean_interval"].high > 0.9847 + claims.REPRODUCTION_MARGIN
    assert better.values["mean_interval"].low >= 0.9847 and better.verdict == "reproduced"
    assert better.values["reproduced_by"] == "at_or_above"
    # runs as far above on average but spread wider: the mean's interval straddles his figure and leaves the margin
    wider = claims.hinton([0.9830, 0.9870, 0.9850, 0.9860, 0.9840], 0.9847, 10_000)
    assert wider.values["mean_interval"].low < 0.9847 and wider.verdict == "not_ruled_out"
    assert wider.values["reproduced_by"] is None
    # an earlier full build's numbers: 0.9817, 0.9818, 0.9810 at the chosen factor; 0.9847 lies above the interval
    values = [0.9817, 0.9818, 0.9810]
    c = claims.hinton(values, 0.9847, 10_000)
    half = stats.t.ppf(0.975, 2) * np.std(values, ddof=1) * math.sqrt(1 + 1 / 3)
    assert c.verdict == "below" and c.interval.half_width == pytest.approx(half)
    # the same test set for both: its sampling error is left out, so the interval does not depend on n_test
    assert claims.hinton(values, 0.9847, 100).interval == c.interval


def test_a_wide_interval_covering_his_figure_reproduces_nothing():
    """Two runs far apart: the mean's interval covers 0.9847 only because it is wide; an equivalence margin
    is needed to call it reproduced."""
    wide = claims.hinton([0.9700, 0.9900], 0.9847, 10_000)
    assert wide.values["mean_covers"] and wide.verdict == "not_ruled_out"
    tight = claims.hinton([0.98465, 0.98470, 0.98475, 0.98468], 0.9847, 10_000)
    assert tight.verdict == "reproduced"
    # within the margin but not covering it: still reproduced within 0.1 points (equivalence, not equality)
    near = claims.hinton([0.98420, 0.98421, 0.98422], 0.9847, 10_000)
    assert not near.values["mean_covers"] and near.verdict == "reproduced"


def test_hinton_uses_the_chosen_factors_own_runs():
    """The verdict on Hinton's figure takes the spread of the runs at the chosen setting alone: its
    intervals equal the t-intervals of those runs, whatever other factors' runs did."""
    runs = [0.9806, 0.9820, 0.9811]
    claim = claims.hinton(runs, 0.9847, 10_000)
    assert claim.values["mean_interval"] == st.mean_interval(runs)
    assert claim.interval == st.prediction_interval_same_items(runs)
    assert claim.verdict == "not_ruled_out" and claim.interval.contains(0.9847)
    assert claims.hinton([0.9806, 0.9808, 0.9807], 0.9847, 10_000).verdict == "below"


def test_mean_against_target_three_ways():
    assert claims.mean_against_target("cnn_target", [0.995, 0.996, 0.9955], 0.99, 10_000).verdict == "above"
    assert claims.mean_against_target("cnn_target", [0.98, 0.981, 0.9805], 0.99, 10_000).verdict == "below"
    assert claims.mean_against_target("cnn_goal", [0.9945, 0.9955, 0.9950], 0.995, 10_000).verdict == "undecided"
    single = claims.mean_against_target("cnn_goal", [0.9952], 0.995, 10_000)
    assert single.verdict == "single_run" and single.values["single_interval"].contains(0.9952)


def test_size_comparison_both_ways():
    assert claims.size_comparison("cnn_size", 10, 20, ("smaller", "larger", "same")).verdict == "smaller"
    assert claims.size_comparison("cnn_size", 30, 20, ("smaller", "larger", "same")).verdict == "larger"
    assert claims.size_comparison("cnn_arithmetic", 20, 20, ("less", "more", "same")).verdict == "same"


def test_first_level_below_the_criterion():
    levels = [0.0, 0.2, 0.4]
    assert (
        claims.first_level_below("noisy_below_criterion", levels, [0.99, 0.95, 0.5], 10_000, 0.9, "x").values["level"]
        == 0.4
    )
    # 0.899 on 1,000 images is not clearly below 0.9: the next level is
    c = claims.first_level_below("noisy_below_criterion", levels, [0.99, 0.899, 0.5], 1000, 0.9, "x")
    assert c.verdict == "at_level" and c.values["level"] == 0.4
    assert (
        claims.first_level_below("noisy_below_criterion", levels, [0.99, 0.98, 0.97], 10_000, 0.9, "x").verdict
        == "never"
    )
    assert (
        claims.first_level_below("noisy_below_criterion", levels, [0.5, 0.4, 0.3], 10_000, 0.9, "x").verdict
        == "from_lowest_level"
    )


def test_denoising_fails_and_what_the_output_still_carries():
    se = [0.0003] * 3
    fails, info = claims.denoising_fails([0.0, 0.5, 0.8], [0.01, 0.05, 0.07], 0.065, se, [0.99, 0.9, 0.30], 10_000, 10)
    assert fails.verdict == "at_level" and fails.values["level"] == 0.8 and not fails.interval.below(0)
    assert info.verdict == "above_chance"  # 0.30 is three times chance: the output still tells digits apart
    _, info = claims.denoising_fails([0.0, 0.5, 0.8], [0.01, 0.05, 0.07], 0.065, se, [0.99, 0.9, 0.10], 10_000, 10)
    assert info.verdict == "not_above_chance"
    never, info = claims.denoising_fails([0.0, 0.5], [0.01, 0.05], 0.065, se[:2], [0.99, 0.9], 10_000, 10)
    assert never.verdict == "never" and info.verdict == "not_applicable"
    first, _ = claims.denoising_fails([0.1, 0.5], [0.07, 0.08], 0.065, se[:2], [0.5, 0.4], 10_000, 10)
    assert first.verdict == "from_lowest_level"
    # 0.0645 against 0.065 is closer, but not measurably so with a standard error of 0.0003: it counts as not closer
    close, _ = claims.denoising_fails([0.0, 0.5], [0.01, 0.0645], 0.065, se[:2], [0.99, 0.5], 10_000, 10)
    assert close.verdict == "at_level" and close.values["level"] == 0.5
    clear, _ = claims.denoising_fails([0.0, 0.5], [0.01, 0.0635], 0.065, se[:2], [0.99, 0.5], 10_000, 10)
    assert clear.verdict == "never"


def test_factor_choice_counts_validation_answers_and_breaks_ties_towards_less_decay():
    def runs(vals):
        return pd.DataFrame(
            [
                {"factor": float(f), "factor_label": f, "replicate": r, "final_val_accuracy": v}
                for f, vs in vals.items()
                for r, v in enumerate(vs)
            ]
        )

    # the full build's numbers: 14,709 of 15,000 for both, apart from float32 noise
    tie = claims.factor_choice(
        runs({"0": [0.9815999866, 0.9807999730, 0.9793999791], "1e-4": [0.9800000191, 0.9814000130, 0.9804000258]}),
        5000,
    )
    assert (
        tie.verdict == "tie"
        and tie.values["best"] == "0"
        and tie.values["tied"] == ["1e-4"]
        and tie.values["correct"] == 14709
    )
    unique = claims.factor_choice(runs({"0": [0.98, 0.98], "1e-4": [0.9802, 0.98]}), 5000)
    assert unique.verdict == "unique" and unique.values["best"] == "1e-4"
    assert claims.factor_choice(runs({"1e-4": [0.98]}), 5000).verdict == "single_factor"


def _table(rows):
    rng = np.random.default_rng(1)
    out = []
    for level, pn, pd_ in rows:
        noisy, den = synthetic._correct(rng, 2000, pn), synthetic._correct(rng, 2000, pd_)
        out.append(
            {
                "level": level,
                "images": 2000,
                "accuracy_noisy": noisy.mean(),
                "accuracy_denoised": den.mean(),
                "noisy_only": int(np.sum(noisy & ~den)),
                "denoised_only": int(np.sum(den & ~noisy)),
                # the median filter as good as the noisy digits, image for image
                "accuracy_median": noisy.mean(),
                "median_over_denoised": int(np.sum(noisy & ~den)),
                "denoised_over_median": int(np.sum(den & ~noisy)),
            }
        )
    return pd.DataFrame(out)


def test_denoising_helps_then_stops_and_why():
    gains = claims.level_gains(_table([(0.0, 0.99, 0.97), (0.4, 0.6, 0.9), (0.8, 0.2, 0.5), (1.0, 0.1, 0.1)]))
    helps, cause = claims.denoising_helps(gains, 0.01, 10)
    assert (
        helps.verdict == "helps_then_stops"
        and helps.values["helps_from"] == 0.4
        and helps.values["stops_helping"] == 1.0
    )
    assert cause.verdict == "both_at_chance"
    gains = claims.level_gains(_table([(0.0, 0.99, 0.97), (0.4, 0.6, 0.9), (0.8, 0.5, 0.5)]))
    helps, cause = claims.denoising_helps(gains, 0.01, 10)
    assert helps.verdict == "helps_then_stops" and cause.verdict == "not_at_chance"
    helps, cause = claims.denoising_helps(claims.level_gains(_table([(0.0, 0.99, 0.97), (0.5, 0.6, 0.9)])), 0.01, 10)
    assert helps.verdict == "helps_to_highest_level" and cause.verdict == "not_applicable"
    helps, _ = claims.denoising_helps(claims.level_gains(_table([(0.0, 0.99, 0.97), (0.5, 0.6, 0.605)])), 0.01, 10)
    assert helps.verdict == "never"  # +0.5 points is not more than 1 point
    assert helps.values["detectable_gain"] > 0.01  # what the largest gain's test could have shown above 1 point
    # helps, stops, helps again: "from there on" would be false, so the level it helps again at is kept
    gains = claims.level_gains(_table([(0.2, 0.6, 0.9), (0.5, 0.5, 0.5), (0.8, 0.3, 0.6), (1.0, 0.1, 0.1)]))
    helps, _ = claims.denoising_helps(gains, 0.01, 10)
    assert helps.values["stops_helping"] == 0.5 and helps.values["helps_again"] == [0.8]
    assert helps.values["helps_levels"] == [0.2, 0.8]
    gains = claims.level_gains(_table([(0.2, 0.6, 0.9), (0.5, 0.5, 0.5), (0.8, 0.3, 0.3)]))
    assert claims.denoising_helps(gains, 0.01, 10)[0].values["helps_again"] == []
    # where denoising lowers the accuracy measurably, and where a small drop is within chance
    gains = claims.level_gains(_table([(0.0, 0.99, 0.80), (0.1, 0.95, 0.945), (0.5, 0.6, 0.9)]))
    assert claims.denoising_helps(gains, 0.01, 10)[0].values["hurts_levels"] == [0.0]
    assert (
        claims.denoising_helps(claims.level_gains(_table([(0.5, 0.6, 0.9)])), 0.01, 10)[0].values["hurts_levels"] == []
    )


def test_clean_cost_only_when_level_0_was_tested():
    assert claims.clean_cost(claims.level_gains(_table([(0.0, 0.99, 0.90)]))).verdict == "costs"
    assert claims.clean_cost(claims.level_gains(_table([(0.0, 0.90, 0.99)]))).verdict == "gains"
    assert claims.clean_cost(claims.level_gains(_table([(0.0, 0.99, 0.99)]))).verdict == "no_measurable_difference"
    assert claims.clean_cost(claims.level_gains(_table([(0.1, 0.99, 0.90)]))).verdict == "not_tested"


def test_a_claim_refuses_an_unknown_verdict():
    with pytest.raises(ValueError, match="not one of"):
        claims.Claim("hinton", "proves", "rule")


# -- the templates compare no numbers themselves ---------------------------------------------------


def _template_nodes():
    env = rendering.environment(TEMPLATES)
    for path in sorted(TEMPLATES.rglob("*.j2")):
        source = path.read_text()
        yield path.relative_to(TEMPLATES).as_posix(), env.parse(source)


def test_every_comparison_in_the_templates_goes_through_a_claim():
    """No ordering comparison at all, and equality only against a fixed word (a claim's verdict or an
    enumerated setting such as the schedule): every result-dependent choice is a claim's."""
    from jinja2 import nodes

    offenders = []
    for name, tree in _template_nodes():
        for node in tree.find_all(nodes.Compare):
            for op in node.ops:
                if op.op in ("lt", "gt", "lteq", "gteq"):
                    offenders.append(f"{name}:{node.lineno}: ordering comparison")
                elif op.op in ("eq", "ne") and not (
                    isinstance(op.expr, nodes.Const) and isinstance(op.expr.value, str)
                ):
                    offenders.append(f"{name}:{node.lineno}: equality with something other than a fixed word")
                elif op.op in ("in", "notin") and not isinstance(op.expr, nodes.Tuple):
                    offenders.append(f"{name}:{node.lineno}: membership test on data")
        for node in tree.find_all(nodes.CondExpr):
            if node.test is not None and not _is_verdict_test(node.test):
                offenders.append(f"{name}:{node.lineno}: inline if on a value")
    assert not offenders, offenders


def _is_verdict_test(test) -> bool:
    from jinja2 import nodes

    return isinstance(test, nodes.Compare) and all(
        isinstance(op.expr, nodes.Const) and isinstance(op.expr.value, str) for op in test.ops
    )


def test_every_verdict_is_worded_in_the_templates():
    """Each claim's verdicts are named in the templates (a verdict no template words would print nothing)."""
    text = "\n".join(p.read_text() for p in TEMPLATES.rglob("*.j2"))
    shared = {
        "cnn_goal": "cnn_target",
        "robustness_mid": "robustness_max",
        "denoised_below_criterion": "noisy_below_criterion",
        "hinton_variant": "hinton",
    }  # the study's table words each variant's verdict as 2D's are worded
    for name, verdicts in claims.VERDICTS.items():
        assert (
            f"claims.{name}" in text or f"claims.{shared.get(name, name)}" in text or name.startswith("robustness_")
        ), name
        for verdict in verdicts:
            if verdict in ("not_applicable",):
                continue
            assert f'"{verdict}"' in text or verdict in _DEFAULT_BRANCH.get(name, ()), (name, verdict)


#: Verdicts worded by a template's {% else %} branch rather than named.
_DEFAULT_BRANCH = {
    "factor_choice": ("unique",),
    "other_factors": ("none_above_zero",),
    "class_balance": ("unbalanced",),
    "initial_loss": ("away_from_uniform",),
    "validation_trend": ("level",),
    "overfitting": ("val_loss_rose",),
    "decay_effect": ("no_measurable_difference",),
    "hinton": ("above",),
    "cnn_target": ("undecided",),
    "cnn_goal": ("undecided",),
    "cnn_size": ("larger",),
    "cnn_arithmetic": ("more",),
    "shift_models_accuracy": ("no_measurable_difference",),
    "robustness_mid": ("no_measurable_difference",),
    "robustness_max": ("no_measurable_difference",),
    "shift_main_factor": ("undecided",),
    "noisy_below_criterion": ("at_level",),
    "denoised_below_criterion": ("at_level",),
    "denoising_fails": ("at_level",),
    "denoising_fails_information": ("not_above_chance",),
    "denoising_helps": ("helps_then_stops",),
    "denoising_stop_cause": ("not_at_chance",),
    "clean_cost": ("no_measurable_difference",),
    "against_median": ("no_measurable_difference",),
    "against_noise_trained": ("no_measurable_difference",),
    "class_ranking": ("overlapping",),
    "generated_recognition": ("above_real",),
    "class_conditioning": ("no_measurable_difference",),
    "generated_novelty": ("no_measurable_difference",),
    "generated_vs_new_digits": ("closer",),
    "design_choice": ("not_run",),
    "class_errors_differ": ("no_evidence",),
    "hinton_reproduced": ("not_run", "single_run"),
    "hinton_closes_most": ("not_run", "single_run"),
    "hinton_tuning": ("not_tuned",),
    "hinton_variant": ("single_run",),
    # with one run the factor sentences print nothing of their own; shift_main_factor words "single_run" for all three
    "shift_augmentation_effect": ("single_run",),
    "shift_architecture_effect": ("single_run",),
    "shift_interaction": ("no_measurable_interaction",),
}


# -- the whole report from synthetic files, for any valid config -----------------------------------


def render(tmp_path, config, numbers):
    inputs = synthetic.write(tmp_path, config, numbers)
    context = report.build_context(
        inputs, config, **synthetic.report_roles(inputs), versions={"keras": "test"}, repo=REPO
    )
    context["changes"] = history.record(context, inputs, tmp_path / "history", REPO)[1]
    return context, rendering.render(TEMPLATES, "report.html.j2", context)


def text_of(html: str) -> str:
    body = re.sub(r'src="data:[^"]*"|<span class="verdict"[^>]*></span>', "", html)  # verdict marks are not text
    body = re.sub(r"<style>.*?</style>|<pre class=\"config\">.*?</pre>", "", body, flags=re.S)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", body)))


#: The verdicts whose sentences each claim's template branches mark (macros/verdicts.html.j2): when a claim has one of
#: these verdicts the report carries its mark; any other verdict prints nothing of its own. The prose is not pinned:
#: a test checks that every mark belongs to its claim's verdict.
SAID = {
    "decay_effect": {"gain", "loss", "no_measurable_difference", "single_run", "no_baseline", "baseline_chosen"},
    "hinton": {"reproduced", "not_ruled_out", "below", "above", "single_run"},
    "class_balance": {"balanced", "unbalanced"},
    "validation_trend": {"one_epoch", "rising", "falling", "level"},
    "overfitting": {"val_loss_lowest_at_end", "val_loss_rose_while_training_loss_fell", "val_loss_rose"},
    "denoising_helps": {"never", "helps_to_highest_level", "helps_then_stops"},
    "class_ranking": {"separated", "overlapping"},
    "hinton_reproduced": {"reproduced", "not_ruled_out", "not_reproduced", "single_run", "not_run"},
    "hinton_tuning": {"at_edge", "inside_grid"},
    "hinton_closes_most": {"measurable", "none_measurable", "single_run"},
    "design_choice": {"not_run", "clear", "within_noise", "single_candidate"},
    "class_errors_differ": {"differ", "no_evidence"},
    "shift_main_factor": {
        "not_applicable",
        "architecture",
        "augmentation",
        "undecided",
        "depends_on_order",
        "single_run",
    },
    "shift_interaction": {"helps_dense_more", "helps_cnn_more", "single_run", "no_measurable_interaction"},
    "generated_recognition": {"below_real", "above_real", "consistent_with_real"},
    "class_conditioning": {"class_gaussians_clearer", "agnostic_clearer", "no_measurable_difference"},
    "generated_novelty": {"farther_than_copies", "closer_than_copies", "no_measurable_difference"},
    "generated_vs_new_digits": {"farther", "closer", "no_measurable_difference"},
    "clean_cost": {"not_tested", "costs", "gains", "no_measurable_difference"},
    "against_median": {"autoencoder_better", "baseline_better", "mixed", "no_measurable_difference"},
    "against_noise_trained": {"autoencoder_better", "baseline_better", "mixed", "no_measurable_difference"},
    "denoising_fails_information": {"above_chance", "not_above_chance"},
}

#: Claims the report words once per row of a table (several claims share the name): their marks are not
#: checked against the one claim of that name the context holds.
PER_ROW = {"hinton_variant"}


#: What only the appendix may name: files of the run or the repository, and configuration keys.
INTERNALS = re.compile(r"\bresults/|\bdocs/|\bREADME\b|\b[\w-]+\.(?:json|csv|npz|yaml|md|py|smk)\b")


def config_keys(config: dict, prefix: str = "") -> set[str]:
    """Every dotted key of a config below its top level (sweep.factors, cnn.design_study.enabled, ...)."""
    keys = set()
    for key, value in config.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if prefix:
            keys.add(path)
        if isinstance(value, dict):
            keys |= config_keys(value, path)
    return keys


def verdict_marks(html: str) -> set[tuple[str, str]]:
    """The (claim, verdict) marks of the sentences a report prints (macros/verdicts.html.j2)."""
    return set(re.findall(r'<span class="verdict" data-claim="(\w+)" data-verdict="(\w+)"></span>', html))


def check_verdict_marks(context, html: str) -> None:
    """Every sentence branch the templates took belongs to its claim's verdict, and every claim whose verdict
    has a sentence (SAID) has it printed."""
    found = context["claims"]
    marks = verdict_marks(html)
    assert marks
    for name, verdict in marks:
        if name in PER_ROW:
            continue
        assert name in found, name
        assert found[name].verdict == verdict, (name, "printed", verdict, "is", found[name].verdict)
    for name, verdicts in SAID.items():
        if found[name].verdict in verdicts:
            assert (name, found[name].verdict) in marks, (name, found[name].verdict, "not printed")


def check_body_names_no_internals(html: str, config: dict) -> None:
    """The sections that answer the questions (summary, q1-q4d) say in words what the appendix names by
    file and key."""
    keys = config_keys(config)
    for anchor, body in re.findall(r'<section id="((?:summary|q\d\w*))">(.*?)</section>', html, re.S):
        text = text_of(body)
        assert not INTERNALS.search(text), (anchor, INTERNALS.search(text).group(0))
        named = [key for key in keys if re.search(rf"(?<![\w.]){re.escape(key)}(?![\w.])", text)]
        assert not named, (anchor, named)


def check_rule_links(context, html):
    """Every verdict links to its rule by a label, and every label resolves to a rule in the appendix: the
    body states no rule itself, and the appendix holds the rule of every claim the report has."""
    body, appendix = html.split('<section id="rules"')  # the sections and the studies' details; the rules
    linked = set(re.findall(r'href="#rule-(\w+)"', body))
    defined = re.findall(r'<dt id="rule-(\w+)">Rule ([\w.]+) ', appendix)
    assert linked and linked <= {name for name, _ in defined}, linked - {name for name, _ in defined}
    assert {name for name, _ in defined} == set(context["claims"])
    assert dict(defined) == context["rule_labels"] and len(set(context["rule_labels"].values())) == len(defined)
    for name, label in context["rule_labels"].items():
        assert re.search(rf'href="#rule-{name}">(rules? )?{re.escape(label)}</a>', body) or name not in linked
    assert not re.search(r"</a>, <a[^>]*>rule", body)  # a list of rules says "rules" once
    assert "(Rule:" not in body and "(Rules:" not in body
    for claim in context["claims"].values():  # no rule's text repeated in the body
        assert claim.rule not in text_of(body), claim.name


def test_every_claim_has_a_rule_title():
    assert set(claims.VERDICTS) == set(claims.RULE_TITLES)


def check_report(context, html):
    text = text_of(html.split('<section id="rules"')[0])  # the body: the appendix's titles name every verdict
    check_body_names_no_internals(html, context["config"])
    check_rule_links(context, html)
    found = context["claims"]
    check_verdict_marks(context, html.split('<section id="rules"')[0])
    # no raw floats, no missing values in the prose
    assert not re.search(r"\d\.\d{9,}", text), re.search(r".{40}\d\.\d{9,}.{10}", text)
    assert not re.search(r"\b(None(?! of)|nan|NaN)\b", text), re.search(r".{40}\b(None(?! of)|nan|NaN)\b.{20}", text)
    assert "Traceback" not in text
    # the largest fall from a run's best epoch to its last, or none
    fall = context["sweep"]["largest_fall"]
    assert ("No run ended below its best epoch" in text) == (fall["fall"] <= 0)
    assert ("The largest fall from a run's best epoch" in text) == (fall["fall"] > 0)
    # the numbers agree with the verdicts
    c = found["decay_effect"]
    if c.verdict == "gain":
        assert c.values["gain"] > 0 and c.interval.low > 0
    if c.verdict == "no_measurable_difference":
        assert c.interval.contains(0)
    h = found["hinton"]
    if h.verdict == "consistent":
        assert h.interval.contains(h.values["reference"])
    ae = context["ae"]
    for name, key in (("noisy_below_criterion", "accuracy_noisy"), ("denoised_below_criterion", "accuracy_denoised")):
        cl = found[name]
        for row in ae["levels"]:
            below = st.wilson(row[key], row["images"]).below(cl.values["criterion"])
            if cl.verdict == "never" or row["level"] < cl.values.get("level", math.inf):
                assert not below
            if row["level"] == cl.values.get("level"):
                assert below and row[key] < cl.values["criterion"]
    fails = found["denoising_fails"]
    for row in ae["levels"]:
        if fails.verdict == "never" or row["level"] < fails.values.get("level", math.inf):
            assert row["mse_denoised"] < row["mse_mean_image"]


LEVELS = [round(0.1 * i, 1) for i in range(11)]


@hs.composite
def configs(draw):
    config = synthetic.base_config()
    levels = draw(hs.lists(hs.sampled_from(LEVELS), min_size=1, max_size=6, unique=True))
    config["denoising"]["levels"] = levels
    config["denoising"]["recognisable_accuracy"] = draw(hs.sampled_from([0.5, 0.9, 0.99]))
    config["denoising"]["min_gain"] = draw(hs.sampled_from([0.0, 0.01, 0.05]))
    factors = draw(hs.lists(hs.sampled_from([0, 1e-6, 1e-5, 1e-4, 3e-4, 1e-3]), min_size=1, max_size=4, unique=True))
    config["sweep"]["factors"] = factors
    config["sweep"]["replicates"] = draw(hs.integers(1, 4))
    optimizer = draw(
        hs.sampled_from(
            [
                {"name": "sgd", "learning_rate": 0.1},
                {"name": "adam", "learning_rate": 0.001},
                {"name": "sgd", "learning_rate": 0.05, "momentum": 0.9},
            ]
        )
    )
    for section in ("dense", "sweep"):
        config[section]["training"]["optimizer"] = dict(optimizer)
        config[section]["training"]["schedule"] = draw(hs.sampled_from(["constant", "cosine"]))
        config[section]["training"]["epochs"] = draw(hs.integers(1, 6))
        config[section]["model"]["activation"] = draw(hs.sampled_from(["relu", "tanh"]))
    config["keras_backend"] = draw(hs.sampled_from(["jax", "tensorflow"]))
    config["cnn"]["design_study"]["enabled"] = draw(hs.booleans())
    config["hinton_study"]["enabled"] = draw(hs.booleans())
    config["hinton_study"]["replicates"] = draw(hs.integers(1, 3))
    config["cnn"]["design_study"]["replicates"] = draw(hs.integers(1, 2))
    config["cnn"]["model"]["augment_shift"] = draw(hs.sampled_from([0, 2]))
    config["cnn"]["backend"] = draw(hs.sampled_from(["jax", "tensorflow"]))
    config["cnn"]["replicates"] = draw(hs.integers(1, 3))
    config["cnn"]["model"]["augment_shift"] = draw(hs.sampled_from([0, 2]))
    config["cnn"]["model"]["dense_dropout"] = draw(hs.sampled_from([0.0, 0.4]))
    config["cnn"]["model"]["conv_blocks"][0]["pool"] = draw(hs.booleans())
    config["cnn_earlier"]["enabled"] = draw(hs.booleans())
    config["shift"]["max_shift"] = draw(hs.integers(1, 4))
    config["autoencoder"]["noise_level"] = draw(hs.sampled_from([0.1, 0.3, 0.4, 0.7]))
    config["autoencoder"]["model"]["encoder_units"] = draw(hs.sampled_from([[128, 96], [1000, 800]]))
    config["generation"]["per_class"] = draw(hs.sampled_from([1, 10, 100]))
    validate_config(config, SCHEMA)
    return config


@hs.composite
def numbers(draw, config):
    seed = draw(hs.integers(0, 2**31 - 1))
    n_test = draw(hs.sampled_from([100, 1000, 10_000]))
    unit = hs.floats(0.0, 1.0, allow_nan=False)
    levels = config["denoising"]["levels"]
    labels = synthetic._labels(config)
    reps = config["sweep"]["replicates"]
    scenario = draw(hs.sampled_from(["usual", "cnn_below_dense", "decay_never_helps", "broken"]))
    nb = synthetic.Numbers(seed=seed, n_test=n_test, n_val=draw(hs.sampled_from([100, 5000])))
    if scenario == "broken":  # a classifier already under the threshold on clean images, denoising that never helps
        nb.denoising = [(draw(unit) * 0.3, draw(unit) * 0.3) for _ in levels]
        nb.mse_denoised = [draw(hs.floats(0.0, 0.2)) for _ in levels]
    if scenario == "cnn_below_dense":
        nb.cnn_test = [draw(hs.floats(0.5, 0.9)) for _ in range(config["cnn"]["replicates"])]
        nb.shift_accuracy = {
            "dense": [draw(unit) for _ in range(config["shift"]["max_shift"] + 1)],
            "cnn": [draw(unit) for _ in range(config["shift"]["max_shift"] + 1)],
        }
    if scenario == "decay_never_helps":
        same = [draw(hs.floats(0.9, 0.99)) for _ in range(reps)]
        nb.sweep_test = {label: list(same) for label in labels}
        nb.sweep_val = {label: list(same) for label in labels}
    nb.dense_val_loss = draw(
        hs.lists(
            hs.floats(0.01, 3.0),
            min_size=config["dense"]["training"]["epochs"],
            max_size=config["dense"]["training"]["epochs"],
        )
    )
    nb.dense_train_loss = draw(
        hs.lists(
            hs.floats(0.01, 3.0),
            min_size=config["dense"]["training"]["epochs"],
            max_size=config["dense"]["training"]["epochs"],
        )
    )
    nb.initial_val_loss = draw(hs.floats(1.0, 4.0))
    nb.class_counts = draw(hs.lists(hs.integers(50, 400), min_size=10, max_size=10))
    return nb


#: Generated reports of the property test: 40 in the full suite (make test, CI), 12 in the fast tier
#: (make test-fast sets MNISTFLOW_TEST_FAST=1), whose aim is feedback within two minutes.
REPORT_EXAMPLES = 12 if os.environ.get("MNISTFLOW_TEST_FAST") == "1" else 40


@settings(
    max_examples=REPORT_EXAMPLES,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=hs.data())
def test_report_renders_true_sentences_for_any_valid_config(tmp_path_factory, data):
    config = data.draw(configs())
    nb = data.draw(numbers(config))
    context, html = render(tmp_path_factory.mktemp("synthetic"), config, nb)
    check_report(context, html)


# -- the sentence flips with the numbers, in the rendered report -----------------------------------


def _config(**changes):
    config = synthetic.base_config()
    for path, value in changes.items():
        node = config
        keys = path.split("__")
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value
    validate_config(config, SCHEMA)
    return config


@pytest.mark.parametrize(
    "tests, verdict",
    [
        ({"0": [0.980, 0.984, 0.988], "1e-4": [0.981, 0.9851, 0.9892]}, "gain"),
        ({"0": [0.9812, 0.9815, 0.9811], "1e-4": [0.9815, 0.9811, 0.9812]}, "no_measurable_difference"),
    ],
)
def test_decay_sentence_flips(tmp_path, tests, verdict):
    config = _config(sweep__factors=[0, 1e-4])
    vals = {"0": [0.97] * 3, "1e-4": [0.98] * 3}  # validation chooses 1e-4
    context, html = render(tmp_path, config, synthetic.Numbers(n_test=10_000, sweep_test=tests, sweep_val=vals))
    assert context["claims"]["decay_effect"].verdict == verdict
    assert ("decay_effect", verdict) in verdict_marks(html)
    check_report(context, html)


@pytest.mark.parametrize(
    "tests, verdict, route",
    [
        ([0.9845, 0.9850, 0.9848], "reproduced", "margin"),
        # a full build's momentum runs: the mean's interval lies above his figure but leaves the margin
        ([0.9856, 0.9854, 0.9847, 0.9850, 0.9855], "reproduced", "at_or_above"),
        ([0.9700, 0.9702, 0.9701], "below", None),
        # runs spread wider: not ruled out, and the margin out of these runs' reach
        ([0.9830, 0.9870, 0.9850, 0.9860, 0.9840], "not_ruled_out", None),
    ],
)
def test_hinton_sentence_and_summary_flip(tmp_path, tests, verdict, route):
    config = _config(sweep__factors=[1e-4], sweep__replicates=len(tests))
    context, html = render(tmp_path, config, synthetic.Numbers(n_test=10_000, sweep_test={"1e-4": tests}))
    hi = context["claims"]["hinton"]
    assert hi.verdict == verdict and hi.values["reproduced_by"] == route
    summary = text_of(re.search(r'<section id="summary">(.*?)</section>', html, re.S).group(1))
    q2d = text_of(re.search(r'<section id="q2d">(.*?)</section>', html, re.S).group(1))
    assert ("is beyond what one run of this procedure gives" in summary) == (verdict == "below")
    # each route says the reproduction it found, and not the other
    assert ("is reproduced: the interval of this procedure's mean lies within" in summary) == (route == "margin")
    assert ("is reproduced: the interval of this procedure's mean lies wholly at or above" in summary) == (
        route == "at_or_above"
    )
    assert ("lies within 0.1 percentage points of it." in q2d) == (route == "margin")
    assert ("lies wholly at or above it, though not within" in q2d) == (route == "at_or_above")
    if not hi.values["margin_reachable"]:  # never "no mean could have shown reproduction": above still could
        assert "could have shown reproduction only by a mean whose whole interval lies at or above" in q2d
    check_report(context, html)


def test_header_does_not_say_every_number_was_measured_in_this_build(tmp_path):
    """A rebuild reuses the outputs of jobs whose inputs did not change: the header says so rather than
    claiming every number comes from this run."""
    context, html = render(tmp_path, _config(), synthetic.Numbers())
    header = text_of(re.search(r"<header>(.*?)</header>", html, re.S).group(1))
    assert "comes from this run" not in header
    assert "made by this build or, where nothing they depend on changed, by an earlier one" in " ".join(header.split())


def test_hinton_study_answer_says_why_its_baseline_factor(tmp_path):
    """2D may choose no decay while the Hinton study's baseline is the pick among the factors with decay: the
    answer that names the baseline's factor says why it is that one."""
    context, html = render(tmp_path, _config(), synthetic.Numbers())
    hc = context["claims"]["hinton_closes_most"]
    assert hc.verdict in ("measurable", "none_measurable")
    text = " ".join(text_of(html).split())
    assert (
        f"2D runs at factor {hc.values['baseline_factor']} (validation's choice among the factors with decay, "
        "as Hinton's entry has decay)"
    ) in text


SUMMARY_QUESTIONS = ["1", "2A", "2B", "2C", "2D", "3A", "3B", "4A", "4B", "4C", "4D"]


def summary_rows(html: str) -> list[list[str]]:
    table = re.search(r'<section id="summary">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [
        [text_of(cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ]


@pytest.mark.parametrize(
    "numbers", [synthetic.Numbers(), synthetic.Numbers(seed=7, sweep_test={"1e-4": [0.9700, 0.9702, 0.9701]})]
)
def test_summary_has_a_takeaway_per_question_and_cells_that_read_alone(tmp_path, numbers):
    """Each question has a row whose takeaway is a sentence, and whose number cell says what the number is
    (words, not only figures separated by slashes)."""
    context, html = render(tmp_path, _config(), numbers)
    rows = summary_rows(html)
    assert [r[0] for r in rows] == SUMMARY_QUESTIONS
    for question, takeaway, this_run, _earlier, _target in rows:
        assert takeaway.endswith(".") and len(takeaway.split()) >= 8, (question, takeaway)
        assert re.search(r"[a-z]{4,}", this_run), (question, this_run)  # the number is named in its own cell
        assert " / " not in this_run, (question, this_run)
    check_report(context, html)


@pytest.mark.parametrize("levels", [[0.1, 0.3, 0.6, 0.9], [0.5], [0.0, 1.0]])
def test_levels_without_0_or_with_one_level_render(tmp_path, levels):
    config = _config(denoising__levels=levels)
    context, html = render(tmp_path, config, synthetic.Numbers())
    check_report(context, html)
    assert ("Clean digits (p = 0) were not among the tested levels" in text_of(html)) == (0.0 not in levels)


def test_one_replicate_draws_no_verdict(tmp_path):
    config = _config(sweep__replicates=1, cnn__replicates=1)
    context, html = render(tmp_path, config, synthetic.Numbers())
    text = text_of(html)
    assert (
        context["claims"]["hinton"].verdict == "single_run" and context["claims"]["cnn_target"].verdict == "single_run"
    )
    assert "one replicate gives no interval for the mean, so no verdict" in text
    assert "no verdict is drawn from a single run" in text
    check_report(context, html)


def test_denoising_helps_and_clean_cost_flip(tmp_path):
    config = _config(denoising__levels=[0.0, 0.4, 1.0])
    helps = [(0.99, 0.97), (0.6, 0.9), (0.1, 0.1)]
    never = [(0.99, 0.99), (0.6, 0.6), (0.1, 0.1)]
    context, html = render(tmp_path / "a", config, synthetic.Numbers(n_test=10_000, denoising=helps))
    assert context["claims"]["denoising_helps"].verdict == "helps_then_stops"
    assert context["claims"]["denoising_stop_cause"].verdict == "both_at_chance"
    assert "cannot tell what the classifier reads there from guessing" in text_of(html)
    assert context["claims"]["clean_cost"].verdict == "costs"
    assert context["claims"]["denoising_helps"].values["hurts_levels"] == [0.0]
    assert "it measurably lowers the accuracy at level 0." in text_of(html)  # the answer, summary and 4C
    check_report(context, html)
    context, html = render(tmp_path / "b", config, synthetic.Numbers(n_test=10_000, denoising=never))
    assert "measurably lowers the accuracy" not in text_of(html)
    assert (
        context["claims"]["denoising_helps"].verdict == "never"
        and context["claims"]["clean_cost"].verdict == "no_measurable_difference"
    )
    assert "from guessing" not in text_of(html)
    check_report(context, html)


def test_cnn_below_dense_and_less_robust_is_said_plainly(tmp_path):
    config = _config(shift__max_shift=2)
    nb = synthetic.Numbers(
        n_test=10_000,
        cnn_test=[0.95, 0.951, 0.952],
        shift_accuracy={"dense": [0.98, 0.97, 0.96], "cnn": [0.95, 0.7, 0.4]},
        shift_spread=0.001,
    )
    context, html = render(tmp_path, config, nb)
    c = context["claims"]
    assert c["shift_models_accuracy"].verdict == "dense_better" and c["robustness_max"].verdict == "dense_loses_less"
    text = text_of(html)
    assert "the dense network is the more accurate of the two" in text and "the dense network loses less" in text
    assert "This is what the architecture leads one to expect" not in text
    check_report(context, html)


def test_settings_come_from_the_run_not_the_config(tmp_path):
    config = _config()
    inputs = synthetic.write(tmp_path, config, synthetic.Numbers())
    later = _config(sweep__training__optimizer={"name": "adam", "learning_rate": 0.002}, autoencoder__noise_level=0.7)
    context = report.build_context(inputs, later, **synthetic.report_roles(inputs), versions={}, repo=REPO)
    context["changes"] = history.record(context, inputs, tmp_path / "history", REPO)[1]
    html = rendering.render(TEMPLATES, "report.html.j2", context)
    q2d = text_of(re.search(r'<section id="q2d">(.*?)</section>', html, re.S).group(1))
    assert "SGD, learning rate 0.1" in q2d and "ADAM" not in q2d
    q4a = text_of(re.search(r'<section id="q4a">(.*?)</section>', html, re.S).group(1))
    assert "noise level 0.4" in q4a and "kept with probability 0.6," in q4a


def test_provenance_lists_backends_and_cited_constants(tmp_path):
    config = _config(cnn__backend="tensorflow", keras_backend="jax")
    context, html = render(tmp_path, config, synthetic.Numbers())
    prov = re.search(r'<section id="provenance">(.*?)</section>', html, re.S).group(1)
    assert "<td>our CNN (3A)</td><td>tensorflow</td>" in prov and "<td>autoencoder (4)</td><td>jax</td>" in prov
    assert "<code>q2d_test_accuracy</code>" in prov and "0.9847" in prov


def test_config_with_a_bad_level_is_refused():
    config = _config()
    config["denoising"]["levels"] = [1.5]
    with pytest.raises(ConfigError):
        validate_config(config, SCHEMA)


def test_strict_templates_still_refuse_a_missing_number():
    with pytest.raises(jinja2.UndefinedError):
        rendering.render(TEMPLATES, "report.html.j2", {"config": {"report": {"title": "x"}}})


@pytest.mark.parametrize(
    "rates, verdict", [([1.0, 0.99, 0.82, 0.82], "separated"), ([0.90, 0.88, 0.86, 0.91], "overlapping")]
)
def test_class_ranking_on_both_sides(rates, verdict):
    per_class = [{"class": k, "recognised": r, "samples": 100} for k, r in enumerate(rates)]
    claim = claims.class_ranking(per_class)
    assert claim.verdict == verdict
    assert claim.values["best_class"] == rates.index(max(rates)) and claim.values["worst_class"] == rates.index(
        min(rates)
    )
    assert claim.values["widest_points"] == pytest.approx(
        max(st.wilson(r, 100).high - st.wilson(r, 100).low for r in rates)
    )


def _scores(recognised=0.88, real=0.91, confident=0.8, agnostic=0.4, n=1000, n_real=5000):
    return {
        "per_class": [{"class": k, "samples": n // 10} for k in range(10)],
        "recognised": recognised,
        "confident": confident,
        "confident_threshold": 0.9,
        "references": {
            "real_validation": {"recognised": real, "samples": n_real},
            "class_agnostic": {"confident": agnostic, "samples": n},
        },
    }


@pytest.mark.parametrize(
    "recognised, real, verdict",
    [(0.80, 0.91, "below_real"), (0.90, 0.91, "consistent_with_real"), (0.97, 0.91, "above_real")],
)
def test_generated_recognition_on_all_sides(recognised, real, verdict):
    claim = claims.generated_recognition(_scores(recognised=recognised, real=real))
    assert claim.verdict == verdict
    assert claim.values["difference"] == pytest.approx(recognised - real)
    assert claim.interval.contains(recognised - real)
    assert (verdict == "consistent_with_real") == claim.interval.contains(0.0)


@pytest.mark.parametrize(
    "confident, agnostic, verdict",
    [(0.8, 0.4, "class_gaussians_clearer"), (0.41, 0.4, "no_measurable_difference"), (0.3, 0.6, "agnostic_clearer")],
)
def test_class_conditioning_on_all_sides(confident, agnostic, verdict):
    claim = claims.class_conditioning(_scores(confident=confident, agnostic=agnostic))
    assert claim.verdict == verdict
    assert claim.values["difference"] == pytest.approx(confident - agnostic)


@pytest.mark.parametrize(
    "shift, verdict", [(0.8, "farther_than_copies"), (0.0, "no_measurable_difference"), (-0.8, "closer_than_copies")]
)
def test_generated_novelty_on_all_sides(shift, verdict):
    rng = np.random.default_rng(3)
    copies = 3.6 + rng.normal(0, 0.8, 1000)
    distances = {"generated": copies[::-1] + shift, "decoded_train": copies, "decoded_val": copies + shift}
    novelty, versus = claims.generated_novelty(distances), claims.generated_vs_new_digits(distances)
    assert novelty.verdict == verdict
    # the generated digits are exactly as far as the validation digits
    assert versus.verdict == "no_measurable_difference"
    assert novelty.values["difference"] == pytest.approx(shift)
    assert novelty.interval.contains(shift)
    # the overlap of the distributions: with normal spread 0.8, a shift of 0.8 leaves about 16% below the copies' median
    below, above = novelty.values["share_below_reference_median"], novelty.values["share_above_reference_median"]
    assert below + above <= 1.0
    expected_below = {0.8: 0.16, 0.0: 0.5, -0.8: 0.84}[shift]
    assert below == pytest.approx(expected_below, abs=0.05)


def test_median_difference_interval_is_seeded_and_covers_the_shift():
    rng = np.random.default_rng(0)
    a, b = rng.normal(5, 1, 400), rng.normal(4, 1, 400)
    first, second = st.median_difference(a, b), st.median_difference(a, b)
    assert first == second
    assert first.low < np.median(a) - np.median(b) < first.high
    assert 0.5 < first.low and first.high < 1.5
    with pytest.raises(ValueError):
        st.median_difference([1.0], [1.0, 2.0])


def test_two_proportion_difference_with_unequal_samples():
    interval = st.two_proportion_difference(0.5, 0.6, 1000, n2=100)
    se = math.sqrt(0.25 / 1000 + 0.24 / 100)
    assert interval.low == pytest.approx(0.1 - 1.959964 * se, abs=1e-6) and interval.high == pytest.approx(
        0.1 + 1.959964 * se, abs=1e-6
    )
    assert "1,000 and 100" in interval.method


def _shift_table(
    means: dict[str, list[float]], replicates: int = 3, spread: float = 0.002, seed: int = 0
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for cell, per_shift in means.items():
        for rep in range(replicates):
            for shift, mean in enumerate(per_shift):
                for direction in ["none"] if shift == 0 else ["up", "down", "left", "right"]:
                    rows.append(
                        {
                            "cell": cell,
                            "replicate": rep,
                            "shift": shift,
                            "direction": direction,
                            "accuracy": mean + rng.normal(0, spread),
                        }
                    )
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    "means, verdicts",
    [
        # augmentation halves the dense network's loss, the CNN loses nothing either way: architecture explains more;
        # augmentation helps only the dense network (interaction)
        (
            {
                "dense": [0.98, 0.5],
                "dense_augmented": [0.98, 0.74],
                "cnn_unaugmented": [0.99, 0.99],
                "cnn": [0.99, 0.99],
            },
            ("reduces_loss", "reduces_loss", "architecture", "helps_dense_more"),
        ),
        # the CNN without augmentation is as fragile as the dense network: augmentation explains it all, equally for
        # both
        (
            {
                "dense": [0.98, 0.49],
                "dense_augmented": [0.98, 0.97],
                "cnn_unaugmented": [0.99, 0.5],
                "cnn": [0.99, 0.98],
            },
            ("reduces_loss", "no_measurable_effect", "augmentation", "no_measurable_interaction"),
        ),
        # both halve the loss: neither explains more on average; augmentation takes 0.24 off the dense network's
        # loss, 0.12 off the CNN's, so the architecture gains more when added first and less when added second
        (
            {
                "dense": [0.98, 0.5],
                "dense_augmented": [0.98, 0.74],
                "cnn_unaugmented": [0.99, 0.75],
                "cnn": [0.99, 0.87],
            },
            ("reduces_loss", "reduces_loss", "depends_on_order", "helps_dense_more"),
        ),
        # augmentation barely helps the dense network but rescues the CNN: added first it explains little, added
        # second nearly all
        (
            {
                "dense": [0.98, 0.5],
                "dense_augmented": [0.98, 0.55],
                "cnn_unaugmented": [0.99, 0.5],
                "cnn": [0.99, 0.98],
            },
            ("reduces_loss", "reduces_loss", "depends_on_order", "helps_cnn_more"),
        ),
        # the architecture halves the loss, augmentation takes 0.1 off either network's: architecture in either order
        (
            {
                "dense": [0.98, 0.5],
                "dense_augmented": [0.98, 0.6],
                "cnn_unaugmented": [0.99, 0.75],
                "cnn": [0.99, 0.85],
            },
            ("reduces_loss", "reduces_loss", "architecture", "no_measurable_interaction"),
        ),
    ],
)
def test_shift_factors_split_the_difference_on_all_sides(means, verdicts):
    cells = claims.shift_cells(_shift_table(means))
    aug, arch, main, inter = claims.shift_factors(cells, 1)
    assert (aug.verdict, arch.verdict, main.verdict, inter.verdict) == verdicts
    v = aug.values
    assert v["augmentation"] + v["architecture"] == pytest.approx(v["total"])  # the split is exact
    assert v["main"] == pytest.approx(v["losses"]["dense_augmented"] - v["losses"]["cnn_unaugmented"])
    assert v["architecture"] - v["augmentation"] == pytest.approx(v["main"])
    # the two orders of adding the factors: their mean is the split's difference, half their gap the interaction
    first = v["architecture_without_augmentation"] - v["augmentation_on_cnn"]
    second = v["architecture_with_augmentation"] - v["augmentation_on_dense"]
    assert (v["architecture_first"], v["augmentation_first"]) == (pytest.approx(first), pytest.approx(second))
    assert (first + second) / 2 == pytest.approx(v["main"]) and first - second == pytest.approx(2 * v["interaction"])
    # the interaction is the same difference seen from either factor
    assert v["interaction"] == pytest.approx(v["augmentation_on_dense"] - v["augmentation_on_cnn"])
    assert v["interaction"] == pytest.approx(
        v["architecture_without_augmentation"] - v["architecture_with_augmentation"]
    )


def test_shift_claims_need_replicates_and_augmentation():
    means = {
        "dense": [0.98, 0.5],
        "dense_augmented": [0.98, 0.74],
        "cnn_unaugmented": [0.99, 0.99],
        "cnn": [0.99, 0.99],
    }
    one = claims.shift_cells(_shift_table(means, replicates=1))
    assert {c.verdict for c in claims.shift_factors(one, 1)} == {"single_run"}
    assert claims.robustness("robustness_max", one, 1).verdict == "single_run"
    assert claims.shift_models_accuracy(one).verdict == "single_run"
    full = claims.shift_cells(_shift_table(means))
    assert {c.verdict for c in claims.shift_factors(full, 1, augments=False)} == {
        "not_applicable"
    }  # the chosen CNN does not augment
    plain = claims.shift_cells(_shift_table({"dense": means["dense"], "cnn": means["cnn"]}))
    assert {c.verdict for c in claims.shift_factors(plain, 1)} == {"not_applicable"}
    assert claims.robustness("robustness_max", plain, 1).verdict == "cnn_loses_less"


def test_family_contrast_pairs_within_a_family_and_welch_between():
    a, b = np.array([0.91, 0.95, 0.88]), np.array([0.90, 0.93, 0.87])  # replicate r of a and b share a seed
    c, d = np.array([0.80, 0.84, 0.79, 0.83]), np.array([0.78, 0.80, 0.78, 0.80])
    one = st.family_contrast([[a, b]], [[1, -1]])
    ci = stats.ttest_rel(a, b).confidence_interval(0.95)
    assert one.low == pytest.approx(ci.low) and one.high == pytest.approx(ci.high)  # one family: the paired t-interval
    both = st.family_contrast([[a, b], [c, d]], [[1, -1], [-1, 1]])
    ci = stats.ttest_ind(a - b, c - d, equal_var=False).confidence_interval(0.95)
    assert both.low == pytest.approx(ci.low) and both.high == pytest.approx(ci.high)
    unpaired = st.contrast([a, b, c, d], [1, -1, -1, 1])
    assert both.high - both.low < unpaired.high - unpaired.low  # the shared seeds' common part cancels
    # a family whose groups differ in length cannot be paired: independent groups, as contrast
    loose = st.family_contrast([[a, b[:2]], [c, d]], [[1, -1], [-1, 1]])
    assert loose.high - loose.low > 0 and "paired" in loose.method
    assert st.family_contrast([[a[:1], b[:1]]], [[1, -1]]) is None


def test_contrast_matches_welch_for_two_groups():
    a, b = [0.91, 0.93, 0.92, 0.95], [0.90, 0.89, 0.91]
    interval = st.contrast([a, b], [1, -1])
    ci = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert interval.low == pytest.approx(ci.low) and interval.high == pytest.approx(ci.high)
    assert st.contrast([a, [0.9]], [1, -1]) is None
    assert st.contrast([a, [0.9]], [1, 0]) is not None  # a group with coefficient 0 is not used


def _right(n: int, first: int, count: int) -> np.ndarray:
    """n answers, right on `count` images from image `first` on (wrapping round)."""
    return np.isin(np.arange(n), (first + np.arange(count)) % n)


def _study(correct: dict[str, int], answers: int = 5000, shift: int = 10) -> dict:
    """Two candidates' validation answers: b is right on its images shifted by `shift` against a's, so they
    disagree on about 2 * shift images (the discordant pairs the paired test reads)."""
    from mnistflow import evaluation

    candidates = {
        name: {"correct": c, "answers": answers, "description": name, "val_accuracies": [c / answers]}
        for name, c in correct.items()
    }
    study = {"name": max(correct, key=correct.get), "candidates": candidates}
    if len(correct) > 1:
        a = _right(answers, 0, correct["a"])
        b = _right(answers, shift, correct["b"])
        study["paired"] = {"runner_up": "b", **evaluation.paired_correct(b, a)}
    return study


@pytest.mark.parametrize(
    "correct, verdict",
    [({"a": 4970, "b": 4900}, "clear"), ({"a": 4970, "b": 4965}, "within_noise"), ({"a": 4970}, "single_candidate")],
)
def test_design_choice_on_all_sides(correct, verdict):
    claim = claims.design_choice(_study(correct))
    assert claim.verdict == verdict and claim.values["chosen"] == "a"
    if verdict != "single_candidate":
        assert claim.values["runner_up"] == "b" and claim.values["difference"] == pytest.approx(
            (correct["a"] - correct["b"]) / 5000
        )
        assert claim.values["only_chosen"] - claim.values["only_runner_up"] == correct["a"] - correct["b"]
        assert "McNemar" in claim.interval.method
    assert claims.design_choice(None).verdict == "not_run"


def test_design_choice_is_paired_image_by_image():
    """A lead of 12 images out of 5,000 where the two disagree on only 12 images is clear (exact McNemar,
    p = 2 * 0.5**12); treated as two independent proportions it would be within the noise."""
    study = _study({"a": 4970, "b": 4958}, shift=0)
    claim = claims.design_choice(study)
    assert claim.verdict == "clear" and claim.values["only_runner_up"] == 0
    assert st.two_proportion_difference(4958 / 5000, 4970 / 5000, 5000).contains(0)
    # several seed-paired runs: the per-image mean difference over the runs, t-interval over the images
    from mnistflow import evaluation

    a = np.stack([_right(5000, 0, 4970), _right(5000, 0, 4968)])
    b = np.stack([_right(5000, 0, 4958), _right(5000, 3, 4960)])
    paired = evaluation.paired_correct(b, a)
    assert paired["runs"] == 2 and sum(c for _, c in paired["difference_counts"]) == 5000
    study["paired"] = {"runner_up": "b", **paired}
    several = claims.design_choice(study)
    assert "seed-paired runs" in several.interval.method and several.values["several_runs"]


def _one_run(confusion: np.ndarray) -> np.ndarray:
    """A confusion matrix as the error histogram of one run: per class, images right and images wrong."""
    right = np.diag(confusion)
    return np.stack([right, confusion.sum(axis=1) - right], axis=1)


def test_class_errors_differ_on_both_sides():
    even = np.diag(np.full(10, 990)) + 0
    for k in range(10):
        even[k, (k + 1) % 10] = 10
    assert claims.class_errors_differ(_one_run(even)).verdict == "no_evidence"
    uneven = even.copy()
    uneven[3, 3], uneven[3, 5] = 900, 100
    claim = claims.class_errors_differ(_one_run(uneven))
    assert claim.verdict == "differ" and claim.values["p_value"] < 0.05 and claim.values["errors"] == 200
    assert claims.class_errors_differ(_one_run(np.diag(np.full(10, 100)))).verdict == "no_evidence"
    # few errors, as for a good CNN: four expected per class; all 40 in one class differ, 4 in each do not
    few = np.diag(np.full(10, 996))
    few[:, 0] += np.array([0] + [4] * 9)
    few[0, 1] = 4
    assert claims.class_errors_differ(_one_run(few)).verdict == "no_evidence"
    piled = np.diag(np.full(10, 1000))
    piled[7, 7], piled[7, 1] = 960, 40
    assert claims.class_errors_differ(_one_run(piled)).verdict == "differ"


def test_class_errors_over_replicates_count_shared_hard_images_once():
    """Three replicates with the same per-class error totals (class 2 has 15 errors, the others 6): spread over
    distinct images they are strong evidence; made on the same 5 hard images of class 2 by every replicate,
    those 15 errors are 5 images, which the permutation over images weighs as such."""
    from mnistflow import evaluation

    labels = np.repeat(np.arange(10), 1000)
    independent, shared = np.tile(labels, (3, 1)), np.tile(labels, (3, 1))
    for r in range(3):
        for k in range(10):
            first = k * 1000 + (0 if k == 2 else 2 * r)
            if k == 2:
                independent[r, first + 5 * r : first + 5 * r + 5] = 0  # 5 distinct images per replicate
                shared[r, first : first + 5] = 0  # the same 5 images for every replicate
            else:
                independent[r, first : first + 2] = (k + 1) % 10
                shared[r, first : first + 2] = (k + 1) % 10
    spread = claims.class_errors_differ(evaluation.error_histogram(independent, labels, 10))
    piled = claims.class_errors_differ(evaluation.error_histogram(shared, labels, 10))
    assert spread.values["errors"] == piled.values["errors"] == 69 and spread.values["runs"] == 3
    assert piled.values["p_value"] > spread.values["p_value"]


def test_error_histogram_counts_images_by_how_many_runs_miss_them():
    from mnistflow import evaluation

    labels = np.array([0, 0, 1, 1])
    predictions = np.array([[0, 1, 1, 0], [1, 1, 1, 1]])
    assert evaluation.error_histogram(predictions, labels, 2).tolist() == [[0, 1, 1], [1, 1, 0]]


@settings(max_examples=30, deadline=None)
@given(hs.lists(hs.integers(1, 60), min_size=2, max_size=8), hs.integers(1, 3), hs.integers(0, 2**16))
def test_error_permutation_test_agrees_with_the_one_run_test_and_is_a_probability(sizes, runs, seed):
    rng = np.random.default_rng(seed)
    histogram = np.stack([rng.multinomial(size, np.full(runs + 1, 1 / (runs + 1))) for size in sizes])
    statistic, p = st.error_homogeneity_over_images(histogram, draws=400, seed=seed)
    assert statistic >= 0 and 1 / 401 <= p <= 1
    if runs == 1:  # one run: the same question as the hypergeometric Monte Carlo test
        errors = histogram[:, 1]
        _, reference = st.error_homogeneity(errors, histogram.sum(axis=1), draws=4000, seed=seed)
        assert abs(p - reference) < 0.12


def test_error_homogeneity_matches_chi_square_where_the_approximation_holds():
    from scipy import stats

    errors, sizes = np.array([30, 45, 60, 25]), np.array([1000, 1000, 1200, 900])
    statistic, p = st.error_homogeneity(errors, sizes)
    reference = stats.chi2_contingency(np.stack([errors, sizes - errors], axis=1), correction=False)
    assert statistic == pytest.approx(reference.statistic)
    assert p == pytest.approx(reference.pvalue, abs=0.01)  # many errors per group: the approximation is good
    assert st.error_homogeneity(errors, sizes) == (statistic, p)  # seeded
    assert st.error_homogeneity([0, 0], [5, 5]) == (0.0, 1.0)
    with pytest.raises(ValueError):
        st.error_homogeneity([6, 0], [5, 5])


@settings(max_examples=30, deadline=None)
@given(hs.lists(hs.integers(1, 50), min_size=2, max_size=10), hs.integers(0, 2**16))
def test_error_homogeneity_p_value_is_a_probability(sizes, seed):
    rng = np.random.default_rng(seed)
    errors = rng.integers(0, np.asarray(sizes) + 1)
    statistic, p = st.error_homogeneity(errors, sizes, draws=500, seed=seed)
    assert statistic >= 0 and 1 / 501 <= p <= 1


def test_choose_design_picks_the_most_validation_answers_and_ties_go_first():
    from mnistflow import evaluation

    rec = lambda acc: {"total_params": 10, "epochs": 2, "val_samples": 1000, "history": {"val_accuracy": [0.5, acc]}}  # noqa: E731
    candidates = {"base": {"description": "b"}, "longer": {"description": "l", "training": {"epochs": 4}}}
    settings = {
        "base": {"model": {"m": 1}, "training": {"epochs": 2}},
        "longer": {"model": {"m": 1}, "training": {"epochs": 4}},
    }
    jobs = [("base", 0), ("base", 1), ("longer", 0), ("longer", 1)]
    chosen = evaluation.choose_design(jobs, [rec(0.990), rec(0.992), rec(0.995), rec(0.986)], candidates, settings)
    assert chosen["name"] == "base" and chosen["training"] == {"epochs": 2}  # 1982 right against 1981
    assert (
        chosen["candidates"]["longer"]["replaces"] == {"training": {"epochs": 4}}
        and chosen["candidates"]["base"]["replaces"] == {}
    )
    tie = evaluation.choose_design(jobs, [rec(0.990), rec(0.992), rec(0.992), rec(0.990)], candidates, settings)
    assert tie["name"] == "base"


def test_confusion_matrix_and_per_class_errors():
    from mnistflow import evaluation

    labels = np.array([0, 0, 1, 1, 2, 2])
    predicted = np.array([0, 1, 1, 1, 0, 2])
    m = evaluation.confusion_matrix(labels, predicted, 3)
    assert m.tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    rows = evaluation.per_class_errors(np.stack([m, m]))
    assert [r["mean_error_rate"] for r in rows] == [0.5, 0.0, 0.5]
    assert [r["confused_with"] for r in rows] == [[1], [], [0]]
    # a tie names every class taken for it as often
    m = evaluation.confusion_matrix(np.array([0, 0, 0]), np.array([1, 2, 0]), 3)
    assert evaluation.per_class_errors(m[None])[0]["confused_with"] == [1, 2]


def _hinton_summary(base, variants, val=None, on_all=()):
    """A study summary whose validation accuracies equal the test ones unless `val` gives them."""
    val = val or {}
    return {
        "baseline": {"factor": "1e-4", "test": base, "val": val.get("2D", base), "replicates": list(range(len(base)))},
        "variants": {
            name: {
                "description": name,
                "factor": "1e-4",
                "rechosen": False,
                "factors": ["1e-4"],
                "test": test,
                "val": val.get(name, test),
                "train_on_all": name in on_all,
                "replicates": list(range(len(test))),
            }
            for name, test in variants.items()
        },
    }


@pytest.mark.parametrize(
    "variants, reproduced, closes",
    [
        ({"a": [0.9845, 0.9850, 0.9848], "b": [0.9816, 0.9812, 0.9815]}, "reproduced", "measurable"),
        ({"a": [0.9825, 0.9822, 0.9824], "b": [0.9816, 0.9812, 0.9815]}, "not_reproduced", "measurable"),
        ({"a": [0.9812, 0.9818, 0.9813], "b": [0.9811, 0.9816, 0.9813]}, "not_reproduced", "none_measurable"),
        # inside a one-run interval only, and no run reaches his figure
        ({"a": [0.9805, 0.9815, 0.9825], "b": [0.9816, 0.9812, 0.9815]}, "not_ruled_out", "none_measurable"),
    ],
)
def test_hinton_study_on_all_sides(variants, reproduced, closes):
    base = [0.9815, 0.9811, 0.9814]
    rows, rep, most = claims.hinton_study(_hinton_summary(base, variants), 0.9847, 10_000)
    assert rep.verdict == reproduced and most.verdict == closes
    assert most.values["name"] == max(rows, key=lambda r: r["gain"])["name"]
    gain = np.mean(np.array(variants[most.values["name"]]) - np.array(base))
    assert most.values["gain"] == pytest.approx(gain) and most.values["share"] == pytest.approx(
        gain / (0.9847 - np.mean(base))
    )

    def pinned(ci):  # the mean's interval within the margin of his figure
        return 0.9847 - claims.REPRODUCTION_MARGIN <= ci.low and ci.high <= 0.9847 + claims.REPRODUCTION_MARGIN

    assert (reproduced == "reproduced") == any(pinned(r["hinton"].values["mean_interval"]) for r in rows)
    assert (reproduced == "not_ruled_out") == (
        not any(pinned(r["hinton"].values["mean_interval"]) for r in rows)
        and any(r["hinton"].interval.contains(0.9847) for r in rows)
    )
    every_run = base + [t for tests in variants.values() for t in tests]
    assert rep.values["best_run"] == max(every_run) and rep.values["runs"] == len(every_run)
    assert rep.values["reached"] == (max(every_run) >= 0.9847) and rep.values["procedures"] == len(variants) + 1


def test_the_change_that_closes_most_is_chosen_on_validation():
    """The largest test gain is not what picks the variant: validation does, and a variant trained on the
    validation images cannot be picked on them."""
    base = [0.9815, 0.9811, 0.9814]
    variants = {"a": [0.9830, 0.9828, 0.9831], "b": [0.9820, 0.9818, 0.9821], "all": [0.9840, 0.9838, 0.9841]}
    val = {"2D": [0.980] * 3, "a": [0.979] * 3, "b": [0.984] * 3, "all": [0.999] * 3}
    _, _, most = claims.hinton_study(_hinton_summary(base, variants, val, on_all=("all",)), 0.9847, 10_000)
    assert most.values["name"] == "b" and most.values["val_gain"] == pytest.approx(0.004)
    assert most.values["eligible"] == 2 and most.verdict == "measurable"
    _, _, none = claims.hinton_study(_hinton_summary(base, {"all": variants["all"]}, on_all=("all",)), 0.9847, 10_000)
    assert none.verdict == "single_run" and none.values["eligible"] == 0


def test_hinton_study_off_or_single_runs():
    rows, rep, most = claims.hinton_study(None, 0.9847, 10_000)
    assert rows == [] and rep.verdict == most.verdict == "not_run"
    rows, rep, most = claims.hinton_study(_hinton_summary([0.98], {"a": [0.985]}), 0.9847, 10_000)
    assert rep.verdict == "single_run" and most.verdict == "single_run" and rows[0]["gain"] == pytest.approx(0.005)


def _run(val, test, factor=1e-4, rate=0.1, n_val=1000):
    return {
        "seed": 1,
        "history": {"val_accuracy": [val], "val_loss": [0.1]},
        "test": {"accuracy": test, "loss": 0.1},
        "val_samples": n_val,
        "train_samples": 55000,
        "epochs": 1,
        "settings": {
            "model": {"l2": factor},
            "training": {"epochs": 1, "optimizer": {"name": "sgd", "learning_rate": rate}},
        },
    }


def test_choose_setting_picks_the_most_validation_answers_and_ties_go_to_smaller_settings():
    from mnistflow import sweep as sweep_lib

    jobs = [("1e-2", "1e-5", 0), ("1e-2", "1e-5", 1), ("3e-2", "1e-5", 0), ("3e-2", "1e-5", 1)]
    records = [
        _run(0.980, 0.5, 1e-5, 0.01),
        _run(0.982, 0.5, 1e-5, 0.01),
        _run(0.985, 0.5, 1e-5, 0.03),
        _run(0.980, 0.5, 1e-5, 0.03),
    ]
    choice = sweep_lib.choose_setting(jobs, records)
    assert choice["learning_rate"] == 0.03 and choice["label"] == "1e-5" and choice["runs_per_cell"] == 2
    assert [c["correct"] for c in choice["grid"]] == [1962, 1965] and [c["chosen"] for c in choice["grid"]] == [
        False,
        True,
    ]
    # a tie: the smaller learning rate, then the smaller factor
    tie = sweep_lib.choose_setting(
        [("1e-2", "1e-4", 0), ("3e-2", "1e-5", 0), ("1e-2", "1e-5", 0)],
        [_run(0.98, 0.5, 1e-4, 0.01), _run(0.98, 0.5, 1e-5, 0.03), _run(0.98, 0.5, 1e-5, 0.01)],
    )
    assert (tie["learning_rate"], tie["factor"]) == (0.01, 1e-5)
    with pytest.raises(ValueError):
        sweep_lib.choose_setting([], [])


def test_summarise_variants_takes_the_chosen_settings_and_pairs_by_replicate():
    from mnistflow import sweep as sweep_lib

    jobs = [("m", "chosen", 1), ("m", "chosen", 0), ("all", "chosen", 0), ("all", "chosen", 1)]
    records = [_run(0.99, 0.982, rate=0.03), _run(0.99, 0.981, rate=0.03), _run(0.5, 0.975), _run(0.5, 0.976)]
    runs = pd.DataFrame(
        {
            "factor": [1e-4, 1e-4],
            "factor_label": ["1e-4", "1e-4"],
            "replicate": [1, 0],
            "test_accuracy": [0.96, 0.95],
            "final_val_accuracy": [0.9, 0.9],
        }
    )
    choice = sweep_lib.choose_setting([("3e-2", "1e-5", 0)], [_run(0.99, 0.5, 1e-5, 0.03)])
    out = sweep_lib.summarise_variants(
        jobs,
        records,
        {"m": {"description": "m", "learning_rates": [0.03]}, "all": {"description": "a", "train_on_all": True}},
        runs,
        {"label": "1e-4"},
        baseline_extra=[(2, _run(0.91, 0.97))],
        choices={"m": choice},
        baseline_learning_rate=0.1,
    )
    # replicate order, the extra baseline seed after the sweep's
    assert out["baseline"]["test"] == [0.95, 0.96, 0.97] and out["baseline"]["replicates"] == [0, 1, 2]
    assert out["baseline"]["extra"] == [2] and out["baseline"]["learning_rate"] == 0.1
    m = out["variants"]["m"]
    assert m["factor"] == "1e-5" and m["learning_rate"] == 0.03 and m["rechosen"] and m["test"] == [0.981, 0.982]
    a = out["variants"]["all"]
    assert a["factor"] == "1e-4" and not a["rechosen"] and a["grid"] is None and a["train_on_all"]


def test_setting_differences_name_what_the_architecture_factor_also_carries():
    dense = {
        "model": {"hidden_units": [500, 300], "l2": 1e-4},
        "training": {"optimizer": {"name": "sgd", "learning_rate": 0.1}, "epochs": 40, "batch_size": 128},
    }
    cnn = {
        "model": {"dense_dropout": 0.5},
        "training": {
            "optimizer": {"name": "adam", "learning_rate": 0.003},
            "schedule": "cosine",
            "epochs": 15,
            "batch_size": 128,
            "precision": "mixed_bfloat16",
        },
    }
    words = report.setting_differences(dense, cnn)
    assert words == [
        "optimiser (SGD at learning rate 0.1 against Adam at learning rate 0.003)",
        "learning-rate schedule (constant against cosine)",
        "epochs (40 against 15)",
        "arithmetic (float32 against mixed_bfloat16)",
        "regularisation (L2 0.0001 against dropout 0.5 in the dense layers)",
    ]
    # trained alike, nothing but the layers differs
    same = {"model": {}, "training": dict(dense["training"])}
    assert report.setting_differences(same, {"model": {"conv_blocks": []}, "training": dict(dense["training"])}) == []


def _baseline_table(rows, baseline="median", n=10_000):
    """A denoising table with, per level, the images only the baseline and only the autoencoder get right."""
    return pd.DataFrame(
        [
            {
                "level": level,
                "images": n,
                "accuracy_noisy": 0.5,
                "accuracy_denoised": 0.9,
                f"accuracy_{baseline}": 0.9 + (baseline_only - ae_only) / n,
                "noisy_only": 100,
                "denoised_only": 4100,
                f"{baseline}_over_denoised": baseline_only,
                f"denoised_over_{baseline}": ae_only,
            }
            for level, baseline_only, ae_only in rows
        ]
    )


@pytest.mark.parametrize("baseline", claims.BASELINES)
@pytest.mark.parametrize(
    "rows, verdict",
    [
        ([(0.1, 10, 60), (0.5, 20, 20)], "autoencoder_better"),
        ([(0.1, 60, 10), (0.5, 20, 22)], "baseline_better"),
        ([(0.1, 60, 10), (0.5, 10, 60)], "mixed"),
        ([(0.1, 20, 25), (0.5, 30, 28)], "no_measurable_difference"),
    ],
)
def test_the_autoencoder_against_each_baseline_on_all_sides(rows, verdict, baseline):
    gains = claims.level_gains(_baseline_table(rows, baseline))
    claim = claims.against_baseline(gains, baseline)
    assert claim.name == f"against_{baseline}"
    assert claim.verdict == verdict
    for g, (_, baseline_only, ae_only) in zip(gains, rows, strict=True):
        assert g[f"over_{baseline}"] == pytest.approx((ae_only - baseline_only) / 10_000)
        assert g[f"over_{baseline}_interval"].contains(g[f"over_{baseline}"])
    assert claim.values["largest_detectable"] > 0
    # no image on which the two disagree anywhere: the test cannot size what it could have found
    none_differ = claims.level_gains(_baseline_table([(0.1, 0, 0)], baseline))
    assert claims.against_baseline(none_differ, baseline).values["largest_detectable"] is None
    # a table without the baseline's columns (it did not run): no verdict, and no interval made up
    other = next(b for b in claims.BASELINES if b != baseline)
    assert claims.against_baseline(claims.level_gains(_baseline_table(rows, other)), baseline).verdict == "not_run"


def test_median_filter_removes_isolated_salt_and_pepper():
    from mnistflow import evaluation

    clean = np.zeros((1, 28, 28), dtype=np.float32)
    clean[0, 10:18, 12:16] = 1.0
    noisy = clean.copy()
    noisy[0, 2, 2], noisy[0, 12, 13] = 1.0, 0.0  # one salt pixel on the background, one pepper pixel on the stroke
    assert np.array_equal(evaluation.median_filtered(noisy), evaluation.median_filtered(clean))
    assert evaluation.median_filtered(noisy[..., None]).shape == (1, 28, 28, 1)


def _tuned(grid: list[tuple[float, float]], chosen: tuple[float, float]) -> dict:
    cells = [{"learning_rate": lr, "factor": f, "chosen": (lr, f) == chosen} for lr, f in grid]
    return {"variants": {"m": {"rechosen": True, "grid": cells}, "all": {"rechosen": False, "grid": None}}}


def test_a_setting_chosen_at_the_edge_of_its_grid_is_flagged():
    grid = [(lr, f) for lr in (0.003, 0.01, 0.03) for f in (1e-5, 1e-4)]
    edge = claims.hinton_tuning(_tuned(grid, (0.03, 1e-5)))
    assert edge.verdict == "at_edge" and not edge.values["several"]
    assert [(e["what"], e["side"]) for e in edge.values["at_edge"]] == [
        ("learning rate", "largest"),
        ("factor", "smallest"),
    ]
    # the middle rate; a single factor tried cannot be at an edge
    inside = claims.hinton_tuning(_tuned([(lr, 1e-4) for lr in (0.003, 0.01, 0.03)], (0.01, 1e-4)))
    assert inside.verdict == "inside_grid" and inside.values["at_edge"] == []
    # no decay at the low end of the factors is no edge: there is nothing below 0 to try
    zero = claims.hinton_tuning(_tuned([(0.01, 0.0), (0.01, 1e-4), (0.03, 0.0)], (0.01, 0.0)))
    assert zero.verdict == "at_edge" and [e["what"] for e in zero.values["at_edge"]] == ["learning rate"]
    assert claims.hinton_tuning(_tuned([(0.01, 0.0), (0.01, 1e-4)], (0.01, 0.0))).verdict == "inside_grid"
    assert claims.hinton_tuning(None).verdict == "not_tuned"
    assert claims.hinton_tuning({"variants": {"all": {"rechosen": False}}}).verdict == "not_tuned"


FASHION = {
    "name": "Fashion-MNIST",
    "noun": "garments",
    "noun_singular": "garment",
    "class_names": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Boot"],
}


@pytest.mark.parametrize("other_data", [False, True])
def test_the_data_is_named_and_citations_compared_only_on_mnist(tmp_path, other_data):
    """The report names the data the config names; figures cited from MNIST's literature (Hinton's, the
    MNIST page's, the earlier answer's) are compared only when the checksums are MNIST's own."""
    config = synthetic.base_config()
    if other_data:
        config["data"].update(FASHION, sha256={key: "ab" * 32 for key in config["data"]["sha256"]})
    context, html = render(tmp_path, config, synthetic.Numbers())
    text = text_of(html)
    refs = yaml.safe_load((TEMPLATES / "references.yaml").read_text())
    figures = [v for group, entries in refs.items() if group != "descriptions" for v in entries.values()]
    # each cited accuracy as the report prints it (as such, as a percentage, as an error rate), the cited
    # loss and parameter count; the levels, epochs and seconds cited are too common to search for
    accuracies = [v for v in figures if 0.9 < v < 1]
    printed = {f"{v:.4f}" for v in accuracies if round(v, 2) != v} | {f"{100 * v:g}%" for v in accuracies}
    printed |= {f"{100 * (1 - v):.2f}%" for v in accuracies} | {"0.1201", "704"}
    found = [p for p in sorted(printed) if re.search(rf"(?<![\d.]){re.escape(p)}(?![\d])", text)]
    comparisons = ["Hinton's 1", "Hinton: ", "MNIST page: ", "the same MNIST test set", "what closes the gap"]
    if other_data:
        assert not context["data"]["cited"]
        assert "Fashion-MNIST" in text and "garments" in text and "Sneaker" in text
        assert "the numbers are their labels: 0 T-shirt/top, 1 Trouser" in text  # the figures' key
        assert found == [] and [c for c in comparisons if c in text] == []
        assert "were measured on MNIST, not on Fashion-MNIST" in text  # says why nothing is compared
        body = text_of(html.split('<section id="provenance"')[0])  # the appendix lists files, e.g. digits.npz
        assert re.findall(r"\bdigits?\b", body, flags=re.I) == []
        assert {c.verdict for name, c in context["claims"].items() if name in ("hinton", "cnn_target", "cnn_goal")} == {
            "not_applicable"
        }
        assert context["claims"]["hinton_reproduced"].verdict == "not_run"
    else:
        assert context["data"]["cited"]
        assert "0.9847" in found and "MNIST page: " in text and "Hinton's 1.53% error" in text
        assert "digits" in text and "garment" not in text and "number the classes" not in text


def test_3b_verdict_names_each_tested_shift_once(tmp_path):
    """3B's answer says 'at 2 and 4 pixels' when both shifts agree, and 'at 1 pixel' when one shift is tested."""
    context, html = render(tmp_path / "a", _config(shift__max_shift=4), synthetic.Numbers())
    rs = context["complexity"]["robustness"]
    assert [r.verdict for r in rs] == ["cnn_loses_less", "cnn_loses_less"]
    assert "less accuracy than the dense network at 2 and 4 pixels" in text_of(html)
    context, html = render(tmp_path / "b", _config(shift__max_shift=1), synthetic.Numbers())
    assert len(context["complexity"]["robustness"]) == 1
    assert " at 1 pixel;" in text_of(html) or " at 1 pixel." in text_of(html)
    assert "at 1 pixels" not in text_of(html)
    check_report(context, html)
