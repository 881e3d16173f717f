"""Rules of decoding (pipeline/core/decode.py): where a fault after a byte-order mark is reported."""
from __future__ import annotations

import codecs

import pytest

from pipeline.core.decode import decode_source
from pipeline.errors import PlanDataError


def test_a_bad_byte_after_a_utf8_bom_is_reported_at_its_offset_in_the_file():
    # 3 BOM bytes, then "abcd", then 0xFF: the bad byte is the file's 8th byte, offset 7.
    data = codecs.BOM_UTF8 + b"abcd\xff\n"
    with pytest.raises(PlanDataError) as caught:
        decode_source(data, "notice.txt")
    assert "byte-order mark but the bytes at offset 7 are not UTF-8" in str(caught.value)


def test_a_truncated_utf16_body_is_reported_at_its_offset_in_the_file():
    # 2 BOM bytes, "AB" in UTF-16-LE (4 bytes), then one lone byte: offset 2 + 4 = 6.
    data = codecs.BOM_UTF16_LE + "AB".encode("utf-16-le") + b"C"
    with pytest.raises(PlanDataError) as caught:
        decode_source(data, "notice.txt")
    assert "byte-order mark but the bytes at offset 6 are not UTF-16" in str(caught.value)
