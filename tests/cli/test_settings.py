"""Settings: defaults, environment, .env, and one clear line for a bad value."""

from __future__ import annotations

import pytest

from bot.settings import TELEGRAM_API, SettingsError, load_settings


def test_defaults_need_no_environment():
    settings = load_settings()
    assert settings.database_url == "sqlite+aiosqlite:///var/gongshi.db"
    assert settings.api_base == TELEGRAM_API
    assert settings.timezone == "Asia/Shanghai"
    assert settings.bot_token is None
    assert settings.language == "zh"


def test_environment_and_dotenv(monkeypatch, tmp_path):
    (tmp_path / ".env").write_text(
        "GONGSHI_BOT_TOKEN=123456:ABCdef\nGONGSHI_API_BASE=http://127.0.0.1:8081/\n"
    )
    monkeypatch.setenv("GONGSHI_DATABASE_URL", "postgresql://u:p@127.0.0.1:5432/gongshi")
    settings = load_settings()
    assert settings.bot_token is not None
    assert settings.bot_token.get_secret_value() == "123456:ABCdef"
    assert "ABCdef" not in repr(settings)
    assert settings.api_base == "http://127.0.0.1:8081"
    assert settings.database_url == "postgresql+asyncpg://u:p@127.0.0.1:5432/gongshi"


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("GONGSHI_TIMEZONE", "Mars/Olympus", "GONGSHI_TIMEZONE"),
        ("GONGSHI_DATABASE_URL", "mysql://x", "GONGSHI_DATABASE_URL"),
        ("GONGSHI_SECRET_KEY", "short", "GONGSHI_SECRET_KEY"),
        ("GONGSHI_API_BASE", "ftp://x", "GONGSHI_API_BASE"),
        ("GONGSHI_GONGSHI_MIN_WORKDAYS", "zero", "GONGSHI_GONGSHI_MIN_WORKDAYS"),
    ],
)
def test_a_bad_value_names_its_variable(monkeypatch, variable, value, named):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith(named + ":")
    assert "\n" not in message
