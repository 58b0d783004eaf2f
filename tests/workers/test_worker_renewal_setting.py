"""A worker graded 基本合格 reads what the county's setting makes of it: by default the
renewal with the admonishment talk, strictly (GONGSHI_BASIC_MAY_RENEW=false) no renewal."""

from __future__ import annotations

import pytest
from testsupport import make_settings
from worker_county import UNIT_A

RENEW = "续签：可续签上岗协议一年。"
NO_RENEW = "续签：不再续签上岗协议。"
TALK = "用人单位对其进行诫勉谈话"


@pytest.fixture(params=[True, False], ids=["default", "strict"])
def settings(request, sqlite_url):
    return make_settings(sqlite_url, basic_may_renew=request.param)


async def test_a_basic_pass_reads_as_the_setting_says(chat, county, issue, settings):
    codes = await issue(county.units[UNIT_A])
    me = chat(6201)
    await me.send(f"/start w_{codes[county.people['basic'].worker_id]}")
    await me.press("wkme:show")
    assert "考核等次：基本合格" in me.last
    assert TALK in me.last
    if settings.basic_may_renew:
        assert RENEW in me.last and "失业登记" not in me.last
    else:
        assert NO_RENEW in me.last and RENEW not in me.last
        assert "失业登记" in me.last
