"""Personal information in an official's free text: found wherever it is embedded, masked in
one go, and nothing is found in the masked text again."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from domain.disclosure import find, mask_all
from domain.idnumber import make_id_number

PROSE = "经查该同志本月在岗情况良好，群众反映的问题属实部分已责令整改。，。；：（）"
HAN_NAMES = st.builds(
    lambda surname, given: surname + given,
    st.sampled_from("张王李赵刘陈杨黄吴"),
    st.text(alphabet="伟芳娜敏静丽强磊军洋勇艳杰娟涛超霞刚桂", min_size=1, max_size=2),
)
IDS = st.builds(
    lambda born, sequence: make_id_number("652701", born, sequence),
    st.dates(min_value=date(1950, 1, 1), max_value=date(2005, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
MOBILES = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
SPLIT_MOBILES = MOBILES.map(lambda p: f"{p[:3]} {p[3:7]} {p[7:]}") | MOBILES.map(
    lambda p: f"{p[:3]}-{p[3:7]}-{p[7:]}"
)
LANDLINES = st.from_regex(r"0[0-9]{3}-[1-9][0-9]{6}", fullmatch=True)
FULLWIDTH = MOBILES.map(lambda p: "".join(chr(ord(c) + 0xFEE0) for c in p))
SECRETS = IDS | MOBILES | SPLIT_MOBILES | LANDLINES | FULLWIDTH
prose = st.text(alphabet=PROSE, max_size=30)


@given(prose, SECRETS, prose)
def test_an_id_or_phone_anywhere_in_prose_is_found(before, secret, after):
    text = before + secret + after
    spans = [(f.start, f.end) for f in find(text)]
    assert (len(before), len(before) + len(secret)) in spans
    assert secret not in mask_all(text)


@given(prose, HAN_NAMES, prose)
def test_a_name_the_case_knows_is_found_and_masked(before, name, after):
    text = before + name + after
    found = find(text, names=[name])
    assert [f.text for f in found] == [name] * text.count(name)
    assert name not in mask_all(text, names=[name])


@given(st.text(alphabet=PROSE + "0123456789 -+X", max_size=80), st.lists(HAN_NAMES, max_size=3))
def test_nothing_is_found_in_masked_text(text, names):
    assert find(mask_all(text, names=names), names=names) == []


@given(st.text(alphabet=PROSE, max_size=60))
def test_prose_without_numbers_or_known_names_is_clean(text):
    assert find(text, names=["张俊杰"]) == []


def test_the_masked_forms_keep_what_the_public_may_see():
    text = "张俊杰（652701198207277925，138-1234-5678）。张三说明。"
    assert mask_all(text, names=["张俊杰", "张三", "张"]) == (
        "张*杰（**************7925，***-****-5678）。张*说明。"
    )
    # A longer number is not a phone, an order number is not an ID.
    assert find("合同编号2026121600001号，账号62220212345678901234") == []
