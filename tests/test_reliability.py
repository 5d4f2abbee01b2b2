"""Bad input is refused early and clearly; an interrupted rerun resumes and gives the same numbers."""

import gzip
import re

import pytest
from conftest import REPO, TINY, compared_results, files_under, idx_bytes, mnist_dir, run_snakemake

pytestmark = pytest.mark.workflow
SMOKE = str(REPO / "config" / "smoke.yaml")


#: Outputs that need no data and may be written before a data error stops the run:
#: the untrained earlier CNN's layer table and the typeset loss formula.
DATA_FREE_OUTPUTS = {"results/cnn_earlier/layers.json", "results/figures/loss_formula.svg"}


@pytest.mark.parametrize(
    "override, message",
    [
        (
            "autoencoder:\n  noise_level: 1.5\n",
            "config key autoencoder.noise_level: 1.5 is greater than the maximum of 1",
        ),
        ("denoising:\n  levels: [0.0, -0.1]\n", "config key denoising.levels.1: -0.1 is less than the minimum of 0"),
        ("sweep:\n  factors: [0, -1.0e-4]\n", "config key sweep.factors.1: -0.0001 is less than the minimum of 0"),
        ("sweep:\n  replicates: 0\n", "config key sweep.replicates: 0 is less than the minimum of 1"),
        ("cnn:\n  replicates: 0\n", "config key cnn.replicates: 0 is less than the minimum of 1"),
        ("sweep:\n  training:\n    epochs: 0\n", "config key sweep.training.epochs: 0 is less than the minimum of 1"),
        ("data:\n  validation_size: 70000\n", "config key data.validation_size: 70000 leaves no training images"),
        ("data:\n  subset: {train: 0}\n", "config key data.subset.train: 0 is less than the minimum of 1"),
        ("data:\n  subset: {test: 20000}\n", "config key data.subset.test: 20000 is more than the 10000 test images"),
        ("threads: 0\n", "config key threads: 0 is less than the minimum of 1"),
        ("keras_backend: torch\n", "config key keras_backend: 'torch' is not one of ['jax', 'tensorflow']"),
        (
            "cnn:\n  training:\n    schedule: step\n",
            "config key cnn.training.schedule: 'step' is not one of ['constant', 'cosine']",
        ),
        ("sweep:\n  factors: [1.0e-4, 0.0001]\n", "config key sweep.factors: [0.0001, 0.0001] has non-unique elements"),
        (
            "dense:\n  training:\n    batch_size: 0\n",
            "config key dense.training.batch_size: 0 is less than the minimum of 1",
        ),
        ("dense:\n  model:\n    hidden_units: []\n", "config key dense.model.hidden_units: [] should be non-empty"),
        ("dense:\n  nonsense: 1\n", "Additional properties are not allowed ('nonsense' was unexpected)"),
        ("seed: lots\n", "config key seed: 'lots' is not of type 'integer'"),
    ],
)
def test_bad_config_is_refused_before_any_job(tmp_path, override, message):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(override)
    work = tmp_path / "work"
    work.mkdir()
    result = run_snakemake(
        "report",
        "--cores",
        "1",
        "--configfile",
        SMOKE,
        str(cfg),
        workdir=work,
        check=False,
        env={"MNIST_DIR": str(mnist_dir())},
    )
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert message in out
    assert "Traceback" not in out
    assert files_under(work / "results") == [] and not (work / "report").exists()


def _data_copy(tmp_path):
    data_dir = tmp_path / "mnist"
    data_dir.mkdir()
    for f in mnist_dir().glob("*.gz"):
        (data_dir / f.name).symlink_to(f)
    return data_dir


def _replace(path, raw: bytes):
    path.unlink()
    path.write_bytes(gzip.compress(raw, compresslevel=1, mtime=0))  # level 9 takes 10 s for the train images


def _truncate(path):
    data = path.read_bytes()[:1000]
    path.unlink()
    path.write_bytes(data)


def _wrong_magic(path):
    raw = gzip.decompress(path.read_bytes())
    _replace(path, (1234).to_bytes(4, "big") + raw[4:])


def _corrupt_byte(path):
    raw = bytearray(gzip.decompress(path.read_bytes()))
    raw[-1] ^= 0xFF
    _replace(path, bytes(raw))


def _fewer_labels(path):
    import numpy as np

    from mnistflow.data import sha256

    raw = gzip.decompress(path.read_bytes())
    new = idx_bytes(np.frombuffer(raw, dtype=np.uint8, offset=8)[:-5])
    _replace(path, new)
    return {"train-labels-idx1-ubyte": sha256(new)}  # a consistent checksum, so the count check is what fails


@pytest.mark.parametrize(
    "name, damage, message",
    [
        ("t10k-labels-idx1-ubyte.gz", _truncate, "the gzip stream is truncated"),
        ("train-images-idx3-ubyte.gz", _wrong_magic, "wrong magic number 1234, expected 2051 for an IDX image file"),
        ("t10k-images-idx3-ubyte.gz", _corrupt_byte, "checksum mismatch: the SHA-256 of the decompressed content is"),
        ("train-labels-idx1-ubyte.gz", _fewer_labels, "holds 60000 images but"),
        ("t10k-labels-idx1-ubyte.gz", lambda p: p.unlink(), "file not found (expected the gzip-compressed MNIST file"),
    ],
)
def test_bad_data_file_stops_the_run_and_names_it(tmp_path, name, damage, message):
    data_dir = _data_copy(tmp_path)
    checksums = damage(data_dir / name)
    configs = [SMOKE]
    if checksums:
        override = tmp_path / "checksums.yaml"
        override.write_text("data:\n  sha256:\n" + "".join(f"    {k}: {v}\n" for k, v in checksums.items()))
        configs.append(str(override))
    work = tmp_path / "work"
    work.mkdir()
    result = run_snakemake(
        "report", "--cores", "1", "--configfile", *configs, workdir=work, check=False, env={"MNIST_DIR": str(data_dir)}
    )
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert message in out and name in out
    assert "Traceback" not in out  # the message alone on screen; the traceback stays in the job's log
    assert "Traceback" in (work / "logs" / "prepare_data.log").read_text()
    # nothing that depends on the data was written
    left = [p.relative_to(work).as_posix() for p in files_under(work / "results")]
    assert set(left) <= DATA_FREE_OUTPUTS, left


def test_no_data_and_no_internet_says_how_to_provide_the_files(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    # no MNIST_DIR, no data.dir, and every download goes to a closed local port
    env = {
        "MNIST_DIR": "",
        "KERAS_HOME": str(tmp_path / "keras"),
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
        "https_proxy": "http://127.0.0.1:9",
        "http_proxy": "http://127.0.0.1:9",
    }
    result = run_snakemake("report", "--cores", "1", "--configfile", SMOKE, workdir=work, check=False, env=env)
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Keras could not download MNIST" in out
    assert "set the config key data.dir or the environment variable MNIST_DIR" in out
    assert "Traceback" not in out
    assert set(p.relative_to(work).as_posix() for p in files_under(work / "results")) <= DATA_FREE_OUTPUTS


def _normalised_report(workdir):
    html = (workdir / "report" / "report.html").read_text()
    html = re.sub(r"<time>.*?</time>", "<time/>", html)
    html = re.sub(r'<span class="timing">.*?</span>', '<span class="timing"/>', html)
    return html.replace(" (SLURM)", "")  # the provenance names the machines; the first build may have run on SLURM


@pytest.fixture(scope="module")
def interrupted_run(tiny_run, tmp_path_factory):
    """The session's tiny build (conftest.tiny_run: every question's rules, one run each, on the test SLURM
    where one runs) copied without its history, logs and report, the CNN's outputs deleted, and the build run
    again on 2 local cores: killed (SIGTERM, then SIGKILL) in the middle of the CNN's training, then rerun.
    Snakemake retrains the CNN and reruns every job downstream of it. (first, resumed, killed): the two
    working directories and what the killed run had left under results/. (A whole second build from nothing
    is bench/full_build.py's, which tests/test_benchmark.py compares with the same tiny build.)"""
    import os
    import shutil
    import signal
    import subprocess
    import sys
    import time

    first, repo, result, _ = tiny_run
    assert result.returncode == 0, result.stderr[-3000:]
    work = tmp_path_factory.mktemp("interrupted")
    for part in ("results", ".snakemake/metadata"):
        shutil.copytree(first / part, work / part)
    cnn = work / "results" / "cnn" / "rep0"
    shutil.rmtree(cnn)
    configs = ["--configfile", str(repo / "config" / "smoke.yaml"), str(TINY)]
    cmd = [sys.executable, "-m", "snakemake", "-s", str(repo / "Snakefile"), "-d", str(work), "report", "--cores", "2"]
    proc = subprocess.Popen(
        cmd + configs,
        env={**os.environ, "MNIST_DIR": str(mnist_dir())},
        cwd=work,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    log, metrics = work / "logs/cnn/rep0.log", cnn / "metrics.json"
    deadline = time.time() + 300
    while time.time() < deadline and not (
        log.exists() and "Total params" in log.read_text()
    ):  # the CNN job builds its model
        time.sleep(0.05)
    assert not metrics.exists(), "the training job finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGTERM)
    time.sleep(0.5)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
    killed = {p.relative_to(work).as_posix(): p.read_bytes() for p in files_under(work / "results")}
    env = {"MNIST_DIR": str(mnist_dir())}
    run_snakemake("--unlock", *configs, workdir=work, repo=repo, env=env)
    run_snakemake("report", "--cores", "2", *configs, workdir=work, repo=repo, env=env)
    return first, work, killed


def test_interrupted_rerun_gives_identical_numbers(interrupted_run):
    """Every results file of the resumed build byte-identical to the first build's (which ran on the test
    SLURM where one runs: the numbers do not depend on the executor); the report equal but for its
    timestamps, timings and the executor it names."""
    first, resumed, _ = interrupted_run
    compared = compared_results(first)
    assert len(compared) > 20
    differ = [
        str(p.relative_to(first)) for p in compared if p.read_bytes() != (resumed / p.relative_to(first)).read_bytes()
    ]
    assert differ == []
    assert _normalised_report(first) == _normalised_report(resumed)


def test_interrupted_run_resumes_without_corrupt_outputs(interrupted_run):
    import json

    first, resumed, killed = interrupted_run
    # nothing the killed run left looks complete but is not: every JSON parses, the killed job wrote nothing
    for name, data in killed.items():
        if name.endswith(".json"):
            json.loads(data)
    assert not any(name.startswith("results/cnn/rep0/") and not name.split("/")[-1].startswith(".") for name in killed)
    # the CNN and what depends on it ran again: the resumed build's CNN was made after the first build's
    made = (resumed / "results/cnn/rep0/metrics.json").stat().st_mtime
    assert made > (first / "results/cnn/rep0/metrics.json").stat().st_mtime
    assert (resumed / "report/report.html").stat().st_mtime > made
    # its numbers and report equal the uninterrupted build's: test_interrupted_rerun_gives_identical_numbers
    leftovers = [p.name for p in files_under(resumed / "results") if ".part" in p.name]
    assert leftovers == [], leftovers
