"""downloads/<format>.zip: every table of a release in one format, for one click.

The same files always give the same zip bytes: entries sorted by name, each dated 1980-01-01
00:00 (the zip format's earliest date), made on Unix with mode 0444, text deflated at level 1 (a rebuild rewrites every zip: level 6 took
three times as long at 1,000 notices, for zips 17% smaller)
and Parquet (zstd inside already) stored. No directory entries, no comment, no extra fields."""
from __future__ import annotations

import shutil
import stat
import zipfile
from pathlib import Path

ZIP_FORMATS = ("csv", "excel", "json", "parquet")
DOWNLOADS = "downloads"
_EPOCH = (1980, 1, 1, 0, 0, 0)
_DEFLATE_LEVEL = 1


def zip_path(fmt: str) -> str:
    return f"{DOWNLOADS}/{fmt}.zip"


def _info(name: str, size: int, fmt: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.create_system = 3  # Unix, so that external_attr holds a mode
    info.external_attr = (stat.S_IFREG | 0o444) << 16
    info.compress_type = zipfile.ZIP_STORED if fmt == "parquet" else zipfile.ZIP_DEFLATED
    info.file_size = size
    # The level the entry is written with: ZipFile's own compresslevel applies only to entries it
    # makes itself (the attribute is named compress_level from Python 3.13; the project pins 3.11).
    info._compresslevel = _DEFLATE_LEVEL
    return info


def write_zip(directory: Path, fmt: str) -> str:
    """downloads/<fmt>.zip of every file in ``directory``/<fmt>/ (its entries named <fmt>/<file>)."""
    files = sorted(path for path in (directory / fmt).rglob("*") if path.is_file())
    target = directory / zip_path(fmt)
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=_DEFLATE_LEVEL) as archive:
        for path in files:
            name = path.relative_to(directory).as_posix()
            size = path.stat().st_size
            with path.open("rb") as source, archive.open(_info(name, size, fmt), "w",
                                                         force_zip64=size >= zipfile.ZIP64_LIMIT) as sink:
                shutil.copyfileobj(source, sink, 1 << 20)
    return zip_path(fmt)


def write_downloads(directory: Path) -> list[str]:
    """One zip per format; the paths written."""
    return [write_zip(directory, fmt) for fmt in ZIP_FORMATS]
