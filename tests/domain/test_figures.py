"""The centre's figures on hand-made cases, with the pitfalls: a case open past its day is
late, a merged complaint is received and rated but not handled twice, a unit with few
ratings is shown and not ranked, a bounced case's time is counted, a record without a channel
is from chat."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.figures import Appeal, CaseRecord, figures, report

ZONE = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 12, day, hour, tzinfo=ZONE)


def case(n: int, **kw) -> CaseRecord:
    base = CaseRecord(
        case_id=n,
        unit="01号单位",
        office="unit",
        category="conduct",
        received_at=at(14),
        state="submitted",
        accept_due=date(2026, 12, 15),
        conclude_due=date(2026, 12, 21),
    )
    return replace(base, **kw)


def done(n: int, *, concluded: int, rating: int | None = None, **kw) -> CaseRecord:
    return case(
        n,
        state="closed",
        responded_at=at(15),
        accepted_at=at(15),
        concluded_at=at(concluded),
        closed=True,
        finding="属实",
        acted_upon=True,
        rating=rating,
        **kw,
    )


def test_open_cases_past_their_day_are_late_not_left_out():
    on_time = done(1, concluded=20)
    overdue_open = case(2, state="investigating", responded_at=at(15), accepted_at=at(15))
    fig = figures("", [on_time, overdue_open], as_of=date(2026, 12, 28))
    assert (fig.on_time.done, fig.on_time.of) == (1, 2)
    assert fig.on_time.value == 0.5
    # Before its day the open case is not yet judged.
    early = figures("", [on_time, overdue_open], as_of=date(2026, 12, 21))
    assert (early.on_time.done, early.on_time.of) == (1, 1)
    late = done(3, concluded=22)
    assert figures("", [late], as_of=date(2026, 12, 28)).on_time.value == 0


def test_response_counts_rejections_and_waiting_cases_past_their_day():
    accepted_late = case(1, state="accepted", responded_at=at(16), accepted_at=at(16))
    rejected_in_time = case(2, state="rejected", responded_at=at(15, 17))
    waiting = case(3)  # past the 15th, nobody answered
    merged_early = case(4, state="merged", merged=True)
    fig = figures(
        "", [accepted_late, rejected_in_time, waiting, merged_early], as_of=date(2026, 12, 20)
    )
    assert (fig.response.done, fig.response.of) == (1, 3)
    assert fig.received == 4


def test_resolution_is_the_substantiated_findings_acted_upon():
    acted = done(1, concluded=18)
    not_acted = replace(done(2, concluded=18), acted_upon=False, finding="部分属实")
    unfounded = replace(done(3, concluded=18), acted_upon=False, finding="不属实")
    fig = figures("", [acted, not_acted, unfounded], as_of=date(2026, 12, 28))
    assert (fig.resolved.done, fig.resolved.of) == (1, 2)


def test_ratings_follow_up_and_merged_complainants():
    target = done(1, concluded=18, rating=5)
    merged = case(2, state="merged", merged=True, closed=True, rating=2)
    unrated = done(3, concluded=18)
    fig = figures("", [target, merged, unrated], as_of=date(2026, 12, 28))
    assert (fig.ratings, fig.mean_rating) == (2, 3.5)
    assert (fig.satisfied.done, fig.satisfied.of) == (1, 2)
    assert (fig.followed_up.done, fig.followed_up.of) == (2, 3)
    # Days are the cases' own: the merged complaint's are not counted again.
    assert fig.days_to_accept == 1.0 and fig.days_to_conclude == 4.0


def test_a_unit_with_few_ratings_is_shown_and_not_ranked():
    few = [done(n, concluded=18, rating=5, unit="02号单位") for n in range(1, 3)]
    many = [done(n, concluded=18, rating=4, unit="01号单位") for n in range(10, 16)]
    result = report(
        few + many, first=date(2026, 12, 1), last=date(2026, 12, 31), today=at(28).date()
    )
    assert [u.name for u in result.units] == ["01号单位", "02号单位"]
    first, second = result.units
    assert first.ranked and not second.ranked
    assert second.ratings == 2 and second.mean_rating == 5.0


def test_a_closed_period_is_judged_when_the_report_is_drawn():
    """The pitfall: cases received in the 公示, due the day after it, still open when the
    report is drawn, are late; judged as of the period's last day they would vanish."""
    open_case = case(1, state="accepted", responded_at=at(14, 15), accepted_at=at(14, 15))
    closed = done(2, concluded=18)
    period = dict(first=date(2026, 12, 14), last=date(2026, 12, 18))
    during = report([open_case, closed], **period, today=date(2026, 12, 18))
    after = report([open_case, closed], **period, today=date(2026, 12, 28))
    assert (during.total.on_time.done, during.total.on_time.of) == (1, 1)
    assert (after.total.on_time.done, after.total.on_time.of) == (1, 2)


def test_period_channels_bounces_and_appeals():
    inside = case(1, channel="phone", returns=2, bouncing=timedelta(hours=30))
    no_channel = case(2, channel="")
    outside = case(3, received_at=at(1) - timedelta(days=40))
    appealed = replace(done(4, concluded=18), appeals=(Appeal("复查", "维持"), Appeal("复核")))
    result = report(
        [inside, no_channel, outside, appealed],
        first=date(2026, 12, 1),
        last=date(2026, 12, 31),
        today=date(2027, 1, 5),
    )
    total = result.total
    assert total.received == 3 and result.as_of == date(2027, 1, 5)
    assert total.by_channel == {"phone": 1, "chat": 2}
    assert (total.returns, total.bouncing) == (2, timedelta(hours=30))
    assert total.appeals == {"复查": 1, "复查:维持": 1, "复核": 1}
    assert [o.name for o in result.offices] == ["unit"]
