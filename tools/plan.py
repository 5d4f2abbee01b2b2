#!/usr/bin/env python
"""Before a build: the jobs Snakemake would run, each with its reason and estimated time, and the
estimated wall time on the given cores.

    .venv/bin/python tools/plan.py [SNAKEMAKE ARGS...]        (make plan; default: --cores 4 report)

The arguments are Snakemake's own (target, --cores, --configfile, -d ...); the plan is its dry run.
How each estimate is made: mnistflow/plan.py.
"""

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mnistflow import plan, probe  # noqa: E402
from mnistflow.config import REPORT_CORES  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO / "bench" / "reference_times.json"


def workdir_from(args: list[str]) -> Path:
    for i, arg in enumerate(args):
        if arg in ("-d", "--directory") and i + 1 < len(args):
            return Path(args[i + 1])
        if arg.startswith("--directory="):
            return Path(arg.split("=", 1)[1])
    return Path.cwd()


def dry_run(args: list[str]) -> list[plan.Job]:
    """The jobs of Snakemake's dry run for `args`, with their estimates; exits on a Snakemake error."""
    args, _ = plan.without_quiet(args)
    result = subprocess.run([sys.executable, "-m", "snakemake", *args, "--dry-run"], capture_output=True, text=True)
    if result.returncode:
        sys.stderr.write(result.stdout + result.stderr)
        sys.exit(result.returncode)
    jobs = plan.parse_jobs((result.stdout + result.stderr).splitlines())
    workdir, reference = workdir_from(args), plan.load_reference(REFERENCE)
    jobs = plan.estimate(jobs, workdir, reference)
    there = plan.reference_probe(REFERENCE)
    if there and any(job.source == "reference machine" for job in jobs):  # this machine against the reference
        here = probe.cached(workdir / ".snakemake" / "throughput_probe.json", threads=min(2, os.cpu_count() or 1))
        plan.rescale(jobs, plan.scale_of(here, there))
    return jobs


def main() -> None:
    args = plan.with_cores(sys.argv[1:] or ["report"], REPORT_CORES)
    if any(a in ("-h", "--help") for a in args):
        print(__doc__)
        return
    jobs = dry_run(args)
    print(plan.plan_text(jobs, plan.cores_from(args, 1)), end="")


if __name__ == "__main__":
    main()
