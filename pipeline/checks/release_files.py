"""The blocking check on a staged release: everything a build writes is verified before it is published.

1. Frictionless validates datapackage.json itself (profile, schemas, keys).
2. Every file matches the sha256 the descriptor gives it.
3. The checks compiled from schemas/ run over every row of every CSV, JSON and
   Parquet file, read back from disk (pipeline/checks/package.py).
4. Frictionless also validates every row when the release has at most
   PLANDATA_FRICTIONLESS_ROWS rows per format (default 0: never). It reads about
   20,000 rows a second on one core and costs 2 s even for the bundled notice, twice
   the rest of a build, while the compiled checks agree with it on every kind of rule
   (tests/test_compiled_checks.py). CI runs `frictionless validate` over the committed
   release instead (tests/test_release.py), as a publisher would.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from pipeline.checks.package import check_package, resource_paths
from pipeline.errors import PlanDataError
from pipeline.publish.datapackage import check_file_hashes, validate_descriptor, validate_package

ROW_BUDGET_VARIABLE = "PLANDATA_FRICTIONLESS_ROWS"


def frictionless_row_budget() -> int:
    value = os.environ.get(ROW_BUDGET_VARIABLE, "0")
    if not value.isdigit():
        raise PlanDataError(f"{ROW_BUDGET_VARIABLE}={value!r} is not a whole number of rows")
    return int(value)


@dataclass(frozen=True)
class Verdict:
    errors: list[str]
    rows: int  # data rows per format, all tables
    frictionless_rows: bool  # whether Frictionless also read every row


def rows_in(directory: Path, descriptor: dict) -> int:
    return sum(pq.read_metadata(directory / path).num_rows
               for resource in descriptor["resources"] if resource["format"] == "parquet"
               for path in resource_paths(resource))


def verify_release_files(directory: Path, row_budget: int | None = None,
                         checked: frozenset[str] = frozenset()) -> Verdict:
    """``checked``: resources whose rows were checked when their shard was written (or by the build
    of the release they are hard-linked from; their sha256 is checked here all the same)."""
    descriptor = json.loads((directory / "datapackage.json").read_text(encoding="utf-8"))
    errors = validate_descriptor(descriptor) + check_file_hashes(directory, descriptor)
    if errors:  # files that are not what the descriptor says are not worth reading row by row
        return Verdict(errors, 0, False)
    errors = [str(violation) for violation in check_package(directory, descriptor, checked)]
    rows = rows_in(directory, descriptor)
    full = rows <= (frictionless_row_budget() if row_budget is None else row_budget)
    if full:
        errors += validate_package(directory)
    return Verdict(errors, rows, full)
