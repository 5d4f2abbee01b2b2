"""The report's provenance: on what it ran, how long it took, how to rebuild it, what differs from the
assignment."""

import datetime as dt
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mnistflow import report

ASSIGNMENT = yaml.safe_load(
    (Path(__file__).resolve().parents[1] / "workflow" / "report" / "assignment.yaml").read_text()
)
CONFIG = yaml.safe_load((Path(__file__).resolve().parents[1] / "config" / "config.yaml").read_text())
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def job(start: float, seconds: float) -> dict:
    return {"job": "x", "seconds": seconds, "finished": (T0 + dt.timedelta(seconds=start + seconds)).isoformat()}


def test_build_time_counts_overlaps_once_and_pauses_not_at_all():
    # two jobs side by side (0-100, 50-150), then a 2-minute pause, then one job (270-300), then a 1-hour pause
    jobs = [job(0, 100), job(50, 100), job(270, 30), job(3900, 60)]
    t = report.build_time(jobs)
    assert t["span_seconds"] == 3960
    assert t["busy_seconds"] == 150 + 30 + 60
    assert t["sessions"] == 2 and not t["one_session"]  # only the hour-long pause splits the work
    assert t["first_start"] == "2026-01-01 00:00 UTC" and t["jobs"] == 4
    one = report.build_time([job(0, 100), job(100, 50)])
    assert one["one_session"] and one["busy_seconds"] == one["span_seconds"] == 150
    assert report.build_time([]) is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 10_000), st.floats(0.1, 1_000)), min_size=1, max_size=30))
def test_build_time_busy_lies_between_the_longest_job_and_the_span(intervals):
    t = report.build_time([job(a, s) for a, s in intervals])
    longest = max(s for _, s in intervals)
    assert longest - 1e-6 <= t["busy_seconds"] <= t["span_seconds"] + 1e-6
    assert t["busy_seconds"] <= sum(s for _, s in intervals) + 1e-6
    assert 1 <= t["sessions"] <= len(intervals)


def test_machines_group_jobs_and_say_what_was_not_recorded():
    a = {"host": "n1", "cpu_model": "EPYC", "cpus": 2, "memory_gib": 23.4}
    rows = report.machines([a, a, {**a, "host": "n2", "slurm_job_id": "17"}, {"host": "old"}])
    assert rows[0] == {"host": "n1", "cpu_model": "EPYC", "cpus": "2", "memory_gib": "23.4", "jobs": 2, "slurm": False}
    assert rows[1]["slurm"] and rows[1]["host"] == "n2"
    assert rows[2]["memory_gib"] == rows[2]["cpu_model"] == "not recorded"


def test_the_assignment_settings_give_no_difference_and_each_change_gives_one():
    run = {
        "data": {"validation_size": 0, "subset": None},
        "dense": {
            "model": {"hidden_units": [64, 64]},
            "training": {"optimizer": {"name": "sgd", "learning_rate": 0.1}, "batch_size": 128, "epochs": 10},
        },
        "sweep": {
            "model": {"hidden_units": [500, 300]},
            "training": {"optimizer": {"name": "sgd", "learning_rate": 0.1}, "batch_size": 128, "epochs": 40},
            "factors": [1e-6, 1e-5, 1e-4, 3e-4, 1e-3],
            "replicates": 3,
        },
        "cnn": {"model": {}, "training": {"optimizer": {"name": "sgd", "learning_rate": 0.1}, "epochs": 40}},
        "autoencoder": {
            "model": {"encoder_units": [128, 96], "decoder_units": [128]},
            "noise_level": 0.4,
            "training": {"optimizer": {"name": "adam", "learning_rate": 0.001}, "batch_size": 64, "epochs": 32},
        },
        "denoising": {"levels": [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]},
    }
    by_design = ASSIGNMENT["by_design"]
    # only the departures made by design
    assert by_design and report.differences_from_assignment(run, ASSIGNMENT) == by_design
    changed = yaml.safe_load(yaml.safe_dump(run))
    changed["sweep"]["factors"] = [0, 1e-6, 1e-5, 1e-4, 1e-3]  # 0 lies outside 1e-6..1e-3
    changed["cnn"]["training"]["schedule"] = "cosine"
    rows = report.differences_from_assignment(changed, ASSIGNMENT)[: -len(by_design)]
    assert [(r["question"], r["setting"]) for r in rows] == [
        ("2D", "L2 factors"),
        ("3A", "learning-rate schedule (earlier answer's CNN)"),
    ]
    assert rows[0]["this_run"] == "0, 1e-06, 1e-05, 0.0001, 0.001" and rows[1]["assignment"] == "constant"


def test_the_default_configuration_names_its_departures():
    """config.yaml departs from the assignment in the validation split, the factor list (0 added) and the
    CNN's training; it keeps 2A-2C, the sweep's training and the autoencoder as the assignment sets them."""
    rows = report.differences_from_assignment(CONFIG, ASSIGNMENT)
    settings_ = {(r["question"], r["setting"]) for r in rows}
    assert ("1", "images held out of training for validation") in settings_
    assert ("2D", "L2 factors") in settings_
    assert {("3A", "optimiser (earlier answer's CNN)"), ("3A", "epochs (earlier answer's CNN)")} <= settings_
    assert not [r for r in rows if r["question"] in ("2A-2C", "4", "4B-4C")]
    words = {r["setting"]: r["this_run"] for r in rows if r["question"] == "3A"}
    assert words["optimiser (earlier answer's CNN)"] == "Adam at learning rate 0.003"
    assert report.describe_setting({"train": 2000, "test": 1000}) == "train 2000, test 1000"


def test_rebuild_command_keeps_the_threads_of_the_widest_job():
    prov = {"cores": 2, "git": {"commit": "a" * 40, "dirty": False}, "date": "today", "config_yaml": "seed: 1\n"}
    assert (
        report.rebuild_command(prov, "report/config.yaml")
        == "snakemake report --cores 2 --configfile report/config.yaml"
    )
    text = report.config_file_text(prov, "report/config.yaml")
    assert text.splitlines()[0].endswith(f"commit {'a' * 12}.") and yaml.safe_load(text) == {"seed": 1}
