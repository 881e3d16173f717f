"""code_version's PARTS name the files behind each output: a name that no longer exists (a module moved
without updating PARTS) must be an error, or the parse cache and reused pages would silently go stale."""
from __future__ import annotations

import pytest

from pipeline.orchestration import code_version as cv


def test_every_part_names_files_that_exist():
    for part in cv.PARTS:
        assert cv._files(part), part


def test_a_path_that_no_longer_exists_is_an_error(monkeypatch):
    monkeypatch.setitem(cv.PARTS, "parser", (*cv.PARTS["parser"], "pipeline/moved_away.py"))
    cv.code_version.cache_clear()
    try:
        with pytest.raises(FileNotFoundError, match="pipeline/moved_away.py"):
            cv.code_version("parser")
    finally:
        cv.code_version.cache_clear()
