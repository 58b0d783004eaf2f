from __future__ import annotations

import re
import string
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import idnumber
from domain.idnumber import (
    PROVINCE_CODES,
    IdNumberError,
    birth_date,
    check_digit,
    is_female,
    make_id_number,
    normalize_id_number,
)
from messages.i18n import catalogue

# Check characters worked out by hand from the weights and the 10X98765432 table:
# 11010519491231002X (GB 11643's example): sum 167, 167 mod 11 = 2 -> X.
# 440524188001010014: sum 195, 195 mod 11 = 8 -> 4.
# 370202199506183421: sum 330, 330 mod 11 = 0 -> 1.
STANDARD_EXAMPLE = "11010519491231002X"
OLD_EXAMPLE = "440524188001010014"
FEMALE_EXAMPLE = "370202199506183421"

regions = st.builds(
    lambda province, rest: province + rest,
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.text(alphabet="0123456789", min_size=4, max_size=4),
)
valid_ids = st.builds(
    make_id_number,
    regions,
    st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)),
    st.integers(min_value=0, max_value=999),
)


def fields(message: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


def test_reasons_are_translated_with_the_same_fields() -> None:
    zh = catalogue("zh")
    reasons = [getattr(idnumber, name) for name in dir(idnumber) if name.startswith("REASON_")]
    assert len(reasons) >= 10
    for reason in reasons:
        assert reason in zh, reason
        assert fields(zh[reason]) == fields(reason)


@pytest.mark.parametrize(
    ("first17", "check"),
    [("11010519491231002", "X"), ("44052418800101001", "4"), ("37020219950618342", "1")],
)
def test_check_digit_known_values(first17: str, check: str) -> None:
    assert check_digit(first17) == check


@given(st.text(alphabet=string.digits, min_size=17, max_size=17), st.sampled_from("0123456789X"))
def test_numbers_are_checked_with_the_standards_weighted_sum(first17: str, last: str) -> None:
    # The check of a number read (in one step, idnumber._check_of) agrees with check_digit,
    # which sums GB 11643's weights digit by digit.
    assert idnumber._check_of(first17 + last) == check_digit(first17)


@pytest.mark.parametrize("bad", ["", "1101051949123100", "110105194912310021", "1101051949123100a"])
def test_check_digit_needs_17_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        check_digit(bad)


def test_standard_example_is_valid() -> None:
    assert normalize_id_number(STANDARD_EXAMPLE) == STANDARD_EXAMPLE
    assert birth_date(STANDARD_EXAMPLE) == date(1949, 12, 31)
    assert is_female(STANDARD_EXAMPLE) is True  # sequence 002


def test_female_and_male() -> None:
    assert normalize_id_number(FEMALE_EXAMPLE) == FEMALE_EXAMPLE
    assert is_female(FEMALE_EXAMPLE)
    male = make_id_number("370202", date(1995, 6, 18), 341)
    assert not is_female(male)


def test_checksum_valid_number_born_before_1900_is_rejected() -> None:
    # The checksum is right, but nobody born in 1880 is on a roster.
    with pytest.raises(IdNumberError) as caught:
        normalize_id_number(OLD_EXAMPLE)
    assert caught.value.reason == idnumber.REASON_BIRTH_TOO_EARLY


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", idnumber.REASON_EMPTY),
        ("  \u3000 ", idnumber.REASON_EMPTY),
        ("110105491231002", idnumber.REASON_OLD_15),
        ("1.10105E+17", idnumber.REASON_SPREADSHEET),
        ("1.10105194912310E+17", idnumber.REASON_SPREADSHEET),
        ("11010519491231002", idnumber.REASON_LENGTH),
        ("11010519491231002X1", idnumber.REASON_LENGTH),
        ("1101051949123100XX", idnumber.REASON_CHARS),
        ("11010519491231002Y", idnumber.REASON_CHARS),
        ("X10105194912310021", idnumber.REASON_CHARS),
        ("00010519491231002X", idnumber.REASON_REGION),
        ("99010519491231002X", idnumber.REASON_REGION),
        ("110105194902300021", idnumber.REASON_BIRTH_DATE),
        ("110105194913010021", idnumber.REASON_BIRTH_DATE),
        ("110105194912310021", idnumber.REASON_CHECKSUM),
        ("110105194912310020", idnumber.REASON_CHECKSUM),
    ],
)
def test_rejections(text: str, reason: str) -> None:
    with pytest.raises(IdNumberError) as caught:
        normalize_id_number(text)
    assert caught.value.reason == reason
    assert str(caught.value) == reason.format(**caught.value.params)


def test_length_reason_says_the_length() -> None:
    with pytest.raises(IdNumberError) as caught:
        normalize_id_number("1234567")
    assert caught.value.params == {"length": "7"}
    assert "7" in str(caught.value)


def test_error_never_quotes_the_number() -> None:
    with pytest.raises(IdNumberError) as caught:
        normalize_id_number("110105194912310021")
    assert "1949" not in str(caught.value)


def test_future_birth_date_needs_today() -> None:
    future = make_id_number("110105", date(2030, 5, 1), 1)
    assert normalize_id_number(future) == future
    assert normalize_id_number(future, today=date(2030, 5, 1)) == future
    with pytest.raises(IdNumberError) as caught:
        normalize_id_number(future, today=date(2030, 4, 30))
    assert caught.value.reason == idnumber.REASON_BIRTH_FUTURE


@pytest.mark.parametrize(
    "typed",
    [
        "11010519491231002x",
        " 110105 19491231 002X ",
        "110105\u300019491231\u3000002X",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５１９４９１２３１００２ｘ",
        "\ufeff11010519491231002X\u200b",
        "\t11010519491231002X\n",
    ],
)
def test_forgiven_typing(typed: str) -> None:
    assert normalize_id_number(typed) == STANDARD_EXAMPLE


def test_lower_case_x_only_at_the_end() -> None:
    with pytest.raises(IdNumberError):
        normalize_id_number("x1010519491231002X")


def test_other_unicode_digits_are_not_digits() -> None:
    # Arabic-Indic digits pass str.isdigit() but are not ID number characters.
    with pytest.raises(IdNumberError) as caught:
        normalize_id_number("11010519491231002\u0661")
    assert caught.value.reason == idnumber.REASON_CHARS


@pytest.mark.parametrize(
    ("region", "born", "sequence"),
    [
        ("11010", date(1990, 1, 1), 1),
        ("1101051", date(1990, 1, 1), 1),
        ("000000", date(1990, 1, 1), 1),
        ("11010a", date(1990, 1, 1), 1),
        ("110105", date(1899, 12, 31), 1),
        ("110105", date(1990, 1, 1), -1),
        ("110105", date(1990, 1, 1), 1000),
    ],
)
def test_make_id_number_rejects_bad_parts(region: str, born: date, sequence: int) -> None:
    with pytest.raises(ValueError):
        make_id_number(region, born, sequence)


@pytest.mark.parametrize("bad", ["11010519491231002x", "110105194912310", ""])
def test_accessors_need_canonical_numbers(bad: str) -> None:
    with pytest.raises(ValueError):
        birth_date(bad)
    with pytest.raises(ValueError):
        is_female(bad)


@given(
    regions,
    st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
def test_made_numbers_round_trip(region: str, born: date, sequence: int) -> None:
    number = make_id_number(region, born, sequence)
    assert len(number) == 18
    assert number[:6] == region
    assert normalize_id_number(number, today=date(2025, 12, 31)) == number
    assert birth_date(number) == born
    assert is_female(number) == (sequence % 2 == 0)


@given(valid_ids, st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_any_single_digit_change_is_caught(number: str, position: int, shift: int) -> None:
    digit = str((int(number[position]) + shift) % 10)
    changed = number[:position] + digit + number[position + 1 :]
    assert changed != number
    with pytest.raises(IdNumberError) as caught:
        normalize_id_number(changed)
    assert caught.value.reason in {
        idnumber.REASON_CHECKSUM,
        idnumber.REASON_BIRTH_DATE,
        idnumber.REASON_BIRTH_TOO_EARLY,
        idnumber.REASON_REGION,
    }


@given(valid_ids, st.data())
def test_full_width_and_spaced_input_normalizes(number: str, data: st.DataObject) -> None:
    wide = "".join(chr(ord(ch) + 0xFEE0) for ch in number.lower())
    spaces = st.sampled_from([" ", "\u3000", "\t", ""])
    typed = "".join(ch + data.draw(spaces) for ch in wide)
    assert normalize_id_number(typed) == number


@given(st.text(max_size=30))
def test_arbitrary_text_is_rejected_or_canonical(text: str) -> None:
    try:
        number = normalize_id_number(text)
    except IdNumberError as error:
        assert error.reason in {
            getattr(idnumber, name) for name in dir(idnumber) if name.startswith("REASON_")
        }
    else:
        assert len(number) == 18
        assert check_digit(number[:17]) == number[17]


# The shortcut for clean input -------------------------------------------------------------------


def reference_normalize(text: str, *, today: date | None = None) -> str:
    """normalize_id_number as first written, one step at a time for every input: the oracle for
    the shortcut that skips the clean-up when the text is already 17 digits and a digit or X."""
    number = "".join(
        ch
        for ch in idnumber.to_halfwidth(text)
        if not ch.isspace() and ch not in "\u200b\u200c\u200d\u2060\ufeff"
    )
    if not number:
        raise IdNumberError(idnumber.REASON_EMPTY)
    if re.fullmatch(r"[0-9](\.[0-9]+)?E\+?[0-9]+", number, re.ASCII | re.IGNORECASE):
        raise IdNumberError(idnumber.REASON_SPREADSHEET)
    if len(number) == 15 and number.isascii() and number.isdigit():
        raise IdNumberError(idnumber.REASON_OLD_15)
    if len(number) != 18:
        raise IdNumberError(idnumber.REASON_LENGTH, length=str(len(number)))
    if number.endswith("x"):
        number = number[:-1] + "X"
    if not re.fullmatch(r"[0-9]{17}[0-9X]", number, re.ASCII):
        raise IdNumberError(idnumber.REASON_CHARS)
    if number[:2] not in PROVINCE_CODES:
        raise IdNumberError(idnumber.REASON_REGION, code=number[:2])
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError(idnumber.REASON_BIRTH_DATE) from None
    if born.year < 1900:
        raise IdNumberError(idnumber.REASON_BIRTH_TOO_EARLY)
    if today is not None and born > today:
        raise IdNumberError(idnumber.REASON_BIRTH_FUTURE)
    total = sum(
        int(digit) * weight for digit, weight in zip(number[:17], idnumber.WEIGHTS, strict=True)
    )
    if "10X98765432"[total % 11] != number[17]:
        raise IdNumberError(idnumber.REASON_CHECKSUM)
    return number


def outcome(normalize, text: str, today: date | None) -> tuple[str, object]:
    try:
        return "ok", normalize(text, today=today)
    except IdNumberError as error:
        return error.reason, error.params


def mutated(number: str, data: st.DataObject) -> str:
    """A valid number with one or two characters changed, or one cut or added: mostly input
    the shortcut takes, wrong in every way it has to catch."""
    chars = list(number)
    for _ in range(data.draw(st.integers(min_value=1, max_value=2))):
        position = data.draw(st.integers(min_value=0, max_value=len(chars) - 1))
        chars[position] = data.draw(st.sampled_from("0123456789Xx \u3000０Ｘ٣²"))
    text = "".join(chars)
    change = data.draw(st.sampled_from(["keep", "cut", "add"]))
    if change == "cut":
        return text[:-1]
    if change == "add":
        return text + data.draw(st.sampled_from("0X "))
    return text


id_like_texts = st.one_of(
    valid_ids,
    valid_ids.map(str.lower),
    st.text(alphabet="0123456789Xx", min_size=17, max_size=19),
    st.from_regex(r"[1-9][0-9]{5}(18|19|20|99|00)[0-9]{2}[0-3][0-9][0-3][0-9][0-9]{3}[0-9Xx]",
                  fullmatch=True),
    st.text(max_size=20),
)  # fmt: skip
todays = st.one_of(st.none(), st.dates(min_value=date(1890, 1, 1), max_value=date(2100, 1, 1)))


@settings(max_examples=500)
@given(id_like_texts, todays)
def test_the_shortcut_agrees_with_the_step_by_step_check(text: str, today: date | None) -> None:
    assert outcome(normalize_id_number, text, today) == outcome(reference_normalize, text, today)


@settings(max_examples=300)
@given(valid_ids, todays, st.data())
def test_the_shortcut_agrees_on_nearly_valid_numbers(
    number: str, today: date | None, data: st.DataObject
) -> None:
    text = mutated(number, data)
    assert outcome(normalize_id_number, text, today) == outcome(reference_normalize, text, today)
