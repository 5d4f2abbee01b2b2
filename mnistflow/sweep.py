"""The L2 weight-decay sweep: canonical wildcard values and the aggregation of its jobs."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

#: Regular expression of a canonical factor string (for Snakemake's wildcard_constraints).
FACTOR_PATTERN = r"0|[1-9](\.[0-9]*[1-9])?e-?(0|[1-9][0-9]*)"


def format_factor(value: float) -> str:
    """One canonical text per factor: 0 -> "0", 1e-06 -> "1e-6", 0.00025 -> "2.5e-4"."""
    value = float(value)
    if value < 0 or not math.isfinite(value):
        raise ValueError(f"an L2 factor must be a finite number >= 0, got {value}")
    if value == 0:
        return "0"
    mantissa, exponent = f"{value:.6e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    text = f"{mantissa}e{int(exponent)}"
    assert re.fullmatch(FACTOR_PATTERN, text), text
    return text


def factor_labels(factors: Iterable[float]) -> list[str]:
    """Canonical labels of the configured factors, refusing two that name the same value."""
    labels = [format_factor(f) for f in factors]
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    if duplicates:
        raise ValueError(f"the L2 factors {duplicates} are listed more than once")
    return labels


def runs_table(records: Mapping[tuple[str, int], dict]) -> pd.DataFrame:
    """One row per (factor, replicate) job from its metrics record."""
    rows = []
    for (factor, replicate), rec in records.items():
        val = rec["history"]["val_accuracy"]
        rows.append(
            {
                "factor": float(factor),
                "factor_label": factor,
                "replicate": int(replicate),
                "seed": rec["seed"],
                "final_val_accuracy": val[-1],
                "best_val_accuracy": max(val),
                "best_epoch": int(np.argmax(val)) + 1,
                "final_val_loss": rec["history"]["val_loss"][-1],
                "test_accuracy": rec["test"]["accuracy"],
                "test_loss": rec["test"]["loss"],
                "epochs": len(val),
            }
        )
    return pd.DataFrame(rows).sort_values(["factor", "replicate"]).reset_index(drop=True)


SUMMARY_COLUMNS = ["final_val_accuracy", "best_val_accuracy", "test_accuracy"]


def summary_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Per factor: mean and sample standard deviation over replicates of the key accuracies."""
    grouped = runs.groupby(["factor", "factor_label"], sort=True)
    out = grouped[SUMMARY_COLUMNS].agg(["mean", "std"])
    out.columns = [f"{col}_{stat}" for col, stat in out.columns]
    out["replicates"] = grouped.size()
    out = out.reset_index()
    std_cols = [c for c in out.columns if c.endswith("_std")]
    out[std_cols] = out[std_cols].fillna(0.0)  # one replicate: no spread
    return out


#: The curves figure of a sweep adds a panel with the second half of training when there are more epochs than this.
ZOOM_AFTER_EPOCHS = 6


def epoch_curves(records: Mapping[tuple[str, int], dict], metric: str = "val_accuracy") -> list[dict]:
    """Per factor, in increasing order of the factor: its label, the per-epoch `metric` of each replicate
    (in replicate order) and their mean."""
    by_factor: dict[str, list[list[float]]] = {}
    for (factor, _), rec in sorted(records.items(), key=lambda kv: (float(kv[0][0]), int(kv[0][1]))):
        by_factor.setdefault(factor, []).append([float(v) for v in rec["history"][metric]])
    return [
        {"label": factor, "factor": float(factor), "runs": curves, "mean": np.mean(np.array(curves), axis=0).tolist()}
        for factor, curves in by_factor.items()
    ]


def choose_factor(runs: pd.DataFrame, n_val: int) -> dict:
    """The factor chosen on validation: the most correct validation answers summed over its replicates
    in their final epoch (the highest mean final validation accuracy, without float noise); a tie goes
    to the smaller factor, the one with less decay. Returns the factor, its label, the count, the tied
    labels and the number of factors."""
    counts = runs.assign(correct=(runs["final_val_accuracy"] * n_val).round().astype(int))
    per_factor = counts.groupby(["factor", "factor_label"])["correct"].sum().reset_index().sort_values("factor")
    top = int(per_factor["correct"].max())
    winners = per_factor[per_factor["correct"] == top]
    best = winners.iloc[0]
    return {
        "factor": float(best["factor"]),
        "label": str(best["factor_label"]),
        "correct": top,
        "answers": int(runs.groupby("factor_label").size().max()) * n_val,
        "tied": winners["factor_label"].tolist()[1:],
        "factors": len(per_factor),
    }


def with_decay(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs with a factor above 0; all runs when no factor is (a sweep of 0 alone)."""
    decayed = runs[runs["factor"] > 0]
    return decayed if len(decayed) else runs


def of_factor(jobs: Sequence[Sequence], paths: Sequence[str], label: str) -> list[str]:
    """The paths of one factor's jobs in replicate order, from the (factor label, replicate) of each job."""
    found = sorted(
        (int(replicate), path) for (factor, replicate), path in zip(jobs, paths, strict=True) if factor == label
    )
    if not found:
        raise ValueError(f"no sweep job has the factor {label!r}")
    return [path for _, path in found]


def choose_setting(jobs: Sequence[Sequence], records: Sequence[dict]) -> dict:
    """A Hinton-study variant's tuning: jobs are (learning-rate label, factor label or "chosen", replicate)
    with their metrics records. The grid cell whose runs get the most validation images right in their final
    epoch, in total, is chosen; a tie goes to the smaller learning rate, then the smaller factor. Returns its
    factor, label and learning rate (what train_classifier reads as `l2_choice`) and the whole grid."""
    cells: dict[tuple[float, float], dict] = {}
    for (_, _, replicate), rec in zip(jobs, records, strict=True):
        factor = float(rec["settings"]["model"].get("l2", 0.0))
        rate = float(rec["settings"]["training"]["optimizer"]["learning_rate"])
        cell = cells.setdefault(
            (rate, factor),
            {
                "learning_rate": rate,
                "lr_label": format_factor(rate),
                "factor": factor,
                "label": format_factor(factor),
                "correct": 0,
                "answers": 0,
                "val_accuracies": [],
                "replicates": [],
            },
        )
        n_val = int(rec["val_samples"])
        accuracy = float(rec["history"]["val_accuracy"][-1])
        cell["correct"] += int(round(accuracy * n_val))
        cell["answers"] += n_val
        cell["val_accuracies"].append(accuracy)
        cell["replicates"].append(int(replicate))
    if not cells:
        raise ValueError("a tuned variant needs at least one tuning run")
    grid = [cells[key] for key in sorted(cells)]
    best = max(grid, key=lambda c: (c["correct"], -c["learning_rate"], -c["factor"]))
    return {
        "factor": best["factor"],
        "label": best["label"],
        "learning_rate": best["learning_rate"],
        "lr_label": best["lr_label"],
        "grid": [dict(c, accuracy=c["correct"] / c["answers"], chosen=c is best) for c in grid],
        "runs_per_cell": max(len(c["replicates"]) for c in grid),
    }


def summarise_variants(
    jobs: Sequence[Sequence],
    records: Sequence[dict],
    variants: Mapping[str, dict],
    sweep_runs: pd.DataFrame,
    l2_choice: dict,
    baseline_extra: Sequence[tuple[int, dict]] = (),
    choices: Mapping[str, dict] | None = None,
    baseline_learning_rate: float | None = None,
) -> dict:
    """The Hinton study: for each variant (jobs are (variant, "chosen", replicate)), the settings it was
    trained with (2D's factor choice, or the learning rate and factor it re-chose on validation, `choices`),
    its test and final validation accuracies in replicate order; beside them the baseline: the 2D runs at
    the factor chosen there, with `baseline_extra` (replicate, record) runs of the same settings where the
    study has more replicates than the sweep, and its learning rate. Variants pair with the baseline by
    replicate (shared seeds)."""
    choices = choices or {}
    baseline = sweep_runs[sweep_runs["factor_label"] == l2_choice["label"]].sort_values("replicate")
    base = {
        int(r): (float(t), float(v))
        for r, t, v in zip(
            baseline["replicate"], baseline["test_accuracy"], baseline["final_val_accuracy"], strict=True
        )
    }
    for replicate, rec in baseline_extra:
        base[int(replicate)] = (float(rec["test"]["accuracy"]), float(rec["history"]["val_accuracy"][-1]))
    order = sorted(base)
    out = {
        "baseline": {
            "factor": l2_choice["label"],
            "test": [base[r][0] for r in order],
            "val": [base[r][1] for r in order],
            "replicates": order,
            "extra": [int(r) for r, _ in baseline_extra],
            "learning_rate": baseline_learning_rate,
        },
        "variants": {},
    }
    by_variant: dict[str, list[tuple[int, dict]]] = {}
    for (name, _, replicate), rec in zip(jobs, records, strict=True):
        by_variant.setdefault(name, []).append((int(replicate), rec))
    for name, runs in by_variant.items():
        runs.sort(key=lambda run: run[0])
        first = runs[0][1]
        choice = choices.get(name)
        out["variants"][name] = {
            "factor": choice["label"] if choice else l2_choice["label"],
            "learning_rate": float(first["settings"]["training"]["optimizer"]["learning_rate"]),
            "rechosen": choice is not None,
            "grid": choice["grid"] if choice else None,
            "runs_per_cell": choice["runs_per_cell"] if choice else None,
            "test": [float(rec["test"]["accuracy"]) for _, rec in runs],
            "val": [float(rec["history"]["val_accuracy"][-1]) for _, rec in runs],
            "replicates": [r for r, _ in runs],
            "train_on_all": bool(variants[name].get("train_on_all")),
            "train_samples": int(first["train_samples"]),
            "epochs": int(first["epochs"]),
            "training": first["settings"]["training"],
        }
    return out


def read_table(path) -> pd.DataFrame:
    """Read a runs or summary CSV written by the aggregation, keeping factor labels as text."""
    return pd.read_csv(path, dtype={"factor_label": str})


def mean_intervals(summary: pd.DataFrame, column: str) -> tuple[list[float], list[float], str]:
    """Each factor's t-interval of the mean of `column` over its replicates (the 2D table's intervals), from
    the summary table's mean, standard deviation and replicate count: (lows, highs, what they are); NaN
    where a factor has one replicate."""
    from . import inference

    intervals = [
        inference.mean_interval_of_moments(mean, sd, int(n))
        for mean, sd, n in zip(summary[f"{column}_mean"], summary[f"{column}_std"], summary["replicates"], strict=True)
    ]
    lows = [i.low if i else math.nan for i in intervals]
    highs = [i.high if i else math.nan for i in intervals]
    counts = sorted(set(summary["replicates"].astype(int)))
    runs = f"{counts[0]}" if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"
    what = f"mean, {inference.LEVEL:.0%} t-interval over {runs} runs" if any(intervals) else "one run each: no interval"
    return lows, highs, what
