"""How a build grows with the number of notices: parse rate, build and rebuild time and memory, validation,
page sizes and disk per release, beside the framework's floor; and (benchmarks/partitions.py) partition by
shard vs. one run.

    .venv/bin/python benchmarks/scale.py                      # N = 1 10 100 1000 10000, under 30 minutes
    .venv/bin/python benchmarks/scale.py --sizes 1 10 100     # a quick look
    .venv/bin/python benchmarks/scale.py --sizes 10000 --merge --budget-minutes 0   # one size, kept beside the rest

The corpus (benchmarks/perturbed_corpus.py) is made from the bundled notice and, when the shared folder is
present (--shared, else $PLANDATA_SHARED, else ../shared), its real notices: each notice has its own
file name (so its own doc_id), in subfolders of 100, and perturbed content (shuffled chapters, renamed
units, bracket widths, colons, unit separators, unit lines printed as a clause); every perturbation is
checked with the parser first and dropped if the notice would not read the same.

For each N, in this order:
  parse     every notice parsed in this process with pipeline.core.notice.parse_notice, no Dagster:
            MB per CPU second of one core (and per wall second);
  cold      `python -m pipeline.cli build` into empty outputs, a fresh process: wall time, peak RSS of
            the build process (ru_maxrss from wait4) and of its process tree (sampled every 0.2 s);
  pages     sizes of the release page (index.html) and of the largest notice page;
  disk      bytes of the release as files (apparent) and bytes new on disk (inodes not in the
            previous release, each counted once: hard-linked files are not new);
  validate  a fresh process runs pipeline.checks.release_files.verify_release_files over the published
            release: full validation of the release, all rows;
  rebuild   one notice's sentence edited, then the same build again: wall time, peak RSS, new bytes
            (skipped above --skip-rebuild-above).
The floor, a trivial 3-asset Dagster materialisation in a fresh process (benchmarks/trivial_dagster.py),
is timed in the same run, interleaved with the N=1 builds (median of --floor-runs).

Time budget: before each N the script projects its cost linearly from the largest N done; a size that
would end the run past --budget-minutes is skipped and recorded as skipped (run it alone later with
--sizes N --merge). Progress goes to stderr with the elapsed time.

Writes benchmarks/results.json, benchmarks/results.md and the README's benchmark section (between the
<!-- benchmark:start --> and <!-- benchmark:end --> markers), with the machine it ran on and each target
of issue 11 (point 6), met or not. A benchmark, not a test: nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import stat
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
ROOT = BENCHMARKS.parent
sys.path[:0] = [str(ROOT), str(BENCHMARKS)]

import perturbed_corpus  # noqa: E402
import results_report  # noqa: E402
from process_usage import Usage, run_measured  # noqa: E402

STARTED = time.perf_counter()
DEFAULT_SIZES = [1, 10, 100, 1000, 10000]
VALIDATE = ("import json, sys, time; from pathlib import Path; "
            "from pipeline.checks.release_files import verify_release_files; "
            "started = time.perf_counter(); verdict = verify_release_files(Path(sys.argv[1])); "
            "print(json.dumps({'errors': len(verdict.errors), 'first_error': verdict.errors[:1], "
            "'rows': verdict.rows, 'frictionless_rows': verdict.frictionless_rows, "
            "'in_process_seconds': time.perf_counter() - started}))")


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:7.1f} s] {message}", file=sys.stderr, flush=True)


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or platform.machine())
    kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal:"))
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gib": round(kib / 1024 ** 2, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "load_average": " ".join(f"{value:.2f}" for value in os.getloadavg())}


def commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "pipeline", "schemas"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
        return head + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def parse_rate(texts: list[tuple[bytes, str]], registry, min_cpu_seconds: float = 1.0) -> dict:
    """Parse every notice in this process (one core, no Dagster): MB per CPU second and per wall second.

    Small corpora are parsed again, whole, until a second of CPU time has passed, so that the clock's
    resolution does not set the figure; every pass parses every notice.
    """
    from pipeline.core.notice import parse_notice

    size = sum(len(data) for data, _ in texts)
    parse_notice(*texts[0], registry)  # first-use caches (vocabulary, compiled patterns) are not parsing
    wall, cpu, passes = time.perf_counter(), time.process_time(), 0
    while passes < 50 and (passes == 0 or time.process_time() - cpu < min_cpu_seconds):
        for data, name in texts:
            parse_notice(data, name, registry)
        passes += 1
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    parsed = size * passes / 1e6
    return {"mb": round(size / 1e6, 3), "passes": passes, "cpu_seconds": round(cpu, 2),
            "wall_seconds": round(wall, 2),
            "mb_per_cpu_s": round(parsed / cpu, 3) if cpu else None,
            "mb_per_wall_s": round(parsed / wall, 3) if wall else None}


def build_command(sources: Path, outputs: Path) -> list[str]:
    # The interpreter running this script, so that a worktree's venv builds with its own code.
    return [sys.executable, "-m", "pipeline.cli", "build", "--sources", str(sources), "--outputs", str(outputs)]


def usage_row(usage: Usage) -> dict:
    return {"seconds": round(usage.seconds, 2), "peak_rss_mib": round(usage.peak_rss_mib),
            "peak_tree_rss_mib": round(usage.peak_tree_rss_mib)}


PROGRESS_LINE = re.compile(r"^\[\s*\d+(?:\.\d+)?s\] (?P<step>.+)$")


def phases(usage: Usage) -> list[dict]:
    """Where a build's time went, from its progress lines on stderr (``[  12.3s] Parsing …``), timed as
    they arrived: start-up until the first line, then each step until the next line or the process's end."""
    marks = [(at, found["step"]) for at, line in usage.stderr_lines if (found := PROGRESS_LINE.match(line))]
    if not marks:
        return []
    rows = [{"step": "start-up (interpreter, imports, Dagster)", "seconds": round(marks[0][0], 2)}]
    for (at, step), following in zip(marks, [*marks[1:], None]):
        end = following[0] if following else usage.seconds
        # A folder named in a step is this run's scratch folder: left out, so that the table reads the same.
        rows.append({"step": re.sub(r" (?:from |in |to )?/\S+", "", step)[:80], "seconds": round(max(end - at, 0.0), 2)})
    return rows


def inodes(directory: Path) -> set[tuple[int, int]]:
    found = set()
    for folder, _, files in os.walk(directory):
        for name in files:
            info = os.lstat(os.path.join(folder, name))
            found.add((info.st_dev, info.st_ino))
    return found


def release_disk(release: Path, previous: Path | None) -> dict:
    """Apparent bytes (every file as listed) and new bytes (inodes not in ``previous``, each once)."""
    before = inodes(previous) if previous else set()
    apparent = new = files = 0
    seen: set[tuple[int, int]] = set()
    for folder, _, names in os.walk(release):
        for name in names:
            info = os.lstat(os.path.join(folder, name))
            if not stat.S_ISREG(info.st_mode):  # a symlink is not the bytes it points to
                continue
            files += 1
            apparent += info.st_size
            key = (info.st_dev, info.st_ino)
            if key not in before and key not in seen:
                new += info.st_size
            seen.add(key)
    return {"files": files, "apparent_bytes": apparent, "new_bytes": new}


def pages(release: Path) -> dict:
    index = release / "index.html"
    notice_pages = [path.stat().st_size for path in (release / "notices").rglob("*.html")] \
        if (release / "notices").is_dir() else []
    return {"release_page_bytes": index.stat().st_size if index.exists() else None,
            "largest_notice_page_bytes": max(notice_pages, default=None), "notice_pages": len(notice_pages)}


def validate(release: Path) -> dict:
    usage = run_measured([sys.executable, "-c", VALIDATE, str(release)], cwd=ROOT)
    verdict = json.loads(usage.stdout.strip().splitlines()[-1])
    return {**usage_row(usage), **verdict}


def floor_run() -> float:
    return run_measured([sys.executable, str(BENCHMARKS / "trivial_dagster.py")], cwd=ROOT).seconds


def measure(count: int, corpus, registry, scratch: Path, rebuild: bool, floor_runs: int,
            floor_samples: list[float], keep: bool) -> dict:
    sources, outputs = scratch / f"sources-{count}", scratch / f"outputs-{count}"
    paths = perturbed_corpus.write_corpus(corpus, sources, count)
    texts = [(path.read_bytes(), path.relative_to(sources).as_posix()) for path in paths]
    text_bytes = sum(len(data) for data, _ in texts)
    progress(f"N={count}: corpus written ({text_bytes / 1e6:.2f} MB); parsing in-process")
    parse = parse_rate(texts, registry)
    del texts
    progress(f"N={count}: parse {parse['mb_per_cpu_s']} MB/CPU-s; cold build")
    samples = []
    # At N=1 the cold build is set beside the floor: the two alternate, each in a fresh process and
    # fresh outputs, so that the machine's other load falls on both alike.
    for run in range(floor_runs if count == 1 else 1):
        if count == 1:
            floor_samples.append(floor_run())
        target = outputs if run == 0 else scratch / f"outputs-{count}-repeat-{run}"
        samples.append(run_measured(build_command(sources, target), cwd=ROOT))
        if run:
            shutil.rmtree(target)
    cold = samples[0] if len(samples) == 1 else sorted(samples, key=lambda usage: usage.seconds)[len(samples) // 2]
    release = (outputs / "latest").resolve()
    row = {"notices": count, "text_mb": round(text_bytes / 1e6, 3), "parse": parse,
           "cold": {**usage_row(cold), "samples_s": [round(usage.seconds, 2) for usage in samples],
                    "phases": phases(cold),
                    "disk": release_disk(release, None)},
           "pages": pages(release)}
    progress(f"N={count}: cold build {cold.seconds:.1f} s, peak {cold.peak_rss_mib:.0f} MiB; validating")
    row["validation"] = validate(release)
    progress(f"N={count}: validation {row['validation']['seconds']:.1f} s "
             f"({row['validation']['rows']:,} rows, {row['validation']['errors']} errors)")
    if rebuild:
        first = paths[0]
        first.write_text(perturbed_corpus.amended(first.read_text(encoding="utf-8"), 0), encoding="utf-8")
        again = run_measured(build_command(sources, outputs), cwd=ROOT)
        second = (outputs / "latest").resolve()
        row["rebuild"] = {**usage_row(again), "new_release": second != release, "phases": phases(again),
                          "disk": release_disk(second, release)}
        progress(f"N={count}: rebuild {again.seconds:.1f} s ({again.seconds / cold.seconds:.0%} of cold), "
                 f"{row['rebuild']['disk']['new_bytes'] / 1e6:.1f} MB new")
    if not keep:
        shutil.rmtree(sources)
        shutil.rmtree(outputs)
    return row


def projected_seconds(done: dict, count: int, rebuild: bool) -> float:
    """Linear in N from the largest size measured: an over-estimate, as process start-up does not grow."""
    parse = done["parse"]["wall_seconds"] / done["parse"].get("passes", 1)
    seconds = done["cold"]["seconds"] + done["validation"]["seconds"] + parse
    if rebuild:
        seconds += done.get("rebuild", done["cold"])["seconds"]
    return seconds * count / done["notices"]


def run_partitions(notices: int, shared: Path | None, scratch: Path) -> dict | None:
    out = scratch / "partitions.json"
    command = [sys.executable, str(BENCHMARKS / "partitions.py"), "--notices", str(notices), "--json-out", str(out)]
    command += ["--shared", str(shared)] if shared else ["--no-shared"]
    process = subprocess.run(command, cwd=ROOT, stderr=None)
    if process.returncode != 0 or not out.exists():
        progress("partitions: failed; see its output above")
        return None
    return json.loads(out.read_text(encoding="utf-8"))


def shared_folder(args: argparse.Namespace) -> Path | None:
    if args.no_shared:
        return None
    folder = args.shared or Path(os.environ.get("PLANDATA_SHARED", ROOT.parent / "shared"))
    return folder if (folder / "corpus").is_dir() else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=DEFAULT_SIZES, metavar="N",
                        help=f"numbers of notices (default: {' '.join(map(str, DEFAULT_SIZES))})")
    parser.add_argument("--shared", type=Path, help="the shared folder with corpus/*.txt "
                        "(default: $PLANDATA_SHARED, else ../shared, used when present)")
    parser.add_argument("--no-shared", action="store_true", help="the bundled notice only")
    parser.add_argument("--skip-rebuild-above", type=int, default=1000, metavar="N",
                        help="no rebuild measurement for sizes above N (default 1000)")
    parser.add_argument("--budget-minutes", type=float, default=30,
                        help="skip a size projected to end the run after this many minutes; 0: no budget "
                             "(default 30)")
    parser.add_argument("--floor-runs", type=int, default=3,
                        help="floor runs and N=1 cold builds, alternating; the medians are reported (default 3)")
    parser.add_argument("--variants", type=int, default=12, help="checked variants per base notice (default 12)")
    parser.add_argument("--seed", type=int, default=11, help="seed of the perturbations (default 11)")
    parser.add_argument("--partitions-notices", type=int, default=1000, metavar="N",
                        help="notices for benchmarks/partitions.py, run first; 0: skip it (default 1000)")
    parser.add_argument("--merge", action="store_true",
                        help="keep the other sizes' results already in results.json (replace the same N)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="work in DIR and keep the corpora and outputs (default: a temporary folder, removed)")
    parser.add_argument("--results", type=Path, default=results_report.RESULTS, help=argparse.SUPPRESS)
    parser.add_argument("--readme", type=Path, default=results_report.README, help=argparse.SUPPRESS)
    args = parser.parse_args()
    shared = shared_folder(args)
    budget = args.budget_minutes * 60 or float("inf")

    from pipeline.core.notice import parse_notice  # noqa: F401  (imports are not the parser's time)

    previous = json.loads(args.results.read_text(encoding="utf-8")) if args.results.exists() else {}
    results = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "machine": machine(),
               "commit": commit(), "budget_minutes": args.budget_minutes}
    progress(f"machine: {results['machine']['cpu']}, {results['machine']['cores']} cores, load "
             f"{results['machine']['load_average']}; making the corpus")
    corpus = perturbed_corpus.build_corpus(shared, variants=args.variants, seed=args.seed)
    results["corpus"] = {"bases": [base.name for base in corpus.bases], "variants_per_base": args.variants,
                         "seed": args.seed, **{key: dict(value) for key, value in corpus.stats.items()}}
    progress(f"corpus: {len(corpus.bases)} base notices x {args.variants} checked variants; "
             f"applied {dict(corpus.stats['applied'])}, dropped {dict(corpus.stats['dropped'])}")
    registry = perturbed_corpus.registry()
    scratch_context = tempfile.TemporaryDirectory(prefix="plandata-scale-") if not args.keep else None
    scratch = Path(scratch_context.name) if scratch_context else args.keep
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        if args.partitions_notices:
            progress(f"partitions: {args.partitions_notices} notices, 16 shards")
            results["partitions"] = run_partitions(args.partitions_notices, shared, scratch)
        elif previous.get("partitions"):
            results["partitions"] = previous["partitions"]
        floor_samples: list[float] = []
        if 1 not in args.sizes:
            floor_samples = [floor_run() for _ in range(args.floor_runs)]
        runs: list[dict] = []
        for count in sorted(set(args.sizes)):
            rebuild = count <= args.skip_rebuild_above
            done = [run for run in runs if not run.get("skipped")]
            if done:
                projection = projected_seconds(done[-1], count, rebuild)
                remaining = budget - (time.perf_counter() - STARTED)
                if projection > remaining:
                    reason = (f"projected {projection / 60:.0f} min, {max(remaining, 0) / 60:.0f} min left "
                              f"of the {args.budget_minutes:g}-minute budget")
                    progress(f"N={count}: skipped, {reason}")
                    runs.append({"notices": count, "skipped": reason})
                    continue
            progress(f"N={count}: start")
            runs.append(measure(count, corpus, registry, scratch, rebuild, max(args.floor_runs, 1),
                                floor_samples, keep=bool(args.keep)))
        if not floor_samples:
            floor_samples = [floor_run() for _ in range(args.floor_runs)]
    finally:
        if scratch_context:
            scratch_context.cleanup()
    results["floor_samples_s"] = [round(value, 2) for value in floor_samples]
    results["floor_s"] = round(statistics.median(floor_samples), 2)
    if args.merge and previous.get("runs"):
        measured = {run["notices"] for run in runs}
        runs = sorted([run for run in previous["runs"] if run["notices"] not in measured] + runs,
                      key=lambda run: run["notices"])
        results["merged_from"] = previous.get("date")
    results["runs"] = runs
    results["total_seconds"] = round(time.perf_counter() - STARTED, 1)
    results["targets"] = results_report.targets(results)
    args.results.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    # The Markdown table goes beside the results (benchmarks/results.md by default).
    print(results_report.write_reports(results, args.readme, args.results.with_suffix(".md")))
    progress(f"done; wrote {args.results.relative_to(ROOT) if args.results.is_relative_to(ROOT) else args.results}")


if __name__ == "__main__":
    main()
