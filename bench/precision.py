#!/usr/bin/env python
"""Would the dense networks train faster in bfloat16? Products and epochs by backend, precision and XLA library.

    MNIST_DIR=../shared/data/mnist .venv/bin/python bench/precision.py [--epochs 3] [--threads 2] [--out F]

The dense networks train on Keras' JAX backend in float32. This CPU's BF16 units (avx512_bf16, or
AMX on the Intel kind) double the matrix peak where a library uses them. For each cell below, in a
process of its own:

- JAX's matrix product of two 2048 x 2048 matrices in float32 and in bfloat16, under XLA's default
  CPU code and under each of its optional libraries (`--xla_cpu_use_onednn`,
  `--xla_cpu_experimental_onednn_custom_call`, `--xla_cpu_use_xnnpack`);
- the 2D sweep network (the config's `sweep` section, the largest penalty factor) trained for
  `--epochs` epochs by the workflow's own fit function (bench/throughput.py), in float32 and in
  Keras' mixed_bfloat16 policy, on JAX under each library and on TensorFlow (oneDNN).

Speed only: whether the numbers stay within their intervals in bfloat16 is a separate question.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

#: XLA's CPU matrix-product libraries: the label and the XLA_FLAGS that choose it.
LIBRARIES = {
    "xla": "",
    "onednn": "--xla_cpu_use_onednn=true",
    "onednn-custom-call": "--xla_cpu_experimental_onednn_custom_call=true",
    "xnnpack": "--xla_cpu_use_xnnpack=true",
}


def jax_products(*, size: int, seconds: float) -> dict:
    """Best GFLOP/s of JAX's size x size matrix product in float32 and bfloat16 (this process's XLA_FLAGS)."""
    import jax
    from throughput import best_time  # bench/, this script's folder

    out = {}
    for dtype in ("float32", "bfloat16"):
        a = jax.random.normal(jax.random.PRNGKey(1), (size, size)).astype(dtype)
        b = jax.random.normal(jax.random.PRNGKey(2), (size, size)).astype(dtype)
        product = jax.jit(lambda x, y: x @ y)
        best, _ = best_time(lambda f=product, x=a, y=b: f(x, y).block_until_ready(), seconds=seconds)
        out[dtype] = 2 * size**3 / best / 1e9
    return out


def _run(cmd: list[str], flags: str) -> dict:
    env = {
        **os.environ,
        "XLA_FLAGS": flags,
        "JAX_PLATFORMS": "cpu",
        "PYTHONPATH": os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]),
    }
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[1:4])} failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    import yaml

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(REPO / "config" / "config.yaml"))
    parser.add_argument("--data-dir", default=os.environ.get("MNIST_DIR", str(REPO.parent / "shared/data/mnist")))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--train", type=int, help="train on this many images an epoch (default: all)")
    parser.add_argument("--libraries", nargs="+", choices=sorted(LIBRARIES), default=list(LIBRARIES))
    parser.add_argument("--backends", nargs="+", choices=("jax", "tensorflow"), default=["jax", "tensorflow"])
    parser.add_argument("--size", type=int, default=2048)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--out", help="write the results here as JSON")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        sys.stdout.write(json.dumps(jax_products(size=args.size, seconds=args.seconds)) + "\n")
        return

    results = {"products": {}, "epochs": []}
    for label in args.libraries:
        # XLA's CPU client has no thread count: one thread, or all the CPUs (as mnistflow.runtime)
        flags = LIBRARIES[label] + (" --xla_cpu_multi_thread_eigen=false" if args.threads == 1 else "")
        cmd = [sys.executable, __file__, "--child", "--size", str(args.size), "--seconds", str(args.seconds)]
        row = _run(cmd, flags)
        results["products"][label] = row
        print(
            f"JAX product {args.size}^2 under {label}: float32 {row['float32']:.0f}, "
            f"bfloat16 {row['bfloat16']:.0f} GFLOP/s",
            flush=True,
        )

    base = yaml.safe_load(Path(args.config).read_text())
    precisions = ("float32", "mixed_bfloat16")
    cells = [("jax", label, p) for label in args.libraries for p in precisions] if "jax" in args.backends else []
    cells += [("tensorflow", "onednn", p) for p in precisions] if "tensorflow" in args.backends else []
    with tempfile.TemporaryDirectory() as tmp:
        for backend, label, precision in cells:
            config = json.loads(json.dumps(base))
            config["sweep"]["backend"] = backend
            config["sweep"]["training"]["precision"] = precision
            path = Path(tmp) / "config.yaml"
            path.write_text(yaml.safe_dump(config))
            cmd = [
                sys.executable,
                str(REPO / "bench" / "throughput.py"),
                "model",
                "dense_500_300",
                "--config",
                str(path),
                "--threads",
                str(args.threads),
                "--data-dir",
                args.data_dir,
                "--epochs",
                str(args.epochs),
                *(["--train", str(args.train)] if args.train else []),
            ]
            row = _run(cmd, LIBRARIES[label] if backend == "jax" else "")
            row.update(library=label, precision=precision)
            results["epochs"].append(row)
            print(
                f"2D network, {backend} ({label}), {precision}: {row['median_epoch_seconds']:.2f} s an epoch, "
                f"{row['gflops']:.0f} GFLOP/s",
                flush=True,
            )
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
