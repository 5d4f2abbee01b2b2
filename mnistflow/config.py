"""Configuration helpers used by the Snakefile: validation, seeds, data location, code versions."""

from __future__ import annotations

import ast
import functools
import hashlib
import os
from pathlib import Path

import jsonschema
import yaml

PACKAGE_DIR = Path(__file__).resolve().parent


class ConfigError(ValueError):
    """A configuration value that cannot be used; the message names the key."""


def _key_path(error: jsonschema.ValidationError) -> str:
    return ".".join(str(p) for p in error.absolute_path) or "(top level)"


def validate_config(config: dict, schema_path: str | os.PathLike) -> None:
    """Check `config` against the JSON schema and the rules a schema cannot express.

    Raises ConfigError whose message lists every problem, each naming its key.
    """
    schema = yaml.safe_load(Path(schema_path).read_text())
    validator = jsonschema.Draft202012Validator(schema)
    problems = []
    for error in sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.absolute_path))):
        problems.append(f"config key {_key_path(error)}: {error.message}")
    if not problems:
        problems.extend(_cross_checks(config))
    if not problems:
        problems.extend(_design_checks(config, schema))
    if problems:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems))


#: The model settings that augment the training images (models.augmentation_layers).
AUGMENTATION_KEYS = ("augment_shift", "augment_rotation", "augment_zoom")


#: The cores `make report` gives Snakemake: tools/build.py and tools/plan.py add `--cores REPORT_CORES` to a
#: command line without --cores (the Makefile's CORES overrides it), and the report's rebuild command uses it.
REPORT_CORES = 4


def design_part(design: dict, part: str, model: dict, training: dict) -> tuple[dict, dict]:
    """The model and training a rule trains, given the design chosen by the 3A study: "all" takes the
    design's; "without_augmentation" takes them with every augmentation setting 0; "augmentation" keeps
    `model` and `training` and takes only the design's augmentation settings."""
    if part == "all":
        return dict(design["model"]), dict(design["training"])
    if part == "without_augmentation":
        return {**design["model"], **{key: 0 for key in AUGMENTATION_KEYS}}, dict(design["training"])
    if part == "augmentation":
        return {**model, **{key: design["model"].get(key, 0) for key in AUGMENTATION_KEYS}}, dict(training)
    raise ValueError(f"unknown design part {part!r}: all, without_augmentation or augmentation")


def design_settings(cnn: dict, candidate: dict) -> dict:
    """A design-study candidate's model and training: the CNN's, with the candidate's keys replaced."""
    return {
        "model": {**cnn["model"], **candidate.get("model", {})},
        "training": {**cnn["training"], **candidate.get("training", {})},
    }


def continuation_is_exact(training: dict) -> bool:
    """Whether training on from a saved model gives what training the same seed for longer gives:
    only for plain SGD (no momentum) at a constant learning rate, which keep no optimizer state and
    do not depend on the total number of epochs. A Hinton variant with `continue_2d` continues the
    saved 2D models when this holds, and otherwise trains afresh with the 2D seed for all its epochs."""
    optimizer = training["optimizer"]
    return (
        optimizer["name"] == "sgd"
        and not optimizer.get("momentum")
        and training.get("schedule", "constant") == "constant"
    )


def _design_checks(config: dict, schema: dict) -> list[str]:
    """Each design-study candidate and each Hinton-study variant, once its keys are replaced, must be a
    valid model and training; a variant trained on the validation images cannot choose on them."""
    problems = []
    training_schema = jsonschema.Draft202012Validator({"$defs": schema["$defs"], "$ref": "#/$defs/training"})
    for name, variant in ((config.get("hinton_study") or {}).get("variants") or {}).items():
        merged = {**config["sweep"]["training"], **variant.get("training", {})}
        for error in training_schema.iter_errors(merged):
            where = ".".join(str(p) for p in error.absolute_path)
            problems.append(
                f"config key hinton_study.variants.{name}.training{'.' + where if where else ''}: {error.message}"
            )
        tuned = [k for k in ("factors", "learning_rates") if variant.get(k)]
        if variant.get("train_on_all") and tuned:
            problems.append(
                f"config key hinton_study.variants.{name}: a variant trained on the validation images (train_on_all) "
                f"cannot re-choose its settings on them; drop {' and '.join(tuned)} (it uses the 2D settings and the "
                "factor chosen in 2D)"
            )
        if variant.get("continue_2d"):
            extra = sorted(set(variant.get("training", {})) - {"epochs"})
            if extra or tuned or variant.get("train_on_all"):
                problems.append(
                    f"config key hinton_study.variants.{name}: a variant that continues the 2D runs (continue_2d) "
                    f"sets only training.epochs, with neither factors, learning_rates nor train_on_all (it has "
                    f"{extra + tuned + (['train_on_all'] if variant.get('train_on_all') else [])})"
                )
            if merged["epochs"] <= config["sweep"]["training"]["epochs"]:
                problems.append(
                    f"config key hinton_study.variants.{name}.training.epochs: {merged['epochs']} does not "
                    f"continue the "
                    f"{config['sweep']['training']['epochs']} epochs of the 2D runs"
                )
        try:
            from .sweep import factor_labels

            factor_labels(variant.get("factors", []))
        except ValueError as exc:
            problems.append(f"config key hinton_study.variants.{name}.factors: {exc}")
        try:
            factor_labels(variant.get("learning_rates", []))
        except ValueError as exc:
            problems.append(f"config key hinton_study.variants.{name}.learning_rates: {exc}")
    study = config.get("cnn", {}).get("design_study") or {}
    for name, candidate in (study.get("candidates") or {}).items():
        merged = design_settings(config["cnn"], candidate)
        for part, ref in (("model", "cnn_model"), ("training", "training")):
            validator = jsonschema.Draft202012Validator({"$defs": schema["$defs"], "$ref": f"#/$defs/{ref}"})
            for error in validator.iter_errors(merged[part]):
                where = ".".join(str(p) for p in error.absolute_path)
                problems.append(
                    f"config key cnn.design_study.candidates.{name}.{part}{'.' + where if where else ''}: "
                    f"{error.message}"
                )
    return problems


#: Number of images in the canonical MNIST training set.
MNIST_TRAIN_SIZE = 60000
MNIST_TEST_SIZE = 10000


def _cross_checks(config: dict) -> list[str]:
    problems = []
    data = config.get("data", {})
    val = data.get("validation_size")
    subset = data.get("subset") or {}
    if val is not None and val >= MNIST_TRAIN_SIZE:
        problems.append(
            f"config key data.validation_size: {val} leaves no training images; "
            f"it must be below the {MNIST_TRAIN_SIZE} MNIST training images"
        )
    elif val is not None and subset.get("train") and subset["train"] > MNIST_TRAIN_SIZE - val:
        problems.append(
            f"config key data.subset.train: {subset['train']} is more than the "
            f"{MNIST_TRAIN_SIZE - val} training images left after the validation split"
        )
    try:
        from .sweep import factor_labels

        factor_labels(config.get("sweep", {}).get("factors", []))
    except ValueError as exc:
        problems.append(f"config key sweep.factors: {exc}")
    if subset.get("test") and subset["test"] > MNIST_TEST_SIZE:
        problems.append(f"config key data.subset.test: {subset['test']} is more than the {MNIST_TEST_SIZE} test images")
    return problems


def derive_seed(base: int, *keys: object) -> int:
    """A reproducible 31-bit seed derived from the base seed and any keys (rule name, replicate...)."""
    text = ":".join([str(base), *map(str, keys)])
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") & 0x7FFFFFFF


def resolve_data_dir(config: dict, environ: dict | None = None) -> tuple[Path | None, str]:
    """Where the IDX files are: MNIST_DIR overrides config data.dir; None means Keras' downloader.

    Returns (directory or None, a phrase naming where the setting came from).
    """
    environ = os.environ if environ is None else environ
    if environ.get("MNIST_DIR"):
        return Path(environ["MNIST_DIR"]).expanduser().resolve(), "the environment variable MNIST_DIR"
    if config.get("data", {}).get("dir"):
        return Path(config["data"]["dir"]).expanduser().resolve(), "the config key data.dir"
    return None, "Keras' downloader (neither MNIST_DIR nor data.dir is set)"


def code_version(*modules: str) -> str:
    """A short hash of the named library modules' source, passed as a rule param.

    Snakemake reruns a job when its params change, so editing a library module
    reruns exactly the rules that declare they use it.
    """
    digest = hashlib.sha256()
    for module in sorted(set(modules)):
        path = PACKAGE_DIR / f"{module}.py"
        if not path.is_file():
            raise ConfigError(f"code_version: no library module mnistflow/{module}.py")
        digest.update(module.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def _file_imports(path: Path, *, inside_package: bool) -> set[str]:
    """_library_imports of a file, parsed once per content: every Snakemake start (each dry run, each
    cluster job) hashes the code of every rule, and parsing the modules each script reaches, for each
    script, took about 2 s of the 3 s a start took."""
    stat = path.stat()
    return set(_cached_file_imports(str(path), stat.st_mtime_ns, stat.st_size, inside_package))


@functools.cache
def _cached_file_imports(path: str, mtime_ns: int, size: int, inside_package: bool) -> frozenset[str]:
    return frozenset(_library_imports(Path(path).read_text(), inside_package=inside_package))


def _library_imports(source: str, *, inside_package: bool) -> set[str]:
    """Names of mnistflow modules that a piece of Python source imports (at any depth, functions included)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module == "mnistflow":
                found |= {alias.name for alias in node.names}
            elif node.level == 0 and node.module and node.module.startswith("mnistflow."):
                found.add(node.module.split(".")[1])
            elif node.level == 1 and inside_package:
                found |= {alias.name for alias in node.names} if node.module is None else {node.module.split(".")[0]}
        elif isinstance(node, ast.Import):
            found |= {alias.name.split(".")[1] for alias in node.names if alias.name.startswith("mnistflow.")}
    # a name that is not a module file is an attribute of the package itself
    return {name if (PACKAGE_DIR / f"{name}.py").is_file() else "__init__" for name in found}


def library_modules(script: str | Path) -> list[str]:
    """The library modules a rule script uses: those it imports, and those they import, transitively."""
    todo = _file_imports(Path(script), inside_package=False)
    seen: set[str] = set()
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        todo |= _file_imports(PACKAGE_DIR / f"{module}.py", inside_package=True) - seen
    if seen:
        seen.add("__init__")  # importing any module of the package runs the package's __init__ first
    return sorted(seen)


def script_code_version(script: str | Path) -> str:
    """code_version of every library module a rule script uses (computed from its imports, never listed)."""
    return code_version(*library_modules(script))
