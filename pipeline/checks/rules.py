"""Table Schema rules -> SQL that selects the offending rows of a typed relation.

Each rule is derived from a field's type and constraints, or from the table's
primary and foreign keys, in schemas/. Nothing here names a column: a new
constraint in a schema file is checked without a line of code.

Every query selects (row, column, rule, value) from a relation that has the
table's columns, typed, plus ``__row``: the row number as Frictionless counts it
(the header is row 1, the first data row 2).
"""
from __future__ import annotations

from dataclasses import dataclass

from pipeline.schema import TableSpec, sql_identifier, sql_string

ROW = "__row"


@dataclass(frozen=True)
class Rule:
    name: str  # the Frictionless error type it corresponds to, e.g. constraint-error/required
    column: str | None
    sql: str  # SELECT row, value FROM ...


def _literal(value: object) -> str:
    if isinstance(value, str):
        return sql_string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    raise ValueError(f"unsupported constraint value {value!r}")


def _select(relation: str, column: str, condition: str) -> str:
    col = sql_identifier(column)
    return f"SELECT {ROW}, CAST({col} AS VARCHAR) FROM {relation} WHERE {col} IS NOT NULL AND ({condition})"


def field_rules(spec: TableSpec, relation: str) -> list[Rule]:
    rules = []
    for field in spec.fields:
        name = field["name"]
        col = sql_identifier(name)
        constraints = field.get("constraints", {})
        if constraints.get("required"):
            rules.append(Rule("constraint-error/required", name,
                              f"SELECT {ROW}, NULL FROM {relation} WHERE {col} IS NULL"))
        if "enum" in constraints:
            values = ", ".join(_literal(v) for v in constraints["enum"])
            rules.append(Rule("constraint-error/enum", name, _select(relation, name, f"{col} NOT IN ({values})")))
        if "pattern" in constraints:
            pattern = sql_string(constraints["pattern"])
            rules.append(Rule("constraint-error/pattern", name,
                              _select(relation, name, f"NOT regexp_full_match({col}, {pattern})")))
        for key, operator, subject in (("minimum", "<", col), ("maximum", ">", col),
                                       ("minLength", "<", f"length({col})"), ("maxLength", ">", f"length({col})")):
            if key in constraints:
                rules.append(Rule(f"constraint-error/{key}", name,
                                  _select(relation, name, f"{subject} {operator} {_literal(constraints[key])}")))
        if constraints.get("unique"):
            rules.append(Rule("unique-error", name, _duplicates(relation, [name])))
    return rules


def _duplicates(relation: str, columns: list[str]) -> str:
    """Every row after the first that repeats the key (rows with a null part are not keys)."""
    cols = ", ".join(map(sql_identifier, columns))
    not_null = " AND ".join(f"{sql_identifier(c)} IS NOT NULL" for c in columns)
    return (f"SELECT {ROW}, concat_ws('|', {cols}) FROM (SELECT *, row_number() OVER "
            f"(PARTITION BY {cols} ORDER BY {ROW}) AS __nth FROM {relation} WHERE {not_null}) WHERE __nth > 1")


def key_rules(spec: TableSpec, relation_of) -> list[Rule]:
    """Primary key uniqueness and foreign keys. ``relation_of(table)`` names the relation of a table."""
    relation = relation_of(spec.name)
    rules = []
    if spec.primary_key:
        rules.append(Rule("primary-key", ",".join(spec.primary_key), _duplicates(relation, spec.primary_key)))
    for fk in spec.foreign_keys:
        fields, reference = fk["fields"], fk["reference"]
        target = relation_of(reference["resource"])
        # SQL's MATCH SIMPLE, as DuckDB enforces it in plan.duckdb: a key with a null part references nothing.
        not_null = " AND ".join(f"c.{sql_identifier(f)} IS NOT NULL" for f in fields)
        joined = " AND ".join(f"p.{sql_identifier(r)} = c.{sql_identifier(f)}"
                              for f, r in zip(fields, reference["fields"]))
        value = f"concat_ws('|', {', '.join('c.' + sql_identifier(f) for f in fields)})"
        rules.append(Rule("foreign-key", ",".join(fields),
                          f"SELECT c.{ROW}, {value} FROM {relation} AS c WHERE {not_null} "
                          f"AND NOT EXISTS (SELECT 1 FROM {target} AS p WHERE {joined})"))
    return rules
