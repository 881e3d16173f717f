"""Incremental builds: the parse cache, the shard store (OUTPUTS/.cache/shards) from which every
table is assembled whole, per-notice files hard-linked from the previous release, keys across the
whole release, and --skip-broken.

The sources are the bundled notice under five names chosen so that their doc_ids fall in
different shards (the shard is the first hex digit of sha256(doc_id)); one of them is then
amended by one sentence, as an operator's scheduled rebuild would see it."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import pipeline.extraction.shard as shard_module
from conftest import NOTICE, SOURCES
from pipeline.checks import package as checks_package
from pipeline.core.notice import doc_id_from_filename
from pipeline.errors import PlanDataError
from pipeline.extraction.parse_cache import CACHE_DIR
from pipeline.orchestration.run import run_build
from pipeline.extraction.shards import shard_of
from release_helpers import assert_complete

EDIT = ("坚持标本兼治、综合治理、惩防并举、注重预防的方针", "坚持标本兼治、综合治理、惩防并举、更加注重预防的方针")


def _names(count: int) -> list[str]:
    """File names whose doc_ids land in ``count`` different shards."""
    names, shards = [], set()
    for number in range(200):
        name = f"plan-{number:03d}.txt"
        shard = shard_of(doc_id_from_filename(name))
        if shard not in shards:
            shards.add(shard)
            names.append(name)
        if len(names) == count:
            return names
    raise AssertionError("not enough shards")


NAMES = _names(5)
AMENDED = NAMES[2]


def _sources(target: Path) -> Path:
    target.mkdir(parents=True)
    for name in ("units.csv", "unit_aliases.csv"):
        shutil.copy(SOURCES / name, target / name)
    for name in NAMES:
        shutil.copy(NOTICE, target / name)
    return target


def _amend(sources: Path, name: str = AMENDED) -> None:
    path = sources / name
    text = path.read_text(encoding="utf-8")
    assert EDIT[0] in text
    path.write_text(text.replace(*EDIT), encoding="utf-8")


class ParseCounter:
    def __init__(self, monkeypatch):
        self.parsed: list[str] = []
        real = shard_module.notice_tables

        def counting(notice, registry):
            self.parsed.append(notice.source.name)
            return real(notice, registry)
        monkeypatch.setattr(shard_module, "notice_tables", counting)


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory) -> tuple[Path, Path, Path, Path]:
    """(outputs, first release, second release, sources) after a cold build and an amendment."""
    root = tmp_path_factory.mktemp("incremental")
    sources = _sources(root / "sources")
    outputs = root / "outputs"
    first = run_build(sources, outputs).release_dir
    _amend(sources)
    second = run_build(sources, outputs).release_dir
    return outputs, first, second, sources


def _data_files(release: Path) -> list[str]:
    return sorted(p.relative_to(release).as_posix() for fmt in ("csv", "excel", "json", "parquet", "downloads")
                  for p in (release / fmt).rglob("*") if p.is_file())


def test_every_table_is_one_file_per_format_and_no_shard_file_is_published(two_builds):
    outputs, first, second, _ = two_builds
    from pipeline.schema import table_specs
    tables = list(table_specs())
    expected = sorted([f"{fmt}/{name}.{'csv' if fmt == 'excel' else fmt}" for fmt in ("csv", "excel", "json", "parquet")
                       for name in tables] + [f"downloads/{fmt}.zip" for fmt in ("csv", "excel", "json", "parquet")])
    for release in (first, second):
        assert _data_files(release) == expected
        assert not [p for p in release.rglob("*") if p.is_dir() and p.parent.name in ("csv", "excel", "json", "parquet")]
        descriptor = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
        assert sorted(r["name"] for r in descriptor["resources"]) == sorted(
            [name for name in tables] + [f"{name}-json" for name in tables] + [f"{name}-parquet" for name in tables])
        assert {r["path"] for r in descriptor["resources"]} == {
            path for path in expected if path.split("/")[0] in ("csv", "json", "parquet")}
        assert not [r for r in descriptor["resources"] if "shard" in r]
        assert_complete(release)  # SHA256SUMS lists every file, linked or not, and each matches
    # The rows kept for incremental work are in the cache, one file per shard key, not in a release.
    stored = sorted((outputs / ".cache" / "shards").glob("*.arrow"))
    assert len(stored) == len(NAMES) + 1  # five shards, and the amended shard's new key


def test_a_rebuild_links_the_unchanged_notices_files_and_writes_the_tables_whole(two_builds):
    _, first, second, _ = two_builds
    # Notice pages and texts: the unchanged notices' are the previous release's inodes.
    unchanged = [doc_id_from_filename(name) for name in sorted(NAMES) if name != AMENDED]
    for folder, suffix in (("notices", "html"), ("texts", "txt")):
        names = sorted(path.stem for path in (second / folder).glob(f"*.{suffix}"))
        linked = [name for name in names
                  if os.path.samefile(first / folder / f"{name}.{suffix}", second / folder / f"{name}.{suffix}")]
        assert linked == sorted(unchanged), folder
    amended = doc_id_from_filename(AMENDED)
    assert (second / "texts" / f"{amended}.txt").stat().st_nlink == 1
    # A table file holds every notice: written whole, never a link to the previous release's.
    assert not [path for path in _data_files(second) if os.path.samefile(first / path, second / path)]
    # And each notice's quality details: nothing per notice is rewritten while it does not change.
    details = sorted(path.name for path in (second / "quality").glob("*.md"))
    assert [name for name in details if os.path.samefile(first / "quality" / name, second / "quality" / name)] == \
        [f"{doc_id_from_filename(name)}.md" for name in sorted(NAMES) if name != AMENDED]


def test_the_change_log_holds_the_amendment_only(two_builds):
    _, _, second, _ = two_builds
    changes = json.loads((second / "changes.json").read_text(encoding="utf-8"))
    doc_id = doc_id_from_filename(AMENDED)
    assert [(row["entity"], row["change"], row["old_id"]) for row in changes] == [
        ("section", "text_changed", f"{doc_id}/1.1")]  # line 10: the body of （一）指导思想
    # Several notices: the doc_id comes off the id into its own column.
    assert [(row["doc_id"], row["section_id"], row["task_id"]) for row in changes] == [(doc_id, "1.1", "")]


def test_an_incremental_build_equals_a_cold_build_of_the_same_sources(two_builds, tmp_path):
    _, _, second, sources = two_builds
    cold = run_build(sources, tmp_path / "cold").release_dir
    # Byte for byte, not only the version: a linked shard's sources entries come from
    # build-keys.json, whose keys are sorted, and once differed in key order (issue 16, defect 11).
    assert (cold / "datapackage.json").read_bytes() == (second / "datapackage.json").read_bytes()
    for path in _data_files(second):
        assert (cold / path).read_bytes() == (second / path).read_bytes(), path


def test_a_rebuild_parses_and_checks_only_the_amended_notice(tmp_path, monkeypatch):
    sources = _sources(tmp_path / "sources")
    outputs = tmp_path / "outputs"
    run_build(sources, outputs)
    counter = ParseCounter(monkeypatch)
    checked: list[str] = []
    real_check = checks_package.check_slice

    def recording(directory, resources):
        checked.extend(resource["path"] for resource in resources)
        return real_check(directory, resources)
    monkeypatch.setattr(checks_package, "check_slice", recording)
    _amend(sources)
    run_build(sources, outputs)
    assert counter.parsed == [AMENDED]
    # Every table's whole file is read back and checked (the registry's too): none is a link.
    assert {"parquet/tasks.parquet", "csv/tasks.csv", "json/tasks.json", "parquet/units.parquet"} <= set(checked)


def test_the_parse_cache_key_covers_the_registry_and_the_parser_code(tmp_path, monkeypatch):
    sources = _sources(tmp_path / "sources")
    outputs = tmp_path / "outputs"
    run_build(sources, outputs)
    counter = ParseCounter(monkeypatch)
    run_build(sources, outputs)  # nothing changed: nothing parsed
    assert counter.parsed == []
    with (sources / "unit_aliases.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n")  # the same registry rows, other bytes: every notice is parsed again
    run_build(sources, outputs)
    assert sorted(counter.parsed) == NAMES
    counter.parsed.clear()
    import pipeline.extraction.parse_cache as parse_cache
    monkeypatch.setattr(parse_cache, "code_version", lambda part: "another parser")
    run_build(sources, outputs)
    assert sorted(counter.parsed) == NAMES


def test_a_damaged_cache_entry_is_parsed_again_and_changes_nothing(tmp_path, monkeypatch):
    """A cold build into new outputs that start with a copy of the first build's cache, two of
    whose entries are damaged: those two notices are parsed again, the other three read."""
    sources = _sources(tmp_path / "sources")
    outputs = tmp_path / "outputs"
    first = run_build(sources, outputs)
    again = tmp_path / "again"
    shutil.copytree(outputs / CACHE_DIR, again / CACHE_DIR)
    entries = sorted((again / CACHE_DIR).rglob("*.arrow"))
    assert len(entries) == len(NAMES)
    data = bytearray(entries[0].read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte in the middle of the rows
    entries[0].write_bytes(bytes(data))
    entries[1].write_bytes(entries[1].read_bytes()[:100])  # a torn write
    counter = ParseCounter(monkeypatch)
    second = run_build(sources, again)
    assert len(counter.parsed) == 2
    assert second.release_id == first.release_id  # the same content, the same version and number
    assert (second.release_dir / "datapackage.json").read_bytes() == \
        (first.release_dir / "datapackage.json").read_bytes()


def _writable_copy(release: Path, target: Path) -> Path:
    shutil.copytree(release, target)
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target


def test_a_duplicated_document_in_the_whole_file_is_a_key_violation(two_builds, tmp_path):
    """check_keys reads the whole table: a document published twice is caught."""
    _, _, second, _ = two_builds
    release = _writable_copy(second, tmp_path / "release")
    documents = pq.read_table(release / "parquet" / "documents.parquet")
    import pyarrow as pa
    pq.write_table(pa.concat_tables([documents, documents.slice(0, 1)]), release / "parquet" / "documents.parquet")
    descriptor = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    every = frozenset(resource["name"] for resource in descriptor["resources"])
    violations = checks_package.check_package(release, descriptor, checked=every)
    first_doc = documents.column("doc_id")[0].as_py()
    assert [(v.path, v.rule, v.row, v.value) for v in violations if v.rule == "primary-key"] == [
        ("parquet/documents.parquet", "primary-key", len(NAMES) + 2, first_doc)]


def test_a_bad_row_in_a_whole_file_is_named_by_its_file_and_row(two_builds, tmp_path):
    """A violation names the file and the row a user opens (the header is row 1)."""
    _, _, second, _ = two_builds
    release = _writable_copy(second, tmp_path / "release")
    tasks = release / "csv" / "tasks.csv"
    lines = tasks.read_text(encoding="utf-8").split("\n")
    header = lines[0].split(",")
    cells = lines[4].split(",")
    cells[header.index("seq")] = "five"
    lines[4] = ",".join(cells)
    tasks.write_text("\n".join(lines), encoding="utf-8")
    descriptor = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if r["table"] in ("documents", "sections", "tasks")
                               and r["format"] == "csv"]
    violations = checks_package.check_package(release, descriptor)
    assert [(v.path, v.rule, v.column, v.row) for v in violations if v.rule.startswith("type-error")] == [
        ("csv/tasks.csv", "type-error/integer", "seq", 5)]


# -- --skip-broken ------------------------------------------------------------------------------

def test_a_broken_notice_fails_the_build_naming_it(tmp_path):
    sources = _sources(tmp_path / "sources")
    (sources / AMENDED).write_bytes(b"\xff\xfe\x00garbage\x00\x00" * 10)
    with pytest.raises(PlanDataError) as raised:
        run_build(sources, tmp_path / "outputs")
    assert AMENDED in str(raised.value) and "\n" not in str(raised.value)
    assert not (tmp_path / "outputs" / "latest").exists()


def test_skip_broken_keeps_a_published_notice_stale_and_leaves_out_a_new_one(tmp_path):
    sources = _sources(tmp_path / "sources")
    outputs = tmp_path / "outputs"
    first = run_build(sources, outputs)
    (sources / AMENDED).write_bytes(b"\xff\xfe\x00garbage\x00\x00" * 10)
    (sources / "new-notice.txt").write_bytes(b"\x00\x01\x02 not a notice")
    with pytest.raises(PlanDataError):
        run_build(sources, outputs)
    outcome = run_build(sources, outputs, skip_broken=True)
    assert outcome.new
    assert sorted((item["file"], item["stale"]) for item in outcome.skipped) == [
        ("new-notice.txt", False), (AMENDED, True)]
    doc_id = doc_id_from_filename(AMENDED)
    release = outcome.release_dir
    documents = {row["doc_id"]: row for row in pq.read_table(release / "parquet" / "documents.parquet").to_pylist()}
    assert documents[doc_id]["stale"] is True
    # Its previous rows are kept: the same tasks as in the first release, not shown as removed.
    tasks_now = pq.read_table(release / "parquet" / "tasks.parquet").to_pylist()
    tasks_then = pq.read_table(first.release_dir / "parquet" / "tasks.parquet").to_pylist()
    assert [row for row in tasks_now if row["doc_id"] == doc_id] == \
        [row for row in tasks_then if row["doc_id"] == doc_id]
    changes = json.loads((release / "changes.json").read_text(encoding="utf-8"))
    assert [(row["entity"], row["change"], row["detail"]) for row in changes] == [
        ("document", "metadata_changed", "stale: false → true")]
    quality = (release / "quality.md").read_text(encoding="utf-8")
    assert AMENDED in quality and "new-notice.txt" in quality
    # The release page says so near the top: the notice left out, and the stale one linked to its page.
    page = (release / "index.html").read_text(encoding="utf-8")
    left = page[page.index('id="left-out"'):page.index('id="about"')]
    assert '<li class="left-out">未收录 left out: new-notice.txt' in left
    assert f'<li class="stale">沿用旧版 stale: <a href="notices/{doc_id}.html">' in left
    all_docs = {row["doc_id"] for row in pq.read_table(release / "parquet" / "documents.parquet").to_pylist()}
    assert "new-notice" not in all_docs and len(all_docs) == len(NAMES)


def test_a_damaged_file_of_the_previous_release_is_written_afresh_not_linked(tmp_path):
    """Someone edited a published notice text (as root, despite its 0444): the next build must neither
    link the damage into the new release nor fail on it forever; the damaged release is left alone."""
    sources = _sources(tmp_path / "sources")
    outputs = tmp_path / "outputs"
    first = run_build(sources, outputs).release_dir
    unchanged = doc_id_from_filename(NAMES[0])
    damaged = first / "texts" / f"{unchanged}.txt"
    clean = damaged.read_bytes()
    damaged.chmod(0o644)
    damaged.write_bytes(clean.replace("市纪委".encode(), "市纪检".encode(), 1))
    damaged.chmod(0o444)
    assert damaged.read_bytes() != clean
    _amend(sources)
    second = run_build(sources, outputs).release_dir
    fresh = second / "texts" / f"{unchanged}.txt"
    assert not os.path.samefile(damaged, fresh) and fresh.read_bytes() == clean
    assert damaged.read_bytes() != clean  # the damaged release is not repaired behind anyone's back
    assert_complete(second)
