#!/usr/bin/env python
"""Write bench/reference_times.json from a finished default build: the median seconds of each rule's
jobs (their benchmark files, else Snakemake's record of the job) as if each had the machine to itself
(a build run with more parallel threads than CPUs is deflated by plan.alone_seconds), and this
machine's throughput probe (mnistflow/probe.py), by which `make plan` scales these times to the machine it runs on.

    .venv/bin/python bench/reference_times.py --workdir DIR [--out bench/reference_times.json]

Run it on the machine that built DIR, soon after the build (the probe measures the machine as it is now).
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from scaling import dag  # noqa: E402

from mnistflow import plan, probe  # noqa: E402
from mnistflow.runtime import cpu_identity  # noqa: E402


def rule_medians(jobs: list[plan.Job], workdir: Path, cpus: int | None = None) -> dict[str, float]:
    """The median seconds of each rule's jobs in `workdir` with the machine to themselves (rules with no
    measured job left out). With `cpus`, a job that shared the CPUs with others counts as
    plan.deflate says, from the start and end Snakemake recorded for every job of the build;
    without, or for a job without that record, its measured seconds count."""
    plan.estimate(jobs, workdir, {}, cpus=cpus)
    by_rule: dict[str, list[float]] = {}
    for job in jobs:
        if job.source in ("its benchmark file", "its last run"):
            by_rule.setdefault(job.rule, []).append(job.seconds)
    return {rule: round(statistics.median(v), 1) for rule, v in sorted(by_rule.items())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", required=True, type=Path)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "reference_times.json")
    parser.add_argument("--configfile", nargs="+", default=[], help="config files the build used, if any")
    args = parser.parse_args()
    cpus = os.cpu_count() or 1
    seconds = rule_medians(dag(args.workdir, {}, 2, args.configfile), args.workdir, cpus)
    if not seconds:
        sys.exit(f"no measured jobs in {args.workdir}: give a finished build")
    found = probe.measure(threads=min(2, os.cpu_count() or 1))
    note = (
        "median seconds per job of each rule in a full default build, each job as if alone on the machine, on "
        f"{platform.node()} "
        f"({cpu_identity().get('cpu_model')}, {os.cpu_count()} CPUs), {datetime.date.today()}, with the "
        "throughput probe (mnistflow/probe.py) measured there; make plan scales these by the probe of the "
        "machine it runs on when a job has no timing of its own"
    )
    args.out.write_text(json.dumps({"note": note, "probe": found, "seconds": seconds}, indent=1) + "\n")
    print(f"{len(seconds)} rules; probe {1000 * found['step_seconds']:.2f} ms a step; written to {args.out}")


if __name__ == "__main__":
    main()
