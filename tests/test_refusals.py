"""What is named like a source but is no regular file is refused by name, before any open that
could block; what --skip-broken leaves out (issue 16, defects 6, 12 and 13, and format characters
in file names)."""
from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from conftest import NOTICE, copy_sources
from pipeline.cli import main
from pipeline.core.decode import MAX_SOURCE_BYTES
from pipeline.errors import PlanDataError
from pipeline.orchestration.run import run_build
from pipeline.sources.discovery import list_notices, read_registry_files


@pytest.fixture
def no_blocking_open(monkeypatch):
    """An open of a FIFO that could block (without O_NONBLOCK) fails the test at once instead of hanging."""
    real = os.open

    def guarded(path, flags, *args, **kwargs):
        try:
            is_fifo = os.path.exists(path) and os.stat(path).st_mode & 0o170000 == 0o010000
        except (OSError, TypeError, ValueError):
            is_fifo = False
        if is_fifo and not flags & os.O_NONBLOCK:
            raise AssertionError(f"blocking open of the FIFO {path}")
        return real(path, flags, *args, **kwargs)
    monkeypatch.setattr(os, "open", guarded)


def _refused(sources: Path, outputs: Path, **options) -> str:
    with pytest.raises(PlanDataError) as raised:
        run_build(sources, outputs, **options)
    message = str(raised.value)
    assert "\n" not in message and "Errno" not in message and "Error" not in message.replace("PlanDataError", "")
    assert not (outputs / "latest").exists()
    return message


def _unix_socket(path: Path) -> socket.socket:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    return server


@pytest.mark.parametrize("skip_broken", [False, True])
def test_a_fifo_as_a_notices_sidecar_is_refused_by_name_without_blocking(tmp_path, no_blocking_open, skip_broken):
    sources = copy_sources(tmp_path / "sources")
    sidecar = sources / (NOTICE.stem + ".meta.json")
    os.mkfifo(sidecar)
    if skip_broken:
        # Left out like any broken notice; the other notice is published.
        copy_sources(sources, notice_name="other.txt")
        outcome = run_build(sources, tmp_path / "outputs", skip_broken=True)
        assert [(item["file"], "FIFO" in item["message"], sidecar.name in item["message"])
                for item in outcome.skipped] == [(NOTICE.name, True, True)]
        return
    message = _refused(sources, tmp_path / "outputs")
    assert f"{sidecar.name}: is a FIFO (named pipe), not a regular file" in message


def test_a_fifo_named_like_a_notice_is_refused_not_skipped(tmp_path, no_blocking_open):
    sources = copy_sources(tmp_path / "sources")
    os.mkfifo(sources / "x.txt")
    message = _refused(sources, tmp_path / "outputs")
    assert message == ("build failed, nothing published: x.txt: is a FIFO (named pipe), not a regular file: "
                       "not read; remove it or replace it with the file")
    with pytest.raises(PlanDataError, match=r"^x\.txt: is a FIFO"):
        list_notices(sources)


def test_a_socket_and_a_directory_named_like_a_notice_are_refused(tmp_path):
    sources = copy_sources(tmp_path / "sources")
    server = _unix_socket(sources / "x.txt")
    try:
        with pytest.raises(PlanDataError, match=r"^x\.txt: is a socket, not a regular file"):
            list_notices(sources)
    finally:
        server.close()
    (sources / "x.txt").unlink()
    (sources / "y.txt").mkdir()
    (sources / "y.txt" / "inner.txt").write_bytes(NOTICE.read_bytes())
    assert "y.txt: is a directory, not a regular file" in _refused(sources, tmp_path / "outputs")
    (sources / "y.txt" / "inner.txt").rename(sources / "inner.txt")
    (sources / "y.txt").rmdir()
    (sources / "folder").mkdir()
    (sources / "y.txt").symlink_to("folder")
    with pytest.raises(PlanDataError, match=r"^y\.txt: is a symbolic link to a directory, not a regular file"):
        list_notices(sources)


def test_a_link_to_a_fifo_inside_the_sources_is_refused_as_a_fifo(tmp_path, no_blocking_open):
    sources = copy_sources(tmp_path / "sources")
    os.mkfifo(sources / ".pipe")
    (sources / "linked.txt").symlink_to(".pipe")
    with pytest.raises(PlanDataError, match=r"^linked\.txt: is a FIFO"):
        list_notices(sources)


@pytest.mark.parametrize("make", ["directory", "fifo"])
def test_a_registry_file_that_is_no_regular_file_is_refused(tmp_path, no_blocking_open, make):
    """Not read as "no registry", which would publish every unit unresolved (or fail on an unknown unit_id)."""
    sources = copy_sources(tmp_path / "sources")
    units = sources / "units.csv"
    units.unlink()
    units.mkdir() if make == "directory" else os.mkfifo(units)
    with pytest.raises(PlanDataError) as raised:
        read_registry_files(sources)
    assert str(raised.value).startswith(f"{units}: is a {'directory' if make == 'directory' else 'FIFO'}")
    assert "units.csv: is a" in _refused(sources, tmp_path / "outputs", skip_broken=True)


def test_a_directory_as_a_sidecar_is_refused_naming_it(tmp_path):
    sources = copy_sources(tmp_path / "sources")
    (sources / (NOTICE.stem + ".meta.json")).mkdir()
    message = _refused(sources, tmp_path / "outputs")
    assert f"{NOTICE.stem}.meta.json: is a directory, not a regular file" in message
    assert "21" not in message and ": 7" not in message


def test_skip_broken_leaves_out_an_oversize_notice_and_an_invalid_sidecar(tmp_path, capsys):
    sources = copy_sources(tmp_path / "sources")
    published = copy_sources(sources, notice_name="kept.txt")
    outputs = tmp_path / "outputs"
    assert main(["build", "--sources", str(sources), "--outputs", str(outputs)]) == 0
    (published / "kept.meta.json").write_text('{"licence": "CC-BY-4.0"}', encoding="utf-8")  # a misspelt key
    with open(sources / "huge.txt", "wb") as handle:
        handle.truncate(MAX_SOURCE_BYTES + 1)  # sparse: nothing is written, nothing is read
    capsys.readouterr()
    assert main(["build", "--sources", str(sources), "--outputs", str(outputs)]) == 1
    error = capsys.readouterr().err
    assert "huge.txt" in error or "kept.meta.json" in error
    assert main(["build", "--sources", str(sources), "--outputs", str(outputs), "--skip-broken"]) == 0
    skipped = sorted(line for line in capsys.readouterr().out.splitlines() if line.startswith("Skipped:"))
    assert len(skipped) == 2, skipped
    assert skipped[0].startswith(f"Skipped: huge.txt: file is {MAX_SOURCE_BYTES + 1} bytes, over the")
    assert skipped[0].endswith("(not published)")
    assert skipped[1].startswith("Skipped: kept.txt: kept.meta.json: metadata sidecar has unknown key(s) 'licence'")
    assert skipped[1].endswith("(previous rows kept, marked stale)")


@pytest.mark.parametrize("char", ["\u202e", "\u200b", "\ufeff", "\u2066"])
def test_a_format_character_in_a_file_name_is_refused_and_shown_escaped(tmp_path, char):
    sources = copy_sources(tmp_path / "sources", notice_name=f"plan{char}txt.txt")
    escaped = char.encode("unicode_escape").decode("ascii")
    message = _refused(sources, tmp_path / "outputs")
    assert (f"plan{escaped}txt.txt: file name holds control characters (a line break, a terminal escape) "
            "or format characters") in message
    assert char not in message
