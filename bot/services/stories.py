"""Admins' changes to stories: /split detaches a wrongly joined report and alerts it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from bot.models import Story
from bot.storage.protocols import AdminStore, StoryStore


class SplitOutcome(StrEnum):
    """How a /split ended."""

    DONE = "done"
    UNKNOWN = "unknown"  # no story holds that article
    ALONE = "alone"  # the article is its story's only report: nothing to split


@dataclass(frozen=True, slots=True)
class Split:
    """What /split did: the story the article left, its own story after, alerts queued."""

    outcome: SplitOutcome
    old_story: int | None = None
    story: Story | None = None
    alerts: int = 0


class AuditedStoryStore(StoryStore, AdminStore, Protocol):
    """Stories with their audit entries."""


async def split_article(
    store: AuditedStoryStore, article_id: int, *, actor: int, now: datetime
) -> Split:
    """Detach an article into a story of its own, alert it to its topics' chats, audit it."""
    before = await store.story_of(article_id)
    if before is None:
        return Split(SplitOutcome.UNKNOWN)
    if before.members <= 1:
        return Split(SplitOutcome.ALONE, before.id, before)
    story = await store.detach_article(article_id, now=now)
    if story is None:  # gone meanwhile
        return Split(SplitOutcome.UNKNOWN)
    alerts = await store.alert_article(article_id, now=now)
    await store.audit(
        "story.split",
        now=now,
        actor_id=actor,
        target=str(article_id),
        before={"story": before.id},
        after={"story": story.id, "alerts": alerts},
    )
    return Split(SplitOutcome.DONE, before.id, story, alerts)


async def audit_view(store: AdminStore, story_id: int, *, actor: int, now: datetime) -> None:
    """Record that an admin read a story's members (stories can name sources: who looked)."""
    await store.audit("story.view", now=now, actor_id=actor, target=str(story_id))
