"""Every result-dependent statement of the report, decided in one place.

A claim is a verdict (one word from a fixed list), the rule that produced it (what was compared,
with which interval and threshold, in words the report prints), and the numbers the rule used.
The templates turn verdicts into sentences; they compare no numbers themselves
(tests/test_claims.py checks both: every verdict on both sides of its rule, and the templates).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from . import inference as st
from . import sweep
from .evaluation import BASELINES, mid_shift


@dataclass(frozen=True)
class Claim:
    name: str
    verdict: str
    rule: str
    values: dict = field(default_factory=dict)
    interval: st.Interval | None = None

    def __post_init__(self):
        allowed = VERDICTS[self.name]
        if self.verdict not in allowed:
            raise ValueError(f"claim {self.name}: verdict {self.verdict!r} is not one of {allowed}")


#: The verdicts each claim can reach; the templates word every one of them.
VERDICTS = {
    "class_balance": ("balanced", "unbalanced"),
    "initial_loss": ("near_uniform", "away_from_uniform"),
    "validation_trend": ("one_epoch", "rising", "falling", "level"),
    "overfitting": ("one_epoch", "val_loss_lowest_at_end", "val_loss_rose_while_training_loss_fell", "val_loss_rose"),
    "factor_choice": ("single_factor", "unique", "tie"),
    "other_factors": ("not_applicable", "none_above_zero", "some_above_zero_uncorrected"),
    "decay_effect": ("no_baseline", "baseline_chosen", "single_run", "gain", "loss", "no_measurable_difference"),
    "hinton": ("not_applicable", "single_run", "reproduced", "not_ruled_out", "below", "above"),
    "hinton_variant": ("single_run", "reproduced", "not_ruled_out", "below", "above"),
    "hinton_reproduced": ("not_run", "single_run", "reproduced", "not_ruled_out", "not_reproduced"),
    "hinton_closes_most": ("not_run", "single_run", "measurable", "none_measurable"),
    "hinton_tuning": ("not_tuned", "inside_grid", "at_edge"),
    "cnn_target": ("not_applicable", "single_run", "above", "below", "undecided"),
    "cnn_goal": ("not_applicable", "single_run", "above", "below", "undecided"),
    "cnn_size": ("smaller", "larger", "same"),
    "cnn_arithmetic": ("less", "more", "same"),
    "shift_models_accuracy": ("single_run", "cnn_better", "dense_better", "no_measurable_difference"),
    "robustness_mid": ("single_run", "cnn_loses_less", "dense_loses_less", "no_measurable_difference"),
    "robustness_max": ("single_run", "cnn_loses_less", "dense_loses_less", "no_measurable_difference"),
    "shift_augmentation_effect": (
        "not_applicable",
        "single_run",
        "reduces_loss",
        "increases_loss",
        "no_measurable_effect",
    ),
    "shift_architecture_effect": (
        "not_applicable",
        "single_run",
        "reduces_loss",
        "increases_loss",
        "no_measurable_effect",
    ),
    "shift_main_factor": (
        "not_applicable",
        "single_run",
        "architecture",
        "augmentation",
        "undecided",
        "depends_on_order",
    ),
    "shift_interaction": (
        "not_applicable",
        "single_run",
        "helps_dense_more",
        "helps_cnn_more",
        "no_measurable_interaction",
    ),
    "noisy_below_criterion": ("never", "from_lowest_level", "at_level"),
    "denoised_below_criterion": ("never", "from_lowest_level", "at_level"),
    "denoising_fails": ("never", "from_lowest_level", "at_level"),
    "denoising_fails_information": ("not_applicable", "above_chance", "not_above_chance"),
    "denoising_helps": ("never", "helps_to_highest_level", "helps_then_stops"),
    "denoising_stop_cause": ("not_applicable", "both_at_chance", "not_at_chance"),
    "clean_cost": ("not_tested", "costs", "gains", "no_measurable_difference"),
    "against_median": ("not_run", "autoencoder_better", "baseline_better", "mixed", "no_measurable_difference"),
    "against_noise_trained": ("not_run", "autoencoder_better", "baseline_better", "mixed", "no_measurable_difference"),
    "class_ranking": ("separated", "overlapping"),
    "design_choice": ("not_run", "single_candidate", "clear", "within_noise"),
    "class_errors_differ": ("differ", "no_evidence"),
    "generated_recognition": ("below_real", "above_real", "consistent_with_real"),
    "class_conditioning": ("class_gaussians_clearer", "agnostic_clearer", "no_measurable_difference"),
    "generated_novelty": ("farther_than_copies", "closer_than_copies", "no_measurable_difference"),
    "generated_vs_new_digits": ("farther", "closer", "no_measurable_difference"),
}

LEVEL_WORDS = f"{st.LEVEL:.0%}"

#: What each claim decides, under its question, in the report's order. The appendix "How each verdict is
#: decided" lists every claim's rule under a label made from these (rule_labels); the sections link to it.
RULE_TITLES = {
    "class_balance": ("1", "Are the classes balanced?"),
    "initial_loss": ("2B", "Is the loss before training near that of an even guess?"),
    "validation_trend": ("2C", "Is validation accuracy still rising, or falling, at the end?"),
    "overfitting": ("2C", "Do the loss curves show overfitting?"),
    "factor_choice": ("2D", "Which L2 factor does validation choose?"),
    "other_factors": ("2D", "Each factor against no decay"),
    "decay_effect": ("2D", "Does the chosen factor change test accuracy against no decay?"),
    "hinton": ("2D", "Is Hinton's figure reproduced?"),
    "hinton_variant": ("2D", "Is Hinton's figure reproduced by a procedure of the study?"),
    "hinton_reproduced": ("2D", "Does any procedure of the study reproduce Hinton's figure?"),
    "hinton_closes_most": ("2D", "Which variant closes most of the gap?"),
    "hinton_tuning": ("2D", "Did each tuned variant choose inside its grid?"),
    "cnn_target": ("3A", "Does the CNN clear the published target?"),
    "cnn_goal": ("3A", "Does the CNN clear our own goal?"),
    "design_choice": ("3A", "Is the chosen design's lead over the runner-up clear?"),
    "cnn_size": ("3A", "Is our CNN smaller than the earlier answer's?"),
    "cnn_arithmetic": ("3A", "Does our CNN need less arithmetic per image?"),
    "class_errors_differ": ("3A", "Do the CNN's error rates differ between classes?"),
    "shift_models_accuracy": ("3B", "Which network is more accurate on unshifted images?"),
    "robustness_mid": ("3B", "Which network loses less accuracy at the middle shift?"),
    "robustness_max": ("3B", "Which network loses less accuracy at the largest shift?"),
    "shift_augmentation_effect": ("3B", "How much of the difference does augmentation explain?"),
    "shift_architecture_effect": ("3B", "How much of the difference does the architecture explain?"),
    "shift_main_factor": ("3B", "Which of the two explains more?"),
    "shift_interaction": ("3B", "Do architecture and augmentation interact?"),
    "noisy_below_criterion": ("4B", "From which level are noisy images no longer recognisable?"),
    "denoised_below_criterion": ("4B", "From which level are denoised images no longer recognisable?"),
    "denoising_fails": ("4B", "From which level does denoising stop working?"),
    "denoising_fails_information": ("4B", "Is anything of the image left where denoising stops?"),
    "denoising_helps": ("4C", "At which levels does denoising help the classifier?"),
    "denoising_stop_cause": ("4C", "Where it stops helping, are both at chance?"),
    "clean_cost": ("4C", "What does denoising cost on clean images?"),
    "against_median": ("4C", "Denoising against a 3x3 median filter"),
    "against_noise_trained": ("4C", "Denoising against a classifier trained on noisy images"),
    "class_ranking": ("4D", "Are some classes generated measurably better than others?"),
    "generated_recognition": ("4D", "Are generated images recognised as often as decoded real ones?"),
    "class_conditioning": ("4D", "Do per-class Gaussians give clearer images than one Gaussian?"),
    "generated_novelty": ("4D", "Are generated images farther from the training set than copies?"),
    "generated_vs_new_digits": ("4D", "Are generated images as far from the training set as unseen real ones?"),
}


def rule_labels(names) -> dict[str, str]:
    """Each claim's short label, its question and its place there in RULE_TITLES' order ("2D.3"), for
    the claims of `names` that the report has."""
    present, counts, labels = set(names), {}, {}
    for name, (question, _) in RULE_TITLES.items():
        if name in present:
            counts[question] = counts.get(question, 0) + 1
            labels[name] = f"{question}.{counts[question]}"
    return labels


def _direction(interval: st.Interval, positive: str, negative: str, neither: str) -> str:
    """positive when the whole interval lies above 0, negative when below, else neither."""
    if interval.above(0.0):
        return positive
    if interval.below(0.0):
        return negative
    return neither


def _points(fraction: float) -> str:
    points = 100 * fraction
    return f"{points:g} percentage point{'' if points == 1 else 's'}"


# -- question 1 and 2A-2C --------------------------------------------------------------------------

#: A class distribution counts as balanced when its largest class is less than this many times its smallest.
BALANCE_RATIO = 1.5


def class_balance(counts: Sequence[int]) -> Claim:
    counts = np.asarray(counts)
    ratio = float(counts.max() / counts.min()) if counts.min() > 0 else math.inf
    return Claim(
        "class_balance",
        "balanced" if ratio < BALANCE_RATIO else "unbalanced",
        f"balanced when the most frequent class has fewer than {BALANCE_RATIO} times the images of the rarest",
        {"ratio": ratio, "threshold": BALANCE_RATIO},
    )


#: An untrained network's loss counts as "near the uniform guess" within this many nats of ln K.
UNIFORM_TOLERANCE = 0.2


def initial_loss(loss: float, num_classes: int) -> Claim:
    uniform = math.log(num_classes)
    near = abs(loss - uniform) < UNIFORM_TOLERANCE
    return Claim(
        "initial_loss",
        "near_uniform" if near else "away_from_uniform",
        f"near the uniform guess when within {UNIFORM_TOLERANCE} of ln {num_classes} = {uniform:.4f}",
        {"loss": loss, "uniform": uniform, "tolerance": UNIFORM_TOLERANCE},
    )


#: Epochs over which the end-of-training trend of the validation accuracy is judged.
TREND_WINDOW = 3


def validation_trend(correct_by_epoch: np.ndarray) -> Claim:
    """Is validation accuracy still moving at the end? The network's answers on the validation images at
    the start and at the end of the last epochs, compared image by image (exact McNemar interval)."""
    correct = np.asarray(correct_by_epoch, dtype=bool)
    epochs, n_val = correct.shape
    if epochs < 2:
        return Claim("validation_trend", "one_epoch", "a trend needs at least two epochs", {"epochs": epochs})
    window = min(TREND_WINDOW, epochs - 1)
    before, after = correct[-1 - window], correct[-1]
    only_before, only_after = st.discordant_counts(before, after)
    interval = st.mcnemar_interval(only_before, only_after, n_val)
    verdict = _direction(interval, "rising", "falling", "level")
    return Claim(
        "validation_trend",
        verdict,
        f"the change of validation accuracy over the last {window} epoch{'s' if window > 1 else ''}, image by image "
        f"on the same {n_val:,} validation images: a rise or a fall only when its {LEVEL_WORDS} exact McNemar "
        "interval excludes 0. It covers the sampling of the validation images for this one run, not the "
        "variation between training runs",
        {
            "window": window,
            "before": float(before.mean()),
            "after": float(after.mean()),
            "change": float(after.mean() - before.mean()),
            "from_epoch": epochs - window,
            "only_before": only_before,
            "only_after": only_after,
            "p_value": st.mcnemar_p(only_before, only_after),
            "images": n_val,
        },
        interval,
    )


def overfitting(val_loss: Sequence[float], train_loss: Sequence[float]) -> Claim:
    """The usual sign of overfitting: the validation loss rising from its minimum while the training loss
    keeps falling."""
    rule = (
        "overfitting is suggested only when the validation loss has risen from its lowest value while the "
        "training loss kept falling"
    )
    if len(val_loss) < 2:
        return Claim("overfitting", "one_epoch", rule, {"epochs": len(val_loss)})
    best = int(np.argmin(val_loss))
    values = {
        "best_epoch": best + 1,
        "lowest": float(val_loss[best]),
        "final": float(val_loss[-1]),
        "epochs": len(val_loss),
        "train_at_best": float(train_loss[best]),
        "train_final": float(train_loss[-1]),
    }
    if best == len(val_loss) - 1:
        verdict = "val_loss_lowest_at_end"
    elif train_loss[-1] < train_loss[best]:
        verdict = "val_loss_rose_while_training_loss_fell"
    else:
        verdict = "val_loss_rose"
    return Claim("overfitting", verdict, rule, values)


# -- question 2D -----------------------------------------------------------------------------------


def factor_choice(runs, n_val: int) -> Claim:
    """The L2 factor chosen on validation: the most correct validation answers summed over its
    replicates (the same as the highest mean final validation accuracy, without float noise);
    a tie goes to the smaller factor, the one with less decay."""
    rule = (
        "the factor whose replicates get the most validation images right in their final epoch, in total; a tie "
        "goes to the "
        "smaller factor (less decay)"
    )
    chosen = sweep.choose_factor(runs, n_val)
    values = {
        "best": chosen["label"],
        "correct": chosen["correct"],
        "answers": chosen["answers"],
        "tied": chosen["tied"],
        "factors": chosen["factors"],
    }
    verdict = "single_factor" if chosen["factors"] == 1 else ("tie" if chosen["tied"] else "unique")
    return Claim("factor_choice", verdict, rule, values)


def decay_effect(runs, best_label: str) -> Claim:
    """Weight decay against none, on the test set (held out from the choice of the factor, which was
    made on validation), paired by replicate: replicate r has the same seed at every factor."""
    rule = (
        f"the test accuracy of the factor chosen on validation minus that of no decay, paired by replicate "
        f"(replicate r shares its seed "
        f"across factors); a gain or loss only when the {LEVEL_WORDS} paired t-interval excludes 0. The test set "
        f"played no part in "
        f"choosing the factor, so no correction for the choice is needed; the interval covers seed-to-seed "
        f"variation on this test set"
    )
    labels = set(runs["factor_label"])
    if "0" not in labels:
        return Claim("decay_effect", "no_baseline", rule, {})
    if best_label == "0":
        return Claim("decay_effect", "baseline_chosen", rule, {})
    best = runs[runs["factor_label"] == best_label].set_index("replicate")["test_accuracy"]
    base = runs[runs["factor_label"] == "0"].set_index("replicate")["test_accuracy"]
    common = sorted(set(best.index) & set(base.index))
    a, b = best.loc[common].to_numpy(float), base.loc[common].to_numpy(float)
    values = {"gain": float(np.mean(a - b)), "pairs": len(common), "differences": (a - b).tolist()}
    interval = st.paired_difference(a, b)
    if interval is None:
        return Claim("decay_effect", "single_run", rule, values)
    return Claim(
        "decay_effect", _direction(interval, "gain", "loss", "no_measurable_difference"), rule, values, interval
    )


def other_factors(runs, best_label: str) -> Claim:
    """Every factor against no decay on the test set, paired by replicate: shown beside the choice,
    never used to make one. No verdict of benefit is drawn from them (they are several comparisons
    with no correction, and none of them was chosen on validation)."""
    rule = (
        f"each factor's test accuracy minus that of no decay, paired by replicate, with its {LEVEL_WORDS} paired "
        f"t-interval; "
        "not corrected for comparing several factors, so an interval above 0 here is a lead to test, not a finding"
    )
    labels = [label for label in dict.fromkeys(runs.sort_values("factor")["factor_label"]) if label != "0"]
    if "0" not in set(runs["factor_label"]) or not labels:
        return Claim("other_factors", "not_applicable", rule, {})
    base = runs[runs["factor_label"] == "0"].set_index("replicate")["test_accuracy"]
    intervals = {}
    for label in labels:
        other = runs[runs["factor_label"] == label].set_index("replicate")["test_accuracy"]
        common = sorted(set(base.index) & set(other.index))
        interval = st.paired_difference(other.loc[common].to_numpy(float), base.loc[common].to_numpy(float))
        if interval is None:
            return Claim("other_factors", "not_applicable", rule, {})
        intervals[label] = interval
    above = [label for label, ci in intervals.items() if ci.above(0.0)]
    return Claim(
        "other_factors",
        "some_above_zero_uncorrected" if above else "none_above_zero",
        rule,
        {"intervals": intervals, "above": above},
    )


#: A reported figure counts as reproduced when the interval of our mean lies within this of it (0.1 percentage
#: points: 10 of 10,000 test images); an interval that covers it but is wider shows only that it is not ruled out.
REPRODUCTION_MARGIN = 0.001


def hinton(test_values: Sequence[float], reference: float, n_test: int, name: str = "hinton") -> Claim:
    """Is a single reported figure, measured on the same test set, reproduced by our procedure? Reproduced
    when the t-interval of our mean test accuracy lies within REPRODUCTION_MARGIN of it (an equivalence
    test: a wide interval that merely covers it shows nothing); not ruled out when the prediction interval
    for one further run covers it; else above or below. Both intervals use these replicates' own spread
    (not one pooled over other settings, which a single failed run elsewhere would widen) and leave out the
    test set's sampling error, which his figure and ours share."""
    x = np.asarray(test_values, dtype=float)
    values = {
        "reference": reference,
        "mean": float(x.mean()),
        "replicates": len(x),
        "best_run": float(x.max()),
        "reached": bool(x.max() >= reference),
        "runs_reaching": int((x >= reference).sum()),
    }
    interval = st.prediction_interval_same_items(x)
    rule = (
        f"reproduced when the {LEVEL_WORDS} t-interval of our mean test accuracy lies within "
        f"{_points(REPRODUCTION_MARGIN)} of the reference (an equivalence test with that margin) or wholly at or "
        "above it (the procedure does at least as well); otherwise not "
        f"ruled out when the reference lies inside the {LEVEL_WORDS} prediction interval for one further run on "
        f"the same {n_test:,} test images; both from the spread of the runs at that setting (Student's t with "
        "n - 1 degrees of freedom). The reference was measured on the same test set, so the "
        "test set's sampling error is shared and left out: the verdict covers seed-to-seed variation"
    )
    if interval is None:
        return Claim(name, "single_run", rule, values)
    mean_ci = st.mean_interval(x)
    values.update(
        mean_interval=mean_ci,
        mean_covers=mean_ci.contains(reference),
        # whether these runs could show reproduction within the margin: the mean's interval no wider than it
        # (reproduction at or above the reference stays possible either way)
        margin_reachable=mean_ci.half_width <= REPRODUCTION_MARGIN,
        margin=REPRODUCTION_MARGIN,
        detectable=interval.detectable,
        detectable_images=None if interval.detectable is None else interval.detectable * n_test,
        mean_detectable=mean_ci.detectable,
    )
    within = reference - REPRODUCTION_MARGIN <= mean_ci.low and mean_ci.high <= reference + REPRODUCTION_MARGIN
    # which of the rule's two routes a "reproduced" took: within the margin, or at or above the reference
    values["reproduced_by"] = None
    if within:
        verdict, values["reproduced_by"] = "reproduced", "margin"
    elif interval.low > reference:  # even one run lies above his figure
        verdict = "above"
    elif mean_ci.low >= reference:  # the whole interval of the mean at or above his figure
        verdict, values["reproduced_by"] = "reproduced", "at_or_above"
    elif interval.contains(reference):
        verdict = "not_ruled_out"
    else:
        verdict = "below" if interval.below(reference) else "above"
    outside = max(reference - interval.high, interval.low - reference, 0.0)
    values.update(outside_by=outside, outside_by_images=outside * n_test)
    return Claim(name, verdict, rule, values, interval)


def _hinton_rows(summary: dict, reference: float, n_test: int) -> list[dict]:
    """Per variant of the Hinton study: its test accuracies with their t-interval, the Hinton verdict of it,
    and its gains over the 2D runs it is paired with (same seeds), on test and on validation."""
    base = summary["baseline"]
    base_test = dict(zip(base["replicates"], base["test"], strict=True))
    base_val = dict(zip(base["replicates"], base["val"], strict=True))
    rows = []
    for name, v in summary["variants"].items():
        common = [r for r in v["replicates"] if r in base_test]
        mine = dict(zip(v["replicates"], v["test"], strict=True))
        mine_val = dict(zip(v["replicates"], v["val"], strict=True))
        gain = st.paired_difference([mine[r] for r in common], [base_test[r] for r in common]) if common else None
        rows.append(
            {
                "name": name,
                **v,
                "mean": float(np.mean(v["test"])),
                "interval": st.mean_interval(v["test"]),
                "hinton": hinton(v["test"], reference, n_test, name="hinton_variant"),
                "gain": float(np.mean([mine[r] - base_test[r] for r in common])) if common else None,
                "gain_interval": gain,
                # its validation images are held out unless it trains on them: only then can it be chosen on them
                "val_gain": None
                if v["train_on_all"] or not common
                else float(np.mean([mine_val[r] - base_val[r] for r in common])),
                "pairs": len(common),
            }
        )
    return rows


def _hinton_reproduced(base: dict, rows: list[dict], reference: float, n_test: int) -> Claim:
    """Whether any procedure of the Hinton study, the 2D runs (`base`) or a variant (`rows`), reproduces
    his figure."""
    # every procedure, the baseline included, is judged on its own runs' spread
    baseline_claim = hinton(base["test"], reference, n_test, name="hinton_variant")
    claims_by = [("2D", baseline_claim)] + [(r["name"], r["hinton"]) for r in rows]
    reproducing = [n for n, c in claims_by if c.verdict in ("reproduced", "above")]
    not_ruled_out = [n for n, c in claims_by if c.verdict == "not_ruled_out"]
    rule = (
        "his figure counts as reproduced when some tested procedure (the 2D runs or a variant) reproduces it by "
        f"the rule of 2D (the t-interval of its mean lies within {_points(REPRODUCTION_MARGIN)} of it) or does "
        "better; as not ruled out when it lies inside the prediction interval for one run of some procedure; "
        "each procedure is judged on its own, and "
        "with several procedures one covering his figure by chance is likelier than with one"
    )
    runs = [("2D", t) for t in base["test"]] + [(r["name"], t) for r in rows for t in r["test"]]
    best_name, best_run = max(runs, key=lambda run: run[1])
    means = [("2D", float(np.mean(base["test"])))] + [(r["name"], r["mean"]) for r in rows]
    best_mean_name, best_mean = max(means, key=lambda m: m[1])
    found = {
        "reproducing": reproducing,
        "not_ruled_out": not_ruled_out,
        "procedures": len(rows) + 1,
        "runs": len(runs),
        "best_run": float(best_run),
        "best_name": best_name,
        "reached": bool(best_run >= reference),
        "best_mean": best_mean,
        "best_mean_name": best_mean_name,
        "mean_reached": bool(best_mean >= reference),
    }
    if all(c.verdict == "single_run" for _, c in claims_by):
        verdict = "single_run"
    else:
        verdict = "reproduced" if reproducing else ("not_ruled_out" if not_ruled_out else "not_reproduced")
    return Claim("hinton_reproduced", verdict, rule, found)


def _hinton_closes_most(base: dict, rows: list[dict], reference: float) -> Claim:
    """Which variant, chosen on validation, closes most of the gap between the 2D runs (`base`) and his
    figure, and whether its gain on the test set is measurable."""
    gap = reference - float(np.mean(base["test"]))
    eligible = [r for r in rows if r["val_gain"] is not None and r["gain_interval"] is not None]
    rule = (
        f"the variant with the largest mean gain in validation accuracy over the 2D runs with the same seeds "
        f"(variants that train on the validation images cannot be chosen on them); its gain on the test set, which "
        f"played no part in the choice, counts when its {LEVEL_WORDS} paired t-interval lies above 0. It covers "
        "seed-to-seed variation on this test set"
    )
    values = {
        "gap": gap,
        "baseline_mean": float(np.mean(base["test"])),
        "baseline_factor": base["factor"],
        "eligible": len(eligible),
    }
    if not eligible:
        return Claim("hinton_closes_most", "single_run", rule, values)
    best = max(eligible, key=lambda r: r["val_gain"])
    values.update(
        name=best["name"],
        description=best["description"],
        gain=best["gain"],
        val_gain=best["val_gain"],
        share=best["gain"] / gap if gap > 0 else None,
        mean=best["mean"],
        detectable=best["gain_interval"].detectable,
    )
    return Claim(
        "hinton_closes_most",
        "measurable" if best["gain_interval"].above(0.0) else "none_measurable",
        rule,
        values,
        best["gain_interval"],
    )


def hinton_study(summary: dict | None, reference: float, n_test: int) -> tuple[list[dict], Claim, Claim]:
    """The Hinton study (an addition to 2D): per variant, its test accuracies with their t-interval, the
    Hinton verdict of it, and its gain over the 2D runs it is paired with (same seeds); then whether any
    procedure reproduces his figure, and which change, chosen on validation, closes most of the gap."""
    if summary is None:
        off = "the Hinton study did not run in this build: it is off in the configuration, or the data is not MNIST"
        return [], Claim("hinton_reproduced", "not_run", off), Claim("hinton_closes_most", "not_run", off)
    rows = _hinton_rows(summary, reference, n_test)
    base = summary["baseline"]
    return rows, _hinton_reproduced(base, rows, reference, n_test), _hinton_closes_most(base, rows, reference)


def hinton_tuning(summary: dict | None) -> Claim:
    """Did every tuned variant choose a setting inside its grid? A learning rate or factor chosen at the end
    of a grid that lists more than one value says the best value may lie beyond it: the variant may not be
    tuned as well as it could be, which weakens what its comparison shows."""
    rule = (
        "a tuned variant's choice counts as at the edge of its grid when its learning rate is the smallest or the "
        "largest of two or more rates tried, or its factor the smallest (other than 0, no decay) or largest of two "
        "or more factors tried"
    )
    tuned = {name: v for name, v in ((summary or {}).get("variants") or {}).items() if v.get("rechosen")}
    if not tuned:
        return Claim("hinton_tuning", "not_tuned", rule, {"at_edge": []})
    edges = []
    for name, v in tuned.items():
        chosen = next(c for c in v["grid"] if c["chosen"])
        for key, what in (("learning_rate", "learning rate"), ("factor", "factor")):
            values = sorted({c[key] for c in v["grid"]})
            # a factor of 0 (no decay) at the low end has nothing beyond it to try
            at_end = chosen[key] == values[-1] or (chosen[key] == values[0] and chosen[key] > 0)
            if len(values) > 1 and at_end:
                side = "largest" if chosen[key] == values[-1] else "smallest"
                edges.append(
                    {
                        "variant": name,
                        "what": what,
                        "side": side,
                        "value": chosen[key],
                        # as the report writes each: a factor as its label (1e-4), a rate as a number (0.03)
                        "label": sweep.format_factor(chosen[key]) if key == "factor" else f"{chosen[key]:g}",
                    }
                )
    return Claim(
        "hinton_tuning",
        "at_edge" if edges else "inside_grid",
        rule,
        {"at_edge": edges, "variants": list(tuned), "several": len({e["variant"] for e in edges}) > 1},
    )


# -- question 3 ------------------------------------------------------------------------------------


def mean_against_target(name: str, test_values: Sequence[float], target: float, n_test: int) -> Claim:
    """A mean test accuracy over replicates against a fixed target."""
    values = {"target": target, "mean": float(np.mean(test_values)), "replicates": len(test_values)}
    interval = st.mean_interval(test_values)
    rule = (
        f"reached when the whole {LEVEL_WORDS} t-interval of the mean over replicates lies above the target, "
        "missed when it lies below; the interval covers seed-to-seed variation on this one test set, not the "
        "sampling of the test images (a new test set could move every replicate together)"
    )
    if interval is None:
        single = st.wilson(float(test_values[0]), n_test)
        return Claim(name, "single_run", rule, dict(values, single_interval=single))
    verdict = "above" if interval.low >= target else ("below" if interval.below(target) else "undecided")
    return Claim(name, verdict, rule, values, interval)


def size_comparison(name: str, ours: int, other: int, words: tuple[str, str, str]) -> Claim:
    """A count of ours against another model's (parameters, MACs): exact numbers, no noise."""
    smaller, larger, same = words
    verdict = same if ours == other else (smaller if ours < other else larger)
    ratio = (max(ours, other) / min(ours, other)) if min(ours, other) > 0 else math.inf
    return Claim(
        name,
        verdict,
        "counted from the models' layers: exact, with no sampling error",
        {"ours": ours, "other": other, "ratio": ratio},
    )


def _paired_from_counts(paired: dict) -> st.Interval:
    """The paired comparison an evaluation.paired_correct record describes: exact McNemar for one run
    each, else the t-interval over images of the per-image differences averaged over the seed-paired runs."""
    if paired["runs"] == 1:
        return st.mcnemar_interval(paired["only_a"][0], paired["only_b"][0], paired["images"])
    values = np.repeat([v for v, _ in paired["difference_counts"]], [c for _, c in paired["difference_counts"]])
    return st.runs_averaged_difference(values, paired["runs"])


def design_choice(study: dict | None) -> Claim:
    """3A: is the chosen design's validation accuracy measurably above the runner-up's? The two compared
    image by image on the same validation images, runs paired by replicate (they share seeds)."""
    if study is None:
        return Claim("design_choice", "not_run", "the design study is off in this configuration")
    ranked = sorted(study["candidates"].items(), key=lambda kv: -kv[1]["correct"])
    best = study["candidates"][study["name"]]
    values = {"chosen": study["name"], "accuracy": best["correct"] / best["answers"], "candidates": len(ranked)}
    if len(ranked) < 2:
        return Claim("design_choice", "single_candidate", "one candidate: nothing to compare", values)
    paired = study["paired"]
    runner = study["candidates"][paired["runner_up"]]
    interval = _paired_from_counts(paired)
    runs = paired["runs"]
    values.update(
        runner_up=paired["runner_up"],
        runner_up_accuracy=runner["correct"] / runner["answers"],
        difference=best["correct"] / best["answers"] - runner["correct"] / runner["answers"],
        runs=runs,
        several_runs=runs > 1,
        only_chosen=sum(paired["only_b"]),
        only_runner_up=sum(paired["only_a"]),
    )
    noise = (
        "the sampling of the validation images for this one run of each, not the variation between training runs"
        if runs == 1
        else f"the sampling of the validation images for these {runs} runs of each, not the variation between "
        "training runs beyond them"
    )
    rule = (
        f"the chosen design's validation accuracy minus the runner-up's, image by image on the same validation "
        f"images with runs paired by seed ({interval.method}); the lead is clear when the {LEVEL_WORDS} interval "
        f"lies above 0. It covers {noise}"
    )
    return Claim("design_choice", "clear" if interval.above(0.0) else "within_noise", rule, values, interval)


def class_errors_differ(histogram: np.ndarray) -> Claim:
    """3A: do the CNN's error rates differ between the digit classes? Every replicate's test errors,
    each image counted by how many replicates miss it, with a permutation test over the images
    (inference.error_homogeneity_over_images)."""
    table = np.asarray(histogram)
    runs = table.shape[1] - 1
    rule = (
        f"a chi-square statistic of the per-class error counts summed over the {runs} replicate"
        f"{'s' if runs != 1 else ''} on the same test images, its p-value from 20,000 seeded permutations of the "
        "class labels over the images (each image keeps the errors all replicates made on it, so replicates that "
        "miss the same hard images count once as evidence); the classes differ when p < 0.05. It covers the "
        "sampling of the test images for these trained replicates, not the variation between fresh training runs"
    )
    statistic, p_value = st.error_homogeneity_over_images(table)
    errors = int((table * np.arange(runs + 1)).sum())
    values = {
        "p_value": p_value,
        "errors": errors,
        "runs": runs,
        "several_runs": runs > 1,
        "statistic": statistic,
        "expected_per_class": float(errors / runs / len(table)),
    }
    return Claim("class_errors_differ", "differ" if p_value < 0.05 else "no_evidence", rule, values)


def shift_cells(table) -> dict[str, dict[int, np.ndarray]]:
    """3B's accuracy table (evaluate_shift) as cell -> shift -> accuracy of each replicate (mean over the
    four directions), replicates in order."""
    means = table.groupby(["cell", "shift", "replicate"])["accuracy"].mean()
    return {
        cell: {
            int(shift): means[cell][shift].sort_index().to_numpy()
            for shift in means[cell].index.get_level_values(0).unique()
        }
        for cell in means.index.get_level_values(0).unique()
    }


def _losses(cells: dict, cell: str, shift: int) -> np.ndarray:
    """Per replicate, accuracy unshifted minus accuracy at `shift` (the same network: paired by replicate)."""
    return cells[cell][0] - cells[cell][shift]


_SHIFT_PAIRED_RULE = (
    f"{LEVEL_WORDS} interval: each control shares its replicates' seeds with the network it controls, so each "
    "network's part of the contrast is taken per replicate (paired), and the two networks' parts are compared with a "
    "Welch interval; a difference counts when its interval excludes 0, and no verdict is drawn from one run per model"
)

_SHIFT_RULE = (
    f"{LEVEL_WORDS} Welch interval over the replicates of the models compared (independent training runs); a "
    f"difference "
    "counts when its interval excludes 0, and no verdict is drawn from one run per model"
)


#: shift_factors' rules: how the difference splits into the two factors, which of them explains more, and
#: how they interact; each claim's rule is one of them followed by _SHIFT_PAIRED_RULE.
_SHIFT_SPLIT_RULE = (
    "at a shift, the accuracy lost (unshifted minus shifted, per replicate) by the dense network (d0), the "
    "dense network with "
    "the CNN's augmentation (d1), the CNN without it (c0) and the CNN (c1); the difference L_d0 - L_c1 splits "
    "exactly into "
    "augmentation ((L_d0 - L_d1) + (L_c0 - L_c1)) / 2 and architecture ((L_d0 - L_c0) + (L_d1 - L_c1)) / 2, "
    "each factor's "
    "effect averaged over the two levels of the other"
)

_SHIFT_MAIN_RULE = (
    "architecture's part minus augmentation's part, which equals L_d1 - L_c0; but when the two orders of adding "
    "the factors rank them measurably differently (the architecture's gain minus augmentation's when the "
    "architecture is added first, L_d0 - 2 L_c0 + L_c1, and when augmentation is added first, "
    "2 L_d1 - L_d0 - L_c1, have intervals on opposite sides of 0), which explains more depends on the order"
)

_SHIFT_INTERACTION_RULE = (
    "the interaction, augmentation's effect on the dense network's loss minus its effect on the CNN's, "
    "(L_d0 - L_d1) - (L_c0 - L_c1)"
)


def shift_models_accuracy(cells: dict) -> Claim:
    """3B: the CNN's mean test accuracy (unshifted) minus the dense network's, over their replicates."""
    dense, cnn = cells["dense"][0], cells["cnn"][0]
    interval = st.contrast([dense, cnn], [-1, 1])
    verdict = (
        "single_run"
        if interval is None
        else _direction(interval, "cnn_better", "dense_better", "no_measurable_difference")
    )
    return Claim(
        "shift_models_accuracy",
        verdict,
        f"the CNN's mean test accuracy minus the dense network's, {_SHIFT_RULE}",
        {"difference": float(cnn.mean() - dense.mean()), "dense": float(dense.mean()), "cnn": float(cnn.mean())},
        interval,
    )


def robustness(name: str, cells: dict, shift: int) -> Claim:
    """3B: which network, as trained, loses less accuracy when the test digits are shifted by `shift`
    pixels: the dense network's mean loss minus the CNN's."""
    dense, cnn = _losses(cells, "dense", shift), _losses(cells, "cnn", shift)
    interval = st.contrast([dense, cnn], [1, -1])
    verdict = (
        "single_run"
        if interval is None
        else _direction(interval, "cnn_loses_less", "dense_loses_less", "no_measurable_difference")
    )
    return Claim(
        name,
        verdict,
        f"the accuracy each network loses at a shift (unshifted minus shifted, per replicate), the dense network's "
        f"mean loss minus the CNN's, {_SHIFT_RULE}",
        {
            "shift": shift,
            "dense_loss": float(dense.mean()),
            "cnn_loss": float(cnn.mean()),
            "difference": float(dense.mean() - cnn.mean()),
            **{
                f"{k}_loss_se": float(v.std(ddof=1) / math.sqrt(len(v))) if len(v) > 1 else None
                for k, v in (("dense", dense), ("cnn", cnn))
            },
            **{f"{k}_loss_df": len(v) - 1 if len(v) > 1 else None for k, v in (("dense", dense), ("cnn", cnn))},
        },
        interval,
    )


def _shift_factor_values(cells: dict, shift: int) -> tuple[dict, dict]:
    """shift_factors' numbers at `shift`: the values its four claims share (each model's mean loss, the
    split, the contrasts, their intervals and the rules) and the intervals by contrast."""
    order = ("dense", "dense_augmented", "cnn_unaugmented", "cnn")
    losses = [_losses(cells, c, shift) for c in order]
    means = {c: float(x.mean()) for c, x in zip(order, losses, strict=True)}
    coefficients = {
        "augmentation": [0.5, -0.5, 0.5, -0.5],
        "architecture": [0.5, 0.5, -0.5, -0.5],
        "main": [0, 1, -1, 0],
        "interaction": [1, -1, -1, 1],
        "architecture_first": [1, 0, -2, 1],
        "augmentation_first": [-1, 2, 0, -1],
    }
    estimate = {k: float(sum(c * means[o] for c, o in zip(v, order, strict=True))) for k, v in coefficients.items()}
    # a control shares each replicate's seed with the network it controls: pair them (dense with dense
    # augmented, CNN without augmentation with CNN), then compare the two networks' per-replicate combinations
    intervals = {k: st.family_contrast([losses[:2], losses[2:]], [v[:2], v[2:]]) for k, v in coefficients.items()}
    total = means["dense"] - means["cnn"]
    values = {
        "shift": shift,
        "losses": means,
        "total": total,
        "augmentation": estimate["augmentation"],
        "architecture": estimate["architecture"],
        "main": estimate["main"],
        "interaction": estimate["interaction"],
        "architecture_first": estimate["architecture_first"],
        "augmentation_first": estimate["augmentation_first"],
        "augmentation_on_dense": means["dense"] - means["dense_augmented"],
        "augmentation_on_cnn": means["cnn_unaugmented"] - means["cnn"],
        "architecture_without_augmentation": means["dense"] - means["cnn_unaugmented"],
        "architecture_with_augmentation": means["dense_augmented"] - means["cnn"],
        "intervals": intervals,
    }
    # each claim's rule is whole; the parts let the report print the shared interval rule once
    values["rules"] = {
        "split": _SHIFT_SPLIT_RULE,
        "main": _SHIFT_MAIN_RULE,
        "interaction": _SHIFT_INTERACTION_RULE,
        "interval": _SHIFT_PAIRED_RULE,
    }
    return values, intervals


def _shift_main_verdict(intervals: dict) -> str:
    """Which factor explains more: architecture minus augmentation, unless the two orders of adding the
    factors rank them measurably differently."""
    interval = intervals["main"]
    first, second = intervals["architecture_first"], intervals["augmentation_first"]
    if interval is None:
        return "single_run"
    if (first.above(0.0) and second.below(0.0)) or (first.below(0.0) and second.above(0.0)):
        return "depends_on_order"
    return _direction(interval, "architecture", "augmentation", "undecided")


def _shift_factor_claims(names: tuple[str, ...], values: dict, intervals: dict) -> tuple[Claim, Claim, Claim, Claim]:
    """shift_factors' four claims, named `names`, from the values they share and the intervals by contrast."""
    out = []
    for name, key in ((names[0], "augmentation"), (names[1], "architecture")):
        interval = intervals[key]
        verdict = (
            "single_run"
            if interval is None
            else _direction(interval, "reduces_loss", "increases_loss", "no_measurable_effect")
        )
        out.append(Claim(name, verdict, f"{_SHIFT_SPLIT_RULE}; {_SHIFT_PAIRED_RULE}", values, interval))
    out.append(
        Claim(
            names[2],
            _shift_main_verdict(intervals),
            f"{_SHIFT_MAIN_RULE}; {_SHIFT_PAIRED_RULE}",
            values,
            intervals["main"],
        )
    )
    interval = intervals["interaction"]
    verdict = (
        "single_run"
        if interval is None
        else _direction(interval, "helps_dense_more", "helps_cnn_more", "no_measurable_interaction")
    )
    out.append(
        Claim(
            names[3],
            verdict,
            f"{_SHIFT_INTERACTION_RULE}; {_SHIFT_PAIRED_RULE}",
            values,
            interval,
        )
    )
    return tuple(out)


def shift_factors(cells: dict, shift: int, augments: bool = True) -> tuple[Claim, Claim, Claim, Claim]:
    """3B: how much of the CNN's smaller accuracy loss at `shift` its architecture and its augmentation
    explain. With L the mean loss of each model (d0 dense, d1 dense with augmentation, c0 CNN without,
    c1 CNN with), the total L_d0 - L_c1 splits exactly into augmentation ((L_d0 - L_d1) + (L_c0 - L_c1)) / 2
    and architecture ((L_d0 - L_c0) + (L_d1 - L_c1)) / 2: each factor's effect averaged over the two
    levels of the other (the two-factor Shapley split). Which explains more: architecture minus
    augmentation, which equals L_d1 - L_c0, unless the two orders of adding the factors rank them
    measurably differently (architecture first: L_d0 - 2 L_c0 + L_c1; augmentation first:
    2 L_d1 - L_d0 - L_c1; their mean is L_d1 - L_c0). The split hides how the factors interact: augmentation's
    effect on the dense network minus its effect on the CNN, (L_d0 - L_d1) - (L_c0 - L_c1), which is
    also the architecture's effect without augmentation minus its effect with it. Not applicable when
    the CNN is trained without augmentation."""
    names = ("shift_augmentation_effect", "shift_architecture_effect", "shift_main_factor", "shift_interaction")
    if not augments or "dense_augmented" not in cells or "cnn_unaugmented" not in cells:
        rule = "the CNN is trained without augmentation, so there is no augmentation to separate from the architecture"
        return tuple(Claim(n, "not_applicable", rule, {"shift": shift}) for n in names)
    values, intervals = _shift_factor_values(cells, shift)
    return _shift_factor_claims(names, values, intervals)


# -- question 4 ------------------------------------------------------------------------------------


def first_level_below(
    name: str, levels: Sequence[float], accuracies: Sequence[float], n: int, criterion: float, what: str
) -> Claim:
    """The first noise level at which a classifier's accuracy lies clearly below the criterion."""
    intervals = [st.wilson(a, n) for a in accuracies]
    hits = [i for i, ci in enumerate(intervals) if ci.below(criterion)]
    rule = (
        f"the first tested level at which the {LEVEL_WORDS} Wilson interval of the classifier's accuracy on those "
        f"images lies wholly "
        f"below {criterion:.0%} ({n:,} test images per level)"
    )
    values = {"criterion": criterion, "lowest_level": float(levels[0]), "accuracy_at_lowest": float(accuracies[0])}
    if not hits:
        return Claim(name, "never", rule, values)
    i = hits[0]
    values.update(level=float(levels[i]), accuracy=float(accuracies[i]))
    return Claim(name, "from_lowest_level" if i == 0 else "at_level", rule, values, intervals[i])


def denoising_fails(
    levels: Sequence[float],
    mse_denoised: Sequence[float],
    mse_mean_image: float,
    gap_se: Sequence[float],
    accuracy_denoised: Sequence[float],
    n: int,
    num_classes: int,
) -> tuple[Claim, Claim]:
    """The first level at which the denoised images are not measurably closer to the clean ones than
    the mean training image is; and whether the classifier still finds the digit in them there."""
    rule = (
        f"the first tested level at which the {LEVEL_WORDS} t-interval of the per-image difference in squared "
        f"error (denoised image "
        f"minus the mean training image, a fixed guess that ignores its input; {n:,} test images) does not lie "
        f"wholly below 0"
    )
    chance = 1 / num_classes
    intervals = [
        st.mean_from_standard_error(m - mse_mean_image, se, n) for m, se in zip(mse_denoised, gap_se, strict=True)
    ]
    hits = [i for i, ci in enumerate(intervals) if not ci.below(0.0)]
    values = {"mse_mean_image": mse_mean_image, "lowest_level": float(levels[0]), "chance": chance}
    info_rule = (
        f"the classifier's accuracy on the denoised images at that level counts as above chance ({chance:.0%}) "
        f"when its "
        f"{LEVEL_WORDS} Wilson interval lies wholly above it"
    )
    if not hits:
        return Claim("denoising_fails", "never", rule, values), Claim(
            "denoising_fails_information", "not_applicable", info_rule
        )
    i = hits[0]
    values.update(level=float(levels[i]), mse=float(mse_denoised[i]), gap=float(mse_denoised[i] - mse_mean_image))
    interval = st.wilson(float(accuracy_denoised[i]), n)
    info = Claim(
        "denoising_fails_information",
        "above_chance" if interval.above(chance) else "not_above_chance",
        info_rule,
        {"accuracy": float(accuracy_denoised[i]), "chance": chance, "level": float(levels[i])},
        interval,
    )
    return Claim("denoising_fails", "from_lowest_level" if i == 0 else "at_level", rule, values, intervals[i]), info


def level_gains(table) -> list[dict]:
    """Per level, the accuracy gain of denoising with its paired interval over the test images, and the
    autoencoder's gain over each of 4C's baselines in the table (evaluation.BASELINES: the 3x3 median filter,
    the classifier trained on noisy digits), both image by image (exact McNemar)."""
    out = []
    for row in table.sort_values("level").to_dict("records"):
        n = int(row["images"])
        d = st.discordant_differences(int(row["denoised_only"]), int(row["noisy_only"]), n)
        gain = {
            "level": float(row["level"]),
            "gain": float(row["accuracy_denoised"] - row["accuracy_noisy"]),
            "interval": st.per_item_difference(d),
            "noisy": float(row["accuracy_noisy"]),
            "denoised": float(row["accuracy_denoised"]),
            "images": n,
        }
        for b in BASELINES:
            if f"{b}_over_denoised" in row:
                gain[b] = float(row[f"accuracy_{b}"])
                gain[f"over_{b}"] = float(row["accuracy_denoised"] - row[f"accuracy_{b}"])
                gain[f"over_{b}_interval"] = st.mcnemar_interval(
                    int(row[f"{b}_over_denoised"]), int(row[f"denoised_over_{b}"]), n
                )
        out.append(gain)
    return out


# 4C's baselines as the rules name them: what the classifier reads on the baseline's side
BASELINE_WORDS = {
    "median": "the best classifier's accuracy on the median-filtered (3x3) noisy images",
    "noise_trained": "the accuracy of the CNN trained on noisy images at the autoencoder's training level, on the "
    "noisy images as they are",
}


def against_baseline(gains: list[dict], baseline: str) -> Claim:
    """4C's baselines (evaluation.BASELINES): at which tested levels the autoencoder's denoising, read by the
    best classifier, gets measurably more, or fewer, test images right than `baseline` does."""
    name = f"against_{baseline}"
    rule = (
        f"at each tested level, the best classifier's accuracy on the autoencoder's output minus "
        f"{BASELINE_WORDS[baseline]}, image by image on the same test images ({LEVEL_WORDS} exact McNemar "
        "interval, not corrected for the number of levels); a level counts for one of them when the interval "
        "excludes 0. It covers the sampling of the test images and of the noise for these trained models, not the "
        "variation between training runs; the levels share one noise seed, so a higher level's noise contains the "
        "lower's"
    )
    if not gains or f"over_{baseline}_interval" not in gains[0]:
        return Claim(name, "not_run", rule)
    better = [g["level"] for g in gains if g[f"over_{baseline}_interval"].above(0.0)]
    worse = [g["level"] for g in gains if g[f"over_{baseline}_interval"].below(0.0)]
    if better and worse:
        verdict = "mixed"
    elif better:
        verdict = "autoencoder_better"
    elif worse:
        verdict = "baseline_better"
    else:
        verdict = "no_measurable_difference"
    sizes = [g[f"over_{baseline}_interval"].detectable for g in gains]
    sizes = [d for d in sizes if d is not None]
    return Claim(
        name,
        verdict,
        rule,
        {
            "better_levels": better,
            "worse_levels": worse,
            "levels": len(gains),
            "largest_detectable": max(sizes) if sizes else None,
        },
    )


def denoising_helps(gains: list[dict], min_gain: float, num_classes: int) -> tuple[Claim, Claim]:
    """Where denoising raises the classifier's accuracy by more than min_gain, and why it stops."""
    rule = (
        f"denoising helps at a level when the {LEVEL_WORDS} paired interval of its accuracy gain (denoised minus "
        f"noisy, image by "
        f"image on the same test images) lies wholly above {_points(min_gain)}; it lowers the accuracy at a level "
        f"when that interval lies wholly below 0"
    )
    helps = [g["interval"].above(min_gain) for g in gains]
    best = max(range(len(gains)), key=lambda i: gains[i]["gain"])
    values = {
        "min_gain": min_gain,
        "min_gain_words": _points(min_gain),
        "max_gain": gains[best]["gain"],
        "max_gain_level": gains[best]["level"],
        "max_gain_interval": gains[best]["interval"],
        # the least true gain the largest gain's paired test would show above min_gain with 80% power
        "detectable_gain": None
        if gains[best]["interval"].detectable is None
        else min_gain + gains[best]["interval"].detectable,
        "helps_levels": [g["level"] for g, h in zip(gains, helps, strict=True) if h],
        "hurts_levels": [g["level"] for g in gains if g["interval"].below(0)],
    }
    chance = 1 / num_classes
    cause_rule = (
        f"both accuracies at that level count as at chance ({chance:.0%}) when each one's {LEVEL_WORDS} Wilson "
        f"interval "
        "contains the chance rate or lies below it"
    )
    if not any(helps):
        return Claim("denoising_helps", "never", rule, values), Claim(
            "denoising_stop_cause", "not_applicable", cause_rule
        )
    first = helps.index(True)
    values["helps_from"] = gains[first]["level"]
    after = [i for i in range(first + 1, len(gains)) if not helps[i]]
    if not after:
        return Claim("denoising_helps", "helps_to_highest_level", rule, values), Claim(
            "denoising_stop_cause", "not_applicable", cause_rule
        )
    stop = gains[after[0]]
    values["stops_helping"] = stop["level"]
    values["stops_at_highest_level"] = after[0] == len(gains) - 1
    # a level above the first it stops at where it helps again: "from there on" would then be false
    values["helps_again"] = [g["level"] for g, h in zip(gains[after[0] + 1 :], helps[after[0] + 1 :], strict=True) if h]
    at_chance = all(not st.wilson(stop[k], stop["images"]).above(chance) for k in ("noisy", "denoised"))
    cause = Claim(
        "denoising_stop_cause",
        "both_at_chance" if at_chance else "not_at_chance",
        cause_rule,
        {"level": stop["level"], "noisy": stop["noisy"], "denoised": stop["denoised"], "chance": chance},
    )
    return Claim("denoising_helps", "helps_then_stops", rule, values), cause


def clean_cost(gains: list[dict]) -> Claim:
    """What denoising does to clean digits (level 0), when level 0 was tested."""
    rule = (
        f"denoised minus clean accuracy at p = 0, image by image; a change only when its {LEVEL_WORDS} paired "
        f"interval excludes 0"
    )
    zero = [g for g in gains if g["level"] == 0]
    if not zero:
        return Claim("clean_cost", "not_tested", rule, {})
    g = zero[0]
    return Claim(
        "clean_cost",
        _direction(g["interval"], "gains", "costs", "no_measurable_difference"),
        rule,
        {"clean": g["noisy"], "denoised": g["denoised"], "change": g["gain"]},
        g["interval"],
    )


# -- all of them -----------------------------------------------------------------------------------


def class_ranking(per_class: Sequence[dict]) -> Claim:
    """4D: are the generated digits of the best-recognised class recognised measurably more often than
    those of the worst? Each class's share with its Wilson interval over its own samples."""
    rows = [dict(c, interval=st.wilson(c["recognised"], int(c["samples"]))) for c in per_class]
    best = max(rows, key=lambda c: c["recognised"])
    worst = min(rows, key=lambda c: c["recognised"])
    values = {
        "best_class": best["class"],
        "best_rate": best["recognised"],
        "best_interval": best["interval"],
        "worst_class": worst["class"],
        "worst_rate": worst["recognised"],
        "worst_interval": worst["interval"],
        "widest_points": max(c["interval"].high - c["interval"].low for c in rows),
    }
    rule = (
        f"the best-recognised class is measurably above the worst when its {LEVEL_WORDS} Wilson interval lies "
        f"wholly above "
        "the worst class's (each over that class's own generated images)"
    )
    return Claim(
        "class_ranking", "separated" if worst["interval"].below(best["interval"].low) else "overlapping", rule, values
    )


def generated_recognition(scores: dict) -> Claim:
    """4D: are the generated digits recognised as their class as often as real validation digits passed
    through the same encoder and decoder are recognised as theirs?"""
    real = scores["references"]["real_validation"]
    n_gen, n_real = sum(int(c["samples"]) for c in scores["per_class"]), int(real["samples"])
    interval = st.two_proportion_difference(real["recognised"], scores["recognised"], n_real, n2=n_gen)
    rule = (
        f"the generated images' recognised share minus that of the decoded validation images, with a "
        f"{LEVEL_WORDS} normal "
        "interval for two independent proportions; a difference counts when the interval excludes 0"
    )
    return Claim(
        "generated_recognition",
        _direction(interval, "above_real", "below_real", "consistent_with_real"),
        rule,
        {
            "generated": scores["recognised"],
            "real": real["recognised"],
            "difference": scores["recognised"] - real["recognised"],
            "generated_samples": n_gen,
            "real_samples": n_real,
        },
        interval,
    )


def class_conditioning(scores: dict) -> Claim:
    """4D: does sampling per class give clearer digits than one Gaussian over all codes? Share of decoded
    samples the classifier assigns to some class with at least the configured probability."""
    agnostic = scores["references"]["class_agnostic"]
    n_gen, n_ag = sum(int(c["samples"]) for c in scores["per_class"]), int(agnostic["samples"])
    interval = st.two_proportion_difference(agnostic["confident"], scores["confident"], n_ag, n2=n_gen)
    rule = (
        f"the share of per-class samples classified with probability at least {scores['confident_threshold']:g} "
        f"minus that share "
        f"for the class-agnostic samples, with a {LEVEL_WORDS} normal interval for two independent proportions; "
        "a difference counts when the interval excludes 0"
    )
    return Claim(
        "class_conditioning",
        _direction(interval, "class_gaussians_clearer", "agnostic_clearer", "no_measurable_difference"),
        rule,
        {
            "per_class": scores["confident"],
            "agnostic": agnostic["confident"],
            "difference": scores["confident"] - agnostic["confident"],
        },
        interval,
    )


def _distance_claim(name: str, distances: dict, reference: str, verdicts: tuple[str, str, str], what: str) -> Claim:
    gen, ref = np.asarray(distances["generated"]), np.asarray(distances[reference])
    interval = st.median_difference(gen, ref)
    rule = (
        f"the median distance from a generated image to its nearest training image minus that median for {what}, "
        f"with a "
        f"{LEVEL_WORDS} percentile-bootstrap interval; a difference counts when the interval excludes 0"
    )
    return Claim(
        name,
        _direction(interval, *verdicts),
        rule,
        {
            "generated": float(np.median(gen)),
            "reference": float(np.median(ref)),
            "difference": float(np.median(gen) - np.median(ref)),
            # how far the two distributions overlap: the share of generated digits nearer to the training set than
            # the median reference
            "share_below_reference_median": float(np.mean(gen < np.median(ref))),
            "share_above_reference_median": float(np.mean(gen > np.median(ref))),
        },
        interval,
    )


def generated_novelty(distances: dict) -> Claim:
    """4D: are the generated digits farther from the training set than copies of training digits through
    the same decoder (a training digit's code decoded) are?"""
    return _distance_claim(
        "generated_novelty",
        distances,
        "decoded_train",
        ("farther_than_copies", "closer_than_copies", "no_measurable_difference"),
        "training images passed through the autoencoder (copies)",
    )


def generated_vs_new_digits(distances: dict) -> Claim:
    """4D: are the generated digits as far from the training set as unseen real digits (validation digits
    through the same encoder and decoder)?"""
    return _distance_claim(
        "generated_vs_new_digits",
        distances,
        "decoded_val",
        ("farther", "closer", "no_measurable_difference"),
        "validation images passed through the autoencoder",
    )


def _dense_claims(
    choice: Claim, class_counts, dense_history, num_classes: int, sweep_runs, best_label: str
) -> list[Claim]:
    """Questions 1 and 2A-2D: the classes, the dense network's training, and the L2 sweep (`choice` is its
    factor_choice claim, `best_label` the factor chosen)."""
    return [
        choice,
        class_balance(class_counts),
        initial_loss(dense_history["initial_val_loss"], num_classes),
        validation_trend(dense_history["val_correct_by_epoch"]),
        overfitting(dense_history["val_loss"], dense_history["loss"]),
        decay_effect(sweep_runs, best_label),
        other_factors(sweep_runs, best_label),
    ]


def _cited_claims(
    chosen: list[float],
    hinton_accuracy: float,
    n_test: int,
    cnn_test_values: Sequence[float],
    cnn_target: float,
    cnn_goal: float,
    cited: bool,
) -> list[Claim]:
    """2D's and 3A's comparisons with figures cited from MNIST's literature: the chosen factor's test
    accuracies (`chosen`) against Hinton's, the CNN's against the published target and our own goal; all
    "not_applicable" where `cited` is false."""
    if not cited:
        not_mnist = "figures cited from MNIST's literature apply only to the canonical MNIST files"
        return [Claim(name, "not_applicable", not_mnist) for name in ("hinton", "cnn_target", "cnn_goal")]
    return [
        hinton(chosen, hinton_accuracy, n_test),
        mean_against_target("cnn_target", cnn_test_values, cnn_target, n_test),
        mean_against_target("cnn_goal", cnn_test_values, cnn_goal, n_test),
    ]


def _cnn_claims(design_study: dict | None, class_error_histogram) -> list[Claim]:
    """3A: the design study's choice, and the CNN's errors by class where their histogram is given."""
    claims = [design_choice(design_study)]
    if class_error_histogram is not None:
        claims.append(class_errors_differ(class_error_histogram))
    return claims


def _shift_claims(shift_table, cnn_augments: bool) -> list[Claim]:
    """3B: the two networks on unshifted images, the accuracy each loses at the middle and the largest
    shift, and what explains the difference at the largest."""
    cells = shift_cells(shift_table)
    max_shift = max(cells["dense"])
    mid = mid_shift(list(cells["dense"]))
    return [
        shift_models_accuracy(cells),
        robustness("robustness_mid", cells, mid),
        robustness("robustness_max", cells, max_shift),
        *shift_factors(cells, max_shift, cnn_augments),
    ]


def _denoising_claims(
    denoising_table, gains: list[dict], recognisable_accuracy: float, min_gain: float, num_classes: int
) -> list[Claim]:
    """4B and 4C: from which level noisy and denoised images are no longer recognisable, where denoising
    stops working and where it helps, what it costs on clean images, and the autoencoder against each
    baseline."""
    t = denoising_table.sort_values("level")
    levels, n = t["level"].tolist(), int(t["images"].iloc[0])
    claims = [
        first_level_below(
            "noisy_below_criterion",
            levels,
            t["accuracy_noisy"].tolist(),
            n,
            recognisable_accuracy,
            "the classifier's accuracy on the noisy images",
        ),
        first_level_below(
            "denoised_below_criterion",
            levels,
            t["accuracy_denoised"].tolist(),
            n,
            recognisable_accuracy,
            "the classifier's accuracy on the denoised images",
        ),
    ]
    claims.extend(
        denoising_fails(
            levels,
            t["mse_denoised"].tolist(),
            float(t["mse_mean_image"].iloc[0]),
            t["mse_gap_se"].tolist(),
            t["accuracy_denoised"].tolist(),
            n,
            num_classes,
        )
    )
    claims.extend(denoising_helps(gains, min_gain, num_classes))
    claims.append(clean_cost(gains))
    claims += [against_baseline(gains, b) for b in BASELINES]
    return claims


def _generation_claims(generation_scores: dict, generation_distances: dict) -> list[Claim]:
    """4D: the generated digits by class, against decoded real ones, per class against one Gaussian over all
    codes, and their distance from the training set."""
    return [
        class_ranking(generation_scores["per_class"]),
        generated_recognition(generation_scores),
        class_conditioning(generation_scores),
        generated_novelty(generation_distances),
        generated_vs_new_digits(generation_distances),
    ]


def build(
    *,
    class_counts,
    dense_history,
    n_val,
    n_test,
    num_classes,
    sweep_runs,
    factor_choice,
    gains,
    hinton_accuracy,
    cnn_test_values,
    cnn_target,
    cnn_goal,
    cnn_params,
    cnn_macs,
    earlier_params,
    earlier_macs,
    shift_table,
    denoising_table,
    recognisable_accuracy,
    min_gain,
    generation_scores,
    generation_distances,
    design_study=None,
    class_error_histogram=None,
    hinton_summary=None,
    cnn_augments=True,
    cited=True,
) -> dict[str, Claim]:
    """Every claim of the report, by name, from the numbers the workflow wrote (`factor_choice` and the
    per-level `gains` of level_gains are computed once by the caller, which shows them too). Where
    `cited` is false (the data is not the canonical MNIST files) the claims against figures cited from
    MNIST's literature are "not_applicable" and compare nothing."""
    sweep_best_label = factor_choice.values["best"]
    chosen = sweep_runs.loc[sweep_runs["factor_label"] == sweep_best_label, "test_accuracy"].tolist()
    claims = [
        *_dense_claims(factor_choice, class_counts, dense_history, num_classes, sweep_runs, sweep_best_label),
        *_cited_claims(chosen, hinton_accuracy, n_test, cnn_test_values, cnn_target, cnn_goal, cited),
        size_comparison("cnn_size", cnn_params, earlier_params, ("smaller", "larger", "same")),
        size_comparison("cnn_arithmetic", cnn_macs, earlier_macs, ("less", "more", "same")),
        *hinton_study(hinton_summary, hinton_accuracy, n_test)[1:],
        hinton_tuning(hinton_summary),
        *_cnn_claims(design_study, class_error_histogram),
        *_shift_claims(shift_table, cnn_augments),
        *_denoising_claims(denoising_table, gains, recognisable_accuracy, min_gain, num_classes),
        *_generation_claims(generation_scores, generation_distances),
    ]
    return {c.name: c for c in claims}
