"""datapackage.json (Data Package v2) derived from schemas/, and its Frictionless validation."""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import pyarrow as pa

from pipeline.extraction.provenance import source_of
from pipeline.publish.checksums import sha256_file
from pipeline.schema import table_specs
from pipeline.sources.discovery import REGISTRY_FILES

REGISTRY_TABLE_NAMES = tuple(file_name.removesuffix(".csv") for file_name in REGISTRY_FILES)
# The tables whose rows come from notices (each starts with doc_id), in the package's order: one file a shard.
NOTICE_TABLE_NAMES = tuple(name for name in table_specs() if name not in REGISTRY_TABLE_NAMES)

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
_MEDIATYPES = {"csv": "text/csv", "json": "application/json", "parquet": "application/vnd.apache.parquet"}


DATA_FORMATS = ("csv", "json", "parquet")


def resource_path(table: str, fmt: str, shard: str | None = None) -> str:
    """Where a table's file is: ``csv/units.csv``, or for a per-notice table ``csv/tasks/3.csv``."""
    extension = "csv" if fmt == "excel" else fmt
    return f"{fmt}/{table}.{extension}" if shard is None else f"{fmt}/{table}/{shard}.{extension}"


def resource_name(table: str, fmt: str, shard: str | None = None) -> str:
    """Lowercase ASCII, unique: ``tasks-3`` for CSV, ``tasks-3-json`` and ``tasks-3-parquet``."""
    base = table if shard is None else f"{table}-{shard}"
    return base if fmt == "csv" else f"{base}-{fmt}"


def make_resource(directory: Path, name: str, fmt: str, rows: int, shard: str | None = None) -> dict:
    """The resource of one written file: ``name`` is the table, ``shard`` its shard (None: one file)."""
    spec = table_specs()[name]
    path = resource_path(name, fmt, shard)
    resource = {
        "name": resource_name(name, fmt, shard),
        # frictionless-py 5.21 cannot read an empty JSON array as a table ("cannot extract
        # JSON tabular data") although the spec allows it. An empty table's JSON file stays
        # `[]`, declared as a JSON resource (its hash still checked, its schema still given);
        # its CSV and Parquet resources are validated as tables.
        "type": "json" if fmt == "json" and rows == 0 else "table",
        "path": path,
        "format": fmt,
        "mediatype": _MEDIATYPES[fmt],
        "title": spec.descriptor["title"] + (f" (shard {shard})" if shard else ""),
        "title_zh": spec.descriptor["title_zh"] + (f"（分片 {shard}）" if shard else ""),
        "description": spec.descriptor["description"],
        "description_zh": spec.descriptor["description_zh"],
        "table": name,
    }
    if shard is not None:
        resource["shard"] = shard
    if fmt == "csv":
        resource["encoding"] = "utf-8"
        # frictionless-py counts bytes only of text streams it reads itself; a declared
        # `bytes` on JSON or Parquet fails as "actual is None". Their hashes are
        # checked by check_file_hashes instead.
        resource["bytes"] = (directory / path).stat().st_size
    elif fmt == "json":
        resource["encoding"] = "utf-8"
    resource["hash"] = f"sha256:{sha256_file(directory / path)}"
    schema = _publishable_schema(spec.table_schema(), shard)
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


def _publishable_schema(schema: dict, shard: str | None = None) -> dict:
    """frictionless-py 5.21 fails a composite foreign key whose nullable part is null
    (a chapter's parent in sections). DuckDB enforces the full key; the package
    declares the nullable columns alone, which frictionless skips when null.

    A shard's keys reference the same shard's resources (a notice's rows are all in one
    shard), and the registry's resources, which are not sharded."""
    required = {f["name"] for f in schema["fields"] if f.get("constraints", {}).get("required")}
    keys = []
    for fk in schema.get("foreignKeys", []):
        target = fk["reference"]["resource"]
        if shard is not None and target not in REGISTRY_TABLE_NAMES:
            fk = {**fk, "reference": {**fk["reference"], "resource": resource_name(target, "csv", shard)}}
        nullable = [i for i, name in enumerate(fk["fields"]) if name not in required]
        if len(fk["fields"]) > 1 and nullable:
            fk = {"fields": [fk["fields"][i] for i in nullable],
                  "reference": {"resource": fk["reference"]["resource"],
                                "fields": [fk["reference"]["fields"][i] for i in nullable]}}
        keys.append(fk)
    return {**schema, "foreignKeys": keys} if keys else schema


def notice_sources(documents: pa.Table) -> list[dict]:
    """The descriptor's sources entries of the notices in a documents table."""
    return [{"title": doc["title"] or doc["source_file"], "path": f"sources/{doc['source_file']}",
             "sha256": doc["source_sha256"]}
            for doc in documents.select(["title", "source_file", "source_sha256"]).to_pylist()]


_SOURCE_KEYS = ("title", "path", "sha256")


def registry_sources(tables: dict[str, pa.Table]) -> list[dict]:
    """Each registry file a table was read from."""
    sources = []
    for name, table in tables.items():
        source = source_of(table)
        if source is not None:
            sources.append({"title": f"{table_specs()[name].descriptor['title']} (unit registry)",
                            "path": f"sources/{source['file']}", "sha256": source["sha256"]})
    return sources


def _resource_order(resource: dict) -> tuple:
    order = list(table_specs())
    return (order.index(resource["table"]), resource.get("shard") or "", DATA_FORMATS.index(resource["format"]))


def identity(settings: dict) -> dict:
    """The package's identity, from the deployment settings (sources/plandata.json or its defaults).

    Every setting is in it (the publisher as the creator, the contact, the place), so that the
    content version, a hash over the descriptor, changes with any of them: a new contact or place
    is a new release."""
    package = {key: settings[key] for key in ("name", "title", "title_zh", "description")}
    package["licenses"] = [settings["licence"]]
    package["contributors"] = [{"title": settings["publisher"], "roles": ["creator"]}]
    if settings["keywords"]:
        package["keywords"] = list(settings["keywords"])
    if settings["contact"]:
        package["contact"] = dict(settings["contact"])
    if settings["place"]:
        package["spatial"] = settings["place"]
    return package


def build_descriptor(resources: list[dict], notices: list[dict], registry: list[dict],
                     homepage: str | None = None, settings: dict | None = None) -> dict:
    """The package: its resources in table, shard and format order; its sources the notices (in
    source-path order) and then the registry files. ``homepage`` is the published address
    (--base-url): part of the content, so that a release moved to a new address is a new release
    whose pages and portal metadata point there. ``settings``: the deployment settings' values
    (None: the neutral defaults)."""
    from pipeline.sources.settings import DEFAULTS

    package = identity(settings or DEFAULTS)
    if homepage:
        package["homepage"] = homepage
    descriptor = {"$schema": PROFILE, **package}
    # A linked shard's sources come back from build-keys.json with their keys sorted: the same
    # key order for every entry, whether written now or linked, keeps the bytes the same.
    descriptor["sources"] = [{key: source[key] for key in _SOURCE_KEYS}
                             for source in sorted(notices, key=lambda source: source["path"]) + registry]
    descriptor["resources"] = sorted(resources, key=_resource_order)
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


def _shard_free(resource: dict) -> str | None:
    """The resource with its shard label taken out of the places a shard puts it, as canonical JSON;
    None when the resource is not exactly what make_resource gives for a shard."""
    shard, table, fmt = resource.get("shard"), resource.get("table"), resource.get("format")
    if not shard or not isinstance(table, str) or fmt not in DATA_FORMATS:
        return None
    plain = {key: value for key, value in resource.items() if key not in ("hash", "bytes")}
    expected = {"name": resource_name(table, fmt, shard), "path": resource_path(table, fmt, shard)}
    if any(plain.get(key) != value for key, value in expected.items()):
        return None
    suffixes = {"title": f" (shard {shard})", "title_zh": f"（分片 {shard}）"}
    if not all(isinstance(plain.get(key), str) and plain[key].endswith(end) for key, end in suffixes.items()):
        return None
    plain.update(name="*", path="*", shard="*",
                 **{key: plain[key].removesuffix(end) for key, end in suffixes.items()})
    schema = dict(plain.get("schema") or {})
    keys = []
    for fk in schema.get("foreignKeys", []):
        target = fk.get("reference", {}).get("resource", "")
        if isinstance(target, str) and target.endswith(f"-{shard}"):
            fk = {**fk, "reference": {**fk["reference"], "resource": target.removesuffix(f"-{shard}") + "-*"}}
        keys.append(fk)
    if keys:
        plain["schema"] = {**schema, "foreignKeys": keys}
    return json.dumps(plain, ensure_ascii=False, sort_keys=True)


def validate_descriptor(descriptor: dict) -> list[str]:
    """Frictionless's verdict on datapackage.json itself (profile, schemas, keys), without reading rows.

    Shard resources that are the same but for their shard label (name, path, titles and the
    shard's own foreign-key targets) are validated once: Frictionless takes ~15 ms a resource,
    and a release has up to 16 of each. Names and paths are checked for uniqueness here."""
    from frictionless import Package

    resources = descriptor.get("resources")
    problems = []
    if isinstance(resources, list) and all(isinstance(r, dict) for r in resources):
        for key in ("name", "path"):
            counts = Counter(json.dumps(r.get(key)) for r in resources)
            problems += [f"datapackage.json: resource {key} {value} is used more than once"
                         for value, count in sorted(counts.items()) if count > 1]
        seen: set[str] = set()
        kept = []
        for resource in resources:
            canonical = _shard_free(resource)
            if canonical is None or canonical not in seen:
                kept.append(resource)
            if canonical is not None:
                seen.add(canonical)
        names = {r.get("name") for r in kept}
        # A kept resource's foreign keys may name a resource of its shard that was not kept.
        referenced = {fk.get("reference", {}).get("resource") for r in kept
                      for fk in (r.get("schema") or {}).get("foreignKeys", [])}
        descriptor = {**descriptor, "resources": kept + [r for r in resources if r.get("name") not in names
                                                        and r.get("name") in referenced]}
    report = Package.validate_descriptor(descriptor)
    return problems + [f"datapackage.json: {error.type}: {error.message}" for error in report.errors]


def check_file_hashes(directory: Path, descriptor: dict) -> list[str]:
    problems = []
    for resource in descriptor["resources"]:
        try:
            actual = f"sha256:{sha256_file(directory / resource['path'])}"
        except OSError as error:
            problems.append(f"{resource['path']}: cannot be read: {error.strerror}")
            continue
        if actual != resource["hash"]:
            problems.append(f"{resource['path']}: hash {actual} differs from datapackage.json")
    return problems
