"""The files of a release as a visitor downloads them: path, table, format, rows, bytes, sha256."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.publish.checksums import sha256_file
from pipeline.schema import table_specs

# format -> (IANA media type or None, EU file-type code, what it is for)
FORMATS = {
    "csv": ("text/csv", "CSV", "UTF-8, LF: for tools, pandas, R, Frictionless"),
    "excel": ("text/csv", "CSV", "UTF-8 with BOM, CRLF: opens in Excel on Chinese Windows"),
    "json": ("application/json", "JSON", "an array of row objects"),
    "parquet": ("application/vnd.apache.parquet", "PARQUET", "typed, zstd"),
    "duckdb": (None, "BIN", "every table with keys, and the analyst views"),
    "datapackage": ("application/json", "JSON", "Frictionless Data Package v2: schemas and hashes"),
    "sql": ("application/sql", "SQL", "DuckDB views over the Parquet files"),
    "markdown": ("text/markdown", "MARKDOWN", "counts and every finding"),
    "turtle": ("text/turtle", "RDF_TURTLE", "DCAT-AP 3 description"),
    "jsonld": ("application/ld+json", "JSON_LD", "DCAT-AP 3 description"),
    "zip": ("application/zip", "ZIP", "every table in one format, in one file"),
}
# Release-level files, in the order the download table lists them after the tables.
OTHER_FILES = (("plan.duckdb", "duckdb", None), ("views.sql", "sql", None),
               ("changes.csv", "csv", "changes"), ("changes.json", "json", "changes"),
               ("datapackage.json", "datapackage", None), ("quality.md", "markdown", None),
               ("dcat.ttl", "turtle", None), ("dcat.jsonld", "jsonld", None),
               ("downloads/csv.zip", "zip", None), ("downloads/excel.zip", "zip", None),
               ("downloads/json.zip", "zip", None), ("downloads/parquet.zip", "zip", None))
_TABLE_FORMATS = ("csv", "excel", "json", "parquet")
UNSTABLE_FORMATS = frozenset({"duckdb"})


@dataclass(frozen=True)
class ReleaseFile:
    path: str
    format: str
    table: str | None
    rows: int | None
    size: int
    sha256: str

    @property
    def media_type(self) -> str | None:
        return FORMATS[self.format][0]

    @property
    def file_type(self) -> str:
        return FORMATS[self.format][1]

    @property
    def purpose(self) -> str:
        return FORMATS[self.format][2]

    @property
    def byte_stable(self) -> bool:
        """False for plan.duckdb, whose bytes differ between identical builds (DuckDB's file format).

        Pages and metadata must be the same bytes for the same sources, so they give its size
        but leave its sha256 to SHA256SUMS."""
        return self.format not in UNSTABLE_FORMATS


def release_files(directory: Path, rows: dict[str, int], include_metadata: bool = True) -> list[ReleaseFile]:
    """Every data file present in the release folder: a whole table's file (or, in a release of the
    shard layout, one file per shard: ``csv/tasks/3.csv``, its rows those of the shard's Parquet
    file), the release-level files and the zips; rows per table name (the change log is 'changes')."""
    import pyarrow.parquet as pq

    found = []
    for name in table_specs():
        shard_rows = {path.stem: pq.read_metadata(path).num_rows
                      for path in sorted((directory / "parquet" / name).glob("*.parquet"))}
        for fmt in _TABLE_FORMATS:
            for path in sorted((directory / fmt).glob(f"{name}.*")):
                found.append((path, fmt, name, rows.get(name)))
            for path in sorted((directory / fmt / name).glob("*.*")):
                found.append((path, fmt, name, shard_rows.get(path.stem)))
    for name, fmt, table in OTHER_FILES:
        if not include_metadata and fmt in ("turtle", "jsonld"):
            continue
        path = directory / name
        if path.is_file():
            found.append((path, fmt, table, rows.get(table) if table else None))
    return [ReleaseFile(path.relative_to(directory).as_posix(), fmt, table, count, path.stat().st_size,
                        sha256_file(path))
            for path, fmt, table, count in found]
