"""Wall time and peak memory of one child process (and of its process tree), for the benchmarks."""
from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Usage:
    seconds: float
    peak_rss_mib: float  # ru_maxrss from wait4: the largest single process of the tree
    peak_tree_rss_mib: float  # sampled every 0.2 s: the sum over the child and its descendants
    stdout: str
    stderr_lines: list[tuple[float, str]]  # (seconds since the start, line) as each line arrived


def _tree_rss_kib(root: int) -> int:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and brackets: the fields after the last ")" are fixed.
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        pending += children.get(pid, [])
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


class _TreeSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kib, self.done = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.2):
            self.peak_kib = max(self.peak_kib, _tree_rss_kib(self.pid))


def run_measured(command: list[str], cwd: Path, env: dict | None = None) -> Usage:
    """Run ``command`` to the end; a failure stops the benchmark with the child's last lines."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env)
    sampler = _TreeSampler(process.pid)
    sampler.start()
    # Both pipes are read on threads so that a chatty child never blocks on a full pipe; stderr line by
    # line, with the time each line arrived (a build's progress lines say where its time goes).
    out: dict[str, bytes] = {}
    lines: list[tuple[float, str]] = []

    def read_stderr() -> None:
        for raw in process.stderr:
            lines.append((time.perf_counter() - started, raw.decode(errors="replace").rstrip("\n")))

    readers = [threading.Thread(target=lambda: out.__setitem__("stdout", process.stdout.read()), daemon=True),
               threading.Thread(target=read_stderr, daemon=True)]
    for reader in readers:
        reader.start()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    sampler.done.set()
    for reader in readers:
        reader.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        last = [line for _, line in lines[-5:]]
        raise SystemExit(f"{' '.join(command)} failed (exit {process.returncode}):\n" + "\n".join(last))
    return Usage(elapsed, usage.ru_maxrss / 1024, max(sampler.peak_kib, usage.ru_maxrss) / 1024,
                 out.get("stdout", b"").decode(errors="replace"), lines)
