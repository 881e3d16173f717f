"""The build_release_parallel job with a pause between release_files and release that holds in any
process: Dagster's multiprocess executor rebuilds the job in each step's process by calling
``paused_build_release_parallel``, which installs the gate there.

The gate is a folder (named by PLANDATA_TEST_GATE) with two FIFOs and the sources folder to pause:
the paused run opens ``paused`` for writing, which blocks until the test opens it to read, then reads
``resume``, which blocks until the test writes it. No sleeps, no timing."""
from __future__ import annotations

import os
from pathlib import Path

GATE = "PLANDATA_TEST_GATE"


def _gate(plan_build) -> None:
    gate = os.environ.get(GATE)
    if not gate or plan_build.sources_dir != (Path(gate) / "sources").read_text(encoding="utf-8"):
        return
    with open(Path(gate) / "paused", "w", encoding="utf-8") as handle:
        handle.write(f"{plan_build._run_id}\n")
    with open(Path(gate) / "resume", encoding="utf-8") as handle:
        handle.read()


def paused_build_release_parallel():
    import pipeline.orchestration.assets as assets
    from pipeline.orchestration.parallel import build_release_parallel

    assets.before_release = _gate
    return build_release_parallel()
