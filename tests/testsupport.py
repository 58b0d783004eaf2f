"""Plain helpers the tests import by name (conftest modules are not importable by name:
several directories have one)."""

from __future__ import annotations

from bot.settings import Settings, load_settings

# Long enough for the commands that refuse a weak key (bot.settings.require_real_secret_key).
SECRET = "test-secret-key-0123456789-abcdefghij"


def make_settings(url: str, **overrides: object) -> Settings:
    return load_settings(database_url=url, secret_key=SECRET, **overrides)
