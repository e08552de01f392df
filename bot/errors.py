"""Marsad's exceptions.

    MarsadError
    ├── ConfigError              settings or a feeds file that cannot be used
    ├── FeedListError            an OPML or TOML feed list that cannot be read
    └── DeliveryError            a send that failed and will be retried
        └── PermanentDeliveryError   a send that can never succeed (blocked, chat gone)

Expected feed failures are not exceptions: they are `FetchResult`/`ParsedFeed` values.
"""

from __future__ import annotations


class MarsadError(Exception):
    """Base of every error Marsad raises on purpose."""


class ConfigError(MarsadError):
    """Settings or data files that cannot be used; the message says why."""


class FeedListError(MarsadError):
    """A feed list (OPML or TOML) that cannot be read."""


class DeliveryError(MarsadError):
    """A delivery that failed for now and will be retried."""


class PermanentDeliveryError(DeliveryError):
    """A delivery that can never succeed; it is marked failed with this reason."""
