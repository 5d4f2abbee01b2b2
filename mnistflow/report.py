"""The report's content: every number and every result-dependent statement, computed from
the files the workflow wrote. The template only words and lays them out."""

from __future__ import annotations

import datetime as _dt
import math
import os
import subprocess
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd
import yaml

from .io import read_json
from .rendering import data_uri
from .sweep import read_table


def _prod(values) -> int:
    return int(np.prod([v for v in values if v is not None]))


def data_context(summary: dict, info: dict) -> dict:
    """Question 1: shapes, dtypes, ranges before and after preprocessing; class balance."""
    splits = summary["splits"]
    balance = {}
    for name, split in splits.items():
        counts = np.array(split["class_counts"])
        balance[name] = {
            "counts": counts.tolist(),
            "shares": (counts / counts.sum()).tolist(),
            "min_class": int(counts.argmin()),
            "max_class": int(counts.argmax()),
            "ratio": float(counts.max() / counts.min()) if counts.min() > 0 else math.inf,
        }
    return {"splits": splits, "balance": balance, "info": info, "num_classes": summary["num_classes"]}


def architecture_context(layers: list[dict], reference_output_params: int | None = None) -> dict:
    """Question 2A: the per-layer table with each parameter count explained."""
    rows, fan_in = [], None
    for layer in layers:
        width = _prod(layer["output_shape"][1:])
        row = dict(layer, width=width, formula=None)
        if layer["type"] == "Dense" and fan_in is not None:
            row["formula"] = {"fan_in": fan_in, "units": width}
            row["check"] = fan_in * width + width == layer["params"]
        rows.append(row)
        fan_in = width
    dense = [r for r in rows if r["type"] == "Dense"]
    total = sum(r["params"] for r in rows)
    return {
        "layers": rows,
        "total_params": total,
        "input_width": rows[0]["width"] if rows[0]["type"] == "Flatten" else None,
        "output_units": dense[-1]["width"],
        "hidden": dense[:-1],
        "output": dense[-1],
        "reference_output_params": reference_output_params,
    }


def training_context(metrics: dict, timing: dict, metric: str = "accuracy") -> dict:
    """Per-epoch curves summarised: final and best validation values, the generalisation gap, speed."""
    hist = metrics["history"]
    val = hist[f"val_{metric}"]
    train = hist[metric]
    best = int(np.argmax(val))
    return {
        "epochs": len(val),
        "final_val": val[-1],
        "final_train": train[-1],
        "best_val": val[best],
        "best_epoch": best + 1,
        "gap": train[-1] - val[-1],
        "last_change": val[-1] - val[-2] if len(val) > 1 else None,
        "final_val_loss": hist["val_loss"][-1],
        "final_train_loss": hist["loss"][-1],
        "initial_val_loss": metrics["initial"]["val_loss"],
        "initial_val_acc": metrics["initial"].get(f"val_{metric}"),
        "test": metrics["test"],
        "seconds_per_epoch": float(np.median(timing["epoch_seconds"])),
        "fit_seconds": timing["fit_seconds"],
        "train_samples": metrics["train_samples"],
        "val_samples": metrics["val_samples"],
    }


def sweep_context(runs: pd.DataFrame, summary: pd.DataFrame, refs: dict, learning_rate: float) -> dict:
    """Question 2D: the best factor by mean final validation accuracy, its test accuracy, the
    baseline, and how far from Hinton's result, all from the sweep's tables."""
    best = summary.loc[summary["final_val_accuracy_mean"].idxmax()]
    best_runs = runs[runs["factor_label"] == best["factor_label"]]
    hinton = refs["hinton"]["q2d_test_accuracy"]
    baseline = summary[summary["factor"] == 0]
    base = baseline.iloc[0].to_dict() if len(baseline) else None
    gain = noise = None
    if base is not None and best["factor"] != 0:
        gain = best["final_val_accuracy_mean"] - base["final_val_accuracy_mean"]
        n = best["replicates"]
        # standard error of the difference of two means of n replicates
        noise = math.sqrt((best["final_val_accuracy_std"] ** 2 + base["final_val_accuracy_std"] ** 2) / n)
    test_mean, test_std = best["test_accuracy_mean"], best["test_accuracy_std"]
    top = runs.loc[runs["best_val_accuracy"].idxmax()]
    return {
        "rows": summary.to_dict("records"),
        "runs": len(runs),
        "best": best.to_dict(),
        "best_test_min": float(best_runs["test_accuracy"].min()),
        "best_test_max": float(best_runs["test_accuracy"].max()),
        "baseline": base,
        "gain": gain,
        "gain_noise": noise,
        "hinton": hinton,
        "diff": test_mean - hinton,
        "error": 1 - test_mean,
        "hinton_error": 1 - hinton,
        "error_ratio": (1 - test_mean) / (1 - hinton),
        "within_std": abs(test_mean - hinton) <= test_std,
        "within_range": float(best_runs["test_accuracy"].min()) <= hinton <= float(best_runs["test_accuracy"].max()),
        "top_epoch": {"val_accuracy": float(top["best_val_accuracy"]), "epoch": int(top["best_epoch"]),
                      "factor": top["factor_label"], "replicate": int(top["replicate"])},
        "decay_per_step": 2 * learning_rate * best["factor"],
        "epochs": int(runs["epochs"].max()),
    }


def git_state(repo: str | os.PathLike) -> dict:
    """The commit of the code that made the report, and whether the tree had uncommitted changes."""
    def git(*args):
        return subprocess.run(["git", "-C", os.fspath(repo), *args], capture_output=True, text=True, check=True).stdout.strip()

    try:
        return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}
    except (subprocess.CalledProcessError, FileNotFoundError):
        return {"commit": None, "dirty": None}


def provenance(config: dict, versions: dict, repo: str | os.PathLike, data_info: dict) -> dict:
    return {
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "config_yaml": yaml.safe_dump(config, sort_keys=True, default_flow_style=False, width=90),
        "versions": versions,
        "git": git_state(repo),
        "data": data_info,
    }


def build_context(inputs: Mapping[str, str], config: dict, *, versions: dict, repo: str | os.PathLike) -> dict:
    """Everything the template shows, read from the report rule's named inputs."""
    refs = yaml.safe_load(Path(inputs["references"]).read_text())
    info = read_json(inputs["data_info"])
    dense_metrics = read_json(inputs["dense_metrics"])
    figures = {key[: -len("_figure")]: data_uri(path) for key, path in inputs.items() if key.endswith("_figure")}
    return {
        "refs": refs,
        "config": config,
        "figures": figures,
        "data": data_context(read_json(inputs["data_summary"]), info),
        "dense": {
            "arch": architecture_context(dense_metrics["layers"], refs["earlier_answer"]["q2a_output_params"]),
            "train": training_context(dense_metrics, read_json(inputs["dense_timing"])),
            "settings": dense_metrics["settings"],
            "seed": dense_metrics["seed"],
            "threads": dense_metrics["threads"],
        },
        "sweep": sweep_context(
            read_table(inputs["sweep_runs"]), read_table(inputs["sweep_summary"]), refs,
            config["sweep"]["training"]["optimizer"]["learning_rate"],
        ),
        "ln_classes": math.log(info["num_classes"]),
        "provenance": provenance(config, versions, repo, info),
    }
