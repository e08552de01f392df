"""Who may change Marsad: ADMIN_IDS from the settings plus admins added from chat."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from bot.storage.protocols import AdminStore


class AdminChange(StrEnum):
    """How an /addadmin or /removeadmin ended."""

    DONE = "done"
    UNCHANGED = "unchanged"  # already an admin, or not one
    CONFIGURED = "configured"  # in ADMIN_IDS: only the settings can remove it


async def is_admin(store: AdminStore, configured: Iterable[int], user_id: int) -> bool:
    """Whether a user may run admins' commands (read each time: changes apply at once)."""
    return user_id in set(configured) or user_id in await store.admin_ids()


async def all_admins(store: AdminStore, configured: Iterable[int]) -> list[int]:
    """Every admin's user id, configured ones first."""
    ids = list(dict.fromkeys(configured))
    return ids + sorted(await store.admin_ids() - set(ids))


async def add_admin(
    store: AdminStore, configured: Iterable[int], user_id: int, *, actor: int, now: datetime
) -> AdminChange:
    """Make a user an admin and audit it."""
    if user_id in set(configured) or not await store.add_admin(user_id, added_by=actor, now=now):
        return AdminChange.UNCHANGED
    await store.audit("admin.add", now=now, actor_id=actor, target=str(user_id), after=True)
    return AdminChange.DONE


async def remove_admin(
    store: AdminStore, configured: Iterable[int], user_id: int, *, actor: int, now: datetime
) -> AdminChange:
    """Remove an admin added from chat and audit it; ADMIN_IDS stay."""
    if user_id in set(configured):
        return AdminChange.CONFIGURED
    if not await store.remove_admin(user_id):
        return AdminChange.UNCHANGED
    await store.audit("admin.remove", now=now, actor_id=actor, target=str(user_id), before=True)
    return AdminChange.DONE
