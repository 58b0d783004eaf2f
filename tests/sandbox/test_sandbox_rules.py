"""The sandbox's rule pieces on their own: HTML entities, markup checks, image sizes, buckets."""

from __future__ import annotations

import pytest
from sandbox_helpers import tiny_png

from bot.sandbox.errors import ApiError
from bot.sandbox.formatting import command_entities, parse_html, utf16_len
from bot.sandbox.limits import Limits, RateLimiter
from bot.sandbox.markup import validate_markup
from bot.sandbox.media import image_size


def test_html_entities_use_utf16_offsets() -> None:
    text, entities = parse_html(
        '😀 <b>粗<i>斜</i></b> <a href="https://t.me/gongshi_bot?start=x">链接</a>'
    )
    assert text == "😀 粗斜 链接"
    assert utf16_len("😀 ") == 3
    assert entities == [
        {"type": "bold", "offset": 3, "length": 2},
        {"type": "italic", "offset": 4, "length": 1},
        {"type": "text_link", "offset": 6, "length": 2, "url": "https://t.me/gongshi_bot?start=x"},
    ]


@pytest.mark.parametrize(
    "source", ["<div>x</div>", "<b>x", "<b>x</i>", "x</b>", "a <b", '<span class="x">y</span>']
)
def test_bad_html_is_refused(source: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_html(source)
    assert caught.value.status == 400
    assert "can't parse entities" in caught.value.description


def test_command_entity_only_for_a_leading_command() -> None:
    assert command_entities("/start@gongshi_bot inv") == [
        {"type": "bot_command", "offset": 0, "length": 18}
    ]
    assert command_entities("hello /start") == []


def test_reply_keyboard_strings_become_buttons_and_empty_markup_is_refused() -> None:
    checked = validate_markup({"keyboard": [["是", "否"]], "resize_keyboard": True}, Limits())
    assert checked == {"keyboard": [[{"text": "是"}, {"text": "否"}]], "resize_keyboard": True}
    with pytest.raises(ApiError):
        validate_markup({"keyboard": []}, Limits())
    with pytest.raises(ApiError):
        validate_markup({"something": 1}, Limits())
    too_many = {"inline_keyboard": [[{"text": "x", "callback_data": "y"}] * 101]}
    with pytest.raises(ApiError, match="too long"):
        validate_markup(too_many, Limits())


def test_image_sizes() -> None:
    assert image_size(tiny_png(7, 5)) == (7, 5)
    gif = b"GIF89a" + (9).to_bytes(2, "little") + (4).to_bytes(2, "little") + b"\x00" * 10
    assert image_size(gif) == (9, 4)
    # A minimal JPEG header with a baseline start-of-frame: 16 x 8.
    jpeg = b"\xff\xd8\xff\xc0\x00\x11\x08\x00\x08\x00\x10\x03" + b"\x00" * 12
    assert image_size(jpeg) == (16, 8)
    assert image_size(b"%PDF-1.4") is None


def test_rate_limiter_refills_over_time() -> None:
    now = [100.0]
    limiter = RateLimiter(clock=lambda: now[0])
    limits = Limits(private_per_second=1.0, private_burst=2)
    assert [limiter.check(limits, 5, "private") for _ in range(3)] == [0, 0, 1]
    now[0] += 1.0
    assert limiter.check(limits, 5, "private") == 0
    assert limiter.check(limits, 6, "private") == 0  # another chat has its own bucket
    group = Limits(group_per_minute=20, group_burst=1)
    assert limiter.check(group, -100, "supergroup") == 0
    assert limiter.check(group, -100, "supergroup") == 3  # 20 a minute: one every 3 s
    assert limiter.check(Limits(rate_limits=False), 5, "private") == 0
