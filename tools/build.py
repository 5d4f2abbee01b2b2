#!/usr/bin/env python
"""Run a build with a forecast before it and progress while it runs (make report).

    .venv/bin/python tools/build.py [SNAKEMAKE ARGS...]

Prints the forecast of tools/plan.py in one line, runs Snakemake with the same arguments (its output
passes through unchanged; with -q only the forecast and progress lines show), and after each job that starts or
finishes prints a line such as
`[progress] 7 of 44 jobs done, 2 running (train_sweep (factor=1e-4, replicate=0) 1 min 10 s, ...);
about 12 min 30 s left`. Each training job's epoch progress is in its own log (logs/).
Exits with Snakemake's exit status.
"""

import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from plan import dry_run  # noqa: E402

from mnistflow import plan  # noqa: E402
from mnistflow.config import REPORT_CORES  # noqa: E402


def main() -> int:
    args, quiet = plan.without_quiet(plan.with_cores(sys.argv[1:] or ["report"], REPORT_CORES))
    cores = plan.cores_from(args, 1)
    jobs = dry_run(args)
    info = plan.forecast(jobs, cores)
    if not jobs:
        print("[forecast] nothing to do: every output is up to date", flush=True)
    else:
        print(f"[forecast] {plan.summary_line(info)} (`make plan` lists them with their reasons)", flush=True)
    progress = plan.Progress(jobs, cores, time.monotonic)
    proc = subprocess.Popen(
        [sys.executable, "-m", "snakemake", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    try:
        for line in proc.stdout:
            if (
                not quiet
                or line.startswith(("Error", "Exiting", "WorkflowError", "RuleException"))
                or "error" in line.lower()
            ):
                sys.stdout.write(line)
            status = progress.feed(line.rstrip("\n"))
            if status:
                print(status, flush=True)
    except KeyboardInterrupt:  # Ctrl-C reaches Snakemake too (same process group): let it stop its jobs
        print("[progress] interrupted: waiting for Snakemake to stop its jobs", flush=True)
    return proc.wait()


if __name__ == "__main__":
    sys.exit(main())
