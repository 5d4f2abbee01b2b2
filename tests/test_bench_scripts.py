"""The benchmark scripts that test one idea each (bench/seeds.py, precision.py, epoch_stall.py), run on
a few batches so that they do not rot. In a file of their own so that the test workers share them out
(pytest-xdist sends each file to one worker)."""

import json
import subprocess
import sys

from conftest import REPO, mnist_dir


def test_seeds_benchmark_trains_several_seeds_in_one_process():
    """bench/seeds.py (several seeds of the 2D network in one process, against one) on a few batches:
    it must not rot. One line a seed count, each with its time and rate."""
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "seeds.py"), "--seeds", "1", "2", "--train", "1280", "--threads", "1"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert [line.split(" seed(s)")[0] for line in lines] == ["1", "2"]
    assert all(" s a seed-epoch, " in line and line.endswith(" GFLOP/s") for line in lines)


def test_precision_benchmark_times_products_and_epochs_in_both_precisions(tmp_path):
    """bench/precision.py (the 2D network in float32 and mixed bfloat16, by XLA library) on a few
    batches: it must not rot. One product line a library and one epoch line a cell, in its JSON too."""
    out = tmp_path / "precision.json"
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "precision.py"),
            *("--libraries", "xla", "--backends", "jax", "--epochs", "2", "--train", "1280", "--threads", "1"),
            *("--size", "128", "--seconds", "0.05", "--data-dir", str(mnist_dir()), "--out", str(out)),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    data = json.loads(out.read_text())
    assert set(data["products"]) == {"xla"} and all(v > 0 for v in data["products"]["xla"].values())
    assert set(data["products"]["xla"]) == {"float32", "bfloat16"}
    cells = [(row["backend"], row["library"], row["precision"]) for row in data["epochs"]]
    assert cells == [("jax", "xla", "float32"), ("jax", "xla", "mixed_bfloat16")]
    assert all(row["train_samples"] == 1280 and len(row["epoch_seconds"]) == 2 for row in data["epochs"])
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and lines[0].startswith("JAX product 128^2 under xla")
    assert all(" s an epoch, " in line for line in lines[1:])


def test_epoch_stall_benchmark_splits_each_epoch_of_every_feed(tmp_path):
    """bench/epoch_stall.py (the CNN's epochs split into steps, wait before the first step and
    validation; Keras' feed with and without autotuning, and a repeated tf.data feed) on a few
    batches: it must not rot."""
    out = tmp_path / "stall.json"
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "epoch_stall.py"),
            *("--epochs", "2", "--train", "512", "--threads", "1"),
            *("--data-dir", str(mnist_dir()), "--out", str(out)),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    data = json.loads(out.read_text())
    assert set(data) == {"keras", "keras-autotune", "repeat"}
    for epochs in data.values():
        assert len(epochs) == 2
        for e in epochs:
            parts = e["steps_seconds"] + e["start_to_first_step_seconds"] + e["validation_seconds"]
            assert 0 < e["steps_seconds"] and 0 < e["validation_seconds"] and 0 <= parts <= e["seconds"]
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == [
        "keras epoch 1",
        "keras epoch 2",
        "keras-autotune epoch 1",
        "keras-autotune epoch 2",
        "repeat epoch 1",
        "repeat epoch 2",
    ]
