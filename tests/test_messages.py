"""No message carries an errno, an exception class name or a bare number in place of a file
(issue 16, defect 12): a full disk, DuckDB's own failure while writing, a --base-url that is no IRI."""
from __future__ import annotations

import errno
import os
import re
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from conftest import copy_sources
from pipeline.cli import main
from pipeline.publish import assemble
from pipeline.orchestration.run import _plain

ENOSPC = os.strerror(errno.ENOSPC)


def _one_clean_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, err
    assert not re.search(r"Errno|Traceback|\w+Error\b|\w+Exception\b|TransactionContext", lines[0]), lines[0]
    return lines[0]


def test_a_full_disk_while_writing_a_shard_is_one_line_naming_the_file(tmp_path, monkeypatch, capsys):
    sources = copy_sources(tmp_path / "sources")
    outputs = tmp_path / "outputs"
    real = Path.write_bytes

    def full(self, data):
        if self.suffix == ".csv" and "csv" in self.parts and ".cache" not in self.parts:
            raise OSError(errno.ENOSPC, ENOSPC, str(self))
        return real(self, data)
    monkeypatch.setattr(Path, "write_bytes", full)
    assert main(["build", "--sources", str(sources), "--outputs", str(outputs)]) == 1
    line = _one_clean_line(capsys.readouterr().err)
    assert re.fullmatch(rf"error: build failed, nothing published: step \w+ failed: {re.escape(str(outputs))}/"
                        rf"\.staging-[\w-]+/csv/\w+(/\w)?\.csv: {ENOSPC}", line), line
    assert not (outputs / "latest").exists()


def test_a_full_disk_while_duckdb_writes_the_database_is_one_line_naming_it(tmp_path, monkeypatch, capsys):
    sources = copy_sources(tmp_path / "sources")
    outputs = tmp_path / "outputs"

    def full(path, tables):
        raise duckdb.TransactionException(f'TransactionContext Error: Failed to commit: could not write to file '
                                          f'"{path}.wal": {ENOSPC}')
    monkeypatch.setattr(assemble, "write_database", full)
    assert main(["build", "--sources", str(sources), "--outputs", str(outputs)]) == 1
    line = _one_clean_line(capsys.readouterr().err)
    assert re.search(rf"/plan\.duckdb: cannot write the database \(the disk is full\): Failed to commit: "
                     rf"could not write to file \".*plan\.duckdb\.wal\": {ENOSPC}$", line), line


@pytest.mark.parametrize("cls_name, message, plain", [
    ("OSError", "OSError: [Errno 28] No space left on device: '/out/x.csv'", "/out/x.csv: No space left on device"),
    ("IsADirectoryError", "[Errno 21] Is a directory: 7", "Is a directory"),
    ("FileExistsError", "[Errno 17] File exists: '/a' -> '/b'", "/a: File exists"),
])
def test_an_os_error_from_a_step_is_said_in_words_with_its_file(cls_name, message, plain):
    assert _plain(SimpleNamespace(cls_name=cls_name, message=message)) == plain


@pytest.mark.parametrize("url", ["https://x.org/a b>/", "https://x.org/a<b/", 'https://x.org/"q"/',
                                 "https://x.org/%zz/", "https://x.org/\u202eevil/"])
def test_a_base_url_that_is_no_iri_is_refused_before_any_work(tmp_path, capsys, url):
    """Refused as the command starts, in one line, not at the end of the build by the RDF writer."""
    outputs = tmp_path / "outputs"
    assert main(["build", "--sources", str(copy_sources(tmp_path / "sources")), "--outputs", str(outputs),
                 "--base-url", url]) == 1
    line = _one_clean_line(capsys.readouterr().err)
    assert line.startswith(f"error: --base-url {url!r} is not a valid IRI: ")
    assert not outputs.exists()


def test_an_iri_with_chinese_letters_is_a_valid_base_url():
    from pipeline.site.base_url import resolve_base_url
    assert resolve_base_url("https://数据.example.cn/计划") == "https://数据.example.cn/计划/"


def test_a_file_duckdb_cannot_read_back_is_named_without_duckdbs_error_labels(tmp_path, monkeypatch):
    """A read-back failure names the file and says what DuckDB found, not its error classes."""
    from pipeline.checks import readback
    from pipeline.errors import PlanDataError
    from pipeline.orchestration.run import run_build

    monkeypatch.setattr(readback, "MAX_ROW_BYTES", 2000)  # below the bundled notice's longest CSV line
    with pytest.raises(PlanDataError) as raised:
        run_build(copy_sources(tmp_path / "sources"), tmp_path / "outputs")
    message = str(raised.value)
    assert re.search(r": csv/\w+\.csv: format-error: ", message), message
    assert "Invalid Input Error" not in message and "Errno" not in message
