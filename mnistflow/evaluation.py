"""Evaluation beyond training: replicate summaries, model selection, translated test images."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

#: Unit steps (rows, columns) of the four shift directions.
DIRECTIONS = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1)}


def shift_images(images: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Translate images (N, H, W[, C]) by dy rows and dx columns, filling with zeros."""
    out = np.zeros_like(images)
    h, w = images.shape[1:3]
    if abs(dy) >= h or abs(dx) >= w:
        return out
    src_y = slice(max(-dy, 0), h - max(dy, 0))
    dst_y = slice(max(dy, 0), h - max(-dy, 0))
    src_x = slice(max(-dx, 0), w - max(dx, 0))
    dst_x = slice(max(dx, 0), w - max(-dx, 0))
    out[:, dst_y, dst_x] = images[:, src_y, src_x]
    return out


def predict_labels(model, x: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    return np.asarray(model.predict(x, batch_size=batch_size, verbose=0)).argmax(axis=1)


def shift_accuracy(model, x: np.ndarray, labels: np.ndarray, max_shift: int) -> list[dict]:
    """Accuracy on test images shifted by 0..max_shift pixels in each of four directions, with the
    per-image correctness (a boolean array) of each row."""
    correct = predict_labels(model, x) == labels
    rows = [{"shift": 0, "direction": "none", "accuracy": float(np.mean(correct)), "correct": correct}]
    for s in range(1, max_shift + 1):
        for name, (uy, ux) in DIRECTIONS.items():
            correct = predict_labels(model, shift_images(x, uy * s, ux * s)) == labels
            rows.append({"shift": s, "direction": name, "accuracy": float(np.mean(correct)), "correct": correct})
    return rows


def summarise_replicates(records: Sequence[dict]) -> dict:
    """Mean and sample standard deviation over replicate runs of one model."""
    def stats(values):
        values = np.asarray(values, dtype=float)
        return {"mean": float(values.mean()), "std": float(values.std(ddof=1)) if len(values) > 1 else 0.0,
                "min": float(values.min()), "max": float(values.max()), "values": values.tolist()}

    return {
        "replicates": len(records),
        "test_accuracy": stats([r["test"]["accuracy"] for r in records]),
        "final_val_accuracy": stats([r["history"]["val_accuracy"][-1] for r in records]),
        "best_val_accuracy": stats([max(r["history"]["val_accuracy"]) for r in records]),
        "seeds": [r["seed"] for r in records],
    }


def select_best(candidates: Mapping[str, dict]) -> str:
    """The name of the candidate with the highest final validation accuracy (ties: first name)."""
    if not candidates:
        raise ValueError("no candidate models to choose from")
    return max(sorted(candidates), key=lambda name: candidates[name]["history"]["val_accuracy"][-1])


def choose_classifiers(names: Sequence[str], metrics_paths: Sequence[str], model_paths: Sequence[str]) -> dict:
    """The best classifier overall, the best dense network and the best CNN, by final
    validation accuracy, each with its model file, validation and test accuracy, size and layers."""
    from .io import read_json

    records = {name: read_json(path) for name, path in zip(names, metrics_paths)}
    models = dict(zip(names, model_paths))

    def describe(name):
        rec = records[name]
        kind = "cnn" if any(layer["type"] == "Conv2D" for layer in rec["layers"]) else "dense"
        return {"name": name, "kind": kind, "model": models[name], "val_accuracy": rec["history"]["val_accuracy"][-1],
                "test_accuracy": rec["test"]["accuracy"], "params": rec["total_params"],
                "layers": rec["layers"]}

    by_kind = {kind: {n: r for n, r in records.items() if describe(n)["kind"] == kind} for kind in ("dense", "cnn")}
    return {
        "best": describe(select_best(records)),
        "best_dense": describe(select_best(by_kind["dense"])),
        "best_cnn": describe(select_best(by_kind["cnn"])),
        "candidates": {n: r["history"]["val_accuracy"][-1] for n, r in records.items()},
    }


#: 3B's models by evaluate_shift's cell names, in the order the report lists them.
SHIFT_CELL_NAMES = {"dense": "dense network (2D)", "dense_augmented": "dense network with the CNN's augmentation",
                    "cnn_unaugmented": "CNN without augmentation", "cnn": "CNN (3A)"}


def shift_curves(table, names: dict[str, str]) -> dict[str, dict]:
    """Per model (cell) of evaluate_shift's table, in the order of `names` (cell -> label): the shifts,
    the mean accuracy over directions and replicates, and its t-interval over replicates (None with
    one replicate)."""
    from .statistics import mean_interval

    per_replicate = table.groupby(["cell", "shift", "replicate"])["accuracy"].mean()
    curves = {}
    for cell, label in names.items():
        if cell not in per_replicate.index.get_level_values(0):
            continue
        by_shift = per_replicate[cell]
        shifts = sorted(int(v) for v in by_shift.index.get_level_values(0).unique())
        means, bands = [], []
        for shift in shifts:
            reps = by_shift[shift].to_numpy()
            means.append(float(reps.mean()))
            bands.append(mean_interval(reps))
        curves[label] = {"x": shifts, "mean": means, "intervals": bands, "runs": int(by_shift[shifts[0]].size)}
    return curves
