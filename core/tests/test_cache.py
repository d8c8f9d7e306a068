"""core.cache: the Redis cache keeps one client per pool and answers as Django's does."""

import pytest
from django.conf import settings
from django.core.cache import cache

pytestmark = pytest.mark.skipif(not settings.CACHES["default"]["BACKEND"].endswith("RedisCache"), reason="needs REDIS_URL")


def test_one_client_serves_every_call_and_the_cache_answers_as_before():
    from core.cache import KeptRedisCacheClient

    assert isinstance(cache._cache, KeptRedisCacheClient)
    assert cache._cache.get_client() is cache._cache.get_client(write=True)
    cache.set("core-cache-probe", [1, "two"], 30)
    assert cache.get("core-cache-probe") == [1, "two"]
    assert cache.add("core-cache-probe", "other", 30) is False
    cache.delete("core-cache-probe")
    assert cache.get("core-cache-probe") is None
