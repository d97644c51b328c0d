"""Bearer tokens resolved lately, kept a few seconds: a burst of commands from one client costs
no round trip to PostgreSQL for its token (issue 19). Right on revocation all the same: every
change to the tokens or the accounts (a token revoked, an account disabled) is announced at its
commit (store/token_changes.py) and empties the cache as soon as it is heard (milliseconds; the
process's own revocations empty it before they answer); while the announcements cannot be
heard (the listening connection lost), nothing is kept. A token's own expiry is checked at each
use."""

import contextlib
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg

from store.accounts import ResolvedToken
from store.token_changes import listening

TTL_SECONDS = 10.0  # a bound, should an announcement ever be missed
MAX_ENTRIES = 10_000


class TokenCache:
    def __init__(self, ttl: float = TTL_SECONDS) -> None:
        self.ttl = ttl
        self.entries: dict[str, tuple[float, ResolvedToken]] = {}
        self.hearing = False  # the changes are heard: entries may be kept
        self.generation = 0  # bumped at each change: a look-up begun before it is not kept

    def get(self, digest: str) -> ResolvedToken | None:
        entry = self.entries.get(digest)
        if entry is None:
            return None
        kept_until, resolved = entry
        if time.monotonic() > kept_until or (
                resolved.expires_at is not None and resolved.expires_at <= datetime.now(UTC)):
            self.entries.pop(digest, None)
            return None
        return resolved

    def put(self, digest: str, resolved: ResolvedToken, generation: int) -> None:
        """Keep what a look-up begun at `generation` found, unless something changed since."""
        if not self.hearing or generation != self.generation:
            return
        if len(self.entries) >= MAX_ENTRIES:
            self.entries.clear()
        self.entries[digest] = (time.monotonic() + self.ttl, resolved)

    def forget(self) -> None:
        self.generation += 1
        self.entries.clear()

    def _lost(self) -> None:
        self.hearing = False
        self.forget()

    @contextlib.asynccontextmanager
    async def listen(self, pool: asyncpg.Pool) -> AsyncIterator[None]:
        """Keep entries while the block runs, forgetting them at each announced change."""
        async with listening(pool, self.forget, self._lost):
            self.hearing = True
            try:
                yield
            finally:
                self._lost()
