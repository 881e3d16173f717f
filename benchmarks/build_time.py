"""Wall time and peak memory of `plandata build` beside a trivial 3-asset Dagster run.

    .venv/bin/python benchmarks/build_time.py [--runs 3]

Each run is a fresh process (imports included), as a publisher or a scheduler runs it.
"""
from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def timed(command: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in MiB of that child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        commands = {
            "trivial 3-asset materialize": [str(BIN / "python"), str(ROOT / "benchmarks" / "trivial_dagster.py")],
            "plandata build (new release)": None,
            "plandata build (unchanged)": [str(BIN / "plandata"), "build", "--outputs", f"{scratch}/same"],
        }
        for name, command in commands.items():
            times = []
            for run in range(runs):
                if command is None:
                    times.append(timed([str(BIN / "plandata"), "build", "--outputs", f"{scratch}/fresh-{run}"]))
                else:
                    times.append(timed(command))
            results[name] = times
    for name, samples in results.items():
        seconds = [s for s, _ in samples]
        print(f"{name:<32} median {statistics.median(seconds):5.2f} s  "
              f"(min {min(seconds):.2f}, max {max(seconds):.2f}, n={len(seconds)})")
    print(f"peak RSS of any child process: {max(m for samples in results.values() for _, m in samples):.0f} MiB")


if __name__ == "__main__":
    main()
