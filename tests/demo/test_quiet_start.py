"""`make demo` on a fresh machine: one progress line for the install, not pip's and the build
backend's hundred, and a package description setuptools does not warn about."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_license_is_an_spdx_string_the_build_backend_reads():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == "MIT"  # a table is deprecated, and warned about
    # The string form needs setuptools 77 or newer in the isolated build environment.
    [backend] = [r for r in project["build-system"]["requires"] if r.startswith("setuptools")]
    assert backend.replace(" ", "") == "setuptools>=77"


def test_the_install_prints_a_progress_line_and_runs_pip_quietly(tmp_path):
    """The Makefile's install recipe, with a stand-in Python that notes how it was called and
    prints what pip would without -qq."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    calls = tmp_path / "calls"
    python = venv / "bin" / "python"
    python.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> {calls}\n'
        'case "$*" in *"--quiet --quiet"*) ;; *) echo "Collecting ... Building editable ...";; '
        "esac\n"
    )
    python.chmod(0o755)
    settings = [f"VENV={venv}", f"PYTHON={python}"]
    done = subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), *settings, str(venv / ".installed")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    printed = done.stdout.splitlines()
    assert 1 <= len(printed) <= 3, printed
    assert "installing" in printed[0]
    installs = [line for line in calls.read_text().splitlines() if "pip install" in line]
    assert len(installs) == 3  # pip itself, the locked dependencies, the project
    assert all("--quiet --quiet" in line for line in installs), installs
    assert done.stderr == ""
