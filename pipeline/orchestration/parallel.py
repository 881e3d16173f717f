"""The build as a job whose steps may run in processes of their own (Dagster's multiprocess
executor): the same assets, checks and resource as pipeline/orchestration/definitions.py, with the executor
and the resource chosen by run configuration.

    dagster.execute_job(dagster.reconstructable(build_release_parallel), instance=...,
                        run_config=parallel_run_config(sources, outputs, max_concurrent=2))

A child process rebuilds the job by importing this module and calling the function, so the job
is made by a module-level function, not held in a variable that a test could have changed.
The shard steps need nothing from each other; they meet only in the run's staging directory,
and the outputs lock is taken by the release step alone (``parallel_steps``)."""
from __future__ import annotations

from pathlib import Path

import dagster as dg

JOB_NAME = "build_release_parallel"


class _HoldingStaging(dg.Executor):
    """Dagster's executor, run while this process holds the run's staging lock: the orchestrating
    process lives as long as the run, between steps too, when no step process holds it."""

    def __init__(self, inner: dg.Executor):
        self._inner = inner

    @property
    def retries(self):
        return self._inner.retries

    @property
    def step_dependency_config(self):
        return self._inner.step_dependency_config

    def execute(self, plan_context, execution_plan):
        from pipeline.publish.staging import hold_staging, staging_path

        config = plan_context.run_config.get("resources", {}).get("plan_build", {}).get("config", {})
        staging = staging_path(Path(config.get("outputs_dir", "outputs")), plan_context.run_id)
        try:
            held = hold_staging(staging)
            held.__enter__()
        except OSError:
            held = None  # outputs cannot be made: the resource reports it, naming the folder
        try:
            yield from self._inner.execute(plan_context, execution_plan)
        finally:
            if held is not None:
                held.__exit__(None, None, None)


@dg.executor(name="multi_or_in_process_holding_staging",
             config_schema=dg.multi_or_in_process_executor.config_schema,
             requirements=dg.multi_or_in_process_executor.get_requirements)
def staging_holding_executor(init_context) -> dg.Executor:
    return _HoldingStaging(dg.multi_or_in_process_executor.executor_creation_fn(init_context))


def build_release_parallel() -> dg.JobDefinition:
    from pipeline.orchestration.assets import PlanBuild
    from pipeline.orchestration.automation import SOURCE_ASSETS
    from pipeline.orchestration.definitions import ALL_ASSETS, ALL_CHECKS
    from pipeline.orchestration.step_outputs import RunScopedIOManagerFactory

    job = dg.define_asset_job(
        JOB_NAME, selection=dg.AssetSelection.assets(*ALL_ASSETS),
        # in_process or multiprocess, chosen by the run's execution config
        executor_def=staging_holding_executor,
        description="The build_release job, its steps in processes of their own.")
    defs = dg.Definitions(assets=[*SOURCE_ASSETS, *ALL_ASSETS], asset_checks=ALL_CHECKS, jobs=[job],
                          resources={"plan_build": PlanBuild.configure_at_launch(),
                                     "io_manager": RunScopedIOManagerFactory()})
    return defs.resolve_job_def(JOB_NAME)


def parallel_run_config(sources: Path, outputs: Path, max_concurrent: int = 2, lock_wait_seconds: float = 0.0,
                        base_url: str = "") -> dict:
    """Run config for the multiprocess executor; parallel_steps, because each step's process sets up
    the resource again and only one of them (the release step) may hold the outputs lock."""
    return {
        "execution": {"config": {"multiprocess": {"max_concurrent": max_concurrent}}},
        "resources": {"plan_build": {"config": {
            "sources_dir": str(sources), "outputs_dir": str(outputs), "parallel_steps": True,
            "lock_wait_seconds": lock_wait_seconds, "base_url": base_url}}},
    }
