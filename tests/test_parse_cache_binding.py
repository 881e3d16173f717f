"""A parse-cache entry is bound to its key (issue 16, defects 3 and 8).

An entry names the key, doc_id and source sha256 it was written for; one found under another key
is a miss and is removed, never rows published for the wrong notice or the wrong text. A cache
folder that cannot be used only costs time, with one warning."""
from __future__ import annotations

import errno
import shutil
from pathlib import Path

import pyarrow.parquet as pq

from pipeline.extraction.extract import Notice, identify
from pipeline.extraction.parse_cache import CACHE_DIR, ParseCache, notice_key
from pipeline.orchestration.run import run_build
from pipeline.extraction.shard import registry_key
from pipeline.sources.discovery import list_notices, read_registry_files
from test_incremental import AMENDED, EDIT, NAMES, ParseCounter, _amend, _data_files, _sources


def _entries(sources: Path, outputs: Path) -> dict[str, Path]:
    """Each notice's cache entry path, by file name, as the build computes its key."""
    registry = registry_key(read_registry_files(sources))
    entries = {}
    for found in identify(list_notices(sources)):
        notice = Notice(found.source.read(), found.doc_id)
        key = notice_key(notice, registry)
        entries[found.source.name] = outputs / CACHE_DIR / key[:2] / f"{key}.arrow"
    return entries


def _doc_ids(release: Path, table: str = "documents") -> list[str]:
    """doc_ids of the table's Parquet file, in its order."""
    return [row["doc_id"] for row in pq.read_table(release / "parquet" / f"{table}.parquet", columns=["doc_id"]).to_pylist()]


def test_two_swapped_entries_are_misses_removed_and_the_rows_are_right(tmp_path, monkeypatch):
    sources = _sources(tmp_path / "sources")
    cold = run_build(sources, tmp_path / "cold").release_dir
    outputs = tmp_path / "outputs"
    shutil.copytree(tmp_path / "cold" / CACHE_DIR, outputs / CACHE_DIR)
    entries = _entries(sources, outputs)
    first, second = entries[NAMES[0]], entries[NAMES[1]]
    one, other = first.read_bytes(), second.read_bytes()
    first.write_bytes(other)
    second.write_bytes(one)
    counter = ParseCounter(monkeypatch)
    release = run_build(sources, outputs).release_dir
    assert sorted(counter.parsed) == sorted(NAMES[:2])  # both swapped entries missed, the rest hit
    # Every document once: no notice's rows under another's key.
    assert sorted(_doc_ids(release)) == sorted(set(_doc_ids(release))) == sorted(_doc_ids(cold))
    for path in _data_files(cold):
        assert (release / path).read_bytes() == (cold / path).read_bytes(), path
    # The two bad entries were removed and written again for their own keys.
    assert first.read_bytes() == one and second.read_bytes() == other


def test_an_edited_notices_old_entry_under_the_new_key_is_not_used(tmp_path, monkeypatch):
    sources = _sources(tmp_path / "sources")
    outputs = tmp_path / "outputs"
    before = run_build(sources, outputs)
    old_entry = _entries(sources, outputs)[AMENDED]
    _amend(sources)
    new_entry = _entries(sources, outputs)[AMENDED]
    assert new_entry != old_entry
    new_entry.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(old_entry, new_entry)  # the unedited notice's rows, under the edited notice's key
    counter = ParseCounter(monkeypatch)
    after = run_build(sources, outputs)
    assert counter.parsed == [AMENDED]
    assert after.new and after.release_id != before.release_id  # never "Unchanged since release"
    doc_id = identify(list_notices(sources))[NAMES.index(AMENDED)].doc_id
    sections = [row for row in pq.read_table(after.release_dir / "parquet" / "sections.parquet").to_pylist()
                if row["doc_id"] == doc_id]
    texts = "".join((row["heading"] or "") + (row["body"] or "") for row in sections)
    assert EDIT[1] in texts and EDIT[0] not in texts


def test_a_file_in_place_of_the_cache_folder_costs_time_with_one_warning(tmp_path, capsys):
    sources = _sources(tmp_path / "sources")
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    (outputs / ".cache").write_text("not a folder")
    outcome = run_build(sources, outputs)
    assert outcome.new
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, warnings
    assert str(outputs / CACHE_DIR) in warnings[0] and "parse cache" in warnings[0]
    assert "Errno" not in warnings[0] and "Error" not in warnings[0]
    assert (outputs / ".cache").read_text() == "not a folder"


def _refuse_cache_io(monkeypatch, code: int) -> list[str]:
    """Every read and write under the cache folder raises ``code``, as a read-only or unreadable disk would."""
    calls: list[str] = []
    real_read, real_write = Path.read_bytes, Path.write_bytes

    def refuse(real):
        def call(self, *args):
            if ".cache" in self.parts:
                calls.append(self.name)
                raise OSError(code, __import__("os").strerror(code), str(self))
            return real(self, *args)
        return call
    monkeypatch.setattr(Path, "read_bytes", refuse(real_read))
    monkeypatch.setattr(Path, "write_bytes", refuse(real_write))
    return calls


def test_an_unwritable_cache_costs_time_with_one_warning(tmp_path, monkeypatch, capsys):
    sources = _sources(tmp_path / "sources")
    for code in (errno.EROFS, errno.EACCES):
        outputs = tmp_path / f"outputs-{code}"
        calls = _refuse_cache_io(monkeypatch, code)
        outcome = run_build(sources, outputs)
        assert outcome.new and calls
        warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning:")]
        assert len(warnings) == 1, warnings
        assert "Errno" not in warnings[0] and str(code) not in warnings[0].split("(")[-1]
        monkeypatch.undo()


def test_the_cache_binding_is_checked_on_its_own(tmp_path):
    """get() with another doc_id or another sha256 than the entry was written for misses and removes it."""
    cache = ParseCache(tmp_path, warn=lambda message: None)
    sources = _sources(tmp_path / "sources")
    notice = identify(list_notices(sources))[0]
    from pipeline.core.registry import UnitRegistry
    from pipeline.extraction.extract import notice_tables
    tables = notice_tables(Notice(notice.source.read(), notice.doc_id), UnitRegistry.from_csv(None, None))
    for doc_id, sha in (("other", "a" * 64), (notice.doc_id, "b" * 64)):
        cache.put("k" * 64, notice.doc_id, "a" * 64, tables)
        assert cache.get("k" * 64, doc_id, sha) is None
        assert not (tmp_path / "kk" / f"{'k' * 64}.arrow").exists()
    cache.put("k" * 64, notice.doc_id, "a" * 64, tables)
    assert cache.get("k" * 64, notice.doc_id, "a" * 64)["documents"].num_rows == 1
    assert cache.removed == 2
