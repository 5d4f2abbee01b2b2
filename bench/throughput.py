"""Throughput benchmark: the matrix-multiply peak of this machine in each precision the models train
in, and the per-epoch training time of each model of the default config, as a fraction of the peak of
its own precision (fp32 GEMM for float32 models, TensorFlow's bfloat16 product for mixed_bfloat16).

Each measurement runs in its own process (a Keras backend and thread pools are fixed once per
process): `python bench/throughput.py gemm|model NAME ...` prints one JSON object; `run`
starts them all and collects the results. `bench/run.py` is the command line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

#: The models of the default config that the benchmark trains: (config section, builder).
MODELS = {
    "dense_64_64": ("dense", "dense_classifier"),
    "dense_500_300": ("sweep", "dense_classifier"),
    "cnn": ("cnn", "cnn_classifier"),
    "autoencoder": ("autoencoder", "autoencoder"),
}


def training_flops(macs_per_image: int, n_train: int, n_val: int) -> float:
    """Floating-point operations of one epoch counted analytically from the multiply-accumulates
    of the Dense and Conv2D layers: 2 FLOPs per MAC; a training image costs the forward pass and a
    backward pass of twice its work (gradients of inputs and of weights), a validation image the
    forward pass only."""
    return 2.0 * macs_per_image * (3 * n_train + n_val)


def best_time(call, *, seconds: float) -> tuple[float, int]:
    """The shortest of repeated timed calls of `call` (after one untimed warm-up call), repeated for
    about `seconds` and at least 3 times; returns (best seconds, timed calls)."""
    call()
    best, runs, start = float("inf"), 0, time.perf_counter()
    while time.perf_counter() - start < seconds or runs < 3:
        t0 = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - t0)
        runs += 1
    return best, runs


def gemm_peak(*, threads: int, size: int = 2048, seconds: float = 3.0) -> dict:
    """Best fp32 GFLOP/s of NumPy's matrix product of two size x size matrices, over repeated
    products for about `seconds` (after one warm-up product)."""
    from mnistflow.runtime import limit_native_threads

    limit_native_threads(threads)
    import numpy as np

    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size), dtype=np.float32)
    b = rng.standard_normal((size, size), dtype=np.float32)
    best, runs = best_time(lambda: a @ b, seconds=seconds)
    return {"size": size, "threads": threads, "runs": runs, "best_seconds": best, "gflops": 2 * size**3 / best / 1e9}


def bf16_peak(*, threads: int, size: int = 2048, seconds: float = 3.0) -> dict:
    """Best GFLOP/s of TensorFlow's matrix product of two size x size bfloat16 matrices (the framework and
    the precision the mixed_bfloat16 models train in: oneDNN runs it on AMX or AVX512-BF16 units where the
    CPU has them), over repeated products for about `seconds` after a warm-up."""
    from mnistflow import runtime

    runtime.configure(backend="tensorflow", threads=threads, seed=0)
    import tensorflow as tf

    a = tf.cast(tf.random.stateless_normal((size, size), seed=(0, 1)), tf.bfloat16)
    b = tf.cast(tf.random.stateless_normal((size, size), seed=(0, 2)), tf.bfloat16)
    product = tf.function(lambda x, y: tf.reduce_sum(tf.cast(tf.matmul(x, y)[:1, :1], tf.float32)))
    best, runs = best_time(lambda: product(a, b).numpy(), seconds=seconds)
    return {"size": size, "threads": threads, "runs": runs, "best_seconds": best, "gflops": 2 * size**3 / best / 1e9}


#: The peak each training precision is measured by: the step of `main` that measures it.
PEAK_STEPS = {"float32": "gemm", "mixed_bfloat16": "bf16"}


def precision_of(record: dict) -> str:
    """The precision a training job trained in, from its metrics record (float32 unless it says)."""
    return ((record.get("settings") or {}).get("training") or {}).get("precision", "float32")


def floor_seconds(flops: dict[str, float], peaks: dict[str, float]) -> float:
    """The least time the counted work takes: each precision's FLOPs at the peak GFLOP/s of that
    precision (`flops` and `peaks` keyed by precision)."""
    missing = set(flops) - set(peaks)
    if missing:
        raise ValueError(f"no peak measured for {sorted(missing)}")
    return sum(f / (peaks[p] * 1e9) for p, f in flops.items())


def load_arrays(config: dict, data_dir: str | os.PathLike) -> dict:
    """The prepared float32 arrays of the full data set (the config's split, no subset)."""
    from mnistflow import data

    raw = data.load_mnist_files(
        {role: Path(data_dir) / name for role, name in data.IDX_FILES.items()}, config["data"]["sha256"]
    )
    arrays = data.split(raw, validation_size=config["data"]["validation_size"], seed=config["seed"])
    return data.preprocess(arrays)


def model_epochs(
    name: str, *, config: dict, data_dir: str, epochs: int, threads: int, train_images: int | None = None
) -> dict:
    """Train model `name` of the config for `epochs` epochs with the workflow's own fit function
    and report its per-epoch seconds and throughput (on the first `train_images` training images
    where given, all of them otherwise)."""
    from mnistflow import runtime

    section_name, builder = MODELS[name]
    section = config[section_name]
    backend = section.get("backend", config["keras_backend"])
    keras = runtime.configure(backend=backend, threads=threads, seed=config["seed"])
    keras.mixed_precision.set_global_policy(section["training"].get("precision", "float32"))
    import numpy as np

    from mnistflow import jobs, models
    from mnistflow import training as train_lib

    arrays = load_arrays(config, data_dir)
    if train_images is not None:
        arrays = {**arrays, "x_train": arrays["x_train"][:train_images], "y_train": arrays["y_train"][:train_images]}
    settings = dict(section["training"], epochs=epochs)
    if name == "autoencoder":
        model, _, _ = models.autoencoder(input_dim=784, **section["model"])
        train = jobs.noisy_pairs(arrays, "train", section["noise_level"], 0)
        val = jobs.noisy_pairs(arrays, "val", section["noise_level"], 0)
        metrics = ("mse",)
    else:
        model_args = dict(section["model"])
        if section_name == "sweep":
            model_args["l2"] = max(section["factors"])  # the penalty's cost is included
        model = getattr(models, builder)(**model_args)
        train, val = (arrays["x_train"], arrays["y_train"]), (arrays["x_val"], arrays["y_val"])
        metrics = ("accuracy",)
    _, timing = train_lib.fit(
        model,
        train=train,
        val=val,
        optimizer=settings["optimizer"],
        loss=settings["loss"],
        epochs=epochs,
        batch_size=settings["batch_size"],
        metrics=metrics,
        schedule=settings.get("schedule", "constant"),
    )
    macs = _macs(model)
    steady = timing["epoch_seconds"][1:] or timing["epoch_seconds"]
    seconds = float(np.median(steady))
    flops = training_flops(macs, len(train[0]), len(val[0]))
    return {
        "model": name,
        "backend": backend,
        "threads": threads,
        "batch_size": settings["batch_size"],
        "train_samples": len(train[0]),
        "val_samples": len(val[0]),
        "macs_per_image": macs,
        "epoch_seconds": timing["epoch_seconds"],
        "first_epoch_seconds": timing["epoch_seconds"][0],
        "median_epoch_seconds": seconds,
        "config_epochs": section["training"]["epochs"],
        "flops_per_epoch": flops,
        "gflops": flops / seconds / 1e9,
    }


def record_flops(record: dict) -> float | None:
    """Training FLOPs of one finished training job, from its metrics record: the Dense and Conv2D
    multiply-accumulates per image (its layer table), counted as in `training_flops`, times its
    epochs. None for a record that is not a training job's."""
    layers = record.get("layers") or (record.get("encoder_layers", []) + record.get("decoder_layers", []))
    if not layers or not {"epochs", "train_samples", "val_samples"} <= set(record):
        return None
    macs = sum(int(layer.get("macs", 0)) for layer in layers)
    return training_flops(macs, int(record["train_samples"]), int(record["val_samples"])) * int(record["epochs"])


def build_flops(results: str | os.PathLike) -> dict:
    """Counted training FLOPs of every training job of a build (every metrics.json under `results`
    that is a training record), in all and by the precision each job trained in."""
    jobs, by_precision = {}, {}
    for path in sorted(Path(results).rglob("metrics.json")):
        record = json.loads(path.read_text())
        flops = record_flops(record)
        if flops is not None:
            jobs[str(path.relative_to(results).parent)] = flops
            by_precision[precision_of(record)] = by_precision.get(precision_of(record), 0.0) + flops
    return {"jobs": jobs, "total": sum(jobs.values()), "by_precision": by_precision}


def _macs(model) -> int:
    """MACs per image of a model's Dense and Conv2D layers, inside nested models too (the
    autoencoder is an encoder model followed by a decoder model)."""
    from mnistflow import models

    parts = [layer for layer in model.layers if hasattr(layer, "layers")] or [model]
    return sum(row["macs"] for part in parts for row in models.count_macs(part))


def machine() -> dict:
    info = {
        "host": platform.node(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
    }
    try:
        info["cpus_usable"] = len(os.sched_getaffinity(0))
    except AttributeError:
        pass
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return info


def _child(args: list[str], log) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), *args]
    # the child imports this same copy of the package
    root = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, *filter(None, [os.environ.get("PYTHONPATH")])])}
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=log, text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark step {' '.join(args[:2])} failed (exit {proc.returncode}); see the log")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def model_precision(config: dict, name: str) -> str:
    """The precision model `name` trains in under `config` (its section's training.precision)."""
    return config[MODELS[name][0]]["training"].get("precision", "float32")


def fractions_of_peak(row: dict, peaks: dict[str, dict]) -> dict:
    """A model's GFLOP/s against the peak of the precision it trains in (`fraction_of_peak`) and
    against the fp32 GEMM peak (`fraction_of_fp32_peak`); `peaks` keyed by precision."""
    if row["precision"] not in peaks:
        raise ValueError(f"no peak measured for {row['precision']}")
    own = peaks[row["precision"]]["gflops"]
    return {
        "peak_gflops": own,
        "fraction_of_peak": row["gflops"] / own,
        "fraction_of_fp32_peak": row["gflops"] / peaks["float32"]["gflops"],
    }


def run(*, config_path: str, data_dir: str, models: list[str], epochs: int, threads: int, log=None) -> dict:
    """The matrix-product peak of each precision the models train in (fp32 always) and each model's
    epochs, each in its own process, with each model's share of its own precision's peak."""
    import yaml

    from mnistflow import runtime

    log = log or sys.stderr
    config = yaml.safe_load(Path(config_path).read_text())
    common = ["--config", config_path, "--threads", str(threads)]
    peaks = {}
    for precision in ["float32", *sorted({model_precision(config, name) for name in models} - {"float32"})]:
        print(f"{precision} matrix-product peak on {threads} thread(s) ...", file=sys.stderr, flush=True)
        peaks[precision] = _child([PEAK_STEPS[precision], *common], log)
        print(f"  {peaks[precision]['gflops']:.1f} GFLOP/s", file=sys.stderr, flush=True)
    results = []
    for name in models:
        print(f"{name}: {epochs} epochs ...", file=sys.stderr, flush=True)
        row = _child(["model", name, *common, "--data-dir", data_dir, "--epochs", str(epochs)], log)
        row["precision"] = model_precision(config, name)
        row.update(fractions_of_peak(row, peaks))
        row["config_epochs_seconds"] = row["median_epoch_seconds"] * row["config_epochs"]
        results.append(row)
        print(
            f"  {row['median_epoch_seconds']:.2f} s/epoch ({row['backend']}, {row['precision']}), "
            f"{row['gflops']:.1f} GFLOP/s = {100 * row['fraction_of_peak']:.0f}% of the {row['precision']} peak",
            file=sys.stderr,
            flush=True,
        )
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "machine": machine(),
        "versions": runtime.versions(),
        "peaks": peaks,
        "gemm": peaks["float32"],
        "models": results,
        "epochs_measured": epochs,
    }


def main(argv: list[str] | None = None) -> None:
    import yaml

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("gemm", "bf16", "model"))
    parser.add_argument("name", nargs="?", choices=sorted(MODELS))
    parser.add_argument("--config", required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--data-dir", default=os.environ.get("MNIST_DIR"), help="the IDX files (default: MNIST_DIR)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--train", type=int, help="train on this many images an epoch (default: all)")
    parser.add_argument("--size", type=int, default=2048, help="matrix size of the peak steps")
    parser.add_argument("--seconds", type=float, default=3.0, help="how long the peak steps repeat their product")
    args = parser.parse_args(argv)
    if args.step in PEAK_STEPS.values():
        peak = gemm_peak if args.step == "gemm" else bf16_peak
        out = peak(threads=args.threads, size=args.size, seconds=args.seconds)
    else:
        if not args.name or not args.data_dir:
            parser.error("the model step needs a model name and --data-dir (or MNIST_DIR)")
        config = yaml.safe_load(Path(args.config).read_text())
        out = model_epochs(
            args.name,
            config=config,
            data_dir=args.data_dir,
            epochs=args.epochs,
            threads=args.threads,
            train_images=args.train,
        )
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
