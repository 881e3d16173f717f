"""Reading the sources directory: subfolders, hostile file names, links out of it, and the size limit."""
from __future__ import annotations

import os
import tracemalloc

import pytest

from pipeline.core.decode import MAX_SOURCE_BYTES
from pipeline.errors import PlanDataError
from pipeline.extraction.extract import extract
from pipeline.render.quality import quality_report
from pipeline.sources.discovery import notice_paths, printable, read_sources
from conftest import NOTICE, copy_sources

MiB = 1 << 20
# "关于印发实施细则的通知" in GBK is not valid UTF-8 (some GBK names, such as 通知 alone, happen to be).
GBK_NAME = "关于印发实施细则的通知".encode("gbk") + b".txt"


def names(sources) -> list[str]:
    return [path.relative_to(sources).as_posix() for path in notice_paths(sources)]


def test_notices_in_subfolders_are_found_sorted_by_relative_path(tmp_path):
    sources = copy_sources(tmp_path / "sources", notice_name="b.txt")
    for relative in ("2009/z.TXT", "2009/a/deep.txt", "a.txt", ".git/x.txt", "2010/.hidden.txt", "2010/x.md"):
        (sources / relative).parent.mkdir(parents=True, exist_ok=True)
        (sources / relative).write_bytes(NOTICE.read_bytes())
    assert names(sources) == ["2009/a/deep.txt", "2009/z.TXT", "a.txt", "b.txt"]
    notices, _ = read_sources(sources)
    assert [notice.name for notice in notices] == ["2009/a/deep.txt", "2009/z.TXT", "a.txt", "b.txt"]


def test_a_notice_in_a_subfolder_is_published_under_its_relative_path(tmp_path):
    sources = copy_sources(tmp_path / "sources")
    (sources / "2009").mkdir()
    (sources / NOTICE.name).rename(sources / "2009" / "taizhou.txt")
    tables = extract(*read_sources(sources))
    documents = tables["documents"].to_pylist()
    assert [(d["doc_id"], d["source_file"]) for d in documents] == [("2009-taizhou", "2009/taizhou.txt")]


def test_the_same_file_name_in_two_folders_gives_two_doc_ids(tmp_path):
    sources = copy_sources(tmp_path / "sources", notice_name="notice.txt")
    (sources / "old").mkdir()
    (sources / "old" / "notice.txt").write_bytes(NOTICE.read_bytes())
    documents = extract(*read_sources(sources))["documents"].to_pylist()
    assert [(d["doc_id"], d["source_file"]) for d in documents] == [("notice", "notice.txt"),
                                                                   ("old-notice", "old/notice.txt")]


def test_the_same_doc_id_from_a_folder_and_a_file_name_is_refused_naming_both(tmp_path):
    sources = copy_sources(tmp_path / "sources", notice_name="old-notice.txt")
    (sources / "old").mkdir()
    (sources / "old" / "notice.txt").write_bytes(NOTICE.read_bytes())
    with pytest.raises(PlanDataError) as raised:
        extract(*read_sources(sources))
    assert "same doc_id 'old-notice'" in str(raised.value)
    assert "old/notice.txt" in str(raised.value) and "old-notice.txt" in str(raised.value)


def test_a_file_name_that_is_not_utf8_is_refused_by_name(tmp_path):
    sources = copy_sources(tmp_path / "sources")
    with open(os.path.join(os.fsencode(sources), GBK_NAME), "wb") as handle:
        handle.write(NOTICE.read_bytes())
    with pytest.raises(PlanDataError) as raised:
        read_sources(sources)
    message = str(raised.value)
    message.encode("utf-8")  # printable: no lone surrogate that would crash the error line itself
    assert message.startswith("\\xb9\\xd8") and "not valid UTF-8" in message
    assert "关于印发实施细则的通知.txt" in message  # how it reads as GBK, to find the file


@pytest.mark.parametrize("name", ["evil\x1b[31mred.txt", "two\nlines.txt", "tab\there.txt"],
                         ids=["ansi", "newline", "tab"])
def test_a_file_name_with_control_characters_is_refused_escaped(tmp_path, name):
    sources = copy_sources(tmp_path / "sources")
    (sources / name).write_bytes(NOTICE.read_bytes())
    with pytest.raises(PlanDataError, match="control characters") as raised:
        read_sources(sources)
    assert str(raised.value).startswith(name.encode("unicode_escape").decode("ascii") + ":")
    assert not any(ord(char) < 0x20 for char in str(raised.value))


def test_printable_escapes_bytes_and_controls_and_keeps_chinese():
    assert printable("台州.txt") == "台州.txt"
    assert printable("a\x1b[0m\nb.txt") == "a\\x1b[0m\\nb.txt"
    assert printable(os.fsdecode(b"\xb9\xd8.txt")) == "\\xb9\\xd8.txt"


def test_a_link_out_of_the_sources_directory_is_refused(tmp_path):
    sources = copy_sources(tmp_path / "sources")
    secret = tmp_path / "secret.txt"
    secret.write_bytes(NOTICE.read_bytes())
    (sources / "linked.txt").symlink_to(secret)
    with pytest.raises(PlanDataError) as raised:
        read_sources(sources)
    assert str(raised.value).startswith("linked.txt: symbolic link to ")
    assert "outside the sources directory" in str(raised.value)


def test_a_linked_folder_out_of_the_sources_directory_is_refused(tmp_path):
    sources = copy_sources(tmp_path / "sources")
    (tmp_path / "elsewhere").mkdir()
    (sources / "more").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(PlanDataError, match="^more: symbolic link to .* outside the sources directory"):
        notice_paths(sources)


def test_a_linked_folder_inside_the_sources_directory_is_not_entered(tmp_path):
    sources = copy_sources(tmp_path / "sources")
    (sources / "2009").mkdir()
    (sources / NOTICE.name).rename(sources / "2009" / "a.txt")
    (sources / "same-as-2009").symlink_to(sources / "2009")
    assert names(sources) == ["2009/a.txt"]


def test_a_link_inside_the_sources_directory_is_read(tmp_path):
    sources = copy_sources(tmp_path / "sources")
    (sources / "alias.txt").symlink_to(sources / NOTICE.name)
    notices, _ = read_sources(sources)
    assert [notice.name for notice in notices] == ["alias.txt", NOTICE.name]
    assert notices[0].data == notices[1].data


def test_a_file_of_1_gib_is_refused_before_it_is_read(tmp_path):
    sources = copy_sources(tmp_path / "sources")
    with open(sources / "huge.txt", "wb") as handle:
        handle.truncate(1 << 30)  # sparse: no disk used
    tracemalloc.start()
    try:
        with pytest.raises(PlanDataError) as raised:
            read_sources(sources)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(raised.value) == (f"huge.txt: file is {1 << 30} bytes, "
                                 f"over the {MAX_SOURCE_BYTES}-byte limit for a notice")
    assert peak < 5 * MiB, peak


def test_a_file_that_grows_after_its_size_was_checked_is_read_only_to_the_limit(tmp_path, monkeypatch):
    sources = copy_sources(tmp_path / "sources")
    with open(sources / "growing.txt", "wb") as handle:
        handle.truncate(64 * MiB)
    real_fstat = os.fstat

    def fstat_before_the_growth(descriptor):
        result = real_fstat(descriptor)
        if result.st_size != 64 * MiB:
            return result
        fields = list(result)
        fields[6] = 1000  # st_size as it was when checked
        return os.stat_result(fields)

    monkeypatch.setattr(os, "fstat", fstat_before_the_growth)
    tracemalloc.start()
    try:
        with pytest.raises(PlanDataError, match="^growing.txt: file is over the .*-byte limit") as raised:
            read_sources(sources)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "grew while being read" in str(raised.value)
    assert peak < 2 * MAX_SOURCE_BYTES + 4 * MiB, peak  # about the limit (read, then joined), not 64 MiB


@pytest.mark.parametrize("name, shown", [
    ("x|y`z*.txt", "x\\|y\\`z\\*.txt"),
    ("evil\x1b[2Jclear\nline.txt", "evil\u241b\\[2Jclear ⏎ line.txt"),
], ids=["markdown", "ansi-newline"])
def test_quality_report_escapes_the_source_file_name(name, shown):
    tables = {"documents": [{"doc_id": "d", "title": "t", "source_file": name, "source_encoding": "utf-8",
                             "source_sha256": "0" * 64}], "findings": []}
    from pipeline.render.quality import notice_quality

    assert "\x1b" not in quality_report(tables)
    report = notice_quality(tables["documents"][0], {})
    assert "\x1b" not in report
    assert f"- doc_id: `d`; source {shown} (utf-8, sha256 `0000000000000000…`); jurisdiction: " in report


def test_diff_of_a_huge_text_file_is_refused_before_it_is_read(tmp_path):
    from pipeline.changes.diff import load_side
    from conftest import SOURCES

    huge = tmp_path / "huge.txt"
    with open(huge, "wb") as handle:
        handle.truncate(1 << 30)
    tracemalloc.start()
    try:
        with pytest.raises(PlanDataError, match=f"huge.txt: file is {1 << 30} bytes, over the"):
            load_side(huge, SOURCES)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * MiB, peak


@pytest.mark.subprocess
def test_plandata_build_names_a_non_utf8_file_in_one_line_and_publishes_nothing(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    sources = copy_sources(tmp_path / "sources")
    with open(os.path.join(os.fsencode(sources), GBK_NAME), "wb") as handle:
        handle.write(NOTICE.read_bytes())
    result = subprocess.run([str(Path(sys.executable).with_name("plandata")), "build", "--sources", str(sources),
                             "--outputs", str(tmp_path / "out")], capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and "\\xb9\\xd8" in last and "not valid UTF-8" in last
    assert "Traceback" not in result.stderr and "UnicodeEncodeError" not in result.stderr
    assert not (tmp_path / "out" / "latest").exists()
