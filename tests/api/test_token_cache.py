"""The web app's cache of resolved bearer tokens (api/auth/cache.py): what it keeps, what it
forgets at once. Revocations through the whole stack: tests/api/test_accounts.py."""

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg

from api.auth.cache import TokenCache
from store.accounts import ResolvedToken


def resolved(expires_in: timedelta | None = None) -> ResolvedToken:
    now = datetime.now(UTC)
    return ResolvedToken("alice", "coordinator", (), now, now + expires_in if expires_in else
                         None, "Alice")


def hearing() -> TokenCache:
    cache = TokenCache()
    cache.hearing = True
    return cache


def test_a_token_is_kept_while_the_changes_are_heard_and_not_otherwise():
    cache = hearing()
    cache.put("d", resolved(), cache.generation)
    assert cache.get("d") is not None
    deaf = TokenCache()
    deaf.put("d", resolved(), deaf.generation)
    assert deaf.get("d") is None


def test_a_change_forgets_every_token_and_a_look_up_begun_before_it_is_not_kept():
    cache = hearing()
    cache.put("d", resolved(), cache.generation)
    begun = cache.generation
    cache.forget()  # a revocation announced while a look-up was in flight
    assert cache.get("d") is None
    cache.put("e", resolved(), begun)
    assert cache.get("e") is None


def test_an_expired_token_and_an_old_entry_are_not_used():
    cache = hearing()
    cache.put("d", resolved(timedelta(seconds=-1)), cache.generation)
    assert cache.get("d") is None
    cache.ttl = -1.0
    cache.put("e", resolved(), cache.generation)
    assert cache.get("e") is None


async def test_a_change_to_the_tokens_table_is_heard(pool: asyncpg.Pool):
    """Even a statement that changes no row: the trigger is per statement (migration 042)."""
    cache = TokenCache()
    async with cache.listen(pool):
        cache.put("d", resolved(), cache.generation)
        await pool.execute("UPDATE tokens SET revoked_at = now() WHERE false")
        for _ in range(100):
            if cache.get("d") is None:
                break
            await asyncio.sleep(0.01)
        assert cache.get("d") is None
    assert not cache.hearing  # the block ended: nothing kept any more
