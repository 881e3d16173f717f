"""The Dagster side: definitions load, assets carry metadata, blocking checks stop publishing."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from pipeline.orchestration.assets import PlanBuild
from pipeline.orchestration.definitions import ALL_ASSETS, ALL_CHECKS, defs
from pipeline.errors import PlanDataError
from pipeline.orchestration.run import run_build
from conftest import NOTICE, SOURCES, copy_sources

QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def test_definitions_resolve():
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert {"sections", "tasks", "assignments", "plan_database", "release_files", "release"} <= keys
    assert defs.resolve_job_def("build_release") is not None


@pytest.mark.subprocess
def test_dagster_cli_validates_definitions():
    dagster = Path(sys.executable).with_name("dagster")
    result = subprocess.run([str(dagster), "definitions", "validate", "-m", "pipeline.orchestration.definitions"],
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "DAGSTER_HOME": ""})
    assert result.returncode == 0, result.stderr[-2000:]


def test_materialize_in_process_with_metadata(tmp_path):
    result = dg.materialize([*ALL_ASSETS, *ALL_CHECKS], run_config=QUIET,
                            resources={"plan_build": PlanBuild(sources_dir=str(SOURCES),
                                                               outputs_dir=str(tmp_path))})
    assert result.success
    materializations = {m.asset_key.to_user_string(): m for m in
                        result.asset_materializations_for_node("notice_tables")}
    sections = materializations["sections"].metadata
    assert sections["dagster/row_count"].value == 91
    assert [c.name for c in sections["dagster/column_schema"].value.columns][:3] == ["doc_id", "section_id", "parent_id"]
    preview = sections["preview"].value.splitlines()
    assert preview[0].startswith("| doc\\_id | section\\_id |") and len(preview) == 2 + 10
    assert "| 总体要求 |" in preview[2]
    assert materializations["assignments"].metadata["dagster/row_count"].value == 533
    findings = materializations["findings"].metadata
    assert findings["kind/misprinted_label"].value == 1 and findings["kind/alias_used"].value == 2
    assert findings["severity/warning"].value == 1 and "severity/error" not in findings
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {"no_error_findings": True, "release_files_valid": True}
    assert (tmp_path / "latest" / "datapackage.json").is_file()


def test_failed_check_publishes_nothing(built_release, tmp_path):
    outputs = tmp_path / "outputs"
    shutil.copytree(built_release, outputs, symlinks=True)
    before = os.readlink(outputs / "latest")
    listing = sorted(p.name for p in (outputs / "releases").iterdir())
    text = NOTICE.read_text(encoding="utf-8").replace("牵头单位：市纪委、市委组织部、市委宣传部\n协办单位：市直机关工委、市文广",
                                                       "牵头单位：市纪委、市委组织部、市委宣传部\n主办单位：市直机关工委、市文广", 1)
    sources = copy_sources(tmp_path / "bad", text)
    with pytest.raises(PlanDataError) as error:
        run_build(sources, outputs)
    message = str(error.value)
    assert "no_error_findings" in message and "unknown_label" in message
    assert f"{NOTICE.name}:23" in message and "\n" not in message
    assert os.readlink(outputs / "latest") == before
    assert sorted(p.name for p in (outputs / "releases").iterdir()) == listing
    assert not list(outputs.glob(".staging-*"))


def test_rebuild_of_unchanged_sources_adds_no_release(built_release, tmp_path):
    outputs = tmp_path / "outputs"
    shutil.copytree(built_release, outputs, symlinks=True)
    first = os.readlink(outputs / "latest")
    second = run_build(SOURCES, outputs)
    assert not second.new
    assert Path(first).name == second.release_id
    assert sorted(p.name for p in (outputs / "releases").iterdir()) == [
        ".fingerprints.json", second.release_id, "index.json", "published.log"]
