"""datapackage.json (Data Package v2) derived from schemas/, and its Frictionless validation."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow as pa

from pipeline.provenance import source_of
from pipeline.publish.checksums import sha256_file
from pipeline.schema import package_descriptor, table_specs

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
_MEDIATYPES = {"csv": "text/csv", "json": "application/json", "parquet": "application/vnd.apache.parquet"}


def _resource(name: str, fmt: str, directory: Path, rows: int) -> dict:
    spec = table_specs()[name]
    path = f"{fmt}/{name}.{fmt}"
    resource = {
        "name": name if fmt == "csv" else f"{name}-{fmt}",
        # frictionless-py 5.21 cannot read an empty JSON array as a table ("cannot extract
        # JSON tabular data") although the spec allows it. An empty table's JSON file stays
        # `[]`, declared as a JSON resource (its hash still checked, its schema still given);
        # its CSV and Parquet resources are validated as tables.
        "type": "json" if fmt == "json" and rows == 0 else "table",
        "path": path,
        "format": fmt,
        "mediatype": _MEDIATYPES[fmt],
        "title": spec.descriptor["title"],
        "title_zh": spec.descriptor["title_zh"],
        "description": spec.descriptor["description"],
        "description_zh": spec.descriptor["description_zh"],
    }
    if fmt == "csv":
        resource["encoding"] = "utf-8"
        # frictionless-py counts bytes only of text streams it reads itself; a declared
        # `bytes` on JSON or Parquet fails as "actual is None". Their hashes are
        # checked by check_file_hashes instead.
        resource["bytes"] = (directory / path).stat().st_size
    elif fmt == "json":
        resource["encoding"] = "utf-8"
    resource["hash"] = f"sha256:{sha256_file(directory / path)}"
    schema = _publishable_schema(spec.table_schema())
    resource["schema"] = _parquet_schema(schema) if fmt == "parquet" else schema
    return resource


def _parquet_schema(schema: dict) -> dict:
    """frictionless-py reads Parquet through pandas, which turns a null in an integer column
    into NaN, and then fails the cell "nan" as no integer. An int64 column holds no NaN, so
    reading "nan" as missing in a nullable integer field of a Parquet resource is exact."""
    fields = [{**field, "missingValues": ["", "nan"]}
              if field["type"] == "integer" and not field.get("constraints", {}).get("required") else field
              for field in schema["fields"]]
    return {**schema, "fields": fields}


def _publishable_schema(schema: dict) -> dict:
    """frictionless-py 5.21 fails a composite foreign key whose nullable part is null
    (a chapter's parent in sections). DuckDB enforces the full key; the package
    declares the nullable columns alone, which frictionless skips when null."""
    required = {f["name"] for f in schema["fields"] if f.get("constraints", {}).get("required")}
    keys = []
    for fk in schema.get("foreignKeys", []):
        nullable = [i for i, name in enumerate(fk["fields"]) if name not in required]
        if len(fk["fields"]) > 1 and nullable:
            fk = {"fields": [fk["fields"][i] for i in nullable],
                  "reference": {"resource": fk["reference"]["resource"],
                                "fields": [fk["reference"]["fields"][i] for i in nullable]}}
        keys.append(fk)
    return {**schema, "foreignKeys": keys} if keys else schema


def _sources(tables: dict[str, pa.Table]) -> list[dict]:
    """The notices (from the documents table), then each registry file a table was read from."""
    sources = [{"title": doc["title"] or doc["source_file"], "path": f"sources/{doc['source_file']}",
                "sha256": doc["source_sha256"]} for doc in tables["documents"].to_pylist()]
    for name, spec in table_specs().items():
        source = source_of(tables[name])
        if source is not None:
            sources.append({"title": f"{spec.descriptor['title']} (unit registry)",
                            "path": f"sources/{source['file']}", "sha256": source["sha256"]})
    return sources


def build_descriptor(directory: Path, tables: dict[str, pa.Table], homepage: str | None = None) -> dict:
    """``homepage`` is the published address (--base-url): part of the content, so that a release
    moved to a new address is a new release whose pages and portal metadata point there."""
    package = {key: value for key, value in package_descriptor().items() if key != "table_order"}
    if homepage:
        package["homepage"] = homepage
    resources = [_resource(name, fmt, directory, tables[name].num_rows)
                 for name in table_specs() for fmt in ("csv", "json", "parquet")]
    descriptor = {"$schema": PROFILE, **package}
    descriptor["sources"] = _sources(tables)
    descriptor["resources"] = resources
    # version names the content: a hash over everything else in the descriptor,
    # which already holds every data file's sha256. No timestamp, no sequence number.
    canonical = json.dumps(descriptor, ensure_ascii=False, sort_keys=True).encode("utf-8")
    descriptor["version"] = hashlib.sha256(canonical).hexdigest()[:12]
    return descriptor


def write_descriptor(directory: Path, descriptor: dict) -> Path:
    path = directory / "datapackage.json"
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def validate_package(directory: Path) -> list[str]:
    """Frictionless errors as one-line strings; empty when valid. A partial report counts as failed."""
    from frictionless import Package, system  # heavy import: only when validating

    with system.use_context(trusted=False):
        report = Package(str(directory / "datapackage.json")).validate()
    errors = []
    for task in report.tasks:
        for error in task.errors:
            row = getattr(error, "row_number", None)
            where = f"{task.name}" + (f" row {row}" if row else "")
            errors.append(f"{where}: {error.type}: {error.message}")
    errors.extend(f"package: {error.type}: {error.message}" for error in report.errors)
    # frictionless-py 5 marks a partial report ("reached error limit: 1000", or a
    # row limit) with task warnings; anything short of a full read is a failure.
    errors.extend(f"{task.name}: report is partial, treated as failed: {warning}"
                  for task in report.tasks for warning in task.warnings)
    if not errors and not report.valid:
        errors.append("frictionless reports the package invalid without naming an error")
    return errors


def validate_descriptor(descriptor: dict) -> list[str]:
    """Frictionless's verdict on datapackage.json itself (profile, schemas, keys), without reading rows."""
    from frictionless import Package

    report = Package.validate_descriptor(descriptor)
    return [f"datapackage.json: {error.type}: {error.message}" for error in report.errors]


def check_file_hashes(directory: Path, descriptor: dict) -> list[str]:
    problems = []
    for resource in descriptor["resources"]:
        actual = f"sha256:{sha256_file(directory / resource['path'])}"
        if actual != resource["hash"]:
            problems.append(f"{resource['path']}: hash {actual} differs from datapackage.json")
    return problems
