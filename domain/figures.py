"""The figures a hotline centre reports, defined once, over plain case records (SPEC.md §3).

Every figure is over the complaints *received* in the period (by the day they were received, in
the county's time), judged as of ``as_of``, the day the report is drawn:

- received: every complaint, by channel (chat, phone, letter, visit; a record without one
  is from chat) and by category. A complaint merged into another (并单) is still received.
- 响应率: of the complaints that had to be answered by now (responded to, or past their
  acceptance day), the share accepted or rejected on or before that day. A complaint still
  waiting past its day is late; one still waiting within it is not counted yet; one merged
  before anybody responded was answered in the other case and is left out. A complaint taken
  without a due day (no working-day calendar for its year) counts as in time once answered.
- 按期办结率: of the accepted cases that had to be concluded by now (concluded, or past their
  conclusion day), the share concluded (finding recorded) on or before it. **A case still open
  past its day counts as late**: a rate over concluded cases alone shows 100% while cases are
  overdue. A case without a due day counts as on time when concluded.
- 解决率: of the cases found 属实 or 部分属实, the share acted upon: a serious case whose handling
  opinion decided at least one consequence, another case with its handling opinion recorded
  (storage.figures.acted_upon decides it per case).
- 满意率 and the mean rating: ratings of 4 or 5 over all ratings, and the mean, with how many
  ratings there are. Every complainant's rating counts, those of merged complaints too. A unit
  with fewer than ``MIN_RATINGS`` ratings is shown as such and not ranked.
- 回访率: of the closed complaints (merged ones once their case closed), the share whose
  complainant answered the follow-up (rated it).
- days to acceptance and to conclusion: the mean, in days, from receipt to acceptance and from
  receipt to the finding.
- returns (退单) and the time spent bouncing; appeals (复查, 复核) and their outcomes.

Pure: storage reads the records, documents draws them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from domain import desk_intake
from messages import N_

MIN_RATINGS = 5  # fewer ratings than this: shown, not ranked
SATISFIED_FROM = 4  # a rating of 4 or 5 is satisfied
SUBSTANTIATED = frozenset({"属实", "部分属实"})
DEFAULT_CHANNEL = "chat"
# The desk's channels (domain.desk_intake), and chat.
CHANNELS = ("chat", *desk_intake.CHANNELS)
CHANNEL_NAMES = {
    "chat": N_("chat"),
    "phone": N_("telephone"),
    "letter": N_("letter"),
    "visit": N_("visit"),
}


@dataclass(frozen=True)
class Appeal:
    """One appeal of a case: its level (复查 / 复核) and outcome ("" while undecided)."""

    level: str
    outcome: str = ""


@dataclass(frozen=True)
class CaseRecord:
    """One complaint as the figures read it. ``received`` is the local day it was received;
    the moments are aware datetimes; the due days are the case's clocks."""

    case_id: int
    unit: str
    office: str  # the route the case ended on: investigators, bureau, unit
    category: str
    received_at: datetime
    state: str
    channel: str = DEFAULT_CHANNEL
    accept_due: date | None = None
    conclude_due: date | None = None
    responded_at: datetime | None = None  # accepted or rejected, the first time
    accepted_at: datetime | None = None
    concluded_at: datetime | None = None  # the finding recorded, the first time
    closed: bool = False  # closed, or merged into a case now closed
    finding: str | None = None
    acted_upon: bool = False  # the handling opinion decided a consequence
    rating: int | None = None
    merged: bool = False
    returns: int = 0
    bouncing: timedelta = timedelta()
    appeals: tuple[Appeal, ...] = ()


@dataclass(frozen=True)
class Rate:
    done: int
    of: int

    @property
    def value(self) -> float | None:
        return self.done / self.of if self.of else None


@dataclass(frozen=True)
class Figures:
    """The figures of one group of records (all, one unit, one office)."""

    name: str
    received: int
    by_channel: dict[str, int]
    by_category: dict[str, int]
    response: Rate
    on_time: Rate
    resolved: Rate
    satisfied: Rate
    mean_rating: float | None
    ratings: int
    followed_up: Rate
    days_to_accept: float | None
    days_to_conclude: float | None
    returns: int
    bouncing: timedelta
    appeals: dict[str, int] = field(default_factory=dict)  # "复查" / "复查:维持" → count

    @property
    def ranked(self) -> bool:
        """Enough ratings to be compared with others."""
        return self.ratings >= MIN_RATINGS


def _local_day(moment: datetime, zone_of: datetime) -> date:
    return moment.astimezone(zone_of.tzinfo).date()


def response_rate(records: Iterable[CaseRecord], *, as_of: date) -> Rate:
    done = of = 0
    for r in records:
        if r.responded_at is None:
            if r.merged or r.accept_due is None or as_of <= r.accept_due:
                continue  # answered in the other case, or not yet due
            of += 1
            continue
        of += 1
        day = _local_day(r.responded_at, r.received_at)
        done += r.accept_due is None or day <= r.accept_due
    return Rate(done, of)


def on_time_rate(records: Iterable[CaseRecord], *, as_of: date) -> Rate:
    done = of = 0
    for r in records:
        if r.accepted_at is None:
            continue
        if r.concluded_at is None:
            if r.merged or r.conclude_due is None or as_of <= r.conclude_due:
                continue
            of += 1  # open past its day: late
            continue
        of += 1
        day = _local_day(r.concluded_at, r.received_at)
        done += r.conclude_due is None or day <= r.conclude_due
    return Rate(done, of)


def resolution_rate(records: Iterable[CaseRecord]) -> Rate:
    found = [r for r in records if r.finding in SUBSTANTIATED]
    return Rate(sum(r.acted_upon for r in found), len(found))


def satisfaction(records: Iterable[CaseRecord]) -> tuple[Rate, float | None, int]:
    ratings = [r.rating for r in records if r.rating is not None]
    satisfied = Rate(sum(rating >= SATISFIED_FROM for rating in ratings), len(ratings))
    mean = sum(ratings) / len(ratings) if ratings else None
    return satisfied, mean, len(ratings)


def follow_up_rate(records: Iterable[CaseRecord]) -> Rate:
    closed = [r for r in records if r.closed]
    return Rate(sum(r.rating is not None for r in closed), len(closed))


def _mean_days(pairs: Iterable[tuple[datetime, datetime | None]]) -> float | None:
    spans = [(end - start).total_seconds() / 86400 for start, end in pairs if end is not None]
    return round(sum(spans) / len(spans), 1) if spans else None


def appeal_counts(records: Iterable[CaseRecord]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for r in records:
        for appeal in r.appeals:
            counts[appeal.level] += 1
            if appeal.outcome:
                counts[f"{appeal.level}:{appeal.outcome}"] += 1
    return dict(counts)


def figures(name: str, records: Sequence[CaseRecord], *, as_of: date) -> Figures:
    satisfied, mean, ratings = satisfaction(records)
    # A merged complaint's case is handled in the other: its days are not counted twice.
    own = [r for r in records if not r.merged]
    return Figures(
        name=name,
        received=len(records),
        by_channel=dict(Counter(r.channel or DEFAULT_CHANNEL for r in records)),
        by_category=dict(Counter(r.category for r in records)),
        response=response_rate(records, as_of=as_of),
        on_time=on_time_rate(records, as_of=as_of),
        resolved=resolution_rate(own),
        satisfied=satisfied,
        mean_rating=round(mean, 2) if mean is not None else None,
        ratings=ratings,
        followed_up=follow_up_rate(records),
        days_to_accept=_mean_days((r.received_at, r.accepted_at) for r in own),
        days_to_conclude=_mean_days((r.received_at, r.concluded_at) for r in own),
        returns=sum(r.returns for r in records),
        bouncing=sum((r.bouncing for r in records), timedelta()),
        appeals=appeal_counts(records),
    )


def in_period(records: Iterable[CaseRecord], first: date, last: date) -> list[CaseRecord]:
    return [r for r in records if first <= r.received_at.date() <= last]


def grouped(
    records: Sequence[CaseRecord], key: Callable[[CaseRecord], str], *, as_of: date
) -> list[Figures]:
    """Figures per group, ranked by satisfaction where there are enough ratings (the rest after,
    by name): a unit with two ratings of 5 is not ahead of one with forty ratings averaging 4.6."""
    groups: dict[str, list[CaseRecord]] = {}
    for record in records:
        groups.setdefault(key(record), []).append(record)
    found = [figures(name, rows, as_of=as_of) for name, rows in groups.items()]
    return sorted(
        found,
        key=lambda f: (
            not f.ranked,
            -(f.satisfied.value or 0) if f.ranked else 0,
            -(f.mean_rating or 0) if f.ranked else 0,
            f.name,
        ),
    )


@dataclass(frozen=True)
class Report:
    first: date
    last: date
    as_of: date
    total: Figures
    units: list[Figures]
    offices: list[Figures]


def report(records: Sequence[CaseRecord], *, first: date, last: date, today: date) -> Report:
    """The period's figures: all, per unit, per office."""
    chosen = in_period(records, first, last)
    # Judged as of the report, not as of the period's end: a case received in the period and
    # still open past its day when the report is drawn is late.
    as_of = today
    return Report(
        first=first,
        last=last,
        as_of=as_of,
        total=figures("", chosen, as_of=as_of),
        units=grouped(chosen, lambda r: r.unit, as_of=as_of),
        offices=grouped(chosen, lambda r: r.office, as_of=as_of),
    )
