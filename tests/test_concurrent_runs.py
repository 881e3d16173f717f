"""Two runs on one outputs folder, the second completing while the first is paused between
``release_files`` and ``release`` (issue 16, defects 1 and 10). The pause is the ``before_release``
hook: the second build runs inside it, so the order of events is fixed, with no sleeps.

    0001: the bundled notice (shard d)
    run A (paused): the bundled notice with its date amended          -> publishes 0003
    run B (meanwhile): the bundled notice unchanged + copy-1 (shard 1) -> publishes 0002

B links shard d from 0001 and writes shard 1; A writes shard d afresh and has no copy-1.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import dagster as dg
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import NOTICE, copy_sources  # noqa: E402
from release_helpers import AMENDED_DATE, assert_complete  # noqa: E402

import pipeline.orchestration.assets as assets  # noqa: E402
from pipeline import cli  # noqa: E402
from pipeline.orchestration.parallel import build_release_parallel  # noqa: E402
from pipeline.orchestration.run import run_build  # noqa: E402

TAIZHOU = NOTICE.stem
COPY = "copy-1"  # its doc_id's sha256 starts with 1 (tests/test_multiprocess.py)


def _run_config(sources: Path, outputs: Path) -> dict:
    return {"execution": {"config": {"in_process": {}}},
            "resources": {"plan_build": {"config": {"sources_dir": str(sources), "outputs_dir": str(outputs),
                                                    "parallel_steps": True}}}}


@pytest.fixture()
def scene(tmp_path):
    text = NOTICE.read_text(encoding="utf-8")
    outputs = tmp_path / "outputs"
    run_build(copy_sources(tmp_path / "sources-0"), outputs)
    paused = copy_sources(tmp_path / "sources-a", text.replace(*AMENDED_DATE))
    meanwhile = copy_sources(tmp_path / "sources-b")
    (meanwhile / f"{COPY}.txt").write_text(text.replace("2008年8月11日", "2008年8月12日"), encoding="utf-8")
    (tmp_path / "dagster-home").mkdir()
    instance = dg.DagsterInstance.local_temp(str(tmp_path / "dagster-home"))
    yield outputs, paused, meanwhile, instance
    instance.dispose()


def _pause_and(monkeypatch, paused: Path, action) -> list:
    """Run ``action`` once, in the paused run, after release_files and before release loads its inputs."""
    seen = []

    def hook(plan_build):
        if plan_build.sources_dir == str(paused) and not seen:
            seen.append(plan_build._run_id)
            action()

    monkeypatch.setattr(assets, "before_release", hook)
    return seen


def _changes(release: Path) -> set[tuple[str, str, str, str]]:
    rows = json.loads((release / "changes.json").read_text(encoding="utf-8"))
    return {(row["entity"], row["change"], row["old_id"] or "", row["new_id"] or "") for row in rows}


def test_a_paused_run_publishes_its_own_files_checksums_and_change_log(scene, monkeypatch):
    outputs, paused, meanwhile, instance = scene
    job = dg.reconstructable(build_release_parallel)
    finished = []

    def other_run():
        result = dg.execute_job(job, instance=instance, run_config=_run_config(meanwhile, outputs))
        finished.append(result.success)

    seen = _pause_and(monkeypatch, paused, other_run)
    result = dg.execute_job(job, instance=instance, run_config=_run_config(paused, outputs))
    assert seen and finished == [True] and result.success
    releases = sorted(p.name for p in (outputs / "releases").iterdir() if p.is_dir() and p.name[0] != ".")
    assert [name[:4] for name in releases] == ["0001", "0002", "0003"]
    mine = outputs / "releases" / releases[2]
    assert (outputs / "latest").resolve() == mine.resolve()
    assert_complete(mine)  # every SHA256SUMS line is the hash of this release's own file
    descriptor = json.loads((mine / "datapackage.json").read_text(encoding="utf-8"))
    assert [source["path"] for source in descriptor["sources"] if source["path"].endswith(".txt")] == \
        [f"sources/{NOTICE.name}"]
    # Against 0002 (B: the notice unchanged, and copy-1): copy-1 is gone, the notice's date amended.
    # (A removed notice's rows are summed up in its document's row; a new date is metadata.)
    assert _changes(mine) == {("document", "removed", COPY, ""), ("document", "metadata_changed", TAIZHOU, TAIZHOU)}


def test_plandata_build_meanwhile_leaves_the_paused_runs_staging(scene, monkeypatch, capsys):
    """The CLI's throwaway instance cannot know the paused run; its staging lock says it is alive."""
    outputs, paused, meanwhile, instance = scene
    codes = []
    seen = _pause_and(monkeypatch, paused,
                      lambda: codes.append(cli.main(["build", "--sources", str(meanwhile), "--outputs", str(outputs)])))
    result = dg.execute_job(dg.reconstructable(build_release_parallel), instance=instance,
                            run_config=_run_config(paused, outputs))
    assert codes == [0] and result.success, capsys.readouterr().err
    staging = outputs / f".staging-{seen[0]}"
    assert not staging.exists()  # published, then gone
    latest = (outputs / "latest").resolve()
    assert latest.name.startswith("0003-")
    assert_complete(latest)


def test_a_checksum_is_copied_only_for_the_very_same_inode(tmp_path):
    """A manifest that says a file was linked from the previous release is not trusted for its hash."""
    import hashlib
    import os

    from pipeline.publish.checksums import write_sha256sums

    previous, staging = tmp_path / "previous", tmp_path / "staging"
    previous.mkdir()
    staging.mkdir()
    (previous / "linked.csv").write_text("old\n", encoding="utf-8")
    (previous / "claimed.csv").write_text("old\n", encoding="utf-8")
    os.link(previous / "linked.csv", staging / "linked.csv")
    (staging / "claimed.csv").write_text("new\n", encoding="utf-8")  # written afresh, not linked
    old = hashlib.sha256(b"old\n").hexdigest()
    write_sha256sums(staging, known={"linked.csv": old, "claimed.csv": old}, source=previous)
    assert (staging / "SHA256SUMS").read_text(encoding="utf-8").splitlines() == [
        f"{hashlib.sha256(b'new' + bytes([10])).hexdigest()}  claimed.csv", f"{old}  linked.csv"]


def test_every_way_of_running_the_build_keeps_step_outputs_per_run(tmp_path, monkeypatch):
    """dagster dev / the daemon (Definitions), the parallel job, and plandata build (run_build)."""
    from pipeline.orchestration import run as run_module
    from pipeline.orchestration.definitions import defs
    from pipeline.orchestration.step_outputs import RunScopedIOManagerFactory

    for job in (defs.resolve_job_def("build_release"), build_release_parallel()):
        assert job.resource_defs["io_manager"].configurable_resource_cls is RunScopedIOManagerFactory
    seen = {}
    real = dg.materialize

    def materialize(assets, resources, **kwargs):
        seen.update(resources)
        return real(assets, resources=resources, **kwargs)

    monkeypatch.setattr(dg, "materialize", materialize)
    run_module.run_build(copy_sources(tmp_path / "sources"), tmp_path / "outputs")
    assert isinstance(seen["io_manager"], RunScopedIOManagerFactory)


def test_a_step_output_lives_in_its_runs_folder(tmp_path):
    from pipeline.orchestration.step_outputs import RunScopedIOManager

    manager = RunScopedIOManager(tmp_path)
    for run_id, value in (("run-a", {"from": "a"}), ("run-b", {"from": "b"})):
        manager.handle_output(dg.build_output_context(asset_key=dg.AssetKey("release_files"), run_id=run_id), value)
    upstream = dg.build_output_context(asset_key=dg.AssetKey("release_files"), run_id="run-a")
    loaded = manager.load_input(dg.build_input_context(asset_key=dg.AssetKey("release_files"), upstream_output=upstream))
    assert loaded == {"from": "a"}
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == [
        "runs/run-a/release_files", "runs/run-b/release_files"]


@pytest.mark.multiprocess
def test_a_multiprocess_run_paused_before_release_meets_a_run_of_its_instance_and_plandata_build(
        scene, monkeypatch, capsys):
    """The issue's own scene: the paused run under the multiprocess executor (one process per step);
    meanwhile an in-process run of other text on the same instance, then plandata build."""
    import os
    import threading

    from paused_job import GATE, paused_build_release_parallel
    from pipeline.orchestration.parallel import parallel_run_config

    outputs, paused, meanwhile, instance = scene
    gate = outputs.parent / "gate"
    gate.mkdir()
    os.mkfifo(gate / "paused")
    os.mkfifo(gate / "resume")
    (gate / "sources").write_text(str(paused), encoding="utf-8")
    monkeypatch.setenv(GATE, str(gate))
    results, reached = [], []

    def paused_run():
        try:
            results.append(dg.execute_job(dg.reconstructable(paused_build_release_parallel), instance=instance,
                                          run_config=parallel_run_config(paused, outputs, max_concurrent=2)))
        finally:
            if not reached:  # it never got to the gate: let the test go on, and fail
                with open(gate / "paused", "w", encoding="utf-8"):
                    pass

    thread = threading.Thread(target=paused_run)
    thread.start()
    try:
        with open(gate / "paused", encoding="utf-8") as handle:
            reached.append(handle.read().strip())
        assert reached[0], "the paused run failed before release_files"
        other = dg.execute_job(dg.reconstructable(build_release_parallel), instance=instance,
                               run_config=_run_config(meanwhile, outputs))
        assert other.success
        assert cli.main(["build", "--sources", str(meanwhile), "--outputs", str(outputs)]) == 0
        assert (outputs / f".staging-{reached[0]}").is_dir()
    finally:
        if reached and reached[0]:
            with open(gate / "resume", "w", encoding="utf-8") as handle:
                handle.write("go")
        thread.join()
    assert results[0].success, capsys.readouterr().err
    mine = (outputs / "latest").resolve()
    assert mine.name.startswith("0003-")
    assert_complete(mine)
    assert _changes(mine) == {("document", "removed", COPY, ""), ("document", "metadata_changed", TAIZHOU, TAIZHOU)}
