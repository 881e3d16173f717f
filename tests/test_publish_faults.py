"""Whole builds (Dagster, CLI) that fail while publishing: one line that says exactly what was published.

Two full builds only (the blocking check, the index write after the switch); the
other faults stop the run in its first step or before it.
"""
from __future__ import annotations

import errno
import os
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # works whether or not tests/ is a package
from conftest import table_file, SOURCES  # noqa: E402
from release_helpers import (assert_latest_complete, copy_outputs, index_of, junk, published,  # noqa: E402
                             snapshot)

import pipeline.orchestration.assets as assets  # noqa: E402
from pipeline import cli  # noqa: E402
from pipeline.errors import PlanDataError  # noqa: E402
from pipeline.publish import release, release_index  # noqa: E402
from pipeline.orchestration.run import run_build  # noqa: E402


def _one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Error" not in lines[0] and "Traceback" not in lines[0], lines[0]
    return lines[0]


def assert_unchanged_but_the_lock(outputs: Path, before: dict) -> None:
    """Nothing published or left behind; the lock's mtime and the parse cache (it may have
    gained the notices parsed before the failure: a cache, not a release) aside, and so the
    releases' fingerprints (a copied outputs folder has new inodes: a cache, rewritten)."""
    def kept(path: str) -> bool:
        return not path.startswith(".cache") and path not in ("releases/.fingerprints.json", "releases")

    after = {path: entry for path, entry in snapshot(outputs).items() if kept(path)}
    before = {path: entry for path, entry in before.items() if kept(path)}
    assert after.pop(".lock")[0] == before.pop(".lock")[0]  # taken and released: only its mtime changes
    assert after == before


def test_a_corrupted_data_file_in_staging_fails_the_blocking_check(tmp_path, monkeypatch):
    outputs = copy_outputs(published("a"), tmp_path / "outputs")
    before = snapshot(outputs)
    real = assets.write_descriptor

    def write_then_corrupt(staging, descriptor):
        path = real(staging, descriptor)
        target = table_file(staging, "tasks", "csv")
        target.write_bytes(target.read_bytes().replace("市纪委".encode(), "市纪检".encode(), 1))
        return path

    monkeypatch.setattr(assets, "write_descriptor", write_then_corrupt)
    with pytest.raises(PlanDataError) as raised:
        run_build(SOURCES, outputs)
    message = _one_line(str(raised.value))
    assert message.startswith("check release_files_valid failed, nothing published: ")
    assert "csv/tasks.csv: hash sha256:" in message and "differs from datapackage.json" in message
    assert_unchanged_but_the_lock(outputs, before)  # nothing published, no staging left


def test_an_index_write_failing_after_the_switch_says_the_release_was_published(tmp_path, monkeypatch):
    outputs = tmp_path / "outputs"

    def write_atomic(path, text):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(release_index, "_write_atomic", write_atomic)
    with pytest.raises(PlanDataError) as raised:
        run_build(SOURCES, outputs)
    message = _one_line(str(raised.value))
    published_id = assert_latest_complete(outputs)
    assert published_id.startswith("0001-")
    assert message == (f"published {published_id} and switched latest, but writing {outputs}/releases/index.json "
                       f"failed: No space left on device: {outputs}/releases/index.json; "
                       "the next build repairs the index")
    assert "nothing published" not in message
    assert junk(outputs) == [] and not (outputs / "releases" / "index.json").exists()
    monkeypatch.undo()
    with release.build_lock(outputs) as repairs:  # what the next build does first
        assert repairs == [f"indexed {published_id}, which index.json did not list"]
    assert index_of(outputs)["latest"] == published_id


def _fail_in_first_step(monkeypatch, fault) -> None:
    def read_registry_files(directory):
        fault()
        raise AssertionError("the fault did not stop the step")
    monkeypatch.setattr(assets, "read_registry_files", read_registry_files)


def _ctrl_c():
    os.kill(os.getpid(), signal.SIGINT)
    for _ in range(200):
        time.sleep(0.05)


def test_ctrl_c_says_the_last_good_release_is_untouched(tmp_path, monkeypatch, capsys):
    outputs = copy_outputs(published("a"), tmp_path / "outputs")
    before = snapshot(outputs)
    latest = os.readlink(outputs / "latest").split("/")[1]
    _fail_in_first_step(monkeypatch, _ctrl_c)
    code = cli.main(["build", "--sources", str(SOURCES), "--outputs", str(outputs)])
    assert code == 130
    line = _one_line(capsys.readouterr().err.splitlines()[-1])
    assert line == f"error: interrupted; the last good release is untouched (latest is {latest})"
    assert_unchanged_but_the_lock(outputs, before)


def test_an_unexpected_exception_in_a_step_is_one_line_without_its_class(tmp_path, monkeypatch):
    def fault():
        raise ValueError("registry row\nwithout a name")
    _fail_in_first_step(monkeypatch, fault)
    with pytest.raises(PlanDataError) as raised:
        run_build(SOURCES, tmp_path / "outputs")
    assert _one_line(str(raised.value)) == ("build failed, nothing published: "
                                            "step shard_0 failed: registry row without a name")


@pytest.mark.parametrize("what", ["latest-directory", "latest-link-elsewhere", "outputs-file"])
def test_outputs_that_builds_did_not_make_are_refused_once_and_left_alone(tmp_path, capsys, what):
    outputs = copy_outputs(published("a"), tmp_path / "outputs")
    latest = outputs / "latest"
    if what == "latest-directory":
        target = os.readlink(latest)
        latest.unlink()
        shutil.copytree(outputs / target, latest)  # someone "fixed" the link with a copy
        named, words = latest, "is a directory, not the symlink"
    elif what == "latest-link-elsewhere":
        latest.unlink()
        os.symlink(str(tmp_path), latest)
        named, words = latest, f"points at {tmp_path}, which is not a release"
    else:
        outputs = tmp_path / "outputs-file"
        outputs.write_text("x", encoding="utf-8")
        named, words = outputs, "the outputs path is not a directory"
    before = snapshot(tmp_path)
    code = cli.main(["build", "--sources", str(SOURCES), "--outputs", str(outputs)])
    line = _one_line(capsys.readouterr().err.splitlines()[-1])
    assert code == 1
    assert line.startswith(f"error: build failed, nothing published: {named}: ") and words in line
    assert snapshot(tmp_path) == before  # no release, no .latest-*, no staging, no lock file


@pytest.mark.parametrize("wait", ["nan", "inf", "-1", "soon"])
def test_wait_must_be_a_finite_number_of_seconds(wait, capsys):
    with pytest.raises(SystemExit) as raised:
        cli.parser().parse_args(["build", "--wait", wait])
    assert raised.value.code == 2
    assert "argument --wait" in capsys.readouterr().err
    assert cli.parser().parse_args(["build", "--wait", "2.5"]).wait == 2.5
