"""An outputs folder that cannot be locked or written: one clean line, no traceback, nothing
changed (issue 16, defects 7 and 12). Tests run as root, which ignores file modes: read-only
outputs and a full disk are injected as EROFS, EACCES and ENOSPC at the call that would raise them."""
from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import pytest

from conftest import copy_sources
from pipeline.cli import main
from pipeline.publish import release as release_module
from pipeline.publish import release_index
from release_helpers import snapshot
from test_prune import four  # noqa: F401  (fixture)

ONE_LINE = re.compile(r"error: [^\n]+\n")


def _clean(err: str) -> str:
    assert ONE_LINE.fullmatch(err), err
    assert "Traceback" not in err and "Errno" not in err and "Error:" not in err
    return err


def test_a_directory_in_place_of_the_lock_is_one_line_for_prune_and_build(four, tmp_path, capsys):  # noqa: F811
    (four / ".lock").unlink()
    (four / ".lock").mkdir()
    before = snapshot(four / "releases")
    assert main(["prune", "--keep", "1", "--outputs", str(four)]) == 1
    err = _clean(capsys.readouterr().err)
    assert f"{four / '.lock'}: cannot open the build lock (Is a directory)" in err
    sources = copy_sources(tmp_path / "sources")
    assert main(["build", "--sources", str(sources), "--outputs", str(four)]) == 1
    err = capsys.readouterr().err.split("\n", 1)[1]  # after the "plandata build: …" line
    assert f"{four / '.lock'}: cannot open the build lock (Is a directory)" in _clean(err)
    assert snapshot(four / "releases") == before


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES])
def test_read_only_outputs_are_one_line_for_prune(four, monkeypatch, capsys, code):  # noqa: F811
    real_open = Path.open

    def refusing(self, *args, **kwargs):
        if self.name == ".lock":
            raise OSError(code, os.strerror(code), str(self))
        return real_open(self, *args, **kwargs)
    monkeypatch.setattr(Path, "open", refusing)
    before = snapshot(four / "releases")
    assert main(["prune", "--keep", "1", "--outputs", str(four)]) == 1
    err = _clean(capsys.readouterr().err)
    assert f"cannot open the build lock ({os.strerror(code)})" in err
    assert snapshot(four / "releases") == before


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES])
def test_outputs_that_cannot_be_tidied_under_the_lock_are_one_line(four, monkeypatch, capsys, code):  # noqa: F811
    """The lock opens, but what it repairs first (the index, leftovers) cannot be written."""
    (four / "releases" / "index.json").unlink()  # the lock rebuilds it: a write

    def refusing(path, text):
        raise OSError(code, os.strerror(code), str(path))
    monkeypatch.setattr(release_index, "_write_atomic", refusing)
    assert main(["prune", "--keep", "1", "--outputs", str(four)]) == 1
    err = _clean(capsys.readouterr().err)
    assert "cannot tidy the outputs directory before starting" in err and os.strerror(code) in err


def test_prune_on_a_read_only_releases_folder_is_one_line(four, monkeypatch, capsys):  # noqa: F811
    before = snapshot(four / "releases")

    def refusing(source, target):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(source))
    monkeypatch.setattr(os, "rename", refusing)
    assert main(["prune", "--keep", "1", "--outputs", str(four)]) == 1
    err = _clean(capsys.readouterr().err)
    assert "cannot move" in err and "Read-only file system" in err
    after = snapshot(four / "releases")
    # The fingerprints are a cache of inodes, refreshed for a copied outputs folder: not a release's content.
    for entries in (before, after):
        entries.pop(".fingerprints.json", None)
    assert after == before
