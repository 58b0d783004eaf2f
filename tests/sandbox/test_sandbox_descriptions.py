"""The bot's description and short description as the sandbox keeps them: per language,
falling back to the one set without a language, within Telegram's lengths."""

from __future__ import annotations

from sandbox_helpers import BotApi


async def test_descriptions_are_kept_per_language_with_the_default_as_fallback(tg: BotApi) -> None:
    assert await tg.ok("getMyDescription") == {"description": ""}
    assert await tg.ok("setMyDescription", description="公示通：考核结果公示")
    assert await tg.ok("setMyDescription", description="Published results", language_code="en")
    assert await tg.ok("setMyShortDescription", short_description="公益性岗位")
    assert await tg.ok("getMyDescription") == {"description": "公示通：考核结果公示"}
    assert await tg.ok("getMyDescription", language_code="en") == {
        "description": "Published results"
    }
    # No English short description: Telegram shows the default one.
    assert await tg.ok("getMyShortDescription", language_code="en") == {
        "short_description": "公益性岗位"
    }
    # An empty text removes the language's own.
    assert await tg.ok("setMyDescription", description="", language_code="en")
    assert await tg.ok("getMyDescription", language_code="en") == {
        "description": "公示通：考核结果公示"
    }


async def test_descriptions_over_telegrams_lengths_are_refused(tg: BotApi) -> None:
    status, body = await tg("setMyShortDescription", short_description="长" * 121)
    assert status == 400 and "too long" in body["description"]
    status, body = await tg("setMyDescription", description="x" * 513)
    assert status == 400
    assert await tg.ok("getMyShortDescription") == {"short_description": ""}
