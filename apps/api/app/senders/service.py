"""Sender numbers: CRUD, pause/resume, quota status and decrypted credentials. Callers commit."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.db import delete_restricted, utcnow
from app.core.enums import SenderStatus
from app.core.errors import Conflict, NotFound
from app.core.security import decrypt_secret, encrypt_secret
from app.integrations.whatsapp.base import SenderCredentials
from app.senders.models import SenderNumber
from app.senders.schemas import SenderCreate, SenderUpdate
from app.senders.verify import verify_phone_number

CLOUD_API = "cloud_api"


def get_sender(
    *, db: Session, workspace_id: int, sender_id: int, for_update: bool = False
) -> SenderNumber:
    """The workspace's sender; another workspace's number is reported as missing (404).

    `for_update` locks the row until the commit: a PATCH or DELETE racing a DELETE waits for
    it, then finds the row gone (404) instead of failing on a vanished row (500), and of two
    concurrent DELETEs exactly one succeeds."""
    sender = db.get(SenderNumber, sender_id, with_for_update=for_update or None)
    if sender is None or sender.workspace_id != workspace_id:
        raise NotFound("Phone number", sender_id)
    return sender


def list_senders(
    *, db: Session, workspace_id: int, status: str | None = None
) -> list[SenderNumber]:
    stmt = select(SenderNumber).where(SenderNumber.workspace_id == workspace_id)
    if status:
        stmt = stmt.where(SenderNumber.status == status)
    return list(db.scalars(stmt.order_by(SenderNumber.id)))


def _ensure_phone_number_id_free(
    *, db: Session, workspace_id: int, phone_number_id: str, own_id: int | None
) -> None:
    # Global, not per workspace: inbound webhooks are routed by this id. Another workspace's
    # registration is reported without saying which workspace (or which sender) holds it.
    existing = db.execute(
        select(SenderNumber.id, SenderNumber.workspace_id).where(
            SenderNumber.phone_number_id == phone_number_id
        )
    ).first()
    if existing is None or existing.id == own_id:
        return
    if existing.workspace_id == workspace_id:
        raise Conflict(
            f"phone_number_id {phone_number_id} is already registered in this workspace "
            f"(sender {existing.id})",
            errors=[{"field": "phone_number_id", "message": "already registered"}],
        )
    raise Conflict(
        f"phone_number_id {phone_number_id} is already registered by another workspace",
        errors=[{"field": "phone_number_id", "message": "already registered elsewhere"}],
    )


def _set_token(sender: SenderNumber, token: str | None) -> None:
    sender.access_token_encrypted = encrypt_secret(token) if token else None


def create_sender(*, db: Session, workspace_id: int, data: SenderCreate) -> SenderNumber:
    """A `cloud_api` number is verified at Meta first (422/502 before anything else), so a
    workspace that cannot prove the number learns nothing about who registered it."""
    if data.provider == CLOUD_API:
        verify_phone_number(phone_number_id=data.phone_number_id, token=data.access_token)
    _ensure_phone_number_id_free(
        db=db, workspace_id=workspace_id, phone_number_id=data.phone_number_id, own_id=None
    )
    fields = data.model_dump(exclude={"access_token"})
    if "warmup_started_on" not in data.model_fields_set:
        fields["warmup_started_on"] = utcnow().date()
    sender = SenderNumber(workspace_id=workspace_id, status=SenderStatus.ACTIVE, **fields)
    _set_token(sender, data.access_token)
    db.add(sender)
    db.flush()
    return sender


def update_sender(
    *, db: Session, workspace_id: int, sender_id: int, data: SenderUpdate
) -> SenderNumber:
    sender = get_sender(db=db, workspace_id=workspace_id, sender_id=sender_id, for_update=True)
    changes = data.model_dump(exclude_unset=True)
    _verify_claim(sender, changes)
    if "phone_number_id" in changes:
        _ensure_phone_number_id_free(
            db=db,
            workspace_id=workspace_id,
            phone_number_id=changes["phone_number_id"],
            own_id=sender.id,
        )
    if "access_token" in changes:
        _set_token(sender, changes.pop("access_token"))
    for name, value in changes.items():
        setattr(sender, name, value)
    db.flush()
    return sender


def _verify_claim(sender: SenderNumber, changes: dict) -> None:
    """Re-verify at Meta when a PATCH leaves a `cloud_api` sender with a new id, a new provider
    or a new token. Removing the token (null) claims nothing and needs no check."""
    provider = changes.get("provider", sender.provider)
    pnid = changes.get("phone_number_id", sender.phone_number_id)
    new_claim = provider != sender.provider or pnid != sender.phone_number_id
    new_token = bool(changes.get("access_token"))
    if provider != CLOUD_API or not (new_claim or new_token):
        return
    token = changes["access_token"] if "access_token" in changes else credentials_or_none(sender)
    verify_phone_number(phone_number_id=pnid, token=token)


def credentials_or_none(sender: SenderNumber) -> str | None:
    """The stored token, or None when there is none or it cannot be decrypted."""
    try:
        return credentials_for(sender).access_token
    except ValueError:
        return None


def delete_sender(*, db: Session, workspace_id: int, sender_id: int) -> None:
    """Refused while campaigns use the number (their FK is RESTRICT): pause it instead."""
    sender = get_sender(db=db, workspace_id=workspace_id, sender_id=sender_id, for_update=True)
    delete_restricted(
        db, sender, in_use=f"Phone number {sender_id} is used by campaigns; pause it instead"
    )


def set_status(
    *, db: Session, workspace_id: int, sender_id: int, status: SenderStatus, reason: str | None
) -> SenderNumber:
    sender = get_sender(db=db, workspace_id=workspace_id, sender_id=sender_id, for_update=True)
    if sender.status != status or sender.status_reason != reason:
        sender.status = status
        sender.status_reason = reason
        sender.status_changed_at = utcnow()
    db.flush()
    return sender


def credentials_for(sender: SenderNumber) -> SenderCredentials:
    """What a provider needs to send from this number, with the token decrypted.
    Raises ValueError when the stored token cannot be decrypted (SECRET_KEY changed)."""
    token = decrypt_secret(sender.access_token_encrypted) if sender.access_token_encrypted else None
    return SenderCredentials(
        phone_number_id=sender.phone_number_id, access_token=token, waba_id=sender.waba_id
    )
