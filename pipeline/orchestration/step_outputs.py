"""Where the build's steps hand each other their manifests: one folder per run.

Dagster's default ``fs_io_manager`` keeps an asset's output at ``<storage>/<asset>`` for every run,
so two runs on one instance read each other's manifests: a run paused before ``release`` would
publish with the ``release_files`` summary of a run that finished meanwhile. Here every output
lives at ``<storage>/<run_id>/<asset key>`` and an input is read from the folder of the run that
produced it (the same run, or the parent run of a re-execution). In-memory values would not do:
under the multiprocess executor each step runs in a process of its own, so the manifests travel
as pickles on a filesystem every step sees (the instance's storage directory by default).
"""
from __future__ import annotations

import os
import pickle
from pathlib import Path

import dagster as dg

RUNS_FOLDER = "runs"


class RunScopedIOManager(dg.IOManager):
    def __init__(self, base_dir: Path):
        self.base_dir = base_dir

    def _path(self, run_id: str, context) -> Path:
        key = context.asset_key.path if context.has_asset_key else [context.step_key, context.name]
        return self.base_dir / RUNS_FOLDER / run_id / Path(*key)

    def handle_output(self, context: dg.OutputContext, obj) -> None:
        if obj is None:
            return
        path = self._path(context.run_id, context)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with temporary.open("wb") as handle:
            pickle.dump(obj, handle, pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)

    def load_input(self, context: dg.InputContext):
        upstream = context.upstream_output
        path = self._path(upstream.run_id, upstream)
        with path.open("rb") as handle:
            return pickle.load(handle)


class RunScopedIOManagerFactory(dg.ConfigurableIOManagerFactory):
    """``base_dir`` empty: the Dagster instance's storage directory (DAGSTER_HOME/storage)."""

    base_dir: str = ""

    def create_io_manager(self, context: dg.InitResourceContext) -> RunScopedIOManager:
        base = self.base_dir or context.instance.storage_directory()
        return RunScopedIOManager(Path(base))
