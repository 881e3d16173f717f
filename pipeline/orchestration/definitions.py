"""The one Definitions object: assets, checks, job, sensor, schedule, resources and executor."""
from __future__ import annotations

import dagster as dg

from pipeline.orchestration import assets, automation
from pipeline.orchestration.step_outputs import RunScopedIOManagerFactory

ALL_ASSETS = [*assets.SHARD_ASSETS, assets.unit_registry, assets.notice_tables, assets.plan_database,
              assets.release_files, assets.release]
ALL_CHECKS = [assets.no_error_findings, assets.release_files_valid]

build_release_job = dg.define_asset_job(
    "build_release", selection=dg.AssetSelection.assets(*ALL_ASSETS),
    description="Parse the sources, validate, and publish a release (nothing new if unchanged).")
sources_changed, daily_rebuild = automation.build_automation(build_release_job)

defs = dg.Definitions(
    assets=[*automation.SOURCE_ASSETS, *ALL_ASSETS],
    asset_checks=ALL_CHECKS,
    jobs=[build_release_job],
    sensors=[sources_changed],
    schedules=[daily_rebuild],
    resources={"plan_build": assets.PlanBuild(
        sources_dir=str(automation.sources_dir()), outputs_dir=str(automation.outputs_dir()),
        # A scheduled run that meets a running build waits for it rather than failing.
        lock_wait_seconds=600),
        # Each run's step outputs in a folder of its own: two runs never read each other's.
        "io_manager": RunScopedIOManagerFactory()},
    # The multiprocess default re-imports the code for every step and would make
    # parallel steps fight over the outputs lock and DuckDB's single writer.
    executor=dg.in_process_executor,
)
