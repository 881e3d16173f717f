"""Incremental builds: the parse cache, shards hard-linked from the previous release, checks of
what was written only, keys across the whole release, and --skip-broken.

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
    return sorted(p.relative_to(release).as_posix() for fmt in ("csv", "excel", "json", "parquet")
                  for p in (release / fmt).rglob("*") if p.is_file())


def test_unchanged_shards_are_hard_links_and_the_amended_shard_is_new(two_builds):
    outputs, first, second, _ = two_builds
    amended = shard_of(doc_id_from_filename(AMENDED))
    files = _data_files(second)
    assert files == _data_files(first)
    shared = [path for path in files if os.path.samefile(first / path, second / path)]
    sharded = [path for path in files if path.count("/") == 2]
    # Every file of the four unchanged shards is the previous release's inode; the amended
    # shard's files and the registry's (written whole every time) are new.
    assert shared == [path for path in sharded if Path(path).stem != amended]
    assert all((second / path).stat().st_nlink == 2 for path in shared)
    assert (second / "csv" / "tasks" / f"{amended}.csv").stat().st_nlink == 1
    assert_complete(first)
    assert_complete(second)  # SHA256SUMS lists every file, linked or not, and each matches
    descriptor = json.loads((second / "datapackage.json").read_text(encoding="utf-8"))
    described = {resource["path"] for resource in descriptor["resources"]}
    assert described == {path for path in files if not path.startswith("excel/")}
    # Notice pages too: the unchanged notices' pages are the previous release's files.
    pages = sorted(path.name for path in (second / "notices").glob("*.html"))
    assert [page for page in pages if os.path.samefile(first / "notices" / page, second / "notices" / page)] == \
        [f"{doc_id_from_filename(name)}.html" for name in sorted(NAMES) if name != AMENDED]
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
    amended = shard_of(doc_id_from_filename(AMENDED))
    # The rows of the amended shard and of the registry (rewritten every build) are read back;
    # the four linked shards are not.
    assert {Path(path).stem for path in checked if path.count("/") == 2} == {amended}
    assert {path for path in checked if path.count("/") == 1} == {
        f"{fmt}/{name}.{fmt}" for fmt in ("csv", "json", "parquet") for name in ("units", "unit_aliases")}


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


def test_a_duplicated_doc_id_across_shards_is_a_key_violation(two_builds, tmp_path):
    """check_keys reads every shard: a document published twice in two shard files is caught
    even when both files were checked (or linked) on their own."""
    _, _, second, _ = two_builds
    release = tmp_path / "release"
    shutil.copytree(second, release)
    for path in release.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    files = sorted((release / "parquet" / "documents").glob("*.parquet"))
    pq.write_table(pq.read_table(files[0]), files[1])  # shard 2's file now repeats shard 1's document
    descriptor = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    every = frozenset(resource["name"] for resource in descriptor["resources"])
    violations = checks_package.check_package(release, descriptor, checked=every)
    repeated = doc_id_from_filename(next(name for name in NAMES if shard_of(doc_id_from_filename(name)) == files[0].stem))
    assert [(v.path, v.rule, v.row, v.value) for v in violations if v.rule == "primary-key"] == [
        (f"parquet/documents/{files[1].stem}.parquet", "primary-key", 2, repeated)]
    # The document that shard 2 lost leaves its issuers, sections and findings without a parent document.
    assert {(v.path, v.rule) for v in violations if v.rule != "primary-key"} == {
        (f"parquet/issuers/{files[1].stem}.parquet", "foreign-key"),
        (f"parquet/sections/{files[1].stem}.parquet", "foreign-key"),
        (f"parquet/findings/{files[1].stem}.parquet", "foreign-key")}


def test_a_bad_row_in_one_of_several_shard_files_is_named_by_its_file_and_row(two_builds, tmp_path):
    """The shards' files of a table are checked in one load; a violation still names the file and
    the row a user opens (the header is row 1), not a row counted across the files."""
    _, _, second, _ = two_builds
    release = tmp_path / "release"
    shutil.copytree(second, release)
    for path in release.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    third = sorted((release / "csv" / "tasks").glob("*.csv"))[2]
    lines = third.read_text(encoding="utf-8").split("\n")
    header = lines[0].split(",")
    cells = lines[4].split(",")
    cells[header.index("seq")] = "five"
    lines[4] = ",".join(cells)
    third.write_text("\n".join(lines), encoding="utf-8")
    descriptor = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if r["table"] in ("documents", "sections", "tasks")
                               and r["format"] == "csv"]
    violations = checks_package.check_package(release, descriptor)
    assert [(v.path, v.rule, v.column, v.row) for v in violations if v.rule.startswith("type-error")] == [
        (third.relative_to(release).as_posix(), "type-error/integer", "seq", 5)]


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
    documents = {row["doc_id"]: row for row in
                 pq.read_table(release / "parquet" / "documents" / f"{shard_of(doc_id)}.parquet").to_pylist()}
    assert documents[doc_id]["stale"] is True
    # Its previous rows are kept: the same tasks as in the first release, not shown as removed.
    tasks_now = pq.read_table(release / "parquet" / "tasks" / f"{shard_of(doc_id)}.parquet").to_pylist()
    tasks_then = pq.read_table(first.release_dir / "parquet" / "tasks" / f"{shard_of(doc_id)}.parquet").to_pylist()
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
    all_docs = {row["doc_id"] for path in (release / "parquet" / "documents").glob("*.parquet")
                for row in pq.read_table(path).to_pylist()}
    assert "new-notice" not in all_docs and len(all_docs) == len(NAMES)


def test_a_damaged_file_of_the_previous_release_is_written_afresh_not_linked(tmp_path):
    """Someone edited a published file (as root, despite its 0444): the next build must neither
    link the damage into the new release nor fail on it forever; the damaged release is left alone."""
    sources = _sources(tmp_path / "sources")
    outputs = tmp_path / "outputs"
    first = run_build(sources, outputs).release_dir
    unchanged = shard_of(doc_id_from_filename(NAMES[0]))
    damaged = first / "csv" / "tasks" / f"{unchanged}.csv"
    clean = damaged.read_bytes()
    damaged.chmod(0o644)
    damaged.write_bytes(clean.replace("市纪委".encode(), "市纪检".encode(), 1))
    damaged.chmod(0o444)
    _amend(sources)
    second = run_build(sources, outputs).release_dir
    fresh = second / "csv" / "tasks" / f"{unchanged}.csv"
    assert not os.path.samefile(damaged, fresh) and fresh.read_bytes() == clean
    assert damaged.read_bytes() != clean  # the damaged release is not repaired behind anyone's back
    # The shard's other files were written afresh too (a shard is linked whole or not at all).
    assert not os.path.samefile(first / "json" / "tasks" / f"{unchanged}.json",
                                second / "json" / "tasks" / f"{unchanged}.json")
    assert_complete(second)
