# Shared set-up: config validation, seeds, paths, code versions.
import itertools
import os
from pathlib import Path

from snakemake.exceptions import WorkflowError

from mnistflow.config import AUGMENTATION_KEYS, ConfigError, continuation_is_exact, derive_seed, design_settings, resolve_data_dir, script_code_version, validate_config
from mnistflow.data import IDX_FILES, NUM_CLASSES
from mnistflow.evaluation import SHIFT_CELL_NAMES
from mnistflow.sweep import FACTOR_PATTERN, factor_labels

REPO = Path(workflow.basedir)
# Python's string hashing is seeded when a process starts: fix it for every job this run starts.
os.environ.update(PYTHONHASHSEED="0")
# JAX jobs keep their compiled programs here (one folder per CPU kind, mnistflow.runtime), so the
# 18 sweep jobs and the reruns skip recompiling: a cached program is the same program, same numbers.
os.environ.setdefault("MNISTFLOW_JAX_CACHE", str(Path(".cache/jax").resolve()))
REPORT_DIR = REPO / "workflow" / "report"
CONDA_ENV = str(REPO / "workflow" / "envs" / "mnistflow.yaml")

try:
    validate_config(config, REPO / "workflow" / "schemas" / "config.schema.yaml")
except ConfigError as exc:
    raise WorkflowError(str(exc)) from None


# The L2 sweep's jobs: one per (factor label, replicate), in a fixed order.
SWEEP_JOBS = list(itertools.product(factor_labels(config["sweep"]["factors"]), range(config["sweep"]["replicates"])))


def for_each_sweep_job(pattern):
    """A sweep rule's output pattern filled in for every (factor, replicate) job, in SWEEP_JOBS order."""
    return [pattern.format(factor=f, replicate=r) for f, r in SWEEP_JOBS]


def without_descriptions(entries):
    """Study candidates or variants without their `description`: the text is the report's, so editing
    it re-renders the report and reruns no job."""
    return {name: {k: v for k, v in entry.items() if k != "description"} for name, entry in entries.items()}


def script_code(name):
    """The code version for the script scripts/<name>.py, as a param: a hash of every library module
    the script imports, directly or through other library modules. Snakemake reruns a job whose params
    changed, so editing a module reruns exactly the jobs whose scripts use it."""
    return script_code_version(REPO / "scripts" / f"{name}.py")


def job_seed(*keys):
    """The seed of a job: derived from the base seed and the job's name/wildcards."""
    return derive_seed(config["seed"], *keys)


def backend_of(section):
    """The Keras backend of a model section: its own `backend`, else keras_backend."""
    return section.get("backend", config["keras_backend"])


def onednn_cap(backend):
    """The oneDNN instruction-set cap of a job on `backend` (config onednn_max_isa; TensorFlow only)."""
    return config.get("onednn_max_isa") if backend == "tensorflow" else None


def report_templates():
    """Template and style files: a change to any of them re-renders the report only."""
    return sorted(str(p) for p in REPORT_DIR.rglob("*") if p.suffix in (".j2", ".css"))


DATA_DIR, DATA_ORIGIN = resolve_data_dir(config)
if DATA_DIR is not None and not DATA_DIR.is_dir():
    raise WorkflowError(
        f"MNIST data directory {DATA_DIR} (from {DATA_ORIGIN}) does not exist. "
        f"Put the four files {', '.join(IDX_FILES.values())} there, or point MNIST_DIR "
        "or the config key data.dir at the directory that holds them."
    )


def optional_report_inputs(wildcards):
    """Inputs of the report that exist only when the config asks for them."""
    inputs = {}
    if DESIGNS:
        inputs["cnn_design"] = rules.select_cnn_design.output.design
    if VARIANTS:
        inputs["hinton_summary"] = rules.aggregate_hinton.output.summary
    if config["cnn_earlier"]["enabled"]:
        inputs["cnn_earlier_metrics"] = rules.train_cnn_earlier.output.metrics
        inputs["cnn_earlier_timing"] = rules.train_cnn_earlier.output.timing
    return inputs


def classifier_files(rule, **wildcards):
    """(metrics file, model file) of a training rule's job with these wildcards."""
    return rule.output.metrics.format(**wildcards), rule.output.model.format(**wildcards)


def benchmark_files(wildcards):
    """The `benchmark:` files of every training and evaluation job (run time, peak memory)."""
    files = [rules.train_dense.benchmark, *for_each_sweep_job(rules.train_sweep.benchmark)]
    files += [rules.train_cnn.benchmark.format(replicate=r) for r in range(config["cnn"]["replicates"])]
    if config["cnn_earlier"]["enabled"]:
        files.append(rules.train_cnn_earlier.benchmark)
    files += [rules.train_hinton.benchmark.format(variant=v, factor=f, replicate=r) for v, f, r in HINTON_JOBS]
    files += [rules.train_cnn_candidate.benchmark.format(design=d, replicate=r) for d, r in DESIGN_JOBS]
    files.append(rules.diagnose_cnn.benchmark)
    if AUGMENTS:  # the 3B controls
        files += [rules.train_dense_augmented.benchmark.format(replicate=r) for r in SWEEP_REPLICATES]
        files += [rules.train_cnn_unaugmented.benchmark.format(replicate=r) for r in CNN_REPLICATES]
    files += [rules.train_autoencoder.benchmark, rules.evaluate_shift.benchmark,
              rules.evaluate_denoising.benchmark, rules.generate_digits.benchmark]
    return [str(f) for f in files]


def hinton_inputs(wildcards):
    """The prepared data, and the factor chosen in 2D for a variant that uses it."""
    inputs = {"npz": rules.prepare_data.output.npz}
    if wildcards.factor == "chosen":
        inputs["l2_choice"] = rules.aggregate_sweep.output.choice_with_decay
    if CONTINUES_2D[wildcards.variant]:  # the 2D models of this replicate; the job takes the chosen factor's
        inputs["continue_models"] = [rules.train_sweep.output.model.format(factor=f, replicate=wildcards.replicate) for f in SWEEP_LABELS]
    return inputs


def chosen_design(wildcards):
    """The design study's choice, as an input of the rules that train the 3A design (none when off)."""
    return {"design": rules.select_cnn_design.output.design} if DESIGNS else {}
