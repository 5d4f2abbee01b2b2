"""Config validation, seeds, data location and code versions."""

import copy

import pytest
import yaml
from snakemake.utils import update_config

from conftest import REPO
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
        (("dense", "training", "batch_size"), -5, r"config key dense\.training\.batch_size: -5 is less than the minimum of 1"),
        (("dense", "training", "epochs"), "ten", r"config key dense\.training\.epochs: 'ten' is not of type 'integer'"),
        (("dense", "model", "hidden_units"), [], r"config key dense\.model\.hidden_units: \[\] should be non-empty"),
        (("dense", "training", "optimizer", "name"), "rmsprop", r"config key dense\.training\.optimizer\.name: 'rmsprop' is not one of"),
        (("dense", "training", "optimizer", "learning_rate"), 0, r"config key dense\.training\.optimizer\.learning_rate: 0 is less than or equal to the minimum"),
        (("keras_backend",), "torch", r"config key keras_backend: 'torch' is not one of \['jax', 'tensorflow'\]"),
        (("data", "validation_size"), 60000, r"config key data\.validation_size: 60000 leaves no training images"),
        (("data", "subset"), {"train": 0}, r"config key data\.subset\.train: 0 is less than the minimum of 1"),
        (("data", "sha256", "t10k-labels-idx1-ubyte"), "abc", r"config key data\.sha256\.t10k-labels-idx1-ubyte: 'abc' does not match"),
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
    with pytest.raises(ConfigError, match=r"config key dense\.training: Additional properties are not allowed \('epoch' was unexpected\)"):
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
    assert code_version("data", "io") == code_version("io", "data")
    assert code_version("data") != code_version("models")
    with pytest.raises(ConfigError, match="no library module"):
        code_version("no_such_module")
