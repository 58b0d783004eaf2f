"""The import writer can be imported first, in a fresh interpreter (the benchmark's reading
child and any script do): its tables come from the models, not from whatever was loaded before."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("module", ["storage.importer", "storage.import_bulk", "services.imports"])
def test_the_module_imports_alone(module):
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
