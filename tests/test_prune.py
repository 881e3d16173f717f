"""plandata prune: keeps the N newest releases and latest's, under the build lock; a crash at any step leaves
each release whole or a .pruning-* tree the next prune or build deletes; files shared by hard links with a
kept release keep their bytes and their mode."""
from __future__ import annotations

from functools import partial

import errno
import fcntl
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # works whether or not tests/ is a package
from release_helpers import (assert_complete, assert_latest_complete, build, junk, published,  # noqa: E402
                             snapshot, templates)

from pipeline.cli import main  # noqa: E402
from pipeline.errors import PlanDataError  # noqa: E402
from pipeline.publish import prune as prune_module  # noqa: E402
from pipeline.publish import release as release_module  # noqa: E402
from pipeline.publish import release_index  # noqa: E402
from pipeline.publish.prune import choose, freed_bytes, keep_count  # noqa: E402
from pipeline.publish.prune import prune as prune_only  # noqa: E402
from pipeline.publish.release import build_lock, list_releases, read_index  # noqa: E402
from pipeline.site import write_outputs_index  # noqa: E402

# As the command runs it: the outputs pages follow the index it rewrites.
prune = partial(prune_only, pages=write_outputs_index)


def _originals() -> dict[str, Path]:
    releases = published("a", "b") / "releases"
    first, second = sorted(p.name for p in releases.iterdir() if p.is_dir() and not p.name.startswith("."))
    return {"a": releases / first, "b": releases / second}


def _hash(content: str) -> str:
    return _originals()[content].name.split("-", 1)[1]


def make_outputs(tmp_path: Path, layout: list[tuple[int, str, int | None]], latest: int) -> Path:
    """Releases (sequence, content "a"/"b", sequence whose files this one hard-links, or None for a copy),
    ``latest`` pointing at one of them, and the index derived under the lock as a build derives it."""
    outputs = tmp_path / "outputs"
    directory = outputs / "releases"
    directory.mkdir(parents=True)
    names = {seq: f"{seq:04d}-{_hash(content)}" for seq, content, _ in layout}
    for seq, content, linked in layout:
        if linked is None:
            shutil.copytree(_originals()[content], directory / names[seq])
        else:
            shutil.copytree(directory / names[linked], directory / names[seq], copy_function=os.link)
    os.symlink(f"releases/{names[latest]}", outputs / "latest")
    with build_lock(outputs):
        pass
    return outputs


def own_copy(release: Path, name: str) -> None:
    """Replace one hard link of a release with a copy of its own (same bytes, same 0444 mode)."""
    os.chmod(release, 0o755)
    source = release / name
    copy = release / f"{name}.copy"
    shutil.copy2(source, copy)
    os.replace(copy, source)
    os.chmod(release, 0o555)


@pytest.fixture()
def four(tmp_path) -> Path:
    """0001-A, 0002-B (copies); 0003-A hard-links 0001's files but its own plan.duckdb; 0004-B hard-links
    all of 0002's; latest is 0004."""
    outputs = make_outputs(tmp_path, [(1, "a", None), (2, "b", None), (3, "a", 1), (4, "b", 2)], latest=4)
    own_copy(outputs / "releases" / f"0003-{_hash('a')}", "plan.duckdb")
    return outputs


def ids(outputs: Path, *sequences: int) -> list[str]:
    by_number = {int(name.split("-")[0]): name for name in list_releases(outputs)}
    return [by_number[seq] for seq in sequences]


def release_snapshots(outputs: Path, names: list[str]) -> dict[str, dict]:
    return {name: snapshot(outputs / "releases" / name) for name in names}


def tree_size(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


def indexed(outputs: Path) -> list[str]:
    return [entry["release_id"] for entry in read_index(outputs)["releases"]]


def trash(outputs: Path) -> list[str]:
    return sorted(p.name for p in (outputs / "releases").glob(".pruning-*"))


def assert_settled(outputs: Path, kept: list[str], removed: list[str]) -> None:
    """After a prune (or the run that finishes an interrupted one): exactly the kept releases, indexed."""
    assert list_releases(outputs) == kept
    assert indexed(outputs) == kept
    assert set(removed) <= set(read_index(outputs)["missing"])  # never reused
    assert trash(outputs) == [] and junk(outputs) == []
    history = (outputs / "history.sql").read_text(encoding="utf-8")
    assert all(name not in history for name in removed) and all(name in history for name in kept)


# -- what is kept -----------------------------------------------------------------------------

def test_keeps_the_newest_and_frees_only_files_no_kept_release_links(four):
    first, second, third, fourth = ids(four, 1, 2, 3, 4)
    before = release_snapshots(four, [third, fourth])
    own_duckdb = (four / "releases" / first / "plan.duckdb").stat().st_size
    heard = []

    result = prune(four, 2, echo=heard.append)

    assert [(r.release_id, r.freed) for r in result.removed] == [(first, own_duckdb), (second, 0)]
    assert heard == result.removed and result.kept == [third, fourth] and result.latest == fourth
    assert release_snapshots(four, [third, fourth]) == before  # bytes, mode (0444) and mtime of every file
    assert all(p.stat().st_mode & 0o777 == 0o444 for name in (third, fourth)
               for p in (four / "releases" / name).rglob("*") if p.is_file())
    assert assert_latest_complete(four) == fourth
    assert_complete(four / "releases" / third)
    assert_settled(four, [third, fourth], [first, second])


def test_a_dry_run_changes_nothing_and_announces_what_the_run_frees(four):
    first, second, third, fourth = ids(four, 1, 2, 3, 4)
    size_a = tree_size(four / "releases" / first)
    own_duckdb = (four / "releases" / first / "plan.duckdb").stat().st_size
    before = snapshot(four)

    planned = prune(four, 1, dry_run=True)
    assert snapshot(four) == before
    done = prune(four, 1)

    # 0001 and 0003 share all but plan.duckdb, so their files go with 0003, the last link;
    # 0002's are still linked from 0004, which stays.
    expected = [(first, own_duckdb), (second, 0), (third, size_a)]
    assert [(r.release_id, r.freed) for r in planned.removed] == expected
    assert [(r.release_id, r.freed) for r in done.removed] == expected
    assert planned.kept == done.kept == [fourth]
    assert_settled(four, [fourth], [first, second, third])


def test_freed_bytes_count_a_shared_file_once_with_its_last_link(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    (one / "shared").write_bytes(b"x" * 100)
    os.link(one / "shared", two / "shared")
    (one / "own").write_bytes(b"y" * 7)
    (two / "outside").write_bytes(b"z" * 30)
    os.link(two / "outside", tmp_path / "elsewhere")
    assert freed_bytes([one, two]) == [7, 100]
    assert freed_bytes([two]) == [0]


def test_sequence_numbers_are_compared_as_numbers_past_9999(tmp_path):
    outputs = make_outputs(tmp_path, [(9998, "a", None), (9999, "b", None), (10000, "a", 9998)], latest=10000)
    result = prune(outputs, 2)
    assert [r.release_id for r in result.removed] == [f"9998-{_hash('a')}"]
    assert list_releases(outputs) == [f"9999-{_hash('b')}", f"10000-{_hash('a')}"]


def test_the_release_latest_names_is_kept_even_when_older():
    a, b, c, d = "0001-aaaaaaaa", "0002-bbbbbbbb", "0003-cccccccc", "10000-dddddddd"
    assert choose([c, a, d, b], 1, a) == [b, c]
    assert choose([c, a, d, b], 2, None) == [a, b]


def test_the_quarantine_is_not_touched_and_an_unpublished_release_goes_there_first(tmp_path):
    """0004 was renamed into releases/ by a build that died before switching latest (0003)."""
    outputs = make_outputs(tmp_path, [(1, "a", None), (2, "b", None), (3, "a", 1)], latest=3)
    box = outputs / "releases" / ".quarantine"
    (box / "0001-old").mkdir(parents=True)
    (box / "0001-old" / "kept.txt").write_text("kept", encoding="utf-8")
    orphan = f"0004-{_hash('b')}"
    shutil.copytree(outputs / "releases" / f"0002-{_hash('b')}", outputs / "releases" / orphan)
    quarantined = snapshot(box)

    planned = prune(outputs, 2, dry_run=True)
    result = prune(outputs, 2)

    assert [r.release_id for r in planned.removed] == [r.release_id for r in result.removed] == [f"0001-{_hash('a')}"]
    assert planned.kept == result.kept == [f"0002-{_hash('b')}", f"0003-{_hash('a')}"]
    assert {k: v for k, v in snapshot(box).items() if not k.startswith(orphan)} == quarantined
    assert_complete(box / orphan)


# -- refusals ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["0", "-2", "two", "1.5", ""])
def test_keep_below_one_or_not_a_number_is_refused_in_one_line(four, capsys, text):
    before = snapshot(four / "releases")
    assert main(["prune", "--keep", text, "--outputs", str(four)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert re.fullmatch(r"error: --keep must be [^\n]+\n", captured.err) and "Traceback" not in captured.err
    assert snapshot(four / "releases") == before
    with pytest.raises(PlanDataError):
        keep_count(text)


@pytest.mark.parametrize("keep", [0, -1, True, 2.0])
def test_prune_itself_refuses_a_keep_below_one_or_not_whole(four, keep):
    before = snapshot(four / "releases")
    with pytest.raises(PlanDataError, match="--keep must be"):
        prune(four, keep)
    assert snapshot(four / "releases") == before


def test_a_running_build_is_one_line_and_nothing_is_removed(four, capsys):
    before = snapshot(four / "releases")
    with (four / ".lock").open("a+") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)
        holder.write("pid 4242")
        holder.flush()
        status = main(["prune", "--keep", "1", "--outputs", str(four)])
    captured = capsys.readouterr()
    assert status == 1 and captured.out == ""
    assert re.fullmatch(r"error: [^\n]*another build is running[^\n]*\(pid 4242\)[^\n]*\n", captured.err)
    assert snapshot(four / "releases") == before


def test_a_missing_outputs_directory_is_one_line(tmp_path, capsys):
    assert main(["prune", "--keep", "1", "--outputs", str(tmp_path / "nowhere")]) == 1
    err = capsys.readouterr().err
    assert re.fullmatch(r"error: [^\n]*nowhere: no such outputs directory[^\n]*\n", err)
    assert not (tmp_path / "nowhere").exists()


# -- the command's output -----------------------------------------------------------------------

def test_the_command_prints_one_line_per_release_and_a_summary(four, capsys):
    first, second, third, fourth = ids(four, 1, 2, 3, 4)
    mib = f"{(four / 'releases' / first / 'plan.duckdb').stat().st_size / 2**20:.1f} MiB"

    assert main(["prune", "--keep", "2", "--outputs", str(four), "--dry-run"]) == 0
    dry = capsys.readouterr().out.splitlines()
    assert dry[:2] == [f"would remove {first} ({mib} freed)", f"would remove {second} (0.0 MiB freed)"]
    assert dry[2].startswith("dry run, nothing changed") and f"{fourth} (latest)" in dry[2] and len(dry) == 3
    assert list_releases(four) == [first, second, third, fourth]

    assert main(["prune", "--keep", "2", "--outputs", str(four)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == [f"removed {first} ({mib} freed)", f"removed {second} (0.0 MiB freed)"]
    assert out[2] == f"removed 2 release(s), {mib} freed; kept {third}, {fourth} (latest)" and len(out) == 3

    assert main(["prune", "--keep", "2", "--outputs", str(four)]) == 0
    assert capsys.readouterr().out.startswith("nothing to prune")
    assert list_releases(four) == [third, fourth]


# -- faults at each step --------------------------------------------------------------------------

def _crash_after_the_rename(monkeypatch):
    def crash(outputs):
        raise RuntimeError("injected fault after the rename")
    monkeypatch.setattr(prune_module, "_rewrite_index", crash)


def _fail_inside_the_index_write(monkeypatch):
    def disk_full(path, text):
        path.with_name(f".{path.name}.{os.getpid()}.tmp").write_text(text[: len(text) // 2], encoding="utf-8")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(release_index, "_write_atomic", disk_full)


def _fail_while_deleting(monkeypatch):
    real, calls = prune_module._remove_file, []

    def fifth_fails(path):
        calls.append(path)
        if len(calls) == 5:
            raise OSError(errno.EIO, os.strerror(errno.EIO), path)
        real(path)
    monkeypatch.setattr(prune_module, "_remove_file", fifth_fails)


FAULTS = {"after-rename": _crash_after_the_rename, "index-write": _fail_inside_the_index_write,
          "while-deleting": _fail_while_deleting}


@pytest.mark.parametrize("recovery", ["prune", "build"])
@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_fault_at_each_step_leaves_releases_whole_and_the_next_run_finishes(four, monkeypatch, fault, recovery):
    first, second, third, fourth = ids(four, 1, 2, 3, 4)
    kept = [third, fourth]
    before = release_snapshots(four, kept)
    FAULTS[fault](monkeypatch)

    with pytest.raises(PlanDataError, match="the next prune or build") as caught:
        prune(four, 2)
    monkeypatch.undo()

    assert "\n" not in str(caught.value)
    assert assert_latest_complete(four) == fourth
    assert release_snapshots(four, kept) == before
    assert list_releases(four) == kept  # no half-deleted directory looks like a release
    assert trash(four) and all(name.startswith(".pruning-") for name in trash(four))
    if fault == "while-deleting":  # the index was rebuilt before anything was deleted
        assert indexed(four) == kept

    if recovery == "prune":
        assert prune(four, 2).removed == []
    else:
        assert not build(four, templates()[1])[0].new  # 0004's content: nothing to publish
    assert release_snapshots(four, kept) == before
    assert assert_latest_complete(four) == fourth
    assert_settled(four, kept, [first, second])


def test_the_steps_run_in_crash_safe_order(four, monkeypatch):
    """Rename aside, fsync releases/, rebuild the index, and only then delete."""
    first, second = ids(four, 1, 2)
    events, real_rename, real_fsync_dir = [], os.rename, prune_module.fsync_dir
    real_rewrite, real_delete = prune_module._rewrite_index, prune_module._delete_tree

    def rename(source, target):
        events.append(("rename", Path(source).name, Path(target).name))
        return real_rename(source, target)

    def fsync_dir(path):
        events.append(("fsync", Path(path).name))
        return real_fsync_dir(path)

    def rewrite(outputs):
        events.append(("index",))
        return real_rewrite(outputs)

    def delete(path):
        events.append(("delete", path.name))
        return real_delete(path)

    monkeypatch.setattr(os, "rename", rename)
    monkeypatch.setattr(prune_module, "fsync_dir", fsync_dir)
    monkeypatch.setattr(prune_module, "_rewrite_index", rewrite)
    monkeypatch.setattr(prune_module, "_delete_tree", delete)
    prune(four, 2)
    assert events == [("rename", first, f".pruning-{first}"), ("rename", second, f".pruning-{second}"),
                      ("fsync", "releases"), ("index",), ("delete", f".pruning-{first}"),
                      ("delete", f".pruning-{second}"), ("fsync", "releases")]
