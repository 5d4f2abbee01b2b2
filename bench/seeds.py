#!/usr/bin/env python
"""Does training several seeds of the 2D network in one process (JAX vmap) beat one seed a process?

    .venv/bin/python bench/seeds.py [--config config/config.yaml] [--seeds 1 3 5] [--threads 2]

For each seed count S it trains S copies of the config's sweep network (its layer sizes and batch
size, plain SGD, L2 on the hidden kernels) on random MNIST-shaped data for one timed epoch, all S in
one compiled `jax.vmap` over a `lax.scan` of the epoch's steps, after one untimed epoch that compiles
it. It prints seconds per seed-epoch and GFLOP/s; S = 1 is the one-seed-a-process baseline (the
same compiled loop without the batch axis of seeds). Speed only: the data is random.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def seed_epochs(*, seeds: int, units: list[int], batch_size: int, n_train: int) -> dict:
    """One timed epoch of `seeds` networks trained side by side (run in a process of its own)."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    dims = [784, *units, 10]
    steps = n_train // batch_size

    def init(key):
        keys = jax.random.split(key, len(dims) - 1)
        return [
            (jax.random.normal(k, (a, b)) * np.sqrt(2 / a), jnp.zeros(b))
            for k, a, b in zip(keys, dims[:-1], dims[1:], strict=True)
        ]

    def loss(params, x, y):
        h = x
        for i, (w, b) in enumerate(params):
            h = h @ w + b
            h = jax.nn.relu(h) if i < len(params) - 1 else h
        decay = sum(jnp.sum(w * w) for w, _ in params[:-1])
        return -jnp.mean(jnp.sum(jax.nn.log_softmax(h) * y, -1)) + 1e-4 * decay

    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.random((steps * batch_size, 784), dtype=np.float32))
    y = jnp.asarray(np.eye(10, dtype=np.float32)[rng.integers(0, 10, steps * batch_size)])

    def epoch(params, order):
        def step(params, idx):
            grads = jax.grad(loss)(params, x[idx], y[idx])
            return jax.tree.map(lambda p, g: p - 0.1 * g, params, grads), None

        return jax.lax.scan(step, params, order.reshape(steps, batch_size))[0]

    params = jax.vmap(init)(jax.random.split(jax.random.PRNGKey(0), seeds))
    orders = jnp.stack([jnp.asarray(rng.permutation(steps * batch_size)) for _ in range(seeds)])
    train = jax.jit(jax.vmap(epoch))
    jax.block_until_ready(params := train(params, orders))  # compiles
    start = time.perf_counter()
    jax.block_until_ready(train(params, orders))
    seconds = time.perf_counter() - start
    macs = sum(a * b for a, b in zip(dims[:-1], dims[1:], strict=True))
    flops = 6 * macs * steps * batch_size * seeds  # forward 2, backward 4 FLOPs a weight and image
    return {"seeds": seeds, "seconds_per_seed_epoch": seconds / seeds, "gflops_per_second": flops / seconds / 1e9}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(REPO / "config" / "config.yaml"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 3, 5])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--train", type=int, default=55000, help="training images an epoch")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    import yaml

    sweep = yaml.safe_load(open(args.config))["sweep"]
    units, batch = sweep["model"]["hidden_units"], sweep["training"]["batch_size"]
    if args.child:
        print(
            "RESULT " + json.dumps(seed_epochs(seeds=args.seeds[0], units=units, batch_size=batch, n_train=args.train))
        )
        return
    # XLA's CPU backend takes no thread count: one thread, or all the CPUs (as mnistflow.runtime)
    flags = "--xla_cpu_multi_thread_eigen=false" if args.threads == 1 else ""
    env = dict(os.environ, XLA_FLAGS=flags, JAX_PLATFORMS="cpu")
    for seeds in args.seeds:
        cmd = [
            sys.executable,
            __file__,
            "--child",
            "--config",
            args.config,
            "--train",
            str(args.train),
            "--seeds",
            str(seeds),
        ]
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
        result = json.loads(out.split("RESULT ", 1)[1])
        print(
            f"{seeds} seed(s) in one process: {result['seconds_per_seed_epoch']:.2f} s a seed-epoch, "
            f"{result['gflops_per_second']:.0f} GFLOP/s",
            flush=True,
        )


if __name__ == "__main__":
    main()
