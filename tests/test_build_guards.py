"""Behaviours that no test guarded (issue 16): each was broken on purpose in a copy of the code and
the build published a wrong result while every test passed. Tested through the build."""
from __future__ import annotations

import hashlib
import json
import os
import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import NOTICE, copy_sources
from pipeline.core.notice import doc_id_from_filename
from pipeline.errors import PlanDataError
from pipeline.orchestration.run import run_build
from pipeline.extraction.shards import shard_of
from test_incremental import AMENDED, NAMES, _amend, _sources


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
    published = {row["doc_id"] for path in (second.release_dir / "parquet" / "documents").glob("*.parquet")
                 for row in pq.read_table(path, columns=["doc_id"]).to_pylist()}
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


def _rewrite_in_place(release, relative: str, data: bytes) -> None:
    """Replace one file of a published release and update its SHA256SUMS line and datapackage.json hash,
    as if the release had been built so: the next build still finds it intact and links it."""
    for path in (release, *[p for p in release.rglob("*") if p.is_dir()]):
        path.chmod(0o755)
    target = release / relative
    target.chmod(0o644)
    target.unlink()
    target.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    sums = release / "SHA256SUMS"
    sums.chmod(0o644)
    lines = [f"{digest}  {relative}" if line.endswith(f"  {relative}") else line
             for line in sums.read_text(encoding="utf-8").splitlines()]
    sums.write_text("\n".join(lines) + "\n", encoding="utf-8")
    descriptor_path = release / "datapackage.json"
    descriptor_path.chmod(0o644)
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["path"] == relative:
            resource["hash"] = f"sha256:{digest}"
    text = json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
    descriptor_path.write_text(text, encoding="utf-8")
    old = hashlib.sha256(descriptor_path.read_bytes()).hexdigest()
    lines = [f"{old}  datapackage.json" if line.endswith("  datapackage.json") else line
             for line in sums.read_text(encoding="utf-8").splitlines()]
    sums.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_broken_reference_in_a_linked_shard_is_a_foreign_key_violation(tmp_path):
    """A build that links some shards and writes others checks keys across all of them: the linked
    shard's rows were checked by their own build, but a reference among them must still be caught."""
    sources = _sources(tmp_path / "sources")
    outputs = tmp_path / "outputs"
    first = run_build(sources, outputs).release_dir
    linked = shard_of(doc_id_from_filename(NAMES[0]))
    assert linked != shard_of(doc_id_from_filename(AMENDED))
    relative = f"parquet/assignments/{linked}.parquet"
    table = pq.read_table(first / relative)
    units = table.column("unit_id").to_pylist()
    units[0] = "no-such-unit"
    broken = table.set_column(table.schema.get_field_index("unit_id"), table.schema.field("unit_id"),
                              pa.array(units, pa.string()))
    sink = pa.BufferOutputStream()
    pq.write_table(broken, sink, compression="zstd")
    _rewrite_in_place(first, relative, sink.getvalue().to_pybytes())
    _amend(sources)  # the amended notice's shard is written afresh; the others are linked
    with pytest.raises(PlanDataError) as raised:
        run_build(sources, outputs)
    message = str(raised.value)
    assert message.startswith("check release_files_valid failed, nothing published: ")
    assert f"{relative} row 2: foreign-key" in message and "no-such-unit" in message
    assert os.readlink(outputs / "latest") == f"releases/{first.name}"
