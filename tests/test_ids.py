"""doc_id comes from the file name, reduced to a safe slug: no name can write outside OUTPUTS."""
from __future__ import annotations

import re

import pytest

from pipeline.core.notice import doc_id_from_filename
from pipeline.errors import PlanDataError
from pipeline.extraction.extract import extract
from pipeline.sources.discovery import read_sources
from conftest import NOTICE, copy_sources

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@pytest.mark.parametrize("name, expected", [
    ("taizhou-anticorruption-2008-2012.txt", "taizhou-anticorruption-2008-2012"),
    ("Taizhou 2008 (amended).TXT", "taizhou-2008-amended"),
    ("../../etc/passwd.txt", "passwd"),
    ("..\\..\\windows\\evil.txt", "evil"),
    ("a/../../b.txt", "b"),
    (".hidden.txt", "hidden"),
    ("台州市实施细则.txt", None),  # no ASCII at all: a hash-based id
    ("....txt", "txt"),  # a name of dots only keeps its letters
    ("x" * 300 + ".txt", "x" * 64),
])
def test_doc_id_is_a_safe_slug(name, expected):
    doc_id = doc_id_from_filename(name)
    assert SLUG.match(doc_id) and len(doc_id) <= 64
    assert "/" not in doc_id and ".." not in doc_id
    if expected is None:
        assert doc_id.startswith("doc-")
    else:
        assert doc_id == expected


def test_a_name_without_ascii_gets_a_stable_hash_id():
    """Pinned values, from coreutils: printf '%s' 台州市实施细则.txt | sha256sum (first 12 hex digits).

    A pinned literal, not the function compared with itself: an id built from Python's salted
    hash() or from the process would differ here."""
    assert doc_id_from_filename("台州市实施细则.txt") == "doc-81c6f8216515"
    assert doc_id_from_filename("温州市实施细则.txt") == "doc-236fe3c6d07b"


def test_two_files_with_the_same_slug_are_refused(tmp_path):
    sources = copy_sources(tmp_path / "sources")
    (sources / "Taizhou-Anticorruption-2008-2012.TXT").write_bytes(NOTICE.read_bytes())
    notices, registry = read_sources(sources)
    with pytest.raises(PlanDataError, match="same doc_id"):
        extract(notices, registry)
