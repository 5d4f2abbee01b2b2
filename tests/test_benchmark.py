"""The throughput benchmark: analytic FLOP count, GEMM peak, one model measured end to end."""

import json
import subprocess
import sys

import pytest
from conftest import REPO, compared_results, mnist_dir

sys.path.insert(0, str(REPO / "bench"))
import throughput  # noqa: E402  (bench/throughput.py: a tool, not part of the library)


def test_training_flops_of_the_500_300_network():
    macs = 784 * 500 + 500 * 300 + 300 * 10  # Dense layers, per image
    flops = throughput.training_flops(macs, n_train=55_000, n_val=5_000)
    # forward + backward (2x forward) for each training image, forward only for validation
    assert flops == 2 * macs * (3 * 55_000 + 5_000)
    assert 185e9 < flops < 186e9


def test_gemm_peak_is_measured():
    peak = throughput.gemm_peak(threads=1, size=128, seconds=0.05)
    assert peak["runs"] >= 3 and peak["best_seconds"] > 0
    assert peak["gflops"] == pytest.approx(2 * 128**3 / peak["best_seconds"] / 1e9)


def test_model_step_without_data_says_what_it_needs(monkeypatch, capsys):
    """bench/throughput.py's model step reads the IDX files from --data-dir, else MNIST_DIR; with neither it
    stops with a usage error, not a traceback."""
    monkeypatch.delenv("MNIST_DIR", raising=False)
    config = str(REPO / "config" / "config.yaml")
    for argv in (["model", "dense_64_64"], ["model", "--data-dir", "x"]):
        with pytest.raises(SystemExit) as stop:
            throughput.main([*argv, "--config", config, "--threads", "1"])
        assert stop.value.code == 2
        assert "needs a model name and --data-dir (or MNIST_DIR)" in capsys.readouterr().err


def test_benchmark_script_measures_a_model(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "run.py"),
            "--models",
            "dense_64_64",
            "--epochs",
            "2",
            "--threads",
            "1",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "MNIST_DIR": str(mnist_dir())},
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    data = json.loads(out.read_text())
    assert data["gemm"]["gflops"] > 0
    [row] = data["models"]
    assert row["model"] == "dense_64_64" and row["backend"] == "jax" and len(row["epoch_seconds"]) == 2
    assert row["macs_per_image"] == 784 * 64 + 64 * 64 + 64 * 10
    assert row["train_samples"] == 55_000 and row["val_samples"] == 5_000
    # a float32 model: only the fp32 peak is measured, and the model is compared with it
    assert set(data["peaks"]) == {"float32"} and data["gemm"] == data["peaks"]["float32"]
    assert row["precision"] == "float32" and row["peak_gflops"] == data["gemm"]["gflops"]
    assert 0 < row["fraction_of_peak"] == pytest.approx(row["gflops"] / data["gemm"]["gflops"])
    assert "float32 matrix-product peak" in result.stdout and "dense_64_64" in result.stdout


def test_each_model_is_compared_with_the_peak_of_its_own_precision():
    peaks = {"float32": {"gflops": 200.0}, "mixed_bfloat16": {"gflops": 400.0}}
    cnn = throughput.fractions_of_peak({"precision": "mixed_bfloat16", "gflops": 100.0}, peaks)
    assert cnn == {"peak_gflops": 400.0, "fraction_of_peak": 0.25, "fraction_of_fp32_peak": 0.5}
    dense = throughput.fractions_of_peak({"precision": "float32", "gflops": 100.0}, peaks)
    assert dense == {"peak_gflops": 200.0, "fraction_of_peak": 0.5, "fraction_of_fp32_peak": 0.5}
    with pytest.raises(ValueError, match="no peak measured for mixed_bfloat16"):
        throughput.fractions_of_peak({"precision": "mixed_bfloat16", "gflops": 1.0}, {"float32": {"gflops": 2.0}})


def test_a_models_precision_is_its_sections():
    config = {"cnn": {"training": {"precision": "mixed_bfloat16"}}, "dense": {"training": {}}}
    assert throughput.model_precision(config, "cnn") == "mixed_bfloat16"
    assert throughput.model_precision(config, "dense_64_64") == "float32"


def test_benchmark_needs_two_epochs(tmp_path):
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--epochs", "1"], capture_output=True, text=True
    )
    assert result.returncode == 2 and "at least 2" in result.stderr


# -- FLOP counts by hand, for each model of the default config ---


def _config():
    import yaml

    return yaml.safe_load((REPO / "config" / "config.yaml").read_text())


HAND_MACS = {
    # Dense layers: inputs x units
    "dense": 784 * 64 + 64 * 64 + 64 * 10,
    "sweep": 784 * 500 + 500 * 300 + 300 * 10,
    # conv 5x5, 1 -> 32 channels on 28x28 ("valid"): 24x24 outputs; pool to 12x12; conv 3x3, 32 -> 64: 10x10;
    # pool to 5x5 = 1,600 inputs of the 128-unit layer; 10 outputs
    "cnn": 24 * 24 * 32 * 5 * 5 * 1 + 10 * 10 * 64 * 3 * 3 * 32 + 1600 * 128 + 128 * 10,
    # encoder 784-128-96, decoder 96-128-784
    "autoencoder": 784 * 128 + 128 * 96 + 96 * 128 + 128 * 784,
}


@pytest.mark.parametrize("section", sorted(HAND_MACS))
def test_flop_counter_matches_a_hand_count(keras_jax, section):
    from mnistflow import models

    config = _config()
    if section == "autoencoder":
        model, _, _ = models.autoencoder(input_dim=784, **config["autoencoder"]["model"])
    elif section == "cnn":
        model = models.cnn_classifier(**config["cnn"]["model"])
    else:
        model = models.dense_classifier(**config[section]["model"])
    assert throughput._macs(model) == HAND_MACS[section]


def test_bf16_peak_is_measured_in_tensorflow():
    found = throughput._child(
        [
            "bf16",
            "--config",
            str(REPO / "config" / "config.yaml"),
            "--threads",
            "1",
            "--size",
            "256",
            "--seconds",
            "0.05",
        ],
        sys.stderr,
    )
    assert found["size"] == 256 and found["runs"] >= 3 and found["gflops"] > 0


def test_the_floor_counts_each_precision_at_its_own_peak(tmp_path):
    """A float32 dense job and a mixed_bfloat16 job: the floor by hand is each one's FLOPs over its
    precision's peak."""
    dense = {"layers": [{"macs": 1000}], "epochs": 2, "train_samples": 100, "val_samples": 10}
    cnn = {**dense, "layers": [{"macs": 5000}], "settings": {"training": {"precision": "mixed_bfloat16"}}}
    for name, record in (("dense", dense), ("cnn/rep0", cnn)):
        (tmp_path / name).mkdir(parents=True)
        (tmp_path / name / "metrics.json").write_text(json.dumps(record))
    counted = throughput.build_flops(tmp_path)
    dense_flops = 2 * 1000 * (3 * 100 + 10) * 2  # 2 FLOPs a MAC; 3 passes a training image, 1 a validation image
    cnn_flops = 2 * 5000 * (3 * 100 + 10) * 2
    assert counted["by_precision"] == {"float32": dense_flops, "mixed_bfloat16": cnn_flops}
    assert counted["total"] == dense_flops + cnn_flops
    peaks = {"float32": 200.0, "mixed_bfloat16": 800.0}
    floor = throughput.floor_seconds(counted["by_precision"], peaks)
    assert floor == pytest.approx(dense_flops / 200e9 + cnn_flops / 800e9)
    # a faster bfloat16 unit lowers the floor of the mixed-precision job only
    assert floor < throughput.floor_seconds(counted["by_precision"], {"float32": 200.0, "mixed_bfloat16": 200.0})
    with pytest.raises(ValueError, match="mixed_bfloat16"):
        throughput.floor_seconds(counted["by_precision"], {"float32": 200.0})


def test_build_flops_counts_every_training_record(tmp_path):
    layers = [{"macs": 1000}, {"macs": 24}]
    record = {"layers": layers, "epochs": 3, "train_samples": 100, "val_samples": 10}
    assert throughput.record_flops(record) == 2 * 1024 * (3 * 100 + 10) * 3
    autoencoder = {
        "encoder_layers": layers[:1],
        "decoder_layers": layers[1:],
        "epochs": 3,
        "train_samples": 100,
        "val_samples": 10,
    }
    assert throughput.record_flops(autoencoder) == throughput.record_flops(record)
    assert throughput.record_flops({"test": {"accuracy": 0.9}}) is None
    for name, content in {"a/metrics.json": record, "b/rep0/metrics.json": record, "c/metrics.json": {"x": 1}}.items():
        (tmp_path / name).parent.mkdir(parents=True)
        (tmp_path / name).write_text(json.dumps(content))
    counted = throughput.build_flops(tmp_path)
    assert counted["jobs"] == {"a": throughput.record_flops(record), "b/rep0": throughput.record_flops(record)}
    assert counted["total"] == 2 * throughput.record_flops(record)


@pytest.mark.workflow
def test_full_build_benchmark_runs_on_a_tiny_config(tmp_path, request):
    """bench/full_build.py on the smoke config cut to one run of each model (tests/configs/tiny.yaml),
    from a copy of the workflow (it edits a template for one rebuild): it must not rot. It prints the
    FLOP floor and the overhead. Its build from nothing (local, with a template edit and a setting change
    made and undone after it) has the same results as the session's tiny build (on the test SLURM where
    one runs), byte for byte: a rerun from scratch gives the same numbers, whatever the executor."""
    from conftest import copy_workflow

    repo = copy_workflow(tmp_path / "repo")
    out = tmp_path / "full.json"
    result = subprocess.run(
        [
            sys.executable,
            str(repo / "bench" / "full_build.py"),
            "--cores",
            "2",
            "--configfile",
            str(repo / "config" / "smoke.yaml"),
            str(REPO / "tests" / "configs" / "tiny.yaml"),
            "--workdir",
            str(tmp_path / "work"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "MNIST_DIR": str(mnist_dir())},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    data = json.loads(out.read_text())
    assert data["full_build_seconds"] > data["noop_rerun_seconds"] > 0
    assert data["training_flops"] > 0 and 0 < data["fraction_of_floor"] < 1
    assert data["start_to_first_step_seconds"]["jobs"] >= 8 and data["start_to_first_step_seconds"]["median"] > 0
    assert "of the floor" in result.stdout
    # the forecast of each build beside its measurement
    assert data["forecast_full_build_seconds"] > 0 and set(data["forecast_error"]) == {
        "full_build",
        "template_rebuild",
        "setting_rebuild",
    }
    assert "forecast against measured" in result.stdout
    # asked for only now: another worker may be making it, and this build need not wait for it
    first, work = request.getfixturevalue("tiny_run")[0], tmp_path / "work"
    compared = compared_results(first)
    assert len(compared) > 20
    differ = [
        str(p.relative_to(first)) for p in compared if p.read_bytes() != (work / p.relative_to(first)).read_bytes()
    ]
    assert differ == []


def test_reference_times_are_each_rules_median_of_measured_jobs(tmp_path):
    from reference_times import rule_medians  # bench/, on the path above

    from mnistflow import plan

    for i, seconds in enumerate((10.0, 30.0, 20.0)):
        (tmp_path / f"b{i}.tsv").write_text(f"s\th:m:s\n{seconds}\t0:00:10\n")
    jobs = [plan.Job(rule="train", jobid=i, outputs=[f"o{i}"], benchmark=f"b{i}.tsv") for i in range(3)]
    jobs.append(plan.Job(rule="never_ran", jobid=9, outputs=["o9"], benchmark="missing.tsv"))
    # the median of the rule's jobs; a rule none of whose jobs was measured is left out, not guessed
    assert rule_medians(jobs, tmp_path) == {"train": 20.0}


def test_reference_times_count_jobs_that_ran_side_by_side_as_if_alone(tmp_path):
    import base64

    from reference_times import rule_medians

    from mnistflow import plan

    meta = tmp_path / ".snakemake" / "metadata"
    meta.mkdir(parents=True)
    jobs = []
    for i in range(2):  # two 2-thread jobs of 10 s, side by side on 2 CPUs
        (tmp_path / f"b{i}.tsv").write_text("s\th:m:s\n10.0\t0:00:10\n")
        name = base64.urlsafe_b64encode(f"o{i}".encode()).decode()
        record = {"rule": "train", "job_hash": i, "starttime": 100.0, "endtime": 110.0}  # as Snakemake 9 writes
        (meta / name).write_text(json.dumps(record))
        jobs.append(plan.Job(rule="train", jobid=i, outputs=[f"o{i}"], benchmark=f"b{i}.tsv", threads=2))
    assert rule_medians(jobs, tmp_path, cpus=2) == {"train": 5.0}
    assert rule_medians(jobs, tmp_path, cpus=4) == {"train": 10.0}  # room for both: as measured
