"""`plandata` end to end, as a publisher runs it: a summary on success, one line on failure.

One test runs the real console script in a subprocess (exit status, stdout/stderr split, no
traceback); the rest call ``pipeline.cli.main`` in-process, which is the same code path without
the cost of a new interpreter and a new Dagster import per case."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import NOTICE, SOURCES, copy_sources
from pipeline.cli import main

PLANDATA = str(Path(sys.executable).with_name("plandata"))


def cli(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def summary_rows(out: str) -> dict[str, int]:
    rows = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            rows[parts[0]] = int(parts[1])
    return rows


@pytest.mark.subprocess
def test_console_script_prints_progress_and_summary(tmp_path):
    result = subprocess.run([PLANDATA, "build", "--sources", str(SOURCES), "--outputs", str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Shard d: 1 notice(s), 0 read from the parse cache, files written" in result.stderr and "Validating the release files (compiled checks and Frictionless)" in result.stderr
    out = result.stdout
    # The bundled settings leave the base URL unset: the placeholder is warned of once, before the summary.
    assert out.count("warning: the base URL is still the placeholder") == 1
    assert out.splitlines()[0].startswith("warning: the base URL is still the placeholder")
    assert out.splitlines()[1].startswith("New release 0001-")
    rows = summary_rows(out)
    assert (rows["sections"], rows["tasks"], rows["assignments"]) == (91, 50, 533)
    assert "Release path:" in out and "Files written:" in out
    assert "Traceback" not in result.stderr
    assert (tmp_path / "out" / "latest" / "plan.duckdb").is_file()


@pytest.mark.subprocess
def test_console_script_failure_is_one_line_with_status_1(tmp_path):
    sources = copy_sources(tmp_path / "sources")
    (sources / NOTICE.name).write_bytes(b"")
    result = subprocess.run([PLANDATA, "build", "--sources", str(sources), "--outputs", str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last == f"error: build failed, nothing published: {NOTICE.name}: file is empty"
    assert "Traceback" not in result.stderr + result.stdout and result.stdout == ""


def test_unchanged_rebuild_says_so(built_release, tmp_path, capsys):
    outputs = tmp_path / "out"
    shutil.copytree(built_release, outputs, symlinks=True)
    status, out, _ = cli(capsys, "build", "--sources", str(SOURCES), "--outputs", str(outputs))
    assert status == 0
    said = [line for line in out.splitlines() if not line.startswith("warning: the base URL is still the placeholder")]
    assert said[0] == f"Unchanged since release {(outputs / 'latest').readlink().name}"
    assert "Files written:" not in out
    assert len([p for p in (outputs / "releases").iterdir() if p.is_dir()]) == 1


def test_build_defaults_to_sources_and_outputs_in_the_working_directory(tmp_path, capsys, monkeypatch):
    copy_sources(tmp_path / "sources")
    monkeypatch.chdir(tmp_path)
    status, out, err = cli(capsys, "build")
    assert status == 0, err
    assert (tmp_path / "outputs" / "latest" / "datapackage.json").is_file()


@pytest.mark.parametrize("content, fault", [
    (b"\x00\x01\x02\x03garbage\xff\xfe\x00", ":1: binary data (NUL bytes)"),
    ("没有任何标题的一段文字。\n".encode("utf-8"), ": no chapter heading"),
    (b"\x81\x30", ":1: undecodable bytes at offset 0"),
], ids=["binary", "no-heading", "undecodable"])
def test_bad_input_is_one_line_and_publishes_nothing(tmp_path, capsys, content, fault):
    sources = copy_sources(tmp_path / "sources")
    (sources / NOTICE.name).write_bytes(content)
    status, out, err = cli(capsys, "build", "--sources", str(sources), "--outputs", str(tmp_path / "out"))
    assert status == 1 and out == ""
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"error: build failed, nothing published: {NOTICE.name}{fault}"), last
    assert "Traceback" not in err
    assert not (tmp_path / "out" / "latest").exists()
    assert not list((tmp_path / "out").glob(".staging-*"))


def test_second_build_fails_clearly_while_one_runs(tmp_path, capsys):
    import fcntl

    outputs = tmp_path / "out"
    outputs.mkdir()
    with (outputs / ".lock").open("a+") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)
        holder.write("pid 4242")
        holder.flush()
        status, _, err = cli(capsys, "build", "--sources", str(SOURCES), "--outputs", str(outputs))
    assert status == 1
    assert "another build is running" in err and "(pid 4242)" in err and "Traceback" not in err
    assert not (outputs / "latest").exists()


def test_diff_of_two_source_files(tmp_path, capsys):
    old = tmp_path / "old.txt"
    new = tmp_path / "new.txt"
    text = NOTICE.read_text(encoding="utf-8")
    old.write_text(text, encoding="utf-8")
    new.write_text(text.replace("牵头单位：市教育局\n", "牵头单位：市教育局、市监察局\n"), encoding="utf-8")  # 五（二）2
    status, out, err = cli(capsys, "diff", str(old), str(new), "--sources", str(SOURCES))
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["entity", "change", "old_id", "new_id", "detail"]
    body = [line.split()[:4] for line in lines[2:]]
    assert ["task", "units_changed", "5.2.2", "5.2.2"] in body
    assert ["assignment", "added", "5.2.2/lead/市监察局"] in [row[:3] for row in body]
    assert len(body) == 2
    status, out, _ = cli(capsys, "diff", str(old), str(old), "--sources", str(SOURCES))
    assert status == 0 and out.strip() == "No changes."


def test_diff_of_two_releases(built_release, tmp_path, capsys):
    from pipeline.orchestration.run import run_build

    outputs = tmp_path / "out"
    shutil.copytree(built_release, outputs, symlinks=True)
    sources = copy_sources(tmp_path / "sources")
    notice = sources / NOTICE.name
    notice.write_text(notice.read_text(encoding="utf-8").replace("2008年8月11日", "2008年8月12日"), encoding="utf-8")
    run_build(sources, outputs)
    first, second = sorted(p for p in (outputs / "releases").iterdir() if p.is_dir())
    status, out, _ = cli(capsys, "diff", str(first), str(second))
    assert status == 0
    assert "metadata_changed" in out and "2008-08-11 → 2008-08-12" in out
    status, out, err = cli(capsys, "diff", str(first), str(tmp_path / "nowhere"))
    assert status == 1 and out == ""
    assert err.strip() == f"error: {tmp_path / 'nowhere'}: no such release directory or notice file"


def test_base_url_reaches_the_package_and_portal_metadata(built_release, tmp_path, capsys):
    """The placeholder is named in quality.md; a real base URL is a new release that points there."""
    outputs = tmp_path / "out"
    shutil.copytree(built_release, outputs, symlinks=True)
    assert "placeholder base URL https://example.org/plandata/" in (outputs / "latest" / "quality.md").read_text()
    status, out, err = cli(capsys, "build", "--sources", str(SOURCES), "--outputs", str(outputs),
                           "--base-url", "https://data.example.cn/plans")
    assert status == 0, err
    assert out.startswith("New release 0002-")
    latest = outputs / "latest"
    assert json.loads((latest / "datapackage.json").read_text())["homepage"] == "https://data.example.cn/plans/"
    assert "placeholder" not in (latest / "quality.md").read_text()
    release_url = f"https://data.example.cn/plans/releases/{latest.readlink().name}/"
    assert f"<{release_url}" in (latest / "dcat.ttl").read_text()
    assert "example.org" not in (latest / "dcat.ttl").read_text()


@pytest.mark.parametrize("url", ["data.example.cn/plans", "ftp://example.cn/", "https://example.cn/?q=1"])
def test_a_malformed_base_url_is_refused_before_any_work(tmp_path, capsys, url):
    status, out, err = cli(capsys, "build", "--sources", str(SOURCES), "--outputs", str(tmp_path / "out"),
                           "--base-url", url)
    assert status == 1 and out == ""
    assert err.splitlines()[-1] == (f"error: --base-url {url!r} is not an absolute http(s) URL without query or "
                                    "fragment (e.g. https://data.example.gov.cn/plandata/)")
    assert not (tmp_path / "out").exists()
