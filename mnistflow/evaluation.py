"""Evaluation beyond training: replicate summaries, model selection, translated test images."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

#: Unit steps (rows, columns) of the four shift directions.
DIRECTIONS = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1)}


def network_name(hidden_units: Sequence[int]) -> str:
    """A dense network by its hidden layers: "dense 64-64"."""
    return "dense " + "-".join(map(str, hidden_units))


def mid_shift(shifts: Sequence[int]) -> int:
    """The shift 3B reports beside the largest: 2 pixels where measured, else the largest."""
    return 2 if 2 in shifts else max(shifts)


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
        return {
            "mean": float(values.mean()),
            "std": float(values.std(ddof=1)) if len(values) > 1 else 0.0,
            "min": float(values.min()),
            "max": float(values.max()),
            "values": values.tolist(),
        }

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
    from .files import read_json

    records = {name: read_json(path) for name, path in zip(names, metrics_paths, strict=True)}
    models = dict(zip(names, model_paths, strict=True))

    def describe(name):
        rec = records[name]
        kind = "cnn" if any(layer["type"] == "Conv2D" for layer in rec["layers"]) else "dense"
        return {
            "name": name,
            "kind": kind,
            "model": models[name],
            "val_accuracy": rec["history"]["val_accuracy"][-1],
            "test_accuracy": rec["test"]["accuracy"],
            "params": rec["total_params"],
            "layers": rec["layers"],
        }

    by_kind = {kind: {n: r for n, r in records.items() if describe(n)["kind"] == kind} for kind in ("dense", "cnn")}
    return {
        "best": describe(select_best(records)),
        "best_dense": describe(select_best(by_kind["dense"])),
        "best_cnn": describe(select_best(by_kind["cnn"])),
        "candidates": {n: r["history"]["val_accuracy"][-1] for n, r in records.items()},
    }


#: The architecture of each of the four models (cells) of 3B.
SHIFT_CELLS = {"dense": "dense", "dense_augmented": "dense", "cnn": "cnn", "cnn_unaugmented": "cnn"}

#: 3B's models by evaluate_shift's cell names, in the order the report lists them.
SHIFT_CELL_NAMES = {
    "dense": "dense network (2D)",
    "dense_augmented": "dense network with the CNN's augmentation",
    "cnn_unaugmented": "CNN without augmentation",
    "cnn": "CNN (3A)",
}


def shift_curves(table, names: dict[str, str]) -> dict[str, dict]:
    """Per model (cell) of evaluate_shift's table, in the order of `names` (cell -> label): the shifts,
    the mean accuracy over directions and replicates, and its t-interval over replicates (None with
    one replicate)."""
    from .inference import mean_interval

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


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, num_classes: int) -> np.ndarray:
    """Counts of (true class, predicted class): row = true class, column = prediction."""
    labels, predicted = np.asarray(labels, dtype=int), np.asarray(predicted, dtype=int)
    if labels.shape != predicted.shape:
        raise ValueError(f"{labels.shape} labels but {predicted.shape} predictions")
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (labels, predicted), 1)
    return matrix


def per_class_errors(confusions: np.ndarray) -> list[dict]:
    """Per true class, from confusion matrices of replicates (R, K, K): the images, each replicate's
    error count and rate, their mean rate and the classes most often predicted instead (summed over
    replicates; all of them on a tie, none when the class is never missed)."""
    confusions = np.asarray(confusions)
    rows = []
    for k in range(confusions.shape[1]):
        counts = confusions[:, k, :]
        images = int(counts[0].sum())
        wrong = counts.sum(axis=1) - counts[:, k]
        instead = counts.sum(axis=0).astype(float)
        instead[k] = -1
        rows.append(
            {
                "class": k,
                "images": images,
                "errors": wrong.tolist(),
                "error_rates": (wrong / max(images, 1)).tolist(),
                "mean_error_rate": float(np.mean(wrong) / max(images, 1)),
                "confused_with": np.flatnonzero(instead == instead.max()).tolist() if instead.max() > 0 else [],
            }
        )
    return rows


def error_histogram(predictions: np.ndarray, labels: np.ndarray, num_classes: int) -> np.ndarray:
    """Of R runs' predictions (R, N) on the same images: per true class c, the number of images that k of
    the runs got wrong, for k = 0..R (a (classes, R + 1) table; each row sums to the class's images)."""
    predictions, labels = np.atleast_2d(predictions), np.asarray(labels)
    wrong = (predictions != labels).sum(axis=0)
    table = np.zeros((num_classes, predictions.shape[0] + 1), dtype=np.int64)
    np.add.at(table, (labels.astype(np.int64), wrong), 1)
    return table


def paired_correct(correct_a: np.ndarray, correct_b: np.ndarray) -> dict:
    """Two models' correctness on the same images, run r of each paired by seed ((R, N) boolean arrays):
    per run, the images only a and only b get right, and the per-image differences b - a averaged over
    the runs, as counts of each value (enough to rebuild the paired comparison without the images)."""
    a, b = np.atleast_2d(correct_a).astype(bool), np.atleast_2d(correct_b).astype(bool)
    if a.shape != b.shape:
        raise ValueError(f"paired runs need the same runs and images, got {a.shape} and {b.shape}")
    steps = (b.astype(np.int64) - a.astype(np.int64)).sum(axis=0)  # in -R..R; the mean difference is steps / R
    values, counts = np.unique(steps, return_counts=True)
    return {
        "runs": int(a.shape[0]),
        "images": int(a.shape[1]),
        "only_a": [int(v) for v in (a & ~b).sum(axis=1)],
        "only_b": [int(v) for v in (b & ~a).sum(axis=1)],
        "difference_counts": [[int(v) / a.shape[0], int(c)] for v, c in zip(values, counts, strict=True)],
    }


def choose_design(
    jobs: Sequence[Sequence],
    records: Sequence[dict],
    candidates: Mapping[str, dict],
    settings: Mapping[str, dict],
    base: Mapping[str, dict] | None = None,
    predictions: Sequence[Mapping[str, np.ndarray]] | None = None,
) -> dict:
    """3A's design study: the candidate whose runs get the most validation images right in their final
    epoch, in total (a tie goes to the candidate listed first). Returns its name, model and training,
    and every candidate's replaced settings, validation accuracies, counts, parameters and epochs; and
    the base design (`base`: the model and training the candidates' settings replace keys of). With the
    runs' `predictions` (each job's predictions file), also the chosen design against the runner-up image
    by image on the validation set, runs paired by replicate (`paired`, with a = runner-up, b = chosen)."""
    per: dict[str, dict] = {}
    for (name, _), rec in zip(jobs, records, strict=True):
        if name not in per:
            per[name] = {
                "val_accuracies": [],
                "correct": 0,
                "answers": 0,
                "params": rec["total_params"],
                "epochs": rec["epochs"],
                "replaces": {
                    part: candidates[name][part] for part in ("model", "training") if candidates[name].get(part)
                },
            }
        n_val = int(rec["val_samples"])
        accuracy = rec["history"]["val_accuracy"][-1]
        per[name]["val_accuracies"].append(accuracy)
        per[name]["correct"] += int(round(accuracy * n_val))
        per[name]["answers"] += n_val
    if not per:
        raise ValueError("the design study has no candidate runs")
    order = [name for name in candidates if name in per]
    best = max(order, key=lambda name: (per[name]["correct"], -order.index(name)))
    out = {
        "name": best,
        **settings[best],
        "candidates": {name: per[name] for name in order},
        **({"base": dict(base)} if base else {}),
    }
    if predictions is not None and len(order) > 1:
        runner = max((n for n in order if n != best), key=lambda name: (per[name]["correct"], -order.index(name)))

        def correct(name: str) -> np.ndarray:
            runs = sorted(
                (int(r), p["val"] == p["labels_val"]) for (n, r), p in zip(jobs, predictions, strict=True) if n == name
            )
            return np.stack([c for _, c in runs])

        out["paired"] = {"runner_up": runner, **paired_correct(correct(runner), correct(best))}
    return out


def misclassified(predictions: np.ndarray, labels: np.ndarray, val_accuracy: Sequence[float], examples: int) -> dict:
    """3A diagnostics from replicates' test predictions (R, N): the replicate with the best final
    validation accuracy (`chosen`), the indices of the test digits it misclassifies, the first
    `examples` of them (`shown`) with their true and predicted labels, and how many replicates miss each."""
    predictions, labels = np.asarray(predictions), np.asarray(labels)
    chosen = int(np.argmax(val_accuracy))
    wrong = np.flatnonzero(predictions[chosen] != labels)
    shown = wrong[:examples]
    return {
        "chosen": chosen,
        "misclassified": wrong,
        "shown": shown,
        "true": labels[shown],
        "predicted": predictions[chosen][shown],
        "missed_by": (predictions[:, shown] != labels[shown]).sum(axis=0),
    }


def median_filtered(images: np.ndarray, size: int = 3) -> np.ndarray:
    """Each image (N, H, W[, 1]) through a size x size median filter (scipy.ndimage), edges mirrored."""
    from scipy import ndimage

    footprint = (1, size, size) + ((1,) if images.ndim == 4 else ())
    return ndimage.median_filter(images, size=footprint, mode="reflect")


# 4C's baselines for the autoencoder + best classifier: a 3x3 median filter of the noisy digits, read by the same
# classifier ("median"), and a classifier trained on noisy digits reading them as they are ("noise_trained")
BASELINES = ("median", "noise_trained")


def denoising_scores(
    clean: np.ndarray,
    versions: Mapping[str, np.ndarray],
    correct: Mapping[str, np.ndarray],
    mean_image_errors: np.ndarray,
) -> dict:
    """4B and 4C at one noise level, for flattened clean images and their `versions` ("noisy",
    "denoised"), with `correct` the classifier's per-image hits on each version (and, under "noise_trained",
    those of the classifier trained on noisy digits): per version the mean squared distance to the clean
    images and its PSNR (peak value 1), per entry of `correct` the accuracy; the standard error
    of the per-image difference between the denoised images' squared error and the mean image's
    (`mean_image_errors`, paired by image); and the images only one of the two gets right, for denoised against
    noisy and against each of the BASELINES (paired, 4C)."""
    row = {}
    for name, images in versions.items():
        mse = float(np.mean((images - clean) ** 2))
        row[f"mse_{name}"] = mse
        row[f"psnr_{name}"] = float(10 * np.log10(1.0 / mse)) if mse > 0 else float("inf")
    for name, hits in correct.items():
        row[f"accuracy_{name}"] = float(np.mean(hits))
    gap = np.mean((versions["denoised"] - clean) ** 2, axis=1) - mean_image_errors
    row["mse_gap_se"] = float(np.std(gap, ddof=1) / np.sqrt(len(gap)))
    row["noisy_only"] = int(np.sum(correct["noisy"] & ~correct["denoised"]))
    row["denoised_only"] = int(np.sum(correct["denoised"] & ~correct["noisy"]))
    for baseline in BASELINES:  # the autoencoder against each baseline given, image by image
        if baseline in correct:
            row[f"{baseline}_over_denoised"] = int(np.sum(correct[baseline] & ~correct["denoised"]))
            row[f"denoised_over_{baseline}"] = int(np.sum(correct["denoised"] & ~correct[baseline]))
    return row
