"""Rebuilds on change and on schedule.

The sensor hashes the sources on every tick and requests a build only when the
hash differs from its cursor; each changed file is observed with its sha256 as
the data version of its partition of ``source_files``. The daily schedule is
the safety net: a build of unchanged sources publishes nothing.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import dagster as dg

from pipeline.sources import REGISTRY_FILES, notice_paths

SOURCE_FILES = dg.DynamicPartitionsDefinition(name="source_files")
source_files = dg.AssetSpec(
    "source_files", partitions_def=SOURCE_FILES, group_name="sources", kinds={"text"},
    description="The notices and the unit registry in the sources directory; one partition per file, "
                "observed with the file's sha256 as its data version.",
)


def sources_dir() -> Path:
    return Path(os.environ.get("PLANDATA_SOURCES", "sources"))


def outputs_dir() -> Path:
    return Path(os.environ.get("PLANDATA_OUTPUTS", "outputs"))


def daily_cron() -> str:
    """PLANDATA_DAILY_AT=HH:MM (Asia/Shanghai), default 06:00."""
    hour, minute = os.environ.get("PLANDATA_DAILY_AT", "06:00").split(":")
    return f"{int(minute)} {int(hour)} * * *"


def source_versions(directory: Path) -> dict[str, str]:
    paths = [*notice_paths(directory), *(directory / name for name in REGISTRY_FILES)]
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in paths if path.is_file()}


def fingerprint(versions: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(versions, sort_keys=True).encode()).hexdigest()


def sources_tick(cursor: str | None, directory: Path) -> dg.SensorResult | dg.SkipReason:
    versions = source_versions(directory)
    current = fingerprint(versions)
    previous = json.loads(cursor) if cursor else {"fingerprint": None, "files": {}}
    if previous["fingerprint"] == current:
        return dg.SkipReason(f"sources unchanged (fingerprint {current[:12]})")
    changed = {name: sha for name, sha in versions.items() if previous["files"].get(name) != sha}
    added = [name for name in versions if name not in previous["files"]]
    observations = [dg.AssetObservation(asset_key=source_files.key, partition=name,
                                        tags={"dagster/data_version": sha}, metadata={"sha256": sha})
                    for name, sha in sorted(changed.items())]
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=current, tags={"plandata/sources": current[:12]})],
        cursor=json.dumps({"fingerprint": current, "files": versions}, sort_keys=True),
        asset_events=observations,
        dynamic_partitions_requests=[SOURCE_FILES.build_add_request(sorted(added))] if added else [],
    )


def build_automation(job: dg.UnresolvedAssetJobDefinition):
    @dg.sensor(job=job, default_status=dg.DefaultSensorStatus.RUNNING, minimum_interval_seconds=60,
               description="Builds a release when a file in the sources directory changed.")
    def sources_changed(context: dg.SensorEvaluationContext):
        return sources_tick(context.cursor, sources_dir())

    daily = dg.ScheduleDefinition(
        name="daily_rebuild", job=job, cron_schedule=daily_cron(), execution_timezone="Asia/Shanghai",
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Safety net: rebuilds daily (PLANDATA_DAILY_AT, Asia/Shanghai); unchanged sources publish nothing.",
    )
    return sources_changed, daily
