"""The workflow submitted to a real (single-node) SLURM through profiles/slurm: the smoke configuration
cut to one run of each question's models (tests/configs/tiny.yaml): every question's rules, without the
optional studies (the Hinton study, the CNN design study, the earlier CNN)."""

import re

import pytest
from test_workflow import ALWAYS, read, section

pytestmark = pytest.mark.workflow


def test_workflow_runs_on_slurm(tiny_run):
    """The session's tiny build (conftest.tiny_run) ran on the test SLURM: every training job was a SLURM job
    of its own, and the report is whole."""
    workdir, _, result, how = tiny_run
    if how != "slurm":
        pytest.skip(how)
    assert result.returncode == 0, f"{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
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
