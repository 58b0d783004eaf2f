from __future__ import annotations

import string
from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from domain import masking
from domain.idnumber import PROVINCE_CODES, make_id_number
from domain.masking import (
    COMPOUND_SURNAMES,
    PhoneError,
    mask_id_number,
    mask_name,
    mask_phone,
    normalize_phone,
)
from messages.i18n import catalogue

han = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
# Surnames drawn from outside the compound list, so "given name" below is what follows char 0.
single_surnames = han.filter(lambda ch: all(not c.startswith(ch) for c in COMPOUND_SURNAMES))


def fields(message: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


def test_reasons_are_translated_with_the_same_fields() -> None:
    zh = catalogue("zh")
    reasons = [getattr(masking, name) for name in dir(masking) if name.startswith("REASON_")]
    assert len(reasons) == 3
    for reason in reasons:
        assert reason in zh, reason
        assert fields(zh[reason]) == fields(reason)


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张小三", "张*三"),
        ("张小小明", "张*明"),
        ("爱新觉罗溥仪", "爱*仪"),
        ("欧阳修", "欧阳*"),
        ("欧阳小明", "欧阳*明"),
        ("歐陽小明", "歐陽*明"),
        ("諸葛亮", "諸葛*"),
        ("司马相如", "司马*如"),
        ("欧阳", "欧*"),
        ("李", "*"),
        ("", "*"),
        ("   ", "*"),
        (" 王五 ", "王*"),
        ("张  三", "张*"),
        ("张\u3000三", "张*"),
        ("阿依古丽·买买提", "阿*·*提"),
        ("阿依古丽・买买提", "阿*·*提"),
        ("阿依古丽•买买提", "阿*·*提"),
        ("阿依古丽.买买提", "阿*·*提"),
        ("阿依古丽 · 买买提", "阿*·*提"),
        ("阿·买买提", "*·*提"),
        ("阿依古丽·买", "阿*·*"),
        ("阿卜杜·热合曼·买买提", "阿*·*·*提"),
        ("张三·", "张*"),
        ("John Smith", "J***"),
        ("J", "*"),
        ("Jo", "J***"),
    ],
)
def test_known_masks(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@given(st.text(min_size=2).filter(lambda s: "*" not in s))
def test_any_name_of_two_or_more_characters_is_changed(name: str) -> None:
    assume(len(name.strip()) >= 2)
    assert mask_name(name) != name.strip()
    assert "*" in mask_name(name)


@given(single_surnames, st.text(alphabet=han, min_size=1, max_size=4))
def test_given_name_never_shown_and_length_kept_up_to_three(surname: str, given_name: str) -> None:
    name = surname + given_name
    masked = mask_name(name)
    assert masked.startswith(surname)
    assert given_name not in masked[1:]
    # Only the last character of a longer given name shows; up to three characters the mask
    # keeps the name's length, so 张* and 张*三 still say "two" and "three characters".
    assert sum(ch != "*" for ch in masked) <= 2
    if len(name) <= 3:
        assert len(masked) == len(name)
    else:
        assert len(masked) == 3


@given(st.sampled_from(sorted(COMPOUND_SURNAMES)), st.text(alphabet=han, min_size=1, max_size=4))
def test_compound_surnames_are_kept_whole(surname: str, given_name: str) -> None:
    masked = mask_name(surname + given_name)
    assert masked.startswith(surname + "*")
    assert masked[len(surname) + 1 :] == ("" if len(given_name) == 1 else given_name[-1])


@given(st.lists(st.text(alphabet=han, min_size=1, max_size=5), min_size=2, max_size=4))
def test_dotted_names_show_at_most_two_characters(parts: list[str]) -> None:
    masked = mask_name("·".join(parts))
    assert masked.count("·") == len(parts) - 1
    shown = [ch for ch in masked if ch not in "*·"]
    assert len(shown) <= 2
    for segment in masked.split("·"):
        assert "*" in segment
        assert len(segment) <= 2


ids = st.builds(
    make_id_number,
    st.builds(
        lambda p, rest: p + rest,
        st.sampled_from(sorted(PROVINCE_CODES)),
        st.text(alphabet="0123456789", min_size=4, max_size=4),
    ),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)),
    st.integers(min_value=0, max_value=999),
)


def test_mask_id_number_known_value() -> None:
    assert mask_id_number("11010519491231002X") == "**************002X"


@given(ids)
def test_masked_id_shows_only_the_last_four(number: str) -> None:
    masked = mask_id_number(number)
    assert len(masked) == 18
    assert masked[:14] == "*" * 14
    assert masked[14:] == number[14:]
    assert sum(ch.isdigit() for ch in masked) <= 4


def test_mask_id_number_rejects_unnormalized() -> None:
    with pytest.raises(ValueError):
        mask_id_number("110105491231002")


@pytest.mark.parametrize(
    "typed",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "+8613800138000",
        "008613800138000",
        "8613800138000",
        "(+86) 138-0013-8000",
        "１３８００１３８０００",
        "＋８６　１３８－００１３－８０００",
        "138—0013—8000",
    ],
)
def test_phone_forms(typed: str) -> None:
    assert normalize_phone(typed) == "13800138000"


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", masking.REASON_PHONE_EMPTY),
        (" - ", masking.REASON_PHONE_EMPTY),
        ("138O0138000", masking.REASON_PHONE_CHARS),
        ("+1 415 555 0100", masking.REASON_PHONE_CHARS),
        ("12800138000", masking.REASON_PHONE_FORMAT),
        ("23800138000", masking.REASON_PHONE_FORMAT),
        ("1380013800", masking.REASON_PHONE_FORMAT),
        ("138001380001", masking.REASON_PHONE_FORMAT),
        ("010-12345678", masking.REASON_PHONE_FORMAT),
        ("86138001380", masking.REASON_PHONE_FORMAT),
    ],
)
def test_phone_rejections(typed: str, reason: str) -> None:
    with pytest.raises(PhoneError) as caught:
        normalize_phone(typed)
    assert caught.value.reason == reason
    assert str(caught.value) == reason


phones = st.builds(
    lambda second, rest: "1" + second + rest,
    st.sampled_from("3456789"),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
)


@given(phones)
def test_masked_phone_shows_only_the_last_four(phone: str) -> None:
    assert normalize_phone(phone) == phone
    masked = mask_phone(phone)
    assert masked == "*******" + phone[-4:]
    assert sum(ch.isdigit() for ch in masked) <= 4


@given(phones, st.sampled_from(["+86", "0086", "86", "+86 ", ""]), st.sampled_from([" ", "-", ""]))
def test_phone_round_trips_through_typing(phone: str, prefix: str, separator: str) -> None:
    typed = prefix + phone[:3] + separator + phone[3:7] + separator + phone[7:]
    assert normalize_phone(typed) == phone


def test_mask_phone_rejects_unnormalized() -> None:
    with pytest.raises(ValueError):
        mask_phone("+8613800138000")
