"""Media: upload a file once per sender number, and resolve what campaigns send. Callers commit.

Meta keeps an uploaded file for 30 days under an id that only the number that uploaded it may
send; a link is fetched by Meta at send time. Uploading the same bytes to the same number again
returns the stored row (no second upload) unless its id is about to expire.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core.db import utcnow
from app.core.errors import NotFound, ValidationFailed
from app.integrations.whatsapp import get_provider
from app.integrations.whatsapp.base import WhatsAppError
from app.integrations.whatsapp.errors import as_app_error
from app.media.models import MediaAsset
from app.media.schemas import MediaOut
from app.senders.models import SenderNumber
from app.senders.service import credentials_for

MEDIA_TTL = timedelta(days=30)
REUPLOAD_MARGIN = timedelta(days=2)  # a campaign needs the id to outlive its sends
_MB = 1024 * 1024
# Meta's supported types and size limits (Cloud API "Supported media types").
TYPES: dict[str, tuple[str, int]] = {
    "image/jpeg": ("image", 5 * _MB),
    "image/png": ("image", 5 * _MB),
    "video/mp4": ("video", 16 * _MB),
    "video/3gpp": ("video", 16 * _MB),
    "application/pdf": ("document", 100 * _MB),
    "text/plain": ("document", 100 * _MB),
    "application/msword": ("document", 100 * _MB),
    "application/vnd.ms-excel": ("document", 100 * _MB),
    "application/vnd.ms-powerpoint": ("document", 100 * _MB),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        "document",
        100 * _MB,
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("document", 100 * _MB),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        "document",
        100 * _MB,
    ),
}
# A file's first bytes for the types whose content we can recognise (Meta rejects a declared
# type that does not match the file: error 131053).
_MAGIC = {
    "image/jpeg": lambda b: b.startswith(b"\xff\xd8\xff"),
    "image/png": lambda b: b.startswith(b"\x89PNG\r\n\x1a\n"),
    "application/pdf": lambda b: b.startswith(b"%PDF-"),
    "video/mp4": lambda b: b[4:8] == b"ftyp",
    "video/3gpp": lambda b: b[4:8] == b"ftyp",
}


def expires_at(asset: MediaAsset) -> Any:
    return asset.uploaded_at + MEDIA_TTL


def to_out(asset: MediaAsset, *, reused: bool = False) -> MediaOut:
    return MediaOut(
        id=asset.id,
        phone_number_id=asset.sender_id,
        kind=asset.kind,  # type: ignore[arg-type]
        mime_type=asset.mime_type,
        filename=asset.filename,
        size_bytes=asset.size_bytes,
        sha256=asset.sha256,
        provider_media_id=asset.provider_media_id,
        uploaded_at=asset.uploaded_at,
        expires_at=expires_at(asset),
        reused=reused,
    )


def check_file(*, data: bytes, mime_type: str, filename: str) -> tuple[str, str]:
    """(media kind, normalised MIME type) of an upload, or a 422 on `file` saying what Meta
    would refuse."""
    mime = (mime_type or "").split(";")[0].strip().lower()
    if mime not in TYPES:
        raise ValidationFailed(
            f"unsupported media type {mime or '(none)'}; WhatsApp takes "
            + ", ".join(sorted(TYPES)),
            field="file",
        )
    kind, limit = TYPES[mime]
    if not data:
        raise ValidationFailed("the file is empty", field="file")
    if len(data) > limit:
        raise ValidationFailed(
            f"{kind} files are at most {limit // _MB} MB on WhatsApp", field="file"
        )
    magic = _MAGIC.get(mime)
    if magic is not None and not magic(data[:16]):
        raise ValidationFailed(f"the file's content is not {mime}", field="file")
    if not filename.strip() or len(filename) > 240:
        raise ValidationFailed("give the file a name of at most 240 characters", field="file")
    return kind, mime


async def upload(
    *,
    db: Session,
    workspace_id: int,
    sender: SenderNumber,
    data: bytes,
    mime_type: str,
    filename: str,
) -> tuple[MediaAsset, bool]:
    """Upload `data` to the sender's number once; returns (row, reused)."""
    kind, mime = check_file(data=data, mime_type=mime_type, filename=filename)
    digest = hashlib.sha256(data).hexdigest()
    now = utcnow()
    stored = select(MediaAsset).where(
        MediaAsset.sender_id == sender.id, MediaAsset.sha256 == digest
    )
    asset = db.scalar(stored)
    if asset is not None and expires_at(asset) - REUPLOAD_MARGIN > now:
        return asset, True
    try:
        creds = credentials_for(sender)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="access_token") from exc
    provider = get_provider(sender.provider)
    try:
        media_id = await provider.upload_media(
            sender=creds,
            data=data,
            mime_type=mime,
            filename=filename,
        )
    except WhatsAppError as exc:
        raise as_app_error(exc, action="media upload", field="file") from exc
    finally:
        await provider.aclose()
    values = {"kind": kind, "mime_type": mime, "filename": filename, "size_bytes": len(data)}
    values |= {"provider_media_id": media_id, "uploaded_at": now}
    if asset is not None:  # re-upload of an id about to expire
        for key, value in values.items():
            setattr(asset, key, value)
        db.flush()
        return asset, False
    try:
        with db.begin_nested():
            asset = MediaAsset(workspace_id=workspace_id, sender_id=sender.id, sha256=digest)
            for key, value in values.items():
                setattr(asset, key, value)
            db.add(asset)
            db.flush()
    except IntegrityError:  # the same file uploaded concurrently: keep the first row
        asset = db.scalars(stored).one()
        return asset, True
    return asset, False


def get_media(*, db: Session, workspace_id: int, media_id: int) -> MediaAsset:
    asset = db.get(MediaAsset, media_id)
    if asset is None or asset.workspace_id != workspace_id:
        raise NotFound("Media", media_id)
    return asset


def list_media(*, db: Session, workspace_id: int, sender_id: int | None) -> list[MediaAsset]:
    stmt = select(MediaAsset).where(MediaAsset.workspace_id == workspace_id)
    if sender_id is not None:
        stmt = stmt.where(MediaAsset.sender_id == sender_id)
    return list(db.scalars(stmt.order_by(MediaAsset.id.desc()).limit(500)))


def resolve(
    *, db: Session, workspace_id: int, sender_id: int, kind: str, ref: Any, field: str
) -> dict[str, Any]:
    """What a message sends for a `MediaRef` from `sender_id`: `{"id": <Meta id>, "media_id":
    <ours>}` for an upload, `{"link": …}` otherwise (+ `filename` for documents). An unknown id,
    another number's upload, the wrong kind or an expired id is a 422 naming `field`."""
    out: dict[str, Any] = {}
    if ref.media_id is not None:
        asset = db.get(MediaAsset, ref.media_id)
        if asset is None or asset.workspace_id != workspace_id:
            raise ValidationFailed(f"unknown media id {ref.media_id}", field=f"{field}.media_id")
        if asset.sender_id != sender_id:
            raise ValidationFailed(
                f"media {asset.id} was uploaded to another phone number; upload it to this "
                "campaign's number (media ids belong to the number that uploaded them)",
                field=f"{field}.media_id",
            )
        if asset.kind != kind:
            raise ValidationFailed(
                f"media {asset.id} is {asset.kind}, not {kind}", field=f"{field}.media_id"
            )
        if expires_at(asset) - REUPLOAD_MARGIN <= utcnow():
            raise ValidationFailed(
                f"media {asset.id} expires at Meta soon (30 days after upload); upload it again",
                field=f"{field}.media_id",
            )
        out = {"id": asset.provider_media_id, "media_id": asset.id}
        filename = ref.filename or (asset.filename if kind == "document" else None)
    else:
        out = {"link": ref.link}
        filename = ref.filename
    if filename and kind == "document":
        out["filename"] = filename
    elif ref.filename:
        raise ValidationFailed("filename is only for documents", field=f"{field}.filename")
    return out
