"""Reproducible installs: the lock files pin every dependency of pyproject.toml to one version
inside its range, each with its hashes (pip's --require-hashes refuses a line without), the
development lock keeps the deployment lock's pins, and `make` installs from the lock."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
DEPENDENCIES = [Requirement(line) for line in PYPROJECT["project"]["dependencies"]]
DEV = [Requirement(line) for line in PYPROJECT["project"]["optional-dependencies"]["dev"]]
HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")


def pins(name: str) -> dict[str, tuple[Version, int]]:
    """Each requirement of a lock file: its version and how many hashes it carries."""
    text = (ROOT / name).read_text(encoding="utf-8")
    joined = re.sub(r"\\\n\s*", " ", text)
    found: dict[str, tuple[Version, int]] = {}
    for line in joined.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement, *options = line.split()
        assert "==" in requirement, f"{name}: {line!r} is not pinned"
        package, version = requirement.split("==")
        hashes = [o for o in options if HASH.fullmatch(o)]
        assert len(hashes) == len(options), f"{name}: {line!r}"
        found[canonicalize_name(package)] = (Version(version), len(hashes))
    return found


@pytest.mark.parametrize(
    ("lock", "required"),
    [("requirements.lock", DEPENDENCIES), ("requirements-dev.lock", DEPENDENCIES + DEV)],
)
def test_every_dependency_is_pinned_in_its_range_with_hashes(lock, required):
    pinned = pins(lock)
    for requirement in required:
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{lock} lacks {requirement.name}"
        version, hashes = pinned[name]
        assert requirement.specifier.contains(version, prereleases=True), (lock, name, version)
        assert hashes >= 1
    assert all(hashes >= 1 for _, hashes in pinned.values())
    assert "gongshi" not in pinned  # the project itself is installed apart, with --no-deps


def test_development_keeps_the_deployment_pins():
    deployed, developed = pins("requirements.lock"), pins("requirements-dev.lock")
    assert {name: developed[name][0] for name in deployed} == {
        name: version for name, (version, _) in deployed.items()
    }


def test_make_installs_from_the_lock_then_the_project_alone():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    lock = makefile.index("$(PIP) --require-hashes -r $(DEV_LOCK)")
    project = makefile.index("$(PIP) --no-deps -e .")
    assert lock < project
    assert "DEV_LOCK := requirements-dev.lock" in makefile
    assert "'.[dev]'" not in makefile
