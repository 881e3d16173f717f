"""The project's one error type: every message the user sees names the file and the line."""
from __future__ import annotations


class PlanDataError(Exception):
    """A fault in the input or the build, reported as one line: ``file:line: message``."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = " ".join(message.split())  # one line, always
        self.file = file
        self.line = line

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}"
