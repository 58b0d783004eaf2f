"""Every message the code marks for translation has a Simplified Chinese text with the same
fields, and the English fallback is the message id itself."""

from __future__ import annotations

import string
from pathlib import Path

from babel.messages.extract import extract_from_dir

from messages.i18n import Translator, catalogue, normalize_language

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "domain", "storage", "notices", "documents", "services", "messages")
KEYWORDS = {"t": None, "N_": None, "translate": None, "_": None}


def marked_messages() -> dict[str, str]:
    found: dict[str, str] = {}
    for package in PACKAGES:
        for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT / package,
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,
        ):
            if isinstance(message, tuple):
                message = message[0]
            if message:
                found.setdefault(message, f"{package}/{filename}:{lineno}")
    return found


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_code_marks_messages():
    assert len(marked_messages()) > 20


def test_every_marked_message_has_chinese_with_the_same_fields():
    chinese = catalogue("zh")
    missing = [
        f"{where}: {msg!r}" for msg, where in marked_messages().items() if msg not in chinese
    ]
    assert missing == []
    mismatched = [m for m in marked_messages() if fields(m) != fields(chinese[m])]
    assert mismatched == []


def test_language_choice():
    assert normalize_language("zh-hans") == "zh"
    assert normalize_language("en-US") == "en"
    assert normalize_language("ru") == "zh"
    assert normalize_language(None) == "zh"
    assert Translator("en")("Units: {n}", n=3) == "Units: 3"
    assert Translator("zh-CN")("Units: {n}", n=3) != "Units: 3"


def test_a_message_id_means_one_thing_in_every_catalogue():
    """Catalogues are merged at start-up: the same id with two translations would show one of
    them where the other was meant (a task's "open" as a 公示's)."""
    from babel.messages.pofile import read_po

    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for path in sorted((ROOT / "messages" / "locales" / "zh_CN").glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle):
                if not message.id or not isinstance(message.id, str):
                    continue
                text = message.string if isinstance(message.string, str) else ""
                earlier = seen.setdefault(message.id, (path.name, text))
                if earlier[1] != text:
                    clashes.append(f"{message.id!r}: {earlier} vs ({path.name}, {text!r})")
    assert clashes == []
