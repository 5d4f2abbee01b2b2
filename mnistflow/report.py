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
        "seeds": sorted(int(s) for s in runs["seed"].unique()),
    }


#: What each layer type does, for the layers a model actually uses beyond question 2's.
LAYER_TYPES = ("RandomTranslation", "Conv2D", "BatchNormalization", "Activation", "MaxPooling2D", "Dropout")


def _median_epoch_seconds(timings: list[dict]) -> float:
    return float(np.median([t for timing in timings for t in timing["epoch_seconds"]]))


def _macs(layers: list[dict]) -> int:
    return int(sum(layer.get("macs", 0) for layer in layers))


def cnn_context(summary: dict, records: list[dict], timings: list[dict], refs: dict, earlier_layers: dict,
                earlier_metrics: dict | None, earlier_timing: dict | None) -> dict:
    """Question 3A: our CNN over its replicates, and the earlier answer's CNN beside it."""
    layers = records[0]["layers"]
    types = [t for t in LAYER_TYPES if any(layer["type"] == t for layer in layers)]
    ours = {
        "test": summary["test_accuracy"], "val": summary["final_val_accuracy"], "replicates": summary["replicates"],
        "params": records[0]["total_params"], "macs": _macs(layers), "seconds_per_epoch": _median_epoch_seconds(timings),
        "epochs": records[0]["epochs"], "fit_minutes": float(np.mean([t["fit_seconds"] for t in timings]) / 60),
    }
    earlier = {"params": earlier_layers["total_params"], "macs": _macs(earlier_layers["layers"]), "ran": earlier_metrics is not None}
    if earlier_metrics is not None:
        earlier.update(test_accuracy=earlier_metrics["test"]["accuracy"], epochs=earlier_metrics["epochs"],
                       seconds_per_epoch=_median_epoch_seconds([earlier_timing]))
    else:
        earlier.update(test_accuracy=refs["earlier_answer"]["q3a_test_accuracy"], epochs=refs["earlier_answer"]["q3a_epochs"],
                       seconds_per_epoch=refs["earlier_answer"]["q3a_seconds_per_epoch"])
    target = refs["targets"]["q3a_test_accuracy"]
    goal = refs["targets"]["q3a_goal_test_accuracy"]
    return {
        "layers": layers, "types": types, "ours": ours, "earlier": earlier, "target": target, "goal": goal,
        "reaches_target": ours["test"]["mean"] >= target, "reaches_goal": ours["test"]["mean"] >= goal,
        "settings": records[0]["settings"], "seeds": summary["seeds"],
    }


def complexity_context(dense: dict, sweep_best_metrics: dict, sweep_best: dict, cnn: dict, shift: pd.DataFrame,
                       choice: dict) -> dict:
    """Question 3B: size, arithmetic and accuracy of each network, and accuracy under translation."""
    from .evaluation import shift_summary

    rows = [
        {"name": "dense " + "-".join(str(h["width"]) for h in dense["arch"]["hidden"]), "params": dense["arch"]["total_params"],
         "macs": _macs(dense["layers"]), "test": dense["train"]["test"]["accuracy"], "note": "1 run"},
        {"name": "dense 500-300, L2 " + sweep_best["factor_label"], "params": sweep_best_metrics["total_params"],
         "macs": _macs(sweep_best_metrics["layers"]), "test": sweep_best["test_accuracy_mean"], "note": f"mean of {int(sweep_best['replicates'])}"},
        {"name": "our CNN", "params": cnn["ours"]["params"], "macs": cnn["ours"]["macs"], "test": cnn["ours"]["test"]["mean"],
         "note": f"mean of {cnn['ours']['replicates']}"},
    ]
    summary = shift_summary(shift)
    names = shift.groupby("kind")["model"].first().to_dict()
    curve = {kind: summary[kind].tolist() for kind in summary.columns}
    shifts = summary.index.tolist()
    drop = {kind: {s: curve[kind][0] - curve[kind][i] for i, s in enumerate(shifts)} for kind in curve}
    return {
        "rows": rows, "shifts": shifts, "curve": curve, "names": names, "drop": drop,
        "by_direction": shift.to_dict("records"), "max_shift": max(shifts), "choice": choice,
        "mac_ratio": rows[2]["macs"] / rows[1]["macs"], "param_ratio": rows[2]["params"] / rows[1]["params"],
    }


def autoencoder_context(metrics: dict, timing: dict, table: pd.DataFrame, scores: dict, denoising: dict, refs: dict) -> dict:
    """Question 4: training of the autoencoder, the measured thresholds, the generated digits."""
    from .evaluation import noise_thresholds

    hist = metrics["history"]
    return {
        "metrics": metrics,
        "final_val_loss": hist["val_loss"][-1],
        "final_train_loss": hist["loss"][-1],
        "epochs": len(hist["loss"]),
        "seconds_per_epoch": _median_epoch_seconds([timing]),
        "layers": metrics["encoder_layers"] + metrics["decoder_layers"],
        "levels": table.sort_values("level").to_dict("records"),
        "thresholds": noise_thresholds(table, recognisable_accuracy=denoising["recognisable_accuracy"], min_gain=denoising["min_gain"]),
        "criteria": denoising,
        "scores": scores,
        "worst_class": min(scores["per_class"], key=lambda c: c["recognised"]),
        "best_class": max(scores["per_class"], key=lambda c: c["recognised"]),
        "earlier_val_loss": refs["earlier_answer"]["q4a_val_loss"],
    }


def git_state(repo: str | os.PathLike) -> dict:
    """The commit of the code that made the report, and whether the tree had uncommitted changes."""
    def git(*args):
        return subprocess.run(["git", "-C", os.fspath(repo), *args], capture_output=True, text=True, check=True).stdout.strip()

    try:
        return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}
    except (subprocess.CalledProcessError, FileNotFoundError):
        return {"commit": None, "dirty": None}


def benchmark_table(paths: list[str]) -> list[dict]:
    """Run time and peak memory of each job, from Snakemake's benchmark files."""
    rows = []
    for path in paths:
        bench = pd.read_csv(path, sep="\t")
        name = Path(path).as_posix().split("benchmarks/", 1)[-1].removesuffix(".tsv")
        rows.append({"job": name, "seconds": float(bench["s"].iloc[-1]), "max_rss_mb": float(bench["max_rss"].iloc[-1])})
    return rows


def provenance(config: dict, versions: dict, repo: str | os.PathLike, data_info: dict, benchmarks: list[str] = ()) -> dict:
    jobs = benchmark_table(list(benchmarks))
    return {
        "jobs": jobs,
        "job_seconds": sum(j["seconds"] for j in jobs),
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "config_yaml": yaml.safe_dump(config, sort_keys=True, default_flow_style=False, width=90),
        "versions": versions,
        "git": git_state(repo),
        "data": data_info,
    }


def _as_list(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def build_context(inputs: Mapping[str, str], config: dict, *, versions: dict, repo: str | os.PathLike) -> dict:
    """Everything the template shows, read from the report rule's named inputs."""
    refs = yaml.safe_load(Path(inputs["references"]).read_text())
    info = read_json(inputs["data_info"])
    dense_metrics = read_json(inputs["dense_metrics"])
    figures = {key[: -len("_figure")]: data_uri(path) for key, path in inputs.items() if key.endswith("_figure")}
    dense = {
        "arch": architecture_context(dense_metrics["layers"], refs["earlier_answer"]["q2a_output_params"]),
        "train": training_context(dense_metrics, read_json(inputs["dense_timing"])),
        "settings": dense_metrics["settings"],
        "seed": dense_metrics["seed"],
        "threads": dense_metrics["threads"],
        "backend": dense_metrics["backend"],
        "layers": dense_metrics["layers"],
    }
    sweep_runs, sweep_summary = read_table(inputs["sweep_runs"]), read_table(inputs["sweep_summary"])
    sweep = sweep_context(sweep_runs, sweep_summary, refs, config["sweep"]["training"]["optimizer"]["learning_rate"])
    sweep["seconds_per_epoch"] = _median_epoch_seconds([read_json(p) for p in _as_list(inputs["sweep_timing"])])
    best_label = sweep["best"]["factor_label"]
    best_metrics_path = next(p for p in _as_list(inputs["sweep_metrics"]) if f"/l2_{best_label}/" in p)
    cnn_records = [read_json(p) for p in _as_list(inputs["cnn_metrics"])]
    cnn = cnn_context(
        read_json(inputs["cnn_summary"]), cnn_records, [read_json(p) for p in _as_list(inputs["cnn_timing"])], refs,
        read_json(inputs["cnn_earlier_layers"]),
        read_json(inputs["cnn_earlier_metrics"]) if "cnn_earlier_metrics" in inputs else None,
        read_json(inputs["cnn_earlier_timing"]) if "cnn_earlier_timing" in inputs else None,
    )
    choice = read_json(inputs["classifier_choice"])
    autoencoder = autoencoder_context(
        read_json(inputs["autoencoder_metrics"]), read_json(inputs["autoencoder_timing"]), pd.read_csv(inputs["denoising_table"]),
        read_json(inputs["generation_scores"]), config["denoising"], refs,
    )
    return {
        "ae": autoencoder,
        "refs": refs,
        "config": config,
        "cnn": cnn,
        "complexity": complexity_context(dense, read_json(best_metrics_path), sweep["best"], cnn,
                                         pd.read_csv(inputs["shift_table"]), choice),
        "figures": figures,
        "data": data_context(read_json(inputs["data_summary"]), info),
        "dense": dense,
        "sweep": sweep,
        "ln_classes": math.log(info["num_classes"]),
        "provenance": provenance(config, versions, repo, info, _as_list(inputs.get("benchmarks", []))),
    }
