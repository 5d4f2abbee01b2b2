"""Forecast and progress of a build: which jobs Snakemake would run, why, and how long they take.

The jobs and their reasons come from Snakemake's own dry run (its job blocks: `rule NAME:` with
`input:`, `output:`, `benchmark:`, `reason:`, `threads:` lines). Each job's time is, in order of
preference: its last benchmark file, the run time Snakemake recorded for its first output
(`.snakemake/metadata`), the median of the same rule's other jobs measured either way, and the
reference time of its rule measured on a 2-core machine (bench/reference_times.json), scaled to this
machine by the ratio of a short throughput probe here to the same probe there (mnistflow/probe.py).
A job's own time counts as measured. (`deflate`, which counts a run that shared the CPUs as if it had
been alone, serves bench/reference_times.py: for a forecast of a rerun it overcorrected, see
docs/performance.md.)
The wall time is a list-scheduling simulation on the given cores, but never on more cores than the
machine has CPUs (more parallel jobs than CPUs only share them): a job starts when its inputs are
made and enough cores are free, longest remaining path first, as Snakemake's scheduler roughly does.
"""

from __future__ import annotations

import base64
import heapq
import json
import os
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path

#: The Snakemake release whose printed dry run these patterns were checked against: Snakemake 9's API has no
#: public way to list a dry run's jobs with their reasons, so the forecast reads the text (tests pin it).
CHECKED_WITH_SNAKEMAKE = "9.27.1"

JOB_START = re.compile(r"^(?:local)?rule (\w+):\s*$")
FIELD = re.compile(r"^\s{4}(\w+): (.*)$")
FINISHED = re.compile(r"Finished jobid: (\d+) \(Rule: (\w+)\)")


@dataclass
class Job:
    rule: str
    jobid: int
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    benchmark: str | None = None
    reason: str = ""
    wildcards: str = ""
    threads: int = 1
    seconds: float | None = None
    source: str = "unknown"

    @property
    def name(self) -> str:
        return f"{self.rule} ({self.wildcards})" if self.wildcards else self.rule


def _split_files(text: str) -> list[str]:
    return [part.strip() for part in text.split(", ") if part.strip()]


def parse_jobs(lines) -> list[Job]:
    """The job blocks of Snakemake's (dry-run or live) output, in the order they appear."""
    jobs, current = [], None
    for line in lines:
        start = JOB_START.match(line)
        if start:
            current = Job(rule=start.group(1), jobid=-1)
            jobs.append(current)
            continue
        match = FIELD.match(line) if current is not None else None
        if not match:
            if current is not None and line.strip() and not line.startswith(" "):
                current = None
            continue
        key, value = match.groups()
        if key == "input":
            current.inputs = _split_files(value)
        elif key == "output":
            current.outputs = _split_files(value)
        elif key == "benchmark":
            current.benchmark = value.strip()
        elif key == "reason":
            current.reason = value.strip()
        elif key == "wildcards":
            current.wildcards = value.strip()
        elif key == "threads":
            current.threads = int(value)
        elif key == "jobid":
            current.jobid = int(value)
    return [job for job in jobs if job.jobid >= 0]


def benchmark_seconds(path: Path) -> float | None:
    """The run time in a Snakemake benchmark file (its last row's `s`); None if unreadable."""
    try:
        rows = path.read_text().strip().splitlines()
        header, last = rows[0].split("\t"), rows[-1].split("\t")
        return float(last[header.index("s")])
    except (OSError, ValueError, IndexError):
        return None


def _metadata_record(workdir: Path, output: str) -> tuple[str, float, float] | None:
    """(key, start, end) of the job that last made `output`, as Snakemake recorded them; the key names the
    job as recorded_runs does (each output's record has its own start, a few microseconds apart)."""
    path = Path(workdir) / ".snakemake" / "metadata" / base64.urlsafe_b64encode(output.encode()).decode()
    try:
        record = json.loads(path.read_text())
        return record.get("job_hash") or str(path), float(record["starttime"]), float(record["endtime"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def metadata_interval(workdir: Path, output: str) -> tuple[float, float] | None:
    """(start, end) of the job that last made `output`, as Snakemake recorded them."""
    found = _metadata_record(workdir, output)
    return None if found is None else found[1:]


def _metadata_seconds(workdir: Path, output: str) -> float | None:
    """The run time Snakemake recorded for the job that last made `output`."""
    interval = metadata_interval(workdir, output)
    return None if interval is None else interval[1] - interval[0]


def alone_seconds(runs: dict, cpus: int) -> dict:
    """What each job would have taken with the machine to itself, from a build where jobs ran side by side:
    `runs` maps a job to (start, end, threads). While the running jobs want more threads than the machine
    has `cpus`, each is taken to progress at the share cpus / (threads wanted) of its own speed, so those
    stretches count at that share (a job's threads count up to `cpus`)."""
    edges = sorted({t for start, end, _ in runs.values() for t in (start, end)})
    wanted = []  # (segment start, segment end, threads wanted in it)
    for a, b in zip(edges, edges[1:], strict=False):
        load = sum(min(threads, cpus) for start, end, threads in runs.values() if start <= a and end >= b)
        wanted.append((a, b, load))
    out = {}
    for job, (start, end, _) in runs.items():
        out[job] = sum((b - a) * min(1.0, cpus / load) for a, b, load in wanted if a >= start and b <= end and load > 0)
    return out


def recorded_runs(workdir: Path) -> dict:
    """Every job Snakemake recorded in `workdir` (.snakemake/metadata: the last run of each output), once per
    job (by its job_hash; a record without one counts on its own): its key -> (start, end, rule)."""
    runs = {}
    for path in (Path(workdir) / ".snakemake" / "metadata").rglob("*"):
        try:
            record = json.loads(path.read_text())
            start, end = float(record["starttime"]), float(record["endtime"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        runs[record.get("job_hash") or str(path)] = (start, end, record.get("rule"))
    return runs


def deflate(jobs: list[Job], workdir: Path, threads: dict[str, int], cpus: int) -> None:
    """Count each of `jobs` timed by its own last run as if it had had the machine to itself: in a build that
    ran jobs side by side (a full build's two 2-thread jobs on 2 CPUs) its benchmark overstates what it takes
    when it reruns alone. Each recorded job of the working directory wants its rule's `threads` (1 for a
    rule not given), the jobs' own threads first; plan.alone_seconds gives the share."""
    own = [j for j in jobs if j.source in ("its benchmark file", "its last run") and j.outputs]
    if not own:
        return
    runs = recorded_runs(workdir)
    wants = {**threads, **{j.rule: j.threads for j in jobs}}
    alone = alone_seconds({k: (a, b, wants.get(rule, 1)) for k, (a, b, rule) in runs.items()}, cpus)
    for job in own:
        found = _metadata_record(workdir, job.outputs[0])
        if found is not None and found[0] in runs:
            start, end, _ = runs[found[0]]
            job.seconds *= alone[found[0]] / (end - start) if end > start else 1.0


def load_reference(path: str | os.PathLike) -> dict[str, float]:
    try:
        return {rule: float(s) for rule, s in json.loads(Path(path).read_text())["seconds"].items()}
    except (OSError, ValueError, KeyError):
        return {}


def reference_probe(path: str | os.PathLike) -> float | None:
    """The probe's seconds per step on the machine the reference times were measured on, if recorded."""
    try:
        return float(json.loads(Path(path).read_text())["probe"]["step_seconds"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def scale_of(here: dict | None, there: float | None) -> float:
    """How much slower this machine is than the reference machine (the probe's step time here over
    there); 1 when either is unknown."""
    if not here or not there or here.get("step_seconds", 0) <= 0:
        return 1.0
    return float(here["step_seconds"]) / there


def effective_cores(cores: int, cpus: int | None = None) -> int:
    """The cores a build can use at once: `cores`, but no more than the machine's CPUs."""
    cpus = cpus or os.cpu_count() or cores
    return max(1, min(cores, cpus))


def rescale(jobs: list[Job], scale: float) -> list[Job]:
    """Convert the reference-machine estimates among `jobs` to this machine's (`scale`, from scale_of)."""
    if scale != 1.0:
        for job in jobs:
            if job.source == "reference machine":
                job.seconds, job.source = job.seconds * scale, f"reference x {scale:.2f}"
    return jobs


def estimate(
    jobs: list[Job],
    workdir: str | os.PathLike,
    reference: dict[str, float],
    threads: dict[str, int] | None = None,
    cpus: int | None = None,
) -> list[Job]:
    """Fill each job's `seconds` and `source` (see the module's docstring for the order). With `cpus`, a time
    from the job's own last run counts as if that run had had the machine to itself (`deflate`; `threads`:
    each rule's threads, for the recorded jobs that are not in the plan)."""
    workdir = Path(workdir)
    for job in jobs:
        seconds = benchmark_seconds(workdir / job.benchmark) if job.benchmark else None
        if seconds is not None:
            job.seconds, job.source = seconds, "its benchmark file"
        elif job.outputs and (seconds := _metadata_seconds(workdir, job.outputs[0])) is not None:
            job.seconds, job.source = seconds, "its last run"
    if cpus:
        deflate(jobs, workdir, threads or {}, cpus)
    by_rule: dict[str, list[float]] = {}
    for job in jobs:
        if job.seconds is not None:
            by_rule.setdefault(job.rule, []).append(job.seconds)
    for job in jobs:
        if job.seconds is not None:
            continue
        if job.rule in by_rule:
            job.seconds, job.source = statistics.median(by_rule[job.rule]), "its rule's other jobs"
        elif job.rule in reference:
            job.seconds, job.source = reference[job.rule], "reference machine"
    return jobs


def dependencies(jobs: list[Job]) -> dict[int, set[int]]:
    """For each job, the jobs of the plan that make one of its inputs."""
    maker = {out: job.jobid for job in jobs for out in job.outputs}
    return {job.jobid: {maker[i] for i in job.inputs if i in maker and maker[i] != job.jobid} for job in jobs}


def simulate(
    jobs: list[Job], cores: int, elapsed: dict[int, float] | None = None, done: set[int] = frozenset()
) -> float:
    """Seconds until every job is done on `cores`, by list scheduling; jobs in `elapsed` are running
    already (their remaining time is the estimate less the time elapsed), jobs in `done` are finished.
    A job without an estimate counts 0 s."""
    elapsed = elapsed or {}
    todo = {job.jobid: job for job in jobs if job.jobid not in done}
    deps = {k: v & set(todo) for k, v in dependencies(list(todo.values())).items()}
    length = {k: (todo[k].seconds or 0.0) for k in todo}
    children: dict[int, set[int]] = {k: set() for k in todo}
    for k, parents in deps.items():
        for parent in parents:
            children[parent].add(k)
    tail: dict[int, float] = {}

    def longest(k: int) -> float:  # longest path from the start of k to the end of the build
        if k not in tail:
            tail[k] = length[k] + max((longest(c) for c in children[k]), default=0.0)
        return tail[k]

    clock, free, running = 0.0, cores, []  # heap of (finish time, jobid)
    for k, spent in elapsed.items():
        if k in todo:
            need = min(todo[k].threads, cores)
            free -= need
            heapq.heappush(running, (max(length[k] - spent, 0.0), k))
    started = {k for _, k in running}
    finished: set[int] = set()
    while len(finished) < len(todo):
        ready = sorted((k for k in todo if k not in started and deps[k] <= finished), key=lambda k: -longest(k))
        for k in ready:
            need = min(todo[k].threads, cores)
            if need <= free:
                free -= need
                started.add(k)
                heapq.heappush(running, (clock + length[k], k))
        if not running:  # a dependency cycle cannot happen in a DAG; guard against bad input
            break
        clock, k = heapq.heappop(running)
        finished.add(k)
        free += min(todo[k].threads, cores)
    return clock


def duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def forecast(jobs: list[Job], cores: int, cpus: int | None = None) -> dict:
    """The summary line's numbers: jobs, the cores asked for and those simulated (no more than the
    machine's `cpus`), wall time, the sum of job times, jobs without an estimate."""
    used = effective_cores(cores, cpus)
    return {
        "jobs": len(jobs),
        "cores": cores,
        "simulated_cores": used,
        "wall_seconds": simulate(jobs, used),
        "job_seconds": sum(j.seconds or 0.0 for j in jobs),
        "unknown": [j.name for j in jobs if j.seconds is None],
    }


def summary_line(info: dict) -> str:
    """The forecast in words: jobs, wall time and on how many cores; says when the cores asked for
    exceed the machine's CPUs (the simulation then uses the CPUs)."""
    n, cores, used = info["jobs"], info["cores"], info["simulated_cores"]
    line = f"{n} job{'s' if n != 1 else ''}, about {duration(info['wall_seconds'])} on {used} core"
    line += "s" if used != 1 else ""
    if used < cores:
        line += f" (--cores {cores} asked for, but this machine has {used} CPU{'s' if used != 1 else ''})"
    return line


def plan_text(jobs: list[Job], cores: int, width: int = 100, cpus: int | None = None) -> str:
    """The table `make plan` prints: each job, its estimate and where the estimate comes from, the
    reason Snakemake gives, and the total."""
    if not jobs:
        return "Nothing to do: every output is up to date.\n"
    info = forecast(jobs, cores, cpus)
    name_w = min(max(len(j.name) for j in jobs), 40)
    lines = [f"{'job':<{name_w}}  {'time':>10}  {'estimated from':<22}  reason"]
    for job in jobs:
        seconds = duration(job.seconds) if job.seconds is not None else "?"
        reason = job.reason if len(job.reason) <= width else job.reason[: width - 3] + "..."
        lines.append(f"{job.name[:name_w]:<{name_w}}  {seconds:>10}  {job.source:<22}  {reason}")
    lines.append("")
    line = f"{summary_line(info)} ({duration(info['job_seconds'])} of job time)"
    if info["unknown"]:
        line += f"; {len(info['unknown'])} job(s) without any timing counted as 0 s: {', '.join(info['unknown'])}"
    lines.append(line)
    return "\n".join(lines) + "\n"


class Progress:
    """Follows Snakemake's live output: which jobs started and finished, and the time left by the
    same simulation as the forecast, with the running jobs' elapsed time taken off. A live job is
    matched to the forecast's by its outputs (a live run numbers its jobs afresh)."""

    def __init__(self, jobs: list[Job], cores: int, clock, cpus: int | None = None):
        self.jobs = {job.jobid: job for job in jobs}
        self.by_outputs = {tuple(job.outputs): job.jobid for job in jobs}
        self.cores, self.clock = effective_cores(cores, cpus), clock
        self.started: dict[int, float] = {}
        self.done: set[int] = set()
        self.live: dict[int, int] = {}  # the live run's jobid -> the forecast's
        self._block: list[str] = []

    def feed(self, line: str) -> str | None:
        """Take one line of Snakemake's output; return a progress line when a job started or finished."""
        finished = FINISHED.search(line)
        if finished:
            key = self.live.pop(int(finished.group(1)), None)
            if key is not None:
                self.done.add(key)
                self.started.pop(key, None)
            return self.status()
        if JOB_START.match(line):
            self._block = [line]
            return None
        if self._block:
            self._block.append(line)
            match = FIELD.match(line)
            if match and match.group(1) == "jobid":
                parsed = parse_jobs(self._block)
                self._block = []
                if not parsed:
                    return None
                job = parsed[0]
                key = self.by_outputs.get(tuple(job.outputs))
                if key is None:  # a job the forecast did not know: no estimate
                    key = min(self.jobs, default=0) - 1
                    job.jobid = key
                    self.jobs[key] = job
                    self.by_outputs[tuple(job.outputs)] = key
                self.live[int(match.group(2))] = key
                self.started[key] = self.clock()
                return self.status()
        return None

    def left(self) -> float:
        now = self.clock()
        return simulate(
            list(self.jobs.values()), self.cores, elapsed={k: now - t for k, t in self.started.items()}, done=self.done
        )

    def status(self) -> str:
        now = self.clock()
        running = ", ".join(f"{self.jobs[k].name} {duration(now - t)}" for k, t in self.started.items())
        text = f"[progress] {len(self.done)} of {len(self.jobs)} jobs done, {len(self.started)} running"
        if running:
            text += f" ({running})"
        return text + f"; about {duration(self.left())} left"


QUIET_VALUES = {"all", "host", "progress", "rules", "reason"}


def without_quiet(args: list[str]) -> tuple[list[str], bool]:
    """Snakemake arguments without -q/--quiet (and its values), and whether it was there: the job
    blocks that the forecast and the progress read are what --quiet hides."""
    out, quiet, skipping = [], False, False
    for arg in args:
        if arg in ("-q", "--quiet"):
            quiet, skipping = True, True
            continue
        if skipping and arg in QUIET_VALUES:
            continue
        skipping = False
        out.append(arg)
    return out, quiet


def with_cores(args: list[str], default: int) -> list[str]:
    """Snakemake arguments with `--cores default` added where they name no cores."""
    named = any(a in ("--cores", "-c") or a.startswith("--cores=") for a in args)
    return list(args) if named else ["--cores", str(default), *args]


def cores_from(args: list[str], default: int) -> int:
    """The --cores/-c value of a Snakemake command line (`all` means every CPU)."""
    for i, arg in enumerate(args):
        value = None
        if arg in ("--cores", "-c") and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--cores="):
            value = arg.split("=", 1)[1]
        if value is not None:
            return os.cpu_count() or 1 if value == "all" else max(1, int(value))
    return default
