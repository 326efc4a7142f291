"""String enums stored as plain strings (portable, no native DB enums)."""

from enum import StrEnum


class SenderStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    BLOCKED = "blocked"
    DISABLED = "disabled"


class CampaignType(StrEnum):
    BROADCAST = "broadcast"
    DRIP = "drip"


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class EnrollmentState(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    STOPPED = "stopped"
    CANCELLED = "cancelled"


class Direction(StrEnum):
    OUTBOUND = "outbound"
    INBOUND = "inbound"


class MessageStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"
    RECEIVED = "received"  # inbound rows


# Forward order of the outbound lifecycle; a status never moves backwards along it.
STATUS_RANK: dict[str, int] = {
    MessageStatus.QUEUED: 0,
    MessageStatus.SENDING: 1,
    MessageStatus.UNKNOWN: 2,
    MessageStatus.SENT: 3,
    MessageStatus.DELIVERED: 4,
    MessageStatus.READ: 5,
}
FINAL_STATUSES = frozenset(
    {
        MessageStatus.SENT,
        MessageStatus.DELIVERED,
        MessageStatus.READ,
        MessageStatus.FAILED,
        MessageStatus.SKIPPED,
        MessageStatus.CANCELLED,
        MessageStatus.UNKNOWN,
    }
)


class TemplateStatus(StrEnum):
    APPROVED = "APPROVED"
    PENDING = "PENDING"
    REJECTED = "REJECTED"
    PAUSED = "PAUSED"
    DISABLED = "DISABLED"


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class LeadTier(StrEnum):
    HOT = "hot"
    WARM = "warm"
    COLD = "cold"


class KeyRole(StrEnum):
    """What an API key may do. `admin`: everything, including API keys and sender numbers;
    `send`: contacts, templates, campaigns and reads, but not keys or sender numbers;
    `read`: GET only."""

    ADMIN = "admin"
    SEND = "send"
    READ = "read"
