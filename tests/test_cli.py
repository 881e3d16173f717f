"""`plandata` end to end, as a publisher runs it: a summary on success, one line on failure."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import NOTICE, SOURCES, copy_sources

PLANDATA = str(Path(sys.executable).with_name("plandata"))


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([PLANDATA, *args], capture_output=True, text=True, timeout=300, cwd=cwd)


def test_build_prints_progress_and_summary(tmp_path):
    result = run("build", "--sources", str(SOURCES), "--outputs", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "Parsing 1 notice(s)" in result.stderr and "Validating the release with Frictionless" in result.stderr
    out = result.stdout
    assert "New release 0001-" in out
    for table, count in (("sections", 91), ("tasks", 50), ("assignments", 533)):
        assert any(line.split() == [table, str(count)] for line in out.splitlines()), table
    assert "Release path:" in out and "Files written:" in out
    assert (tmp_path / "out" / "latest" / "plan.duckdb").is_file()
    again = run("build", "--sources", str(SOURCES), "--outputs", str(tmp_path / "out"))
    assert again.returncode == 0 and "Unchanged since release 0001-" in again.stdout


def test_build_defaults_to_sources_and_outputs_in_the_working_directory(tmp_path):
    copy_sources(tmp_path / "sources")
    result = run("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "outputs" / "latest" / "datapackage.json").is_file()


@pytest.mark.parametrize("content, fault", [
    (b"", "file is empty"),
    (b"\x00\x01\x02\x03garbage\xff\xfe\x00", "not a text file"),
    ("没有任何标题的一段文字。\n".encode("utf-8"), "no chapter heading"),
    (b"\x81\x30", "undecodable"),
], ids=["empty", "binary", "no-heading", "undecodable"])
def test_bad_input_is_one_line_and_publishes_nothing(tmp_path, content, fault):
    sources = copy_sources(tmp_path / "sources")
    (sources / NOTICE.name).write_bytes(content)
    result = run("build", "--sources", str(sources), "--outputs", str(tmp_path / "out"))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("error: ") and fault in lines[-1] and NOTICE.name in lines[-1]
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "out" / "latest").exists()
    assert not list((tmp_path / "out").glob(".staging-*"))


def test_second_build_fails_clearly_while_one_runs(tmp_path):
    import fcntl

    outputs = tmp_path / "out"
    outputs.mkdir()
    with (outputs / ".lock").open("a+") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)
        holder.write("pid 4242")
        holder.flush()
        result = run("build", "--sources", str(SOURCES), "--outputs", str(outputs))
    assert result.returncode == 1
    assert "another build is running" in result.stderr and "Traceback" not in result.stderr
    assert not (outputs / "latest").exists()


def test_diff_of_two_source_files(tmp_path):
    old = tmp_path / "old.txt"
    new = tmp_path / "new.txt"
    text = NOTICE.read_text(encoding="utf-8")
    old.write_text(text, encoding="utf-8")
    new.write_text(text.replace("牵头单位：市教育局\n", "牵头单位：市教育局、市监察局\n"), encoding="utf-8")  # 五（二）2
    result = run("diff", str(old), str(new), "--sources", str(SOURCES))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["entity", "change", "old_id", "new_id", "detail"]
    body = [line.split()[:4] for line in lines[2:]]
    assert ["task", "units_changed", "5.2.2", "5.2.2"] in body
    assert ["assignment", "added", "5.2.2/lead/市监察局"] in [row[:3] for row in body]
    assert len(body) == 2
    same = run("diff", str(old), str(old), "--sources", str(SOURCES))
    assert same.returncode == 0 and same.stdout.strip() == "No changes."


def test_diff_of_two_releases(tmp_path):
    sources = copy_sources(tmp_path / "sources")
    outputs = tmp_path / "out"
    assert run("build", "--sources", str(sources), "--outputs", str(outputs)).returncode == 0
    notice = sources / NOTICE.name
    notice.write_text(notice.read_text(encoding="utf-8").replace("2008年8月11日", "2008年8月12日"), encoding="utf-8")
    assert run("build", "--sources", str(sources), "--outputs", str(outputs)).returncode == 0
    first, second = sorted(p for p in (outputs / "releases").iterdir() if p.is_dir())
    result = run("diff", str(first), str(second))
    assert result.returncode == 0
    assert "metadata_changed" in result.stdout and "2008-08-11 → 2008-08-12" in result.stdout
    missing = run("diff", str(first), str(tmp_path / "nowhere"))
    assert missing.returncode == 1 and missing.stderr.startswith("error: ") and "Traceback" not in missing.stderr
