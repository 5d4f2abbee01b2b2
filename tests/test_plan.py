"""The build forecast and progress: parsing Snakemake's job blocks, estimates, the schedule."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from mnistflow import plan

DRY_RUN = """Building DAG of jobs...
Job stats:
job                   count
------------------  -------
train_dense               1
report                    1
total                     2


[Mon Nov 30 19:49:19 2026]
rule train_dense:
    input: results/data/mnist.npz
    output: results/dense/model.keras, results/dense/metrics.json, results/dense/timing.json
    log: logs/dense/train.log
    jobid: 6
    benchmark: results/benchmarks/train_dense.tsv
    reason: Params have changed since last execution
    threads: 2
    resources: tmpdir=/tmp, mem_mb=3000, runtime=30
Shell command: None

[Mon Nov 30 19:49:19 2026]
rule train_sweep:
    input: results/data/mnist.npz
    output: results/sweep/l2_0/rep0/metrics.json
    log: logs/sweep/l2_0_rep0.log
    jobid: 8
    benchmark: results/benchmarks/sweep/l2_0_rep0.tsv
    reason: Missing output files: results/sweep/l2_0/rep0/metrics.json
    wildcards: factor=0, replicate=0
    threads: 2
Shell command: None

[Mon Nov 30 19:49:19 2026]
localrule report:
    input: results/dense/metrics.json, results/sweep/l2_0/rep0/metrics.json
    output: report/report.html, report/report.pdf
    jobid: 0
    reason: Input files updated by another job: results/dense/metrics.json
Shell command: None
"""


def test_parse_jobs_reads_every_block():
    jobs = plan.parse_jobs(DRY_RUN.splitlines())
    assert [j.rule for j in jobs] == ["train_dense", "train_sweep", "report"]
    dense, sweep, report = jobs
    assert dense.jobid == 6 and dense.threads == 2 and dense.benchmark == "results/benchmarks/train_dense.tsv"
    assert dense.outputs == ["results/dense/model.keras", "results/dense/metrics.json", "results/dense/timing.json"]
    assert sweep.name == "train_sweep (factor=0, replicate=0)" and sweep.reason.startswith("Missing output files")
    assert report.threads == 1 and report.inputs == [
        "results/dense/metrics.json",
        "results/sweep/l2_0/rep0/metrics.json",
    ]
    assert plan.dependencies(jobs) == {6: set(), 8: set(), 0: {6, 8}}


def test_estimates_in_order_of_preference(tmp_path):
    jobs = plan.parse_jobs(DRY_RUN.splitlines())
    (tmp_path / "results/benchmarks").mkdir(parents=True)
    (tmp_path / "results/benchmarks/train_dense.tsv").write_text("s\th:m:s\tmax_rss\n12.5\t0:00:12\t100\n")
    meta = tmp_path / ".snakemake" / "metadata"
    meta.mkdir(parents=True)
    name = base64.urlsafe_b64encode(b"report/report.html").decode()
    (meta / name).write_text(json.dumps({"rule": "report", "starttime": 100.0, "endtime": 107.0}))
    plan.estimate(jobs, tmp_path, {"train_sweep": 40.0, "train_dense": 999.0})
    dense, sweep, report = jobs
    assert (dense.seconds, dense.source) == (12.5, "its benchmark file")
    assert (report.seconds, report.source) == (7.0, "its last run")
    assert (sweep.seconds, sweep.source) == (40.0, "reference machine")
    unknown = plan.estimate(plan.parse_jobs(DRY_RUN.splitlines()), tmp_path / "empty", {})
    assert [j.seconds for j in unknown] == [None, None, None]
    text = plan.plan_text(unknown, 2)
    assert "3 job(s) without any timing" in text


def test_jobs_of_a_rule_without_timing_take_the_median_of_its_measured_jobs(tmp_path):
    jobs = [plan.Job(rule="train_sweep", jobid=i, outputs=[f"out{i}"], benchmark=f"b{i}.tsv") for i in range(3)]
    for i, s in ((0, 10.0), (1, 30.0)):
        (tmp_path / f"b{i}.tsv").write_text(f"s\tmax_rss\n{s}\t1\n")
    plan.estimate(jobs, tmp_path, {})
    assert (jobs[2].seconds, jobs[2].source) == (20.0, "its rule's other jobs")


def job(i, seconds, threads=1, inputs=(), outputs=None):
    return plan.Job(
        rule=f"r{i}", jobid=i, inputs=list(inputs), outputs=outputs or [f"o{i}"], threads=threads, seconds=seconds
    )


@pytest.mark.parametrize("cores, threads, expected", [(2, 1, 10.0), (1, 1, 20.0), (2, 2, 20.0), (4, 8, 20.0)])
def test_two_independent_jobs(cores, threads, expected):
    assert plan.simulate([job(1, 10.0, threads), job(2, 10.0, threads)], cores) == expected


def test_a_chain_takes_the_sum_and_the_longest_path_goes_first():
    chain = [job(1, 5.0), job(2, 7.0, inputs=["o1"]), job(3, 1.0, inputs=["o2"])]
    assert plan.simulate(chain, 8) == 13.0
    # one long job and a chain of two short ones on two cores: 10, not 10 + something
    jobs = [job(1, 10.0), job(2, 3.0), job(3, 3.0, inputs=["o2"])]
    assert plan.simulate(jobs, 2) == 10.0
    # on one core the order does not matter: the sum
    assert plan.simulate(jobs, 1) == 16.0


def test_running_and_finished_jobs_shorten_the_time_left():
    jobs = [job(1, 10.0), job(2, 10.0, inputs=["o1"])]
    assert plan.simulate(jobs, 1, elapsed={1: 4.0}) == 16.0
    assert plan.simulate(jobs, 1, done={1}) == 10.0
    assert plan.simulate(jobs, 1, elapsed={1: 30.0}) == 10.0  # overrun: no negative time


def test_progress_follows_snakemake_output():
    now = [0.0]
    jobs = plan.estimate(
        plan.parse_jobs(DRY_RUN.splitlines()), "/nonexistent", {"train_dense": 10.0, "train_sweep": 30.0, "report": 5.0}
    )
    progress = plan.Progress(jobs, 2, lambda: now[0])
    lines = DRY_RUN.split("[Mon Nov 30 19:49:19 2026]")[1].splitlines()  # the train_dense block, as it starts
    statuses = [s for s in map(progress.feed, lines) if s]
    # 2 threads each on 2 cores
    assert statuses == ["[progress] 0 of 3 jobs done, 1 running (train_dense 0 s); about 45 s left"]
    now[0] = 10.0
    assert (
        progress.feed("Finished jobid: 6 (Rule: train_dense)")
        == "[progress] 1 of 3 jobs done, 0 running; about 35 s left"
    )
    # a live run numbers its jobs afresh: the job is known by its outputs
    live = [
        line.replace("jobid: 8", "jobid: 1") for line in DRY_RUN.split("[Mon Nov 30 19:49:19 2026]")[2].splitlines()
    ]
    assert [s for s in map(progress.feed, live) if s] == [
        "[progress] 1 of 3 jobs done, 1 running (train_sweep (factor=0, replicate=0) 0 s); about 35 s left"
    ]
    now[0] = 40.0
    status = progress.feed("Finished jobid: 1 (Rule: train_sweep)")
    assert status == "[progress] 2 of 3 jobs done, 0 running; about 5 s left"
    # a job the forecast did not know is counted, without an estimate
    extra = ["rule surprise:", "    output: x", "    jobid: 9"]
    assert [s for s in map(progress.feed, extra) if s] == [
        "[progress] 2 of 4 jobs done, 1 running (surprise 0 s); about 5 s left"
    ]


def test_duration_and_cores():
    assert plan.duration(59.4) == "59 s" and plan.duration(61) == "1 min 01 s" and plan.duration(3720) == "1 h 02 min"
    assert plan.cores_from(["report", "--cores", "3"], 1) == 3 and plan.cores_from(["--cores=2"], 1) == 2
    assert plan.cores_from(["report"], 4) == 4


def test_quiet_is_taken_out_with_its_values():
    assert plan.without_quiet(["report", "-q", "--cores", "2"]) == (["report", "--cores", "2"], True)
    assert plan.without_quiet(["--quiet", "rules", "progress", "report"]) == (["report"], True)
    assert plan.without_quiet(["report"]) == (["report"], False)


@pytest.mark.parametrize("cores, cpus, used", [(4, 2, 2), (2, 2, 2), (1, 16, 1), (8, 16, 8)])
def test_the_forecast_simulates_no_more_cores_than_cpus_and_says_so(cores, cpus, used):
    jobs = [job(1, 10.0), job(2, 10.0), job(3, 10.0), job(4, 10.0)]
    info = plan.forecast(jobs, cores, cpus=cpus)
    assert info["simulated_cores"] == used
    assert info["wall_seconds"] == plan.simulate(jobs, used)
    line = plan.summary_line(info)
    assert f"on {used} core" in line
    # the note appears exactly when --cores asks for more than the machine has
    assert ("asked for, but this machine has" in line) == (cores > cpus)
    assert ("this machine has" in plan.plan_text(jobs, cores, cpus=cpus)) == (cores > cpus)


def test_progress_runs_on_the_cores_the_machine_has():
    progress = plan.Progress([job(1, 10.0), job(2, 10.0)], 4, lambda: 0.0, cpus=1)
    assert progress.left() == 20.0


def test_reference_times_are_scaled_by_the_probe(tmp_path):
    ref = tmp_path / "reference.json"
    ref.write_text(json.dumps({"seconds": {"a": 10.0, "b": 4.0}, "probe": {"step_seconds": 0.002}}))
    assert plan.reference_probe(ref) == 0.002
    assert plan.reference_probe(tmp_path / "missing.json") is None
    scale = plan.scale_of({"step_seconds": 0.004}, plan.reference_probe(ref))
    assert scale == pytest.approx(2.0)
    # unknown on either side: unscaled
    assert plan.scale_of(None, 0.002) == 1.0 and plan.scale_of({"step_seconds": 0.004}, None) == 1.0
    (tmp_path / "results/benchmarks").mkdir(parents=True)
    (tmp_path / "results/benchmarks/b.tsv").write_text("s\th:m:s\n3.0\t0:00:03\n")
    jobs = [
        plan.Job(rule="a", jobid=1, outputs=["x"]),
        plan.Job(rule="b", jobid=2, outputs=["y"], benchmark="results/benchmarks/b.tsv"),
    ]
    plan.rescale(plan.estimate(jobs, tmp_path, plan.load_reference(ref)), scale)
    # only the reference machine's time is converted; a time measured here stays as measured
    assert (jobs[0].seconds, jobs[0].source) == (20.0, "reference x 2.00")
    assert (jobs[1].seconds, jobs[1].source) == (3.0, "its benchmark file")


def test_probe_is_measured_once_a_day_per_machine(tmp_path, monkeypatch):
    from mnistflow import probe

    path = tmp_path / "probe.json"
    first = probe.cached(path, threads=1, now=1000.0)  # a real measurement, in a subprocess
    assert 0 < first["step_seconds"] < 1 and first["epochs"] >= 3 and first["machine"] == probe.machine()
    calls = []
    monkeypatch.setattr(probe.subprocess, "run", lambda *a, **k: calls.append(a) or pytest.fail("measured again"))
    assert probe.cached(path, threads=1, now=1000.0 + 3600) == first  # kept
    monkeypatch.undo()
    kept = json.loads(path.read_text())
    path.write_text(json.dumps({**kept, "machine": "another|machine|2"}))

    class Done:
        returncode, stdout = 0, json.dumps({"step_seconds": 0.5, "epochs": 3, "threads": 1})

    monkeypatch.setattr(probe.subprocess, "run", lambda *a, **k: Done)
    assert probe.cached(path, threads=1, now=1000.0)["step_seconds"] == 0.5  # another machine's: measured anew
    path.write_text(json.dumps({**kept, "time": 0.0}))
    assert probe.cached(path, threads=1, now=probe.CACHE_SECONDS + 1.0)["step_seconds"] == 0.5  # stale
    Done.returncode = 1
    path.unlink()
    assert probe.cached(path, threads=1) is None  # a failed probe: the forecast stays unscaled


def test_jobs_that_shared_the_cpus_count_as_if_alone():
    # two 2-thread jobs side by side on 2 CPUs for 10 s: each had half the machine, 5 s of it alone
    assert plan.alone_seconds({"a": (0.0, 10.0, 2), "b": (0.0, 10.0, 2)}, cpus=2) == {"a": 5.0, "b": 5.0}
    # a job alone for 4 s, then beside another for 6 s, then alone again for 2 s: 4 + 3 + 2
    runs = {"long": (0.0, 12.0, 2), "short": (4.0, 10.0, 2)}
    assert plan.alone_seconds(runs, cpus=2) == {"long": 9.0, "short": 3.0}
    # one thread each on 2 CPUs: no sharing, the measured times stand
    assert plan.alone_seconds({"a": (0.0, 10.0, 1), "b": (0.0, 10.0, 1)}, cpus=2) == {"a": 10.0, "b": 10.0}
    # a job's threads count up to the CPUs: an 8-thread job alone on 2 CPUs had the machine to itself
    assert plan.alone_seconds({"a": (0.0, 10.0, 8)}, cpus=2) == {"a": 10.0}


def _record(workdir, output, rule, start, end, job_hash):
    meta = workdir / ".snakemake" / "metadata"
    meta.mkdir(parents=True, exist_ok=True)
    name = base64.urlsafe_b64encode(output.encode()).decode()
    (meta / name).write_text(json.dumps({"rule": rule, "starttime": start, "endtime": end, "job_hash": job_hash}))


@pytest.mark.parametrize(
    "threads, cpus, expected",
    [
        ({"train_cnn": 2}, 2, (5.0, 4.0)),  # it ran beside a 2-thread job on 2 CPUs: half the machine
        ({"train_cnn": 1}, 2, (10.0 * 2 / 3, 4.0)),  # beside a 1-thread job: two thirds of it
        ({}, 4, (10.0, 4.0)),  # 4 CPUs: room for both, the measured time stands
        ({"train_cnn": 2}, None, (10.0, 4.0)),  # no CPU count given: measured times as they are
    ],
)
def test_a_job_timed_by_its_own_run_counts_as_if_it_had_been_alone(tmp_path, threads, cpus, expected):
    """(How bench/reference_times.py counts a build's jobs.) The dense job ran beside a CNN job (not in the
    plan, so its threads come from `threads`) and the report ran alone afterwards."""
    jobs = plan.parse_jobs(DRY_RUN.splitlines())
    (tmp_path / "results/benchmarks").mkdir(parents=True)
    (tmp_path / "results/benchmarks/train_dense.tsv").write_text("s\th:m:s\n10.0\t0:00:10\n")
    outputs = ("results/dense/model.keras", "results/dense/metrics.json", "results/dense/timing.json")
    for i, output in enumerate(outputs):  # one job, three outputs: counted once (Snakemake starts each
        _record(tmp_path, output, "train_dense", 100.0 + 1e-6 * i, 110.0, 1)  # record a few µs apart)
    _record(tmp_path, "results/cnn/model.keras", "train_cnn", 100.0, 110.0, 2)
    _record(tmp_path, "report/report.html", "report", 120.0, 124.0, 3)
    plan.estimate(jobs, tmp_path, {"train_sweep": 40.0}, threads, cpus)
    dense, sweep, report = jobs
    assert (dense.seconds, report.seconds) == pytest.approx(expected)
    assert (dense.source, report.source, sweep.seconds) == ("its benchmark file", "its last run", 40.0)


def test_the_dry_run_text_is_parsed_for_the_snakemake_it_was_checked_against():
    """plan.parse_jobs reads Snakemake's printed dry run, whose format is not a stable interface: the
    installed Snakemake is the release the patterns were checked against (requirements.txt pins it), so a
    Snakemake upgrade fails here first and the patterns are checked again (test_plan_lists_the_dry_run_jobs_with_a_time
    in test_workflow.py runs them on a real dry run)."""
    from importlib.metadata import version

    assert version("snakemake") == plan.CHECKED_WITH_SNAKEMAKE
    requirements = (Path(__file__).parents[1] / "requirements.txt").read_text()
    assert f"snakemake=={plan.CHECKED_WITH_SNAKEMAKE}\n" in requirements
