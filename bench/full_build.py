#!/usr/bin/env python
"""Time the whole report build from nothing, a rerun with nothing to do, a template-only rebuild and a
rebuild after a setting change, each beside the forecast `make report` prints for it (tools/plan.py).

    .venv/bin/python bench/full_build.py [--cores 4] [--configfile FILE ...] [--out results/bench/full_build.json]

The build runs in a fresh working directory (default: a new directory under /tmp, removed
afterwards unless --keep), so the project's own results/ is left alone. Needs MNIST_DIR (make
bench-build sets it to ../shared/data/mnist where that exists). Writes wall times, each job's time from its benchmark
file and the headline results.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import throughput  # noqa: E402  (bench/, this script's folder)

sys.path.insert(0, str(REPO / "tools"))
from plan import dry_run  # noqa: E402  (tools/plan.py: the forecast of make plan and make report)

from mnistflow import files, plan, report  # noqa: E402
from mnistflow.config import REPORT_CORES  # noqa: E402


def forecast_seconds(cmd: list[str], workdir: Path, cores: int) -> float:
    """The wall time `make report` would forecast for the Snakemake command `cmd` run in `workdir`."""
    seconds = plan.forecast(dry_run([*cmd[1:], "-d", str(workdir)]), cores)["wall_seconds"]
    print(f"  forecast {plan.duration(seconds)}", flush=True)
    return seconds


def timed(cmd: list[str], workdir: Path, log: Path) -> float:
    print("$", " ".join(cmd), flush=True)
    start = time.perf_counter()
    with log.open("a") as out:
        proc = subprocess.run(cmd, cwd=workdir, stdout=out, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"failed after {seconds:.0f} s (exit {proc.returncode}); the log is {log}")
    print(f"  {seconds:.1f} s", flush=True)
    return seconds


def headline(workdir: Path) -> dict:
    """The accuracy targets of questions 2D and 3A, read from the build's own outputs."""
    import pandas as pd

    summary = pd.read_csv(workdir / "results" / "sweep" / "summary.csv", dtype={"factor_label": str})
    # the workflow's own choice (ties: less decay)
    chosen = files.read_json(workdir / "results" / "sweep" / "choice.json")["label"]
    best = summary.loc[summary["factor_label"] == chosen].iloc[0]
    cnn = files.read_json(workdir / "results" / "cnn" / "summary.json")
    return {
        "sweep_best_factor": best["factor_label"],
        "sweep_best_test_accuracy_mean": float(best["test_accuracy_mean"]),
        "cnn_test_accuracy_mean": cnn["test_accuracy"]["mean"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=REPORT_CORES)
    parser.add_argument("--configfile", nargs="+", default=[], help="config files added after config/config.yaml")
    parser.add_argument("--workdir", help="build here (must be empty or absent); default: a new temporary directory")
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    parser.add_argument("--out", default="results/bench/full_build.json")
    args = parser.parse_args()
    if not os.environ.get("MNIST_DIR"):
        sys.exit("set MNIST_DIR to the directory of the four IDX files")
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="mnistflow-build-")).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    if any(workdir.iterdir()):
        sys.exit(f"{workdir} is not empty: the build is timed from nothing")
    log = workdir / "build.log"
    # the target comes first: --configfile takes every value after it
    snakemake = [
        str(Path(sys.executable).parent / "snakemake"),
        "report",
        "--snakefile",
        str(REPO / "Snakefile"),
        "--cores",
        str(args.cores),
    ]
    if args.configfile:
        snakemake += ["--configfile", *[str(Path(f).resolve()) for f in args.configfile]]
    print(f"building in {workdir} (log: {log})", flush=True)
    result = {
        "machine": throughput.machine(),
        "cores": args.cores,
        "configfiles": args.configfile,
        "command": " ".join(["snakemake", "--cores", str(args.cores), "report"]),
    }
    threads = min(args.cores, os.cpu_count() or 1)  # a peak on more threads than CPUs is no peak
    result["peaks"] = {}
    for precision, step in throughput.PEAK_STEPS.items():
        print(f"{precision} matrix-product peak ...", flush=True)
        found = throughput._child(
            [step, "--config", str(REPO / "config" / "config.yaml"), "--threads", str(threads)], sys.stderr
        )
        result["peaks"][precision] = found
        print(f"  {found['gflops']:.1f} GFLOP/s on {threads} threads", flush=True)
    result["gemm"] = result["peaks"]["float32"]
    result["forecast_full_build_seconds"] = forecast_seconds(snakemake, workdir, args.cores)
    result["full_build_seconds"] = timed(snakemake, workdir, log)
    result["noop_rerun_seconds"] = timed(snakemake, workdir, log)
    # A template edit: Snakemake compares the content of small inputs, so a touch is not enough.
    # The template gets a comment for one rebuild and is restored (the restore rebuilds again).
    template = REPO / "workflow" / "report" / "report.html.j2"
    original = template.read_bytes()
    try:
        template.write_bytes(original + b"{# benchmark edit #}\n")
        result["forecast_template_rebuild_seconds"] = forecast_seconds(snakemake, workdir, args.cores)
        result["template_rebuild_seconds"] = timed(snakemake, workdir, log)
    finally:
        template.write_bytes(original)
    timed(snakemake, workdir, log)
    # A setting change (4D's samples per class) that reruns some jobs, then the setting restored. The change is
    # a config file of its own, after the others (--config would pass the number as a string).
    override = workdir / "setting_change.yaml"
    override.write_text("generation:\n  per_class: 101\n")
    changed = [*snakemake, "--configfile", *[str(Path(f).resolve()) for f in args.configfile], str(override)]
    result["forecast_setting_rebuild_seconds"] = forecast_seconds(changed, workdir, args.cores)
    result["setting_rebuild_seconds"] = timed(changed, workdir, log)
    timed(snakemake, workdir, log)
    folder = workdir / "results" / "benchmarks"
    benchmarks = {p.relative_to(folder).with_suffix("").as_posix(): str(p) for p in sorted(folder.rglob("*.tsv"))}
    result["jobs"] = report.benchmark_table(benchmarks)
    result["job_seconds_total"] = sum(j["seconds"] for j in result["jobs"])
    result["results"] = headline(workdir)
    flops = throughput.build_flops(workdir / "results")
    result["training_flops"] = flops["total"]
    result["training_flops_by_precision"] = flops["by_precision"]
    # each model's FLOPs at the peak of the precision it trains in
    gflops = {p: found["gflops"] for p, found in result["peaks"].items()}
    result["flop_floor_seconds"] = throughput.floor_seconds(flops["by_precision"], gflops)
    result["fraction_of_floor"] = result["flop_floor_seconds"] / result["full_build_seconds"]
    result["forecast_error"] = {  # forecast / measured - 1
        "full_build": result["forecast_full_build_seconds"] / result["full_build_seconds"] - 1,
        "template_rebuild": result["forecast_template_rebuild_seconds"] / result["template_rebuild_seconds"] - 1,
        "setting_rebuild": result["forecast_setting_rebuild_seconds"] / result["setting_rebuild_seconds"] - 1,
    }
    overheads = [
        t["start_to_first_step_seconds"]
        for t in (files.read_json(p) for p in (workdir / "results").rglob("timing.json"))
        if t.get("start_to_first_step_seconds") is not None
    ]
    result["start_to_first_step_seconds"] = {
        "median": float(sorted(overheads)[len(overheads) // 2]) if overheads else None,
        "jobs": len(overheads),
    }
    result["date"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    files.write_json(args.out, result)
    print(json.dumps({k: v for k, v in result.items() if k != "jobs"}, indent=1))
    overhead = result["start_to_first_step_seconds"]
    print(
        f"training work {result['training_flops'] / 1e12:.1f} TFLOP ("
        + ", ".join(f"{p} {f / 1e12:.1f}" for p, f in flops["by_precision"].items())
        + f"); floor {result['flop_floor_seconds'] / 60:.1f} min at "
        + ", ".join(f"{p} {g:.0f} GFLOP/s" for p, g in gflops.items())
        + f"; build {result['full_build_seconds'] / 60:.1f} min = "
        f"{100 * result['fraction_of_floor']:.0f}% of the floor; process start to first training step "
        + (
            f"{overhead['median']:.1f} s (median of {overhead['jobs']} jobs)"
            if overhead["median"] is not None
            else "not recorded (no training job)"
        )
    )
    print(
        "forecast against measured: "
        + ", ".join(f"{k.replace('_', ' ')} {100 * v:+.0f}%" for k, v in result["forecast_error"].items())
    )
    print(f"written: {args.out}")
    if not args.keep and not args.workdir:
        import shutil

        shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
