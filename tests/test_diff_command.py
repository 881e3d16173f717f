"""`plandata diff` through pipeline.cli.main: matching doc ids of notice files, and corrupt releases.

Releases here are written by `write_release` (datapackage.json and json/ tables, as a build lays
them out), so these tests need no build and run in-process.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from conftest import NOTICE, SOURCES
from pipeline.changes.log import INPUT_TABLES
from pipeline.cli import main
from pipeline.core.notice import doc_id_from_filename, parse_notice
from pipeline.core.registry import UnitRegistry

DOC_ID = doc_id_from_filename(NOTICE.name)
EDIT = ("牵头单位：市教育局\n", "牵头单位：市教育局、市监察局\n")  # 五（二）2 gains a lead unit
ADDED = ["task", "units_changed", "5.2.2", "5.2.2"]


@pytest.fixture(scope="module")
def registry() -> UnitRegistry:
    return UnitRegistry.from_csv((SOURCES / "units.csv").read_text(encoding="utf-8"),
                                 (SOURCES / "unit_aliases.csv").read_text(encoding="utf-8"))


def write_release(directory: Path, tables: dict[str, list[dict]]) -> Path:
    (directory / "json").mkdir(parents=True)
    resources = [{"name": f"{name}-json", "table": name, "format": "json", "path": f"json/{name}.json"}
                 for name in INPUT_TABLES]
    (directory / "datapackage.json").write_text(json.dumps({"name": "plan", "resources": resources}),
                                                encoding="utf-8")
    for name in INPUT_TABLES:
        rows = [{key: value.isoformat() if isinstance(value, dt.date) else value for key, value in row.items()}
                for row in tables[name]]
        (directory / "json" / f"{name}.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return directory


@pytest.fixture(scope="module")
def release(tmp_path_factory, registry) -> Path:
    """The bundled notice published under the doc_id a build gives it."""
    tables = parse_notice(NOTICE.read_bytes(), NOTICE.name, registry).tables
    assert tables["documents"][0]["doc_id"] == DOC_ID
    return write_release(tmp_path_factory.mktemp("release") / "0001-aaaaaaaa", tables)


@pytest.fixture
def amended_txt(tmp_path) -> Path:
    """The amended notice saved under another name, as a publisher drafts it."""
    path = tmp_path / "notice.txt"
    path.write_text(NOTICE.read_text(encoding="utf-8").replace(*EDIT), encoding="utf-8")
    return path


def diff(capsys, old: Path, new: Path) -> tuple[int, list[list[str]], str]:
    code = main(["diff", str(old), str(new), "--sources", str(SOURCES)])
    captured = capsys.readouterr()
    body = [line.split()[:4] for line in captured.out.splitlines()[2:]]
    return code, body, captured.err


def test_release_against_a_notice_under_another_name(capsys, release, amended_txt):
    code, body, err = diff(capsys, release, amended_txt)
    assert code == 0
    assert body == [ADDED, ["assignment", "added", "5.2.2/lead/市监察局", "牵头单位"]]  # old_id is empty
    assert err.strip() == (f"note: notice.txt (doc_id 'notice') is compared with document '{DOC_ID}' "
                           f"of {release}, the only one there")


def test_notice_under_another_name_against_a_release(capsys, release, amended_txt):
    code, body, err = diff(capsys, amended_txt, release)
    assert code == 0
    assert body == [ADDED, ["assignment", "removed", "5.2.2/lead/市监察局", "牵头单位"]]
    assert "notice.txt (doc_id 'notice') is compared with document" in err


def test_a_notice_under_its_published_name_needs_no_note(capsys, release, tmp_path):
    same_name = tmp_path / NOTICE.name
    same_name.write_text(NOTICE.read_text(encoding="utf-8").replace(*EDIT), encoding="utf-8")
    code, body, err = diff(capsys, release, same_name)
    assert (code, body[0], err) == (0, ADDED, "")


def test_two_notices_under_different_names(capsys, tmp_path, amended_txt):
    old = tmp_path / "old-draft.txt"
    old.write_text(NOTICE.read_text(encoding="utf-8"), encoding="utf-8")
    code, body, err = diff(capsys, old, amended_txt)
    assert code == 0 and body[0] == ADDED and len(body) == 2
    assert "notice.txt (doc_id 'notice') is compared with document 'old-draft'" in err


def test_a_notice_matching_none_of_several_documents_is_refused(capsys, tmp_path, registry, amended_txt):
    tables = parse_notice(NOTICE.read_bytes(), NOTICE.name, registry).tables
    other = parse_notice(NOTICE.read_bytes(), "other-plan.txt", registry).tables
    release = write_release(tmp_path / "0002-bbbbbbbb", {name: tables[name] + other[name] for name in tables})
    for args in ((release, amended_txt), (amended_txt, release)):
        code, body, err = diff(capsys, *args)
        assert code == 1 and body == []
        assert err.strip() == (f"error: {amended_txt}: gives doc_id 'notice', which is none of the 2 documents of "
                               f"{release} (other-plan, {DOC_ID}); name the file after the document it amends")


# -- corrupt releases: one line naming the file, exit 1 ------------------------------------------

def _truncate_tasks(release: Path) -> Path:
    path = release / "json" / "tasks.json"
    path.write_bytes(path.read_bytes()[:100])
    return path


def _remove_json_folder(release: Path) -> Path:
    for path in (release / "json").iterdir():
        path.unlink()
    (release / "json").rmdir()
    return release / "json"


def _garbage_datapackage(release: Path) -> Path:
    path = release / "datapackage.json"
    path.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    return path


def _datapackage_not_an_object(release: Path) -> Path:
    path = release / "datapackage.json"
    path.write_text("[1, 2]", encoding="utf-8")
    return path


def _documents_not_a_list(release: Path) -> Path:
    path = release / "json" / "documents.json"
    path.write_text('{"doc_id": "x"}', encoding="utf-8")
    return path


def _sections_missing(release: Path) -> Path:
    path = release / "json" / "sections.json"
    path.unlink()
    return path


def _rows_not_objects(release: Path) -> Path:
    path = release / "json" / "assignments.json"
    path.write_text('[["5.2.2", "lead"]]', encoding="utf-8")
    return path


@pytest.mark.parametrize("corrupt", [_truncate_tasks, _remove_json_folder, _garbage_datapackage,
                                     _datapackage_not_an_object, _documents_not_a_list, _sections_missing,
                                     _rows_not_objects])
@pytest.mark.parametrize("side", ["old", "new"])
def test_a_corrupt_release_is_one_line_naming_the_file(capsys, tmp_path, registry, release, corrupt, side):
    import shutil

    broken = Path(shutil.copytree(release, tmp_path / "broken"))
    named = corrupt(broken)
    good = release
    code = main(["diff", *((str(broken), str(good)) if side == "old" else (str(good), str(broken)))])
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert code == 1 and captured.out == ""
    assert len(lines) == 1 and lines[0].startswith(f"error: {named}")
    assert "Error" not in lines[0] and "Traceback" not in lines[0]
