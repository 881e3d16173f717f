"""A build that fails at any step of publishing leaves latest and every release whole; the next build repairs.

Faults are injected in-process at each step of pipeline.publish.release:
after the staging rename, inside the switch (the temporary link made, before
os.replace), before and after the index write. Release A (the bundled notice)
is published; a build of B (its date amended) fails; then B and A are built
again.
"""
from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # works whether or not tests/ is a package
from release_helpers import (assert_complete, assert_latest_complete, build, copy_outputs, index_of,  # noqa: E402
                             junk, published, snapshot, templates)

from pipeline.errors import PlanDataError  # noqa: E402
from pipeline.publish import release, release_index  # noqa: E402


def _fail_switch(outputs, release_id):
    raise RuntimeError("injected fault after the rename")


def _inject(monkeypatch, point: str) -> None:
    if point == "after-rename":
        monkeypatch.setattr(release, "switch_latest", _fail_switch)
    elif point == "inside-switch":
        real_replace = os.replace

        def replace(source, target, **kwargs):
            if Path(source).name.startswith(".latest-"):
                assert os.path.islink(source)  # the temporary link is there
                raise OSError(errno.EIO, "Input/output error", str(target))
            return real_replace(source, target, **kwargs)
        monkeypatch.setattr(os, "replace", replace)
    elif point == "before-index-write":
        def write_atomic(path, text):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        monkeypatch.setattr(release_index, "_write_atomic", write_atomic)
    elif point == "after-index-write":
        real_write = release_index._write_atomic

        def write_atomic(path, text):
            real_write(path, text)
            raise OSError(errno.EIO, "Input/output error", str(path))
        monkeypatch.setattr(release_index, "_write_atomic", write_atomic)


@pytest.fixture()
def outputs_with_a(tmp_path) -> Path:
    return copy_outputs(published("a"), tmp_path / "outputs")


@pytest.mark.parametrize("point", ["after-rename", "inside-switch", "before-index-write", "after-index-write"])
def test_fault_at_each_publish_step(outputs_with_a, monkeypatch, point):
    outputs = outputs_with_a
    template_a, template_b = templates()
    first = assert_latest_complete(outputs)
    first_files = snapshot(outputs / "releases" / first)
    hash_b = _version(template_b)[:8]

    with monkeypatch.context() as patch:
        _inject(patch, point)
        with pytest.raises(PlanDataError) as raised:
            build(outputs, template_b)
    message = str(raised.value)
    assert "\n" not in message and "Error" not in message
    switched = point in ("before-index-write", "after-index-write")
    if switched:
        assert message.startswith(f"published 0002-{hash_b} and switched latest, but writing ")
        assert message.endswith("; the next build repairs the index")
        assert assert_latest_complete(outputs) == f"0002-{hash_b}"
    else:
        assert f"switching latest to 0002-{hash_b} failed" in message
        assert assert_latest_complete(outputs) == first
        # Never published: out of releases/ at once, kept whole in the quarantine.
        assert sorted(p.name for p in (outputs / "releases").iterdir()
                      if p.name not in (".fingerprints.json", "published.log")) == sorted([first, ".quarantine", "index.json"])
        assert_complete(outputs / "releases" / ".quarantine" / f"0002-{hash_b}")
    assert snapshot(outputs / "releases" / first) == first_files
    assert junk(outputs) == []

    again, _ = build(outputs, template_b)  # the next build repairs and continues
    assert again.release_id == (f"0002-{hash_b}" if switched else f"0003-{hash_b}")
    assert again.new is not switched
    assert assert_latest_complete(outputs) == again.release_id
    index = index_of(outputs)
    assert [entry["release_id"] for entry in index["releases"]] == [first, again.release_id]
    assert index["latest"] == again.release_id
    assert index["releases"][1]["previous"] == first
    assert index["releases"][1]["changes"] == {"document metadata_changed": 1}
    assert snapshot(outputs / "releases" / first) == first_files

    back, _ = build(outputs, template_a)  # and a later build never reuses a number
    assert back.release_id == f"{int(again.release_id[:4]) + 1:04d}-{first.split('-')[1]}"
    assert assert_latest_complete(outputs) == back.release_id
    assert snapshot(outputs / "releases" / first) == first_files
    assert junk(outputs) == []


def _version(template: Path) -> str:
    import json

    return json.loads((template / "datapackage.json").read_text(encoding="utf-8"))["version"]


def test_release_is_read_only_and_fsynced_before_it_is_renamed(outputs_with_a, monkeypatch):
    """Every file and directory of staging is fsynced before the rename that publishes it; releases/
    after that rename, OUTPUTS after the switch; the index tmp file before its rename."""
    outputs = outputs_with_a
    events: list[tuple] = []
    real_fsync, real_rename, real_replace = os.fsync, os.rename, os.replace

    def fsync(descriptor):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{descriptor}")))
        return real_fsync(descriptor)

    def rename(source, target):
        events.append(("rename", str(Path(source).resolve()), str(Path(target).resolve())))
        return real_rename(source, target)

    def replace(source, target):
        events.append(("replace", str(Path(source).parent.resolve() / Path(source).name),
                       str(Path(target).parent.resolve() / Path(target).name)))
        return real_replace(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "rename", rename)
    monkeypatch.setattr(os, "replace", replace)
    new, _ = build(outputs, templates()[1])
    monkeypatch.undo()

    root = outputs.resolve()
    target = root / "releases" / new.release_id
    publish = next(i for i, e in enumerate(events) if e[0] == "rename" and e[2] == str(target))
    staging = Path(events[publish][1])
    synced_before = {e[1] for e in events[:publish] if e[0] == "fsync"}
    # A file hard-linked from the previous release (an unchanged unit page) is durable already: seal skips it.
    expected = ({str(staging / p.relative_to(target)) for p in target.rglob("*") if p.is_dir() or p.stat().st_nlink == 1}
                | {str(staging)})
    assert expected - synced_before == set()
    switch = next(i for i, e in enumerate(events) if e[0] == "replace" and e[2] == str(root / "latest"))
    assert ("fsync", str(root / "releases")) in events[publish + 1:switch]
    index = next(i for i, e in enumerate(events) if e[0] == "replace" and e[2].endswith("/releases/index.json"))
    assert switch < index
    assert ("fsync", str(root)) in events[switch + 1:index]
    assert ("fsync", events[index][1]) in events[switch + 1:index]  # the tmp file, before its rename
    assert ("fsync", str(root / "releases")) in events[index + 1:]

    for path in [target, *target.rglob("*")]:
        assert os.stat(path).st_mode & 0o222 == 0, path  # nobody may write to a published release
