"""plandata rollback <release>: point ``latest`` at an earlier (or later) published release.

Under the build lock, like a build: the switch is one ``os.replace`` of the symlink, then a
``rollback`` line in releases/published.log and ``latest`` in index.json. Nothing is moved: the
releases above the one rolled back to stay published, and the next build publishes under the
next sequence number, its change log computed against the release ``latest`` names.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import PlanDataError
from pipeline.publish import published_log
from pipeline.publish.release import (RELEASE_ID, _write_index, build_lock, check_outputs, damaged_files,
                                      latest_target, read_index, recorded_releases, releases_dir, switch_latest)


@dataclass
class RolledBack:
    release_id: str
    before: str | None
    repairs: list[str] = field(default_factory=list)
    damage: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.before != self.release_id


def release_name(text: str) -> str:
    """A release id, or a path ending in one (outputs/releases/0003-1a2b3c4d)."""
    name = Path(text.strip().rstrip("/")).name
    if not RELEASE_ID.match(name):
        raise PlanDataError(f"{text!r} is not a release id (<sequence>-<hash>, as in releases/index.json)")
    return name


def rollback(outputs: Path, release: str, wait_seconds: float = 0.0, pages=None) -> RolledBack:
    """``pages``: what renders the outputs pages from the index once it is written (see build_lock)."""
    release_id = release_name(release)
    check_outputs(outputs)
    if not (outputs / "releases").is_dir():
        raise PlanDataError("no releases to roll back to", file=str(outputs))
    with build_lock(outputs, wait_seconds, pages=pages) as repairs:
        index = read_index(outputs)
        if release_id not in recorded_releases(outputs, index) or not (releases_dir(outputs) / release_id).is_dir():
            known = ", ".join(entry["release_id"] for entry in index["releases"]) or "none"
            raise PlanDataError(f"{release_id} is not a published release in releases/ (published: {known})",
                                file=str(releases_dir(outputs)))
        damaged = damaged_files(outputs, release_id)
        if damaged:
            raise PlanDataError(f"{release_id} holds {len(damaged)} file(s) that no longer match its SHA256SUMS "
                                f"({damaged[0]}); not made latest (plandata verify lists them)",
                                file=str(releases_dir(outputs) / release_id))
        before = latest_target(outputs)
        result = RolledBack(release_id, before, list(repairs), list(getattr(repairs, "damage", [])))
        if before == release_id:
            return result
        switch_latest(outputs, release_id)
        published_log.append(outputs, "rollback", release_id, **{"from": before, "by": "plandata rollback"})
        index["latest"] = release_id
        _write_index(outputs, index)
        return result
