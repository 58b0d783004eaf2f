"""What handlers and use cases depend on, in one typed object built once at start-up (by
``bot.app`` from the settings) and handed to every step as ``ctx.deps``.

Nothing is looked up by name and nothing falls back to a default of its own: a deployment's
choice (the evidence folder, the calendar's override file, the limits) reaches the code that
uses it or the start-up fails. Tests replace single parts by name through ``with_services``,
which refuses a name it does not know.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

from pydantic import SecretStr

from domain.clock import Clock
from domain.complaints import HotlineLimits, MessageThrottle
from domain.renewal import RenewalSettings
from domain.search_limits import SearchLimits, SearchThrottle
from domain.workdays import WorkCalendar
from services.files import FileFetcher
from services.hotline_contact import HotlineContact

T = TypeVar("T")


class DepsSettings(Protocol):
    """The settings ``Deps`` is made from: a conversation step reads none of them itself."""

    @property
    def bot_username(self) -> str: ...
    @property
    def public_channel(self) -> str | None: ...
    @property
    def language(self) -> str: ...
    @property
    def secret_key(self) -> SecretStr: ...
    @property
    def max_upload_mb(self) -> int: ...
    @property
    def import_max_mb(self) -> int: ...
    @property
    def serious_complainants(self) -> int: ...
    @property
    def gongshi_min_workdays(self) -> int: ...
    @property
    def evidence_dir(self) -> Path: ...
    @property
    def pdf_font(self) -> Path | None: ...


@dataclass(frozen=True)
class Deps:
    clock: Clock
    calendar: WorkCalendar
    secret_key: str
    bot_username: str
    public_channel: str | None
    language: str
    max_upload_mb: int
    import_max_mb: int
    serious_complainants: int
    gongshi_min_workdays: int
    # Where evidence files are kept, by content; absolute, so the working directory of a
    # later moment cannot move it.
    evidence_dir: Path
    hotline_limits: HotlineLimits
    # None: no per-minute limit on hotline messages (a dispatcher built without the app).
    hotline_throttle: MessageThrottle | None
    search_limits: SearchLimits
    search_throttle: SearchThrottle
    # The TrueType font printed documents are drawn with; None: the Debian package's.
    pdf_font: Path | None
    # None: files users send are recorded by id and not downloaded (no Bot API to ask).
    files: FileFetcher | None = None
    # The county's reading of 六(一): whether 基本合格 may renew (GONGSHI_BASIC_MAY_RENEW).
    renewal: RenewalSettings = field(default_factory=RenewalSettings)
    # The hotline's telephone and address the 公示 notices give; empty when not set.
    hotline: HotlineContact = field(default_factory=HotlineContact)

    @classmethod
    def from_settings(
        cls,
        settings: DepsSettings,
        *,
        clock: Clock,
        calendar: WorkCalendar,
        throttle_hotline: bool = True,
        services: Mapping[str, object] | None = None,
    ) -> Deps:
        """The dependencies the settings describe, with ``services`` replacing parts by name.
        The throttles are sized by the limits chosen, unless given themselves."""
        chosen = _known(services or {})
        hotline_limits = _typed(chosen, "hotline_limits", HotlineLimits) or HotlineLimits()
        search_limits = _typed(chosen, "search_limits", SearchLimits) or SearchLimits()
        default_throttle = (
            MessageThrottle(hotline_limits.messages_per_minute) if throttle_hotline else None
        )
        evidence_dir = _typed(chosen, "evidence_dir", Path) or settings.evidence_dir
        return cls(
            clock=clock,
            calendar=_typed(chosen, "calendar", WorkCalendar) or calendar,
            secret_key=settings.secret_key.get_secret_value(),
            bot_username=settings.bot_username,
            public_channel=settings.public_channel,
            language=settings.language,
            max_upload_mb=settings.max_upload_mb,
            import_max_mb=settings.import_max_mb,
            serious_complainants=settings.serious_complainants,
            gongshi_min_workdays=settings.gongshi_min_workdays,
            evidence_dir=Path(evidence_dir).absolute(),
            hotline_limits=hotline_limits,
            hotline_throttle=(
                _typed(chosen, "hotline_throttle", MessageThrottle)
                if "hotline_throttle" in chosen
                else default_throttle
            ),
            search_limits=search_limits,
            search_throttle=(
                _typed(chosen, "search_throttle", SearchThrottle) or SearchThrottle(search_limits)
            ),
            pdf_font=settings.pdf_font,
            files=_typed(chosen, "files", FileFetcher),  # type: ignore[type-abstract]
            renewal=RenewalSettings.from_settings(settings),
            hotline=HotlineContact.from_settings(settings),
        )

    def services(self) -> dict[str, object]:
        """The replaceable parts by name: ``from_settings(..., services=deps.services())``
        makes a ``Deps`` that shares them."""
        return {name: getattr(self, name) for name in SERVICE_NAMES}


# The parts a caller may give by name; the rest follows from the settings.
SERVICE_NAMES = (
    "calendar",
    "evidence_dir",
    "files",
    "hotline_limits",
    "hotline_throttle",
    "search_limits",
    "search_throttle",
)


def _known(services: Mapping[str, object]) -> Mapping[str, object]:
    unknown = sorted(set(services) - set(SERVICE_NAMES))
    if unknown:
        raise ValueError(f"unknown services {unknown}: known are {list(SERVICE_NAMES)}")
    return services


def _typed(chosen: Mapping[str, object], name: str, kind: type[T]) -> T | None:
    """The part given under ``name``, refused unless it is a ``kind``."""
    if name not in chosen or chosen[name] is None:
        return None
    value = chosen[name]
    if kind is Path and isinstance(value, str):
        value = Path(value)
    if not isinstance(value, kind):
        raise TypeError(f"service {name!r} must be a {kind.__name__}, not {type(value).__name__}")
    return value
