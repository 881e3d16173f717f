"""How a build grows with the number of notices: wall time, peak memory, page sizes and disk per release.

    .venv/bin/python benchmarks/scale.py [--sizes 1 10 100] [--shared ../shared]

For each N it writes a corpus of N notices made from the bundled notice and the real notices of
the shared folder's corpus (when present): each copy gets its own file name (so its own doc_id)
and perturbed content (an issue date moved by its number, a sentence of its own, half- or
full-width brackets in its clauses), so that no two notices are byte-identical. Then, each in a
fresh process as a scheduler runs it:

- a cold `plandata build` into empty outputs;
- a rebuild after one notice changed (one sentence edited);
- the trivial 3-asset Dagster materialisation, the framework's floor, in the same run.

It reports wall seconds, peak RSS of the build process, parse throughput (MB/s of notice text in
the cold build, all steps included), the size of the release page and of the largest notice page,
and the disk used by the first release. Results go to benchmarks/results.json and a Markdown table
on stdout. A benchmark, not a test: nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "benchmarks" / "results.json"


def base_texts(shared: Path | None) -> list[tuple[str, str]]:
    texts = [("taizhou", (ROOT / "sources" / "taizhou-anticorruption-2008-2012.txt").read_text(encoding="utf-8"))]
    corpus = shared / "corpus" if shared else None
    if corpus and corpus.is_dir():
        texts += [(path.stem.split("_")[0], path.read_text(encoding="utf-8")) for path in sorted(corpus.glob("*.txt"))]
    return texts


def perturbed(text: str, number: int) -> str:
    """A distinct but still valid notice: its own sentence, its own date, its own bracket widths."""
    lines = text.split("\n")
    # A sentence of its own at the end of the first long paragraph after the header.
    for index, line in enumerate(lines[8:], start=8):
        if len(line) > 60 and line.endswith("。"):
            lines[index] = line + f"本件编号{number}。"
            break
    text = "\n".join(lines)
    if number % 2:
        text = text.replace("（", "(", 3).replace("）", ")", 3)
    return text.replace("2008年8月11日", f"2008年{1 + number % 12}月{1 + number % 28}日")


def write_corpus(directory: Path, count: int, shared: Path | None) -> int:
    directory.mkdir(parents=True)
    for name in ("units.csv", "unit_aliases.csv"):
        shutil.copy(ROOT / "sources" / name, directory / name)
    texts = base_texts(shared)
    size = 0
    for number in range(count):
        prefix, text = texts[number % len(texts)]
        data = perturbed(text, number).encode("utf-8")
        # Subfolders of 100, as a portal would keep them.
        path = directory / f"batch-{number // 100:03d}" / f"n{number:05d}-{prefix}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        size += len(data)
    return size


def timed(command: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MiB) of one child process, from its own resource usage."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        last = stderr.decode(errors="replace").strip().splitlines()[-1:]
        raise SystemExit(f"{' '.join(command)} failed: {last}")
    return elapsed, usage.ru_maxrss / 1024


def disk_used(directory: Path) -> int:
    return sum(path.stat().st_size for path in directory.rglob("*") if path.is_file() and not path.is_symlink())


def measure(count: int, shared: Path | None, scratch: Path) -> dict:
    sources = scratch / f"sources-{count}"
    outputs = scratch / f"outputs-{count}"
    text_bytes = write_corpus(sources, count, shared)
    build = [str(BIN / "plandata"), "build", "--sources", str(sources), "--outputs", str(outputs)]
    cold, peak = timed(build)
    latest = outputs / "latest"
    release_bytes = disk_used(latest.resolve())
    notice_pages = sorted((latest / "notices").glob("*.html"), key=lambda p: p.stat().st_size)
    # One notice amended: one sentence edited.
    first = sorted(sources.rglob("*.txt"))[0]
    first.write_text(first.read_text(encoding="utf-8").replace("本件编号0。", "本件编号0（修订）。"), encoding="utf-8")
    rebuild, rebuild_peak = timed(build)
    return {
        "notices": count, "text_mb": round(text_bytes / 1e6, 3),
        "cold_build_s": round(cold, 2), "peak_rss_mib": round(peak), "mb_per_s": round(text_bytes / 1e6 / cold, 3),
        "rebuild_one_changed_s": round(rebuild, 2), "rebuild_share": round(rebuild / cold, 2),
        "release_page_bytes": (latest / "index.html").stat().st_size,
        "largest_notice_page_bytes": notice_pages[-1].stat().st_size if notice_pages else 0,
        "release_disk_bytes": release_bytes,
    }


def markdown(results: dict) -> str:
    lines = [f"Machine: {results['machine']}; floor (trivial 3-asset Dagster materialise): "
             f"{results['floor_s']} s", "",
             "| notices | text MB | cold build s | × floor | peak RSS MiB | MB/s | rebuild after 1 change s | "
             "rebuild / cold | release page KB | largest notice page KB | release on disk MB |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in results["runs"]:
        lines.append(f"| {row['notices']} | {row['text_mb']} | {row['cold_build_s']} | "
                     f"{row['cold_build_s'] / results['floor_s']:.1f} | {row['peak_rss_mib']} | {row['mb_per_s']} | "
                     f"{row['rebuild_one_changed_s']} | {row['rebuild_share']} | "
                     f"{row['release_page_bytes'] / 1024:.0f} | {row['largest_notice_page_bytes'] / 1024:.0f} | "
                     f"{row['release_disk_bytes'] / 1e6:.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("PLANDATA_SHARED", ROOT.parent / "shared")))
    args = parser.parse_args()
    shared = args.shared if args.shared.is_dir() else None
    floor, _ = timed([str(BIN / "python"), str(ROOT / "benchmarks" / "trivial_dagster.py")])
    results = {"machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
               "floor_s": round(floor, 2), "runs": []}
    with tempfile.TemporaryDirectory() as scratch:
        for count in args.sizes:
            results["runs"].append(measure(count, shared, Path(scratch)))
            print(json.dumps(results["runs"][-1]), file=sys.stderr, flush=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(markdown(results))


if __name__ == "__main__":
    main()
