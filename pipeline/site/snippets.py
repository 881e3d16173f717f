"""Copy-paste snippets for the release page: DuckDB, pandas, R and Frictionless."""
from __future__ import annotations


def snippets(release_url: str) -> list[tuple[str, str, str]]:
    """(title, language, code) for each snippet; paths are relative to the release folder."""
    return [
        ("DuckDB over the Parquet files (no database file needed)", "sh",
         'cd <this release folder>\n'
         'duckdb -cmd ".read views.sql" -c "FROM task_breakdown LIMIT 5"\n'
         '# or keep a shell open with the views loaded:\n'
         'duckdb -cmd ".read views.sql"'),
        ("DuckDB over plan.duckdb (keys, checks and comments included)", "sh",
         'duckdb -readonly plan.duckdb -c "FROM unit_workload LIMIT 10"'),
        ("DuckDB from Python, straight from the web", "python",
         "import duckdb\n"
         f"duckdb.sql(\"FROM read_parquet('{release_url}parquet/tasks.parquet') LIMIT 5\").show()"),
        ("pandas", "python",
         "import pandas as pd\n"
         'tasks = pd.read_parquet("parquet/tasks.parquet")\n'
         'assignments = pd.read_csv("csv/assignments.csv", dtype=str, keep_default_na=False)\n'
         'print(assignments[assignments.role == "lead"].groupby("unit_label").task_id.nunique()'
         '.sort_values(ascending=False).head())'),
        ("R", "r",
         '# install.packages(c("arrow", "readr"))\n'
         'tasks <- arrow::read_parquet("parquet/tasks.parquet")\n'
         'assignments <- readr::read_csv("csv/assignments.csv", col_types = readr::cols(.default = "c"))\n'
         'head(sort(table(assignments$unit_label[assignments$role == "lead"]), decreasing = TRUE))'),
        ("Validate the package with Frictionless", "sh",
         '# needs: pip install "frictionless[json,parquet]"\n'
         'frictionless validate datapackage.json\n'
         '# and every file against its checksum:\n'
         'sha256sum -c SHA256SUMS'),
    ]
