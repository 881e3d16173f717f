from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pipeline.core.registry import UnitRegistry

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "sources"
NOTICE = SOURCES / "taizhou-anticorruption-2008-2012.txt"

# Tiers beyond the default one: `pytest --all-tiers` (the README's test command and CI) runs them too.
TIERS = {
    "corpus": "reads the real notices in the shared folder (PLANDATA_SHARED)",
    "browser": "drives Debian's Chromium through Playwright",
    "multiprocess": "runs Dagster's multiprocess executor",
    "subprocess": "starts a command-line program (plandata, dagster, frictionless) in a new process",
    "scale": "builds inputs a thousand times the bundled notice",
}


def shared_dir() -> Path:
    """The shared folder (corpus, standards). PLANDATA_SHARED names it; by default ../shared beside the repo.

    Tests skip when the default folder is absent. When PLANDATA_SHARED is set (as the
    mutation script sets it) a missing folder fails them instead, so that a skipped
    test never counts as a killed mutant or a passed run."""
    named = os.environ.get("PLANDATA_SHARED")
    path = Path(named) if named else ROOT.parent / "shared"
    if not path.is_dir():
        if named:
            pytest.fail(f"PLANDATA_SHARED={named} is not a directory")
        pytest.skip(f"shared folder {path} is absent")
    return path


def pytest_addoption(parser):
    parser.addoption("--all-tiers", action="store_true",
                     help="also run the tests marked " + ", ".join(TIERS))


def pytest_configure(config):
    for name, meaning in TIERS.items():
        config.addinivalue_line("markers", f"{name}: {meaning} (runs with --all-tiers)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--all-tiers"):
        return
    kept, deselected = [], []
    for item in items:
        (deselected if any(item.get_closest_marker(tier) for tier in TIERS) else kept).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.fixture(scope="session")
def registry() -> UnitRegistry:
    return UnitRegistry.from_csv((SOURCES / "units.csv").read_text(encoding="utf-8"),
                                 (SOURCES / "unit_aliases.csv").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def notice_bytes() -> bytes:
    return NOTICE.read_bytes()


def copy_sources(target: Path, notice_text: str | None = None, notice_name: str = NOTICE.name) -> Path:
    """A sources directory with the registry and the bundled notice (or the given text instead)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("units.csv", "unit_aliases.csv"):
        shutil.copy(SOURCES / name, target / name)
    if notice_text is None:
        shutil.copy(NOTICE, target / notice_name)
    else:
        (target / notice_name).write_text(notice_text, encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def built_release(tmp_path_factory) -> Path:
    """One in-process Dagster build of the bundled notice, shared by the tests that only read it."""
    from pipeline.orchestration.run import run_build

    outputs = tmp_path_factory.mktemp("outputs")
    run_build(SOURCES, outputs)
    return outputs


def table_file(release: Path, table: str, fmt: str) -> Path:
    """The one file of a table in a format: csv/units.csv, csv/tasks.csv."""
    from pipeline.publish.datapackage import resource_path

    return release / resource_path(table, fmt)
