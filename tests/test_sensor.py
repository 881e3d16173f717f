"""The sources_changed sensor: A -> B -> A, one retry of a failed build, old cursors, and hashing only what changed."""
from __future__ import annotations

import hashlib
import json
import logging
import os
import tracemalloc
import uuid
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.storage.dagster_run import DagsterRun

from pipeline.orchestration import automation
from pipeline.orchestration.definitions import build_release_job, defs
from conftest import NOTICE, copy_sources

DATE_A, DATE_B = "2008年8月11日", "2008年9月1日"
# The bundled notice's doc_id is taizhou-anticorruption-2008-2012; sha256 of it starts with "d".
NOTICE_SOURCES = "sources_d"


def observed(result) -> list[str]:
    return [event.asset_key.to_user_string() for event in result.asset_events]


@pytest.fixture()
def sources(tmp_path, monkeypatch):
    directory = copy_sources(tmp_path / "sources")
    monkeypatch.setenv("PLANDATA_SOURCES", str(directory))
    return directory


@pytest.fixture()
def instance():
    with dg.DagsterInstance.ephemeral() as ephemeral:
        yield ephemeral


def tick(cursor, instance):
    """One evaluation of the real sensor, as the daemon runs it."""
    sensor = defs.resolve_sensor_def("sources_changed")
    return sensor.evaluate_tick(dg.build_sensor_context(cursor=cursor, instance=instance))


def set_date(sources: Path, date: str) -> None:
    notice = sources / NOTICE.name
    text = notice.read_text(encoding="utf-8")
    notice.write_text(text.replace(DATE_A, date).replace(DATE_B, date), encoding="utf-8")


def record_run(instance, request: dg.RunRequest, status: dg.DagsterRunStatus) -> DagsterRun:
    """The run the daemon would have launched for the request, finished with ``status``."""
    run = DagsterRun(job_name="build_release", run_id=str(uuid.uuid4()), status=status,
                     tags={**request.tags, "dagster/run_key": request.run_key})
    return instance.add_run(run)


def test_sources_going_back_to_an_earlier_state_are_built_again(sources, instance):
    a = tick(None, instance)
    record_run(instance, a.run_requests[0], dg.DagsterRunStatus.SUCCESS)
    set_date(sources, DATE_B)
    b = tick(a.cursor, instance)
    record_run(instance, b.run_requests[0], dg.DagsterRunStatus.SUCCESS)
    set_date(sources, DATE_A)
    back = tick(b.cursor, instance)
    assert [len(result.run_requests) for result in (a, b, back)] == [1, 1, 1]
    assert back.run_requests[0].tags["plandata/sources"] == a.run_requests[0].tags["plandata/sources"]
    # The daemon drops a request whose run key already has a run: the key must be new.
    keys = [result.run_requests[0].run_key for result in (a, b, back)]
    assert len(set(keys)) == 3
    assert not instance.get_runs(filters=dg.RunsFilter(tags={"dagster/run_key": keys[2]}))
    assert observed(back) == [NOTICE_SOURCES]
    # Back to A's bytes: A's data version again, so that Dagster sees the shard as it was.
    version_a = a.asset_events[observed(a).index(NOTICE_SOURCES)].tags["dagster/data_version"]
    assert back.asset_events[0].tags["dagster/data_version"] == version_a
    assert tick(back.cursor, instance).run_requests == []


def test_a_failed_build_is_retried_once_then_left_to_the_schedule(sources, instance):
    first = tick(None, instance)
    waiting = tick(first.cursor, instance)  # the run is not launched yet: nothing to retry
    assert waiting.run_requests == []
    cursor = waiting.cursor or first.cursor
    failed = record_run(instance, first.run_requests[0], dg.DagsterRunStatus.FAILURE)
    retry = tick(cursor, instance)
    assert len(retry.run_requests) == 1
    request = retry.run_requests[0]
    assert request.run_key != first.run_requests[0].run_key
    assert request.tags["plandata/retry_of"] == failed.run_id
    assert request.tags["plandata/sources"] == first.run_requests[0].tags["plandata/sources"]
    assert tick(retry.cursor, instance).run_requests == []  # the retry has not run yet
    record_run(instance, request, dg.DagsterRunStatus.FAILURE)
    gave_up = tick(retry.cursor, instance)
    assert gave_up.run_requests == [] and "daily schedule" in gave_up.skip_message
    assert tick(gave_up.cursor, instance).run_requests == []


@pytest.mark.parametrize("status", [dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.CANCELED])
def test_a_successful_or_cancelled_build_is_not_retried(sources, instance, status):
    first = tick(None, instance)
    record_run(instance, first.run_requests[0], status)
    after = tick(first.cursor, instance)
    assert after.run_requests == []
    assert json.loads(after.cursor)["pending"] is None  # settled: no more look-ups


def test_a_reset_cursor_never_reuses_a_run_key(sources, instance):
    first = tick(None, instance)
    record_run(instance, first.run_requests[0], dg.DagsterRunStatus.SUCCESS)
    again = tick(None, instance)  # the operator reset the sensor's cursor
    key = again.run_requests[0].run_key
    assert key != first.run_requests[0].run_key
    assert not instance.get_runs(filters=dg.RunsFilter(tags={"dagster/run_key": key}))


def test_a_cursor_of_the_previous_format_is_migrated_without_a_rebuild(sources, instance):
    files = {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
             for path in (sources / NOTICE.name, sources / "units.csv", sources / "unit_aliases.csv")}
    old_fingerprint = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()
    old_cursor = json.dumps({"fingerprint": old_fingerprint, "files": files}, sort_keys=True)
    migrated = tick(old_cursor, instance)
    assert migrated.run_requests == []
    assert json.loads(migrated.cursor)["files"] == files
    set_date(sources, DATE_B)
    edited = tick(migrated.cursor, instance)
    assert len(edited.run_requests) == 1 and edited.run_requests[0].run_key != old_fingerprint
    assert observed(edited) == [NOTICE_SOURCES]


def test_a_notice_removed_after_a_cursor_of_the_previous_format_is_observed_in_its_shard(sources, instance):
    (sources / "copy-1.txt").write_bytes(NOTICE.read_bytes())  # sha256("copy-1") starts with 1
    files = {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sources.iterdir()}
    old_fingerprint = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()
    (sources / "copy-1.txt").unlink()
    removed = tick(json.dumps({"fingerprint": old_fingerprint, "files": files}), instance)
    assert len(removed.run_requests) == 1 and observed(removed) == ["sources_1"]


def test_an_unreadable_cursor_starts_afresh(sources, instance):
    assert len(tick("not json{", instance).run_requests) == 1


def test_only_files_whose_stat_changed_are_hashed_and_never_read_whole(sources, instance, monkeypatch):
    first = tick(None, instance)
    hashed = []
    stream = automation.stream_sha256
    monkeypatch.setattr(automation, "stream_sha256", lambda path: hashed.append(path.name) or stream(path))
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"read_bytes({self.name}) in a tick"))
    assert tick(first.cursor, instance).run_requests == [] and hashed == []
    units = sources / "units.csv"
    os.utime(units, ns=(units.stat().st_atime_ns, units.stat().st_mtime_ns + 10**9))  # touched, same bytes
    touched = tick(first.cursor, instance)
    assert hashed == ["units.csv"] and touched.run_requests == []
    assert tick(touched.cursor, instance).run_requests == [] and hashed == ["units.csv"]
    # New bytes of the same size under the old mtime (as unzip or cp -p write them): still seen.
    notice = sources / NOTICE.name
    before = notice.stat()
    with open(notice, "r+b") as handle:
        head = handle.read(3)
        handle.seek(0)
        handle.write(head[:2] + bytes([head[2] ^ 1]))
    os.utime(notice, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert notice.stat().st_size == before.st_size and notice.stat().st_mtime_ns == before.st_mtime_ns
    changed = tick(touched.cursor, instance)
    assert len(changed.run_requests) == 1 and hashed == ["units.csv", NOTICE.name]


def test_a_large_file_is_hashed_by_streaming(sources, instance):
    with open(sources / "large.txt", "wb") as handle:
        handle.truncate(64 << 20)  # sparse
    tracemalloc.start()
    try:
        result = tick(None, instance)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert json.loads(result.cursor)["files"]["large.txt"] == hashlib.sha256(bytes(64 << 20)).hexdigest()
    assert peak < 32 << 20, peak


def test_unreadable_sources_skip_the_tick_with_one_line_naming_the_file(sources, instance, tmp_path):
    (tmp_path / "outside.txt").write_bytes(NOTICE.read_bytes())
    (sources / "linked.txt").symlink_to(tmp_path / "outside.txt")
    result = tick(None, instance)
    assert result.run_requests == [] and "linked.txt: symbolic link to" in result.skip_message


@pytest.mark.parametrize("value", ["6", "25:00", "6:61", "06:00:00", "noon", ""])
def test_a_malformed_daily_time_keeps_the_code_location_loading(monkeypatch, caplog, value):
    monkeypatch.setenv("PLANDATA_DAILY_AT", value)
    job = build_release_job
    with caplog.at_level(logging.WARNING, logger="pipeline.orchestration.automation"):
        sensor, daily = automation.build_automation(job)
    assert daily.cron_schedule == "0 6 * * *" and sensor.name == "sources_changed"
    warning = f"PLANDATA_DAILY_AT={value!r} is not a time HH:MM"
    assert any(warning in record.getMessage() for record in caplog.records)
    assert warning in daily.description
    dg.Definitions(jobs=[job], sensors=[sensor], schedules=[daily]).resolve_schedule_def("daily_rebuild")


@pytest.mark.parametrize("value, cron", [("21:30", "30 21 * * *"), ("7:05", "5 7 * * *"), (" 00:00 ", "0 0 * * *")])
def test_a_well_formed_daily_time_is_used_without_warning(monkeypatch, caplog, value, cron):
    monkeypatch.setenv("PLANDATA_DAILY_AT", value)
    with caplog.at_level(logging.WARNING, logger="pipeline.orchestration.automation"):
        _, daily = automation.build_automation(build_release_job)
    assert daily.cron_schedule == cron and not caplog.records and "Warning" not in daily.description
