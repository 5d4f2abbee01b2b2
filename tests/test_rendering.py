"""The report is rendered from the metrics files: different files, different numbers."""

import json
import re

import numpy as np
import pytest

from conftest import REPO
from mnistflow import data, io, plots, rendering, report, sweep

TEMPLATES = REPO / "workflow" / "report"


def write_inputs(tmp_path, *, val_acc, test_acc, seed):
    """Fake but well-formed outputs of every rule the report reads."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    raw = data.RawMnist(
        train_images=rng.integers(0, 256, (80, 28, 28), dtype=np.uint8),
        train_labels=(np.arange(80) % 10).astype(np.uint8),
        test_images=rng.integers(0, 256, (30, 28, 28), dtype=np.uint8),
        test_labels=(np.arange(30) % 10).astype(np.uint8),
        source="idx",
        checksums={"train-images-idx3-ubyte": "ab" * 32},
    )
    arrays = data.split(raw, validation_size=20, seed=seed)
    paths = {k: tmp_path / f"{k}.json" for k in ("data_info", "data_summary", "dense_metrics", "dense_timing")}
    paths["data_info"].write_text(json.dumps(data.dataset_info(raw, arrays, validation_size=20, seed=seed, subset=None)))
    paths["data_summary"].write_text(json.dumps(data.describe(arrays)))
    layers = [
        {"name": "flatten", "type": "Flatten", "output_shape": [None, 784], "activation": None, "params": 0},
        {"name": "hidden_1", "type": "Dense", "output_shape": [None, 64], "activation": "relu", "params": 50240},
        {"name": "hidden_2", "type": "Dense", "output_shape": [None, 64], "activation": "relu", "params": 4160},
        {"name": "output", "type": "Dense", "output_shape": [None, 10], "activation": "softmax", "params": 650},
    ]
    history = {"accuracy": [0.5, val_acc - 0.01], "val_accuracy": [0.6, val_acc], "loss": [1.0, 0.5], "val_loss": [0.9, 0.4]}
    paths["dense_metrics"].write_text(json.dumps({
        "history": history, "initial": {"val_loss": 2.31, "val_accuracy": 0.1}, "test": {"loss": 0.3, "accuracy": test_acc},
        "layers": layers, "total_params": 55050, "seed": seed, "threads": 1, "backend": "jax",
        "settings": {"model": {"hidden_units": [64, 64], "activation": "relu"},
                     "training": {"optimizer": {"name": "sgd", "learning_rate": 0.1}, "loss": "categorical_crossentropy", "batch_size": 128, "epochs": 2}},
        "epochs": 2, "batch_size": 128, "train_samples": 60, "val_samples": 20,
    }))
    paths["dense_timing"].write_text(json.dumps({"epoch_seconds": [0.5, 0.25], "fit_seconds": 0.75}))
    records = {
        (label, r): {"history": {"val_accuracy": [0.9, val_acc - 0.001 * (i + r)], "val_loss": [0.3, 0.2]},
                     "test": {"accuracy": test_acc - 0.001 * (i + r), "loss": 0.2}, "seed": r}
        for i, label in enumerate(["0", "1e-4"]) for r in range(2)
    }
    runs = sweep.runs_table(records)
    io.write_csv(tmp_path / "runs.csv", runs)
    io.write_csv(tmp_path / "summary.csv", sweep.summary_table(runs))
    paths["sweep_runs"], paths["sweep_summary"] = tmp_path / "runs.csv", tmp_path / "summary.csv"
    paths["sweep_factor_figure"] = paths["sweep_curves_figure"] = tmp_path / "acc.svg"
    plots.image_grid(arrays["x_train"][:2], tmp_path / "examples.png")
    plots.history_plot(history, tmp_path / "acc.svg")
    paths["examples_figure"] = tmp_path / "examples.png"
    paths["dense_accuracy_figure"] = tmp_path / "acc.svg"
    paths["references"] = TEMPLATES / "references.yaml"
    return {k: str(v) for k, v in paths.items()}


def render(tmp_path, **numbers):
    import yaml

    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    inputs = write_inputs(tmp_path, **numbers)
    context = report.build_context(inputs, config, versions={"keras": "test"}, repo=REPO)
    return rendering.render(TEMPLATES, "report.html.j2", context)


def section(html, anchor):
    match = re.search(rf'<section id="{anchor}">(.*?)</section>', html, re.S)
    assert match, f"section {anchor} missing"
    return match.group(1)


def test_numbers_follow_the_metrics_files(tmp_path):
    a = render(tmp_path / "a", val_acc=0.9123, test_acc=0.9034, seed=1)
    b = render(tmp_path / "b", val_acc=0.8456, test_acc=0.8311, seed=2)
    assert "0.9123" in section(a, "q2c") and "0.9034" in section(a, "q2c")
    assert "0.8456" in section(b, "q2c") and "0.8311" in section(b, "q2c")
    assert "0.9123" not in b and "0.9034" not in b
    assert "0.9029 &plusmn;" in section(a, "q2d") and "0.8306 &plusmn;" in section(b, "q2d")
    assert "0.9029" not in b
    assert "55,050" in section(a, "q2a") and "64 &times; 10 + 10" in section(a, "q2a")


def test_statements_depend_on_results(tmp_path):
    rising = render(tmp_path / "a", val_acc=0.9, test_acc=0.9, seed=1)
    assert "still rising" in section(rising, "q2c")


@pytest.mark.parametrize("tmpl", ["report.html.j2"])
def test_missing_number_is_an_error_not_a_blank(tmp_path, tmpl):
    import jinja2

    with pytest.raises(jinja2.UndefinedError):
        rendering.render(TEMPLATES, tmpl, {"config": {"report": {"title": "x"}}})


def test_formatters():
    assert rendering.fmt_int(55050) == "55,050"
    assert rendering.fmt_acc(0.98474) == "0.9847"
    assert rendering.fmt_pct(0.0153) == "1.53%"
    assert rendering.fmt_shape([2000]) == "(2000,)"
    assert rendering.fmt_shape([None, 64]) == "(batch, 64)"
    assert rendering.fmt_num(255.0) == "255" and rendering.fmt_num(0.1306605, 4) == "0.1307"


def test_data_uri_embeds_figures(tmp_path):
    import base64

    svg = tmp_path / "f.svg"
    svg.write_text("<svg/>")
    uri = rendering.data_uri(svg)
    assert uri.startswith("data:image/svg+xml;base64,") and base64.b64decode(uri.split(",", 1)[1]) == b"<svg/>"
    with pytest.raises(ValueError, match="unsupported figure type"):
        rendering.data_uri(tmp_path / "f.gif")
