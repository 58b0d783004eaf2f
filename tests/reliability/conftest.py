"""The reliability suites: a short form in every test run, a long one with
``GONGSHI_RELIABILITY=long`` (``make reliability``). Each suite records its counts, printed at
the end of the run so that they show in CI logs."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from counts_and_sandbox import (  # noqa: F401
    counts,
    pytest_terminal_summary,
    token,
)
