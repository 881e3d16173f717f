"""downloads/<format>.zip: one zip per format, the same bytes for the same files (issue 17 §2)."""
from __future__ import annotations

import os
import shutil
import stat
import zipfile
from pathlib import Path

from pipeline.publish.downloads import write_downloads, write_zip


def _tables(root: Path) -> Path:
    (root / "csv").mkdir(parents=True)
    (root / "parquet").mkdir()
    (root / "csv" / "tasks.csv").write_text("doc_id,seq\n甲,1\n", encoding="utf-8")
    (root / "csv" / "units.csv").write_text("unit_id\nu1\n", encoding="utf-8")
    (root / "parquet" / "tasks.parquet").write_bytes(b"PAR1 not really")
    for fmt in ("excel", "json"):
        (root / fmt).mkdir()
        (root / fmt / "tasks.x").write_text("x", encoding="utf-8")
    return root


def test_two_writes_of_the_same_files_give_the_same_zip_bytes(tmp_path):
    first = _tables(tmp_path / "a")
    second = _tables(tmp_path / "b")
    # Other times, other modes, files created in the other order: none of it reaches the zip.
    os.utime(second / "csv" / "tasks.csv", (1, 1))
    os.chmod(second / "csv" / "units.csv", 0o600)
    assert write_downloads(first) == [f"downloads/{fmt}.zip" for fmt in ("csv", "excel", "json", "parquet")]
    write_downloads(second)
    for fmt in ("csv", "excel", "json", "parquet"):
        assert (first / "downloads" / f"{fmt}.zip").read_bytes() == (second / "downloads" / f"{fmt}.zip").read_bytes()


def test_entries_are_sorted_dated_1980_read_only_and_compressed_by_format(tmp_path):
    root = _tables(tmp_path / "r")
    write_zip(root, "csv")
    write_zip(root, "parquet")
    with zipfile.ZipFile(root / "downloads" / "csv.zip") as archive:
        infos = archive.infolist()
        assert [info.filename for info in infos] == ["csv/tasks.csv", "csv/units.csv"]
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in infos)
        assert all(stat.S_IMODE(info.external_attr >> 16) == 0o444 for info in infos)
        assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in infos)
        assert archive.read("csv/tasks.csv").decode("utf-8") == "doc_id,seq\n甲,1\n"
    with zipfile.ZipFile(root / "downloads" / "parquet.zip") as archive:
        assert [(i.filename, i.compress_type) for i in archive.infolist()] == [
            ("parquet/tasks.parquet", zipfile.ZIP_STORED)]


def test_a_changed_file_changes_its_zip_only(tmp_path):
    root = _tables(tmp_path / "r")
    write_downloads(root)
    before = {p.name: p.read_bytes() for p in (root / "downloads").iterdir()}
    (root / "csv" / "tasks.csv").write_text("doc_id,seq\n乙,1\n", encoding="utf-8")
    shutil.rmtree(root / "downloads")
    write_downloads(root)
    after = {p.name: p.read_bytes() for p in (root / "downloads").iterdir()}
    assert [name for name in sorted(before) if before[name] != after[name]] == ["csv.zip"]
