"""A short throughput probe of this machine, for the forecast (mnistflow/plan.py): the seconds one
training step of the 2D network (784-500-300-10, batch 128, SGD, Keras on JAX, the threads of a job)
takes now, the bulk of a default build's work. The reference machine's job times are scaled by the
ratio of this machine's step to the reference machine's, both measured by this probe.

    python -m mnistflow.probe [--threads N] [--seconds S]     (prints one JSON object)

The result is kept for a day per machine (`cached`), so that `make plan` and `make report` do not pay
its few seconds each time.
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

# the shape of the probe: the 2D network at its batch size (config.yaml's sweep)
UNITS, BATCH, SAMPLES = (500, 300), 128, 4096
CACHE_SECONDS = 24 * 3600


def measure(threads: int = 2, seconds: float = 1.5) -> dict:
    """Train the probe network on random images for about `seconds` after a warm-up epoch; the
    median seconds per step of its epochs."""
    from . import runtime

    keras = runtime.configure(backend="jax", threads=threads, seed=0)
    import numpy as np

    from . import models

    rng = np.random.default_rng(0)
    x = rng.random((SAMPLES, 28, 28), dtype=np.float32)
    y = keras.utils.to_categorical(rng.integers(0, 10, SAMPLES), 10)
    model = models.dense_classifier(hidden_units=list(UNITS), activation="relu")
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="categorical_crossentropy")
    steps = SAMPLES // BATCH
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)  # compiles
    per_step, start = [], time.perf_counter()
    while time.perf_counter() - start < seconds or len(per_step) < 3:
        t0 = time.perf_counter()
        model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
        per_step.append((time.perf_counter() - t0) / steps)
    return {"step_seconds": float(np.median(per_step)), "epochs": len(per_step), "threads": threads}


def machine() -> str:
    """What the cache is kept per: host, CPU model and CPU count."""
    from .runtime import cpu_identity

    return f"{platform.node()}|{cpu_identity().get('cpu_model')}|{os.cpu_count()}"


def cached(path: str | os.PathLike, threads: int = 2, now: float | None = None) -> dict | None:
    """The probe's result for this machine: from `path` when it is less than a day old and from this
    machine, else measured afresh in a subprocess (Keras must not be imported here) and saved there.
    None when the probe fails (the forecast then uses the reference times unscaled)."""
    path, now = Path(path), time.time() if now is None else now
    try:
        kept = json.loads(path.read_text())
        if kept["machine"] == machine() and kept["threads"] == threads and now - kept["time"] < CACHE_SECONDS:
            return kept
    except (OSError, ValueError, KeyError, TypeError):
        pass
    result = subprocess.run(
        [sys.executable, "-m", "mnistflow.probe", "--threads", str(threads)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    if result.returncode:
        return None
    found = json.loads(result.stdout.strip().splitlines()[-1])
    found.update(machine=machine(), time=now)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(found))
    except OSError:
        pass
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=1.5)
    args = parser.parse_args()
    print(json.dumps(measure(args.threads, args.seconds)))


if __name__ == "__main__":
    main()
