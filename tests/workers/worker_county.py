"""Names shared by the workers' tests and their fixtures."""

from __future__ import annotations

UNIT_A = "城关镇人民政府"
UNIT_B = "城东街道办事处"
UNIT_A_CONTACT = 7001
UNIT_B_CONTACT = 7002
BUREAU = 7003
# key: (unit, this year's grade, renew, last year's grade or None)
PEOPLE = {
    "pass": (UNIT_A, "合格", True, "合格"),
    "basic": (UNIT_A, "基本合格", True, "合格"),
    "fail": (UNIT_A, "不合格", False, "合格"),
    "fail2": (UNIT_A, "不合格", False, "不合格"),
    "other": (UNIT_B, "合格", True, None),
}
