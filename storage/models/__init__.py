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
from storage.models.fleet_limits import SendBudget
from storage.models.inspection import (
    InspectionAssignment,
    InspectionCheck,
    InspectionFinding,
    InspectionGroup,
    InspectionMember,
    InspectionPlan,
    InspectionSelfCheck,
    VerificationSession,
    VoucherMonth,
    WorkerChange,
)
from storage.models.objection import DeskIntake, Objection
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
from storage.models.procedure import LateNotice, ProcedureStep, ResultBasis
from storage.models.renewal import RenewalPaper
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
    "DeskIntake",
    "EvidenceFile",
    "ImportBatch",
    "ImportJob",
    "InspectionAssignment",
    "InspectionCheck",
    "InspectionFinding",
    "InspectionGroup",
    "InspectionMember",
    "InspectionPlan",
    "InspectionSelfCheck",
    "Invitation",
    "LateNotice",
    "Objection",
    "Official",
    "Outbox",
    "Post",
    "ProcedureStep",
    "ProcessedUpdate",
    "Reminder",
    "RenewalPaper",
    "Result",
    "ResultBasis",
    "RoleBinding",
    "SendBudget",
    "Subscription",
    "TelegramUser",
    "UTCDateTime",
    "Unit",
    "UnitTask",
    "Verification",
    "VerificationSession",
    "VoucherMonth",
    "Worker",
    "WorkerChange",
    "WorkerCode",
    "utcnow",
]
