"""The handling-opinion documents (处理意见书) kept with a case: the public copy archived when
the case is closed (services.case_opinion renders it), the newest one read on request."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models.cases import CaseDocument


def keep_opinion(
    session: AsyncSession,
    *,
    case_id: int,
    filename: str,
    content: bytes,
    now: datetime,
    kind: str = "opinion",
) -> CaseDocument:
    """A public document filed with the case: its 处理意见书 (``kind`` opinion), or the answer
    to an appeal (review, recheck)."""
    document = CaseDocument(
        case_id=case_id,
        kind=kind,
        filename=filename,
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        created_at=now,
    )
    session.add(document)
    return document


async def archived_opinion(session: AsyncSession, case_id: int) -> CaseDocument | None:
    """The newest public 处理意见书 of the case (a reviewed case is closed again)."""
    found = await session.execute(
        select(CaseDocument)
        .where(col(CaseDocument.case_id) == case_id, col(CaseDocument.kind) == "opinion")
        .order_by(col(CaseDocument.id).desc())
        .limit(1)
    )
    return found.scalars().first()
