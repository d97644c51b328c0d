"""The caller's inbox and the notifications sent."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from i18n.notices import notice_text

from ..deps import CurrentActor, Reader

router = APIRouter(prefix="/api", tags=["inbox"])


@router.get("/tasks", summary="The caller's inbox for their role, most urgent first")
async def tasks(actor: CurrentActor, read: Reader) -> list[dict[str, Any]]:
    return await read.tasks_for_role(actor.role.value)


@router.get("/notifications", summary="Notifications sent (role, study, kind, at, channel); "
            "`message` as sent (English), `text` in the caller's language")
async def notifications(actor: CurrentActor, read: Reader, role: str | None = None,
                        study: str | None = None,
                        limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[dict[str, Any]]:
    rows = await read.notifications(role=role, study_id=study, limit=limit)
    return [{**r, "at": r["created_at"], "text": notice_text(r)} for r in rows]
