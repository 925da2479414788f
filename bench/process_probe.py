"""Run one child process and measure what a user pays for it: wall time, CPU time and peak RSS of its tree.

The policy pack runs as a grandchild (the offline preview starts it), so the RSS of the child alone would
miss it: we sample the sum over the child and all its descendants. The sampler must stay cheap on a
two-core machine: `psutil.Process.children(recursive=True)` reads every process of the system (~10 ms a
call), so descendants are found through Linux's `/proc/<pid>/task/<tid>/children` lists instead, with
psutil as the fallback where those lists do not exist.
"""

import resource
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

SAMPLE_INTERVAL_S = 0.02
PROC = Path("/proc")
MIB = 1024 * 1024


@dataclass(frozen=True)
class ChildRun:
    """One finished child process: its exit code, output and cost."""

    returncode: int
    stdout: str
    stderr: str
    wall_s: float
    cpu_s: (
        float  # user + system of the whole tree: what contention on a shared machine barely moves
    )
    peak_rss_mib: float


def run_measured(argv: Sequence[str], *, cwd: Path, env: dict[str, str] | None = None) -> ChildRun:
    """Run `argv` to completion while a sampler thread tracks the peak RSS of its process tree.

    One child at a time: CPU time is the change in this process's RUSAGE_CHILDREN around the run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    sampler = _TreeRssSampler(proc.pid)
    sampler.start()
    stdout, stderr = proc.communicate()
    wall_s = time.perf_counter() - start
    sampler.stop()
    # Descendants' usage reaches us when each is reaped by its parent, so the delta is the tree's.
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return ChildRun(proc.returncode, stdout, stderr, wall_s, cpu_s, sampler.peak_bytes / MIB)


class _TreeRssSampler(threading.Thread):
    """Polls the RSS of a process and its descendants; keeps the largest sum seen."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self._root = psutil.Process(pid)
        self._done = threading.Event()
        self.peak_bytes = 0

    def run(self) -> None:
        while not self._done.is_set():
            self.peak_bytes = max(self.peak_bytes, self._tree_rss())
            self._done.wait(SAMPLE_INTERVAL_S)

    def stop(self) -> None:
        self._done.set()
        self.join()

    def _tree_rss(self) -> int:
        total = 0
        for pid in _descendants_and_self(self._root):
            try:
                total += psutil.Process(pid).memory_info().rss
            except psutil.Error:
                continue  # exited between listing and reading
        return total


def _descendants_and_self(root: psutil.Process) -> list[int]:
    if not (PROC / str(root.pid) / "task").is_dir():
        try:
            return [root.pid, *(child.pid for child in root.children(recursive=True))]
        except psutil.Error:
            return []
    found, pending = [], [root.pid]
    while pending:
        pid = pending.pop()
        found.append(pid)
        try:
            lists = list((PROC / str(pid) / "task").glob("*/children"))
        except OSError:
            continue  # the process ended while we looked
        for children in lists:
            try:
                pending.extend(int(child) for child in children.read_text().split())
            except OSError:
                continue  # the task or process ended
    return found
