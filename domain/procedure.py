"""The assessment as the county plan prescribes it: the basis of a grade (三) and the four steps
a unit runs before its collective decision (五(一)–(四)).

三: a grade rests on six parts, 德、能、勤、绩、廉 and 综合评价, each a short text or a mark; a
不合格 names its ground from 六(一) (不服从管理 / 不胜任工作 / 经常迟到早退 / 病事假超过规定期限,
or 其他). 五: 个人述职 (every worker reports, 逐一), 谈话考核 (whom the unit chooses), 民主测评
(the leader in charge, the heads of the relevant sections, 2 to 4 of the people the worker
serves, others) and 集体研究 (a meeting, its attendees, its minutes).

Nothing here reads files or the database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from messages import N_


class ProcedureError(ValueError):
    """A refused cell or record; ``reason`` a message id with ``params``."""

    def __init__(self, reason: str, **params: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


BasisError = ProcedureError


# --- 三: the basis of a grade ---------------------------------------------------------------

BASIS_PARTS: tuple[str, ...] = ("de", "neng", "qin", "ji", "lian", "overall")
BASIS_LABELS: Mapping[str, str] = {
    "de": "德",
    "neng": "能",
    "qin": "勤",
    "ji": "绩",
    "lian": "廉",
    "overall": "综合评价",
}
FAIL_GROUND = "fail_ground"
BASIS_LIMIT = 100  # characters of one part: "a short text or a mark"

FAIL_GROUNDS: tuple[str, ...] = (
    "不服从管理",
    "不胜任工作",
    "经常迟到早退",
    "病事假超过规定期限",
    "其他",
)
_GROUND_SPELLINGS: Mapping[str, str] = {
    "不服從管理": "不服从管理",
    "不勝任工作": "不胜任工作",
    "經常遲到早退": "经常迟到早退",
    "迟到早退": "经常迟到早退",
    "病事假超过规定期限": "病事假超过规定期限",
    "病事假超過規定期限": "病事假超过规定期限",
    "病事假超期": "病事假超过规定期限",
    "其它": "其他",
    "其他原因": "其他",
}
_GROUND_SPLIT = re.compile(r"[、,，;；/／\s]+")

REASON_UNKNOWN_GROUND = N_(
    "Unknown ground “{text}”: write one or more of 不服从管理, 不胜任工作, 经常迟到早退, "
    "病事假超过规定期限, 其他, separated by 、."
)
REASON_GROUND_NOT_FAIL = N_("A ground is given only for the grade 不合格; this row is {grade}.")


def parse_fail_grounds(text: str) -> str:
    """The grounds of a 不合格 as the plan names them, joined by 、, in the plan's order."""
    found: set[str] = set()
    for part in _GROUND_SPLIT.split(unicodedata.normalize("NFKC", text).strip()):
        if not part:
            continue
        ground = part if part in FAIL_GROUNDS else _GROUND_SPELLINGS.get(part)
        if ground is None:
            raise BasisError(REASON_UNKNOWN_GROUND, text=part[:40])
        found.add(ground)
    return "、".join(ground for ground in FAIL_GROUNDS if ground in found)


@dataclass(frozen=True)
class GradeBasis:
    """The six parts (empty when not given) and the ground of a 不合格 ("" when none)."""

    parts: Mapping[str, str]
    fail_ground: str = ""

    @property
    def empty(self) -> bool:
        return not self.fail_ground and not any(self.parts.values())


# --- 五(一)–(四): the procedure -----------------------------------------------------------

REPORT, INTERVIEW, EVALUATION, MEETING = "report", "interview", "evaluation", "meeting"
STEPS: tuple[str, ...] = (REPORT, INTERVIEW, EVALUATION, MEETING)
STEP_NAMES: Mapping[str, str] = {
    REPORT: N_("个人述职 (personal reports)"),
    INTERVIEW: N_("谈话考核 (interviews)"),
    EVALUATION: N_("民主测评 (democratic evaluation)"),
    MEETING: N_("集体研究 (collective decision)"),
}

LEADER, SECTION_HEAD, SERVED, OTHER = "leader", "section_head", "served", "other"
EVALUATION_KINDS: tuple[str, ...] = (LEADER, SECTION_HEAD, SERVED, OTHER)
KIND_NAMES: Mapping[str, str] = {
    LEADER: N_("分管领导 (leader in charge)"),
    SECTION_HEAD: N_("相关科室负责人 (section heads)"),
    SERVED: N_("服务对象 (people served)"),
    OTHER: N_("其他相关人员 (others)"),
}
ATTENDEE = "attendee"
SERVED_MIN, SERVED_MAX = 2, 4
PERSON_LIMIT = 64
REASON_LIMIT = 500
MAX_PEOPLE = 200

REASON_SAME_NAME = N_(
    "{unit} has several on-duty workers named “{name}”, whom a name alone cannot tell apart: "
    "if every on-duty worker took part, record the step in the chat with “All on-duty "
    "workers”; otherwise ask the employment bureau."
)
REASON_SERVED_COUNT = N_(
    "民主测评 takes 2 to 4 of the people the workers serve; this record has {n}. "
    "Give the unit's reason for a different number, or correct the list."
)
REASON_NO_PEOPLE = N_("Name at least one person.")
REASON_TOO_MANY_PEOPLE = N_("At most {limit} people in one record.")
REASON_NO_DATE = N_("The date is missing.")
REASON_NO_MINUTES = N_("The meeting's minutes are missing: attach them as a file.")
REASON_FUTURE_DATE = N_("{date} is in the future.")


def check_people(people: Sequence[str]) -> None:
    if not people:
        raise ProcedureError(REASON_NO_PEOPLE)
    if len(people) > MAX_PEOPLE:
        raise ProcedureError(REASON_TOO_MANY_PEOPLE, limit=str(MAX_PEOPLE))


def check_evaluation(by_kind: Mapping[str, Sequence[str]], reason: str) -> None:
    """五(三): 2 to 4 of the people served, unless the unit gives its reason (各单位可以根据
    本单位实际情况确定测评人员范围)."""
    check_people([name for names in by_kind.values() for name in names])
    served = len(by_kind.get(SERVED, ()))
    if not SERVED_MIN <= served <= SERVED_MAX and not reason.strip():
        raise ProcedureError(REASON_SERVED_COUNT, n=str(served))


def check_date(held_on: date | None, today: date) -> date:
    if held_on is None:
        raise ProcedureError(REASON_NO_DATE)
    if held_on > today:
        raise ProcedureError(REASON_FUTURE_DATE, date=held_on.isoformat())
    return held_on


@dataclass(frozen=True)
class StepRecord:
    """What a unit recorded of one step: the workers (report, interview), the people by kind
    (evaluation, meeting), the date and whether the minutes are attached."""

    step: str
    held_on: date | None
    workers: frozenset[int] = frozenset()
    people: Mapping[str, Sequence[str]] = field(default_factory=dict)
    reason: str = ""
    has_minutes: bool = False


@dataclass(frozen=True)
class Gap:
    """A step missing or incomplete; ``workers`` counts on-duty workers it leaves out."""

    step: str
    workers: int = 0


def missing_steps(records: Mapping[str, StepRecord], on_duty: Collection[int]) -> list[Gap]:
    """What a unit's record lacks, in the plan's order: a step never recorded, 个人述职 that
    leaves out on-duty workers (逐一进行述职), a meeting without its minutes."""
    gaps: list[Gap] = []
    for step in STEPS:
        record = records.get(step)
        if record is None:
            gaps.append(Gap(step))
        elif step == REPORT:
            left_out = sum(1 for worker in on_duty if worker not in record.workers)
            if left_out:
                gaps.append(Gap(step, left_out))
        elif step == MEETING and not record.has_minutes:
            gaps.append(Gap(step))
    return gaps
