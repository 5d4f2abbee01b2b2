# Shared set-up: config validation, seeds, code versions, the job lists several questions read (the
# sweep's, the CNN's and its design study's, the Hinton study's) and every input function (Snakemake's
# convention, checked by `snakemake --lint`: rule files hold rules, common.smk the functions). A topic
# file reads only these names, its own, and other rules' outputs through `rules.<rule>.output.<key>`
# (tests/test_structure.py).
import itertools
import os
from pathlib import Path

from snakemake.exceptions import WorkflowError

from mnistflow.config import (
    AUGMENTATION_KEYS,
    ConfigError,
    continuation_is_exact,
    derive_seed,
    design_settings,
    resolve_data_dir,
    script_code_version,
    validate_config,
)
from mnistflow.data import IDX_FILES, NUM_CLASSES, is_mnist
from mnistflow.evaluation import SHIFT_CELL_NAMES
from mnistflow.report_inputs import classifier_name, timing_inputs
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

DATA_DIR, DATA_ORIGIN = resolve_data_dir(config)
if DATA_DIR is not None and not DATA_DIR.is_dir():
    raise WorkflowError(
        f"MNIST data directory {DATA_DIR} (from {DATA_ORIGIN}) does not exist. "
        f"Put the four files {', '.join(IDX_FILES.values())} there, or point MNIST_DIR "
        "or the config key data.dir at the directory that holds them."
    )


wildcard_constraints:
    factor=FACTOR_PATTERN,
    replicate=r"[0-9]+",
    design=r"[A-Za-z0-9_]+",


def backend_of(section):
    """The Keras backend of a model section: its own `backend`, else keras_backend."""
    return section.get("backend", config["keras_backend"])


# 2D's L2 sweep: one job per (factor label, replicate), in a fixed order (read by 2D, 3B, the
# classifier selection and the report).
SWEEP = config["sweep"]
SWEEP_LABELS = factor_labels(SWEEP["factors"])
SWEEP_REPLICATES = list(range(SWEEP["replicates"]))
SWEEP_JOBS = list(itertools.product(SWEEP_LABELS, SWEEP_REPLICATES))

# 3A's CNN and its design study (read by 3A, 3B and the classifier selection).
CNN = config["cnn"]
CNN_REPLICATES = list(range(CNN["replicates"]))
STUDY = CNN.get("design_study") or {"enabled": False}
DESIGNS = STUDY["candidates"] if STUDY["enabled"] else {}
DESIGN_JOBS = [(name, r) for name in DESIGNS for r in range(STUDY.get("replicates", 1))]
# The backend that runs saved classifiers in 3B and 4 (a .keras file loads on either backend): the CNN's.
EVALUATION_BACKEND = backend_of(CNN)

# Job name -> `benchmark:` file of every training and evaluation job (run time, peak memory). Each
# topic file adds its own jobs with add_benchmarks; the report's job table reads this mapping.
BENCHMARKS = {}


def add_benchmarks(rule, jobs=({},)):
    """Add a rule's jobs to BENCHMARKS: one per wildcards mapping in `jobs`, named by the rule and
    its wildcards as Snakemake prints them (e.g. 'train_sweep factor=1e-4, replicate=0')."""
    for wildcards in jobs:
        name = " ".join([rule.rule.name, ", ".join(f"{k}={v}" for k, v in wildcards.items())]).strip()
        BENCHMARKS[name] = str(rule.benchmark.format(**wildcards))


def for_each_sweep_job(pattern):
    """A sweep rule's output pattern filled in for every (factor, replicate) job, in SWEEP_JOBS order."""
    return [pattern.format(factor=f, replicate=r) for f, r in SWEEP_JOBS]


def chosen_design(wildcards):
    """The design study's choice, as an input of the rules that train the 3A design (none when off)."""
    return {"design": rules.select_cnn_design.output.design} if DESIGNS else {}


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


def onednn_cap(backend):
    """The oneDNN instruction-set cap of a job on `backend` (config onednn_max_isa; TensorFlow only)."""
    return config.get("onednn_max_isa") if backend == "tensorflow" else None


# The Hinton study (2D's addition, sweep.smk): its variants and jobs, and each job's inputs. It chases
# Hinton's MNIST figure, so it runs only on the MNIST files (the data is checked against the config's
# checksums, so the config's checksums say which data this is).
HINTON = config["hinton_study"]
CITATIONS_APPLY = is_mnist(config["data"]["sha256"])
VARIANTS = HINTON["variants"] if HINTON["enabled"] and CITATIONS_APPLY else {}
# A variant that continues the 2D runs loads their saved models only where that is exact; otherwise it
# trains afresh, with the 2D seed, for all its epochs (config.continuation_is_exact).
CONTINUES_2D = {
    name: bool(v.get("continue_2d")) and continuation_is_exact(SWEEP["training"]) for name, v in VARIANTS.items()
}


def variant_training(name):
    """A Hinton variant's training: the sweep's with the variant's keys replaced."""
    return {**SWEEP["training"], **VARIANTS[name].get("training", {})}


def hinton_grid(name):
    """The (learning-rate label, factor label) cells a variant re-chooses among on validation: its
    learning_rates (else its own rate) by its factors (else "chosen", 2D's factor); none when it lists neither."""
    variant = VARIANTS[name]
    if not (variant.get("factors") or variant.get("learning_rates")):
        return []
    rates = factor_labels(variant.get("learning_rates") or [variant_training(name)["optimizer"]["learning_rate"]])
    factors = factor_labels(variant["factors"]) if variant.get("factors") else ["chosen"]
    return list(itertools.product(rates, factors))


TUNED = [name for name in VARIANTS if hinton_grid(name)]
HINTON_TUNING_JOBS = [
    (name, rate, factor, r)
    for name in TUNED
    for rate, factor in hinton_grid(name)
    for r in range(HINTON["tuning_replicates"])
]
HINTON_TUNING_WILDCARDS = [dict(variant=v, lr=lr, factor=f, replicate=r) for v, lr, f, r in HINTON_TUNING_JOBS]
# every variant's comparison runs, at its chosen settings, with the seeds of the 2D replicates
HINTON_JOBS = [(name, "chosen", r) for name in VARIANTS for r in range(HINTON["replicates"])]
# the 2D settings' own extra seeds, where the study has more replicates than the sweep (the baseline)
HINTON_BASELINE_EXTRA = list(range(SWEEP["replicates"], HINTON["replicates"])) if VARIANTS else []


def hinton_tuning_inputs(wildcards):
    """The prepared data, and 2D's factor for a tuning cell that keeps it."""
    inputs = {"npz": rules.prepare_data.output.npz}
    if wildcards.factor == "chosen":
        inputs["l2_choice"] = rules.aggregate_sweep.output.choice_with_decay
    return inputs


def hinton_inputs(wildcards):
    """The prepared data; the settings the variant uses (re-chosen on validation, or 2D's factor); and, for a
    variant that continues the 2D runs, this replicate's 2D models (or its extra baseline run's)."""
    inputs = {"npz": rules.prepare_data.output.npz}
    if wildcards.variant in TUNED:
        inputs["l2_choice"] = rules.choose_hinton.output.choice.format(variant=wildcards.variant)
    else:
        inputs["l2_choice"] = rules.aggregate_sweep.output.choice_with_decay
    if CONTINUES_2D[wildcards.variant]:  # the job takes the chosen factor's model
        inputs["continue_models"] = continued_models(wildcards.replicate)
    return inputs


def continued_models(replicate):
    """The 2D models a continuing variant's replicate trains on: the sweep's at every factor, or the extra
    baseline run (already at the chosen factor) for a replicate the sweep does not have."""
    if int(replicate) in SWEEP_REPLICATES:
        return [rules.train_sweep.output.model.format(factor=f, replicate=replicate) for f in SWEEP_LABELS]
    return [rules.train_hinton_baseline.output.model.format(replicate=replicate)]


def continued_labels(replicate):
    """The factor label of each of continued_models (params.continue_labels): "chosen" for the baseline run."""
    return SWEEP_LABELS if int(replicate) in SWEEP_REPLICATES else ["chosen"]


def hinton_tuning_metrics(wildcards):
    """A tuned variant's tuning runs (choose_hinton's input), in HINTON_TUNING_JOBS order."""
    return [
        rules.train_hinton_tuning.output.metrics.format(variant=v, lr=lr, factor=f, replicate=r)
        for v, lr, f, r in HINTON_TUNING_JOBS
        if v == wildcards.variant
    ]


def classifier_files(rule, **wildcards):
    """(metrics file, model file) of a training rule's job with these wildcards."""
    return rule.output.metrics.format(**wildcards), rule.output.model.format(**wildcards)


# The report (report.smk).
def report_templates():
    """Template and style files: a change to any of them re-renders the report only."""
    return sorted(str(p) for p in REPORT_DIR.rglob("*") if p.suffix in (".j2", ".css"))


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


# The training jobs' timing records among the report's inputs (where each model trained, how fast).
REPORT_TIMINGS = timing_inputs(config["cnn_earlier"]["enabled"])
