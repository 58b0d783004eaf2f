"""The hotline's rules as data: routing table, escalation threshold, codes, evidence checks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.complaints import (
    BY_KEY,
    CATEGORIES,
    OFFICES,
    TICKET_ALPHABET,
    Matter,
    MessageThrottle,
    acceptance_due,
    check_evidence,
    matter,
    new_ticket_code,
    normalize_ticket_code,
    sniff,
    triage,
)

MB = 1024 * 1024
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_the_table_matches_the_spec():
    table = {c.key: (c.severity, c.route) for c in CATEGORIES}
    assert table == {
        "absent": ("serious", "investigators"),
        "impostor": ("serious", "investigators"),
        "fraud": ("serious", "investigators"),
        "unfair": ("medium", "bureau"),
        "conduct": ("minor", "unit"),
        "other": ("triage", "bureau"),
    }
    assert {c.route for c in CATEGORIES} <= set(OFFICES)


@pytest.mark.parametrize("key", list(BY_KEY))
def test_enough_complainants_make_any_category_serious(key):
    assert triage(key, in_gongshi=True, complainants=3, threshold=3).severity == "serious"
    below = triage(key, in_gongshi=True, complainants=2, threshold=3)
    assert below.severity == BY_KEY[key].severity
    outside = triage(key, in_gongshi=False, complainants=9, threshold=3)
    assert (outside.route, outside.general) == ("bureau", True)
    # Marked as made serious by the count, so it never goes to the unit afterwards.
    assert triage(key, in_gongshi=True, complainants=3, threshold=3).by_count
    assert not below.by_count and not outside.by_count


def test_the_same_matter_is_the_worker_else_the_unit_and_category():
    # A worker named: the worker alone, whatever the category.
    assert matter(unit_id=1, worker_id=7, category="conduct") == Matter(1, 7, None)
    assert matter(unit_id=1, worker_id=7, category="absent") == matter(
        unit_id=1, worker_id=7, category="conduct"
    )
    # Different workers of one unit, same category: different matters.
    assert matter(unit_id=1, worker_id=7, category="conduct") != matter(
        unit_id=1, worker_id=8, category="conduct"
    )
    # The unit itself: per category.
    assert matter(unit_id=1, worker_id=None, category="conduct") == Matter(1, None, "conduct")
    assert matter(unit_id=1, worker_id=None, category="conduct") != matter(
        unit_id=1, worker_id=None, category="unfair"
    )


def test_ticket_codes_avoid_look_alikes_and_do_not_repeat():
    assert not set("0O1IL") & set(TICKET_ALPHABET)
    codes = {new_ticket_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == 8 and set(c) <= set(TICKET_ALPHABET) for c in codes)


@given(st.text(alphabet=TICKET_ALPHABET, min_size=8, max_size=8))
def test_typed_codes_are_forgiven_case_and_dashes(code):
    assert normalize_ticket_code(f" {code[:4].lower()}-{code[4:]} ") == code


@pytest.mark.parametrize("typed", ["", "ABCDEFG", "ABCDEFGHJ", "ABCDEFG0", "ABCDEFGI"])
def test_impossible_codes_are_none(typed):
    assert normalize_ticket_code(typed) is None


@pytest.mark.parametrize(
    ("kind", "name", "mime", "size", "expected"),
    [
        ("photo", None, None, 3 * MB, ("image/jpeg", None)),
        ("document", "a.PDF", "application/pdf", MB, ("application/pdf", None)),
        ("document", "a.docx", None, MB, (DOCX, None)),
        ("document", "a.pdf", "application/x-msdownload", MB, (None, "type")),
        ("document", "setup.exe", "application/x-msdownload", MB, (None, "type")),
        ("document", None, "application/pdf", MB, (None, "type")),
        ("document", "a.pdf", "application/pdf", 25 * MB, (None, "size")),
        ("photo", None, None, 21 * MB, (None, "size")),
    ],
)
def test_evidence_checks(kind, name, mime, size, expected):
    found = check_evidence(kind=kind, file_name=name, mime_type=mime, size=size, max_bytes=20 * MB)
    assert found == expected


def test_sniffing_knows_the_accepted_types_and_nothing_else():
    assert sniff(b"%PDF-1.7 ...") == "application/pdf"
    assert sniff(b"\xff\xd8\xff\xe0") == "image/jpeg"
    assert sniff(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert sniff(b"PK\x03\x04....word/document.xml").endswith("wordprocessingml.document")
    assert sniff(b"PK\x03\x04....xl/workbook.xml").endswith("spreadsheetml.sheet")
    assert sniff(b"MZ\x90\x00 this program cannot be run in DOS mode") is None


def test_message_throttle_is_per_user_and_slides():
    throttle = MessageThrottle(per_minute=3)
    start = datetime(2026, 12, 16, tzinfo=UTC)
    assert [throttle.allow(1, start) for _ in range(4)] == [True, True, True, False]
    assert throttle.allow(2, start)
    assert throttle.allow(1, start + timedelta(minutes=1))


def test_acceptance_clock_in_and_out_of_gongshi():
    def plus(day: date, n: int) -> date:
        return day + timedelta(days=2 * n)  # a working week of every other day

    today = date(2026, 12, 16)
    assert acceptance_due(today, in_gongshi=True, add_workdays=plus) == date(2026, 12, 18)
    # Outside the 公示 the law's 15 days are calendar days, whatever the calendar says.
    assert acceptance_due(today, in_gongshi=False, add_workdays=plus) == date(2026, 12, 31)
