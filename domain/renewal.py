"""Who may renew, as the county reads 六(一), and what the renewal paperwork is.

六(一) names 合格 as the condition for renewing the post agreement, while the only consequence it
gives 基本合格 is the admonishment talk (六(四)). The reading is a county's choice, declared here
and read from ``GONGSHI_BASIC_MAY_RENEW``: by default 基本合格 may renew (with the talk); a
county that reads 六(一) strictly switches it off, and then only 合格 renews.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RenewalSettings:
    """The renewal rules a county chooses; the import, the worker's view, the paperwork and
    the subsidy export all decide with the same one."""

    # 基本合格 may renew (with the admonishment talk); False: only 合格 renews (六(一) strictly).
    basic_may_renew: bool = True

    @classmethod
    def from_settings(cls, settings: Any) -> RenewalSettings:
        """Whatever ``settings`` has of ours (``basic_may_renew``), else the defaults."""
        chosen = getattr(settings, "basic_may_renew", None)
        return cls() if chosen is None else cls(basic_may_renew=bool(chosen))
