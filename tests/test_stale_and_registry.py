"""--skip-broken keeps a broken notice's previous rows; when the unit registry has since lost a unit
those rows name, the notice is left out with a Skipped line naming it and why, never a foreign-key
failure naming an output file (issue 16, defect 4; the choice is in the README's --skip-broken part)."""
from __future__ import annotations

import shutil

from conftest import NOTICE, SOURCES
from pipeline.cli import main
from pipeline.orchestration.run import run_build
from pipeline.core.notice import doc_id_from_filename

DROPPED = "cbrc-taizhou"  # named 4 times in the bundled notice (中国银监会台州监管分局)


def _without_unit(path, unit_id: str, column: int) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if line.split(",")[column] != unit_id]
    assert len(kept) < len(lines)
    path.write_text("".join(kept), encoding="utf-8")


def test_a_stale_notice_whose_rows_name_a_dropped_unit_is_left_out_by_name(tmp_path, capsys):
    sources = tmp_path / "sources"
    sources.mkdir()
    for name in ("units.csv", "unit_aliases.csv"):
        shutil.copy(SOURCES / name, sources / name)
    shutil.copy(NOTICE, sources / "broken.txt")
    shutil.copy(NOTICE, sources / "healthy.txt")
    outputs = tmp_path / "outputs"
    first = run_build(sources, outputs)
    (sources / "broken.txt").write_bytes(b"\xff\xfe\x00garbage\x00\x00" * 10)
    kept = run_build(sources, outputs, skip_broken=True)  # the registry unchanged: previous rows kept
    assert [(item["file"], item["stale"]) for item in kept.skipped] == [("broken.txt", True)]
    _without_unit(sources / "units.csv", DROPPED, 0)
    _without_unit(sources / "unit_aliases.csv", DROPPED, 1)
    capsys.readouterr()
    status = main(["build", "--sources", str(sources), "--outputs", str(outputs), "--skip-broken"])
    out, err = capsys.readouterr()
    assert status == 0, err
    skipped = [line for line in out.splitlines() if line.startswith("Skipped:")]
    assert len(skipped) == 1 and skipped[0].startswith("Skipped: broken.txt:1: binary or garbled content")
    assert skipped[0].endswith(f"(its previous rows were not kept either: they name unit_id '{DROPPED}', which "
                               "the unit registry no longer lists) (not published)")
    assert "csv/assignments" not in out + err and "foreign" not in out + err
    latest = outputs / "latest"
    documents = [latest / "csv" / "documents.csv"]
    published = "".join(path.read_text(encoding="utf-8") for path in documents)
    assert doc_id_from_filename("healthy.txt") in published and doc_id_from_filename("broken.txt") not in published
    changes = (latest / "changes.csv").read_text(encoding="utf-8")
    assert f"{doc_id_from_filename('broken.txt')}" in changes  # the change log says it went
    assert first.release_id != kept.release_id
