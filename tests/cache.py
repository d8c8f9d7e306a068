"""The cache the tests use when REDIS_URL is set: the app's Redis cache (core.cache), but clear() deletes only the
keys under this cache's KEY_PREFIX. Django's own clear() is FLUSHDB, which would empty whatever
database REDIS_URL names, data the tests did not write included."""

from core.cache import RedisCache


class OwnKeysRedisCache(RedisCache):
    def clear(self):
        if not self.key_prefix:
            raise ValueError("OwnKeysRedisCache needs a KEY_PREFIX: without one it cannot tell its keys apart")
        client = self._cache.get_client(write=True)
        batch = []
        for key in client.scan_iter(match=f"{self.key_prefix}:*", count=1000):
            batch.append(key)
            if len(batch) == 1000:
                client.delete(*batch)
                batch = []
        if batch:
            client.delete(*batch)
        return True
