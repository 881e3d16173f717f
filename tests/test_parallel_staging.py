"""Under the multiprocess executor a run holds the outputs lock only to publish, so the clean-up of
leftovers under the lock must not take the staging of a run that is still going."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from pipeline.orchestration.assets import live_runs
from pipeline.publish.release import STAGING_PREFIX, build_lock, clean_leftovers


class Instance:
    """Just what live_runs asks of a Dagster instance: a run by id, finished or not."""

    def __init__(self, runs: dict[str, bool]):
        self.runs = runs

    def get_run_by_id(self, run_id: str):
        return SimpleNamespace(is_finished=self.runs[run_id]) if run_id in self.runs else None


class Unreachable:
    def get_run_by_id(self, run_id: str):
        raise ConnectionError("storage is down")


def _staging(outputs: Path, *run_ids: str) -> dict[str, Path]:
    paths = {run_id: outputs / f"{STAGING_PREFIX}{run_id}" for run_id in run_ids}
    for path in paths.values():
        (path / "csv").mkdir(parents=True)
        (path / "csv" / "x.csv").write_text("a\n", encoding="utf-8")
    return paths


def test_only_the_staging_of_finished_or_unknown_runs_is_cleaned(tmp_path):
    paths = _staging(tmp_path, "mine", "running", "finished", "unknown")
    # "mine" is kept although the instance does not know it: it is this run's own.
    keep = live_runs(Instance({"running": False, "finished": True}), "mine")
    removed = clean_leftovers(tmp_path, keep)
    assert sorted(path.name for path in removed) == [f"{STAGING_PREFIX}finished", f"{STAGING_PREFIX}unknown"]
    assert paths["mine"].is_dir() and paths["running"].is_dir()
    assert not paths["finished"].exists() and not paths["unknown"].exists()


def test_an_instance_that_cannot_answer_leaves_only_the_own_staging(tmp_path):
    paths = _staging(tmp_path, "mine", "other")
    clean_leftovers(tmp_path, live_runs(Unreachable(), "mine"))
    assert paths["mine"].is_dir() and not paths["other"].exists()


def test_the_lock_passes_the_predicate_to_the_clean_up(tmp_path):
    paths = _staging(tmp_path, "mine", "running", "crashed")
    with build_lock(tmp_path, keep=live_runs(Instance({"running": False}), "mine")):
        pass
    assert paths["mine"].is_dir() and paths["running"].is_dir() and not paths["crashed"].exists()


def test_without_a_predicate_every_staging_is_a_leftover(tmp_path):
    _staging(tmp_path, "a", "b")
    assert len(clean_leftovers(tmp_path)) == 2


def test_a_staging_folder_whose_lock_is_held_is_not_a_leftover_whatever_the_instance_says(tmp_path):
    """The lock is what a run started by another instance (or none) leaves to go by (defect 10)."""
    from pipeline.publish.staging import hold_staging

    paths = _staging(tmp_path, "elsewhere", "dead")
    with hold_staging(paths["elsewhere"]):
        removed = clean_leftovers(tmp_path, live_runs(Instance({}), "mine"))
        assert removed == [paths["dead"]] and paths["elsewhere"].is_dir()
    assert clean_leftovers(tmp_path, live_runs(Instance({}), "mine")) == [paths["elsewhere"]]


def test_a_staging_folder_removed_before_its_lock_was_taken_is_made_again(tmp_path, monkeypatch):
    from pipeline.publish import staging as staging_module

    path = tmp_path / f"{STAGING_PREFIX}run"
    real, calls = staging_module.fcntl.flock, []

    def flock_after_a_clean_up(descriptor, operation):
        if not calls:
            calls.append(operation)
            clean_leftovers(tmp_path)  # between the holder's mkdir and its lock
        return real(descriptor, operation)

    monkeypatch.setattr(staging_module.fcntl, "flock", flock_after_a_clean_up)
    with staging_module.hold_staging(path):
        assert path.is_dir()
        monkeypatch.setattr(staging_module.fcntl, "flock", real)
        assert clean_leftovers(tmp_path) == [] and path.is_dir()


def test_the_multiprocess_runs_orchestrating_process_holds_its_staging_between_steps(tmp_path):
    """No step process runs between two steps; the executor's own process holds the lock then."""
    from pipeline.orchestration.parallel import _HoldingStaging

    staging = tmp_path / f"{STAGING_PREFIX}run-1"
    seen = []

    class Inner:
        retries = None

        def execute(self, plan_context, execution_plan):
            seen.append(staging.is_dir())
            yield "step one done"
            clean_leftovers(tmp_path)  # another run's clean-up, between the two steps
            seen.append(staging.is_dir())
            yield "step two done"

    context = SimpleNamespace(run_id="run-1", run_config={
        "resources": {"plan_build": {"config": {"outputs_dir": str(tmp_path)}}}})
    assert list(_HoldingStaging(Inner()).execute(context, None)) == ["step one done", "step two done"]
    assert seen == [True, True]
    assert clean_leftovers(tmp_path) == [staging]  # the run over, its staging is a leftover


def test_a_staging_folder_that_cannot_be_made_is_one_line_naming_it(tmp_path, monkeypatch, capsys):
    import errno

    import pipeline.orchestration.assets as assets
    from pipeline import cli
    from conftest import copy_sources

    def refused(path):
        raise OSError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(assets, "hold_staging", refused)
    outputs = tmp_path / "outputs"
    assert cli.main(["build", "--sources", str(copy_sources(tmp_path / "sources")), "--outputs", str(outputs)]) == 1
    error = capsys.readouterr().err.strip().splitlines()[-1]  # after the "plandata build: …" banner
    assert error.startswith(f"error: build failed, nothing published: {outputs}/.staging-")
    assert error.endswith(": cannot create the staging folder: Permission denied")
