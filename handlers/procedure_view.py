"""How the basis of a grade (三) reads in the worker's own view; nothing public shows it."""

from __future__ import annotations

from domain.procedure import BASIS_LABELS, BASIS_PARTS, GradeBasis
from messages.i18n import N_, Translator

BASIS_HEAD = N_("Basis of the grade: {parts}")
BASIS_PART = N_("{part}: {text}")
FAIL_GROUND_LINE = N_("Ground for 不合格: {ground}")


def basis_lines(t: Translator, basis: GradeBasis | None) -> list[str]:
    if basis is None:
        return []
    lines: list[str] = []
    parts = [
        t(BASIS_PART, part=BASIS_LABELS[part], text=basis.parts[part])
        for part in BASIS_PARTS
        if basis.parts.get(part)
    ]
    if parts:
        lines.append(t(BASIS_HEAD, parts=("；" if t.language == "zh" else "; ").join(parts)))
    if basis.fail_ground:
        lines.append(t(FAIL_GROUND_LINE, ground=basis.fail_ground))
    return lines
