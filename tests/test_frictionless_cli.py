"""The Frictionless snippet of the release page, as a publisher runs it: the `frictionless` program of the
install, with the extras the README and the page name, validates every resource of a built release."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from pipeline.site.snippets import FRICTIONLESS_EXTRAS, snippets

pytestmark = pytest.mark.subprocess
BIN = Path(sys.executable).parent


def test_the_readme_the_page_and_the_install_name_the_same_extras():
    assert FRICTIONLESS_EXTRAS == "frictionless[json,parquet,pandas]"
    assert f'pip install "{FRICTIONLESS_EXTRAS}"' in (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r'"frictionless\[json,parquet,pandas\]==', (ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_frictionless_validates_every_resource_of_a_built_release(built_release):
    release = (built_release / "latest").resolve()
    result = subprocess.run([str(BIN / "frictionless"), "validate", "--json", "datapackage.json"], cwd=release,
                            capture_output=True, text=True, timeout=600)
    report = json.loads(result.stdout)
    assert result.returncode == 0 and report["valid"] is True, result.stdout[-3000:]
    resources = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))["resources"]
    assert len(report["tasks"]) == len(resources)
    assert not [task["name"] for task in report["tasks"] if task.get("partial") or not task["valid"]]
    assert any(resource["path"].endswith(".parquet") for resource in resources)


def test_the_frictionless_snippet_runs_as_shown(built_release):
    release = (built_release / "latest").resolve()
    code, = [code for title, _, code in snippets("https://example.org/") if "Frictionless" in title]
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", code], cwd=release, env=environment,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert "SHA256SUMS" not in result.stderr and ": FAILED" not in result.stdout
