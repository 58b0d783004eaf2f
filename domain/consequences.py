"""The consequences a handling opinion states, from the county plan's list (六(一)(三)(四),
七(五)), and where each one flows.

The investigator picks them with the opinion; nothing flows back from a finding but what was
picked: a confirmed lateness complaint handled with 批评教育 leaves the renewal alone. Pure.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from messages import N_

# The findings a consequence may follow: a finding not confirmed at all (不属实) has none.
WITH_CONSEQUENCES = frozenset({"属实", "部分属实"})
# 弄虚作假、套取就业专项资金 (七(五)): the responsible person and the sanction are recorded too.
FRAUD_CATEGORIES = frozenset({"fraud"})
RESPONSIBLE_MAX = 128  # characters of the responsible person's name and post
SANCTION_MAX = 500  # characters of the sanction


@dataclass(frozen=True)
class Consequence:
    """One consequence and what it does: blocks the worker's renewal, stops the post and
    social-insurance subsidies, cuts the unit's post quota, or gives the unit a task."""

    key: str
    name: str  # message id
    blocks_renewal: bool = False
    stops_subsidy: bool = False
    cuts_quota: bool = False
    unit_task: bool = False


CONSEQUENCES: tuple[Consequence, ...] = (
    Consequence("no_renewal", N_("Renewal refused"), blocks_renewal=True),
    Consequence(
        "stop_subsidy", N_("Post and social-insurance subsidies stopped"), stops_subsidy=True
    ),
    Consequence("cut_quota", N_("Post quota cut"), cuts_quota=True),
    Consequence("admonish", N_("Admonishment talk"), unit_task=True),
    Consequence("criticise", N_("Criticism and education"), unit_task=True),
    Consequence("other", N_("Other (as the opinion says)"), unit_task=True),
)
BY_KEY: dict[str, Consequence] = {c.key: c for c in CONSEQUENCES}
LIST_SEPARATOR = N_(", ")  # between the names of several consequences


def unknown(keys: Iterable[str]) -> list[str]:
    """The keys that are not consequences of the table."""
    return [key for key in keys if key not in BY_KEY]


def in_order(keys: Collection[str]) -> list[Consequence]:
    """The chosen consequences, each once, in the table's order."""
    return [c for c in CONSEQUENCES if c.key in keys]


@dataclass(frozen=True)
class Effects:
    """What a set of chosen consequences does to the result, the subsidies, the quota and the
    unit."""

    blocks_renewal: bool
    stops_subsidy: bool
    cuts_quota: bool
    unit_task: bool


def effects(keys: Collection[str]) -> Effects:
    chosen = in_order(keys)
    return Effects(
        blocks_renewal=any(c.blocks_renewal for c in chosen),
        stops_subsidy=any(c.stops_subsidy for c in chosen),
        cuts_quota=any(c.cuts_quota for c in chosen),
        unit_task=any(c.unit_task for c in chosen),
    )


def asks_consequences(*, finding: str, severity: str) -> bool:
    """Whether the opinion on this finding states consequences: a serious case's confirmed or
    partly confirmed finding (the 人社局's, which the plan gives the handling opinion)."""
    return severity == "serious" and finding in WITH_CONSEQUENCES


def asks_responsible(*, category: str, finding: str) -> bool:
    """Whether the finding must name the responsible person and the sanction (七(五))."""
    return category in FRAUD_CATEGORIES and finding in WITH_CONSEQUENCES
