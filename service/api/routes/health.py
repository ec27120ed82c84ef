"""Liveness for load balancers and operators: 200 only when the database answers."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from service.api.deps import EngineDep
from service.storage.db import ping

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="200 when the database answers", responses={503: {"description": "database down"}})
def healthz(engine: EngineDep) -> dict[str, str]:
    try:
        ping(engine)
    except Exception as exc:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            f"the database does not answer ({type(exc).__name__}); check RELATO_DATABASE_URL and the database server",
        ) from exc
    return {"status": "ok"}
