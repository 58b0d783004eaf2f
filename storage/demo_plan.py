"""The demo's plan: every unit, post, person and result, decided by the seed alone.

A pure function, so other code (the chat demo) can learn a demo worker's clear ID number and phone
to bind with. The ID numbers carry valid check digits but are made up.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta, timezone

from domain.grades import Grade
from domain.idnumber import make_id_number

DEFAULT_SEED = 2026
TOTAL_POSTS = 2683
WORKERS_ON_DUTY = 2349
POST_TITLES = ("环卫", "园林绿化", "劳动保障协管", "社区保安", "保洁", "交通协管", "治安联防协管")

# The seed's city only gives totals; the split below follows how such cities staff these posts:
# street cleaning and parks take the most, offices a handful each.
_UNITS: tuple[tuple[str, int, Mapping[str, int]], ...] = (
    ("县城市管理局", 400, {"环卫": 6, "保洁": 3, "交通协管": 1}),
    ("县环境卫生管理所", 320, {"环卫": 17, "保洁": 3}),
    ("县园林绿化中心", 260, {"园林绿化": 1}),
    ("县公安局", 220, {"治安联防协管": 17, "社区保安": 3}),
    ("城关镇人民政府", 170, {"环卫": 2, "保洁": 1, "劳动保障协管": 1, "社区保安": 1}),
    ("县公安局交通警察大队", 140, {"交通协管": 1}),
    ("东城街道办事处", 120, {"社区保安": 7, "保洁": 6, "劳动保障协管": 4, "环卫": 3}),
    ("县人力资源和社会保障局", 110, {"劳动保障协管": 1}),
    ("西城街道办事处", 110, {"社区保安": 7, "保洁": 6, "劳动保障协管": 4, "环卫": 3}),
    ("县教育局", 105, {"保洁": 1, "社区保安": 1}),
    ("南城街道办事处", 95, {"社区保安": 7, "保洁": 6, "劳动保障协管": 4, "环卫": 3}),
    ("县住房和城乡建设局", 80, {"园林绿化": 1, "保洁": 1}),
    ("县交通运输局", 60, {"交通协管": 3, "保洁": 2}),
    ("东风镇人民政府", 60, {"环卫": 4, "劳动保障协管": 3, "治安联防协管": 3}),
    ("县机关事务服务中心", 55, {"保洁": 3, "社区保安": 2}),
    ("县人民医院", 50, {"保洁": 7, "社区保安": 3}),
    ("县卫生健康委员会", 45, {"保洁": 7, "社区保安": 3}),
    ("团结乡人民政府", 45, {"环卫": 4, "劳动保障协管": 3, "治安联防协管": 3}),
    ("县民政局", 40, {"保洁": 1, "社区保安": 1}),
    ("县水利局", 35, {"保洁": 3, "园林绿化": 2}),
    ("县文化体育广播电视和旅游局", 35, {"保洁": 3, "社区保安": 2}),
    ("县医疗保障局", 25, {"劳动保障协管": 1}),
    ("县自然资源局", 22, {"园林绿化": 1}),
    ("县市场监督管理局", 18, {"保洁": 1}),
    ("县司法局", 16, {"治安联防协管": 1}),
    ("县残疾人联合会", 12, {"劳动保障协管": 1}),
)

# Frequencies per 10,000 people, after the 2020 census; the compound surnames are weighted up a
# little so that a roster this size shows a few of them.
_SURNAMES: tuple[tuple[str, int], ...] = (
    ("王", 710), ("李", 700), ("张", 670), ("刘", 540), ("陈", 460), ("杨", 310), ("黄", 240),
    ("赵", 230), ("吴", 200), ("周", 190), ("徐", 150), ("孙", 150), ("马", 140), ("朱", 130),
    ("胡", 130), ("郭", 120), ("何", 120), ("林", 110), ("高", 110), ("罗", 110), ("郑", 100),
    ("梁", 90), ("谢", 80), ("宋", 80), ("唐", 80), ("许", 70), ("韩", 70), ("邓", 70),
    ("冯", 70), ("曹", 70), ("彭", 70), ("曾", 60), ("肖", 60), ("田", 60), ("董", 60),
    ("潘", 50), ("袁", 50), ("蔡", 50), ("蒋", 50), ("余", 50), ("于", 50), ("杜", 50),
    ("叶", 50), ("程", 50), ("魏", 50), ("苏", 50), ("吕", 50), ("丁", 40), ("任", 40),
    ("卢", 40), ("姚", 40), ("沈", 40), ("钟", 40), ("姜", 40), ("崔", 40), ("谭", 40),
    ("陆", 40), ("范", 30), ("汪", 30), ("廖", 30), ("石", 30), ("金", 30), ("韦", 30),
    ("贾", 30), ("夏", 30), ("付", 30), ("方", 30), ("邹", 30), ("熊", 30), ("白", 30),
    ("孟", 30), ("秦", 30), ("邱", 30), ("侯", 30), ("江", 30), ("尹", 30), ("薛", 30),
    ("闫", 30), ("段", 20), ("雷", 20), ("龙", 20), ("史", 20), ("陶", 20), ("贺", 20),
    ("毛", 20), ("郝", 20), ("顾", 20), ("龚", 20), ("邵", 20), ("万", 20), ("钱", 20),
    ("严", 20), ("武", 20), ("戴", 20), ("孔", 20), ("常", 20), ("汤", 20), ("康", 20),
    ("乔", 20), ("欧阳", 15), ("司马", 5), ("诸葛", 5), ("上官", 5),
)  # fmt: skip

# Given names follow the fashion of the year of birth: 建国 and 秀英 for the 1960s and 1970s,
# 浩然 and 欣怡 for the 1990s and 2000s. Single-character names are common in every generation.
_FASHION_CHANGES = 1985
_MALE_NAMES_OLDER = (
    "建国", "建华", "建军", "建平", "建伟", "志强", "志刚", "志明", "志勇", "志军", "国强",
    "国华", "国庆", "海涛", "海波", "永强", "永刚", "春生", "春雷", "卫东", "卫国", "红军",
    "学军", "德明", "德华", "宏伟", "立新", "立军", "新民", "振华", "金龙", "玉林", "长青",
    "成林", "保国", "胜利",
)  # fmt: skip
_MALE_NAMES_YOUNGER = (
    "晓东", "晓明", "晓峰", "俊杰", "文斌", "小龙", "鹏飞", "云飞", "浩然", "子豪", "宇航",
    "家豪", "明辉", "伟东", "亚军", "少华", "建伟", "志鹏", "宇轩", "博文", "天宇", "嘉豪",
    "俊辉", "一鸣", "思远", "泽宇", "皓轩", "晨阳",
)  # fmt: skip
_FEMALE_NAMES_OLDER = (
    "秀英", "桂英", "秀兰", "玉兰", "桂兰", "秀珍", "凤英", "玉珍", "玉梅", "丽娟", "丽华",
    "丽萍", "海燕", "海霞", "红梅", "红霞", "春梅", "春燕", "淑珍", "淑芬", "淑华", "秀梅",
    "金凤", "翠兰", "巧云", "彩霞", "艳红", "艳萍", "美玲", "素芳",
)  # fmt: skip
_FEMALE_NAMES_YOUNGER = (
    "晓燕", "晓丽", "晓红", "雪梅", "小红", "小燕", "小芳", "丽丽", "婷婷", "静静", "娟娟",
    "佳怡", "欣怡", "梦瑶", "雨欣", "思雨", "雅婷", "文静", "慧敏", "佳琪", "诗涵", "梓涵",
    "雨桐", "可馨", "欣然", "子怡",
)  # fmt: skip
_MALE_SINGLE = "伟强军磊勇涛斌杰明平刚辉鹏峰亮波超龙浩鑫宇东林华健彬飞"
_FEMALE_SINGLE = "芳丽娟敏静霞燕艳玲红英梅琴兰萍丹慧雪莉婷颖倩娜洁琳"
_SINGLE_CHAR_GIVEN_NAME = 0.3

# The seed's city is in Xinjiang: Uyghur and Kazakh names, a personal name and the father's name
# joined by a middle dot, are common on its rosters.
_MINORITY_SHARE = 0.03
_MINORITY_FEMALE = ("阿依古丽", "古丽娜尔", "热依拉", "帕提古丽", "迪丽娜尔", "卡米拉", "阿依努尔")
_MINORITY_MALE = ("买买提", "艾尔肯", "阿不都", "吐尔逊", "阿力木", "库尔班", "努尔兰", "叶尔兰")
_MINORITY_FATHER = (
    "买买提", "艾海提", "吐尔逊", "阿不都拉", "热合曼", "玉素甫", "克依木", "托合提", "努尔别克",
)  # fmt: skip

# Birthplaces: mostly the city itself and its neighbours, some from the provinces that send
# workers to Xinjiang. The codes are used only to make synthetic numbers.
_REGIONS: tuple[tuple[str, int], ...] = (
    ("652701", 70), ("652722", 10), ("652723", 5), ("654002", 3),
    ("411522", 4), ("622424", 4), ("510722", 4),
)  # fmt: skip
_BORN_FIRST = date(1966, 1, 1)
_BORN_LAST = date(2004, 12, 31)
# Many of the workers are 就业困难人员 in their forties and fifties ("4050" people).
_BORN_MODE = date(1974, 6, 1)

_MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "166", "173", "175", "176", "177", "180", "181",
    "182", "183", "185", "186", "187", "188", "189", "191", "198", "199",
)  # fmt: skip

# (合格, 基本合格, 不合格) weights, percent.
_CURRENT_GRADE_WEIGHTS = (88, 8, 4)
_PREVIOUS_GRADE_WEIGHTS = (89, 8, 3)
GRADES = (Grade.PASS, Grade.BASIC, Grade.FAIL)
# Workers hired during the current year have no result of the previous cycle.
_NEWCOMER_SHARE = 0.08
# Enough twice-failed workers that the two-fails rule shows in every demo.
_MIN_TWO_FAILS = 12
_TWO_FAILS_SHARE = 0.15

_PASS_REMARKS = ("工作认真负责，群众评价较好", "服从管理，按时完成工作任务", "全年无迟到早退")
_BASIC_REMARKS = ("工作纪律有待加强", "服务态度需改进", "请假次数较多", "偶有迟到早退")
# The reasons for 不合格 the county plan itself names.
_FAIL_REMARKS = ("经常迟到早退", "不服从管理", "不胜任工作", "病事假超过规定期限", "多次无故脱岗")
_LEAVING_REMARKS = ("本人申请不再续签", "已实现市场化就业，本人申请不再续签")

CHINA = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class DemoUnit:
    name: str
    posts: int


@dataclass(frozen=True)
class DemoPost:
    unit: int
    title: str
    holder: int | None
    """Index into ``DemoPlan.people``; None for a vacant post."""


@dataclass(frozen=True)
class DemoPerson:
    name: str
    id_number: str
    phone: str
    female: bool
    unit: int
    post_title: str


@dataclass(frozen=True)
class DemoResult:
    person: int
    grade: Grade
    renew: bool
    remark: str


@dataclass(frozen=True)
class DemoPlan:
    seed: int
    units: tuple[DemoUnit, ...]
    posts: tuple[DemoPost, ...]
    people: tuple[DemoPerson, ...]
    current: tuple[DemoResult, ...]
    previous: tuple[DemoResult, ...]

    @property
    def row_count(self) -> int:
        parts = (self.units, self.posts, self.people, self.current, self.previous)
        return sum(len(part) for part in parts)

    def two_fails(self) -> int:
        failed_before = {r.person for r in self.previous if r.grade is Grade.FAIL}
        return sum(1 for r in self.current if r.grade is Grade.FAIL and r.person in failed_before)


def build_demo_plan(seed: int = DEFAULT_SEED) -> DemoPlan:
    """Every unit, post, person and result of the demo, decided by ``seed`` alone."""
    rng = random.Random(seed)
    units = _plan_units(rng)
    posts = _plan_posts(rng, units)
    people: list[DemoPerson] = []
    used_ids: set[str] = set()
    used_phones: set[str] = set()
    for post in posts:
        if post.holder is not None:
            people.append(_plan_person(rng, post, used_ids, used_phones))
    current = tuple(
        _plan_result(rng, person, _draw_grade(rng, _CURRENT_GRADE_WEIGHTS))
        for person in range(len(people))
    )
    return DemoPlan(
        seed=seed,
        units=units,
        posts=posts,
        people=tuple(people),
        current=current,
        previous=_plan_previous(rng, current),
    )


@functools.lru_cache(maxsize=4)
def demo_plan(seed: int = DEFAULT_SEED) -> DemoPlan:
    """The plan for ``seed``, built once per process: the chat demo asks for people often."""
    return build_demo_plan(seed)


def demo_identity(seed: int, index: int) -> tuple[str, str, str]:
    """(name, ID number, phone) of the ``index``-th demo worker, in the clear, for binding."""
    person = demo_plan(seed).people[index]
    return person.name, person.id_number, person.phone


def _allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` exactly (largest remainder)."""
    whole = sum(weights)
    shares = [total * weight / whole for weight in weights]
    counts = [int(share) for share in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: counts[i] - shares[i])
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _plan_units(rng: random.Random) -> tuple[DemoUnit, ...]:
    # Jitter so that each seed gives a slightly different city, still dominated by 环卫.
    weights = [weight * rng.uniform(0.85, 1.15) for _, weight, _ in _UNITS]
    counts = _allocate(TOTAL_POSTS, weights)
    return tuple(DemoUnit(name, count) for (name, _, _), count in zip(_UNITS, counts, strict=True))


def _plan_posts(rng: random.Random, units: tuple[DemoUnit, ...]) -> tuple[DemoPost, ...]:
    vacant = set(rng.sample(range(TOTAL_POSTS), TOTAL_POSTS - WORKERS_ON_DUTY))
    posts: list[DemoPost] = []
    holders = 0
    for unit_index, (unit, (_, _, mix)) in enumerate(zip(units, _UNITS, strict=True)):
        titles = list(mix)
        for title, count in zip(titles, _allocate(unit.posts, list(mix.values())), strict=True):
            for _ in range(count):
                holder = None if len(posts) in vacant else holders
                holders += holder is not None
                posts.append(DemoPost(unit_index, title, holder))
    return tuple(posts)


def _plan_person(
    rng: random.Random, post: DemoPost, used_ids: set[str], used_phones: set[str]
) -> DemoPerson:
    female = rng.random() < 0.5
    born = _birth_date(rng)
    if rng.random() < _MINORITY_SHARE:
        name = _minority_name(rng, female)
    else:
        name = _han_name(rng, female, born)
    return DemoPerson(
        name=name,
        id_number=_unique(lambda: _id_number(rng, female, born), used_ids),
        phone=_unique(lambda: _phone(rng), used_phones),
        female=female,
        unit=post.unit,
        post_title=post.title,
    )


def _unique(draw: Callable[[], str], used: set[str]) -> str:
    value = draw()
    while value in used:
        value = draw()
    used.add(value)
    return value


def _weighted(rng: random.Random, table: Sequence[tuple[str, int]]) -> str:
    return rng.choices([value for value, _ in table], weights=[weight for _, weight in table])[0]


def _han_name(rng: random.Random, female: bool, born: date) -> str:
    surname = _weighted(rng, _SURNAMES)
    if rng.random() < _SINGLE_CHAR_GIVEN_NAME:
        return surname + rng.choice(_FEMALE_SINGLE if female else _MALE_SINGLE)
    older = born.year < _FASHION_CHANGES
    if female:
        return surname + rng.choice(_FEMALE_NAMES_OLDER if older else _FEMALE_NAMES_YOUNGER)
    return surname + rng.choice(_MALE_NAMES_OLDER if older else _MALE_NAMES_YOUNGER)


def _minority_name(rng: random.Random, female: bool) -> str:
    own = rng.choice(_MINORITY_FEMALE if female else _MINORITY_MALE)
    father = rng.choice([name for name in _MINORITY_FATHER if name != own])
    return f"{own}·{father}"


def _birth_date(rng: random.Random) -> date:
    first, last, mode = (day.toordinal() for day in (_BORN_FIRST, _BORN_LAST, _BORN_MODE))
    return date.fromordinal(round(rng.triangular(first, last, mode)))


def _id_number(rng: random.Random, female: bool, born: date) -> str:
    region = _weighted(rng, _REGIONS)
    # The sequence code's last digit is odd for men and even for women.
    sequence = rng.randrange(500) * 2 + (0 if female else 1)
    return make_id_number(region, born, sequence)


def _phone(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _draw_grade(rng: random.Random, weights: Sequence[int]) -> Grade:
    return rng.choices(GRADES, weights=weights)[0]


def _plan_result(rng: random.Random, person: int, grade: Grade) -> DemoResult:
    if grade is Grade.FAIL:
        return DemoResult(person, grade, False, rng.choice(_FAIL_REMARKS))
    leaving = rng.random() < (0.02 if grade is Grade.PASS else 0.1)
    if leaving:
        return DemoResult(person, grade, False, rng.choice(_LEAVING_REMARKS))
    if grade is Grade.BASIC:
        remark = rng.choice(_BASIC_REMARKS) if rng.random() < 0.6 else ""
    else:
        remark = rng.choice(_PASS_REMARKS) if rng.random() < 0.05 else ""
    return DemoResult(person, grade, True, remark)


def _plan_previous(rng: random.Random, current: Sequence[DemoResult]) -> tuple[DemoResult, ...]:
    failing = [r.person for r in current if r.grade is Grade.FAIL]
    wanted = max(_MIN_TWO_FAILS, round(len(failing) * _TWO_FAILS_SHARE))
    twice = set(rng.sample(failing, min(wanted, len(failing))))
    others = [r.person for r in current if r.person not in twice]
    newcomers = set(rng.sample(others, round(len(current) * _NEWCOMER_SHARE)))
    previous: list[DemoResult] = []
    for result in current:
        if result.person in newcomers:
            continue
        grade = Grade.FAIL if result.person in twice else _draw_grade(rng, _PREVIOUS_GRADE_WEIGHTS)
        previous.append(_plan_result(rng, result.person, grade))
    return tuple(previous)
