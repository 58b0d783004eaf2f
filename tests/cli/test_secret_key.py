"""No real run on the public built-in secret key: every command that handles real people
(`run`, `notices run`, `import results|roster`, `rekey`, `backup`) refuses it, and any key
shorter than 32 characters, in one bilingual line that says how to make a key, with exit code
2 and before it touches anything. `sandbox` and `demo` need no key."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.settings import BUILT_IN_SECRET_KEY, load_settings

ROOT = Path(__file__).resolve().parents[2]
STRONG = "k" * 32
REFUSAL = (
    "GONGSHI_SECRET_KEY 是内置的演示密钥或不足 32 个字符：凭库中的哈希可以还原每一个身份证号。"
    '请用 `python -c "import secrets; print(secrets.token_urlsafe(48))"` 生成一个并妥善保管。'
    " / GONGSHI_SECRET_KEY is the built-in demo key or shorter than 32 characters: the stored "
    "hashes would give back every ID number. Make one with "
    '`python -c "import secrets; print(secrets.token_urlsafe(48))"` and keep it secret.'
)


@pytest.fixture
def place(tmp_path, monkeypatch) -> Path:
    """An empty directory (no .env) and no key in the environment."""
    monkeypatch.chdir(tmp_path)
    for name in ("GONGSHI_SECRET_KEY", "GONGSHI_OLD_SECRET_KEY", "GONGSHI_LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def commands(place: Path) -> dict[str, list[str]]:
    sheet = place / "roster.csv"
    sheet.write_text("单位,姓名,身份证号,手机号,岗位\n", encoding="utf-8")
    return {
        "run": ["run"],
        "notices run": ["notices", "run"],
        "import results": ["import", "results", str(sheet), "--cycle", "2026"],
        "import roster": ["import", "roster", str(sheet)],
        "rekey": ["rekey", str(sheet)],
        "backup": ["backup", "--output", str(place / "copy.db")],
    }


def gongshi(place: Path, args: list[str], key: str | None):
    database = place / "gongshi.db"
    database.touch()  # backup would refuse a missing database before anything else
    env = {
        "GONGSHI_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "GONGSHI_BOT_TOKEN": "1:never-used",
        "GONGSHI_API_BASE": "http://127.0.0.1:9",  # nothing is listening; never called
        "GONGSHI_OLD_SECRET_KEY": "the-key-the-hashes-were-made-with",
    }
    if key is not None:
        env["GONGSHI_SECRET_KEY"] = key
    return CliRunner().invoke(app, args, env=env)


NAMES = ["run", "notices run", "import results", "import roster", "rekey", "backup"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "key", [None, BUILT_IN_SECRET_KEY, "x" * 31], ids=["unset", "built-in", "31-characters"]
)
def test_a_weak_key_is_refused_in_one_line(place, name, key):
    done = gongshi(place, commands(place)[name], key)
    assert done.exit_code == 2
    assert done.output.strip() == REFUSAL
    assert not (place / "copy.db").exists()
    # Nothing was touched: not even the schema of the empty database.
    assert (place / "gongshi.db").stat().st_size == 0


@pytest.mark.parametrize("name", NAMES)
def test_a_real_key_goes_past_the_check(place, name):
    """With 32 characters the same command goes on to its next check (here: the empty
    database has no schema), so the refusal above was the key's alone."""
    done = gongshi(place, commands(place)[name], STRONG)
    assert "GONGSHI_SECRET_KEY" not in done.output
    assert "gongshi db upgrade" in done.output
    assert done.exit_code == 2


def test_rekey_moves_off_the_built_in_key(place):
    """The old key may be the built-in one: leaving it is what rekey is for."""
    done = CliRunner().invoke(
        app,
        commands(place)["rekey"],
        env={
            "GONGSHI_DATABASE_URL": f"sqlite+aiosqlite:///{place}/gongshi.db",
            "GONGSHI_SECRET_KEY": STRONG,
            "GONGSHI_OLD_SECRET_KEY": BUILT_IN_SECRET_KEY,
        },
    )
    assert "GONGSHI_SECRET_KEY" not in done.output
    assert "gongshi db upgrade" in done.output


def test_the_default_key_is_the_built_in_one(place):
    assert load_settings().secret_key.get_secret_value() == BUILT_IN_SECRET_KEY


def test_the_sandbox_starts_without_a_key(place):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGSHI_")}
    env["PYTHONPATH"] = str(ROOT)
    process = subprocess.Popen(
        [sys.executable, "-c", "from bot.cli import main; main()", "sandbox", "--port", "0"],
        cwd=place,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert re.search(r"sandbox running: http://127\.0\.0\.1:\d+/", first), first
    finally:
        process.terminate()
        process.wait(timeout=20)
