"""A story's reports as /why and /story list them: outlet, linked headline, time, and why
each joined (the threader's stored evidence), in the chat's language."""

from __future__ import annotations

import html

from bot.delivery.summarise import truncate_words
from bot.models import JoinEvidence, Story, StoryMember
from bot.render import FSI, PDI, local_time, safe_url
from handlers.texts import say

MAX_SHARED = 8  # the shared words and names a line quotes


def wrapped(text: str) -> str:
    """Feed text escaped and isolated, so it cannot reorder the line around it."""
    return f"{FSI}{html.escape(text, quote=False)}{PDI}"


def headline(member: StoryMember, limit: int = 160) -> str:
    """A report's headline, cut, isolated and escaped, linked to its article when safe."""
    title = truncate_words(" ".join(member.title.split()), limit)
    text = wrapped(title)
    target = safe_url(member.url)
    return f'<a href="{html.escape(target, quote=True)}">{text}</a>' if target else text


def evidence_text(evidence: JoinEvidence, language: str) -> str:
    """Why a report is in its story: the similarity and the shared words and names."""
    if evidence.reason == "joined":
        shared = say(language, "list_comma").join(evidence.shared[:MAX_SHARED]) or "—"
        return say(
            language,
            "story_joined",
            similarity=f"{evidence.similarity:.2f}",
            names=f"{evidence.names:.2f}",
            shared=wrapped(shared),
        )
    if evidence.reason == "split":
        return say(language, "story_split_member", story=str(evidence.matched or "—"))
    return say(language, "story_first")


def member_block(member: StoryMember, language: str, tz: str = "UTC") -> str:
    """One report: outlet, time and linked headline, then why it joined."""
    when = FSI + html.escape(local_time(member.published, tz, language)) + PDI
    outlet = wrapped(member.outlet)
    head = f"• <b>{outlet}</b> — {when}\n  {headline(member)}"
    return f"{head}\n  {evidence_text(member.evidence, language)}"


def story_blocks(story: Story, members: list[StoryMember], language: str, tz: str) -> list[str]:
    """/why's story part: a heading with its counts, then each report and why it joined."""
    heading = say(language, "why_story", members=str(story.members), outlets=str(story.outlets))
    return ["\n" + heading, *(member_block(m, language, tz) for m in members)]
