"""Shared fixtures: the repository, the MNIST directory, synthetic IDX files, Keras set-up."""

from __future__ import annotations

import gzip
import os
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
DEFAULT_MNIST = REPO.parent / "shared" / "data" / "mnist"

from mnistflow.data import idx_bytes  # noqa: E402 (re-exported for the tests that write IDX files)

#: The test files that take longest, longest first (three build the workflow; test_claims renders 40 reports):
#: `make test` hands whole files to its two workers in collection order (`--dist loadfile
#: --no-loadscope-reorder`), so these start first and the short files fill in around them instead of one
#: long file running alone at the end.
LONG_FILES = ("test_workflow.py", "test_reliability.py", "test_benchmark.py", "test_claims.py")


def pytest_collection_modifyitems(items):
    rank = {name: i for i, name in enumerate(LONG_FILES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the order within a file stays


def mnist_dir() -> Path:
    """The real MNIST files for the tests that read them: MNIST_DIR, else ../shared/data/mnist. Without
    them such a test is skipped and says why, or fails where MNISTFLOW_REQUIRE_DATA=1 (CI sets it, so
    that no test it means to run goes unrun)."""
    path = Path(os.environ.get("MNIST_DIR") or DEFAULT_MNIST)
    if not path.is_dir():
        message = f"needs the MNIST IDX files: set MNIST_DIR (tried {path})"
        if os.environ.get("MNISTFLOW_REQUIRE_DATA") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path


def files_under(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.is_file()] if path.exists() else []


def compared_results(work: Path) -> list[Path]:
    """A build's results files that two builds of the same workflow must have byte for byte: all but the
    timings, the benchmark files and the saved Keras models (which record when they were saved)."""
    return [
        p
        for p in files_under(work / "results")
        if p.name != "timing.json" and "benchmarks" not in p.parts and p.suffix != ".keras"
    ]


def write_gz(path: Path, raw: bytes) -> Path:
    path.write_bytes(gzip.compress(raw, mtime=0))
    return path


@pytest.fixture
def fake_mnist(tmp_path):
    """A tiny, valid MNIST-shaped data set as four .gz IDX files; returns (dir, arrays, checksums)."""
    from mnistflow.data import IDX_FILES, checksum_key, sha256

    rng = np.random.default_rng(0)
    arrays = {
        "train_images": rng.integers(0, 256, size=(60, 28, 28), dtype=np.uint8),
        "train_labels": np.arange(60, dtype=np.uint8) % 10,
        "test_images": rng.integers(0, 256, size=(20, 28, 28), dtype=np.uint8),
        "test_labels": np.arange(20, dtype=np.uint8) % 10,
    }
    checksums = {}
    for role, name in IDX_FILES.items():
        raw = idx_bytes(arrays[role])
        write_gz(tmp_path / name, raw)
        checksums[checksum_key(name)] = sha256(raw)
    return tmp_path, arrays, checksums


@pytest.fixture(scope="session")
def keras_jax():
    """Keras on the JAX backend, one thread, seeded (as a training job sets it up)."""
    from mnistflow import runtime

    return runtime.configure(backend="jax", threads=1, seed=0)


def copy_workflow(dest: Path) -> Path:
    """A copy of the workflow's sources (not the library), for tests that edit them."""
    import shutil

    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "Snakefile", dest / "Snakefile")
    for folder in ("workflow", "scripts", "config", "profiles", "tools", "bench"):
        shutil.copytree(REPO / folder, dest / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def run_snakemake(*args: str, workdir: Path, env: dict | None = None, check: bool = True, repo: Path = REPO):
    """Run the workflow whose Snakefile is in `repo`, with its working directory at `workdir`."""
    import subprocess

    cmd = [sys.executable, "-m", "snakemake", "-s", str(repo / "Snakefile"), "-d", str(workdir), *args]
    full_env = {**os.environ, **(env or {})}
    result = subprocess.run(cmd, capture_output=True, text=True, env=full_env, cwd=workdir)
    if check and result.returncode != 0:
        raise AssertionError(
            f"snakemake failed ({result.returncode}):\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    return result


def smoke(repo: Path, workdir: Path, *extra: str, check: bool = True, env_extra: dict | None = None):
    """The smoke build (`report` on config/smoke.yaml, 2 cores) of the workflow in `repo`, in `workdir`."""
    return run_snakemake(
        "report",
        "--cores",
        "2",
        "--configfile",
        str(repo / "config" / "smoke.yaml"),
        *extra,
        workdir=workdir,
        repo=repo,
        check=check,
        env={"MNIST_DIR": str(mnist_dir()), **(env_extra or {})},
    )


def shared_build(tmp_path_factory, name: str, build):
    """`build(root)` run once for the whole test session, in a folder `root` that every pytest-xdist worker
    sees (`make test` runs two): the first worker to ask builds while holding a lock, any other waits for
    it and reuses the build (or, if it failed, fails with its message; if it skipped, as a build without
    the MNIST files does, skips for the same reason). `build` returns (result, extra); the value is
    (root, result, extra), with result the build's subprocess.CompletedProcess (args, returncode, stdout,
    stderr)."""
    import fcntl
    import json
    import subprocess

    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the session's folder, above each worker's own
    root, record = base / name, base / f"{name}.json"
    with open(base / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            failed, skipped = base / f"{name}.failed", base / f"{name}.skipped"
            if skipped.exists():  # another worker's attempt skipped (no data, say): skip for the same reason
                pytest.skip(skipped.read_text())
            if failed.exists():  # another worker's attempt failed: say so rather than build again
                raise AssertionError(f"the shared {name} build failed earlier in this run:\n{failed.read_text()}")
            root.mkdir()
            try:
                result, extra = build(root)
            except pytest.skip.Exception as error:
                skipped.write_text(error.msg)
                raise
            except BaseException as error:
                failed.write_text(str(error)[-4000:])
                raise
            fields = {k: getattr(result, k) for k in ("args", "returncode", "stdout", "stderr")}
            record.write_text(json.dumps({"result": fields, "extra": extra}))
        kept = json.loads(record.read_text())
    return root, subprocess.CompletedProcess(**kept["result"]), kept["extra"]


def _build_smoke(root: Path):
    repo = copy_workflow(root / "repo")
    (root / "work").mkdir()
    return smoke(repo, root / "work"), None


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory):
    """One complete smoke build in a fresh working directory, from a copy of the workflow (so that
    tests may edit templates and configs without touching the repository); (workdir, repo, result).
    Built once for the whole session and shared (by every xdist worker: `shared_build`): a test that
    builds anything more copies the working directory first (its results and .snakemake/metadata), so
    the build stays as it was made."""
    root, result, _ = shared_build(tmp_path_factory, "smoke", _build_smoke)
    return root / "work", root / "repo", result


#: The tiny configuration, over the smoke one: one run of each question's models, no optional study.
TINY = REPO / "tests" / "configs" / "tiny.yaml"


def slurm_arguments(repo: Path) -> list[str]:
    """Snakemake's arguments for the test SLURM: the workflow's profile; the test cluster has no accounting
    database, so ask squeue, and poll quickly."""
    return [
        "--profile",
        str(repo / "profiles" / "slurm"),
        "--slurm-status-command",
        "squeue",
        "--slurm-init-seconds-before-status-checks",
        "1",
        "--seconds-between-status-checks",
        "2",
        "--slurm-no-account",
        "--latency-wait",
        "10",
    ]


def _build_tiny(root: Path):
    """The tiny build on the test SLURM where one can be started here, else locally on 2 cores; (result,
    how)."""
    import yaml
    from slurm_cluster import SlurmCluster, unavailable

    repo = copy_workflow(root / "repo")
    workdir = root / "work"
    workdir.mkdir()
    configs = ["--configfile", str(repo / "config" / "smoke.yaml"), str(TINY)]
    why = unavailable()
    if why:
        result = run_snakemake(
            "report", "--cores", "2", *configs, workdir=workdir, repo=repo, env={"MNIST_DIR": str(mnist_dir())}
        )
        return result, why
    profile = yaml.safe_load((repo / "profiles/slurm/config.yaml").read_text())
    with SlurmCluster(root / "slurm", profile["default-resources"]["slurm_partition"]) as cluster:
        result = run_snakemake(
            "report",
            *slurm_arguments(repo),
            *configs,
            workdir=workdir,
            repo=repo,
            check=False,
            env={**cluster.env, "MNIST_DIR": str(mnist_dir())},
        )
        if result.returncode != 0:
            result.stderr += "\n" + cluster.logs()
    return result, "slurm"


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory):
    """The tiny configuration built from nothing once for the session (`shared_build`): on a single-node
    test SLURM through profiles/slurm where one can be started here (test_slurm checks that build), else
    locally on 2 cores. (workdir, repo, result, how): `how` is "slurm" or why SLURM was not used; a failed
    SLURM build keeps the cluster's logs in result.stderr. Shared: a test that builds more copies the
    working directory."""
    root, result, how = shared_build(tmp_path_factory, "tiny", _build_tiny)
    return root / "work", root / "repo", result, how
