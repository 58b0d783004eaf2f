"""Typed settings, read once at start-up from the environment (prefix GONGSHI_) and `.env`."""

from __future__ import annotations

import sys
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from messages.i18n import N_, translate

TELEGRAM_API = "https://api.telegram.org"
# Public, in this repository: fine for the demo's synthetic county, never for real people.
BUILT_IN_SECRET_KEY = "gongshi-demo-secret-change-me"
# 48 random bytes of token_urlsafe are 64 characters; 32 is the least a real key may have.
REAL_KEY_MIN_LENGTH = 32
WEAK_SECRET_KEY = N_(
    "GONGSHI_SECRET_KEY is the built-in demo key or shorter than 32 characters: the stored "
    "hashes would give back every ID number. Make one with "
    '`python -c "import secrets; print(secrets.token_urlsafe(48))"` and keep it secret.'
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="GONGSHI_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = Field(
        default="sqlite+aiosqlite:///var/gongshi.db",
        description="SQLAlchemy URL: sqlite+aiosqlite:///path or postgresql+asyncpg://...",
    )
    bot_token: SecretStr | None = None
    bot_username: str = Field(default="gongshi_bot", pattern=r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
    api_base: str = TELEGRAM_API
    timezone: str = "Asia/Shanghai"
    secret_key: SecretStr = Field(
        default=SecretStr(BUILT_IN_SECRET_KEY),
        description="key of the keyed hashes of ID numbers and phones; rotate with care",
    )
    old_secret_key: SecretStr | None = Field(
        default=None,
        description="the previous secret key, kept only while `gongshi rekey` moves the hashes",
    )
    language: str = "zh"
    calendar_file: Path | None = None
    pdf_font: Path | None = Field(
        default=None,
        description="TrueType font (.ttf/.ttc) with Chinese for PDF documents; "
        "default: the Debian package fonts-wqy-microhei",
    )
    evidence_dir: Path = Field(
        default=Path("var/evidence"),
        description="folder where evidence files sent to the hotline are kept, by content; "
        "a relative path is taken from the working directory at start-up",
    )
    webhook_secret: SecretStr | None = None
    public_channel: str | None = Field(
        default=None,
        pattern=r"^-?[0-9]+$",
        description="numeric chat id of the public 公示 channel, like -1001234567890",
    )
    # The hotline's telephone line and postal address, printed in every 公示 notice
    # (services.hotline_contact); empty: the notices name the bot alone.
    hotline_phone: str = Field(default="", max_length=32, pattern=r"^[0-9+\-() ]*$")
    hotline_address: str = Field(default="", max_length=120)
    gongshi_min_workdays: int = Field(default=5, ge=1, le=60)
    serious_complainants: int = Field(default=3, ge=2, le=100)
    # 六(一) names 合格 as the condition for renewing; the plan gives 基本合格 only the talk.
    # True (the default): 基本合格 may renew, with the admonishment talk; False: only 合格 renews.
    basic_may_renew: bool = True
    max_upload_mb: int = Field(default=20, ge=1, le=2000)
    import_max_mb: int = Field(default=50, ge=1, le=2000)
    # Bounds of one imported spreadsheet, checked before it is read whole (storage.sheet_reader):
    # the largest legitimate file, a city's results, has about 100,000 rows of 10 columns.
    import_max_rows: int = Field(default=200_000, ge=10, le=1_048_576)
    import_max_columns: int = Field(default=100, ge=8, le=16_384)
    import_max_cell_chars: int = Field(default=32_767, ge=500, le=10_000_000)
    import_max_uncompressed_mb: int = Field(default=200, ge=1, le=20_000)
    # The ceiling of the process that reads and checks a file (storage.import_child).
    import_max_memory_mb: int = Field(default=1024, ge=256, le=65_536)
    # Delivery of the outbox, within Telegram's limits; on PostgreSQL they are the whole
    # fleet's, every process taking its turns from the database (notices.fleet_limits).
    outbox_rate: float = Field(default=30.0, gt=0)
    outbox_fleet_limits: bool = True
    outbox_private_per_second: float = Field(default=1.0, gt=0)
    outbox_group_per_minute: float = Field(default=20.0, gt=0)
    outbox_max_in_flight: int = Field(default=10, ge=1, le=100)
    outbox_lease_seconds: int = Field(default=60, ge=5)
    reminder_sweep_seconds: int = Field(default=300, ge=10)
    leader_retry_seconds: int = Field(default=10, ge=1)
    deadlines_file: Path | None = None
    digest_weekday: int = Field(default=0, ge=0, le=6, description="0 is Monday")
    digest_hour: int = Field(default=9, ge=0, le=23)
    # Personal data of finished cases is kept two years after the cycle's 公示 ends: long
    # enough for the next cycle's assessment (two 不合格 in a row end the contract) and for
    # administrative review and litigation of a decision; no longer (个人信息保护法 art. 19).
    retention_days: int = Field(default=730, ge=30)
    # Messages sent to a chat, and a finished case's link to the complainant's chat, are kept
    # this long after delivery: time enough to rate the handling; then only the case's own
    # history, which names no chat, says what was told.
    outbox_retention_days: int = Field(default=30, ge=1)
    # Telegram redelivers an unacknowledged update for at most a day; longer memory of the
    # ids handled only makes ids that start again (a new token, a week's silence) look old.
    processed_update_days: int = Field(default=2, ge=1, le=30)

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if value.startswith("sqlite:///"):
            value = "sqlite+aiosqlite:///" + value.removeprefix("sqlite:///")
        elif value.startswith(("postgresql://", "postgres://")):
            value = "postgresql+asyncpg://" + value.split("://", 1)[1]
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:/// or postgresql+asyncpg://")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("api_base")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("language")
    @classmethod
    def _supported_language(cls, value: str) -> str:
        if value not in ("zh", "en"):
            raise ValueError("must be zh or en")
        return value

    @field_validator("secret_key")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters")
        return value


class SettingsError(Exception):
    """One readable line per bad setting, naming the environment variable."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"]) or "?"
            message = str(error["msg"]).removeprefix("Value error, ")
            lines.append(f"GONGSHI_{field.upper()}: {message}")
        raise SettingsError("; ".join(lines)) from None


def weak_secret_key(settings: Settings) -> bool:
    key = settings.secret_key.get_secret_value()
    return key == BUILT_IN_SECRET_KEY or len(key) < REAL_KEY_MIN_LENGTH


def require_real_secret_key(settings: Settings | None = None) -> None:
    """Refuse to go on, in one line and with exit code 2, when the secret key is the public
    built-in one or too short: from its keyed hashes and the stored last four digits every ID
    number comes back in seconds (about 20,000 candidates a person).

    Every command that handles real people calls it first (`run`, `notices run`, `import`,
    `rekey`, `backup`). `demo` and `sandbox` do not: the demo county is synthetic and the
    sandbox talks to no one. Without ``settings`` they are read here; settings that cannot be
    read are left to the command, which says why."""
    if settings is None:
        try:
            settings = load_settings()
        except SettingsError:
            return
    if not weak_secret_key(settings):
        return
    # Chinese first, English after it, whatever the language setting: an operator who reads
    # either must not miss this.
    print(f"{translate(WEAK_SECRET_KEY, 'zh')} / {WEAK_SECRET_KEY}", file=sys.stderr)
    raise SystemExit(2)
