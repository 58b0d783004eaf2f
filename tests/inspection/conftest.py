"""The inspection's tests: a small city of units with workers, contacts, bound workers, the
bureau and an admin, and the 2026 cycle with its tasks (inspection_world.py)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "conversations"))
