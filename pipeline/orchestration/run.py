"""Run the Dagster build in-process and turn its outcome into a result or one PlanDataError.

Every failure says what was published: "nothing published" only when ``latest``
still names the release it named before the run."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import PlanDataError

INTERRUPTS = {"DagsterExecutionInterruptedError", "KeyboardInterrupt"}


class BuildInterrupted(PlanDataError):
    """Ctrl-C or SIGTERM: the CLI exits 130."""


@dataclass(frozen=True)
class BuildOutcome:
    release_id: str
    release_dir: Path
    new: bool
    index_entry: dict
    repairs: list[str] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)  # notices left out by --skip-broken
    damage: list[str] = field(default_factory=list)  # files of published releases that no longer match
    unread: list[dict] = field(default_factory=list)  # files in a format no reader reads: {"file", "format"}


# str(OSError): "[Errno 28] No space left on device: '/out/x.csv'", said as "/out/x.csv: No space left on device".
# A file descriptor in place of the file name ("Is a directory: 7") is dropped: it names nothing.
_OS_ERROR = re.compile(r"\[Errno -?\d+\] (?P<words>[^:']*?)(?:: '(?P<file>[^']*)'(?: -> '[^']*')?|: \d+)?$")


def _plain(error) -> str:
    """An error's message on one line, without the exception's class name or an errno."""
    message = " ".join(error.message.split())
    message = re.sub(rf"^[\w.]*{re.escape(error.cls_name)}: ?", "", message)
    message = _OS_ERROR.sub(lambda m: f"{m['file']}: {m['words']}" if m["file"] else m["words"], message)
    return re.sub(r"\[Errno -?\d+\] ", "", message) or "unexpected error"


def _first_error(result) -> tuple[str | None, bool]:
    """The project's own error message if a step raised one, else the root cause of the first
    failure; and whether the run was interrupted."""
    fallback, interrupted = None, False
    for event in result.all_events:
        error = getattr(getattr(event, "event_specific_data", None), "error", None)
        root = None
        while error is not None:
            if error.cls_name in INTERRUPTS:
                interrupted = True
            if error.cls_name == "PlanDataError":
                return _plain(error), interrupted
            root, error = error, error.cause
        if root is not None and fallback is None:
            fallback = f"step {event.step_key or 'build'} failed: {_plain(root)}"
    return fallback, interrupted


def _latest(outputs: Path) -> str | None:
    from pipeline.publish.release import latest_target

    try:
        return latest_target(outputs)
    except OSError:
        return None


def _failure(message: str, before: str | None, after: str | None) -> PlanDataError:
    if after == before:
        return PlanDataError(f"build failed, nothing published: {message}")
    if message.startswith("published "):
        return PlanDataError(message)
    return PlanDataError(f"build failed after publishing {after} (latest points at it): {message}")


def _interrupted(before: str | None, after: str | None) -> BuildInterrupted:
    if after == before:
        return BuildInterrupted("interrupted; the last good release is untouched"
                                + (f" (latest is {after})" if after else ""))
    return BuildInterrupted(f"interrupted after publishing {after} (latest points at it); "
                            "the next build completes the index")


def run_build(sources: Path, outputs: Path, wait_seconds: float = 0.0, show_progress: bool = False,
              base_url: str | None = None, skip_broken: bool = False, instance=None) -> BuildOutcome:
    """``instance``: the Dagster instance to run on (default: a throwaway one, as the CLI uses)."""
    import dagster as dg

    from pipeline.orchestration.assets import PlanBuild
    from pipeline.orchestration.definitions import ALL_ASSETS, ALL_CHECKS
    from pipeline.publish.release import read_index
    from pipeline.orchestration.step_outputs import RunScopedIOManagerFactory

    logging.getLogger("dagster").setLevel(logging.CRITICAL)
    resource = PlanBuild(sources_dir=str(sources), outputs_dir=str(outputs),
                         lock_wait_seconds=wait_seconds, show_progress=show_progress, base_url=base_url or "",
                         skip_broken=skip_broken)
    before = _latest(outputs)
    try:
        result = dg.materialize(
            [*ALL_ASSETS, *ALL_CHECKS], resources={"plan_build": resource, "io_manager": RunScopedIOManagerFactory()},
            raise_on_error=False, instance=instance,
            run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
        )
    except (KeyboardInterrupt, dg.DagsterExecutionInterruptedError):
        raise _interrupted(before, _latest(outputs)) from None
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            raise PlanDataError(f"check {evaluation.check_name} failed, nothing published: "
                                f"{evaluation.description}")
    if not result.success:
        message, interrupted = _first_error(result)
        after = _latest(outputs)
        if interrupted:
            raise _interrupted(before, after)
        raise _failure(message or "unknown error", before, after)
    metadata = result.asset_materializations_for_node("release")[0].metadata
    release_id = metadata["release_id"].value
    release_dir = outputs / "releases" / release_id
    entry = next((e for e in read_index(outputs)["releases"] if e["release_id"] == release_id), {})
    repairs = list(metadata["repairs"].value) if "repairs" in metadata else []
    skipped = list(metadata["skipped"].value) if "skipped" in metadata else []
    damage = list(metadata["damage"].value) if "damage" in metadata else []
    unread = list(metadata["unread"].value) if "unread" in metadata else []
    return BuildOutcome(release_id, release_dir, bool(metadata["new"].value), entry, repairs, skipped, damage,
                        unread)
