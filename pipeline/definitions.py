"""The one Definitions object: assets, checks, job, resources and executor."""
from __future__ import annotations

import dagster as dg

from pipeline import assets

ALL_ASSETS = [assets.notice_tables, assets.plan_database, assets.release_files, assets.release]
ALL_CHECKS = [assets.no_error_findings, assets.release_files_valid]

build_release_job = dg.define_asset_job("build_release", selection=dg.AssetSelection.all())

defs = dg.Definitions(
    assets=ALL_ASSETS,
    asset_checks=ALL_CHECKS,
    jobs=[build_release_job],
    resources={"plan_build": assets.PlanBuild()},
    # The multiprocess default re-imports the code for every step and would make
    # parallel steps fight over the outputs lock and DuckDB's single writer.
    executor=dg.in_process_executor,
)
