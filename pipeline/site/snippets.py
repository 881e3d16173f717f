"""Copy-paste snippets for the release page: plandata sql, DuckDB, pandas, polars (local files and over
HTTP) and Frictionless. Every one runs in tests/test_snippets.py against a built release."""
from __future__ import annotations

# The extras with which `frictionless validate` reads every resource: Parquet goes through pandas.
FRICTIONLESS_EXTRAS = "frictionless[json,parquet,pandas]"


def snippets(release_url: str) -> list[tuple[str, str, str]]:
    """(title, language, code) for each snippet; local paths are relative to the release folder,
    ``release_url`` is the release folder's absolute URL (ending with /)."""
    return [
        ("plandata sql over plan.duckdb (keys, checks, comments and the change log included)", "sh",
         'plandata sql --database plan.duckdb "FROM unit_workload LIMIT 10"\n'
         '# or without a query, a prompt (statements end with ;):\n'
         'plandata sql --database plan.duckdb'),
        ("plandata sql over the Parquet files only (views.sql, from any folder)", "sh",
         'plandata sql --views views.sql "FROM task_breakdown LIMIT 5"'),
        ("DuckDB from Python, on the local files", "python",
         "import duckdb\n"
         "duckdb.sql(\"FROM read_parquet('parquet/tasks.parquet') LIMIT 5\").show()\n"
         "duckdb.sql(\"SELECT unit_label, count(DISTINCT (doc_id, task_id)) AS tasks "
         "FROM read_csv('csv/assignments.csv', all_varchar = true) GROUP BY ALL ORDER BY tasks DESC LIMIT 5\").show()"),
        ("pandas, on the local files", "python",
         "import pandas as pd\n"
         'tasks = pd.read_parquet("parquet/tasks.parquet")\n'
         'assignments = pd.read_csv("csv/assignments.csv", dtype=str, keep_default_na=False)\n'
         '# who carries most: tasks per unit, in every role\n'
         'print(assignments.drop_duplicates(["unit_label", "doc_id", "task_id"]).groupby("unit_label").size()'
         '.sort_values(ascending=False).head())'),
        ("polars, on the local files", "python",
         "import polars as pl\n"
         'tasks = pl.read_parquet("parquet/tasks.parquet")\n'
         'assignments = pl.read_csv("csv/assignments.csv", infer_schema=False)\n'
         'print(assignments.group_by("unit_label").agg(pl.struct("doc_id", "task_id").n_unique().alias("tasks"))'
         '.sort("tasks", descending=True).head())'),
        ("pandas and polars, straight from the web", "python",
         "import pandas as pd\nimport polars as pl\n"
         f'base = "{release_url}"\n'
         'tasks = pd.read_parquet(base + "parquet/tasks.parquet")\n'
         'assignments = pl.read_csv(base + "csv/assignments.csv", infer_schema=False)\n'
         'print(len(tasks), assignments.height)'),
        ("DuckDB, straight from the web (needs the httpfs extension)", "python",
         "# DuckDB reads URLs with its httpfs extension, which it downloads once: INSTALL httpfs; LOAD httpfs;\n"
         "import duckdb\n"
         f"duckdb.sql(\"FROM read_parquet('{release_url}parquet/tasks.parquet') LIMIT 5\").show()"),
        ("Validate the package with Frictionless", "sh",
         f'# needs: pip install "{FRICTIONLESS_EXTRAS}" (pandas reads the Parquet resources)\n'
         'frictionless validate datapackage.json\n'
         '# and every file against its checksum:\n'
         'sha256sum -c SHA256SUMS'),
    ]
