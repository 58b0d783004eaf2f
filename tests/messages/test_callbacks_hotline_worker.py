"""The hotline's and the workers' buttons pack to the strings the bot has always sent (a
button already in a chat keeps working), and forged data is refused."""

from __future__ import annotations

import pytest

from messages.callbacks_hotline import ComplaintChoice, ComplaintPick, ComplaintStep, ShowContact
from messages.callbacks_worker import BindMe, BoundList, MyResult, ObjectionStep, RevokeBinding


@pytest.mark.parametrize(
    ("button", "packed"),
    [
        (ComplaintStep(action="new"), "cp:new"),
        (ComplaintStep(action="evdone"), "cp:evdone"),
        (ComplaintPick(action="units", number=2), "cp:units:2"),
        (ComplaintPick(action="worker", number=41), "cp:worker:41"),
        (ComplaintChoice(action="cat", key="absent"), "cp:cat:absent"),
        (ComplaintChoice(action="code", key="AB23CD45"), "cp:code:AB23CD45"),
        (ShowContact(action="contact", case_id=12), "hl:contact:12"),
        (BindMe(action="bind"), "wk:bind"),
        (MyResult(action="show"), "wkme:show"),
        (BoundList(action="list"), "wkb:list"),
        (RevokeBinding(action="rv", binding_id=7), "wkb:rv:7"),
        (ObjectionStep(action="send"), "wkob:send"),
    ],
)
def test_packs_as_before_and_parses_back(button, packed):
    assert button.pack() == packed
    assert type(button).parse(packed) == button


@pytest.mark.parametrize(
    ("kind", "forged"),
    [
        (ComplaintStep, "cp:new:1"),
        (ComplaintStep, "cp:delete"),
        (ComplaintPick, "cp:unit:abc"),
        (ComplaintPick, "cp:unit"),
        (ComplaintPick, "cp:cat:5"),
        (ShowContact, "hl:contact:"),
        (ShowContact, "hl:contact:3:4"),
        (RevokeBinding, "wkb:rv:x"),
        (BoundList, "wkb:list:1"),
        (ObjectionStep, "wkob:start:now"),
    ],
)
def test_forged_data_is_refused(kind, forged):
    assert kind.parse(forged) is None
