"""Which shard a notice's rows are published in.

A release splits every per-notice table into at most 16 files per format, one per shard, so
that a new release can hard-link the files of every shard whose notices did not change. The
shard is the first hex digit of sha256(doc_id): fixed for a notice whatever else is in the
sources, and spread evenly whatever the ids look like."""
from __future__ import annotations

import hashlib

SHARDS = tuple("0123456789abcdef")


def shard_of(doc_id: str) -> str:
    return hashlib.sha256(doc_id.encode("utf-8")).hexdigest()[0]
