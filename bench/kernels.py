#!/usr/bin/env python
"""Does the CNN's result depend on which oneDNN kernels run? Train it under several kernel settings.

    .venv/bin/python bench/kernels.py [--npz results/data/mnist.npz] [--epochs 1] [--settings default AVX2 ...]

Each setting trains the config's CNN (seed 123, the config's threads) in a fresh process and prints
a digest of the trained weights, the test accuracy and the training time. Equal digests mean equal
numbers. Settings: `default` (oneDNN picks by the CPU), an instruction set name (ONEDNN_MAX_CPU_ISA,
as the config key onednn_max_isa), `no-onednn` (TF_ENABLE_ONEDNN_OPTS=0), `one-cpu` (the process
pinned to one CPU with the same thread count). See README, Reproducibility.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

CHILD = """
import hashlib, json, sys
sys.path.insert(0, {repo!r})
import yaml
from mnistflow import jobs
config = yaml.safe_load(open({config!r}))
cnn = config["cnn"]
out = {out!r}
record = jobs.train_classifier(npz={npz!r}, builder="cnn_classifier", model_args=cnn["model"],
    training=dict(cnn["training"], epochs={epochs}), seed=123, threads=config["threads"], backend="tensorflow",
    out_model=out + "/model.keras", out_metrics=out + "/metrics.json", out_timing=out + "/timing.json",
    out_predictions=out + "/predictions.npz",
    onednn_max_isa={isa!r})
import keras
weights = keras.saving.load_model(out + "/model.keras", compile=False).get_weights()
timing = json.load(open(out + "/timing.json"))
print("RESULT " + json.dumps({{"weights_sha256": hashlib.sha256(b"".join(w.tobytes() for w in
weights)).hexdigest()[:16],
    "test_accuracy": record["test"]["accuracy"], "fit_seconds": timing["fit_seconds"]}}))
"""


def run(setting: str, args) -> dict:
    env = dict(os.environ)
    env.pop("ONEDNN_MAX_CPU_ISA", None)
    prefix, isa = [], None
    if setting == "no-onednn":
        env["TF_ENABLE_ONEDNN_OPTS"] = "0"
    elif setting == "one-cpu":
        prefix = ["taskset", "-c", "0"]
    elif setting != "default":
        isa = setting
    with tempfile.TemporaryDirectory() as out:
        code = CHILD.format(repo=str(REPO), config=args.config, out=out, npz=args.npz, epochs=args.epochs, isa=isa)
        result = subprocess.run([*prefix, sys.executable, "-c", code], env=env, capture_output=True, text=True)
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    if result.returncode or not lines:
        sys.exit(f"setting {setting} failed:\n{result.stderr[-3000:]}")
    return {"setting": setting, **json.loads(lines[-1].removeprefix("RESULT "))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(REPO / "config" / "config.yaml"))
    parser.add_argument("--npz", default="results/data/mnist.npz", help="prepared data (rule prepare_data's output)")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument(
        "--settings", nargs="+", default=["default", "default", "one-cpu", "AVX512_CORE", "AVX2", "no-onednn"]
    )
    parser.add_argument("--out", default="results/bench/kernels.json")
    args = parser.parse_args()
    if not Path(args.npz).is_file():
        sys.exit(f"no prepared data at {args.npz}: run `snakemake results/data/mnist.npz` first, or pass --npz")
    rows = []
    print(f"{'setting':<14} {'weights sha256':<18} {'test acc':>9} {'fit s':>7}")
    for setting in args.settings:
        row = run(setting, args)
        rows.append(row)
        print(
            f"{row['setting']:<14} {row['weights_sha256']:<18} {row['test_accuracy']:>9.4f} {row['fit_seconds']:>7.1f}",
            flush=True,
        )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(
        json.dumps({"epochs": args.epochs, "command": " ".join(sys.argv), "rows": rows}, indent=1)
    )
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
