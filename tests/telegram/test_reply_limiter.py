"""The Application's reply limiter, on a real PTB ExtBot against the local Bot API server.

A fake monotonic clock and sleep stand in for time: the limiter's waits are recorded,
never slept.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram.error import RetryAfter
from telegram.ext import ExtBot

from bot.delivery.limiter import UNPACED, ReplyLimiter, ReplyPace
from tests.helpers.botapi import BotApiServer, Failure

PRIVATE = 7501
GROUP = -100_7502


class FakeTime:
    """A monotonic clock that only sleeping moves; every sleep is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 2))
        self.now += seconds


class Overall:
    """Counts the overall slots taken."""

    def __init__(self) -> None:
        self.taken = 0

    async def wait(self) -> None:
        self.taken += 1


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def overall() -> Overall:
    return Overall()


@pytest.fixture
async def paced_bot(
    botapi: BotApiServer, fake_time: FakeTime, overall: Overall
) -> AsyncIterator[ExtBot[str]]:
    limiter = ReplyLimiter(
        ReplyPace(), overall=overall, monotonic=fake_time.monotonic, sleep=fake_time.sleep
    )
    bot: ExtBot[str] = ExtBot(botapi.token, base_url=botapi.base_url, rate_limiter=limiter)
    async with bot:
        yield bot


async def test_a_private_chat_gets_a_short_burst_then_about_one_message_a_second(
    paced_bot: ExtBot[str], fake_time: FakeTime, overall: Overall
) -> None:
    for n in range(5):
        await paced_bot.send_message(PRIVATE, f"reply {n}")

    # Three at once; the fourth waits until the first three leave the 3.15 s window.
    assert fake_time.sleeps == [3.15]
    assert overall.taken == 5


async def test_a_group_gets_twenty_messages_a_minute(
    paced_bot: ExtBot[str], fake_time: FakeTime
) -> None:
    for n in range(21):
        await paced_bot.send_message(GROUP, f"reply {n}")

    assert fake_time.sleeps == [63.0]


async def test_a_429_holds_the_chat_for_its_wait_and_is_retried(
    paced_bot: ExtBot[str], botapi: BotApiServer, fake_time: FakeTime
) -> None:
    botapi.fail_next("sendMessage", Failure.retry_after(7), times=2, chat_id=PRIVATE)

    sent = await paced_bot.send_message(PRIVATE, "after two refusals")

    assert sent.text == "after two refusals"
    assert fake_time.sleeps == [7.0, 7.0]
    assert [c.status for c in botapi.calls_of("sendMessage")] == [429, 429, 200]


async def test_a_third_429_reaches_the_caller(paced_bot: ExtBot[str], botapi: BotApiServer) -> None:
    botapi.fail_next("sendMessage", Failure.retry_after(7), times=3, chat_id=PRIVATE)

    with pytest.raises(RetryAfter):
        await paced_bot.send_message(PRIVATE, "refused thrice")

    assert len(botapi.calls_of("sendMessage")) == 3


async def test_the_send_queue_and_reads_pass_unpaced(
    paced_bot: ExtBot[str], botapi: BotApiServer, fake_time: FakeTime, overall: Overall
) -> None:
    for n in range(10):
        await paced_bot.send_message(PRIVATE, f"alert {n}", rate_limit_args=UNPACED)
        await paced_bot.get_chat_member(PRIVATE, PRIVATE)

    assert fake_time.sleeps == []
    assert overall.taken == 0  # the send queue takes its overall slot itself
