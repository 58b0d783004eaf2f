"""The consequences of a handling opinion, as data: the plan's six, what each does, and the
buttons that pick them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain import consequences as handling
from messages.callbacks_findings import CONSEQUENCE_KEYS, ConsequencePick, confirm, toggle
from messages.i18n import translate


def test_the_plans_list_in_its_own_words():
    assert [translate(c.name, "zh") for c in handling.CONSEQUENCES] == [
        "不予续签",
        "停发岗位补贴和社保补贴",
        "核减公益性岗位指标",
        "诫勉谈话",
        "批评教育",
        "其他（见处理意见）",
    ]


def test_the_buttons_know_every_consequence_and_no_other():
    assert tuple(c.key for c in handling.CONSEQUENCES) == CONSEQUENCE_KEYS
    assert ConsequencePick.parse(toggle(12, "cut_quota")) == ConsequencePick(12, "cut_quota")
    assert ConsequencePick.parse(confirm(12)) == ConsequencePick(12, "ok")
    assert ConsequencePick.parse("cq:12:dismiss") is None


def test_criticism_alone_flows_only_to_the_unit():
    assert handling.effects(["criticise"]) == handling.Effects(
        blocks_renewal=False, stops_subsidy=False, cuts_quota=False, unit_task=True
    )
    assert handling.effects(["no_renewal"]) == handling.Effects(
        blocks_renewal=True, stops_subsidy=False, cuts_quota=False, unit_task=False
    )
    assert handling.effects([]) == handling.Effects(False, False, False, False)


@given(st.lists(st.sampled_from([c.key for c in handling.CONSEQUENCES])))
def test_each_effect_comes_from_a_consequence_that_has_it(keys):
    chosen = handling.in_order(keys)
    assert [c.key for c in chosen] == sorted(set(keys), key=list(handling.BY_KEY).index)
    effects = handling.effects(keys)
    assert effects.blocks_renewal == ("no_renewal" in keys)
    assert effects.stops_subsidy == ("stop_subsidy" in keys)
    assert effects.cuts_quota == ("cut_quota" in keys)
    assert effects.unit_task == bool({"admonish", "criticise", "other"} & set(keys))


def test_which_findings_carry_consequences_and_a_responsible_person():
    assert handling.asks_consequences(finding="属实", severity="serious")
    assert handling.asks_consequences(finding="部分属实", severity="serious")
    assert not handling.asks_consequences(finding="不属实", severity="serious")
    assert not handling.asks_consequences(finding="属实", severity="minor")
    assert handling.asks_responsible(category="fraud", finding="属实")
    assert not handling.asks_responsible(category="fraud", finding="不属实")
    assert not handling.asks_responsible(category="absent", finding="属实")
    assert handling.unknown(["criticise", "dismiss"]) == ["dismiss"]
