"""The scale-out suite shares the reliability suites' sandbox fixtures and counts summary."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reliability"))

from counts_and_sandbox import (  # noqa: F401
    counts,
    pytest_terminal_summary,
    token,
)
