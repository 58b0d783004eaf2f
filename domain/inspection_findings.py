"""An inspection's findings (city plan 五; county plan 六, 七(五)) and what each does once the
group leader confirms it. Pure.

One rule for a worker missing from their post, wherever it is found:

- **Absent at the staff verification, without excuse** (五.4 "按空岗对待，一律除名"): the post
  is treated as vacant. The worker is struck off and their subsidies stop; the unit keeps the
  post in its quota, to fill it again, because the plan makes it a vacancy, not a misuse.
- **不在岗 (or 人岗不符) established as a finding** — an inspector's, confirmed by the group
  leader, or a complaint's, confirmed by the 人社局: the unit drew subsidies for a post nobody
  (or somebody else) filled. The subsidies stop and the quota is cut by one; the inspection
  cuts it once per worker, however many of its findings name them.
"""

from __future__ import annotations

from messages import N_

KINDS: dict[str, str] = {
    "wrong_person": N_("Wrong person in the post (人岗不符)"),
    "absent": N_("Absent from the post (不在岗)"),
    "fraud": N_("Fraud or funds obtained by deceit (弄虚作假/套取资金)"),
    "other": N_("Other problem"),
}
STATES: dict[str, str] = {
    "recorded": N_("waiting for the group leader"),
    "confirmed": N_("confirmed"),
    "dropped": N_("not confirmed"),
}
# The consequences (domain.consequences keys) a confirmed finding of each kind carries.
CONSEQUENCES: dict[str, tuple[str, ...]] = {
    "wrong_person": ("stop_subsidy", "cut_quota", "other"),
    "absent": ("stop_subsidy", "cut_quota", "other"),
    "fraud": ("stop_subsidy", "cut_quota", "other"),
    "other": ("other",),
}
# The finding a worker's result carries (domain.grades.Finding), for the subsidy export.
ON_RESULT: dict[str, str] = {"wrong_person": "人岗不符", "absent": "不在岗"}
NEEDS_WORKER = frozenset({"wrong_person", "absent"})
# 七(五): 弄虚作假、套取就业专项资金 names the person responsible, to be dealt with.
NAMES_RESPONSIBLE = frozenset({"fraud"})
RESPONSIBLE_MAX = 128
DESCRIPTION_MAX = 1000
EVIDENCE_MAX = 5


def consequences(kind: str, *, quota_already_cut: bool) -> tuple[str, ...]:
    """What a confirmed finding of ``kind`` does; the quota is cut once per worker."""
    chosen = CONSEQUENCES[kind]
    if quota_already_cut:
        return tuple(c for c in chosen if c != "cut_quota")
    return chosen
