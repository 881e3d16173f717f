"""Run the compiled checks over every data resource a datapackage.json describes.

Types, required, enum, pattern, minimum/maximum, lengths, unique, primary and
foreign keys, over every row of every format, plus agreement: the CSV, JSON and
Parquet files of a table must hold the same rows. Nothing is sampled.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.checks.readback import FILE_STRIDE, LOADERS, locate
from pipeline.checks.rules import ROW, field_rules, key_rules
from pipeline.schema import sql_identifier, sql_string, table_specs

EXAMPLES_PER_RULE = 100


@dataclass(frozen=True)
class Violation:
    path: str
    rule: str
    column: str | None = None
    row: int | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = self.path + (f" row {self.row}" if self.row is not None else "")
        what = self.rule + (f" in {self.column}" if self.column else "")
        shown = "" if self.value is None else ": " + " ".join(str(self.value).split())[:120]
        return f"{where}: {what}{shown}"


def _words(error: Exception) -> str:
    """DuckDB's message without its error-class labels ("Invalid Input Error: CSV Error on Line: 3")."""
    first = (str(error).splitlines() or [""])[0]
    return re.sub(r"\b[A-Z]\w*(?: [A-Z]\w*)? Error: ", "", first) or "cannot be read"


def resource_paths(resource: dict) -> list[str]:
    """A resource's path or paths (Data Package v2 allows a list, e.g. one file per shard)."""
    path = resource["path"]
    return list(path) if isinstance(path, list) else [path]


def table_of(resource: dict) -> str:
    """The table a resource holds: its ``table`` property; in a descriptor without one, the
    CSV resource carries the table's name and the others `<table>-<format>`."""
    return resource.get("table") or resource["name"].removesuffix(f"-{resource['format']}")


def check_package(directory: Path, descriptor: dict, checked: frozenset[str] = frozenset()) -> list[Violation]:
    """Every rule over every row of every resource, except the resources named in ``checked``
    (hard-linked from a release whose build checked them; their sha256 is checked elsewhere).
    The unchecked resources are checked together, one load per table and format; keys that
    reach into checked resources are then checked over the whole release's Parquet files."""
    unchecked = [resource for resource in descriptor["resources"] if resource["name"] not in checked]
    violations = check_slice(directory, unchecked) if unchecked else []
    if len(unchecked) < len(descriptor["resources"]):
        violations += check_keys(directory, descriptor)
    return violations


def files_by_table(descriptor: dict, fmt: str, shards: set[str] | None = None) -> dict[str, list[str]]:
    """Table -> its files in a format, in descriptor order (whole tables and shard files alike);
    with ``shards``, only those shards' files and the unsharded tables'."""
    found: dict[str, list[str]] = {}
    for resource in descriptor.get("resources", []):
        if not isinstance(resource, dict) or resource.get("format") != fmt:
            continue
        if shards is not None and resource.get("shard") is not None and resource["shard"] not in shards:
            continue
        found.setdefault(table_of(resource), []).extend(resource_paths(resource))
    return found


def check_keys(directory: Path, descriptor: dict) -> list[Violation]:
    """Primary keys, unique columns and foreign keys over a whole sharded release, from its Parquet
    files (every other format was checked to hold the same rows as the Parquet file of its shard)."""
    specs = table_specs()
    files = {table: paths for table, paths in files_by_table(descriptor, "parquet").items() if table in specs}
    violations: list[Violation] = []
    with duckdb.connect() as con:
        relations = {}
        for table, paths in files.items():
            listed = "[" + ", ".join(sql_string(str(directory / path)) for path in paths) + "]"
            columns = ", ".join(map(sql_identifier, specs[table].columns))
            relation = f"keys__{table}"
            try:
                con.execute(f"CREATE TEMP VIEW {relation} AS SELECT {columns}, "
                            f"(list_position({listed}, filename) - 1) * {FILE_STRIDE} + file_row_number + 2 AS {ROW} "
                            f"FROM read_parquet({listed}, file_row_number = true, filename = true)")
                con.execute(f"SELECT count(*) FROM {relation}").fetchone()
            except duckdb.Error as error:
                violations.append(Violation(f"parquet/{table}", "format-error", value=_words(error)))
                continue
            relations[table] = relation
        for table, relation in relations.items():
            spec = specs[table]
            rules = [rule for rule in field_rules(spec, relation) if rule.name == "unique-error"]
            rules += [rule for rule in key_rules(spec, lambda name: relations.get(name, "__missing"))
                      if "__missing" not in rule.sql]
            violations += [_located(files[table], f"parquet/{table}", name, column, row, value)
                           for name, column, row, value in run_rules(con, rules)]
    return violations


def check_slice(directory: Path, resources: list[dict]) -> list[Violation]:
    """Every rule over a set of resources: those of a table in a format (its shards) are loaded
    together, so the cost of a check does not grow with the number of shards. Row numbers count
    across a table's files in shard order when there are several; a key whose referenced table
    is not in the set is left to check_keys."""
    specs = table_specs()
    violations: list[Violation] = []
    loaded: dict[str, dict[str, str]] = {}
    untyped: dict[str, set] = {}  # a cell of the wrong type reads as null: it is not also "required"
    groups: dict[tuple[str, str], list[dict]] = {}
    for resource in resources:
        groups.setdefault((resource["format"], table_of(resource)), []).append(resource)
    shown_of: dict[tuple[str, str], str] = {}
    files_of: dict[tuple[str, str], list[str]] = {}
    with duckdb.connect() as con:
        for (fmt, table), members in groups.items():
            members.sort(key=lambda resource: resource.get("shard") or "")
            spec, loader = specs.get(table), LOADERS.get(fmt)
            paths = [path for resource in members for path in resource_paths(resource)]
            shown = ", ".join(paths)
            shards = [resource["shard"] for resource in members if resource.get("shard")]
            shown_of[fmt, table] = f"{fmt}/{table}" + (f"/{shards[0]}" if len(shards) == 1 else "")
            files_of[fmt, table] = paths
            if spec is None or loader is None:
                violations += [Violation(shown, "unknown-resource", value=resource["name"]) for resource in members]
                continue
            files = [directory / path for path in paths]
            missing = [str(path.relative_to(directory)) for path in files if not path.is_file()]
            if missing:
                violations += [Violation(path, "missing-file") for path in missing]
                continue
            relation = f"{fmt}__{table}"
            try:
                found = loader(con, spec, files, relation)
            except duckdb.Error as error:
                violations.append(Violation(shown, "format-error", value=_words(error)))
                continue
            violations += [_located(paths, shown, rule, column, row, value) for rule, column, row, value in found]
            if not any(rule.startswith("header") or rule == "type-error/schema" for rule, *_ in found):
                loaded.setdefault(fmt, {})[table] = relation
                untyped[relation] = {(column, row) for rule, column, row, _ in found if rule.startswith("type-error")}
        for fmt, relations in loaded.items():
            for table, relation in relations.items():
                spec = specs[table]
                rules = field_rules(spec, relation)
                rules += [rule for rule in key_rules(spec, lambda name: relations.get(name, "__missing"))
                          if "__missing" not in rule.sql]
                violations += [_located(files_of[fmt, table], shown_of[fmt, table], name, column, row, value)
                               for name, column, row, value in run_rules(con, rules)
                               if (column, row) not in untyped[relation]]
        violations += _disagreements(con, loaded, specs, shown_of)
    return violations


def _located(paths: list[str], shown: str, rule: str, column, row, value) -> Violation:
    """A violation at the file and row a user opens (rows are numbered file by file, see readback)."""
    path, local = locate(paths, row)
    return Violation(path or shown, rule, column, local, value)


def run_rules(con: duckdb.DuckDBPyConnection, rules) -> list[tuple]:
    """All rules of a table in one statement (one scan plan, not one round trip per rule)."""
    if not rules:
        return []
    parts = [f"(SELECT {sql_string(rule.name)}, {sql_string(rule.column or '')}, * FROM ({rule.sql}) "
             f"ORDER BY 3 LIMIT {EXAMPLES_PER_RULE})" for rule in rules]
    return [(name, column or None, row, value)
            for name, column, row, value in con.execute(" UNION ALL ".join(parts)).fetchall()]


def _disagreements(con: duckdb.DuckDBPyConnection, loaded: dict[str, dict[str, str]], specs,
                   shown_of: dict[tuple[str, str], str]) -> list[Violation]:
    """Rows that one format holds and another does not (row order is not compared).

    Each format's rows are first summed as a multiset (row count, and the sum and the xor of the
    rows' 64-bit hashes) in one scan; only tables whose sums differ pay for EXCEPT ALL, which
    counts the rows each side lacks. Two multisets that differ and still agree on all three
    sums would need a 64-bit hash collision in two independent combinations."""
    formats = sorted(loaded)
    sums, keys = [], []
    for table, spec in specs.items():
        columns = ", ".join(map(sql_identifier, spec.columns))
        for fmt in formats:
            if table in loaded[fmt]:
                keys.append((fmt, table))
                sums.append(f"(SELECT [count(*), sum(h), bit_xor(h)]::VARCHAR FROM "
                            f"(SELECT hash({columns}) AS h FROM {loaded[fmt][table]}))")
    if not sums:
        return []
    digest = dict(zip(keys, con.execute("SELECT " + ", ".join(sums)).fetchone()))
    pairs, counts = [], []
    for table, spec in specs.items():
        have = [fmt for fmt in formats if table in loaded[fmt]]
        columns = ", ".join(map(sql_identifier, spec.columns))
        for other in have[1:]:
            if digest[have[0], table] == digest[other, table]:
                continue
            for a, b in ((have[0], other), (other, have[0])):
                pairs.append((a, b, table))
                counts.append(f"(SELECT count(*) FROM (SELECT {columns} FROM {loaded[a][table]} "
                              f"EXCEPT ALL SELECT {columns} FROM {loaded[b][table]}))")
    if not counts:
        return []
    found = con.execute("SELECT " + ", ".join(counts)).fetchone()
    return [Violation(shown_of[a, table], "format-disagreement",
                      value=f"{count} row(s) not in {shown_of[b, table]}")
            for (a, b, table), count in zip(pairs, found) if count]


__all__ = ["ROW", "Violation", "check_keys", "check_package", "check_slice", "files_by_table", "table_of"]
