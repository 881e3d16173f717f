"""Thin Dagster assets: they call the core, attach metadata, and hand Arrow tables on."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import pyarrow as pa
from pydantic import PrivateAttr

from pipeline.checks.release_files import verify_release_files
from pipeline.extract import extract
from pipeline.progress import step
from pipeline.publish.assemble import write_data_files, write_plan_database
from pipeline.publish.finalize import finalize
from pipeline.publish.release import STAGING_PREFIX, build_lock, remove_tree
from pipeline.render.markdown import table as markdown_table
from pipeline.schema import TableSpec, table_specs
from pipeline.site.base_url import DEFAULT_BASE_URL, resolve_base_url
from pipeline.sources import read_sources

SPECS = table_specs()
PREVIEW_ROWS = 10


class PlanBuild(dg.ConfigurableResource):
    """Where the build reads and writes. Holds the outputs lock for the whole run."""

    sources_dir: str = "sources"
    outputs_dir: str = "outputs"
    lock_wait_seconds: float = 0.0
    show_progress: bool = False
    # Where the outputs folder is published (--base-url); empty: PLANDATA_BASE_URL, else the placeholder.
    base_url: str = ""
    _run_id: str = PrivateAttr(default="adhoc")
    _repairs: list = PrivateAttr(default_factory=list)

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext):
        self._run_id = context.run.run_id if context.run else "adhoc"
        with build_lock(Path(self.outputs_dir), self.lock_wait_seconds) as repairs:
            self._repairs = repairs
            for repair in repairs:
                self.step(f"Repaired: {repair}")
            try:
                yield self
            finally:
                # Published staging was renamed away; anything left is a failed build's.
                remove_tree(self.staging)

    @property
    def staging(self) -> Path:
        return Path(self.outputs_dir) / f"{STAGING_PREFIX}{self._run_id}"

    def step(self, message: str) -> None:
        step(message, self.show_progress)

    @property
    def resolved_base_url(self) -> str:
        return resolve_base_url(self.base_url or None)

    @property
    def homepage(self) -> str | None:
        """The base URL as datapackage.json's homepage, unless it is still the placeholder."""
        return None if self.resolved_base_url == DEFAULT_BASE_URL else self.resolved_base_url


def column_schema(spec: TableSpec) -> dg.TableSchema:
    return dg.TableSchema(columns=[
        dg.TableColumn(
            name=field["name"], type=field["type"],
            description=f"{field['title_zh']} / {field['title']}: {field['description']}",
            constraints=dg.TableColumnConstraints(
                nullable=not field.get("constraints", {}).get("required", False)),
        ) for field in spec.fields
    ])


def table_metadata(spec: TableSpec, table: pa.Table) -> dict:
    preview = table.slice(0, PREVIEW_ROWS).to_pylist()
    return {
        "dagster/row_count": table.num_rows,
        "dagster/column_schema": column_schema(spec),
        "preview": dg.MetadataValue.md(markdown_table(spec.columns, [list(r.values()) for r in preview])),
    }


@dg.multi_asset(
    outs={name: dg.AssetOut(description=f"{spec.descriptor['title_zh']} / {spec.descriptor['description']}",
                            kinds={"arrow"}, group_name="tables",
                            metadata={"dagster/column_schema": column_schema(spec)})
          for name, spec in SPECS.items()},
    deps=["source_files"],
    can_subset=False,
)
def notice_tables(plan_build: PlanBuild):
    """Parse every notice in the sources directory with the unit registry."""
    notices, registry = read_sources(Path(plan_build.sources_dir))
    plan_build.step(f"Parsing {len(notices)} notice(s) from {plan_build.sources_dir}")
    extracted = extract(notices, registry)
    for name, table in extracted.items():
        metadata = table_metadata(SPECS[name], table)
        if name == "findings":
            metadata.update(findings_metadata(table))
        yield dg.Output(table, output_name=name, metadata=metadata)


def findings_metadata(findings: pa.Table) -> dict:
    """Counts by severity and by kind, so that the asset page shows what the text got wrong."""
    metadata: dict = {}
    for column, prefix in (("severity", "severity"), ("kind", "kind")):
        for value in findings.column(column).to_pylist():
            key = f"{prefix}/{value}"
            metadata[key] = metadata.get(key, 0) + 1
    return dict(sorted(metadata.items()))


def _findings_message(findings: pa.Table, documents: pa.Table) -> list[str]:
    files = dict(zip(documents.column("doc_id").to_pylist(), documents.column("source_file").to_pylist()))
    lines = []
    for row in findings.to_pylist():
        if row["severity"] == "error":
            where = files.get(row["doc_id"], row["doc_id"]) + (f":{row['line']}" if row["line"] else "")
            lines.append(f"{where}: {row['kind']}: {row['message']}")
    return lines


@dg.asset_check(asset="findings", blocking=True, additional_ins={"documents": dg.AssetIn("documents")},
                description="No finding of error severity: an error stops publishing.")
def no_error_findings(findings: pa.Table, documents: pa.Table) -> dg.AssetCheckResult:
    errors = _findings_message(findings, documents)
    counts: dict[str, int] = {}
    for kind in findings.column("kind").to_pylist():
        counts[kind] = counts.get(kind, 0) + 1
    return dg.AssetCheckResult(passed=not errors, description=errors[0] if errors else "no error findings",
                               metadata={"errors": len(errors), **{f"kind/{k}": v for k, v in sorted(counts.items())}})


_TABLE_INS = {name: dg.AssetIn(name) for name in SPECS}


@dg.asset(ins=_TABLE_INS, kinds={"duckdb"}, group_name="release")
def plan_database(plan_build: PlanBuild, **tables: pa.Table) -> dg.MaterializeResult:
    """plan.duckdb with every table, its primary and foreign keys, checks and comments."""
    plan_build.step("Loading tables into DuckDB (keys enforced)")
    plan_build.staging.mkdir(parents=True, exist_ok=True)
    path = write_plan_database(plan_build.staging, tables)
    return dg.MaterializeResult(metadata={"path": str(path), "bytes": path.stat().st_size,
                                          **{f"rows/{n}": t.num_rows for n, t in tables.items()}})


@dg.asset(ins=_TABLE_INS, kinds={"parquet", "csv", "json"}, group_name="release")
def release_files(plan_build: PlanBuild, **tables: pa.Table) -> dg.MaterializeResult:
    """CSV, Excel CSV, JSON and Parquet for every table, and datapackage.json, in staging."""
    plan_build.step("Writing Parquet, CSV and JSON files and datapackage.json")
    plan_build.staging.mkdir(parents=True, exist_ok=True)
    descriptor = write_data_files(plan_build.staging, tables, plan_build.homepage)
    return dg.MaterializeResult(metadata={"version": descriptor["version"],
                                          "resources": len(descriptor["resources"])})


@dg.asset_check(asset=release_files, blocking=True,
                description="datapackage.json is valid, every file matches its sha256, and every row of every "
                            "CSV, JSON and Parquet file passes the checks compiled from schemas/ (and "
                            "Frictionless's own row validation while the release is small).")
def release_files_valid(plan_build: PlanBuild) -> dg.AssetCheckResult:
    plan_build.step("Validating the release files (compiled checks and Frictionless)")
    verdict = verify_release_files(plan_build.staging)
    return dg.AssetCheckResult(passed=not verdict.errors,
                               description=verdict.errors[0] if verdict.errors else "valid",
                               metadata={"errors": len(verdict.errors), "rows": verdict.rows,
                                         "frictionless_rows": verdict.frictionless_rows})


@dg.asset(deps=[plan_database, release_files, "findings"], group_name="release")
def release(plan_build: PlanBuild) -> dg.MaterializeResult:
    """Change log, quality report and checksums; then move staging into releases/ and switch latest."""
    published = finalize(Path(plan_build.outputs_dir), plan_build.staging, plan_build.resolved_base_url)
    plan_build.step(("Published new release " if published.new else "Unchanged since release ")
                    + published.release_id)
    return dg.MaterializeResult(metadata={"release_id": published.release_id, "new": published.new,
                                          "path": str(published.path),
                                          "repairs": dg.MetadataValue.json(list(plan_build._repairs))})
