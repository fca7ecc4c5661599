"""The frozen clock of `make test-clock` (FREEZE_CLOCK, read by conftest.py)."""

import os
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from conftest import _frozen_instant


@pytest.mark.parametrize(
    "value, expected",
    [
        ("", None),
        ("2026-11-28T03:30:00Z", datetime(2026, 11, 28, 3, 30, tzinfo=UTC)),
        ("2026-11-28T23:30:00+00:00", datetime(2026, 11, 28, 23, 30, tzinfo=UTC)),
        ("2026-06-15T12:00:00", datetime(2026, 6, 15, 12, 0, tzinfo=UTC)),  # naive: UTC
    ],
)
def test_freeze_clock_is_read_as_an_instant_in_utc(monkeypatch, value, expected):
    monkeypatch.setenv("FREEZE_CLOCK", value)
    assert _frozen_instant() == expected


@pytest.mark.clock
def test_under_freeze_clock_every_test_starts_at_that_instant():
    """Under `make test-clock` this proves the travel is in effect (it ticks on from there)."""
    instant = _frozen_instant()
    if instant is None:
        pytest.skip("FREEZE_CLOCK is not set")
    assert os.environ["FREEZE_CLOCK"]
    assert instant <= timezone.now() < instant + timedelta(minutes=5)


@pytest.mark.clock
@pytest.mark.real_clock
def test_a_real_clock_test_is_left_at_the_real_time():
    """A test that starts another process (a real worker) must not be frozen: the worker would
    see rows written "due" at the frozen instant as due in the future, or long overdue."""
    from time_machine import escape_hatch

    assert not escape_hatch.is_travelling()


@pytest.mark.clock
def test_an_ordinary_test_travels_when_freeze_clock_is_set():
    from time_machine import escape_hatch

    assert escape_hatch.is_travelling() == (_frozen_instant() is not None)
