"""Wall time of a cold build in-process (pipeline.orchestration.run.run_build) and under Dagster's multiprocess
executor (pipeline.orchestration.parallel), each in a fresh process, for the bundled notice and a generated corpus.

    .venv/bin/python benchmarks/parallel.py [--count 200] [--max-concurrent 2] [--shared ../shared]

A benchmark, not a test: it prints a Markdown table and asserts nothing about time."""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))


def build(mode: str, sources: Path, outputs: Path, max_concurrent: int) -> None:
    """One cold build (run in the child process)."""
    if mode == "in-process":
        from pipeline.orchestration.run import run_build

        run_build(sources, outputs)
        return
    import dagster as dg

    from pipeline.orchestration.parallel import build_release_parallel, parallel_run_config

    home = outputs.parent / f"{outputs.name}-dagster-home"
    home.mkdir(parents=True)
    with dg.DagsterInstance.local_temp(str(home)) as instance:
        result = dg.execute_job(dg.reconstructable(build_release_parallel), instance=instance,
                                run_config=parallel_run_config(sources, outputs, max_concurrent))
        if not result.success:
            raise SystemExit("multiprocess build failed")


def timed(mode: str, sources: Path, outputs: Path, max_concurrent: int) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--child", mode, str(sources), str(outputs), str(max_concurrent)],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def published_notices(outputs: Path) -> int:
    import duckdb

    with duckdb.connect(str(outputs / "latest" / "plan.duckdb"), read_only=True) as connection:
        return connection.execute("SELECT count(*) FROM documents").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--max-concurrent", type=int, default=2)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--child", nargs=4)
    args = parser.parse_args()
    if args.child:
        mode, sources, outputs, max_concurrent = args.child
        build(mode, Path(sources), Path(outputs), int(max_concurrent))
        return
    from scale import write_corpus

    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        bundled = work / "bundled"
        bundled.mkdir()
        for name in ("taizhou-anticorruption-2008-2012.txt", "units.csv", "unit_aliases.csv"):
            shutil.copy(ROOT / "sources" / name, bundled / name)
        corpus = work / f"corpus-{args.count}"
        write_corpus(corpus, args.count, args.shared if args.shared.is_dir() else None)
        print(f"| sources | notices published | in-process (s) | multiprocess, max_concurrent "
              f"{args.max_concurrent} (s) |")
        print("|---|---:|---:|---:|")
        for label, sources in (("bundled notice", bundled), (f"{args.count} notices", corpus)):
            outputs = {mode: work / f"{sources.name}-{mode}" for mode in ("in-process", "multiprocess")}
            seconds = [timed(mode, sources, outputs[mode], args.max_concurrent) for mode in outputs]
            counts = {published_notices(path) for path in outputs.values()}
            print(f"| {label} | {'/'.join(map(str, sorted(counts)))} | {seconds[0]:.1f} | {seconds[1]:.1f} |",
                  flush=True)


if __name__ == "__main__":
    main()
