"""A build killed at any moment leaves latest and every release intact; the next build cleans up."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.publish.checksums import sha256_file
from pipeline.run import run_build
from conftest import NOTICE, copy_sources

PLANDATA = str(Path(sys.executable).with_name("plandata"))


def release_is_whole(outputs: Path) -> str:
    """Every file listed in the latest release's SHA256SUMS is there and matches."""
    latest = outputs / "latest"
    target = os.readlink(latest)
    for line in (latest / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        assert sha256_file(latest / name) == digest, name
    return target


@pytest.mark.parametrize("kill_after", [0.3, 1.2, 2.0, 2.6, 3.0, 3.4])
def test_sigkill_partway_leaves_the_last_good_release(tmp_path, kill_after):
    sources = copy_sources(tmp_path / "sources")
    outputs = tmp_path / "outputs"
    first = run_build(sources, outputs)
    # An amended text, so that the killed build would publish a new release.
    notice = sources / NOTICE.name
    notice.write_text(notice.read_text(encoding="utf-8").replace("2008年8月11日", "2008年9月1日"), encoding="utf-8")
    process = subprocess.Popen([PLANDATA, "build", "--sources", str(sources), "--outputs", str(outputs)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(kill_after)
    process.send_signal(signal.SIGKILL)
    process.wait()
    target = release_is_whole(outputs)
    releases = sorted(p.name for p in (outputs / "releases").iterdir() if p.is_dir())
    assert releases[0] == first.release_id
    # Either the kill came before the switch (latest is the first release) or after it (the new one).
    assert target in (f"releases/{first.release_id}", f"releases/{releases[-1]}")
    assert (outputs / "releases" / first.release_id / "datapackage.json").is_file()
    after = run_build(sources, outputs)
    assert not list(outputs.glob(".staging-*")) and not list(outputs.glob(".latest-*"))
    assert after.release_id.startswith("0002-")
    release_is_whole(outputs)


def test_next_build_repairs_what_a_kill_between_steps_leaves(tmp_path):
    """The two windows between the renames: a release moved into releases/ but never made latest,
    and a latest that index.json does not list yet."""
    import json
    import shutil

    outputs = tmp_path / "outputs"
    sources = copy_sources(tmp_path / "sources")
    first = run_build(sources, outputs)
    releases = outputs / "releases"
    shutil.copytree(releases / first.release_id, releases / "0002-deadbeef")  # renamed, never published
    again = run_build(sources, outputs)
    assert not again.new and not (releases / "0002-deadbeef").exists()

    notice = sources / NOTICE.name
    notice.write_text(notice.read_text(encoding="utf-8").replace("2008年8月11日", "2008年9月1日"), encoding="utf-8")
    second = run_build(sources, outputs)
    index_path = releases / "index.json"
    index = json.loads(index_path.read_text(encoding="utf-8"))
    index["releases"].pop()  # as if killed right after the switch of latest
    index_path.write_text(json.dumps(index), encoding="utf-8")
    third = run_build(sources, outputs)
    assert not third.new and third.release_id == second.release_id
    index = json.loads(index_path.read_text(encoding="utf-8"))
    assert [r["release_id"] for r in index["releases"]] == [first.release_id, second.release_id]
    assert index["releases"][1]["changes"] == {"document metadata_changed": 1}
    assert index["releases"][1]["rows"]["assignments"] == 533
