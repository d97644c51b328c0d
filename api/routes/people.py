"""The caller and their notification preferences."""

from typing import Any

from fastapi import APIRouter

from store import Preferences

from ..deps import CurrentActor, Reader

router = APIRouter(prefix="/api/me", tags=["people"])


@router.get("", summary="Who the caller is, and their notification preferences")
async def me(actor: CurrentActor, read: Reader) -> dict[str, Any]:
    person = await read.person(actor.name)
    return {"actor": actor.name, "role": actor.role.value,
            "email": person["email"] if person else None,
            "digest": person["digest"] if person else True}


@router.put("/preferences", summary="Set the caller's e-mail and digest preference")
async def set_preferences(prefs: Preferences, actor: CurrentActor,
                          read: Reader) -> dict[str, Any]:
    person = await read.set_person(actor.name, actor.role.value, prefs)
    return {**person, "actor": actor.name}
