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


def summarise_variants(
    jobs: Sequence[Sequence],
    records: Sequence[dict],
    variants: Mapping[str, dict],
    sweep_runs: pd.DataFrame,
    l2_choice: dict,
) -> dict:
    """The Hinton study: for each variant (jobs are (variant, factor label or "chosen", replicate)), the
    factor it uses (2D's choice, or re-chosen on validation among its own like 2D's), that factor's
    test and final validation accuracies in replicate order, and its training settings; beside them
    the 2D runs at the factor chosen there (the baseline, paired with the variants by replicate)."""
    baseline = sweep_runs[sweep_runs["factor_label"] == l2_choice["label"]].sort_values("replicate")
    out = {
        "baseline": {
            "factor": l2_choice["label"],
            "test": baseline["test_accuracy"].tolist(),
            "val": baseline["final_val_accuracy"].tolist(),
            "replicates": baseline["replicate"].tolist(),
        },
        "variants": {},
    }
    by_variant: dict[str, dict] = {}
    for (name, factor, replicate), rec in zip(jobs, records, strict=True):
        label = l2_choice["label"] if factor == "chosen" else factor
        by_variant.setdefault(name, {})[(label, int(replicate))] = rec
    for name, runs in by_variant.items():
        table = runs_table(runs)
        n_val = int(next(iter(runs.values()))["val_samples"])
        chosen = l2_choice["label"] if not variants[name].get("factors") else choose_factor(table, n_val)["label"]
        mine = table[table["factor_label"] == chosen].sort_values("replicate")
        first = next(iter(runs.values()))
        out["variants"][name] = {
            "factor": chosen,
            "rechosen": bool(variants[name].get("factors")),
            "factors": sorted(table["factor_label"].unique().tolist(), key=float),
            "val_by_factor": {
                label: group.sort_values("replicate")["final_val_accuracy"].tolist()
                for label, group in table.groupby("factor_label")
            },
            "test": mine["test_accuracy"].tolist(),
            "val": mine["final_val_accuracy"].tolist(),
            "replicates": mine["replicate"].tolist(),
            "train_on_all": bool(variants[name].get("train_on_all")),
            "train_samples": int(first["train_samples"]),
            "epochs": int(first["epochs"]),
            "training": first["settings"]["training"],
        }
    return out


def read_table(path) -> pd.DataFrame:
    """Read a runs or summary CSV written by the aggregation, keeping factor labels as text."""
    return pd.read_csv(path, dtype={"factor_label": str})
