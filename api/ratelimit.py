"""Failed logins slow guessing down: after `limit` failures from one client within `window`
seconds, further attempts are refused (429) until the oldest failure ages out. In memory, per
process: behind several web processes each counts its own (the proxy may add a global limit)."""

import time
from collections import defaultdict, deque


class FailureLimiter:
    def __init__(self, limit: int = 10, window: float = 300) -> None:
        self.limit, self.window = limit, window
        self.failures: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, key: str) -> deque[float]:
        times, now = self.failures[key], time.monotonic()
        while times and now - times[0] > self.window:
            times.popleft()
        if not times:
            del self.failures[key]  # the map holds only clients failing now
            return deque()
        return times

    def retry_after(self, key: str) -> int | None:
        """Seconds to wait if `key` is blocked now, else None."""
        times = self._recent(key)
        if len(times) < self.limit:
            return None
        return max(1, int(self.window - (time.monotonic() - times[0])) + 1)

    def failed(self, key: str) -> None:
        self._recent(key)
        self.failures[key].append(time.monotonic())
