"""Process-wide settings."""

from __future__ import annotations

import platform

import pytest

from bot.runtime import limit_malloc_arenas


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_malloc_arenas_can_be_capped_on_glibc() -> None:
    assert limit_malloc_arenas(2) is True
