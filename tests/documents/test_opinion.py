"""The handling opinion: the facts, finding, opinion and dates on both copies; the complainant,
and even the complainant's label, only on the internal copy; so the ticket code, which lets
whoever holds it follow the case by /status."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest
from pdftext import pdf_text

from documents.opinion import (
    LABEL_COMPLAINANT,
    LABEL_TICKET,
    NOT_GIVEN,
    OpinionFacts,
    format_date,
    render_opinion,
)
from messages.i18n import Translator

COMPLAINANT_NAME = "李小花"
COMPLAINANT_PHONE = "13912345678"

FACTS = OpinionFacts(
    case_number="#12",
    ticket_code="GS7Q2K",
    cycle_year=2026,
    unit_name="城关镇人民政府",
    worker_masked="张*三",
    category="不在岗/吃空饷",
    severity="严重",
    summary="群众反映该岗位人员自十月起长期不在岗，仍按月领取岗位补贴。",
    received_on=date(2026, 12, 16),
    accepted_on=date(2026, 12, 17),
    concluded_on=date(2027, 1, 8),
    finding="属实",
    opinion="责令用人单位解除岗位协议，追回违规领取的岗位补贴，并对单位负责人进行诫勉谈话。",
    handled_by="县人社局就业股",
    history=[
        (date(2026, 12, 16), "收到反映"),
        (date(2026, 12, 17), "受理"),
        (date(2026, 12, 29), "核查完毕"),
    ],
    complainant=f"{COMPLAINANT_NAME} {COMPLAINANT_PHONE}",
)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("internal", [False, True])
@pytest.mark.parametrize("language", ["zh", "en"])
def test_both_copies_hold_the_finding_the_opinion_and_the_dates(internal, language):
    data = render_opinion(FACTS, internal=internal, language=language)
    assert data.startswith(b"%PDF-")
    text = squeeze(pdf_text(data))
    t = Translator(language)
    for value in (
        FACTS.case_number,
        FACTS.unit_name,
        FACTS.worker_masked,
        FACTS.category,
        FACTS.severity,
        FACTS.summary,
        FACTS.finding,
        FACTS.opinion,
        FACTS.handled_by,
        *(step for _, step in FACTS.history),
    ):
        assert squeeze(value) in text
    for day in (FACTS.received_on, FACTS.accepted_on, FACTS.concluded_on):
        assert day is not None
        assert squeeze(format_date(day, t)) in text
    for day, _ in FACTS.history:
        assert squeeze(format_date(day, t)) in text


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_public_copy_has_no_complainant_at_all(language):
    text = squeeze(pdf_text(render_opinion(FACTS, language=language)))
    assert COMPLAINANT_NAME not in text
    assert COMPLAINANT_PHONE not in text
    assert COMPLAINANT_PHONE[-4:] not in text
    assert squeeze(Translator(language)(LABEL_COMPLAINANT)) not in text


@pytest.mark.parametrize("language", ["zh", "en"])
def test_only_the_internal_copy_carries_the_ticket_code(language):
    label = squeeze(Translator(language)(LABEL_TICKET))
    public = squeeze(pdf_text(render_opinion(FACTS, language=language)))
    internal = squeeze(pdf_text(render_opinion(FACTS, internal=True, language=language)))
    assert FACTS.ticket_code is not None
    assert FACTS.ticket_code not in public and label not in public
    assert label + FACTS.ticket_code in internal


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_internal_copy_names_the_complainant(language):
    text = squeeze(pdf_text(render_opinion(FACTS, internal=True, language=language)))
    assert squeeze(Translator(language)(LABEL_COMPLAINANT)) in text
    assert COMPLAINANT_NAME in text
    assert COMPLAINANT_PHONE in text


def test_an_anonymous_complainant_is_marked_on_the_internal_copy_only():
    anonymous = replace(FACTS, complainant=None)
    t = Translator("zh")
    internal = squeeze(pdf_text(render_opinion(anonymous, internal=True)))
    public = squeeze(pdf_text(render_opinion(anonymous)))
    assert squeeze(t(LABEL_COMPLAINANT)) + squeeze(t(NOT_GIVEN)) in internal
    assert squeeze(t(LABEL_COMPLAINANT)) not in public


def test_a_case_about_a_unit_has_no_worker_line():
    about_unit = replace(FACTS, worker_masked="", cycle_year=None, accepted_on=None)
    text = squeeze(pdf_text(render_opinion(about_unit)))
    assert FACTS.worker_masked not in text
    assert "被反映人员" not in text
    assert "考核年度" not in text
    assert FACTS.unit_name in text
