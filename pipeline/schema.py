"""schemas/*.schema.json are the single source of truth for every published table.

DuckDB DDL, Arrow schemas, the datapackage resources and the README data
dictionary are all derived here; no column list is written anywhere else.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import pyarrow as pa

SCHEMAS_DIR = Path(__file__).resolve().parent.parent / "schemas"
# Keys of a schema file that describe the table (resource), not the Table Schema itself.
_TABLE_KEYS = ("name", "title", "title_zh", "description", "description_zh")

_ARROW_TYPES = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(),
                "boolean": pa.bool_(), "date": pa.date32()}
DUCKDB_TYPES = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE",
                 "boolean": "BOOLEAN", "date": "DATE"}


def sql_string(value: str) -> str:
    """A SQL string literal; the text may come from an untrusted notice."""
    return "'" + value.replace("'", "''") + "'"


def sql_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class TableSpec:
    descriptor: dict

    @property
    def name(self) -> str:
        return self.descriptor["name"]

    @property
    def fields(self) -> list[dict]:
        return self.descriptor["fields"]

    @property
    def columns(self) -> list[str]:
        return [field["name"] for field in self.fields]

    @property
    def primary_key(self) -> list[str]:
        return list(self.descriptor.get("primaryKey", []))

    @property
    def foreign_keys(self) -> list[dict]:
        return list(self.descriptor.get("foreignKeys", []))

    @property
    def self_references(self) -> list[dict]:
        return [fk for fk in self.foreign_keys if fk["reference"]["resource"] == self.name]

    def table_schema(self) -> dict:
        """The Frictionless Table Schema, without the table-level title and description."""
        return {key: value for key, value in self.descriptor.items() if key not in _TABLE_KEYS}

    def arrow_schema(self) -> pa.Schema:
        return self._arrow

    @cached_property
    def _arrow(self) -> pa.Schema:
        # Built once per spec: a build asks for it per notice and per shard file.
        return pa.schema([
            pa.field(field["name"], _ARROW_TYPES[field["type"]],
                     nullable=not field.get("constraints", {}).get("required", False),
                     metadata={"description": field.get("description", "")})
            for field in self.fields
        ])

    def to_arrow(self, rows: list[dict]) -> pa.Table:
        return pa.Table.from_pylist([{column: row.get(column) for column in self.columns} for row in rows],
                                    schema=self.arrow_schema())

    def ddl(self) -> list[str]:
        """CREATE TABLE with keys and checks, then a COMMENT on the table and on every column."""
        lines = []
        for field in self.fields:
            constraints = field.get("constraints", {})
            column = f"{sql_identifier(field['name'])} {DUCKDB_TYPES[field['type']]}"
            if constraints.get("required"):
                column += " NOT NULL"
            if "enum" in constraints:
                values = ", ".join(sql_string(v) if isinstance(v, str) else str(v) for v in constraints["enum"])
                column += f" CHECK ({sql_identifier(field['name'])} IN ({values}))"
            if "pattern" in constraints:
                column += (f" CHECK (regexp_full_match({sql_identifier(field['name'])}, "
                           f"{sql_string(constraints['pattern'])}))")
            if "minimum" in constraints:
                column += f" CHECK ({sql_identifier(field['name'])} >= {int(constraints['minimum'])})"
            lines.append(column)
        if self.primary_key:
            lines.append(f"PRIMARY KEY ({', '.join(map(sql_identifier, self.primary_key))})")
        for fk in self.foreign_keys:
            reference = fk["reference"]
            lines.append(f"FOREIGN KEY ({', '.join(map(sql_identifier, fk['fields']))}) REFERENCES "
                         f"{sql_identifier(reference['resource'])} "
                         f"({', '.join(map(sql_identifier, reference['fields']))})")
        statements = [f"CREATE TABLE {sql_identifier(self.name)} (\n  " + ",\n  ".join(lines) + "\n)"]
        table_comment = f"{self.descriptor['title_zh']} / {self.descriptor['title']}: {self.descriptor['description']}"
        statements.append(f"COMMENT ON TABLE {sql_identifier(self.name)} IS {sql_string(table_comment)}")
        for field in self.fields:
            comment = f"{field['title_zh']} / {field['title']}: {field['description']}"
            statements.append(f"COMMENT ON COLUMN {sql_identifier(self.name)}.{sql_identifier(field['name'])} "
                              f"IS {sql_string(comment)}")
        return statements


@cache
def package_descriptor() -> dict:
    return json.loads((SCHEMAS_DIR / "package.json").read_text(encoding="utf-8"))


@cache
def load_spec(name: str) -> TableSpec:
    descriptor = json.loads((SCHEMAS_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    if descriptor["name"] != name:
        raise ValueError(f"schemas/{name}.schema.json names its table {descriptor['name']!r}")
    return TableSpec(descriptor)


@cache
def table_specs() -> dict[str, TableSpec]:
    """Every data table, in the package's table_order (referenced tables before referencing ones).

    The change log (schemas/changes.schema.json) is release-specific and not among them."""
    return {name: load_spec(name) for name in package_descriptor()["table_order"]}
