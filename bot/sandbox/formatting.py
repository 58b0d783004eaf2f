"""Telegram's HTML parse mode: the plain text the user sees and its entities.

Strict the way Telegram is: an unsupported tag, an unclosed tag or a stray `<` is a 400, which is
how an unescaped `<` in a complainant's text would fail in production.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import bad_request

_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|lt|gt|amp|quot);")
_TAG_NAME = re.compile(r"\s*([a-zA-Z][a-zA-Z0-9-]*)")
_ATTR = re.compile(r"""\s*([a-zA-Z-]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


def utf16_len(text: str) -> int:
    """Entity offsets and lengths are in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _decode_entities(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        body = match.group(1)
        if body.startswith("#x"):
            return chr(int(body[2:], 16))
        if body.startswith("#"):
            return chr(int(body[1:]))
        return _NAMED[body]

    return _ENTITY.sub(one, text)


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """(plain text, entities) of an HTML-formatted message."""
    out: list[str] = []
    position = 0  # in UTF-16 units
    stack: list[tuple[str, dict[str, Any]]] = []
    entities: list[dict[str, Any]] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char == "<":
            offset = len(source[:i].encode())
            end = source.find(">", i)
            if end < 0:
                raise bad_request(
                    f"can't parse entities: Unclosed start tag at byte offset {offset}"
                )
            inner = source[i + 1 : end]
            if inner.startswith("/"):
                name = inner[1:].strip().lower()
                if not stack:
                    raise bad_request(
                        f"can't parse entities: Unexpected end tag at byte offset {offset}"
                    )
                open_name, entity = stack.pop()
                if name != open_name:
                    raise bad_request(
                        f"can't parse entities: Unmatched end tag at byte offset {offset}, "
                        f'expected "</{open_name}>", found "</{name}>"'
                    )
                entity["length"] = position - entity["offset"]
                if entity["length"] > 0:
                    entities.append(entity)
            else:
                stack.append(_open_tag(inner, offset, position))
            i = end + 1
            continue
        if char == "&" and (match := _ENTITY.match(source, i)):
            piece = _decode_entities(match.group(0))
            i = match.end()
        else:
            piece = char
            i += 1
        out.append(piece)
        position += utf16_len(piece)
    if stack:
        raise bad_request(
            "can't parse entities: Can't find end tag corresponding to start tag "
            f'"{stack[-1][0]}"'
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _open_tag(inner: str, offset: int, position: int) -> tuple[str, dict[str, Any]]:
    match = _TAG_NAME.match(inner)
    name = match.group(1).lower() if match else ""
    if name not in _TAGS:
        raise bad_request(
            f'can\'t parse entities: Unsupported start tag "{name}" at byte offset {offset}'
        )
    attrs = {
        m.group(1).lower(): _decode_entities(m.group(2) or m.group(3) or m.group(4) or "")
        for m in _ATTR.finditer(inner, match.end() if match else 0)
        if m.group(1)
    }
    entity: dict[str, Any] = {"type": _TAGS[name], "offset": position, "length": 0}
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise bad_request(
            f'can\'t parse entities: Unsupported start tag "span" at byte offset {offset}'
        )
    if name == "a":
        entity["url"] = attrs.get("href", "")
    elif name == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    elif name == "code" and attrs.get("class", "").startswith("language-"):
        entity["language"] = attrs["class"].removeprefix("language-")
    elif name == "tg-emoji":
        entity["custom_emoji_id"] = attrs.get("emoji-id", "")
    return name, entity


def command_entities(text: str) -> list[dict[str, Any]]:
    """The `bot_command` entity Telegram adds to a user's `/command`: python-telegram-bot's
    CommandHandler ignores a command without it."""
    match = re.match(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?", text)
    if not match:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]
