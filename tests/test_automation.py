"""Rebuilds on change: sensor ticks in-process, the daily schedule, and an amend-and-rebuild round trip."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil

import dagster as dg
import pytest

from pipeline.orchestration import automation
from pipeline.orchestration.definitions import defs
from pipeline.orchestration.run import run_build
from conftest import NOTICE, copy_sources


@pytest.fixture()
def sources(tmp_path, monkeypatch):
    directory = copy_sources(tmp_path / "sources")
    monkeypatch.setenv("PLANDATA_SOURCES", str(directory))
    return directory


def tick(cursor):
    sensor = defs.resolve_sensor_def("sources_changed")
    with dg.instance_for_test() as instance:
        return sensor.evaluate_tick(dg.build_sensor_context(cursor=cursor, instance=instance))


def group_version(files: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(sorted([name, sha] for name, sha in files.items())).encode()).hexdigest()


def test_sensor_runs_once_per_change_and_keeps_its_cursor(sources):
    first = tick(None)
    assert len(first.run_requests) == 1
    versions = {o.asset_key.to_user_string(): o.tags["dagster/data_version"] for o in first.asset_events}
    assert set(versions) == {f"sources_{digit}" for digit in "0123456789abcdef"} | {"registry_sources"}
    files = json.loads(first.cursor)["files"]
    # The notice's doc_id taizhou-anticorruption-2008-2012 hashes (sha256) to shard d; the other shards are empty.
    assert versions["sources_d"] == group_version({NOTICE.name: files[NOTICE.name]})
    assert versions["registry_sources"] == group_version({n: files[n] for n in ("units.csv", "unit_aliases.csv")})
    assert versions["sources_0"] == versions["sources_f"] == group_version({})
    unchanged = tick(first.cursor)
    assert unchanged.run_requests == [] and unchanged.cursor in (None, first.cursor)
    notice = sources / NOTICE.name
    notice.write_text(notice.read_text(encoding="utf-8").replace("2008年8月11日", "2008年9月1日"), encoding="utf-8")
    edited = tick(first.cursor)
    assert len(edited.run_requests) == 1
    assert edited.run_requests[0].run_key != first.run_requests[0].run_key
    assert [o.asset_key.to_user_string() for o in edited.asset_events] == ["sources_d"]
    assert tick(edited.cursor).run_requests == []


def test_sensor_and_schedule_start_running():
    assert defs.resolve_sensor_def("sources_changed").default_status == dg.DefaultSensorStatus.RUNNING
    schedule = defs.resolve_schedule_def("daily_rebuild")
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert schedule.execution_timezone == "Asia/Shanghai"
    assert schedule.job_name == "build_release"


def test_daily_time_comes_from_config(monkeypatch):
    monkeypatch.setenv("PLANDATA_DAILY_AT", "21:30")
    assert automation.daily_cron() == "30 21 * * *"
    monkeypatch.delenv("PLANDATA_DAILY_AT")
    assert automation.daily_cron() == "0 6 * * *"


def test_amend_rebuild_lists_the_edit_and_keeps_both_releases(built_release, tmp_path):
    """Amend a built release's source (issue date and one lead unit), build again, and a third time with no edit."""
    sources = copy_sources(tmp_path / "sources")
    outputs = tmp_path / "outputs"
    shutil.copytree(built_release, outputs, symlinks=True)
    first_id = os.readlink(outputs / "latest").rsplit("/", 1)[-1]
    notice = sources / NOTICE.name
    text = notice.read_text(encoding="utf-8")
    text = text.replace("2008年8月11日", "2008年9月1日")
    text = text.replace("牵头单位：市人大办\n", "牵头单位：市人大办、市监察局\n")  # 四（二）, line 77
    notice.write_text(text, encoding="utf-8")
    second = run_build(sources, outputs)
    assert second.new and second.release_id.startswith("0002-")
    assert os.readlink(outputs / "latest") == f"releases/{second.release_id}"
    assert (outputs / "releases" / first_id / "datapackage.json").is_file()
    rows = list(csv.DictReader(io.StringIO((outputs / "latest" / "changes.csv").read_text(encoding="utf-8"))))
    got = sorted((r["entity"], r["change"], r["old_id"], r["new_id"]) for r in rows)
    assert got == sorted([
        ("document", "metadata_changed", "taizhou-anticorruption-2008-2012", "taizhou-anticorruption-2008-2012"),
        ("assignment", "added", "", "4.2/lead/市监察局"),
        ("task", "units_changed", "4.2", "4.2"),
    ])
    detail = {r["entity"]: r["detail"] for r in rows}
    assert "2008-08-11" in detail["document"] and "2008-09-01" in detail["document"]
    assert "市监察局" in detail["task"]
    third = run_build(sources, outputs)
    assert not third.new and third.release_id == second.release_id
    index = json.loads((outputs / "releases" / "index.json").read_text(encoding="utf-8"))
    assert [r["release_id"] for r in index["releases"]] == [first_id, second.release_id]
    assert index["releases"][1]["changes"] == {"assignment added": 1, "document metadata_changed": 1,
                                               "task units_changed": 1}
