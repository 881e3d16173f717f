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
        if self.file is None:
            return self.message if self.line is None else f"line {self.line}: {self.message}"
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"
