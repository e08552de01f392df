"""When to poll a feed next: the configured interval, the server's hints and error backoff.

Pure arithmetic on seconds, so the scheduler's policy is tested without a clock.
"""

from __future__ import annotations

DAY = 24 * 3600.0
JITTER_SPREAD = 0.10  # +-10%, so feeds added together drift apart
_MAX_DOUBLINGS = 20  # 2**20 * base is far beyond a day for any sane base; avoids float overflow


def next_interval(
    *,
    base: float,
    ceiling: float,
    ttl: float | None,
    max_age: float | None,
    retry_after: float | None,
    error_streak: int,
    jitter: float,
) -> float:
    """Seconds until the next poll; never less than `base`.

    - ttl / max-age may slow a healthy feed down, but only up to `ceiling`;
    - an error streak doubles the interval per error, capped at a day;
    - Retry-After is obeyed, up to a day;
    - jitter in [0, 1) spreads the result by +-10%, never below `base`.
    """
    if base <= 0:
        raise ValueError(f"poll interval must be positive, got {base}")
    if error_streak > 0:
        interval = min(base * 2.0 ** min(error_streak, _MAX_DOUBLINGS), max(DAY, base))
    else:
        hint = max(ttl or 0.0, max_age or 0.0)
        interval = max(base, min(hint, ceiling))
    # Retry-After is a floor the jitter may not cut into: the server asked for that much.
    floor = max(base, min(retry_after, DAY)) if retry_after else base
    interval = max(interval, floor)
    spread = interval * JITTER_SPREAD * (2.0 * min(max(jitter, 0.0), 1.0) - 1.0)
    return max(floor, interval + spread)
