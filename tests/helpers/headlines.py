"""Headlines about distinct events: each is its own story, so each alerts on its own."""

from __future__ import annotations

_PLACES = ("الرياض", "جدة", "الدمام", "تبوك", "حائل", "أبها", "نجران", "جازان", "الطائف", "ينبع")
_EVENTS = ("حريق", "فيضان", "زلزال", "انفجار", "اعتقال", "محاكمة", "قمة", "إضراب", "اشتباك", "سرقة")


def distinct_title(n: int) -> str:
    """A headline about its own event: a place and an event no other n below 100 shares."""
    return f"{_EVENTS[n // 10 % 10]} في {_PLACES[n % 10]} يخلف {n} ضحية بحسب شهود"
