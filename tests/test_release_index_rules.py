"""Rules of releases/ and its index (pipeline/publish/release.py, finalize.py), on hand-made
release directories or data files written without Dagster: release ids, sequence numbers, what
index.json says of a release, publishing the same content twice, the build lock, leftovers, and
the change log of a second release."""
from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import shutil

import pytest

from pipeline.publish.checksums import write_sha256sums

sys.path.insert(0, str(Path(__file__).resolve().parent))  # works whether or not tests/ is a package
from conftest import NOTICE, copy_sources  # noqa: E402
from pipeline.errors import PlanDataError  # noqa: E402
from pipeline.extraction.extract import extract  # noqa: E402
from pipeline.publish import release as release_module  # noqa: E402
from pipeline.publish.assemble import write_data_files  # noqa: E402
from pipeline.orchestration.finalize import finalize  # noqa: E402
from pipeline.publish.release import (RELEASE_ID, build_lock, clean_leftovers, index_entry,  # noqa: E402
                                      latest_release, publish_staging, read_index)

NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)


def staging(outputs: Path, version: str, tasks: int = 2, changes: list[dict] | None = None) -> Path:
    """A minimal release directory: its datapackage.json, one Parquet table, maybe a change log."""
    path = outputs / f".staging-{version}"
    (path / "parquet").mkdir(parents=True)
    pq.write_table(pa.table({"task_id": [str(i) for i in range(tasks)]}), path / "parquet" / "tasks.parquet")
    descriptor = {"version": version,
                  "sources": [{"path": "sources/notice.txt", "sha256": "ab" * 32}],
                  "resources": [{"name": "tasks", "format": "csv", "path": "csv/tasks.csv"},
                                {"name": "tasks-json", "format": "json", "path": "json/tasks.json"},
                                {"name": "tasks-parquet", "format": "parquet", "path": "parquet/tasks.parquet"}]}
    (path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    if changes is not None:
        (path / "changes.json").write_text(json.dumps(changes), encoding="utf-8")
    write_sha256sums(path)  # a release is complete only with its checksums
    return path


def test_release_ids_are_a_sequence_of_four_or_more_digits_and_a_content_hash():
    assert RELEASE_ID.match("0001-0123abcd")["seq"] == "0001"
    assert RELEASE_ID.match("12345-0123abcdef")["hash"] == "0123abcdef"
    for name in ("001-0123abcd", "0001-0123abc", "0001-0123ABCD", "0001_0123abcd", "x0001-0123abcd",
                 "0001-0123abcd.tmp", "0001-0123abcg"):
        assert RELEASE_ID.match(name) is None, name


def test_the_index_entry_is_read_from_the_release_files(tmp_path):
    release = staging(tmp_path, "0123456789ab", tasks=3, changes=[
        {"entity": "task", "change": "added"}, {"entity": "section", "change": "removed"},
        {"entity": "task", "change": "added"}])
    assert index_entry(release) == {"version": "0123456789ab", "sources": {"notice.txt": "ab" * 32},
                                    "rows": {"tasks": 3},
                                    "changes": {"section removed": 1, "task added": 2}}


def test_a_release_without_a_change_log_counts_no_change(tmp_path):
    assert index_entry(staging(tmp_path, "0123456789ab"))["changes"] == {}


def test_publishing_numbers_releases_and_switches_latest(tmp_path):
    first = publish_staging(tmp_path, staging(tmp_path, "aaaaaaaa1111"), "aaaaaaaa1111", now=NOW)
    assert (first.release_id, first.new) == ("0001-aaaaaaaa", True)
    assert first.path == tmp_path / "releases" / "0001-aaaaaaaa" and first.path.is_dir()
    second = publish_staging(tmp_path, staging(tmp_path, "bbbbbbbb2222"), "bbbbbbbb2222", now=NOW)
    assert (second.release_id, second.new) == ("0002-bbbbbbbb", True)
    assert latest_release(tmp_path) == "0002-bbbbbbbb"
    assert (tmp_path / "latest").resolve() == second.path.resolve()
    assert not list(tmp_path.glob(".staging-*")) and not list(tmp_path.glob(".latest-*"))
    index = read_index(tmp_path)
    assert index["latest"] == "0002-bbbbbbbb"
    assert [(e["release_id"], e["previous"], e["built_at"], e["version"]) for e in index["releases"]] == [
        ("0001-aaaaaaaa", None, "2026-01-02T03:04:05+00:00", "aaaaaaaa1111"),
        ("0002-bbbbbbbb", "0001-aaaaaaaa", "2026-01-02T03:04:05+00:00", "bbbbbbbb2222")]


def test_the_same_content_as_latest_is_not_published_again(tmp_path):
    first = publish_staging(tmp_path, staging(tmp_path, "aaaaaaaa1111"), "aaaaaaaa1111", now=NOW)
    again = staging(tmp_path, "aaaaaaaa1111")
    same = publish_staging(tmp_path, again, "aaaaaaaa1111", now=NOW)
    assert (same.release_id, same.path, same.new) == (first.release_id, first.path, False)
    assert not again.exists()
    assert [p.name for p in (tmp_path / "releases").iterdir() if p.is_dir()] == ["0001-aaaaaaaa"]
    assert len(read_index(tmp_path)["releases"]) == 1


def test_an_index_is_written_whole_with_no_temporary_file_left(tmp_path):
    publish_staging(tmp_path, staging(tmp_path, "aaaaaaaa1111"), "aaaaaaaa1111", now=NOW)
    names = sorted(p.name for p in (tmp_path / "releases").iterdir())
    assert names == [".fingerprints.json", "0001-aaaaaaaa", "index.json", "published.log"]
    assert json.loads((tmp_path / "releases" / "index.json").read_text(encoding="utf-8"))["latest"] == \
        "0001-aaaaaaaa"


def test_leftovers_of_killed_builds_are_removed_and_nothing_else(tmp_path):
    (tmp_path / ".staging-abc" / "csv").mkdir(parents=True)
    (tmp_path / ".staging-file").write_text("x")
    (tmp_path / ".latest-123").symlink_to("releases/0001-aaaaaaaa")
    (tmp_path / "releases" / "0001-aaaaaaaa").mkdir(parents=True)
    (tmp_path / "staging-not-hidden").mkdir()
    removed = clean_leftovers(tmp_path)
    assert sorted(p.name for p in removed) == [".latest-123", ".staging-abc", ".staging-file"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["releases", "staging-not-hidden"]
    assert (tmp_path / "releases" / "0001-aaaaaaaa").is_dir()


def test_a_second_build_on_the_same_outputs_fails_naming_the_lock_and_its_holder(tmp_path):
    with build_lock(tmp_path):
        assert (tmp_path / ".lock").read_text() == f"pid {os.getpid()}"
        with pytest.raises(PlanDataError) as refused:
            with build_lock(tmp_path, wait_seconds=0):
                pass
    message = str(refused.value)
    assert str(tmp_path / ".lock") in message and "another build is running" in message
    assert f"pid {os.getpid()}" in message
    # released: the lock can be taken again, and it no longer names a holder
    assert (tmp_path / ".lock").read_text() == ""
    with (tmp_path / ".lock").open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)


def test_a_waiting_build_takes_the_lock_once_it_is_released(tmp_path, monkeypatch):
    holder = (tmp_path / ".lock").open("a+")
    fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
    waits = []

    def release_on_first_wait(seconds):  # the other build finishes while this one waits
        waits.append(seconds)
        fcntl.flock(holder, fcntl.LOCK_UN)

    monkeypatch.setattr(release_module.time, "sleep", release_on_first_wait)
    with build_lock(tmp_path, wait_seconds=600):
        assert (tmp_path / ".lock").read_text() == f"pid {os.getpid()}"
    assert len(waits) == 1
    holder.close()


def _build(sources: Path, outputs: Path, name: str):
    from pipeline.sources.discovery import read_sources

    notices, registry = read_sources(sources)
    staging = outputs / f".staging-{name}"
    staging.mkdir(parents=True)
    write_data_files(staging, extract(notices, registry))
    return finalize(outputs, staging)


def test_an_amended_release_records_its_changes_against_the_previous_one(tmp_path):
    outputs = tmp_path / "outputs"
    first = _build(copy_sources(tmp_path / "a"), outputs, "a")
    text = NOTICE.read_text(encoding="utf-8")
    assert text.count("研究制定信用服务机构管理办法。") == 1
    amended = text.replace("研究制定信用服务机构管理办法。", "研究制定征信机构管理办法。")
    second = _build(copy_sources(tmp_path / "b", notice_text=amended), outputs, "b")
    assert (first.release_id[:4], second.release_id[:4], second.new) == ("0001", "0002", True)
    changes = json.loads((second.path / "changes.json").read_text(encoding="utf-8"))
    assert [(r["entity"], r["change"], r["old_id"]) for r in changes] == [
        ("section", "text_changed", "6.7.8"), ("task", "text_changed", "6.7.8")]
    entry = read_index(outputs)["releases"][-1]
    assert (entry["previous"], entry["changes"]) == (first.release_id,
                                                     {"section text_changed": 1, "task text_changed": 1})
    listed = (second.path / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    # In SHA256SUMS's order: paths compared part by part (quality/<doc_id>.md before quality.md).
    files = [p.as_posix() for p in sorted(p.relative_to(second.path) for p in second.path.rglob("*")
                                          if p.is_file() and p.name != "SHA256SUMS")]
    assert [line.split("  ", 1)[1] for line in listed] == files


def test_the_next_sequence_number_follows_the_highest_release(tmp_path):
    for version in ("aaaaaaaa1111", "bbbbbbbb2222"):
        publish_staging(tmp_path, staging(tmp_path, version), version, now=NOW)
    third = publish_staging(tmp_path, staging(tmp_path, "cccccccc3333"), "cccccccc3333", now=NOW)
    assert third.release_id == "0003-cccccccc"


def test_the_index_is_written_as_indented_json_with_a_final_newline(tmp_path):
    publish_staging(tmp_path, staging(tmp_path, "aaaaaaaa1111"), "aaaaaaaa1111", now=NOW)
    text = (tmp_path / "releases" / "index.json").read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2) + "\n"


def test_a_latest_release_missing_from_the_index_is_indexed_after_the_one_before(tmp_path):
    for version in ("aaaaaaaa1111", "bbbbbbbb2222"):
        publish_staging(tmp_path, staging(tmp_path, version), version, now=NOW)
    index_path = tmp_path / "releases" / "index.json"
    index = json.loads(index_path.read_text(encoding="utf-8"))
    index["releases"] = index["releases"][:1]  # killed after the switch of latest, before the index write
    index_path.write_text(json.dumps(index), encoding="utf-8")
    with build_lock(tmp_path, wait_seconds=0):
        pass
    entries = read_index(tmp_path)["releases"]
    assert [(e["release_id"], e["previous"]) for e in entries] == [
        ("0001-aaaaaaaa", None), ("0002-bbbbbbbb", "0001-aaaaaaaa")]
    assert read_index(tmp_path)["latest"] == "0002-bbbbbbbb"


# -- rules of the completeness check and the quarantine (written against mutation survivors) ---------

def _complete_release(outputs: Path, version: str = "aaaaaaaa1111") -> Path:
    release = outputs / "releases" / f"0001-{version[:8]}"
    release.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(staging(outputs, version)), release)
    return release


def test_a_file_that_no_longer_matches_its_checksum_is_found_whichever_way_the_digest_differs(tmp_path):
    from pipeline.publish.release import release_problem

    release = _complete_release(tmp_path)
    assert release_problem(release) is None
    sums = release / "SHA256SUMS"
    # A recorded digest below every real one, then above: both are mismatches.
    for digest in ("0" * 64, "f" * 64):
        lines = [f"{digest}  {line.split('  ', 1)[1]}" if "tasks.parquet" in line else line
                 for line in sums.read_text(encoding="utf-8").splitlines()]
        sums.write_text("\n".join(lines) + "\n", encoding="utf-8")
        assert release_problem(release) == "parquet/tasks.parquet does not match SHA256SUMS"


def test_a_datapackage_that_is_not_an_object_makes_an_unreadable_release(tmp_path):
    from pipeline.publish.release import release_problem

    release = _complete_release(tmp_path)
    (release / "datapackage.json").write_text("[]", encoding="utf-8")
    problem = release_problem(release)
    assert problem is not None and problem.startswith("unreadable datapackage.json or SHA256SUMS (")


def test_quarantined_names_count_up_and_overwrite_nothing(tmp_path):
    from pipeline.publish.release import quarantine

    names = []
    for _ in range(4):
        junk_dir = tmp_path / "releases" / "0009-abcdef12"
        junk_dir.mkdir(parents=True)
        names.append(quarantine(tmp_path, junk_dir).name)
    assert names == ["0009-abcdef12", "0009-abcdef12~2", "0009-abcdef12~3", "0009-abcdef12~4"]


def test_a_read_only_directory_is_made_writable_by_its_owner_before_it_is_moved(tmp_path):
    """A published release is 0555; moving a directory rewrites its '..' entry, which needs write permission."""
    from pipeline.publish.release import quarantine

    release = _complete_release(tmp_path)
    release.chmod(0o555)
    moved = quarantine(tmp_path, release)
    assert moved.stat().st_mode & 0o777 == 0o755


@pytest.mark.parametrize("target", ["releases", "releases/0001-aaaaaaaa/csv", "../releases/0001-aaaaaaaa"])
def test_latest_must_point_at_exactly_releases_slash_a_release_id(tmp_path, target):
    from pipeline.publish.release import check_outputs

    (tmp_path / "releases" / "0001-aaaaaaaa" / "csv").mkdir(parents=True)
    (tmp_path / "latest").symlink_to(target)
    with pytest.raises(PlanDataError) as refused:
        check_outputs(tmp_path)
    assert str(refused.value) == (f"{tmp_path / 'latest'}: points at {target}, which is not a release in releases/; "
                                  "remove it, or point it at a published release with plandata rollback <release>")


def test_a_switch_that_fails_quarantines_the_new_release_and_says_so(tmp_path, monkeypatch):
    from pipeline.publish import release as publishing

    publish_staging(tmp_path, staging(tmp_path, "aaaaaaaa1111"), "aaaaaaaa1111", now=NOW)

    def broken_switch(outputs, release_id):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publishing, "switch_latest", broken_switch)
    with pytest.raises(PlanDataError) as refused:
        publish_staging(tmp_path, staging(tmp_path, "bbbbbbbb2222"), "bbbbbbbb2222", now=NOW)
    quarantined = tmp_path / "releases" / ".quarantine" / "0002-bbbbbbbb"
    assert str(refused.value) == (f"{tmp_path / 'latest'}: switching latest to 0002-bbbbbbbb failed "
                                  f"(No space left on device); it was moved to {quarantined}")
    assert os.readlink(tmp_path / "latest") == "releases/0001-aaaaaaaa" and quarantined.is_dir()


def test_a_failed_atomic_write_leaves_neither_a_temporary_file_nor_a_changed_target(tmp_path, monkeypatch):
    from pipeline.publish.release_index import _write_atomic

    target = tmp_path / "index.json"
    target.write_text("old", encoding="utf-8")

    def no_space(source, destination):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_space)
    with pytest.raises(OSError):
        _write_atomic(target, "new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.json"]
    assert target.read_text(encoding="utf-8") == "old"


def test_reason_gives_an_exception_as_one_line_of_words():
    from pipeline.publish.release import reason

    assert reason(ValueError("bad\n   value")) == "bad value"
    assert reason(ValueError("")) == "unexpected error"
    assert reason(OSError(28, "No space left on device", "/x/index.json")) == "No space left on device: /x/index.json"
    assert reason(PlanDataError("gone", file="a.txt", line=3)) == "a.txt:3: gone"


def test_a_failed_switch_whose_quarantine_fails_too_leaves_it_to_the_next_build(tmp_path, monkeypatch):
    from pipeline.publish import release as publishing

    publish_staging(tmp_path, staging(tmp_path, "aaaaaaaa1111"), "aaaaaaaa1111", now=NOW)

    def fails(*args):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(publishing, "switch_latest", fails)
    monkeypatch.setattr(publishing, "quarantine", fails)
    with pytest.raises(PlanDataError) as refused:
        publish_staging(tmp_path, staging(tmp_path, "bbbbbbbb2222"), "bbbbbbbb2222", now=NOW)
    assert str(refused.value).endswith("switching latest to 0002-bbbbbbbb failed (Read-only file system); "
                                       "the next build moves it to the quarantine")
