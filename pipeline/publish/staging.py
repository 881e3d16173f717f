"""A run's staging folder, OUTPUTS/.staging-<run_id>, and the lock that says the run is alive.

A process that lives as long as the run (the in-process run itself; under the multiprocess executor,
the executor's parent process, and each step's process while it runs) holds a shared ``flock`` on the
staging folder. What clears leftovers takes an exclusive lock without waiting and removes the folder
while holding it: if the lock is taken, the run is alive, whichever Dagster instance (or none)
started it. The kernel drops the lock when the holder dies, so a killed run's staging is a leftover
at once. (On NFS, flock is arbitrated by the server on NFSv4; see docs/scaling.md.)
"""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path

STAGING_PREFIX = ".staging-"


def staging_path(outputs: Path, run_id: str) -> Path:
    return outputs / f"{STAGING_PREFIX}{run_id}"


@contextmanager
def hold_staging(staging: Path):
    """Create the staging folder if need be and hold a shared lock on it until the block ends."""
    while True:
        staging.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(staging, os.O_RDONLY | os.O_DIRECTORY)
        fcntl.flock(descriptor, fcntl.LOCK_SH)  # waits only while a clean-up removes the folder
        try:
            if os.stat(staging).st_ino == os.fstat(descriptor).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(descriptor)  # removed as a leftover between mkdir and flock: make it again
    try:
        yield staging
    finally:
        os.close(descriptor)


def remove_if_abandoned(staging: Path, remove) -> bool:
    """Remove a staging folder no live run holds; False (and nothing touched) when one does."""
    try:
        descriptor = os.open(staging, os.O_RDONLY | os.O_DIRECTORY)
    except NotADirectoryError:
        remove(staging)
        return True
    except FileNotFoundError:
        return False
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        remove(staging)
        return True
    finally:
        os.close(descriptor)
