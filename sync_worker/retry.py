"""Exponential backoff with a ceiling, interruptible by the shutdown event."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


class TemporaryFailure(Exception):
    """Retrying later may succeed (network, 5xx, rate limit, Odoo restarting)."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class GaveUp(Exception):
    """A temporary failure outlived the retry budget; the run ends with EX_TEMPFAIL."""


class Interrupted(Exception):
    """Shutdown was requested while waiting to retry."""


@dataclass(frozen=True)
class Backoff:
    base: float = 0.5
    factor: float = 2.0
    ceiling: float = 60.0
    attempts: int = 8
    jitter: float = 0.2
    # A portal's retry_after (fault 429) is waited in full up to this many seconds; a longer
    # wait ends the run (exit 75) and the next run tries again (PORTALS.md §1).
    retry_after_ceiling: float = 300.0

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Delay before retry number ``attempt`` (1-based), capped at the ceiling."""
        raw = min(self.ceiling, self.base * self.factor ** max(0, attempt - 1))
        spread = raw * self.jitter
        return max(0.0, raw + (rng or random).uniform(-spread, spread))


def call_with_retry(
    what: str,
    func: Callable[[], T],
    backoff: Backoff,
    stop: threading.Event,
) -> T:
    """Run ``func``; on TemporaryFailure wait and retry until the budget is spent."""
    attempt = 0
    while True:
        try:
            return func()
        except TemporaryFailure as exc:
            attempt += 1
            if attempt >= backoff.attempts:
                raise GaveUp(f"{what}: giving up after {attempt} attempts: {exc}") from exc
            delay = backoff.delay(attempt)
            if exc.retry_after is not None:
                if exc.retry_after > backoff.retry_after_ceiling:
                    raise GaveUp(
                        f"{what}: the portal asks to wait {exc.retry_after:g} s, more than the ceiling of "
                        f"{backoff.retry_after_ceiling:g} s; the next run tries again: {exc}"
                    ) from exc
                delay = max(delay, exc.retry_after)
            log.warning(
                "retrying",
                extra={"kv": {"what": what, "attempt": attempt, "delay_s": round(delay, 2), "error": str(exc)}},
            )
            if stop.wait(delay):
                raise Interrupted(what) from exc
