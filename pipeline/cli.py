"""plandata build | diff | prune | verify | rollback | sql: argument parsing, progress and summary. Errors are one line, never a traceback."""
from __future__ import annotations

import argparse
import math
import sys
import time
import warnings
from pathlib import Path

from pipeline.errors import PlanDataError


def notices_without_tasks(database: Path) -> list[tuple[str, str, int | None]]:
    """(doc_id, source file, line of its no_tasks warning) of every notice of a release that gave no task."""
    import duckdb

    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(
            "SELECT d.doc_id, d.source_file, min(f.line) FROM documents d "
            "LEFT JOIN findings f ON f.doc_id = d.doc_id AND f.kind = 'no_tasks' "
            "WHERE NOT EXISTS (SELECT 1 FROM tasks t WHERE t.doc_id = d.doc_id) "
            "GROUP BY ALL ORDER BY d.doc_id").fetchall()


def _build(args: argparse.Namespace) -> int:
    started = time.monotonic()
    print(f"plandata build: {args.sources} -> {args.outputs}", file=sys.stderr)
    warnings.filterwarnings("ignore")  # Dagster's beta/deprecation chatter is not for publishers
    from pipeline.orchestration.run import run_build

    from pipeline.site.base_url import DEFAULT_BASE_URL, ENVIRONMENT_VARIABLE, PLACEHOLDER_WARNING, resolve_base_url
    from pipeline.sources.settings import missing_line, read_settings

    settings = read_settings(Path(args.sources))  # a settings file that cannot be read stops the build here
    # Both notes go to stdout with the build's report, once the build has succeeded: a failed build says
    # one line on stderr and nothing else.
    notes = [missing_line(settings)] if missing_line(settings) else []
    # A malformed URL or one that is no IRI is refused before any work.
    if resolve_base_url(args.base_url, settings["base_url"], str(settings.path)) == DEFAULT_BASE_URL:
        notes.append(PLACEHOLDER_WARNING.format(url=DEFAULT_BASE_URL, settings=settings.path, env=ENVIRONMENT_VARIABLE))
    outcome = run_build(Path(args.sources), Path(args.outputs), wait_seconds=args.wait, show_progress=True,
                        base_url=args.base_url, skip_broken=args.skip_broken)
    for note in notes:
        print(note)
    release = outcome.release_dir
    index_entry = outcome.index_entry
    for repair in outcome.repairs:
        print(f"Repaired: {repair}")
    for line in outcome.damage:
        print(f"Damaged: {line}")
    for item in outcome.skipped:
        where = item["file"] + (f":{item['line']}" if item.get("line") else "")
        kept = "previous rows kept, marked stale" if item.get("stale") else "not published"
        print(f"Skipped: {where}: {item['message']} ({kept})")
    for item in outcome.unread:
        print(f"Not read: {item['file']} ({item['format']}: not a format the build reads)")
    print(f"{'New release' if outcome.new else 'Unchanged since release'} {outcome.release_id}")
    print(f"Release path: {release}")
    print(f"Latest:       {Path(args.outputs) / 'latest'}")
    print("Rows per table:")
    for name, count in index_entry.get("rows", {}).items():
        print(f"  {name:<14} {count:>6}")
    empty = notices_without_tasks(release / "plan.duckdb")
    if empty:
        print(f"Notices with 0 tasks: {len(empty)}")
        for doc_id, source, line in empty:
            print(f"  {doc_id} ({source})" + (f": no_tasks warning at line {line}" if line else ""))
    if outcome.new:
        files = sorted(p for p in release.rglob("*") if p.is_file())
        total = sum(p.stat().st_size for p in files)
        print(f"Files written: {len(files)} ({total / 1024:.0f} KiB): datapackage.json, plan.duckdb, "
              "csv/, excel/, json/, parquet/, texts/, changes.csv, changes.json, quality.md, SHA256SUMS")
        summary = index_entry.get("changes", {})
        if summary:
            print("Changes against the previous release: "
                  + ", ".join(f"{key} {value}" for key, value in sorted(summary.items())))
    print(f"Done in {time.monotonic() - started:.1f} s")
    return 0


def _diff(args: argparse.Namespace) -> int:
    from pipeline.changes import format_changes_table
    from pipeline.changes.diff import compare

    comparison = compare(Path(args.old), Path(args.new), Path(args.sources))
    for note in comparison.notes:
        print(f"note: {note}", file=sys.stderr)
    rows = comparison.rows
    print(format_changes_table(rows) if rows else "No changes.")
    return 0


def _prune(args: argparse.Namespace) -> int:
    from pipeline.publish.prune import keep_count, prune
    from pipeline.site import write_outputs_index

    def mib(size: int) -> str:
        return f"{size / 2**20:.1f} MiB"

    verb = "would remove" if args.dry_run else "removed"
    result = prune(Path(args.outputs), keep_count(args.keep), dry_run=args.dry_run, wait_seconds=args.wait,
                   pages=write_outputs_index,
                   echo=lambda removal: print(f"{verb} {removal.release_id} ({mib(removal.freed)} freed)"))
    for repair in result.repairs:
        print(f"Repaired: {repair}")
    for release_id, why in result.quarantined:
        print(f"would quarantine {release_id}: {why}")
    kept = ", ".join(r + (" (latest)" if r == result.latest else "") for r in result.kept) or "none"
    if not result.removed:
        print(f"nothing to prune: {len(result.kept)} release(s), --keep {args.keep}; kept {kept}")
        return 0
    freed = mib(sum(removal.freed for removal in result.removed))
    if args.dry_run:
        for removal in result.removed:
            print(f"{verb} {removal.release_id} ({mib(removal.freed)} freed)")
        print(f"dry run, nothing changed: would remove {len(result.removed)} release(s), {freed} freed; "
              f"would keep {kept}")
    else:
        print(f"removed {len(result.removed)} release(s), {freed} freed; kept {kept}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from pipeline.publish.damage import verify

    outputs = Path(args.outputs)
    if not (outputs / "releases").is_dir():
        raise PlanDataError("no releases/ to verify", file=str(outputs))
    releases, files, damage = verify(outputs)
    for line in damage:
        print(f"Damaged: {line}")
    if damage:
        raise PlanDataError(f"{len(damage)} damaged file(s) in {releases} release(s); a build publishes a "
                            "repaired release when latest is among them, and leaves the damaged ones as they are")
    print(f"verified {releases} release(s), {files} file(s): every file matches its release's SHA256SUMS")
    return 0


def _rollback(args: argparse.Namespace) -> int:
    from pipeline.publish.rollback import rollback
    from pipeline.site import write_outputs_index

    result = rollback(Path(args.outputs), args.release, wait_seconds=args.wait, pages=write_outputs_index)
    for repair in result.repairs:
        print(f"Repaired: {repair}")
    for line in result.damage:
        print(f"Damaged: {line}")
    if result.changed:
        print(f"latest now names {result.release_id} (was {result.before or 'nothing'}); recorded in "
              "releases/published.log and index.json")
    else:
        print(f"latest already names {result.release_id}; nothing changed")
    return 0


def _sql(args: argparse.Namespace) -> int:
    from pipeline.query.shell import sql_command

    database = Path(args.database) if args.database else Path(args.outputs) / "latest" / "plan.duckdb"
    return sql_command(args.query, None if args.views else database, Path(args.views) if args.views else None,
                       None if args.full else 60)


def seconds(text: str) -> float:
    """--wait: a finite number of seconds, 0 or more (nan would wait forever)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number of seconds, 0 or more")
    return value


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(prog="plandata", description=__doc__)
    commands = main_parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="parse the notices, validate and publish a release")
    build.add_argument("--sources", default="sources", help="directory of notices and the unit registry")
    build.add_argument("--outputs", default="outputs", help="directory of releases/ and latest")
    build.add_argument("--base-url", metavar="URL",
                       help="absolute URL where the outputs folder is published, for the pages' and portal "
                            "metadata's links (default: PLANDATA_BASE_URL, else base_url in the sources folder's "
                            "plandata.json, else a placeholder to replace)")
    build.add_argument("--skip-broken", action="store_true",
                       help="leave out a notice that cannot be read or has an error finding, instead of failing: "
                            "quality.md lists it, and a notice published before keeps its previous rows, marked stale")
    build.add_argument("--wait", type=seconds, default=0.0, metavar="SECONDS",
                       help="wait this long for another running build to finish (default: fail at once)")
    build.set_defaults(handler=_build)
    diff = commands.add_parser("diff", help="print the change log between two releases or two source files")
    diff.add_argument("old", help="a release directory (or outputs/releases/<id>) or a notice .txt file")
    diff.add_argument("new", help="a release directory or a notice .txt file")
    diff.add_argument("--sources", default="sources", help="where the unit registry is, for .txt files")
    diff.set_defaults(handler=_diff)
    prune = commands.add_parser(
        "prune", help="remove old releases (a build never removes one)",
        description="Remove all releases but the N newest by sequence number; the release latest points at "
                    "is always kept. Releases in releases/.quarantine/ are not touched. Runs under the build "
                    "lock: it fails at once while a build runs (see --wait).")
    prune.add_argument("--keep", required=True, metavar="N", help="how many of the newest releases to keep, 1 or more")
    prune.add_argument("--outputs", default="outputs", help="directory of releases/ and latest")
    prune.add_argument("--dry-run", action="store_true", help="print what would be removed and change nothing")
    prune.add_argument("--wait", type=seconds, default=0.0, metavar="SECONDS",
                       help="wait this long for a running build to finish (default: fail at once)")
    prune.set_defaults(handler=_prune)
    verify = commands.add_parser(
        "verify", help="hash every file of every release and match it with its SHA256SUMS",
        description="Checks every release in releases/ on demand (a build checks by stat fingerprints "
                    "and hashes only what changed). Prints one line per damaged file and exits 1 if any.")
    verify.add_argument("--outputs", default="outputs", help="directory of releases/ and latest")
    verify.set_defaults(handler=_verify)
    roll = commands.add_parser(
        "rollback", help="point latest at another published release, under the build lock",
        description="Switches latest to a published release and records it in releases/published.log and "
                    "index.json. No release is moved or removed; the next build publishes under the next number.")
    roll.add_argument("release", help="a release id from releases/index.json, e.g. 0003-1a2b3c4d")
    roll.add_argument("--outputs", default="outputs", help="directory of releases/ and latest")
    roll.add_argument("--wait", type=seconds, default=0.0, metavar="SECONDS",
                      help="wait this long for a running build to finish (default: fail at once)")
    roll.set_defaults(handler=_rollback)
    sql = commands.add_parser(
        "sql", help="run SQL on a release (read-only): one query as an argument, or an interactive prompt",
        description="Opens outputs/latest/plan.duckdb read-only with the duckdb package the install provides. "
                    "With a query, prints its result as a table; without one, reads statements ending with ';' "
                    "(.quit to leave). Control characters in the data are shown escaped (\\x1b, \\n).")
    sql.add_argument("query", nargs="?", help="the SQL to run, e.g. \"FROM task_breakdown LIMIT 5\"")
    sql.add_argument("--outputs", default="outputs", help="directory of releases/ and latest (default: outputs)")
    where = sql.add_mutually_exclusive_group()
    where.add_argument("--database", metavar="FILE", help="a plan.duckdb to open instead of <outputs>/latest's")
    where.add_argument("--views", metavar="FILE",
                       help="a release's views.sql: its tables and views over its Parquet files, from any folder")
    sql.add_argument("--full", action="store_true", help="print whole cells (default: cut at 60 columns)")
    sql.set_defaults(handler=_sql)
    return main_parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from pipeline.orchestration.run import BuildInterrupted

    try:
        return args.handler(args)
    except BuildInterrupted as error:
        print(f"error: {error}", file=sys.stderr)
        return 130
    except PlanDataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted; the last good release is untouched", file=sys.stderr)
        return 130
    except OSError as error:  # the last net: words and the file, never a traceback or an errno
        where = f"{error.filename}: " if error.filename else ""
        print(f"error: {where}{error.strerror or 'cannot read or write a file'}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
