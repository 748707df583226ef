"""Sending at the provider's pace: a shared pacer, and back-off between retries."""

from __future__ import annotations

import threading
import time


class Pacer:
    """Hands out send slots no faster than `rate` a second, across every thread."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate
        self.next_slot = 0.0  # the first caller's clock starts it
        self.lock = threading.Lock()

    def wait(self) -> None:
        with self.lock:
            now = time.monotonic()
            slot = max(self.next_slot, now)
            self.next_slot = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


def backoff(base: float, attempt: int, cap: float = 30.0) -> float:
    """Seconds to wait before retry `attempt` (1, 2, …): doubling from `base`, capped."""
    return min(cap, base * 2 ** (attempt - 1))
