"""Topic filters edited by admins: every edit validated, stored, audited and loaded at once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from bot.errors import TopicEditError
from bot.models import Article, TopicMatch
from bot.storage.protocols import AuditedTopicStore, TopicStore
from bot.topics import TopicEngine
from classifiers import (
    SCALAR_FIELDS,
    Classification,
    Topic,
    detect_language,
    topic_from_dict,
    topic_to_dict,
    with_exclusion,
    with_term,
    without_term,
)

# A topic made from chat matches on one term of weight 1: editors expect a term they add
# to be enough on its own; weights above 1 only matter once they add more.
NEW_TOPIC_THRESHOLD = 1.0
MAX_RECLASSIFY_HOURS = 24 * 30
MAX_RECLASSIFY_ARTICLES = 5000  # one run's cap: the newest are reclassified, the rest said
RECLASSIFY_PAGE = 500  # articles read from the store at a time
YIELD_EVERY = 50  # articles classified between two yields to the event loop

# Told after each page: (articles checked, articles planned).
Progress = Callable[[int, int], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class StoredTopic:
    """A topic as the store holds it."""

    topic: Topic
    builtin: bool
    enabled: bool

    @property
    def draft(self) -> bool:
        """A topic without a positive term or a group matches nothing yet."""
        return not any(t.weight > 0 for t in self.topic.terms) and not self.topic.groups


@dataclass(slots=True)
class ReclassifyReport:
    """What re-running the rules over stored articles changed."""

    checked: int = 0
    planned: int = 0  # the newest articles in the period, at most the cap
    skipped: int = 0  # older articles in the period beyond the cap
    changed: int = 0
    added: Counter[str] = field(default_factory=Counter)
    removed: Counter[str] = field(default_factory=Counter)
    alerts: int = 0


def _topic(definition: Mapping[str, Any]) -> Topic:
    """A Topic from its stored form; a draft (no terms yet) is read without validation."""
    try:
        return topic_from_dict(definition)
    except ValueError:
        scalars = {k: definition[k] for k in SCALAR_FIELDS if k in definition}
        names, hashtags = dict(definition.get("names", {})), dict(definition.get("hashtags", {}))
        return Topic(id=str(definition["id"]), names=names, hashtags=hashtags, **scalars)


async def find_topic(store: TopicStore, engine: TopicEngine, name: str) -> StoredTopic | None:
    """A stored topic named by its id (even when disabled) or by a live topic's name."""
    row = await store.topic_row(name.strip().lower())
    if row is None:
        resolved = engine.resolve(name)
        row = await store.topic_row(resolved) if resolved else None
    return StoredTopic(_topic(row.definition), row.builtin, row.enabled) if row else None


async def _save(
    store: TopicStore, engine: TopicEngine, stored: StoredTopic, topic: Topic, *, now: datetime
) -> StoredTopic:
    """Store an edited topic and reload the live rules; a built-in keeps its enabled state."""
    new = StoredTopic(topic, stored.builtin, stored.enabled)
    enabled = stored.enabled if stored.builtin else not new.draft
    await store.save_topic(topic_to_dict(topic), enabled=enabled, now=now)
    await engine.load()
    return replace(new, enabled=enabled)


async def create_topic(
    store: AuditedTopicStore,
    engine: TopicEngine,
    topic_id: str,
    names: Mapping[str, str],
    *,
    actor: int,
    now: datetime,
) -> tuple[StoredTopic, bool]:
    """Create a topic (a draft until its first term), or re-enable a disabled built-in one."""
    topic_id = topic_id.strip().lower()
    row = await store.topic_row(topic_id)
    if row is not None:
        stored = StoredTopic(_topic(row.definition), row.builtin, row.enabled)
        if stored.builtin and not stored.enabled:
            stored = await _save(
                store, engine, replace(stored, enabled=True), stored.topic, now=now
            )
            await store.audit(
                "topic.enable",
                now=now,
                actor_id=actor,
                target=topic_id,
                before={"enabled": False},
                after={"enabled": True},
            )
            return stored, True
        return stored, False
    topic = Topic(id=topic_id, names=dict(names), threshold=NEW_TOPIC_THRESHOLD)
    try:
        with_term(topic, None, "x")  # validates the id and names; a draft has no terms yet
    except ValueError as exc:
        raise TopicEditError(str(exc)) from None
    stored = await _save(store, engine, StoredTopic(topic, False, False), topic, now=now)
    await store.audit(
        "topic.create", now=now, actor_id=actor, target=topic_id, after=topic_to_dict(topic)
    )
    return stored, True


async def delete_topic(
    store: AuditedTopicStore, engine: TopicEngine, stored: StoredTopic, *, actor: int, now: datetime
) -> bool:
    """Delete an admin's topic, or disable a built-in one; False if it was disabled already."""
    topic_id = stored.topic.id
    if stored.builtin:
        if not stored.enabled:
            return False
        await store.save_topic(topic_to_dict(stored.topic), enabled=False, now=now)
        await store.audit(
            "topic.disable",
            now=now,
            actor_id=actor,
            target=topic_id,
            before={"enabled": True},
            after={"enabled": False},
        )
    else:
        await store.delete_topic(topic_id)
        await store.audit(
            "topic.delete",
            now=now,
            actor_id=actor,
            target=topic_id,
            before=topic_to_dict(stored.topic),
        )
    await engine.load()
    return True


def _weights(terms: Sequence[Any], text: str) -> dict[str, float]:
    """The stored weights of a phrase, by language, for the audit's before."""
    folded = text.strip().casefold()
    return {t.lang: t.weight for t in terms if t.text.casefold() == folded}


async def add_terms(
    store: AuditedTopicStore,
    engine: TopicEngine,
    stored: StoredTopic,
    terms: Sequence[str],
    weight: float,
    *,
    actor: int,
    now: datetime,
) -> StoredTopic:
    """Add terms (or change their weight) and audit each."""
    topic = stored.topic
    try:
        for term in terms:
            topic = with_term(topic, None, term, weight)
    except ValueError as exc:
        raise TopicEditError(str(exc)) from None
    saved = await _save(store, engine, stored, topic, now=now)
    for term in terms:
        before = _weights(stored.topic.terms, term) or None
        await store.audit(
            "topic.term.add",
            now=now,
            actor_id=actor,
            target=topic.id,
            before=before and {"term": term, "weight": before},
            after={"term": term, "weight": weight},
        )
    return saved


async def remove_term(
    store: AuditedTopicStore,
    engine: TopicEngine,
    stored: StoredTopic,
    term: str,
    *,
    actor: int,
    now: datetime,
) -> StoredTopic:
    """Remove a term in every language and audit it."""
    try:
        topic = without_term(stored.topic, term)
    except ValueError as exc:
        raise TopicEditError(str(exc)) from None
    saved = await _save(store, engine, stored, topic, now=now)
    before = {"term": term, "weight": _weights(stored.topic.terms, term)}
    await store.audit("topic.term.remove", now=now, actor_id=actor, target=topic.id, before=before)
    return saved


async def add_exclusion(
    store: AuditedTopicStore,
    engine: TopicEngine,
    stored: StoredTopic,
    term: str,
    penalty: float,
    *,
    actor: int,
    now: datetime,
) -> StoredTopic:
    """Add an exclusion phrase (words inside it count for nothing) and audit it."""
    try:
        topic = with_exclusion(stored.topic, term, None, penalty)
    except ValueError as exc:
        raise TopicEditError(str(exc)) from None
    saved = await _save(store, engine, stored, topic, now=now)
    before = _weights(stored.topic.exclusions, term) or None
    await store.audit(
        "topic.exclude",
        now=now,
        actor_id=actor,
        target=topic.id,
        before=before and {"exclusion": term, "penalty": before},
        after={"exclusion": term, "penalty": penalty},
    )
    return saved


def classify(engine: TopicEngine, title: str, text: str) -> Classification:
    """Run the live rules the way new articles are classified (the text's own language)."""
    return engine.classify_text(title, text, detect_language(f"{title}\n{text}"))


async def reclassify(
    store: AuditedTopicStore,
    engine: TopicEngine,
    hours: int,
    *,
    alert: bool,
    actor: int,
    now: datetime,
    cap: int = MAX_RECLASSIFY_ARTICLES,
    progress: Progress | None = None,
) -> ReclassifyReport:
    """Re-run the live rules over the newest articles of the last hours; alert only if asked."""
    report = ReclassifyReport()
    since = now - timedelta(hours=min(hours, MAX_RECLASSIFY_HOURS))
    # Articles stored during the run are newer than the first page: they may take the place
    # of as many old ones, which the count then reports as skipped. Harmless either way.
    matching = await store.count_articles_fetched_since(since)
    report.planned = min(matching, cap)
    report.skipped = matching - report.planned
    below_id: int | None = None
    while report.checked < report.planned:
        limit = min(RECLASSIFY_PAGE, report.planned - report.checked)
        page = await store.articles_fetched_since(since, limit=limit, below_id=below_id)
        if not page:
            break
        for article in page:
            await _reclassify_one(store, engine, article, report, alert=alert, now=now)
        below_id = page[-1].id
        if progress is not None:
            await progress(report.checked, report.planned)
    await store.audit(
        "topic.reclassify",
        now=now,
        actor_id=actor,
        target=f"{hours}h",
        after={
            "checked": report.checked,
            "skipped": report.skipped,
            "changed": report.changed,
            "added": dict(report.added),
            "removed": dict(report.removed),
            "alerts": report.alerts,
        },
    )
    return report


async def _reclassify_one(
    store: AuditedTopicStore,
    engine: TopicEngine,
    article: Article,
    report: ReclassifyReport,
    *,
    alert: bool,
    now: datetime,
) -> None:
    """Classify one stored article again; store and count what changed."""
    report.checked += 1
    if report.checked % YIELD_EVERY == 0:
        await asyncio.sleep(0)  # classifying is CPU work: let polling and replies run
    result = engine.classify_text(
        article.title,
        article.text,
        detect_language(f"{article.title}\n{article.text}") or article.language,
    )
    matches = [TopicMatch(r.topic, r.score, r.evidence) for r in result.results if r.matched]
    old = {m.topic for m in article.topics}
    new = {m.topic for m in matches}
    if old == new:
        return
    report.changed += 1
    report.added.update(new - old)
    report.removed.update(old - new)
    report.alerts += await store.replace_article_topics(
        article.id, matches, now=now, alert_topics=sorted(new - old) if alert else ()
    )
