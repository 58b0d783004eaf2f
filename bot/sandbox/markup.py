"""Reply markup as Telegram checks it: inline keyboards (callback_data 1-64 bytes, exactly one
action per button), reply keyboards (contact requests), keyboard removal and force-reply."""

from __future__ import annotations

from typing import Any

from .errors import bad_request
from .limits import Limits

_INLINE_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
MARKUP_PARSE_ERROR = "can't parse reply keyboard markup JSON object"


def validate_markup(markup: Any, limits: Limits) -> dict[str, Any] | None:
    """The markup as stored and echoed, or a 400 naming what is wrong."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request(MARKUP_PARSE_ERROR)
    if "inline_keyboard" in markup:
        return {"inline_keyboard": _inline_rows(markup["inline_keyboard"], limits)}
    if "keyboard" in markup:
        return _reply_keyboard(markup, limits)
    if markup.get("remove_keyboard") is True:
        return {"remove_keyboard": True, **_selective(markup)}
    if markup.get("force_reply") is True:
        extra = {"input_field_placeholder": markup["input_field_placeholder"]}
        return {
            "force_reply": True,
            **_selective(markup),
            **(extra if markup.get("input_field_placeholder") else {}),
        }
    raise bad_request(MARKUP_PARSE_ERROR)


def validate_inline_markup(markup: Any, limits: Limits) -> dict[str, Any] | None:
    """Edits and answers accept only an inline keyboard."""
    checked = validate_markup(markup, limits)
    if checked is not None and "inline_keyboard" not in checked:
        raise bad_request("inline keyboard expected")
    return checked


def _selective(markup: dict[str, Any]) -> dict[str, Any]:
    return {"selective": True} if markup.get("selective") else {}


def _rows(rows: Any) -> list[list[Any]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(MARKUP_PARSE_ERROR)
    return rows


def _inline_rows(rows: Any, limits: Limits) -> list[list[dict[str, Any]]]:
    checked = [[_inline_button(button, limits) for button in row] for row in _rows(rows)]
    if sum(len(row) for row in checked) > limits.max_buttons:
        raise bad_request("reply markup is too long")
    return [row for row in checked if row]


def _inline_button(button: Any, limits: Limits) -> dict[str, Any]:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(MARKUP_PARSE_ERROR)
    if not button["text"].strip():
        raise bad_request("text must be non-empty")
    actions = [name for name in _INLINE_ACTIONS if button.get(name) is not None]
    if not actions:
        raise bad_request("text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise bad_request("can't parse inline keyboard button: exactly one action expected")
    action = actions[0]
    value = button[action]
    if action == "callback_data":
        size = len(str(value).encode())
        if not isinstance(value, str) or not 1 <= size <= limits.max_callback_data_bytes:
            raise bad_request("BUTTON_DATA_INVALID")
    if action == "url" and not (
        isinstance(value, str) and value.startswith(("http://", "https://", "tg://"))
    ):
        raise bad_request(f"inline keyboard button URL '{value}' is invalid: Wrong HTTP URL")
    if action == "copy_text":
        value = {"text": value["text"]} if isinstance(value, dict) else value
    return {"text": button["text"], action: value}


def _reply_keyboard(markup: dict[str, Any], limits: Limits) -> dict[str, Any]:
    rows = []
    for row in _rows(markup["keyboard"]):
        checked_row = []
        for button in row:
            if isinstance(button, str):
                button = {"text": button}
            if not isinstance(button, dict) or not str(button.get("text", "")).strip():
                raise bad_request("keyboard button text must be non-empty")
            checked_row.append(button)
        if checked_row:
            rows.append(checked_row)
    if not rows:
        raise bad_request("keyboard must be non-empty")
    if sum(len(row) for row in rows) > limits.max_buttons:
        raise bad_request("reply markup is too long")
    flags = ("is_persistent", "resize_keyboard", "one_time_keyboard", "selective")
    kept = {name: True for name in flags if markup.get(name)}
    if markup.get("input_field_placeholder"):
        kept["input_field_placeholder"] = markup["input_field_placeholder"]
    return {"keyboard": rows, **kept}


def find_callback_button(markup: dict[str, Any] | None, data: str) -> dict[str, Any] | None:
    """The inline button on a message whose callback_data is `data`, if there is one."""
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            if button.get("callback_data") == data:
                return dict(button)
    return None
