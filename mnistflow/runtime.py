"""Process set-up for a training job: Keras backend, thread pools, seeds, determinism.

Call `configure` before anything imports Keras: the backend and XLA's thread
flags are read once, at import time.
"""

from __future__ import annotations

import os
import random
import sys

BACKENDS = ("jax", "tensorflow")


def limit_native_threads(threads: int) -> None:
    """Limit OpenMP/BLAS thread pools (NumPy's matrix products among them); effective only
    before those libraries are loaded."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)


def configure(*, backend: str, threads: int, seed: int):
    """Choose the Keras backend, limit thread pools to `threads`, seed everything.

    Returns the imported `keras` module. Same backend + threads + seed gives the
    same numbers on the same machine.
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown Keras backend {backend!r}; choose one of {BACKENDS}")
    if "keras" in sys.modules and sys.modules["keras"].backend.backend() != backend:
        raise RuntimeError("Keras was imported before runtime.configure; the backend can no longer change")
    threads = max(1, int(threads))
    os.environ["KERAS_BACKEND"] = backend
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    # PYTHONHASHSEED only acts on a process that starts with it: the Snakefile sets it for every job.
    limit_native_threads(threads)
    if backend == "jax":
        os.environ["JAX_PLATFORMS"] = "cpu"
        flags = os.environ.get("XLA_FLAGS", "")
        # XLA's CPU client has one switch, Eigen's thread pool on or off; there is no flag for a thread
        # count (an unknown flag such as --intra_op_parallelism_threads aborts XLA at start-up). So one
        # thread is enforced and more than one means XLA's own pool.
        if threads == 1 and "xla_cpu_multi_thread_eigen" not in flags:
            flags += " --xla_cpu_multi_thread_eigen=false"
        os.environ["XLA_FLAGS"] = flags.strip()
    import keras

    if backend == "tensorflow":
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
        tf.config.experimental.enable_op_determinism()
    random.seed(seed)
    keras.utils.set_random_seed(seed)
    return keras


def versions() -> dict[str, str]:
    """Versions of the packages that produce the numbers."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": sys.version.split()[0]}
    for name in ("keras", "jax", "jaxlib", "tensorflow-cpu", "tensorflow", "numpy", "pandas", "matplotlib", "jinja2", "snakemake", "weasyprint"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            pass
    return out
