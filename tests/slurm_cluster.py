"""A throw-away single-node SLURM cluster for tests: munged, slurmctld and slurmd on this machine,
with state, spool and logs in a temporary directory and the configuration at /etc/slurm/slurm.conf
(only where none exists; removed at the end)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

CONF = """\
ClusterName=mnistflowtest
SlurmctldHost={host}
SlurmUser=root
AuthType=auth/munge
StateSaveLocation={root}/state
SlurmdSpoolDir={root}/spool
SlurmctldPidFile={root}/slurmctld.pid
SlurmdPidFile={root}/slurmd.pid
SlurmctldLogFile={root}/log/slurmctld.log
SlurmdLogFile={root}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
MinJobAge=600
ReturnToService=2
NodeName={host} CPUs={cpus} RealMemory={mem_mb} State=UNKNOWN
PartitionName={partition} Nodes={host} Default=YES MaxTime=INFINITE State=UP
"""

MUNGE_PIDFILE = Path("/run/munge/munged.pid")
#: Where SLURM's commands look for their configuration. The configuration must be here, not only
#: in SLURM_CONF: the executor plugin removes every SLURM_* variable inside jobs, so `srun` in a
#: job finds its configuration only at the default path.
DEFAULT_CONF = Path("/etc/slurm/slurm.conf")


def unavailable() -> str | None:
    """Why a cluster cannot be started here, or None."""
    missing = [
        tool for tool in ("munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo") if shutil.which(tool) is None
    ]
    if missing:
        return f"SLURM is not installed ({', '.join(missing)} missing; apt-get install slurm-wlm munge)"
    if os.geteuid() != 0:
        return "starting slurmctld/slurmd as configured here needs root"
    if not Path("/etc/munge/munge.key").exists():
        return "no munge key at /etc/munge/munge.key"
    if DEFAULT_CONF.exists():
        return (
            f"{DEFAULT_CONF} exists: this machine has a SLURM configuration of its own, which the test does not touch"
        )
    return None


def _mem_mb() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(int(line.split()[1]) / 1024 * 0.8)
    raise RuntimeError("no MemTotal in /proc/meminfo")


class SlurmCluster:
    """Start with `with SlurmCluster(tmp_dir, partition) as cluster:`; `cluster.env` has SLURM_CONF."""

    def __init__(self, root: Path, partition: str):
        self.root, self.partition = Path(root), partition
        self.conf = DEFAULT_CONF
        self.created: list[Path] = []  # files and folders made outside root, removed at the end
        self.procs: list[subprocess.Popen] = []
        self.munged_pid: int | None = None
        self.env = {**os.environ, "SLURM_CONF": str(self.conf)}

    def __enter__(self) -> SlurmCluster:
        for sub in ("state", "spool", "log"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        host = socket.gethostname().split(".")[0]
        if not self.conf.parent.exists():
            self.conf.parent.mkdir(parents=True)
            self.created.append(self.conf.parent)
        self.created.insert(0, self.conf)
        self.conf.write_text(
            CONF.format(host=host, root=self.root, cpus=os.cpu_count(), mem_mb=_mem_mb(), partition=self.partition)
        )
        try:
            self._start_munge()
            for daemon in ("slurmctld", "slurmd"):
                log = open(self.root / "log" / f"{daemon}.out", "w")
                self.procs.append(
                    subprocess.Popen(
                        [daemon, "-D", "-f", str(self.conf)], stdout=log, stderr=subprocess.STDOUT, env=self.env
                    )
                )
            self._wait_for_idle_node()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _start_munge(self) -> None:
        if subprocess.run(["pgrep", "-x", "munged"], capture_output=True).returncode == 0:
            return  # a munged already runs: use it, and leave it running
        run_dir = MUNGE_PIDFILE.parent
        run_dir.mkdir(parents=True, exist_ok=True)
        shutil.chown(run_dir, "munge", "munge")
        subprocess.run(["runuser", "-u", "munge", "--", "munged"], check=True)
        for _ in range(50):
            if MUNGE_PIDFILE.exists():
                self.munged_pid = int(MUNGE_PIDFILE.read_text().strip())
                return
            time.sleep(0.1)
        raise RuntimeError("munged did not start")

    def _wait_for_idle_node(self, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        state = ""
        while time.time() < deadline:
            for proc in self.procs:
                if proc.poll() is not None:
                    raise RuntimeError(f"{proc.args[0]} exited early:\n{self.logs()}")
            out = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, env=self.env)
            state = out.stdout.strip()
            if state == "idle":
                return
            time.sleep(0.5)
        raise RuntimeError(f"the SLURM node did not become idle (last state {state!r}):\n{self.logs()}")

    def logs(self) -> str:
        return "\n".join(
            f"== {p.name}\n{p.read_text()[-3000:]}" for p in sorted((self.root / "log").glob("*")) if p.is_file()
        )

    def __exit__(self, *exc) -> None:
        subprocess.run(["scancel", "--full", "--quiet", "-p", self.partition], env=self.env, capture_output=True)
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        if self.munged_pid is not None:
            try:
                os.kill(self.munged_pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for path in self.created:
            if path.is_dir():
                path.rmdir()
            elif path.exists():
                path.unlink()
