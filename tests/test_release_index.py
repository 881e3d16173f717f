"""The release directories are the authority: index.json is rebuilt from them, nothing in releases/ is deleted,
what is not a complete, published release goes to the quarantine, and sequence numbers are never reused."""
from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from conftest import table_file


sys.path.insert(0, str(Path(__file__).resolve().parent))  # works whether or not tests/ is a package
from release_helpers import (assert_latest_complete, build, copy_outputs, index_of, junk, published,  # noqa: E402
                             snapshot, templates)

from pipeline.errors import PlanDataError  # noqa: E402
from pipeline.publish.release import build_lock, next_sequence, read_index, release_problem  # noqa: E402


@pytest.fixture()
def two_releases(tmp_path) -> Path:
    """0001-A, then 0002-B (latest)."""
    return copy_outputs(published("a", "b"), tmp_path / "outputs")


def _ids(outputs: Path) -> list[str]:
    return sorted(p.name for p in (outputs / "releases").iterdir() if not p.name.startswith(".") and p.is_dir())


def _without_built_at(index: dict) -> dict:
    return {**index, "releases": [{k: v for k, v in e.items() if k != "built_at"} for e in index["releases"]]}


@pytest.mark.parametrize("damage", ["deleted", "emptied", "no-releases", "corrupt", "not-utf8"])
def test_a_lost_index_is_rebuilt_and_no_release_is_deleted(two_releases, damage):
    outputs = two_releases
    index_path = outputs / "releases" / "index.json"
    original = index_of(outputs)
    before = {name: snapshot(outputs / "releases" / name) for name in _ids(outputs)}
    damaged = {"deleted": None, "emptied": b"", "no-releases": b'{"releases": []}\n',
               "corrupt": b'{"releases": [{"release_id": "0001-', "not-utf8": b"\xff\xfe{"}[damage]
    if damaged is None:
        index_path.unlink()
    else:
        index_path.write_bytes(damaged)

    result, repairs = build(outputs, templates()[1])
    assert not result.new and result.release_id == original["latest"]
    assert {name: snapshot(outputs / "releases" / name) for name in _ids(outputs)} == before
    rebuilt = index_of(outputs)
    assert _without_built_at(rebuilt) == _without_built_at(original)
    assert rebuilt["releases"][1]["previous"] == rebuilt["releases"][0]["release_id"]
    if damage in ("emptied", "corrupt", "not-utf8"):
        # The unreadable index is kept, not overwritten.
        assert (outputs / "releases" / ".quarantine" / "index.json").read_bytes() == damaged
        assert any(str(index_path) in line and "could not be read" in line for line in repairs)
    assert junk(outputs) == []


def test_a_corrupt_index_is_a_one_line_error_naming_it(tmp_path):
    (tmp_path / "releases").mkdir()
    (tmp_path / "releases" / "index.json").write_text('{"releases": [', encoding="utf-8")
    with pytest.raises(PlanDataError) as raised:
        read_index(tmp_path)
    message = str(raised.value)
    assert message.startswith(f"{tmp_path / 'releases' / 'index.json'}: cannot read the release index")
    assert "JSONDecodeError" not in message and "\n" not in message


def _corrupt_copy(source: Path, target: Path, how: str) -> None:
    shutil.copytree(source, target)
    for path in [target, *target.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    if how == "changed-byte":
        path = table_file(target, "tasks", "csv")
        path.write_bytes(path.read_bytes().replace("市纪委".encode(), "市纪检".encode(), 1))
    elif how == "missing-file":
        (target / "quality.md").unlink()
    elif how == "unlisted-file":
        (target / "extra.txt").write_text("x", encoding="utf-8")
    elif how == "no-checksums":
        (target / "SHA256SUMS").unlink()
    elif how == "no-datapackage":
        (target / "datapackage.json").unlink()


@pytest.mark.parametrize(("how", "words"), [("changed-byte", "csv/tasks.csv does not match SHA256SUMS"),
                                            ("missing-file", "missing: ['quality.md']"),
                                            ("unlisted-file", "unlisted: ['extra.txt']"),
                                            ("no-checksums", "no SHA256SUMS"),
                                            ("no-datapackage", "no datapackage.json"),
                                            ("renamed", "is not the hash in its name")])
def test_what_is_not_a_complete_release(two_releases, tmp_path, how, words):
    first = _ids(two_releases)[0]
    name = "0001-deadbeef" if how == "renamed" else first
    _corrupt_copy(two_releases / "releases" / first, tmp_path / name, how)
    assert words in release_problem(tmp_path / name)
    assert release_problem(two_releases / "releases" / first) is None


def test_incomplete_directories_are_quarantined_without_overwriting_but_a_published_one_stays(two_releases):
    outputs = two_releases
    releases = outputs / "releases"
    first, second = _ids(outputs)
    latest_files = snapshot(releases / second)
    os.chmod(releases / first, 0o755)
    (releases / first / "SHA256SUMS").chmod(0o644)
    (releases / first / "SHA256SUMS").unlink()  # an earlier release damaged by hand
    first_files = snapshot(releases / first)
    (releases / "notes").mkdir()  # not a release at all
    (releases / "notes" / "todo.txt").write_text("x", encoding="utf-8")
    (releases / ".quarantine").mkdir()
    (releases / ".quarantine" / "notes").mkdir()  # already taken: the new one must not overwrite it
    result, repairs = build(outputs, templates()[1])
    assert not result.new and result.release_id == second
    box = releases / ".quarantine"
    assert sorted(p.name for p in box.iterdir()) == sorted(["notes", "notes~2"])
    assert (box / "notes~2" / "todo.txt").read_text(encoding="utf-8") == "x"
    # Published, so left where it is, as it is; the index says what is wrong with it.
    assert _ids(outputs) == [first, second] and snapshot(releases / first) == first_files
    assert snapshot(releases / second) == latest_files
    assert [entry.get("damaged") for entry in index_of(outputs)["releases"]] == [["SHA256SUMS"], None]
    assert len(repairs) == 1 and "moved" in repairs[0]
    assert repairs.damage == [f"{releases / first / 'SHA256SUMS'}: missing or unreadable"]


def test_a_release_never_made_latest_is_quarantined_and_its_number_not_reused(two_releases):
    """A build killed between the rename into releases/ and the switch of latest left it there."""
    outputs = two_releases
    first, second = _ids(outputs)
    orphan = "0003-" + second.split("-")[1]
    shutil.copytree(outputs / "releases" / second, outputs / "releases" / orphan)
    result, repairs = build(outputs, templates()[1])
    assert not result.new and result.release_id == second
    assert _ids(outputs) == [first, second]
    assert (outputs / "releases" / ".quarantine" / orphan / "SHA256SUMS").is_file()
    assert any("never made latest" in line for line in repairs)
    back, _ = build(outputs, templates()[0])
    assert back.new and back.release_id.startswith("0004-")


def test_latest_deleted_by_hand_is_repaired_with_a_new_number(two_releases):
    outputs = two_releases
    first, second = _ids(outputs)
    shutil.rmtree(outputs / "releases" / second)  # latest now names a release that is gone
    before = snapshot(outputs / "releases" / first)
    result, repairs = build(outputs, templates()[1])
    assert result.new and result.release_id == "0003-" + second.split("-")[1]
    assert assert_latest_complete(outputs) == result.release_id
    assert any(second in line and "not in releases/" in line for line in repairs)
    index = index_of(outputs)
    assert [entry["release_id"] for entry in index["releases"]] == [first, result.release_id]
    assert index["missing"] == [second]
    # The change log is against the newest release still present.
    assert index["releases"][1]["previous"] == first
    assert index["releases"][1]["changes"] == {"document metadata_changed": 1}
    assert snapshot(outputs / "releases" / first) == before
    # The index remembers the missing number even with latest and the directory gone.
    (outputs / "latest").unlink()
    shutil.rmtree(outputs / "releases" / result.release_id)
    again, _ = build(outputs, templates()[0])
    assert again.release_id.startswith("0004-")


@pytest.mark.parametrize("where", ["releases", "quarantine", "latest", "index", "index-missing"])
def test_next_sequence_is_one_past_the_highest_anywhere(tmp_path, where):
    releases = tmp_path / "releases"
    (releases / "0002-aaaaaaaa").mkdir(parents=True)
    (releases / ".quarantine").mkdir()
    (releases / ".quarantine" / "0003-bbbbbbbb~2").mkdir()
    os.symlink("releases/0002-aaaaaaaa", tmp_path / "latest")
    index = {"releases": [{"release_id": "0002-aaaaaaaa"}], "latest": "0002-aaaaaaaa", "missing": ["0001-cccccccc"]}
    high = "10041-dddddddd"
    if where == "releases":
        (releases / high).mkdir()
    elif where == "quarantine":
        (releases / ".quarantine" / f"{high}~3").mkdir()
    elif where == "latest":
        (tmp_path / "latest").unlink()
        os.symlink(f"releases/{high}", tmp_path / "latest")
    elif where == "index":
        index["releases"].append({"release_id": high})
    else:
        index["missing"].append(high)
    (releases / "index.json").write_text(json.dumps(index), encoding="utf-8")
    assert next_sequence(tmp_path) == 10042


def test_numbers_keep_increasing_past_9999(tmp_path):
    outputs = tmp_path / "outputs"
    (outputs / "releases").mkdir(parents=True)
    first = published("a")
    [name] = [p.name for p in (first / "releases").iterdir() if p.is_dir()]
    top = "9999-" + name.split("-")[1]
    shutil.copytree(first / "releases" / name, outputs / "releases" / top)
    os.symlink(f"releases/{top}", outputs / "latest")
    result, _ = build(outputs, templates()[1])
    assert result.release_id.startswith("10000-")
    back, _ = build(outputs, templates()[0])
    assert back.release_id.startswith("10001-")
    index = index_of(outputs)
    assert [e["release_id"] for e in index["releases"]] == [top, result.release_id, back.release_id]
    assert [e["previous"] for e in index["releases"]] == [None, top, result.release_id]


def test_a_leftover_index_tmp_file_is_removed_under_the_lock(two_releases):
    leftover = two_releases / "releases" / ".index.json.4242.tmp"
    leftover.write_text("{", encoding="utf-8")
    with build_lock(two_releases):
        assert not leftover.exists()


@pytest.mark.parametrize("latest", ["directory", "file", "link-outside", "link-to-non-release", "link-up"])
def test_latest_that_builds_did_not_make_is_refused_before_any_work(two_releases, latest):
    outputs = two_releases
    link = outputs / "latest"
    link.unlink()
    if latest == "directory":
        link.mkdir()
        (link / "mine.txt").write_text("keep", encoding="utf-8")
    elif latest == "file":
        link.write_text("keep", encoding="utf-8")
    else:
        os.symlink({"link-outside": "/tmp", "link-to-non-release": "releases/index.json",
                    "link-up": "releases/../releases/0001-aaaaaaaa"}[latest], link)
    before = snapshot(outputs)
    with pytest.raises(PlanDataError) as raised:
        with build_lock(outputs):
            raise AssertionError("the lock was taken")
    assert str(raised.value).startswith(f"{link}: ") and "\n" not in str(raised.value)
    assert snapshot(outputs) == before


def test_outputs_that_is_a_file_is_refused(tmp_path):
    outputs = tmp_path / "outputs"
    outputs.write_text("not a directory", encoding="utf-8")
    with pytest.raises(PlanDataError) as raised:
        with build_lock(outputs):
            raise AssertionError("the lock was taken")
    assert str(raised.value) == f"{outputs}: the outputs path is not a directory"


@pytest.mark.parametrize("wait", [float("nan"), float("inf"), -1.0])
def test_a_lock_wait_that_is_not_a_finite_number_is_refused(tmp_path, wait):
    with pytest.raises(PlanDataError, match="finite number of seconds"):
        with build_lock(tmp_path / "outputs", wait):
            raise AssertionError("the lock was taken")
    assert not (tmp_path / "outputs").exists()
