#!/usr/bin/env python
"""How the build's cost grows with the sweep, its critical path, and its wall time on a cluster.

    .venv/bin/python bench/scaling.py --workdir DIR [--cores 2] [--out results/bench/scaling.json]

DIR is a finished default build (e.g. `bench/full_build.py --workdir DIR --keep`). Every job's time
comes from that build (its benchmark files and Snakemake's record of each job, as `make plan`
estimates them); a sweep job of E epochs takes a + b E seconds, a and b fitted to the build's own
sweep jobs (start-up and evaluation, and seconds per epoch). The DAG of each variant is Snakemake's
own (`--dry-run --forceall` with the variant's config), and its wall time the same list-scheduling
simulation as `make plan`:

- the critical path: unlimited cores;
- the laptop: the given cores shared by all jobs;
- a SLURM cluster of N free 2-core nodes: each compute job takes a node (2 cores) and the light
  jobs run beside them, which the simulation approximates as 2N cores.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from mnistflow import plan  # noqa: E402

NODES = (1, 2, 4, 8, 16)


def dag(workdir: Path, override: dict, cores: int, configfiles: list[str] = ()) -> list[plan.Job]:
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as fh:
        yaml.safe_dump(override, fh)
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        "report",
        "--snakefile",
        str(REPO / "Snakefile"),
        "-d",
        str(workdir),
        "--cores",
        str(cores),
        "--dry-run",
        "--forceall",
        "--configfile",
        *configfiles,
        fh.name,
    ]
    result = subprocess.run(cmd, capture_output=True, text=True)
    Path(fh.name).unlink()
    if result.returncode:
        sys.exit(result.stdout[-2000:] + result.stderr[-2000:])
    return plan.parse_jobs((result.stdout + result.stderr).splitlines())


def sweep_model(jobs: list[plan.Job], workdir: Path) -> tuple[float, float]:
    """a (seconds a sweep job takes besides its epochs) and b (seconds per epoch), medians over the
    build's sweep jobs (their benchmark files and timing outputs, as the dry run names them)."""
    fixed, per_epoch = [], []
    for job in jobs:
        timing = next((o for o in job.outputs if o.endswith("timing.json")), None)
        if job.rule != "train_sweep" or not job.benchmark or timing is None or not (workdir / timing).is_file():
            continue
        record = json.loads((workdir / timing).read_text())
        total = plan.benchmark_seconds(workdir / job.benchmark)
        if total is None or not record["epoch_seconds"]:
            continue
        per_epoch.append(record["fit_seconds"] / len(record["epoch_seconds"]))
        fixed.append(total - record["fit_seconds"])
    if not per_epoch:
        sys.exit(f"no sweep timings in {workdir}: give a finished default build")
    return statistics.median(fixed), statistics.median(per_epoch)


def estimate(jobs: list[plan.Job], workdir: Path, a: float, b: float, epochs: int) -> list[plan.Job]:
    plan.estimate(jobs, workdir, plan.load_reference(REPO / "bench" / "reference_times.json"))
    for job in jobs:
        if job.rule == "train_sweep":
            job.seconds, job.source = a + b * epochs, "a + b epochs"
        if job.threads > 1 or job.rule.startswith(("train_", "evaluate_", "generate_")):
            job.threads = 2
    return jobs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", required=True, type=Path)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument(
        "--configfile", nargs="+", default=[], help="config files the build used, after config/config.yaml"
    )
    parser.add_argument("--out", default="results/bench/scaling.json")
    args = parser.parse_args()
    workdir = args.workdir.resolve()
    from snakemake.utils import update_config

    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    for extra in args.configfile:
        update_config(config, yaml.safe_load(Path(extra).read_text()))
    configfiles = [str(Path(f).resolve()) for f in args.configfile]
    factors, replicates, epochs = (
        config["sweep"]["factors"],
        config["sweep"]["replicates"],
        config["sweep"]["training"]["epochs"],
    )
    a, b = sweep_model(dag(workdir, {}, args.cores, configfiles), workdir)
    more_factors = sorted(set(factors) | {3e-5, 3e-6, 3e-3, 1e-2, 3e-2, 1e-1})[: 2 * len(factors)]
    # a Hinton variant that continues the 2D runs must train longer than they do: its epochs double with theirs
    continued = {
        name: {"training": {"epochs": 2 * variant["training"]["epochs"]}}
        for name, variant in ((config.get("hinton_study") or {}).get("variants") or {}).items()
        if variant.get("continue_2d")
    }
    longer = {"hinton_study": {"variants": continued}} if continued else {}
    variants = [
        ("default", {}),
        ("2x factors", {"sweep": {"factors": more_factors}}),
        ("2x replicates", {"sweep": {"replicates": 2 * replicates}}),
        ("2x epochs", {"sweep": {"training": {"epochs": 2 * epochs}}, **longer}),
        (
            "2x factors, replicates and epochs",
            {
                "sweep": {"factors": more_factors, "replicates": 2 * replicates, "training": {"epochs": 2 * epochs}},
                **longer,
            },
        ),
    ]
    rows = []
    for name, override in variants:
        sweep = {**config["sweep"], **override.get("sweep", {})}
        run_epochs = override.get("sweep", {}).get("training", {}).get("epochs", epochs)
        jobs = estimate(dag(workdir, override, args.cores, configfiles), workdir, a, b, run_epochs)
        row = {
            "variant": name,
            "factors": len(sweep["factors"]),
            "replicates": sweep["replicates"],
            "epochs": run_epochs,
            "jobs": len(jobs),
            "job_seconds": sum(j.seconds or 0 for j in jobs),
            "sweep_job_seconds": sum(j.seconds or 0 for j in jobs if j.rule == "train_sweep"),
            "critical_path_seconds": plan.simulate(jobs, 10_000),
            "laptop_seconds": plan.simulate(jobs, args.cores),
            "slurm_seconds": {n: plan.simulate(jobs, 2 * n) for n in NODES},
            "unknown": [j.name for j in jobs if j.seconds is None],
        }
        rows.append(row)
        print(
            f"{name:<36} {row['jobs']:>4} jobs  job time {plan.duration(row['job_seconds']):>12}  critical path "
            f"{plan.duration(row['critical_path_seconds']):>10}  {args.cores} cores "
            f"{plan.duration(row['laptop_seconds']):>12}  "
            + "  ".join(f"{n} node{'s' if n > 1 else ''} {plan.duration(s)}" for n, s in row["slurm_seconds"].items()),
            flush=True,
        )
    out = {
        "workdir": str(workdir),
        "sweep_job_seconds_model": {"a": a, "b_per_epoch": b},
        "cores": args.cores,
        "rows": rows,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=1))
    print(f"sweep job = {a:.1f} s + {b:.2f} s x epochs; written: {args.out}")


if __name__ == "__main__":
    main()
