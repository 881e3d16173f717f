"""Step-by-step progress for the CLI, on stderr so that stdout stays the summary."""
from __future__ import annotations

import sys
import time

_started = time.monotonic()


def step(message: str, enabled: bool) -> None:
    if enabled:
        print(f"[{time.monotonic() - _started:6.1f}s] {message}", file=sys.stderr, flush=True)
