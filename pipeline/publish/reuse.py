"""What a build takes from the previous release instead of making it again.

Every release holds build-keys.json: for each shard the content key it was built from (the
keys of its notices' parse results and the writers' code version) and the per-notice files it
holds (texts/), and for each notice page its key. A new build whose shard or page has the same
key makes a hard link to the previous release's file: no bytes written, none read. (The data
files are whole tables, written by every build from the shard store: pipeline/extraction/shard_store.py.) Releases are
read-only, so a shared file never changes under either release. A missing or unreadable
build-keys.json (a release from before, or one damaged by hand) only means nothing is reused."""
from __future__ import annotations

import json
import os
from functools import cached_property
from pathlib import Path

import pyarrow as pa

from pipeline.publish.checksums import read_sha256sums, sha256_file
from pipeline.publish.tables import read_tables

KEYS_FILE = "build-keys.json"
# 2: data files are whole tables; a shard's files are its texts only (1 listed its shard data files).
KEYS_FORMAT = 2


class Previous:
    """The release a build may reuse from; ``directory`` None when there is none."""

    def __init__(self, directory: Path | None, reusable: bool = True):
        self.directory = directory
        # False when the index records a damaged file in it: its repair shares no file with it.
        self.reusable = reusable

    @cached_property
    def keys(self) -> dict:
        if self.directory is None:
            return {}
        try:
            keys = json.loads((self.directory / KEYS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return keys if isinstance(keys, dict) and keys.get("format") == KEYS_FORMAT else {}

    @cached_property
    def descriptor(self) -> dict:
        try:
            return json.loads((self.directory / "datapackage.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, TypeError):
            return {"resources": []}

    @cached_property
    def checksums(self) -> dict[str, str]:
        return read_sha256sums(self.directory) if self.directory is not None else {}

    @cached_property
    def fingerprints(self) -> dict:
        from pipeline.publish.damage import load_fingerprints

        if self.directory is None:
            return {}
        found = load_fingerprints(self.directory.parent.parent).get(self.directory.name)
        return found if isinstance(found, dict) else {}

    def intact(self, relative: str) -> bool:
        """The file is there and still has the sha256 its release's SHA256SUMS lists. A damaged file
        is never linked into a new release (which would then fail its checks on every build); it is
        written afresh, and the damaged release is left as it is. A file whose (size, mtime, inode)
        still matches the fingerprint recorded with that sha256 is not read again
        (pipeline/publish/damage.py); any other is hashed, memoised by inode, so the new release's
        own check of the linked file costs no second read."""
        path = self.directory / relative
        digest = self.checksums.get(relative)
        try:
            if path.is_symlink() or not path.is_file():
                return False
            info = os.lstat(path)
            if self.fingerprints.get(relative) == [info.st_size, info.st_mtime_ns, info.st_ino, digest]:
                return digest is not None
            return sha256_file(path) == digest
        except OSError:
            return False

    def shard(self, shard: str, key: str) -> dict | None:
        """The previous release's entry for the shard when it was built from the same key and its
        files are intact."""
        entry = self.keys.get("shards", {}).get(shard) if self.reusable else None
        if not entry or entry.get("key") != key:
            return None
        if not all(self.intact(path) for path in entry.get("files", [])):
            return None
        return entry

    def page(self, relative: str, key: str) -> bool:
        return (self.reusable and self.keys.get("pages", {}).get(relative) == key and self.directory is not None
                and self.intact(relative))

    def link(self, relative: str, staging: Path) -> None:
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(self.directory / relative, target)

    def notice_rows(self, doc_id: str, shard: str) -> dict[str, pa.Table] | None:
        """A notice's rows in the previous release (any layout), by table; None when it had none."""
        if self.directory is None:
            return None
        tables = read_tables(self.directory, self.descriptor, doc_ids={doc_id}, shards={shard})
        return tables if tables["documents"].num_rows else None
