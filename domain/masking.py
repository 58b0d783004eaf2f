"""Masking personal data for anything public, and normalising mainland mobile numbers.

The public 公示 list shows names the way Chinese government notices do (张*三, 李*): enough for
colleagues and neighbours to recognise the person and complain, not enough to identify a stranger.
ID numbers and phones never appear in public; their masked forms are for officials' screens.
"""

from __future__ import annotations

import re

from domain.idnumber import to_halfwidth

MASK = "*"
NAME_DOT = "·"

# Traditional forms are listed as well: rosters from Hong Kong, Macao or Taiwan residents,
# and people whose registered name uses them.
COMPOUND_SURNAMES = frozenset(
    {
        "欧阳", "歐陽", "司马", "司馬", "上官", "诸葛", "諸葛", "东方", "東方", "皇甫",
        "尉迟", "尉遲", "公孙", "公孫", "慕容", "长孙", "長孫", "宇文", "司徒", "夏侯",
        "令狐", "澹台", "澹臺", "端木", "轩辕", "軒轅", "申屠", "钟离", "鍾離", "鐘離",
        "闻人", "聞人", "呼延", "南宫", "南宮",
    }
)  # fmt: skip

# Minority names (阿依古丽·买买提) are written with whichever dot the typist's keyboard offers;
# an ASCII full stop shows up too once a name contains Han characters.
_NAME_DOTS = re.compile("[·・•‧･．.]")
_CJK_RANGES = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x3134F),
)


def _is_han(ch: str) -> bool:
    code = ord(ch)
    return any(low <= code <= high for low, high in _CJK_RANGES)


def mask_name(name: str) -> str:
    """The name as it may appear in public.

    - Han names lose every character of the given name except, from three characters on, the
      last one: 张三 → 张*, 张小三 → 张*三, 张小小明 → 张*明. A compound surname (欧阳, 司马,
      諸葛 ...) is kept whole: 欧阳修 → 欧阳*, 欧阳小明 → 欧阳*明. Spaces inside a Han name (used to
      pad two-character names in printed lists) are ignored.
    - Names in parts joined by a middle dot keep only the first character of the first part and
      the last character of the last part, each only if that part is longer than one character;
      every other part becomes one ``*`` and the dot is written ``·``:
      阿依古丽·买买提 → 阿*·*提, 阿·买买提 → *·*提.
    - Names without Han characters keep their first character: John Smith → J***.
    - One character, or nothing, becomes ``*``.

    A name of two or more characters never comes back unchanged, unless it was already masked
    (it contains ``*`` where a character would be hidden).
    """
    text = name.strip()
    if not any(_is_han(ch) for ch in text):
        return _mask_latin(text)
    text = "".join(ch for ch in text if not ch.isspace())
    parts = [part for part in _NAME_DOTS.split(text) if part]
    if len(parts) > 1:
        return _mask_dotted(parts)
    return _mask_han(parts[0] if parts else "")


def _mask_latin(text: str) -> str:
    if len(text) <= 1:
        return MASK
    return text[0] + MASK * 3


def _mask_han(text: str) -> str:
    if len(text) <= 1:
        return MASK
    # A two-character name starting with 欧阳 is more likely the surname 欧 and given name 阳.
    compound = len(text) >= 3 and text[:2] in COMPOUND_SURNAMES
    surname = text[:2] if compound else text[:1]
    given = text[len(surname) :]
    if len(given) == 1:
        return surname + MASK
    return surname + MASK + text[-1]


def _mask_dotted(parts: list[str]) -> str:
    first, *middle, last = parts
    shown_first = first[0] + MASK if len(first) > 1 else MASK
    shown_last = MASK + last[-1] if len(last) > 1 else MASK
    return NAME_DOT.join([shown_first, *(MASK for _ in middle), shown_last])


def mask_id_number(id18: str) -> str:
    """Only the last four characters of a canonical ID number: ``**************123X``."""
    if len(id18) != 18:
        raise ValueError("expected a canonical 18-character ID number")
    return MASK * 14 + id18[-4:]


# Phone numbers ---------------------------------------------------------------------------------

REASON_PHONE_EMPTY = "The phone number is empty."
REASON_PHONE_CHARS = "A phone number may contain only digits, spaces, dashes and a +86 prefix."
REASON_PHONE_FORMAT = "This is not a mainland mobile number: 11 digits starting with 13 to 19."


class PhoneError(ValueError):
    """A phone number that cannot be accepted; ``reason`` is a message id with ``params``."""

    def __init__(self, reason: str, **params: str) -> None:
        self.reason = reason
        self.params = params
        super().__init__(reason.format(**params))


# Dashes of every width and brackets, as in "138-0013-8000" or "(+86) 138 0013 8000".
_PHONE_SEPARATORS = frozenset("-‐‑‒–—―−()（）")
_MOBILE = re.compile(r"1[3-9][0-9]{9}", re.ASCII)


def normalize_phone(text: str) -> str:
    """The 11 digits of a mainland mobile number, without separators or country code."""
    phone = "".join(
        ch for ch in to_halfwidth(text) if not ch.isspace() and ch not in _PHONE_SEPARATORS
    )
    if not phone:
        raise PhoneError(REASON_PHONE_EMPTY)
    for prefix in ("+86", "0086"):
        if phone.startswith(prefix):
            phone = phone[len(prefix) :]
            break
    else:
        # Without the plus, 86 is only a country code when it makes the number 13 digits long.
        if phone.startswith("86") and len(phone) == 13:
            phone = phone[2:]
    if not (phone.isascii() and phone.isdigit()):
        raise PhoneError(REASON_PHONE_CHARS)
    if not _MOBILE.fullmatch(phone):
        raise PhoneError(REASON_PHONE_FORMAT)
    return phone


def mask_phone(phone: str) -> str:
    """Only the last four digits of a normalised mobile number: ``*******8000``."""
    if len(phone) != 11:
        raise ValueError("expected a normalised 11-digit mobile number")
    return MASK * 7 + phone[-4:]
