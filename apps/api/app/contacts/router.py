"""Contacts API: thin routes over `service` and `csv_io`; commits happen here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, File, Path, Query, Response, UploadFile, status
from fastapi.responses import StreamingResponse

from app.contacts import csv_io, service
from app.contacts.schemas import (
    ContactCreate,
    ContactOut,
    ContactPage,
    ContactUpdate,
    ImportResult,
    OptInRequest,
    OptOutRequest,
)
from app.core.db import get_sessionmaker
from app.core.routing import segment_except
from app.workspaces.deps import PrincipalDep, SessionDep

router = APIRouter(prefix="/contacts", tags=["contacts"])
segment_except("contact_ref", "import", "export")  # `{contact_id:contact_ref}` below

MAX_ID = 2**63 - 1  # BIGINT: larger numbers can't be ids, and PostgreSQL would refuse them
ContactId = Annotated[int, Path(ge=1, le=MAX_ID)]

TagQuery = Annotated[
    list[str] | None, Query(description="Only contacts with this tag (repeat for all of several)")
]
OptedInQuery = Annotated[
    bool | None, Query(description="true: opted in and not opted out; false: everyone else")
]
SearchQuery = Annotated[
    str | None, Query(max_length=200, description="Name, phone or email contains (any case)")
]


@router.post("", response_model=ContactOut, status_code=status.HTTP_201_CREATED)
def create_contact(body: ContactCreate, db: SessionDep, principal: PrincipalDep) -> ContactOut:
    contact = service.create_contact(db=db, workspace_id=principal.workspace_id, data=body)
    db.commit()
    return ContactOut.model_validate(contact)


@router.get("", response_model=ContactPage)
def list_contacts(
    db: SessionDep,
    principal: PrincipalDep,
    tag: TagQuery = None,
    opted_in: OptedInQuery = None,
    search: SearchQuery = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> ContactPage:
    items, total = service.list_contacts(
        db=db,
        workspace_id=principal.workspace_id,
        tags=tag,
        opted_in=opted_in,
        search=search,
        limit=limit,
        offset=offset,
    )
    return ContactPage(
        items=[ContactOut.model_validate(c) for c in items], total=total, limit=limit, offset=offset
    )


@router.post(
    "/import",
    response_model=ImportResult,
    summary="Upsert contacts from a CSV file (column `phone` required)",
)
def import_contacts(
    db: SessionDep,
    principal: PrincipalDep,
    file: Annotated[UploadFile, File(description="UTF-8 CSV with a header row")],
    default_region: Annotated[
        str | None,
        Query(max_length=2, description="Region for numbers without +country code (e.g. GB)"),
    ] = None,
) -> ImportResult:
    result = csv_io.import_contacts(
        db=db, workspace_id=principal.workspace_id, stream=file.file, default_region=default_region
    )
    db.commit()
    return result


@router.get(
    "/export",
    response_class=StreamingResponse,
    summary="Stream contacts as CSV (import columns, attributes flattened)",
)
def export_contacts(
    principal: PrincipalDep,
    tag: TagQuery = None,
    opted_in: OptedInQuery = None,
    search: SearchQuery = None,
) -> StreamingResponse:
    service.check_filter_text(tags=tag, search=search)  # a 4xx must come before the 200

    def body() -> Iterator[str]:
        # Own session: it must outlive the request handler while the body streams.
        with get_sessionmaker()() as session:
            yield from csv_io.export_csv(
                db=session,
                workspace_id=principal.workspace_id,
                tags=tag,
                opted_in=opted_in,
                search=search,
            )

    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="contacts.csv"'},
    )


@router.get("/{contact_id:contact_ref}", response_model=ContactOut)
def get_contact(contact_id: ContactId, db: SessionDep, principal: PrincipalDep) -> ContactOut:
    contact = service.get_contact(db=db, workspace_id=principal.workspace_id, contact_id=contact_id)
    return ContactOut.model_validate(contact)


@router.patch("/{contact_id:contact_ref}", response_model=ContactOut)
def update_contact(
    contact_id: ContactId, body: ContactUpdate, db: SessionDep, principal: PrincipalDep
) -> ContactOut:
    contact = service.update_contact(
        db=db, workspace_id=principal.workspace_id, contact_id=contact_id, data=body
    )
    db.commit()
    return ContactOut.model_validate(contact)


@router.delete("/{contact_id:contact_ref}", status_code=status.HTTP_204_NO_CONTENT)
def delete_contact(contact_id: ContactId, db: SessionDep, principal: PrincipalDep) -> Response:
    service.delete_contact(db=db, workspace_id=principal.workspace_id, contact_id=contact_id)
    db.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{contact_id:contact_ref}/opt-in", response_model=ContactOut)
def opt_in(
    contact_id: ContactId, body: OptInRequest, db: SessionDep, principal: PrincipalDep
) -> ContactOut:
    contact = service.get_contact(
        db=db, workspace_id=principal.workspace_id, contact_id=contact_id, for_update=True
    )
    service.opt_in(db=db, contact=contact, source=body.source)
    db.commit()
    return ContactOut.model_validate(contact)


@router.post("/{contact_id:contact_ref}/opt-out", response_model=ContactOut)
def opt_out(
    contact_id: ContactId,
    db: SessionDep,
    principal: PrincipalDep,
    body: OptOutRequest | None = None,
) -> ContactOut:
    contact = service.get_contact(
        db=db, workspace_id=principal.workspace_id, contact_id=contact_id, for_update=True
    )
    service.opt_out(db=db, contact=contact, source=(body or OptOutRequest()).source)
    db.commit()
    return ContactOut.model_validate(contact)
