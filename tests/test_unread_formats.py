"""Which files are notices: .txt, .html/.htm and .docx are read; PDF, .doc, WPS and images beside them are
listed as not read and never fail a build; one stem in two formats is one doc_id, refused naming both.
One build publishes a page and a Word notice with their rendered texts, covered by SHA256SUMS."""
from __future__ import annotations

import hashlib
import json

import pytest

from conftest import NOTICE, copy_sources
from pipeline.cli import main
from pipeline.errors import PlanDataError
from pipeline.extraction.extract import extract
from pipeline.render.quality import quality_report
from pipeline.sources.discovery import NOTICE_SUFFIXES, notice_paths, read_sources, unread_files
from tests.test_reader_formats import TEXT, as_docx, as_html


def test_notice_suffixes_come_from_the_readers():
    assert set(NOTICE_SUFFIXES) == {".txt", ".html", ".htm", ".docx"}


def test_unread_formats_are_listed_with_their_format_and_not_taken_for_notices(tmp_path):
    sources = copy_sources(tmp_path / "sources")
    (sources / "scan.PNG").write_bytes(b"\x89PNG")
    (sources / "2019").mkdir()
    (sources / "2019" / "plan.pdf").write_bytes(b"%PDF-1.4")
    (sources / "2019" / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    (sources / "2019" / "draft.wps").write_bytes(b"\xd0\xcf")
    (sources / "README.md").write_text("notes", encoding="utf-8")  # not a document format: not listed
    (sources / ".hidden.pdf").write_bytes(b"%PDF")
    assert [path.name for path in notice_paths(sources)] == [NOTICE.name]
    assert unread_files(sources) == [
        {"file": "2019/draft.wps", "format": "WPS"},
        {"file": "2019/old.doc", "format": "Word 97-2003 (.doc)"},
        {"file": "2019/plan.pdf", "format": "PDF"},
        {"file": "scan.PNG", "format": "image"},
    ]


def test_quality_report_lists_files_not_read_escaped():
    report = quality_report({}, unread=[{"file": "a|b*.pdf", "format": "PDF"}])
    section = report[report.index("## Files not read"):]
    assert "1 file(s)" in section and "| a\\|b\\*.pdf | PDF |" in section
    assert "## Files not read" not in quality_report({})


def test_a_txt_and_an_html_of_one_stem_are_refused_naming_both(tmp_path):
    sources = copy_sources(tmp_path / "sources")
    (sources / "a.txt").write_text(TEXT, encoding="utf-8")
    (sources / "a.html").write_bytes(as_html())
    with pytest.raises(PlanDataError) as raised:
        extract(*read_sources(sources))
    message = str(raised.value)
    assert "same doc_id 'a'" in message and "a.txt" in message and "a.html" in message


def test_a_build_reads_pages_and_word_files_and_lists_the_rest_as_not_read(tmp_path, capsys):
    sources = copy_sources(tmp_path / "sources")
    (sources / "page.html").write_bytes(as_html())
    (sources / "word.docx").write_bytes(as_docx())
    (sources / "original.pdf").write_bytes(b"%PDF-1.4 not read")
    (sources / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    status = main(["build", "--sources", str(sources), "--outputs", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert status == 0
    assert "Not read: original.pdf (PDF: not a format the build reads)" in out
    assert "Not read: photo.jpg (image: not a format the build reads)" in out
    release = (tmp_path / "out" / "latest").resolve()
    quality = (release / "quality.md").read_text(encoding="utf-8")
    assert "| original.pdf | PDF |" in quality and "| photo.jpg | image |" in quality
    documents = {}
    for path in [release / "json" / "documents.json"]:
        for row in json.loads(path.read_text(encoding="utf-8")):
            documents[row["doc_id"]] = row
    assert {doc_id: row["source_format"] for doc_id, row in documents.items()} == {
        "page": "html", "word": "docx", NOTICE.stem: "text"}
    sums = (release / "SHA256SUMS").read_text(encoding="utf-8")
    for doc_id, row in documents.items():
        text = (release / "texts" / f"{doc_id}.txt").read_bytes()
        assert hashlib.sha256(text).hexdigest() == row["rendered_sha256"]
        assert f"{row['rendered_sha256']}  texts/{doc_id}.txt" in sums
    assert (release / "texts" / "page.txt").read_text(encoding="utf-8") == TEXT
    assert '<a href="../texts/word.txt">texts/word.txt</a>' in (release / "notices" / "word.html").read_text("utf-8")
    assert (release / "texts" / f"{NOTICE.stem}.txt").read_bytes() == NOTICE.read_bytes().decode("utf-8").encode()
