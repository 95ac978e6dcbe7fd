"""Django's Redis cache, with one Redis client per connection pool instead of one per operation.

Django's RedisCacheClient.get_client builds a new ``redis.Redis`` for every cache call. Building
one fills its table of ~170 response callbacks (a case-insensitive dict, so each name is
upper-cased on the way in): about a tenth of a millisecond each time, and a page makes several
cache calls (the session, revision tokens, kept parts). The load stage's profiles showed it as a
tenth of the CPU of a cached page. A Redis client is safe to share between threads, and it holds
no connection of its own (it borrows one from the pool per command), so one per pool will do;
the pool itself notices a fork and starts afresh in the child.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
