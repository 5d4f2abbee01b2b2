"""The workflow submitted to a real (single-node) SLURM through profiles/slurm: the smoke configuration
cut to one run of each question's models (tests/configs/tiny.yaml): every question's rules, without the
optional studies (the Hinton study, the CNN design study, the earlier CNN)."""

import re

import pytest
import yaml
from conftest import REPO, copy_workflow, mnist_dir, run_snakemake
from slurm_cluster import SlurmCluster, unavailable
from test_workflow import ALWAYS, read, section

pytestmark = pytest.mark.workflow


def test_workflow_runs_on_slurm(tmp_path):
    why = unavailable()
    if why:
        pytest.skip(why)
    repo = copy_workflow(tmp_path / "repo")
    partition = yaml.safe_load((repo / "profiles/slurm/config.yaml").read_text())["default-resources"][
        "slurm_partition"
    ]
    workdir = tmp_path / "work"
    workdir.mkdir()
    with SlurmCluster(tmp_path / "slurm", partition) as cluster:
        result = run_snakemake(
            "report",
            "--profile",
            str(repo / "profiles" / "slurm"),
            "--configfile",
            str(repo / "config" / "smoke.yaml"),
            str(REPO / "tests" / "configs" / "tiny.yaml"),
            # the test cluster has no accounting database: ask squeue, and poll quickly
            "--slurm-status-command",
            "squeue",
            "--slurm-init-seconds-before-status-checks",
            "1",
            "--seconds-between-status-checks",
            "2",
            "--slurm-no-account",
            "--latency-wait",
            "10",
            workdir=workdir,
            repo=repo,
            check=False,
            env={**cluster.env, "MNIST_DIR": str(mnist_dir())},
        )
        assert result.returncode == 0, f"{result.stdout[-3000:]}\n{result.stderr[-5000:]}\n{cluster.logs()}"
    # every cluster job was submitted with sbatch and ran there: each training job recorded its SLURM job id
    timings = sorted(workdir.glob("results/**/timing.json"))
    # dense, 2 sweep, CNN, its unaugmented control, the augmented dense control, autoencoder, noisy CNN
    assert len(timings) >= 8
    ids = {}
    for path in timings:
        job_id = read(workdir, path.relative_to(workdir))["slurm_job_id"]
        assert job_id and re.fullmatch(r"\d+", job_id), f"{path} did not run as a SLURM job"
        ids[path] = job_id
    assert len(set(ids.values())) == len(ids)  # one SLURM job per training job
    html = (workdir / "report" / "report.html").read_text()
    for anchor in ALWAYS:
        assert section(html, anchor).strip()
