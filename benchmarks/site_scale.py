"""How long a release's pages and quality.md take at N notices, and how much memory they need.

    .venv/bin/python benchmarks/site_scale.py [--notices 1000] [--shared ../shared] [--scratch DIR]

The tables come from `extract` over `perturbed_corpus.write_corpus` (parsed once and kept as Parquet in
the scratch folder, so a second run measures the site only). The site is then written in a fresh
process, from the tables as `finalize` gives them: it reports the seconds of `quality_report` and
of `write_release_site` (notice pages apart; wall seconds, and the CPU seconds of both), peak RSS over the tables' own, peak Python memory
(tracemalloc, in a second pass, since tracing slows Python), and the sizes of the release page and
of the largest notice page, quality.md and each notice's quality file, the notice-list pages, and
the largest HTML page of all (the budget is 2 MB each). A benchmark, not a test: nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def prepare(scratch: Path, count: int, shared: Path | None) -> Path:
    import pyarrow.parquet as pq

    from pipeline.extraction.extract import extract
    from pipeline.sources.discovery import read_sources
    import perturbed_corpus

    tables_dir = scratch / f"tables-{count}"
    if (tables_dir / "done").is_file():
        return tables_dir
    sources = scratch / f"sources-{count}"
    if not sources.is_dir():
        # scale.py's own corpus (it moved to perturbed_corpus.py): the bundled notice and the shared ones, perturbed.
        perturbed_corpus.write_corpus(perturbed_corpus.build_corpus(shared), sources, count)
    tables = extract(*read_sources(sources))
    tables_dir.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        pq.write_table(table, tables_dir / f"{name}.parquet")
    (tables_dir / "done").write_text("", encoding="utf-8")
    return tables_dir


def descriptor() -> dict:
    from pipeline.schema import package_descriptor

    data = dict(package_descriptor())
    data.setdefault("version", "0" * 64)
    data.setdefault("title", "plandata")
    return data


def replicated(tables: dict, copies: int) -> dict:
    """Each notice `copies` times over, under doc ids of its own: 10,000 notices without parsing them."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if copies == 1:
        return tables
    out = {}
    for name, table in tables.items():
        if "doc_id" not in table.column_names:
            out[name] = table
            continue
        index = table.schema.get_field_index("doc_id")
        out[name] = pa.concat_tables(
            [table.set_column(index, table.schema.field(index), pc.binary_join_element_wise(table["doc_id"], f"c{copy}", "-"))
             for copy in range(copies)])
    return out


def measure(tables_dir: Path, staging: Path, trace: bool, copies: int = 1) -> dict:
    import tracemalloc

    import pyarrow.parquet as pq

    from pipeline.render.quality import quality_report
    from pipeline.site import DEFAULT_BASE_URL, write_release_site
    from pipeline.site import build

    tables = replicated({path.stem: pq.read_table(path) for path in sorted(tables_dir.glob("*.parquet"))}, copies)
    rss_tables = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    notice_seconds = 0.0
    original = build.notice_page

    def timed_notice_page(*args, **kwargs):
        nonlocal notice_seconds
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            notice_seconds += time.perf_counter() - started

    build.notice_page = timed_notice_page
    if trace:
        tracemalloc.start()
    cpu_started = time.process_time()
    started = time.perf_counter()
    report = quality_report(tables)
    quality_seconds = time.perf_counter() - started
    staging.mkdir(parents=True, exist_ok=True)
    (staging / "quality.md").write_text(report, encoding="utf-8")
    started = time.perf_counter()
    write_release_site(staging, tables, descriptor(), [], "20990101T000000Z-00000000", DEFAULT_BASE_URL)
    site_seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    result = {"quality_s": round(quality_seconds, 2), "site_s": round(site_seconds, 2),
              "notice_pages_s": round(notice_seconds, 2),
              "cpu_s": round(cpu_seconds, 2)}
    if trace:
        result["tracemalloc_peak_mib"] = round(tracemalloc.get_traced_memory()[1] / 2**20)
        return result
    notices = sorted((staging / "notices").glob("*.html"), key=lambda p: p.stat().st_size)
    result.update({
        "rss_tables_mib": round(rss_tables), "rss_peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "release_page_bytes": (staging / "index.html").stat().st_size,
        "largest_notice_page_bytes": notices[-1].stat().st_size if notices else 0,
        "quality_md_bytes": (staging / "quality.md").stat().st_size,
        "largest_notice_quality_bytes": max((path.stat().st_size for path in (staging / "quality").glob("*.md")), default=0),
        "notice_list_pages": len(list((staging / "notice-list").glob("*.html"))),
        "largest_notice_list_page_bytes": max((path.stat().st_size for path in (staging / "notice-list").glob("*.html")),
                                              default=0),
        # Every page a browser opens (HTML), against the 2 MB budget of issue 17.
        "largest_html_bytes": max(path.stat().st_size for path in staging.rglob("*.html")),
        "html_over_2mb": sum(path.stat().st_size >= 2_000_000 for path in staging.rglob("*.html")),
        "notices": len(notices),
        "unit_scripts_bytes": sum(path.stat().st_size for path in (staging / "units").glob("*.js")),
        **unit_and_search_sizes(staging),
    })
    return result


def unit_and_search_sizes(staging: Path) -> dict:
    """The largest unit page, and the search index: in all, and the most one query of two
    characters loads (index.js, its one bigram shard, the largest task chunk)."""
    unit_pages = [path.stat().st_size for path in (staging / "units").glob("*.html")]
    search = staging / "search-index"
    shards = [path.stat().st_size for path in search.glob("b*.js")]
    chunks = [path.stat().st_size for path in search.glob("t*.js")]
    return {"unit_pages": len(unit_pages), "largest_unit_page_bytes": max(unit_pages, default=0),
            "search_index_bytes": sum(path.stat().st_size for path in search.glob("*.js")),
            "search_shards": len(shards), "largest_search_shard_bytes": max(shards, default=0),
            "largest_search_chunk_bytes": max(chunks, default=0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notices", type=int, default=1000)
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("PLANDATA_SHARED", ROOT.parent / "shared")))
    parser.add_argument("--scratch", type=Path, default=Path(tempfile.gettempdir()) / "plandata-site-scale")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the child process: tables folder
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--copies", type=int, default=1,
                        help="measure the parsed notices this many times over (--notices 1000 --copies 10: 10,000)")
    args = parser.parse_args()
    if args.measure:
        with tempfile.TemporaryDirectory() as staging:
            print(json.dumps(measure(args.measure, Path(staging) / "release", args.trace, args.copies)))
        return
    tables_dir = prepare(args.scratch, args.notices, args.shared if args.shared.is_dir() else None)
    result = {}
    # Tracing is slow: the Python-memory pass runs at the parsed size only.
    for trace in (False, True) if args.copies == 1 else (False,):
        command = ([sys.executable, __file__, "--measure", str(tables_dir), "--copies", str(args.copies)]
                   + (["--trace"] if trace else []))
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        measured = json.loads(output.strip().splitlines()[-1])
        # Tracing slows Python several times over: only its memory figure is kept.
        result.update({"tracemalloc_peak_mib": measured["tracemalloc_peak_mib"]} if trace else measured)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
