from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.core.registry import UnitRegistry

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "sources"
NOTICE = SOURCES / "taizhou-anticorruption-2008-2012.txt"


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
    from pipeline.run import run_build

    outputs = tmp_path_factory.mktemp("outputs")
    run_build(SOURCES, outputs)
    return outputs
