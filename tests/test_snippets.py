"""Every snippet of the release page runs against a built release: plandata sql, DuckDB, pandas and polars
on the local files; pandas and polars over HTTP from a server on 127.0.0.1; DuckDB's URL snippet (httpfs
cannot be had here) says it needs httpfs, and its SQL runs on the local files. The Frictionless snippet runs
in the subprocess tier (tests/test_frictionless_cli.py)."""
from __future__ import annotations

import contextlib
import functools
import http.server
import io
import shlex
import subprocess
import sys
import threading

import pytest

from pipeline.cli import main
from pipeline.site.snippets import snippets

WEB = "https://data.example.org/plandata/releases/0001-abcdef01/"


@pytest.fixture(scope="module")
def release(built_release):
    return (built_release / "latest").resolve()


class StaticHost(http.server.SimpleHTTPRequestHandler):
    """A static host as portals run them: with byte ranges (polars reads a URL by ranges, and
    http.server alone answers a Range request with the whole file, which polars refuses)."""

    def log_message(self, *args) -> None:
        pass

    def send_head(self):
        wanted = self.headers.get("Range", "")
        if not wanted.startswith("bytes="):
            return super().send_head()
        path = self.translate_path(self.path)
        try:
            data = open(path, "rb").read()
        except OSError:
            self.send_error(404)
            return None
        first, _, last = wanted[len("bytes="):].split(",")[0].partition("-")
        if first:
            start, end = int(first), min(int(last) if last else len(data) - 1, len(data) - 1)
        else:
            start, end = max(len(data) - int(last), 0), len(data) - 1
        if start >= len(data):
            self.send_error(416)
            return None
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        return io.BytesIO(data[start:end + 1])


@contextlib.contextmanager
def served(folder):
    """The release folder over HTTP on 127.0.0.1, for as long as the block runs."""
    handler = functools.partial(StaticHost, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.timeout = 5
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        assert not thread.is_alive()


def _run_python(code: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<snippet>", "exec"), {})
    return out.getvalue()


def _run_sh(code: str, capsys) -> list[str]:
    """Runs each command line; returns the kinds run. A line of a kind not known here fails the test."""
    kinds = []
    for line in code.splitlines():
        words = shlex.split(line, comments=True)
        if not words:
            continue
        if words[:2] == ["plandata", "sql"]:
            stdin, sys.stdin = sys.stdin, io.StringIO("SELECT count(*) FROM tasks;\n")
            try:
                assert main(words[1:]) == 0, capsys.readouterr().err
            finally:
                sys.stdin = stdin
            out = capsys.readouterr().out
            assert out.splitlines()[-1].endswith(("row)", "rows)")), line
            kinds.append("plandata sql")
        elif words[:1] == ["sha256sum"]:
            subprocess.run(words, check=True, capture_output=True, timeout=120)
            kinds.append("sha256sum")
        elif words[:2] == ["frictionless", "validate"]:
            kinds.append("frictionless (subprocess tier)")
        else:
            pytest.fail(f"a snippet line no test runs: {line}")
    return kinds


def test_the_page_has_no_r_snippet_and_names_the_frictionless_extras():
    shown = snippets(WEB)
    assert not [title for title, language, _ in shown if language == "r" or title == "R"]
    assert any('pip install "frictionless[json,parquet,pandas]"' in code for _, _, code in shown)


def test_every_local_snippet_runs_in_the_release_folder(release, monkeypatch, capsys):
    monkeypatch.chdir(release)
    ran = []
    for title, language, code in snippets(WEB):
        if WEB in code:
            continue  # the web snippets: below
        if language == "python":
            printed = _run_python(code)
            assert printed.strip(), title
            ran.append(title)
        else:
            assert language == "sh", title
            ran += [f"{title}: {kind}" for kind in _run_sh(code, capsys)]
    assert any("pandas" in title for title in ran) and any("polars" in title for title in ran)
    assert any("DuckDB" in title for title in ran) and sum("plandata sql" in title for title in ran) >= 3


def test_pandas_and_polars_read_the_release_over_http(release, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # nothing is read from the local folder
    web = [code for _, language, code in snippets(WEB) if WEB in code and "duckdb" not in code]
    assert len(web) == 1 and "pd.read_parquet" in web[0] and "pl.read_csv" in web[0]
    with served(release) as url:
        printed = _run_python(web[0].replace(WEB, url))
    tasks, assignments = map(int, printed.split())
    # The bundled notice: 50 tasks; one assignments row per unit, role and task (as in plan.duckdb).
    import duckdb
    with duckdb.connect(str(release / "plan.duckdb"), read_only=True) as db:
        assert (tasks, assignments) == (50, db.execute("SELECT count(*) FROM assignments").fetchone()[0])


def test_duckdbs_url_snippet_says_it_needs_httpfs_and_its_sql_runs_on_the_local_files(release, monkeypatch):
    monkeypatch.chdir(release)
    duckdb_web = [code for _, _, code in snippets(WEB) if WEB in code and "import duckdb" in code]
    assert len(duckdb_web) == 1 and "httpfs" in duckdb_web[0]
    printed = _run_python(duckdb_web[0].replace(WEB, ""))
    assert "task_id" in printed
