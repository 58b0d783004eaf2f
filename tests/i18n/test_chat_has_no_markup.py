"""What the bot says in chat is plain text: a Markdown backtick or asterisk would be shown
literally (replies carry no parse mode), as the administrator once saw `gongshi tasks create`.
The terminal's messages (bot/) may quote a command."""

from __future__ import annotations

from test_catalogues import marked_messages

from messages.i18n import catalogue


def test_no_chat_message_shows_markdown_in_either_language():
    chinese = catalogue("zh")
    marked = [
        f"{where}: {text!r}"
        for text, where in marked_messages().items()
        if not where.startswith("bot/")
        and any("`" in said or "**" in said for said in (text, chinese.get(text, "")))
    ]
    assert marked == []
