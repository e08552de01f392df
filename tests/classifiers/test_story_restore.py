"""Restoring a threader from its recorded decisions leaves the state the decisions left."""

from __future__ import annotations

from datetime import timedelta

import pytest

from classifiers.stories import StoryThreader

from .test_stories import same_day_attacks


@pytest.mark.parametrize("cut", [3, 7, 8, 9])
def test_restoring_the_first_decisions_then_adding_gives_the_same_decisions(cut: int) -> None:
    stream = same_day_attacks()
    straight = StoryThreader()
    expected = [straight.add(a) for a in stream]
    restarted = StoryThreader()
    for article, decision in zip(stream[:cut], expected[:cut], strict=True):
        restarted.restore(article, decision.story)
    assert [restarted.add(a) for a in stream[cut:]] == expected[cut:]


def test_a_restored_story_is_forgotten_after_the_window_like_an_added_one() -> None:
    stream = same_day_attacks()
    threader = StoryThreader(window=timedelta(hours=2))
    first = stream[6]  # the Dammam bombing's first report
    threader.restore(first, "d1")
    assert threader.open_stories == 1
    later = stream[8]
    late = type(later)(later.id, later.title, later.text, first.published + timedelta(hours=3))
    decision = threader.add(late)
    assert decision.story == late.id  # the story broke more than a window ago: a new one
    assert threader.open_stories == 1
