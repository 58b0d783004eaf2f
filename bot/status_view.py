"""`gongshi status` for people: the same counts as the JSON, as short labelled lines."""

from __future__ import annotations

from typing import Any

from messages.i18n import N_, Translator

GRADE_ORDER = ("合格", "基本合格", "不合格")
CYCLE_STATES = {
    "assessing": N_("assessment under way"),
    "open": N_("public notice open"),
    "closed": N_("public notice closed"),
}
CASE_STATES = {
    "submitted": N_("submitted"),
    "accepted": N_("accepted"),
    "rejected": N_("rejected"),
    "investigating": N_("investigating"),
    "concluded": N_("finding recorded"),
    "closed": N_("closed"),
    "review": N_("reopened for review"),
    "merged": N_("merged"),
}


def render_status(counts: dict[str, Any], t: Translator) -> str:
    lines = [
        t("Units: {n}", n=counts["units"]),
        t(
            "Workers: {total} ({on_duty} on duty, {removed} removed)",
            **counts["workers"],
        ),
        t("Posts: {total} ({filled} filled, {vacant} vacant)", **counts["posts"]),
    ]
    if counts["quota_cuts"]:
        cuts = ", ".join(
            t("{unit} −{cut} (quota {quota})", unit=c["unit"], cut=c["cut"], quota=c["quota"])
            for c in counts["quota_cuts"]
        )
        lines.append(t("Quota cut after a finding (人岗不符 / 不在岗): {units}", units=cuts))
    for year, cycle in counts["cycles"].items():
        grades = ", ".join(
            f"{grade} {cycle['grades'][grade]}" for grade in GRADE_ORDER if grade in cycle["grades"]
        )
        lines.append(
            t(
                "Cycle {year} ({state}): {results} results{grades}",
                year=year,
                state=t(CYCLE_STATES.get(str(cycle["state"]), "-")),
                results=cycle["results"],
                grades=f" — {grades}" if grades else "",
            )
        )
    cases = (
        ", ".join(f"{t(CASE_STATES.get(state, state))} {n}" for state, n in counts["cases"].items())
        or "0"
    )
    lines.append(t("Complaints: {n}; cases: {cases}", n=counts["complaints"], cases=cases))
    lines.append(t("Unit tasks overdue: {n}", n=counts["unit_tasks_overdue"]))
    lines.append(t("Outbox: {pending} pending, {sent} sent, {failed} failed", **counts["outbox"]))
    return "\n".join(lines)
