"""Parse throughput of the pure parser (pipeline.core), in MB/s of notice bytes on one core.

    .venv/bin/python benchmarks/parse_throughput.py [--repetitions 5] [--shared ../shared]

The notices are the bundled one (sources/) and, when the shared folder is present, the real
notices of its corpus/. Each repetition parses every notice once with ``parse_notice`` (decode,
outline, assignments, citations); the figure is the median repetition. Time is the process's CPU
time, not wall time, so that other work on a shared machine does not count against the parser;
imports, reading files and building the registry are outside it. It prints one JSON line
``{"parse_mb_per_s": ..., "bytes": ..., "repetitions": ..., ...}`` and a human line.
A benchmark, not a test: nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.core.notice import parse_notice  # noqa: E402
from pipeline.core.registry import UnitRegistry  # noqa: E402
from pipeline.extraction.extract import read_registry  # noqa: E402
from pipeline.sources.discovery import read_sources  # noqa: E402


def notice_texts(shared: Path | None) -> tuple[list[tuple[bytes, str]], UnitRegistry]:
    """(bytes, file name) of the bundled notices and the shared corpus's, and the bundled registry."""
    notices, registry_files = read_sources(ROOT / "sources")
    texts = [(notice.data, notice.name) for notice in notices]
    corpus = shared / "corpus" if shared else None
    if corpus and corpus.is_dir():
        texts += [(path.read_bytes(), path.name) for path in sorted(corpus.glob("*.txt"))]
    return texts, read_registry(registry_files)


def _seconds_per_repetition(texts: list[tuple[bytes, str]], registry: UnitRegistry, repetitions: int) -> list[float]:
    times = []
    for _ in range(repetitions):
        start = time.process_time()
        for data, name in texts:
            parse_notice(data, name, registry)
        times.append(time.process_time() - start)
    return times


def parse_throughput(texts: list[tuple[bytes, str]], registry: UnitRegistry, repetitions: int = 5) -> float:
    """MB/s (10^6 bytes per CPU second) of parsing ``texts`` once, the median of ``repetitions``."""
    size = sum(len(data) for data, _ in texts)
    parse_notice(*texts[0], registry)  # warm caches built on first use (vocabulary, regexes)
    seconds = statistics.median(_seconds_per_repetition(texts, registry, repetitions))
    return size / seconds / 1e6 if seconds > 0 else float("inf")


def _one_core() -> None:
    # The parser is single-threaded; pinning keeps the scheduler from moving it between cores.
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("PLANDATA_SHARED", ROOT.parent / "shared")))
    args = parser.parse_args()
    _one_core()
    texts, registry = notice_texts(args.shared if args.shared.is_dir() else None)
    overall = parse_throughput(texts, registry, args.repetitions)
    per_notice = {name: round(parse_throughput([(data, name)], registry, args.repetitions), 2) for data, name in texts}
    size = sum(len(data) for data, _ in texts)
    print(json.dumps({"parse_mb_per_s": round(overall, 2), "bytes": size, "repetitions": args.repetitions,
                      "per_notice_mb_per_s": per_notice}, ensure_ascii=False))
    print(f"parse: {overall:.2f} MB/s on one core, {len(texts)} notices, {size} bytes, "
          f"median of {args.repetitions} repetitions")


if __name__ == "__main__":
    main()
