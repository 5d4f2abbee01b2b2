"""Synthetic results: every file the report rule reads, written for any schema-valid config and
any numbers, without training anything. The report's context is then built from these files
exactly as the report job builds it from a real run's."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from mnistflow import evaluation, files, report_inputs, sweep
from mnistflow.data import is_mnist
from mnistflow.report_inputs import FIGURE_INPUTS, TIMING_INPUTS

REPO = Path(__file__).resolve().parents[1]
REFERENCES = REPO / "workflow" / "report" / "references.yaml"
ASSIGNMENT = REPO / "workflow" / "report" / "assignment.yaml"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>'


def report_roles(inputs: dict, benchmarks: dict | None = None) -> dict:
    """What the report rule names besides its inputs (build_context's figures, timings and benchmarks):
    the figure inputs, the timing records among `inputs`, and the benchmark files by job name."""
    return {
        "figures": [k for k in FIGURE_INPUTS if k in inputs],
        "timings": [k for k in TIMING_INPUTS if k in inputs],
        "benchmarks": benchmarks or {},
        "config_path": "report/config.yaml",
    }


def base_config() -> dict:
    return yaml.safe_load((REPO / "config" / "config.yaml").read_text())


@dataclass
class Numbers:
    """The results to write. Anything left None is drawn from `seed`."""

    seed: int = 0
    n_train: int = 2000
    n_val: int = 500
    n_test: int = 1000
    class_counts: list[int] | None = None
    dense_val: list[float] | None = None  # validation accuracy per epoch of the 2A-2C network
    dense_val_loss: list[float] | None = None
    dense_train_loss: list[float] | None = None
    initial_val_loss: float = 2.35
    sweep_test: dict[str, list[float]] | None = None  # factor label -> test accuracy per replicate
    sweep_val: dict[str, list[float]] | None = None  # factor label -> final validation accuracy per replicate
    cnn_test: list[float] | None = None
    shift_accuracy: dict[str, list[float]] | None = None  # 3B model (cell) -> mean accuracy per shift 0..max_shift
    shift_spread: float = 0.002  # replicate-to-replicate spread of those accuracies
    denoising: list[tuple[float, float]] | None = None  # per level: (accuracy noisy, accuracy denoised)
    mse_denoised: list[float] | None = None
    mse_mean_image: float = 0.065
    mse_gap_se: float = 0.0003
    recognised: list[float] | None = None
    real_recognised: float | None = None  # 4D: decoded validation digits recognised as their class
    agnostic_confident: float | None = None  # 4D: class-agnostic samples classified confidently
    distance_medians: dict[str, float] | None = None  # 4D: median distance to the nearest training image per image set
    extra: dict = field(default_factory=dict)


def _labels(config) -> list[str]:
    return sweep.factor_labels(config["sweep"]["factors"])


def dense_layers(hidden: list[int], activation: str, inputs: int = 784, classes: int = 10) -> list[dict]:
    rows = [
        {
            "name": "flatten",
            "type": "Flatten",
            "output_shape": [None, inputs],
            "params": 0,
            "activation": None,
            "macs": 0,
        }
    ]
    fan = inputs
    for i, units in enumerate(hidden):
        rows.append(
            {
                "name": f"hidden_{i + 1}",
                "type": "Dense",
                "output_shape": [None, units],
                "params": fan * units + units,
                "activation": activation,
                "macs": fan * units,
            }
        )
        fan = units
    rows.append(
        {
            "name": "output",
            "type": "Dense",
            "output_shape": [None, classes],
            "params": fan * classes + classes,
            "activation": "softmax",
            "macs": fan * classes,
        }
    )
    return rows


def cnn_layers(blocks: list[dict], dense_units: list[int]) -> list[dict]:
    rows, size, channels = [], 28, 1
    for i, b in enumerate(blocks):
        k, f = b["kernel_size"], b["filters"]
        size = size if b.get("padding") == "same" else max(size - k + 1, 1)
        rows.append(
            {
                "name": f"conv_{i + 1}",
                "type": "Conv2D",
                "output_shape": [None, size, size, f],
                "params": k * k * channels * f + f,
                "activation": "relu",
                "macs": size * size * k * k * channels * f,
            }
        )
        channels = f
        if b.get("pool"):
            size = max(size // 2, 1)
            rows.append(
                {
                    "name": f"pool_{i + 1}",
                    "type": "MaxPooling2D",
                    "output_shape": [None, size, size, f],
                    "params": 0,
                    "activation": None,
                    "macs": 0,
                }
            )
    rows.append(
        {
            "name": "flatten",
            "type": "Flatten",
            "output_shape": [None, size * size * channels],
            "params": 0,
            "activation": None,
            "macs": 0,
        }
    )
    return rows + dense_layers(dense_units, "relu", inputs=size * size * channels)[1:]


def _history(rng, val: list[float], val_loss=None, train_loss=None) -> dict:
    epochs = len(val)
    val_loss = val_loss or sorted(rng.uniform(0.05, 1.5, epochs).tolist(), reverse=True)
    train_loss = train_loss or sorted(rng.uniform(0.02, 1.5, epochs).tolist(), reverse=True)
    return {
        "val_accuracy": list(val),
        "accuracy": [min(1.0, v + rng.uniform(-0.02, 0.02)) for v in val],
        "val_loss": list(val_loss),
        "loss": list(train_loss),
    }


def _record(
    rng,
    *,
    val,
    test,
    layers,
    settings,
    backend,
    threads,
    seed,
    n_train,
    n_val,
    val_loss=None,
    train_loss=None,
    initial_val_loss=2.3,
):
    return {
        "history": _history(rng, val, val_loss, train_loss),
        "initial": {"val_loss": initial_val_loss, "val_accuracy": 0.1},
        "test": {"accuracy": float(test), "loss": 0.1},
        "layers": layers,
        "total_params": sum(r["params"] for r in layers),
        "seed": seed,
        "settings": settings,
        "backend": backend,
        "threads": threads,
        "epochs": len(val),
        "batch_size": settings["training"]["batch_size"],
        "train_samples": n_train,
        "val_samples": n_val,
    }


def _timing(rng, epochs):
    seconds = rng.uniform(0.5, 2.0, epochs).tolist()
    return {
        "epoch_seconds": seconds,
        "fit_seconds": float(sum(seconds)),
        "backend": "jax",
        "threads": 1,
        "host": "synthetic-host",
        "cpu_model": "Synthetic CPU 9000",
        "cpus": 2,
        "memory_gib": 8.0,
    }


def _accuracy(n: int, p: float) -> float:
    """An accuracy that n images can produce."""
    return round(p * n) / n


def _correct(rng, n: int, p: float) -> np.ndarray:
    """A boolean vector of n answers with exactly round(p n) right, in random order."""
    right = np.zeros(n, dtype=bool)
    right[: int(round(p * n))] = True
    rng.shuffle(right)
    return right


def _predictions(rng, labels: np.ndarray, p: float) -> np.ndarray:
    """Predicted classes for `labels` with exactly round(p n) right (a wrong one is the next class)."""
    right = _correct(rng, len(labels), p)
    return np.where(right, labels, (labels + 1) % 10).astype(np.uint8)


def write(root: Path, config: dict, numbers: Numbers) -> dict:
    """Write every input of the report under `root`; return the report rule's named inputs."""
    rng = np.random.default_rng(numbers.seed)
    nb = numbers
    root = Path(root)
    inputs: dict = {"references": str(REFERENCES), "assignment": str(ASSIGNMENT)}

    def path(name):
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        return str(p)

    def backend(section):
        return config[section].get("backend", config["keras_backend"])

    # data
    counts = nb.class_counts or rng.integers(150, 250, 10).tolist()
    splits = {}
    for split, n in (("train", nb.n_train), ("val", nb.n_val), ("test", nb.n_test)):
        split_counts = counts if split == "train" else np.full(10, n // 10).tolist()
        splits[split] = {
            "count": n,
            "class_counts": split_counts,
            "first_label": 0,
            "before": {
                "images": {"dtype": "uint8", "min": 0.0, "max": 255.0, "mean": 33.3, "shape": [n, 28, 28]},
                "labels": {"dtype": "uint8", "min": 0.0, "max": 9.0, "mean": 4.5, "shape": [n]},
            },
            "after": {
                "images": {"dtype": "float32", "min": 0.0, "max": 1.0, "mean": 0.1307, "shape": [n, 28, 28, 1]},
                "labels": {"dtype": "float32", "min": 0.0, "max": 1.0, "mean": 0.1, "shape": [n, 10]},
            },
        }
    files.write_json(
        inputs.setdefault("data_summary", path("data/summary.json")), {"num_classes": 10, "splits": splits}
    )
    files.write_json(
        inputs.setdefault("data_info", path("data/info.json")),
        {
            "image_shape": [28, 28],
            "num_classes": 10,
            "original_sizes": {"train": 60000, "test": 10000},
            "source": "idx",
            "sha256": dict(config["data"]["sha256"]),  # prepare_data verifies the files against these
            "sizes": {"train": nb.n_train, "val": nb.n_val, "test": nb.n_test},
            "split_seed": 1,
            "subset": None,
            "validation_size": nb.n_val,
        },
    )
    for key in FIGURE_INPUTS:  # every figure a tiny SVG (embedded by its file's type)
        p = Path(path(f"figures/{key}.svg"))
        p.write_text(SVG)
        inputs[key] = str(p)

    # 2A-2C
    d = config["dense"]
    epochs = d["training"]["epochs"]
    val = nb.dense_val or np.clip(np.linspace(0.8, 0.97, epochs) + rng.normal(0, 0.01, epochs), 0, 1).tolist()
    val = [_accuracy(nb.n_val, v) for v in val]
    dense = _record(
        rng,
        val=val,
        test=_accuracy(nb.n_test, float(rng.uniform(0.9, 0.98))),
        layers=dense_layers(d["model"]["hidden_units"], d["model"]["activation"]),
        settings=copy.deepcopy(d),
        backend=backend("dense"),
        threads=config["threads"],
        seed=11,
        n_train=nb.n_train,
        n_val=nb.n_val,
        val_loss=nb.dense_val_loss,
        train_loss=nb.dense_train_loss,
        initial_val_loss=nb.initial_val_loss,
    )
    files.write_json(inputs.setdefault("dense_metrics", path("dense/metrics.json")), dense)
    files.write_json(inputs.setdefault("dense_timing", path("dense/timing.json")), _timing(rng, epochs))
    labels_val = (np.arange(nb.n_val) % 10).astype(np.uint8)
    files.write_npz(
        inputs.setdefault("dense_predictions", path("dense/predictions.npz")),
        labels_val=labels_val,
        val_by_epoch=np.stack([_predictions(rng, labels_val, v) for v in val]),
    )
    dense_name = report_inputs.classifier_name("2A", units=d["model"]["hidden_units"])

    # 2D
    s = config["sweep"]
    labels, reps = _labels(config), s["replicates"]
    records, names, metrics_paths, model_paths = {}, [dense_name], [inputs["dense_metrics"]], ["dense/model.keras"]

    def job(folder, kind, name, rec, epochs):
        """One classifier job's metrics and timing files, and its place among the candidates of select_classifier."""
        files.write_json(mp := path(f"{folder}/metrics.json"), rec)
        files.write_json(tp := path(f"{folder}/timing.json"), _timing(rng, epochs))
        inputs[f"{kind}_metrics"].append(mp)
        inputs[f"{kind}_timing"].append(tp)
        names.append(name)
        metrics_paths.append(mp)
        model_paths.append(f"{folder}/model.keras")

    inputs["sweep_metrics"], inputs["sweep_timing"] = [], []
    for label in labels:
        tests = (nb.sweep_test or {}).get(label) or rng.uniform(0.97, 0.985, reps).tolist()
        vals = (nb.sweep_val or {}).get(label) or rng.uniform(0.97, 0.985, reps).tolist()
        for r in range(reps):
            ep = s["training"]["epochs"]
            curve = np.clip(np.linspace(vals[r] - 0.05, vals[r], ep), 0, 1).tolist()
            curve[-1] = vals[r]
            if ep >= 3 and rng.random() < 0.5:  # some runs peak before their last epoch
                curve[ep // 2] = min(1.0, vals[r] + rng.uniform(0.001, 0.01))
            rec = _record(
                rng,
                val=[_accuracy(nb.n_val, v) for v in curve],
                test=_accuracy(nb.n_test, tests[r]),
                layers=dense_layers(s["model"]["hidden_units"], s["model"]["activation"]),
                settings={"model": dict(s["model"], l2=float(label)), "training": copy.deepcopy(s["training"])},
                backend=backend("sweep"),
                threads=config["threads"],
                seed=100 + r,
                n_train=nb.n_train,
                n_val=nb.n_val,
            )
            records[(label, r)] = rec
            job(
                f"sweep/l2_{label}/rep{r}",
                "sweep",
                report_inputs.classifier_name("2D", factor=label, replicate=r),
                rec,
                ep,
            )
    runs = sweep.runs_table(records)
    files.write_csv(inputs.setdefault("sweep_runs", path("sweep/runs.csv")), runs)
    files.write_csv(inputs.setdefault("sweep_summary", path("sweep/summary.csv")), sweep.summary_table(runs))
    files.write_json(inputs.setdefault("sweep_curves", path("sweep/curves.json")), sweep.epoch_curves(records))
    files.write_json(
        inputs.setdefault("sweep_curves_data", path("figures/sweep_curves.json")),
        {
            "validation accuracy": sweep.epoch_curves(records),
            "validation loss": sweep.epoch_curves(records, "val_loss"),
        },
    )

    # the Hinton study: each variant's runs, paired with the 2D runs at the chosen factor, through the library's
    # own tuning choice and summary
    h = config["hinton_study"]
    if h["enabled"] and is_mnist(config["data"]["sha256"]):  # as common.smk: only on MNIST's files
        chosen = sweep.choose_factor(sweep.with_decay(runs), nb.n_val)
        layers = dense_layers(s["model"]["hidden_units"], s["model"]["activation"])

        def hinton_record(training, factor, on_all=False):
            rec = _record(
                rng,
                val=[_accuracy(nb.n_val, float(rng.uniform(0.97, 0.99)))],
                test=_accuracy(nb.n_test, float(rng.uniform(0.97, 0.99))),
                layers=layers,
                settings={"model": {**s["model"], "l2": factor}, "training": training},
                backend=backend("sweep"),
                threads=config["threads"],
                seed=7,
                n_train=nb.n_train + (nb.n_val if on_all else 0),
                n_val=nb.n_val,
            )
            return rec

        jobs, records, choices = [], [], {}
        for name, v in h["variants"].items():
            training = {**s["training"], **v.get("training", {})}
            factor, rate = chosen["factor"], training["optimizer"]["learning_rate"]
            if v.get("factors") or v.get("learning_rates"):
                grid = [
                    (lr, f)
                    for lr in v.get("learning_rates") or [rate]
                    for f in (v.get("factors") or [chosen["factor"]])
                ]
                cells = [(lr, f, r) for lr, f in grid for r in range(h["tuning_replicates"])]
                choices[name] = sweep.choose_setting(
                    [(sweep.format_factor(lr), sweep.format_factor(f), r) for lr, f, r in cells],
                    [
                        hinton_record({**training, "optimizer": {**training["optimizer"], "learning_rate": lr}}, f)
                        for lr, f, _ in cells
                    ],
                )
                factor, rate = choices[name]["factor"], choices[name]["learning_rate"]
            for r in range(h["replicates"]):
                jobs.append((name, "chosen", r))
                tuned = {**training, "optimizer": {**training["optimizer"], "learning_rate": rate}}
                records.append(hinton_record(tuned, factor, bool(v.get("train_on_all"))))
        extra = [(r, hinton_record(s["training"], chosen["factor"])) for r in range(s["replicates"], h["replicates"])]
        summary = sweep.summarise_variants(
            jobs,
            records,
            h["variants"],
            runs,
            chosen,
            baseline_extra=extra,
            choices=choices,
            baseline_learning_rate=s["training"]["optimizer"]["learning_rate"],
        )
        files.write_json(inputs.setdefault("hinton_summary", path("hinton/summary.json")), summary)

    # 3A
    c = config["cnn"]
    cnn_tests = nb.cnn_test or rng.uniform(0.985, 0.997, c["replicates"]).tolist()
    cnn_records = []
    inputs["cnn_metrics"], inputs["cnn_timing"] = [], []
    for r in range(c["replicates"]):
        ep = c["training"]["epochs"]
        rec = _record(
            rng,
            val=[_accuracy(nb.n_val, v) for v in rng.uniform(0.97, 0.995, ep)],
            test=_accuracy(nb.n_test, cnn_tests[r]),
            layers=cnn_layers(c["model"]["conv_blocks"], c["model"]["dense_units"]),
            settings=copy.deepcopy({"model": c["model"], "training": c["training"]}),
            backend=backend("cnn"),
            threads=config["threads"],
            seed=200 + r,
            n_train=nb.n_train,
            n_val=nb.n_val,
        )
        cnn_records.append(rec)
        job(f"cnn/rep{r}", "cnn", report_inputs.classifier_name("3A", replicate=r), rec, ep)
    files.write_json(
        inputs.setdefault("cnn_summary", path("cnn/summary.json")), evaluation.summarise_replicates(cnn_records)
    )
    study = c.get("design_study") or {"enabled": False}
    if study["enabled"]:  # the design study: one record per candidate run
        from mnistflow.config import design_settings

        jobs_, records_, predictions_ = [], [], []
        labels_val = (np.arange(nb.n_val) % 10).astype(np.uint8)
        for name, cand in study["candidates"].items():
            merged = design_settings(c, cand)
            for r in range(study["replicates"]):
                jobs_.append((name, r))
                records_.append(
                    _record(
                        rng,
                        val=[_accuracy(nb.n_val, rng.uniform(0.97, 0.995))],
                        test=0.99,
                        layers=cnn_layers(merged["model"]["conv_blocks"], merged["model"]["dense_units"]),
                        settings=merged,
                        backend=backend("cnn"),
                        threads=config["threads"],
                        seed=400 + r,
                        n_train=nb.n_train,
                        n_val=nb.n_val,
                    )
                )
                predictions_.append(
                    {
                        "labels_val": labels_val,
                        "val": _predictions(rng, labels_val, records_[-1]["history"]["val_accuracy"][-1]),
                    }
                )
        design = evaluation.choose_design(
            jobs_,
            records_,
            {n: {k: v for k, v in cand.items() if k != "description"} for n, cand in study["candidates"].items()},
            {name: design_settings(c, cand) for name, cand in study["candidates"].items()},
            design_settings(c, {}),
            predictions=predictions_,
        )
        files.write_json(inputs.setdefault("cnn_design", path("cnn_design/choice.json")), design)
    # 3A diagnostics: each replicate's confusion matrix on test digits spread evenly over the classes
    per_class = nb.n_test // 10
    labels_test = np.repeat(np.arange(10), per_class)
    predicted = []
    for r in range(c["replicates"]):
        guess = labels_test.copy()
        for k in range(10):
            wrong = rng.binomial(per_class, float(np.clip(1 - cnn_tests[r] + rng.normal(0, 0.002), 0, 1)))
            missed = k * per_class + rng.choice(per_class, wrong, replace=False)
            guess[missed] = (k + 1 + rng.integers(0, 9, wrong)) % 10
        predicted.append(guess)
    predicted = np.stack(predicted)
    confusions = [evaluation.confusion_matrix(labels_test, p, 10) for p in predicted]
    files.write_npz(
        inputs.setdefault("cnn_diagnostics", path("cnn/diagnostics.npz")),
        confusion=np.stack(confusions),
        error_histogram=evaluation.error_histogram(predicted, labels_test, 10),
        chosen=np.array(0),
        misclassified=np.arange(int(confusions[0].sum() - np.trace(confusions[0]))),
        true=np.zeros(min(40, int(confusions[0].sum() - np.trace(confusions[0])))),
    )
    e = config["cnn_earlier"]
    earlier_layers = cnn_layers(e["model"]["conv_blocks"], e["model"]["dense_units"])
    files.write_json(
        inputs.setdefault("cnn_earlier_layers", path("cnn_earlier/layers.json")),
        {"layers": earlier_layers, "total_params": sum(r["params"] for r in earlier_layers)},
    )
    if e["enabled"]:
        ep = e["training"]["epochs"]
        rec = _record(
            rng,
            val=[_accuracy(nb.n_val, v) for v in rng.uniform(0.9, 0.99, ep)],
            test=_accuracy(nb.n_test, 0.99),
            layers=earlier_layers,
            settings=copy.deepcopy({"model": e["model"], "training": e["training"]}),
            backend=backend("cnn_earlier"),
            threads=config["threads"],
            seed=300,
            n_train=nb.n_train,
            n_val=nb.n_val,
        )
        files.write_json(inputs.setdefault("cnn_earlier_metrics", path("cnn_earlier/metrics.json")), rec)
        files.write_json(inputs.setdefault("cnn_earlier_timing", path("cnn_earlier/timing.json")), _timing(rng, ep))
    choice = evaluation.choose_classifiers(names, metrics_paths, model_paths)
    files.write_json(inputs.setdefault("classifier_choice", path("best_classifier.json")), choice)

    # 3B: every replicate of the dense network (chosen factor), the CNN and, when the CNN augments, the two controls
    max_shift = config["shift"]["max_shift"]
    augments = any(config["cnn"]["model"].get(k) for k in ("augment_shift", "augment_rotation", "augment_zoom"))
    shift_acc = {
        "dense": np.linspace(0.98, rng.uniform(0.1, 0.9), max_shift + 1).tolist(),
        "cnn": np.linspace(0.99, rng.uniform(0.1, 0.99), max_shift + 1).tolist(),
        "dense_augmented": np.linspace(0.98, rng.uniform(0.1, 0.9), max_shift + 1).tolist(),
        "cnn_unaugmented": np.linspace(0.99, rng.uniform(0.1, 0.99), max_shift + 1).tolist(),
        **(nb.shift_accuracy or {}),
    }
    replicates = {
        "dense": config["sweep"]["replicates"],
        "dense_augmented": config["sweep"]["replicates"],
        "cnn": config["cnn"]["replicates"],
        "cnn_unaugmented": config["cnn"]["replicates"],
    }
    cells = ["dense", "cnn"] + (["dense_augmented", "cnn_unaugmented"] if augments else [])
    shifts = [0] + [s for s in range(1, max_shift + 1) for _ in evaluation.DIRECTIONS]
    directions = ["none"] + [d for _ in range(1, max_shift + 1) for d in evaluation.DIRECTIONS]
    rows = []
    for cell in cells:
        for rep in range(replicates[cell]):
            for sh, dr in zip(shifts, directions, strict=True):
                acc = float(np.clip(shift_acc[cell][sh] + rng.normal(0, nb.shift_spread), 0, 1))
                rows.append(
                    {
                        "cell": cell,
                        "architecture": cell.split("_")[0],
                        "replicate": rep,
                        "model": f"{cell}/rep{rep}",
                        "shift": sh,
                        "direction": dr,
                        "accuracy": _accuracy(nb.n_test, acc),
                    }
                )
    files.write_csv(inputs.setdefault("shift_table", path("shift/accuracy.csv")), pd.DataFrame(rows))

    # 4
    a = config["autoencoder"]
    enc = dense_layers(a["model"]["encoder_units"], a["model"].get("activation", "relu"))[1:-1]
    dec = dense_layers(a["model"]["decoder_units"], "relu", inputs=a["model"]["encoder_units"][-1])[1:-1]
    dec.append(
        {
            "name": "reconstruction",
            "type": "Dense",
            "output_shape": [None, 784],
            "params": 785 * 10,
            "activation": "sigmoid",
            "macs": 7840,
        }
    )
    ep = a["training"]["epochs"]
    files.write_json(
        inputs.setdefault("autoencoder_metrics", path("autoencoder/metrics.json")),
        {
            "history": {
                "loss": sorted(rng.uniform(0.1, 0.3, ep), reverse=True),
                "val_loss": sorted(rng.uniform(0.1, 0.3, ep), reverse=True),
            },
            "initial": {"val_loss": 0.69},
            "test": {"loss": 0.12},
            "encoder_layers": enc,
            "decoder_layers": dec,
            "total_params": 1000,
            "latent_dim": a["model"]["encoder_units"][-1],
            "noise_level": a["noise_level"],
            "seed": 5,
            "settings": {"model": a["model"], "training": a["training"]},
            "backend": backend("autoencoder"),
            "threads": config["threads"],
        },
    )
    files.write_json(inputs.setdefault("autoencoder_timing", path("autoencoder/timing.json")), _timing(rng, ep))
    cnn_epochs = config["cnn"]["training"]["epochs"]
    files.write_json(
        inputs.setdefault("noisy_classifier_metrics", path("noisy_classifier/metrics.json")),
        {
            "history": {
                "loss": sorted(rng.uniform(0.1, 0.5, cnn_epochs), reverse=True),
                "val_accuracy": sorted(rng.uniform(0.8, 0.95, cnn_epochs)),
            },
            "test": {"accuracy": float(rng.uniform(0.9, 0.99))},
            "train_noise": {"level": a["noise_level"], "seed": 7},
            "backend": backend("cnn"),
            "threads": config["threads"],
        },
    )
    files.write_json(
        inputs.setdefault("noisy_classifier_timing", path("noisy_classifier/timing.json")), _timing(rng, cnn_epochs)
    )
    levels = sorted(config["denoising"]["levels"])
    pairs = nb.denoising or [
        (
            float(np.clip(0.99 - lv * rng.uniform(0.5, 1.0), 0, 1)),
            float(np.clip(0.97 - lv * rng.uniform(0.2, 0.9), 0, 1)),
        )
        for lv in levels
    ]
    mse = nb.mse_denoised or np.linspace(0.01, rng.uniform(0.02, 0.1), len(levels)).tolist()
    table = []
    for lv, (pn, pd_), m in zip(levels, pairs, mse, strict=True):
        noisy, denoised = _correct(rng, nb.n_test, pn), _correct(rng, nb.n_test, pd_)
        median = _correct(rng, nb.n_test, float(np.clip((pn + pd_) / 2, 0, 1)))
        noise_trained = _correct(rng, nb.n_test, float(np.clip(pd_ + 0.01, 0, 1)))
        table.append(
            {
                "level": lv,
                "mse_mean_image": nb.mse_mean_image,
                "images": nb.n_test,
                "mse_noisy": lv / 2,
                "psnr_noisy": 30.0,
                "accuracy_noisy": float(noisy.mean()),
                "mse_denoised": m,
                "psnr_denoised": 12.0,
                "mse_gap_se": nb.mse_gap_se,
                "accuracy_denoised": float(denoised.mean()),
                "noisy_only": int(np.sum(noisy & ~denoised)),
                "denoised_only": int(np.sum(denoised & ~noisy)),
                "mse_median": m,
                "psnr_median": 14.0,
                "accuracy_median": float(median.mean()),
                "median_over_denoised": int(np.sum(median & ~denoised)),
                "denoised_over_median": int(np.sum(denoised & ~median)),
                "accuracy_noise_trained": float(noise_trained.mean()),
                "noise_trained_over_denoised": int(np.sum(noise_trained & ~denoised)),
                "denoised_over_noise_trained": int(np.sum(denoised & ~noise_trained)),
            }
        )
    files.write_csv(inputs.setdefault("denoising_table", path("denoising/levels.csv")), pd.DataFrame(table))
    # named under a caption (and fingerprinted by the history), not read by the report
    files.write_npz(
        inputs.setdefault("denoising_examples", path("denoising/examples.npz")), levels=np.asarray(levels, dtype=float)
    )
    per = config["generation"]["per_class"]
    recognised = nb.recognised or [_accuracy(per, v) for v in rng.uniform(0, 1, 10)]
    n_gen = 10 * per
    medians = {
        "generated": 4.4,
        "decoded_train": 3.6,
        "decoded_val": 4.0,
        "clean_val": 4.3,
        **(nb.distance_medians or {}),
    }
    distances = {k: np.maximum(m + rng.normal(0, 0.8, max(n_gen, 2)), 0.0) for k, m in medians.items()}
    for values, m in zip(
        distances.values(), medians.values(), strict=True
    ):  # the drawn sample's median is the asked one
        values += m - np.median(values)
    real = nb.real_recognised if nb.real_recognised is not None else _accuracy(nb.n_val, rng.uniform(0.5, 1))
    agnostic = nb.agnostic_confident if nb.agnostic_confident is not None else _accuracy(n_gen, rng.uniform(0, 1))
    confident = _accuracy(n_gen, rng.uniform(0, 1))
    files.write_npz(
        inputs.setdefault("generation_images", path("generation/digits.npz")),
        **{f"distance_{k}": v for k, v in distances.items()},
    )
    files.write_json(
        inputs.setdefault("generation_scores", path("generation/scores.json")),
        {
            "per_class": [
                {
                    "class": k,
                    "recognised": recognised[k],
                    "confidence": 0.5,
                    "samples": per,
                    "confident": 0.5,
                    "mean_top_probability": 0.7,
                }
                for k in range(10)
            ],
            "recognised": float(np.mean(recognised)),
            "confidence": 0.5,
            "confident": confident,
            "confident_threshold": config["generation"]["confident"],
            "references": {
                "class_agnostic": {"samples": n_gen, "confident": agnostic, "mean_top_probability": 0.6},
                "real_validation": {
                    "samples": nb.n_val,
                    "confident": 0.8,
                    "mean_top_probability": 0.9,
                    "recognised": real,
                    "confidence": 0.85,
                },
            },
            "clipped_share": {"per_class": 0.012, "class_agnostic": 0.02},
            "activation": a["model"]["activation"],
            "fitted_on": {"images": nb.n_train, "noise_level": a["noise_level"]},
            "nearest_distance": {
                k: {
                    "median": float(np.median(v)),
                    "quartiles": [float(q) for q in np.percentile(v, [25, 75])],
                    "samples": int(len(v)),
                }
                for k, v in distances.items()
            },
            "latent_dim": a["model"]["encoder_units"][-1],
            "dead_latent_dims": 3,
            "interpolation": {"from": 1, "to": 7, "steps": config["generation"]["interpolation_steps"]},
            "classifier": choice["best"]["name"],
        },
    )
    return inputs
