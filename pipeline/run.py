"""Run the Dagster build in-process and turn its outcome into a result or one PlanDataError."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PlanDataError


@dataclass(frozen=True)
class BuildOutcome:
    release_id: str
    release_dir: Path
    new: bool
    index_entry: dict


def _first_error(result) -> str | None:
    """The project's own error message if a step raised one, else the root cause of the first failure."""
    fallback = None
    for event in result.all_events:
        error = getattr(getattr(event, "event_specific_data", None), "error", None)
        root = None
        while error is not None:
            if error.cls_name == "PlanDataError":
                message = error.message.strip()
                return message.split(": ", 1)[1] if message.startswith("pipeline.errors.") else message
            root, error = error, error.cause
        if root is not None and fallback is None:
            first_line = (root.message.strip().splitlines() or [""])[-1]
            fallback = f"step {event.step_key or 'build'} failed with {first_line}"
    return fallback


def run_build(sources: Path, outputs: Path, wait_seconds: float = 0.0, show_progress: bool = False) -> BuildOutcome:
    import dagster as dg

    from pipeline.assets import PlanBuild
    from pipeline.definitions import ALL_ASSETS, ALL_CHECKS

    logging.getLogger("dagster").setLevel(logging.CRITICAL)
    resource = PlanBuild(sources_dir=str(sources), outputs_dir=str(outputs),
                         lock_wait_seconds=wait_seconds, show_progress=show_progress)
    result = dg.materialize(
        [*ALL_ASSETS, *ALL_CHECKS], resources={"plan_build": resource}, raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
    )
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            raise PlanDataError(f"check {evaluation.check_name} failed, nothing published: "
                                f"{evaluation.description}")
    if not result.success:
        raise PlanDataError(f"build failed, nothing published: {_first_error(result) or 'unknown error'}")
    metadata = result.asset_materializations_for_node("release")[0].metadata
    release_id = metadata["release_id"].value
    release_dir = outputs / "releases" / release_id
    index = json.loads((outputs / "releases" / "index.json").read_text(encoding="utf-8"))
    entry = next((e for e in index["releases"] if e["release_id"] == release_id), {})
    return BuildOutcome(release_id, release_dir, bool(metadata["new"].value), entry)
