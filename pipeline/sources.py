"""What sits in the sources directory: notice texts and the unit registry."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PlanDataError

NOTICE_SUFFIXES = (".txt",)
REGISTRY_FILES = ("units.csv", "unit_aliases.csv")


@dataclass(frozen=True)
class SourceFile:
    path: Path
    data: bytes

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def notice_paths(sources_dir: Path) -> list[Path]:
    if not sources_dir.is_dir():
        raise PlanDataError("sources directory does not exist", file=str(sources_dir))
    paths = sorted(p for p in sources_dir.iterdir()
                   if p.suffix.lower() in NOTICE_SUFFIXES and p.is_file() and not p.name.startswith("."))
    if not paths:
        raise PlanDataError("no notice (*.txt) in the sources directory", file=str(sources_dir))
    return paths


def read_sources(sources_dir: Path) -> tuple[list[SourceFile], dict[str, SourceFile]]:
    """(notices, registry files present by name), read once so that every step sees the same bytes."""
    notices = [SourceFile(path, path.read_bytes()) for path in notice_paths(sources_dir)]
    registry = {}
    for name in REGISTRY_FILES:
        path = sources_dir / name
        # The registry is optional: without it every printed unit is published unresolved.
        if path.is_file():
            registry[name] = SourceFile(path, path.read_bytes())
    return notices, registry
