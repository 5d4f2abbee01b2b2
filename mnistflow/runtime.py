"""Process set-up for a training job: Keras backend, thread pools, seeds, determinism.

Call `configure` before anything imports Keras: the backend and XLA's thread
flags are read once, at import time.
"""

from __future__ import annotations

import functools
import os
import random
import sys

BACKENDS = ("jax", "tensorflow")


def limit_native_threads(threads: int) -> None:
    """Limit OpenMP/BLAS thread pools (NumPy's matrix products among them); effective only
    before those libraries are loaded."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)


ONEDNN_ISAS = (
    "SSE41",
    "AVX",
    "AVX2",
    "AVX2_VNNI",
    "AVX512_CORE",
    "AVX512_CORE_VNNI",
    "AVX512_CORE_BF16",
    "AVX512_CORE_FP16",
    "AVX512_CORE_AMX",
    "ALL",
)


def configure(*, backend: str, threads: int, seed: int, onednn_max_isa: str | None = None):
    """Choose the Keras backend, limit thread pools to `threads`, seed everything.

    `onednn_max_isa` caps the instruction set of TensorFlow's oneDNN kernels
    (ONEDNN_MAX_CPU_ISA): the kernels it picks, and so the rounding of their sums,
    depend on it (measured: AVX2 and AVX-512 train different CNN weights), so two
    machines with different CPU features give the same numbers only under a common
    cap. Returns the imported `keras` module. Same backend + threads + seed (+ cap)
    gives the same numbers on the same machine.
    """
    if onednn_max_isa is not None and onednn_max_isa not in ONEDNN_ISAS:
        raise ValueError(f"unknown oneDNN instruction set {onednn_max_isa!r}; choose one of {ONEDNN_ISAS}")
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
    if backend == "tensorflow":
        if onednn_max_isa is not None:
            os.environ["ONEDNN_MAX_CPU_ISA"] = onednn_max_isa  # read once, when oneDNN first runs
        else:
            os.environ.pop("ONEDNN_MAX_CPU_ISA", None)
    import keras

    if backend == "tensorflow":
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
        tf.config.experimental.enable_op_determinism()
        _array_feed_without_autotune()
    _without_tensorflow(keras, backend)
    if backend == "jax":
        _compilation_cache()
    random.seed(seed)
    keras.utils.set_random_seed(seed)
    return keras


def _compilation_cache() -> None:
    """JAX's persistent compilation cache in $MNISTFLOW_JAX_CACHE/<CPU flag digest>, when that is set:
    a job whose programs were compiled before (another replicate, a rerun) loads them instead of
    compiling again (about 1.2 s a job, measured). The folder is per CPU kind because XLA compiles for
    the CPU it runs on, and a cluster may mix kinds behind one file system."""
    base = os.environ.get("MNISTFLOW_JAX_CACHE")
    if not base:
        return
    import jax

    folder = os.path.join(base, cpu_identity().get("cpu_flags_sha256", "unknown"))
    jax.config.update("jax_compilation_cache_dir", folder)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)


def _array_feed_without_autotune() -> None:
    """Keras' TensorFlow trainer feeds NumPy arrays through a tf.data pipeline that it makes anew each
    epoch (and for each validation pass). With tf.data's autotuning on, dropping the last epoch's
    pipeline waits for its autotuning thread: in about a third of the CNN's epochs that wait was
    3.8-4.5 s with the CPUs idle (measured with bench/epoch_stall.py; docs/performance.md).
    Autotuning only chooses how many threads prepare batches, never which images or in what order,
    so with it off the batches, and the numbers, are the same (tested). Keras' array feed therefore
    runs with it off. Keras has no option for this: the wrapper replaces its adapter's method, and
    the test of it fails if a Keras version moves that method."""
    import tensorflow as tf
    from keras.src.trainers.data_adapters.array_data_adapter import ArrayDataAdapter

    if hasattr(ArrayDataAdapter.get_tf_dataset, "keras_original"):
        return
    original = ArrayDataAdapter.get_tf_dataset

    def get_tf_dataset(self):
        options = tf.data.Options()
        options.autotune.enabled = False
        return original(self).with_options(options)

    get_tf_dataset.keras_original = original
    ArrayDataAdapter.get_tf_dataset = get_tf_dataset


def _without_tensorflow(keras, backend: str) -> None:
    """On the JAX backend, let Keras behave as if TensorFlow were not installed.

    Keras uses TensorFlow whenever it is installed: set_random_seed seeds it (for tf.data) and
    model saving reads paths through tf.io.gfile. On a JAX job that imports TensorFlow for nothing:
    about 2.5 s at start and 1.3 s at exit, measured (docs/performance.md). The JAX jobs feed NumPy
    arrays and local paths, so Keras' lazy TensorFlow handle is marked unavailable, the same state
    as a JAX-only installation. Skipped if TensorFlow is loaded already or the handle has moved.
    """
    if backend == "tensorflow" or "tensorflow" in sys.modules:
        return
    try:
        from keras.src.utils import module_utils
    except ImportError:
        return
    handle = getattr(module_utils, "tensorflow", None)
    if handle is not None and hasattr(handle, "_available") and handle.module is None:
        handle._available = False


def memory_gib() -> float | None:
    """The machine's physical memory in GiB (one decimal), None where the OS does not say."""
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (AttributeError, ValueError, OSError):
        return None


@functools.lru_cache(maxsize=1)
def cpu_identity() -> dict:
    """The CPU facts that kernel choice (and so the rounding of sums) depends on: model name, a digest
    of the instruction-set flags, and the cache sizes. Two machines with equal identities run the same
    kernels; read from /proc and /sys on Linux, empty elsewhere."""
    import hashlib
    from pathlib import Path

    out: dict = {}
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return out
    fields = dict(line.split(":", 1) for line in info.split("\n\n")[0].splitlines() if ":" in line)
    fields = {key.strip(): value.strip() for key, value in fields.items()}
    out["cpu_model"] = fields.get("model name")
    flags = sorted(fields.get("flags", "").split())
    out["cpu_flags_sha256"] = hashlib.sha256(" ".join(flags).encode()).hexdigest()[:12]
    out["avx512"] = any(flag.startswith("avx512") for flag in flags)
    caches = {}
    for index in sorted(Path("/sys/devices/system/cpu/cpu0/cache").glob("index*")):
        try:
            level, kind, size = ((index / name).read_text().strip() for name in ("level", "type", "size"))
        except OSError:
            continue
        caches[f"L{level}{'' if kind == 'Unified' else kind[0].lower()}"] = size
    out["cpu_caches"] = caches
    return out


def versions() -> dict[str, str]:
    """Versions of the packages that produce the numbers."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": sys.version.split()[0]}
    for name in (
        "keras",
        "jax",
        "jaxlib",
        "tensorflow-cpu",
        "tensorflow",
        "numpy",
        "pandas",
        "matplotlib",
        "jinja2",
        "snakemake",
        "weasyprint",
    ):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            pass
    return out
