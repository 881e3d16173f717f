"""Rebuilds on change and on schedule.

The sensor looks at the sources every tick and requests a build when their
fingerprint (a hash over every file's sha256) differs from the one it last
requested a build for. It hashes, by streaming, only the files whose stat
signature (size, mtime, ctime, inode) changed since the last tick.

The sources are seen by Dagster as 17 external assets, not one partition per notice:
``sources_0`` … ``sources_f`` hold the notices (and their sidecars) of one shard each
(the shard of the notice's doc_id, as the build splits them), ``registry_sources`` the
unit registry. ``shard_X`` depends on ``sources_X`` and ``registry_sources`` only, so
a changed notice makes only its shard's asset stale. Each group whose files changed is
observed with a data version over its files' (relative path, sha256), sorted.

Every request gets a run key of its own (fingerprint and a sequence number), so
that sources going back to an earlier state (A -> B -> A) are built again. When
the run the sensor requested fails, the sensor requests the same fingerprint once
more; a second failure is left to the daily schedule, the safety net (a build of
unchanged sources publishes nothing).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
import warnings
from pathlib import Path

import dagster as dg

from pipeline.core.notice import doc_id_from_path
from pipeline.errors import PlanDataError
from pipeline.extraction.shards import SHARDS, shard_of
from pipeline.sources.sidecar import MAX_BYTES as SIDECAR_MAX_BYTES
from pipeline.sources.sidecar import SUFFIX as SIDECAR_SUFFIX
from pipeline.sources.sidecar import parse_sidecar
from pipeline.sources.discovery import (NOTICE_SUFFIXES, REGISTRY_FILES, notice_files, printable, read_bounded,
                              registry_paths, sidecar_files, stream_sha256)
from pipeline.sources.settings import SETTINGS_FILE, settings_path

LOG = logging.getLogger(__name__)

REGISTRY_SOURCES = "registry_sources"


def sources_key(shard: str) -> str:
    return f"sources_{shard}"


# Unpartitioned on purpose: Dagster's staleness reads an unpartitioned dependency's data version
# directly, and one asset per shard keeps each shard asset's dependencies its own.
SOURCE_SPECS = [
    *(dg.AssetSpec(sources_key(shard), group_name="sources", kinds={"text"},
                   description=f"The notices (and their .meta.json sidecars) whose doc_id falls in shard {shard}; "
                               "its data version is a sha256 over their (relative path, sha256).") for shard in SHARDS),
    dg.AssetSpec(REGISTRY_SOURCES, group_name="sources", kinds={"csv"},
                 description="The unit registry (units.csv, unit_aliases.csv); its data version is a sha256 "
                             "over their (name, sha256)."),
]


def observe_sources(directory: Path):
    """Every source asset's data version, all files hashed (the sensor hashes only what changed)."""
    versions, _ = source_versions(directory)
    for key, version in sorted(group_versions(versions, notice_shards(directory, versions)).items()):
        yield dg.ObserveResult(asset_key=key, data_version=dg.DataVersion(version))


# Observable, not plain specs: Dagster's staleness reads observations only of observable assets
# (of a plain external asset it assumes the initial version, and every shard would look stale).
with warnings.catch_warnings():
    warnings.simplefilter("ignore", dg.BetaWarning)  # beta in 1.13; the sensor reports the same events

    @dg.multi_observable_source_asset(specs=SOURCE_SPECS, name="observe_sources",
                                      description="Hashes every source file and observes each shard's sources.")
    def sources_observation():
        yield from observe_sources(sources_dir())


SOURCE_ASSETS = [sources_observation]

DEFAULT_DAILY_AT = "06:00"
_DAILY_AT = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")
RETRY_TAG = "plandata/retry_of"


def sources_dir() -> Path:
    return Path(os.environ.get("PLANDATA_SOURCES", "sources"))


def outputs_dir() -> Path:
    return Path(os.environ.get("PLANDATA_OUTPUTS", "outputs"))


def daily_at() -> tuple[str, str | None]:
    """(HH:MM to use, a warning when PLANDATA_DAILY_AT was malformed and the default is used instead).

    A malformed value must not break the code location (the sensor and the UI with it):
    the schedule keeps its default time and says why."""
    value = os.environ.get("PLANDATA_DAILY_AT", DEFAULT_DAILY_AT)
    if _DAILY_AT.fullmatch(value.strip()):
        return value.strip(), None
    return DEFAULT_DAILY_AT, (f"PLANDATA_DAILY_AT={value!r} is not a time HH:MM (00:00 to 23:59); "
                              f"the daily rebuild runs at the default {DEFAULT_DAILY_AT} instead")


def daily_cron() -> str:
    """PLANDATA_DAILY_AT=HH:MM (Asia/Shanghai), default 06:00."""
    hour, minute = daily_at()[0].split(":")
    return f"{int(minute)} {int(hour)} * * *"


def _signature(stat: os.stat_result) -> list[int]:
    # ctime and inode too: unzip or cp -p can write new bytes of the same size under an old mtime.
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]


def source_versions(directory: Path, known: dict | None = None) -> tuple[dict[str, str], dict[str, list[int]]]:
    """({relative name: sha256}, {relative name: stat signature}); unchanged signatures reuse known hashes."""
    known = known or {}
    known_files, known_stats = known.get("files", {}), known.get("stats", {})
    files = [*notice_files(directory), *sidecar_files(directory),
             *((p.name, p) for p in [*registry_paths(directory), settings_path(directory)] if p.is_file())]
    versions, stats = {}, {}
    for name, path in files:
        signature = _signature(os.stat(path))
        if known_stats.get(name) == signature and name in known_files:
            versions[name] = known_files[name]
        else:
            versions[name] = stream_sha256(path)
        stats[name] = signature
    return versions, stats


def fingerprint(versions: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(versions, sort_keys=True).encode()).hexdigest()


def _is_notice(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in NOTICE_SUFFIXES


def _sidecar_name(notice: str) -> str:
    return os.path.splitext(notice)[0] + SIDECAR_SUFFIX


def _shard(directory: Path, notice: str) -> str:
    """The shard the build puts the notice in: by its sidecar's id, else by its file name. A sidecar
    that cannot be read counts as absent here; the build reports it."""
    doc_id = None
    sidecar = directory / _sidecar_name(notice)
    if sidecar.is_file():
        try:
            shown = printable(_sidecar_name(notice))
            doc_id = parse_sidecar(read_bounded(sidecar, shown, SIDECAR_MAX_BYTES, "a metadata sidecar"), shown).get("id")
        except PlanDataError:
            doc_id = None
    return shard_of(doc_id or doc_id_from_path(notice))


def notice_shards(directory: Path, versions: dict[str, str], known: dict | None = None) -> dict[str, str]:
    """{notice: shard}; a notice keeps its known shard unless it is new or its sidecar changed."""
    known = known or {}
    known_files, known_shards = known.get("files", {}), known.get("shards", {})
    shards = {}
    for name in versions:
        if not _is_notice(name):
            continue
        sidecar = _sidecar_name(name)
        if name in known_shards and versions.get(sidecar) == known_files.get(sidecar):
            shards[name] = known_shards[name]
        else:
            shards[name] = _shard(directory, name)
    return shards


def group_versions(versions: dict[str, str], shards: dict[str, str]) -> dict[str, str]:
    """{source asset: data version}: sha256 over its files' [relative path, sha256], sorted."""
    groups: dict[str, list] = {sources_key(shard): [] for shard in SHARDS}
    groups[REGISTRY_SOURCES] = []
    for name, sha in versions.items():
        if name in REGISTRY_FILES or name == SETTINGS_FILE:  # the settings file feeds release_files
            groups[REGISTRY_SOURCES].append([name, sha])
        elif _is_notice(name) and name in shards:
            groups[sources_key(shards[name])].append([name, sha])
    for notice, shard in shards.items():
        sidecar = _sidecar_name(notice)
        if sidecar in versions:
            groups[sources_key(shard)].append([sidecar, versions[sidecar]])
    return {key: hashlib.sha256(json.dumps(sorted(files)).encode("utf-8")).hexdigest()
            for key, files in groups.items()}


def _load_cursor(cursor: str | None) -> dict:
    """The cursor as a dict; version 1 cursors ({fingerprint, files}) are read as they are."""
    empty = {"fingerprint": None, "files": {}, "stats": {}, "shards": {}, "sequence": None, "pending": None}
    if not cursor:
        return empty
    try:
        loaded = json.loads(cursor)
    except ValueError:
        LOG.warning("sources_changed: unreadable cursor, starting afresh")
        return empty
    return {**empty, **loaded} if isinstance(loaded, dict) else empty


def _request(state: dict, current: str, tags: dict[str, str]) -> dg.RunRequest:
    # A fresh or reset cursor counts on from the clock (milliseconds), so that no run key
    # made before the reset comes back and gets the request dropped by the daemon.
    state["sequence"] = (state["sequence"] or time.time_ns() // 1_000_000) + 1
    run_key = f"{current}-{state['sequence']}"
    state["pending"] = {"run_key": run_key, "retried": RETRY_TAG in tags}
    return dg.RunRequest(run_key=run_key, tags={"plandata/sources": current[:12], **tags})


def _requested_run(instance: dg.DagsterInstance, run_key: str):
    runs = instance.get_runs(filters=dg.RunsFilter(tags={"dagster/run_key": run_key}), limit=1)
    return runs[0] if runs else None


REPAIR_TAG = "plandata/repair_of"


def repair_request(outputs: Path | None) -> dg.RunRequest | None:
    """A build that repairs ``latest`` when a file of it no longer matches its SHA256SUMS (a stat per
    file, a hash only for what changed since its fingerprint). Its run key names the damage, so the
    same damage launches one run, however many ticks see it."""
    from pipeline.publish.damage import latest_damage

    if outputs is None:
        return None
    try:
        latest, damage = latest_damage(outputs)
    except OSError as error:
        LOG.warning("sources_changed: cannot check latest's files: %s", error.strerror or error)
        return None
    if not damage:
        return None
    for line in damage:
        LOG.warning("Damaged: %s", line)
    digest = hashlib.sha256("\n".join(damage).encode("utf-8")).hexdigest()[:12]
    return dg.RunRequest(run_key=f"repair-{latest}-{digest}", tags={REPAIR_TAG: latest})


def sources_tick(cursor: str | None, directory: Path, instance: dg.DagsterInstance | None = None,
                 outputs: Path | None = None) -> dg.SensorResult | dg.SkipReason:
    """``outputs``: also check latest's files, and request a repair build when one is damaged."""
    state = _load_cursor(cursor)
    try:
        versions, stats = source_versions(directory, state)
    except PlanDataError as error:
        return dg.SkipReason(f"sources not readable, no build requested: {error}")
    current = fingerprint(versions)
    if state["fingerprint"] != current:
        shards = notice_shards(directory, versions, state)
        # A cursor of an earlier format has no shards: its files are grouped by today's, and a notice
        # removed since by its file name's id.
        by_name = {name: shard_of(doc_id_from_path(name)) for name in state["files"] if _is_notice(name)}
        before = group_versions(state["files"], {**by_name, **shards, **state["shards"]}) if state["files"] else {}
        after = group_versions(versions, shards)
        request = _request(state, current, {})
        state.update(fingerprint=current, files=versions, stats=stats, shards=shards)
        observations = [dg.AssetObservation(asset_key=key, tags={"dagster/data_version": version},
                                            metadata={"data_version": version})
                        for key, version in sorted(after.items()) if before.get(key) != version]
        return dg.SensorResult(run_requests=[request], cursor=json.dumps(state, sort_keys=True),
                               asset_events=observations)
    skip = f"sources unchanged (fingerprint {current[:12]})"
    touched = stats != state["stats"]
    state["stats"] = stats
    repair = repair_request(outputs)
    if repair is not None:
        return dg.SensorResult(run_requests=[repair], cursor=json.dumps(state, sort_keys=True))
    pending = state["pending"]
    if pending and instance is not None:
        run = _requested_run(instance, pending["run_key"])
        if run is not None and run.status == dg.DagsterRunStatus.FAILURE:
            if not pending["retried"]:
                request = _request(state, current, {RETRY_TAG: run.run_id})
                return dg.SensorResult(run_requests=[request], cursor=json.dumps(state, sort_keys=True))
            state["pending"] = None
            return dg.SensorResult(skip_reason=f"{skip}; the build failed again (run {run.run_id}), "
                                               "left to the daily schedule",
                                   cursor=json.dumps(state, sort_keys=True))
        if run is not None and run.is_finished:
            state["pending"] = None
            touched = True
    if touched:  # remember the new signatures, or every tick would hash the touched files again
        return dg.SensorResult(skip_reason=skip, cursor=json.dumps(state, sort_keys=True))
    return dg.SkipReason(skip)


def build_automation(job: dg.UnresolvedAssetJobDefinition):
    @dg.sensor(job=job, default_status=dg.DefaultSensorStatus.RUNNING, minimum_interval_seconds=60,
               description="Builds a release when a file in the sources directory changed, or when a file "
                           "of latest no longer matches its SHA256SUMS; retries a failed build of the same "
                           "sources once.")
    def sources_changed(context: dg.SensorEvaluationContext):
        return sources_tick(context.cursor, sources_dir(), context.instance, outputs_dir())

    at, warning = daily_at()
    if warning:
        LOG.warning(warning)
    hour, minute = at.split(":")
    daily = dg.ScheduleDefinition(
        name="daily_rebuild", job=job, cron_schedule=f"{int(minute)} {int(hour)} * * *",
        execution_timezone="Asia/Shanghai", default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Safety net: rebuilds daily (PLANDATA_DAILY_AT, Asia/Shanghai); unchanged sources publish nothing."
                    + (f" Warning: {warning}." if warning else ""),
    )
    return sources_changed, daily
