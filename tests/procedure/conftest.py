"""Fixtures of the procedure tests: the conversation driver on the path, as the worker tests."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "conversations"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "publication"))
