"""Publishing without Dagster, for the release tests: staging templates, one emulated build, invariants.

A staging template is what the Dagster assets leave in staging before the
``release`` step (data files, datapackage.json, plan.duckdb). ``build`` copies a
template into staging under the lock and runs the ``release`` step's finalize,
as PlanBuild and the ``release`` asset do.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from pipeline.orchestration.finalize import finalize
from pipeline.publish.release import Published, build_lock, remove_tree
from pipeline.site import write_outputs_index

AMENDED_DATE = ("2008年8月11日", "2008年9月1日")


def make_template(sources: Path, target: Path) -> Path:
    from pipeline.extraction.extract import extract
    from pipeline.publish.assemble import write_data_files, write_plan_database
    from pipeline.sources.discovery import read_sources

    notices, registry = read_sources(sources)
    tables = extract(notices, registry)
    target.mkdir(parents=True)
    write_plan_database(target, tables)
    write_data_files(target, tables)
    return target


def build(outputs: Path, template: Path) -> tuple[Published, list[str]]:
    """One build's release step: lock (clean up, reconcile), staging, finalize; staging removed on failure."""
    with build_lock(outputs, pages=write_outputs_index) as repairs:
        staging = outputs / ".staging-test"
        shutil.copytree(template, staging)
        try:
            return finalize(outputs, staging), repairs
        finally:
            remove_tree(staging)


def snapshot(directory: Path) -> dict[str, tuple]:
    """Every entry below ``directory``: bytes' sha256 (or link target), mode and mtime."""
    entries = {}
    for path in sorted(directory.rglob("*")):
        info = path.lstat()
        if path.is_symlink():
            content = "-> " + os.readlink(path)
        elif path.is_dir():
            content = "dir"
        else:
            content = hashlib.sha256(path.read_bytes()).hexdigest()
        entries[path.relative_to(directory).as_posix()] = (content, oct(info.st_mode), info.st_mtime_ns)
    return entries


def assert_complete(release: Path) -> None:
    """SHA256SUMS lists exactly the release's files (but itself), and each one matches."""
    listed = {}
    for line in (release / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    present = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert set(listed) == present
    for name, digest in listed.items():
        assert hashlib.sha256((release / name).read_bytes()).hexdigest() == digest, name
    assert json.loads((release / "datapackage.json").read_text(encoding="utf-8"))["version"][:8] == \
        release.name.split("-", 1)[1]


def assert_latest_complete(outputs: Path) -> str:
    target = os.readlink(outputs / "latest")
    assert target.startswith("releases/")
    assert_complete(outputs / target)
    return target.split("/", 1)[1]


def junk(outputs: Path) -> list[str]:
    """What a build must never leave behind."""
    found = [*outputs.glob(".staging-*"), *outputs.glob(".latest-*"), *(outputs / "releases").glob(".index.json.*")]
    return sorted(p.name for p in found)


def index_of(outputs: Path) -> dict:
    return json.loads((outputs / "releases" / "index.json").read_text(encoding="utf-8"))


_CACHE: dict[str, Path] = {}


def _cache_dir() -> Path:
    if "root" not in _CACHE:
        import atexit
        import tempfile

        _CACHE["root"] = Path(tempfile.mkdtemp(prefix="plandata-release-tests-"))
        atexit.register(remove_tree, _CACHE["root"])
    return _CACHE["root"]


def templates() -> tuple[Path, Path]:
    """Staging templates of the bundled notice (A) and of it with its date amended (B), made once per process."""
    if "b" not in _CACHE:
        from conftest import NOTICE, copy_sources

        root = _cache_dir()
        _CACHE["a"] = make_template(copy_sources(root / "sources-a"), root / "template-a")
        text = NOTICE.read_text(encoding="utf-8").replace(*AMENDED_DATE)
        _CACHE["b"] = make_template(copy_sources(root / "sources-b", text), root / "template-b")
    return _CACHE["a"], _CACHE["b"]


def published(*contents: str) -> Path:
    """An outputs tree where builds of the given templates ("a", "b") published in order; made once each."""
    key = "outputs-" + "".join(contents)
    if key not in _CACHE:
        template = dict(zip("ab", templates()))
        outputs = _cache_dir() / key
        for content in contents:
            build(outputs, template[content])
        _CACHE[key] = outputs
    return _CACHE[key]


def copy_outputs(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)
    return target
