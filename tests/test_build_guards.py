"""Behaviours that no test guarded (issue 16): each was broken on purpose in a copy of the code and
the build published a wrong result while every test passed. Tested through the build."""
from __future__ import annotations

import json
import shutil

import pyarrow.parquet as pq
import pytest

from conftest import NOTICE, copy_sources
from pipeline.core.notice import doc_id_from_filename
from pipeline.errors import PlanDataError
from pipeline.orchestration.run import run_build
from test_incremental import NAMES, _amend, _sources


def test_deleting_one_notice_of_several_gives_one_document_removed_row(tmp_path):
    sources = _sources(tmp_path / "sources")
    outputs = tmp_path / "outputs"
    run_build(sources, outputs)
    gone = NAMES[3]
    (sources / gone).unlink()
    second = run_build(sources, outputs)
    assert second.new
    changes = json.loads((second.release_dir / "changes.json").read_text(encoding="utf-8"))
    documents = [(row["entity"], row["change"], row["old_id"]) for row in changes if row["entity"] == "document"]
    assert documents == [("document", "removed", doc_id_from_filename(gone))]
    assert [row for row in changes if row["change"] == "removed"] == \
        [row for row in changes if row["entity"] == "document"]  # its sections and tasks go with it, unlisted
    published = {row["doc_id"] for row in
                 pq.read_table(second.release_dir / "parquet" / "documents.parquet", columns=["doc_id"]).to_pylist()}
    assert published == {doc_id_from_filename(name) for name in NAMES if name != gone}


def test_a_link_into_a_sibling_folder_that_starts_with_the_sources_name_is_outside(tmp_path):
    """``sources-evil/`` beside ``sources/``: its real path starts with the sources folder's path as a
    string, but is not inside it."""
    sources = copy_sources(tmp_path / "sources")
    evil = tmp_path / "sources-evil"
    evil.mkdir()
    shutil.copy(NOTICE, evil / "planted.txt")
    (sources / "planted.txt").symlink_to(evil / "planted.txt")
    with pytest.raises(PlanDataError) as raised:
        run_build(sources, tmp_path / "outputs")
    message = str(raised.value)
    assert "planted.txt: symbolic link to" in message and "outside the sources directory" in message
    assert not (tmp_path / "outputs" / "latest").exists()


def test_a_damaged_shard_in_the_store_is_built_again_and_never_published(tmp_path):
    """The whole files are assembled from the shard store (OUTPUTS/.cache/shards). A stored shard
    whose bytes changed (a flipped byte, a torn write) is read as missing: the shard is built again
    from its notices, and the release equals a cold build's."""
    sources = _sources(tmp_path / "sources")
    outputs = tmp_path / "outputs"
    run_build(sources, outputs)
    stored = sorted((outputs / ".cache" / "shards").glob("*.arrow"))
    assert len(stored) == len(NAMES)
    data = bytearray(stored[0].read_bytes())
    data[len(data) // 2] ^= 0xFF
    stored[0].write_bytes(bytes(data))
    stored[1].write_bytes(stored[1].read_bytes()[:100])
    _amend(sources)
    second = run_build(sources, outputs).release_dir
    cold = run_build(sources, tmp_path / "cold").release_dir
    for path in ("datapackage.json", "csv/tasks.csv", "parquet/assignments.parquet", "downloads/json.zip"):
        assert (second / path).read_bytes() == (cold / path).read_bytes(), path
    assert stored[0].read_bytes() != bytes(data)  # written again, whole
