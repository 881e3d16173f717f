"""search-index/: a substring index over every task's title, text, section heading and unit names.

The page (search.html + assets/search.js) loads it with <script> tags only, so it works from
file:// and over HTTP inside the pages' Content-Security-Policy (no fetch, no WebAssembly).

Scheme. Tasks are numbered 0..N-1 in notice order, then seq. Each task's searchable text is its
fields joined by "\\n": title, text, the headings of its section and of every section above
it, and each unit's printed label and registry name (each distinct string once). Every pair of
adjacent characters (a bigram) not holding "\\n" is posted with (task number, position). A bigram lives in shard
(code point 1 * 31 + code point 2) mod S, file search-index/b<shard>.js; S is a power of two chosen so
that a shard holds about SHARD_POSTINGS postings. A query of L >= 2 characters loads the shards of
its L-1 bigrams only, and a task matches when bigram i sits at position p + i for every i: that is
exactly "the query is a substring of one field" (a match never crosses "\\n"), which is what
SQL's LIKE '%q%' over each of those columns finds. Results show from search-index/t<n>.js, which hold
the notice and title of TASK_CHUNK tasks each, loaded only for the results shown.
search-index/index.js holds S, TASK_CHUNK and N."""
from __future__ import annotations

from collections.abc import Iterator

import polars as pl
import pyarrow as pa

from pipeline.site.markup import json_for_html

SHARD_POSTINGS = 20_000
TASK_CHUNK = 500
BATCH = 20_000
SEPARATOR = "\n"


def _frame(table: pa.Table | None, columns: list[str]) -> pl.DataFrame:
    if table is None or not all(name in table.column_names for name in columns):
        return pl.DataFrame(schema={name: pl.String for name in columns})
    return pl.from_arrow(table.select(columns).replace_schema_metadata(None))


def shard_of(bigram: str, shards: int) -> int:
    return (ord(bigram[0]) * 31 + ord(bigram[1])) % shards


def _headings(sections: pl.DataFrame) -> pl.DataFrame:
    """(doc_id, section_id, headings): the section's heading and those of every section above it."""
    parents = sections.select("doc_id", pl.col("section_id").alias("up"), pl.col("parent_id").alias("next_up"),
                              pl.col("heading").alias("up_heading"))
    walk = sections.select("doc_id", "section_id", pl.concat_list(pl.col("heading")).alias("headings"),
                           pl.col("parent_id").alias("up"))
    # One level per pass; a parent that is missing (or a cycle, which the parser never makes) ends the walk.
    for _ in range(64):
        if walk["up"].null_count() == walk.height:
            break
        walk = (walk.join(parents, on=["doc_id", "up"], how="left")
                .with_columns(pl.when(pl.col("up_heading").is_not_null())
                              .then(pl.concat_list("headings", "up_heading")).otherwise(pl.col("headings"))
                              .alias("headings"))
                .select("doc_id", "section_id", "headings", pl.col("next_up").alias("up")))
    return walk.select("doc_id", "section_id", pl.col("headings").list.drop_nulls())


def task_texts(tables: dict[str, pa.Table], documents: list[dict]) -> pl.DataFrame:
    """One row per task in search order: number, doc_id, task_id, label, title, searchable text."""
    notices = pl.DataFrame({"doc_id": [doc["doc_id"] for doc in documents], "notice_index": range(len(documents))},
                           schema={"doc_id": pl.String, "notice_index": pl.Int64})
    tasks = tables.get("tasks")
    if tasks is None:
        return pl.DataFrame(schema={"number": pl.Int64, "doc_id": pl.String, "task_id": pl.String,
                                    "label": pl.String, "title": pl.String, "search": pl.String})
    frame = pl.from_arrow(tasks.select(["doc_id", "task_id", "section_id", "seq", "label", "title", "text"])
                          .replace_schema_metadata(None))
    sections = _headings(_frame(tables.get("sections"), ["doc_id", "section_id", "parent_id", "heading"]))
    assignments = _frame(tables.get("assignments"), ["doc_id", "task_id", "unit_label", "unit_id"])
    registry = _frame(tables.get("units"), ["unit_id", "name"])
    names = (assignments.join(registry, on="unit_id", how="left")
             .select("doc_id", "task_id", pl.concat_list("unit_label", "name").alias("names"))
             .explode("names").drop_nulls("names")
             .group_by(["doc_id", "task_id"], maintain_order=True).agg(pl.col("names")))
    frame = (frame.join(notices, on="doc_id", how="left").join(sections, on=["doc_id", "section_id"], how="left")
             .join(names, on=["doc_id", "task_id"], how="left")
             .sort(["notice_index", "seq", "task_id"], nulls_last=True)
             .with_row_index("number"))
    texts = []
    for title, text, headings, unit_names in frame.select("title", "text", "headings", "names").iter_rows():
        fields = dict.fromkeys(value for value in (title, text, *(headings or ()), *(unit_names or ())) if value)
        texts.append(SEPARATOR.join(fields))
    return frame.select(pl.col("number").cast(pl.Int64), "doc_id", "task_id", "label", "title",
                        pl.Series("search", texts, dtype=pl.String))


def _postings(texts: pl.DataFrame) -> pl.DataFrame:
    """(bigram, number, position) of every bigram of every searchable text, sorted."""
    chars = (texts.select("number", pl.col("search").str.split("").alias("char"))
             .with_columns(pl.int_ranges(0, pl.col("char").list.len()).alias("position"))
             .explode(["char", "position"]).drop_nulls("char"))
    return (chars.with_columns((pl.col("char") + pl.col("char").shift(-1).over("number")).alias("bigram"))
            .drop_nulls("bigram")
            .filter(~pl.col("bigram").str.contains(SEPARATOR, literal=True))
            .select("bigram", "number", pl.col("position").cast(pl.Int64)))


def _fragments(texts: pl.DataFrame, shards: int) -> pl.DataFrame:
    """(shard, bigram, "number,position,...") over all tasks, made BATCH tasks at a time: one
    posting per character of all text would need gigabytes at 10,000 notices, its text does not."""
    parts = []
    for start in range(0, texts.height, BATCH):
        postings = _postings(texts.slice(start, BATCH))
        bigrams = postings["bigram"].unique().to_list()
        shard_map = pl.DataFrame({"bigram": bigrams, "shard": [shard_of(bigram, shards) for bigram in bigrams]},
                                 schema={"bigram": pl.String, "shard": pl.Int64})
        parts.append(postings.join(shard_map, on="bigram")
                     .sort(["shard", "bigram", "number", "position"])
                     .group_by(["shard", "bigram"], maintain_order=True)
                     .agg(pl.concat_list("number", "position").explode().cast(pl.String).str.join(",")
                          .alias("entries")))
    if not parts:
        return pl.DataFrame(schema={"shard": pl.Int64, "bigram": pl.String, "entries": pl.String})
    # Batches hold ascending task numbers, so joining a bigram's fragments in batch order keeps them sorted.
    return (pl.concat(parts).group_by(["shard", "bigram"], maintain_order=True)
            .agg(pl.col("entries").str.join(",")).sort(["shard", "bigram"]))


def search_files(tables: dict[str, pa.Table], documents: list[dict]) -> Iterator[tuple[str, str]]:
    """(relative path, script text) of every file of search-index/."""
    texts = task_texts(tables, documents)
    total = sum(len(field) - 1 for text in texts["search"].to_list() for field in text.split(SEPARATOR) if field)
    shards = 1
    while shards * SHARD_POSTINGS < total:
        shards *= 2
    yield "search-index/index.js", ("plandataSearchIndex(" + json_for_html(
        {"shards": shards, "chunk": TASK_CHUNK, "tasks": texts.height}) + ");\n")
    parts = {shard: part for (shard,), part in _fragments(texts, shards).group_by("shard", maintain_order=True)}
    # Every shard has its file, empty or not: a query never asks for a file that is not there.
    for shard in range(shards):
        part = parts.get(shard)
        # Entries are digits and commas only; each bigram goes through json_for_html.
        body = ",".join(f"{json_for_html(bigram)}:[{entries}]" for bigram, entries
                        in zip(part["bigram"].to_list(), part["entries"].to_list())) if part is not None else ""
        yield f"search-index/b{shard}.js", f"plandataSearchShard({shard},{{{body}}});\n"
    notices = {doc["doc_id"]: doc.get("title") or doc["doc_id"] for doc in documents}
    for start in range(0, texts.height, TASK_CHUNK):
        part = texts.slice(start, TASK_CHUNK)
        chunk_docs = list(dict.fromkeys(part["doc_id"].to_list()))
        position = {doc_id: index for index, doc_id in enumerate(chunk_docs)}
        rows = [[position[doc_id], task_id, label or "", title or ""] for doc_id, task_id, label, title
                in part.select("doc_id", "task_id", "label", "title").iter_rows()]
        data = {"notices": [[doc_id, notices.get(doc_id, doc_id)] for doc_id in chunk_docs], "rows": rows}
        yield f"search-index/t{start // TASK_CHUNK}.js", (f"plandataSearchTasks({start // TASK_CHUNK},"
                                                    + json_for_html(data) + ");\n")
