"""How a worker was recruited and whether they were eligible (the city plan's 三, 人员招录情况).
Pure.

A public-welfare post is for a person with employment difficulty (就业困难人员, the county plan's
六(一) "符合公益性岗位人员条件"), filled by open recruitment (公开招聘) or by placement of
such a person (托底安置). The roster may say, per worker, the method (招录方式), the category
of 就业困难人员 that made them eligible (人员类别 / 认定依据) and whether they were found
eligible (是否符合条件). The inspector checks each newcomer of the year against these; one
missing them, or marked not eligible, is flagged.

Rules: each column is optional and an empty cell says nothing (what is on record stays); a
category implies eligible unless the sheet says 否; 是 without a category is refused, since the
inspector needs the ground of the eligibility, not a bare yes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import NamedTuple

from messages import N_

# Column keys of the roster sheet (domain.sheet reads them).
METHOD = "recruited_by"
CATEGORY = "hardship"
ELIGIBLE = "eligible"
COLUMNS = (METHOD, CATEGORY, ELIGIBLE)
LABELS: Mapping[str, str] = {METHOD: "招录方式", CATEGORY: "人员类别", ELIGIBLE: "是否符合条件"}
ALIASES: Mapping[str, tuple[str, ...]] = {
    METHOD: (
        "招录方式", "招聘方式", "录用方式", "招录途径", "上岗方式", "安置方式",
        "招錄方式", "招聘方式", "錄用方式", "招錄途徑", "上崗方式", "安置方式",
        "recruitment", "recruited by", "recruitment method",
    ),
    CATEGORY: (
        "就业困难人员类别", "困难人员类别", "就业困难类别", "认定类别", "认定依据", "人员类型",
        "就業困難人員類別", "困難人員類別", "就業困難類別", "認定類別", "認定依據", "人員類型",
        "category", "hardship", "hardship category", "eligibility ground",
    ),
    ELIGIBLE: (
        "是否符合条件", "符合条件", "是否符合", "资格审核", "资格审查", "是否符合公益性岗位条件",
        "是否符合條件", "符合條件", "資格審核", "資格審查",
        "eligible", "eligibility",
    ),
}  # fmt: skip
# On a roster, 人员类别 is the worker's category; on a procedure sheet the same words name a
# participant's role there (domain.sheet's ROLE), so this alias is the roster's only.
ROSTER_ONLY_ALIASES: Mapping[str, str] = {"人员类别": CATEGORY, "人員類別": CATEGORY}

METHODS: dict[str, str] = {
    "open": N_("open recruitment (公开招聘)"),
    "placement": N_("placement (托底安置)"),
    "other": N_("other method"),
}
_METHOD_WORDS: dict[str, str] = {
    "公开招聘": "open", "公开招录": "open", "公开招考": "open", "招聘": "open", "公招": "open",
    "公開招聘": "open", "公開招錄": "open", "公開招考": "open", "open": "open",
    "托底安置": "placement", "兜底安置": "placement", "托底": "placement", "安置": "placement",
    "托底安排": "placement", "placement": "placement",
    "其他": "other", "其它": "other", "other": "other",
}  # fmt: skip

# The categories of 就业困难人员 a county recognises (the common list of the provinces'
# 就业困难人员认定办法), and 其他 for one the county adds.
CATEGORIES: dict[str, str] = {
    "older": N_("older unemployed (“4050”)"),
    "disabled": N_("person with a disability"),
    "zero_job_family": N_("zero-employment family"),
    "low_income": N_("family on minimum living allowance (低保)"),
    "long_unemployed": N_("unemployed for a year or more"),
    "landless": N_("farmer who lost their land"),
    "poverty": N_("lifted out of poverty (脱贫人口)"),
    "graduate": N_("graduate not yet employed"),
    "other": N_("other employment difficulty"),
}
_CATEGORY_WORDS: dict[str, str] = {
    "大龄失业人员": "older", "大龄": "older", "4050": "older", "4050人员": "older",
    "大齡失業人員": "older", "大齡": "older",
    "残疾人": "disabled", "残疾": "disabled", "殘疾人": "disabled", "殘疾": "disabled",
    "零就业家庭": "zero_job_family", "零就业家庭成员": "zero_job_family",
    "零就業家庭": "zero_job_family", "零就業家庭成員": "zero_job_family",
    "低保": "low_income", "低保家庭": "low_income", "低保家庭成员": "low_income",
    "低保人员": "low_income", "低保家庭成員": "low_income", "低保人員": "low_income",
    "长期失业人员": "long_unemployed", "长期失业": "long_unemployed",
    "连续失业一年以上": "long_unemployed", "長期失業人員": "long_unemployed",
    "長期失業": "long_unemployed", "連續失業一年以上": "long_unemployed",
    "失地农民": "landless", "被征地农民": "landless", "失地農民": "landless",
    "被徵地農民": "landless",
    "脱贫人口": "poverty", "建档立卡贫困人员": "poverty", "建档立卡": "poverty",
    "脫貧人口": "poverty", "建檔立卡": "poverty",
    "离校未就业高校毕业生": "graduate", "高校毕业生": "graduate",
    "離校未就業高校畢業生": "graduate", "高校畢業生": "graduate",
    "其他": "other", "其它": "other", "其他就业困难人员": "other", "其他就業困難人員": "other",
    "other": "other",
}  # fmt: skip
_YES = frozenset({"是", "符合", "符合条件", "符合條件", "√", "✓", "y", "yes", "true", "1"})
_NO = frozenset({"否", "不符合", "不符合条件", "不符合條件", "×", "✗", "n", "no", "false", "0"})

REASON_METHOD = N_("Unknown recruitment method “{text}”: write 公开招聘, 托底安置 or 其他.")
REASON_CATEGORY = N_(
    "Unknown category “{text}”: write one of 大龄失业人员, 残疾人, 零就业家庭成员, 低保家庭成员, "
    "长期失业人员, 失地农民, 脱贫人口, 离校未就业高校毕业生 or 其他."
)
REASON_ELIGIBLE = N_("“{text}” is not 是 or 否.")
REASON_ELIGIBLE_WITHOUT_CATEGORY = N_(
    "符合条件 needs its ground: write the worker's category in the column 人员类别."
)


class Recruitment(NamedTuple):
    """What the roster says: method and category keys, eligibility; None where it says nothing."""

    method: str | None = None
    category: str | None = None
    eligible: bool | None = None

    @classmethod
    def stored(cls, method: str | None, category: str | None, eligible: object) -> Recruitment:
        """As a worker's row holds it: eligibility may come back as 0 or 1 (SQLite)."""
        return cls(method, category, None if eligible is None else bool(eligible))


def _key(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if not ch.isspace() and ch not in '“”"()（）')


def check_recruitment(
    method: str, category: str, eligible: str
) -> tuple[Recruitment, list[tuple[str, str, dict[str, str]]]]:
    """The three cells read: the values, and each problem as (column, reason, params)."""
    problems: list[tuple[str, str, dict[str, str]]] = []
    method_key = category_key = None
    is_eligible: bool | None = None
    if method.strip():
        method_key = _METHOD_WORDS.get(_key(method))
        if method_key is None:
            problems.append((METHOD, REASON_METHOD, {"text": method.strip()[:20]}))
    if category.strip():
        category_key = _CATEGORY_WORDS.get(_key(category))
        if category_key is None:
            problems.append((CATEGORY, REASON_CATEGORY, {"text": category.strip()[:20]}))
    word = _key(eligible)
    if word in _YES:
        is_eligible = True
        if not category.strip():
            problems.append((ELIGIBLE, REASON_ELIGIBLE_WITHOUT_CATEGORY, {}))
    elif word in _NO:
        is_eligible = False
    elif word:
        problems.append((ELIGIBLE, REASON_ELIGIBLE, {"text": eligible.strip()[:20]}))
    elif category_key is not None:
        is_eligible = True  # a category of 就业困难人员 is what makes a worker eligible
    return Recruitment(method_key, category_key, is_eligible), problems


def merged(new: Recruitment, now: Recruitment) -> Recruitment:
    """What is on record after a roster row: each empty cell keeps what was there."""
    return Recruitment(
        new.method if new.method is not None else now.method,
        new.category if new.category is not None else now.category,
        new.eligible if new.eligible is not None else now.eligible,
    )


def flagged(recruitment: Recruitment) -> bool:
    """A newcomer the inspector must look at: the method or the eligibility unknown, or not
    eligible."""
    return recruitment.method is None or recruitment.eligible is not True
