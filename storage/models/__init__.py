"""The whole data model of SPEC.md. Importing this package registers every table."""

from storage.models.appeals import CaseAppeal
from storage.models.base import UTCDateTime, utcnow
from storage.models.cases import (
    Case,
    CaseDocument,
    CaseEvent,
    ComplainantContact,
    Complaint,
    EvidenceFile,
)
from storage.models.ops import (
    AuditLog,
    ChannelPost,
    ConversationState,
    Outbox,
    ProcessedUpdate,
    Reminder,
    UnitTask,
)
from storage.models.people import (
    ROLES,
    Invitation,
    Official,
    RoleBinding,
    Subscription,
    TelegramUser,
    WorkerCode,
)
from storage.models.roster import (
    Cycle,
    ImportBatch,
    ImportJob,
    Post,
    Result,
    Unit,
    Verification,
    Worker,
)

__all__ = [
    "ROLES",
    "AuditLog",
    "Case",
    "CaseAppeal",
    "CaseDocument",
    "CaseEvent",
    "ChannelPost",
    "ComplainantContact",
    "Complaint",
    "ConversationState",
    "Cycle",
    "EvidenceFile",
    "ImportBatch",
    "ImportJob",
    "Invitation",
    "Official",
    "Outbox",
    "Post",
    "ProcessedUpdate",
    "Reminder",
    "Result",
    "RoleBinding",
    "Subscription",
    "TelegramUser",
    "UTCDateTime",
    "Unit",
    "UnitTask",
    "Verification",
    "Worker",
    "WorkerCode",
    "utcnow",
]
