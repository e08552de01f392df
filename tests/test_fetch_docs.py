"""README and .env.example explain the address policy and FEEDS_PROXY to an operator."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def paragraph(text: str, start: str) -> str:
    """The paragraph of a Markdown text that begins with `start`, on one line."""
    begin = text.index(start)
    end = text.find("\n\n", begin)
    return " ".join(text[begin : end if end != -1 else None].split())


def test_readme_explains_what_fetches_may_reach_and_how_to_allow_an_intranet() -> None:
    text = paragraph((ROOT / "README.md").read_text(encoding="utf-8"), "**What Marsad fetches.**")
    for fact in (
        "`FETCH_ALLOW_NETWORKS` (comma-separated CIDRs, empty by default)",
        "`refused: 10.0.0.5 is a private address`",
        "`[::ffff:127.0.0.2]`",
        "a 301 never makes it the feed's address",
        "`user:password@` when an admin gave it",
        "as `***` in logs, errors, `/feeds`, `/export`, `/audit` and `feeds list`",
    ):
        assert fact in text, fact


def test_readme_states_feeds_proxy_and_its_name_resolution_limit() -> None:
    text = paragraph((ROOT / "README.md").read_text(encoding="utf-8"), "**Proxies.**")
    assert re.search(r"`FEEDS_PROXY` \(`http://`, `https://` or `socks5://`", text)
    assert "proxy variables are not used for feeds" in text
    assert "it is the proxy that resolves names" in text
    assert "for the check only" in text


def test_env_example_documents_both_settings() -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert "#FETCH_ALLOW_NETWORKS=" in text and "#FEEDS_PROXY=" in text
    assert "resolving it locally, for the check only" in " ".join(text.replace("#", "").split())
