"""Bytes -> text, with the encoding that was detected.

Order matters: a BOM is trusted first; then strict UTF-8; then GB18030, a
superset of GBK and GB2312 that also decodes 〇 (GB2312 cannot).
"""
from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass

from pipeline.core.lines import line_number_at
from pipeline.errors import PlanDataError

# A plan notice is a few hundred KB at most; 10 MiB leaves room for long
# amended texts while refusing a mistaken upload of an archive or a database.
MAX_SOURCE_BYTES = 10 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ALLOWED_CONTROLS = {"\t", "\n", "\r", "\f", "\v"}


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
    _refuse_binary(text, file)
    return DecodedText(text=text, encoding=encoding)


def _decode(data: bytes, file: str) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise PlanDataError(
                    f"starts with a {encoding} byte-order mark but byte {exc.start} is not {encoding}",
                    file=file, line=_line_of(data, exc.start),
                ) from None
    if b"\x00" in data:
        raise PlanDataError("binary data (NUL bytes) and no UTF-16 byte-order mark: not a text file",
                            file=file, line=_line_of(data, data.index(b"\x00")))
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise PlanDataError(
            f"undecodable bytes at offset {exc.start}: neither UTF-8 nor GB18030 (nor UTF-16 with a BOM)",
            file=file, line=_line_of(data, exc.start),
        ) from None


def _refuse_binary(text: str, file: str) -> None:
    for index, char in enumerate(text):
        if char in _ALLOWED_CONTROLS:
            continue
        category = unicodedata.category(char)
        # Cc: control bytes; Co/Cn: private-use or unassigned code points,
        # which GB18030 happily produces from random bytes.
        if category in ("Cc", "Co", "Cn") or char == "\ufffd":
            line = line_number_at(text, index)
            raise PlanDataError(
                f"binary or garbled content: character U+{ord(char):04X} is not text", file=file, line=line
            )


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1
