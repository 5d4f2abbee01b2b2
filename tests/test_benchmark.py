"""The throughput benchmark (issue 8): analytic FLOP count, GEMM peak, one model measured end to end."""

import json
import subprocess
import sys

import pytest

from conftest import REPO, mnist_dir
from mnistflow import benchmark


def test_training_flops_of_the_500_300_network():
    macs = 784 * 500 + 500 * 300 + 300 * 10  # Dense layers, per image
    flops = benchmark.training_flops(macs, n_train=55_000, n_val=5_000)
    # forward + backward (2x forward) for each training image, forward only for validation
    assert flops == 2 * macs * (3 * 55_000 + 5_000)
    assert 185e9 < flops < 186e9


def test_gemm_peak_is_measured():
    peak = benchmark.gemm_peak(threads=1, size=128, seconds=0.05)
    assert peak["runs"] >= 3 and peak["best_seconds"] > 0
    assert peak["gflops"] == pytest.approx(2 * 128**3 / peak["best_seconds"] / 1e9)


def test_benchmark_script_measures_a_model(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--models", "dense_64_64", "--epochs", "2", "--threads", "1",
         "--out", str(out)],
        capture_output=True, text=True, env={**__import__("os").environ, "MNIST_DIR": str(mnist_dir())}, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    data = json.loads(out.read_text())
    assert data["gemm"]["gflops"] > 0
    [row] = data["models"]
    assert row["model"] == "dense_64_64" and row["backend"] == "jax" and len(row["epoch_seconds"]) == 2
    assert row["macs_per_image"] == 784 * 64 + 64 * 64 + 64 * 10
    assert row["train_samples"] == 55_000 and row["val_samples"] == 5_000
    assert 0 < row["fraction_of_peak"] == pytest.approx(row["gflops"] / data["gemm"]["gflops"])
    assert "GEMM peak" in result.stdout and "dense_64_64" in result.stdout


def test_benchmark_needs_two_epochs(tmp_path):
    result = subprocess.run([sys.executable, str(REPO / "bench" / "run.py"), "--epochs", "1"], capture_output=True, text=True)
    assert result.returncode == 2 and "at least 2" in result.stderr
