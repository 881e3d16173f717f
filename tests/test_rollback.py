"""Rollback is an operation, not a crash (issue 16, defect 9).

Three releases: 0001 (a), 0002 (b), 0003 (a). ``latest`` pointed back at 0001 by hand, as an old
error message suggested, must be read as a rollback: nothing recorded as published goes to the
quarantine, and ``prune --dry-run`` says exactly what ``prune`` then does.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from release_helpers import build, copy_outputs, index_of, published, snapshot, templates  # noqa: E402

from pipeline import cli  # noqa: E402
from pipeline.publish.published_log import events  # noqa: E402


def _releases(outputs: Path) -> list[str]:
    return sorted(p.name for p in (outputs / "releases").iterdir() if p.is_dir() and not p.name.startswith("."))


def _point_latest_by_hand(outputs: Path, release_id: str) -> None:
    """ln -sfn releases/<id> latest"""
    (outputs / "latest").unlink()
    (outputs / "latest").symlink_to(f"releases/{release_id}")


def test_a_latest_switched_by_hand_is_a_rollback_and_nothing_published_is_quarantined(tmp_path, capsys):
    outputs = copy_outputs(published("a", "b", "a"), tmp_path / "outputs")
    first, second, third = _releases(outputs)
    _point_latest_by_hand(outputs, first)
    trees = {release_id: snapshot(outputs / "releases" / release_id) for release_id in (second, third)}

    assert cli.main(["prune", "--keep", "3", "--dry-run", "--outputs", str(outputs)]) == 0
    dry = capsys.readouterr().out
    assert "quarantine" not in dry and dry.startswith(f"nothing to prune: 3 release(s), --keep 3; kept {first} (latest)")
    result, repairs = build(outputs, templates()[1])  # b: differs from 0001's a
    assert result.new and result.release_id.startswith("0004-")
    assert repairs == [f"latest was switched by hand from {third} to {first}; recorded as a rollback "
                       "(plandata rollback does this under the lock)"]
    assert _releases(outputs) == [first, second, third, result.release_id]
    assert not (outputs / "releases" / ".quarantine").exists()
    assert {release_id: snapshot(outputs / "releases" / release_id) for release_id in (second, third)} == trees
    assert [(e["event"], e["release_id"]) for e in events(outputs)][-2:] == [
        ("rollback", first), ("published", result.release_id)]
    changes = json.loads((outputs / "latest" / "changes.json").read_text(encoding="utf-8"))
    assert changes  # computed against 0001 (a), the release latest named, not against 0003


def test_plandata_rollback_switches_latest_under_the_lock_and_records_it(tmp_path, capsys):
    outputs = copy_outputs(published("a", "b", "a"), tmp_path / "outputs")
    first, second, third = _releases(outputs)
    assert cli.main(["rollback", second, "--outputs", str(outputs)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"latest now names {second} (was {third}); recorded in releases/published.log and index.json"]
    assert os.readlink(outputs / "latest") == f"releases/{second}"
    assert index_of(outputs)["latest"] == second
    assert events(outputs)[-1]["event"] == "rollback" and events(outputs)[-1]["from"] == third
    result, repairs = build(outputs, templates()[1])  # b again: unchanged since the release rolled back to
    assert not result.new and result.release_id == second and repairs == []
    assert _releases(outputs) == [first, second, third]

    assert cli.main(["rollback", "0009-deadbeef", "--outputs", str(outputs)]) == 1
    error = capsys.readouterr().err.strip().splitlines()
    assert error == [f"error: {outputs / 'releases'}: 0009-deadbeef is not a published release in releases/ "
                     f"(published: {first}, {second}, {third})"]
    assert cli.main(["rollback", "../etc", "--outputs", str(outputs)]) == 1
    assert "is not a release id" in capsys.readouterr().err


def test_a_damaged_release_is_not_rolled_back_to(tmp_path, capsys):
    outputs = copy_outputs(published("a", "b"), tmp_path / "outputs")
    first, second = _releases(outputs)
    with open(outputs / "releases" / first / "quality.md", "ab") as handle:
        handle.write(b"x")
    assert cli.main(["rollback", first, "--outputs", str(outputs)]) == 1
    assert "quality.md" in capsys.readouterr().err
    assert os.readlink(outputs / "latest") == f"releases/{second}"


def test_prune_dry_run_shows_exactly_what_prune_does(tmp_path, capsys):
    outputs = copy_outputs(published("a", "b", "a"), tmp_path / "outputs")
    first, second, third = _releases(outputs)
    _point_latest_by_hand(outputs, second)
    # A build renamed this into releases/ and died before switching latest: never published.
    orphan = f"0004-{third.split('-')[1]}"
    shutil.copytree(outputs / "releases" / third, outputs / "releases" / orphan)
    assert cli.main(["prune", "--keep", "1", "--dry-run", "--outputs", str(outputs)]) == 0
    dry = capsys.readouterr().out.splitlines()
    assert dry[0] == f"would quarantine {orphan}: renamed into releases/ but never made latest"
    # --keep 1 keeps the newest published release (0003, above latest) and latest (0002).
    assert [line.split(" (")[0] for line in dry[1:-1]] == [f"would remove {first}"]
    assert cli.main(["prune", "--keep", "1", "--outputs", str(outputs)]) == 0
    done = capsys.readouterr().out.splitlines()
    assert [line.split(" (")[0] for line in done if line.startswith("removed 0")] == [
        f"removed {first}"]
    assert _releases(outputs) == [second, third]
    assert sorted(p.name for p in (outputs / "releases" / ".quarantine").iterdir()) == [orphan]
