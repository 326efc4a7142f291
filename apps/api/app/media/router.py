"""Media (`/media`): upload a file to a sender number once, list and read uploads."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile, status

from app.core.config import settings
from app.core.errors import ValidationFailed
from app.core.schemas import DbId, IdPath
from app.media import service
from app.media.schemas import MediaOut
from app.senders.service import get_sender
from app.workspaces.deps import PrincipalDep, SessionDep

router = APIRouter(prefix="/media", tags=["media"])


@router.post(
    "",
    response_model=MediaOut,
    status_code=status.HTTP_201_CREATED,
    summary="Upload an image, video or document to a sender number (once; reused after)",
)
async def upload_media(
    db: SessionDep,
    principal: PrincipalDep,
    phone_number_id: Annotated[DbId, Form(description="Our sender number id")],
    file: Annotated[UploadFile, File(description="JPEG/PNG, MP4/3GPP, PDF, Office or text")],
) -> MediaOut:
    sender = get_sender(db=db, workspace_id=principal.workspace_id, sender_id=phone_number_id)
    data = await file.read(settings.MAX_UPLOAD_BYTES + 1)
    if len(data) > settings.MAX_UPLOAD_BYTES:
        raise ValidationFailed(
            f"files are at most {settings.MAX_UPLOAD_BYTES} bytes here", field="file"
        )
    asset, reused = await service.upload(
        db=db,
        workspace_id=principal.workspace_id,
        sender=sender,
        data=data,
        mime_type=file.content_type or "",
        filename=(file.filename or "").strip(),
    )
    db.commit()
    return service.to_out(asset, reused=reused)


@router.get("", response_model=list[MediaOut], summary="Uploaded media, newest first")
def list_media(
    db: SessionDep, principal: PrincipalDep, phone_number_id: DbId | None = None
) -> list[MediaOut]:
    assets = service.list_media(
        db=db, workspace_id=principal.workspace_id, sender_id=phone_number_id
    )
    return [service.to_out(a) for a in assets]


@router.get("/{media_id}", response_model=MediaOut, summary="One upload")
def get_media(media_id: IdPath, db: SessionDep, principal: PrincipalDep) -> MediaOut:
    asset = service.get_media(db=db, workspace_id=principal.workspace_id, media_id=media_id)
    return service.to_out(asset)
