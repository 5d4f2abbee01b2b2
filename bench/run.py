#!/usr/bin/env python
"""Per-epoch throughput of every model against this machine's peak in the precision it trains in.

    .venv/bin/python bench/run.py [--epochs 3] [--threads N] [--out results/bench/throughput.json]

Prints progress and a table; writes the measurements as JSON. See docs/performance.md.
"""

import argparse
import os
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import throughput  # noqa: E402  (bench/, this script's folder)

from mnistflow import files  # noqa: E402
from mnistflow.config import resolve_data_dir  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(REPO / "config" / "config.yaml"))
    parser.add_argument("--models", nargs="+", default=list(throughput.MODELS), choices=list(throughput.MODELS))
    parser.add_argument(
        "--epochs", type=int, default=3, help="epochs per model; the first (compilation) is not counted"
    )
    parser.add_argument("--threads", type=int, help="threads per process (default: the config's threads)")
    parser.add_argument("--out", default="results/bench/throughput.json")
    args = parser.parse_args()
    if args.epochs < 2:
        parser.error("--epochs must be at least 2: the first epoch includes compilation and is not counted")
    config = yaml.safe_load(Path(args.config).read_text())
    data_dir, _ = resolve_data_dir(config, os.environ)
    if data_dir is None:
        sys.exit("the benchmark reads the IDX files: set MNIST_DIR (or data.dir in the config) to their directory")
    threads = args.threads or config["threads"]
    result = throughput.run(
        config_path=args.config, data_dir=str(data_dir), models=args.models, epochs=args.epochs, threads=threads
    )
    result["command"] = " ".join([Path(sys.executable).name, *sys.argv])
    files.write_json(args.out, result)
    print()
    for precision, peak in result["peaks"].items():
        print(f"{precision} matrix-product peak: {peak['gflops']:.1f} GFLOP/s ({threads} threads)")
    print(
        f"{'model':<15} {'backend':<11} {'precision':<15} {'s/epoch':>8} {'GFLOP/s':>8} {'of its peak':>12} "
        f"{'config epochs':>14}"
    )
    for row in result["models"]:
        print(
            f"{row['model']:<15} {row['backend']:<11} {row['precision']:<15} {row['median_epoch_seconds']:>8.2f} "
            f"{row['gflops']:>8.1f} {100 * row['fraction_of_peak']:>11.0f}% {row['config_epochs']:>5} = "
            f"{row['config_epochs_seconds']:>5.0f} s"
        )
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
