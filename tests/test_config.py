"""Config validation, seeds, data location and code versions."""

import copy

import pytest
import yaml
from conftest import REPO
from snakemake.utils import update_config

from mnistflow.config import ConfigError, code_version, derive_seed, resolve_data_dir, validate_config

SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"


@pytest.fixture
def config():
    return yaml.safe_load((REPO / "config" / "config.yaml").read_text())


def test_default_and_smoke_configs_are_valid(config):
    validate_config(config, SCHEMA)
    smoke = yaml.safe_load((REPO / "config" / "smoke.yaml").read_text())
    merged = copy.deepcopy(config)
    update_config(merged, smoke)  # as snakemake --configfile merges it
    validate_config(merged, SCHEMA)
    assert merged["dense"]["training"]["batch_size"] == config["dense"]["training"]["batch_size"]


@pytest.mark.parametrize(
    "path, value, message",
    [
        (("dense", "training", "epochs"), 0, r"config key dense\.training\.epochs: 0 is less than the minimum of 1"),
        (
            ("dense", "training", "batch_size"),
            -5,
            r"config key dense\.training\.batch_size: -5 is less than the minimum of 1",
        ),
        (("dense", "training", "epochs"), "ten", r"config key dense\.training\.epochs: 'ten' is not of type 'integer'"),
        (("dense", "model", "hidden_units"), [], r"config key dense\.model\.hidden_units: \[\] should be non-empty"),
        (
            ("dense", "training", "optimizer", "name"),
            "rmsprop",
            r"config key dense\.training\.optimizer\.name: 'rmsprop' is not one of",
        ),
        (
            ("dense", "training", "optimizer", "learning_rate"),
            0,
            r"config key dense\.training\.optimizer\.learning_rate: 0 is less than or equal to the minimum",
        ),
        (("keras_backend",), "torch", r"config key keras_backend: 'torch' is not one of \['jax', 'tensorflow'\]"),
        (("data", "validation_size"), 60000, r"config key data\.validation_size: 60000 leaves no training images"),
        (("data", "subset"), {"train": 0}, r"config key data\.subset\.train: 0 is less than the minimum of 1"),
        (
            ("data", "sha256", "t10k-labels-idx1-ubyte"),
            "abc",
            r"config key data\.sha256\.t10k-labels-idx1-ubyte: 'abc' does not match",
        ),
        (("threads",), 0, r"config key threads: 0 is less than the minimum of 1"),
    ],
)
def test_bad_values_name_the_key(config, path, value, message):
    target = config
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(ConfigError, match=message):
        validate_config(config, SCHEMA)


def test_unknown_key_is_refused(config):
    config["dense"]["training"]["epoch"] = 3
    with pytest.raises(
        ConfigError,
        match=r"config key dense\.training: Additional properties are not allowed \('epoch' was unexpected\)",
    ):
        validate_config(config, SCHEMA)


def test_subset_larger_than_training_split(config):
    config["data"]["subset"] = {"train": 56000}
    with pytest.raises(ConfigError, match=r"data\.subset\.train: 56000 is more than the 55000 training images"):
        validate_config(config, SCHEMA)


def test_derive_seed_is_stable_and_distinct():
    assert derive_seed(1234, "dense") == derive_seed(1234, "dense")
    assert derive_seed(1234, "dense") != derive_seed(1235, "dense")
    assert derive_seed(1234, "sweep", 0) != derive_seed(1234, "sweep", 1)
    assert 0 <= derive_seed(7, "x") < 2**31


def test_resolve_data_dir_precedence(tmp_path):
    config = {"data": {"dir": str(tmp_path / "from_config")}}
    assert resolve_data_dir(config, {"MNIST_DIR": str(tmp_path / "env")})[0] == tmp_path / "env"
    assert resolve_data_dir(config, {})[0] == tmp_path / "from_config"
    assert resolve_data_dir(config, {"MNIST_DIR": ""})[0] == tmp_path / "from_config"
    directory, origin = resolve_data_dir({"data": {"dir": None}}, {})
    assert directory is None and "Keras" in origin


def test_code_version_tracks_module_content():
    assert code_version("data", "files") == code_version("files", "data")
    assert code_version("data") != code_version("models")
    with pytest.raises(ConfigError, match="no library module"):
        code_version("no_such_module")


@pytest.mark.parametrize(
    "section, change, message",
    [
        (
            "hinton_study",
            {"variants": {"x": {"description": "d", "train_on_all": True, "factors": [1e-4]}}},
            r"hinton_study\.variants\.x: a variant trained on the validation images \(train_on_all\) cannot re-choose",
        ),
        (
            "hinton_study",
            {"variants": {"x": {"description": "d", "continue_2d": True, "training": {"epochs": 30}}}},
            r"hinton_study\.variants\.x\.training\.epochs: 30 does not continue the 40 epochs",
        ),
        (
            "hinton_study",
            {
                "variants": {
                    "x": {"description": "d", "continue_2d": True, "training": {"epochs": 80, "batch_size": 32}}
                }
            },
            r"continue_2d\) sets only training\.epochs",
        ),
        (
            "hinton_study",
            {"variants": {"x": {"description": "d", "training": {"epochs": 0}}}},
            r"hinton_study\.variants\.x\.training\.epochs: 0 is less than the minimum of 1",
        ),
        (
            "hinton_study",
            {"variants": {"x": {"description": "d", "factors": [1e-4, 0.0001]}}},
            r"hinton_study\.variants\.x\.factors: \[0\.0001, 0\.0001\] has non-unique elements",
        ),
        (
            "hinton_study",
            {"variants": {"x": {"description": "d", "train_on_all": True, "learning_rates": [0.01]}}},
            r"cannot re-choose its settings on them; drop learning_rates",
        ),
        (
            "hinton_study",
            {
                "variants": {
                    "x": {"description": "d", "continue_2d": True, "training": {"epochs": 80}, "learning_rates": [0.01]}
                }
            },
            r"continue_2d\) sets only training\.epochs, with neither factors, learning_rates nor train_on_all \(it has "
            r"\['learning_rates'\]\)",
        ),
        (
            "hinton_study",
            {"variants": {"x": {"description": "d", "learning_rates": [0.0]}}},
            r"hinton_study\.variants\.x\.learning_rates\.0: 0\.0 is less than or equal to the minimum of 0",
        ),
        (
            "hinton_study",
            {"tuning_replicates": 0},
            r"hinton_study\.tuning_replicates: 0 is less than the minimum of 1",
        ),
        (
            "hinton_study",
            {"variants": {"bad name": {"description": "d"}}},
            r"config key hinton_study\.variants: 'bad name' does not match",
        ),
        (
            "design_study",
            {"candidates": {"x": {"description": "d", "model": {"dense_dropout": 1.5}}}},
            r"cnn\.design_study\.candidates\.x\.model\.dense_dropout: 1\.5 is greater than or equal to the "
            r"maximum of 1",
        ),
        (
            "design_study",
            {"candidates": {"x": {"description": "d", "model": {"filterz": 3}}}},
            r"cnn\.design_study\.candidates\.x\.model: Additional properties are not allowed \('filterz'",
        ),
    ],
)
def test_studies_are_checked_after_their_keys_are_replaced(config, section, change, message):
    target = config["cnn"]["design_study"] if section == "design_study" else config["hinton_study"]
    target.update(change)
    with pytest.raises(ConfigError, match=message):
        validate_config(config, SCHEMA)


def test_continuing_the_2d_runs_is_exact_only_for_plain_sgd_at_a_constant_rate(config):
    """Any 2D optimizer is valid with a continuing variant; the saved models are continued only where
    that equals training longer (else the variant trains afresh)."""
    from mnistflow.config import continuation_is_exact

    assert continuation_is_exact({"optimizer": {"name": "sgd", "learning_rate": 0.1}, "epochs": 40})
    for training in (
        {"optimizer": {"name": "sgd", "learning_rate": 0.1}, "schedule": "cosine"},
        {"optimizer": {"name": "sgd", "learning_rate": 0.1, "momentum": 0.9}},
        {"optimizer": {"name": "adam", "learning_rate": 0.001}},
    ):
        assert not continuation_is_exact(training), training
        config["sweep"]["training"].update(training)
        validate_config(config, SCHEMA)  # not refused


def test_design_parts_take_what_each_rule_trains():
    from mnistflow.config import design_part, design_settings

    cnn = {"model": {"dense_units": [128], "augment_shift": 2}, "training": {"epochs": 10}}
    design = design_settings(cnn, {"model": {"dense_units": [256], "augment_rotation": 5}, "training": {"epochs": 15}})
    assert design == {
        "model": {"dense_units": [256], "augment_shift": 2, "augment_rotation": 5},
        "training": {"epochs": 15},
    }
    assert design_part(design, "all", {}, {}) == (design["model"], design["training"])
    model, training = design_part(design, "without_augmentation", {}, {})
    assert model == {
        "dense_units": [256],
        "augment_shift": 0,
        "augment_rotation": 0,
        "augment_zoom": 0,
    } and training == {"epochs": 15}
    dense = {"hidden_units": [500, 300], "augment_shift": 0}
    model, training = design_part(design, "augmentation", dense, {"epochs": 40})
    assert model == {
        "hidden_units": [500, 300],
        "augment_shift": 2,
        "augment_rotation": 5,
        "augment_zoom": 0,
    } and training == {"epochs": 40}
    with pytest.raises(ValueError, match="unknown design part"):
        design_part(design, "some", {}, {})


def test_of_factor_lists_one_factors_runs_in_replicate_order():
    from mnistflow.sweep import of_factor

    jobs = [("0", 0), ("1e-4", 1), ("0", 1), ("1e-4", 0)]
    paths = ["a0", "b1", "a1", "b0"]
    assert of_factor(jobs, paths, "1e-4") == ["b0", "b1"]
    with pytest.raises(ValueError, match="no sweep job has the factor"):
        of_factor(jobs, paths, "1e-3")


def test_with_decay_keeps_the_factors_above_zero_unless_there_are_none():
    import pandas as pd

    from mnistflow.sweep import with_decay

    runs = pd.DataFrame({"factor": [0.0, 1e-4, 0.0], "final_val_accuracy": [0.99, 0.98, 0.97]})
    assert with_decay(runs)["factor"].tolist() == [1e-4]
    assert len(with_decay(runs[runs["factor"] == 0])) == 2


def test_each_candidate_classifier_has_its_own_readers_name():
    """select_classifier's candidates are named in words the report can print (no internal labels),
    one name per candidate; a question with no classifier is refused."""
    from mnistflow.report_inputs import classifier_name

    names = [
        classifier_name("2A", units=[64, 64]),
        *(classifier_name("2D", factor=f, replicate=r) for f in ("0", "1e-05") for r in (0, 1)),
        *(classifier_name("3A", replicate=r) for r in (0, 1)),
    ]
    assert len(set(names)) == len(names)
    assert names[0] == "the dense 64-64 network of 2A-2C"
    assert classifier_name("2D", factor="1e-05", replicate=1) == "the 2D network at L2 factor 1e-05 (replicate 1)"
    assert classifier_name("3A", replicate=0) == "the CNN of 3A (replicate 0)"
    with pytest.raises(ValueError, match="2A, 2D or 3A"):
        classifier_name("4C")
