"""A bound worker sees their grade, the renewal, what follows and by when, and the 公示."""

from __future__ import annotations

from sqlmodel import select
from worker_county import BUREAU, UNIT_A

from storage.models import Result

RENEW = "续签：可续签上岗协议一年。"
NO_RENEW = "续签：不再续签上岗协议。"
TALK = "用人单位对其进行诫勉谈话"
TERMINATE = "连续两次考核不合格，解除劳动合同。"
NON_RENEWAL = "不再签订上岗协议。"
WINDOW = "公示期为2026年12月16日（周三）至2026年12月22日（周二），目前正在公示。"


async def result_of(chat, county, issue, key: str, user_id: int, language="zh-hans") -> str:
    codes = await issue(county.units[UNIT_A])
    me = chat(user_id, language)
    await me.send(f"/start w_{codes[county.people[key].worker_id]}")
    await me.press("wkme:show")
    return me.last


async def test_pass(chat, county, issue):
    text = await result_of(chat, county, issue, "pass", 6101)
    assert "您的 2026 年度考核结果" in text
    assert "考核等次：合格" in text
    assert RENEW in text
    assert "报县就业局备案。（截止2027年1月15日（周五））" in text
    assert TALK not in text and TERMINATE not in text
    assert WINDOW in text
    assert "该结果尚未最终确定。" in text


async def test_basic_pass_means_an_admonishment_talk(chat, county, issue):
    text = await result_of(chat, county, issue, "basic", 6102)
    assert "考核等次：基本合格" in text
    assert f"{TALK}。（截止2027年1月12日（周二））" in text
    assert RENEW in text


async def test_one_fail_is_no_renewal_without_termination(chat, county, issue):
    text = await result_of(chat, county, issue, "fail", 6103)
    assert "考核等次：不合格" in text
    assert NO_RENEW in text
    assert f"{NON_RENEWAL}（截止2027年1月8日（周五））" in text
    assert "失业登记" in text
    assert TERMINATE not in text


async def test_two_fails_in_a_row_terminate_the_contract(chat, county, issue):
    text = await result_of(chat, county, issue, "fail2", 6104)
    assert "考核等次：不合格" in text
    assert TERMINATE in text
    assert NO_RENEW in text


async def test_in_english(chat, county, issue):
    text = await result_of(chat, county, issue, "fail2", 6105, language="en")
    assert "Grade: 不合格 (fail)" in text
    assert "Graded 不合格 twice in a row: the labour contract is terminated." in text


async def test_a_held_result_reads_as_not_final(chat, county, issue, storage):
    """A result held by an open serious case must not tell the worker a case exists."""
    worker_id = county.people["pass"].worker_id
    async with storage.sessions() as session, session.begin():
        result = (
            (
                await session.execute(
                    select(Result).where(Result.worker_id == worker_id).order_by(Result.cycle_id)
                )
            )
            .scalars()
            .first()
        )
        result.status = "held"
    text = await result_of(chat, county, issue, "pass", 6106)
    assert "该结果尚未最终确定。" in text
    for word in ("投诉", "举报", "案件", "held", "暂缓"):
        assert word not in text


async def test_a_citizen_cannot_see_a_result(chat, county):
    stranger = chat(6199)
    await stranger.press("wkme:show")
    assert stranger.answers[-1] == "您没有权限进行此操作。"


async def test_the_bureau_lists_and_revokes_any_unit(chat, county, issue):
    codes = await issue(county.units[UNIT_A])
    await chat(6107).send(f"/start w_{codes[county.people['basic'].worker_id]}")
    desk = chat(BUREAU)
    await desk.send("/start")
    await desk.click("已绑定的从业人员")
    revoke = [label for label in desk.buttons() if label.startswith("解除绑定：")]
    assert len(revoke) == 1
    await desk.click(revoke[0])
    assert desk.answers[-1] == "已解除绑定。"
    assert desk.last == "还没有从业人员绑定。"
