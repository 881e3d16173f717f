"""Partition by shard vs. one run: what Dagster's orchestration costs for the same parsing work.

    .venv/bin/python benchmarks/partitions.py [--notices 1000] [--no-shared] [--skip-workers]

The work: parse the notices of a generated corpus (benchmarks/perturbed_corpus.py), split into 16 shards
by the first hex digit of sha256(doc_id), and combine every shard's rows into one asset. Each shard's
rows are stored by Dagster's FilesystemIOManager (pickles in a temporary folder) in every design, so the
designs differ only in how Dagster runs them:

  (a) partitioned   one asset with a StaticPartitionsDefinition of the 16 shards, one run per shard
                    (then one run of the combining asset, which loads all 16 partitions);
  (b) single run    16 unpartitioned shard assets (a factory) feeding the combining asset, one run.

Each is run three ways: materialize() in this process (ephemeral instance); dagster.execute_job with a
real DagsterInstance (SQLite run and event storage in a temporary folder), in-process executor; and one
fresh Python process per run, as Dagster's default run launcher starts a run worker (--skip-workers
leaves this out). With --multiprocess, (b) is also run with the multiprocess executor (a process per
step, 17 processes).

Each shard's parse is timed inside the asset, so a design's overhead is its wall time minus its own
parsing time (which moves with the machine's load and with caches warm or cold in each process):
Dagster's runs and steps, the IO manager's pickles, process starts. Per run, that overhead divided by
the number of runs. The same work in a plain loop without Dagster (parse, pickle, combine) is given
for reference.
Writes benchmarks/results.json under "partitions" (other keys kept) and re-renders the README section,
or, with --json-out, writes only that file (benchmarks/scale.py runs it so).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from functools import lru_cache
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
ROOT = BENCHMARKS.parent
sys.path[:0] = [str(ROOT), str(BENCHMARKS)]

warnings.filterwarnings("ignore")  # Dagster's beta and deprecation notices, in every run and step process
os.environ.setdefault("PYTHONWARNINGS", "ignore")
import dagster as dg  # noqa: E402

import perturbed_corpus  # noqa: E402
from pipeline.core.notice import doc_id_from_filename, parse_notice  # noqa: E402

SHARDS = "0123456789abcdef"
CORPUS_VARIABLE, IO_VARIABLE = "PLANDATA_BENCH_CORPUS", "PLANDATA_BENCH_IO"
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def shard_of(doc_id: str) -> str:
    return hashlib.sha256(doc_id.encode("utf-8")).hexdigest()[0]


@lru_cache(maxsize=1)
def _registry():
    return perturbed_corpus.registry()


def parse_shard(shard: str) -> dict:
    """Every table's rows for the notices of one shard (the corpus folder comes from the environment), and
    the seconds spent parsing them, so that each design's own work is known whatever the machine's load."""
    started = time.perf_counter()
    corpus = Path(os.environ[CORPUS_VARIABLE])
    manifest = json.loads((corpus / "shards.json").read_text(encoding="utf-8"))
    tables: dict[str, list[dict]] = {}
    for relative in manifest[shard]:
        rows = parse_notice((corpus / relative).read_bytes(), relative, _registry(),
                            doc_id=doc_id_from_filename(relative))
        for name, table in rows.tables.items():
            tables.setdefault(name, []).extend(table)
    return {"tables": tables, "parse_seconds": time.perf_counter() - started}


def row_counts(shards: dict[str, dict]) -> dict:
    """Rows per table over every shard, and the parse seconds the shards took."""
    counts: dict[str, int] = {}
    for shard in shards.values():
        for name, rows in shard["tables"].items():
            counts[name] = counts.get(name, 0) + len(rows)
    return {"rows": dict(sorted(counts.items())), "parse_seconds": sum(shard["parse_seconds"] for shard in shards.values())}


# (a) one partitioned asset, and the asset combining its partitions.
PARTITIONS = dg.StaticPartitionsDefinition(list(SHARDS))


@dg.asset(partitions_def=PARTITIONS)
def parsed_shard(context) -> dict:
    return parse_shard(context.partition_key)


@dg.asset(ins={"parsed_shard": dg.AssetIn()})
def combined_partitions(parsed_shard: dict) -> dict:
    return row_counts(parsed_shard)


# (b) sixteen shard assets from a factory, feeding one asset.
def _shard_asset(shard: str) -> dg.AssetsDefinition:
    @dg.asset(name=f"parsed_shard_{shard}")
    def _parsed() -> dict:
        return parse_shard(shard)
    return _parsed


SHARD_ASSETS = [_shard_asset(shard) for shard in SHARDS]


@dg.asset(ins={f"parsed_shard_{shard}": dg.AssetIn() for shard in SHARDS})
def combined_shards(**shards: dict) -> dict:
    return row_counts(shards)


ASSETS = [parsed_shard, combined_partitions, *SHARD_ASSETS, combined_shards]
JOBS = {
    "partition_run": dg.define_asset_job("partition_run", selection=["parsed_shard"], partitions_def=PARTITIONS,
                                         executor_def=dg.in_process_executor),
    "partitions_combine": dg.define_asset_job("partitions_combine", selection=["combined_partitions"],
                                              executor_def=dg.in_process_executor),
    "single_run": dg.define_asset_job("single_run", selection=[*(f"parsed_shard_{s}" for s in SHARDS),
                                                                "combined_shards"],
                                      executor_def=dg.in_process_executor),
    "single_run_multiprocess": dg.define_asset_job(
        "single_run_multiprocess", selection=[*(f"parsed_shard_{s}" for s in SHARDS), "combined_shards"],
        executor_def=dg.multiprocess_executor.configured({"max_concurrent": os.cpu_count() or 2})),
}


def definitions() -> dg.Definitions:
    return dg.Definitions(assets=ASSETS, jobs=list(JOBS.values()),
                          resources={"io_manager": dg.FilesystemIOManager(base_dir=os.environ[IO_VARIABLE])})


# execute_job and a run worker need a job they can rebuild in another process: module-level functions.
def partition_run_job():
    return definitions().get_job_def("partition_run")


def partitions_combine_job():
    return definitions().get_job_def("partitions_combine")


def single_run_job():
    return definitions().get_job_def("single_run")


def single_run_multiprocess_job():
    return definitions().get_job_def("single_run_multiprocess")


RECONSTRUCTABLE = {"partition_run": partition_run_job, "partitions_combine": partitions_combine_job,
                   "single_run": single_run_job, "single_run_multiprocess": single_run_multiprocess_job}


def stored(asset: str) -> dict:
    """An asset's value as the FilesystemIOManager stored it (base folder / asset key)."""
    return pickle.loads((Path(os.environ[IO_VARIABLE]) / asset).read_bytes())


def instance_at(directory: Path) -> dg.DagsterInstance:
    """A real instance: SQLite run, event log and schedule storage under ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    return dg.DagsterInstance.local_temp(tempdir=str(directory))


def execute(job: str, instance: dg.DagsterInstance, partition: str | None = None) -> dict:
    tags = {"dagster/partition": partition} if partition else None
    with dg.execute_job(dg.reconstructable(RECONSTRUCTABLE[job]), instance, run_config=QUIET, tags=tags) as result:
        if not result.success:
            raise SystemExit(f"partitions: run of {job} {partition or ''} failed")
        if job in ("partitions_combine", "single_run", "single_run_multiprocess"):
            return stored("combined_partitions" if job == "partitions_combine" else "combined_shards")
    return {}


def run_worker(job: str, partition: str | None, instance_dir: str) -> None:
    """One run in a fresh process, as a run launcher starts it; prints the combined row counts."""
    with instance_at(Path(instance_dir)) as instance:
        print(json.dumps(execute(job, instance, partition)))


def write_sharded_corpus(directory: Path, notices: int, shared: Path | None) -> dict[str, int]:
    corpus = perturbed_corpus.build_corpus(shared)
    paths = perturbed_corpus.write_corpus(corpus, directory, notices)
    manifest: dict[str, list[str]] = {shard: [] for shard in SHARDS}
    for path in paths:
        relative = path.relative_to(directory).as_posix()
        manifest[shard_of(doc_id_from_filename(relative))].append(relative)
    (directory / "shards.json").write_text(json.dumps(manifest), encoding="utf-8")
    return {shard: len(files) for shard, files in manifest.items()}


def plain_work(io_dir: Path) -> tuple[float, dict]:
    """The same parsing, storing and combining without Dagster."""
    started = time.perf_counter()
    for shard in SHARDS:
        (io_dir / shard).write_bytes(pickle.dumps(parse_shard(shard), protocol=pickle.HIGHEST_PROTOCOL))
    combined = row_counts({shard: pickle.loads((io_dir / shard).read_bytes()) for shard in SHARDS})
    return time.perf_counter() - started, combined["rows"]


class Designs:
    def __init__(self, scratch: Path, work: float, expected: dict) -> None:
        self.scratch, self.work, self.expected, self.rows = scratch, work, expected, []

    def fresh_io(self, name: str) -> Path:
        io_dir = self.scratch / "io" / name
        io_dir.mkdir(parents=True)
        os.environ[IO_VARIABLE] = str(io_dir)
        return io_dir

    def record(self, shape: str, way: str, runs: int, seconds: float, combined: dict) -> None:
        design = (f"(a) partitioned, {runs} runs" if shape == "a" else "(b) single run") + f": {way}"
        if combined["rows"] != self.expected:
            raise SystemExit(f"partitions: {design} combined {combined['rows']}, expected {self.expected}")
        overhead = seconds - combined["parse_seconds"]
        self.rows.append({"design": design, "shape": shape, "way": way, "runs": runs, "seconds": round(seconds, 2),
                          "parse_seconds": round(combined["parse_seconds"], 2),
                          "overhead_seconds": round(overhead, 2), "overhead_per_run_seconds": round(overhead / runs, 3)})
        print(f"partitions: {design}: {seconds:.1f} s for {runs} runs, overhead {overhead:.1f} s "
              f"({overhead / runs:.2f} s a run)", file=sys.stderr, flush=True)


def worker(job: str, partition: str | None, instance_dir: Path) -> dict:
    command = [sys.executable, __file__, "--run-worker", job, "--instance-dir", str(instance_dir)]
    command += ["--partition", partition] if partition else []
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=os.environ.copy())
    if done.returncode:
        raise SystemExit(f"partitions: run worker {job} {partition or ''} failed: {done.stderr.strip()[-400:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(notices: int, shared: Path | None, skip_workers: bool, multiprocess: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="plandata-partitions-") as scratch_name:
        scratch = Path(scratch_name)
        sizes = write_sharded_corpus(scratch / "corpus", notices, shared)
        os.environ[CORPUS_VARIABLE] = str(scratch / "corpus")
        _registry()
        work, expected = plain_work(Path(tempfile.mkdtemp(dir=scratch)))
        print(f"partitions: work without Dagster {work:.1f} s; rows {expected}", file=sys.stderr, flush=True)
        designs = Designs(scratch, work, expected)
        defs_assets = ASSETS

        designs.fresh_io("a-materialize")
        io = dg.FilesystemIOManager(base_dir=os.environ[IO_VARIABLE])
        started = time.perf_counter()
        for shard in SHARDS:
            dg.materialize(defs_assets, selection=["parsed_shard"], partition_key=shard, resources={"io_manager": io},
                           run_config=QUIET)
        result = dg.materialize(defs_assets, selection=["combined_partitions"], resources={"io_manager": io},
                                run_config=QUIET)
        designs.record("a", "materialize(), in process", 17, time.perf_counter() - started,
                       result.output_for_node("combined_partitions"))

        designs.fresh_io("b-materialize")
        started = time.perf_counter()
        result = dg.materialize(defs_assets, selection=[*(f"parsed_shard_{s}" for s in SHARDS), "combined_shards"],
                                resources={"io_manager": dg.FilesystemIOManager(base_dir=os.environ[IO_VARIABLE])},
                                run_config=QUIET)
        designs.record("b", "materialize(), in process", 1, time.perf_counter() - started,
                       result.output_for_node("combined_shards"))

        designs.fresh_io("a-execute-job")
        with instance_at(scratch / "instance-a") as instance:
            started = time.perf_counter()
            for shard in SHARDS:
                execute("partition_run", instance, shard)
            counts = execute("partitions_combine", instance)
            designs.record("a", "execute_job, SQLite instance", 17,
                           time.perf_counter() - started, counts)

        designs.fresh_io("b-execute-job")
        with instance_at(scratch / "instance-b") as instance:
            started = time.perf_counter()
            counts = execute("single_run", instance)
            designs.record("b", "execute_job, SQLite instance", 1, time.perf_counter() - started, counts)

        if multiprocess:
            designs.fresh_io("b-multiprocess")
            with instance_at(scratch / "instance-b-mp") as instance:
                started = time.perf_counter()
                counts = execute("single_run_multiprocess", instance)
                designs.record("b", f"execute_job, multiprocess executor ({os.cpu_count()} at a time)", 1,
                               time.perf_counter() - started, counts)

        if not skip_workers:
            designs.fresh_io("a-workers")
            started = time.perf_counter()
            for shard in SHARDS:
                worker("partition_run", shard, scratch / "instance-a-workers")
            counts = worker("partitions_combine", None, scratch / "instance-a-workers")
            designs.record("a", "a fresh run-worker process per run", 17,
                           time.perf_counter() - started, counts)

            designs.fresh_io("b-workers")
            started = time.perf_counter()
            counts = worker("single_run", None, scratch / "instance-b-workers")
            designs.record("b", "a fresh run-worker process per run", 1, time.perf_counter() - started, counts)

    rows = designs.rows
    pairs = {}
    for row in rows:
        pairs.setdefault(row["way"], {})[row["shape"]] = row
    differences = {way: pair["a"]["seconds"] - pair["b"]["seconds"] for way, pair in pairs.items()
                   if "a" in pair and "b" in pair}
    per_run = {way: (pair["a"]["overhead_seconds"] - pair["b"]["overhead_seconds"]) / 16
               for way, pair in pairs.items() if "a" in pair and "b" in pair}
    cheaper = "one run over 16 shard assets (b)" if all(d > 0 for d in differences.values()) else \
        "one run per shard partition (a)" if all(d < 0 for d in differences.values()) else "neither always"
    conclusion = (f"Cheaper: {cheaper}. Sixteen partition runs (plus the combining run) against one run: "
                  + "; ".join(f"{way}: {difference:+.1f} s ({per_run[way]:+.2f} s per extra run)"
                              for way, difference in differences.items())
                  + ". The per-run cost is paid again for every shard that changes, and is largest when each "
                    "run is its own process, as Dagster's run launcher starts it.")
    return {"notices": notices, "shards": len(SHARDS), "notices_per_shard": sizes, "rows": expected,
            "work_seconds": round(work, 2), "designs": rows, "conclusion": conclusion}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notices", type=int, default=1000, help="notices in the corpus (default 1000)")
    parser.add_argument("--shared", type=Path, help="the shared folder with corpus/*.txt "
                        "(default: $PLANDATA_SHARED, else ../shared, used when present)")
    parser.add_argument("--no-shared", action="store_true", help="the bundled notice only")
    parser.add_argument("--skip-workers", action="store_true", help="leave out the run-worker-process designs")
    parser.add_argument("--multiprocess", action="store_true",
                        help="also run (b) with the multiprocess executor: a process per step, slow on 2 cores")
    parser.add_argument("--json-out", type=Path, help="write the figures here only (results.json untouched)")
    parser.add_argument("--run-worker", help=argparse.SUPPRESS)
    parser.add_argument("--partition", help=argparse.SUPPRESS)
    parser.add_argument("--instance-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_worker:
        run_worker(args.run_worker, args.partition, args.instance_dir)
        return
    shared = None
    if not args.no_shared:
        folder = args.shared or Path(os.environ.get("PLANDATA_SHARED", ROOT.parent / "shared"))
        shared = folder if (folder / "corpus").is_dir() else None
    figures = measure(args.notices, shared, args.skip_workers, args.multiprocess)
    if args.json_out:
        args.json_out.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        import results_report

        results = json.loads(results_report.RESULTS.read_text(encoding="utf-8")) \
            if results_report.RESULTS.exists() else {}
        results["partitions"] = figures
        results_report.RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if results.get("runs") and isinstance(results.get("machine"), dict):
            results_report.write_reports(results)
    print(figures["conclusion"])


if __name__ == "__main__":
    main()
