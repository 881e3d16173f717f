"""benchmarks/results.json -> the Markdown table of benchmarks/results.md and the README's benchmark section.

    .venv/bin/python benchmarks/results_report.py    # re-render from results.json, measuring nothing

The README section lies between the markers below; nothing else in the README is touched.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results.json"
TABLE = ROOT / "benchmarks" / "results.md"
README = ROOT / "README.md"
START = "<!-- benchmark:start (generated from benchmarks/results.json by python benchmarks/results_report.py) -->"
END = "<!-- benchmark:end -->"
GIB = 1024
PARSE_TARGET_MB_S = 30


def _num(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}" if isinstance(value, float) else f"{value:,}"


def targets(results: dict) -> list[dict]:
    """The issue's targets (point 6), each with what was measured and whether it is met (None: not measured)."""
    runs = {run["notices"]: run for run in results.get("runs", []) if not run.get("skipped")}
    floor = results.get("floor_s")
    rows = []
    for count, run in sorted(runs.items()):
        rate = run.get("parse", {}).get("mb_per_cpu_s")
        rows.append({"target": f"N={count}: parsing ≥ {PARSE_TARGET_MB_S} MB/s on one core",
                     "measured": f"{_num(rate, 2)} MB/s", "met": None if rate is None else rate >= PARSE_TARGET_MB_S})

    def build(count: int, seconds_limit: float | None, gib: float | None) -> None:
        run = runs.get(count)
        cold = run and run["cold"]["seconds"]
        peak = run and max(run["cold"]["peak_rss_mib"], run["cold"]["peak_tree_rss_mib"])
        if seconds_limit is not None:
            rows.append({"target": f"N={count:,}: full build ≤ {seconds_limit:.0f} s",
                         "measured": f"{_num(cold)} s" if run else "not run",
                         "met": None if not run else cold <= seconds_limit})
        if gib is not None:
            rows.append({"target": f"N={count:,}: peak RSS ≤ {gib:.0f} GiB",
                         "measured": f"{_num(peak / GIB, 2)} GiB" if run else "not run",
                         "met": None if not run else peak <= gib * GIB})

    one = runs.get(1)
    ratio = one["cold"]["seconds"] / floor if one and floor else None
    rows.append({"target": "N=1: cold build ≤ 1.5 × the floor (trivial 3-asset Dagster run, same run)",
                 "measured": f"{_num(ratio, 2)} × ({_num(one['cold']['seconds'], 2)} s / {floor} s)" if ratio else "not run",
                 "met": None if ratio is None else ratio <= 1.5})
    build(1000, 60, 2)
    build(10000, 600, 4)
    thousand = runs.get(1000)
    share = thousand and thousand.get("rebuild") and thousand["rebuild"]["seconds"] / thousand["cold"]["seconds"]
    rows.append({"target": "N=1,000: rebuild after one notice changed ≤ 15% of the full build",
                 "measured": f"{share:.0%}" if share else "not run",
                 "met": None if not share else share <= 0.15})
    return rows


def markdown(results: dict) -> str:
    machine = results.get("machine", {})
    lines = [f"Machine: {machine.get('cpu', '?')}, {machine.get('cores', '?')} cores, "
             f"{machine.get('ram_gib', '?')} GiB RAM, Python {machine.get('python', '?')}, "
             f"load average {machine.get('load_average', '?')} at the start; "
             f"code at `{results.get('commit', '?')}`; run of {results.get('date', '?')}, "
             f"{_num(results.get('total_seconds'), 0)} s in all.",
             "",
             f"Floor (a trivial 3-asset Dagster materialisation in a fresh process, median of "
             f"{len(results.get('floor_samples_s', []))}): {results.get('floor_s')} s. "
             f"Corpus: {', '.join(results.get('corpus', {}).get('bases', []))}; perturbations applied "
             f"{_fmt_counter(results.get('corpus', {}).get('applied', {}))}, dropped by the parser check "
             f"{_fmt_counter(results.get('corpus', {}).get('dropped', {})) or 'none'}.",
             "",
             "| notices | text MB | parse MB/s (one core) | cold build s | × floor | peak RSS MiB (tree) | "
             "rebuild after 1 change s | rebuild / cold | rebuild peak RSS MiB | validation s (in-process) | "
             "release page KiB | largest notice page KiB | release MB | rebuild release: new MB |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    floor = results.get("floor_s") or None
    for run in results.get("runs", []):
        if run.get("skipped"):
            lines.append(f"| {run['notices']:,} | skipped: {run['skipped']} |" + " |" * 12)
            continue
        cold, rebuild = run["cold"], run.get("rebuild")
        lines.append(" | ".join([
            f"| {run['notices']:,}", _num(run["text_mb"], 2), _num(run["parse"]["mb_per_cpu_s"], 2),
            _num(cold["seconds"]), _num(cold["seconds"] / floor, 1) if floor else "–",
            f"{cold['peak_rss_mib']:,.0f} ({cold['peak_tree_rss_mib']:,.0f})",
            _num(rebuild["seconds"]) if rebuild else "not run",
            f"{rebuild['seconds'] / cold['seconds']:.0%}" if rebuild else "–",
            f"{rebuild['peak_rss_mib']:,.0f}" if rebuild else "–",
            f"{run['validation']['seconds']:,.1f} ({run['validation']['in_process_seconds']:,.1f})"
            if run.get("validation") else "–",
            _num(run["pages"]["release_page_bytes"] / 1024, 0) if run["pages"]["release_page_bytes"] else "–",
            _num(run["pages"]["largest_notice_page_bytes"] / 1024, 0) if run["pages"]["largest_notice_page_bytes"] else "–",
            _num(cold["disk"]["apparent_bytes"] / 1e6, 1),
            _num(rebuild["disk"]["new_bytes"] / 1e6, 1) + f" of {rebuild['disk']['apparent_bytes'] / 1e6:,.1f}"
            if rebuild else "–",
        ]) + " |")
    lines += where_time_goes(results)
    lines += ["", "Validation is full validation of the release, all rows: a fresh process runs "
              "`verify_release_files` over the published release (in brackets the call alone, imports excluded). Peak RSS is the build process's own "
              "(`ru_maxrss`), in brackets the sum over its process tree sampled every 0.2 s. A rebuild's new MB "
              "counts each file whose inode is not in the previous release once (hard links are not new).",
              "", "| target (issue 11, point 6) | measured | met |", "| --- | --- | --- |"]
    for row in targets(results):
        met = {True: "yes", False: "**no**", None: "not measured"}[row["met"]]
        lines.append(f"| {row['target']} | {row['measured']} | {met} |")
    partitions = results.get("partitions")
    if partitions:
        lines += ["", partitions_paragraph(partitions)]
    return "\n".join(lines) + "\n"


def where_time_goes(results: dict) -> list[str]:
    """The largest N's build phases, from the build's own progress lines."""
    measured = [run for run in results.get("runs", []) if not run.get("skipped") and run["cold"].get("phases")]
    if not measured:
        return []
    run = measured[-1]
    cold, rebuild = run["cold"]["phases"], (run.get("rebuild") or {}).get("phases") or []

    def key(step: str) -> str:  # "Published new release 2026…" and "Unchanged since release …" differ in ids only
        return " ".join(step.split()[:2])

    again = {key(row["step"]): row["seconds"] for row in rebuild}
    lines = ["", f"Where the time goes at N={run['notices']:,} (the build's progress lines, timed as they arrive; "
                 "each step runs until the next starts):", "",
             "| step | cold build s | share | rebuild s |", "| --- | ---: | ---: | ---: |"]
    for row in cold:
        share = row["seconds"] / run["cold"]["seconds"] if run["cold"]["seconds"] else 0
        step = row["step"].replace("|", "\\|")
        lines.append(f"| {step} | {row['seconds']:,.1f} | {share:.0%} | {_num(again.get(key(row['step'])))} |")
    return lines


def _fmt_counter(counter: dict) -> str:
    return ", ".join(f"{key} {value}" for key, value in sorted(counter.items()))


def partitions_paragraph(partitions: dict) -> str:
    rows = partitions["designs"]
    lines = [f"**Partition by shard vs. one run** ({partitions['notices']:,} notices in {partitions['shards']} shards "
             f"by the first hex digit of sha256(doc_id), each shard's rows stored by Dagster's filesystem IO "
             f"manager; the same parse, store and combine in a plain loop without Dagster: "
             f"{partitions['work_seconds']:.1f} s). Overhead is wall time minus the parsing timed inside the "
             f"assets of that design:", "",
             "| design | runs | wall s | parsing s | overhead s | overhead per run s |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for row in rows:
        parsing = row.get("parse_seconds")
        lines.append(f"| {row['design']} | {row['runs']} | {row['seconds']:.1f} | "
                     f"{'–' if parsing is None else f'{parsing:.1f}'} | {row['overhead_seconds']:.1f} | "
                     f"{row['overhead_per_run_seconds']:.2f} |")
    cheapest = min(rows, key=lambda row: row["seconds"])
    lines += ["", partitions.get("conclusion") or f"Cheapest: {cheapest['design']}."]
    return "\n".join(lines)


def write_reports(results: dict, readme: Path = README, table_path: Path = TABLE) -> str:
    table = markdown(results)
    table_path.write_text("# Benchmark results\n\n" + table, encoding="utf-8")
    if readme.exists():
        text = readme.read_text(encoding="utf-8")
        section = f"{START}\n\n{table}\n{END}"
        pattern = re.compile(re.escape(START.split(" (")[0]) + r".*?" + re.escape(END), re.S)
        if pattern.search(text):
            text = pattern.sub(lambda _: section, text)
        else:
            text = text.rstrip("\n") + "\n\n## Benchmark\n\n" + section + "\n"
        readme.write_text(text, encoding="utf-8")
    return table


def main() -> None:
    print(write_reports(json.loads(RESULTS.read_text(encoding="utf-8"))))


if __name__ == "__main__":
    main()
