"""What sits in the sources directory: notice texts (in it or in its subfolders) and the unit registry.

Discovery refuses, with one line naming the file, what it cannot read safely: a file name that is
not valid UTF-8 or holds control or format characters (U+202E turns a name around on screen), a
symbolic link that leads outside the directory, and what is named like a notice but is no regular
file (a FIFO, whose open would block the build; a socket, a device, a directory ``x.txt/``).
A notice is identified by its path relative to the directory, with ``/`` separators.
"""
from __future__ import annotations

import hashlib
import os
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.core.decode import MAX_SOURCE_BYTES
from pipeline.core.readers import READERS
from pipeline.errors import PlanDataError
from pipeline.sources.sidecar import MAX_BYTES as SIDECAR_MAX_BYTES
from pipeline.sources.sidecar import SUFFIX as SIDECAR_SUFFIX
from pipeline.sources.sidecar import parse_sidecar, sidecar_path

NOTICE_SUFFIXES = tuple(READERS)  # a file is a notice when a reader reads its format
# Formats publishers keep beside their notices that no reader reads: they never fail a build, and the
# build summary and quality.md list them as not read (suffix -> format shown).
UNREAD_FORMATS = {
    ".pdf": "PDF", ".doc": "Word 97-2003 (.doc)", ".wps": "WPS", ".ofd": "OFD", ".rtf": "RTF",
    ".odt": "OpenDocument text", ".xls": "Excel 97-2003", ".xlsx": "Excel", ".et": "WPS spreadsheet",
    ".png": "image", ".jpg": "image", ".jpeg": "image", ".gif": "image", ".bmp": "image", ".tif": "image",
    ".tiff": "image", ".webp": "image",
}
REGISTRY_FILES = ("units.csv", "unit_aliases.csv")
_HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class SourceFile:
    path: Path
    data: bytes
    relative: str | None = None  # the name inside the sources directory, when read from one
    meta: dict = field(default_factory=dict)  # the notice's metadata sidecar, when it has one

    @property
    def name(self) -> str:
        return self.relative or self.path.name

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def printable(name: str) -> str:
    """A file name as one printable line: undecodable bytes as \\xNN, control characters escaped."""
    text = os.fsencode(name).decode("utf-8", "backslashreplace")
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
                   for char in text)


def _check_name(relative: str, shown: str) -> None:
    try:
        relative.encode("utf-8")
    except UnicodeEncodeError:
        raw = os.fsencode(relative)
        try:
            hint = f" (read as GB18030 it is {printable(raw.decode('gb18030'))})"
        except UnicodeDecodeError:
            hint = ""
        raise PlanDataError(f"file name is not valid UTF-8{hint}; rename the file "
                            "(for example with convmv -f gbk -t utf-8)", file=shown) from None
    if any(unicodedata.category(char) in ("Cc", "Cf") for char in relative):
        raise PlanDataError("file name holds control characters (a line break, a terminal escape) or format "
                            "characters (invisible, such as U+202E, which shows the name reversed); rename the file",
                            file=shown)


def _kind(mode: int) -> str | None:
    """What a file that is not a regular file is, in words; None for a regular file."""
    for test, words in ((stat.S_ISREG, None), (stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                        (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                        (stat.S_ISBLK, "a block device")):
        if test(mode):
            return words
    return "not a regular file"


def _not_regular(kind: str, shown: str) -> PlanDataError:
    return PlanDataError(f"is {kind}, not a regular file: not read; remove it or replace it with the file",
                         file=shown)


def _inside(path: str, root: str, shown: str) -> str:
    """The real path of a symbolic link, refused when it leads outside ``root`` (a real path)."""
    real = os.path.realpath(path)
    if not real.startswith(root + os.sep):
        raise PlanDataError(f"symbolic link to {printable(real)}, outside the sources directory: "
                            "not followed; copy the file into the sources directory instead", file=shown)
    return real


def _is_notice(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in NOTICE_SUFFIXES


def _walk(folder: str, prefix: str, root: str, found: list[tuple[str, Path]],
          unread: list[tuple[str, str]] | None = None) -> None:
    # scandir rather than os.walk and pathlib: the sensor lists the directory every minute,
    # and an entry's type comes with the listing, without a stat per file.
    with os.scandir(folder) as listing:
        entries = [entry for entry in listing if not entry.name.startswith(".")]
    for entry in entries:
        relative = prefix + entry.name
        if entry.is_dir(follow_symlinks=False):
            if _is_notice(entry.name):  # named like a notice: it is not one, and must not vanish silently
                raise _not_regular("a directory", printable(relative))
            _walk(entry.path, relative + "/", root, found, unread)
        elif entry.is_symlink():
            into_folder = entry.is_dir()  # a linked folder is not entered, but must not lead out
            if not (into_folder or _is_notice(entry.name)):
                continue
            shown = printable(relative)
            if not into_folder:
                _check_name(relative, shown)
            _inside(entry.path, root, shown)
            if into_folder:
                if _is_notice(entry.name):
                    raise _not_regular("a symbolic link to a directory", shown)
                continue
            if not entry.is_file():
                if not os.path.exists(entry.path):
                    raise PlanDataError("symbolic link to a file that does not exist", file=shown)
                raise _not_regular(_kind(os.stat(entry.path).st_mode), shown)
            found.append((relative, Path(entry.path)))
        elif _is_notice(entry.name):
            shown = printable(relative)
            _check_name(relative, shown)
            if not entry.is_file(follow_symlinks=False):  # from the listing: nothing is opened
                raise _not_regular(_kind(entry.stat(follow_symlinks=False).st_mode), shown)
            found.append((relative, Path(entry.path)))
        elif unread is not None and os.path.splitext(entry.name)[1].lower() in UNREAD_FORMATS:
            unread.append((printable(relative), UNREAD_FORMATS[os.path.splitext(entry.name)[1].lower()]))


def notice_files(sources_dir: Path) -> list[tuple[str, Path]]:
    """(relative path with / separators, path) of every notice (a file of a format in NOTICE_SUFFIXES)
    under the directory, hidden files and folders skipped, sorted by relative path. The relative path is
    what identifies a notice."""
    if not sources_dir.is_dir():
        raise PlanDataError("sources directory does not exist", file=printable(str(sources_dir)))
    found: list[tuple[str, Path]] = []
    _walk(str(sources_dir), "", os.path.realpath(sources_dir), found)
    if not found:
        kinds = ", ".join(f"*{suffix}" for suffix in NOTICE_SUFFIXES)
        raise PlanDataError(f"no notice ({kinds}) in the sources directory", file=printable(str(sources_dir)))
    return sorted(found)


def unread_files(sources_dir: Path) -> list[dict]:
    """Files beside the notices in a format no reader reads (PDF, .doc, WPS, images), each
    {"file", "format"}, sorted by path: listed as not read, never a failure."""
    unread: list[tuple[str, str]] = []
    _walk(str(sources_dir), "", os.path.realpath(sources_dir), [], unread)
    return [{"file": name, "format": kind} for name, kind in sorted(unread)]


def notice_paths(sources_dir: Path) -> list[Path]:
    return [path for _, path in notice_files(sources_dir)]


def registry_paths(sources_dir: Path) -> list[Path]:
    return [sources_dir / name for name in REGISTRY_FILES]


def read_bounded(path: Path, shown: str, limit: int = MAX_SOURCE_BYTES, what: str = "a notice") -> bytes:
    """The file's bytes, refused by its size before reading; never more than limit + 1 bytes are read.

    Symbolic links were checked by discovery; the real path is opened without following
    another link, so that a file swapped for a link after the check is refused. What is not a
    regular file is refused before it is opened (a device's open may act), and the open does not
    wait (a FIFO swapped in after the check would block it), then is checked again."""
    real = os.path.realpath(path)
    try:
        kind = _kind(os.lstat(real).st_mode)
        if kind:
            raise _not_regular(kind, shown)
        descriptor = os.open(real, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise PlanDataError(f"cannot be read: {exc.strerror}", file=shown) from None
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if _kind(info.st_mode):
            raise _not_regular(_kind(info.st_mode), shown)
        size = info.st_size
        if size > limit:
            raise PlanDataError(f"file is {size} bytes, over the {limit}-byte limit for {what}", file=shown)
        # read(n) allocates n bytes up front: ask for the size seen, and only a file
        # that grew since fstat is read on, never past limit + 1.
        data = handle.read(size + 1)
        if len(data) > size:
            data += handle.read(limit + 1 - len(data))
    if len(data) > limit:
        raise PlanDataError(f"file is over the {limit}-byte limit for {what} (it grew while being read)",
                            file=shown)
    return data


def stream_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def sidecar_files(sources_dir: Path) -> list[tuple[str, Path]]:
    """(relative path, path) of every notice's metadata sidecar that exists."""
    found = []
    for relative, path in notice_files(sources_dir):
        sidecar = sidecar_path(path)
        if sidecar.is_file():
            found.append((relative.removesuffix(path.suffix) + SIDECAR_SUFFIX, sidecar))
    return found


def _sidecar(notice: Path, relative: str) -> dict:
    path = sidecar_path(notice)
    if not path.exists() and not path.is_symlink():
        return {}
    shown = printable(relative.removesuffix(notice.suffix) + SIDECAR_SUFFIX)
    if path.is_symlink():
        _inside(str(path), os.path.realpath(notice.parent), shown)
    return parse_sidecar(read_bounded(path, shown, limit=SIDECAR_MAX_BYTES, what="a metadata sidecar"), shown)


@dataclass(frozen=True)
class NoticeRef:
    """A notice found in the sources directory, its sidecar read, its text not yet."""
    path: Path
    relative: str
    meta: dict
    problem: PlanDataError | None = None  # its sidecar could not be read (kept for --skip-broken)

    @property
    def name(self) -> str:
        return self.relative

    def read(self) -> SourceFile:
        if self.problem is not None:
            raise self.problem
        return SourceFile(self.path, read_bounded(self.path, printable(self.relative)), self.relative, self.meta)


def _noticed(path: Path, relative: str, keep_problems: bool) -> NoticeRef:
    try:
        return NoticeRef(path, relative, _sidecar(path, relative))
    except PlanDataError as problem:
        if not keep_problems:
            raise
        return NoticeRef(path, relative, {}, problem)


def list_notices(sources_dir: Path, keep_problems: bool = False) -> list[NoticeRef]:
    """Every notice with its sidecar, without reading the notices: a shard reads only its own.
    With ``keep_problems`` (--skip-broken), a notice whose sidecar cannot be read is listed, and
    raises its problem when read, so that it is left out like any broken notice."""
    return [_noticed(path, relative, keep_problems) for relative, path in notice_files(sources_dir)]


def read_registry_files(sources_dir: Path) -> dict[str, SourceFile]:
    """The registry files present, by name."""
    registry = {}
    root = os.path.realpath(sources_dir)
    for path in registry_paths(sources_dir):
        shown = printable(str(path))
        # The registry is optional: without it every printed unit is published unresolved. What
        # is there under its name is read or refused (a directory or FIFO is not "no registry").
        if not os.path.lexists(path):
            continue
        if path.is_symlink():
            _inside(str(path), root, shown)
        registry[path.name] = SourceFile(path, read_bounded(path, shown, what="a registry file"), path.name)
    return registry


def read_sources(sources_dir: Path) -> tuple[list[SourceFile], dict[str, SourceFile]]:
    """(notices, registry files present by name), read once so that every step sees the same bytes."""
    return [ref.read() for ref in list_notices(sources_dir)], read_registry_files(sources_dir)
