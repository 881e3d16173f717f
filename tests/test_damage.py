"""Damage is found, said and repaired (issue 16, defect 2 and the open point on indexed releases).

Root ignores 0444, so a file of a published release can be written; releases share unchanged files
by hard link, so one write damages every release holding that inode. A build must say so, publish a
repaired release under a new number with fresh copies, and leave every damaged release where and as
it is; so must it when index.json is lost (published.log remembers what was published).
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import NOTICE, copy_sources  # noqa: E402
from release_helpers import (assert_complete, build, copy_outputs, index_of, published, snapshot,  # noqa: E402
                             templates)

from pipeline import cli  # noqa: E402
from pipeline.orchestration.automation import REPAIR_TAG, sources_tick  # noqa: E402
from pipeline.orchestration.run import run_build  # noqa: E402

SHARED = "texts/taizhou-anticorruption-2008-2012.txt"  # the bundled notice's text, unchanged between the two builds below


def _releases(outputs: Path) -> list[str]:
    return sorted(p.name for p in (outputs / "releases").iterdir() if p.is_dir() and not p.name.startswith("."))


@pytest.fixture()
def shared_inode(tmp_path):
    """0001: the bundled notice and copy-1; 0002: copy-1 amended, shard d linked from 0001."""
    sources = copy_sources(tmp_path / "sources")
    text = NOTICE.read_text(encoding="utf-8")
    (sources / "copy-1.txt").write_text(text.replace("2008年8月11日", "2008年8月12日"), encoding="utf-8")
    outputs = tmp_path / "outputs"
    run_build(sources, outputs)
    (sources / "copy-1.txt").write_text(text.replace("2008年8月11日", "2008年8月13日"), encoding="utf-8")
    second = run_build(sources, outputs)
    first = _releases(outputs)[0]
    assert os.stat(outputs / "releases" / first / SHARED).st_ino == os.stat(second.release_dir / SHARED).st_ino
    return sources, outputs, first, second.release_id


def test_a_byte_appended_to_a_shared_file_of_latest_is_reported_and_repaired(shared_inode, capsys):
    sources, outputs, first, second = shared_inode
    with open(outputs / "latest" / SHARED, "ab") as handle:  # root: the 0444 mode does not stop it
        handle.write(b"x")
    damaged = {release_id: snapshot(outputs / "releases" / release_id) for release_id in (first, second)}
    cursor = sources_tick(None, sources).cursor  # the sensor has seen these sources
    request = sources_tick(cursor, sources, None, outputs).run_requests[0]
    assert request.tags[REPAIR_TAG] == second

    assert cli.main(["build", "--sources", str(sources), "--outputs", str(outputs)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert [line for line in printed if line.startswith("Damaged: ")] == [
        f"Damaged: {outputs / 'releases' / release_id / SHARED}: does not match SHA256SUMS"
        for release_id in (first, second)]
    repaired = _releases(outputs)[-1]
    assert f"New release {repaired}" in printed
    # Same content, so the same hash; a new number, and latest switched to it.
    assert repaired.startswith("0003-") and repaired.split("-")[1] == second.split("-")[1]
    assert (outputs / "latest").resolve().name == repaired
    release = outputs / "releases" / repaired
    assert_complete(release)
    assert os.stat(release / SHARED).st_ino != os.stat(outputs / "releases" / second / SHARED).st_ino
    assert not (outputs / "releases" / ".quarantine").exists()
    assert {release_id: snapshot(outputs / "releases" / release_id) for release_id in (first, second)} == damaged
    entries = {entry["release_id"]: entry.get("damaged") for entry in index_of(outputs)["releases"]}
    assert entries == {first: [SHARED], second: [SHARED], repaired: None}
    quality = (release / "quality.md").read_text(encoding="utf-8")
    assert f"releases/{second}/{SHARED} no longer matches its SHA256SUMS" in quality
    # Repaired: the sensor rests, and the next build publishes nothing.
    assert not getattr(sources_tick(cursor, sources, None, outputs), "run_requests", None)
    assert not run_build(sources, outputs).new


def test_a_changed_byte_of_an_indexed_release_is_caught_and_the_release_left_in_place(tmp_path):
    outputs = copy_outputs(published("a", "b"), tmp_path / "outputs")
    first, second = _releases(outputs)
    path = next(p for p in sorted((outputs / "releases" / first).rglob("*.csv")) if os.stat(p).st_nlink == 1)
    data = bytearray(path.read_bytes())
    data[-2] = ord("#") if data[-2] != ord("#") else ord("%")  # same size, one byte changed
    path.write_bytes(bytes(data))
    name = path.relative_to(outputs / "releases" / first).as_posix()
    before = snapshot(outputs / "releases" / first)

    result, repairs = build(outputs, templates()[1])
    assert not result.new and result.release_id == second  # latest is intact: nothing to repair
    assert repairs.damage == [f"{path}: does not match SHA256SUMS"]
    assert [entry.get("damaged") for entry in index_of(outputs)["releases"]] == [[name], None]
    assert snapshot(outputs / "releases" / first) == before

    (outputs / "releases" / "index.json").unlink()  # lost: published.log still says 0001 was published
    result, repairs = build(outputs, templates()[1])
    assert _releases(outputs) == [first, second] and snapshot(outputs / "releases" / first) == before
    assert not (outputs / "releases" / ".quarantine").exists()
    assert repairs.damage == [f"{path}: does not match SHA256SUMS"]
    assert [entry.get("damaged") for entry in index_of(outputs)["releases"]] == [[name], None]


def test_the_check_hashes_only_what_changed_since_its_fingerprint(tmp_path, monkeypatch):
    from pipeline.publish import damage

    outputs = copy_outputs(published("a", "b"), tmp_path / "outputs")
    build(outputs, templates()[1])  # a copied tree has new inodes: fingerprints taken again
    hashed = []
    real = damage.sha256_file
    monkeypatch.setattr(damage, "sha256_file", lambda path: hashed.append(path) or real(path))
    build(outputs, templates()[1])
    assert hashed == []
    touched = outputs / "latest" / "quality.md"
    os.utime(touched, ns=(0, 0))
    build(outputs, templates()[1])
    assert hashed == [outputs / "releases" / _releases(outputs)[1] / "quality.md"]
    (outputs / "releases" / ".fingerprints.json").unlink()  # the cache lost: everything hashed again
    hashed.clear()
    build(outputs, templates()[1])
    files = sum(len((outputs / "releases" / r / "SHA256SUMS").read_text().splitlines()) for r in _releases(outputs))
    assert len(hashed) == files


def test_verify_hashes_every_release_and_fails_on_damage(tmp_path, capsys):
    outputs = copy_outputs(published("a", "b"), tmp_path / "outputs")
    assert cli.main(["verify", "--outputs", str(outputs)]) == 0
    assert capsys.readouterr().out.startswith("verified 2 release(s), ")
    path = outputs / "latest" / "quality.md"
    os.utime(path, ns=(0, 0))
    stat = os.stat(path)
    data = path.read_bytes()
    path.write_bytes(data[:-1] + (b"?" if data[-1:] != b"?" else b"!"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # a fingerprint would not see it; verify hashes
    assert cli.main(["verify", "--outputs", str(outputs)]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [f"Damaged: {outputs / 'releases' / _releases(outputs)[1] / 'quality.md'}: "
                                         "does not match SHA256SUMS"]
    assert captured.err.startswith("error: 1 damaged file(s) in 2 release(s)")
    assert json.loads((outputs / "releases" / "index.json").read_text(encoding="utf-8"))  # verify changes nothing


def test_a_full_disk_at_the_published_log_says_so_and_the_next_build_records_the_release(tmp_path, monkeypatch):
    import errno

    from pipeline.errors import PlanDataError
    from pipeline.publish import release
    from pipeline.publish.published_log import events, log_path

    outputs = copy_outputs(published("a"), tmp_path / "outputs")
    build(outputs, templates()[0])  # the log is written for the release published before it existed
    real = release.published_log.append

    def full(outputs_dir, event, release_id, **fields):
        raise OSError(errno.ENOSPC, "No space left on device", str(log_path(outputs_dir)))

    monkeypatch.setattr(release.published_log, "append", full)
    with pytest.raises(PlanDataError) as raised:
        build(outputs, templates()[1])
    second = _releases(outputs)[1]
    assert str(raised.value) == (f"published {second} and switched latest, but writing {log_path(outputs)} failed: "
                                 f"No space left on device: {log_path(outputs)}; the next build records it")
    monkeypatch.setattr(release.published_log, "append", real)
    build(outputs, templates()[1])
    assert [(e["event"], e["release_id"]) for e in events(outputs)] == [
        ("published", _releases(outputs)[0]), ("published", second)]
    assert [entry["release_id"] for entry in index_of(outputs)["releases"]] == _releases(outputs)


def test_an_unchanged_shard_is_linked_without_reading_the_previous_releases_files(shared_inode, monkeypatch):
    from pipeline.publish import reuse

    sources, outputs, first, second = shared_inode
    read = []
    real = reuse.sha256_file
    monkeypatch.setattr(reuse, "sha256_file", lambda path: read.append(path) or real(path))
    text = NOTICE.read_text(encoding="utf-8")
    (sources / "copy-1.txt").write_text(text.replace("2008年8月11日", "2008年8月14日"), encoding="utf-8")
    third = run_build(sources, outputs)
    assert os.stat(third.release_dir / SHARED).st_ino == os.stat(outputs / "releases" / second / SHARED).st_ino
    assert read == []  # fingerprints matched: linked on their word
    with open(outputs / "latest" / SHARED, "ab") as handle:
        handle.write(b"x")
    (sources / "copy-1.txt").write_text(text.replace("2008年8月11日", "2008年8月15日"), encoding="utf-8")
    fourth = run_build(sources, outputs)
    assert os.stat(fourth.release_dir / SHARED).st_ino != os.stat(third.release_dir / SHARED).st_ino
    assert_complete(fourth.release_dir)
