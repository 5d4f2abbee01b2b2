"""The report's content: every number and every result-dependent statement, computed from
the files the workflow wrote. The template only words and lays them out."""

from __future__ import annotations

import datetime as _dt
import math
import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from . import claims as claims_lib
from . import data as data_lib
from . import inference
from .config import AUGMENTATION_KEYS, REPORT_CORES
from .evaluation import SHIFT_CELL_NAMES, mid_shift, network_name, shift_curves
from .files import read_json
from .rendering import data_uri
from .sweep import ZOOM_AFTER_EPOCHS, format_factor, read_table


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
        "reference_differs": reference_output_params is not None and reference_output_params != dense[-1]["params"],
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


def sweep_context(runs: pd.DataFrame, summary: pd.DataFrame, refs: dict, learning_rate: float, best_label: str) -> dict:
    """Question 2D: the factor chosen on validation (claims.factor_choice), its test accuracy, the
    baseline, and how far from Hinton's result, all from the sweep's tables."""
    best = summary.loc[summary["factor_label"] == best_label].iloc[0]
    best_runs = runs[runs["factor_label"] == best["factor_label"]]
    hinton = refs["hinton"]["q2d_test_accuracy"]
    baseline = summary[summary["factor"] == 0]
    base = baseline.iloc[0].to_dict() if len(baseline) else None
    test_mean = best["test_accuracy_mean"]
    top = runs.loc[runs["best_val_accuracy"].idxmax()]
    falls = runs["best_val_accuracy"] - runs["final_val_accuracy"]
    fall = runs.loc[falls.idxmax()]
    rows = []
    for row in summary.to_dict("records"):
        values = runs.loc[runs["factor_label"] == row["factor_label"]]
        row.update(
            is_best=row["factor_label"] == best["factor_label"],
            test_interval=inference.mean_interval(values["test_accuracy"].tolist()),
            val_interval=inference.mean_interval(values["final_val_accuracy"].tolist()),
            best_interval=inference.mean_interval(values["best_val_accuracy"].tolist()),
        )
        rows.append(row)
    best_row = next(r for r in rows if r["is_best"])
    return {
        "rows": rows,
        "runs": len(runs),
        "replicates": int(runs.groupby("factor_label").size().max()),
        "best": best_row,
        "best_test_values": [float(v) for v in best_runs.sort_values("replicate")["test_accuracy"]],
        "best_test_min": float(best_runs["test_accuracy"].min()),
        "best_test_max": float(best_runs["test_accuracy"].max()),
        "baseline": base,
        "hinton": hinton,  # None where the data is not MNIST's: then nothing is compared with it
        "diff": None if hinton is None else test_mean - hinton,
        "error": 1 - test_mean,
        "hinton_error": None if hinton is None else 1 - hinton,
        "error_ratio": None if hinton is None else (1 - test_mean) / (1 - hinton),
        "top_epoch": {
            "val_accuracy": float(top["best_val_accuracy"]),
            "epoch": int(top["best_epoch"]),
            "factor": top["factor_label"],
            "replicate": int(top["replicate"]),
        },
        # the run that fell furthest from its best epoch by its last
        "largest_fall": {
            "fall": float(falls.max()),
            "best": float(fall["best_val_accuracy"]),
            "best_epoch": int(fall["best_epoch"]),
            "final": float(fall["final_val_accuracy"]),
            "factor": fall["factor_label"],
            "replicate": int(fall["replicate"]),
            "fell": bool(falls.max() > 0),
        },
        # the curves figure repeats the second half of training on its own scale (plots.factor_curves_plot)
        "zoomed": bool(int(runs["epochs"].max()) > ZOOM_AFTER_EPOCHS),
        "decay_per_step": 2 * learning_rate * best["factor"],
        "epochs": int(runs["epochs"].max()),
        "seeds": sorted(int(s) for s in runs["seed"].unique()),
    }


#: What each layer type does, for the layers a model actually uses beyond question 2's.
LAYER_TYPES = ("RandomTranslation", "Conv2D", "BatchNormalization", "Activation", "MaxPooling2D", "Dropout")


def _median_epoch_seconds(timings: list[dict]) -> float:
    return float(np.median([t for timing in timings for t in timing["epoch_seconds"]]))


def _macs(layers: list[dict]) -> int:
    return int(sum(layer.get("macs", 0) for layer in layers))


def _earlier_cnn(
    refs: dict, earlier_layers: dict, earlier_metrics: dict | None, earlier_timing: dict | None, n_test: int
) -> dict:
    """The earlier answer's CNN: its size and arithmetic, with its test accuracy, epochs and speed from
    its own run where it ran, else the published figures of references.yaml."""
    earlier = {
        "params": earlier_layers["total_params"],
        "macs": _macs(earlier_layers["layers"]),
        "ran": earlier_metrics is not None,
    }
    if earlier_metrics is not None:
        earlier.update(
            test_accuracy=earlier_metrics["test"]["accuracy"],
            epochs=earlier_metrics["epochs"],
            seconds_per_epoch=_median_epoch_seconds([earlier_timing]),
            backend=earlier_metrics["backend"],
            threads=earlier_metrics["threads"],
            test_interval=inference.wilson(earlier_metrics["test"]["accuracy"], n_test),
        )
    else:
        earlier.update(
            test_accuracy=refs["earlier_answer"]["q3a_test_accuracy"],
            epochs=refs["earlier_answer"]["q3a_epochs"],
            seconds_per_epoch=refs["earlier_answer"]["q3a_seconds_per_epoch"],
        )
    return earlier


def cnn_context(
    summary: dict,
    records: list[dict],
    timings: list[dict],
    refs: dict,
    earlier_layers: dict,
    earlier_metrics: dict | None,
    earlier_timing: dict | None,
    n_test: int,
) -> dict:
    """Question 3A: our CNN over its replicates, and the earlier answer's CNN beside it."""
    layers = records[0]["layers"]
    types = [t for t in LAYER_TYPES if any(layer["type"] == t for layer in layers)]
    values = summary["test_accuracy"]["values"]
    settings = records[0]["settings"]
    ours = {
        "test": summary["test_accuracy"],
        "val": summary["final_val_accuracy"],
        "replicates": summary["replicates"],
        "several": len(values) > 1,  # a t-interval over the replicates; one run gets a Wilson interval
        "test_interval": inference.mean_interval(values) or inference.wilson(values[0], n_test),
        "val_interval": inference.mean_interval(summary["final_val_accuracy"]["values"]),
        "params": records[0]["total_params"],
        "macs": _macs(layers),
        "seconds_per_epoch": _median_epoch_seconds(timings),
        "epochs": records[0]["epochs"],
        "fit_minutes": float(np.mean([t["fit_seconds"] for t in timings]) / 60),
        "backend": records[0]["backend"],
        "threads": records[0]["threads"],
    }
    earlier = _earlier_cnn(refs, earlier_layers, earlier_metrics, earlier_timing, n_test)
    blocks = settings["model"]["conv_blocks"]
    return {
        "layers": layers,
        "types": types,
        "ours": ours,
        "earlier": earlier,
        "target": refs["targets"]["q3a_test_accuracy"],
        "goal": refs["targets"]["q3a_goal_test_accuracy"],
        "settings": settings,
        "seeds": summary["seeds"],
        "first_block_pools": bool(blocks[0].get("pool")),
        "augments": any(settings["model"].get(key) for key in AUGMENTATION_KEYS),
        "augmentation_words": ", ".join(augmentation_words(settings["model"])),
        "dropout": bool(settings["model"].get("dense_dropout") or settings["model"].get("conv_dropout")),
    }


def dense_val_correct(path: str) -> np.ndarray:
    """(epochs, validation images): whether the 2C network got each validation image right after each epoch."""
    with np.load(path) as npz:
        return npz["val_by_epoch"] == npz["labels_val"]


def hinton_context(summary: dict | None, reference: float, n_test: int) -> dict | None:
    """The Hinton study's table: the baseline runs and each variant, each judged on its own runs, with its
    test accuracy, interval, verdict against his figure and gain over the paired baseline runs."""
    if summary is None:
        return None
    rows, _, _ = claims_lib.hinton_study(summary, reference, n_test)
    base = summary["baseline"]
    baseline = {
        "name": "the 2D settings at this factor (the baseline)",
        "description": None,
        "rechosen": False,
        "gain": None,
        "gain_interval": None,
        "learning_rate": base["learning_rate"],
        "sweep_runs": len(base["test"]) - len(base["extra"]),
        "extra": len(base["extra"]),
        "factor": base["factor"],
        "mean": float(np.mean(base["test"])),
        "interval": inference.mean_interval(base["test"]),
        "runs": len(base["test"]),
        "hinton": claims_lib.hinton(base["test"], reference, n_test, name="hinton_variant"),
    }
    for row in rows:
        row["runs"] = len(row["test"])
        for cell in row["grid"] or []:
            cell["interval"] = inference.wilson(cell["accuracy"], cell["answers"])
    return {
        "baseline": baseline,
        "rows": rows,
        "replicates": max(r["runs"] for r in rows),
        "tuning_replicates": max([r["runs_per_cell"] for r in rows if r["rechosen"]], default=0),
    }


def design_context(study: dict | None) -> dict | None:
    """3A's design study: one row per candidate with what it replaces, its validation accuracy over its
    replicates (Wilson interval on all their answers) and whether it was chosen."""
    if study is None:
        return None
    rows = []
    for name, c in study["candidates"].items():
        replaces = "; ".join(
            f"{key} {value}"
            for part in ("model", "training")
            for key, value in c.get("replaces", {}).get(part, {}).items()
        )
        rows.append(
            {
                "name": name,
                "description": c["description"],
                "replaces": replaces or "nothing (the base design)",
                "accuracy": c["correct"] / c["answers"],
                "interval": inference.wilson(c["correct"] / c["answers"], c["answers"]),
                "runs": len(c["val_accuracies"]),
                "params": c["params"],
                "epochs": c["epochs"],
                "chosen": name == study["name"],
            }
        )
    return {"rows": rows, "chosen": study["name"], "runs": rows[0]["runs"], "base": study.get("base")}


def diagnostics_context(confusion: np.ndarray, chosen: int, misclassified: int, shown: int, n_test: int) -> dict:
    """3A's diagnostics: per-class error rates over the replicates (mean, t-interval), the class with the
    most errors, and the replicate whose misclassified digits are shown."""
    from .evaluation import per_class_errors

    rows = per_class_errors(confusion)
    for row in rows:
        row["interval"] = inference.mean_interval(row["error_rates"])
    worst = max(rows, key=lambda r: r["mean_error_rate"])
    highest = [r["class"] for r in rows if r["mean_error_rate"] == worst["mean_error_rate"]]
    return {
        "rows": rows,
        "chosen": chosen,
        "misclassified": misclassified,
        "shown": shown,
        "n_test": n_test,
        "replicates": int(len(confusion)),
        "several": len(confusion) > 1,
        "any_errors": worst["mean_error_rate"] > 0,
        "worst": worst,
        # every class at the highest error rate (a tie names them all), and whether all misclassified digits are shown
        "highest": highest,
        "tie_for_highest": len(highest) > 1,
        "all_shown": shown == misclassified,
        "mean_errors": float(np.mean(confusion.sum(axis=(1, 2)) - np.trace(confusion, axis1=1, axis2=2))),
    }


#: Each augmentation setting (config.AUGMENTATION_KEYS) in words.
AUGMENTATION_WORDS = {
    "augment_rotation": lambda v: f"random rotations of up to {v:g} degrees",
    "augment_zoom": lambda v: f"random zoom of up to {100 * v:g}% in or out",
    "augment_shift": lambda v: f"random shifts of up to {v} pixels",
}


def augmentation_words(model: dict) -> list[str]:
    """The training-time augmentation of a model's settings, in words (empty when none)."""
    return [words(model[key]) for key, words in AUGMENTATION_WORDS.items() if model.get(key)]


def setting_differences(dense: dict, cnn: dict) -> list[str]:
    """What differs between the dense network's and the CNN's settings besides their layers and
    augmentation, in words ("epochs (40 against 15)"): in 3B the "architecture" factor carries these too."""

    def regularisation(model: dict) -> str:
        parts = [f"L2 {model['l2']:g}"] if model.get("l2") else []
        parts += [
            f"dropout {model[k]:g} {where}"
            for k, where in (("conv_dropout", "after the convolutions"), ("dense_dropout", "in the dense layers"))
            if model.get(k)
        ]
        return ", ".join(parts) or "none"

    a, b = dense["training"], cnn["training"]
    pairs = [
        ("optimiser", describe_setting(a["optimizer"]), describe_setting(b["optimizer"])),
        ("learning-rate schedule", a.get("schedule", "constant"), b.get("schedule", "constant")),
        ("epochs", a["epochs"], b["epochs"]),
        ("batch size", a["batch_size"], b["batch_size"]),
        ("arithmetic", a.get("precision", "float32"), b.get("precision", "float32")),
        ("regularisation", regularisation(dense["model"]), regularisation(cnn["model"])),
    ]
    return [f"{what} ({x} against {y})" for what, x, y in pairs if x != y]


def complexity_context(
    dense_records: list[dict], dense_name: str, cnn: dict, shift: pd.DataFrame, choice: dict
) -> dict:
    """Question 3B: size, arithmetic and test accuracy of the dense network chosen on validation (the 2D
    network at the chosen factor, all replicates) and of the CNN; and every model's accuracy under
    translation (mean over the replicates, with its t-interval)."""
    first = dense_records[0]
    dense_test = [r["test"]["accuracy"] for r in dense_records]
    rows = [
        {
            "name": dense_name,
            "params": first["total_params"],
            "macs": _macs(first["layers"]),
            "test": float(np.mean(dense_test)),
            "interval": inference.mean_interval(dense_test),
            "runs": len(dense_test),
            "role": "dense",
        },
        {
            "name": "our CNN (3A)",
            "params": cnn["ours"]["params"],
            "macs": cnn["ours"]["macs"],
            "test": cnn["ours"]["test"]["mean"],
            "interval": cnn["ours"]["test_interval"],
            "runs": cnn["ours"]["replicates"],
            "role": "cnn",
        },
    ]
    curves = shift_curves(shift, SHIFT_CELL_NAMES)
    cells = [cell for cell in SHIFT_CELL_NAMES if SHIFT_CELL_NAMES[cell] in curves]
    shifts = curves[SHIFT_CELL_NAMES["dense"]]["x"]
    table = [
        {
            "shift": s_,
            "values": [
                {
                    "mean": curves[SHIFT_CELL_NAMES[cell]]["mean"][i],
                    "interval": curves[SHIFT_CELL_NAMES[cell]]["intervals"][i],
                }
                for cell in cells
            ],
        }
        for i, s_ in enumerate(shifts)
    ]
    d, c = rows
    return {
        "rows": rows,
        "cells": cells,
        "names": {c_: SHIFT_CELL_NAMES[c_] for c_ in cells},
        "table": table,
        "runs": {cell: curves[SHIFT_CELL_NAMES[cell]]["runs"] for cell in cells},
        "max_shift": max(shifts),
        "mid_shift": mid_shift(shifts),
        "choice": choice,
        "controls": len(cells) == 4,
        "mac_ratio": c["macs"] / d["macs"],
        "param_ratio": c["params"] / d["params"],
        "errors": {"dense": 1 - d["test"], "cnn": 1 - c["test"]},
        "setting_differences": setting_differences(first["settings"], cnn["settings"]),
    }


def detectable_range(gains: list[dict]) -> dict | None:
    """The smallest and largest detectable effect (80% power) of 4C's paired per-level comparisons with its
    baselines (exact McNemar), over the levels and baselines; None when none can say."""
    sizes = [
        iv.detectable
        for g in gains
        for key, iv in g.items()
        if key.startswith("over_") and key.endswith("_interval") and iv.detectable is not None
    ]
    return {"smallest": min(sizes), "largest": max(sizes)} if sizes else None


def noise_trained_context(metrics: dict) -> dict:
    """4C's second baseline: the CNN trained on noisy digits, as its metrics file records it."""
    return {
        "noise_level": metrics["train_noise"]["level"],
        "epochs": len(metrics["history"]["loss"]),
        "final_val_accuracy": metrics["history"]["val_accuracy"][-1],
        "clean_test_accuracy": metrics["test"]["accuracy"],
    }


def autoencoder_context(
    metrics: dict,
    timing: dict,
    table: pd.DataFrame,
    gains: list[dict],
    scores: dict,
    denoising: dict,
    refs: dict,
    noise_trained: dict | None = None,
) -> dict:
    """Question 4: training of the autoencoder, the per-level table with intervals, the generated digits
    (`noise_trained`: the metrics of 4C's classifier trained on noisy digits, where it ran)."""
    hist = metrics["history"]
    levels = []
    for row in table.sort_values("level").to_dict("records"):
        n = int(row["images"])
        levels.append(
            dict(
                row,
                noisy_interval=inference.wilson(row["accuracy_noisy"], n),
                denoised_interval=inference.wilson(row["accuracy_denoised"], n),
            )
        )
    by_level = {g["level"]: g for g in gains}
    for row in levels:
        row["gain"] = by_level[float(row["level"])]
    n_generated = sum(c["samples"] for c in scores["per_class"])
    top = max(c["recognised"] for c in scores["per_class"])
    bottom = min(c["recognised"] for c in scores["per_class"])
    return {
        "metrics": metrics,
        "settings": metrics["settings"],
        "noise_level": metrics["noise_level"],
        "keep_probability": 1 - metrics["noise_level"],
        "final_val_loss": hist["val_loss"][-1],
        "final_train_loss": hist["loss"][-1],
        "epochs": len(hist["loss"]),
        "seconds_per_epoch": _median_epoch_seconds([timing]),
        "layers": metrics["encoder_layers"] + metrics["decoder_layers"],
        "bottleneck": metrics["latent_dim"] < _prod(metrics["decoder_layers"][-1]["output_shape"][1:]),
        "levels": levels,
        "level_values": [row["level"] for row in levels],
        "clean_tested": any(row["level"] == 0 for row in levels),
        "images_per_level": int(levels[0]["images"]),
        "criteria": denoising,
        "scores": scores,
        "generated": n_generated,
        "recognised_interval": inference.wilson(scores["recognised"], n_generated),
        "best_rate": top,
        "worst_rate": bottom,
        "earlier_val_loss": refs["earlier_answer"]["q4a_val_loss"],
        "noise_trained": noise_trained_context(noise_trained) if noise_trained is not None else None,
        "detectable_range": detectable_range(gains),
    }


def git_state(repo: str | os.PathLike) -> dict:
    """The commit of the code that made the report, and whether the tree had uncommitted changes."""

    def git(*args):
        return subprocess.run(
            ["git", "-C", os.fspath(repo), *args], capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}
    except (subprocess.CalledProcessError, FileNotFoundError):
        return {"commit": None, "dirty": None}


def benchmark_table(benchmarks: Mapping[str, str]) -> list[dict]:
    """Run time and peak memory of each job, from Snakemake's benchmark files named by job."""
    rows = []
    for name, path in benchmarks.items():
        bench = pd.read_csv(path, sep="\t")
        rows.append(
            {
                "job": name,
                "seconds": float(bench["s"].iloc[-1]),
                "max_rss_mb": float(bench["max_rss"].iloc[-1]),
                "finished": _dt.datetime.fromtimestamp(os.path.getmtime(path), _dt.UTC).isoformat(),
            }
        )
    return rows


def uncited(refs: dict) -> dict:
    """references.yaml with every cited figure None: for data other than the canonical MNIST files, on
    which those figures were measured, so nothing is compared with them (their descriptions stay)."""
    return {
        group: entries if group == "descriptions" else {key: None for key in entries} for group, entries in refs.items()
    }


def cited_constants(refs: dict) -> list[dict]:
    """Every figure of references.yaml, with what it is: cited from elsewhere or a target, never measured
    by this run."""
    words = refs.get("descriptions", {})
    return [
        {"group": group, "key": key, "value": value, "what": words.get(group, {}).get(key, key.replace("_", " "))}
        for group, entries in refs.items()
        if group != "descriptions"
        for key, value in entries.items()
        if value is not None
    ]


def build_time(jobs: list[dict], gap_seconds: float = 600.0) -> dict | None:
    """The wall-clock time behind the report, from its jobs' benchmark records: each job ran from
    `finished - seconds` to `finished`. `span_seconds` runs from the first start to the last finish;
    `busy_seconds` counts the time during which at least one job ran (the union of the intervals), so a
    report built over several sessions is not charged for the pauses between them; `sessions` counts
    the stretches of work separated by more than `gap_seconds` with no job running."""
    intervals = sorted(
        (
            _dt.datetime.fromisoformat(j["finished"]).timestamp() - j["seconds"],
            _dt.datetime.fromisoformat(j["finished"]).timestamp(),
        )
        for j in jobs
        if j.get("finished")
    )
    if not intervals:
        return None
    busy, sessions = 0.0, 1
    start, end = intervals[0]
    for a, b in intervals[1:]:
        if a > end:
            busy += end - start
            sessions += a - end > gap_seconds
            start, end = a, b
        else:
            end = max(end, b)
    busy += end - start
    first, last = intervals[0][0], max(b for _, b in intervals)
    as_text = lambda t: _dt.datetime.fromtimestamp(t, _dt.UTC).strftime("%Y-%m-%d %H:%M UTC")  # noqa: E731
    return {
        "first_start": as_text(first),
        "last_finish": as_text(last),
        "span_seconds": last - first,
        "busy_seconds": busy,
        # whether jobs stood still for a measurable time (Snakemake's own work, or pauses between sessions)
        "idle": last - first - busy >= 30.0,
        "sessions": sessions,
        "one_session": sessions == 1,
        "jobs": len(intervals),
    }


def machines(timings: list[dict]) -> list[dict]:
    """The machines the training jobs ran on, from their timing records (jobs.where_it_ran): host, CPU
    model, logical CPUs and memory, with how many jobs each ran. Records from before memory was
    recorded give None for it."""
    rows: dict[tuple, dict] = {}
    for t in timings:
        key = (t.get("host"), t.get("cpu_model"), t.get("cpus"), t.get("memory_gib"))
        row = rows.setdefault(
            key,
            {
                "host": key[0] or "not recorded",
                "cpu_model": key[1] or "not recorded",
                "cpus": "not recorded" if key[2] is None else str(key[2]),
                "memory_gib": "not recorded" if key[3] is None else f"{key[3]:.1f}",
                "jobs": 0,
                "slurm": False,
            },
        )
        row["jobs"] += 1
        row["slurm"] = row["slurm"] or bool(t.get("slurm_job_id"))
    return sorted(rows.values(), key=lambda r: -r["jobs"])


def _lookup(tree: Mapping, dotted: str, default=None):
    node = tree
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return default
        node = node[part]
    return node


def describe_setting(value) -> str:
    """A configuration value in words: an optimiser as "SGD at learning rate 0.1", a list of layer
    widths or levels joined, None as "none"."""
    if isinstance(value, Mapping) and "name" in value:
        name = {"sgd": "SGD", "adam": "Adam", "rmsprop": "RMSprop"}.get(value["name"], value["name"])
        rate = f" at learning rate {value['learning_rate']:g}" if "learning_rate" in value else ""
        return name + rate + (f", momentum {value['momentum']:g}" if value.get("momentum") else "")
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {describe_setting(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(describe_setting(v) for v in value)
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def differences_from_assignment(run: Mapping, assignment: Mapping) -> list[dict]:
    """Each setting the assignment fixes (assignment.yaml) that this run's configuration `run` does not
    follow: question, setting, the assignment's value and this run's, in words. An entry with `count`
    and `range` holds when the run has exactly that many values, all inside the range."""
    rows = []
    for entry in assignment["settings"]:
        ours = _lookup(run, entry["key"], entry.get("default"))
        if "count" in entry:
            low, high = entry["range"]
            same = isinstance(ours, list) and len(ours) == entry["count"] and all(low <= float(v) <= high for v in ours)
            theirs = entry["text"]
        else:
            same = ours == entry["value"]
            theirs = entry.get("text", describe_setting(entry["value"]))
        if not same:
            rows.append(
                {
                    "question": entry["question"],
                    "setting": entry["setting"],
                    "assignment": theirs,
                    "this_run": describe_setting(ours),
                }
            )
    return rows + [dict(entry) for entry in assignment.get("by_design", [])]


def provenance(
    config: dict,
    versions: dict,
    repo: str | os.PathLike,
    data_info: dict,
    benchmarks: Mapping[str, str] | None = None,
    models: list[dict] = (),
    refs: dict | None = None,
    timings: list[dict] = (),
    assignment: dict | None = None,
    trained_cnn: dict | None = None,
) -> dict:
    """Where, when, from what and how the report was made. `trained_cnn` holds the settings 3A trained
    (the design study's choice where it ran), compared with the assignment in place of config["cnn"]."""
    jobs = benchmark_table(benchmarks or {})
    run = {**config, "cnn": {**config.get("cnn", {}), **(trained_cnn or {})}}
    return {
        "jobs": jobs,
        "job_seconds": sum(j["seconds"] for j in jobs),
        "build_time": build_time(jobs),
        "machines": machines(list(timings)),
        "differences": differences_from_assignment(run, assignment) if assignment else [],
        # cores for the rebuild: make report's 4, or more where a training job used more threads
        "cores": max([REPORT_CORES] + [int(m["threads"]) for m in models]),
        "date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "config_yaml": yaml.safe_dump(config, sort_keys=True, default_flow_style=False, width=90),
        "versions": versions,
        "git": git_state(repo),
        "data": data_info,
        "models": list(models),
        "cited": cited_constants(refs or {}),
    }


def rebuild_command(provenance: dict, config_path: str) -> str:
    """The command that rebuilds this report's numbers: the saved configuration on top of the
    checked-out commit's, with at least as many cores as the widest training job used threads (fewer
    cores lower the threads, and results reproduce only for the same threads)."""
    return f"snakemake report --cores {provenance['cores']} --configfile {config_path}"


def config_file_text(provenance: dict, config_path: str) -> str:
    """The saved configuration of a build, headed by where it came from and how to rebuild with it."""
    commit = provenance["git"].get("commit")
    source = (
        f"commit {commit[:12]}" + (" with uncommitted changes" if provenance["git"].get("dirty") else "")
        if commit
        else "a source tree outside git"
    )
    return (
        f"# The configuration of the report built {provenance['date']} from {source}.\n"
        f"# Rebuild its numbers from a checkout of that commit, with the data files of the report's checksums:\n"
        f"#   {rebuild_command(provenance, config_path)}\n" + provenance["config_yaml"]
    )


def _as_list(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def generation_distances(path: str) -> dict[str, np.ndarray]:
    """4D: each image set's distances to its nearest training image, from generate_digits' arrays."""
    with np.load(path) as npz:
        return {key[len("distance_") :]: npz[key] for key in npz.files if key.startswith("distance_")}


def _data_section(inputs: Mapping[str, str], config: dict) -> tuple[dict, dict, dict]:
    """Question 1's context with the data set's naming, the data's info record, and the cited figures of
    references.yaml (every figure None where the data is not the canonical MNIST files)."""
    info = read_json(inputs["data_info"])
    data = data_context(read_json(inputs["data_summary"]), info)
    data.update(data_lib.naming(config["data"], info["sha256"]))
    refs = yaml.safe_load(Path(inputs["references"]).read_text())
    if not data["cited"]:
        refs = uncited(refs)
    return data, info, refs


def _dense_section(metrics: dict, inputs: Mapping[str, str], refs: dict, n_test: int) -> dict:
    """Questions 2A-2C: the dense network's name, record, architecture, training summary, settings and
    test interval."""
    return {
        "name": network_name(metrics["settings"]["model"]["hidden_units"]),
        "record": metrics,
        "arch": architecture_context(metrics["layers"], refs["earlier_answer"]["q2a_output_params"]),
        "train": training_context(metrics, read_json(inputs["dense_timing"])),
        "settings": metrics["settings"],
        "seed": metrics["seed"],
        "threads": metrics["threads"],
        "backend": metrics["backend"],
        "layers": metrics["layers"],
        "test_interval": inference.wilson(metrics["test"]["accuracy"], n_test),
    }


def _sweep_section(
    inputs: Mapping[str, str], refs: dict, n_val: int
) -> tuple[dict, pd.DataFrame, list[dict], claims_lib.Claim]:
    """Question 2D's context with the sweep's settings and speed, the sweep's runs table, its metrics
    records and the factor chosen on validation."""
    runs, summary = read_table(inputs["sweep_runs"]), read_table(inputs["sweep_summary"])
    records = [read_json(p) for p in _as_list(inputs["sweep_metrics"])]
    settings = records[0]["settings"]
    optimizer = settings["training"]["optimizer"]
    factor_choice = claims_lib.factor_choice(runs, n_val)
    sweep = sweep_context(runs, summary, refs, optimizer["learning_rate"], best_label=factor_choice.values["best"])
    sweep.update(
        settings=settings,
        backend=records[0]["backend"],
        threads=records[0]["threads"],
        plain_sgd=optimizer["name"] == "sgd" and not optimizer.get("momentum"),
        momentum=optimizer.get("momentum", 0),
        schedule=settings["training"].get("schedule", "constant"),
        seconds_per_epoch=_median_epoch_seconds([read_json(p) for p in _as_list(inputs["sweep_timing"])]),
        name="-".join(map(str, settings["model"]["hidden_units"])),
    )
    return sweep, runs, records, factor_choice


def _cnn_section(inputs: Mapping[str, str], refs: dict, n_test: int) -> tuple[dict, dict | None]:
    """Question 3A's context, and the earlier answer's CNN's metrics where it ran (else None)."""
    records = [read_json(p) for p in _as_list(inputs["cnn_metrics"])]
    earlier_metrics = read_json(inputs["cnn_earlier_metrics"]) if "cnn_earlier_metrics" in inputs else None
    cnn = cnn_context(
        read_json(inputs["cnn_summary"]),
        records,
        [read_json(p) for p in _as_list(inputs["cnn_timing"])],
        refs,
        read_json(inputs["cnn_earlier_layers"]),
        earlier_metrics,
        read_json(inputs["cnn_earlier_timing"]) if "cnn_earlier_timing" in inputs else None,
        n_test,
    )
    return cnn, earlier_metrics


def _with_descriptions(inputs: Mapping[str, str], name: str, part: str, described: Mapping[str, dict]) -> dict | None:
    """The study record of input `name` with each entry of its `part` given its description from `described`
    (the configuration's entries: their text is no job's output); None where the study did not run."""
    study = read_json(inputs[name]) if name in inputs else None
    if study is not None:
        for key, entry in study[part].items():
            entry["description"] = described[key]["description"]
    return study


def _diagnostics_section(path: str, n_test: int) -> tuple[dict, np.ndarray]:
    """3A's diagnostics context and the per-class error histogram, from the diagnostics arrays."""
    with np.load(path) as npz:
        confusion, chosen_replicate, misclassified, shown, error_histogram = (
            npz["confusion"],
            int(npz["chosen"]),
            int(len(npz["misclassified"])),
            int(len(npz["true"])),
            npz["error_histogram"],
        )
    return diagnostics_context(confusion, chosen_replicate, misclassified, shown, n_test), error_histogram


def _autoencoder_section(inputs: Mapping[str, str], config: dict, refs: dict) -> tuple[dict, pd.DataFrame, list[dict]]:
    """Question 4's context, the denoising table and its per-level gains."""
    metrics = read_json(inputs["autoencoder_metrics"])
    table = pd.read_csv(inputs["denoising_table"])
    gains = claims_lib.level_gains(table)
    autoencoder = autoencoder_context(
        metrics,
        read_json(inputs["autoencoder_timing"]),
        table,
        gains,
        read_json(inputs["generation_scores"]),
        config["denoising"],
        refs,
        read_json(inputs["noisy_classifier_metrics"]),
    )
    return autoencoder, table, gains


def _complexity_section(
    inputs: Mapping[str, str], sweep_records: list[dict], sweep_name: str, chosen_label: str, cnn: dict, choice: dict
) -> tuple[dict, pd.DataFrame]:
    """Question 3B's context for the 2D network at the factor chosen on validation, and the shift table."""
    shift_table = pd.read_csv(inputs["shift_table"])
    chosen_records = [r for r in sweep_records if format_factor(r["settings"]["model"].get("l2", 0.0)) == chosen_label]
    complexity = complexity_context(
        chosen_records, f"2D network ({sweep_name}, L2 factor {chosen_label})", cnn, shift_table, choice
    )
    return complexity, shift_table


def _claims(
    inputs: Mapping[str, str],
    config: dict,
    data: dict,
    dense: dict,
    sweep: dict,
    cnn: dict,
    autoencoder: dict,
    *,
    n_val: int,
    n_test: int,
    sweep_runs: pd.DataFrame,
    factor_choice: claims_lib.Claim,
    gains: list[dict],
    shift_table: pd.DataFrame,
    denoising_table: pd.DataFrame,
    design_study: dict | None,
    error_histogram: np.ndarray,
    hinton_summary: dict | None,
) -> dict[str, claims_lib.Claim]:
    """Every claim of the report, by name (claims.build), from the sections' numbers."""
    metrics = dense["record"]
    return claims_lib.build(
        class_counts=data["balance"]["train"]["counts"],
        dense_history={
            **metrics["history"],
            "initial_val_loss": metrics["initial"]["val_loss"],
            "val_correct_by_epoch": dense_val_correct(inputs["dense_predictions"]),
        },
        n_val=n_val,
        n_test=n_test,
        num_classes=int(data["num_classes"]),
        sweep_runs=sweep_runs,
        factor_choice=factor_choice,
        gains=gains,
        hinton_accuracy=sweep["hinton"],
        cnn_test_values=cnn["ours"]["test"]["values"],
        cnn_target=cnn["target"],
        cnn_goal=cnn["goal"],
        cnn_params=cnn["ours"]["params"],
        cnn_macs=cnn["ours"]["macs"],
        earlier_params=cnn["earlier"]["params"],
        earlier_macs=cnn["earlier"]["macs"],
        shift_table=shift_table,
        denoising_table=denoising_table,
        recognisable_accuracy=config["denoising"]["recognisable_accuracy"],
        min_gain=config["denoising"]["min_gain"],
        generation_scores=autoencoder["scores"],
        generation_distances=generation_distances(inputs["generation_images"]),
        design_study=design_study,
        class_error_histogram=error_histogram,
        hinton_summary=hinton_summary,
        cnn_augments=cnn["augments"],
        cited=data["cited"],
    )


def _models(
    inputs: Mapping[str, str], dense: dict, sweep: dict, cnn: dict, earlier_metrics: dict | None, autoencoder: dict
) -> list[dict]:
    """Each trained model with the Keras backend and the threads it ran with, for the provenance."""
    models = [
        {"model": f"{dense['name']} (2A-2C)", "backend": dense["backend"], "threads": dense["threads"]},
        {"model": f"{sweep['name']} sweep (2D)", "backend": sweep["backend"], "threads": sweep["threads"]},
        {"model": "our CNN (3A)", "backend": cnn["ours"]["backend"], "threads": cnn["ours"]["threads"]},
    ]
    if earlier_metrics is not None:
        models.append(
            {
                "model": "the earlier answer's CNN (3A)",
                "backend": earlier_metrics["backend"],
                "threads": earlier_metrics["threads"],
            }
        )
    metrics = autoencoder["metrics"]
    models.append({"model": "autoencoder (4)", "backend": metrics["backend"], "threads": metrics["threads"]})
    noisy = read_json(inputs["noisy_classifier_metrics"])
    models.append(
        {"model": "CNN trained on noisy images (4C)", "backend": noisy["backend"], "threads": noisy["threads"]}
    )
    return models


def _build_provenance(
    inputs: Mapping[str, str],
    config: dict,
    info: dict,
    refs: dict,
    models: list[dict],
    cnn: dict,
    *,
    versions: dict,
    repo: str | os.PathLike,
    benchmarks: Mapping[str, str],
    timings: Sequence[str],
) -> dict:
    """The report's provenance (provenance()), from the rule's inputs, its timing inputs `timings` and
    the settings 3A trained."""
    return provenance(
        config,
        versions,
        repo,
        info,
        benchmarks,
        models,
        refs,
        timings=[read_json(p) for key in timings for p in _as_list(inputs[key])],
        assignment=yaml.safe_load(Path(inputs["assignment"]).read_text()) if "assignment" in inputs else None,
        trained_cnn={k: cnn["settings"][k] for k in ("model", "training") if k in cnn["settings"]},
    )


def _rules(claims: Mapping[str, claims_lib.Claim], labels: Mapping[str, str]) -> list[dict]:
    """The appendix "How each verdict is decided": each labelled claim's question, title, rule and
    verdict, in the report's order."""
    return [
        {
            "name": name,
            "label": label,
            "question": claims_lib.RULE_TITLES[name][0],
            "title": claims_lib.RULE_TITLES[name][1],
            "rule": claims[name].rule,
            "verdict": claims[name].verdict.replace("_", " "),
        }
        for name, label in labels.items()
    ]


def _sections_and_claims(
    inputs: Mapping[str, str], config: dict, data: dict, dense: dict, refs: dict, n_val: int, n_test: int
) -> tuple[dict, dict, dict, dict, dict[str, claims_lib.Claim], dict | None]:
    """Questions 2D to 4: the sweep's, the CNN's, the complexity study's and the autoencoder's contexts,
    every claim of the report, and the earlier answer's CNN's metrics where it ran (else None)."""
    sweep, sweep_runs, sweep_records, factor_choice = _sweep_section(inputs, refs, n_val)
    cnn, earlier_metrics = _cnn_section(inputs, refs, n_test)
    hinton_summary = _with_descriptions(inputs, "hinton_summary", "variants", config["hinton_study"]["variants"])
    sweep["study"] = hinton_context(hinton_summary, sweep["hinton"], n_test)
    design_study = _with_descriptions(inputs, "cnn_design", "candidates", config["cnn"]["design_study"]["candidates"])
    cnn["design"] = design_context(design_study)
    cnn["diagnostics"], error_histogram = _diagnostics_section(inputs["cnn_diagnostics"], n_test)
    choice = read_json(inputs["classifier_choice"])
    autoencoder, table, gains = _autoencoder_section(inputs, config, refs)
    complexity, shift_table = _complexity_section(
        inputs, sweep_records, sweep["name"], factor_choice.values["best"], cnn, choice
    )
    claims = _claims(
        inputs,
        config,
        data,
        dense,
        sweep,
        cnn,
        autoencoder,
        n_val=n_val,
        n_test=n_test,
        sweep_runs=sweep_runs,
        factor_choice=factor_choice,
        gains=gains,
        shift_table=shift_table,
        denoising_table=table,
        design_study=design_study,
        error_histogram=error_histogram,
        hinton_summary=hinton_summary,
    )
    for row in sweep["rows"]:  # the paired test-set difference against no decay, beside each factor
        row["vs_zero"] = claims["other_factors"].values.get("intervals", {}).get(row["factor_label"])
    complexity["robustness"] = (
        [claims["robustness_max"]]
        if complexity["mid_shift"] == complexity["max_shift"]
        else [claims["robustness_mid"], claims["robustness_max"]]
    )
    return sweep, cnn, complexity, autoencoder, claims, earlier_metrics


def build_context(
    inputs: Mapping[str, str],
    config: dict,
    *,
    figures: Sequence[str],
    timings: Sequence[str],
    benchmarks: Mapping[str, str],
    versions: dict,
    repo: str | os.PathLike,
    config_path: str,
) -> dict:
    """Everything the template shows, read from the report rule's named inputs. The rule also names
    which inputs are `figures` (embedded, as figures.<input name>) and which are the training jobs'
    `timings` records, and gives each job's benchmark file by job name (`benchmarks`); `config_path`
    is where the report rule saves this run's configuration (named in the rebuild command)."""
    data, info, refs = _data_section(inputs, config)
    n_val, n_test = int(data["splits"]["val"]["count"]), int(data["splits"]["test"]["count"])
    dense_metrics = read_json(inputs["dense_metrics"])
    figures = {key: data_uri(inputs[key]) for key in figures}
    dense = _dense_section(dense_metrics, inputs, refs, n_test)
    sweep, cnn, complexity, autoencoder, claims, earlier_metrics = _sections_and_claims(
        inputs, config, data, dense, refs, n_val, n_test
    )
    models = _models(inputs, dense, sweep, cnn, earlier_metrics, autoencoder)
    prov = _build_provenance(
        inputs, config, info, refs, models, cnn, versions=versions, repo=repo, benchmarks=benchmarks, timings=timings
    )
    prov.update(command=rebuild_command(prov, config_path), config_path=config_path)
    labels = claims_lib.rule_labels(claims)
    rules = _rules(claims, labels)
    return {
        "title": config["report"]["title"].replace("{data}", data["name"]),
        "rule_labels": labels,  # the label each verdict links to
        "rules": rules,  # the appendix "How each verdict is decided", in the report's order
        "ae": autoencoder,
        "refs": refs,
        "config": config,
        "cnn": cnn,
        "complexity": complexity,
        "claims": claims,
        "figures": figures,
        "data": data,
        "dense": dense,
        "sweep": sweep,
        "ln_classes": math.log(info["num_classes"]),
        "ci_level": f"{100 * inference.LEVEL:g}%",  # the level of every interval in the report
        # file names under the captions (a list input as its list of files)
        "sources": {key: path if isinstance(path, str) else [str(p) for p in path] for key, path in inputs.items()},
        "provenance": prov,
    }
