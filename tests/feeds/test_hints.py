"""Scheduling arithmetic: bounds of the next poll interval."""

from __future__ import annotations

import pytest

from bot.feeds.hints import DAY, next_interval


def interval(**overrides: float | int | None) -> float:
    """next_interval with a healthy feed's defaults: base 300 s, ceiling 1 h, mid jitter."""
    args: dict[str, float | int | None] = {
        "base": 300.0,
        "ceiling": 3600.0,
        "ttl": None,
        "max_age": None,
        "retry_after": None,
        "error_streak": 0,
        "jitter": 0.5,
    }
    args.update(overrides)
    return next_interval(**args)  # type: ignore[arg-type]


def test_healthy_feed_polls_at_base() -> None:
    assert interval() == 300.0


@pytest.mark.parametrize("jitter", [0.0, 0.25, 0.5, 0.75, 0.999999])
def test_jitter_spreads_but_never_below_base(jitter: float) -> None:
    assert 300.0 <= interval(jitter=jitter) <= 330.0
    assert 0.9 * 1000 <= interval(ttl=1000.0, jitter=jitter) <= 1.1 * 1000


def test_jitter_actually_spreads() -> None:
    assert interval(ttl=1000.0, jitter=0.0) < interval(ttl=1000.0, jitter=0.99)


def test_short_hints_never_speed_up_polling() -> None:
    assert interval(ttl=10.0, max_age=0.0) == 300.0


def test_ttl_and_max_age_slow_down_up_to_the_ceiling() -> None:
    assert interval(ttl=900.0) == 900.0
    assert interval(max_age=1200.0, ttl=600.0) == 1200.0
    assert interval(ttl=720 * 60.0) == 3600.0  # ttl 720 minutes: a newsroom waits one hour
    assert interval(max_age=10 * DAY, jitter=0.99) <= 3600.0 * 1.1


def test_ceiling_below_base_keeps_base() -> None:
    assert interval(ceiling=60.0, ttl=3600.0) == 300.0


def test_retry_after_is_obeyed_up_to_a_day() -> None:
    assert interval(retry_after=7200.0, jitter=0.0) >= 7200.0
    assert interval(retry_after=7200.0, ceiling=600.0) >= 7200.0
    assert DAY <= interval(retry_after=30 * DAY, jitter=0.0) <= DAY * 1.1
    assert interval(retry_after=5.0) == 300.0


def test_errors_back_off_exponentially_capped_at_a_day() -> None:
    assert interval(error_streak=1) == 600.0
    assert interval(error_streak=3) == 2400.0
    assert DAY * 0.9 <= interval(error_streak=12) <= DAY * 1.1
    assert DAY * 0.9 <= interval(error_streak=10_000) <= DAY * 1.1


def test_errors_ignore_ttl_but_keep_retry_after() -> None:
    assert interval(error_streak=1, ttl=3000.0) == 600.0
    assert interval(error_streak=1, retry_after=5000.0, jitter=0.0) >= 5000.0


def test_base_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        interval(base=0.0)
