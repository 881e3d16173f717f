"""A web page's bytes -> text: the charset the page declares, else UTF-8, then GB18030.

GB2312 and GBK pages are decoded as GB18030, their superset: a GB2312 decoder fails on 〇 and on the
characters a GBK editor adds, which pages labelled gb2312 routinely hold.
"""
from __future__ import annotations

import codecs
import re

from pipeline.core.decode import MAX_SOURCE_BYTES, _refuse_binary
from pipeline.core.decode import _line_of as line_of_offset
from pipeline.errors import PlanDataError

# Where a browser looks for the declaration (the HTML standard's prescan reads 1024 bytes; Word and CMS
# exports put long style blocks first, so the whole head is searched, up to this many bytes).
_PRESCAN_BYTES = 64 * 1024
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
# declared name (lower case) -> (codec, encoding recorded in documents.source_encoding)
_CHARSETS = {
    "utf-8": ("utf-8", "utf-8"), "utf8": ("utf-8", "utf-8"),
    "gb18030": ("gb18030", "gb18030"), "gbk": ("gb18030", "gb18030"), "gb2312": ("gb18030", "gb18030"),
    "gb_2312-80": ("gb18030", "gb18030"), "x-gbk": ("gb18030", "gb18030"), "cp936": ("gb18030", "gb18030"),
    "windows-936": ("gb18030", "gb18030"), "euc-cn": ("gb18030", "gb18030"),
    "big5": ("big5", "big5"),
    # A page saved as UTF-16 declares it; the byte-order mark decides the byte order.
    "utf-16": ("utf-16", "utf-16"), "unicode": ("utf-16", "utf-16"),
}


def declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data, 0, _PRESCAN_BYTES)
    return match.group(1).decode("ascii").lower() if match else None


def decode_page(data: bytes, file: str) -> tuple[str, str]:
    """(text, encoding recorded). A byte-order mark wins over the declaration, as in a browser."""
    if len(data) > MAX_SOURCE_BYTES:
        raise PlanDataError(f"file is {len(data)} bytes, over the {MAX_SOURCE_BYTES}-byte limit for a notice",
                            file=file)
    if not data.strip():
        raise PlanDataError("file is empty", file=file)
    text, encoding = _decode(data, file)
    if "\x00" in text:
        raise PlanDataError("NUL bytes in a web page: not a text file",
                            file=file, line=text.count("\n", 0, text.index("\x00")) + 1)
    _refuse_binary(text, file)
    return text, encoding


def _decode(data: bytes, file: str) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", "utf-8-sig", "its UTF-8 byte-order mark", file, 3)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", "utf-16", "its UTF-16 byte-order mark", file, 0)
    if b"\x00" in data:
        raise PlanDataError("NUL bytes in a web page: not a text file",
                            file=file, line=line_of_offset(data, data.index(b"\x00")))
    declared = declared_charset(data)
    if declared is not None:
        if declared not in _CHARSETS:
            raise PlanDataError(f"the page declares charset {declared}, which is not read: save the page as "
                                "UTF-8 or GB18030 (GBK and GB2312 are read as GB18030)", file=file)
        codec, encoding = _CHARSETS[declared]
        if codec == "utf-16":  # declared without a byte-order mark: the bytes are ASCII-compatible after all
            codec, encoding = "utf-8", "utf-8"
        return _strict(data, codec, encoding, f"its declared charset {declared}", file, 0)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        gb_error = exc
    name, start = max((("UTF-8", utf8_error.start), ("GB18030", gb_error.start)), key=lambda pair: pair[1])
    raise PlanDataError(f"undecodable bytes at offset {start}: the page declares no charset and reads as "
                        f"{name} up to there, but is neither UTF-8 nor GB18030",
                        file=file, line=line_of_offset(data, start, name.lower()))


def _strict(body: bytes, codec: str, encoding: str, why: str, file: str, skipped: int) -> tuple[str, str]:
    try:
        return body.decode(codec), encoding
    except UnicodeDecodeError as exc:
        raise PlanDataError(f"undecodable bytes at offset {skipped + exc.start}: not {codec.upper()}, "
                            f"as {why} says ({exc.reason})",
                            file=file, line=line_of_offset(body, exc.start, codec)) from None
