"""Bytes -> text, with the encoding that was detected.

Order matters: a BOM is trusted first; then strict UTF-8; then GB18030, a
superset of GBK and GB2312 that also decodes 〇 (GB2312 cannot).
"""
from __future__ import annotations

import codecs
import functools
import re
import unicodedata
from dataclasses import dataclass

from pipeline.core.lines import EDGE_SPACE, line_number_at
from pipeline.errors import PlanDataError

# A plan notice is a few hundred KB at most; 10 MiB leaves room for long
# amended texts while refusing a mistaken upload of an archive or a database.
# pipeline/sources/discovery.py checks it on the file's size before reading; the check in
# decode_source is for callers that already hold the bytes.
MAX_SOURCE_BYTES = 10 * 1024 * 1024

# (byte-order mark, codec for the bytes after it, encoding recorded, name in messages)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16", "UTF-16"),
)
_ALLOWED_CONTROLS = {"\t", "\n", "\r", "\f", "\v"}
_BLANK = EDGE_SPACE + "\r\n"
_BYTE_LINE_END = re.compile(rb"\r\n|\r|\n")


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str


def decode_source(data: bytes, file: str) -> DecodedText:
    if len(data) > MAX_SOURCE_BYTES:
        raise PlanDataError(
            f"file is {len(data)} bytes, over the {MAX_SOURCE_BYTES}-byte limit for a notice", file=file
        )
    if not data.strip():
        raise PlanDataError("file is empty", file=file)
    text, encoding = _decode(data, file)
    if not text.strip(_BLANK):  # a lone BOM, or only spaces in UTF-16
        raise PlanDataError("file is empty (no text after decoding)", file=file)
    _refuse_binary(text, file)
    return DecodedText(text=text, encoding=encoding)


def _decode(data: bytes, file: str) -> tuple[str, str]:
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise PlanDataError("starts with a UTF-32 byte-order mark: UTF-32 is not accepted, "
                            "save the notice as UTF-8, GB18030 or UTF-16", file=file, line=1)
    for bom, codec, encoding, name in _BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            try:
                return body.decode(codec), encoding
            except UnicodeDecodeError as exc:
                raise PlanDataError(
                    f"starts with a {name} byte-order mark but the bytes at offset {len(bom) + exc.start} "
                    f"are not {name} ({exc.reason})",
                    file=file, line=_line_of(body, exc.start, codec),
                ) from None
    if b"\x00" in data:
        raise PlanDataError("binary data (NUL bytes) and no UTF-16 byte-order mark: not a text file",
                            file=file, line=_line_of(data, data.index(b"\x00")))
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        gb_error = exc
    # Report the fault where the likelier encoding breaks: the one that read
    # further. A UTF-8 file with one stray byte misreads as GB18030 from its
    # first line on, so the GB18030 offset would point at the wrong line.
    encoding, start = max((("UTF-8", utf8_error.start), ("GB18030", gb_error.start)), key=lambda pair: pair[1])
    raise PlanDataError(
        f"undecodable bytes at offset {start}: the file reads as {encoding} up to there, "
        "but is neither UTF-8 nor GB18030 (nor UTF-16 with a byte-order mark)",
        file=file, line=_line_of(data, start, encoding.lower()),
    ) from None


def _is_binary(char: str) -> bool:
    if char in _ALLOWED_CONTROLS:
        return False
    # Cc: control bytes; Co/Cn: private-use or unassigned code points,
    # which GB18030 happily produces from random bytes.
    return unicodedata.category(char) in ("Cc", "Co", "Cn") or char == "\ufffd"


@functools.cache
def _suspect() -> re.Pattern:
    """Every character of the Basic Multilingual Plane that is not text, and every character beyond it
    (rare in a notice, checked one by one): a search finds the first suspect without a loop per
    character. Built once, on first use (about 65,000 lookups)."""
    ranges, start = [], None
    for point in range(0x10001):
        bad = point < 0x10000 and _is_binary(chr(point))
        if bad and start is None:
            start = point
        elif not bad and start is not None:
            ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(point - 1))}")
            start = None
    return re.compile(f"[{''.join(ranges)}\U00010000-\U0010FFFF]")


def _refuse_binary(text: str, file: str) -> None:
    for found in _suspect().finditer(text):
        index = found.start()
        if _is_binary(text[index]):
            raise PlanDataError(
                f"binary or garbled content: character U+{ord(text[index]):04X} is not text",
                file=file, line=line_number_at(text, index),
            )


def _line_of(data: bytes, offset: int, encoding: str | None = None) -> int:
    """The editor line of byte ``offset``, counting CRLF, CR and LF line ends.

    For UTF-16 the bytes before the offset are decoded first: a raw 0x0A byte
    there may be half of a character such as 上 (U+4E0A).
    """
    if encoding is not None:
        prefix = data[:offset].decode(encoding, errors="replace")
        return line_number_at(prefix, len(prefix))
    return len(_BYTE_LINE_END.findall(data, 0, offset)) + 1
