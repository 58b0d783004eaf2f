"""人岗不符 also covers a registered worker used in another post than the registered one: the
citizen reads so when choosing, is asked for the posts, and the case goes to the 人社局."""

from __future__ import annotations

from hotline_helpers import BUREAU, INVESTIGATORS, UNIT_B_CONTACT, case_of, outbox_chats, ticket_of

from domain.complaints import BY_KEY, triage

WRONG_POST = "登记为保洁员的王五实际被安排在单位食堂做饭，保洁岗位没人干。"


def test_the_category_names_both_cases_and_is_serious():
    impostor = BY_KEY["impostor"]
    assert (impostor.severity, impostor.route) == ("serious", "investigators")
    assert "post other than the one registered" in impostor.hint
    during = triage("impostor", in_gongshi=True, complainants=1, threshold=3)
    assert (during.severity, during.route) == ("serious", "investigators")


async def test_a_worker_used_in_another_post_is_reported_as_人岗不符(chat, storage, county):
    me = chat(5011)
    await me.send(f"/start c_{county.results['王五']}")
    assert "人岗不符：实际上岗的不是登记人员，或登记人员被安排在登记岗位以外的岗位工作。" in me.last
    await me.click("人岗不符")
    assert "请写明实际上岗的是谁，或该人员实际从事什么岗位、登记的是什么岗位" in me.last
    await me.send(WRONG_POST)
    await me.click("继续")
    await me.click("匿名投诉")
    await me.click("提交投诉")
    case = await case_of(storage, ticket_of(me))
    assert (case.severity, case.route) == ("serious", "investigators")
    told = await outbox_chats(storage, case.id)
    assert set(INVESTIGATORS) <= told and BUREAU in told
    assert UNIT_B_CONTACT not in told
