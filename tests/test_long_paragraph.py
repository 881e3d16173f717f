"""A paragraph far longer than DuckDB's default CSV line (2 MB) but under the notice size limit is
published and read back, never a read-back failure naming neither the notice nor the reason
(issue 16, defect 5)."""
from __future__ import annotations

import pyarrow.parquet as pq

from conftest import NOTICE, copy_sources
from pipeline.core.decode import MAX_SOURCE_BYTES
from pipeline.core.notice import doc_id_from_filename
from pipeline.orchestration.run import run_build

# Line 10 is the body of （一）指导思想; its ASCII quotes are doubled in CSV.
FILLER = '坚持"标本兼治"，'


def test_a_paragraph_of_2_4_mb_is_published_and_read_back(tmp_path):
    lines = NOTICE.read_text(encoding="utf-8").split("\n")
    added = FILLER * (2_400_000 // len(FILLER.encode("utf-8")))
    lines[9] += added
    text = "\n".join(lines)
    assert 2_400_000 < len(lines[9].encode("utf-8")) and len(text.encode("utf-8")) < MAX_SOURCE_BYTES
    sources = copy_sources(tmp_path / "sources", text, "long.txt")
    outcome = run_build(sources, tmp_path / "outputs")
    sections = pq.read_table(outcome.release_dir / "parquet" / "sections.parquet").to_pylist()
    assert [row["section_id"] for row in sections if added in (row["body"] or "")] == ["1.1"]
    csv_bytes = (outcome.release_dir / "csv" / "sections.csv").stat().st_size
    assert csv_bytes > 2_400_000  # over DuckDB's default line limit of 2 MB
