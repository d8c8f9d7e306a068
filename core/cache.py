"""The Redis cache backend, keeping one client per connection pool.

Django's `RedisCacheClient.get_client` makes a new `redis.Redis` for every cache call, and its
`__init__` builds the library's table of response callbacks (some 200 entries) each time: half the
CPU of a `cache.get`, paid by every logged interaction that asks who listens for webhooks. A
`redis.Redis` is safe to share between threads (it takes a connection from its pool per command),
so one is kept per pool.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class KeptRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = KeptRedisCacheClient
