"""API tokens, for admins: create (shown once), list with last use, revoke; and, for any
token, who it is (`/me`: the pages show only what its role may do)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel

from service.api.deps import API_ERRORS, AdminDep, SessionDep, WriteSessionDep, require_role
from service.storage.inputs import Id
from service.storage.models import ApiToken, Role
from service.storage.schemas import ErrorOut, TokenCreate, TokenCreated, TokenPublic, TokensPublic
from service.storage.timeutil import as_utc
from service.storage.tokens import Principal, create_token, list_tokens, revoke

router = APIRouter(prefix="/api/v1/tokens", tags=["tokens"], responses=API_ERRORS)


def _public(row: ApiToken) -> TokenPublic:
    return TokenPublic(id=row.id, name=row.name, role=row.role,  # type: ignore[arg-type]
                       created_at=as_utc(row.created_at), revoked_at=as_utc(row.revoked_at),  # type: ignore[arg-type]
                       last_used_at=as_utc(row.last_used_at))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=TokenCreated, summary="Create a token")
def post_token(body: TokenCreate, _: AdminDep, session: WriteSessionDep) -> TokenCreated:
    row, plaintext = create_token(session, role=body.role, name=body.name)
    return TokenCreated(**_public(row).model_dump(), token=plaintext)


@router.get("", response_model=TokensPublic, summary="All tokens (never their secrets)")
def get_tokens(_: AdminDep, session: SessionDep) -> TokensPublic:
    return TokensPublic(items=[_public(r) for r in list_tokens(session)])


class WhoAmI(BaseModel):
    name: str
    role: Role


AnyRoleDep = Annotated[Principal, Depends(require_role("operator", "reviewer", "consumer"))]


@router.get("/me", response_model=WhoAmI, summary="The calling token's name and role (pages show what it may do)")
def get_me(principal: AnyRoleDep) -> WhoAmI:
    return WhoAmI(name=principal.name, role=principal.role)  # type: ignore[arg-type]


@router.delete("/{token_id}", response_model=TokenPublic, responses={404: {"model": ErrorOut}},
               summary="Revoke a token; it stops working at once")
def revoke_token(token_id: Id, _: AdminDep, session: WriteSessionDep) -> TokenPublic:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"token {token_id} does not exist")
    return _public(revoke(session, row))
