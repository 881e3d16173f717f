"""The build under Dagster's multiprocess executor, one process per step, publishes what the
in-process build publishes: every file byte for byte, apart from plan.duckdb (DuckDB's file layout
is not deterministic), which is compared by query, and SHA256SUMS, which differs in that file's line only."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipeline.orchestration.parallel import build_release_parallel, parallel_run_config
from pipeline.orchestration.run import run_build
from conftest import NOTICE, copy_sources, shared_dir

# Copies of the bundled notice under ids whose sha256 starts with 1, 0, 2, 3 and 4 (worked out by hand),
# so that with the bundled notice (shard d) six shards have notices and ten are empty.
COPIES = ("copy-1", "copy-2", "copy-3", "copy-6", "copy-4")


def write_sources(directory: Path) -> int:
    """The bundled notice, its copies and the shared corpus's notices (when present); how many notices."""
    copy_sources(directory)
    text = NOTICE.read_text(encoding="utf-8")
    for number, name in enumerate(COPIES, start=1):
        (directory / f"{name}.txt").write_text(text.replace("2008年8月11日", f"2008年8月{11 + number}日"),
                                               encoding="utf-8")
    try:
        corpus = shared_dir() / "corpus"
    except pytest.skip.Exception:
        corpus = None
    if corpus and corpus.is_dir():
        (directory / "corpus").mkdir()
        for path in sorted(corpus.glob("*.txt")):
            shutil.copy(path, directory / "corpus" / path.name)
    return len(list(directory.rglob("*.txt")))


def release_files(release: Path) -> dict[str, Path]:
    return {path.relative_to(release).as_posix(): path for path in sorted(release.rglob("*")) if path.is_file()}


def checksums(release: Path) -> dict[str, str]:
    lines = (release / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    return {line.split(maxsplit=1)[1].lstrip("*"): line.split(maxsplit=1)[0] for line in lines}


def database_rows(path: Path) -> dict[str, list]:
    """Every table's rows, ordered by its primary key (by every column when it has none)."""
    with duckdb.connect(str(path), read_only=True) as connection:
        tables = [row[0] for row in connection.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY table_name").fetchall()]
        keys = dict(connection.execute(
            "SELECT table_name, constraint_column_names FROM duckdb_constraints() "
            "WHERE constraint_type = 'PRIMARY KEY'").fetchall())
        rows = {}
        for table in tables:
            order = ", ".join(f'"{column}"' for column in keys.get(table, [])) or "ALL"
            rows[table] = connection.execute(f'SELECT * FROM "{table}" ORDER BY {order}').fetchall()
        return rows


@pytest.mark.multiprocess
def test_the_multiprocess_build_publishes_what_the_in_process_build_publishes(tmp_path):
    sources = tmp_path / "sources"
    notices = write_sources(sources)
    in_process = run_build(sources, tmp_path / "in-process")
    home = tmp_path / "dagster-home"
    home.mkdir()
    with dg.DagsterInstance.local_temp(str(home)) as instance:
        result = dg.execute_job(dg.reconstructable(build_release_parallel), instance=instance,
                                run_config=parallel_run_config(sources, tmp_path / "multiprocess", max_concurrent=2))
        assert result.success
        starts = {event.step_key: event.pid for event in result.all_events if event.event_type_value == "STEP_START"}
    shard_pids = {pid for step, pid in starts.items() if step.startswith("shard_")}
    assert len([step for step in starts if step.startswith("shard_")]) == 16
    assert len(shard_pids) > 1 and os.getpid() not in shard_pids

    release = (tmp_path / "multiprocess" / "latest").resolve()
    assert release.name == in_process.release_id
    ours, theirs = release_files(in_process.release_dir), release_files(release)
    assert sorted(ours) == sorted(theirs)
    assert {"csv/tasks.csv", "downloads/csv.zip"} <= set(ours) and not [n for n in ours if n.startswith("csv/tasks/")]
    different = [name for name in ours if ours[name].read_bytes() != theirs[name].read_bytes()]
    assert set(different) <= {"plan.duckdb", "SHA256SUMS"}
    ours_sums, theirs_sums = checksums(in_process.release_dir), checksums(release)
    assert ours_sums.keys() == theirs_sums.keys() and "plan.duckdb" in ours_sums
    assert {n: s for n, s in ours_sums.items() if n != "plan.duckdb"} == \
        {n: s for n, s in theirs_sums.items() if n != "plan.duckdb"}
    ours_rows, theirs_rows = database_rows(ours["plan.duckdb"]), database_rows(theirs["plan.duckdb"])
    assert len(ours_rows["documents"]) == notices and len(ours_rows["tasks"]) > notices
    assert ours_rows == theirs_rows
