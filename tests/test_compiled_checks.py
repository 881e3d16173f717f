"""The checks compiled from schemas/ catch a row that breaks each kind of rule, and agree with Frictionless.

Each case copies the bundled release, breaks one cell of one written file (the
way a writer's bug would), and runs both validators on the result. The expected
row numbers are the broken row's, counted as Frictionless counts them (header = 1).
"""
from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.checks.package import check_package
from pipeline.publish.datapackage import resource_path

NOTICE_DOC_ID = "taizhou-anticorruption-2008-2012"


@pytest.fixture
def release(built_release, tmp_path) -> Path:
    target = tmp_path / "release"
    shutil.copytree(built_release / "latest", target, symlinks=False)
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target




def rel(table: str, fmt: str) -> str:
    """The path of a table's one file in a format."""
    return resource_path(table, fmt)


def data(release: Path, table: str, fmt: str) -> Path:
    return release / rel(table, fmt)


def descriptor_of(release: Path, keep: set[str] | None = None) -> dict:
    """The release's descriptor, hashes and sizes dropped (the files are broken on purpose). ``keep``
    names resources by table and format: ``tasks`` is the CSV file of tasks, ``tasks-json`` its JSON."""
    descriptor = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    resources = []
    for resource in descriptor["resources"]:
        resource.pop("hash", None)
        resource.pop("bytes", None)
        label = resource["table"] if resource["format"] == "csv" else f"{resource['table']}-{resource['format']}"
        if keep is None or label in keep:
            resources.append(resource)
    descriptor["resources"] = resources
    return descriptor


def edit_csv(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell; ``row`` counts the header as 1, as Frictionless does."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[row - 1][rows[0].index(column)] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def frictionless_errors(release: Path, descriptor: dict) -> set[tuple[str, int | None]]:
    from frictionless import Package, system

    (release / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    with system.use_context(trusted=False):
        report = Package(str(release / "datapackage.json")).validate()
    return {(error.type, getattr(error, "row_number", None)) for task in report.tasks for error in task.errors}


def compiled_errors(release: Path, descriptor: dict) -> set[tuple[str, int | None]]:
    return {(violation.rule.split("/")[0], violation.row) for violation in check_package(release, descriptor)}


# (file, row, column, printed value, the rule it breaks, frictionless's name for it)
CSV_CASES = [
    ("tasks", 5, "seq", "five", "type-error"),
    ("tasks", 5, "seq", "0", "constraint-error"),  # minimum 1
    ("tasks", 7, "title", "", "constraint-error"),  # required
    ("tasks", 9, "task_id", "3.x", "constraint-error"),  # pattern
    ("sections", 4, "level", "7", "constraint-error"),  # enum
    ("sections", 6, "line_end", "1.5", "type-error"),
    ("documents", 2, "issue_date", "2008-13-40", "type-error"),
    ("tasks", 3, "task_id", "2.1", "primary-key"),  # row 2 holds task 2.1 already
    ("tasks", 6, "section_id", "9.9", "foreign-key"),
]


@pytest.mark.parametrize("table, row, column, value, kind", CSV_CASES,
                         ids=[f"{case[0]}.{case[2]}={case[3] or 'empty'}" for case in CSV_CASES])
def test_each_rule_kind_is_caught_by_both_validators(release, table, row, column, value, kind):
    edit_csv(data(release, table, "csv"), row, column, value)
    descriptor = descriptor_of(release, keep={"documents", "sections", "tasks"})
    compiled = compiled_errors(release, descriptor)
    assert (kind, row) in compiled
    # The JSON and Parquet files still hold the original row, so the compiled checks
    # also see the CSV disagree with them; Frictionless does not compare formats.
    assert compiled - {(kind, row)} <= {("format-disagreement", None)}
    assert frictionless_errors(release, descriptor) == {(kind, row)}


def test_an_intact_release_has_no_violation(release):
    assert check_package(release, descriptor_of(release)) == []


def test_a_header_renamed_is_caught(release):
    path = data(release, "tasks", "csv")
    path.write_text(path.read_text(encoding="utf-8").replace("line_start", "start_line", 1), encoding="utf-8")
    violations = check_package(release, descriptor_of(release, keep={"tasks"}))
    assert [(v.rule, v.row) for v in violations] == [("header-error", 1)]


def test_a_json_number_written_as_text_is_caught(release):
    path = data(release, "tasks", "json")
    rows = json.loads(path.read_text(encoding="utf-8"))
    rows[3]["seq"] = str(rows[3]["seq"])
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    violations = check_package(release, descriptor_of(release, keep={"tasks-json"}))
    assert [(v.rule, v.column, v.row) for v in violations] == [("type-error/integer", "seq", 5)]


def test_a_json_null_written_as_the_string_nan_is_caught(release):
    path = data(release, "documents", "json")
    rows = json.loads(path.read_text(encoding="utf-8"))
    rows[0]["issue_date"] = "nan"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    violations = check_package(release, descriptor_of(release, keep={"documents-json"}))
    assert [(v.rule, v.column, v.row) for v in violations] == [("type-error/date", "issue_date", 2)]


def test_a_json_row_with_a_missing_key_is_caught(release):
    path = data(release, "sections", "json")
    rows = json.loads(path.read_text(encoding="utf-8"))
    del rows[0]["body"]
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    violations = check_package(release, descriptor_of(release, keep={"sections-json"}))
    assert [(v.rule, v.row) for v in violations] == [("key-error", 2)]


def test_a_parquet_column_of_the_wrong_type_is_caught(release):
    path = data(release, "tasks", "parquet")
    table = pq.read_table(path)
    index = table.schema.get_field_index("seq")
    table = table.set_column(index, "seq", pa.array([str(v) for v in table.column("seq").to_pylist()]))
    pq.write_table(table, path)
    violations = check_package(release, descriptor_of(release, keep={"tasks-parquet"}))
    assert [v.rule for v in violations] == ["type-error/schema"] and "seq string" in violations[0].value


def test_a_row_dropped_from_one_format_is_a_disagreement(release):
    path = data(release, "assignments", "csv")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")
    violations = check_package(release, descriptor_of(release, keep={"tasks", "assignments", "assignments-json",
                                                                      "assignments-parquet"}))
    assert {(v.path, v.rule, v.value) for v in violations} == {
        (f"json/assignments", "format-disagreement", f"1 row(s) not in csv/assignments"),
        (f"parquet/assignments", "format-disagreement", f"1 row(s) not in csv/assignments"),
    }


def test_a_missing_file_is_named(release):
    (data(release, "units", "parquet")).unlink()
    violations = check_package(release, descriptor_of(release, keep={"units-parquet"}))
    assert [(v.path, v.rule) for v in violations] == [("parquet/units.parquet", "missing-file")]


def test_the_blocking_check_catches_a_writer_bug_whose_output_was_hashed(release):
    """A writer that printed a wrong cell also hashed it: hashes agree, the rows do not."""
    from pipeline.checks.release_files import verify_release_files
    from pipeline.publish.checksums import sha256_file

    edit_csv(data(release, "tasks", "csv"), 4, "seq", "三")
    descriptor = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["path"] == rel("tasks", "csv"):
            resource["hash"] = f"sha256:{sha256_file(data(release, 'tasks', 'csv'))}"
            resource["bytes"] = data(release, "tasks", "csv").stat().st_size
    (release / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    verdict = verify_release_files(release, row_budget=10_000)
    assert verdict.errors[0] == f"{rel('tasks', 'csv')} row 4: type-error/integer in seq: 三"
    assert verdict.frictionless_rows  # a small release is also read by Frictionless, which agrees
    assert any(error.startswith(f"tasks row 4: type-error") for error in verdict.errors)


def test_the_blocking_check_passes_an_intact_release(release):
    from pipeline.checks.release_files import verify_release_files

    verdict = verify_release_files(release, row_budget=10_000)
    assert verdict.errors == [] and verdict.frictionless_rows and verdict.rows > 1000
    assert not verify_release_files(release, row_budget=1000).frictionless_rows


def test_a_cell_changed_in_one_format_is_a_disagreement_though_the_row_count_agrees(release):
    """The formats are first compared by a sum over row hashes; a changed cell must still be seen."""
    edit_csv(data(release, "tasks", "csv"), 6, "title", "另一个标题")
    violations = check_package(release, descriptor_of(release, keep={"sections", "tasks", "tasks-json"}))
    assert {(v.path, v.rule, v.value) for v in violations} == {
        (f"csv/tasks", "format-disagreement", f"1 row(s) not in json/tasks"),
        (f"json/tasks", "format-disagreement", f"1 row(s) not in csv/tasks"),
    }
